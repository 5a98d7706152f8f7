r"""Results of a popularity-ability fit (coefficients, abilities, traces, funnel, fitted values), on disk and back.

:meth:`PAMResults.write` writes ``coefficients.csv``, ``ability.csv``, ``trace.csv``, ``funnel.csv``,
``summary.json`` and, when present, ``fitted.csv`` (one row per in-sample sale: fitted value and
residual) and ``ols.csv`` (plain least squares on the same design, without abilities);
:meth:`PAMResults.load` reads them back (the last two are optional, so fits written before them
still load), so a notebook needs no refit. A results object made by a fit also holds the fitted
array-level ``model`` and the prepared ``data`` (both ``None`` after :meth:`load`).

The fitted value of a sale is :math:`x'\hat\beta + \hat\gamma u + E[a_{i,t'}]`, with
:math:`E[a]` the last E-step's mean of the ability draws (the ``mean`` column of ``ability``). The
final M-step fits :math:`\hat\delta` by least squares to :math:`y - E[a]`, so the residuals are
exactly orthogonal to every design column: they sum to zero overall and, with year effects, within
every sale year.

On the unit of gamma: with the paper's popularity (``popularity.kind = "sum"``) popularity is a
sum of log prices, so gamma depends on the price unit (the same market gives another gamma with
prices in thousands); ``kind = "relative"`` is unit-free. The summary says which was used.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtri  # the normal quantile (scipy.stats.norm.ppf; scipy.stats is slow to import)

__all__ = ["PAMResults", "fitted_table", "write_large_csv"]

_IDS = ("lot_id", "artwork_id")

_UNIT_NOTE = {"sum": "popularity: the paper's sum of log prices; gamma depends on the price unit",
              "relative": "popularity: log prices relative to each sale year's market mean; gamma is unit-free"}


class PAMResults:
    """Tables and facts of one fit.

    Parameters
    ----------
    coefficients : DataFrame
        term, estimate, std_error (the paper's, abilities taken as known), std_error_marginal (Louis'
        formula, with the abilities' uncertainty), mc_error (Monte Carlo sd of the estimate).
    ability : DataFrame
        artist, window (absolute work window), window_start (its first year), mean, sd.
    trace : DataFrame
        One row per EM iteration (index ``iteration``): every coefficient, sigma2 and tau2.
    funnel : DataFrame
        Lots and artists after each rule (:class:`artstudy.data.funnel.Funnel`).
    facts : dict
        gamma, sigma2, tau2, their Monte Carlo errors, n_sales, n_artists, n_iterations, converged,
        stop_reason, seconds, sampler, tau2_method, popularity_kind, popularity_scale.
    fitted : DataFrame or None
        One row per in-sample sale (:func:`fitted_table`): artist, sale_year, window_start, log_price,
        fitted, residual, and lot_id, artwork_id when the sales table had them.
    ols : DataFrame or None
        Plain least squares of log price on the same design without abilities: term, estimate,
        std_error (classical, :func:`artstudy.models.pam.fit.ols_table`).
    """

    def __init__(self, coefficients, ability, trace, funnel, facts, model=None, data=None, fitted=None, ols=None):
        self.coefficients = coefficients
        self.ability = ability
        self.trace = trace
        self.funnel = funnel
        self.facts = dict(facts)
        self.model = model
        self.data = data
        self.fitted = fitted
        self.ols = ols

    @classmethod
    def from_fit(cls, model, data, ols=None) -> "PAMResults":
        """The results of a fitted :class:`PopularityAbilityModel` on prepared :class:`PAMData`.

        Parameters
        ----------
        model : PopularityAbilityModel
            Fitted on ``data``'s arrays.
        data : PAMData
        ols : DataFrame, optional
            The least-squares table on the same design (kept as :attr:`ols`).
        """
        coef = pd.DataFrame({"term": model.names_, "estimate": model.coef_.to_numpy(),
                             "std_error": model.std_error_.to_numpy(),
                             "std_error_marginal": model.std_error_marginal_.to_numpy(),
                             "mc_error": model.mc_error_.reindex(model.names_).to_numpy()})
        width = model.ability_mean_.shape[1]
        i, j = np.nonzero(np.arange(width)[None, :] < data.lengths[:, None])
        absolute = data.first_window[i] + j
        s = data.settings
        ability = pd.DataFrame({"artist": data.artists[i], "window": absolute,
                                "window_start": s.window_start + s.window_width * absolute,
                                "mean": model.ability_mean_[i, j], "sd": model.ability_sd_[i, j]})
        mc = model.mc_error_
        facts = {"gamma": float(model.coef_["popularity"]), "sigma2": float(model.sigma2_),
                 "tau2": float(model.tau2_), "mc_error_gamma": float(mc["popularity"]),
                 "mc_error_sigma2": float(mc["sigma2"]), "mc_error_tau2": float(mc["tau2"]),
                 "n_sales": int(data.y.size), "n_artists": int(data.lengths.size),
                 "n_iterations": int(model.n_iter_), "converged": bool(model.converged_),
                 "stop_reason": model.stop_reason_, "seconds": float(model.fit_seconds_),
                 "sampler": model.sampler, "tau2_method": model.tau2_method,
                 "popularity_kind": s.popularity.kind, "popularity_scale": float(s.popularity.scale)}
        return cls(coef, ability, model.trace_, data.funnel, facts, model=model, data=data,
                   fitted=fitted_table(model, data), ols=ols)

    # -- numbers ---------------------------------------------------------------------------------
    @property
    def params(self) -> pd.Series:
        """Estimates by term."""
        return self.coefficients.set_index("term")["estimate"].rename("estimate")

    @property
    def bse(self) -> pd.Series:
        """Marginal standard errors by term (with the abilities' uncertainty)."""
        return self.coefficients.set_index("term")["std_error_marginal"].rename("bse")

    def conf_int(self, level: float = 0.95, marginal: bool = True) -> pd.DataFrame:
        """Normal confidence intervals by term: columns lower, upper (the paper's standard errors with
        ``marginal=False``)."""
        if not 0 < level < 1:
            raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
        coef = self.coefficients.set_index("term")
        se = coef["std_error_marginal" if marginal else "std_error"]
        z = ndtri(0.5 + level / 2)
        return pd.DataFrame({"lower": coef["estimate"] - z * se, "upper": coef["estimate"] + z * se})

    @property
    def gamma(self) -> float:
        return float(self.facts["gamma"])

    @property
    def sigma2(self) -> float:
        return float(self.facts["sigma2"])

    @property
    def tau2(self) -> float:
        return float(self.facts["tau2"])

    def mean_ability(self) -> pd.Series:
        """Each artist's ability averaged over their windows (the paper's Eq. 15), sorted descending."""
        return (self.ability.groupby("artist")["mean"].mean()
                .sort_values(ascending=False).rename("mean_ability"))

    def top_artists(self, k: int = 5) -> pd.DataFrame:
        """Top ``k`` artists by ability in each window (the paper's Table 3): window_start, rank, artist, mean, sd."""
        ab = self.ability.sort_values(["window_start", "mean"], ascending=[True, False])
        ab["rank"] = ab.groupby("window_start").cumcount() + 1
        return ab.loc[ab["rank"] <= k, ["window_start", "rank", "artist", "mean", "sd"]].reset_index(drop=True)

    # -- text ------------------------------------------------------------------------------------
    def summary_dict(self) -> dict:
        return dict(self.facts)

    def summary(self) -> str:
        """Fit facts (stop rule, Monte Carlo errors, the unit of gamma), a blank line, the coefficient table."""
        s = self.facts
        stop = {"converged": "converged: every coefficient moved < tol standard errors for patience iterations",
                "max_iter": "NOT converged: stopped at max_iter"}.get(s["stop_reason"], s["stop_reason"])
        head = (f"Popularity-ability model (MCEM, sampler={s['sampler']}, tau2 by {s['tau2_method']})\n"
                f"sales: {s['n_sales']}  artists: {s['n_artists']}  EM iterations: {s['n_iterations']} "
                f"in {s['seconds']:.2f} s; {stop}\n"
                f"gamma = {s['gamma']:.4f} (MC error {s['mc_error_gamma']:.2g})  "
                f"sigma2 = {s['sigma2']:.4f} (MC error {s['mc_error_sigma2']:.2g})  "
                f"tau2 = {s['tau2']:.4f} (MC error {s['mc_error_tau2']:.2g})\n"
                f"{_UNIT_NOTE.get(s['popularity_kind'], '')} (scale {s['popularity_scale']:g})")
        table = self.coefficients.to_string(index=False, float_format=lambda v: f"{v:.4f}")
        return head + "\n\n" + table

    def __repr__(self):
        return self.summary()

    # -- files -----------------------------------------------------------------------------------
    def write(self, out_dir) -> Path:
        """Write coefficients.csv, ability.csv, trace.csv, funnel.csv, summary.json and, when present,
        fitted.csv and ols.csv into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.coefficients.to_csv(out / "coefficients.csv", index=False)
        self.ability.to_csv(out / "ability.csv", index=False)
        self.trace.to_csv(out / "trace.csv", index_label="iteration")
        self.funnel.to_csv(out / "funnel.csv", index=False)
        facts = {k: v for k, v in self.facts.items() if k != "seconds"}  # wall time apart: timing.json
        (out / "summary.json").write_text(json.dumps(facts, indent=2) + "\n")
        if "seconds" in self.facts:
            (out / "timing.json").write_text(json.dumps({"seconds": self.facts["seconds"]}, indent=2) + "\n")
        if self.fitted is not None:
            write_large_csv(self.fitted, out / "fitted.csv")
        if self.ols is not None:
            self.ols.to_csv(out / "ols.csv", index=False)
        return out

    @classmethod
    def load(cls, out_dir) -> "PAMResults":
        """Read what :meth:`write` wrote (``model`` and ``data`` are None; ``fitted`` and ``ols`` are None
        when their files are absent)."""
        from ...errors import InputError

        out = Path(out_dir)
        names = ("coefficients.csv", "ability.csv", "trace.csv", "funnel.csv", "summary.json")
        missing = [n for n in names if not (out / n).exists()]
        if missing:
            raise InputError(f"{out}: not a popularity-ability fit (missing {', '.join(missing)})")
        fitted = ols = None
        if (out / "fitted.csv").exists():
            fitted = pd.read_csv(out / "fitted.csv", dtype={"artist": str, **{c: str for c in _IDS}})
        if (out / "ols.csv").exists():
            ols = pd.read_csv(out / "ols.csv")
        facts = json.loads((out / "summary.json").read_text())
        if (out / "timing.json").exists():
            facts.update(json.loads((out / "timing.json").read_text()))
        return cls(pd.read_csv(out / "coefficients.csv"), pd.read_csv(out / "ability.csv"),
                   pd.read_csv(out / "trace.csv", index_col="iteration"), pd.read_csv(out / "funnel.csv"),
                   facts, fitted=fitted, ols=ols)


def write_large_csv(table: pd.DataFrame, path) -> None:
    """Write a table of one row per sale as CSV with pyarrow's writer (about ten times pandas' speed; strings are
    quoted, numbers written in their shortest exact form, so pandas reads back the same values)."""
    import pyarrow as pa
    from pyarrow import csv

    csv.write_csv(pa.Table.from_pandas(table, preserve_index=False), path,
                  csv.WriteOptions(quoting_style="needed"))


def fitted_table(model, data) -> pd.DataFrame:
    r"""One row per in-sample sale: fitted value and residual at the final estimates.

    Parameters
    ----------
    model : PopularityAbilityModel
        Fitted on ``data``'s arrays.
    data : PAMData

    Returns
    -------
    DataFrame
        artist, sale_year, window_start (the first year of the sale's work window), log_price,
        fitted (:math:`x'\hat\beta + \hat\gamma u + E[a]`, see the module), residual (log_price -
        fitted), then lot_id and artwork_id when the sales table had them; rows in the order of
        ``data.sales``.
    """
    s = data.settings
    i, j = data.artist, data.window
    width = model.ability_mean_.shape[1]
    cell = i * width + j  # the sale's (artist, window) cell, looked up in per-cell tables
    fitted = data.design.matvec(model.coef_.to_numpy())
    fitted += model.ability_mean_.reshape(-1)[cell]
    starts = s.window_start + s.window_width * (data.first_window[:, None] + np.arange(width)[None, :])
    # the columns made here are the table's own (copy=False: no second copy of ten million rows); the sale
    # years come as the sales' column (pandas tracks that it is shared), the log prices as a copy of the model's
    table = pd.DataFrame({"artist": _take_text(data.artists, i), "sale_year": data.sales["sale_year"],
                          "window_start": starts.reshape(-1)[cell],
                          "log_price": data.y.copy(), "fitted": fitted, "residual": data.y - fitted}, copy=False)
    for column in _IDS:
        if column in data.sales.columns:
            table[column] = _as_built(data.sales[column])
    return table


def _text_dtype():
    """The type pandas gives a column of Python strings (its Arrow-backed ``str`` in pandas 3, else object)."""
    return pd.Series(["x"]).dtype


def _take_text(names, codes):
    """``names[codes]`` as the column pandas would make of it, without a Python string per row where the text
    type is Arrow-backed (Arrow's take of the names)."""
    dtype = _text_dtype()
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa

        return pd.Series(pa.array(np.asarray(names, dtype=object), type=pa.large_string()).take(pa.array(codes)),
                         dtype=dtype)
    return np.asarray(names, dtype=object)[codes]


def _as_built(series: pd.Series):
    """A column of the sales table as the fitted table takes it: its own array when it already has the type
    pandas gives text (no copy), else its values."""
    if series.dtype == _text_dtype() and series.dtype != object:
        return series.array
    return series.to_numpy()
