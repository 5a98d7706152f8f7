"""The sequence models (lstm, cnn_lstm): builder, masking, learning from history, leak-free prediction, embeddings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artstudy.errors import InputError
from artstudy.models.base import Estimator, log_price
from artstudy.models.deep.estimators import TabularMLP
from artstudy.models.deep.sequence import CNNLSTMRegressor, SequenceRegressor, build_sequence_model

NETWORK = {"lstm_units": 8, "hidden": (8,), "head": (16,), "dropout": 0.0}
# the history alone (no tabular features): the artist mean would tempt so small a network
OPTIONS = {"covariates": (), "year_effects": False, "artist_encoding": "none", "repeat_features": False, "length": 8, "epochs": 40, "batch_size": 32, "learning_rate": 1e-2, "patience": 6,
           "network": NETWORK, "random_state": 0}


def _walk(n_artists=6, per=60, seed=0):
    """Lots whose log price is the artist's previous sale's log price plus noise (a random walk per artist)."""
    rng = np.random.default_rng(seed)
    frames = []
    for a in range(n_artists):
        days = np.sort(rng.choice(np.arange(0, 3650), size=per, replace=False))
        y = rng.normal(8.0, 1.5) + np.cumsum(rng.normal(0.0, 0.35, per))
        frames.append(pd.DataFrame({"artist": f"a{a}", "day": days, "logp": y}))
    frame = pd.concat(frames, ignore_index=True).sort_values(["day", "artist"], ignore_index=True)
    dates = pd.Timestamp("2000-01-01") + pd.to_timedelta(frame["day"], unit="D")
    n = len(frame)
    return pd.DataFrame({"lot_id": [f"L{i}" for i in range(n)], "artist": frame["artist"],
                         "artwork_id": [f"W{i}" for i in range(n)], "sale_date": dates,
                         "sale_year": dates.dt.year, "work_year": 1990, "log_area": rng.normal(7.5, 0.5, n),
                         "price": np.exp(frame["logp"]), "image_path": [f"p{i}.png" for i in range(n)]})


@pytest.fixture(scope="module")
def market():
    sales = _walk()
    train = sales[sales["sale_year"] < 2008].reset_index(drop=True)
    test = sales[sales["sale_year"] >= 2008].reset_index(drop=True)
    return train, test


@pytest.fixture(scope="module")
def lstm(market):
    return SequenceRegressor(**OPTIONS).fit(market[0])


def _inputs(n, length, f, n_features, rng, real):
    """Random history inputs with ``real[i]`` real steps (``present`` 1.0 last) pre-padded with zeros."""
    hist = np.zeros((n, length, f), np.float32)
    for i, k in enumerate(real):
        if k:
            hist[i, length - k:, :-1] = rng.normal(size=(k, f - 1))
            hist[i, length - k:, -1] = 1.0
    return {"history": hist, "tabular": rng.normal(size=(n, n_features)).astype(np.float32)}


@pytest.mark.parametrize("gaussian", [True, False])
def test_builder_names_inputs_and_output(gaussian):
    from artstudy.models.deep.training import train

    model = build_sequence_model(3, 2, 5, embedding_dim=4, lstm_units=4, hidden=(4,), head=(4,), gaussian=gaussian,
                                 seed=0)
    assert {t.name for t in model.inputs} == {"history", "tabular", "embedding"}
    assert model.get_layer("log_price") is not None and model.name == "sequence"
    rng = np.random.default_rng(0)
    x = _inputs(16, 5, 3, 2, rng, real=rng.integers(0, 6, 16))
    x["embedding"] = rng.normal(size=(16, 4)).astype(np.float32)
    out = np.asarray(model(x, training=False))
    assert out.shape == ((16, 2) if gaussian else (16,))
    before = [np.array(w) for w in model.get_layer("lstm").get_weights()]
    curves = train(model, x, rng.normal(size=16), epochs=1, batch_size=8)
    assert np.isfinite(curves["loss"]).all()
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_layer("lstm").get_weights()))
    plain = build_sequence_model(3, 2, 5, gaussian=gaussian, seed=0)
    assert {t.name for t in plain.inputs} == {"history", "tabular"}


def test_padding_is_masked():
    """The same real steps padded to length 4 or 8 give the same prediction."""
    short = build_sequence_model(3, 2, 4, lstm_units=6, hidden=(4,), head=(4,), seed=1)
    long = build_sequence_model(3, 2, 8, lstm_units=6, hidden=(4,), head=(4,), seed=2)
    rng = np.random.default_rng(1)
    # random biases too: with the initial zero biases an all-zero step would leave an LSTM's zero state alone
    lstm = short.get_layer("lstm")
    lstm.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in lstm.get_weights()])
    long.set_weights(short.get_weights())
    x4 = _inputs(5, 4, 3, 2, rng, real=[0, 1, 2, 3, 4])
    x8 = {"history": np.concatenate([np.zeros((5, 4, 3), np.float32), x4["history"]], axis=1),
          "tabular": x4["tabular"]}
    np.testing.assert_allclose(np.asarray(long(x8, training=False)), np.asarray(short(x4, training=False)),
                               rtol=1e-5, atol=1e-5)


def test_lstm_learns_from_the_artists_history(market, lstm):
    train, test = market
    assert isinstance(lstm, Estimator) and lstm.name == "lstm"
    assert lstm.step_names_ == ("log_price", "gap_years", "present") and len(lstm.store_) == len(train)
    mean, sd = lstm.predict_distribution(test)
    y = log_price(test)
    mlp = TabularMLP(covariates=(), epochs=40, batch_size=32, learning_rate=1e-2, patience=6,
                     network={"hidden": (16,), "dropout": 0.0}, random_state=0).fit(train)
    mse, mse_mlp = np.mean((mean - y) ** 2), np.mean((mlp.predict(test) - y) ** 2)
    r2 = 1 - mse / np.var(y)
    assert r2 > 0.8 and mse < 0.5 * mse_mlp, (r2, mse, mse_mlp)
    assert [t.name for t in lstm.model_.inputs] == ["history"]
    assert (sd > 0).all() and np.isfinite(sd).all()
    interval = lstm.predict_interval(test, level=0.8)
    assert (interval["lower"] < mean).all() and (mean < interval["upper"]).all()


def test_test_rows_inform_later_rows_only(market, lstm):
    train, test = market
    base = lstm.predict(test)
    artist = test["artist"].iloc[0]
    rows = np.flatnonzero((test["artist"] == artist).to_numpy())
    first, later = rows[0], rows[1:]
    # the later sale's price (the last of the artist): no prediction changes, its own neither
    changed = test.copy()
    changed.loc[rows[-1], "price"] *= 50.0
    np.testing.assert_array_equal(lstm.predict(changed), base)
    # an earlier sale's price: later sales of the artist change, earlier rows and the row itself do not
    changed = test.copy()
    changed.loc[first, "price"] *= 50.0
    pred = lstm.predict(changed)
    assert pred[first] == base[first]
    before = test["sale_date"] <= test["sale_date"].iloc[first]
    np.testing.assert_array_equal(pred[before.to_numpy()], base[before.to_numpy()])
    assert np.abs(pred[later] - base[later]).max() > 0.05
    # a table without prices is valued from the training history alone
    unpriced = test.assign(price=np.nan)
    assert np.isfinite(lstm.predict(unpriced)).all()


def test_same_seed_same_predictions(market, lstm):
    again = SequenceRegressor(**OPTIONS).fit(market[0])
    np.testing.assert_array_equal(again.predict(market[1]), lstm.predict(market[1]))


def test_cnn_lstm_reads_embeddings_and_names_missing_ones(market, tmp_path):
    train, test = market
    train, test = train.copy(), test.copy()
    train.loc[3, "image_path"] = ""  # no picture: left out of training, still history
    test.loc[0, "image_path"] = None
    paths = pd.concat([train["image_path"], test["image_path"]]).dropna()
    paths = np.array(sorted(p for p in paths if p), dtype=str)
    vectors = np.random.default_rng(2).normal(size=(len(paths), 4)).astype(np.float32)
    npz = tmp_path / "picture_embeddings.npz"
    np.savez(npz, image_path=paths, embedding=vectors)
    options = {**OPTIONS, "epochs": 2, "step_columns": ("log_area",), "artist_encoding": "target"}
    with pytest.raises(InputError, match="does not exist"):
        CNNLSTMRegressor(embeddings=tmp_path / "absent.npz", **options).fit(train)
    with pytest.raises(InputError, match="required"):
        CNNLSTMRegressor(**options).fit(train)
    partial = tmp_path / "partial.npz"
    np.savez(partial, image_path=paths[paths != "p5.png"], embedding=vectors[paths != "p5.png"])
    with pytest.raises(InputError, match="p5.png"):
        CNNLSTMRegressor(embeddings=partial, **options).fit(train)
    model = CNNLSTMRegressor(embeddings=npz, **options).fit(train)
    assert model.name == "cnn_lstm" and model.n_without_picture_ == 1 and model.embedding_dim_ == 4
    assert {t.name for t in model.model_.inputs} == {"history", "tabular", "embedding"}
    assert model.step_names_ == ("log_price", "gap_years", "log_area", "embedding0", "embedding1", "embedding2",
                                 "embedding3", "present")
    assert tuple(model.model_.get_layer("history").output.shape[1:]) == (8, 8)
    pred = model.predict(test)
    assert pred.shape == (len(test),) and np.isfinite(pred).all()
    with pytest.raises(InputError, match="p5.png"):
        CNNLSTMRegressor(embeddings=dict(zip(paths[paths != "p5.png"], vectors[paths != "p5.png"])),
                         **options).fit(train)
