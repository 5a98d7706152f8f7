"""Executed notebook -> two offline HTML reports: the reader's view and the same report with its code.

``render_report(notebook, out, title)`` writes

* ``out`` (e.g. ``reports/quick/01_simulation.html``): narrative, tables and figures; every code
  input hidden, as are the parameter cells and warnings printed to stderr;
* ``out`` with ``.code.html`` (``reports/quick/01_simulation.code.html``): the same with its code
  (the values papermill injected, not the notebook's defaults);

each linking to the other (and to the report index when given). Both use the package's template
``artstudy_report`` (``templates/``): JupyterLab's look with its CDN scripts (require.js, MathJax,
mermaid.js, widgets) blanked, images embedded as data URIs, the title in ``<title>``, the
description and profile in ``<meta>`` tags the index reads. :func:`remote_resources` lists what a
page would fetch from the network; it is empty for every report.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

__all__ = ["render_report", "code_path", "remote_resources", "TEMPLATE_DIR", "TEMPLATE"]

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE = "artstudy_report"

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_RESOURCE_TAG = re.compile(r"<(script|link|img|iframe|source|video|audio|embed|object|track|image|use)\b([^>]*)>",
                           re.IGNORECASE | re.DOTALL)
_URL_ATTR = re.compile(r"""\b(src|href|data|srcset|poster|xlink:href)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))""",
                       re.IGNORECASE)
_CSS_REMOTE = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*["']?\s*((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


def code_path(out: str | os.PathLike) -> Path:
    """The "with code" rendering beside ``out``: ``name.html`` -> ``name.code.html``."""
    out = Path(out)
    return out.with_name(out.name[: -len(".html")] + ".code.html" if out.name.endswith(".html") else out.name + ".code.html")


def remote_resources(page: str) -> list[str]:
    """Every resource ``page`` would load from the network: src/href/data/srcset of script, link, img,
    iframe, media and object tags, and CSS ``url()``/``@import`` with http(s):// or //. Plain ``<a>``
    links are not resources and are not listed."""
    found = []
    for match in _RESOURCE_TAG.finditer(page):
        for attr in _URL_ATTR.finditer(match.group(2)):
            value = next(v for v in attr.groups()[2:] if v is not None)
            candidates = [c.strip().split(" ")[0] for c in value.split(",")] if attr.group(1).lower() == "srcset" \
                else [value]
            found += [f"<{match.group(1).lower()} {attr.group(1)}={c}>" for c in candidates if _REMOTE.match(c)]
    found += [f"css {url}" for url in _CSS_REMOTE.findall(page)]
    return found


def _text(markdown: str) -> str:
    text = re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", markdown)
    return " ".join(text.split())


def _prepare(nb, with_code: bool):
    """A copy of ``nb`` for one view: parameter cells dropped (defaults always, injected ones in the
    reader's view), stderr dropped in the reader's view, alt text on every image (the section heading)."""
    nb = copy.deepcopy(nb)
    cells, heading = [], "Figure"
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "parameters" in tags or ("injected-parameters" in tags and not with_code) or "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            found = _HEADING.findall(cell.source)
            heading = _text(found[-1]) if found else heading
        if cell.cell_type == "code":
            if not with_code:
                cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
            for output in cell.outputs:
                for mime in ("image/png", "image/jpeg"):
                    if mime in output.get("data", {}):
                        meta = output.setdefault("metadata", {}).setdefault(mime, {})
                        if not (meta.get("alt") or output["metadata"].get("alt")):
                            meta["alt"] = f"Figure: {heading}"
        cells.append(cell)
    nb.cells = cells
    return nb


def _export(nb, resources: dict, with_code: bool) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        template_name=TEMPLATE,
        exclude_input=not with_code,
        exclude_input_prompt=not with_code,
        exclude_output_prompt=True,
        embed_images=True,
        theme="light",
    )
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _href(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target.resolve(), page.parent.resolve())).as_posix()


def render_report(notebook: str | os.PathLike, out: str | os.PathLike, title: str, *,
                  description: str | None = None, profile: str | None = None,
                  index: str | os.PathLike | None = None, code_out: str | os.PathLike | None = None) -> list[Path]:
    """Render an executed notebook to ``out`` (reader's view) and ``code_out`` (default :func:`code_path`).

    ``title`` becomes the pages' ``<title>``; ``description`` (one line on what the report shows) and
    ``profile`` go to ``<meta>`` tags; ``index`` is the report index page both views link to.
    Raises ``ValueError`` when a page would load anything from the network.
    """
    import nbformat

    out = Path(out)
    code_out = Path(code_out) if code_out is not None else code_path(out)
    nb = nbformat.read(str(notebook), as_version=4)
    nb.metadata["title"] = title
    written = []
    for page, other, with_code in ((out, code_out, False), (code_out, out, True)):
        links = [{"href": _href(other, page), "text": "Reader's view (no code)" if with_code else "Show the code"}]
        if index is not None:
            links.append({"href": _href(Path(index), page), "text": "All reports"})
        meta = {"description": " ".join((description or "").split()), "profile": profile or "",
                "view": "code" if with_code else "reader", "links": links,
                "view_label": f"{title}{f' (profile {profile})' if profile else ''}: "
                              f"{'with code' if with_code else 'narrative, tables and figures'}."}
        resources = {"metadata": {"name": title}, "artstudy": meta}
        html_text = _export(_prepare(nb, with_code), resources, with_code)
        remote = remote_resources(html_text)
        if remote:
            raise ValueError(f"{page}: the rendered page would load remote resources: {', '.join(remote[:5])}")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(html_text, encoding="utf-8")
        written.append(page)
    return written
