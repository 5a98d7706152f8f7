"""Checks with one-line errors naming the file, the column and the first bad lines (header = line 1), or the
first bad rows of a Parquet file (first data row = row 1).

- a raw export: the mapped columns are present (:func:`check_columns`) and every parsed value the
  rules need is valid (:func:`check_parsed`): a sale date that parses with the source's
  ``date_format``; a price text that is a number or an ``unsold``/``missing`` marker; a positive price
  for a sold lot; positive sizes; a yes/no sold flag; unique lot ids;
- the canonical sales table (:func:`canonical_schema`);
- a sales table as the models read it (:func:`check_sales`, :func:`read_sales`).

Every failure is an :class:`artstudy.errors.InputError`; anything else is a bug.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["read_table", "read_parquet", "is_parquet", "ROW_NUMBERS", "FILE_COLUMNS", "read_sales", "check_sales",
           "check_covariate_values", "LINES", "Lines", "file_lines", "where", "REQUIRED", "CANONICAL_COLUMNS",
           "PAM_COLUMNS", "canonical_schema",
           "check_columns", "check_parsed"]

REQUIRED = ("artist", "sale_year", "work_year", "price")
#: The columns the popularity-ability model reads, first in a written sales table.
PAM_COLUMNS = ["artist", "sale_year", "work_year", "price", "log_area", "signed", "inscribed", "material", "support"]
#: The canonical sales table, one row per lot of the raw export (``left_out`` follows them).
CANONICAL_COLUMNS = [
    "lot_id", "source", "artist", "title", "sale_date", "sale_year", "sold", "price", "currency", "price_original",
    "work_year", "height_cm", "width_cm", "depth_cm", "log_area", "material", "support", "signed", "inscribed",
    "image_path", "auction_house", "low_estimate", "high_estimate", "artwork_id", "sale_kind",
]


#: A frame read from Parquet carries ``attrs[ROW_NUMBERS] = True``: messages name its rows (1 = the first data row)
#: instead of CSV file lines.
ROW_NUMBERS = "artstudy_parquet_rows"
#: A frame read with only some of a file's columns carries ``attrs[FILE_COLUMNS]``: every column of the file, named
#: by :func:`check_columns` as the columns present.
FILE_COLUMNS = "artstudy_file_columns"


#: A frame whose rows are some of a file's (rows dropped, or files joined) carries ``attrs[LINES]``, a
#: :class:`Lines`: the place of each row in its file, named by :func:`where`.
LINES = "artstudy_lines"


class Lines:
    """The place of each row of a frame in its file(s) (``labels``: int line/row numbers, or texts such as
    "B.csv:3"), carried in ``attrs`` without a copy (pandas deep-copies attrs on every operation)."""

    __slots__ = ("labels",)

    def __init__(self, labels):
        self.labels = np.asarray(labels)

    def __deepcopy__(self, memo):
        return self

    @classmethod
    def of(cls, frame: pd.DataFrame, prefix: str | None = None) -> Lines:
        """The places of every row of ``frame`` as read (file lines, or Parquet rows), ``prefix:`` before each."""
        if LINES in frame.attrs:
            numbers = frame.attrs[LINES].labels
        elif frame.attrs.get(ROW_NUMBERS):
            numbers = np.arange(1, len(frame) + 1)
        else:
            numbers = file_lines(frame, np.arange(len(frame)))
        if prefix is None:
            return cls(numbers)
        return cls(np.char.add(f"{prefix}:", numbers.astype(str)).astype(object))

    def take(self, keep) -> Lines:
        """The places of the rows where ``keep`` holds."""
        return Lines(self.labels[np.asarray(keep, dtype=bool)])


def is_parquet(path) -> bool:
    """Whether a file is read and written as Parquet (by its extension, ``.parquet``)."""
    return Path(path).suffix.lower() == ".parquet"


def read_parquet(path, columns=None) -> pd.DataFrame:
    """Read a Parquet file (InputError naming the file when it is missing or unreadable); rows, not lines, in messages."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        frame = pd.read_parquet(path, columns=columns)
    except Exception as exc:  # pyarrow's own message says what is wrong
        raise InputError(f"{path}: cannot be read as Parquet ({' '.join(str(exc).split())})") from exc
    frame.attrs[ROW_NUMBERS] = True
    return frame


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
    rows = bool(frame.attrs.get(ROW_NUMBERS))  # a Parquet file: data rows counted from 1
    if LINES in frame.attrs:  # some rows of a file, or rows of several files
        numbers = frame.attrs[LINES].labels[pos[:limit]]
    else:
        numbers = pos[:limit] + 1 if rows else file_lines(frame, pos[:limit])
    shown = ", ".join(str(v) for v in numbers.tolist())
    more = f" and {pos.size - limit} more" if pos.size > limit else ""
    return f"{'row' if rows else 'line'}{'s' if pos.size > 1 else ''} {shown}{more}"


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


