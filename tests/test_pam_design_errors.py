"""pam-fit names the covariate it cannot use: infinite values, a number column with stray texts, and the
collinear columns (a long list shortened) -- one line each, never a traceback."""

from __future__ import annotations

import numpy as np
import pytest

from artstudy.cli import main
from artstudy.synth.market import simulate_market


@pytest.fixture(scope="module")
def sales():
    market = simulate_market({"n_sales": 3000, "n_artists": 30}, rng=np.random.default_rng(1))
    return market.sales.drop(columns=["true_ability", "true_popularity"])


def _fit(tmp_path, frame, covariates, capsys):
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    code = main(["pam-fit", str(path), "--out", str(tmp_path / "out"), "--covariates", *covariates])
    err = capsys.readouterr().err.strip()
    return code, err


def test_an_infinite_covariate_is_named_with_its_line(tmp_path, sales, capsys):
    frame = sales.copy()
    frame.loc[5, "log_area"] = np.inf
    code, err = _fit(tmp_path, frame, ["log_area"], capsys)
    assert code == 2
    assert err == f"artstudy pam-fit: error: {tmp_path / 'sales.csv'}: column 'log_area': infinite value at line 7"


def test_a_number_column_with_a_stray_text_is_named_not_read_as_levels(tmp_path, sales, capsys):
    frame = sales.copy()
    frame["log_area"] = frame["log_area"].astype(str)
    frame.loc[[7, 9], "log_area"] = ["big", "huge"]
    code, err = _fit(tmp_path, frame, ["log_area"], capsys)
    assert code == 2
    assert err == (f"artstudy pam-fit: error: {tmp_path / 'sales.csv'}: column 'log_area': not a number ('big', "
                   "'huge') at lines 9, 11; the column is otherwise numbers: fix these values or leave the rows out")


def test_a_text_covariate_of_levels_is_still_read_as_levels(tmp_path, sales, capsys):
    code, err = _fit(tmp_path, sales, ["log_area", "material"], capsys)
    assert code == 0, err


def test_collinear_columns_are_named_and_a_long_list_is_shortened(tmp_path, sales, capsys):
    code, err = _fit(tmp_path, sales.assign(dup=2 * sales["log_area"]), ["log_area", "dup"], capsys)
    assert (code, err) == (2, "artstudy pam-fit: error: design matrix: rank deficient: columns log_area, dup are "
                              "collinear")
    many = sales.assign(**{f"c{k}": sales["log_area"] * (k + 1) for k in range(15)})
    code, err = _fit(tmp_path, many, ["log_area", *[f"c{k}" for k in range(15)]], capsys)
    assert code == 2 and err.endswith("and 4 more are collinear") and err.count(",") == 11


def test_one_artist_left_is_said(tmp_path, sales, capsys):
    one = sales[sales["artist"] == sales["artist"].value_counts().index[0]]
    path = tmp_path / "one.csv"
    one.to_csv(path, index=False)
    args = ["pam-fit", str(path), "--covariates", "log_area", "--max-iter", "3", "--min-iter", "1"]
    # with year effects the design cannot be fitted: the collinear columns, and why
    assert main([*args, "--year-effects", "--out", str(tmp_path / "y")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("artstudy pam-fit: error: design matrix: rank deficient: columns ") and err.endswith(
        "are collinear; the selection left one artist, whose popularity moves with the sale year alone: fit more "
        "artists (or relax the selection rule, e.g. pam-fit --no-selection)"), err
    # without, it fits, and says on what
    assert main([*args, "--out", str(tmp_path / "n")]) == 0
    assert capsys.readouterr().err == (f"artstudy pam-fit: warning: {path}: the selection left one artist: tau² and "
                                       "the abilities rest on one artist's sales\n")


def test_works_made_before_the_first_window_are_named_with_the_fix(tmp_path, sales, capsys):
    old = sales.assign(work_year=sales["work_year"] - 150, sale_year=sales["sale_year"] - 150)
    code, err = _fit(tmp_path, old, ["log_area"], capsys)
    first = int(old["work_year"].min())
    assert (code, err) == (2, f"artstudy pam-fit: error: {tmp_path / 'sales.csv'}: no sales left after the "
                              f"work-window rule (works made from 1951; the works were made from {first}: set "
                              "model.window_start, or pam-fit --window-start)")
