"""The simulation study's verdicts and conclusions in words, computed from its tables.

A coverage rate estimated from ``n`` replications is a binomial proportion: its Wilson 95%
interval says whether it can be told from the nominal 95% at all. Every verdict here says
"under-covers" or "over-covers" only when that interval excludes the nominal rate, and says that
the replications are too few to decide otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .tables import term_label

__all__ = ["wilson_interval", "coverage_call", "coverage_calls", "coverage_verdict", "decidable_rates",
           "coverage_sentence", "gamma_coverage_sentence", "conclusions", "ols_start_sentence",
           "sampler_difference_sentence"]

_Z = float(stats.norm.ppf(0.975))


def wilson_interval(rate: float, n: int, z: float = _Z) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``rate`` observed over ``n`` trials."""
    if n <= 0 or not np.isfinite(rate):
        return float("nan"), float("nan")
    centre = (rate + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def coverage_call(rate: float, n: int, nominal: float = 0.95) -> str:
    """``"under"``, ``"over"`` or ``"undecided"``: where ``nominal`` lies against the Wilson interval of ``rate``."""
    lo, hi = wilson_interval(rate, n)
    if hi < nominal:
        return "under"
    if lo > nominal:
        return "over"
    return "undecided"


def decidable_rates(n: int, nominal: float = 0.95) -> tuple[float, float]:
    """The highest rate k/n whose Wilson interval lies below ``nominal`` and the lowest whose interval lies above
    it (NaN where no rate does): coverage between the two cannot be told from ``nominal`` with ``n`` trials."""
    calls = [(k / n, coverage_call(k / n, n, nominal)) for k in range(n + 1)]
    under = [r for r, c in calls if c == "under"]
    over = [r for r, c in calls if c == "over"]
    return (max(under) if under else float("nan"), min(over) if over else float("nan"))


def coverage_calls(summary: pd.DataFrame, sampler: str, nominal: float = 0.95) -> pd.DataFrame:
    """Per coefficient and standard-error kind: coverage, replications, Wilson interval and the call.

    Columns: parameter, standard_error ("paper" or "marginal"), coverage, n_reps, lower, upper, call.
    Coefficients keep the summary's (the model's) order.
    """
    coef = summary[(summary["sampler"] == sampler) & (summary["kind"] == "coef")]
    rows = []
    for col, label in (("coverage", "paper"), ("coverage_marginal", "marginal")):
        for _, r in coef.iterrows():
            lo, hi = wilson_interval(r[col], int(r["n_reps"]))
            rows.append({"parameter": r["parameter"], "standard_error": label, "coverage": float(r[col]),
                         "n_reps": int(r["n_reps"]), "lower": lo, "upper": hi,
                         "call": coverage_call(r[col], int(r["n_reps"]), nominal)})
    return pd.DataFrame(rows)


def coverage_verdict(summary: pd.DataFrame, nominal: float = 0.95) -> pd.DataFrame:
    """For each sampler and standard-error kind: replications, mean coverage over coefficients, how many
    coefficients under- and over-cover (Wilson interval excluding ``nominal``) and gamma's coverage."""
    rows = []
    for sampler in summary.loc[summary["kind"] == "coef", "sampler"].unique():
        calls = coverage_calls(summary, sampler, nominal)
        for label, d in calls.groupby("standard_error", sort=False):
            gamma = d.loc[d["parameter"] == "popularity", "coverage"]
            rows.append({"sampler": sampler, "standard_error": label, "n_reps": int(d["n_reps"].min()),
                         "mean_coverage": float(d["coverage"].mean()),
                         "n_coefficients": len(d), "n_under": int((d["call"] == "under").sum()),
                         "n_over": int((d["call"] == "over").sum()),
                         "gamma_coverage": float(gamma.iloc[0]) if len(gamma) else np.nan})
    return pd.DataFrame(rows)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%" if abs(100 * x - round(100 * x)) < 1e-9 else f"{100 * x:.1f}%"


def _named(d: pd.DataFrame, limit: int = 6) -> str:
    """"intercept (39%), popularity (75%) and 3 of 29 sale-year effects" for the rows of ``d``."""
    is_year = d["parameter"].str.startswith("year[")
    named = [f"{'gamma' if p == 'popularity' else term_label(p)} ({_pct(c)})" for p, c in zip(d.loc[~is_year, "parameter"], d.loc[~is_year, "coverage"])]
    if len(named) > limit:
        named = named[:limit] + [f"{len(named) - limit} more"]
    if is_year.any():
        named.append(f"{int(is_year.sum())} sale-year effect{'s' if is_year.sum() > 1 else ''}")
    return ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]


