r"""Numbers and sentences of the sequences-and-uncertainty report (notebook 04), from the harness's files.

:func:`sequence_gain`: what the artist's earlier sales add (each sequence model of :data:`SEQUENCE_PAIRS`
against the same model without them, by segment and by the artist's history, :func:`history_lengths`).
:func:`coverage_table`, :func:`coverage_aim`, :func:`calibration`: are the predictive distributions
calibrated? A model's ``sd`` is its normal predictive's; for a model wrapped in conformal prediction it is the
*base's* sd while its intervals are conformal (:func:`interval_kind`): its PIT describes the base, its
intervals are judged by their coverage. :func:`worked_examples`, :func:`aims`, :func:`conclusions`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ..evaluation.calibration import NOMINAL_LEVELS, coverage_curve, pit, pit_histogram
from ..evaluation.harness import _model_columns, lot_ids
from ..evaluation.metrics import _interval, level_tag, r2, segment_seed
from ..evaluation.segments import segment_masks
from ..evaluation.split import Split, sale_dates
from ..models.base import log_price
from ..models.sequences import artist_histories
from .deep import _words, resample_chunks

__all__ = ["SEQUENCE_PAIRS", "HISTORY_BINS", "GAIN_COLUMNS", "ESTIMATES_SUFFIX", "history_lengths", "history_bins",
           "sequence_gain", "binomial_band", "coverage_table", "coverage_aim", "interval_kind", "calibration",
           "worked_examples", "aims", "conclusions"]

#: Sequence model -> the same model without the artist's earlier sales.
SEQUENCE_PAIRS = {"lstm": "mlp", "cnn_lstm": "multimodal", "gbt_lags": "gbt"}
#: Groups of the history length: (fewest, most or None, label).
HISTORY_BINS = ((0, 0, "none"), (1, 4, "1-4"), (5, 15, "5-15"), (16, 49, "16-49"), (50, 149, "50-149"),
                (150, None, "150+"))
#: Columns of :func:`sequence_gain`'s table.
GAIN_COLUMNS = ["model", "reference", "by", "group", "metric", "n", "model_value", "reference_value", "value",
                "ci_low", "ci_high"]
#: Models named ``<base>+estimates`` use the auction house's presale estimates.
ESTIMATES_SUFFIX = "+estimates"


def _aligned(sales: pd.DataFrame, split: Split, predictions) -> dict:
    """Every model's prediction columns aligned with the scored test rows, joined as the harness joins them."""
    frames = [predictions] if isinstance(predictions, pd.DataFrame) else list(predictions)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["lot_id", "model", "pred"])
    ids = lot_ids(sales)
    scored, test = ids[split.scored], pd.Index(ids[split.test])
    levels = sorted({float(c[len("lower"):]) / 100 for c in table.columns if str(c).startswith("lower")})
    return {str(name): pd.DataFrame(_model_columns(str(name), frame, scored, test, levels))
            for name, frame in table.groupby("model", sort=False)}


def history_lengths(sales: pd.DataFrame, split: Split) -> pd.Series:
    """For each scored test lot, the number of its artist's priced sales strictly before its sale date.

    Every priced row counts (training and test period, history-only rows included); sales on the same
    day, later sales and unsold lots do not. Vectorised (:func:`~artstudy.models.sequences.artist_histories`).

    Parameters
    ----------
    sales, split : DataFrame, Split
        The whole prepared sales table (``artist``, ``price``, ``sale_date`` or ``sale_year``), its split.

    Returns
    -------
    Series of int64 named ``history``, indexed like the scored rows of ``sales``.
    """
    table = pd.DataFrame({"artist": sales["artist"].to_numpy(dtype=object), "sale_date": sale_dates(sales).to_numpy(),
                          "log_price": log_price(sales)})
    counts = artist_histories(table.loc[split.scored], table, 1).counts
    return pd.Series(counts, index=sales.index[split.scored], name="history")


