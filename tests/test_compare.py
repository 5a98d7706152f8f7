import numpy as np
import pytest

from artstudy.evaluation.compare import MODELS, compare_models
from artstudy.models.pam.fit import prepare
from artstudy.synth.market import SimulationSpec, simulate_market


@pytest.fixture(scope="module")
def comparison():
    sim = simulate_market(SimulationSpec(n_artists=40, n_sales=8000), np.random.default_rng(8))
    data = prepare(sim.sales, sim.covariates, year_effects=True)
    scores, preds = compare_models(data, sim.covariates, test_years=3, random_state=2)
    return data, scores.set_index("model"), preds


def test_every_model_scored_on_the_last_sale_years(comparison):
    data, scores, preds = comparison
    assert list(scores.index) == list(MODELS)
    test = preds["split"] == "test"
    assert set(preds.loc[test, "sale_year"]) == {2020, 2021, 2022}
    assert preds.loc[~test, "sale_year"].max() == 2019
    # the hedonic model's in-sample fit is least squares: residuals orthogonal to the intercept
    resid = preds.loc[~test, "y"] - preds.loc[~test, "hedonic"]
    assert abs(resid.mean()) < 1e-8
    assert scores.loc["hedonic", "train_rmse"] == pytest.approx(np.sqrt(np.mean(resid**2)))


def test_popularity_and_ability_add_over_hedonic_baselines(comparison):
    _, s, _ = comparison
    assert s.loc["hedonic + popularity", "train_rmse"] < s.loc["hedonic", "train_rmse"]
    assert s.loc["artist fixed effects", "test_rmse"] < 0.6 * s.loc["hedonic", "test_rmse"]
    # data drawn from the popularity-ability model: it forecasts best
    assert s.loc["popularity-ability", "test_rmse"] <= s["test_rmse"].min() + 1e-12
    # random effects shrink little with hundreds of sales per artist: close to fixed effects
    assert s.loc["random effects", "test_rmse"] == pytest.approx(s.loc["artist fixed effects", "test_rmse"],
                                                                 rel=0.01)


def test_bad_split_is_refused(comparison):
    data, _, _ = comparison
    with pytest.raises(ValueError, match="leaves no training"):
        compare_models(data, (), test_years=40, models=("hedonic",))
