"""Training and prediction of the deep valuation models with fixed batch shapes.

JAX compiles a step for every new input shape, so every batch has exactly ``batch_size`` rows (on
the torch backend, which runs eagerly, the padding is harmless and gives the same losses):
the training and validation sets are padded to a multiple of ``batch_size`` by repeating their
first rows with sample weight 0 (they change neither the gradient nor the best epoch), and
:func:`predict` pads the same way and trims. Keras averages a batch's weighted loss over the batch
size, so the losses Keras reports are scaled by ``n / n_padded``; :func:`train` scales them back,
and the history holds the mean loss over the real rows.

Normalisation is learned from the training rows only: every input ``k`` of the model that has a
:class:`keras.layers.Normalization` layer named ``f"{k}_norm"`` (the builders' ``"tabular_norm"``)
is adapted on ``inputs[k]`` before training; validation rows never reach it (a column constant in
the training rows is centred but not scaled). Images are scaled to
[0, 1] (:func:`unit_images`). Augmentation is part of the model (its ``augment_*`` layers, active
in training only).
"""

from __future__ import annotations

import time

import numpy as np

import keras

from ...errors import InputError

__all__ = ["train", "predict", "unit_images", "prepare_inputs", "pad_rows", "squared_error", "gaussian_nll",
           "is_gaussian", "mean_and_sd"]


@keras.saving.register_keras_serializable(package="artstudy")
def squared_error(y_true, y_pred):
    """Per-row squared error of a scalar output ``(batch,)``.

    Keras' ``"mse"`` averages over the last axis, which for a ``(batch,)`` output is the batch
    itself: the rows' sample weights would then scale a batch mean instead of weighting rows.
    """
    y_true = keras.ops.reshape(keras.ops.cast(y_true, y_pred.dtype), keras.ops.shape(y_pred))
    return keras.ops.square(y_pred - y_true)


@keras.saving.register_keras_serializable(package="artstudy")
def gaussian_nll(y_true, y_pred):
    r"""Per-row negative log-likelihood of a normal predictive ``y_pred = (mean, log-variance)``, ``(batch, 2)``.

    .. math:: \tfrac12 \left( \log 2\pi + \ell + (y - \mu)^2 e^{-\ell} \right), \quad \ell = \log \sigma^2.

    Written in ``keras.ops`` (TensorFlow Probability does not work with Keras 3).
    """
    y_true = keras.ops.reshape(keras.ops.cast(y_true, y_pred.dtype), (-1,))
    mean, log_var = y_pred[:, 0], y_pred[:, 1]
    return 0.5 * (np.log(2.0 * np.pi) + log_var + keras.ops.square(y_true - mean) * keras.ops.exp(-log_var))


def is_gaussian(model) -> bool:
    """Whether the model's output is a normal predictive ``(batch, 2)`` (mean, log-variance)."""
    shape = tuple(model.outputs[0].shape)
    return len(shape) == 2 and shape[-1] == 2


def mean_and_sd(out) -> tuple[np.ndarray, np.ndarray | None]:
    """The mean and sd of a model's output rows: ``(out, None)`` for a scalar output, ``(mean, exp(log_var / 2))``."""
    out = np.asarray(out, dtype=float)
    if out.ndim == 2 and out.shape[1] == 2:
        return out[:, 0], np.exp(0.5 * out[:, 1])
    return out.reshape(len(out)), None


def unit_images(images) -> np.ndarray:
    """Images as float32 in [0, 1]: integer pixels are divided by 255; floats must already lie in [0, 1]."""
    arr = np.asarray(images)
    if arr.ndim != 4:
        raise InputError(f"deep model: images must be an array (n, height, width, channels), got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.integer):
        return (arr.astype(np.float32) / 255.0)
    arr = arr.astype(np.float32)
    if arr.size and (not np.isfinite(arr).all() or arr.min() < 0.0 or arr.max() > 1.0):
        raise InputError("deep model: float images must be finite and lie in [0, 1] (pass uint8 pixels to scale them)")
    return arr


def prepare_inputs(model, inputs: dict) -> dict:
    """The model's named inputs as float32 arrays of equal length (images scaled to [0, 1])."""
    if not isinstance(inputs, dict):
        raise InputError("deep model: inputs must be a dict keyed by input name ('image', 'tabular')")
    names = list(model.input_names) if hasattr(model, "input_names") else [t.name for t in model.inputs]
    missing = [n for n in names if n not in inputs]
    if missing:
        raise InputError(f"deep model {model.name!r}: inputs lack {missing}; it takes {names}")
    out = {}
    for name in names:
        out[name] = unit_images(inputs[name]) if name == "image" else np.asarray(inputs[name], dtype=np.float32)
        if name != "image" and not np.isfinite(out[name]).all():
            bad = np.flatnonzero(~np.isfinite(out[name]).reshape(len(out[name]), -1).all(axis=1))[:5].tolist()
            raise InputError(f"deep model: input {name!r} has missing or infinite values in rows {bad}")
    lengths = {len(v) for v in out.values()}
    if len(lengths) != 1:
        raise InputError(f"deep model: inputs have different numbers of rows: { {k: len(v) for k, v in out.items()} }")
    return out


def pad_rows(arrays: dict, batch_size: int) -> tuple[dict, int]:
    """Pad every array to a multiple of ``batch_size`` rows by repeating its first rows; returns (padded, n)."""
    n = len(next(iter(arrays.values())))
    if n == 0:
        raise InputError("deep model: no rows")
    n_pad = -(-n // batch_size) * batch_size
    idx = np.arange(n_pad) % n
    return {k: v[idx] for k, v in arrays.items()}, n


def _padded_set(inputs: dict, y, batch_size: int):
    y = np.asarray(y, dtype=np.float32).reshape(-1)
    if not np.isfinite(y).all():
        raise InputError("deep model: the target has missing or infinite values")
    padded, n = pad_rows({**inputs, "__y": y}, batch_size)
    if n != len(y):
        raise InputError(f"deep model: {len(y)} targets for {n} input rows")
    target = padded.pop("__y")
    weight = (np.arange(len(target)) < n).astype(np.float32)
    return padded, target, weight, len(target) / n


def _adapt_normalizers(model, inputs: dict) -> None:
    for name, values in inputs.items():
        try:
            layer = model.get_layer(f"{name}_norm")
        except ValueError:
            continue
        if isinstance(layer, keras.layers.Normalization):
            layer.adapt(values)
            _constant_columns_unscaled(layer)


def _constant_columns_unscaled(layer) -> None:
    """A column constant in the training rows keeps scale 1 (Keras would divide by epsilon: values of 1e7)."""
    variance = keras.ops.convert_to_numpy(layer.adapt_variance)
    if (variance < 1e-12).any():
        layer.adapt_variance.assign(np.where(variance < 1e-12, 1.0, variance).astype(variance.dtype))
        layer.finalize_state()


def _output_bias(model, y) -> None:
    """Start the last Dense layer (the one feeding ``"log_price"``) at the training mean of ``y`` (and, for a
    normal predictive, the log of its variance)."""
    y = np.asarray(y, dtype=float)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense) and layer.use_bias]
    if dense and dense[-1].bias.shape == (1,):
        dense[-1].bias.assign(np.array([y.mean()], dtype="float32"))
    elif dense and dense[-1].bias.shape == (2,):
        dense[-1].bias.assign(np.array([y.mean(), np.log(max(y.var(), 1e-6))], dtype="float32"))


