"""Design matrices from a sales table, with the encoding learned on the training data only.

:class:`DesignEncoder` learns, from the table it is fitted on, which columns are categorical,
their levels and reference levels, and the sale years; :meth:`DesignEncoder.transform` then
builds the same columns for any table:

- a numeric or boolean covariate enters as it is;
- a categorical covariate becomes indicators ``column[level]`` against its reference level:
  the level named ``other`` where there is one, else the most frequent level (ties broken by
  the first in sorted order); a level not seen in fitting is coded as the reference (all 0);
- sale-year effects ``year[YYYY]`` are indicators against the first fitted sale year; a later
  sale year than any fitted takes the last fitted year's effect (a random-walk forecast of the
  market index) and an earlier one the reference's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

__all__ = ["DesignEncoder", "design_matrix", "reference_level", "is_categorical", "level_counts", "level_codes",
           "fill_design", "fill_rows"]


def is_categorical(series: pd.Series) -> bool:
    """Whether a column is treated as categorical (not numeric and not boolean)."""
    return not (ptypes.is_bool_dtype(series) or ptypes.is_numeric_dtype(series))


def level_counts(series: pd.Series) -> pd.Series:
    """Rows per level of a categorical column, the levels as text (``str`` of each value), missing values left out.

    Counted per distinct value and then per text, so values that read the same (``1`` and ``"1"``) are one level.
    """
    counts = series.value_counts(dropna=True, sort=False)
    counts = counts[counts.to_numpy() > 0]  # a pandas Categorical also lists its unused categories
    text = [str(v) for v in counts.index]
    if len(set(text)) == len(text):
        return pd.Series(counts.to_numpy(), index=pd.Index(text, dtype=object))
    return pd.Series(counts.to_numpy()).groupby(np.asarray(text, dtype=object), sort=False).sum()


def reference_level(series: pd.Series, counts: pd.Series | None = None):
    """The reference level of a categorical column: ``other`` if present, else the modal level.

    ``counts``: its :func:`level_counts` when the caller has them.
    """
    counts = level_counts(series) if counts is None else counts
    if "other" in counts.index:
        return "other"
    top = counts.index[counts.to_numpy() == counts.max()]
    return sorted(top)[0]


def level_codes(series: pd.Series, levels) -> np.ndarray:
    """Position of each row's level (as text) in ``levels``; -1 for a missing value or a level not listed.

    The distinct values are found once (a hash table, no per-row text), then looked up.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    lookup = pd.Index(list(levels), dtype=object).get_indexer(pd.Index([str(v) for v in uniques], dtype=object))
    return np.append(lookup, -1)[codes]  # code -1 (a missing value) takes the appended -1


#: Rows per block when :func:`fill_design` fills a matrix: a block stays in the CPU's cache.
FILL_BLOCK = 1 << 11


def fill_rows(out: np.ndarray, parts, lo: int, hi: int) -> np.ndarray:
    """Write rows ``lo:hi`` of the design given by ``parts`` (see :func:`fill_design`) into ``out`` (hi - lo, p)."""
    width = out.shape[1]
    out.fill(0.0)
    flat = out.reshape(-1) if out.flags.c_contiguous else None
    for column, values in parts:
        if not isinstance(column, slice):
            out[:, column] = values[lo:hi]
            continue
        codes = values[lo:hi]
        rows = np.flatnonzero(codes >= 0)
        if flat is not None:  # the ones' flat positions in the block: one scatter, no 2-D fancy indexing
            flat[rows * width + (column.start + codes[rows])] = 1.0
        else:
            out[rows, column.start + codes[rows]] = 1.0
    return out


def fill_design(out: np.ndarray, parts, block: int | None = None) -> np.ndarray:
    """Fill ``out`` (N, p) from column parts, in row blocks.

    ``parts`` is a list of ``(column, values)``: a numeric column ``values`` (N,) written at ``column``, or an
    indicator block ``(column, codes)`` with ``column`` a slice and ``codes`` (N,) of int: row ``r`` gets a 1
    in the slice's ``codes[r]``-th column and 0 in the others (none where ``codes[r] < 0``). Columns no part
    names are 0.
    """
    n, block = len(out), block or FILL_BLOCK
    for lo in range(0, n, block):
        fill_rows(out[lo:lo + block], parts, lo, min(n, lo + block))
    return out


