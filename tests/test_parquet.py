"""Parquet beside CSV: ``read_table``, ``read_raw`` and ``write_prepared`` choose by the file's extension.

A prepared table written as Parquet reads back as it was (dates, nullable integers and strings) and as the CSV
route's table; ``pam-fit`` on a Parquet file fits exactly what it fits on the same table as CSV; bad values in a
Parquet file give the CSV's one-line error, naming data rows (first data row = row 1) instead of file lines.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from artstudy import data as D
from artstudy.cli import main
from artstudy.data.validation import read_table
from artstudy.errors import InputError
from artstudy.synth.market import simulate_market
from artstudy.synth.world import SYNTHETIC_SOURCE

HERE = Path(__file__).resolve().parent / "data"
SYNTHETIC = SYNTHETIC_SOURCE.model_dump(exclude_none=True)
RATES = {"USD": 1.0, "GBP": 1.30, "EUR": 1.15, "HKD": 0.128}
COVS = ["log_area", "signed", "inscribed", "material", "support"]


@pytest.fixture(scope="module")
def prepared():
    return D.prepare_file(HERE / "synthetic_small.csv", SYNTHETIC, name="synthetic")


@pytest.fixture(scope="module")
def sales(tmp_path_factory):
    sim = simulate_market({"n_artists": 30, "n_sales": 6000}, rng=np.random.default_rng(3))
    frame = sim.sales.drop(columns=["true_ability", "true_popularity"])
    folder = tmp_path_factory.mktemp("sales")
    frame.to_csv(folder / "sales.csv", index=False)
    frame.to_parquet(folder / "sales.parquet", index=False)
    return folder


def test_prepared_table_round_trips_through_parquet(prepared, tmp_path):
    table, funnel = prepared
    assert table["work_year"].isna().any() and table["left_out"].isna().any()  # nullable columns with gaps
    sales_path, funnel_file = D.write_prepared(table, funnel, tmp_path / "out" / "sales.parquet")
    assert (sales_path, funnel_file) == (tmp_path / "out" / "sales.parquet", tmp_path / "out" / "sales.funnel.csv")
    pd.testing.assert_frame_equal(pd.read_csv(funnel_file), funnel)  # the funnel stays CSV
    back = read_table(sales_path)
    written = table[D.PAM_COLUMNS + [c for c in table.columns if c not in D.PAM_COLUMNS]]
    pd.testing.assert_frame_equal(back, written)  # every value and type as written
    assert back["sale_date"].dtype.kind == "M" and str(back["work_year"].dtype) == "Int64"
    # ... and the same values as the CSV route, whose dates are text and whose integers with gaps are floats
    D.write_prepared(table, funnel, tmp_path / "out" / "sales.csv")
    csv = read_table(tmp_path / "out" / "sales.csv")
    assert list(csv.columns) == list(back.columns)
    for column in back.columns:
        a, b = back[column], csv[column]
        if column == "sale_date":
            b = pd.to_datetime(b).astype(a.dtype)
        pd.testing.assert_series_equal(a.astype(object).where(a.notna(), None),
                                       b.astype(object).where(b.notna(), None), check_dtype=False, obj=column)


def test_raw_export_as_parquet_prepares_like_the_csv(prepared, tmp_path):
    raw_csv = D.read_raw(HERE / "synthetic_small.csv", SYNTHETIC)
    raw_csv.to_parquet(tmp_path / "raw.parquet", index=False)
    raw = D.read_raw(tmp_path / "raw.parquet", SYNTHETIC)
    pd.testing.assert_frame_equal(raw, raw_csv)
    table, funnel = D.prepare_file(tmp_path / "raw.parquet", SYNTHETIC, name="synthetic")
    pd.testing.assert_frame_equal(table, prepared[0])
    pd.testing.assert_frame_equal(funnel, prepared[1])
    # a typed column with gaps reads as its text, the gaps as ""
    typed = raw_csv.assign(lot_id=np.arange(len(raw_csv)), estimate=raw_csv["estimate"].replace("", None))
    typed.to_parquet(tmp_path / "typed.parquet", index=False)
    back = D.read_raw(tmp_path / "typed.parquet", SYNTHETIC)
    assert back["lot_id"].tolist() == [str(i) for i in range(len(raw_csv))]
    pd.testing.assert_series_equal(back["estimate"], raw_csv["estimate"])


def test_prepare_cli_writes_parquet(tmp_path, capsys):
    out = tmp_path / "sales.parquet"
    assert main(["prepare", str(HERE / "synthetic_small.csv"), "--source", "synthetic", "--out", str(out)]) == 0
    assert (tmp_path / "sales.funnel.csv").is_file()
    table = pd.read_parquet(out)
    assert len(table) == 14 and table["left_out"].isna().sum() == 7


def test_pam_fit_on_parquet_equals_the_fit_on_csv(sales, tmp_path, capsys):
    for name in ("sales.csv", "sales.parquet"):
        assert main(["pam-fit", str(sales / name), "--out", str(tmp_path / name), "--covariates", *COVS,
                     "--year-effects", "--seed", "4", "--max-iter", "5", "--min-iter", "2"]) == 0
    for table in ("coefficients.csv", "ability.csv", "trace.csv", "fitted.csv", "ols.csv", "funnel.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "sales.csv" / table),
                                      pd.read_csv(tmp_path / "sales.parquet" / table), obj=table)


BAD = [  # the edit, the CSV's message (file lines, header = line 1), the Parquet's (data rows, first = row 1)
    (lambda f: f.assign(price=f["price"].where(~f.index.isin([3, 7]), -1.0)),
     "column 'price': missing, non-numeric or non-positive value at lines 5, 9", "at rows 4, 8"),
    (lambda f: f.assign(price=f["price"].where(f.index != 0, None)),
     "column 'price': missing, non-numeric or non-positive value at line 2", "at row 1"),
    (lambda f: f.assign(work_year=f["work_year"].where(f.index != 10, 2100)),
     "column 'work_year': work made after its sale at line 12", "at row 11"),
    (lambda f: f.assign(support=f["support"].where(~f.index.isin([1, 2, 3, 4, 5, 6]), None)),
     "column 'support': missing value at lines 3, 4, 5, 6, 7 and 1 more", "at rows 2, 3, 4, 5, 6 and 1 more"),
    (lambda f: f.drop(columns=["price"]), "missing column 'price'", None),
]


@pytest.mark.parametrize("edit,csv_message,rows", BAD)
def test_bad_parquet_column_is_the_csv_one_line_error(sales, tmp_path, capsys, edit, csv_message, rows):
    frame = edit(pd.read_csv(sales / "sales.csv").head(50))
    errors = {}
    for suffix in (".csv", ".parquet"):
        path = tmp_path / f"bad{suffix}"
        frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path, index=False)
        assert main(["pam-fit", str(path), "--out", str(tmp_path / "o"), "--covariates", *COVS]) != 0
        errors[suffix] = capsys.readouterr().err.strip()
        assert len(errors[suffix].splitlines()) == 1 and str(path) in errors[suffix]
    assert csv_message in errors[".csv"]
    parquet_message = csv_message.split(" at line")[0] + (f" {rows}" if rows else "")
    assert parquet_message in errors[".parquet"], errors[".parquet"]
    if rows is None:  # nothing to number: the very same line
        assert errors[".csv"].replace("bad.csv", "bad.parquet") == errors[".parquet"]


def test_bad_raw_parquet_names_rows(tmp_path):
    raw = D.read_raw(HERE / "bad" / "bad_price.csv", SYNTHETIC)
    raw.to_parquet(tmp_path / "bad_price.parquet", index=False)
    with pytest.raises(InputError) as info:
        D.prepare_file(tmp_path / "bad_price.parquet", SYNTHETIC, name="synthetic", currency={"rates": RATES})
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(tmp_path / "bad_price.parquet"))
    assert "column 'hammer_price': price is neither a number nor an unsold/missing marker" in message
    assert "at rows 2, 4 (first: '12,5oo')" in message  # the CSV says lines 3, 5


def test_unreadable_parquet_is_one_line(tmp_path):
    path = tmp_path / "sales.parquet"
    path.write_text("artist,price\nA,1\n")
    with pytest.raises(InputError, match=r"sales\.parquet: cannot be read as Parquet \(") as info:
        read_table(path)
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "none.parquet")
    with pytest.raises(InputError, match="cannot be read as Parquet"):
        D.read_raw(path, SYNTHETIC)
