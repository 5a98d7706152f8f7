"""Benchmark: our Monte Carlo EM against NUTS (NumPyro) on the same model and the same market, in one run.

The market is bench_pam_fit.py's (the default simulation spec drawn with ``--seed``: 40,000 sales by 150 artists,
the paper's covariates and year effects), written once as Parquet. Then, each as a whole process timed from start
to exit (``/usr/bin/time -v`` when present, which also gives the peak memory):

* ``artstudy pam-fit MARKET --covariates ... --year-effects --sampler S --seed 1`` for S = ffbs and single-site,
  ``--repeats`` times each (the median wall time counts);
* ``python benchmarks/pam_numpyro.py MARKET ...``: the same preparation, the same likelihood and priors in NumPyro
  (flat priors on the coefficients and sigma^2, which EM maximises), one NUTS chain of ``--warmup`` + ``--samples``
  iterations.

It reports the speed-up (NUTS's wall time over EM's) and the agreement: every coefficient of each EM fit against
the NUTS posterior mean, in NUTS posterior sds (:func:`artstudy.study.benchmarks.coefficient_agreement`), sigma^2
and tau^2, and the correlation and RMSE of the ability means over artist-windows
(:func:`artstudy.study.benchmarks.ability_agreement`).

    python benchmarks/bench_nuts.py [--repeats 3] [--warmup 500] [--samples 500] [--seed 20241123] [--record]

NumPyro is optional (``pip install -e '.[bench]'``); without it the benchmark says so and, with ``--record``,
records that it was skipped. ``--record`` writes ``benchmarks/results/nuts.md`` and the tidy ``nuts.json`` (run
facts), ``nuts.csv`` (coefficients) and ``nuts_ability.csv`` (ability means by fit) (see ``benchmarks/record.py``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLERS = ("ffbs", "single-site")
TIME = "/usr/bin/time"
SKIP_REASON = "numpyro is not installed (pip install -e '.[bench]')"


def timed(args: list[str]) -> tuple[float, float]:
    """Run a command to its exit; (wall seconds, peak resident GB or NaN without /usr/bin/time)."""
    have_time = shutil.which(TIME) is not None
    t0 = time.perf_counter()
    done = subprocess.run([TIME, "-v", *args] if have_time else args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr) if have_time else None
    return wall, int(peak.group(1)) / 1e6 if peak else float("nan")


def write_market(path: Path, seed: int) -> tuple[str, ...]:
    """Draw bench_pam_fit.py's market and write it as Parquet; returns its covariates."""
    from artstudy.synth.market import simulate_market
    from artstudy.synth.specs import SimulationSpec

    sim = simulate_market(SimulationSpec(), rng=np.random.default_rng(seed))
    sim.sales.drop(columns=["true_ability", "true_popularity"]).to_parquet(path, index=False)
    return tuple(sim.covariates)


def run_em(market: Path, covariates, sampler: str, out: Path, repeats: int) -> dict:
    """``artstudy pam-fit`` with ``sampler``, ``repeats`` times; the last run's files stay in ``out``."""
    walls, peaks = [], []
    for _ in range(repeats):
        shutil.rmtree(out, ignore_errors=True)
        wall, peak = timed([sys.executable, "-m", "artstudy.cli", "pam-fit", str(market), "--out", str(out),
                            "--covariates", *covariates, "--year-effects", "--sampler", sampler, "--seed", "1"])
        walls.append(wall)
        peaks.append(peak)
    facts = {**json.loads((out / "summary.json").read_text()), **json.loads((out / "timing.json").read_text())}
    return {"wall_s": float(np.median(walls)), "wall_s_runs": walls, "peak_gb": float(np.nanmax(peaks)),
            "fit_s": facts["seconds"], "iterations": facts["n_iterations"], "stop_reason": facts["stop_reason"],
            "sigma2": facts["sigma2"], "tau2": facts["tau2"], "n_sales": facts["n_sales"]}


