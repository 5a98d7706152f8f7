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
    seed_ : int
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
                 random_state=None, verbose: int = 0):
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
        self.random_state, self.verbose = random_state, int(verbose)

    @classmethod
    def from_settings(cls, settings: DeepSettings | dict | None = None, covariates=COVARIATES, *,
                      popularity: Popularity | dict | None = None,
                      prior_weight: float = field_default(EvaluationSettings, "artist_prior_weight"),
                      image_dir=None, random_state=None, verbose: int = 0) -> "_DeepRegressor":
        """The model with picture size, training and network from a :class:`DeepSettings` (the config's ``deep``)."""
        settings = build(DeepSettings, settings, source="config", prefix="deep")
        return cls(covariates, popularity=popularity, prior_weight=prior_weight, image_dir=image_dir,
                   network=settings.network(cls.network_fields), random_state=random_state, verbose=verbose,
                   **settings.training())

    def _build(self, n_features: int, seed: int):  # pragma: no cover - abstract
        raise NotImplementedError

    def _inputs(self, sales: pd.DataFrame) -> dict:
        out = {}
        if self.uses_tabular:
            out["tabular"] = self.encoder_.transform(sales)
        if self.uses_image:
            if "image_path" not in sales.columns:
                raise InputError(f"{self.name}: the sales table has no column image_path")
            out["image"] = load_images(sales["image_path"].tolist(), self.image_size, self.image_dir)
        return out

    def _split(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Fitting and validation positions: a seeded random share of the rows (none when the share is 0)."""
        n_val = int(round(self.validation_share * n))
        if n_val and n - n_val < 2:
            raise InputError(f"{self.name}: {n} in-sample rows are too few to hold out a validation share")
        order = np.random.default_rng(self.seed_).permutation(n)
        return np.sort(order[n_val:]), np.sort(order[:n_val])

    def fit(self, sales: pd.DataFrame) -> "_DeepRegressor":
        from .training import predict, train

        rows = fitted_rows(sales, self.name, self.covariates if self.uses_tabular else ())
        self.seed_ = seed_of(self.random_state)
        self.encoder_ = None
        if self.uses_tabular:
            self.encoder_ = TabularEncoder(self.covariates, self.year_effects, self.popularity, self.repeat_features,
                                           self.artist_encoding, self.prior_weight).fit(sales)
        x, y = self._inputs(rows), log_price(rows)
        fit_at, val_at = self._split(len(y))
        take = lambda idx: {k: v[idx] for k, v in x.items()}  # noqa: E731
        n_features = x["tabular"].shape[1] if self.uses_tabular else 0
        self.model_ = self._build(n_features, self.seed_)
        validation = (take(val_at), y[val_at]) if len(val_at) else None
        self.history_ = train(self.model_, take(fit_at), y[fit_at], validation=validation, epochs=self.epochs,
                              batch_size=self.batch_size, patience=self.patience,
                              learning_rate=self.learning_rate, seed=self.seed_, verbose=self.verbose)
        check = val_at if len(val_at) else fit_at
        resid = y[check] - predict(self.model_, take(check), batch_size=self.batch_size)
        self.sd_ = float(np.sqrt(np.mean(resid**2)))
        return self

    def predict_distribution(self, sales: pd.DataFrame):
        """``(mean, sd)`` of the log price of every row of ``sales``."""
        from .training import predict

        if not hasattr(self, "model_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(sales) first")
        mean = predict(self.model_, self._inputs(sales), batch_size=self.batch_size)
        return mean, np.full(len(sales), self.sd_)


class TabularMLP(_DeepRegressor):
    """A multilayer perceptron on the tabular features (no pictures)."""

    name = "mlp"
    uses_image = False
    network_fields = TABULAR_NETWORK

    def _build(self, n_features: int, seed: int):
        from .builders import build_tabular_mlp
        return build_tabular_mlp(n_features, seed=seed, **self.network)


class ImageRegressor(_DeepRegressor):
    """The image-only CNN (no tabular features)."""

    name = "cnn"
    uses_tabular = False
    network_fields = IMAGE_NETWORK

    def _build(self, n_features: int, seed: int):
        from .builders import build_image_cnn
        return build_image_cnn(self.image_size, seed=seed, **self.network)


class MultiModalRegressor(_DeepRegressor):
    """The CNN trunk and the tabular branch fused (:func:`~artstudy.models.deep.builders.build_multimodal`)."""

    name = "multimodal"

    def _build(self, n_features: int, seed: int):
        from .builders import build_multimodal
        return build_multimodal(n_features, self.image_size, seed=seed, **self.network)
