"""The simulation study's verdicts: binomial (Wilson) intervals decide, sentences never contradict the numbers."""

import numpy as np
import pandas as pd
import pytest

from artstudy.evaluation.simstudy import summarise_replications
from artstudy.study.simulation import (conclusions, coverage_call, coverage_calls, coverage_sentence, coverage_verdict,
                                       decidable_rates, gamma_coverage_sentence, wilson_interval)


def _reps():
    # two replications of one coefficient and one variance, with hand-checked summaries
    rows = [
        (1, "ffbs", "popularity", "coef", 1.0, 1.1, 0.04, 0.1),
        (2, "ffbs", "popularity", "coef", 1.0, 0.8, 0.05, 0.15),
        (1, "ffbs", "sigma2", "variance", 1.0, 1.02, np.nan, np.nan),
        (2, "ffbs", "sigma2", "variance", 1.0, 0.96, np.nan, np.nan),
        (1, "ffbs", "ability_rmse", "ability", 0.0, 0.2, np.nan, np.nan),
        (2, "ffbs", "ability_rmse", "ability", 0.0, 0.3, np.nan, np.nan),
    ]
    return pd.DataFrame(rows, columns=["rep", "sampler", "parameter", "kind", "truth", "estimate", "std_error",
                                       "std_error_marginal"])


def _summary(n, paper, marginal, n_coef=45):
    """A summary of ``n_coef`` coefficients over ``n`` replications; ``paper`` and ``marginal`` map parameters to
    coverage (the rest cover 100%)."""
    names = ["intercept", "log_area", "popularity"] + [f"year[{2000 + i}]" for i in range(n_coef - 3)]
    return pd.DataFrame({"sampler": "ffbs", "parameter": names, "kind": "coef", "n_reps": n,
                         "coverage": [paper.get(p, 1.0) for p in names],
                         "coverage_marginal": [marginal.get(p, 1.0) for p in names]})


def test_wilson_interval_is_the_score_interval():
    lo, hi = wilson_interval(0.75, 100)
    assert lo == pytest.approx(0.65696, abs=1e-5) and hi == pytest.approx(0.82455, abs=1e-5)
    assert wilson_interval(1.0, 4) == pytest.approx((0.51010, 1.0), abs=1e-5)
    assert all(np.isnan(wilson_interval(0.5, 0)))


@pytest.mark.parametrize("rate, n, call", [
    (0.39, 100, "under"), (0.90, 100, "under"), (0.91, 100, "undecided"), (0.98, 100, "undecided"),
    (1.0, 100, "over"), (0.75, 4, "undecided"), (0.5, 4, "under"), (1.0, 4, "undecided"),
])
def test_coverage_call_follows_the_wilson_interval(rate, n, call):
    assert coverage_call(rate, n) == call


def test_decidable_rates():
    assert decidable_rates(100) == (0.9, 1.0)
    low, high = decidable_rates(4)
    assert low == 0.5 and np.isnan(high)


def test_quick_profile_four_replications_cannot_decide():
    # paper 95.6%, marginal 97.2% over 45 coefficients with 4 replications (the quick profile's numbers)
    years = [f"year[{2000 + i}]" for i in range(42)]
    summary = _summary(4, {y: 0.75 for y in years[:8]}, {y: 0.75 for y in years[:5]})
    text = coverage_sentence(summary)
    assert "cover 95.6% on average over 45 coefficients: no coefficient can be told from 95%" in text
    assert "cover 97.2% on average" in text
    assert "4 replications are too few to decide which standard errors are closer to 95%" in text
    assert "at 50% or below" in text and "are closer to 95%:" not in text
    v = coverage_verdict(summary).set_index("standard_error")
    assert v.loc["paper", "mean_coverage"] == pytest.approx(1 - 8 * 0.25 / 45)
    assert v.loc["paper", "n_under"] == 0 and v.loc["marginal", "n_over"] == 0 and v.loc["paper", "n_reps"] == 4


def test_full_profile_names_the_parameters_off_95():
    summary = _summary(100, {"intercept": 0.39, "popularity": 0.75, "year[2000]": 0.87, "log_area": 0.95},
                       {"intercept": 0.90, "popularity": 0.98, "log_area": 0.95})
    text = coverage_sentence(summary)
    assert "at 90% or below or at 100% or above" in text
    assert "intercept (39%), gamma (75%) and 1 sale-year effect under-cover" in text
    # every other year effect covers 100% of 100 replications: decidedly over
    assert "1 sale-year effect under-cover; 41 sale-year effects over-cover." in text
    assert "cover 99.6% on average over 45 coefficients: intercept (90%) under-covers; 42 sale-year effects over-cover." in text
    calls = coverage_calls(summary, "ffbs").set_index(["standard_error", "parameter"])["call"]
    assert calls[("marginal", "popularity")] == "undecided" and calls[("marginal", "intercept")] == "under"
    assert calls[("paper", "log_area")] == "undecided" and calls[("paper", "year[2001]")] == "over"
    g = gamma_coverage_sentence(summary)
    assert g == ("Gamma's 95% intervals cover the truth in the paper's 75% (interval 65.7% to 82.5%: under-covers) and "
                 "the marginal 98% (interval 93.0% to 99.4%: cannot be told from 95%) of 100 replications.")


