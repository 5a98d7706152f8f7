"""The fit's design products from the design's parts equal those of the written-out matrix; least squares
from the Gram matrix is as accurate as a QR decomposition."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from artstudy.models.pam import em
from artstudy.models.pam.fit import ols_table
from artstudy.models.pam.matrix import DenseDesign, PartsDesign, as_design
from artstudy.models.pam.model import PopularityAbilityModel


@pytest.fixture
def parts():
    rng = np.random.default_rng(0)
    n = 3000
    return n, [(0, np.ones(n)), (1, rng.normal(size=n)), (slice(2, 6), rng.integers(-1, 4, n)), (6, rng.normal(size=n)),
               (slice(7, 10), rng.integers(-1, 3, n)), (slice(10, 15), rng.integers(-1, 5, n)),
               (slice(16, 18), np.zeros(n, dtype=int))]  # a constant indicator and one never set


def _cells(n_art: int, L: int, per: int):
    """Artist and window of every sale: each artist sells ``per`` works in each of its ``L`` windows."""
    return np.repeat(np.arange(n_art), L * per), np.tile(np.repeat(np.arange(L), per), n_art)


def test_parts_write_out_the_matrix_they_stand_for(parts):
    n, p = parts
    X = PartsDesign(n, 18, p).toarray()  # column 15 is named by no part: 0
    codes = p[2][1]
    np.testing.assert_array_equal(X[:, 2:6], (codes[:, None] == np.arange(4)[None, :]).astype(float))
    np.testing.assert_array_equal(X[:, [0, 1, 6]], np.column_stack([p[0][1], p[1][1], p[3][1]]))
    assert not X[:, 15].any() and X[:, 7:10].sum() == (p[4][1] >= 0).sum()


def test_parts_products_equal_the_dense_products(parts):
    n, p = parts
    P = PartsDesign(n, 18, p)
    X = P.toarray()
    D = DenseDesign(X)
    rng = np.random.default_rng(1)
    coef, v, cell = rng.normal(size=18), rng.normal(size=n), rng.integers(0, 200, n)
    np.testing.assert_allclose(P.matvec(coef), X @ coef, rtol=0, atol=1e-12)
    np.testing.assert_allclose(P.rmatvec(v), v @ X, rtol=0, atol=1e-10)
    np.testing.assert_allclose(P.gram(), X.T @ X, rtol=1e-13, atol=1e-10)
    assert np.array_equal(P.gram()[2:6, 7:15], (X.T @ X)[2:6, 7:15])  # counts of indicator pairs: exact
    # cells: the numeric columns summed in row order (as bincount), the indicators counted: equal to the bit
    assert np.array_equal(P.cell_sums(cell, 200), D.cell_sums(cell, 200))
    assert np.array_equal(np.vstack([b.copy() for _, _, b in P.blocks(257)]), X)
    assert [P.column_ptp(k) for k in range(18)] == [float(np.ptp(X[:, k])) for k in range(18)]
    assert P.column_ptp(16) == P.column_ptp(17) == P.column_ptp(0) == 0.0
    assert as_design(P) is P and isinstance(as_design(X), DenseDesign)


def test_a_fit_on_the_parts_is_the_fit_on_the_matrix():
    rng = np.random.default_rng(2)
    n_art, L, per = 30, 4, 8
    artist, window = _cells(n_art, L, per)
    n = artist.size
    level, year = rng.integers(-1, 3, n), rng.integers(-1, 5, n)
    p = [(0, np.ones(n)), (1, rng.normal(size=n)), (slice(2, 5), level), (slice(5, 10), year),
         (10, rng.normal(size=n) * 0.1)]
    P = PartsDesign(n, 11, p)
    X = P.toarray()
    y = X @ rng.normal(size=11) + rng.normal(0, 1, n_art)[artist] + rng.normal(size=n)
    lengths = np.full(n_art, L)
    kw = dict(n_gibbs=20, n_burn=5, max_iter=6, tol=0.0, min_iter=1, random_state=3)
    a = PopularityAbilityModel(**kw).fit(P, y, artist, window, lengths)
    b = PopularityAbilityModel(**kw).fit(X, y, artist, window, lengths)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(a.std_error_marginal_, b.std_error_marginal_, rtol=1e-9)
    np.testing.assert_allclose([a.sigma2_, a.tau2_], [b.sigma2_, b.tau2_], rtol=1e-10)
    np.testing.assert_allclose(a.ability_mean_, b.ability_mean_, rtol=0, atol=1e-10)


def test_within_moments_of_the_parts_keep_the_numeric_columns_digits():
    # a numeric column far from 0 that varies little within cells, and one constant within every cell: the
    # difference of sums (X'X - S'S/n) would lose 8 digits of the first and leave noise for the second
    rng = np.random.default_rng(4)
    n_art, L, per = 50, 3, 6
    artist, window = _cells(n_art, L, per)
    n = artist.size
    level = rng.integers(-1, 3, n)
    p = [(0, np.ones(n)), (1, 1e4 + 1e-3 * rng.normal(size=n)), (2, np.repeat(rng.normal(size=n_art), L * per)),
         (slice(3, 6), level)]
    y = rng.normal(size=n)
    P = PartsDesign(n, 6, p)
    parts = em.Problem.build(P, y, artist, window, np.full(n_art, L))
    dense = em.Problem.build(P.toarray(), y, artist, window, np.full(n_art, L))
    gram, cross = em._within_moments(parts)
    want_gram, want_cross = em._within_moments(dense)
    np.testing.assert_allclose(gram[:3, :3], want_gram[:3, :3], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(cross, want_cross, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(gram, want_gram, rtol=1e-9, atol=1e-6)
    # constant within cells: 0 (the intercept exactly), as the deviations give it
    assert gram[0, 0] == 0.0 and cross[0] == 0.0 and abs(gram[2, 2]) < 1e-20 and abs(cross[2]) < 1e-12


def _ill_scaled(rng, n=20_000):
    """A design whose scaled Gram matrix has condition number about 2e8 (the model accepts up to 1e12)."""
    x = rng.normal(size=n)
    X = np.column_stack([np.ones(n), 7 + x, rng.normal(size=n) * 1e-4, (rng.random(n) < 0.3).astype(float),
                         x + 1e-3 * rng.normal(size=n)])
    return X, X @ np.array([1.0, 0.5, 200.0, -0.3, 2.0]) + rng.normal(size=n)


def test_least_squares_from_the_gram_matrix_is_qr_accurate():
    X, y = _ill_scaled(np.random.default_rng(0))
    q, r = np.linalg.qr(X)
    estimate = linalg.solve_triangular(r, q.T @ y)
    resid = y - X @ estimate
    r_inv = linalg.solve_triangular(r, np.eye(5))
    se = np.sqrt(np.diag(resid @ resid / (len(y) - 5) * (r_inv @ r_inv.T)))
    for design, gram in ((X, None), (X, X.T @ X), (DenseDesign(X), None)):
        table = ols_table(design, y, list("abcde"), gram=gram)
        assert table["term"].tolist() == list("abcde")
        np.testing.assert_allclose(table["estimate"], estimate, rtol=1e-10)  # the normal equations alone: 1e-8
        np.testing.assert_allclose(table["std_error"], se, rtol=1e-7)


def test_m_step_from_the_cell_sums_is_least_squares_on_the_sales():
    rng = np.random.default_rng(5)
    n_art, L, per = 40, 5, 4
    artist, window = _cells(n_art, L, per)
    X = np.column_stack([np.ones(artist.size), 7 + rng.normal(size=artist.size), rng.normal(size=artist.size)])
    y = X @ [8.0, 0.5, -1.0] + rng.normal(size=artist.size)
    problem = em.Problem.build(X, y, artist, window, np.full(n_art, L))
    a_hat, a_var = rng.normal(size=(n_art, L)), rng.random((n_art, L))
    delta, sigma2 = em.m_step(problem, a_hat, a_var)
    a_obs = a_hat[artist, window]
    want = np.linalg.lstsq(X, y - a_obs, rcond=None)[0]
    resid = y - X @ want - a_obs
    np.testing.assert_allclose(delta, want, rtol=1e-12)
    assert sigma2 == pytest.approx((resid @ resid + a_var[artist, window].sum()) / (len(y) - 3), rel=1e-12)
    np.testing.assert_allclose(problem.residual_sums(want), problem.cell_sums(y - X @ want), rtol=0, atol=1e-11)
    assert problem.rss(want, a_hat) == pytest.approx(resid @ resid, rel=1e-12)
    assert problem.rss(want) == pytest.approx(np.sum((y - X @ want) ** 2), rel=1e-12)
