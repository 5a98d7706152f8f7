"""The deep estimators follow the protocol: fit on a sales table with pictures, predict, intervals, same seed same fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from artstudy.errors import InputError
from artstudy.models.base import Estimator, log_price
from artstudy.models.deep.estimators import ImageRegressor, MultiModalRegressor, TabularMLP

SIZE = 16
SMALL_CNN = {"filters": (4, 8), "embedding_dim": 8, "shift": 0.0}
OPTIONS = {"covariates": (), "image_size": SIZE, "epochs": 15, "batch_size": 32, "learning_rate": 1e-2,
           "patience": 4, "random_state": 0}


def _table(folder, n=240, seed=0):
    """Lots whose log price is an artist level plus three times the picture's grey level."""
    rng = np.random.default_rng(seed)
    artist = rng.integers(0, 8, n)
    grey = rng.uniform(0.1, 0.9, n)
    year = rng.integers(2000, 2004, n)
    paths = []
    for i, g in enumerate(grey):
        pixels = np.clip(g * 255 + rng.normal(0, 8, (SIZE, SIZE, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"w{seed}_{i}.png")
        paths.append(f"w{seed}_{i}.png")
    logp = 2.0 + 0.3 * artist + 3.0 * grey + rng.normal(0, 0.1, n)
    return pd.DataFrame({"lot_id": [f"{seed}-{i}" for i in range(n)], "artist": [f"a{a}" for a in artist],
                         "artwork_id": [f"{seed}-{i}" for i in range(n)], "sale_year": year,
                         "sale_date": pd.to_datetime([f"{y}-06-01" for y in year]), "work_year": 1990,
                         "price": np.exp(logp), "image_path": paths, "grey": grey})


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    return folder, _table(folder, seed=0), _table(folder, n=64, seed=1)


def test_image_regressor_learns_the_picture_and_follows_the_protocol(tables):
    folder, train, test = tables
    model = ImageRegressor(image_dir=folder, network=SMALL_CNN, **OPTIONS)
    assert isinstance(model, Estimator) and model.fit(train) is model
    pred = model.predict(test)
    assert pred.shape == (64,) and np.corrcoef(pred, test["grey"])[0, 1] > 0.9
    interval = model.predict_interval(test, level=0.8)
    assert list(interval.columns) == ["lower", "upper"] and (interval["lower"] < pred).all()
    assert (pred < interval["upper"]).all() and model.sd_ > 0
    assert len(model.history_["val_loss"]) == len(model.history_["loss"]) >= 1
    again = ImageRegressor(image_dir=folder, network=SMALL_CNN, **OPTIONS).fit(train)
    np.testing.assert_array_equal(again.predict(test), pred)


def test_multimodal_uses_pictures_and_tabular_features(tables):
    folder, train, test = tables
    tab = TabularMLP(network={"hidden": (16,), "dropout": 0.0}, **OPTIONS).fit(train)
    multi = MultiModalRegressor(image_dir=folder, network={**SMALL_CNN, "hidden": (16,), "head": (16,),
                                                           "dropout": 0.0}, **OPTIONS).fit(train)
    y = log_price(test)
    mse_tab = np.mean((tab.predict(test) - y) ** 2)
    mse_multi = np.mean((multi.predict(test) - y) ** 2)
    assert mse_multi < 0.7 * mse_tab
    assert tab.encoder_ is not None and "artist_mean" in tab.encoder_.feature_names_


def test_missing_picture_is_an_input_error_before_training(tables):
    folder, train, _ = tables
    broken = train.copy()
    broken.loc[broken.index[3], "image_path"] = "nowhere.png"
    with pytest.raises(InputError, match="nowhere"):
        ImageRegressor(image_dir=folder, network=SMALL_CNN, **OPTIONS).fit(broken)
    with pytest.raises(InputError, match="image_path"):
        ImageRegressor(image_dir=folder, **OPTIONS).fit(train.drop(columns="image_path"))


def test_bad_validation_share_and_unfitted_use():
    with pytest.raises(InputError, match="validation_share"):
        TabularMLP(validation_share=1.0)
    with pytest.raises(RuntimeError, match="not fitted"):
        TabularMLP().predict(pd.DataFrame())
