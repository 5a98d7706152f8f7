"""Command line: ``artstudy pam-fit``, ``prepare``, ``world``, ``sim-replicate``, ``sim-gather``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from ..data.validation import read_table
from ..errors import InputError
from ..models.pam.model import SAMPLERS

__all__ = ["main"]


def _pam_fit(args) -> int:
    from ..models.pam.fit import fit_pam

    covariates = list(args.covariates or [])
    frame = read_table(args.sales)  # validated once, by fit_pam
    settings = dict(sampler=args.sampler, window_start=args.window_start, window_width=args.window_width,
                    min_works=None if args.no_selection else args.min_works, min_windows=args.min_windows,
                    max_iter=args.max_iter, n_gibbs=args.n_gibbs, n_burn=args.n_burn)
    res = fit_pam(frame, covariates=covariates, year_effects=args.year_effects, random_state=args.seed,
                  source=str(args.sales), **settings)
    res.write(args.out)
    print(res.summary())
    print(f"wrote {args.out}/coefficients.csv, ability.csv, trace.csv, funnel.csv, summary.json")
    return 0


def _sim_replicate(args) -> int:
    from ..evaluation.simstudy import run_replication

    params = json.loads(args.params)
    table = run_replication(params, args.rep)
    if params.get("simulation", {}).get("compare_samplers"):
        table = pd.concat([table, run_replication(params, args.rep, sampler="single-site")], ignore_index=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    return 0


def _sim_gather(args) -> int:
    frames = [pd.read_csv(f) for f in args.files]
    table = pd.concat(frames, ignore_index=True).sort_values(["rep", "sampler"], kind="stable")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="artstudy", description="Valuing art at auction.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("pam-fit", help="fit the popularity-ability model to a sales CSV")
    p.add_argument("sales", type=Path, help="CSV with columns artist, sale_year, work_year, price and covariates")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--covariates", nargs="*", default=[], metavar="COL",
                   help="covariate columns (numeric, boolean or categorical)")
    p.add_argument("--year-effects", action="store_true", help="add sale-year indicators")
    p.add_argument("--sampler", default="ffbs", help="ability sampler: ffbs (default) or single-site")
    p.add_argument("--seed", type=int, default=None, help="random seed")
    p.add_argument("--window-start", type=int, default=1951, help="first year of the first work window")
    p.add_argument("--window-width", type=int, default=5, help="years per work window")
    p.add_argument("--min-works", type=int, default=3, help="selection rule: works per window")
    p.add_argument("--min-windows", type=int, default=6, help="selection rule: consecutive windows")
    p.add_argument("--no-selection", action="store_true", help="keep every artist (no selection rule)")
    p.add_argument("--max-iter", type=int, default=100, help="cap on EM iterations")
    p.add_argument("--n-gibbs", type=int, default=110, help="Gibbs sweeps per E-step")
    p.add_argument("--n-burn", type=int, default=10, help="sweeps discarded per E-step")
    p.set_defaults(func=_pam_fit)

    p = sub.add_parser("sim-replicate", help="run one replication of the simulation study")
    p.add_argument("--params", required=True, help='JSON: {"seed": .., "simulation": {..}, "model": {..}}')
    p.add_argument("--rep", type=int, required=True, help="replication number (1-based)")
    p.add_argument("--out", type=Path, required=True, help="output CSV")
    p.set_defaults(func=_sim_replicate)

    p = sub.add_parser("sim-gather", help="stack replication CSVs into one table")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=_sim_gather)

    from ..data import prepare as data
    from ..synth import world

    data.register_cli(sub)
    world.register_cli(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "sampler", None) is not None and args.sampler not in SAMPLERS:
        print(f"artstudy {args.command}: error: unknown sampler {args.sampler!r} "
              f"(choose from {', '.join(SAMPLERS)})", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except InputError as exc:
        print(f"artstudy {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"artstudy {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
