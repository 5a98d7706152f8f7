"""Run metadata: what made a report (code version, profile, config, seed, time, machine, packages).

The workflow writes the run's facts once, at its start, to ``results/<profile>/run.json``
(Snakemake's ``onstart``: start time, config files, cores, profile; see :func:`write_run`).
Every report calls :func:`report_header` with that file and the resolved config; the report
index shows the same table with the total wall time at index time.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata as _importlib_metadata
from pathlib import Path

__all__ = ["collect", "git_state", "report_header", "metadata_rows", "write_run", "format_duration",
           "PACKAGES"]

PACKAGES = ("numpy", "scipy", "pandas", "statsmodels", "arviz", "keras")
"""Packages whose versions are recorded when installed."""

UNKNOWN = "unknown"


def _now() -> _dt.datetime:
    return _dt.datetime.now().astimezone()


def write_run(path: str | os.PathLike, *, profile: str, configfiles: Sequence[str] = (),
              cores: int | None = None, started: _dt.datetime | None = None) -> Path:
    """Write the run's facts (start time ISO, config files, cores, profile) to ``path`` (JSON)."""
    path = Path(path)
    facts = {
        "started": (started or _now()).isoformat(timespec="seconds"),
        "profile": profile,
        "configfiles": [str(Path(f).resolve()) if Path(f).exists() else str(f) for f in configfiles],
        "cores": cores,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
    return path


def _git(repo: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state(repo: str | os.PathLike) -> dict:
    """``{"commit": sha, "modified": bool}`` of the git checkout holding ``repo``; "unknown" outside one.

    Modified means any tracked file differs from the commit, or a file git does not ignore is untracked.
    """
    repo = Path(repo)
    top = _git(repo, "rev-parse", "--show-toplevel")
    commit = _git(repo, "rev-parse", "HEAD") if top else None
    if not top or not commit:
        return {"commit": UNKNOWN, "modified": UNKNOWN}
    status = _git(repo, "status", "--porcelain")
    return {"commit": commit.strip(), "modified": UNKNOWN if status is None else bool(status.strip())}


def _package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = _importlib_metadata.version(name)
        except _importlib_metadata.PackageNotFoundError:
            continue
    return out


def _read_json(path: str | os.PathLike | None) -> dict:
    if not path:
        return {}
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def format_duration(seconds: float | None) -> str:
    """``3 min 12 s``, ``1 h 02 min``, ``48 s``; "unknown" for None."""
    if seconds is None:
        return UNKNOWN
    seconds = int(round(max(seconds, 0.0)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def collect(config_json: str | None = None, run_json: str | None = None, *, repo: str | os.PathLike | None = None,
            now: _dt.datetime | None = None) -> dict:
    """The run's metadata as a plain (JSON-able) dict.

    Keys: ``artstudy`` (version), ``git_commit`` and ``git_modified`` (of the checkout holding the package,
    or ``repo``; "unknown" outside one), ``profile``, ``config_files``, ``seed``, ``started`` (ISO),
    ``elapsed_s`` and ``elapsed`` (since the start, as of ``collected``), ``collected`` (ISO), ``cpu_count``,
    ``snakemake_cores``, ``python``, ``packages`` (name -> version of :data:`PACKAGES` installed).
    Missing files or facts give "unknown" (None for numbers).
    """
    from .. import __version__

    config = _read_json(config_json)
    run = _read_json(run_json)
    now = now or _now()
    git = git_state(repo if repo is not None else Path(__file__).resolve().parents[2])
    started = run.get("started")
    elapsed = None
    if started:
        try:
            elapsed = (now - _dt.datetime.fromisoformat(started)).total_seconds()
        except (TypeError, ValueError):
            elapsed = None
    return {
        "artstudy": __version__,
        "git_commit": git["commit"],
        "git_modified": git["modified"],
        "profile": run.get("profile") or config.get("profile") or UNKNOWN,
        "config_files": list(run.get("configfiles") or []),
        "seed": config.get("seed", UNKNOWN),
        "started": started or UNKNOWN,
        "elapsed_s": None if elapsed is None else round(elapsed, 1),
        "elapsed": format_duration(elapsed),
        "collected": now.isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "snakemake_cores": run.get("cores"),
        "python": platform.python_version(),
        "packages": _package_versions(),
    }


def _short_path(path: str) -> str:
    """A config file as the reader needs it: relative to the repository when inside it."""
    root = Path(__file__).resolve().parents[2]
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return path


def metadata_rows(meta: dict, elapsed_label: str = "Wall time so far") -> list[tuple[str, str]]:
    """The metadata as (label, value) rows of a compact table."""
    commit = meta.get("git_commit", UNKNOWN)
    modified = meta.get("git_modified", UNKNOWN)
    if commit != UNKNOWN:
        commit = commit[:12] + (" (working tree modified)" if modified is True else
                                " (clean)" if modified is False else "")
    started = meta.get("started", UNKNOWN)
    if started != UNKNOWN:
        started = started.replace("T", " ")
    cores = f"{meta.get('snakemake_cores') or UNKNOWN} for Snakemake, {meta.get('cpu_count') or UNKNOWN} on the machine"
    packages = ", ".join(f"{k} {v}" for k, v in meta.get("packages", {}).items()) or UNKNOWN
    configs = ", ".join(_short_path(p) for p in meta.get("config_files", [])) or UNKNOWN
    return [
        ("Profile", str(meta.get("profile", UNKNOWN))),
        ("Config files", configs),
        ("Seed", str(meta.get("seed", UNKNOWN))),
        ("artstudy", f"{meta.get('artstudy', UNKNOWN)}, commit {commit}"),
        ("Run started", str(started)),
        (elapsed_label, str(meta.get("elapsed", UNKNOWN))),
        ("Cores", cores),
        ("Python", str(meta.get("python", UNKNOWN))),
        ("Packages", packages),
    ]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_header(title: str, config_json: str, run_json: str) -> str:
    """Markdown for the top of a report: the title as heading and a compact table of the run's metadata."""
    meta = collect(config_json, run_json)
    lines = [f"# {title}", "", "| Run | |", "| --- | --- |"]
    lines += [f"| {label} | {_md_cell(value)} |" for label, value in metadata_rows(meta, "Wall time when this ran")]
    return "\n".join(lines) + "\n"
