"""The Monte Carlo simulation study: one replication, gathering, and summaries.

Each replication draws a market from :func:`artstudy.simulate.simulate_market`,
fits it with :func:`artstudy.pam.fit_pam` and records, in a long table, every
estimate next to its truth with both kinds of standard error, plus the recovery of
the abilities. Replication ``r`` under config seed ``s`` uses the random streams
spawned from ``numpy.random.SeedSequence([s, r])``, so replications are
independent, reproducible and can run in any order or in parallel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..models.pam.fit import MODEL_KEYS, PREP_KEYS, fit_pam
from ..synth.market import SimulationSpec, simulate_market

__all__ = ["replication_streams", "simulate_replication", "fit_replication", "run_replication", "ability_recovery",
           "summarise_replications", "sampler_comparison", "Z95"]

Z95 = float(stats.norm.ppf(0.975))


def replication_streams(seed: int, rep: int):
    """The (simulation, fit) random generators of replication ``rep``."""
    sim_seq, fit_seq = np.random.SeedSequence([int(seed), int(rep)]).spawn(2)
    return np.random.default_rng(sim_seq), np.random.default_rng(fit_seq)


def simulate_replication(params: dict, rep: int):
    """The market of replication ``rep`` (same draw as :func:`run_replication` uses)."""
    sim_rng, _ = replication_streams(params["seed"], rep)
    spec = SimulationSpec.from_config(params.get("simulation", {}))
    return simulate_market(spec, sim_rng)


def _model_settings(params: dict, sampler=None) -> dict:
    model = dict(params.get("model", {}))
    if sampler is not None:
        model["sampler"] = sampler
    return {k: v for k, v in model.items() if k in MODEL_KEYS + PREP_KEYS}


def fit_replication(params: dict, rep: int, sampler=None, progress=False):
    """Simulate replication ``rep`` and fit it; returns ``(simulated, results)``."""
    sim = simulate_replication(params, rep)
    _, fit_rng = replication_streams(params["seed"], rep)
    settings = _model_settings(params, sampler)
    settings["window_start"] = sim.spec.window_start
    settings["window_width"] = sim.spec.window_width
    res = fit_pam(sim.sales, covariates=sim.covariates, year_effects=True, random_state=fit_rng,
                  progress=progress, source=f"simulated replication {rep}", **settings)
    return sim, res


def ability_recovery(sim, res) -> pd.DataFrame:
    """True against estimated ability per artist and window, with 95% bands.

    Columns: artist, window, window_start, truth, mean, sd, lower, upper, covered,
    and ``centred_*``: the same after removing the common level (the mean over all
    cells of estimate minus truth), which the data cannot tell from the intercept.
    """
    est = res.ability.merge(sim.ability[["artist", "window", "value"]], on=["artist", "window"])
    est = est.rename(columns={"value": "truth"})
    est["lower"] = est["mean"] - Z95 * est["sd"]
    est["upper"] = est["mean"] + Z95 * est["sd"]
    est["covered"] = (est["truth"] >= est["lower"]) & (est["truth"] <= est["upper"])
    shift = float((est["mean"] - est["truth"]).mean())
    est["centred_error"] = est["mean"] - shift - est["truth"]
    est["centred_covered"] = np.abs(est["centred_error"]) <= Z95 * est["sd"]
    return est


def run_replication(params: dict, rep: int, sampler=None) -> pd.DataFrame:
    """Run one replication and return its long results table.

    Columns: rep, sampler, parameter, kind, truth, estimate, std_error,
    std_error_marginal. ``kind`` is ``coef`` (regression coefficients, gamma as
    ``popularity``), ``variance`` (sigma2, tau2: tau2's truth is the value the
    abilities were drawn with), ``ability`` (rmse, centred rmse, band coverage) or
    ``fit`` (iterations, converged, seconds).
    """
    sim, res = fit_replication(params, rep, sampler)
    coef = res.coefficients.set_index("term")
    truth = sim.coefficients.reindex(coef.index)
    rows = pd.DataFrame({"parameter": coef.index, "kind": "coef", "truth": truth.to_numpy(),
                         "estimate": coef["estimate"].to_numpy(), "std_error": coef["std_error"].to_numpy(),
                         "std_error_marginal": coef["std_error_marginal"].to_numpy()})
    rec = ability_recovery(sim, res)
    m = res.model
    extra = [
        ("sigma2", "variance", sim.spec.sigma2, m.sigma2_),
        ("tau2", "variance", sim.spec.tau2, m.tau2_),
        ("ability_rmse", "ability", 0.0, float(np.sqrt(np.mean((rec["mean"] - rec["truth"]) ** 2)))),
        ("ability_rmse_centred", "ability", 0.0, float(np.sqrt(np.mean(rec["centred_error"] ** 2)))),
        ("ability_coverage", "ability", 0.95, float(rec["covered"].mean())),
        ("ability_coverage_centred", "ability", 0.95, float(rec["centred_covered"].mean())),
        ("n_iterations", "fit", np.nan, float(m.n_iter_)),
        ("converged", "fit", np.nan, float(m.converged_)),
        ("seconds", "fit", np.nan, float(m.fit_seconds_)),
    ]
    rows = pd.concat([rows, pd.DataFrame(extra, columns=["parameter", "kind", "truth", "estimate"])],
                     ignore_index=True)
    rows.insert(0, "sampler", m.sampler)
    rows.insert(0, "rep", int(rep))
    return rows


def summarise_replications(reps: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: truth, mean estimate, bias, RMSE, empirical sd, mean standard errors and
    the coverage of 95% intervals from each kind of standard error (``coef`` and ``variance`` rows)."""
    df = reps[reps["kind"].isin(["coef", "variance"])].copy()
    df["error"] = df["estimate"] - df["truth"]
    df["covered"] = np.abs(df["error"]) <= Z95 * df["std_error"]
    df["covered_marginal"] = np.abs(df["error"]) <= Z95 * df["std_error_marginal"]
    has_se = df["std_error"].notna()
    g = df.groupby(["sampler", "parameter"], sort=False)
    out = pd.DataFrame({
        "kind": g["kind"].first(),
        "n_reps": g.size(),
        "truth": g["truth"].first(),
        "mean_estimate": g["estimate"].mean(),
        "bias": g["error"].mean(),
        "rmse": g["error"].apply(lambda e: float(np.sqrt(np.mean(e**2)))),
        "empirical_sd": g["estimate"].std(ddof=1),
        "mean_std_error": g["std_error"].mean(),
        "mean_std_error_marginal": g["std_error_marginal"].mean(),
        "coverage": df[has_se].groupby(["sampler", "parameter"], sort=False)["covered"].mean(),
        "coverage_marginal": df[has_se].groupby(["sampler", "parameter"], sort=False)["covered_marginal"].mean(),
    })
    return out.reset_index()


