r"""Samplers for the artists' ability paths, vectorised over artists.

For artist :math:`i` with work windows :math:`j = 0, \dots, L_i - 1` (that is
:math:`t' = t'_{0,i}, \dots, t'_{1,i}`), the abilities follow

.. math::

    a_{i,0} \sim N(0, \tau^2), \qquad a_{i,j} \sim N(a_{i,j-1}, \sigma_a^2),

and, given the regression part :math:`b` of each sale, the residuals
:math:`r = y - b` of the :math:`n_{i,j}` sales of works from window :math:`j` are
:math:`N(a_{i,j}, \sigma_\epsilon^2)`. They enter only through the sufficient
statistics :math:`n_{i,j}` and :math:`s_{i,j} = \sum r`. Windows with
:math:`n_{i,j} = 0` are allowed (no observation).

All arrays are padded to shape ``(I, W)`` with ``W = max L_i``; entries at
``j >= L_i`` are ignored on input and returned as ``nan``.

Two samplers of the abilities given :math:`(\tau^2, \theta)` are provided:

* :func:`ffbs`: forward filtering, backward sampling of each artist's whole path
  (Frühwirth-Schnatter 1994; Carter and Kohn 1994), an exact draw from the joint
  conditional. Fed zero variates it returns the Kalman (Rauch-Tung-Striebel)
  smoother mean.
* :func:`single_site_sweep`: one Gibbs sweep over the windows using the paper's
  Proposition 1 (with the corrected Eq. 10: the last ability's mean uses its left
  neighbour :math:`a_{i,t'_1-1}`).
"""

from __future__ import annotations

import numpy as np

from .packed import PackedFFBS

__all__ = [
    "kalman_filter",
    "kalman_smoother",
    "ffbs",
    "single_site_conditional",
    "single_site_sweep",
    "posterior_precision",
    "posterior_cov_times",
    "gibbs_sweeps",
]


def _active(lengths, width):
    return np.arange(width)[None, :] < np.asarray(lengths)[:, None]


def _observations_t(sums, counts, sigma2):
    """Window-major (W, I) observation precision n / sigma2 and information s / sigma2 (fixed within an E-step)."""
    counts_t = np.ascontiguousarray(np.asarray(counts, dtype=float).T)
    sums_t = np.ascontiguousarray(np.asarray(sums, dtype=float).T)
    return counts_t / sigma2, sums_t / sigma2


def _filter_t(prec_obs, info_obs, tau2, sigma_a):
    """The Kalman filter on window-major arrays: ``m[j, i]``, ``P[j, i]`` (contiguous rows, one per window).

    The same operations as an artist-major loop, element by element, so the same numbers; a window's
    row is contiguous, which is what makes the loop over windows fast for many artists.
    """
    width, n_art = prec_obs.shape
    sa2 = sigma_a**2
    m = np.empty((width, n_art))
    P = np.empty((width, n_art))
    m_pred = np.zeros(n_art)
    P_pred = np.full(n_art, float(tau2))
    tmp = np.empty(n_art)
    for j in range(width):
        if j > 0:
            m_pred = m[j - 1]
            np.add(P[j - 1], sa2, out=P_pred)
        np.divide(1.0, P_pred, out=tmp)
        tmp += prec_obs[j]
        np.divide(1.0, tmp, out=P[j])  # Pj = 1 / (1 / P_pred + n / sigma2)
        np.divide(m_pred, P_pred, out=tmp)
        tmp += info_obs[j]
        np.multiply(P[j], tmp, out=m[j])  # m = Pj * (m_pred / P_pred + s / sigma2)
    return m, P


def kalman_filter(sums, counts, lengths, sigma2, tau2, sigma_a):
    """Filtered means and variances ``m[i, j]``, ``P[i, j]`` of ``a[i, j]`` given windows ``<= j``."""
    m, P = _filter_t(*_observations_t(sums, counts, sigma2), tau2, sigma_a)
    return np.ascontiguousarray(m.T), np.ascontiguousarray(P.T)


def kalman_smoother(sums, counts, lengths, sigma2, tau2, sigma_a):
    """Rauch-Tung-Striebel smoother: posterior mean and variance of each ``a[i, j]``."""
    lengths = np.asarray(lengths)
    m, P = kalman_filter(sums, counts, lengths, sigma2, tau2, sigma_a)
    n_art, width = m.shape
    sa2 = sigma_a**2
    ms = np.full((n_art, width), np.nan)
    Ps = np.full((n_art, width), np.nan)
    for j in range(width - 1, -1, -1):
        last = lengths - 1 == j
        inner = j < lengths - 1
        ms[last, j] = m[last, j]
        Ps[last, j] = P[last, j]
        if j < width - 1 and inner.any():
            Pn = P[inner, j] + sa2
            J = P[inner, j] / Pn
            ms[inner, j] = m[inner, j] + J * (ms[inner, j + 1] - m[inner, j])
            Ps[inner, j] = P[inner, j] + J * J * (Ps[inner, j + 1] - Pn)
    return ms, Ps


