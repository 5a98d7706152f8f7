"""Why a forecast aim is missed: the sentences notebook 04 gives after the verdicts of :func:`sequences_report.aims`.

Two reasons are computed, each only for an aim on all scored sales that is missed:

- **without the estimates**: how the best model does on the sales of artists it has seen in
  training and on those of unseen artists, and the unseen artists' share of the sales, so the
  reader sees whether the artists without a history or the others keep the R² below the aim;
- **with the estimates**: how much the best model adds over the house's estimate alone
  (``house_estimate+estimates``, the estimate calibrated by least squares), and its typical miss:
  when the gain is small, the estimate already holds what the history and the work's facts tell,
  and what is left is each sale's own departure from its estimate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..evaluation.metrics import r2
from ..evaluation.segments import segment_masks
from ..evaluation.split import Split
from ..models.base import log_price
from .sequences_report import _aligned

__all__ = ["ESTIMATE_ALONE", "seen_unseen_r2", "aim_reasons"]

#: The house's estimate alone, calibrated (the reference of the reason "with the estimates").
ESTIMATE_ALONE = "house_estimate+estimates"


def seen_unseen_r2(sales: pd.DataFrame, split: Split, predictions, model: str) -> dict:
    """R² of ``model`` on the scored sales of artists seen in training and of unseen ones, and their counts.

    Returns
    -------
    dict
        ``seen``, ``unseen`` (R², NaN with fewer than two sales), ``n_seen``, ``n_unseen``.
    """
    frame = _aligned(sales, split, predictions)[model]
    y = log_price(sales)[split.scored]
    pred = frame["pred"].to_numpy(dtype=float)
    unseen = segment_masks(sales, split)["unseen_artist"].to_numpy()
    out = {}
    for key, mask in (("seen", ~unseen), ("unseen", unseen)):
        out[key] = float(r2(y[mask], pred[mask])) if mask.sum() >= 2 else float("nan")
        out[f"n_{key}"] = int(mask.sum())
    return out


def _value(metrics: pd.DataFrame, model: str, metric: str, segment: str = "all") -> float:
    row = metrics[(metrics["model"] == model) & (metrics["metric"] == metric) & (metrics["segment"] == segment)]
    return float(row["value"].iloc[0]) if len(row) else float("nan")


def _without_reason(row, sales, split, predictions, names) -> str:
    part = seen_unseen_r2(sales, split, predictions, row["model"])
    name = names.get(row["model"], row["model"])
    n = part["n_seen"] + part["n_unseen"]
    share = part["n_unseen"] / n if n else float("nan")
    text = (f"Why the aim without estimates is missed: the {name} reaches R² {part['seen']:.3f} on the "
            f"{part['n_seen']:,} sales of artists seen in training and {part['unseen']:.3f} on the "
            f"{part['n_unseen']:,} of unseen artists ({share:.1%} of the sales). ")
    if part["seen"] >= row["target"]:
        return text + ("On the artists with a history it meets the aim: the artists the market has not priced "
                       "before pull the whole below it.")
    return text + (f"Even on the artists with a history it stays {row['target'] - part['seen']:.3f} below the "
                   "aim: the hedonic facts and the artist's past prices leave that much of the variation of "
                   "single sales unexplained.")


def _with_reason(row, metrics, names) -> str | None:
    alone = _value(metrics, ESTIMATE_ALONE, "r2")
    if not np.isfinite(alone):
        return None
    name = names.get(row["model"], row["model"])
    mae = _value(metrics, row["model"], "mae")
    gain = row["r2"] - alone
    text = (f"Why the aim with estimates is missed: the house's estimate alone (calibrated) reaches R² {alone:.3f}, "
            f"and the {name} adds {gain:+.3f} to it. ")
    if gain < 0.01:
        text += ("The estimate already holds nearly all that the artist's history and the work's facts tell; "
                 "what is left is each sale's own departure from its estimate")
    else:
        text += "The history and the work's facts add to the estimate, but not enough"
    return text + (f" (a typical miss of {mae:.2f} log points, about {np.expm1(mae):.0%} of the price)."
                   if np.isfinite(mae) else ".")


def aim_reasons(aims_table: pd.DataFrame, metrics: pd.DataFrame, sales: pd.DataFrame, split: Split, predictions,
                names: dict | None = None) -> list[str]:
    """A sentence on why each missed aim on all scored sales is missed (none for an aim met or not judged).

    Parameters
    ----------
    aims_table : DataFrame
        :func:`artstudy.study.sequences_report.aims`.
    metrics : DataFrame
        The harness's metrics table.
    sales, split, predictions
        The sales table, its split and the models' predictions tables (for the seen / unseen R²).
    names : dict, optional
        Display names of the models.
    """
    names = names or {}
    out = []
    for _, row in aims_table.iterrows():
        if row["segment"] != "all" or bool(row["met"]) or pd.isna(row["model"]):
            continue
        if row["group"] == "without estimates":
            out.append(_without_reason(row, sales, split, predictions, names))
        else:
            line = _with_reason(row, metrics, names)
            if line:
                out.append(line)
    return out
