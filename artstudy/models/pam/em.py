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
* **Parameter expansion** (``expand``, Liu, Rubin and Wu 1998) -- the first abilities' prior is
  widened to :math:`N(\alpha, \tau^2)`; the M-step's :math:`\hat\alpha` is the mean of the first
  abilities' :math:`\hat a`, and reducing back to :math:`\alpha = 0` moves it into the intercept and
  shifts every ability path by :math:`-\hat\alpha` (fitted prices unchanged; the same fixed point
  as plain EM, reached in a few iterations where plain EM creeps).
* **Stop rules** -- ``"converged"``: for ``patience`` consecutive iterations, after at least
  ``min_iter``, every coefficient moved by less than ``tol`` of its standard error;
  ``"max_iter"``: the cap was reached first (``tol = 0`` always runs ``max_iter``).
* **Monte Carlo error** -- the final estimates are one iteration's, so they carry the E-step's
  Monte Carlo noise. Its sd is estimated from the successive differences of the last
  ``k = min(n_iter, max(patience, 5))`` iterations, :math:`\sqrt{\sum_t (\theta_t -
  \theta_{t-1})^2 / (2(k-1))}`, which a slow remaining drift barely inflates (nan with one
  iteration).
* **Cost** -- the sales enter an iteration only through sums within (artist, window) cells, formed
  once (:class:`Problem`: Z'X, Z'y, X'X, X'y, y'y): the E-step's residual sums are Z'y - Z'X delta,
  the M-step's X'(y - a_obs) is X'y - (Z'X)'a and its residual sum of squares a quadratic form in
  them, so an iteration costs no pass over the sales (the same numbers up to rounding).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np
from scipy import linalg
from tqdm import tqdm

from .matrix import DenseDesign, PartsDesign, as_design
from .packed import ffbs_moments
from .samplers import gibbs_sweeps
from .settings import EMSettings

__all__ = ["Problem", "EMResult", "within_start", "has_intercept", "recentre", "m_step", "mc_error", "run_mcem", "STOP_REASONS"]

STOP_REASONS = ("converged", "max_iter")


@dataclass
class Problem:
    """The fixed pieces of a fit: data, cells (artist x window), the least-squares projector and the sums
    of the data within cells, from which every EM iteration works without another pass over the sales."""

    X: DenseDesign | PartsDesign  # the design's products (artstudy.models.pam.matrix)
    y: np.ndarray
    cell: np.ndarray  # artist * width + window of each sale
    counts: np.ndarray  # (I, W) sales per cell
    lengths: np.ndarray
    XtX_inv: np.ndarray
    XtX: np.ndarray
    cells: np.ndarray  # (I, W, p) Z'X: the columns of X summed within each cell
    y_sums: np.ndarray  # (I, W) Z'y: y summed within each cell
    Xty: np.ndarray  # (p,) X'y
    yty: float  # y'y

    @classmethod
    def build(cls, X, y, artist, window, lengths, XtX=None) -> "Problem":
        """``X``: an (N, p) array or design products (:func:`artstudy.models.pam.matrix.as_design`); ``XtX``: X'X
        when the caller has it (one pass over X fewer)."""
        X = as_design(X)
        lengths = np.asarray(lengths, dtype=np.int64)
        n_art, width = lengths.size, int(lengths.max())
        cell = np.asarray(artist, dtype=np.int64) * width + np.asarray(window, dtype=np.int64)
        counts = np.bincount(cell, minlength=n_art * width).reshape(n_art, width).astype(float)
        XtX = X.gram() if XtX is None else XtX
        XtX_inv = linalg.cho_solve(linalg.cho_factor(XtX), np.eye(X.shape[1]))
        n_par = X.shape[1]
        cells = X.cell_sums(cell, counts.size).reshape(n_art, width, n_par)  # in sale order within each cell
        y_sums = np.bincount(cell, weights=y, minlength=counts.size).reshape(n_art, width)
        return cls(X=X, y=y, cell=cell, counts=counts, lengths=lengths, XtX_inv=XtX_inv, XtX=XtX, cells=cells,
                   y_sums=y_sums, Xty=X.rmatvec(y), yty=float(np.sum(np.square(y))))

    def project(self, v: np.ndarray) -> np.ndarray:
        """Least-squares coefficients of ``v`` (N,) on X: (X'X)^-1 X'v, without an (p, N) projector in memory."""
        return self.XtX_inv @ self.X.rmatvec(v)

    @property
    def shape(self):
        return self.counts.shape

    def cell_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (N,) within each (artist, window) cell, shape (I, W)."""
        return np.bincount(self.cell, weights=values, minlength=self.counts.size).reshape(self.shape)

    def cell_matrix(self) -> np.ndarray:
        """Z'X: the columns of X summed within each cell, shape (I, W, p)."""
        return self.cells

    def residual_sums(self, delta) -> np.ndarray:
        """Z'(y - X delta): the residuals summed within each cell, from the cell sums (no pass over X)."""
        return self.y_sums - (self.cells.reshape(-1, len(delta)) @ delta).reshape(self.shape)

    def rss(self, delta, a=None) -> float:
        """The residual sum of squares ||y - X delta - a_obs||^2 (``a``: (I, W) abilities, default 0), from the
        sums within cells and X'X: y'y - 2 a'Z'y + a'Z'Z a - 2 delta'X'(y - Za) + delta'X'X delta."""
        a = np.zeros(self.shape) if a is None else a
        xtv = self.Xty - self.cells.reshape(-1, len(delta)).T @ a.ravel()
        vtv = self.yty - 2.0 * float(a.ravel() @ self.y_sums.ravel()) + float(np.sum(self.counts * a * a))
        return vtv - 2.0 * float(delta @ xtv) + float(delta @ (self.XtX @ delta))


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


