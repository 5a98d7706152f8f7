"""The harness: the registry, fit_predict's predictions table, score's tidy tables and evaluate."""

import io

import numpy as np
import pandas as pd
import pytest

from artstudy.errors import InputError
from artstudy.evaluation import harness
from artstudy.evaluation.harness import PREDICTION_COLUMNS, evaluate, fit_predict, model_seed, score
from artstudy.evaluation.split import temporal_split
from artstudy.models.base import Estimator, log_price
from artstudy.models.registry import DISPLAY_NAMES, MODEL_NAMES, REGISTRY, display_name, make_model
from artstudy.settings import resolve
from test_evaluation_market import toy_sales

BASELINES = ("naive", "hedonic", "hedonic_pop", "artist_fe", "artist_fe_pop", "random_effects")
CONFIG = {"seed": 7, "evaluation": {"test_years": 2, "n_bootstrap": 200}}


@pytest.fixture(scope="module")
def config():
    return resolve(CONFIG)


@pytest.fixture(scope="module")
def market():
    sales, _ = toy_sales(n=2000, n_artists=30, seed=4)
    return sales


@pytest.fixture(scope="module")
def predictions(market, config):
    split = temporal_split(market, config)
    return {name: fit_predict(name, market, config, split) for name in BASELINES}


# ---------------------------------------------------------------------------------------------
# the registry


def test_every_registered_model_has_a_display_name_and_the_defaults_are_registered(config):
    assert MODEL_NAMES == tuple(REGISTRY)
    assert set(DISPLAY_NAMES) == set(REGISTRY)
    assert display_name("naive") == "naive (artist mean)" and display_name("newcomer") == "newcomer"
    assert set(config.evaluation.models) <= set(REGISTRY)


def test_trees_run_by_default_and_the_oracle_only_where_a_truth_exists(config):
    assert display_name("gbt") == "gradient-boosted trees" and display_name("oracle") == "oracle (truth)"
    assert "gbt" in config.evaluation.models and "oracle" not in config.evaluation.models  # the workflow adds it
    # for the synthetic world, whose truth it reads
    with pytest.raises(InputError, match="^model oracle: set evaluation.truth_lots to the synthetic world's"):
        make_model("oracle", config)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_make_model_gives_an_unfitted_estimator_of_the_protocol(name, config):
    if name == "oracle":  # it needs the world's truth table
        truth = {"evaluation": {"truth_lots": "truth_lots.csv"}}
        config = resolve({**CONFIG, "evaluation": {**CONFIG["evaluation"], **truth["evaluation"]}})
        assert make_model(name, {**truth, "evaluation": {**truth["evaluation"], "covariates": ["log_area"]}}).name == name
        assert make_model(name, config, random_state=1).name == name
        return
    model = make_model(name, config, random_state=1)
    assert isinstance(model, Estimator) and model.name == name
    assert not [k for k in vars(model) if k.endswith("_") and not k.startswith("_")]  # nothing fitted yet
    if hasattr(model, "covariates"):
        assert tuple(model.covariates) == tuple(config.evaluation.covariates)
    # a dict config is validated; None takes the defaults
    assert make_model(name, {"evaluation": {"covariates": ["log_area"]}}).name == name
    assert make_model(name).name == name


def test_pam_forecasts_every_training_artist_unless_selection_is_asked_for():
    assert make_model("pam", {"model": {"min_works": 4}}).settings.min_works is None
    chosen = make_model("pam", {"model": {"min_works": 4}, "evaluation": {"pam_selection": True}})
    assert chosen.settings.min_works == 4


def test_make_model_refuses_an_unknown_name_listing_the_known_ones():
    with pytest.raises(InputError, match=r"unknown model 'xgb' \(known models: naive, hedonic, "):
        make_model("xgb")


def test_model_seeds_are_stable_and_differ_by_model_and_study_seed(config):
    seeds = {name: model_seed(config, name) for name in MODEL_NAMES}
    assert len(set(seeds.values())) == len(seeds)
    assert seeds == {name: model_seed(CONFIG, name) for name in MODEL_NAMES}
    assert model_seed({"seed": 8}, "naive") != seeds["naive"]
    assert all(0 <= s < 2**32 for s in seeds.values())


