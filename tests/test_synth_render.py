"""The world's raw export read back by the data layer's parsers gives the truth, lot by lot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artstudy.data import (normalise_artist, parse_currency, parse_date, parse_medium, parse_price, parse_signature,
                           parse_size, parse_year, prepare_table)
from artstudy.synth.lots import MEDIA
from artstudy.synth.render import MARKINGS, cm_text, dimensions_text, inch_text, names_text, thousands, years_text
from artstudy.synth.specs import WorldSpec
from artstudy.synth.world import SYNTHETIC_SOURCE, World, generate_world


@pytest.fixture(scope="module")
def world() -> World:
    # more circa, range and messy names than the defaults, so every form is frequent
    spec = WorldSpec(n_artists=60, n_lots=15_000, circa_share=0.2, range_share=0.2, messy_name_share=0.4)
    return generate_world(spec, rng=np.random.default_rng(11))


def test_sizes_round_trip(world):
    raw, t = world.raw, world.truth_lots
    size = parse_size(raw["dimensions"])
    for col in ("height_cm", "width_cm", "depth_cm"):
        np.testing.assert_allclose(size[col], t[col], rtol=0, atol=1e-9, err_msg=col)
    np.testing.assert_array_equal(size["depth_cm"].isna(), t["depth_cm"].isna())
    inches = (t["size_unit"] == "in").to_numpy()
    assert raw["dimensions"][inches].str.endswith(" in.").all() and raw["dimensions"][~inches].str.endswith(" cm").all()
    assert 0.2 < inches.mean() < 0.5 and raw["dimensions"].str.contains("/").any()


def test_years_round_trip(world):
    raw, t = world.raw, world.truth_lots
    year = parse_year(raw["year_of_work"])
    given = t["work_year_given"].to_numpy()
    np.testing.assert_array_equal(year[given].to_numpy(dtype=np.int64), t.loc[given, "work_year"])
    assert year[~given].isna().all() and (raw.loc[~given, "year_of_work"] == "not given").all()
    text = raw["year_of_work"]
    assert text.str.startswith("c. ").mean() > 0.15 and text.str.contains("-").mean() > 0.1
    # a range ends no later than the work's first offer
    rng_ = text.str.fullmatch(r"\d{4}-\d{2,4}")
    end = text[rng_].str.extract(r"-(\d+)$")[0]
    start = text[rng_].str[:4].astype(int)
    end = np.where(end.str.len() == 2, start // 100 * 100 + end.astype(int), end.astype(int))
    first_offer = t.groupby("artwork_id")["sale_year"].transform("min")[rng_]
    assert (end > start).all() and (end <= first_offer).all()


def test_prices_and_currencies_round_trip(world):
    raw, t = world.raw, world.truth_lots
    sold = t["sold"].to_numpy()
    price = parse_price(raw["hammer_price"])
    np.testing.assert_array_equal(price[sold], t.loc[sold, "price_original"])
    assert price[~sold].isna().all()
    assert (parse_currency(raw["currency"]).to_numpy(dtype=object) == t["currency"].to_numpy(dtype=object)).all()
    np.testing.assert_array_equal(parse_date(raw["sale_date"]), t["sale_date"])
    big = raw["hammer_price"].str.count(",") >= 2
    assert big.any()  # millions written "1,234,567"


def test_media_and_markings_round_trip(world):
    raw, t = world.raw, world.truth_lots
    medium = parse_medium(raw["medium"])
    np.testing.assert_array_equal(medium["material"], t["material"])
    np.testing.assert_array_equal(medium["support"], t["support"])
    assert (raw["medium"] == raw["medium"].str.upper()).any()  # some upper-cased, parsed all the same
    marks = parse_signature(raw["markings"])
    np.testing.assert_array_equal(marks["signed"], t["signed"])
    np.testing.assert_array_equal(marks["inscribed"], t["inscribed"])


def test_every_medium_and_marking_text_parses_to_its_truth():
    m = parse_medium(list(MEDIA))
    assert list(zip(m["material"], m["support"])) == [(v[0], v[1]) for v in MEDIA.values()]
    texts = [(flags, text) for flags, options in MARKINGS.items() for text in options]
    s = parse_signature([text for _, text in texts])
    assert list(zip(s["signed"], s["inscribed"])) == [flags for flags, _ in texts]


def test_artist_names_round_trip(world):
    raw, t = world.raw, world.truth_lots
    names = raw["artist_name"]
    assert (names != t["artist"]).mean() > 0.3  # messy: upper case, trailing spaces
    np.testing.assert_array_equal(normalise_artist(names).to_numpy(dtype=object), t["artist"].to_numpy(dtype=object))


def test_text_helpers():
    assert list(thousands([0, 999, 1000, 1234567])) == ["0", "999", "1,000", "1,234,567"]
    assert list(cm_text([76.2, 40.0, 0.1])) == ["76.2", "40", "0.1"]
    assert list(inch_text(np.array([244, 8, 3, 6]) * 2.54 / 8)) == ["30 1/2", "1", "0 3/8", "0 3/4"]
    dims = dimensions_text(["in", "cm", "cm"], [77.47, 40.0, 30.0], [55.88, 30.5, 20.0], [np.nan, np.nan, 12.5])
    assert list(dims) == ["30 1/2 x 22 in.", "40 x 30.5 cm", "30 x 20 x 12.5 cm"]
    rng = np.random.default_rng(0)
    years = years_text([1965, 1999, 1980, 1970], [True, True, False, True], [1990, 2005, 1990, 1970], 0.0, 1.0, rng)
    assert years[0] in {"1965-66", "1965-67", "1965-68"} and years[1] in {"1999-2000", "1999-2001", "1999-2002"}
    assert years[2] == "not given" and years[3] == "1970"  # sold in its creation year: no range
    names = names_text(["Mary Smith"] * 2000, 0.1, rng)
    messy = names != "Mary Smith"
    assert 0.07 < messy.mean() < 0.13
    assert set(pd.Series(names[messy]).str.strip()) == {"MARY SMITH", "Mary Smith"}


def test_the_raw_export_prepares_to_the_truth(world):
    # what `artstudy prepare raw_lots.csv --source synthetic` does, on the frame:
    # every lot, with the rule that left it out
    table, funnel = prepare_table(world.raw, SYNTHETIC_SOURCE, name="synthetic", currency={"rates": world.rates})
    t = world.truth_lots
    np.testing.assert_array_equal(table["lot_id"].to_numpy(dtype=object), t["lot_id"].to_numpy(dtype=object))
    sold, given = t["sold"].to_numpy(), t["work_year_given"].to_numpy()
    left = table["left_out"].to_numpy(dtype=object, na_value=None)
    expected = np.where(~sold, "sold", np.where(~given, "creation year given", None))
    np.testing.assert_array_equal(left, expected)
    # prices in USD to the written whole units of the house's currency
    amount = t.loc[sold, "price_original"].to_numpy()
    err = np.abs(np.log(table.loc[sold, "price"].to_numpy()) - t.loc[sold, "log_price_usd"].to_numpy())
    assert np.all(err <= 0.5 / amount + 1e-9)
    np.testing.assert_array_equal(table["artist"].to_numpy(dtype=object), t["artist"].to_numpy(dtype=object))
    np.testing.assert_array_equal(table.loc[given, "work_year"].to_numpy(dtype=np.int64), t.loc[given, "work_year"])
    for col in ("material", "support", "signed", "inscribed", "sale_year"):
        np.testing.assert_array_equal(table[col].to_numpy(dtype=object), t[col].to_numpy(dtype=object), err_msg=col)
    np.testing.assert_allclose(table["log_area"], t["log_area"], atol=1e-9)
    # the data layer links repeat sales from the text alone (an identical "Untitled" may rarely collide)
    assert (table["sale_kind"].to_numpy(dtype=object) != t["sale_kind"].to_numpy(dtype=object)).mean() < 0.002
    kept = funnel.set_index("step")["lots"]
    assert kept.iloc[-1] == (sold & given).sum() == world.funnel().set_index("step").loc["creation year given", "lots"]
