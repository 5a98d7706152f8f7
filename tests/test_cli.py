import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from artstudy.cli import main
from artstudy.synth.market import SimulationSpec, simulate_market

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sales_csv(tmp_path_factory):
    sim = simulate_market(SimulationSpec(n_artists=30, n_sales=6000), np.random.default_rng(3))
    path = tmp_path_factory.mktemp("data") / "sales.csv"
    sim.sales.drop(columns=["true_ability", "true_popularity"]).to_csv(path, index=False)
    return path


COVS = ["log_area", "signed", "inscribed", "material", "support"]


def test_pam_fit_writes_its_outputs(sales_csv, tmp_path, capsys):
    out = tmp_path / "fit"
    rc = main(["pam-fit", str(sales_csv), "--out", str(out), "--covariates", *COVS, "--year-effects",
               "--seed", "4"])
    assert rc == 0
    coef = pd.read_csv(out / "coefficients.csv")
    assert list(coef.columns[:3]) == ["term", "estimate", "std_error"]
    assert "popularity" in set(coef["term"]) and "material[oil]" in set(coef["term"])
    ability = pd.read_csv(out / "ability.csv")
    assert list(ability.columns) == ["artist", "window", "window_start", "mean", "sd"]
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) >= {"gamma", "sigma2", "tau2", "n_sales", "n_artists", "n_iterations", "converged",
                            "seconds"}
    assert summary["n_sales"] == 6000 and summary["n_artists"] == 30
    assert summary["gamma"] == pytest.approx(coef.set_index("term").loc["popularity", "estimate"])
    # same seed, same numbers
    main(["pam-fit", str(sales_csv), "--out", str(tmp_path / "again"), "--covariates", *COVS, "--year-effects",
          "--seed", "4"])
    pd.testing.assert_frame_equal(coef, pd.read_csv(tmp_path / "again" / "coefficients.csv"))


def _bad(tmp_path, sales_csv, edit):
    frame = pd.read_csv(sales_csv).head(50)
    frame = edit(frame)
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("edit,message", [
    (lambda f: f.drop(columns=["price"]), "missing column 'price'"),
    (lambda f: f.assign(price=f["price"].where(~f.index.isin([3, 7]), -1.0)),
     "column 'price': missing, non-numeric or non-positive value at lines 5, 9"),
    (lambda f: f.assign(price=f["price"].astype(object).where(f.index != 0, None)),
     "column 'price': missing, non-numeric or non-positive value at line 2"),
    (lambda f: f.assign(work_year=f["work_year"].where(f.index != 10, 2100)),
     "column 'work_year': work made after its sale at line 12"),
    (lambda f: f.drop(columns=["material"]), "missing column 'material'"),
    (lambda f: f.assign(sale_year=f["sale_year"].astype(object).where(f.index != 4, "199x")),
     "column 'sale_year': missing or non-integer year at line 6"),
    (lambda f: f.assign(support=f["support"].where(~f.index.isin([1, 2, 3, 4, 5, 6]), None)),
     "column 'support': missing value at lines 3, 4, 5, 6, 7 and 1 more"),
])
def test_bad_input_exits_non_zero_with_one_line(tmp_path, sales_csv, capsys, edit, message):
    path = _bad(tmp_path, sales_csv, edit)
    rc = main(["pam-fit", str(path), "--out", str(tmp_path / "o"), "--covariates", *COVS])
    err = capsys.readouterr().err.strip()
    assert rc != 0
    assert len(err.splitlines()) == 1
    assert message in err and str(path) in err


def test_unknown_sampler(tmp_path, sales_csv, capsys):
    rc = main(["pam-fit", str(sales_csv), "--out", str(tmp_path / "o"), "--sampler", "gibbs"])
    assert rc == 2
    assert "unknown sampler 'gibbs'" in capsys.readouterr().err


def test_missing_file(tmp_path, capsys):
    rc = main(["pam-fit", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")])
    assert rc == 2 and "no such file" in capsys.readouterr().err


def test_sim_replicate_and_gather(tmp_path):
    params = {"seed": 5, "simulation": {"n_artists": 20, "n_sales": 3000, "compare_samplers": True},
              "model": {"max_iter": 20}}
    for rep in (1, 2):
        assert main(["sim-replicate", "--params", json.dumps(params), "--rep", str(rep),
                     "--out", str(tmp_path / f"rep_{rep}.csv")]) == 0
    assert main(["sim-gather", str(tmp_path / "rep_2.csv"), str(tmp_path / "rep_1.csv"),
                 "--out", str(tmp_path / "all.csv")]) == 0
    table = pd.read_csv(tmp_path / "all.csv")
    assert set(table["rep"]) == {1, 2} and set(table["sampler"]) == {"ffbs", "single-site"}
    assert {"popularity", "sigma2", "tau2", "ability_rmse"} <= set(table["parameter"])
    # replications are reproducible from the seed
    main(["sim-replicate", "--params", json.dumps(params), "--rep", "1", "--out", str(tmp_path / "again.csv")])
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "rep_1.csv").drop(columns="estimate").query("parameter != 'seconds'"),
        pd.read_csv(tmp_path / "again.csv").drop(columns="estimate").query("parameter != 'seconds'"))
    a = pd.read_csv(tmp_path / "rep_1.csv").query("kind != 'fit'")["estimate"].to_numpy()
    b = pd.read_csv(tmp_path / "again.csv").query("kind != 'fit'")["estimate"].to_numpy()
    np.testing.assert_array_equal(a, b)


def test_world_prepare_pam_fit_recovers_the_truth(tmp_path):
    """The three commands a user chains: a synthetic export, parsed, then fitted."""
    import yaml

    config = yaml.safe_load(open(ROOT / "config" / "config.yaml"))
    config["world"].update({"n_artists": 60, "n_lots": 15_000})
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    assert main(["world", "--out", str(tmp_path / "world"), "--seed", "11", "--config", str(cfg)]) == 0
    assert main(["prepare", str(tmp_path / "world" / "raw_lots.csv"), "--source", "synthetic",
                 "--out", str(tmp_path / "sales.csv"), "--config", str(cfg)]) == 0
    assert main(["pam-fit", str(tmp_path / "sales.csv"), "--out", str(tmp_path / "fit"), "--covariates", *COVS,
                 "--year-effects", "--seed", "1"]) == 0
    coef = pd.read_csv(tmp_path / "fit" / "coefficients.csv").set_index("term")
    truth = pd.read_csv(tmp_path / "world" / "truth_coefficients.csv").set_index("term")["truth"]
    z = (coef["estimate"] - truth.reindex(coef.index)) / coef["std_error_marginal"]
    assert np.all(np.abs(z) < 4), z[np.abs(z) >= 4]
    assert abs(z["popularity"]) < 3 and abs(z["log_area"]) < 3
    funnel = pd.read_csv(tmp_path / "sales.funnel.csv")
    assert funnel.iloc[0, 1] == 15_000  # every raw lot is counted
