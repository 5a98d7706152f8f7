"""artstudy: a reproducible study and toolkit for valuing art at auction.

Rooms (subpackages): :mod:`artstudy.data` (raw exports to the canonical sales table),
:mod:`artstudy.synth` (simulated markets and the synthetic world), :mod:`artstudy.models`
(the estimator protocol, the popularity-ability model, baselines), :mod:`artstudy.evaluation`
(time splits, metrics, the model comparison harness, the simulation study),
:mod:`artstudy.study` (tables, figures and sentences for the reports), :mod:`artstudy.cli`.
"""

import importlib

__version__ = "0.1.0"

#: Public names -> the module defining them, imported on first use (PEP 562), so that a command such as
#: ``artstudy prepare`` does not pay for importing the models (scipy.stats) it never uses.
_LAZY = {
    "PopularityAbilityModel": ".models.pam.model",
    "PopularityAbilityRegressor": ".models.pam.estimator",
    "PAMResults": ".models.pam.results",
    "fit_pam": ".models.pam.fit",
    "prepare": ".models.pam.data",
    "popularity": ".models.pam.popularity",
    "SimulationSpec": ".synth.specs",
    "simulate_market": ".synth.market",
    "StudyConfig": ".settings",
    "read_config": ".settings",
    "resolve": ".settings",
}
__all__ = [*_LAZY, "__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY])
