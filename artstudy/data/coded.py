"""Text columns held as codes into their distinct values, and text columns built from such codes.

An export repeats a small set of texts across lots (houses, dates, media, markings, prices, sizes,
artists, titles), so every parser reads the distinct texts once and the answers are spread back to
the lots by their codes (:class:`Coded`). Text columns of the prepared table are built the same way,
as Arrow-backed pandas strings taken from the answers per distinct text (:func:`arrow_text`), so no
Python object is made per lot. The one column with a text per lot, the lot id, stays an Arrow array
(:meth:`artstudy.data.lots.Fields.lot_ids`), stripped and compared with the ``missing`` markers as
Python's ``str.strip`` and ``str.lower`` would (:func:`strip_and_blank`).
"""

from __future__ import annotations

import functools
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .text import as_text

__all__ = ["Coded", "arrow_text", "STRING", "STR", "python_whitespace", "strip_and_blank", "arrow_strings"]

#: The nullable string dtype (``pd.NA`` for missing) and the default string dtype (``NaN``), both Arrow-backed.
STRING = pd.StringDtype("pyarrow")
STR = pd.StringDtype("pyarrow", na_value=np.nan)
_SMALL_INTS = (np.dtype(np.int8), np.dtype(np.int16), np.dtype(np.int32))


class Coded:
    """A text column as ``codes`` (one per lot) into ``uniques`` (text; a text may appear more than once).

    Parameters
    ----------
    codes : array-like of int
        Position in ``uniques`` of each lot's text (0 <= code < len(uniques)), kept as int8, int16 or int32.
    uniques : array-like of str
        The distinct texts (an object array).
    """

    __slots__ = ("codes", "uniques")

    def __init__(self, codes, uniques):
        codes = np.asarray(codes)
        self.codes = codes if codes.dtype in _SMALL_INTS else codes.astype(np.int32)
        self.uniques = np.asarray(uniques, dtype=object)

    def __len__(self) -> int:
        return int(self.codes.size)

    @classmethod
    def of(cls, values) -> Coded:
        """Any column as coded text (missing -> "", as :func:`~artstudy.data.text.as_text`); a categorical column
        keeps its codes (categories no lot uses are dropped)."""
        if isinstance(values, Coded):
            return values
        if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
            return cls._of_categorical(values.array if isinstance(values, pd.Series) else pd.Categorical(values))
        codes, uniques = pd.factorize(as_text(values), use_na_sentinel=False)
        return cls(codes, np.asarray(uniques, dtype=object))

    @classmethod
    def _of_categorical(cls, cat: pd.Categorical) -> Coded:
        codes = np.asarray(cat.codes)  # int8, int16 or int32: kept as they are
        text = as_text(pd.Series(np.asarray(cat.categories, dtype=object), dtype=object)).to_numpy(dtype=object)
        missing = bool(codes.size) and codes.min() < 0
        if not missing and np.bincount(codes, minlength=text.size).all():
            return cls(codes, text)
        shifted = codes.astype(np.int32) + 1  # 0: missing
        keep = np.flatnonzero(np.bincount(shifted, minlength=text.size + 1)[1:])  # categories no lot uses: dropped
        remap = np.empty(text.size + 1, dtype=np.int32)
        remap[keep + 1] = np.arange(keep.size)
        remap[0] = keep.size  # a missing value reads as ""
        return cls(remap[shifted], np.append(text[keep], "") if missing else text[keep])

    @classmethod
    def constant(cls, text: str, n: int) -> Coded:
        """The same text for ``n`` lots."""
        return cls(np.zeros(n, dtype=np.int32), [text])

    def stripped(self) -> pd.Series:
        """The distinct texts with surrounding whitespace removed (what the parsers read), an object Series."""
        return pd.Series(self.uniques, dtype=object).str.strip()

    def relabel(self, uniques) -> Coded:
        """The same codes into other texts (one per distinct text)."""
        return Coded(self.codes, uniques)

    def spread(self, per_unique):
        """An answer per distinct text (array, Series or DataFrame) -> one per lot: a numpy array, an extension
        array (Series of an extension dtype) or a DataFrame with a fresh RangeIndex."""
        if isinstance(per_unique, pd.DataFrame):
            return per_unique.iloc[self.codes].reset_index(drop=True)
        if isinstance(per_unique, pd.Series) and isinstance(per_unique.dtype, pd.api.extensions.ExtensionDtype):
            return per_unique.array.take(self.codes)
        return np.asarray(per_unique)[self.codes]

    def is_(self, text: str) -> np.ndarray:
        """Whether each lot's text is exactly ``text`` (bool array)."""
        return (self.uniques == text).astype(bool)[self.codes]

    def text(self, index=None) -> pd.Series:
        """Every lot's text, an object Series (for messages and the rare per-lot fallback)."""
        return pd.Series(self.uniques[self.codes], index=index, dtype=object)

    @staticmethod
    def joint(parts: list[Coded]) -> tuple[np.ndarray, list[np.ndarray]]:
        """The distinct combinations of several coded columns: (code of each lot's combination, for each part
        the code of its text in each combination)."""
        if len(parts) == 1:
            return parts[0].codes.astype(np.int32), [np.arange(len(parts[0].uniques), dtype=np.int32)]
        code = parts[0].codes.astype(np.int64)
        for p in parts[1:]:
            code, _ = pd.factorize(code * max(len(p.uniques), 1) + p.codes)
            code = np.asarray(code, dtype=np.int64)
        k = int(code.max()) + 1 if code.size else 0
        row = np.zeros(k, dtype=np.intp)
        row[code] = np.arange(code.size, dtype=np.intp)  # a lot of each combination (any one will do)
        return code, [p.codes[row] for p in parts]


