import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from artstudy.cli import main
from artstudy.synth.market import simulate_market
from artstudy.synth.specs import SimulationSpec

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sales_csv(tmp_path_factory):
    sim = simulate_market(SimulationSpec(n_artists=30, n_sales=6000), rng=np.random.default_rng(3))
    path = tmp_path_factory.mktemp("data") / "sales.csv"
    sim.sales.drop(columns=["true_ability", "true_popularity", "lot_id"], errors="ignore").to_csv(path, index=False)
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
    assert set(summary) >= {"gamma", "sigma2", "tau2", "n_sales", "n_artists", "n_iterations", "converged"}
    # the wall time apart, in timing.json (two runs write the same summary.json)
    assert "seconds" not in summary and json.loads((out / "timing.json").read_text())["seconds"] > 0
    assert summary["n_sales"] == 6000 and summary["n_artists"] == 30
    assert summary["gamma"] == pytest.approx(coef.set_index("term").loc["popularity", "estimate"])
    # same seed, same numbers
    main(["pam-fit", str(sales_csv), "--out", str(tmp_path / "again"), "--covariates", *COVS, "--year-effects",
          "--seed", "4"])
    pd.testing.assert_frame_equal(coef, pd.read_csv(tmp_path / "again" / "coefficients.csv"))


def test_pam_fit_no_selection_keeps_every_artist(tmp_path, capsys):
    # 30 artists of whom 10 keep only their sales in the first two windows: the paper's rule drops them, --no-selection keeps them
    sim = simulate_market(SimulationSpec(n_artists=30, n_sales=6000), rng=np.random.default_rng(3))
    sales = sim.sales.drop(columns=["true_ability", "true_popularity", "lot_id"], errors="ignore")
    short = sales["artist"].isin(sorted(sales["artist"].unique())[:10])
    windows = (sales["work_year"] - 1951) // 5
    sales = sales[~short | (windows <= windows.min() + 1)]
    path = tmp_path / "sales.csv"
    sales.to_csv(path, index=False)
    args = ["pam-fit", str(path), "--covariates", "log_area", "--max-iter", "3", "--min-iter", "1"]
    assert main(args + ["--out", str(tmp_path / "rule")]) == 0
    assert main(args + ["--out", str(tmp_path / "all"), "--no-selection"]) == 0
    rule = json.loads((tmp_path / "rule" / "summary.json").read_text())
    kept = json.loads((tmp_path / "all" / "summary.json").read_text())
    n_artists = sales["artist"].nunique()
    assert n_artists > 20 and rule["n_artists"] == 20
    assert kept["n_artists"] == n_artists and kept["n_sales"] == len(sales)
    assert pd.read_csv(tmp_path / "all" / "ability.csv")["artist"].nunique() == n_artists


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
    with pytest.raises(SystemExit) as info:
        main(["pam-fit", str(sales_csv), "--out", str(tmp_path / "o"), "--sampler", "gibbs"])
    assert info.value.code == 2
    assert "invalid choice: 'gibbs'" in capsys.readouterr().err


