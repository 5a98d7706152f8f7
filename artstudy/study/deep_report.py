"""The deep-valuation report's tables and sentences in print (notebook 03).

The numbers come from :mod:`artstudy.study.deep` (image gain, Grad-CAM summaries); this module
turns them into the report's conclusions (:func:`deep_conclusions`, each sentence computed from
the numbers and right whichever way they come out; :func:`criterion_holds`, the issue's pass/fail
criterion), lays the harness's tidy tables out for a reader (model by segment, with intervals),
names the segments and quantities, and writes the introduction and the limits of the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..evaluation.segments import segment_masks
from ..evaluation.split import Split
from ..errors import InputError
from .deep import _words

__all__ = ["deep_conclusions", "criterion_holds", "metric_print_table", "gain_print_table", "scored_counts",
           "sample_mix", "timing_table", "top_artist_labels", "introduction", "data_limits", "REPORT_METRICS", "REPORT_SEGMENTS", "GAIN_LABELS", "PAPER"]

#: The report's metrics of the harness's tidy table, and their names in print.
REPORT_METRICS = {"r2": "R²", "mae": "MAE", "medae": "median abs. error", "within25": "within 25%",
                  "within50": "within 50%"}
#: Segments in print, in the report's order.
REPORT_SEGMENTS = {"all": "all", "repeat": "repeat", "fresh": "fresh to market", "unseen_artist": "unseen artists"}
#: Quantities of :func:`image_gain` in print (segment names filled in).
GAIN_LABELS = {"gain_{a}": "gain on {a}", "gain_{b}": "gain on {b}",
               "gain_{a}_minus_{b}": "gain on {a} minus gain on {b}",
               "oracle_gain_{a}": "oracle's gain on {a}", "oracle_share_{a}": "share of the oracle's gain on {a}"}
#: The reproduced paper.
PAPER = ("Mei, Moses, Waelty and Yang, *Deep Learning for Art Market Valuation*, "
         "[arXiv:2512.23078](https://arxiv.org/abs/2512.23078) (2025)")


def _cell(value, low, high, digits: int) -> str:
    if not np.isfinite(value):
        return "–"
    if np.isfinite(low) and np.isfinite(high):
        return f"{value:.{digits}f} ({low:.{digits}f} to {high:.{digits}f})"
    return f"{value:.{digits}f}"


def metric_print_table(metrics: pd.DataFrame, models=None, names: dict | None = None, metric_names=None,
                       digits: int = 3) -> pd.DataFrame:
    """The harness's tidy metrics as one table for print: rows model x segment, one column per metric.

    Parameters
    ----------
    metrics : DataFrame
        Columns ``model, segment, metric, value, ci_low, ci_high``
        (:data:`artstudy.evaluation.metrics.METRIC_COLUMNS`).
    models : sequence of str, optional
        The models shown, in this order (default: all, in the table's order); absent ones are skipped.
    names : dict, optional
        Display names of the models (:data:`artstudy.models.registry.DISPLAY_NAMES`).
    metric_names : dict, optional
        Metric to column header, in the columns' order (default :data:`REPORT_METRICS`); metrics
        the table lacks are left out.
    digits : int

    Returns
    -------
    DataFrame
        Index (model, segment) with display names, segments in :data:`REPORT_SEGMENTS`' order;
        each cell ``"value (ci_low to ci_high)"`` (just the value when it has no interval, "–" when
        missing); a column ``n`` of scored sales when the table has the ``n`` metric.
    """
    names = names or {}
    metric_names = dict(REPORT_METRICS if metric_names is None else metric_names)
    present = list(pd.unique(metrics["model"].astype(str)))
    models = present if models is None else [m for m in models if m in present]
    shown = [m for m in metric_names if m in set(metrics["metric"])]
    seg_present = list(pd.unique(metrics["segment"].astype(str)))
    segments = [s for s in REPORT_SEGMENTS if s in seg_present] + [s for s in seg_present if s not in REPORT_SEGMENTS]
    keyed = metrics.assign(model=metrics["model"].astype(str), segment=metrics["segment"].astype(str)) \
        .set_index(["model", "segment", "metric"])
    rows, index = [], []
    for m in models:
        for s in segments:
            if not any((m, s, k) in keyed.index for k in shown):
                continue
            row = {}
            for k in shown:
                if (m, s, k) in keyed.index:
                    r = keyed.loc[(m, s, k)]
                    r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
                    row[metric_names[k]] = _cell(float(r["value"]), float(r["ci_low"]), float(r["ci_high"]), digits)
                else:
                    row[metric_names[k]] = "–"
            if (m, s, "n") in keyed.index:
                r = keyed.loc[(m, s, "n")]
                r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
                row["n"] = f"{int(r['value']):,}"
            rows.append(row)
            index.append((names.get(m, m), REPORT_SEGMENTS.get(s, s)))
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=["model", "segment"]) if index
                        else pd.MultiIndex.from_tuples([], names=["model", "segment"]))


def gain_print_table(gain_table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """:func:`image_gain`'s table for print: quantities in words, value and interval.

    Returns
    -------
    DataFrame
        Indexed by the quantity in words (:data:`GAIN_LABELS`, segments named as in
        :data:`REPORT_SEGMENTS`), columns ``value``, ``interval`` (``"low to high"``): R² differences
        signed with ``digits`` decimals, the oracle share in whole percent.
    """
    a, b = _segments(gain_table, None)
    words = {k.format(a=a, b=b): v.format(a=REPORT_SEGMENTS.get(a, a), b=REPORT_SEGMENTS.get(b, b))
             for k, v in GAIN_LABELS.items()}
    values, intervals = [], []
    for q, v, lo, hi in zip(gain_table["quantity"], gain_table["value"], gain_table["ci_low"], gain_table["ci_high"]):
        share = str(q).startswith("oracle_share")
        fmt = (lambda x: f"{100 * x:.0f}%") if share else (lambda x: f"{x:+.{digits}f}")
        values.append(fmt(v) if np.isfinite(v) else "–")
        intervals.append(f"{fmt(lo)} to {fmt(hi)}" if np.isfinite(lo) and np.isfinite(hi) else "–")
    out = pd.DataFrame({"value": values, "interval": intervals},
                       index=[words.get(q, q) for q in gain_table["quantity"]])
    out.index.name = "quantity"
    return out


def scored_counts(sales: pd.DataFrame, split: Split) -> dict:
    """Number of scored test sales per segment (:func:`artstudy.evaluation.segments.segment_masks`), as ints."""
    masks = segment_masks(sales, split)
    return {str(s): int(masks[s].sum()) for s in masks.columns}


def sample_mix(sales: pd.DataFrame, split: Split, column: str = "material", top: int = 8) -> pd.DataFrame:
    """What the scored test sales and the in-sample training sales are made of: counts and shares by ``column``.

    Rows are the ``top`` most common values over both parts (the rest summed as ``other values``;
    a missing value is ``not given``); columns ``training, training share, test, test share``.
    """
    if column not in sales.columns:
        raise InputError(f"sample_mix: the sales table has no column {column!r}")
    values = sales[column].astype("string").fillna("not given")
    parts = {"training": split.train & split.fitted, "test": split.scored}
    counts = pd.DataFrame({name: values[mask].value_counts() for name, mask in parts.items()}).fillna(0).astype(int)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    if len(counts) > top:
        counts = pd.concat([counts.iloc[:top], counts.iloc[top:].sum().to_frame("other values").T])
    out = pd.DataFrame(index=counts.index)
    for name in parts:
        out[name] = counts[name]
        total = counts[name].sum()
        out[f"{name} share"] = (counts[name] / total).round(3) if total else 0.0
    out.index.name = column
    return out


def timing_table(summaries: dict, names: dict | None = None) -> pd.DataFrame:
    """The deep models' training facts (their ``summary.json``) as one table, one row per model.

    Parameters
    ----------
    summaries : dict of model name to dict
        Each model's summary (keys ``backend, epochs_run, best_epoch, seconds, samples_per_second``
        and, for a model that trained an image encoder, ``encoder_epochs_run`` and
        ``encoder_samples_per_second``); missing keys show as "–".
    names : dict, optional
        Display names.

    Returns
    -------
    DataFrame
        Index model (display name); columns backend, epochs run, best epoch, seconds, samples per
        second, encoder epochs, encoder samples per second (the last two only when some model has them).
    """
    names = names or {}

    def fmt(value, digits=None):
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            return "–"
        if digits is None:
            return str(value)
        return f"{float(value):,.{digits}f}"

    rows = {}
    encoder = any("encoder_epochs_run" in s for s in summaries.values())
    for m, s in summaries.items():
        row = {"backend": fmt(s.get("backend")), "epochs run": fmt(s.get("epochs_run")),
               "best epoch": fmt(s.get("best_epoch")), "seconds": fmt(s.get("seconds"), 1),
               "samples per second": fmt(s.get("samples_per_second"), 0)}
        if encoder:
            row["encoder epochs"] = fmt(s.get("encoder_epochs_run"))
            row["encoder samples per second"] = fmt(s.get("encoder_samples_per_second"), 0)
        rows[names.get(m, m)] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "model"
    return out


def top_artist_labels(artists, k: int = 10, other: str = "other") -> pd.Series:
    """Each work's artist when among the ``k`` artists with most works, else ``other`` (for colouring a map).

    Ties in the count are broken by the artist's name. Returns a Series aligned with ``artists``
    (categorical: the top artists by count, then ``other``).
    """
    artists = pd.Series(artists).astype(str)
    counts = artists.value_counts()
    order = sorted(counts.index, key=lambda a: (-counts[a], a))[: max(int(k), 0)]
    labels = artists.where(artists.isin(order), other)
    categories = order + ([other] if (labels == other).any() else [])
    return pd.Series(pd.Categorical(labels, categories=categories), index=artists.index, name="artist")


def introduction(source: str, has_truth: bool) -> str:
    """The report's opening paragraph (markdown): the paper, what is reproduced, the secondary numbers."""
    data = ("a synthetic market whose prices and pictures were generated with known values" if has_truth
            else f"the sales of the source `{source}`")
    return (f"This report reproduces the question of {PAPER} on {data}: does a model that sees the picture "
            "of a work value it better than a model of the tabular facts alone (artist, size, medium, dates), "
            "and is the gain largest for **fresh-to-market** sales (a work's first sale, with no earlier price "
            "to go on) rather than **repeat** sales? Three deep models are compared with the tabular baselines "
            "on the same temporal split: a tabular MLP, an image CNN and a multi-modal model (picture "
            "embedding plus tabular facts).\n\n"
            "Secondary sources quote the paper's results as an R² of about 0.77-0.79 on repeat sales and, on "
            "fresh-to-market sales, 0.54-0.59 for tabular models against 0.61-0.65 for multi-modal ones. These "
            "figures are **unverified** here (they are not taken from the paper's text) and are quoted only as "
            "an orientation; the data below are not the paper's.")


