r"""Forward filtering, backward sampling on the cells that exist: the E-step's inner loop.

The abilities live on a ragged grid: artist :math:`i` has windows :math:`0, \dots, L_i - 1`.
:class:`Packing` orders the artists by their number of windows, longest first (ties in artist
order), so that the artists with a window :math:`j` are a *prefix* of that order; a packed vector
holds window 0's prefix, then window 1's, and so on: one entry per existing cell, window-major.
Each step of the Kalman filter and of the backward pass is then a few array operations on two
contiguous slices, with no masks and no work on the padding past each artist's last window.

:class:`PackedFFBS` draws every path at once. It performs, cell by cell, the same floating-point
operations in the same order as the window-major recursion of
:func:`artstudy.models.pam.samplers.ffbs`, and takes the standard normal variates from the
generator in the same order (an ``(I, W)`` array, artist-major, padding included), so a draw is
the same to the last bit. Its buffers are reused from sweep to sweep, the variates are taken and the
E-step's sums of the draws updated window by window, while the window's cells are in the CPU's cache.

:func:`ffbs_moments` runs the E-step's sweeps and returns the kept draws' mean and variance. With
many artists (:data:`THREAD_MIN_ARTISTS`) it splits them into two groups, each a
:class:`PackedFFBS` of its own, and works on one group in a second thread while the first draws
the variates and works on the other (NumPy releases the interpreter lock in both): the paths are
independent given tau^2, so the draws are the same as with one group.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np

__all__ = ["Packing", "PackedFFBS", "ffbs_moments", "THREAD_MIN_ARTISTS"]

#: Artists from which :func:`ffbs_moments` uses a second thread (below it, the hand-offs cost more than they save).
THREAD_MIN_ARTISTS = 4000


class Packing:
    """The existing (artist, window) cells of a padded ``(I, W)`` grid, as one window-major vector.

    Parameters
    ----------
    lengths : array-like of int, shape (I,)
        Windows of each artist (``L_i <= W``).
    width : int
        ``W``, the padded grid's number of columns.
    artists : array-like of int, optional
        Pack only these rows (artists) of the grid; default all.

    Attributes
    ----------
    order : ndarray
        The packed artists (positions in ``artists``) by number of windows, longest first (a stable sort).
    sizes : ndarray of shape (W,)
        Artists with window ``j``: the first ``sizes[j]`` of ``order``.
    starts : ndarray of shape (W + 1,)
        Offset of window ``j``'s segment in a packed vector; ``starts[-1]`` is the number of cells.
    flat : ndarray of shape (cells,)
        Flat index ``i * W + j`` in the grid of each packed cell.
    """

    def __init__(self, lengths, width: int, artists=None):
        lengths = np.asarray(lengths, dtype=np.int64)
        self.n_art, self.width = lengths.size, int(width)
        if lengths.size and lengths.max() > self.width:
            raise ValueError(f"an artist has {lengths.max()} windows, more than the grid's {self.width}")
        self.artists = np.arange(self.n_art) if artists is None else np.asarray(artists, dtype=np.int64)
        own = lengths[self.artists]
        self.order = np.argsort(-own, kind="stable")
        self.rows = self.artists[self.order]  # grid row of each packed artist, longest first
        self.sizes = np.searchsorted(-own[self.order], -np.arange(self.width), side="left")
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self.flat = np.concatenate([self.rows[:n] * self.width + j for j, n in enumerate(self.sizes)]
                                   + [np.zeros(0, np.int64)])

    @property
    def size(self) -> int:
        """Number of existing cells."""
        return int(self.starts[-1])

    def segment(self, j: int, n: int | None = None) -> slice:
        """Window ``j``'s cells in a packed vector (the first ``n`` of them with ``n``)."""
        lo = int(self.starts[j])
        return slice(lo, lo + int(self.sizes[j] if n is None else n))

    def pack(self, grid) -> np.ndarray:
        """The existing cells of an ``(I, W)`` grid, packed."""
        return np.ravel(np.asarray(grid, dtype=float)).take(self.flat)

    def unpack(self, packed, fill=0.0, out=None) -> np.ndarray:
        """The ``(I, W)`` grid of a packed vector, ``fill`` past each artist's last window (and on the rows not
        packed); with ``out`` (an (I, W) grid), only the packed cells of ``out`` are written."""
        if out is None:
            out = np.full((self.n_art, self.width), fill, dtype=float)
        out.reshape(-1)[self.flat] = packed
        return out

    def first(self, packed, out=None) -> np.ndarray:
        """Window 0 of every packed artist into ``out`` (I,) at its row (a new zero vector if None)."""
        out = np.zeros(self.n_art) if out is None else out
        if self.width:
            out[self.rows[: self.sizes[0]]] = packed[self.segment(0)]
        return out


