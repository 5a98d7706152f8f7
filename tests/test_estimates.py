"""The models with the auction house's presale estimates (artstudy.models.estimates and the registry's ``+estimates``)."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from artstudy.errors import InputError
from artstudy.evaluation.conformal import ConformalEstimator
from artstudy.evaluation.harness import fit_model, fit_predict
from artstudy.evaluation.split import temporal_split
from artstudy.models.base import Estimator, GaussianEstimator, log_price
from artstudy.models.baselines import Hedonic
from artstudy.models.estimates import ESTIMATE_COLUMNS, WithEstimates, estimate_features
from artstudy.models.registry import (DISPLAY_NAMES, ESTIMATE_BASES, MODEL_NAMES, REGISTRY, conformal_base,
                                      display_name, make_model)
from artstudy.settings import resolve
from test_evaluation_market import toy_sales

ESTIMATE_MODELS = [f"{base}+estimates" for base in ESTIMATE_BASES] + ["house_estimate+estimates"]
#: Small settings: every model, the popularity-ability model included, fits in seconds.
CONFIG = {"seed": 5, "evaluation": {"test_years": 2, "n_bootstrap": 50},
          "model": {"n_gibbs": 30, "n_burn": 5, "max_iter": 5, "min_iter": 2, "min_works": None}}


def _r2(y, pred):
    return 1.0 - np.mean((y - pred) ** 2) / np.var(y)


@pytest.fixture(scope="module")
def config():
    return resolve(CONFIG)


@pytest.fixture(scope="module")
def world():
    """A toy market whose log price is the log mid-estimate plus N(0, 0.1); some lots lack one or both estimates."""
    sales, _ = toy_sales(n=1500, n_artists=25, seed=11)
    rng = np.random.default_rng(3)
    mid = sales["price"].to_numpy() * np.exp(rng.normal(0.0, 0.1, len(sales)))
    mid = np.where(np.isfinite(mid), mid, np.exp(rng.normal(8.0, 1.0, len(sales))))  # unsold lots had estimates too
    low, high = mid / 1.25, mid * 1.25
    pick = rng.random(len(sales))
    low[pick < 0.03], high[(pick >= 0.03) & (pick < 0.06)] = np.nan, np.nan  # only one given
    low[(pick >= 0.06) & (pick < 0.075)] = high[(pick >= 0.06) & (pick < 0.075)] = np.nan  # none given
    return sales.assign(low_estimate=low, high_estimate=high)


# --------------------------------------------------------------------------
# the covariates
# --------------------------------------------------------------------------


def test_estimate_features_of_a_hand_table():
    sales = pd.DataFrame({
        "low_estimate": [100.0, 50.0, np.nan, np.nan, 0.0, -5.0, np.inf, 1000.0],
        "high_estimate": [400.0, np.nan, 80.0, np.nan, 90.0, 0.0, 10.0, 1000.0],
    }, index=list("abcdefgh"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no log of a zero or a negative estimate is taken
        features = estimate_features(sales)
    assert list(features.columns) == list(ESTIMATE_COLUMNS) and features.index.equals(sales.index)
    expected = [np.log(200.0), np.log(50.0), np.log(80.0), 0.0, np.log(90.0), 0.0, np.log(10.0), np.log(1000.0)]
    np.testing.assert_allclose(features["log_estimate"].to_numpy(), expected, rtol=1e-12, atol=0)
    assert features["has_estimate"].dtype == bool and features["log_estimate"].dtype == float
    assert features["has_estimate"].tolist() == [True, True, True, False, True, False, True, True]
    # the log of the geometric mid-estimate, not of the arithmetic one
    assert features.loc["a", "log_estimate"] != pytest.approx(np.log(250.0))


def test_estimate_features_read_nullable_and_text_columns():
    sales = pd.DataFrame({"low_estimate": pd.array([20.0, None, 3.0], dtype="Float64"),
                          "high_estimate": ["80", "x", None]})
    features = estimate_features(sales)
    np.testing.assert_allclose(features["log_estimate"], [np.log(40.0), 0.0, np.log(3.0)])
    assert features["has_estimate"].tolist() == [True, False, True]
    assert estimate_features(sales.iloc[:0]).shape == (0, 2)


@pytest.mark.parametrize("drop, named", [(["low_estimate", "high_estimate"], "low_estimate, high_estimate"),
                                         (["high_estimate"], "high_estimate")])
def test_a_table_without_estimate_columns_is_refused_naming_them(drop, named, world):
    table = world.drop(columns=drop)
    with pytest.raises(InputError, match=f"^a model with estimates needs the presale estimates: the sales table has "
                                         f"no column {named}$"):
        estimate_features(table)
    with pytest.raises(InputError, match=f"^model hedonic\\+estimates needs the presale estimates: .* {named}$"):
        make_model("hedonic+estimates", CONFIG).fit(table)


# --------------------------------------------------------------------------
# the registry
# --------------------------------------------------------------------------


def test_every_estimates_model_is_registered_with_a_display_name():
    assert set(ESTIMATE_MODELS) <= set(MODEL_NAMES) and set(ESTIMATE_MODELS) <= set(REGISTRY)
    assert display_name("artist_fe+estimates") == "artist fixed effects + estimates"
    assert display_name("gbt+estimates") == "gradient-boosted trees + estimates"
    assert display_name("house_estimate+estimates") == "auction house's estimate (calibrated)"
    assert all(DISPLAY_NAMES[name] != name for name in ESTIMATE_MODELS)
    assert not set(ESTIMATE_MODELS) & set(resolve().evaluation.models)  # not run by default


def test_the_base_gets_the_estimate_covariates_and_the_wrapper_the_name(config):
    model = make_model("pam+estimates", config, random_state=2)
    assert isinstance(model, WithEstimates) and model.name == "pam+estimates"
    assert model.base.covariates == (*config.evaluation.covariates, *ESTIMATE_COLUMNS)
    assert model.base.random_state == 2
    assert config.evaluation.covariates == resolve(CONFIG).evaluation.covariates  # the config is not changed
    house = make_model("house_estimate+estimates", config).base_factory()
    assert isinstance(house.base, Hedonic) and house.base.covariates == ESTIMATE_COLUMNS
    assert (house.base.year_effects, house.base.artist_effects, house.base.popularity) == (True, False, False)
    # given already, the columns are not repeated
    twice = resolve({"evaluation": {"covariates": ["log_area", "log_estimate"]}})
    assert make_model("pam+estimates", twice).base.covariates == ("log_area", "log_estimate", "has_estimate")


def test_estimates_models_are_conformal_when_their_base_is(config):
    assert [conformal_base(n) for n in ("gbt+estimates", "house_estimate+estimates", "gbt")] == [
        "gbt", "hedonic", "gbt"]
    assert "pam" not in config.evaluation.conformal and "gbt" in config.evaluation.conformal
    gbt = make_model("gbt+estimates", config)
    assert isinstance(gbt, ConformalEstimator) and gbt.name == "gbt+estimates"
    assert isinstance(gbt.base_factory(), WithEstimates) and gbt.base_factory().name == "gbt+estimates"
    assert not isinstance(make_model("pam+estimates", config), ConformalEstimator)
    assert isinstance(make_model("house_estimate+estimates", config), ConformalEstimator)
    none = {"evaluation": {"conformal": []}}
    assert not any(isinstance(make_model(n, none), ConformalEstimator) for n in ESTIMATE_MODELS)
    only_pam = {"evaluation": {"conformal": ["pam"]}}
    assert isinstance(make_model("pam+estimates", only_pam), ConformalEstimator)
    assert not isinstance(make_model("hedonic+estimates", only_pam), ConformalEstimator)


# --------------------------------------------------------------------------
# the wrapper mirrors its base
# --------------------------------------------------------------------------


class _PointOnly:
    """A base with no predictive distribution: the mean log estimate, the interval +-1."""

    name = "point"
    covariates = ("log_estimate",)

    def fit(self, sales):
        self.shift_ = float(np.nanmean(log_price(sales) - sales["log_estimate"].to_numpy()))
        return self

    def predict(self, sales):
        return sales["log_estimate"].to_numpy() + self.shift_

    def predict_interval(self, sales, level=0.8):
        mean = self.predict(sales)
        return pd.DataFrame({"lower": mean - 1, "upper": mean + 1}, index=sales.index)


def test_the_wrapper_has_a_distribution_and_is_gaussian_only_when_its_base_is(world):
    hedonic = WithEstimates(Hedonic(ESTIMATE_COLUMNS))
    assert isinstance(hedonic, (WithEstimates, GaussianEstimator, Estimator)) and hedonic.name == "hedonic+estimates"
    assert type(hedonic).predict_interval is GaussianEstimator.predict_interval  # the harness's normal quantiles
    point = WithEstimates(_PointOnly(), name="point+")
    assert isinstance(point, (WithEstimates, Estimator)) and not isinstance(point, GaussianEstimator)
    assert not hasattr(point, "predict_distribution")
    with pytest.raises(RuntimeError, match="not fitted"):
        point.predict(world)
    point.fit(world)
    assert np.isfinite(point.predict(world)).all() and not hasattr(point.base, "shift_")  # a copy was fitted
    np.testing.assert_allclose(point.predict_interval(world)["upper"] - point.predict(world), 1.0)
    # the wrapper is the base fitted on the table with the columns
    hedonic.fit(world)
    direct = Hedonic(ESTIMATE_COLUMNS).fit(world.assign(**estimate_features(world)))
    for got, want in zip(hedonic.predict_distribution(world), direct.predict_distribution(world.assign(
            **estimate_features(world)))):
        np.testing.assert_allclose(got, want)
    assert list(hedonic.base_.coef_.index[:2]) == list(ESTIMATE_COLUMNS) and hedonic.indicator_
    again = pickle.loads(pickle.dumps(hedonic))
    assert type(again) is type(hedonic)
    np.testing.assert_array_equal(again.predict(world), hedonic.predict(world))


def test_conformal_calibration_fits_see_the_estimates_and_normalise_by_the_base_sd(world, config):
    model, _ = fit_model("hedonic+estimates", world, config)
    assert isinstance(model, ConformalEstimator) and model.normalized_
    for fitted in (model.calibration_model_, model.model_):
        assert isinstance(fitted, WithEstimates) and "log_estimate" in fitted.base_.coef_.index
        assert fitted.base_.coef_["log_estimate"] == pytest.approx(1.0, abs=0.05)


def test_a_constant_indicator_is_left_out_of_the_base(world, config):
    every = world.loc[world["low_estimate"].notna() & world["high_estimate"].notna()]
    model = make_model("random_effects+estimates", {**CONFIG, "evaluation": {"conformal": []}}).fit(every)
    assert not model.indicator_ and model.base_.covariates == (*config.evaluation.covariates, "log_estimate")
    assert "has_estimate" in model.base.covariates and np.isfinite(model.predict(world)).all()


# --------------------------------------------------------------------------
# every model, through the harness
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ESTIMATE_MODELS)
def test_every_estimates_model_fits_and_predicts_finite_values_and_intervals(name, world, config):
    predictions = fit_predict(name, world, config)
    values = predictions.drop(columns=["lot_id", "model"]).to_numpy(dtype=float)
    assert len(predictions) > 100 and np.isfinite(values).all() and (predictions["model"] == name).all()
    assert ((predictions["lower95"] <= predictions["lower80"]) & (predictions["lower80"] < predictions["pred"])
            & (predictions["pred"] < predictions["upper80"]) & (predictions["upper80"] <= predictions["upper95"])).all()


def test_the_estimates_explain_the_price_where_the_covariates_cannot(world, config):
    split = temporal_split(world, config)
    y = log_price(world)[split.scored]
    r2 = {name: _r2(y, fit_predict(name, world, config, split)["pred"].to_numpy())
          for name in ("hedonic", "hedonic+estimates", "house_estimate+estimates")}
    assert r2["hedonic+estimates"] > 0.95 and r2["house_estimate+estimates"] > 0.95
    assert r2["hedonic"] < 0.6
