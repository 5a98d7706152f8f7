r"""The auction house's presale estimates as covariates: the models ``<base>+estimates``.

Before a sale the house publishes a low and a high estimate of the hammer price (columns
``low_estimate`` and ``high_estimate`` of the prepared sales table, in the target currency,
NaN when not given). They are known before the sale, so a valuation may use them; on the New
York data the low estimate alone explains about 0.92 of the variance of the log price.

:func:`estimate_features` turns them into two covariates (:data:`ESTIMATE_COLUMNS`):

``log_estimate``
    The mean of :math:`\log(\text{low})` and :math:`\log(\text{high})` (the log of the
    geometric mid-estimate) when both are given, the log of the one given when only one is,
    else 0.0. An estimate that is not positive and finite counts as not given.
``has_estimate``
    Whether at least one estimate is given (a missing-value indicator: with it, the slope of
    ``log_estimate`` is learned from the lots that have one, and the lots without one keep
    their own intercept).

:class:`WithEstimates` wraps any estimator of the protocol (:mod:`artstudy.models.base`):
every table it is given (to ``fit``, ``predict``, ``predict_interval`` and
``predict_distribution``) gets the two columns added to a copy, and is passed on to the base,
whose covariates name them (the registry extends ``evaluation.covariates``). The wrapper looks
to the rest of the package as its base does: it has ``predict_distribution`` only when the base
has it, is a :class:`~artstudy.models.base.GaussianEstimator` when the base is one (so a
:class:`~artstudy.evaluation.conformal.ConformalEstimator` normalises its scores by the base's
sd), and inherits :meth:`GaussianEstimator.predict_interval` when the base does (so the
harness takes the normal quantiles directly).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from ..errors import InputError
from .base import GaussianEstimator, in_sample

__all__ = ["ESTIMATE_COLUMNS", "ESTIMATE_SOURCES", "estimate_features", "with_estimate_columns", "WithEstimates"]

#: The covariates made from the estimates.
ESTIMATE_COLUMNS = ("log_estimate", "has_estimate")
#: The columns of the sales table they are made from.
ESTIMATE_SOURCES = ("low_estimate", "high_estimate")


def _log_positive(values: pd.Series) -> np.ndarray:
    """Log of the positive, finite values of a column; NaN elsewhere (missing, zero, negative, text)."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    given = np.isfinite(x) & (x > 0)
    return np.where(given, np.log(np.where(given, x, 1.0)), np.nan)


def estimate_features(sales: pd.DataFrame, model: str | None = None) -> pd.DataFrame:
    """The estimate covariates of every row of ``sales``: ``log_estimate`` and ``has_estimate``.

    Parameters
    ----------
    sales : DataFrame
        A sales table with the columns ``low_estimate`` and ``high_estimate`` (NaN where not given).
    model : str, optional
        The model asking, named in the error message.

    Returns
    -------
    DataFrame
        Indexed like ``sales``: ``log_estimate`` (float; the mean of the logs of the given
        estimates, 0.0 where none is given) and ``has_estimate`` (bool).

    Raises
    ------
    InputError
        ``sales`` lacks ``low_estimate`` or ``high_estimate``.
    """
    missing = [c for c in ESTIMATE_SOURCES if c not in sales.columns]
    if missing:
        who = f"model {model}" if model else "a model with estimates"
        raise InputError(f"{who} needs the presale estimates: the sales table has no column {', '.join(missing)}")
    logs = np.column_stack([_log_positive(sales[c]) for c in ESTIMATE_SOURCES]) if len(sales) else np.zeros((0, 2))
    given = np.isfinite(logs)
    count = given.sum(axis=1)
    total = np.where(given, logs, 0.0).sum(axis=1)
    log_estimate = np.where(count > 0, total / np.maximum(count, 1), 0.0)
    return pd.DataFrame({"log_estimate": log_estimate.astype(float), "has_estimate": count > 0}, index=sales.index)


