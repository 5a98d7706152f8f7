r"""The oracle on synthetic data: the true mean log price of every lot (model ``oracle``).

The synthetic world (``artstudy world``, :mod:`artstudy.synth.world`) writes its truth per lot in
``truth_lots.csv``; its column ``expected_log_price_usd`` is the log price without the noise term
(:math:`x'\beta + \gamma u + a` and every further true price term the world draws, such as a
visual quality term: the world computes it as the log price minus the noise). :class:`Oracle`
predicts that column for each lot, matched by ``lot_id``, with a normal predictive whose sd is the
true noise sd :math:`\sigma`: no model of the data can do better in expectation, so its scores
bound what the models could reach. A truth table without ``expected_log_price_usd`` but with
``log_price_mean`` or ``expected_log_price`` is read from that column instead.

The oracle ignores the sales table's prices (it learns nothing from ``fit``), so it cannot leak.
The sales table's prices are the parsed ones (converted and rounded), the truth's are exact USD:
the oracle's residuals are the noise plus that rounding.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .base import GaussianEstimator

__all__ = ["Oracle", "MEAN_COLUMNS", "truth_noise_sd"]

#: Columns of the truth's noiseless log price, in order of preference.
MEAN_COLUMNS = ("expected_log_price_usd", "log_price_mean", "expected_log_price")


def truth_noise_sd(truth_path, default: float) -> float:
    """The world's true noise sd: ``sqrt(truth.sigma2)`` of the ``spec.json`` beside the truth file, else ``default``.
    """
    spec = Path(truth_path).with_name("spec.json")
    if spec.is_file():
        sigma2 = json.loads(spec.read_text(encoding="utf-8")).get("truth", {}).get("sigma2")
        if sigma2 is not None:
            return float(np.sqrt(sigma2))
    return float(default)


def _read_truth(truth) -> pd.DataFrame:
    if isinstance(truth, pd.DataFrame):
        return truth
    path = Path(truth)
    if not path.is_file():
        raise InputError(f"oracle: no truth table at {path} (evaluation.truth_lots: the world's truth_lots.csv)")
    return pd.read_csv(path, dtype={"lot_id": "string"})


class Oracle(GaussianEstimator):
    """The true noiseless log price of each lot, with the true noise sd.

    Parameters
    ----------
    truth : str, Path or DataFrame
        The world's ``truth_lots.csv`` (or its table): ``lot_id`` and one of :data:`MEAN_COLUMNS`.
    noise_sd : float
        The true noise sd (:func:`truth_noise_sd`).

    Attributes
    ----------
    mean_ : Series
        The true mean log price, indexed by lot id.
    column_ : str
        The truth's column read.
    """

    name = "oracle"

    def __init__(self, truth, noise_sd: float):
        self.truth = truth
        self.noise_sd = float(noise_sd)

    def fit(self, sales: pd.DataFrame) -> "Oracle":
        table = _read_truth(self.truth)
        column = next((c for c in MEAN_COLUMNS if c in table.columns), None)
        if column is None or "lot_id" not in table.columns:
            raise InputError(f"oracle: the truth table has no column lot_id or {' / '.join(MEAN_COLUMNS)}")
        self.column_ = column
        self.mean_ = pd.Series(table[column].to_numpy(dtype=float), index=table["lot_id"].astype(str).to_numpy())
        return self

    def predict_distribution(self, sales: pd.DataFrame):
        """``(mean, sd)``: the truth's mean of every lot of ``sales`` and the noise sd."""
        if not hasattr(self, "mean_"):
            raise RuntimeError("Oracle is not fitted: call fit(sales) first")
        if "lot_id" not in sales.columns:
            raise InputError("oracle: the sales table has no column lot_id to match the truth")
        ids = sales["lot_id"].astype(str).to_numpy()
        mean = self.mean_.reindex(ids).to_numpy(dtype=float)
        missing = ~np.isfinite(mean)
        if missing.any():
            raise InputError(f"oracle: {int(missing.sum())} lots are not in the truth table "
                             f"({', '.join(ids[missing][:5])}): was it made by another world?")
        return mean, np.full(len(sales), self.noise_sd)
