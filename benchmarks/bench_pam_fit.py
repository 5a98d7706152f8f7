"""Benchmark: a full popularity-ability fit at the paper's scale.

40,000 sales, 150 artists, G = 110 Gibbs sweeps per E-step (10 discarded), default
convergence rule, on the simulated market of replication 1 of the default config.
Times each sampler over a few repeats and prints a markdown table for the README.

    python benchmarks/bench_pam_fit.py [--repeats 3] [--record]

``--record`` writes the table to ``benchmarks/results/pam_fit.md`` (see ``benchmarks/record.py``).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from artstudy.models.pam.data import prepare
from artstudy.models.pam.model import PopularityAbilityModel
from artstudy.synth.market import simulate_market
from artstudy.synth.specs import SimulationSpec


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20241123)
    parser.add_argument("--record", action="store_true", help="write benchmarks/results/pam_fit.md")
    args = parser.parse_args()
    sim = simulate_market(SimulationSpec(), rng=np.random.default_rng(args.seed))
    data = prepare(sim.sales, sim.covariates, year_effects=True)
    print(f"{data.y.size} sales, {data.lengths.size} artists, {data.X.shape[1]} coefficients; "
          f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}")
    lines = ["| sampler | median seconds per fit | EM iterations | seconds per iteration | stop rule |",
             "|---|---|---|---|---|"]
    for sampler in ("ffbs", "single-site"):
        times, iters, stops = [], [], set()
        for r in range(args.repeats):
            model = PopularityAbilityModel(sampler=sampler, random_state=r, progress=False)
            t0 = time.perf_counter()
            model.fit(data.X, data.y, data.artist, data.window, data.lengths, names=data.names)
            times.append(time.perf_counter() - t0)
            iters.append(model.n_iter_)
            stops.add(model.stop_reason_)
        med = float(np.median(times))
        lines.append(f"| {sampler} | {med:.2f} | {np.mean(iters):.1f} | {np.sum(times) / np.sum(iters):.3f} | "
                     f"{', '.join(sorted(stops))} |")
    print("\n".join(lines))
    if args.record:
        from record import record

        record("pam_fit", f"A popularity-ability fit at the paper's scale ({data.y.size:,} sales, "
               f"{data.lengths.size} artists, {data.X.shape[1]} coefficients, G = 110; median of {args.repeats} "
               "fits; target under 2 s for ffbs)", "\n".join(lines))


if __name__ == "__main__":
    main()
