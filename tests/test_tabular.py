"""The tabular encoder: features by hand on a tiny table, strictly earlier history, unseen artists."""

import numpy as np
import pandas as pd
import pytest

from artstudy.models.features import history_table, known_history, popularity_for
from artstudy.models.tabular import TabularEncoder

NAMES = ["log_area", "year[2011]", "artist_mean", "artist_log_n", "prev_log_price", "has_previous_sale",
         "years_since"]


def _table(rows, left_out=None):
    frame = pd.DataFrame(rows, columns=["lot_id", "artist", "sale_date", "artwork_id", "log_price", "log_area"])
    frame["sale_date"] = pd.to_datetime(frame["sale_date"])
    frame["sale_year"] = frame["sale_date"].dt.year
    frame["price"] = np.exp(frame.pop("log_price").astype(float))
    frame["left_out"] = pd.array(left_out or [None] * len(frame), dtype="string")
    return frame


@pytest.fixture()
def train():
    # L4 is history only (left out): it counts as the market's past, not for the design or the mean
    return _table([("L0", "A", "2010-01-01", "W1", 1.0, 1.0), ("L1", "A", "2010-06-01", "W2", 3.0, 2.0),
                   ("L2", "B", "2011-01-01", "W1", 5.0, 3.0), ("L3", "A", "2011-01-01", "W3", 2.0, 4.0),
                   ("L4", "A", "2011-06-01", "W8", 20.0, 5.0)], left_out=[None, None, None, None, "rule"])


@pytest.fixture()
def test():
    return _table([("Q0", "A", "2012-03-01", "W3", 4.0, 1.5), ("Q1", "A", "2012-03-01", "W2", 10.0, 2.5),
                   ("Q2", "C", "2012-05-01", "W9", 6.0, 3.5), ("Q3", "A", "2012-05-01", "W3", 7.0, 4.5),
                   ("Q4", "A", "2012-05-01", "W3", 9.0, 5.5)])


def _encoder(**kw):
    return TabularEncoder(["log_area"], year_effects=True, popularity=None, prior_weight=2.0, **kw)


def test_the_features_of_the_training_rows_by_hand(train):
    enc = _encoder().fit(train)
    assert enc.feature_names_ == NAMES and enc.mean_ == pytest.approx(2.75)  # (1 + 3 + 5 + 2) / 4
    X = enc.transform(train)
    assert X.dtype == np.float32 and X.shape == (5, len(NAMES))
    prior = 2 * 2.75
    expected = np.array([
        [1.0, 0, 2.75, 0, 0, 0, 0],  # first sale of A: the training mean
        [2.0, 0, (1 + prior) / 3, np.log(2), 0, 0, 0],
        [3.0, 1, 2.75, 0, 1.0, 1, 365 / 365.25],  # B unseen before; W1 sold by A a year earlier
        [4.0, 1, (1 + 3 + prior) / 4, np.log(3), 0, 0, 0],  # the same-day sale of B does not count for A
        [5.0, 1, (1 + 3 + 2 + prior) / 5, np.log(4), 0, 0, 0],
    ])
    np.testing.assert_allclose(X, expected.astype(np.float32), rtol=1e-6)


def test_the_features_of_later_rows_use_only_strictly_earlier_sales(train, test):
    enc = _encoder().fit(train)
    X = enc.transform(test)
    prior = 2 * 2.75
    a_before = 1 + 3 + 2 + 20  # the left-out lot L4 is part of the market's past
    expected = np.array([
        [1.5, 1, (a_before + prior) / 6, np.log(5), 2.0, 1, 425 / 365.25],  # W3 last sold as L3
        [2.5, 1, (a_before + prior) / 6, np.log(5), 3.0, 1, 639 / 365.25],  # Q0 same day: not counted
        [3.5, 1, 2.75, 0, 0, 0, 0],  # unseen artist C: the training mean; a later year: the last year's effect
        [4.5, 1, (a_before + 4 + 10 + prior) / 8, np.log(7), 4.0, 1, 61 / 365.25],  # W3 last sold as Q0
        [5.5, 1, (a_before + 4 + 10 + prior) / 8, np.log(7), 4.0, 1, 61 / 365.25],  # not Q3, sold the same day
    ])
    np.testing.assert_allclose(X, expected.astype(np.float32), rtol=1e-6)
    # a row's own and later prices do not change its features
    changed = test.assign(price=test["price"] * np.r_[1, 1, 50, 50, 50])
    np.testing.assert_array_equal(enc.transform(changed)[:2], X[:2])
    # lots without prices are valued from the training history alone
    unpriced = enc.transform(test.drop(columns="price"))
    np.testing.assert_allclose(unpriced[3, 2], (a_before + prior) / 6, rtol=1e-6)
    assert unpriced[3, 4] == 2.0


