"""The truth behind every generated market: one object shared by the simulation study and the synthetic world.

The config's ``truth`` section. Coefficients are named as the design matrix names its
terms (``log_area``, ``material[oil]``, ``year[1994]``, ``popularity``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field, NonNegativeFloat, PositiveFloat

from .._section import Section
from ..models.pam.paper import TABLE2
from ..models.pam.settings import Popularity

__all__ = ["Truth", "DEFAULT_BETA"]

#: The paper's Table 2 (without gamma) and an intercept of 7 (about $1,100 for a small unsigned work on
#: an "other" support in the first sale year before popularity and ability).
DEFAULT_BETA = {"intercept": 7.0, **{k: v for k, v in TABLE2.items() if k != "popularity"}}


class Truth(Section):
    """True parameters of the popularity-ability model that generated a market."""

    gamma: float = TABLE2["popularity"]
    """Popularity coefficient (the paper's estimate: 1.38)."""
    sigma2: PositiveFloat = 1.0
    """Noise variance of log prices."""
    tau2: PositiveFloat = 4.0
    """Variance of each artist's initial ability."""
    sigma_a: PositiveFloat = 0.1
    """Random-walk step sd of the abilities."""
    year_trend: float = 0.03
    """Sale-year effects: this trend per year plus a smooth cycle, against the first sale year."""
    beta: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_BETA))
    """Regression coefficients by term (default: the paper's Table 2 and an intercept of 7)."""
    popularity: Popularity = Field(default_factory=Popularity)
    """How popularity is computed when prices are generated."""
    quality_sd: NonNegativeFloat = 1.0
    """Sd of a work's visual quality q in the synthetic world's pictures (:mod:`artstudy.synth.images`)."""
    quality_effect: float = 0.7
    """Effect of q on the world's log price (``+ quality_effect * q``; the simulated markets have no pictures)."""

    def year_effects(self, first_sale_year: int, n_sale_years: int) -> dict:
        """True sale-year effects against the first sale year: the trend with a smooth cycle."""
        k = np.arange(1, n_sale_years)
        eff = self.year_trend * k + 0.15 * np.sin(k / 3.0)
        return {f"year[{first_sale_year + int(j)}]": float(e) for j, e in zip(k, eff)}

    def coefficients(self, first_sale_year: int, n_sale_years: int) -> pd.Series:
        """Every true coefficient: beta, the sale-year effects and ``popularity`` (gamma)."""
        coef = {**self.beta, **self.year_effects(first_sale_year, n_sale_years), "popularity": self.gamma}
        return pd.Series(coef, name="truth", dtype=float)
