"""The auction data layer (artstudy.data): parsers, validation, repeat-sale linking, prepare end to end,
and the real exports under ../shared/data when present."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from artstudy import data as D
from artstudy.errors import InputError
from artstudy.data.validation import check_sales

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared" / "data"
CONFIG = ROOT / "config" / "config.yaml"
RATES = {"USD": 1.0, "GBP": 1.30, "EUR": 1.15, "HKD": 0.128}


@pytest.fixture(scope="module")
def config():
    return D.load_config(CONFIG)


# --------------------------------------------------------------------------
# parsers on real-looking strings
# --------------------------------------------------------------------------

PRICES = [
    ("$275,000", 275000.0, "USD"),
    ("1,234,567", 1234567.0, None),
    ("€1.200,50", 1200.5, "EUR"),
    ("-not sold-", math.nan, None),
    ("Bought In", math.nan, None),
    ("$3,366 (3,000)", 3366.0, "USD"),  # askart, Auctionata lots
    ("withdrawn", math.nan, None),
    ("600", 600.0, None),  # cml Final Price
    ("£1,000", 1000.0, "GBP"),
    ("HK$ 1,000,000", 1000000.0, "HKD"),
    ("USD 12,500", 12500.0, "USD"),
    ("1.200", 1200.0, None),
    ("76.5", 76.5, None),
    ("14,5", 14.5, None),
    ("1 234 567", 1234567.0, None),
    ("12,5oo", math.nan, None),
    ("-500", -500.0, None),
    ("", math.nan, None),
]


@pytest.mark.parametrize("text, value, currency", PRICES, ids=[p[0] or "empty" for p in PRICES])
def test_parse_price_and_currency(text, value, currency):
    got = D.parse_price(pd.Series([text]))[0]
    assert (math.isnan(got) and math.isnan(value)) or got == pytest.approx(value)
    cur = D.parse_currency(pd.Series([text]))[0]
    assert (cur if cur is not pd.NA else None) == currency


def test_parse_price_forced_decimal():
    assert D.parse_price(pd.Series(["€1.200,50", "1.234.567"]), decimal=",").tolist() == [1200.5, 1234567.0]
    assert math.isnan(D.parse_price(pd.Series(["1.234.567"]), decimal=".")[0])


def test_parse_estimate():
    e = D.parse_estimate(pd.Series(["10,000 - 15,000", "$10,000 - $15,000", "600", "", "8,000 to 12,000"]))
    assert e["low"].tolist()[:3] == [10000.0, 10000.0, 600.0]
    assert e["high"].tolist()[:3] == [15000.0, 15000.0, 600.0]
    assert np.isnan(e.loc[3, "low"]) and np.isnan(e.loc[3, "high"])
    assert (e.loc[4, "low"], e.loc[4, "high"]) == (8000.0, 12000.0)


YEARS = [
    ("1965", 1965), ("c. 1965", 1965), ("circa 1965", 1965), ("c.1960", 1960), ("1965-67", 1965),
    ("1999-2000", 1999), ("1960s", 1960), ("c. 1950s", 1960 - 10), ("not given", None), ("", None),
    ("86", None), ("68/69", None), ("CIRCA 1975", 1975), ("1979-86", 1979),
]


@pytest.mark.parametrize("text, year", YEARS, ids=[y[0] or "empty" for y in YEARS])
def test_parse_year(text, year):
    got = D.parse_year(pd.Series([text]))[0]
    assert (got is pd.NA and year is None) or got == year


def test_parse_year_with_a_source_pattern(config):
    pattern = config["sources"]["cml_portugal"]["work_year_pattern"]
    texts = pd.Series(["tecnica mista sobre papel, assinada e datada de 20-12-1991",
                       "serigrafia sobre papel, assinada e datada de 1981, numerada 1/150",
                       "assinada parvine curie (provavelmente parvine curie - nasc. 1936) e datada de 1987",
                       "carvao sobre papel, assinado e datado de 1-11-1995",
                       "acrilico sobre platex, assinado e datado do porto - 1985, no verso",
                       "serigrafia sobre papel, assinada e datada 25/4/1982",
                       "oleo sobre tela, assinado", "aguarela sobre papel, assinada e datada de 91"])
    got = D.parse_year(texts, pattern).tolist()
    assert got[:6] == [1991, 1981, 1987, 1995, 1985, 1982]
    assert got[6] is pd.NA and got[7] is pd.NA


SIZES = [
    ('30.00" x 22.25', "in", (76.2, 56.515, None)),
    ('36.00" x 36.00" x 18.00', "in", (91.44, 91.44, 45.72)),
    ("34 x 27 cm", "in", (34.0, 27.0, None)),
    ("Dim. - 34 x 27 cm", "cm", (34.0, 27.0, None)),
    ("Dim. - 31 x 24cm", "cm", (31.0, 24.0, None)),
    ("Dim. - 19.5 x 14 cm", "cm", (19.5, 14.0, None)),
    ("76.2 x 55.9 cm", "cm", (76.2, 55.9, None)),
    ("30 x 22 in.", "cm", (76.2, 55.88, None)),
    ("40 x 30 x 5 cm", "cm", (40.0, 30.0, 5.0)),
    ("30 1/2 x 22 in.", "cm", (77.47, 55.88, None)),
    ("30½ x 22¼ in", "cm", (77.47, 56.515, None)),
    ("340 x 270 mm", "cm", (34.0, 27.0, None)),
    ("30 x 22 in. (76.2 x 55.9 cm)", "cm", (76.2, 55.88, None)),
    ("Dim. - 24 cm", "cm", (None, None, None)),
    ("96.00", "in", (None, None, None)),
    ("Dimensions not available", "in", (None, None, None)),
    ("", "cm", (None, None, None)),
    ("-30 x 20 cm", "cm", (-30.0, 20.0, None)),
]


@pytest.mark.parametrize("text, unit, expected", SIZES, ids=[s[0] or "empty" for s in SIZES])
def test_parse_size(text, unit, expected):
    got = D.parse_size(pd.Series([text]), unit).iloc[0]
    for col, value in zip(["height_cm", "width_cm", "depth_cm"], expected):
        if value is None:
            assert np.isnan(got[col]), col
        else:
            assert got[col] == pytest.approx(value), col


MEDIA = [
    ("Oil / Canvas", "oil", "canvas"),
    ("Oil on canvas", "oil", "canvas"),
    ("Acrylic and silkscreen ink / Canvas", "acrylic", "canvas"),
    ("Watercolor , glitter and graphite / Paper", "watercolour", "paper"),
    ("Colored Pencil / Paper", "pencil", "paper"),
    ("Oil / Panel", "oil", "board"),
    ("Oil, enamel and acrylic / Canvas", "oil", "canvas"),
    ("Oil , enamel, acrlyic, glitter, ink and spray acrylic / Canvas", "oil", "canvas"),
    ("synthetic polymer and silkscreen ink / Canvas", "acrylic", "canvas"),
    ("Oil / Masonite", "oil", "board"),
    ("Oil / Linen", "oil", "canvas"),
    ("Oil / Canvas on board", "oil", "canvas"),
    ("Oil / Paper on board", "oil", "paper"),
    ("Oil / Canvasboard", "oil", "board"),
    ("Gouache / Card", "other", "cardboard"),
    ("Acrylic / Paperboard", "acrylic", "cardboard"),
    ("Ink and graphite / Paper", "other", "paper"),
    ("Oil pastel / Paper", "pastel", "paper"),
    ("Oilstick / Paper", "oil", "paper"),
    ("Mixed Media collage", "mixed media", "other"),
    ("Mixed media on paper", "mixed media", "paper"),
    ("Watercolour on paper", "watercolour", "paper"),
    ("Pastel on board", "pastel", "board"),
    ("Pencil on paper", "pencil", "paper"),
    ("Oil on cardboard", "oil", "cardboard"),
    ("Acrylic on leather", "acrylic", "leather"),
    ("Bronze", "other", "other"),
    ("Gouache on paper", "other", "paper"),
    ("tecnica mista sobre papel, assinada e datada de 20-12-1991", "mixed media", "paper"),
    ("óleo sobre tela", "oil", "canvas"),
    ("oleo sobre tela, assinado e datado de 1997", "oil", "canvas"),
    ("acrílico sobre tela", "acrylic", "canvas"),
    ("aguarela sobre papel", "watercolour", "paper"),
    ("oleo sobre cartão", "oil", "cardboard"),
    ("tecnica mista sobre cartao", "mixed media", "cardboard"),
    ("oleo sobre platex", "oil", "board"),
    ("oleo sobre madeira", "oil", "board"),
    ("acrilico sobre painel", "acrylic", "board"),
    ("acrilico sobre couro", "acrylic", "leather"),
    ("lápis sobre papel", "pencil", "paper"),
    ("pastel de oleo sobre papel", "pastel", "paper"),
    ("oleo sobe tela", "oil", "canvas"),
    ("oleo sobre tela colada em platex", "oil", "canvas"),
    ("tecnica mista com colagens sobre papel", "mixed media", "paper"),
    ("guache sobre papel colado sobre cartao", "other", "paper"),
    ("escultura em bronze, assinada", "other", "other"),
    ("serigrafia sobre papel, assinada, numerada 25/100", "other", "paper"),
]


@pytest.mark.parametrize("text, material, support", MEDIA, ids=[m[0] for m in MEDIA])
def test_parse_medium(text, material, support):
    got = D.parse_medium(pd.Series([text])).iloc[0]
    assert (got["material"], got["support"]) == (material, support)


SIGNATURES = [
    ("Signed and Dated", True, False), ("Inscribed and Signed", True, True), ("Unsigned", False, False),
    ("Signed, titled and inscribed", True, True), ("Signed and Titled", True, False),
    ("Signed Initials", True, False), ("Signed Monogram", True, False), ("Signed on Reverse", True, False),
    ("Inscribed", False, True), ("Inscribed and Not Signed", False, True), ("Stamped", False, False),
    ("By Estate", False, False), ("Unavailable", False, False), ("", False, False),
    ("tecnica mista sobre papel, assinada e datada", True, False), ("oleo sobre tela, assinado", True, False),
    ("tecnica mista sobre papel, nao assinada", False, False),
    ("tecnica mista sobre papel, assinatura nao identificada, datada de 1957", True, False),
    ("modernista, azulejo, assinado, 1976, com inscricao manuscrita no verso", True, True),
]


@pytest.mark.parametrize("text, signed, inscribed", SIGNATURES, ids=[s[0] or "empty" for s in SIGNATURES])
def test_parse_signature(text, signed, inscribed):
    got = D.parse_signature(pd.Series([text])).iloc[0]
    assert (bool(got["signed"]), bool(got["inscribed"])) == (signed, inscribed)


def test_parse_date_formats_and_ranges():
    got = D.parse_date(pd.Series(["11/16/2018", "11/22/2016-11/23/2016", "13/40/2018", ""]), "%m/%d/%Y")
    assert got.dtype == "datetime64[ns]"
    assert got[:2].tolist() == [pd.Timestamp("2018-11-16"), pd.Timestamp("2016-11-22")]
    assert got[2:].isna().all()
    got = D.parse_date(pd.Series(["2020-10-25 21:00:15"]), "%Y-%m-%d %H:%M:%S")
    assert got[0] == pd.Timestamp("2020-10-25")


def test_parse_sold_flags():
    got = D.parse_sold(pd.Series(["1", "0", "yes", "False", "", "maybe"]))
    assert got[:5].tolist() == [True, False, True, False, False]
    assert got[5] is pd.NA


def test_normalise_artist_and_title():
    got = D.normalise_artist(pd.Series(["Mary Smith", "MARY SMITH ", "mary  smith", "José Pomar", "JOSE POMAR", ""]))
    assert got[:5].tolist() == ["Mary Smith"] * 3 + ["José Pomar"] * 2
    assert got[5] is pd.NA
    assert D.normalise_title(pd.Series(['"Untitled (Blue)"', "UNTITLED  (blue)", "Sem título"])).tolist() == \
        ["untitled blue", "untitled blue", "sem titulo"]


def test_convert_currency():
    got = D.convert_currency([100.0, 100.0, np.nan], ["GBP", "USD", "EUR"], RATES)
    assert got[:2].tolist() == [130.0, 100.0] and np.isnan(got[2])
    with pytest.raises(KeyError, match="XYZ"):
        D.convert_currency([1.0], ["XYZ"], RATES)


def test_parsers_keep_the_index_and_vectorise_over_distinct_values():
    s = pd.Series(["Oil / Canvas"] * 5 + ["Bronze"] * 5, index=range(100, 110))
    got = D.parse_medium(s)
    assert list(got.index) == list(s.index)
    assert got["material"].tolist() == ["oil"] * 5 + ["other"] * 5


# --------------------------------------------------------------------------
# repeat sales
# --------------------------------------------------------------------------

def test_repeat_sale_linking_hand_made():
    artist = pd.Series(["Mary Smith", "MARY SMITH ", "Mary Smith", "Mary Smith", "Mary Smith", "John Doe"])
    title = pd.Series(["Untitled (Blue)", '"Untitled (blue)"', "Untitled (Blue)", "Untitled (Blue)",
                       "Untitled (Red)", "Untitled (Blue)"])
    size = D.parse_size(pd.Series(["76.2 x 55.9 cm", "30 x 22 in.", "76 x 56 cm", "100 x 80 cm", "76.2 x 55.9 cm",
                                   "76.2 x 55.9 cm"]))
    year = pd.array([1965, 1965, 1965, 1965, 1965, 1965], dtype="Int64")
    ids = D.artwork_ids(artist, title, size["height_cm"], size["width_cm"], year)
    assert ids[0] == ids[1] == ids[2]  # case, quotes, inches vs cm after rounding
    assert len({ids[0], ids[3], ids[4], ids[5]}) == 4  # other size, other title, other artist
    assert all(len(i) == 17 and i.startswith("W") for i in ids)
    # stable: same inputs, same ids (a hash, not a running number)
    assert (D.artwork_ids(artist[::-1], title[::-1], size["height_cm"][::-1], size["width_cm"][::-1],
                          year[::-1]) == ids[::-1]).all()
    year_other = pd.array([1965, 1966, 1965, 1965, 1965, 1965], dtype="Int64")
    assert D.artwork_ids(artist, title, size["height_cm"], size["width_cm"], year_other)[1] != ids[1]

    dates = pd.to_datetime(["2014-11-12", "2016-05-10", "2012-05-01", "2015-02-03", "2014-01-01", "2014-01-01"])
    sold = [True, True, False, True, True, True]
    kinds = D.sale_kinds(ids, dates, sold)
    # the 2012 lot was bought in: the 2014 sale is the first sale, 2016 a repeat
    assert kinds.tolist() == ["first", "repeat", "first", "first", "first", "first"]
    # same day: file order decides
    kinds = D.sale_kinds(["a", "a", "a"], pd.to_datetime(["2014-01-01"] * 3), [True, True, False])
    assert kinds.tolist() == ["first", "repeat", "repeat"]


# --------------------------------------------------------------------------
# prepare end to end on a hand-made raw file (synthetic format)
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small(config):
    mapping = D.source_mapping(config, "synthetic")
    raw = D.read_raw(HERE / "synthetic_small.csv", mapping)
    return raw, mapping


def test_prepare_small_synthetic_export(small):
    raw, mapping = small
    table, funnel = D.prepare_table(raw, mapping, name="synthetic", rates=RATES, path="synthetic_small.csv")
    assert list(table.columns) == D.CANONICAL_COLUMNS
    assert funnel.columns.tolist() == ["step", "rows", "artists", "removed"]
    assert funnel["step"].tolist() == ["lots read", "artist named", "sold", "price given", "creation year given",
                                       "size given", "sale year in 1993-2022", "work year in 1951-2020",
                                       "work year not after sale year"]
    assert funnel["rows"].tolist() == [14, 13, 12, 12, 11, 10, 9, 8, 7]
    assert funnel["removed"].tolist() == [0, 1, 1, 0, 1, 1, 1, 1, 1]
    assert funnel["artists"].tolist()[0] == 4 and funnel["artists"].tolist()[-1] == 4
    assert table["lot_id"].tolist() == ["SYN-000001", "SYN-000002", "SYN-000004", "SYN-000005", "SYN-000007",
                                        "SYN-000012", "SYN-000013"]
    t = table.set_index("lot_id")
    assert t.loc["SYN-000002", "artist"] == "Mary Smith"  # "MARY SMITH " in the file
    assert t.loc["SYN-000001", "price"] == pytest.approx(13000.0)  # 10,000 GBP
    assert t.loc["SYN-000001", "price_original"] == 10000.0 and t.loc["SYN-000001", "currency"] == "GBP"
    assert (t.loc["SYN-000001", "low_estimate"], t.loc["SYN-000001", "high_estimate"]) == \
        pytest.approx((10400.0, 15600.0))
    assert np.isnan(t.loc["SYN-000004", "low_estimate"])
    assert t.loc["SYN-000005", "price"] == pytest.approx(128000.0)  # 1,000,000 HKD
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
    # repeat sales: 1, 2 and the bought-in 3 are one work; 4 is bigger
    assert t.loc["SYN-000001", "artwork_id"] == t.loc["SYN-000002", "artwork_id"] != t.loc["SYN-000004", "artwork_id"]
    assert t["sale_kind"].to_dict() == {"SYN-000001": "first", "SYN-000002": "repeat", "SYN-000004": "first",
                                        "SYN-000005": "first", "SYN-000007": "first", "SYN-000012": "first",
                                        "SYN-000013": "first"}
    assert t.loc["SYN-000001", "sale_date"] == pd.Timestamp("2014-11-12") and t.loc["SYN-000001", "sale_year"] == 2014
    assert (t["source"] == "synthetic").all() and t["image_path"].isna().all()
    assert t.loc["SYN-000005", "auction_house"] == "Phillips Hong Kong"


def test_prepare_rules_false_names_the_rule_of_every_lot(small):
    raw, mapping = small
    table, funnel = D.prepare_table(raw, mapping, name="synthetic", rates=RATES, rules=False)
    assert len(table) == 14 and list(table.columns) == D.CANONICAL_COLUMNS + ["left_out"]
    D.canonical_schema().validate(table.drop(columns="left_out"))
    reasons = table.set_index("lot_id")["left_out"]
    assert reasons["SYN-000003"] == "sold" and reasons["SYN-000006"] == "creation year given"
    assert reasons["SYN-000014"] == "artist named" and reasons["SYN-000011"] == "work year not after sale year"
    assert pd.isna(reasons["SYN-000001"])
    counts = table["left_out"].value_counts()
    for step, removed in zip(funnel["step"][1:], funnel["removed"][1:]):
        assert counts.get(step, 0) == removed  # nothing dropped silently
    assert not table.set_index("lot_id").loc["SYN-000003", "sold"]
    assert np.isnan(table.set_index("lot_id").loc["SYN-000003", "price"])
    assert table.set_index("lot_id").loc["SYN-000003", "low_estimate"] == 15000.0


def test_prepare_study_window_is_configurable(small):
    raw, mapping = small
    table, funnel = D.prepare_table(raw, mapping, rates=RATES, study={"sale_years": (1980, 2022),
                                                                      "work_years": (1940, 2020)})
    assert "sale year in 1980-2022" in funnel["step"].tolist()
    assert {"SYN-000008", "SYN-000009"} <= set(table["lot_id"])
    m = dict(mapping, study={"work_years": [1960, 1970]})
    table, _ = D.prepare_table(raw, m, rates=RATES)
    assert table["work_year"].between(1960, 1970).all()


def _parser():
    parser = argparse.ArgumentParser(prog="artstudy")
    D.register_cli(parser.add_subparsers(dest="command", required=True))
    return parser


def test_prepare_cli_writes_what_pam_fit_reads(tmp_path):
    out = tmp_path / "out" / "SALES.csv"
    args = _parser().parse_args(["prepare", str(HERE / "synthetic_small.csv"), "--source", "synthetic",
                                 "--out", str(out), "--config", str(CONFIG)])
    assert args.func(args) == 0
    sales = pd.read_csv(out)
    assert sales.columns.tolist()[:9] == D.PAM_COLUMNS
    assert set(sales.columns) == set(D.CANONICAL_COLUMNS)
    assert len(sales) == 7
    checked = check_sales(sales, ["log_area", "signed", "inscribed", "material", "support"], source=str(out))
    assert checked["work_year"].dtype == np.int64
    funnel = pd.read_csv(tmp_path / "out" / "SALES.funnel.csv")
    assert funnel.columns.tolist() == ["step", "rows", "artists", "removed"]
    assert funnel["rows"].iloc[-1] == 7
    # the default config is the repository's
    args = _parser().parse_args(["prepare", str(HERE / "synthetic_small.csv"), "--source", "synthetic",
                                 "--out", str(tmp_path / "b.csv"), "--work-years", "1960", "1970"])
    assert args.config is None and args.func(args) == 0
    assert pd.read_csv(tmp_path / "b.csv")["work_year"].between(1960, 1970).all()
    assert D.default_config_path() == CONFIG


def test_prepare_cli_unknown_source(tmp_path):
    args = _parser().parse_args(["prepare", str(HERE / "synthetic_small.csv"), "--source", "nope",
                                 "--out", str(tmp_path / "s.csv"), "--config", str(CONFIG)])
    with pytest.raises(InputError, match="unknown source 'nope'.*synthetic"):
        args.func(args)


def test_prepare_reads_the_lead_json_config(tmp_path, config):
    # the workflow passes the sources and currency sections as JSON
    import json
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"sources": config["sources"], "currency": config["currency"]}))
    args = _parser().parse_args(["prepare", str(HERE / "synthetic_small.csv"), "--source", "synthetic",
                                 "--out", str(tmp_path / "s.csv"), "--config", str(path)])
    assert args.func(args) == 0


# --------------------------------------------------------------------------
# bad files
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
def test_bad_file_fails_naming_file_column_reason_and_lines(name, fragments, tmp_path):
    path = HERE / "bad" / name
    args = _parser().parse_args(["prepare", str(path), "--source", "synthetic", "--out", str(tmp_path / "s.csv"),
                                 "--config", str(CONFIG)])
    with pytest.raises(InputError) as info:
        args.func(args)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message
    assert not (tmp_path / "s.csv").exists()


def test_bad_mapping_and_unreadable_file(tmp_path, small):
    raw, mapping = small
    with pytest.raises(InputError, match="unknown mapping key 'colums'"):
        D.prepare_table(raw, {**mapping, "colums": {}})
    cols = {k: v for k, v in mapping["columns"].items() if k != "price"}
    with pytest.raises(InputError, match="no column for 'price'"):
        D.prepare_table(raw, {**mapping, "columns": cols})
    with pytest.raises(InputError, match="no such file"):
        D.read_raw(tmp_path / "nope.csv")


def test_sold_column_and_image_template(tmp_path):
    raw = pd.DataFrame({"Auction": ["7", "7", "7"], "Lot": ["1", "2", "3"], "Artist": ["A B", "A B", "C D"],
                        "When": ["2019-01-01"] * 3, "Sold": ["1", "0", "sim?"], "Price": ["100", "0", "5"]})
    mapping = {"columns": {"lot_id": "{Auction}-{Lot}", "sale_date": "When", "artist": "Artist", "price": "Price",
                           "sold": "Sold"}, "currency": "EUR", "image_path": "images/{Auction}_{Lot}.jpg"}
    with pytest.raises(InputError, match=r"column 'Sold': sold flag is not yes/no .* at line 4"):
        D.prepare_table(raw, mapping, rates=RATES)
    raw.loc[2, "Sold"] = "1"
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "7_1.jpg").write_bytes(b"")
    table, funnel = D.prepare_table(raw, mapping, rates=RATES, base_dir=tmp_path, rules=False)
    assert table["lot_id"].tolist() == ["7-1", "7-2", "7-3"]
    assert table["sold"].tolist() == [True, False, True]
    assert table["price"][0] == pytest.approx(115.0) and np.isnan(table["price"][1])  # unsold: price text ignored
    assert table["image_path"][0] == str((tmp_path / "images" / "7_1.jpg").resolve())
    assert table["image_path"][1:].isna().all()  # no such file
    assert table["left_out"].tolist() == ["creation year given", "sold", "creation year given"]
    # image paths from a column instead of a template
    mapping = {**{k: v for k, v in mapping.items() if k != "image_path"},
               "columns": {**mapping["columns"], "image_path": "Img"}}
    raw["Img"] = ["images/7_1.jpg", "", "images/7_3.jpg"]
    table, _ = D.prepare_table(raw, mapping, rates=RATES, rules=False)
    assert table["image_path"].fillna("").tolist() == ["images/7_1.jpg", "", "images/7_3.jpg"]
    table, _ = D.prepare_table(raw, mapping, rates=RATES, base_dir=tmp_path, rules=False)
    assert table["image_path"].notna().tolist() == [True, False, False]


# --------------------------------------------------------------------------
# config and schema agree with the code
# --------------------------------------------------------------------------

def test_schema_describes_the_mapping_keys():
    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
    source = schema["properties"]["sources"]["additionalProperties"]
    assert set(source["properties"]) == set(D.MAPPING_KEYS)
    assert set(source["properties"]["columns"]["properties"]) == set(D.FIELDS)


def test_config_sources_are_valid_mappings(config):
    for name in ("synthetic", "askart_ny", "cml_portugal"):
        D.source_mapping(config, name)
    assert config["currency"]["target"] == "USD"
    assert config["currency"]["rates"] == RATES
    notes = D.describe_source(config["sources"]["askart_ny"], "askart_ny", config["currency"])
    assert any("buyer's premium" in n for n in notes)


# --------------------------------------------------------------------------
# the real exports (../shared/data), never copied into the repository
# --------------------------------------------------------------------------

def _real(config, name):
    path = SHARED / name / "lots.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent (real data lives in ../shared/data beside the repository)")
    mapping = D.source_mapping(config, name)
    raw = D.read_raw(path, mapping)
    table, funnel = D.prepare_table(raw, mapping, name=name, rates=config["currency"]["rates"], path=str(path),
                                    base_dir=path.parent, rules=False)
    return raw, table, funnel


def test_real_askart_ny(config):
    raw, table, funnel = _real(config, "askart_ny")
    assert len(table) == len(raw) == funnel["rows"][0]
    kept = table[table["left_out"].isna()]
    assert 0.45 < len(kept) / len(table) < 0.65  # 14,917 of 28,095 (53%)
    steps = funnel.set_index("step")["removed"]
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
    # a lot from the file, checked by hand: George Condo, "Untitled (Banker)", $275,000, 30.00" x 22.25
    row = table[table["title"] == "Untitled (Banker)"].iloc[0]
    assert row["artist"] == "George Condo" and row["price"] == 275000.0 and row["work_year"] == 2010
    assert (row["material"], row["support"], row["signed"]) == ("pencil", "paper", True)
    assert row["height_cm"] == pytest.approx(76.2) and row["width_cm"] == pytest.approx(56.515)


def test_real_cml_portugal(config):
    raw, table, funnel = _real(config, "cml_portugal")
    kept = table[table["left_out"].isna()]
    assert 0.08 < len(kept) / len(table) < 0.2  # 512 of 4,547: few lots are dated paintings
    steps = funnel.set_index("step")["removed"]
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
