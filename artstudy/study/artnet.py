"""Tables and sentences of the real-data (Artnet-style) analysis: the seed paper's Section 4 for any source.

Every function takes tables the workflow wrote (a fit's coefficients and abilities, the data
funnels, the harness's metrics), so a notebook only loads files and calls these. The paper's
numbers come from :mod:`artstudy.models.pam.paper`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scipy import stats

from ..data.funnel import Funnel
from ..data.mapping import describe_source
from ..models.pam import paper
from .tables import term_label

__all__ = ["coefficient_table", "funnel_table", "top_artists_table", "ability_truth_table", "forecast_table",
           "gamma_verdict", "popularity_note", "citation_markdown", "introduction", "source_notes", "traced_terms",
           "split_sentence", "censoring_facts", "censoring_sentence", "selection_facts", "selection_sentence",
           "ols_gamma_sentence", "band_coverage", "centred_truth", "band_sentence", "truth_sentence",
           "cannot_check_sentence", "findings", "SEGMENT_NAMES", "METRIC_NAMES"]

_Z = float(stats.norm.ppf(0.975))

#: Readable names of the harness's segments and metrics.
SEGMENT_NAMES = {"all": "all test sales", "repeat": "repeat sales", "fresh": "fresh to market",
                 "unseen_artist": "unseen artists"}
METRIC_NAMES = {"r2": "R² of log price", "mae": "mean absolute error of log price",
                "coverage80": "share inside 80% intervals", "coverage95": "share inside 95% intervals"}


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


def _sign(estimate: float, std_error: float, z: float = _Z) -> str:
    """"positive", "negative" or "not significant": where zero lies against the 95% interval."""
    lo, hi = estimate - z * std_error, estimate + z * std_error
    return "positive" if lo > 0 else "negative" if hi < 0 else "not significant"


def gamma_verdict(estimate: float, std_error: float, z: float = _Z, reference: str = "paper") -> str:
    """What a 95% interval for gamma says: significantly positive, not significant, or significantly negative.

    ``reference="paper"`` (real data) sets it against the paper's 1.38 in words about markets;
    ``reference="truth"`` (generated data) states only the sign, the comparison with the truth is elsewhere.
    """
    lo, hi = estimate - z * std_error, estimate + z * std_error
    span = f"gamma = {estimate:.3f} (95% interval {lo:.3f} to {hi:.3f})"
    sign = _sign(estimate, std_error, z)
    if reference == "truth":
        return {"positive": f"{span}: significantly positive.",
                "negative": f"{span}: significantly negative.",
                "not significant": f"{span}: the interval includes zero."}[sign]
    if sign == "positive":
        return f"{span}: significantly positive, a rich-get-richer effect as in the paper (1.38)."
    if sign == "negative":
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


# -- the report's framing ---------------------------------------------------------------------------

def citation_markdown() -> str:
    """The reproduced paper, named with title, journal, year and a DOI link."""
    return (f"*{paper.TITLE}*, {paper.JOURNAL} ({paper.YEAR}), "
            f"[doi:{paper.DOI}](https://doi.org/{paper.DOI})")


def introduction(source: str, has_truth: bool, description: str | None = None) -> str:
    """The report's opening paragraph: what the data are and what they are compared with."""
    cited = f"This report reproduces Section 4 of {citation_markdown()},"
    if has_truth:
        return (f"{cited} on **generated data**: a synthetic auction market drawn from the paper's own model "
                f"(source `{source}`) with known parameters, sized like the paper's Artnet data. Since the truth is "
                "known, the estimates are compared with **the truth**, not with the paper; nothing here is a "
                "finding about art markets, only about how well the method recovers what it was given.")
    about = f" ({description})" if description else ""
    return (f"{cited} on **real auction records**: source `{source}`{about}. The estimates are compared with "
            "the paper's Table 2, which was fitted on other data (Artnet, 1993-2022); the true values are "
            "unknown, so what differs may come from the market, the years covered or the selection of artists, "
            "and the section *What can differ from the paper* says which of these apply.")


def source_notes(mapping, name: str, currency, currencies) -> list[str]:
    """:func:`describe_source`'s sentences, the conversion sentence replaced when the data hold only the target
    currency (``currencies``: the currencies present in the sales table)."""
    notes = describe_source(mapping, name, currency)
    present = sorted({str(c) for c in currencies if isinstance(c, str)})
    target = currency.target if hasattr(currency, "target") else (currency or {}).get("target", "USD")
    if present == [target] or not present:
        notes = [f"All prices are in {target} as the export gives them; none is converted." if
                 n.startswith("Prices are converted") else n for n in notes]
    return notes


