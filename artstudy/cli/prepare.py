"""``artstudy prepare RAW.csv --source NAME --out SALES.csv``: a raw export to the canonical sales table.

RAW and OUT may be Parquet files (``.parquet``); the funnel is written beside OUT as CSV either way.
"""

from __future__ import annotations

from pathlib import Path

from .common import add_config_option, config_from_args

__all__ = ["register", "run"]


def register(sub) -> None:
    p = sub.add_parser("prepare", help="raw auction export -> the sales table pam-fit and the harness read",
                       description="Parse a raw auction export with a source mapping from the config, validate it "
                                   "and write the canonical sales table (every lot, with the rule that left it out) "
                                   "and its funnel.")
    p.add_argument("raw", type=Path, help="raw export (CSV, or Parquet: .parquet)")
    p.add_argument("--source", required=True, help="source mapping: synthetic or a name under the config's sources:")
    p.add_argument("--out", type=Path, required=True, help="output CSV, or Parquet when it ends in .parquet (the funnel goes to OUT.funnel.csv, stem of OUT)")
    p.add_argument("--sale-years", type=int, nargs=2, metavar=("FIRST", "LAST"), default=None,
                   help="study window of sale years (default 1993 2022 or the source's study:)")
    p.add_argument("--work-years", type=int, nargs=2, metavar=("FIRST", "LAST"), default=None,
                   help="study window of creation years (default 1951 2020 or the source's study:)")
    add_config_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from .._section import build
    from ..data import prepare_file, write_prepared
    from ..data.sources import StudyWindow

    config = config_from_args(args)
    mapping = config.source(args.source)
    study = None
    if args.sale_years or args.work_years:
        base = (mapping.study or StudyWindow()).model_dump()
        given = {k: v for k, v in (("sale_years", args.sale_years), ("work_years", args.work_years)) if v}
        study = build(StudyWindow, {**base, **given}, source="artstudy prepare options")
    table, funnel = prepare_file(args.raw, mapping, name=args.source, currency=config.currency, study=study)
    sales_path, funnel_path = write_prepared(table, funnel, args.out)
    print(funnel.to_string(index=False))
    kept = funnel.iloc[-1]
    print(f"wrote {sales_path} ({len(table)} lots, {int(kept['lots'])} kept by {int(kept['artists'])} artists) "
          f"and {funnel_path}")
    return 0
