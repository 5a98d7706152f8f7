"""Report index: one self-contained HTML page linking every rendered report.

Used by the Snakemake rule ``report_index``::

    python -m artstudy.reporting --out reports/index.html reports/01_simulation.html
"""

from __future__ import annotations

import datetime as _dt
import html
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["report_title", "write_index"]

_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       max-width: 48rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; }
ul { padding-left: 1.2rem; }
li { margin: 0.4rem 0; }
.file { color: #666; font-size: 0.9em; margin-left: 0.5em; }
footer { margin-top: 2rem; color: #666; font-size: 0.85em; }
"""


def _text(fragment: str) -> str:
    """Plain text of an HTML fragment (tags dropped, nbconvert's anchor pilcrow removed)."""
    text = html.unescape(_TAG.sub("", fragment)).replace("\u00b6", "")
    return " ".join(text.split())


def report_title(path: str | os.PathLike) -> str:
    """Title of a rendered report: its first ``<h1>``, else ``<title>``, else the file stem."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        content = ""
    for pattern in (_H1, _TITLE):
        match = pattern.search(content)
        if match and _text(match.group(1)):
            return _text(match.group(1))
    return path.stem


def write_index(
    report_paths: Sequence[str | os.PathLike],
    out_path: str | os.PathLike,
    titles: Mapping[str, str] | Sequence[str] | None = None,
) -> Path:
    """Write a self-contained HTML page linking every report in ``report_paths``.

    Links are relative to the directory of ``out_path``, so the folder can be
    moved or archived as a whole. ``titles`` is either a sequence parallel to
    ``report_paths`` or a mapping from report path (as given) or file name to
    title; reports without a title use :func:`report_title`. The page has
    inline CSS only and loads nothing from the network.
    """
    out_path = Path(out_path)
    reports = [Path(p) for p in report_paths]
    if titles is None:
        names = [report_title(p) for p in reports]
    elif isinstance(titles, Mapping):
        names = [
            titles.get(str(p), titles.get(p.name, report_title(p)))
            for p in reports
        ]
    else:
        names = list(titles)
        if len(names) != len(reports):
            raise ValueError(
                f"got {len(names)} titles for {len(reports)} reports"
            )

    base = out_path.parent.resolve()
    items = []
    for report, name in zip(reports, names):
        href = Path(os.path.relpath(report.resolve(), base)).as_posix()
        items.append(
            f'    <li><a href="{html.escape(href, quote=True)}">{html.escape(name)}</a>'
            f'<span class="file">{html.escape(report.name)}</span></li>'
        )
    stamp = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '  <meta charset="utf-8">',
            '  <meta name="viewport" content="width=device-width, initial-scale=1">',
            "  <title>artstudy reports</title>",
            f"  <style>{_STYLE}</style>",
            "</head>",
            "<body>",
            "  <h1>artstudy reports</h1>",
            "  <ul>",
            *items,
            "  </ul>",
            f"  <footer>Generated {html.escape(stamp)} by artstudy.reporting.</footer>",
            "</body>",
            "</html>",
            "",
        ]
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(page, encoding="utf-8")
    return out_path
