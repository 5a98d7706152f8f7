"""``artstudy prepare RAW.csv [RAW2.csv ...] --source NAME --out SALES.csv``: raw exports to the canonical sales
table.

RAW and OUT may be Parquet files (``.parquet``); the funnel is written beside OUT as CSV either way. Several RAW
files of one layout make one table (lot ids ``"<file>:<id>"``, counts printed per file). ``--check`` writes
nothing: it prints a sample of lots (raw text beside what was parsed), the funnel and the unmapped columns.
Warnings (a duplicated header, a column empty in every row, an empty result) go to stderr, one line each.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from .common import add_config_option, check_out_file, config_from_args

__all__ = ["register", "run"]


def register(sub) -> None:
    p = sub.add_parser("prepare", help="raw auction export -> the sales table pam-fit and the harness read",
                       description="Parse raw auction exports with a source mapping from the config, validate them "
                                   "and write the canonical sales table (every lot, with the rule that left it out) "
                                   "and its funnel.")
    p.add_argument("raw", type=Path, nargs="+",
                   help="raw export(s) of one layout (CSV, or Parquet: .parquet); several make one table")
    p.add_argument("--source", required=True, nargs="+",
                   help="source mapping: synthetic or a name under the config's sources:; several (one per RAW file, "
                        "in order) join exports of different layouts into one table, lot ids <source>:<id>")
    p.add_argument("--out", type=Path, default=None,
                   help="output CSV, or Parquet when it ends in .parquet (the funnel goes to OUT.funnel.csv, stem "
                        "of OUT); required unless --check")
    p.add_argument("--check", action="store_true",
                   help="write nothing: print a sample of lots (raw text -> parsed), the funnel and the raw columns "
                        "left unmapped, to check a mapping")
    p.add_argument("--sample", type=int, default=5, metavar="N", help="lots shown by --check (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the lots --check shows (default 0)")
    p.add_argument("--sale-years", type=int, nargs=2, metavar=("FIRST", "LAST"), default=None,
                   help="study window of sale years (default 1993 2022 or the source's study:)")
    p.add_argument("--work-years", type=int, nargs=2, metavar=("FIRST", "LAST"), default=None,
                   help="study window of creation years (default 1951 2020 or the source's study:)")
    add_config_option(p)
    p.set_defaults(func=run)


def _study(args, mapping):
    from .._section import build
    from ..data.sources import StudyWindow

    if not (args.sale_years or args.work_years):
        return None
    base = (mapping.study or StudyWindow()).model_dump()
    given = {k: v for k, v in (("sale_years", args.sale_years), ("work_years", args.work_years)) if v}
    return build(StudyWindow, {**base, **given}, source="artstudy prepare options")


def run(args) -> int:
    from ..data.mapping import MappingWarning
    from ..errors import InputError

    if args.out is None and not args.check:
        raise InputError("give --out FILE (or --check to only look at what the mapping reads)")
    if args.sample < 1:
        raise InputError(f"--sample must be at least 1 (got {args.sample})")
    if args.out is not None:
        check_out_file(args.out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MappingWarning)
        try:
            return _run(args)
        finally:
            for w in caught:
                if issubclass(w.category, MappingWarning):
                    print(f"artstudy prepare: warning: {w.message}", file=sys.stderr)
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _run(args) -> int:
    import numpy as np

    from ..data.prepare import prepare_files, read_files

    config = config_from_args(args)
    if len(args.source) > 1:
        return _several(args, config)
    (name,) = args.source
    mapping = config.source(name)
    raw = read_files(args.raw, mapping, name)
    table, funnel, per_file = prepare_files(args.raw, mapping, name=name, currency=config.currency,
                                            study=_study(args, mapping), raw=raw)
    if args.check:
        from ..data.check import check_report

        print(check_report(raw, mapping, table, funnel, np.random.default_rng(args.seed), args.sample))
        return 0
    _write(args, table, funnel, per_file)
    return 0


def _several(args, config) -> int:
    """Several sources, one per RAW file (files of one source are read together)."""
    from ..data.several import prepare_sources
    from ..errors import InputError

    if len(args.source) != len(args.raw):
        raise InputError(f"--source: give one source for every RAW file ({len(args.raw)}) or one for all "
                         f"(got {len(args.source)})")
    if args.check:
        raise InputError("--check reads one source at a time: give one --source")
    groups = {}
    for path, name in zip(args.raw, args.source):
        groups.setdefault(name, []).append(path)
    sources = [(name, config.source(name), paths) for name, paths in groups.items()]
    table, funnel, per_file = prepare_sources(sources, currency=config.currency,
                                              study=_study(args, config.source(args.source[0])))
    _write(args, table, funnel, per_file)
    return 0


def _write(args, table, funnel, per_file) -> None:
    from ..data.prepare import write_prepared

    sales_path, funnel_path = write_prepared(table, funnel, args.out)
    print(funnel.to_string(index=False))
    if len(per_file) > 1:
        for row in per_file.itertuples(index=False):
            where = f"{row.source} " if "source" in per_file.columns else ""
            print(f"{where}{row.file}: {row.rows} rows read, {row.lots} lots in the table, {row.kept} kept")
    kept = funnel.iloc[-1]
    print(f"wrote {sales_path} ({len(table)} lots, {int(kept['lots'])} kept by {int(kept['artists'])} artists) "
          f"and {funnel_path}")
