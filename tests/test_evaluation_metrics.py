"""Metrics against hand-computed values, bootstrap intervals and paired differences."""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from artstudy.evaluation import metrics as M
from artstudy.evaluation.metrics import (METRICS, compute_metrics, interval_columns, level_tag, metric_plan,
                                         register_metric, score_predictions)

Y = np.array([1.0, 2.0, 3.0, 4.0])
PRED = np.array([1.1, 1.8, 3.3, 3.0])
# an 80% interval: y=1 inside, y=2 below by 0.1, y=3 inside, y=4 above by 0.5
LOWER = np.array([0.5, 2.1, 2.0, 3.0])
UPPER = np.array([1.5, 3.0, 4.0, 3.5])


def _one(name, **columns):
    cols = {"pred": PRED, **columns}
    plan = [p for p in metric_plan(cols, [0.8]) if p[0] == name]
    assert plan, f"{name} not planned"
    return float(compute_metrics(Y, cols, plan)[name])


def test_point_metrics_by_hand():
    # errors y - pred: -0.1, 0.2, -0.3, 1.0
    assert _one("mae") == pytest.approx((0.1 + 0.2 + 0.3 + 1.0) / 4)
    assert _one("medae") == pytest.approx((0.2 + 0.3) / 2)
    # SSE = 0.01 + 0.04 + 0.09 + 1 = 1.14; SST about the mean 2.5 = 5
    assert _one("r2") == pytest.approx(1 - 1.14 / 5)
    # predicted / actual price: e^0.1 (+10.5%), e^-0.2 (-18.1%), e^0.3 (+35.0%), e^-1 (-63.2%)
    assert _one("within25") == pytest.approx(0.5)
    assert _one("within50") == pytest.approx(0.75)


def test_within_counts_an_error_of_exactly_the_share():
    y = np.zeros(4)
    pred = np.log([1.25, 0.75, 1.2501, 0.7499])
    plan = [p for p in metric_plan({"pred": pred}, []) if p[0] == "within25"]
    assert float(compute_metrics(y, {"pred": pred}, plan)["within25"]) == 0.5


def test_interval_metrics_by_hand():
    cols = {"lower80": LOWER, "upper80": UPPER}
    assert _one("coverage80", **cols) == pytest.approx(0.5)
    assert _one("width80", **cols) == pytest.approx((1.0 + 0.9 + 2.0 + 0.5) / 4)
    # alpha = 0.2: each miss costs 2 / 0.2 = 10 times its distance to the interval
    assert _one("interval_score80", **cols) == pytest.approx((4.4 + 10 * 0.1 + 10 * 0.5) / 4)


def test_crps_of_a_normal_prediction_against_its_integral():
    sd = np.array([0.5, 1.0, 2.0, 0.3])
    value = _one("crps", sd=sd)
    by_integral = [integrate.quad(lambda x, m=m, s=s, y=y: (stats.norm.cdf(x, m, s) - (x >= y)) ** 2,
                                  m - 12 * s, m + 12 * s, points=[y], limit=200)[0]
                   for y, m, s in zip(Y, PRED, sd)]
    assert value == pytest.approx(np.mean(by_integral), rel=1e-6)
    # a sharp prediction's CRPS is its absolute error
    assert _one("crps", sd=np.full(4, 1e-9)) == pytest.approx(_one("mae"), abs=1e-8)


def test_level_names_and_what_a_model_allows():
    assert [level_tag(v) for v in (0.8, 0.95, 0.975, 0.5)] == ["80", "95", "97.5", "50"]
    assert interval_columns([0.8, 0.95]) == ["lower80", "upper80", "lower95", "upper95"]
    full = {"pred": PRED, "sd": np.ones(4), "lower80": LOWER, "upper80": UPPER, "lower95": LOWER - 1,
            "upper95": UPPER + 1}
    names = [p[0] for p in metric_plan(full, [0.8, 0.95])]
    assert names == ["r2", "mae", "medae", "within25", "within50", "coverage80", "width80", "interval_score80",
                     "coverage95", "width95", "interval_score95", "crps"]
    # no sd (NaN) and no 95% interval: neither CRPS nor the 95% metrics
    partial = {"pred": PRED, "sd": np.full(4, np.nan), "lower80": LOWER, "upper80": UPPER}
    assert [p[0] for p in metric_plan(partial, [0.8, 0.95])][-1] == "interval_score80"


def test_a_registered_metric_is_scored_for_every_model():
    @register_metric("rmse")
    def rmse(y, pred, **_):
        return np.sqrt(np.mean((y - pred) ** 2, axis=-1))

    try:
        masks = pd.DataFrame({"all": np.ones(4, bool)})
        table, _ = score_predictions(Y, {"m": {"pred": PRED}}, masks, levels=[], n_bootstrap=20)
        row = table[table["metric"] == "rmse"].iloc[0]
        assert row["value"] == pytest.approx(np.sqrt(1.14 / 4))
        assert row["ci_low"] <= row["value"] <= row["ci_high"]
    finally:
        del METRICS["rmse"]
    with pytest.raises(ValueError, match="needs must be one of"):
        register_metric("bad", needs="quantile")


