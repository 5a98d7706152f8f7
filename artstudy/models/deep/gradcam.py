"""Grad-CAM heat maps of the predicted log price, and the share of their mass in a region.

Keras 3 has no backend-agnostic gradient API, so the model is split at the conv layer
(``"last_conv"`` by default) into a *trunk* (image to feature maps) and a *head* (feature maps and
the other inputs to the log price), and the gradient of the head's output with respect to the maps
is taken with the backend's own tool: ``jax.grad`` on JAX (one call for the whole batch: the rows
are independent at inference, so the gradient of the batch sum is every row's own gradient) and
``torch.autograd`` on torch. Grad-CAM (Selvaraju et al. 2017): channel weights are the spatial
means of the gradients, the map is ``relu(sum_c w_c A_c)``, upsampled bilinearly to the image size
(in numpy, the weights of ``jax.image.resize``, so the maps are the same on every backend) and
scaled to a maximum of 1 per image (a map that is zero everywhere stays zero).
"""

from __future__ import annotations

import numpy as np

import keras

from ...errors import InputError
from .training import pad_rows, unit_images

__all__ = ["split_at", "grad_cam", "mass_in_region", "chance_share"]


def split_at(model, conv_layer: str = "last_conv"):
    """``(trunk, head)``: trunk maps ``image`` to the conv maps; head maps ``[maps, *other inputs]`` to the output."""
    try:
        conv = model.get_layer(conv_layer)
    except ValueError as err:
        raise InputError(f"grad_cam: model {model.name!r} has no layer {conv_layer!r}") from err
    image = _input(model, "image")
    others = [t for t in model.inputs if t.name != "image"]
    trunk = keras.Model(image, conv.output, name=f"{model.name}_trunk")
    head = keras.Model([conv.output, *others], model.outputs[0], name=f"{model.name}_head")
    return trunk, head, [t.name for t in others]


def _input(model, name: str):
    for t in model.inputs:
        if t.name == name:
            return t
    raise InputError(f"model {model.name!r} has no input named {name!r}")


def _mean_output(out):
    """The predicted log price: the output itself, or the mean column of a normal predictive ``(batch, 2)``."""
    return out[:, 0] if len(out.shape) == 2 and out.shape[-1] == 2 else out


def _gradients_jax(head, maps, others):
    import jax
    import jax.numpy as jnp

    rest = [jnp.asarray(o) for o in others]

    def total(m):
        return jnp.sum(_mean_output(head([m, *rest] if rest else m, training=False)))

    return np.asarray(jax.grad(total)(jnp.asarray(maps)))


def _gradients_torch(head, maps, others):  # pragma: no cover - runs in a subprocess (tests/test_deep_torch.py)
    import torch

    # grad mode on even when the caller runs under torch.no_grad(); the head's own weights get no .grad
    with torch.enable_grad():
        m = keras.ops.convert_to_tensor(np.asarray(maps, dtype=np.float32)).detach().requires_grad_(True)
        rest = [keras.ops.convert_to_tensor(np.asarray(o, dtype=np.float32)) for o in others]
        out = _mean_output(head([m, *rest] if rest else m, training=False))
        (grad,) = torch.autograd.grad(out.sum(), m, allow_unused=True)
    if grad is None:  # the output does not depend on the maps
        return np.zeros_like(np.asarray(maps, dtype=np.float32))
    return grad.detach().cpu().numpy()


def _gradients(head, maps, others):
    backend = keras.backend.backend()
    if backend == "jax":
        return _gradients_jax(head, maps, others)
    if backend == "torch":
        return _gradients_torch(head, maps, others)
    raise InputError(f"grad_cam: backend {backend!r} is not supported (jax or torch)")


def _bilinear_weights(n_in: int, n_out: int) -> np.ndarray:
    """``(n_out, n_in)`` weights of a bilinear resize along one axis, those of ``jax.image.resize(..., "bilinear")``.

    Half-pixel centres and a triangle kernel, widened by the scale when shrinking (antialiasing);
    weights renormalised where the kernel leaves the input (the edge pixel is repeated when enlarging).
    Numpy only, so the heat maps are the same on every Keras backend.
    """
    scale = n_out / n_in
    kernel_scale = max(1.0 / scale, 1.0)
    sample = (np.arange(n_out) + 0.5) / scale - 0.5
    w = np.maximum(0.0, 1.0 - np.abs(sample[:, None] - np.arange(n_in)[None, :]) / kernel_scale)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(np.abs(total) > 1000.0 * np.finfo(np.float32).eps, w / np.where(total != 0, total, 1.0), 0.0)
    inside = (sample >= -0.5) & (sample <= n_in - 0.5)
    return np.where(inside[:, None], w, 0.0)


