"""Run metadata: what made a report (code version, profile, config, seed, time, machine, packages).

The workflow writes the run's facts once, at its start, to ``results/<profile>/run.json``
(Snakemake's ``onstart``: start time, config files, cores, profile; see :func:`write_run`).
Every report calls :func:`report_header` with that file and the resolved config; the report
index shows the same table with the total wall time at index time.

The code a workflow job runs: :func:`code_files` lists the package's source files that a job's
modules import (its code closure) and :func:`file_digests` their content hashes; the workflow
writes them to ``results/<profile>/code/<unit>.json``, an input of the jobs, so that editing a
module re-runs exactly the jobs whose closure holds it (see ``rules/code.smk``).
"""

from __future__ import annotations

import ast
import datetime as _dt
import functools
import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata as _importlib_metadata
from pathlib import Path

__all__ = ["collect", "git_state", "report_header", "metadata_rows", "write_run", "format_duration",
           "code_files", "file_digests", "notebook_imports", "PACKAGES", "CODE_LEAVES"]

PACKAGES = ("numpy", "scipy", "pandas", "statsmodels", "arviz", "keras")
"""Packages whose versions are recorded when installed."""

UNKNOWN = "unknown"


def _now() -> _dt.datetime:
    return _dt.datetime.now().astimezone()