def with_estimate_columns(sales: pd.DataFrame, model: str | None = None) -> pd.DataFrame:
    """A copy of ``sales`` with the columns of :func:`estimate_features` added (replaced if present)."""
    features = estimate_features(sales, model)
    return sales.assign(**{c: features[c].to_numpy() for c in ESTIMATE_COLUMNS})


class WithEstimates:
    """A base estimator fitted and applied on the sales table with the estimate covariates added.

    ``WithEstimates(base)`` is an instance of a subclass that mirrors the base's interface
    (see the module's documentation): with ``predict_distribution`` only if the base has it,
    a :class:`~artstudy.models.base.GaussianEstimator` if the base is one.

    Parameters
    ----------
    base : estimator
        An unfitted estimator of the protocol whose covariates include :data:`ESTIMATE_COLUMNS`;
        :meth:`fit` fits a copy of it.
    name : str, optional
        The registry name (default: the base's name with ``+estimates``).

    Attributes
    ----------
    base_ : estimator
        The fitted copy of ``base``.
    indicator_ : bool
        Whether ``has_estimate`` varies among the in-sample training rows. When it does not (every
        fitted lot has an estimate, say) it would only repeat the intercept, and make a design
        singular (a mixed model's), so it is left out of the copy's ``covariates``; a lot without
        an estimate is then valued with ``log_estimate`` 0, outside what the base has seen.
    """

    name = "estimates"

    def __new__(cls, base=None, *args, **kwargs):
        if cls is WithEstimates and base is not None:  # pick the subclass that mirrors the base
            if isinstance(base, GaussianEstimator):
                normal = type(base).predict_interval is GaussianEstimator.predict_interval
                cls = _NormalWithEstimates if normal else _GaussianWithEstimates
            elif callable(getattr(base, "predict_distribution", None)):
                cls = _DistributionWithEstimates
        return super().__new__(cls)

    def __init__(self, base, name: str | None = None):
        self.base = base
        self.name = name if name is not None else f"{getattr(base, 'name', type(base).__name__)}+estimates"

    def _table(self, sales: pd.DataFrame) -> pd.DataFrame:
        return with_estimate_columns(sales, self.name)

    def _fitted(self):
        if not hasattr(self, "base_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(sales) first")
        return self.base_

    def fit(self, sales: pd.DataFrame) -> "WithEstimates":
        """Fit a copy of the base on ``sales`` with the estimate covariates.

        Raises
        ------
        InputError
            ``sales`` lacks ``low_estimate`` or ``high_estimate``; or what the base raises.
        """
        table = self._table(sales)
        base = copy.deepcopy(self.base)
        flags = table.loc[in_sample(table), "has_estimate"].to_numpy(dtype=bool)
        self.indicator_ = bool(flags.any() and not flags.all())
        if not self.indicator_ and "has_estimate" in getattr(base, "covariates", ()):
            base.covariates = tuple(c for c in base.covariates if c != "has_estimate")
        self.base_ = base.fit(table)
        return self

    def predict(self, sales: pd.DataFrame) -> np.ndarray:
        """The fitted base's predicted log price of every row of ``sales``."""
        base = self._fitted()
        return np.asarray(base.predict(self._table(sales)), dtype=float)

    def predict_interval(self, sales: pd.DataFrame, level: float = 0.8) -> pd.DataFrame:
        """The fitted base's interval of the log price at nominal coverage ``level``."""
        base = self._fitted()
        return base.predict_interval(self._table(sales), level=level)


class _DistributionWithEstimates(WithEstimates):
    """:class:`WithEstimates` of a base with a predictive distribution."""

    def predict_distribution(self, sales: pd.DataFrame):
        """The fitted base's ``(mean, sd)`` of the log price of every row of ``sales``."""
        base = self._fitted()
        return base.predict_distribution(self._table(sales))


class _GaussianWithEstimates(_DistributionWithEstimates, GaussianEstimator):
    """:class:`WithEstimates` of a :class:`GaussianEstimator` with its own ``predict_interval``."""


class _NormalWithEstimates(_GaussianWithEstimates):
    """:class:`WithEstimates` of a :class:`GaussianEstimator` whose intervals are its normal quantiles."""

    predict_interval = GaussianEstimator.predict_interval
