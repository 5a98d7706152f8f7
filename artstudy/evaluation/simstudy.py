"""The Monte Carlo simulation study: one replication, its detail, gathering and summaries.

Each replication draws a market from :func:`artstudy.synth.market.simulate_market` (the config's
``simulation`` size and ``truth``), fits it with :func:`artstudy.models.pam.fit_pam` (the config's
``model`` settings, with the market's work windows) and records, in a long table, every estimate
next to its truth with both kinds of standard error, plus the recovery of the abilities and the
fit's facts (iterations, stop rule, Monte Carlo error). Replication ``r`` under config seed ``s``
uses the random streams spawned from ``numpy.random.SeedSequence([s, r])``, so replications are
independent, reproducible and can run in any order or in parallel.

``config`` is everywhere a :class:`artstudy.settings.StudyConfig` or a mapping validated into one.

Wall times are kept apart from the results, so that two runs write the same results byte for byte:
the replications' tables hold none, and the detail's wall times are its ``timing`` table
(:func:`replication_detail`; :func:`read_detail` joins them back for the report).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..models.pam.fit import fit_pam
from ..synth.market import simulate_market

__all__ = ["replication_streams", "simulate_replication", "fit_replication", "run_replication", "ability_recovery",
           "summarise_replications", "sampler_comparison", "replication_detail", "read_detail", "Z95", "OLS_ITERATIONS",
           "TIMING_COLUMNS"]

Z95 = float(stats.norm.ppf(0.975))

#: Iterations of the detail's fit from the paper's least-squares start.
OLS_ITERATIONS = 40

#: The sampler comparison's columns measured in wall time (the detail's ``timing`` table holds them).
TIMING_COLUMNS = ("seconds", "draws_per_second", "median_ess_per_second")


def _resolve(config):
    from ..settings import resolve

    return resolve(config, source="simulation config")


def replication_streams(seed: int, rep: int):
    """The (simulation, fit) random generators of replication ``rep``."""
    sim_seq, fit_seq = np.random.SeedSequence([int(seed), int(rep)]).spawn(2)
    return np.random.default_rng(sim_seq), np.random.default_rng(fit_seq)


def simulate_replication(config, rep: int):
    """The market of replication ``rep`` (same draw as :func:`run_replication` uses)."""
    config = _resolve(config)
    sim_rng, _ = replication_streams(config.seed, rep)
    return simulate_market(config.simulation.market(), config.truth, rng=sim_rng)


def fit_replication(config, rep: int, sampler=None, progress=False, **update):
    """Simulate replication ``rep`` and fit it; returns ``(simulated, results)``.

    ``update`` overrides model settings (e.g. ``init="ols"``); ``sampler`` likewise.
    """
    config = _resolve(config)
    sim = simulate_replication(config, rep)
    _, fit_rng = replication_streams(config.seed, rep)
    if sampler is not None:
        update["sampler"] = sampler
    settings = config.model.model_copy(update={"window_start": sim.spec.window_start,
                                               "window_width": sim.spec.window_width, **update})
    settings = type(settings).model_validate(settings.model_dump())
    res = fit_pam(sim.sales, covariates=sim.covariates, year_effects=True, settings=settings, random_state=fit_rng,
                  progress=progress, source=f"simulated replication {rep}")
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


def run_replication(config, rep: int, sampler=None) -> pd.DataFrame:
    """Run one replication and return its long results table.

    Columns: rep, sampler, parameter, kind, truth, estimate, std_error, std_error_marginal,
    mc_error. ``kind`` is ``coef`` (regression coefficients, gamma as ``popularity``),
    ``variance`` (sigma2, tau2: tau2's truth is the value the abilities were drawn with),
    ``ability`` (rmse, centred rmse, band coverage) or ``fit`` (iterations, converged). No wall
    time: the same config and replication give the same table, byte for byte once written.
    """
    config = _resolve(config)
    sim, res = fit_replication(config, rep, sampler)
    coef = res.coefficients.set_index("term")
    truth = sim.coefficients.reindex(coef.index)
    rows = pd.DataFrame({"parameter": coef.index, "kind": "coef", "truth": truth.to_numpy(),
                         "estimate": coef["estimate"].to_numpy(), "std_error": coef["std_error"].to_numpy(),
                         "std_error_marginal": coef["std_error_marginal"].to_numpy(),
                         "mc_error": coef["mc_error"].to_numpy()})
    rec = ability_recovery(sim, res)
    f = res.facts
    extra = [
        ("sigma2", "variance", config.truth.sigma2, f["sigma2"], f["mc_error_sigma2"]),
        ("tau2", "variance", config.truth.tau2, f["tau2"], f["mc_error_tau2"]),
        ("ability_rmse", "ability", 0.0, float(np.sqrt(np.mean((rec["mean"] - rec["truth"]) ** 2))), np.nan),
        ("ability_rmse_centred", "ability", 0.0, float(np.sqrt(np.mean(rec["centred_error"] ** 2))), np.nan),
        ("ability_coverage", "ability", 0.95, float(rec["covered"].mean()), np.nan),
        ("ability_coverage_centred", "ability", 0.95, float(rec["centred_covered"].mean()), np.nan),
        ("n_iterations", "fit", np.nan, float(f["n_iterations"]), np.nan),
        ("converged", "fit", np.nan, float(f["converged"]), np.nan),
    ]
    rows = pd.concat([rows, pd.DataFrame(extra, columns=["parameter", "kind", "truth", "estimate", "mc_error"])],
                     ignore_index=True)
    rows.insert(0, "sampler", f["sampler"])
    rows.insert(0, "rep", int(rep))
    return rows


def replication_detail(config, rep: int = 1) -> dict:
    """One replication in detail, as tables (the report's ``sim-detail`` job).

    Keys: ``summary`` (one row: the fit's facts and the true gamma, sigma2, tau2), ``funnel``,
    ``coefficients`` (with a ``truth`` column), ``trace_within`` and ``trace_ols`` (one row per EM
    iteration, column ``iteration``: the fit from the within start, and :data:`OLS_ITERATIONS`
    iterations from the paper's least-squares start), ``ability_recovery``
    (:func:`ability_recovery`), ``sampler_comparison`` (:func:`sampler_comparison` without its
    wall-time columns :data:`TIMING_COLUMNS`) and ``timing``: the wall times, one row per ``part``
    (``fit``: the summary's fit, its ``seconds``; ``sampler_comparison``: each sampler's
    :data:`TIMING_COLUMNS`), columns ``part, sampler`` and :data:`TIMING_COLUMNS`. Every table
    but ``timing`` is the same for the same config and replication.
    """
    config = _resolve(config)
    sim, res = fit_replication(config, rep)
    n_ols = min(OLS_ITERATIONS, config.model.max_iter)
    _, ols = fit_replication(config, rep, init="ols", min_iter=n_ols, max_iter=n_ols)
    facts = res.summary_dict()
    seconds = facts.pop("seconds", np.nan)
    summary = pd.DataFrame([{"rep": int(rep), **facts, "true_gamma": config.truth.gamma,
                             "true_sigma2": config.truth.sigma2, "true_tau2": config.truth.tau2}])
    coef = res.coefficients.assign(truth=sim.coefficients.reindex(res.coefficients["term"]).to_numpy())
    comparison = sampler_comparison(sim, res, seed=config.seed)
    timing = pd.concat([pd.DataFrame({"part": ["fit"], "sampler": [facts.get("sampler")], "seconds": [seconds]}),
                        comparison[["sampler", *TIMING_COLUMNS]].assign(part="sampler_comparison")],
                       ignore_index=True)[["part", "sampler", *TIMING_COLUMNS]]
    return {"summary": summary, "funnel": res.funnel, "coefficients": coef,
            "trace_within": res.trace.reset_index(), "trace_ols": ols.trace.reset_index(),
            "ability_recovery": ability_recovery(sim, res),
            "sampler_comparison": comparison.drop(columns=list(TIMING_COLUMNS)), "timing": timing}


def read_detail(folder) -> dict:
    """The detail's tables (one CSV each in ``folder``, as ``sim-detail`` writes them) by name, with the wall
    times of ``timing.csv`` joined back: the summary's ``seconds`` and the sampler comparison's
    :data:`TIMING_COLUMNS` (NaN where ``timing.csv`` is absent)."""
    from ..errors import InputError

    folder = Path(folder)
    tables = {p.stem: pd.read_csv(p) for p in sorted(folder.glob("*.csv"))}
    for name in ("summary", "sampler_comparison"):
        if name not in tables:
            raise InputError(f"simulation detail {folder}: no {name}.csv")
    timing = tables.pop("timing", pd.DataFrame(columns=["part", "sampler", *TIMING_COLUMNS]))
    fit = timing.loc[timing["part"] == "fit", "seconds"]
    tables["summary"]["seconds"] = float(fit.iloc[0]) if len(fit) else np.nan
    samplers = timing.loc[timing["part"] == "sampler_comparison", ["sampler", *TIMING_COLUMNS]]
    tables["sampler_comparison"] = tables["sampler_comparison"].merge(samplers.astype({"sampler": object}),
                                                                      on="sampler", how="left")
    return tables


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

    d, m = res.data, res.model  # a fresh fit (not a loaded one) holds both
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
