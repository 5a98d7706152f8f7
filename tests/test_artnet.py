"""The real-data analysis's tables and sentences, on small tables written by hand (exact answers)."""

import numpy as np
import pandas as pd
import pytest

from artstudy.models.pam import paper
from artstudy.study.artnet import (ability_truth_table, band_coverage, band_sentence, cannot_check_sentence,
                                   censoring_facts, censoring_sentence, centred_truth, citation_markdown,
                                   coefficient_table, findings, forecast_table, funnel_table, gamma_verdict,
                                   introduction, ols_gamma_sentence, selection_facts, selection_sentence,
                                   source_notes, split_sentence, top_artists_table, traced_terms, truth_sentence)


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
    assert "log area 0.600 (paper 0.65)" in text
    relative = findings(coef, metrics, funnel, popularity_kind="relative", currency="EUR", extra=["**X.** y"])
    assert "unit-free" in relative and "depends on the price unit" not in relative
    assert "- **X.** y" in relative


@pytest.mark.parametrize("estimate, se, reference, text", [
    (1.0, 0.2, "truth", "gamma = 1.000 (95% interval 0.608 to 1.392): significantly positive."),
    (-0.34, 0.167, "truth", "gamma = -0.340 (95% interval -0.667 to -0.013): significantly negative."),
    (0.1, 0.2, "truth", "gamma = 0.100 (95% interval -0.292 to 0.492): the interval includes zero."),
])
def test_gamma_verdict_on_generated_data_says_nothing_of_markets(estimate, se, reference, text):
    assert gamma_verdict(estimate, se, reference=reference) == text


def test_findings_on_generated_data_compare_with_the_truth(coefficients, metrics):
    coef = coefficient_table(coefficients, truth=pd.Series({"popularity": 1.38, "log_area": 0.65, "signed": 0.04,
                                                            "inscribed": 0.09}))
    funnel = pd.DataFrame({"step": ["a", "b"], "lots": [9000, 6000], "artists": [31, 30]})
    text = findings(coef, metrics, funnel)
    assert "significantly positive." in text and "rich-get-richer" not in text and "The true value is 1.38." in text
    assert "log area 0.600 (truth 0.65)" in text and "which this world imitates" in text
    assert "(paper " not in text


def test_citation_and_introductions():
    cite = citation_markdown()
    assert paper.TITLE in cite and paper.JOURNAL in cite and f"https://doi.org/{paper.DOI}" in cite
    synthetic = introduction("synthetic", True)
    real = introduction("askart_ny", False, "New York auction results 2009-2018")
    assert cite in synthetic and cite in real
    assert "**the truth**, not with the paper" in synthetic and "nothing here is a finding about art markets" in synthetic
    assert "Table 2" in real and "(New York auction results 2009-2018)" in real and "the truth" not in real


def test_source_notes_drop_the_conversion_for_a_single_currency_source():
    mapping = {"path": "x.csv", "columns": {"artist": "a", "price": "p", "sale_date": "d", "lot_id": "i"}, "currency": "USD"}
    one = source_notes(mapping, "ny", {"target": "USD"}, ["USD"])
    assert "All prices are in USD as the export gives them; none is converted." in one
    assert not any(n.startswith("Prices are converted") for n in one)
    many = source_notes(mapping, "ny", {"target": "USD"}, ["USD", "GBP", np.nan])
    assert any(n.startswith("Prices are converted to USD") for n in many)


def test_traced_terms_pick_a_year_the_data_have():
    cols = ["intercept", "log_area", "signed", "material[oil]", "year[2008]", "year[2009]", "popularity", "sigma2"]
    assert traced_terms(cols) == ["log_area", "signed", "material[oil]", "year[2008]", "popularity"]
    ny = ["log_area", "signed", "material[oil]"] + [f"year[{y}]" for y in range(2010, 2019)] + ["popularity"]
    assert traced_terms(ny) == ["log_area", "signed", "material[oil]", "year[2014]", "popularity"]
    assert traced_terms(["log_area", "popularity"]) == ["log_area", "popularity"]


def test_split_sentence():
    split = {"train": {"first_year": 2009, "last_year": 2015, "rows": 20058, "in_sample": 10472},
             "test": {"first_year": 2016, "last_year": 2018, "rows": 8037, "in_sample": 4445}}
    assert split_sentence(split) == ("Models learn from the sales of 2009-2015 (10,472 sales in the analysis sample, "
                                     "20,058 lots in all) and value those of 2016-2018 (4,445 in the sample, 8,037 "
                                     "in all).")


