r"""Tabular features of a sales table, learned on a training table: the shared input of the tabular models.

:class:`TabularEncoder` is the one feature builder of the gradient-boosted trees
(:mod:`artstudy.models.trees`), the deep tabular MLP and the multi-modal model's tabular branch.
Its API is stable::

    encoder = TabularEncoder(covariates, popularity=config.model.popularity).fit(train)
    X = encoder.transform(rows)          # float32, shape (len(rows), len(encoder.feature_names_))

``fit(train)`` learns, from the training table only: the design (:class:`DesignEncoder` on the
in-sample rows: covariate columns and sale-year indicators), the training mean log price, and the
market's history (every priced row of ``train``, history-only rows included). ``transform(rows)``
joins the priced rows of ``rows`` to that history (:func:`~artstudy.models.features.known_history`:
a lot in both counts once) and computes every history feature of a row from history sales *strictly
before* it, so a row's own price, and the prices of same-day and later sales, never enter its
features. The columns, in order (:attr:`TabularEncoder.feature_names_`):

``<design names>``
    The encoder's columns (no intercept): numeric covariates as they are, ``column[level]``
    indicators, ``year[YYYY]`` sale-year indicators (with ``year_effects``; a later year takes the
    last training year's).
``popularity`` (when ``popularity`` settings are given)
    The artist's popularity at the sale year from the sales of earlier sale years (Eq. 1).
``artist_mean``, ``artist_log_n`` (with ``artist_encoding="target"``)
    A target encoding of the artist, made leak-free by time order (as CatBoost's ordered target
    statistics): with :math:`n` the artist's history sales strictly before the row and :math:`S`
    the sum of their log prices, :math:`(S + w\bar y)/(n + w)`, :math:`\bar y` the training mean
    log price of the in-sample rows and :math:`w` the prior weight (``evaluation.artist_prior_weight``);
    ``artist_log_n`` is :math:`\log(1 + n)`. An artist without earlier sales (unseen in training)
    gets :math:`\bar y`. For a test row this is the artist's training mean (shrunk) updated by the
    earlier test sales; for a training row it never contains its own price, so a model fitted on
    the training features does not learn to trust an encoding that contains the target.
``prev_log_price``, ``has_previous_sale``, ``years_since`` (with ``repeat_features``)
    The work's latest earlier sale (:func:`~artstudy.models.features.previous_sale`, by
    ``artwork_id``, strictly earlier sale dates): its log price and the years since, both 0 with
    ``has_previous_sale`` 0 for a fresh-to-market lot.

Rows need the covariate columns, ``artist``, ``sale_year`` (``sale_date`` when present) and, for
repeat features, ``artwork_id``; ``price`` is optional (rows without one are valued from history).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._section import build, field_default
from ..evaluation.settings import EvaluationSettings
from .base import in_sample, log_price
from .design import DesignEncoder
from .features import _dates, history_table, known_history, popularity_for, previous_sale
from .pam.settings import Popularity

__all__ = ["TabularEncoder", "artist_prior_mean"]

ARTIST_ENCODINGS = ("target", "none")


def artist_prior_mean(query: pd.DataFrame, history: pd.DataFrame, prior_mean: float, prior_weight: float):
    """The artist's shrunk mean log price of history sales strictly before each query row, and their count.

    Parameters
    ----------
    query : DataFrame
        Rows with ``artist`` and ``sale_year`` (``sale_date`` when present).
    history : DataFrame
        A :func:`~artstudy.models.features.history_table`.
    prior_mean, prior_weight : float
        :math:`\\bar y` and :math:`w` of :math:`(S + w\\bar y)/(n + w)`.

    Returns
    -------
    mean, count : ndarray, ndarray
    """
    q = pd.DataFrame({"artist": query["artist"].astype(str).to_numpy(),
                      "sale_date": _dates(query).to_numpy(),
                      "_row": np.arange(len(query))})
    h = history.groupby(["artist", "sale_date"], sort=True)["log_price"].agg(["sum", "size"]).reset_index()
    h["cum_sum"] = h.groupby("artist")["sum"].cumsum()
    h["cum_n"] = h.groupby("artist")["size"].cumsum()
    h = h[["artist", "sale_date", "cum_sum", "cum_n"]].sort_values("sale_date")
    m = pd.merge_asof(q.sort_values("sale_date"), h, on="sale_date", by="artist", allow_exact_matches=False,
                      direction="backward")
    total, count = np.zeros(len(query)), np.zeros(len(query))
    rows = m["_row"].to_numpy()
    total[rows] = m["cum_sum"].fillna(0.0).to_numpy()
    count[rows] = m["cum_n"].fillna(0.0).to_numpy()
    return (total + prior_weight * prior_mean) / (count + prior_weight), count


class TabularEncoder:
    """Features of a sales table learned on a training table (see the module's description of the columns).

    Parameters
    ----------
    covariates : sequence of str
        Hedonic covariate columns (the config's ``evaluation.covariates``).
    year_effects : bool
        Sale-year indicators against the first training year.
    popularity : Popularity, dict or None
        Popularity settings (the config's ``model.popularity``); None: no popularity column.
    repeat_features : bool
        The work's previous sale: ``prev_log_price``, ``has_previous_sale``, ``years_since``.
    artist_encoding : {"target", "none"}
        ``target``: ``artist_mean`` and ``artist_log_n``; ``none``: no artist column.
    prior_weight : float
        Shrinkage of ``artist_mean`` (default ``evaluation.artist_prior_weight``).
    lags : int
        With ``lags = k > 0``, the artist's last k log prices before the sale and their summary
        (:func:`artstudy.models.sequences.lag_features`): ``lag1`` (newest) ... ``lagk``,
        ``lag_mean``, ``lag_trend`` (slope per year), ``lag_log_n`` (log of 1 + all earlier
        sales) and ``years_since_last``; a missing lag is the training mean, a missing trend or
        gap 0 (``lag_log_n`` says how many there are).

    Attributes
    ----------
    feature_names_ : list of str
        Column names of :meth:`transform`.
    design_ : DesignEncoder
    history_ : DataFrame
        The training table's priced lots.
    mean_ : float
        Mean log price of the in-sample training rows (the artist prior).
    """

    def __init__(self, covariates=(), year_effects: bool = True, popularity: Popularity | dict | None = None,
                 repeat_features: bool = True, artist_encoding: str = "target",
                 prior_weight: float = field_default(EvaluationSettings, "artist_prior_weight"), lags: int = 0):
        if int(lags) < 0:
            raise ValueError(f"lags must be 0 or more, got {lags}")
        if artist_encoding not in ARTIST_ENCODINGS:
            raise ValueError(f"artist_encoding must be one of {ARTIST_ENCODINGS}, got {artist_encoding!r}")
        self.covariates = tuple(covariates)
        self.year_effects = year_effects
        self.popularity = None if popularity is None else build(Popularity, popularity, source="popularity")
        self.repeat_features = repeat_features
        self.artist_encoding = artist_encoding
        self.prior_weight = float(prior_weight)
        self.lags = int(lags)

    def fit(self, sales: pd.DataFrame) -> "TabularEncoder":
        """Learn the design, the training mean and the history from ``sales`` (in-sample rows for the design)."""
        train = sales.loc[in_sample(sales)]
        y = log_price(train) if "price" in train.columns else np.full(len(train), np.nan)
        self.design_ = DesignEncoder(self.covariates, self.year_effects, intercept=False).fit(train)
        self.mean_ = float(np.nanmean(y)) if np.isfinite(y).any() else 0.0
        self.history_ = history_table(sales)
        names = list(self.design_.names_)
        if self.popularity is not None:
            names.append("popularity")
        if self.artist_encoding == "target":
            names += ["artist_mean", "artist_log_n"]
        if self.repeat_features:
            names += ["prev_log_price", "has_previous_sale", "years_since"]
        if self.lags:
            names += [f"lag{i}" for i in range(1, self.lags + 1)] + ["lag_mean", "lag_trend", "lag_log_n",
                                                                      "years_since_last"]
        self.feature_names_ = names
        return self

    def transform(self, sales: pd.DataFrame) -> np.ndarray:
        """The features of every row of ``sales``: float32, shape (len(sales), len(feature_names_))."""
        if not hasattr(self, "feature_names_"):
            raise RuntimeError("TabularEncoder is not fitted: call fit(sales) first")
        history = known_history(self.history_, sales)
        cols = [self.design_.transform(sales)]
        if self.popularity is not None:
            cols.append(popularity_for(sales, history, kind=self.popularity.kind, scale=self.popularity.scale)[:, None])
        if self.artist_encoding == "target":
            mean, count = artist_prior_mean(sales, history, self.mean_, self.prior_weight)
            cols.append(np.column_stack([mean, np.log1p(count)]))
        if self.repeat_features:
            prev = previous_sale(sales, history)
            seen = prev["prev_log_price"].notna().to_numpy()
            cols.append(np.column_stack([np.where(seen, prev["prev_log_price"].to_numpy(dtype=float), 0.0),
                                         seen.astype(float),
                                         np.where(seen, prev["years_since"].to_numpy(dtype=float), 0.0)]))
        if self.lags:
            cols.append(self._lags(sales, history))
        return np.column_stack(cols).astype(np.float32) if cols else np.empty((len(sales), 0), np.float32)

    def _lags(self, sales: pd.DataFrame, history: pd.DataFrame) -> np.ndarray:
        """The lag features (see ``lags``), missing values imputed: lags by the training mean, trend and gap by 0."""
        from .sequences import lag_features

        lag = lag_features(sales, history, k=self.lags)
        names = [f"lag{i}" for i in range(1, self.lags + 1)] + ["lag_mean"]
        values = lag[names].to_numpy(dtype=float)
        return np.column_stack([np.where(np.isfinite(values), values, self.mean_),
                                np.nan_to_num(lag["lag_trend"].to_numpy(dtype=float), nan=0.0),
                                np.log1p(lag["n_earlier"].to_numpy(dtype=float)),
                                np.nan_to_num(lag["years_since_last"].to_numpy(dtype=float), nan=0.0)])

    def fit_transform(self, sales: pd.DataFrame) -> np.ndarray:
        """``fit(sales).transform(sales)`` (the features of every row, history-only rows included)."""
        return self.fit(sales).transform(sales)
