r"""Calibration of predictive distributions: probability integral transforms and coverage against nominal level.

For a normal predictive :math:`N(\mu_i, \sigma_i^2)` of the log price :math:`y_i`, the probability
integral transform (PIT) :math:`u_i = \Phi((y_i - \mu_i) / \sigma_i)` is uniform on (0, 1) when the
predictive is calibrated: a U-shaped histogram says the intervals are too narrow, a hump that they
are too wide, a slope that the predictions are biased. :func:`coverage_curve` gives the share of
sales inside the central interval of each nominal level, which a calibrated model puts on the
diagonal. Both are what the sequence-and-uncertainty report draws per model (its calibration
figures), from the harness's predictions tables (``pred``, ``sd``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError

__all__ = ["pit", "pit_histogram", "coverage_curve", "NOMINAL_LEVELS"]

#: Nominal levels of the coverage curve.
NOMINAL_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def _arrays(y, mean, sd):
    y, mean, sd = (np.asarray(v, dtype=float).reshape(-1) for v in (y, mean, sd))
    if not (len(y) == len(mean) == len(sd)):
        raise InputError(f"calibration: {len(y)} prices, {len(mean)} means and {len(sd)} sds")
    ok = np.isfinite(y) & np.isfinite(mean) & np.isfinite(sd) & (sd > 0)
    if not ok.any():
        raise InputError("calibration: no sale has a finite price, mean and positive sd")
    return y[ok], mean[ok], sd[ok]


def pit(y, mean, sd) -> np.ndarray:
    """The PIT values :math:`\\Phi((y - \\mu) / \\sigma)` of the sales with a finite price, mean and positive sd."""
    y, mean, sd = _arrays(y, mean, sd)
    return stats.norm.cdf((y - mean) / sd)


def pit_histogram(values, bins: int = 10) -> pd.DataFrame:
    """Counts of PIT values in ``bins`` equal bins of (0, 1), against the count a uniform PIT expects.

    Columns ``low, high, count, share, expected`` (share and expected as shares of all values).
    """
    u = np.asarray(values, dtype=float)
    if int(bins) < 1 or u.size == 0:
        raise InputError("pit_histogram: needs values and at least one bin")
    edges = np.linspace(0.0, 1.0, int(bins) + 1)
    counts = np.histogram(np.clip(u, 0.0, 1.0), bins=edges)[0]
    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], "count": counts, "share": counts / u.size,
                         "expected": np.full(int(bins), 1.0 / int(bins))})


def coverage_curve(y, mean, sd, levels=NOMINAL_LEVELS) -> pd.DataFrame:
    """Share of sales inside the central normal interval of each nominal level: columns ``level, coverage, n``."""
    y, mean, sd = _arrays(y, mean, sd)
    levels = np.asarray(levels, dtype=float)
    if not ((levels > 0) & (levels < 1)).all():
        raise InputError("coverage_curve: levels must lie strictly between 0 and 1")
    z = np.abs(y - mean) / sd
    half = stats.norm.ppf(0.5 + levels / 2)
    return pd.DataFrame({"level": levels, "coverage": (z[None, :] <= half[:, None]).mean(axis=1), "n": len(z)})
