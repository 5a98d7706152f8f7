"""Benchmark: the deep-valuation part of the workflow (training rules and notebook 03), timed, with its result.

Runs the repository's Snakefile into a fresh working directory (``--workdir`` keeps it) for a
profile (default: the default study; ``--profile config/quick.yaml`` ...), in four timed steps:

1. the synthetic world and its prepared sales (world, prepare);
2. the deep models' training rules (``deep_fit``: mlp, cnn, multimodal), the part the issue times;
3. the other models of the harness and the scoring (``valuation_fit``, ``valuation_score``);
4. notebook 03 executed and rendered (``reports/<profile>/03_deep_valuation.html``).

Prints R² by model on all, repeat and fresh-to-market test sales (``metrics.csv``), the image gain
(multi-modal minus tabular MLP) on fresh and repeat sales with the harness's paired bootstrap
intervals, the oracle's fresh gain and the share of it the multi-modal model captures, and per
deep model its wall time, epochs and training images/s (its ``summary.json``).

    python benchmarks/bench_deep.py [--profile FILE ...] [--cores 2] [--workdir DIR] [--record]

``--record`` writes ``benchmarks/results/deep.md`` and adds this machine's rows to ``deep.csv`` (each step's wall
time, each deep model's training speed; a machine's earlier rows are replaced, other machines' kept; see
``benchmarks/record.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
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


def _snakemake(workdir: str, profiles: list[str], cores: int, targets: list[str]) -> float:
    """Seconds ``snakemake`` takes to make ``targets`` (the repository's Snakefile, run into ``workdir``)."""
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", workdir, "--cores", str(cores)]
    if profiles:
        cmd += ["--configfile", *[str(ROOT / p) for p in profiles]]
    t0 = time.perf_counter()
    done = subprocess.run(cmd + targets, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"snakemake failed on {targets}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - t0


def _config(profiles: list[str]):
    from artstudy.settings import load_config, resolve

    return resolve(load_config([ROOT / "config" / "config.yaml", *[ROOT / p for p in profiles]]), source="bench_deep")


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
    """The image gain on fresh and repeat sales, the oracle's share, and whether the issue's criterion holds
    (:func:`artstudy.study.deep_report.criterion_holds`)."""
    import numpy as np
    import pandas as pd

    from artstudy.study.deep import GAIN_COLUMNS
    from artstudy.study.deep_report import criterion_holds

    fresh, repeat = _gain(differences, "multimodal", "mlp", "fresh"), _gain(differences, "multimodal", "mlp", "repeat")
    oracle = _gain(differences, "oracle", "mlp", "fresh")
    if fresh is None or repeat is None:
        return ["(the image gain needs the models mlp and multimodal and both segments)"], None
    lines = [f"- image gain (multi-modal minus tabular MLP, R²) on {label}: {g['value']:+.3f} "
             f"[{g['ci_low']:+.3f}, {g['ci_high']:+.3f}]" for label, g in (("fresh-to-market", fresh),
                                                                          ("repeat", repeat))]
    rows = [("gain_fresh", fresh["value"]), ("gain_repeat", repeat["value"])]
    if oracle is not None:
        share = fresh["value"] / oracle["value"] if oracle["value"] > 0 else float("nan")
        lines.append(f"- oracle's fresh-to-market gain over the MLP: {oracle['value']:+.3f} "
                     f"[{oracle['ci_low']:+.3f}, {oracle['ci_high']:+.3f}]; share the multi-modal captures: "
                     f"{share:.0%}")
        rows.append(("oracle_share_fresh", share))
    table = pd.DataFrame([(q, v, np.nan, np.nan) for q, v in rows], columns=GAIN_COLUMNS)
    holds = criterion_holds(table, MIN_FRESH_GAIN, MIN_ORACLE_SHARE)
    lines.append(f"- criterion (fresh gain > {MIN_FRESH_GAIN}, above the repeat gain"
                 + (f", at least {MIN_ORACLE_SHARE:.0%} of the oracle's)" if oracle is not None else ")")
                 + f": {'holds' if holds else 'does not hold'}")
    return lines, holds


def _summary(folder: Path) -> dict:
    """A deep model folder's summary.json with its wall times (timing.json)."""
    from artstudy.models.deep.artifacts import read_summary

    return read_summary(folder)


def timing_table(deep_dir: Path, models) -> list[str]:
    """Wall time, epochs and training images/s of each deep model (its summary.json)."""
    from artstudy.models.registry import display_name

    lines = ["| model | wall time (fit, predict, files) | epochs (encoder) | training images/s (encoder) |",
             "|---|---|---|---|"]
    for name in models:
        s = _summary(deep_dir / name)
        epochs = f"{s['epochs_run']}" + (f" ({s['encoder_epochs_run']})" if "encoder_epochs_run" in s else "")
        if s.get("uses_image") and "encoder_samples_per_second" in s:
            rate = f"{s['encoder_samples_per_second']:.0f} (head: {s['samples_per_second']:.0f} rows/s)"
        elif s.get("uses_image"):
            rate = f"{s['samples_per_second']:.0f}"
        else:
            rate = f"({s['samples_per_second']:.0f} rows/s)"
        lines.append(f"| {display_name(name)} | {s['seconds']:.0f} s | {epochs} | {rate} |")
    return lines


def accelerator(gpus: int) -> str:
    """What trained the deep models: the first GPU's name (nvidia-smi) when the profile asks for GPUs, else "CPU"."""
    import shutil

    if not gpus or shutil.which("nvidia-smi") is None:
        return "CPU"
    done = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True)
    names = done.stdout.strip().splitlines() if done.returncode == 0 else []
    return names[0].strip() if names else "GPU (unnamed)"


def csv_rows(deep_dir: Path, models, minutes: dict, device: str, profile: str) -> list[dict]:
    """The tidy rows of ``deep.csv`` for one machine: each step's wall time (min), and per deep model its wall time
    (s), epochs and training speed (images/s for the image models, the encoder's when it was trained apart; rows/s
    of the tabular network or head)."""
    rows = [{"accelerator": device, "profile": profile, "item": step, "quantity": "wall time", "value": value,
             "unit": "min"} for step, value in minutes.items()]
    for name in models:
        s = _summary(deep_dir / name)
        found = [("wall time", s["seconds"], "s"), ("epochs", s["epochs_run"], "epochs")]
        if s.get("uses_image"):
            rate = s.get("encoder_samples_per_second", s["samples_per_second"])
            found.append(("training images/s", rate, "images/s"))
        if not s.get("uses_image") or "encoder_samples_per_second" in s:
            found.append(("training rows/s", s["samples_per_second"], "rows/s"))
        rows += [{"accelerator": device, "profile": profile, "item": name, "quantity": q, "value": float(v), "unit": u}
                 for q, v, u in found]
    return rows


def workflow_arguments(description: str, result: str, argv=None) -> argparse.Namespace:
    """The options of a benchmark that runs the workflow: --profile, --cores, --workdir, --record."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--profile", nargs="*", default=[], metavar="FILE",
                        help="profile files merged over config/config.yaml (none: the default study)")
    parser.add_argument("--cores", type=int, default=os.cpu_count())
    parser.add_argument("--workdir", default=None, help="keep the outputs here (default: a temporary folder)")
    parser.add_argument("--record", action="store_true", help=f"write benchmarks/results/{result}.md")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = workflow_arguments(__doc__.splitlines()[0], "deep", argv)
    import pandas as pd

    config = _config(args.profile)
    p, deep = config.profile, config.deep
    models = [m for m in MODELS if m in ("hedonic", "artist_fe", "gbt", "oracle") or m in deep.models]
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or tmp
        run = lambda targets: _snakemake(work, args.profile, args.cores, targets)  # noqa: E731
        t_data = run([f"results/{p}/data/synthetic/sales.csv"])
        print(f"world and prepared sales: {t_data:.0f} s", flush=True)
        t_deep = run([f"results/{p}/deep/synthetic/{m}/summary.json" for m in deep.models])
        print(f"deep training rules: {t_deep:.0f} s", flush=True)
        t_other = run([f"results/{p}/valuation/synthetic/metrics.csv"])
        print(f"other models and scoring: {t_other:.0f} s", flush=True)
        t_report = run([f"reports/{p}/03_deep_valuation.html"])
        print(f"notebook 03: {t_report:.0f} s", flush=True)
        out = Path(work) / "results" / p
        metrics = pd.read_csv(out / "valuation" / "synthetic" / "metrics.csv")
        differences = pd.read_csv(out / "valuation" / "synthetic" / "differences.csv")
        split = json.loads((out / "valuation" / "synthetic" / "split.json").read_text())
        timings = timing_table(out / "deep" / "synthetic", deep.models)
        minutes = {"world and prepared sales": t_data / 60, "deep training rules": t_deep / 60,
                   "notebook 03": t_report / 60, "deep rules and notebook 03": (t_deep + t_report) / 60,
                   "other models of the harness and scoring": t_other / 60}
        rows = csv_rows(out / "deep" / "synthetic", deep.models, minutes, accelerator(deep.gpus), p)
    gains, _ = verdict(differences)
    tr, te = split["train"], split["test"]
    setup = (f"profile {p}: {config.world.n_lots} lots offered; training {tr['first_year']}-{tr['last_year']} "
             f"({tr['in_sample']} in-sample sales), test {te['first_year']}-{te['last_year']} ({te['in_sample']}); "
             f"pictures {deep.image_size} px, fusion {deep.fusion}, image models on at most {deep.max_image_rows} rows, "
             f"at most {deep.epochs} epochs, batch {deep.batch_size}, {os.environ.get('KERAS_BACKEND', 'jax')} backend, "
             f"{args.cores} cores")
    steps = ["| step | wall time |", "|---|---|", f"| world and prepared sales | {t_data / 60:.1f} min |",
             f"| deep training rules (mlp, cnn, multimodal) | {t_deep / 60:.1f} min |",
             f"| notebook 03 (executed and rendered) | {t_report / 60:.1f} min |",
             f"| **deep rules and notebook 03** | **{(t_deep + t_report) / 60:.1f} min** |",
             f"| other models of the harness and scoring | {t_other / 60:.1f} min |"]
    body = "\n".join([setup, "", *steps, "", *_r2_table(metrics, models), "", *gains, "", *timings])
    print("\n" + body)
    if args.record:
        from record import record, record_csv

        record("deep", "Deep valuation in the workflow: wall time of its rules and notebook, R² by segment, "
                       "image gain and the oracle", body)
        record_csv("deep", rows, keep_other=("machine", "accelerator", "profile"))  # other machines' rows stay
    return 0


if __name__ == "__main__":
    sys.exit(main())
