"""End-to-end run of the Snakemake workflow with the quick profile.

Runs the real pipeline (simulation replications, gather, papermill, artstudy render,
index) into a temporary directory; the quick profile writes results/quick/, reports/quick/,
logs/quick/ and reports/index.html:

    snakemake -s <repo>/Snakefile -d <tmp> --configfile <repo>/config/quick.yaml --cores 2
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from artstudy.study.index import report_info
from artstudy.study.render import remote_resources

ROOT = Path(__file__).resolve().parents[1]
PROFILE = "quick"
RESULTS, REPORTS, LOGS = f"results/{PROFILE}", f"reports/{PROFILE}", f"logs/{PROFILE}"
TITLES = {
    "01_simulation": "Simulation study of the popularity-ability model",
    "02_artnet_analysis": "Popularity-ability analysis of the synthetic Artnet-like world",
    "03_deep_valuation": "Deep valuation of the synthetic world: pictures with tabular data",
    "04_sequences_uncertainty": ("Sequences and uncertainty on the synthetic world: the artist's earlier sales and "
                                 "predictive distributions"),
}

pytestmark = pytest.mark.slow


# quick_run: one run of the quick profile for the whole session (tests/conftest.py)


#: Notebooks rendered outside a profile's run (snakemake benchmarks -> reports/benchmarks.html).
NOT_IN_PROFILE = {"05_benchmarks"}


def _report_names() -> list[str]:
    return [p.stem for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if p.stem not in NOT_IN_PROFILE]


def test_outputs_exist(quick_run):
    assert yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())["profile"] == PROFILE
    n = yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())["simulation"]["n_replications"]
    for rep in range(1, n + 1):
        assert (quick_run / f"{RESULTS}/simulation/reps/rep_{rep}.csv").is_file()
    assert (quick_run / f"{RESULTS}/simulation/replications.csv").is_file()
    for name in _report_names():
        assert (quick_run / f"{REPORTS}/{name}.html").is_file()
        assert (quick_run / f"{REPORTS}/{name}.code.html").is_file()
    assert (quick_run / "reports/index.html").is_file()
    # nothing outside the profile's folders (and the index)
    assert sorted(p.name for p in (quick_run / "results").iterdir()) == [PROFILE]
    assert sorted(p.name for p in (quick_run / "logs").iterdir()) == [PROFILE]
    assert sorted(p.name for p in (quick_run / "reports").iterdir()) == ["index.html", PROFILE]
    for part in ("study", "simulation", "world", "data", "model", "valuation", "deep"):
        assert (quick_run / f"{RESULTS}/config/{part}.json").is_file()
    for out in ("summary.json", "coefficients.csv", "ability.csv"):
        assert (quick_run / f"{RESULTS}/pam/synthetic" / out).is_file()
    metrics = pd.read_csv(quick_run / f"{RESULTS}/valuation/synthetic/metrics.csv")
    assert list(metrics.columns) == ["model", "segment", "metric", "value", "ci_low", "ci_high"]
    config = yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())
    models = config.get("evaluation", {}).get("models")
    if models:
        assert set(metrics["model"]) == set(models)
    assert {"all", "repeat", "fresh"} <= set(metrics["segment"])
    assert {"r2", "mae", "coverage80", "coverage95"} <= set(metrics["metric"])
    for model in ("mlp", "cnn", "multimodal", "lstm", "cnn_lstm"):  # deep models: scored with the others, files kept
        assert model in set(metrics["model"])
        for out in ("model.keras", "history.csv", "summary.json"):
            assert (quick_run / f"{RESULTS}/deep/synthetic/{model}" / out).is_file()
    for out in ("embeddings.csv", "gradcam.npz", "picture_embeddings.npz"):
        assert (quick_run / f"{RESULTS}/deep/synthetic/multimodal" / out).is_file()
    for rule in ["config_part", "world", "prepare", "pam_fit", "valuation_fit", "valuation_score", "deep_fit",
                 "sim_replicate", "sim_gather", "sim_detail", "register_kernel", "execute_notebook",
                 "render_html", "report_index"]:
        assert list((quick_run / LOGS / rule).rglob("*.log")), f"no log for {rule}"


def test_run_metadata(quick_run):
    run = json.loads((quick_run / f"{RESULTS}/run.json").read_text())
    assert run["profile"] == PROFILE and run["cores"] == 2
    assert any(f.endswith("quick.yaml") for f in run["configfiles"])
    meta = json.loads((quick_run / f"{REPORTS}/metadata.json").read_text())
    assert meta["profile"] == PROFILE and meta["started"] == run["started"] and meta["seed"] == 20241123
    assert meta["elapsed_s"] > 0 and meta["snakemake_cores"] == 2
    assert meta["git_commit"] != ""


def test_index_lists_every_report_with_its_title(quick_run):
    page = (quick_run / "reports/index.html").read_text()
    assert remote_resources(page) == []
    hrefs = re.findall(r'<a href="([^"]+)">', page)
    assert hrefs == [f"{PROFILE}/{name}.html" for name in _report_names()]
    for name in _report_names():
        info = report_info(quick_run / REPORTS / f"{name}.html")
        assert info["title"] == TITLES[name] and info["profile"] == PROFILE
        assert info["description"] and info["description"] in page.replace("&#x27;", "'")
        assert f">{TITLES[name]}</a>" in page.replace("&#x27;", "'")  # the title's apostrophe is escaped
        assert f'href="{PROFILE}/{name}.code.html"' in page
    assert "Profile quick" in page and "Total wall time" in page


@pytest.mark.parametrize("name", _report_names())
def test_executed_notebook_has_no_errors(quick_run, name):
    nb = nbformat.read(quick_run / RESULTS / "notebooks" / f"{name}.ipynb", as_version=4)
    errors = [
        "".join(out.get("traceback", [])) or out.get("evalue", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors, "\n\n".join(errors)
    assert nb.metadata.papermill.get("exception") in (None, False)
    # parameters are file paths, names and the title; the settings come from the resolved config
    params = nb.metadata.papermill.parameters
    assert params["config_json"] == f"{RESULTS}/config/study.json"
    assert params["run_json"] == f"{RESULTS}/run.json"
    assert params["title"] == TITLES[name]
    assert all(isinstance(v, str) for v in params.values())
    if name == "02_artnet_analysis":
        assert params["source"] == "synthetic" and params["truth_dir"] == f"{RESULTS}/world"
        assert params["pam_dir"] == f"{RESULTS}/pam/synthetic"


def test_artnet_report_runs_on_the_parsed_synthetic_export(quick_run):
    sales = pd.read_csv(quick_run / RESULTS / "data" / "synthetic" / "sales.csv")
    funnel = pd.read_csv(quick_run / RESULTS / "data" / "synthetic" / "sales.funnel.csv")
    raw = pd.read_csv(quick_run / RESULTS / "world" / "raw_lots.csv")
    assert len(sales) == len(raw)  # every lot, with the rule that left it out
    assert sales["left_out"].notna().sum() > 0
    assert int(funnel.iloc[:, 1].iloc[0]) == len(raw)  # the funnel starts from every raw lot


@pytest.mark.parametrize("name", _report_names())
@pytest.mark.parametrize("view", ["html", "code.html"])
def test_report_html_is_offline(quick_run, name, view):
    html = (quick_run / REPORTS / f"{name}.{view}").read_text()
    # nothing fetched from the network: no remote script, style, image or frame; images are data URIs
    assert remote_resources(html) == []
    for src in re.findall(r'<img[^>]*\ssrc="([^"]*)"', html):
        assert src.startswith("data:"), src[:80]
    assert "require.js" not in html and "MathJax" not in html
    assert f"<title>{TITLES[name]}</title>" in html


@pytest.mark.parametrize("name", _report_names())
def test_reader_view_hides_the_code(quick_run, name):
    reader = (quick_run / REPORTS / f"{name}.html").read_text()
    with_code = (quick_run / REPORTS / f"{name}.code.html").read_text()
    code = re.compile(r'class="[^"]*\bhighlight hl-ipython3\b')  # a code cell's input
    assert not code.search(reader) and code.search(with_code)
    assert f'href="{name}.code.html"' in reader and f'href="{name}.html"' in with_code


def test_reports_open_in_a_real_browser(quick_run):
    sys.path.insert(0, str(ROOT / "tools"))
    import check_reports

    if check_reports.find_chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "check_reports.py"), str(quick_run / "reports")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in _report_names():
        assert (quick_run / REPORTS / "screenshots" / f"{name}.png").is_file()


def test_papermill_log_has_no_progress_bar(quick_run):
    log = (quick_run / LOGS / "execute_notebook" / "01_simulation.log").read_text()
    assert "Executing:" not in log and "cell/s]" not in log
