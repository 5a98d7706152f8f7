"""The lots of a raw export read through coded text: mapped fields, sold flags and prices, validation of the
parse outcome and conversion to one currency (the parts of :func:`artstudy.data.prepare.prepare_table` that
read money and check lots), and a Parquet export read as coded text.

Every field is read as :class:`~artstudy.data.coded.Coded` text, so each parser runs on the distinct texts
and the answers reach the lots by their codes; only the lot id, a text per lot, is kept as Arrow text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from .coded import STR, STRING, Coded, arrow_strings, arrow_text, strip_and_blank
from .mapping import column_label, field_codes, raw_columns, template_fields
from .media import parse_sold
from .money import convert_currency, parse_currency, parse_estimate, parse_price
from .sources import CurrencySettings, SourceMapping
from .validation import FILE_COLUMNS, ROW_NUMBERS, check_parsed, where

__all__ = ["Fields", "sold_and_price", "check_lots", "convert", "read_parquet_text", "text_column"]


class Fields:
    """The coded text of each mapped field of one raw export, read once (:func:`~artstudy.data.mapping.field_codes`)."""

    def __init__(self, raw: pd.DataFrame, mapping: SourceMapping):
        self.raw, self.mapping, self._cache = raw, mapping, {}
        self.n = len(raw)

    def get(self, field: str) -> Coded | None:
        """The field's coded text, or None when the mapping gives it no column or constant."""
        if field not in self._cache:
            self._cache[field] = field_codes(self.raw, self.mapping, field)
        return self._cache[field]

    def text(self, field: str) -> Coded:
        """The field's coded text, or "" for every lot when it is not mapped."""
        got = self.get(field)
        return Coded.constant("", self.n) if got is None else got

    def lot_ids(self, prefix: bool = True) -> pd.api.extensions.ExtensionArray:
        """The lot ids as :func:`~artstudy.data.mapping.field_text` gives them, an Arrow-backed ``string`` array
        (a plain column is not split into distinct values: each lot has its own); rows of joined files
        (a ``_file`` column) get ``"<file>:<id>"`` (an empty id stays empty) unless ``prefix`` is False."""
        spec = self.mapping.column_map()["lot_id"]
        plain = "{" not in spec and "lot_id" not in self.mapping.fallbacks and "lot_id" not in self.mapping.strip
        column = self.raw[spec] if plain else None
        if column is None or isinstance(column.dtype, pd.CategoricalDtype):
            coded = self.get("lot_id")
            ids = arrow_text(coded.uniques, coded.codes)
            if "_file" not in self.raw.columns or not prefix:
                return ids
            text = pc.fill_null(pa.chunked_array(ids._pa_array), "")
        else:
            text = arrow_strings(column)
            missing = self.mapping.missing_for("lot_id")
            if missing:
                text = strip_and_blank(text, missing)
        if "_file" in self.raw.columns and prefix:
            file = Coded.of(self.raw["_file"])
            names = pa.chunked_array(arrow_text(file.uniques, file.codes)._pa_array).cast(pa.large_string())
            colon = pa.scalar(":", pa.large_string())
            prefixed = pc.binary_join_element_wise(names, text.cast(pa.large_string()), colon)
            text = pc.if_else(pc.equal(text, ""), text, prefixed)
        return pd.arrays.ArrowStringArray(text, dtype=STRING)


def sold_and_price(fields: Fields, m: SourceMapping) -> dict:
    """Sold flags and price amounts in the lot's currency (validated later)."""
    price = fields.get("price")
    unsold = m.unsold_for("price")
    marked_unsold = price.spread(price.stripped().str.lower().isin(unsold).to_numpy(dtype=bool))
    sold_text = fields.get("sold")
    if sold_text is not None:
        flag = parse_sold(sold_text.uniques)
        if marks := m.unsold_for("sold"):  # a sold text that is an unsold marker: unsold
            flag = flag.where(~sold_text.stripped().str.lower().isin(marks).to_numpy(), False)
        sold_ok = sold_text.spread(flag.notna().to_numpy(dtype=bool))
        sold = sold_text.spread(flag.fillna(False).to_numpy(dtype=bool)) & ~marked_unsold
    else:
        sold_ok = np.ones(len(price), dtype=bool)
        sold = ~marked_unsold
    priced = ~price.is_("") & sold
    return {"price_text": price, "sold": sold, "sold_ok": sold_ok, "priced": priced,
            "amount": price.spread(parse_price(price.uniques, m.decimal).to_numpy(dtype=float))}


def _unique(ids: pa.ChunkedArray) -> bool:
    """Whether no text repeats: at once when they are in strictly increasing order, else by hashing."""
    ids = ids.combine_chunks()
    if len(ids) < 2 or pc.all(pc.less(ids.slice(0, len(ids) - 1), ids.slice(1))).as_py():
        return True
    return len(pc.unique(ids)) == len(ids)


