"""Figures shared by the notebooks, drawn for print (matplotlib/seaborn; every function returns its Figure).

Every axis has a label with its unit, legends sit outside the axes (above them, as a figure legend),
fonts are at least 10 pt and each panel is at least 3.2 in wide and high.
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .tables import term_label

__all__ = ["FONT", "PANEL", "plot_traces", "plot_ability_paths", "plot_coverage", "plot_year_effects",
           "plot_estimate_histogram", "plot_truth_scatter", "plot_forecast", "figure_legend"]

FONT = 11
PANEL = (4.0, 3.3)


@contextmanager
def _style():
    with mpl.rc_context({"font.size": FONT, "axes.titlesize": FONT, "axes.labelsize": FONT,
                         "xtick.labelsize": 10, "ytick.labelsize": 10, "legend.fontsize": 10,
                         "figure.titlesize": FONT + 1}):
        yield


def _grid(n: int, ncols: int, sharex=False, sharey=False):
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(PANEL[0] * ncols, PANEL[1] * nrows + 0.6), squeeze=False,
                             sharex=sharex, sharey=sharey)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes


def figure_legend(fig, ax=None, ncol: int | None = None):
    """One legend for the figure, above the axes (clear of the data); handles from ``ax`` or every axes."""
    handles, labels = {}, []
    for a in [ax] if ax is not None else fig.axes:
        for h, lab in zip(*a.get_legend_handles_labels()):
            if lab not in handles and not lab.startswith("_"):
                handles[lab] = h
                labels.append(lab)
    if not labels:
        fig.tight_layout()
        return None
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))
    return fig.legend([handles[lab] for lab in labels], labels, loc="upper center", ncol=ncol or len(labels),
                      frameon=False, bbox_to_anchor=(0.5, 1.0))


def plot_traces(trace: pd.DataFrame, terms, truth=None, ncols=3):
    """EM trace of each term in ``terms`` over iterations, with the true value dashed when given."""
    terms = list(terms)
    with _style():
        fig, axes = _grid(len(terms), ncols)
        for ax, term in zip(axes.ravel(), terms):
            ax.plot(trace.index, trace[term], marker=".", lw=1, label="EM estimate")
            if truth is not None and term in truth and np.isfinite(truth[term]):
                ax.axhline(truth[term], color="k", ls="--", lw=1, label="truth")
            ax.set_title(term_label(term))
            ax.set_xlabel("EM iteration")
            ax.set_ylabel("estimate")
        figure_legend(fig)
    return fig


def plot_ability_paths(ability: pd.DataFrame, artists, truth_col: str | None = "truth", ncols=3, band=2.0):
    """Estimated ability paths with ±``band`` sd bands per artist (the paper's Fig. 2); ``truth_col`` (when a
    column of ``ability``) overlaid dashed, e.g. the centred truth of :func:`artstudy.study.artnet.centred_truth`."""
    artists = list(artists)
    with _style():
        fig, axes = _grid(len(artists), ncols)
        for ax, name in zip(axes.ravel(), artists):
            d = ability[ability["artist"] == name].sort_values("window_start")
            ax.fill_between(d["window_start"], d["mean"] - band * d["sd"], d["mean"] + band * d["sd"], alpha=0.3,
                            label=f"estimate ± {band:g} sd")
            ax.plot(d["window_start"], d["mean"], marker="o", ms=4, label="estimated ability")
            if truth_col and truth_col in d:
                ax.plot(d["window_start"], d[truth_col], "k--", lw=1.2,
                        label="truth (centred)" if "centred" in truth_col else "truth")
            ax.set_title(str(name))
            ax.set_xlabel("work window (first year)")
            ax.set_ylabel("ability (log price scale)")
        figure_legend(fig)
    return fig


def plot_coverage(summary: pd.DataFrame, nominal=0.95):
    """Coverage of 95% intervals per parameter (readable labels, model order) for both kinds of standard error."""
    labels = [term_label(p) for p in summary["parameter"]]
    y = np.arange(len(labels))
    with _style():
        fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(labels) + 1.6))
        ax.plot(100 * summary["coverage"], y - 0.15, "o", label="abilities known: σ²(X′X)⁻¹")
        ax.plot(100 * summary["coverage_marginal"], y + 0.15, "s", label="marginal (Louis)")
        ax.axvline(100 * nominal, color="k", ls="--", lw=1, label=f"nominal {100 * nominal:g}%")
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 102)
        ax.set_xlabel("coverage of 95% intervals (% of replications)")
        ax.set_ylabel("parameter")
        figure_legend(fig, ax)
    return fig


def plot_year_effects(years: pd.DataFrame, unit: str = "log USD", truth_col: str | None = None):
    """Sale-year effects with ±1.96 marginal se bars; ``years`` indexed by year terms (year[YYYY]) with
    estimate and std_error_marginal (and ``truth_col``)."""
    x = years.index.str.slice(5, 9).astype(int)
    with _style():
        fig, ax = plt.subplots(figsize=(8, 3.8))
        ax.errorbar(x, years["estimate"], yerr=1.96 * years["std_error_marginal"], fmt="o", ms=4, capsize=2,
                    label="estimate ± 1.96 marginal se")
        if truth_col and truth_col in years:
            ax.plot(x, years[truth_col], "k--", lw=1, label="truth")
        ax.set_xlabel("sale year")
        ax.set_ylabel(f"effect on log price ({unit})\nagainst {x.min() - 1}")
        figure_legend(fig, ax)
    return fig


def plot_estimate_histogram(estimates, truth: float, xlabel: str):
    """Histogram of one parameter's estimates over replications, with the truth."""
    with _style():
        fig, ax = plt.subplots(figsize=(6, 3.6))
        ax.hist(estimates, bins=min(20, max(5, len(estimates) // 4)), color="C0", alpha=0.8, label="estimates")
        ax.axvline(truth, color="k", ls="--", label="truth")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("replications")
        figure_legend(fig, ax)
    return fig


def plot_truth_scatter(pairs, ncols=2):
    """Estimate against truth, one panel per ``(title, truth, estimate, xlabel, ylabel)``, with the diagonal."""
    pairs = list(pairs)
    with _style():
        fig, axes = _grid(len(pairs), ncols)
        for ax, (title, truth, est, xlabel, ylabel) in zip(axes.ravel(), pairs):
            ax.scatter(truth, est, s=10, alpha=0.5, label="estimate")
            lim = [min(np.min(truth), np.min(est)), max(np.max(truth), np.max(est))]
            ax.plot(lim, lim, "k--", lw=1, label="estimate = truth")
            ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        figure_legend(fig)
    return fig


def plot_forecast(r2: pd.DataFrame, names: dict | None = None):
    """R² of log price on the test sales per model with its 95% bootstrap interval (``r2``: model, value,
    ci_low, ci_high)."""
    names = names or {}
    r2 = r2.sort_values("value")
    with _style():
        fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(r2) + 1.4))
        ax.errorbar(r2["value"], [names.get(m, m) for m in r2["model"]],
                    xerr=[r2["value"] - r2["ci_low"], r2["ci_high"] - r2["value"]], fmt="o", capsize=3)
        ax.set_xlabel("R² of log price on the test sales (95% bootstrap interval)")
        ax.set_ylabel("model")
        fig.tight_layout()
    return fig
