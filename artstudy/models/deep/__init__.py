"""Deep valuation models (Keras 3): builders, training, Grad-CAM and image embeddings.

Importing this package chooses the JAX backend unless ``KERAS_BACKEND`` says otherwise (it must
happen before Keras is first imported). :mod:`artstudy.settings` imports only
:mod:`~artstudy.models.deep.settings` (the config's ``deep:`` section, which loads neither Keras nor
JAX), so the rest of the package never pays for them; the submodules load on first use:

- :mod:`~artstudy.models.deep.builders`: ``build_tabular_mlp``, ``build_image_cnn``,
  ``build_multimodal`` (named inputs ``"image"`` and ``"tabular"``, scalar output ``"log_price"``);
- :mod:`~artstudy.models.deep.training`: ``train`` (early stopping, fixed batch shapes,
  normalisation adapted on training data only), ``predict``, ``unit_images``;
- :mod:`~artstudy.models.deep.gradcam`: ``grad_cam``, ``mass_in_region``, ``chance_share``;
- :mod:`~artstudy.models.deep.embeddings`: ``image_embeddings``, ``embedding_map``;
- :mod:`~artstudy.models.deep.estimators`: ``TabularMLP`` (``mlp``), ``ImageRegressor`` (``cnn``),
  ``MultiModalRegressor`` (``multimodal``): the estimator protocol over a sales table.
"""

from __future__ import annotations

import importlib
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

_WHERE = {
    "build_tabular_mlp": "builders", "build_image_cnn": "builders", "build_multimodal": "builders",
    "train": "training", "predict": "training", "unit_images": "training",
    "grad_cam": "gradcam", "mass_in_region": "gradcam", "chance_share": "gradcam",
    "image_embeddings": "embeddings", "embedding_map": "embeddings",
    "TabularMLP": "estimators", "ImageRegressor": "estimators", "MultiModalRegressor": "estimators",
    "build_sequence_model": "sequence", "SequenceRegressor": "sequence", "CNNLSTMRegressor": "sequence",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