def _kind_sentence(calls: pd.DataFrame, label: str, words: str) -> str:
    d = calls[calls["standard_error"] == label]
    parts = []
    for call, verb in (("under", "under-cover"), ("over", "over-cover")):
        hit = d[d["call"] == call]
        if len(hit):
            parts.append(f"{_named(hit)} {verb if len(hit) > 1 else verb + 's'}")
    body = "; ".join(parts) if parts else "no coefficient can be told from 95%"
    return f"{words} cover {_pct(d['coverage'].mean())} on average over {len(d)} coefficients: {body}."


def coverage_sentence(summary: pd.DataFrame, sampler: str = "ffbs", nominal: float = 0.95) -> str:
    """Coverage of the 95% intervals from both kinds of standard error, in words that follow the binomial
    uncertainty of ``n_reps`` replications: which coefficients under- or over-cover, and which kind of
    standard error is closer to the nominal rate, or that the replications are too few to say."""
    calls = coverage_calls(summary, sampler, nominal)
    n = int(calls["n_reps"].min())
    low, high = decidable_rates(n, nominal)
    where = [f"at {_pct(low)} or below" if np.isfinite(low) else "", f"at {_pct(high)} or above" if np.isfinite(high) else ""]
    where = " or ".join(w for w in where if w) or "never"
    lead = (f"With {n} replications a coverage rate can be told from 95% only when its Wilson 95% interval "
            f"excludes 95%: {where}.")
    paper_text = _kind_sentence(calls, "paper", "Intervals from the paper's σ²(X′X)⁻¹")
    marginal_text = _kind_sentence(calls, "marginal", "Intervals from the marginal standard errors")
    off = calls[calls["call"] != "undecided"].groupby("standard_error").size()
    n_paper, n_marginal = int(off.get("paper", 0)), int(off.get("marginal", 0))
    if n_paper == n_marginal == 0:
        verdict = (f"Neither kind can be told from 95% for any coefficient: {n} replications are too few to "
                   "decide which standard errors are closer to 95%.")
    elif n_paper == n_marginal:
        verdict = f"Both kinds leave {n_paper} coefficient{'s' if n_paper > 1 else ''} off 95%."
    else:
        better, worse = ("marginal", "paper") if n_marginal < n_paper else ("paper", "marginal")
        name = {"paper": "paper\u2019s", "marginal": "marginal"}
        other = {"paper": "paper\u2019s", "marginal": "marginal ones"}
        fewer, more = min(n_paper, n_marginal), max(n_paper, n_marginal)
        verdict = (f"The {name[better]} standard errors are closer to 95%: they leave {fewer} "
                   f"coefficient{'s' if fewer != 1 else ''} off 95% against {more} for the {other[worse]}.")
    return " ".join([lead, paper_text, marginal_text, verdict])


def gamma_coverage_sentence(summary: pd.DataFrame, sampler: str = "ffbs", nominal: float = 0.95) -> str:
    """Gamma's coverage under both kinds of standard error, each with its Wilson interval and call."""
    calls = coverage_calls(summary, sampler, nominal)
    g = calls[calls["parameter"] == "popularity"].set_index("standard_error")
    words = {"under": "under-covers", "over": "over-covers", "undecided": "cannot be told from 95%"}
    parts = [f"{name} {_pct(g.loc[k, 'coverage'])} (interval {_pct(g.loc[k, 'lower'])} to {_pct(g.loc[k, 'upper'])}: "
             f"{words[g.loc[k, 'call']]})" for k, name in (("paper", "the paper's"), ("marginal", "the marginal"))]
    return f"Gamma's 95% intervals cover the truth in {parts[0]} and {parts[1]} of {int(g['n_reps'].min())} replications."


