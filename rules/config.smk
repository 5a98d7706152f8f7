# The config sections each kind of job reads, one file per kind, so that a job re-runs only when
# its own sections change.


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
