"""Reading a sales table with checks that name the file, the column and the first bad rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["InputError", "read_table", "read_sales", "check_sales", "REQUIRED"]

REQUIRED = ("artist", "sale_year", "work_year", "price")


class InputError(ValueError):
    """Bad input data; the message names the source, the column and the first rows."""


def _lines(mask, index, limit=5):
    """File line numbers (header is line 1) of the first rows where ``mask`` holds."""
    where = np.flatnonzero(np.asarray(mask))
    shown = ", ".join(str(int(index[k]) + 2) for k in where[:limit])
    more = f" and {where.size - limit} more" if where.size > limit else ""
    return f"line{'s' if where.size > 1 else ''} {shown}{more}"


def check_sales(frame: pd.DataFrame, covariates=(), source="sales table") -> pd.DataFrame:
    """Validate a sales table and return it with typed columns.

    Raises
    ------
    InputError
        On a missing column, a missing or non-positive price, a missing or
        non-integer year, a work made after its sale or a missing covariate value.
    """
    missing = [c for c in (*REQUIRED, *covariates) if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: missing column {', '.join(repr(c) for c in missing)} "
                         f"(columns present: {', '.join(map(str, frame.columns))})")
    out = frame.copy()
    index = np.arange(len(frame))
    bad = out["artist"].isna().to_numpy()
    if bad.any():
        raise InputError(f"{source}: column 'artist': missing value at {_lines(bad, index)}")
    out["artist"] = out["artist"].astype(str)
    price = pd.to_numeric(out["price"], errors="coerce")
    bad = (price.isna() | (price <= 0)).to_numpy()
    if bad.any():
        raise InputError(f"{source}: column 'price': missing, non-numeric or non-positive value at "
                         f"{_lines(bad, index)}")
    out["price"] = price.astype(float)
    for col in ("sale_year", "work_year"):
        year = pd.to_numeric(out[col], errors="coerce")
        bad = (year.isna() | (year != np.round(year))).to_numpy()
        if bad.any():
            raise InputError(f"{source}: column '{col}': missing or non-integer year at {_lines(bad, index)}")
        out[col] = year.astype(np.int64)
    bad = (out["work_year"] > out["sale_year"]).to_numpy()
    if bad.any():
        raise InputError(f"{source}: column 'work_year': work made after its sale at {_lines(bad, index)}")
    for col in covariates:
        bad = out[col].isna().to_numpy()
        if bad.any():
            raise InputError(f"{source}: column '{col}': missing value at {_lines(bad, index)}")
    return out


def read_table(path) -> pd.DataFrame:
    """Read a CSV file, raising :class:`InputError` naming the file when it is missing or unreadable."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        return pd.read_csv(path)
    except Exception as exc:  # pandas' own message says what is wrong
        raise InputError(f"{path}: cannot be read as CSV ({exc})") from exc


def read_sales(path, covariates=()) -> pd.DataFrame:
    """Read and validate a sales CSV (columns artist, sale_year, work_year, price and covariates)."""
    return check_sales(read_table(path), covariates, source=str(path))
