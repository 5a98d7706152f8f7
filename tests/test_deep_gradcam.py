"""Grad-CAM lights up the planted region; region shares; image embeddings and their 2-D maps."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from artstudy.errors import InputError
from artstudy.models.deep.builders import build_image_cnn, build_multimodal
from artstudy.models.deep.embeddings import embedding_map, image_embeddings
from artstudy.models.deep.gradcam import chance_share, grad_cam, mass_in_region
from artstudy.models.deep.training import predict, train

SIZE = 16
QUADRANT = (0, SIZE // 2, 0, SIZE // 2)


def planted(n, seed=0):
    """Images of a random grey level and fine noise; in the top-left quadrant a checkerboard patch whose
    contrast is the target. The patch adds nothing to the mean brightness, so only a model that looks
    at the patch can predict the target."""
    rng = np.random.default_rng(seed)
    img = rng.uniform(0.3, 0.7, (n, 1, 1, 1)) + 0.02 * rng.standard_normal((n, SIZE, SIZE, 3))
    target = rng.uniform(0, 1, n)
    checker = np.where(np.add.outer(np.arange(6), np.arange(6)) % 2 == 0, 1.0, -1.0)
    img[:, 1:7, 1:7, :] += 0.25 * target[:, None, None, None] * checker[None, :, :, None]
    return np.clip(img, 0, 1).astype("float32"), target


@pytest.fixture(scope="module")
def trained():
    img, target = planted(1024)
    model = build_image_cnn(SIZE, filters=(8, 16), embedding_dim=16, shift=0, seed=0)
    train(model, {"image": img}, target, epochs=10, batch_size=32, patience=3, learning_rate=1e-2, seed=0)
    return model


def test_grad_cam_lights_up_the_planted_quadrant(trained):
    img, target = planted(64, seed=1)
    assert np.corrcoef(predict(trained, {"image": img}), target)[0, 1] > 0.9
    maps = grad_cam(trained, img)
    assert maps.shape == (64, SIZE, SIZE) and maps.min() >= 0 and maps.max() <= 1
    share = mass_in_region(maps, QUADRANT)
    assert chance_share(QUADRANT, (SIZE, SIZE)) == 0.25
    assert np.nanmean(share) > 0.5


def test_grad_cam_of_a_multimodal_model_needs_its_tabular_rows():
    img, _ = planted(5)
    model = build_multimodal(2, image_size=SIZE, filters=(4, 8), embedding_dim=4, hidden=(4,), head=(4,), shift=0)
    with pytest.raises(InputError, match="tabular"):
        grad_cam(model, img)
    assert grad_cam(model, img, tabular=np.zeros((5, 2)), batch_size=4).shape == (5, SIZE, SIZE)


TORCH_CHECK = """
import os, sys
os.environ["KERAS_BACKEND"] = "torch"
sys.path.insert(0, sys.argv[1])
import numpy as np
from test_deep_gradcam import QUADRANT, SIZE, planted
from artstudy.models.deep.builders import build_image_cnn
from artstudy.models.deep.gradcam import grad_cam, mass_in_region
from artstudy.models.deep.training import train
img, target = planted(1024)
model = build_image_cnn(SIZE, filters=(8, 16), embedding_dim=16, shift=0, seed=0)
train(model, {"image": img}, target, epochs=10, batch_size=32, patience=3, learning_rate=1e-2, seed=0)
share = np.nanmean(mass_in_region(grad_cam(model, planted(64, seed=1)[0]), QUADRANT))
assert share > 0.5, share
"""


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_grad_cam_lights_up_the_planted_quadrant_on_torch():  # pragma: no cover - needs torch
    import subprocess
    import sys
    from pathlib import Path
    subprocess.run([sys.executable, "-c", TORCH_CHECK, str(Path(__file__).parent)], check=True, timeout=300)


def test_mass_in_region_and_chance_share():
    maps = np.zeros((2, 4, 4))
    maps[0, 0, 0] = 3.0
    maps[0, 3, 3] = 1.0
    masks = np.zeros((2, 4, 4), dtype=bool)
    masks[:, :2, :2] = True
    np.testing.assert_allclose(mass_in_region(maps, (0, 2, 0, 2)), [0.75, np.nan])
    np.testing.assert_allclose(mass_in_region(maps, masks), [0.75, np.nan])
    np.testing.assert_allclose(chance_share(masks, (4, 4)), [0.25, 0.25])
    with pytest.raises(InputError):
        mass_in_region(maps[0], (0, 2, 0, 2))


def test_image_embeddings_and_maps(trained):
    img, _ = planted(40, seed=2)
    emb = image_embeddings(trained, img)
    assert emb.shape == (40, 16)
    pca = embedding_map(emb, "pca")
    assert pca.shape == (40, 2) and np.var(pca[:, 0]) >= np.var(pca[:, 1])
    tsne = embedding_map(emb, "tsne", seed=0, perplexity=10)
    assert tsne.shape == (40, 2) and np.isfinite(tsne).all()
    np.testing.assert_array_equal(tsne, embedding_map(emb, "tsne", seed=0, perplexity=10))
    with pytest.raises(InputError, match="method"):
        embedding_map(emb, "umap")


def test_pca_map_matches_the_leading_directions():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 3)) * [5.0, 2.0, 0.1]
    coords = embedding_map(x, "pca")
    np.testing.assert_allclose(np.abs(np.corrcoef(coords[:, 0], x[:, 0])[0, 1]), 1.0, atol=1e-3)
    np.testing.assert_allclose(np.abs(np.corrcoef(coords[:, 1], x[:, 1])[0, 1]), 1.0, atol=1e-2)


def test_tsne_separates_clusters():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.standard_normal((30, 5)), rng.standard_normal((30, 5)) + 8.0])
    y = embedding_map(x, "tsne", seed=0, perplexity=10)
    centre_gap = np.linalg.norm(y[:30].mean(0) - y[30:].mean(0))
    spread = max(y[:30].std(0).max(), y[30:].std(0).max())
    assert centre_gap > 3 * spread
