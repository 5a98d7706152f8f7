import numpy as np
import pandas as pd
import pytest

from artstudy.errors import InputError
from artstudy.models.pam import PAMResults, fit_pam
from artstudy.models.pam.data import prepare
from artstudy.synth.market import simulate_market
from artstudy.synth.specs import SimulationSpec


@pytest.fixture(scope="module")
def market():
    return simulate_market(SimulationSpec(n_artists=60, n_sales=16_000), rng=np.random.default_rng(11))


@pytest.fixture(scope="module")
def fitted(market):
    return fit_pam(market.sales, covariates=market.covariates, year_effects=True, random_state=5)


@pytest.fixture(scope="module")
def small():
    return simulate_market(SimulationSpec(n_artists=20, n_sales=3000), rng=np.random.default_rng(2))


def test_fit_recovers_known_parameters(market, fitted):
    coef = fitted.coefficients.set_index("term")
    truth = market.coefficients.reindex(coef.index)
    z = (coef["estimate"] - truth) / coef["std_error_marginal"]
    # every coefficient within 4 marginal standard errors, and 90% within 2
    assert np.all(np.abs(z) < 4), z[np.abs(z) >= 4]
    assert np.mean(np.abs(z) < 2) > 0.9
    assert abs(fitted.gamma - 1.38) < 4 * coef.loc["popularity", "std_error_marginal"]
    s = fitted.summary_dict()
    assert s["sigma2"] == pytest.approx(1.0, abs=0.05)
    assert 1.0 < s["tau2"] < 12.0
    assert s["stop_reason"] == "converged" and s["n_sales"] == 16_000 and s["n_artists"] == 60
    # the Monte Carlo error is reported and small next to the sampling error
    assert np.all(coef["mc_error"] > 0) and np.all(coef["mc_error"] < 0.5 * coef["std_error_marginal"])


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


def test_results_tables_and_files(fitted, tmp_path):
    top = fitted.top_artists(3)
    assert top.groupby("window_start")["rank"].max().max() == 3
    ab = fitted.ability
    for _, row in top[top["rank"] == 1].iterrows():
        assert row["mean"] == ab[ab["window_start"] == row["window_start"]]["mean"].max()
    assert fitted.mean_ability().index[0] == ab.groupby("artist")["mean"].mean().idxmax()
    assert list(fitted.trace.columns[-3:]) == ["popularity", "sigma2", "tau2"]
    assert len(fitted.trace) == fitted.summary_dict()["n_iterations"]
    ci = fitted.conf_int(0.9)
    assert np.all(ci["lower"] < fitted.params) and np.all(fitted.params < ci["upper"])
    head = fitted.summary().split("\n\n")[0]
    assert "gamma =" in head and "converged" in head and "MC error" in head and "price unit" in head
    loaded = PAMResults.load(fitted.write(tmp_path / "fit"))
    pd.testing.assert_frame_equal(loaded.coefficients, fitted.coefficients)
    pd.testing.assert_frame_equal(loaded.ability, fitted.ability, check_dtype=False)
    pd.testing.assert_frame_equal(loaded.trace, fitted.trace, check_index_type=False)
    pd.testing.assert_frame_equal(loaded.funnel, fitted.funnel)
    assert loaded.summary() == fitted.summary() and loaded.top_artists(2).equals(fitted.top_artists(2))
    with pytest.raises(InputError, match="not a popularity-ability fit"):
        PAMResults.load(tmp_path / "nothing")


def test_same_seed_same_numbers(small):
    kw = dict(covariates=small.covariates, year_effects=True, settings={"max_iter": 3, "min_iter": 1, "tol": 0.0})
    a = fit_pam(small.sales, random_state=9, **kw).coefficients
    b = fit_pam(small.sales, random_state=9, **kw).coefficients
    pd.testing.assert_frame_equal(a, b)


def test_single_site_sampler_agrees_with_ffbs(market, fitted):
    ss = fit_pam(market.sales, covariates=market.covariates, year_effects=True, random_state=5,
                 settings={"sampler": "single-site"})
    diff = ss.coefficients["estimate"] - fitted.coefficients["estimate"]
    assert np.all(np.abs(diff) < 0.5 * fitted.coefficients["std_error_marginal"])


