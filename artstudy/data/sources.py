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

__all__ = ["Columns", "Constants", "StudyWindow", "SourceMapping", "CurrencySettings", "DEFAULT_RATES", "FIELDS",
           "REQUIRED_FIELDS"]

#: USD per unit of each currency, constant over time (the synthetic world writes its prices with them).
DEFAULT_RATES = {"USD": 1.0, "GBP": 1.30, "EUR": 1.15, "HKD": 0.128}


class Columns(Section):
    """Canonical field -> raw column name, or a template of columns such as ``"{a}-{b}"``."""

    lot_id: str | None = None
    """Unique lot identifier (column or template)."""
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


FIELDS = tuple(Columns.model_fields)
REQUIRED_FIELDS = ("lot_id", "sale_date", "artist", "price")


class Constants(Section):
    """Fields with one value for every lot."""

    auction_house: str | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    title: str | None = None


class StudyWindow(Section):
    """The study's window of sale years and creation years (inclusive)."""

    sale_years: tuple[int, int] = (1993, 2022)
    """First and last sale year kept."""
    work_years: tuple[int, int] = (1951, 2020)
    """First and last creation year kept."""

    @model_validator(mode="after")
    def _ordered(self):
        for name in ("sale_years", "work_years"):
            lo, hi = getattr(self, name)
            if lo > hi:
                raise ValueError(f"{name}: first year {lo} is after last year {hi}")
        return self


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
    path: str | None = None
    """The raw export the workflow prepares: absolute, or relative to the config's ``data_dir``."""
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
    unsold: list[str] = Field(default_factory=list)
    """Price (or sold) texts that mark an unsold lot, compared case-insensitively."""
    missing: list[str] = Field(default_factory=list)
    """Texts that mean "not given" in any mapped column, compared case-insensitively."""
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

    _check_regex = field_validator("exclude_medium", "work_year_pattern")(_regex)

    @model_validator(mode="after")
    def _required(self):
        absent = [f for f in REQUIRED_FIELDS
                  if getattr(self.columns, f) is None and getattr(self.constants, f, None) is None]
        if absent:
            raise ValueError(f"columns: no column for {', '.join(map(repr, absent))}")
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

    @field_validator("rates", mode="before")
    @classmethod
    def _merge(cls, value):
        if isinstance(value, dict):
            bad = [k for k in value if not re.fullmatch(r"[A-Z]{3}", str(k))]
            if bad:
                raise ValueError(f"currency codes must be three capital letters, got {', '.join(map(repr, bad))}")
            return {**DEFAULT_RATES, **value}
        return value
