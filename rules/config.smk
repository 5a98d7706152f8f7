# The config sections each kind of job reads, one file per kind, so that a job re-runs only when
# its own sections change: a part is rewritten only when its text changes (its params; Snakemake
# re-runs a job whose params changed); a part touched but not changed re-runs nothing (Snakemake
# compares the checksums of small inputs). The reports read the whole resolved config (part study),
# so any config change re-runs them.


rule config_part:
    output:
        f"{RESULTS}config/{{part}}.json",
    params:
        text=lambda wildcards: json.dumps(config_part(wildcards.part), sort_keys=True, indent=1),
    log:
        f"{LOGS}config_part/{{part}}.log",
    conda:
        "../environment.yml"
    shell:
        with_threads("printf '%s\\n' {params.text:q} > {output:q} 2> {log:q}")