def history_bins(lengths, bins=HISTORY_BINS) -> pd.Series:
    """History lengths in labelled groups: a Series of ordered categories, indexed like ``lengths``.

    Parameters
    ----------
    lengths : array-like of int
    bins : sequence of (fewest, most or None, label)
        Contiguous groups from 0 up, the last open-ended (most None); InputError otherwise.
    """
    lows = [int(b[0]) for b in bins]
    highs = [b[1] for b in bins]
    if lows[0] != 0 or any(h is None or int(h) + 1 != lo for h, lo in zip(highs[:-1], lows[1:])):
        raise InputError(f"history_bins: the groups must run contiguously from 0, got {bins}")
    edges = [lo - 0.5 for lo in lows] + [np.inf if highs[-1] is None else highs[-1] + 0.5]
    index = lengths.index if isinstance(lengths, pd.Series) else None
    cut = pd.cut(np.asarray(lengths, dtype=float), edges, labels=[b[2] for b in bins], ordered=True)
    return pd.Series(cut, index=index, name="history")


# -- what the sequence adds ---------------------------------------------------------------------
def _draws(y, preds: dict, positions, n_bootstrap: int, rng):
    """Point (R², MAE) and bootstrap draws (2, B) of every model at ``positions``, resampled as the harness does."""
    y_s = y[positions]
    p_s = {m: p[positions] for m, p in preds.items()}
    point = {m: (float(r2(y_s, p)), float(np.mean(np.abs(y_s - p)))) for m, p in p_s.items()}
    draws = {m: np.empty((2, n_bootstrap)) for m in p_s}
    for start, stop, idx in resample_chunks(positions.size, n_bootstrap, rng):
        y_b = y_s[idx]
        for m, p in p_s.items():
            draws[m][0, start:stop] = r2(y_b, p[idx])
            draws[m][1, start:stop] = np.mean(np.abs(y_b - p[idx]), axis=-1)
    return point, draws


def _groups(sales, split, by):
    """``(by, group, positions)`` of the scored rows: segments, then history groups."""
    out = []
    if "segment" in by:
        masks = segment_masks(sales, split)
        out += [("segment", str(s), np.flatnonzero(masks[s].to_numpy(dtype=bool))) for s in masks.columns]
    if "history" in by:
        groups = history_bins(history_lengths(sales, split)).to_numpy()
        out += [("history", str(g), np.flatnonzero(groups == g)) for g in (b[2] for b in HISTORY_BINS)]
    return out