class DesignEncoder:
    """Regression columns of a sales table, learned on one table and applied to others.

    Parameters
    ----------
    covariates : sequence of str
        Column names.
    year_effects : bool
        Add sale-year indicators against the first fitted sale year.
    intercept : bool
        Add a column of ones named ``intercept``.
    year_column : str

    Attributes
    ----------
    names_ : list of str
        Term names, in column order.
    levels_ : dict
        For each categorical covariate, its non-reference levels (sorted).
    reference_ : dict
        For each categorical covariate, its reference level.
    years_ : ndarray
        Fitted sale years (the first is the reference).
    """

    def __init__(self, covariates=(), year_effects=False, intercept=True, year_column="sale_year"):
        self.covariates = tuple(covariates)
        self.year_effects = year_effects
        self.intercept = intercept
        self.year_column = year_column

    def fit(self, frame: pd.DataFrame) -> "DesignEncoder":
        self.levels_, self.reference_, names = {}, {}, []
        if self.intercept:
            names.append("intercept")
        for name in self.covariates:
            series = frame[name]
            if is_categorical(series):
                counts = level_counts(series)
                ref = reference_level(series, counts)
                levels = sorted(level for level in counts.index if level != ref)
                self.reference_[name], self.levels_[name] = ref, levels
                names += [f"{name}[{level}]" for level in levels]
            else:
                names.append(name)
        if self.year_effects:
            self.years_ = np.sort(pd.unique(frame[self.year_column].to_numpy()))
        else:
            self.years_ = np.array([], int)
        names += [f"year[{int(y)}]" for y in self.years_[1:]]
        self.names_ = names
        return self

    def parts(self, frame: pd.DataFrame) -> list:
        """The columns of ``frame``'s design as :func:`fill_design` parts (numeric columns and indicator codes)."""
        n, k, parts = len(frame), 0, []
        if self.intercept:
            parts.append((k, np.ones(n)))
            k += 1
        for name in self.covariates:
            if name in self.levels_:
                levels = self.levels_[name]
                parts.append((slice(k, k + len(levels)), level_codes(frame[name], levels)))
                k += len(levels)
            else:
                parts.append((k, frame[name].to_numpy(dtype=float)))
                k += 1
        if self.year_effects and self.years_.size > 1:
            # a year inside the fitted span but not fitted itself takes the last fitted year before it; the first
            # fitted year is the reference (code -1)
            parts.append((slice(k, k + self.years_.size - 1), self._year_codes(frame[self.year_column].to_numpy())))
        return parts

    def _year_codes(self, values) -> np.ndarray:
        """Index of each sale year's effect among ``years_[1:]`` (-1: the reference), by a table over the fitted span
        when the years are whole numbers, else by binary search."""
        first, last = self.years_[0], self.years_[-1]
        years = np.clip(values, first, last)
        whole = np.issubdtype(years.dtype, np.integer) and np.issubdtype(self.years_.dtype, np.integer)
        if whole and int(last) - int(first) < 100_000:
            table = np.searchsorted(self.years_, np.arange(int(first), int(last) + 1), side="right") - 2
            return table[years - first]
        return np.searchsorted(self.years_, years, side="right") - 2

    def transform(self, frame: pd.DataFrame, out: np.ndarray | None = None) -> np.ndarray:
        """The design matrix of ``frame``, shape (N, len(names_)), written into ``out`` when given."""
        out = np.empty((len(frame), len(self.names_))) if out is None else out
        return fill_design(out, self.parts(frame))

    def fit_transform(self, frame: pd.DataFrame) -> np.ndarray:
        return self.fit(frame).transform(frame)


def design_matrix(frame: pd.DataFrame, covariates=(), year_effects=False, intercept=True,
                  year_column="sale_year"):
    """Build the regression matrix of one table (encoding learned on it); returns ``(X, names)``."""
    enc = DesignEncoder(covariates, year_effects, intercept, year_column)
    return enc.fit_transform(frame), enc.names_
