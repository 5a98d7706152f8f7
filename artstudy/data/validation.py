"""Reading a sales table with checks that name the file, the column and the first bad rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["read_table", "read_sales", "check_sales", "file_lines", "where", "REQUIRED"]

REQUIRED = ("artist", "sale_year", "work_year", "price")


def file_lines(frame: pd.DataFrame, positions) -> np.ndarray:
    """File line numbers (header = line 1) of rows of a frame read from CSV, counting line breaks
    inside quoted fields."""
    breaks = np.zeros(len(frame), dtype=np.int64)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_string_dtype(s) or s.dtype == object:
            breaks += s.astype(object).fillna("").astype(str).str.count("\n").to_numpy(dtype=np.int64)
    header = sum(str(c).count("\n") for c in frame.columns)
    start = 2 + header + np.arange(len(frame)) + np.concatenate([[0], np.cumsum(breaks)[:-1]])
    return start[np.asarray(positions, dtype=np.int64)]


def where(frame: pd.DataFrame, bad, limit: int = 5) -> str:
    """'lines 3, 5 and 2 more': the file lines of the first rows where ``bad`` holds."""
    pos = np.flatnonzero(np.asarray(bad))
    shown = ", ".join(str(int(v)) for v in file_lines(frame, pos[:limit]))
    more = f" and {pos.size - limit} more" if pos.size > limit else ""
    return f"line{'s' if pos.size > 1 else ''} {shown}{more}"


_SALES_REASONS = {
    "artist": "missing value",
    "price": "missing, non-numeric or non-positive value",
    "sale_year": "missing or non-integer year",
    "work_year": "missing or non-integer year",
}


def _sales_schema(covariates):
    import pandera.pandas as pa

    def whole(s):
        return s == np.round(s)

    columns = {
        "artist": pa.Column(nullable=False),
        "price": pa.Column(None, pa.Check.gt(0), nullable=False),
        "sale_year": pa.Column(None, pa.Check(whole, name="whole_number"), nullable=False),
        "work_year": pa.Column(None, pa.Check(whole, name="whole_number"), nullable=False),
    }
    columns.update({c: pa.Column(nullable=False) for c in covariates})
    made_before_sale = pa.Check(lambda df: df["work_year"] <= df["sale_year"], name="made_before_sale")
    return pa.DataFrameSchema(columns, checks=[made_before_sale])


def check_sales(frame: pd.DataFrame, covariates=(), source="sales table") -> pd.DataFrame:
    """Validate a sales table (a pandera schema) and return it with typed columns.

    Raises
    ------
    InputError
        On a missing column, a missing or non-positive price, a missing or
        non-integer year, a work made after its sale or a missing covariate value,
        naming the source, the column and the first offending file lines.
    """
    import pandera.pandas as pa

    missing = [c for c in (*REQUIRED, *covariates) if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: missing column {', '.join(repr(c) for c in missing)} "
                         f"(columns present: {', '.join(map(str, frame.columns))})")
    parsed = frame[list(dict.fromkeys((*REQUIRED, *covariates)))].copy()
    for col in ("price", "sale_year", "work_year"):
        parsed[col] = pd.to_numeric(parsed[col], errors="coerce")
    try:
        _sales_schema(covariates).validate(parsed.reset_index(drop=True), lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        for col in (*REQUIRED, *covariates, None):
            frame_check = cases["check"] == "made_before_sale"  # reported once per column of the frame
            sub = cases[(cases["column"] == col) & ~frame_check] if col else cases[frame_check]
            if sub.empty:
                continue
            bad = np.zeros(len(frame), dtype=bool)
            bad[np.asarray(sub["index"], dtype=np.int64)] = True
            if col is None:
                raise InputError(f"{source}: column 'work_year': work made after its sale at "
                                 f"{where(frame, bad)}") from None
            raise InputError(f"{source}: column '{col}': {_SALES_REASONS.get(col, 'missing value')} at "
                             f"{where(frame, bad)}") from None
        raise InputError(f"{source}: {exc}") from None  # pragma: no cover - a failure not mapped above
    out = frame.copy()
    out["artist"] = out["artist"].astype(str)
    out["price"] = parsed["price"].astype(float)
    out["sale_year"] = parsed["sale_year"].astype(np.int64)
    out["work_year"] = parsed["work_year"].astype(np.int64)
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