def ffbs(sums, counts, lengths, sigma2, tau2, sigma_a, rng=None, z=None):
    """Draw every artist's ability path jointly by forward filtering, backward sampling.

    Parameters
    ----------
    sums, counts : ndarray of shape (I, W)
        Sum and number of residuals ``y - x'beta - gamma u`` per artist and window.
    lengths : ndarray of shape (I,)
        Number of windows ``L_i`` of each artist.
    sigma2, tau2, sigma_a : float
        Noise variance, initial-ability variance and random-walk step sd.
    rng : numpy.random.Generator, optional
        Source of the standard normal variates (ignored when ``z`` is given).
    z : ndarray of shape (I, W), optional
        The standard normal variates to use. ``z = 0`` returns the smoother mean.

    Returns
    -------
    ndarray of shape (I, W): one draw from p(a | y, theta, tau2); ``nan`` past ``L_i``.
    """
    sampler = PackedFFBS(sums, counts, lengths, sigma2, sigma_a)
    packed = None if z is None else sampler.packing.pack(z)
    return sampler.packing.unpack(sampler.draw(tau2, rng, packed), np.nan)


def _padded(a):
    """``a`` with a zero column on each side: ``p[:, j + 1] = a[:, j]``, and ``p[:, 0] = p[:, W + 1] = 0``."""
    n_art, width = a.shape
    p = np.zeros((n_art, width + 2))
    p[:, 1:-1] = np.nan_to_num(a)
    return p


def _conditional(p, j, sums, counts, lengths, sigma2, tau2, sigma_a):
    """Proposition 1 for window ``j`` of every artist, on the padded state ``p`` (see :func:`_padded`)."""
    sa2 = sigma_a**2
    has_right = j < lengths - 1
    right = np.where(has_right, p[:, j + 2], 0.0)  # a[:, j + 1] where it exists
    if j == 0:  # Eq. 8: the prior N(0, tau2) and the right neighbour
        prec = counts[:, j] / sigma2 + 1.0 / tau2 + has_right / sa2
        num = sums[:, j] / sigma2 + right / sa2
    else:  # Eq. 9: both neighbours
        last = j == lengths - 1
        # Eq. 10, corrected: the last ability's only neighbour is a at t'_1 - 1 (the paper printed t'_1 + 1)
        last_neighbour = p[:, j]
        left = np.where(last, last_neighbour, p[:, j])
        prec = counts[:, j] / sigma2 + 1.0 / sa2 + has_right / sa2
        num = sums[:, j] / sigma2 + left / sa2 + right / sa2
    var = 1.0 / prec
    return num * var, var


def single_site_conditional(a, j, sums, counts, lengths, sigma2, tau2, sigma_a):
    """Mean and variance of ``a[:, j]`` given the neighbouring abilities (Proposition 1).

    The initial window has the prior precision ``1/tau2``; every existing neighbour
    adds ``1/sigma_a^2`` and its value; the observations add ``n/sigma2`` and
    ``s/sigma2``. For the last window the only neighbour is ``a[:, j-1]``
    (corrected Eq. 10). Entries for artists with ``j >= L_i`` are ``nan``.
    """
    lengths = np.asarray(lengths)
    mean, var = _conditional(_padded(np.asarray(a, float)), j, np.asarray(sums, float), np.asarray(counts, float),
                             lengths, sigma2, tau2, sigma_a)
    inactive = j >= lengths
    return np.where(inactive, np.nan, mean), np.where(inactive, np.nan, var)


def single_site_sweep(a, sums, counts, lengths, sigma2, tau2, sigma_a, rng=None, z=None):
    """One Gibbs sweep over windows j = 0..W-1, each updated for all artists at once.

    Returns a new array (``nan`` past each artist's last window); ``a`` is not modified.
    """
    lengths = np.asarray(lengths)
    sums, counts = np.asarray(sums, float), np.asarray(counts, float)
    n_art, width = np.shape(a)
    if z is None:
        z = rng.standard_normal((n_art, width))
    p = _padded(np.asarray(a, dtype=float))
    active = _active(lengths, width)
    for j in range(width):
        mean, var = _conditional(p, j, sums, counts, lengths, sigma2, tau2, sigma_a)
        p[:, j + 1] = np.where(active[:, j], mean + np.sqrt(var) * z[:, j], 0.0)
    out = p[:, 1:-1].copy()
    out[~active] = np.nan
    return out


