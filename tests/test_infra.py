"""Checks of the project's infrastructure: packaging, environment, config,
notebooks, workflow lint and the report index."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from artstudy.cli import main
from artstudy.errors import InputError
from artstudy.settings import StudyConfig, deep_merge, load_config, resolve, schema, schema_text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _load_yaml(path: Path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _snakemake(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


# --------------------------------------------------------------------------
# pyproject.toml <-> environment.yml
# --------------------------------------------------------------------------

_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*$")


def _split(requirement: str) -> tuple[str, str]:
    """'arviz >=0.20, <1' -> ('arviz', '<1,>=0.20') (normalised name and specifier)."""
    match = _REQ.match(requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    parts = [p.replace(" ", "") for p in match.group(2).split(",") if p.strip()]
    return name, ",".join(sorted(parts))


def _as_dict(requirements) -> dict[str, str]:
    out: dict[str, str] = {}
    for requirement in requirements:
        name, spec = _split(requirement)
        assert name not in out, f"{name} listed twice"
        out[name] = spec
    return out


@pytest.fixture(scope="module")
def pyproject():
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def environment():
    return _load_yaml(ROOT / "environment.yml")


def _conda_parts(environment):
    conda, pip = [], []
    for dep in environment["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep.get("pip", []))
        else:
            conda.append(dep)
    return conda, pip


def test_pyproject_metadata(pyproject):
    project = pyproject["project"]
    assert project["name"] == "artstudy"
    assert project["requires-python"] == ">=3.11"
    assert project["scripts"] == {"artstudy": "artstudy.cli:main"}
    assert "test" in project["optional-dependencies"]
    assert pyproject["tool"]["pytest"]["ini_options"]["testpaths"] == ["tests"]


def test_environment_matches_pyproject(pyproject, environment):
    project = pyproject["project"]
    expected = _as_dict(
        project["dependencies"] + project["optional-dependencies"]["test"]
    )
    conda, pip = _conda_parts(environment)
    assert "python=3.11" in conda
    assert "pip" in conda
    assert pip == ["-e ."], "environment.yml must install the package itself with pip"
    got = _as_dict(d for d in conda if not d.startswith("python=") and d != "pip")

    missing = {k: v for k, v in expected.items() if k not in got}
    extra = {k: v for k, v in got.items() if k not in expected}
    differ = {
        k: (expected[k], got[k]) for k in expected if k in got and expected[k] != got[k]
    }
    assert not missing, f"in pyproject.toml but not environment.yml: {missing}"
    assert not extra, f"in environment.yml but not pyproject.toml: {extra}"
    assert not differ, f"specifiers differ (pyproject, environment.yml): {differ}"


def test_environment_channels(environment):
    assert environment["name"] == "artstudy"
    assert environment["channels"][0] == "conda-forge"


# --------------------------------------------------------------------------
# notebooks
# --------------------------------------------------------------------------


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/*.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [], f"{path.name}: cell {i} has outputs"
        assert cell.execution_count is None, f"{path.name}: cell {i} has an execution count"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
    assert tagged[0].cell_type == "code"
    assert nb.metadata.kernelspec.name == StudyConfig().kernel
    assert nb.metadata.kernelspec.language == "python"


def test_notebook_parameters_are_file_paths_only():
    # no setting's default is repeated in a notebook: its parameters are paths and names, the config is read
    # from the resolved file the workflow writes
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        namespace: dict = {}
        exec(cell.source, namespace)
        params = {k: v for k, v in namespace.items() if not k.startswith("__")}
        # the resolved config the workflow writes (results/<profile>/config/study.json)
        assert re.fullmatch(r"results/([A-Za-z0-9_-]+/)?config/study\.json", params["config_json"]), path.name
        for key, value in params.items():
            assert type(value) is str, f"{path.name}: parameter {key} is {type(value).__name__}, not a path or name"


def test_askart_profile_adds_the_new_york_report():
    merged = load_config([ROOT / "config" / "config.yaml", ROOT / "config" / "real_new_york.yaml"])
    cfg = resolve(merged)
    assert cfg.artnet.sources == ["synthetic", "askart_ny"]
    assert "askart_ny" in cfg.evaluation.sources
    assert cfg.profile == "new_york"
    # the source's path is relative to data_dir, itself relative to the repository root
    assert cfg.source("askart_ny").path == "askart_ny/lots.csv"
    assert cfg.data_dir == "../shared/data"
    assert cfg.source_paths("askart_ny") == [ROOT.parent / "shared" / "data" / "askart_ny" / "lots.csv"]


def test_profiles_name_distinct_output_folders():
    profiles = {}
    for extra in [[], ["quick.yaml"], ["real_new_york.yaml"], ["real_lisbon.yaml"], ["gpu.yaml"]]:
        cfg = resolve(load_config([ROOT / "config" / "config.yaml", *(ROOT / "config" / e for e in extra)]))
        profiles[tuple(extra)] = cfg.profile
    assert profiles == {(): "full", ("quick.yaml",): "quick", ("real_new_york.yaml",): "new_york",
                        ("real_lisbon.yaml",): "lisbon", ("gpu.yaml",): "gpu"}
    assert sorted(p.name for p in (ROOT / "config").glob("*.yaml")) == sorted(
        ["config.yaml", "quick.yaml", "real_new_york.yaml", "real_lisbon.yaml", "gpu.yaml"])
    with pytest.raises(InputError, match="profile"):
        resolve({"profile": "../elsewhere"})


def test_data_dir_resolution(tmp_path):
    cfg = resolve(deep_merge(load_config([ROOT / "config" / "config.yaml"]), {"data_dir": str(tmp_path / "d")}))
    assert cfg.source_paths("askart_ny") == [tmp_path / "d" / "askart_ny" / "lots.csv"]
    assert cfg.source_paths("cml_portugal") == [tmp_path / "d" / "cml_portugal" / "lots.csv"]
    relative = resolve(deep_merge(load_config([ROOT / "config" / "config.yaml"]), {"data_dir": "data"}))
    assert relative.source_paths("askart_ny", root=tmp_path) == [tmp_path / "data" / "askart_ny" / "lots.csv"]
    assert relative.source_paths("askart_ny") == [ROOT / "data" / "askart_ny" / "lots.csv"]
    absolute = deep_merge(load_config([ROOT / "config" / "config.yaml"]),
                          {"sources": {"askart_ny": {"path": str(tmp_path / "x.csv")}}})
    assert resolve(absolute).source_paths("askart_ny") == [tmp_path / "x.csv"]
    assert resolve({}).source_paths("synthetic") == []  # generated, no raw file


def test_a_source_path_may_be_a_list_or_a_pattern(tmp_path):
    for year in (2019, 2020, 2018):
        (tmp_path / "d" / str(year)).mkdir(parents=True)
        (tmp_path / "d" / str(year) / "lots.csv").write_text("x\n")
    (tmp_path / "d" / "notes.txt").write_text("x\n")
    base = deep_merge(load_config([ROOT / "config" / "config.yaml"]), {"data_dir": str(tmp_path / "d")})

    def paths(given):
        return resolve(deep_merge(base, {"sources": {"askart_ny": {"path": given}}})).source_paths("askart_ny")

    d = tmp_path / "d"
    assert paths(["2020/lots.csv", "2019/lots.csv"]) == [d / "2020" / "lots.csv", d / "2019" / "lots.csv"]
    assert paths("*/lots.csv") == [d / "2018" / "lots.csv", d / "2019" / "lots.csv", d / "2020" / "lots.csv"]
    assert paths(["2019/lots.csv", "20*/lots.csv"]) == [d / str(y) / "lots.csv" for y in (2019, 2018, 2020)]
    assert paths("1999/*.csv") == [d / "1999" / "*.csv"]  # matches nothing: named as written, as not found
    assert paths("20*") == [d / "20*"]  # folders are not raw files: nothing matched
    assert paths("*") == [d / "notes.txt"]
    (d / "lots [final].csv").write_text("x\n")
    (d / "lots f.csv").write_text("x\n")
    assert paths("lots [final].csv") == [d / "lots [final].csv"]  # a file named so is itself, not a pattern
    assert paths(["*/lots.csv", str(d / "2019" / "lots.csv")]) == [d / str(y) / "lots.csv" for y in (2018, 2019, 2020)]
    with pytest.raises(InputError, match=r"sources\.askart_ny\.path.*one or more files"):
        paths([])


def test_workflow_stops_with_one_line_when_the_data_are_absent(tmp_path):
    profile = tmp_path / "missing.yaml"
    profile.write_text(f"data_dir: {tmp_path / 'no_such_folder'}\nartnet:\n  sources: [synthetic, askart_ny]\n")
    result = _snakemake(
        "-s", str(ROOT / "Snakefile"), "-d", str(tmp_path / "wd"),
        "--configfile", str(profile), "-n", "--cores", "1",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    missing = str(tmp_path / "no_such_folder" / "askart_ny" / "lots.csv")
    lines = [line for line in output.splitlines() if missing in line]
    assert len(lines) == 1, output
    assert "data_dir" in lines[0] and "askart_ny" in lines[0]
    assert "MissingInputException" not in output


def test_workflow_names_the_one_missing_file_of_a_list(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("Lot\n1\n")
    profile = tmp_path / "list.yaml"
    profile.write_text(yaml.safe_dump({"data_dir": str(data), "artnet": {"sources": ["synthetic", "askart_ny"]},
                                       "sources": {"askart_ny": {"path": ["a.csv", "b.csv"]}}}))
    result = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path / "wd"), "--configfile", str(profile),
                        "-n", "--cores", "1")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    lines = [line for line in output.splitlines() if str(data / "b.csv") in line]
    assert lines == [f"source askart_ny: raw export {data / 'b.csv'} not found (sources.askart_ny.path; the other "
                     "files of the source are there)"], output


# --------------------------------------------------------------------------
# config: one source of defaults
# --------------------------------------------------------------------------


def _leaves(d: dict, prefix=()):
    for key, value in d.items():
        if isinstance(value, dict):
            yield from _leaves(value, prefix + (key,))
        else:
            yield prefix + (key,), value


def test_config_validates_and_holds_no_default():
    raw = load_config([ROOT / "config" / "config.yaml"])
    cfg = resolve(raw)
    defaults = StudyConfig().to_dict()
    for key, value in _leaves({k: v for k, v in raw.items() if k != "sources"}):
        node = defaults
        for part in key:
            node = node[part]
        assert node != value, f"config.yaml repeats the default of {'.'.join(key)}"
    assert set(cfg.sources) >= {"askart_ny", "cml_portugal"}


def test_quick_profile_validates_and_is_small():
    cfg = resolve(load_config([ROOT / "config" / "config.yaml", ROOT / "config" / "quick.yaml"]))
    assert cfg.simulation.n_replications == 4
    assert cfg.simulation.n_artists == 40 and cfg.simulation.n_sales == 6000
    # deep merge: untouched keys keep their defaults
    assert cfg.model == StudyConfig().model
    assert cfg.simulation.n_windows == StudyConfig().simulation.n_windows


def test_schema_file_is_generated_from_the_settings_classes():
    assert (ROOT / "config" / "schema.json").read_text() == schema_text(), \
        "config/schema.json is stale: run `artstudy config schema --out config/schema.json`"
    props = schema()["properties"]
    assert set(props) == set(StudyConfig.model_fields)


@pytest.mark.parametrize(
    "change, key",
    [
        ({"model": {"n_gibbs": "many"}}, "model.n_gibbs"),
        ({"model": {"sampler": "gibbs"}}, "model.sampler"),
        ({"model": {"tau2_method": "slice"}}, "model.tau2_method"),
        ({"simulation": {"n_replications": 0}}, "simulation.n_replications"),
        ({"simulation": {"compare_samplers": "maybe"}}, "simulation.compare_samplers"),
        ({"seed": 1.5}, "seed"),
        ({"model": {"n_gibs": 10}}, "model.n_gibs: unknown key"),
        ({"truth": {"gama": 1.0}}, "truth.gama: unknown key"),
        ({"world": {"unsold_share": 1.5}}, "world"),
        ({"sources": {"x": {"columns": {"lot_id": "a"}}}}, "sources.x"),
    ],
    ids=["wrong-type", "unknown-sampler", "unknown-tau2-method", "below-minimum", "bool-as-string", "float-seed",
         "unknown-key", "unknown-truth-key", "share-above-one", "source-without-required-columns"],
)
def test_invalid_config_rejected_naming_key(change, key):
    with pytest.raises(InputError) as info:
        resolve(deep_merge(load_config([ROOT / "config" / "config.yaml"]), change), source="my.yaml")
    message = str(info.value)
    assert key in message and message.startswith("my.yaml: ")
    assert "\n" not in message


def test_every_entry_point_validates_through_the_settings():
    # the Python API, the simulation jobs and the CLI reject unknown keys with the same message
    from artstudy.models.pam import fit_pam

    with pytest.raises(InputError, match="n_gibs: unknown key"):
        fit_pam(pd.DataFrame({"artist": ["a"], "sale_year": [2000], "work_year": [1990], "price": [1.0]}),
                settings={"n_gibs": 3})


def test_workflow_rejects_invalid_config(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("model:\n  sampler: gibbs\n")
    result = _snakemake(
        "-s", str(ROOT / "Snakefile"), "-d", str(tmp_path / "wd"),
        "--configfile", str(bad), "-n", "--cores", "1",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "model.sampler" in output and "gibbs" in output


# --------------------------------------------------------------------------
# Snakemake workflow
# --------------------------------------------------------------------------


def test_snakemake_lint_clean(tmp_path):
    # snakemake 9: exit 0 and "Congratulations, ..." on stderr when clean;
    # exit 1 and "Lints for rule ..." blocks when not (see the control below).
    result = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path), "--lint")
    output = result.stdout + result.stderr
    assert "Lints for" not in output, output
    assert result.returncode == 0, output
    assert "Congratulations, your workflow is in a good condition!" in output


def test_snakemake_lint_control_detects_lints(tmp_path):
    (tmp_path / "Snakefile").write_text('rule a:\n    output: "x"\n    shell: "touch {output}"\n')
    result = _snakemake("--lint", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Lints for rule a" in output
    assert "Congratulations" not in output


def _job_counts(output: str) -> dict[str, int]:
    counts = {}
    block = output.split("Job stats:", 1)[1]
    for line in block.splitlines()[3:]:
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            break
        counts[parts[0]] = int(parts[1])
    return counts


def test_dry_run_scatters_one_job_per_replication(tmp_path):
    result = _snakemake(
        "-s", str(ROOT / "Snakefile"), "-d", str(tmp_path),
        "--configfile", str(ROOT / "config" / "quick.yaml"), "-n", "--cores", "2",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    counts = _job_counts(output)
    assert counts["sim_replicate"] == 4
    for rule in ["sim_gather", "sim_detail", "register_kernel", "world", "prepare", "pam_fit", "valuation_score",
                 "report_index", "all"]:
        assert counts[rule] == 1, counts
    # one job per model of the harness, one per deep model, one per config part, four reports
    assert counts["valuation_fit"] == len(StudyConfig().evaluation.models) + 1, counts  # + the oracle (synthetic)
    assert counts["deep_fit"] == len(StudyConfig().deep.models), counts
    assert counts["config_part"] == 7, counts
    for rule in ["execute_notebook", "render_html"]:
        assert counts[rule] == 4, counts
    # the profile's own folders: nothing of the quick profile lands where the full study writes
    for path in ["results/quick/simulation/reps/rep_4.csv", "results/quick/pam/synthetic/summary.json",
                 "results/quick/config/study.json", "reports/quick/01_simulation.html",
                 "reports/quick/01_simulation.code.html", "reports/quick/02_artnet_analysis.html",
                 "reports/quick/metadata.json", "reports/index.html", "logs/quick/sim_replicate/4.log",
                 "reports/quick/03_deep_valuation.html", "results/quick/deep/synthetic/multimodal/summary.json",
                 "logs/quick/deep_fit/synthetic/cnn.log", "reports/quick/04_sequences_uncertainty.html",
                 "results/quick/deep/synthetic/cnn_lstm/summary.json", "results/quick/valuation/synthetic/predictions/gbt_lags.csv"]:
        assert path in output, path
    assert not re.search(r"(?<![\w/])(results|logs)/(?!quick/)", output), "an output outside the quick profile's folders"
    assert not re.search(r"reports/(?!quick/|index\.html)", output)


def _dry_run_real(tmp_path, folder: str, profile: str, name: str):
    """Dry run of the quick profile with a real-data profile; skips when its export is absent."""
    if not (ROOT.parent / "shared" / "data" / folder / "lots.csv").is_file():
        pytest.skip(f"../shared/data/{folder} is absent: the real {name} data are not part of the repository")
    result = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path), "-n", "--cores", "2",
                        "--configfile", str(ROOT / "config" / "quick.yaml"), str(ROOT / "config" / profile))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output, _job_counts(output)


def test_dry_run_askart_profile_adds_its_reports_and_forecasts(tmp_path):
    output, counts = _dry_run_real(tmp_path, "askart_ny", "real_new_york.yaml", "New York")
    profile = _load_yaml(ROOT / "config" / "real_new_york.yaml")
    models = profile["evaluation"]["models"]
    tabular = [m for m in models if m not in ("mlp", "lstm")]
    # the paintings and every medium (askart_ny_all extends askart_ny): prepared, forecast, reported
    assert counts["prepare"] == 3 and counts["pam_fit"] == 2, counts
    assert counts["execute_notebook"] == 7, counts  # 01, 02 twice, 03, 04 three times
    assert counts["valuation_fit"] == 3 * len(tabular) + 1, counts  # oracle: synthetic only
    assert counts["deep_fit"] == len(StudyConfig().deep.models) + 4, counts  # mlp and lstm on both New York samples
    for path in ["reports/new_york/02_artnet_analysis_askart_ny.html", "results/new_york/data/askart_ny/sales.csv",
                 "reports/new_york/04_sequences_uncertainty_askart_ny.html",
                 "reports/new_york/04_sequences_uncertainty_askart_ny_all.html",
                 "results/new_york/valuation/askart_ny_all/predictions/gbt+estimates.csv",
                 "results/new_york/deep/askart_ny/lstm/summary.json"]:
        assert path in output, path
    assert "results/new_york/deep/askart_ny/cnn_lstm" not in output  # no pictures in New York


def test_dry_run_lisbon_profile_adds_its_deep_report(tmp_path):
    output, counts = _dry_run_real(tmp_path, "cml_portugal", "real_lisbon.yaml", "Lisbon")
    assert counts["prepare"] == 2 and counts["deep_fit"] == 2 * len(StudyConfig().deep.models), counts
    assert counts["execute_notebook"] == 6, counts  # 01, 02, 03 and 04 on the synthetic world, 03 and 04 on Lisbon
    assert "reports/lisbon/03_deep_valuation_cml_portugal.html" in output
    assert "results/lisbon/deep/cml_portugal/multimodal/summary.json" in output


def test_gpu_profile_trains_the_deep_models_on_one_gpu_each(tmp_path):
    result = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path), "-n", "--cores", "2",
                        "--configfile", str(ROOT / "config" / "gpu.yaml"))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    blocks = re.findall(r"^rule deep_fit:\n(?:    .*\n)*", output, flags=re.MULTILINE)
    assert len(blocks) == len(StudyConfig().deep.models), output
    assert all(re.search(r"resources:.*\bgpu=1\b", b) for b in blocks), blocks
    others = re.findall(r"^rule valuation_fit:\n(?:    .*\n)*", output, flags=re.MULTILINE)
    assert others and all(not re.search(r"\bgpu=[1-9]", b) for b in others), others
    assert "results/gpu/deep/synthetic/multimodal/model.keras" in output


def test_dry_run_full_config(tmp_path):
    result = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path), "-n", "--cores", "2")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert _job_counts(output)["sim_replicate"] == 100
    assert "results/full/simulation/reps/rep_100.csv" in output and "reports/full/01_simulation.html" in output


# --------------------------------------------------------------------------
# report index: see tests/test_reports.py
# --------------------------------------------------------------------------


def test_nothing_outside_the_cli_imports_argparse():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "artstudy").rglob("*.py")
                 if "cli" not in p.relative_to(ROOT / "artstudy").parts and "import argparse" in p.read_text()]
    assert not offenders, offenders


def test_house_rules_module_and_function_size():
    import ast

    long_modules, long_functions = [], []
    for path in (ROOT / "artstudy").rglob("*.py"):
        text = path.read_text()
        if len(text.splitlines()) > 500:
            long_modules.append(str(path.relative_to(ROOT)))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 80:
                long_functions.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert not long_modules, f"modules over 500 lines: {long_modules}"
    assert not long_functions, f"functions over 80 lines: {long_functions}"


# --------------------------------------------------------------------------
# CI entry point and ignores
# --------------------------------------------------------------------------


def test_ci_runs_make_test():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert "set -euo pipefail" in text
    assert re.search(r"^make test\s*$", text, re.MULTILINE)


def test_gitignore_keeps_reports_dir():
    lines = (ROOT / ".gitignore").read_text().split()
    for pattern in [".venv/", "/results/", "/logs/", ".snakemake/", "reports/*.html", "reports/*/",
                    "!reports/.gitkeep"]:
        assert pattern in lines
    # only the workflow's top-level outputs are ignored: the recorded benchmark results are tracked
    assert "results/" not in lines and (ROOT / "benchmarks" / "results" / "pam_fit.md").is_file()
    assert (ROOT / "reports" / ".gitkeep").exists()


def test_workflow_prepares_a_source_of_several_files_in_their_own_folders(tmp_path):
    # two exports of one layout, each beside its own pictures: one table, ids and image paths per file
    data = tmp_path / "data"
    for year, lots in (("2019", ["1", "2"]), ("2020", ["1", "3"])):
        (data / year / "images").mkdir(parents=True)
        rows = [f"{lot},A Painter,2{lot}/05/{year[2:]},{100 * int(lot)},Oil on canvas,1990" for lot in lots]
        (data / year / "lots.csv").write_text("Lot,Artist,Date,Price,Medium,Year\n" + "\n".join(rows) + "\n")
        (data / year / "images" / f"{lots[0]}.jpg").write_bytes(b"x")  # only each file's first lot has one
    profile = tmp_path / "mine.yaml"
    profile.write_text(yaml.safe_dump({
        "data_dir": str(data), "profile": "mine", "artnet": {"sources": ["synthetic", "mine"]},
        "sources": {"mine": {"path": "20*/lots.csv", "currency": "USD", "date_format": "%d/%m/%y",
                             "image_path": "images/{Lot}.jpg",
                             "columns": {"lot_id": "Lot", "artist": "Artist", "sale_date": "Date", "price": "Price",
                                         "medium": "Medium", "work_year": "Year"}}}}))
    workdir = tmp_path / "wd"
    result = _snakemake("-s", str(ROOT / "Snakefile"), "-d", str(workdir), "--configfile", str(profile),
                        "--cores", "1", "results/mine/data/mine/sales.csv")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = pd.read_csv(workdir / "results" / "mine" / "data" / "mine" / "sales.csv", dtype=str)
    assert table["lot_id"].tolist() == ["2019/lots.csv:1", "2019/lots.csv:2", "2020/lots.csv:1", "2020/lots.csv:3"]
    images = dict(zip(table["lot_id"], table["image_path"].fillna("")))
    assert images == {"2019/lots.csv:1": f"{data}/2019/images/1.jpg", "2019/lots.csv:2": "",
                      "2020/lots.csv:1": f"{data}/2020/images/1.jpg", "2020/lots.csv:3": ""}
