"""Raw exports of several sources (each a mapping and one or more files) prepared into one table.

Each source is read as :func:`artstudy.data.prepare.prepare_files` reads it; the tables are then joined: lot ids
become ``"<source>:<id>"`` (ids of different sources may repeat), the ``source`` column names each lot's
source, artist spellings are made one across sources (:func:`~artstudy.data.text.normalise_artist`), and a lot
is a repeat sale when its artwork was sold before in any source. The funnel counts every row read: the steps that
drop rows before reading (filters, duplicates) of every source first, then the rules, each step once in the
order the sources give them (a step of one source removes nothing from another).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .coded import STR, STRING, arrow_text
from .funnel import Funnel
from .linking import repeats_by_rank
from .mapping import as_mapping, column_keys, raw_columns
from .plausible import EXCLUDED, EXCLUDED_COLUMNS
from .prepare import image_base, prepare_table, read_files
from .rows import FILE, dropped_rows, per_file, with_row_numbers
from .text import normalise_artist
from .validation import check_columns

__all__ = ["prepare_sources"]


def _one_source(name, mapping, paths, currency, study):
    """(table, (funnel steps before reading, the rules' steps), artists and reasons of the rows dropped before
    reading, per-file counts)."""
    m = as_mapping(mapping, name)
    paths = [Path(p) for p in paths]
    raw = with_row_numbers(read_files(paths, m, name).reset_index(drop=True), m)
    label = ", ".join(map(str, paths))
    check_columns(raw, raw_columns(m), label, name, keys=column_keys(m))
    files = raw[FILE].astype(str) if FILE in raw.columns else pd.Series([paths[0].name] * len(raw))
    kept, funnel, artists = dropped_rows(raw, m)
    plain = m.model_copy(update={"filter": {}, "exclude": {}, "duplicates": "stop"})
    table, steps = prepare_table(kept, plain, name=name, currency=currency, study=study, path=label,
                                 base_dir=image_base(paths))
    pre, dropped = [], (np.array([], dtype=object), np.array([], dtype=object))
    if funnel is not None:
        reason = funnel.reason
        out = reason != None  # noqa: E711 - an object array
        pre = list(funnel.table()["step"].iloc[1:])
        dropped = (np.asarray(artists.astype(object))[out], reason[out])
    if len(table) < len(kept):  # lots without a readable sale date (bad_dates: drop): not in the table
        from .lots import Fields
        from .plausible import DATE_RULE
        from .rows import artists_of

        gone = ~np.isin(Fields(kept, plain).lot_ids().to_numpy(dtype=object), table["lot_id"].to_numpy(dtype=object))
        dropped = (np.concatenate([dropped[0], np.asarray(artists_of(kept, m).astype(object))[gone]]),
                   np.concatenate([dropped[1], np.full(int(gone.sum()), DATE_RULE, dtype=object)]))
    if FILE in raw.columns:
        counts = per_file(table, files)
    else:
        counts = pd.DataFrame({"file": [paths[0].name], "rows": [len(raw)], "lots": [len(table)],
                               "kept": [int(table["left_out"].isna().sum())]})
    return table, (pre, list(steps["step"].iloc[1:])), dropped, counts.assign(source=name)


def _excluded(parts, names) -> dict:
    """Every source's excluded-lots list (:mod:`~artstudy.data.plausible`) in one, lot ids ``"<source>:<id>"`` as in
    the joined table."""
    out = {c: [] for c in EXCLUDED_COLUMNS}
    for (table, _, _, _), name in zip(parts, names):
        got = table.attrs.get(EXCLUDED) or {c: [] for c in EXCLUDED_COLUMNS}
        out["lot_id"] += [None if i is None else f"{name}:{i}" for i in got["lot_id"]]
        out["rule"] += list(got["rule"])
        out["text"] += list(got["text"])
    return out


def prepare_sources(sources, *, currency=None, study=None):
    """Several sources into one table.

    Parameters
    ----------
    sources : list of (name, mapping, paths)
        Each source's name, mapping (:class:`~artstudy.data.sources.SourceMapping` or dict) and raw files.
    currency, study
        As :func:`~artstudy.data.prepare.prepare_table`.

    Returns
    -------
    (table, funnel, per-file counts: file, rows, lots, kept, source)
    """
    parts = [_one_source(name, m, paths, currency, study) for name, m, paths in sources]
    excluded = _excluded(parts, [name for name, _, _ in sources])  # concat keeps no attrs that differ
    table = pd.concat([t for t, _, _, _ in parts], ignore_index=True)
    table.attrs = {EXCLUDED: excluded} if excluded["lot_id"] else {}
    ids = pa.chunked_array(pd.array(table["lot_id"], dtype=STRING)._pa_array).cast(pa.large_string())
    source = pa.chunked_array(pd.array(table["source"], dtype=STRING)._pa_array).cast(pa.large_string())
    table["lot_id"] = pd.arrays.ArrowStringArray(
        pc.binary_join_element_wise(source, ids, pa.scalar(":", pa.large_string())), dtype=STRING)
    dropped_artists = np.concatenate([d[0] for _, _, d, _ in parts])
    reasons = np.concatenate([table["left_out"].to_numpy(dtype=object, na_value=None),
                              *[d[1] for _, _, d, _ in parts]])
    every = pd.concat([table["artist"].astype(object), pd.Series(dropped_artists, dtype=object)],
                      ignore_index=True).fillna("")
    names = normalise_artist(every)
    table["artist"] = arrow_text(names.to_numpy(dtype=object, na_value=None)[:len(table)], np.arange(len(table)))
    day = table["sale_date"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    rank = np.unique(day, return_inverse=True)[1].reshape(-1)
    table["sale_kind"] = arrow_text(["first", "repeat"], repeats_by_rank(table["artwork_id"], rank, table["sold"]),
                                    STR)
    funnel = Funnel(names.to_numpy(dtype=object, na_value=None), first_step="lots read")
    order = [s for _, (pre, _), _, _ in parts for s in pre] + [s for _, (_, post), _, _ in parts for s in post]
    for step in dict.fromkeys(order):  # the rows dropped before reading first
        funnel.apply(step, reasons != step)
    counts = pd.concat([c for _, _, _, c in parts], ignore_index=True)
    return table, funnel.table(), counts[["source", "file", "rows", "lots", "kept"]]
