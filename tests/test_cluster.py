"""Running on a cluster: the rules' threads and resources, the thread variables of every shell
command, the Slurm profile (profiles/slurm) and the local-scheduler profile
(profiles/local-scheduler), which drives the quick profile through the cluster-generic executor
plugin and a local submit script, as a scheduler would (the session's ``scheduler_run``,
tests/conftest.py):

    snakemake -s <repo>/Snakefile -d <tmp> --workflow-profile <repo>/profiles/local-scheduler \\
        --configfile <repo>/config/quick.yaml
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from artstudy.settings import StudyConfig

ROOT = Path(__file__).resolve().parents[1]
SLURM = ROOT / "profiles" / "slurm"
LOCAL = ROOT / "profiles" / "local-scheduler"
THREAD_VARIABLES = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                    "NUMEXPR_NUM_THREADS"]
# light steps run by Snakemake itself (the Snakefile's localrules), never submitted
LOCALRULES = {"all", "config_part", "code_part", "register_kernel", "sim_gather", "render_html", "report_index"}


def _snakemake(*args: str, cwd: Path = ROOT, timeout: int = 300) -> subprocess.CompletedProcess:
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    env.pop("SNAKEMAKE_PROFILE", None)
    return subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def _jobs(output: str) -> list[dict]:
    """The jobs of a dry run's -p output: rule, wildcards, threads, resources and shell command."""
    jobs = []
    for block in re.split(r"\n(?=\[[^\]]+\]\n(?:local)?rule )", output):
        head = re.search(r"^(local)?rule (\w+):", block, flags=re.MULTILINE)
        if not head:
            continue
        threads = re.search(r"^    threads: (\d+)$", block, flags=re.MULTILINE)
        resources = re.search(r"^    resources: (.*)$", block, flags=re.MULTILINE)
        wildcards = re.search(r"^    wildcards: (.*)$", block, flags=re.MULTILINE)
        shell = re.search(r"^Shell command: (.*)$", block, flags=re.MULTILINE)
        jobs.append({
            "local": bool(head.group(1)), "rule": head.group(2),
            "wildcards": wildcards.group(1) if wildcards else "",
            "threads": int(threads.group(1)) if threads else 1,  # Snakemake prints threads above 1 only
            "resources": dict(item.split("=", 1) for item in resources.group(1).split(", ")) if resources else {},
            "shell": shell.group(1) if shell else "",
        })
    return jobs


def _rule_names() -> set[str]:
    result = _snakemake("-s", str(ROOT / "Snakefile"), "--list-rules")
    assert result.returncode == 0, result.stderr
    return {line.strip() for line in result.stdout.splitlines() if line.strip()}


# --------------------------------------------------------------------------
# rules: threads, resources, thread variables
# --------------------------------------------------------------------------


def test_every_job_rule_declares_threads_memory_and_runtime():
    texts = {path.name: path.read_text() for path in (ROOT / "rules").glob("*.smk")}
    rules = {}
    for name, text in texts.items():
        for match in re.finditer(r"^rule (\w+):\n((?:    .*\n|\n)*)", text, flags=re.MULTILINE):
            rules[match.group(1)] = match.group(2)
    assert set(rules) | {"all"} == _rule_names()
    for rule, body in rules.items():
        assert "with_threads(" in body, f"rule {rule}: its shell command does not set the thread variables"
        if rule in LOCALRULES:
            continue
        assert re.search(r"^    threads: \S", body, flags=re.MULTILINE), f"rule {rule}: no threads"
        for resource in ["mem_mb", "runtime"]:
            assert re.search(rf"^        {resource}=", body, flags=re.MULTILINE), f"rule {rule}: no {resource}"
    assert re.search(r"^        gpu=", rules["deep_fit"], flags=re.MULTILINE)