def run_nuts(market: Path, covariates, out: Path, warmup: int, samples: int) -> dict:
    """benchmarks/pam_numpyro.py on the market, once; its summary with the process's wall time and peak."""
    wall, peak = timed([sys.executable, str(HERE / "pam_numpyro.py"), str(market), "--out", str(out),
                        "--covariates", *covariates, "--year-effects", "--warmup", str(warmup),
                        "--samples", str(samples), "--seed", "1"])
    return {"wall_s": wall, "peak_gb": peak, **json.loads((out / "summary.json").read_text())}


def compare(work: Path, em: dict, nuts: dict):
    """(coefficient rows, ability rows) of every EM fit against NUTS; adds speed-up and agreement to ``em``."""
    from artstudy.study.benchmarks import ability_agreement, coefficient_agreement

    nuts_coef = pd.read_csv(work / "nuts" / "coefficients.csv")
    nuts_ab = pd.read_csv(work / "nuts" / "ability.csv")
    coefs, abilities = [], [nuts_ab.assign(fit="nuts")]
    for sampler, facts in em.items():
        coef = coefficient_agreement(pd.read_csv(work / sampler / "coefficients.csv"), nuts_coef)
        ability = pd.read_csv(work / sampler / "ability.csv")
        agree = ability_agreement(ability, nuts_ab)
        facts.update({"speedup": nuts["wall_s"] / facts["wall_s"], "ability_correlation": agree["correlation"],
                      "ability_rmse": agree["rmse"], "ability_mean_difference": agree["mean_difference"],
                      "ability_rmse_centred": agree["rmse_centred"],
                      "ability_median_sd_ratio": agree["median_sd_ratio"], "n_cells": agree["n_cells"],
                      "gamma_difference_in_sd": float(coef.set_index("term").loc["popularity", "difference_in_sd"]),
                      "max_abs_difference_in_sd": float(coef["difference_in_sd"].abs().max()),
                      "sigma2_difference_in_sd": (facts["sigma2"] - nuts["sigma2_mean"]) / nuts["sigma2_sd"],
                      "tau2_difference_in_sd": (facts["tau2"] - nuts["tau2_mean"]) / nuts["tau2_sd"]})
        coefs.append(coef.assign(sampler=sampler))
        abilities.append(ability[["artist", "window", "mean", "sd"]].assign(fit=sampler))
    coef_rows = pd.concat(coefs, ignore_index=True)
    ability_rows = pd.concat(abilities, ignore_index=True)[["fit", "artist", "window", "mean", "sd"]]
    return coef_rows[["sampler"] + [c for c in coef_rows.columns if c != "sampler"]], ability_rows