def sequence_gain(sales: pd.DataFrame, split: Split, predictions, pairs=None, *, by=("segment", "history"),
                  n_bootstrap: int = 1000, ci_level: float = 0.95, seed: int = 0, min_n: int = 2) -> pd.DataFrame:
    """R² and MAE of each sequence model minus its counterpart's, on the same lots, by segment and history.

    Parameters
    ----------
    sales, split : DataFrame, Split
        The whole prepared sales table and its split.
    predictions : DataFrame or sequence of DataFrames
        Predictions tables (``lot_id, model, pred, ...``); each model must predict every scored lot.
    pairs : dict, optional
        Sequence model -> model without it (default :data:`SEQUENCE_PAIRS`); a pair with a model absent
        from ``predictions`` is skipped (listed in ``attrs["skipped"]``).
    by : sequence of {"segment", "history"}
        Groups: the segments (:func:`~artstudy.evaluation.segments.segment_masks`), the history groups.
    n_bootstrap, ci_level, seed : int, float, int
        A segment's resamples come from ``segment_seed(seed, segment)`` (the harness's, so the
        intervals are its ``differences``'), a history group's from ``segment_seed(seed, "history " + label)``.
    min_n : int
        Groups with fewer scored sales are left out (at least 2: R² needs them).

    Returns
    -------
    DataFrame
        Columns :data:`GAIN_COLUMNS`: per pair, group (with at least ``min_n`` sales) and metric (``r2``,
        ``mae``), the two models' values, ``value`` = sequence model minus counterpart (a positive R²
        or negative MAE difference favours the sequence) and its paired percentile interval.
    """
    if int(n_bootstrap) < 1:
        raise InputError(f"sequence_gain: n_bootstrap must be at least 1, got {n_bootstrap}")
    pairs = dict(SEQUENCE_PAIRS if pairs is None else pairs)
    cols = _aligned(sales, split, predictions)
    used = [(m, r) for m, r in pairs.items() if m in cols and r in cols]
    preds = {m: cols[m]["pred"].to_numpy(dtype=float) for pair in used for m in pair}
    y = log_price(sales)[split.scored]
    rows = []
    for kind, group, positions in (_groups(sales, split, by) if used else []):
        if positions.size < max(2, int(min_n)):
            continue
        rng = segment_seed(seed, group if kind == "segment" else f"history {group}")
        point, draws = _draws(y, preds, positions, int(n_bootstrap), rng)
        for m, r in used:
            for k, metric in enumerate(("r2", "mae")):
                lo, hi = _interval(draws[m][k] - draws[r][k], ci_level)
                rows.append((m, r, kind, group, metric, int(positions.size), point[m][k], point[r][k],
                             point[m][k] - point[r][k], lo, hi))
    out = pd.DataFrame(rows, columns=GAIN_COLUMNS)
    out.attrs.update(pairs=used, skipped=[(m, r) for m, r in pairs.items() if (m, r) not in used],
                     n_bootstrap=int(n_bootstrap), ci_level=float(ci_level))
    return out


# -- coverage and calibration -------------------------------------------------------------------
def binomial_band(n, level, ci: float = 0.95):
    """The coverage a calibrated interval of nominal ``level`` shows on ``n`` sales with probability ``ci``:
    the central ``ci`` range of Binomial(n, level) (``binom.ppf((1 ± ci) / 2)``) divided by ``n``.

    Returns
    -------
    (low, high)
        Floats, or arrays when ``n`` or ``level`` is an array; NaN where ``n`` < 1.
    """
    n, level = np.asarray(n, dtype=float), np.asarray(level, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(n >= 1, stats.binom.ppf((1 - ci) / 2, np.maximum(n, 1), level) / n, np.nan)
        high = np.where(n >= 1, stats.binom.ppf((1 + ci) / 2, np.maximum(n, 1), level) / n, np.nan)
    return (float(low), float(high)) if low.ndim == 0 else (low, high)


def _metric_values(metrics: pd.DataFrame, name: str) -> pd.DataFrame:
    part = metrics[metrics["metric"] == name]
    return part.assign(model=part["model"].astype(str), segment=part["segment"].astype(str)) \
        .set_index(["model", "segment"])[["value", "ci_low", "ci_high"]]


def coverage_table(metrics: pd.DataFrame, levels=None, ci: float = 0.95) -> pd.DataFrame:
    """Coverage and width of every model's intervals by segment and level, against the nominal level.

    Parameters
    ----------
    metrics : DataFrame
        The harness's tidy metrics (``coverage{L}``, ``width{L}``, ``n``).
    levels : sequence of float, optional
        Default: every level the table has coverage for.
    ci : float
        Probability of :func:`binomial_band`.

    Returns
    -------
    DataFrame
        ``model, segment, level, coverage, ci_low, ci_high, width, n, band_low, band_high, inside, verdict``
        (``"inside the band"``, ``"too narrow"``: below it, ``"too wide"``), in the metrics' order.
    """
    tags = {n[8:] for n in pd.unique(metrics["metric"].astype(str)) if n[:8] == "coverage" and n[8:]}
    levels = sorted(float(t) / 100 for t in tags) if levels is None else [v for v in levels if level_tag(v) in tags]
    n, parts = _metric_values(metrics, "n")["value"], []
    for level in levels:
        cov = _metric_values(metrics, f"coverage{level_tag(level)}")
        width = _metric_values(metrics, f"width{level_tag(level)}")["value"].reindex(cov.index)
        parts.append(cov.rename(columns={"value": "coverage"}).assign(level=level, width=width,
                                                                     n=n.reindex(cov.index)).reset_index())
    columns = ["model", "segment", "level", "coverage", "ci_low", "ci_high", "width", "n", "band_low", "band_high",
               "inside", "verdict"]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns[:8], dtype=float)
    out["band_low"], out["band_high"] = binomial_band(out["n"].to_numpy(), out["level"].to_numpy(), ci)
    out["inside"] = (out["coverage"] >= out["band_low"] - 1e-12) & (out["coverage"] <= out["band_high"] + 1e-12)
    out["verdict"] = np.where(out["inside"], "inside the band",
                              np.where(out["coverage"] < out["band_low"], "too narrow", "too wide"))
    rank = {c: {v: i for i, v in enumerate(pd.unique(metrics[c].astype(str)))} for c in ("model", "segment")}
    return out.sort_values(["model", "segment", "level"], key=lambda c: c.map(rank[c.name]) if c.name in rank else c,
                           kind="stable")[columns].reset_index(drop=True)