def test_thread_variables_follow_each_jobs_threads(tmp_path):
    # LightGBM's threads (evaluation.trees.threads) are its valuation fits' threads; deep_fit asks for 2
    extra = tmp_path / "threads.yaml"
    extra.write_text("evaluation:\n  trees:\n    threads: 2\n")
    result = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path / "wd"), "-n", "-p", "--cores", "2",
                        "--configfile", str(ROOT / "config" / "quick.yaml"), str(extra))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    jobs = _jobs(output)
    assert len(jobs) > 30, output
    for job in jobs:
        if job["rule"] == "all":
            continue
        exports = dict(re.findall(r"\b([A-Z_]+)=(\d+)\b", job["shell"].split(";", 1)[0]))
        assert job["shell"].startswith("export "), job
        assert exports == {name: str(job["threads"]) for name in THREAD_VARIABLES}, job
    threads = {(job["rule"], job["wildcards"]): job["threads"] for job in jobs}
    assert threads[("valuation_fit", "source=synthetic, model=gbt")] == 2
    assert threads[("valuation_fit", "source=synthetic, model=gbt_lags")] == 2
    assert threads[("valuation_fit", "source=synthetic, model=hedonic")] == 1
    assert {t for (rule, _), t in threads.items() if rule == "deep_fit"} == {2}
    assert threads[("sim_replicate", "rep=1")] == 1


# --------------------------------------------------------------------------
# the Slurm profile
# --------------------------------------------------------------------------


def test_slurm_profile_keys():
    profile = yaml.safe_load((SLURM / "config.yaml").read_text())
    assert profile["executor"] == "slurm"
    assert isinstance(profile["jobs"], int) and profile["jobs"] > 1
    assert profile["latency-wait"] >= 30 and profile["retries"] >= 1 and profile["printshellcmds"] is True
    assert {"slurm_partition", "mem_mb", "runtime"} <= set(profile["default-resources"])
    deep = profile["set-resources"]["deep_fit"]
    assert "slurm_partition" in deep
    # the plugin makes --gpus=N of the rule's gpu resource and refuses gres beside it
    assert not {"gres", "gpu", "gpus"} & set(deep)
    readme = (ROOT / "README.md").read_text()
    assert "pip install snakemake-executor-plugin-slurm" in readme
    assert "--workflow-profile profiles/slurm" in readme


def test_slurm_profile_resources_reach_the_jobs(tmp_path):
    # the profile's resources in a dry run; the dryrun executor stands in for the plugin (not installed here)
    result = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path), "-n",
                        "--workflow-profile", str(SLURM), "--executor", "dryrun",
                        "--configfile", str(ROOT / "config" / "gpu.yaml"))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    jobs = [job for job in _jobs(output) if not job["local"]]
    profile = yaml.safe_load((SLURM / "config.yaml").read_text())
    assert {job["rule"] for job in jobs} >= {"world", "prepare", "sim_replicate", "pam_fit", "valuation_fit",
                                             "deep_fit", "execute_notebook"}
    for job in jobs:
        partition = profile["set-resources"].get(job["rule"], profile["default-resources"])["slurm_partition"]
        assert job["resources"]["slurm_partition"] == partition, job
        assert int(job["resources"]["mem_mb"]) > 0 and int(job["resources"]["runtime"]) > 0, job
        assert job["resources"].get("gpu", "0") == ("1" if job["rule"] == "deep_fit" else "0"), job


@pytest.mark.skipif(importlib.util.find_spec("snakemake_executor_plugin_slurm") is None,
                    reason="snakemake-executor-plugin-slurm is not installed (pip install "
                           "snakemake-executor-plugin-slurm): Snakemake refuses `executor: slurm` without it")
def test_slurm_profile_dry_run_with_the_plugin(tmp_path):
    result = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path), "-n",
                        "--workflow-profile", str(SLURM), "--configfile", str(ROOT / "config" / "quick.yaml"))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "CHANGE-ME-cpu-partition" in output and "deep_fit" in output


# --------------------------------------------------------------------------
# the local scheduler
# --------------------------------------------------------------------------


def test_local_scheduler_profile_keys():
    profile = yaml.safe_load((LOCAL / "config.yaml").read_text())
    assert profile["executor"] == "cluster-generic"
    for key, script in [("submit", "submit.py"), ("status", "status.py"), ("cancel", "cancel.py")]:
        assert profile[f"cluster-generic-{key}-cmd"] == script
        assert os.access(LOCAL / script, os.X_OK), script
    assert profile["jobs"] <= 2


