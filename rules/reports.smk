# Notebooks are executed with papermill and rendered to self-contained HTML.


rule register_kernel:
    output:
        touch(KERNEL_MARKER),
    params:
        name=KERNEL,
    log:
        f"logs/register_kernel/{KERNEL}.log",
    conda:
        "../environment.yml"
    shell:
        # --sys-prefix: the kernel belongs to the environment running the
        # workflow (venv or conda env), so papermill finds it there.
        'python -m ipykernel install --sys-prefix --name {params.name:q} '
        '--display-name "Python 3 ({params.name})" > {log:q} 2>&1'


rule execute_notebook:
    input:
        unpack(notebook_inputs),
        notebook=notebook_source,
        kernel=KERNEL_MARKER,
        config="results/config/study.json",
    output:
        notebook="results/notebooks/{name}.ipynb",
    params:
        kernel=KERNEL,
        parameters=notebook_parameters,
    log:
        "logs/execute_notebook/{name}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../environment.yml"
    shell:
        "papermill {input.notebook:q} {output.notebook:q} -k {params.kernel:q} "
        "-y {params.parameters:q} --cwd . --no-progress-bar --log-level INFO "
        "> {log:q} 2>&1"


rule render_html:
    input:
        notebook="results/notebooks/{name}.ipynb",
    output:
        html="reports/{name}.html",
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.html) or ".",
    log:
        "logs/render_html/{name}.log",
    conda:
        "../environment.yml"
    shell:
        "jupyter nbconvert --to html --embed-images {input.notebook:q} "
        "--output-dir {params.outdir:q} --output {wildcards.name:q} > {log:q} 2>&1"


rule report_index:
    input:
        report_html(REPORTS),
    output:
        "reports/index.html",
    log:
        "logs/report_index/index.log",
    conda:
        "../environment.yml"
    shell:
        "artstudy report-index --out {output:q} {input:q} > {log:q} 2>&1"
