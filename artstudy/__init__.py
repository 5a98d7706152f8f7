"""artstudy: a reproducible study and toolkit for valuing art at auction.

Rooms (subpackages): :mod:`artstudy.data` (raw exports to the canonical sales table),
:mod:`artstudy.synth` (simulated markets and the synthetic world), :mod:`artstudy.models`
(the estimator protocol, the popularity-ability model, baselines), :mod:`artstudy.evaluation`
(time splits, metrics, the model comparison harness, the simulation study),
:mod:`artstudy.study` (tables, figures and sentences for the reports), :mod:`artstudy.cli`.
"""

from .models.pam.data import prepare
from .models.pam.estimator import PopularityAbilityRegressor
from .models.pam.fit import fit_pam
from .models.pam.model import PopularityAbilityModel
from .models.pam.popularity import popularity
from .models.pam.results import PAMResults
from .settings import StudyConfig, read_config, resolve
from .synth.market import simulate_market
from .synth.specs import SimulationSpec

__version__ = "0.1.0"
__all__ = ["PopularityAbilityModel", "PopularityAbilityRegressor", "PAMResults", "fit_pam", "prepare", "popularity",
           "SimulationSpec", "simulate_market", "StudyConfig", "read_config", "resolve", "__version__"]
