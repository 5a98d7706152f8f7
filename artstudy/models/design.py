"""Design matrices from a sales table: numeric, boolean and categorical covariates.

A categorical covariate becomes indicators against a reference level: the level
named ``other`` where there is one, else the most frequent level (ties broken by
the first in sorted order). Sale-year effects are indicators against the first
sale year. Indicator columns are named ``column[level]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

__all__ = ["design_matrix", "reference_level", "is_categorical"]


def is_categorical(series: pd.Series) -> bool:
    """Whether a column is treated as categorical (not numeric and not boolean)."""
    return not (ptypes.is_bool_dtype(series) or ptypes.is_numeric_dtype(series))


def reference_level(series: pd.Series):
    """The reference level of a categorical column: ``other`` if present, else the modal level."""
    levels = series.dropna().astype(str)
    if (levels == "other").any():
        return "other"
    counts = levels.value_counts()
    top = counts[counts == counts.max()].index
    return sorted(top)[0]


def design_matrix(frame: pd.DataFrame, covariates=(), year_effects=False, intercept=True,
                  year_column="sale_year"):
    """Build the regression matrix (without the popularity column).

    Parameters
    ----------
    frame : pandas.DataFrame
    covariates : sequence of str
        Column names; numeric and boolean columns enter as they are, other columns
        as indicators against their reference level.
    year_effects : bool
        Add indicators for every sale year but the first.
    intercept : bool
        Add a column of ones named ``intercept``.

    Returns
    -------
    X : ndarray of shape (N, p)
    names : list of str
    """
    cols, names = [], []
    n = len(frame)
    if intercept:
        cols.append(np.ones(n))
        names.append("intercept")
    for name in covariates:
        series = frame[name]
        if is_categorical(series):
            values = series.astype(str)
            ref = reference_level(series)
            for level in sorted(set(values) - {ref}):
                cols.append((values == level).to_numpy(dtype=float))
                names.append(f"{name}[{level}]")
        else:
            cols.append(series.to_numpy(dtype=float))
            names.append(name)
    if year_effects:
        years = frame[year_column].to_numpy()
        for year in np.unique(years)[1:]:
            cols.append((years == year).astype(float))
            names.append(f"year[{int(year)}]")
    X = np.column_stack(cols) if cols else np.empty((n, 0))
    return X, names
