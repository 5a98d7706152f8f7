r"""Split-conformal prediction intervals around any valuation model (crepes).

:class:`ConformalEstimator` wraps a base estimator of the protocol
(:mod:`artstudy.models.base`) and replaces its prediction intervals with conformal ones,
computed by the library `crepes <https://crepes.readthedocs.io>`_
(:class:`crepes.ConformalRegressor`). Its point predictions are the base's.

Method
------
*Split (inductive) conformal regression.* The training table is cut by sale year into a
*proper training* part and a *calibration window*: the last ``calibration_years`` sale years
among its in-sample rows (:func:`~artstudy.models.base.in_sample`). A first base model is
fitted on the rows sold before the window and predicts the window; the nonconformity score
of an in-sample window row is its absolute residual :math:`|y - \hat y|`, divided by the
base's predictive sd :math:`\hat\sigma` when the base has a normal predictive distribution
(:class:`~artstudy.models.base.GaussianEstimator`) and ``normalized`` is true (*normalised*
conformal regression). For a new row the interval at level :math:`1-\alpha` is
:math:`\hat y \pm q\,\hat\sigma` (or :math:`\hat y \pm q`), with :math:`q` the
:math:`\lceil (1-\alpha)(n+1)\rceil`-th smallest of the :math:`n` calibration scores.

*Mondrian categories.* With ``mondrian`` the scores are calibrated per category, so the
coverage holds within each category, not only on average: a row is

``unseen_artist``
    its artist has no sold, priced lot in the reference rows (history-only lots count, as in
    :mod:`artstudy.evaluation.segments`); this takes precedence over the sale kind;
``repeat`` / ``fresh``
    otherwise, ``sale_kind == "repeat"`` / ``sale_kind == "first"``;
``seen_artist``
    otherwise (a table without ``sale_kind``, or a row whose kind is neither).

The reference rows of a calibration row are the rows sold before the window (what the first
base saw); those of a row being predicted are the whole training table (what the refitted
base saw). A category with fewer than ``min_bin`` calibration rows gets no quantile of its
own: its rows (at calibration and at prediction) are *pooled with all*, i.e. take the
interval of an ordinary, non-Mondrian conformal regressor calibrated on every calibration
row. A category met at prediction time that had no calibration rows is pooled likewise.

*Refit.* After calibration the base is refitted on the whole training table, and the point
predictions and sds of :meth:`ConformalEstimator.predict` and
:meth:`~ConformalEstimator.predict_interval` come from this refit: it uses the most recent
sales, which the test period resembles most. The calibration scores were measured on a base
fitted on less data, so this is a (standard) approximation; it errs towards wider intervals
when the refit base is the more accurate one.

Assumptions
-----------
Conformal coverage is exact (in expectation over calibration and test rows) when the scores
of the calibration and test rows are *exchangeable*. A temporal split is not: prices drift,
popularity and the artist mix change. Calibrating on the years closest to the test period
(rather than a random subset of the training rows) makes the calibration residuals
resemble the test residuals as closely as the data allow, with a comparable horizon (the
window is predicted one to ``calibration_years`` years ahead, as the test period is). The
guarantee is marginal (within each Mondrian category), not conditional on a lot's
covariates; normalising by :math:`\hat\sigma` adapts the width to the base's own notion of
difficulty. With :math:`n` calibration rows in a category a level above :math:`n/(n+1)`
cannot be reached: crepes warns and the interval is infinite.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from ..errors import InputError
from ..models.base import GaussianEstimator, in_sample, interval_frame, log_price
from .split import sale_dates

__all__ = ["CATEGORIES", "ConformalEstimator", "conformal_categories"]

#: The Mondrian categories, in the order of precedence of their rules.
CATEGORIES = ("unseen_artist", "repeat", "fresh", "seen_artist")


def _seen_artists(reference: pd.DataFrame) -> np.ndarray:
    """Artists with a sold, priced lot among ``reference`` (history-only rows included)."""
    priced = np.isfinite(log_price(reference)) & reference["artist"].notna().to_numpy()
    return pd.unique(reference.loc[priced, "artist"].astype(str))


def conformal_categories(sales: pd.DataFrame, reference: pd.DataFrame | None = None, *,
                         seen=None) -> np.ndarray:
    """The Mondrian category of every row of ``sales`` (see :data:`CATEGORIES`).

    Parameters
    ----------
    sales : DataFrame
        Rows to classify (``artist``; ``sale_kind`` if the table has it).
    reference : DataFrame, optional
        The rows a model was fitted on: an artist without a sold, priced lot among them is
        unseen. Give this or ``seen``.
    seen : array-like of str, optional
        The seen artists, when already known.

    Returns
    -------
    ndarray of str, shape (len(sales),)
        ``unseen_artist`` (precedence), else ``repeat`` / ``fresh`` by ``sale_kind``, else
        ``seen_artist``.
    """
    if seen is None:
        if reference is None:
            raise TypeError("conformal_categories needs reference or seen")
        seen = _seen_artists(reference)
    unseen = ~sales["artist"].astype(str).isin(np.asarray(seen, dtype=str)).to_numpy()
    if "sale_kind" in sales.columns:
        kind = sales["sale_kind"].astype("string").str.lower()
        repeat = kind.eq("repeat").fillna(False).to_numpy(dtype=bool)
        fresh = kind.eq("first").fillna(False).to_numpy(dtype=bool)
    else:
        repeat = fresh = np.zeros(len(sales), dtype=bool)
    return np.select([unseen, repeat, fresh], list(CATEGORIES[:3]), default=CATEGORIES[3]).astype(object)


def _untimed(regressor, result=None):
    """Drop the wall-clock times crepes keeps on a regressor (``time_fit``, ``time_predict``): predicting leaves
    the fitted state as it was, and two fits of one table have the same state. Returns ``result`` (or the
    regressor)."""
    for attribute in ("time_fit", "time_predict"):
        if hasattr(regressor, attribute):
            delattr(regressor, attribute)
    return regressor if result is None else result


def _years(sales: pd.DataFrame) -> np.ndarray:
    return sale_dates(sales).dt.year.to_numpy()


class ConformalEstimator:
    """A base estimator's point predictions with split-conformal (optionally Mondrian) intervals.

    See the module's documentation for the method and its assumptions.

    Parameters
    ----------
    base_factory : callable
        ``base_factory() -> estimator``: a fresh, unfitted base estimator of the protocol
        (called twice by :meth:`fit`: once for the calibration base, once for the refit).
    calibration_years : int, default 2
        Sale years at the end of the training table's in-sample years that form the
        calibration window. When the table has no more in-sample years than this, the window
        is every year but the first.
    mondrian : bool, default True
        Calibrate per category (unseen artist / repeat / fresh / seen artist).
    min_bin : int, default 30
        A category with fewer calibration rows is pooled with all (uses the non-Mondrian
        quantile of every calibration row).
    normalized : bool, default True
        Divide the residuals by the base's predictive sd when the base is a
        :class:`~artstudy.models.base.GaussianEstimator`; ignored otherwise.

    Attributes
    ----------
    model_ : estimator
        The base refitted on the whole training table (gives the point predictions).
    calibration_model_ : estimator
        The base fitted on the rows before the calibration window.
    calibration_window_ : tuple of int
        First and last sale year of the calibration window.
    n_calibration_ : int
        Calibration rows (in-sample window rows with a finite score).
    calibration_counts_ : Series
        Calibration rows per category.
    bins_ : tuple of str
        Categories with their own calibration (at least ``min_bin`` rows; empty without
        ``mondrian``).
    normalized_ : bool
        Whether the scores are normalised by the base's sd.
    seen_artists_ : ndarray of str
        Artists with a sold, priced lot in the training table.
    pooled_ : crepes.ConformalRegressor
        Calibrated on every calibration row.
    mondrian_ : crepes.ConformalRegressor or None
        Calibrated per category on the rows of ``bins_`` (None when ``bins_`` is empty).
    """

    name = "conformal"

    def __init__(self, base_factory: Callable[[], object], *, calibration_years: int = 2, mondrian: bool = True,
                 min_bin: int = 30, normalized: bool = True, name: str = "conformal"):
        self.name = name  # the registry gives the wrapped model's name
        self.base_factory = base_factory
        self.calibration_years = calibration_years
        self.mondrian = mondrian
        self.min_bin = min_bin
        self.normalized = normalized

    # ------------------------------------------------------------------ fit
    def fit(self, sales: pd.DataFrame) -> "ConformalEstimator":
        """Calibrate on the last sale years of ``sales``, then refit the base on all of it.

        Raises
        ------
        InputError
            The in-sample rows span fewer than 2 sale years, or the window gives no
            calibration row with a finite score.
        """
        from crepes import ConformalRegressor

        if int(self.calibration_years) < 1:
            raise InputError(f"conformal: calibration_years must be at least 1, got {self.calibration_years!r}")
        years = _years(sales)
        fitted = in_sample(sales)
        present = np.unique(years[fitted])
        if present.size < 2:
            raise InputError(f"conformal: the in-sample rows span {present.size} sale years; "
                             "calibration needs at least 2")
        start = int(present[-min(int(self.calibration_years), present.size - 1)])
        before, window = sales.loc[years < start], sales.loc[years >= start]

        calibration_model = self.base_factory().fit(before)
        self.normalized_ = bool(self.normalized) and isinstance(calibration_model, GaussianEstimator)
        mean, sd = self._distribution(calibration_model, window)
        y = log_price(window)
        keep = in_sample(window) & np.isfinite(y) & np.isfinite(mean)
        if self.normalized_:
            keep &= np.isfinite(sd) & (sd > 0)
        if not keep.any():
            raise InputError(f"conformal: no calibration rows (in-sample rows with a finite prediction) in the sale "
                             f"years {start}-{int(present[-1])}")
        residuals = (y - mean)[keep]
        sigmas = sd[keep] if self.normalized_ else None
        categories = conformal_categories(window.loc[keep], before)

        counts = pd.Series(categories).value_counts().reindex(list(CATEGORIES), fill_value=0)
        bins = tuple(c for c in CATEGORIES if counts[c] >= self.min_bin) if self.mondrian else ()
        self.pooled_ = _untimed(ConformalRegressor().fit(residuals, sigmas=sigmas))
        own = np.isin(categories, bins)
        self.mondrian_ = (_untimed(ConformalRegressor().fit(residuals[own], sigmas=None if sigmas is None
                                                            else sigmas[own], bins=categories[own].astype(str)))
                          if own.any() else None)
        self.calibration_model_ = calibration_model
        self.calibration_window_ = (start, int(present[-1]))
        self.n_calibration_ = int(keep.sum())
        self.calibration_counts_ = counts
        self.bins_ = bins

        self.model_ = self.base_factory().fit(sales)
        self.seen_artists_ = _seen_artists(sales)
        return self

    def _distribution(self, model, sales: pd.DataFrame):
        """Mean and sd (None without normalisation) of ``model`` on ``sales``."""
        if self.normalized_:
            mean, sd = model.predict_distribution(sales)
            return np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)
        return np.asarray(model.predict(sales), dtype=float), None

    # ------------------------------------------------------------- predict
    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise RuntimeError("ConformalEstimator is not fitted: call fit(sales) first")

    def predict(self, sales: pd.DataFrame) -> np.ndarray:
        """The refitted base's predicted log price of every row of ``sales``."""
        self._check_fitted()
        return np.asarray(self.model_.predict(sales), dtype=float)

    def predict_distribution(self, sales: pd.DataFrame):
        """The refitted base's ``(mean, sd)`` (sd NaN when the base has no normal predictive): its CRPS is
        scored as the base's; the intervals are this estimator's (:meth:`predict_interval`)."""
        self._check_fitted()
        if hasattr(self.model_, "predict_distribution"):
            mean, sd = self.model_.predict_distribution(sales)
            return np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)
        return self.predict(sales), np.full(len(sales), np.nan)

    def categories(self, sales: pd.DataFrame) -> np.ndarray:
        """The Mondrian category of every row of ``sales``, relative to the training table."""
        self._check_fitted()
        return conformal_categories(sales, seen=self.seen_artists_)

    def predict_interval(self, sales: pd.DataFrame, level: float = 0.8) -> pd.DataFrame:
        """Conformal interval of the log price at nominal coverage ``level``.

        Rows of a category in :attr:`bins_` take their category's quantile; the others the
        pooled one. A level too high for the calibration rows of a category gives an
        infinite interval (crepes warns).
        """
        if not 0 < level < 1:
            raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
        self._check_fitted()
        mean, sd = self._distribution(self.model_, sales)
        bounds = _untimed(self.pooled_, self.pooled_.predict_int(mean, sigmas=sd, confidence=level))
        if self.mondrian_ is not None:
            categories = self.categories(sales)
            own = np.isin(categories, self.bins_)
            if own.any():
                bounds[own] = _untimed(self.mondrian_, self.mondrian_.predict_int(
                    mean[own], sigmas=None if sd is None else sd[own], bins=categories[own].astype(str),
                    confidence=level))
        return interval_frame(bounds[:, 0], bounds[:, 1], index=sales.index)
