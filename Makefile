# make reports  - set up .venv (first use / when pyproject.toml changes) and run the whole pipeline
#                 (profile full: results/full/, reports/full/, logs/full/; reports/index.html lists all)
# make quick    - same with the small profile config/quick.yaml (results/quick/, reports/quick/, logs/quick/)
# make check-reports - open every report in headless Chromium (Debian: apt-get install chromium):
#                 a screenshot per page (reports/<profile>/screenshots/), fails on a console error
#                 or a request for anything not on the local disk
# make test     - set up .venv and run the test suite
# make mutations - apply deliberate bugs to a copy of the package and check the tests catch each
#
# Needs only Python >= 3.11 with venv (no conda). Variables: PYTHON, CORES,
# SNAKEMAKE_ARGS (e.g. SNAKEMAKE_ARGS=-n), PYTEST_ARGS.

PYTHON ?= python3
VENV ?= .venv
CORES ?= all
SNAKEMAKE_ARGS ?=
PYTEST_ARGS ?=

BIN := $(VENV)/bin
STAMP := $(VENV)/.artstudy-setup
KERNEL := $(or $(shell sed -n 's/^kernel:[[:space:]]*\([A-Za-z0-9._-]*\).*/\1/p' config/config.yaml),artstudy)

# Rules run `artstudy`, `papermill`, `jupyter`, `python` from the venv.
export PATH := $(abspath $(BIN)):$(PATH)
export VIRTUAL_ENV := $(abspath $(VENV))

.PHONY: all reports quick check-reports test mutations setup clean

all: reports

reports: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) $(SNAKEMAKE_ARGS)

quick: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config/quick.yaml $(SNAKEMAKE_ARGS)

check-reports: $(STAMP)
	$(BIN)/python tools/check_reports.py reports

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

mutations: $(STAMP)
	$(BIN)/python tests/mutations.py

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python 3 ($(KERNEL))"
	touch $@

clean:
	rm -rf results logs .snakemake reports/*.html reports/*/ reports/screenshots
