r"""Gradient-boosted trees (LightGBM) on the tabular features: the model ``gbt``.

:class:`GradientBoostedTrees` regresses the log price on the features of
:class:`~artstudy.models.tabular.TabularEncoder` (covariates, sale-year indicators, popularity,
the artist's shrunk mean of earlier sales, the work's previous sale) with LightGBM's native
``lightgbm.train`` (no scikit-learn needed), run deterministically (``deterministic=True,
force_row_wise=True``, a fixed number of threads, the seed from ``random_state``): two fits of one
table give identical predictions.

Fitting, from the training table only:

1. *validation year*: the latest sale year of the in-sample training rows. An encoder and a
   booster are fitted on the sales of the earlier years, with early stopping on the validation
   year's sales (valued as test lots are: their features from the earlier years' history and the
   earlier validation sales). This gives the number of rounds and the residual sd of the
   validation year's sales, an honest one-year-ahead error;
2. *refit*: the encoder and a booster with that number of rounds on every training row.

The predictive distribution is normal: the refit booster's prediction and the validation
residual sd (one sd for every lot). A training table of one sale year has no validation year:
then the booster runs ``n_estimators`` rounds and the sd is the in-sample residual sd (too
small; such a table is a toy).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._section import build, field_default
from ..evaluation.settings import EvaluationSettings, TreeSettings
from .base import GaussianEstimator, log_price
from .baselines import fitted_rows
from .pam.paper import COVARIATES
from .pam.settings import Popularity
from .tabular import TabularEncoder

__all__ = ["GradientBoostedTrees", "seed_of"]


def _tree(name: str):
    return field_default(TreeSettings, name)


def seed_of(random_state) -> int:
    """An integer seed from an int, a ``numpy.random.Generator`` or None (0)."""
    if random_state is None:
        return 0
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    return int(random_state) % (2**31 - 1)


class GradientBoostedTrees(GaussianEstimator):
    """LightGBM on the tabular features, with a normal predictive of the validation year's residual sd.

    Parameters
    ----------
    covariates : sequence of str
    year_effects : bool
    popularity : Popularity, dict or None
        Popularity settings for the ``popularity`` feature (None: no popularity feature).
    repeat_features : bool
    artist_encoding : {"target", "none"}
    prior_weight : float
        Shrinkage of the artist feature (``evaluation.artist_prior_weight``).
    n_estimators, learning_rate, num_leaves, min_child_samples, early_stopping_rounds, threads
        LightGBM's settings (``evaluation.trees``).
    lags : int
        The artist's last ``lags`` log prices before each sale and their summary as features
        (:class:`~artstudy.models.tabular.TabularEncoder`; the model ``gbt_lags``); 0: none.
    random_state : int, numpy.random.Generator or None

    Attributes
    ----------
    encoder_ : TabularEncoder
        Fitted on the whole training table.
    booster_ : lightgbm.Booster
        Fitted on every in-sample training row with ``n_rounds_`` rounds.
    n_rounds_ : int
        Rounds chosen by early stopping on the validation year.
    validation_year_ : int or None
    sd_ : float
        Residual sd on the validation year (in sample without one).
    seed_ : int
    """

    name = "gbt"

    def __init__(self, covariates=COVARIATES, year_effects: bool = True, popularity: Popularity | dict | None = None,
                 repeat_features: bool = True, artist_encoding: str = "target",
                 prior_weight: float = field_default(EvaluationSettings, "artist_prior_weight"),
                 n_estimators: int = _tree("n_estimators"), learning_rate: float = _tree("learning_rate"),
                 num_leaves: int = _tree("num_leaves"), min_child_samples: int = _tree("min_child_samples"),
                 early_stopping_rounds: int = _tree("early_stopping_rounds"), threads: int = _tree("threads"),
                 lags: int = 0, random_state=None):
        self.covariates = tuple(covariates)
        self.year_effects = year_effects
        self.popularity = None if popularity is None else build(Popularity, popularity, source="popularity")
        self.repeat_features = repeat_features
        self.artist_encoding = artist_encoding
        self.prior_weight = prior_weight
        self.n_estimators, self.learning_rate = int(n_estimators), float(learning_rate)
        self.num_leaves, self.min_child_samples = int(num_leaves), int(min_child_samples)
        self.early_stopping_rounds, self.threads = int(early_stopping_rounds), int(threads)
        self.lags = int(lags)
        self.random_state = random_state

    @classmethod
    def from_settings(cls, covariates, trees: TreeSettings | dict | None = None, popularity=None,
                      prior_weight: float = field_default(EvaluationSettings, "artist_prior_weight"),
                      lags: int = 0, random_state=None) -> "GradientBoostedTrees":
        """The model with LightGBM's settings from a :class:`TreeSettings` (the config's ``evaluation.trees``)."""
        trees = build(TreeSettings, trees, source="evaluation.trees")
        return cls(covariates, popularity=popularity, prior_weight=prior_weight, lags=lags, random_state=random_state,
                   **trees.model_dump())

    def _encoder(self, sales: pd.DataFrame) -> TabularEncoder:
        return TabularEncoder(self.covariates, self.year_effects, self.popularity, self.repeat_features,
                              self.artist_encoding, self.prior_weight, lags=self.lags).fit(sales)

    def _params(self) -> dict:
        return {"objective": "regression", "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
                "min_child_samples": self.min_child_samples, "seed": self.seed_, "num_threads": self.threads,
                "deterministic": True, "force_row_wise": True, "verbose": -1}

    def _validate(self, sales: pd.DataFrame, train: pd.DataFrame):
        """Rounds and residual sd from fitting the years before the last and valuing the last; None with one year."""
        import lightgbm as lgb

        years = train["sale_year"].to_numpy()
        last = int(years.max())
        if (years < last).sum() == 0:
            return None
        before = sales.loc[sales["sale_year"].to_numpy() < last]
        valid = sales.loc[sales["sale_year"].to_numpy() >= last]
        fit_rows, valid_rows = train.loc[years < last], train.loc[years >= last]
        encoder = self._encoder(before)
        features = pd.DataFrame(encoder.transform(valid), index=valid.index).loc[valid_rows.index].to_numpy()
        data = lgb.Dataset(encoder.transform(fit_rows), log_price(fit_rows), free_raw_data=False)
        check = lgb.Dataset(features, log_price(valid_rows), reference=data)
        booster = lgb.train(self._params(), data, num_boost_round=self.n_estimators, valid_sets=[check],
                            callbacks=[lgb.early_stopping(self.early_stopping_rounds, verbose=False)])
        rounds = int(booster.best_iteration or self.n_estimators)
        resid = log_price(valid_rows) - booster.predict(features, num_iteration=rounds)
        return last, rounds, float(np.sqrt(np.mean(resid**2)))

    def fit(self, sales: pd.DataFrame) -> "GradientBoostedTrees":
        import lightgbm as lgb

        train = fitted_rows(sales, self.name, self.covariates)
        self.seed_ = seed_of(self.random_state)
        validation = self._validate(sales, train)
        self.validation_year_, self.n_rounds_, sd = validation if validation else (None, self.n_estimators, None)
        self.encoder_ = self._encoder(sales)
        X, y = self.encoder_.transform(train), log_price(train)
        self.booster_ = lgb.train(self._params(), lgb.Dataset(X, y), num_boost_round=self.n_rounds_)
        self.sd_ = sd if sd is not None else float(np.std(y - self.booster_.predict(X)))
        return self

    def predict_distribution(self, sales: pd.DataFrame):
        """``(mean, sd)`` of the log price of every row of ``sales``."""
        if not hasattr(self, "booster_"):
            raise RuntimeError("GradientBoostedTrees is not fitted: call fit(sales) first")
        mean = self.booster_.predict(self.encoder_.transform(sales)).astype(float)
        return mean, np.full(len(sales), self.sd_)