def test_bad_setting_and_bad_config_are_one_line(tmp_path, sales_csv, capsys):
    rc = main(["pam-fit", str(sales_csv), "--out", str(tmp_path / "o"), "--n-burn", "500"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1
    assert "n_burn (500) must be below n_gibbs (110)" in err
    cfg = tmp_path / "my.yaml"
    cfg.write_text("model:\n  n_gibs: 3\n")
    rc = main(["pam-fit", str(sales_csv), "--out", str(tmp_path / "o"), "--config", str(cfg)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1
    assert str(cfg) in err and "model.n_gibs: unknown key" in err


def test_config_merges_over_the_repository_config(tmp_path, capsys):
    cfg = tmp_path / "my.yaml"
    cfg.write_text("seed: 7\nmodel:\n  n_gibbs: 50\n")
    assert main(["config", "show", "--json", "--config", str(cfg)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["seed"] == 7 and shown["model"]["n_gibbs"] == 50
    assert shown["model"]["n_burn"] == 10  # a default filled in
    assert "askart_ny" in shown["sources"]  # the repository's sources survive the merge


def test_out_naming_a_file_is_refused_before_the_fit(tmp_path, sales_csv, capsys):
    out = tmp_path / "taken.txt"
    out.write_text("x")
    rc = main(["pam-fit", str(sales_csv), "--out", str(out)])
    assert rc == 2 and "names an existing file" in capsys.readouterr().err


def test_missing_file(tmp_path, capsys):
    rc = main(["pam-fit", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")])
    assert rc == 2 and "no such file" in capsys.readouterr().err


def test_sim_replicate_and_gather(tmp_path):
    cfg = tmp_path / "sim.json"
    cfg.write_text(json.dumps({"seed": 5, "simulation": {"n_artists": 20, "n_sales": 3000, "compare_samplers": True,
                                                         "n_replications": 2},
                               "model": {"max_iter": 20}}))
    for rep in (1, 2):
        assert main(["sim-replicate", "--config", str(cfg), "--rep", str(rep),
                     "--out", str(tmp_path / f"rep_{rep}.csv")]) == 0
    assert main(["sim-gather", str(tmp_path / "rep_2.csv"), str(tmp_path / "rep_1.csv"),
                 "--out", str(tmp_path / "all.csv")]) == 0
    table = pd.read_csv(tmp_path / "all.csv")
    assert set(table["rep"]) == {1, 2} and set(table["sampler"]) == {"ffbs", "single-site"}
    assert {"popularity", "sigma2", "tau2", "ability_rmse"} <= set(table["parameter"])
    # replications are reproducible from the seed
    main(["sim-replicate", "--config", str(cfg), "--rep", "1", "--out", str(tmp_path / "again.csv")])
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "rep_1.csv").drop(columns="estimate").query("parameter != 'seconds'"),
        pd.read_csv(tmp_path / "again.csv").drop(columns="estimate").query("parameter != 'seconds'"))
    a = pd.read_csv(tmp_path / "rep_1.csv").query("kind != 'fit'")["estimate"].to_numpy()
    b = pd.read_csv(tmp_path / "again.csv").query("kind != 'fit'")["estimate"].to_numpy()
    np.testing.assert_array_equal(a, b)


def test_sim_replicate_rejects_unknown_keys_and_reps(tmp_path, capsys):
    cfg = tmp_path / "sim.json"
    cfg.write_text(json.dumps({"simulation": {"n_artist": 20}}))
    assert main(["sim-replicate", "--config", str(cfg), "--rep", "1", "--out", str(tmp_path / "r.csv")]) == 2
    assert "simulation.n_artist: unknown key" in capsys.readouterr().err
    cfg.write_text(json.dumps({"simulation": {"n_replications": 3}}))
    assert main(["sim-replicate", "--config", str(cfg), "--rep", "4", "--out", str(tmp_path / "r.csv")]) == 2
    assert "numbered 1 to 3" in capsys.readouterr().err


def test_world_prepare_pam_fit_recovers_the_truth(tmp_path):
    """The three commands a user chains: a synthetic export, parsed, then fitted."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text("world:\n  n_artists: 60\n  n_lots: 15000\n")
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
    assert funnel["lots"].iloc[0] == 15_000  # every raw lot is counted
    sales = pd.read_csv(tmp_path / "sales.csv")
    assert len(sales) == 15_000  # ... and kept in the table, with the rule that left it out
    assert sales["left_out"].isna().sum() == funnel["lots"].iloc[-1]


def test_a_bug_keeps_its_traceback(monkeypatch, tmp_path, sales_csv):
    # only InputError becomes a one-line exit; any other exception propagates with its traceback
    import artstudy.models.pam as pam

    def broken(*args, **kwargs):
        raise ValueError("an internal bug")

    monkeypatch.setattr(pam, "fit_pam", broken)
    with pytest.raises(ValueError, match="an internal bug"):
        main(["pam-fit", str(sales_csv), "--out", str(tmp_path / "o")])


def test_valuation_fit_and_score(tmp_path):
    """The harness's two jobs as the workflow runs them: one model's predictions, then the scores."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text("world:\n  n_artists: 40\n  n_lots: 8000\nevaluation:\n  n_bootstrap: 50\n"
                   "  models: [naive, hedonic]\n")
    assert main(["world", "--out", str(tmp_path / "world"), "--config", str(cfg)]) == 0
    sales = tmp_path / "sales.csv"
    assert main(["prepare", str(tmp_path / "world" / "raw_lots.csv"), "--source", "synthetic", "--out", str(sales),
                 "--config", str(cfg)]) == 0
    preds = []
    for model in ("naive", "hedonic"):
        preds.append(tmp_path / "pred" / f"{model}.csv")
        assert main(["valuation-fit", str(sales), "--model", model, "--out", str(preds[-1]),
                     "--config", str(cfg)]) == 0
    assert main(["valuation-score", str(sales), *map(str, preds), "--out", str(tmp_path / "val"),
                 "--config", str(cfg)]) == 0
    metrics = pd.read_csv(tmp_path / "val" / "metrics.csv")
    assert list(metrics.columns) == ["model", "segment", "metric", "value", "ci_low", "ci_high"]
    assert set(metrics["model"]) == {"naive", "hedonic"}
    assert {"all", "repeat", "fresh", "unseen_artist"} >= set(metrics["segment"]) >= {"all", "repeat", "fresh"}
    assert {"r2", "mae", "medae", "within25", "within50", "coverage80", "width80", "interval_score80",
            "coverage95"} <= set(metrics["metric"])
    split = json.loads((tmp_path / "val" / "split.json").read_text())
    assert split
    # the oracle reads the world's truth, given by --truth-lots: its predictions are the noiseless log prices
    oracle = tmp_path / "pred" / "oracle.csv"
    assert main(["valuation-fit", str(sales), "--model", "oracle", "--out", str(oracle), "--config", str(cfg),
                 "--truth-lots", str(tmp_path / "world" / "truth_lots.csv")]) == 0
    got = pd.read_csv(oracle).set_index("lot_id")["pred"]
    truth = pd.read_csv(tmp_path / "world" / "truth_lots.csv").set_index("lot_id")["expected_log_price_usd"]
    np.testing.assert_allclose(got, truth.loc[got.index], rtol=0, atol=1e-9)
    assert main(["valuation-fit", str(sales), "--model", "oracle", "--out", str(oracle), "--config", str(cfg)]) == 2
