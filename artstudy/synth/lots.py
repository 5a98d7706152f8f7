"""The synthetic world's works and lots: what was made, when and where it was offered, its written size and price.

Everything here is the truth: numbers and categories, no export text (that is
:mod:`artstudy.synth.render`). Sizes are the sizes as written: in the unit of the house of
the work's first offer (inches to 1/8, 1/4, 1/2 or 1 inch; cm to 0.1 or 1 cm), so that the
rendered text gives the true size back exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .careers import Artists, expected_lots
from .prices import model_log_prices
from .specs import WorldSpec
from .truth import Truth

__all__ = ["draw_works", "draw_offers", "draw_venues", "written_sizes", "draw_prices", "MEDIA", "HOUSES",
           "HONG_KONG_FROM", "CURRENCIES"]

#: Medium -> (material, support, weight, three-dimensional); the paper's categories.
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

#: Auction house -> (currency, share of the lots).
HOUSES = {
    "Christie's New York": ("USD", 0.16), "Sotheby's New York": ("USD", 0.16), "Phillips New York": ("USD", 0.07),
    "Christie's London": ("GBP", 0.13), "Sotheby's London": ("GBP", 0.12), "Phillips London": ("GBP", 0.05),
    "Bonhams London": ("GBP", 0.03), "Christie's Paris": ("EUR", 0.05), "Sotheby's Paris": ("EUR", 0.03),
    "Dorotheum Vienna": ("EUR", 0.03), "Lempertz Cologne": ("EUR", 0.03), "Christie's Hong Kong": ("HKD", 0.07),
    "Sotheby's Hong Kong": ("HKD", 0.05), "Phillips Hong Kong": ("HKD", 0.02),
}
HONG_KONG_FROM = 2005
CURRENCIES = ("USD", "GBP", "EUR", "HKD")
#: How often a house of each currency writes sizes in inches.
INCHES_SHARE = {"USD": 0.7, "GBP": 0.15, "EUR": 0.05, "HKD": 0.1}

#: Log area (cm^2) by support: mean; sd LOG_AREA_SD.
LOG_AREA_MEAN = {"canvas": 8.4, "cardboard": 7.2, "board": 7.7, "paper": 7.0, "leather": 7.5, "other": 7.6}
LOG_AREA_SD = 0.8

TITLE_ADJ = np.array(["Blue", "Red", "Yellow", "Black", "White", "Green", "Grey", "Golden", "Silent", "Broken",
                      "Small", "Large", "Early", "Late", "Quiet", "Bright", "Dark", "Double", "Open", "Hidden"])
TITLE_NOUN = np.array(["Landscape", "Figure", "Head", "Interior", "Garden", "Sea", "City", "Window", "Portrait",
                       "Still Life", "Field", "Composition", "Nude", "Horizon", "Room", "Mountain", "Flowers",
                       "Tower", "Bridge", "Dancer", "Woman", "Man", "Forest", "River", "Night"])

SALE_MONTHS = np.array([2, 3, 5, 6, 10, 11, 12])
SALE_MONTH_WEIGHTS = np.array([0.12, 0.08, 0.28, 0.12, 0.10, 0.25, 0.05])


def _pick(rng, options, size, p=None) -> np.ndarray:
    options = np.asarray(options, dtype=object)
    return options[rng.choice(len(options), size=size, p=p)]


def _titles(n: int, rng) -> np.ndarray:
    kind = rng.choice(5, size=n, p=[0.33, 0.10, 0.30, 0.15, 0.12])
    adj, noun = _pick(rng, TITLE_ADJ, n), _pick(rng, TITLE_NOUN, n)
    num = rng.integers(1, 60, size=n).astype(str).astype(object)
    return np.select([kind == 0, kind == 1, kind == 2, kind == 3],
                     ["Untitled", "Untitled (" + adj + ")", adj + " " + noun, noun + " No. " + num],
                     "Study for " + noun)


def draw_works(spec: WorldSpec, artists: Artists, rng) -> pd.DataFrame:
    """The works: ``n_lots`` of them spread over the (artist, window) cells by the artists' output.

    Returns
    -------
    pandas.DataFrame
        One row per work: artist (code), window, work_year, work_year_given, medium, material,
        support, three_d, signed, inscribed, title and the unrounded size h_cm, w_cm, d_cm.
    """
    I, W = spec.n_artists, spec.n_windows
    weight = artists.window_weight
    expected = expected_lots(spec, (weight > 0).sum(axis=1), rng)
    p_cell = weight / weight.sum(axis=1, keepdims=True) * expected[:, None]
    counts = rng.multinomial(spec.n_lots, (p_cell / p_cell.sum()).ravel())
    cell = np.repeat(np.arange(I * W), counts)
    artist, window = cell // W, cell % W
    n = cell.size
    ws = spec.window_start + spec.window_width * window
    lo = np.maximum(ws, artists.first_year[artist])
    hi = np.minimum(ws + spec.window_width - 1, artists.last_year[artist])
    media = pd.DataFrame.from_dict(MEDIA, orient="index", columns=["material", "support", "weight", "three_d"])
    m = rng.choice(len(media), size=n, p=(media["weight"] / media["weight"].sum()).to_numpy())
    support = media["support"].to_numpy()[m]
    area = np.exp(rng.normal(pd.Series(support).map(LOG_AREA_MEAN).to_numpy(), LOG_AREA_SD))
    aspect = np.exp(rng.normal(0.1, 0.3, size=n))  # height / width
    three_d = media["three_d"].to_numpy(bool)[m]
    h, w = np.sqrt(area * aspect), np.sqrt(area / aspect)
    return pd.DataFrame({
        "artist": artist, "window": window,
        "work_year": lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(int),
        "work_year_given": rng.random(n) >= spec.missing_year_share,
        "medium": media.index.to_numpy(object)[m], "material": media["material"].to_numpy()[m], "support": support,
        "three_d": three_d, "signed": rng.random(n) < 0.7, "inscribed": rng.random(n) < 0.3,
        "title": _titles(n, rng), "h_cm": h, "w_cm": w,
        "d_cm": np.where(three_d, w * rng.uniform(0.3, 1.0, size=n), np.nan),
    })


def _first_sale_years(spec: WorldSpec, low_year, rng) -> np.ndarray:
    """First offer year of each work, in [low_year, last sale year], weighted by the market's volume."""
    years = np.arange(spec.first_sale_year, spec.last_sale_year + 1)
    volume = np.exp(spec.market_growth * (years - spec.first_sale_year))
    volume *= np.where(np.isin(years, [2009, 2020]), 0.7, 1.0)  # crisis years
    cdf = np.cumsum(volume) / volume.sum()
    lo = np.asarray(low_year) - spec.first_sale_year
    below = np.where(lo > 0, cdf[np.maximum(lo - 1, 0)], 0.0)
    u = below + rng.random(lo.size) * (1.0 - below)
    return years[np.clip(np.searchsorted(cdf, u, side="left"), lo, years.size - 1)]


