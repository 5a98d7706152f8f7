"""Medium text -> material and support; markings -> signed and inscribed; a yes/no sold column.

- medium (:func:`parse_medium`): the text is split at its first " / ", " on " or " sobre " (also
  the typos "sobe", "obre"; "sur", "auf", "su", "op") into a material part and a support part.
  Material = the category of the FIRST listed material: the material part is cut at the first
  ",", "and", "e", "&", "with", "com" and that first item is classified: pastel (incl. oil
  pastel, "pastel de oleo") > pencil (pencil, coloured pencil, graphite, lapis, grafite) > mixed
  media (mixed media, tecnica mista, collage) > watercolour (watercolor, aquarelle, aguarela) >
  acrylic (acrylic and misspellings, acrilico, synthetic polymer, Magna, Liquitex) > oil (oil,
  oilstick, oleo, huile, olio, olieverf, Öl/Oel, Ölfarbe, olie/olja/olje), else other (gouache, ink, tempera,
  charcoal, bronze, ...). So "Oil, enamel and acrylic / Canvas" is oil and "Gouache and
  watercolor / Paper" is other.
  Support = the category of the first support word in the support part: canvas (canvas, linen,
  burlap, tela, toile, Leinwand, doek, lienzo, lerret), cardboard (cardboard, card, paperboard, cartao, cartolina,
  papelao), board (board, canvasboard, panel, masonite, hardboard, wood, plywood, mdf, platex,
  madeira, painel, contraplacado, aglomerado, celotex, Holz, tavola, legno, paneel, panneau), paper (paper,
  papel, vellum, newsprint, newspaper), leather
  (leather, couro), else other. Without a separator the support is other ("Bronze" -> other/other).
- painting or work on paper (:func:`is_painting_or_drawing`, a source's ``paintings_only``): decided from
  what the work is, not from the two categories: a painting, drawing or work on paper names a painting or
  drawing medium in the first listed item of its material part (the categories above that are not other,
  and ink, gouache, tempera, charcoal, crayon, chalk, pen, lacquer, encaustic, distemper, sumi, painting,
  drawing and their Portuguese, Spanish, French and German words: tinta, guache, carvao, encre, lavis,
  pintura, peinture, ...; Chinese media as transliterated: shuimo, shese, moben, caimo, youcai, zhiben,
  juanben; not "colour" or "pigment", which name coatings of objects and photographs too), or a support
  after its separator (the supports above, and silk, satin, hemp, ramie, fabric, textile, cloth, seda,
  tecido, soie, scroll, album leaf, fan). "Ink and colour on silk", "Gouache / Paper", "Lacquer / Panel"
  are paintings; "Bronze", "Wood and paint", "painted wood", "Enamel / Aluminum", "Aluminum and lacquer",
  "madeira esculpida e pintada, faltas na pintura" are objects. The material and support categories are
  not changed by it (ink, gouache and tempera stay "other").
- signature (:func:`parse_signature`): signed when the text says signed / signature / initials /
  monogram / assinado / assinada / assinatura and does not negate it (unsigned, not signed,
  nao assinado, sem assinatura); inscribed when it says inscribed / inscription / inscricao /
  dedicated, not negated. "Stamped", "By Estate", "Unavailable", "Artist's Seal" are neither.
- sold (:func:`parse_sold`): 1/0, true/false, yes/no, sold/unsold (and Portuguese); other text is NA.

Text is folded first (:func:`artstudy.data.text.fold`): "óleo" reads as "oleo".
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .text import as_text, fold, on_uniques

__all__ = ["MATERIALS", "SUPPORTS", "parse_medium", "medium_matches", "is_painting_or_drawing", "parse_signature",
           "parse_sold"]

MATERIALS = ("oil", "acrylic", "watercolour", "pastel", "pencil", "mixed media", "other")
SUPPORTS = ("canvas", "cardboard", "board", "paper", "leather", "other")

_MEDIUM_SPLIT = r"^(?P<mat>.*?)(?:(?:\s*/\s*|\s+(?:on|onto|sobre|sobe|obre|sur|auf|su|op)\s+)(?P<sup>.*))?$"
_FIRST_ITEM = r"^(.*?)(?:\s*(?:,|;|&|\+|\band\b|\be\b|\bwith\b|\bcom\b|\bet\b|\bund\b)|$)"
# priority within the first listed item (oil pastel is a pastel, watercolour pencil a pencil)
_MATERIAL_RULES = (
    ("pastel", r"pastel"),
    ("pencil", r"pencil|graphite|\blapis\b|grafite|crayon de couleur"),
    ("mixed media", r"mixed[\s-]*media|tecnicas?\s+mistas?|technique mixte|\bmixta\b|\bcollage|\bcolage"),
    ("watercolour", r"water\s*colou?r|aquarel|aguarel|acuarel"),
    ("acrylic", r"\bacr[a-z]*|polymer|\bmagna\b|liquitex"),
    ("oil", r"\boil|\boleo|\bhuile|\bolio\b|\bolieverf|\bo(?:e)?l\b|\bolfarbe|\bol(?:ie|ja|je)\b"),
)
_SUPPORT_WORDS = (
    ("board", r"canvas[\s-]?board"),
    ("cardboard", r"cardboard|paperboard|pasteboard|card|carton|cartao|cartoes|cartolina|papelao"),
    ("canvas", r"canvas|linen|burlap|jute|tela|toile|leinwand|doek|lienzo|lerret"),
    ("board", r"board|panel|masonite|hardboard|wood|plywood|mdf|platex|madeira|painel|contraplacado|aglomerado"
              r"|celotex|unitex|faesite|tabla|holz|tavola|legno|paneel|panneau"),
    ("paper", r"paper|papel|vellum|newsprint|newspaper|papier|carta"),
    ("leather", r"leather|couro|cuir"),
)
_SUPPORT = r"\b(?:" + "|".join(f"(?P<s{i}>(?:{p})(?:s|es)?)" for i, (_, p) in enumerate(_SUPPORT_WORDS)) + r")\b"

_PAINT_MEDIA = re.compile(
    r"\b(?:inks?|gouaches?|tempera|temperas|charcoal|crayons?|chalks?|pen|pens|lacquer"
    r"|encaustic|distemper|sumi|paintings?|drawings?|conte|sanguine|markers?|ballpoint"
    r"|tinta|guache|carvao|aguada|nanquim|pintura|desenho|encre|lavis|fusain|peinture|dessin"
    r"|tusche|kohle|malerei|zeichnung|acuarela|carboncillo|dibujo)\b"
    r"|shuimo|shese|moben|caimo|youcai|zhiben|juanben")
_MORE_SUPPORTS = re.compile(r"\b(?:silk|satin|hemp|ramie|fabric|textile|cloth|seda|tecido|soie|seide"
                            r"|scrolls?|album leaf|album leaves|fans?|gold leaf|xuan|washi|hanji)\b")
_SIGNED = r"\bsign(?:ed|s|ature)?\b|\bassinad|\bassinatura|\bsigne|\bsigniert|\bmonogram|\binitial(?:s|ed)?\b"
_NOT_SIGNED = r"\bunsigned\b|\bnot\s+signed\b|\bnon[\s-]?signed\b|\b(?:nao|sem)\s+(?:assinad|assinatura)|\bnon\s+signe"
_INSCRIBED = r"\binscri|\bdedicat|\bdedicad"
_NOT_INSCRIBED = r"\bnot\s+inscribed\b|\buninscribed\b|\b(?:nao|sem)\s+inscri"

_TRUE = {"1", "1.0", "true", "t", "yes", "y", "sold", "sim", "s", "vendido", "vendida"}
_FALSE = {"0", "0.0", "false", "f", "no", "n", "unsold", "not sold", "nao", "não", "bought in", "", "nan"}


def _medium_parts(folded: pd.Series) -> pd.DataFrame:
    parts = folded.str.extract(_MEDIUM_SPLIT)
    return pd.DataFrame({"mat": parts["mat"].fillna(""), "sup": parts["sup"].fillna("")})


def parse_medium(values) -> pd.DataFrame:
    """Material and support (the paper's categories) from medium text: "Oil / Canvas" -> oil, canvas;
    "Acrylic and silkscreen ink / Canvas" -> acrylic, canvas; "tecnica mista sobre papel" -> mixed media, paper;
    "Oil / Panel" -> oil, board; "Bronze" -> other, other. Rules in the module docstring."""
    def run(u):
        parts = _medium_parts(fold(u))
        first = parts["mat"].str.extract(_FIRST_ITEM, expand=False).fillna("")
        material = np.select([first.str.contains(p, regex=True) for _, p in _MATERIAL_RULES],
                             [m for m, _ in _MATERIAL_RULES], default="other")
        found = parts["sup"].str.extract(_SUPPORT)
        support = np.select([found[f"s{i}"].notna().to_numpy() for i in range(len(_SUPPORT_WORDS))],
                            [s for s, _ in _SUPPORT_WORDS], default="other")
        return pd.DataFrame({"material": material, "support": support})
    return on_uniques(values, run)


def medium_matches(values, pattern: str) -> np.ndarray:
    """Whether the material part of each medium text (folded) matches ``pattern`` (a source's
    ``exclude_medium``, e.g. ``serigrafia|litografia``), as a bool array."""
    rx = re.compile(pattern)

    def run(u):
        mat = _medium_parts(fold(u))["mat"]
        return pd.Series([rx.search(t) is not None for t in mat], dtype=bool)
    return on_uniques(values, run).to_numpy(dtype=bool)


def is_painting_or_drawing(values) -> np.ndarray:
    """Whether each medium text names a painting, drawing or work on paper (rules in the module docstring), as a
    bool array: "Ink and colour on silk" -> True, "Bronze" -> False, "Wood and paint" -> False."""
    def run(u):
        parts = _medium_parts(fold(u))
        known = parse_medium(u)
        first = parts["mat"].str.extract(_FIRST_ITEM, expand=False).fillna("")
        media = (known["material"] != "other").to_numpy() | first.str.contains(_PAINT_MEDIA).to_numpy()
        support = (known["support"] != "other").to_numpy() | parts["sup"].str.contains(_MORE_SUPPORTS).to_numpy()
        return pd.Series(media | support, dtype=bool)
    return on_uniques(values, run).to_numpy(dtype=bool)


def parse_signature(values) -> pd.DataFrame:
    """Signed and inscribed flags (bool) from markings text ("Signed and Dated", "Inscribed and Signed",
    "Unsigned", "Inscribed and Not Signed", "assinada e datada de 1991", "nao assinada")."""
    def run(u):
        f = fold(u)
        signed = f.str.contains(_SIGNED) & ~f.str.contains(_NOT_SIGNED)
        inscribed = f.str.contains(_INSCRIBED) & ~f.str.contains(_NOT_INSCRIBED)
        return pd.DataFrame({"signed": signed.to_numpy(bool), "inscribed": inscribed.to_numpy(bool)})
    return on_uniques(values, run)


def parse_sold(values) -> pd.Series:
    """Sold flag from a yes/no column: 1/true/yes/sold -> True, 0/false/no/unsold/"" -> False, other -> NA."""
    def run(u):
        low = u.str.lower()
        return pd.Series(np.where(low.isin(_TRUE), 1, np.where(low.isin(_FALSE), 0, -1)))
    code = on_uniques(values, run).to_numpy()
    return pd.Series(pd.array(np.where(code < 0, None, code == 1), dtype="boolean"), index=as_text(values).index)
