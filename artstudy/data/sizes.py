"""Sizes: height, width and depth in cm from dimension text.

The first "A x B" or "A x B x C" in the text (separators x, X, ×, *, by), numbers with decimals and
fractions ("30 1/2", "30½"); the unit is the one written next to the numbers (cm, mm, in, inches,
", ''), else one written anywhere in the text, else the source's ``size_unit``. Order: height x
width (x depth). A single dimension ("Dim. - 24 cm", a diameter) or no dimensions give NaN (counted
by the "size given" rule).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .text import extract, on_uniques

__all__ = ["parse_size", "UNIT_CM"]

#: Centimetres per unit.
UNIT_CM = {"cm": 1.0, "mm": 0.1, "in": 2.54, "m": 100.0}

_FRACTIONS = {"½": " 1/2", "¼": " 1/4", "¾": " 3/4", "⅛": " 1/8", "⅜": " 3/8", "⅝": " 5/8", "⅞": " 7/8",
              "⅓": " 1/3", "⅔": " 2/3"}
_DIM = r"(?:(?<![\w.])-)?\d+(?:[.,]\d+)?(?:[ -]+\d+/\d+)?|\d+/\d+"
_UNIT = r"cm\b|mm\b|inch(?:es)?\b|in\b\.?|\"|''|”|″"
_BY = r"\s*(?:x|×|\*|by)\s*"
_SIZE = (rf"(?P<a>{_DIM})\s*(?P<ua>{_UNIT})?{_BY}(?P<b>{_DIM})\s*(?P<ub>{_UNIT})?"
         rf"(?:{_BY}(?P<c>{_DIM})\s*(?P<uc>{_UNIT})?)?")


_DIM_TEXT = r"^(?P<sign>-)?(?P<whole>\d+(?:[.,]\d+)?)?(?:[ -]*(?P<n>\d+)/(?P<d>\d+))?$"
_SIZE_RX = re.compile(_SIZE)
_UNIT_ANYWHERE = re.compile(r"\b(cm|mm|inch(?:es)?|in)\b")


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
    return "cm" if u.startswith("cm") else "mm" if u.startswith("mm") else "in"


def _lower(text: str) -> str:
    text = text.lower()
    if not text.isascii():
        for k, v in _FRACTIONS.items():
            text = text.replace(k, v)
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
    for two dimensions). Negative numbers come out negative (validation rejects them).
    """
    if default_unit not in UNIT_CM:
        raise ValueError(f"size unit must be one of {', '.join(UNIT_CM)}, not {default_unit!r}")

    def run(u):
        none = (None,) * 6
        texts = [_lower(x) for x in u]
        groups = [m.groups() if (m := _SIZE_RX.search(t)) is not None else none for t in texts]
        factor = np.array([UNIT_CM[_unit(g, t, default_unit)] for g, t in zip(groups, texts)], dtype=float)
        # each distinct number text is read once (sizes repeat their heights, widths and depths)
        tokens = pd.Series([g[i] or "" for i in (0, 2, 4) for g in groups], dtype=object)
        codes, distinct = pd.factorize(tokens, use_na_sentinel=False)
        dims = _dimension(list(distinct))[codes].reshape(3, len(groups)) * factor
        return pd.DataFrame({"height_cm": dims[0], "width_cm": dims[1], "depth_cm": dims[2]})
    return on_uniques(values, run)
