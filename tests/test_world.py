"""The synthetic Artnet-like world: reproducibility, scale and shares, the raw text forms, the truth (prices
follow the model exactly, popularity over every sold lot as artstudy's popularity computes it, abilities are
random walks), where the walk starts against the model's t'0, writing from a study config, and (one
end-to-end test) the truth recovered by fit_pam.

The rendered text read back by the data layer's parsers is tested in test_synth_render.py."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from artstudy.data.sources import DEFAULT_RATES, SourceMapping
from artstudy.errors import InputError
from artstudy.models.design import design_matrix
from artstudy.models.pam.popularity import popularity
from artstudy.models.pam.selection import artist_spans
from artstudy.synth.specs import WorldSpec
from artstudy.synth.truth import Truth
from artstudy.synth.world import COVARIATES, RAW_COLUMNS, SYNTHETIC_SOURCE, World, generate_world, write_world

SMALL = dict(n_artists=60, n_lots=15_000)


def _world(seed=5, truth=None, **kw) -> World:
    return generate_world(WorldSpec(**{**SMALL, **kw}), truth, rng=np.random.default_rng(seed))


@pytest.fixture(scope="module")
def world() -> World:
    return _world()


@pytest.fixture(scope="module")
def full_world() -> World:
    """The default scale (about a second to generate)."""
    return generate_world(rng=20241123)


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
    for name in ("raw", "truth_lots", "truth_ability", "artists", "truth_coefficients"):
        pd.testing.assert_frame_equal(getattr(world, name), getattr(again, name), obj=name)
    other = _world(seed=6)
    assert not world.raw["hammer_price"].equals(other.raw["hammer_price"])
    # an int seed is the same as a generator from it, and is remembered
    by_int = generate_world(WorldSpec(n_artists=20, n_lots=2000), rng=3)
    by_gen = generate_world(WorldSpec(n_artists=20, n_lots=2000), rng=np.random.default_rng(3))
    pd.testing.assert_frame_equal(by_int.truth_lots, by_gen.truth_lots)
    assert by_int.seed == 3 and by_gen.seed is None


def test_no_global_randomness():
    np.random.seed(0)
    a = _world(n_artists=20, n_lots=2000)
    np.random.seed(1)
    b = _world(n_artists=20, n_lots=2000)
    pd.testing.assert_frame_equal(a.raw, b.raw)
    pd.testing.assert_frame_equal(a.truth_lots, b.truth_lots)


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
    assert (sales["sale_number"].to_numpy() == np.arange(1, len(sales) + 1)).all()
    for col in ("artist", "work_year", "log_area", "material", "support", "signed", "inscribed", "ability", "title"):
        assert sales[col].nunique() == 1, col
    shown = raw.set_index("lot_id").loc[sales["lot_id"]]
    for col in ("title", "medium", "dimensions", "year_of_work", "markings"):
        assert shown[col].nunique() == 1, col
    # counts per artist agree with the lots
    a = world.artists.set_index("artist")
    assert (a["n_lots"] == t.groupby("artist").size().reindex(a.index, fill_value=0)).all()
    assert (a["n_works"] == t.groupby("artist")["artwork_id"].nunique().reindex(a.index, fill_value=0)).all()
    assert (a["n_sold"] == t[t["sold"]].groupby("artist").size().reindex(a.index, fill_value=0)).all()


def test_default_scale_is_the_papers(full_world):
    w = full_world
    assert len(w.raw) == 64_000 and len(w.artists) == 260
    assert w.seconds < 10
    assert 0.17 < (~w.truth_lots["sold"]).mean() < 0.23
    assert 0.3 < _fail_share(w.truth_lots) < 0.5  # the paper: 260 -> 152 artists
    f = w.funnel().set_index("step")
    assert list(f.columns) == ["lots", "artists", "lots_removed", "artists_removed"]
    assert f["lots"].iloc[0] == 64_000 and f["artists"].iloc[0] == 260
    assert 120 < f["artists"].iloc[-1] < 185
    kept = f["lots"].iloc[-1] / f["lots"].loc["creation year given"]
    assert 0.55 < kept < 0.8  # the paper kept 42,599 of 64,176 (66%)
    assert w.artists["passes_selection"].sum() == f["artists"].iloc[-1]
    assert (f["lots_removed"].iloc[1:].to_numpy() == -np.diff(f["lots"].to_numpy())).all()
    assert w.artists["birth_year"].between(1920, 1990).all()
    assert w.truth_lots.groupby("artist").size().max() <= 600  # about 500 at most, like the paper's sampling


def test_funnel_is_the_selection_rule_on_the_truth(world):
    t = world.truth_lots
    f = world.funnel().set_index("step")
    usable = _analysable(t)
    assert f.loc["sold", "lots"] == t["sold"].sum()
    assert f.loc["creation year given", "lots"] == usable.sum()
    codes, names = pd.factorize(t["artist"])
    win = t["window"].to_numpy()
    t0, t1 = artist_spans(codes[usable], win[usable], len(names), 14, 3, 6)
    inside = usable & (t1 >= 0)[codes] & (win >= t0[codes]) & (win <= t1[codes])
    assert f["lots"].iloc[-1] == inside.sum() and f["artists"].iloc[-1] == (t1 >= 0).sum()
    a = world.artists.set_index("artist").loc[names]
    np.testing.assert_array_equal(a["passes_selection"], t1 >= 0)
    np.testing.assert_array_equal(a["selection_first_window"], np.where(t1 >= 0, t0, -1))
    # a stricter rule keeps fewer artists
    assert world.funnel(min_windows=8)["artists"].iloc[-1] < f["artists"].iloc[-1]


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
    assert 0.06 < years.str.startswith("c. ").mean() < 0.1 and 0.03 < years.str.contains("-").mean() < 0.07
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
    usd = amount * raw["currency"].map(DEFAULT_RATES).to_numpy()
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
    mid = np.log(np.sqrt(est.loc[ok, 0] * est.loc[ok, 1]) * raw.loc[ok, "currency"].map(DEFAULT_RATES))
    assert abs(np.median(mid - t.loc[ok, "expected_log_price_usd"])) < 0.1


def test_prices_use_the_rates_passed_in():
    rates = {"GBP": 2.6}  # merged over the defaults, as the config's currency section is
    a = _world(n_artists=20, n_lots=2000)
    b = generate_world(WorldSpec(n_artists=20, n_lots=2000), rates=rates, rng=np.random.default_rng(5))
    gbp = (a.truth_lots["currency"] == "GBP") & a.truth_lots["sold"]
    assert gbp.any() and b.rates == {**DEFAULT_RATES, **rates}
    np.testing.assert_allclose(b.truth_lots.loc[gbp, "price_original"],
                               np.maximum(np.round(a.truth_lots.loc[gbp, "price_original"] * 1.30 / 2.6), 1), atol=1)
    with pytest.raises(InputError, match="currency: rates\\.HKD: Input should be greater than 0"):
        generate_world(WorldSpec(n_artists=20, n_lots=2000), rates={"HKD": 0.0}, rng=1)


# --------------------------------------------------------------------------
# the truth follows the model


@pytest.mark.parametrize("kind", ["sum", "relative"])
def test_truth_popularity_counts_every_sold_lot(kind):
    w = _world(truth=Truth(popularity={"kind": kind}), n_artists=30, n_lots=6000)
    t = w.truth_lots
    sold = t["sold"].to_numpy()
    assert (sold & ~t["work_year_given"]).sum() > 50 and (sold & (t["material"] == "other")).sum() > 50
    history = (t.loc[sold, "artist"], t.loc[sold, "sale_year"], t.loc[sold, "log_price_usd"])
    u = popularity(t["artist"], t["sale_year"], scale=10_000.0, kind=kind, history=history)
    np.testing.assert_allclose(t["popularity"], u, rtol=1e-10, atol=1e-13)
    assert (t["popularity"] != 0).mean() > 0.8
    # the analysable lots alone give another popularity: the left-out lots count
    keep = _analysable(t)
    narrow = popularity(t["artist"], t["sale_year"], kind=kind,
                        history=(t.loc[keep, "artist"], t.loc[keep, "sale_year"], t.loc[keep, "log_price_usd"]))
    assert np.abs(narrow - t["popularity"]).max() > 1e-3
    # lots of an artist in one sale year share the popularity
    per = t.groupby(["artist", "sale_year"])["popularity"].agg(["min", "max"])
    np.testing.assert_allclose(per["min"], per["max"], rtol=1e-12)


def test_log_prices_follow_the_model_exactly(world):
    t = world.truth_lots
    X, names = design_matrix(t, COVARIATES, year_effects=True)
    coef = world.coefficients()
    assert set(names) | {"popularity"} == set(coef.index)  # named as design_matrix names them
    mu = X @ coef[names].to_numpy() + coef["popularity"] * t["popularity"] + t["ability"]
    mu += world.truth.quality_effect * t["visual_quality"]  # the picture's quality (artstudy.synth.images)
    np.testing.assert_allclose(mu, t["expected_log_price_usd"], atol=1e-9)
    noise = t["latent_log_price_usd"] - mu
    assert abs(noise.mean()) < 0.05 and abs(noise.var() - world.truth.sigma2) < 0.05
    sold = t["sold"]
    np.testing.assert_array_equal(t.loc[sold, "log_price_usd"], t.loc[sold, "latent_log_price_usd"])
    assert t.loc[~sold, "log_price_usd"].isna().all() and t.loc[~sold, "price_original"].isna().all()
    # bought-in lots are a random subset: same noise distribution as the sold
    assert abs(noise[sold].mean() - noise[~sold].mean()) < 0.1
    np.testing.assert_allclose(t["log_area"], np.log(t["height_cm"] * t["width_cm"]))


def test_the_truth_comes_from_the_truth_object():
    beta = {"intercept": 3.0, "log_area": 1.0, "signed": 0.0, "inscribed": 0.5, "material[oil]": 2.0}
    truth = Truth(gamma=0.5, sigma2=0.25, beta=beta, quality_sd=2.0, quality_effect=0.3)
    w = _world(truth=truth, n_artists=30, n_lots=6000)
    t = w.truth_lots
    mu = 3.0 + t["log_area"] + 0.5 * t["inscribed"] + 2.0 * (t["material"] == "oil")
    mu += 0.5 * t["popularity"] + t["ability"] + 0.3 * t["visual_quality"]
    assert abs(t.drop_duplicates("artwork_id")["visual_quality"].std() - 2.0) < 0.1
    year = w.coefficients().filter(like="year[")
    mu += t["sale_year"].map(lambda y: year.get(f"year[{y}]", 0.0))
    np.testing.assert_allclose(mu, t["expected_log_price_usd"], atol=1e-9)
    assert abs((t["latent_log_price_usd"] - mu).var() - 0.25) < 0.03
    assert w.truth is truth and w.coefficients()["popularity"] == 0.5


def test_true_abilities_are_random_walks(full_world):
    ab = full_world.truth_ability.sort_values(["artist", "window"])
    first = ab.groupby("artist")["value"].first()
    steps = ab.groupby("artist")["value"].diff().dropna()
    assert 1.6 < first.std() < 2.4  # tau2 = 4
    assert 0.09 < steps.std() < 0.11  # sigma_a = 0.1
    assert (ab.groupby("artist")["window"].diff().dropna() == 1).all()
    # the walk starts at the artist's first active window
    a = full_world.artists.set_index("artist")
    np.testing.assert_array_equal(ab.groupby("artist")["window"].min().reindex(a.index), a["first_window"])
    # every lot's ability is its artist's value in the work's window
    t = full_world.truth_lots.merge(ab, on=["artist", "window"], how="left")
    np.testing.assert_allclose(t["ability"], t["value"])
    assert (ab["window_start"] == 1951 + 5 * ab["window"]).all()


def test_truth_coefficients_are_the_papers(world):
    coef = world.coefficients()
    assert coef["popularity"] == 1.38 and coef["log_area"] == 0.65 and coef["support[paper]"] == -0.33
    assert "year[1993]" not in coef and "year[2022]" in coef and "material[other]" not in coef
    pd.testing.assert_series_equal(coef, Truth().coefficients(1993, 30).rename_axis("term"), check_names=False)


# --------------------------------------------------------------------------
# where the ability walk starts


def test_model_start_measures_the_walk_before_t0(world):
    s = world.model_start()
    f = world.funnel()
    assert len(s) == f["artists"].iloc[-1]
    # independently: the walk starts at the first window of the truth's abilities, t'0 from the selection rule
    ab = world.truth_ability
    walk = ab.groupby("artist")["window"].min()
    t = world.truth_lots
    usable = _analysable(t)
    codes, names = pd.factorize(t["artist"])
    t0, t1 = artist_spans(codes[usable], t["window"].to_numpy()[usable], len(names), 14, 3, 6)
    expected = pd.Series(t0 - walk.reindex(names).to_numpy(), index=names)[t1 >= 0]
    got = s.set_index("artist")["steps"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False, check_dtype=False)
    assert (got >= 0).all()
    value = ab.set_index(["artist", "window"])["value"]
    np.testing.assert_allclose(s["ability_at_start"], [value[a, w] for a, w in zip(s["artist"], s["selection_start"])])
    np.testing.assert_allclose(s["start_variance"], 4.0 + 0.01 * s["steps"])
    summary = world.model_start_summary()
    assert summary["n_selected"] == len(s) and summary["mean_steps"] == pytest.approx(s["steps"].mean())
    assert summary["effective_tau2"] == pytest.approx(4.0 + 0.01 * s["steps"].mean())


def test_model_start_when_artists_start_slowly():
    # sparse output: many artists have fewer than 3 lots in their first active windows, so t'0 comes later
    w = _world(seed=3, n_artists=40, n_lots=6000, sparse_share=0.9, sparse_sd=1.0)
    s = w.model_start()
    assert (s["steps"] > 0).sum() >= 3
    summary = w.model_start_summary(min_windows=4)
    assert summary["n_selected"] >= len(s) and summary["max_steps"] >= s["steps"].max()
    assert summary["effective_tau2"] > 4.0


def test_model_start_variance_measured():
    # the world draws N(0, tau2) at the first active window; at the model's t'0, k windows later, the true ability
    # has variance tau2 + k sigma_a^2. Measured with steps large enough to see (sigma_a 1, tau2 0.25) and slow starts.
    truth = Truth(tau2=0.25, sigma_a=1.0)
    w = generate_world(WorldSpec(n_artists=600, n_lots=60_000, sparse_share=0.9, sparse_sd=1.0), truth, rng=0)
    s = w.model_start(min_windows=3)
    late = (s["steps"] > 0).to_numpy()
    assert late.sum() >= 50 and (~late).sum() >= 150
    a2 = s["ability_at_start"].to_numpy() ** 2
    z = a2 / (truth.tau2 + s["steps"].to_numpy() * truth.sigma_a ** 2)  # chi-square(1) each when the formula holds
    assert abs(z[late].mean() - 1) < 3 * np.sqrt(2 / late.sum())
    assert abs(z[~late].mean() - 1) < 3 * np.sqrt(2 / (~late).sum())
    assert a2[late].mean() / truth.tau2 > 3  # the model's N(0, tau2) at t'0 would be far off for these artists
    slope = np.polyfit(s["steps"], a2, 1)[0]  # E a^2 = tau2 + k sigma_a^2
    assert 0.5 < slope < 1.5


def test_model_start_difference_at_the_default_scale_is_as_documented(full_world):
    # the numbers stated in artstudy.synth.world's docstring (seed 20241123)
    s = full_world.model_start_summary()
    assert s["n_selected"] == 155 and s["max_steps"] == 1 and s["mean_steps"] == pytest.approx(7 / 155)
    assert 0 < s["effective_tau2"] - full_world.truth.tau2 < 1e-3


# --------------------------------------------------------------------------
# writing, config, source mapping


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
    assert spec["world"]["n_artists"] == SMALL["n_artists"] and spec["rates"]["HKD"] == 0.128
    assert Truth(**spec["truth"]) == world.truth and WorldSpec(**spec["world"]) == world.spec


def test_write_world_from_a_study_config(tmp_path):
    from artstudy.settings import resolve

    config = resolve({"seed": 9, "world": {"n_artists": 20, "n_lots": 3000}, "truth": {"gamma": 2.0},
                      "currency": {"rates": {"GBP": 1.5}}})
    a = write_world(config, tmp_path / "a", seed=4)
    write_world(config, tmp_path / "b", seed=4)
    c = write_world(config.to_dict(), tmp_path / "c")  # a mapping is resolved; the config's seed 9
    for name in ("raw_lots.csv", "truth_coefficients.csv", "truth_ability.csv", "truth_lots.csv", "artists.csv",
                 "spec.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    pictures = sorted((tmp_path / "a" / "images").iterdir())
    assert len(pictures) == len(a.works) and all(
        p.read_bytes() == (tmp_path / "b" / "images" / p.name).read_bytes() for p in pictures)
    assert (tmp_path / "a" / "raw_lots.csv").read_bytes() != (tmp_path / "c" / "raw_lots.csv").read_bytes()
    assert len(a.raw) == 3000 and a.coefficients()["popularity"] == 2.0 and a.rates["GBP"] == 1.5
    assert a.seed == 4 and c.seed == 9
    assert json.loads((tmp_path / "c" / "spec.json").read_text())["seed"] == 9
    with pytest.raises(InputError, match="target"):
        write_world(resolve({"currency": {"target": "EUR"}}), tmp_path / "x")


def test_bad_settings_are_one_line_input_errors():
    with pytest.raises(InputError, match="n_lotz"):
        generate_world({"n_lotz": 3})
    with pytest.raises(InputError, match="unsold_share"):
        generate_world({"unsold_share": 1.5})
    with pytest.raises(InputError, match="truth.*tau2"):
        generate_world(truth={"tau2": -1})


def test_synthetic_source_reads_the_raw_export():
    assert isinstance(SYNTHETIC_SOURCE, SourceMapping)
    cols = SYNTHETIC_SOURCE.column_map()
    assert set(cols.values()) | {"image_file"} == set(RAW_COLUMNS)
    assert cols["artist"] == "artist_name" and cols["price"] == "hammer_price" and cols["size"] == "dimensions"
    assert SYNTHETIC_SOURCE.unsold == ["Bought In"] and SYNTHETIC_SOURCE.missing == ["not given"]
    assert SYNTHETIC_SOURCE.date_format == "%Y-%m-%d" and SYNTHETIC_SOURCE.premium_included is False


def test_sales_table_is_every_sold_lot_with_the_left_out_marked(world):
    t = world.truth_lots
    sales = world.sales_table()
    assert len(sales) == t["sold"].sum() and sales["lot_id"].is_unique
    history = sales["left_out"].notna()
    assert (sales.loc[history, "left_out"] == "creation year given").all()
    assert history.sum() == (t["sold"] & ~t["work_year_given"]).sum()
    assert sales.loc[history, "work_year"].isna().all() and sales.loc[~history, "work_year"].notna().all()
    truth = t.set_index("lot_id").loc[sales["lot_id"]]
    np.testing.assert_allclose(np.log(sales["price"]), truth["log_price_usd"])
    # the popularity from the table's prices (history rows included) is the truth's
    u = popularity(sales["artist"], sales["sale_year"], np.log(sales["price"]))
    np.testing.assert_allclose(u, truth["popularity"], rtol=1e-10, atol=1e-13)
    usable = world.sales_table(history=False)
    assert len(usable) == _analysable(t).sum() and "left_out" not in usable
    assert usable["work_year"].dtype == np.int64


# --------------------------------------------------------------------------
# END-TO-END: fits the popularity-ability model (artstudy.models.pam.fit.fit_pam, being refactored; this test
# may break while the model's API moves). It needs a fit that counts the rows whose left_out names a rule
# as popularity history only.


def test_end_to_end_fit_pam_recovers_the_truth_of_the_world(world):
    from artstudy.models.pam.fit import fit_pam

    res = fit_pam(world.sales_table(), covariates=COVARIATES, year_effects=True, random_state=1)
    coef = res.coefficients.set_index("term")
    truth = world.coefficients()
    for term in ("popularity", "log_area"):
        est, se = coef.loc[term, "estimate"], coef.loc[term, "std_error_marginal"]
        assert abs(est - truth[term]) < 3.5 * se, (term, est, truth[term], se)
    # the fit's sample is the truth's funnel
    f = world.funnel()
    assert res.summary_dict()["n_sales"] == f["lots"].iloc[-1]
    assert res.summary_dict()["n_artists"] == f["artists"].iloc[-1]


# --------------------------------------------------------------------------
# pictures: style per artist, visual quality in a known region, its price effect, the files


def _tiny(seed=7, truth=None, **kw) -> World:
    return generate_world(WorldSpec(**{"n_artists": 20, "n_lots": 2000, **kw}), truth, rng=seed)


def test_same_seed_same_pictures():
    a, b = _tiny(), _tiny()
    img = a.images()
    assert img.dtype == np.uint8 and img.shape == (len(a.works), 32, 32, 3)
    np.testing.assert_array_equal(img, b.images())
    assert img.tobytes() == b.images().tobytes()
    pd.testing.assert_frame_equal(a.works, b.works)
    assert not np.array_equal(img[:100], _tiny(seed=8).images()[:100])
    # a work's picture does not depend on which others are asked for
    some = a.works["artwork_id"].to_numpy()[[len(a.works) - 1, 3, 0]]
    np.testing.assert_array_equal(a.images(some), img[[len(a.works) - 1, 3, 0]])
    assert a.images(size=16).shape == (len(a.works), 16, 16, 3)


def test_pictures_do_not_move_the_other_draws():
    # the pictures draw from a spawned stream: without the price effect the world is the one without pictures
    plain = _tiny(truth=Truth(quality_effect=0.0))
    rich = _tiny()
    for col in ("lot_id", "artwork_id", "artist", "sold", "sale_date", "work_year", "title", "height_cm",
                "auction_house", "ability", "visual_quality"):
        pd.testing.assert_series_equal(plain.truth_lots[col], rich.truth_lots[col], obj=col)
    pd.testing.assert_frame_equal(plain.raw.drop(columns=["hammer_price", "estimate"]),
                                  rich.raw.drop(columns=["hammer_price", "estimate"]))


def test_log_price_is_the_previous_components_plus_the_quality_term():
    truth = Truth()
    plain = _tiny(truth=truth.model_copy(update={"quality_effect": 0.0}))
    t0, t = plain.truth_lots, _tiny(truth=truth).truth_lots
    q = t["visual_quality"].to_numpy()
    # the same noise, ability and covariates: y = previous components (popularity fed back) + effect * q
    lhs = t["latent_log_price_usd"] - truth.gamma * t["popularity"] - truth.quality_effect * q
    rhs = t0["latent_log_price_usd"] - truth.gamma * t0["popularity"]
    np.testing.assert_allclose(lhs, rhs, atol=1e-9)
    np.testing.assert_allclose(t["expected_log_price_usd"] - t["latent_log_price_usd"],
                               t0["expected_log_price_usd"] - t0["latent_log_price_usd"], atol=1e-9)
    # one quality per work, on every sale; about N(0, quality_sd)
    assert (t.groupby("artwork_id")["visual_quality"].nunique() == 1).all()
    per_work = t.drop_duplicates("artwork_id")["visual_quality"]
    assert abs(per_work.mean()) < 0.1 and abs(per_work.std() - truth.quality_sd) < 0.1


def test_no_tabular_column_reveals_the_quality(full_world):
    t, raw = full_world.truth_lots, full_world.raw
    q = t["visual_quality"].to_numpy()
    est = raw["estimate"].str.extract(r"([\d,]+) - ([\d,]+)").apply(lambda s: pd.to_numeric(s.str.replace(",", "")))
    ok = est[0].notna().to_numpy()
    mid = np.log(np.sqrt(est[0] * est[1]) * raw["currency"].map(DEFAULT_RATES)).to_numpy()
    # the estimate is around the expected price without the picture's term
    resid = mid[ok] - (t["expected_log_price_usd"].to_numpy() - full_world.truth.quality_effect * q)[ok]
    assert abs(np.corrcoef(resid, q[ok])[0, 1]) < 0.02
    for col in ("log_area", "signed", "inscribed", "work_year", "ability", "popularity"):
        assert abs(np.corrcoef(t[col].astype(float), q)[0, 1]) < 0.03, col
    # the price sees it: the image matters, ability still dominates
    sold = t["sold"].to_numpy()
    r2_quality = np.corrcoef(t["log_price_usd"][sold], q[sold])[0, 1] ** 2
    r2_ability = np.corrcoef(t["log_price_usd"][sold], t["ability"][sold])[0, 1] ** 2
    assert 0.04 < r2_quality < 0.12 and r2_ability > 4 * r2_quality, (r2_quality, r2_ability)


def test_quality_changes_only_the_region():
    from artstudy.synth.images import draw_styles, draw_work_looks, quality_region, render_images

    rng = np.random.default_rng(0)
    styles, looks = draw_styles(3, rng), draw_work_looks(4, 1.0, rng)
    looks["artist"] = [0, 1, 2, 0]
    r0, r1, c0, c1 = quality_region(32)
    assert (r0, r1, c0, c1) == (8, 24, 8, 24)  # the middle quarter of the area
    low = render_images(styles, looks.assign(visual_quality=-1.0), 32, np.random.default_rng(1)).astype(int)
    high = render_images(styles, looks.assign(visual_quality=1.0), 32, np.random.default_rng(1)).astype(int)
    diff = high - low
    inside = np.zeros((32, 32), bool)
    inside[r0:r1, c0:c1] = True
    assert (diff[:, ~inside] == 0).all()
    assert (diff[:, inside] >= 0).all() and diff[:, inside].mean() > 40  # brighter by about 0.2 * 255
    # the same without grain; deterministic
    np.testing.assert_array_equal(render_images(styles, looks, 32), render_images(styles, looks, 32))


def test_style_is_shared_within_an_artist():
    w = _tiny(n_artists=20, n_lots=4000)
    img = w.images().astype(float)
    colour = img.mean(axis=(1, 2))  # mean RGB per work
    artist = w.works["artist_code"].to_numpy()
    keep = np.isin(artist, np.flatnonzero(np.bincount(artist) >= 10))
    colour, artist = colour[keep], artist[keep]
    centre = pd.DataFrame(colour).groupby(artist).mean()
    within = np.linalg.norm(colour - centre.loc[artist].to_numpy(), axis=1).mean()
    between = np.linalg.norm(centre.to_numpy()[:, None] - centre.to_numpy()[None], axis=2)
    between = between[np.triu_indices(len(centre), 1)].mean()
    assert within < 0.5 * between, (within, between)


def test_pictures_written_and_prepared(tmp_path):
    from artstudy.data.images import load_images
    from artstudy.data.prepare import prepare_file

    w = _tiny()
    w.write(tmp_path)
    raw = pd.read_csv(tmp_path / "raw_lots.csv", dtype=str, keep_default_na=False)
    assert raw["image_file"].str.fullmatch(r"images/W-\d{6}\.png").all()
    files = sorted(p.name for p in (tmp_path / "images").iterdir())
    assert files == sorted(w.works["image_file"].str.removeprefix("images/"))
    assert set(raw["image_file"]) == set(w.works["image_file"])  # every work offered has one, every file is used
    back = load_images(w.works["image_file"], 32, base_dir=tmp_path)
    np.testing.assert_array_equal(back, w.images())  # lossless
    spec = json.loads((tmp_path / "spec.json").read_text())
    assert spec["images"]["quality_region"] == [8, 24, 8, 24] and spec["images"]["size"] == 32
    lots = pd.read_csv(tmp_path / "truth_lots.csv")
    np.testing.assert_allclose(lots["visual_quality"], w.truth_lots["visual_quality"])
    # `artstudy prepare` with the pictures' template: absolute paths to the files, which load
    table, _ = prepare_file(tmp_path / "raw_lots.csv", SYNTHETIC_SOURCE, name="synthetic")
    assert table["image_path"].notna().all()
    by_lot = table.set_index("lot_id")["image_path"]
    work = w.truth_lots.set_index("lot_id")["artwork_id"]
    some = by_lot.index[:50]
    imgs = load_images(by_lot.loc[some], 32)
    np.testing.assert_array_equal(imgs, w.images(work.loc[some]))


def test_world_without_pictures(tmp_path):
    w = _tiny(images=False)
    w.write(tmp_path)
    assert not any((tmp_path / "images").iterdir()) and (w.raw["image_file"] == "").all()  # an empty folder
    pd.testing.assert_frame_equal(w.truth_lots, _tiny().truth_lots)  # the same world, its files without pictures