def write_run(path: str | os.PathLike, *, profile: str, configfiles: Sequence[str] = (),
              cores: int | None = None, started: _dt.datetime | None = None) -> Path:
    """Write the run's facts (start time ISO, config files, cores, profile) to ``path`` (JSON)."""
    path = Path(path)
    facts = {
        "started": (started or _now()).isoformat(timespec="seconds"),
        "profile": profile,
        "configfiles": [str(Path(f).resolve()) if Path(f).exists() else str(f) for f in configfiles],
        "cores": cores,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
    return path


def _git(repo: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state(repo: str | os.PathLike) -> dict:
    """``{"commit": sha, "modified": bool}`` of the git checkout holding ``repo``; "unknown" outside one.

    Modified means any tracked file differs from the commit, or a file git does not ignore is untracked.
    """
    repo = Path(repo)
    top = _git(repo, "rev-parse", "--show-toplevel")
    commit = _git(repo, "rev-parse", "HEAD") if top else None
    if not top or not commit:
        return {"commit": UNKNOWN, "modified": UNKNOWN}
    status = _git(repo, "status", "--porcelain")
    return {"commit": commit.strip(), "modified": UNKNOWN if status is None else bool(status.strip())}


def _package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = _importlib_metadata.version(name)
        except _importlib_metadata.PackageNotFoundError:
            continue
    return out


def _read_json(path: str | os.PathLike | None) -> dict:
    if not path:
        return {}
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def format_duration(seconds: float | None) -> str:
    """``3 min 12 s``, ``1 h 02 min``, ``48 s``; "unknown" for None."""
    if seconds is None:
        return UNKNOWN
    seconds = int(round(max(seconds, 0.0)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def collect(config_json: str | None = None, run_json: str | None = None, *, repo: str | os.PathLike | None = None,
            now: _dt.datetime | None = None) -> dict:
    """The run's metadata as a plain (JSON-able) dict.

    Keys: ``artstudy`` (version), ``git_commit`` and ``git_modified`` (of the checkout holding the package,
    or ``repo``; "unknown" outside one), ``profile``, ``config_files``, ``seed``, ``started`` (ISO),
    ``elapsed_s`` and ``elapsed`` (since the start, as of ``collected``), ``collected`` (ISO), ``cpu_count``,
    ``snakemake_cores``, ``python``, ``packages`` (name -> version of :data:`PACKAGES` installed).
    Missing files or facts give "unknown" (None for numbers).
    """
    from .. import __version__

    config = _read_json(config_json)
    run = _read_json(run_json)
    now = now or _now()
    git = git_state(repo if repo is not None else Path(__file__).resolve().parents[2])
    started = run.get("started")
    elapsed = None
    if started:
        try:
            elapsed = (now - _dt.datetime.fromisoformat(started)).total_seconds()
        except (TypeError, ValueError):
            elapsed = None
    return {
        "artstudy": __version__,
        "git_commit": git["commit"],
        "git_modified": git["modified"],
        "profile": run.get("profile") or config.get("profile") or UNKNOWN,
        "config_files": list(run.get("configfiles") or []),
        "seed": config.get("seed", UNKNOWN),
        "started": started or UNKNOWN,
        "elapsed_s": None if elapsed is None else round(elapsed, 1),
        "elapsed": format_duration(elapsed),
        "collected": now.isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "snakemake_cores": run.get("cores"),
        "python": platform.python_version(),
        "packages": _package_versions(),
    }


def _short_path(path: str) -> str:
    """A config file as the reader needs it: relative to the repository when inside it."""
    root = Path(__file__).resolve().parents[2]
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return path


def metadata_rows(meta: dict, elapsed_label: str = "Wall time so far") -> list[tuple[str, str]]:
    """The metadata as (label, value) rows of a compact table."""
    commit = meta.get("git_commit", UNKNOWN)
    modified = meta.get("git_modified", UNKNOWN)
    if commit != UNKNOWN:
        commit = commit[:12] + (" (working tree modified)" if modified is True else
                                " (clean)" if modified is False else "")
    started = meta.get("started", UNKNOWN)
    if started != UNKNOWN:
        started = started.replace("T", " ")
    cores = f"{meta.get('snakemake_cores') or UNKNOWN} for Snakemake, {meta.get('cpu_count') or UNKNOWN} on the machine"
    packages = ", ".join(f"{k} {v}" for k, v in meta.get("packages", {}).items()) or UNKNOWN
    configs = ", ".join(_short_path(p) for p in meta.get("config_files", [])) or UNKNOWN
    return [
        ("Profile", str(meta.get("profile", UNKNOWN))),
        ("Config files", configs),
        ("Seed", str(meta.get("seed", UNKNOWN))),
        ("artstudy", f"{meta.get('artstudy', UNKNOWN)}, commit {commit}"),
        ("Run started", str(started)),
        (elapsed_label, str(meta.get("elapsed", UNKNOWN))),
        ("Cores", cores),
        ("Python", str(meta.get("python", UNKNOWN))),
        ("Packages", packages),
    ]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_header(title: str, config_json: str, run_json: str) -> str:
    """Markdown for the top of a report: the title as heading and a compact table of the run's metadata."""
    meta = collect(config_json, run_json)
    lines = [f"# {title}", "", "| Run | |", "| --- | --- |"]
    lines += [f"| {label} | {_md_cell(value)} |" for label, value in metadata_rows(meta, "Wall time when this ran")]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# the code a job runs
# --------------------------------------------------------------------------

CODE_LEAVES = ("artstudy", "artstudy.cli", "artstudy.settings", "artstudy.models.registry")
"""Modules :func:`code_files` lists without following their imports: the package's top (names
re-exported for users), the command line's dispatch (it imports every command), the settings
classes (a job sees them through its config part, which holds the resolved config) and the model
registry (a valuation job names its model's modules itself)."""


def _module_facts(path: Path, name: str) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], dict, bool]:
    """A module's imports of its own package as ``(module, names)``, its ``_WHERE`` map and whether it
    defines a module-level ``__getattr__`` (a package whose names load lazily)."""
    stat = path.stat()
    return _parsed_facts(str(path), stat.st_mtime_ns, stat.st_size, name)


@functools.lru_cache(maxsize=None)
def _parsed_facts(path: str, mtime_ns: int, size: int, name: str):
    """:func:`_module_facts` of one version of a file (cached by its time and size)."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)
    package = name if Path(path).name == "__init__.py" else name.rpartition(".")[0]
    top = name.split(".")[0]
    imports = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports += [(alias.name, ()) for alias in node.names if alias.name.split(".")[0] == top]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] == top:
                imports.append((module, tuple(alias.name for alias in node.names)))
    where, lazy = {}, False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            lazy = True
        elif (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["_WHERE"]
              and isinstance(node.value, ast.Dict)):
            where = ast.literal_eval(node.value)
    return tuple(imports), where, lazy


def _module_path(root: Path, name: str) -> Path | None:
    """The file of module ``name`` (``artstudy.models.pam``) under the package folder ``root``; None if none."""
    base = root.joinpath(*name.split(".")[1:])
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return base.with_suffix(".py") if base.with_suffix(".py").is_file() else None


def _imported(root: Path, module: str, names: tuple[str, ...]) -> list[str]:
    """The modules an ``import module`` / ``from module import names`` statement runs."""
    path = _module_path(root, module)
    if path is None or path.name != "__init__.py" or not names:
        return [module]
    _, where, lazy = _module_facts(path, module)
    out = []
    for name in names:
        if _module_path(root, f"{module}.{name}") is not None:
            out.append(f"{module}.{name}")
        elif name in where:
            out.append(f"{module}.{where[name]}")
        elif lazy:  # a name the package loads on demand: any of its modules
            out += [module] + [f"{module}.{p.stem}" for p in sorted(path.parent.glob("*.py")) if p.stem != "__init__"]
        else:
            out.append(module)
    return out


def code_files(roots: Sequence[str], *, package: str | os.PathLike | None = None,
               leaves: Sequence[str] = CODE_LEAVES, skip: Sequence[str] = ()) -> list[str]:
    """The package's source files that running the modules ``roots`` executes (their code closure).

    Every import of the package written in a module (at its top or inside a function) is followed:
    ``from P import name`` runs ``P.name`` when that is a module, the module a lazy package maps
    ``name`` to (its ``_WHERE``), every module of a lazy package otherwise, and ``P`` itself for a
    name ``P`` defines. The ``__init__.py`` of every package holding a listed module is listed too
    (it runs on import), its own imports followed only where the package is imported by name.

    Parameters
    ----------
    roots : sequence of str
        Dotted module names (``artstudy.cli.pam_fit``).
    package : path, optional
        The package's folder (default: this package's).
    leaves : sequence of str
        Modules listed without following their imports (default :data:`CODE_LEAVES`).
    skip : sequence of str
        Modules left out, with whatever only they import.

    Returns
    -------
    list of str
        Paths relative to the package folder's parent (``artstudy/models/pam/em.py``), sorted.

    Raises
    ------
    InputError
        A root is not a module of the package.
    """
    from ..errors import InputError

    root = Path(package) if package is not None else Path(__file__).resolve().parents[1]
    top = root.name
    for name in roots:
        if name.split(".")[0] != top or _module_path(root, name) is None:
            raise InputError(f"code_files: {name!r} is not a module of the package {top} ({root})")
    seen: dict[str, Path] = {}
    stack = list(roots)
    while stack:
        name = stack.pop()
        path = _module_path(root, name)
        if name in seen or name in skip or path is None:
            continue
        seen[name] = path
        if name in leaves:
            continue
        for module, names in _module_facts(path, name)[0]:
            stack += _imported(root, module, names)
    files = set(seen.values())
    for name in seen:  # the packages holding each module run their __init__ on import
        parts = name.split(".")
        files.update(_module_path(root, ".".join(parts[:i])) for i in range(1, len(parts)))
    return sorted(p.relative_to(root.parent).as_posix() for p in files if p is not None)


def notebook_imports(path: str | os.PathLike, package: str | os.PathLike | None = None) -> list[str]:
    """The package's modules that a notebook's code cells import (lines of magics left out), sorted.

    ``from artstudy.study import tables`` gives ``artstudy.study.tables``, a name defined in a module
    that module, as :func:`code_files` resolves them; ``package`` is the package's folder (default:
    this package's).
    """
    root = Path(package) if package is not None else Path(__file__).resolve().parents[1]
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    modules = set()
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source, filename=str(path))):
            if isinstance(node, ast.Import):
                modules.update(a.name for a in node.names if a.name.split(".")[0] == root.name)
            elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == root.name:
                modules.update(_imported(root, node.module, tuple(a.name for a in node.names)))
    return sorted(modules)


def file_digests(files: Sequence[str], base: str | os.PathLike) -> dict[str, str]:
    """``{file: sha256 of its bytes}`` of ``files`` (paths relative to ``base``), in the order given."""
    return {name: hashlib.sha256((Path(base) / name).read_bytes()).hexdigest() for name in files}
