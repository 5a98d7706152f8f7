r"""Simulated auction markets drawn from the popularity-ability model, with known truth.

The market's size is a :class:`artstudy.synth.specs.SimulationSpec` (the seed paper's
simulation scale by default: about 150 artists, 14 five-year work windows from 1951, 30
sale years from 1993, about 40,000 sales); the true parameters are a
:class:`artstudy.synth.truth.Truth` (the paper's Table 2 coefficients, gamma, sigma2,
tau2, sigma_a, the popularity settings), shared with the synthetic world. The covariates
are the paper's (:data:`artstudy.models.pam.paper.COVARIATES`: log area, signed,
inscribed, 7 materials, 6 supports) plus sale-year effects.

Every artist is active over ``L_i >= min_windows`` consecutive work windows with at
least ``min_works`` works in each, so all pass the selection rule and the walk's start
is the model's :math:`t'_0`: the ability is :math:`a_{i,t'_0} \sim N(0, \tau^2)` and
steps :math:`N(0, \sigma_a^2)`. A work from window ``t'`` is made in a uniformly drawn
year of the window and sold in a uniformly drawn year between its making (or the first
sale year) and the last sale year. Prices come from :mod:`artstudy.synth.prices`, year by
year, so that popularity (``truth.popularity.kind``: the paper's sum or the unit-free
relative sum) feeds back into later prices; every sale counts.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._section import build
from ..errors import InputError
from ..models.pam.paper import COVARIATES
from .prices import model_log_prices
from .specs import SimulationSpec
from .truth import Truth

__all__ = ["SimulationSpec", "Simulated", "simulate_market", "MATERIALS", "SUPPORTS"]

#: Shares of the paper's material and support categories among the simulated works.
MATERIALS = {"oil": 0.30, "acrylic": 0.20, "watercolour": 0.10, "pastel": 0.05, "pencil": 0.10,
             "mixed media": 0.15, "other": 0.10}
SUPPORTS = {"canvas": 0.45, "cardboard": 0.05, "board": 0.10, "paper": 0.30, "leather": 0.02, "other": 0.08}


@dataclass
class Simulated:
    """A simulated market: the sales table and the truth behind it.

    Attributes
    ----------
    sales : pandas.DataFrame
        One row per sale: lot_id (unique), artist, sale_year, work_year, price, the covariates
        and the truth columns true_ability and true_popularity.
    spec : SimulationSpec
        The market's size.
    truth : Truth
        The true parameters.
    coefficients : pandas.Series
        Every true coefficient by term (``truth.coefficients`` of the spec's sale years).
    ability : pandas.DataFrame
        The true abilities: artist, window, window_start, value.
    """

    sales: pd.DataFrame
    spec: SimulationSpec
    truth: Truth
    coefficients: pd.Series
    ability: pd.DataFrame

    @property
    def covariates(self) -> tuple:
        """The covariates of the sales table (the paper's)."""
        return COVARIATES


def _careers(spec: SimulationSpec, truth: Truth, rng):
    """First window, active windows and ability walk of every artist."""
    I, W = spec.n_artists, spec.n_windows
    t0 = rng.integers(0, W - spec.min_windows + 1, size=I)
    L = spec.min_windows + np.floor(rng.random(I) * (W - t0 - spec.min_windows + 1)).astype(int)
    steps = rng.normal(0.0, truth.sigma_a, size=(I, W))
    steps[:, 0] = rng.normal(0.0, np.sqrt(truth.tau2), size=I)
    ability = np.cumsum(steps, axis=1)  # ability[i, j]: the j-th window of artist i's career
    active = np.arange(W)[None, :] < L[:, None]
    return t0, active, ability


def _works(spec: SimulationSpec, active, rng):
    """Works per active window (``min_works`` each, the rest spread by artist activity): artist and career window."""
    I, W = active.shape
    extra = spec.n_sales - spec.min_works * int(active.sum())
    if extra < 0:
        raise InputError(f"simulation: n_sales too small ({spec.n_sales}) for every artist's windows to hold "
                         f"min_works ({spec.min_works}) works: these careers need {spec.n_sales - extra}")
    weight = np.exp(rng.normal(0.0, 0.5, size=I))[:, None] * active
    counts = spec.min_works * active + rng.multinomial(extra, (weight / weight.sum()).ravel()).reshape(I, W)
    counts = (counts * active).ravel()
    cell = np.repeat(np.arange(I * W), counts)  # artist-major, window order within an artist
    return cell // W, cell % W


def _years(spec: SimulationSpec, window, rng):
    """Creation year in the work's window; sale year uniform between its making (or the first sale year) and the last."""
    n = window.size
    work_year = spec.window_start + spec.window_width * window + rng.integers(0, spec.window_width, size=n)
    low = np.maximum(work_year, spec.first_sale_year)  # the spec ends the last window by the last sale year
    sale_year = low + np.floor(rng.random(n) * (spec.last_sale_year - low + 1)).astype(int)
    return work_year, sale_year


def _covariates(n: int, rng) -> dict:
    return {"log_area": rng.normal(7.5, 1.0, size=n), "signed": rng.random(n) < 0.7,
            "inscribed": rng.random(n) < 0.3,
            "material": rng.choice(list(MATERIALS), size=n, p=list(MATERIALS.values())),
            "support": rng.choice(list(SUPPORTS), size=n, p=list(SUPPORTS.values()))}


def _resolve_args(spec, truth, rng):
    if isinstance(truth, (np.random.Generator, int, np.integer)):
        # transitional: the second positional argument used to be the generator
        warnings.warn("simulate_market(spec, rng) is deprecated: the second argument is the truth; "
                      "pass the generator as rng=", DeprecationWarning, stacklevel=3)
        truth, rng = None, truth
    spec = build(SimulationSpec, spec, source="simulation")
    truth = build(Truth, truth, source="truth")
    return spec, truth, np.random.default_rng(rng)


def simulate_market(spec: SimulationSpec | None = None, truth: Truth | None = None, rng=None) -> Simulated:
    """Draw one market from the popularity-ability model.

    Parameters
    ----------
    spec : SimulationSpec or dict, optional
        The market's size (default: the paper's simulation scale).
    truth : Truth or dict, optional
        The true parameters (default: the paper's Table 2 and gamma, sigma2 1, tau2 4, sigma_a 0.1).
    rng : numpy.random.Generator or int, optional
        The only source of randomness.

    Returns
    -------
    Simulated
        ``sales`` has columns lot_id, artist, sale_year, work_year, price, log_area, signed,
        inscribed, material, support, true_ability and true_popularity.
    """
    spec, truth, rng = _resolve_args(spec, truth, rng)
    t0, active, ability = _careers(spec, truth, rng)
    artist, j = _works(spec, active, rng)
    window = t0[artist] + j
    work_year, sale_year = _years(spec, window, rng)
    covs = _covariates(artist.size, rng)
    coef = truth.coefficients(spec.first_sale_year, spec.n_sale_years)
    a_obs = ability[artist, j]
    noise = rng.normal(0.0, np.sqrt(truth.sigma2), size=artist.size)
    prices = model_log_prices(truth, coef, covs, sale_year, artist, a_obs, noise, n_artists=spec.n_artists)
    names = np.array([f"artist_{k:03d}" for k in range(spec.n_artists)])
    width = max(6, len(str(artist.size)))
    sales = pd.DataFrame({
        "lot_id": pd.Series(np.arange(1, artist.size + 1)).astype(str).str.zfill(width).radd("SIM-").to_numpy(),
        "artist": names[artist], "sale_year": sale_year, "work_year": work_year,
        "price": np.exp(prices.log_price), **covs,
        "true_ability": a_obs, "true_popularity": prices.popularity,
    })
    ii, jj = np.nonzero(active)
    truth_ability = pd.DataFrame({"artist": names[ii], "window": t0[ii] + jj,
                                  "window_start": spec.window_start + spec.window_width * (t0[ii] + jj),
                                  "value": ability[ii, jj]})
    return Simulated(sales=sales, spec=spec, truth=truth, coefficients=coef, ability=truth_ability)
