"""The deep models on the torch backend of Keras 3: a forward/backward pass, training, Grad-CAM.

The backend is fixed when Keras is first imported, so the checks run in a subprocess with
``KERAS_BACKEND=torch``; in it ``import jax`` fails on purpose, so nothing on the torch path may
need JAX (the Grad-CAM upsampling included). Skipped where torch is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="torch is not installed in this environment (the torch backend of Keras 3 "
                                    "cannot be checked); install torch (CPU wheel) to run these tests")

TESTS = Path(__file__).parent

TORCH_SCRIPT = r"""
import json, os, sys
sys.modules["jax"] = None  # the torch path must not need JAX: `import jax` raises ImportError
sys.path.insert(0, sys.argv[1])
import numpy as np
import torch
import keras
assert keras.backend.backend() == "torch", keras.backend.backend()

from test_deep_gradcam import QUADRANT, SIZE, planted
from artstudy.models.deep.builders import build_image_cnn, build_multimodal
from artstudy.models.deep.embeddings import image_embeddings
from artstudy.models.deep.gradcam import chance_share, grad_cam, mass_in_region
from artstudy.models.deep.training import predict, train

out = {}

# forward/backward: every trainable weight of a multi-modal model gets a finite, non-zero gradient
rng = np.random.default_rng(0)
img = rng.uniform(0, 1, (8, SIZE, SIZE, 3)).astype("float32")
tab = rng.standard_normal((8, 3)).astype("float32")
mm = build_multimodal(3, image_size=SIZE, filters=(4, 8), embedding_dim=4, hidden=(4,), head=(4,), dropout=0.0,
                      shift=0, seed=0)
y = mm({"image": torch.tensor(img), "tabular": torch.tensor(tab)}, training=True)
assert tuple(y.shape) == (8,), tuple(y.shape)
torch.square(y - 1.0).mean().backward()
grads = {w.path: w.value.grad for w in mm.trainable_weights}
missing = [k for k, g in grads.items() if g is None]
assert not missing, missing
assert all(torch.isfinite(g).all() for g in grads.values())
assert sum(float(g.abs().sum()) for g in grads.values()) > 0
out["n_weights_with_grad"] = len(grads)

# training, prediction and Grad-CAM of the multi-modal model (its tabular input goes to the head)
h = train(mm, {"image": img, "tabular": tab}, rng.standard_normal(8), epochs=2, batch_size=4, seed=0)
assert np.isfinite(h["loss"]).all(), h
assert predict(mm, {"image": img, "tabular": tab}).shape == (8,)
maps = grad_cam(mm, img, tabular=tab, batch_size=4)
assert maps.shape == (8, SIZE, SIZE) and np.isfinite(maps).all() and maps.min() >= 0 and maps.max() <= 1

# Grad-CAM lights up the planted quadrant (as on JAX: tests/test_deep_gradcam.py)
x, target = planted(1024)
model = build_image_cnn(SIZE, filters=(8, 16), embedding_dim=16, shift=0, seed=0)
train(model, {"image": x}, target, epochs=10, batch_size=32, patience=3, learning_rate=1e-2, seed=0)
test_x, test_y = planted(64, seed=1)
out["corr"] = float(np.corrcoef(predict(model, {"image": test_x}), test_y)[0, 1])
heat = grad_cam(model, test_x)
assert heat.shape == (64, SIZE, SIZE) and heat.min() >= 0 and heat.max() <= 1
out["share"] = float(np.nanmean(mass_in_region(heat, QUADRANT)))
out["chance"] = chance_share(QUADRANT, (SIZE, SIZE))
assert image_embeddings(model, test_x).shape == (64, 16)
print("RESULT " + json.dumps(out))
"""


def test_forward_backward_training_and_grad_cam_on_torch():
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    proc = subprocess.run([sys.executable, "-c", TORCH_SCRIPT, str(TESTS)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, f"torch check failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    line = next(s for s in proc.stdout.splitlines() if s.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["corr"] > 0.9, result
    assert result["chance"] == 0.25
    assert result["share"] > 0.5, result
