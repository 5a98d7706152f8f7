"""Settings of the valuation harness (the config's ``evaluation`` section)."""

from __future__ import annotations

from pydantic import Field, PositiveFloat, PositiveInt, field_validator

from .._section import Section
from ..models.pam.paper import COVARIATES

__all__ = ["EvaluationSettings", "TreeSettings", "DEFAULT_MODELS"]

#: Models of the harness's registry run by default (:mod:`artstudy.models.registry`).
DEFAULT_MODELS = ("naive", "hedonic", "hedonic_pop", "artist_fe", "random_effects", "gbt", "gbt_lags", "pam")


class TreeSettings(Section):
    """The gradient-boosted trees (model ``gbt``, LightGBM): hyperparameters and threads."""

    n_estimators: PositiveInt = 1000
    """Most boosting rounds (early stopping on the validation year picks fewer)."""
    learning_rate: PositiveFloat = 0.05
    """Shrinkage of each tree."""
    num_leaves: PositiveInt = 31
    """Leaves per tree."""
    min_child_samples: PositiveInt = 20
    """Fewest training sales in a leaf."""
    early_stopping_rounds: PositiveInt = 50
    """Stop when the validation year's error has not improved for this many rounds."""
    threads: PositiveInt = 1
    """LightGBM threads (results are identical for a given number of threads)."""


class EvaluationSettings(Section):
    """How models are compared: the temporal split, the models, the intervals and the bootstrap."""

    sources: list[str] = Field(default_factory=lambda: ["synthetic"])
    """Sources whose valuation metrics are computed (synthetic: the generated world; else names under sources)."""
    test_years: PositiveInt = 3
    """The last test_years sale years of the data are the test period ..."""
    test_from: int | dict[str, int] | None = None
    """... unless this first test sale year is given: one year for every source, or a mapping of source names
    (the sales table's ``source`` column) to years, e.g. ``{askart_ny: 2017}`` (a source it does not name
    keeps test_years)."""
    models: list[str] = Field(default_factory=lambda: list(DEFAULT_MODELS))
    """Models to fit and score, by registry name."""
    covariates: list[str] = Field(default_factory=lambda: list(COVARIATES))
    """Hedonic covariates (columns of the sales table) every tabular model uses."""
    pam_selection: bool = False
    """Apply the popularity-ability model's artist-selection rule (model.min_works, min_windows) when it
    forecasts. Off by default: the rule serves the paper's ranking of long careers, and an artist it drops
    would be forecast as unseen (no ability), which on the synthetic world costs about 0.2 of R²."""
    artist_prior_weight: PositiveFloat = 10.0
    """Tabular models' artist feature: the artist's mean log price of earlier sales, shrunk to the training
    mean as if this many sales at that mean came first (an unseen artist gets the training mean)."""
    conformal: list[str] = Field(default_factory=lambda: ["naive", "hedonic", "hedonic_pop", "artist_fe",
                                                          "artist_fe_pop", "random_effects", "gbt", "gbt_lags"])
    """Models whose 80% and 95% intervals come from conformal prediction (crepes): calibrated on the residuals of
    the latest conformal_years training years of a fit on the years before, by segment (repeat, fresh, unseen
    artist; Mondrian), the point predictions those of the model fitted on every training year. The others
    keep their own predictive distribution (the popularity-ability model's posterior predictive, the deep
    models' normal predictive, the oracle's truth)."""
    conformal_years: PositiveInt = 2
    """Sale years at the end of the training period that calibrate the conformal intervals (a temporal split
    is not exchangeable: calibrate on the years closest to the test period)."""
    lags: PositiveInt = 5
    """The model gbt_lags: the artist's last this many log prices before each sale (with their mean, trend per
    year, the count of earlier sales and the years since the last) as features beside the tabular ones."""
    trees: TreeSettings = Field(default_factory=TreeSettings)
    """The gradient-boosted trees."""
    truth_lots: str | None = None
    """The synthetic world's truth_lots.csv (``artstudy world``): what the oracle model reads."""
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
