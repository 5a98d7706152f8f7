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

Rules (counted in the funnel, in this order): artist named; painting or work on paper (sources
with ``paintings_only``: material and support both other is an object or sculpture; and material
part matching ``exclude_medium``, e.g. prints and photographs); one work per lot (sources with an
``n_works`` column); sold; price given; creation year given; size given; sale year and work year
inside the study window (default sale years 1993-2022, work years 1951-2020; a source's ``study:``
or the caller may change them); work year not after the sale year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._section import build
from ..errors import InputError
from .dates import parse_date, parse_year
from .funnel import Funnel
from .linking import artwork_ids, sale_kinds
from .mapping import as_mapping, column_label, field_text, raw_columns, render_template, study_window
from .media import medium_matches, parse_medium, parse_signature, parse_sold
from .money import convert_currency, parse_currency, parse_estimate, parse_price
from .sizes import parse_size
from .sources import CurrencySettings, SourceMapping, StudyWindow
from .text import clean_title, normalise_artist, on_uniques
from .validation import (CANONICAL_COLUMNS, PAM_COLUMNS, canonical_schema, check_columns, check_parsed, is_parquet,
                         read_parquet, where)

__all__ = ["read_raw", "prepare_table", "analysis_sample", "write_prepared", "funnel_path", "prepare_file"]


def _parquet_text(path: Path) -> pd.DataFrame:
    """A Parquet raw export as text: every column a string (typed columns as their text), missing cells ""."""
    raw = read_parquet(path)
    for col in raw.columns:
        values = raw[col]
        if not pd.api.types.is_string_dtype(values) or values.hasnans:
            text = values.astype(str).astype(object).where(values.notna().to_numpy(), "")
            raw[col] = text.astype(str)
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
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding=encoding, sep=sep)
    except (ValueError, LookupError, OSError) as exc:  # pandas' own message says what is wrong
        raise InputError(f"{path}: cannot be read as CSV with encoding {encoding!r} and separator {sep!r} "
                         f"({' '.join(str(exc).split())})") from exc


class _Fields:
    """The text of each mapped field of one raw export, read once."""

    def __init__(self, raw: pd.DataFrame, mapping: SourceMapping):
        self.raw, self.mapping, self._cache = raw, mapping, {}
        self.empty = pd.Series("", index=raw.index, dtype=object)

    def get(self, field: str) -> pd.Series | None:
        """The field's text, or None when the mapping gives it no column or constant."""
        if field not in self._cache:
            self._cache[field] = field_text(self.raw, self.mapping, field)
        return self._cache[field]

    def text(self, field: str) -> pd.Series:
        """The field's text, or "" for every lot when it is not mapped."""
        got = self.get(field)
        return self.empty if got is None else got


def _sold_and_price(fields: _Fields, m: SourceMapping) -> dict:
    """Sold flags and price amounts in the lot's currency (validated later)."""
    price_text = fields.get("price")
    unsold = {str(u).strip().lower() for u in m.unsold}
    marked_unsold = on_uniques(price_text, lambda u: u.str.lower().isin(unsold)).to_numpy(bool)
    if fields.get("sold") is not None:
        flag = parse_sold(fields.get("sold"))
        sold_ok = flag.notna().to_numpy()
        sold = flag.fillna(False).to_numpy(bool) & ~marked_unsold
    else:
        sold_ok = np.ones(len(price_text), dtype=bool)
        sold = ~marked_unsold
    priced = (price_text != "").to_numpy() & sold
    return {"price_text": price_text, "sold": sold, "sold_ok": sold_ok, "priced": priced,
            "amount": parse_price(price_text, m.decimal).to_numpy()}


def _check_lots(raw, m: SourceMapping, fields: _Fields, lots: dict, size: pd.DataFrame, path: str):
    """The parse outcome of every lot, validated (one InputError line naming column, reason and lines)."""
    lot_id = fields.get("lot_id")
    checks = pd.DataFrame({
        "lot_id": lot_id.where(lot_id != "", None).to_numpy(dtype=object),
        "sale_date": lots["sale_date"].to_numpy(),
        # NaN where a price text was given but does not parse, a neutral 1.0 where nothing is checked
        "price": np.where(lots["priced"], lots["amount"], 1.0),
        "height_cm": size["height_cm"].to_numpy(),
        "width_cm": size["width_cm"].to_numpy(),
        "depth_cm": size["depth_cm"].to_numpy(),
        "sold": np.where(lots["sold_ok"], True, None),
    })
    markers = sorted({str(u).strip().lower() for u in (*m.unsold, *m.missing)})
    size_reason = "negative or zero size"
    reasons = {("price", "not_nullable"): "price is neither a number nor an unsold/missing marker "
                                          f"({', '.join(markers) or 'none configured'})",
               ("price", "greater_than(0)"): "non-positive price for a sold lot",
               ("sale_date", "not_nullable"): f"missing or unparseable date (format {m.date_format!r})",
               ("lot_id", "not_nullable"): "missing lot id",
               ("height_cm", "greater_than(0)"): size_reason, ("width_cm", "greater_than(0)"): size_reason,
               ("depth_cm", "greater_than(0)"): size_reason,
               ("sold", "not_nullable"): "sold flag is not yes/no (1/0, true/false, yes/no)"}
    labels = {f: column_label(m, f) for f in ("lot_id", "sale_date", "price", "sold")}
    labels.update({k: column_label(m, "size") for k in ("height_cm", "width_cm", "depth_cm")})
    check_parsed(raw, checks, labels, reasons, path)


