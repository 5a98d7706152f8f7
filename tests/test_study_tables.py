"""Tables for print: labels, model order, precision from the standard error, no NaN cells (exact answers)."""

import numpy as np
import pandas as pd
import pytest

from artstudy.study.tables import (DASH, coefficient_print_table, config_table, decimals_for, flatten_config,
                                   fmt_estimate, fmt_number, fmt_percent, funnel_print_table, group_terms,
                                   facts_print_table, sampler_print_table, simulation_print_table, term_label)


@pytest.mark.parametrize("term, label", [
    ("log_area", "log area"), ("material[oil]", "material: oil"), ("support[paper]", "support: paper"),
    ("year[2010]", "sale year 2010"), ("popularity", "popularity (γ)"), ("sigma2", "σ² (residual variance)"),
    ("some_term", "some term"),
])
def test_term_label(term, label):
    assert term_label(term) == label


def test_group_terms_follows_the_model_not_the_alphabet():
    terms = ["year[2011]", "tau2", "support[paper]", "popularity", "material[pencil]", "year[2010]", "sigma2",
             "inscribed", "material[oil]", "signed", "log_area", "intercept", "support[canvas]"]
    assert group_terms(terms) == ["intercept", "log_area", "signed", "inscribed", "material[oil]", "material[pencil]",
                                  "support[canvas]", "support[paper]", "popularity", "sigma2", "tau2",
                                  "year[2010]", "year[2011]"]


@pytest.mark.parametrize("se, decimals", [(0.0066, 4), (0.068, 3), (0.13, 2), (0.25, 2), (1.3, 1), (13.0, 0),
                                          (np.nan, 3), (0.0, 3)])
def test_decimals_show_the_se_to_two_significant_digits(se, decimals):
    assert decimals_for(se) == decimals


def test_formats():
    assert fmt_estimate(0.6492151, 0.006579) == ("0.6492", "0.0066")
    assert fmt_estimate(-0.3137, 0.1304) == ("\u22120.31", "0.13")
    assert fmt_number(-0.0003, 3) == "0.000" and fmt_number(np.nan, 2) == DASH and fmt_number(None, 2) == DASH
    assert fmt_percent(0.39) == "39%" and fmt_percent(0.9556, 1) == "95.6%" and fmt_percent(np.nan) == DASH


def _coef():
    return pd.DataFrame({
        "estimate": [-0.3137, 5.846, 0.58697, 0.389],
        "std_error": [0.077, 0.129, 0.0098, 0.059],
        "std_error_marginal": [0.1304, 0.253, 0.01115, 0.0598],
        "paper_table2": [1.38, np.nan, 0.65, np.nan],
    }, index=pd.Index(["popularity", "intercept", "log_area", "year[2010]"], name="term"))


def test_coefficient_print_table_groups_and_rounds():
    facts = {"sigma2": 0.78290177, "tau2": 1.7465823, "mc_error_sigma2": 0.00044}
    table = coefficient_print_table(_coef(), facts, compare="paper_table2")
    assert table.index.tolist() == [("Coefficients", "intercept"), ("Coefficients", "log area"),
                                    ("Coefficients", "popularity (γ)"), ("Variance parameters", "σ² (residual variance)"),
                                    ("Variance parameters", "τ² (variance of initial abilities)"),
                                    ("Sale-year effects", "sale year 2010")]
    assert table.columns.tolist() == ["estimate", "SE (abilities known)", "SE (marginal)", "z (marginal)",
                                      "paper (Table 2)"]
    assert table.loc[("Coefficients", "popularity (γ)")].tolist() == ["\u22120.31", "0.08", "0.13", "\u22122.4", "1.38"]
    assert table.loc[("Coefficients", "log area")].tolist() == ["0.587", "0.010", "0.011", "52.6", "0.65"]
    assert table.loc[("Coefficients", "intercept"), "paper (Table 2)"] == DASH
    assert table.loc[("Variance parameters", "σ² (residual variance)")].tolist() == ["0.783", DASH, DASH, DASH, DASH]
    assert not table.isna().any().any()
    short = coefficient_print_table(_coef(), compare=None, include_years=False)
    assert len(short) == 3 and "paper (Table 2)" not in short.columns


