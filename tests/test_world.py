"""The synthetic Artnet-like world: reproducibility, scale and shares, the raw text forms, the truth
(prices follow the model exactly, popularity as artstudy.popularity computes it), the CLI, and the
truth recovered by fit_pam, directly and end to end from the raw export through the data layer."""

from __future__ import annotations

import argparse
import copy
import importlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from artstudy.models.design import design_matrix
from artstudy.errors import InputError
from artstudy.models.pam.fit import fit_pam
from artstudy.models.pam.popularity import popularity
from artstudy.models.pam.selection import artist_spans
from artstudy.synth.world import (COVARIATES, RATES, RAW_COLUMNS, World, WorldSpec, generate_world, load_config,
                            register_cli, spec_from_config)

ROOT = Path(__file__).resolve().parents[1]
SMALL = dict(n_artists=60, n_lots=15_000)


def _world(seed=5, **kw) -> World:
    return generate_world(WorldSpec(**{**SMALL, **kw}), np.random.default_rng(seed))


@pytest.fixture(scope="module")
def world() -> World:
    return _world()


@pytest.fixture(scope="module")
def full_world() -> World:
    """The default scale (about a second to generate)."""
    return generate_world(WorldSpec(), np.random.default_rng(20241123))


def _analysable(t: pd.DataFrame) -> np.ndarray:
    return (t["sold"] & t["work_year_given"]).to_numpy()


def _fail_share(t: pd.DataFrame, n_windows=14) -> float:
    keep = _analysable(t)
    codes, names = pd.factorize(t["artist"], sort=True)
    _, t1 = artist_spans(codes[keep], t["window"].to_numpy()[keep], len(names), n_windows, 3, 6)
    return float((t1 < 0).mean())


# --------------------------------------------------------------------------
# reproducibility, scale and shares


def test_reproducible_from_the_seed(world):
    again = _world()
    pd.testing.assert_frame_equal(world.raw, again.raw)
    pd.testing.assert_frame_equal(world.truth_lots, again.truth_lots)
    pd.testing.assert_frame_equal(world.truth_ability, again.truth_ability)
    pd.testing.assert_frame_equal(world.artists, again.artists)
    other = _world(seed=6)
    assert not world.raw["hammer_price"].equals(other.raw["hammer_price"])


def test_no_global_randomness(world):
    np.random.seed(0)
    a = _world(n_artists=20, n_lots=2000)
    np.random.seed(1)
    b = _world(n_artists=20, n_lots=2000)
    pd.testing.assert_frame_equal(a.raw, b.raw)


def test_scale_and_shares_small(world):
    raw, t = world.raw, world.truth_lots
    assert len(raw) == len(t) == SMALL["n_lots"]
    assert raw["lot_id"].is_unique and (raw["lot_id"] == t["lot_id"]).all()
    assert len(world.artists) == SMALL["n_artists"] and world.artists["artist"].is_unique
    assert t["artist"].nunique() >= SMALL["n_artists"] - 2
    assert 0.17 < (~t["sold"]).mean() < 0.23
    assert (raw["hammer_price"] == "Bought In").sum() == (~t["sold"]).sum()
    assert 0.03 < (t["sale_kind"] == "repeat").mean() < 0.15
    assert t.groupby("artwork_id").size().max() >= 2
    assert 0.02 < (~t["work_year_given"]).mean() < 0.07
    assert t["work_year"].between(1951, 2020).all() and t["sale_year"].between(1993, 2022).all()
    assert (t["work_year"] <= t["sale_year"]).all()
    assert 0.2 < _fail_share(t) < 0.65  # the paper: 108 of 260 (42%); 60 artists scatter more
    # a repeat sale: same work, later year, same attributes, its own price
    rep = t.loc[t["sale_kind"] == "repeat", "artwork_id"].iloc[0]
    sales = t.loc[t["artwork_id"] == rep].sort_values("sale_date")
    assert sales["sale_year"].is_monotonic_increasing and sales["sale_year"].nunique() == len(sales)
    for col in ("artist", "work_year", "log_area", "material", "support", "signed", "inscribed", "ability"):
        assert sales[col].nunique() == 1, col
    assert raw.set_index("lot_id").loc[sales["lot_id"], "title"].nunique() == 1


