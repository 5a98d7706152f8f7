"""The simulated markets of the simulation study, and the price generator they share with the world."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artstudy.errors import InputError
from artstudy.models.design import design_matrix
from artstudy.models.pam.popularity import popularity
from artstudy.models.pam.selection import artist_spans, work_window
from artstudy.models.pam.settings import Popularity
from artstudy.synth.market import SimulationSpec, simulate_market
from artstudy.synth.prices import feedback_log_prices, linear_predictor, model_log_prices
from artstudy.synth.specs import SimulationStudy
from artstudy.synth.truth import Truth

SMALL = SimulationSpec(n_artists=25, n_sales=5000)


@pytest.fixture(scope="module")
def sim():
    return simulate_market(SMALL, rng=np.random.default_rng(0))


def test_simulated_market_matches_its_spec(sim):
    s = sim.sales
    assert len(s) == 5000 and s["artist"].nunique() == 25
    assert s["lot_id"].is_unique and s["lot_id"].map(type).eq(str).all()
    assert s["sale_year"].between(1993, 2022).all() and (s["work_year"] <= s["sale_year"]).all()
    assert s["work_year"].between(1951, 2020).all()
    # the truth's popularity is the package's popularity of the simulated prices
    u = popularity(s["artist"], s["sale_year"], np.log(s["price"]))
    np.testing.assert_allclose(u, s["true_popularity"], rtol=1e-12, atol=1e-15)
    # every artist passes the paper's selection rule, with t'0 where the walk starts
    codes, names = pd.factorize(s["artist"])
    win = work_window(s["work_year"])
    t0, t1 = artist_spans(codes, win, len(names), 14, 3, 6)
    assert (t1 >= 0).all()
    walk = sim.ability.groupby("artist")["window"].min().reindex(names)
    np.testing.assert_array_equal(t0, walk)
    # the design's names are the truth's
    _, terms = design_matrix(s, sim.covariates, year_effects=True)
    assert set(terms) | {"popularity"} == set(sim.coefficients.index)
    # the abilities: initial N(0, tau2) across artists is at the right scale, steps have sd sigma_a
    steps = sim.ability.sort_values(["artist", "window"]).groupby("artist")["value"].diff().dropna()
    assert steps.std() == pytest.approx(0.1, rel=0.15)


def test_market_log_prices_follow_the_model_exactly(sim):
    s = sim.sales
    X, names = design_matrix(s, sim.covariates, year_effects=True)
    coef = sim.coefficients
    mu = X @ coef[names].to_numpy() + coef["popularity"] * s["true_popularity"] + s["true_ability"]
    noise = np.log(s["price"]) - mu
    assert abs(noise.mean()) < 0.05 and abs(noise.var() - sim.truth.sigma2) < 0.06
    ability = sim.ability.set_index(["artist", "window"])["value"]
    window = work_window(s["work_year"])
    np.testing.assert_allclose(s["true_ability"], ability.reindex(pd.MultiIndex.from_arrays([s["artist"], window])))


def test_market_reproducible_without_global_randomness(sim):
    np.random.seed(1)
    again = simulate_market(SMALL, rng=np.random.default_rng(0))
    pd.testing.assert_frame_equal(sim.sales, again.sales)
    pd.testing.assert_frame_equal(sim.ability, again.ability)
    assert not simulate_market(SMALL, rng=1).sales["price"].equals(sim.sales["price"])


@pytest.mark.parametrize("kind", ["sum", "relative"])
def test_market_popularity_kinds(kind):
    truth = Truth(popularity={"kind": kind, "scale": 1000.0}, gamma=0.5)
    sim = simulate_market(SMALL, truth, rng=3)
    s = sim.sales
    u = popularity(s["artist"], s["sale_year"], np.log(s["price"]), scale=1000.0, kind=kind)
    np.testing.assert_allclose(u, s["true_popularity"], rtol=1e-10, atol=1e-13)
    # relative: the same popularity from prices in thousands; the paper's sum changes with the unit
    in_thousands = popularity(s["artist"], s["sale_year"], np.log(s["price"] / 1000), scale=1000.0, kind=kind)
    same = np.allclose(in_thousands, u, rtol=1e-9, atol=1e-12)
    assert same == (kind == "relative")
    assert sim.truth is truth and sim.coefficients["popularity"] == 0.5


def test_market_settings_and_transitional_positional_rng():
    sim = simulate_market({"n_artists": 10, "n_sales": 1000}, {"sigma2": 0.5}, rng=2)
    assert sim.spec == SimulationSpec(n_artists=10, n_sales=1000) and sim.truth.sigma2 == 0.5
    study = SimulationStudy(n_artists=10, n_sales=1000)
    pd.testing.assert_frame_equal(simulate_market(study.market(), rng=2).sales,
                                  simulate_market(study, rng=2).sales)
    with pytest.warns(DeprecationWarning, match="rng="):
        old = simulate_market(SimulationSpec(n_artists=10, n_sales=1000), np.random.default_rng(2))
    pd.testing.assert_frame_equal(old.sales, simulate_market(study, rng=2).sales)
    with pytest.raises(InputError, match="n_artist"):
        simulate_market({"n_artist": 10})
    with pytest.raises(InputError, match="n_sales too small"):
        simulate_market({"n_artists": 10, "n_sales": 100})
    with pytest.raises(InputError, match="last work window ends after the last sale year"):
        simulate_market({"n_sale_years": 20})


# --------------------------------------------------------------------------
# the price generator


def test_linear_predictor_by_hand():
    coef = pd.Series({"intercept": 1.0, "log_area": 0.5, "signed": 0.25, "material[oil]": 2.0, "year[2001]": -1.0})
    xb = linear_predictor(coef, {"log_area": [2.0, 4.0, 0.0], "signed": np.array([True, False, True]),
                                 "material": ["oil", "other", "oil"]}, [2000, 2001, 2001])
    np.testing.assert_allclose(xb, [1 + 1 + 0.25 + 2, 1 + 2 - 1, 1 + 0.25 + 2 - 1])
    with pytest.raises(ValueError, match="inscribed"):
        linear_predictor(coef, {"inscribed": [True]}, [2000])


def test_feedback_log_prices_by_hand():
    # artist 0 sells in 2000 (twice), 2001, 2002; artist 1 in 2000 and 2002; the third lot is not counted
    base = np.array([10.0, 20.0, 30.0, 5.0, 40.0, 7.0])
    artist = np.array([0, 0, 0, 1, 0, 1])
    year = np.array([2000, 2000, 2001, 2000, 2002, 2002])
    counted = np.array([True, True, False, True, True, True])
    y, u = feedback_log_prices(base, artist, year, 2.0, Popularity(kind="sum", scale=10.0), counted)
    # 2000: u = 0; 2001: artist 0 has 30 -> u 3, y 36 (not counted); 2002: artist 0 still 30, artist 1 has 5
    np.testing.assert_allclose(u, [0, 0, 3.0, 0, 3.0, 0.5])
    np.testing.assert_allclose(y, base + 2.0 * u)
    # relative: 2000's mean of the counted lots is 35/3; 2001 has no counted lot
    y, u = feedback_log_prices(base, artist, year, 2.0, Popularity(kind="relative", scale=10.0), counted)
    m = 35.0 / 3
    np.testing.assert_allclose(u, [0, 0, (30 - 2 * m) / 10, 0, (30 - 2 * m) / 10, (5 - m) / 10])
    h = (artist[counted], year[counted], y[counted])
    np.testing.assert_allclose(popularity(artist, year, scale=10.0, kind="relative", history=h), u)


def test_model_log_prices_splits_expectation_and_noise():
    truth = Truth(gamma=1.0, popularity={"scale": 1.0})
    coef = pd.Series({"intercept": 2.0, "log_area": 1.0, "popularity": 1.0})
    p = model_log_prices(truth, coef, {"log_area": [1.0, 1.0]}, [2000, 2001], [0, 0], [0.5, 0.5], [0.1, -0.2])
    np.testing.assert_allclose(p.log_price, [3.6, 3.5 + 3.6 - 0.2])
    np.testing.assert_allclose(p.popularity, [0.0, 3.6])
    np.testing.assert_allclose(p.expected, p.log_price - [0.1, -0.2])
