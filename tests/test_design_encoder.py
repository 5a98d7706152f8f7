"""DesignEncoder's levels, codes and matrix, found from each column's distinct values (no per-row text)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artstudy.models.design import (DesignEncoder, fill_design, level_codes, level_counts, reference_level)


def reference_matrix(frame, covariates, levels, years):
    """The design written column by column from the text of every row (what the encoder did before)."""
    cols = [np.ones(len(frame))]
    for name in covariates:
        if name in levels:
            text = frame[name].astype(str).to_numpy()
            cols += [(text == level).astype(float) for level in levels[name]]
        else:
            cols.append(frame[name].to_numpy(dtype=float))
    y = np.clip(frame["sale_year"].to_numpy(), years[0], years[-1])
    idx = np.searchsorted(years, y, side="right") - 1
    cols += [(idx == k).astype(float) for k in range(1, len(years))]
    return np.column_stack(cols)


@pytest.mark.parametrize("kind", ["str", "object", "category", "missing"])
def test_the_matrix_is_the_row_by_row_one(kind):
    rng = np.random.default_rng(0)
    n = 2000
    frame = pd.DataFrame({"material": rng.choice(["oil", "acrylic", "other", "paper"], n),
                          "support": rng.choice(["canvas", "board", "paper"], n, p=[0.5, 0.3, 0.2]),
                          "x": rng.normal(size=n), "flag": rng.random(n) < 0.5, "sale_year": rng.choice([1990, 1991, 1993, 1996], n)})
    if kind == "object":
        frame = frame.astype({"material": object, "support": object})
    if kind == "category":
        frame["material"] = pd.Categorical(frame["material"], categories=["oil", "acrylic", "other", "paper", "unused"])
    if kind == "missing":
        frame["support"] = frame["support"].astype(object).where(rng.random(n) > 0.1)
    cov = ["x", "flag", "material", "support"]
    enc = DesignEncoder(cov, year_effects=True).fit(frame.iloc[:1500])
    assert enc.reference_ == {"material": "other", "support": "canvas"}
    assert enc.levels_ == {"material": ["acrylic", "oil", "paper"], "support": ["board", "paper"]}  # never "unused"
    assert enc.years_.tolist() == [1990, 1991, 1993, 1996]
    later = frame.iloc[1000:].assign(sale_year=lambda f: np.where(f.index % 7 == 0, 1985,
                                                                  np.where(f.index % 5 == 0, 2005, f["sale_year"])))
    later.loc[later.index[::11], "sale_year"] = 1992  # inside the span, not fitted: the year before's effect
    want = reference_matrix(later, cov, enc.levels_, enc.years_)
    np.testing.assert_array_equal(enc.transform(later), want)
    out = np.full((len(later), len(enc.names_)), np.nan)
    assert enc.transform(later, out=out) is out and np.array_equal(out, want)


def test_levels_are_counted_by_their_text():
    s = pd.Series([1, "1", "a", None, "a", 2.5, "b", "b"], dtype=object)
    counts = level_counts(s)
    assert counts.to_dict() == {"1": 2, "a": 2, "2.5": 1, "b": 2}
    assert reference_level(s) == "1"  # the ties 1, a, b: the first in sorted order
    assert reference_level(pd.Series(["b", "other", "b"])) == "other"
    assert level_codes(s, ["a", "b", "1"]).tolist() == [2, 2, 0, -1, 0, -1, 1, 1]


def test_fill_design_writes_parts_in_blocks():
    codes = np.array([2, -1, 0, 1, 2])
    parts = [(0, np.arange(5.0)), (slice(1, 4), codes)]
    for block in (1, 2, 10):
        out = fill_design(np.full((5, 5), np.nan), parts, block)
        np.testing.assert_array_equal(out, [[0, 0, 0, 1, 0], [1, 0, 0, 0, 0], [2, 1, 0, 0, 0], [3, 0, 1, 0, 0],
                                            [4, 0, 0, 1, 0]])
    view = np.full((5, 7), np.nan)[:, 1:6]  # not contiguous: the indicators by 2-D indexing
    np.testing.assert_array_equal(fill_design(view, parts, 2), fill_design(np.empty((5, 5)), parts, 2))
