"""Auction data layer: raw exports (Artnet, AskArt, an auction house, the synthetic world) -> the canonical sales table.

A source is described only by a small mapping (the config's ``sources:`` section), so a new
export that uses the same kinds of text needs no Python. :func:`prepare_table` reads a raw frame
with such a mapping, validates it (a bad file raises :class:`artstudy.io.InputError` naming the
file, the column, the reason and the first offending file lines, header = line 1), builds one row
per lot with the columns of :data:`CANONICAL_COLUMNS`, and applies the study's rules, counting what
each rule leaves out in a funnel (step, rows, artists, removed); nothing is dropped silently.

Every parser is public, takes a pandas Series of text and returns arrays or Series aligned with
it. They are vectorised (pandas ``.str`` methods, regular expressions, numpy) and run on the
distinct values of a column only (:func:`pd.factorize`), then spread back, so repeated text such as
media, markings, dates and currencies costs nothing per lot.

Parser rules (text is matched case-insensitively, accents folded: "óleo" reads as "oleo"):

- price (:func:`parse_price`): the number left after dropping currency symbols and codes and a
  parenthetical ("$3,366 (3,000)" is 3366); any other text makes it NaN. Separators: with
  ``decimal="auto"`` a number holding both "," and "." takes the last one as the decimal mark; a
  single kind of separator is a thousands separator when it occurs more
  than once or is followed by exactly three digits ("1,234,567", "1.200"), else the decimal mark
  ("76.5", "14,5"); ``decimal="."`` or ``","`` forces the mark ("€1.200,50" -> 1200.5 with ",").
  Text without a digit is NaN; whether it means unsold is the source's ``unsold`` list.
- currency (:func:`parse_currency`): an ISO code or a symbol in the text ("$" USD, "US$" USD,
  "HK$" HKD, "£" GBP, "€" EUR, "¥" JPY, "RMB" CNY, ...), the first one found.
- creation year (:func:`parse_year`): the first four-digit year 1000-2099 in the text: "1965",
  "c. 1965", "circa 1965", "1965-67" and "1965/1967" -> 1965 (the start of a range), "1960s" ->
  1960 (the decade's first year); two-digit years ("86") and text without a year ("not given") are
  NA. A source may give a ``work_year_pattern`` whose first group is the year (the Portuguese
  lots state it inside the technique text: "assinada e datada de 1991").
- size (:func:`parse_size`): the first "A x B" or "A x B x C" in the text (separators x, X, ×,
  by), numbers with decimals and fractions ("30 1/2", "30½"); the unit is the one written next to
  the numbers (cm, mm, in, inches, ", ''), else one written anywhere in the text, else the source's
  ``size_unit``. Order: height x width (x depth). A single dimension ("Dim. - 24 cm", a diameter)
  or no dimensions give NaN (counted by the "size given" rule).
- medium (:func:`parse_medium`): the text is split at its first " / ", " on " or " sobre " (also
  the typos "sobe", "obre"; "sur", "auf") into a material part and a support part.
  Material = the category of the FIRST listed material: the material part is cut at the first
  ",", "and", "e", "&", "with", "com" and that first item is classified: pastel (incl. oil
  pastel, "pastel de oleo") > pencil (pencil, coloured pencil, graphite, lapis, grafite) > mixed
  media (mixed media, tecnica mista, collage) > watercolour (watercolor, aquarelle, aguarela) >
  acrylic (acrylic and misspellings, acrilico, synthetic polymer, Magna, Liquitex) > oil (oil,
  oilstick, oleo), else other (gouache, ink, tempera, charcoal, bronze, ...). So "Oil, enamel
  and acrylic / Canvas" is oil and "Gouache and watercolor / Paper" is other.
  Support = the category of the first support word in the support part: canvas (canvas, linen,
  burlap, tela, toile), cardboard (cardboard, card, paperboard, cartao, cartolina, papelao), board
  (board, canvasboard, panel, masonite, hardboard, wood, plywood, mdf, platex, madeira, painel,
  contraplacado, aglomerado, celotex), paper (paper, papel, vellum, newsprint, newspaper), leather
  (leather, couro), else other. Without a separator the support is other ("Bronze" -> other/other).
- signature (:func:`parse_signature`): signed when the text says signed / signature / initials /
  monogram / assinado / assinada / assinatura and does not negate it (unsigned, not signed,
  nao assinado, sem assinatura); inscribed when it says inscribed / inscription / inscricao /
  dedicated, not negated. "Stamped", "By Estate", "Unavailable", "Artist's Seal" are neither.
- sale date (:func:`parse_date`): the source's ``date_format``; a range ("11/22/2016-11/23/2016",
  a sale over several days) is its first day. Day precision (times of day dropped).
- sold: a source with a ``sold`` column reads it as yes/no (1/0, true/false, yes/no, sold/unsold);
  either way a price text in the source's ``unsold`` list ("-not sold-", "Bought In") means unsold.
  The price of an unsold lot is NaN whatever its text. A sold lot with an empty (or ``missing``)
  price is kept as sold with no price and left out by the "price given" rule.
- title: surrounding quotes dropped, whitespace collapsed.
- artist: whitespace collapsed; spellings that differ only in case or accents are one artist,
  shown in its most frequent mixed-case spelling ("MARY SMITH " -> "Mary Smith").
- artwork key (:func:`artwork_ids`): same artist, same normalised title (accents, case,
  punctuation and quotes dropped), same height and width rounded to whole cm and same creation
  year => same ``artwork_id``, a stable hash "W" + 16 hex digits. ``sale_kind`` is "repeat" for a
  lot of a work that was SOLD at an earlier lot (by sale date, then file order), else "first".

Validation (pandera; errors are :class:`InputError`): a mapped column missing from the file; a
sale date that does not parse with the source's ``date_format``; a price text that is neither a
number nor an ``unsold``/``missing`` marker; a non-positive price of a sold lot; a negative or
zero size; a currency with no exchange rate; a duplicate lot id.

Rules (counted in the funnel, in this order): artist named; painting or work on paper (sources
with ``paintings_only``: material and support both other is an object or sculpture; and material
part matching ``exclude_medium``, e.g. prints and photographs); one work per lot (sources with an
``n_works`` column); sold; price given; creation year given; size given; sale year and work year
inside the study window (default sale years 1993-2022, work years 1951-2020, a source's ``study:``
or the caller may change them); work year not after the sale year.
"""

from __future__ import annotations

import argparse
import re
import string
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..settings import default_config_path, load_config  # noqa: F401 (re-exported)
from .validation import where as _where