def arrow_text(per_unique, codes, dtype=STRING) -> pd.api.extensions.ExtensionArray:
    """An Arrow-backed string array of one value per lot: ``per_unique`` (str, or None/NA/NaN for missing) taken at
    ``codes`` (-1: missing), by Arrow's take (no Python object per lot). ``dtype``: :data:`STRING` or :data:`STR`."""
    values = [None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v)
              for v in np.asarray(per_unique, dtype=object)]
    codes = np.asarray(codes)
    if codes.dtype.kind != "i":  # bool (0/1) or unsigned
        codes = codes.astype(np.int8 if codes.dtype == bool else np.int64)
    missing = codes < 0
    index = pa.array(codes, mask=missing) if missing.any() else pa.array(codes)
    return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()).take(index), dtype=dtype)


def arrow_strings(values) -> pa.ChunkedArray:
    """A text column (str, string or object of str) as an Arrow large_string chunked array."""
    s = as_text(values)
    array = s.array
    if isinstance(array, pd.arrays.ArrowStringArray):
        data = array.__arrow_array__()
        data = data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])
        return data.cast(pa.large_string())
    return pa.chunked_array([pa.array(s.to_numpy(dtype=object), type=pa.large_string())])


@functools.cache
def python_whitespace() -> str:
    """Every character Python's ``str.strip()`` removes (``str.isspace``)."""
    return "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


def strip_and_blank(text: pa.ChunkedArray, markers) -> pa.ChunkedArray:
    """Text stripped (as ``str.strip``) and "" where its lower case (``str.lower``) is one of ``markers``."""
    text = pc.utf8_trim(text, characters=python_whitespace())
    markers = sorted({str(m) for m in markers})
    ascii_ = pc.string_is_ascii(text).to_numpy(zero_copy_only=False)
    blank = pc.is_in(pc.ascii_lower(text), value_set=pa.array(markers, type=pa.large_string()))
    blank = blank.to_numpy(zero_copy_only=False) & ascii_
    wide = np.flatnonzero(~ascii_)  # rare: Python's own lower case
    if wide.size:
        odd = text.take(pa.array(wide)).to_pylist()
        blank[wide] = [t.lower() in set(markers) for t in odd]
    if not blank.any():
        return text
    return pc.if_else(pa.array(blank), pa.scalar("", pa.large_string()), text)
