r"""Baseline valuation models: the artist's mean, hedonic least squares and a random artist intercept.

Every model follows the estimator protocol (:mod:`artstudy.models.base`) and has a normal
predictive distribution of the log price (:class:`~artstudy.models.base.GaussianEstimator`).
Each learns only from the table given to ``fit``: the in-sample rows are fitted, the
history-only rows count only as the market's past (popularity); encodings, reference levels
and sale years come from the fitted rows (:class:`~artstudy.models.design.DesignEncoder`).

:class:`NaiveArtistMean` (``naive``)
    The artist's mean log price in training; an artist with no training sale gets the mean of
    every training sale. Predictive sd: the residual sd about the artist means (the sd of the
    training log prices for an unseen artist).
:class:`Hedonic` (``hedonic``, ``hedonic_pop``, ``artist_fe``, ``artist_fe_pop``)
    Least squares of the log price on the covariates and sale-year effects
    (:math:`y = \alpha + z'\beta + \varepsilon`), with the artist's popularity (Eq. 1 of the
    seed paper, from the sales of earlier sale years) as one more column when
    ``popularity=True``, and one intercept per artist (fixed effects :math:`\alpha_a`) when
    ``artist_effects=True``. It is solved by the within transformation (Frisch-Waugh), which
    gives the same :math:`\hat\beta` and effects as the dummy-variable regression without
    building the indicator columns. The predictive variance is the residual variance plus
    the parameter uncertainty :math:`\sigma^2 x'(X'X)^{-1}x`, which for a row of artist
    :math:`a` is :math:`\sigma^2 [1/n_a + (z - \bar z_a)' (\tilde Z'\tilde Z)^{-1} (z - \bar z_a)]`
    (:math:`\tilde Z` the covariates centred on their artist means). An artist unseen in
    training takes the sales-weighted mean artist effect, and its variance adds the
    sales-weighted variance of the artist effects.
:class:`RandomEffects` (``random_effects``)
    A random intercept per artist (statsmodels ``MixedLM``, REML) on the same covariates and
    sale-year effects; a prediction adds the artist's BLUP
    :math:`\hat b_a = \frac{n_a\tau^2}{\sigma^2 + n_a\tau^2}\,\overline{(y - X\hat\beta)}_a`
    (0 for an unseen artist). Predictive variance: :math:`\sigma^2` plus the BLUP's
    conditional variance :math:`\tau^2\sigma^2/(\sigma^2 + n_a\tau^2)` (:math:`\tau^2` for an
    unseen artist) plus :math:`x'\widehat{\mathrm{Cov}}(\hat\beta)x`.

Sale years after the training period take the last training year's effect (the design
encoder's rule); popularity of a lot being valued counts the priced lots of earlier sale
years, training lots and earlier lots of the table being valued alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from .._section import build
from ..errors import InputError
from .base import GaussianEstimator, in_sample, log_price
from .design import DesignEncoder
from .features import history_table, known_history, popularity_for
from .pam.paper import COVARIATES
from .pam.settings import Popularity

__all__ = ["NaiveArtistMean", "Hedonic", "RandomEffects", "fitted_rows"]


def _rows(index, mask, limit=5) -> str:
    return ", ".join(map(str, np.asarray(index)[np.asarray(mask)][:limit]))


def fitted_rows(sales: pd.DataFrame, model: str, covariates=()) -> pd.DataFrame:
    """The in-sample rows of a training table, checked: an artist, a positive price and every covariate.

    Raises
    ------
    InputError
        A covariate column is missing, or an in-sample row lacks an artist, a price or a covariate value.
    """
    missing = [c for c in ("artist", "sale_year", "price", *covariates) if c not in sales.columns]
    if missing:
        raise InputError(f"{model}: the sales table has no column {', '.join(missing)}")
    train = sales.loc[in_sample(sales)]
    if train.empty:
        raise InputError(f"{model}: no in-sample rows to fit")
    for column in ("artist", "price", *covariates):
        bad = ~np.isfinite(log_price(train)) if column == "price" else train[column].isna().to_numpy()
        if bad.any():
            raise InputError(f"{model}: column {column}: {int(bad.sum())} in-sample rows have no value "
                             f"(rows {_rows(train.index, bad)})")
    return train


def _check_fitted(model, attribute: str) -> None:
    if not hasattr(model, attribute):
        raise RuntimeError(f"{type(model).__name__} is not fitted: call fit(sales) first")


def _artists(frame: pd.DataFrame) -> np.ndarray:
    return frame["artist"].astype(str).to_numpy()


class NaiveArtistMean(GaussianEstimator):
    """The artist's mean log price in training (the training mean for an unseen artist).

    Attributes
    ----------
    artist_mean_ : Series
        Mean log price per artist, indexed by artist.
    artist_count_ : Series
        Training sales per artist.
    mean_ : float
        Mean log price of every training sale.
    sd_ : float
        Residual sd about the artist means (degrees of freedom: sales minus artists).
    unseen_sd_ : float
        Sd of the training log prices (an unseen artist's predictive sd).
    """

    name = "naive"

    def fit(self, sales: pd.DataFrame) -> "NaiveArtistMean":
        train = fitted_rows(sales, self.name)
        y = log_price(train)
        artist = _artists(train)
        grouped = pd.Series(y).groupby(artist, sort=True)
        self.artist_mean_ = grouped.mean()
        self.artist_count_ = grouped.size()
        self.mean_ = float(y.mean())
        resid = y - self.artist_mean_.reindex(artist).to_numpy()
        dof = max(y.size - self.artist_mean_.size, 1)
        self.sd_ = float(np.sqrt(np.sum(resid**2) / dof))
        self.unseen_sd_ = float(y.std(ddof=1)) if y.size > 1 else self.sd_
        return self

    def predict_distribution(self, sales: pd.DataFrame):
        """``(mean, sd)`` of the log price of every row of ``sales``."""
        _check_fitted(self, "artist_mean_")
        mean = self.artist_mean_.reindex(_artists(sales)).to_numpy(dtype=float)
        seen = np.isfinite(mean)
        return np.where(seen, mean, self.mean_), np.where(seen, self.sd_, self.unseen_sd_)


def _group_sums(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Column sums of ``values`` (N, k) within each group: shape (n_groups, k)."""
    onehot = sparse.csr_matrix((np.ones(groups.size), (np.arange(groups.size), groups)),
                               shape=(groups.size, n_groups))
    return np.asarray(onehot.T @ values)


def within_least_squares(Z: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int) -> dict:
    """Least squares with one intercept per group, by centring on the group means.

    Parameters
    ----------
    Z : ndarray, shape (N, k)
        Regressors without intercept or group indicators.
    y : ndarray, shape (N,)
    groups : ndarray of int, shape (N,)
        Group of each row in ``0..n_groups-1`` (all 0: a plain regression with an intercept).
    n_groups : int

    Returns
    -------
    dict
        ``coef`` (k,), ``effects`` (n_groups,) the group intercepts, ``counts``, ``means`` (n_groups,
        k) the group means of ``Z``, ``sigma2`` (residual variance, degrees of freedom N - rank -
        groups), ``cov_unscaled`` (k, k) the pseudo-inverse of the centred cross-product,
        ``resid`` (N,).
    """
    counts = np.bincount(groups, minlength=n_groups).astype(float)
    means = _group_sums(Z, groups, n_groups) / counts[:, None]
    y_means = np.bincount(groups, weights=y, minlength=n_groups) / counts
    Zc = Z - means[groups]
    yc = y - y_means[groups]
    if Z.shape[1]:
        coef, _, rank, _ = np.linalg.lstsq(Zc, yc, rcond=None)
        cov_unscaled = np.linalg.pinv(Zc.T @ Zc)
    else:
        coef, rank, cov_unscaled = np.zeros(0), 0, np.zeros((0, 0))
    resid = yc - Zc @ coef
    dof = max(y.size - rank - n_groups, 1)
    return {"coef": coef, "effects": y_means - means @ coef, "counts": counts, "means": means,
            "sigma2": float(resid @ resid / dof), "cov_unscaled": cov_unscaled, "resid": resid}


def _hedonic_name(popularity: bool, artist_effects: bool) -> str:
    return ("artist_fe" if artist_effects else "hedonic") + ("_pop" if popularity else "")


class Hedonic(GaussianEstimator):
    """Least squares of the log price on covariates, sale-year effects, optionally popularity and artist effects.

    Parameters
    ----------
    covariates : sequence of str
        Hedonic covariate columns (numeric, boolean or categorical).
    year_effects : bool
        Sale-year indicators against the first training year.
    popularity : bool
        Add the artist's popularity at the sale year (:func:`~artstudy.models.features.popularity_for`).
    artist_effects : bool
        One intercept per training artist (fixed effects) instead of a common intercept.
    popularity_settings : Popularity, dict or None
        How popularity is computed (``kind``, ``scale``; the config's ``model.popularity``).

    Attributes
    ----------
    names_ : list of str
        Terms of ``coef_``: the encoder's columns, then ``popularity``.
    coef_ : Series
        Slopes, indexed by term.
    intercept_ : float
        The common intercept (the sales-weighted mean artist effect with artist effects).
    artist_effects_ : Series or None
        Intercept per training artist (with ``artist_effects``), indexed by artist.
    sigma2_ : float
        Residual variance.
    effect_var_ : float
        Sales-weighted variance of the artist effects (0 without them): added for unseen artists.
    encoder_ : DesignEncoder
    history_ : DataFrame or None
        The training table's priced lots (the market's past for popularity).
    """

    def __init__(self, covariates=COVARIATES, year_effects: bool = True, popularity: bool = False,
                 artist_effects: bool = False, popularity_settings: Popularity | dict | None = None):
        self.covariates = tuple(covariates)
        self.year_effects = year_effects
        self.popularity = popularity
        self.artist_effects = artist_effects
        self.popularity_settings = build(Popularity, popularity_settings, source="popularity_settings")
        self.name = _hedonic_name(popularity, artist_effects)

    def _features(self, rows: pd.DataFrame, history) -> np.ndarray:
        Z = self.encoder_.transform(rows)
        if self.popularity:
            u = popularity_for(rows, history, kind=self.popularity_settings.kind, scale=self.popularity_settings.scale)
            Z = np.column_stack([Z, u])
        return Z

    def fit(self, sales: pd.DataFrame) -> "Hedonic":
        train = fitted_rows(sales, self.name, self.covariates)
        self.history_ = history_table(sales) if self.popularity else None
        self.encoder_ = DesignEncoder(self.covariates, self.year_effects, intercept=False).fit(train)
        self.names_ = self.encoder_.names_ + (["popularity"] if self.popularity else [])
        Z = self._features(train, self.history_)
        if self.artist_effects:
            groups, labels = pd.factorize(_artists(train), sort=True)
        else:
            groups, labels = np.zeros(len(train), dtype=np.int64), np.array(["(all)"], dtype=object)
        fit = within_least_squares(Z, log_price(train), groups, len(labels))
        weights = fit["counts"] / fit["counts"].sum()
        self.coef_ = pd.Series(fit["coef"], index=self.names_, name="coef")
        self.intercept_ = float(weights @ fit["effects"])
        self.artist_effects_ = (pd.Series(fit["effects"], index=pd.Index(labels, name="artist"), name="effect")
                                if self.artist_effects else None)
        self.effect_var_ = float(weights @ (fit["effects"] - self.intercept_) ** 2)
        self.sigma2_ = fit["sigma2"]
        self.group_counts_, self.group_means_ = fit["counts"], fit["means"]
        self.mean_features_ = weights @ fit["means"]
        self.cov_unscaled_ = fit["cov_unscaled"]
        self.residuals_ = fit["resid"]
        return self

    def _groups(self, sales: pd.DataFrame) -> np.ndarray:
        """Training group of every row: the artist's (-1 when unseen), or 0 without artist effects."""
        if self.artist_effects_ is None:
            return np.zeros(len(sales), dtype=np.int64)
        return self.artist_effects_.index.get_indexer(_artists(sales))

    def predict_distribution(self, sales: pd.DataFrame):
        """``(mean, sd)`` of the log price of every row of ``sales``."""
        _check_fitted(self, "coef_")
        history = known_history(self.history_, sales) if self.popularity else None
        Z = self._features(sales, history)
        groups = self._groups(sales)
        seen = groups >= 0
        g = np.where(seen, groups, 0)
        effects = self.artist_effects_.to_numpy() if self.artist_effects_ is not None else np.array([self.intercept_])
        centre = np.where(seen[:, None], self.group_means_[g], self.mean_features_)
        d = Z - centre
        n = np.where(seen, self.group_counts_[g], self.group_counts_.sum())
        param = 1.0 / n + np.einsum("ij,jk,ik->i", d, self.cov_unscaled_, d)
        mean = np.where(seen, effects[g], self.intercept_) + Z @ self.coef_.to_numpy()
        var = self.sigma2_ * (1.0 + param) + np.where(seen, 0.0, self.effect_var_)
        return mean, np.sqrt(var)


class RandomEffects(GaussianEstimator):
    """A random intercept per artist (MixedLM, REML) on the covariates and sale-year effects.

    Parameters
    ----------
    covariates : sequence of str
    year_effects : bool

    Attributes
    ----------
    coef_ : Series
        Fixed effects (``intercept`` first), indexed by term.
    cov_coef_ : ndarray
        Their estimated covariance.
    sigma2_, re_var_ : float
        Residual variance and random-intercept variance tau^2.
    blup_ : Series
        Each training artist's BLUP, indexed by artist.
    blup_var_ : Series
        Its conditional variance tau^2 sigma^2 / (sigma^2 + n_a tau^2).
    converged_ : bool
        Whether the REML optimiser reported convergence.
    encoder_ : DesignEncoder
    """

    name = "random_effects"

    def __init__(self, covariates=COVARIATES, year_effects: bool = True):
        self.covariates = tuple(covariates)
        self.year_effects = year_effects

    def fit(self, sales: pd.DataFrame) -> "RandomEffects":
        import statsmodels.api as sm

        train = fitted_rows(sales, self.name, self.covariates)
        self.encoder_ = DesignEncoder(self.covariates, self.year_effects, intercept=True).fit(train)
        X, y = self.encoder_.transform(train), log_price(train)
        codes, labels = pd.factorize(_artists(train), sort=True)
        result = sm.MixedLM(y, X, groups=codes).fit(reml=True)
        k = X.shape[1]
        self.coef_ = pd.Series(np.asarray(result.fe_params), index=self.encoder_.names_, name="coef")
        self.cov_coef_ = np.asarray(result.cov_params())[:k, :k]
        self.sigma2_ = float(result.scale)
        self.re_var_ = float(np.asarray(result.cov_re)[0, 0])
        self.converged_ = bool(result.converged)
        counts = np.bincount(codes, minlength=len(labels)).astype(float)
        resid_mean = np.bincount(codes, weights=y - X @ self.coef_.to_numpy(), minlength=len(labels)) / counts
        denom = self.sigma2_ + counts * self.re_var_
        index = pd.Index(labels, name="artist")
        self.blup_ = pd.Series(counts * self.re_var_ / denom * resid_mean, index=index, name="blup")
        self.blup_var_ = pd.Series(self.re_var_ * self.sigma2_ / denom, index=index, name="blup_var")
        return self

    def predict_distribution(self, sales: pd.DataFrame):
        """``(mean, sd)`` of the log price of every row of ``sales``."""
        _check_fitted(self, "coef_")
        X = self.encoder_.transform(sales)
        groups = self.blup_.index.get_indexer(_artists(sales))
        seen = groups >= 0
        g = np.where(seen, groups, 0)
        mean = X @ self.coef_.to_numpy() + np.where(seen, self.blup_.to_numpy()[g], 0.0)
        var = (self.sigma2_ + np.where(seen, self.blup_var_.to_numpy()[g], self.re_var_)
               + np.einsum("ij,jk,ik->i", X, self.cov_coef_, X))
        return mean, np.sqrt(var)