def _sampler_line(comparison: pd.DataFrame) -> str:
    c = comparison.set_index("sampler")
    ratio = c.loc["ffbs", "median_ess_per_second"] / c.loc["single-site", "median_ess_per_second"]
    return (f"- **Samplers.** FFBS gives {c.loc['ffbs', 'median_ess']:.0f} effective draws per "
            f"{int(c.loc['ffbs', 'draws'])} (median over abilities; worst {c.loc['ffbs', 'min_ess']:.0f}) against "
            f"{c.loc['single-site', 'median_ess']:.0f} (worst {c.loc['single-site', 'min_ess']:.0f}) for single-site "
            f"updates: {ratio:.1f} times the effective samples per second.")


def conclusions(summary: pd.DataFrame, reps: pd.DataFrame, comparison: pd.DataFrame | None = None,
                sampler: str = "ffbs") -> str:
    """The simulation study's findings in words (markdown), computed from its tables."""
    s = summary[summary["sampler"] == sampler].set_index("parameter")
    coef = s[s["kind"] == "coef"]
    g = s.loc["popularity"]
    ab = reps[(reps["kind"] == "ability") & (reps["sampler"] == sampler)].groupby("parameter")["estimate"].mean()
    fit = reps[(reps["kind"] == "fit") & (reps["sampler"] == sampler)].groupby("parameter")["estimate"].mean()
    ratio = (coef["bias"].abs() / coef["empirical_sd"]).replace(np.inf, np.nan)
    worst = ratio.idxmax() if ratio.notna().any() else "popularity"
    lines = [
        f"- **Point estimates.** Over {int(g['n_reps'])} replications gamma averages {g['mean_estimate']:.3f} "
        f"(truth {g['truth']:.3f}; bias {g['bias']:+.3f}, RMSE {g['rmse']:.3f}). The largest bias relative to its "
        f"sampling sd is {term_label(worst)}'s ({coef.loc[worst, 'bias']:+.3f}, {ratio[worst]:+.2f} sd)."
        .replace("+-", "-"),
        f"- **Variances.** σ² averages {s.loc['sigma2', 'mean_estimate']:.3f} (truth "
        f"{s.loc['sigma2', 'truth']:.3f}); τ² averages {s.loc['tau2', 'mean_estimate']:.3f} (truth "
        f"{s.loc['tau2', 'truth']:.3f}; it is estimated from only one initial ability per artist).",
        f"- **Standard errors.** {coverage_sentence(summary, sampler)} {gamma_coverage_sentence(summary, sampler)}",
        f"- **Abilities.** RMSE {ab['ability_rmse']:.3f}, or {ab['ability_rmse_centred']:.3f} after removing the "
        f"common level that the data cannot tell from the intercept; 95% bands cover {_pct(ab['ability_coverage'])} "
        f"of true abilities as estimated, {_pct(ab['ability_coverage_centred'])} after centring.",
        f"- **Fitting.** {fit['n_iterations']:.1f} EM iterations"
        + (f" and {fit['seconds']:.2f} s" if "seconds" in fit else "") + " per fit on average; "
        f"{fit['converged']:.0%} of fits met the convergence rule.",
    ]
    if comparison is not None and len(comparison) == 2:
        lines.append(_sampler_line(comparison))
    return "\n".join(lines)


def ols_start_sentence(trace_ols: pd.DataFrame, trace_within: pd.DataFrame, truth: float) -> str:
    """Where gamma stands after the paper's least-squares start against the within start (both EM traces)."""
    g_ols, g_within = float(trace_ols["popularity"].iloc[-1]), float(trace_within["popularity"].iloc[-1])
    return (f"After {len(trace_ols)} iterations from the least-squares start gamma is {g_ols:.3f}; from the within "
            f"start it is {g_within:.3f} after {len(trace_within)} (truth {truth:.2f}).")


def sampler_difference_sentence(reps: pd.DataFrame) -> str:
    """How far the two samplers' fits of the same replications lie apart (largest absolute difference of any
    coefficient), or an empty string when only one sampler ran."""
    coef = reps[reps["kind"] == "coef"]
    if coef["sampler"].nunique() < 2:
        return ""
    wide = coef.pivot_table(index=["rep", "parameter"], columns="sampler", values="estimate")
    diff = (wide["single-site"] - wide["ffbs"]).abs()
    rep, term = diff.idxmax()
    return (f"Fitted to the same {coef['rep'].nunique()} markets, the two samplers' estimates differ by at most "
            f"{diff.max():.4f} (largest: {term_label(term)} in replication {rep}); both converge to the same fixed "
            "point up to Monte Carlo error.")