def draw_offers(spec: WorldSpec, works: pd.DataFrame, rng) -> pd.DataFrame:
    """Offers of the works: a first offer each, ``repeat_share`` offered again (up to five more times), thinned
    to ``n_lots``; each offer bought in with probability ``unsold_share``, independently of everything else.

    Returns
    -------
    pandas.DataFrame
        One row per lot in (work, sale year) order: work, sale_year, sale_number (1, 2, ... within the
        work), sold, sale_kind ("repeat" when the work was sold at an earlier offer, else "first").
    """
    n_works = len(works)
    year = _first_sale_years(spec, np.maximum(works["work_year"].to_numpy(), spec.first_sale_year), rng)
    work_parts, year_parts = [np.arange(n_works)], [year]
    current, alive = np.arange(n_works), rng.random(n_works) < spec.repeat_share
    for _ in range(5):  # a second offer, then a third, fourth ... with probability 0.25 each
        if not alive.any():
            break
        year = year + rng.geometric(1.0 / spec.repeat_gap, size=current.size)  # gap >= 1 year
        alive &= year <= spec.last_sale_year
        current, year = current[alive], year[alive]
        work_parts.append(current)
        year_parts.append(year)
        alive = rng.random(current.size) < 0.25
    work, sale_year = np.concatenate(work_parts), np.concatenate(year_parts)
    if work.size > spec.n_lots:
        keep = np.sort(rng.choice(work.size, size=spec.n_lots, replace=False))
        work, sale_year = work[keep], sale_year[keep]
    order = np.lexsort((sale_year, work))
    work, sale_year = work[order], sale_year[order]
    n = work.size
    new_work = np.r_[True, work[1:] != work[:-1]]
    run_start = np.maximum.accumulate(np.where(new_work, np.arange(n), 0))
    sold = rng.random(n) >= spec.unsold_share
    sold_earlier = np.cumsum(sold) - sold  # sold lots before this one, over all works
    sold_before = sold_earlier - sold_earlier[run_start]
    return pd.DataFrame({"work": work, "sale_year": sale_year, "sale_number": np.arange(n) - run_start + 1,
                         "sold": sold, "sale_kind": np.where(sold_before > 0, "repeat", "first")})


def draw_venues(sale_year, rng) -> pd.DataFrame:
    """Auction house (Hong Kong from 2005), its currency and the sale date of each lot."""
    sale_year = np.asarray(sale_year)
    n = sale_year.size
    month = SALE_MONTHS[rng.choice(SALE_MONTHS.size, size=n, p=SALE_MONTH_WEIGHTS)]
    day = rng.integers(1, 29, size=n)
    houses = np.array(list(HOUSES), dtype=object)
    share = np.array([HOUSES[h][1] for h in houses])
    hong_kong = np.array(["Hong Kong" in h for h in houses])
    house = np.empty(n, dtype=np.int64)
    early = sale_year < HONG_KONG_FROM
    for mask, weights in ((early, np.where(hong_kong, 0.0, share)), (~early, share)):
        house[mask] = rng.choice(houses.size, size=int(mask.sum()), p=weights / weights.sum())
    return pd.DataFrame({"auction_house": houses[house],
                         "currency": np.array([HOUSES[h][0] for h in houses], dtype=object)[house],
                         "sale_date": pd.to_datetime(pd.DataFrame({"year": sale_year, "month": month, "day": day}))})


