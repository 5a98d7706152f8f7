import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from artstudy.errors import InputError  # noqa: E402
from artstudy.models.pam import fit_pam  # noqa: E402
from artstudy.study import checks  # noqa: E402
from artstudy.study.checks import CHANGE, LEVEL, PPC  # noqa: E402
from artstudy.synth.market import simulate_market  # noqa: E402
from artstudy.synth.specs import SimulationSpec  # noqa: E402


@pytest.fixture(scope="module")
def market():
    return simulate_market(SimulationSpec(n_artists=30, n_sales=5000), rng=np.random.default_rng(3))


@pytest.fixture(scope="module")
def fit(market):
    return fit_pam(market.sales, market.covariates, year_effects=True, random_state=1, progress=False)


def _fit_with_noise(market, noise):
    sales = market.sales.assign(price=market.sales["price"] * np.exp(noise))
    return fit_pam(sales, market.covariates, year_effects=True, random_state=1, progress=False)


def _number(table, start):
    return table.loc[table["check"].str.startswith(start), "number"].item()


# -- residuals ----------------------------------------------------------------------------------
def test_residuals_of_a_well_specified_fit(market, fit):
    table = checks.residual_table(fit.fitted)
    assert list(table.columns) == ["check", "value", "well-specified model", "number"]
    sd = _number(table, "residual sd")
    assert sd == pytest.approx(np.sqrt(fit.sigma2), abs=0.03) and sd == pytest.approx(1.0, abs=0.05)
    assert abs(_number(table, "skewness")) < 0.15 and abs(_number(table, "excess kurtosis")) < 0.3
    assert _number(table, "standardised residuals beyond") < 0.006
    assert abs(_number(table, "correlation")) < 0.05
    assert _number(table, "largest |mean residual| of a sale year") < 1e-9  # year effects absorb it exactly
    assert table["value"].notna().all() and table["well-specified model"].notna().all()


def _hand_table():
    # rows 0-19 artist A (15 x -1, 5 x +1), rows 20-99 artist B (35 x -1, 45 x +1)
    r = np.r_[-np.ones(15), np.ones(5), -np.ones(35), np.ones(45)]
    year = np.r_[np.full(50, 2000), np.full(40, 2001), np.full(10, 2002)]
    return pd.DataFrame({"artist": ["A"] * 20 + ["B"] * 80, "sale_year": year, "fitted": 10 + r, "residual": r})


def test_residual_table_exact_on_a_hand_made_table():
    table = checks.residual_table(_hand_table()).set_index("check")
    n = table["number"]
    # residuals +-1, 50 each: sd sqrt(100/99), skewness 0, excess kurtosis 1/(p(1-p)) - 6 - ... = -2
    assert n["residual sd (log points)"] == pytest.approx(np.sqrt(100 / 99), abs=1e-12)
    assert n["skewness of residuals"] == pytest.approx(0.0, abs=1e-12)
    assert n["excess kurtosis of residuals"] == pytest.approx(-2.0, abs=1e-12)
    assert n["standardised residuals beyond ±3"] == 0.0
    assert n["correlation of residual with fitted value"] == pytest.approx(1.0, abs=1e-12)
    # artist A: mean -0.5, sd^2 = 15/19, se = sqrt(15/19/20), z = -2.52
    artist = "largest |mean residual| of an artist (≥ 20 sales)"
    assert n[artist] == pytest.approx(0.5, abs=1e-12)
    assert table.loc[artist, "value"] == "-0.500 (artist A, 20 sales, -2.5 se)"
    # sale year 2000: 45 x -1 and 5 x +1, mean -0.8, sd^2 = 18/49, z = -9.33; 2002 has 10 sales only
    year = "largest |mean residual| of a sale year (≥ 20 sales)"
    assert n[year] == pytest.approx(0.8, abs=1e-12)
    assert table.loc[year, "value"] == "-0.800 (sale year 2000, 50 sales, -9.3 se)"
    assert table.loc["standardised residuals beyond ±3", "well-specified model"].startswith("0.27%")


def test_residual_table_shape_of_a_spike():
    # one residual a among 100 zeros: a Bernoulli(0.01) shape, standardised 9.9 for the spike
    p = 0.01
    r = np.r_[5.0, np.zeros(99)]
    table = checks.residual_table(pd.DataFrame({"artist": "A", "sale_year": 2000, "fitted": np.arange(100.0),
                                                "residual": r})).set_index("check")["number"]
    assert table["skewness of residuals"] == pytest.approx((1 - 2 * p) / np.sqrt(p * (1 - p)), rel=1e-12)
    assert table["excess kurtosis of residuals"] == pytest.approx((1 - 6 * p * (1 - p)) / (p * (1 - p)), rel=1e-12)
    assert table["standardised residuals beyond ±3"] == 0.01
    assert table["residual sd (log points)"] == pytest.approx(0.5, abs=1e-12)


