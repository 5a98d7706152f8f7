r"""Adaptive rejection sampling and the full conditional of the ability variance.

The initial abilities :math:`a_{i,t'_{0,i}} \sim N(0, \tau^2)` have the prior
:math:`\tau^2 \sim \mathrm{Exponential}(\text{mean } \lambda)`. With
:math:`\eta = \ln \tau^2` and :math:`S = \sum_i a_{i,t'_{0,i}}^2` over the
:math:`I` artists, the full conditional is (the seed paper's Proposition 2, with
its erratum corrected: the factor on :math:`e^{-\eta} S` is 1/2, not 2)

.. math::

    \ln p(\eta \mid a) = -\frac{e^\eta}{\lambda} - \left(\frac{I}{2} - 1\right)\eta
    - \frac{1}{2} e^{-\eta} S + C,

which is concave in :math:`\eta`, so :math:`\eta` can be drawn by adaptive rejection
sampling (Gilks and Wild, 1992). Equivalently :math:`\tau^2 \mid a` is generalised
inverse Gaussian, :math:`\mathrm{GIG}(p = 1 - I/2,\ a = 2/\lambda,\ b = S)`, with
density proportional to :math:`x^{p-1} \exp(-(a x + b / x) / 2)`; that exact form is
offered as an alternative draw and is the oracle the ARS sampler is tested against.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

__all__ = [
    "adaptive_rejection_sample",
    "prior_rate",
    "eta_log_density",
    "eta_mode",
    "tau2_posterior",
    "sample_tau2",
]


def adaptive_rejection_sample(
    h: Callable[[float], float],
    dh: Callable[[float], float],
    abscissae,
    rng: np.random.Generator,
    size: int = 1,
    max_points: int = 50,
) -> np.ndarray:
    """Draw from a log-concave density on the real line by adaptive rejection sampling.

    Parameters
    ----------
    h, dh : callable
        The log density (up to a constant) and its derivative.
    abscissae : sequence of float
        At least two starting points with ``dh > 0`` at the smallest and ``dh < 0``
        at the largest, so that the tangent envelope is proper.
    rng : numpy.random.Generator
    size : int
        Number of draws.
    max_points : int
        Cap on the number of points in the hull.

    Returns
    -------
    numpy.ndarray of shape (size,)
    """
    xs = sorted(float(x) for x in abscissae)
    hs = [h(x) for x in xs]
    ds = [dh(x) for x in xs]
    if len(xs) < 2 or not (ds[0] > 0 and ds[-1] < 0):
        raise ValueError("ARS needs abscissae with h' > 0 at the left and h' < 0 at the right")
    out = np.empty(size)
    n_done = 0
    while n_done < size:
        z, w, total = _hull(xs, hs, ds)
        # draw until we accept or adapt (then rebuild the hull)
        adapted = False
        while n_done < size and not adapted:
            u1, u2, u3 = rng.random(3)
            j, x = _envelope_draw(xs, ds, z, w, total, u1, u2)
            upper = hs[j] + ds[j] * (x - xs[j])
            # squeeze: chord between neighbouring abscissae
            i = _bisect(xs, x)
            if 0 < i < len(xs):
                lower = ((xs[i] - x) * hs[i - 1] + (x - xs[i - 1]) * hs[i]) / (xs[i] - xs[i - 1])
                if math.log(u3) <= lower - upper:
                    out[n_done] = x
                    n_done += 1
                    continue
            hx = h(x)
            if math.log(u3) <= hx - upper:
                out[n_done] = x
                n_done += 1
            if len(xs) < max_points:
                xs.insert(i, x)
                hs.insert(i, hx)
                ds.insert(i, dh(x))
                adapted = True
    return out


def _hull(xs, hs, ds):
    """Tangent intersections z_0 = -inf < z_1 < ... < z_k = inf, piece weights and their total."""
    k = len(xs)
    z = [-math.inf]
    for j in range(k - 1):
        dd = ds[j] - ds[j + 1]
        if dd <= 1e-300:  # numerically equal slopes: take the midpoint
            z.append(0.5 * (xs[j] + xs[j + 1]))
        else:
            z.append((hs[j + 1] - hs[j] - xs[j + 1] * ds[j + 1] + xs[j] * ds[j]) / dd)
    z.append(math.inf)
    # log mass of each exponential piece
    logm = []
    for j in range(k):
        b, lo, hi = ds[j], z[j], z[j + 1]
        if b > _FLAT:
            top = hs[j] + b * (hi - xs[j])
            logm.append(top + math.log(-math.expm1(-b * (hi - lo))) - math.log(b))
        elif b < -_FLAT:
            top = hs[j] + b * (lo - xs[j])
            logm.append(top + math.log(-math.expm1(b * (hi - lo))) - math.log(-b))
        else:
            logm.append(hs[j] + math.log(hi - lo))
    mmax = max(logm)
    w = [math.exp(v - mmax) for v in logm]
    return z, w, sum(w)


def _envelope_draw(xs, ds, z, w, total, u1, u2):
    """A draw from the piecewise-exponential envelope: (piece j, x) from two uniforms."""
    target = u1 * total
    j = 0
    acc = w[0]
    while acc < target and j < len(xs) - 1:
        j += 1
        acc += w[j]
    b, lo, hi = ds[j], z[j], z[j + 1]
    if b > _FLAT:
        x = hi + math.log(u2 + (1.0 - u2) * math.exp(-b * (hi - lo))) / b
    elif b < -_FLAT:
        x = lo + math.log1p(u2 * math.expm1(b * (hi - lo))) / b
    else:
        x = lo + u2 * (hi - lo)
    return j, x


_FLAT = 1e-10  # slopes smaller than this are treated as flat


def _bisect(xs, x):
    lo, hi = 0, len(xs)
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def prior_rate(lam: float) -> float:
    """Rate of the Exponential prior of tau^2 whose *mean* is ``lam`` (the config's ``lam``)."""
    return 1.0 / lam


def _eta_terms(sum_sq: float, n_artists: int, lam: float):
    """Coefficients (r, c, h) of the corrected Proposition 2: log p(eta | a) = -r e^eta - c eta - h e^-eta + C."""
    half_s = 0.5 * sum_sq  # Prop. 2's erratum: the paper printed 2 S
    return prior_rate(lam), n_artists / 2 - 1, half_s


def eta_log_density(eta, sum_sq: float, n_artists: int, lam: float):
    """Corrected Proposition 2: log p(eta | a) up to a constant."""
    rate, c, half_s = _eta_terms(sum_sq, n_artists, lam)
    eta = np.asarray(eta, dtype=float)
    return -np.exp(eta) * rate - c * eta - half_s * np.exp(-eta)


def eta_mode(sum_sq: float, n_artists: int, lam: float) -> float:
    """Mode of ``eta_log_density``: x = e^eta solves r x^2 + c x - h = 0."""
    rate, c, half_s = _eta_terms(sum_sq, n_artists, lam)
    x = (-c + math.sqrt(c * c + 4.0 * rate * half_s)) / (2.0 * rate)
    return math.log(x)


def tau2_posterior(sum_sq: float, n_artists: int, lam: float):
    """Exact full conditional of tau^2: GIG(p = 1 - I/2, a = 2/lam, b = S) as a scipy distribution."""
    if sum_sq <= 0:
        raise ValueError("sum of squared initial abilities must be positive")
    p = 1.0 - n_artists / 2.0
    a, b = 2.0 * prior_rate(lam), sum_sq
    from scipy import stats  # here: scipy.stats takes most of a second to import

    # scipy's geninvgauss(p, c) has density ~ y^(p-1) exp(-c (y + 1/y) / 2); x = sqrt(b/a) y
    return stats.geninvgauss(p, math.sqrt(a * b), scale=math.sqrt(b / a))


def sample_tau2(
    sum_sq: float,
    n_artists: int,
    lam: float,
    rng: np.random.Generator,
    method: str = "ars",
    size: int = 1,
) -> np.ndarray:
    """Draw tau^2 from its full conditional given the initial abilities.

    Parameters
    ----------
    sum_sq : float
        Sum of squared initial abilities, S.
    n_artists : int
        Number of artists, I.
    lam : float
        Prior mean of tau^2.
    rng : numpy.random.Generator
    method : {"ars", "gig"}
        Adaptive rejection sampling on eta = ln tau^2 (the paper's scheme), or an
        exact generalised inverse Gaussian draw.
    """
    if method == "gig":
        return np.atleast_1d(tau2_posterior(sum_sq, n_artists, lam).rvs(size=size, random_state=rng))
    if method != "ars":
        raise ValueError(f"unknown tau2 method {method!r}; use 'ars' or 'gig'")
    if sum_sq <= 0:
        raise ValueError("sum of squared initial abilities must be positive")
    rate, c, half_s = _eta_terms(sum_sq, n_artists, lam)

    def h(e):
        return -math.exp(e) * rate - c * e - half_s * math.exp(-e)

    def dh(e):
        return -math.exp(e) * rate - c + half_s * math.exp(-e)

    m = eta_mode(sum_sq, n_artists, lam)
    curv = math.exp(m) * rate + half_s * math.exp(-m)
    sd = 1.0 / math.sqrt(curv)
    eta = adaptive_rejection_sample(h, dh, (m - 1.5 * sd, m, m + 1.5 * sd), rng, size=size)
    return np.exp(eta)
