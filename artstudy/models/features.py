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
from .pam.popularity import popularity

__all__ = ["HISTORY_COLUMNS", "history_table", "known_history", "popularity_for", "previous_sale"]

HISTORY_COLUMNS = ["lot_id", "artist", "sale_date", "sale_year", "log_price", "artwork_id"]


def _dates(sales: pd.DataFrame) -> pd.Series:
    if "sale_date" in sales.columns:
        return pd.to_datetime(sales["sale_date"])
    return pd.to_datetime(sales["sale_year"].astype(int).astype(str) + "-07-01")


def history_table(sales: pd.DataFrame) -> pd.DataFrame:
    """The priced rows of a sales table with an artist, in :data:`HISTORY_COLUMNS` (missing ones NA)."""
    y = log_price(sales) if "price" in sales.columns else np.full(len(sales), np.nan)
    keep = np.isfinite(y) & sales["artist"].notna().to_numpy()
    out = pd.DataFrame({
        "lot_id": sales["lot_id"].astype("string") if "lot_id" in sales.columns else pd.NA,
        "artist": sales["artist"].astype(str),
        "sale_date": _dates(sales),
        "sale_year": sales["sale_year"].astype(np.int64),
        "log_price": y,
        "artwork_id": sales["artwork_id"].astype("string") if "artwork_id" in sales.columns else pd.NA,
    }, index=sales.index)
    return out.loc[keep].reset_index(drop=True)


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
    return popularity(query["artist"].astype(str).to_numpy(), query["sale_year"].to_numpy(), scale=scale,
                      kind=kind, history=(history["artist"].to_numpy(), history["sale_year"].to_numpy(),
                                          history["log_price"].to_numpy()))


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