def traced_terms(columns, width: int = 5) -> list[str]:
    """The paper's Fig. 1 terms present in a trace: log area, signed, oil, a sale-year effect and gamma.

    The paper traces 2008's year effect; when the data have no 2008 effect, the middle year effect present."""
    columns = list(columns)
    years = [c for c in columns if c.startswith("year[")]
    year = "year[2008]" if "year[2008]" in years else (years[len(years) // 2] if years else None)
    fixed = [t for t in paper.TRACE_TERMS if t in columns and not t.startswith("year[") and t != "popularity"]
    return fixed + ([year] if year else []) + (["popularity"] if "popularity" in columns else [])


def split_sentence(split: dict) -> str:
    """The harness's temporal split (its ``split.json``) in words."""
    tr, te = split["train"], split["test"]
    return (f"Models learn from the sales of {tr['first_year']}-{tr['last_year']} ({tr['in_sample']:,} sales in the "
            f"analysis sample, {tr['rows']:,} lots in all) and value those of {te['first_year']}-{te['last_year']} "
            f"({te['in_sample']:,} in the sample, {te['rows']:,} in all).")


# -- what can differ from the paper -----------------------------------------------------------------

def censoring_facts(sales: pd.DataFrame, ability: pd.DataFrame) -> dict:
    """The export's first sale year, and how many fitted artists have a first work window starting before it
    (their sales before that year are missing from popularity)."""
    first_year = int(sales["sale_year"].min())
    starts = ability.groupby("artist")["window_start"].min()
    before = int((starts < first_year).sum())
    return {"first_sale_year": first_year, "n_artists": int(starts.size), "n_before": before,
            "share_before": before / starts.size if starts.size else float("nan")}


def censoring_sentence(facts: dict) -> str:
    """Popularity is left-censored at the export's first sale year: how many fitted artists it concerns."""
    y, n, k = facts["first_sale_year"], facts["n_artists"], facts["n_before"]
    if k == 0:
        return (f"The export's sales start in {y}, and no fitted artist has work from before {y}: popularity "
                "misses no earlier sales.")
    return (f"**Years of history.** The export's sales start in {y}. Popularity sums an artist's log prices in "
            f"earlier sale years, so it is left-censored at {y}: {k} of the {n} fitted artists "
            f"({100 * facts['share_before']:.0f}%) have a first work window starting before {y}, and whatever they "
            f"sold before then is missing from their popularity. The paper's Artnet data start in 1993; a gamma "
            "estimated on a shorter history need not equal the paper's.")


def selection_facts(model_funnel: pd.DataFrame) -> dict:
    """Lots and artists just before the paper's artist-selection rule and after it (a fit's funnel: the rule is
    the step naming "consecutive windows", followed by the works-within-span step)."""
    steps = model_funnel["step"].astype(str).tolist()
    rule = next((i for i, s in enumerate(steps) if "consecutive" in s), max(1, len(steps) - 2))
    before, after = model_funnel.iloc[rule - 1], model_funnel.iloc[-1]
    return {"lots_before": int(before["lots"]), "artists_before": int(before["artists"]),
            "lots_after": int(after["lots"]), "artists_after": int(after["artists"])}


def selection_sentence(facts: dict) -> str:
    """How many artists the selection rule keeps here and in the paper."""
    share = facts["artists_after"] / facts["artists_before"]
    p = paper.FUNNEL
    paper_share = p["artists_after_selection"] / p["artists"]
    return (f"**Artists kept.** The paper's rule (at least 3 works in each of at least 6 consecutive five-year work "
            f"windows) keeps {facts['artists_after']:,} of {facts['artists_before']:,} artists here "
            f"({100 * share:.0f}%; {facts['lots_after']:,} of {facts['lots_before']:,} sales) against "
            f"{p['artists_after_selection']} of {p['artists']} ({100 * paper_share:.0f}%) in the paper. "
            + ("The fitted artists are a much narrower group (long, productive careers) than the export's, so "
               "the estimates describe them, not the whole market." if share < 0.5 * paper_share else
               "The kept share is comparable to the paper's."))


def ols_gamma_sentence(ols: pd.DataFrame, coef: pd.DataFrame) -> str:
    """Gamma under plain least squares (popularity, no abilities, same design) against the full model.

    ``ols`` has columns term, estimate, std_error; ``coef`` is indexed by term with estimate and
    std_error_marginal."""
    o = ols.set_index("term").loc["popularity"]
    g = coef.loc["popularity"]
    s_ols, s_full = _sign(o["estimate"], o["std_error"]), _sign(g["estimate"], g["std_error_marginal"])
    words = {"positive": "significantly positive", "negative": "significantly negative",
             "not significant": "not significantly different from zero"}
    head = (f"**Least squares against the full model.** Plain least squares on the same design, without "
            f"abilities, gives gamma = {o['estimate']:.3f} (se {o['std_error']:.3f}), {words[s_ols]}; the full "
            f"model gives {g['estimate']:.3f} (marginal se {g['std_error_marginal']:.3f}), {words[s_full]}.")
    if s_ols == s_full:
        return head + " Both say the same about the sign; the abilities change its size."
    if "not significant" in (s_ols, s_full):
        return (head + " One of the two cannot tell the sign: the abilities, which absorb each artist's price level, "
                "take up much of what least squares credits to popularity.")
    return (head + " The signs differ. Without abilities, popularity (a sum of an artist's earlier log prices) also "
            "stands for how dear the artist is; once each artist's ability takes up that level, what is left of "
            "popularity points the other way. The paper's 1.38 is from the full model, so it is the full "
            "model's sign that disagrees with the paper here.")


# -- against the truth (generated data) ------------------------------------------------------------

def band_coverage(ability: pd.DataFrame, band: float = 2.0) -> dict:
    """How often the truth lies inside the ±``band`` sd bands: as estimated (raw) and after removing the common
    difference between estimates and truth (centred), which the data cannot tell from the intercept.

    ``ability`` has columns mean, sd, truth (as :func:`ability_truth_table` makes it)."""
    err = ability["mean"] - ability["truth"]
    shift = float(err.mean())
    return {"n": int(len(ability)), "band": band, "nominal": float(2 * stats.norm.cdf(band) - 1),
            "shift": shift, "raw": float(np.mean(np.abs(err) <= band * ability["sd"])),
            "centred": float(np.mean(np.abs(err - shift) <= band * ability["sd"])),
            "rmse": float(np.sqrt(np.mean(err**2))), "rmse_centred": float(np.sqrt(np.mean((err - shift) ** 2)))}


def centred_truth(ability: pd.DataFrame) -> pd.DataFrame:
    """``ability`` with ``truth_centred``: the truth moved by the common difference between estimates and truth,
    so that it is drawn on the estimates' level (the level itself is not identified)."""
    shift = float((ability["mean"] - ability["truth"]).mean())
    return ability.assign(truth_centred=ability["truth"] + shift)


def band_sentence(cov: dict) -> str:
    """The truth inside or outside the ability bands, raw and centred, against the bands' nominal rate."""
    def call(rate):
        from .simulation import wilson_interval

        lo, hi = wilson_interval(rate, cov["n"])
        return "as often as nominal" if lo <= cov["nominal"] <= hi else \
            ("less often than nominal" if hi < cov["nominal"] else "more often than nominal")
    return (f"**Abilities against the truth.** The true abilities lie inside the ±{cov['band']:g} sd bands in "
            f"{100 * cov['raw']:.0f}% of {cov['n']:,} artist-windows as estimated ({call(cov['raw'])}: the bands' "
            f"nominal rate is {100 * cov['nominal']:.1f}%). The level of all abilities together is not identified "
            f"(it trades off with the intercept): the estimates sit on average {cov['shift']:+.3f} from the truth. "
            f"Removing that common difference, {100 * cov['centred']:.0f}% lie inside ({call(cov['centred'])}); "
            f"RMSE {cov['rmse']:.3f} as estimated, {cov['rmse_centred']:.3f} centred.").replace("+-", "-")


def truth_sentence(coef: pd.DataFrame) -> str:
    """Coefficients against the truth: how many lie within 1.96 marginal standard errors, and gamma's distance."""
    both = coef.dropna(subset=["truth"])
    z = (both["estimate"] - both["truth"]) / both["std_error_marginal"]
    inside = int((z.abs() <= _Z).sum())
    g = both.loc["popularity"]
    zg = float(z["popularity"])
    lo, hi = g["estimate"] - _Z * g["std_error_marginal"], g["estimate"] + _Z * g["std_error_marginal"]
    out = [t for t in z.abs().sort_values(ascending=False).index if abs(z[t]) > _Z and t != "popularity"][:3]
    far = ("; also outside: " + ", ".join(f"{term_label(t)} ({z[t]:+.1f} se)" for t in out)) if out else ""
    return (f"**Coefficients against the truth.** {inside} of {len(both)} coefficients lie within 1.96 marginal "
            f"standard errors of the truth{far}. Gamma is {g['estimate']:.3f} (marginal se "
            f"{g['std_error_marginal']:.3f}) against the true {g['truth']:.2f}: {abs(zg):.1f} standard errors "
            f"{'above' if zg > 0 else 'below'}, "
            + (f"outside its 95% interval ({lo:.3f} to {hi:.3f}). One fit cannot tell chance from bias; the "
               "simulation study measures the estimator's bias over many markets drawn from the model."
               if abs(zg) > _Z else f"inside its 95% interval ({lo:.3f} to {hi:.3f})."))


def cannot_check_sentence() -> str:
    """What a real-data report cannot check."""
    return ("**What cannot be checked here.** The true values are unknown, so the estimates cannot be scored "
            "against a truth; the paper quotes Table 2's estimates but not their standard errors, so differences "
            "from it cannot be tested; and the paper's Artnet records are licensed, so its numbers cannot be "
            "recomputed. The simulation study checks the method where the truth is known.")


def _hedonics_line(coef: pd.DataFrame, compare: str) -> str:
    ref = {"paper_table2": "paper", "truth": "truth"}[compare]
    mats = coef[coef.index.str.startswith("material[")]["estimate"].sort_values(ascending=False)
    sups = coef[coef.index.str.startswith("support[")]["estimate"].sort_values(ascending=False)
    parts = ", ".join(f"{term_label(t)} {coef.loc[t, 'estimate']:.3f} ({ref} {coef.loc[t, compare]:.2f})"
                      for t in ("log_area", "signed", "inscribed"))
    return (f"- **Hedonics.** {parts}. Materials from dearest: {', '.join(k[9:-1] for k in mats.index)} (against "
            f"other); supports: {', '.join(k[8:-1] for k in sups.index)} (against other).")


def findings(coef: pd.DataFrame, metrics: pd.DataFrame, funnel: pd.DataFrame, names: dict | None = None,
             popularity_kind: str = "sum", currency: str = "USD", extra=()) -> str:
    """The analysis's findings in words (markdown), computed from its tables.

    ``coef`` from :func:`coefficient_table` (with a ``truth`` column for generated data: then everything is set
    against the truth, not the paper), ``metrics`` the harness's tidy table, ``funnel`` from
    :func:`funnel_table`; ``popularity_kind`` and ``currency`` say how gamma is to be read; ``extra`` are
    further bullet texts (e.g. :func:`ols_gamma_sentence`).
    """
    names = names or {}
    synthetic = "truth" in coef.columns and coef["truth"].notna().any()
    g = coef.loc["popularity"]
    n0, a0, n1, a1 = (int(funnel["lots"].iloc[0]), int(funnel["artists"].iloc[0]), int(funnel["lots"].iloc[-1]),
                      int(funnel["artists"].iloc[-1]))
    p = paper.FUNNEL
    ref = (f"the paper's Artnet data, which this world imitates: {p['lots']:,} by {p['artists']} to "
           f"{p['lots_after_selection']:,} by {p['artists_after_selection']}" if synthetic else
           f"the paper: {p['lots']:,} by {p['artists']} to {p['lots_after_selection']:,} by "
           f"{p['artists_after_selection']}")
    lines = [f"- **Sample.** {n0:,} lots by {a0:,} artists in the export; {n1:,} sales by {a1:,} artists after "
             f"every rule ({ref}).",
             f"- **Popularity.** {gamma_verdict(g['estimate'], g['std_error_marginal'], reference='truth' if synthetic else 'paper')}"
             f" The interval uses the marginal standard error; the paper's would give ±{_Z * g['std_error']:.3f}. "
             + (f"The true value is {g['truth']:.2f}." if synthetic else popularity_note(popularity_kind, currency))]
    if {"log_area", "signed", "inscribed"} <= set(coef.index):
        lines.append(_hedonics_line(coef, "truth" if synthetic else "paper_table2"))
    lines += [f"- {e}" for e in extra]
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
