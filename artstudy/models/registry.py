"""Model names to estimators: the valuation harness's registry.

:data:`REGISTRY` is a plain mapping of a model's name to a *factory* ``factory(config,
random_state) -> estimator``, where ``config`` is the study's
:class:`~artstudy.settings.StudyConfig`: tabular models take their covariates from
``config.evaluation.covariates``, popularity from ``config.model.popularity``, and the
popularity-ability model its settings from ``config.model``. A factory imports its model
lazily, so a model whose dependencies are heavy (the deep models) costs nothing until it is
made. A new model is one entry here (and one in :data:`DISPLAY_NAMES`)::

    def _cnn(config, random_state):
        from .deep.estimators import ImageRegressor

        return ImageRegressor.from_settings(config.deep, random_state=random_state)

    REGISTRY["cnn"] = _cnn

The deep models (``mlp``, ``cnn``, ``multimodal``) take their settings from ``config.deep``
(:class:`~artstudy.models.deep.settings.DeepSettings`); they are not among the harness's default
models (:data:`~artstudy.evaluation.settings.DEFAULT_MODELS`), so a run names them in
``evaluation.models``.
"""

from __future__ import annotations

from typing import Callable

from ..errors import InputError

__all__ = ["REGISTRY", "MODEL_NAMES", "DISPLAY_NAMES", "make_model", "display_name"]


def _naive(config, random_state):
    from .baselines import NaiveArtistMean

    return NaiveArtistMean()


def _hedonic(popularity: bool, artist_effects: bool):
    def factory(config, random_state):
        from .baselines import Hedonic

        return Hedonic(config.evaluation.covariates, year_effects=True, popularity=popularity,
                       artist_effects=artist_effects, popularity_settings=config.model.popularity)

    return factory


def _random_effects(config, random_state):
    from .baselines import RandomEffects

    return RandomEffects(config.evaluation.covariates, year_effects=True)


def _pam(config, random_state):
    from .pam.estimator import PopularityAbilityRegressor

    settings = config.model
    if not config.evaluation.pam_selection:  # every training artist gets an ability (see EvaluationSettings)
        settings = settings.model_copy(update={"min_works": None})
    return PopularityAbilityRegressor(covariates=config.evaluation.covariates, year_effects=True,
                                      settings=settings, random_state=random_state)


def _gbt(lags: bool):
    def factory(config, random_state):
        from .trees import GradientBoostedTrees

        ev = config.evaluation
        return GradientBoostedTrees.from_settings(ev.covariates, ev.trees, popularity=config.model.popularity,
                                                  prior_weight=ev.artist_prior_weight,
                                                  lags=ev.lags if lags else 0, random_state=random_state)

    return factory


def _oracle(config, random_state):
    from .oracle import Oracle, truth_noise_sd

    path = config.evaluation.truth_lots
    if path is None:
        raise InputError("model oracle: set evaluation.truth_lots to the synthetic world's truth_lots.csv")
    return Oracle(path, noise_sd=truth_noise_sd(path, default=config.truth.sigma2 ** 0.5))


def _deep(class_name: str, module: str = "estimators"):
    def factory(config, random_state):
        import importlib

        estimators = importlib.import_module(f".deep.{module}", __package__)
        return getattr(estimators, class_name).from_settings(
            config.deep, config.evaluation.covariates, popularity=config.model.popularity,
            prior_weight=config.evaluation.artist_prior_weight, random_state=random_state)

    return factory


#: name -> factory(config, random_state) -> estimator.
REGISTRY: dict[str, Callable] = {
    "naive": _naive,
    "hedonic": _hedonic(popularity=False, artist_effects=False),
    "hedonic_pop": _hedonic(popularity=True, artist_effects=False),
    "artist_fe": _hedonic(popularity=False, artist_effects=True),
    "artist_fe_pop": _hedonic(popularity=True, artist_effects=True),
    "random_effects": _random_effects,
    "pam": _pam,
    "gbt": _gbt(lags=False),
    "gbt_lags": _gbt(lags=True),
    "mlp": _deep("TabularMLP"),
    "cnn": _deep("ImageRegressor"),
    "multimodal": _deep("MultiModalRegressor"),
    "lstm": _deep("SequenceRegressor", "sequence"),
    "oracle": _oracle,
}

#: The deep (Keras) models: they train on pictures or in epochs, and leave files for the report
#: (:mod:`artstudy.models.deep.artifacts`).
DEEP_MODELS = ("mlp", "cnn", "multimodal", "lstm")

#: The registered names (a snapshot; :data:`REGISTRY` is the source).
MODEL_NAMES = tuple(REGISTRY)

#: How tables and figures name each model.
DISPLAY_NAMES = {
    "naive": "naive (artist mean)",
    "hedonic": "hedonic",
    "hedonic_pop": "hedonic + popularity",
    "artist_fe": "artist fixed effects",
    "artist_fe_pop": "artist fixed effects + popularity",
    "random_effects": "random effects",
    "pam": "popularity-ability",
    "gbt": "gradient-boosted trees",
    "gbt_lags": "gradient-boosted trees + artist's last prices",
    "mlp": "tabular MLP",
    "cnn": "image CNN",
    "multimodal": "multi-modal (image + tabular)",
    "lstm": "LSTM over the artist's earlier sales",
    "oracle": "oracle (truth)",
}


def display_name(name: str) -> str:
    """The display name of a model (its registry name when it has none)."""
    return DISPLAY_NAMES.get(name, name)


def make_model(name: str, config=None, random_state=None):
    """A new, unfitted estimator of the registered model ``name``.

    A model named in ``evaluation.conformal`` comes wrapped in a
    :class:`~artstudy.evaluation.conformal.ConformalEstimator`: the same point predictions, with
    intervals calibrated on the latest ``evaluation.conformal_years`` training years by segment.

    Parameters
    ----------
    name : str
        A key of :data:`REGISTRY`.
    config : StudyConfig, dict or None
        The study's config (a dict is validated with :func:`artstudy.settings.resolve`; None: defaults).
    random_state : int, numpy.random.Generator or None
        Passed to models that draw random numbers.

    Raises
    ------
    InputError
        ``name`` is not registered (the message lists the known names).
    """
    if name not in REGISTRY:
        raise InputError(f"unknown model {name!r} (known models: {', '.join(REGISTRY)})")
    from ..settings import resolve

    config = resolve(config)
    factory = REGISTRY[name]
    if name in config.evaluation.conformal:  # its intervals from conformal prediction on the latest training years
        from ..evaluation.conformal import ConformalEstimator

        return ConformalEstimator(lambda: factory(config, random_state),
                                  calibration_years=config.evaluation.conformal_years, name=name)
    return factory(config, random_state)
