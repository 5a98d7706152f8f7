"""Fit the popularity-ability model to a sales table: :func:`fit_pam`.

It prepares the table (:func:`artstudy.models.pam.data.prepare`: popularity from every priced
lot, selection, windows, design), fits the array-level model
(:class:`artstudy.models.pam.model.PopularityAbilityModel`) with the settings' EM part and returns
a :class:`artstudy.models.pam.results.PAMResults`. The valuation estimator
(:class:`artstudy.models.pam.estimator.PopularityAbilityRegressor`) fits through it.
"""

from __future__ import annotations

from ..._section import build
from .data import PAMData, prepare
from .model import PopularityAbilityModel
from .results import PAMResults
from .settings import PAMSettings

__all__ = ["fit_pam", "PAMData", "PAMResults", "prepare"]


def fit_pam(sales, covariates=(), year_effects: bool = False, settings=None, random_state=None, progress=None,
            source: str | None = None) -> PAMResults:
    """Prepare a sales table and fit the popularity-ability model.

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
    """
    settings = build(PAMSettings, settings, source="model settings")
    data = prepare(sales, covariates, year_effects, settings, source=source or "sales table")
    model = PopularityAbilityModel(**settings.em(), random_state=random_state, progress=progress)
    model.fit(data.X, data.y, data.artist, data.window, data.lengths, names=data.names)
    return PAMResults.from_fit(model, data)