def data_limits(sizes: dict, has_truth: bool, *, small: int = 100) -> list[str]:
    """What the data can and cannot show, as sentences (markdown), from the scored test sales per segment.

    Parameters
    ----------
    sizes : dict of segment to count
        Scored test sales per segment (:func:`scored_counts`).
    has_truth : bool
        Whether the data are synthetic with a known truth (an oracle and a known quality region).
    small : int
        Below this many sales a segment's intervals are called wide.
    """
    listed = ", ".join(f"{REPORT_SEGMENTS.get(s, s)} {n:,}" for s, n in sizes.items())
    out = [f"**Scored test sales per segment:** {listed}."]
    empty = [s for s, n in sizes.items() if n == 0]
    if empty:
        out.append("**Empty segments.** No scored test sale is among "
                   + ", ".join(REPORT_SEGMENTS.get(s, s) for s in empty) + ": nothing can be said about them.")
    thin = [s for s, n in sizes.items() if 0 < n < small]
    if thin:
        out.append("**Small segments.** " + ", ".join(f"{REPORT_SEGMENTS.get(s, s)} ({sizes[s]:,} sales)"
                                                      for s in thin)
                   + f": fewer than {small} scored sales, so their R² and its bootstrap interval rest on few "
                     "sales; the intervals are wide and a gain there, or a difference between segments, may not "
                     "be distinguishable from none.")
    if not has_truth:
        out.append("**No oracle.** The true value of a work is unknown, so the share of the attainable gain that "
                   "the image model captures cannot be computed; the gains are only relative to the tabular MLP.")
        out.append("**No known region.** Nothing says where in a real picture its value shows, so the Grad-CAM "
                   "maps can be looked at but not scored against a true region; they show where the model looks, "
                   "not whether it looks at the right place.")
    return out


