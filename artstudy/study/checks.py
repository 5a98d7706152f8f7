r"""Model checks of a popularity-ability fit: residuals and posterior predictive checks.

Both start from the fit's table of in-sample sales (:attr:`artstudy.models.pam.results.PAMResults.fitted`:
artist, sale_year, window_start, log_price, fitted, residual and, when the sales had them, lot_id
and artwork_id).

**Residuals** (:func:`residual_table`, :func:`plot_residuals`): their spread, shape (skewness,
excess kurtosis, the share of standardised residuals beyond ±3 against the normal's 0.27%), their
correlation with the fitted values and their means by artist and by sale year, each beside what a
well-specified model gives.

**Posterior predictive checks** (:func:`posterior_predictive`, :func:`ppc_table`, :func:`plot_ppc`,
:func:`ppc_sentence`): every in-sample sale is replicated ``n_draws`` times from the fitted model,

.. math::

    y^{rep}_{i,t,k} = x'\hat\beta + \hat\gamma u_{i,t} + a^{rep}_{i,t'} + \epsilon^{rep},
    \qquad a^{rep}_{i,t'} \sim N(E[a_{i,t'}], \mathrm{sd}(a_{i,t'})^2),
    \qquad \epsilon^{rep} \sim N(0, \hat\sigma^2),

one ability draw per (artist, window) and replication, shared by the cell's sales (the abilities'
posterior taken as independent normals across cells). Statistics of the observed log prices are
compared with the same statistics of the replications: quantiles, sd and skewness of the log
prices and, for consecutive sales of one work (same ``artwork_id``, ordered by sale year), the sd
and quantiles of the change in log price. The posterior predictive p-value of a statistic is the
share of replications whose statistic is at least the observed one; below 0.05 or above 0.95 the
model misses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError

__all__ = ["residual_table", "plot_residuals", "PPC", "posterior_predictive", "ppc_table", "plot_ppc", "ppc_sentence"]

#: Sales an artist (or sale year) needs for its mean residual to be checked and plotted.
MIN_SALES = 20
#: Repeat-sale pairs the repeat-sale part of the posterior predictive check needs.
MIN_PAIRS = 10
#: Cap of n_draws * n_sales replicated values (float32: 4 bytes each).
MAX_VALUES = 20_000_000
#: Quantiles compared by the posterior predictive check.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: p-values outside [LOW, HIGH] count as misses.
LOW, HIGH = 0.05, 0.95

LEVEL = "log price"
CHANGE = "change in log price between repeat sales of a work"
_NORMAL_BEYOND_3 = 2 * stats.norm.sf(3.0)


# -- residuals ----------------------------------------------------------------------------------
def _check_columns(fitted: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in fitted.columns]
    if missing:
        raise InputError(f"{what}: missing column {', '.join(map(repr, missing))} "
                         f"(columns present: {', '.join(map(str, fitted.columns))})")


def _group_means(fitted: pd.DataFrame, by: str, min_sales: int = MIN_SALES) -> pd.DataFrame:
    """Mean residual of each value of ``by`` with at least ``min_sales`` sales.

    Returns
    -------
    DataFrame
        ``by``, n, mean, se (the group's residual sd, ddof=1, over sqrt(n)), z (mean / se); sorted by ``by``.
    """
    g = fitted.groupby(by, sort=True)["residual"].agg(["size", "mean", "std"]).reset_index()
    g = g.rename(columns={"size": "n"})
    g = g[g["n"] >= min_sales].reset_index(drop=True)
    g["se"] = g.pop("std") / np.sqrt(g["n"])
    g["z"] = g["mean"] / g["se"]
    return g


def _largest(fitted: pd.DataFrame, by: str, noun: str):
    g = _group_means(fitted, by)
    if g.empty:
        return np.nan, f"no {noun} with ≥ {MIN_SALES} sales"
    k = g["mean"].abs().idxmax()
    mean, z = float(g.at[k, "mean"]), float(g.at[k, "z"])
    return abs(mean), f"{mean:+.3f} ({noun} {g.at[k, by]}, {int(g.at[k, 'n'])} sales, {z:+.1f} se)"


def residual_table(fitted: pd.DataFrame) -> pd.DataFrame:
    """Summary of the residuals of a fit, each beside what a well-specified model gives.

    Parameters
    ----------
    fitted : DataFrame
        The fit's in-sample sales (``PAMResults.fitted``): at least artist, sale_year, fitted, residual.

    Returns
    -------
    DataFrame
        One row per check: ``check`` (what is measured), ``value`` (formatted for print),
        ``well-specified model`` (what it gives), ``number`` (the value as a number). The checks:
        residual sd (ddof=1); skewness and excess kurtosis (moment estimators,
        :func:`scipy.stats.skew`, :func:`scipy.stats.kurtosis`); the share of standardised residuals
        (centred, over the sd) beyond ±3; the correlation of residual with fitted value; the largest
        absolute mean residual of an artist with at least :data:`MIN_SALES` sales and of such a
        sale year (its value shows the sign, the group, its sales and the mean in standard errors).
    """
    _check_columns(fitted, ("artist", "sale_year", "fitted", "residual"), "residual_table")
    r = fitted["residual"].to_numpy(dtype=float)
    sd = float(np.std(r, ddof=1))
    z = (r - r.mean()) / sd
    beyond = float(np.mean(np.abs(z) > 3))
    skew, kurt = float(stats.skew(r)), float(stats.kurtosis(r))
    corr = float(np.corrcoef(r, fitted["fitted"].to_numpy(dtype=float))[0, 1])
    artist, artist_text = _largest(fitted, "artist", "artist")
    year, year_text = _largest(fitted, "sale_year", "sale year")
    rows = [
        ("residual sd (log points)", f"{sd:.3f}", "about √σ² of the fit, a little below it (the abilities "
                                                   "absorb part of the noise)", sd),
        ("skewness of residuals", f"{skew:+.2f}", "0 (normal errors)", skew),
        ("excess kurtosis of residuals", f"{kurt:+.2f}", "0 (normal errors)", kurt),
        ("standardised residuals beyond ±3", f"{100 * beyond:.2f}%", f"{100 * _NORMAL_BEYOND_3:.2f}% (normal errors)",
         beyond),
        ("correlation of residual with fitted value", f"{corr:+.3f}", "about 0", corr),
        (f"largest |mean residual| of an artist (≥ {MIN_SALES} sales)", artist_text,
         "about 0: within ±2 se for most artists, rarely beyond ±3 se", artist),
        (f"largest |mean residual| of a sale year (≥ {MIN_SALES} sales)", year_text,
         "0 with year effects (they absorb each year's level); within ±2 se without", year),
    ]
    return pd.DataFrame(rows, columns=["check", "value", "well-specified model", "number"])


def _binned_means(x: np.ndarray, y: np.ndarray, n_bins: int = 20):
    edges = np.unique(np.quantile(x, np.linspace(0, 1, n_bins + 1)))
    k = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, max(edges.size - 2, 0))
    n = np.bincount(k)
    keep = n > 0
    return (np.bincount(k, weights=x)[keep] / n[keep]), (np.bincount(k, weights=y)[keep] / n[keep])


def _qq(ax, z: np.ndarray) -> None:
    p = (np.arange(1, min(z.size, 2000) + 1) - 0.5) / min(z.size, 2000)
    theory, sample = stats.norm.ppf(p), np.quantile(z, p)
    ax.plot(theory, sample, ".", ms=3, label="standardised residuals")
    lim = [min(theory.min(), sample.min()), max(theory.max(), sample.max())]
    ax.plot(lim, lim, "k--", lw=1, label="normal (y = x)")
    ax.set_xlabel("normal quantile")
    ax.set_ylabel("standardised residual quantile")
    ax.set_title("Normal QQ plot of standardised residuals", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")


def _means_panel(ax, g: pd.DataFrame, by: str, xlabel: str, title: str, names: bool) -> None:
    x = g[by].to_numpy() if not names else np.arange(len(g))
    thin = len(g) > 60
    ax.errorbar(x, g["mean"], yerr=2 * g["se"], fmt="o", ms=2 if thin else 3, lw=0.5 if thin else 1,
                capsize=0 if thin else 2, label="mean ± 2 se")
    ax.axhline(0, color="k", lw=1)
    if names and len(g) <= 30:
        ax.set_xticks(x, g[by].astype(str), rotation=90, fontsize=7)
    elif names:
        ax.set_xticks([])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("mean residual (log points)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="best")


def plot_residuals(fitted: pd.DataFrame):
    """Four residual panels of a fit, as one Figure (10 x 8 in).

    Residuals against fitted values with the mean residual in 20 bins of fitted value; a normal QQ
    plot of standardised residuals; the mean residual (± 2 se) of each artist with at least
    :data:`MIN_SALES` sales, sorted; and of each sale year with at least :data:`MIN_SALES` sales.

    Parameters
    ----------
    fitted : DataFrame
        The fit's in-sample sales (``PAMResults.fitted``): at least artist, sale_year, fitted, residual.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_columns(fitted, ("artist", "sale_year", "fitted", "residual"), "plot_residuals")
    f = fitted["fitted"].to_numpy(dtype=float)
    r = fitted["residual"].to_numpy(dtype=float)
    fig, axes = plt.subplots(2, 2, figsize=(10, 8))
    ax = axes[0, 0]
    ax.scatter(f, r, s=2, alpha=0.2, color="tab:blue", rasterized=True, label="sale")
    bx, by = _binned_means(f, r)
    ax.plot(bx, by, color="tab:red", lw=2, marker="o", ms=3, label="mean in 20 bins of fitted value")
    ax.axhline(0, color="k", lw=1)
    ax.set_xlabel("fitted log price")
    ax.set_ylabel("residual (log points)")
    ax.set_title("Residuals against fitted values", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    _qq(axes[0, 1], (r - r.mean()) / np.std(r, ddof=1))
    artists = _group_means(fitted, "artist").sort_values("mean").reset_index(drop=True)
    _means_panel(axes[1, 0], artists, "artist", f"artist, sorted by mean residual ({len(artists)} artists "
                 f"with ≥ {MIN_SALES} sales)", "Mean residual by artist", names=True)
    _means_panel(axes[1, 1], _group_means(fitted, "sale_year"), "sale_year", "sale year",
                 "Mean residual by sale year", names=False)
    fig.suptitle(f"Residual checks of the popularity-ability fit ({len(r):,} sales): residuals against fitted "
                 "values,\nnormal QQ plot, mean residual by artist and by sale year", fontsize=11)
    fig.tight_layout()
    return fig


# -- posterior predictive checks ----------------------------------------------------------------
@dataclass
class PPC:
    """Observed and replicated statistics of a posterior predictive check.

    Attributes
    ----------
    statistics : DataFrame
        One row per statistic: quantity (:data:`LEVEL` or :data:`CHANGE`), statistic (e.g. "sd",
        "median"), observed.
    replicated : ndarray of shape (n_draws, n_statistics)
        The statistics of each replication, columns in the order of ``statistics``.
    densities : dict
        quantity -> (bin edges, observed density, replicated densities of shape (n_draws, n_bins)).
    n_sales, n_pairs, n_draws : int
        Sales replicated, repeat-sale pairs (0 when that part was skipped), replications.
    notes : list of str
        Why a part was skipped or the replications were capped.
    """

    statistics: pd.DataFrame
    replicated: np.ndarray
    densities: dict = field(default_factory=dict)
    n_sales: int = 0
    n_pairs: int = 0
    n_draws: int = 0
    notes: list = field(default_factory=list)

    @property
    def p_values(self) -> np.ndarray:
        """Share of replications whose statistic is at least the observed one, per statistic."""
        return np.mean(self.replicated >= self.statistics["observed"].to_numpy()[None, :], axis=0)


def _quantile_names():
    return [("median" if q == 0.5 else f"{100 * q:g}% quantile") for q in QUANTILES]


def _level_stats(y: np.ndarray) -> np.ndarray:
    """Quantiles, sd (ddof=1) and skewness of each row of ``y`` (shape (m, n)): shape (m, 7)."""
    y = np.asarray(y, dtype=float)
    q = np.quantile(y, QUANTILES, axis=1).T
    return np.column_stack([q, np.std(y, axis=1, ddof=1), stats.skew(y, axis=1)])


def _change_stats(d: np.ndarray) -> np.ndarray:
    """sd (ddof=1) and quantiles of each row of ``d`` (shape (m, n)): shape (m, 6)."""
    d = np.asarray(d, dtype=float)
    return np.column_stack([np.std(d, axis=1, ddof=1), np.quantile(d, QUANTILES, axis=1).T])


def _repeat_pairs(fitted: pd.DataFrame):
    """Consecutive sales of one work: positions (earlier, later) in ``fitted``.

    Sales of one ``artwork_id`` (missing ids are no work) are ordered by sale year, ties by their
    order in ``fitted``; each sale and the next one of the same work make a pair.

    Returns
    -------
    tuple of ndarray of int
        ``earlier`` and ``later`` row positions; empty without an ``artwork_id`` column.
    """
    if "artwork_id" not in fitted.columns:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ids = fitted["artwork_id"]
    pos = np.flatnonzero(ids.notna().to_numpy())
    codes, _ = pd.factorize(ids.iloc[pos])
    k = np.lexsort((pos, fitted["sale_year"].to_numpy()[pos], codes))
    order, work = pos[k], codes[k]
    link = work[1:] == work[:-1]
    return order[:-1][link], order[1:][link]


def _densities(observed: np.ndarray, replicated: np.ndarray):
    """Histogram densities of ``observed`` and of each row of ``replicated`` on common bins (60 at most,
    about 10 observations a bin)."""
    n_bins = int(np.clip(observed.size // 10, 10, 60))
    lo = min(np.quantile(observed, 0.001), np.quantile(replicated, 0.001))
    hi = max(np.quantile(observed, 0.999), np.quantile(replicated, 0.999))
    edges = np.linspace(lo, hi, n_bins + 1)
    width = edges[1] - edges[0]
    obs = np.histogram(observed, edges)[0] / (observed.size * width)
    k = np.floor((replicated - lo) / width).astype(np.int64)
    k = np.where(replicated == hi, n_bins - 1, k)
    inside = (k >= 0) & (k < n_bins)
    rows = np.broadcast_to(np.arange(replicated.shape[0])[:, None], k.shape)
    counts = np.bincount((rows * n_bins + k)[inside], minlength=replicated.shape[0] * n_bins)
    return edges, obs, counts.reshape(replicated.shape[0], n_bins) / (replicated.shape[1] * width)


def _replicate(fitted: pd.DataFrame, ability: pd.DataFrame, sigma2: float, n_draws: int, rng) -> np.ndarray:
    """Replicated log prices, shape (n_draws, n_sales), float32 (see the module)."""
    _check_columns(ability, ("artist", "window_start", "mean", "sd"), "posterior_predictive: ability")
    cells = pd.MultiIndex.from_arrays([ability["artist"].astype(str), ability["window_start"].astype(np.int64)])
    cell = cells.get_indexer(pd.MultiIndex.from_arrays([fitted["artist"].astype(str),
                                                        fitted["window_start"].astype(np.int64)]))
    if np.any(cell < 0):
        bad = fitted.loc[cell < 0, ["artist", "window_start"]].iloc[0]
        raise InputError(f"posterior_predictive: {int(np.sum(cell < 0))} sales have no ability row (first: "
                         f"artist {bad['artist']!r}, window_start {bad['window_start']})")
    mean, sd = ability["mean"].to_numpy(dtype=float), ability["sd"].to_numpy(dtype=float)
    base = (fitted["fitted"].to_numpy(dtype=float) - mean[cell]).astype(np.float32)
    a = (mean + sd * rng.standard_normal((n_draws, mean.size))).astype(np.float32)
    e = rng.standard_normal((n_draws, base.size), dtype=np.float32)
    e *= np.float32(np.sqrt(sigma2))
    e += base[None, :]
    e += a[:, cell]
    return e


def posterior_predictive(fitted: pd.DataFrame, ability: pd.DataFrame, sigma2: float, n_draws: int = 200,
                         rng=None) -> PPC:
    """Posterior predictive check of a fit (see the module).

    Parameters
    ----------
    fitted : DataFrame
        The fit's in-sample sales (``PAMResults.fitted``): artist, sale_year, window_start,
        log_price, fitted, and artwork_id for the repeat-sale part.
    ability : DataFrame
        The fit's abilities (``PAMResults.ability``): artist, window_start, mean, sd.
    sigma2 : float
        The fit's error variance.
    n_draws : int
        Replications; capped so that n_draws * n_sales <= :data:`MAX_VALUES` (a note says so).
    rng : int, numpy.random.Generator or None

    Returns
    -------
    PPC
        The repeat-sale part is skipped, with a note, without an artwork_id column or with fewer
        than :data:`MIN_PAIRS` pairs of consecutive sales of one work.
    """
    _check_columns(fitted, ("artist", "sale_year", "window_start", "log_price", "fitted"), "posterior_predictive")
    rng = np.random.default_rng(rng)
    n_sales, notes = len(fitted), []
    cap = max(1, MAX_VALUES // max(n_sales, 1))
    if n_draws > cap:
        notes.append(f"replications capped at {cap} (of {n_draws} asked) to keep {n_sales:,} sales in memory")
        n_draws = cap
    y = fitted["log_price"].to_numpy(dtype=float)
    y_rep = _replicate(fitted, ability, sigma2, n_draws, rng)
    names = _quantile_names() + ["sd", "skewness"]
    table = pd.DataFrame({"quantity": LEVEL, "statistic": names, "observed": _level_stats(y[None, :])[0]})
    replicated = [_level_stats(y_rep)]
    densities = {LEVEL: _densities(y, y_rep)}
    earlier, later = _repeat_pairs(fitted)
    if "artwork_id" not in fitted.columns:
        notes.append("repeat-sale check skipped: the sales have no artwork_id")
    elif earlier.size < MIN_PAIRS:
        notes.append(f"repeat-sale check skipped: {earlier.size} pairs of consecutive sales of one work "
                     f"(fewer than {MIN_PAIRS})")
    else:
        d, d_rep = y[later] - y[earlier], y_rep[:, later] - y_rep[:, earlier]
        change = pd.DataFrame({"quantity": CHANGE, "statistic": ["sd"] + _quantile_names(),
                               "observed": _change_stats(d[None, :])[0]})
        table = pd.concat([table, change], ignore_index=True)
        replicated.append(_change_stats(d_rep))
        densities[CHANGE] = _densities(d, d_rep)
    n_pairs = int(earlier.size) if CHANGE in densities else 0
    return PPC(statistics=table, replicated=np.column_stack(replicated), densities=densities, n_sales=n_sales,
               n_pairs=n_pairs, n_draws=n_draws, notes=notes)


def ppc_table(ppc: PPC) -> pd.DataFrame:
    """The check as a table for print.

    Parameters
    ----------
    ppc : PPC

    Returns
    -------
    DataFrame
        quantity, statistic, observed, replicated mean, 90% of replications (the 5% to 95% quantiles
        of the replicated statistic, as text), p-value; numbers rounded to 3 decimals.
    """
    lo, hi = np.quantile(ppc.replicated, [0.05, 0.95], axis=0)
    return pd.DataFrame({"quantity": ppc.statistics["quantity"], "statistic": ppc.statistics["statistic"],
                         "observed": ppc.statistics["observed"].round(3),
                         "replicated mean": np.round(ppc.replicated.mean(axis=0), 3),
                         "90% of replications": [f"{a:.3f} to {b:.3f}" for a, b in zip(lo, hi)],
                         "p-value": np.round(ppc.p_values, 3)})


def _density_panel(ax, edges, observed, replicated, xlabel: str, title: str) -> None:
    mid = (edges[:-1] + edges[1:]) / 2
    lo, med, hi = np.quantile(replicated, [0.05, 0.5, 0.95], axis=0)
    ax.fill_between(mid, lo, hi, color="tab:blue", alpha=0.3, step="mid", label="replications: 90% band")
    ax.step(mid, med, where="mid", color="tab:blue", lw=1, label="replications: median")
    ax.step(mid, observed, where="mid", color="k", lw=1.5, label="observed")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density (share of sales per log point)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper right")


def plot_ppc(ppc: PPC):
    """Observed density against the band of replicated densities, one panel per quantity.

    The log prices, and the change in log price between repeat sales of a work when that part was
    checked; the band holds the pointwise 5% to 95% of the replicated densities.

    Parameters
    ----------
    ppc : PPC

    Returns
    -------
    matplotlib.figure.Figure
    """
    parts = [q for q in (LEVEL, CHANGE) if q in ppc.densities]
    fig, axes = plt.subplots(1, len(parts), figsize=(5.5 * len(parts) + 0.5, 4.5), squeeze=False)
    labels = {LEVEL: ("log price (log of the price unit)", "Log prices"),
              CHANGE: ("log price change between repeat sales (log points)",
                       f"Repeat sales ({ppc.n_pairs:,} pairs)")}
    for ax, part in zip(axes[0], parts):
        _density_panel(ax, *ppc.densities[part], *labels[part])
    fig.suptitle(f"Posterior predictive check: observed against {ppc.n_draws} replications from the fitted "
                 "model", fontsize=11)
    fig.tight_layout()
    return fig


def _join(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _names(rows: pd.DataFrame) -> str:
    """'the median and sd of the log price; the sd of the change ...', grouped by quantity in order."""
    return "; ".join(f"the {_join(g['statistic'])} of the {q}" for q, g in rows.groupby("quantity", sort=False))


def _misses(rows: pd.DataFrame, n_draws: int) -> str:
    """'of the log price: the sd (observed ..., higher than ..., p ...), ...; of the change ...: ...'."""
    parts = []
    for quantity, g in rows.groupby("quantity", sort=False):
        items = [f"the {r.statistic} (observed {r.observed:.3f}, {_side(r.p, n_draws)})" for r in g.itertuples()]
        parts.append(f"of the {quantity}: {_join(items)}")
    return "; ".join(parts)


def _side(p: float, n: int) -> str:
    """Where a missed observed statistic lies among ``n`` replications, with its p-value."""
    if p <= 0:
        return f"higher than every replication, p < {1 / n:.3g}"
    if p >= 1:
        return f"lower than every replication, p > {1 - 1 / n:.3g}"
    if p < LOW:
        return f"higher than {100 * (1 - p):.3g}% of replications, p = {p:.3g}"
    return f"lower than {100 * p:.3g}% of replications, p = {p:.3g}"


def ppc_sentence(ppc: PPC) -> str:
    """What the model reproduces and what it misses, in markdown.

    A statistic is missed when its p-value is below 0.05 (observed above nearly every replication)
    or above 0.95 (observed below nearly every one); p-values of 0.05 and 0.95 count as reproduced.
    Each miss gives the observed value, where it lies among the replications and its p-value; the
    notes (a skipped part, capped replications) follow.

    Parameters
    ----------
    ppc : PPC

    Returns
    -------
    str
    """
    p = ppc.p_values
    rows = ppc.statistics.assign(p=p)
    missed = rows[(p < LOW) | (p > HIGH)]
    kept = rows.drop(missed.index)
    pairs = f", {ppc.n_pairs:,} repeat-sale pairs" if ppc.n_pairs else ""
    head = f"**Posterior predictive check** ({ppc.n_draws} replications of {ppc.n_sales:,} sales{pairs}): "
    if missed.empty:
        text = f"the model reproduces every statistic checked: {_names(kept)}."
    elif kept.empty:
        text = f"the model reproduces none of the statistics checked. It misses, {_misses(missed, ppc.n_draws)}."
    else:
        text = f"the model reproduces {_names(kept)}. It misses, {_misses(missed, ppc.n_draws)}."
    return head + text + "".join(f" *Note:* {n}." for n in ppc.notes)
