"""A small hand-made market in the canonical layout, shared by the harness's tests (and checked here).

``toy_sales`` draws a sales table whose log prices follow a known hedonic model with artist
effects, sale-year trend and noise; some lots are repeat sales of earlier works, some are
unsold or left out by a rule (history only), and a few artists sell only late. It does not
depend on the synthetic world or the data layer, so the harness's tests hold while those
change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MATERIALS = ("oil", "acrylic", "watercolour", "other")
SUPPORTS = ("canvas", "paper", "other")
MATERIAL_EFFECT = {"oil": 0.6, "acrylic": 0.4, "watercolour": 0.1, "other": 0.0}
SUPPORT_EFFECT = {"canvas": 0.5, "paper": -0.3, "other": 0.0}
CANONICAL = ["lot_id", "artist", "sale_date", "sale_year", "work_year", "price", "log_area", "signed", "inscribed",
             "material", "support", "artwork_id", "sale_kind", "auction_house", "low_estimate", "high_estimate",
             "left_out"]


def toy_sales(n: int = 3000, n_artists: int = 40, years=(2005, 2014), seed: int = 0, repeat_share: float = 0.15,
              left_out_share: float = 0.08, late_artists: int = 3, noise: float = 0.4):
    """A sales table and its truth.

    Returns
    -------
    sales : DataFrame with the canonical columns (:data:`CANONICAL`), in sale-date order.
    truth : dict with ``artist_effect`` (Series by artist), ``beta`` (dict) and ``noise``.
    """
    rng = np.random.default_rng(seed)
    names = np.array([f"Artist {i:02d}" for i in range(n_artists)], dtype=object)
    effect = pd.Series(rng.normal(0.0, 1.0, n_artists), index=names)
    first_day = pd.Timestamp(f"{years[0]}-01-01")
    span = (pd.Timestamp(f"{years[1]}-12-31") - first_day).days
    days = np.sort(rng.integers(0, span + 1, n))
    dates = first_day + pd.to_timedelta(days, unit="D")
    # the last `late_artists` artists sell only in the last two sale years
    late = dates.year >= years[1] - 1
    artist = rng.integers(0, n_artists - late_artists, n)
    pick = late & (rng.random(n) < 0.1)
    artist[pick] = rng.integers(n_artists - late_artists, n_artists, pick.sum())
    frame = pd.DataFrame({
        "artist": names[artist], "log_area": rng.normal(7.5, 0.8, n), "signed": rng.random(n) < 0.7,
        "inscribed": rng.random(n) < 0.3, "material": rng.choice(MATERIALS, n, p=[0.4, 0.3, 0.2, 0.1]),
        "support": rng.choice(SUPPORTS, n, p=[0.5, 0.35, 0.15]), "work_year": rng.integers(1960, 2000, n),
        "artwork_id": [f"W{i:05d}" for i in range(n)],
    })
    # repeat sales: a lot re-offers an earlier original lot (same work, same covariates)
    repeat = (rng.random(n) < repeat_share) & ~pick
    originals = np.flatnonzero(~repeat & ~pick)
    before = np.searchsorted(originals, np.arange(n))
    source = originals[np.floor(rng.random(n) * np.maximum(before, 1)).astype(int).clip(0, originals.size - 1)]
    repeat &= before > 0
    frame.loc[repeat] = frame.loc[source[repeat]].to_numpy()
    frame["signed"] = frame["signed"].astype(bool)
    frame["inscribed"] = frame["inscribed"].astype(bool)
    beta = {"log_area": 0.6, "signed": 0.1, "inscribed": 0.05, "trend": 0.04}
    year = dates.year.to_numpy()
    y = (8.0 + effect.reindex(frame["artist"]).to_numpy() + beta["log_area"] * (frame["log_area"] - 7.5)
         + beta["signed"] * frame["signed"] + beta["inscribed"] * frame["inscribed"]
         + frame["material"].map(MATERIAL_EFFECT).to_numpy() + frame["support"].map(SUPPORT_EFFECT).to_numpy()
         + beta["trend"] * (year - years[0]) + rng.normal(0.0, noise, n))
    price = np.exp(y.astype(float))
    rule = np.where(rng.random(n) < left_out_share, np.where(rng.random(n) < 0.5, "sold", "creation year given"), "")
    price[rule == "sold"] = np.nan
    work_year = pd.array(frame["work_year"].to_numpy(), dtype="Int64")
    work_year[rule == "creation year given"] = pd.NA
    sold_before = pd.Series(np.isfinite(price)).groupby(frame["artwork_id"].to_numpy()).cumsum().to_numpy()
    sold_before = sold_before - np.isfinite(price)
    sales = frame.assign(
        lot_id=[f"L{i:05d}" for i in range(n)], sale_date=dates.strftime("%Y-%m-%d"), sale_year=year,
        work_year=work_year, price=price, sale_kind=np.where(sold_before > 0, "repeat", "first"),
        auction_house=rng.choice(["House A", "House B"], n), low_estimate=np.round(price * 0.8, -1),
        high_estimate=np.round(price * 1.2, -1), left_out=pd.array(np.where(rule == "", None, rule), dtype="string"),
    )[CANONICAL]
    return sales, {"artist_effect": effect, "beta": beta, "noise": noise}


def test_toy_market_has_the_canonical_layout_and_its_segments():
    sales, truth = toy_sales(seed=1)
    assert list(sales.columns) == CANONICAL
    assert sales["lot_id"].is_unique
    assert (pd.to_datetime(sales["sale_date"]).diff().dropna() >= pd.Timedelta(0)).all()
    kept = sales["left_out"].isna()
    assert np.isfinite(np.log(sales.loc[kept, "price"])).all()
    assert sales.loc[sales["left_out"] == "sold", "price"].isna().all()
    # a repeat sale is of a work sold at an earlier lot
    rep = sales[sales["sale_kind"] == "repeat"]
    assert len(rep) > 100
    sold = sales[sales["price"].notna()]
    first_sold = sold.groupby("artwork_id")["sale_date"].min()
    assert (rep["sale_date"].to_numpy() >= first_sold.reindex(rep["artwork_id"]).to_numpy()).all()
    late = sales.groupby("artist")["sale_year"].min()
    assert (late >= 2013).sum() == 3