class PackedFFBS:
    """Joint draws of every artist's ability path at fixed observations (one E-step's sweeps).

    Parameters
    ----------
    sums, counts : ndarray of shape (I, W)
        Sum and number of residuals per (artist, window) cell.
    lengths : ndarray of int, shape (I,)
    sigma2, sigma_a : float
        Noise variance and random-walk step sd.
    artists : array-like of int, optional
        Draw only these artists' paths (default all).

    Notes
    -----
    :meth:`draw` returns its internal buffer: the draw is valid until the next call.
    """

    def __init__(self, sums, counts, lengths, sigma2, sigma_a, artists=None):
        self.packing = pk = Packing(lengths, np.shape(sums)[1], artists)
        self.prec = pk.pack(counts) / sigma2  # observation precision n / sigma2 and information s / sigma2
        self.info = pk.pack(sums) / sigma2
        self.sa2 = sigma_a**2
        self.m, self.P, self.a, self.z = (np.empty(pk.size) for _ in range(4))
        self._t = [np.empty(pk.artists.size) for _ in range(3)]

    def filter(self, tau2: float) -> None:
        """Filtered means ``m`` and variances ``P`` of every cell given its artist's windows up to it."""
        pk, m, P, prec, info = self.packing, self.m, self.P, self.prec, self.info
        if not pk.size:
            return
        t1, t2 = self._t[0], self._t[1]
        cur, n = pk.segment(0), pk.sizes[0]
        np.add(prec[cur], 1.0 / float(tau2), out=t2[:n])
        np.divide(1.0, t2[:n], out=P[cur])  # P = 1 / (1 / tau2 + n / sigma2)
        np.multiply(P[cur], info[cur], out=m[cur])  # m = P (0 / tau2 + s / sigma2)
        for j in range(1, pk.width):
            n = pk.sizes[j]
            if not n:
                break
            prev, cur = pk.segment(j - 1, n), pk.segment(j)
            pred = t1[:n]
            np.add(P[prev], self.sa2, out=pred)  # predicted variance
            np.divide(1.0, pred, out=t2[:n])
            t2[:n] += prec[cur]
            np.divide(1.0, t2[:n], out=P[cur])
            np.divide(m[prev], pred, out=t2[:n])
            t2[:n] += info[cur]
            np.multiply(P[cur], t2[:n], out=m[cur])

    def take(self, grid) -> np.ndarray:
        """This sampler's variates, packed, from the ``(I, W)`` grid of standard normals of one draw."""
        return np.take(grid.reshape(-1), self.packing.flat, out=self.z)

    def backward(self, z=None, grid=None, sums=None) -> np.ndarray:
        """Backward sampling from the filtered moments; returns the draw.

        The variates are ``z`` (packed) or taken window by window from ``grid`` (the (I, W) standard normals of
        the draw). With ``sums = (acc, acc2)`` each window's draws and their squares are added to them as soon
        as they are drawn, while they are in the CPU's cache.
        """
        pk, m, P, a = self.packing, self.m, self.P, self.a
        t1, t2, t3 = self._t
        flat_grid = None if grid is None else grid.reshape(-1)
        z = self.z if z is None else z
        for j in range(pk.width - 1, -1, -1):
            n_next = int(pk.sizes[j + 1]) if j + 1 < pk.width else 0
            seg = pk.segment(j)
            if flat_grid is not None:
                np.take(flat_grid, pk.flat[seg], out=z[seg])
            inner, tail = slice(seg.start, seg.start + n_next), slice(seg.start + n_next, seg.stop)
            k = tail.stop - tail.start
            if k:  # the artist's last window: a = m + sqrt(P) z
                np.sqrt(P[tail], out=t1[:k])
                t1[:k] *= z[tail]
                np.add(m[tail], t1[:k], out=a[tail])
            if n_next:
                J, sd, mean = t1[:n_next], t2[:n_next], t3[:n_next]
                np.add(P[inner], self.sa2, out=J)
                np.divide(P[inner], J, out=J)  # J = P / (P + sigma_a^2)
                np.subtract(1.0, J, out=sd)
                sd *= P[inner]
                np.sqrt(sd, out=sd)  # the sd of a[j] given a[j + 1]
                np.subtract(a[pk.segment(j + 1)], m[inner], out=mean)
                mean *= J
                mean += m[inner]  # mean = m + J (a[j + 1] - m)
                np.multiply(sd, z[inner], out=a[inner])
                a[inner] += mean  # draw = mean + sd z
            if sums is not None and seg.stop > seg.start:
                acc, acc2 = sums
                acc[seg] += a[seg]
                square = t1[:seg.stop - seg.start]
                np.multiply(a[seg], a[seg], out=square)
                acc2[seg] += square
        return a

    def draw(self, tau2: float, rng=None, z=None) -> np.ndarray:
        """One draw of every path given tau^2, packed (``z``: the packed variates, else drawn from ``rng``)."""
        self.filter(tau2)
        if z is None:
            z = self.take(rng.standard_normal((self.packing.n_art, self.packing.width)))
        return self.backward(z)


