"""``artstudy prepare --check``: what a mapping makes of an export, for writing the mapping.

:func:`check_report` prints, for a seeded sample of lots, each mapped field's raw text beside what was
parsed from it, then the funnel and the raw columns no key of the mapping reads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .mapping import ROW, field_codes, raw_columns, template_fields
from .rows import FILE, drop_rows, with_row_numbers
from .sources import SourceMapping
from .validation import FILE_COLUMNS, Lines

__all__ = ["PARSED", "check_report", "unmapped_columns"]

#: The table columns parsed from each field's text.
PARSED = {
    "lot_id": ["lot_id"], "sale_date": ["sale_date"], "artist": ["artist"], "price": ["sold", "price_original",
                                                                                      "currency", "price"],
    "title": ["title"], "auction_house": ["auction_house"], "medium": ["material", "support"],
    "size": ["height_cm", "width_cm", "depth_cm"], "height": ["height_cm"], "width": ["width_cm"],
    "depth": ["depth_cm"], "work_year": ["work_year"], "signature": ["signed", "inscribed"],
    "currency": ["currency"], "estimate": ["low_estimate", "high_estimate"], "low_estimate": ["low_estimate"],
    "high_estimate": ["high_estimate"], "sold": ["sold"], "image_path": ["image_path"], "rate": ["price"],
}


def unmapped_columns(raw: pd.DataFrame, m: SourceMapping) -> list[str]:
    """The raw columns no key of the mapping reads."""
    used = set(raw_columns(m)) | {ROW, FILE} | set(template_fields(m.image_path) if m.image_path else [])
    return [c for c in raw.attrs.get(FILE_COLUMNS, raw.columns) if c not in used]


def _shown(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def check_report(raw: pd.DataFrame, m: SourceMapping, table: pd.DataFrame, funnel: pd.DataFrame,
                 rng: np.random.Generator, n: int = 5) -> str:
    """The text of ``artstudy prepare --check``: ``n`` lots drawn with ``rng`` (raw text -> parsed values),
    the funnel and the unmapped raw columns. ``raw`` is the export as read, ``table`` and ``funnel`` what
    :func:`~artstudy.data.prepare.prepare_table` made of it."""
    from .lots import Fields

    kept, _ = drop_rows(with_row_numbers(raw.reset_index(drop=True), m), m)  # the rows the table was made from
    lines = Lines.of(kept).labels
    ids = pd.Index(Fields(kept, m).lot_ids().to_numpy(dtype=object))  # a table lot's row (lots may be dropped)
    picks = np.sort(rng.choice(len(table), size=min(n, len(table)), replace=False)) if len(table) else []
    fields = [f for f in PARSED if f in m.column_map() or f in m.constant_map() or f in m.fallbacks]
    texts = {f: field_codes(kept, m, f) for f in fields}
    width = max([len(f) for f in fields] + [5])
    out = [f"{len(picks)} of {len(table)} lots (raw text -> parsed):"]
    for k in picks:
        row = table.iloc[int(k)]
        i = int(ids.get_indexer([row["lot_id"]])[0])
        why = row["left_out"] if "left_out" in table.columns and pd.notna(row["left_out"]) else None
        out.append(f"lot {row['lot_id']} (line {lines[i]}): " + (f"left out by {why!r}" if why else "kept"))
        for f in fields:
            raw_text = texts[f].uniques[texts[f].codes[i]]
            parsed = ", ".join(f"{c}={_shown(row[c])}" for c in PARSED[f] if c in table.columns)
            out.append(f"  {f:<{width}} {str(raw_text).strip()!r:<40} -> {parsed}")
    out += ["", "funnel:", funnel.to_string(index=False), ""]
    unmapped = unmapped_columns(raw, m)
    out.append("raw columns not mapped: " + (", ".join(unmapped) if unmapped else "none"))
    return "\n".join(out)
