"""Reports a reader can open offline: rendering, run metadata, the index by profile, the browser check."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from artstudy.cli import main
from artstudy.study import metadata
from artstudy.study.index import find_reports, report_info, write_index, write_profile_metadata
from artstudy.study.render import code_path, remote_resources, render_report

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "tools" / "check_reports.py"
sys.path.insert(0, str(CHECK.parent))
import check_reports  # noqa: E402

# a 1x1 PNG
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")).decode()


def _notebook(path: Path, extra_html: str = "") -> Path:
    nb = new_notebook(cells=[
        new_code_cell('config_json = "results/config/study.json"', metadata={"tags": ["parameters"]}),
        new_code_cell('config_json = "results/quick/config/study.json"', metadata={"tags": ["injected-parameters"]}),
        new_markdown_cell("# A heading\n\nSee [the paper](https://doi.org/10.1007/s10182-024-00504-3).\n\n## Fig. 1: paths"),
        new_code_cell("hidden_code_marker = 1\nprint('shown output')",
                      outputs=[new_output("stream", name="stdout", text="shown output\n"),
                               new_output("stream", name="stderr", text="SomeWarning: noise\n")]),
        new_code_cell("figure()", outputs=[new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})]),
        new_code_cell("table()", outputs=[new_output("execute_result", execution_count=1, data={
            "text/html": "<table><tr><td>cell 42</td></tr></table>" + extra_html, "text/plain": "42"})]),
    ])
    nb.metadata["kernelspec"] = {"name": "artstudy", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


# --------------------------------------------------------------------------
# offline rendering
# --------------------------------------------------------------------------


def test_remote_resources_finds_what_a_page_would_fetch():
    page = """<html><head><script src="https://cdn.x/require.js"></script>
    <link rel="stylesheet" href="//fonts.x/css"><style>@import url("https://x/y.css"); .a{background:url(http://x/i.png)}</style>
    </head><body><img alt="a" src='http://x/a.png'><iframe src=https://x/frame></iframe>
    <a href="https://doi.org/10.1/x">a link is not a resource</a><img src="data:image/png;base64,AAA">
    <script src="local.js"></script></body></html>"""
    found = remote_resources(page)
    assert len(found) == 6, found
    assert not any("doi.org" in f or "local.js" in f or "data:" in f for f in found)
    assert remote_resources('<a href="https://x">x</a><img src="figure.png">') == []


def test_render_writes_an_offline_reader_view_and_a_code_view(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb")
    out = tmp_path / "reports" / "quick" / "01_x.html"
    written = render_report(nb, out, "Simulation study <of> the model", description="What it shows.",
                            profile="quick", index=tmp_path / "reports" / "index.html")
    code = tmp_path / "reports" / "quick" / "01_x.code.html"
    assert written == [out, code] and code_path(out) == code
    reader, with_code = out.read_text(), code.read_text()
    for page in (reader, with_code):
        assert remote_resources(page) == []
        assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=[\"']?(https?:)?//", page)
        assert "<title>Simulation study &lt;of&gt; the model</title>" in page
        assert re.search(r'<meta[^>]*content="What it shows\."[^>]*name="description"|'
                         r'<meta[^>]*name="description"[^>]*content="What it shows\."', page)
        assert "require.js" not in page and "mathjax" not in page.lower() and "cdnjs" not in page
        assert 'href="../index.html"' in page
        assert "shown output" in page and "cell 42" in page
        assert re.search(r'<img[^>]*src="data:image/png;base64,', page)
        assert re.search(r'<img[^>]*alt="Figure: Fig\. 1: paths"', page)
        assert 'results/config/study.json' not in page  # the notebook's default parameters: never shown
    # the reader's view: no code, no parameters, no stderr; a link to the code view
    assert "hidden_code_marker" not in reader and "results/quick/config/study.json" not in reader
    assert "SomeWarning" not in reader
    assert 'href="01_x.code.html"' in reader
    # the code view: the code and the values used
    assert "hidden_code_marker" in with_code and "results/quick/config/study.json" in with_code
    assert 'href="01_x.html"' in with_code
    info = report_info(out)
    assert info == {"title": "Simulation study <of> the model", "description": "What it shows.", "profile": "quick"}


def test_render_refuses_a_page_that_would_load_remote_resources(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb", extra_html='<script src="https://cdn.example.org/x.js"></script>')
    with pytest.raises(ValueError, match="remote resources: <script src=https://cdn.example.org/x.js>"):
        render_report(nb, tmp_path / "r.html", "T")


def test_render_command(tmp_path, capsys):
    nb = _notebook(tmp_path / "nb.ipynb")
    out = tmp_path / "out" / "r.html"
    assert main(["render", str(nb), "--out", str(out), "--title", "My report", "--description", "d"]) == 0
    assert out.is_file() and (tmp_path / "out" / "r.code.html").is_file()
    assert "<title>My report</title>" in out.read_text()
    assert main(["render", str(tmp_path / "none.ipynb"), "--out", str(out), "--title", "x"]) == 2
    assert "no such notebook" in capsys.readouterr().err


# --------------------------------------------------------------------------
# run metadata
# --------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_state_in_a_checkout_and_outside_one(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "a.txt").write_text("a\n")
    _git(repo, "add", "a.txt")
    _git(repo, "commit", "-q", "-m", "one")
    state = metadata.git_state(repo)
    assert re.fullmatch(r"[0-9a-f]{40}", state["commit"]) and state["modified"] is False
    (repo / "a.txt").write_text("b\n")
    assert metadata.git_state(repo) == {"commit": state["commit"], "modified": True}
    outside = tmp_path / "plain"
    outside.mkdir()
    assert metadata.git_state(outside) == {"commit": "unknown", "modified": "unknown"}
    assert metadata.collect(repo=outside)["git_commit"] == "unknown"
    assert metadata.collect(repo=repo)["git_commit"] == state["commit"]


def test_collect_reads_the_config_and_the_run_facts(tmp_path):
    config = tmp_path / "study.json"
    config.write_text(json.dumps({"seed": 7, "profile": "quick"}))
    started = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    run = metadata.write_run(tmp_path / "run.json", profile="quick", configfiles=[str(config)], cores=3,
                             started=started)
    meta = metadata.collect(str(config), str(run), now=started + dt.timedelta(seconds=200))
    assert set(meta) >= {"artstudy", "git_commit", "git_modified", "profile", "config_files", "seed", "started",
                         "elapsed_s", "elapsed", "collected", "cpu_count", "snakemake_cores", "python", "packages"}
    assert meta["profile"] == "quick" and meta["seed"] == 7 and meta["snakemake_cores"] == 3
    assert meta["started"] == "2025-01-02T03:04:05+00:00" and meta["elapsed_s"] == 200 and meta["elapsed"] == "3 min 20 s"
    assert meta["config_files"] == [str(config.resolve())]
    assert {"numpy", "scipy", "pandas", "statsmodels", "arviz"} <= set(meta["packages"])
    json.dumps(meta)  # plain JSON types
    # outside the workflow (no run facts, no config) nothing fails
    bare = metadata.collect(None, str(tmp_path / "absent.json"))
    assert bare["started"] == "unknown" and bare["elapsed"] == "unknown" and bare["seed"] == "unknown"


def test_report_header_is_a_heading_and_a_compact_table(tmp_path):
    config = tmp_path / "study.json"
    config.write_text(json.dumps({"seed": 11, "profile": "full"}))
    run = metadata.write_run(tmp_path / "run.json", profile="full", configfiles=["config/config.yaml"], cores=2)
    text = metadata.report_header("Simulation study of the popularity-ability model", str(config), str(run))
    lines = text.strip().splitlines()
    assert lines[0] == "# Simulation study of the popularity-ability model"
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + len(metadata.metadata_rows({}))
    for label in ("Profile | full", "Seed | 11", "artstudy | 0.1.0, commit", "Run started", "Cores | 2 for Snakemake",
                  "Python", "numpy"):
        assert label in text, label


@pytest.mark.parametrize("seconds, text", [(None, "unknown"), (4.4, "4 s"), (200, "3 min 20 s"), (3725, "1 h 02 min")])
def test_format_duration(seconds, text):
    assert metadata.format_duration(seconds) == text


# --------------------------------------------------------------------------
# the index: every report of every profile
# --------------------------------------------------------------------------


def _report(path: Path, title: str, description: str = "", code: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = f'<meta content="{description}" name="description"/>' if description else ""
    path.write_text(f"<html><head><title>{title}</title>{meta}</head><body><h1>ignored</h1></body></html>")
    if code:
        code_path(path).write_text("<html><head><title>code</title></head></html>")
    return path


def test_index_lists_every_report_by_profile(tmp_path):
    reports = tmp_path / "reports"
    _report(reports / "quick" / "01_simulation.html", "Simulation study (quick)", "Four replications.")
    _report(reports / "quick" / "02_artnet_analysis.html", "Synthetic world", "Against the truth.", code=False)
    _report(reports / "full" / "01_simulation.html", "Simulation study", "A hundred replications.")
    _report(reports / "new_york" / "02_artnet_analysis_askart_ny.html", "New York & co", "Real data.")
    (reports / "quick" / "screenshots").mkdir()
    (reports / "stale.html").write_text("<title>top-level, no profile</title>")
    (reports / "empty").mkdir()
    config = tmp_path / "study.json"
    config.write_text(json.dumps({"seed": 5, "profile": "quick"}))
    run = metadata.write_run(tmp_path / "run.json", profile="quick", configfiles=[], cores=2)
    write_profile_metadata(reports / "quick" / "metadata.json", str(config), str(run))

    found = find_reports(reports)
    assert list(found) == ["full", "new_york", "quick"]  # full first, code views and other files left out
    assert [p.name for p in found["quick"]] == ["01_simulation.html", "02_artnet_analysis.html"]

    page = write_index(reports / "index.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and remote_resources(page) == []
    assert "<script" not in page and "<link" not in page
    assert [h for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page)] == ["Profile full", "Profile new_york", "Profile quick"]
    hrefs = re.findall(r'<a href="([^"]+)">', page)
    assert hrefs == ["full/01_simulation.html", "new_york/02_artnet_analysis_askart_ny.html",
                     "quick/01_simulation.html", "quick/02_artnet_analysis.html"]
    assert 'href="quick/01_simulation.code.html">with code' in page
    assert "quick/02_artnet_analysis.code.html" not in page
    for text in ("Simulation study (quick)</a>", "Four replications.", "New York &amp; co</a>", "Real data."):
        assert text in page, text
    quick = page.split('id="quick"')[1]
    assert "Seed</th><td>5" in quick and "Total wall time" in quick
    assert "No run metadata recorded" in page.split('id="full"')[1].split("<h2")[0]
    assert "stale.html" not in page


def test_report_info_fallbacks(tmp_path):
    assert report_info(tmp_path / "nope.html") == {"title": "nope", "description": "", "profile": ""}
    page = tmp_path / "h.html"
    page.write_text('<html><body><h1 id="x">Heading<a class="anchor-link" href="#x">\u00b6</a></h1></body></html>')
    assert report_info(page)["title"] == "Heading"


def test_report_index_command(tmp_path, capsys):
    reports = tmp_path / "reports"
    report = _report(reports / "quick" / "r.html", "R", "d")
    out = reports / "index.html"
    assert main(["report-index", "--out", str(out), "--metadata-out", str(reports / "quick" / "metadata.json"),
                 str(report)]) == 0
    assert re.findall(r'<a href="([^"]+)">', out.read_text()) == ["quick/r.html"]
    assert json.loads((reports / "quick" / "metadata.json").read_text())["python"]
    assert main(["report-index", "--out", str(out), str(reports / "quick" / "missing.html")]) == 2
    assert "no such report" in capsys.readouterr().err


# --------------------------------------------------------------------------
# a real browser
# --------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(check_reports.find_chromium() is None,
                                    reason="Chromium is not installed (Debian: apt-get install chromium)")


def _check(*pages: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), "--screenshots", str(tmp_path / "shots"), *map(str, pages)],
                          capture_output=True, text=True, timeout=300)


@needs_chromium
def test_browser_check_passes_a_clean_page_and_fails_remote_requests_and_errors(tmp_path):
    good = tmp_path / "good.html"
    good.write_text('<!DOCTYPE html><html><head><title>g</title></head><body><h1>fine</h1>'
                    '<a href="https://doi.org/10.1007/s10182-024-00504-3">a link</a></body></html>')
    remote = tmp_path / "remote.html"
    remote.write_text('<!DOCTYPE html><html><head><script src="https://cdn.example.org/x.js"></script></head>'
                      "<body>r</body></html>")
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><body>b<script>noSuchFunction();</script></body></html>")

    result = _check(good, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "shots" / "good.png").read_bytes().startswith(b"\x89PNG")

    result = _check(good, remote, broken, tmp_path=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ok   " + str(good) in result.stdout
    assert "remote request: https://cdn.example.org/x.js" in result.stdout
    assert "ReferenceError: noSuchFunction is not defined" in result.stdout
    assert "1 of 3 pages clean" in result.stdout


@needs_chromium
def test_browser_check_passes_a_rendered_report(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb")
    out = tmp_path / "reports" / "quick" / "r.html"
    render_report(nb, out, "T", index=tmp_path / "reports" / "index.html")
    write_index(tmp_path / "reports" / "index.html")
    result = subprocess.run([sys.executable, str(CHECK), str(tmp_path / "reports")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 of 3 pages clean" in result.stdout
    assert (tmp_path / "reports" / "quick" / "screenshots" / "r.png").is_file()
    assert (tmp_path / "reports" / "quick" / "screenshots" / "r.code.png").is_file()


def test_browser_check_says_when_chromium_is_missing(tmp_path):
    result = subprocess.run([sys.executable, str(CHECK), str(tmp_path)], capture_output=True, text=True,
                            env={"PATH": str(tmp_path), "CHROMIUM": ""}, timeout=60)
    assert result.returncode == 2
    assert "Chromium not found" in result.stderr and "apt-get install chromium" in result.stderr