# -- conclusions --------------------------------------------------------------------------------
def _row(gain_table: pd.DataFrame, quantity: str):
    """``(value, ci_low, ci_high)`` of a quantity, or None when the table has no such row."""
    hit = gain_table[gain_table["quantity"] == quantity]
    if hit.empty:
        return None
    r = hit.iloc[0]
    return float(r["value"]), float(r["ci_low"]), float(r["ci_high"])


def _segments(gain_table: pd.DataFrame, segments):
    if segments is not None:
        return tuple(segments)
    return tuple(gain_table.attrs.get("segments", ("fresh", "repeat")))


def _require(gain_table: pd.DataFrame, quantity: str, caller: str):
    row = _row(gain_table, quantity)
    if row is None:
        raise InputError(f"{caller}: the gain table has no row {quantity!r} (rows: "
                         f"{', '.join(map(str, gain_table['quantity']))})")
    return row


def _level(gain_table) -> str:
    return f"{100 * float(gain_table.attrs.get('ci_level', 0.95)):g}%"


def deep_conclusions(gain_table: pd.DataFrame, *, min_gain: float = 0.02, min_oracle_share: float = 0.5,
                     gradcam: dict | None = None, segments=None) -> list[str]:
    """The report's conclusions, as sentences computed from the gain table (and the Grad-CAM summary).

    Parameters
    ----------
    gain_table : DataFrame
        From :func:`image_gain` (quantity, value, ci_low, ci_high; its ``attrs`` name the models,
        segments and interval level, else "the image model", "the reference", fresh/repeat, 95%).
    min_gain : float
        The R² gain on the first segment that counts as worth having.
    min_oracle_share : float
        The share of the oracle's gain the model should capture.
    gradcam : dict, optional
        From :func:`gradcam_region_summary`.
    segments : pair of str, optional
        Default: the table's ``attrs["segments"]``, else ``("fresh", "repeat")``.

    Returns
    -------
    list of str
        1. the gain on the first segment, judged by its interval: clearly above ``min_gain``
           (ci_low > min_gain); positive but not clearly above ``min_gain`` (0 < ci_low <= min_gain);
           indistinguishable from zero (the interval holds 0); negative (ci_high < 0);
        2. the contrast, judged by its interval: larger on the first segment (ci_low > 0), smaller
           (ci_high < 0), or not distinguishable;
        3. (when the table has the oracle's rows) the oracle share against ``min_oracle_share``: at
           least (ci_low >= min), below (ci_high < min), or not distinguishable from it; when the
           oracle itself gains nothing (oracle gain <= 0) the share is said to be meaningless;
        4. (when ``gradcam`` is given) the mean region share against chance: more than chance
           (ci_low > chance), less (ci_high < chance), or not distinguishable.

    Raises
    ------
    InputError
        The table lacks the gain or contrast rows.
    """
    a, b = _segments(gain_table, segments)
    name = gain_table.attrs.get("model") or "the image model"
    ref = gain_table.attrs.get("reference") or "the reference"
    level = _level(gain_table)
    out = [_gain_sentence(gain_table, a, name, ref, level, min_gain), _contrast_sentence(gain_table, a, b, level)]
    oracle_gain, share = _row(gain_table, f"oracle_gain_{a}"), _row(gain_table, f"oracle_share_{a}")
    if oracle_gain is not None and share is not None:
        out.append(_oracle_sentence(gain_table, a, name, ref, level, oracle_gain, share, min_oracle_share))
    if gradcam is not None:
        out.append(_gradcam_sentence(gradcam, level))
    return out


