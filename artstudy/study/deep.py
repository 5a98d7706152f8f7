r"""Numbers and conclusions of the deep-valuation report: what the images add, and where the models look.

The report asks whether an image model adds to the tabular models' valuation where the market
knows least: on *fresh-to-market* sales (the first sale of a work), against *repeat* sales, whose
earlier price already tells much of what the image could. Its quantities, all from the harness's
predictions tables (:func:`artstudy.evaluation.harness.fit_predict`) joined to the scored test
rows as :func:`artstudy.evaluation.harness.score` joins them:

- the **gain** of a model over a reference on a segment: :math:`R^2_{model} - R^2_{ref}` of the
  log price (:func:`artstudy.evaluation.metrics.r2`) on that segment's scored sales;
- the **contrast**: the gain on fresh sales minus the gain on repeat sales;
- when an oracle's predictions (the synthetic world's truth) are given, the **oracle gain** (the
  oracle's gain over the reference on fresh sales: what can be gained at most) and the **oracle
  share**, the ratio of the model's gain to the oracle's (the part of the attainable gain the
  model captures).

Intervals are percentile intervals of :math:`B` bootstrap resamples drawn *within each segment*
(with replacement), every model scored on the same resamples (paired), from the generator of
:func:`artstudy.evaluation.metrics.segment_seed`: with the same seed and ``n_bootstrap`` the
resamples, and so the gains' intervals, are those of :func:`~artstudy.evaluation.harness.score`'s
``differences`` table. Fresh and repeat sales are disjoint, so the contrast's resamples pair
replicate :math:`b` of one segment with replicate :math:`b` of the other (independent draws).

:func:`gradcam_region_summary` measures how much of the Grad-CAM mass
(:func:`artstudy.models.deep.gradcam.grad_cam`) falls in a region against the share expected by
chance (the region's area). :mod:`artstudy.study.deep_report` turns these numbers into the
report's sentences and its pass/fail criterion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..evaluation.harness import PREDICTION_COLUMNS, _model_columns, lot_ids
from ..evaluation.metrics import _CHUNK, _interval, r2, segment_seed
from ..evaluation.segments import segment_masks
from ..evaluation.split import Split
from ..models.base import log_price

__all__ = ["BOOTSTRAP_COLUMNS", "GAIN_COLUMNS", "QUALITY_GROUPS", "bootstrap_r2", "image_gain",
           "gradcam_region_summary", "gradcam_by_quality"]

#: Columns of :func:`bootstrap_r2`'s table.
BOOTSTRAP_COLUMNS = ["replicate", "segment", "model", "r2"]
#: Columns of :func:`image_gain`'s table.
GAIN_COLUMNS = ["quantity", "value", "ci_low", "ci_high"]

#: How the sentences name a segment's sales.
SEGMENT_WORDS = {"fresh": "fresh-to-market sales", "repeat": "repeat sales", "all": "all scored sales",
                 "unseen_artist": "sales of artists unseen in training"}


def _words(segment: str) -> str:
    return SEGMENT_WORDS.get(segment, f"{segment} sales")


# -- bootstrap R² -------------------------------------------------------------------------------
def _segment_r2(y, preds: dict, positions: np.ndarray, n_bootstrap: int, rng):
    """Point R² and ``n_bootstrap`` paired bootstrap R² of every model on the sales at ``positions``.

    The resamples are drawn as :func:`artstudy.evaluation.metrics.score_predictions` draws them
    (``rng.integers(0, n, (chunk, n))`` in chunks of the same size), so they are its resamples.

    Returns
    -------
    point : dict of model to float
    draws : dict of model to ndarray of shape (n_bootstrap,)
    """
    y_s = y[positions]
    p_s = {m: p[positions] for m, p in preds.items()}
    point = {m: float(r2(y_s, p)) for m, p in p_s.items()}
    draws = {m: np.empty(n_bootstrap) for m in preds}
    for start, stop, idx in resample_chunks(positions.size, n_bootstrap, rng):
        y_b = y_s[idx]
        for m, p in p_s.items():
            draws[m][start:stop] = r2(y_b, p[idx])
    return point, draws


def resample_chunks(n: int, n_bootstrap: int, rng):
    """Paired bootstrap resamples of ``n`` sales as the harness draws them: ``(start, stop, idx)`` chunks.

    ``idx`` has shape ``(stop - start, n)``, each row one resample (``rng.integers(0, n, (chunk, n))`` in
    chunks of :func:`artstudy.evaluation.metrics.score_predictions`'s size), so the draws are its resamples.
    """
    step = max(1, _CHUNK // n)
    for start in range(0, n_bootstrap, step):
        stop = min(start + step, n_bootstrap)
        yield start, stop, rng.integers(0, n, size=(stop - start, n))


def _check_arrays(y, preds, masks):
    y = np.asarray(y, dtype=float)
    if y.ndim != 1:
        raise InputError(f"bootstrap_r2: y must be one-dimensional, got shape {y.shape}")
    arrays = {}
    for m, p in preds.items():
        p = np.asarray(p, dtype=float)
        if p.shape != y.shape:
            raise InputError(f"bootstrap_r2: predictions of model {m} have shape {p.shape}, y has {y.shape}")
        arrays[str(m)] = p
    if len(masks) != y.size:
        raise InputError(f"bootstrap_r2: masks have {len(masks)} rows, y has {y.size}")
    return y, arrays


def _check_bootstrap(n_bootstrap) -> int:
    if int(n_bootstrap) < 1:
        raise InputError(f"n_bootstrap must be at least 1, got {n_bootstrap}")
    return int(n_bootstrap)


def bootstrap_r2(y, preds: dict, masks: pd.DataFrame, n_bootstrap: int, seed: int) -> pd.DataFrame:
    """R² of the log price of every model on paired bootstrap resamples drawn within each segment.

    Parameters
    ----------
    y : array, shape (n,)
        Log prices of the scored sales.
    preds : dict of model name to array of shape (n,)
        Each model's predicted log price, aligned with ``y``.
    masks : DataFrame of bool, shape (n, segments)
        Segment membership (:func:`artstudy.evaluation.segments.segment_masks`, index reset or not:
        rows are taken by position). A segment with no sale is left out.
    n_bootstrap : int
        Resamples per segment.
    seed : int
        The resamples of segment ``s`` come from ``segment_seed(seed, s)``
        (:func:`artstudy.evaluation.metrics.segment_seed`): the same for every model (paired), the
        same whichever models are given, and the same as :func:`artstudy.evaluation.harness.score`'s.

    Returns
    -------
    DataFrame
        Long table, columns :data:`BOOTSTRAP_COLUMNS` = ``replicate, segment, model, r2``:
        ``replicate`` runs 0 .. n_bootstrap - 1 within each segment, and rows sharing ``segment``
        and ``replicate`` were scored on the same resample. Ordered by segment (as in ``masks``),
        model (as in ``preds``), replicate. ``r2`` is NaN on a resample whose log prices are all
        equal. The point R² is :func:`artstudy.evaluation.metrics.r2` on the whole segment.

    Raises
    ------
    InputError
        Arrays of different lengths, or ``n_bootstrap`` < 1.
    """
    n_bootstrap = _check_bootstrap(n_bootstrap)
    y, arrays = _check_arrays(y, preds, masks)
    parts = []
    for segment in masks.columns:
        positions = np.flatnonzero(masks[segment].to_numpy(dtype=bool))
        if positions.size == 0:
            continue
        _, draws = _segment_r2(y, arrays, positions, n_bootstrap, segment_seed(seed, str(segment)))
        for m, d in draws.items():
            parts.append(pd.DataFrame({"replicate": np.arange(n_bootstrap), "segment": str(segment), "model": m,
                                       "r2": d}))
    if not parts:
        return pd.DataFrame({"replicate": pd.Series(dtype=int), "segment": pd.Series(dtype=object),
                             "model": pd.Series(dtype=object), "r2": pd.Series(dtype=float)})
    return pd.concat(parts, ignore_index=True)[BOOTSTRAP_COLUMNS]


# -- the image gain -----------------------------------------------------------------------------
def _prediction_table(predictions) -> pd.DataFrame:
    frames = [predictions] if isinstance(predictions, pd.DataFrame) else list(predictions)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PREDICTION_COLUMNS)
    missing = [c for c in ("lot_id", "model", "pred") if c not in table.columns]
    if missing and not table.empty:
        raise InputError(f"image_gain: the predictions have no column {', '.join(missing)} "
                         f"(columns present: {', '.join(map(str, table.columns))})")
    return table


def image_gain(sales: pd.DataFrame, predictions, split: Split, *, model: str = "multimodal", reference: str = "mlp",
               oracle: str | None = "oracle", segments=("fresh", "repeat"), n_bootstrap: int = 1000,
               ci_level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """The gain in R² of ``model`` over ``reference`` on two segments, their contrast and the oracle's share.

    Parameters
    ----------
    sales : DataFrame
        The whole prepared sales table the predictions were made from (with ``sale_kind`` for the
        fresh and repeat segments).
    predictions : DataFrame or sequence of DataFrames
        Predictions tables of :func:`artstudy.evaluation.harness.fit_predict` (columns
        ``lot_id, model, pred, ...``), one per model or concatenated; other models are ignored.
        They are joined to the scored test rows by lot id as
        :func:`artstudy.evaluation.harness.score` joins them.
    split : Split
        The split the predictions were made with.
    model, reference : str
        The model whose gain is measured (the image model) and the model it is measured against.
    oracle : str or None
        The oracle's model name; its rows are computed only when its predictions are present.
    segments : pair of str
        ``(a, b)``: the segment the gain is about (default fresh-to-market sales) and the one it is
        contrasted with (default repeat sales); names of :func:`~artstudy.evaluation.segments.segment_masks`.
    n_bootstrap : int
    ci_level : float
        Level of the percentile intervals.
    seed : int
        Seeds the resamples of each segment (:func:`bootstrap_r2`).

    Returns
    -------
    DataFrame
        Columns :data:`GAIN_COLUMNS` = ``quantity, value, ci_low, ci_high`` (value: on the whole
        segment; ci: percentile interval of the paired resamples), one row per quantity, in order:

        ``gain_{a}``, ``gain_{b}``
            R² of ``model`` minus R² of ``reference`` on segment a (b);
        ``gain_{a}_minus_{b}``
            the contrast ``gain_{a} - gain_{b}``;
        ``oracle_gain_{a}`` (only with the oracle's predictions)
            R² of ``oracle`` minus R² of ``reference`` on segment a;
        ``oracle_share_{a}`` (only with the oracle's predictions)
            ``gain_{a} / oracle_gain_{a}``, its interval from the ratio on each resample
            (resamples where the oracle gains exactly 0 are dropped from it).

        With the defaults: ``gain_fresh, gain_repeat, gain_fresh_minus_repeat, oracle_gain_fresh,
        oracle_share_fresh``. ``attrs`` holds ``model, reference, oracle`` (None when absent),
        ``segments``, ``n`` (dict of segment to its number of scored sales), ``n_bootstrap`` and
        ``ci_level``.

    Raises
    ------
    InputError
        ``model`` or ``reference`` has no predictions, a model's predictions miss a scored lot
        (or repeat one, or name a lot outside the test period), the sales have no such segment,
        or a segment has fewer than 2 scored sales.
    """
    segments = tuple(str(s) for s in segments)
    if len(segments) != 2 or segments[0] == segments[1]:
        raise InputError(f"image_gain: segments must be two different segment names, got {segments}")
    n_bootstrap = _check_bootstrap(n_bootstrap)
    preds, use_oracle = _gain_predictions(sales, predictions, split, model, reference, oracle)
    point, draws, sizes = _segment_draws(sales, split, preds, segments, n_bootstrap, seed, model, reference)
    rows = _gain_rows(point, draws, segments, model, reference, oracle if use_oracle else None, ci_level)
    out = pd.DataFrame(rows, columns=GAIN_COLUMNS)
    out.attrs.update(model=model, reference=reference, oracle=oracle if use_oracle else None, segments=segments,
                     n=sizes, n_bootstrap=n_bootstrap, ci_level=float(ci_level))
    return out


def _segment_draws(sales, split, preds, segments, n_bootstrap, seed, model, reference):
    """R² of every model on each segment (point, bootstrap draws) and the segments' sizes."""
    y = log_price(sales)[split.scored]
    masks = segment_masks(sales, split).reset_index(drop=True)
    draws, point, sizes = {}, {}, {}
    for segment in segments:
        if segment not in masks.columns:
            raise InputError(f"image_gain: the sales have no segment {segment!r} (segments: "
                             f"{', '.join(masks.columns)}; fresh and repeat need a sale_kind column)")
        positions = np.flatnonzero(masks[segment].to_numpy(dtype=bool))
        sizes[segment] = int(positions.size)
        if positions.size < 2:
            raise InputError(f"image_gain: segment {segment} has {positions.size} scored test sales; comparing "
                             f"model {model} with {reference} needs at least 2")
        point[segment], draws[segment] = _segment_r2(y, preds, positions, n_bootstrap, segment_seed(seed, segment))
    return point, draws, sizes


def _gain_predictions(sales, predictions, split, model, reference, oracle):
    """Each compared model's predictions of the scored test rows (joined as the harness joins them); oracle used?"""
    table = _prediction_table(predictions)
    present = pd.unique(table["model"].astype(str)) if not table.empty else np.array([], dtype=object)
    for name, role in ((model, "model"), (reference, "reference")):
        if name not in present:
            raise InputError(f"image_gain: no predictions of model {name} (the {role}; models present: "
                             f"{', '.join(present) if len(present) else 'none'})")
    use_oracle = oracle is not None and oracle in present and oracle not in (model, reference)
    names = [model, reference] + ([oracle] if use_oracle else [])
    ids = lot_ids(sales)
    scored_ids, test_ids = ids[split.scored], pd.Index(ids[split.test])
    keyed = table.assign(model=table["model"].astype(str))
    preds = {name: _model_columns(name, keyed[keyed["model"] == name], scored_ids, test_ids, ())["pred"]
             for name in names}
    return preds, use_oracle


def _gain_rows(point, draws, segments, model, reference, oracle, ci_level) -> list[tuple]:
    """The rows of :func:`image_gain`: gains on both segments, their contrast, the oracle's gain and share."""
    a, b = segments

    def gain(seg, name):
        return point[seg][name] - point[seg][reference], draws[seg][name] - draws[seg][reference]

    (ga, da), (gb, db) = gain(a, model), gain(b, model)
    rows = [(f"gain_{a}", ga, *_interval(da, ci_level)), (f"gain_{b}", gb, *_interval(db, ci_level)),
            (f"gain_{a}_minus_{b}", ga - gb, *_interval(da - db, ci_level))]
    if oracle is not None:
        go, do = gain(a, oracle)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = ga / go if go != 0 else np.nan
            share_draws = np.where(do != 0, da / np.where(do != 0, do, 1.0), np.nan)
        rows.append((f"oracle_gain_{a}", go, *_interval(do, ci_level)))
        rows.append((f"oracle_share_{a}", share, *_interval(share_draws, ci_level)))
    return rows


# -- Grad-CAM -----------------------------------------------------------------------------------
def gradcam_region_summary(heatmaps, region, *, n_bootstrap: int = 1000, seed: int = 0,
                           ci_level: float = 0.95) -> dict:
    """Mean share of the Grad-CAM mass inside a region, with a bootstrap interval over works, against chance.

    Parameters
    ----------
    heatmaps : array, shape (n, height, width)
        Non-negative heat maps (:func:`artstudy.models.deep.gradcam.grad_cam`), one per work.
    region : tuple or array of bool
        A box ``(row0, row1, col0, col1)``, one mask ``(height, width)`` or one mask per map
        ``(n, height, width)`` (:func:`artstudy.models.deep.gradcam.mass_in_region`).
    n_bootstrap : int
        Resamples of the works (with replacement).
    seed : int
    ci_level : float

    Returns
    -------
    dict
        ``n_maps`` (maps used), ``n_excluded`` (maps with zero mass, left out), ``mean_share`` (mean
        share of a map's mass in the region), ``ci_low``, ``ci_high`` (its percentile interval),
        ``chance_share`` (region area over image area; with one mask per map, the mean over the maps
        used), ``ratio`` (mean_share / chance_share), ``ratio_ci_low``, ``ratio_ci_high`` (from the
        same resamples) and ``ci_level``; numbers as Python floats and ints.

    Raises
    ------
    InputError
        Maps not (n, height, width), a region of the wrong shape, an empty region, or no map with mass.
    """
    from ..models.deep.gradcam import chance_share, mass_in_region  # imports keras: only when used

    n_bootstrap = _check_bootstrap(n_bootstrap)
    h = np.asarray(heatmaps, dtype=float)
    share = mass_in_region(h, region)
    chance = np.broadcast_to(np.asarray(chance_share(region, h.shape[1:]), dtype=float), share.shape)
    keep = np.isfinite(share)
    n = int(keep.sum())
    if n == 0:
        raise InputError(f"gradcam_region_summary: none of the {share.size} heat maps has any mass")
    share, chance = share[keep], chance[keep]
    if not np.all(chance > 0):
        raise InputError("gradcam_region_summary: the region is empty (its chance share is 0)")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_bootstrap, n))
    mean_draws = share[idx].mean(axis=1)
    ratio_draws = mean_draws / chance[idx].mean(axis=1)
    mean_share, chance_mean = float(share.mean()), float(chance.mean())
    lo, hi = _interval(mean_draws, ci_level)
    rlo, rhi = _interval(ratio_draws, ci_level)
    return {"n_maps": n, "n_excluded": int(keep.size - n), "mean_share": mean_share, "ci_low": lo, "ci_high": hi,
            "chance_share": chance_mean, "ratio": mean_share / chance_mean, "ratio_ci_low": rlo,
            "ratio_ci_high": rhi, "ci_level": float(ci_level)}


#: Groups of :func:`gradcam_by_quality`, in order.
QUALITY_GROUPS = ("all works", "above-average quality", "average or below")


def gradcam_by_quality(heatmaps, region, quality, *, n_bootstrap: int = 1000, seed: int = 0,
                       ci_level: float = 0.95) -> pd.DataFrame:
    """:func:`gradcam_region_summary` for all works and apart for works of above- and below-average quality.

    Grad-CAM keeps the positive part of the gradient-weighted feature maps: the evidence that
    *raises* the predicted price. Where a work's quality is below average its quality region
    lowers the price, so the fair test of whether a model looks at the region is among works of
    above-average quality (``quality > 0``, the truth's ``visual_quality``).

    Parameters
    ----------
    heatmaps : array (n, height, width)
    region : box or mask(s), as for :func:`gradcam_region_summary`
    quality : array (n,)
        Each map's work's visual quality (NaN: unknown, left out of the two groups).

    Returns
    -------
    DataFrame
        Index :data:`QUALITY_GROUPS`; the columns of :func:`gradcam_region_summary` (a group with no
        map of any mass has NaN and ``n_maps`` 0).
    """
    h = np.asarray(heatmaps, dtype=float)
    q = np.asarray(quality, dtype=float)
    if q.shape != (len(h),):
        raise InputError(f"gradcam_by_quality: {q.size} quality values for {len(h)} heat maps")
    masks = {QUALITY_GROUPS[0]: np.ones(len(h), dtype=bool), QUALITY_GROUPS[1]: q > 0, QUALITY_GROUPS[2]: q <= 0}
    rows = {}
    for group, mask in masks.items():
        try:
            rows[group] = gradcam_region_summary(h[mask], region if np.ndim(region) != 3 else np.asarray(region)[mask],
                                                 n_bootstrap=n_bootstrap, seed=seed, ci_level=ci_level)
        except InputError as err:
            if "has any mass" not in str(err):
                raise
            rows[group] = {"n_maps": 0, "n_excluded": int(mask.sum())}
    return pd.DataFrame.from_dict(rows, orient="index").reindex(list(QUALITY_GROUPS))