def posterior_precision(counts_i, length, sigma2, tau2, sigma_a):
    """Dense precision matrix of one artist's path given the data (for tests and checks).

    The posterior mean solves ``Q a = s / sigma2``.
    """
    L = int(length)
    sa2 = sigma_a**2
    Q = np.zeros((L, L))
    Q[0, 0] += 1.0 / tau2
    for j in range(1, L):
        Q[j, j] += 1.0 / sa2
        Q[j - 1, j - 1] += 1.0 / sa2
        Q[j, j - 1] -= 1.0 / sa2
        Q[j - 1, j] -= 1.0 / sa2
    Q[np.arange(L), np.arange(L)] += np.asarray(counts_i[:L], float) / sigma2
    return Q


def gibbs_sweeps(sums, counts, lengths, sigma2, a, n_sweeps, *, lam, sigma_a, rng,
                 sampler="ffbs", tau2_method="ars"):
    """Yield ``(tau2, a)`` after each of ``n_sweeps`` Gibbs sweeps of the E-step.

    Each sweep draws tau^2 given the current initial abilities ``a[:, 0]``
    (:func:`artstudy.ars.sample_tau2`), then the abilities given tau^2, with
    :func:`ffbs` or :func:`single_site_sweep`. ``a`` is the starting state (a warm
    start from the previous E-step); it is not modified. The yielded ``a`` holds 0
    past each artist's last window.
    """
    from .ars import sample_tau2

    n_art = len(lengths)
    a = np.nan_to_num(np.asarray(a, dtype=float))
    packed = PackedFFBS(sums, counts, lengths, sigma2, sigma_a) if sampler == "ffbs" else None
    for _ in range(n_sweeps):
        tau2 = float(sample_tau2(float(a[:, 0] @ a[:, 0]), n_art, lam, rng, tau2_method)[0])
        if sampler == "ffbs":  # 0 past the last window: what nan_to_num made of ffbs's nan
            a = packed.packing.unpack(packed.draw(tau2, rng), 0.0)
        elif sampler == "single-site":
            a = np.nan_to_num(single_site_sweep(a, sums, counts, lengths, sigma2, tau2, sigma_a, rng))
        else:
            raise ValueError(f"unknown sampler {sampler!r}; use 'ffbs' or 'single-site'")
        yield tau2, a


def posterior_cov_times(B, counts, lengths, sigma2, tau2, sigma_a):
    """``Cov(a | y) @ B`` for every artist at once, exactly, by a tridiagonal solve.

    Given theta and tau^2 the abilities' posterior precision is, per artist, the
    tridiagonal matrix of :func:`posterior_precision`. ``B`` has shape (I, W, p); rows
    past ``L_i`` are ignored and returned as 0. Uses the Thomas algorithm, vectorised
    over artists and columns.
    """
    B = np.asarray(B, dtype=float)
    counts = np.asarray(counts, dtype=float)
    lengths = np.asarray(lengths)
    n_art, width = counts.shape
    sa2 = sigma_a**2
    j = np.arange(width)[None, :]
    active = j < lengths[:, None]
    diag = counts / sigma2 + np.where(j == 0, 1.0 / tau2, 1.0 / sa2) + (j < lengths[:, None] - 1) / sa2
    diag = np.where(active, diag, 1.0)
    off = np.where(j[:, :-1] + 1 < lengths[:, None], -1.0 / sa2, 0.0)  # between j and j+1
    x = np.where(active[:, :, None], B, 0.0)  # the right-hand side, then d, then the solution, in place
    c = np.zeros((n_art, width))
    c_prev = np.zeros(n_art)
    d_prev = np.zeros(x.shape[::2])
    for k in range(width):
        lower = off[:, k - 1] if k > 0 else np.zeros(n_art)
        denom = diag[:, k] - lower * c_prev
        c[:, k] = (off[:, k] / denom) if k < width - 1 else 0.0
        x[:, k] = (x[:, k] - lower[:, None] * d_prev) / denom[:, None]
        c_prev, d_prev = c[:, k], x[:, k]
    for k in range(width - 2, -1, -1):
        x[:, k] = x[:, k] - c[:, k][:, None] * x[:, k + 1]
    np.copyto(x, 0.0, where=~active[:, :, None])
    return x
