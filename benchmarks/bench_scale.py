"""Benchmark: how ``artstudy pam-fit`` and ``artstudy prepare`` scale, 10,000 to 10,000,000 sales.

For each size (sales, artists; default 10k/100, 100k/500, 1M/5,000, 4M/20,000, 10M/50,000) a market is drawn
once by the package's simulated-market generator (:func:`artstudy.synth.market.simulate_market`, seed 1) and
written as Parquet into a cache folder (``--cache``, default ``/tmp/artstudy-bench-scale``); then
``artstudy pam-fit MARKET.parquet --covariates <the paper's> --year-effects`` runs as a subprocess, measured
by ``/usr/bin/time -v`` (wall time and peak resident memory of the whole process). ``--prepare N`` also times
``artstudy prepare`` on a generated raw export of N lots (bench_prepare.py's generator, written as Parquet
in blocks of 1,000,000 lots, cached) to a Parquet sales table. Prints a table and the growth of each measure
with the number of sales (the slope of a log-log fit: 1 is linear), and per EM iteration of the fit.

    python benchmarks/bench_scale.py [--sizes 10000 1000000:5000 ...] [--prepare 10000000] [--record]

A size is ``SALES`` (artists = max(100, SALES / 200)) or ``SALES:ARTISTS``. ``--record`` writes the table
to ``benchmarks/results/scale.md`` and its numbers to ``scale.csv`` (see ``benchmarks/record.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = ["10000", "100000", "1000000", "4000000", "10000000"]
COVARIATES = ["log_area", "signed", "inscribed", "material", "support"]
TIME = "/usr/bin/time"


def parse_size(text: str) -> tuple[int, int]:
    """``"1000000"`` -> (1000000, 5000); ``"1000000:2000"`` -> (1000000, 2000)."""
    sales, _, artists = text.partition(":")
    n = int(float(sales))
    return n, int(float(artists)) if artists else max(100, n // 200)


def market_file(cache: Path, n: int, artists: int) -> Path:
    """The cached Parquet market of ``n`` sales by ``artists`` artists (drawn and written when absent)."""
    from artstudy.synth.market import simulate_market

    path = cache / f"market_{n}_{artists}.parquet"
    if not path.exists():
        t = time.perf_counter()
        sim = simulate_market({"n_sales": n, "n_artists": artists}, rng=np.random.default_rng(1))
        sim.sales.drop(columns=["true_ability", "true_popularity"]).to_parquet(path.with_suffix(".tmp"), index=False)
        path.with_suffix(".tmp").rename(path)
        print(f"  drew and wrote {path} in {time.perf_counter() - t:.0f} s", flush=True)
    return path


def raw_file(cache: Path, n: int, block: int = 1_000_000) -> Path:
    """A cached raw export of ``n`` lots in the synthetic world's format, as Parquet (written in blocks)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(HERE))
    from bench_prepare import raw_export

    path = cache / f"raw_{n}.parquet"
    if path.exists():
        return path
    t, writer = time.perf_counter(), None
    for k, lo in enumerate(range(0, n, block)):
        part = raw_export(min(block, n - lo), seed=k + 1)
        part["lot_id"] = "SYN-" + pd.Series(np.arange(lo + 1, lo + len(part) + 1)).astype(str).str.zfill(8)
        part["image_file"] = ""  # the world's exports have the column; these lots have no picture
        table = pa.Table.from_pandas(part, preserve_index=False)
        writer = writer or pq.ParquetWriter(path.with_suffix(".tmp"), table.schema)
        writer.write_table(table)
    writer.close()
    path.with_suffix(".tmp").rename(path)
    print(f"  generated and wrote {path} in {time.perf_counter() - t:.0f} s", flush=True)
    return path


def measured(args: list[str]) -> tuple[float, float, str]:
    """Run a command; (wall seconds, peak resident GB, its output). Peak from /usr/bin/time -v when present."""
    have_time = shutil.which(TIME) is not None
    command = [TIME, "-v", *args] if have_time else args
    t = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    if have_time:
        peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    else:  # the largest child so far: exact when sizes run from small to large
        import resource

        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kb / 1e6, done.stdout


def fit_one(cache: Path, n: int, artists: int, work: Path) -> dict:
    path = market_file(cache, n, artists)
    out = work / f"fit_{n}"
    wall, peak, _ = measured([sys.executable, "-m", "artstudy.cli", "pam-fit", str(path), "--out", str(out),
                              "--covariates", *COVARIATES, "--year-effects", "--seed", "1"])
    facts = {**json.loads((out / "summary.json").read_text()), **json.loads((out / "timing.json").read_text())}
    cells = len(pd.read_csv(out / "ability.csv", usecols=["window"]))
    shutil.rmtree(out, ignore_errors=True)
    return {"sales": facts["n_sales"], "artists": facts["n_artists"], "artist_windows": cells,
            "iterations": facts["n_iterations"], "fit_s": facts["seconds"],
            "per_iteration_s": facts["seconds"] / facts["n_iterations"], "wall_s": wall, "peak_gb": peak}