def _lot_currency(fields: _Fields, m: SourceMapping, price_text: pd.Series) -> pd.Series:
    """Currency code of each lot: the currency column, else a code or symbol in the price text, else the
    source's; an unknown code in a currency column stays as written, for the error message."""
    col = fields.get("currency")
    if col is None:
        currency = pd.Series(None, index=price_text.index, dtype=object)
    else:
        currency = parse_currency(col).astype(object)
        currency = currency.where(currency.notna() | (col == ""), col.str.upper())
    currency = currency.where(currency.notna(), parse_currency(price_text).astype(object))
    if m.currency:
        currency = currency.where(currency.notna(), m.currency)
    return currency


def _convert(raw, m: SourceMapping, fields: _Fields, lots: dict, cur: CurrencySettings, path: str) -> dict:
    """Prices and estimates in the target currency; InputError for a priced lot with no currency or no rate."""
    currency = _lot_currency(fields, m, lots["price_text"])
    priced = lots["priced"]
    label = column_label(m, "currency") if m.columns.currency else column_label(m, "price")
    no_cur = priced & currency.isna().to_numpy()
    if no_cur.any():
        raise InputError(f"{path}: column '{label}': no currency given (no currency column, symbol or source "
                         f"default) at {where(raw, no_cur)}")
    codes = currency.fillna(cur.target).astype(str).to_numpy()
    known = sorted({*cur.rates, cur.target})
    has_rate = np.isin(codes, known)
    if (priced & ~has_rate).any():
        bad = priced & ~has_rate
        raise InputError(f"{path}: column '{label}': no exchange rate for currency {codes[bad][0]!r} in the config's "
                         f"currency.rates (known: {', '.join(known)}) at {where(raw, bad)}")
    safe = np.where(has_rate, codes, cur.target)
    price_original = np.where(priced, lots["amount"], np.nan)
    low, high = _estimates(fields, m)
    rated = has_rate & currency.notna().to_numpy()  # estimates of lots without a known rate: NaN
    return {
        "currency": pd.array(np.where(currency.notna().to_numpy(), currency.to_numpy(dtype=object), None),
                             dtype="string"),
        "price_original": price_original,
        "price": convert_currency(price_original, safe, cur.rates, cur.target),
        "low_estimate": np.where(rated, convert_currency(low, safe, cur.rates, cur.target), np.nan),
        "high_estimate": np.where(rated, convert_currency(high, safe, cur.rates, cur.target), np.nan),
    }


def _estimates(fields: _Fields, m: SourceMapping):
    """Low and high presale estimates in the lot's currency (an estimate range, or low and high columns)."""
    n = len(fields.empty)
    low = high = np.full(n, np.nan)
    if fields.get("estimate") is not None:
        e = parse_estimate(fields.get("estimate"), m.decimal)
        low, high = e["low"].to_numpy(), e["high"].to_numpy()
    if fields.get("low_estimate") is not None:
        low = parse_price(fields.get("low_estimate"), m.decimal).to_numpy()
    if fields.get("high_estimate") is not None:
        high = parse_price(fields.get("high_estimate"), m.decimal).to_numpy()
    return low, high


def _images(raw, m: SourceMapping, fields: _Fields, base_dir) -> pd.Series:
    """Image paths (the mapping's template or column); with ``base_dir`` only images that exist, as absolute
    paths (one directory listing per folder, not one look-up per lot)."""
    image = pd.Series(pd.NA, index=raw.index, dtype="string")
    if m.image_path:
        image = render_template(raw, m.image_path)
    elif fields.get("image_path") is not None:
        col = fields.get("image_path")
        image = col.where(col != "", None).astype("string")
    if base_dir is None or not image.notna().any():
        return image
    base = Path(base_dir).resolve()
    rel = image.fillna("")
    parts = rel.str.rpartition("/")
    folders, files = parts[0], parts[2]
    present = np.zeros(len(raw), dtype=bool)
    for folder in folders[rel != ""].unique():
        d = base / folder
        names = {p.name for p in d.iterdir()} if d.is_dir() else set()
        present |= ((folders == folder) & (rel != "") & files.isin(names)).to_numpy()
    full = rel.where(rel.str.startswith("/"), str(base) + "/" + rel)
    return full.where(present, None).astype("string")


