"""Two runs of the quick profile write the same results, byte for byte.

The slow test compares every file under results/quick/ of the session's two runs (tests/conftest.py:
``quick_run`` on 2 local cores, ``scheduler_run`` through the local scheduler, so the jobs run in
another order and in other processes) except the metadata files of :data:`METADATA`. The fast tests
guard the causes found and fixed: Keras's model file (save date, memory addresses, zip times), wall
times written beside the results (the simulation replications and detail, the deep models' folders).
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PROFILE = "quick"

#: Files of results/<profile>/ that may differ between two runs (paths relative to it; fnmatch patterns,
#: ``*`` crossing folders), and why. Everything else must be the same byte for byte.
METADATA = {
    "run.json": "the run's facts: start time, cores, the config files' absolute paths",
    "notebooks/*.ipynb": "executed notebooks: papermill's start and end times and cell durations",
    "*/timing.json": "wall times of a fit: deep/<source>/<model>/, pam/<source>/",
    "*/timing.csv": "wall times of the simulation detail: its fit and each sampler",
}


def is_metadata(relative: str) -> bool:
    """Whether a path under results/<profile>/ is one of :data:`METADATA`."""
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in METADATA)


def _files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def differing_files(first: Path, second: Path) -> list[str]:
    """Files of the two folders that differ (content, or present in one only), metadata left out, sorted."""
    a, b = _files(first), _files(second)
    out = sorted(set(a) ^ set(b))
    out += [name for name in sorted(set(a) & set(b)) if a[name].read_bytes() != b[name].read_bytes()]
    return sorted(name for name in out if not is_metadata(name))


def test_differing_files_finds_changed_and_missing_files_but_not_metadata(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for root in (first, second):
        (root / "pam" / "synthetic").mkdir(parents=True)
        (root / "notebooks").mkdir()
        (root / "pam" / "synthetic" / "coefficients.csv").write_text("term,estimate\npopularity,1.38\n")
        (root / "run.json").write_text(f'{{"started": "{root.name}"}}\n')
        (root / "pam" / "synthetic" / "timing.json").write_text(f'{{"seconds": {len(root.name)}.{root.name}}}\n')
        (root / "notebooks" / "01.ipynb").write_text(root.name)
    assert differing_files(first, second) == []
    (second / "pam" / "synthetic" / "coefficients.csv").write_text("term,estimate\npopularity,1.380000001\n")
    (first / "pam" / "synthetic" / "ability.csv").write_text("artist\n")
    (second / "pam" / "synthetic" / "summary.timing.json").write_text("{}")  # not a metadata name
    assert differing_files(first, second) == ["pam/synthetic/ability.csv", "pam/synthetic/coefficients.csv",
                                              "pam/synthetic/summary.timing.json"]
    assert is_metadata("deep/synthetic/multimodal/timing.json") and is_metadata("simulation/detail/timing.csv")
    assert not is_metadata("timing.json") and not is_metadata("notebooks/extra/01.csv")


@pytest.mark.slow
def test_two_runs_write_the_same_results(quick_run, scheduler_run):
    first, second = quick_run / "results" / PROFILE, scheduler_run / "results" / PROFILE
    changed = differing_files(first / "code", second / "code")
    assert changed == [], f"the package changed between the two runs: {changed}"
    assert differing_files(first, second) == []
    names = set(_files(first))
    # the list is short and every entry is in use (no stale exemption)
    for pattern in METADATA:
        assert any(fnmatch.fnmatchcase(name, pattern) for name in names), f"no file matches {pattern}"
    # the comparison covered the results, not only metadata
    compared = [name for name in names if not is_metadata(name)]
    for name in ["data/synthetic/sales.csv", "pam/synthetic/coefficients.csv", "pam/synthetic/ability.csv",
                 "valuation/synthetic/metrics.csv", "valuation/synthetic/predictions/gbt.csv",
                 "deep/synthetic/multimodal/model.keras", "deep/synthetic/multimodal/picture_embeddings.npz",
                 "simulation/replications.csv", "simulation/detail/sampler_comparison.csv",
                 "code/pam_fit.json", "config/study.json"]:
        assert name in compared, name
    # no absolute path of a run's folder in a result (the runs differ only in that folder)
    for name in compared:
        data = (first / name).read_bytes()
        assert str(quick_run).encode() not in data, f"{name} names the run's folder {quick_run}"


# --------------------------------------------------------------------------
# the causes, each guarded
# --------------------------------------------------------------------------


SAVE = """
import sys
from artstudy.models.deep.artifacts import save_model
from artstudy.models.deep.builders import build_tabular_mlp
save_model(build_tabular_mlp(5, seed=3, hidden=[8]), sys.argv[1])
"""


def test_keras_model_files_are_the_same_bytes_for_the_same_model(tmp_path):
    from artstudy.models.deep.artifacts import load_model, save_model
    from artstudy.models.deep.builders import build_tabular_mlp

    # the same model saved here and by another process (other memory addresses, which Keras writes into
    # its config), seconds apart (Keras writes the date into the file)
    nets = [build_tabular_mlp(5, seed=3, hidden=[8]) for _ in range(2)]
    paths = [save_model(net, tmp_path / f"{k}.keras") for k, net in enumerate(nets)]
    time.sleep(2.1)
    done = subprocess.run([sys.executable, "-c", SAVE, str(tmp_path / "other.keras")], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert paths[0].read_bytes() == paths[1].read_bytes() == (tmp_path / "other.keras").read_bytes()
    with zipfile.ZipFile(paths[0]) as saved:
        assert {info.date_time for info in saved.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "date_saved" not in json.loads(saved.read("metadata.json"))
        ids = {int(i) for i in re.findall(r'"shared_object_id": (\d+)', saved.read("config.json").decode())}
        assert ids == set(range(1, len(ids) + 1)) and ids
    x = {"tabular": np.linspace(-1, 1, 10, dtype="float32").reshape(2, 5)}
    np.testing.assert_array_equal(load_model(paths[0]).predict(x, verbose=0), nets[0].predict(x, verbose=0))


SIMULATION = {"seed": 3, "simulation": {"n_artists": 15, "n_sales": 2000}, "model": {"max_iter": 12}}


def test_simulation_tables_hold_no_wall_time(tmp_path):
    from artstudy.evaluation.simstudy import TIMING_COLUMNS, read_detail, replication_detail, run_replication

    first, second = run_replication(SIMULATION, 1), run_replication(SIMULATION, 1)
    assert first.to_csv(index=False) == second.to_csv(index=False)
    assert "seconds" not in set(first["parameter"])
    detail = replication_detail(SIMULATION, 1)
    assert "seconds" not in detail["summary"] and not set(TIMING_COLUMNS) & set(detail["sampler_comparison"])
    timing = detail["timing"]
    assert timing[["part", "sampler"]].values.tolist() == [["fit", "ffbs"], ["sampler_comparison", "ffbs"],
                                                          ["sampler_comparison", "single-site"]]
    assert (timing["seconds"] > 0).all()
    # read back as sim-detail writes them (one CSV each): the wall times joined to their tables
    for name, table in detail.items():
        table.to_csv(tmp_path / f"{name}.csv", index=False)
    back = read_detail(tmp_path)
    assert "timing" not in back and back["summary"]["seconds"].iloc[0] == pytest.approx(timing["seconds"].iloc[0])
    comparison = back["sampler_comparison"].set_index("sampler")
    expected = timing.iloc[1:].set_index("sampler")
    for column in TIMING_COLUMNS:
        assert comparison[column].to_dict() == pytest.approx(expected[column].to_dict())
    (tmp_path / "timing.csv").unlink()  # without it: NaN, the rest as written
    assert read_detail(tmp_path)["sampler_comparison"]["seconds"].isna().all()


def test_deep_artifacts_keep_wall_times_in_timing_json(tmp_path):
    from artstudy.evaluation.harness import fit_model
    from artstudy.models.deep.artifacts import read_summary, save_artifacts
    from artstudy.settings import resolve
    from test_evaluation_leaks import CONFIG
    from test_evaluation_market import toy_sales

    sales, _ = toy_sales(n=600, n_artists=12, seed=4)
    model, split = fit_model("mlp", sales, resolve(CONFIG))
    folders = [tmp_path / "a", tmp_path / "b"]
    summaries = [save_artifacts(model, sales, split, folder, seed=1, seconds=2.5 + k) for k, folder in enumerate(folders)]
    for name in ["model.keras", "history.csv", "summary.json"]:
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name
    timing = json.loads((folders[1] / "timing.json").read_text())
    assert timing["seconds"] == 3.5 and len(timing["epoch_seconds"]) == summaries[1]["epochs_run"]
    on_disk = json.loads((folders[1] / "summary.json").read_text())
    assert not {"seconds", "samples_per_second", "epoch_seconds"} & set(on_disk)
    assert list(pd.read_csv(folders[1] / "history.csv").columns) == ["epoch", "loss", "val_loss"]
    assert read_summary(folders[1]) == summaries[1] == {**on_disk, **timing}
