r"""The model's price generator, shared by the simulated markets and the synthetic world.

A lot's log price is

.. math::

    y = x'\beta + \gamma u_{i,t} + a_{i,t'} + \epsilon, \qquad \epsilon \sim N(0, \sigma^2),

with :math:`x'\beta` from :func:`linear_predictor` (intercept, covariates and sale-year
effects) and the popularity :math:`u_{i,t}` of the artist at the sale year fed back from
the prices drawn in earlier sale years (:func:`feedback_log_prices`), as
:func:`artstudy.models.pam.popularity.popularity` computes it from a finished table:

``kind="sum"`` (the paper's Eq. 1)
    :math:`u_{i,t} = \sum_{s<t}\sum_k y_{i,s,k} / \text{scale}`.
``kind="relative"``
    the same sum of :math:`y_{i,s,k} - \bar y_s`, each log price minus the market's mean
    log price of its sale year over every artist's counted lots of that year.

Only the *counted* lots add to popularity (in the world: every sold lot; bought-in lots
have a latent price but no price on record).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ..models.pam.settings import Popularity
from .truth import Truth

__all__ = ["linear_predictor", "feedback_log_prices", "model_log_prices", "LogPrices"]


def linear_predictor(coef: pd.Series, covariates: dict, sale_year) -> np.ndarray:
    """The linear predictor :math:`x'\\beta` of each lot, without popularity and ability.

    Parameters
    ----------
    coef : pandas.Series
        Coefficients named as the design matrix names its terms: ``intercept``, a numeric or
        boolean covariate by its name (required), a level of a categorical one as ``name[level]``, a
        sale year as ``year[YYYY]``. A level or year without a coefficient is a reference (effect 0).
    covariates : dict of str to array-like of shape (N,)
        The lots' covariates; numeric and boolean ones enter as they are.
    sale_year : array-like of int, shape (N,)

    Returns
    -------
    ndarray of shape (N,)
    """
    sale_year = np.asarray(sale_year)
    xb = np.full(sale_year.size, float(coef.get("intercept", 0.0)))
    for name, values in covariates.items():
        values = np.asarray(values)
        if values.dtype.kind in "biuf":
            if name not in coef.index:
                raise ValueError(f"no coefficient for the covariate {name!r} (coefficients: {', '.join(coef.index)})")
            xb += float(coef[name]) * values
        else:
            codes, levels = pd.factorize(values)
            xb += np.array([coef.get(f"{name}[{lev}]", 0.0) for lev in levels])[codes]
    years, codes = np.unique(sale_year, return_inverse=True)
    xb += np.array([coef.get(f"year[{int(y)}]", 0.0) for y in years])[codes]
    return xb


def feedback_log_prices(base, artist, sale_year, gamma: float, popularity: Popularity | None = None,
                        counted=None, n_artists: int | None = None):
    """Log prices ``y = base + gamma * u`` with the popularity ``u`` fed back sale year by sale year.

    Parameters
    ----------
    base : array-like of float, shape (N,)
        Each lot's log price without popularity (linear predictor, ability and noise).
    artist : array-like of int, shape (N,)
        Artist codes ``0 .. n_artists - 1``.
    sale_year : array-like of int, shape (N,)
    gamma : float
        The popularity coefficient.
    popularity : Popularity, optional
        ``kind`` ("sum" or "relative") and ``scale``; default the paper's sum over 10,000.
    counted : array-like of bool, shape (N,), optional
        Lots whose prices add to popularity (default: all).
    n_artists : int, optional
        Number of artists (default: the largest code + 1).

    Returns
    -------
    y, u : ndarray of shape (N,)
        Log prices and popularity. Loops over sale years, vectorised over lots.
    """
    pop = popularity if popularity is not None else Popularity()
    base = np.asarray(base, dtype=float)
    artist = np.asarray(artist, dtype=np.int64)
    sale_year = np.asarray(sale_year)
    counted = np.ones(base.size, bool) if counted is None else np.asarray(counted, bool)
    n_artists = int(artist.max()) + 1 if n_artists is None and artist.size else int(n_artists or 0)
    y = np.empty(base.size)
    u = np.empty(base.size)
    cum = np.zeros(n_artists)
    order = np.argsort(sale_year, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(sale_year[order]) != 0])
    for idx in np.split(order, starts[1:]):
        u[idx] = cum[artist[idx]] / pop.scale
        y[idx] = base[idx] + gamma * u[idx]
        keep = idx[counted[idx]]
        weights = y[keep]
        if pop.kind == "relative" and keep.size:  # relative to the year's mean over every artist
            weights = weights - weights.mean()
        cum += np.bincount(artist[keep], weights=weights, minlength=n_artists)
    return y, u


class LogPrices(NamedTuple):
    """Log prices drawn from the model, with their popularity and expectation."""

    log_price: np.ndarray
    """y: the expected log price plus the noise."""
    popularity: np.ndarray
    """u: the artist's popularity at the sale year."""
    expected: np.ndarray
    """x'beta + gamma u + a: the log price without the noise."""


def model_log_prices(truth: Truth, coef: pd.Series, covariates: dict, sale_year, artist, ability, noise,
                     counted=None, n_artists: int | None = None) -> LogPrices:
    """Every lot's log price from the model, popularity fed back year by year.

    Parameters
    ----------
    truth : Truth
        gamma and the popularity settings.
    coef : pandas.Series
        The true coefficients (:meth:`Truth.coefficients`).
    covariates : dict
        The lots' covariates (see :func:`linear_predictor`).
    sale_year, artist : array-like of int, shape (N,)
    ability, noise : array-like of float, shape (N,)
        The artist's ability in the work's window, and the lot's noise.
    counted : array-like of bool, optional
        Lots whose prices add to popularity (default: all).
    n_artists : int, optional

    Returns
    -------
    LogPrices
    """
    noise = np.asarray(noise, dtype=float)
    base = linear_predictor(coef, covariates, sale_year) + np.asarray(ability, dtype=float) + noise
    y, u = feedback_log_prices(base, artist, sale_year, truth.gamma, truth.popularity, counted, n_artists)
    return LogPrices(log_price=y, popularity=u, expected=y - noise)
