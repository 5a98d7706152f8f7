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
    p.add_argument("--save", type=Path, default=None, metavar="DIR",
                   help="deep models: also write the Keras model, learning curves, embedding map and Grad-CAM "
                        "maps into DIR (artstudy.models.deep.artifacts)")
    p.add_argument("--encoder", type=Path, default=None, metavar="KERAS",
                   help="multimodal: a trained image model (the cnn's model.keras) to reuse (sets deep.encoder)")
    p.add_argument("--embeddings", type=Path, default=None, metavar="NPZ",
                   help="cnn_lstm: the picture embeddings of a multimodal run (its picture_embeddings.npz; "
                        "sets deep.embeddings)")
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
    import time

    from ..data.validation import read_table
    from ..errors import InputError
    from ..evaluation.harness import fit_model, predict_test
    from ..models.registry import DEEP_MODELS, REGISTRY

    config = config_from_args(args)
    if args.model not in REGISTRY:
        raise InputError(f"unknown model {args.model!r} (known models: {', '.join(REGISTRY)})")
    if args.save is not None and args.model not in DEEP_MODELS:
        raise InputError(f"--save applies to the deep models ({', '.join(DEEP_MODELS)}), not {args.model!r}")
    if args.truth_lots is not None:
        evaluation = config.evaluation.model_copy(update={"truth_lots": str(args.truth_lots)})
        config = config.model_copy(update={"evaluation": evaluation})
    if args.encoder is not None:
        if args.model != "multimodal":
            raise InputError(f"--encoder applies to the multimodal model, not {args.model!r}")
        config = config.model_copy(update={"deep": config.deep.model_copy(update={"encoder": str(args.encoder)})})
    if args.embeddings is not None:
        if args.model != "cnn_lstm":
            raise InputError(f"--embeddings applies to the cnn_lstm model, not {args.model!r}")
        config = config.model_copy(update={"deep": config.deep.model_copy(update={"embeddings": str(args.embeddings)})})
    sales = read_table(args.sales)
    started = time.perf_counter()
    model, split = fit_model(args.model, sales, config)
    pred = predict_test(model, args.model, sales, split, config.evaluation.levels)
    seconds = time.perf_counter() - started
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    pred.to_csv(args.out, index=False)
    print(f"wrote {args.out} ({len(pred)} test lots, model {args.model}, {seconds:.0f} s)")
    if args.save is not None:
        from ..models.deep.artifacts import save_artifacts

        deep = config.deep
        save_artifacts(model, sales, split, args.save, map_works=deep.map_works, gradcam_works=deep.gradcam_works,
                       seed=config.seed, seconds=seconds)
        print(f"wrote {args.save}/ (model, learning curves, embedding map, Grad-CAM)")
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