def _lots_pass(lots: dict, size: dict, lot_ids) -> bool:
    """Whether every check of :func:`check_lots` passes (a fast pass over the parsed arrays)."""
    price = np.where(lots["priced"], lots["amount"], 1.0)
    ids = lot_ids.__arrow_array__()
    ids = ids if isinstance(ids, pa.ChunkedArray) else pa.chunked_array([ids])
    return bool(not np.isnat(lots["sale_date"]).any() and (price > 0).all() and lots["sold_ok"].all()
                and all((np.isnan(size[c]) | (size[c] > 0)).all() for c in ("height_cm", "width_cm", "depth_cm"))
                and not pc.any(pc.equal(ids, "")).as_py() and _unique(ids))


def check_lots(raw, m: SourceMapping, lots: dict, size: dict, lot_ids, path: str):
    """The parse outcome of every lot, validated (one InputError line naming column, reason and lines)."""
    if _lots_pass(lots, size, lot_ids):
        return
    lot_id = pd.Series(lot_ids.to_numpy(dtype=object))
    checks = pd.DataFrame({
        "lot_id": lot_id.where(lot_id != "", None).to_numpy(dtype=object),
        "sale_date": lots["sale_date"],
        # NaN where a price text was given but does not parse, a neutral 1.0 where nothing is checked
        "price": np.where(lots["priced"], lots["amount"], 1.0),
        "height_cm": size["height_cm"], "width_cm": size["width_cm"], "depth_cm": size["depth_cm"],
        "sold": np.where(lots["sold_ok"], True, None),
    })
    markers = sorted(m.unsold_for("price") | m.missing_for("price"))
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


def _lot_currency(fields: Fields, m: SourceMapping, price: Coded) -> tuple[np.ndarray, np.ndarray]:
    """Currency of each lot as (code per lot, -1 for none; the codes' texts): the currency column, else a code
    or symbol in the price text, else the source's; an unknown code in a currency column stays as written
    (upper case), for the error message."""
    from_price = parse_currency(price.uniques).to_numpy(dtype=object, na_value=None)
    col = fields.get("currency")
    per_unique = [from_price]
    if col is not None:
        given = parse_currency(col.uniques).astype(object)
        written = pd.Series(col.uniques, dtype=STR).str.upper().to_numpy(dtype=object)
        per_unique.insert(0, np.where(given.notna().to_numpy() | (col.uniques == ""), given.to_numpy(dtype=object),
                                      written))
    names = [v for part in per_unique for v in part if v is not None and v is not pd.NA]
    vocab = np.asarray(list(dict.fromkeys([*names, *([m.currency] if m.currency else [])])), dtype=object)
    position = {v: i for i, v in enumerate(vocab)}
    lookup = [np.array([-1 if v is None or v is pd.NA else position[v] for v in part], dtype=np.intp)
              for part in per_unique]
    code = lookup[-1][price.codes]
    if col is not None:
        from_col = lookup[0][col.codes]
        code = np.where(from_col >= 0, from_col, code)
    if m.currency:
        code = np.where(code >= 0, code, position[m.currency])
    return code, vocab


def convert(raw, m: SourceMapping, fields: Fields, lots: dict, cur: CurrencySettings, path: str) -> dict:
    """Prices and estimates in the target currency; InputError for a priced lot with no currency or no rate."""
    code, vocab = _lot_currency(fields, m, lots["price_text"])
    priced = lots["priced"]
    # lots without a readable sale date (bad_dates: drop) are left out of the table: their money is not checked
    need = priced & ~lots.get("no_date", np.zeros(priced.size, dtype=bool))
    label = column_label(m, "currency") if m.columns.currency else column_label(m, "price")
    no_cur = need & (code < 0)
    if no_cur.any():
        raise InputError(f"{path}: column '{label}': no currency given (no currency column, symbol or source "
                         f"default) at {where(raw, no_cur)}")
    known = sorted({*cur.rates, cur.target})
    names = np.array([str(v) for v in (*vocab, cur.target)], dtype=object)  # the last: lots with no currency
    has_rate = np.isin(names, known)[code]
    if (need & ~has_rate).any():
        bad = need & ~has_rate
        raise InputError(f"{path}: column '{label}': no exchange rate for currency {names[code][bad][0]!r} in the "
                         f"config's currency.rates (known: {', '.join(known)}) at {where(raw, bad)}")
    safe = np.where(np.isin(names, known), names, cur.target)
    factor = convert_currency(np.ones(safe.size), safe, cur.rates, cur.target)[code]
    price_original = np.where(priced, lots["amount"], np.nan)
    low, high = _estimates(fields, m)
    rated = has_rate & (code >= 0)  # estimates of lots without a known rate: NaN
    return {
        "currency": arrow_text(vocab, code),
        "price_original": price_original,
        "price": price_original * factor,
        "low_estimate": np.where(rated, low * factor, np.nan),
        "high_estimate": np.where(rated, high * factor, np.nan),
    }


def _estimates(fields: Fields, m: SourceMapping):
    """Low and high presale estimates in the lot's currency (an estimate range, or low and high columns)."""
    low = high = np.full(fields.n, np.nan)
    if (text := fields.get("estimate")) is not None:
        e = parse_estimate(text.uniques, m.decimal)
        low, high = text.spread(e["low"].to_numpy(dtype=float)), text.spread(e["high"].to_numpy(dtype=float))
    if (text := fields.get("low_estimate")) is not None:
        low = text.spread(parse_price(text.uniques, m.decimal).to_numpy(dtype=float))
    if (text := fields.get("high_estimate")) is not None:
        high = text.spread(parse_price(text.uniques, m.decimal).to_numpy(dtype=float))
    return low, high