def _market(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(10, 1, n)
    a = y + rng.normal(0, 0.5, n)
    b = y + rng.normal(0, 0.7, n)
    z = 1.2815515655446004
    models = {"a": {"pred": a, "sd": np.full(n, 0.5), "lower80": a - z * 0.5, "upper80": a + z * 0.5},
              "b": {"pred": b, "sd": np.full(n, 0.7), "lower80": b - z * 0.7, "upper80": b + z * 0.7},
              "c": {"pred": b + rng.normal(0, 0.3, n)}}
    segments = pd.DataFrame({"all": np.ones(n, bool), "half": np.arange(n) % 2 == 0, "none": np.zeros(n, bool)})
    return y, models, segments


def test_bootstrap_intervals_hold_the_value_and_shrink_with_n():
    widths = {}
    for n in (100, 1600):
        y, models, segments = _market(n, seed=n)
        table, _ = score_predictions(y, models, segments, levels=[0.8], n_bootstrap=400, ci_level=0.9, seed=3)
        assert list(table.columns) == ["model", "segment", "metric", "value", "ci_low", "ci_high"]
        assert set(table["segment"]) == {"all", "half"}  # an empty segment has no rows
        boot = table[table["metric"] != "n"]
        assert (boot["ci_low"] <= boot["value"] + 1e-12).all() and (boot["value"] <= boot["ci_high"] + 1e-12).all()
        widths[n] = (boot["ci_high"] - boot["ci_low"]).to_numpy()
        counts = table[table["metric"] == "n"].set_index(["model", "segment"])["value"]
        assert counts[("c", "half")] == n / 2 and table[table["metric"] == "n"]["ci_low"].isna().all()
        # model c has neither sd nor intervals: point metrics only
        assert set(table[table["model"] == "c"]["metric"]) == {"r2", "mae", "medae", "within25", "within50", "n"}
    # 16 times the sales: intervals about 4 times narrower
    wide = widths[100] > 0
    assert wide.sum() > 20
    assert np.median(widths[1600][wide] / widths[100][wide]) == pytest.approx(0.25, abs=0.08)


def test_bootstrap_is_seeded_and_independent_of_the_other_models():
    y, models, segments = _market(300, seed=1)
    first, _ = score_predictions(y, models, segments, levels=[0.8], n_bootstrap=200, seed=3)
    again, _ = score_predictions(y, models, segments, levels=[0.8], n_bootstrap=200, seed=3)
    pd.testing.assert_frame_equal(first, again)
    alone, _ = score_predictions(y, {"b": models["b"]}, segments, levels=[0.8], n_bootstrap=200, seed=3)
    pd.testing.assert_frame_equal(first[first["model"] == "b"].reset_index(drop=True), alone)
    other, _ = score_predictions(y, models, segments, levels=[0.8], n_bootstrap=200, seed=4)
    assert not np.allclose(first["ci_low"].dropna(), other["ci_low"].dropna())


def test_paired_differences_are_metric_differences_on_the_same_resamples(monkeypatch):
    y, models, segments = _market(500, seed=2)
    models["a_copy"] = dict(models["a"])
    monkeypatch.setattr(M, "_CHUNK", 5000)  # several bootstrap chunks
    table, diffs = score_predictions(y, models, segments, levels=[0.8], n_bootstrap=300, seed=5)
    assert list(diffs.columns) == ["model", "reference", "segment", "metric", "value", "ci_low", "ci_high"]
    value = table.set_index(["model", "segment", "metric"])["value"]
    d = diffs.set_index(["model", "reference", "segment", "metric"])
    for (m, ref, seg, metric), row in d.iterrows():
        assert row["value"] == pytest.approx(value[(m, seg, metric)] - value[(ref, seg, metric)], abs=1e-12)
        # ordered pairs: the reverse difference is the negative, its interval mirrored
        back = d.loc[(ref, m, seg, metric)]
        assert back["value"] == pytest.approx(-row["value"])
        assert back["ci_low"] == pytest.approx(-row["ci_high"]) and back["ci_high"] == pytest.approx(-row["ci_low"])
    # a model against its copy differs by exactly 0 on every resample: the resamples are paired
    same = d.xs(("a_copy", "a"), level=("model", "reference"))
    assert (same[["value", "ci_low", "ci_high"]].to_numpy() == 0).all()
    # only metrics both models have; n is not differenced
    assert set(d.xs(("c", "a"), level=("model", "reference")).index.get_level_values("metric")) == {
        "r2", "mae", "medae", "within25", "within50"}
    # a is better than b: its MAE is lower, with an interval that excludes 0
    ab = d.loc[("a", "b", "all", "mae")]
    assert ab["ci_high"] < 0
