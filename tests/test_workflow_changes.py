"""What a change re-runs: exactly the jobs whose code or config changed, and what reads their outputs.

A job's code is its code part (results/<profile>/code/<unit>.json: every source file its command,
model or notebook imports, with its SHA-256; rules/code.smk) and its config its config part
(results/<profile>/config/<part>.json; rules/config.smk), both inputs of the job and rewritten only
when their text changes. The tests copy the workflow and the package into a folder, bring a working
directory of the quick profile up to date without running a job (the parts are written, every other
output made and marked done with ``--touch``), change one thing in the copy and read the jobs a dry
run would run. Run as::

    PYTHONPATH=<copy> snakemake -s <copy>/Snakefile -d <wd> -n --configfile <copy>/config/quick.yaml
"""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT, run_snakemake, snakemake_env, snakemake_jobs

# the workflow's files and the package, copied (a job's code part hashes the package Snakemake imports)
SOURCES = ["Snakefile", "rules", "config", "notebooks", "environment.yml", "artstudy", "benchmarks/results"]

# every report of the quick profile, rendered, and the index
REPORTS = ["01_simulation", "02_artnet_analysis", "03_deep_valuation", "04_sequences_uncertainty"]
RENDERS = {f"render_html name={name}" for name in REPORTS} | {"report_index", "all"}
NOTEBOOKS = {f"execute_notebook name={name}" for name in REPORTS}
DEEP = {f"deep_fit source=synthetic, model={m}" for m in ("mlp", "cnn", "multimodal", "lstm", "cnn_lstm")}


class Sandbox:
    """A copy of the workflow (``src``) and a working directory (``wd``) of the quick profile, up to date."""

    def __init__(self, root: Path):
        self.src, self.wd = root / "src", root / "wd"
        self.env = dict(snakemake_env(), PYTHONPATH=str(self.src))
        for name in SOURCES:
            source, target = ROOT / name, self.src / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            elif source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)

    def snakemake(self, *args: str, configfiles=()) -> str:
        configs = [str(self.src / "config" / "quick.yaml"), *map(str, configfiles)]
        result = run_snakemake("-s", str(self.src / "Snakefile"), "-d", str(self.wd), *args, "--configfile", *configs,
                               cwd=self.wd.parent, env=self.env)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-6000:]
        return output

    def bring_up_to_date(self) -> None:
        """Write the config and code parts (cheap jobs, run for real), make every other output and mark it done."""
        self.snakemake("--cores", "1", "--until", "config_part", "code_part")
        summary = self.snakemake("--summary")
        for line in summary.splitlines()[1:]:
            fields = line.split("\t")
            if len(fields) < 5 or fields[4] != "missing":
                continue
            path = self.wd / fields[0]
            if path.suffix:  # a file; the one output without a suffix is a folder (world/images)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
            else:
                path.mkdir(parents=True, exist_ok=True)
        self.snakemake("--cores", "1", "--touch")

    def jobs(self, configfiles=()) -> set[str]:
        """The jobs a dry run would run: ``rule`` or ``rule wildcards``."""
        return snakemake_jobs(self.snakemake("-n", configfiles=configfiles))

    @contextmanager
    def edited(self, relative: str, old: str = "", new: str = "\n# edited\n"):
        """The copy's file with ``old`` replaced by ``new`` (appended when ``old`` is empty), restored after."""
        path = self.src / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1) if old else text + new, encoding="utf-8")
        try:
            yield path
        finally:
            path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Sandbox:
    box = Sandbox(tmp_path_factory.mktemp("changes"))
    box.bring_up_to_date()
    assert box.jobs() == set()
    return box


def code_parts(*units: str) -> set[str]:
    return {f"code_part unit={unit}" for unit in units}


def test_an_unchanged_workflow_re_runs_nothing_even_when_its_files_are_touched(sandbox):
    later = time.time() + 3600
    for path in [*(sandbox.src / "artstudy").rglob("*.py"), *(sandbox.src / "notebooks").glob("*.ipynb")]:
        os.utime(path, (later, later))
    assert sandbox.jobs() == set()


