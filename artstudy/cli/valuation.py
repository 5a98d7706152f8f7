"""The valuation harness's jobs: ``valuation-fit`` (one model) and ``valuation-score`` (every model)."""

from __future__ import annotations

import json
from pathlib import Path

from .common import add_config_option, check_out_dir, config_from_args

__all__ = ["register"]


def register(sub) -> None:
    p = sub.add_parser("valuation-fit", help="fit one model on the training years and predict the test years")
    p.add_argument("sales", type=Path, help="prepared sales table (artstudy prepare)")
    p.add_argument("--model", required=True, help="model name in the registry (artstudy.models.registry)")
    p.add_argument("--out", type=Path, required=True, help="predictions CSV")
    p.add_argument("--truth-lots", type=Path, default=None, metavar="CSV",
                   help="the synthetic world's truth_lots.csv, for the oracle (sets evaluation.truth_lots)")
    add_config_option(p)
    p.set_defaults(func=_fit)

    p = sub.add_parser("valuation-score", help="score every model's predictions by segment, with bootstrap intervals")
    p.add_argument("sales", type=Path, help="prepared sales table (artstudy prepare)")
    p.add_argument("predictions", type=Path, nargs="+", help="predictions CSVs written by valuation-fit")
    p.add_argument("--out", type=Path, required=True,
                   help="output folder: metrics.csv, differences.csv, split.json")
    add_config_option(p)
    p.set_defaults(func=_score)


def _fit(args) -> int:
    from ..data.validation import read_table
    from ..evaluation.harness import fit_predict

    config = config_from_args(args)
    if args.truth_lots is not None:
        evaluation = config.evaluation.model_copy(update={"truth_lots": str(args.truth_lots)})
        config = config.model_copy(update={"evaluation": evaluation})
    sales = read_table(args.sales)
    pred = fit_predict(args.model, sales, config)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    pred.to_csv(args.out, index=False)
    print(f"wrote {args.out} ({len(pred)} test lots, model {args.model})")
    return 0


def _score(args) -> int:
    from ..data.validation import read_table
    from ..evaluation.harness import score
    from ..evaluation.split import temporal_split

    out = check_out_dir(args.out)
    config = config_from_args(args)
    sales = read_table(args.sales)
    predictions = [read_table(p) for p in args.predictions]
    split = temporal_split(sales, config.evaluation)
    metrics, differences = score(sales, predictions, config, split=split)
    out.mkdir(parents=True, exist_ok=True)
    metrics.to_csv(out / "metrics.csv", index=False)
    differences.to_csv(out / "differences.csv", index=False)
    (out / "split.json").write_text(json.dumps(split.describe(), indent=2, default=str) + "\n")
    print(f"wrote {out}/metrics.csv ({len(metrics)} rows), differences.csv, split.json")
    return 0