def _describe_lots(raw, m: SourceMapping, fields: _Fields, size: pd.DataFrame, base_dir) -> dict:
    """The columns read from text alone: artist, title, work year, medium, markings, house, images."""
    year_text = fields.get("work_year")
    n = len(raw)
    work_year = (parse_year(year_text, m.work_year_pattern) if year_text is not None
                 else pd.Series(pd.array([pd.NA] * n, dtype="Int64")))
    med = parse_medium(fields.text("medium"))
    sig = parse_signature(fields.text("signature"))
    title = fields.get("title")
    house = fields.get("auction_house")
    h, w = size["height_cm"].to_numpy(), size["width_cm"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        log_area = np.log(h * w)
    return {
        "artist": normalise_artist(fields.get("artist")).to_numpy(),
        "title": (clean_title(title) if title is not None else pd.Series(pd.NA, index=raw.index, dtype="string"))
        .to_numpy(),
        "work_year": pd.array(work_year, dtype="Int64"),
        "height_cm": h, "width_cm": w, "depth_cm": size["depth_cm"].to_numpy(), "log_area": log_area,
        "material": med["material"].to_numpy(dtype=object),
        "support": med["support"].to_numpy(dtype=object),
        "signed": sig["signed"].to_numpy(bool),
        "inscribed": sig["inscribed"].to_numpy(bool),
        "image_path": _images(raw, m, fields, base_dir).to_numpy(),
        "auction_house": (house.where(house != "", None) if house is not None
                          else pd.Series(None, index=raw.index, dtype=object)).to_numpy(dtype=object),
    }


def _rules(table: pd.DataFrame, m: SourceMapping, fields: _Fields, window: StudyWindow) -> list:
    """The study's rules in order, as (step, keep mask) pairs."""
    (s0, s1), (w0, w1) = window.sale_years, window.work_years
    wy = table["work_year"].to_numpy(dtype=float, na_value=np.nan)
    sale_year = table["sale_year"].to_numpy()
    steps = [("artist named", table["artist"].notna().to_numpy())]
    if m.paintings_only or m.exclude_medium:
        painting = np.ones(len(table), dtype=bool)
        if m.paintings_only:
            painting &= ~((table["material"] == "other") & (table["support"] == "other")).to_numpy()
        if m.exclude_medium:
            painting &= ~medium_matches(fields.text("medium"), m.exclude_medium)
        steps.append(("painting or work on paper", painting))
    if fields.get("n_works") is not None:
        k = pd.to_numeric(fields.get("n_works"), errors="coerce").to_numpy(dtype=float)
        steps.append(("one work per lot", ~(k > 1)))
    return steps + [
        ("sold", table["sold"].to_numpy(bool)),
        ("price given", table["price"].notna().to_numpy()),
        ("creation year given", ~np.isnan(wy)),
        ("size given", np.isfinite(table["log_area"].to_numpy())),
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
        only images that exist.

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
    check_columns(raw, raw_columns(m), path, name)
    raw = raw.reset_index(drop=True)
    fields = _Fields(raw, m)
    lots = _sold_and_price(fields, m)
    lots["sale_date"] = parse_date(fields.get("sale_date"), m.date_format)
    size = parse_size(fields.text("size"), m.size_unit)
    _check_lots(raw, m, fields, lots, size, path)
    money = _convert(raw, m, fields, lots, cur, path)
    described = _describe_lots(raw, m, fields, size, base_dir)
    table = pd.DataFrame({
        "lot_id": fields.get("lot_id").to_numpy(dtype=object), "source": name,
        "sale_date": lots["sale_date"].to_numpy(), "sale_year": lots["sale_date"].dt.year.to_numpy(dtype=np.int64),
        "sold": lots["sold"], **money, **described,
    })
    table["artwork_id"] = artwork_ids(fields.get("artist"), fields.text("title"), table["height_cm"],
                                      table["width_cm"], table["work_year"])
    table["sale_kind"] = sale_kinds(table["artwork_id"], table["sale_date"], table["sold"])
    for col in ("artist", "title", "image_path", "auction_house", "lot_id", "source"):
        table[col] = table[col].astype("string")
    table = table[CANONICAL_COLUMNS]
    canonical_schema().validate(table)
    funnel = Funnel(table["artist"], first_step="lots read")
    for step, keep in _rules(table, m, fields, window):
        funnel.apply(step, keep)
    table["left_out"] = funnel.left_out().array
    return table, funnel.table()


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
    return out, funnel_path(out)


def prepare_file(raw_path, mapping, *, name: str, currency=None, study=None):
    """Read a raw export with the mapping's separator and encoding and prepare it (:func:`prepare_table`;
    image paths relative to the file's folder). Returns (table, funnel)."""
    m = as_mapping(mapping, name)
    raw = read_raw(raw_path, m)
    return prepare_table(raw, m, name=name, currency=currency, study=study, path=str(raw_path),
                         base_dir=Path(raw_path).parent)
