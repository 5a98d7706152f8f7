"""Repeat sales: titles for matching, artwork keys and whether a lot is a work's first sale.

- artwork key (:func:`artwork_ids`): same artist, same normalised title (transliterated, case,
  punctuation and quotes dropped), same height and width rounded to whole cm and same creation
  year => same ``artwork_id``, a stable hash "W" + 16 hex digits.
- ``sale_kind`` (:func:`sale_kinds`): "repeat" for a lot of a work that was SOLD at an earlier lot
  (by sale date, then file order), else "first".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .text import fold, on_uniques

__all__ = ["normalise_title", "artwork_ids", "sale_kinds"]

_HEX = np.array(list("0123456789abcdef"))


def normalise_title(values) -> pd.Series:
    """Title for matching: accents, case, quotes and punctuation dropped ('"Untitled (Blue)"' -> "untitled blue")."""
    def run(u):
        return fold(u).str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    return on_uniques(values, run).astype(object)


def _hex64(h: np.ndarray) -> np.ndarray:
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    nib = ((h[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.intp)
    return np.ascontiguousarray(_HEX[nib]).view("<U16").ravel()


def artwork_ids(artist, title, height_cm, width_cm, work_year) -> np.ndarray:
    """Artwork key "W<16 hex>": same artist (case, accents and spaces folded), normalised title, height and
    width rounded to whole cm and creation year => same id (a hash, so stable across files and runs)."""
    parts = pd.DataFrame({
        "artist": on_uniques(artist, fold).to_numpy(dtype=object),
        "title": normalise_title(title).to_numpy(dtype=object),
        "h": np.round(np.asarray(height_cm, dtype=float)),
        "w": np.round(np.asarray(width_cm, dtype=float)),
        "y": pd.array(work_year, dtype="Int64").to_numpy(dtype=float, na_value=np.nan),
    })
    h = pd.util.hash_pandas_object(parts, index=False).to_numpy(dtype=np.uint64)
    return np.char.add("W", _hex64(h)).astype(object)


def sale_kinds(artwork_id, sale_date, sold) -> np.ndarray:
    """"repeat" for a lot whose artwork was sold at an earlier lot (sale date, then row order), else "first"."""
    codes, _ = pd.factorize(pd.Series(artwork_id, dtype=object))
    date = pd.to_datetime(pd.Series(sale_date)).to_numpy("datetime64[ns]").astype(np.int64)
    n = codes.size
    order = np.lexsort((np.arange(n), date, codes))
    s = np.asarray(sold, dtype=bool)[order].astype(np.int64)
    c = codes[order]
    cum = np.cumsum(s)
    start = np.r_[True, c[1:] != c[:-1]]
    base = np.maximum.accumulate(np.where(start, cum - s, 0))
    before = cum - s - base
    out = np.empty(n, dtype=object)
    out[order] = np.where(before > 0, "repeat", "first")
    return out
