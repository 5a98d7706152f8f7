"""The synthetic world's truth written as a raw export: every field as text, the way a user's export has it.

Kept apart from the truth (:mod:`artstudy.synth.lots`) so that the text can be checked against
it: the data layer's parsers read every rendered field back to the truth's value (sizes to the
written 1/8 inch or 0.1 cm, which is the truth's size; creation years; prices and currencies;
material and support; signature flags; artist names). The forms:

=================  ==============================================================================
``artist_name``    the clean name, for ``messy_name_share`` of the lots upper-cased and/or with
                   one or two trailing spaces ("MARY SMITH ")
``medium``         "Oil on canvas", "Bronze", ...; 3% of the works upper-cased
``dimensions``     "76.2 x 61 cm", "30 1/2 x 22 in.", "40 x 30 x 12.5 cm" (three for sculpture)
``year_of_work``   "1965", "c. 1965", "1965-67" (ending no later than the work's first offer),
                   "not given"
``markings``       "Signed and dated", "Signed, titled and inscribed", "Inscribed", "Unsigned", ...
``hammer_price``   "1,234,567" in the house's currency, or "Bought In"
``estimate``       "10,000 - 15,000" or "" (not given)
``image_file``     the work's picture relative to the export's folder, "images/W-000123.png" (every
                   offer of a work the same file), or "" when the world is written without pictures
=================  ==============================================================================

Every offer of a work shows the same medium, dimensions, creation-year and markings text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .specs import WorldSpec

__all__ = ["render_raw", "RAW_COLUMNS", "MARKINGS", "thousands", "cm_text", "inch_text", "dimensions_text",
           "years_text", "names_text"]

#: The columns of ``raw_lots.csv``, in order.
RAW_COLUMNS = ("lot_id", "auction_house", "sale_date", "artist_name", "title", "medium", "dimensions",
               "year_of_work", "markings", "currency", "hammer_price", "estimate", "image_file")

#: (signed, inscribed) -> the texts that say so.
MARKINGS = {
    (True, False): ["Signed", "Signed and dated", "Signed, titled and dated"],
    (True, True): ["Signed, titled and inscribed", "Signed and inscribed", "Inscribed and signed"],
    (False, True): ["Inscribed"],
    (False, False): ["Unsigned", "Stamped"],
}

_EIGHTHS = np.array(["", " 1/8", " 1/4", " 3/8", " 1/2", " 5/8", " 3/4", " 7/8"], dtype=object)


def thousands(values) -> np.ndarray:
    """Whole numbers as text with thousands separators: 1234567 -> "1,234,567"."""
    text = pd.Series(np.round(np.asarray(values, dtype=float)).astype(np.int64)).astype(str)
    return text.str.replace(r"\B(?=(\d{3})+(?!\d))", ",", regex=True).to_numpy(dtype=object)


def cm_text(cm) -> np.ndarray:
    """Lengths in cm, whole tenths, as text: 76.2 -> "76.2", 40.0 -> "40"."""
    tenths = np.round(np.asarray(cm, dtype=float) * 10).astype(np.int64)
    frac = tenths % 10
    dec = np.where(frac > 0, np.char.add(".", frac.astype(str)), "").astype(object)
    return (tenths // 10).astype(str).astype(object) + dec


def inch_text(cm) -> np.ndarray:
    """Lengths in cm, whole eighths of an inch, as inch text: 77.47 -> "30 1/2"."""
    eighths = np.round(np.asarray(cm, dtype=float) / 2.54 * 8).astype(np.int64)
    return (eighths // 8).astype(str).astype(object) + _EIGHTHS[eighths % 8]


def dimensions_text(unit, height, width, depth) -> np.ndarray:
    """"H x W[ x D] cm" or "H x W[ x D] in." from sizes in cm (``depth`` NaN for two dimensions)."""
    inches = np.asarray(unit) == "in"
    depth = np.asarray(depth, dtype=float)
    three = ~np.isnan(depth)
    depth = np.where(three, depth, 1.0)

    def text(cm):
        return np.where(inches, inch_text(cm), cm_text(cm))

    dims = text(height) + " x " + text(width)
    dims = np.where(three, dims + " x " + text(depth), dims)
    return dims + np.where(inches, " in.", " cm")


def years_text(work_year, given, first_offer_year, circa_p: float, range_p: float, rng) -> np.ndarray:
    """Creation years as text: "not given" where not given, else "c. 1965" (``circa_p``), "1965-67" (``range_p``,
    ending 1-3 years later but no later than ``first_offer_year``) or "1965"."""
    work_year = np.asarray(work_year, dtype=np.int64)
    n = work_year.size
    r = rng.random(n)
    span = np.minimum(rng.integers(1, 4, size=n), np.asarray(first_offer_year) - work_year)
    end = work_year + span
    same_century = end // 100 == work_year // 100
    end_text = np.where(same_century, pd.Series(end % 100).astype(str).str.zfill(2), end.astype(str)).astype(object)
    year = work_year.astype(str).astype(object)
    return np.select([~np.asarray(given, bool), r < circa_p, (r < circa_p + range_p) & (span > 0)],
                     ["not given", "c. " + year, year + "-" + end_text], year)


def names_text(names, share: float, rng) -> np.ndarray:
    """Artist names, ``share`` of them upper-cased (60% of those) and/or with one or two trailing spaces (60%)."""
    names = np.asarray(names, dtype=object)
    r = rng.random(names.size) / max(share, 1e-12)  # below 1 for the messy names
    out = np.where(r < 0.6, pd.Series(names).str.upper().to_numpy(dtype=object), names)
    return np.where((r >= 0.4) & (r < 1.0), out + np.where(r < 0.8, " ", "  "), out)


def _markings(signed, inscribed, rng) -> np.ndarray:
    out = np.empty(np.size(signed), dtype=object)
    for (s, i), texts in MARKINGS.items():
        m = (np.asarray(signed) == s) & (np.asarray(inscribed) == i)
        out[m] = np.asarray(texts, dtype=object)[rng.integers(0, len(texts), size=int(m.sum()))]
    return out


def _per_work(lots: pd.DataFrame, spec: WorldSpec, rng) -> pd.DataFrame:
    """The texts every offer of a work shares: medium, dimensions, creation year, markings."""
    first = ~lots["artwork_id"].duplicated().to_numpy()
    works = lots.loc[first].set_index("artwork_id")
    first_offer = lots.groupby("artwork_id")["sale_year"].min().reindex(works.index).to_numpy()
    n = len(works)
    given = 1.0 - spec.missing_year_share
    years = years_text(works["work_year"], works["work_year_given"], first_offer, spec.circa_share / given,
                       spec.range_share / given, rng)
    medium = works["medium"].to_numpy(dtype=object)
    medium = np.where(rng.random(n) < 0.03, pd.Series(medium).str.upper().to_numpy(dtype=object), medium)
    return pd.DataFrame({
        "medium": medium, "year_of_work": years, "markings": _markings(works["signed"], works["inscribed"], rng),
        "dimensions": dimensions_text(works["size_unit"], works["height_cm"], works["width_cm"], works["depth_cm"]),
    }, index=works.index)


def render_raw(lots: pd.DataFrame, spec: WorldSpec, rng) -> pd.DataFrame:
    """The raw export of the world's lots.

    Parameters
    ----------
    lots : pandas.DataFrame
        The truth's lots (:attr:`artstudy.synth.world.World.truth_lots`): lot_id, artwork_id, auction_house,
        sale_date, sale_year, artist, title, medium, size_unit, height_cm, width_cm, depth_cm, work_year,
        work_year_given, signed, inscribed, currency, sold, price_original, estimate_low, estimate_high and
        optionally image_file (else "").
    spec : WorldSpec
        The shares of the text forms (messy names, circa and range years).
    rng : numpy.random.Generator

    Returns
    -------
    pandas.DataFrame
        :data:`RAW_COLUMNS`, every value a ``str``, one row per lot in the order of ``lots``.
    """
    work = _per_work(lots, spec, rng).reindex(lots["artwork_id"])
    sold = lots["sold"].to_numpy(bool)
    low, high = lots["estimate_low"].to_numpy(float), lots["estimate_high"].to_numpy(float)
    has_estimate = ~np.isnan(low)
    estimate = np.where(has_estimate, thousands(np.where(has_estimate, low, 0)) + " - "
                        + thousands(np.where(has_estimate, high, 0)), "")
    price = thousands(np.where(sold, lots["price_original"].to_numpy(float), 0))
    raw = pd.DataFrame({
        "lot_id": lots["lot_id"].to_numpy(object), "auction_house": lots["auction_house"].to_numpy(object),
        "sale_date": pd.to_datetime(lots["sale_date"]).dt.strftime("%Y-%m-%d").to_numpy(object),
        "artist_name": names_text(lots["artist"], spec.messy_name_share, rng),
        "title": lots["title"].to_numpy(object), "medium": work["medium"].to_numpy(object),
        "dimensions": work["dimensions"].to_numpy(object), "year_of_work": work["year_of_work"].to_numpy(object),
        "markings": work["markings"].to_numpy(object), "currency": lots["currency"].to_numpy(object),
        "hammer_price": np.where(sold, price, "Bought In").astype(object), "estimate": estimate.astype(object),
        "image_file": (lots["image_file"].to_numpy(object) if "image_file" in lots
                       else np.full(len(lots), "", dtype=object)),
    })
    return raw[list(RAW_COLUMNS)]
