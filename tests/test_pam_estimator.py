import numpy as np
import pandas as pd
import pytest

from artstudy.models.base import Estimator
from artstudy.models.pam import PopularityAbilityRegressor
from artstudy.synth.market import simulate_market
from artstudy.synth.specs import SimulationSpec


@pytest.fixture(scope="module")
def split():
    sales = simulate_market(SimulationSpec(n_artists=30, n_sales=6000), rng=np.random.default_rng(3)).sales
    return sales[sales["sale_year"] < 2018].reset_index(drop=True), sales[sales["sale_year"] >= 2018].reset_index(drop=True)


@pytest.fixture(scope="module")
def model(split):
    return PopularityAbilityRegressor(settings={"max_iter": 20}, random_state=1).fit(split[0])


def test_predictions_and_intervals_on_later_years(model, split):
    test = split[1]
    assert isinstance(model, Estimator) and model.name == "pam"
    y = np.log(test["price"].to_numpy())
    pred = model.predict(test)
    assert np.sqrt(np.mean((y - pred) ** 2)) < 1.1  # sigma = 1 plus the forecast's uncertainty
    for level in (0.5, 0.8, 0.95):
        band = model.predict_interval(test, level)
        covered = np.mean((band["lower"] <= y) & (y <= band["upper"]))
        assert abs(covered - level) < 0.06, (level, covered)
        np.testing.assert_allclose((band["lower"] + band["upper"]) / 2, pred)


def test_a_prediction_uses_only_earlier_sale_years(model, split):
    test = split[1].copy()
    before = model.predict(test)
    year = 2020
    changed = test.assign(price=np.where(test["sale_year"] == year, test["price"] * 50, test["price"]))
    after = model.predict(changed)
    early = test["sale_year"].to_numpy() <= year
    np.testing.assert_array_equal(after[early], before[early])
    assert np.all(np.abs(after[~early] - before[~early]) > 0)


def test_unseen_artists_and_extrapolated_windows(model, split):
    res = model.results_
    m, d = res.model, res.data
    row = split[1].iloc[[0]]
    i = int(np.flatnonzero(d.artists == row["artist"].iloc[0])[0])
    last = d.first_window[i] + d.lengths[i] - 1
    s = model.settings
    later = row.assign(work_year=s.window_start + s.window_width * (last + 2))  # two windows past the last
    mean, var = model.ability_distribution(later)
    assert mean[0] == pytest.approx(m.ability_mean_[i, d.lengths[i] - 1])
    assert var[0] == pytest.approx(m.ability_sd_[i, d.lengths[i] - 1] ** 2 + 2 * s.sigma_a**2)
    mean, var = model.ability_distribution(row.assign(artist="nobody"))
    assert mean[0] == 0.0 and var[0] == pytest.approx(m.tau2_)
    _, sd_seen = model.predict_distribution(row)
    _, sd_new = model.predict_distribution(row.assign(artist="nobody"))
    assert sd_new[0] > sd_seen[0]


def test_history_only_rows_count_for_popularity_not_the_likelihood(split):
    train = split[0].copy()
    train["left_out"] = pd.array([None] * len(train), dtype="string")
    train.loc[train.index[::10], "left_out"] = "no creation year"
    fit = PopularityAbilityRegressor(settings={"max_iter": 3, "min_iter": 1, "tol": 0.0}, random_state=1).fit(train)
    funnel = fit.results_.funnel
    assert list(funnel["lots"][:2]) == [len(train), len(train) - len(train.index[::10])]
    assert fit.results_.summary_dict()["n_sales"] == funnel["lots"].iloc[-1]
    assert not set(fit.results_.data.sales["lot_id"]) & set(train["lot_id"][::10])
    u = fit.results_.data.sales["popularity"].to_numpy()
    full = PopularityAbilityRegressor(settings={"max_iter": 3, "min_iter": 1, "tol": 0.0}, random_state=1)
    full.fit(split[0])
    kept = full.results_.data.sales.set_index("lot_id")["popularity"]
    np.testing.assert_allclose(u, kept.reindex(fit.results_.data.sales["lot_id"]).to_numpy())


def test_not_fitted():
    with pytest.raises(RuntimeError, match="not fitted"):
        PopularityAbilityRegressor().predict(pd.DataFrame({"artist": ["a"]}))
