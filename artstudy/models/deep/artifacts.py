"""What a trained deep model leaves for the report and for later rules, in one folder.

:func:`save_artifacts` writes, for a fitted deep estimator (:mod:`artstudy.models.deep.estimators`)
and the harness's split (:mod:`artstudy.evaluation.split`):

``model.keras``
    The Keras model (for the multi-modal model with ``fusion="embeddings"``, the frozen encoder's
    trunk and the trained head joined into one model); load with :func:`load_model`. Written
    byte for byte the same by two runs (:func:`save_model`: no save date, no memory addresses, fixed
    zip times).
``history.csv``
    Learning curves: ``epoch, loss, val_loss`` (mean squared error of log price on the fitting and
    validation rows). ``encoder_history.csv``: the same of an image encoder trained within the fit.
``summary.json``
    ``model, backend, image_size, fusion, best_epoch, epochs_run, sd`` and the counts of rows, to
    name the run in the report.
``timing.json``
    The run's wall times, the one file here that differs between two runs: ``seconds`` (fitting
    and predicting), ``samples_per_second`` (training rows per second), ``epoch_seconds`` and, with
    an encoder trained within the fit, ``encoder_samples_per_second`` and ``encoder_epoch_seconds``.
    :func:`read_summary` gives ``summary.json`` with these.
``embeddings.csv`` (models with a picture input)
    A seeded sample of at most ``map_works`` scored test works (one row per work, its latest test
    sale): ``lot_id, artist, log_price, segment`` (``repeat`` or ``fresh``), ``unseen_artist``,
    ``map_x, map_y`` (a t-SNE map of the image embeddings; PCA for fewer than 50 works).
``gradcam.npz`` (models with a picture input)
    For a seeded sample of at most ``gradcam_works`` scored test sales: ``lot_id`` (str), ``image``
    (uint8, ``(n, size, size, 3)``), ``heatmap`` (float32 Grad-CAM of the predicted log price,
    ``(n, size, size)``, maximum 1 per map), ``pred`` and ``log_price``.
``picture_embeddings.npz`` (models with a picture input)
    The embedding of every distinct picture of the table: ``image_path`` (str) and ``embedding``
    (float32, ``(n, dim)``), for models that reuse the encoder.

Samples are drawn from the test period only, so nothing here feeds back into training. Every file
but ``timing.json`` is the same, byte for byte, for the same data, settings and seed (on CPU).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import InputError
from ..base import log_price

__all__ = ["save_artifacts", "save_model", "load_model", "read_summary", "ARTIFACT_FILES", "TIMING_FILE"]

#: Files every deep model's folder holds, and those of models with a picture input.
ARTIFACT_FILES = {"all": ("model.keras", "history.csv", "summary.json", "timing.json"),
                  "image": ("embeddings.csv", "gradcam.npz")}

#: Fewest works the t-SNE map is drawn for (below: PCA).
MIN_TSNE_WORKS = 50

#: The folder's wall times (the one file that differs between two runs).
TIMING_FILE = "timing.json"

#: The time stamp of every member of a saved model's zip (the earliest a zip can hold).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def load_model(path):
    """A saved deep model (``model.keras``), with artstudy's custom layers registered."""
    import keras

    from . import builders  # noqa: F401  (registers Squeeze and BackbonePreprocess)

    path = Path(path)
    if not path.is_file():
        raise InputError(f"deep model file {path} does not exist")
    return keras.saving.load_model(str(path), compile=False)


def _shared_ids(node, ids: dict):
    """Keras's config with each ``shared_object_id`` (a memory address) numbered by first appearance instead."""
    if isinstance(node, dict):
        return {k: (ids.setdefault(v, len(ids) + 1) if k == "shared_object_id" else _shared_ids(v, ids))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_shared_ids(v, ids) for v in node]
    return node


