"""Sizes and shares of the generated markets (the config's ``simulation`` and ``world`` sections).

The true parameters are not here: both markets draw from one :class:`artstudy.synth.truth.Truth`.
"""

from __future__ import annotations

from pydantic import NonNegativeFloat, PositiveFloat, PositiveInt, model_validator

from .._section import Section

__all__ = ["SimulationSpec", "SimulationStudy", "WorldSpec"]


class SimulationSpec(Section):
    """Size of a market simulated from the model (the seed paper's simulation scale by default)."""

    n_artists: PositiveInt = 150
    """Artists in the market."""
    n_windows: PositiveInt = 14
    """Five-year work windows (1951-2020)."""
    window_start: int = 1951
    """First year of the first work window."""
    window_width: PositiveInt = 5
    """Years per work window."""
    first_sale_year: int = 1993
    """First sale year."""
    n_sale_years: PositiveInt = 30
    """Sale years (1993-2022)."""
    n_sales: PositiveInt = 40_000
    """Sales in the market."""
    min_windows: PositiveInt = 6
    """Every artist is active for at least this many consecutive windows ..."""
    min_works: PositiveInt = 3
    """... with at least this many works in each, so that every artist passes the selection rule."""

    @property
    def last_sale_year(self) -> int:
        return self.first_sale_year + self.n_sale_years - 1

    @model_validator(mode="after")
    def _check(self):
        if self.min_windows > self.n_windows:
            raise ValueError(f"min_windows ({self.min_windows}) exceeds n_windows ({self.n_windows})")
        if self.window_start + self.n_windows * self.window_width - 1 > self.last_sale_year:
            raise ValueError("the last work window ends after the last sale year")
        return self


class SimulationStudy(SimulationSpec):
    """The Monte Carlo simulation study: the market's size and how many replications to fit."""

    n_replications: PositiveInt = 100
    """Markets drawn and fitted (one Snakemake job each)."""
    compare_samplers: bool = True
    """Also fit every replication with the single-site sampler."""

    def market(self) -> SimulationSpec:
        """The market's part of the study settings."""
        return SimulationSpec(**{k: getattr(self, k) for k in SimulationSpec.model_fields})


_SHARES = ("unsold_share", "repeat_share", "missing_year_share", "circa_share", "range_share",
           "missing_estimate_share", "messy_name_share", "short_career_share", "sparse_share")


class WorldSpec(Section):
    """Size and shares of the synthetic Artnet-like market (``artstudy world``)."""

    n_artists: PositiveInt = 260
    """Artists (the paper's data before its selection rule: 64,176 lots by 260 artists)."""
    n_lots: PositiveInt = 64_000
    """Lots offered, sold or bought in; at least n_artists."""
    birth_first: int = 1920
    """Earliest birth year."""
    birth_last: int = 1990
    """Latest birth year."""
    window_start: int = 1951
    """First year of the first work window."""
    window_width: PositiveInt = 5
    """Years per work window."""
    n_windows: PositiveInt = 14
    """Work windows."""
    first_sale_year: int = 1993
    """First sale year."""
    n_sale_years: PositiveInt = 30
    """Sale years."""
    max_lots_per_artist: PositiveInt = 500
    """Cap on the expected lots per artist (the paper sampled at most 500 works per artist)."""
    career_age: PositiveFloat = 25.0
    """Mean age at the first work."""
    short_career_share: NonNegativeFloat = 0.15
    """Artists who stop early ..."""
    short_career_years: tuple[int, int] = (10, 40)
    """... after this many years."""
    sparse_share: NonNegativeFloat = 0.2
    """Artists whose output varies strongly between windows."""
    sparse_sd: NonNegativeFloat = 1.0
    """Log-scale sd of a sparse artist's output across windows."""
    window_sd: NonNegativeFloat = 0.35
    """Log-scale sd of the other artists' output across windows."""
    unsold_share: NonNegativeFloat = 0.2
    """Lots bought in, drawn independently of the price."""
    repeat_share: NonNegativeFloat = 0.12
    """Works offered again in a later year."""
    repeat_gap: PositiveFloat = 6.0
    """Mean years between offers of a work."""
    missing_year_share: NonNegativeFloat = 0.04
    """Works whose creation year is "not given"."""
    circa_share: NonNegativeFloat = 0.08
    """Creation years written "c. 1965"."""
    range_share: NonNegativeFloat = 0.05
    """Creation years written "1965-67"."""
    missing_estimate_share: NonNegativeFloat = 0.08
    """Lots without a presale estimate."""
    estimate_sd: NonNegativeFloat = 0.25
    """Sd of the specialist's log error in the presale estimate."""
    messy_name_share: NonNegativeFloat = 0.1
    """Artist names upper-cased and/or with trailing spaces."""
    market_growth: float = 0.05
    """Growth per year of the number of lots offered."""
    images: bool = True
    """Write a picture per work (``images/<artwork id>.png``) and its path in the raw export."""
    image_size: PositiveInt = 32
    """Pixels per side of the pictures."""

    @property
    def last_sale_year(self) -> int:
        return self.first_sale_year + self.n_sale_years - 1

    @property
    def last_work_year(self) -> int:
        return self.window_start + self.n_windows * self.window_width - 1

    @model_validator(mode="after")
    def _check(self):
        for name in _SHARES:
            if not getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be below 1, got {getattr(self, name)!r}")
        if self.circa_share + self.range_share + self.missing_year_share >= 1.0:
            raise ValueError("circa_share + range_share + missing_year_share must be below 1")
        if self.n_lots < self.n_artists:
            raise ValueError(f"n_lots ({self.n_lots}) must be at least n_artists ({self.n_artists})")
        if self.n_lots > self.n_artists * self.max_lots_per_artist:
            raise ValueError(f"n_lots {self.n_lots} exceeds n_artists x max_lots_per_artist "
                             f"({self.n_artists} x {self.max_lots_per_artist})")
        if self.birth_first > self.birth_last:
            raise ValueError("birth_first must not be after birth_last")
        if self.last_work_year > self.last_sale_year:
            raise ValueError("the last work window ends after the last sale year")
        lo, hi = self.short_career_years
        if not 0 < lo <= hi:
            raise ValueError(f"short_career_years must be 0 < first <= last, got {self.short_career_years}")
        return self