class _Moments:
    """A sampler with the running sums of its kept draws."""

    def __init__(self, sampler: PackedFFBS):
        self.sampler = sampler
        size = sampler.packing.size
        self.acc, self.acc2 = np.zeros(size), np.zeros(size)

    def finish(self, grid, keep: bool) -> np.ndarray:
        """Backward sampling with the variates of ``grid``; adds the draw to the sums when ``keep``."""
        return self.sampler.backward(grid=grid, sums=(self.acc, self.acc2) if keep else None)


def _groups(lengths) -> list:
    """The artists in one group, or two for two threads (three fifths of each length's artists to the
    second thread, which has no variates to draw)."""
    n_art = len(lengths)
    if n_art < max(THREAD_MIN_ARTISTS, 2):
        return [None]
    order = np.argsort(-np.asarray(lengths), kind="stable")
    worker = np.arange(n_art) % 5 < 3
    return [np.sort(order[~worker]), np.sort(order[worker])]


def ffbs_moments(sums, counts, lengths, sigma2, a, n_sweeps: int, n_burn: int, *, lam, sigma_a, rng,
                 tau2_method="ars"):
    """The E-step's FFBS sweeps: each draws tau^2 given the initial abilities, then every path.

    The same draws as :func:`artstudy.models.pam.samplers.gibbs_sweeps` with ``sampler="ffbs"``.

    Parameters
    ----------
    sums, counts : ndarray of shape (I, W)
    lengths : ndarray of int, shape (I,)
    sigma2 : float
    a : ndarray of shape (I, W)
        The starting state (only its window 0 enters: the first tau^2 draw).
    n_sweeps, n_burn : int
        Sweeps, and how many of the first are left out of the moments.
    lam, sigma_a : float
    rng : numpy.random.Generator
    tau2_method : {"ars", "gig"}

    Returns
    -------
    a_hat, a_var : ndarray of shape (I, W)
        Mean and variance of the kept draws (0 past each artist's last window).
    tau2 : ndarray of shape (n_sweeps,)
    last : ndarray of shape (I, W)
        The last draw (0 past each artist's last window).
    """
    from .ars import sample_tau2

    groups = [_Moments(PackedFFBS(sums, counts, lengths, sigma2, sigma_a, g)) for g in _groups(lengths)]
    main, others = groups[0], groups[1:]
    n_art, width = np.shape(sums)
    grid = np.empty((n_art, width))
    tau2 = np.empty(n_sweeps)
    # window 0 as a strided column, like the grid's a[:, 0]: BLAS sums its squares in the same order
    first = np.zeros((n_art, 2))[:, 0]
    first[:] = np.nan_to_num(np.asarray(a, dtype=float)[:, 0])
    draws = []
    with ThreadPoolExecutor(max_workers=1) if others else nullcontext() as pool:
        for g in range(n_sweeps):
            tau2[g] = float(sample_tau2(float(first @ first), n_art, lam, rng, tau2_method)[0])
            keep = g >= n_burn
            # the other group's filter runs while this thread draws the variates; its backward pass (queued
            # after the draw) while this thread does its own group
            filtered = [pool.submit(o.sampler.filter, tau2[g]) for o in others]
            rng.standard_normal(out=grid)  # every cell's variate, padding included: ffbs's stream
            done = [pool.submit(o.finish, grid, keep) for o in others]
            main.sampler.filter(tau2[g])
            draws = [main.finish(grid, keep)] + [f.result() for f in done]
            for f in filtered:
                f.result()
            for group, draw in zip(groups, draws):
                group.sampler.packing.first(draw, out=first)
    kept = n_sweeps - n_burn
    acc, acc2, last = (np.zeros((n_art, width)) for _ in range(3))
    for group, draw in zip(groups, draws):
        pk = group.sampler.packing
        pk.unpack(group.acc, out=acc)
        pk.unpack(group.acc2, out=acc2)
        pk.unpack(draw, out=last)
    a_hat = acc / kept
    a_var = np.maximum(acc2 / kept - a_hat**2, 0.0)
    if not draws:
        last = np.nan_to_num(np.asarray(a, dtype=float))
    return a_hat, a_var, tau2, last
