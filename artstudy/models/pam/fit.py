"""Fitting the popularity-ability model to a sales table, and its results object.

:func:`prepare` turns a validated sales table (see :mod:`artstudy.io`) into model
inputs, counting what each rule removes; :func:`fit_pam` prepares and fits;
:class:`PAMResults` holds the coefficient table, abilities, traces and funnel.

Popularity is computed from all of an artist's sales in the table, before works are
dropped by the work-window rules: a sale of an early work still adds to the
artist's market history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..design import design_matrix
from ...data.validation import check_sales
from .model import PopularityAbilityModel
from .popularity import popularity
from .selection import Funnel, artist_spans, work_window

__all__ = ["PAMData", "PAMResults", "prepare", "fit_pam", "MODEL_KEYS", "PREP_KEYS"]

MODEL_KEYS = ("sampler", "tau2_method", "n_gibbs", "n_burn", "max_iter", "min_iter", "tol", "patience", "init",
              "lam", "sigma_a")
PREP_KEYS = ("popularity_scale", "window_start", "window_width", "min_works", "min_windows")


@dataclass
class PAMData:
    """Model inputs prepared from a sales table."""

    X: np.ndarray
    y: np.ndarray
    names: list
    artist: np.ndarray  # artist index per sale
    window: np.ndarray  # window relative to the artist's first window
    lengths: np.ndarray
    first_window: np.ndarray  # absolute window index t'_0 per artist
    artists: np.ndarray  # artist names, index order
    sales: pd.DataFrame  # the kept sales, with popularity and window columns
    funnel: pd.DataFrame
    window_start: int
    window_width: int


def prepare(frame, covariates=(), year_effects=False, popularity_scale=10_000.0, window_start=1951,
            window_width=5, min_works=3, min_windows=6, n_windows=None, source="sales table") -> PAMData:
    """Validate a sales table and build the model inputs.

    Steps, each counted in ``funnel``: sales read; works made before ``window_start``
    (or after the last window when ``n_windows`` is given); artists failing the
    selection rule and their works outside ``[t'_0, t'_1]`` (skipped when
    ``min_works`` is None).
    """
    sales = check_sales(frame, covariates, source=source)
    funnel = Funnel()
    funnel.add("sales read", len(sales), sales["artist"].nunique())
    sales["log_price"] = np.log(sales["price"].to_numpy())
    sales["popularity"] = popularity(sales["artist"], sales["sale_year"], sales["log_price"], popularity_scale)
    win = work_window(sales["work_year"], window_start, window_width)
    keep = win >= 0
    if n_windows is not None:
        keep &= win < n_windows
    sales = sales.loc[keep].assign(work_window=win[keep])
    funnel.add("work made inside the study's work windows", len(sales), sales["artist"].nunique())
    codes, artists = pd.factorize(sales["artist"], sort=True)
    n_art, n_win = len(artists), int(sales["work_window"].max()) + 1 if len(sales) else 0
    if n_art == 0:
        raise ValueError(f"{source}: no sales left after the work-window rule")
    t0, t1 = artist_spans(codes, sales["work_window"].to_numpy(), n_art, n_win, min_works, min_windows)
    ok = t1 >= 0
    kept_artist = ok[codes]
    if min_works is not None:
        funnel.add(f"artist has >= {min_works} works in each of >= {min_windows} consecutive windows",
                   int(kept_artist.sum()), int(ok.sum()))
    w = sales["work_window"].to_numpy()
    inside = kept_artist & (w >= t0[codes]) & (w <= t1[codes])
    if min_works is not None:
        funnel.add("work made within the artist's span [t'0, t'1]", int(inside.sum()), int(ok.sum()))
    if not inside.any():
        raise ValueError(f"{source}: no artist passes the selection rule")
    sales = sales.loc[inside].copy()
    codes, artists = pd.factorize(sales["artist"], sort=True)
    first = t0[ok]
    # kept artists keep their sorted order, so t0[ok], t1[ok] align with the new codes
    sales["window"] = sales["work_window"].to_numpy() - first[codes]
    lengths = (t1[ok] - first + 1).astype(np.int64)
    X, names = design_matrix(sales, covariates, year_effects=year_effects)
    X = np.column_stack([X, sales["popularity"].to_numpy()])
    names = names + ["popularity"]
    return PAMData(X=X, y=sales["log_price"].to_numpy(), names=names, artist=codes,
                   window=sales["window"].to_numpy(), lengths=lengths, first_window=first,
                   artists=np.asarray(artists), sales=sales.reset_index(drop=True), funnel=funnel.table(),
                   window_start=window_start, window_width=window_width)


class PAMResults:
    """Results of a popularity-ability fit: tables, traces and a text summary."""

    def __init__(self, model: PopularityAbilityModel, data: PAMData):
        self.model = model
        self.data = data

    @property
    def coefficients(self) -> pd.DataFrame:
        """term, estimate, std_error (paper: sigma^2 (X'X)^-1), std_error_marginal (with ability uncertainty, Louis' formula)."""
        m = self.model
        return pd.DataFrame({"term": m.names_, "estimate": m.coef_.to_numpy(),
                             "std_error": m.std_error_.to_numpy(),
                             "std_error_marginal": m.std_error_marginal_.to_numpy()})

    @property
    def gamma(self) -> float:
        return float(self.model.coef_["popularity"])

    @property
    def ability(self) -> pd.DataFrame:
        """One row per artist and work window: artist, window, window_start, mean, sd."""
        m, d = self.model, self.data
        n_art, width = m.ability_mean_.shape
        i, j = np.nonzero(np.arange(width)[None, :] < d.lengths[:, None])
        absolute = d.first_window[i] + j
        return pd.DataFrame({"artist": d.artists[i], "window": absolute,
                             "window_start": d.window_start + d.window_width * absolute,
                             "mean": m.ability_mean_[i, j], "sd": m.ability_sd_[i, j]})

    def mean_ability(self) -> pd.Series:
        """Each artist's ability averaged over their windows (the paper's Eq. 15), sorted descending."""
        return (self.ability.groupby("artist")["mean"].mean()
                .sort_values(ascending=False).rename("mean_ability"))

    def top_artists(self, k: int = 5) -> pd.DataFrame:
        """Top ``k`` artists by ability in each window (the paper's Table 3), columns rank, window_start, artist, mean."""
        ab = self.ability.sort_values(["window_start", "mean"], ascending=[True, False])
        ab["rank"] = ab.groupby("window_start").cumcount() + 1
        return ab.loc[ab["rank"] <= k, ["window_start", "rank", "artist", "mean", "sd"]].reset_index(drop=True)

    @property
    def trace(self) -> pd.DataFrame:
        return self.model.trace_

    @property
    def funnel(self) -> pd.DataFrame:
        return self.data.funnel

    def summary_dict(self) -> dict:
        m, d = self.model, self.data
        return {"gamma": self.gamma, "sigma2": float(m.sigma2_), "tau2": float(m.tau2_),
                "n_sales": int(d.y.size), "n_artists": int(d.lengths.size), "n_iterations": int(m.n_iter_),
                "converged": bool(m.converged_), "seconds": float(m.fit_seconds_), "sampler": m.sampler}

    def summary(self) -> str:
        """A text summary: fit facts, then the coefficient table."""
        s = self.summary_dict()
        head = (f"Popularity-ability model (MCEM, sampler={s['sampler']})\n"
                f"sales: {s['n_sales']}  artists: {s['n_artists']}  EM iterations: {s['n_iterations']} "
                f"({'converged' if s['converged'] else 'NOT converged'}) in {s['seconds']:.2f} s\n"
                f"gamma = {s['gamma']:.4f}  sigma2 = {s['sigma2']:.4f}  tau2 = {s['tau2']:.4f}\n")
        return head + self.coefficients.to_string(index=False, float_format=lambda v: f"{v:.4f}")

    def __repr__(self):
        return self.summary()

    def write(self, out_dir) -> Path:
        """Write coefficients.csv, ability.csv, trace.csv, funnel.csv and summary.json into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.coefficients.to_csv(out / "coefficients.csv", index=False)
        self.ability.to_csv(out / "ability.csv", index=False)
        self.trace.to_csv(out / "trace.csv")
        self.funnel.to_csv(out / "funnel.csv", index=False)
        (out / "summary.json").write_text(json.dumps(self.summary_dict(), indent=2) + "\n")
        return out


def fit_pam(frame, covariates=(), year_effects=False, random_state=None, progress=None,
            source="sales table", n_windows=None, **settings) -> PAMResults:
    """Prepare a sales table and fit the popularity-ability model.

    ``settings`` takes the model's hyperparameters (:data:`MODEL_KEYS`) and the
    preparation settings (:data:`PREP_KEYS`), as in the config's ``model`` section.
    """
    unknown = set(settings) - set(MODEL_KEYS) - set(PREP_KEYS)
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    data = prepare(frame, covariates, year_effects, source=source, n_windows=n_windows,
                   **{k: settings[k] for k in PREP_KEYS if k in settings})
    model = PopularityAbilityModel(random_state=random_state, progress=progress,
                                   **{k: settings[k] for k in MODEL_KEYS if k in settings})
    model.fit(data.X, data.y, data.artist, data.window, data.lengths, names=data.names)
    return PAMResults(model, data)
