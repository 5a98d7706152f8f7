r"""A synthetic Artnet-like auction market drawn from the popularity-ability model, with its truth.

The seed paper's real data (Section 4.1) are Artnet records of 64,176 lots by 260
post-war and contemporary artists born after 1920, works made 1951-2020, sold
1993-2022; its artist-selection rule keeps 42,599 lots by 152 artists. The Artnet
records are licensed, so :func:`generate_world` draws a market like it from one
``numpy.random.Generator`` (no global randomness): its size and shares are a
:class:`~artstudy.synth.specs.WorldSpec`, its true parameters the
:class:`~artstudy.synth.truth.Truth` shared with the simulation study.
:meth:`World.write` writes

* ``raw_lots.csv``: the raw export, every field as text (:mod:`artstudy.synth.render`),
  read by :data:`SYNTHETIC_SOURCE` (the built-in source ``synthetic``), its ``image_file`` the
  work's picture ``images/<artwork id>.png`` (``WorldSpec.images``; one lossless PNG of
  ``image_size`` pixels a side per work, :mod:`artstudy.synth.images`);
* the truth: ``truth_coefficients.csv`` (term, truth), ``truth_ability.csv`` (artist,
  window, window_start, value), ``truth_lots.csv`` (lot_id, artwork_id, log_price_usd,
  ability, popularity, then the lot's true attributes and its work's ``visual_quality``),
  ``artists.csv`` (artist, birth_year, career, counts, selection outcome) and ``spec.json``
  (world spec, truth, rates, seed and, under ``images``, the picture size and the quality
  region in pixels: row0, row1, col0, col1, end-exclusive).

The market
----------
*Artists* (:mod:`artstudy.synth.careers`): careers, output per work window (uneven for
some, short for others, so that about 40% fail the selection rule, as the paper's 260
artists became 152) and an ability walk over the active windows.

*Works and lots* (:mod:`artstudy.synth.lots`): a creation year inside the window and the
career (``missing_year_share`` "not given", independently of the price), a medium in the
paper's 7 x 6 materials and supports, signature flags, a title and a size as written; a
first offer between creation and 2022, more in later years, ``repeat_share`` offered again
later; houses in USD, GBP, EUR and HKD (Hong Kong from 2005) with the config's constant
rates (USD per unit); ``unsold_share`` bought in, independently of everything, the price
included, so the sold lots are a random subsample; presale estimates around the expected
price with a specialist's error.

*Prices* (:mod:`artstudy.synth.prices`), year by year so that popularity feeds back:

.. math::

    y = x'\beta + \gamma u_{i,t} + a_{i,t'} + \delta q_j + \epsilon, \quad \epsilon \sim N(0, \sigma^2),

with :math:`y` the log price in USD and :math:`u_{i,t}` the artist's popularity
(``truth.popularity``: the paper's sum of log prices in earlier sale years over 10,000, or the
unit-free sum relative to each year's market mean), counting **every sold lot** of the
artist, also those the analysis leaves out (no creation year, sculpture, made before the
artist's first kept window): it equals :func:`artstudy.models.pam.popularity.popularity`
over all sold lots. A bought-in lot has a latent price in the truth but adds nothing.

*Pictures* (:mod:`artstudy.synth.images`): every work :math:`j` has a picture in its artist's
style and a visual quality :math:`q_j \sim N(0, \text{quality\_sd}^2)` that shows only inside a
known region of the picture (the centred square of a quarter of the area) and adds
:math:`\delta q_j` (:math:`\delta` = ``truth.quality_effect``) to the log price of every sale of
the work; the presale estimates do not see it, and no column of the raw export reveals it (a repeat
sale's earlier price does). **World prices changed** with this term (defaults ``quality_sd`` 1,
``quality_effect`` 0.7: variance 0.49 against the noise's 1 and the abilities' 4): every other
draw is as before (the pictures draw from a stream spawned from the seed), so the works, lots,
sizes, texts and abilities of a seed are those of the world without pictures, its prices,
popularity and estimates are not. ``quality_effect: 0`` gives the earlier prices back exactly.
The simulated markets (:mod:`artstudy.synth.market`) have no pictures and are unchanged.

Where the ability walk starts
-----------------------------
The world starts each walk at the artist's *first active window* (the first window of the
career inside 1951-2020): :math:`a_{i,\text{first}} \sim N(0, \tau^2)`. The model starts
:math:`N(0, \tau^2)` at :math:`t'_0`, the first window with at least 3 analysable lots,
which may come :math:`k_i \ge 0` windows later; there the true ability has variance
:math:`\tau^2 + k_i \sigma_a^2`. :meth:`World.model_start` gives :math:`k_i` per selected
artist and :meth:`World.model_start_summary` the effective :math:`\tau^2` the model should
recover, :math:`\tau^2 + \bar k \sigma_a^2`. Measured at the default size (seed 20241123):
155 artists selected, 148 with :math:`k = 0` and 7 with :math:`k = 1`, so :math:`\bar k = 0.045`
and the effective :math:`\tau^2` is 4.0005 against 4 (seeds 1-4: :math:`\bar k` 0.06-0.10,
effective :math:`\tau^2` at most 4.001). The difference, at most 0.03%, is far below the
standard error of the estimate of :math:`\tau^2` (about 0.5 with 150 artists), so the world
keeps the walk's natural start and states the difference rather than moving it.

The choice of the start is not ability-dependent (the lots per window do not depend on
the abilities), so the selected artists' abilities at :math:`t'_0` are exactly
:math:`N(0, \tau^2 + k_i \sigma_a^2)`. ``tests/test_world.py`` measures it where it is
visible (:math:`\sigma_a = 1`, :math:`\tau^2 = 0.25`, slow starts: the squared abilities at
:math:`t'_0` scaled by :math:`\tau^2 + k_i\sigma_a^2` average 1 for :math:`k_i = 0` and
:math:`k_i > 0` alike) and pins the default-scale numbers above. The simulated markets
(:mod:`artstudy.synth.market`) start every walk at :math:`t'_0` itself (:math:`k_i = 0`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._section import build, field_default
from ..data.funnel import Funnel
from ..data.sources import CurrencySettings, SourceMapping
from ..errors import InputError
from ..models.pam.paper import COVARIATES
from ..models.pam.selection import artist_spans
from ..models.pam.settings import PAMSettings
from .careers import Artists, draw_artists
from .images import IMAGE_CHUNK, LOOK_COLUMNS, QUALITY_BRIGHTNESS, QUALITY_REGION, draw_styles, draw_work_looks
from .images import quality_region, work_images, write_work_images
from .lots import draw_offers, draw_prices, draw_venues, draw_works, written_sizes
from .render import RAW_COLUMNS, render_raw
from .specs import WorldSpec
from .truth import Truth

__all__ = ["World", "generate_world", "write_world", "SYNTHETIC_SOURCE", "RAW_COLUMNS", "COVARIATES", "IMAGE_CHUNK"]

#: The source mapping that reads ``raw_lots.csv`` (``artstudy prepare RAW --source synthetic``).
SYNTHETIC_SOURCE: SourceMapping = build(SourceMapping, {
    "description": "the synthetic Artnet-like world written by `artstudy world` (raw_lots.csv)",
    "columns": {"lot_id": "lot_id", "auction_house": "auction_house", "sale_date": "sale_date",
                "artist": "artist_name", "title": "title", "medium": "medium", "size": "dimensions",
                "work_year": "year_of_work", "signature": "markings", "currency": "currency",
                "price": "hammer_price", "estimate": "estimate"},
    "date_format": "%Y-%m-%d", "size_unit": "cm", "unsold": ["Bought In"], "missing": ["not given"],
    "premium_included": False, "image_path": "{image_file}",  # pictures, relative to the export's folder
}, source="synthetic source")

_MIN_WORKS = field_default(PAMSettings, "min_works")
_MIN_WINDOWS = field_default(PAMSettings, "min_windows")
_NO_YEAR = "creation year given"  # the data layer's rule, named by what it keeps


@dataclass
class World:
    """A generated market: the raw export, the truth, and the settings that drew it.

    Attributes
    ----------
    raw : pandas.DataFrame
        :data:`RAW_COLUMNS`, all text, one row per lot in sale-date order.
    truth_coefficients : pandas.DataFrame
        term, truth.
    truth_ability : pandas.DataFrame
        artist, window, window_start, value: every artist's walk from its first to its last active window.
    truth_lots : pandas.DataFrame
        One row per lot in the order of ``raw``: lot_id, artwork_id, log_price_usd (NaN when bought in),
        ability (in the work's window), popularity (at the sale year), artist (clean name), sold, sale_year,
        sale_date, sale_number (1 for a work's first offer), sale_kind ("repeat" when the work was sold at
        an earlier offer), work_year (also when not given), work_year_given, window, window_start, title,
        medium, size_unit, height_cm, width_cm, depth_cm (as written), log_area, signed, inscribed, material,
        support, auction_house, currency, price_original (in the currency), estimate_low, estimate_high,
        latent_log_price_usd (also when bought in), expected_log_price_usd (without the noise).
    artists : pandas.DataFrame
        One row per artist: career, counts, first active window, selection outcome.
    spec, truth, rates
        What drew the world; ``rates`` in USD per unit.
    seed : int or None
        The seed, when the world was drawn from one.
    seconds : float
        Time taken to generate.
    styles : pandas.DataFrame
        One row per artist (in the order of ``artists``): artist and the style
        (:data:`artstudy.synth.images.STYLE_COLUMNS`).
    works : pandas.DataFrame
        One row per work offered, by artwork_id: artwork_id, artist, artist_code (row of ``styles``),
        image_file and the look (:data:`artstudy.synth.images.LOOK_COLUMNS`, ``visual_quality`` among them).
    image_seed : int
        Seeds the pictures' grain (chunk ``k`` of :data:`IMAGE_CHUNK` works: ``default_rng([image_seed, k])``).
    """

    raw: pd.DataFrame
    truth_coefficients: pd.DataFrame
    truth_ability: pd.DataFrame
    truth_lots: pd.DataFrame
    artists: pd.DataFrame
    spec: WorldSpec
    truth: Truth
    rates: dict
    seed: int | None = None
    seconds: float = float("nan")
    styles: pd.DataFrame | None = None
    works: pd.DataFrame | None = None
    image_seed: int = 0

    @property
    def quality_region(self) -> tuple[int, int, int, int]:
        """Where the visual quality lives, in pixels: (row0, row1, col0, col1), end-exclusive."""
        return quality_region(self.spec.image_size)

    def images(self, artwork_ids=None, size: int | None = None) -> np.ndarray:
        """The works' pictures, uint8 of shape (n, size, size, 3), in the order of ``artwork_ids`` (default: every
        work, in the order of ``works``). The same for a work whichever others are asked for."""
        return work_images(self.styles, self.works, self.image_seed, self.spec.image_size if size is None else size,
                           artwork_ids)

    def write_images(self, out_dir) -> Path:
        """Write every work's picture to ``out_dir/images/<artwork_id>.png`` (lossless); returns the folder."""
        return write_work_images(self.styles, self.works, self.image_seed, self.spec.image_size, out_dir)

    @property
    def covariates(self) -> tuple:
        """The covariates of the sales table (the paper's)."""
        return COVARIATES

    def coefficients(self) -> pd.Series:
        """The true coefficients as a Series indexed by term."""
        return self.truth_coefficients.set_index("term")["truth"]

    def sales_table(self, history: bool = True) -> pd.DataFrame:
        """The sold lots as the canonical sales table, without the parsing (true USD prices, unrounded).

        Parameters
        ----------
        history : bool
            True: every sold lot, the ones without a creation year marked in ``left_out`` (history only:
            they count for popularity). False: only the lots the analysis can use, no ``left_out`` column.

        Returns
        -------
        pandas.DataFrame
            lot_id, artist, sale_date, sale_year, work_year (Int64, NA when not given), price, the
            covariates, artwork_id, sale_kind (and left_out).
        """
        t = self.truth_lots.loc[self.truth_lots["sold"].to_numpy(bool)]
        given = t["work_year_given"].to_numpy(bool)
        out = t[["lot_id", "artist", "sale_date", "sale_year"]].copy()
        out["work_year"] = pd.array(np.where(given, t["work_year"], None), dtype="Int64")
        out["price"] = np.exp(t["log_price_usd"].to_numpy())
        for col in (*COVARIATES, "artwork_id", "sale_kind"):
            out[col] = t[col].to_numpy()
        if not history:
            return out.loc[given].astype({"work_year": np.int64}).reset_index(drop=True)
        out["left_out"] = pd.array(np.where(given, None, _NO_YEAR), dtype="string")
        return out.reset_index(drop=True)

    def _spans(self, min_works=_MIN_WORKS, min_windows=_MIN_WINDOWS):
        """Artist codes (in the order of ``artists``) of the lots, the analysable lots, and the selection spans."""
        t = self.truth_lots
        codes = pd.Categorical(t["artist"], categories=self.artists["artist"]).codes.astype(np.int64)
        usable = (t["sold"] & t["work_year_given"]).to_numpy(bool)
        t0, t1 = artist_spans(codes[usable], t["window"].to_numpy()[usable], len(self.artists),
                              self.spec.n_windows, min_works, min_windows)
        return codes, usable, t0, t1

    def funnel(self, min_works: int = _MIN_WORKS, min_windows: int = _MIN_WINDOWS) -> pd.DataFrame:
        """Lots and artists left after each step from the lots offered to the model's sample (from the truth).

        Returns
        -------
        pandas.DataFrame
            step, lots, artists, lots_removed, artists_removed (:class:`artstudy.data.funnel.Funnel`).
        """
        t = self.truth_lots
        codes, usable, t0, t1 = self._spans(min_works, min_windows)
        win = t["window"].to_numpy()
        f = Funnel(t["artist"], first_step="lots offered")
        f.apply("sold", t["sold"])
        f.apply(_NO_YEAR, t["work_year_given"])
        f.apply(f"artist has >= {min_works} works in each of >= {min_windows} consecutive windows", (t1 >= 0)[codes])
        f.apply("work made within the artist's span [t'0, t'1]", (win >= t0[codes]) & (win <= t1[codes]))
        return f.table()

    def model_start(self, min_works: int = _MIN_WORKS, min_windows: int = _MIN_WINDOWS) -> pd.DataFrame:
        """Where each selected artist's ability walk starts, against where the model starts it.

        Returns
        -------
        pandas.DataFrame
            One row per selected artist: artist, walk_start (the first active window, where the world draws
            N(0, tau2)), selection_start (t'0, where the model puts N(0, tau2)), steps (k = t'0 - walk_start),
            ability_at_start (the true ability at t'0) and start_variance (tau2 + k sigma_a^2, its variance).
        """
        _, _, t0, t1 = self._spans(min_works, min_windows)
        selected = t1 >= 0
        a = self.artists.loc[selected]
        out = pd.DataFrame({"artist": a["artist"].to_numpy(), "walk_start": a["first_window"].to_numpy(),
                            "selection_start": t0[selected]})
        out["steps"] = out["selection_start"] - out["walk_start"]
        value = self.truth_ability.set_index(["artist", "window"])["value"]
        out["ability_at_start"] = value.reindex(pd.MultiIndex.from_arrays(
            [out["artist"], out["selection_start"]])).to_numpy()
        out["start_variance"] = self.truth.tau2 + out["steps"] * self.truth.sigma_a ** 2
        return out

    def model_start_summary(self, **selection) -> pd.Series:
        """The start difference in numbers: selected artists, mean / max steps k, share with k = 0, tau2, and the
        effective tau2 the model should recover (the mean start variance, tau2 + mean(k) sigma_a^2)."""
        s = self.model_start(**selection)
        return pd.Series({"n_selected": len(s), "mean_steps": s["steps"].mean(), "max_steps": s["steps"].max(),
                          "share_no_steps": (s["steps"] == 0).mean(), "tau2": self.truth.tau2,
                          "effective_tau2": s["start_variance"].mean()}, name="model_start")

    def write(self, out_dir) -> Path:
        """Write raw_lots.csv, truth_coefficients.csv, truth_ability.csv, truth_lots.csv, artists.csv, spec.json
        and, with ``spec.images``, images/<artwork_id>.png."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.raw.to_csv(out / "raw_lots.csv", index=False)
        self.truth_coefficients.to_csv(out / "truth_coefficients.csv", index=False)
        self.truth_ability.to_csv(out / "truth_ability.csv", index=False)
        self.truth_lots.to_csv(out / "truth_lots.csv", index=False)
        self.artists.to_csv(out / "artists.csv", index=False)
        spec = {"world": self.spec.model_dump(mode="json"), "truth": self.truth.model_dump(mode="json"),
                "rates": self.rates, "seed": self.seed,
                "images": {"written": self.spec.images, "size": self.spec.image_size,
                           "quality_region": list(self.quality_region),
                           "quality_region_fraction": list(QUALITY_REGION),
                           "quality_brightness": QUALITY_BRIGHTNESS, "folder": "images"}}
        (out / "spec.json").write_text(json.dumps(spec, indent=2) + "\n")
        if self.spec.images:
            self.write_images(out)
        else:
            (out / "images").mkdir(exist_ok=True)  # the workflow's output folder exists either way
        return out


def _check_rates(rates) -> dict:
    """The currency settings' rates (given ones merged over the defaults, each positive), as the data layer reads them."""
    return build(CurrencySettings, {"rates": dict(rates or {})}, source="currency").rates


