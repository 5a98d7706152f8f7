"""Fit the popularity-ability model to a sales table: :func:`fit_pam`.

It prepares the table (:func:`artstudy.models.pam.data.prepare`: popularity from every priced
lot, selection, windows, design), fits the array-level model
(:class:`artstudy.models.pam.model.PopularityAbilityModel`) with the settings' EM part and returns
a :class:`artstudy.models.pam.results.PAMResults`, with the plain least-squares fit of the same
design without abilities (:func:`ols_table`) beside it. The valuation estimator
(:class:`artstudy.models.pam.estimator.PopularityAbilityRegressor`) fits through it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import linalg

from ..._section import build
from . import em
from .data import PAMData, prepare
from .model import PopularityAbilityModel
from .results import PAMResults
from .settings import PAMSettings

__all__ = ["fit_pam", "ols_table", "PAMData", "PAMResults", "prepare"]


def _tsqr(X, y, block: int | None = None):
    """R of the QR decomposition of ``X`` and Q'y, by a QR of each row block of [X y] and one of their stacked R
    factors (tall-skinny QR): the memory of a block, never an (N, p) Q."""
    n_par, block = X.shape[1], block or em.BLOCK
    factors = [np.linalg.qr(np.column_stack([X[lo:lo + block], y[lo:lo + block]]), mode="r")
               for lo in range(0, len(y), block)]
    r = np.linalg.qr(np.vstack(factors), mode="r") if len(factors) > 1 else factors[0]
    return r[:n_par, :n_par], r[:n_par, n_par]


def ols_table(X, y, names) -> pd.DataFrame:
    r"""Ordinary least squares of ``y`` on ``X`` with classical standard errors.

    Parameters
    ----------
    X : ndarray of shape (N, p)
        The design, full column rank (the model's: covariates, year effects, intercept, popularity).
    y : ndarray of shape (N,)
        Log prices.
    names : sequence of str
        Term names of the columns of ``X``.

    Returns
    -------
    DataFrame
        term, estimate, std_error, with std_error the square root of the diagonal of
        :math:`s^2 (X'X)^{-1}`, :math:`s^2 = \mathrm{RSS}/(N - p)`.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n_obs, n_par = X.shape
    r, qty = _tsqr(X, y)
    estimate = linalg.solve_triangular(r, qty)
    resid = y - X @ estimate
    r_inv = linalg.solve_triangular(r, np.eye(n_par))
    cov = (resid @ resid / (n_obs - n_par)) * (r_inv @ r_inv.T)
    return pd.DataFrame({"term": list(names), "estimate": estimate, "std_error": np.sqrt(np.diag(cov))})


def fit_pam(sales, covariates=(), year_effects: bool = False, settings=None, random_state=None, progress=None,
            source: str | None = None) -> PAMResults:
    """Prepare a sales table and fit the popularity-ability model (and least squares on its design).

    Parameters
    ----------
    sales : DataFrame
        The canonical sales table; rows whose ``left_out`` names a rule count only as popularity history.
    covariates : sequence of str
        Covariate columns (numeric, boolean or categorical).
    year_effects : bool
        Sale-year indicators against the first sale year.
    settings : PAMSettings, dict or None
        The config's ``model`` section (None: every default); unknown keys raise :class:`InputError`.
    random_state : int, numpy.random.Generator or None
    progress : bool or None
        Show a progress bar (None: on an interactive terminal only).
    source : str, optional
        How error messages name the table.

    Returns
    -------
    PAMResults
        With ``fitted`` (one row per in-sample sale) and ``ols`` (:func:`ols_table` on the same design).
    """
    settings = build(PAMSettings, settings, source="model settings")
    data = prepare(sales, covariates, year_effects, settings, source=source or "sales table")
    model = PopularityAbilityModel(**settings.em(), random_state=random_state, progress=progress)
    model.fit(data.X, data.y, data.artist, data.window, data.lengths, names=data.names)
    return PAMResults.from_fit(model, data, ols=ols_table(data.X, data.y, data.names))
