"""artstudy: a reproducible study and toolkit for valuing art at auction."""

from .model import PopularityAbilityModel
from .pam import PAMResults, fit_pam, prepare
from .popularity import popularity
from .simulate import SimulationSpec, simulate_market

__version__ = "0.1.0"
__all__ = ["PopularityAbilityModel", "PAMResults", "fit_pam", "prepare", "popularity", "SimulationSpec",
           "simulate_market", "__version__"]
