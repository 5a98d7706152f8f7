"""Acceptance test of issue 11: four export layouts go through ``artstudy prepare --config MAPPING`` without Python.

The exports and mappings are in ``tests/data/layouts`` (made-up data mimicking four real layouts; its README says
what each one mimics). Each runs as a user runs it, from that folder, through the command line; the test checks
that the funnel adds up (every row read is a kept lot or counted under one step; the table's ``left_out``
reasons are the funnel's steps after the table was made; rows dropped before it, by a filter or as duplicate
lots, are the first steps) and values worked out by hand from the raw rows, chosen where a broken parser or
mapping rule would differ.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from artstudy.cli import main

DATA = Path(__file__).resolve().parent / "data" / "layouts"
RULES_PLAUSIBLE = ("size not in pixels", "size in 1-1000 cm")


@pytest.fixture(autouse=True)
def in_layouts(monkeypatch):
    """Run from the layouts folder, as a user runs ``artstudy prepare`` beside their files (c.yaml's
    ``rates_file: c_rates.csv`` is relative)."""
    monkeypatch.chdir(DATA)


def prepare(tmp_path, raw, source, mapping, capsys):
    """``artstudy prepare RAW --source SOURCE --out OUT --config MAPPING``: (table, funnel, stdout, stderr)."""
    out = tmp_path / "out.csv"
    rc = main(["prepare", raw, "--source", source, "--out", str(out), "--config", mapping])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    table = pd.read_csv(out, dtype={"lot_id": str, "sale_date": str}).set_index("lot_id", drop=False)
    funnel = pd.read_csv(tmp_path / "out.funnel.csv")
    return table, funnel, captured.out, captured.err


def check_funnel(table, funnel, rows_read, removed, before_table=()):
    """The funnel adds up and agrees with the table.

    ``removed`` is the hand count of every step that removed lots; ``before_table`` names the steps that drop
    raw rows before the table is made (filters, duplicate lots): they come first, right after "lots read".
    """
    steps = funnel["step"].tolist()
    lots = funnel["lots"].to_numpy()
    gone = funnel["lots_removed"].to_numpy()
    assert steps[0] == "lots read" and lots[0] == rows_read and gone[0] == 0
    assert steps[1:1 + len(before_table)] == list(before_table)
    assert {s: int(n) for s, n in zip(steps, gone) if n} == removed
    np.testing.assert_array_equal(lots[1:], lots[:-1] - gone[1:])  # each step removes what it says
    kept = int(table["left_out"].isna().sum())
    assert lots[-1] == kept and rows_read == kept + gone.sum()
    assert len(table) == rows_read - sum(removed.get(s, 0) for s in before_table)
    assert table["lot_id"].is_unique
    in_table = {s: n for s, n in removed.items() if s not in before_table}
    assert table["left_out"].value_counts().to_dict() == in_table


def test_us_house_ranges_markers_per_field_and_duplicates(tmp_path, capsys):
    table, funnel, out, err = prepare(tmp_path, "a_us.csv", "us_house", "a.yaml", capsys)
    # 44 rows: S100-4 three times and S100-13 twice (identical), S101-2 unsold then sold -> 4 duplicate rows;
    # Bronze S100-1, S100-19 and Lithograph S101-3, S101-20 are no paintings; 7 lots of price -1; 4 of Year -1;
    # S100-12 "Dimensions not available"; S101-10 made in 2013, sold in 2012.
    check_funnel(table, funnel, 44, {"duplicate lots": 4, "painting or work on paper": 4, "sold": 7,
                                     "creation year given": 4, "size given": 1, "work year not after sale year": 1},
                 before_table=["duplicate lots"])
    assert err == ""
    assert out.splitlines()[-1] == (f"wrote {tmp_path / 'out.csv'} (40 lots, 23 kept by 8 artists) and "
                                    f"{tmp_path / 'out.funnel.csv'}")
    # the sold record of the lot scraped twice is kept; -1 in Year is unknown there, not unsold
    s101_2 = table.loc["S101-2"]
    assert (s101_2["sold"], s101_2["price"], s101_2["left_out"]) == (True, 12000.0, "creation year given")
    assert np.isnan(s101_2["work_year"])
    # -1 in Price: unsold, the year read; -1 in Year: a sold lot with its year unknown
    s100_6, s100_8 = table.loc["S100-6"], table.loc["S100-8"]
    assert (s100_6["sold"], s100_6["work_year"], s100_6["left_out"]) == (False, 2006, "sold")
    assert np.isnan(s100_6["price"])
    assert (s100_8["sold"], s100_8["price"], s100_8["left_out"]) == (True, 221000.0, "creation year given")
    assert np.isnan(s100_8["work_year"])
    # a date range is its end date; 31.00" x 22.25" in cm; the repeated lot once and kept
    s100_13 = table.loc["S100-13"]
    assert (s100_13["sale_date"], s100_13["sale_year"], s100_13["price"]) == ("2020-04-16", 2020, 124000.0)
    assert (s100_13["height_cm"], s100_13["width_cm"]) == pytest.approx((31 * 2.54, 22.25 * 2.54), abs=1e-9)
    assert pd.isna(s100_13["left_out"]) and s100_13["title"] == "Untitled 12"
    assert table.loc["S101-15", "sale_date"] == "2020-04-16" and table.loc["S100-5", "sale_date"] == "2014-01-11"
    assert pd.isna(table.loc["S100-4", "left_out"]) and table.loc["S100-4", "price"] == 379000.0
    assert table.loc["S100-12", "left_out"] == "size given" and np.isnan(table.loc["S100-12", "height_cm"])
    assert table.loc["S101-10", ["sale_year", "work_year", "left_out"]].tolist() == [
        2012, 2013, "work year not after sale year"]
    assert table.loc[["S100-1", "S101-3"], "left_out"].tolist() == ["painting or work on paper"] * 2
    assert not (tmp_path / "out.excluded.csv").exists()  # the size rule left none out


def test_eu_house_latin1_decimal_comma_unit_column_and_rate_column(tmp_path, capsys):
    table, funnel, out, err = prepare(tmp_path, "b_eu.csv", "eu_house", "b.yaml", capsys)
    # 60 lots: 23 sculptures and lithographs, 7 "Invendu" among the rest, 8 without a year among the sold
    check_funnel(table, funnel, 60, {"painting or work on paper": 23, "sold": 7, "creation year given": 8})
    assert err == ""
    # L004: "null: 2 Jan 2018", Latin-1 name, 21.833,38 EUR at 1,21 -> 26418.3898 USD
    l004 = table.loc["L004"]
    assert (l004["artist"], l004["sale_date"], l004["currency"]) == ("Hélène Dûbois", "2018-01-02", "EUR")
    assert l004["price_original"] == 21833.38
    assert l004["price"] == pytest.approx(26418.3898, abs=1e-6)
    assert (l004["height_cm"], l004["width_cm"], l004["material"], l004["support"]) == (116, 110, "oil", "canvas")
    assert pd.isna(l004["left_out"]) and l004["signed"]
    # L005: 270 x 1380 mm -> 27 x 138 cm, 57.451,96 EUR at 1,22 -> 70091.3912 USD
    l005 = table.loc["L005"]
    assert (l005["height_cm"], l005["width_cm"]) == pytest.approx((27.0, 138.0), abs=1e-9)
    assert l005["price"] == pytest.approx(70091.3912, abs=1e-6) and pd.isna(l005["left_out"])
    # L009: 260 x 680 mm, 25.593,04 EUR at 1,19; L010: "null: 8 Jan 2018", gouache on paper, 65.187,32 at 1,13
    assert table.loc["L009", ["height_cm", "width_cm"]].tolist() == pytest.approx([26.0, 68.0], abs=1e-9)
    assert table.loc["L009", "price"] == pytest.approx(30455.7176, abs=1e-6)
    assert table.loc["L010", "sale_date"] == "2018-01-08" and pd.isna(table.loc["L010", "left_out"])
    assert table.loc["L010", "price"] == pytest.approx(73661.6716, abs=1e-6)
    # L001: "null: 24 Jul 2015", 570 x 580 mm, Invendu; L006: year empty, 83.297,40 at 1,23
    l001 = table.loc["L001"]
    assert (l001["sale_date"], l001["sold"], l001["height_cm"], l001["left_out"]) == ("2015-07-24", False, 57.0,
                                                                                      "sold")
    assert np.isnan(l001["price"])
    assert table.loc["L006", "price"] == pytest.approx(102455.802, abs=1e-6)
    assert table.loc["L006", "left_out"] == "creation year given"
    assert table.loc[["L002", "L003"], "left_out"].tolist() == ["painting or work on paper"] * 2
    assert out.splitlines()[-1].endswith("(60 lots, 22 kept by 7 artists) and " + str(tmp_path / "out.funnel.csv"))


def test_london_1800s_yearly_rates_row_ids_title_years_and_plausible_sizes(tmp_path, capsys):
    table, funnel, _, err = prepare(tmp_path, "c_old.csv", "london_1800s", "c.yaml", capsys)
    # row i (0-based) is lot i + 1: Bought In where i % 9 == 0 (7); no year in column or title where i % 8 == 6
    # (7, one of them Bought In); pixels where i % 8 == 2 (8, one Bought In); 61000 x 46400 cm where i % 8 == 5
    # (7, one Bought In)
    check_funnel(table, funnel, 60, {"sold": 7, "creation year given": 6, "size not in pixels": 7,
                                     "size in 1-1000 cm": 6})
    assert err == ""
    assert table["lot_id"].tolist() == [str(k) for k in range(1, 61)]
    assert set(table["currency"]) == {"GBP"}
    # the rate of the sale year: 4.8 + (year - 1840) * 0.002 (not the constant GBP 1.30)
    lot2 = table.loc["2"]  # 26/1/1857, "A view of the Thames, 1829", Year empty, 61 cm. x 46.4 cm., £1,402
    assert (lot2["sale_date"], lot2["work_year"], lot2["price_original"]) == ("1857-01-26", 1829, 1402.0)
    assert lot2["price"] == pytest.approx(1402 * 4.834, abs=1e-6)
    assert (lot2["height_cm"], lot2["width_cm"]) == (61.0, 46.4) and pd.isna(lot2["left_out"])
    lot4 = table.loc["4"]  # 26/4/1871, title year 1864, 24 x 20 in., £798
    assert (lot4["work_year"], lot4["price"]) == (1864, pytest.approx(798 * 4.862, abs=1e-6))
    assert (lot4["height_cm"], lot4["width_cm"]) == pytest.approx((60.96, 50.8), abs=1e-9)
    lot5 = table.loc["5"]  # 20/10/1878, Year 1864 (the title has none), "30 1/2 x 25 in.", £890
    assert (lot5["work_year"], lot5["price"]) == (1864, pytest.approx(890 * 4.876, abs=1e-6))
    assert (lot5["height_cm"], lot5["width_cm"]) == pytest.approx((30.5 * 2.54, 25 * 2.54), abs=1e-9)
    lot9 = table.loc["9"]  # 3/10/1858, "48⁄8 x 34⁄8 in." = 4 8/8 x 3 4/8 in., £2,866
    assert (lot9["height_cm"], lot9["width_cm"]) == pytest.approx((5 * 2.54, 3.5 * 2.54), abs=1e-9)
    assert lot9["price"] == pytest.approx(2866 * 4.836, abs=1e-6) and pd.isna(lot9["left_out"])
    assert table.loc["1", ["sold", "left_out"]].tolist() == [False, "sold"] and np.isnan(table.loc["1", "price"])
    # "Portrait no. 6": no year in the column, none in the title (its 6 is no year)
    assert table.loc["7", "left_out"] == "creation year given" and np.isnan(table.loc["7", "work_year"])
    assert table.loc["19", "left_out"] == "sold"  # in pixels too, but Bought In comes first
    assert table.loc["6", ["height_cm", "width_cm", "left_out"]].tolist() == [61000.0, 46400.0, "size in 1-1000 cm"]
    excluded = pd.read_csv(tmp_path / "out.excluded.csv", dtype=str)
    assert excluded.columns.tolist() == ["lot_id", "rule", "text"]
    pixels = [(k, "size not in pixels", "800 x 600 px") for k in ("3", "11", "27", "35", "43", "51", "59")]
    absurd = [(k, "size in 1-1000 cm", "61000 x 46400 cm") for k in ("6", "14", "22", "30", "38", "54")]
    assert sorted(map(tuple, excluded.to_numpy())) == sorted(pixels + absurd)
    assert sorted(excluded["lot_id"]) == sorted(table.index[table["left_out"].isin(RULES_PLAUSIBLE)])


def test_hong_kong_filter_silk_and_duplicated_header(tmp_path, capsys):
    table, funnel, _, err = prepare(tmp_path, "d_asia.csv", "hk_house", "d.yaml", capsys)
    # 50 lots, every 4th from the 3rd Ceramics (12); "Unsold" in every 7th from the 1st, 2 of them Ceramics
    filter_step = "Department in Fine Chinese Paintings, Modern Asian Art"
    check_funnel(table, funnel, 50, {filter_step: 12, "sold": 6}, before_table=[filter_step])
    assert err == ("artstudy prepare: warning: d_asia.csv: the header names column 'Price' more than once; the "
                   "first is read (the others as 'Price.1', ...)\n")
    assert table["lot_id"].tolist() == [f"HK{i + 1}" for i in range(50) if i % 4 != 2]
    assert set(table["currency"]) == {"HKD"}  # the first Price (HK$), not the second (US$)
    hk2 = table.loc["HK2"]  # Gouache on silk, 148 x 86 cm, HK$2,846,000 at 0.128
    assert (hk2["price_original"], hk2["price"]) == (2846000.0, pytest.approx(2846000 * 0.128, abs=1e-6))
    assert (hk2["height_cm"], hk2["width_cm"], hk2["work_year"]) == (148.0, 86.0, 1979)
    assert pd.isna(hk2["left_out"])
    # a painting by its support only ("Hanging scroll, ink and colour on silk") and by its medium only ("Ink and
    # colour"): kept, their material and support "other"
    assert table.loc["HK4", ["price_original", "material", "support"]].tolist() == [4150000.0, "other", "other"]
    assert table.loc["HK5", ["price_original", "material", "support"]].tolist() == [2596000.0, "other", "other"]
    assert table.loc[["HK4", "HK5"], "left_out"].isna().all()
    assert table.loc["HK1", ["sold", "left_out"]].tolist() == [False, "sold"]
    raw = pd.read_csv("d_asia.csv", dtype=str).set_index("Lot")
    media = raw.loc[table.index, "Medium"]
    # ink or silk: 10 "Ink on paper", 5 "Ink and colour on paper", HK5; 10 "Gouache on silk", 7 ink and colour on silk
    asian = media.str.contains("silk|ink", case=False)
    assert asian.sum() == 33 and media.str.contains("silk").sum() == 17
    assert table.loc[asian, "left_out"].isin([np.nan, "sold"]).all()  # none left out as "no painting"
    assert not (tmp_path / "out.excluded.csv").exists()


@pytest.mark.parametrize("raw, source, mapping, unmapped", [
    ("a_us.csv", "us_house", "a.yaml", "none"), ("b_eu.csv", "eu_house", "b.yaml", "none"),
    ("c_old.csv", "london_1800s", "c.yaml", "none"), ("d_asia.csv", "hk_house", "d.yaml", "Price.1")])
def test_check_prints_the_funnel_and_writes_nothing(tmp_path, capsys, raw, source, mapping, unmapped):
    _, funnel, _, _ = prepare(tmp_path, raw, source, mapping, capsys)
    before = sorted(p.name for p in DATA.iterdir())
    assert main(["prepare", raw, "--source", source, "--config", mapping, "--check", "--sample", "3"]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in DATA.iterdir()) == before
    assert out.startswith("3 of ") and out.count("\nlot ") == 3
    assert "\nfunnel:\n" + funnel.to_string(index=False) + "\n" in out
    assert out.splitlines()[-1] == f"raw columns not mapped: {unmapped}"
