# The simulation study: one job per replication (scatter), one table (gather), and
# replication 1 in detail for the report.


rule sim_replicate:
    input:
        config="results/config/simulation.json",
    output:
        "results/simulation/reps/rep_{rep}.csv",
    log:
        "logs/sim_replicate/{rep}.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../environment.yml"
    shell:
        "artstudy sim-replicate --config {input.config:q} --rep {wildcards.rep} --out {output:q} > {log:q} 2>&1"


rule sim_gather:
    input:
        expand("results/simulation/reps/rep_{rep}.csv", rep=REPLICATIONS),
    output:
        "results/simulation/replications.csv",
    log:
        "logs/sim_gather/sim_gather.log",
    conda:
        "../environment.yml"
    shell:
        "artstudy sim-gather {input:q} --out {output:q} > {log:q} 2>&1"


rule sim_detail:
    input:
        config="results/config/simulation.json",
    output:
        summary="results/simulation/detail/summary.csv",
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.summary),
    log:
        "logs/sim_detail/sim_detail.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    conda:
        "../environment.yml"
    shell:
        "artstudy sim-detail --config {input.config:q} --rep 1 --out {params.outdir:q} > {log:q} 2>&1"
