"""An interrupted run resumes with the same command and redoes only what was missing.

The simulation study's replications of the quick profile are run, the run is interrupted (SIGINT to
its process group, as Ctrl-C does) once a replication has finished, and the same command is run
again: the files finished before the interruption keep their inode and modification time, only the
replications that had not finished run again (one of them cut off after writing part of its output,
as a job killed while writing leaves it: Snakemake's incomplete mark and the workflow's default
profile, profiles/default, make the next run redo it), and the result is byte for byte the
uninterrupted run's (the session's ``quick_run``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import QUICK, ROOT, snakemake_env, snakemake_jobs

pytestmark = pytest.mark.slow

TARGET = "results/quick/simulation/replications.csv"
REPS = "results/quick/simulation/reps"


def _command(workdir: Path) -> list[str]:
    # one job at a time: a replication takes seconds, so the interruption finds the next one running
    return [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(workdir), "--cores", "1",
            TARGET, "--configfile", str(QUICK)]


def _interrupt_after_first_replication(workdir: Path, log: Path, timeout: float = 900) -> str:
    """Run the command and send SIGINT to its process group once a replication has finished and the next one
    runs; the run's output."""
    with open(log, "w") as handle:
        # its own process group, with Ctrl-C's default action (a shell's background job ignores SIGINT)
        process = subprocess.Popen(_command(workdir), cwd=workdir.parent, env=snakemake_env(), stdout=handle,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.time() + timeout
        while time.time() < deadline and process.poll() is None:
            text = log.read_text(errors="replace")
            finished = len(re.findall(r"Finished jobid: \d+ \(Rule: sim_replicate\)", text))
            started = sum(job.startswith("sim_replicate ") for job in snakemake_jobs(text))
            if 1 <= finished < started:
                time.sleep(0.5)  # the next replication's command is running
                break
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before it could be interrupted:\n" + log.read_text()[-4000:]
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=300)
    return log.read_text(errors="replace")


def _state(folder: Path) -> dict[str, tuple[int, int]]:
    """``{path: (inode, mtime_ns)}`` of every file under ``folder`` but the run's facts (rewritten by every run)."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "run.json"}


def test_an_interrupted_run_resumes_with_the_same_command(quick_run, tmp_path):
    workdir = tmp_path / "wd"
    workdir.mkdir()
    first = _interrupt_after_first_replication(workdir, tmp_path / "first.log")
    results = workdir / "results" / "quick"
    started = {job.split("=")[1] for job in snakemake_jobs(first) if job.startswith("sim_replicate ")}
    finished = {p.stem.removeprefix("rep_") for p in (workdir / REPS).glob("rep_*.csv")}
    assert finished and finished < started, (started, finished, first[-3000:])  # cut off in the middle
    assert not (workdir / TARGET).exists()
    before = _state(results)
    assert {"config/simulation.json", "code/simulation.json"} <= set(before)
    # a replication cut off while writing: part of its table, under the incomplete mark Snakemake left
    cut = sorted(started - finished)[0]
    (workdir / REPS / f"rep_{cut}.csv").write_text("rep,sampler,parameter\n1,ffbs,")

    again = subprocess.run(_command(workdir), cwd=tmp_path, env=snakemake_env(), capture_output=True, text=True,
                           timeout=900)
    output = again.stdout + again.stderr
    assert again.returncode == 0, output[-6000:]
    # only what was missing ran again; what had finished was not rewritten
    missing = sorted({"1", "2", "3", "4"} - finished)
    assert snakemake_jobs(output) == {f"sim_replicate rep={rep}" for rep in missing} | {"sim_gather"}, output[-6000:]
    after = _state(results)
    assert {name: after.get(name) for name in before} == before
    # the end result is the uninterrupted run's (made with the same code and config)
    for name in ["code/simulation.json", "config/simulation.json", "simulation/replications.csv",
                 *(f"simulation/reps/rep_{rep}.csv" for rep in range(1, 5))]:
        assert (results / name).read_bytes() == (quick_run / "results" / "quick" / name).read_bytes(), (
            name + (": the package changed between the two runs" if name.startswith("code/") else ""))
    # and a third run has nothing to do
    third = subprocess.run(_command(workdir) + ["-n"], cwd=tmp_path, env=snakemake_env(), capture_output=True,
                           text=True, timeout=300)
    assert third.returncode == 0 and "Nothing to be done" in third.stdout + third.stderr, third.stderr[-3000:]
