r"""The deep valuation models as estimators of the protocol (:mod:`artstudy.models.base`).

- :class:`TabularMLP` (``mlp``): a multilayer perceptron on the features of
  :class:`~artstudy.models.tabular.TabularEncoder`;
- :class:`ImageRegressor` (``cnn``): the image-only CNN on the pictures the ``image_path`` column names;
- :class:`MultiModalRegressor` (``multimodal``): the CNN trunk and the tabular branch fused.

Fitting, from the training table only: the encoder is fitted on the whole table (its history
features of a row use sales strictly before it); the in-sample rows (:func:`fitted_rows`) are split
at random (seeded) into fitting rows and a validation share (``validation_share``, rows of the
training years); the network's normalisation is adapted on the fitting rows, it trains with early
stopping on the validation rows, and the validation residual sd is the sd of the normal predictive
distribution (one sd for every lot; the in-sample sd when ``validation_share`` is 0). Pictures are
read with :func:`artstudy.data.images.load_images` (relative paths under ``image_dir``): a missing
or corrupt file is an :class:`~artstudy.errors.InputError` before any training.

Every default (picture size, training, network sizes, augmentation, backbone) is a field of
:class:`~artstudy.models.deep.settings.DeepSettings` (the config's ``deep`` section); ``from_settings``
builds an estimator from such a section, as the registry does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._section import build, field_default
from ...data.images import load_images
from ...errors import InputError
from ...evaluation.settings import EvaluationSettings
from ..base import GaussianEstimator, log_price
from ..baselines import fitted_rows
from ..pam.paper import COVARIATES
from ..pam.settings import Popularity
from ..tabular import TabularEncoder
from ..trees import seed_of
from .settings import IMAGE_NETWORK, MULTIMODAL_NETWORK, TABULAR_NETWORK, DeepSettings

__all__ = ["TabularMLP", "ImageRegressor", "MultiModalRegressor"]


class _DeepRegressor(GaussianEstimator):
    """Shared fitting and prediction of the deep estimators; subclasses say which inputs they use.

    Parameters
    ----------
    covariates, year_effects, popularity, repeat_features, artist_encoding, prior_weight
        The :class:`TabularEncoder`'s settings (models with a tabular input; the image-only model keeps
        them but neither uses the covariates nor leaves out rows that lack them).
    image_size : int
        Pixels per side the pictures are read at (models with an image input).
    image_dir : path or None
        Folder relative ``image_path`` values are under.
    network : dict or None
        Keyword arguments of the builder (``hidden``, ``filters``, ``dropout``, ``backbone``, ...), merged
        over the :class:`DeepSettings` defaults of the builder's fields.
    epochs, batch_size, patience, learning_rate
        Training (:func:`artstudy.models.deep.training.train`).
    validation_share : float
        Share of the in-sample training rows held out for early stopping and the residual sd.
    predictive : {"residual", "gaussian"}
        ``residual``: a normal predictive with one sd for every sale (the validation residuals' root
        mean square); ``gaussian``: a Gaussian head gives each sale its own mean and sd, trained by
        the negative log-likelihood (:func:`~artstudy.models.deep.training.gaussian_nll`).
    random_state : int, numpy.random.Generator or None
    verbose : int
        Keras' progress output (0 silent, 1 a progress bar, 2 a line per epoch).

    Attributes
    ----------
    encoder_ : TabularEncoder or None
    model_ : keras.Model
    history_ : dict
        Learning curves of :func:`~artstudy.models.deep.training.train`.
    sd_ : float
        The validation residuals' root mean square (the sd of every sale with ``residual``).
    sd_scale_ : float
        With ``gaussian``: the factor every predicted sd is multiplied by (the validation rows'
        standardised residuals' root mean square); 1.0 with ``residual``.
    seed_ : int
    n_without_picture_ : int
        In-sample rows left out of training because they have no picture (models with a picture input).
    """

    name = "deep"
    uses_image = True
    uses_tabular = True
    network_fields: tuple = MULTIMODAL_NETWORK

    def __init__(self, covariates=COVARIATES, *, year_effects: bool = True, popularity: Popularity | dict | None = None,
                 repeat_features: bool = True, artist_encoding: str = "target",
                 prior_weight: float = field_default(EvaluationSettings, "artist_prior_weight"),
                 image_size: int = field_default(DeepSettings, "image_size"), image_dir=None,
                 network: dict | None = None, epochs: int = field_default(DeepSettings, "epochs"),
                 batch_size: int = field_default(DeepSettings, "batch_size"),
                 patience: int = field_default(DeepSettings, "patience"),
                 learning_rate: float = field_default(DeepSettings, "learning_rate"),
                 validation_share: float = field_default(DeepSettings, "validation_share"),
                 max_image_rows: int | None = field_default(DeepSettings, "max_image_rows"),
                 predictive: str = field_default(DeepSettings, "predictive"),
                 random_state=None, verbose: int = 0):
        if predictive not in ("residual", "gaussian"):
            raise InputError(f"{self.name}: predictive must be 'residual' or 'gaussian', got {predictive!r}")
        self.predictive = predictive
        if not 0 <= validation_share < 1:
            raise InputError(f"{self.name}: validation_share must lie in [0, 1), got {validation_share}")
        self.covariates = tuple(covariates)
        self.year_effects, self.repeat_features = year_effects, repeat_features
        self.popularity = None if popularity is None else build(Popularity, popularity, source="popularity")
        self.artist_encoding, self.prior_weight = artist_encoding, float(prior_weight)
        self.image_size, self.image_dir = int(image_size), image_dir
        self.network = {**DeepSettings().network(self.network_fields), **(network or {})}
        self.epochs, self.batch_size, self.patience = int(epochs), int(batch_size), int(patience)
        self.learning_rate, self.validation_share = float(learning_rate), float(validation_share)
        self.max_image_rows = None if max_image_rows is None else int(max_image_rows)
        self.random_state, self.verbose = random_state, int(verbose)

    @classmethod
    def from_settings(cls, settings: DeepSettings | dict | None = None, covariates=COVARIATES, *,
                      popularity: Popularity | dict | None = None,
                      prior_weight: float = field_default(EvaluationSettings, "artist_prior_weight"),
                      image_dir=None, random_state=None, verbose: int | None = None) -> "_DeepRegressor":
        """The model with picture size, training and network from a :class:`DeepSettings` (the config's ``deep``)."""
        settings = build(DeepSettings, settings, source="config", prefix="deep")
        verbose = verbose if verbose is not None else (2 if settings.progress else 0)
        return cls(covariates, popularity=popularity, prior_weight=prior_weight, image_dir=image_dir,
                   network=settings.network(cls.network_fields), random_state=random_state, verbose=verbose,
                   **settings.training(), **cls._settings_extra(settings))

    @classmethod
    def _settings_extra(cls, settings: DeepSettings) -> dict:
        """Keyword arguments of a subclass's own taken from the settings (none here)."""
        return {}

    def _build(self, n_features: int, seed: int):  # pragma: no cover - abstract
        raise NotImplementedError

    def _inputs(self, sales: pd.DataFrame) -> dict:
        out = {}
        if self.uses_tabular:
            out["tabular"] = self.encoder_.transform(sales)
        if self.uses_image:
            out["image"] = self._images(sales)
        return out

    def _images(self, sales: pd.DataFrame) -> np.ndarray:
        """The pictures of the rows (each file read once: a work sold again shows the same picture).

        A row without a picture (``image_path`` empty: the export named none, or the file was absent
        when the table was prepared) is shown a plain mid-grey picture: such rows are left out of
        training (counted in ``n_without_picture_``) and predicted from their other inputs.
        """
        if "image_path" not in sales.columns:
            raise InputError(f"{self.name}: the sales table has no column image_path")
        has = ~self._without_picture(sales)
        out = np.full((len(sales), self.image_size, self.image_size, 3), 128, dtype=np.uint8)
        if has.any():
            codes, paths = pd.factorize(sales["image_path"].to_numpy()[has].astype(str), sort=False)
            out[has] = load_images(list(paths), self.image_size, self.image_dir)[codes]
        return out

    def _without_picture(self, sales: pd.DataFrame) -> np.ndarray:
        """Rows whose ``image_path`` is empty (models with a picture input only; none otherwise)."""
        if not self.uses_image or "image_path" not in sales.columns:
            return np.zeros(len(sales), dtype=bool)
        path = sales["image_path"]
        return (path.isna() | (path.astype("string").str.strip() == "")).to_numpy(dtype=bool)

    def _training_rows(self, sales: pd.DataFrame) -> pd.DataFrame:
        """The in-sample rows the network trains on: every one, or a seeded subset of max_image_rows (image models)."""
        rows = fitted_rows(sales, self.name, self.covariates if self.uses_tabular else ())
        missing = self._without_picture(rows)
        self.n_without_picture_ = int(missing.sum())
        rows = rows[~missing]
        if self.uses_image and self.max_image_rows is not None and len(rows) > self.max_image_rows:
            keep = np.random.default_rng([self.seed_, 1]).choice(len(rows), size=self.max_image_rows, replace=False)
            rows = rows.iloc[np.sort(keep)]
        return rows

    def _tabular_encoder(self, sales: pd.DataFrame) -> TabularEncoder:
        """The :class:`TabularEncoder` of this model's settings, fitted on the training table."""
        return TabularEncoder(self.covariates, self.year_effects, self.popularity, self.repeat_features,
                              self.artist_encoding, self.prior_weight).fit(sales)

    def _split(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Fitting and validation positions: a seeded random share of the rows (none when the share is 0)."""
        n_val = int(round(self.validation_share * n))
        if n_val and n - n_val < 2:
            raise InputError(f"{self.name}: {n} in-sample rows are too few to hold out a validation share")
        order = np.random.default_rng(self.seed_).permutation(n)
        return np.sort(order[n_val:]), np.sort(order[:n_val])

    def fit(self, sales: pd.DataFrame) -> "_DeepRegressor":

        self.seed_ = seed_of(self.random_state)
        rows = self._training_rows(sales)
        self.encoder_ = None
        if self.uses_tabular:
            self.encoder_ = self._tabular_encoder(sales)
        x, y = self._inputs(rows), log_price(rows)
        fit_at, val_at = self._split(len(y))
        n_features = x["tabular"].shape[1] if self.uses_tabular else 0
        self.model_ = self._build(n_features, self.seed_)
        self.history_, self.sd_, self.sd_scale_ = self._train_network(self.model_, x, y, fit_at, val_at)
        return self

    def _train_network(self, model, x: dict, y, fit_at, val_at) -> tuple[dict, float, float]:
        """Train ``model`` on the fitting rows with early stopping on the validation rows.

        Returns ``(history, residual sd, sd scale)``: the root mean square of the validation residuals
        (the fitting rows' without a validation share), and, for a Gaussian head, the root mean square of
        the validation rows' standardised residuals (y - mean) / sd (1.0 otherwise), by
        which every predicted sd is multiplied: a head that learnt its variance on the fitting rows
        (too small where it overfits) is recalibrated on rows it did not fit.
        """
        from .training import mean_and_sd, predict, train

        take = lambda idx: {k: v[idx] for k, v in x.items()}  # noqa: E731
        validation = (take(val_at), y[val_at]) if len(val_at) else None
        history = train(model, take(fit_at), y[fit_at], validation=validation, epochs=self.epochs,
                        batch_size=self.batch_size, patience=self.patience, learning_rate=self.learning_rate,
                        seed=self.seed_, verbose=self.verbose)
        check = val_at if len(val_at) else fit_at
        mean, sd = mean_and_sd(predict(model, take(check), batch_size=self.batch_size))
        resid = y[check] - mean
        scale = 1.0 if sd is None else float(np.sqrt(np.mean((resid / sd) ** 2)))
        return history, float(np.sqrt(np.mean(resid**2))), scale

    def _distribution(self, inputs: dict, n: int):
        """``(mean, sd)`` of ``n`` rows from the network's inputs; rows whose tabular features are not finite get NaN."""
        from .training import mean_and_sd, predict

        ok = np.ones(n, dtype=bool)
        if "tabular" in inputs:
            ok = np.isfinite(np.asarray(inputs["tabular"], dtype=float)).all(axis=1)
        mean, sd = np.full(n, np.nan), np.full(n, np.nan)
        if ok.any():
            m, s = mean_and_sd(predict(self.model_, {k: v[ok] for k, v in inputs.items()}, batch_size=self.batch_size))
            mean[ok], sd[ok] = m, (self.sd_ if s is None else s * self.sd_scale_)
        return mean, sd

    def predict_distribution(self, sales: pd.DataFrame):
        """``(mean, sd)`` of the log price of every row of ``sales``.

        A row whose tabular features cannot be formed (a covariate missing: a history-only lot left
        out by a rule) gets NaN, as the other models give it; every other row is predicted.
        """
        if not hasattr(self, "model_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(sales) first")
        return self._distribution(self._inputs(sales), len(sales))


class TabularMLP(_DeepRegressor):
    """A multilayer perceptron on the tabular features (no pictures)."""

    name = "mlp"
    uses_image = False
    network_fields = TABULAR_NETWORK

    def _build(self, n_features: int, seed: int):
        from .builders import build_tabular_mlp
        return build_tabular_mlp(n_features, seed=seed, gaussian=self.predictive == "gaussian", **self.network)


class ImageRegressor(_DeepRegressor):
    """The image-only CNN (no tabular features)."""

    name = "cnn"
    uses_tabular = False
    network_fields = IMAGE_NETWORK

    def _build(self, n_features: int, seed: int):
        from .builders import build_image_cnn
        return build_image_cnn(self.image_size, seed=seed, gaussian=self.predictive == "gaussian", **self.network)


class MultiModalRegressor(_DeepRegressor):
    r"""The CNN trunk and the tabular branch fused (:func:`~artstudy.models.deep.builders.build_multimodal`).

    Parameters
    ----------
    fusion : {"embeddings", "end_to_end"}
        ``end_to_end``: trunk, tabular branch and head train together on the pictures (augmented).
        ``embeddings``: the image encoder is learnt once, end to end with the tabular branch, on at
        most ``max_image_rows`` in-sample rows (or given: ``encoder``), then frozen; a new tabular
        branch and head (:func:`~artstudy.models.deep.builders.build_fusion_head`) train on its
        embeddings of *every* in-sample row, and trunk and head are joined into one multi-modal
        Keras model (``model_``) with the layers of an end-to-end one. The pictures pass the trunk
        once for the head's training, so the CPU cost is bounded by ``max_image_rows`` whatever the
        size of the table. (An encoder trained on the image alone, the ``cnn``, learns mostly the
        artist's style, which the tabular features already know, and little of what they miss.)
    encoder : path, keras.Model or None
        A trained model with an ``"image"`` input and an ``"embedding"`` layer (a multi-modal
        ``model.keras`` saved by an earlier run, e.g. trained at full size on a GPU), used with
        ``fusion="embeddings"``; None trains one in :meth:`fit`. Its picture size and image network
        must be this model's.

    Other parameters are those of the deep estimators (see the module).

    Attributes
    ----------
    encoder_history_ : dict or None
        The learning curves of the encoder trained in :meth:`fit` (None when one was given).
    """

    name = "multimodal"

    def __init__(self, covariates=COVARIATES, *, fusion: str = field_default(DeepSettings, "fusion"),
                 encoder=field_default(DeepSettings, "encoder"), **kwargs):
        if fusion not in ("embeddings", "end_to_end"):
            raise InputError(f"multimodal: fusion must be 'embeddings' or 'end_to_end', got {fusion!r}")
        super().__init__(covariates, **kwargs)
        self.fusion, self.encoder = fusion, encoder

    @classmethod
    def _settings_extra(cls, settings: DeepSettings) -> dict:
        return {"fusion": settings.fusion, "encoder": settings.encoder}

    def _build(self, n_features: int, seed: int):
        from .builders import build_multimodal
        return build_multimodal(n_features, self.image_size, seed=seed, gaussian=self.predictive == "gaussian",
                                **self.network)

    def _encoder_model(self, sales: pd.DataFrame):
        """The frozen image encoder: loaded from ``encoder``, given, or trained here end to end on the training rows."""
        import keras

        if self.encoder is None:
            joint = MultiModalRegressor(self.covariates, fusion="end_to_end", year_effects=self.year_effects,
                                        popularity=self.popularity, repeat_features=self.repeat_features,
                                        artist_encoding=self.artist_encoding, prior_weight=self.prior_weight,
                                        image_size=self.image_size, image_dir=self.image_dir, network=self.network,
                                        epochs=self.epochs, batch_size=self.batch_size, patience=self.patience,
                                        learning_rate=self.learning_rate, validation_share=self.validation_share,
                                        max_image_rows=self.max_image_rows, predictive=self.predictive,
                                        random_state=self.seed_,
                                        verbose=self.verbose).fit(sales)
            self.encoder_history_ = joint.history_
            return joint.model_
        self.encoder_history_ = None
        if isinstance(self.encoder, keras.Model):
            model = self.encoder
        else:
            from pathlib import Path

            path = Path(self.encoder)
            if not path.is_file():
                raise InputError(f"multimodal: the image encoder {path} does not exist (deep.encoder)")
            from . import builders  # noqa: F401  (registers the custom layers the saved model names)
            model = keras.saving.load_model(str(path), compile=False)
        names = {layer.name for layer in model.layers}
        if "embedding" not in names or "image" not in [t.name for t in model.inputs]:
            raise InputError(f"multimodal: the image encoder {model.name!r} needs an 'image' input and an "
                             "'embedding' layer (an image model of artstudy.models.deep.builders)")
        size = tuple(model.inputs[[t.name for t in model.inputs].index("image")].shape[1:3])
        if size != (self.image_size, self.image_size):
            raise InputError(f"multimodal: the image encoder reads {size[0]} x {size[1]} pictures, this model "
                             f"{self.image_size} x {self.image_size} (deep.image_size)")
        return model

    def fit(self, sales: pd.DataFrame) -> "MultiModalRegressor":
        if self.fusion == "end_to_end":
            return super().fit(sales)
        from .builders import build_fusion_head, build_multimodal, copy_weights
        from .embeddings import image_embeddings

        self.seed_ = seed_of(self.random_state)
        encoder = self._encoder_model(sales)
        rows = fitted_rows(sales, self.name, self.covariates)
        missing = self._without_picture(rows)
        self.n_without_picture_ = int(missing.sum())
        rows = rows[~missing]
        self.encoder_ = self._tabular_encoder(sales)
        x = {"embedding": image_embeddings(encoder, self._images(rows), batch_size=max(self.batch_size, 256)),
             "tabular": self.encoder_.transform(rows)}
        y = log_price(rows)
        fit_at, val_at = self._split(len(y))
        n_features = x["tabular"].shape[1]
        network = {k: v for k, v in self.network.items() if k in ("hidden", "head", "dropout")}
        head = build_fusion_head(n_features, x["embedding"].shape[1], seed=self.seed_,
                                 gaussian=self.predictive == "gaussian", **network)
        self.history_, self.sd_, self.sd_scale_ = self._train_network(head, x, y, fit_at, val_at)
        image_net = {k: v for k, v in self.network.items() if k != "weights_path"}
        self.model_ = build_multimodal(n_features, self.image_size, seed=self.seed_,
                                       gaussian=self.predictive == "gaussian",
                                       **{**image_net, "embedding_dim": x["embedding"].shape[1]})
        copy_weights(self.model_, head, encoder)  # the head's layers first: an encoder may be a multi-modal model
        return self
