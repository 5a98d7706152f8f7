"""Settings of the deep valuation models (the config's ``deep`` section).

:class:`DeepSettings` holds every default of the tabular MLP (``mlp``), the image CNN (``cnn``) and
the multi-modal model (``multimodal``) of :mod:`artstudy.models.deep.estimators`: picture size,
training, network sizes, augmentation and the image backbone. The estimators' keyword defaults are
read from here (:func:`artstudy._section.field_default`), and the registry builds them from the
config's section (:meth:`~artstudy.models.deep.estimators.TabularMLP.from_settings`). Importing
this module does not import Keras.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt, field_validator

from ..._section import Section

__all__ = ["DeepSettings", "DEEP_MODEL_NAMES", "TABULAR_NETWORK", "IMAGE_NETWORK", "MULTIMODAL_NETWORK"]

#: The deep models' registry names (:mod:`artstudy.models.registry`).
DEEP_MODEL_NAMES = ("mlp", "cnn", "multimodal", "lstm", "cnn_lstm")

#: Fields of :class:`DeepSettings` that are keyword arguments of each builder
#: (:mod:`artstudy.models.deep.builders`).
TABULAR_NETWORK = ("hidden", "dropout")
IMAGE_NETWORK = ("filters", "embedding_dim", "backbone", "weights_path", "flip", "shift")
MULTIMODAL_NETWORK = IMAGE_NETWORK + ("hidden", "head", "dropout")


class DeepSettings(Section):
    """The deep valuation models: pictures, training, network sizes, augmentation and the image backbone."""

    image_size: PositiveInt = 32
    """Pixels per side the pictures are read at (the synthetic world writes world.image_size)."""
    epochs: PositiveInt = 20
    """Most training epochs (early stopping on the validation share picks fewer)."""
    batch_size: PositiveInt = 64
    """Rows per training batch (every batch has exactly this many rows; see the training module)."""
    patience: PositiveInt = 5
    """Stop when the validation loss has not improved for this many epochs (the best weights are kept)."""
    learning_rate: PositiveFloat = 1e-3
    """Adam's learning rate."""
    validation_share: NonNegativeFloat = 0.15
    """Share of the in-sample training rows (training years only) held out, at random, for early stopping
    and the predictive sd (0: none; the in-sample sd is used)."""
    filters: list[PositiveInt] = Field(default_factory=lambda: [16, 32, 64])
    """Filters of the small CNN's convolutions (each but the last followed by 2x2 max-pooling)."""
    embedding_dim: PositiveInt = 32
    """Units of the image embedding (the dense layer after global pooling)."""
    hidden: list[PositiveInt] = Field(default_factory=lambda: [64, 32])
    """Units of the tabular branch's dense layers (the tabular MLP and the multi-modal model)."""
    head: list[PositiveInt] = Field(default_factory=lambda: [32])
    """Units of the multi-modal model's dense layers after image and tabular branches are joined."""
    dropout: NonNegativeFloat = 0.1
    """Dropout after each dense layer of the tabular branch and the head."""
    shift: NonNegativeFloat = 0.05
    """Augmentation: largest random translation of a picture in training, as a share of its side (0: none)."""
    flip: bool = False
    """Augmentation: random horizontal flips (off: the synthetic world's quality lives in a known region)."""
    backbone: str = "small_cnn"
    """Image trunk: small_cnn (trained from scratch) or a keras.applications model by name (MobileNetV2, ...)."""
    weights_path: str | None = None
    """A local weights file of the keras.applications backbone (None: trained from scratch; nothing downloads)."""
    fusion: Literal["embeddings", "end_to_end"] = "embeddings"
    """How the multi-modal model is trained: embeddings (its image encoder is learnt end to end on at most
    max_image_rows rows, then frozen, and the tabular branch and head are retrained on the embeddings of
    every training row: bounded CPU time) or end_to_end (everything together on every training row)."""
    encoder: str | None = None
    """A trained multi-modal model.keras whose image trunk the multi-modal model reuses with fusion
    embeddings (e.g. one trained at full size on a GPU); None: learnt within the fit."""
    max_image_rows: PositiveInt | None = 10_000
    """Most in-sample rows an image model trains on (a seeded random subset; None: all): keeps the image
    encoder's CPU time bounded on a large world."""
    sources: list[str] = Field(default_factory=lambda: ["synthetic"])
    """Sources (with an image_path column) the workflow runs the deep models on and reports (notebook 03)."""
    models: list[str] = Field(default_factory=lambda: ["mlp", "cnn", "multimodal", "lstm", "cnn_lstm"])
    """Deep models the workflow adds to evaluation.models on those sources (registry names; cnn_lstm reads the
    picture embeddings of the source's multimodal job, which therefore runs too)."""
    map_works: PositiveInt = 1000
    """Test works whose image embeddings the workflow maps to 2-D (t-SNE) for the report."""
    gradcam_works: PositiveInt = 400
    """Test works whose Grad-CAM heat maps the workflow saves for the report."""
    predictive: Literal["residual", "gaussian"] = "gaussian"
    """The predictive distribution: gaussian (a Gaussian head: each sale's own mean and sd, trained by negative
    log-likelihood) or residual (normal, one sd for every sale: the validation residuals' root mean square). On the
    synthetic world both give the same R² and CRPS; on the New York forecast the Gaussian head's CRPS is lower
    and its 80% intervals cover unseen artists' sales at 81-82% where one sd for all covers 68-71%."""
    embeddings: str | None = None
    """The picture embeddings cnn_lstm reads (a multimodal run's picture_embeddings.npz; the workflow names its own
    run's, and ``artstudy valuation-fit --embeddings`` sets it)."""
    length: PositiveInt = 16
    """Sequence models (lstm, cnn_lstm): the artist's most recent earlier sales each sale's history holds (padded)."""
    lstm_units: PositiveInt = 32
    """Sequence models: units of the LSTM over the artist's earlier sales."""
    progress: bool = True
    """A line per training epoch (loss, validation loss, seconds) in the job's log."""
    gpus: NonNegativeInt = 0
    """GPUs each deep training job asks the scheduler for (its Snakemake resource gpu; the GPU profile sets 1)."""

    @field_validator("models")
    @classmethod
    def _deep_models(cls, value):
        unknown = [m for m in value if m not in DEEP_MODEL_NAMES]
        if unknown:
            raise ValueError(f"unknown deep model {unknown[0]!r} (deep models: {', '.join(DEEP_MODEL_NAMES)})")
        return value

    @field_validator("validation_share")
    @classmethod
    def _share(cls, value):
        if not 0 <= value < 1:
            raise ValueError("validation_share must lie in [0, 1)")
        return value

    @field_validator("dropout", "shift")
    @classmethod
    def _below_one(cls, value):
        if not value < 1:
            raise ValueError("must be less than 1")
        return value

    @field_validator("filters")
    @classmethod
    def _nonempty(cls, value):
        if not value:
            raise ValueError("filters must name at least one convolution")
        return value

    def network(self, fields) -> dict:
        """The builder keyword arguments named by ``fields`` (e.g. :data:`IMAGE_NETWORK`)."""
        return {name: getattr(self, name) for name in fields}

    def training(self) -> dict:
        """The estimators' training and picture keyword arguments."""
        return {name: getattr(self, name) for name in ("image_size", "epochs", "batch_size", "patience",
                                                        "learning_rate", "validation_share", "max_image_rows",
                                                        "predictive")}
