"""Benchmark: the deep valuation models against the tabular ones and the oracle on a synthetic world.

Generates a synthetic world (pictures included) in a temporary folder with the study's default
config (``--lots`` makes it smaller: ``world.n_lots``), prepares it as the built-in ``synthetic``
source, and runs the valuation harness (:func:`artstudy.evaluation.harness.fit_model`,
``predict_test`` and ``score``, as ``artstudy valuation-fit`` / ``valuation-score`` do) for the
tabular baselines, the deep models and the oracle. Prints R² by model on all, repeat and
fresh-to-market test sales; the image gain (multi-modal minus tabular MLP) on fresh and repeat
sales with the harness's paired bootstrap intervals; the oracle's fresh gain over the MLP and the
share of it the multi-modal model captures; wall time per model and training images/s.

    python benchmarks/bench_deep.py [--lots N] [--epochs E] [--models m1 m2 ...] [--record]

``--record`` writes ``benchmarks/results/deep.md`` (see ``benchmarks/record.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Models run, in the order of the tables.
MODELS = ("hedonic", "artist_fe", "gbt", "mlp", "multimodal", "cnn", "oracle")
SEGMENTS = ("all", "repeat", "fresh")
#: The issue's criterion: the multi-modal gain on fresh sales exceeds this, ...
MIN_FRESH_GAIN = 0.02
#: ... exceeds the gain on repeat sales, and is at least this share of the oracle's fresh gain.
MIN_ORACLE_SHARE = 0.5


def configure(lots: int | None, epochs: int | None):
    """The default study config, with ``world.n_lots`` and ``deep.epochs`` overridden when given."""
    from artstudy.settings import deep_merge, load_config, resolve

    over: dict = {}
    if lots:
        over["world"] = {"n_lots": int(lots)}
    if epochs:
        over["deep"] = {"epochs": int(epochs)}
    return resolve(deep_merge(load_config(), over), source="bench_deep")


def make_sales(config, folder: Path):
    """Write the world under ``folder`` and prepare its raw export; returns (sales, truth_lots path, seconds)."""
    from artstudy.data import prepare_file
    from artstudy.synth.world import write_world

    t0 = time.perf_counter()
    write_world(config, folder)
    t_world = time.perf_counter() - t0
    sales, _ = prepare_file(folder / "raw_lots.csv", config.source("synthetic"), name="synthetic",
                            currency=config.currency)
    print(f"world: {config.world.n_lots} lots written in {t_world:.0f} s; {len(sales)} prepared sales "
          f"({time.perf_counter() - t0:.0f} s with preparing)", flush=True)
    return sales, folder / "truth_lots.csv", time.perf_counter() - t0


def run_models(sales, config, models):
    """Fit and predict every model on the harness's split; returns (predictions, timings, split)."""
    from artstudy.evaluation.harness import fit_model, predict_test
    from artstudy.evaluation.split import temporal_split

    split = temporal_split(sales, config.evaluation)
    predictions, timings = [], {}
    for name in models:
        t0 = time.perf_counter()
        model, _ = fit_model(name, sales, config, split)
        pred = predict_test(model, name, sales, split, config.evaluation.levels)
        seconds = time.perf_counter() - t0
        history = getattr(model, "history_", None) or {}
        rate = history.get("samples_per_second")
        epochs = len(history.get("epoch", [])) or None
        timings[name] = {"seconds": seconds, "per_second": rate, "epochs": epochs}
        extra = f", {epochs} epochs, {rate:.0f} training rows/s" if rate else ""
        print(f"  {name}: {seconds:.0f} s{extra}", flush=True)
        predictions.append(pred)
    return predictions, timings, split


def _r2_table(metrics, models) -> list[str]:
    from artstudy.models.registry import display_name

    r2 = metrics[metrics["metric"] == "r2"].set_index(["model", "segment"])
    lines = ["| model | " + " | ".join(f"R² {s}" for s in SEGMENTS) + " |", "|---|" + "---|" * len(SEGMENTS)]
    for name in models:
        cells = []
        for seg in SEGMENTS:
            if (name, seg) in r2.index:
                row = r2.loc[(name, seg)]
                cells.append(f"{row['value']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]")
            else:
                cells.append("-")
        lines.append(f"| {display_name(name)} | " + " | ".join(cells) + " |")
    return lines


