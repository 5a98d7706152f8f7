r"""Metrics of log-price predictions, with bootstrap intervals and paired differences between models.

Every metric is a function registered in :data:`METRICS`. It takes keyword arguments (``y``,
``pred``, ``sd``, ``lower``, ``upper``, ``level``), arrays whose *last* axis runs over sales.
Most metrics are the mean of a per-sale value (``per_sale=True``: the function returns that
value for every sale, and the metric is its mean); the others reduce the last axis themselves
(``r2``, ``medae``), so they score one sample (shape ``(n,)``) or a batch of bootstrap
resamples (shape ``(B, n)``) at once. Per-sale values are computed once and resampled as
counts (a matrix product), which keeps the bootstrap fast. What a metric needs decides when it
is computed:

``point`` (needs ``pred``)
    ``r2`` (:math:`1 - \sum (y - \hat y)^2 / \sum (y - \bar y)^2`, :math:`\bar y` the scored
    sales' mean), ``mae`` and ``medae`` (mean and median absolute error of the log price),
    ``within25`` and ``within50`` (share of sales whose predicted price is within 25% / 50% of
    the price: :math:`|e^{\hat y - y} - 1| \le 0.25`).
``interval`` (needs ``lower`` and ``upper`` at a level :math:`L`; named with the level as a
percentage: ``coverage80``, ``width80``, ``interval_score80``, ``coverage95``, ...)
    coverage (share with :math:`l \le y \le u`), mean width :math:`u - l` (log units) and the
    interval score of Gneiting and Raftery (2007), with :math:`\alpha = 1 - L`:
    :math:`(u - l) + \frac{2}{\alpha}(l - y)\,1\{y < l\} + \frac{2}{\alpha}(y - u)\,1\{y > u\}`.
``gaussian`` (needs a predictive ``sd``)
    ``crps``: the continuous ranked probability score of the normal predictive
    :math:`N(\hat y, s^2)`: :math:`s\,[z(2\Phi(z) - 1) + 2\varphi(z) - 1/\sqrt\pi]`,
    :math:`z = (y - \hat y)/s`.

plus ``n``, the number of scored sales (a segment with no sale is left out of the tables). A new
metric is one decorated function::

    @register_metric("mse", per_sale=True)
    def mse(y, pred, **_):
        return (y - pred) ** 2

Bootstrap intervals resample the sales of a segment with replacement (percentile intervals);
every model is scored on the *same* resamples, so the difference between two models' metrics
has a paired interval. Resamples are drawn from a generator seeded by the study's seed and
the segment's name: the same whichever models are scored.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import special

__all__ = ["Metric", "METRICS", "register_metric", "level_tag", "interval_columns", "metric_plan",
           "compute_metrics", "score_predictions", "segment_seed", "METRIC_COLUMNS", "DIFFERENCE_COLUMNS"]

METRIC_COLUMNS = ["model", "segment", "metric", "value", "ci_low", "ci_high"]
DIFFERENCE_COLUMNS = ["model", "reference", "segment", "metric", "value", "ci_low", "ci_high"]
NEEDS = ("point", "interval", "gaussian")
_CHUNK = 2_000_000  # resampled values held at once per array


@dataclass(frozen=True)
class Metric:
    """A registered metric.

    Attributes
    ----------
    name : str
    func : callable
        ``func(y=, pred=, sd=, lower=, upper=, level=)`` on arrays whose last axis runs over sales.
    needs : {"point", "interval", "gaussian"}
    per_sale : bool
        ``func`` returns a value per sale and the metric is their mean; else ``func`` reduces
        the last axis.
    """

    name: str
    func: Callable[..., np.ndarray]
    needs: str = "point"
    per_sale: bool = False


#: Registered metrics by name, in the order tables list them.
METRICS: dict[str, Metric] = {}


def register_metric(name: str, needs: str = "point", per_sale: bool = False):
    """Decorator registering ``func(y=, pred=, sd=, lower=, upper=, level=)`` as metric ``name``.

    Parameters
    ----------
    name : str
        Table name (an ``interval`` metric gets the level appended: ``coverage`` -> ``coverage80``).
    needs : {"point", "interval", "gaussian"}
        Inputs the metric needs besides ``y``.
    per_sale : bool
        The function returns one value per sale and the metric is their mean.
    """
    if needs not in NEEDS:
        raise ValueError(f"needs must be one of {', '.join(NEEDS)}, got {needs!r}")

    def decorate(func):
        METRICS[name] = Metric(name, func, needs, per_sale)
        return func

    return decorate


def level_tag(level: float) -> str:
    """A level as the percentage used in names: 0.8 -> ``"80"``, 0.975 -> ``"97.5"``."""
    return f"{round(float(level) * 100, 6):g}"


def interval_columns(levels) -> list[str]:
    """Prediction-table columns of the intervals: ``lower80, upper80, lower95, upper95, ...``."""
    return [f"{side}{level_tag(level)}" for level in levels for side in ("lower", "upper")]


# ---------------------------------------------------------------------------------------------
# the metrics


@register_metric("r2")
def r2(y, pred, **_):
    """Share of the variance of the log price explained: 1 - SSE / SST (NaN when SST is 0)."""
    sse = np.sum((y - pred) ** 2, axis=-1)
    sst = np.sum((y - np.mean(y, axis=-1, keepdims=True)) ** 2, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0), np.nan)


@register_metric("mae", per_sale=True)
def mae(y, pred, **_):
    """Absolute error of the log price (its mean: the MAE)."""
    return np.abs(y - pred)


@register_metric("medae")
def medae(y, pred, **_):
    """Median absolute error of the log price."""
    return np.median(np.abs(y - pred), axis=-1)


def _within(y, pred, share):
    return (np.abs(np.expm1(pred - y)) <= share + 1e-12).astype(float)


@register_metric("within25", per_sale=True)
def within25(y, pred, **_):
    """Whether the predicted price is within 25% of the price (its mean: the share)."""
    return _within(y, pred, 0.25)


@register_metric("within50", per_sale=True)
def within50(y, pred, **_):
    """Whether the predicted price is within 50% of the price (its mean: the share)."""
    return _within(y, pred, 0.50)


@register_metric("coverage", needs="interval", per_sale=True)
def coverage(y, lower, upper, **_):
    """Whether the log price lies in the interval (its mean: the coverage)."""
    return ((lower <= y) & (y <= upper)).astype(float)


@register_metric("width", needs="interval", per_sale=True)
def width(lower, upper, **_):
    """Width of the interval (log units)."""
    return upper - lower


@register_metric("interval_score", needs="interval", per_sale=True)
def interval_score(y, lower, upper, level, **_):
    """Interval score (Gneiting and Raftery 2007) at nominal level ``level``."""
    alpha = 1.0 - level
    return upper - lower + (2.0 / alpha) * (np.maximum(lower - y, 0.0) + np.maximum(y - upper, 0.0))


@register_metric("crps", needs="gaussian", per_sale=True)
def crps(y, pred, sd, **_):
    """CRPS of the normal predictive distribution N(pred, sd^2)."""
    z = (y - pred) / sd
    pdf = np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)
    return sd * (z * (2 * special.ndtr(z) - 1) + 2 * pdf - 1 / np.sqrt(np.pi))


# ---------------------------------------------------------------------------------------------
# which metrics a model's predictions allow, and computing them


def _complete(values) -> bool:
    return values is not None and np.size(values) > 0 and bool(np.all(np.isfinite(values)))


def metric_plan(columns, levels) -> list[tuple[str, Metric, float | None]]:
    """The metrics a model's prediction columns allow, in table order.

    Parameters
    ----------
    columns : mapping of str to ndarray
        ``pred`` and, where the model gives them, ``sd`` and ``lower{L}``/``upper{L}``.
        An ``sd`` or interval is used only when it is finite for every sale.
    levels : sequence of float
        Interval levels to score.

    Returns
    -------
    list of (name, Metric, level)
        Point metrics, then the interval metrics level by level, then the Gaussian ones.
    """
    plan = [(m.name, m, None) for m in METRICS.values() if m.needs == "point" and "pred" in columns]
    for level in levels:
        tag = level_tag(level)
        if _complete(columns.get(f"lower{tag}")) and _complete(columns.get(f"upper{tag}")):
            plan += [(f"{m.name}{tag}", m, float(level)) for m in METRICS.values() if m.needs == "interval"]
    if _complete(columns.get("sd")):
        plan += [(m.name, m, None) for m in METRICS.values() if m.needs == "gaussian"]
    return plan


def _used_columns(plan) -> list[str]:
    used = {"pred"}
    for _, metric, level in plan:
        if metric.needs == "interval":
            used |= {f"lower{level_tag(level)}", f"upper{level_tag(level)}"}
        elif metric.needs == "gaussian":
            used.add("sd")
    return sorted(used)


def _call(metric: Metric, y, columns, level):
    tag = level_tag(level) if level is not None else ""
    return np.asarray(metric.func(y=y, pred=columns.get("pred"), sd=columns.get("sd"), level=level,
                                  lower=columns.get(f"lower{tag}"), upper=columns.get(f"upper{tag}")), dtype=float)


def compute_metrics(y, columns, plan) -> dict[str, np.ndarray]:
    """Every metric of ``plan`` on arrays whose last axis runs over sales.

    Parameters
    ----------
    y : ndarray, shape (..., n)
        Log prices.
    columns : mapping of str to ndarray, each shaped like ``y``
        The model's ``pred``, ``sd``, ``lower{L}``, ``upper{L}``.
    plan : list from :func:`metric_plan`

    Returns
    -------
    dict of name to ndarray of shape ``y.shape[:-1]`` (a 0-d array for one sample)
    """
    out = {}
    for name, metric, level in plan:
        values = _call(metric, y, columns, level)
        out[name] = np.mean(values, axis=-1) if metric.per_sale else values
    return out


def _resample_counts(rng, n: int, size: int) -> np.ndarray:
    """How often each of ``n`` sales is drawn in each of ``size`` resamples: shape (size, n)."""
    idx = rng.integers(0, n, size=(size, n))
    flat = (np.arange(size)[:, None] * n + idx).ravel()
    return np.bincount(flat, minlength=size * n).reshape(size, n).astype(float)


def _segment_scores(y, predictions, plans, positions, n_bootstrap, rng):
    """Point values and bootstrap draws of every model's metrics on one segment (same resamples for all).

    Per-sale metrics are computed once per sale and resampled as counts (a matrix product);
    the others are recomputed on the resampled sales, held as counts expanded to indices.
    """
    y_s = y[positions]
    cols = {m: {k: np.asarray(predictions[m][k], dtype=float)[positions] for k in _used_columns(plans[m])}
            for m in predictions}
    point = {m: {k: float(v) for k, v in compute_metrics(y_s, cols[m], plans[m]).items()} for m in predictions}
    per_sale = {m: [(name, _call(metric, y_s, cols[m], level)) for name, metric, level in plans[m]
                    if metric.per_sale] for m in predictions}
    reduced = {m: [p for p in plans[m] if not p[1].per_sale] for m in predictions}
    boot = {m: {name: np.empty(n_bootstrap) for name, _, _ in plans[m]} for m in predictions}
    n = positions.size
    step = max(1, _CHUNK // n)
    for start in range(0, n_bootstrap, step):
        stop = min(start + step, n_bootstrap)
        counts = _resample_counts(rng, n, stop - start)
        idx = None
        for m in predictions:
            if per_sale[m]:
                drawn = counts @ np.column_stack([v for _, v in per_sale[m]]) / n
                for j, (name, _) in enumerate(per_sale[m]):
                    boot[m][name][start:stop] = drawn[:, j]
            if reduced[m]:
                if idx is None:  # each resample's sales, in order: the counts expanded
                    idx = np.repeat(np.tile(np.arange(n), stop - start), counts.astype(np.int64).ravel())
                    idx = idx.reshape(stop - start, n)
                for name, values in compute_metrics(y_s[idx], {k: v[idx] for k, v in cols[m].items()},
                                                    reduced[m]).items():
                    boot[m][name][start:stop] = values
    return point, boot


def _interval(draws, ci_level) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return np.nan, np.nan
    lo, hi = np.quantile(draws, [(1 - ci_level) / 2, (1 + ci_level) / 2])
    return float(lo), float(hi)


def segment_seed(seed: int, segment: str) -> np.random.Generator:
    """The generator of a segment's resamples: seeded by the study's seed and the segment's name."""
    return np.random.default_rng([int(seed), zlib.crc32(segment.encode())])


