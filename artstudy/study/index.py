"""Report index: one self-contained HTML page listing every report that exists, grouped by profile.

The workflow writes each profile's reports to ``reports/<profile>/`` (``artstudy render``: a reader's
view ``NAME.html`` with the title in ``<title>`` and a one-line ``<meta name="description">``, and
``NAME.code.html`` with the code). The rule ``report_index`` writes the run's metadata to
``reports/<profile>/metadata.json`` (:func:`write_profile_metadata`) and then the page
``reports/index.html`` (:func:`write_index`), which lists the reports of *every* profile folder,
with each profile's run metadata::

    artstudy report-index --out reports/index.html --metadata-out reports/quick/metadata.json \\
        --config-json results/quick/config/study.json --run-json results/quick/run.json
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
from html.parser import HTMLParser
from pathlib import Path

from .metadata import collect, metadata_rows

__all__ = ["report_info", "report_title", "find_reports", "write_index", "write_profile_metadata", "METADATA"]

METADATA = "metadata.json"
"""Each profile's run metadata, beside its reports."""

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       max-width: 56rem; margin: 3rem auto; padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
ul { padding-left: 1.2rem; } li { margin: 0.6rem 0; }
.desc { display: block; color: #444; font-size: 0.95em; }
.file { color: #777; font-size: 0.85em; margin-left: 0.5em; }
table.meta { border-collapse: collapse; font-size: 0.85em; margin: 0.5rem 0 1rem 0; }
table.meta th { text-align: left; font-weight: normal; color: #555; padding: 0.1rem 1rem 0.1rem 0; vertical-align: top; }
table.meta td { padding: 0.1rem 0; }
footer { margin-top: 2rem; color: #666; font-size: 0.85em; }
"""


class _Head(HTMLParser):
    """Reads <title>, the first <h1> and the <meta name=... content=...> tags of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.h1, self.meta = "", "", {}
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name"):
            self.meta.setdefault(attrs["name"], attrs.get("content") or "")
        elif tag in ("title", "h1") and not getattr(self, tag):
            self._in = tag
        elif tag == "a" and self._in == "h1" and "anchor-link" in (attrs.get("class") or ""):
            self._in = "h1-anchor"

    def handle_endtag(self, tag):
        if tag == "a" and self._in == "h1-anchor":
            self._in = "h1"
        elif tag in ("title", "h1") and self._in == tag:
            setattr(self, tag, " ".join(getattr(self, tag).split()) or " ")
            self._in = None

    def handle_data(self, data):
        if self._in in ("title", "h1"):
            setattr(self, self._in, getattr(self, self._in) + data)


def report_info(path: str | os.PathLike) -> dict:
    """``title`` (``<title>``, else the first ``<h1>``, else the file stem), ``description`` and ``profile``
    (their ``<meta>`` tags, "" when absent) of a rendered report."""
    path = Path(path)
    parser = _Head()
    try:
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        pass
    title = next((t.strip() for t in (parser.title, parser.h1) if t.strip()), path.stem)
    return {"title": title.replace("\u00b6", "").strip(), "description": parser.meta.get("description", ""),
            "profile": parser.meta.get("artstudy-profile", "")}


def report_title(path: str | os.PathLike) -> str:
    """Title of a rendered report (see :func:`report_info`)."""
    return report_info(path)["title"]


def find_reports(reports_dir: str | os.PathLike) -> dict[str, list[Path]]:
    """Every report under ``reports_dir/<profile>/`` (reader's views: ``*.html`` but not ``*.code.html``),
    by profile folder: ``full`` first, then the others by name; reports sorted by file name."""
    reports_dir = Path(reports_dir)
    found = {}
    for folder in sorted(p for p in reports_dir.iterdir() if p.is_dir()) if reports_dir.is_dir() else []:
        pages = sorted(p for p in folder.glob("*.html") if not p.name.endswith(".code.html"))
        if pages:
            found[folder.name] = pages
    order = sorted(found, key=lambda name: (name != "full", name))
    return {name: found[name] for name in order}


def write_profile_metadata(out: str | os.PathLike, config_json: str | None, run_json: str | None) -> Path:
    """The run's metadata (:func:`artstudy.study.metadata.collect`, elapsed = wall time so far) as JSON."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(collect(config_json, run_json), indent=1) + "\n", encoding="utf-8")
    return out


def _metadata_table(folder: Path) -> list[str]:
    try:
        meta = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ['  <p class="file">No run metadata recorded for this profile.</p>']
    rows = [f"    <tr><th>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
            for label, value in metadata_rows(meta, "Total wall time (at index time)")]
    return ['  <table class="meta">', *rows, "  </table>"]


def _item(report: Path, base: Path) -> str:
    info = report_info(report)
    href = Path(os.path.relpath(report.resolve(), base)).as_posix()
    code = report.with_name(report.name[: -len(".html")] + ".code.html")
    code_link = ""
    if code.is_file():
        code_href = Path(os.path.relpath(code.resolve(), base)).as_posix()
        code_link = f' <a class="file" href="{html.escape(code_href, quote=True)}">with code</a>'
    desc = f'<span class="desc">{html.escape(info["description"])}</span>' if info["description"] else ""
    return (f'    <li><a href="{html.escape(href, quote=True)}">{html.escape(info["title"])}</a>{code_link}'
            f'<span class="file">{html.escape(report.name)}</span>{desc}</li>')


def write_index(out_path: str | os.PathLike, reports_dir: str | os.PathLike | None = None) -> Path:
    """Write ``out_path``: every report of every profile folder under ``reports_dir`` (default: the
    page's folder), grouped by profile, each with its title, description and a link to its code view,
    each profile with its run metadata (``<profile>/metadata.json``). Links are relative; inline CSS
    only, nothing loaded from the network."""
    out_path = Path(out_path)
    reports_dir = Path(reports_dir) if reports_dir is not None else out_path.parent
    out_path.parent.mkdir(parents=True, exist_ok=True)
    base = out_path.parent.resolve()
    sections = []
    for profile, reports in find_reports(reports_dir).items():
        sections += [f'  <h2 id="{html.escape(profile, quote=True)}">Profile {html.escape(profile)}</h2>',
                     *_metadata_table(reports[0].parent), "  <ul>", *(_item(r, base) for r in reports), "  </ul>"]
    if not sections:
        sections = ["  <p>No reports yet.</p>"]
    stamp = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    page = "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '  <meta charset="utf-8">',
        '  <meta name="viewport" content="width=device-width, initial-scale=1">',
        "  <title>artstudy reports</title>", f"  <style>{_STYLE}</style>", "</head>", "<body>",
        "  <h1>artstudy reports</h1>",
        "  <p>Every report in this folder, by the profile that made it (results/&lt;profile&gt;/, "
        "reports/&lt;profile&gt;/). Each opens without code; its code is one link away.</p>",
        *sections,
        f"  <footer>Generated {html.escape(stamp)} by artstudy report-index.</footer>",
        "</body>", "</html>", "",
    ])
    out_path.write_text(page, encoding="utf-8")
    return out_path