__all__ = [
    "MATERIALS", "SUPPORTS", "CANONICAL_COLUMNS", "PAM_COLUMNS", "FIELDS", "MAPPING_KEYS", "DEFAULT_STUDY",
    "parse_price", "parse_estimate", "parse_currency", "parse_year", "parse_size", "parse_medium",
    "parse_signature", "parse_sold", "parse_date", "normalise_artist", "normalise_title", "artwork_ids",
    "sale_kinds", "convert_currency", "render_template", "read_raw", "prepare_table", "load_config",
    "source_mapping", "describe_source", "canonical_schema", "register_cli", "default_config_path", "funnel_path",
]

MATERIALS = ("oil", "acrylic", "watercolour", "pastel", "pencil", "mixed media", "other")
SUPPORTS = ("canvas", "cardboard", "board", "paper", "leather", "other")
PAM_COLUMNS = ["artist", "sale_year", "work_year", "price", "log_area", "signed", "inscribed", "material", "support"]
CANONICAL_COLUMNS = [
    "lot_id", "source", "artist", "title", "sale_date", "sale_year", "sold", "price", "currency", "price_original",
    "work_year", "height_cm", "width_cm", "depth_cm", "log_area", "material", "support", "signed", "inscribed",
    "image_path", "auction_house", "low_estimate", "high_estimate", "artwork_id", "sale_kind",
]
#: Fields a mapping's ``columns:`` (a raw column name or a "{col}" template) or ``constants:`` may give.
FIELDS = ("lot_id", "sale_date", "artist", "price", "title", "auction_house", "medium", "size", "work_year",
          "signature", "currency", "estimate", "low_estimate", "high_estimate", "sold", "n_works", "image_path")
REQUIRED_FIELDS = ("lot_id", "sale_date", "artist", "price")
#: Keys of a source mapping (see config/schema.yaml, ``$defs/source``).
MAPPING_KEYS = ("description", "path", "columns", "constants", "currency", "date_format", "size_unit", "decimal",
                "unsold", "missing", "premium_included", "paintings_only", "exclude_medium", "work_year_pattern",
                "image_path", "study", "encoding", "sep")
DEFAULT_STUDY = {"sale_years": (1993, 2022), "work_years": (1951, 2020)}
_UNIT_CM = {"cm": 1.0, "mm": 0.1, "in": 2.54, "m": 100.0}


# --------------------------------------------------------------------------
# helpers: work on distinct values, text folding
# --------------------------------------------------------------------------

