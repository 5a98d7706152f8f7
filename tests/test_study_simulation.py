import numpy as np
import pandas as pd

from artstudy.evaluation.simstudy import summarise_replications
from artstudy.study.simulation import conclusions, coverage_verdict


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
    text = conclusions(summary, reps)
    assert "gamma averages 0.950" in text and "bias -0.050" in text
    assert "The marginal standard errors come closer to the nominal 95%" in text
    assert "5.0 EM iterations" in text and "50% of fits" in text
    assert "95% bands cover 85.0%" in text