def score_predictions(y, predictions, masks: pd.DataFrame, levels=(0.8, 0.95), n_bootstrap: int = 1000,
                      ci_level: float = 0.95, seed: int = 0):
    """Metrics of every model by segment, with bootstrap intervals, and the paired differences.

    Parameters
    ----------
    y : ndarray, shape (n,)
        Log prices of the scored sales.
    predictions : dict of model name to mapping of column to ndarray of shape (n,)
        Each model's ``pred`` (finite) and, optionally, ``sd``, ``lower{L}``, ``upper{L}``,
        aligned with ``y``.
    masks : DataFrame of bool, shape (n, segments)
        Segment membership of each sale (:func:`artstudy.evaluation.segments.segment_masks`).
    levels : sequence of float
    n_bootstrap : int
    ci_level : float
        Level of the percentile intervals.
    seed : int

    Returns
    -------
    metrics : DataFrame
        :data:`METRIC_COLUMNS`; ``n`` has no interval. Segments with no sale are absent.
    differences : DataFrame
        :data:`DIFFERENCE_COLUMNS`: ``model`` minus ``reference`` for every ordered pair of models
        and every metric both have (``n`` excepted), intervals from the same resamples.
    """
    y = np.asarray(y, dtype=float)
    plans = {m: metric_plan(cols, levels) for m, cols in predictions.items()}
    rows, diffs = [], []
    for segment in masks.columns:
        positions = np.flatnonzero(masks[segment].to_numpy(dtype=bool))
        if positions.size == 0:
            continue
        rng = segment_seed(seed, segment)
        point, boot = _segment_scores(y, predictions, plans, positions, n_bootstrap, rng)
        for m in predictions:
            rows += [(m, segment, k, v, *_interval(boot[m][k], ci_level)) for k, v in point[m].items()]
            rows.append((m, segment, "n", float(positions.size), np.nan, np.nan))
            for ref in predictions:
                shared = [k for k in point[m] if ref != m and k in point[ref]]
                diffs += [(m, ref, segment, k, point[m][k] - point[ref][k],
                           *_interval(boot[m][k] - boot[ref][k], ci_level)) for k in shared]
    order = {m: i for i, m in enumerate(predictions)}
    metrics = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    metrics = metrics.iloc[np.argsort(metrics["model"].map(order).to_numpy(), kind="stable")]
    differences = pd.DataFrame(diffs, columns=DIFFERENCE_COLUMNS)
    differences = differences.iloc[np.argsort(differences["model"].map(order).to_numpy(), kind="stable")]
    return metrics.reset_index(drop=True), differences.reset_index(drop=True)