def _lots(spec: WorldSpec, artists: Artists, rng) -> pd.DataFrame:
    """Works, their offers, venues and written sizes, one row per lot in (work, sale year) order."""
    works = draw_works(spec, artists, rng)
    offers = draw_offers(spec, works, rng)
    venues = draw_venues(offers["sale_year"].to_numpy(), rng)
    work = offers["work"].to_numpy()
    first_currency = venues["currency"].groupby(work).first().reindex(range(len(works)), fill_value="USD")
    sizes = written_sizes(works, first_currency, rng)
    attrs = ["artist", "window", "work_year", "work_year_given", "title", "medium", "material", "support",
             "signed", "inscribed"]
    lots = pd.concat([offers, venues, works[attrs].iloc[work].reset_index(drop=True),
                      sizes.iloc[work].reset_index(drop=True)], axis=1)
    lots["log_area"] = np.log(lots["height_cm"] * lots["width_cm"])
    return lots


def _order_and_ids(lots: pd.DataFrame, rng) -> pd.DataFrame:
    """Lots in sale-date order (ties by house, then at random), with lot and artwork ids."""
    house = pd.factorize(lots["auction_house"])[0]
    order = np.lexsort((rng.random(len(lots)), house, lots["sale_date"].to_numpy()))
    pos = np.empty(len(lots), dtype=np.int64)
    pos[order] = np.arange(1, len(lots) + 1)
    work = lots["work"].to_numpy() + 1
    lots = lots.assign(
        lot_id=pd.Series(pos).astype(str).str.zfill(max(6, len(str(len(lots))))).radd("SYN-").to_numpy(),
        artwork_id=pd.Series(work).astype(str).str.zfill(max(6, len(str(work.max(initial=1))))).radd("W-").to_numpy())
    return lots.iloc[order].reset_index(drop=True)


