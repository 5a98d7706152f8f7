"""Issue 11's parsing items on small frames and files made here: date ranges and bad dates, separate size columns,
the fraction slash, pixel sizes, plausibility rules and the excluded-lots file, per-lot and yearly exchange
rates, and the "paintings only" rule decided from what the work is."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artstudy import data as D
from artstudy.data.dates import parse_date
from artstudy.data.media import is_painting_or_drawing
from artstudy.data.plausible import excluded_path
from artstudy.data.rates import read_rates
from artstudy.data.sizes import parse_size, size_from_columns
from artstudy.errors import InputError

COLUMNS = {"lot_id": "id", "sale_date": "d", "artist": "who", "price": "p", "work_year": "y", "size": "s"}


def _raw(n, **columns):
    base = {"id": [f"L{i}" for i in range(1, n + 1)], "d": ["2019-01-01"] * n, "who": ["X"] * n, "p": ["100"] * n,
            "y": ["1990"] * n, "s": ["10 x 10 cm"] * n}
    base.update(columns)
    return pd.DataFrame(base)


def _mapping(**extra):
    columns = {**COLUMNS, **extra.pop("columns", {})}
    return {"columns": columns, "currency": "USD", **extra}


# --------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------

def test_date_ranges_end_or_start():
    texts = pd.Series(["04/01/2020-04/16/2020", "11/16/2018", "13/40/2018", ""])
    assert parse_date(texts, "%m/%d/%Y", "end").tolist()[:2] == [pd.Timestamp("2020-04-16"), pd.Timestamp("2018-11-16")]
    assert parse_date(texts, "%m/%d/%Y", "start").tolist()[0] == pd.Timestamp("2020-04-01")
    assert parse_date(texts, "%m/%d/%Y", "end").isna().tolist() == [False, False, True, True]
    days = pd.Series(["1-3 May 2019", "30 April - 2 May 2019", "2 May 2019", "28 Dec 2019 - 2 Jan 2020"])
    assert parse_date(days, "mixed", "end").dt.strftime("%Y-%m-%d").tolist() == [
        "2019-05-03", "2019-05-02", "2019-05-02", "2020-01-02"]
    assert parse_date(days, "mixed", "start").dt.strftime("%Y-%m-%d").tolist() == [
        "2019-05-01", "2019-04-30", "2019-05-02", "2019-12-28"]
    assert parse_date(pd.Series(["1-3 May 2019"]), "%d %B %Y", "end").tolist() == [pd.Timestamp("2019-05-03")]
    with pytest.raises(ValueError, match="date_range must be 'start' or 'end'"):
        parse_date(texts, "%m/%d/%Y", "middle")


def test_a_source_reads_the_end_of_a_range_unless_told():
    raw = _raw(2, d=["04/01/2020-04/16/2020", "12/30/2019-01/02/2020"])
    table, _ = D.prepare_table(raw, _mapping(date_format="%m/%d/%Y"))
    assert table["sale_date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-04-16", "2020-01-02"]
    assert table["sale_year"].tolist() == [2020, 2020]
    table, _ = D.prepare_table(raw, _mapping(date_format="%m/%d/%Y", date_range="start"))
    assert table["sale_date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-04-01", "2019-12-30"]
    assert table["sale_year"].tolist() == [2020, 2019]
    with pytest.raises(InputError, match="date_range"):
        D.prepare_table(raw, _mapping(date_range="last"))


def test_bad_dates_stop_or_are_a_counted_drop(tmp_path):
    raw = _raw(4, d=["2019-01-01", "sometime", "2019-02-01", ""], who=["A", "B", "A", "C"])
    with pytest.raises(InputError, match=r"column 'd': missing or unparseable date .* at lines 3, 5 "
                                         r"\(first: 'sometime'\)"):
        D.prepare_table(raw, _mapping())
    table, funnel = D.prepare_table(raw, _mapping(bad_dates="drop"))
    assert table["lot_id"].tolist() == ["L1", "L3"]
    assert table["sale_date"].notna().all() and table["left_out"].isna().all()
    assert funnel["step"].tolist()[:3] == ["lots read", "sale date read", "artist named"]
    assert funnel["lots"].tolist()[:2] == [4, 2] and funnel["artists"].tolist()[:2] == [3, 1]
    assert funnel["lots_removed"].tolist()[1] == 2 and funnel["lots"].iloc[-1] == 2
    assert table.attrs["excluded"] == {"lot_id": ["L2", "L4"], "rule": ["sale date read"] * 2,
                                       "text": ["sometime", ""]}
    out = tmp_path / "sales.csv"
    D.write_prepared(table, funnel, out)
    listed = pd.read_csv(excluded_path(out), keep_default_na=False)
    assert listed.to_dict("list") == {"lot_id": ["L2", "L4"], "rule": ["sale date read"] * 2, "text": ["sometime", ""]}
    # every date read: the step is there, removing nothing, and no excluded file is written
    table, funnel = D.prepare_table(raw.iloc[[0, 2]], _mapping(bad_dates="drop"))
    assert funnel["step"].tolist()[:2] == ["lots read", "artist named"] and "excluded" not in table.attrs
    D.write_prepared(table, funnel, tmp_path / "clean.csv")
    assert not excluded_path(tmp_path / "clean.csv").exists()


# --------------------------------------------------------------------------
# sizes
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("48⁄8 x 34⁄8 in.", (5 * 2.54, 3.5 * 2.54)),  # mixed numbers written without their space: 4 8/8, 3 4/8
    ("1315⁄16 x 3⁄4 in", ((13 + 15 / 16) * 2.54, 0.75 * 2.54)),
    ("12 3⁄4 x 9 1⁄2 in", (12.75 * 2.54, 9.5 * 2.54)),
    ("61 cm. x 46.4 cm.", (61.0, 46.4)),
    ("340 mm. x 270 mm.", (34.0, 27.0)),
    ("1/2 x 3/4 in", (1.27, 1.905)),
    # a plain slash that lost its space reads by the same rule; a one-digit numerator as written
    ("48/8 x 34/8 in.", (5 * 2.54, 3.5 * 2.54)),
    ("1315/16 x 12/3 in", ((13 + 15 / 16) * 2.54, (1 + 2 / 3) * 2.54)),
    ("30 11/16 x 7/8 in", ((30 + 11 / 16) * 2.54, 7 / 8 * 2.54)),
    ("20 x 15/16 in", (20 * 2.54, 15 / 16 * 2.54)),  # a proper fraction with a two-digit numerator
    ("11/16 x 20 x 15⁄16 in", (11 / 16 * 2.54, 20 * 2.54)),
])
def test_sizes_with_the_fraction_slash_and_dotted_units(text, expected):
    got = parse_size(pd.Series([text]), "cm").iloc[0]
    assert (got["height_cm"], got["width_cm"]) == pytest.approx(expected, rel=1e-12)
    assert not got["pixels"]


def test_pixel_sizes_are_flagged_not_read_as_cm():
    got = parse_size(pd.Series(["1920 x 1080 px", "800 x 600 pixels", "30 x 20", "", "4000 x 3000 (pixels)"]), "cm")
    assert got["pixels"].tolist() == [True, True, False, False, True]
    assert got["height_cm"].isna().tolist() == [True, True, False, True, True]


def test_separate_height_width_depth_and_unit_columns():
    got = size_from_columns(pd.Series(["61", "30 1/2", "", "1920", "2", "48⁄8"]),
                            pd.Series(["46.4", "22", "", "1080", "1.5", "34⁄8"]),
                            pd.Series(["", "3", "", "", "", ""]),
                            pd.Series(["cm", "inches", "", "px", "m", 'in.']), "mm")
    assert got["height_cm"].tolist()[:2] == pytest.approx([61.0, 30.5 * 2.54])
    assert got["width_cm"].tolist()[4:] == pytest.approx([150.0, 3.5 * 2.54])
    assert got["depth_cm"].tolist()[1] == pytest.approx(7.62) and np.isnan(got["depth_cm"][0])
    assert got["height_cm"].isna().tolist() == [False, False, True, True, False, False]
    assert got["pixels"].tolist() == [False, False, False, True, False, False]
    # no unit column: the source's unit
    assert size_from_columns(pd.Series(["10"]), pd.Series(["20"]), None, None, "mm")["width_cm"].tolist() == [2.0]
    with pytest.raises(ValueError, match="unknown size unit 'ft'"):
        size_from_columns(pd.Series(["10"]), pd.Series(["20"]), None, pd.Series(["ft"]))


def test_a_source_with_size_columns():
    raw = _raw(3, h=["61", "12", "800"], w=["46", "10", "600"], u=["cm", "in", "px"]).drop(columns="s")
    mapping = _mapping(columns={"size": None, "height": "h", "width": "w", "size_unit": "u"})
    table, funnel = D.prepare_table(raw, mapping)
    assert table["height_cm"].tolist()[:2] == pytest.approx([61.0, 30.48])
    assert table["left_out"].fillna("").tolist() == ["", "", "size given"]  # pixels: no size
    with pytest.raises(InputError, match=r"column 'u': unknown size unit 'feet'"):
        D.prepare_table(raw.assign(u=["cm", "feet", "cm"]), mapping)
    with pytest.raises(InputError, match="width: give the height column too"):
        D.prepare_table(raw, _mapping(columns={"width": "w"}))
    with pytest.raises(InputError, match="height: give the width column too"):
        D.prepare_table(raw, _mapping(columns={"height": "h"}))


# --------------------------------------------------------------------------
# plausibility rules and the excluded-lots file
# --------------------------------------------------------------------------

def test_plausible_sizes_and_prices_are_counted_drops_listed_with_their_text(tmp_path):
    sizes = ["10 x 10 cm", "35000 x 20 cm", "1920 x 1080 px", "50 x 40 cm", "0.5 x 10 cm", "20 x 20 cm"]
    raw = _raw(6, s=sizes, p=["100", "100", "100", "1000000000", "100", "2,000,000,000"])  # 1e9: inside
    mapping = _mapping(plausible={"size_cm": [1, 1000], "price": [1, 1e9]})
    table, funnel = D.prepare_table(raw, mapping)
    assert table["left_out"].fillna("").tolist() == [
        "", "size in 1-1000 cm", "size not in pixels", "", "size in 1-1000 cm", "price in 1-1e+09 USD"]
    steps = funnel.set_index("step")["lots_removed"]
    assert steps["size not in pixels"] == 1 and steps["size in 1-1000 cm"] == 2 and steps["price in 1-1e+09 USD"] == 1
    assert funnel["step"].tolist().index("size not in pixels") < funnel["step"].tolist().index("size given")
    out = tmp_path / "sales.csv"
    D.write_prepared(table, funnel, out)
    listed = pd.read_csv(excluded_path(out), keep_default_na=False).sort_values("lot_id")
    assert listed.to_dict("list") == {
        "lot_id": ["L2", "L3", "L5", "L6"],
        "rule": ["size in 1-1000 cm", "size not in pixels", "size in 1-1000 cm", "price in 1-1e+09 USD"],
        "text": ["35000 x 20 cm", "1920 x 1080 px", "0.5 x 10 cm", "2,000,000,000"]}
    # without plausible ranges: no such rule; the pixel size is no size
    table, funnel = D.prepare_table(raw, _mapping())
    assert table["left_out"].fillna("").tolist() == ["", "", "size given", "", "", ""]
    with pytest.raises(InputError, match="size_cm: lower bound 10.0 is above upper bound 1.0"):
        D.prepare_table(raw, _mapping(plausible={"size_cm": [10, 1]}))


def test_size_columns_are_the_text_listed():
    raw = _raw(2, h=["5000", "12"], w=["46", "10"], u=["cm", "in"]).drop(columns="s")
    mapping = _mapping(columns={"size": None, "height": "h", "width": "w", "size_unit": "u"},
                       plausible={"size_cm": [1, 1000]})
    table, _ = D.prepare_table(raw, mapping)
    assert table.attrs["excluded"] == {"lot_id": ["L1"], "rule": ["size in 1-1000 cm"], "text": ["5000 | 46 | cm"]}


# --------------------------------------------------------------------------
# exchange rates: per lot and by year
# --------------------------------------------------------------------------

def _rates_file(tmp_path, text):
    path = tmp_path / "rates.csv"
    path.write_text(text)
    return str(path)


def test_yearly_rates_convert_to_the_cent(tmp_path):
    rates = _rates_file(tmp_path, "year,currency,rate\n2018,EUR,1.1812\n2019,EUR,1.1194\n2018,GBP,1.3349\n"
                                  "2019,GBP,1.2766\n")
    raw = _raw(5, d=["2018-06-01", "2019-06-01", "2018-01-01", "2019-12-31", "2019-05-05"],
               p=["€1,234.56", "€1,234.56", "£999.99", "£10", "$100"], est=["1,000 - 2,000"] * 5)
    mapping = _mapping(columns={"estimate": "est"})
    table, _ = D.prepare_table(raw, mapping, currency={"rates_file": rates})
    assert np.round(table["price"].to_numpy(), 2).tolist() == [1458.26, 1381.97, 1334.89, 12.77, 100.0]
    assert table["low_estimate"].tolist() == pytest.approx([1181.2, 1119.4, 1334.9, 1276.6, 1000.0])
    assert table["price_original"].tolist() == [1234.56, 1234.56, 999.99, 10.0, 100.0]
    # a currency the file does not list: the constant rates
    raw_hkd = _raw(1, p=["HK$1,000"])
    table, _ = D.prepare_table(raw_hkd, _mapping(), currency={"rates_file": rates})
    assert table["price"].tolist() == [pytest.approx(128.0)]
    # a year the file lacks for a currency in use
    late = _raw(3, d=["2019-01-01", "2021-01-01", "2022-01-01"], p=["€1", "€1", "€1"])
    with pytest.raises(InputError, match=r"rates.csv: no rate for currency 'EUR' in years 2021, 2022 \(sales"):
        D.prepare_table(late, _mapping(), currency={"rates_file": rates})


@pytest.mark.parametrize("text, message", [
    ("year,currency\n2019,EUR\n", r"missing column 'rate' \(a rates file has the columns year, currency, rate"),
    ("year,currency,rate\n2019,EUR,1.1\n2019.5,EUR,1.1\nx,GBP,1\n", r"column 'year': not a whole year at lines 3, 4 "
                                                                   r"\(first: '2019.5'\)"),
    ("year,currency,rate\n2019,eur,1.1\n", r"column 'currency': not a three-letter code at line 2 \(first: 'eur'\)"),
    ("year,currency,rate\n2019,EUR,0\n2018,EUR,\n", r"column 'rate': not a positive number at lines 2, 3"),
    ("year,currency,rate\n2019,EUR,1\n2019,EUR,1.1\n", r"year and currency given twice at lines 2, 3"),
])
def test_a_bad_rates_file_is_one_line_naming_file_column_and_lines(tmp_path, text, message):
    path = _rates_file(tmp_path, text)
    with pytest.raises(InputError, match=message) as info:
        read_rates(path)
    assert str(info.value).startswith(path) and "\n" not in str(info.value)
    with pytest.raises(InputError, match="no such file"):
        read_rates(tmp_path / "absent.csv")


def test_a_per_lot_rate_column(tmp_path):
    raw = _raw(4, p=["€1,000", "€1,000", "£50.50", "$20"], r=["1.1234", "", "1.26", ""])
    table, _ = D.prepare_table(raw, _mapping(columns={"rate": "r"}))
    # the lot's rate where given, else the constant rate (EUR 1.15), the target currency 1
    assert np.round(table["price"].to_numpy(), 2).tolist() == [1123.40, 1150.0, 63.63, 20.0]
    # the rate column wins over the rates file
    rates = _rates_file(tmp_path, "year,currency,rate\n2019,EUR,1.5\n")
    table, _ = D.prepare_table(raw, _mapping(columns={"rate": "r"}), currency={"rates_file": rates})
    assert np.round(table["price"].to_numpy(), 2).tolist() == [1123.40, 1500.0, 63.63, 20.0]
    with pytest.raises(InputError, match=r"column 'r': exchange rate is not a positive number at lines 3, 4 "
                                         r"\(first: 'n/a'\)"):
        D.prepare_table(raw.assign(r=["1.1", "n/a", "-2", ""]), _mapping(columns={"rate": "r"}))
    nok = _raw(2, p=["NOK 100", "NOK 100"], r=["0.1", ""])
    with pytest.raises(InputError, match=r"no exchange rate for currency 'NOK' .* at line 3$"):
        D.prepare_table(nok, _mapping(columns={"rate": "r"}))


# --------------------------------------------------------------------------
# paintings only: what the work is
# --------------------------------------------------------------------------

def test_paintings_and_works_on_paper_are_told_from_objects():
    works = ["Ink and colour on silk", "Ink on silk", "Gouache / Paper", "Lacquer / Panel", "Tempera",
             "水墨設色紙本",
             "Oil on canvas", "pintura sobre tecido", "hanging scroll, ink on paper", "desenho a tinta-da-china",
             "Charcoal / Paper", "Gouache / Cloth"]
    objects = ["Bronze", "Wood and paint", "painted wood", "Enamel / Aluminum", "Aluminum and lacquer",
               "madeira esculpida e pintada, faltas na pintura", "seda estampada, italianas", "Steel", "",
               "Mirror-polished stainless steel with transparent color coating"]
    assert is_painting_or_drawing(pd.Series(works)).all()
    assert not is_painting_or_drawing(pd.Series(objects)).any()


def test_paintings_only_keeps_ink_on_silk():
    media = ["Ink and colour on silk", "Bronze", "Gouache / Paper", "Oil on canvas", "Wood and paint"]
    raw = _raw(5, med=media)
    table, funnel = D.prepare_table(raw, _mapping(columns={"medium": "med"}, paintings_only=True))
    assert table["left_out"].fillna("").tolist() == ["", "painting or work on paper", "", "",
                                                     "painting or work on paper"]
    assert table["material"].tolist() == ["other", "other", "other", "oil", "other"]  # the categories are as before
    assert funnel.set_index("step")["lots_removed"]["painting or work on paper"] == 2


# --------------------------------------------------------------------------
# leftovers: undated lots need no currency, rates described, several files and sources keep the excluded list
# --------------------------------------------------------------------------

def test_lots_dropped_for_their_date_need_no_currency_or_rate():
    raw = _raw(3, d=["2019-01-01", "soon", "later"], c=["", "", "XYZ"])
    mapping = {"columns": {**COLUMNS, "currency": "c"}, "bad_dates": "drop"}  # no source currency
    with pytest.raises(InputError, match=r"column 'c': no currency given .* at line 2$"):  # L1, not L2
        D.prepare_table(raw, mapping)
    raw.loc[0, "p"] = "$100"  # the undated lots: no currency (L2) and no rate (L3): not a stop
    table, funnel = D.prepare_table(raw, mapping)
    assert table["lot_id"].tolist() == ["L1"] and table["price"].tolist() == [100.0]
    assert funnel["lots_removed"].tolist()[:2] == [0, 2]
    with pytest.raises(InputError, match=r"no exchange rate for currency 'XYZ'.* at line 4$"):  # dated: a stop
        D.prepare_table(raw.assign(d="2019-01-01", c=["", "USD", "XYZ"]), mapping)


def test_describe_source_names_the_rates_used():
    cols = {**COLUMNS, "rate": "fx"}
    assert D.describe_source(_mapping())[0] == ("Prices are converted to USD at constant rates per currency (config "
                                                "currency.rates).")
    assert D.describe_source(_mapping(columns={"rate": "fx"}), currency={"target": "EUR"})[0] == (
        "Prices are converted to EUR at the exchange rate given per lot (column 'fx'), else at constant rates per "
        "currency (config currency.rates).")
    assert D.describe_source({"columns": cols}, currency={"rates_file": "r.csv"})[0] == (
        "Prices are converted to USD at the exchange rate given per lot (column 'fx'), else the rate of the sale "
        "year for the currencies listed in r.csv, else at constant rates per currency (config currency.rates).")
    assert "sale year for the currencies listed in r.csv, else" in D.describe_source(
        _mapping(), currency={"rates_file": "r.csv"})[0]


def test_the_package_exports_the_mapping_helpers():
    from artstudy.data import check, mapping, plausible, prepare, rates, several, sizes, sources

    assert D.prepare_files is prepare.prepare_files and D.prepare_sources is several.prepare_sources
    assert D.check_report is check.check_report and D.read_rates is rates.read_rates
    assert D.size_from_columns is sizes.size_from_columns and D.MappingWarning is mapping.MappingWarning
    assert D.Plausible is sources.Plausible and D.excluded_path is plausible.excluded_path
    assert all(hasattr(D, name) for name in D.__all__)


def _write(path, rows):
    pd.DataFrame(rows, columns=["id", "d", "who", "p", "y", "s"]).to_csv(path, index=False)


def test_per_file_counts_allow_for_undated_lots_and_colons_in_names(tmp_path):
    _write(tmp_path / "sale:1.csv", [["1", "2010-01-01", "Ann", "100", "1990", "50 x 60 cm"],
                                     ["2", "never", "Ann", "100", "1990", "50 x 60 cm"],
                                     ["3", "2010-01-01", "Bob", "100", "1990", "5000 x 60 cm"]])
    _write(tmp_path / "B.csv", [["1", "nope", "Ann", "100", "1990", "50 x 60 cm"],
                                ["2", "2011-01-01", "Bob", "100", "1990", "50 x 60 cm"]])
    mapping = _mapping(bad_dates="drop", plausible={"size_cm": [1, 1000]})
    table, funnel, counts = D.prepare_files([tmp_path / "sale:1.csv", tmp_path / "B.csv"], mapping, name="x")
    assert table["lot_id"].tolist() == ["sale:1.csv:1", "sale:1.csv:3", "B.csv:2"]
    assert counts.to_dict("list") == {"file": ["sale:1.csv", "B.csv"], "rows": [3, 2], "lots": [2, 1],
                                      "kept": [1, 1]}
    assert table.attrs["excluded"] == {"lot_id": ["sale:1.csv:2", "B.csv:1", "sale:1.csv:3"],
                                       "rule": ["sale date read", "sale date read", "size in 1-1000 cm"],
                                       "text": ["never", "nope", "5000 x 60 cm"]}


def test_the_excluded_list_survives_joining_sources(tmp_path):
    from artstudy.cli import main

    _write(tmp_path / "a.csv", [["1", "2010-01-01", "Ann", "100", "1990", "50 x 60 cm"],
                                ["2", "never", "Ann", "100", "1990", "50 x 60 cm"],
                                ["3", "2010-01-01", "Bob", "100", "1990", "5000 x 60 cm"]])
    _write(tmp_path / "b.csv", [["1", "nope", "Ann", "100", "1990", "50 x 60 cm"],
                                ["2", "2011-01-01", "Bob", "100", "1990", "50 x 60 cm"]])
    _write(tmp_path / "c.csv", [["1", "2012-01-01", "Cy", "100", "1990", "50 x 60 cm"]])
    a = _mapping(bad_dates="drop", plausible={"size_cm": [1, 1000]})
    sources = [("a", a, [tmp_path / "a.csv"]), ("b", {**a, "currency": "EUR"}, [tmp_path / "b.csv"]),
               ("c", _mapping(), [tmp_path / "c.csv"])]  # c excludes nothing: its table has no list
    table, _, _ = D.prepare_sources(sources)
    assert table["lot_id"].tolist() == ["a:1", "a:3", "b:2", "c:1"]
    assert table.attrs["excluded"] == {"lot_id": ["a:2", "a:3", "b:1"],
                                       "rule": ["sale date read", "size in 1-1000 cm", "sale date read"],
                                       "text": ["never", "5000 x 60 cm", "nope"]}
    assert D.prepare_sources(sources[2:])[0].attrs == {}
    import yaml

    (tmp_path / "my.yaml").write_text(yaml.safe_dump({"sources": {"a": a, "c": _mapping()}}))
    out = tmp_path / "out" / "s.csv"
    assert main(["prepare", str(tmp_path / "a.csv"), str(tmp_path / "c.csv"), "--source", "a", "c", "--out",
                 str(out), "--config", str(tmp_path / "my.yaml")]) == 0
    assert pd.read_csv(excluded_path(out))["lot_id"].tolist() == ["a:2", "a:3"]


def test_a_missing_rates_file_says_where_it_was_looked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        read_rates("rates.csv")
    assert str(info.value) == (f"rates.csv: no such file (currency.rates_file, looked for in the folder the command "
                               f"runs in, {tmp_path}; give an absolute path or one relative to that folder)")
    with pytest.raises(InputError) as info:
        read_rates(tmp_path / "no.csv")
    assert str(info.value) == f"{tmp_path / 'no.csv'}: no such file (currency.rates_file)"