def sampler_comparison(sim, res, n_draws=500, seed=0) -> pd.DataFrame:
    """Effective sample size per second of each ability sampler at the fitted parameters.

    Runs ``n_draws`` Gibbs sweeps (tau^2, then abilities) with each sampler from the
    same start, holding theta at the fit, and measures with arviz the bulk ESS of every
    artist-window ability and of tau^2. Returns one row per sampler: seconds,
    draws per second, median and minimum ability ESS, tau2 ESS, and median ability ESS
    per second.
    """
    import time

    import arviz as az

    d, m = res.data, res.model
    width = int(d.lengths.max())
    active = (np.arange(width)[None, :] < d.lengths[:, None]).ravel()
    rows = []
    for k, sampler in enumerate(("ffbs", "single-site")):
        draws = np.empty((n_draws, int(active.sum())))
        tau2 = np.empty(n_draws)
        t0 = time.perf_counter()
        chain = m.gibbs_chain(d.X, d.y, d.artist, d.window, n_draws, sampler=sampler, rng=[seed, k])
        for g, (t2, a) in enumerate(chain):
            draws[g] = a.ravel()[active]
            tau2[g] = t2
        seconds = time.perf_counter() - t0
        ess = az.ess(az.convert_to_dataset({"a": draws[None, :, :]}), method="bulk")["a"].to_numpy()
        ess_tau2 = float(az.ess(az.convert_to_dataset({"tau2": tau2[None, :]}), method="bulk")["tau2"])
        rows.append({"sampler": sampler, "draws": n_draws, "seconds": seconds, "draws_per_second": n_draws / seconds,
                     "median_ess": float(np.median(ess)), "min_ess": float(np.min(ess)), "tau2_ess": ess_tau2,
                     "median_ess_per_second": float(np.median(ess)) / seconds})
    return pd.DataFrame(rows)
