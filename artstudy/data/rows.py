"""Rows of a raw export before its lots are read: row numbers, row filters, duplicate lots, several files joined,
and the warnings of :func:`artstudy.data.prepare.prepare_table`.

- ``lot_id: "{_row}"``: the row number in the file (1 = the first row after the header) as a column
  ``_row`` (:func:`with_row_numbers`).
- ``filter`` / ``exclude``: rows whose raw text (stripped, any case) is not / is one of the texts are dropped
  before any text is read, each column one funnel step (:func:`drop_rows`).
- ``duplicates``: ``drop_identical`` drops rows identical in every column the mapping reads to an earlier row;
  ``prefer_sold`` keeps one row per lot id, a sold one if any, else the last; one funnel step
  ("duplicate lots").
- several files of one layout (:func:`join_files`): joined with a column ``_file`` (the file's name, without
  its folder, or its path under the files' common folder where two names are the same: :func:`file_names`);
  lot ids become ``"<file>:<id>"`` so ids of different files do not collide, and messages name the file and
  line of each row ("B.csv:3"); image paths stay relative to each file's own folder.

The dropped rows are gone from the table but counted in its funnel (their steps come first). Messages name the
rows by their place in the file (:class:`~artstudy.data.validation.Lines`).
"""

from __future__ import annotations

import csv
import os
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .coded import Coded
from .funnel import Funnel
from .mapping import ROW, MappingWarning, field_codes, raw_columns
from .sources import SourceMapping, spec_columns
from .text import artist_display
from .validation import FILE_COLUMNS, LINES, Lines

__all__ = ["FILE", "with_row_numbers", "artists_of", "drop_rows", "dropped_rows", "join_files", "file_names",
           "file_folders",
           "warn_duplicated_header", "warn_empty_columns",
           "warn_empty_result", "per_file"]

#: The column naming the file of each row when several files are joined.
FILE = "_file"


def _uses_row(m: SourceMapping) -> bool:
    specs = [*m.column_map().values(), *m.fallbacks.values()]
    return any(ROW in spec_columns(s) for s in specs)


def with_row_numbers(raw: pd.DataFrame, m: SourceMapping) -> pd.DataFrame:
    """``raw`` with the column ``_row`` (row number in its file as text) where the mapping names ``{_row}`` and
    the file has no such column."""
    if not _uses_row(m) or ROW in raw.columns:
        return raw
    if LINES in raw.attrs and FILE in raw.columns:  # joined files: the row number within each file
        first = np.r_[True, raw[FILE].to_numpy()[1:] != raw[FILE].to_numpy()[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(len(raw)), 0))
        numbers = np.arange(len(raw)) - start + 1
    else:
        numbers = np.arange(1, len(raw) + 1)
    out = raw.assign(**{ROW: numbers.astype(str)})
    out.attrs = dict(raw.attrs)
    if FILE_COLUMNS in out.attrs:
        out.attrs[FILE_COLUMNS] = [*out.attrs[FILE_COLUMNS], ROW]
    return out


def artists_of(raw: pd.DataFrame, m: SourceMapping) -> pd.Categorical:
    """The shown artist of each row (:func:`~artstudy.data.text.artist_display`), a categorical (NA for none)."""
    artist = field_codes(raw, m, "artist")
    display = artist_display(artist.uniques, np.bincount(artist.codes, minlength=len(artist.uniques)))
    codes, names = pd.factorize(display)
    return pd.Categorical.from_codes(np.asarray(codes)[artist.codes], categories=pd.Index(names, dtype=object))


def _in(raw: pd.DataFrame, column: str, texts) -> np.ndarray:
    coded = Coded.of(raw[column])
    marks = {str(t).strip().lower() for t in texts}
    return coded.spread(coded.stripped().str.lower().isin(marks).to_numpy(dtype=bool))