def test_residual_table_without_large_groups_says_so():
    small = _hand_table().iloc[10:20].assign(sale_year=np.arange(10))
    table = checks.residual_table(small).set_index("check")
    assert table.loc["largest |mean residual| of an artist (≥ 20 sales)", "value"] == "no artist with ≥ 20 sales"
    with pytest.raises(InputError, match="missing column 'residual'"):
        checks.residual_table(small.drop(columns="residual"))


def test_group_means():
    g = checks._group_means(_hand_table(), "sale_year")
    assert g["sale_year"].tolist() == [2000, 2001] and g["n"].tolist() == [50, 40]
    np.testing.assert_allclose(g["mean"], [-0.8, 0.75])
    np.testing.assert_allclose(g["se"].iloc[0], np.sqrt(18 / 49 / 50))


def test_plot_residuals_labels(fit):
    fig = checks.plot_residuals(fit.fitted)
    axes = fig.axes
    assert [ax.get_xlabel() for ax in axes][:2] == ["fitted log price", "normal quantile"]
    assert axes[0].get_ylabel() == "residual (log points)"
    assert axes[2].get_xlabel().startswith("artist, sorted by mean residual")
    assert axes[3].get_xlabel() == "sale year" and axes[3].get_ylabel() == "mean residual (log points)"
    assert all(ax.get_title() for ax in axes) and fig._suptitle.get_text().startswith("Residual checks")
    assert tuple(fig.get_size_inches()) == (10, 8)
    plt.close(fig)


# -- repeat-sale pairs --------------------------------------------------------------------------
def _repeat_table():
    return pd.DataFrame({
        "artist": ["A"] * 7,
        "sale_year": [2005, 2001, 2003, 2001, 2010, 2001, 2002],
        "artwork_id": ["w1", "w1", "w1", "w2", None, "w3", "w2"],
        "window_start": 1951,
        "log_price": [3.0, 1.0, 2.5, 5.0, 9.0, 7.0, 4.0],
    })


def test_repeat_pairs_on_a_hand_made_table():
    earlier, later = checks._repeat_pairs(_repeat_table())
    # w1 sold 2001 (row 1), 2003 (row 2), 2005 (row 0); w2 2001 (row 3), 2002 (row 6); w3 and no id: none
    assert list(zip(earlier, later)) == [(1, 2), (2, 0), (3, 6)]
    e, l = checks._repeat_pairs(_repeat_table().drop(columns="artwork_id"))
    assert e.size == 0 and l.size == 0


def test_repeat_pairs_ties_keep_table_order():
    t = pd.DataFrame({"sale_year": [2001, 2001, 2000], "artwork_id": ["w", "w", "w"]})
    assert list(zip(*checks._repeat_pairs(t))) == [(2, 0), (0, 1)]


def _cell_table(n_works=12):
    """Works of one artist-window sold twice: fitted values known, ability sd large."""
    k = np.arange(n_works)
    fitted = np.r_[1.0 + 0.1 * k, 1.3 + 0.2 * k]  # change of work k: 0.3 + 0.1 k
    return pd.DataFrame({"artist": "A", "sale_year": np.r_[np.full(n_works, 2000), np.full(n_works, 2004)],
                         "window_start": 1951, "artwork_id": np.r_[k, k].astype(str),
                         "log_price": fitted + 0.01 * np.r_[k, -k], "fitted": fitted})


def test_posterior_predictive_shares_the_cell_draw():
    t = _cell_table()
    ability = pd.DataFrame({"artist": ["A"], "window_start": [1951], "mean": [0.5], "sd": [5.0]})
    ppc = checks.posterior_predictive(t, ability, sigma2=1e-14, n_draws=50, rng=0)
    assert ppc.n_pairs == 12 and ppc.n_draws == 50 and ppc.notes == []
    stats = ppc.statistics
    change = stats["quantity"] == CHANGE
    d = 0.3 + 0.1 * np.arange(12) - 0.02 * np.arange(12)  # observed: fitted change minus 0.02 k
    np.testing.assert_allclose(stats.loc[change, "observed"], [np.std(d, ddof=1), *np.quantile(d, checks.QUANTILES)])
    # the ability draw cancels in a repeat sale's change: every replication's change is the fitted change
    d_rep = 0.3 + 0.1 * np.arange(12)
    expected = [np.std(d_rep, ddof=1), *np.quantile(d_rep, checks.QUANTILES)]
    np.testing.assert_allclose(ppc.replicated[:, change.to_numpy()], np.tile(expected, (50, 1)), atol=1e-5)
    # ... while the level moves with it: sd of the replicated medians about the ability sd
    median = ppc.replicated[:, (stats["statistic"] == "median").to_numpy() & ~change.to_numpy()][:, 0]
    assert 3.5 < np.std(median) < 6.5
    assert list(stats.loc[~change, "statistic"]) == ["5% quantile", "25% quantile", "median", "75% quantile",
                                                    "95% quantile", "sd", "skewness"]


