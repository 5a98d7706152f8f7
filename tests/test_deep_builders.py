"""Builders of the deep valuation models: named inputs, output shape, layer names, a forward and backward pass."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from artstudy.errors import InputError
from artstudy.models.deep import builders
from artstudy.models.deep.training import predict, train


def _input_names(model):
    return sorted(t.name for t in model.inputs)


def test_importing_artstudy_does_not_load_keras():
    code = "import sys, artstudy, artstudy.models.deep; print('keras' in sys.modules, 'jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_tabular_mlp_names_and_shape():
    m = builders.build_tabular_mlp(5)
    assert m.name == "tabular_mlp" and _input_names(m) == ["tabular"]
    assert m.get_layer("tabular_norm") is not None and m.outputs[0].shape == (None,)
    out = m({"tabular": np.zeros((3, 5), "float32")})
    assert tuple(out.shape) == (3,) and m.layers[-1].name == "log_price"


def test_image_cnn_names_and_shape():
    m = builders.build_image_cnn(image_size=16, filters=(8, 16))
    assert m.name == "image_cnn" and _input_names(m) == ["image"]
    names = [layer.name for layer in m.layers]
    assert {"last_conv", "embedding", "log_price", "augment_shift"} <= set(names)
    assert tuple(m.get_layer("last_conv").output.shape) == (None, 8, 8, 16)
    assert tuple(m({"image": np.zeros((2, 16, 16, 3), "float32")}).shape) == (2,)


def test_multimodal_names_and_shape():
    m = builders.build_multimodal(4, image_size=16, filters=(8, 16))
    assert m.name == "multimodal" and _input_names(m) == ["image", "tabular"]
    assert {"last_conv", "embedding", "tabular_norm", "fusion", "log_price"} <= {la.name for la in m.layers}
    out = m({"image": np.zeros((2, 16, 16, 3), "float32"), "tabular": np.zeros((2, 4), "float32")})
    assert tuple(out.shape) == (2,)


def test_forward_and_backward_pass_learns_a_toy_problem():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((128, 3)).astype("float32")
    y = x @ np.array([1.0, -2.0, 0.5]) + 3.0
    m = builders.build_tabular_mlp(3, hidden=(16,), dropout=0.0)
    history = train(m, {"tabular": x}, y, epochs=6, batch_size=32, patience=6, learning_rate=1e-2, seed=0)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert predict(m, {"tabular": x}).shape == (128,)


def test_multimodal_forward_and_backward_pass():
    rng = np.random.default_rng(2)
    img = rng.integers(0, 256, (40, 16, 16, 3), dtype=np.uint8)
    tab = rng.standard_normal((40, 2)).astype("float32")
    y = tab[:, 0] + img.mean(axis=(1, 2, 3)) / 255.0
    m = builders.build_multimodal(2, image_size=16, filters=(4, 8), embedding_dim=8, hidden=(8,), head=(8,))
    history = train(m, {"image": img, "tabular": tab}, y, epochs=4, batch_size=16, learning_rate=1e-2)
    assert history["loss"][-1] < history["loss"][0]
    assert predict(m, {"image": img, "tabular": tab}).shape == (40,)


def test_applications_backbone_from_a_local_weights_file(tmp_path):
    m = builders.build_image_cnn(32, backbone="MobileNetV2", shift=0)
    assert "last_conv" in {la.name for la in m.layers} and tuple(m.outputs[0].shape) == (None,)
    app = next(la for la in m.layers if la.name.startswith("mobilenetv2"))
    path = tmp_path / "backbone.weights.h5"
    app.save_weights(str(path))
    again = builders.build_image_cnn(32, backbone="MobileNetV2", weights_path=path, shift=0)
    app2 = next(la for la in again.layers if la.name.startswith("mobilenetv2"))
    assert all(np.array_equal(a, b) for a, b in zip(app.get_weights(), app2.get_weights()))


def test_bad_backbone_and_missing_weights_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="backbone"):
        builders.build_image_cnn(16, backbone="NoSuchNet")
    with pytest.raises(InputError, match="does not exist"):
        builders.build_image_cnn(32, backbone="MobileNetV2", weights_path=tmp_path / "none.h5")
