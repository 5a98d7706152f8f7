"""What the seed paper reports, written once: citation, Table 2 estimates, the data funnel, Fig. 1's terms.

"Artwork pricing model integrating the popularity and ability of artists", AStA Advances
in Statistical Analysis (2024), doi:10.1007/s10182-024-00504-3 (the authors are not named in
the text copy at ``../shared/papers/``; cite by title and DOI).

Table 2's estimates are quoted in the paper's text (Section 4.2); its standard errors are
not, so only the estimates are kept. The paper's model has no stated intercept value.
"""

from __future__ import annotations

__all__ = ["TITLE", "JOURNAL", "YEAR", "DOI", "CITATION", "TABLE2", "FUNNEL", "TRACE_TERMS", "COVARIATES"]

TITLE = "Artwork pricing model integrating the popularity and ability of artists"
JOURNAL = "AStA Advances in Statistical Analysis"
YEAR = 2024
DOI = "10.1007/s10182-024-00504-3"
CITATION = f"\u201c{TITLE}\u201d, {JOURNAL} ({YEAR}), doi:{DOI}"

#: The hedonic covariates of the paper's Section 4.1 (columns of the canonical sales table).
COVARIATES = ("log_area", "signed", "inscribed", "material", "support")

#: Table 2: the estimates quoted in Section 4.2, named as the design matrix names its terms.
TABLE2 = {
    "log_area": 0.65, "signed": 0.04, "inscribed": 0.09,
    "material[oil]": 0.65, "material[acrylic]": 0.46, "material[watercolour]": 0.17,
    "material[pastel]": 0.32, "material[pencil]": 0.06, "material[mixed media]": 0.04,
    "support[canvas]": 0.73, "support[cardboard]": -0.15, "support[board]": 0.36,
    "support[paper]": -0.33, "support[leather]": -0.26, "popularity": 1.38,
}

#: Section 4.1: lots and artists before and after the artist-selection rule.
FUNNEL = {"lots": 64_176, "artists": 260, "lots_after_selection": 42_599, "artists_after_selection": 152}

#: Fig. 1 traces beta_1 (log area), beta_2 (signed), beta_4 (oil), beta_30 (the 2008 sale-year effect) and gamma.
TRACE_TERMS = ("log_area", "signed", "material[oil]", "year[2008]", "popularity")
