# artstudy workflow: simulation study -> executed notebook -> HTML reports.
#
#   snakemake --cores all                               # full study (config/config.yaml)
#   snakemake --cores all --configfile config/quick.yaml  # small CI profile
#   snakemake -s /path/to/Snakefile -d OUTDIR --cores all # write everything into OUTDIR
#
# Source files (config, notebooks, environment) are found relative to this
# file; every output (results/, reports/, logs/) goes to the working directory.

import os

from snakemake.utils import min_version, validate

min_version("8.0")


configfile: os.path.join(workflow.basedir, "config", "config.yaml")


validate(config, "config/schema.yaml")


include: "rules/common.smk"
include: "rules/simulation.smk"
include: "rules/artnet.smk"
include: "rules/reports.smk"


rule all:
    input:
        report_html(REPORTS),
        "reports/index.html",
