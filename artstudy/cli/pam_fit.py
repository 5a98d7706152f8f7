"""``artstudy pam-fit SALES.csv --out DIR``: fit the popularity-ability model to a sales table (CSV or Parquet)."""

from __future__ import annotations

import sys

from pathlib import Path
from typing import TYPE_CHECKING

from ..models.pam.settings import PAMSettings, Popularity
from .common import add_config_option, check_out_dir, config_from_args, setting_option, settings_from_args

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["register", "run", "read_sales_columns", "read_parquet_fast"]


def register(sub) -> None:
    p = sub.add_parser("pam-fit", help="fit the popularity-ability model to a sales table",
                       description="Fit the popularity-ability model by Monte Carlo EM. Settings come from the "
                                   "config's model section; the options below override them.")
    p.add_argument("sales", type=Path, help="CSV or Parquet file (.parquet) with columns artist, sale_year, work_year, price and the covariates; "
                                            "rows whose left_out column names a rule count only as popularity history")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--covariates", nargs="*", default=[], metavar="COL",
                   help="covariate columns (numeric, boolean or categorical)")
    p.add_argument("--year-effects", action="store_true", help="add sale-year indicators")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the config's seed)")
    p.add_argument("--no-selection", action="store_true", help="keep every artist (no selection rule)")
    p.add_argument("--popularity", dest="set_popularity_kind", default=None, choices=["sum", "relative"],
                   help=" ".join((Popularity.model_fields["kind"].description or "").split())
                   + f" (default: {Popularity().kind})")
    for field, kind in (("sampler", str), ("tau2_method", str), ("window_start", int), ("window_width", int),
                        ("min_works", int), ("min_windows", int), ("max_iter", int), ("min_iter", int),
                        ("n_gibbs", int), ("n_burn", int), ("tol", float), ("init", str)):
        setting_option(p, PAMSettings, field, type=kind)
    add_config_option(p)
    p.set_defaults(func=run)


#: Columns a fit reads besides the required ones and the covariates (history, sample, ids of the fitted table).
FIT_COLUMNS = ("left_out", "lot_id", "artwork_id", "sale_date")


def read_sales_columns(path: Path, covariates) -> pd.DataFrame:
    """The sales table, from a Parquet file only the columns a fit reads (all of them when one it needs is
    missing, so that the error lists the file's columns); a CSV file whole (its line numbers count every column).
    """
    from ..data.validation import REQUIRED, is_parquet, read_table

    if is_parquet(path) and Path(path).is_file():
        import pyarrow.parquet as pq

        try:
            present = pq.read_schema(path).names
        except Exception:  # read_table names the file and what is wrong
            return read_table(path)
        needed = [*REQUIRED, *covariates]
        if all(c in present for c in needed):
            wanted = {*needed, *FIT_COLUMNS}
            return read_parquet_fast(path, columns=[c for c in present if c in wanted])
    return read_table(path)


def read_parquet_fast(path: Path, columns=None) -> pd.DataFrame:
    """:func:`artstudy.data.validation.read_parquet` (the same frame, errors and row numbering) with Arrow's reader
    used directly: the file memory-mapped, each column handed to pandas as it is (no consolidation copy) and its
    Arrow memory freed as it goes, a third of pandas' reading time and a tenth of its page faults at 10^7 rows."""
    import pyarrow.parquet as pq

    from ..data.validation import ROW_NUMBERS
    from ..errors import InputError

    try:
        table = pq.read_table(path, columns=columns, memory_map=True)
        frame = table.to_pandas(split_blocks=True, self_destruct=True)
    except Exception as exc:  # pyarrow's own message says what is wrong
        raise InputError(f"{path}: cannot be read as Parquet ({' '.join(str(exc).split())})") from exc
    frame.attrs[ROW_NUMBERS] = True
    return frame


def run(args) -> int:
    from ..models.pam import fit_pam

    out = check_out_dir(args.out)
    config = config_from_args(args)
    kind = vars(args).pop("set_popularity_kind")
    settings = settings_from_args(args, PAMSettings, base=config.model, source="artstudy pam-fit options")
    if kind is not None:
        settings = settings.model_copy(update={"popularity": Popularity(kind=kind, scale=settings.popularity.scale)})
    if args.no_selection:
        settings = settings.model_copy(update={"min_works": None})
    frame = read_sales_columns(args.sales, args.covariates)  # validated once, by fit_pam
    seed = config.seed if args.seed is None else args.seed
    res = fit_pam(frame, covariates=list(args.covariates), year_effects=args.year_effects, settings=settings,
                  random_state=seed, source=str(args.sales))
    res.write(out)
    print(res.summary())
    if res.summary_dict()["n_artists"] == 1:
        print(f"artstudy pam-fit: warning: {args.sales}: the selection left one artist: tau² and the abilities rest "
              "on one artist's sales", file=sys.stderr)
    print(f"wrote {out}/coefficients.csv, ability.csv, trace.csv, funnel.csv, summary.json, fitted.csv, ols.csv")
    return 0
