# Real-data (Artnet-style) analysis: synthetic world or a configured source ->
# canonical sales table -> notebook 02.


rule config_section:
    output:
        "results/config/{section}.json",
    params:
        text=lambda wildcards: json.dumps(config_sections(wildcards.section), sort_keys=True),
    log:
        "logs/config_section/{section}.log",
    conda:
        "../environment.yml"
    shell:
        "printf '%s\\n' {params.text:q} > {output:q} 2> {log:q}"


rule world:
    input:
        config="results/config/world.json",
    output:
        raw="results/world/raw_lots.csv",
        truth="results/world/truth_coefficients.csv",
        ability="results/world/truth_ability.csv",
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.raw),
        seed=config["seed"],
    log:
        "logs/world/world.log",
    conda:
        "../environment.yml"
    shell:
        "artstudy world --out {params.outdir:q} --seed {params.seed} --config {input.config:q} "
        "> {log:q} 2>&1"


rule prepare:
    input:
        raw=raw_export,
        config="results/config/data.json",
    output:
        sales="results/artnet/{source}/sales.csv",
        funnel="results/artnet/{source}/sales.funnel.csv",
    log:
        "logs/prepare/{source}.log",
    conda:
        "../environment.yml"
    shell:
        "artstudy prepare {input.raw:q} --source {wildcards.source:q} --out {output.sales:q} "
        "--config {input.config:q} > {log:q} 2>&1"
