"""The leak-free valuation harness: split by sale date, fit on the training part, predict the test part, score.

The steps, each a function (and each of the first two one Snakemake job):

1. :func:`~artstudy.evaluation.split.temporal_split` splits the prepared sales table by sale
   date before any model sees it;
2. :func:`fit_predict` makes one model of the registry (:mod:`artstudy.models.registry`) with
   its own seed (:func:`model_seed`), fits it on the *training rows only* (history-only rows
   included: a model selects its own in-sample rows), and predicts the test rows. The test
   part is handed to ``predict`` whole, so a model may use the prices of lots sold earlier in
   the test period (the protocol forbids a row's own and later prices). The result, one row per
   scored test lot, is ``results/valuation/<source>/predictions/<model>.csv``: columns
   ``lot_id, model, pred, sd`` (``sd`` NaN when the model has no normal predictive) and
   ``lower{L}, upper{L}`` for each level of ``evaluation.levels`` (``lower80, upper80, ...``);
3. :func:`score` joins every model's predictions to the scored test rows (in-sample rows of
   the test period; a missing prediction is an error), and computes the metrics of
   :mod:`artstudy.evaluation.metrics` by segment (:mod:`artstudy.evaluation.segments`) with
   bootstrap intervals, and the paired differences between models.

:func:`evaluate` runs the three in memory, for tests and notebooks. A table without a
``lot_id`` column (a simulated market) identifies its lots by row position.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ..models.base import GaussianEstimator, log_price
from ..models.registry import REGISTRY, make_model
from .metrics import interval_columns, level_tag, score_predictions
from .segments import segment_masks
from .split import Split, temporal_split

__all__ = ["model_seed", "lot_ids", "fit_model", "predict_test", "fit_predict", "score", "evaluate",
           "EvaluationResult", "PREDICTION_COLUMNS"]

#: Leading columns of a predictions table (the interval columns follow).
PREDICTION_COLUMNS = ["lot_id", "model", "pred", "sd"]


def _config(config):
    from ..settings import resolve

    return resolve(config)


def model_seed(config, name: str) -> int:
    """A stable seed for model ``name``: from the config's seed and the name (the same in every process).

    Parameters
    ----------
    config : StudyConfig, dict or None
    name : str

    Returns
    -------
    int in [0, 2**32)
    """
    seed = _config(config).seed
    return int(np.random.SeedSequence([seed, zlib.crc32(name.encode())]).generate_state(1)[0])


def lot_ids(sales: pd.DataFrame) -> np.ndarray:
    """Every row's lot id as text (the row position when the table has no ``lot_id``).

    Raises
    ------
    InputError
        Missing or repeated lot ids.
    """
    if "lot_id" not in sales.columns:
        return np.arange(len(sales)).astype(str).astype(object)
    ids = sales["lot_id"].astype("string")
    bad = (ids.isna() | ids.duplicated(keep=False)).to_numpy()
    if bad.any():
        first = ", ".join(map(str, ids[bad].head(5).tolist()))
        raise InputError(f"sales table: column lot_id: {int(bad.sum())} rows have a missing or repeated lot id "
                         f"({first})")
    return ids.to_numpy(dtype=object)


def _split(sales, config, split) -> Split:
    return split if split is not None else temporal_split(sales, config.evaluation)


def fit_model(name: str, sales: pd.DataFrame, config=None, split: Split | None = None):
    """Make model ``name`` with its seed and fit it on the training rows of the split.

    Returns
    -------
    model : the fitted estimator
    split : Split
    """
    config = _config(config)
    split = _split(sales, config, split)
    model = make_model(name, config, random_state=model_seed(config, name))
    model.fit(sales.loc[split.train])
    return model, split


def _distribution(model, test: pd.DataFrame, levels):
    """Mean, sd (NaN without a normal predictive) and interval bounds of every test row."""
    bounds = {}
    if hasattr(model, "predict_distribution"):
        mean, sd = (np.asarray(v, dtype=float) for v in model.predict_distribution(test))
        own = type(model).predict_interval is GaussianEstimator.predict_interval
    else:
        mean, sd, own = np.asarray(model.predict(test), dtype=float), np.full(len(test), np.nan), False
    for level in levels:
        tag = level_tag(level)
        if own:
            z = stats.norm.ppf(0.5 + level / 2)
            bounds[f"lower{tag}"], bounds[f"upper{tag}"] = mean - z * sd, mean + z * sd
        else:
            frame = model.predict_interval(test, level=level)
            bounds[f"lower{tag}"] = frame["lower"].to_numpy(dtype=float)
            bounds[f"upper{tag}"] = frame["upper"].to_numpy(dtype=float)
    return mean, sd, bounds


def predict_test(model, name: str, sales: pd.DataFrame, split: Split, levels) -> pd.DataFrame:
    """The predictions table of a fitted model for the scored test rows of ``sales``.

    The whole test part (history-only rows included) is passed to the model's ``predict``;
    the rows scored are kept.

    Raises
    ------
    RuntimeError
        The model gave no finite prediction for a scored row (a bug of the model).
    """
    test = sales.loc[split.test]
    mean, sd, bounds = _distribution(model, test, levels)
    keep = split.fitted[split.test]
    out = pd.DataFrame({"lot_id": lot_ids(sales)[split.test][keep], "model": name, "pred": mean[keep],
                        "sd": sd[keep], **{k: v[keep] for k, v in bounds.items()}})
    bad = ~np.isfinite(out["pred"].to_numpy())
    if bad.any():
        raise RuntimeError(f"model {name}: no finite prediction for {int(bad.sum())} scored test lots "
                           f"(lots {', '.join(out.loc[bad, 'lot_id'].head(5))})")
    return out


def fit_predict(name: str, sales: pd.DataFrame, config=None, split: Split | None = None) -> pd.DataFrame:
    """Fit model ``name`` on the training rows and predict the scored test rows.

    Parameters
    ----------
    name : str
        Registry name.
    sales : DataFrame
        The whole prepared sales table.
    config : StudyConfig, dict or None
    split : Split, optional
        Default: :func:`temporal_split` with the config's ``evaluation`` settings.

    Returns
    -------
    DataFrame
        Columns ``lot_id, model, pred, sd, lower{L}, upper{L}, ...`` (:data:`PREDICTION_COLUMNS`).
    """
    config = _config(config)
    model, split = fit_model(name, sales, config, split)
    return predict_test(model, name, sales, split, config.evaluation.levels)


def _model_columns(name: str, frame: pd.DataFrame, scored_ids: np.ndarray, test_ids, levels) -> dict:
    """One model's prediction columns aligned with the scored rows; errors name the model and the lots."""
    ids = frame["lot_id"].astype("string")
    repeated = ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        raise InputError(f"predictions of model {name}: lot ids given more than once ({', '.join(ids[repeated][:5])})")
    outside = ~ids.isin(test_ids).to_numpy()
    if outside.any():
        raise InputError(f"predictions of model {name}: {int(outside.sum())} lots are not in the test period of "
                         f"this split ({', '.join(ids[outside][:5])}): were they made with another config?")
    aligned = frame.set_index(ids.to_numpy()).reindex(scored_ids)
    columns = {"pred": aligned["pred"].to_numpy(dtype=float)}
    for column in ["sd", *interval_columns(levels)]:
        if column in aligned.columns:
            values = aligned[column].to_numpy(dtype=float)
            if np.isfinite(values).any() or column == "sd":
                columns[column] = values
    for column, values in columns.items():
        bad = ~np.isfinite(values)
        if bad.any() and (column == "pred" or not bad.all()):
            raise InputError(f"predictions of model {name}: column {column}: no value for {int(bad.sum())} of the "
                             f"{bad.size} scored test lots (lots {', '.join(scored_ids[bad][:5])})")
    return columns


