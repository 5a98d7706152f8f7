"""Using a source mapping (:class:`artstudy.data.sources.SourceMapping`): templates, field text, study
window and plain sentences describing the source.

A mapped column is a raw column name or a template of columns such as ``"{Auction}-{Lot}"``.
"""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd

from .._section import build
from .coded import Coded
from .sources import FIELDS, CurrencySettings, SourceMapping, StudyWindow, spec_columns, template_fields
from .text import as_text, on_uniques

__all__ = ["MAPPING_KEYS", "FIELDS", "ROW", "MappingWarning", "as_mapping", "template_fields", "render_template",
           "raw_columns", "column_label", "field_text", "field_codes", "render_coded", "study_window",
           "describe_source"]

#: Keys of a source mapping.
MAPPING_KEYS = tuple(SourceMapping.model_fields)
#: The template field of the row number (1 = the first row after the header): ``lot_id: "{_row}"``.
ROW = "_row"


class MappingWarning(UserWarning):
    """Something a mapping reads that is probably not meant (a duplicated header, a column empty in every row,
    an empty result); ``artstudy prepare`` prints each on one line."""


def as_mapping(mapping, name: str = "source") -> SourceMapping:
    """A :class:`SourceMapping` from a mapping or a dict, validated.

    Raises
    ------
    InputError
        One line naming the source and every unknown key, bad value or regular expression that does not
        compile ("source 'x': exclude_medium: not a valid regular expression (...)").
    """
    return build(SourceMapping, mapping, source=f"source {name!r}")


def render_template(raw: pd.DataFrame, template: str, blank_parts: bool = False) -> pd.Series:
    """Fill a "{column}" template per row ("images/{Auction Number}_{Artwork Number}.jpg"); NA where a
    field is empty (``blank_parts``: NA only where every field is empty, a single empty field read as "")."""
    out = pd.Series("", index=raw.index, dtype=object)
    empties = []
    for literal, field, _, _ in string.Formatter().parse(template):
        out = out + literal
        if field is not None:
            t = as_text(raw[field]).str.strip()
            empties.append((t == "").to_numpy())
            out = out + t.astype(object)
    if not empties:
        return out.astype("string")
    empty = np.logical_and.reduce(empties) if blank_parts else np.logical_or.reduce(empties)
    return out.where(~empty, None).astype("string")


def raw_columns(mapping: SourceMapping) -> list[str]:
    """Every raw column the mapping reads (a template's columns included, fallbacks and the filtered columns
    too; not the ``image_path`` template's, checked when images are looked for), in order, once each."""
    needed = []
    for spec in (*mapping.column_map().values(), *mapping.fallbacks.values()):
        needed += spec_columns(spec)
    return list(dict.fromkeys([*needed, *mapping.filter, *mapping.exclude]))


def column_keys(mapping: SourceMapping) -> dict[str, str]:
    """Raw column -> the first mapping key that reads it ("columns.price", "fallbacks.work_year", "filter.Dept"),
    for messages about a column the file lacks."""
    keys = {}
    specs = [*(("columns." + f, v) for f, v in mapping.column_map().items()),
             *(("fallbacks." + f, v) for f, v in mapping.fallbacks.items())]
    for key, spec in specs:
        for col in spec_columns(spec):
            keys.setdefault(col, key)
    for rule in ("filter", "exclude"):
        for col in getattr(mapping, rule):
            keys.setdefault(col, f"{rule}.{col}")
    return keys


def column_label(mapping: SourceMapping, field: str) -> str:
    """The raw column(s) behind a field, for messages ("Auction+Lot" for a template)."""
    spec = mapping.column_map().get(field, field)
    return "+".join(spec_columns(spec))


def field_text(raw: pd.DataFrame, mapping: SourceMapping, field: str) -> pd.Series | None:
    """Text of one field (raw column, template or constant), "" where missing or a ``missing`` marker;
    None when the mapping gives the field no column and no constant."""
    columns, constants = mapping.column_map(), mapping.constant_map()
    if field in columns:
        spec = columns[field]
        s = render_template(raw, spec, blank_parts=True).fillna("") if "{" in spec else as_text(raw[spec])
    elif field in constants:
        s = pd.Series(str(constants[field]), index=raw.index, dtype=object)
    else:
        return None
    missing = mapping.missing_for(field)
    if missing:
        s = on_uniques(s, lambda u: u.where(~u.str.lower().isin(missing), ""))
    return s


def render_coded(raw: pd.DataFrame, template: str, blank_parts: bool = False) -> Coded:
    """:func:`render_template` on the distinct combinations of its columns' texts: coded text, None where a
    field is empty (``blank_parts``: where every field is empty; a single empty field reads as "")."""
    parts = template_parts(template)
    fields = [Coded.of(raw[f]) for _, f in parts if f is not None]
    if not fields:
        return Coded.constant("".join(lit for lit, _ in parts), len(raw))
    code, picks = Coded.joint(fields)
    stripped = [f.stripped().to_numpy(dtype=object)[pick] for f, pick in zip(fields, picks)]
    out = np.full(len(picks[0]), "", dtype=object)
    empties = []
    texts = iter(stripped)
    for literal, field in parts:
        out = out + literal
        if field is not None:
            t = next(texts)
            empties.append(t == "")
            out = out + t
    empty = np.logical_and.reduce(empties) if blank_parts else np.logical_or.reduce(empties)
    return Coded(code, np.where(empty, None, out))


def template_parts(template: str) -> list[tuple[str, str | None]]:
    """A "{column}" template as (literal text, column or None) pairs, in order."""
    return [(literal, field) for literal, field, _, _ in string.Formatter().parse(template)]


