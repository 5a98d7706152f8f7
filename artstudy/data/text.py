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

import re

import numpy as np
import pandas as pd
from anyascii import anyascii

__all__ = ["as_text", "on_uniques", "extract", "transliterate", "fold", "normalise_artist", "artist_display",
           "clean_title"]


def as_text(values) -> pd.Series:
    """Any column as text: missing -> "", numbers as written (the index is kept)."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not (pd.api.types.is_string_dtype(s) and not s.isna().any()):
        s = s.astype(object).where(s.notna(), "").astype(str)
    return s


def on_uniques(values, func):
    """Apply ``func`` (Series -> Series or DataFrame of the same length) to the distinct values, stripped,
    and spread the answer back to every row (the index of ``values`` is kept). A categorical column is read
    by its codes (no pass over the rows' text)."""
    from .coded import Coded

    s = values if isinstance(values, pd.Series) else pd.Series(values)
    index = s.index if isinstance(s.dtype, pd.CategoricalDtype) else as_text(s).index
    coded = Coded.of(s)
    out = func(coded.stripped())
    if isinstance(out, pd.DataFrame):
        res = coded.spread(out)
        res.index = index
        return res
    if isinstance(out, pd.Series) and isinstance(out.dtype, pd.api.extensions.ExtensionDtype):
        return pd.Series(coded.spread(out), index=index, name=getattr(values, "name", None))
    return pd.Series(coded.spread(np.asarray(out)), index=index, name=getattr(values, "name", None))


def extract(values, pattern: str, flags: int = 0) -> pd.DataFrame:
    """``Series.str.extract(pattern)`` of text (an object Series or list of str): a frame of the groups of the
    first match, object columns named by the groups (names, else 0, 1, ...), NaN where a group or the match
    is missing; one regular-expression search per text and nothing else per text."""
    rx = re.compile(pattern, flags)
    k = rx.groups
    none = (None,) * k
    rows = [m.groups() if (m := rx.search(x)) is not None else none for x in values]
    out = np.empty((len(rows), k), dtype=object)
    if rows:
        out[:] = rows
        out[np.equal(out, None)] = np.nan
    names = {i: name for name, i in rx.groupindex.items()}
    return pd.DataFrame(out, columns=[names.get(i + 1, i) for i in range(k)], dtype=object)


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
    from .coded import Coded

    s = values if isinstance(values, pd.Series) else pd.Series(values)
    index = s.index if isinstance(s.dtype, pd.CategoricalDtype) else as_text(s).index
    coded = Coded.of(s)
    display = artist_display(coded.uniques, np.bincount(coded.codes, minlength=len(coded.uniques)))
    return pd.Series(coded.spread(display.astype("string")), index=index)


def artist_display(names, counts) -> pd.Series:
    """The shown name (object Series, NA for "") of each distinct raw artist text ``names`` (may repeat) written
    ``counts`` times: the rule of :func:`normalise_artist`."""
    u = pd.Series(np.asarray(names, dtype=object)).astype(str).str.replace(r"\s+", " ", regex=True).str.strip()
    key = fold(u)
    mixed = ~(u.str.isupper() | u.str.islower())
    table = pd.DataFrame({"name": u, "key": key, "count": np.asarray(counts), "mixed": mixed})
    # spellings of one key may reach the table more than once (only the spaces differ): add their counts
    table = table.groupby(["key", "name"], as_index=False, sort=False).agg(count=("count", "sum"),
                                                                           mixed=("mixed", "first"))
    best = (table[table["name"] != ""].sort_values(["key", "mixed", "count", "name"],
                                                   ascending=[True, False, False, True])
            .drop_duplicates("key").set_index("key")["name"])
    return pd.Series(key.map(best).to_numpy(dtype=object), dtype=object)


def clean_title(values) -> pd.Series:
    """Title as shown: surrounding quotes dropped, whitespace collapsed; "" -> NA (string dtype)."""
    def run(u):
        t = (u.str.replace(r"\s+", " ", regex=True)
             .str.replace(r"^[\"'“”«»‘’ ]+|[\"'“”«»‘’ ]+$", "", regex=True))
        return t.where(t != "", None)
    return on_uniques(values, run).astype("string")
