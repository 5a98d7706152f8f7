"""Mapping rules for exports as they come (issue 11): duplicate lots, a row-number lot id, templates with a blank
part, per-field missing and unsold markers, fallback columns, patterns stripped, row filters, several files,
warnings, ``artstudy prepare --check`` and one-line mapping errors. Every file is made here, small."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from artstudy.cli import main
from artstudy.data.mapping import MappingWarning, as_mapping
from artstudy.data.prepare import prepare_file, prepare_files, prepare_table, read_raw
from artstudy.errors import InputError

COLUMNS = {"lot_id": "Lot", "sale_date": "Date", "artist": "Artist", "price": "Price", "work_year": "Year",
           "size": "Size"}
BASE = {"columns": COLUMNS, "currency": "USD"}


def frame(rows, columns=("Lot", "Date", "Artist", "Price", "Year", "Size")):
    return pd.DataFrame([dict(zip(columns, r)) for r in rows], columns=list(columns), dtype=object)


def lot(lot_id, price="100", artist="Ann Lee", year="1990", date="2010-05-01", size="50 x 60 cm"):
    return (lot_id, date, artist, price, year, size)


def prepare(raw, **mapping):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MappingWarning)
        return prepare_table(raw, {**BASE, **mapping})


def steps(funnel):
    return dict(zip(funnel["step"], funnel["lots_removed"]))


# --- duplicate lots --------------------------------------------------------------------------------------------

def test_duplicates_stop_by_default():
    raw = frame([lot("1"), lot("2"), lot("1")])
    with pytest.raises(InputError, match=r"^raw table of source 'source': column 'Lot': duplicate lot id at "
                                         r"lines 2, 4"):
        prepare(raw)


def test_drop_identical_drops_only_rows_identical_in_every_mapped_column():
    raw = frame([lot("1"), lot("2"), lot("1"), lot("3"), lot("3", price="200")])
    with pytest.raises(InputError, match="duplicate lot id at lines 5, 6"):  # lot 3 differs: still a stop
        prepare(raw, duplicates="drop_identical")
    table, funnel = prepare(raw.iloc[:4], duplicates="drop_identical")
    assert table["lot_id"].tolist() == ["1", "2", "3"]
    assert funnel["step"].tolist()[:2] == ["lots read", "duplicate lots"]
    assert funnel["lots"].tolist()[:2] == [4, 3] and steps(funnel)["duplicate lots"] == 1


def test_prefer_sold_keeps_the_sold_record_else_the_last():
    raw = frame([lot("1", "500"), lot("1", "Bought In"), lot("2", "300"), lot("2", "400"),
                 lot("3", "Bought In"), lot("3", "Bought In", year="1991")])
    table, funnel = prepare(raw, duplicates="prefer_sold", unsold=["Bought In"])
    got = table.set_index("lot_id")
    assert got["price"].to_dict() == {"1": 500.0, "2": 400.0, "3": pytest.approx(np.nan, nan_ok=True)}
    assert int(got.loc["3", "work_year"]) == 1991  # unsold twice: the last
    assert steps(funnel)["duplicate lots"] == 3 and funnel["lots"].iloc[0] == 6


def test_row_number_lot_id_and_blank_template_parts():
    raw = frame([lot(""), lot(""), lot("")])
    table, _ = prepare(raw, columns={**COLUMNS, "lot_id": "{_row}"})
    assert table["lot_id"].tolist() == ["1", "2", "3"]
    raw = frame([lot("7"), lot(""), lot("8")]).assign(Sale=["S1", "S1", ""])
    table, _ = prepare(raw.iloc[[0, 2]], columns={**COLUMNS, "lot_id": "{Sale}-{Lot}"})
    assert table["lot_id"].tolist() == ["S1-7", "-8"]  # one empty part: blank, not a missing id
    both_empty = raw.assign(Sale=["S1", "", ""])
    with pytest.raises(InputError, match=r"column 'Sale\+Lot': missing lot id at line 3 "):
        prepare(both_empty, columns={**COLUMNS, "lot_id": "{Sale}-{Lot}"})


def test_dropped_rows_keep_their_file_lines_in_messages():
    raw = frame([lot("1"), lot("1"), lot("2", date="not a date")])
    with pytest.raises(InputError, match="unparseable date .* at line 4 "):
        prepare(raw, duplicates="drop_identical")


# --- markers, fallbacks, strip, filters ------------------------------------------------------------------------

def test_missing_and_unsold_markers_per_field():
    raw = frame([lot("1", price="-1"), lot("2", year="-1"), lot("3", size="-1")])
    table, _ = prepare(raw, unsold={"price": ["-1"]}, missing={"work_year": ["-1"], "size": ["-1"]})
    assert table["sold"].tolist() == [False, True, True]
    assert table["work_year"].isna().tolist() == [False, True, False]
    assert table["height_cm"].isna().tolist() == [False, False, True]
    # a list of markers is every field's; a price text that is also an unsold marker still means unsold
    table, _ = prepare(raw, unsold=["-1"], missing=["-1"])
    assert table["sold"].tolist() == [False, True, True] and table["work_year"].isna().tolist() == [False, True, False]
    # without the per-field marker "-1" is a size text that does not read: no size, as before
    table, _ = prepare(raw, unsold={"price": ["-1"]}, missing={"work_year": ["-1"]})
    assert table["left_out"].tolist()[2] == "size given"


@pytest.mark.parametrize("key, value, message", [
    ("unsold", "Unavailable", "unsold: give a list of texts (e.g. [Unavailable]), not one text"),
    ("missing", {"price": "n/a"}, "missing: price: give a list of texts (e.g. [n/a]), not one text"),
    ("missing", {"year": ["-1"]}, "missing: unknown field 'year'"),
    ("unsold", {"artist": ["x"]}, "unsold: field 'artist' cannot mark unsold lots"),
    ("strip", {"sale_date": "(null"}, "strip: sale_date: not a valid regular expression"),
    ("fallbacks", {"yaer": "Title"}, "fallbacks: unknown field 'yaer'"),
    ("duplicates", "keep", "duplicates: Input should be 'stop', 'drop_identical' or 'prefer_sold'"),
    ("study", {"work_years": 1951}, "study.work_years: give two years, [first, last]"),
])
def test_bad_keys_are_one_line_errors(key, value, message):
    with pytest.raises(InputError) as info:
        as_mapping({**BASE, key: value}, "x")
    assert "\n" not in str(info.value) and str(info.value).startswith("source 'x': ")
    assert message in str(info.value)


def test_fallback_column_and_stripped_prefix():
    raw = frame([lot("1", year="", date="null: 2011-06-01"), lot("2", year="1985"), lot("3", year="n.d.")])
    raw["Title"] = ["Blue, 1977", "Red, 1960", "Green"]
    table, _ = prepare(raw, fallbacks={"work_year": "Title"}, strip={"sale_date": "^null: "},
                       missing={"work_year": ["n.d."]})
    assert table["work_year"].astype(object).where(table["work_year"].notna(), None).tolist() == [1977, 1985, None]
    assert table["sale_date"].dt.strftime("%Y-%m-%d").tolist() == ["2011-06-01", "2010-05-01", "2010-05-01"]
    with pytest.raises(InputError, match="unparseable date"):
        prepare(raw, fallbacks={"work_year": "Title"})  # without strip the date does not read


def test_filter_and_exclude_on_any_raw_column_are_counted():
    raw = frame([lot("1"), lot("2", artist="Bo"), lot("3", date="bad"), lot("4")])
    raw["Category"] = ["Paintings", " drawings", "Prints", "Paintings"]
    raw["House"] = ["A", "A", "A", "B"]
    table, funnel = prepare(raw, filter={"Category": ["Paintings", "Drawings"]}, exclude={"House": ["b"]})
    assert table["lot_id"].tolist() == ["1", "2"]  # the print's bad date is never read
    assert funnel["step"].tolist()[:3] == ["lots read", "Category in Paintings, Drawings", "House not b"]
    assert funnel["lots"].tolist()[:3] == [4, 3, 2] and funnel["artists"].tolist()[:3] == [2, 2, 2]
    with pytest.raises(InputError, match="missing column 'Kind'"):
        prepare(raw, filter={"Kind": ["x"]})


# --- several files, warnings, the command ----------------------------------------------------------------------

def write(path, rows, header="Lot,Date,Artist,Price,Year,Size"):
    path.write_text("\n".join([header, *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    return path


def test_several_files_make_one_table_with_ids_per_file(tmp_path):
    a = write(tmp_path / "a.csv", [lot("1"), lot("2")])
    b = write(tmp_path / "b.csv", [lot("1", artist="Bo"), lot("2", price="Bought In")])
    table, funnel, counts = prepare_files([a, b], {**BASE, "unsold": ["Bought In"]}, name="x")
    assert table["lot_id"].tolist() == ["a.csv:1", "a.csv:2", "b.csv:1", "b.csv:2"]
    assert counts.to_dict("list") == {"file": ["a.csv", "b.csv"], "rows": [2, 2], "lots": [2, 2], "kept": [2, 1]}
    assert funnel["lots"].iloc[0] == 4 and funnel["artists"].iloc[0] == 2
    rows = {**BASE, "unsold": ["Bought In"], "columns": {**COLUMNS, "lot_id": "{_row}"}}
    table, _, _ = prepare_files([a, b], rows, name="x")  # row numbers count within each file
    assert table["lot_id"].tolist() == ["a.csv:1", "a.csv:2", "b.csv:1", "b.csv:2"]
    bad = write(tmp_path / "c.csv", [lot("1"), lot("2", date="soon")])
    with pytest.raises(InputError, match=r"unparseable date .* at line c\.csv:3 "):
        prepare_files([a, bad], BASE, name="x")


def test_warnings_duplicated_header_empty_column_empty_result(tmp_path):
    dup = write(tmp_path / "dup.csv", [("1", "2010-05-01", "Ann", "100", "5", "", "50 x 60 cm")],
                header="Lot,Date,Artist,Price,Price,Year,Size")
    with pytest.warns(MappingWarning) as caught:
        prepare_file(dup, BASE, name="x")
    messages = [str(w.message) for w in caught]
    assert f"{dup}: the header names column 'Price' more than once; the first is read" in messages[0]
    assert f"{dup}: column 'Year' (field work_year) is empty in every row" in messages
    assert any("every lot is left out (most by the rule 'creation year given')" in m for m in messages)
    empty = write(tmp_path / "empty.csv", [])
    with pytest.warns(MappingWarning, match="no rows"):
        table, _ = prepare_file(empty, BASE, name="x")
    assert len(table) == 0
    good = write(tmp_path / "good.csv", [lot("1")])
    with warnings.catch_warnings():
        warnings.simplefilter("error", MappingWarning)
        prepare_file(good, BASE, name="x")  # nothing to say


def config(tmp_path, **mapping):
    path = tmp_path / "my.yaml"
    path.write_text(yaml.safe_dump({"sources": {"x": {**BASE, **mapping}}}))
    return str(path)


def test_cli_several_files_warnings_and_check(tmp_path, capsys):
    a = write(tmp_path / "a.csv", [lot("1"), lot("2", price="Bought In")])
    b = write(tmp_path / "b.csv", [lot("1", artist="Bo")], header="Lot,Date,Artist,Price,Year,Size")
    cfg = config(tmp_path, unsold=["Bought In"])
    assert main(["prepare", str(a), str(b), "--source", "x", "--out", str(tmp_path / "s.csv"), "--config", cfg]) == 0
    out = capsys.readouterr().out
    assert "a.csv: 2 rows read, 2 lots in the table, 1 kept" in out and "b.csv: 1 rows read" in out
    assert pd.read_csv(tmp_path / "s.csv")["lot_id"].tolist() == ["a.csv:1", "a.csv:2", "b.csv:1"]
    empty = write(tmp_path / "e.csv", [])
    assert main(["prepare", str(empty), "--source", "x", "--out", str(tmp_path / "e_out.csv"), "--config", cfg]) == 0
    assert capsys.readouterr().err == (f"artstudy prepare: warning: {empty}: no rows (a header only?): "
                                       "the table is empty\n")
    with_extra = tmp_path / "w.csv"
    with_extra.write_text("Lot,Date,Artist,Price,Year,Size,Notes\n1,2010-05-01,Ann,\"1,000\",1990,50 x 60 cm,x\n"
                          "2,2011-05-01,Bo,Bought In,1991,40 x 30 cm,y\n")
    assert main(["prepare", str(with_extra), "--source", "x", "--check", "--config", cfg, "--sample", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 of 2 lots (raw text -> parsed):\nlot ")
    assert "raw columns not mapped: Notes" in out and "funnel:" in out
    shown = out.splitlines()[1]
    lot_shown = "1" if shown.startswith("lot 1 (line 2): kept") else "2"
    assert shown in ("lot 1 (line 2): kept", "lot 2 (line 3): left out by 'sold'")
    price_line = next(line for line in out.splitlines() if line.strip().startswith("price"))
    assert (("'1,000'" in price_line and "price=1000" in price_line) if lot_shown == "1"
            else ("'Bought In'" in price_line and "sold=False" in price_line))
    assert not (tmp_path / "w.funnel.csv").exists()


@pytest.mark.parametrize("mapping, fragment", [
    ({"exclude_medium": "(oil"}, "sources.x.exclude_medium: not a valid regular expression"),
    ({"study": {"work_years": 1951}}, "sources.x.study.work_years: give two years, [first, last]"),
    ({"image_path": "{Nope}.jpg"}, "missing column 'Nope' (source 'x' key image_path maps to it"),
    ({"unsold": "Unavailable"}, "sources.x.unsold: give a list of texts (e.g. [Unavailable]), not one text"),
    ({"date_format": "%d/%q/%Y"}, "sources.x.date_format: not a strptime format ('q' is a bad directive"),
    ({"date_format": "dd/mm/yyyy"}, "sources.x.date_format: holds no %-directive: write a strptime format"),
    ({"work_year_pattern": r"\d{4}"}, "sources.x.work_year_pattern: needs a group, in parentheses, around the year"),
    ({"columns": {**COLUMNS, "lot_id": "{Sale}-{Lot"}},
     "sources.x.columns.lot_id: not a valid template of columns (expected '}' before end of string"),
    ({"image_path": "images/{}.jpg"}, "sources.x.image_path: not a valid template of columns ({} names no column"),
    ({"fallbacks": {"work_year": "{Title"}}, "sources.x.fallbacks: work_year: not a valid template of columns"),
    ({"plausible": {"size_cm": [1]}}, "sources.x.plausible.size_cm: give two numbers, [lowest, highest] (got [1])"),
    ({"columns": "Artist"}, "sources.x.columns: give a mapping of keys (key: value), not 'Artist'"),
    ({"columns": {**COLUMNS, "lot_id": "{Sale!r}-{Lot}"}},
     "sources.x.columns.lot_id: not a valid template of columns (a part holds '!' or ':'"),
    ({"shared_lot_ids": True, "columns": {**COLUMNS, "lot_id": "_row"}},
     "sources.x: shared_lot_ids: lot_id {_row} numbers the rows of each file anew"),
    ({"shared_lot_ids": True, "fallbacks": {"lot_id": "{_row}"}},
     "sources.x: shared_lot_ids: lot_id {_row} numbers the rows of each file anew"),
])
def test_cli_mapping_mistakes_are_one_line(tmp_path, capsys, mapping, fragment):
    a = write(tmp_path / "a.csv", [lot("1")])
    assert main(["prepare", str(a), "--source", "x", "--out", str(tmp_path / "s.csv"),
                 "--config", config(tmp_path, **mapping)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("artstudy prepare: error: ") and fragment in err


def test_cli_null_source_and_file_hints(tmp_path, capsys):
    path = tmp_path / "null.yaml"
    path.write_text("sources:\n  x: null\n")
    a = write(tmp_path / "a.csv", [lot("1")])
    assert main(["prepare", str(a), "--source", "x", "--out", str(tmp_path / "s.csv"), "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sources.x: give a mapping of keys (key: value), not null" in err
    semi = tmp_path / "semi.csv"
    semi.write_text(a.read_text().replace(",", ";"))
    assert main(["prepare", str(semi), "--source", "x", "--out", str(tmp_path / "s.csv"),
                 "--config", config(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.rstrip().endswith("the header looks separated by ';': set the source's sep:")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(a.read_text().replace("Ann Lee", "Jørn").encode("latin-1"))
    assert main(["prepare", str(latin), "--source", "x", "--out", str(tmp_path / "s.csv"),
                 "--config", config(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "set the source's encoding: (e.g. latin-1 or cp1252)" in err
    assert read_raw(latin, {**BASE, "encoding": "latin-1"})["Artist"].tolist() == ["Jørn"]


def test_several_sources_make_one_table(tmp_path, capsys):
    from artstudy.data.several import prepare_sources

    a = write(tmp_path / "a.csv", [lot("1", artist="Mary Smith", price="1000"),
                                   lot("2", artist="Bo", price="Bought In")])
    t = tmp_path / "t.csv"
    t.write_text("D,Name,Hammer,Y,Dim,Cat\n2015-01-01,MARY SMITH,500,1990,50 x 60 cm,Painting\n"
                 "2015-01-01,MARY SMITH,500,1990,50 x 60 cm,Painting\n2016-01-01,Zed,5,1990,1 x 1 cm,Print\n")
    other = {"columns": {"lot_id": "{_row}", "sale_date": "D", "artist": "Name", "price": "Hammer", "work_year": "Y",
                         "size": "Dim"}, "currency": "EUR", "duplicates": "drop_identical",
             "filter": {"Cat": ["painting"]}}
    table, funnel, counts = prepare_sources([("s", {**BASE, "unsold": ["Bought In"]}, [a]), ("t", other, [t])])
    assert table["lot_id"].tolist() == ["s:1", "s:2", "t:1"] and table["source"].tolist() == ["s", "s", "t"]
    assert table["artist"].tolist() == ["Mary Smith", "Bo", "Mary Smith"]  # one spelling across sources
    assert table["sale_kind"].tolist() == ["first", "first", "repeat"]  # sold before, in the other source
    assert table["price"].tolist()[2] == pytest.approx(500 * 1.15)
    assert funnel["step"].tolist()[:4] == ["lots read", "Cat in painting", "duplicate lots", "artist named"]
    assert funnel["lots"].tolist()[:3] == [5, 4, 3] and funnel["artists"].tolist()[:3] == [3, 2, 2]
    assert funnel.set_index("step").loc["sold", "lots_removed"] == 1 and funnel["lots"].iloc[-1] == 2
    assert counts.to_dict("list") == {"source": ["s", "t"], "file": ["a.csv", "t.csv"], "rows": [2, 3],
                                      "lots": [2, 1], "kept": [1, 1]}
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump({"sources": {"s": {**BASE, "unsold": ["Bought In"]}, "t": other}}))
    out = tmp_path / "two.csv"
    assert main(["prepare", str(a), str(t), "--source", "s", "t", "--out", str(out), "--config", str(path)]) == 0
    assert pd.read_csv(out)["lot_id"].tolist() == ["s:1", "s:2", "t:1"]
    assert main(["prepare", str(a), str(t), str(a), "--source", "s", "t", "--out", str(out), "--config",
                 str(path)]) == 2
    assert "--source: give one source for every RAW file (3) or one for all (got 2)" in capsys.readouterr().err


def test_check_report_shows_each_lots_own_raw_text():
    from artstudy.data.check import check_report

    raw = frame([lot("1", price="100"), lot("1", price="100"), lot("2", date="never", price="200"),
                 lot("3", price="300")]).assign(Notes=["a", "a", "b", "c"])
    mapping = as_mapping({**BASE, "duplicates": "drop_identical", "bad_dates": "drop"})
    table, funnel = prepare(raw, duplicates="drop_identical", bad_dates="drop")
    assert table["lot_id"].tolist() == ["1", "3"]
    report = check_report(raw, mapping, table, funnel, np.random.default_rng(0), n=2)
    lines = report.splitlines()
    assert lines[0] == "2 of 2 lots (raw text -> parsed):"
    assert lines[1] == "lot 1 (line 2): kept" and "lot 3 (line 5): kept" in lines
    price = [line for line in lines if line.strip().startswith("price")]
    assert "'100'" in price[0] and "price=100" in price[0] and "'300'" in price[1] and "price=300" in price[1]
    assert lines[-1] == "raw columns not mapped: Notes"


def test_several_sources_count_lots_without_a_date(tmp_path):
    from artstudy.data.several import prepare_sources

    a = write(tmp_path / "a.csv", [lot("1", artist="Ann"), lot("2", artist="Bo", date="never")])
    b = write(tmp_path / "b.csv", [lot("1", artist="Cy")])
    table, funnel, _ = prepare_sources([("s", {**BASE, "bad_dates": "drop"}, [a]), ("t", BASE, [b])])
    assert table["lot_id"].tolist() == ["s:1", "t:1"]
    assert funnel["step"].tolist()[:2] == ["lots read", "sale date read"]
    assert funnel["lots"].tolist()[:2] == [3, 2] and funnel["artists"].tolist()[:2] == [3, 2]


def test_describe_source_states_the_row_rules():
    from artstudy.data.mapping import describe_source

    notes = describe_source({**BASE, "filter": {"Category": ["Paintings"]}, "exclude": {"House": ["B"]},
                             "duplicates": "prefer_sold"})
    assert "Only rows whose Category is 'Paintings' are read (the others are counted)." in notes
    assert "Rows whose House is 'B' are left out (counted)." in notes
    assert any(n.startswith("A lot listed more than once is read once: its sold record") for n in notes)


def test_cli_out_naming_a_folder_stops_before_reading(tmp_path, capsys):
    a = write(tmp_path / "a.csv", [lot("1")])
    (tmp_path / "adir").mkdir()
    assert main(["prepare", str(tmp_path / "missing.csv"), "--source", "x", "--out", str(tmp_path / "adir"),
                 "--config", config(tmp_path)]) == 2  # refused before the (missing) raw file is read
    assert capsys.readouterr().err == (f"artstudy prepare: error: {tmp_path / 'adir'}: --out names a folder; give a "
                                       f"file name (e.g. {tmp_path / 'adir' / 'sales.csv'})\n")
    assert main(["prepare", str(a), "--source", "x", "--out", str(tmp_path / "adir" / "s.csv"),
                 "--config", config(tmp_path)]) == 0


def test_cli_check_warns_once_of_a_duplicated_header(tmp_path, capsys):
    dup = write(tmp_path / "dup.csv", [("1", "2010-05-01", "Ann", "100", "5", "1990", "50 x 60 cm")],
                header="Lot,Date,Artist,Price,Price,Year,Size")
    assert main(["prepare", str(dup), "--source", "x", "--check", "--config", config(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert err.count("more than once") == 1, err


def test_shared_lot_ids_make_one_lot_of_the_same_id_in_two_files(tmp_path):
    # parts of one scrape: lot S1 unsold in the first part, sold in the second
    a = write(tmp_path / "a.csv", [lot("S1", price="Bought In"), lot("S2")])
    b = write(tmp_path / "b.csv", [lot("S1", price="300"), lot("S3")])
    mapping = {**BASE, "unsold": ["Bought In"]}
    table, _, _ = prepare_files([a, b], mapping, name="x")  # each file numbers its own lots: two lots S1
    assert table["lot_id"].tolist() == ["a.csv:S1", "a.csv:S2", "b.csv:S1", "b.csv:S3"]
    with pytest.raises(InputError, match=r"column 'Lot': duplicate lot id at lines a\.csv:2, b\.csv:2"):
        prepare_files([a, b], {**mapping, "shared_lot_ids": True}, name="x")
    table, funnel, counts = prepare_files([a, b], {**mapping, "shared_lot_ids": True, "duplicates": "prefer_sold"},
                                          name="x")
    assert table["lot_id"].tolist() == ["a.csv:S2", "b.csv:S1", "b.csv:S3"]
    assert table["price"].tolist()[1] == 300.0 and steps(funnel)["duplicate lots"] == 1
    assert counts[["file", "rows", "lots"]].values.tolist() == [["a.csv", 2, 1], ["b.csv", 2, 2]]
    with pytest.raises(InputError, match=r"shared_lot_ids: lot_id \{_row\} numbers the rows of each file anew"):
        as_mapping({**mapping, "shared_lot_ids": True, "columns": {**COLUMNS, "lot_id": "{_row}"}}, "x")


@pytest.mark.parametrize("mapping, fragment", [
    ({"columns": {**COLUMNS, "price": "Hammer"}}, "missing column 'Hammer' (source 'x' key columns.price maps to it"),
    ({"columns": {**COLUMNS, "price": "Hammer", "artist": "Maker"}},
     "missing columns 'Maker', 'Hammer' (source 'x' keys columns.artist, columns.price map to them"),
    ({"fallbacks": {"work_year": "{Title}"}}, "missing column 'Title' (source 'x' key fallbacks.work_year maps"),
    ({"filter": {"Dept": ["Paintings"]}}, "missing column 'Dept' (source 'x' key filter.Dept maps to it"),
])
def test_a_column_the_file_lacks_is_named_with_its_key(tmp_path, capsys, mapping, fragment):
    a = write(tmp_path / "a.csv", [lot("1")])
    assert main(["prepare", str(a), "--source", "x", "--out", str(tmp_path / "s.csv"),
                 "--config", config(tmp_path, **mapping)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"artstudy prepare: error: {a}: {fragment}"), err


def test_a_plain_column_name_may_hold_a_brace(tmp_path):
    a = write(tmp_path / "a.csv", [lot("1")], header="Lot,Date,Artist,Price,Year,Size (in}")
    table, _ = prepare_file(a, {**BASE, "columns": {**COLUMNS, "size": "Size (in}"}}, name="x")
    assert table["height_cm"].tolist() == [50.0]


def test_the_same_file_given_twice_is_one_line(tmp_path, capsys):
    a = write(tmp_path / "a.csv", [lot("1")])
    assert main(["prepare", str(a), str(tmp_path / "." / "a.csv"), "--source", "x", "--out",
                 str(tmp_path / "s.csv"), "--config", config(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"artstudy prepare: error: {tmp_path / '.' / 'a.csv'}: the same file is given "
                                       "twice (its lots would be read twice)\n")


def test_drop_identical_compares_rows_across_files(tmp_path):
    # the same record scraped into two files is one lot, whatever the files' numbering
    a = write(tmp_path / "a.csv", [lot("1"), lot("2")])
    b = write(tmp_path / "b.csv", [lot("1"), lot("1", price="300")])
    table, funnel, counts = prepare_files([a, b], {**BASE, "duplicates": "drop_identical"}, name="x")
    assert table["lot_id"].tolist() == ["a.csv:1", "a.csv:2", "b.csv:1"]
    assert table["price"].tolist() == [100.0, 100.0, 300.0] and steps(funnel)["duplicate lots"] == 1
    assert counts[["file", "rows", "lots"]].values.tolist() == [["a.csv", 2, 2], ["b.csv", 2, 1]]


def test_several_sources_find_each_files_pictures_and_name_a_missing_columns_key(tmp_path, capsys):
    from artstudy.data.several import prepare_sources

    for year in ("2019", "2020"):
        (tmp_path / year / "img").mkdir(parents=True)
        write(tmp_path / year / "lots.csv", [lot("1"), lot("2")])
        (tmp_path / year / "img" / "1.jpg").write_bytes(b"x")
    other = write(tmp_path / "other.csv", [lot("7")])
    mapping = {**BASE, "image_path": "img/{Lot}.jpg"}
    files = [tmp_path / "2019" / "lots.csv", tmp_path / "2020" / "lots.csv"]
    table, _, counts = prepare_sources([("x", mapping, files), ("y", BASE, [other])])
    assert table["lot_id"].tolist() == ["x:2019/lots.csv:1", "x:2019/lots.csv:2", "x:2020/lots.csv:1",
                                        "x:2020/lots.csv:2", "y:7"]
    assert table["image_path"].fillna("").tolist() == [f"{tmp_path}/2019/img/1.jpg", "",
                                                       f"{tmp_path}/2020/img/1.jpg", "", ""]
    assert counts["file"].tolist() == ["2019/lots.csv", "2020/lots.csv", "other.csv"]
    cfg = tmp_path / "two.yaml"
    cfg.write_text(yaml.safe_dump({"sources": {"x": BASE, "y": {**BASE, "columns": {**COLUMNS, "price": "Hammer"}}}}))
    assert main(["prepare", str(tmp_path / "2019" / "lots.csv"), str(other), "--source", "x", "y", "--out",
                 str(tmp_path / "s.csv"), "--config", str(cfg)]) == 2
    assert capsys.readouterr().err.startswith(f"artstudy prepare: error: {other}: missing column 'Hammer' (source 'y' "
                                              "key columns.price maps to it; columns present: Lot, Date")