def train(model, inputs: dict, y, *, validation=None, epochs: int = 30, batch_size: int = 64, patience: int = 5,
          learning_rate: float = 1e-3, seed: int = 0, verbose: int = 0, init_bias: bool = True) -> dict:
    """Fit ``model`` (Adam) with early stopping that restores the best weights.

    The loss is the squared error of the log price, or for a model with a normal predictive output
    (``gaussian=True`` in the builders) its negative log-likelihood (:func:`gaussian_nll`).

    ``inputs`` maps input names to arrays; ``validation`` is ``(inputs, y)`` or None (then early
    stopping watches the training loss). Same seed, same data: the same predictions (on CPU).
    Returns the learning curves ``{"epoch", "loss", "val_loss", "seconds"}`` (lists of equal length;
    ``val_loss`` NaN without validation; ``seconds`` per epoch) plus ``best_epoch`` (int, 1-based)
    and ``samples_per_second`` (real training rows per second of training, compile time included).
    ``init_bias`` starts the output layer's bias at the training mean of ``y`` (pass False to go
    on training a fitted model).
    """
    if int(batch_size) < 1 or int(epochs) < 1:
        raise InputError("deep model: batch_size and epochs must be at least 1")
    keras.utils.set_random_seed(int(seed))
    x = prepare_inputs(model, inputs)
    _adapt_normalizers(model, x)
    x_pad, y_pad, w_pad, scale = _padded_set(x, y, int(batch_size))
    if init_bias:
        _output_bias(model, y)
    fit_kw = {}
    val_scale = np.nan
    if validation is not None:
        xv, yv = validation
        xv_pad, yv_pad, wv_pad, val_scale = _padded_set(prepare_inputs(model, xv), yv, int(batch_size))
        fit_kw["validation_data"] = (xv_pad, yv_pad, wv_pad)
    loss = gaussian_nll if is_gaussian(model) else squared_error
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss)
    monitor = "val_loss" if validation is not None else "loss"
    timer = _EpochTimer()
    stop = keras.callbacks.EarlyStopping(monitor=monitor, patience=int(patience), restore_best_weights=True)
    started = time.perf_counter()
    hist = model.fit(x_pad, y_pad, sample_weight=w_pad, batch_size=int(batch_size), epochs=int(epochs),
                     shuffle=True, callbacks=[stop, timer], verbose=verbose, **fit_kw).history
    elapsed = time.perf_counter() - started
    loss = [float(v) * scale for v in hist["loss"]]
    val = [float(v) * val_scale for v in hist["val_loss"]] if validation is not None else [np.nan] * len(loss)
    watched = val if validation is not None else loss
    return {"epoch": list(range(1, len(loss) + 1)), "loss": loss, "val_loss": val, "seconds": timer.seconds,
            "best_epoch": int(np.argmin(watched)) + 1,
            "samples_per_second": len(loss) * len(y_pad) / scale / max(elapsed, 1e-9)}


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self._t = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._t)


def predict(model, inputs: dict, batch_size: int = 256) -> np.ndarray:
    """The model's output for every row (padded to whole batches so the compiled shape is reused)."""
    x = prepare_inputs(model, inputs)
    x_pad, n = pad_rows(x, int(batch_size))
    out = model.predict(x_pad, batch_size=int(batch_size), verbose=0)
    return np.asarray(out, dtype=float).reshape(len(out), *np.shape(out)[1:])[:n]