def test_posterior_predictive_skips_repeat_sales_with_a_reason():
    ability = pd.DataFrame({"artist": ["A"], "window_start": [1951], "mean": [0.0], "sd": [1.0]})
    few = checks.posterior_predictive(_cell_table(9), ability, 1.0, n_draws=20, rng=1)
    assert few.n_pairs == 0 and CHANGE not in few.densities and set(few.statistics["quantity"]) == {LEVEL}
    assert few.notes == ["repeat-sale check skipped: 9 pairs of consecutive sales of one work (fewer than 10)"]
    none = checks.posterior_predictive(_cell_table().drop(columns="artwork_id"), ability, 1.0, n_draws=20, rng=1)
    assert none.notes == ["repeat-sale check skipped: the sales have no artwork_id"]
    assert "*Note:* repeat-sale check skipped: the sales have no artwork_id." in checks.ppc_sentence(none)
    with pytest.raises(InputError, match="1 sales have no ability row"):
        checks.posterior_predictive(_cell_table().assign(window_start=[1951] * 23 + [1956]), ability, 1.0)


def test_posterior_predictive_caps_the_replications(monkeypatch):
    monkeypatch.setattr(checks, "MAX_VALUES", 240)
    ability = pd.DataFrame({"artist": ["A"], "window_start": [1951], "mean": [0.0], "sd": [1.0]})
    ppc = checks.posterior_predictive(_cell_table(), ability, 1.0, n_draws=200, rng=1)
    assert ppc.n_draws == 10 and ppc.replicated.shape == (10, 13)
    assert ppc.notes == ["replications capped at 10 (of 200 asked) to keep 24 sales in memory"]


def test_ppc_of_a_well_specified_fit(fit):
    ppc = checks.posterior_predictive(fit.fitted, fit.ability, fit.sigma2, rng=0)
    p = pd.Series(ppc.p_values, index=ppc.statistics["statistic"])
    assert np.all((p >= 0.05) & (p <= 0.95)), p
    text = checks.ppc_sentence(ppc)
    assert "the model reproduces every statistic checked" in text and "no artwork_id" in text
    # the observed density lies inside the replicated band almost everywhere
    edges, observed, replicated = ppc.densities[LEVEL]
    lo, hi = np.quantile(replicated, [0.005, 0.995], axis=0)
    assert np.mean((observed >= lo) & (observed <= hi)) > 0.9


def test_ppc_names_a_skew_the_model_misses(market):
    noise = 1.0 * (np.random.default_rng(4).exponential(1.0, len(market.sales)) - 1)
    bad = _fit_with_noise(market, noise)
    assert _number(checks.residual_table(bad.fitted), "skewness") > 0.5
    ppc = checks.posterior_predictive(bad.fitted, bad.ability, bad.sigma2, rng=0)
    p = pd.Series(ppc.p_values, index=ppc.statistics["statistic"])
    assert p["skewness"] == 0.0
    text = checks.ppc_sentence(ppc)
    assert "It misses, of the log price: the skewness (observed " in text
    assert "higher than every replication, p < 0.005)" in text


def test_ppc_names_heavy_tails_the_model_misses(market):
    noise = 0.7 * np.random.default_rng(4).standard_t(2, len(market.sales))
    bad = _fit_with_noise(market, noise)
    table = checks.residual_table(bad.fitted)
    assert _number(table, "excess kurtosis") > 10 and _number(table, "standardised residuals beyond") > 0.006
    ppc = checks.posterior_predictive(bad.fitted, bad.ability, bad.sigma2, rng=0)
    p = pd.Series(ppc.p_values, index=ppc.statistics["statistic"])
    # normal replications with the variance the tails inflate spread too wide: observed quartiles lie inside them
    assert p["25% quantile"] < 0.05 and p["75% quantile"] > 0.95 and p["5% quantile"] < 0.05
    text = checks.ppc_sentence(ppc)
    assert "the 25% quantile (observed" in text and "the 75% quantile (observed" in text


