# Data: the synthetic world is generated; every source's raw export is parsed into the
# canonical sales table (every lot, with the rule that left it out) and its funnel.


rule world:
    input:
        config="results/config/world.json",
    output:
        raw="results/world/raw_lots.csv",
        truth="results/world/truth_coefficients.csv",
        ability="results/world/truth_ability.csv",
        lots="results/world/truth_lots.csv",
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.raw),
    log:
        "logs/world/world.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../environment.yml"
    shell:
        "artstudy world --out {params.outdir:q} --config {input.config:q} > {log:q} 2>&1"


rule prepare:
    input:
        raw=raw_export,
        config="results/config/data.json",
    output:
        sales="results/data/{source}/sales.csv",
        funnel="results/data/{source}/sales.funnel.csv",
    log:
        "logs/prepare/{source}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../environment.yml"
    shell:
        "artstudy prepare {input.raw:q} --source {wildcards.source:q} --out {output.sales:q} "
        "--config {input.config:q} > {log:q} 2>&1"
