"""Parameter-expanded EM: the intercept takes the abilities' common level (EMSettings.expand).

Only the N(0, tau^2) start of the ability paths separates the intercept from the abilities' common
level, so plain EM creeps along that direction and its stop rule ends it early; the expanded step moves
the mean first ability into the intercept after every E-step (the same fixed point, fitted prices
unchanged).
"""

from __future__ import annotations

import numpy as np
import pytest

from artstudy.models.pam import em, fit_pam
from artstudy.synth.market import simulate_market


def test_recentre_shifts_each_path_within_its_length_by_the_mean_first_ability():
    a_hat = np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 0.0]])
    a = a_hat + 10
    lengths = np.array([2, 1])
    new_hat, new_a, alpha = em.recentre(a_hat, a, lengths)
    assert alpha == 2.0
    np.testing.assert_array_equal(new_hat, [[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(new_a, [[9.0, 10.0, 10.0], [11.0, 10.0, 10.0]])


def _problem(X, rng):
    n = len(X)
    artist = np.repeat(np.arange(4), n // 4)
    window = np.tile(np.arange(2), n // 2)
    return em.Problem.build(X, rng.normal(size=n), artist, window, np.full(4, 2))


def test_has_intercept_looks_for_the_constant_in_the_column_space():
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    d = (np.arange(40) % 3 == 0).astype(float)
    assert em.has_intercept(_problem(np.column_stack([np.ones(40), x]), rng))
    assert em.has_intercept(_problem(np.column_stack([d, 1 - d, x]), rng))  # two dummies span the constant
    assert not em.has_intercept(_problem(np.column_stack([d, x]), rng))


@pytest.fixture(scope="module")
def fits():
    market = simulate_market({"n_sales": 4000, "n_artists": 40}, rng=np.random.default_rng(7))
    out = {}
    for expand in (True, False):
        out[expand] = fit_pam(market.sales, market.covariates, year_effects=True, random_state=3, progress=False,
                              settings={"n_gibbs": 30, "n_burn": 5, "expand": expand})
    return out


def _first_abilities(res):
    ab = res.ability.dropna(subset=["mean"])
    return ab.sort_values("window").groupby("artist")["mean"].first()


def test_expanded_em_centres_the_first_abilities_and_moves_their_level_into_the_intercept(fits):
    plain, expanded = fits[False], fits[True]
    level = _first_abilities(plain).mean()
    assert abs(level) > 0.02  # plain EM stopped with the abilities' common level away from 0 ...
    assert abs(_first_abilities(expanded).mean()) < 1e-10  # ... the expanded step centres it exactly
    intercept = {k: r.coefficients.set_index("term").loc["intercept", "estimate"] for k, r in fits.items()}
    # ... and the intercept carries it (up to the Monte Carlo noise of the E-steps)
    assert intercept[True] - intercept[False] == pytest.approx(level, abs=0.01)
    for term in ("popularity", "log_area"):
        est = {k: r.coefficients.set_index("term").loc[term, "estimate"] for k, r in fits.items()}
        assert est[True] == pytest.approx(est[False], abs=0.01)
