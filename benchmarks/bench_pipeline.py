"""Benchmark: wall time of the whole workflow, from nothing, for a profile.

Runs ``snakemake --cores N`` with the repository's Snakefile into a fresh temporary working
directory (so nothing is cached) and times it.

    python benchmarks/bench_pipeline.py [--profile config/quick.yaml ...] [--cores 2] [--record]

``--record`` writes ``benchmarks/results/pipeline.md`` (see ``benchmarks/record.py``): one row per
profile given (none: the default profile).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(profiles: list[str], cores: int, workdir: str | None = None) -> float:
    """Seconds the workflow takes with these profile files, in a fresh working directory.

    ``workdir`` (a new or empty folder) keeps the outputs; by default a temporary folder is used.
    """
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    with tempfile.TemporaryDirectory() as tmp:
        where = workdir or tmp
        if workdir and Path(workdir).exists() and any((Path(workdir) / d).exists() for d in ("results", "reports")):
            profile_dirs = {p.name for p in (Path(workdir) / "results").glob("*")}
            print(f"note: {workdir} already holds results of profiles {sorted(profile_dirs)}")
        cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", where, "--cores", str(cores)]
        if profiles:
            cmd += ["--configfile", *[str(ROOT / p) for p in profiles]]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", nargs="*", action="append", default=None, metavar="FILE",
                        help="profile files of one run (repeat the option for several runs; none: the default)")
    parser.add_argument("--cores", type=int, default=os.cpu_count())
    parser.add_argument("--record", action="store_true", help="write benchmarks/results/pipeline.md")
    parser.add_argument("--workdir", default=None,
                        help="keep the outputs in this folder (each profile writes its own results/<profile>/)")
    args = parser.parse_args()
    runs = args.profile or [[]]
    lines = ["| profile | cores | wall time |", "|---|---|---|"]
    for profiles in runs:
        seconds = run(profiles, args.cores, args.workdir)
        name = " + ".join(profiles) or "default (config/config.yaml)"
        lines.append(f"| {name} | {args.cores} | {seconds / 60:.1f} min ({seconds:.0f} s) |")
        print(lines[-1], flush=True)
    if args.record:
        from record import record

        record("pipeline", "The whole workflow from a fresh working directory (simulation study, synthetic world, "
               "fits, valuation models, reports)", "\n".join(lines))


if __name__ == "__main__":
    main()
