"""Benchmark: preparing a raw export of 1,000,000 lots (target: under 60 s on 2 cores).

Builds, in memory, a raw export in the synthetic world's format (artstudy.data, config
``sources: synthetic``) by drawing from pools of realistic text: artist names written with
varying case and spaces, 300,000 titles, media and markings in the world's forms, 100,000
dimension texts in cm and inches (with fractions), creation years as "1965", "c. 1965",
"1965-67", "not given", sale dates over 1993-2022, four currencies, 200,000 hammer prices
"1,234,567" and "Bought In", estimate ranges. Nothing is written to the repository. Times
``prepare_table`` (parse, validate, convert, link repeat sales, mark what the rules leave out) and,
with ``--csv``, reading the export back from a CSV file first. The mapping is the synthetic world's
(``artstudy.synth.world.SYNTHETIC_SOURCE``) and the currency settings the repository config's.

    python benchmarks/bench_prepare.py [--lots 1000000] [--repeats 1] [--csv] [--record]

``--record`` writes the result to ``benchmarks/results/prepare.md`` (see ``benchmarks/record.py``).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from artstudy.data import analysis_sample, prepare_table, read_raw
from artstudy.settings import read_config

MEDIA = ["Oil on canvas", "Acrylic and silkscreen ink on canvas", "Mixed media on paper", "Watercolour on paper",
         "Pastel on board", "Pencil on paper", "Oil on cardboard", "Acrylic on leather", "Bronze", "Gouache on paper",
         "Oil, enamel and acrylic on canvas", "Acrylic on canvas", "Oil on panel", "Colored pencil on paper"]
MARKINGS = ["Signed and dated", "Signed, titled and inscribed", "Inscribed", "Unsigned", "Stamped", "Signed"]
HOUSES = ["Christie's London", "Christie's New York", "Sotheby's New York", "Sotheby's London",
          "Phillips Hong Kong", "Phillips New York", "Bonhams London"]
CURRENCY = {"Christie's London": "GBP", "Sotheby's London": "GBP", "Bonhams London": "GBP",
            "Christie's New York": "USD", "Sotheby's New York": "USD", "Phillips New York": "USD",
            "Phillips Hong Kong": "HKD"}
WORDS = ["Blue", "Red", "Composition", "Figure", "Landscape", "Head", "Study", "Night", "City", "Garden", "Woman",
         "Abstract", "Painting", "Still Life", "Interior", "Sea", "Light", "Black", "White", "Form"]


def _commas(values: np.ndarray) -> np.ndarray:
    return np.array([f"{int(v):,}" for v in values], dtype=object)  # builds the pools only


def raw_export(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    first = np.array(["Mary", "John", "Ana", "Pierre", "Yayoi", "Gerhard", "Joan", "Louise", "Sam", "Helena",
                      "Carlos", "Agnes", "Paulo", "Li", "Frank", "Maria", "Jean", "Cy", "Ellsworth", "Lee"])
    last = np.array([f"{a}{b}" for a in ("Smith", "Costa", "Martin", "Kusa", "Richt", "Mitch", "Bourg", "Franc",
                                         "Vieira", "Pomar") for b in ("", "son", "er", "ini", "ov", "ez", "a",
                                                                       "berg", "ton", "ez-Silva")])
    artists = np.char.add(np.char.add(rng.choice(first, 2000), " "), rng.choice(last, 2000)).astype(object)
    a = rng.integers(0, artists.size, n)
    artist = artists[a]
    upper = rng.random(n) < 0.05
    artist = np.where(upper, np.char.add(np.char.upper(artist.astype(str)), " ").astype(object), artist)
    titles = np.array(["Untitled"] * 1000 + [f"{WORDS[i % 20]} {WORDS[(i // 20) % 20]} No. {i}" for i in range(300_000)]
                      + [f"Untitled ({WORDS[i % 20]} {i})" for i in range(20_000)], dtype=object)
    sizes_cm = np.array([f"{h:.1f} x {w:.1f} cm" for h, w in rng.uniform(10, 250, (60_000, 2))]
                        + [f"{h:.1f} x {w:.1f} x {d:.0f} cm" for h, w, d in rng.uniform(5, 120, (10_000, 3))],
                        dtype=object)
    fr = ["", " 1/2", " 1/4", " 3/4", " 1/8"]
    sizes_in = np.array([f"{int(h)}{fr[i % 5]} x {int(w)}{fr[(i // 5) % 5]} in." for i, (h, w)
                         in enumerate(rng.uniform(4, 100, (30_000, 2)))], dtype=object)
    sizes = np.concatenate([sizes_cm, sizes_in])
    year = rng.integers(1945, 2021, n)
    form = rng.choice(4, n, p=[0.8, 0.08, 0.08, 0.04])
    year_text = np.select([form == 0, form == 1, form == 2],
                          [year.astype(str), np.char.add("c. ", year.astype(str)),
                           np.char.add(np.char.add(year.astype(str), "-"),
                                       np.char.zfill(((year + 2) % 100).astype(str), 2))],
                          "not given").astype(object)
    days = pd.date_range("1993-01-01", "2022-12-31", freq="D")
    sale_days = days[rng.choice(days.size, 1500, replace=False)].strftime("%Y-%m-%d").to_numpy(dtype=object)
    house = np.array(HOUSES, dtype=object)[rng.integers(0, len(HOUSES), n)]
    currency = pd.Series(house).map(CURRENCY).to_numpy(dtype=object)
    price_pool = _commas(np.round(np.exp(rng.normal(10.5, 1.5, 200_000))))
    price = price_pool[rng.integers(0, price_pool.size, n)]
    price = np.where(rng.random(n) < 0.2, "Bought In", price).astype(object)
    low = np.round(np.exp(rng.normal(10.3, 1.5, 20_000)), -2)
    est_pool = np.char.add(np.char.add(_commas(low).astype(str), " - "), _commas(low * 1.5).astype(str)).astype(object)
    estimate = np.where(rng.random(n) < 0.1, "", est_pool[rng.integers(0, est_pool.size, n)]).astype(object)
    return pd.DataFrame({
        "lot_id": np.char.add("SYN-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)).astype(object),
        "auction_house": house,
        "sale_date": sale_days[rng.integers(0, sale_days.size, n)],
        "artist_name": artist,
        "title": titles[rng.integers(0, titles.size, n)],
        "medium": np.array(MEDIA, dtype=object)[rng.integers(0, len(MEDIA), n)],
        "dimensions": sizes[rng.integers(0, sizes.size, n)],
        "year_of_work": year_text,
        "markings": np.array(MARKINGS, dtype=object)[rng.integers(0, len(MARKINGS), n)],
        "currency": currency,
        "hammer_price": price,
        "estimate": estimate,
    }).astype(str)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--csv", action="store_true",
                        help="write the export to a CSV file and time reading it back too")
    parser.add_argument("--record", action="store_true", help="write benchmarks/results/prepare.md")
    args = parser.parse_args()
    config = read_config()
    mapping = config.source("synthetic")
    t0 = time.perf_counter()
    raw = raw_export(args.lots)
    print(f"built a raw export of {len(raw):,} lots in {time.perf_counter() - t0:.1f} s; "
          f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, pandas {pd.__version__}")
    times = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            source = raw
            t_read = 0.0
            if args.csv:
                path = Path(tmp) / "raw_lots.csv"
                raw.to_csv(path, index=False)
                t = time.perf_counter()
                source = read_raw(path, mapping)
                t_read = time.perf_counter() - t
            t = time.perf_counter()
            table, funnel = prepare_table(source, mapping, name="synthetic", currency=config.currency)
            times.append((t_read, time.perf_counter() - t))
    print(funnel.to_string(index=False))
    for t_read, t_prep in times:
        print(f"read_raw {t_read:.1f} s, prepare_table {t_prep:.1f} s, total {t_read + t_prep:.1f} s "
              f"for {args.lots:,} lots ({len(analysis_sample(table)):,} kept)")
    best = min(r + p for r, p in times)
    print(f"best total: {best:.1f} s (target < 60 s)")
    if args.record:
        from record import record

        r, p = min(times, key=sum)
        rows = "\n".join([
            "| lots | kept | reading the CSV | parsing, validating, linking | total | target |",
            "|---|---|---|---|---|---|",
            f"| {args.lots:,} | {len(analysis_sample(table)):,} | {r:.1f} s | {p:.1f} s | {r + p:.1f} s | 60 s |",
        ])
        record("prepare", f"artstudy prepare on a generated raw export (best of {args.repeats})", rows)


if __name__ == "__main__":
    main()
