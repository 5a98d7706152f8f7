
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


def test_corrected_proposition_2_is_the_gig_density_in_eta():
    # log p(eta|a) + const == log GIG pdf(e^eta) + eta (Jacobian), with the corrected 1/2 factor
    S, I, lam = 7.3, 12, 4.0
    eta = np.linspace(-2, 3, 11)
    lhs = eta_log_density(eta, S, I, lam)
    rhs = tau2_posterior(S, I, lam).logpdf(np.exp(eta)) + eta
    diff = lhs - rhs
    assert np.allclose(diff, diff[0])


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
