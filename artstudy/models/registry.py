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

*With the presale estimates.* For each base of :data:`ESTIMATE_BASES` the model
``<base>+estimates`` is the base with the auction house's estimates as two more covariates
(:data:`~artstudy.models.estimates.ESTIMATE_COLUMNS`: the log mid-estimate and whether one is
given; the table needs the columns ``low_estimate`` and ``high_estimate``): its factory extends
``evaluation.covariates`` by them, makes the base with that config and wraps it in a
:class:`~artstudy.models.estimates.WithEstimates`, which adds the columns to every table. The
reference ``house_estimate+estimates`` is a linear regression of the log price on the estimate
columns alone (with sale-year effects): the house's estimate, calibrated. A ``+estimates`` model
is conformal (:func:`make_model`) when its base is named in ``evaluation.conformal`` (or it is
itself); ``house_estimate+estimates`` counts as a ``hedonic``. None of them runs by default.
"""

from __future__ import annotations

from typing import Callable

from ..errors import InputError
from .deep.settings import DEEP_MODEL_NAMES

__all__ = ["REGISTRY", "MODEL_NAMES", "DISPLAY_NAMES", "ESTIMATE_BASES", "make_model", "display_name",
           "conformal_base"]


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
    "cnn_lstm": _deep("CNNLSTMRegressor", "sequence"),
    "oracle": _oracle,
}

def _with_estimates(base: str):
    def factory(config, random_state):
        from .estimates import ESTIMATE_COLUMNS, WithEstimates

        ev = config.evaluation
        covariates = [*ev.covariates, *(c for c in ESTIMATE_COLUMNS if c not in ev.covariates)]
        extended = config.model_copy(update={"evaluation": ev.model_copy(update={"covariates": covariates})})
        return WithEstimates(REGISTRY[base](extended, random_state), name=f"{base}{ESTIMATES}")

    return factory


def _house_estimate(config, random_state):
    from .baselines import Hedonic
    from .estimates import ESTIMATE_COLUMNS, WithEstimates

    return WithEstimates(Hedonic(list(ESTIMATE_COLUMNS), year_effects=True, popularity=False, artist_effects=False),
                         name=HOUSE_ESTIMATE)


#: Suffix of the models that also use the auction house's presale estimates.
ESTIMATES = "+estimates"
#: Bases of the models ``<base>+estimates``.
ESTIMATE_BASES = ("hedonic", "artist_fe", "random_effects", "gbt", "gbt_lags", "pam")
#: The reference model: the log price regressed on the estimates alone.
HOUSE_ESTIMATE = "house_estimate" + ESTIMATES
REGISTRY.update({f"{base}{ESTIMATES}": _with_estimates(base) for base in ESTIMATE_BASES})
REGISTRY[HOUSE_ESTIMATE] = _house_estimate

#: The deep (Keras) models: they train on pictures or in epochs, and leave files for the report
#: (:mod:`artstudy.models.deep.artifacts`).
DEEP_MODELS = DEEP_MODEL_NAMES

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
    "cnn_lstm": "CNN-LSTM (earlier sales with their pictures)",
    "oracle": "oracle (truth)",
}
DISPLAY_NAMES.update({f"{base}{ESTIMATES}": f"{DISPLAY_NAMES[base]} + estimates" for base in ESTIMATE_BASES})
DISPLAY_NAMES[HOUSE_ESTIMATE] = "auction house's estimate (calibrated)"


def display_name(name: str) -> str:
    """The display name of a model (its registry name when it has none)."""
    return DISPLAY_NAMES.get(name, name)


def conformal_base(name: str) -> str:
    """The name whose presence in ``evaluation.conformal`` makes model ``name`` conformal, besides its own.

    ``<base>+estimates`` answers its base; ``house_estimate+estimates`` answers ``hedonic`` (it is a
    hedonic regression); any other model itself.
    """
    if name == HOUSE_ESTIMATE:
        return "hedonic"
    return name[:-len(ESTIMATES)] if name.endswith(ESTIMATES) else name


def make_model(name: str, config=None, random_state=None):
    """A new, unfitted estimator of the registered model ``name``.

    A model named in ``evaluation.conformal`` comes wrapped in a
    :class:`~artstudy.evaluation.conformal.ConformalEstimator`: the same point predictions, with
    intervals calibrated on the latest ``evaluation.conformal_years`` training years by segment.
    So does a ``+estimates`` model whose base is named there (:func:`conformal_base`); its
    calibration fits are of the wrapped model, so they see the estimate columns too.

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
    conformal = config.evaluation.conformal
    # its intervals from conformal prediction on the latest training years
    if name in conformal or conformal_base(name) in conformal:
        from ..evaluation.conformal import ConformalEstimator

        return ConformalEstimator(lambda: factory(config, random_state),
                                  calibration_years=config.evaluation.conformal_years, name=name)
    return factory(config, random_state)
