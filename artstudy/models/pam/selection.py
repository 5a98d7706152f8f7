"""Work windows and the seed paper's artist-selection rule (the funnel is :class:`artstudy.data.funnel.Funnel`).

Work window of a work made in year ``w``: ``floor((w - start) / width)``, so with
the defaults window 0 is 1951-1955, 1 is 1956-1960, ..., 13 is 2016-2020.

Selection (Section 4.1 of the paper): an artist's entry window ``t'_0`` is the first
window with at least ``min_works`` works; the artist is kept when the windows
``t'_0, t'_0 + 1, ...`` each have at least ``min_works`` works for at least
``min_windows`` consecutive windows, and ``t'_1`` is the last window of that run.
Works made outside ``[t'_0, t'_1]`` are dropped.
"""

from __future__ import annotations

import numpy as np

__all__ = ["work_window", "artist_spans"]


def work_window(work_year, start: int = 1951, width: int = 5) -> np.ndarray:
    """Window index of each work year (negative before ``start``)."""
    return np.floor_divide(np.asarray(work_year, dtype=np.int64) - start, width)


def artist_spans(artist_codes, window, n_artists, n_windows, min_works=3, min_windows=6):
    """First and last kept window of every artist under the selection rule.

    Parameters
    ----------
    artist_codes : ndarray of int, shape (N,)
    window : ndarray of int, shape (N,), values in 0..n_windows-1
    min_works, min_windows : int or None
        With ``min_works=None`` no rule applies: every artist spans from its first to
        its last window with a work.

    Returns
    -------
    t0, t1 : ndarray of int, shape (n_artists,)
        ``t1 = -1`` for artists that fail the rule.
    """
    counts = np.bincount(artist_codes * n_windows + window,
                         minlength=n_artists * n_windows).reshape(n_artists, n_windows)
    j = np.arange(n_windows)[None, :]
    if min_works is None:
        has = counts > 0
        t0 = np.argmax(has, axis=1)
        t1 = n_windows - 1 - np.argmax(has[:, ::-1], axis=1)
        t1 = np.where(has.any(axis=1), t1, -1)
        return t0, t1
    enough = counts >= min_works
    t0 = np.argmax(enough, axis=1)
    breaks = (j >= t0[:, None]) & ~enough
    breaks = np.concatenate([breaks, np.ones((n_artists, 1), bool)], axis=1)
    t1 = np.argmax(breaks, axis=1) - 1
    ok = enough.any(axis=1) & (t1 - t0 + 1 >= min_windows)
    return t0, np.where(ok, t1, -1)
