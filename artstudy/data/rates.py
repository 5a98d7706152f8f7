"""Exchange rates that change: rates by year from a small CSV, and a per-lot rate column.

The simple case stays :func:`artstudy.data.lots.convert` (the config's constant ``currency.rates``). With a
``currency.rates_file`` or a source's ``columns.rate``, :func:`convert_dated` converts instead: each lot's
factor (the value of one unit of its currency in the target currency) is

1. the lot's rate column, where it holds a number (a positive one; a text that is not a number is an error);
2. else the rates file's rate of the lot's currency in the lot's sale year, for the currencies the file lists;
3. else the constant ``currency.rates`` (the target currency is 1).

A priced lot without any rate is a one-line error naming the currency and the lines; a currency of the rates
file used in a year the file lacks is a one-line error naming the file, the currency and the years.

The rates file has the columns ``year, currency, rate`` (one row per year and currency; rate the value of one
unit in the target currency that year), read by :func:`read_rates`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .mapping import column_label
from .money import parse_price
from .validation import where

__all__ = ["read_rates", "convert_dated", "RATE_COLUMNS"]

RATE_COLUMNS = ("year", "currency", "rate")


def _rows(bad: np.ndarray, limit: int = 5) -> str:
    """'lines 2, 4 and 3 more' for rows of the rates file (header = line 1)."""
    pos = np.flatnonzero(bad)
    shown = ", ".join(str(int(p) + 2) for p in pos[:limit])
    return f"line{'s' if pos.size > 1 else ''} {shown}" + (f" and {pos.size - limit} more" if pos.size > limit else "")


def read_rates(path) -> pd.DataFrame:
    """The rates file as a frame (year int64, currency str, rate float), validated.

    Raises
    ------
    InputError
        One line naming the file and, for a bad value, the column and lines: missing file or column, a year
        that is not a whole number, a currency that is not three capital letters, a rate that is not a
        positive number, a (year, currency) given twice.
    """
    path = Path(path)
    if not path.exists():
        where = "" if path.is_absolute() else (f", looked for in the folder the command runs in, {Path.cwd()}; give "
                                               "an absolute path or one relative to that folder")
        raise InputError(f"{path}: no such file (currency.rates_file{where})")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot be read as CSV ({' '.join(str(exc).split())})") from exc
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in RATE_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(f"{path}: missing column {', '.join(map(repr, missing))} (a rates file has the columns "
                         f"year, currency, rate; columns present: {', '.join(raw.columns)})")
    year = pd.to_numeric(raw["year"].str.strip(), errors="coerce").to_numpy(dtype=float)
    currency = raw["currency"].str.strip()
    rate = pd.to_numeric(raw["rate"].str.strip(), errors="coerce").to_numpy(dtype=float)
    checks = [("year", ~(np.isfinite(year) & (year == np.round(year))), "not a whole year"),
              ("currency", ~currency.str.fullmatch(r"[A-Z]{3}").to_numpy(dtype=bool), "not a three-letter code"),
              ("rate", ~(np.isfinite(rate) & (rate > 0)), "not a positive number")]
    for col, bad, reason in checks:
        if bad.any():
            first = raw[col].iloc[int(np.flatnonzero(bad)[0])]
            raise InputError(f"{path}: column '{col}': {reason} at {_rows(bad)} (first: {first!r})")
    out = pd.DataFrame({"year": year.astype(np.int64), "currency": currency.to_numpy(dtype=object), "rate": rate})
    twice = out.duplicated(["year", "currency"], keep=False).to_numpy()
    if twice.any():
        raise InputError(f"{path}: year and currency given twice at {_rows(twice)}")
    return out


def _yearly(path, cur_names: np.ndarray, code: np.ndarray, year: np.ndarray, need: np.ndarray) -> np.ndarray:
    """The rates file's factor per lot (NaN for currencies it does not list); InputError for a listed currency
    needed in a year the file lacks."""
    rates = read_rates(path)
    listed = np.isin(cur_names, rates["currency"].unique())
    factor = np.full(code.size, np.nan)
    use = listed[code] & (code >= 0)
    if not use.any():
        return factor
    key = code[use].astype(np.int64) * 100_000 + year[use]
    pairs, inverse = np.unique(key, return_inverse=True)
    table = {(c, int(y)): r for y, c, r in rates.itertuples(index=False)}
    got = np.array([table.get((cur_names[k // 100_000], int(k % 100_000)), np.nan) for k in pairs])
    lacking = np.isnan(got) & np.isin(pairs, np.unique(key[need[use]]))
    if lacking.any():
        first = cur_names[pairs[lacking][0] // 100_000]
        years = sorted(int(k % 100_000) for k in pairs[lacking] if cur_names[k // 100_000] == first)
        raise InputError(f"{path}: no rate for currency {first!r} in year{'s' if len(years) > 1 else ''} "
                         f"{', '.join(map(str, years))} (sales of those years are priced in it)")
    factor[use] = got[inverse.reshape(-1)]
    return factor


def _rate_column(raw, m, fields, need: np.ndarray, path: str) -> np.ndarray | None:
    """The per-lot rate column as numbers (NaN where empty); InputError for a text that is no positive number."""
    col = fields.get("rate")
    if col is None:
        return None
    value = parse_price(col.uniques, m.decimal).to_numpy(dtype=float)
    bad_text = ~(np.isnan(value) & (col.stripped() == "").to_numpy()) & ~(value > 0)
    bad = col.spread(bad_text) & need
    if bad.any():
        first = col.uniques[col.codes[np.flatnonzero(bad)[0]]]
        raise InputError(f"{path}: column '{column_label(m, 'rate')}': exchange rate is not a positive number at "
                         f"{where(raw, bad)} (first: {str(first).strip()!r})")
    return col.spread(value)


def convert_dated(raw, m, fields, lots: dict, cur, path: str) -> dict:
    """:func:`artstudy.data.lots.convert` with the per-lot rate column and the rates by year (module docstring):
    prices and estimates in the target currency."""
    from .coded import arrow_text
    from .lots import _estimates, _lot_currency

    code, vocab = _lot_currency(fields, m, lots["price_text"])
    priced = lots["priced"]
    need = priced & ~lots.get("no_date", np.zeros(priced.size, dtype=bool))
    label = column_label(m, "currency") if m.columns.currency else column_label(m, "price")
    if (no_cur := need & (code < 0)).any():
        raise InputError(f"{path}: column '{label}': no currency given (no currency column, symbol or source "
                         f"default) at {where(raw, no_cur)}")
    names = np.array([str(v) for v in (*vocab, cur.target)], dtype=object)  # the last: lots with no currency
    constant = {**cur.rates, cur.target: 1.0}
    factor = np.array([constant.get(v, np.nan) for v in names])[code]
    if cur.rates_file:
        yearly = _yearly(cur.rates_file, names, code, np.asarray(lots["sale_year"], dtype=np.int64), need)
        factor = np.where(np.isnan(yearly), factor, yearly)
    per_lot = _rate_column(raw, m, fields, need, path)
    if per_lot is not None:
        factor = np.where(np.isnan(per_lot), factor, per_lot)
    if (bad := need & np.isnan(factor)).any():
        raise InputError(f"{path}: column '{label}': no exchange rate for currency {names[code][bad][0]!r} (no rate "
                         f"column value, not in the rates file or the config's currency.rates) at {where(raw, bad)}")
    price_original = np.where(priced, lots["amount"], np.nan)
    low, high = _estimates(fields, m)
    return {
        "currency": arrow_text(vocab, code),
        "price_original": price_original,
        "price": price_original * factor,
        "low_estimate": low * factor,
        "high_estimate": high * factor,
    }
