"""The temporal split and the segments of the test sales, on hand-made tables."""

import json

import numpy as np
import pandas as pd
import pytest

from artstudy.errors import InputError
from artstudy.evaluation.segments import long_segments, segment_masks
from artstudy.evaluation.settings import EvaluationSettings
from artstudy.evaluation.split import temporal_split
from artstudy.settings import resolve


def _table(dates, left_out=None, **columns):
    n = len(dates)
    out = pd.DataFrame({"lot_id": [f"L{i}" for i in range(n)], "artist": columns.pop("artist", ["A"] * n),
                        "sale_date": dates, "sale_year": [int(d[:4]) for d in dates],
                        "price": columns.pop("price", [100.0] * n), **columns})
    out["left_out"] = pd.array(left_out if left_out is not None else [None] * n, dtype="string")
    return out


DATES = ["2010-03-01", "2010-12-31", "2011-06-01", "2012-01-01", "2012-05-05", "2013-02-02", "2014-12-31",
         "2015-01-01"]
#          kept          kept          left out      kept          kept          kept          kept
LEFT_OUT = [None, None, "sold", None, None, None, None, "sale year in 1993-2022"]


def test_the_test_period_is_the_last_in_sample_sale_years():
    sales = _table(DATES, LEFT_OUT)
    split = temporal_split(sales, EvaluationSettings(test_years=2))
    # in-sample years 2010, 2012, 2013, 2014 (2011 and 2015 hold left-out lots only): test from 2013
    assert split.cutoff == pd.Timestamp("2013-01-01")
    assert split.test.tolist() == [False] * 5 + [True] * 3
    assert split.train.tolist() == [True] * 5 + [False] * 3
    # history-only rows are in both parts; only in-sample test rows are scored
    assert split.scored.tolist() == [False] * 5 + [True, True, False]
    d = split.describe()
    assert json.loads(json.dumps(d)) == d  # split.json
    assert d["cutoff"] == "2013-01-01" and d["test_from"] == 2013
    assert d["train"] == {"first_year": 2010, "last_year": 2012, "years": [2010, 2011, 2012], "rows": 5,
                          "in_sample": 4}
    assert d["test"] == {"first_year": 2013, "last_year": 2015, "years": [2013, 2014, 2015], "rows": 3,
                         "in_sample": 2}


def test_a_first_test_year_can_be_given_and_the_boundary_is_the_first_day():
    sales = _table(DATES, LEFT_OUT)
    split = temporal_split(sales, resolve({"evaluation": {"test_from": 2012}}))
    assert split.cutoff == pd.Timestamp("2012-01-01")
    # 2012-01-01 is the first test day, 2011-06-01 the last training day before it
    assert split.test.tolist() == [False, False, False, True, True, True, True, True]
    one_year = temporal_split(sales, {"test_years": 1})
    assert one_year.cutoff == pd.Timestamp("2014-01-01")
    assert one_year.test.tolist() == [False] * 6 + [True, True]


def test_a_first_test_year_per_source():
    sales = _table(DATES, LEFT_OUT, source=["ny"] * len(DATES))
    by_source = EvaluationSettings(test_years=2, test_from={"ny": 2012, "lisbon": 2014})
    assert temporal_split(sales, by_source).cutoff == pd.Timestamp("2012-01-01")
    # a source the mapping does not name keeps test_years (in-sample years 2010, 2012, 2013, 2014)
    other = sales.assign(source="synthetic")
    assert temporal_split(other, by_source).cutoff == pd.Timestamp("2013-01-01")
    assert temporal_split(sales.drop(columns="source"), by_source).cutoff == pd.Timestamp("2013-01-01")
    # a table of two sources the mapping splits differently is refused
    mixed = sales.assign(source=["ny"] * 4 + ["lisbon"] * 4)
    with pytest.raises(InputError, match=r"test_from: .*sources lisbon, ny with different first test years \(2012, 2014\)"):
        temporal_split(mixed, by_source)
    # a config file gives the mapping
    config = resolve({"evaluation": {"test_years": 2, "test_from": {"ny": 2014}}})
    assert temporal_split(sales, config).cutoff == pd.Timestamp("2014-01-01")


