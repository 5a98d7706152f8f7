"""Figures shared by the notebooks (matplotlib/seaborn; every function returns its Figure)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

__all__ = ["plot_traces", "plot_ability_paths", "plot_coverage"]


def plot_traces(trace: pd.DataFrame, terms, truth=None, ncols=2):
    """EM trace of each term in ``terms`` over iterations, with the true value dashed when given."""
    terms = list(terms)
    nrows = int(np.ceil(len(terms) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.5 * ncols, 2.4 * nrows), squeeze=False, sharex=True)
    for ax, term in zip(axes.ravel(), terms):
        ax.plot(trace.index, trace[term], marker=".", lw=1)
        if truth is not None and term in truth and np.isfinite(truth[term]):
            ax.axhline(truth[term], color="k", ls="--", lw=1, label="truth")
        ax.set_title(term, fontsize=10)
    for ax in axes.ravel()[len(terms):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("EM iteration")
    fig.tight_layout()
    return fig


def plot_ability_paths(ability: pd.DataFrame, artists, truth_col="truth", ncols=3, band=2.0):
    """Estimated ability paths with +-``band`` sd bands per artist (the paper's Fig. 2), truth overlaid."""
    artists = list(artists)
    nrows = int(np.ceil(len(artists) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.8 * nrows), squeeze=False)
    for ax, name in zip(axes.ravel(), artists):
        d = ability[ability["artist"] == name].sort_values("window_start")
        ax.fill_between(d["window_start"], d["mean"] - band * d["sd"], d["mean"] + band * d["sd"], alpha=0.3,
                        label=f"estimate ± {band:g} sd")
        ax.plot(d["window_start"], d["mean"], marker="o", ms=3)
        if truth_col in d:
            ax.plot(d["window_start"], d[truth_col], "k--", lw=1, label="truth")
        ax.set_title(str(name), fontsize=10)
        ax.set_xlabel("work window start")
    for ax in axes.ravel()[len(artists):]:
        ax.set_visible(False)
    axes[0, 0].set_ylabel("ability")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_coverage(summary: pd.DataFrame, nominal=0.95):
    """Coverage of 95% intervals per parameter for both kinds of standard error."""
    d = summary[["parameter", "coverage", "coverage_marginal"]].melt(
        id_vars=["parameter"], var_name="standard error", value_name="rate")
    d["standard error"] = d["standard error"].map({"coverage": "paper: σ²(X'X)⁻¹",
                                                   "coverage_marginal": "marginal (Louis)"})
    fig, ax = plt.subplots(figsize=(7, 0.28 * summary["parameter"].nunique() + 1.5))
    sns.pointplot(data=d, y="parameter", x="rate", hue="standard error", linestyle="none", ax=ax,
                  dodge=0.4, markers=["o", "s"])
    ax.axvline(nominal, color="k", ls="--", lw=1)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("coverage of 95% intervals")
    fig.tight_layout()
    return fig
