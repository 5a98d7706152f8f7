"""The packed FFBS (artstudy.models.pam.packed) gives the window-major recursion's draws to the last bit.

The reference below is the padded, window-major forward filtering, backward sampling that the E-step
used before the cells were packed (every artist at every window, masks for the last windows); the
packed sampler must reproduce its draws exactly from the same generator, with one group of artists or
with two groups in two threads.
"""

from __future__ import annotations

import numpy as np
import pytest

from artstudy.models.pam import packed
from artstudy.models.pam.ars import sample_tau2
from artstudy.models.pam.packed import Packing, PackedFFBS, ffbs_moments
from artstudy.models.pam.samplers import ffbs, gibbs_sweeps


def reference_ffbs(sums, counts, lengths, sigma2, tau2, sigma_a, z):
    """The padded window-major FFBS: (I, W) draw with 0 past each artist's last window."""
    n_art, width = sums.shape
    prec, info = counts.T / sigma2, sums.T / sigma2
    sa2 = sigma_a**2
    m, P = np.empty((width, n_art)), np.empty((width, n_art))
    m_pred, P_pred = np.zeros(n_art), np.full(n_art, float(tau2))
    for j in range(width):
        if j > 0:
            m_pred, P_pred = m[j - 1], P[j - 1] + sa2
        P[j] = 1.0 / (1.0 / P_pred + prec[j])
        m[j] = P[j] * (m_pred / P_pred + info[j])
    z = z.T
    J = P[:-1] / (P[:-1] + sa2)
    sd = np.sqrt(P[:-1] * (1.0 - J))
    last = m + np.sqrt(P) * z
    is_last = np.arange(width)[:, None] == (lengths - 1)[None, :]
    a = np.empty((width, n_art))
    a[width - 1] = last[width - 1]
    for j in range(width - 2, -1, -1):
        a[j] = sd[j] * z[j] + ((a[j + 1] - m[j]) * J[j] + m[j])
        a[j] = np.where(is_last[j], last[j], a[j])
    a = a.T.copy()
    a[np.arange(width)[None, :] >= lengths[:, None]] = 0.0
    return a


@pytest.fixture
def case():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 8, 300)
    lengths[5] = 9  # the grid has one more column than the longest path
    width = 10
    counts = rng.integers(0, 6, (300, width)).astype(float)
    counts[np.arange(width)[None, :] >= lengths[:, None]] = 0
    sums = rng.normal(size=counts.shape) * counts
    return sums, counts, lengths


def test_packing_orders_cells_window_major_longest_first():
    pk = Packing([2, 3, 1, 3], width=4)
    assert pk.order.tolist() == [1, 3, 0, 2]  # longest first, ties in artist order
    assert pk.sizes.tolist() == [4, 3, 2, 0] and pk.starts.tolist() == [0, 4, 7, 9, 9]
    assert pk.flat.tolist() == [4, 12, 0, 8, 5, 13, 1, 6, 14]  # artist * 4 + window
    grid = np.arange(16.0).reshape(4, 4)
    assert pk.pack(grid).tolist() == [4, 12, 0, 8, 5, 13, 1, 6, 14]
    np.testing.assert_array_equal(pk.unpack(pk.pack(grid), fill=-1),
                                  [[0, 1, -1, -1], [4, 5, 6, -1], [8, -1, -1, -1], [12, 13, 14, -1]])
    assert pk.first(pk.pack(grid)).tolist() == [0, 4, 8, 12]
    sub = Packing([2, 3, 1, 3], width=4, artists=[0, 2])
    assert sub.flat.tolist() == [0, 8, 1] and sub.first(sub.pack(grid)).tolist() == [0, 0, 8, 0]
    with pytest.raises(ValueError, match="an artist has 5 windows, more than the grid's 4"):
        Packing([5], width=4)


def test_a_packed_draw_is_the_window_major_draw_to_the_bit(case):
    sums, counts, lengths = case
    got = ffbs(sums, counts, lengths, 0.7, 2.5, 0.3, np.random.default_rng(9))
    z = np.random.default_rng(9).standard_normal(sums.shape)
    want = reference_ffbs(sums, counts, lengths, 0.7, 2.5, 0.3, z)
    active = np.arange(sums.shape[1])[None, :] < lengths[:, None]
    assert np.array_equal(got[active], want[active])
    assert np.isnan(got[~active]).all()
    # a sampler for some artists draws their rows of the same draw, from the whole grid of variates
    some = np.arange(0, 300, 3)
    part = PackedFFBS(sums, counts, lengths, 0.7, 0.3, artists=some)
    part.filter(2.5)
    draw = part.packing.unpack(part.backward(part.take(z)), 0.0)
    assert np.array_equal(draw[some], want[some]) and not draw[np.arange(1, 300, 3)].any()


@pytest.mark.parametrize("threads", [False, True])
def test_e_step_moments_are_the_gibbs_sweeps_moments(case, threads, monkeypatch):
    sums, counts, lengths = case
    monkeypatch.setattr(packed, "THREAD_MIN_ARTISTS", 0 if threads else 10**9)
    groups = packed._groups(lengths)
    if threads:  # two groups that share the artists between them
        assert len(groups) == 2 and min(g.size for g in groups) > 100
        assert np.array_equal(np.sort(np.concatenate(groups)), np.arange(len(lengths)))
    else:
        assert groups == [None]
    start = np.random.default_rng(1).normal(size=sums.shape)
    a_hat, a_var, tau2, last = ffbs_moments(sums, counts, lengths, 0.8, start, 12, 4, lam=4.0, sigma_a=0.2,
                                            rng=np.random.default_rng(5))
    draws = list(gibbs_sweeps(sums, counts, lengths, 0.8, start, 12, lam=4.0, sigma_a=0.2,
                              rng=np.random.default_rng(5)))
    kept = np.stack([a for _, a in draws[4:]])
    assert tau2.tolist() == [t for t, _ in draws]
    assert np.array_equal(a_hat, kept.sum(axis=0) / 8)
    assert np.array_equal(a_var, np.maximum((kept * kept).sum(axis=0) / 8 - a_hat**2, 0.0))
    assert np.array_equal(last, draws[-1][1])
    # and the first tau^2 is drawn from the start's initial abilities, exactly as the E-step always did
    first = float(sample_tau2(float(start[:, 0] @ start[:, 0]), len(lengths), 4.0, np.random.default_rng(5))[0])
    assert tau2[0] == first


def test_the_draws_follow_the_smoother(case):
    # with z = 0 the packed draw is the smoother mean: the backward pass's means are right, not only replayed
    from artstudy.models.pam.samplers import kalman_smoother

    sums, counts, lengths = case
    mean = ffbs(sums, counts, lengths, 0.7, 2.5, 0.3, z=np.zeros(sums.shape))
    ms, _ = kalman_smoother(sums, counts, lengths, 0.7, 2.5, 0.3)
    active = ~np.isnan(ms)
    np.testing.assert_allclose(mean[active], ms[active], rtol=1e-12, atol=1e-12)
