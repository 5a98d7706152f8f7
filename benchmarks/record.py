"""Benchmark results kept in one place: ``benchmarks/results/<name>.md``, copied into the README.

Each benchmark script, run with ``--record``, writes its markdown table with the machine, date and
commit it was measured on; ``python benchmarks/record.py`` (or ``make readme-benchmarks``) copies every
result into the README's block between the markers below, so the README never types a figure by hand
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
ORDER = ("pam_fit", "prepare", "pipeline", "deep", "sequences")


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
