"""``artstudy pam-fit SALES.csv --out DIR``: fit the popularity-ability model to a sales table (CSV or Parquet)."""

from __future__ import annotations

from pathlib import Path

from ..models.pam.settings import PAMSettings, Popularity
from .common import add_config_option, check_out_dir, config_from_args, setting_option, settings_from_args

__all__ = ["register", "run"]


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


def run(args) -> int:
    from ..data.validation import read_table
    from ..models.pam import fit_pam

    out = check_out_dir(args.out)
    config = config_from_args(args)
    kind = vars(args).pop("set_popularity_kind")
    settings = settings_from_args(args, PAMSettings, base=config.model, source="artstudy pam-fit options")
    if kind is not None:
        settings = settings.model_copy(update={"popularity": Popularity(kind=kind, scale=settings.popularity.scale)})
    if args.no_selection:
        settings = settings.model_copy(update={"min_works": None})
    frame = read_table(args.sales)  # validated once, by fit_pam
    seed = config.seed if args.seed is None else args.seed
    res = fit_pam(frame, covariates=list(args.covariates), year_effects=args.year_effects, settings=settings,
                  random_state=seed, source=str(args.sales))
    res.write(out)
    print(res.summary())
    print(f"wrote {out}/coefficients.csv, ability.csv, trace.csv, funnel.csv, summary.json, fitted.csv, ols.csv")
    return 0
