"""Sizes: height, width and depth in cm from dimension text.

The first "A x B" or "A x B x C" in the text (separators x, X, ×, *, by), numbers with decimals and
fractions ("30 1/2", "30½"); the unit is the one written next to the numbers (cm, mm, in, inches,
", ''), else one written anywhere in the text, else the source's ``size_unit``. Order: height x
width (x depth). A single dimension ("Dim. - 24 cm", a diameter) or no dimensions give NaN (counted
by the "size given" rule). "cm." and "mm." read as cm and mm ("61 cm. x 46.4 cm."). A fraction slash
(U+2044), or a plain slash, joins a mixed number written without its space: its denominator's digits and at
most as many digits before it form the fraction, the rest is the whole ("48⁄8" = 4 8/8 = 5, "34⁄8" = 3 4/8,
"1315⁄16" = "1315/16" = 13 15/16, "12/3" = 1 2/3; the numerator is the longest such digit run not above the
denominator; "30 1/2" and "1/2" are read as written). Sizes in pixels ("px",
"pixel(s)") are no length: NaN, with ``pixels`` True.

Separate columns (:func:`size_from_columns`): height, width and depth numbers (fractions as above) and a
unit per lot (cm, mm, m, in, inches, ", px, pixels, centimetres, millimetres; empty: the source's).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .text import extract, on_uniques

__all__ = ["parse_size", "size_from_columns", "UNIT_CM"]

#: Centimetres per unit.
UNIT_CM = {"cm": 1.0, "mm": 0.1, "in": 2.54, "m": 100.0}

_FRACTIONS = {"½": " 1/2", "¼": " 1/4", "¾": " 3/4", "⅛": " 1/8", "⅜": " 3/8", "⅝": " 5/8", "⅞": " 7/8",
              "⅓": " 1/3", "⅔": " 2/3"}
_DIM = r"(?<![\w.])\d+/\d+|(?:(?<![\w.])-)?\d+(?:[.,]\d+)?(?:[ -]+\d+/\d+)?"
_UNIT = r"cm\b\.?|mm\b\.?|inch(?:es)?\b|in\b\.?|px\b|pixels?\b|\"|''|”|″"
_BY = r"\s*(?:x|×|\*|by)\s*"
_SIZE = (rf"(?P<a>{_DIM})\s*(?P<ua>{_UNIT})?{_BY}(?P<b>{_DIM})\s*(?P<ub>{_UNIT})?"
         rf"(?:{_BY}(?P<c>{_DIM})\s*(?P<uc>{_UNIT})?)?")


# a fraction's numerator starts after a space or a dash, or at the start: "15/16" is 15/16, not 1 5/16 (a mixed
# number written without its space was given one by _lower)
_DIM_TEXT = r"^(?P<sign>-)?(?P<whole>\d+(?:[.,]\d+)?)?(?:[ -]*(?<!\d)(?P<n>\d+)/(?P<d>\d+))?$"
_SIZE_RX = re.compile(_SIZE)
_UNIT_ANYWHERE = re.compile(r"\b(cm|mm|inch(?:es)?|in|px|pixels?)\b")
_FRACTION_SLASH = re.compile(r"(\d+)\s*\u2044\s*(\d+)")
_PLAIN_SLASH = re.compile(r"(\d{2,})/(\d+)")  # a numerator of one digit is read as written


def _dimension(tok) -> np.ndarray:
    """One dimension's text ("30", "30.5", "30 1/2", "-30"; a list or object Series) -> number (NaN when empty)."""
    m = extract(tok, _DIM_TEXT)
    whole = pd.to_numeric(m["whole"].str.replace(",", ".", regex=False), errors="coerce").to_numpy(dtype=float)
    frac = (pd.to_numeric(m["n"], errors="coerce") / pd.to_numeric(m["d"], errors="coerce")).to_numpy(dtype=float)
    has_whole, has_frac = ~np.isnan(whole), ~np.isnan(frac)
    val = np.where(has_whole, whole, 0.0) + np.where(has_frac, frac, 0.0)
    val = np.where(has_whole | has_frac, val, np.nan)
    return np.where(m["sign"].notna(), -val, val)


def _unit_name(u) -> str:
    """A unit as written ("cm", "mm", "in.", '"', None) -> "cm", "mm", "in" or "" (none)."""
    if not u:
        return ""
    u = u.lower()
    return ("cm" if u.startswith("cm") else "mm" if u.startswith("mm") else "px" if u.startswith(("px", "pixel"))
            else "in")


def _mixed(m: re.Match) -> str:
    """A fraction-slash number ("48", "8") as a mixed number text ("4 8/8"); rules in the module docstring."""
    digits, denom = m.group(1), m.group(2)
    for k in range(min(len(denom), len(digits)), 0, -1):
        if int(digits[-k:]) <= int(denom) and (k == len(digits) or digits[-k] != "0"):
            whole = digits[:-k]
            return f"{whole} {digits[-k:]}/{denom}" if whole else f"{digits[-k:]}/{denom}"
    return f"{digits}/{denom}"