# ---------------------------------------------------------------------------------------------
# fit_predict


def test_the_model_is_fitted_on_the_training_rows_only(market, config, monkeypatch):
    seen = {}
    real = harness.make_model

    def spy(name, cfg, random_state):
        model = real(name, cfg, random_state)
        fit = model.fit

        def record(sales):
            seen["sales"], seen["seed"] = sales, random_state
            return fit(sales)

        model.fit = record
        return model

    monkeypatch.setattr(harness, "make_model", spy)
    split = temporal_split(market, config)
    fit_predict("hedonic_pop", market, config)
    given = seen["sales"]
    assert given.index.equals(market.index[split.train])  # history-only training rows included
    assert pd.to_datetime(given["sale_date"]).max() < split.cutoff
    assert seen["seed"] == model_seed(config, "hedonic_pop")


def test_the_predictions_table_has_one_row_per_scored_test_lot(market, config, predictions):
    split = temporal_split(market, config)
    scored = market.loc[split.scored, "lot_id"].to_numpy()
    for name, pred in predictions.items():
        assert list(pred.columns) == PREDICTION_COLUMNS + ["lower80", "upper80", "lower95", "upper95"]
        assert (pred["lot_id"].to_numpy() == scored).all() and (pred["model"] == name).all()
        values = pred.drop(columns=["lot_id", "model"]).to_numpy(dtype=float)
        assert np.isfinite(values).all()
        assert ((pred["lower95"] < pred["lower80"]) & (pred["lower80"] < pred["pred"])
                & (pred["pred"] < pred["upper80"]) & (pred["upper80"] < pred["upper95"])).all()
    # the model's own predict and predict_interval agree with the table
    model, _ = harness.fit_model("artist_fe", market, config, split)
    test = market.loc[split.scored]
    np.testing.assert_allclose(predictions["artist_fe"]["pred"], model.predict(test))
    interval = model.predict_interval(test, level=0.95)
    np.testing.assert_allclose(predictions["artist_fe"]["upper95"], interval["upper"])


class _NoDistribution:
    """An estimator with point predictions and its own (asymmetric) intervals, e.g. a conformal one."""

    name = "plain"

    def fit(self, sales):
        self.mean_ = float(np.nanmean(log_price(sales)))
        return self

    def predict(self, sales):
        return np.full(len(sales), self.mean_)

    def predict_interval(self, sales, level=0.8):
        return pd.DataFrame({"lower": self.predict(sales) - level, "upper": self.predict(sales) + 2 * level},
                            index=sales.index)


def test_a_model_without_a_predictive_sd_gives_its_own_intervals_and_no_crps(market, config, monkeypatch):
    monkeypatch.setitem(harness.REGISTRY, "plain", lambda cfg, random_state: _NoDistribution())
    pred = fit_predict("plain", market, config)
    assert pred["sd"].isna().all()
    np.testing.assert_allclose(pred["upper95"] - pred["pred"], 1.9)
    np.testing.assert_allclose(pred["pred"] - pred["lower80"], 0.8)
    metrics, _ = score(market, pred, config)
    assert "crps" not in set(metrics["metric"]) and "coverage95" in set(metrics["metric"])


# ---------------------------------------------------------------------------------------------
# score and evaluate


