r"""Monte Carlo EM for the popularity-ability model (Algorithm 1 of the seed paper), on arrays.

* **E-step** -- ``n_gibbs`` Gibbs sweeps, warm-started from the previous iteration's last draw:
  :math:`\tau^2 \mid a` (ARS on :math:`\eta = \ln\tau^2`, or an exact GIG draw), then
  :math:`a \mid \tau^2, \theta` (FFBS of every artist's whole path, or the paper's single-site
  updates). The first ``n_burn`` sweeps are discarded; :math:`\hat a` and
  :math:`\widehat{\mathrm{Var}}(a)` are the mean and variance of the rest.
* **M-step** -- :math:`\hat\delta` is the least-squares fit of :math:`y - \hat a_{obs}` on
  :math:`X`, and :math:`\hat\sigma^2 = (\lVert y - X\hat\delta - \hat a_{obs}\rVert^2
  + \sum_k \widehat{\mathrm{Var}}(a_{obs,k})) / (N - p)`: the expected residual sum of squares
  under the draws (the paper's plug-in omits the second term and is biased down by the
  abilities' posterior variance, most where cells hold few sales).
* **Stop rules** -- ``"converged"``: for ``patience`` consecutive iterations, after at least
  ``min_iter``, every coefficient moved by less than ``tol`` of its standard error;
  ``"max_iter"``: the cap was reached first (``tol = 0`` always runs ``max_iter``).
* **Monte Carlo error** -- the final estimates are one iteration's, so they carry the E-step's
  Monte Carlo noise. Its sd is estimated from the successive differences of the last
  ``k = min(n_iter, max(patience, 5))`` iterations, :math:`\sqrt{\sum_t (\theta_t -
  \theta_{t-1})^2 / (2(k-1))}`, which a slow remaining drift barely inflates (nan with one
  iteration).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse
from tqdm import tqdm

from .samplers import gibbs_sweeps
from .settings import EMSettings

__all__ = ["Problem", "EMResult", "within_start", "m_step", "mc_error", "run_mcem", "STOP_REASONS"]

STOP_REASONS = ("converged", "max_iter")


@dataclass
class Problem:
    """The fixed pieces of a fit: data, cells (artist x window) and the least-squares projector."""

    X: np.ndarray
    y: np.ndarray
    cell: np.ndarray  # artist * width + window of each sale
    counts: np.ndarray  # (I, W) sales per cell
    lengths: np.ndarray
    XtX_inv: np.ndarray
    XtX: np.ndarray

    @classmethod
    def build(cls, X, y, artist, window, lengths, XtX=None) -> "Problem":
        """``XtX``: X'X when the caller has it (one pass over X fewer)."""
        lengths = np.asarray(lengths, dtype=np.int64)
        n_art, width = lengths.size, int(lengths.max())
        cell = np.asarray(artist, dtype=np.int64) * width + np.asarray(window, dtype=np.int64)
        counts = np.bincount(cell, minlength=n_art * width).reshape(n_art, width).astype(float)
        XtX = X.T @ X if XtX is None else XtX
        XtX_inv = linalg.cho_solve(linalg.cho_factor(XtX), np.eye(X.shape[1]))
        return cls(X=X, y=y, cell=cell, counts=counts, lengths=lengths, XtX_inv=XtX_inv, XtX=XtX)

    def project(self, v: np.ndarray) -> np.ndarray:
        """Least-squares coefficients of ``v`` (N,) on X: (X'X)^-1 X'v, without an (p, N) projector in memory."""
        return self.XtX_inv @ (v @ self.X)

    @property
    def shape(self):
        return self.counts.shape

    def cell_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (N,) within each (artist, window) cell, shape (I, W)."""
        return np.bincount(self.cell, weights=values, minlength=self.counts.size).reshape(self.shape)

    def cell_matrix(self) -> np.ndarray:
        """Z'X: the columns of X summed within each cell, shape (I, W, p)."""
        n_obs, n_par = self.X.shape
        onehot = sparse.csr_matrix((np.ones(n_obs), (self.cell, np.arange(n_obs))), shape=(self.counts.size, n_obs))
        return (onehot @ self.X).reshape(*self.shape, n_par)


