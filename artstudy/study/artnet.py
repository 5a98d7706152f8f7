"""Tables and sentences of the real-data (Artnet-style) analysis: the seed paper's Section 4 for any source.

Every function takes tables the workflow wrote (a fit's coefficients and abilities, the data
funnels, the harness's metrics), so a notebook only loads files and calls these. The paper's
numbers come from :mod:`artstudy.models.pam.paper`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.funnel import Funnel
from ..models.pam import paper

__all__ = ["coefficient_table", "funnel_table", "top_artists_table", "ability_truth_table", "forecast_table",
           "gamma_verdict", "popularity_note", "findings"]


def coefficient_table(coefficients: pd.DataFrame, truth: pd.Series | None = None, reference=None) -> pd.DataFrame:
    """Estimates and both standard errors by term, a z-value, the paper's Table 2 value and, when given, the truth.

    ``coefficients`` has the columns term, estimate, std_error, std_error_marginal (as a fit writes them).
    """
    table = coefficients.set_index("term").copy()
    table["z_marginal"] = table["estimate"] / table["std_error_marginal"]
    table["paper_table2"] = pd.Series(paper.TABLE2 if reference is None else reference, dtype=float).reindex(table.index)
    if truth is not None:
        table["truth"] = truth.reindex(table.index)
    return table


def funnel_table(prepare_funnel: pd.DataFrame, model_funnel: pd.DataFrame) -> pd.DataFrame:
    """One funnel from the raw export to the model's sample: the data layer's rules, then the model's.

    Both tables have the columns of :data:`artstudy.data.funnel.FUNNEL_COLUMNS`; the model funnel's first
    row (the sales it read) repeats the prepared table's last row and is dropped.
    """
    return Funnel.chain(prepare_funnel, model_funnel)


def top_artists_table(top: pd.DataFrame, overall: pd.Series, window_width: int) -> pd.DataFrame:
    """The paper's Table 3: rank x work window, plus ``overall`` by the mean ability of Eq. 15.

    ``top`` has columns window_start, rank, artist, mean (a fit's ``top_artists(k)``); ``overall`` is the mean
    ability per artist, sorted descending, cut to the same k (a fit's ``mean_ability().head(k)``). Cells read
    "name (value)".
    """
    cells = top.assign(cell=top["artist"] + " (" + top["mean"].map("{:.2f}".format) + ")")
    table = cells.pivot(index="rank", columns="window_start", values="cell")
    table.columns = [f"{c}-{c + window_width - 1}" for c in table.columns]
    table["overall"] = pd.Series([f"{n} ({v:.2f})" for n, v in overall.items()], index=np.arange(1, len(overall) + 1))
    return table


def ability_truth_table(ability: pd.DataFrame, truth_ability: pd.DataFrame) -> pd.DataFrame:
    """Estimated against true ability per artist and work window (truth columns artist, window_start, value).

    Artists are matched on their names compared without case and extra spaces, as exports spell them.
    """
    def key(names):
        return names.astype(str).str.casefold().str.split().str.join(" ")

    est = ability.assign(_key=key(ability["artist"]))
    truth = truth_ability.assign(_key=key(truth_ability["artist"]))[["_key", "window_start", "value"]]
    est = est.merge(truth, on=["_key", "window_start"], how="inner").drop(columns="_key")
    return est.rename(columns={"value": "truth"})


def forecast_table(metrics: pd.DataFrame, metric: str = "r2", names: dict | None = None) -> pd.DataFrame:
    """One metric of the harness's tidy table as model x segment, each cell "value (low to high)"."""
    m = metrics[metrics["metric"] == metric].copy()
    m["cell"] = [f"{v:.3f} ({lo:.3f} to {hi:.3f})" if np.isfinite(lo) else f"{v:.3f}"
                 for v, lo, hi in zip(m["value"], m["ci_low"], m["ci_high"])]
    table = m.pivot(index="model", columns="segment", values="cell")
    order = [s for s in ("all", "repeat", "fresh", "unseen_artist") if s in table.columns]
    table = table[order + [c for c in table.columns if c not in order]]
    if names:
        table.index = [names.get(i, i) for i in table.index]
    return table


def gamma_verdict(estimate: float, std_error: float, z: float = 1.959963984540054) -> str:
    """What a 95% interval for gamma says: a rich-get-richer effect, none established, or the opposite sign."""
    lo, hi = estimate - z * std_error, estimate + z * std_error
    span = f"gamma = {estimate:.3f} (95% interval {lo:.3f} to {hi:.3f})"
    if lo > 0:
        return f"{span}: significantly positive, a rich-get-richer effect as in the paper (1.38)."
    if hi < 0:
        return (f"{span}: significantly negative, the opposite sign of the paper's 1.38: artists with a longer "
                "and dearer sales history sell for less than the hedonic covariates and their ability predict.")
    return f"{span}: the interval includes zero; no popularity effect is established here (the paper: 1.38)."


def popularity_note(kind: str = "sum", currency: str = "USD") -> str:
    """How to read gamma given the popularity used: the paper's sum depends on the price unit."""
    if kind == "relative":
        return ("Popularity here is unit-free (each log price relative to its sale year's market mean), so gamma "
                "does not depend on the currency or unit of the prices.")
    return (f"Popularity is the paper's sum of earlier log prices (prices in {currency}), so gamma depends on the "
            "price unit: the same market in thousands gives another gamma; `model.popularity.kind: relative` is "
            "the unit-free variant.")


def findings(coef: pd.DataFrame, metrics: pd.DataFrame, funnel: pd.DataFrame, names: dict | None = None,
             popularity_kind: str = "sum", currency: str = "USD") -> str:
    """The analysis's findings in words (markdown), computed from its tables.

    ``coef`` from :func:`coefficient_table`, ``metrics`` the harness's tidy table, ``funnel`` from
    :func:`funnel_table`; ``popularity_kind`` and ``currency`` say how gamma is to be read.
    """
    names = names or {}
    g = coef.loc["popularity"]
    mats = coef[coef.index.str.startswith("material[")]["estimate"].sort_values(ascending=False)
    sups = coef[coef.index.str.startswith("support[")]["estimate"].sort_values(ascending=False)
    lines = [
        f"- **Sample.** {int(funnel['lots'].iloc[0]):,} lots by {int(funnel['artists'].iloc[0]):,} artists in the "
        f"export; {int(funnel['lots'].iloc[-1]):,} sales by {int(funnel['artists'].iloc[-1]):,} artists after every "
        f"rule (the paper: {paper.FUNNEL['lots']:,} by {paper.FUNNEL['artists']} to "
        f"{paper.FUNNEL['lots_after_selection']:,} by {paper.FUNNEL['artists_after_selection']}).",
        f"- **Popularity.** {gamma_verdict(g['estimate'], g['std_error_marginal'])} The interval uses the marginal "
        f"standard error; the paper's would give ±{1.96 * g['std_error']:.3f}. "
        + popularity_note(popularity_kind, currency),
    ]
    if {"log_area", "signed", "inscribed"} <= set(coef.index):
        lines.append(
            f"- **Hedonics.** log area {coef.loc['log_area', 'estimate']:.3f} (paper 0.65), signed "
            f"{coef.loc['signed', 'estimate']:.3f} (0.04), inscribed {coef.loc['inscribed', 'estimate']:.3f} (0.09). "
            f"Materials from dearest: {', '.join(k[9:-1] for k in mats.index)} (against other); supports: "
            f"{', '.join(k[8:-1] for k in sups.index)} (against other).")
    r2 = metrics[(metrics["metric"] == "r2") & (metrics["segment"] == "all")].set_index("model")
    if len(r2):
        best = r2["value"].idxmax()
        others = ", ".join(f"{names.get(m, m)} {v:.3f}" for m, v in r2["value"].sort_values(ascending=False).items()
                           if m != best)
        lines.append(
            f"- **Forecasts of the test years.** Highest R² of log price: {names.get(best, best)} "
            f"({r2.loc[best, 'value']:.3f}, 95% interval {r2.loc[best, 'ci_low']:.3f} to {r2.loc[best, 'ci_high']:.3f}); "
            f"{others}.")
    return "\n".join(lines)
