"""The real-data analysis's tables and sentences, on small tables written by hand (exact answers)."""

import numpy as np
import pandas as pd
import pytest

from artstudy.models.pam import paper
from artstudy.study.artnet import (ability_truth_table, coefficient_table, findings, forecast_table, funnel_table,
                                   gamma_verdict, top_artists_table)


@pytest.fixture
def coefficients():
    return pd.DataFrame({
        "term": ["intercept", "log_area", "signed", "inscribed", "material[oil]", "material[pencil]",
                 "support[canvas]", "support[paper]", "popularity"],
        "estimate": [7.0, 0.6, 0.05, 0.1, 0.7, 0.1, 0.8, -0.3, 1.2],
        "std_error": [0.1, 0.02, 0.01, 0.01, 0.05, 0.05, 0.05, 0.05, 0.2],
        "std_error_marginal": [0.2, 0.04, 0.02, 0.02, 0.1, 0.1, 0.1, 0.1, 0.4],
    })


@pytest.fixture
def metrics():
    rows = []
    for model, r2 in [("naive", 0.30), ("hedonic", 0.40), ("pam", 0.55)]:
        for segment in ("fresh", "all", "repeat"):
            rows.append((model, segment, "r2", r2, r2 - 0.05, r2 + 0.05))
            rows.append((model, segment, "mae", 1 - r2, np.nan, np.nan))
    return pd.DataFrame(rows, columns=["model", "segment", "metric", "value", "ci_low", "ci_high"])


def test_coefficient_table_aligns_paper_truth_and_z(coefficients):
    truth = pd.Series({"log_area": 0.65, "popularity": 1.38, "intercept": 7.0})
    table = coefficient_table(coefficients, truth=truth)
    assert table.loc["popularity", "paper_table2"] == 1.38
    assert table.loc["support[paper]", "paper_table2"] == -0.33
    assert np.isnan(table.loc["intercept", "paper_table2"])
    assert table.loc["log_area", "truth"] == 0.65 and np.isnan(table.loc["signed", "truth"])
    assert table.loc["popularity", "z_marginal"] == pytest.approx(3.0)
    other = coefficient_table(coefficients, reference={"popularity": 2.0})
    assert other.loc["popularity", "paper_table2"] == 2.0 and np.isnan(other.loc["log_area", "paper_table2"])


def test_funnel_table_chains_prepare_and_model_funnels():
    prep = pd.DataFrame({"step": ["lots read", "sold"], "lots": [9000, 6000], "artists": [31, 30],
                         "lots_removed": [0, 3000], "artists_removed": [0, 1]})
    model = pd.DataFrame({"step": ["sales read", "selection"], "lots": [6000, 5000], "artists": [30, 20],
                          "lots_removed": [0, 1000], "artists_removed": [0, 10]})
    table = funnel_table(prep, model)
    assert table["step"].tolist() == ["lots read", "sold", "selection"]
    assert table["lots"].tolist() == [9000, 6000, 5000]
    assert table["lots_removed"].tolist() == [0, 3000, 1000]
    assert table["artists_removed"].tolist() == [0, 1, 10]


def test_top_artists_table_is_table_3():
    top = pd.DataFrame({"window_start": [1951, 1951, 1956, 1956], "rank": [1, 2, 1, 2],
                        "artist": ["A", "B", "B", "C"], "mean": [1.234, 0.5, 2.0, -0.25]})
    overall = pd.Series({"B": 1.25, "A": 0.75})
    table = top_artists_table(top, overall, window_width=5)
    assert table.columns.tolist() == ["1951-1955", "1956-1960", "overall"]
    assert table.loc[1, "1951-1955"] == "A (1.23)" and table.loc[2, "1956-1960"] == "C (-0.25)"
    assert table["overall"].tolist() == ["B (1.25)", "A (0.75)"]


def test_ability_truth_table_matches_names_without_case_or_spaces():
    est = pd.DataFrame({"artist": ["Jane  Doe", "john smith", "Nobody"], "window_start": [1951, 1951, 1951],
                        "mean": [0.1, 0.2, 0.3]})
    truth = pd.DataFrame({"artist": ["jane doe", "John Smith", "John Smith"], "window_start": [1951, 1951, 1956],
                          "value": [0.15, 0.25, 0.35]})
    table = ability_truth_table(est, truth)
    assert table["artist"].tolist() == ["Jane  Doe", "john smith"]
    assert table["truth"].tolist() == [0.15, 0.25]


def test_forecast_table_orders_segments_and_names_models(metrics):
    table = forecast_table(metrics, "r2", names={"pam": "popularity-ability"})
    assert table.columns.tolist() == ["all", "repeat", "fresh"]
    assert table.loc["popularity-ability", "all"] == "0.550 (0.500 to 0.600)"
    assert forecast_table(metrics, "mae").loc["naive", "all"] == "0.700"


@pytest.mark.parametrize("estimate, se, words", [
    (1.0, 0.2, "significantly positive"),
    (-0.34, 0.167, "significantly negative"),
    (0.1, 0.2, "includes zero"),
])
def test_gamma_verdict_follows_the_interval(estimate, se, words):
    text = gamma_verdict(estimate, se)
    assert words in text
    assert f"{estimate - 1.959963984540054 * se:.3f} to {estimate + 1.959963984540054 * se:.3f}" in text


def test_findings_text_is_computed_from_the_tables(coefficients, metrics):
    coef = coefficient_table(coefficients)
    funnel = pd.DataFrame({"step": ["a", "b"], "lots": [9000, 6000], "artists": [31, 30]})
    text = findings(coef, metrics, funnel, names={"pam": "popularity-ability"})
    assert "9,000 lots by 31 artists" in text and "6,000 sales by 30 artists" in text
    assert f"{paper.FUNNEL['lots']:,}" in text
    assert "gamma = 1.200 (95% interval 0.416 to 1.984): significantly positive" in text
    assert "Highest R² of log price: popularity-ability (0.550, 95% interval 0.500 to 0.600); hedonic 0.400, naive 0.300" in text
    assert "Materials from dearest: oil, pencil" in text and "supports: canvas, paper" in text
    assert "gamma depends on the price unit" in text and "prices in USD" in text
    relative = findings(coef, metrics, funnel, popularity_kind="relative", currency="EUR")
    assert "unit-free" in relative and "depends on the price unit" not in relative