def markdown(em: dict, nuts: dict, coefs: pd.DataFrame) -> str:
    """The result as markdown: timings and speed-up, agreement per sampler, gamma and the covariates."""
    lines = [f"| fit (whole process) | wall s | peak GB | speed-up over NUTS | ability means: correlation with "
             "NUTS | RMSE | mean difference (EM minus NUTS) | RMSE without it | gamma: EM minus NUTS (NUTS sds) | "
             "largest coefficient difference (NUTS sds) |", "|---|---|---|---|---|---|---|---|---|---|",
             f"| NUTS ({nuts['warmup']} warm-up + {nuts['samples']} draws, 1 chain) | {nuts['wall_s']:.1f} | "
             f"{nuts['peak_gb']:.2f} | 1 | | | | | | |"]
    for sampler, f in em.items():
        lines.append(f"| EM, {sampler} (median of {len(f['wall_s_runs'])}) | {f['wall_s']:.1f} | {f['peak_gb']:.2f} | "
                     f"{f['speedup']:.0f} | {f['ability_correlation']:.5f} | {f['ability_rmse']:.3f} | "
                     f"{f['ability_mean_difference']:+.3f} | {f['ability_rmse_centred']:.3f} | "
                     f"{f['gamma_difference_in_sd']:+.2f} | {f['max_abs_difference_in_sd']:.2f} |")
    shown = coefs[(coefs["sampler"] == "ffbs") & ~coefs["term"].str.startswith("year")]
    lines += ["", "| term | EM (ffbs) | EM marginal s.e. | NUTS mean | NUTS sd | difference in NUTS sds |",
              "|---|---|---|---|---|---|"]
    lines += [f"| {r.term} | {r.em_estimate:.4f} | {r.em_std_error:.4f} | {r.nuts_mean:.4f} | {r.nuts_sd:.4f} | "
              f"{r.difference_in_sd:+.2f} |" for r in shown.itertuples()]
    f = em["ffbs"]
    lines += ["", f"sigma² EM (ffbs) {f['sigma2']:.4f}, NUTS {nuts['sigma2_mean']:.4f} ± {nuts['sigma2_sd']:.4f}; "
                  f"tau² EM {f['tau2']:.3f}, NUTS {nuts['tau2_mean']:.3f} ± {nuts['tau2_sd']:.3f}. NUTS: "
                  f"{nuts['divergences']} divergences, {nuts['mean_leapfrog_steps']:.0f} leapfrog steps per draw, "
                  f"bulk ESS of gamma {nuts['ess_gamma']:.0f}, of the abilities (median) "
                  f"{nuts['ess_ability_median']:.0f}."]
    if "intercept" in set(shown["term"]):
        icpt = shown.loc[shown["term"] == "intercept"].iloc[0]
        lines += ["", f"The intercept and the abilities' common level trade off (only the N(0, tau²) prior of the "
                      f"first abilities tells them apart): EM (ffbs) minus NUTS is {icpt['difference']:+.3f} on the "
                      f"intercept ({icpt['difference_in_sd']:+.2f} NUTS sds) and {f['ability_mean_difference']:+.3f} "
                      "on the abilities' mean."]
    return "\n".join(lines)


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each EM fit (the median counts)")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20241123, help="the market's seed (bench_pam_fit.py's default)")
    parser.add_argument("--record", action="store_true", help="write benchmarks/results/nuts.md, .json, .csv")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = _arguments(argv)
    sys.path.insert(0, str(HERE))
    if importlib.util.find_spec("numpyro") is None:
        print(f"NUTS benchmark skipped: {SKIP_REASON}")
        if args.record:
            from record import record, record_json

            record("nuts", "Monte Carlo EM against NUTS", f"Skipped: {SKIP_REASON}.")
            record_json("nuts", {"status": "skipped", "reason": SKIP_REASON})
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        covariates = write_market(work / "market.parquet", args.seed)
        em = {}
        for sampler in SAMPLERS:
            em[sampler] = run_em(work / "market.parquet", covariates, sampler, work / sampler, args.repeats)
            print(f"EM {sampler}: {em[sampler]['wall_s']:.1f} s", flush=True)
        nuts = run_nuts(work / "market.parquet", covariates, work / "nuts", args.warmup, args.samples)
        print(f"NUTS: {nuts['wall_s']:.1f} s", flush=True)
        coefs, abilities = compare(work, em, nuts)
    text = markdown(em, nuts, coefs)
    print(text)
    if args.record:
        from record import record, record_csv, record_json

        title = (f"Monte Carlo EM against NUTS on the same model and market ({nuts['n_sales']:,} sales, "
                 f"{nuts['n_artists']} artists, {nuts['n_coefficients']} coefficients; whole processes; aims: EM at "
                 "least 100 times faster, ability means correlating above 0.99)")
        record("nuts", title, text)
        market = {k: nuts[k] for k in ("n_sales", "n_artists", "n_coefficients")}
        record_json("nuts", {"status": "measured", "seed": args.seed, "market": market, "em": em,
                             "nuts": {k: v for k, v in nuts.items() if k not in market}})
        record_csv("nuts", coefs)
        record_csv("nuts_ability", abilities)
    return 0


if __name__ == "__main__":
    sys.exit(main())
