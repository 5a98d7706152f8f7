r"""The one estimator protocol every valuation model follows.

A model is fitted on a *sales table* and predicts the log price of the lots of another one:

``fit(sales) -> self``
    ``sales`` is a table in the canonical layout (:mod:`artstudy.data`): one row per lot with
    at least ``lot_id, artist, sale_date, sale_year, work_year, price`` and the covariates the
    model uses. Rows whose ``left_out`` column names a rule are *history only*: they count as
    the market's past (popularity, an artist's or a work's earlier prices) but are not
    fitted. A model learns everything (selection, reference levels, scalers, encoders) from
    this table alone.
``predict(sales) -> ndarray``
    The expected log price of every row of ``sales``.
``predict_interval(sales, level=0.8) -> DataFrame``
    Columns ``lower`` and ``upper``: a central prediction interval of the log price with
    nominal coverage ``level``.

What a prediction may use: the fitted state, and the prices of lots sold *strictly before*
the lot being valued, whether they were in the training table or are earlier rows of
``sales`` (a valuer knows every earlier result). A row's own price, and the prices of rows
sold on the same day or later, must not change its prediction; the harness's tests check
this for every model by perturbing them. A table passed to ``predict`` without prices (new
lots) is valued from the training history alone.

Models with a Gaussian predictive distribution subclass :class:`GaussianEstimator` and
implement ``predict_distribution(sales) -> (mean, sd)``; ``predict`` and
``predict_interval`` follow. Every model has a ``name`` (its registry name) and takes a
``random_state`` (seed or ``numpy.random.Generator``) if it draws random numbers.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd
from scipy.special import ndtri  # the normal quantile (scipy.stats.norm.ppf; scipy.stats is slow to import)

__all__ = ["Estimator", "GaussianEstimator", "interval_frame", "in_sample", "log_price"]


@runtime_checkable
class Estimator(Protocol):
    """Fit on a sales table; predict log prices and central prediction intervals."""

    name: str

    def fit(self, sales: pd.DataFrame) -> "Estimator":  # pragma: no cover - protocol
        ...

    def predict(self, sales: pd.DataFrame) -> np.ndarray:  # pragma: no cover - protocol
        ...

    def predict_interval(self, sales: pd.DataFrame, level: float = 0.8) -> pd.DataFrame:  # pragma: no cover
        ...


def interval_frame(lower, upper, index=None) -> pd.DataFrame:
    """The frame ``predict_interval`` returns: columns lower and upper."""
    return pd.DataFrame({"lower": np.asarray(lower, dtype=float), "upper": np.asarray(upper, dtype=float)},
                        index=index)


def in_sample(sales: pd.DataFrame) -> np.ndarray:
    """Rows that are fitted and scored: those no rule left out (all rows when there is no ``left_out`` column)."""
    if "left_out" not in sales.columns:
        return np.ones(len(sales), dtype=bool)
    return sales["left_out"].isna().to_numpy()


def log_price(sales: pd.DataFrame) -> np.ndarray:
    """Log of the ``price`` column (NaN where no positive price)."""
    price = pd.to_numeric(sales["price"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(price > 0, np.log(price), np.nan)


class GaussianEstimator:
    """Base for models whose predictive distribution of the log price is normal.

    Subclasses implement :meth:`predict_distribution`; :meth:`predict` returns its mean and
    :meth:`predict_interval` its central quantiles.
    """

    name = "gaussian"

    def predict_distribution(self, sales: pd.DataFrame):  # pragma: no cover - abstract
        """``(mean, sd)`` of the log price of every row."""
        raise NotImplementedError

    def predict(self, sales: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.predict_distribution(sales)[0], dtype=float)

    def predict_interval(self, sales: pd.DataFrame, level: float = 0.8) -> pd.DataFrame:
        if not 0 < level < 1:
            raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
        mean, sd = self.predict_distribution(sales)
        z = ndtri(0.5 + level / 2)
        return interval_frame(mean - z * sd, mean + z * sd, index=sales.index)
