r"""The popularity-ability model as a valuation estimator (the protocol of :mod:`artstudy.models.base`).

:class:`PopularityAbilityRegressor` fits with :func:`artstudy.models.pam.fit.fit_pam` and predicts
the log price of a lot by its posterior predictive distribution, normal with

.. math::

    \text{mean} = x'\hat\beta + \hat\gamma u + E[a], \qquad
    \text{variance} = \hat\sigma^2 + \mathrm{Var}(a) + x'\widehat{\mathrm{Cov}}(\hat\delta)x,

where :math:`x` is the lot's design row (the encoder learned on the training rows), :math:`u` its
artist's popularity from the priced lots of *earlier sale years* (training lots and earlier lots
of the table being valued, :mod:`artstudy.models.features`), and :math:`a` the ability of the
lot's artist and work window:

- a fitted (artist, window): the last E-step's mean and variance;
- a window after the artist's last fitted one: the walk extrapolated, the last window's mean with
  variance growing by :math:`\sigma_a^2` per step (likewise backwards before the first window);
- a lot of a fitted artist without a creation year: the mixture over the artist's windows;
- an artist unseen in training: the prior, :math:`N(0, \hat\tau^2)`.

The coefficient term uses the marginal covariance (Louis' formula); its correlation with the
ability estimates is ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._section import build
from ..base import GaussianEstimator
from ..features import known_history, popularity_for
from .fit import fit_pam
from .paper import COVARIATES
from .selection import work_window
from .settings import PAMSettings

__all__ = ["PopularityAbilityRegressor"]


class PopularityAbilityRegressor(GaussianEstimator):
    """The popularity-ability model, fitted on a sales table, predicting log prices.

    Parameters
    ----------
    covariates : sequence of str
        Hedonic covariate columns (default: the paper's).
    year_effects : bool
        Sale-year indicators (a later sale year takes the last fitted year's effect).
    settings : PAMSettings, dict or None
        The config's ``model`` section.
    random_state : int, numpy.random.Generator or None

    Attributes
    ----------
    results_ : PAMResults
        The fit (with ``model`` and ``data``).
    """

    name = "pam"

    def __init__(self, covariates=COVARIATES, year_effects: bool = True, settings=None, random_state=None):
        self.covariates = tuple(covariates)
        self.year_effects = year_effects
        self.settings = build(PAMSettings, settings, source="model settings")
        self.random_state = random_state

    def fit(self, sales: pd.DataFrame) -> "PopularityAbilityRegressor":
        self.results_ = fit_pam(sales, self.covariates, self.year_effects, self.settings,
                                random_state=self.random_state, progress=False, source=self.name)
        return self

    def _check_fitted(self):
        if not hasattr(self, "results_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(sales) first")

    def design(self, sales: pd.DataFrame) -> np.ndarray:
        """The design rows of ``sales``, popularity from the history known before each lot (last column)."""
        self._check_fitted()
        data = self.results_.data
        history = known_history(data.history, sales)
        pop = self.settings.popularity
        u = popularity_for(sales, history, kind=pop.kind, scale=pop.scale)
        return np.column_stack([data.encoder.transform(sales), u])

    def ability_distribution(self, sales: pd.DataFrame):
        """``(mean, variance)`` of the ability of each row's artist and work window (see the module)."""
        self._check_fitted()
        model, data = self.results_.model, self.results_.data
        n = len(sales)
        mean, var = np.zeros(n), np.full(n, model.tau2_)
        idx = pd.Index(data.artists).get_indexer(sales["artist"].astype(str).to_numpy())
        seen = idx >= 0
        i = idx[seen]
        L = data.lengths[i]
        wy = pd.to_numeric(sales["work_year"], errors="coerce").to_numpy(dtype=float) if "work_year" in sales \
            else np.full(n, np.nan)
        known = np.isfinite(wy[seen])
        rel = np.zeros(i.size, dtype=np.int64)
        rel[known] = work_window(wy[seen][known].astype(np.int64), self.settings.window_start,
                                 self.settings.window_width) - data.first_window[i[known]]
        k = np.clip(rel, 0, L - 1)
        a_mean, a_var = model.ability_mean_[i, k], model.ability_sd_[i, k] ** 2
        a_var = a_var + np.abs(rel - k) * model.sigma_a**2
        # no creation year: the mixture over the artist's fitted windows
        mix_mean = np.nanmean(model.ability_mean_, axis=1)[i]
        mix_var = np.nanmean(model.ability_sd_**2, axis=1)[i] + np.nanvar(model.ability_mean_, axis=1)[i]
        mean[seen] = np.where(known, a_mean, mix_mean)
        var[seen] = np.where(known, a_var, mix_var)
        return mean, var

    def predict_distribution(self, sales: pd.DataFrame):
        """``(mean, sd)`` of the log price of every row of ``sales``."""
        X = self.design(sales)
        model = self.results_.model
        a_mean, a_var = self.ability_distribution(sales)
        coef_var = np.einsum("ij,jk,ik->i", X, model.cov_marginal_, X)
        mean = X @ model.coef_.to_numpy() + a_mean
        return mean, np.sqrt(model.sigma2_ + a_var + coef_var)
