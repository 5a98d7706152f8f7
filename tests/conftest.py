"""Shared fixtures: the quick profile's end-to-end runs, each made once per test session.

``quick_run`` runs the workflow as `make quick` does, on 2 cores:

    snakemake -s <repo>/Snakefile -d <tmp> --configfile <repo>/config/quick.yaml --cores 2

``scheduler_run`` runs it through the local-scheduler profile (profiles/local-scheduler: the
cluster-generic executor plugin and a local submit script, as a scheduler would):

    snakemake -s <repo>/Snakefile -d <tmp> --workflow-profile <repo>/profiles/local-scheduler \\
        --jobs 2 --configfile <repo>/config/quick.yaml

Both are session-scoped, so the suite runs the quick pipeline twice however many tests read them:
the pipeline's, the cluster's, the determinism test (which compares the two runs byte for byte) and
the resumption test (which compares an interrupted and resumed run with ``quick_run``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUICK = ROOT / "config" / "quick.yaml"
LOCAL_SCHEDULER = ROOT / "profiles" / "local-scheduler"
#: Most seconds one end-to-end run of the quick profile may take (about 5 minutes on 2 idle cores).
RUN_TIMEOUT = 3600


def snakemake_env() -> dict:
    """The environment of a Snakemake run: this interpreter's folder first on PATH (artstudy, papermill)."""
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    env.pop("SNAKEMAKE_PROFILE", None)
    return env


def run_snakemake(*args: str, cwd: Path = ROOT, timeout: int = 300,
                  env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m snakemake ARGS`` with :func:`snakemake_env`; output captured as text."""
    return subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=cwd, env=env or snakemake_env(),
                          capture_output=True, text=True, timeout=timeout)


def snakemake_jobs(output: str) -> set[str]:
    """The jobs a Snakemake run (or dry run) names in its output: ``rule`` or ``rule wildcards``."""
    jobs = set()
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", output):
        head = re.match(r"(?:local)?rule (\w+):", block)
        if head:
            wildcards = re.search(r"^    wildcards: (.*)$", block, flags=re.MULTILINE)
            jobs.add(f"{head.group(1)} {wildcards.group(1)}" if wildcards else head.group(1))
    return jobs


def job_logs(workdir: Path, profile: str = "quick", limit: int = 4000) -> str:
    """The tail of every job log of a run, for a failure message."""
    chunks = []
    for log in sorted((workdir / "logs" / profile).rglob("*.log")):
        text = log.read_text(errors="replace")
        chunks.append(f"--- {log.relative_to(workdir)}\n{text[-limit:]}")
    return "\n".join(chunks)


def _quick(workdir: Path, *args: str) -> Path:
    result = run_snakemake("-s", str(ROOT / "Snakefile"), "-d", str(workdir), "--configfile", str(QUICK), *args,
                           cwd=workdir, timeout=RUN_TIMEOUT)
    assert result.returncode == 0, (f"snakemake failed (exit {result.returncode})\n{result.stderr[-6000:]}\n"
                                    f"{job_logs(workdir)}")
    return workdir


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory) -> Path:
    """The working directory of one run of the quick profile on 2 cores (results/, reports/, logs/)."""
    return _quick(tmp_path_factory.mktemp("quick_run"), "--cores", "2")


@pytest.fixture(scope="session")
def scheduler_run(tmp_path_factory) -> Path:
    """The working directory of one run of the quick profile through the local-scheduler profile."""
    return _quick(tmp_path_factory.mktemp("scheduler_run"), "--workflow-profile", str(LOCAL_SCHEDULER),
                  "--jobs", "2")