def test_score_gives_the_tidy_tables_by_segment(market, config, predictions):
    split = temporal_split(market, config)
    metrics, diffs = score(market, list(predictions.values()), config, split=split)
    assert list(metrics.columns) == ["model", "segment", "metric", "value", "ci_low", "ci_high"]
    assert list(diffs.columns) == ["model", "reference", "segment", "metric", "value", "ci_low", "ci_high"]
    assert list(pd.unique(metrics["model"])) == list(BASELINES)
    assert set(metrics["segment"]) == {"all", "repeat", "fresh", "unseen_artist"}
    names = {"r2", "mae", "medae", "within25", "within50", "coverage80", "width80", "interval_score80",
             "coverage95", "width95", "interval_score95", "crps", "n"}
    assert set(metrics["metric"]) == names
    n = metrics[metrics["metric"] == "n"].set_index(["model", "segment"])["value"]
    assert (n.xs("all", level="segment") == split.scored.sum()).all()
    assert n[("naive", "repeat")] + n[("naive", "fresh")] == split.scored.sum()
    # the values are the metrics of the scored rows, by hand for the MAE
    y = log_price(market.loc[split.scored])
    mae = metrics.set_index(["model", "segment", "metric"])["value"]
    assert mae[("naive", "all", "mae")] == pytest.approx(np.mean(np.abs(y - predictions["naive"]["pred"])))
    # artist effects beat the hedonic model without them, with an interval excluding 0
    d = diffs.set_index(["model", "reference", "segment", "metric"])
    assert d.loc[("artist_fe", "hedonic", "all", "r2"), "ci_low"] > 0
    # the order of the prediction rows and a CSV round trip do not matter
    shuffled = [p.sample(frac=1.0, random_state=1) for p in predictions.values()]
    text = io.StringIO()
    pd.concat(shuffled).to_csv(text, index=False)
    again, _ = score(market, pd.read_csv(io.StringIO(text.getvalue())), config)
    pd.testing.assert_frame_equal(again, metrics)


def test_score_refuses_missing_repeated_and_foreign_predictions(market, config, predictions):
    pred = predictions["naive"]
    with pytest.raises(InputError, match=r"model naive: column pred: no value for 1 of the \d+ scored test lots"):
        score(market, pred.iloc[1:], config)
    with pytest.raises(InputError, match="model naive: lot ids given more than once"):
        score(market, pd.concat([pred, pred.head(1)]), config)
    foreign = pred.copy()
    foreign.loc[0, "lot_id"] = market["lot_id"].iloc[0]  # a training lot
    with pytest.raises(InputError, match="1 lots are not in the test period of this split"):
        score(market, foreign, config)
    gap = pred.copy()
    gap.loc[3, "sd"] = np.nan
    with pytest.raises(InputError, match="column sd: no value for 1 of"):
        score(market, gap, config)
    with pytest.raises(InputError, match="no predictions given"):
        score(market, [], config)


def test_evaluate_runs_the_harness_in_memory(market, config, predictions):
    result = evaluate(market, config, models=["naive", "artist_fe"])
    pd.testing.assert_frame_equal(result.predictions[result.predictions["model"] == "naive"].reset_index(drop=True),
                                  predictions["naive"])
    table = result.table("r2", "all")
    assert list(table.index) == ["naive", "artist_fe"] and (table["ci_low"] <= table["value"]).all()
    assert result.split.describe()["test_from"] == 2013
    with pytest.raises(InputError, match="unknown model 'nope'"):
        evaluate(market, config, models=["naive", "nope"])


def test_a_simulated_market_without_lot_ids_or_dates_is_evaluated_by_row():
    rng = np.random.default_rng(0)
    n = 600
    artist = rng.integers(0, 20, n)
    sales = pd.DataFrame({"artist": [f"A{a}" for a in artist], "sale_year": np.sort(rng.integers(2000, 2010, n)),
                          "log_area": rng.normal(7, 1, n), "signed": rng.random(n) < 0.5,
                          "inscribed": rng.random(n) < 0.2, "material": rng.choice(["oil", "other"], n),
                          "support": rng.choice(["canvas", "other"], n)})
    sales["price"] = np.exp(5 + 0.1 * artist + 0.5 * sales["log_area"] + rng.normal(0, 0.3, n))
    result = evaluate(sales, {"evaluation": {"n_bootstrap": 50}}, models=["naive", "random_effects"])
    test = result.split.test
    assert result.predictions["lot_id"].tolist()[:test.sum()] == [str(i) for i in np.flatnonzero(test)]
    assert set(result.metrics["segment"]) == {"all"}  # every artist sold in training: no unseen segment
