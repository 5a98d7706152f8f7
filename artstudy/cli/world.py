"""``artstudy world --out DIR``: generate the synthetic Artnet-like market (raw export and truth)."""

from __future__ import annotations

from pathlib import Path

from .common import add_config_option, check_out_dir, config_from_args

__all__ = ["register", "run"]


def register(sub) -> None:
    p = sub.add_parser("world", help="generate the synthetic Artnet-like market (raw export and truth)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the config's seed)")
    add_config_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..synth.world import write_world

    out = check_out_dir(args.out)
    config = config_from_args(args)
    world = write_world(config, out, seed=args.seed)
    f = world.funnel().set_index("step")
    print(f"synthetic world: {len(world.raw)} lots by {config.world.n_artists} artists in {world.seconds:.2f} s; "
          f"funnel:\n{f.to_string()}")
    pictures = f" and {len(world.works)} pictures in images/" if config.world.images else ""
    print(f"wrote {out}/raw_lots.csv, truth_coefficients.csv, truth_ability.csv, truth_lots.csv, artists.csv, "
          f"spec.json{pictures}")
    return 0
