# artstudy workflow: generated and real data -> fits, replications, model comparisons -> reports.
#
#   snakemake --cores all                                  # full study (config/config.yaml)
#   snakemake --cores all --configfile config/quick.yaml   # small CI profile
#   snakemake -s /path/to/Snakefile -d OUTDIR --cores all  # write everything into OUTDIR
#
# Source files (config, notebooks) are found relative to this file; every output
# (results/, reports/, logs/) goes to the working directory. The config is validated by
# the package's settings classes (artstudy.settings), which fill in every default; the
# rules below read the resolved config only.

import os

from snakemake.utils import min_version

from artstudy.settings import resolve

min_version("8.0")


configfile: os.path.join(workflow.basedir, "config", "config.yaml")


_resolved = resolve(config, source="workflow config").to_dict()
config.clear()
config.update(_resolved)


include: "rules/common.smk"
include: "rules/config.smk"
include: "rules/data.smk"
include: "rules/simulation.smk"
include: "rules/pam.smk"
include: "rules/valuation.smk"
include: "rules/reports.smk"


rule all:
    input:
        report_html(REPORTS),
        "reports/index.html",
