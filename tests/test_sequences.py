"""The artist's earlier sales as sequences and lag features: exact answers on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artstudy.errors import InputError
from artstudy.models.base import log_price
from artstudy.models.features import history_table
from artstudy.models.sequences import SaleHistories, artist_histories, lag_features

from test_evaluation_market import toy_sales

E = np.exp


def days(n):
    return n / 365.25


def market():
    """Artist A around a query lot a3 (2021-01-01), with a same-day, a later, an unsold and a left-out sale."""
    rows = [
        # lot, artist, date, price, left_out, log_area, signed
        ("a1", "A", "2020-01-01", E(1.0), None, 7.0, True),
        ("a2", "A", "2020-06-01", E(2.0), None, 7.5, False),
        ("a3", "A", "2021-01-01", E(3.0), None, 8.0, True),
        ("a4", "A", "2021-01-01", E(4.0), None, 6.0, False),  # same day as a3
        ("a5", "A", "2022-01-01", E(5.0), None, 9.0, True),  # later
        ("a6", "A", "2020-09-01", np.nan, "sold", 5.0, True),  # unsold
        ("a7", "A", "2020-03-01", E(7.0), "creation year given", 6.5, True),  # left out, priced: history
        ("b1", "B", "2019-01-01", E(10.0), None, 7.2, False),
    ]
    frame = pd.DataFrame(rows, columns=["lot_id", "artist", "sale_date", "price", "left_out", "log_area", "signed"])
    frame["sale_date"] = pd.to_datetime(frame["sale_date"])
    frame.index = [f"r{i}" for i in range(len(frame))]  # positions, not labels, index history
    return frame


def row(frame, lot):
    return int(np.flatnonzero(frame["lot_id"].to_numpy() == lot)[0])


def test_history_is_strictly_earlier_priced_sales_pre_padded_oldest_to_newest():
    sales = market()
    h = artist_histories(sales, sales, 4, columns=("log_area", "signed"))
    assert isinstance(h, SaleHistories)
    assert h.feature_names == ("log_price", "gap_years", "log_area", "signed")
    assert h.positions.shape == (8, 4) and h.mask.shape == (8, 4) and h.values.shape == (8, 4, 4)
    assert h.values.dtype == np.float32 and h.length == 4
    i = row(sales, "a3")
    # a1, a7 (left out but priced), a2; not the same-day a4, the later a5 or the unsold a6
    expect = [-1, row(sales, "a1"), row(sales, "a7"), row(sales, "a2")]
    assert h.positions[i].tolist() == expect
    assert h.mask[i].tolist() == [False, True, True, True]
    assert h.lengths[i] == 3 and h.counts[i] == 3
    np.testing.assert_allclose(h.values[i, :, 0], [0.0, 1.0, 7.0, 2.0], rtol=1e-6)
    np.testing.assert_allclose(h.values[i, :, 1], [0.0, days(366), days(306), days(214)], rtol=1e-6)
    np.testing.assert_allclose(h.values[i, :, 2], [0.0, 7.0, 6.5, 7.5], rtol=1e-6)
    np.testing.assert_array_equal(h.values[i, :, 3], [0.0, 1.0, 1.0, 0.0])
    # the same-day lot sees exactly what a3 sees
    j = row(sales, "a4")
    assert h.positions[j].tolist() == expect
    # the later lot sees a3 and a4 (same day: table order) as its newest sales
    k = row(sales, "a5")
    later = [row(sales, lot) for lot in ("a7", "a2", "a3", "a4")]
    assert h.positions[k].tolist() == later and h.counts[k] == 5
    np.testing.assert_allclose(h.values[k, :, 1], [days(671), days(579), days(365), days(365)], rtol=1e-6)
    # the first sales of each artist, and the unsold lot's view
    for lot in ("a1", "b1"):
        assert h.lengths[row(sales, lot)] == 0 and (h.positions[row(sales, lot)] == -1).all()
        assert (h.values[row(sales, lot)] == 0).all()
    assert h.positions[row(sales, "a6")].tolist() == [-1, row(sales, "a1"), row(sales, "a7"), row(sales, "a2")]


def test_lengths_are_capped_at_the_sequence_length():
    sales = market()
    h = artist_histories(sales, sales, 2)
    k = row(sales, "a5")
    assert h.positions[k].tolist() == [row(sales, "a3"), row(sales, "a4")]
    assert h.lengths[k] == 2 and h.counts[k] == 5 and h.mask[k].all()
    assert h.lengths.max() == 2
    np.testing.assert_array_equal(h.lengths, h.mask.sum(axis=1))
    one = artist_histories(sales, sales, 1)
    assert one.positions[row(sales, "a3")].tolist() == [row(sales, "a2")]


def test_a_planted_later_or_same_day_sale_never_enters_but_an_earlier_one_does():
    sales = market()
    query = sales.iloc[[row(sales, "a3")]]
    base = artist_histories(query, sales, 6)
    planted = pd.concat([sales, pd.DataFrame({"lot_id": ["p_later", "p_same", "p_early"], "artist": "A",
                                              "sale_date": pd.to_datetime(["2021-01-02", "2021-01-01", "2020-12-31"]),
                                              "price": [E(50.0), E(60.0), E(70.0)], "left_out": None,
                                              "log_area": 1.0, "signed": True})])
    seen = artist_histories(query, planted, 6)
    got = planted["lot_id"].to_numpy()[seen.positions[0][seen.mask[0]]].tolist()
    assert got == ["a1", "a7", "a2", "p_early"]
    assert seen.counts[0] == base.counts[0] + 1
    lags = lag_features(query, planted, k=2)
    assert lags["lag1"].iloc[0] == pytest.approx(70.0) and lags["lag2"].iloc[0] == pytest.approx(2.0)
    assert lags["n_earlier"].iloc[0] == 4
    # changing the query row's own price, or the same-day and later prices, changes nothing
    changed = planted.copy()
    changed.loc[changed["lot_id"].isin(["a3", "a4", "a5", "p_later", "p_same"]), "price"] = E(99.0)
    pd.testing.assert_frame_equal(lag_features(query, changed, k=3), lag_features(query, planted, k=3))


def lag_market():
    history = pd.DataFrame({
        "artist": ["A", "A", "A", "B", "B"],
        "sale_date": ["2010-01-01", "2011-01-01", "2012-01-01", "2012-07-01", "2013-01-01"],
        "price": [E(1.0), E(2.0), E(4.0), E(5.0), E(8.0)],
    })
    query = pd.DataFrame({"artist": ["A", "B", "C"], "sale_date": ["2013-01-01"] * 3, "price": np.nan},
                         index=[10, 20, 30])
    return query, history


def test_lag_features_by_hand_for_two_artists():
    query, history = lag_market()
    out = lag_features(query, history, k=3)
    assert list(out.columns) == ["lag1", "lag2", "lag3", "lag_mean", "lag_trend", "n_earlier", "years_since_last"]
    assert list(out.index) == [10, 20, 30]
    a, b, c = (out.loc[i] for i in (10, 20, 30))
    step = days(365)  # the A sales are 365 days apart
    np.testing.assert_allclose(a[["lag1", "lag2", "lag3"]].to_numpy(float), [4.0, 2.0, 1.0])
    assert a["lag_mean"] == pytest.approx(7 / 3)
    # slope of (1, 2, 4) on equally spaced times: sum((t - t̄)(y - ȳ)) / sum((t - t̄)^2) = 3 / 2 per step
    assert a["lag_trend"] == pytest.approx(1.5 / step)
    assert a["n_earlier"] == 3 and a["years_since_last"] == pytest.approx(days(366))
    # B: one sale before; the 2013-01-01 sale is the query's own day
    assert b["lag1"] == pytest.approx(5.0) and np.isnan(b["lag2"]) and np.isnan(b["lag3"])
    assert b["lag_mean"] == pytest.approx(5.0) and np.isnan(b["lag_trend"])
    assert b["n_earlier"] == 1 and b["years_since_last"] == pytest.approx(days(184))
    # C never sold before
    assert c[["lag1", "lag2", "lag3", "lag_mean", "lag_trend", "years_since_last"]].isna().all()
    assert c["n_earlier"] == 0
    # k = 2: the last two A sales only, but the count is not capped
    two = lag_features(query, history, k=2).loc[10]
    assert two["lag_mean"] == pytest.approx(3.0) and two["lag_trend"] == pytest.approx(2.0 / step)
    assert two["n_earlier"] == 3


def test_lag_features_agree_with_the_sequences():
    query, history = lag_market()
    h = artist_histories(query, history, 3)
    out = lag_features(query, history, k=3)
    np.testing.assert_allclose(out[["lag3", "lag2", "lag1"]].fillna(0).to_numpy(), h.values[:, :, 0], rtol=1e-6)
    np.testing.assert_array_equal(out["n_earlier"].to_numpy(), h.counts)


def test_absent_artist_and_a_query_on_the_only_history_date_get_nothing():
    history = pd.DataFrame({"artist": ["D", "D", "D"], "sale_date": ["2015-05-05"] * 3, "price": [E(1.0)] * 3})
    query = pd.DataFrame({"artist": ["D", "Z", "D"], "sale_date": ["2015-05-05", "2020-01-01", "2015-05-06"]})
    h = artist_histories(query, history, 5)
    assert h.lengths.tolist() == [0, 0, 3] and h.counts.tolist() == [0, 0, 3]
    assert (h.positions[:2] == -1).all() and (h.values[:2] == 0).all()
    assert h.positions[2].tolist() == [-1, -1, 0, 1, 2]
    lags = lag_features(query, history, k=2)
    assert lags.iloc[:2][["lag1", "lag2", "lag_mean", "years_since_last"]].isna().all().all()
    assert lags["n_earlier"].tolist() == [0, 0, 3]
    assert lags["lag_trend"].isna().all()  # the three D sales share one date: no slope


def test_unpriced_and_undated_rows_and_an_empty_history():
    history = pd.DataFrame({"artist": ["A", "A", "A", None],
                            "sale_date": ["2010-01-01", None, "2011-01-01", "2009-01-01"],
                            "price": [E(1.0), E(2.0), 0.0, E(3.0)]})
    query = pd.DataFrame({"artist": ["A", "A", None], "sale_date": ["2012-01-01", None, "2012-01-01"]})
    h = artist_histories(query, history, 3)
    assert h.positions.tolist() == [[-1, -1, 0], [-1, -1, -1], [-1, -1, -1]]
    empty = artist_histories(query, history.iloc[:0], 3, columns=("price",))
    assert (empty.lengths == 0).all() and (empty.values == 0).all() and empty.values.shape == (3, 3, 3)
    assert lag_features(query.iloc[:0], history).empty


def test_a_history_table_gives_the_same_lookup():
    sales, _ = toy_sales(n=400, seed=3)
    raw = artist_histories(sales, sales, 4)
    table = history_table(sales)
    from_table = artist_histories(sales, table, 4)
    np.testing.assert_array_equal(raw.counts, from_table.counts)
    np.testing.assert_allclose(raw.values, from_table.values)


def slow_histories(query, history, length):
    """Reference: a plain loop over query rows."""
    y = log_price(history)
    qd, hd = pd.to_datetime(query["sale_date"]).to_numpy(), pd.to_datetime(history["sale_date"]).to_numpy()
    qa, ha = query["artist"].to_numpy(), history["artist"].to_numpy()
    positions = np.full((len(query), length), -1)
    counts = np.zeros(len(query), int)
    for i in range(len(query)):
        ok = np.flatnonzero((ha == qa[i]) & (hd < qd[i]) & np.isfinite(y))
        ok = ok[np.lexsort((ok, hd[ok]))]  # by date, ties in table order
        counts[i] = ok.size
        last = ok[-length:]
        if last.size:
            positions[i, length - last.size:] = last
    return positions, counts


def test_vectorised_lookup_matches_a_slow_reference():
    sales, _ = toy_sales(n=3000)
    sales = sales.sample(frac=1.0, random_state=1)  # not in date order
    query, history = sales.iloc[:1200], sales.iloc[600:]
    h = artist_histories(query, history, 6, columns=("log_area", "signed", "inscribed"))
    positions, counts = slow_histories(query, history, 6)
    np.testing.assert_array_equal(h.positions, positions)
    np.testing.assert_array_equal(h.counts, counts)
    assert (h.lengths < 6).any() and (h.lengths == 6).any() and (h.counts > 6).any()
    mask = positions >= 0
    y = log_price(history)
    np.testing.assert_allclose(h.values[..., 0][mask], y[positions[mask]], rtol=1e-6)
    qd = pd.to_datetime(query["sale_date"]).to_numpy()
    hd = pd.to_datetime(history["sale_date"]).to_numpy()
    gap = (np.repeat(qd[:, None], 6, axis=1)[mask] - hd[positions[mask]]) / np.timedelta64(1, "D") / 365.25
    np.testing.assert_allclose(h.values[..., 1][mask], gap, rtol=1e-6)
    assert (h.values[..., 1][mask] > 0).all()
    np.testing.assert_allclose(h.values[..., 2][mask], history["log_area"].to_numpy()[positions[mask]], rtol=1e-6)
    np.testing.assert_array_equal(h.values[..., 3][mask], history["signed"].to_numpy()[positions[mask]])
    assert (h.values[~mask] == 0).all()
    lags = lag_features(query, history, k=6)
    np.testing.assert_allclose(lags["lag1"].to_numpy()[mask[:, -1]], y[positions[mask[:, -1], -1]])
    np.testing.assert_array_equal(lags["n_earlier"].to_numpy(), counts)


def test_missing_columns_are_named():
    sales = market()
    with pytest.raises(InputError, match="query.*'artist'"):
        artist_histories(sales.drop(columns="artist"), sales, 3)
    with pytest.raises(InputError, match="history.*'sale_date'"):
        lag_features(sales, sales.drop(columns="sale_date"))
    with pytest.raises(InputError, match="'when'"):
        artist_histories(sales, sales, 3, date="when")
    renamed = sales.rename(columns={"sale_date": "when"})
    assert artist_histories(renamed, renamed, 3, date="when").counts.tolist() == \
        artist_histories(sales, sales, 3).counts.tolist()
    with pytest.raises(InputError, match="'price'"):
        artist_histories(sales, sales.drop(columns="price"), 3)
    with pytest.raises(InputError, match="'height'"):
        artist_histories(sales, sales, 3, columns=("height",))
    with pytest.raises(InputError, match="'left_out' is not numeric"):
        artist_histories(sales, sales, 3, columns=("left_out",))
    with pytest.raises(InputError, match="'sale_date'"):
        artist_histories(sales.assign(sale_date="not a date"), sales, 3)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="length"):
            artist_histories(sales, sales, bad)


def test_the_errors_are_one_line():
    sales = market()
    with pytest.raises(InputError) as err:
        artist_histories(sales.assign(sale_date="not a date"), sales, 3)
    assert "\n" not in str(err.value)