def check_covariate_values(rows: pd.DataFrame, covariates, source: str) -> None:
    """Raise :class:`InputError` on a numeric covariate with infinite values, or a text column that is numbers
    but for a few texts (a number column with a stray word would otherwise be read as one level per value),
    naming the column and the first file lines. Text is parsed once per distinct value."""
    for col in covariates:
        if col not in rows.columns:  # check_sales names the missing columns
            continue
        values = rows[col]
        if pd.api.types.is_bool_dtype(values) or isinstance(values.dtype, pd.CategoricalDtype):
            continue
        if pd.api.types.is_numeric_dtype(values):
            bad = np.isinf(values.to_numpy(dtype=float, na_value=np.nan))
            if bad.any():
                raise InputError(f"{source}: column {col!r}: infinite value at {where(rows, bad)}")
            continue
        codes, uniques = pd.factorize(values)
        texts = pd.Series(uniques, dtype=object)
        numbers = pd.to_numeric(texts, errors="coerce")
        numeric = numbers.notna().to_numpy()
        if numeric.any() and numeric.mean() >= 0.9 and not numeric.all():
            bad = ~numeric[codes] & (codes >= 0)
            examples = ", ".join(repr(str(t)) for t in texts[~numeric][:3])
            raise InputError(f"{source}: column {col!r}: not a number ({examples}) at {where(rows, bad)}; the "
                             "column is otherwise numbers: fix these values or leave the rows out")
        if np.isinf(numbers.to_numpy(dtype=float)).any() and numeric.all():
            bad = np.isinf(numbers.to_numpy(dtype=float))[codes] & (codes >= 0)
            raise InputError(f"{source}: column {col!r}: infinite value at {where(rows, bad)}")