def test_a_table_without_sale_dates_is_split_by_sale_year():
    sales = pd.DataFrame({"artist": ["A"] * 6, "sale_year": [2001, 2001, 2002, 2003, 2004, 2004],
                          "price": [1.0] * 6})
    split = temporal_split(sales, EvaluationSettings(test_years=2))
    assert split.cutoff == pd.Timestamp("2003-01-01")
    assert split.test.tolist() == [False, False, False, True, True, True]
    assert split.scored.tolist() == split.test.tolist()


@pytest.mark.parametrize("settings, message", [
    ({"test_years": 4}, r"test_years=4: the in-sample rows have only 4 sale years \(2010-2014\)"),
    ({"test_from": 2015}, "from 2015-01-01 leaves no in-sample test sales"),
    ({"test_from": 2010}, "from 2010-01-01 leaves no in-sample training sales"),
])
def test_an_empty_part_is_refused(settings, message):
    with pytest.raises(InputError, match=message):
        temporal_split(_table(DATES, LEFT_OUT), settings)


def test_missing_sale_dates_and_no_in_sample_rows_are_refused():
    sales = _table(DATES)
    sales.loc[2, "sale_date"] = "not a date"
    with pytest.raises(InputError, match=r"sale_date: 1 rows have no sale date \(rows 2\)"):
        temporal_split(sales, EvaluationSettings())
    with pytest.raises(InputError, match="no in-sample rows"):
        temporal_split(_table(DATES, ["sold"] * len(DATES)), EvaluationSettings())


def test_segments_of_the_test_sales():
    #            training period ...............................  test period ....................................
    dates = ["2010-01-05", "2010-02-01", "2010-03-01", "2010-04-01", "2011-01-02", "2011-01-03", "2011-02-01",
             "2011-03-01", "2011-04-01", "2011-05-01", "2011-06-01", "2011-07-01"]
    artist = ["A", "B", "C", "A", "A", "A", "B", "C", "D", "D", "A", "E"]
    work = ["W0", "W1", "W2", "W3", "W4", "W0", "W5", "W6", "W7", "W7", "W8", "W9"]
    kind = ["first", "first", "first", "first", "first", "repeat", "first", "first", "first", "repeat", "first",
            "first"]
    price = [10.0, 20.0, np.nan, 5.0, 10.0, 12.0, 30.0, 40.0, 50.0, 60.0, np.nan, 7.0]
    # B's only training lot is history only (kept as the market's past); C's training lot went unsold
    left_out = [None, "creation year given", "sold", None, None, None, None, None, None, None, "sold", None]
    sales = _table(dates, left_out, artist=artist, price=price, artwork_id=work, sale_kind=kind)
    split = temporal_split(sales, EvaluationSettings(test_from=2011))
    masks = segment_masks(sales, split)
    assert list(masks.columns) == ["all", "repeat", "fresh", "unseen_artist"]
    assert masks.index.tolist() == [4, 5, 6, 7, 8, 9, 11]  # row 10 is left out: not scored
    assert masks["all"].all()
    assert masks["repeat"].tolist() == [False, True, False, False, False, True, False]
    assert masks["fresh"].tolist() == [True, False, True, True, True, False, True]
    # C sold nothing in training, D and E never appeared; B's history-only lot counts as seen
    assert masks["unseen_artist"].tolist() == [False, False, False, True, True, True, True]
    long = long_segments(masks, ids=sales.loc[masks.index, "lot_id"])
    assert long[long["segment"] == "repeat"]["id"].tolist() == ["L5", "L9"]
    assert len(long) == masks.to_numpy().sum()


def test_a_simulated_market_has_no_repeat_or_fresh_segment():
    sales = pd.DataFrame({"artist": ["A", "B", "A", "C"], "sale_year": [2001, 2001, 2002, 2002],
                          "price": [1.0, 2.0, 3.0, 4.0]})
    split = temporal_split(sales, EvaluationSettings(test_years=1))
    masks = segment_masks(sales, split)
    assert list(masks.columns) == ["all", "unseen_artist"]
    assert masks["unseen_artist"].tolist() == [False, True]