def _gain(differences, model: str, reference: str, segment: str):
    d = differences[(differences["metric"] == "r2") & (differences["model"] == model)
                    & (differences["reference"] == reference) & (differences["segment"] == segment)]
    return None if d.empty else d.iloc[0]


def verdict(differences) -> tuple[list[str], bool | None]:
    """The image gain on fresh and repeat sales, the oracle's share, and whether the issue's criterion holds."""
    fresh, repeat = _gain(differences, "multimodal", "mlp", "fresh"), _gain(differences, "multimodal", "mlp", "repeat")
    oracle = _gain(differences, "oracle", "mlp", "fresh")
    if fresh is None or repeat is None:
        return ["(the image gain needs the models mlp and multimodal and both segments)"], None
    lines = [f"- image gain (multi-modal minus tabular MLP, R²) on {label}: {g['value']:+.3f} "
             f"[{g['ci_low']:+.3f}, {g['ci_high']:+.3f}]" for label, g in (("fresh-to-market", fresh),
                                                                          ("repeat", repeat))]
    holds = bool(fresh["value"] > MIN_FRESH_GAIN and fresh["value"] > repeat["value"])
    if oracle is not None:
        share = fresh["value"] / oracle["value"] if oracle["value"] > 0 else float("nan")
        lines.append(f"- oracle's fresh-to-market gain over the MLP: {oracle['value']:+.3f} "
                     f"[{oracle['ci_low']:+.3f}, {oracle['ci_high']:+.3f}]; share the multi-modal captures: "
                     f"{share:.0%}")
        holds = holds and share >= MIN_ORACLE_SHARE
    lines.append(f"- criterion (fresh gain > {MIN_FRESH_GAIN}, above the repeat gain"
                 + (f", at least {MIN_ORACLE_SHARE:.0%} of the oracle's)" if oracle is not None else ")")
                 + f": {'holds' if holds else 'does not hold'}")
    return lines, holds


def timing_table(timings, n_train: int) -> list[str]:
    from artstudy.models.registry import display_name

    lines = ["| model | wall time (fit + predict) | epochs | training images/s |", "|---|---|---|---|"]
    for name, t in timings.items():
        rate = f"{t['per_second']:.0f}" if t["per_second"] and name in ("cnn", "multimodal") else (
            f"({t['per_second']:.0f} rows/s)" if t["per_second"] else "-")
        lines.append(f"| {display_name(name)} | {t['seconds']:.0f} s | {t['epochs'] or '-'} | {rate} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=None, help="world.n_lots (default: the config's)")
    parser.add_argument("--epochs", type=int, default=None, help="deep.epochs (default: the config's)")
    parser.add_argument("--models", nargs="+", default=list(MODELS), help="registry names (default: %(default)s)")
    parser.add_argument("--record", action="store_true", help="write benchmarks/results/deep.md")
    args = parser.parse_args(argv)
    from artstudy.evaluation.harness import score

    started = time.perf_counter()
    config = configure(args.lots, args.epochs)
    with tempfile.TemporaryDirectory() as tmp:
        sales, truth, _ = make_sales(config, Path(tmp))
        ev = config.evaluation.model_copy(update={"truth_lots": str(truth)})
        config = config.model_copy(update={"evaluation": ev})
        predictions, timings, split = run_models(sales, config, args.models)
    metrics, differences = score(sales, predictions, config, split)
    n_train = int((split.train & split.fitted).sum())
    gains, _ = verdict(differences)
    setup = (f"{config.world.n_lots} lots offered, {len(sales)} prepared sales ({n_train} in-sample in the training years); "
             f"pictures {config.deep.image_size} px, at most {config.deep.epochs} epochs, batch "
             f"{config.deep.batch_size}, {os.environ.get('KERAS_BACKEND', 'jax')} backend; "
             f"{(time.perf_counter() - started) / 60:.1f} min in all")
    body = "\n".join([setup, "", *_r2_table(metrics, args.models), "", *gains, "", *timing_table(timings, n_train)])
    print("\n" + body)
    if args.record:
        from record import record

        record("deep", "Deep valuation on the synthetic world: R² by segment, image gain, oracle and timings", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