def test_editing_the_em_module_re_runs_the_popularity_ability_fits_and_their_readers(sandbox):
    with sandbox.edited("artstudy/models/pam/em.py"):
        jobs = sandbox.jobs()
    assert jobs == (code_parts("simulation", "pam_fit", "fit_pam", "notebook_01_simulation")
                    | {f"sim_replicate rep={rep}" for rep in range(1, 5)} | {"sim_gather", "sim_detail"}
                    | {"pam_fit source=synthetic", "valuation_fit source=synthetic, model=pam",
                       "valuation_score source=synthetic"} | NOTEBOOKS | RENDERS)


def test_editing_the_tree_models_re_runs_their_fits_and_the_deep_fits_that_import_them(sandbox):
    # artstudy.models.deep.estimators imports seed_of from artstudy.models.trees
    with sandbox.edited("artstudy/models/trees.py"):
        jobs = sandbox.jobs()
    assert jobs == (code_parts("fit_gbt", "fit_gbt_lags", "fit_mlp", "fit_cnn", "fit_multimodal", "fit_lstm",
                               "fit_cnn_lstm")
                    | {"valuation_fit source=synthetic, model=gbt", "valuation_fit source=synthetic, model=gbt_lags",
                       "valuation_score source=synthetic"} | DEEP
                    | {n for n in NOTEBOOKS if "01_simulation" not in n} | RENDERS - {"render_html name=01_simulation"})


def test_editing_the_renderer_re_renders_the_reports_only(sandbox):
    with sandbox.edited("artstudy/study/render.py"):
        assert sandbox.jobs() == code_parts("render") | RENDERS


def test_editing_a_notebook_re_runs_its_report_only(sandbox):
    with sandbox.edited("notebooks/01_simulation.ipynb", '"cells": [', '"cells": [ '):
        assert sandbox.jobs() == (code_parts("notebook_01_simulation")
                                  | {"execute_notebook name=01_simulation", "render_html name=01_simulation",
                                     "report_index", "all"})


def test_a_config_change_re_runs_the_jobs_reading_that_section(sandbox, tmp_path):
    # deep.epochs: the deep fits and what reads their predictions; the reports read the whole config
    epochs = tmp_path / "epochs.yaml"
    epochs.write_text("deep:\n  epochs: 5\n")
    assert sandbox.jobs([epochs]) == ({"config_part part=deep", "config_part part=study", "valuation_score "
                                       "source=synthetic"} | DEEP | NOTEBOOKS | RENDERS)
    # a report-only setting: the reports, nothing upstream
    top_k = tmp_path / "top_k.yaml"
    top_k.write_text("artnet:\n  top_k: 7\n")
    assert sandbox.jobs([top_k]) == {"config_part part=study"} | NOTEBOOKS | RENDERS


# --------------------------------------------------------------------------
# the code closure (artstudy.study.metadata.code_files), on a package written here
# --------------------------------------------------------------------------

TOY = {
    "__init__.py": "from .models import fit\n",  # re-exports for users: a leaf
    "errors.py": "",
    "cli/__init__.py": "from . import run, other\n",
    "cli/run.py": ("from ..errors import InputError\nfrom ..core import util\n\n"
                   "def main():\n    from ..models import fit\n    from ..extra import thing\n"),
    "cli/other.py": "from ..heavy import everything\n",
    "core/__init__.py": "",
    "core/util.py": "import toy.core.helpers\nimport numpy\n",
    "core/helpers.py": "",
    "models/__init__.py": ('_WHERE = {"fit": "fitting"}\n\n'
                          "def __getattr__(name):\n    import importlib\n"
                          "    return getattr(importlib.import_module('.' + _WHERE[name], __name__), name)\n"),
    "models/fitting.py": "from .maths import solve\n",
    "models/maths.py": "",
    "models/unused.py": "",
    "extra.py": "from . import errors\n",
    "heavy.py": "",
}


@pytest.fixture
def toy(tmp_path) -> Path:
    for name, text in TOY.items():
        path = tmp_path / "toy" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "toy"


