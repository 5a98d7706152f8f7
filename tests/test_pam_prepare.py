"""Preparing ten million sales without a Python object per row: validation, history, popularity, ids, reading."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artstudy.cli.pam_fit import read_sales_columns
from artstudy.data.validation import check_sales
from artstudy.errors import InputError
from artstudy.models.features import history_rows, history_table, popularity_for
from artstudy.models.pam.data import _in_sample_rows, prepare, typed_if_valid
from artstudy.models.pam.popularity import _years_before, popularity, popularity_codes, year_index
from artstudy.synth.market import simulate_market
from artstudy.synth.specs import SimulationSpec

COVS = ["log_area", "signed", "inscribed", "material", "support"]


@pytest.fixture(scope="module")
def sales():
    return simulate_market(SimulationSpec(n_artists=20, n_sales=3000), rng=np.random.default_rng(2)).sales


BROKEN = {
    "missing artist": lambda f: f.assign(artist=f["artist"].where(f.index != 3)),
    "zero price": lambda f: f.assign(price=f["price"].where(f.index != 3, 0.0)),
    "text price": lambda f: f.assign(price=f["price"].astype(object).where(f.index != 3, "n/a")),
    "missing year": lambda f: f.assign(sale_year=f["sale_year"].astype(float).where(f.index != 3)),
    "half year": lambda f: f.assign(work_year=f["work_year"].astype(float).where(f.index != 3, 1990.5)),
    "made after sale": lambda f: f.assign(work_year=f["work_year"].where(f.index != 3, 2100)),
    "missing covariate": lambda f: f.assign(material=f["material"].where(f.index != 3)),
    "missing column": lambda f: f.drop(columns=["support"]),
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_whatever_check_sales_rejects_goes_to_check_sales(sales, broken):
    bad = BROKEN[broken](sales.copy())
    assert typed_if_valid(bad, COVS) is None
    with pytest.raises(InputError):
        check_sales(bad, COVS)
    with pytest.raises(InputError) as raised:
        _in_sample_rows(bad, COVS, "t.csv")
    with pytest.raises(InputError) as direct:
        check_sales(bad.reset_index(drop=True), COVS, source="t.csv")
    assert str(raised.value) == str(direct.value)  # the message is check_sales' own


def test_a_valid_table_gets_check_sales_columns_without_a_copy(sales):
    frame = sales.assign(sale_year=sales["sale_year"].astype(float), price=sales["price"].astype(object))
    typed = typed_if_valid(frame, COVS)
    checked = check_sales(frame, COVS)
    for column in ("artist", "price", "sale_year", "work_year"):
        pd.testing.assert_series_equal(pd.Series(typed[column], name=column), checked[column])
    rows = _in_sample_rows(sales, COVS, "t")
    assert np.shares_memory(rows["log_area"].to_numpy(), sales["log_area"].to_numpy())  # the table's own column


def test_history_dates_are_1_july_of_the_sale_year(sales):
    table = sales.assign(price=sales["price"].where(sales.index % 9 != 0))
    h = history_table(table)
    keep = history_rows(table)
    assert keep.sum() == len(h) and not keep[::9].any()
    parsed = pd.to_datetime(table.loc[keep, "sale_year"].astype(int).astype(str) + "-07-01")
    pd.testing.assert_series_equal(h["sale_date"], parsed.reset_index(drop=True), check_names=False)
    assert h["sale_date"].dtype == parsed.dtype


def test_popularity_from_codes_is_the_papers():
    # artist codes in any numbering: sums of earlier years' log prices, in history order
    q_code, q_year = np.array([0, 1, 0, 0, 2, -1]), np.array([2000, 2001, 2002, 2003, 2001, 2002])
    h_code = np.array([0, 0, 1, 0, 0, 1, -1, 0])
    h_year = np.array([2000, 2001, 2000, 2001, 2003, 2003, 1990, 1999])
    h_y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, np.nan])
    u = popularity_codes(q_code, q_year, h_code, h_year, h_y, scale=1.0)
    np.testing.assert_array_equal(u, [0.0, 3.0, 7.0, 7.0, 0.0, 0.0])
    names = np.array(["a", "b", "c"], dtype=object)
    text = popularity(names[q_code[:5]], q_year[:5], scale=1.0,
                      history=(names[h_code[:6]], h_year[:6], h_y[:6]))
    np.testing.assert_array_equal(text, u[:5])
    years = np.array([1999, 2003, 1999, 2010, 2003])
    assert all(np.array_equal(x, y) for x, y in zip(year_index(years), np.unique(years, return_inverse=True)))
    found = np.array([1990, 1999, 2000, 2003, 2011])
    assert _years_before(np.array([1999, 2003, 2010]), found).tolist() == [0, 0, 1, 1, 3]


def test_popularity_for_counts_a_query_artist_by_its_text(sales):
    h = history_table(sales)
    query = sales.iloc[::7].assign(artist=lambda f: f["artist"].astype(object))
    names = h["artist"].to_numpy()
    want = popularity(query["artist"].to_numpy(), query["sale_year"].to_numpy(),
                      history=(names, h["sale_year"].to_numpy(), h["log_price"].to_numpy()))
    np.testing.assert_array_equal(popularity_for(query, h), want)


def test_prepare_numbers_artists_in_sorted_order(sales):
    shuffled = sales.sample(frac=1.0, random_state=1).reset_index(drop=True)
    data = prepare(shuffled, COVS, True)
    assert data.artists.tolist() == sorted(data.artists.tolist()) and data.artists.dtype == object
    np.testing.assert_array_equal(data.artists[data.artist], data.sales["artist"].to_numpy())
    first = data.sales.groupby("artist")["work_window"].min().to_numpy()
    np.testing.assert_array_equal(data.first_window, first)


def test_a_parquet_file_is_read_for_the_columns_a_fit_uses(sales, tmp_path):
    path = tmp_path / "sales.parquet"
    sales.assign(notes="x", sale_date=pd.Timestamp("2001-01-01")).to_parquet(path, index=False)
    frame = read_sales_columns(path, COVS)
    assert list(frame.columns) == ["lot_id", "artist", "sale_year", "work_year", "price", *COVS, "sale_date"]
    # a covariate the file lacks: the whole file, so that the message lists every column
    frame = read_sales_columns(path, ["log_area", "frame"])
    assert "notes" in frame.columns
    csv = tmp_path / "sales.csv"
    sales.assign(notes="x").to_csv(csv, index=False)
    assert "notes" in read_sales_columns(csv, COVS).columns


def test_the_fitted_table_names_artists_and_lots_as_pandas_would(sales):
    from artstudy.models.pam import fit_pam

    res = fit_pam(sales, COVS, True, random_state=1, progress=False,
                  settings={"n_gibbs": 6, "n_burn": 1, "max_iter": 1, "min_iter": 1})
    f, data = res.fitted, res.data
    assert f["artist"].dtype == pd.Series(["x"]).dtype == f["lot_id"].dtype
    assert f["artist"].tolist() == data.artists[data.artist].tolist()
    assert f["lot_id"].tolist() == data.sales["lot_id"].tolist()
    np.testing.assert_array_equal(f["window_start"], 1951 + 5 * data.sales["work_window"].to_numpy())
    np.testing.assert_allclose(f["fitted"] + f["residual"], data.y, rtol=0, atol=1e-12)


def test_the_fast_parquet_reader_gives_pandas_frame(sales, tmp_path):
    from artstudy.cli.pam_fit import read_parquet_fast
    from artstudy.data.validation import ROW_NUMBERS, read_parquet

    path = tmp_path / "sales.parquet"
    table = sales.assign(left_out=pd.Series([None, "no size"] * (len(sales) // 2), dtype=object))
    table.set_index(pd.Index(np.arange(len(sales)) * 3, name="row")).to_parquet(path)
    for columns in (None, ["artist", "price", "left_out"]):
        fast, slow = read_parquet_fast(path, columns), read_parquet(path, columns)
        pd.testing.assert_frame_equal(fast, slow)
        assert fast.attrs[ROW_NUMBERS] is True
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(InputError, match="bad.parquet: cannot be read as Parquet"):
        read_parquet_fast(bad)