def test_coefficient_print_table_against_truth():
    coef = _coef().drop(columns="paper_table2").assign(truth=[1.38, 7.0, 0.65, 0.4])
    facts = {"sigma2": 0.9993, "tau2": 4.49, "true_sigma2": 1.0, "true_tau2": 4.0}
    table = coefficient_print_table(coef, facts, compare="truth")
    assert table.loc[("Coefficients", "log area"), "truth"] == "0.650"
    assert table.loc[("Variance parameters", "τ² (variance of initial abilities)")].tolist() == [
        "4.490", DASH, DASH, DASH, "4.00"]


def test_simulation_print_table():
    summary = pd.DataFrame({
        "sampler": "ffbs", "parameter": ["popularity", "intercept", "tau2", "year[1994]"],
        "kind": ["coef", "coef", "variance", "coef"], "n_reps": 100, "truth": [1.38, 7.0, 4.0, 0.079079],
        "mean_estimate": [1.383059, 7.016154, 3.990542, 0.081776], "bias": [0.003059, 0.016154, -0.009458, 0.002697],
        "rmse": [0.059403, 0.210965, 0.444989, 0.057208], "empirical_sd": [0.059623, 0.211406, 0.44713, 0.057432],
        "mean_std_error": [0.032193, 0.05765, np.nan, 0.051165],
        "mean_std_error_marginal": [0.068273, 0.173121, np.nan, 0.051422],
        "coverage": [0.75, 0.39, np.nan, 0.91], "coverage_marginal": [0.98, 0.90, np.nan, 0.91]})
    table = simulation_print_table(summary, "ffbs")
    assert [p for _, p in table.index] == ["intercept", "popularity (γ)", "τ² (variance of initial abilities)"]
    assert table.loc[("Coefficients", "intercept")].tolist() == ["7.00", "7.02", "0.02", "0.21", "0.21", "0.06",
                                                                 "0.17", "39%", "90%"]
    assert table.loc[("Coefficients", "popularity (γ)"), "coverage (marginal)"] == "98%"
    assert table.loc[("Variance parameters", "τ² (variance of initial abilities)"), "coverage (marginal)"] == DASH
    years = simulation_print_table(summary, "ffbs", years=True)
    assert years.index.tolist() == [("Sale-year effects", "sale year 1994")]
    assert years.iloc[0, 0] == "0.079"


def test_funnel_sampler_and_facts_tables():
    funnel = pd.DataFrame({"step": ["lots read", "sold"], "lots": [28095, 17558], "artists": [2901, 2055],
                           "lots_removed": [0, 10537], "artists_removed": [0, 846]})
    table = funnel_print_table(funnel)
    assert table.columns.tolist() == ["step", "lots", "artists", "lots removed", "artists removed"]
    assert table.loc[2].tolist() == ["sold", "17,558", "2,055", "10,537", "846"]
    comp = pd.DataFrame({"sampler": ["ffbs", "single-site"], "draws": [500, 500], "seconds": [1.234, 1.0],
                         "draws_per_second": [405.2, 500.0], "median_ess": [483.99, 125.2], "min_ess": [131.0, 11.4],
                         "tau2_ess": [300.0, 50.0], "median_ess_per_second": [392.2, 125.2]})
    s = sampler_print_table(comp)
    assert s.index.tolist() == ["FFBS", "single-site Gibbs"] and s.loc["FFBS", "median ESS of abilities"] == "484"
    assert s.loc["FFBS", "seconds"] == "1.23"
    f = facts_print_table({"n_sales": 5089, "converged": True, "seconds": 0.3119, "gamma": -0.31368, "sampler": "ffbs"})
    assert f["value"].tolist() == ["5,089", "yes", "0.31", "ffbs", "\u22120.3137"]
    assert f.index.tolist() == ["sales fitted", "converged", "seconds", "ability sampler", "γ"]


def test_config_table_flattens_sections():
    config = {"seed": 7, "model": {"sampler": "ffbs", "popularity": {"kind": "sum", "scale": 10000.0}},
              "sources": {"ny": {"path": "x.csv", "missing": ["a", "b"], "study": None}}}
    assert flatten_config({"a": {"b": [], "c": {}}}) == {"a.b": DASH, "a.c": DASH}
    table = config_table(config, ["seed", "model", "sources.ny", "absent"])
    assert table.index.tolist() == ["seed", "model.sampler", "model.popularity.kind", "model.popularity.scale",
                                    "sources.ny.path", "sources.ny.missing"]  # a mapping's unset fields left out
    assert table["value"].tolist() == ["7", "ffbs", "sum", "10000.0", "x.csv", "a, b"]
    assert config_table({"model": {"min_works": None}}, ["model"])["value"].tolist() == [DASH]
