"""End-to-end run of the Snakemake workflow with the quick profile.

Runs the real pipeline (simulation replications, gather, papermill, nbconvert,
index) into a temporary directory:

    snakemake -s <repo>/Snakefile -d <tmp> --configfile <repo>/config/quick.yaml --cores 2
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _logs(workdir: Path, limit: int = 4000) -> str:
    chunks = []
    for log in sorted((workdir / "logs").rglob("*.log")):
        text = log.read_text(errors="replace")
        chunks.append(f"--- {log.relative_to(workdir)}\n{text[-limit:]}")
    return "\n".join(chunks)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("pipeline")
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    result = subprocess.run(
        [
            sys.executable, "-m", "snakemake",
            "-s", str(ROOT / "Snakefile"),
            "-d", str(workdir),
            "--configfile", str(ROOT / "config" / "quick.yaml"),
            "--cores", "2",
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert result.returncode == 0, (
        f"snakemake failed (exit {result.returncode})\n{result.stderr[-6000:]}\n"
        f"{_logs(workdir)}"
    )
    return workdir


def _report_names() -> list[str]:
    return [p.stem for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]


def test_outputs_exist(quick_run):
    n = yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())["simulation"][
        "n_replications"
    ]
    for rep in range(1, n + 1):
        assert (quick_run / f"results/simulation/reps/rep_{rep}.csv").is_file()
    assert (quick_run / "results/simulation/replications.csv").is_file()
    assert (quick_run / "reports/01_simulation.html").is_file()
    assert (quick_run / "reports/index.html").is_file()
    for part in ("study", "simulation", "world", "data", "model", "valuation"):
        assert (quick_run / f"results/config/{part}.json").is_file()
    for out in ("summary.json", "coefficients.csv", "ability.csv"):
        assert (quick_run / "results/pam/synthetic" / out).is_file()
    metrics = pd.read_csv(quick_run / "results/valuation/synthetic/metrics.csv")
    assert list(metrics.columns) == ["model", "segment", "metric", "value", "ci_low", "ci_high"]
    config = yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())
    models = config.get("evaluation", {}).get("models")
    if models:
        assert set(metrics["model"]) == set(models)
    assert {"all", "repeat", "fresh"} <= set(metrics["segment"])
    assert {"r2", "mae", "coverage80", "coverage95"} <= set(metrics["metric"])
    for rule in ["config_part", "world", "prepare", "pam_fit", "valuation_fit", "valuation_score",
                 "sim_replicate", "sim_gather", "sim_detail", "register_kernel", "execute_notebook",
                 "render_html", "report_index"]:
        assert list((quick_run / "logs" / rule).rglob("*.log")), f"no log for {rule}"


def test_index_links_every_report(quick_run):
    page = (quick_run / "reports/index.html").read_text()
    hrefs = set(re.findall(r'<a href="([^"]+)"', page))
    for name in _report_names():
        assert f"{name}.html" in hrefs
        assert (quick_run / "reports" / f"{name}.html").is_file()


@pytest.mark.parametrize("name", _report_names())
def test_executed_notebook_has_no_errors(quick_run, name):
    nb = nbformat.read(quick_run / "results" / "notebooks" / f"{name}.ipynb", as_version=4)
    errors = [
        "".join(out.get("traceback", [])) or out.get("evalue", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors, "\n\n".join(errors)
    assert nb.metadata.papermill.get("exception") in (None, False)
    # parameters are file paths and names only; the settings come from the resolved config
    params = nb.metadata.papermill.parameters
    assert params["config_json"] == "results/config/study.json"
    assert all(isinstance(v, str) for v in params.values())
    if name == "02_artnet_analysis":
        assert params["source"] == "synthetic" and params["truth_dir"] == "results/world"
        assert params["pam_dir"] == "results/pam/synthetic"


def test_artnet_report_runs_on_the_parsed_synthetic_export(quick_run):
    sales = pd.read_csv(quick_run / "results" / "data" / "synthetic" / "sales.csv")
    funnel = pd.read_csv(quick_run / "results" / "data" / "synthetic" / "sales.funnel.csv")
    raw = pd.read_csv(quick_run / "results" / "world" / "raw_lots.csv")
    assert len(sales) == len(raw)  # every lot, with the rule that left it out
    assert sales["left_out"].notna().sum() > 0
    assert int(funnel.iloc[:, 1].iloc[0]) == len(raw)  # the funnel starts from every raw lot
    html = (quick_run / "reports" / "02_artnet_analysis.html").read_text()
    for heading in ("Data preparation funnel", "Table 2", "Fig. 1", "Fig. 2", "Table 3",
                    "What popularity and ability add", "Against the truth", "Findings"):
        assert heading in html


@pytest.mark.parametrize("name", _report_names())
def test_report_html_is_self_contained(quick_run, name):
    html = (quick_run / "reports" / f"{name}.html").read_text()
    # images embedded as data URIs, styles inline: content needs no network
    for src in re.findall(r'<img[^>]*\ssrc="([^"]*)"', html):
        assert src.startswith("data:"), src[:80]
    assert not re.search(r'<link[^>]*rel="stylesheet"[^>]*href="(https?:)?//', html)


def test_papermill_log_has_no_progress_bar(quick_run):
    log = (quick_run / "logs" / "execute_notebook" / "01_simulation.log").read_text()
    assert "Executing:" not in log and "cell/s]" not in log