def _duplicates(raw: pd.DataFrame, m: SourceMapping) -> np.ndarray:
    """Rows kept by the ``duplicates`` rule (bool array)."""
    if m.duplicates == "drop_identical":
        cols = [c for c in raw_columns(m) if c != ROW]
        if not cols:
            return np.ones(len(raw), dtype=bool)
        code, _ = Coded.joint([Coded.of(raw[c]) for c in cols])  # each row's combination of texts
        return ~pd.Series(code).duplicated().to_numpy()
    from .lots import Fields, sold_and_price

    fields = Fields(raw, m)
    ids = pd.Series(np.asarray(fields.lot_ids(prefix=not m.shared_lot_ids).to_numpy(dtype=object), dtype=object))
    sold = sold_and_price(fields, m)["sold"]
    code, _ = pd.factorize(ids)
    rank = np.asarray(sold, dtype=np.int64) * len(raw) + np.arange(len(raw))  # sold first, then the last row
    best = np.full(int(code.max()) + 1 if code.size else 0, -1, dtype=np.int64)
    np.maximum.at(best, code, rank)
    return (rank == best[code]) | (ids == "").to_numpy()  # lots without an id: kept (and stopped later)


def drop_rows(raw: pd.DataFrame, m: SourceMapping) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The rows the ``filter``, ``exclude`` and ``duplicates`` rules keep, and the funnel of those steps (None
    when the mapping has none of them: ``raw`` is returned as it is)."""
    kept, funnel, _ = dropped_rows(raw, m)
    return kept, None if funnel is None else funnel.table()


def dropped_rows(raw: pd.DataFrame, m: SourceMapping) -> tuple[pd.DataFrame, Funnel | None, pd.Categorical | None]:
    """:func:`drop_rows` with the :class:`~artstudy.data.funnel.Funnel` itself (its ``reason`` per row) and the
    artist of every row read (None, None when the mapping drops nothing)."""
    if not m.filter and not m.exclude and m.duplicates == "stop":
        return raw, None, None
    artists = artists_of(raw, m)
    funnel = Funnel(artists, first_step="lots read")
    for column, texts in m.filter.items():
        funnel.apply(f"{column} in {', '.join(map(str, texts))}", _in(raw, column, texts))
    for column, texts in m.exclude.items():
        funnel.apply(f"{column} not {', '.join(map(str, texts))}", ~_in(raw, column, texts))
    if m.duplicates != "stop":
        keep = np.zeros(len(raw), dtype=bool)
        live = np.flatnonzero(funnel.alive)
        keep[live] = _duplicates(raw.iloc[live].reset_index(drop=True), m)
        funnel.apply("duplicate lots", keep)
    alive = funnel.alive
    lines = Lines.of(raw).take(alive)
    kept = raw[alive].reset_index(drop=True)
    kept.attrs = {**raw.attrs, LINES: lines}
    return kept, funnel, artists


def file_names(paths) -> list[str]:
    """The name of each of several files in ids and counts: its name, or, where two names are the same, its path
    under the files' common folder ("2019/lots.csv"), so that names never hold the folder of the run."""
    given = list(paths)
    paths = [Path(os.path.normpath(Path(p).absolute())) for p in given]
    if len(set(paths)) < len(paths):
        twice = next(g for g, p in zip(given, paths) if paths.count(p) > 1)
        raise InputError(f"{twice}: the same file is given twice (its lots would be read twice)")
    names = [p.name for p in paths]
    if len(set(names)) == len(names):
        return names
    common = Path(os.path.commonpath([p.parent for p in paths]))
    return [p.relative_to(common).as_posix() for p in paths]


def file_folders(paths) -> dict[str, Path]:
    """File name (:func:`file_names`) -> the file's folder: what image paths of its lots are relative to."""
    return {n: Path(p).parent for n, p in zip(file_names(paths), paths)}