def save_model(net, path) -> Path:
    """Save a Keras model to ``path`` (``.keras``) so that the same model gives the same bytes.

    Keras's own file holds the save date (``metadata.json``), memory addresses of shared objects
    (``config.json``) and the wall time of its weights member: the date is left out, the addresses
    numbered in order of appearance, every member dated 1980-01-01. :func:`load_model` reads it.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / path.name
        net.save(saved)
        with zipfile.ZipFile(saved) as source:
            members = [(info, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info, data in members:
            if info.filename == "metadata.json":
                data = json.dumps({k: v for k, v in json.loads(data).items() if k != "date_saved"}).encode()
            elif info.filename == "config.json":
                data = json.dumps(_shared_ids(json.loads(data), {})).encode()
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            member.compress_type, member.external_attr = info.compress_type, info.external_attr
            target.writestr(member, data)
    path.write_bytes(buffer.getvalue())
    return path


def read_summary(folder) -> dict:
    """A deep model folder's ``summary.json`` with its wall times (``timing.json``, when there) added."""
    folder = Path(folder)
    if not (folder / "summary.json").is_file():
        raise InputError(f"deep model folder {folder}: no summary.json")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    if (folder / TIMING_FILE).is_file():
        summary.update(json.loads((folder / TIMING_FILE).read_text(encoding="utf-8")))
    return summary


def _history_frame(history: dict) -> pd.DataFrame:
    return pd.DataFrame({k: history[k] for k in ("epoch", "loss", "val_loss")})


def _segments(sales: pd.DataFrame, split) -> pd.DataFrame:
    """Scored test rows: their positions in ``sales``, segment (repeat/fresh) and unseen-artist flag."""
    from ...evaluation.segments import segment_masks

    masks = segment_masks(sales, split).reset_index(drop=True)
    positions = np.flatnonzero(split.scored)
    if "repeat" in masks:
        segment = np.where(masks["repeat"], "repeat", np.where(masks["fresh"], "fresh", "other"))
    else:
        segment = np.full(len(positions), "all")
    unseen = masks["unseen_artist"].to_numpy() if "unseen_artist" in masks else np.zeros(len(positions), bool)
    return pd.DataFrame({"position": positions, "segment": segment, "unseen_artist": unseen})


def _sample(n: int, k: int, rng) -> np.ndarray:
    return np.sort(rng.choice(n, size=min(int(k), n), replace=False))


def save_artifacts(model, sales: pd.DataFrame, split, folder, *, map_works: int = 1500, gradcam_works: int = 400,
                   seed: int = 0, seconds: float | None = None) -> dict:
    """Write a fitted deep model's files (see the module) into ``folder``; returns the summary.

    Parameters
    ----------
    model : fitted deep estimator
        With ``model_`` (Keras), ``history_`` and, for models with a tabular input, ``encoder_``.
    sales : DataFrame
        The whole prepared table the split was made on.
    split : Split
        The harness's split (the samples are scored test rows).
    folder : path
    map_works, gradcam_works : int
        Most works in the embedding map and the Grad-CAM sample.
    seed : int
        Seed of the samples and of t-SNE.
    seconds : float, optional
        Wall time of fitting and predicting, recorded in ``timing.json``.

    Returns
    -------
    dict
        The summary written to ``summary.json`` with the wall times of ``timing.json``.
    """
    import keras

    if not isinstance(getattr(model, "model_", None), keras.Model) or not hasattr(model, "history_"):
        raise InputError(f"save_artifacts: model {getattr(model, 'name', model)!r} is not a fitted deep model")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    net = model.model_
    save_model(net, folder / "model.keras")
    _history_frame(model.history_).to_csv(folder / "history.csv", index=False)
    encoder_history = getattr(model, "encoder_history_", None)
    if encoder_history:
        _history_frame(encoder_history).to_csv(folder / "encoder_history.csv", index=False)
    summary = {"model": model.name, "backend": keras.backend.backend(), "image_size": model.image_size,
               "fusion": getattr(model, "fusion", None), "predictive": model.predictive,
               "best_epoch": int(model.history_["best_epoch"]), "epochs_run": len(model.history_["epoch"]),
               "epochs_max": model.epochs,
               "sd": float(model.sd_), "sd_scale": float(model.sd_scale_),
               "uses_image": bool(model.uses_image), "uses_tabular": bool(model.uses_tabular)}
    timing = {"seconds": None if seconds is None else float(seconds),
              "samples_per_second": float(model.history_["samples_per_second"]),
              "epoch_seconds": [float(v) for v in model.history_["seconds"]]}
    if encoder_history:
        timing["encoder_samples_per_second"] = float(encoder_history["samples_per_second"])
        timing["encoder_epoch_seconds"] = [float(v) for v in encoder_history["seconds"]]
        summary["encoder_epochs_run"] = len(encoder_history["epoch"])
    if model.uses_image:
        rng = np.random.default_rng([int(seed), 8])
        scored = _segments(sales, split)
        summary["test_without_picture"] = int(model._without_picture(sales.loc[split.test]).sum())
        summary["train_without_picture"] = int(getattr(model, "n_without_picture_", 0))
        summary["map_method"] = _save_map(model, sales, scored, folder, map_works, rng, seed)
        _save_gradcam(model, sales, scored, folder, gradcam_works, rng)
        _save_pictures(model, sales, folder)
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (folder / TIMING_FILE).write_text(json.dumps(timing, indent=2) + "\n")
    return {**summary, **timing}


