# artstudy workflow: generated and real data -> fits, replications, model comparisons -> reports.
#
#   snakemake --cores all                                  # full study (config/config.yaml): profile full
#   snakemake --cores all --configfile config/quick.yaml   # small CI profile: profile quick
#   snakemake -s /path/to/Snakefile -d OUTDIR --cores all  # write everything into OUTDIR
#
# Source files (config, notebooks) are found relative to this file; every output goes to the
# working directory, into folders named by the config's `profile`, so profiles never overwrite
# each other:
#   results/<profile>/   config parts, world, data, fits, replications, executed notebooks, run.json
#   reports/<profile>/   NAME.html (reader's view), NAME.code.html (with code), metadata.json
#   logs/<profile>/      one log per job
#   reports/index.html   every report of every profile, with each run's metadata
# Real raw exports are read from the config's `data_dir` (default ../shared/data, relative to this
# file's folder); a configured source whose file is absent stops the workflow here with one line.
# The config is validated by the package's settings classes (artstudy.settings), which fill in
# every default; the rules below read the resolved config only.
# A job re-runs when one of its inputs changes, among them its config part (results/<profile>/config/:
# the config sections it reads) and its code part (results/<profile>/code/: the package modules and
# notebook it runs, by content); both are rewritten only when their text changes. An interrupted run
# resumes with the same command (profiles/default: rerun-incomplete). Two runs write the same
# results/<profile>/ byte for byte but for run.json, the executed notebooks and the wall times
# (timing.json, timing.csv): tests/test_determinism.py.

import os

from snakemake.utils import min_version

from artstudy.settings import resolve
from artstudy.study.metadata import write_run

min_version("8.0")


DEFAULT_CONFIG = os.path.abspath(os.path.join(workflow.basedir, "config", "config.yaml"))


configfile: DEFAULT_CONFIG


_resolved = resolve(config, source="workflow config").to_dict()
config.clear()
config.update(_resolved)


include: "rules/common.smk"
include: "rules/config.smk"
include: "rules/code.smk"
include: "rules/data.smk"
include: "rules/simulation.smk"
include: "rules/pam.smk"
include: "rules/valuation.smk"
include: "rules/deep.smk"
include: "rules/reports.smk"
include: "rules/benchmarks.smk"


onstart:
    # the run's facts, read by every report and the index (a notebook parameter, not an input);
    # config files in the order they are merged: the repository's first, then --configfile ones.
    # Cores: --cores (the profile's or the command line's); None when an executor plugin runs the
    # jobs without one (workflow.cores raises then, so the settings are read instead)
    write_run(
        RUN_JSON,
        profile=PROFILE,
        configfiles=sorted(workflow.configfiles, key=lambda f: os.path.abspath(f) != DEFAULT_CONFIG),
        cores=workflow.resource_settings.cores,
    )


rule all:
    input:
        report_html(REPORTS),
        INDEX,
