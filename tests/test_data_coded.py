"""Coded text (artstudy.data.coded) and the fast paths of preparing a raw export: parsing the distinct texts once
gives, lot for lot, what parsing every text alone gives (missing values included); a Parquet export read as
coded text prepares exactly as the same export read as CSV; the funnel, repeat-sale linking and the lot checks
agree with plain reference computations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from artstudy import data as D
from artstudy.data.coded import STR, STRING, Coded, arrow_text, strip_and_blank
from artstudy.data.linking import artwork_hash, hex_ids, repeats_by_rank
from artstudy.data.lots import _few_texts, _unique, read_parquet_text
from artstudy.data.mapping import field_codes, field_text, render_coded, render_template
from artstudy.data.sources import SourceMapping
from artstudy.data.text import extract, on_uniques
from artstudy.data.validation import FILE_COLUMNS, ROW_NUMBERS
from artstudy.errors import InputError
from artstudy.synth.world import SYNTHETIC_SOURCE

HERE = Path(__file__).resolve().parent / "data"
SYNTHETIC = SYNTHETIC_SOURCE.model_dump(exclude_none=True)

# texts as exports write them, repeated, with gaps (None, NaN) and the awkward cases of each parser
SIZES = ["30 x 20 cm", " 30 x 20 cm", "30 1/2 x 22 in.", "30½ x 22¼ in", "-30 x 20 cm", "30,5 x 20,25 cm",
         "Dim. - 24 cm", '12 X 8"', "40 x 30 x 5 cm", "340 x 270 mm", "30 by 40 inches", "3/4 x 1/2 in", "",
         None, np.nan, "30 x 20 cm", "٣ x ٤ cm", "not given"]
PRICES = ["$3,366 (3,000)", "€1.200,50", "1.200", "1,234,567", "76.5", "14,5", "12,5oo", "-not sold-", "Bought In",
          "US$ 5,000", "HK$ 50,000", "£1,000", "5 000 €", "RMB 30", "sfr 1'200", "Fr. 300", "K 100", "1.234.567,89",
          "- 500", "500,-", "10,000 - 15,000", "5000 to 7000", "", None, np.nan, "1,234,567", "usd 7", "٣٠٠"]


def _one_by_one(parser, values, *args):
    """The parser run on each text alone: the reference the distinct-text route must match."""
    parts = [parser(pd.Series([v], dtype=object), *args) for v in values]
    out = pd.concat(parts, ignore_index=True)
    return out


@pytest.mark.parametrize("parser, values, args", [
    (D.parse_size, SIZES, ("cm",)), (D.parse_size, SIZES, ("in",)),
    (D.parse_price, PRICES + ["\u212aRW 100", "ſek 5"], ("auto",)), (D.parse_price, PRICES, (",",)), (D.parse_price, PRICES, (".",)),
    (D.parse_estimate, PRICES, ("auto",)), (D.parse_currency, PRICES + ["\u212aRW 100", "ſek 5"], ()),
    (D.parse_year, ["1965", "c. 1965", "1965-67", "1960s", "not given", None, "86", "c. 1965"], ()),
    (D.parse_medium, ["Oil on canvas", "Óleo sobre tela", "Bronze", None, "", "Oil on canvas"], ()),
    (D.parse_signature, ["Signed and dated", "Unsigned", None, "nao assinada", "Signed and dated"], ()),
], ids=["size-cm", "size-in", "price-auto", "price-comma", "price-dot", "estimate", "currency", "year", "medium",
        "signature"])
def test_parsing_the_distinct_texts_equals_parsing_every_text(parser, values, args):
    values = values * 3  # repeats: each distinct text is parsed once
    whole = parser(pd.Series(values, dtype=object), *args)
    alone = _one_by_one(parser, values, *args)
    if isinstance(whole, pd.DataFrame):
        pd.testing.assert_frame_equal(whole.reset_index(drop=True), alone)
    else:
        pd.testing.assert_series_equal(whole.reset_index(drop=True), alone, check_names=False)
    # a categorical column (the Parquet route) gives the same answer, read by its codes
    as_category = pd.Series(pd.Categorical(values))
    got = parser(as_category, *args)
    if isinstance(whole, pd.DataFrame):
        pd.testing.assert_frame_equal(got, whole)
    else:
        pd.testing.assert_series_equal(got, whole, check_names=False)


def test_parsed_values_exact():
    size = D.parse_size(pd.Series(["30 1/2 x 22 in.", "٣ x ٤ cm", None, "30 x 20", "30½ x 22¼ in"]), "cm")
    assert size["width_cm"].tolist()[4] == pytest.approx(22.25 * 2.54)  # a fraction glyph reads as " 1/4"
    size = size[:4]
    assert size["height_cm"].tolist()[0] == pytest.approx(30.5 * 2.54)
    assert size["width_cm"].tolist()[0] == pytest.approx(22 * 2.54)
    assert size["height_cm"].isna().tolist() == [False, True, True, False]  # Arabic-Indic digits: not a number
    # codes are dropped ignoring case, also where a letter is one of the four that match an ASCII letter (Kelvin K)
    price = D.parse_price(pd.Series(["\u212aRW 100", "sfr 1'200", "Fr. 300", "500,-", "٣٠٠", None]))
    assert price.tolist()[:4] == [100.0, 1200.0, 300.0, 500.0] and price[4:].isna().all()
    currency = D.parse_currency(pd.Series(["\u212aRW 100", "usd 7", "£1,000", "1,234", None, "ſek 5"]))
    assert currency.tolist()[1:3] == ["USD", "GBP"] and currency[5] == "SEK"  # "ſek".upper() is "SEK"
    assert currency.isna().tolist() == [True, False, False, True, True, False]


def test_extract_is_str_extract():
    s = pd.Series(["30 x 20 cm", "abc", "1 x 2 x 3", "", "x 4"], dtype=object)
    for pattern in [r"(?P<a>\d+) x (?P<b>\d+)(?: x (?P<c>\d+))?", r"(\d+)(x)?", r"^(?P<only>\d+)"]:
        pd.testing.assert_frame_equal(extract(s, pattern), s.str.extract(pattern))
        pd.testing.assert_frame_equal(extract(list(s), pattern), s.str.extract(pattern))
    pd.testing.assert_frame_equal(extract([], r"(?P<a>\d)"), s[:0].str.extract(r"(?P<a>\d)"))


def test_coded_of_categorical_drops_unused_categories_and_reads_missing_as_empty():
    cat = pd.Categorical(["b", None, "a", "b"], categories=["z", "a", "b"])
    coded = Coded.of(pd.Series(cat))
    assert coded.text().tolist() == ["b", "", "a", "b"]
    assert "z" not in coded.uniques.tolist() and len(coded) == 4
    plain = Coded.of(pd.Series(["b", None, "a", "b"]))
    assert plain.text().tolist() == ["b", "", "a", "b"] and plain.uniques.tolist() == ["b", "", "a"]
    small = Coded.of(pd.Series(pd.Categorical(["x", "y", "x"])))
    assert small.codes.dtype == np.int8 and small.text().tolist() == ["x", "y", "x"]  # the codes kept, no copy
    assert Coded.of(coded) is coded
    # a spelling no lot uses does not count as the artist's spelling
    artists = pd.Series(pd.Categorical(["MARY SMITH"] * 2, categories=["Mary Smith", "MARY SMITH"]))
    assert D.normalise_artist(artists).tolist() == ["MARY SMITH"] * 2


def test_on_uniques_of_a_categorical_equals_on_the_text():
    values = ["a ", "b", None, "a", np.nan, "b"]
    calls = []

    def run(u):
        calls.append(len(u))
        return u.str.upper()
    plain = on_uniques(pd.Series(values, index=range(10, 16)), run)
    coded = on_uniques(pd.Series(pd.Categorical(values), index=range(10, 16)), run)
    assert plain.tolist() == coded.tolist() == ["A", "B", "", "A", "", "B"]
    assert list(coded.index) == list(range(10, 16)) and calls == [4, 4]


def test_arrow_text_takes_per_lot_values_without_python_objects():
    got = arrow_text(["x", None, np.nan, pd.NA], np.array([0, 1, 2, 3, -1, 0], dtype=np.int32))
    assert got.dtype == STRING and got.tolist() == ["x", pd.NA, pd.NA, pd.NA, pd.NA, "x"]
    got = arrow_text(["first", "repeat"], np.array([True, False]), STR)
    assert got.dtype == STR and got.tolist() == ["repeat", "first"]


def test_strip_and_blank_is_python_strip_and_lower():
    texts = [" not given ", "NOT GIVEN", "\u3000not given\x1c", "İt", "Not Given\n", "given", "", "SYN-1 "]
    got = strip_and_blank(pa.chunked_array([pa.array(texts, type=pa.large_string())]), {"not given", "i̇t"})
    expected = [t.strip() if t.strip().lower() not in {"not given", "i̇t"} else "" for t in texts]
    assert got.to_pylist() == expected == ["", "", "", "", "", "given", "", "SYN-1"]


def test_render_coded_and_field_codes_equal_the_per_lot_text():
    raw = pd.DataFrame({"A": ["7", "7", " 8", "", "7"], "L": ["1", "2", "1", "3", "1"], "P": ["x", "n/a", " x", "", "N/A "]})
    for template in ["{A}-{L}", "images/{A}_{L}.jpg", "{A}", "fixed"]:
        coded = render_coded(raw, template)
        assert coded.text().tolist() == render_template(raw, template).astype(object).where(
            render_template(raw, template).notna(), None).tolist()
    mapping = SourceMapping.model_validate({"columns": {"lot_id": "{A}-{L}", "sale_date": "P", "artist": "P",
                                                        "price": "P"}, "missing": ["n/a"]})
    for field in ("lot_id", "price"):
        assert field_codes(raw, mapping, field).text().tolist() == field_text(raw, mapping, field).tolist()
    assert field_codes(raw, mapping, "title") is None


def test_artwork_keys_from_coded_text_equal_those_from_plain_text():
    artist = ["Mary Smith", "MARY  SMITH", "Asger Jørn", "Asger Jorn", ""]
    title = ['"Untitled (Blue)"', "UNTITLED  (blue)", "Sea", "sea", ""]
    h, w, y = [10.2, 9.8, 50.0, 50.0, np.nan], [20.0, 20.4, 60.0, 60.0, np.nan], [1990, 1990, pd.NA, pd.NA, 2000]
    ids = D.artwork_ids(artist, title, h, w, y)
    assert ids[0] == ids[1] and ids[2] == ids[3] and len(set(ids)) == 3
    coded = artwork_hash(Coded.of(pd.Series(artist)), pd.Series(pd.Categorical(title)), h, w, y)
    assert hex_ids(coded).tolist() == ids.tolist()
    assert D.artwork_ids(artist, title, h, w, [1991, 1990, pd.NA, pd.NA, 2000])[0] != ids[0]  # the year counts
    assert all(len(i) == 17 and i.startswith("W") for i in ids)
    assert hex_ids(np.array([0, 2**64 - 1, 0xABC], dtype=np.uint64)).tolist() == [
        "W0000000000000000", "Wffffffffffffffff", "W0000000000000abc"]


def _repeats_reference(ids, dates, sold):
    """A lot is a repeat when an earlier lot (date, then row) of its artwork was sold: a plain loop."""
    out = []
    for i in range(len(ids)):
        out.append(any(ids[j] == ids[i] and sold[j] and (dates[j], j) < (dates[i], i) for j in range(len(ids))))
    return np.array(out)


def test_repeat_sales_match_a_plain_loop():
    rng = np.random.default_rng(5)
    ids = rng.choice(["W1", "W2", "W3", None], 300).tolist()
    dates = pd.to_datetime("2000-01-01") + pd.to_timedelta(rng.integers(0, 20, 300), unit="D")
    sold = rng.random(300) < 0.6
    expected = _repeats_reference([("none" if i is None else i) for i in ids], list(dates), sold)
    np.testing.assert_array_equal(D.linking.repeat_sales(ids, dates, sold), expected)
    rank = np.unique(dates.to_numpy().astype(np.int64), return_inverse=True)[1]
    np.testing.assert_array_equal(repeats_by_rank(ids, rank, sold), expected)
    assert expected.any() and not expected.all()


def test_lot_ids_unique_sorted_or_not():
    assert _unique(pa.chunked_array([pa.array(["a", "b", "c"])]))
    assert _unique(pa.chunked_array([pa.array(["c", "a"]), pa.array(["b"])]))
    assert not _unique(pa.chunked_array([pa.array(["a", "b"]), pa.array(["a"])]))
    assert not _unique(pa.chunked_array([pa.array(["a", "a", "b"])]))  # sorted but not strictly
    assert _unique(pa.chunked_array([pa.array([], type=pa.large_string())]))


def test_funnel_from_codes_equals_funnel_from_text():
    artists = ["a", "b", None, "a", "c", "b"]
    rules = [("one", [True, True, True, False, True, True]), ("two", [True, False, True, True, False, True])]
    by_text, by_codes = D.Funnel(artists), D.Funnel(pd.Series(pd.Categorical(artists)))
    for step, keep in rules:
        by_text.apply(step, keep)
        by_codes.apply(step, keep)
    pd.testing.assert_frame_equal(by_text.table(), by_codes.table())
    assert by_codes.table()["artists"].tolist() == [3, 3, 2] and by_codes.table()["lots"].tolist() == [6, 5, 3]
    assert by_codes.left_out().tolist() == [pd.NA, "two", pd.NA, "one", "two", pd.NA]
    assert by_codes.reason.tolist() == [None, "two", None, "one", "two", None]


def _write_in_row_groups(frame: pd.DataFrame, path: Path, rows: int) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pq.ParquetWriter(path, table.schema) as writer:
        for lo in range(0, len(frame), rows):
            writer.write_table(table.slice(lo, rows))


def test_parquet_read_as_coded_text_prepares_like_the_csv(tmp_path):
    small = D.read_raw(HERE / "synthetic_small.csv", SYNTHETIC)
    raw_csv = pd.concat([small] * 40, ignore_index=True)
    raw_csv["lot_id"] = [f"SYN-{i:06d}" for i in range(len(raw_csv))]
    # gaps (Parquet nulls), a column of many long texts (read as text, not as a dictionary), several row groups
    frame = raw_csv.assign(estimate=raw_csv["estimate"].replace("", None), image_file=None,
                           title=[f"{t} {i} {'x' * 40}" for i, t in enumerate(raw_csv["title"])])
    frame.fillna("").to_csv(tmp_path / "raw.csv", index=False)
    csv_table, csv_funnel = D.prepare_file(tmp_path / "raw.csv", SYNTHETIC, name="synthetic")
    path = tmp_path / "raw.parquet"
    _write_in_row_groups(frame, path, rows=150)
    metadata = pq.ParquetFile(path).metadata
    assert _few_texts(metadata, "markings") and not _few_texts(metadata, "title")  # both ways of reading
    raw = read_parquet_text(path, SourceMapping.model_validate(SYNTHETIC))
    assert raw.attrs[ROW_NUMBERS] and raw.attrs[FILE_COLUMNS] == list(frame.columns)
    assert isinstance(raw["markings"].dtype, pd.CategoricalDtype) and raw["lot_id"].dtype == STR
    assert Coded.of(raw["estimate"]).text().tolist() == raw_csv["estimate"].tolist()  # null -> ""
    table, funnel = D.prepare_file(path, SYNTHETIC, name="synthetic")
    pd.testing.assert_frame_equal(table, csv_table)
    pd.testing.assert_frame_equal(funnel, csv_funnel)
    assert table["title"].str.endswith("x" * 40).all() and len(table) == 560 and table["left_out"].notna().any()
    typed = raw_csv.assign(lot_id=np.arange(len(raw_csv)) + 100)
    typed.to_parquet(tmp_path / "typed.parquet", index=False)
    table, _ = D.prepare_file(tmp_path / "typed.parquet", SYNTHETIC, name="synthetic")
    assert table["lot_id"].tolist() == [str(i + 100) for i in range(len(raw_csv))]


def test_parquet_missing_column_names_every_column_of_the_file(tmp_path):
    raw_csv = D.read_raw(HERE / "synthetic_small.csv", SYNTHETIC)
    raw_csv.drop(columns="hammer_price").to_parquet(tmp_path / "raw.parquet", index=False)
    with pytest.raises(InputError, match=r"missing column 'hammer_price' \(source 'synthetic' key columns.price "
                                         r"maps to it; columns present: lot_id, auction_house, .*, image_file\)"):
        D.prepare_file(tmp_path / "raw.parquet", SYNTHETIC, name="synthetic")


def test_duplicate_lot_ids_out_of_order_in_parquet(tmp_path):
    raw_csv = D.read_raw(HERE / "synthetic_small.csv", SYNTHETIC)
    ids = raw_csv["lot_id"].tolist()
    ids[9] = ids[2]
    raw_csv.assign(lot_id=ids).to_parquet(tmp_path / "dup.parquet", index=False)
    with pytest.raises(InputError, match=r"column 'lot_id': duplicate lot id at rows 3, 10 \(first: 'SYN-000003'\)"):
        D.prepare_file(tmp_path / "dup.parquet", SYNTHETIC, name="synthetic")