def _save_map(model, sales, scored, folder, map_works, rng, seed) -> str:
    """``embeddings.csv``: a 2-D map of the picture embeddings of sampled test works (one point per work)."""
    from ...evaluation.harness import lot_ids
    from .embeddings import embedding_map, image_embeddings

    ids, y = lot_ids(sales), log_price(sales)
    positions = scored["position"].to_numpy()
    works = sales["artwork_id"].to_numpy()[positions] if "artwork_id" in sales else ids[positions]
    last = ~pd.Series(works).duplicated(keep="last").to_numpy()  # a work's latest scored test sale
    candidates = scored[last].reset_index(drop=True)
    pick = candidates.iloc[_sample(len(candidates), map_works, rng)]
    rows = sales.iloc[pick["position"].to_numpy()]
    emb = image_embeddings(model.model_, model._images(rows))
    method = "tsne" if len(rows) >= MIN_TSNE_WORKS else "pca"
    coords = embedding_map(emb, method=method, seed=int(seed)) if len(rows) >= 2 else np.zeros((len(rows), 2))
    pd.DataFrame({"lot_id": ids[pick["position"]], "artist": rows["artist"].to_numpy(),
                  "log_price": y[pick["position"]], "segment": pick["segment"].to_numpy(),
                  "unseen_artist": pick["unseen_artist"].to_numpy(), "map_x": coords[:, 0],
                  "map_y": coords[:, 1]}).to_csv(folder / "embeddings.csv", index=False)
    return method


def _save_gradcam(model, sales, scored, folder, gradcam_works, rng) -> None:
    """``gradcam.npz``: Grad-CAM of the predicted log price for sampled scored test sales."""
    from ...evaluation.harness import lot_ids
    from .gradcam import grad_cam
    from .training import mean_and_sd, predict

    ids, y = lot_ids(sales), log_price(sales)
    at = scored["position"].to_numpy()[_sample(len(scored), gradcam_works, rng)]
    rows = sales.iloc[at]
    inputs = model._inputs(rows)
    images = inputs["image"]
    heat = grad_cam(model.model_, images, tabular=inputs.get("tabular"))
    pred = mean_and_sd(predict(model.model_, inputs, batch_size=model.batch_size))[0]
    np.savez_compressed(folder / "gradcam.npz", lot_id=np.asarray(ids[at], dtype=str), image=images,
                        heatmap=heat.astype(np.float32), pred=pred, log_price=y[at])


def _save_pictures(model, sales, folder) -> None:
    """``picture_embeddings.npz``: every distinct picture's embedding (a work's sales share one picture)."""
    from .embeddings import image_embeddings

    paths = pd.unique(sales["image_path"].dropna().astype(str))
    table = pd.DataFrame({"image_path": paths})
    np.savez_compressed(folder / "picture_embeddings.npz", image_path=np.asarray(paths, dtype=str),
                        embedding=image_embeddings(model.model_, model._images(table)).astype(np.float32))
