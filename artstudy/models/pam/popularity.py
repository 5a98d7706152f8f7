r"""Artist popularity (the seed paper's Eq. 1) and a unit-free variant.

``kind="sum"`` (the paper's):

.. math::

    u_{i,t} = \frac{1}{\text{scale}} \sum_{s < t} \sum_k y_{i,s,k},

the sum of the artist's log prices in sale years strictly before ``t``, divided by
``scale`` (10,000 in the paper). It depends on the price unit: prices in thousands of
dollars subtract ``ln 1000`` from every term, so the same market gives another gamma.

``kind="relative"``: the same sum of :math:`y_{i,s,k} - \bar y_s`, each log price minus
the market's mean log price of its sale year (over every artist's sales in the history).
A change of unit moves both terms alike, so it cancels.

A sale in the artist's first sale year has popularity 0; sales in the same year share
their popularity. The *history* is the set of sales that count (by default the rows
themselves): every sold, priced lot of the artist, also those the analysis leaves out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["popularity", "popularity_codes", "year_index", "POPULARITY_KINDS"]

POPULARITY_KINDS = ("sum", "relative")


def popularity(artist, sale_year, log_price=None, scale: float = 10_000.0, kind: str = "sum",
               history=None) -> np.ndarray:
    """Popularity of each sale's artist at its sale year.

    Parameters
    ----------
    artist, sale_year : array-like of shape (N,)
        The sales whose popularity is wanted.
    log_price : array-like of shape (N,), optional
        Their log prices; with ``history=None`` these sales are also the history.
    scale : float
        Divisor of the sum.
    kind : {"sum", "relative"}
        The paper's sum of log prices, or the unit-free sum of log prices relative to the
        market's mean of each sale year.
    history : tuple (artist, sale_year, log_price) of arrays, optional
        The sales that count; rows with a missing artist or a non-finite log price are ignored.

    Returns
    -------
    ndarray of shape (N,)
    """
    _check_kind(kind)
    q_artist = np.asarray(artist, dtype=object)
    q_year = np.asarray(sale_year, dtype=np.int64)
    if history is None:
        if log_price is None:
            raise ValueError("give log_price or history")
        h_artist, h_year, h_y = q_artist, q_year, np.asarray(log_price, dtype=float)
    else:
        h_artist, h_year, h_y = (np.asarray(v) for v in history)
        h_artist = h_artist.astype(object)
    codes, _ = pd.factorize(pd.Series(np.concatenate([h_artist, q_artist])), use_na_sentinel=True)
    return popularity_codes(codes[h_artist.size:], q_year, codes[:h_artist.size], h_year, h_y, scale=scale,
                            kind=kind)


def _check_kind(kind: str) -> None:
    if kind not in POPULARITY_KINDS:
        raise ValueError(f"unknown popularity kind {kind!r}; use one of {', '.join(POPULARITY_KINDS)}")


def year_index(years) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(years, return_inverse=True)`` of integer years, by counting when their span is short."""
    years = np.asarray(years, dtype=np.int64)
    if years.size == 0 or int(years.max()) - int(years.min()) > max(1_000_000, years.size):
        return np.unique(years, return_inverse=True)
    low = int(years.min())
    present = np.bincount(years - low) > 0
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present) + low, rank[years - low]


def _years_before(years: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``np.searchsorted(years, query)`` for sorted integer ``years``: by a table over their span when it is short."""
    if years.size == 0 or int(years[-1]) - int(years[0]) > max(1_000_000, query.size):
        return np.searchsorted(years, query, side="left")
    low, high = int(years[0]), int(years[-1])
    table = np.searchsorted(years, np.arange(low, high + 1), side="left")
    inside = np.clip(query, low, high) - low
    return np.where(query > high, years.size, table[inside])


def popularity_codes(q_code, q_year, h_code, h_year, h_y, scale: float = 10_000.0, kind: str = "sum") -> np.ndarray:
    """:func:`popularity` with the artists given as integer codes shared by the query and the history.

    Parameters
    ----------
    q_code, q_year : array-like of shape (N,)
        Artist code (negative: no artist, popularity 0) and sale year of each query sale.
    h_code, h_year, h_y : array-like of shape (M,)
        Artist code, sale year and log price of each history sale (a negative code or a non-finite log price:
        ignored). The sums run over the history in its order, whatever the codes' numbering.
    scale, kind
        As :func:`popularity`.

    Returns
    -------
    ndarray of shape (N,)
    """
    _check_kind(kind)
    q_code, q_year = np.asarray(q_code, dtype=np.int64), np.asarray(q_year, dtype=np.int64)
    h_code, h_year, h_y = np.asarray(h_code, dtype=np.int64), np.asarray(h_year, dtype=np.int64), np.asarray(h_y, float)
    ok = np.isfinite(h_y) & (h_code >= 0)
    if not ok.all():
        h_code, h_year, h_y = h_code[ok], h_year[ok], h_y[ok]
    out = np.zeros(q_year.size)
    if h_y.size == 0:
        return out
    years, h_k = year_index(h_year)
    if kind == "relative":
        mean = np.bincount(h_k, weights=h_y) / np.bincount(h_k)
        h_y = h_y - mean[h_k]
    n_art = int(max(h_code.max(), q_code.max(initial=-1))) + 1
    n_years = years.size
    sums = np.bincount(h_code * n_years + h_k, weights=h_y, minlength=n_art * n_years).reshape(n_art, n_years)
    before = np.zeros((n_art, n_years + 1))
    np.cumsum(sums, axis=1, out=before[:, 1:])  # before[:, k]: sum over the first k history years
    k = _years_before(years, q_year)  # history years strictly before each query year
    known = q_code >= 0
    out[known] = before[q_code[known], k[known]]
    return out / scale