# -- tables, sentences and figures of a check ---------------------------------------------------
def _ppc(ps, quantities=None, notes=(), n=100):
    """A check whose statistic k has p-value ps[k] against replications 0, 0.01, ..., 0.99."""
    ps = list(ps)
    quantities = quantities or [LEVEL] * len(ps)
    names = ["sd", "skewness", "median", "5% quantile", "95% quantile"][:len(ps)]
    observed = [(n - round(n * p)) / n for p in ps]
    rep = np.tile((np.arange(n) / n)[:, None], (1, len(ps)))
    stats = pd.DataFrame({"quantity": quantities, "statistic": names, "observed": observed})
    return PPC(statistics=stats, replicated=rep, n_sales=1234, n_pairs=0, n_draws=n, notes=list(notes))


def test_ppc_p_values_of_the_helper():
    np.testing.assert_allclose(_ppc([0.5, 0.0, 1.0, 0.03, 0.97]).p_values, [0.5, 0.0, 1.0, 0.03, 0.97])


def test_ppc_sentence_every_statistic_reproduced():
    text = checks.ppc_sentence(_ppc([0.5, 0.05, 0.95]))  # the thresholds count as reproduced
    assert text == ("**Posterior predictive check** (100 replications of 1,234 sales): the model reproduces "
                    "every statistic checked: the sd, skewness and median of the log price.")


def test_ppc_sentence_misses_on_both_sides():
    text = checks.ppc_sentence(_ppc([0.5, 0.0, 1.0, 0.03, 0.97]))
    assert text == ("**Posterior predictive check** (100 replications of 1,234 sales): the model reproduces "
                    "the sd of the log price. It misses, of the log price: the skewness (observed 1.000, higher "
                    "than every replication, p < 0.01), the median (observed 0.000, lower than every "
                    "replication, p > 0.99), the 5% quantile (observed 0.970, higher than 97% of replications, "
                    "p = 0.03) and the 95% quantile (observed 0.030, lower than 97% of replications, p = 0.97).")


def test_ppc_sentence_nothing_reproduced_and_notes():
    ppc = _ppc([0.01, 0.99], quantities=[LEVEL, CHANGE], notes=["replications capped at 100"])
    ppc.n_pairs = 40
    text = checks.ppc_sentence(ppc)
    assert text == ("**Posterior predictive check** (100 replications of 1,234 sales, 40 repeat-sale pairs): the "
                    "model reproduces none of the statistics checked. It misses, of the log price: the sd (observed "
                    "0.990, higher than 99% of replications, p = 0.01); of the change in log price between repeat "
                    "sales of a work: the skewness (observed 0.010, lower than 99% of replications, p = 0.99). "
                    "*Note:* replications capped at 100.")


def test_ppc_sentence_one_miss_in_each_group():
    text = checks.ppc_sentence(_ppc([0.5, 0.0, 0.5, 0.5], quantities=[LEVEL, LEVEL, CHANGE, CHANGE]))
    assert ("the model reproduces the sd of the log price; the median and 5% quantile of the change in log price "
            "between repeat sales of a work. It misses, of the log price: the skewness (observed 1.000") in text


def test_ppc_table():
    t = checks.ppc_table(_ppc([0.5, 0.0]))
    assert list(t.columns) == ["quantity", "statistic", "observed", "replicated mean", "90% of replications",
                               "p-value"]
    assert t["observed"].tolist() == [0.5, 1.0] and t["p-value"].tolist() == [0.5, 0.0]
    assert t["replicated mean"].tolist() == [0.495, 0.495]
    assert t["90% of replications"].tolist() == ["0.050 to 0.940"] * 2  # 5% and 95% quantiles of 0..0.99


def test_plot_ppc_labels():
    ability = pd.DataFrame({"artist": ["A"], "window_start": [1951], "mean": [0.0], "sd": [1.0]})
    ppc = checks.posterior_predictive(_cell_table(), ability, 1.0, n_draws=30, rng=2)
    fig = checks.plot_ppc(ppc)
    assert [ax.get_xlabel() for ax in fig.axes] == ["log price (log of the price unit)",
                                                    "log price change between repeat sales (log points)"]
    assert all(ax.get_ylabel().startswith("density") for ax in fig.axes)
    edges, observed, replicated = ppc.densities[LEVEL]
    assert replicated.shape == (30, edges.size - 1)
    # densities integrate to the share of values inside the bins (1 for the observed)
    assert observed.sum() * np.diff(edges)[0] == pytest.approx(1.0)
    assert np.all(replicated.sum(axis=1) * np.diff(edges)[0] <= 1 + 1e-9)
    plt.close(fig)
    single = checks.plot_ppc(checks.posterior_predictive(_cell_table(5), ability, 1.0, n_draws=30, rng=2))
    assert len(single.axes) == 1 and single.axes[0].get_xlabel() == "log price (log of the price unit)"
    plt.close(single)
