"""Money: prices, presale estimates, currencies and conversion to one currency.

- price (:func:`parse_price`): the number left after dropping currency symbols and codes and a
  parenthetical ("$3,366 (3,000)" is 3366); any other text makes it NaN. Separators: with
  ``decimal="auto"`` a number holding both "," and "." takes the last one as the decimal mark; a
  single kind of separator is a thousands separator when it occurs more than once or is followed
  by exactly three digits ("1,234,567", "1.200"), else the decimal mark ("76.5", "14,5");
  ``decimal="."`` or ``","`` forces the mark ("€1.200,50" -> 1200.5 with ","). Text without a
  digit is NaN; whether it means unsold is the source's ``unsold`` list.
- currency (:func:`parse_currency`): an ISO code or a symbol in the text ("$" USD, "US$" USD,
  "HK$" HKD, "£" GBP, "€" EUR, "¥" JPY, "RMB" CNY, ...), the first one found.
- conversion (:func:`convert_currency`): constant rates, the value of one unit in the target.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .text import on_uniques

__all__ = ["parse_price", "parse_estimate", "parse_currency", "convert_currency", "CURRENCY_SYMBOLS",
           "CURRENCY_CODES"]

#: Symbols and the currency each names (longest first when matched).
CURRENCY_SYMBOLS = {"US$": "USD", "HK$": "HKD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD",
                    "NZ$": "NZD", "S$": "SGD", "R$": "BRL", "$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY",
                    "RMB": "CNY", "SFR": "CHF", "FR.": "CHF"}
#: ISO codes recognised in text.
CURRENCY_CODES = ("USD", "GBP", "EUR", "HKD", "CHF", "JPY", "CNY", "CAD", "AUD", "NZD", "SGD", "BRL", "SEK",
                  "NOK", "DKK", "INR", "KRW", "TWD", "AED", "QAR", "ZAR", "MXN", "RUB", "PLN", "CZK", "HUF",
                  "TRY", "ILS", "ARS", "CLP", "COP", "IDR", "MYR", "PHP", "THB")
_SYMBOLS = sorted(CURRENCY_SYMBOLS, key=len, reverse=True)
_STRIP = rf"(?i)\b(?:{'|'.join(CURRENCY_CODES)})\b|{'|'.join(re.escape(c) for c in _SYMBOLS)}"
_FIND = "(" + "|".join(rf"\b{c}\b" for c in CURRENCY_CODES) + "|" + "|".join(re.escape(s) for s in _SYMBOLS) + ")"
_LOOKUP = {**CURRENCY_SYMBOLS, **{c: c for c in CURRENCY_CODES}}
_NUMBER = r"\d(?:[\d.,'’ ]*\d)?"
DECIMALS = (".", ",", "auto")


def _number_text_to_float(tok: pd.Series, decimal: str = "auto") -> np.ndarray:
    """Number text ("1,234,567", "1.200,50", "14,5") -> float by the separator rules (NaN when empty)."""
    if decimal not in DECIMALS:
        raise ValueError(f"decimal must be '.', ',' or 'auto', not {decimal!r}")
    tok = tok.fillna("").astype(object).astype(str).str.replace(r"['’ ]", "", regex=True)
    if decimal == ".":
        out = tok.str.replace(",", "", regex=False)
    elif decimal == ",":
        out = tok.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        n_dot, n_com = tok.str.count(r"\."), tok.str.count(",")
        last_dot, last_com = tok.str.rfind("."), tok.str.rfind(",")
        tail = tok.str.len() - np.maximum(last_dot, last_com) - 1
        both = (n_dot > 0) & (n_com > 0)
        comma_dec = (both & (last_com > last_dot)) | ((n_dot == 0) & (n_com == 1) & (tail != 3))
        dot_dec = (both & (last_dot > last_com)) | ((n_com == 0) & (n_dot == 1) & (tail != 3))
        plain = tok.str.replace(r"[.,]", "", regex=True)
        out = plain.where(~dot_dec, tok.str.replace(",", "", regex=False))
        out = out.where(~comma_dec, tok.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    return pd.to_numeric(out.replace("", np.nan), errors="coerce").to_numpy(dtype=float)


def parse_price(values, decimal: str = "auto") -> pd.Series:
    """Amount of money in a text: "$275,000" -> 275000.0, "1,234,567", "€1.200,50" (``decimal=","``).

    Currency symbols and codes and a parenthetical ("$3,366 (3,000)" -> 3366) are dropped; what is
    left must be one number, with an optional "-" sign, else NaN ("12,5oo", "-not sold-",
    "Bought In", "").
    """
    def run(u):
        t = u.str.replace(r"\([^)]*\)", " ", regex=True).str.replace(_STRIP, " ", regex=True)
        m = t.str.extract(rf"^\s*(?P<sign>-\s*)?(?P<num>{_NUMBER})\s*(?:,-|\.-)?\s*$")
        val = _number_text_to_float(m["num"], decimal)
        return pd.Series(np.where(m["sign"].notna(), -val, val))
    return on_uniques(values, run).astype(float)


def parse_estimate(values, decimal: str = "auto") -> pd.DataFrame:
    """Presale estimate range: "10,000 - 15,000" -> low 10000, high 15000; one number -> low = high; "" -> NaN."""
    def run(u):
        m = u.str.extract(rf"(?P<low>{_NUMBER})(?:[^\d]*?(?:-|–|—|\bto\b|\ba\b|/)[^\d]*(?P<high>{_NUMBER}))?")
        low = _number_text_to_float(m["low"], decimal)
        high = _number_text_to_float(m["high"], decimal)
        return pd.DataFrame({"low": low, "high": np.where(np.isnan(high), low, high)})
    return on_uniques(values, run)


def parse_currency(values) -> pd.Series:
    """Currency code from a code or symbol in the text ("USD", "usd", "$275,000" -> "USD", "£1,000" -> "GBP",
    "HK$ 50,000" -> "HKD"); NA when the text names none."""
    def run(u):
        return u.str.upper().str.extract(_FIND, expand=False).map(_LOOKUP).astype(object)
    return on_uniques(values, run).astype("string")


def convert_currency(amount, currency, rates: dict, target: str = "USD") -> np.ndarray:
    """``amount`` in ``currency`` (codes per row) -> target currency, with ``rates`` = value of one unit in target.

    Missing codes give NaN. Raises ``KeyError`` naming the first code without a rate (callers check codes
    first and say which lots; see :func:`artstudy.data.prepare.prepare_table`).
    """
    rates = {str(k).upper(): float(v) for k, v in rates.items()}
    rates.setdefault(target.upper(), 1.0)
    codes, uniques = pd.factorize(pd.Series(currency, dtype=object))
    missing = [u for u in uniques if str(u).upper() not in rates]
    if missing:
        raise KeyError(missing[0])
    factor = np.array([rates[str(u).upper()] for u in uniques] + [np.nan])[codes]
    return np.asarray(amount, dtype=float) * factor
