
import numpy as np
import pytest
from scipy import stats

from artstudy.models.pam.ars import adaptive_rejection_sample, eta_log_density, eta_mode, sample_tau2, tau2_posterior


@pytest.mark.parametrize("sum_sq,n_artists", [(600.0, 150), (0.5, 3), (50.0, 1), (2.0, 40)])
def test_ars_matches_exact_gig(sum_sq, n_artists):
    rng = np.random.default_rng(12345)
    draws = sample_tau2(sum_sq, n_artists, 4.0, rng, method="ars", size=20_000)
    result = stats.kstest(draws, tau2_posterior(sum_sq, n_artists, 4.0).cdf)
    assert result.pvalue > 0.01


def test_gig_draw_matches_gig():
    rng = np.random.default_rng(2)
    draws = sample_tau2(30.0, 20, 4.0, rng, method="gig", size=5000)
    assert stats.kstest(draws, tau2_posterior(30.0, 20, 4.0).cdf).pvalue > 0.01


def _grid_posterior(a0, lam):
    """log p(eta | a) on a grid from first principles: the prior tau2 ~ Exponential with MEAN lam, the
    likelihood of the initial abilities a0_i ~ N(0, tau2), and the Jacobian of tau2 = e^eta."""
    eta = np.linspace(-8.0, 8.0, 16001)
    tau2 = np.exp(eta)
    log_prior = stats.expon(scale=lam).logpdf(tau2)
    log_lik = stats.norm.logpdf(np.asarray(a0)[:, None], scale=np.sqrt(tau2)[None, :]).sum(axis=0)
    return eta, log_prior + log_lik + eta


@pytest.mark.parametrize("n_artists,lam", [(12, 4.0), (3, 0.5), (150, 4.0)])
def test_proposition_2_is_prior_times_likelihood(n_artists, lam):
    a0 = np.random.default_rng(n_artists).normal(0.0, 1.3, n_artists)
    S = float(a0 @ a0)
    eta, ref = _grid_posterior(a0, lam)
    diff = eta_log_density(eta, S, n_artists, lam) - ref
    np.testing.assert_allclose(diff, diff[0], atol=1e-8)
    assert eta_mode(S, n_artists, lam) == pytest.approx(eta[np.argmax(ref)], abs=2e-3)


@pytest.mark.parametrize("method", ["ars", "gig"])
def test_tau2_draws_follow_prior_times_likelihood(method):
    # the draws against the grid's CDF, so that lam read as a rate or Prop. 2's printed factor 2 fail
    lam, a0 = 4.0, np.random.default_rng(5).normal(0.0, 0.8, 6)
    eta, ref = _grid_posterior(a0, lam)
    dens = np.exp(ref - ref.max())
    cdf = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2)])
    cdf /= cdf[-1]
    draws = sample_tau2(float(a0 @ a0), a0.size, lam, np.random.default_rng(9), method=method, size=20_000)
    assert stats.kstest(np.log(draws), lambda x: np.interp(x, eta, cdf)).pvalue > 0.001


def test_lam_is_the_prior_mean():
    # one artist with a0 = 0+: the conditional is prior x tau2^(-1/2); its mean lam/2 under the Exponential
    # with mean lam (it would be 1/(2 lam) with lam as the rate)
    draws = sample_tau2(1e-12, 1, 4.0, np.random.default_rng(1), method="ars", size=40_000)
    assert draws.mean() == pytest.approx(2.0, rel=0.03)
    assert tau2_posterior(1e-12, 1, 4.0).mean() == pytest.approx(2.0, rel=1e-3)


def test_eta_mode_is_stationary():
    S, I, lam = 123.0, 150, 4.0
    m = eta_mode(S, I, lam)
    h = 1e-5
    grad = (eta_log_density(m + h, S, I, lam) - eta_log_density(m - h, S, I, lam)) / (2 * h)
    assert abs(grad) < 1e-4


def test_ars_standard_normal():
    rng = np.random.default_rng(3)
    draws = adaptive_rejection_sample(lambda x: -0.5 * x * x, lambda x: -x, (-1.0, 1.0), rng, size=20_000)
    assert stats.kstest(draws, "norm").pvalue > 0.01


def test_ars_rejects_bad_abscissae_and_methods():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="abscissae"):
        adaptive_rejection_sample(lambda x: -0.5 * x * x, lambda x: -x, (1.0, 2.0), rng)
    with pytest.raises(ValueError, match="unknown tau2 method"):
        sample_tau2(1.0, 2, 4.0, rng, method="slice")
