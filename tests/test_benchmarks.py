"""Benchmark figures are kept in one place: benchmarks/results/, copied into the README."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_benchmark_figures_come_from_the_recorded_results():
    # the README never types a benchmark figure: its block is the recorded results, copied by benchmarks/record.py
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_record", ROOT / "benchmarks" / "record.py")
    record = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(record)
    text = (ROOT / "README.md").read_text()
    block = text[text.index(record.START):text.index(record.END) + len(record.END)]
    assert block == record.readme_block(), "run: python benchmarks/record.py"
    for name in record.ORDER:
        assert (ROOT / "benchmarks" / "results" / f"{name}.md").is_file(), f"run the {name} benchmark with --record"


# --------------------------------------------------------------------------
# the benchmark scripts' tidy results (benchmarks/record.py, bench_scale.py, bench_deep.py, bench_nuts.py)
# --------------------------------------------------------------------------

import json  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

BENCH = ROOT / "benchmarks"


def _script(name):
    """A benchmark script imported as a module (benchmarks/ on the path, as when it runs)."""
    import importlib

    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module(name)


def test_record_csv_stamps_rows_and_keeps_other_machines(tmp_path, monkeypatch):
    record = _script("record")
    monkeypatch.setattr(record, "RESULTS", tmp_path)
    monkeypatch.setattr(record, "machine", lambda: "machine A")
    monkeypatch.setattr(record, "commit", lambda: "abc1234")
    record.record_csv("deep", [{"accelerator": "CPU", "item": "cnn", "value": 1.0}])
    monkeypatch.setattr(record, "machine", lambda: "machine B")
    record.record_csv("deep", [{"accelerator": "NVIDIA H100", "item": "cnn", "value": 9.0}],
                      keep_other=("machine", "accelerator"))
    record.record_csv("deep", [{"accelerator": "NVIDIA H100", "item": "cnn", "value": 8.0}],
                      keep_other=("machine", "accelerator"))  # B again: replaces its own rows
    table = pd.read_csv(tmp_path / "deep.csv")
    assert table.columns.tolist() == ["measured", "machine", "commit", "accelerator", "item", "value"]
    assert table[["machine", "accelerator", "value"]].values.tolist() == [["machine A", "CPU", 1.0],
                                                                         ["machine B", "NVIDIA H100", 8.0]]
    assert table["commit"].unique().tolist() == ["abc1234"]
    record.record_csv("deep", [{"accelerator": "CPU", "item": "cnn", "value": 2.0}])  # without keep_other: replaced
    assert pd.read_csv(tmp_path / "deep.csv")["value"].tolist() == [2.0]
    record.record_json("nuts", {"status": "skipped", "reason": "why"})
    facts = json.loads((tmp_path / "nuts.json").read_text())
    assert facts["status"] == "skipped" and facts["machine"] == "machine B" and facts["commit"] == "abc1234"


def test_scale_csv_rows():
    scale = _script("bench_scale")
    fit = {"sales": 10_000, "artists": 100, "artist_windows": 793, "iterations": 10, "fit_s": 0.29,
           "per_iteration_s": 0.029, "wall_s": 2.3, "peak_gb": 0.25}
    table = scale.csv_rows([fit], {"lots": 10_000_000, "kept": 5_814_816, "wall_s": 190.4, "peak_gb": 16.4})
    assert table["step"].tolist() == ["pam-fit", "prepare"]
    assert table["sales"].tolist() == [10_000, 10_000_000]
    assert table.loc[1, "kept"] == 5_814_816 and table.loc[1, "wall_s"] == 190.4
    assert table.loc[0, ["artists", "iterations", "per_iteration_s", "peak_gb"]].tolist() == [100, 10, 0.029, 0.25]
    assert scale.csv_rows([fit])["step"].tolist() == ["pam-fit"]
    assert "| 10,000,000 | 5,814,816 | 190.4 | 16.40 |" in scale.prepare_table(
        {"lots": 10_000_000, "kept": 5_814_816, "wall_s": 190.4, "peak_gb": 16.4})


def test_deep_csv_rows(tmp_path):
    deep = _script("bench_deep")
    summaries = {"mlp": {"seconds": 12.0, "epochs_run": 20, "samples_per_second": 84545.0},
                 "cnn": {"seconds": 348.0, "epochs_run": 20, "samples_per_second": 515.0, "uses_image": True},
                 "multimodal": {"seconds": 347.0, "epochs_run": 12, "samples_per_second": 71085.0, "uses_image": True,
                                "encoder_samples_per_second": 411.0}}
    for name, summary in summaries.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text(json.dumps(summary))
    rows = pd.DataFrame(deep.csv_rows(tmp_path, list(summaries), {"deep rules and notebook 03": 14.1}, "CPU", "full"))
    rate = rows[rows["quantity"] == "training images/s"].set_index("item")["value"]
    assert rate.to_dict() == {"cnn": 515.0, "multimodal": 411.0}  # the multi-modal encoder's images/s
    rows_per_s = rows[rows["quantity"] == "training rows/s"].set_index("item")["value"]
    assert rows_per_s.to_dict() == {"mlp": 84545.0, "multimodal": 71085.0}
    wall = rows[(rows["item"] == "deep rules and notebook 03")]
    assert wall[["quantity", "value", "unit"]].values.tolist() == [["wall time", 14.1, "min"]]
    assert set(rows["accelerator"]) == {"CPU"} and set(rows["profile"]) == {"full"}
    assert deep.accelerator(0) == "CPU"
    from artstudy.study.benchmarks import machine_table

    table = machine_table(rows.assign(machine="m", measured="2026-12-07"))
    assert table[["cnn images/s", "multimodal images/s", "deep rules and notebook 03 (min)"]].values.tolist() == [
        [515.0, 411.0, 14.1]]


def test_nuts_benchmark_says_it_was_skipped_without_numpyro(tmp_path, monkeypatch, capsys):
    nuts = _script("bench_nuts")
    record = _script("record")
    monkeypatch.setattr(record, "RESULTS", tmp_path)
    real = nuts.importlib.util.find_spec
    monkeypatch.setattr(nuts.importlib.util, "find_spec",
                        lambda name, *a: None if name == "numpyro" else real(name, *a))
    assert nuts.main(["--record"]) == 0
    assert "NUTS benchmark skipped: numpyro is not installed (pip install -e '.[bench]')" in capsys.readouterr().out
    facts = json.loads((tmp_path / "nuts.json").read_text())
    assert facts["status"] == "skipped" and facts["reason"].startswith("numpyro is not installed")
    assert "Skipped: numpyro is not installed" in (tmp_path / "nuts.md").read_text()
    from artstudy.study.benchmarks import aims_table, load_results

    aims = aims_table(load_results(tmp_path))
    assert aims["verdict"].iloc[0] == "not measured (numpyro is not installed (pip install -e '.[bench]'))"


def test_ess_rows_per_second(monkeypatch):
    ess = _script("bench_ess")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 400, 3))
    a[:, :, 2] = np.cumsum(a[:, :, 2], axis=1)  # a random walk: few effective samples
    rows = pd.DataFrame(ess.ess_rows("ffbs", a, rng.standard_normal((2, 400)), seconds=2.0))
    assert rows["quantity"].tolist() == ["ability_median", "ability_min", "tau2"]
    assert rows["ess_per_second"].to_numpy() == pytest.approx(rows["ess"].to_numpy() / 2.0)
    assert rows["sweeps_per_second"].tolist() == [400.0] * 3
    assert rows.loc[1, "ess"] < 50 < 500 < rows.loc[0, "ess"]  # the random walk is the worst; iid draws ~ 800


# --------------------------------------------------------------------------
# the NumPyro model is our model (benchmarks/pam_numpyro.py)
# --------------------------------------------------------------------------


def _small_problem(seed=3):
    rng = np.random.default_rng(seed)
    lengths = np.array([1, 3, 5, 2, 4, 5])
    width = int(lengths.max())
    artist = rng.integers(0, lengths.size, 400)
    window = (rng.random(400) * lengths[artist]).astype(np.int64)
    X = np.column_stack([np.ones(400), rng.normal(size=400), rng.integers(0, 2, 400), rng.normal(size=400)])
    a = np.where(np.arange(width)[None, :] < lengths[:, None], rng.normal(0, 1.5, (lengths.size, width)), 0.0)
    delta = np.array([2.0, 0.5, -0.3, 1.2])
    y = X @ delta + a[artist, window] + rng.normal(0, 0.8, 400)
    return X, y, artist, window, lengths, a, delta


def _our_log_joint(X, y, artist, window, lengths, delta, sigma2, tau2, a, lam, sigma_a):
    """Our model's complete-data log density: the likelihood, the random walk's prior (the precision matrix of
    artstudy.models.pam.samplers with no observation) and the Exponential prior of tau^2 (artstudy...ars)."""
    from scipy import stats

    from artstudy.models.pam.ars import prior_rate
    from artstudy.models.pam.samplers import posterior_precision

    resid = y - X @ delta - a[artist, window]
    total = stats.norm.logpdf(resid, scale=np.sqrt(sigma2)).sum()
    for i, length in enumerate(lengths):
        prior = posterior_precision(np.zeros(length), length, sigma2, tau2, sigma_a)  # no data: the prior's
        path = a[i, :length]
        total += 0.5 * np.linalg.slogdet(prior)[1] - 0.5 * length * np.log(2 * np.pi) - 0.5 * path @ prior @ path
    return total + stats.expon(scale=1 / prior_rate(lam)).logpdf(tau2)


def test_numpyro_log_density_equals_our_models():
    pytest.importorskip("numpyro", reason="numpyro is an optional benchmark extra (pip install -e '.[bench]')")
    pn = _script("pam_numpyro")
    X, y, artist, window, lengths, a, delta = _small_problem()
    inp = pn.inputs(X, y, artist, window, lengths, lam=4.0, sigma_a=0.1)
    for d, s2, t2, shift in ((delta, 0.64, 2.5, 0.0), (delta + 0.1, 1.3, 0.7, 0.05)):
        path = np.where(a != 0, a + shift * np.arange(a.shape[1]), 0.0)
        ours = _our_log_joint(X, y, artist, window, lengths, d, s2, t2, path, 4.0, 0.1)
        assert pn.log_joint(inp, d, s2, t2, path) == pytest.approx(ours, rel=1e-10, abs=1e-8)
    # the sites map back to the same coefficients and first abilities
    site = pn.sites(inp, delta, 0.64, 2.5, a)
    back_delta, back_a0 = pn.coefficients_and_first_abilities(inp, {k: np.atleast_1d(v)[None] if np.ndim(v) else
                                                                      np.array([v]) for k, v in site.items()})
    assert back_delta[0] == pytest.approx(delta) and back_a0[0] == pytest.approx(a[:, 0])
    with pytest.raises(ValueError, match="first column must be the intercept"):
        pn.inputs(X[:, 1:], y, artist, window, lengths)


def test_numpyro_abilities_are_stationary_at_our_smoother_mean():
    # given the coefficients, sigma^2 and tau^2, our Kalman smoother's mean is the abilities' posterior mean: the
    # NumPyro log density's gradient in every ability direction (contrasts and steps, the coefficients held) is 0
    pytest.importorskip("numpyro", reason="numpyro is an optional benchmark extra (pip install -e '.[bench]')")
    import functools

    import jax
    from numpyro.infer.util import log_density

    from artstudy.models.pam.em import Problem
    from artstudy.models.pam.samplers import kalman_smoother

    pn = _script("pam_numpyro")
    X, y, artist, window, lengths, a, delta = _small_problem()
    inp = pn.inputs(X, y, artist, window, lengths, lam=4.0, sigma_a=0.1)
    problem = Problem.build(X, y, artist, window, lengths)
    mean, _ = kalman_smoother(problem.cell_sums(y - X @ delta), problem.counts, lengths, 0.64, 2.5, 0.1)
    with jax.enable_x64(True):
        density = functools.partial(log_density, functools.partial(pn.model, inp), (), {})
        for point, zero in ((np.nan_to_num(mean), True), (np.nan_to_num(mean) + 0.05, False)):
            grad = jax.grad(lambda p: density(p)[0])(pn.sites(inp, delta, 0.64, 2.5, point))
            flat = np.concatenate([np.asarray(grad["a0_contrast"]), np.asarray(grad["step"])])
            assert bool(np.max(np.abs(flat)) < 1e-8) is zero


# --------------------------------------------------------------------------
# the benchmark report renders from the recorded results (snakemake benchmarks)
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_benchmark_report_renders_from_the_recorded_results(tmp_path):
    import html
    import os
    import subprocess

    from artstudy.study import benchmarks as bm
    from artstudy.study.render import remote_resources

    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(tmp_path),
                           "benchmarks", "--cores", "2"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    page = html.unescape((tmp_path / "reports" / "benchmarks.html").read_text(encoding="utf-8"))
    assert (tmp_path / "reports" / "benchmarks.code.html").is_file()
    assert not remote_resources(page)
    for heading in ("1. The aims", "2. Monte Carlo EM against NUTS", "3. Effective samples per second",
                    "4. Scaling from 10,000 to 10,000,000 sales", "5. The deep models"):
        assert heading in page
    results = bm.load_results(BENCH / "results")
    assert bm.aims_sentence(bm.aims_table(results)) in page  # the verdicts, from the recorded results
    for sentence in bm.nuts_sentences(results.get("nuts")):
        assert sentence in page
    if "deep" not in results:
        assert "not measured on a GPU in this run" in page and "python benchmarks/bench_deep.py --record" in page
    # the notebook read the repository's results, and the run's metadata heads the page
    assert "Wall time when this ran" in page
