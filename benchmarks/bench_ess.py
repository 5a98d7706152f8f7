"""Benchmark: effective samples per second of the two ability samplers, FFBS against single-site, at the paper's scale.

The market is bench_pam_fit.py's (the simulated market of the default seed: 40,000 sales, 150 artists). It is
fitted once by Monte Carlo EM (ffbs); then, at the fitted coefficients and sigma^2, each sampler runs ``--chains``
chains of ``--draws`` Gibbs sweeps of the E-step (``PopularityAbilityModel.gibbs_chain``: tau^2 by adaptive
rejection sampling given the first abilities, then every ability path, by forward filtering, backward sampling or
by the paper's single-site updates), each chain from the fitted ability means with its own random stream. arviz
gives the bulk ESS of every artist-window ability and of tau^2 over the chains; ESS per second divides by the
sweeps' wall time: the number of chains times the median chain's (the two samplers' chains alternate, so other work
on the machine slows both alike).

    python benchmarks/bench_ess.py [--draws 1000] [--chains 4] [--seed 20241123] [--record]

``--record`` writes ``benchmarks/results/ess.md`` and the tidy ``ess.csv`` (see ``benchmarks/record.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SAMPLERS = ("ffbs", "single-site")
#: What each quantity of the table is, in words.
QUANTITIES = {"ability_median": "ability (median over artist-windows)", "ability_min": "ability (worst artist-window)",
              "tau2": "tau²"}


def market(seed: int):
    """The prepared arrays of bench_pam_fit.py's market (the default simulation spec, drawn with ``seed``)."""
    from artstudy.models.pam.data import prepare
    from artstudy.synth.market import simulate_market
    from artstudy.synth.specs import SimulationSpec

    sim = simulate_market(SimulationSpec(), rng=np.random.default_rng(seed))
    return prepare(sim.sales, sim.covariates, year_effects=True)


def one_chain(model, data, sampler: str, chain: int, n_draws: int, seed: int):
    """(ability draws (draws, cells), tau^2 draws (draws,), wall seconds of the sweeps) of one chain of a sampler."""
    width = int(data.lengths.max())
    active = (np.arange(width)[None, :] < data.lengths[:, None]).ravel()
    a = np.empty((n_draws, int(active.sum())))
    tau2 = np.empty(n_draws)
    t0 = time.perf_counter()
    sweeps = model.gibbs_chain(data.X, data.y, data.artist, data.window, n_draws, sampler=sampler,
                               rng=[seed, SAMPLERS.index(sampler), chain])
    for g, (t2, draw) in enumerate(sweeps):
        a[g] = draw.ravel()[active]
        tau2[g] = t2
    return a, tau2, time.perf_counter() - t0


def all_chains(model, data, n_chains: int, n_draws: int, seed: int) -> dict:
    """Per sampler: (ability draws (chains, draws, cells), tau^2 draws (chains, draws), seconds).

    The samplers' chains alternate (one of each in turn), so that other work on the machine slows both alike, and
    the seconds are the chains' number times the median chain's wall time, which a burst of that work moves less.
    """
    out = {s: ([], [], []) for s in SAMPLERS}
    for c in range(n_chains):
        for sampler in SAMPLERS:
            for store, value in zip(out[sampler], one_chain(model, data, sampler, c, n_draws, seed)):
                store.append(value)
    return {s: (np.stack(a), np.stack(t), n_chains * float(np.median(sec))) for s, (a, t, sec) in out.items()}


def ess_rows(sampler: str, a: np.ndarray, tau2: np.ndarray, seconds: float) -> list[dict]:
    """One row per quantity: the bulk ESS (arviz) of the draws and the ESS per second of sweeping."""
    import arviz as az

    ess_a = az.ess(az.convert_to_dataset({"a": a}), method="bulk")["a"].to_numpy()
    ess_t = float(az.ess(az.convert_to_dataset({"tau2": tau2}), method="bulk")["tau2"])
    n_chains, n_draws = tau2.shape
    values = {"ability_median": float(np.median(ess_a)), "ability_min": float(np.min(ess_a)), "tau2": ess_t}
    return [{"sampler": sampler, "quantity": q, "chains": n_chains, "draws": n_draws, "seconds": seconds,
             "sweeps_per_second": n_chains * n_draws / seconds, "ess": v, "ess_per_second": v / seconds}
            for q, v in values.items()]


def table(rows: pd.DataFrame) -> str:
    """The markdown table of ``rows`` (one per sampler and quantity) with the FFBS / single-site ratio."""
    lines = ["| quantity | sampler | sweeps per second | ESS | ESS per second |", "|---|---|---|---|---|"]
    for q in QUANTITIES:
        for s in SAMPLERS:
            r = rows[(rows["quantity"] == q) & (rows["sampler"] == s)].iloc[0]
            lines.append(f"| {QUANTITIES[q]} | {s} | {r['sweeps_per_second']:.0f} | {r['ess']:.0f} | "
                         f"{r['ess_per_second']:.0f} |")
    wide = rows.pivot(index="quantity", columns="sampler", values="ess_per_second")
    ratios = ", ".join(f"{QUANTITIES[q]} {wide.loc[q, 'ffbs'] / wide.loc[q, 'single-site']:.1f}" for q in QUANTITIES)
    return "\n".join(lines + ["", f"ESS per second, FFBS over single-site: {ratios}."])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000, help="Gibbs sweeps per chain")
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20241123, help="the market's seed (bench_pam_fit.py's default)")
    parser.add_argument("--record", action="store_true", help="write benchmarks/results/ess.md and ess.csv")
    args = parser.parse_args(argv)
    from artstudy.models.pam.model import PopularityAbilityModel

    data = market(args.seed)
    model = PopularityAbilityModel(sampler="ffbs", random_state=1, progress=False)
    model.fit(data.X, data.y, data.artist, data.window, data.lengths, names=data.names)
    cells = int(data.lengths.sum())
    print(f"{data.y.size} sales, {data.lengths.size} artists, {cells} artist-windows; fitted in "
          f"{model.fit_seconds_:.2f} s ({model.n_iter_} EM iterations)", flush=True)
    rows = []
    for sampler, (a, tau2, seconds) in all_chains(model, data, args.chains, args.draws, args.seed).items():
        rows += ess_rows(sampler, a, tau2, seconds)
        print(f"  {sampler}: {args.chains} x {args.draws} sweeps, {seconds:.2f} s (chains x the median chain)", flush=True)
    rows = pd.DataFrame(rows)
    rows.insert(0, "sales", data.y.size)
    rows.insert(1, "artist_windows", cells)
    text = table(rows)
    print(text)
    if args.record:
        sys.path.insert(0, str(HERE))
        from record import record, record_csv

        record("ess", f"Effective samples per second of the ability samplers at the fitted parameters "
                      f"({data.y.size:,} sales, {cells:,} artist-windows; {args.chains} chains of {args.draws} "
                      "Gibbs sweeps each, arviz bulk ESS)", text)
        record_csv("ess", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
