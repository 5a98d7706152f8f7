"""The baseline estimators: naive artist mean, hedonic least squares (popularity, artist effects), random effects."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from artstudy.errors import InputError
from artstudy.models.base import Estimator, in_sample, log_price
from artstudy.models.baselines import Hedonic, NaiveArtistMean, RandomEffects
from artstudy.models.design import DesignEncoder
from artstudy.models.features import history_table, popularity_for
from test_evaluation_market import toy_sales

COVARIATES = ["log_area", "signed", "inscribed", "material", "support"]


@pytest.fixture(scope="module")
def market():
    sales, truth = toy_sales(n=3000, n_artists=40, seed=11)
    return sales, truth


def _frame(artists, log_prices, left_out=None, year=2010):
    n = len(artists)
    return pd.DataFrame({"lot_id": [f"L{i}" for i in range(n)], "artist": artists, "sale_year": year,
                         "price": np.exp(np.asarray(log_prices, dtype=float)),
                         "left_out": pd.array(left_out or [None] * n, dtype="string")})


def test_naive_is_the_artists_training_mean():
    # A: 1, 3; B: 5; a left-out lot of A with a huge price is history only
    train = _frame(["A", "A", "B", "A"], [1.0, 3.0, 5.0, 50.0], left_out=[None, None, None, "creation year given"])
    model = NaiveArtistMean().fit(train)
    assert isinstance(model, Estimator) and model.name == "naive"
    query = _frame(["B", "A", "Z"], [np.nan] * 3)
    mean, sd = model.predict_distribution(query)
    np.testing.assert_allclose(mean, [5.0, 2.0, 3.0])  # unseen Z: the mean of every training sale
    # residuals -1, 1, 0 on 3 - 2 degrees of freedom; unseen: the sd of 1, 3, 5
    np.testing.assert_allclose(sd, [np.sqrt(2.0), np.sqrt(2.0), 2.0])
    interval = model.predict_interval(query, level=0.8)
    np.testing.assert_allclose(interval["upper"] - mean, stats.norm.ppf(0.9) * sd)
    np.testing.assert_allclose(model.predict(query), mean)


def _design(model: Hedonic, rows, history):
    """The explicit regression matrix of a fitted Hedonic model: intercept or artist dummies, then its terms."""
    Z = DesignEncoder(model.covariates, True, intercept=False).fit(rows).transform(rows)
    if model.popularity:
        Z = np.column_stack([Z, popularity_for(rows, history)])
    if model.artist_effects:
        dummies = pd.get_dummies(rows["artist"].astype(str)).sort_index(axis=1).to_numpy(dtype=float)
        return np.column_stack([dummies, Z])
    return np.column_stack([np.ones(len(rows)), Z])


@pytest.mark.parametrize("popularity, artist_effects", [(False, False), (True, False), (False, True), (True, True)])
def test_hedonic_is_least_squares_with_the_exact_predictive_variance(market, popularity, artist_effects):
    sales, _ = market
    model = Hedonic(COVARIATES, popularity=popularity, artist_effects=artist_effects).fit(sales)
    rows = sales.loc[in_sample(sales)]
    X = _design(model, rows, history_table(sales))
    y = log_price(rows)
    mean, sd = model.predict_distribution(rows)
    resid = y - mean
    # in-sample residuals are orthogonal to every column of the design (normal equations)
    assert np.max(np.abs(X.T @ resid)) < 1e-8 * np.sqrt(len(y))
    np.testing.assert_allclose(resid, model.residuals_, atol=1e-10)
    # the predictive variance: sigma^2 (1 + x'(X'X)^-1 x), sigma^2 = RSS / (N - p)
    sigma2 = resid @ resid / (len(y) - np.linalg.matrix_rank(X))
    assert model.sigma2_ == pytest.approx(sigma2, rel=1e-10)
    lever = np.einsum("ij,jk,ik->i", X, np.linalg.pinv(X.T @ X), X)
    np.testing.assert_allclose(sd**2, sigma2 * (1 + lever), rtol=1e-8)
    assert model.name == {(False, False): "hedonic", (True, False): "hedonic_pop", (False, True): "artist_fe",
                          (True, True): "artist_fe_pop"}[(popularity, artist_effects)]


def test_artist_fixed_effects_recover_the_planted_effects(market):
    sales, truth = market
    model = Hedonic(COVARIATES, artist_effects=True).fit(sales)
    fitted = model.artist_effects_
    planted = truth["artist_effect"].reindex(fitted.index)
    # the effects absorb the intercept and the reference levels: compare them centred
    error = (fitted - fitted.mean()) - (planted - planted.mean())
    assert np.abs(error).max() < 0.25
    assert np.corrcoef(fitted, planted)[0, 1] > 0.99
    assert model.coef_["log_area"] == pytest.approx(truth["beta"]["log_area"], abs=0.05)


def test_an_unseen_artist_takes_the_sales_weighted_mean_effect(market):
    sales, _ = market
    model = Hedonic(COVARIATES, artist_effects=True).fit(sales)
    rows = sales.loc[in_sample(sales)].head(5)
    stranger = rows.assign(artist="Nobody Known")
    mean_seen, sd_seen = model.predict_distribution(rows)
    mean_new, sd_new = model.predict_distribution(stranger)
    counts = rows["artist"].map(sales.loc[in_sample(sales), "artist"].value_counts())
    weights = sales.loc[in_sample(sales), "artist"].value_counts().reindex(model.artist_effects_.index)
    weighted = float(np.average(model.artist_effects_, weights=weights))
    effects = model.artist_effects_.reindex(rows["artist"]).to_numpy()
    np.testing.assert_allclose(mean_new - mean_seen, weighted - effects)
    assert (sd_new > sd_seen).all() and (counts > 0).all()
    assert model.effect_var_ == pytest.approx(np.average((model.artist_effects_ - weighted) ** 2, weights=weights))


def test_random_effects_predict_with_the_artists_blup(market):
    import statsmodels.api as sm

    sales, truth = market
    model = RandomEffects(COVARIATES).fit(sales)
    rows = sales.loc[in_sample(sales)]
    enc = DesignEncoder(COVARIATES, True).fit(rows)
    X, y = enc.transform(rows), log_price(rows)
    result = sm.MixedLM(y, X, groups=rows["artist"].astype(str).to_numpy()).fit(reml=True)
    np.testing.assert_allclose(model.coef_, result.fe_params, rtol=1e-6, atol=1e-8)
    blups = pd.Series({k: float(np.asarray(v)[0]) for k, v in result.random_effects.items()})
    np.testing.assert_allclose(model.blup_.reindex(blups.index), blups, atol=1e-6)
    assert np.corrcoef(model.blup_, truth["artist_effect"].reindex(model.blup_.index))[0, 1] > 0.99
    # prediction: fixed part + BLUP; variance sigma^2 + conditional BLUP variance + x'Cov(beta)x
    mean, sd = model.predict_distribution(rows.head(3))
    a = rows.head(3)["artist"].to_numpy()
    x = X[:3]
    np.testing.assert_allclose(mean, x @ result.fe_params + model.blup_.reindex(a).to_numpy())
    n_a = rows["artist"].value_counts().reindex(a).to_numpy()
    tau2, sigma2 = model.re_var_, model.sigma2_
    var = sigma2 + tau2 * sigma2 / (sigma2 + n_a * tau2) + np.einsum("ij,jk,ik->i", x, model.cov_coef_, x)
    np.testing.assert_allclose(sd**2, var)
    # an unseen artist: no BLUP, the whole random-effect variance
    mean_new, sd_new = model.predict_distribution(rows.head(3).assign(artist="Nobody Known"))
    np.testing.assert_allclose(mean_new, x @ result.fe_params)
    np.testing.assert_allclose(sd_new**2 - sd**2, tau2 - tau2 * sigma2 / (sigma2 + n_a * tau2))


@pytest.mark.parametrize("make", [NaiveArtistMean, lambda: Hedonic(COVARIATES), lambda: RandomEffects(COVARIATES)])
def test_bad_training_tables_are_refused(make, market):
    sales, _ = market
    first = sales.index[in_sample(sales)][:2]
    if not isinstance(make(), NaiveArtistMean):
        with pytest.raises(InputError, match="the sales table has no column support"):
            make().fit(sales.drop(columns="support"))
        bad = sales.copy()
        bad.loc[first, "log_area"] = np.nan
        rows = rf"\(rows {first[0]}, {first[1]}\)"
        with pytest.raises(InputError, match=r"column log_area: 2 in-sample rows have no value " + rows):
            make().fit(bad)
    bad = sales.copy()
    bad.loc[first[0], "price"] = np.nan
    with pytest.raises(InputError, match="column price: 1 in-sample rows have no value"):
        make().fit(bad)
    with pytest.raises(RuntimeError, match="not fitted"):
        make().predict(sales)