def coverage_aim(metrics: pd.DataFrame, level: float = 0.8, lo: float = 0.75, hi: float = 0.85,
                 segment: str = "all") -> pd.DataFrame:
    """Which models' ``level`` intervals cover between ``lo`` and ``hi`` of the sales of ``segment``.

    Returns
    -------
    DataFrame
        Indexed by every model of the metrics: ``coverage, width, n, met, gap`` (how far outside [lo, hi]:
        negative below, positive above, else 0); a model without such intervals: NaN, ``met`` False.
    """
    table = coverage_table(metrics, [level]).query("segment == @segment").set_index("model")
    models = list(pd.unique(metrics["model"].astype(str)))
    out = table.reindex(models)[["coverage", "width", "n"]].astype(float)
    cov = out["coverage"]
    out["met"] = (cov >= lo - 1e-12) & (cov <= hi + 1e-12)
    out["gap"] = cov - cov.clip(lo, hi)
    out.index.name = "model"
    out.attrs.update(level=float(level), lo=float(lo), hi=float(hi), segment=segment)
    return out


def interval_kind(frame: pd.DataFrame, levels=(0.8, 0.95), tol: float = 1e-6) -> str:
    """How a model's predictions describe their uncertainty.

    Returns
    -------
    str
        ``"normal"`` (a finite sd, every interval given is pred ± z·sd), ``"conformal"`` (a finite sd whose
        normal intervals are not those given: a conformal wrapper's base sd) or ``"intervals only"`` (no sd).
    """
    sd = frame["sd"].to_numpy(dtype=float) if "sd" in frame.columns else np.array([np.nan])
    if not (np.isfinite(sd).all() and (sd > 0).all()):
        return "intervals only"
    pred = frame["pred"].to_numpy(dtype=float)
    for level in (v for v in levels if f"lower{level_tag(v)}" in frame.columns):
        half = stats.norm.ppf(0.5 + level / 2) * sd
        for side, sign in (("lower", -1), ("upper", 1)):
            if not np.allclose(frame[f"{side}{level_tag(level)}"].to_numpy(dtype=float), pred + sign * half, atol=tol,
                               rtol=0):
                return "conformal"
    return "normal"


