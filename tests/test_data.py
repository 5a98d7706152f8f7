"""Preparing a raw export (artstudy.data.prepare): every lot kept with the rule that left it out, the funnel,
one-line errors for bad input, writing, and the real exports under ../shared/data when present.
The parsers are tested in test_data_parsers.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from artstudy import data as D
from artstudy.data.sources import CurrencySettings, SourceMapping, StudyWindow
from artstudy.errors import InputError
from artstudy.synth.world import SYNTHETIC_SOURCE

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared" / "data"
CONFIG = ROOT / "config" / "config.yaml"
RATES = {"USD": 1.0, "GBP": 1.30, "EUR": 1.15, "HKD": 0.128}

#: The synthetic world's export format: the built-in source, as a plain mapping that tests vary.
SYNTHETIC = SYNTHETIC_SOURCE.model_dump(exclude_none=True)
STEPS = ["lots read", "artist named", "sold", "price given", "creation year given", "size given",
         "sale year in 1993-2022", "work year in 1951-2020", "work year not after sale year"]
KEPT = ["SYN-000001", "SYN-000002", "SYN-000004", "SYN-000005", "SYN-000007", "SYN-000012", "SYN-000013"]


@pytest.fixture(scope="module")
def prepared():
    return D.prepare_file(HERE / "synthetic_small.csv", SYNTHETIC, name="synthetic")


@pytest.fixture(scope="module")
def raw():
    return D.read_raw(HERE / "synthetic_small.csv", SYNTHETIC)


def test_every_lot_is_kept_with_the_rule_that_left_it_out(prepared):
    table, funnel = prepared
    assert list(table.columns) == D.CANONICAL_COLUMNS + ["left_out"]
    assert len(table) == 14 and table["lot_id"].tolist() == [f"SYN-{i:06d}" for i in range(1, 15)]
    assert str(table["left_out"].dtype) == "string"
    reasons = table.set_index("lot_id")["left_out"]
    assert reasons.dropna().to_dict() == {
        "SYN-000003": "sold", "SYN-000006": "creation year given", "SYN-000008": "work year in 1951-2020",
        "SYN-000009": "sale year in 1993-2022", "SYN-000010": "size given",
        "SYN-000011": "work year not after sale year", "SYN-000014": "artist named"}
    D.canonical_schema().validate(table.drop(columns="left_out"))
    sample = D.analysis_sample(table)
    assert sample["lot_id"].tolist() == KEPT and list(sample.index) == list(range(7))
    # popularity counts every sold, priced lot: 6 of the 13 are left out of the analysis but stay in the table
    priced = table["sold"] & table["price"].notna()
    assert int(priced.sum()) == 13 and int((priced & table["left_out"].notna()).sum()) == 6


def test_the_funnel_counts_agree_with_left_out(prepared):
    table, funnel = prepared
    assert funnel.columns.tolist() == list(D.FUNNEL_COLUMNS)
    assert funnel["step"].tolist() == STEPS
    assert funnel["lots"].tolist() == [14, 13, 12, 12, 11, 10, 9, 8, 7]
    assert funnel["lots_removed"].tolist() == [0, 1, 1, 0, 1, 1, 1, 1, 1]
    assert funnel["artists"].tolist() == [4] * 9 and funnel["artists_removed"].tolist() == [0] * 9
    counts = table["left_out"].value_counts()
    for step, removed in zip(funnel["step"][1:], funnel["lots_removed"][1:]):
        assert counts.get(step, 0) == removed  # nothing dropped silently
    assert funnel["lots"].iloc[-1] == table["left_out"].isna().sum()
    assert funnel["artists"].iloc[-1] == D.analysis_sample(table)["artist"].nunique()


def test_prepared_values(prepared):
    t = prepared[0].set_index("lot_id")
    assert t.loc["SYN-000002", "artist"] == "Mary Smith"  # "MARY SMITH " in the file
    assert t.loc["SYN-000001", "price"] == 13000.0  # 10,000 GBP
    assert t.loc["SYN-000001", "price_original"] == 10000.0 and t.loc["SYN-000001", "currency"] == "GBP"
    assert (t.loc["SYN-000001", "low_estimate"], t.loc["SYN-000001", "high_estimate"]) == \
        pytest.approx((10400.0, 15600.0))
    assert np.isnan(t.loc["SYN-000004", "low_estimate"])
    assert t.loc["SYN-000005", "price"] == 128000.0  # 1,000,000 HKD
    assert t.loc["SYN-000005", "work_year"] == 1965  # "1965-67"
    assert t.loc["SYN-000005", "depth_cm"] == 5.0 and np.isnan(t.loc["SYN-000001", "depth_cm"])
    assert (t.loc["SYN-000005", "material"], t.loc["SYN-000005", "support"]) == ("acrylic", "canvas")
    assert bool(t.loc["SYN-000005", "signed"]) and bool(t.loc["SYN-000005", "inscribed"])
    assert (t.loc["SYN-000007", "material"], t.loc["SYN-000007", "support"]) == ("other", "other")
    assert (t.loc["SYN-000012", "material"], t.loc["SYN-000012", "support"]) == ("acrylic", "leather")
    assert not t.loc["SYN-000012", "signed"] and t.loc["SYN-000012", "inscribed"]
    assert t.loc["SYN-000012", "price"] == pytest.approx(14375.0)
    assert (t.loc["SYN-000013", "height_cm"], t.loc["SYN-000013", "width_cm"]) == (34.0, 27.0)
    assert t.loc["SYN-000013", "log_area"] == pytest.approx(np.log(34 * 27))
    assert t.loc["SYN-000002", "work_year"] == 1965  # "c. 1965"
    assert t.loc["SYN-000002", "title"] == "Untitled (Blue)"  # '"Untitled (Blue)"' in the file
    assert t.loc["SYN-000006", "work_year"] is pd.NA  # "not given" is a missing marker
    # the bought-in lot: unsold, no price, its estimate kept
    assert not t.loc["SYN-000003", "sold"] and np.isnan(t.loc["SYN-000003", "price"])
    assert t.loc["SYN-000003", "low_estimate"] == 15000.0
    # repeat sales: 1, 2 and the bought-in 3 are one work; 4 is bigger
    assert t.loc["SYN-000001", "artwork_id"] == t.loc["SYN-000002", "artwork_id"] == t.loc["SYN-000003", "artwork_id"]
    assert t.loc["SYN-000001", "artwork_id"] != t.loc["SYN-000004", "artwork_id"]
    assert (t["sale_kind"] == "repeat").sum() == 1 and t.loc["SYN-000002", "sale_kind"] == "repeat"
    assert t.loc["SYN-000001", "sale_date"] == pd.Timestamp("2014-11-12") and t.loc["SYN-000001", "sale_year"] == 2014
    assert (t["source"] == "synthetic").all() and t["image_path"].isna().all()
    assert t.loc["SYN-000005", "auction_house"] == "Phillips Hong Kong"
    assert t.loc["SYN-000014", "artist"] is pd.NA


def test_mapping_and_settings_objects_or_dicts_agree(raw, prepared):
    table, funnel = D.prepare_table(raw, SourceMapping.model_validate(SYNTHETIC), name="synthetic",
                                    currency=CurrencySettings(rates=RATES), path="synthetic_small.csv")
    pd.testing.assert_frame_equal(table, prepared[0])
    pd.testing.assert_frame_equal(funnel, prepared[1])
    halved = D.prepare_table(raw, SYNTHETIC, name="synthetic", currency={"rates": {"GBP": 0.65}})[0]
    assert halved.set_index("lot_id").loc["SYN-000001", "price"] == 6500.0
    eur = D.prepare_table(raw, SYNTHETIC, currency={"target": "EUR", "rates": {"USD": 0.5, "GBP": 1.0}})[0]
    assert eur.set_index("lot_id").loc["SYN-000002", "price"] == 12500.0


def test_study_window_is_configurable(raw):
    table, funnel = D.prepare_table(raw, SYNTHETIC, study=StudyWindow(sale_years=(1980, 2022),
                                                                       work_years=(1940, 2020)))
    assert "sale year in 1980-2022" in funnel["step"].tolist()
    assert {"SYN-000008", "SYN-000009"} <= set(D.analysis_sample(table)["lot_id"])
    table, funnel = D.prepare_table(raw, {**SYNTHETIC, "study": {"work_years": [1960, 1970]}})
    assert D.analysis_sample(table)["work_year"].tolist() == [1965, 1965, 1965, 1965]
    assert funnel["step"].tolist()[-2] == "work year in 1960-1970"
    # the caller's window beats the mapping's
    table, _ = D.prepare_table(raw, {**SYNTHETIC, "study": {"work_years": [1960, 1970]}},
                               study={"work_years": (1951, 2020)})
    assert len(D.analysis_sample(table)) == 7


def test_a_source_extends_another(raw):
    from artstudy.settings import resolve

    config = resolve({"sources": {
        "base": {**SYNTHETIC, "description": "the export", "study": {"work_years": [1960, 1970]}},
        "wide": {"extends": "base", "study": {"work_years": [1940, 2020]}, "paintings_only": True},
        "wider": {"extends": "wide", "description": "mine"}}})
    wide = config.source("wide")
    assert wide.columns == config.source("base").columns and wide.paintings_only
    assert wide.study.work_years == (1940, 2020) and wide.study.sale_years == (1993, 2022)
    assert wide.description == "the export (wide)" and config.source("wider").description == "mine"
    assert config.source("wider").study.work_years == (1940, 2020)
    # the resolved config round-trips, and prepares as its base with its own window
    assert resolve(config.to_dict()).source("wider") == config.source("wider")
    table, _ = D.prepare_table(raw, config.source("wide"))
    assert len(D.analysis_sample(table)) > len(D.analysis_sample(D.prepare_table(raw, config.source("base"))[0]))
    for sources, message in [({"a": {"extends": "b"}}, "sources: a: extends 'b', which is not a source"),
                             ({"a": {"extends": "c"}, "c": {"extends": "a"}}, r"extends 'a' makes a cycle \(a -> c -> a\)")]:
        with pytest.raises(InputError, match=message):
            resolve({"sources": sources})


def test_write_prepared_round_trip(prepared, tmp_path):
    table, funnel = prepared
    sales_path, funnel_file = D.write_prepared(table, funnel, tmp_path / "out" / "sales.csv")
    assert (sales_path, funnel_file) == (tmp_path / "out" / "sales.csv", tmp_path / "out" / "sales.funnel.csv")
    assert D.funnel_path("a/b/sales.csv") == Path("a/b/sales.funnel.csv")
    sales = pd.read_csv(sales_path, dtype={"lot_id": str})
    assert sales.columns.tolist()[:9] == D.PAM_COLUMNS and sales.columns.tolist()[-1] == "left_out"
    assert set(sales.columns) == set(D.CANONICAL_COLUMNS) | {"left_out"}
    assert len(sales) == 14 and sales["left_out"].isna().sum() == 7
    assert sales["sale_date"].iloc[0] == "2014-11-12"
    checked = D.check_sales(D.analysis_sample(sales), ["log_area", "signed", "inscribed", "material", "support"],
                            source=str(sales_path))
    assert checked["work_year"].dtype == np.int64 and checked["lot_id"].tolist() == KEPT
    pd.testing.assert_frame_equal(pd.read_csv(funnel_file), funnel)


def test_sold_column_and_image_template(tmp_path):
    raw = pd.DataFrame({"Auction": ["7", "7", "7"], "Lot": ["1", "2", "3"], "Artist": ["A B", "A B", "C D"],
                        "When": ["2019-01-01"] * 3, "Sold": ["1", "0", "sim?"], "Price": ["100", "0", "5"]})
    mapping = {"columns": {"lot_id": "{Auction}-{Lot}", "sale_date": "When", "artist": "Artist", "price": "Price",
                           "sold": "Sold"}, "currency": "EUR", "image_path": "images/{Auction}_{Lot}.jpg"}
    with pytest.raises(InputError, match=r"column 'Sold': sold flag is not yes/no .* at line 4"):
        D.prepare_table(raw, mapping, currency={"rates": RATES})
    raw.loc[2, "Sold"] = "1"
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "7_1.jpg").write_bytes(b"")
    table, funnel = D.prepare_table(raw, mapping, base_dir=tmp_path)
    assert table["lot_id"].tolist() == ["7-1", "7-2", "7-3"]
    assert table["sold"].tolist() == [True, False, True]
    assert table["price"][0] == pytest.approx(115.0) and np.isnan(table["price"][1])  # unsold: price text ignored
    assert table["image_path"][0] == str((tmp_path / "images" / "7_1.jpg").resolve())
    assert table["image_path"][1:].isna().all()  # no such file
    assert table["left_out"].tolist() == ["creation year given", "sold", "creation year given"]
    assert funnel["lots"].tolist() == [3, 3, 2, 2, 0, 0, 0, 0, 0]
    assert funnel["artists"].tolist() == [2, 2, 2, 2, 0, 0, 0, 0, 0]
    assert funnel["artists_removed"].tolist() == [0, 0, 0, 0, 2, 0, 0, 0, 0]
    # image paths from a column instead of a template
    mapping = {**{k: v for k, v in mapping.items() if k != "image_path"},
               "columns": {**mapping["columns"], "image_path": "Img"}}
    raw["Img"] = ["images/7_1.jpg", "", "images/7_3.jpg"]
    table, _ = D.prepare_table(raw, mapping)
    assert table["image_path"].fillna("").tolist() == ["images/7_1.jpg", "", "images/7_3.jpg"]
    table, _ = D.prepare_table(raw, mapping, base_dir=tmp_path)
    assert table["image_path"].notna().tolist() == [True, False, False]


def test_medium_rules_and_lots_of_several_works():
    media = ["Oil on canvas", "Bronze", "Serigrafia sobre papel", "Óleo sobre tela", "Oil on canvas"]
    raw = pd.DataFrame({"id": list("abcde"), "d": ["2019-01-01"] * 5, "who": ["X"] * 5, "p": ["10"] * 5, "med": media,
                        "y": ["1990"] * 5, "s": ["10 x 10 cm"] * 5, "n": ["1", "1", "1", "1", "3"]})
    mapping = {"columns": {"lot_id": "id", "sale_date": "d", "artist": "who", "price": "p", "medium": "med",
                           "work_year": "y", "size": "s", "n_works": "n"}, "currency": "USD",
               "paintings_only": True, "exclude_medium": "serigraf"}
    table, funnel = D.prepare_table(raw, mapping)
    assert table["left_out"].fillna("").tolist() == ["", "painting or work on paper", "painting or work on paper",
                                                     "", "one work per lot"]
    assert funnel["step"].tolist()[:4] == ["lots read", "artist named", "painting or work on paper",
                                           "one work per lot"]
    assert funnel["lots"].tolist() == [5, 5, 3, 2, 2, 2, 2, 2, 2, 2, 2]


# --------------------------------------------------------------------------
# bad input: one line naming file, column, reason, lines; bugs keep their traceback
# --------------------------------------------------------------------------

BAD = [
    ("missing_column.csv", ["missing_column.csv: missing column 'hammer_price'", "columns present: lot_id"]),
    ("bad_price.csv", ["bad_price.csv: column 'hammer_price': price is neither a number nor an unsold/missing marker",
                       "at lines 3, 5", "first: '12,5oo'"]),
    ("zero_price.csv", ["column 'hammer_price': non-positive price for a sold lot at line 2"]),
    ("bad_date.csv", ["bad_date.csv: column 'sale_date': missing or unparseable date (format '%Y-%m-%d') at line 4",
                      "first: '2014-13-45'"]),
    ("negative_size.csv", ["negative_size.csv: column 'dimensions': negative or zero size at line 6",
                           "first: '-30 x 20 cm'"]),
    ("duplicate_lot.csv", ["duplicate_lot.csv: column 'lot_id': duplicate lot id at lines 3, 5",
                           "first: 'SYN-000002'"]),
    ("unknown_currency.csv", ["unknown_currency.csv: column 'currency': no exchange rate for currency 'XYZ'",
                              "at line 3"]),
    ("bad_price_after_multiline_title.csv", ["column 'hammer_price'", "at line 5 ", "first: 'n/a'"]),
]


@pytest.mark.parametrize("name, fragments", BAD, ids=[b[0] for b in BAD])
def test_bad_file_fails_naming_file_column_reason_and_lines(name, fragments):
    path = HERE / "bad" / name
    with pytest.raises(InputError) as info:
        D.prepare_file(path, SYNTHETIC, name="synthetic", currency={"rates": RATES})
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message


BAD_MAPPINGS = [
    ({"colums": {}}, "source 'synthetic': colums: unknown key"),
    ({"exclude_medium": "serigraf(ia"}, "source 'synthetic': exclude_medium: not a valid regular expression"),
    ({"work_year_pattern": "datad[oa"}, "work_year_pattern: not a valid regular expression"),
    ({"columns": {k: v for k, v in SYNTHETIC["columns"].items() if k != "price"}}, "no column for 'price'"),
    ({"columns": {**SYNTHETIC["columns"], "prize": "x"}}, "columns.prize: unknown key"),
    ({"size_unit": "ft"}, "size_unit: Input should be"),
    ({"currency": "usd"}, "currency: String should match"),
]


@pytest.mark.parametrize("change, fragment", BAD_MAPPINGS, ids=[next(iter(c)) for c, _ in BAD_MAPPINGS])
def test_bad_mapping_is_one_line(raw, change, fragment):
    with pytest.raises(InputError) as info:
        D.prepare_table(raw, {**SYNTHETIC, **change}, name="synthetic")
    assert "\n" not in str(info.value) and fragment in str(info.value), str(info.value)


def test_bad_settings_and_unreadable_files(raw, tmp_path):
    with pytest.raises(InputError, match=r"currency: rates: currency codes must be three capital letters"):
        D.prepare_table(raw, SYNTHETIC, currency={"rates": {"usd": 1}})
    with pytest.raises(InputError, match="sale_years: first year 2022 is after last year 1993"):
        D.prepare_table(raw, SYNTHETIC, study={"sale_years": (2022, 1993)})
    with pytest.raises(InputError, match="nope.csv: no such file"):
        D.read_raw(tmp_path / "nope.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("lot_id;artist_name\nA;Jørn\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin.csv: cannot be read as CSV with encoding 'utf-8'") as info:
        D.read_raw(latin, SYNTHETIC)
    assert "\n" not in str(info.value)
    got = D.read_raw(latin, {**SYNTHETIC, "encoding": "latin-1", "sep": ";"})
    assert got.to_dict("list") == {"lot_id": ["A"], "artist_name": ["Jørn"]}


def test_a_bug_keeps_its_traceback(raw):
    with pytest.raises(AttributeError):  # not a frame: a programming error, not bad input
        D.prepare_table(raw.to_dict("list"), SYNTHETIC)


def test_describe_source():
    notes = D.describe_source(SYNTHETIC, "synthetic", CurrencySettings(target="EUR"))
    assert notes[0] == SYNTHETIC["description"]  # the mapping's own description comes first
    assert notes[1] == "Prices are converted to EUR at constant rates per currency (config currency.rates)."
    assert "Prices are hammer prices without the buyer's premium." in notes
    assert notes[-1] == "Sizes without a unit are read as cm."
    assert any(n.startswith("Unsold lots are those marked 'Bought In'") for n in notes)
    notes = D.describe_source({**SYNTHETIC, "premium_included": True, "paintings_only": True}, "x")
    assert any("include the buyer's premium" in n for n in notes) and any("'other'" in n for n in notes)
    assert set(D.MAPPING_KEYS) == set(SourceMapping.model_fields) and "columns" in D.MAPPING_KEYS


# --------------------------------------------------------------------------
# the real exports (../shared/data), never copied into the repository
# --------------------------------------------------------------------------

def _real(name):
    path = SHARED / name / "lots.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent (real data lives in ../shared/data beside the repository)")
    config = yaml.safe_load(CONFIG.read_text())
    table, funnel = D.prepare_file(path, config["sources"][name], name=name, currency=config.get("currency"))
    return D.read_raw(path, config["sources"][name]), table, funnel


def test_real_askart_ny():
    raw, table, funnel = _real("askart_ny")
    assert len(table) == len(raw) == funnel["lots"][0]
    kept = D.analysis_sample(table)
    assert 0.45 < len(kept) / len(table) < 0.65  # 14,917 of 28,095 (53%)
    steps = funnel.set_index("step")["lots_removed"]
    assert 5000 < steps["sold"] < 5400  # 6,370 "-not sold-" in all, some of them sculpture
    assert 4500 < steps["painting or work on paper"] < 6000
    assert funnel["artists"].iloc[-1] > 1500
    assert kept["currency"].eq("USD").all()
    assert 1e4 < kept["price"].median() < 2e5 and kept["price"].min() > 50
    assert kept["log_area"].between(1, 18).all() and 8 < kept["log_area"].median() < 10
    assert (kept["work_year"] <= kept["sale_year"]).all()
    assert kept["sale_year"].between(2009, 2018).all()
    mat = kept["material"].value_counts(normalize=True)
    assert mat.index[0] == "oil" and mat["acrylic"] > 0.15
    assert kept["support"].value_counts().index[0] == "canvas"
    assert 0.8 < kept["signed"].mean() < 0.95
    assert 0 < (kept["sale_kind"] == "repeat").mean() < 0.1
    # popularity's lots: sold and priced, many of them left out of the analysis
    priced = table["sold"] & table["price"].notna()
    assert (priced & table["left_out"].notna()).sum() > 0.1 * priced.sum()
    # a lot from the file, checked by hand: George Condo, "Untitled (Banker)", $275,000, 30.00" x 22.25
    row = table[table["title"] == "Untitled (Banker)"].iloc[0]
    assert row["artist"] == "George Condo" and row["price"] == 275000.0 and row["work_year"] == 2010
    assert (row["material"], row["support"], row["signed"]) == ("pencil", "paper", True)
    assert row["height_cm"] == pytest.approx(76.2) and row["width_cm"] == pytest.approx(56.515)


def test_real_cml_portugal():
    raw, table, funnel = _real("cml_portugal")
    kept = D.analysis_sample(table)
    assert 0.08 < len(kept) / len(table) < 0.2  # 512 of 4,547: few lots are dated paintings
    steps = funnel.set_index("step")["lots_removed"]
    assert steps["artist named"] == (raw["1 Author"] == "no information").sum()
    assert steps["painting or work on paper"] > 1500  # prints, design objects, sculpture
    assert table["sold"].sum() == (raw["Sold"] == "1").sum()
    assert kept["currency"].eq("EUR").all()
    assert kept["price"].to_numpy() == pytest.approx(kept["price_original"].to_numpy() * 1.15)
    assert kept["sale_year"].between(2017, 2020).all() and kept["work_year"].between(1951, 2020).all()
    assert kept["image_path"].notna().mean() > 0.95
    assert Path(kept["image_path"].dropna().iloc[0]).exists()
    assert set(kept["material"]) <= set(D.MATERIALS) and kept["material"].value_counts().index[0] == "mixed media"
    assert kept["signed"].mean() > 0.9
    first = table.iloc[0]  # "tecnica mista sobre papel, assinada e datada de 20-12-1991", Dim. - 34 x 27 cm, 600
    assert (first["material"], first["support"], first["work_year"]) == ("mixed media", "paper", 1991)
    assert (first["height_cm"], first["width_cm"], first["price_original"]) == (34.0, 27.0, 600.0)
    assert first["title"] == "Ready-made absoluto (não interferido)"  # '"Ready-made ..."' in the file
    assert first["artist"] == "mário cesariny" and first["lot_id"] == "1267-1"


@pytest.mark.parametrize("values, message", [
    (["1.5", "inf", "2.0", "2.5"], "column 'log_area': infinite value at line 3"),
    (["1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0", "5.5", "about 40"],
     "column 'log_area': not a number ('about 40') at line 11; the column is otherwise numbers"),
])
def test_read_sales_names_an_infinite_or_stray_covariate(tmp_path, values, message):
    # the shared sales-table check (every model that reads a user's table), not only pam-fit's
    n = len(values)
    table = pd.DataFrame({"artist": ["A"] * n, "sale_year": [2010] * n, "work_year": [2000] * n,
                          "price": [100.0] * n, "log_area": values})
    path = tmp_path / "sales.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        D.read_sales(path, ["log_area"])
    assert str(err.value).startswith(f"{path}: {message}")
