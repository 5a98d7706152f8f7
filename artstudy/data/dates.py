"""Years and dates.

- creation year (:func:`parse_year`): the first four-digit year 1000-2099 in the text: "1965",
  "c. 1965", "circa 1965", "1965-67" and "1965/1967" -> 1965 (the start of a range), "1960s" ->
  1960 (the decade's first year); two-digit years ("86") and text without a year ("not given") are
  NA. A source may give a ``work_year_pattern`` whose first group is the year (the Portuguese
  lots state it inside the technique text: "assinada e datada de 1991").
- sale date (:func:`parse_date`): the source's ``date_format``; a range ("11/22/2016-11/23/2016",
  a sale over several days) is its last day, or its first with ``date_range="start"`` (a source's
  ``date_range``, default end; the function's default is start). A range whose first part lacks the
  month or year ("1-3 May 2019", "30 April - 2 May 2019") takes them from its second part. Day
  precision (times of day dropped).
"""

from __future__ import annotations

import re

import pandas as pd

from .text import on_uniques

__all__ = ["parse_year", "parse_date"]

_YEAR = r"(?<!\d)((?:1\d|20)\d\d)(?!\d)"
_RANGE = r"(?:-|–|—|\bto\b)"


def _first_group_year(text: pd.Series, pattern: str) -> pd.Series:
    y = pd.to_numeric(text.str.extract(pattern, flags=re.IGNORECASE, expand=False), errors="coerce")
    return y.where((y >= 1000) & (y <= 2099)).astype("Int64")


def parse_year(values, pattern: str | None = None) -> pd.Series:
    """Creation year (Int64): "1965", "c. 1965", "circa 1965", "1965-67" -> 1965; "1960s" -> 1960; "not given" -> NA.

    ``pattern``: a regular expression whose first group is the year, searched instead of the first
    four-digit number (e.g. ``datad[oa]\\D{0,40}?(\\d{4})`` for "assinada e datada de 1991").
    """
    return on_uniques(values, lambda u: _first_group_year(u, pattern or _YEAR))


# day ranges inside one month or one year, written with the month and year once: rewritten as two full dates
_DAYS = re.compile(r"^(?P<d1>\d{1,2})\.?\s*(?:-|–|—|\bto\b)\s*(?P<d2>\d{1,2}\.?\s+[^\W\d]+\.?,?\s+\d{4})$")
_DAY_MONTHS = re.compile(r"^(?P<d1>\d{1,2}\.?\s+[^\W\d]+\.?)\s*(?:-|–|—|\bto\b)\s*"
                         r"(?P<d2>\d{1,2}\.?\s+[^\W\d]+\.?,?\s+(?P<y>\d{4}))$")


def _full_range(text: pd.Series) -> pd.Series:
    """"1-3 May 2019" -> "1 May 2019 - 3 May 2019"; "30 April - 2 May 2019" -> "30 April 2019 - 2 May 2019";
    other text as it is."""
    out = text.copy()
    month = text.str.extract(_DAYS)
    got = month["d1"].notna()
    rest = month["d2"].str.replace(r"^\d{1,2}\.?", "", regex=True)
    out[got] = month["d1"][got] + rest[got] + " - " + month["d2"][got]
    year = text.str.extract(_DAY_MONTHS)
    got = year["d1"].notna() & ~got
    out[got] = year["d1"][got] + " " + year["y"][got] + " - " + year["d2"][got]
    return out


def parse_date(values, date_format: str | None = "ISO8601", date_range: str = "start") -> pd.Series:
    """Sale date (datetime64[ns], day precision) with a strptime format ("%m/%d/%Y") or "ISO8601"/"mixed";
    NaT when the text does not parse. A range ("11/22/2016-11/23/2016", "2016-11-22 to 2016-11-23",
    "1-3 May 2019") is its first date, or its last with ``date_range="end"``."""
    if date_range not in ("start", "end"):
        raise ValueError(f"date_range must be 'start' or 'end', not {date_range!r}")
    fmt = date_format or "mixed"

    def run(u):
        u = _full_range(u)
        d = pd.Series(pd.to_datetime(u.replace("", None), format=fmt, errors="coerce"))
        # a range: its first date, cut at the first, second, ... separator (a date may hold "-" itself) where
        # both sides are dates ("2016-11-22-2016-11-23" is not cut at "2016")
        for k in range(4):
            bad = d.isna() & (u != "")
            if not bad.any():
                break
            parts = u[bad].str.extract(rf"^(?P<head>(?:.+?{_RANGE}){{{k}}}.+?)\s*{_RANGE}\s*(?P<tail>\S.*)$")
            head = pd.to_datetime(parts["head"], format=fmt, errors="coerce")
            tail = pd.to_datetime(parts["tail"], format=fmt, errors="coerce")
            ok = head.notna() & tail.notna()
            d[bad] = (tail if date_range == "end" else head).where(ok)
        return d.dt.normalize()
    out = on_uniques(values, run)
    return pd.to_datetime(out).astype("datetime64[ns]")
