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

__all__ = ["DesignEncoder", "design_matrix", "reference_level", "is_categorical"]


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
                ref = reference_level(series)
                levels = sorted(set(series.dropna().astype(str)) - {ref})
                self.reference_[name], self.levels_[name] = ref, levels
                names += [f"{name}[{level}]" for level in levels]
            else:
                names.append(name)
        self.years_ = np.unique(frame[self.year_column].to_numpy()) if self.year_effects else np.array([], int)
        names += [f"year[{int(y)}]" for y in self.years_[1:]]
        self.names_ = names
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """The design matrix of ``frame``, shape (N, len(names_))."""
        n = len(frame)
        cols = [np.ones(n)] if self.intercept else []
        for name in self.covariates:
            if name in self.levels_:
                values = frame[name].astype(str).to_numpy()
                cols += [(values == level).astype(float) for level in self.levels_[name]]
            else:
                cols.append(frame[name].to_numpy(dtype=float))
        if self.year_effects and self.years_.size > 1:
            years = np.clip(frame[self.year_column].to_numpy(), self.years_[0], self.years_[-1])
            # a year inside the fitted span but not fitted itself takes the last fitted year before it
            idx = np.searchsorted(self.years_, years, side="right") - 1
            onehot = np.zeros((n, self.years_.size))
            onehot[np.arange(n), idx] = 1.0
            cols.append(onehot[:, 1:])
        if not cols:
            return np.empty((n, 0))
        return np.column_stack(cols)

    def fit_transform(self, frame: pd.DataFrame) -> np.ndarray:
        return self.fit(frame).transform(frame)


def design_matrix(frame: pd.DataFrame, covariates=(), year_effects=False, intercept=True,
                  year_column="sale_year"):
    """Build the regression matrix of one table (encoding learned on it); returns ``(X, names)``."""
    enc = DesignEncoder(covariates, year_effects, intercept, year_column)
    return enc.fit_transform(frame), enc.names_