def calibration(sales: pd.DataFrame, split: Split, predictions, models=None, bins: int = 10,
                levels=NOMINAL_LEVELS):
    """PIT histograms and coverage curves of the normal predictive N(pred, sd²) of every model with an sd.

    Returns
    -------
    pits : DataFrame
        ``model, kind, low, high, count, share, expected``
        (:func:`~artstudy.evaluation.calibration.pit_histogram`; ``kind`` from :func:`interval_kind`).
    curves : DataFrame
        ``model, kind, level, coverage, n``: the share of sales inside the central normal interval at
        each of ``levels`` (the reported intervals' coverage is in the metrics, :func:`coverage_table`).
    """
    cols = _aligned(sales, split, predictions)
    y = log_price(sales)[split.scored]
    pits, curves = [], []
    for m in (list(cols) if models is None else [m for m in models if m in cols]):
        frame, kind = cols[m], interval_kind(cols[m])
        if kind != "intervals only":
            pits.append(pit_histogram(pit(y, frame["pred"], frame["sd"]), bins).assign(model=m, kind=kind))
            curves.append(coverage_curve(y, frame["pred"], frame["sd"], levels).assign(model=m, kind=kind))
    pit_columns = ["model", "kind", "low", "high", "count", "share", "expected"]
    curve_columns = ["model", "kind", "level", "coverage", "n"]
    return (pd.concat(pits, ignore_index=True)[pit_columns] if pits else pd.DataFrame(columns=pit_columns),
            pd.concat(curves, ignore_index=True)[curve_columns] if curves else pd.DataFrame(columns=curve_columns))


# -- worked examples ----------------------------------------------------------------------------
def _log_positive(sales: pd.DataFrame, column: str) -> np.ndarray:
    v = pd.to_numeric(sales[column], errors="coerce") if column in sales.columns else pd.Series(np.nan, sales.index)
    return log_price(pd.DataFrame({"price": v}))


def worked_examples(sales: pd.DataFrame, split: Split, predictions, models=None,
                    segments=("repeat", "fresh", "unseen_artist"), seed: int = 0) -> pd.DataFrame:
    """Single scored lots to show every model's predictive distribution for: one per segment.

    A repeat and a fresh lot are drawn among the lots of seen artists, an unseen-artist lot among the
    rest, by ``numpy.random.default_rng(seed)`` from the lots sorted by lot id (whatever the row order);
    a segment the table lacks or without a lot left is skipped; with none found, one lot of a seen artist.

    Returns
    -------
    DataFrame
        One row per (example, model): ``example, segment, lot_id, artist, history, log_price,
        log_low_estimate, log_high_estimate`` (NaN without estimates), then the model's ``model,
        kind, pred, sd`` and interval columns.
    """
    cols = _aligned(sales, split, predictions)
    models = list(cols) if models is None else [m for m in models if m in cols]
    masks = segment_masks(sales, split).reset_index(drop=True)
    unseen = masks["unseen_artist"].to_numpy(dtype=bool)
    ids = lot_ids(sales)[split.scored].astype(str)
    rng = np.random.default_rng(seed)
    taken = np.zeros(len(ids), dtype=bool)
    picks = []
    for seg in [s for s in segments if s in masks.columns] + ["all"]:  # all: only when nothing else was found
        ok = masks[seg].to_numpy(dtype=bool) & ~taken & (unseen if seg == "unseen_artist" else ~unseen)
        positions = np.flatnonzero(ok & (seg != "all" or not picks))
        if positions.size:
            at = positions[np.argsort(ids[positions], kind="stable")][rng.integers(positions.size)]
            taken[at] = True
            picks.append((seg, at))
    scored = sales.loc[split.scored].reset_index(drop=True)
    history = history_lengths(sales, split).to_numpy()
    low, high = _log_positive(scored, "low_estimate"), _log_positive(scored, "high_estimate")
    y, kinds = log_price(sales)[split.scored], {m: interval_kind(cols[m]) for m in models}
    rows = []
    for k, (seg, at) in enumerate(picks):
        head = {"example": k, "segment": seg, "lot_id": ids[at], "artist": scored["artist"].iloc[at],
                "history": int(history[at]), "log_price": y[at], "log_low_estimate": low[at],
                "log_high_estimate": high[at]}
        rows += [{**head, "model": m, "kind": kinds[m],
                  **cols[m].drop(columns=["lot_id", "model"], errors="ignore").iloc[at].to_dict()} for m in models]
    return pd.DataFrame(rows)