def test_closer_kind_counts_coefficients_off_95():
    summary = _summary(100, {"intercept": 0.39, "popularity": 0.75}, {"intercept": 0.90},
                       n_coef=3)
    summary.loc[summary["parameter"] == "log_area", ["coverage", "coverage_marginal"]] = 0.95
    summary.loc[summary["parameter"] == "popularity", "coverage_marginal"] = 0.98
    text = coverage_sentence(summary)
    assert "intercept (39%) and gamma (75%) under-cover" in text and "intercept (90%) under-covers." in text
    assert ("The marginal standard errors are closer to 95%: they leave 1 coefficient off 95% against 2 for the "
            "paper\u2019s.") in text
    same = coverage_sentence(_summary(100, {"intercept": 0.5}, {"intercept": 0.5}, n_coef=3).assign(
        coverage=lambda d: d["coverage"].where(d["parameter"] == "intercept", 0.95),
        coverage_marginal=lambda d: d["coverage_marginal"].where(d["parameter"] == "intercept", 0.95)))
    assert "Both kinds leave 1 coefficient off 95%." in same


def test_coverage_verdict_and_conclusions():
    reps = _reps()
    fit = pd.DataFrame({"rep": [1, 2] * 3, "sampler": "ffbs", "kind": "fit",
                        "parameter": ["n_iterations"] * 2 + ["converged"] * 2 + ["seconds"] * 2,
                        "estimate": [4, 6, 1, 0, 0.5, 0.7]})
    extra = pd.DataFrame({"rep": [1, 2] * 5, "sampler": "ffbs", "kind": "ability",
                          "parameter": np.repeat(["ability_rmse_centred", "ability_coverage",
                                                  "ability_coverage_centred", "tau2", "x"], 2),
                          "estimate": [0.1, 0.1, 0.8, 0.9, 0.95, 0.93, 0, 0, 0, 0]})
    extra.loc[extra["parameter"] == "tau2", ["kind", "truth", "estimate"]] = ["variance", 4.0, 4.2]
    reps = pd.concat([reps, fit, extra[extra["parameter"] != "x"]], ignore_index=True)
    summary = summarise_replications(reps)
    v = coverage_verdict(summary).set_index("standard_error")
    assert v.loc["paper", "gamma_coverage"] == 0.0 and v.loc["marginal", "gamma_coverage"] == 1.0
    assert v.loc["paper", "n_under"] == 1 and v.loc["marginal", "n_under"] == 0
    text = conclusions(summary, reps)
    assert "gamma averages 0.950" in text and "bias -0.050" in text
    # 0 of 2 covered is decidedly under 95%; 2 of 2 cannot be told from 95%
    assert "The marginal standard errors are closer to 95%: they leave 0 coefficients off 95% against 1" in text
    assert "the paper's 0% (interval 0% to 65.8%: under-covers)" in text
    assert "5.0 EM iterations" in text and "50% of fits" in text
    assert "95% bands cover 85% of true abilities as estimated, 94% after centring" in text


def test_ols_start_and_sampler_difference_sentences():
    from artstudy.study.simulation import ols_start_sentence, sampler_difference_sentence
    from artstudy.study.tables import replication_facts_table

    ols = pd.DataFrame({"popularity": [0.5, 1.0, 1.2]})
    within = pd.DataFrame({"popularity": [1.3, 1.31]})
    assert ols_start_sentence(ols, within, 1.38) == ("After 3 iterations from the least-squares start gamma is 1.200; "
                                                     "from the within start it is 1.310 after 2 (truth 1.38).")
    reps = pd.DataFrame({"rep": [1, 1, 2, 2], "sampler": ["ffbs", "single-site"] * 2, "kind": "coef",
                         "parameter": "intercept", "estimate": [7.0, 7.01, 6.9, 6.95]})
    assert sampler_difference_sentence(reps).startswith(
        "Fitted to the same 2 markets, the two samplers' estimates differ by at most 0.0500 (largest: intercept in "
        "replication 2)")
    assert sampler_difference_sentence(reps[reps["sampler"] == "ffbs"]) == ""
    facts = pd.DataFrame({"rep": [1, 2, 1], "sampler": "ffbs", "kind": ["ability", "ability", "fit"],
                          "parameter": ["ability_coverage", "ability_coverage", "seconds"], "estimate": [0.6, 0.7, 0.5]})
    table = replication_facts_table(facts)
    assert table.loc["FFBS"].tolist() == ["65%", "0.50"]
    assert table.columns.tolist() == ["truth inside 95% bands", "seconds per fit"]
