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


FUSED = {**SMALL_CNN, "hidden": (16,), "head": (16,), "dropout": 0.0}


@pytest.mark.parametrize("fusion", ["embeddings", "end_to_end"])
def test_multimodal_uses_pictures_and_tabular_features(tables, fusion):
    folder, train, test = tables
    tab = TabularMLP(network={"hidden": (16,), "dropout": 0.0}, **OPTIONS).fit(train)
    multi = MultiModalRegressor(image_dir=folder, network=FUSED, fusion=fusion, **OPTIONS).fit(train)
    y = log_price(test)
    mse_tab = np.mean((tab.predict(test) - y) ** 2)
    mse_multi = np.mean((multi.predict(test) - y) ** 2)
    assert mse_multi < 0.7 * mse_tab
    assert tab.encoder_ is not None and "artist_mean" in tab.encoder_.feature_names_
    assert {"image", "tabular"} == {t.name for t in multi.model_.inputs}
    if fusion == "embeddings":  # the encoder was trained within the fit
        assert len(multi.encoder_history_["loss"]) >= 1


def test_embeddings_fusion_joins_the_frozen_encoder_and_the_head_into_one_model(tables, tmp_path):
    """The joined model predicts what the encoder's embeddings and the trained head predict; a saved encoder is reused
    (one-output heads here; tests/test_deep_gaussian.py joins Gaussian ones)."""
    from artstudy.models.deep.builders import build_fusion_head, copy_weights
    from artstudy.models.deep.embeddings import image_embeddings
    from artstudy.models.deep.training import predict

    folder, train, test = tables
    cnn = ImageRegressor(image_dir=folder, network=SMALL_CNN, **OPTIONS, predictive="residual").fit(train)
    cnn.model_.save(tmp_path / "encoder.keras")
    multi = MultiModalRegressor(image_dir=folder, network=FUSED, encoder=tmp_path / "encoder.keras",
                                **OPTIONS, predictive="residual").fit(train)
    assert multi.encoder_history_ is None
    # the trunk is the encoder's: the joined model's embeddings are the encoder's own
    images = multi._images(test)
    np.testing.assert_allclose(image_embeddings(multi.model_, images), image_embeddings(cnn.model_, images),
                               rtol=1e-5, atol=1e-5)
    # a head rebuilt from the joined model's layers predicts the same from those embeddings
    tabular = multi.encoder_.transform(test)
    head = build_fusion_head(tabular.shape[1], 8, hidden=(16,), head=(16,), dropout=0.0)
    copy_weights(head, multi.model_)
    direct = predict(head, {"embedding": image_embeddings(cnn.model_, images), "tabular": tabular})
    np.testing.assert_allclose(multi.predict(test), direct, rtol=1e-5, atol=1e-5)
    # the same encoder given in memory gives the same fit
    again = MultiModalRegressor(image_dir=folder, network=FUSED, encoder=cnn.model_, **OPTIONS,
                                predictive="residual").fit(train)
    np.testing.assert_allclose(again.predict(test), multi.predict(test), rtol=1e-6, atol=1e-6)


def test_embeddings_fusion_errors_name_the_encoder(tables, tmp_path):
    folder, train, _ = tables
    with pytest.raises(InputError, match="does not exist"):
        MultiModalRegressor(image_dir=folder, network=FUSED, encoder=tmp_path / "none.keras", **OPTIONS).fit(train)
    small = ImageRegressor(image_dir=folder, network=SMALL_CNN, **{**OPTIONS, "epochs": 1}).fit(train)
    with pytest.raises(InputError, match="reads 16 x 16 pictures.*8 x 8"):
        MultiModalRegressor(image_dir=folder, network=FUSED, encoder=small.model_,
                            **{**OPTIONS, "image_size": 8}).fit(train)
    with pytest.raises(InputError, match="conv1"):  # another trunk: the layers' shapes differ
        MultiModalRegressor(image_dir=folder, network={**FUSED, "filters": (6, 8)}, encoder=small.model_,
                            **OPTIONS).fit(train)
    with pytest.raises(InputError, match="fusion"):
        MultiModalRegressor(fusion="late")


def test_max_image_rows_trains_an_image_model_on_a_seeded_subset(tables):
    folder, train, _ = tables
    model = ImageRegressor(image_dir=folder, network=SMALL_CNN, max_image_rows=100,
                           **{**OPTIONS, "epochs": 1, "validation_share": 0.2}).fit(train)
    rows = model._training_rows(train)
    assert len(rows) == 100 and rows.index.is_monotonic_increasing
    pd.testing.assert_frame_equal(rows, model._training_rows(train))
    assert TabularMLP(max_image_rows=100, **{**OPTIONS, "epochs": 1}).fit(train)._training_rows(train).shape[0] == 240


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


def test_rows_without_a_picture_are_left_out_of_training_counted_and_predicted_grey(tables):
    folder, train, test = tables
    gappy = train.copy()
    gappy.loc[gappy.index[:10], "image_path"] = None
    gappy.loc[gappy.index[10:12], "image_path"] = ""
    model = ImageRegressor(image_dir=folder, network=SMALL_CNN, **{**OPTIONS, "epochs": 1}).fit(gappy)
    assert model.n_without_picture_ == 12
    assert len(model._training_rows(gappy)) == 228
    blank = test.copy()
    blank.loc[blank.index[:3], "image_path"] = None
    images = model._images(blank)
    assert (images[:3] == 128).all() and not (images[3:] == 128).all()
    assert np.isfinite(model.predict(blank)).all()


def test_rows_without_covariates_are_predicted_nan_and_the_rest_as_before(tables):
    """A history-only row without a covariate cannot be valued (NaN, as the other models give it)."""
    folder, train, test = tables
    options = {**OPTIONS, "covariates": ("log_area",), "epochs": 2}
    model = TabularMLP(network={"hidden": (8,), "dropout": 0.0}, **options).fit(train.assign(log_area=7.0))
    gappy = test.assign(log_area=7.0)
    full = model.predict(gappy)
    gappy.loc[gappy.index[[2, 5]], "log_area"] = np.nan
    mean, sd = model.predict_distribution(gappy)
    assert np.isnan(mean[[2, 5]]).all() and np.isnan(sd[[2, 5]]).all()
    keep = np.setdiff1d(np.arange(len(gappy)), [2, 5])
    np.testing.assert_allclose(mean[keep], full[keep], rtol=1e-5, atol=1e-5)