_TRUTH_COLUMNS = ["lot_id", "artwork_id", "log_price_usd", "ability", "popularity", "artist", "sold", "sale_year",
                  "sale_date", "sale_number", "sale_kind", "work_year", "work_year_given", "window", "window_start",
                  "title", "medium", "size_unit", "height_cm", "width_cm", "depth_cm", "log_area", "signed",
                  "inscribed", "material", "support", "auction_house", "currency", "price_original", "estimate_low",
                  "estimate_high", "latent_log_price_usd", "expected_log_price_usd", "visual_quality"]


def _truth_lots(spec, truth, coef, artists: Artists, rates, rng, image_rng):
    """The truth's lots: attributes, then prices year by year (popularity counting every sold lot), in sale order;
    and the works' looks (from ``image_rng``), one row per work index."""
    lots = _lots(spec, artists, rng)
    code, window = lots["artist"].to_numpy(), lots["window"].to_numpy()
    work = lots["work"].to_numpy()
    looks = draw_work_looks(int(work.max(initial=-1)) + 1, truth.quality_sd, image_rng)
    quality = looks["visual_quality"].to_numpy()[work]
    ability = artists.ability[code, window]
    prices = draw_prices(spec, truth, coef, lots, ability, rates, rng, shift=truth.quality_effect * quality)
    lots = pd.concat([lots, prices], axis=1)
    lots["ability"] = ability
    lots["visual_quality"] = quality
    lots["artist_code"] = code
    lots["artist"] = artists.names[code]
    lots["window_start"] = spec.window_start + spec.window_width * window
    lots = _order_and_ids(lots, rng)
    first = lots.drop_duplicates("artwork_id").sort_values("artwork_id")
    works = pd.DataFrame({"artwork_id": first["artwork_id"].to_numpy(object), "artist": first["artist"].to_numpy(),
                          "artist_code": first["artist_code"].to_numpy(np.int64)})
    works["image_file"] = "images/" + works["artwork_id"] + ".png"
    works = pd.concat([works, looks.iloc[first["work"].to_numpy()].reset_index(drop=True)[LOOK_COLUMNS]], axis=1)
    return lots[_TRUTH_COLUMNS], works


