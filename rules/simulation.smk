# Scatter: one job per replication; gather: one long table.


rule sim_replicate:
    output:
        "results/simulation/reps/rep_{rep}.csv",
    params:
        json=sim_params(),
    log:
        "logs/sim_replicate/{rep}.log",
    threads: 1
    conda:
        "../environment.yml"
    shell:
        "artstudy sim-replicate --params {params.json:q} --rep {wildcards.rep} "
        "--out {output:q} > {log:q} 2>&1"


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
