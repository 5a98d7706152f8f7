r"""Simulated auction markets drawn from the popularity-ability model, with known truth.

The default :class:`SimulationSpec` follows the seed paper's simulation scale: about
150 artists, 14 five-year work windows from 1951, 30 sale years from 1993, about
40,000 sales, and the paper's covariates (log area, signed, inscribed, 7 materials, 6
supports, sale-year effects), with coefficients set to the paper's Table 2 estimates.

Every artist is active over ``L_i >= min_windows`` consecutive work windows with at
least ``min_works`` works in each, so all pass the selection rule. A work from
window ``t'`` is made in a uniformly drawn year of the window and sold in a uniformly
drawn year between its making (or the first sale year) and the last sale year.
Prices are generated year by year so that popularity feeds back into later prices:

.. math::

    y_{i,t,k} = x'\beta + \gamma u_{i,t} + a_{i,t'} + \epsilon, \qquad
    u_{i,t} = \sum_{s<t}\sum_k y_{i,s,k} / \text{scale}.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["SimulationSpec", "Simulated", "simulate_market", "linear_predictor", "feedback_log_prices", "MATERIALS",
           "SUPPORTS", "PAPER_BETA", "COVARIATES"]

MATERIALS = {"oil": 0.30, "acrylic": 0.20, "watercolour": 0.10, "pastel": 0.05, "pencil": 0.10,
             "mixed media": 0.15, "other": 0.10}
SUPPORTS = {"canvas": 0.45, "cardboard": 0.05, "board": 0.10, "paper": 0.30, "leather": 0.02, "other": 0.08}

# the seed paper's Table 2 estimates, used as the simulation's truth
PAPER_BETA = {
    "intercept": 7.0, "log_area": 0.65, "signed": 0.04, "inscribed": 0.09,
    "material[oil]": 0.65, "material[acrylic]": 0.46, "material[watercolour]": 0.17,
    "material[pastel]": 0.32, "material[pencil]": 0.06, "material[mixed media]": 0.04,
    "support[canvas]": 0.73, "support[cardboard]": -0.15, "support[board]": 0.36,
    "support[paper]": -0.33, "support[leather]": -0.26,
}
COVARIATES = ("log_area", "signed", "inscribed", "material", "support")


@dataclass
class SimulationSpec:
    """Size and true parameters of a simulated market."""

    n_artists: int = 150
    n_windows: int = 14
    window_start: int = 1951
    window_width: int = 5
    first_sale_year: int = 1993
    n_sale_years: int = 30
    n_sales: int = 40_000
    gamma: float = 1.38
    sigma2: float = 1.0
    tau2: float = 4.0
    sigma_a: float = 0.1
    popularity_scale: float = 10_000.0
    min_windows: int = 6
    min_works: int = 3
    year_trend: float = 0.03
    beta: dict = field(default_factory=lambda: dict(PAPER_BETA))

    @classmethod
    def from_config(cls, section: dict) -> "SimulationSpec":
        """Build from the config's ``simulation`` section, ignoring the keys that are not the market's."""
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in section.items() if k in names})

    def year_effects(self) -> dict:
        """True sale-year effects against the first sale year: a trend with a smooth cycle."""
        k = np.arange(1, self.n_sale_years)
        eff = self.year_trend * k + 0.15 * np.sin(k / 3.0)
        return {f"year[{self.first_sale_year + int(j)}]": float(e) for j, e in zip(k, eff)}

    def coefficients(self) -> pd.Series:
        """Every true coefficient, named as :func:`artstudy.design.design_matrix` names them."""
        coef = {**self.beta, **self.year_effects(), "popularity": self.gamma}
        return pd.Series(coef, name="truth")


@dataclass
class Simulated:
    """A simulated market: the sales table and the truth behind it."""

    sales: pd.DataFrame
    spec: SimulationSpec
    coefficients: pd.Series
    ability: pd.DataFrame  # artist, window, window_start, value

    @property
    def covariates(self):
        return COVARIATES


def linear_predictor(coef: pd.Series, covariates: dict, sale_year) -> np.ndarray:
    """x'beta of each sale: intercept, covariates and sale-year effects, with ``coef`` named as
    :func:`artstudy.design.design_matrix` names terms (``col[level]``, ``year[YYYY]``; a level or year with
    no coefficient is a reference, effect 0). Numeric and boolean covariates enter as they are."""
    sale_year = np.asarray(sale_year)
    xb = np.full(sale_year.size, float(coef.get("intercept", 0.0)))
    for name, values in covariates.items():
        values = np.asarray(values)
        if values.dtype.kind in "biuf":
            xb += float(coef[name]) * values
        else:
            codes, levels = pd.factorize(values)
            xb += np.array([coef.get(f"{name}[{lev}]", 0.0) for lev in levels])[codes]
    years, codes = np.unique(sale_year, return_inverse=True)
    xb += np.array([coef.get(f"year[{int(y)}]", 0.0) for y in years])[codes]
    return xb


def feedback_log_prices(base, artist, sale_year, n_artists, gamma, scale=10_000.0, counted=None):
    """Log prices ``y = base + gamma * u`` with popularity ``u`` fed back year by year.

    ``u`` of a sale is the sum of its artist's log prices in earlier sale years over
    ``scale`` (Eq. 1), counting only the sales where ``counted`` holds (all by
    default: e.g. only sold lots). Loops over sale years, vectorised over sales.

    Returns
    -------
    y, u : ndarray
    """
    base = np.asarray(base, dtype=float)
    sale_year = np.asarray(sale_year)
    counted = np.ones(base.size, bool) if counted is None else np.asarray(counted, bool)
    y = np.empty(base.size)
    u = np.empty(base.size)
    cum = np.zeros(n_artists)
    order = np.argsort(sale_year, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(sale_year[order]) != 0])
    for idx in np.split(order, starts[1:]):
        u[idx] = cum[artist[idx]] / scale
        y[idx] = base[idx] + gamma * u[idx]
        keep = idx[counted[idx]]
        cum += np.bincount(artist[keep], weights=y[keep], minlength=n_artists)
    return y, u


def simulate_market(spec: SimulationSpec | None = None, rng=None) -> Simulated:
    """Draw one market from the model.

    Parameters
    ----------
    spec : SimulationSpec
    rng : numpy.random.Generator or int or None

    Returns
    -------
    Simulated
        ``sales`` has columns artist, sale_year, work_year, price, log_area, signed,
        inscribed, material, support, and the truth columns true_ability and
        true_popularity.
    """
    spec = spec or SimulationSpec()
    rng = np.random.default_rng(rng)
    I, W = spec.n_artists, spec.n_windows
    last_sale = spec.first_sale_year + spec.n_sale_years - 1
    # careers: first window and number of windows
    t0 = rng.integers(0, W - spec.min_windows + 1, size=I)
    L = spec.min_windows + np.floor(rng.random(I) * (W - t0 - spec.min_windows + 1)).astype(int)
    # abilities: initial N(0, tau2), random walk with sd sigma_a
    steps = rng.normal(0.0, spec.sigma_a, size=(I, W))
    steps[:, 0] = rng.normal(0.0, np.sqrt(spec.tau2), size=I)
    ability = np.cumsum(steps, axis=1)  # ability[i, j]: j-th window of artist i's career
    active = np.arange(W)[None, :] < L[:, None]
    # works per active window: min_works each, the rest spread by artist activity
    n_cells = int(active.sum())
    extra = spec.n_sales - spec.min_works * n_cells
    if extra < 0:
        raise ValueError("n_sales too small for every artist's windows to hold min_works works")
    weight = np.exp(rng.normal(0.0, 0.5, size=I))[:, None] * active
    counts = spec.min_works * active + rng.multinomial(extra, (weight / weight.sum()).ravel()).reshape(I, W)
    counts = counts * active
    artist = np.repeat(np.arange(I), counts.sum(axis=1))
    j = np.concatenate([np.repeat(np.arange(W), c) for c in counts])  # per artist (I loop, not sales)
    window = t0[artist] + j
    n = artist.size
    work_year = spec.window_start + spec.window_width * window + rng.integers(0, spec.window_width, size=n)
    low = np.maximum(work_year, spec.first_sale_year)
    if np.any(low > last_sale):
        raise ValueError("work windows extend past the last sale year")
    sale_year = low + np.floor(rng.random(n) * (last_sale - low + 1)).astype(int)
    # covariates
    log_area = rng.normal(7.5, 1.0, size=n)
    signed = rng.random(n) < 0.7
    inscribed = rng.random(n) < 0.3
    material = rng.choice(list(MATERIALS), size=n, p=list(MATERIALS.values()))
    support = rng.choice(list(SUPPORTS), size=n, p=list(SUPPORTS.values()))
    coef = spec.coefficients()
    a_obs = ability[artist, j]
    noise = rng.normal(0.0, np.sqrt(spec.sigma2), size=n)
    xb = linear_predictor(coef, {"log_area": log_area, "signed": signed, "inscribed": inscribed,
                                 "material": material, "support": support}, sale_year)
    y, u = feedback_log_prices(xb + a_obs + noise, artist, sale_year, I, spec.gamma, spec.popularity_scale)
    names = np.array([f"artist_{k:03d}" for k in range(I)])
    sales = pd.DataFrame({
        "artist": names[artist], "sale_year": sale_year, "work_year": work_year, "price": np.exp(y),
        "log_area": log_area, "signed": signed, "inscribed": inscribed, "material": material,
        "support": support, "true_ability": a_obs, "true_popularity": u,
    })
    ii, jj = np.nonzero(active)
    truth_ability = pd.DataFrame({"artist": names[ii], "window": t0[ii] + jj,
                                  "window_start": spec.window_start + spec.window_width * (t0[ii] + jj),
                                  "value": ability[ii, jj]})
    return Simulated(sales=sales, spec=spec, coefficients=coef, ability=truth_ability)
