# Notebooks are executed with papermill and rendered to offline HTML (artstudy render): the
# reader's view reports/<profile>/<name>.html (no code) and reports/<profile>/<name>.code.html.
# The index reports/index.html lists every profile's reports, with each run's metadata.


rule register_kernel:
    output:
        touch(KERNEL_MARKER),
    params:
        name=KERNEL,
    log:
        f"{LOGS}register_kernel/{KERNEL}.log",
    conda:
        "../environment.yml"
    shell:
        # --sys-prefix: the kernel belongs to the environment running the
        # workflow (venv or conda env), so papermill finds it there.
        with_threads(
            'python -m ipykernel install --sys-prefix --name {params.name:q} '
            '--display-name "Python 3 ({params.name})" > {log:q} 2>&1'
        )


rule execute_notebook:
    input:
        unpack(notebook_inputs),
        kernel=KERNEL_MARKER,
        config=f"{RESULTS}config/study.json",
    output:
        notebook=f"{RESULTS}notebooks/{{name}}.ipynb",
    params:
        # a parameter, not an input: its content is in the job's code part (a notebook touched but not
        # changed re-runs nothing)
        notebook=notebook_source,
        kernel=KERNEL,
        parameters=notebook_parameters,
    log:
        f"{LOGS}execute_notebook/{{name}}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "papermill {params.notebook:q} {output.notebook:q} -k {params.kernel:q} "
            "-y {params.parameters:q} --cwd . --no-progress-bar --log-level INFO "
            "> {log:q} 2>&1"
        )


rule render_html:
    input:
        notebook=f"{RESULTS}notebooks/{{name}}.ipynb",
        code=code_input("render"),
    output:
        html=f"{REPORTS_DIR}{{name}}.html",
        code=f"{REPORTS_DIR}{{name}}.code.html",
    params:
        title=lambda wildcards: REPORT_SPECS[wildcards.name]["title"],
        description=lambda wildcards: REPORT_SPECS[wildcards.name]["description"],
        profile=PROFILE,
        index=INDEX,
    log:
        f"{LOGS}render_html/{{name}}.log",
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "artstudy render {input.notebook:q} --out {output.html:q} --code-out {output.code:q} "
            "--title {params.title:q} --description {params.description:q} --profile {params.profile:q} "
            "--index {params.index:q} > {log:q} 2>&1"
        )


rule report_index:
    input:
        reports=report_html(REPORTS),
        config=f"{RESULTS}config/study.json",
        code=code_input("index"),
    output:
        index=INDEX,
        metadata=f"{REPORTS_DIR}metadata.json",
    params:
        run_json=RUN_JSON,
    log:
        f"{LOGS}report_index/index.log",
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "artstudy report-index --out {output.index:q} --metadata-out {output.metadata:q} "
            "--config-json {input.config:q} --run-json {params.run_json:q} {input.reports:q} > {log:q} 2>&1"
        )
