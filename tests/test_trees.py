"""Gradient-boosted trees and the oracle: a nonlinear signal, determinism, the truth's mean; the registry."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from artstudy.errors import InputError
from artstudy.models.base import Estimator, log_price
from artstudy.models.baselines import Hedonic
from artstudy.models.oracle import Oracle, truth_noise_sd
from artstudy.models.registry import display_name, make_model
from artstudy.models.trees import GradientBoostedTrees, seed_of

SMALL = {"n_estimators": 300, "learning_rate": 0.1, "num_leaves": 15, "min_child_samples": 10,
         "early_stopping_rounds": 20}


def _nonlinear(n=2500, seed=0):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)
    days = np.sort(rng.integers(0, 365 * 8, n))
    dates = pd.Timestamp("2000-01-01") + pd.to_timedelta(days, unit="D")
    y = 5 + 2 * np.sin(2 * x1) + 1.5 * (x2 > 0) * x1 + rng.normal(0, 0.3, n)
    return pd.DataFrame({"lot_id": [f"L{i}" for i in range(n)], "artist": rng.choice(["A", "B", "C"], n),
                         "sale_date": dates, "sale_year": dates.year, "x1": x1, "x2": x2,
                         "artwork_id": [f"W{i}" for i in range(n)], "price": np.exp(y)})


def _r2(y, pred):
    return 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)


@pytest.fixture(scope="module")
def toy():
    sales = _nonlinear()
    return sales[sales["sale_year"] < 2006], sales[sales["sale_year"] >= 2006]


def test_gbt_recovers_a_nonlinear_signal_better_than_hedonic_and_is_deterministic(toy):
    train, test = toy
    model = GradientBoostedTrees(["x1", "x2"], random_state=5, **SMALL).fit(train)
    assert isinstance(model, Estimator) and model.name == "gbt"
    y = log_price(test)
    gbt = _r2(y, model.predict(test))
    hedonic = _r2(y, Hedonic(["x1", "x2"]).fit(train).predict(test))
    assert gbt > hedonic + 0.3 and gbt > 0.9
    again = GradientBoostedTrees(["x1", "x2"], random_state=5, **SMALL).fit(train)
    np.testing.assert_array_equal(again.predict(test), model.predict(test))
    # early stopping and the residual sd on the validation year (the last training year)
    assert model.validation_year_ == 2005 and 1 <= model.n_rounds_ <= SMALL["n_estimators"]
    assert 0.25 < model.sd_ < 0.5
    mean, sd = model.predict_distribution(test)
    interval = model.predict_interval(test, level=0.8)
    np.testing.assert_allclose(interval["upper"] - mean, stats.norm.ppf(0.9) * model.sd_)
    assert np.all(sd == model.sd_)


def test_gbt_on_one_sale_year_has_no_validation_year_and_refuses_before_fit(toy):
    train, _ = toy
    one = train[train["sale_year"] == 2003]
    model = GradientBoostedTrees(["x1"], random_state=np.random.default_rng(1), **SMALL).fit(one)
    assert model.validation_year_ is None and model.n_rounds_ == SMALL["n_estimators"] and model.sd_ > 0
    with pytest.raises(RuntimeError, match="not fitted"):
        GradientBoostedTrees(["x1"]).predict(one)
    assert seed_of(None) == 0 and seed_of(7) == 7


def test_the_registry_makes_gbt_from_the_config():
    model = make_model("gbt", {"evaluation": {"trees": {"num_leaves": 7}, "covariates": ["log_area"]}}, random_state=3)
    model = model.base_factory()  # gbt's intervals are conformal by default (evaluation.conformal): the base
    assert isinstance(model, GradientBoostedTrees) and model.num_leaves == 7 and model.covariates == ("log_area",)
    assert model.popularity is not None and model.random_state == 3
    assert display_name("gbt") == "gradient-boosted trees" and display_name("oracle") == "oracle (truth)"
    with pytest.raises(InputError, match="evaluation.trees.num_leaves"):
        make_model("gbt", {"evaluation": {"trees": {"num_leaves": 0}}})


# ---------------------------------------------------------------------------------------------
# the oracle


def _truth():
    return pd.DataFrame({"lot_id": ["L0", "L1", "L2"], "log_price_usd": [1.0, 2.0, 3.0],
                         "expected_log_price_usd": [0.5, 2.5, 2.0], "latent_log_price_usd": [1.0, 2.0, 3.0]})


def test_the_oracle_predicts_the_truths_mean_with_the_true_noise_sd(tmp_path):
    truth = _truth()
    path = tmp_path / "truth_lots.csv"
    truth.to_csv(path, index=False)
    sales = pd.DataFrame({"lot_id": ["L2", "L0"], "price": [np.nan, 99.0]})
    assert truth_noise_sd(path, default=0.7) == 0.7  # no spec.json beside it
    (tmp_path / "spec.json").write_text(json.dumps({"truth": {"sigma2": 0.25}}))
    assert truth_noise_sd(path, default=0.7) == 0.5
    model = Oracle(path, noise_sd=0.5).fit(sales)
    mean, sd = model.predict_distribution(sales)
    np.testing.assert_array_equal(mean, [2.0, 0.5]) and np.testing.assert_array_equal(sd, [0.5, 0.5])
    assert model.column_ == "expected_log_price_usd"
    # another name of the mean column, a frame instead of a file
    other = truth.drop(columns="expected_log_price_usd").assign(log_price_mean=[7.0, 8.0, 9.0])
    np.testing.assert_array_equal(Oracle(other, 1.0).fit(sales).predict(sales), [9.0, 7.0])
    with pytest.raises(InputError, match=r"oracle: 1 lots are not in the truth table \(L9\)"):
        model.predict(pd.DataFrame({"lot_id": ["L0", "L9"]}))
    with pytest.raises(InputError, match="no column lot_id or expected_log_price_usd"):
        Oracle(truth[["lot_id", "log_price_usd"]], 1.0).fit(sales)
    with pytest.raises(InputError, match="no truth table at"):
        Oracle(tmp_path / "nowhere.csv", 1.0).fit(sales)


def test_the_registry_oracle_needs_the_truth_path(tmp_path):
    with pytest.raises(InputError, match="^model oracle: set evaluation.truth_lots"):
        make_model("oracle")
    path = tmp_path / "truth_lots.csv"
    _truth().to_csv(path, index=False)
    model = make_model("oracle", {"evaluation": {"truth_lots": str(path)}, "truth": {"sigma2": 0.36}})
    assert model.noise_sd == pytest.approx(0.6) and model.name == "oracle"
    np.testing.assert_array_equal(model.fit(pd.DataFrame()).predict(pd.DataFrame({"lot_id": ["L1"]})), [2.5])
