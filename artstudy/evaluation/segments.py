"""Segments of the test sales that the metrics are computed on.

Each scored test row (an in-sample row of the test period) belongs to one or more segments:

``all``
    every scored row;
``repeat``
    the work was sold before, in the training period or earlier in the test period
    (``sale_kind == "repeat"``, as the data layer links repeat sales);
``fresh``
    fresh to the market: the first sale of the work in the data (``sale_kind == "first"``);
``unseen_artist``
    the artist has no sold, priced lot in the training period (history-only lots count: the
    artist was seen).

A table without ``sale_kind`` (a simulated market) has no repeat and fresh segments. The
segments are given as a boolean frame, one column per segment, which the metrics group by.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models.base import log_price
from .split import Split

__all__ = ["SEGMENTS", "segment_masks", "long_segments"]

#: Segment names, in the order tables show them.
SEGMENTS = ("all", "repeat", "fresh", "unseen_artist")


def segment_masks(sales: pd.DataFrame, split: Split, rows=None) -> pd.DataFrame:
    """Which segments each scored test row belongs to.

    Parameters
    ----------
    sales : DataFrame
        The whole sales table the split was made on.
    split : Split
    rows : array of bool, shape (N,), optional
        The rows to classify (default ``split.scored``).

    Returns
    -------
    DataFrame
        Indexed like those rows of ``sales``; one boolean column per segment of
        :data:`SEGMENTS` that the table can tell (``repeat`` and ``fresh`` need ``sale_kind``).
    """
    rows = split.scored if rows is None else np.asarray(rows, dtype=bool)
    part = sales.loc[rows]
    out = {"all": np.ones(len(part), dtype=bool)}
    if "sale_kind" in sales.columns:
        kind = part["sale_kind"].astype("string").str.lower()
        out["repeat"] = kind.eq("repeat").fillna(False).to_numpy(dtype=bool)
        out["fresh"] = kind.eq("first").fillna(False).to_numpy(dtype=bool)
    priced = np.isfinite(log_price(sales)) & sales["artist"].notna().to_numpy()
    seen = pd.unique(sales.loc[split.train & priced, "artist"].astype(str))
    out["unseen_artist"] = ~part["artist"].astype(str).isin(seen).to_numpy()
    return pd.DataFrame(out, index=part.index)


def long_segments(masks: pd.DataFrame, ids=None) -> pd.DataFrame:
    """The segments in long layout: one row per (row, segment) membership.

    Parameters
    ----------
    masks : DataFrame
        From :func:`segment_masks`.
    ids : array-like, optional
        An id per row of ``masks`` (e.g. lot ids; default the index).

    Returns
    -------
    DataFrame
        Columns ``id, segment``.
    """
    ids = masks.index.to_numpy() if ids is None else np.asarray(ids)
    values = masks.to_numpy(dtype=bool)
    row, col = np.nonzero(values)
    order = np.lexsort((row, col))
    return pd.DataFrame({"id": ids[row[order]], "segment": masks.columns.to_numpy()[col[order]]})
