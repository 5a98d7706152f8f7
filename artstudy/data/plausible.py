"""Plausibility rules and the excluded-lots list: lots whose parsed values cannot be right are left out, counted
in the funnel and listed with their reason and raw text.

- a source's ``plausible: {size_cm: [lo, hi], price: [lo, hi]}`` adds the rules "size not in pixels" (a size
  written in px or pixels, before "size given"), "size in LO-HI cm" (height, width and depth given, each inside
  the range) and "price in LO-HI TARGET" (after "price given", the price in the target currency);
- a source's ``bad_dates: drop`` leaves out the lots whose sale date cannot be read ("sale date read", the first
  rule): they have no place in the table (its sale dates are never missing), so they are only counted and listed.

The list (:func:`excluded_lots`) has the columns lot_id, rule, text (the raw text the rule read); it travels with
the prepared table as ``table.attrs["excluded"]`` (a dict of lists) and :func:`artstudy.data.prepare.write_prepared`
writes it beside the table as ``<stem>.excluded.csv`` when it names any lot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PIXELS", "EXCLUDED", "DATE_RULE", "size_rules", "price_rule", "size_text", "excluded_lots",
           "excluded_path"]

PIXELS = "size not in pixels"
DATE_RULE = "sale date read"
#: Key of the excluded-lots list in a prepared table's ``attrs``.
EXCLUDED = "excluded"
EXCLUDED_COLUMNS = ["lot_id", "rule", "text"]


def _bounds(lo: float, hi: float) -> str:
    return f"{lo:g}-{hi:g}"


def size_rules(m, table: pd.DataFrame, pixels: np.ndarray) -> tuple[list, list]:
    """(steps before "size given", steps after it) as (step, keep mask) pairs, from the source's ``plausible``."""
    p = m.plausible
    if p is None or p.size_cm is None:
        return [], []
    lo, hi = p.size_cm
    inside = np.ones(len(table), dtype=bool)
    for c in ("height_cm", "width_cm", "depth_cm"):
        v = table[c].to_numpy(dtype=float)
        inside &= np.isnan(v) | ((v >= lo) & (v <= hi))
    return [(PIXELS, ~np.asarray(pixels, dtype=bool))], [(f"size in {_bounds(lo, hi)} cm", inside)]


def price_rule(m, table: pd.DataFrame, target: str) -> list:
    """The step after "price given" (or none), from the source's ``plausible.price``."""
    p = m.plausible
    if p is None or p.price is None:
        return []
    lo, hi = p.price
    price = table["price"].to_numpy(dtype=float)
    return [(f"price in {_bounds(lo, hi)} {target}", (price >= lo) & (price <= hi))]


def size_text(fields, m) -> np.ndarray:
    """The raw size text of each lot (the dimensions text, or the height, width, depth and unit columns joined
    with " | "), an object array."""
    if m.columns.height is None:
        return fields.text("size").text().to_numpy(dtype=object)
    parts = [fields.text(f).text().to_numpy(dtype=object) for f in ("height", "width", "depth", "size_unit")
             if getattr(m.columns, f) is not None]
    out = parts[0]
    for p in parts[1:]:
        out = out + " | " + p
    return out


def excluded_lots(lot_ids, rules, texts: dict) -> dict:
    """The lots left out by a plausibility rule as a dict of lists (lot_id, rule, text).

    ``rules``: the rule each lot fails (None/NA where none, or a rule not listed); ``texts``: rule -> the raw
    text of every lot (an array) read by that rule. Only the lots whose rule is a key of ``texts`` are listed.
    """
    rules = pd.Series(pd.array(rules, dtype="string")).fillna("").to_numpy(dtype=object)
    ids = np.asarray(pd.array(lot_ids, dtype="string").to_numpy(dtype=object, na_value=None), dtype=object)
    out = {c: [] for c in EXCLUDED_COLUMNS}
    for rule, text in texts.items():
        rows = np.flatnonzero(rules == rule)
        out["lot_id"] += [None if v is None else str(v) for v in ids[rows]]
        out["rule"] += [rule] * rows.size
        out["text"] += [str(t) for t in np.asarray(text, dtype=object)[rows]]
    return out


def excluded_path(out):
    """Where the excluded-lots list of a prepared table goes: ``SALES.csv`` -> ``SALES.excluded.csv``."""
    from pathlib import Path

    out = Path(out)
    return out.with_name(out.stem + ".excluded.csv")


def write_excluded(table: pd.DataFrame, out):
    """Write ``table.attrs["excluded"]`` beside ``out`` when it names a lot; returns the path or None."""
    got = table.attrs.get(EXCLUDED)
    if not got or not got.get("lot_id"):
        return None
    path = excluded_path(out)
    pd.DataFrame({c: got[c] for c in EXCLUDED_COLUMNS}).to_csv(path, index=False)
    return path


def drop_undated(table: pd.DataFrame, artist: pd.Categorical, steps: list, no_date: np.ndarray):
    """The lots whose sale date could not be read (``bad_dates: drop``) taken out of the table: (table, artists,
    steps with their masks cut to the kept lots, funnel table of the "sale date read" step or None)."""
    from .funnel import Funnel

    if not no_date.any():
        return table, artist, steps, None
    pre = Funnel(artist, first_step="lots read")
    keep = ~no_date
    pre.apply(DATE_RULE, keep)
    table = table[keep].reset_index(drop=True)
    return table, artist[keep], [(s, np.asarray(k)[keep]) for s, k in steps], pre.table()


def attach_excluded(table: pd.DataFrame, fields, m, no_date: np.ndarray, lot_ids) -> None:
    """``table.attrs["excluded"]``: the lots a plausibility rule left out and the lots without a readable sale date,
    with the raw text each rule read (nothing is attached when no such rule applies)."""
    rules = [r for r in pd.unique(table["left_out"].dropna()) if r == PIXELS or r.startswith(("size in ", "price in "))]
    if not rules and not no_date.any():
        return
    keep = ~no_date
    size = size_text(fields, m)[keep] if any(not r.startswith("price in ") for r in rules) else None
    price = fields.text("price").text().to_numpy(dtype=object)[keep]
    texts = {r: price if r.startswith("price in ") else size for r in rules}
    got = excluded_lots(table["lot_id"].array, table["left_out"].array, texts)
    if no_date.any():
        ids = np.asarray(pd.array(lot_ids, dtype="string").to_numpy(dtype=object, na_value=None))[no_date]
        dates = fields.text("sale_date").text().to_numpy(dtype=object)[no_date]
        got = {"lot_id": [None if v is None else str(v) for v in ids] + got["lot_id"],
               "rule": [DATE_RULE] * int(no_date.sum()) + got["rule"],
               "text": [str(t) for t in dates] + got["text"]}
    table.attrs[EXCLUDED] = got
