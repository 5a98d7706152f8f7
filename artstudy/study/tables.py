"""Tables for print: readable labels, grouped parameters, precision matched to the standard error.

Every function returns a DataFrame of strings (no NaN: a missing value prints as "–"), with
readable headers and the parameters in the model's order (coefficients, variance parameters,
sale-year effects), so a notebook only displays it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

__all__ = ["DASH", "term_label", "term_group", "decimals_for", "fmt_number", "fmt_estimate", "fmt_percent",
           "fmt_count", "group_terms", "coefficient_print_table", "simulation_print_table", "funnel_print_table",
           "sampler_print_table", "facts_print_table", "flatten_config", "config_table", "readable_columns",
           "replication_facts_table"]

DASH = "\u2013"

_NAMES = {"intercept": "intercept", "log_area": "log area", "signed": "signed", "inscribed": "inscribed",
          "popularity": "popularity (γ)", "sigma2": "σ² (residual variance)",
          "tau2": "τ² (variance of initial abilities)"}
_GROUPS = ("Coefficients", "Variance parameters", "Sale-year effects")


def term_label(term: str) -> str:
    """A design term as a reader names it: "material[oil]" -> "material: oil", "year[2010]" -> "sale year 2010"."""
    if term in _NAMES:
        return _NAMES[term]
    m = re.fullmatch(r"(\w+)\[(.*)\]", term)
    if m:
        kind, level = m.groups()
        return f"sale year {level}" if kind == "year" else f"{kind.replace('_', ' ')}: {level}"
    return term.replace("_", " ")


def term_group(term: str) -> str:
    """"Coefficients", "Variance parameters" or "Sale-year effects"."""
    if term in ("sigma2", "tau2"):
        return _GROUPS[1]
    return _GROUPS[2] if term.startswith("year[") else _GROUPS[0]


def _model_rank(term: str) -> tuple:
    """Sort key of the model's order: intercept, the paper's covariates (levels as in its Table 2), popularity,
    anything else, then the variances, then the year effects by year."""
    from ..models.pam import paper

    group = _GROUPS.index(term_group(term))
    if term == "intercept":
        return (group, 0, 0, term)
    kind = re.fullmatch(r"(\w+)\[(.*)\]", term)
    base = kind.group(1) if kind else term
    if base in paper.COVARIATES:
        levels = list(paper.TABLE2)
        return (group, 1 + paper.COVARIATES.index(base), levels.index(term) if term in levels else len(levels), term)
    if term == "popularity":
        return (group, 10, 0, term)
    if term in ("sigma2", "tau2"):
        return (group, ("sigma2", "tau2").index(term), 0, term)
    return (group, 11, 0, term)


def group_terms(terms) -> list[str]:
    """``terms`` in the model's order: coefficients (intercept, covariates as in the paper's Table 2, popularity,
    others), variance parameters (σ², τ²), then sale-year effects by year."""
    return sorted(terms, key=_model_rank)


def decimals_for(se: float, digits: int = 2) -> int:
    """Decimals that show ``se`` to its ``digits``-th significant digit (at least 0; 3 if ``se`` is missing)."""
    if se is None or not np.isfinite(se) or se <= 0:
        return 3
    return max(0, digits - 1 - math.floor(math.log10(abs(se))))


def fmt_number(x, decimals: int) -> str:
    """``x`` with ``decimals`` decimals ("–" if missing); a true minus sign."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)) or pd.isna(x):
        return DASH
    text = f"{x:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "\u2212")


def fmt_estimate(estimate, se) -> tuple[str, str]:
    """Estimate and standard error, both to the decimal of the standard error's second significant digit."""
    d = decimals_for(se)
    return fmt_number(estimate, d), fmt_number(se, d)


def fmt_percent(rate, decimals: int = 0) -> str:
    """A rate in percent ("–" if missing)."""
    return DASH if rate is None or pd.isna(rate) else f"{100 * rate:.{decimals}f}%"


def fmt_count(n) -> str:
    return DASH if n is None or pd.isna(n) else f"{int(n):,}"


