"""Image embeddings of a trained model and their 2-D maps (PCA, or an exact t-SNE in numpy).

scikit-learn is not a dependency: PCA is a numpy SVD (signs fixed so the largest loading of each
axis is positive), t-SNE the exact O(n^2) algorithm of van der Maaten and Hinton (2008) with
early exaggeration and momentum, for the few thousand works a report maps.
"""

from __future__ import annotations

import numpy as np

import keras

from ...errors import InputError
from .training import pad_rows, unit_images

__all__ = ["image_embeddings", "embedding_map"]


def image_embeddings(model, images, layer: str = "embedding", batch_size: int = 256) -> np.ndarray:
    """The output of ``layer`` (computed from the ``"image"`` input alone) for every image: ``(n, dim)``."""
    try:
        out = model.get_layer(layer).output
    except ValueError as err:
        raise InputError(f"image_embeddings: model {model.name!r} has no layer {layer!r}") from err
    image = next((t for t in model.inputs if t.name == "image"), None)
    if image is None:
        raise InputError(f"image_embeddings: model {model.name!r} has no input named 'image'")
    sub = keras.Model(image, out, name=f"{model.name}_{layer}")
    padded, n = pad_rows({"image": unit_images(images)}, int(batch_size))
    emb = sub.predict(padded["image"], batch_size=int(batch_size), verbose=0)
    return np.asarray(emb, dtype=float).reshape(len(emb), -1)[:n]


def _pca(x: np.ndarray) -> np.ndarray:
    centred = x - x.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(2, vt.shape[0])
    signs = np.sign(vt[:k][np.arange(k), np.abs(vt[:k]).argmax(axis=1)])
    coords = centred @ (vt[:k].T * signs)
    return np.pad(coords, ((0, 0), (0, 2 - k)))


def _affinities(x: np.ndarray, perplexity: float) -> np.ndarray:
    """Symmetric joint probabilities P of t-SNE, each row's bandwidth found by bisection on the perplexity."""
    n = len(x)
    d = np.square(x[:, None, :] - x[None, :, :]).sum(-1)
    target = np.log(min(perplexity, (n - 1) / 3.0))
    p = np.zeros((n, n))
    for i in range(n):
        lo, hi, beta = 0.0, np.inf, 1.0
        di = np.delete(d[i], i)
        for _ in range(60):
            w = np.exp(-(di - di.min()) * beta)
            pi = w / w.sum()
            entropy = -np.sum(pi * np.log(np.maximum(pi, 1e-300)))
            if abs(entropy - target) < 1e-5:
                break
            if entropy > target:
                lo, beta = beta, beta * 2 if hi == np.inf else (beta + hi) / 2
            else:
                hi, beta = beta, (beta + lo) / 2
        p[i, np.arange(n) != i] = pi
    p = (p + p.T) / (2 * n)
    return np.maximum(p, 1e-12)


def _tsne(x: np.ndarray, seed: int, perplexity: float = 30.0, iterations: int = 500) -> np.ndarray:
    n = len(x)
    p = _affinities(x, perplexity)
    rng = np.random.default_rng(seed)
    y = 1e-4 * rng.standard_normal((n, 2))
    velocity = np.zeros_like(y)
    rate = max(n / 48.0, 50.0)  # scikit-learn's "auto" learning rate
    gains = np.ones_like(y)
    for it in range(iterations):
        exaggeration = 12.0 if it < 100 else 1.0
        num = 1.0 / (1.0 + np.square(y[:, None, :] - y[None, :, :]).sum(-1))
        np.fill_diagonal(num, 0.0)
        q = np.maximum(num / num.sum(), 1e-12)
        pq = (exaggeration * p - q) * num
        grad = 4.0 * ((np.diag(pq.sum(axis=1)) - pq) @ y)
        gains = np.where(np.sign(grad) != np.sign(velocity), gains + 0.2, gains * 0.8).clip(0.01)
        velocity = (0.5 if it < 250 else 0.8) * velocity - rate * gains * grad
        y = y + velocity
        y = y - y.mean(axis=0)
    return y


def embedding_map(embeddings, method: str = "pca", seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """2-D coordinates ``(n, 2)`` of the embeddings: ``"pca"`` (first two principal components) or ``"tsne"``."""
    x = np.asarray(embeddings, dtype=float)
    if x.ndim != 2 or len(x) < 2:
        raise InputError(f"embedding_map: embeddings must be (n >= 2, dim), got shape {x.shape}")
    if not np.isfinite(x).all():
        raise InputError("embedding_map: embeddings have missing or infinite values")
    if method == "pca":
        return _pca(x)
    if method == "tsne":
        if len(x) > 5000:
            raise InputError(f"embedding_map: exact t-SNE is for at most 5000 points, got {len(x)}; use 'pca' or a sample")
        return _tsne(x, int(seed), perplexity)
    raise InputError(f"embedding_map: method must be 'pca' or 'tsne', got {method!r}")
