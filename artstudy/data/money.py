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

from .text import extract, on_uniques

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
_STRIP_RX, _FIND_RX = re.compile(_STRIP), re.compile(_FIND)
_PAREN, _SPACES = re.compile(r"\([^)]*\)"), re.compile(r"['’ ]")
# a text without any of these can name no currency: the codes' letters (and the four other letters that match an
# ASCII letter ignoring case: İ ı ſ K) and the symbols' first characters
_MAY_NAME_CURRENCY = re.compile("[A-Za-z$£€¥\u0130\u0131\u017f\u212a]")
DECIMALS = (".", ",", "auto")


def _separators(tok: str, decimal: str) -> str:
    """Number text without thousands separators, with "." as the decimal mark (rules in the module docstring)."""
    if decimal == ".":
        return tok.replace(",", "")
    if decimal == ",":
        return tok.replace(".", "").replace(",", ".")
    n_dot, n_com = tok.count("."), tok.count(",")
    last_dot, last_com = tok.rfind("."), tok.rfind(",")
    tail = len(tok) - max(last_dot, last_com) - 1
    both = n_dot > 0 and n_com > 0
    if (both and last_com > last_dot) or (n_dot == 0 and n_com == 1 and tail != 3):
        return tok.replace(".", "").replace(",", ".")
    if (both and last_dot > last_com) or (n_com == 0 and n_dot == 1 and tail != 3):
        return tok.replace(",", "")
    return tok.replace(".", "").replace(",", "")


def _number_text_to_float(tok: pd.Series, decimal: str = "auto") -> np.ndarray:
    """Number text ("1,234,567", "1.200,50", "14,5") -> float by the separator rules (NaN when empty)."""
    if decimal not in DECIMALS:
        raise ValueError(f"decimal must be '.', ',' or 'auto', not {decimal!r}")
    text = ["" if not isinstance(t, str) else _SPACES.sub("", t) for t in tok]
    out = pd.Series([_separators(t, decimal) for t in text], dtype=str)
    return pd.to_numeric(out.replace("", np.nan), errors="coerce").to_numpy(dtype=float)


def _drop_currency(text: str) -> str:
    """A price text without parentheticals, currency codes and symbols (each replaced by a space)."""
    if "(" in text:
        text = _PAREN.sub(" ", text)
    return _STRIP_RX.sub(" ", text) if _MAY_NAME_CURRENCY.search(text) else text


def parse_price(values, decimal: str = "auto") -> pd.Series:
    """Amount of money in a text: "$275,000" -> 275000.0, "1,234,567", "€1.200,50" (``decimal=","``).

    Currency symbols and codes and a parenthetical ("$3,366 (3,000)" -> 3366) are dropped; what is
    left must be one number, with an optional "-" sign, else NaN ("12,5oo", "-not sold-",
    "Bought In", "").
    """
    def run(u):
        m = extract([_drop_currency(x) for x in u], rf"^\s*(?P<sign>-\s*)?(?P<num>{_NUMBER})\s*(?:,-|\.-)?\s*$")
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


def _currency_in(text: str):
    """The currency a text names (upper-cased first), or NaN."""
    text = text.upper()
    m = _FIND_RX.search(text) if _MAY_NAME_CURRENCY.search(text) else None
    return np.nan if m is None else _LOOKUP[m.group(1)]


def parse_currency(values) -> pd.Series:
    """Currency code from a code or symbol in the text ("USD", "usd", "$275,000" -> "USD", "£1,000" -> "GBP",
    "HK$ 50,000" -> "HKD"); NA when the text names none."""
    def run(u):
        return pd.Series([_currency_in(x) for x in u], dtype=object)
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