def test_code_files_follow_the_imports_a_command_runs(toy):
    from artstudy.study.metadata import code_files

    # function-level imports count; a lazy package's name leads to its module; the packages holding a
    # module are listed (their __init__ runs) without following their imports (cli/__init__ -> other ->
    # heavy, toy/__init__ re-exports); imports of other packages (numpy) are not files of this one
    assert code_files(["toy.cli.run"], package=toy, leaves=("toy",)) == [
        "toy/__init__.py", "toy/cli/__init__.py", "toy/cli/run.py", "toy/core/__init__.py", "toy/core/helpers.py",
        "toy/core/util.py", "toy/errors.py", "toy/extra.py", "toy/models/__init__.py", "toy/models/fitting.py",
        "toy/models/maths.py"]
    # a leaf is listed, not followed; a skipped module is left out with what only it imports
    assert code_files(["toy.cli.run"], package=toy, leaves=("toy", "toy.core.util"), skip=("toy.extra",)) == [
        "toy/__init__.py", "toy/cli/__init__.py", "toy/cli/run.py", "toy/core/__init__.py", "toy/core/util.py",
        "toy/errors.py", "toy/models/__init__.py", "toy/models/fitting.py", "toy/models/maths.py"]
    # a lazy package without the name in _WHERE: any of its modules
    (toy / "cli" / "run.py").write_text("from ..models import something\n")
    assert code_files(["toy.cli.run"], package=toy, leaves=("toy",)) == [
        "toy/__init__.py", "toy/cli/__init__.py", "toy/cli/run.py", "toy/models/__init__.py", "toy/models/fitting.py",
        "toy/models/maths.py", "toy/models/unused.py"]


def test_code_files_refuses_a_root_outside_the_package(toy):
    from artstudy.errors import InputError
    from artstudy.study.metadata import code_files

    with pytest.raises(InputError, match=r"^code_files: 'toy.nothing' is not a module of the package toy \("):
        code_files(["toy.nothing"], package=toy)


def test_notebook_imports_resolve_names_to_modules(toy, tmp_path):
    import json

    from artstudy.study.metadata import notebook_imports

    notebook = tmp_path / "nb.ipynb"
    cells = [{"cell_type": "code", "source": ["%matplotlib inline\n", "import numpy\n", "from toy.core import util\n"]},
             {"cell_type": "markdown", "source": ["import toy.heavy"]},
             {"cell_type": "code", "source": ["from toy.models import fit\n", "import toy.extra as e\n",
                                              "from toy.errors import InputError"]}]
    notebook.write_text(json.dumps({"cells": cells}))
    assert notebook_imports(notebook, toy) == ["toy.core.util", "toy.errors", "toy.extra", "toy.models.fitting"]


def _classes(obj, depth: int = 3) -> set[type]:
    """The package's classes of an object and of what it holds (attributes, lists, mappings), ``depth`` deep."""
    found = {type(obj)} if type(obj).__module__.startswith("artstudy.") else set()
    if depth == 0:
        return found
    values = (obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple))
              else vars(obj).values() if hasattr(obj, "__dict__") and not callable(obj) else [])
    for value in values:
        found |= _classes(value, depth - 1)
    return found


def test_the_code_parts_name_the_modules_of_every_registered_model(sandbox, tmp_path):
    # each model's valuation fit lists the modules of the classes its estimator is made of, and the conformal
    # wrapper's where the config makes the model conformal; the oracle reads the synthetic world's truth when
    # made, so it is left out
    import json

    from artstudy.models.registry import REGISTRY, make_model
    from artstudy.settings import resolve

    models = sorted(name for name in REGISTRY if name != "oracle")
    extra = tmp_path / "all_models.yaml"
    extra.write_text(json.dumps({"evaluation": {"models": models, "conformal": ["hedonic"]}}))
    workdir = tmp_path / "wd"
    result = run_snakemake("-s", str(sandbox.src / "Snakefile"), "-d", str(workdir), "--cores", "1",
                           *(f"results/quick/code/fit_{name}.json" for name in models), "--configfile",
                           str(sandbox.src / "config" / "quick.yaml"), str(extra), cwd=tmp_path, env=sandbox.env)
    assert result.returncode == 0, result.stderr[-4000:]
    plain = resolve({"evaluation": {"conformal": []}})
    for name in models:
        files = set(json.loads((workdir / f"results/quick/code/fit_{name}.json").read_text())["files"])
        classes = _classes(make_model(name, plain, random_state=0))
        assert classes, name
        for cls in classes:
            assert cls.__module__.replace(".", "/") + ".py" in files, (name, cls.__module__)
        conformal = name in ("hedonic", "hedonic+estimates", "house_estimate+estimates")
        assert ("artstudy/evaluation/conformal.py" in files) == conformal, name
