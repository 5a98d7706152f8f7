# The valuation harness: one job per (source, model) fits on the training years and predicts
# the test years; one job per source scores every model by segment.


rule valuation_fit:
    input:
        unpack(valuation_fit_inputs),
    output:
        f"{RESULTS}valuation/{{source}}/predictions/{{model}}.csv",
    wildcard_constraints:
        model="|".join(re.escape(m) for m in dict.fromkeys(MODELS + ["oracle"]) if m not in DEEP_MODELS),
    params:
        truth=lambda wildcards, input: f"--truth-lots {input.truth}" if wildcards.model == "oracle" else "",
    log:
        f"{LOGS}valuation_fit/{{source}}/{{model}}.log",
    threads: valuation_fit_threads
    resources:
        mem_mb=2000,
        runtime=20,
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "artstudy valuation-fit {input.sales:q} --model {wildcards.model:q} --out {output:q} "
            "--config {input.config:q} {params.truth} > {log:q} 2>&1"
        )


rule valuation_score:
    input:
        sales=f"{RESULTS}data/{{source}}/sales.csv",
        predictions=lambda wildcards: [f"{RESULTS}valuation/{wildcards.source}/predictions/{model}.csv"
                                       for model in source_models(wildcards.source)],
        config=f"{RESULTS}config/valuation.json",
        code=code_input("valuation_score"),
    output:
        metrics=f"{RESULTS}valuation/{{source}}/metrics.csv",
        differences=f"{RESULTS}valuation/{{source}}/differences.csv",
        split=f"{RESULTS}valuation/{{source}}/split.json",
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.metrics),
    log:
        f"{LOGS}valuation_score/{{source}}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "artstudy valuation-score {input.sales:q} {input.predictions:q} --out {params.outdir:q} "
            "--config {input.config:q} > {log:q} 2>&1"
        )