def test_censoring_counts_artists_with_work_before_the_first_sale_year():
    sales = pd.DataFrame({"sale_year": [2011, 2009, 2015]})
    ability = pd.DataFrame({"artist": ["A", "A", "B", "C", "C"], "window_start": [1996, 2001, 2011, 2006, 2011]})
    facts = censoring_facts(sales, ability)
    assert facts == {"first_sale_year": 2009, "n_artists": 3, "n_before": 2, "share_before": 2 / 3}
    text = censoring_sentence(facts)
    assert "left-censored at 2009: 2 of the 3 fitted artists (67%) have a first work window starting before 2009" in text
    none = censoring_sentence({"first_sale_year": 1990, "n_artists": 3, "n_before": 0, "share_before": 0.0})
    assert "misses no earlier sales" in none


def test_selection_facts_and_sentence():
    funnel = pd.DataFrame({"step": ["lots read", "in the analysis sample", "work made inside the study's work windows",
                                    "artist has >= 3 works in each of >= 6 consecutive windows",
                                    "work made within the artist's span [t'0, t'1]"],
                           "lots": [28095, 14917, 14917, 5196, 5089], "artists": [2901, 1733, 1733, 41, 41]})
    facts = selection_facts(funnel)
    assert facts == {"lots_before": 14917, "artists_before": 1733, "lots_after": 5089, "artists_after": 41}
    text = selection_sentence(facts)
    assert "keeps 41 of 1,733 artists here (2%; 5,089 of 14,917 sales) against 152 of 260 (58%)" in text
    assert "much narrower group" in text
    similar = selection_sentence({"lots_before": 100, "artists_before": 10, "lots_after": 60, "artists_after": 5})
    assert "comparable to the paper's" in similar


def _coef_gamma(estimate, se):
    return pd.DataFrame({"estimate": [estimate], "std_error": [se / 2], "std_error_marginal": [se]},
                        index=pd.Index(["popularity"], name="term"))


@pytest.mark.parametrize("ols_est, full_est, words", [
    (1.6, -0.314, "The signs differ."),
    (1.6, 1.2, "Both say the same about the sign"),
    (1.6, 0.1, "One of the two cannot tell the sign"),
])
def test_ols_gamma_sentence(ols_est, full_est, words):
    ols = pd.DataFrame({"term": ["intercept", "popularity"], "estimate": [5.0, ols_est], "std_error": [0.1, 0.2]})
    text = ols_gamma_sentence(ols, _coef_gamma(full_est, 0.13))
    assert words in text
    assert f"gives gamma = {ols_est:.3f} (se 0.200), significantly positive" in text
    assert f"the full model gives {full_est:.3f} (marginal se 0.130)" in text


def test_band_coverage_raw_and_centred():
    # every estimate 0.5 above the truth: outside the ±2 sd bands as estimated, inside after centring
    ability = pd.DataFrame({"mean": [1.5, 0.5, -0.5, 2.3], "sd": [0.1, 0.1, 0.1, 0.1], "truth": [1.0, 0.0, -1.0, 1.5]})
    cov = band_coverage(ability)
    assert cov["raw"] == 0.0 and cov["centred"] == 0.75 and cov["shift"] == pytest.approx(0.575)
    assert cov["nominal"] == pytest.approx(0.9545, abs=1e-4) and cov["n"] == 4
    assert centred_truth(ability)["truth_centred"].tolist() == pytest.approx([1.575, 0.575, -0.425, 2.075])
    text = band_sentence(cov)
    assert "inside the ±2 sd bands in 0% of 4 artist-windows as estimated (less often than nominal" in text
    assert "on average +0.575 from the truth" in text and "Removing that common difference, 75% lie inside" in text


def test_truth_sentence_measures_gamma_in_standard_errors(coefficients):
    truth = pd.Series({"popularity": 1.38, "log_area": 0.6, "signed": 0.05})
    coef = coefficient_table(coefficients.assign(estimate=lambda d: d["estimate"].where(d["term"] != "popularity", 1.62),
                                                 std_error_marginal=lambda d: d["std_error_marginal"].where(
                                                     d["term"] != "popularity", 0.068)), truth)
    text = truth_sentence(coef)
    assert "2 of 3 coefficients lie within 1.96 marginal standard errors of the truth" in text
    assert "Gamma is 1.620 (marginal se 0.068) against the true 1.38: 3.5 standard errors above, outside" in text
    inside = truth_sentence(coefficient_table(coefficients, truth))
    assert "0.4 standard errors below, inside its 95% interval" in inside


def test_cannot_check_sentence_names_what_is_missing():
    text = cannot_check_sentence()
    assert "true values are unknown" in text and "not their standard errors" in text