def _lower(text: str) -> str:
    text = text.lower()
    if "/" in text:
        text = _PLAIN_SLASH.sub(_mixed, text)
    if not text.isascii():
        for k, v in _FRACTIONS.items():
            text = text.replace(k, v)
        if "\u2044" in text:
            text = _FRACTION_SLASH.sub(_mixed, text)
    return text


def _unit(groups, t: str, default_unit: str) -> str:
    """The unit next to the last number, else the second, the first, one written anywhere, else the default."""
    for g in (groups[5], groups[3], groups[1]):
        if name := _unit_name(g):
            return name
    m = _UNIT_ANYWHERE.search(t)
    return _unit_name(m.group(1) if m else None) or default_unit


def parse_size(values, default_unit: str = "cm") -> pd.DataFrame:
    """Height, width and depth in cm from `30.00" x 22.25` (default unit inches), "34 x 27 cm",
    "Dim. - 34 x 27 cm", "40 x 30 x 5 cm", "30 1/2 x 22 in.", "340 x 270 mm".

    Returns a frame with float columns height_cm, width_cm, depth_cm (NaN when not given; depth NaN
    for two dimensions) and the bool column ``pixels`` (a size in pixels: its lengths NaN). Negative numbers
    come out negative (validation rejects them).
    """
    if default_unit not in UNIT_CM:
        raise ValueError(f"size unit must be one of {', '.join(UNIT_CM)}, not {default_unit!r}")

    def run(u):
        none = (None,) * 6
        texts = [_lower(x) for x in u]
        groups = [m.groups() if (m := _SIZE_RX.search(t)) is not None else none for t in texts]
        units = [_unit(g, t, default_unit) for g, t in zip(groups, texts)]
        factor = np.array([UNIT_CM.get(x, np.nan) for x in units], dtype=float)
        # each distinct number text is read once (sizes repeat their heights, widths and depths)
        tokens = pd.Series([g[i] or "" for i in (0, 2, 4) for g in groups], dtype=object)
        codes, distinct = pd.factorize(tokens, use_na_sentinel=False)
        dims = _dimension(list(distinct))[codes].reshape(3, len(groups)) * factor
        pixels = np.array([x == "px" and g[0] is not None for x, g in zip(units, groups)], dtype=bool)
        return pd.DataFrame({"height_cm": dims[0], "width_cm": dims[1], "depth_cm": dims[2], "pixels": pixels})
    return on_uniques(values, run)


_UNIT_WORDS = {"cm": "cm", "cms": "cm", "centimeter": "cm", "centimeters": "cm", "centimetre": "cm",
               "centimetres": "cm", "mm": "mm", "millimeter": "mm", "millimeters": "mm", "millimetre": "mm",
               "millimetres": "mm", "m": "m", "in": "in", "inch": "in", "inches": "in", '"': "in", "″": "in",
               "px": "px", "pixel": "px", "pixels": "px"}


def size_from_columns(height, width, depth=None, unit=None, default_unit: str = "cm") -> pd.DataFrame:
    """Height, width and depth in cm from separate number columns and a unit column (per lot; empty: the
    ``default_unit``), as :func:`parse_size` gives them (``pixels`` True for a unit px/pixels).

    Each column may be a Series, array or :class:`~artstudy.data.coded.Coded`; numbers as in dimension texts
    ("30", "30.5", "30 1/2", "30½", "48⁄8"). An unknown unit is a ValueError naming it (callers name the
    column and lines).
    """
    from .coded import Coded

    if default_unit not in UNIT_CM:
        raise ValueError(f"size unit must be one of {', '.join(UNIT_CM)}, not {default_unit!r}")
    cols = [Coded.of(c) if c is not None else None for c in (height, width, depth)]
    n = len(cols[0])
    out = {}
    for name, col in zip(("height_cm", "width_cm", "depth_cm"), cols):
        if col is None:
            out[name] = np.full(n, np.nan)
            continue
        text = [_lower(str(t).strip()) for t in col.uniques]
        out[name] = col.spread(_dimension(pd.Series(text, dtype=object)))
    factor, pixels = np.full(n, UNIT_CM[default_unit]), np.zeros(n, dtype=bool)
    if unit is not None:
        unit = Coded.of(unit)
        words = [str(t).strip().lower().rstrip(".") for t in unit.uniques]
        bad = [w for w in words if w and w not in _UNIT_WORDS]
        if bad:
            raise ValueError(f"unknown size unit {bad[0]!r} (known: cm, mm, m, in, inches, px, pixels)")
        names = [_UNIT_WORDS.get(w, default_unit) if w else default_unit for w in words]
        factor = unit.spread(np.array([UNIT_CM.get(x, np.nan) for x in names], dtype=float))
        pixels = unit.spread(np.array([x == "px" for x in names], dtype=bool))
    frame = pd.DataFrame({k: v * factor for k, v in out.items()})
    frame["pixels"] = pixels & ~np.isnan(out["height_cm"])
    return frame