def test_gig_tau2_draws_agree_with_ars(market, fitted):
    gig = fit_pam(market.sales, covariates=market.covariates, year_effects=True, random_state=5,
                  settings={"tau2_method": "gig"})
    assert gig.summary_dict()["tau2_method"] == "gig"
    diff = gig.coefficients["estimate"] - fitted.coefficients["estimate"]
    assert np.all(np.abs(diff) < 0.5 * fitted.coefficients["std_error_marginal"])
    assert gig.tau2 == pytest.approx(fitted.tau2, rel=0.2)


def test_a_fit_that_does_not_converge_says_so(small):
    res = fit_pam(small.sales, small.covariates, True, settings={"max_iter": 4, "min_iter": 1, "tol": 0.0},
                  random_state=1)
    s = res.summary_dict()
    assert s["stop_reason"] == "max_iter" and not s["converged"] and s["n_iterations"] == 4
    assert "NOT converged: stopped at max_iter" in res.summary()


def _frame(rows):
    return pd.DataFrame(rows, columns=["artist", "sale_year", "work_year", "price", "left_out"])


def test_funnel_and_history_only_rows():
    rows = []
    # kept: 3 works in each of windows 0..5 (1951-1980), plus one 1940 work (before the windows)
    for w in range(6):
        rows += [("keep", 1995, 1951 + 5 * w, 100.0, None)] * 3
    rows += [("keep", 1990, 1940, 50.0, None)]
    rows += [("keep", 1992, None, 20.0, "no creation year")]  # history only: counts for popularity
    rows += [("keep", 2000, 2000, 80.0, None)]  # window 9: outside the artist's span
    rows += [("short", 1996, 1960, 20.0, None)] * 3  # too few windows
    data = prepare(_frame(rows))
    f = data.funnel
    assert list(f["lots"]) == [24, 23, 22, 19, 18]
    assert list(f["lots_removed"]) == [0, 1, 1, 3, 1] and list(f["artists_removed"]) == [0, 0, 0, 1, 0]
    assert data.lengths.tolist() == [6] and data.y.size == 18
    # popularity counts the dropped 1940 work's 1990 sale and the history-only 1992 sale
    np.testing.assert_allclose(data.sales["popularity"], (np.log(50.0) + np.log(20.0)) / 10_000)
    # without selection every artist and window stays
    every = prepare(_frame(rows), settings={"min_works": None})
    assert every.y.size == 22 and every.lengths.tolist() == [10, 1]
    assert list(every.funnel["step"]) == ["lots read", "in the analysis sample (left_out not set)",
                                          "work made inside the study's work windows"]


def test_no_selection_fits_every_artist(small):
    sales = small.sales.copy()
    sales.loc[sales["artist"] == "artist_000", "work_year"] = 1951  # this artist now fails the rule
    kw = dict(covariates=small.covariates, year_effects=True, random_state=1)
    assert fit_pam(sales, **kw).summary_dict()["n_artists"] == 19
    assert fit_pam(sales, settings={"min_works": None}, **kw).summary_dict()["n_artists"] == 20


def test_rank_deficiency_names_the_columns(small):
    sales = small.sales.assign(area_copy=2 * small.sales["log_area"], flat=1.0)
    with pytest.raises(InputError, match=r"columns log_area, area_copy are collinear"):
        fit_pam(sales, covariates=("log_area", "area_copy"))
    with pytest.raises(InputError, match=r"column flat is constant"):
        fit_pam(sales, covariates=("log_area", "flat"))


def test_unknown_settings_are_rejected(small):
    with pytest.raises(InputError, match="n_gibs: unknown key"):
        fit_pam(small.sales, settings={"n_gibs": 3})


def test_relative_popularity_is_unit_free(small):
    kw = dict(covariates=small.covariates, year_effects=True, random_state=3,
              settings={"popularity": {"kind": "relative"}, "max_iter": 5, "min_iter": 1, "tol": 0.0})
    dollars = fit_pam(small.sales, **kw)
    thousands = fit_pam(small.sales.assign(price=small.sales["price"] / 1000), **kw)
    assert thousands.gamma == pytest.approx(dollars.gamma, abs=1e-6)
    assert "unit-free" in dollars.summary()


def test_the_papers_popularity_depends_on_the_price_unit(market, fitted):
    # the same market in thousands of dollars: every log price falls by log(1000), popularity with it
    thousands = fit_pam(market.sales.assign(price=market.sales["price"] / 1000), covariates=market.covariates,
                        year_effects=True, random_state=5)
    se = fitted.coefficients.set_index("term").loc["popularity", "std_error_marginal"]
    assert abs(thousands.gamma - fitted.gamma) > 3 * se
    assert "depends on the price unit" in fitted.summary()