def _parquet_columns(path: Path, m: SourceMapping):
    """(the columns the mapping reads that the file has, the file's Arrow schema, its Parquet metadata)."""
    import pyarrow.parquet as pq

    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        file = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow's own message says what is wrong
        raise InputError(f"{path}: cannot be read as Parquet ({' '.join(str(exc).split())})") from exc
    schema = file.schema_arrow
    needed = raw_columns(m) + (template_fields(m.image_path) if m.image_path else [])
    return [c for c in dict.fromkeys(needed) if c in schema.names], schema, file.metadata


def _few_texts(metadata, column: str) -> bool:
    """Whether a text column is stored as a dictionary of few texts (its pages hold codes, at most 4 bytes a row),
    so that it is read fastest as a dictionary; many texts are read as text and their distinct values found once."""
    if metadata.num_rows == 0:
        return True
    row_group = [metadata.row_group(i) for i in range(metadata.num_row_groups)]
    where_ = {row_group[0].column(j).path_in_schema: j for j in range(row_group[0].num_columns)} if row_group else {}
    if column not in where_:
        return False
    size = sum(rg.column(where_[column]).total_uncompressed_size for rg in row_group)
    return size <= 4 * metadata.num_rows


def read_parquet_text(path, m: SourceMapping) -> pd.DataFrame:
    """The columns a mapping reads from a Parquet raw export, as :func:`~artstudy.data.prepare.read_raw` reads
    them (text, missing cells "") but coded: a text column is a categorical (each distinct text read once), the
    lot id column Arrow text. ``attrs`` name rows (:data:`ROW_NUMBERS`) and every column of the file."""
    import pyarrow.parquet as pq

    path = Path(path)
    columns, schema, metadata = _parquet_columns(path, m)
    spec = m.column_map()["lot_id"]
    text = [c for c in columns if pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(
        schema.field(c).type)]
    typed = [c for c in columns if c not in text]  # read as read_raw reads them, then as their text
    try:
        table = pq.read_table(path, columns=text,
                              read_dictionary=[c for c in text if c != spec and _few_texts(metadata, c)])
        other = pd.read_parquet(path, columns=typed) if typed else None
    except Exception as exc:  # pyarrow's own message says what is wrong
        raise InputError(f"{path}: cannot be read as Parquet ({' '.join(str(exc).split())})") from exc
    out = {}
    for c in columns:
        if c not in text:
            out[c] = text_column(other[c])
            continue
        values = table.column(c)
        if c == spec:
            out[c] = pd.Series(pd.arrays.ArrowStringArray(pc.fill_null(values.cast(pa.large_string()), ""), dtype=STR))
        elif pa.types.is_dictionary(values.type):
            out[c] = pd.Series(_categorical(values))
        else:  # many texts: each distinct text found once, by hashing
            codes, distinct = pd.factorize(pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string()),
                                                                                 dtype=STR)))
            out[c] = pd.Series(pd.Categorical.from_codes(codes.astype(np.int32), categories=pd.Index(
                np.asarray(distinct, dtype=object), dtype=object)))
        table = table.drop_columns([c])
    frame = pd.DataFrame(out, columns=columns, copy=False)
    frame.attrs[ROW_NUMBERS] = True
    frame.attrs[FILE_COLUMNS] = list(schema.names)
    return frame


def text_column(values: pd.Series) -> pd.Series:
    """A column read from Parquet as text: typed values as their text, missing cells "" (a text column without
    gaps as it is)."""
    if not pd.api.types.is_string_dtype(values) or values.hasnans:
        return values.astype(str).astype(object).where(values.notna().to_numpy(), "").astype(str)
    return values


def _categorical(column: pa.ChunkedArray) -> pd.Categorical:
    """A dictionary column (a dictionary per chunk) as a pandas categorical (nulls -> NaN): the chunks'
    dictionaries are joined and their distinct texts found once (cheaper than hashing every lot's text)."""
    chunks = column.chunks
    if not chunks:
        return pd.Categorical.from_codes(np.zeros(0, dtype=np.int32), categories=pd.Index([], dtype=object))
    words = pa.chunked_array([c.dictionary.cast(pa.large_string()) for c in chunks], type=pa.large_string())
    word_codes, distinct = pd.factorize(pd.Series(pd.arrays.ArrowStringArray(words, dtype=STR)))
    start = np.cumsum([0] + [len(c.dictionary) for c in chunks])
    codes = np.empty(len(column), dtype=np.int32)
    lo = 0
    for k, chunk in enumerate(chunks):
        index = pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False)
        local = np.append(word_codes[start[k]:start[k + 1]], -1).astype(np.int32)  # -1: null
        codes[lo:lo + len(chunk)] = local[index]
        lo += len(chunk)
    return pd.Categorical.from_codes(codes, categories=pd.Index(np.asarray(distinct, dtype=object), dtype=object))