def one_blas_thread():
    """A context with BLAS on one thread: small products are faster so (no hand-offs between threads, which
    stall when the cores are busy), and their sums run in one order whatever the machine."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(1, user_api="blas")


#: Rows per block of :func:`within_start`'s pass over the design.
WITHIN_BLOCK = 1 << 12


def _within_moments(problem: Problem):
    """(Xw'Xw, Xw'yw) with Xw, yw the deviations from the cell means, in row blocks."""
    y, cell = problem.y, problem.cell
    n_per = np.maximum(problem.counts.ravel(), 1.0)
    n_par = problem.X.shape[1]
    sums = np.column_stack([problem.cells.reshape(-1, n_par), problem.y_sums.ravel()])
    means = sums / n_per[:, None]  # (cells, p + 1): the sums in sale order within each cell, as bincount's
    block = min(BLOCK, WITHIN_BLOCK)
    if isinstance(problem.X, PartsDesign):
        return _within_moments_parts(problem, means, block)
    gram, cross = np.zeros((n_par, n_par)), np.zeros(n_par)
    with one_blas_thread():
        for lo, hi, x in problem.X.blocks(block):
            rows = slice(lo, hi)
            dev = means[cell[rows]]
            xw = x - dev[:, :n_par]
            gram += xw.T @ xw
            cross += (y[rows] - dev[:, n_par]) @ xw
    return gram, cross


def _within_moments_parts(problem: Problem, means: np.ndarray, block: int):
    """:func:`_within_moments` of a design kept as its parts: Xw'Xw = X'X - S'(S/n) and Xw'yw = X'y - S'(s_y/n)
    from the cell sums S, then the numeric columns' own block (their products with each other and with y) from
    their deviations in row blocks, where the difference of large sums would lose digits. The indicators'
    entries are differences of counts: a column constant within every cell gets exactly 0."""
    X, y, cell = problem.X, problem.y, problem.cell
    n_par = X.shape[1]
    S = problem.cells.reshape(-1, n_par)
    gram = problem.XtX - S.T @ means[:, :n_par]
    cross = problem.Xty - S.T @ means[:, n_par]
    cols = X.dense_columns
    centre, centre_y = np.ascontiguousarray(means[:, cols]), means[:, n_par]
    g, c = np.zeros((cols.size, cols.size)), np.zeros(cols.size)
    with one_blas_thread():
        for lo in range(0, len(y), block):
            k = cell[lo:lo + block]
            xw = X.dense[lo:lo + block] - centre[k]
            g += xw.T @ xw
            c += (y[lo:lo + block] - centre_y[k]) @ xw
    gram[np.ix_(cols, cols)] = g
    cross[cols] = c
    return gram, cross


def within_start(problem: Problem) -> np.ndarray:
    """Starting coefficients: the within-(artist, window) least-squares estimate.

    Columns that vary within cells (popularity, sale years, most covariates) are estimated from
    deviations from their cell means, which removes the abilities exactly; columns constant
    within cells (the intercept) are then fitted to the remainder. This starts EM close to its
    fixed point in the directions where ability and popularity are confounded. The deviations
    are formed in row blocks (:data:`BLOCK`), never as a whole (N, p) matrix.
    """
    gram, cross = _within_moments(problem)
    sq = np.diag(problem.XtX)  # the columns' sums of squares
    varies = np.sqrt(np.diag(gram)) > 1e-8 * np.maximum(np.sqrt(sq), 1e-300)
    delta = np.zeros(problem.X.shape[1])
    if varies.any():
        delta[varies] = linalg.solve(gram[np.ix_(varies, varies)], cross[varies], assume_a="pos")
    if (~varies).any():  # least squares of y - X delta on the constant columns (delta is 0 on them)
        rest = problem.Xty - problem.XtX @ delta
        delta[~varies] = linalg.solve(problem.XtX[np.ix_(~varies, ~varies)], rest[~varies], assume_a="pos")
    return delta


def e_step(problem: Problem, delta, sigma2, a, settings: EMSettings, rng):
    """Gibbs sweeps at (delta, sigma2): returns (a_hat, a_var, tau2 draws, last draw)."""
    sums = problem.residual_sums(delta)
    if settings.sampler == "ffbs":  # the same draws, on the cells that exist (artstudy.models.pam.packed)
        return ffbs_moments(sums, problem.counts, problem.lengths, sigma2, a, settings.n_gibbs, settings.n_burn,
                            lam=settings.lam, sigma_a=settings.sigma_a, rng=rng, tau2_method=settings.tau2_method)
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


def has_intercept(problem: Problem) -> bool:
    """Whether the constant column lies in the design's column space (X u = 1 for some u): then a shift
    of every ability can be taken up by the coefficients."""
    n_obs, n_par = problem.X.shape
    s = problem.cells.reshape(-1, n_par).sum(axis=0)  # X'1
    return bool(abs(n_obs - s @ (problem.XtX_inv @ s)) <= 1e-8 * n_obs)


def recentre(a_hat: np.ndarray, a: np.ndarray, lengths: np.ndarray):
    """The parameter-expansion step: every artist's path (windows below its length) shifted by minus the
    mean first ability; returns (a_hat, a, that mean)."""
    alpha = float(np.mean(a_hat[:, 0]))
    shift = alpha * (np.arange(a_hat.shape[1]) < np.asarray(lengths)[:, None])
    return a_hat - shift, a - shift, alpha


def m_step(problem: Problem, a_hat, a_var, fitted: bool = False):
    """Coefficients and the expected residual variance given the E-step's ability moments (and X delta with
    ``fitted=True``).

    X'(y - a_obs) and the residual sum of squares come from the sums within cells (:meth:`Problem.rss`):
    an iteration costs no pass over the sales.
    """
    n_obs, n_par = problem.X.shape
    delta = problem.XtX_inv @ (problem.Xty - problem.cells.reshape(-1, n_par).T @ a_hat.ravel())
    rss = problem.rss(delta, a_hat)
    expected_rss = rss + np.sum(problem.counts * a_var)
    if fitted:
        return delta, float(expected_rss / (n_obs - n_par)), problem.X.matvec(delta)
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
    n_obs, n_par = problem.X.shape
    delta = within_start(problem) if settings.init == "within" else problem.XtX_inv @ problem.Xty
    sigma2 = problem.rss(delta) / (n_obs - n_par)
    # the first E-step starts from each cell's mean least-squares residual
    a = np.divide(problem.residual_sums(delta), problem.counts, out=np.zeros(problem.shape),
                  where=problem.counts > 0)
    se_prev = np.sqrt(np.diag(problem.XtX_inv) * sigma2)
    trace, draws, stable, stop = [], [], 0, "max_iter"
    bar = _bar(settings, progress)
    expand = settings.expand and has_intercept(problem)
    for it in range(1, settings.max_iter + 1):
        a_hat, a_var, tau2, a = e_step(problem, delta, sigma2, a, settings, rng)
        if expand:  # the intercept takes the abilities' common level (the M-step below absorbs the shift)
            a_hat, a, _ = recentre(a_hat, a, problem.lengths)
        draws.append(tau2)
        delta_new, sigma2 = m_step(problem, a_hat, a_var)
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