def test_paper_ols_start_reaches_the_same_fixed_point(market, fitted):
    ols = fit_pam(market.sales, covariates=market.covariates, year_effects=True, random_state=5,
                  settings={"init": "ols", "min_iter": 40, "max_iter": 40})
    assert len(ols.trace) == 40
    se = fitted.coefficients["std_error_marginal"].to_numpy()
    diff = np.abs(ols.coefficients["estimate"].to_numpy() - fitted.coefficients["estimate"].to_numpy())
    assert np.all(diff < 0.5 * se)
    # ... after a long way: the first M-step's gamma is far from the fixed point
    gse = fitted.coefficients.set_index("term").loc["popularity", "std_error_marginal"]
    assert abs(ols.trace["popularity"].iloc[0] - fitted.gamma) > 3 * gse


def test_fitted_values_and_residuals(market, fitted):
    f, data = fitted.fitted, fitted.data
    assert list(f.columns) == ["artist", "sale_year", "window_start", "log_price", "fitted", "residual", "lot_id"]
    assert len(f) == 16_000 and f["lot_id"].is_unique
    # fitted = x'beta + gamma u + E[a] at the final estimates, E[a] the ability table's mean
    mean = f.merge(fitted.ability, on=["artist", "window_start"], how="left")["mean"].to_numpy()
    np.testing.assert_allclose(f["fitted"], data.X @ fitted.params.to_numpy() + mean, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(f["residual"], f["log_price"] - f["fitted"])
    truth = market.sales.set_index("lot_id").loc[f["lot_id"]]
    np.testing.assert_array_equal(f["log_price"], np.log(truth["price"].to_numpy()))
    np.testing.assert_array_equal(f["sale_year"], truth["sale_year"].to_numpy())
    # the final M-step is least squares on y - E[a]: residuals orthogonal to every design column
    np.testing.assert_allclose(data.X.T @ f["residual"].to_numpy(), 0.0, atol=1e-7 * len(f))
    assert f.groupby("sale_year")["residual"].mean().abs().max() < 1e-10
    assert f["residual"].std() == pytest.approx(np.sqrt(fitted.sigma2), abs=0.02)


def test_fitted_table_keeps_artwork_ids(small):
    sales = small.sales.assign(artwork_id="W" + small.sales["lot_id"].str[-3:])
    res = fit_pam(sales, small.covariates, True, settings={"max_iter": 2, "min_iter": 1, "tol": 0.0}, random_state=1)
    f = res.fitted
    assert list(f.columns[-2:]) == ["lot_id", "artwork_id"]
    assert (f["artwork_id"] == "W" + f["lot_id"].str[-3:]).all()


def test_ols_matches_statsmodels(small):
    import statsmodels.api as sm

    from artstudy.models.pam.fit import ols_table

    data = prepare(small.sales, small.covariates, True)
    ref = sm.OLS(data.y, data.X).fit()
    table = ols_table(data.X, data.y, data.names)
    assert table["term"].tolist() == data.names and data.names[-1] == "popularity"
    np.testing.assert_allclose(table["estimate"], ref.params, rtol=0, atol=1e-8)
    np.testing.assert_allclose(table["std_error"], ref.bse, rtol=0, atol=1e-8)
    res = fit_pam(small.sales, small.covariates, True, settings={"max_iter": 2, "min_iter": 1, "tol": 0.0},
                  random_state=1)
    pd.testing.assert_frame_equal(res.ols, table)


def test_fitted_and_ols_files(fitted, tmp_path):
    out = fitted.write(tmp_path / "fit")
    assert (out / "fitted.csv").exists() and (out / "ols.csv").exists()
    loaded = PAMResults.load(out)
    pd.testing.assert_frame_equal(loaded.fitted, fitted.fitted)
    pd.testing.assert_frame_equal(loaded.ols, fitted.ols)
    # a fit written before these files still loads, without them
    (out / "fitted.csv").unlink()
    (out / "ols.csv").unlink()
    old = PAMResults.load(out)
    assert old.fitted is None and old.ols is None
    pd.testing.assert_frame_equal(old.coefficients, fitted.coefficients)
