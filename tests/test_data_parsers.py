"""The data layer's parsers (artstudy.data.text, money, dates, sizes, media, linking) on real-looking strings,
each with its exact answer."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from artstudy import data as D
from artstudy.data.text import as_text, on_uniques, transliterate
from artstudy.errors import InputError

RATES = {"USD": 1.0, "GBP": 1.30, "EUR": 1.15, "HKD": 0.128}
PORTUGUESE_YEAR = r"datad[oa]s?\b\D{0,40}?(?:\d{1,2}[-./]){0,2}(\d{4})"  # config.yaml, cml_portugal


# --------------------------------------------------------------------------
# text: folding and transliteration
# --------------------------------------------------------------------------

SAME_ARTIST = [
    ("Asger Jørn", "Asger Jorn"), ("Tamara Łempicka", "Tamara Lempicka"), ("Otto Müller", "Otto Muller"),
    ("Hans Straße", "Hans Strasse"), ("Antonín Dvořák", "Antonin Dvorak"), ("Abidin Çelebi", "Abidin Celebi"),
    ("Hans Christian Ørsted", "Hans Christian Orsted"), ("Ævar Æsir", "Aevar Aesir"), ("José Pomar", "JOSE POMAR"),
    ("Łódź Group", "Lodz Group"), ("Zdzisław Beksiński", "Zdzislaw Beksinski"), ("Þórarinn", "Thorarinn"),
]


@pytest.mark.parametrize("accented, plain", SAME_ARTIST, ids=[a for a, _ in SAME_ARTIST])
def test_transliteration_keeps_every_letter(accented, plain):
    folded = D.fold(pd.Series([accented, plain]))
    assert folded[0] == folded[1] == plain.lower()
    got = D.normalise_artist(pd.Series([accented, plain, accented]))
    assert got.nunique() == 1 and got[0] == accented  # the more frequent spelling is shown


def test_fold_exact():
    got = D.fold(pd.Series(["  Óleo   sobre TELA ", "Łódź", "Straße", "Æ", "Ørsted", "Müller", "ﬁn", "plain"]))
    assert got.tolist() == ["oleo sobre tela", "lodz", "strasse", "ae", "orsted", "muller", "fin", "plain"]
    assert transliterate(pd.Series(["Dvořák", "Çelebi"])).tolist() == ["Dvorak", "Celebi"]


def test_distinct_artists_stay_distinct():
    got = D.normalise_artist(pd.Series(["Otto Muller", "Otto Mueller", "Asger Jorn", "Asger Jorna"]))
    assert got.tolist() == ["Otto Muller", "Otto Mueller", "Asger Jorn", "Asger Jorna"]


def test_normalise_artist_and_title():
    got = D.normalise_artist(pd.Series(["Mary Smith", "MARY SMITH ", "mary  smith", "José Pomar", "JOSE POMAR", ""]))
    assert got[:5].tolist() == ["Mary Smith"] * 3 + ["José Pomar"] * 2
    assert got[5] is pd.NA
    assert str(got.dtype) == "string"
    titles = pd.Series(['"Untitled (Blue)"', "UNTITLED  (blue)", "Sem título", "Ørsted's Sea", "Straße ½"])
    assert D.normalise_title(titles).tolist() == ["untitled blue", "untitled blue", "sem titulo", "orsted s sea",
                                                  "strasse 1 2"]


def test_as_text_and_on_uniques_keep_the_index():
    s = pd.Series([1965, None, "x"], index=[5, 6, 7])
    assert as_text(s).tolist() == ["1965", "", "x"] and list(as_text(s).index) == [5, 6, 7]
    calls = []

    def run(u):
        calls.append(len(u))
        return u.str.upper()
    got = on_uniques(pd.Series([" a", "b", "a ", "b"], index=[9, 8, 7, 6]), run)
    assert got.tolist() == ["A", "B", "A", "B"] and list(got.index) == [9, 8, 7, 6]
    assert calls == [3]  # " a", "b", "a " are distinct before stripping


def test_parsers_keep_the_index_and_vectorise_over_distinct_values():
    s = pd.Series(["Oil / Canvas"] * 5 + ["Bronze"] * 5, index=range(100, 110))
    got = D.parse_medium(s)
    assert list(got.index) == list(s.index)
    assert got["material"].tolist() == ["oil"] * 5 + ["other"] * 5


# --------------------------------------------------------------------------
# money
# --------------------------------------------------------------------------

PRICES = [
    ("$275,000", 275000.0, "USD"),
    ("1,234,567", 1234567.0, None),
    ("€1.200,50", 1200.5, "EUR"),
    ("-not sold-", math.nan, None),
    ("Bought In", math.nan, None),
    ("$3,366 (3,000)", 3366.0, "USD"),  # askart, Auctionata lots
    ("withdrawn", math.nan, None),
    ("600", 600.0, None),  # cml Final Price
    ("£1,000", 1000.0, "GBP"),
    ("HK$ 1,000,000", 1000000.0, "HKD"),
    ("USD 12,500", 12500.0, "USD"),
    ("usd 12,500", 12500.0, "USD"),
    ("1.200", 1200.0, None),
    ("76.5", 76.5, None),
    ("14,5", 14.5, None),
    ("1 234 567", 1234567.0, None),
    ("1'234'567", 1234567.0, None),
    ("12,5oo", math.nan, None),
    ("-500", -500.0, None),
    ("1.000,-", 1000.0, None),
    ("", math.nan, None),
]


@pytest.mark.parametrize("text, value, currency", PRICES, ids=[p[0] or "empty" for p in PRICES])
def test_parse_price_and_currency(text, value, currency):
    got = D.parse_price(pd.Series([text]))[0]
    assert (math.isnan(got) and math.isnan(value)) or got == value
    cur = D.parse_currency(pd.Series([text]))[0]
    assert (cur if cur is not pd.NA else None) == currency


def test_parse_price_forced_decimal():
    assert D.parse_price(pd.Series(["€1.200,50", "1.234.567"]), decimal=",").tolist() == [1200.5, 1234567.0]
    assert D.parse_price(pd.Series(["1,200.50", "76.5"]), decimal=".").tolist() == [1200.5, 76.5]
    assert math.isnan(D.parse_price(pd.Series(["1.234.567"]), decimal=".")[0])
    with pytest.raises(ValueError, match="decimal must be") as info:  # a bug of the caller, not bad input
        D.parse_price(pd.Series(["1"]), decimal=";")
    assert not isinstance(info.value, InputError)


def test_parse_estimate():
    e = D.parse_estimate(pd.Series(["10,000 - 15,000", "$10,000 - $15,000", "600", "", "8,000 to 12,000",
                                    "1.000 – 1.500"]))
    assert e["low"].tolist()[:3] == [10000.0, 10000.0, 600.0]
    assert e["high"].tolist()[:3] == [15000.0, 15000.0, 600.0]
    assert np.isnan(e.loc[3, "low"]) and np.isnan(e.loc[3, "high"])
    assert (e.loc[4, "low"], e.loc[4, "high"]) == (8000.0, 12000.0)
    assert (e.loc[5, "low"], e.loc[5, "high"]) == (1000.0, 1500.0)


def test_parse_currency_symbols():
    got = D.parse_currency(pd.Series(["US$ 5", "C$5", "¥300", "RMB 4", "SFr. 5", "5 EUR", "no money", "R$ 10"]))
    assert got.fillna("").tolist() == ["USD", "CAD", "JPY", "CNY", "CHF", "EUR", "", "BRL"]


def test_convert_currency():
    got = D.convert_currency([100.0, 100.0, 100.0, np.nan], ["GBP", "USD", "HKD", "EUR"], RATES)
    assert got[:3].tolist() == [130.0, 100.0, 12.8] and np.isnan(got[3])
    got = D.convert_currency([100.0, 100.0], ["GBP", None], RATES)
    assert got[0] == 130.0 and np.isnan(got[1])
    assert D.convert_currency([10.0], ["usd"], {"EUR": 2.0}, target="USD").tolist() == [10.0]
    with pytest.raises(KeyError, match="XYZ"):
        D.convert_currency([1.0], ["XYZ"], RATES)


# --------------------------------------------------------------------------
# years and dates
# --------------------------------------------------------------------------

YEARS = [
    ("1965", 1965), ("c. 1965", 1965), ("circa 1965", 1965), ("c.1960", 1960), ("1965-67", 1965),
    ("1999-2000", 1999), ("1960s", 1960), ("c. 1950s", 1950), ("not given", None), ("", None),
    ("86", None), ("68/69", None), ("CIRCA 1975", 1975), ("1979-86", 1979), ("12345", None), ("0999", None),
]


@pytest.mark.parametrize("text, year", YEARS, ids=[y[0] or "empty" for y in YEARS])
def test_parse_year(text, year):
    got = D.parse_year(pd.Series([text]))[0]
    assert (got is pd.NA and year is None) or got == year


def test_parse_year_with_a_source_pattern():
    texts = pd.Series(["tecnica mista sobre papel, assinada e datada de 20-12-1991",
                       "serigrafia sobre papel, assinada e datada de 1981, numerada 1/150",
                       "assinada parvine curie (provavelmente parvine curie - nasc. 1936) e datada de 1987",
                       "carvao sobre papel, assinado e datado de 1-11-1995",
                       "acrilico sobre platex, assinado e datado do porto - 1985, no verso",
                       "serigrafia sobre papel, assinada e datada 25/4/1982",
                       "oleo sobre tela, assinado", "aguarela sobre papel, assinada e datada de 91"])
    got = D.parse_year(texts, PORTUGUESE_YEAR)
    assert str(got.dtype) == "Int64"
    assert got.tolist()[:6] == [1991, 1981, 1987, 1995, 1985, 1982]
    assert got[6] is pd.NA and got[7] is pd.NA


def test_parse_date_formats_and_ranges():
    got = D.parse_date(pd.Series(["11/16/2018", "11/22/2016-11/23/2016", "13/40/2018", ""]), "%m/%d/%Y")
    assert got.dtype == "datetime64[ns]"
    assert got[:2].tolist() == [pd.Timestamp("2018-11-16"), pd.Timestamp("2016-11-22")]
    assert got[2:].isna().all()
    got = D.parse_date(pd.Series(["2020-10-25 21:00:15"]), "%Y-%m-%d %H:%M:%S")
    assert got[0] == pd.Timestamp("2020-10-25")
    got = D.parse_date(pd.Series(["2016-11-22 to 2016-11-23", "2016-11-22-2016-11-23", "2014-01-05"]))
    assert got.tolist() == [pd.Timestamp("2016-11-22"), pd.Timestamp("2016-11-22"), pd.Timestamp("2014-01-05")]


# --------------------------------------------------------------------------
# sizes
# --------------------------------------------------------------------------

SIZES = [
    ('30.00" x 22.25', "in", (76.2, 56.515, None)),
    ('36.00" x 36.00" x 18.00', "in", (91.44, 91.44, 45.72)),
    ("34 x 27 cm", "in", (34.0, 27.0, None)),
    ("Dim. - 34 x 27 cm", "cm", (34.0, 27.0, None)),
    ("Dim. - 31 x 24cm", "cm", (31.0, 24.0, None)),
    ("Dim. - 19.5 x 14 cm", "cm", (19.5, 14.0, None)),
    ("76.2 x 55.9 cm", "cm", (76.2, 55.9, None)),
    ("30 x 22 in.", "cm", (76.2, 55.88, None)),
    ("40 x 30 x 5 cm", "cm", (40.0, 30.0, 5.0)),
    ("30 1/2 x 22 in.", "cm", (77.47, 55.88, None)),
    ("30½ x 22¼ in", "cm", (77.47, 56.515, None)),
    ("340 x 270 mm", "cm", (34.0, 27.0, None)),
    ("34,5 × 27 cm", "cm", (34.5, 27.0, None)),
    ("10 by 8 inches", "cm", (25.4, 20.32, None)),
    ("1.2 x 0.8", "m", (120.0, 80.0, None)),
    ("30 x 22 in. (76.2 x 55.9 cm)", "cm", (76.2, 55.88, None)),
    ("Dim. - 24 cm", "cm", (None, None, None)),
    ("96.00", "in", (None, None, None)),
    ("Dimensions not available", "in", (None, None, None)),
    ("", "cm", (None, None, None)),
    ("-30 x 20 cm", "cm", (-30.0, 20.0, None)),
]


@pytest.mark.parametrize("text, unit, expected", SIZES, ids=[s[0] or "empty" for s in SIZES])
def test_parse_size(text, unit, expected):
    got = D.parse_size(pd.Series([text]), unit).iloc[0]
    for col, value in zip(["height_cm", "width_cm", "depth_cm"], expected):
        if value is None:
            assert np.isnan(got[col]), col
        else:
            assert got[col] == pytest.approx(value, rel=1e-12), col


def test_parse_size_unknown_unit_is_a_bug():
    with pytest.raises(ValueError, match="size unit"):
        D.parse_size(pd.Series(["1 x 2"]), "ft")


# --------------------------------------------------------------------------
# medium, markings, sold
# --------------------------------------------------------------------------

MEDIA = [
    ("Oil / Canvas", "oil", "canvas"),
    ("Oil on canvas", "oil", "canvas"),
    ("Acrylic and silkscreen ink / Canvas", "acrylic", "canvas"),
    ("Watercolor , glitter and graphite / Paper", "watercolour", "paper"),
    ("Colored Pencil / Paper", "pencil", "paper"),
    ("Oil / Panel", "oil", "board"),
    ("Oil, enamel and acrylic / Canvas", "oil", "canvas"),
    ("Oil , enamel, acrlyic, glitter, ink and spray acrylic / Canvas", "oil", "canvas"),
    ("synthetic polymer and silkscreen ink / Canvas", "acrylic", "canvas"),
    ("Oil / Masonite", "oil", "board"),
    ("Oil / Linen", "oil", "canvas"),
    ("Oil / Canvas on board", "oil", "canvas"),
    ("Oil / Paper on board", "oil", "paper"),
    ("Oil / Canvasboard", "oil", "board"),
    ("Gouache / Card", "other", "cardboard"),
    ("Acrylic / Paperboard", "acrylic", "cardboard"),
    ("Ink and graphite / Paper", "other", "paper"),
    ("Oil pastel / Paper", "pastel", "paper"),
    ("Oilstick / Paper", "oil", "paper"),
    ("Mixed Media collage", "mixed media", "other"),
    ("Mixed media on paper", "mixed media", "paper"),
    ("Watercolour on paper", "watercolour", "paper"),
    ("Pastel on board", "pastel", "board"),
    ("Pencil on paper", "pencil", "paper"),
    ("Oil on cardboard", "oil", "cardboard"),
    ("Acrylic on leather", "acrylic", "leather"),
    ("Bronze", "other", "other"),
    ("Gouache on paper", "other", "paper"),
    ("Gouache and watercolor / Paper", "other", "paper"),
    ("tecnica mista sobre papel, assinada e datada de 20-12-1991", "mixed media", "paper"),
    ("óleo sobre tela", "oil", "canvas"),
    ("oleo sobre tela, assinado e datado de 1997", "oil", "canvas"),
    ("acrílico sobre tela", "acrylic", "canvas"),
    ("aguarela sobre papel", "watercolour", "paper"),
    ("oleo sobre cartão", "oil", "cardboard"),
    ("tecnica mista sobre cartao", "mixed media", "cardboard"),
    ("oleo sobre platex", "oil", "board"),
    ("oleo sobre madeira", "oil", "board"),
    ("acrilico sobre painel", "acrylic", "board"),
    ("acrilico sobre couro", "acrylic", "leather"),
    ("lápis sobre papel", "pencil", "paper"),
    ("pastel de oleo sobre papel", "pastel", "paper"),
    ("oleo sobe tela", "oil", "canvas"),
    ("oleo sobre tela colada em platex", "oil", "canvas"),
    ("tecnica mista com colagens sobre papel", "mixed media", "paper"),
    ("guache sobre papel colado sobre cartao", "other", "paper"),
    ("escultura em bronze, assinada", "other", "other"),
    ("serigrafia sobre papel, assinada, numerada 25/100", "other", "paper"),
    ("", "other", "other"),
    # French, German, Italian and Dutch
    ("Huile sur toile", "oil", "canvas"),
    ("Öl auf Leinwand", "oil", "canvas"),
    ("Oel auf Holz", "oil", "board"),
    ("Olio su tavola", "oil", "board"),
    ("Olieverf op doek", "oil", "canvas"),
    ("Gouache sur papier", "other", "paper"),
    ("Tool on wood", "other", "board"),
    ("Huile sur panneau", "oil", "board"),
    ("Oleo sobre lienzo", "oil", "canvas"),
    ("Olja på duk", "oil", "other"),
    ("Olie på lærred", "oil", "other"),
]


@pytest.mark.parametrize("text, material, support", MEDIA, ids=[m[0] or "empty" for m in MEDIA])
def test_parse_medium(text, material, support):
    got = D.parse_medium(pd.Series([text])).iloc[0]
    assert (got["material"], got["support"]) == (material, support)
    assert material in D.MATERIALS and support in D.SUPPORTS


def test_medium_matches_the_material_part_only():
    from artstudy.data.media import medium_matches

    got = medium_matches(pd.Series(["Serigrafia sobre papel", "oleo sobre papel serigrafia", "Litografía", ""]),
                         "serigraf|litograf")
    assert got.tolist() == [True, False, True, False]


SIGNATURES = [
    ("Signed and Dated", True, False), ("Inscribed and Signed", True, True), ("Unsigned", False, False),
    ("Signed, titled and inscribed", True, True), ("Signed and Titled", True, False),
    ("Signed Initials", True, False), ("Signed Monogram", True, False), ("Signed on Reverse", True, False),
    ("Inscribed", False, True), ("Inscribed and Not Signed", False, True), ("Stamped", False, False),
    ("By Estate", False, False), ("Unavailable", False, False), ("", False, False),
    ("tecnica mista sobre papel, assinada e datada", True, False), ("oleo sobre tela, assinado", True, False),
    ("tecnica mista sobre papel, nao assinada", False, False), ("tecnica mista, não assinada", False, False),
    ("tecnica mista sobre papel, assinatura nao identificada, datada de 1957", True, False),
    ("modernista, azulejo, assinado, 1976, com inscricao manuscrita no verso", True, True),
    ("modernista, com inscrição", False, True),
]


@pytest.mark.parametrize("text, signed, inscribed", SIGNATURES, ids=[s[0] or "empty" for s in SIGNATURES])
def test_parse_signature(text, signed, inscribed):
    got = D.parse_signature(pd.Series([text])).iloc[0]
    assert (bool(got["signed"]), bool(got["inscribed"])) == (signed, inscribed)


def test_parse_sold_flags():
    got = D.parse_sold(pd.Series(["1", "0", "yes", "False", "", "maybe", "SOLD", "Bought In", "sim"]))
    assert got.tolist()[:5] == [True, False, True, False, False]
    assert got[5] is pd.NA
    assert got.tolist()[6:] == [True, False, True]
    assert str(got.dtype) == "boolean"


# --------------------------------------------------------------------------
# repeat sales
# --------------------------------------------------------------------------

def test_repeat_sale_linking_hand_made():
    artist = pd.Series(["Mary Smith", "MARY SMITH ", "Mary Smith", "Mary Smith", "Mary Smith", "John Doe"])
    title = pd.Series(["Untitled (Blue)", '"Untitled (blue)"', "Untitled (Blue)", "Untitled (Blue)",
                       "Untitled (Red)", "Untitled (Blue)"])
    size = D.parse_size(pd.Series(["76.2 x 55.9 cm", "30 x 22 in.", "76 x 56 cm", "100 x 80 cm", "76.2 x 55.9 cm",
                                   "76.2 x 55.9 cm"]))
    year = pd.array([1965, 1965, 1965, 1965, 1965, 1965], dtype="Int64")
    ids = D.artwork_ids(artist, title, size["height_cm"], size["width_cm"], year)
    assert ids[0] == ids[1] == ids[2]  # case, quotes, inches vs cm after rounding
    assert len({ids[0], ids[3], ids[4], ids[5]}) == 4  # other size, other title, other artist
    assert all(len(i) == 17 and i.startswith("W") for i in ids)
    # stable: same inputs, same ids (a hash, not a running number)
    assert (D.artwork_ids(artist[::-1], title[::-1], size["height_cm"][::-1], size["width_cm"][::-1],
                          year[::-1]) == ids[::-1]).all()
    year_other = pd.array([1965, 1966, 1965, 1965, 1965, 1965], dtype="Int64")
    assert D.artwork_ids(artist, title, size["height_cm"], size["width_cm"], year_other)[1] != ids[1]

    dates = pd.to_datetime(["2014-11-12", "2016-05-10", "2012-05-01", "2015-02-03", "2014-01-01", "2014-01-01"])
    sold = [True, True, False, True, True, True]
    kinds = D.sale_kinds(ids, dates, sold)
    # the 2012 lot was bought in: the 2014 sale is the first sale, 2016 a repeat
    assert kinds.tolist() == ["first", "repeat", "first", "first", "first", "first"]
    # same day: file order decides
    kinds = D.sale_kinds(["a", "a", "a"], pd.to_datetime(["2014-01-01"] * 3), [True, True, False])
    assert kinds.tolist() == ["first", "repeat", "repeat"]


def test_artwork_ids_fold_transliterated_spellings():
    artist = pd.Series(["Asger Jørn", "ASGER JORN", "Asger Jorn"])
    title = pd.Series(["Ørsted's Garden", "ORSTED'S GARDEN", "Orsted's Garden (study)"])
    ids = D.artwork_ids(artist, title, [50.0, 50.2, 50.0], [40.0, 39.8, 40.0], pd.array([1960] * 3, dtype="Int64"))
    assert ids[0] == ids[1] != ids[2]
