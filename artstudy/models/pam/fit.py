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
from .data import PAMData, prepare
from .matrix import as_design
from .model import PopularityAbilityModel
from .results import PAMResults
from .settings import PAMSettings

__all__ = ["fit_pam", "ols_table", "PAMData", "PAMResults", "prepare"]


def ols_table(X, y, names, gram=None) -> pd.DataFrame:
    r"""Ordinary least squares of ``y`` on ``X`` with classical standard errors.

    Solved from the normal equations of the column-scaled design (a Cholesky factor of the p x p matrix
    X'X, which the fit already has), then corrected by one step of iterative refinement (the least-squares
    fit of the residual): as accurate as a QR decomposition of ``X`` for any design the model accepts, at the
    cost of a few products with ``X`` instead of a decomposition of it.

    Parameters
    ----------
    X : ndarray of shape (N, p), or design products (:mod:`artstudy.models.pam.matrix`)
        The design, full column rank (the model's: covariates, year effects, intercept, popularity).
    y : ndarray of shape (N,)
        Log prices.
    names : sequence of str
        Term names of the columns of ``X``.
    gram : ndarray of shape (p, p), optional
        X'X when the caller has it.

    Returns
    -------
    DataFrame
        term, estimate, std_error, with std_error the square root of the diagonal of
        :math:`s^2 (X'X)^{-1}`, :math:`s^2 = \mathrm{RSS}/(N - p)`.
    """
    X, y = as_design(X), np.asarray(y, dtype=float)
    n_obs, n_par = X.shape
    gram = X.gram() if gram is None else np.asarray(gram, dtype=float)
    scale = np.sqrt(np.diag(gram))
    factor = linalg.cho_factor(gram / np.outer(scale, scale))

    def solve(v):
        return linalg.cho_solve(factor, v / scale) / scale

    estimate = solve(X.rmatvec(y))
    estimate = estimate + solve(X.rmatvec(y - X.matvec(estimate)))  # one step of iterative refinement
    resid = y - X.matvec(estimate)
    cov = (resid @ resid / (n_obs - n_par)) * (linalg.cho_solve(factor, np.eye(n_par)) / np.outer(scale, scale))
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
    model.fit(data.design, data.y, data.artist, data.window, data.lengths, names=data.names)
    return PAMResults.from_fit(model, data, ols=ols_table(data.design, data.y, data.names, gram=model.xtx_))
