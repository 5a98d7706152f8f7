"""The benchmark report's numbers (artstudy.study.benchmarks): agreement, slopes, machines and the aims' verdicts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from artstudy.errors import InputError
from artstudy.study import benchmarks as bm


# --------------------------------------------------------------------------
# agreement with NUTS
# --------------------------------------------------------------------------


def test_coefficient_agreement_in_nuts_posterior_sds():
    em = pd.DataFrame({"term": ["a", "b"], "estimate": [1.0, 2.0], "std_error_marginal": [0.1, 0.2]})
    nuts = pd.DataFrame({"term": ["b", "a"], "mean": [2.5, 0.8], "sd": [0.25, 0.1]})  # another order
    out = bm.coefficient_agreement(em, nuts)
    assert out["term"].tolist() == ["a", "b"]
    assert out["nuts_mean"].tolist() == [0.8, 2.5]
    assert out["difference"].to_numpy() == pytest.approx([0.2, -0.5])
    assert out["difference_in_sd"].to_numpy() == pytest.approx([2.0, -2.0])
    assert out["sd_ratio"].to_numpy() == pytest.approx([1.0, 0.8])


def test_coefficient_agreement_names_a_missing_term_and_column():
    em = pd.DataFrame({"term": ["a", "gamma"], "estimate": [1.0, 2.0], "std_error_marginal": [0.1, 0.2]})
    with pytest.raises(InputError, match=r"^NUTS coefficients: no row for term 'gamma'$"):
        bm.coefficient_agreement(em, pd.DataFrame({"term": ["a"], "mean": [1.0], "sd": [0.1]}))
    with pytest.raises(InputError, match=r"^NUTS coefficients: missing column 'sd'"):
        bm.coefficient_agreement(em, pd.DataFrame({"term": ["a"], "mean": [1.0]}))


def _abilities(means, sds, artists=("x", "x", "y", "y"), windows=(3, 4, 3, 4)):
    return pd.DataFrame({"artist": list(artists), "window": list(windows), "mean": means, "sd": sds})


def test_ability_agreement_exact_on_a_small_table():
    em = _abilities([0.0, 1.0, 2.0, 3.0], [0.1, 0.2, 0.3, 0.4])
    nuts = _abilities([5.0, 2.0, 1.0, 0.0], [0.2] * 4, artists=("y", "y", "x", "x"), windows=(4, 3, 4, 3))
    out = bm.ability_agreement(em, nuts)  # the same cells, in another order: y/4 = 5, y/3 = 2, x/4 = 1, x/3 = 0
    # EM 0, 1, 2, 3 against NUTS 0, 1, 2, 5: covariance 8, sums of squares 5 and 14; differences 0, 0, 0, -2
    assert out["n_cells"] == 4
    assert out["correlation"] == pytest.approx(8 / np.sqrt(5 * 14))
    assert out["rmse"] == pytest.approx(1.0)
    assert out["mean_difference"] == pytest.approx(-0.5)
    assert out["rmse_centred"] == pytest.approx(np.sqrt(0.75))  # 0.5, 0.5, 0.5, -1.5
    assert out["median_sd_ratio"] == pytest.approx(1.25)  # 0.5, 1, 1.5, 2


def test_ability_agreement_refuses_different_or_repeated_cells():
    em = _abilities([0.0, 1.0, 2.0, 3.0], [0.1] * 4)
    other = _abilities([0.0, 1.0, 2.0, 3.0], [0.1] * 4, windows=(3, 4, 3, 5))
    with pytest.raises(InputError, match=r"^abilities: 2 artist-windows in only one of the fits \(first: y/4, y/5\)$"):
        bm.ability_agreement(em, other)
    twice = _abilities([0.0, 1.0, 2.0, 3.0], [0.1] * 4, windows=(3, 3, 3, 4))
    with pytest.raises(InputError, match=r"^NUTS abilities: artist-window repeated in rows 1$"):
        bm.ability_agreement(em, twice)


# --------------------------------------------------------------------------
# slopes, sampler efficiency, machines
# --------------------------------------------------------------------------


def test_loglog_slope_is_the_growth_exponent():
    x = np.array([1e4, 1e5, 1e6])
    assert bm.loglog_slope(x, 3 * x**2) == pytest.approx(2.0)
    assert bm.loglog_slope(x, 5 * x**0.5) == pytest.approx(0.5)
    assert np.isnan(bm.loglog_slope([10, 10], [1, 2]))
    with pytest.raises(ValueError, match="positive"):
        bm.loglog_slope([1, 2], [0, 1])


def _scale():
    sales = np.array([10_000, 100_000, 1_000_000, 10_000_000])
    return pd.DataFrame({"step": ["pam-fit"] * 4 + ["prepare"], "sales": list(sales) + [10_000_000],
                         "wall_s": [999.0, *(2e-3 * sales[1:] ** 0.8), 100.0],
                         "peak_gb": [5.0, *(1e-5 * sales[1:]), 16.4],
                         "per_iteration_s": [1.0, *(1e-6 * sales[1:] ** 1.1), np.nan]})


def test_growth_slopes_leave_out_the_start_up_sizes():
    out = bm.growth_slopes(_scale())
    assert out["measure"].tolist() == ["wall time", "peak memory", "fit time per EM iteration"]
    assert out["slope"].to_numpy() == pytest.approx([0.8, 1.0, 1.1])  # the 10,000-sale row (999 s) is left out
    assert out[["sizes", "from_sales", "to_sales"]].iloc[0].tolist() == [3, 100_000, 10_000_000]
    with_small = bm.growth_slopes(_scale(), min_sales=0)
    assert with_small["slope"].iloc[0] < 0.8


def test_ess_comparison_ratio():
    ess = pd.DataFrame({"sampler": ["ffbs", "ffbs", "single-site", "single-site"],
                        "quantity": ["ability_median", "tau2", "ability_median", "tau2"],
                        "ess_per_second": [800.0, 900.0, 80.0, 300.0]})
    out = bm.ess_comparison(ess)
    assert out["quantity"].tolist() == ["ability_median", "tau2"]
    assert out["ratio"].tolist() == pytest.approx([10.0, 3.0])
    with pytest.raises(InputError, match=r"^ess.csv: no rows for sampler 'single-site'$"):
        bm.ess_comparison(ess[ess["sampler"] == "ffbs"])


def _deep(accelerators=("CPU",)):
    rows = []
    for k, acc in enumerate(accelerators):
        machine = f"machine {k}"
        rows += [(machine, acc, "full", "2026-12-02", "cnn", "training images/s", 500.0 * (k + 1)),
                 (machine, acc, "full", "2026-12-02", "multimodal", "training images/s", 400.0 * (k + 1)),
                 (machine, acc, "full", "2026-12-02", "mlp", "training rows/s", 80000.0),
                 (machine, acc, "full", "2026-12-02", "deep rules and notebook 03", "wall time", 14.1 / (k + 1))]
    return pd.DataFrame(rows, columns=["machine", "accelerator", "profile", "measured", "item", "quantity", "value"])


def test_machine_table_has_a_row_per_machine_and_says_when_no_gpu_was_measured():
    cpu = bm.machine_table(_deep())
    assert cpu.columns.tolist() == ["machine", "accelerator", "profile", "measured", "cnn images/s",
                                    "multimodal images/s", "deep rules and notebook 03 (min)"]
    assert cpu.iloc[0, 4:].tolist() == [500.0, 400.0, 14.1]
    assert bm.gpu_note(cpu) == "not measured on a GPU in this run"
    both = bm.machine_table(_deep(("CPU", "NVIDIA H100 80GB HBM3")))
    assert both["accelerator"].tolist() == ["CPU", "NVIDIA H100 80GB HBM3"]
    assert both["cnn images/s"].tolist() == [500.0, 1000.0]
    assert bm.gpu_note(both) == ""


# --------------------------------------------------------------------------
# aims
# --------------------------------------------------------------------------


def _nuts(ffbs=(150.0, 0.995), single=(50.0, 0.98)):
    return {"status": "measured", "em": {"ffbs": {"speedup": ffbs[0], "ability_correlation": ffbs[1]},
                                         "single-site": {"speedup": single[0], "ability_correlation": single[1]}}}


def test_aims_met_and_not_met():
    table = bm.aims_table({"nuts": _nuts(), "scale": _scale()})
    assert table.columns.tolist() == ["aim", "target", "measured", "met", "verdict"]
    assert table["aim"].tolist() == [
        "Monte Carlo EM (ffbs) at least 100 times faster than NUTS (whole process)",
        "EM's (ffbs) ability means correlate above 0.99 with NUTS's posterior means",
        "Monte Carlo EM (single-site) at least 100 times faster than NUTS (whole process)",
        "EM's (single-site) ability means correlate above 0.99 with NUTS's posterior means",
        "artstudy pam-fit of 10,000,000 sales in under 60 s (whole process)",
        "artstudy pam-fit of 10,000,000 sales with a peak memory under 8 GB",
        "artstudy prepare of 10,000,000 raw lots in under 120 s"]
    assert table["target"].tolist()[:2] == ["speed-up >= 100", "correlation > 0.99"]
    wall_10m = 2e-3 * 1e7**0.8
    assert table["measured"].to_numpy() == pytest.approx([150.0, 0.995, 50.0, 0.98, wall_10m, 100.0, 100.0])
    assert table["met"].tolist() == [True, True, False, False, False, False, True]
    assert table["verdict"].tolist() == ["met", "met", "not met", "not met", "not met", "not met", "met"]


def test_aims_at_their_thresholds():
    # at least 100 times faster: 100 is met; correlation above 0.99: 0.99 is not
    table = bm.aims_table({"nuts": _nuts(ffbs=(100.0, 0.99), single=(99.9, 0.9901))})
    assert table["met"].tolist()[:4] == [True, False, False, True]


def test_aims_not_measured_say_why():
    table = bm.aims_table({})
    assert table["met"].isna().all()
    assert np.isnan(table["measured"]).all()
    assert table["verdict"].iloc[0] == "not measured (no nuts.json: run python benchmarks/bench_nuts.py --record)"
    assert table["verdict"].iloc[-1] == "not measured (no scale.csv: run python benchmarks/bench_scale.py --record)"
    skipped = bm.aims_table({"nuts": {"status": "skipped", "reason": "numpyro is not installed"},
                             "scale": _scale()[_scale()["step"] == "pam-fit"]})
    assert skipped["verdict"].tolist()[:2] == ["not measured (numpyro is not installed)"] * 2
    assert skipped["verdict"].iloc[-1] == "not measured (scale.csv has no prepare row of 10,000,000)"
    assert skipped["met"].tolist()[2:4] == [False, False]


def test_aims_sentence():
    table = bm.aims_table({"nuts": _nuts(single=(150.0, 0.995))})
    assert bm.aims_sentence(table) == (
        "4 of 4 measured aims met; not measured: artstudy pam-fit of 10,000,000 sales in under 60 s (whole process); "
        "artstudy pam-fit of 10,000,000 sales with a peak memory under 8 GB; artstudy prepare of 10,000,000 raw lots "
        "in under 120 s.")
    missed = bm.aims_table({"nuts": _nuts(), "scale": _scale()})
    assert bm.aims_sentence(missed).startswith("3 of 7 measured aims met; not met: Monte Carlo EM (single-site) at "
                                               "least 100 times faster")


def test_load_results_reads_what_exists(tmp_path):
    (tmp_path / "nuts.json").write_text(json.dumps(_nuts()))
    _scale().to_csv(tmp_path / "scale.csv", index=False)
    (tmp_path / "other.csv").write_text("a\n1\n")
    out = bm.load_results(tmp_path)
    assert sorted(out) == ["nuts", "scale"]
    assert out["nuts"]["em"]["ffbs"]["speedup"] == 150.0
    assert out["scale"]["sales"].tolist()[-1] == 10_000_000
    (tmp_path / "nuts.json").write_text("{not json")
    with pytest.raises(InputError, match=r"nuts.json: not valid JSON"):
        bm.load_results(tmp_path)


# --------------------------------------------------------------------------
# sentences
# --------------------------------------------------------------------------


def test_nuts_sentences():
    nuts = {"status": "measured", "nuts": {"wall_s": 233.6, "warmup": 500, "samples": 500},
            "em": {"ffbs": {"wall_s": 5.3, "speedup": 44.07, "ability_correlation": 0.999984, "n_cells": 1198,
                            "ability_rmse": 0.1021, "ability_rmse_centred": 0.012, "ability_mean_difference": -0.1014,
                            "gamma_difference_in_sd": 0.0139, "max_abs_difference_in_sd": 0.5728}}}
    assert bm.nuts_sentences(nuts) == [
        "Monte Carlo EM (ffbs) took 5.3 s as a whole process against 233.6 s for NUTS (500 warm-up iterations and "
        "500 draws): 44 times faster. Its ability means correlate 0.99998 with NUTS's posterior means over 1,198 "
        "artist-windows (RMSE 0.102; 0.012 once their mean difference of -0.101 is taken out); gamma differs from "
        "NUTS's posterior mean by +0.01 posterior sds and the largest coefficient difference is 0.57 sds."]
    assert bm.nuts_sentences({"status": "skipped", "reason": "numpyro is not installed"}) == [
        "The comparison with NUTS was not measured: numpyro is not installed."]
    assert bm.nuts_sentences(None) == [
        "The comparison with NUTS was not measured: no nuts.json (run python benchmarks/bench_nuts.py --record)."]


def test_ess_and_growth_sentences():
    comparison = pd.DataFrame({"quantity": ["ability_median", "ability_min", "tau2"], "ratio": [5.83, 17.5, 1.39]})
    assert bm.ess_sentence(comparison, {"tau2": "tau²"}) == (
        "Per second of sampling, FFBS gives 5.8 times as many effective samples as the single-site updates for "
        "ability_median, 17.5 times for ability_min and 1.4 times for tau².")
    assert bm.ess_sentence(comparison.iloc[:2]) == (
        "Per second of sampling, FFBS gives 5.8 times as many effective samples as the single-site updates for "
        "ability_median and 17.5 times for ability_min.")
    assert bm.ess_sentence(comparison.iloc[:1]) == (
        "Per second of sampling, FFBS gives 5.8 times as many effective samples as the single-site updates for "
        "ability_median.")
    assert bm.growth_sentence(bm.growth_slopes(_scale())) == (
        "From 100,000 to 10,000,000 sales (3 sizes), wall time with slope 0.80, peak memory with slope 1.00, fit "
        "time per EM iteration with slope 1.10 on a log-log scale (1 = linear in the sales, below 1 = less than "
        "linear).")