@dataclass
class EMResult:
    """Where Monte Carlo EM stopped."""

    delta: np.ndarray
    sigma2: float
    tau2: float  # mean of the last E-step's kept tau^2 draws
    se: np.ndarray  # the paper's sqrt(diag sigma2 (X'X)^-1)
    a_hat: np.ndarray  # (I, W) posterior mean of the abilities (last E-step)
    a_var: np.ndarray  # (I, W) their posterior variance
    tau2_draws: np.ndarray  # every tau^2 draw of every E-step
    trace: np.ndarray  # (n_iter, p + 2): delta, sigma2, tau2 per iteration
    stop_reason: str
    mc_error: np.ndarray  # (p + 2,) Monte Carlo sd of the final delta, sigma2, tau2

    @property
    def n_iter(self) -> int:
        return len(self.trace)

    @property
    def converged(self) -> bool:
        return self.stop_reason == "converged"


#: Rows per block when a pass over the design needs an (N, p) temporary: its memory stays O(p * BLOCK).
BLOCK = 1 << 16


def _within_moments(problem: Problem):
    """(Xw'Xw, Xw'yw, column sums of squares of X) with Xw, yw the deviations from the cell means, in row blocks."""
    X, y, cell = problem.X, problem.y, problem.cell
    n_per = np.maximum(problem.counts.ravel(), 1.0)
    n_par = X.shape[1]
    sums = np.column_stack([problem.cell_matrix().reshape(-1, n_par), problem.cell_sums(y).ravel()])
    means = sums / n_per[:, None]  # (cells, p + 1): the sums in sale order within each cell, as bincount's
    gram, cross, sq = np.zeros((n_par, n_par)), np.zeros(n_par), np.zeros(n_par)
    for lo in range(0, len(y), BLOCK):
        rows = slice(lo, lo + BLOCK)
        dev = means[cell[rows]]
        xw = X[rows] - dev[:, :n_par]
        gram += xw.T @ xw
        cross += (y[rows] - dev[:, n_par]) @ xw
        sq += np.einsum("ij,ij->j", X[rows], X[rows])
    return gram, cross, sq


def within_start(problem: Problem) -> np.ndarray:
    """Starting coefficients: the within-(artist, window) least-squares estimate.

    Columns that vary within cells (popularity, sale years, most covariates) are estimated from
    deviations from their cell means, which removes the abilities exactly; columns constant
    within cells (the intercept) are then fitted to the remainder. This starts EM close to its
    fixed point in the directions where ability and popularity are confounded. The deviations
    are formed in row blocks (:data:`BLOCK`), never as a whole (N, p) matrix.
    """
    X, y = problem.X, problem.y
    gram, cross, sq = _within_moments(problem)
    varies = np.sqrt(np.diag(gram)) > 1e-8 * np.maximum(np.sqrt(sq), 1e-300)
    delta = np.zeros(X.shape[1])
    if varies.any():
        delta[varies] = linalg.solve(gram[np.ix_(varies, varies)], cross[varies], assume_a="pos")
    if (~varies).any():
        rest = y - X @ delta  # delta is 0 on the constant columns
        Xc = X[:, ~varies]
        delta[~varies] = linalg.solve(Xc.T @ Xc, (rest @ X)[~varies], assume_a="pos")
    return delta


