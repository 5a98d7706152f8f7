r"""An artist's earlier sales as a sequence, and lag features from them: the inputs of the third strand.

The CNN-LSTM reads, for every lot, the artist's most recent earlier sales as a short sequence
(:func:`artist_histories`); the tree models read a handful of summaries of the same sales
(:func:`lag_features`). Both follow the convention of :mod:`artstudy.models.features`: a lot's
history is what was known when it was sold, i.e. the *priced* sales of the same artist with a sale
date **strictly before** its own. Same-day and later sales never enter, so a table may be passed as
both ``query`` and ``history`` (a row never sees itself) and a row's own price never changes its
features. History rows left out by a rule still count when they have a price (they are part of the
market's past); unsold lots (no positive price) do not.

The lookup is vectorised: history rows are sorted by (artist, sale date) into one integer key, every
query row finds the end of its artist's strictly-earlier block with :func:`numpy.searchsorted` (and
the start of the artist's block the same way), and the last ``length`` rows of that block are
gathered by fancy indexing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from .base import log_price

__all__ = ["SaleHistories", "artist_histories", "lag_features", "YEAR_DAYS"]

YEAR_DAYS = 365.25
"""Days per year of the gaps (as :func:`~artstudy.models.features.previous_sale`)."""

_NS_PER_YEAR = YEAR_DAYS * 86_400 * 1e9


@dataclass(frozen=True)
class SaleHistories:
    """The up to ``L`` most recent earlier sales of the artist of every query row.

    Steps run oldest to newest with the padding at the start (pre-padding): the newest earlier sale
    is always step ``L - 1``.

    Attributes
    ----------
    positions : ndarray of int64, shape (n, L)
        Row positions (``iloc``) into ``history``; -1 for padding.
    mask : ndarray of bool, shape (n, L)
        True for real steps, False for padding.
    lengths : ndarray of int64, shape (n,)
        Real steps per row (``mask.sum(axis=1)``), at most ``L``.
    counts : ndarray of int64, shape (n,)
        All earlier priced sales of the artist (not capped at ``L``).
    values : ndarray of float32, shape (n, L, F)
        Per-step features, named by ``feature_names``; padding steps are all zero.
    feature_names : tuple of str
        ``("log_price", "gap_years", *columns)``: the step's log price, the years from that sale
        to the query sale (positive), then the requested history columns (booleans as 0/1,
        missing values NaN).
    """

    positions: np.ndarray
    mask: np.ndarray
    lengths: np.ndarray
    counts: np.ndarray
    values: np.ndarray
    feature_names: tuple

    @property
    def length(self) -> int:
        """The sequence length ``L``."""
        return int(self.positions.shape[1])


def _require(frame: pd.DataFrame, columns, role: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise InputError(f"sequences: the {role} table has no column {column!r}")


def _date_ns(frame: pd.DataFrame, date: str, role: str) -> np.ndarray:
    """The ``date`` column as int64 nanoseconds (NaT as the int64 minimum)."""
    try:
        dates = pd.to_datetime(frame[date])
    except (ValueError, TypeError) as err:
        raise InputError(f"sequences: the {role} table's column {date!r} holds values that are not dates"
                         f" ({str(err).splitlines()[0] if str(err) else type(err).__name__})") from None
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    return dates.astype("datetime64[ns]").to_numpy().view(np.int64)


def _history_log_price(history: pd.DataFrame) -> np.ndarray:
    """Log price of the history rows: from ``price``, or a :func:`history_table`'s ``log_price``."""
    if "price" in history.columns:
        return log_price(history)
    if "log_price" in history.columns:
        y = pd.to_numeric(history["log_price"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isfinite(y), y, np.nan)
    raise InputError("sequences: the history table has no column 'price' (or 'log_price')")


def _numeric_column(history: pd.DataFrame, column: str) -> np.ndarray:
    """A history column as float (booleans as 0/1, missing as NaN); InputError when it is not numeric."""
    series = history[column]
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype("float64").to_numpy(dtype=float, na_value=np.nan)
    raise InputError(f"sequences: the history table's column {column!r} is not numeric or boolean "
                     f"(dtype {series.dtype})")


def _take(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values[at]``, or zeros shaped like ``at`` when ``values`` is empty (an empty history)."""
    return values[at] if values.size else np.zeros(at.shape, dtype=values.dtype)


@dataclass(frozen=True)
class _Lookup:
    """The strictly-earlier lookup shared by :func:`artist_histories` and :func:`lag_features`."""

    positions: np.ndarray  # (n, L) int64, -1 padding
    mask: np.ndarray  # (n, L) bool
    counts: np.ndarray  # (n,) all earlier priced sales
    log_price: np.ndarray  # (n, L) float64, NaN padding
    gap: np.ndarray  # (n, L) float64 years, NaN padding


def _earlier(query: pd.DataFrame, history: pd.DataFrame, length: int, date: str) -> _Lookup:
    """For every query row, the last ``length`` priced history rows of its artist strictly before it."""
    if isinstance(length, (bool, np.bool_)) or not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a positive integer, got {length!r}")
    _require(query, ("artist", date), "query")
    _require(history, ("artist", date), "history")
    y = _history_log_price(history)
    q_ns, h_ns = _date_ns(query, date, "query"), _date_ns(history, date, "history")
    nat = np.iinfo(np.int64).min
    codes, _ = pd.factorize(np.concatenate([query["artist"].to_numpy(dtype=object),
                                            history["artist"].to_numpy(dtype=object)]))
    q_code, h_code = codes[:len(query)], codes[len(query):]
    q_ok = (q_code >= 0) & (q_ns != nat)
    h_rows = np.flatnonzero((h_code >= 0) & (h_ns != nat) & np.isfinite(y))
    # one sortable integer key per row: artist code, then the rank of the sale date
    days = np.unique(np.concatenate([q_ns[q_ok], h_ns[h_rows]]))
    n_days = days.size + 1
    h_key = h_code[h_rows] * n_days + np.searchsorted(days, h_ns[h_rows])
    order = np.argsort(h_key, kind="stable")
    h_key, h_rows = h_key[order], h_rows[order]
    q_code = np.where(q_ok, q_code, 0)
    end = np.searchsorted(h_key, q_code * n_days + np.searchsorted(days, q_ns), side="left")
    start = np.searchsorted(h_key, q_code * n_days, side="left")
    counts = np.where(q_ok, end - start, 0).astype(np.int64)
    steps = np.arange(length)
    mask = steps[None, :] >= length - np.minimum(counts, length)[:, None]
    if h_rows.size:
        sorted_at = np.clip(end[:, None] - length + steps[None, :], 0, h_rows.size - 1)
        positions = np.where(mask, h_rows[sorted_at], -1)
    else:
        positions = np.full(mask.shape, -1, dtype=np.int64)
    positions = positions.astype(np.int64)
    safe = np.where(mask, positions, 0)
    lp = np.where(mask, _take(y, safe), np.nan)
    gap = np.where(mask, (q_ns[:, None] - _take(h_ns, safe)) / _NS_PER_YEAR, np.nan)
    return _Lookup(positions, mask, counts, lp, gap)


def artist_histories(query: pd.DataFrame, history: pd.DataFrame, length: int, columns=(), *,
                     date: str = "sale_date") -> SaleHistories:
    """The up to ``length`` most recent priced sales of each query row's artist strictly before its date.

    Parameters
    ----------
    query : DataFrame
        Rows to describe: ``artist`` and the ``date`` column (other columns are ignored; a row
        without an artist or a date gets an empty history).
    history : DataFrame
        The market's past: ``artist``, the ``date`` column, ``price`` (or the ``log_price`` of a
        :func:`~artstudy.models.features.history_table`) and ``columns``. Only rows with a finite
        log price count (left-out rows with a price included). May be ``query`` itself or overlap it.
    length : int
        The sequence length ``L`` (at least 1).
    columns : sequence of str
        Numeric or boolean columns of ``history`` added as per-step features.
    date : str
        The sale-date column of both tables (anything :func:`pandas.to_datetime` reads).

    Returns
    -------
    SaleHistories
        Steps oldest to newest, pre-padded; ``positions`` index ``history`` by position.

    Raises
    ------
    InputError
        A table lacks ``artist``, the date column, a price or a requested column, or a requested
        column is not numeric.
    """
    columns = tuple(columns)
    _require(history, columns, "history")
    extra = [_numeric_column(history, c) for c in columns]
    found = _earlier(query, history, length, date)
    safe = np.where(found.mask, found.positions, 0)
    values = np.stack([found.log_price, found.gap] + [_take(col, safe) for col in extra], axis=-1)
    values[~found.mask] = 0.0  # padding is zero; a real step keeps a missing covariate as NaN
    values = values.astype(np.float32)
    return SaleHistories(positions=found.positions, mask=found.mask, lengths=found.mask.sum(axis=1).astype(np.int64),
                         counts=found.counts, values=values, feature_names=("log_price", "gap_years") + columns)


def _slope(t: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Least-squares slope of ``y`` on ``t`` per row over the masked steps; NaN with < 2 steps or one date."""
    n = mask.sum(axis=1)
    t0, y0 = np.where(mask, t, 0.0), np.where(mask, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_bar, y_bar = t0.sum(axis=1) / n, y0.sum(axis=1) / n
        dt = np.where(mask, t - t_bar[:, None], 0.0)
        sxx = (dt * dt).sum(axis=1)
        sxy = (dt * np.where(mask, y - y_bar[:, None], 0.0)).sum(axis=1)
        slope = sxy / sxx
    # a zero spread of dates up to rounding leaves the slope undefined
    return np.where((n >= 2) & (sxx > 1e-12), slope, np.nan)


def lag_features(query: pd.DataFrame, history: pd.DataFrame, k: int = 5, *, date: str = "sale_date") -> pd.DataFrame:
    """Lag features of the artist's priced sales strictly before each query row.

    The same strictly-earlier lookup as :func:`artist_histories`, in float64.

    Parameters
    ----------
    query, history : DataFrame
        As in :func:`artist_histories`.
    k : int
        Number of lags (at least 1).
    date : str
        The sale-date column of both tables.

    Returns
    -------
    DataFrame
        Indexed like ``query``, columns in order:

        ``lag1`` ... ``lag<k>``
            The log prices of the artist's last ``k`` earlier sales, ``lag1`` the newest (NaN when fewer).
        ``lag_mean``
            Their mean (NaN with none).
        ``lag_trend``
            The least-squares slope of log price on sale time in years over those sales (NaN with
            fewer than two, or when they share one date).
        ``n_earlier``
            The count of all the artist's earlier priced sales (not capped at ``k``).
        ``years_since_last``
            Years from the artist's latest earlier sale (NaN with none).
    """
    found = _earlier(query, history, k, date)
    n = found.mask.sum(axis=1)
    lags = found.log_price[:, ::-1]  # newest first
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.where(found.mask, found.log_price, 0.0).sum(axis=1) / n, np.nan)
    out = pd.DataFrame(lags, columns=[f"lag{i + 1}" for i in range(k)], index=query.index)
    out["lag_mean"] = mean
    out["lag_trend"] = _slope(-found.gap, found.log_price, found.mask)
    out["n_earlier"] = found.counts
    out["years_since_last"] = found.gap[:, -1]
    return out
