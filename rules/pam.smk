# The popularity-ability model fitted to each source's prepared sales (the seed paper's Section 4).


rule pam_fit:
    input:
        sales=f"{RESULTS}data/{{source}}/sales.csv",
        config=f"{RESULTS}config/model.json",
        code=code_input("pam_fit"),
    output:
        summary=f"{RESULTS}pam/{{source}}/summary.json",
        coefficients=f"{RESULTS}pam/{{source}}/coefficients.csv",
        ability=f"{RESULTS}pam/{{source}}/ability.csv",
        trace=f"{RESULTS}pam/{{source}}/trace.csv",
        funnel=f"{RESULTS}pam/{{source}}/funnel.csv",
        fitted=f"{RESULTS}pam/{{source}}/fitted.csv",
        ols=f"{RESULTS}pam/{{source}}/ols.csv",
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.summary),
        covariates=" ".join(config["evaluation"]["covariates"]),
    log:
        f"{LOGS}pam_fit/{{source}}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "artstudy pam-fit {input.sales:q} --out {params.outdir:q} --covariates {params.covariates} "
            "--year-effects --config {input.config:q} > {log:q} 2>&1"
        )
