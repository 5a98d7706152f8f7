import numpy as np
import pytest

from artstudy.models.pam.samplers import (ffbs, gibbs_sweeps, kalman_smoother, posterior_cov_times, posterior_precision,
                               single_site_conditional, single_site_sweep)

SIGMA2, TAU2, SA = 0.7, 3.0, 0.3


@pytest.fixture
def case():
    rng = np.random.default_rng(0)
    lengths = np.array([6, 3, 1, 4, 6])
    I, W = len(lengths), lengths.max()
    counts = rng.integers(0, 5, (I, W)).astype(float)
    counts[np.arange(W)[None, :] >= lengths[:, None]] = 0
    counts[0, 2] = 0  # an empty window inside a path
    sums = rng.normal(size=(I, W)) * counts
    return sums, counts, lengths


def exact(i, sums, counts, lengths):
    Q = posterior_precision(counts[i], lengths[i], SIGMA2, TAU2, SA)
    return np.linalg.solve(Q, sums[i, : lengths[i]] / SIGMA2), np.linalg.inv(Q)


def test_ffbs_with_zero_variates_is_the_smoother_mean(case):
    sums, counts, lengths = case
    a0 = ffbs(sums, counts, lengths, SIGMA2, TAU2, SA, z=np.zeros(sums.shape))
    ms, Ps = kalman_smoother(sums, counts, lengths, SIGMA2, TAU2, SA)
    for i in range(len(lengths)):
        mean, cov = exact(i, sums, counts, lengths)
        np.testing.assert_allclose(a0[i, : lengths[i]], mean, atol=1e-12)
        np.testing.assert_allclose(ms[i, : lengths[i]], mean, atol=1e-12)
        np.testing.assert_allclose(Ps[i, : lengths[i]], np.diag(cov), atol=1e-12)
        assert np.all(np.isnan(a0[i, lengths[i]:]))


def test_ffbs_draws_match_smoother_variances_and_covariances(case):
    sums, counts, lengths = case
    rng = np.random.default_rng(1)
    draws = np.stack([ffbs(sums, counts, lengths, SIGMA2, TAU2, SA, rng) for _ in range(40_000)])
    for i in range(len(lengths)):
        mean, cov = exact(i, sums, counts, lengths)
        d = draws[:, i, : lengths[i]]
        np.testing.assert_allclose(d.mean(0), mean, atol=5 * np.sqrt(np.diag(cov) / 40_000).max())
        np.testing.assert_allclose(np.cov(d.T).reshape(cov.shape), cov, atol=0.05 * np.abs(cov).max())


def test_single_site_conditionals_match_brute_force(case):
    sums, counts, lengths = case
    a = np.random.default_rng(2).normal(size=sums.shape)
    for j in range(sums.shape[1]):
        mean, var = single_site_conditional(a, j, sums, counts, lengths, SIGMA2, TAU2, SA)
        for i in range(len(lengths)):
            if j >= lengths[i]:
                assert np.isnan(mean[i])
                continue
            Q = posterior_precision(counts[i], lengths[i], SIGMA2, TAU2, SA)
            b = sums[i, : lengths[i]] / SIGMA2
            others = [k for k in range(lengths[i]) if k != j]
            assert mean[i] == pytest.approx((b[j] - Q[j, others] @ a[i, others]) / Q[j, j], abs=1e-12)
            assert var[i] == pytest.approx(1.0 / Q[j, j], abs=1e-12)


def test_last_ability_uses_left_neighbour():
    # corrected Eq. 10: for the last window the conditional mean pulls towards a[t'1 - 1]
    sums = np.zeros((1, 3))
    counts = np.zeros((1, 3))
    a = np.array([[0.0, 5.0, -100.0]])
    mean, var = single_site_conditional(a, 2, sums, counts, np.array([3]), SIGMA2, TAU2, SA)
    assert mean[0] == pytest.approx(5.0)
    assert var[0] == pytest.approx(SA**2)


def test_single_site_chain_reaches_the_exact_posterior(case):
    sums, counts, lengths = case
    rng = np.random.default_rng(3)
    a = np.zeros(sums.shape)
    draws = []
    for g in range(30_000):
        a = np.nan_to_num(single_site_sweep(a, sums, counts, lengths, SIGMA2, TAU2, SA, rng))
        if g >= 500:
            draws.append(a.copy())
    draws = np.stack(draws)
    for i in range(len(lengths)):
        mean, cov = exact(i, sums, counts, lengths)
        np.testing.assert_allclose(draws[:, i, : lengths[i]].mean(0), mean, atol=0.05)
        np.testing.assert_allclose(draws[:, i, : lengths[i]].var(0), np.diag(cov), rtol=0.1)


def test_posterior_cov_times_is_an_exact_solve(case):
    sums, counts, lengths = case
    B = np.random.default_rng(4).normal(size=sums.shape + (3,))
    out = posterior_cov_times(B, counts, lengths, SIGMA2, TAU2, SA)
    for i in range(len(lengths)):
        Q = posterior_precision(counts[i], lengths[i], SIGMA2, TAU2, SA)
        np.testing.assert_allclose(out[i, : lengths[i]], np.linalg.solve(Q, B[i, : lengths[i]]), atol=1e-10)
        assert np.all(out[i, lengths[i]:] == 0)


def test_gibbs_sweeps_rejects_unknown_sampler(case):
    sums, counts, lengths = case
    sweeps = gibbs_sweeps(sums, counts, lengths, SIGMA2, np.ones(sums.shape), 1, lam=4.0, sigma_a=SA,
                          rng=np.random.default_rng(0), sampler="hmc")
    with pytest.raises(ValueError, match="unknown sampler 'hmc'"):
        next(sweeps)
