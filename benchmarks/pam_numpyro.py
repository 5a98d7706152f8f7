r"""The popularity-ability model in NumPyro, for a NUTS reference fit (optional: ``pip install -e '.[bench]'``).

The likelihood and the priors are those of :mod:`artstudy.models.pam` (``model.py``, ``samplers.py``, ``ars.py``):

.. math::

    y_k = x_k'\beta + \gamma u_k + a_{i(k), j(k)} + \epsilon_k, \qquad \epsilon_k \sim N(0, \sigma^2),

    a_{i,0} \sim N(0, \tau^2), \qquad a_{i,j} - a_{i,j-1} \sim N(0, \sigma_a^2) \ (j = 1, \dots, L_i - 1),
    \qquad \tau^2 \sim \mathrm{Exponential}(\text{mean } \lambda),

with :math:`\sigma_a` (0.1) and :math:`\lambda` (4) fixed as in :class:`artstudy.models.pam.settings.EMSettings`.
Our Monte Carlo EM maximises over :math:`\delta = (\beta, \gamma)` and :math:`\sigma^2` (the M-step) and draws
:math:`\tau^2` and the abilities (the E-step); NUTS needs a prior on what EM maximises, and gets flat (improper
uniform) ones: on :math:`\delta` over the real line and on :math:`\sigma^2` over the positive half-line, so that
the posterior's mode in :math:`(\delta, \sigma^2)` is the likelihood's maximum.

Parametrisation (it changes how NUTS moves, not the posterior: every change of coordinates below is linear with a
constant Jacobian, and the flat priors stay flat):

* the coefficients through :math:`\theta = R^* \delta`, with :math:`X = Q^* R^*` the thin QR decomposition scaled so
  that :math:`Q^{*\prime} Q^* = (N - 1) I`; the design's first column is the intercept, so :math:`Q^*`'s first
  column is a constant :math:`c_0`;
* the first abilities :math:`a_{\cdot,0}` in the orthonormal coordinates ``a0_mean`` :math:`= \sqrt{I}\,\bar a_0` and
  ``a0_contrast`` :math:`= H' a_{\cdot,0}` (:math:`H` an orthonormal basis of the vectors summing to zero), both
  :math:`N(0, \tau^2)` as the abilities are;
* ``level`` :math:`= c_0 \theta_0 + \bar a_0` instead of :math:`\theta_0`: adding a constant to every ability and
  taking it from the intercept leaves every price unchanged, so the data fix ``level`` sharply and leave
  ``a0_mean`` to its prior, a ridge that NUTS crosses slowly in the intercept's coordinates;
* every later ability through its ``step`` from the previous window, :math:`N(0, \sigma_a^2)`.

:func:`sites` maps a point :math:`(\delta, \sigma^2, \tau^2, a)` to these sites (and
:func:`coefficients_and_first_abilities` back), so :func:`log_joint` is the model's log density at that point.
NUTS (:func:`run_nuts`) starts at plain least squares with its diagonal mass matrix at rough posterior variances
(:func:`_inverse_mass`), adapted in warm-up.

    python benchmarks/pam_numpyro.py MARKET.parquet --out DIR --covariates log_area ... --year-effects \
        [--warmup 500] [--samples 500] [--seed 1]

reads a sales table as ``artstudy pam-fit`` does (the same preparation and settings: the repository's config),
runs one NUTS chain and writes ``coefficients.csv`` (term, mean, sd), ``ability.csv`` (artist, window, mean, sd)
and ``summary.json`` (sigma2, tau2, timings, sampler diagnostics) into DIR.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["NutsInputs", "inputs", "model", "sites", "coefficients_and_first_abilities", "log_joint", "run_nuts",
           "posterior_tables", "main"]


@dataclass
class NutsInputs:
    """The arrays the NumPyro model reads (see :func:`inputs`)."""

    Xq: np.ndarray  # (N, p) Q* of X = Q* R*; its first column is the constant c0 (X's first column, the intercept)
    r_scaled: np.ndarray  # (p, p) R*
    basis: np.ndarray  # (I, I - 1) orthonormal basis of the first abilities' sum-zero subspace
    y: np.ndarray
    artist: np.ndarray
    window: np.ndarray
    lengths: np.ndarray
    step_rows: np.ndarray  # artist of each step (a window after the artist's first)
    step_cols: np.ndarray  # its window
    lam: float
    sigma_a: float

    @property
    def shape(self) -> tuple[int, int]:
        """(artists, widest artist's windows)."""
        return int(self.lengths.size), int(self.lengths.max())


def inputs(X, y, artist, window, lengths, lam: float = 4.0, sigma_a: float = 0.1) -> NutsInputs:
    """The model's arrays from the arrays :class:`artstudy.models.pam.model.PopularityAbilityModel` fits.

    Parameters
    ----------
    X : ndarray of shape (N, p)
        The design with the popularity column, full column rank.
    y : ndarray of shape (N,)
        Log prices.
    artist, window : ndarray of int, shape (N,)
        Artist index and window relative to the artist's first (0..lengths[artist]-1).
    lengths : ndarray of int, shape (I,)
        Windows of each artist.
    lam, sigma_a : float
        Prior mean of tau^2 and the random walk's step sd (fixed, as in the EM).
    """
    X = np.asarray(X, dtype=float)
    if X.shape[0] == 0 or np.ptp(X[:, 0]) != 0 or X[0, 0] == 0:
        raise ValueError("the design's first column must be the intercept (a nonzero constant)")
    lengths = np.asarray(lengths, dtype=np.int64)
    window = np.asarray(window, dtype=np.int64)
    artist = np.asarray(artist, dtype=np.int64)
    if np.any(window < 0) or np.any(window >= lengths[artist]):
        raise ValueError("window index outside the artist's windows")
    q, r = np.linalg.qr(X, mode="reduced")
    scale = np.sqrt(max(X.shape[0] - 1, 1))
    width = int(lengths.max())
    rows, cols = np.nonzero((np.arange(width)[None, :] < lengths[:, None]) & (np.arange(width)[None, :] > 0))
    n_art = lengths.size
    basis = np.linalg.qr(np.column_stack([np.ones(n_art), np.eye(n_art)[:, :-1]]), mode="reduced")[0][:, 1:]
    return NutsInputs(Xq=q * scale, r_scaled=r / scale, basis=basis, y=np.asarray(y, dtype=float), artist=artist,
                      window=window,
                      lengths=lengths, step_rows=rows, step_cols=cols, lam=float(lam), sigma_a=float(sigma_a))


def _abilities(jnp, a0, step, inp: NutsInputs):
    """The (I, W) ability paths from the first abilities and the steps (0 past each artist's last window)."""
    n_art, width = inp.shape
    steps = jnp.zeros((n_art, width)).at[inp.step_rows, inp.step_cols].set(step)
    active = np.arange(width)[None, :] < inp.lengths[:, None]
    return jnp.where(active, a0[:, None] + jnp.cumsum(steps, axis=1), 0.0)


def model(inp: NutsInputs):
    """The NumPyro model (its sample sites are those of :func:`sites`, and the observed y; see the module)."""
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist
    from numpyro.distributions import constraints

    n_art, _ = inp.shape
    n_par = inp.Xq.shape[1]
    theta_rest = numpyro.sample("theta_rest", dist.ImproperUniform(constraints.real, (), (n_par - 1,)))
    level = numpyro.sample("level", dist.ImproperUniform(constraints.real, (), ()))
    sigma2 = numpyro.sample("sigma2", dist.ImproperUniform(constraints.positive, (), ()))
    tau2 = numpyro.sample("tau2", dist.Exponential(1.0 / inp.lam))
    # the first abilities a0 ~ N(0, tau2) independently, in the orthonormal coordinates [1 / sqrt(I), basis]
    numpyro.sample("a0_mean", dist.Normal(0.0, jnp.sqrt(tau2)))
    contrast = numpyro.sample("a0_contrast", dist.Normal(0.0, jnp.sqrt(tau2)).expand([n_art - 1]).to_event(1))
    step = numpyro.sample("step", dist.Normal(0.0, inp.sigma_a).expand([inp.step_rows.size]).to_event(1))
    relative = _abilities(jnp, jnp.asarray(inp.basis) @ contrast, step, inp)  # the abilities less their mean a0
    mean = jnp.asarray(inp.Xq[:, 1:]) @ theta_rest + level + relative[inp.artist, inp.window]
    numpyro.sample("y", dist.Normal(mean, jnp.sqrt(sigma2)), obs=jnp.asarray(inp.y))


def sites(inp: NutsInputs, delta, sigma2: float, tau2: float, a) -> dict:
    """The model's sample sites at coefficients ``delta``, ``sigma2``, ``tau2`` and abilities ``a`` (I, W).

    theta = R* delta; a0_mean = sqrt(I) mean(a0) and a0_contrast = basis' a0 (an orthonormal change of
    coordinates of the first abilities); level = c0 theta[0] + mean(a0), the constant part of every mean
    (c0 is Q*'s constant first column), which the data pin down; step = a[:, j] - a[:, j - 1].
    """
    a = np.asarray(a, dtype=float)
    theta = inp.r_scaled @ np.asarray(delta, dtype=float)
    a0 = a[:, 0]
    prev = a[inp.step_rows, inp.step_cols - 1]
    return {"theta_rest": theta[1:], "level": float(inp.Xq[0, 0] * theta[0] + a0.mean()), "sigma2": float(sigma2),
            "tau2": float(tau2), "a0_mean": float(a0.sum() / np.sqrt(a0.size)), "a0_contrast": inp.basis.T @ a0,
            "step": a[inp.step_rows, inp.step_cols] - prev}


def coefficients_and_first_abilities(inp: NutsInputs, draws: dict):
    """(delta (S, p), a0 (S, I)) from draws of the sites (the inverse of :func:`sites`)."""
    n_art = inp.basis.shape[0]
    a0_mean = np.asarray(draws["a0_mean"], dtype=float) / np.sqrt(n_art)
    theta0 = (np.asarray(draws["level"], dtype=float) - a0_mean) / inp.Xq[0, 0]
    theta = np.column_stack([theta0, np.asarray(draws["theta_rest"], dtype=float)])
    a0 = a0_mean[:, None] + np.asarray(draws["a0_contrast"], dtype=float) @ inp.basis.T
    return np.linalg.solve(inp.r_scaled, theta.T).T, a0


def log_joint(inp: NutsInputs, delta, sigma2: float, tau2: float, a) -> float:
    """The NumPyro model's log density (flat priors count 0) at a point, in 64-bit arithmetic."""
    import jax
    from numpyro.infer.util import log_density

    with jax.enable_x64(True):
        value, _ = log_density(functools.partial(model, inp), (), {}, sites(inp, delta, sigma2, tau2, a))
        return float(value)


def _init_values(inp: NutsInputs) -> dict:
    """NUTS's start: plain least squares for the coefficients and sigma^2, abilities 0, tau^2 its prior mean."""
    delta = np.linalg.solve(inp.r_scaled, inp.Xq.T @ inp.y / (inp.Xq.shape[0] - 1))  # Q*'Q* = (N - 1) I
    resid = inp.y - inp.Xq @ (inp.r_scaled @ delta)
    start = sites(inp, delta, float(resid @ resid / (resid.size - delta.size)), inp.lam, np.zeros(inp.shape))
    return start


def _inverse_mass(inp: NutsInputs, start: dict) -> dict:
    """A diagonal inverse mass matrix of rough posterior variances, by site, in NUTS's unconstrained space.

    Least squares gives the coefficients' (sigma^2 / (N - 1) on the QR scale), the constant's (sigma^2 / N) and
    log sigma^2's (2 / N); log tau^2 has about 2 / I; the mean first ability is the prior's alone (lambda); each
    contrast and step gets the random walk's step variance. Identity (NumPyro's default) would start the step
    size at the coefficients' scale, about 0.005, where the mean first ability (sd about 2) hardly moves and
    warm-up learns its variance far too small.
    """
    n_obs = inp.y.size
    n_art, _ = inp.shape
    sigma2 = start["sigma2"]
    diag = {"theta_rest": np.full(inp.Xq.shape[1] - 1, sigma2 / (n_obs - 1)), "level": np.array([sigma2 / n_obs]),
            "sigma2": np.array([2.0 / n_obs]), "tau2": np.array([2.0 / n_art]), "a0_mean": np.array([inp.lam]),
            "a0_contrast": np.full(n_art - 1, inp.sigma_a**2), "step": np.full(inp.step_rows.size, inp.sigma_a**2)}
    return {(k,): v for k, v in diag.items()}


def run_nuts(inp: NutsInputs, warmup: int = 500, samples: int = 500, seed: int = 1):
    """One NUTS chain of ``warmup`` + ``samples`` iterations from :func:`_init_values`, with its diagonal mass matrix
    started at :func:`_inverse_mass` and adapted in warm-up; returns the fitted MCMC."""
    import jax
    from numpyro.infer import MCMC, NUTS, init_to_value

    start = _init_values(inp)
    kernel = NUTS(functools.partial(model, inp), init_strategy=init_to_value(values=start),
                  inverse_mass_matrix=_inverse_mass(inp, start), dense_mass=[])
    mcmc = MCMC(kernel, num_warmup=warmup, num_samples=samples, num_chains=1, progress_bar=False)
    mcmc.run(jax.random.PRNGKey(seed), extra_fields=("num_steps", "diverging"))
    jax.block_until_ready(mcmc.get_samples())  # the draws are computed asynchronously: wait for them
    return mcmc


def _ess(draws: np.ndarray) -> np.ndarray:
    """Bulk ESS (arviz) of each column of ``draws`` (S, K), one chain."""
    import arviz as az

    return np.atleast_1d(az.ess(az.convert_to_dataset({"x": draws[None]}), method="bulk")["x"].to_numpy())


def posterior_tables(mcmc, inp: NutsInputs, names, artists, first_window):
    """(coefficients: term, mean, sd; ability: artist, window (absolute), mean, sd; facts) of a NUTS run."""
    import pandas as pd

    draws = {k: np.asarray(v, dtype=float) for k, v in mcmc.get_samples().items()}
    delta, a0 = coefficients_and_first_abilities(inp, draws)
    n_art, width = inp.shape
    a = np.zeros((len(delta), n_art, width))
    a[:, :, 0] = a0
    a[:, inp.step_rows, inp.step_cols] = draws["step"]
    a = np.cumsum(a, axis=2)
    i, j = np.nonzero(np.arange(width)[None, :] < inp.lengths[:, None])
    cells = a[:, i, j]
    coef = pd.DataFrame({"term": list(names), "mean": delta.mean(0), "sd": delta.std(0, ddof=1)})
    ability = pd.DataFrame({"artist": np.asarray(artists)[i], "window": np.asarray(first_window)[i] + j,
                            "mean": cells.mean(0), "sd": cells.std(0, ddof=1)})
    extra = mcmc.get_extra_fields()
    ess_cells = _ess(cells)
    facts = {"sigma2_mean": float(draws["sigma2"].mean()), "sigma2_sd": float(draws["sigma2"].std(ddof=1)),
             "tau2_mean": float(draws["tau2"].mean()), "tau2_sd": float(draws["tau2"].std(ddof=1)),
             "divergences": int(np.sum(extra["diverging"])),
             "mean_leapfrog_steps": float(np.mean(extra["num_steps"])),
             "ess_gamma": float(_ess(delta[:, -1:])[0]), "ess_tau2": float(_ess(draws["tau2"][:, None])[0]),
             "ess_ability_median": float(np.median(ess_cells)), "ess_ability_min": float(np.min(ess_cells))}
    return coef, ability, facts


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sales", type=Path, help="sales table (CSV or Parquet), as for artstudy pam-fit")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--covariates", nargs="*", default=[], metavar="COL")
    parser.add_argument("--year-effects", action="store_true")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Prepare the table as ``artstudy pam-fit`` does, run NUTS and write its posterior summaries."""
    t_start = time.perf_counter()
    args = _arguments(argv)
    import numpyro

    numpyro.enable_x64()
    from artstudy.data.validation import read_table
    from artstudy.models.pam.data import prepare
    from artstudy.settings import read_config

    settings = read_config().model  # the repository's config, as artstudy pam-fit reads it
    data = prepare(read_table(args.sales), list(args.covariates), args.year_effects, settings, source=str(args.sales))
    inp = inputs(data.X, data.y, data.artist, data.window, data.lengths, settings.lam, settings.sigma_a)
    t_sample = time.perf_counter()
    mcmc = run_nuts(inp, args.warmup, args.samples, args.seed)
    sampling = time.perf_counter() - t_sample
    coef, ability, facts = posterior_tables(mcmc, inp, data.names, data.artists, data.first_window)
    args.out.mkdir(parents=True, exist_ok=True)
    coef.to_csv(args.out / "coefficients.csv", index=False)
    ability.to_csv(args.out / "ability.csv", index=False)
    facts.update({"n_sales": int(data.y.size), "n_artists": int(data.lengths.size), "n_coefficients": len(data.names),
                  "warmup": args.warmup, "samples": args.samples, "chains": 1, "seed": args.seed,
                  "numpyro": numpyro.__version__, "sampling_seconds": sampling,
                  "seconds_in_process": time.perf_counter() - t_start})
    (args.out / "summary.json").write_text(json.dumps(facts, indent=2) + "\n")
    print(json.dumps(facts, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
