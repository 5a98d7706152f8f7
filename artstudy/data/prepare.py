"""A raw export -> the canonical sales table (every lot, with the rule that left it out) and its funnel.

A source is described only by a mapping (:class:`artstudy.data.sources.SourceMapping`, the config's
``sources:``), so a new export that uses the same kinds of text needs no Python.
:func:`prepare_table` reads a raw frame with such a mapping, validates it (a bad file raises
:class:`artstudy.errors.InputError` naming the file, the column, the reason and the first offending
file lines, header = line 1), builds one row per lot with the columns of
:data:`~artstudy.data.validation.CANONICAL_COLUMNS` and applies the study's rules. No lot is dropped:
the column ``left_out`` names the first rule each lot fails (NA for the lots every rule keeps), so
popularity can count every sold, priced lot of an artist, including lots the analysis leaves out;
:func:`analysis_sample` keeps the rest. The funnel (:class:`artstudy.data.funnel.Funnel`) counts
what each rule removed.

Further rules of reading:

- sold: a source with a ``sold`` column reads it as yes/no (:func:`~artstudy.data.media.parse_sold`);
  either way a price text in the source's ``unsold`` list ("-not sold-", "Bought In") means unsold.
  The price of an unsold lot is NaN whatever its text. A sold lot with an empty (or ``missing``)
  price is kept as sold with no price and left out by the "price given" rule.
- currency: a currency column, else a code or symbol in the price text, else the source's
  ``currency``; prices and estimates are converted to the config's ``currency.target``.
- title: surrounding quotes dropped, whitespace collapsed; artist: see
  :func:`~artstudy.data.text.normalise_artist`.

Rules (counted in the funnel, in this order): sale date read (sources with ``bad_dates: drop``: the
lots whose date cannot be read are counted and listed, not kept in the table); artist named; painting
or work on paper (sources with ``paintings_only``: what the work is,
:func:`~artstudy.data.media.is_painting_or_drawing`; and material part matching ``exclude_medium``,
e.g. prints and photographs); one work per lot (sources with an ``n_works`` column); sold; price
given; price in range and size not in pixels (sources with ``plausible`` ranges); creation year
given; size given; size in range (``plausible``); sale year and work year inside the study window
(default sale years 1993-2022, work years 1951-2020; a source's ``study:`` or the caller may change
them); work year not after the sale year. The lots the ``plausible`` and ``bad_dates`` rules leave
out are listed with the raw text they read (:mod:`~artstudy.data.plausible`, ``<out>.excluded.csv``).

Rows dropped before any text is read (:mod:`~artstudy.data.rows`), counted in the funnel's first steps
and not in the table: the ``filter`` and ``exclude`` rules on raw columns, and the ``duplicates`` rule
(``drop_identical``, ``prefer_sold``). Several files of one layout make one table (:func:`prepare_files`).

Speed: every field is read as coded text (:class:`~artstudy.data.coded.Coded`), so each parser runs
once per distinct text and its answers reach the lots by their codes; the text columns of the table
are Arrow strings taken from those answers. A Parquet export is read with only the mapped columns,
text columns as categoricals (:func:`~artstudy.data.lots.read_parquet_text`). Ten million lots take
about a minute on two cores.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._section import build
from ..errors import InputError
from .coded import STR, STRING, Coded, arrow_text
from .dates import parse_date, parse_year
from .funnel import Funnel
from .linking import artwork_hash, hex_ids, repeats_by_rank
from .lots import Fields, check_lots, convert, read_parquet_text, sold_and_price, text_column
from .mapping import as_mapping, column_keys, raw_columns, render_coded, study_window, template_fields
from .media import is_painting_or_drawing, medium_matches, parse_medium, parse_signature
from .plausible import attach_excluded, drop_undated, price_rule, size_rules, write_excluded
from .rates import convert_dated
from .sizes import parse_size, size_from_columns
from .rows import (FILE, drop_rows, file_folders, file_names, warn_duplicated_header, warn_empty_columns,
                   warn_empty_result, with_row_numbers)
from .sources import CurrencySettings, SourceMapping, StudyWindow
from .text import artist_display, clean_title
from .validation import CANONICAL_COLUMNS, PAM_COLUMNS, canonical_schema, check_columns, is_parquet, read_parquet

__all__ = ["read_raw", "read_files", "image_base", "prepare_table", "analysis_sample", "write_prepared",
           "funnel_path", "prepare_file", "prepare_files"]


def _parquet_text(path: Path) -> pd.DataFrame:
    """A Parquet raw export as text: every column a string (typed columns as their text), missing cells ""."""
    raw = read_parquet(path)
    for col in raw.columns:
        raw[col] = text_column(raw[col])
    return raw


def read_raw(path, mapping=None) -> pd.DataFrame:
    """Read a raw export as text (every column a string, empty cells ""), with the mapping's ``sep`` and
    ``encoding``; InputError naming the file when it is missing or cannot be read as CSV. A ``.parquet`` file is
    read as Parquet (``sep`` and ``encoding`` do not apply; errors then name rows, first data row = row 1)."""
    m = None if mapping is None else as_mapping(mapping)
    sep, encoding = (",", "utf-8") if m is None else (m.sep, m.encoding)
    path = Path(path)
    if is_parquet(path):
        return _parquet_text(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding=encoding, sep=sep)
    except (ValueError, LookupError, OSError) as exc:  # pandas' own message says what is wrong
        hint = ("; set the source's encoding: (e.g. latin-1 or cp1252)" if isinstance(exc, UnicodeDecodeError)
                else "")
        raise InputError(f"{path}: cannot be read as CSV with encoding {encoding!r} and separator {sep!r} "
                         f"({' '.join(str(exc).split())}){hint}") from exc
    warn_duplicated_header(path, sep, encoding)
    return raw


def _parse_lots(raw, m: SourceMapping, fields: Fields, path: str) -> tuple[dict, dict, object]:
    """Sold flags, prices, sale dates, sizes and lot ids of every lot, checked (:func:`~.lots.check_lots`):
    (lots, sizes in cm, lot ids)."""
    lots = sold_and_price(fields, m)
    dates = fields.get("sale_date")
    day = parse_date(dates.uniques, m.date_format, m.date_range)  # one per distinct date text
    lots["no_date"] = dates.spread(day.isna().to_numpy(dtype=bool) & (m.bad_dates == "drop"))
    if m.bad_dates == "drop":  # a placeholder for the lots left out (not kept in the table: prepare_table)
        day = day.fillna(pd.Timestamp("1970-01-01"))
    lots["sale_date"] = dates.spread(day.to_numpy(dtype="datetime64[ns]"))
    lots["day_rank"] = dates.spread(np.unique(day.to_numpy(dtype="datetime64[ns]").astype(np.int64),
                                              return_inverse=True)[1].reshape(-1))  # equal dates, equal ranks
    size = _sizes(m, fields, path)
    lot_ids = fields.lot_ids()
    # ids shared across files: the same id in two files is one lot (a repeated id stops unless duplicates says)
    check_lots(raw, m, lots, size, fields.lot_ids(prefix=False) if m.shared_lot_ids else lot_ids, path)
    lots["sale_year"] = dates.spread(day.dt.year.to_numpy(dtype=np.int64))  # every date parsed: checked above
    return lots, size, lot_ids


def _sizes(m: SourceMapping, fields: Fields, path: str) -> dict:
    """Height, width and depth in cm and the pixel flag of each lot: from the dimensions text, or from the height,
    width and depth columns and the unit column (:func:`~artstudy.data.sizes.size_from_columns`)."""
    if m.columns.height is None:
        size_text = fields.text("size")
        return {k: size_text.spread(v.to_numpy()) for k, v in parse_size(size_text.uniques, m.size_unit).items()}
    try:
        got = size_from_columns(*(fields.get(f) for f in ("height", "width", "depth", "size_unit")), m.size_unit)
    except ValueError as exc:
        raise InputError(f"{path}: column '{m.columns.size_unit}': {exc}") from None
    return {k: got[k].to_numpy() for k in got.columns}


def _images(raw, m: SourceMapping, fields: Fields, base_dir, path="", name="source"
            ) -> pd.api.extensions.ExtensionArray:
    """Image paths (the mapping's template or column), a ``string`` array; with ``base_dir`` only images that exist,
    under ``base_dir`` as given (one directory listing per folder, not one look-up per lot): relative to the working
    directory when ``base_dir`` is, so a prepared table does not name the folder of the run that wrote it.
    ``base_dir`` may be a dict (file name -> folder) for joined files: each lot's path is under its file's folder."""
    if m.image_path:
        check_columns(raw, template_fields(m.image_path), path, name,
                      keys=dict.fromkeys(template_fields(m.image_path), "image_path"))
        coded = render_coded(raw, m.image_path)
    elif fields.get("image_path") is not None:
        col = fields.get("image_path")
        coded = col.relabel(np.where(col.uniques == "", None, col.uniques))
    else:
        return arrow_text([None], np.zeros(len(raw), dtype=np.intp))
    image = pd.Series(coded.uniques, dtype="string")  # one per distinct path
    if base_dir is None or not image.notna().any():
        return arrow_text(image.to_numpy(dtype=object, na_value=None), coded.codes)
    if isinstance(base_dir, dict):  # one folder per file: a distinct path per (file, path)
        files = pd.Categorical(raw[FILE])
        bases = [base_dir[str(c)] for c in files.categories]
        n = len(image) + 1
        keys, codes = np.unique(files.codes.astype(np.int64) * n + (np.asarray(coded.codes) + 1), return_inverse=True)
        image = pd.Series(pd.array([None, *image], dtype="string")[keys % n], copy=False)
        base_of = np.asarray(keys // n)
    else:
        bases, codes, base_of = [base_dir], np.asarray(coded.codes), np.zeros(len(image), dtype=np.intp)
    full = _existing(image.fillna("").reset_index(drop=True), [Path(os.path.normpath(b)) for b in bases], base_of)
    return arrow_text(full, codes.reshape(-1))


def _existing(rel: pd.Series, bases: list, base_of: np.ndarray) -> np.ndarray:
    """Each relative path under its base (absolute ones as given), None where no such file exists (one directory
    listing per folder)."""
    parts = rel.str.rpartition("/")
    folders, files = parts[0], parts[2]
    present = np.zeros(len(rel), dtype=bool)
    full = rel.copy()
    for b, base in enumerate(bases):
        mine = (base_of == b) & (rel != "").to_numpy()
        for folder in folders[mine].unique():
            d = base / folder
            names = {p.name for p in d.iterdir()} if d.is_dir() else set()
            present |= mine & ((folders == folder) & files.isin(names)).to_numpy()
        full = full.where(~mine | rel.str.startswith("/").to_numpy(), base.as_posix() + "/" + rel)
    return full.where(present, None).to_numpy(dtype=object, na_value=None)


def _artists(fields: Fields) -> pd.Categorical:
    """The shown artist of each lot (:func:`~artstudy.data.text.normalise_artist`), a categorical (NA for none)."""
    artist = fields.get("artist")
    display = artist_display(artist.uniques, np.bincount(artist.codes, minlength=len(artist.uniques)))
    codes, names = pd.factorize(display)  # NA -> -1
    return pd.Categorical.from_codes(np.asarray(codes)[artist.codes], categories=pd.Index(names, dtype=object))


def _text(coded: Coded, per_unique, dtype=STRING):
    """A text answer per distinct text (None/NA for missing) as an Arrow string array of the lots."""
    return arrow_text(pd.Series(per_unique, dtype=object).to_numpy(dtype=object), coded.codes, dtype)


def _describe_lots(raw, m: SourceMapping, fields: Fields, size: dict, artist: pd.Categorical, base_dir,
                   path="", name="source") -> dict:
    """The columns read from text alone: artist, title, work year, medium, markings, house, images."""
    n = len(raw)
    year_text = fields.get("work_year")
    work_year = (year_text.spread(parse_year(year_text.uniques, m.work_year_pattern)) if year_text is not None
                 else pd.array([pd.NA] * n, dtype="Int64"))
    medium, signature = fields.text("medium"), fields.text("signature")
    med, sig = parse_medium(medium.uniques), parse_signature(signature.uniques)
    title, house = fields.get("title"), fields.get("auction_house")
    h, w = size["height_cm"], size["width_cm"]
    with np.errstate(invalid="ignore", divide="ignore"):
        log_area = np.log(h * w)
    no_text = Coded.constant("", n)
    return {
        "artist": arrow_text(np.asarray(artist.categories, dtype=object), artist.codes),
        "title": _text(title, clean_title(title.uniques)) if title is not None else _text(no_text, [None]),
        "work_year": pd.array(work_year, dtype="Int64"),
        "height_cm": h, "width_cm": w, "depth_cm": size["depth_cm"], "log_area": log_area,
        "material": _text(medium, med["material"], STR),
        "support": _text(medium, med["support"], STR),
        "signed": signature.spread(sig["signed"].to_numpy(dtype=bool)),
        "inscribed": signature.spread(sig["inscribed"].to_numpy(dtype=bool)),
        "image_path": _images(raw, m, fields, base_dir, path, name),
        "auction_house": (_text(house, np.where(house.uniques == "", None, house.uniques)) if house is not None
                          else _text(no_text, [None])),
    }


def _rules(table: pd.DataFrame, m: SourceMapping, fields: Fields, window: StudyWindow, pixels=None,
           target: str = "USD") -> list:
    """The study's rules in order, as (step, keep mask) pairs (with the source's ``plausible`` ranges: the rules of
    :mod:`~artstudy.data.plausible`)."""
    (s0, s1), (w0, w1) = window.sale_years, window.work_years
    wy = table["work_year"].to_numpy(dtype=float, na_value=np.nan)
    sale_year = table["sale_year"].to_numpy()
    steps = [("artist named", table["artist"].notna().to_numpy())]
    if m.paintings_only or m.exclude_medium:
        painting = np.ones(len(table), dtype=bool)
        medium = fields.text("medium")
        if m.paintings_only:  # what the work is (:func:`~artstudy.data.media.is_painting_or_drawing`)
            painting &= medium.spread(is_painting_or_drawing(medium.uniques))
        if m.exclude_medium:
            painting &= ~medium.spread(medium_matches(medium.uniques, m.exclude_medium))
        steps.append(("painting or work on paper", painting))
    if (n_works := fields.get("n_works")) is not None:
        k = pd.to_numeric(pd.Series(n_works.uniques, dtype=STR), errors="coerce").to_numpy(dtype=float)
        steps.append(("one work per lot", ~(n_works.spread(k) > 1)))
    size_before, size_after = size_rules(m, table, np.zeros(len(table), dtype=bool) if pixels is None else pixels)
    return steps + [
        ("sold", table["sold"].to_numpy(bool)),
        ("price given", table["price"].notna().to_numpy()),
        *price_rule(m, table, target),
        ("creation year given", ~np.isnan(wy)),
        *size_before,
        ("size given", np.isfinite(table["log_area"].to_numpy())),
        *size_after,
        (f"sale year in {s0}-{s1}", (sale_year >= s0) & (sale_year <= s1)),
        (f"work year in {w0}-{w1}", (wy >= w0) & (wy <= w1)),
        ("work year not after sale year", ~(wy > sale_year)),
    ]


def prepare_table(raw: pd.DataFrame, mapping, *, name: str = "source", currency=None, study=None, path=None,
                  base_dir=None):
    """Raw export -> (canonical table of every lot, funnel).

    Parameters
    ----------
    raw : DataFrame
        The raw export, text columns as :func:`read_raw` gives them.
    mapping : SourceMapping or dict
        The source's mapping (a dict is validated into a :class:`SourceMapping`).
    name : str
        Source name (the ``source`` column, and messages).
    currency : CurrencySettings or dict, optional
        Target currency and rates (default: :class:`CurrencySettings` defaults).
    study : StudyWindow or dict, optional
        The study window; default the mapping's ``study``, else sale years 1993-2022, work years 1951-2020.
    path : str, optional
        File name for messages; ``base_dir``: folder image paths are relative to (the raw file's), to keep
        only images that exist, or for joined files (a ``_file`` column) a dict file name -> folder.

    Returns
    -------
    table : DataFrame
        One row per lot of ``raw``, in its order: :data:`CANONICAL_COLUMNS` and ``left_out`` (string; NA for
        the lots every rule keeps, else the first rule the lot fails).
    funnel : DataFrame
        :meth:`Funnel.table`: step, lots, artists, lots_removed, artists_removed.

    Raises
    ------
    InputError
        A bad mapping, a mapped column missing from ``raw``, or lots whose text cannot be read: one line naming
        the file, the column, the reason and the first file lines.
    """
    m = as_mapping(mapping, name)
    cur = build(CurrencySettings, currency, source="currency")
    window = study_window(m, study)
    path = str(path) if path is not None else f"raw table of source {name!r}"
    raw = with_row_numbers(raw.reset_index(drop=True), m)
    check_columns(raw, raw_columns(m), path, name, keys=column_keys(m))
    raw, dropped = drop_rows(raw, m)  # filter, exclude, duplicates: counted in the funnel's first steps
    fields = Fields(raw, m)
    warn_empty_columns(fields, m, path)
    lots, size, lot_ids = _parse_lots(raw, m, fields, path)
    money = (convert_dated if m.columns.rate or cur.rates_file else convert)(raw, m, fields, lots, cur, path)
    artist = _artists(fields)
    described = _describe_lots(raw, m, fields, size, artist, base_dir, path, name)
    key = artwork_hash(fields.get("artist"), fields.text("title"), size["height_cm"], size["width_cm"],
                       described["work_year"])
    columns = {
        "lot_id": lot_ids, "source": arrow_text([name], np.zeros(len(raw), dtype=np.int32)),
        "sale_date": lots["sale_date"], "sale_year": lots["sale_year"], "sold": lots["sold"], **money, **described,
        "artwork_id": hex_ids(key),
        "sale_kind": arrow_text(["first", "repeat"], repeats_by_rank(key, lots["day_rank"], lots["sold"]), STR),
    }
    no_date, pixels = lots["no_date"], size["pixels"]
    del key, lots, size, money, described
    table = pd.DataFrame({c: columns.pop(c) for c in CANONICAL_COLUMNS}, copy=False)  # the arrays, not copies
    steps = _rules(table, m, fields, window, pixels, cur.target)
    table, artist, steps, undated = drop_undated(table, artist, steps, no_date)  # bad_dates: drop
    # lot ids were found unique by check_lots; inplace: no copy of the table (the schema coerces nothing)
    canonical_schema(unique_lot_ids=False).validate(table, inplace=True)
    funnel = Funnel(artist, first_step="lots read" if undated is None else "sale date read")
    for step, keep in steps:
        funnel.apply(step, keep)
    table["left_out"] = funnel.left_out().array
    attach_excluded(table, fields, m, no_date, lot_ids)
    parts = [t for t in (dropped, undated, funnel.table()) if t is not None]
    funnel = Funnel.chain(*parts) if len(parts) > 1 else parts[0]
    warn_empty_result(funnel, path)
    return table, funnel


def analysis_sample(table: pd.DataFrame) -> pd.DataFrame:
    """The lots no rule left out (``left_out`` NA), index reset; a table without ``left_out`` is returned whole."""
    if "left_out" not in table.columns:
        return table.reset_index(drop=True)
    return table[table["left_out"].isna().to_numpy()].reset_index(drop=True)


def funnel_path(out) -> Path:
    """Where the funnel of a prepared table goes: ``SALES.csv`` -> ``SALES.funnel.csv`` beside it."""
    out = Path(out)
    return out.with_name(out.stem + ".funnel.csv")


def write_prepared(table: pd.DataFrame, funnel, out) -> tuple[Path, Path]:
    """Write the prepared table (the model's columns first) and its funnel (``<stem>.funnel.csv``, CSV either
    way); returns (sales path, funnel path). ``funnel`` is a funnel table or a :class:`Funnel`. The table goes
    to CSV (dates as YYYY-MM-DD) or, when ``out`` ends in ``.parquet``, to Parquet with its types kept (dates,
    nullable integers and strings read back as they were written)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    front = [c for c in PAM_COLUMNS if c in table.columns]
    table = table[front + [c for c in table.columns if c not in front]]
    if is_parquet(out):
        table.to_parquet(out, index=False)
    else:
        if "sale_date" in table.columns and pd.api.types.is_datetime64_any_dtype(table["sale_date"]):
            table = table.assign(sale_date=table["sale_date"].dt.strftime("%Y-%m-%d"))
        table.to_csv(out, index=False)
    (funnel.table() if isinstance(funnel, Funnel) else funnel).to_csv(funnel_path(out), index=False)
    write_excluded(table, out)  # <stem>.excluded.csv: the lots a plausibility rule left out, when there are any
    return out, funnel_path(out)


def prepare_file(raw_path, mapping, *, name: str, currency=None, study=None):
    """Read a raw export with the mapping's separator and encoding and prepare it (:func:`prepare_table`;
    image paths relative to the file's folder). Returns (table, funnel)."""
    table, funnel, _ = prepare_files([raw_path], mapping, name=name, currency=currency, study=study)
    return table, funnel


def read_files(raw_paths, mapping, name: str) -> pd.DataFrame:
    """The raw exports of one layout as one raw frame: one file as :func:`read_raw` (or Parquet) gives it, several
    joined (:func:`~artstudy.data.rows.join_files`), each checked for the mapping's columns first (messages name
    the file). A file given twice is one line, before anything is read."""
    from .rows import join_files

    paths = [Path(p) for p in raw_paths]
    m = as_mapping(mapping, name)
    file_names(paths)
    frames = []
    for p in paths:
        raw = read_parquet_text(p, m) if is_parquet(p) else read_raw(p, m)
        if len(paths) > 1:  # one file: prepare_table names it
            check_columns(raw, [c for c in raw_columns(m) if c != "_row"], str(p), name, keys=column_keys(m))
        frames.append((str(p), raw))
    return frames[0][1] if len(frames) == 1 else join_files(frames)


def image_base(raw_paths):
    """What image paths are relative to: the raw file's folder, or for several files each file's own
    (:func:`~artstudy.data.rows.file_folders`)."""
    paths = [Path(p) for p in raw_paths]
    return paths[0].parent if len(paths) == 1 else file_folders(paths)


def prepare_files(raw_paths, mapping, *, name: str, currency=None, study=None, raw=None):
    """Raw exports of one layout prepared into one table; several files are joined
    (:func:`~artstudy.data.rows.join_files`: lot ids become ``"<file>:<id>"``, messages name "file:line").

    ``raw``: the frame :func:`read_files` gave for these paths, when the caller has it (not read again).
    Returns (table, funnel, per-file counts: file, rows, lots, kept).
    """
    from .rows import per_file

    paths = [Path(p) for p in raw_paths]
    m = as_mapping(mapping, name)
    raw = read_files(paths, m, name) if raw is None else raw
    files = raw[FILE].copy() if FILE in raw.columns else None
    table, funnel = prepare_table(raw, m, name=name, currency=currency, study=study,
                                  path=", ".join(str(p) for p in paths), base_dir=image_base(paths))
    if files is None:
        return table, funnel, pd.DataFrame({"file": [paths[0].name], "rows": [int(funnel["lots"].iloc[0])],
                                            "lots": [len(table)], "kept": [int(funnel["lots"].iloc[-1])]})
    return table, funnel, per_file(table, files)
