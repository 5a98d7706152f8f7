"""The market's history as models see it, and features computed from what was known before each sale.

A model keeps the *history* of its training table: every sold lot with an artist and a positive
price, also the lots the analysis leaves out (they are part of the market's past). When it values
the lots of another table, the priced rows of that table join the history (each lot once, by
``lot_id``), and every feature of a lot is computed from history rows sold strictly before it:
popularity from earlier sale years (the seed paper's Eq. 1), a work's previous sale from earlier
sale dates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import log_price
from .pam.popularity import popularity_codes

__all__ = ["HISTORY_COLUMNS", "history_rows", "history_table", "known_history", "popularity_for", "previous_sale"]

HISTORY_COLUMNS = ["lot_id", "artist", "sale_date", "sale_year", "log_price", "artwork_id"]


def _dates(sales: pd.DataFrame, keep=None) -> pd.Series:
    """Sale dates of the rows ``keep`` (a mask; all rows if None), as a datetime column indexed like them."""
    rows = sales if keep is None else sales.loc[keep]
    if "sale_date" in sales.columns:  # parsed over the whole table, as its type may depend on every value
        dates = pd.to_datetime(sales["sale_date"])
        return dates if keep is None else dates.loc[keep]
    # 1 July of the sale year, by calendar arithmetic (no text per row), at the resolution pandas gives the
    # table's dates written as text
    years = rows["sale_year"].to_numpy().astype(np.int64)
    july = (years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(6, "M")
    unit = pd.to_datetime(pd.Series(["2000-07-01"][: min(1, len(sales))], dtype=str)).dtype
    return pd.Series(july.astype("datetime64[D]"), index=rows.index).astype(unit)


def _priced(sales: pd.DataFrame):
    """(log price of every row, which rows are history: a positive price and an artist)."""
    y = log_price(sales) if "price" in sales.columns else np.full(len(sales), np.nan)
    return y, np.isfinite(y) & sales["artist"].notna().to_numpy()


def history_rows(sales: pd.DataFrame) -> np.ndarray:
    """Which rows of a sales table :func:`history_table` keeps (a bool mask): a positive price and an artist."""
    return _priced(sales)[1]


def history_table(sales: pd.DataFrame) -> pd.DataFrame:
    """The priced rows of a sales table with an artist, in :data:`HISTORY_COLUMNS` (missing ones NA)."""
    y, keep = _priced(sales)
    keep = None if keep.all() else keep
    rows, y = (sales, y) if keep is None else (sales.loc[keep], y[keep])
    return pd.DataFrame({
        "lot_id": rows["lot_id"].astype("string") if "lot_id" in rows.columns else pd.NA,
        "artist": rows["artist"].astype(str),
        "sale_date": _dates(sales, keep),
        "sale_year": rows["sale_year"].astype(np.int64),
        "log_price": y,
        "artwork_id": rows["artwork_id"].astype("string") if "artwork_id" in rows.columns else pd.NA,
    }, index=rows.index, copy=False).reset_index(drop=True)  # the arrays made here are the table's own


def known_history(history: pd.DataFrame, query: pd.DataFrame) -> pd.DataFrame:
    """``history`` (a :func:`history_table`) joined by the priced rows of ``query``; a lot in both counts once.

    Rows of ``query`` are matched to history rows by ``lot_id`` when both have one.
    """
    new = history_table(query)
    if new.empty:
        return history
    if new["lot_id"].notna().all() and history["lot_id"].notna().all():
        history = history[~history["lot_id"].isin(new["lot_id"])]
    return pd.concat([history, new], ignore_index=True)


def popularity_for(query: pd.DataFrame, history: pd.DataFrame, kind: str = "sum",
                   scale: float = 10_000.0) -> np.ndarray:
    """Popularity at each query row's sale year from the history rows of earlier sale years."""
    h_artist = history["artist"]
    codes, _ = pd.factorize(pd.concat([h_artist, query["artist"].astype(str)], ignore_index=True),
                            use_na_sentinel=True)  # the artists' text, hashed once (no Python string per row)
    n = len(h_artist)
    return popularity_codes(codes[n:], query["sale_year"].to_numpy(), codes[:n], history["sale_year"].to_numpy(),
                            history["log_price"].to_numpy(), scale=scale, kind=kind)


def previous_sale(query: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """For each query row, the latest history sale of the same work strictly before its sale date.

    Returns a frame aligned with ``query``: ``prev_log_price`` and ``years_since`` (NaN for a work
    with no earlier sale, i.e. a fresh-to-market lot).
    """
    out = pd.DataFrame({"prev_log_price": np.nan, "years_since": np.nan}, index=query.index)
    if "artwork_id" not in query.columns or history["artwork_id"].isna().all():
        return out
    q = pd.DataFrame({"artwork_id": query["artwork_id"].astype("string"), "sale_date": _dates(query),
                      "_row": np.arange(len(query))}).dropna(subset=["artwork_id"])
    h = history.dropna(subset=["artwork_id"])[["artwork_id", "sale_date", "log_price"]]
    h = h.assign(prev_date=h["sale_date"])
    m = pd.merge_asof(q.sort_values("sale_date"), h.sort_values("sale_date"), on="sale_date", by="artwork_id",
                      allow_exact_matches=False, direction="backward")
    rows = m["_row"].to_numpy()
    out.iloc[rows, 0] = m["log_price"].to_numpy()
    out.iloc[rows, 1] = ((m["sale_date"] - m["prev_date"]).dt.days / 365.25).to_numpy()
    return out
