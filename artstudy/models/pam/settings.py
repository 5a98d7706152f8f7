"""Settings of the popularity-ability model: the one place its defaults are written.

The config's ``model`` section is a :class:`PAMSettings`. The array-level estimator
:class:`artstudy.models.pam.model.PopularityAbilityModel` takes the :class:`EMSettings`
fields as keyword arguments (its signature shows these defaults); the sales-table
estimator and ``artstudy pam-fit`` take a whole :class:`PAMSettings`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt, model_validator

from ..._section import Section

__all__ = ["EMSettings", "Popularity", "PAMSettings", "SAMPLERS", "TAU2_METHODS", "INITS"]

SAMPLERS = ("ffbs", "single-site")
TAU2_METHODS = ("ars", "gig")
INITS = ("within", "ols")


class EMSettings(Section):
    """Monte Carlo EM and the priors of the abilities."""

    sampler: Literal["ffbs", "single-site"] = "ffbs"
    """How abilities are drawn in the E-step: forward filtering, backward sampling of each artist's
    path (ffbs) or the paper's single-site updates (Prop. 1)."""
    tau2_method: Literal["ars", "gig"] = "ars"
    """How tau^2 is drawn: adaptive rejection sampling on ln tau^2 (the paper's) or exactly from its GIG."""
    n_gibbs: PositiveInt = 110
    """Gibbs sweeps per E-step (the paper's G)."""
    n_burn: NonNegativeInt = 10
    """Sweeps discarded per E-step (the paper's G_0); fewer than n_gibbs."""
    max_iter: PositiveInt = 100
    """Cap on EM iterations."""
    min_iter: PositiveInt = 10
    """EM runs at least this many iterations."""
    tol: NonNegativeFloat = 0.2
    """Converged when every coefficient moved by less than tol standard errors for patience
    consecutive iterations (0 runs max_iter iterations)."""
    patience: PositiveInt = 3
    """Consecutive iterations within tol needed to stop."""
    init: Literal["within", "ols"] = "within"
    """Starting coefficients: within-(artist, window) least squares, or plain least squares (the paper's)."""
    lam: PositiveFloat = 4.0
    """Prior mean lambda of tau^2 ~ Exponential (the paper: 4)."""
    sigma_a: PositiveFloat = 0.1
    """Random-walk step standard deviation of the abilities (the paper: 0.1)."""
    expand: bool = True
    """Parameter-expanded EM (Liu, Rubin and Wu 1998): after each E-step the mean of the artists' first
    abilities moves into the intercept (every ability path shifted by it), which leaves every fitted price
    unchanged and has the same fixed point as plain EM. Without it EM creeps along the one direction only
    the abilities' N(0, tau^2) start tells apart (the intercept against the abilities' common level) and
    the stop rule ends it far from the fixed point. Used only when the design holds an intercept."""

    @model_validator(mode="after")
    def _check(self):
        if self.n_burn >= self.n_gibbs:
            raise ValueError(f"n_burn ({self.n_burn}) must be below n_gibbs ({self.n_gibbs})")
        if self.min_iter > self.max_iter:
            raise ValueError(f"min_iter ({self.min_iter}) must not exceed max_iter ({self.max_iter})")
        return self


class Popularity(Section):
    """How an artist's popularity u at a sale year is computed from the earlier sales."""

    kind: Literal["sum", "relative"] = "sum"
    """sum: the paper's Eq. 1, the sum of the artist's log prices in earlier sale years (depends on the
    price unit: prices in thousands give another gamma); relative: the same sum of each log price minus
    the market's mean log price of its sale year (unit-free)."""
    scale: PositiveFloat = 10_000.0
    """Divisor of the sum (the paper: 10,000)."""


class PAMSettings(EMSettings):
    """The popularity-ability model: EM settings, popularity, work windows and the artist-selection rule."""

    popularity: Popularity = Field(default_factory=Popularity)
    """How popularity is computed."""
    window_start: int = 1951
    """First year of the first five-year work window."""
    window_width: PositiveInt = 5
    """Years per work window."""
    min_works: PositiveInt | None = 3
    """Selection rule: at least this many works in each window of the run (null: no selection)."""
    min_windows: PositiveInt = 6
    """Selection rule: at least this many consecutive windows from the artist's first window with
    min_works works."""

    def em(self) -> dict:
        """The :class:`EMSettings` fields as keyword arguments."""
        return {k: getattr(self, k) for k in EMSettings.model_fields}