def _table(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_local_scheduler_scripts(tmp_path):
    # submit -> running -> success; a failing job -> failed; an unknown id -> failed
    env = dict(os.environ, LOCAL_SCHEDULER_DIR=str(tmp_path / "state"))

    def call(script, *args):
        done = subprocess.run([sys.executable, str(LOCAL / script), *args], env=env, capture_output=True,
                              text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    props = ('{"type": "single", "rule": "demo", "wildcards": {"rep": "3"}, "threads": 2, '
             '"resources": {"mem_mb": 500, "runtime": 1}, "jobid": 7}')
    ok, bad = tmp_path / "ok.sh", tmp_path / "bad.sh"
    ok.write_text(f"#!/bin/sh\n# properties = {props}\nsleep 1; echo done > {tmp_path / 'ok.txt'}\n")
    bad.write_text(f"#!/bin/sh\n# properties = {props}\nexit 3\n")
    first, second = call("submit.py", str(ok)), call("submit.py", str(bad))
    assert (first, second) == ("1", "2")
    assert call("status.py", first) in {"running", "success"}
    deadline = time.time() + 30
    while time.time() < deadline and "running" in {call("status.py", first), call("status.py", second)}:
        time.sleep(0.2)
    assert call("status.py", first) == "success" and (tmp_path / "ok.txt").read_text() == "done\n"
    assert call("status.py", second) == "failed"
    assert call("status.py", "99") == "failed"
    rows = _table(tmp_path / "state" / "submissions.tsv")
    assert [(r["jobid"], r["rule"], r["wildcards"], r["threads"], r["mem_mb"], r["runtime"]) for r in rows] == [
        ("1", "demo", "rep=3", "2", "500", "1"), ("2", "demo", "rep=3", "2", "500", "1")]
    states = {r["jobid"]: (r["state"], r["exit"]) for r in _table(tmp_path / "state" / "accounting.tsv")}
    assert states == {"1": ("completed", "0"), "2": ("failed", "3")}


def test_run_facts_without_cores_under_an_executor_plugin(tmp_path):
    # an executor plugin needs no --cores: the run's facts record None (workflow.cores would raise)
    target = "results/quick/config/world.json"  # a localrule: runs in Snakemake itself, submits nothing
    result = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path), target, "--executor", "cluster-generic",
                        "--cluster-generic-submit-cmd", str(LOCAL / "submit.py"), "--jobs", "1",
                        "--configfile", str(ROOT / "config" / "quick.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    run = json.loads((tmp_path / "results" / "quick" / "run.json").read_text())
    assert run["cores"] is None and run["profile"] == "quick"
    assert (tmp_path / target).is_file()


@pytest.mark.slow
def test_quick_profile_runs_through_the_local_scheduler(scheduler_run, tmp_path):
    workdir = scheduler_run
    state = workdir / ".snakemake" / "local-scheduler"
    submissions = _table(state / "submissions.tsv")
    # every job but the localrules went through submit.py, once, with its declared threads and memory
    dry = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path / "dry"), "-n", "-F", "--cores", "2",
                     "--configfile", str(ROOT / "config" / "quick.yaml"))
    assert dry.returncode == 0, dry.stderr
    expected = {(job["rule"], job["wildcards"]): job for job in _jobs(dry.stdout + dry.stderr)
                if job["rule"] not in LOCALRULES}
    submitted = {(row["rule"], row["wildcards"].replace(",", ", ") if row["wildcards"] != "-" else ""): row
                 for row in submissions}
    assert len(submissions) == len(submitted) == len(expected), (sorted(submitted), sorted(expected))
    assert set(submitted) == set(expected)
    assert not {rule for rule, _ in submitted} & LOCALRULES
    for key, job in expected.items():
        row = submitted[key]
        assert int(row["threads"]) == job["threads"], (key, row)
        assert int(row["mem_mb"]) == int(job["resources"]["mem_mb"]), (key, row)
        assert int(row["runtime"]) == int(job["resources"]["runtime"]), (key, row)
    accounting = _table(state / "accounting.tsv")
    assert len(accounting) == len(submissions) and {r["state"] for r in accounting} == {"completed"}
    # the outputs of the quick profile
    config = StudyConfig()
    for path in ["reports/index.html", "reports/quick/metadata.json", "results/quick/simulation/replications.csv",
                 "results/quick/valuation/synthetic/metrics.csv", "results/quick/pam/synthetic/summary.json"]:
        assert (workdir / path).is_file(), path
    for name in ["01_simulation", "02_artnet_analysis", "03_deep_valuation", "04_sequences_uncertainty"]:
        assert (workdir / "reports" / "quick" / f"{name}.html").is_file(), name
    for model in config.deep.models:
        assert (workdir / "results" / "quick" / "deep" / "synthetic" / model / "summary.json").is_file(), model
