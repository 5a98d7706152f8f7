"""Text helpers every parser shares: any column as text, work on distinct values, folding, names.

Parsers run on the distinct values of a column only (:func:`on_uniques`) and spread the answer
back, so text repeated across lots (media, markings, dates, currencies, artists) costs nothing
per lot.

Folding (:func:`fold`) is how text is compared: letters are transliterated to ASCII with
`anyascii <https://pypi.org/project/anyascii/>`_ (so no letter is deleted: "Jørn" -> "jorn",
"Łódź" -> "lodz", "Straße" -> "strasse", "Æ" -> "ae", "óleo" -> "oleo"), then lower-cased and
whitespace collapsed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from anyascii import anyascii

__all__ = ["as_text", "on_uniques", "transliterate", "fold", "normalise_artist", "clean_title"]


def as_text(values) -> pd.Series:
    """Any column as text: missing -> "", numbers as written (the index is kept)."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not (pd.api.types.is_string_dtype(s) and not s.isna().any()):
        s = s.astype(object).where(s.notna(), "").astype(str)
    return s


def on_uniques(values, func):
    """Apply ``func`` (Series -> Series or DataFrame of the same length) to the distinct values, stripped,
    and spread the answer back to every row (the index of ``values`` is kept)."""
    s = as_text(values)
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    out = func(pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.strip())
    if isinstance(out, pd.DataFrame):
        res = out.iloc[codes].reset_index(drop=True)
        res.index = s.index
        return res
    res = pd.Series(np.asarray(out)[codes], index=s.index, name=getattr(values, "name", None))
    if isinstance(out, pd.Series) and isinstance(out.dtype, pd.api.extensions.ExtensionDtype):
        res = res.astype(out.dtype)
    return res


def transliterate(s: pd.Series) -> pd.Series:
    """Text in ASCII letters (anyascii): "Asger Jørn" -> "Asger Jorn", "Łempicka" -> "Lempicka",
    "Straße" -> "Strasse", "Dvořák" -> "Dvorak"; ASCII text is returned unchanged."""
    s = s.astype(object).astype(str)
    wide = ~s.str.isascii().to_numpy(dtype=bool)
    if not wide.any():
        return s
    out = s.to_numpy(dtype=object).copy()
    out[wide] = [anyascii(t) for t in out[wide]]
    return pd.Series(out, index=s.index, dtype=object).astype(str)


def fold(s: pd.Series) -> pd.Series:
    """Text for comparison: transliterated to ASCII, lower case, whitespace collapsed ("Óleo" -> "oleo",
    "Ørsted" -> "orsted")."""
    return transliterate(s).str.lower().str.replace(r"\s+", " ", regex=True).str.strip()


def normalise_artist(values) -> pd.Series:
    """Artist names with whitespace collapsed; spellings equal up to case, accents and transliteration become
    one, the most frequent mixed-case spelling ("MARY SMITH " and "Mary  Smith" -> "Mary Smith"; "Asger Jørn"
    and "ASGER JORN" are one artist); "" -> NA.

    Ties between spellings of equal count go to the first in alphabetical order.
    """
    s = as_text(values)
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    u = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.replace(r"\s+", " ", regex=True).str.strip()
    key = fold(u)
    counts = np.bincount(codes, minlength=len(u))
    mixed = ~(u.str.isupper() | u.str.islower())
    table = pd.DataFrame({"name": u, "key": key, "count": counts, "mixed": mixed})
    # spellings of one key may reach the table more than once (only the spaces differ): add their counts
    table = table.groupby(["key", "name"], as_index=False, sort=False).agg(count=("count", "sum"),
                                                                           mixed=("mixed", "first"))
    best = (table[table["name"] != ""].sort_values(["key", "mixed", "count", "name"],
                                                   ascending=[True, False, False, True])
            .drop_duplicates("key").set_index("key")["name"])
    display = key.map(best)
    return pd.Series(display.to_numpy(dtype=object)[codes], index=s.index, dtype="string")


def clean_title(values) -> pd.Series:
    """Title as shown: surrounding quotes dropped, whitespace collapsed; "" -> NA (string dtype)."""
    def run(u):
        t = (u.str.replace(r"\s+", " ", regex=True)
             .str.replace(r"^[\"'“”«»‘’ ]+|[\"'“”«»‘’ ]+$", "", regex=True))
        return t.where(t != "", None)
    return on_uniques(values, run).astype("string")
