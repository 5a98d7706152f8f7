# The code each kind of job runs, one file per kind: results/<profile>/code/<unit>.json lists every
# source file of the job's code closure (artstudy.study.metadata.code_files: the modules its command,
# model or notebook imports, followed through the package; a report's notebook itself) with its
# SHA-256. It is an input of those jobs and is rewritten only when that text changes (a params
# trigger, as the config parts), so editing a module or a notebook re-runs exactly the jobs that run
# it and what reads their outputs; a file touched but not changed re-runs nothing.


rule code_part:
    output:
        f"{RESULTS}code/{{unit}}.json",
    wildcard_constraints:
        unit="|".join(re.escape(unit) for unit in CODE_TEXT),
    params:
        text=lambda wildcards: CODE_TEXT[wildcards.unit],
    log:
        f"{LOGS}code_part/{{unit}}.log",
    conda:
        "../environment.yml"
    shell:
        with_threads("printf '%s\\n' {params.text:q} > {output:q} 2> {log:q}")
