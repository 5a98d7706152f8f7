"""Source mappings (the config's ``sources:``) and currency settings (``currency:``).

A source is described by a mapping alone, so a new export that uses the same kinds of text
needs no Python. The mapping is validated before any data is read: an unknown key, a bad
value or a regular expression that does not compile is a one-line
:class:`artstudy.errors.InputError` naming the key.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, PositiveFloat, field_validator, model_validator

from .._section import Section

__all__ = ["Columns", "Constants", "Plausible", "StudyWindow", "SourceMapping", "CurrencySettings", "DEFAULT_RATES",
           "FIELDS", "REQUIRED_FIELDS", "template_fields", "spec_columns"]

#: USD per unit of each currency, constant over time (the synthetic world writes its prices with them).
DEFAULT_RATES = {"USD": 1.0, "GBP": 1.30, "EUR": 1.15, "HKD": 0.128}


class Columns(Section):
    """Canonical field -> raw column name, or a template of columns such as ``"{a}-{b}"``."""

    lot_id: str | None = None
    """Unique lot identifier (column or template). A template part that is empty reads as blank
    (``"{Sale}-{Lot}"`` -> ``"S1-"``); an id whose every part is empty is missing. ``"{_row}"`` is the row
    number in the file (1 = the first row after the header), for exports without a lot id (a column named
    ``_row`` in the file wins)."""
    sale_date: str | None = None
    """Sale date text."""
    artist: str | None = None
    """Artist name."""
    price: str | None = None
    """Price text; the unsold markers say unsold."""
    title: str | None = None
    """Title."""
    auction_house: str | None = None
    """Auction house."""
    medium: str | None = None
    """Material and support text."""
    size: str | None = None
    """Dimensions text."""
    work_year: str | None = None
    """Creation year text."""
    signature: str | None = None
    """Markings text (signed, inscribed)."""
    currency: str | None = None
    """Currency code per lot."""
    estimate: str | None = None
    """Presale estimate range text ("10,000 - 15,000")."""
    low_estimate: str | None = None
    """Low presale estimate."""
    high_estimate: str | None = None
    """High presale estimate."""
    sold: str | None = None
    """Yes/no sold flag column."""
    n_works: str | None = None
    """Works in the lot; lots of several works are left out."""
    image_path: str | None = None
    """Image path column (or use the mapping's image_path template)."""
    height: str | None = None
    """Height column (a number, in ``size_unit`` or the unit column's unit), instead of a dimensions text."""
    width: str | None = None
    """Width column (with ``height``)."""
    depth: str | None = None
    """Depth column (with ``height`` and ``width``)."""
    size_unit: str | None = None
    """Unit of the height/width/depth columns per lot (cm, mm, in, m; px or pixels are flagged)."""
    rate: str | None = None
    """Exchange rate per lot: the value of one unit of the lot's currency in the target currency."""

    @field_validator("*")
    @classmethod
    def _valid_template(cls, value):
        return _template(value)

    @model_validator(mode="after")
    def _size_columns(self):
        parts = [f for f in ("width", "depth", "size_unit") if getattr(self, f) is not None]
        if parts and self.height is None:
            raise ValueError(f"{parts[0]}: give the height column too (height, width, depth and size_unit "
                             "go together)")
        if self.height is not None and self.width is None:
            raise ValueError("height: give the width column too")
        return self


FIELDS = tuple(Columns.model_fields)
REQUIRED_FIELDS = ("lot_id", "sale_date", "artist", "price")


class Constants(Section):
    """Fields with one value for every lot."""

    auction_house: str | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    title: str | None = None


class Plausible(Section):
    """Plausible ranges (inclusive); lots outside are left out, counted and listed with their reason."""

    size_cm: tuple[float, float] | None = None
    """Smallest and largest height, width and depth in cm (e.g. [1, 1000]); sizes in pixels are left out too."""
    price: tuple[float, float] | None = None
    """Lowest and highest price in the target currency (e.g. [1, 1e9])."""

    @field_validator("size_cm", "price", mode="before")
    @classmethod
    def _two_bounds(cls, value):
        if value is not None and (not isinstance(value, (list, tuple)) or len(value) != 2):
            raise ValueError("give two numbers, [lowest, highest]")
        return value

    @model_validator(mode="after")
    def _ordered(self):
        for name in ("size_cm", "price"):
            bounds = getattr(self, name)
            if bounds is not None and not bounds[0] <= bounds[1]:
                raise ValueError(f"{name}: lower bound {bounds[0]} is above upper bound {bounds[1]}")
        return self


class StudyWindow(Section):
    """The study's window of sale years and creation years (inclusive)."""

    sale_years: tuple[int, int] = (1993, 2022)
    """First and last sale year kept."""
    work_years: tuple[int, int] = (1951, 2020)
    """First and last creation year kept."""

    @field_validator("sale_years", "work_years", mode="before")
    @classmethod
    def _two_years(cls, value):
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise ValueError("give two years, [first, last]")
        return value

    @model_validator(mode="after")
    def _ordered(self):
        for name in ("sale_years", "work_years"):
            lo, hi = getattr(self, name)
            if lo > hi:
                raise ValueError(f"{name}: first year {lo} is after last year {hi}")
        return self


def _template(value):
    """A column name, or a template of columns ("{Sale}-{Lot}") whose braces close and name a column each."""
    if value is None or "{" not in value:  # a plain column name (which may hold a "}")
        return value
    import string

    try:
        parts = [(f, c, spec) for _, f, spec, c in string.Formatter().parse(value) if f is not None]
    except ValueError as exc:
        raise ValueError(f"not a valid template of columns ({exc}; write {{Column}}, and {{{{ or }}}} for a "
                         "brace itself)") from None
    if any(f == "" for f, _, _ in parts):
        raise ValueError("not a valid template of columns ({} names no column; write {Column})")
    if any(c or spec for _, c, spec in parts):
        raise ValueError("not a valid template of columns (a part holds '!' or ':', which a template does not "
                         "read; write {Column})")
    return value


def template_fields(template: str) -> list[str]:
    """The columns a "{column}" template names."""
    import string

    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


def spec_columns(spec: str) -> list[str]:
    """The raw columns a mapping's column name or "{column}" template names."""
    return template_fields(spec) if "{" in spec else [spec]


def _date_format(value: str) -> str:
    """A strptime format with at least one directive, "ISO8601" or "mixed"; checked by pandas' own parser."""
    if value in ("ISO8601", "mixed"):
        return value
    if "%" not in value:
        raise ValueError("holds no %-directive: write a strptime format such as %d/%m/%Y, or ISO8601 or mixed")
    import pandas as pd

    try:
        pd.to_datetime(pd.Series(["2000-01-01"]), format=value, errors="coerce")
    except ValueError as exc:
        raise ValueError(f"not a strptime format ({exc}; e.g. %d/%m/%Y, %B %d, %Y)") from None
    return value


def _year_pattern(value):
    """A regular expression with a group (its first group is the creation year)."""
    if value is not None and re.compile(_regex(value)).groups < 1:
        raise ValueError('needs a group, in parentheses, around the year (e.g. "c\\. (\\d{4})")')
    return value


def _regex(value):
    if value is None:
        return value
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    return value


class SourceMapping(Section):
    """How to read one raw export."""

    description: str | None = None
    """What the export is."""
    extends: str | None = None
    """Another source of the config whose mapping this one starts from (its keys merged over it, nested
    mappings key by key): e.g. the same export read with other rules."""
    path: str | list[str] | None = None
    """The raw export the workflow prepares: absolute, or relative to the config's ``data_dir``; a list of files of
    this layout, or a pattern (``exports/*.csv``), makes one table of them (lot ids ``"<file>:<id>"``)."""
    columns: Columns
    """Canonical field -> raw column name or template."""
    constants: Constants = Field(default_factory=Constants)
    """Fields with one value for every lot."""
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    """Currency of the prices when neither a currency column nor a symbol says."""
    date_format: str = "ISO8601"
    """strptime format of the sale date, or ISO8601 or mixed."""
    size_unit: Literal["cm", "mm", "in", "m"] = "cm"
    """Unit of sizes whose text names none."""
    decimal: Literal[".", ",", "auto"] = "auto"
    """Decimal mark of prices."""
    unsold: list[str] | dict[str, list[str]] = Field(default_factory=list)
    """Texts that mark an unsold lot, compared case-insensitively: a list (read in the price column), or
    field -> list for the ``price`` and ``sold`` columns (``{price: ["-1"], sold: [Withdrawn]}``). A price
    text that is an unsold marker means unsold even where it is also a ``missing`` marker."""
    missing: list[str] | dict[str, list[str]] = Field(default_factory=list)
    """Texts that mean "not given", compared case-insensitively: a list (every mapped column), or
    field -> list for some fields only (``{work_year: ["-1", "n.d."], size: ["-1"]}``)."""
    premium_included: bool | None = None
    """Whether prices include the buyer's premium (stated in reports)."""
    paintings_only: bool = False
    """Leave out (counted) lots whose material and support are both other."""
    exclude_medium: str | None = None
    """Regular expression; lots whose material text matches are left out (counted)."""
    work_year_pattern: str | None = None
    """Regular expression whose first group is the creation year."""
    image_path: str | None = None
    """Template of the image path relative to the raw file's folder."""
    study: StudyWindow | None = None
    """The source's study window (default: the caller's, else sale years 1993-2022, work years 1951-2020)."""
    encoding: str = "utf-8"
    """Text encoding of the file."""
    sep: str = ","
    """Field separator of the file."""
    date_range: Literal["end", "start"] = "end"
    """Which date of a sale-date range ("04/01/2020-04/16/2020", "1-3 May 2019") is the sale date."""
    bad_dates: Literal["stop", "drop"] = "stop"
    """A sale date that cannot be read: stop with an error naming the lines, or leave the lot out (counted)."""
    plausible: Plausible | None = None
    """Plausible sizes and prices; lots outside are left out (counted, listed in ``<out>.excluded.csv``)."""

    duplicates: Literal["stop", "drop_identical", "prefer_sold"] = "stop"
    """Lots whose id repeats: ``stop`` with an error naming the lines; ``drop_identical``: drop rows identical
    in every mapped column to an earlier row, in any of the source's files (a repeated id left after that still
    stops); ``prefer_sold``: keep
    one row per lot id, a sold one if any, else the last. The rows dropped are counted in the funnel
    ("duplicate lots")."""
    shared_lot_ids: bool = False
    """Several files of this source (a list or pattern of paths, or several files given to prepare) number their
    lots in one series, e.g. parts of one scrape with sale-lot ids: the same id in two files is the same lot, so
    ``duplicates`` and the duplicate-id stop apply across files (the table's ids keep the ``"<file>:"`` prefix of
    the row kept). Default false: each file numbers its own lots."""
    fallbacks: dict[str, str] = Field(default_factory=dict)
    """Field -> raw column (or template) read where the field's own column is empty or missing
    (``{work_year: title}``: the creation year from the title when the year column is empty)."""
    strip: dict[str, str] = Field(default_factory=dict)
    """Field -> regular expression removed from the field's text before it is read (``{sale_date: "^null: "}``:
    the prefix "null: " dropped; every match is removed)."""
    filter: dict[str, list[str]] = Field(default_factory=dict)
    """Raw column -> the texts kept (case-insensitive): rows with any other text are dropped before reading,
    counted in the funnel (``{Category: [Paintings, Drawings]}``)."""
    exclude: dict[str, list[str]] = Field(default_factory=dict)
    """Raw column -> texts whose rows are dropped before reading, counted in the funnel
    (``{Category: [Prints, Multiples]}``)."""

    _check_regex = field_validator("exclude_medium")(_regex)
    _check_year_pattern = field_validator("work_year_pattern")(_year_pattern)
    _check_template = field_validator("image_path")(_template)
    _check_date_format = field_validator("date_format")(_date_format)

    @field_validator("path")
    @classmethod
    def _some_path(cls, value):
        if isinstance(value, list) and not value:
            raise ValueError("give a file, or a list of one or more files")
        return value

    @field_validator("unsold", "missing", "filter", "exclude", mode="before")
    @classmethod
    def _lists_not_text(cls, value):
        """One text where a list of texts belongs is an error, not a list of its letters."""
        if isinstance(value, str):
            raise ValueError(f"give a list of texts (e.g. [{value}]), not one text")
        if isinstance(value, dict):
            bad = [k for k, v in value.items() if isinstance(v, str)]
            if bad:
                raise ValueError(f"{bad[0]}: give a list of texts (e.g. [{value[bad[0]]}]), not one text")
        return value

    @field_validator("strip")
    @classmethod
    def _strip_regex(cls, value):
        for field, pattern in value.items():
            try:
                _regex(pattern)
            except ValueError as exc:
                raise ValueError(f"{field}: {exc}") from None
        return value

    @field_validator("fallbacks")
    @classmethod
    def _fallback_templates(cls, value):
        for field, template in value.items():
            try:
                _template(template)
            except ValueError as exc:
                raise ValueError(f"{field}: {exc}") from None
        return value

    @model_validator(mode="after")
    def _known_fields(self):
        for key in ("missing", "fallbacks", "strip"):
            value = getattr(self, key)
            bad = [k for k in value if k not in FIELDS] if isinstance(value, dict) else []
            if bad:
                raise ValueError(f"{key}: unknown field {bad[0]!r} (fields: {', '.join(FIELDS)})")
        if isinstance(self.unsold, dict) and (bad := [k for k in self.unsold if k not in ("price", "sold")]):
            raise ValueError(f"unsold: field {bad[0]!r} cannot mark unsold lots (give price or sold)")
        return self

    def missing_for(self, field: str) -> set[str]:
        """The ``missing`` markers of one field, stripped and lower case."""
        marks = self.missing.get(field, []) if isinstance(self.missing, dict) else self.missing
        return {str(m).strip().lower() for m in marks}

    def unsold_for(self, field: str = "price") -> set[str]:
        """The ``unsold`` markers read in one field (``price`` or ``sold``), stripped and lower case."""
        if isinstance(self.unsold, dict):
            marks = self.unsold.get(field, [])
        else:
            marks = self.unsold if field == "price" else []
        return {str(m).strip().lower() for m in marks}

    @model_validator(mode="after")
    def _required(self):
        absent = [f for f in REQUIRED_FIELDS
                  if getattr(self.columns, f) is None and getattr(self.constants, f, None) is None]
        if absent:
            raise ValueError(f"columns: no column for {', '.join(map(repr, absent))}")
        if self.shared_lot_ids and any("_row" in spec_columns(spec)
                                       for spec in (self.columns.lot_id, self.fallbacks.get("lot_id")) if spec):
            raise ValueError("shared_lot_ids: lot_id {_row} numbers the rows of each file anew; shared ids need "
                             "an id column")
        return self

    def column_map(self) -> dict:
        """The mapped fields as {field: raw column or template}."""
        return self.columns.model_dump(exclude_none=True)

    def constant_map(self) -> dict:
        """The constant fields as {field: value}."""
        return self.constants.model_dump(exclude_none=True)


class CurrencySettings(Section):
    """One currency for all prices; rates are the value of one unit in ``target``, constant over time."""

    target: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    """Currency every price and estimate is converted to."""
    rates: dict[str, PositiveFloat] = Field(default_factory=lambda: dict(DEFAULT_RATES))
    """Value of one unit of each currency in the target currency; rates given in a config are merged over
    the defaults (USD 1, GBP 1.30, EUR 1.15, HKD 0.128)."""
    rates_file: str | None = None
    """CSV of rates by year (columns year, currency, rate: the value of one unit in the target currency that
    year); the currencies it lists are converted at their sale year's rate, the others at ``rates``. A year
    missing for a currency in use is an error naming them."""

    @field_validator("rates", mode="before")
    @classmethod
    def _merge(cls, value):
        if isinstance(value, dict):
            bad = [k for k in value if not re.fullmatch(r"[A-Z]{3}", str(k))]
            if bad:
                raise ValueError(f"currency codes must be three capital letters, got {', '.join(map(repr, bad))}")
            return {**DEFAULT_RATES, **value}
        return value
