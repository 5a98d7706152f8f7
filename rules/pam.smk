# The popularity-ability model fitted to each source's prepared sales (the seed paper's Section 4).


rule pam_fit:
    input:
        sales="results/data/{source}/sales.csv",
        config="results/config/model.json",
    output:
        summary="results/pam/{source}/summary.json",
        coefficients="results/pam/{source}/coefficients.csv",
        ability="results/pam/{source}/ability.csv",
        trace="results/pam/{source}/trace.csv",
        funnel="results/pam/{source}/funnel.csv",
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.summary),
        covariates=" ".join(config["evaluation"]["covariates"]),
    log:
        "logs/pam_fit/{source}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../environment.yml"
    shell:
        "artstudy pam-fit {input.sales:q} --out {params.outdir:q} --covariates {params.covariates} "
        "--year-effects --config {input.config:q} > {log:q} 2>&1"
