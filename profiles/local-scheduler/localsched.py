"""A tiny batch scheduler on the local machine, for Snakemake's cluster-generic executor plugin.

It stands in for sbatch/squeue/scancel so that the workflow's jobs go the way they go on a cluster:
Snakemake writes a job script per job and hands it to ``submit.py``, which files the job under a
new job id, records the submission (rule, wildcards and the declared threads, memory, runtime and
GPUs, read from the job script's ``# properties`` line) and starts the script in the background;
``status.py ID`` answers running, success or failed from the job's exit file; ``cancel.py ID...``
ends jobs. Like a scheduler it enforces the declared runtime (a job past it is killed and fails
with exit status 124). It does not place jobs on cores: Snakemake's ``--jobs`` limits how many run.

State lives in ``$LOCAL_SCHEDULER_DIR``, by default ``.snakemake/local-scheduler`` in the
directory the workflow runs in (Snakemake's working directory):

    submissions.tsv   one line per submission: time, job id, rule, wildcards, threads, mem_mb,
                      runtime (minutes), gpu, Snakemake's job id
    accounting.tsv    one line per finished job: job id, rule, state, exit status, seconds
    jobs/<id>/        the job script, its output (out), the runner's pid and the exit status (exit)

Standard library only (POSIX: fcntl, process groups).
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

SUBMISSION_FIELDS = ("submitted", "jobid", "rule", "wildcards", "threads", "mem_mb", "runtime", "gpu",
                     "snakemake_jobid")
ACCOUNTING_FIELDS = ("jobid", "rule", "state", "exit", "seconds")
TIMEOUT_STATUS = 124


def state_dir() -> Path:
    """The scheduler's folder (created on first use)."""
    path = Path(os.environ.get("LOCAL_SCHEDULER_DIR") or Path(".snakemake") / "local-scheduler").absolute()
    (path / "jobs").mkdir(parents=True, exist_ok=True)
    return path


def job_dir(jobid: str) -> Path:
    return state_dir() / "jobs" / jobid


@contextmanager
def _locked():
    """The scheduler's lock: job ids and log lines are written by one submission at a time."""
    with open(state_dir() / "lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _append(name: str, fields: tuple[str, ...], row: dict) -> None:
    path = state_dir() / name
    new = not path.exists()
    with open(path, "a") as handle:
        if new:
            handle.write("\t".join(fields) + "\n")
        handle.write("\t".join(str(row.get(field, "")) for field in fields) + "\n")


def job_properties(jobscript: Path) -> dict:
    """The job's properties (rule, wildcards, threads, resources, ...) from the job script Snakemake wrote."""
    for line in jobscript.read_text().splitlines()[:5]:
        if line.startswith("# properties = "):
            return json.loads(line[len("# properties = "):])
    return {}


def _submission(jobid: str, props: dict) -> dict:
    resources = props.get("resources") or {}
    wildcards = props.get("wildcards") or {}
    rule = props.get("rule") or f"group:{props.get('groupid', '')}"
    return {
        "submitted": datetime.now().isoformat(timespec="seconds"),
        "jobid": jobid,
        "rule": rule,
        "wildcards": ",".join(f"{key}={value}" for key, value in wildcards.items()) or "-",
        "threads": props.get("threads", 1),
        "mem_mb": resources.get("mem_mb", ""),
        "runtime": resources.get("runtime", ""),
        "gpu": resources.get("gpu", 0),
        "snakemake_jobid": props.get("jobid", ""),
    }


def submit(jobscript: str) -> str:
    """File the job script under a new job id, record it, start it in the background; the job id."""
    script = Path(jobscript)
    props = job_properties(script)
    with _locked():
        counter = state_dir() / "last_id"
        jobid = str(int(counter.read_text()) + 1 if counter.exists() else 1)
        counter.write_text(jobid)
        folder = job_dir(jobid)
        folder.mkdir()
        (folder / "jobscript.sh").write_text(script.read_text())
        (folder / "properties.json").write_text(json.dumps(props, indent=1))
        _append("submissions.tsv", SUBMISSION_FIELDS, _submission(jobid, props))
    with open(folder / "out", "wb") as out:
        runner = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "run", jobid],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, which cancel() ends as a whole
        )
    (folder / "pid").write_text(str(runner.pid))
    return jobid


def run(jobid: str) -> int:
    """Run a submitted job's script (the runner, in the background); write its exit status."""
    folder = job_dir(jobid)
    props = json.loads((folder / "properties.json").read_text())
    runtime = (props.get("resources") or {}).get("runtime")
    limit = float(runtime) * 60 if isinstance(runtime, (int, float)) and runtime > 0 else None
    start = time.monotonic()
    job = subprocess.Popen(["/bin/sh", str(folder / "jobscript.sh")], stdin=subprocess.DEVNULL)
    state = "completed"
    try:
        status = job.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        job.kill()
        job.wait()
        print(f"local-scheduler: job {jobid} ran past its runtime of {runtime} min and was killed", flush=True)
        status, state = TIMEOUT_STATUS, "timeout"
    if status != 0 and state != "timeout":
        state = "failed"
    tmp = folder / "exit.tmp"
    tmp.write_text(str(status))
    tmp.replace(folder / "exit")
    with _locked():
        _append("accounting.tsv", ACCOUNTING_FIELDS, {
            "jobid": jobid, "rule": props.get("rule") or "group", "state": state, "exit": status,
            "seconds": round(time.monotonic() - start, 1),
        })
    return status


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status(jobid: str) -> str:
    """running, success or failed: the job's exit file, else whether its runner still lives."""
    folder = job_dir(jobid)
    exit_file = folder / "exit"
    if exit_file.exists():
        return "success" if exit_file.read_text().strip() == "0" else "failed"
    if not folder.is_dir():
        return "failed"  # never submitted here
    pid_file = folder / "pid"
    if not pid_file.exists():
        return "running"  # being submitted
    if _alive(int(pid_file.read_text())):
        return "running"
    # the runner is gone: it may have written the exit file since we looked
    return status(jobid) if exit_file.exists() else "failed"


def cancel(jobids: list[str]) -> None:
    """End the jobs (their runner's whole process group)."""
    for jobid in jobids:
        pid_file = job_dir(jobid) / "pid"
        if pid_file.exists():
            try:
                os.killpg(int(pid_file.read_text()), signal.SIGTERM)
            except ProcessLookupError:
                pass


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "run":
        sys.exit(run(sys.argv[2]))
    sys.exit("usage: localsched.py run JOBID (use submit.py, status.py, cancel.py)")