def _gain_sentence(gain_table, a, name, ref, level, min_gain) -> str:
    v, lo, hi = _require(gain_table, f"gain_{a}", "deep_conclusions")
    span = f"R² gain {v:+.3f}, {level} interval {lo:+.3f} to {hi:+.3f}"
    if lo > min_gain:
        verdict = f"clearly positive and above the {min_gain:g} that counts as worth having"
    elif lo > 0:
        verdict = (f"positive, but not clearly above the {min_gain:g} that counts as worth having "
                   f"(the interval reaches below it)")
    elif hi < 0:
        verdict = "negative: the images make the valuation worse"
    else:
        verdict = "indistinguishable from zero (the interval includes no gain)"
    more = "more" if v >= 0 else "less"
    return (f"On {_words(a)}, {name} explains {abs(v):.3f} {more} of the variance of the log price than {ref} "
            f"({span}): {verdict}.")


def _contrast_sentence(gain_table, a, b, level) -> str:
    v = _require(gain_table, f"gain_{a}", "deep_conclusions")[0]
    vb = _require(gain_table, f"gain_{b}", "deep_conclusions")[0]
    c, clo, chi = _require(gain_table, f"gain_{a}_minus_{b}", "deep_conclusions")
    span = f"difference {c:+.3f}, {level} interval {clo:+.3f} to {chi:+.3f}"
    if clo > 0:
        verdict = f"larger on {_words(a)} than on {_words(b)}"
    elif chi < 0:
        verdict = f"smaller on {_words(a)} than on {_words(b)}"
    else:
        verdict = f"not distinguishable between {_words(a)} and {_words(b)}"
    return f"The gain is {v:+.3f} on {_words(a)} and {vb:+.3f} on {_words(b)} ({span}): {verdict}."


