"""The popularity-ability fit gives the same numbers after the memory and speed work (ten million sales).

The expected values (plain EM, expand=False) were computed with the code before the refactors (whole-matrix projector, QR of the
whole design, float64 temporaries of length N x p; then the dense design matrix, per-sale M-steps and the
padded FFBS) on one small simulated market at a fixed seed; the refactored fit must agree to 1e-10.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artstudy.models.pam import data, em, fit_pam
from artstudy.synth.market import simulate_market

# sampler, max_iter -> n_iter, sigma2, tau2, intercept, popularity, log_area, se_marginal(popularity),
# ols popularity, ols se(popularity), sum of fitted values, sum of ability means
EXPECTED = {
    ("ffbs", 100): (13, 1.0083490918928741, 2.722869102481269, 6.8321978657932885, 0.4484102411255497,
                    0.7058774987101438, 0.7204428796994964, 7.990420033261323, 0.6417328606645183,
                    54292.41966206607, 2.5836560784523925),
    ("single-site", 15): (15, 1.0102559117704284, 2.9883098388493217, 6.802186728906335, 0.4321888883942,
                          0.7051622682227904, 0.721341741448842, 7.990420033261323, 0.6417328606645183,
                          54292.41966206606, 6.018328085864596),
}


@pytest.fixture(scope="module")
def market():
    return simulate_market({"n_sales": 4000, "n_artists": 40}, rng=np.random.default_rng(7))


@pytest.mark.parametrize("block", [None, 700])
@pytest.mark.parametrize("sampler,max_iter", list(EXPECTED))
def test_fit_unchanged_at_fixed_seed(market, sampler, max_iter, block, monkeypatch):
    if block:  # many row blocks: the blockwise design, within-cell start and least squares agree with one block
        monkeypatch.setattr(em, "BLOCK", block)
        monkeypatch.setattr(data, "DESIGN_BLOCK", block)
    res = fit_pam(market.sales, market.covariates, year_effects=True, random_state=3, progress=False,
                  settings={"sampler": sampler, "n_gibbs": 30, "n_burn": 5, "max_iter": max_iter,
                            "expand": False})
    c, o = res.coefficients.set_index("term"), res.ols.set_index("term")
    got = (res.facts["n_iterations"], res.sigma2, res.tau2, c.loc["intercept", "estimate"],
           c.loc["popularity", "estimate"], c.loc["log_area", "estimate"],
           c.loc["popularity", "std_error_marginal"], o.loc["popularity", "estimate"],
           o.loc["popularity", "std_error"], float(res.fitted["fitted"].sum()), float(res.ability["mean"].sum()))
    expected = EXPECTED[(sampler, max_iter)]
    assert got[0] == expected[0]
    np.testing.assert_allclose(got[1:9], expected[1:9], rtol=0, atol=1e-10)
    np.testing.assert_allclose(got[9:], expected[9:], rtol=1e-12, atol=1e-9)


def test_the_fit_never_writes_out_the_design_matrix(market):
    # ten million sales by 47 columns would be 3.8 GB: the fit works from the design's parts (six numeric
    # columns, three indicator codes), and PAMData.X writes the matrix only when asked
    res = fit_pam(market.sales, market.covariates, year_effects=True, random_state=3, progress=False,
                  settings={"n_gibbs": 10, "n_burn": 2, "max_iter": 2, "min_iter": 1})
    data = res.data
    assert data._X is None
    assert data.design.dense.shape == (len(data.y), 5) and len(data.design.indicators) == 3
    names = data.encoder.names_
    X = data.X
    assert X.shape == (len(data.y), len(names) + 1) and data.X is X
    np.testing.assert_array_equal(X[:, :-1], data.encoder.transform(data.sales))
    np.testing.assert_array_equal(X[:, -1], data.sales["popularity"].to_numpy())
    np.testing.assert_allclose(res.fitted["fitted"], X @ res.params.to_numpy() + res.ability.set_index(
        ["artist", "window"])["mean"].reindex(pd.MultiIndex.from_arrays(
            [res.fitted["artist"], (res.fitted["window_start"] - 1951) // 5])).to_numpy(), rtol=0, atol=1e-12)
