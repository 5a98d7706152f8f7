"""The Gaussian head: each sale's own mean and sd, trained by the negative log-likelihood written in keras.ops."""

from __future__ import annotations

import numpy as np
import pytest

from artstudy.errors import InputError
from artstudy.models.deep.builders import build_image_cnn, build_multimodal, build_tabular_mlp
from artstudy.models.deep.estimators import MultiModalRegressor, TabularMLP
from artstudy.models.deep.training import gaussian_nll, is_gaussian, mean_and_sd, predict, train


def test_gaussian_nll_is_the_hand_computed_normal_negative_log_likelihood():
    import keras

    y = np.array([1.0, 2.0, -0.5], dtype="float32")
    out = np.array([[0.5, np.log(4.0)], [2.0, 0.0], [0.0, -1.0]], dtype="float32")
    got = keras.ops.convert_to_numpy(gaussian_nll(y, out))
    sd = np.sqrt(np.exp(out[:, 1]))
    expected = -np.log(np.exp(-0.5 * ((y - out[:, 0]) / sd) ** 2) / (sd * np.sqrt(2 * np.pi)))
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    np.testing.assert_allclose(got[1], 0.5 * np.log(2 * np.pi), rtol=1e-6)


def test_gaussian_builders_give_mean_and_log_variance_named_log_price():
    models = [build_tabular_mlp(3, hidden=(4,), gaussian=True, seed=0),
              build_image_cnn(8, filters=(4,), embedding_dim=4, shift=0.0, gaussian=True, seed=0),
              build_multimodal(3, 8, filters=(4,), embedding_dim=4, hidden=(4,), head=(4,), shift=0.0,
                               gaussian=True, seed=0)]
    for model in models:
        assert is_gaussian(model) and model.outputs[0].shape[-1] == 2
        assert model.get_layer("log_price") is not None
    assert not is_gaussian(build_tabular_mlp(3, hidden=(4,), seed=0))
    mean, sd = mean_and_sd(np.array([[1.0, np.log(9.0)], [0.0, 0.0]]))
    np.testing.assert_allclose(mean, [1.0, 0.0])
    np.testing.assert_allclose(sd, [3.0, 1.0])
    assert mean_and_sd(np.array([1.0, 2.0]))[1] is None


def test_a_gaussian_head_learns_a_larger_sd_where_the_noise_is_larger():
    rng = np.random.default_rng(0)
    n = 4000
    group = rng.integers(0, 2, n)
    x = np.column_stack([group, rng.normal(size=n)]).astype("float32")
    noise = np.where(group == 1, 1.0, 0.1)
    y = 2.0 + 0.5 * x[:, 1] + rng.normal(size=n) * noise
    model = build_tabular_mlp(2, hidden=(16,), dropout=0.0, gaussian=True, seed=1)
    history = train(model, {"tabular": x[:3000]}, y[:3000], validation=({"tabular": x[3000:]}, y[3000:]),
                    epochs=60, batch_size=100, patience=8, learning_rate=1e-2, seed=1)
    assert np.isfinite(history["loss"]).all() and history["val_loss"][-1] < history["val_loss"][0]
    mean, sd = mean_and_sd(predict(model, {"tabular": x[3000:]}))
    test_group, resid = group[3000:], y[3000:] - mean
    for g, true_sd in ((0, 0.1), (1, 1.0)):
        assert np.median(sd[test_group == g]) == pytest.approx(true_sd, rel=0.35)
        covered = np.mean(np.abs(resid[test_group == g]) <= 1.2816 * sd[test_group == g])
        assert abs(covered - 0.8) < 0.07, (g, covered)


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    from test_deep_estimators import _table

    folder = tmp_path_factory.mktemp("gauss")
    return folder, _table(folder, seed=0), _table(folder, n=64, seed=1)


def test_gaussian_estimators_give_each_sale_its_own_sd_and_save(pictures, tmp_path):
    from test_deep_estimators import FUSED, OPTIONS

    from artstudy.models.deep.artifacts import load_model
    from artstudy.models.deep.gradcam import grad_cam

    folder, train_rows, test = pictures
    multi = MultiModalRegressor(image_dir=folder, network=FUSED, predictive="gaussian", **OPTIONS).fit(train_rows)
    mean, sd = multi.predict_distribution(test)
    assert np.isfinite(mean).all() and (sd > 0).all() and np.ptp(sd) > 0  # not one sd for every sale
    interval = multi.predict_interval(test, level=0.8)
    np.testing.assert_allclose(interval["upper"] - interval["lower"], 2 * 1.2815516 * sd, rtol=1e-5)
    heat = grad_cam(multi.model_, multi._images(test), tabular=multi.encoder_.transform(test))
    assert heat.shape == (64, 16, 16) and np.isfinite(heat).all()
    multi.model_.save(tmp_path / "m.keras")
    again = mean_and_sd(predict(load_model(tmp_path / "m.keras"), multi._inputs(test)))
    np.testing.assert_allclose(again[0], mean, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(again[1] * multi.sd_scale_, sd, rtol=1e-5, atol=1e-5)  # the head's sd, recalibrated
    tab = TabularMLP(network={"hidden": (8,), "dropout": 0.0}, predictive="gaussian", **OPTIONS).fit(train_rows)
    assert np.ptp(tab.predict_distribution(test)[1]) > 0
    with pytest.raises(InputError, match="predictive must be 'residual' or 'gaussian'"):
        TabularMLP(predictive="student")


def test_the_gaussian_heads_sd_is_recalibrated_on_the_validation_rows(pictures):
    """Every predicted sd is the head's times the validation rows' root mean square standardised residual."""
    from test_deep_estimators import OPTIONS

    folder, train_rows, test = pictures
    tab = TabularMLP(network={"hidden": (8,), "dropout": 0.0}, predictive="gaussian", **OPTIONS).fit(train_rows)
    rows = tab._training_rows(train_rows)
    _, val_at = tab._split(len(rows))
    assert len(val_at) > 10
    head_mean, head_sd = mean_and_sd(predict(tab.model_, tab._inputs(rows.iloc[val_at])))
    z = (np.log(rows["price"].to_numpy()[val_at]) - head_mean) / head_sd
    assert tab.sd_scale_ == pytest.approx(np.sqrt(np.mean(z**2)), rel=1e-5)
    raw = mean_and_sd(predict(tab.model_, tab._inputs(test)))[1]
    np.testing.assert_allclose(tab.predict_distribution(test)[1], raw * tab.sd_scale_, rtol=1e-5)
    assert TabularMLP(network={"hidden": (8,), "dropout": 0.0}, predictive="residual",
                      **OPTIONS).fit(train_rows).sd_scale_ == 1.0