def test_options_drop_columns_and_popularity_is_the_models(train, test):
    enc = TabularEncoder(["log_area"], year_effects=False, popularity={"kind": "sum", "scale": 10.0},
                         repeat_features=False, artist_encoding="none").fit(train)
    assert enc.feature_names_ == ["log_area", "popularity"]
    history = known_history(history_table(train), test)
    np.testing.assert_allclose(enc.transform(test)[:, 1], popularity_for(test, history, "sum", 10.0), rtol=1e-6)
    with pytest.raises(ValueError, match="artist_encoding"):
        TabularEncoder(["log_area"], artist_encoding="onehot")
    with pytest.raises(RuntimeError, match="not fitted"):
        TabularEncoder(["log_area"]).transform(test)


def test_a_table_of_unseen_artists_gets_the_training_mean(train, test):
    enc = _encoder().fit(train)
    strangers = test.assign(artist=["X", "Y", "Z", "V", "W"], artwork_id=["N1", "N2", "N3", "N4", "N5"])
    X = enc.transform(strangers)
    np.testing.assert_allclose(X[:, 2], 2.75)
    assert (X[:, 3:] == 0).all()


def test_lag_features_by_hand_use_only_strictly_earlier_sales(train, test):
    """lags=2: A's last two log prices before each sale (the history-only L4 counts), imputed when missing."""
    enc = _encoder(lags=2).fit(train)
    assert enc.feature_names_ == NAMES + ["lag1", "lag2", "lag_mean", "lag_trend", "lag_log_n", "years_since_last"]
    lags = enc.transform(test)[:, len(NAMES):]
    year = 365.25
    # Q0 and Q1 (A, 2012-03-01): earlier A sales L0 1.0, L1 3.0, L3 2.0, L4 20.0 -> newest L4 then L3
    trend = np.polyfit(np.array([0.0, 151.0]) / year, [2.0, 20.0], 1)[0]  # L3 2011-01-01, L4 2011-06-01
    a = [20.0, 2.0, 11.0, trend, np.log1p(4), (pd.Timestamp("2012-03-01") - pd.Timestamp("2011-06-01")).days / year]
    np.testing.assert_allclose(lags[0], a, rtol=1e-5)
    np.testing.assert_allclose(lags[1], a, rtol=1e-5)  # the same-day Q0 does not count for Q1
    # Q2 (C): no earlier sale -> lags are the training mean, trend and gap 0, count 0
    np.testing.assert_allclose(lags[2], [2.75, 2.75, 2.75, 0.0, 0.0, 0.0], rtol=1e-6)
    # Q3 (A, 2012-05-01): the earlier test sales of 2012-03-01 count (log prices 4 and 10, same day)
    assert lags[3][0] in (pytest.approx(4.0), pytest.approx(10.0)) and lags[3][4] == pytest.approx(np.log1p(6))
    with pytest.raises(ValueError, match="lags"):
        _encoder(lags=-1)


def test_gbt_lags_is_registered_and_uses_the_lag_features():
    from artstudy.models.registry import DISPLAY_NAMES, make_model
    from artstudy.settings import resolve

    model = make_model("gbt_lags", resolve({"evaluation": {"lags": 3, "conformal": []}}), random_state=0)
    assert model.lags == 3 and "gbt_lags" in DISPLAY_NAMES
    assert make_model("gbt", resolve({"evaluation": {"conformal": []}}), random_state=0).lags == 0
    assert make_model("gbt_lags", resolve({"evaluation": {"lags": 2}}), random_state=0).base_factory().lags == 2
