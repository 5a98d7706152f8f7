import numpy as np
import pandas as pd
import pytest

from artstudy.study.artnet import (PAPER_TABLE2, ability_truth_table, coefficient_table, findings, funnel_table,
                             top_artists_table)
from artstudy.models.pam.fit import fit_pam
from artstudy.synth.market import SimulationSpec, simulate_market


@pytest.fixture(scope="module")
def fitted():
    sim = simulate_market(SimulationSpec(n_artists=30, n_sales=6000), np.random.default_rng(4))
    return sim, fit_pam(sim.sales, covariates=sim.covariates, year_effects=True, random_state=1)


def test_coefficient_table_aligns_paper_and_truth(fitted):
    sim, res = fitted
    table = coefficient_table(res, truth=sim.coefficients)
    assert table.loc["popularity", "paper_table2"] == 1.38
    assert table.loc["support[paper]", "paper_table2"] == -0.33
    assert np.isnan(table.loc["intercept", "paper_table2"])
    assert table.loc["log_area", "truth"] == 0.65
    assert table["paper_table2"].notna().sum() == len(PAPER_TABLE2)
    np.testing.assert_allclose(table["z_marginal"], table["estimate"] / table["std_error_marginal"])


def test_top_artists_table_is_table_3(fitted):
    _, res = fitted
    table = top_artists_table(res, k=3)
    assert list(table.index) == [1, 2, 3]
    assert table.columns[-1] == "overall" and table.columns[0] == "1951-1955"
    best = res.mean_ability()
    assert table.loc[1, "overall"] == f"{best.index[0]} ({best.iloc[0]:.2f})"
    ab = res.ability[res.ability["window_start"] == 1971]
    top = ab.sort_values("mean", ascending=False).iloc[0]
    assert table.loc[1, "1971-1975"] == f"{top['artist']} ({top['mean']:.2f})"


def test_funnel_table_chains_prepare_and_model_funnels(fitted):
    _, res = fitted
    prep = pd.DataFrame({"step": ["lots read", "sold"], "rows": [9000, 6000], "artists": [31, 30]})
    table = funnel_table(prep, res.funnel)
    assert list(table["lots"][:3]) == [9000, 6000, 6000]
    assert list(table["lots_removed"][:2]) == [0, 3000]
    assert table["artists_removed"].iloc[1] == 1


def test_ability_truth_table(fitted):
    sim, res = fitted
    t = ability_truth_table(res, sim.ability)
    assert len(t) == len(sim.ability)
    assert np.corrcoef(t["mean"], t["truth"])[0, 1] > 0.95


def test_findings_text(fitted):
    sim, res = fitted
    coef = coefficient_table(res, truth=sim.coefficients)
    scores = pd.DataFrame({"model": ["hedonic", "popularity-ability"], "test_rmse": [2.0, 1.0]})
    funnel = pd.DataFrame({"step": ["a", "b"], "lots": [9000, 6000], "artists": [31, 30]})
    text = findings(coef, scores, funnel)
    assert "9,000 lots by 31 artists" in text and "6,000 sales by 30 artists" in text
    assert f"gamma = {res.gamma:.3f}" in text
    assert "Lowest log-price RMSE: popularity-ability (1.000)" in text
    mats = coef[coef.index.str.startswith("material[")]["estimate"].idxmax()[9:-1]
    assert f"Materials from dearest: {mats}" in text
