"""Benchmark: the sequences-and-uncertainty part of the workflow (its training rules and notebook 04), timed.

Runs the repository's Snakefile into a fresh working directory (``--workdir`` keeps it) for a
profile (default: the default study; ``--profile config/quick.yaml`` ...), in timed steps:

1. the synthetic world and its prepared sales (world, prepare);
2. the multi-modal model, whose picture embeddings the CNN-LSTM reads (a rule of notebook 03);
3. the sequence models' training rules (lstm, cnn_lstm as ``deep_fit``; gbt_lags as ``valuation_fit``),
   the part the issue times with notebook 04;
4. the other models of the harness and the scoring;
5. notebook 04 executed and rendered (``reports/<profile>/04_sequences_uncertainty.html``).

Prints every model's R² and 80% / 95% coverage and width on all test sales, the sequence gain of each
sequence model over the same model without the sequence on repeat and fresh sales, and whether the
issue's criteria hold: every model's 80% intervals cover 75%-85% of the test sales, and notebook 04
with its training rules takes under 15 minutes.

    python benchmarks/bench_sequences.py [--profile FILE ...] [--cores 2] [--workdir DIR] [--record]

``--record`` writes ``benchmarks/results/sequences.md`` (see ``benchmarks/record.py``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_deep import _config, _gain, _snakemake, workflow_arguments  # noqa: E402

#: The sequence models and the same model without the sequence.
PAIRS = {"lstm": "mlp", "cnn_lstm": "multimodal", "gbt_lags": "gbt"}
#: The issue's aims: 80% intervals cover within these bounds; notebook 04 and its rules within this time.
COVERAGE_BOUNDS = (0.75, 0.85)
MAX_MINUTES = 15.0


def model_table(metrics) -> list[str]:
    """R², coverage and width of every model on all test sales, as Markdown lines."""
    from artstudy.models.registry import display_name

    m = metrics[metrics["segment"] == "all"].set_index(["model", "metric"])["value"]
    lines = ["| model | R² | coverage 80% | coverage 95% | width 80% (log) | CRPS |", "|---|---|---|---|---|---|"]
    for name in dict.fromkeys(metrics["model"]):
        cells = [m.get((name, k)) for k in ("r2", "coverage80", "coverage95", "width80", "crps")]
        lines.append(f"| {display_name(name)} | " + " | ".join("-" if c is None else f"{c:.3f}" for c in cells) + " |")
    return lines


def coverage_verdict(metrics) -> tuple[list[str], bool]:
    """Which models' 80% intervals cover outside :data:`COVERAGE_BOUNDS` on all test sales."""
    lo, hi = COVERAGE_BOUNDS
    c = metrics[(metrics["segment"] == "all") & (metrics["metric"] == "coverage80")].set_index("model")["value"]
    outside = c[(c < lo) | (c > hi)]
    line = (f"- every model's 80% intervals cover between {lo:.0%} and {hi:.0%} of the test sales "
            f"({c.min():.1%} to {c.max():.1%}): " + ("holds" if outside.empty else
                                                     "does not hold (" + ", ".join(f"{k} {v:.1%}" for k, v in outside.items()) + ")"))
    return [line], outside.empty


def gain_lines(differences) -> list[str]:
    """R² gain of each sequence model over its counterpart, on repeat and fresh sales (paired bootstrap)."""
    lines = []
    for model, reference in PAIRS.items():
        rows = {seg: _gain(differences, model, reference, seg) for seg in ("all", "repeat", "fresh")}
        parts = [f"{seg} {row['value']:+.3f} [{row['ci_low']:+.3f}, {row['ci_high']:+.3f}]"
                 for seg, row in rows.items() if row is not None]
        if parts:
            lines.append(f"- {model} minus {reference} (R²): " + "; ".join(parts))
    return lines


def main(argv=None) -> int:
    args = workflow_arguments(__doc__.splitlines()[0], "sequences", argv)
    import pandas as pd

    config = _config(args.profile)
    p, deep = config.profile, config.deep
    base = f"results/{p}/valuation/synthetic"
    sequence = [f"results/{p}/deep/synthetic/{m}/summary.json" for m in ("lstm", "cnn_lstm") if m in deep.models]
    sequence += [f"{base}/predictions/gbt_lags.csv"] if "gbt_lags" in config.evaluation.models else []
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or tmp
        run = lambda targets: _snakemake(work, args.profile, args.cores, targets)  # noqa: E731
        t_data = run([f"results/{p}/data/synthetic/sales.csv"])
        print(f"world and prepared sales: {t_data:.0f} s", flush=True)
        t_encoder = run([f"results/{p}/deep/synthetic/multimodal/summary.json"]) if "cnn_lstm" in deep.models else 0.0
        print(f"multi-modal model (the CNN-LSTM's picture embeddings): {t_encoder:.0f} s", flush=True)
        t_sequence = run(sequence)
        print(f"sequence training rules: {t_sequence:.0f} s", flush=True)
        t_other = run([f"{base}/metrics.csv"])
        print(f"other models and scoring: {t_other:.0f} s", flush=True)
        t_report = run([f"reports/{p}/04_sequences_uncertainty.html"])
        print(f"notebook 04: {t_report:.0f} s", flush=True)
        out = Path(work) / base
        metrics = pd.read_csv(out / "metrics.csv")
        differences = pd.read_csv(out / "differences.csv")
    minutes = (t_sequence + t_report) / 60
    covered, _ = coverage_verdict(metrics)
    setup = (f"profile {p}: {config.world.n_lots} lots offered; sequences of the artist's last {deep.length} "
             f"sales, LSTM of {deep.lstm_units} units, at most {deep.epochs} epochs, predictive {deep.predictive}, "
             f"{os.environ.get('KERAS_BACKEND', 'jax')} backend, {args.cores} cores")
    steps = ["| step | wall time |", "|---|---|", f"| world and prepared sales | {t_data / 60:.1f} min |",
             f"| multi-modal model (notebook 03's rule; the CNN-LSTM's embeddings) | {t_encoder / 60:.1f} min |",
             f"| sequence training rules (lstm, cnn_lstm, gbt_lags) | {t_sequence / 60:.1f} min |",
             f"| notebook 04 (scored, executed and rendered) | {t_report / 60:.1f} min |",
             f"| **sequence rules and notebook 04** | **{minutes:.1f} min** |",
             f"| other models of the harness and scoring | {t_other / 60:.1f} min |"]
    criteria = covered + [f"- notebook 04 and its training rules under {MAX_MINUTES:.0f} minutes ({minutes:.1f} min): "
                          + ("holds" if minutes < MAX_MINUTES else "does not hold")]
    body = "\n".join([setup, "", *steps, "", *model_table(metrics), "", *gain_lines(differences), "", *criteria])
    print("\n" + body)
    if args.record:
        from record import record

        record("sequences", "Sequences and uncertainty in the workflow: wall time of the sequence rules and "
                            "notebook 04, accuracy and interval coverage of every model", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