def check_sales(frame: pd.DataFrame, covariates=(), source="sales table") -> pd.DataFrame:
    """Validate a sales table (a pandera schema) and return it with typed columns.

    Raises
    ------
    InputError
        On a missing column, a missing or non-positive price, a missing or
        non-integer year, a work made after its sale, a missing or infinite covariate
        value or a number column with stray texts (:func:`check_covariate_values`),
        naming the source, the column and the first offending file lines.
    """
    import pandera.pandas as pa

    missing = [c for c in (*REQUIRED, *covariates) if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: missing column {', '.join(repr(c) for c in missing)} "
                         f"(columns present: {', '.join(map(str, frame.columns))})")
    check_covariate_values(frame, covariates, source)
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
    """Read a CSV file, or a Parquet file by its extension (:func:`read_parquet`), raising :class:`InputError`
    naming the file when it is missing or unreadable."""
    path = Path(path)
    if is_parquet(path):
        return read_parquet(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        return pd.read_csv(path)
    except Exception as exc:  # pandas' own message says what is wrong
        raise InputError(f"{path}: cannot be read as CSV ({exc})") from exc


def read_sales(path, covariates=()) -> pd.DataFrame:
    """Read and validate a sales CSV or Parquet file (columns artist, sale_year, work_year, price and covariates)."""
    return check_sales(read_table(path), covariates, source=str(path))


# --------------------------------------------------------------------------
# raw exports and the canonical table
# --------------------------------------------------------------------------

def check_columns(raw: pd.DataFrame, needed, path: str, name: str, keys=None) -> None:
    """Every column in ``needed`` is in ``raw``, else one InputError naming them and the columns present (and
    the mapping's keys that name them, when given: ``keys`` a mapping column -> key)."""
    present = list(raw.attrs.get(FILE_COLUMNS, raw.columns))
    missing = [c for c in dict.fromkeys(needed) if c not in present]
    if missing:
        seps = [s for s in (";", "\t", "|", ",") if len(present) == 1 and s in str(present[0])]
        hint = f"; the header looks separated by {seps[0]!r}: set the source's sep:" if seps else ""
        keys = list(dict.fromkeys(keys[c] for c in missing if c in keys)) if keys else []
        by = f"source {name!r}" + (f" key{'s' if len(keys) > 1 else ''} {', '.join(keys)}" if keys else "")
        them = "them" if len(missing) > 1 else "it"
        raise InputError(f"{path}: missing column{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(repr(c) for c in missing)} ({by} map{'' if len(keys) > 1 else 's'} to {them}; "
                         f"columns present: {', '.join(map(str, present))}){hint}")


_PARSED_REASONS = {"not_nullable": "cannot be parsed", "greater_than(0)": "non-positive value",
                   "field_uniqueness": "duplicate lot id"}


def _parsed_schema():
    import pandera.pandas as pa

    return pa.DataFrameSchema({
        "lot_id": pa.Column(nullable=False, unique=True, report_duplicates="all"),
        "sale_date": pa.Column(nullable=False),
        "price": pa.Column(float, pa.Check.gt(0), nullable=False),
        "height_cm": pa.Column(float, pa.Check.gt(0), nullable=True),
        "width_cm": pa.Column(float, pa.Check.gt(0), nullable=True),
        "depth_cm": pa.Column(float, pa.Check.gt(0), nullable=True),
        "sold": pa.Column(nullable=False),
    })


def check_parsed(raw: pd.DataFrame, checks: pd.DataFrame, columns: dict, reasons: dict, path: str) -> None:
    """pandera checks on the parse outcome of each lot; the failures as one InputError line.

    ``checks`` has one row per row of ``raw`` and the columns lot_id, sale_date, price (NaN where a price text
    did not parse, 1.0 where none is checked), height_cm, width_cm, depth_cm and sold (None where the flag did
    not parse); ``columns`` maps them to the raw column named in messages; ``reasons`` maps (column, check) to
    the words of the message.
    """
    import pandera.pandas as pa

    try:
        _parsed_schema().validate(checks, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        messages = []
        for field in checks.columns:
            sub = cases[cases["column"] == field]
            if sub.empty:
                continue
            check = str(sub["check"].iloc[0])
            bad = np.zeros(len(checks), dtype=bool)
            bad[np.asarray(sub.loc[sub["check"] == check, "index"], dtype=np.int64)] = True
            col = columns.get(field, field)
            first = int(np.flatnonzero(bad)[0])
            text = _text_at(raw, col, first) if col in raw.columns else checks[field].iloc[first]
            reason = reasons.get((field, check)) or _PARSED_REASONS.get(check, check)
            messages.append(f"column '{col}': {reason} at {where(raw, bad)} (first: {text!r})")
        raise InputError(f"{path}: " + "; ".join(messages)) from None


def _text_at(raw: pd.DataFrame, col: str, row: int) -> str:
    value = raw[col].iloc[row]
    return "" if pd.isna(value) else str(value).strip()


def canonical_schema(unique_lot_ids: bool = True):
    """pandera schema of the canonical sales table (every lot; ``left_out`` is checked by the caller).

    ``unique_lot_ids=False`` leaves out the check that no lot id repeats, for a caller that has just checked the
    very same ids (:func:`artstudy.data.prepare.prepare_table`: hashing ten million ids twice costs seconds).
    """
    import pandera.pandas as pa

    from .media import MATERIALS, SUPPORTS

    positive = {c: pa.Column(float, pa.Check.gt(0), nullable=True)
                for c in ("price", "price_original", "height_cm", "width_cm", "depth_cm")}
    text = {c: pa.Column(nullable=True) for c in ("artist", "title", "currency", "image_path", "auction_house")}
    columns = {
        "lot_id": pa.Column(unique=unique_lot_ids, nullable=False),
        "source": pa.Column(nullable=False),
        "sale_date": pa.Column("datetime64[ns]", nullable=False),
        "sale_year": pa.Column("int64"),
        "sold": pa.Column(bool),
        "work_year": pa.Column("Int64", nullable=True),
        "log_area": pa.Column(float, nullable=True),
        "material": pa.Column(None, pa.Check.isin(MATERIALS)),
        "support": pa.Column(None, pa.Check.isin(SUPPORTS)),
        "signed": pa.Column(bool),
        "inscribed": pa.Column(bool),
        "low_estimate": pa.Column(float, nullable=True),
        "high_estimate": pa.Column(float, nullable=True),
        "artwork_id": pa.Column(None, pa.Check.str_matches(r"^W[0-9a-f]{16}$")),
        "sale_kind": pa.Column(None, pa.Check.isin(["first", "repeat"])),
        **positive, **text,
    }
    return pa.DataFrameSchema({c: columns[c] for c in CANONICAL_COLUMNS}, strict=True, ordered=True)
