import numpy as np
import pandas as pd

from artstudy.models.design import design_matrix, reference_level
from artstudy.models.pam.popularity import popularity
from artstudy.models.pam.selection import artist_spans, work_window


def test_popularity_on_a_hand_made_table():
    table = pd.DataFrame({
        "artist": ["a", "b", "a", "a", "b", "a", "a"],
        "sale_year": [2000, 2001, 2000, 2002, 2003, 2001, 2002],
        "log_price": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    })
    u = popularity(table["artist"], table["sale_year"], table["log_price"], scale=1.0)
    # a: 2000 -> nothing earlier; 2001 -> 1+3; 2002 -> 1+3+6. b: 2001 -> 0; 2003 -> 2
    np.testing.assert_allclose(u, [0.0, 0.0, 0.0, 10.0, 2.0, 4.0, 10.0])
    np.testing.assert_allclose(popularity(table["artist"], table["sale_year"], table["log_price"]), u / 10_000)


def test_categoricals_use_other_or_the_most_frequent_level():
    frame = pd.DataFrame({
        "material": ["oil", "other", "oil", "acrylic"],
        "support": ["paper", "canvas", "canvas", "board"],
        "signed": [True, False, True, True],
        "log_area": [1.0, 2.0, 3.0, 4.0],
        "sale_year": [1993, 1994, 1994, 1995],
    })
    assert reference_level(frame["material"]) == "other"
    assert reference_level(frame["support"]) == "canvas"
    X, names = design_matrix(frame, ["log_area", "signed", "material", "support"], year_effects=True)
    assert names == ["intercept", "log_area", "signed", "material[acrylic]", "material[oil]",
                     "support[board]", "support[paper]", "year[1994]", "year[1995]"]
    np.testing.assert_array_equal(X[:, names.index("material[oil]")], [1, 0, 1, 0])
    np.testing.assert_array_equal(X[:, names.index("signed")], [1, 0, 1, 1])
    np.testing.assert_array_equal(X[:, names.index("year[1995]")], [0, 0, 0, 1])


def test_work_windows_and_the_selection_rule():
    assert list(work_window([1951, 1955, 1956, 2020, 1950])) == [0, 0, 1, 13, -1]
    # artist 0: 3 works in windows 1..6 -> kept, span 1..6; a later window with 3 works after a gap is cut
    # artist 1: 3 works in windows 0..4 only (5 windows) -> dropped
    # artist 2: 2 works in window 0, then 3 works in 2..7 -> entry at 2
    rows = []
    rows += [(0, w) for w in range(1, 7) for _ in range(3)] + [(0, 9)] * 3
    rows += [(1, w) for w in range(0, 5) for _ in range(3)]
    rows += [(2, 0)] * 2 + [(2, w) for w in range(2, 8) for _ in range(4)]
    art, win = np.array(rows).T
    t0, t1 = artist_spans(art, win, 3, 14, min_works=3, min_windows=6)
    assert list(t0[[0, 2]]) == [1, 2] and list(t1) == [6, -1, 7]
    t0, t1 = artist_spans(art, win, 3, 14, min_works=None)
    assert list(t0) == [1, 0, 0] and list(t1) == [9, 4, 7]
