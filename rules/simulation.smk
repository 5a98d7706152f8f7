# The simulation study: one job per replication (scatter), one table (gather), and
# replication 1 in detail for the report.


rule sim_replicate:
    input:
        config=f"{RESULTS}config/simulation.json",
        code=code_input("simulation"),
    output:
        f"{RESULTS}simulation/reps/rep_{{rep}}.csv",
    log:
        f"{LOGS}sim_replicate/{{rep}}.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "artstudy sim-replicate --config {input.config:q} --rep {wildcards.rep} --out {output:q} > {log:q} 2>&1"
        )


rule sim_gather:
    input:
        reps=expand(f"{RESULTS}simulation/reps/rep_{{rep}}.csv", rep=REPLICATIONS),
        code=code_input("simulation"),
    output:
        f"{RESULTS}simulation/replications.csv",
    log:
        f"{LOGS}sim_gather/sim_gather.log",
    conda:
        "../environment.yml"
    shell:
        with_threads("artstudy sim-gather {input.reps:q} --out {output:q} > {log:q} 2>&1")


rule sim_detail:
    input:
        config=f"{RESULTS}config/simulation.json",
        code=code_input("simulation"),
    output:
        summary=f"{RESULTS}simulation/detail/summary.csv",
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.summary),
    log:
        f"{LOGS}sim_detail/sim_detail.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "artstudy sim-detail --config {input.config:q} --rep 1 --out {params.outdir:q} > {log:q} 2>&1"
        )