# -- aims and conclusions -----------------------------------------------------------------------
def aims(metrics: pd.DataFrame, without: float = 0.65, with_estimates: float = 0.93,
         segments=("all", "unseen_artist"), exclude=("oracle",)) -> pd.DataFrame:
    """The New York R² aims: the best model without the presale estimates (R² >= ``without``) and with them
    (``<base>+estimates``, R² > ``with_estimates``) on each of ``segments`` present (the aim is on ``all``).

    Returns
    -------
    DataFrame
        Per (group, segment): ``group, segment, target, strict, model`` (the best there, ``exclude`` left
        out; missing without any), ``r2, ci_low, ci_high, met, gap`` (R² minus target).
    """
    table = _metric_values(metrics, "r2").reset_index()
    table = table[~table["model"].isin(exclude)]
    uses = table["model"].str.endswith(ESTIMATES_SUFFIX)
    rows = []
    for group, mask, target, strict in (("without estimates", ~uses, without, False),
                                        ("with estimates", uses, with_estimates, True)):
        for seg in (s for s in segments if s in set(table["segment"])):
            part = table[mask & (table["segment"] == seg)].dropna(subset=["value"])
            if part.empty:
                rows.append((group, seg, target, strict, None, np.nan, np.nan, np.nan, False, np.nan))
                continue
            best = part.loc[part["value"].idxmax()]
            v = float(best["value"])
            met = v > target if strict else v >= target
            rows.append((group, seg, target, strict, best["model"], v, float(best["ci_low"]), float(best["ci_high"]),
                         bool(met), v - target))
    return pd.DataFrame(rows, columns=["group", "segment", "target", "strict", "model", "r2", "ci_low", "ci_high",
                                       "met", "gap"])


def _gain_sentence(rows: pd.DataFrame, names: dict, level: str) -> str:
    r = rows.set_index("metric")
    g = r.loc["r2"]
    m, ref = names.get(g["model"], g["model"]), names.get(g["reference"], g["reference"])
    span = (f"R² {g['model_value']:.3f} against {g['reference_value']:.3f}: {g['value']:+.3f}, {level} interval "
            f"{g['ci_low']:+.3f} to {g['ci_high']:+.3f}")
    if "mae" in r.index:
        span += f"; MAE {r.loc['mae', 'value']:+.3f} log points"
    where = _words(g["group"]) if g["by"] == "segment" else f"lots whose artist had {g['group']} earlier sales"
    if g["ci_low"] > 0:
        verdict = f"the {m} improves on the {ref} by {g['value']:.3f} in R²"
    elif g["ci_high"] < 0:
        verdict = f"the {m} does not improve on the {ref}: it is worse by {-g['value']:.3f} in R²"
    else:
        verdict = f"the {m} does not improve clearly on the {ref}: the difference is indistinguishable from zero"
    return f"On {where.replace(' none ', ' no ')}, {verdict} ({span}; n = {int(g['n']):,})."


def _history_sentence(part: pd.DataFrame, names: dict, tol: float, min_n: int) -> str | None:
    r = part[(part["metric"] == "r2") & (part["n"] >= min_n)]
    if len(r) < 2:
        return None
    (first, last), d = (r.iloc[0], r.iloc[-1]), r["value"].iloc[-1] - r["value"].iloc[0]
    m, ref = names.get(first["model"], first["model"]), names.get(first["reference"], first["reference"])
    trend = f"changes by less than {tol:g}" if abs(d) <= tol else ("grows" if d > 0 else "shrinks")
    return (f"By the length of the artist's history (groups of at least {min_n} sales), the R² gain of the {m} "
            f"over the {ref} {trend}: {first['value']:+.3f} on lots whose artist had "
            f"{first['group'].replace('none', 'no')} earlier sales (n = {int(first['n']):,}), {last['value']:+.3f} "
            f"on those with {last['group']} (n = {int(last['n']):,}).")


