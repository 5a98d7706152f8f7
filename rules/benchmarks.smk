# The benchmark report, not part of `rule all`: reports/benchmarks.html (and .code.html) is the executed
# notebooks/05_benchmarks.ipynb, which reads only the recorded results in benchmarks/results/ (written by the
# benchmark scripts with --record), so it renders in seconds.
#   snakemake benchmarks --cores 2          # render the report from the recorded results
#   snakemake benchmarks_rerun --cores 2    # re-run the NUTS and ESS benchmarks with --record (minutes) and
#                                           # refresh the README's block; then `snakemake benchmarks` again
# The scaling (bench_scale.py: ten million sales, over 8 GB) and deep (bench_deep.py: the deep workflow from
# nothing) benchmarks are run by hand; the report shows what they last recorded.

BENCHMARKS_DIR = os.path.join(workflow.basedir, "benchmarks")
BENCHMARK_RESULTS = os.path.join(BENCHMARKS_DIR, "results")
# the benchmarks `benchmarks_rerun` runs again
BENCHMARK_RERUN = ["nuts", "ess"]
BENCHMARK_SPEC = {
    "title": "Benchmarks: speed against NUTS, sampler efficiency, scaling and the deep models",
    "description": (
        "Monte Carlo EM against NUTS on the same model and market (wall time, agreement), effective samples per "
        "second of the ability samplers, wall time and memory from 10,000 to 10,000,000 sales, the deep models' "
        "training speed per machine, and every aim met or not."
    ),
}


rule benchmarks_notebook:
    input:
        # every recorded result the report reads
        results=lambda wildcards: sorted(
            os.path.join(BENCHMARK_RESULTS, name)
            for name in os.listdir(BENCHMARK_RESULTS)
            if name.endswith((".csv", ".json", ".md"))
        ),
        notebook=os.path.join(workflow.basedir, "notebooks", "05_benchmarks.ipynb"),
        # the module that computes its tables, verdicts and sentences: a change re-renders the report
        code=os.path.join(workflow.basedir, "artstudy", "study", "benchmarks.py"),
        kernel=KERNEL_MARKER,
        config=f"{RESULTS}config/study.json",
    output:
        notebook=f"{RESULTS}benchmarks/05_benchmarks.ipynb",
    params:
        kernel=KERNEL,
        # the notebook's parameters (the results folder, the config and run files, the title) for `papermill -y`
        parameters=lambda wildcards, input: yaml.safe_dump(
            {
                "config_json": str(input.config),
                "run_json": RUN_JSON,
                "results_dir": BENCHMARK_RESULTS,
                "title": BENCHMARK_SPEC["title"],
            },
            default_flow_style=True,
            width=float("inf"),
            sort_keys=True,
        ).strip(),
    log:
        f"{LOGS}benchmarks/notebook.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "papermill {input.notebook:q} {output.notebook:q} -k {params.kernel:q} "
            "-y {params.parameters:q} --cwd . --no-progress-bar --log-level INFO "
            "> {log:q} 2>&1"
        )


rule benchmarks:
    input:
        notebook=f"{RESULTS}benchmarks/05_benchmarks.ipynb",
    output:
        html="reports/benchmarks.html",
        code="reports/benchmarks.code.html",
    params:
        title=BENCHMARK_SPEC["title"],
        description=BENCHMARK_SPEC["description"],
    log:
        f"{LOGS}benchmarks/render.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "artstudy render {input.notebook:q} --out {output.html:q} --code-out {output.code:q} "
            "--title {params.title:q} --description {params.description:q} > {log:q} 2>&1"
        )


rule benchmark_record:
    output:
        temp(touch(f"{RESULTS}benchmarks/{{bench}}.recorded")),
    params:
        script=lambda wildcards: os.path.join(BENCHMARKS_DIR, f"bench_{wildcards.bench}.py"),
    wildcard_constraints:
        bench="|".join(BENCHMARK_RERUN),
    log:
        f"{LOGS}benchmarks/{{bench}}.log",
    threads: 2
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../environment.yml"
    shell:
        with_threads("python {params.script:q} --record > {log:q} 2>&1")


rule benchmarks_rerun:
    input:
        expand(f"{RESULTS}benchmarks/{{bench}}.recorded", bench=BENCHMARK_RERUN),
    params:
        record=os.path.join(BENCHMARKS_DIR, "record.py"),
    log:
        f"{LOGS}benchmarks/readme.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../environment.yml"
    shell:
        with_threads("python {params.record:q} > {log:q} 2>&1")
