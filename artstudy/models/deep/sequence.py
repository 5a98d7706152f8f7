r"""The sequence models of the third strand: an LSTM over the artist's earlier sales.

- :func:`build_sequence_model`: the Keras model. Inputs ``"history"`` ``(length, n_step_features)``
  (the artist's earlier sales, oldest to newest, pre-padded with all-zero steps that a
  :class:`keras.layers.Masking` layer skips), ``"tabular"`` ``(n_features,)`` and, with
  ``embedding_dim > 0``, ``"embedding"`` ``(embedding_dim,)`` (the current work's picture embedding);
  the LSTM's last state, the tabular branch and the embedding are concatenated, then a dense head and
  the output ``"log_price"`` (:func:`~artstudy.models.deep.builders._head`).
- :class:`SequenceRegressor` (``lstm``): the history of log prices, gaps and a few numeric step
  features, with the tabular features of the current sale; no pictures.
- :class:`CNNLSTMRegressor` (``cnn_lstm``): each step also carries the earlier work's picture
  embedding, and the current work's embedding is an input. The embeddings are those a trained image
  encoder gave every picture (``picture_embeddings.npz`` of a multi-modal run,
  :mod:`artstudy.models.deep.artifacts`), so no picture is read here.

A sale's history is :func:`artstudy.models.sequences.artist_histories`: the up to ``length`` most
recent *priced* sales of the same artist strictly before its sale date. In :meth:`fit` the history
store is the training table's priced rows (history-only rows included); in ``predict`` it is that
store joined by the priced rows of the table being valued (a lot in both counts once, matched by
``lot_id``), so an earlier test sale informs a later one but never the reverse, and a row never sees
its own price.

Step features (in order): ``log_price``, ``gap_years`` (years from that sale to the current one),
the ``step_columns`` (numeric or 0/1 columns of the table; by default the covariates that are
numeric or boolean in the training table), then for ``cnn_lstm`` the earlier work's embedding. They
are standardised by the means and sds of the *fitting* rows' real steps (validation rows never reach
them; a constant feature keeps scale 1); a missing value (a covariate, or a picture without an
embedding) becomes 0 after standardisation, i.e. the fitting mean. A last feature ``present`` is 1.0
in every real step, so a real step is never all-zero and only padding is masked.

Everything else follows the deep estimators (:class:`~artstudy.models.deep.estimators._DeepRegressor`):
the in-sample rows (:func:`~artstudy.models.baselines.fitted_rows`), the
:class:`~artstudy.models.tabular.TabularEncoder`, the seeded validation split, early stopping, the
predictive (``deep.predictive``), and NaN for a row whose tabular features cannot be formed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..._section import field_default
from ...errors import InputError
from ..base import log_price
from ..baselines import fitted_rows
from ..pam.paper import COVARIATES
from ..sequences import artist_histories
from ..trees import seed_of
from .estimators import _DeepRegressor
from .settings import DeepSettings

__all__ = ["build_sequence_model", "SequenceRegressor", "CNNLSTMRegressor", "load_embeddings", "SEQUENCE_NETWORK"]

#: Fields of :class:`DeepSettings` that are keyword arguments of :func:`build_sequence_model`.
SEQUENCE_NETWORK = ("hidden", "head", "dropout", "lstm_units")


def build_sequence_model(n_step_features: int, n_features: int, length: int, *, embedding_dim: int = 0,
                         lstm_units: int = 32, hidden=(32,), head=(32,), dropout: float = 0.1, gaussian: bool = True,
                         name: str = "sequence", seed: int | None = None):
    """An LSTM over the artist's earlier sales, fused with the tabular features (and the picture embedding).

    Inputs ``"history"`` ``(length, n_step_features)`` (padding steps all zero, masked),
    ``"tabular"`` ``(n_features,)`` and, when ``embedding_dim > 0``, ``"embedding"``
    ``(embedding_dim,)`` (``n_features = 0``: no tabular input); output ``"log_price"`` (``(batch,)``, or ``(batch, 2)`` mean and
    log-variance with ``gaussian``). Layers: ``history_mask``, ``lstm``, ``tabular_norm``,
    ``tabular_dense*``, ``embedding_norm`` (adapted by :func:`~artstudy.models.deep.training.train`
    like ``tabular_norm``), ``fusion``, ``head_dense*``, ``<name>_out``. The history is *not*
    normalised by the model (a Normalization would count the padding): pass standardised steps.
    """
    import keras
    from keras import layers

    from .builders import _dense_stack, _head, _seed, _tabular_branch

    if int(n_step_features) < 1 or int(length) < 1 or int(lstm_units) < 1:
        raise InputError(f"sequence model: n_step_features, length and lstm_units must be at least 1, got "
                         f"{n_step_features}, {length}, {lstm_units}")
    if int(embedding_dim) < 0:
        raise InputError(f"sequence model: embedding_dim must be 0 or more, got {embedding_dim}")
    _seed(seed)
    history = keras.Input(shape=(int(length), int(n_step_features)), name="history")
    x_seq = layers.Masking(mask_value=0.0, name="history_mask")(history)
    x_seq = layers.LSTM(int(lstm_units), name="lstm")(x_seq)
    inputs, parts = {"history": history}, [x_seq]
    if int(n_features) > 0:
        tabular, x_tab = _tabular_branch(n_features, hidden, dropout)
        inputs["tabular"], parts = tabular, parts + [x_tab]
    if int(embedding_dim) > 0:
        emb = keras.Input(shape=(int(embedding_dim),), name="embedding")
        inputs["embedding"] = emb
        parts.append(layers.Normalization(axis=-1, name="embedding_norm")(emb))
    x = layers.Concatenate(name="fusion")(parts) if len(parts) > 1 else parts[0]
    x = _dense_stack(x, head, dropout, "head")
    return keras.Model(inputs=inputs, outputs=_head(x, name, gaussian), name=name)


def load_embeddings(embeddings) -> dict:
    """Picture embeddings as ``{image_path: float32 vector}`` from a ``picture_embeddings.npz`` or a mapping.

    Raises :class:`InputError` when the file does not exist or lacks ``image_path`` / ``embedding``,
    or the vectors are not all of one length.
    """
    if embeddings is None:
        raise InputError("cnn_lstm: embeddings is required (a picture_embeddings.npz of a multi-modal run, "
                         "or a mapping image_path -> vector)")
    if isinstance(embeddings, (str, Path)):
        path = Path(embeddings)
        if not path.is_file():
            raise InputError(f"cnn_lstm: the picture embeddings file {path} does not exist "
                             "(picture_embeddings.npz of a multi-modal run)")
        with np.load(path, allow_pickle=False) as data:
            if "image_path" not in data or "embedding" not in data:
                raise InputError(f"cnn_lstm: the picture embeddings file {path} needs arrays image_path and embedding")
            paths, vectors = data["image_path"].astype(str), np.asarray(data["embedding"], dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(paths):
            raise InputError(f"cnn_lstm: {path}: embedding must be (n, dim) for n image paths, got {vectors.shape}")
        return {p: vectors[i] for i, p in enumerate(paths)}
    out = {str(k): np.asarray(v, dtype=np.float32).reshape(-1) for k, v in dict(embeddings).items()}
    if not out:
        raise InputError("cnn_lstm: the picture embeddings mapping is empty")
    if len({v.size for v in out.values()}) != 1:
        raise InputError("cnn_lstm: the picture embeddings are not all of one length")
    return out


class SequenceRegressor(_DeepRegressor):
    """An LSTM over the artist's earlier sales with the tabular features of the sale (``lstm``; no pictures).

    Parameters
    ----------
    covariates, year_effects, popularity, repeat_features, artist_encoding, prior_weight
        The :class:`TabularEncoder`'s settings (as the other deep models).
    length : int
        Most recent earlier sales of the artist per lot (the sequence length).
    step_columns : sequence of str or None
        Numeric or boolean columns added to every step (the earlier sale's values); None: the
        covariates that are numeric or boolean in the training table.
    network : dict or None
        Keyword arguments of :func:`build_sequence_model` (``lstm_units``, ``hidden``, ``head``,
        ``dropout``), merged over the :class:`DeepSettings` defaults of :data:`SEQUENCE_NETWORK`.
    epochs, batch_size, patience, learning_rate, validation_share, predictive, random_state, verbose
        As the other deep estimators.

    Attributes
    ----------
    store_ : DataFrame
        The training table's priced rows (``lot_id``, ``artist``, ``sale_date``, ``log_price``, the
        step columns, ``image_path`` for ``cnn_lstm``): the history of every prediction.
    step_columns_ : tuple of str
    step_names_ : tuple of str
        The step features in order (``present`` last).
    step_mean_, step_sd_ : ndarray
        Standardisation of the step features (all but ``present``) from the fitting rows' real steps.
    encoder_, model_, history_, sd_, seed_
        As the other deep estimators.
    """

    name = "lstm"
    uses_image = False  # no "image" input (artifacts: no Grad-CAM or embedding map)
    uses_tabular = True
    uses_embeddings = False
    network_fields = SEQUENCE_NETWORK

    def __init__(self, covariates=COVARIATES, *, length: int = field_default(DeepSettings, "length"),
                 step_columns=None, **kwargs):
        super().__init__(covariates, **kwargs)
        if isinstance(length, (bool, np.bool_)) or int(length) != length or int(length) < 1:
            raise InputError(f"{self.name}: length must be a positive integer, got {length!r}")
        self.length = int(length)
        self.step_columns = None if step_columns is None else tuple(step_columns)

    @classmethod
    def from_settings(cls, settings: DeepSettings | dict | None = None, covariates=COVARIATES, *, verbose=None,
                      **kwargs) -> "SequenceRegressor":
        """The model with training and network from a :class:`DeepSettings` (the config's ``deep``).

        ``length``, ``lstm_units`` and ``predictive`` are the settings' (``deep.length``,
        ``deep.lstm_units``, ``deep.predictive``). Other keywords (``popularity``, ``prior_weight``, ``random_state``, ``image_dir``, ...) go to the model.
        """
        from ..._section import build

        settings = build(DeepSettings, settings, source="config", prefix="deep")
        verbose = verbose if verbose is not None else (2 if settings.progress else 0)
        training = {k: v for k, v in settings.training().items() if k not in ("image_size", "max_image_rows")}
        return cls(covariates, network=settings.network(cls.network_fields), length=settings.length,
                   verbose=verbose, **training, **kwargs)

    # -- inputs -----------------------------------------------------------------------------------

    def _resolve_step_columns(self, sales: pd.DataFrame) -> tuple:
        if self.step_columns is not None:
            missing = [c for c in self.step_columns if c not in sales.columns]
            if missing:
                raise InputError(f"{self.name}: the sales table has no step column {', '.join(missing)}")
            return self.step_columns
        return tuple(c for c in self.covariates if c in sales.columns
                     and (pd.api.types.is_bool_dtype(sales[c].dtype) or pd.api.types.is_numeric_dtype(sales[c].dtype)))

    def _history_frame(self, sales: pd.DataFrame) -> pd.DataFrame:
        """The priced rows of ``sales`` with an artist and a date, in the store's columns."""
        for column in ("artist", "sale_date", "price", *self.step_columns_):
            if column not in sales.columns:
                raise InputError(f"{self.name}: the sales table has no column {column}")
        y = log_price(sales)
        keep = np.isfinite(y) & sales["artist"].notna().to_numpy()
        out = pd.DataFrame({"lot_id": sales["lot_id"].astype("string") if "lot_id" in sales.columns else pd.NA,
                            "artist": sales["artist"], "sale_date": sales["sale_date"], "log_price": y},
                           index=sales.index)
        for column in self.step_columns_:
            out[column] = sales[column]
        if self.uses_embeddings:
            out["image_path"] = sales["image_path"] if "image_path" in sales.columns else pd.NA
        return out.loc[keep].reset_index(drop=True)

    def _known(self, sales: pd.DataFrame) -> pd.DataFrame:
        """The stored training rows joined by the priced rows of ``sales`` (a lot in both counts once)."""
        new = self._history_frame(sales)
        store = self.store_
        if new.empty:
            return store
        if new["lot_id"].notna().all() and store["lot_id"].notna().all():
            store = store[~store["lot_id"].isin(new["lot_id"])]
        return pd.concat([store, new], ignore_index=True)

    def _raw_steps(self, sales: pd.DataFrame, history: pd.DataFrame):
        """Unstandardised step features (NaN where missing) and the mask of real steps."""
        found = artist_histories(sales, history, self.length, self.step_columns_)
        values = found.values.astype(np.float32)
        if self.uses_embeddings:
            paths = history["image_path"].to_numpy(dtype=object)
            vectors = self._vectors(paths, "history")  # (n_history, dim), NaN without a picture
            at = np.where(found.mask, found.positions, 0)
            step_emb = vectors[at] if len(vectors) else np.zeros(at.shape + (self.embedding_dim_,), np.float32)
            step_emb[~found.mask] = 0.0
            values = np.concatenate([values, step_emb], axis=-1)
        values[~found.mask] = 0.0
        return values, found.mask

    def _standardised(self, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Standardised steps, missing values at 0 (the fitting mean), ``present`` 1.0 on real steps; padding all 0."""
        z = (values - self.step_mean_) / self.step_sd_
        z = np.where(np.isfinite(z), z, 0.0).astype(np.float32)
        z = np.concatenate([z, np.ones(mask.shape + (1,), np.float32)], axis=-1)
        z[~mask] = 0.0
        return z

    def _sequence_inputs(self, sales: pd.DataFrame, history: pd.DataFrame) -> tuple[dict, np.ndarray, np.ndarray]:
        values, mask = self._raw_steps(sales, history)
        out = {"tabular": self.encoder_.transform(sales)}
        if self.uses_embeddings:
            out["embedding"] = self._current_embeddings(sales)
        return out, values, mask

    # hooks of cnn_lstm
    def _vectors(self, paths, role: str) -> np.ndarray:  # pragma: no cover - lstm has no embeddings
        raise NotImplementedError

    def _current_embeddings(self, sales: pd.DataFrame) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _build(self, n_features: int, seed: int):
        return build_sequence_model(len(self.step_names_), n_features, self.length,
                                    embedding_dim=self.embedding_dim_ if self.uses_embeddings else 0,
                                    gaussian=self.predictive == "gaussian", name=self.name, seed=seed,
                                    **self.network)

    # -- protocol ---------------------------------------------------------------------------------

    def fit(self, sales: pd.DataFrame) -> "SequenceRegressor":

        self.seed_ = seed_of(self.random_state)
        self.step_columns_ = self._resolve_step_columns(sales)
        self._prepare(sales)
        rows = fitted_rows(sales, self.name, self.covariates)
        missing = self._without_embedding_rows(rows)
        self.n_without_picture_ = int(missing.sum())
        rows = rows[~missing]
        if rows.empty:
            raise InputError(f"{self.name}: no in-sample rows with a picture to fit")
        self.store_ = self._history_frame(sales)
        self.encoder_ = self._tabular_encoder(sales)
        x, values, mask = self._sequence_inputs(rows, self.store_)
        y = log_price(rows)
        fit_at, val_at = self._split(len(y))
        real = values[fit_at][mask[fit_at]]  # (steps, F) of the fitting rows
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(real, axis=0) if len(real) else np.zeros(values.shape[-1])
            sd = np.nanstd(real, axis=0) if len(real) else np.ones(values.shape[-1])
        mean = np.where(np.isfinite(mean), mean, 0.0)
        sd = np.where(np.isfinite(sd) & (sd > 1e-6), sd, 1.0)
        self.step_mean_, self.step_sd_ = mean.astype(np.float32), sd.astype(np.float32)
        names = ["log_price", "gap_years", *self.step_columns_]
        if self.uses_embeddings:
            names += [f"embedding{i}" for i in range(self.embedding_dim_)]
        self.step_names_ = tuple(names) + ("present",)
        x["history"] = self._standardised(values, mask)
        self.model_ = self._build(x["tabular"].shape[1], self.seed_)
        self.history_, self.sd_, self.sd_scale_ = self._train_network(self.model_, x, y, fit_at, val_at)
        return self

    def _prepare(self, sales: pd.DataFrame) -> None:
        """Load what the inputs need before any training (cnn_lstm: the embeddings)."""

    def _without_embedding_rows(self, rows: pd.DataFrame) -> np.ndarray:
        return np.zeros(len(rows), dtype=bool)

    def predict_distribution(self, sales: pd.DataFrame):
        """``(mean, sd)`` of the log price of every row; history: the stored training rows and the earlier rows of ``sales``.

        A row whose tabular features cannot be formed (a covariate missing) gets NaN.
        """
        if not hasattr(self, "model_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(sales) first")
        x, values, mask = self._sequence_inputs(sales, self._known(sales))
        x["history"] = self._standardised(values, mask)
        return self._distribution(x, len(sales))


class CNNLSTMRegressor(SequenceRegressor):
    """The LSTM with picture embeddings (``cnn_lstm``): every step carries the earlier work's embedding, and
    the current work's embedding is an input.

    Parameters
    ----------
    embeddings : path or mapping
        A ``picture_embeddings.npz`` (arrays ``image_path`` and ``embedding``: what a multi-modal run
        saves, :mod:`artstudy.models.deep.artifacts`) or a mapping ``image_path -> vector``. Required.

    Other parameters are those of :class:`SequenceRegressor`.

    Pictures: a row whose ``image_path`` is empty (no picture) has no embedding. In-sample rows without
    one are left out of training (counted in ``n_without_picture_``) but still count as history, with
    the embedding part of their step missing (the fitting mean); a row valued without a picture gets the
    mean embedding of the fitting rows (``embedding_mean_``). A non-empty ``image_path`` that the
    embeddings lack is an :class:`InputError` naming the pictures (the embeddings belong to another
    table), raised in :meth:`fit` before any training, or in ``predict``.

    Attributes
    ----------
    embeddings_ : dict
        ``image_path -> vector`` as loaded.
    embedding_dim_ : int
    embedding_mean_ : ndarray
        Mean embedding of the training rows (given to rows valued without a picture).
    n_without_picture_ : int
    """

    name = "cnn_lstm"
    uses_embeddings = True

    def __init__(self, covariates=COVARIATES, *, embeddings=None, **kwargs):
        super().__init__(covariates, **kwargs)
        self.embeddings = embeddings

    @classmethod
    def from_settings(cls, settings=None, covariates=COVARIATES, *, embeddings=None, **kwargs):
        """The model from a :class:`DeepSettings`; ``embeddings`` (the npz path) is given, or the settings' field."""
        if embeddings is None and settings is not None:
            embeddings = (settings.get("embeddings") if isinstance(settings, dict)
                          else getattr(settings, "embeddings", None))
            if isinstance(settings, dict):
                settings = {k: v for k, v in settings.items() if k != "embeddings"}
        return super().from_settings(settings, covariates, embeddings=embeddings, **kwargs)

    def _prepare(self, sales: pd.DataFrame) -> None:
        self.embeddings_ = load_embeddings(self.embeddings)
        self.embedding_dim_ = int(next(iter(self.embeddings_.values())).size)
        if "image_path" not in sales.columns:
            raise InputError(f"{self.name}: the sales table has no column image_path")
        history = self._history_frame(sales)
        self._vectors(history["image_path"].to_numpy(dtype=object), "training")  # fails early on a missing one

    def _without_embedding_rows(self, rows: pd.DataFrame) -> np.ndarray:
        path = rows["image_path"]
        return (path.isna() | (path.astype("string").str.strip() == "")).to_numpy(dtype=bool)

    def _vectors(self, paths, role: str) -> np.ndarray:
        """Embeddings of ``paths`` (n, dim): NaN for an empty path; InputError for a path without an embedding."""
        out = np.full((len(paths), self.embedding_dim_), np.nan, dtype=np.float32)
        if not len(paths):
            return out
        text = pd.Series(paths, dtype="string").str.strip()
        has = (text.notna() & (text != "")).to_numpy(dtype=bool)
        codes, uniques = pd.factorize(text[has].to_numpy(dtype=str), sort=False)
        absent = [p for p in uniques if p not in self.embeddings_]
        if absent:
            shown = ", ".join(repr(p) for p in absent[:5]) + (f" and {len(absent) - 5} more" if len(absent) > 5 else "")
            raise InputError(f"{self.name}: {len(absent)} pictures of the {role} table have no embedding in "
                             f"{self.embeddings if isinstance(self.embeddings, (str, Path)) else 'the mapping'}: {shown}")
        if len(uniques):
            table = np.stack([self.embeddings_[p] for p in uniques])
            out[has] = table[codes]
        return out

    def _current_embeddings(self, sales: pd.DataFrame) -> np.ndarray:
        if "image_path" not in sales.columns:
            raise InputError(f"{self.name}: the sales table has no column image_path")
        vectors = self._vectors(sales["image_path"].to_numpy(dtype=object), "valued")
        if not hasattr(self, "embedding_mean_"):  # fitting: the training rows all have a picture
            finite = np.isfinite(vectors).all(axis=1)
            self.embedding_mean_ = (vectors[finite].mean(axis=0) if finite.any()
                                    else np.zeros(self.embedding_dim_)).astype(np.float32)
        return np.where(np.isfinite(vectors), vectors, self.embedding_mean_[None, :]).astype(np.float32)

    def fit(self, sales: pd.DataFrame) -> "CNNLSTMRegressor":
        if hasattr(self, "embedding_mean_"):
            del self.embedding_mean_
        return super().fit(sales)
