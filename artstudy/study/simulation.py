"""The simulation study's verdicts and conclusions in words, computed from its tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["coverage_verdict", "conclusions"]


def coverage_verdict(summary: pd.DataFrame, nominal: float = 0.95) -> pd.DataFrame:
    """For each sampler and standard-error kind: mean coverage over coefficients, the share of
    coefficients whose coverage is within binomial noise of ``nominal`` (3 sd), and gamma's coverage."""
    coef = summary[summary["kind"] == "coef"]
    rows = []
    for sampler, d in coef.groupby("sampler", sort=False):
        n = d["n_reps"].to_numpy()
        tol = 3 * np.sqrt(nominal * (1 - nominal) / n)
        for col, label in (("coverage", "paper"), ("coverage_marginal", "marginal")):
            cov = d[col].to_numpy()
            gamma = d.loc[d["parameter"] == "popularity", col]
            rows.append({"sampler": sampler, "standard_error": label, "mean_coverage": float(cov.mean()),
                         "share_within_noise": float(np.mean(cov >= nominal - tol)),
                         "gamma_coverage": float(gamma.iloc[0]) if len(gamma) else np.nan})
    return pd.DataFrame(rows)


def conclusions(summary: pd.DataFrame, reps: pd.DataFrame, comparison: pd.DataFrame | None = None,
                sampler: str = "ffbs") -> str:
    """The simulation study's findings in words (markdown), computed from its tables."""
    s = summary[summary["sampler"] == sampler].set_index("parameter")
    coef = s[s["kind"] == "coef"]
    verdict = coverage_verdict(summary).query("sampler == @sampler").set_index("standard_error")
    g = s.loc["popularity"]
    ab = reps[(reps["kind"] == "ability") & (reps["sampler"] == sampler)].groupby("parameter")["estimate"].mean()
    fit = reps[(reps["kind"] == "fit") & (reps["sampler"] == sampler)].groupby("parameter")["estimate"].mean()
    worst = (coef["bias"].abs() / coef["empirical_sd"]).idxmax()
    better = (verdict["mean_coverage"] - 0.95).abs().add((verdict["gamma_coverage"] - 0.95).abs()).idxmin()
    lines = [
        f"- **Point estimates.** Over {int(g['n_reps'])} replications gamma averages {g['mean_estimate']:.3f} "
        f"(truth {g['truth']:.3f}; bias {g['bias']:+.3f}, RMSE {g['rmse']:.3f}). The largest bias relative to its "
        f"sampling sd is {worst}'s ({coef.loc[worst, 'bias']:+.3f}, "
        f"{coef.loc[worst, 'bias'] / coef.loc[worst, 'empirical_sd']:+.2f} sd).",
        f"- **Variances.** sigma² averages {s.loc['sigma2', 'mean_estimate']:.3f} (truth "
        f"{s.loc['sigma2', 'truth']:.3f}); tau² averages {s.loc['tau2', 'mean_estimate']:.3f} (truth "
        f"{s.loc['tau2', 'truth']:.3f}; it is estimated from only one initial ability per artist).",
        f"- **Standard errors.** 95% intervals from the paper's σ²(X'X)⁻¹ cover on average "
        f"{verdict.loc['paper', 'mean_coverage']:.1%} of coefficients (gamma: "
        f"{verdict.loc['paper', 'gamma_coverage']:.1%}); the marginal standard errors, which account for the "
        f"uncertainty in the abilities, cover {verdict.loc['marginal', 'mean_coverage']:.1%} (gamma: "
        f"{verdict.loc['marginal', 'gamma_coverage']:.1%}). The {better} standard errors come closer to the nominal 95%.",
        f"- **Abilities.** RMSE {ab['ability_rmse']:.3f}, or {ab['ability_rmse_centred']:.3f} after removing the "
        f"common level that the data cannot tell from the intercept; 95% bands cover {ab['ability_coverage']:.1%} "
        f"of true abilities, {ab['ability_coverage_centred']:.1%} after centring.",
        f"- **Fitting.** {fit['n_iterations']:.1f} EM iterations and {fit['seconds']:.2f} s per fit on average; "
        f"{fit['converged']:.0%} of fits met the convergence rule.",
    ]
    if comparison is not None and len(comparison) == 2:
        c = comparison.set_index("sampler")
        ratio = c.loc["ffbs", "median_ess_per_second"] / c.loc["single-site", "median_ess_per_second"]
        lines.append(
            f"- **Samplers.** FFBS gives {c.loc['ffbs', 'median_ess']:.0f} effective draws per "
            f"{int(c.loc['ffbs', 'draws'])} (median over abilities; worst {c.loc['ffbs', 'min_ess']:.0f}) against "
            f"{c.loc['single-site', 'median_ess']:.0f} (worst {c.loc['single-site', 'min_ess']:.0f}) for single-site "
            f"updates: {ratio:.1f} times the effective samples per second.")
    return "\n".join(lines)
