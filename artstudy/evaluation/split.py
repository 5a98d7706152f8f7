"""The temporal split of a sales table into a training and a test period, by sale date.

The split is made on the prepared sales table *before* any model sees it: a model is fitted
on the training rows only, so everything it learns (artist selection, work windows,
reference levels, popularity, scalers, encoders) comes from the training period.

The test period starts on the first day of its first sale year (the *cutoff*):

- ``evaluation.test_from``, when given, is that year (when it maps source names to years: the year
  of the table's source, its ``source`` column, if named there);
- else it is the ``evaluation.test_years``-th last sale year present among the in-sample
  rows (those no rule left out, :func:`artstudy.models.base.in_sample`).

Every row sold before the cutoff is a training row and every row sold on or after it a test
row, the history-only rows (left out by a rule) included: they are part of the market's
past in either period. Only in-sample test rows are scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..models.base import in_sample

__all__ = ["Split", "temporal_split", "sale_dates", "source_test_from"]


def sale_dates(sales: pd.DataFrame) -> pd.Series:
    """The sale date of every row: ``sale_date`` when the table has one, else 1 July of ``sale_year``.

    Raises
    ------
    InputError
        A row has no sale date (or no sale year).
    """
    if "sale_date" in sales.columns:
        dates = pd.to_datetime(sales["sale_date"], errors="coerce")
        column = "sale_date"
    else:
        years = pd.to_numeric(sales["sale_year"], errors="coerce")
        dates = pd.to_datetime(years.astype("Int64").astype("string") + "-07-01", errors="coerce")
        column = "sale_year"
    bad = dates.isna().to_numpy()
    if bad.any():
        rows = ", ".join(map(str, np.flatnonzero(bad)[:5]))
        raise InputError(f"sales table: column {column}: {int(bad.sum())} rows have no sale date (rows {rows})")
    return pd.Series(dates.to_numpy(), index=sales.index, name="sale_date")


@dataclass(frozen=True)
class Split:
    """A temporal split of one sales table.

    Attributes
    ----------
    cutoff : pandas.Timestamp
        First day of the test period (1 January of its first sale year).
    train, test : ndarray of bool, shape (N,)
        Rows sold before / on or after the cutoff, over every row of the table.
    fitted : ndarray of bool, shape (N,)
        In-sample rows (no rule left them out): fitted when in ``train``, scored when in ``test``.
    years : ndarray of int, shape (N,)
        The sale year of every row (from its sale date).
    """

    cutoff: pd.Timestamp
    train: np.ndarray
    test: np.ndarray
    fitted: np.ndarray
    years: np.ndarray

    @property
    def scored(self) -> np.ndarray:
        """The test rows that are scored: the in-sample test rows."""
        return self.test & self.fitted

    @property
    def first_test_year(self) -> int:
        """The first sale year of the test period."""
        return int(self.cutoff.year)

    def describe(self) -> dict:
        """The cutoff, and the sale years and row counts (all and in-sample) of both parts, as JSON types."""
        def part(mask):
            years = np.unique(self.years[mask])
            return {"first_year": int(years[0]) if years.size else None,
                    "last_year": int(years[-1]) if years.size else None,
                    "years": [int(y) for y in years], "rows": int(mask.sum()),
                    "in_sample": int((mask & self.fitted).sum())}

        return {"cutoff": self.cutoff.date().isoformat(), "test_from": self.first_test_year,
                "train": part(self.train), "test": part(self.test)}


def source_test_from(sales: pd.DataFrame, test_from) -> int | None:
    """The first test year ``evaluation.test_from`` sets for this table (None: test_years decides).

    A mapping of source names to years applies to a table whose ``source`` column holds one of its names.
    """
    if not isinstance(test_from, dict):
        return test_from
    if "source" not in sales.columns:
        return None
    names = pd.unique(sales["source"].dropna().astype(str))
    years = {test_from[n] for n in names if n in test_from}
    if len(years) > 1:
        raise InputError(f"evaluation.test_from: the sales table holds sources {', '.join(sorted(names))} "
                         f"with different first test years ({', '.join(map(str, sorted(years)))})")
    return years.pop() if years else None


def _first_test_year(years_in_sample: np.ndarray, test_years: int, test_from: int | None) -> int:
    if test_from is not None:
        return int(test_from)
    present = np.unique(years_in_sample)
    if present.size <= test_years:
        raise InputError(f"evaluation.test_years={test_years}: the in-sample rows have only {present.size} sale "
                         f"years ({present[0]}-{present[-1]}), which leaves no training period")
    return int(present[-test_years])


def temporal_split(sales: pd.DataFrame, settings) -> Split:
    """Split a sales table by sale date into training and test rows.

    Parameters
    ----------
    sales : DataFrame
        The prepared sales table (every row, the history-only rows included).
    settings : EvaluationSettings, StudyConfig or mapping
        ``test_years`` and ``test_from`` (a :class:`~artstudy.settings.StudyConfig` gives its
        ``evaluation`` section).

    Returns
    -------
    Split

    Raises
    ------
    InputError
        No row has a sale date, or the training or test period holds no in-sample row.
    """
    settings = _evaluation_settings(settings)
    dates = sale_dates(sales)
    years = dates.dt.year.to_numpy()
    fitted = in_sample(sales)
    present = np.unique(years[fitted])
    if present.size == 0:
        raise InputError("evaluation: the sales table has no in-sample rows (every row is left out by a rule)")
    first = _first_test_year(present, settings.test_years, source_test_from(sales, settings.test_from))
    cutoff = pd.Timestamp(year=first, month=1, day=1)
    test = (dates >= cutoff).to_numpy()
    train = ~test
    for name, mask in (("training", train), ("test", test)):
        if not (mask & fitted).any():
            raise InputError(f"evaluation: a test period from {cutoff.date()} leaves no in-sample {name} sales "
                             f"(in-sample sale years {present[0]}-{present[-1]})")
    return Split(cutoff=cutoff, train=train, test=test, fitted=fitted, years=years)


def _evaluation_settings(settings):
    from .settings import EvaluationSettings

    if isinstance(settings, EvaluationSettings):
        return settings
    if hasattr(settings, "evaluation"):
        return settings.evaluation
    from .._section import build

    return build(EvaluationSettings, settings, source="evaluation", prefix="evaluation")
