"""Deliberate bugs in the popularity-ability model's inference, each of which the tests must catch.

``make mutations`` (``.venv/bin/python tests/mutations.py``): for every mutation, the repository
(package and tests) is copied to a temporary folder, one textual replacement is applied to the copy
(the pattern must occur exactly once), and the tests that guard that part run there
(``pytest -x -q``). A mutation is *caught* when they fail. The unmutated copy must pass the same
tests first, so that a broken test run is not mistaken for a catch. Exits 1 if any mutation is
not caught.

    python tests/mutations.py [--only a c] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAM = "artstudy/models/pam"


@dataclass(frozen=True)
class Mutation:
    key: str
    what: str
    path: str
    old: str
    new: str
    tests: tuple


MUTATIONS = (
    Mutation("a", "marginal covariance x4", f"{PAM}/model.py",
             "    return np.linalg.inv(info)\n", "    return 4 * np.linalg.inv(info)\n",
             ("tests/test_pam_inference.py",)),
    Mutation("b", "Louis' missing information x0.6", f"{PAM}/model.py",
             "missing = cells.reshape(n_art * width, n_par).T @ C_Xc / sigma2**2",
             "missing = 0.6 * cells.reshape(n_art * width, n_par).T @ C_Xc / sigma2**2",
             ("tests/test_pam_inference.py",)),
    Mutation("c", "plug-in sigma^2 (no posterior variance of the abilities)", f"{PAM}/em.py",
             "expected_rss = rss + np.sum(problem.counts * a_var)", "expected_rss = rss",
             ("tests/test_pam_inference.py",)),
    Mutation("d", "ability_sd_ x3", f"{PAM}/model.py",
             "self.ability_sd_ = np.where(active, np.sqrt(em.a_var), np.nan)",
             "self.ability_sd_ = np.where(active, 3 * np.sqrt(em.a_var), np.nan)",
             ("tests/test_pam_inference.py",)),
    Mutation("e", "lam read as the prior's rate instead of its mean", f"{PAM}/ars.py",
             "    return 1.0 / lam\n", "    return lam\n", ("tests/test_ars.py",)),
    Mutation("f", "Prop. 2 erratum put back (2 S instead of S / 2)", f"{PAM}/ars.py",
             "half_s = 0.5 * sum_sq", "half_s = 2 * sum_sq", ("tests/test_ars.py",)),
    Mutation("g", "Eq. 10 erratum put back (a at t'_1 + 1)", f"{PAM}/samplers.py",
             "last_neighbour = p[:, j]\n", "last_neighbour = p[:, j + 2]\n", ("tests/test_samplers.py",)),
)

_IGNORE = shutil.ignore_patterns(".git", ".venv", "results", "logs", ".snakemake", "__pycache__", "*.egg-info",
                                 ".pytest_cache", "reports")


def copy_repo(dest: Path) -> Path:
    """The package, tests and project files copied into ``dest/repo``."""
    target = dest / "repo"
    shutil.copytree(ROOT, target, ignore=_IGNORE)
    return target


def apply(repo: Path, m: Mutation) -> None:
    path = repo / m.path
    text = path.read_text()
    found = text.count(m.old)
    if found != 1:
        raise SystemExit(f"mutation {m.key} ({m.what}): pattern found {found} times in {m.path}, expected once")
    path.write_text(text.replace(m.old, m.new))


def run_tests(repo: Path, tests) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(repo), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)


def _imports_copy(repo: Path) -> bool:
    out = subprocess.run([sys.executable, "-c", "import artstudy; print(artstudy.__file__)"], cwd=repo,
                         env={**os.environ, "PYTHONPATH": str(repo)}, capture_output=True, text=True)
    return out.stdout.strip().startswith(str(repo))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="mutation keys to run (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.only or m.key in args.only]
    tmp = Path(tempfile.mkdtemp(prefix="artstudy-mutations-"))
    try:
        base = copy_repo(tmp / "baseline")
        if not _imports_copy(base):
            raise SystemExit("the copy's package is not the one imported (check PYTHONPATH)")
        tests = sorted({t for m in chosen for t in m.tests})
        clean = run_tests(base, tests)
        if clean.returncode != 0:
            print(clean.stdout[-3000:], clean.stderr[-2000:])
            raise SystemExit("the unmutated tests fail: fix them before judging mutations")
        missed = []
        for m in chosen:
            repo = copy_repo(tmp / f"mutation_{m.key}")
            apply(repo, m)
            result = run_tests(repo, m.tests)
            caught = result.returncode != 0
            failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
            print(f"({m.key}) {m.what}: {'caught' if caught else 'NOT caught'}"
                  + (f" by {failed[0].split()[1]}" if failed else ""), flush=True)
            if not caught:
                missed.append(m.key)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(chosen) - len(missed)} of {len(chosen)} mutations caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
