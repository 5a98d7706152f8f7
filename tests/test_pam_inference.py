"""Tests that guard the inference of the popularity-ability model against independent references.

Each reference is computed here from first principles (dense Gaussian algebra, the model's
definition), never from the module's own formulas; ``tests/mutations.py`` checks that deliberate
bugs make these tests fail.
"""

import numpy as np
import pytest

from artstudy.models.pam.em import Problem
from artstudy.models.pam.model import PopularityAbilityModel, marginal_covariance
from artstudy.models.pam.samplers import kalman_smoother

SIGMA2, TAU2, SA = 0.8, 2.0, 0.3


def _walk_cov(L, tau2, sigma_a):
    """Prior covariance of a_0..a_{L-1}: a_0 ~ N(0, tau2), steps N(0, sigma_a^2)."""
    j = np.arange(L)
    return tau2 + np.minimum.outer(j, j) * sigma_a**2


def _dense(artist, window, lengths, tau2, sigma_a):
    """Z (sales x all cells) and the block-diagonal prior covariance of the abilities."""
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    Z = np.zeros((artist.size, offsets[-1]))
    Z[np.arange(artist.size), offsets[artist] + window] = 1.0
    S = np.zeros((offsets[-1], offsets[-1]))
    for i, L in enumerate(lengths):
        S[offsets[i]:offsets[i + 1], offsets[i]:offsets[i + 1]] = _walk_cov(L, tau2, sigma_a)
    return Z, S


def _gls_cov(X, artist, window, lengths, sigma2, tau2, sigma_a):
    Z, S = _dense(artist, window, lengths, tau2, sigma_a)
    V = sigma2 * np.eye(X.shape[0]) + Z @ S @ Z.T
    return np.linalg.inv(X.T @ np.linalg.solve(V, X))


@pytest.fixture
def small():
    rng = np.random.default_rng(7)
    lengths = np.array([3, 1, 4, 2, 5])
    cells = [(i, j) for i, L in enumerate(lengths) for j in range(L) if (i, j) != (2, 1)]  # (2, 1) left empty
    reps = rng.integers(1, 5, len(cells))
    artist = np.repeat([c[0] for c in cells], reps)
    window = np.repeat([c[1] for c in cells], reps)
    X = np.column_stack([np.ones(artist.size), rng.normal(size=(artist.size, 2))])
    return X, artist, window, lengths


def test_marginal_covariance_is_the_gls_covariance(small):
    # Louis' formula (complete minus missing information) equals (X'V^-1 X)^-1 of the marginal model
    X, artist, window, lengths = small
    problem = Problem.build(X, np.zeros(artist.size), artist, window, lengths)
    cov = marginal_covariance(X, problem.cell_matrix(), problem.counts, lengths, SIGMA2, TAU2, SA)
    np.testing.assert_allclose(cov, _gls_cov(X, artist, window, lengths, SIGMA2, TAU2, SA), rtol=1e-8, atol=1e-12)


def test_missing_information_is_the_gap_between_paper_and_marginal(small):
    # the missing information alone: (X'X/sigma2 - I_obs) = X'X/sigma2 - X'V^-1 X, checked densely
    X, artist, window, lengths = small
    problem = Problem.build(X, np.zeros(artist.size), artist, window, lengths)
    cov = marginal_covariance(X, problem.cell_matrix(), problem.counts, lengths, SIGMA2, TAU2, SA)
    missing = X.T @ X / SIGMA2 - np.linalg.inv(cov)
    expected = X.T @ X / SIGMA2 - np.linalg.inv(_gls_cov(X, artist, window, lengths, SIGMA2, TAU2, SA))
    np.testing.assert_allclose(missing, expected, rtol=1e-7, atol=1e-9)
    assert np.all(np.linalg.eigvalsh(missing) > -1e-10)  # information is lost, never gained


def _market(rng, n_art=40, L=4, per_cell=6, sigma2=1.0, tau2=1.5, sigma_a=0.2):
    lengths = np.full(n_art, L)
    artist = np.repeat(np.arange(n_art), L * per_cell)
    window = np.tile(np.repeat(np.arange(L), per_cell), n_art)
    a = np.cumsum(np.column_stack([rng.normal(0, np.sqrt(tau2), n_art), rng.normal(0, sigma_a, (n_art, L - 1))]), 1)
    X = np.column_stack([np.ones(artist.size), rng.normal(size=artist.size)])
    y = X @ [2.0, 0.5] + a[artist, window] + rng.normal(0, np.sqrt(sigma2), artist.size)
    return X, y, artist, window, lengths


def test_fitted_marginal_covariance_is_the_gls_covariance_at_the_fit():
    X, y, artist, window, lengths = _market(np.random.default_rng(1), n_art=12, L=3, per_cell=3)
    m = PopularityAbilityModel(sigma_a=0.2, max_iter=15, random_state=2).fit(X, y, artist, window, lengths)
    gls = _gls_cov(X, artist, window, lengths, m.sigma2_, m.tau2_, 0.2)
    np.testing.assert_allclose(m.cov_marginal_, gls, rtol=1e-8)
    np.testing.assert_allclose(m.std_error_marginal_, np.sqrt(np.diag(gls)), rtol=1e-8)


def test_sigma2_is_the_expected_residual_variance_on_sparse_cells():
    # two sales per (artist, window): the abilities' posterior variance is large, and the plug-in
    # residual variance falls to about 0.78 where the truth is 1
    rng = np.random.default_rng(0)
    n_art, n = 400, 2
    lengths = np.full(n_art, 2)
    artist = np.repeat(np.arange(n_art), 2 * n)
    window = np.tile(np.repeat([0, 1], n), n_art)
    a0 = rng.normal(0, 1.0, n_art)
    a = np.stack([a0, a0 + rng.normal(0, 0.1, n_art)], 1)
    X = np.column_stack([np.ones(artist.size), rng.normal(size=artist.size)])
    y = X @ [1.0, 0.5] + a[artist, window] + rng.normal(0, 1, artist.size)
    m = PopularityAbilityModel(max_iter=30, random_state=1, lam=1.0).fit(X, y, artist, window, lengths)
    assert m.sigma2_ == pytest.approx(1.0, abs=0.1)


def test_ability_moments_are_the_kalman_smoothers():
    X, y, artist, window, lengths = _market(np.random.default_rng(3))
    m = PopularityAbilityModel(sigma_a=0.2, n_gibbs=2050, n_burn=50, max_iter=12, random_state=4)
    m.fit(X, y, artist, window, lengths)
    problem = Problem.build(X, y, artist, window, lengths)
    sums = problem.cell_sums(y - X @ m.coef_.to_numpy())
    mean, var = kalman_smoother(sums, problem.counts, lengths, m.sigma2_, m.tau2_, 0.2)
    sd = np.sqrt(var)
    ratio = m.ability_sd_ / sd
    assert np.median(ratio) == pytest.approx(1.0, abs=0.05)
    assert np.all(np.abs(ratio - 1) < 0.2)
    np.testing.assert_allclose(m.ability_mean_, mean, atol=6 * sd.max() / np.sqrt(2000) + 0.02)
