"""What popularity and ability add over hedonic regressions: in-sample fit and out-of-sample error.

Every model is fitted to the sales of the earlier sale years and scored on the last
``test_years`` sale years (a forecast, as a valuer would use it), and also on the
training sales (in-sample). The models, all on the same prepared sales
(:class:`artstudy.pam.PAMData`) and the same hedonic covariates:

``hedonic``
    OLS of log price on the covariates and sale-year indicators.
``hedonic + popularity``
    ... plus the artist's popularity.
``artist fixed effects`` / ``artist fixed effects + popularity``
    ... plus one indicator per artist.
``random effects`` / ``random effects + popularity``
    a random intercept per artist (statsmodels ``MixedLM``, REML), predictions
    with the artist's BLUP.
``popularity-ability``
    the popularity-ability model fitted by Monte Carlo EM; predictions use the
    ability of the sale's artist and work window (windows without training sales
    get the random walk's smoothed value).

Sale years after the training period have no year effect of their own; their
sales take the last training year's effect (a random-walk forecast of the
market index). Artists with no training sale get a zero artist effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models.design import design_matrix
from ..models.pam.model import PopularityAbilityModel
from ..models.pam.fit import MODEL_KEYS, PAMData

__all__ = ["compare_models", "MODELS"]

MODELS = ("hedonic", "hedonic + popularity", "artist fixed effects", "artist fixed effects + popularity",
          "random effects", "random effects + popularity", "popularity-ability")


def _ols(X, y):
    return np.linalg.lstsq(X, y, rcond=None)[0]


def _scores(y, pred):
    err = y - pred
    return {"rmse": float(np.sqrt(np.mean(err**2))), "mae": float(np.mean(np.abs(err))),
            "r2": float(1 - np.sum(err**2) / np.sum((y - y.mean()) ** 2)) if y.size > 1 else np.nan}


def compare_models(data: PAMData, covariates=(), test_years: int = 3, random_state=None, models=MODELS,
                   **model_settings):
    """Fit each model on all but the last ``test_years`` sale years and score it.

    Parameters
    ----------
    data : PAMData
        Prepared sales (:func:`artstudy.pam.prepare`).
    covariates : sequence of str
        Hedonic covariate columns of ``data.sales``.
    test_years : int
        Number of final sale years held out.
    random_state : seed or Generator for the popularity-ability fit.
    models : sequence of names from :data:`MODELS`.
    model_settings : hyperparameters of :class:`PopularityAbilityModel`.

    Returns
    -------
    scores : DataFrame
        One row per model: n_params, train_rmse, train_r2, test_rmse, test_mae, test_r2.
    predictions : DataFrame
        Per sale: sale_year, split ("train" or "test"), y and one column per model.
    """
    unknown = set(models) - set(MODELS)
    if unknown:
        raise ValueError(f"unknown models: {', '.join(sorted(unknown))}")
    sales = data.sales
    y = data.y
    years = sales["sale_year"].to_numpy()
    last = years.max()
    train = years <= last - test_years
    if train.sum() == 0 or train.all():
        raise ValueError(f"test_years={test_years} leaves no training or no test sales")
    # later sale years take the last training year's effect
    capped = sales.assign(sale_year=np.minimum(years, years[train].max()))
    X_base, _ = design_matrix(capped, covariates, year_effects=True)
    u = sales["popularity"].to_numpy()[:, None]
    n_art = data.lengths.size
    A = np.zeros((y.size, n_art))
    A[np.arange(y.size), data.artist] = 1.0
    keep = np.abs(X_base[train]).sum(axis=0) > 0  # drop columns with no training variation
    X_base = X_base[:, keep]

    preds = {}
    n_params = {}
    for name in models:
        if name == "popularity-ability":
            X = np.column_stack([X_base, u])
            settings = {k: v for k, v in model_settings.items() if k in MODEL_KEYS}
            m = PopularityAbilityModel(random_state=random_state, progress=False, **settings)
            m.fit(X[train], y[train], data.artist[train], data.window[train], data.lengths)
            preds[name] = X @ m.coef_.to_numpy() + np.nan_to_num(m.ability_mean_)[data.artist, data.window]
            n_params[name] = X.shape[1]
            continue
        X = np.column_stack([X_base, u]) if name.endswith("+ popularity") else X_base
        if name.startswith("hedonic"):
            preds[name] = X @ _ols(X[train], y[train])
            n_params[name] = X.shape[1]
        elif name.startswith("artist fixed effects"):
            # artist indicators replace the intercept (column 0); artists without training sales get 0
            XA = np.column_stack([X[:, 1:], A])
            coef = _ols(XA[train], y[train])
            preds[name] = XA @ coef
            n_params[name] = XA.shape[1]
        else:
            import statsmodels.api as sm

            fit = sm.MixedLM(y[train], X[train], groups=data.artist[train]).fit(reml=True)
            effect = np.zeros(n_art)
            for k, v in fit.random_effects.items():
                effect[int(k)] = float(np.asarray(v)[0])
            preds[name] = X @ np.asarray(fit.fe_params) + effect[data.artist]
            n_params[name] = X.shape[1] + 1
    rows = []
    for name in models:
        tr, te = _scores(y[train], preds[name][train]), _scores(y[~train], preds[name][~train])
        rows.append({"model": name, "n_params": n_params[name], "train_rmse": tr["rmse"], "train_r2": tr["r2"],
                     "test_rmse": te["rmse"], "test_mae": te["mae"], "test_r2": te["r2"]})
    predictions = pd.DataFrame({"sale_year": years, "split": np.where(train, "train", "test"), "y": y, **preds})
    return pd.DataFrame(rows), predictions
