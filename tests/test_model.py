import numpy as np
import pandas as pd
import pytest

from artstudy.models.pam.fit import fit_pam, prepare
from artstudy.synth.market import SimulationSpec, simulate_market
from artstudy.models.pam.model import PopularityAbilityModel


@pytest.fixture(scope="module")
def market():
    return simulate_market(SimulationSpec(n_artists=60, n_sales=16_000), np.random.default_rng(11))


@pytest.fixture(scope="module")
def fitted(market):
    return fit_pam(market.sales, covariates=market.covariates, year_effects=True, random_state=5)


def test_fit_recovers_known_parameters(market, fitted):
    coef = fitted.coefficients.set_index("term")
    truth = market.coefficients.reindex(coef.index)
    z = (coef["estimate"] - truth) / coef["std_error_marginal"]
    # every coefficient within 4 marginal standard errors, and 90% within 2
    assert np.all(np.abs(z) < 4), z[np.abs(z) >= 4]
    assert np.mean(np.abs(z) < 2) > 0.9
    assert coef.loc["log_area", "estimate"] == pytest.approx(0.65, abs=0.02)
    assert fitted.gamma == pytest.approx(1.38, abs=4 * coef.loc["popularity", "std_error_marginal"])
    s = fitted.summary_dict()
    assert s["sigma2"] == pytest.approx(1.0, abs=0.05)
    assert 1.0 < s["tau2"] < 12.0
    assert s["converged"] and s["n_sales"] == 16_000 and s["n_artists"] == 60


def test_abilities_recovered_up_to_a_common_level(market, fitted):
    est = fitted.ability.merge(market.ability, on=["artist", "window"])
    err = est["mean"] - est["value"]
    centred = err - err.mean()
    assert np.sqrt(np.mean(centred**2)) < 0.25
    assert np.corrcoef(est["mean"], est["value"])[0, 1] > 0.98
    assert 0.85 < np.mean(np.abs(centred) <= 1.96 * est["sd"]) <= 1.0


def test_marginal_standard_errors_are_at_least_the_papers(fitted):
    coef = fitted.coefficients
    assert np.all(coef["std_error_marginal"] >= coef["std_error"] * (1 - 1e-9))
    gamma = coef.set_index("term").loc["popularity"]
    assert gamma["std_error_marginal"] > 1.3 * gamma["std_error"]


def test_results_tables(fitted):
    top = fitted.top_artists(3)
    assert top.groupby("window_start")["rank"].max().max() == 3
    first = top[top["rank"] == 1]
    ab = fitted.ability
    for _, row in first.iterrows():
        assert row["mean"] == ab[ab["window_start"] == row["window_start"]]["mean"].max()
    mean_ab = fitted.mean_ability()
    assert mean_ab.index[0] == ab.groupby("artist")["mean"].mean().idxmax()
    assert list(fitted.trace.columns[-3:]) == ["popularity", "sigma2", "tau2"]
    assert len(fitted.trace) == fitted.model.n_iter_
    assert "gamma =" in fitted.summary()


def test_same_seed_same_numbers(market):
    kw = dict(covariates=market.covariates, year_effects=True, max_iter=3, tol=0.0)
    a = fit_pam(market.sales, random_state=9, **kw).coefficients
    b = fit_pam(market.sales, random_state=9, **kw).coefficients
    pd.testing.assert_frame_equal(a, b)


def test_single_site_sampler_agrees_with_ffbs(market, fitted):
    ss = fit_pam(market.sales, covariates=market.covariates, year_effects=True, random_state=5,
                 sampler="single-site")
    diff = ss.coefficients["estimate"] - fitted.coefficients["estimate"]
    assert np.all(np.abs(diff) < 0.5 * fitted.coefficients["std_error_marginal"])


def test_funnel_counts_what_the_rules_remove():
    rows = []
    # kept: 3 works in each of windows 0..5 (1951-1980), plus one 1940 work (before the windows)
    for w in range(6):
        rows += [("keep", 1995, 1951 + 5 * w, 100.0)] * 3
    rows += [("keep", 1990, 1940, 50.0)]
    rows += [("keep", 2000, 2000, 80.0)]  # window 9: outside the artist's span
    rows += [("short", 1996, 1960, 20.0)] * 3  # too few windows
    frame = pd.DataFrame(rows, columns=["artist", "sale_year", "work_year", "price"])
    data = prepare(frame)
    f = data.funnel.set_index("step")
    assert list(f["sales"]) == [23, 22, 19, 18]
    assert list(f["sales_removed"]) == [0, 1, 3, 1]
    assert list(f["artists_removed"]) == [0, 0, 1, 0]
    assert data.lengths.tolist() == [6]
    # popularity counts the dropped 1940 work's 1990 sale: it is earlier market history
    np.testing.assert_allclose(data.sales["popularity"], np.log(50.0) / 10_000)


def test_estimator_rejects_unknown_options():
    with pytest.raises(ValueError, match="unknown sampler"):
        PopularityAbilityModel(sampler="nuts").fit(np.ones((3, 1)), np.zeros(3), [0, 0, 0], [0, 0, 0], [1])


def test_paper_ols_start_reaches_the_same_fixed_point(market, fitted):
    ols = fit_pam(market.sales, covariates=market.covariates, year_effects=True, random_state=5, init="ols",
                  min_iter=40, max_iter=40)
    assert ols.model.n_iter_ == 40 and len(ols.trace) == 40
    se = fitted.coefficients["std_error_marginal"].to_numpy()
    diff = np.abs(ols.coefficients["estimate"].to_numpy() - fitted.coefficients["estimate"].to_numpy())
    assert np.all(diff < 0.5 * se)
    # ... after a long way: the first M-step's gamma is far from the fixed point
    gse = fitted.coefficients.set_index("term").loc["popularity", "std_error_marginal"]
    assert abs(ols.trace["popularity"].iloc[0] - fitted.gamma) > 3 * gse
    assert fitted.model.n_iter_ >= fitted.model.min_iter