def _text(values) -> pd.Series:
    """Any column as text: missing -> "", numbers as written, surrounding whitespace dropped."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not (pd.api.types.is_string_dtype(s) and not s.isna().any()):
        s = s.astype(object).where(s.notna(), "").astype(str)
    return s


def _on_uniques(values, func):
    """Apply ``func`` (Series -> Series/DataFrame of the same length) to the distinct values, spread back."""
    s = _text(values)
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    out = func(pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.strip())
    if isinstance(out, pd.DataFrame):
        res = out.iloc[codes].reset_index(drop=True)
        res.index = s.index
        return res
    res = pd.Series(np.asarray(out)[codes], index=s.index, name=getattr(values, "name", None))
    if isinstance(out, pd.Series) and isinstance(out.dtype, pd.api.extensions.ExtensionDtype):
        res = res.astype(out.dtype)
    return res


def _fold(s: pd.Series) -> pd.Series:
    """Lower case, accents dropped ("Óleo" -> "oleo"), whitespace collapsed."""
    s = s.astype(object).astype(str)
    return (s.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
            .str.lower().str.replace(r"\s+", " ", regex=True).str.strip())


def _first_group_year(text: pd.Series, pattern: str) -> pd.Series:
    y = pd.to_numeric(text.str.extract(pattern, flags=re.IGNORECASE, expand=False), errors="coerce")
    return y.where((y >= 1000) & (y <= 2099)).astype("Int64")


# --------------------------------------------------------------------------
# prices, currencies, estimates
# --------------------------------------------------------------------------

def _number_text_to_float(tok: pd.Series, decimal: str = "auto") -> np.ndarray:
    tok = tok.fillna("").astype(object).astype(str).str.replace(r"['’ ]", "", regex=True)
    if decimal == ".":
        out = tok.str.replace(",", "", regex=False)
    elif decimal == ",":
        out = tok.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    elif decimal == "auto":
        n_dot, n_com = tok.str.count(r"\."), tok.str.count(",")
        last_dot, last_com = tok.str.rfind("."), tok.str.rfind(",")
        tail = tok.str.len() - np.maximum(last_dot, last_com) - 1
        both = (n_dot > 0) & (n_com > 0)
        comma_dec = (both & (last_com > last_dot)) | ((n_dot == 0) & (n_com == 1) & (tail != 3))
        dot_dec = (both & (last_dot > last_com)) | ((n_com == 0) & (n_dot == 1) & (tail != 3))
        plain = tok.str.replace(r"[.,]", "", regex=True)
        out = plain.where(~dot_dec, tok.str.replace(",", "", regex=False))
        out = out.where(~comma_dec, tok.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    else:
        raise ValueError(f"decimal must be '.', ',' or 'auto', not {decimal!r}")
    return pd.to_numeric(out.replace("", np.nan), errors="coerce").to_numpy(dtype=float)


def parse_price(values, decimal: str = "auto") -> pd.Series:
    """Amount of money in a text: "$275,000" -> 275000.0, "1,234,567", "€1.200,50" (``decimal=","``).

    Currency symbols and codes and a parenthetical ("$3,366 (3,000)" -> 3366) are dropped; what is
    left must be one number, with an optional "-" sign, else NaN ("12,5oo", "-not sold-",
    "Bought In", "").
    """
    symbols = "|".join(re.escape(c) for c in sorted(_CURRENCY_SYMBOLS, key=len, reverse=True))
    codes = "|".join(_CURRENCY_CODES)

    def run(u):
        t = (u.str.replace(r"\([^)]*\)", " ", regex=True)
             .str.replace(rf"(?i)\b(?:{codes})\b|{symbols}", " ", regex=True))
        m = t.str.extract(r"^\s*(?P<sign>-\s*)?(?P<num>\d(?:[\d.,'’ ]*\d)?)\s*(?:,-|\.-)?\s*$")
        val = _number_text_to_float(m["num"], decimal)
        return pd.Series(np.where(m["sign"].notna(), -val, val))
    return _on_uniques(values, run).astype(float)


def parse_estimate(values, decimal: str = "auto") -> pd.DataFrame:
    """Presale estimate range: "10,000 - 15,000" -> low 10000, high 15000; one number -> low = high; "" -> NaN."""
    def run(u):
        num = r"\d(?:[\d.,'’ ]*\d)?"
        m = u.str.extract(rf"(?P<low>{num})(?:[^\d]*?(?:-|–|—|\bto\b|\ba\b|/)[^\d]*(?P<high>{num}))?")
        low = _number_text_to_float(m["low"], decimal)
        high = _number_text_to_float(m["high"], decimal)
        return pd.DataFrame({"low": low, "high": np.where(np.isnan(high), low, high)})
    return _on_uniques(values, run)


_CURRENCY_SYMBOLS = {"US$": "USD", "HK$": "HKD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD",
                     "NZ$": "NZD", "S$": "SGD", "R$": "BRL", "$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY",
                     "RMB": "CNY", "SFR": "CHF", "FR.": "CHF"}
_CURRENCY_CODES = ("USD", "GBP", "EUR", "HKD", "CHF", "JPY", "CNY", "CAD", "AUD", "NZD", "SGD", "BRL", "SEK",
                   "NOK", "DKK", "INR", "KRW", "TWD", "AED", "QAR", "ZAR", "MXN", "RUB", "PLN", "CZK", "HUF",
                   "TRY", "ILS", "ARS", "CLP", "COP", "IDR", "MYR", "PHP", "THB")


def parse_currency(values) -> pd.Series:
    """Currency code from a code or symbol in the text ("USD", "usd", "$275,000" -> "USD", "£1,000" -> "GBP",
    "HK$ 50,000" -> "HKD"); NA when the text names none."""
    symbols = sorted(_CURRENCY_SYMBOLS, key=len, reverse=True)
    pattern = ("(" + "|".join(rf"\b{c}\b" for c in _CURRENCY_CODES) + "|"
               + "|".join(re.escape(s) for s in symbols) + ")")
    lookup = {**_CURRENCY_SYMBOLS, **{c: c for c in _CURRENCY_CODES}}

    def run(u):
        found = u.str.upper().str.extract(pattern, expand=False)
        return found.map(lookup).astype(object)
    return _on_uniques(values, run).astype("string")


def convert_currency(amount, currency, rates: dict, target: str = "USD") -> np.ndarray:
    """``amount`` in ``currency`` (codes per row) -> target currency, with ``rates`` = value of one unit in target.

    Raises ``KeyError`` naming the first code without a rate.
    """
    rates = {str(k).upper(): float(v) for k, v in rates.items()}
    rates.setdefault(target.upper(), 1.0)
    cur = pd.Series(currency, dtype=object)
    codes, uniques = pd.factorize(cur)
    missing = [u for u in uniques if str(u).upper() not in rates]
    if missing:
        raise KeyError(missing[0])
    factor = np.array([rates[str(u).upper()] for u in uniques] + [np.nan])[codes]
    return np.asarray(amount, dtype=float) * factor


# --------------------------------------------------------------------------
# years, dates, sizes
# --------------------------------------------------------------------------

_YEAR = r"(?<!\d)((?:1\d|20)\d\d)(?!\d)"


def parse_year(values, pattern: str | None = None) -> pd.Series:
    """Creation year (Int64): "1965", "c. 1965", "circa 1965", "1965-67" -> 1965; "1960s" -> 1960; "not given" -> NA.

    ``pattern``: a regular expression whose first group is the year, searched instead of the first
    four-digit number (e.g. ``datad[oa]\\D{0,40}?(\\d{4})`` for "assinada e datada de 1991").
    """
    return _on_uniques(values, lambda u: _first_group_year(u, pattern or _YEAR))


def parse_date(values, date_format: str | None = "ISO8601") -> pd.Series:
    """Sale date (datetime64, day precision) with a strptime format ("%m/%d/%Y") or "ISO8601"/"mixed"; NaT if bad."""
    fmt = date_format or "mixed"

    def run(u):
        d = pd.Series(pd.to_datetime(u.replace("", None), format=fmt, errors="coerce"))
        # a range (a sale over several days, "11/22/2016-11/23/2016", "2016-11-22 to 2016-11-23"):
        # its first date, cut at the first, second, ... separator
        for k in range(4):
            bad = d.isna() & (u != "")
            if not bad.any():
                break
            sep = r"(?:-|–|—|\bto\b)"
            head = u[bad].str.extract(rf"^((?:.+?{sep}){{{k}}}.+?)\s*{sep}\s*\S", expand=False)
            d[bad] = pd.to_datetime(head, format=fmt, errors="coerce")
        return d.dt.normalize()
    out = _on_uniques(values, run)
    return pd.to_datetime(out).astype("datetime64[ns]")


_FRACTIONS = {"½": " 1/2", "¼": " 1/4", "¾": " 3/4", "⅛": " 1/8", "⅜": " 3/8", "⅝": " 5/8", "⅞": " 7/8",
              "⅓": " 1/3", "⅔": " 2/3"}
_DIM = r"(?:(?<![\w.])-)?\d+(?:[.,]\d+)?(?:[ -]+\d+/\d+)?|\d+/\d+"
_UNIT = r"cm\b|mm\b|inch(?:es)?\b|in\b\.?|\"|''|”|″"
_BY = r"\s*(?:x|×|\*|by)\s*"
_SIZE = (rf"(?P<a>{_DIM})\s*(?P<ua>{_UNIT})?{_BY}(?P<b>{_DIM})\s*(?P<ub>{_UNIT})?"
         rf"(?:{_BY}(?P<c>{_DIM})\s*(?P<uc>{_UNIT})?)?")


def _dimension(tok: pd.Series) -> np.ndarray:
    m = tok.str.extract(r"^(?P<sign>-)?(?P<whole>\d+(?:[.,]\d+)?)?(?:[ -]*(?P<n>\d+)/(?P<d>\d+))?$")
    whole = pd.to_numeric(m["whole"].str.replace(",", ".", regex=False), errors="coerce").to_numpy(dtype=float)
    frac = (pd.to_numeric(m["n"], errors="coerce") / pd.to_numeric(m["d"], errors="coerce")).to_numpy(dtype=float)
    has_whole, has_frac = ~np.isnan(whole), ~np.isnan(frac)
    val = np.where(has_whole, whole, 0.0) + np.where(has_frac, frac, 0.0)
    val = np.where(has_whole | has_frac, val, np.nan)
    return np.where(m["sign"].notna(), -val, val)


def _unit_name(u: pd.Series) -> pd.Series:
    u = u.fillna("").str.lower()
    return pd.Series(np.select([u.str.startswith("cm"), u.str.startswith("mm"), u != ""], ["cm", "mm", "in"],
                               default=""), index=u.index)


def parse_size(values, default_unit: str = "cm") -> pd.DataFrame:
    """Height, width and depth in cm from `30.00" x 22.25` (default unit inches), "34 x 27 cm",
    "Dim. - 34 x 27 cm", "40 x 30 x 5 cm", "30 1/2 x 22 in.", "340 x 270 mm".

    Returns a frame with float columns height_cm, width_cm, depth_cm (NaN when not given; depth NaN
    for two dimensions). Negative numbers come out negative (validation rejects them).
    """
    if default_unit not in _UNIT_CM:
        raise ValueError(f"size unit must be one of {', '.join(_UNIT_CM)}, not {default_unit!r}")

    def run(u):
        t = u.str.lower()
        for k, v in _FRACTIONS.items():
            t = t.str.replace(k, v, regex=False)
        m = t.str.extract(_SIZE)
        unit = _unit_name(m["uc"])
        for col in ("ub", "ua"):
            unit = unit.where(unit != "", _unit_name(m[col]))
        anywhere = _unit_name(t.str.extract(r"\b(cm|mm|inch(?:es)?|in)\b", expand=False))
        unit = unit.where(unit != "", anywhere).replace("", default_unit)
        factor = unit.map(_UNIT_CM).to_numpy(dtype=float)
        return pd.DataFrame({"height_cm": _dimension(m["a"].fillna("")) * factor,
                             "width_cm": _dimension(m["b"].fillna("")) * factor,
                             "depth_cm": _dimension(m["c"].fillna("")) * factor})
    return _on_uniques(values, run)


# --------------------------------------------------------------------------
# medium -> material, support; signature -> signed, inscribed
# --------------------------------------------------------------------------

_MEDIUM_SPLIT = r"^(?P<mat>.*?)(?:(?:\s*/\s*|\s+(?:on|onto|sobre|sobe|obre|sur|auf)\s+)(?P<sup>.*))?$"
_FIRST_ITEM = r"^(.*?)(?:\s*(?:,|;|&|\+|\band\b|\be\b|\bwith\b|\bcom\b|\bet\b|\bund\b)|$)"
# priority within the first listed item (oil pastel is a pastel, watercolour pencil a pencil)
_MATERIAL_RULES = (
    ("pastel", r"pastel"),
    ("pencil", r"pencil|graphite|\blapis\b|grafite|crayon de couleur"),
    ("mixed media", r"mixed[\s-]*media|tecnicas?\s+mistas?|technique mixte|\bmixta\b|\bcollage|\bcolage"),
    ("watercolour", r"water\s*colou?r|aquarel|aguarel|acuarel"),
    ("acrylic", r"\bacr[a-z]*|polymer|\bmagna\b|liquitex"),
    ("oil", r"\boil|\boleo"),
)
_SUPPORT_WORDS = (
    ("board", r"canvas[\s-]?board"),
    ("cardboard", r"cardboard|paperboard|pasteboard|card|carton|cartao|cartoes|cartolina|papelao"),
    ("canvas", r"canvas|linen|burlap|jute|tela|toile|leinwand"),
    ("board", r"board|panel|masonite|hardboard|wood|plywood|mdf|platex|madeira|painel|contraplacado|aglomerado"
              r"|celotex|unitex|faesite|tabla"),
    ("paper", r"paper|papel|vellum|newsprint|newspaper|papier|carta"),
    ("leather", r"leather|couro|cuir"),
)
_SUPPORT = r"\b(?:" + "|".join(f"(?P<s{i}>(?:{p})(?:s|es)?)" for i, (_, p) in enumerate(_SUPPORT_WORDS)) + r")\b"


def _medium_parts(folded: pd.Series) -> pd.DataFrame:
    parts = folded.str.extract(_MEDIUM_SPLIT)
    return pd.DataFrame({"mat": parts["mat"].fillna(""), "sup": parts["sup"].fillna("")})


def parse_medium(values) -> pd.DataFrame:
    """Material and support (the paper's categories) from medium text: "Oil / Canvas" -> oil, canvas;
    "Acrylic and silkscreen ink / Canvas" -> acrylic, canvas; "tecnica mista sobre papel" -> mixed media, paper;
    "Oil / Panel" -> oil, board; "Bronze" -> other, other. Rules in the module docstring."""
    def run(u):
        f = _fold(u)
        parts = _medium_parts(f)
        first = parts["mat"].str.extract(_FIRST_ITEM, expand=False).fillna("")
        material = np.select([first.str.contains(p, regex=True) for _, p in _MATERIAL_RULES],
                             [m for m, _ in _MATERIAL_RULES], default="other")
        found = parts["sup"].str.extract(_SUPPORT)
        support = np.select([found[f"s{i}"].notna().to_numpy() for i in range(len(_SUPPORT_WORDS))],
                            [s for s, _ in _SUPPORT_WORDS], default="other")
        return pd.DataFrame({"material": material, "support": support})
    return _on_uniques(values, run)


_SIGNED = r"\bsign(?:ed|s|ature)?\b|\bassinad|\bassinatura|\bsigne|\bsigniert|\bmonogram|\binitial(?:s|ed)?\b"
_NOT_SIGNED = r"\bunsigned\b|\bnot\s+signed\b|\bnon[\s-]?signed\b|\b(?:nao|sem)\s+(?:assinad|assinatura)|\bnon\s+signe"
_INSCRIBED = r"\binscri|\bdedicat|\bdedicad"
_NOT_INSCRIBED = r"\bnot\s+inscribed\b|\buninscribed\b|\b(?:nao|sem)\s+inscri"


def parse_signature(values) -> pd.DataFrame:
    """Signed and inscribed flags (bool) from markings text ("Signed and Dated", "Inscribed and Signed",
    "Unsigned", "Inscribed and Not Signed", "assinada e datada de 1991", "nao assinada")."""
    def run(u):
        f = _fold(u)
        signed = f.str.contains(_SIGNED) & ~f.str.contains(_NOT_SIGNED)
        inscribed = f.str.contains(_INSCRIBED) & ~f.str.contains(_NOT_INSCRIBED)
        return pd.DataFrame({"signed": signed.to_numpy(bool), "inscribed": inscribed.to_numpy(bool)})
    return _on_uniques(values, run)


_TRUE = {"1", "1.0", "true", "t", "yes", "y", "sold", "sim", "s", "vendido", "vendida"}
_FALSE = {"0", "0.0", "false", "f", "no", "n", "unsold", "not sold", "nao", "não", "bought in", "", "nan"}


def parse_sold(values) -> pd.Series:
    """Sold flag from a yes/no column: 1/true/yes/sold -> True, 0/false/no/unsold/"" -> False, other -> NA."""
    def run(u):
        low = u.str.lower()
        return pd.Series(np.where(low.isin(_TRUE), 1, np.where(low.isin(_FALSE), 0, -1)))
    code = _on_uniques(values, run).to_numpy()
    return pd.Series(pd.array(np.where(code < 0, None, code == 1), dtype="boolean"), index=_text(values).index)


# --------------------------------------------------------------------------
# artists, titles, artwork key, sale kind
# --------------------------------------------------------------------------

def normalise_artist(values) -> pd.Series:
    """Artist names with whitespace collapsed; spellings equal up to case and accents become the most
    frequent mixed-case one ("MARY SMITH " and "Mary  Smith" -> "Mary Smith"); "" -> NA."""
    s = _text(values)
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    u = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.replace(r"\s+", " ", regex=True).str.strip()
    key = _fold(u)
    counts = np.bincount(codes, minlength=len(u))
    mixed = ~(u.str.isupper() | u.str.islower())
    table = pd.DataFrame({"name": u, "key": key, "count": counts, "mixed": mixed})
    best = (table[table["name"] != ""].sort_values(["key", "mixed", "count", "name"],
                                                   ascending=[True, False, False, True])
            .drop_duplicates("key").set_index("key")["name"])
    display = key.map(best)
    return pd.Series(display.to_numpy(dtype=object)[codes], index=s.index, dtype="string")


def normalise_title(values) -> pd.Series:
    """Title for matching: accents, case, quotes and punctuation dropped ('"Untitled (Blue)"' -> "untitled blue")."""
    def run(u):
        return _fold(u).str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    return _on_uniques(values, run).astype(object)


def _clean_title(u: pd.Series) -> pd.Series:
    """Title as shown: surrounding quotes dropped, whitespace collapsed; "" -> NA."""
    t = (u.str.replace(r"\s+", " ", regex=True)
         .str.replace(r"^[\"'“”«»‘’ ]+|[\"'“”«»‘’ ]+$", "", regex=True))
    return t.where(t != "", None)


_HEX = np.array(list("0123456789abcdef"))


def _hex64(h: np.ndarray) -> np.ndarray:
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    nib = ((h[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.intp)
    return np.ascontiguousarray(_HEX[nib]).view("<U16").ravel()


def artwork_ids(artist, title, height_cm, width_cm, work_year) -> np.ndarray:
    """Artwork key "W<16 hex>": same artist (case/accents folded), normalised title, height and width
    rounded to whole cm and creation year => same id (a hash, so stable across files and runs)."""
    parts = pd.DataFrame({
        "artist": _fold(_text(artist)).to_numpy(dtype=object),
        "title": normalise_title(title).to_numpy(dtype=object),
        "h": np.round(np.asarray(height_cm, dtype=float)),
        "w": np.round(np.asarray(width_cm, dtype=float)),
        "y": pd.array(work_year, dtype="Int64").to_numpy(dtype=float, na_value=np.nan),
    })
    h = pd.util.hash_pandas_object(parts, index=False).to_numpy(dtype=np.uint64)
    return np.char.add("W", _hex64(h)).astype(object)


def sale_kinds(artwork_id, sale_date, sold) -> np.ndarray:
    """"repeat" for a lot whose artwork was sold at an earlier lot (sale date, then row order), else "first"."""
    codes, _ = pd.factorize(pd.Series(artwork_id, dtype=object))
    date = pd.to_datetime(pd.Series(sale_date)).to_numpy("datetime64[ns]").astype(np.int64)
    n = codes.size
    order = np.lexsort((np.arange(n), date, codes))
    s = np.asarray(sold, dtype=bool)[order].astype(np.int64)
    c = codes[order]
    cum = np.cumsum(s)
    start = np.r_[True, c[1:] != c[:-1]]
    base = np.maximum.accumulate(np.where(start, cum - s, 0))
    before = cum - s - base
    out = np.empty(n, dtype=object)
    out[order] = np.where(before > 0, "repeat", "first")
    return out


# --------------------------------------------------------------------------
# templates, mappings, config
# --------------------------------------------------------------------------

def _template_fields(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


def render_template(raw: pd.DataFrame, template: str) -> pd.Series:
    """Fill a "{column}" template per row ("images/{Auction Number}_{Artwork Number}.jpg"); NA where a
    field is empty."""
    out = pd.Series("", index=raw.index, dtype=object)
    empty = np.zeros(len(raw), dtype=bool)
    for literal, field, _, _ in string.Formatter().parse(template):
        out = out + literal
        if field is not None:
            t = _text(raw[field]).str.strip()
            empty |= (t == "").to_numpy()
            out = out + t.astype(object)
    return out.where(~empty, None).astype("string")


def source_mapping(config: dict, name: str) -> dict:
    """The mapping of source ``name`` from a config dict, checked; raises InputError naming the problem."""
    sources = config.get("sources") or {}
    if name not in sources:
        raise InputError(f"unknown source {name!r} (the config's sources: {', '.join(sorted(sources)) or 'none'})")
    return _check_mapping(sources[name], name)


def _check_mapping(mapping: dict, name: str = "source") -> dict:
    unknown = sorted(set(mapping) - set(MAPPING_KEYS))
    if unknown:
        raise InputError(f"source {name!r}: unknown mapping key {', '.join(map(repr, unknown))} "
                         f"(known: {', '.join(MAPPING_KEYS)})")
    columns, constants = mapping.get("columns") or {}, mapping.get("constants") or {}
    bad = sorted((set(columns) | set(constants)) - set(FIELDS))
    if bad:
        raise InputError(f"source {name!r}: unknown field {', '.join(map(repr, bad))} (fields: {', '.join(FIELDS)})")
    absent = [f for f in REQUIRED_FIELDS if f not in columns and f not in constants]
    if absent:
        raise InputError(f"source {name!r}: mapping gives no column for {', '.join(map(repr, absent))}")
    return mapping


def describe_source(mapping: dict, name: str = "source", currency: dict | None = None) -> list[str]:
    """Plain sentences stating how a source's quirks are handled (for reports)."""
    notes = []
    if mapping.get("description"):
        notes.append(str(mapping["description"]))
    target = (currency or {}).get("target", "USD")
    notes.append(f"Prices are converted to {target} at constant rates per currency (config currency.rates).")
    if mapping.get("premium_included") is True:
        notes.append("Prices include the buyer's premium (left in: it scales prices by a roughly constant factor "
                     "absorbed by the intercept and year effects).")
    elif mapping.get("premium_included") is False:
        notes.append("Prices are hammer prices without the buyer's premium.")
    else:
        notes.append("The export does not say whether prices include the buyer's premium.")
    if mapping.get("unsold"):
        notes.append(f"Unsold lots are those marked {', '.join(map(repr, mapping['unsold']))}"
                     + (" or flagged by the sold column" if "sold" in (mapping.get("columns") or {}) else "")
                     + "; they are counted in the funnel and left out of the fit.")
    if mapping.get("paintings_only"):
        also = (f" and lots whose material text matches exclude_medium ({mapping['exclude_medium']})"
                if mapping.get("exclude_medium") else "")
        notes.append("Only paintings and works on paper are kept: lots whose material and support are both "
                     f"'other' (sculpture, objects){also} are counted and left out.")
    notes.append(f"Sizes without a unit are read as {mapping.get('size_unit', 'cm')}.")
    return notes


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------

def _raw_schema(columns):
    import pandera.pandas as pa

    return pa.DataFrameSchema({c: pa.Column(required=True, nullable=True) for c in columns})


def _check_columns(raw: pd.DataFrame, needed: list[str], path: str, name: str):
    import pandera.pandas as pa

    try:
        _raw_schema(needed).validate(raw.head(0), lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        missing = list(dict.fromkeys(cases.loc[cases["check"] == "column_in_dataframe", "failure_case"].astype(str)))
        raise InputError(f"{path}: missing column {', '.join(repr(c) for c in missing)} (source {name!r} maps "
                         f"to it; columns present: {', '.join(map(str, raw.columns))})") from None


_REASONS = {"not_nullable": "cannot be parsed", "greater_than(0)": "non-positive value",
            "field_uniqueness": "duplicate lot id"}


def _validate_parsed(raw, checks: pd.DataFrame, columns: dict, reasons: dict, path: str):
    """pandera checks on the parse outcome frame; failures -> one-line InputError."""
    import pandera.pandas as pa

    schema = pa.DataFrameSchema({
        "lot_id": pa.Column(nullable=False, unique=True, report_duplicates="all"),
        "sale_date": pa.Column(nullable=False),
        "price": pa.Column(float, pa.Check.gt(0), nullable=False),
        "height_cm": pa.Column(float, pa.Check.gt(0), nullable=True),
        "width_cm": pa.Column(float, pa.Check.gt(0), nullable=True),
        "depth_cm": pa.Column(float, pa.Check.gt(0), nullable=True),
        "sold": pa.Column(nullable=False),
    })
    try:
        schema.validate(checks, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        messages = []
        for field in checks.columns:
            sub = cases[cases["column"] == field]
            if sub.empty:
                continue
            check = str(sub["check"].iloc[0])
            bad = np.zeros(len(checks), dtype=bool)
            bad[np.asarray(sub.loc[sub["check"] == check, "index"], dtype=np.int64)] = True
            col = columns.get(field, field)
            first = int(np.flatnonzero(bad)[0])
            text = _text(raw[col]).iloc[first] if col in raw.columns else checks[field].iloc[first]
            reason = reasons.get((field, check)) or _REASONS.get(check, check)
            messages.append(f"column '{col}': {reason} at {_where(raw, bad)} (first: {text!r})")
        raise InputError(f"{path}: " + "; ".join(messages)) from None


# --------------------------------------------------------------------------
# the canonical table
# --------------------------------------------------------------------------

def canonical_schema():
    """pandera schema of the canonical sales table (all lots, before the rules)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema({
        "lot_id": pa.Column(unique=True, nullable=False),
        "source": pa.Column(nullable=False),
        "artist": pa.Column(nullable=True),
        "title": pa.Column(nullable=True),
        "sale_date": pa.Column("datetime64[ns]", nullable=False),
        "sale_year": pa.Column("int64"),
        "sold": pa.Column(bool),
        "price": pa.Column(float, pa.Check.gt(0), nullable=True),
        "currency": pa.Column(nullable=True),
        "price_original": pa.Column(float, pa.Check.gt(0), nullable=True),
        "work_year": pa.Column("Int64", nullable=True),
        "height_cm": pa.Column(float, pa.Check.gt(0), nullable=True),
        "width_cm": pa.Column(float, pa.Check.gt(0), nullable=True),
        "depth_cm": pa.Column(float, pa.Check.gt(0), nullable=True),
        "log_area": pa.Column(float, nullable=True),
        "material": pa.Column(None, pa.Check.isin(MATERIALS)),
        "support": pa.Column(None, pa.Check.isin(SUPPORTS)),
        "signed": pa.Column(bool),
        "inscribed": pa.Column(bool),
        "image_path": pa.Column(nullable=True),
        "auction_house": pa.Column(nullable=True),
        "low_estimate": pa.Column(float, nullable=True),
        "high_estimate": pa.Column(float, nullable=True),
        "artwork_id": pa.Column(None, pa.Check.str_matches(r"^W[0-9a-f]{16}$")),
        "sale_kind": pa.Column(None, pa.Check.isin(["first", "repeat"])),
    }, strict=True, ordered=True)


def read_raw(path, mapping: dict | None = None) -> pd.DataFrame:
    """Read a raw export as text (every column a string, empty cells ""), InputError naming the file if unreadable."""
    mapping = mapping or {}
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                           encoding=mapping.get("encoding", "utf-8"), sep=mapping.get("sep", ","))
    except Exception as exc:  # pandas' own message says what is wrong
        raise InputError(f"{path}: cannot be read as CSV ({exc})") from exc


def _field(raw, mapping, field, missing_set) -> pd.Series | None:
    """Text of one field (raw column, template or constant), "" where missing or a missing marker."""
    columns, constants = mapping.get("columns") or {}, mapping.get("constants") or {}
    if field in columns:
        spec = str(columns[field])
        s = render_template(raw, spec).fillna("") if "{" in spec else _text(raw[spec])
    elif field in constants:
        s = pd.Series(str(constants[field]), index=raw.index, dtype=object)
    else:
        return None
    if missing_set:
        def blank(u):
            return u.where(~u.str.lower().isin(missing_set), "")
        s = _on_uniques(s, blank)
    return s


def _column_label(columns: dict, field: str) -> str:
    """The raw column(s) behind a field, for messages."""
    spec = str(columns.get(field, field))
    return "+".join(_template_fields(spec)) if "{" in spec else spec


def _study(mapping, study) -> dict:
    out = {k: tuple(v) for k, v in DEFAULT_STUDY.items()}
    out.update({k: tuple(v) for k, v in (mapping.get("study") or {}).items()})
    out.update({k: tuple(v) for k, v in (study or {}).items() if v is not None})
    return out


def prepare_table(raw: pd.DataFrame, mapping: dict, *, name: str = "source", rates: dict | None = None,
                  target: str = "USD", study: dict | None = None, path: str | None = None, base_dir=None,
                  rules: bool = True):
    """Raw export -> (canonical table, funnel).

    Parameters
    ----------
    raw : DataFrame of the raw export (text columns as :func:`read_raw` gives them).
    mapping : the source's mapping (config ``sources: NAME``).
    name : source name (the ``source`` column).
    rates, target : exchange rates (value of one unit in ``target``) and the target currency.
    study : ``{"sale_years": (first, last), "work_years": (first, last)}``, overrides the mapping's.
    path : file name for messages; base_dir : folder image paths are relative to (the raw file's).
    rules : True (default) returns the lots every rule keeps; False returns all lots with an extra
        column ``left_out`` naming the first rule each lot fails (NA when kept).

    Returns
    -------
    table : DataFrame with :data:`CANONICAL_COLUMNS` (+ ``left_out`` when ``rules=False``).
    funnel : DataFrame with columns step, rows, artists, removed.
    """
    _check_mapping(mapping, name)
    path = path or f"raw table of source {name!r}"
    columns, constants = mapping.get("columns") or {}, mapping.get("constants") or {}
    needed = []
    for field, spec in columns.items():
        needed += _template_fields(str(spec)) if "{" in str(spec) else [str(spec)]
    _check_columns(raw, list(dict.fromkeys(needed)), path, name)
    raw = raw.reset_index(drop=True)
    n = len(raw)
    missing_set = {str(m).strip().lower() for m in mapping.get("missing") or []}
    unsold_set = {str(m).strip().lower() for m in mapping.get("unsold") or []}
    decimal = mapping.get("decimal", "auto")
    rates = {"USD": 1.0} if rates is None else rates
    fields: dict = {}

    def get(field):
        if field not in fields:
            fields[field] = _field(raw, mapping, field, missing_set)
        return fields[field]

    empty = pd.Series("", index=raw.index, dtype=object)

    lot_id = get("lot_id")
    date_text = get("sale_date")
    sale_date = parse_date(date_text, mapping.get("date_format", "ISO8601"))

    price_text = get("price")
    marked_unsold = _on_uniques(price_text, lambda u: u.str.lower().isin(unsold_set)).to_numpy(bool)
    if "sold" in columns or "sold" in constants:
        sold_flag = parse_sold(get("sold"))
        sold_ok = sold_flag.notna().to_numpy()
        sold = sold_flag.fillna(False).to_numpy(bool) & ~marked_unsold
    else:
        sold_ok = np.ones(n, bool)
        sold = ~marked_unsold
    price_given = (price_text != "").to_numpy() & sold
    amount = parse_price(price_text, decimal).to_numpy()
    # the check frame: NaN where text was given but does not parse, a neutral 1.0 where nothing is checked
    price_check = np.where(price_given, amount, 1.0)
    size = parse_size(get("size") if (get("size") is not None) else empty, mapping.get("size_unit", "cm"))

    cur_col = get("currency")
    currency = parse_currency(cur_col).astype(object) if cur_col is not None else pd.Series(None, index=raw.index,
                                                                                             dtype=object)
    if cur_col is not None:  # an unknown code in a currency column stays as written, for the error message
        currency = currency.where(currency.notna() | (cur_col == ""), cur_col.str.upper())
    currency = currency.where(currency.notna(), parse_currency(price_text).astype(object))
    if mapping.get("currency"):
        currency = currency.where(currency.notna(), str(mapping["currency"]).upper())

    checks = pd.DataFrame({
        "lot_id": lot_id.where(lot_id != "", None).to_numpy(dtype=object),
        "sale_date": sale_date.to_numpy(),
        "price": price_check,
        "height_cm": size["height_cm"].to_numpy(),
        "width_cm": size["width_cm"].to_numpy(),
        "depth_cm": size["depth_cm"].to_numpy(),
        "sold": np.where(sold_ok, True, None),
    })
    reasons = {("price", "not_nullable"): "price is neither a number nor an unsold/missing marker "
                                          f"({', '.join(sorted(unsold_set | missing_set)) or 'none configured'})",
               ("price", "greater_than(0)"): "non-positive price for a sold lot",
               ("sale_date", "not_nullable"):
                   f"missing or unparseable date (format {mapping.get('date_format', 'ISO8601')!r})",
               ("lot_id", "not_nullable"): "missing lot id",
               ("height_cm", "greater_than(0)"): "negative or zero size",
               ("width_cm", "greater_than(0)"): "negative or zero size",
               ("depth_cm", "greater_than(0)"): "negative or zero size",
               ("sold", "not_nullable"): "sold flag is not yes/no (1/0, true/false, yes/no)"}
    field_cols = {f: _column_label(columns, f) for f in ("lot_id", "sale_date", "price", "sold")}
    field_cols.update({k: _column_label(columns, "size") for k in ("height_cm", "width_cm", "depth_cm")})
    _validate_parsed(raw, checks, field_cols, reasons, path)

    # currency conversion (only lots with a price need a currency)
    priced = price_given
    no_cur = priced & currency.isna().to_numpy()
    if no_cur.any():
        col = columns.get("currency", columns.get("price"))
        raise InputError(f"{path}: column '{col}': no currency given (no currency column, symbol or source default) "
                         f"at {_where(raw, no_cur)}")
    codes = currency.fillna("USD").astype(str).to_numpy()
    known = {str(k).upper() for k in rates} | {target.upper()}
    bad_cur = priced & ~np.isin(codes, list(known))
    if bad_cur.any():
        col = columns.get("currency", columns.get("price"))
        raise InputError(f"{path}: column '{col}': no exchange rate for currency {codes[bad_cur][0]!r} in the config's "
                         f"currency.rates (known: {', '.join(sorted(known))}) at {_where(raw, bad_cur)}")
    price_original = np.where(priced, amount, np.nan)
    safe_codes = np.where(np.isin(codes, list(known)), codes, target.upper())
    price = convert_currency(price_original, safe_codes, rates, target)

    low = high = np.full(n, np.nan)
    est = get("estimate")
    if est is not None:
        e = parse_estimate(est, decimal)
        low, high = e["low"].to_numpy(), e["high"].to_numpy()
    for fld in ("low_estimate", "high_estimate"):
        t = get(fld)
        if t is not None:
            v = parse_price(t, decimal).to_numpy()
            if fld == "low_estimate":
                low = v
            else:
                high = v
    rated = np.isin(codes, list(known)) & currency.notna().to_numpy()  # estimates of lots without a known rate: NaN
    low = np.where(rated, convert_currency(low, safe_codes, rates, target), np.nan)
    high = np.where(rated, convert_currency(high, safe_codes, rates, target), np.nan)

    year_text = get("work_year")
    work_year = (parse_year(year_text, mapping.get("work_year_pattern")) if year_text is not None
                 else pd.Series(pd.array([pd.NA] * n, dtype="Int64")))
    medium_text = get("medium") if get("medium") is not None else empty
    med = parse_medium(medium_text)
    sig_text = get("signature")
    sig = parse_signature(sig_text if sig_text is not None else empty)
    artist = normalise_artist(get("artist"))
    title_text = get("title")
    title = (_on_uniques(title_text, _clean_title).astype("string") if title_text is not None else
             pd.Series(pd.NA, index=raw.index, dtype="string"))
    house = get("auction_house")
    house = house.where(house != "", None).astype("string") if house is not None else \
        pd.Series(pd.NA, index=raw.index, dtype="string")

    image = pd.Series(pd.NA, index=raw.index, dtype="string")
    if mapping.get("image_path"):
        image = render_template(raw, str(mapping["image_path"]))
    elif get("image_path") is not None:
        image = get("image_path").where(get("image_path") != "", None).astype("string")
    if base_dir is not None and image.notna().any():
        # keep paths of images that exist, relative paths resolved against base_dir; one directory listing
        # per folder, not one look-up per lot
        base = Path(base_dir).resolve()
        rel = image.fillna("")
        parts = rel.str.rpartition("/")
        folders, files = parts[0], parts[2]
        present = np.zeros(n, dtype=bool)
        for folder in folders[rel != ""].unique():
            d = base / folder
            names = set(p.name for p in d.iterdir()) if d.is_dir() else set()
            present |= ((folders == folder) & (rel != "") & files.isin(names)).to_numpy()
        full = rel.where(rel.str.startswith("/"), str(base) + "/" + rel)
        image = full.where(present, None).astype("string")

    h, w, dpt = (size[c].to_numpy() for c in ("height_cm", "width_cm", "depth_cm"))
    with np.errstate(invalid="ignore", divide="ignore"):
        log_area = np.log(h * w)
    table = pd.DataFrame({
        "lot_id": lot_id.astype("string").to_numpy(),
        "source": name,
        "artist": artist.to_numpy(),
        "title": title.to_numpy(),
        "sale_date": sale_date.to_numpy(),
        "sale_year": sale_date.dt.year.to_numpy(dtype=np.int64),
        "sold": sold,
        "price": price,
        "currency": pd.array(np.where(priced | currency.notna().to_numpy(), currency.to_numpy(dtype=object), None),
                             dtype="string"),
        "price_original": price_original,
        "work_year": pd.array(work_year, dtype="Int64"),
        "height_cm": h, "width_cm": w, "depth_cm": dpt, "log_area": log_area,
        "material": med["material"].to_numpy(dtype=object),
        "support": med["support"].to_numpy(dtype=object),
        "signed": sig["signed"].to_numpy(bool),
        "inscribed": sig["inscribed"].to_numpy(bool),
        "image_path": image.to_numpy(),
        "auction_house": house.to_numpy(),
        "low_estimate": low, "high_estimate": high,
    })
    table["artwork_id"] = artwork_ids(get("artist"), title_text if title_text is not None else empty, h, w,
                                      table["work_year"])
    table["sale_kind"] = sale_kinds(table["artwork_id"], table["sale_date"], table["sold"])
    for col in ("artist", "title", "image_path", "auction_house", "lot_id", "source"):
        table[col] = table[col].astype("string")
    canonical_schema().validate(table)

    # rules, in order; each lot is charged to the first rule it fails
    st = _study(mapping, study)
    (s0, s1), (w0, w1) = st["sale_years"], st["work_years"]
    wy = table["work_year"].to_numpy(dtype=float, na_value=np.nan)
    steps = [("artist named", table["artist"].notna().to_numpy())]
    if mapping.get("paintings_only") or mapping.get("exclude_medium"):
        painting = np.ones(n, dtype=bool)
        if mapping.get("paintings_only"):
            painting &= ~((table["material"] == "other") & (table["support"] == "other")).to_numpy()
        if mapping.get("exclude_medium"):
            pattern = str(mapping["exclude_medium"])
            hit = _on_uniques(medium_text, lambda u: _medium_parts(_fold(u))["mat"].str.contains(pattern, regex=True))
            painting &= ~hit.to_numpy(bool)
        steps.append(("painting or work on paper", painting))
    nw = get("n_works")
    if nw is not None:
        k = pd.to_numeric(nw, errors="coerce").to_numpy(dtype=float)
        steps.append(("one work per lot", ~(k > 1)))
    steps += [
        ("sold", table["sold"].to_numpy(bool)),
        ("price given", table["price"].notna().to_numpy()),
        ("creation year given", ~np.isnan(wy)),
        ("size given", np.isfinite(log_area)),
        (f"sale year in {s0}-{s1}", ((table["sale_year"] >= s0) & (table["sale_year"] <= s1)).to_numpy()),
        (f"work year in {w0}-{w1}", (wy >= w0) & (wy <= w1)),
        ("work year not after sale year", ~(wy > table["sale_year"].to_numpy())),
    ]
    left = np.full(n, None, dtype=object)
    alive = np.ones(n, dtype=bool)
    artists = table["artist"]
    rows = [("lots read", n, int(artists.nunique()), 0)]
    for step, ok in steps:
        out = alive & ~np.asarray(ok, dtype=bool)
        left[out] = step
        alive &= ~out
        rows.append((step, int(alive.sum()), int(artists[alive].nunique()), int(out.sum())))
    funnel = pd.DataFrame(rows, columns=["step", "rows", "artists", "removed"])
    if rules:
        return table.loc[alive].reset_index(drop=True), funnel
    table["left_out"] = pd.array(left, dtype="string")
    return table, funnel


# --------------------------------------------------------------------------
# command line: artstudy prepare RAW.csv --source NAME --out SALES.csv
# --------------------------------------------------------------------------

def funnel_path(out) -> Path:
    out = Path(out)
    return out.with_name(out.stem + ".funnel.csv")


def _prepare(args) -> int:
    config = load_config(args.config)
    mapping = source_mapping(config, args.source)
    cur = config.get("currency") or {}
    raw = read_raw(args.raw, mapping)
    study = {"sale_years": args.sale_years, "work_years": args.work_years}
    table, funnel = prepare_table(raw, mapping, name=args.source, rates=cur.get("rates"),
                                  target=cur.get("target", "USD"), study=study, path=str(args.raw),
                                  base_dir=Path(args.raw).parent)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    front = PAM_COLUMNS + [c for c in CANONICAL_COLUMNS if c not in PAM_COLUMNS]
    table = table[front].assign(sale_date=table["sale_date"].dt.strftime("%Y-%m-%d"))
    table.to_csv(out, index=False)
    funnel.to_csv(funnel_path(out), index=False)
    print(funnel.to_string(index=False))
    print(f"wrote {out} ({len(table)} lots by {table['artist'].nunique()} artists) and {funnel_path(out)}")
    return 0


def register_cli(subparsers) -> argparse.ArgumentParser:
    """Add ``artstudy prepare`` to the ``artstudy`` subparsers."""
    p = subparsers.add_parser("prepare", help="raw auction export -> the sales table pam-fit reads",
                              description="Parse a raw auction export with a source mapping from the config, "
                                          "validate it and write the canonical sales table and its funnel.")
    p.add_argument("raw", type=Path, help="raw export (CSV)")
    p.add_argument("--source", required=True, help="source mapping name in the config's sources: section")
    p.add_argument("--out", type=Path, required=True, help="output CSV (the funnel goes to OUT.funnel.csv)")
    p.add_argument("--config", type=Path, default=None,
                   help="config file (default: the repository's config/config.yaml, else ./config/config.yaml)")
    p.add_argument("--sale-years", type=int, nargs=2, metavar=("FIRST", "LAST"), default=None,
                   help="study window of sale years (default 1993 2022 or the source's study:)")
    p.add_argument("--work-years", type=int, nargs=2, metavar=("FIRST", "LAST"), default=None,
                   help="study window of creation years (default 1951 2020 or the source's study:)")
    p.set_defaults(func=_prepare)
    return p


def main(argv=None) -> int:  # pragma: no cover - the lead wires register_cli into artstudy.cli
    parser = argparse.ArgumentParser(prog="artstudy")
    register_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"artstudy {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