def _image_stream(rng):
    """A generator for the pictures spawned from ``rng``'s seed, so that the other draws stay as they were."""
    try:
        return rng.spawn(1)[0]
    except (AttributeError, TypeError, ValueError):  # a generator without a seed sequence
        return np.random.default_rng(rng.integers(2 ** 63))


def _artist_table(spec: WorldSpec, artists: Artists, t: pd.DataFrame) -> pd.DataFrame:
    """One row per artist: birth, career, counts; the selection outcome is filled in by the caller."""
    codes = pd.Categorical(t["artist"], categories=artists.names).codes
    count = np.bincount
    n = spec.n_artists
    usable = (t["sold"] & t["work_year_given"]).to_numpy(bool)
    first_offer = ~t["artwork_id"].duplicated().to_numpy()
    return pd.DataFrame({
        "artist": artists.names, "birth_year": artists.birth, "career_start": artists.start,
        "career_end": np.minimum(artists.end, spec.last_work_year), "first_window": artists.first_w,
        "last_window": artists.last_w, "short_career": artists.short, "sparse_career": artists.sparse,
        "n_works": count(codes[first_offer], minlength=n),
        "n_lots": count(codes, minlength=n), "n_sold": count(codes[t["sold"].to_numpy(bool)], minlength=n),
        "n_analysable": count(codes[usable], minlength=n),
        "mean_ability": np.nanmean(artists.ability, axis=1),
    })


