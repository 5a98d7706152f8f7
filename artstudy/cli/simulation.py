"""The simulation study's jobs: ``sim-replicate`` (one replication), ``sim-gather``, ``sim-detail``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .common import add_config_option, check_out_dir, config_from_args

__all__ = ["register"]


def register(sub) -> None:
    p = sub.add_parser("sim-replicate", help="run one replication of the simulation study")
    p.add_argument("--rep", type=int, required=True, help="replication number (1-based)")
    p.add_argument("--out", type=Path, required=True, help="output CSV")
    add_config_option(p)
    p.set_defaults(func=_replicate)

    p = sub.add_parser("sim-gather", help="stack replication CSVs into one table")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=_gather)

    p = sub.add_parser("sim-detail", help="one replication in detail: traces, ability recovery, sampler comparison")
    p.add_argument("--rep", type=int, default=1, help="replication number (default 1)")
    p.add_argument("--out", type=Path, required=True, help="output folder (one CSV per table)")
    add_config_option(p)
    p.set_defaults(func=_detail)


def _replicate(args) -> int:
    from ..errors import InputError
    from ..evaluation.simstudy import run_replication

    config = config_from_args(args)
    if not 1 <= args.rep <= config.simulation.n_replications:
        raise InputError(f"--rep {args.rep}: replications are numbered 1 to {config.simulation.n_replications}")
    table = run_replication(config, args.rep)
    if config.simulation.compare_samplers:
        table = pd.concat([table, run_replication(config, args.rep, sampler="single-site")], ignore_index=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    return 0


def _gather(args) -> int:
    from ..data.validation import read_table

    frames = [read_table(f) for f in args.files]
    table = pd.concat(frames, ignore_index=True).sort_values(["rep", "sampler"], kind="stable")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    return 0


def _detail(args) -> int:
    from ..evaluation.simstudy import replication_detail

    out = check_out_dir(args.out)
    config = config_from_args(args)
    tables = replication_detail(config, args.rep)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(out / f"{name}.csv", index=False)
    print(f"wrote {', '.join(f'{n}.csv' for n in tables)} to {out}")
    return 0
