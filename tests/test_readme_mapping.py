"""The README's "Bring your own data" section documents every mapping key, and its worked example works.

(a) every key of a source mapping (:class:`SourceMapping`), of its ``columns``, ``constants``, ``study`` and
``plausible``, and of the config's ``currency:`` appears in an inline code span of the section (so the section
stays complete when a key is added); (b) the worked example's ``my.yaml`` and ``rates.csv``, taken from the
README text, prepare a small Latin-1, semicolon-separated file made here through ``artstudy prepare --config``
(merged over the repository config), with the funnel and excluded lots the README describes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from artstudy.cli import main
from artstudy.data.sources import Columns, Constants, CurrencySettings, Plausible, SourceMapping, StudyWindow

README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = "<!-- worked-example:"


def section() -> str:
    """The text of "## Bring your own data", up to the next level-2 heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index("## Bring your own data\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else len(text)]


def code_words() -> set[str]:
    """Every word written in an inline code span of the section (fenced blocks left out)."""
    prose = re.sub(r"```.*?```", "", section(), flags=re.DOTALL)
    spans = re.findall(r"`([^`\n]+)`", prose)
    return {w for s in spans for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", s)}


def fenced_after(text: str, anchor: str) -> str:
    """The first fenced block after ``anchor`` (its body, without the fences)."""
    at = text.index(anchor)
    got = re.search(r"```[a-z]*\n(.*?)```", text[at:], flags=re.DOTALL)
    assert got, f"no fenced block after {anchor!r}"
    return got.group(1)


KEYS = {"source": SourceMapping, "columns": Columns, "constants": Constants, "study": StudyWindow,
        "plausible": Plausible, "currency": CurrencySettings}


@pytest.mark.parametrize("where", list(KEYS))
def test_every_mapping_key_is_documented(where):
    words = code_words()
    absent = [k for k in KEYS[where].model_fields if k not in words]
    assert not absent, f"README 'Bring your own data' does not document the {where} key(s) {absent}"


ROWS = """Vente;Lot;Date;Artiste;Titre;Prix;Devise;Année;Technique;Hauteur;Largeur;Unité;Catégorie
V1;1;12/03/2018;Jeanne Martin;Composition bleue;12.500;EUR;1985;Oil on canvas;65;81;cm;Peinture
V1;2;12/03/2018;Jeanne Martin;Paysage, 1990;-1;EUR;-1;Oil on canvas;50;61;cm;Peinture
V1;3;12/03/2018;Paul Roche;Sans titre;3.200;EUR;s.d.;Gouache on paper;30;40;cm;Dessin
V1;4;12/03/2018;Paul Roche;Vase;900;EUR;1970;Ceramic;20;15;cm;Objet
V2;1;01/04/2020-16/04/2020;Jeanne Martin;Nuit, 2001;-1;GBP;-1;Acrylic on canvas;24;36;in;Peinture
V2;1;01/04/2020-16/04/2020;Jeanne Martin;Nuit, 2001;8.000;GBP;-1;Acrylic on canvas;24;36;in;Peinture
V2;2;01/04/2020-16/04/2020;Paul Roche;Étude;1.500,50;EUR;1999;Ink on silk;45;30;cm;Dessin
V2;3;à venir;Paul Roche;Fleurs;2.000;EUR;1998;Oil on board;40;50;cm;Peinture
V2;4;16/04/2020;Paul Roche;Mur;5.000;EUR;2005;Oil on canvas;2000;300;cm;Peinture
"""


def test_worked_example_prepares_through_the_cli(tmp_path, monkeypatch, capsys):
    text = section()
    assert MARKER in text, "the worked example's YAML block lost its marker comment"
    (tmp_path / "my.yaml").write_text(fenced_after(text, MARKER), encoding="utf-8")
    (tmp_path / "rates.csv").write_text(fenced_after(text, "and `rates.csv`:"), encoding="utf-8")
    (tmp_path / "maison").mkdir()
    (tmp_path / "maison" / "lots.csv").write_bytes(ROWS.encode("latin-1"))
    monkeypatch.chdir(tmp_path)  # rates_file is relative to the folder the command runs in
    assert main(["prepare", "maison/lots.csv", "--source", "maison", "--out", "out/sales.csv",
                 "--config", "my.yaml"]) == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.err
    funnel = pd.read_csv("out/sales.funnel.csv")
    removed = dict(zip(funnel["step"], funnel["lots_removed"]))
    assert funnel["step"].tolist()[:4] == ["lots read", "Catégorie in Peinture, Dessin", "duplicate lots",
                                           "sale date read"]
    assert funnel["lots"].iloc[0] == 9 and funnel["lots"].iloc[-1] == 3
    assert {k: v for k, v in removed.items() if v} == {
        "Catégorie in Peinture, Dessin": 1, "duplicate lots": 1, "sale date read": 1, "sold": 1,
        "creation year given": 1, "size in 1-1000 cm": 1}
    sales = pd.read_csv("out/sales.csv").set_index("lot_id")
    assert sales.index.tolist() == ["V1-1", "V1-2", "V1-3", "V2-1", "V2-2", "V2-4"]
    assert sales.loc[["V1-1", "V2-1", "V2-2"], "price"].tolist() == pytest.approx(
        [12500 * 1.18, 8000 * 1.28, 1500.5 * 1.14])  # yearly rates, decimal commas
    assert sales.loc["V2-1", "sale_date"] == "2020-04-16"  # the range's end
    assert sales.loc["V2-1", "work_year"] == 2001 and sales.loc["V1-2", "work_year"] == 1990  # from the title
    assert sales.loc["V2-1", "height_cm"] == pytest.approx(24 * 2.54)  # the unit column
    assert sales.loc["V1-2", "left_out"] == "sold" and sales["left_out"].isna().sum() == 3
    excluded = pd.read_csv("out/sales.excluded.csv")
    assert excluded.to_dict("list") == {"lot_id": ["V2-3", "V2-4"], "rule": ["sale date read", "size in 1-1000 cm"],
                                        "text": ["à venir", "2000 | 300 | cm"]}
