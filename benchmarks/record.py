"""Benchmark results kept in one place: ``benchmarks/results/<name>.md``, copied into the README.

Each benchmark script, run with ``--record``, writes its markdown table with the machine, date and commit it was
measured on (:func:`record`), and its numbers, stamped with the same facts, as a tidy table (:func:`record_csv`,
``benchmarks/results/<name>.csv``) or a document (:func:`record_json`, ``<name>.json``), which the benchmark report
(``notebooks/05_benchmarks.ipynb``, ``snakemake benchmarks``) reads. ``python benchmarks/record.py`` copies every
markdown result into the README's block between the markers below, so the README never types a figure by hand
(a test checks the block is current).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "README.md"
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
#: The order in which results appear in the README.
ORDER = ("pam_fit", "nuts", "ess", "prepare", "scale", "pipeline", "deep", "sequences")


def machine() -> str:
    """Cores, CPU model and Python of this machine, in words."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def commit() -> str:
    """The repository's commit (with "+modified" when the tree has changes), or "unknown"."""
    from artstudy.study.metadata import git_state

    state = git_state(ROOT)
    return f"{str(state['commit'])[:7]}{'+modified' if state['modified'] is True else ''}"


def record(name: str, title: str, body: str) -> Path:
    """Write one benchmark's result (a markdown table and notes) with where and when it was measured."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    text = f"**{title}** (measured {when} on {machine()}, commit {commit()})\n\n{body.strip()}\n"
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    print(f"wrote {path}")
    return path


def stamp() -> dict:
    """When, where and at which commit a result was measured: measured (UTC date), machine, commit."""
    return {"measured": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"), "machine": machine(), "commit": commit()}


def record_csv(name: str, rows, keep_other: tuple[str, ...] = ()) -> Path:
    """Write a benchmark's numbers as ``benchmarks/results/<name>.csv``, each row stamped (:func:`stamp`).

    ``rows`` is a DataFrame or a list of dicts. With ``keep_other`` (column names such as ``("machine",
    "accelerator")``), the rows of the existing file whose values in those columns differ from every new row's
    are kept: one file holds the results of several machines, each replaced by its own new run.
    """
    import pandas as pd

    RESULTS.mkdir(parents=True, exist_ok=True)
    new = pd.DataFrame(rows)
    for key, value in reversed(stamp().items()):
        if key not in new.columns:
            new.insert(0, key, value)
    path = RESULTS / f"{name}.csv"
    if keep_other and path.is_file():
        old = pd.read_csv(path)
        if set(keep_other) <= set(old.columns):
            mine = set(map(tuple, new[list(keep_other)].astype(str).to_numpy()))
            keys = old[list(keep_other)].astype(str).to_numpy()
            other = ~pd.Series([tuple(r) in mine for r in keys], index=old.index)
            new = pd.concat([old[other], new], ignore_index=True)
    new.to_csv(path, index=False)
    print(f"wrote {path}")
    return path


def record_json(name: str, facts: dict) -> Path:
    """Write a benchmark's facts as ``benchmarks/results/<name>.json``, stamped (:func:`stamp`)."""
    import json

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({**stamp(), **facts}, indent=2) + "\n")
    print(f"wrote {path}")
    return path


def readme_block() -> str:
    """The README's benchmark block: every recorded result, in :data:`ORDER`."""
    parts = [(RESULTS / f"{name}.md").read_text().strip() for name in ORDER if (RESULTS / f"{name}.md").is_file()]
    return "\n\n".join([START, *parts, END])


def update_readme() -> bool:
    """Replace the README's block by :func:`readme_block`; True when it changed."""
    text = README.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = head + readme_block() + tail
    if new != text:
        README.write_text(new)
    return new != text


if __name__ == "__main__":
    changed = update_readme()
    print("README benchmark block " + ("updated" if changed else "already current"))
    sys.exit(0)
