"""Settings of the valuation harness (the config's ``evaluation`` section)."""

from __future__ import annotations

from pydantic import Field, PositiveInt, field_validator

from .._section import Section
from ..models.pam.paper import COVARIATES

__all__ = ["EvaluationSettings", "DEFAULT_MODELS"]

#: Models of the harness's registry run by default (:mod:`artstudy.models.registry`).
DEFAULT_MODELS = ("naive", "hedonic", "hedonic_pop", "artist_fe", "random_effects", "pam")


class EvaluationSettings(Section):
    """How models are compared: the temporal split, the models, the intervals and the bootstrap."""

    sources: list[str] = Field(default_factory=lambda: ["synthetic"])
    """Sources whose valuation metrics are computed (synthetic: the generated world; else names under sources)."""
    test_years: PositiveInt = 3
    """The last test_years sale years of the data are the test period ..."""
    test_from: int | None = None
    """... unless this first test sale year is given."""
    models: list[str] = Field(default_factory=lambda: list(DEFAULT_MODELS))
    """Models to fit and score, by registry name."""
    covariates: list[str] = Field(default_factory=lambda: list(COVARIATES))
    """Hedonic covariates (columns of the sales table) every tabular model uses."""
    pam_selection: bool = False
    """Apply the popularity-ability model's artist-selection rule (model.min_works, min_windows) when it
    forecasts. Off by default: the rule serves the paper's ranking of long careers, and an artist it drops
    would be forecast as unseen (no ability), which on the synthetic world costs about 0.2 of R²."""
    levels: list[float] = Field(default_factory=lambda: [0.8, 0.95])
    """Nominal levels of the prediction intervals scored."""
    n_bootstrap: PositiveInt = 1000
    """Bootstrap resamples of the test sales for the metrics' intervals."""
    ci_level: float = 0.95
    """Level of the bootstrap intervals."""

    @field_validator("levels")
    @classmethod
    def _levels(cls, value):
        if not value or any(not 0 < v < 1 for v in value):
            raise ValueError("levels must be numbers strictly between 0 and 1")
        return sorted(set(value))

    @field_validator("ci_level")
    @classmethod
    def _ci(cls, value):
        if not 0 < value < 1:
            raise ValueError("ci_level must be strictly between 0 and 1")
        return value