def written_sizes(works: pd.DataFrame, first_currency, rng) -> pd.DataFrame:
    """Each work's size as written, in cm: in inches (to 1/8, 1/4, 1/2 or 1 inch) with the probability of the
    currency of its first offer's house, else in cm (to 0.1 cm or, for 40%, whole cm).

    Returns
    -------
    pandas.DataFrame
        One row per work: size_unit ("in" or "cm"), height_cm, width_cm, depth_cm (NaN for flat works).
    """
    n = len(works)
    share = pd.Series(np.asarray(first_currency, dtype=object)).map(INCHES_SHARE).to_numpy(float)
    inches = rng.random(n) < share
    per = 8 // rng.choice([1, 2, 4, 8], size=n, p=[0.35, 0.25, 0.25, 0.15])  # eighths per step
    tenths = np.where(rng.random(n) < 0.4, 10, 1)  # tenths of a cm per step

    def written(cm):
        cm = np.nan_to_num(np.asarray(cm, dtype=float))
        in8 = np.maximum(np.round(cm / 2.54 * 8 / per), 1) * per
        cm10 = np.maximum(np.round(cm * 10 / tenths), 1) * tenths
        return np.where(inches, in8 * 2.54 / 8, cm10 / 10)

    depth = np.where(works["three_d"].to_numpy(bool), written(works["d_cm"]), np.nan)
    return pd.DataFrame({"size_unit": np.where(inches, "in", "cm"), "height_cm": written(works["h_cm"]),
                         "width_cm": written(works["w_cm"]), "depth_cm": depth})


def _nice(values):
    """Positive values rounded to two significant digits (at least to whole units), and the rounding step."""
    v = np.maximum(np.asarray(values, dtype=float), 1.0)
    step = 10.0 ** np.maximum(np.floor(np.log10(v)) - 1, 0)
    return np.maximum(np.round(v / step), 1) * step, step


def draw_prices(spec: WorldSpec, truth: Truth, coef: pd.Series, lots: pd.DataFrame, ability, rates: dict,
                rng, shift=None) -> pd.DataFrame:
    """Log prices from the model (popularity counting every sold lot), prices and estimates in the house's currency.

    Parameters
    ----------
    spec : WorldSpec
        ``estimate_sd`` and ``missing_estimate_share``.
    truth : Truth
    coef : pandas.Series
        The true coefficients.
    lots : pandas.DataFrame
        artist (code), sale_year, sold, currency and the covariates (log_area, signed, inscribed, material,
        support).
    ability : ndarray
        The artist's ability in the work's window, per lot.
    rates : dict
        USD per unit of each currency.
    rng : numpy.random.Generator
    shift : ndarray, optional
        A term added to each lot's log price with the ability (the world's ``quality_effect * q``), also in
        the expected price; the presale estimates are drawn around the expected price without it (they
        come from the record, not the picture). Default 0: no draws change.

    Returns
    -------
    pandas.DataFrame
        One row per lot: log_price_usd (NaN when bought in), popularity, latent_log_price_usd,
        expected_log_price_usd, price_original (whole units of the currency; NaN when bought in),
        estimate_low, estimate_high (NaN when not given).
    """
    n = len(lots)
    sold = lots["sold"].to_numpy(bool)
    covs = {c: lots[c].to_numpy() for c in ("log_area", "signed", "inscribed", "material", "support")}
    noise = rng.normal(0.0, np.sqrt(truth.sigma2), size=n)
    shift = np.zeros(n) if shift is None else np.asarray(shift, dtype=float)
    p = model_log_prices(truth, coef, covs, lots["sale_year"].to_numpy(), lots["artist"].to_numpy(),
                         np.asarray(ability, dtype=float) + shift, noise, counted=sold, n_artists=spec.n_artists)
    rate = lots["currency"].map(rates).to_numpy(float)
    price = np.maximum(np.round(np.exp(p.log_price) / rate), 1)
    mid = np.exp(p.expected - shift + rng.normal(0.0, spec.estimate_sd, size=n)) / rate
    low, step = _nice(0.8 * mid)
    high, _ = _nice(1.25 * mid)
    high = np.where(high <= low, low + step, high)
    given = rng.random(n) >= spec.missing_estimate_share
    return pd.DataFrame({
        "log_price_usd": np.where(sold, p.log_price, np.nan), "popularity": p.popularity,
        "latent_log_price_usd": p.log_price, "expected_log_price_usd": p.expected,
        "price_original": np.where(sold, price, np.nan),
        "estimate_low": np.where(given, low, np.nan), "estimate_high": np.where(given, high, np.nan),
    })