def _spec_codes(raw: pd.DataFrame, spec: str) -> Coded:
    """A raw column or a template (an empty part read as blank, "" where every part is empty), coded."""
    if "{" not in spec:
        return Coded.of(raw[spec])
    coded = render_coded(raw, spec, blank_parts=True)
    return coded.relabel(np.where(pd.isna(coded.uniques), "", coded.uniques))


def _cleaned(coded: Coded, mapping: SourceMapping, field: str) -> Coded:
    """The field's ``strip`` pattern removed and its ``missing`` markers made "" (a price's unsold markers kept)."""
    if field in mapping.strip:
        rx = re.compile(mapping.strip[field])
        coded = coded.relabel(np.array([rx.sub("", t) for t in coded.uniques], dtype=object))
    missing = mapping.missing_for(field) - (mapping.unsold_for(field) if field in ("price", "sold") else set())
    if missing:
        u = coded.stripped()
        coded = coded.relabel(u.where(~u.str.lower().isin(missing), "").to_numpy(dtype=object))
    return coded


def field_codes(raw: pd.DataFrame, mapping: SourceMapping, field: str) -> Coded | None:
    """:func:`field_text` as coded text (:class:`~artstudy.data.coded.Coded`): the same text per lot, each
    distinct text read once; None when the mapping gives the field no column, no fallback and no constant.

    The field's ``strip`` pattern is removed and its ``missing`` markers read as ""; where the text is then
    empty, the field's ``fallbacks`` column (read the same way) is used.
    """
    columns, constants = mapping.column_map(), mapping.constant_map()
    if field in columns:
        coded = _spec_codes(raw, columns[field])
    elif field in constants:
        coded = Coded.constant(str(constants[field]), len(raw))
    elif field in mapping.fallbacks:
        coded = Coded.constant("", len(raw))
    else:
        return None
    coded = _cleaned(coded, mapping, field)
    if field in mapping.fallbacks:
        other = _cleaned(_spec_codes(raw, mapping.fallbacks[field]), mapping, field)
        code, (a, b) = Coded.joint([coded, other])
        main, spare = coded.uniques[a], other.uniques[b]
        empty = pd.Series(main, dtype=object).str.strip().eq("").to_numpy(dtype=bool)
        coded = Coded(code, np.where(empty, spare, main))
    return coded


def study_window(mapping: SourceMapping, study=None) -> StudyWindow:
    """The study window: ``study`` (a :class:`StudyWindow` or dict), else the mapping's, else the defaults."""
    if study is not None:
        return build(StudyWindow, study, source="study window")
    return mapping.study or StudyWindow()


def _rates_sentence(m: SourceMapping, cur: CurrencySettings) -> str:
    """How prices reach the target currency: a per-lot rate column, a rates file by year, constant rates."""
    ways = []
    if m.columns.rate:
        ways.append(f"the exchange rate given per lot (column {m.columns.rate!r})")
    if cur.rates_file:
        ways.append(f"the rate of the sale year for the currencies listed in {cur.rates_file}")
    if not ways:
        return f"Prices are converted to {cur.target} at constant rates per currency (config currency.rates)."
    return (f"Prices are converted to {cur.target} at {', else '.join(ways)}, else at constant rates per currency "
            "(config currency.rates).")


def describe_source(mapping, name: str = "source", currency=None) -> list[str]:
    """Plain sentences stating how a source's quirks are handled (for reports).

    ``mapping`` a :class:`SourceMapping` (or dict), ``currency`` a :class:`CurrencySettings` (or dict, or None
    for the defaults).
    """
    m = as_mapping(mapping, name)
    cur = build(CurrencySettings, currency, source="currency")
    notes = [m.description] if m.description else []
    notes.append(_rates_sentence(m, cur))
    if m.premium_included is True:
        notes.append("Prices include the buyer's premium (left in: it scales prices by a roughly constant factor "
                     "absorbed by the intercept and year effects).")
    elif m.premium_included is False:
        notes.append("Prices are hammer prices without the buyer's premium.")
    else:
        notes.append("The export does not say whether prices include the buyer's premium.")
    unsold = [u for marks in (m.unsold.values() if isinstance(m.unsold, dict) else [m.unsold]) for u in marks]
    if unsold:
        notes.append(f"Unsold lots are those marked {', '.join(map(repr, unsold))}"
                     + (" or flagged by the sold column" if m.columns.sold else "")
                     + "; they are counted in the funnel and left out of the fit.")
    if m.paintings_only or m.exclude_medium:
        also = (f" and lots whose material text matches exclude_medium ({m.exclude_medium})"
                if m.exclude_medium else "")
        what = ("lots whose medium names no painting or drawing medium and no support (sculpture, objects; "
                "ink or gouache on silk is kept, though its material and support are both 'other')"
                if m.paintings_only else "")
        what = f"{what}{also}".removeprefix(" and ")
        notes.append(f"Only paintings and works on paper are analysed: {what} are counted and left out.")
    for column, texts in m.filter.items():
        notes.append(f"Only rows whose {column} is {', '.join(map(repr, texts))} are read (the others are counted).")
    for column, texts in m.exclude.items():
        notes.append(f"Rows whose {column} is {', '.join(map(repr, texts))} are left out (counted).")
    if m.duplicates == "drop_identical":
        notes.append("Rows repeated identically are read once (the repeats are counted).")
    elif m.duplicates == "prefer_sold":
        notes.append("A lot listed more than once is read once: its sold record if any, else its last (the "
                     "others are counted).")
    notes.append(f"Sizes without a unit are read as {m.size_unit}.")
    return notes
