"""Keras model builders of the deep valuation models (keras-io style: functions returning named models).

Every model predicts the log price: an output layer named ``"log_price"`` of shape ``(batch,)``, or
with ``gaussian=True`` its normal predictive distribution, ``(batch, 2)``: mean and log-variance
(trained by the negative log-likelihood :func:`~artstudy.models.deep.training.gaussian_nll`).
Inputs are named ``"image"`` (``(size, size, channels)`` floats in [0, 1], see
:func:`artstudy.models.deep.training.unit_images`) and ``"tabular"`` (``(n_features,)`` floats).

Layer names the rest of the strand relies on:

- ``"tabular_norm"``: a :class:`keras.layers.Normalization` of the tabular input, adapted by
  :func:`~artstudy.models.deep.training.train` on the training rows only;
- ``"augment_flip"`` / ``"augment_shift"``: light augmentation, active in training only;
- ``"last_conv"``: the last convolutional feature maps (where Grad-CAM splits the model);
- ``"embedding"``: the image embedding (what :func:`~artstudy.models.deep.embeddings.image_embeddings`
  reads).

The image trunk is a small CNN trained from scratch (``backbone="small_cnn"``) or a
``keras.applications`` model by name (``backbone="MobileNetV2"``, ...) built with ``weights=None``
and loaded from ``weights_path`` when one is given: nothing is ever downloaded.
"""

from __future__ import annotations

from pathlib import Path


import keras
from keras import layers, ops

from ...errors import InputError

__all__ = ["build_tabular_mlp", "build_image_cnn", "build_multimodal", "build_fusion_head", "copy_weights",
           "Squeeze", "GaussianOutput", "BackbonePreprocess"]


@keras.saving.register_keras_serializable(package="artstudy")
class Squeeze(layers.Layer):
    """``(batch, 1) -> (batch,)``: the scalar output of a regression head."""

    def call(self, x):
        return ops.squeeze(x, axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1])


@keras.saving.register_keras_serializable(package="artstudy")
class BackbonePreprocess(layers.Layer):
    """Images in [0, 1] to the input scale of a ``keras.applications`` backbone (its ``preprocess_input``)."""

    def __init__(self, backbone: str, **kwargs):
        super().__init__(**kwargs)
        self.backbone = backbone
        self._fn = _preprocess_function(backbone)

    def call(self, x):
        x = x * 255.0
        return self._fn(x) if self._fn is not None else x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "backbone": self.backbone}


