# Data: the synthetic world is generated; every source's raw export is parsed into the
# canonical sales table (every lot, with the rule that left it out) and its funnel.


rule world:
    input:
        config=f"{RESULTS}config/world.json",
        code=code_input("world"),
    output:
        raw=f"{RESULTS}world/raw_lots.csv",
        truth=f"{RESULTS}world/truth_coefficients.csv",
        ability=f"{RESULTS}world/truth_ability.csv",
        lots=f"{RESULTS}world/truth_lots.csv",
        images=directory(f"{RESULTS}world/images"),
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.raw),
    log:
        f"{LOGS}world/world.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../environment.yml"
    shell:
        with_threads("artstudy world --out {params.outdir:q} --config {input.config:q} > {log:q} 2>&1")


rule prepare:
    input:
        raw=raw_export,
        config=f"{RESULTS}config/data.json",
        code=code_input("prepare"),
    output:
        sales=f"{RESULTS}data/{{source}}/sales.csv",
        funnel=f"{RESULTS}data/{{source}}/sales.funnel.csv",
    log:
        f"{LOGS}prepare/{{source}}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "artstudy prepare {input.raw:q} --source {wildcards.source:q} --out {output.sales:q} "
            "--config {input.config:q} > {log:q} 2>&1"
        )
