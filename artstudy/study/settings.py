"""Settings of the real-data analysis reports (the config's ``artnet`` section)."""

from __future__ import annotations

from pydantic import Field, PositiveInt, field_validator

from .._section import Section

__all__ = ["ArtnetSettings"]


class ArtnetSettings(Section):
    """The seed paper's Section 4 analysis, one report per source."""

    sources: list[str] = Field(default_factory=lambda: ["synthetic"], min_length=1)
    """Sources to analyse: synthetic (the generated world) or names under sources; report
    02_artnet_analysis.html for synthetic, 02_artnet_analysis_<source>.html otherwise."""
    top_k: PositiveInt = 5
    """Artists per window in the top-artists table (the paper's Table 3)."""
    n_paths: PositiveInt = 5
    """Artists whose ability paths are drawn (the paper's Fig. 2)."""

    @field_validator("sources")
    @classmethod
    def _names(cls, value):
        import re

        bad = [s for s in value if not re.fullmatch(r"[A-Za-z0-9_]+", s)]
        if bad or len(set(value)) != len(value):
            raise ValueError("sources must be distinct names of letters, digits and _")
        return value
