r"""The popularity-ability pricing model, fitted by Monte Carlo EM.

For sale :math:`k` of artist :math:`i` in sale year :math:`t`, of a work made in
work window :math:`t'`,

.. math::

    y_{i,t,k} = x_{i,t,k}'\beta + \gamma u_{i,t} + a_{i,t'} + \epsilon_{i,t,k},
    \qquad \epsilon \sim N(0, \sigma_\epsilon^2),

    a_{i,t'_{0,i}} \sim N(0, \tau^2), \qquad a_{i,t'} \sim N(a_{i,t'-1}, \sigma_a^2),
    \qquad \tau^2 \sim \mathrm{Exponential}(\text{mean } \lambda),

with :math:`y` the log price and :math:`u` the artist's popularity
(:mod:`artstudy.models.pam.popularity`). Write :math:`\delta = (\beta, \gamma)` and
:math:`X = [x, u]`.

It is fitted by Monte Carlo EM (:mod:`artstudy.models.pam.em`: E-step, M-step, stop rules and
the Monte Carlo error of the final estimates).

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

import time

import numpy as np
import pandas as pd

from ..._section import build, field_default
from .data import check_full_rank
from .em import Problem, one_blas_thread, run_mcem
from .matrix import as_design
from .samplers import gibbs_sweeps, posterior_cov_times
from .settings import INITS, SAMPLERS, TAU2_METHODS, EMSettings

__all__ = ["PopularityAbilityModel", "marginal_covariance", "SAMPLERS", "TAU2_METHODS", "INITS"]


def _d(name):
    return field_default(EMSettings, name)


def marginal_covariance(X, cells, counts, lengths, sigma2, tau2, sigma_a, XtX=None) -> np.ndarray:
    """Covariance of delta-hat from the observed information by Louis' formula (exact, see the module).

    ``cells`` is Z'X with shape (I, W, p); ``counts`` the sales per (artist, window) cell; ``XtX`` is X'X when
    the caller has it.
    """
    n_art, width, n_par = cells.shape
    C_Xc = posterior_cov_times(cells, counts, lengths, sigma2, tau2, sigma_a).reshape(n_art * width, n_par)
    complete = (X.T @ X if XtX is None else XtX) / sigma2
    missing = cells.reshape(n_art * width, n_par).T @ C_Xc / sigma2**2
    info = complete - missing
    return np.linalg.inv(info)


class PopularityAbilityModel:
    """Popularity-ability pricing model on arrays (scikit-learn style estimator).

    Parameters are the fields of :class:`artstudy.models.pam.settings.EMSettings` (sampler,
    tau2_method, n_gibbs, n_burn, max_iter, min_iter, tol, patience, init, lam, sigma_a, expand; their
    defaults are written there), plus ``random_state`` (int, Generator or None, the source of all
    randomness) and ``progress`` (show a tqdm bar; None: only on an interactive terminal and not
    when the environment variable ``CI`` is set).

    Attributes
    ----------
    coef_ : pandas.Series
        Estimated delta = (beta, gamma), indexed by term name.
    std_error_, std_error_marginal_ : pandas.Series
        Standard errors ignoring / accounting for the ability uncertainty.
    cov_marginal_ : ndarray of shape (p, p)
        Covariance of ``coef_`` from the observed information (Louis' formula).
    xtx_ : ndarray of shape (p, p)
        X'X of the fitted design.
    sigma2_ : float
    tau2_ : float
        Mean of the kept tau^2 draws of the last E-step (Eq. 14).
    ability_mean_, ability_sd_ : ndarray of shape (I, W)
        Mean and sd of the kept ability draws of the last E-step (nan past L_i).
    tau2_draws_ : ndarray
        Every tau^2 draw of every E-step (length n_iter_ * n_gibbs).
    trace_ : pandas.DataFrame
        One row per EM iteration (index ``iteration`` from 1): every coefficient, sigma2 and tau2.
    mc_error_ : pandas.Series
        Monte Carlo sd of the final coefficients, sigma2 and tau2 (:func:`artstudy.models.pam.em.mc_error`).
    n_iter_ : int
    stop_reason_ : {"converged", "max_iter"}
    converged_ : bool
    fit_seconds_ : float
    """

    def __init__(self, sampler=_d("sampler"), tau2_method=_d("tau2_method"), n_gibbs=_d("n_gibbs"),
                 n_burn=_d("n_burn"), max_iter=_d("max_iter"), min_iter=_d("min_iter"), tol=_d("tol"),
                 patience=_d("patience"), init=_d("init"), lam=_d("lam"), sigma_a=_d("sigma_a"),
                 expand=_d("expand"), random_state=None, progress=None):
        self.sampler = sampler
        self.tau2_method = tau2_method
        self.n_gibbs = n_gibbs
        self.n_burn = n_burn
        self.max_iter = max_iter
        self.min_iter = min_iter
        self.tol = tol
        self.patience = patience
        self.init = init
        self.lam = lam
        self.sigma_a = sigma_a
        self.expand = expand
        self.random_state = random_state
        self.progress = progress

    def settings(self) -> EMSettings:
        """The hyperparameters, validated (:class:`InputError` naming a bad one)."""
        return build(EMSettings, {k: getattr(self, k) for k in EMSettings.model_fields}, source="model settings")

    def fit(self, X, y, artist, window, lengths, names=None):
        """Fit by Monte Carlo EM.

        Parameters
        ----------
        X : ndarray of shape (N, p), or design products (:mod:`artstudy.models.pam.matrix`)
            Covariates with the popularity column, full column rank.
        y : ndarray of shape (N,)
            Log prices.
        artist : ndarray of int, shape (N,)
            Artist index 0..I-1 of each sale.
        window : ndarray of int, shape (N,)
            Work window of each sale relative to the artist's first window (0..lengths[artist]-1).
        lengths : ndarray of int, shape (I,)
            Number of work windows of each artist.
        names : list of str, optional
            Term names of the columns of X.

        Returns
        -------
        self
        """
        settings = self.settings()
        t_start = time.perf_counter()
        X, y = as_design(X), np.asarray(y, dtype=float)
        artist, window = np.asarray(artist, dtype=np.int64), np.asarray(window, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int64)
        names = list(names) if names is not None else [f"x{k}" for k in range(X.shape[1])]
        if np.any(window < 0) or np.any(window >= lengths[artist]):
            raise ValueError("window index outside the artist's windows")
        # BLAS on one thread: what is left for it is small products, whose hand-offs between threads cost more
        # than they save (and spin when the cores are busy)
        with one_blas_thread():
            gram = X.gram()  # one pass over X for the rank check, the projector and the information
            check_full_rank(X, names, gram=gram, n_artists=lengths.size)
            problem = Problem.build(X, y, artist, window, lengths, XtX=gram)
            em = run_mcem(problem, settings, np.random.default_rng(self.random_state), self.progress)
            cov = marginal_covariance(X, problem.cell_matrix(), problem.counts, lengths, em.sigma2, em.tau2,
                                      settings.sigma_a, XtX=gram)
        active = np.arange(problem.shape[1])[None, :] < lengths[:, None]
        self.names_ = names
        self.coef_ = pd.Series(em.delta, index=names, name="estimate")
        self.std_error_ = pd.Series(em.se, index=names, name="std_error")
        self.std_error_marginal_ = pd.Series(np.sqrt(np.diag(cov)), index=names, name="std_error_marginal")
        self.cov_marginal_ = cov
        self.xtx_ = gram
        self.sigma2_, self.tau2_ = em.sigma2, em.tau2
        self.ability_mean_ = np.where(active, em.a_hat, np.nan)
        self.ability_sd_ = np.where(active, np.sqrt(em.a_var), np.nan)
        self.tau2_draws_ = em.tau2_draws
        self.trace_ = pd.DataFrame(em.trace, columns=names + ["sigma2", "tau2"],
                                   index=pd.RangeIndex(1, em.n_iter + 1, name="iteration"))
        self.mc_error_ = pd.Series(em.mc_error, index=names + ["sigma2", "tau2"], name="mc_error")
        self.n_iter_, self.stop_reason_, self.converged_ = em.n_iter, em.stop_reason, em.converged
        self.lengths_ = lengths
        self.fit_seconds_ = time.perf_counter() - t_start
        return self

    def gibbs_chain(self, X, y, artist, window, n_draws, sampler=None, rng=None):
        """Yield ``(tau2, a)`` for ``n_draws`` Gibbs sweeps at the fitted coefficients and sigma^2.

        Starts from the fitted ability means; ``sampler`` defaults to the fitted one. Used to
        compare how well the samplers mix at the same parameters.
        """
        problem = Problem.build(as_design(X), np.asarray(y, float), artist, window, self.lengths_)
        sums = problem.cell_sums(problem.y - problem.X.matvec(self.coef_.to_numpy()))
        yield from gibbs_sweeps(sums, problem.counts, self.lengths_, self.sigma2_, np.nan_to_num(self.ability_mean_),
                                n_draws, lam=self.lam, sigma_a=self.sigma_a, rng=np.random.default_rng(rng),
                                sampler=sampler or self.sampler, tau2_method=self.tau2_method)