def _indexed(rows: list[dict], terms: list[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples([(term_group(t), term_label(t)) for t in terms], names=["", "parameter"])
    return pd.DataFrame(rows, index=index).fillna(DASH)


def coefficient_print_table(coef: pd.DataFrame, facts: dict | None = None, compare: str | None = None,
                            include_years: bool = True) -> pd.DataFrame:
    """A fit's coefficients for print, grouped, with both standard errors and one comparison column.

    ``coef`` is indexed by term with estimate, std_error, std_error_marginal (and ``paper_table2`` or
    ``truth``, as :func:`artstudy.study.artnet.coefficient_table` makes it); ``facts`` adds σ² and τ² with
    their Monte Carlo error; ``compare`` is "paper_table2", "truth" or None.
    """
    rows = {}
    for term in coef.index:
        if not include_years and term_group(term) == _GROUPS[2]:
            continue
        r = coef.loc[term]
        d = decimals_for(r["std_error_marginal"])
        row = {"estimate": fmt_number(r["estimate"], d), "SE (abilities known)": fmt_number(r["std_error"], d),
               "SE (marginal)": fmt_number(r["std_error_marginal"], d),
               "z (marginal)": fmt_number(r["estimate"] / r["std_error_marginal"], 1)}
        if compare:
            row[_COMPARE[compare]] = fmt_number(r.get(compare, np.nan), max(2, d) if compare == "truth" else 2)
        rows[term] = row
    for name in ("sigma2", "tau2") if facts else ():
        row = {"estimate": fmt_number(facts[name], 3)}
        if compare == "truth" and f"true_{name}" in facts:
            row[_COMPARE[compare]] = fmt_number(facts[f"true_{name}"], 2)
        rows[name] = row
    terms = group_terms(rows)
    return _indexed([rows[t] for t in terms], terms)


_COMPARE = {"paper_table2": "paper (Table 2)", "truth": "truth"}


def simulation_print_table(summary: pd.DataFrame, sampler: str, years: bool = False) -> pd.DataFrame:
    """The simulation summary of one sampler for print: truth, mean estimate, bias, RMSE, empirical sd, both
    mean standard errors (to the empirical sd's precision) and both coverages in percent.

    ``years``: the sale-year effects only (True) or every other parameter (False).
    """
    s = summary[summary["sampler"] == sampler].set_index("parameter")
    terms = [t for t in group_terms(s.index) if (term_group(t) == _GROUPS[2]) == years]
    rows = []
    for t in terms:
        r = s.loc[t]
        d = decimals_for(r["empirical_sd"])
        rows.append({"truth": fmt_number(r["truth"], max(2, d)), "mean estimate": fmt_number(r["mean_estimate"], d),
                     "bias": fmt_number(r["bias"], d), "RMSE": fmt_number(r["rmse"], d),
                     "sd of estimates": fmt_number(r["empirical_sd"], d),
                     "mean SE (abilities known)": fmt_number(r["mean_std_error"], d),
                     "mean SE (marginal)": fmt_number(r["mean_std_error_marginal"], d),
                     "coverage (abilities known)": fmt_percent(r["coverage"]),
                     "coverage (marginal)": fmt_percent(r["coverage_marginal"])})
    return _indexed(rows, terms)


_FUNNEL = {"step": "step", "lots": "lots", "artists": "artists", "lots_removed": "lots removed",
           "artists_removed": "artists removed"}


def funnel_print_table(funnel: pd.DataFrame) -> pd.DataFrame:
    """A data funnel for print: counts with thousands separators, readable headers, steps numbered from 1."""
    table = funnel[list(_FUNNEL)].rename(columns=_FUNNEL).copy()
    for col in list(_FUNNEL.values())[1:]:
        table[col] = table[col].map(fmt_count)
    table.index = pd.RangeIndex(1, len(table) + 1, name="")
    return table


def sampler_print_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """The ability samplers' comparison for print (one row per sampler)."""
    out = pd.DataFrame({
        "sweeps": comparison["draws"].map(fmt_count),
        "seconds": comparison["seconds"].map(lambda v: fmt_number(v, 2)),
        "sweeps per second": comparison["draws_per_second"].map(lambda v: fmt_number(v, 0)),
        "median ESS of abilities": comparison["median_ess"].map(lambda v: fmt_number(v, 0)),
        "lowest ESS of abilities": comparison["min_ess"].map(lambda v: fmt_number(v, 0)),
        "ESS of τ²": comparison["tau2_ess"].map(lambda v: fmt_number(v, 0)),
        "median ESS per second": comparison["median_ess_per_second"].map(lambda v: fmt_number(v, 0)),
    })
    out.index = pd.Index(comparison["sampler"].map({"ffbs": "FFBS", "single-site": "single-site Gibbs"})
                         .fillna(comparison["sampler"]), name="sampler")
    return out


_FACTS = {"n_sales": "sales fitted", "n_artists": "artists fitted", "n_iterations": "EM iterations",
          "converged": "converged", "seconds": "seconds", "sampler": "ability sampler",
          "tau2_method": "τ² update", "popularity_kind": "popularity", "popularity_scale": "popularity scale",
          "gamma": "γ", "mc_error_gamma": "Monte Carlo error of γ", "sigma2": "σ²", "tau2": "τ²"}


def facts_print_table(facts: dict, keys=None) -> pd.DataFrame:
    """A fit's facts as a two-column table (fact, value), readable names and rounded numbers."""
    keys = [k for k in (keys or _FACTS) if k in facts]
    values = []
    for k in keys:
        v = facts[k]
        if isinstance(v, (bool, np.bool_)):
            values.append("yes" if v else "no")
        elif isinstance(v, (int, np.integer)):
            values.append(f"{v:,}")
        elif isinstance(v, float):
            text = (fmt_number(v, 2) if k == "seconds" else f"{v:,.0f}" if abs(v) >= 1000 else
                    f"{v:.2g}" if k.startswith("mc_error") else f"{v:.4g}")
            values.append(text.replace("-", "\u2212"))
        else:
            values.append(str(v))
    return pd.DataFrame({"value": values}, index=pd.Index([_FACTS.get(k, k) for k in keys], name="fact"))


def flatten_config(mapping, prefix: str = "") -> dict:
    """A nested mapping flattened to dotted keys; lists joined by ", ", None as "–"."""
    out = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten_config(value, f"{name}."))
        elif isinstance(value, (list, tuple)):
            out[name] = ", ".join(map(str, value)) if value else DASH
        else:
            out[name] = DASH if value is None or value == {} else str(value)
    return out


def config_table(config: dict, sections) -> pd.DataFrame:
    """The named config sections (dotted paths such as "sources.askart_ny" allowed) as one table
    (setting, value), in the order given. A source mapping's unset fields (columns it does not map,
    options it leaves out) are not shown."""
    rows = {}
    for section in sections:
        node = config
        for part in section.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            continue
        flat = flatten_config(node, f"{section}.") if isinstance(node, dict) else {section: str(node)}
        if section.startswith("sources"):
            flat = {k: v for k, v in flat.items() if v != DASH}
        rows.update(flat)
    return pd.DataFrame({"value": list(rows.values())}, index=pd.Index(list(rows), name="setting"))


def readable_columns(table: pd.DataFrame, names: dict | None = None) -> pd.DataFrame:
    """Headers without snake_case: ``names`` first, else underscores as spaces."""
    names = names or {}
    return table.rename(columns=lambda c: names.get(c, str(c).replace("_", " ")))


_REP_FACTS = {"ability_rmse": ("ability RMSE", 3), "ability_rmse_centred": ("ability RMSE, centred", 3),
              "ability_coverage": ("truth inside 95% bands", None),
              "ability_coverage_centred": ("truth inside 95% bands, centred", None),
              "n_iterations": ("EM iterations", 1), "seconds": ("seconds per fit", 2),
              "converged": ("fits converged", None)}


def replication_facts_table(reps: pd.DataFrame) -> pd.DataFrame:
    """Per sampler, the replications' mean ability recovery and fitting facts (``ability`` and ``fit`` rows of
    the replications table), rates in percent."""
    d = reps[reps["kind"].isin(["ability", "fit"])]
    means = d.pivot_table(index="sampler", columns="parameter", values="estimate", aggfunc="mean")
    out = pd.DataFrame(index=means.index)
    for key, (label, decimals) in _REP_FACTS.items():
        if key in means:
            out[label] = means[key].map(fmt_percent if decimals is None else (lambda v, k=decimals: fmt_number(v, k)))
    out.index = pd.Index([{"ffbs": "FFBS", "single-site": "single-site Gibbs"}.get(s, s) for s in out.index],
                         name="sampler")
    return out