def score(sales: pd.DataFrame, predictions, config=None, split: Split | None = None):
    """Score every model's predictions of the scored test rows, by segment, with bootstrap intervals.

    Parameters
    ----------
    sales : DataFrame
        The whole prepared sales table the predictions were made from.
    predictions : DataFrame or sequence of DataFrames
        Tables from :func:`fit_predict` (one per model, or concatenated); models are scored in
        the order they appear.
    config : StudyConfig, dict or None
        ``evaluation.levels``, ``n_bootstrap``, ``ci_level`` and the ``seed``.
    split : Split, optional

    Returns
    -------
    metrics : DataFrame
        Columns ``model, segment, metric, value, ci_low, ci_high``.
    differences : DataFrame
        Columns ``model, reference, segment, metric, value, ci_low, ci_high`` (model minus reference).

    Raises
    ------
    InputError
        A scored test lot has no prediction of some model, a lot is predicted twice, or a
        prediction names a lot outside the test period.
    """
    config = _config(config)
    split = _split(sales, config, split)
    frames = [predictions] if isinstance(predictions, pd.DataFrame) else list(predictions)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PREDICTION_COLUMNS)
    if table.empty:
        raise InputError("score: no predictions given")
    ids = lot_ids(sales)
    scored_ids, test_ids = ids[split.scored], pd.Index(ids[split.test])
    settings = config.evaluation
    columns = {name: _model_columns(str(name), frame, scored_ids, test_ids, settings.levels)
               for name, frame in table.groupby("model", sort=False)}
    masks = segment_masks(sales, split).reset_index(drop=True)
    return score_predictions(log_price(sales)[split.scored], columns, masks, levels=settings.levels,
                             n_bootstrap=settings.n_bootstrap, ci_level=settings.ci_level, seed=config.seed)


@dataclass
class EvaluationResult:
    """What :func:`evaluate` returns.

    Attributes
    ----------
    split : Split
    predictions : DataFrame
        Every model's predictions table, stacked (column ``model``).
    metrics : DataFrame
        ``model, segment, metric, value, ci_low, ci_high``.
    differences : DataFrame
        ``model, reference, segment, metric, value, ci_low, ci_high``.
    """

    split: Split
    predictions: pd.DataFrame
    metrics: pd.DataFrame
    differences: pd.DataFrame

    def table(self, metric: str = "r2", segment: str = "all") -> pd.DataFrame:
        """One metric of one segment per model: value, ci_low, ci_high."""
        m = self.metrics[(self.metrics["metric"] == metric) & (self.metrics["segment"] == segment)]
        return m.set_index("model")[["value", "ci_low", "ci_high"]]


def evaluate(sales: pd.DataFrame, config=None, models=None) -> EvaluationResult:
    """Split, fit and predict every model, and score them: the harness in memory.

    Parameters
    ----------
    sales : DataFrame
        The prepared sales table.
    config : StudyConfig, dict or None
    models : sequence of str, optional
        Registry names (default ``config.evaluation.models``).

    Raises
    ------
    InputError
        An unknown model name (before anything is fitted), or a bad split.
    """
    config = _config(config)
    models = list(config.evaluation.models if models is None else models)
    unknown = [m for m in models if m not in REGISTRY]
    if unknown:
        raise InputError(f"unknown model {unknown[0]!r} (known models: {', '.join(REGISTRY)})")
    split = temporal_split(sales, config.evaluation)
    predictions = [fit_predict(name, sales, config, split) for name in models]
    metrics, differences = score(sales, predictions, config, split)
    return EvaluationResult(split, pd.concat(predictions, ignore_index=True), metrics, differences)