def slope(x, y) -> float:
    """Growth exponent: the slope of log y on log x (1 = linear)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return float(np.polyfit(np.log(x), np.log(y), 1)[0]) if len(x) > 1 else float("nan")


def fit_table(rows: list[dict]) -> str:
    lines = ["| sales | artists | artist-windows | EM iterations | fit s per iteration | wall s | peak GB |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['sales']:,} | {r['artists']:,} | {r['artist_windows']:,} | {r['iterations']} | "
                     f"{r['per_iteration_s']:.3f} | {r['wall_s']:.1f} | {r['peak_gb']:.2f} |")
    big = [r for r in rows if r["sales"] >= 100_000] or rows  # below, start-up costs dominate
    if len(big) > 1:
        n = [r["sales"] for r in big]
        lines += ["", f"Growth with sales (log-log slope over {big[0]['sales']:,} to {big[-1]['sales']:,} sales; "
                      f"1 = linear): wall time {slope(n, [r['wall_s'] for r in big]):.2f}, peak memory "
                      f"{slope(n, [r['peak_gb'] for r in big]):.2f}, fit time per EM iteration "
                      f"{slope(n, [r['per_iteration_s'] for r in big]):.2f} (per artist-window "
                      f"{slope([r['artist_windows'] for r in big], [r['per_iteration_s'] for r in big]):.2f}); "
                      f"memory per sale at the largest size "
                      f"{big[-1]['peak_gb'] * 1e6 / big[-1]['sales']:.2f} KB."]
    return "\n".join(lines)


def prepare_one(cache: Path, n: int, work: Path) -> dict:
    raw = raw_file(cache, n)
    out = work / "prepared.parquet"
    wall, peak, text = measured([sys.executable, "-m", "artstudy.cli", "prepare", str(raw), "--source", "synthetic",
                                 "--out", str(out)])
    kept = int(pd.read_csv(out.with_name("prepared.funnel.csv"))["lots"].iloc[-1])
    return {"lots": n, "kept": kept, "wall_s": wall, "peak_gb": peak}


def prepare_table(row: dict) -> str:
    line = f"| {row['lots']:,} | {row['kept']:,} | {row['wall_s']:.1f} | {row['peak_gb']:.2f} |"
    return "\n".join(["| raw lots (Parquet) | kept | wall s | peak GB |", "|---|---|---|---|", line])


def csv_rows(rows: list[dict], prep: dict | None = None) -> pd.DataFrame:
    """The tidy table of ``scale.csv``: one row per run, step ``pam-fit`` or ``prepare``; ``sales`` is the market's
    sales (pam-fit) or the raw lots (prepare), ``kept`` the lots prepare kept."""
    fits = pd.DataFrame(rows, columns=["sales", "artists", "artist_windows", "iterations", "fit_s", "per_iteration_s",
                                       "wall_s", "peak_gb"])
    fits.insert(0, "step", "pam-fit")
    if prep is None:
        return fits
    extra = pd.DataFrame([{"step": "prepare", "sales": prep["lots"], "kept": prep["kept"], "wall_s": prep["wall_s"],
                           "peak_gb": prep["peak_gb"]}])
    return pd.concat([fits, extra], ignore_index=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=DEFAULT_SIZES, help="SALES or SALES:ARTISTS, ascending")
    parser.add_argument("--prepare", type=int, default=10_000_000, help="lots of the raw export (0: skip)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "artstudy-bench-scale")
    parser.add_argument("--record", action="store_true", help="write benchmarks/results/scale.md and scale.csv")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    sizes = sorted(parse_size(s) for s in args.sizes)
    print(f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}; cache {args.cache}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, artists in sizes:
            rows.append(fit_one(args.cache, n, artists, Path(tmp)))
            r = rows[-1]
            print(f"  pam-fit {n:,} sales, {artists:,} artists: {r['wall_s']:.1f} s, {r['peak_gb']:.2f} GB, "
                  f"{r['iterations']} iterations", flush=True)
        fits = fit_table(rows)
        print(fits)
        prep_row = prepare_one(args.cache, args.prepare, Path(tmp)) if args.prepare else None
        prep = prepare_table(prep_row) if prep_row else ""
        print(prep)
    if args.record:
        sys.path.insert(0, str(HERE))
        from record import record, record_csv

        body = ("`artstudy pam-fit MARKET.parquet --covariates " + " ".join(COVARIATES) + " --year-effects` "
                "(simulated markets, whole process: wall time and peak resident memory)\n\n" + fits)
        if prep:
            body += "\n\n`artstudy prepare RAW.parquet --source synthetic --out SALES.parquet`\n\n" + prep
        record("scale", "Scaling to ten million sales (target: 10,000,000 sales by 50,000 artists fitted in under "
               "60 s with under 8 GB; prepare of 10,000,000 lots under 2 min)", body)
        record_csv("scale", csv_rows(rows, prep_row))


if __name__ == "__main__":
    main()