def join_files(frames: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Raw frames of one layout (path, frame) joined, with the column ``_file`` (each file's name) and each row's
    place in its file ("B.csv:3") for messages."""
    names = file_names([p for p, _ in frames])
    lines = np.concatenate([Lines.of(f, prefix=n).labels for n, (_, f) in zip(names, frames)])
    columns = list(dict.fromkeys(c for _, f in frames for c in f.attrs.get(FILE_COLUMNS, f.columns)))
    parts = [f.reset_index(drop=True).assign(**{FILE: n}) for n, (_, f) in zip(names, frames)]
    for part in parts:
        part.attrs = {}
    out = pd.concat(parts, ignore_index=True)
    for col in out.columns:
        if out[col].hasnans:
            out[col] = out[col].astype(object).where(out[col].notna(), "")
    out[FILE] = pd.Categorical(out[FILE], categories=pd.Index(names, dtype=object))
    out.attrs = {LINES: Lines(lines), FILE_COLUMNS: [*columns, FILE]}
    return out


def per_file(table: pd.DataFrame, raw_files: pd.Series) -> pd.DataFrame:
    """Rows read, lots in the table and lots kept per file (``raw_files``: the ``_file`` of every row read).

    A lot's file is found from its id's ``"<file>:"`` prefix (:class:`~artstudy.data.lots.Fields`), not from its
    place, so rows dropped before the table was made (filters, duplicates, ``bad_dates: drop``) do not shift the
    counts; a file name may itself hold ":" (the longest name that prefixes an id wins)."""
    read = raw_files.value_counts(sort=False)
    names = [str(n) for n in read.index]
    ids = pd.Series(pd.array(table["lot_id"], dtype="string"), copy=False).fillna("")
    kept = table["left_out"].isna().to_numpy() if "left_out" in table.columns else np.ones(len(table), dtype=bool)
    free = np.ones(len(table), dtype=bool)
    lots, kept_lots = {}, {}
    for name in sorted(names, key=len, reverse=True):  # one pass per file, not per lot
        hit = free & ids.str.startswith(name + ":").to_numpy(dtype=bool)
        free &= ~hit
        lots[name], kept_lots[name] = int(hit.sum()), int((hit & kept).sum())
    return pd.DataFrame({"file": names, "rows": read.to_numpy(), "lots": [lots[n] for n in names],
                         "kept": [kept_lots[n] for n in names]})


def warn_duplicated_header(path, sep: str, encoding: str) -> None:
    """A CSV header naming one column twice (``Price,Price``): a warning (the first is read)."""
    try:
        with open(path, newline="", encoding=encoding) as fh:
            header = next(csv.reader(fh, delimiter=sep), [])
    except (OSError, UnicodeDecodeError, LookupError, csv.Error):
        return
    twice = [c for c, k in Counter(h.strip() for h in header).items() if k > 1]
    if twice:
        warnings.warn(f"{path}: the header names column {', '.join(map(repr, twice))} more than once; the "
                      f"first is read (the others as '{twice[0]}.1', ...)", MappingWarning, stacklevel=3)


def warn_empty_columns(fields, m: SourceMapping, path: str) -> None:
    """A field mapped to a raw column that is empty (or a ``missing`` marker) in every row: a warning.
    ``fields``: the export's :class:`~artstudy.data.lots.Fields` (each column read once)."""
    if not fields.n:
        return
    for field, spec in m.column_map().items():
        if "{" in spec or spec == ROW or field == "lot_id":  # an empty lot id stops with its own message
            continue
        if not (fields.get(field).stripped() != "").any():
            warnings.warn(f"{path}: column {spec!r} (field {field}) is empty in every row", MappingWarning,
                          stacklevel=3)


def warn_empty_result(funnel: pd.DataFrame, path: str) -> None:
    """No row in the file, or no lot left by the rules: a warning."""
    if int(funnel["lots"].iloc[0]) == 0:
        warnings.warn(f"{path}: no rows (a header only?): the table is empty", MappingWarning, stacklevel=3)
    elif int(funnel["lots"].iloc[-1]) == 0:
        last = funnel[funnel["lots_removed"] > 0]
        worst = last.loc[last["lots_removed"].idxmax(), "step"] if len(last) else "?"
        warnings.warn(f"{path}: every lot is left out (most by the rule {worst!r}): the analysis sample is empty",
                      MappingWarning, stacklevel=3)