def test_default_scale_is_the_papers(full_world):
    w = full_world
    assert len(w.raw) == 64_000 and len(w.artists) == 260
    assert w.seconds < 10
    assert 0.17 < (~w.truth_lots["sold"]).mean() < 0.23
    assert 0.3 < _fail_share(w.truth_lots) < 0.5  # the paper: 260 -> 152 artists
    f = w.funnel().set_index("step")
    assert f["lots"].iloc[0] == 64_000 and f["artists"].iloc[0] == 260
    assert 120 < f["artists"].iloc[-1] < 185
    kept = f["lots"].iloc[-1] / f["lots"].loc["creation year given"]
    assert 0.55 < kept < 0.8  # the paper kept 42,599 of 64,176 (66%)
    assert (w.artists["passes_selection"].sum() == f["artists"].iloc[-1])
    assert w.artists["birth_year"].between(1920, 1990).all()
    assert w.truth_lots.groupby("artist").size().max() <= 600  # about 500 at most, like the paper's sampling


# --------------------------------------------------------------------------
# raw text


def test_raw_export_has_the_contract_columns_and_text_forms(world):
    raw = world.raw
    assert tuple(raw.columns) == RAW_COLUMNS
    assert all(raw[c].map(type).eq(str).all() for c in raw.columns)
    assert raw["lot_id"].str.fullmatch(r"SYN-\d{6}").all()
    assert raw["sale_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(raw["currency"]) == {"USD", "GBP", "EUR", "HKD"}
    names = raw["artist_name"]
    assert (names != names.str.strip()).mean() > 0.02  # trailing spaces
    assert (names == names.str.upper()).mean() > 0.02  # upper-cased
    assert names.str.strip().str.split().str.join(" ").str.title().nunique() == world.truth_lots["artist"].nunique()
    dims = raw["dimensions"]
    assert dims.str.fullmatch(r"\d+(\.\d)? x \d+(\.\d)?( x \d+(\.\d)?)? cm").any()
    assert dims.str.fullmatch(r"\d+( \d/\d)? x \d+( \d/\d)?( x \d+( \d/\d)?)? in\.").any()
    assert dims.str.contains(r"\d \d/\d").any()  # fractions of an inch
    assert (dims.str.count(" x ") == 2).any()  # three dimensions
    assert dims.str.fullmatch(r"[\d./ ]+ x [\d./ ]+( x [\d./ ]+)? (cm|in\.)").all()
    years = raw["year_of_work"]
    assert years.str.fullmatch(r"\d{4}").mean() > 0.7
    assert years.str.fullmatch(r"c\. \d{4}").any() and years.str.fullmatch(r"\d{4}-\d{2}(\d{2})?").any()
    assert (years == "not given").any()
    assert years.str.fullmatch(r"\d{4}|c\. \d{4}|\d{4}-\d{2}(\d{2})?|not given").all()
    assert {"Oil on canvas", "Bronze", "Gouache on paper", "Acrylic and silkscreen ink on canvas"} <= set(
        raw["medium"])
    assert {"Unsigned", "Inscribed", "Signed, titled and inscribed", "Signed and dated"} <= set(raw["markings"])
    assert (raw["title"] == "Untitled").mean() > 0.2
    price = raw["hammer_price"]
    assert price.str.fullmatch(r"\d{1,3}(,\d{3})*|Bought In").all()
    est = raw["estimate"]
    assert (est == "").mean() > 0.03
    assert est[est != ""].str.fullmatch(r"\d{1,3}(,\d{3})* - \d{1,3}(,\d{3})*").all()


def test_prices_and_estimates_in_the_house_currency(world):
    raw, t = world.raw, world.truth_lots
    sold = t["sold"].to_numpy()
    amount = pd.to_numeric(raw["hammer_price"].str.replace(",", ""), errors="coerce").to_numpy()
    usd = amount * raw["currency"].map(RATES).to_numpy()
    # whole units of the currency: the log price is off by at most 0.5 / amount
    err = np.abs(np.log(usd[sold]) - t["log_price_usd"].to_numpy()[sold])
    assert np.all(err <= 0.5 / amount[sold] + 1e-9)
    assert np.isnan(amount[~sold]).all()
    hk = raw["auction_house"].str.contains("Hong Kong")
    assert (raw.loc[hk, "currency"] == "HKD").all() and (raw.loc[hk, "sale_date"] >= "2005").all()
    est = raw["estimate"].str.extract(r"([\d,]+) - ([\d,]+)").apply(lambda s: pd.to_numeric(s.str.replace(",", "")))
    ok = est[0].notna().to_numpy()
    assert (est.loc[ok, 1] > est.loc[ok, 0]).all()
    # estimates bracket the expected price roughly: median log(mid / expected) near 0
    mid = np.log(np.sqrt(est.loc[ok, 0] * est.loc[ok, 1]) * raw.loc[ok, "currency"].map(RATES))
    assert abs(np.median(mid - t.loc[ok, "expected_log_price_usd"])) < 0.1


# --------------------------------------------------------------------------
# the truth follows the model


def test_truth_popularity_is_artstudy_popularity_of_the_sold_dated_lots(world):
    t = world.truth_lots
    keep = _analysable(t)
    u = popularity(t.loc[keep, "artist"], t.loc[keep, "sale_year"], t.loc[keep, "log_price_usd"], 10_000.0)
    np.testing.assert_allclose(t.loc[keep, "popularity"], u, rtol=1e-10, atol=1e-12)
    assert (t["popularity"] > 0).mean() > 0.8
    # unsold and undated lots share their artist's popularity of that year
    per = t.groupby(["artist", "sale_year"])["popularity"].agg(["min", "max"])
    np.testing.assert_allclose(per["min"], per["max"], rtol=1e-12)


def test_log_prices_follow_the_model_exactly(world):
    t = world.truth_lots
    X, names = design_matrix(t, COVARIATES, year_effects=True)
    coef = world.coefficients()
    assert set(names) | {"popularity"} == set(coef.index)  # named as design_matrix names them
    mu = X @ coef[names].to_numpy() + coef["popularity"] * t["popularity"] + t["ability"]
    np.testing.assert_allclose(mu, t["expected_log_price_usd"], atol=1e-9)
    noise = t["latent_log_price_usd"] - mu
    assert abs(noise.mean()) < 0.05 and abs(noise.var() - world.spec.sigma2) < 0.05
    sold = t["sold"]
    np.testing.assert_array_equal(t.loc[sold, "log_price_usd"], t.loc[sold, "latent_log_price_usd"])
    assert t.loc[~sold, "log_price_usd"].isna().all()
    # bought-in lots are a random subset: same noise distribution as the sold
    assert abs(noise[sold].mean() - noise[~sold].mean()) < 0.1
    np.testing.assert_allclose(t["log_area"], np.log(t["height_cm"] * t["width_cm"]))


def test_true_abilities_are_random_walks(full_world):
    ab = full_world.truth_ability.sort_values(["artist", "window"])
    first = ab.groupby("artist")["value"].first()
    steps = ab.groupby("artist")["value"].diff().dropna()
    assert 1.6 < first.std() < 2.4  # tau2 = 4
    assert 0.09 < steps.std() < 0.11  # sigma_a = 0.1
    assert (ab.groupby("artist")["window"].diff().dropna() == 1).all()
    # every lot's ability is its artist's value in the work's window
    t = full_world.truth_lots.merge(ab, on=["artist", "window"], how="left")
    np.testing.assert_allclose(t["ability"], t["value"])
    assert (ab["window_start"] == 1951 + 5 * ab["window"]).all()


def test_truth_coefficients_are_the_papers():
    coef = WorldSpec().coefficients()
    assert coef["popularity"] == 1.38 and coef["log_area"] == 0.65 and coef["support[paper]"] == -0.33
    assert "year[1993]" not in coef and "year[2022]" in coef and "material[other]" not in coef


# --------------------------------------------------------------------------
# writing, config, CLI


def test_write_the_contract_files(world, tmp_path):
    out = world.write(tmp_path / "w")
    raw = pd.read_csv(out / "raw_lots.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(raw, world.raw)
    coef = pd.read_csv(out / "truth_coefficients.csv")
    assert list(coef.columns) == ["term", "truth"] and coef["term"].iloc[0] == "intercept"
    ability = pd.read_csv(out / "truth_ability.csv")
    assert list(ability.columns) == ["artist", "window", "window_start", "value"]
    lots = pd.read_csv(out / "truth_lots.csv")
    assert list(lots.columns[:5]) == ["lot_id", "artwork_id", "log_price_usd", "ability", "popularity"]
    artists = pd.read_csv(out / "artists.csv")
    assert list(artists.columns[:2]) == ["artist", "birth_year"]
    spec = json.loads((out / "spec.json").read_text())
    assert spec["n_artists"] == SMALL["n_artists"] and spec["rates"]["HKD"] == 0.128


def _load(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_config_sections_build_the_spec():
    base = _load(ROOT / "config" / "config.yaml")
    spec = spec_from_config(base)
    assert (spec.n_artists, spec.n_lots) == (260, 64_000)
    assert spec.rates == RATES
    quick = copy.deepcopy(base)
    quick["world"].update(_load(ROOT / "config" / "quick.yaml")["world"])
    small = spec_from_config(quick)
    assert small.n_artists < 100 and small.n_lots < 20_000
    rates = base.get("currency", {}).get("rates")
    if rates:  # the data layer converts with the same rates the world used
        assert {k: float(v) for k, v in rates.items() if k in RATES} == RATES
    with pytest.raises(ValueError, match="n_lotz"):
        WorldSpec.from_config({"n_lotz": 3})
    with pytest.raises(ValueError, match="unsold_share"):
        WorldSpec.from_config({"unsold_share": 1.5})
    with pytest.raises(InputError, match="target"):
        spec_from_config({"currency": {"target": "EUR"}})


def _run(argv) -> int:
    parser = argparse.ArgumentParser(prog="artstudy")
    register_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_writes_the_world_reproducibly(tmp_path):
    cfg = tmp_path / "world.json"  # as the workflow's rule writes it: seed, world, currency
    cfg.write_text(json.dumps({"seed": 9, "world": {"n_artists": 20, "n_lots": 3000},
                               "currency": {"target": "USD", "rates": RATES}}))
    assert _run(["world", "--out", str(tmp_path / "a"), "--seed", "4", "--config", str(cfg)]) == 0
    assert _run(["world", "--out", str(tmp_path / "b"), "--seed", "4", "--config", str(cfg)]) == 0
    assert _run(["world", "--out", str(tmp_path / "c"), "--config", str(cfg)]) == 0  # seed 9 from the config
    for name in ("raw_lots.csv", "truth_coefficients.csv", "truth_ability.csv", "truth_lots.csv", "artists.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    raw = pd.read_csv(tmp_path / "a" / "raw_lots.csv")
    assert len(raw) == 3000
    assert (tmp_path / "a" / "raw_lots.csv").read_bytes() != (tmp_path / "c" / "raw_lots.csv").read_bytes()
    # YAML profiles merge like Snakemake's --configfile
    merged = load_config([ROOT / "config" / "config.yaml", ROOT / "config" / "quick.yaml"])
    assert merged["world"]["n_artists"] == _load(ROOT / "config" / "quick.yaml")["world"]["n_artists"]
    assert merged["world"]["unsold_share"] == 0.2


def test_cli_bad_config_names_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("world:\n  n_artist: 10\n")
    with pytest.raises(InputError, match=r"bad\.yaml.*n_artist"):
        _run(["world", "--out", str(tmp_path / "x"), "--config", str(bad)])
    with pytest.raises(InputError, match="no such file"):
        _run(["world", "--out", str(tmp_path / "x"), "--config", str(tmp_path / "missing.yaml")])


# --------------------------------------------------------------------------
# recovery


def _within(res, truth, terms=("popularity", "log_area"), k=3.5):
    coef = res.coefficients.set_index("term")
    for term in terms:
        est, se = coef.loc[term, "estimate"], coef.loc[term, "std_error_marginal"]
        assert abs(est - truth[term]) < k * se, (term, est, truth[term], se)


def test_truth_recovered_by_fit_pam_from_the_true_sales(world):
    sales = world.sales_table()
    assert len(sales) == _analysable(world.truth_lots).sum()
    res = fit_pam(sales, COVARIATES, year_effects=True, random_state=1)
    _within(res, world.coefficients())
    # the fit's sample is the truth's funnel
    f = world.funnel()
    assert res.summary_dict()["n_sales"] == f["lots"].iloc[-1]
    assert res.summary_dict()["n_artists"] == f["artists"].iloc[-1]


def _data_layer():
    try:
        data = importlib.import_module("artstudy.data")
    except ImportError:
        return None
    return data if hasattr(data, "prepare_table") and hasattr(data, "register_cli") else None


def _synthetic_mapping():
    return (_load(ROOT / "config" / "config.yaml").get("sources") or {}).get("synthetic")


@pytest.mark.skipif(_data_layer() is None, reason="artstudy.data.prepare_table (the data layer's parser) "
                                                  "is not there yet")
@pytest.mark.skipif(_synthetic_mapping() is None, reason="config/config.yaml has no `sources: synthetic` "
                                                         "mapping yet")
def test_truth_recovered_end_to_end_from_the_raw_export(world, tmp_path):
    """world -> raw_lots.csv -> `artstudy prepare --source synthetic` -> fit_pam: the truth comes back."""
    data = _data_layer()
    out = world.write(tmp_path / "world")
    sales_csv = tmp_path / "sales.csv"
    parser = argparse.ArgumentParser(prog="artstudy")
    data.register_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["prepare", str(out / "raw_lots.csv"), "--source", "synthetic", "--out",
                              str(sales_csv), "--config", str(ROOT / "config" / "config.yaml")])
    assert args.func(args) == 0
    sales = pd.read_csv(sales_csv)
    truth = world.truth_lots.set_index("lot_id")
    # the parsed table is the truth's analysable lots, lot by lot
    keep = _analysable(world.truth_lots)
    assert set(sales["lot_id"]) == set(world.truth_lots.loc[keep, "lot_id"])
    t = truth.loc[sales["lot_id"]]
    np.testing.assert_allclose(np.log(sales["price"]), t["log_price_usd"], atol=0.02)
    np.testing.assert_allclose(sales["log_area"], t["log_area"], atol=1e-6)
    np.testing.assert_array_equal(sales["work_year"], t["work_year"])
    np.testing.assert_array_equal(sales["sale_year"], t["sale_year"])
    for col in ("material", "support", "signed", "inscribed"):
        assert (sales[col].to_numpy() == t[col].to_numpy()).all(), col
    assert sales["artist"].str.casefold().nunique() == t["artist"].nunique()
    res = fit_pam(sales, COVARIATES, year_effects=True, random_state=1)
    _within(res, world.coefficients())