def _oracle_sentence(gain_table, a, name, ref, level, oracle_gain, share, min_oracle_share) -> str:
    oracle = gain_table.attrs.get("oracle")
    oracle = f"the oracle ({oracle})" if oracle else "the oracle"
    og, olo, ohi = oracle_gain
    s, slo, shi = share
    head = f"Against {ref} on {_words(a)}, {oracle} gains {og:+.3f} ({level} interval {olo:+.3f} to {ohi:+.3f})"
    if not og > 0:
        return f"{head}: with nothing to gain, the share of it that {name} captures means nothing."
    span = f"{100 * s:.0f}% of it ({level} interval {100 * slo:.0f}% to {100 * shi:.0f}%)"
    if slo >= min_oracle_share:
        verdict = f"at least the {100 * min_oracle_share:.0f}% asked for"
    elif shi < min_oracle_share:
        verdict = f"below the {100 * min_oracle_share:.0f}% asked for"
    else:
        verdict = f"not distinguishable from the {100 * min_oracle_share:.0f}% asked for"
    return f"{head}; {name} captures {span}: {verdict}."


def _gradcam_sentence(gradcam, level) -> str:
    m, glo, ghi, chance = (float(gradcam[k]) for k in ("mean_share", "ci_low", "ci_high", "chance_share"))
    span = (f"{100 * m:.1f}% of the Grad-CAM mass on average ({level} interval {100 * glo:.1f}% to "
            f"{100 * ghi:.1f}%) against {100 * chance:.1f}% by chance (its area), {m / chance:.2f} times chance")
    if glo > chance:
        verdict = "the model looks at the region more than chance"
    elif ghi < chance:
        verdict = "the model looks at the region less than chance"
    else:
        verdict = "not distinguishable from chance"
    excluded = int(gradcam.get("n_excluded", 0))
    note = f"; {excluded} maps without mass left out" if excluded else ""
    return f"The region holds {span}, over {int(gradcam['n_maps']):,} works{note}: {verdict}."


def criterion_holds(gain_table: pd.DataFrame, min_gain: float = 0.02, min_oracle_share: float = 0.5,
                    segments=None) -> bool:
    """The issue's criterion, on point values.

    Holds when the gain on the first segment (fresh) exceeds ``min_gain``, exceeds the gain on
    the second (repeat), and, when the table has the oracle's share, that share is at least
    ``min_oracle_share``. A NaN value fails it.

    Parameters
    ----------
    gain_table : DataFrame
        From :func:`image_gain`.
    min_gain, min_oracle_share : float
    segments : pair of str, optional
        Default: the table's ``attrs["segments"]``, else ``("fresh", "repeat")``.

    Returns
    -------
    bool
    """
    a, b = _segments(gain_table, segments)
    ga = _require(gain_table, f"gain_{a}", "criterion_holds")[0]
    gb = _require(gain_table, f"gain_{b}", "criterion_holds")[0]
    holds = bool(ga > min_gain and ga > gb)
    share = _row(gain_table, f"oracle_share_{a}")
    if share is not None:
        holds = holds and bool(share[0] >= min_oracle_share)
    return holds
