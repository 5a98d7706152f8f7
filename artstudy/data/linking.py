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
import pyarrow as pa

from .coded import STR, Coded
from .text import fold, on_uniques

__all__ = ["normalise_title", "artwork_hash", "hex_ids", "artwork_ids", "repeat_sales", "repeats_by_rank", "sale_kinds"]

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def normalise_title(values) -> pd.Series:
    """Title for matching: accents, case, quotes and punctuation dropped ('"Untitled (Blue)"' -> "untitled blue")."""
    return on_uniques(values, _title_key).astype(object)


def _title_key(u: pd.Series) -> pd.Series:
    return fold(u).str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()


def _keyed(values, func) -> pd.Categorical:
    """``func`` of each distinct text (stripped), as a categorical column of the lots."""
    coded = Coded.of(values)
    codes, keys = pd.factorize(func(coded.stripped()), use_na_sentinel=False)
    return pd.Categorical.from_codes(np.asarray(codes)[coded.codes], categories=pd.Index(keys, dtype=object))


def artwork_hash(artist, title, height_cm, width_cm, work_year) -> np.ndarray:
    """The 64-bit key of :func:`artwork_ids` (uint64), one per lot; text may be given coded
    (:class:`~artstudy.data.coded.Coded` or categorical): each distinct text is hashed once."""
    parts = pd.DataFrame({
        "artist": _keyed(artist, fold),
        "title": _keyed(title, _title_key),
        "h": np.round(np.asarray(height_cm, dtype=float)),
        "w": np.round(np.asarray(width_cm, dtype=float)),
        "y": pd.array(work_year, dtype="Int64").to_numpy(dtype=float, na_value=np.nan),
    }, copy=False)
    return pd.util.hash_pandas_object(parts, index=False).to_numpy(dtype=np.uint64)


def hex_ids(h: np.ndarray, block: int = 1 << 20) -> pd.api.extensions.ExtensionArray:
    """Keys -> "W" + 16 lower-case hex digits, an Arrow-backed ``str`` array (built from bytes, in blocks)."""
    h = np.asarray(h, dtype=np.uint64)
    data = np.empty((h.size, 17), dtype=np.uint8)
    data[:, 0] = ord("W")
    for lo in range(0, h.size, block):
        part = h[lo:lo + block]
        for k in range(16):
            data[lo:lo + block, 1 + k] = _HEX[((part >> np.uint64(60 - 4 * k)) & np.uint64(15)).astype(np.intp)]
    offsets = np.arange(0, 17 * (h.size + 1), 17, dtype=np.int64)
    arr = pa.LargeStringArray.from_buffers(h.size, pa.py_buffer(offsets), pa.py_buffer(data))
    return pd.arrays.ArrowStringArray(arr, dtype=STR)


def artwork_ids(artist, title, height_cm, width_cm, work_year) -> np.ndarray:
    """Artwork key "W<16 hex>": same artist (case, accents and spaces folded), normalised title, height and
    width rounded to whole cm and creation year => same id (a hash, so stable across files and runs)."""
    return hex_ids(artwork_hash(artist, title, height_cm, width_cm, work_year)).to_numpy(dtype=object)


def repeat_sales(artwork_id, sale_date, sold) -> np.ndarray:
    """Whether each lot's artwork was sold at an earlier lot (sale date, then row order), a bool array;
    ``artwork_id`` may be the ids or their keys (:func:`artwork_hash`)."""
    date = pd.to_datetime(pd.Series(sale_date)).to_numpy("datetime64[ns]").astype(np.int64)
    day, days = pd.factorize(date)
    rank = np.empty(len(days), dtype=np.int64)
    rank[np.argsort(days, kind="stable")] = np.arange(len(days))
    return repeats_by_rank(artwork_id, rank[day], sold)


def repeats_by_rank(artwork_id, date_rank, sold) -> np.ndarray:
    """:func:`repeat_sales` with the sale dates given as their ranks (equal dates, equal ranks).

    A lot is a repeat when its place in (sale date, row) order comes after the first sold lot of its artwork:
    one pass over the lots, no sort.
    """
    codes, ids = pd.factorize(pd.Series(artwork_id))  # a missing id: one group of its own, as any other
    codes = np.where(codes < 0, len(ids), codes)
    n = codes.size
    place = np.asarray(date_rank, dtype=np.int64) * n + np.arange(n, dtype=np.int64)  # (date, row) order
    sold = np.asarray(sold, dtype=bool)
    first_sold = np.full(len(ids) + 1, np.iinfo(np.int64).max)
    np.minimum.at(first_sold, codes[sold], place[sold])
    return place > first_sold[codes]


def sale_kinds(artwork_id, sale_date, sold) -> np.ndarray:
    """"repeat" for a lot whose artwork was sold at an earlier lot (sale date, then row order), else "first"."""
    return np.where(repeat_sales(artwork_id, sale_date, sold), "repeat", "first").astype(object)
