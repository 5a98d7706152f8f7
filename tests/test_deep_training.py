"""Training of the deep models: determinism, fixed batch shapes, normalisation from training rows only."""

from __future__ import annotations

import numpy as np
import pytest

from artstudy.errors import InputError
from artstudy.models.deep.builders import build_image_cnn, build_tabular_mlp
from artstudy.models.deep.training import pad_rows, predict, train, unit_images


def _toy(seed=0, n=96):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, 4)) * [1.0, 10.0, 0.1, 5.0] + [0.0, 100.0, -3.0, 7.0]).astype("float32")
    y = x[:, 0] + 0.1 * x[:, 1] - 10.0
    return x, y


def _fit(seed):
    x, y = _toy()
    m = build_tabular_mlp(4, hidden=(8,), dropout=0.2, seed=seed)
    h = train(m, {"tabular": x[:64]}, y[:64], validation=({"tabular": x[64:]}, y[64:]), epochs=3,
              batch_size=16, seed=seed)
    return predict(m, {"tabular": x}), h


def test_same_seed_same_predictions():
    a, ha = _fit(7)
    b, hb = _fit(7)
    c, _ = _fit(8)
    assert np.array_equal(a, b) and ha["loss"] == hb["loss"]
    assert not np.array_equal(a, c)


def test_same_seed_same_predictions_with_augmentation():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (32, 16, 16, 3), dtype=np.uint8)
    y = img.mean(axis=(1, 2, 3)) / 255.0

    def fit(seed):
        m = build_image_cnn(16, filters=(4, 8), embedding_dim=4, flip=True, shift=0.1, seed=seed)
        train(m, {"image": img}, y, epochs=2, batch_size=16, seed=seed)
        return predict(m, {"image": img})

    assert np.array_equal(fit(3), fit(3))


def test_history_is_a_learning_curve():
    _, h = _fit(0)
    assert h["epoch"] == [1, 2, 3] and len(h["loss"]) == len(h["val_loss"]) == len(h["seconds"]) == 3
    assert np.all(np.isfinite(h["val_loss"])) and 1 <= h["best_epoch"] <= 3 and h["samples_per_second"] > 0


def test_reported_loss_is_the_mean_over_real_rows():
    # 50 rows padded to 64: a model that cannot learn (learning rate 0) reports the plain MSE
    x, y = _toy(n=50)
    m = build_tabular_mlp(4, hidden=(4,), dropout=0.0)
    h = train(m, {"tabular": x}, y, validation=({"tabular": x}, y), epochs=1, batch_size=16,
              learning_rate=0.0)
    mse = float(np.mean((predict(m, {"tabular": x}) - y) ** 2))
    assert h["val_loss"][0] == pytest.approx(mse, rel=1e-4)
    assert h["loss"][0] == pytest.approx(mse, rel=1e-4)


def test_normalisation_adapted_on_training_rows_only():
    x, y = _toy()
    m = build_tabular_mlp(4)
    shifted = x[64:] + 1000.0
    train(m, {"tabular": x[:64]}, y[:64], validation=({"tabular": shifted}, y[64:]), epochs=1, batch_size=16)
    norm = m.get_layer("tabular_norm")
    np.testing.assert_allclose(np.ravel(norm.mean), x[:64].mean(axis=0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.ravel(norm.variance), x[:64].var(axis=0), rtol=1e-3)


def test_constant_training_column_is_not_blown_up():
    x, y = _toy()
    x[:64, 2] = 1.0
    m = build_tabular_mlp(4, hidden=(4,), dropout=0.0)
    train(m, {"tabular": x[:64]}, y[:64], epochs=1, batch_size=16)
    assert np.ravel(m.get_layer("tabular_norm").variance)[2] == 1.0
    assert np.abs(predict(m, {"tabular": x[64:]})).max() < 1e4


def test_early_stopping_restores_the_best_weights():
    x, y = _toy()
    m = build_tabular_mlp(4, hidden=(8,), dropout=0.0)
    # a large learning rate makes the validation loss jump about; the kept weights are the best epoch's
    h = train(m, {"tabular": x[:64]}, y[:64], validation=({"tabular": x[64:]}, y[64:]), epochs=8,
              batch_size=16, patience=2, learning_rate=0.3, seed=3)
    val_mse = float(np.mean((predict(m, {"tabular": x[64:]}) - y[64:]) ** 2))
    assert val_mse == pytest.approx(min(h["val_loss"]), rel=1e-3)
    assert len(h["loss"]) <= 8


def test_padding_repeats_rows_to_whole_batches():
    padded, n = pad_rows({"a": np.arange(5)}, 4)
    assert n == 5 and padded["a"].tolist() == [0, 1, 2, 3, 4, 0, 1, 2]


def test_images_scaled_to_unit_interval_and_checked():
    px = np.array([[[[0, 255, 51]]]], dtype=np.uint8)
    np.testing.assert_allclose(unit_images(px).ravel(), [0.0, 1.0, 0.2], atol=1e-7)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        unit_images(np.full((1, 2, 2, 3), 3.0))
    with pytest.raises(InputError, match="shape"):
        unit_images(np.zeros((2, 2, 3)))


def test_missing_input_and_bad_target_are_input_errors():
    m = build_image_cnn(16, filters=(4,))
    with pytest.raises(InputError, match="lack"):
        train(m, {"tabular": np.zeros((4, 2))}, np.zeros(4))
    with pytest.raises(InputError, match="target"):
        train(m, {"image": np.zeros((4, 16, 16, 3), np.uint8)}, [0.0, np.nan, 1.0, 2.0])