def _coverage_sentence(aim: pd.DataFrame, names: dict) -> str:
    lv, lo, hi = (aim.attrs.get(k) for k in ("level", "lo", "hi"))
    has = aim[aim["coverage"].notna()]
    what = f"every model's {100 * lv:g}% interval covers {100 * lo:g}%-{100 * hi:g}% of {_words(aim.attrs['segment'])}"
    if has.empty:
        return f"No model gives {100 * lv:g}% intervals: the aim that {what} cannot be judged."
    missed = has[~has["met"]]
    if missed.empty:
        text = f"The aim that {what} is met by all {len(has)} models with such intervals."
    else:
        why = [f"{names.get(m, m)} ({100 * r['coverage']:.1f}%, {100 * abs(r['gap']):.1f} points "
               f"{'below' if r['gap'] < 0 else 'above'})" for m, r in missed.iterrows()]
        text = (f"The aim that {what} is missed: {len(has) - len(missed)} of {len(has)} models meet it; "
                f"missed by {'; '.join(why)}.")
    none = [names.get(m, m) for m in aim.index[aim["coverage"].isna()]]
    return text + (f" Without such intervals: {', '.join(none)}." if none else "")


def _aim_sentence(row, names: dict) -> str:
    where = _words(row["segment"])
    need = f"{'above' if row['strict'] else 'at least'} {row['target']:.2f}"
    if pd.isna(row["model"]):
        return f"No model {row['group']} was scored on {where}: the aim of an R² {need} cannot be judged."
    verdict = f"met, with {abs(row['gap']):.3f} to spare" if row["met"] else f"missed by {abs(row['gap']):.3f}"
    apart = "" if row["segment"] == "all" else " (reported apart; the aim is on all scored sales)"
    return (f"The best model {row['group']} on {where} is the {names.get(row['model'], row['model'])}: R² "
            f"{row['r2']:.3f} ({row['ci_low']:.3f} to {row['ci_high']:.3f}); the aim of an R² {need} is "
            f"{verdict}{apart}.")


def conclusions(gain: pd.DataFrame | None = None, coverage: pd.DataFrame | None = None,
                aims_table: pd.DataFrame | None = None, names: dict | None = None,
                segments=("repeat", "fresh"), tol: float = 0.01, min_n: int = 30) -> list[str]:
    """The report's conclusions as markdown sentences, their wording computed from the numbers.

    Parameters
    ----------
    gain : DataFrame, optional
        From :func:`sequence_gain`: per pair, a sentence per segment of ``segments`` (else on all sales):
        improves (R² interval above 0), worse (below 0) or not clearly; and one on the history groups of
        at least ``min_n`` sales: the gain on the longest against the shortest grows / shrinks by more
        than ``tol``, or not; and one per skipped pair.
    coverage : DataFrame, optional
        From :func:`coverage_aim`: met by every model, or which miss it and by how much.
    aims_table : DataFrame, optional
        From :func:`aims`: per row, met (with the margin) or missed (by how much).
    names : dict, optional
        Display names of the models.
    """
    names = names or {}
    out = []
    if gain is not None and not gain.empty:
        level = f"{100 * float(gain.attrs.get('ci_level', 0.95)):g}%"
        for (m, ref), part in gain.groupby(["model", "reference"], sort=False):
            segs = part.loc[part["by"] == "segment", "group"].tolist()
            for seg in [s for s in segments if s in segs] or ["all"]:
                rows = part[(part["by"] == "segment") & (part["group"] == seg)]
                if not rows.empty:
                    out.append(_gain_sentence(rows, names, level))
            line = _history_sentence(part[part["by"] == "history"], names, tol, min_n)
            if line:
                out.append(line)
    if gain is not None:
        out += [f"No {names.get(m, m)} against {names.get(r, r)}: one of them has no predictions here."
                for m, r in gain.attrs.get("skipped", [])]
    if coverage is not None:
        out.append(_coverage_sentence(coverage, names))
    if aims_table is not None:
        out += [_aim_sentence(row, names) for _, row in aims_table.iterrows()]
    return out