def _cam(maps: np.ndarray, grads: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    weights = grads.mean(axis=(1, 2))                                  # (n, channels)
    cam = np.maximum(np.einsum("nhwc,nc->nhw", maps, weights), 0.0)    # (n, h, w)
    if cam.shape[1:] != tuple(size):
        rows = _bilinear_weights(cam.shape[1], int(size[0]))
        cols = _bilinear_weights(cam.shape[2], int(size[1]))
        cam = np.maximum(np.einsum("ih,nhw,jw->nij", rows, cam, cols), 0.0).astype(maps.dtype)
    peak = cam.max(axis=(1, 2), keepdims=True)
    return np.where(peak > 0, cam / np.where(peak > 0, peak, 1.0), 0.0)


def grad_cam(model, images, conv_layer: str = "last_conv", *, tabular=None, batch_size: int = 64) -> np.ndarray:
    """Grad-CAM heat maps ``(n, height, width)`` of the model's output for ``images`` (uint8 or [0, 1] floats).

    A multi-modal model needs its other inputs: ``tabular`` (rows aligned with ``images``).
    Batches are padded to ``batch_size`` rows so the compiled shapes are reused. The split is made
    on a copy of ``model`` (same weights): new functional models built on a model's own layers
    leave nodes in its graph that a later ``model.save()`` cannot follow.
    """
    from .builders import copy_weights

    x = unit_images(images)
    copy = keras.models.clone_model(model)
    copy_weights(copy, model)  # (and finalises the normalisation's adapted mean and variance)
    trunk, head, other_names = split_at(copy, conv_layer)
    if other_names and tabular is None:
        raise InputError(f"grad_cam: model {model.name!r} also takes {other_names}; pass tabular=")
    arrays = {"image": x}
    if other_names:
        arrays[other_names[0]] = np.asarray(tabular, dtype=np.float32)
    padded, n = pad_rows(arrays, int(batch_size))
    out = []
    for start in range(0, len(padded["image"]), int(batch_size)):
        part = {k: v[start:start + int(batch_size)] for k, v in padded.items()}
        maps = keras.ops.convert_to_numpy(trunk(part["image"], training=False))
        others = [part[k] for k in other_names]
        out.append(_cam(maps, _gradients(head, maps, others), x.shape[1:3]))
    return np.concatenate(out)[:n]


def _region_mask(region, shape: tuple[int, int]) -> np.ndarray:
    """A boolean mask: ``region`` is a boolean array of the map's shape or a box ``(row0, row1, col0, col1)``."""
    if isinstance(region, tuple) and len(region) == 4:
        mask = np.zeros(shape, dtype=bool)
        r0, r1, c0, c1 = (int(v) for v in region)
        mask[r0:r1, c0:c1] = True
        return mask
    mask = np.asarray(region, dtype=bool)
    if mask.shape[-2:] != shape:
        raise InputError(f"region mask shape {mask.shape} does not match the heat maps {shape}")
    return mask


def mass_in_region(heatmaps, region) -> np.ndarray:
    """Share of each heat map's mass inside ``region`` (a box ``(row0, row1, col0, col1)`` or masks).

    ``region`` may be one mask ``(h, w)`` for all maps or one per map ``(n, h, w)``. A map with no
    mass gets NaN.
    """
    h = np.asarray(heatmaps, dtype=float)
    if h.ndim != 3:
        raise InputError(f"heat maps must be (n, height, width), got shape {h.shape}")
    mask = _region_mask(region, h.shape[1:])
    inside = (h * mask).sum(axis=(1, 2))
    total = h.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, inside / np.where(total > 0, total, 1.0), np.nan)


def chance_share(region, shape: tuple[int, int]) -> np.ndarray | float:
    """The share expected by chance: the region's area over the image's area (per mask if several)."""
    mask = _region_mask(region, tuple(shape))
    share = mask.reshape(*mask.shape[:-2], -1).mean(axis=-1)
    return float(share) if np.ndim(share) == 0 else share
