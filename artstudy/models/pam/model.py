r"""The popularity-ability pricing model, fitted by Monte Carlo EM.

For sale :math:`k` of artist :math:`i` in sale year :math:`t`, of a work made in
work window :math:`t'`,

.. math::

    y_{i,t,k} = x_{i,t,k}'\beta + \gamma u_{i,t} + a_{i,t'} + \epsilon_{i,t,k},
    \qquad \epsilon \sim N(0, \sigma_\epsilon^2),

    a_{i,t'_{0,i}} \sim N(0, \tau^2), \qquad a_{i,t'} \sim N(a_{i,t'-1}, \sigma_a^2),
    \qquad \tau^2 \sim \mathrm{Exponential}(\text{mean } \lambda),

with :math:`y` the log price and :math:`u` the artist's popularity
(:mod:`artstudy.popularity`). Write :math:`\delta = (\beta, \gamma)` and
:math:`X = [x, u]`.

Monte Carlo EM (Algorithm 1 of the seed paper):

* **E-step** -- ``n_gibbs`` Gibbs sweeps, warm-started from the previous
  iteration's last draw: :math:`\tau^2 \mid a` (ARS on :math:`\eta = \ln\tau^2`, or
  an exact GIG draw), then :math:`a \mid \tau^2, \theta` (FFBS of every artist's
  whole path, or the paper's single-site updates). The first ``n_burn`` sweeps are
  discarded; :math:`\hat a` is the mean of the rest.
* **M-step** -- :math:`\hat\delta` is the least-squares fit of
  :math:`y - \hat a_{obs}` on :math:`X`, and
  :math:`\hat\sigma_\epsilon^2 = (\lVert y - X\hat\delta - \hat a_{obs}\rVert^2
  + \sum_k \widehat{\mathrm{Var}}(a_{obs,k})) / (N - p)`: the expected residual sum
  of squares under the Gibbs draws (the paper's plug-in omits the second term,
  which biases :math:`\sigma_\epsilon^2` down by the posterior variance of the
  abilities).

Standard errors: ``std_error`` is the paper's
:math:`\sqrt{\mathrm{diag}\,\hat\sigma_\epsilon^2 (X'X)^{-1}}`, which treats
:math:`\hat a` as known. ``std_error_marginal`` accounts for the uncertainty in the
abilities: it is the inverse of the observed information of :math:`\delta` by
Louis' formula, complete information minus missing information,

.. math::

    I_{obs} = X'X/\sigma_\epsilon^2 - X'Z\,\mathrm{Cov}(a \mid y)\,Z'X/\sigma_\epsilon^4,

with :math:`Z` the sale-to-(artist, window) incidence matrix. Here it is exact, not
a Monte Carlo estimate: given :math:`\hat\theta` and :math:`\hat\tau^2` the abilities'
posterior is Gaussian with a tridiagonal precision per artist, so the product is a
batch of tridiagonal solves; :math:`I_{obs}^{-1}` equals the GLS covariance
:math:`(X'V^{-1}X)^{-1}` of the marginal model
:math:`y \sim N(X\delta, \sigma_\epsilon^2 I + Z\Sigma_a Z')`.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pandas as pd
from scipy import linalg, sparse
from tqdm import tqdm

from .samplers import gibbs_sweeps, posterior_cov_times

__all__ = ["PopularityAbilityModel", "SAMPLERS", "TAU2_METHODS"]

SAMPLERS = ("ffbs", "single-site")
TAU2_METHODS = ("ars", "gig")


class PopularityAbilityModel:
    """Popularity-ability pricing model (scikit-learn style estimator).

    Parameters
    ----------
    sampler : {"ffbs", "single-site"}
        How abilities are drawn in the E-step.
    tau2_method : {"ars", "gig"}
        How tau^2 is drawn: adaptive rejection sampling (paper) or exact GIG.
    n_gibbs, n_burn : int
        Gibbs sweeps per E-step (G) and how many are discarded (G_0).
    max_iter, min_iter : int
        Cap on and minimum number of EM iterations.
    tol, patience : float, int
        Converged when, for ``patience`` consecutive iterations, every coefficient
        moved by less than ``tol`` times its standard error.
    init : {"within", "ols"}
        Starting coefficients: the within-(artist, window) estimate (default, starts
        near the fixed point) or plain least squares ignoring abilities (the paper's).
    lam : float
        Prior mean lambda of tau^2.
    sigma_a : float
        Random-walk step standard deviation.
    random_state : int, numpy.random.Generator or None
        Source of all randomness.
    progress : bool or None
        Show a tqdm bar; ``None`` shows it only on an interactive terminal and not
        when the environment variable ``CI`` is set.

    Attributes
    ----------
    coef_ : pandas.Series
        Estimated delta = (beta, gamma), indexed by term name.
    std_error_, std_error_marginal_ : pandas.Series
        Standard errors ignoring / accounting for the ability uncertainty.
    cov_marginal_ : ndarray of shape (p, p)
        Covariance of ``coef_`` from the observed information (Louis' formula).
    sigma2_ : float
    tau2_ : float
        Mean of the kept tau^2 draws of the last E-step (Eq. 14).
    ability_mean_, ability_sd_ : ndarray of shape (I, W)
        Mean and sd of the kept ability draws of the last E-step (nan past L_i).
    tau2_draws_ : ndarray
        Every tau^2 draw of every E-step (length n_iter_ * n_gibbs).
    trace_ : pandas.DataFrame
        One row per EM iteration: every coefficient, sigma2 and tau2.
    n_iter_ : int
    converged_ : bool
    fit_seconds_ : float
    """

    def __init__(
        self,
        sampler="ffbs",
        tau2_method="ars",
        n_gibbs=110,
        n_burn=10,
        max_iter=100,
        min_iter=10,
        tol=0.2,
        patience=3,
        init="within",
        lam=4.0,
        sigma_a=0.1,
        random_state=None,
        progress=None,
    ):
        self.sampler = sampler
        self.tau2_method = tau2_method
        self.n_gibbs = n_gibbs
        self.n_burn = n_burn
        self.max_iter = max_iter
        self.min_iter = min_iter
        self.init = init
        self.tol = tol
        self.patience = patience
        self.lam = lam
        self.sigma_a = sigma_a
        self.random_state = random_state
        self.progress = progress

    def _check(self):
        if self.sampler not in SAMPLERS:
            raise ValueError(f"unknown sampler {self.sampler!r}; use one of {', '.join(SAMPLERS)}")
        if self.tau2_method not in TAU2_METHODS:
            raise ValueError(f"unknown tau2 method {self.tau2_method!r}; use one of {', '.join(TAU2_METHODS)}")
        if self.init not in ("within", "ols"):
            raise ValueError(f"unknown init {self.init!r}; use 'within' or 'ols'")
        if not 0 <= self.n_burn < self.n_gibbs:
            raise ValueError("need 0 <= n_burn < n_gibbs")

    def fit(self, X, y, artist, window, lengths, names=None):
        """Fit by Monte Carlo EM.

        Parameters
        ----------
        X : ndarray of shape (N, p)
            Covariates with the popularity column, full column rank.
        y : ndarray of shape (N,)
            Log prices.
        artist : ndarray of int, shape (N,)
            Artist index 0..I-1 of each sale.
        window : ndarray of int, shape (N,)
            Work window of each sale relative to the artist's first window
            (0..lengths[artist]-1).
        lengths : ndarray of int, shape (I,)
            Number of work windows of each artist.
        names : list of str, optional
            Term names of the columns of X.

        Returns
        -------
        self
        """
        self._check()
        t_start = time.perf_counter()
        rng = np.random.default_rng(self.random_state)
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        artist = np.asarray(artist, dtype=np.int64)
        window = np.asarray(window, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int64)
        n_obs, n_par = X.shape
        n_art = lengths.size
        width = int(lengths.max())
        names = list(names) if names is not None else [f"x{k}" for k in range(n_par)]
        if np.any(window < 0) or np.any(window >= lengths[artist]):
            raise ValueError("window index outside the artist's windows")
        cell = artist * width + window
        n_cells = n_art * width
        counts = np.bincount(cell, minlength=n_cells).reshape(n_art, width).astype(float)

        # least squares pieces, computed once, from the normal equations
        XtX = X.T @ X
        scale = np.sqrt(np.diag(XtX))
        if np.any(scale == 0) or np.linalg.cond(XtX / np.outer(scale, scale)) > 1e12:
            raise ValueError("design matrix is rank deficient (a covariate level or sale year may be "
                             "constant or collinear with others)")
        XtX_inv = linalg.cho_solve(linalg.cho_factor(XtX), np.eye(n_par))
        pinv = XtX_inv @ X.T  # (p, N)
        onehot = sparse.csr_matrix((np.ones(n_obs), (cell, np.arange(n_obs))), shape=(n_cells, n_obs))
        X_cells = onehot @ X  # (n_cells, p): Z'X

        delta = self._start(X, y, cell, n_cells, pinv) if self.init == "within" else pinv @ y
        resid = y - X @ delta
        sigma2 = float(resid @ resid / (n_obs - n_par))
        # start the first E-step from each cell's mean least-squares residual
        r0 = np.bincount(cell, weights=resid, minlength=n_cells).reshape(n_art, width)
        a = np.divide(r0, counts, out=np.zeros_like(r0), where=counts > 0)
        se_prev = np.sqrt(np.diag(XtX_inv) * sigma2)

        trace = []
        draws_tau2 = []
        stable = 0
        converged = False
        kept = self.n_gibbs - self.n_burn
        show = self.progress
        if show is None:  # interactive terminals only: quiet under CI, papermill and pipes
            show = sys.stderr.isatty() and not os.environ.get("CI")
        bar = tqdm(total=self.max_iter, desc="MCEM", disable=not show, leave=False)
        it = 0
        for it in range(1, self.max_iter + 1):
            # E-step
            r = y - X @ delta
            sums = np.bincount(cell, weights=r, minlength=n_cells).reshape(n_art, width)
            acc = np.zeros((n_art, width))
            acc2 = np.zeros((n_art, width))
            tau2_it = np.empty(self.n_gibbs)
            sweeps = gibbs_sweeps(sums, counts, lengths, sigma2, a, self.n_gibbs, lam=self.lam,
                                  sigma_a=self.sigma_a, rng=rng, sampler=self.sampler,
                                  tau2_method=self.tau2_method)
            for g, (tau2, a) in enumerate(sweeps):
                tau2_it[g] = tau2
                if g >= self.n_burn:
                    acc += a
                    acc2 += a * a
            draws_tau2.append(tau2_it)
            a_hat = acc / kept
            a_var = np.maximum(acc2 / kept - a_hat**2, 0.0)
            # M-step
            a_obs = a_hat.ravel()[cell]
            delta_new = pinv @ (y - a_obs)
            resid = y - X @ delta_new - a_obs
            sigma2 = float((resid @ resid + np.sum(counts * a_var)) / (n_obs - n_par))
            se = np.sqrt(np.diag(XtX_inv) * sigma2)
            change = np.max(np.abs(delta_new - delta) / se_prev)
            delta, se_prev = delta_new, se
            trace.append(np.concatenate([delta, [sigma2, tau2_it[self.n_burn:].mean()]]))
            bar.update(1)
            stable = stable + 1 if change < self.tol else 0
            if stable >= self.patience and it >= self.min_iter:
                converged = True
                break
        bar.close()

        active = np.arange(width)[None, :] < lengths[:, None]
        tau2_hat = float(draws_tau2[-1][self.n_burn:].mean())
        C_Xc = posterior_cov_times(X_cells.reshape(n_art, width, n_par), counts, lengths, sigma2, tau2_hat,
                                   self.sigma_a).reshape(n_cells, n_par)
        info = X.T @ X / sigma2 - X_cells.T @ C_Xc / sigma2**2
        cov_marginal = np.linalg.inv(info)
        self.names_ = names
        self.coef_ = pd.Series(delta, index=names, name="estimate")
        self.std_error_ = pd.Series(se_prev, index=names, name="std_error")
        self.std_error_marginal_ = pd.Series(np.sqrt(np.diag(cov_marginal)), index=names,
                                             name="std_error_marginal")
        self.cov_marginal_ = cov_marginal
        self.sigma2_ = sigma2
        self.tau2_ = tau2_hat
        self.ability_mean_ = np.where(active, a_hat, np.nan)
        self.ability_sd_ = np.where(active, np.sqrt(a_var), np.nan)
        self.tau2_draws_ = np.concatenate(draws_tau2)
        self.trace_ = pd.DataFrame(trace, columns=names + ["sigma2", "tau2"])
        self.trace_.index = pd.RangeIndex(1, len(trace) + 1, name="iteration")
        self.n_iter_ = it
        self.converged_ = converged
        self.lengths_ = lengths
        self.fit_seconds_ = time.perf_counter() - t_start
        return self

    @staticmethod
    def _start(X, y, cell, n_cells, pinv):
        """Starting coefficients: the within-(artist, window) least-squares estimate.

        Columns that vary within cells (popularity, sale years, most covariates) are
        estimated from deviations from their cell means, which removes the abilities
        exactly; columns constant within cells (the intercept) are then fitted to the
        remainder. This starts EM close to its fixed point in the directions where
        ability and popularity are confounded, where plain least squares starts far.
        """
        n_per = np.bincount(cell, minlength=n_cells).astype(float)
        n_per[n_per == 0] = 1.0

        def within(v):
            means = np.stack([np.bincount(cell, weights=col, minlength=n_cells) for col in np.atleast_2d(v.T)])
            return v - (means / n_per).T[cell].reshape(v.shape)

        Xw = within(X)
        varies = np.linalg.norm(Xw, axis=0) > 1e-8 * np.maximum(np.linalg.norm(X, axis=0), 1e-300)
        delta = np.zeros(X.shape[1])
        if varies.any():
            Xv = Xw[:, varies]
            delta[varies] = linalg.solve(Xv.T @ Xv, Xv.T @ within(y), assume_a="pos")
        if (~varies).any():
            rest = y - X[:, varies] @ delta[varies]
            Xc = X[:, ~varies]
            delta[~varies] = linalg.solve(Xc.T @ Xc, Xc.T @ rest, assume_a="pos")
        return delta

    def gibbs_chain(self, X, y, artist, window, n_draws, sampler=None, rng=None):
        """Yield ``(tau2, a)`` for ``n_draws`` Gibbs sweeps at the fitted coefficients and sigma^2.

        Starts from the fitted ability means; ``sampler`` defaults to the fitted one. Used to
        compare how well the samplers mix at the same parameters.
        """
        artist = np.asarray(artist, dtype=np.int64)
        window = np.asarray(window, dtype=np.int64)
        n_art, width = self.ability_mean_.shape
        cell = artist * width + window
        resid = np.asarray(y, float) - np.asarray(X, float) @ self.coef_.to_numpy()
        sums = np.bincount(cell, weights=resid, minlength=n_art * width).reshape(n_art, width)
        counts = np.bincount(cell, minlength=n_art * width).reshape(n_art, width).astype(float)
        yield from gibbs_sweeps(sums, counts, self.lengths_, self.sigma2_, np.nan_to_num(self.ability_mean_),
                                n_draws, lam=self.lam, sigma_a=self.sigma_a, rng=np.random.default_rng(rng),
                                sampler=sampler or self.sampler, tau2_method=self.tau2_method)

    def predict(self, X, artist, window):
        """Fitted log price: X delta + the ability estimate of the sale's artist and window."""
        return np.asarray(X, float) @ self.coef_.to_numpy() + self.ability_mean_[artist, window]