def e_step(problem: Problem, delta, sigma2, a, settings: EMSettings, rng, fitted=None):
    """Gibbs sweeps at (delta, sigma2): returns (a_hat, a_var, tau2 draws, last draw). ``fitted``: X delta when
    the caller has it (one pass over X fewer)."""
    sums = problem.cell_sums(problem.y - (problem.X @ delta if fitted is None else fitted))
    acc = np.zeros(problem.shape)
    acc2 = np.zeros(problem.shape)
    tau2 = np.empty(settings.n_gibbs)
    sweeps = gibbs_sweeps(sums, problem.counts, problem.lengths, sigma2, a, settings.n_gibbs, lam=settings.lam,
                          sigma_a=settings.sigma_a, rng=rng, sampler=settings.sampler,
                          tau2_method=settings.tau2_method)
    for g, (tau2[g], a) in enumerate(sweeps):
        if g >= settings.n_burn:
            acc += a
            acc2 += a * a
    kept = settings.n_gibbs - settings.n_burn
    a_hat = acc / kept
    return a_hat, np.maximum(acc2 / kept - a_hat**2, 0.0), tau2, a


def m_step(problem: Problem, a_hat, a_var, fitted: bool = False):
    """Coefficients and the expected residual variance given the E-step's ability moments (and X delta with
    ``fitted=True``, for the next E-step)."""
    n_obs, n_par = problem.X.shape
    a_obs = a_hat.ravel()[problem.cell]
    delta = problem.project(problem.y - a_obs)
    x_delta = problem.X @ delta
    resid = problem.y - x_delta - a_obs
    expected_rss = resid @ resid + np.sum(problem.counts * a_var)
    if fitted:
        return delta, float(expected_rss / (n_obs - n_par)), x_delta
    return delta, float(expected_rss / (n_obs - n_par))


def mc_error(trace: np.ndarray, k: int) -> np.ndarray:
    """Monte Carlo sd of the last row of ``trace`` from the successive differences of its last ``k`` rows."""
    tail = np.asarray(trace, dtype=float)[-k:]
    if len(tail) < 2:
        return np.full(tail.shape[1], np.nan)
    return np.sqrt(np.sum(np.diff(tail, axis=0) ** 2, axis=0) / (2 * (len(tail) - 1)))


def _bar(settings: EMSettings, progress):
    show = progress
    if show is None:  # interactive terminals only: quiet under CI, papermill and pipes
        show = sys.stderr.isatty() and not os.environ.get("CI")
    return tqdm(total=settings.max_iter, desc="MCEM", disable=not show, leave=False)


def run_mcem(problem: Problem, settings: EMSettings, rng, progress=None) -> EMResult:
    """Run Monte Carlo EM from the settings' start until a stop rule holds (see the module's docstring)."""
    X, y = problem.X, problem.y
    n_obs, n_par = X.shape
    delta = within_start(problem) if settings.init == "within" else problem.project(y)
    x_delta = X @ delta
    resid = y - x_delta
    sigma2 = float(resid @ resid / (n_obs - n_par))
    # the first E-step starts from each cell's mean least-squares residual
    a = np.divide(problem.cell_sums(resid), problem.counts, out=np.zeros(problem.shape), where=problem.counts > 0)
    se_prev = np.sqrt(np.diag(problem.XtX_inv) * sigma2)
    trace, draws, stable, stop = [], [], 0, "max_iter"
    bar = _bar(settings, progress)
    for it in range(1, settings.max_iter + 1):
        a_hat, a_var, tau2, a = e_step(problem, delta, sigma2, a, settings, rng, fitted=x_delta)
        draws.append(tau2)
        delta_new, sigma2, x_delta = m_step(problem, a_hat, a_var, fitted=True)
        se = np.sqrt(np.diag(problem.XtX_inv) * sigma2)
        change = np.max(np.abs(delta_new - delta) / se_prev)
        delta, se_prev = delta_new, se
        trace.append(np.concatenate([delta, [sigma2, tau2[settings.n_burn:].mean()]]))
        bar.update(1)
        stable = stable + 1 if change < settings.tol else 0
        if stable >= settings.patience and it >= settings.min_iter:
            stop = "converged"
            break
    bar.close()
    trace = np.asarray(trace)
    return EMResult(delta=delta, sigma2=sigma2, tau2=float(trace[-1, -1]), se=se_prev, a_hat=a_hat, a_var=a_var,
                    tau2_draws=np.concatenate(draws), trace=trace, stop_reason=stop,
                    mc_error=mc_error(trace, min(len(trace), max(settings.patience, 5))))
