r"""A synthetic Artnet-like auction market drawn from the popularity-ability model, with its truth.

The seed paper's real data (Section 4.1) are Artnet records of 64,176 lots by 260
post-war and contemporary artists born after 1920, works made 1951-2020, sold
1993-2022; its artist-selection rule keeps 42,599 lots by 152 artists. The Artnet
records are licensed, so :func:`generate_world` draws a market like it, from one
``numpy.random.Generator`` (no global randomness), and :meth:`World.write` writes

* ``raw_lots.csv``: the raw export (source ``synthetic``), every field as text the way
  a user's export has it: ``"MARY SMITH "``, ``"30 1/2 x 22 in."``, ``"c. 1965"``,
  ``"1965-67"``, ``"not given"``, ``"Signed, titled and inscribed"``,
  ``"1,234,567"`` or ``"Bought In"``, ``"10,000 - 15,000"``, prices in USD, GBP, EUR
  or HKD by auction house (columns and forms: ``notes/design3.md``);
* the truth: ``truth_coefficients.csv`` (term, truth; named as
  :func:`artstudy.design.design_matrix` names them), ``truth_ability.csv`` (artist,
  window, window_start, value), ``truth_lots.csv`` (lot_id, artwork_id,
  log_price_usd, ability, popularity, then the lot's true attributes) and
  ``artists.csv`` (artist, birth_year, career, counts, selection outcome), plus
  ``spec.json``.

The market
----------
*Artists* (default 260) have unique names, birth years 1920-1990, a career starting
at about age 25 and, for some, ending early; the work windows (5 years from 1951) that
overlap the career are the artist's active windows. Artists born late have few windows
before 2020, some artists stop early and some (``sparse_share``) produce very unevenly
over their windows, so that about 40% of the artists fail the paper's selection rule
(at least 3 works in each of at least 6 consecutive windows from the first window with
3), as the paper's 260 artists became 152. Each artist's expected number of lots is
capped at ``max_lots_per_artist`` (the paper sampled at most 500 works per artist).

*Ability* is a random walk over the artist's active windows, as the model has it:
``a[first] ~ N(0, tau2)``, steps ``N(0, sigma_a^2)``.

*Works* have a creation year inside their window and the artist's career, a size (log
area by support, an aspect ratio; written in cm to 0.1 cm or in inches to 1/8 inch, so
the written size is the true size), a medium (material x support in the paper's 7 x 6
categories, written as text such as "Oil on canvas" or "Bronze"), signature and
inscription flags (written as "Signed and dated", "Inscribed", "Unsigned", ...) and a
title (many "Untitled"). A share of creation years is written "c. 1965" or "1965-67"
(meaning 1965) and a share is "not given".

*Sales*: a work is first offered in a sale year between its creation (or 1993) and 2022,
with more sales in later years; a share of works is offered again one or more times
later (repeat sales: same work attributes, each sale its own noise, year and
popularity). Lots are generated year by year so that popularity feeds back into price:

.. math::

    y = x'\beta + \gamma u_{i,t} + a_{i,t'} + \epsilon, \quad \epsilon \sim N(0, \sigma^2),

with :math:`y` the log price in USD, the paper's Table 2 coefficients
(:data:`artstudy.simulate.PAPER_BETA`, year effects and naming of
:meth:`artstudy.simulate.SimulationSpec.coefficients`), and popularity :math:`u_{i,t}`
the sum of the artist's log prices in earlier sale years divided by 10,000
(:func:`artstudy.popularity.popularity`), summed over the lots the analysis can use:
the sold lots whose creation year is given. That is exactly the popularity that
``artstudy prepare`` followed by ``artstudy pam-fit`` computes from the raw export
(the data layer drops unsold and undated lots before the model's table is written),
so the model fitted on the export is the model that generated it.

*Unsold lots* ("Bought In", ``unsold_share``, about 20%) are drawn independently of
everything else, the price included: the sold lots are a random subsample, so the model
fitted on sold lots stays unbiased. Their latent price is kept in the truth
(``latent_log_price_usd``) but adds nothing to popularity. Creation years are left
"not given" independently of the price too.

*Auction houses* sell in their currency (USD, GBP, EUR, HKD; Hong Kong sales from
2005); a price in USD ``exp(y)`` is written as ``round(exp(y) / rate)`` units of the
currency, with the constant rates of the config's ``currency`` section (USD per unit:
GBP 1.30, EUR 1.15, HKD 0.128), so converting back gives the model's price up to the
rounding to whole units. Presale estimates (low, high) are rounded to two significant
digits around the expected price with a specialist's error; some are missing.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..settings import default_config_path, load_config  # noqa: F401 (load_config re-exported)
from ..models.pam.selection import artist_spans
from .market import COVARIATES, PAPER_BETA, SimulationSpec, feedback_log_prices, linear_predictor

__all__ = ["WorldSpec", "World", "generate_world", "register_cli", "load_config", "spec_from_config", "MEDIA",
           "HOUSES", "RATES", "COVARIATES", "RAW_COLUMNS"]


RAW_COLUMNS = ("lot_id", "auction_house", "sale_date", "artist_name", "title", "medium", "dimensions",
               "year_of_work", "markings", "currency", "hammer_price", "estimate")

# USD per unit of each currency (notes/design3.md; the config's currency section)
RATES = {"USD": 1.0, "GBP": 1.30, "EUR": 1.15, "HKD": 0.128}

# medium text -> (material, support, weight, three-dimensional); the paper's categories
MEDIA = {
    "Oil on canvas": ("oil", "canvas", 0.21, False),
    "Oil on board": ("oil", "board", 0.03, False),
    "Oil on cardboard": ("oil", "cardboard", 0.02, False),
    "Oil on paper": ("oil", "paper", 0.03, False),
    "Acrylic on canvas": ("acrylic", "canvas", 0.11, False),
    "Acrylic and silkscreen ink on canvas": ("acrylic", "canvas", 0.03, False),
    "Acrylic on paper": ("acrylic", "paper", 0.03, False),
    "Acrylic on board": ("acrylic", "board", 0.01, False),
    "Acrylic on leather": ("acrylic", "leather", 0.01, False),
    "Watercolour on paper": ("watercolour", "paper", 0.08, False),
    "Watercolour on cardboard": ("watercolour", "cardboard", 0.01, False),
    "Pastel on paper": ("pastel", "paper", 0.03, False),
    "Pastel on board": ("pastel", "board", 0.02, False),
    "Pencil on paper": ("pencil", "paper", 0.09, False),
    "Pencil on cardboard": ("pencil", "cardboard", 0.01, False),
    "Mixed media on paper": ("mixed media", "paper", 0.06, False),
    "Mixed media on canvas": ("mixed media", "canvas", 0.05, False),
    "Mixed media on board": ("mixed media", "board", 0.02, False),
    "Mixed media on leather": ("mixed media", "leather", 0.01, False),
    "Gouache on paper": ("other", "paper", 0.04, False),
    "Ink on paper": ("other", "paper", 0.02, False),
    "Bronze": ("other", "other", 0.03, True),
    "Oil on copper": ("oil", "other", 0.01, False),
}

# auction house -> currency; inches_share: how often the house gives sizes in inches
HOUSES = {
    "Christie's New York": ("USD", 0.16), "Sotheby's New York": ("USD", 0.16), "Phillips New York": ("USD", 0.07),
    "Christie's London": ("GBP", 0.13), "Sotheby's London": ("GBP", 0.12), "Phillips London": ("GBP", 0.05),
    "Bonhams London": ("GBP", 0.03), "Christie's Paris": ("EUR", 0.05), "Sotheby's Paris": ("EUR", 0.03),
    "Dorotheum Vienna": ("EUR", 0.03), "Lempertz Cologne": ("EUR", 0.03), "Christie's Hong Kong": ("HKD", 0.07),
    "Sotheby's Hong Kong": ("HKD", 0.05), "Phillips Hong Kong": ("HKD", 0.02),
}
HONG_KONG_FROM = 2005
INCHES_SHARE = {"USD": 0.7, "GBP": 0.15, "EUR": 0.05, "HKD": 0.1}

# log area (cm^2) by support: mean; sd LOG_AREA_SD
LOG_AREA_MEAN = {"canvas": 8.4, "cardboard": 7.2, "board": 7.7, "paper": 7.0, "leather": 7.5, "other": 7.6}
LOG_AREA_SD = 0.8

MARKINGS = {  # (signed, inscribed) -> texts
    (True, False): ["Signed", "Signed and dated", "Signed, titled and dated"],
    (True, True): ["Signed, titled and inscribed", "Signed and inscribed", "Inscribed and signed"],
    (False, True): ["Inscribed"],
    (False, False): ["Unsigned", "Stamped"],
}

FIRST_NAMES = np.array([
    "Mary", "John", "Anna", "Peter", "Laura", "David", "Helen", "Thomas", "Susan", "Michael", "Ruth", "Robert",
    "Clara", "James", "Alice", "Richard", "Emma", "George", "Julia", "Frank", "Nina", "Paul", "Sarah", "Walter",
    "Eva", "Henry", "Grace", "Martin", "Irene", "Karl", "Louise", "Hans", "Marta", "Pierre", "Sophie", "Luis",
    "Elena", "Jean", "Ingrid", "Marco", "Yuki", "Kenji", "Mei", "Wei", "Lena", "Oskar", "Rosa", "Victor",
    "Agnes", "Bruno", "Carla", "Daniel", "Edith", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Kate", "Leon",
])
LAST_NAMES = np.array([
    "Smith", "Baker", "Carter", "Dalton", "Ellis", "Fischer", "Gray", "Hart", "Ingram", "Jensen", "Keller",
    "Lang", "Moreau", "Nash", "Olsen", "Porter", "Quinn", "Reed", "Stone", "Turner", "Ulrich", "Vance", "Walsh",
    "Young", "Zeller", "Abbott", "Brandt", "Cole", "Dorn", "Eder", "Frost", "Graf", "Holt", "Ito", "Janssen",
    "Kato", "Lund", "Marsh", "Novak", "Ortega", "Price", "Roth", "Sato", "Tanaka", "Voss", "Weber", "Berger",
    "Castell", "Duval", "Engel", "Falk", "Gerber", "Hayes", "Iversen", "Jung", "Kraus", "Lindqvist", "Mertens",
    "Nolan", "Pryce", "Richter", "Sander", "Thorne", "Vogel", "Winter", "Arden", "Blake", "Crane", "Drake",
    "Ferris", "Garland", "Horn", "Lowell", "Mercer", "Navarro", "Paige", "Romano", "Silva", "Tate", "Wade",
])
TITLE_ADJ = np.array(["Blue", "Red", "Yellow", "Black", "White", "Green", "Grey", "Golden", "Silent", "Broken",
                      "Small", "Large", "Early", "Late", "Quiet", "Bright", "Dark", "Double", "Open", "Hidden"])
TITLE_NOUN = np.array(["Landscape", "Figure", "Head", "Interior", "Garden", "Sea", "City", "Window", "Portrait",
                       "Still Life", "Field", "Composition", "Nude", "Horizon", "Room", "Mountain", "Flowers",
                       "Tower", "Bridge", "Dancer", "Woman", "Man", "Forest", "River", "Night"])

SALE_MONTHS = np.array([2, 3, 5, 6, 10, 11, 12])
SALE_MONTH_WEIGHTS = np.array([0.12, 0.08, 0.28, 0.12, 0.10, 0.25, 0.05])


@dataclass
class WorldSpec:
    """Size, shares and true parameters of a synthetic Artnet-like market.

    Scale and calendar
        ``n_artists`` (260) and ``n_lots`` (64,000 lots offered, sold or not), as the
        paper's data before its selection rule; birth years ``birth_first``-``birth_last``
        (1920-1990); ``n_windows`` (14) work windows of ``window_width`` (5) years from
        ``window_start`` (1951); ``n_sale_years`` (30) sale years from ``first_sale_year``
        (1993); at most ``max_lots_per_artist`` (500) lots expected per artist.
    Careers
        ``career_age`` (25): mean age at the first work; ``short_career_share`` (0.15):
        artists who stop after ``short_career_years`` (10-40) years; ``sparse_share``
        (0.2): artists whose output varies strongly between windows
        (``sparse_sd`` 1.0 on the log scale, others ``window_sd`` 0.35).
    Lots
        ``unsold_share`` (0.2, "Bought In", independent of price), ``repeat_share``
        (0.12: works offered more than once), ``repeat_gap`` (6: mean years between
        offers), ``missing_year_share`` (0.04, "not given"), ``circa_share`` (0.08,
        "c. 1965"), ``range_share`` (0.05, "1965-67"), ``missing_estimate_share``
        (0.08), ``estimate_sd`` (0.25: sd of the specialist's log error),
        ``messy_name_share`` (0.1: artist name upper-cased and/or with trailing spaces),
        ``market_growth`` (0.05: growth per year of the number of lots offered).
    Model
        ``gamma`` (1.38), ``sigma2`` (1.0), ``tau2`` (4.0), ``sigma_a`` (0.1),
        ``popularity_scale`` (10,000), ``year_trend`` (0.03) and ``beta`` (the paper's
        Table 2, :data:`artstudy.simulate.PAPER_BETA`); ``rates`` (USD per unit of each
        currency).
    """

    n_artists: int = 260
    n_lots: int = 64_000
    birth_first: int = 1920
    birth_last: int = 1990
    window_start: int = 1951
    window_width: int = 5
    n_windows: int = 14
    first_sale_year: int = 1993
    n_sale_years: int = 30
    max_lots_per_artist: int = 500
    career_age: float = 25.0
    short_career_share: float = 0.15
    short_career_years: tuple = (10, 40)
    sparse_share: float = 0.2
    sparse_sd: float = 1.0
    window_sd: float = 0.35
    unsold_share: float = 0.2
    repeat_share: float = 0.12
    repeat_gap: float = 6.0
    missing_year_share: float = 0.04
    circa_share: float = 0.08
    range_share: float = 0.05
    missing_estimate_share: float = 0.08
    estimate_sd: float = 0.25
    messy_name_share: float = 0.1
    market_growth: float = 0.05
    gamma: float = 1.38
    sigma2: float = 1.0
    tau2: float = 4.0
    sigma_a: float = 0.1
    popularity_scale: float = 10_000.0
    year_trend: float = 0.03
    beta: dict = field(default_factory=lambda: dict(PAPER_BETA))
    rates: dict = field(default_factory=lambda: dict(RATES))

    def __post_init__(self):
        self.short_career_years = tuple(self.short_career_years)
        for name in ("unsold_share", "repeat_share", "missing_year_share", "circa_share", "range_share",
                     "missing_estimate_share", "messy_name_share", "short_career_share", "sparse_share"):
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise ValueError(f"world: {name} must be in [0, 1), got {value!r}")
        if self.circa_share + self.range_share + self.missing_year_share >= 1.0:
            raise ValueError("world: circa_share + range_share + missing_year_share must be below 1")
        if self.n_artists < 1 or self.n_lots < self.n_artists:
            raise ValueError(f"world: need n_artists >= 1 and n_lots >= n_artists, got {self.n_artists}, "
                             f"{self.n_lots}")
        if self.n_lots > self.n_artists * self.max_lots_per_artist:
            raise ValueError(f"world: n_lots {self.n_lots} exceeds n_artists x max_lots_per_artist "
                             f"({self.n_artists} x {self.max_lots_per_artist})")
        if self.birth_first > self.birth_last:
            raise ValueError("world: birth_first must not be after birth_last")
        if self.last_work_year > self.last_sale_year:
            raise ValueError("world: the last work window ends after the last sale year")
        missing = sorted(set(c for c, _ in HOUSES.values()) - set(self.rates))
        if missing:
            raise ValueError(f"world: rates lack the currencies {', '.join(missing)}")
        if min(self.sigma2, self.tau2, self.sigma_a, self.popularity_scale) <= 0:
            raise ValueError("world: sigma2, tau2, sigma_a and popularity_scale must be positive")

    @classmethod
    def from_config(cls, section: dict | None, rates: dict | None = None) -> "WorldSpec":
        """Build from the config's ``world`` section (unknown keys are an error); ``rates`` from ``currency``."""
        section = dict(section or {})
        unknown = sorted(set(section) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"world: unknown setting {', '.join(map(repr, unknown))} "
                             f"(known: {', '.join(cls.__dataclass_fields__)})")
        if rates:
            section["rates"] = {**RATES, **section.get("rates", {}), **{str(k): float(v) for k, v in rates.items()}}
        return cls(**section)

    @property
    def last_sale_year(self) -> int:
        return self.first_sale_year + self.n_sale_years - 1

    @property
    def last_work_year(self) -> int:
        return self.window_start + self.n_windows * self.window_width - 1

    def _simulation_spec(self) -> SimulationSpec:
        return SimulationSpec(first_sale_year=self.first_sale_year, n_sale_years=self.n_sale_years,
                              gamma=self.gamma, year_trend=self.year_trend, beta=dict(self.beta))

    def year_effects(self) -> dict:
        """True sale-year effects against the first sale year (as :meth:`SimulationSpec.year_effects`)."""
        return self._simulation_spec().year_effects()

    def coefficients(self) -> pd.Series:
        """Every true coefficient, named as :func:`artstudy.design.design_matrix` names them, and popularity."""
        return self._simulation_spec().coefficients()


@dataclass
class World:
    """A generated market: the raw export, the truth, and the spec that drew it.

    ``raw`` has the columns :data:`RAW_COLUMNS`, all text, one row per lot in sale-date order.
    ``truth_lots`` has one row per lot in the same order: lot_id, artwork_id, log_price_usd (the
    model's log price in USD; NaN when bought in), ability (the artist's ability in the work's
    window), popularity (at the sale year), then artist (clean name), sold, sale_year, sale_date,
    sale_number (1 for a work's first offer, 2, ... for later ones), sale_kind ("repeat" when the
    work was sold at an earlier offer, else "first", as :func:`artstudy.data.sale_kinds` has it),
    work_year (true, also when "not given"), work_year_given, window, window_start, height_cm,
    width_cm, depth_cm (as written), log_area, signed, inscribed, material, support, auction_house,
    currency, price_original (hammer price in the currency), latent_log_price_usd (also for bought-in
    lots) and expected_log_price_usd (without the noise).
    """

    raw: pd.DataFrame
    truth_coefficients: pd.DataFrame  # term, truth
    truth_ability: pd.DataFrame  # artist, window, window_start, value
    truth_lots: pd.DataFrame  # lot_id, artwork_id, log_price_usd, ability, popularity, ...
    artists: pd.DataFrame  # artist, birth_year, ...
    spec: WorldSpec
    seconds: float = float("nan")

    @property
    def covariates(self):
        return COVARIATES

    def coefficients(self) -> pd.Series:
        """The true coefficients as a Series indexed by term."""
        return self.truth_coefficients.set_index("term")["truth"]

    def sales_table(self) -> pd.DataFrame:
        """The lots the analysis can use (sold, creation year given) in ``artstudy pam-fit``'s format.

        Columns lot_id, artist, sale_year, work_year, price (true USD price, unrounded) and the
        covariates: what ``artstudy prepare`` recovers from the raw export, without the parsing.
        """
        t = self.truth_lots
        keep = (t["sold"] & t["work_year_given"]).to_numpy()
        out = t.loc[keep, ["lot_id", "artist", "sale_year", "work_year", *COVARIATES]].copy()
        out.insert(4, "price", np.exp(t.loc[keep, "log_price_usd"].to_numpy()))
        return out.reset_index(drop=True)

    def funnel(self, min_works: int = 3, min_windows: int = 6) -> pd.DataFrame:
        """Lots and artists left after each step from the raw export to the model's sample (from the truth)."""
        t = self.truth_lots
        steps = [("lots offered", np.ones(len(t), bool))]
        mask = t["sold"].to_numpy()
        steps.append(("sold", mask))
        mask = mask & t["work_year_given"].to_numpy()
        steps.append(("creation year given", mask))
        codes, names = pd.factorize(t["artist"], sort=True)
        win = t["window"].to_numpy()
        t0, t1 = artist_spans(codes[mask], win[mask], len(names), self.spec.n_windows, min_works, min_windows)
        ok = t1 >= 0
        mask = mask & ok[codes]
        steps.append((f"artist has >= {min_works} works in each of >= {min_windows} consecutive windows", mask))
        mask = mask & (win >= t0[codes]) & (win <= t1[codes])
        steps.append(("work made within the artist's span [t'0, t'1]", mask))
        rows = [(step, int(m.sum()), int(pd.unique(codes[m]).size)) for step, m in steps]
        out = pd.DataFrame(rows, columns=["step", "lots", "artists"])
        out["lots_removed"] = (-out["lots"].diff()).fillna(0).astype(int)
        out["artists_removed"] = (-out["artists"].diff()).fillna(0).astype(int)
        return out

    def write(self, out_dir) -> Path:
        """Write raw_lots.csv, truth_coefficients.csv, truth_ability.csv, truth_lots.csv, artists.csv, spec.json."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.raw.to_csv(out / "raw_lots.csv", index=False)
        self.truth_coefficients.to_csv(out / "truth_coefficients.csv", index=False)
        self.truth_ability.to_csv(out / "truth_ability.csv", index=False)
        self.truth_lots.to_csv(out / "truth_lots.csv", index=False)
        self.artists.to_csv(out / "artists.csv", index=False)
        spec = asdict(self.spec)
        (out / "spec.json").write_text(json.dumps(spec, indent=2) + "\n")
        return out


# ----------------------------------------------------------------------------------------------
# text helpers (vectorised)


def _thousands(values) -> pd.Series:
    """Whole numbers as text with thousands separators: 1234567 -> '1,234,567'."""
    text = pd.Series(np.asarray(values, dtype=np.int64)).astype(str)
    return text.str.replace(r"\B(?=(\d{3})+(?!\d))", ",", regex=True)


def _nice(values) -> np.ndarray:
    """Round positive values to two significant digits (at least to whole units)."""
    v = np.maximum(np.asarray(values, dtype=float), 1.0)
    step = 10.0 ** np.maximum(np.floor(np.log10(v)) - 1, 0)
    return np.maximum(np.round(v / step), 1) * step, step


def _cm_text(tenths) -> np.ndarray:
    """Lengths in tenths of a cm as text: 762 -> '76.2', 400 -> '40'."""
    tenths = np.asarray(tenths, dtype=np.int64)
    whole = tenths // 10
    frac = tenths % 10
    text = whole.astype(str).astype(object)
    dec = np.where(frac > 0, np.char.add(".", frac.astype(str)), "").astype(object)
    return text + dec


_EIGHTHS = np.array(["", " 1/8", " 1/4", " 3/8", " 1/2", " 5/8", " 3/4", " 7/8"], dtype=object)


def _inch_text(eighths) -> np.ndarray:
    """Lengths in eighths of an inch as text: 244 -> '30 1/2'."""
    eighths = np.asarray(eighths, dtype=np.int64)
    return (eighths // 8).astype(str).astype(object) + _EIGHTHS[eighths % 8]


def _pick(rng, options, size, p=None) -> np.ndarray:
    options = np.asarray(options, dtype=object)
    return options[rng.choice(len(options), size=size, p=p)]


# ----------------------------------------------------------------------------------------------
# generation


def _artists(spec: WorldSpec, rng):
    """Names, birth years, careers, activity per window and ability paths."""
    I, W = spec.n_artists, spec.n_windows
    n_names = FIRST_NAMES.size * LAST_NAMES.size
    pick = rng.choice(n_names, size=min(I, n_names), replace=False)
    names = np.char.add(np.char.add(FIRST_NAMES[pick // LAST_NAMES.size], " "), LAST_NAMES[pick % LAST_NAMES.size])
    if I > n_names:  # more artists than first x last names: add middle initials
        extra = I - n_names
        k = np.arange(extra)
        mid = np.array(list("ABCDEFGHJKLMNPRSTVW"))[(k // n_names) % 19]
        base = names[k % n_names]
        first, last = np.char.partition(base, " ")[:, 0], np.char.partition(base, " ")[:, 2]
        names = np.concatenate([names, np.char.add(np.char.add(np.char.add(first, " "), np.char.add(mid, ". ")),
                                                   last)])
    names = names.astype(object)
    birth = rng.integers(spec.birth_first, spec.birth_last + 1, size=I)
    start = birth + np.clip(np.round(rng.normal(spec.career_age, 4.0, size=I)), 16, 40).astype(int)
    lifetime_end = birth + np.clip(np.round(rng.normal(82, 9, size=I)), 50, 100).astype(int)
    lo, hi = spec.short_career_years
    short = rng.random(I) < spec.short_career_share
    end = np.where(short, start + rng.integers(lo, hi + 1, size=I), lifetime_end)
    end = np.maximum(end, spec.window_start + 2)  # every career reaches into the study's work years
    # the part of the career inside the study's work years (at least one year of it)
    first_year = np.clip(start, spec.window_start, spec.last_work_year)
    last_year = np.clip(end, first_year, spec.last_work_year)
    w_start = spec.window_start + spec.window_width * np.arange(W)
    w_end = w_start + spec.window_width - 1
    overlap = np.clip(np.minimum(w_end[None, :], last_year[:, None])
                      - np.maximum(w_start[None, :], first_year[:, None]) + 1, 0, None)
    active = overlap > 0
    first_w = np.argmax(active, axis=1)
    last_w = W - 1 - np.argmax(active[:, ::-1], axis=1)
    sparse = rng.random(I) < spec.sparse_share
    sd = np.where(sparse, spec.sparse_sd, spec.window_sd)
    window_weight = overlap / spec.window_width * np.exp(rng.normal(0.0, 1.0, size=(I, W)) * sd[:, None])
    window_weight *= active
    # ability: random walk over the active windows from the first
    j = np.arange(W)[None, :]
    steps = rng.normal(0.0, spec.sigma_a, size=(I, W))
    steps[np.arange(I), first_w] = rng.normal(0.0, np.sqrt(spec.tau2), size=I)
    steps = np.where(j < first_w[:, None], 0.0, steps)
    ability = np.cumsum(steps, axis=1)
    ability = np.where(active | ((j >= first_w[:, None]) & (j <= last_w[:, None])), ability, np.nan)
    return dict(names=names, birth=birth, start=start, end=end, first_year=first_year, last_year=last_year,
                short=short, sparse=sparse, window_weight=window_weight, first_w=first_w, last_w=last_w,
                ability=ability)


def _artist_lots(spec: WorldSpec, rng, n_windows_active) -> np.ndarray:
    """Expected lots per artist: a lognormal share of ``n_lots`` capped at ``max_lots_per_artist``."""
    w = np.exp(rng.normal(0.0, 0.8, size=spec.n_artists)) * np.sqrt(n_windows_active)
    cap = float(spec.max_lots_per_artist)
    target = float(spec.n_lots)
    expected = w / w.sum() * target
    for _ in range(100):  # water-filling: cap and share the excess among the others
        over = expected > cap
        if not over.any():
            break
        excess = (expected[over] - cap).sum()
        expected[over] = cap
        free = expected < cap
        expected[free] += excess * expected[free] / expected[free].sum()
    return np.minimum(expected, cap)


def _sale_years(spec: WorldSpec, rng, low_year) -> np.ndarray:
    """First offer year of each work, in [low_year, last sale year], weighted by the market's volume."""
    years = np.arange(spec.first_sale_year, spec.last_sale_year + 1)
    volume = np.exp(spec.market_growth * (years - spec.first_sale_year))
    volume *= np.where(np.isin(years, [2009, 2020]), 0.7, 1.0)  # crisis years
    cdf = np.cumsum(volume) / volume.sum()
    lo = np.asarray(low_year) - spec.first_sale_year
    below = np.where(lo > 0, cdf[np.maximum(lo - 1, 0)], 0.0)
    u = below + rng.random(lo.size) * (1.0 - below)
    k = np.clip(np.searchsorted(cdf, u, side="left"), lo, years.size - 1)
    return years[k]


def generate_world(spec: WorldSpec | None = None, rng=None) -> World:
    """Draw a synthetic Artnet-like market and its raw export.

    Parameters
    ----------
    spec : WorldSpec
    rng : numpy.random.Generator
        The only source of randomness (an int or None is passed to ``default_rng``).

    Returns
    -------
    World
    """
    clock = time.perf_counter()
    spec = spec or WorldSpec()
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    I, W = spec.n_artists, spec.n_windows
    A = _artists(spec, rng)

    # ---- works: cells (artist, window) hold works in proportion to the window weights
    n_active = (A["window_weight"] > 0).sum(axis=1)
    expected = _artist_lots(spec, rng, n_active)
    p_cell = A["window_weight"] / A["window_weight"].sum(axis=1, keepdims=True) * expected[:, None]
    # n_lots works; with their later offers there are more lots than n_lots, thinned to n_lots below
    counts = rng.multinomial(spec.n_lots, (p_cell / p_cell.sum()).ravel()).reshape(I, W)
    cell = np.repeat(np.arange(I * W), counts.ravel())
    w_artist, w_window = cell // W, cell % W
    n_works = cell.size
    ws = spec.window_start + spec.window_width * w_window
    lo = np.maximum(ws, A["first_year"][w_artist])
    hi = np.minimum(ws + spec.window_width - 1, A["last_year"][w_artist])
    work_year = lo + np.floor(rng.random(n_works) * (hi - lo + 1)).astype(int)
    # medium, size, markings, title
    media = list(MEDIA)
    mweights = np.array([MEDIA[m][2] for m in media])
    m_idx = rng.choice(len(media), size=n_works, p=mweights / mweights.sum())
    medium = np.array(media, dtype=object)[m_idx]
    material = np.array([MEDIA[m][0] for m in media], dtype=object)[m_idx]
    support = np.array([MEDIA[m][1] for m in media], dtype=object)[m_idx]
    three_d = np.array([MEDIA[m][3] for m in media])[m_idx]
    signed = rng.random(n_works) < 0.7
    inscribed = rng.random(n_works) < 0.3
    mean_area = np.array([LOG_AREA_MEAN[s] for s in LOG_AREA_MEAN])[
        pd.Categorical(support, categories=list(LOG_AREA_MEAN)).codes]
    area = np.exp(rng.normal(mean_area, LOG_AREA_SD))
    aspect = np.exp(rng.normal(0.1, 0.3, size=n_works))  # height / width
    h_cm, w_cm = np.sqrt(area * aspect), np.sqrt(area / aspect)
    d_cm = np.where(three_d, w_cm * rng.uniform(0.3, 1.0, size=n_works), np.nan)
    # title
    kind = rng.choice(5, size=n_works, p=[0.33, 0.10, 0.30, 0.15, 0.12])
    adj = _pick(rng, TITLE_ADJ, n_works)
    noun = _pick(rng, TITLE_NOUN, n_works)
    num = rng.integers(1, 60, size=n_works).astype(str).astype(object)
    title = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        ["Untitled", "Untitled (" + adj + ")", adj + " " + noun, noun + " No. " + num],
        "Study for " + noun)
    # creation-year text
    yr = rng.random(n_works)
    year_kind = np.select([yr < spec.missing_year_share, yr < spec.missing_year_share + spec.circa_share,
                           yr < spec.missing_year_share + spec.circa_share + spec.range_share], [1, 2, 3], 0)

    # ---- offers: first offer, then repeats
    first_sale = _sale_years(spec, rng, np.maximum(work_year, spec.first_sale_year))
    offers_work = [np.arange(n_works)]
    offers_year = [first_sale]
    prev_year, alive = first_sale, rng.random(n_works) < spec.repeat_share
    current = np.arange(n_works)
    k = 0
    while alive.any() and k < 5:
        year = prev_year + rng.geometric(1.0 / spec.repeat_gap, size=current.size)  # gap >= 1 year
        alive &= year <= spec.last_sale_year
        offers_work.append(current[alive])
        offers_year.append(year[alive])
        current, prev_year = current[alive], year[alive]
        alive = rng.random(current.size) < 0.25  # a third, fourth offer ...
        k += 1
    work = np.concatenate(offers_work)
    sale_year = np.concatenate(offers_year)
    # thin to exactly n_lots lots
    if work.size > spec.n_lots:
        keep = np.sort(rng.choice(work.size, size=spec.n_lots, replace=False))
        work, sale_year = work[keep], sale_year[keep]
    n = work.size
    order = np.lexsort((sale_year, work))
    work, sale_year = work[order], sale_year[order]
    same = np.r_[False, work[1:] == work[:-1]]
    # sale number within work: position in its run
    run_start = np.maximum.accumulate(np.where(~same, np.arange(n), 0))
    sale_number = np.arange(n) - run_start + 1

    artist = w_artist[work]
    window = w_window[work]
    sold = rng.random(n) >= spec.unsold_share
    # a resale ("repeat"): the work was sold at an earlier offer (lots are in work, year order here)
    sold_before = np.cumsum(sold) - sold - np.maximum.accumulate(np.where(~same, np.cumsum(sold) - sold, 0))
    year_given = year_kind[work] != 1
    analysable = sold & year_given

    # ---- where and when: houses, currencies, dates; how sizes are written
    # auction houses (and so currencies and the unit sizes are written in), sale dates
    month = SALE_MONTHS[rng.choice(SALE_MONTHS.size, size=n, p=SALE_MONTH_WEIGHTS)]
    day = rng.integers(1, 29, size=n)
    houses = np.array(list(HOUSES), dtype=object)
    hw = np.array([HOUSES[h][1] for h in houses])
    hk = np.array(["Hong Kong" in h for h in houses])
    house_idx = np.empty(n, dtype=int)
    early = sale_year < HONG_KONG_FROM
    for mask, weights in ((early, np.where(hk, 0.0, hw)), (~early, hw)):
        house_idx[mask] = rng.choice(houses.size, size=int(mask.sum()), p=weights / weights.sum())
    house = houses[house_idx]
    currency = np.array([HOUSES[h][0] for h in houses], dtype=object)[house_idx]
    # sizes are written once per work, in the unit of the house of its first offer
    first_cur = pd.Series(currency).groupby(work).transform("first").to_numpy()
    inch_p = np.array([INCHES_SHARE[c] for c in ("USD", "GBP", "EUR", "HKD")])
    cur_code = pd.Categorical(first_cur, categories=["USD", "GBP", "EUR", "HKD"]).codes
    in_inches_lot = rng.random(n) < inch_p[cur_code]
    in_inches = np.zeros(n_works, bool)
    in_inches[work[sale_number == 1]] = in_inches_lot[sale_number == 1]
    # work-level written sizes: inches to 1/8 (some to 1/2 or whole), cm to 0.1 (some whole)
    denom = rng.choice([1, 2, 4, 8], size=n_works, p=[0.35, 0.25, 0.25, 0.15])
    per = 8 // denom
    h_in8 = np.maximum(np.round(h_cm / 2.54 * 8 / per), 1).astype(np.int64) * per
    w_in8 = np.maximum(np.round(w_cm / 2.54 * 8 / per), 1).astype(np.int64) * per
    d_in8 = np.maximum(np.round(np.nan_to_num(d_cm) / 2.54 * 8 / per), 1).astype(np.int64) * per
    whole_cm = rng.random(n_works) < 0.4
    step10 = np.where(whole_cm, 10, 1)
    h_t = np.maximum(np.round(h_cm * 10 / step10), 1).astype(np.int64) * step10
    w_t = np.maximum(np.round(w_cm * 10 / step10), 1).astype(np.int64) * step10
    d_t = np.maximum(np.round(np.nan_to_num(d_cm) * 10 / step10), 1).astype(np.int64) * step10
    height = np.where(in_inches, h_in8 * 2.54 / 8, h_t / 10)
    width = np.where(in_inches, w_in8 * 2.54 / 8, w_t / 10)
    depth = np.where(three_d, np.where(in_inches, d_in8 * 2.54 / 8, d_t / 10), np.nan)
    log_area_work = np.log(height * width)
    sep = " x "
    dims = np.where(in_inches, _inch_text(h_in8) + sep + _inch_text(w_in8), _cm_text(h_t) + sep + _cm_text(w_t))
    dims = np.where(three_d, dims + sep + np.where(in_inches, _inch_text(d_in8), _cm_text(d_t)), dims)
    dims = dims + np.where(in_inches, " in.", " cm")

    # ---- prices, year by year (popularity feedback); linear predictor without popularity first
    coef = spec.coefficients()
    la, sg, ins = log_area_work[work], signed[work], inscribed[work]
    mat, sup = material[work], support[work]
    xb = linear_predictor(coef, {"log_area": la, "signed": sg, "inscribed": ins, "material": mat, "support": sup},
                          sale_year)
    a_lot = A["ability"][artist, window]
    noise = rng.normal(0.0, np.sqrt(spec.sigma2), size=n)
    y, u = feedback_log_prices(xb + a_lot + noise, artist, sale_year, I, spec.gamma, spec.popularity_scale,
                               counted=analysable)
    mu = y - noise  # expected log price given the lot's covariates, popularity and ability

    # ---- prices and estimates in the house's currency
    rate = np.array([spec.rates[c] for c in currency])
    price = np.maximum(np.round(np.exp(y) / rate), 1).astype(np.int64)
    mid = np.exp(mu + rng.normal(0.0, spec.estimate_sd, size=n)) / rate
    low, step = _nice(0.8 * mid)
    high, _ = _nice(1.25 * mid)
    high = np.where(high <= low, low + step, high)
    no_estimate = rng.random(n) < spec.missing_estimate_share
    estimate = np.where(no_estimate, "", (_thousands(low) + " - " + _thousands(high)).to_numpy())
    hammer = np.where(sold, _thousands(price).to_numpy(), "Bought In")

    # ---- texts per lot
    names = A["names"][artist]
    r = rng.random(n) / max(spec.messy_name_share, 1e-12)  # < 1 for the messy names
    upper = r < 0.6
    trailing = (r >= 0.4) & (r < 1.0)
    artist_name = np.where(upper, pd.Series(names).str.upper().to_numpy(), names)
    artist_name = np.where(trailing, artist_name + np.where(r < 0.8, " ", "  "), artist_name)
    yk = year_kind[work]
    wy = work_year[work]
    wy_text = wy.astype(str).astype(object)
    # ranges "1965-67" end no later than the first offer (same text on every offer of a work)
    first_offer = pd.Series(sale_year).groupby(work).transform("min").to_numpy()
    span = np.minimum(1 + (work % 3), first_offer - wy)
    end = wy + span
    end_text = np.where(end // 100 == wy // 100, (end % 100).astype(str), end.astype(str)).astype(object)
    end_text = np.where((end % 100 < 10) & (end // 100 == wy // 100), "0" + end_text, end_text)
    range_text = wy_text + "-" + end_text
    year_text = np.select([yk == 1, yk == 2, (yk == 3) & (span > 0)], ["not given", "c. " + wy_text, range_text],
                          wy_text)
    mark_text = np.empty(n_works, dtype=object)
    for (s, i_), texts in MARKINGS.items():
        m = (signed == s) & (inscribed == i_)
        mark_text[m] = _pick(rng, texts, int(m.sum()))
    medium_text = np.where(rng.random(n_works) < 0.03, pd.Series(medium).str.upper().to_numpy(), medium)
    sale_date = pd.to_datetime(pd.DataFrame({"year": sale_year, "month": month, "day": day}))
    # later offers of a work come after the earlier ones (different sale years), lot ids in sale order
    lot_order = np.lexsort((rng.random(n), house_idx, sale_date.to_numpy()))
    pos = np.empty(n, dtype=np.int64)
    pos[lot_order] = np.arange(n)
    width_id = max(6, len(str(n)))
    lot_id = ("SYN-" + pd.Series(pos + 1).astype(str).str.zfill(width_id)).to_numpy()
    artwork_id = ("W-" + pd.Series(work + 1).astype(str).str.zfill(max(6, len(str(n_works))))).to_numpy()

    raw = pd.DataFrame({
        "lot_id": lot_id, "auction_house": house, "sale_date": sale_date.dt.strftime("%Y-%m-%d").to_numpy(),
        "artist_name": artist_name, "title": title[work], "medium": medium_text[work], "dimensions": dims[work],
        "year_of_work": year_text, "markings": mark_text[work], "currency": currency, "hammer_price": hammer,
        "estimate": estimate,
    }).iloc[lot_order].reset_index(drop=True)
    truth_lots = pd.DataFrame({
        "lot_id": lot_id, "artwork_id": artwork_id, "log_price_usd": np.where(sold, y, np.nan),
        "ability": a_lot, "popularity": u, "artist": names, "sold": sold, "sale_year": sale_year,
        "sale_date": sale_date.to_numpy(), "sale_number": sale_number,
        "sale_kind": np.where(sold_before > 0, "repeat", "first"), "work_year": wy, "work_year_given": yk != 1,
        "window": window, "window_start": spec.window_start + spec.window_width * window,
        "height_cm": height[work], "width_cm": width[work], "depth_cm": depth[work], "log_area": la,
        "signed": sg, "inscribed": ins, "material": mat, "support": sup, "auction_house": house,
        "currency": currency, "price_original": np.where(sold, price, np.nan),
        "latent_log_price_usd": y, "expected_log_price_usd": mu,
    }).iloc[lot_order].reset_index(drop=True)

    # ---- artists and abilities
    ii, jj = np.nonzero(~np.isnan(A["ability"]))
    truth_ability = pd.DataFrame({"artist": A["names"][ii], "window": jj,
                                  "window_start": spec.window_start + spec.window_width * jj,
                                  "value": A["ability"][ii, jj]})
    t0, t1 = artist_spans(artist[analysable], window[analysable], I, W)
    lots_per = np.bincount(artist, minlength=I)
    artists = pd.DataFrame({
        "artist": A["names"], "birth_year": A["birth"], "career_start": A["start"],
        "career_end": np.minimum(A["end"], spec.last_work_year), "first_window": A["first_w"],
        "last_window": A["last_w"], "short_career": A["short"], "sparse_career": A["sparse"],
        "n_works": np.bincount(w_artist[np.unique(work)], minlength=I), "n_lots": lots_per,
        "n_sold": np.bincount(artist[sold], minlength=I),
        "n_analysable": np.bincount(artist[analysable], minlength=I),
        "passes_selection": t1 >= 0, "selection_first_window": np.where(t1 >= 0, t0, -1),
        "selection_last_window": t1, "mean_ability": np.nanmean(A["ability"], axis=1),
    })
    truth_coefficients = coef.rename("truth").rename_axis("term").reset_index()
    return World(raw=raw, truth_coefficients=truth_coefficients, truth_ability=truth_ability,
                 truth_lots=truth_lots, artists=artists, spec=spec, seconds=time.perf_counter() - clock)


# ----------------------------------------------------------------------------------------------
# command line


def spec_from_config(config: dict, source: str = "config") -> WorldSpec:
    """The world spec of a whole config: its ``world`` section, with the ``currency`` section's rates."""
    from ..errors import InputError

    currency = config.get("currency") or {}
    target = currency.get("target", "USD")
    if target != "USD":
        raise InputError(f"{source}: currency.target is {target!r}; the synthetic world's truth is in USD")
    try:
        return WorldSpec.from_config(config.get("world") or {}, rates=currency.get("rates"))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{source}: {exc}") from exc


def _world(args) -> int:
    paths = args.config
    if not paths:
        default = default_config_path()
        paths = [default] if default.exists() else []
    config = load_config(paths)
    spec = spec_from_config(config, source=", ".join(map(str, paths)) or "defaults")
    seed = args.seed if args.seed is not None else int(config.get("seed", 0))
    world = generate_world(spec, np.random.default_rng(seed))
    out = world.write(args.out)
    f = world.funnel().set_index("step")
    print(f"synthetic world (seed {seed}): {len(world.raw)} lots by {spec.n_artists} artists in "
          f"{world.seconds:.2f} s; funnel:\n{f.to_string()}")
    print(f"wrote {out}/raw_lots.csv, truth_coefficients.csv, truth_ability.csv, truth_lots.csv, artists.csv, "
          f"spec.json")
    return 0


def register_cli(subparsers) -> argparse.ArgumentParser:
    """Add ``artstudy world --out DIR [--seed N] [--config PATH ...]`` to the ``artstudy`` subcommands."""
    p = subparsers.add_parser("world", help="generate the synthetic Artnet-like market (raw export and truth)")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the config's seed, else 0)")
    p.add_argument("--config", type=Path, nargs="+", default=None, metavar="PATH",
                   help="config file(s), YAML or JSON, later ones merged over earlier ones; the `world` and "
                        "`currency` sections are read (default: config/config.yaml if present)")
    p.set_defaults(func=_world)
    return p