@keras.saving.register_keras_serializable(package="artstudy")
class GaussianOutput(layers.Layer):
    """``(batch, 2)`` mean and log-variance, the log-variance clipped to [-12, 12] (sd from 0.0025 to 400)."""

    def call(self, x):
        mean, log_var = x[:, :1], ops.clip(x[:, 1:2], -12.0, 12.0)
        return ops.concatenate([mean, log_var], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


def _preprocess_function(backbone: str):
    """The ``preprocess_input`` of the ``keras.applications`` module that defines ``backbone`` (None if none)."""
    for module_name in dir(keras.applications):
        module = getattr(keras.applications, module_name)
        if getattr(module, "__name__", "").startswith("keras") and hasattr(module, backbone) \
                and hasattr(module, "preprocess_input") and module is not keras.applications:
            return module.preprocess_input
    return None


def _head(x, name: str, gaussian: bool = False):
    """The output named ``"log_price"``: the log price ``(batch,)``, or with ``gaussian`` its normal predictive
    ``(batch, 2)``: mean and log-variance (:func:`artstudy.models.deep.training.gaussian_nll`)."""
    if gaussian:
        x = layers.Dense(2, name=f"{name}_out")(x)
        return GaussianOutput(name="log_price")(x)
    x = layers.Dense(1, name=f"{name}_out")(x)
    return Squeeze(name="log_price")(x)


def _dense_stack(x, hidden, dropout: float, prefix: str):
    for i, units in enumerate(hidden):
        x = layers.Dense(int(units), activation="relu", name=f"{prefix}_dense{i + 1}")(x)
        if dropout > 0:
            x = layers.Dropout(dropout, name=f"{prefix}_dropout{i + 1}")(x)
    return x


def _tabular_branch(n_features: int, hidden, dropout: float):
    """The tabular input (named ``"tabular"``), its normalisation and dense layers."""
    if int(n_features) < 1:
        raise InputError(f"deep model: n_features must be at least 1, got {n_features}")
    inp = keras.Input(shape=(int(n_features),), name="tabular")
    x = layers.Normalization(axis=-1, name="tabular_norm")(inp)
    return inp, _dense_stack(x, hidden, dropout, "tabular")


def _augment(x, flip: bool, shift: float):
    """Light augmentation layers (identity at inference)."""
    if flip:
        x = layers.RandomFlip("horizontal", name="augment_flip")(x)
    if shift > 0:
        x = layers.RandomTranslation(shift, shift, fill_mode="reflect", name="augment_shift")(x)
    return x


def _small_cnn(x, filters):
    """Conv blocks (conv + max-pool), the last conv named ``"last_conv"`` without pooling."""
    filters = [int(f) for f in filters]
    if not filters:
        raise InputError("deep model: filters must name at least one convolution")
    for i, f in enumerate(filters[:-1]):
        x = layers.Conv2D(f, 3, padding="same", activation="relu", name=f"conv{i + 1}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i + 1}")(x)
    return layers.Conv2D(filters[-1], 3, padding="same", activation="relu", name="last_conv")(x)


def _application(x, backbone: str, image_size: int, channels: int, weights_path):
    """A ``keras.applications`` trunk without top, weights from a local file or none (never downloaded)."""
    factory = getattr(keras.applications, backbone, None)
    if factory is None or not callable(factory):
        raise InputError(f"deep model: backbone {backbone!r} is neither 'small_cnn' nor a keras.applications model")
    app = factory(include_top=False, weights=None, input_shape=(image_size, image_size, channels))
    if weights_path is not None:
        path = Path(weights_path)
        if not path.is_file():
            raise InputError(f"deep model: backbone weights file {path} does not exist")
        app.load_weights(str(path))
    x = BackbonePreprocess(backbone, name="backbone_preprocess")(x)
    return layers.Identity(name="last_conv")(app(x))


def _image_branch(image_size: int, channels: int, filters, embedding_dim: int, *, backbone: str = "small_cnn",
                  weights_path=None, flip: bool = False, shift: float = 0.05):
    """The image input (named ``"image"``), augmentation, trunk to ``"last_conv"``, pooling and ``"embedding"``."""
    inp = keras.Input(shape=(int(image_size), int(image_size), int(channels)), name="image")
    x = _augment(inp, flip, shift)
    if backbone == "small_cnn":
        maps = _small_cnn(x, filters)
        if weights_path is not None:
            raise InputError("deep model: weights_path applies to a keras.applications backbone, not 'small_cnn'")
    else:
        maps = _application(x, backbone, int(image_size), int(channels), weights_path)
    x = layers.GlobalAveragePooling2D(name="global_pool")(maps)
    x = layers.Dense(int(embedding_dim), activation="relu", name="embedding")(x)
    return inp, x


def _seed(seed) -> None:
    """Seed Keras (and numpy, random) before the layers draw their initial weights."""
    if seed is not None:
        keras.utils.set_random_seed(int(seed))


def build_tabular_mlp(n_features: int, hidden=(64, 32), dropout: float = 0.1, name: str = "tabular_mlp", *,
                      gaussian: bool = False, seed: int | None = None):
    """A multilayer perceptron on the tabular features: input ``"tabular"``, output ``"log_price"``.

    Every builder takes ``seed``: initial weights are drawn when the model is built, so the same
    seed here and in :func:`~artstudy.models.deep.training.train` gives the same model.
    """
    _seed(seed)
    inp, x = _tabular_branch(n_features, hidden, dropout)
    return keras.Model(inputs={"tabular": inp}, outputs=_head(x, name, gaussian), name=name)


def build_image_cnn(image_size: int = 32, channels: int = 3, filters=(16, 32, 64), embedding_dim: int = 32,
                    name: str = "image_cnn", *, backbone: str = "small_cnn", weights_path=None,
                    flip: bool = False, shift: float = 0.05, gaussian: bool = False, seed: int | None = None):
    """An image-only regressor: input ``"image"`` to ``"last_conv"``, pooling, ``"embedding"``, ``"log_price"``.

    ``flip`` (random horizontal flips) is off by default because the synthetic world's visual
    quality lives in a known part of the picture; ``shift`` is the largest random translation
    as a fraction of the image side (0 for none).
    """
    _seed(seed)
    inp, x = _image_branch(image_size, channels, filters, embedding_dim, backbone=backbone,
                           weights_path=weights_path, flip=flip, shift=shift)
    return keras.Model(inputs={"image": inp}, outputs=_head(x, name, gaussian), name=name)


def build_multimodal(n_features: int, image_size: int = 32, channels: int = 3, filters=(16, 32, 64),
                     embedding_dim: int = 32, hidden=(64, 32), head=(32,), dropout: float = 0.1,
                     name: str = "multimodal", *, backbone: str = "small_cnn", weights_path=None,
                     flip: bool = False, shift: float = 0.05, gaussian: bool = False, seed: int | None = None):
    """Image trunk and tabular branch concatenated, then a dense head: inputs ``"image"``, ``"tabular"``."""
    _seed(seed)
    image, x_img = _image_branch(image_size, channels, filters, embedding_dim, backbone=backbone,
                                 weights_path=weights_path, flip=flip, shift=shift)
    tabular, x_tab = _tabular_branch(n_features, hidden, dropout)
    x = layers.Concatenate(name="fusion")([x_img, x_tab])
    x = _dense_stack(x, head, dropout, "head")
    return keras.Model(inputs={"image": image, "tabular": tabular}, outputs=_head(x, name, gaussian), name=name)


def build_fusion_head(n_features: int, embedding_dim: int = 32, hidden=(64, 32), head=(32,), dropout: float = 0.1,
                      name: str = "multimodal", *, gaussian: bool = False, seed: int | None = None):
    """The multi-modal model above the image trunk: inputs ``"embedding"`` and ``"tabular"``, output ``"log_price"``.

    Its layers carry the names of the same layers of :func:`build_multimodal` (``tabular_norm``,
    ``tabular_dense1``, ..., ``fusion``, ``head_dense1``, ..., ``<name>_out``), so a head trained on
    the embeddings of a frozen image encoder and that encoder's trunk make one multi-modal model
    (:func:`copy_weights`), which Grad-CAM and the embedding maps read like any other.
    """
    _seed(seed)
    emb = keras.Input(shape=(int(embedding_dim),), name="embedding")
    tabular, x_tab = _tabular_branch(n_features, hidden, dropout)
    x = layers.Concatenate(name="fusion")([emb, x_tab])
    x = _dense_stack(x, head, dropout, "head")
    return keras.Model(inputs={"embedding": emb, "tabular": tabular}, outputs=_head(x, name, gaussian), name=name)


def copy_weights(target, *sources) -> list[str]:
    """Set every layer of ``target`` that has weights from the layer of the same name in ``sources``.

    The first source holding a layer of that name with weights gives them (an input named like a
    layer does not count); shapes must agree. Returns the
    names of the layers set. Raises :class:`~artstudy.errors.InputError` naming the layers of
    ``target`` with weights that no source holds, or whose shapes differ.
    """
    done, missing = [], []
    for layer in target.layers:
        if not layer.weights:
            continue
        source = next((x for s in sources for x in s.layers if x.name == layer.name and x.weights), None)
        if source is None:
            missing.append(layer.name)
            continue
        values = source.get_weights()
        shapes = [tuple(w.shape) for w in layer.weights]
        if [tuple(v.shape) for v in values] != shapes:
            raise InputError(f"deep model: layer {layer.name!r} has weights of shapes {shapes} in {target.name!r} "
                             f"but {[tuple(v.shape) for v in values]} in the source model")
        layer.set_weights(values)
        if hasattr(layer, "finalize_state"):  # a Normalization layer reads its adapted mean and variance here
            layer.finalize_state()
        done.append(layer.name)
    if missing:
        raise InputError(f"deep model: no source model has the layers {missing} of {target.name!r}")
    return done
