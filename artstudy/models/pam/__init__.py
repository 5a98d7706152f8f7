"""The popularity-ability model (the seed paper): settings, data preparation, Monte Carlo EM, results, estimator.

``fit_pam`` (sales table -> :class:`PAMResults`), :class:`PAMResults` (also ``PAMResults.load``),
:class:`PopularityAbilityRegressor` (the valuation estimator), :class:`PopularityAbilityModel`
(arrays), :class:`PAMSettings`. Imported lazily, so that the data layer's features can import
:mod:`artstudy.models.pam.popularity` without the model.
"""

from __future__ import annotations

import importlib

__all__ = ["fit_pam", "prepare", "PAMData", "PAMResults", "PAMSettings", "PopularityAbilityModel",
           "PopularityAbilityRegressor", "paper"]

_WHERE = {"fit_pam": "fit", "prepare": "data", "PAMData": "data", "PAMResults": "results",
          "PAMSettings": "settings", "PopularityAbilityModel": "model", "PopularityAbilityRegressor": "estimator"}


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    if name == "paper":
        return importlib.import_module(".paper", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