def generate_world(spec: WorldSpec | None = None, truth: Truth | None = None, rates: dict | None = None,
                   rng=None) -> World:
    """Draw a synthetic Artnet-like market, its truth and its raw export.

    Parameters
    ----------
    spec : WorldSpec or dict, optional
        Size and shares (default: the paper's scale).
    truth : Truth or dict, optional
        The true parameters (default: the paper's Table 2 and gamma, sigma2 1, tau2 4, sigma_a 0.1).
    rates : dict, optional
        USD per unit of each currency (the config's ``currency.rates``; default
        :data:`artstudy.data.sources.DEFAULT_RATES`), merged over the defaults.
    rng : numpy.random.Generator or int, optional
        The only source of randomness.

    Returns
    -------
    World
    """
    clock = time.perf_counter()
    spec = build(WorldSpec, spec, source="world")
    truth = build(Truth, truth, source="truth")
    rates = _check_rates(rates)
    seed = int(rng) if isinstance(rng, (int, np.integer)) else None
    rng = np.random.default_rng(rng)
    coef = truth.coefficients(spec.first_sale_year, spec.n_sale_years)
    image_rng = _image_stream(rng)
    styles = draw_styles(spec.n_artists, image_rng)
    artists = draw_artists(spec, truth, rng)
    lots, works = _truth_lots(spec, truth, coef, artists, rates, rng, image_rng)
    image_seed = int(image_rng.integers(2 ** 63))
    image_file = works.set_index("artwork_id")["image_file"].reindex(lots["artwork_id"]).to_numpy(object)
    raw = render_raw(lots.assign(image_file=image_file if spec.images else ""), spec, rng)
    styles.insert(0, "artist", artists.names)
    ii, jj = np.nonzero(~np.isnan(artists.ability))
    truth_ability = pd.DataFrame({"artist": artists.names[ii], "window": jj,
                                  "window_start": spec.window_start + spec.window_width * jj,
                                  "value": artists.ability[ii, jj]})
    world = World(raw=raw, truth_coefficients=coef.rename("truth").rename_axis("term").reset_index(),
                  truth_ability=truth_ability, truth_lots=lots, artists=_artist_table(spec, artists, lots),
                  spec=spec, truth=truth, rates=rates, seed=seed, styles=styles, works=works, image_seed=image_seed)
    _, _, t0, t1 = world._spans()
    world.artists["passes_selection"] = t1 >= 0
    world.artists["selection_first_window"] = np.where(t1 >= 0, t0, -1)
    world.artists["selection_last_window"] = t1
    world.seconds = time.perf_counter() - clock
    return world


def write_world(config, out_dir, seed: int | None = None) -> World:
    """Generate the world a study config describes and write it to ``out_dir``.

    Parameters
    ----------
    config : artstudy.settings.StudyConfig or dict
        Its ``world``, ``truth``, ``currency`` and ``seed`` are used (a mapping is resolved first).
    out_dir : path
    seed : int, optional
        Overrides the config's seed.

    Returns
    -------
    World

    Raises
    ------
    InputError
        When ``currency.target`` is not USD (the world's truth is in USD).
    """
    from ..settings import StudyConfig, resolve

    config = config if isinstance(config, StudyConfig) else resolve(config)
    if config.currency.target != "USD":
        raise InputError(f"currency.target is {config.currency.target!r}; the synthetic world's truth is in USD")
    world = generate_world(config.world, config.truth, config.currency.rates,
                           rng=config.seed if seed is None else seed)
    world.write(out_dir)
    return world
