"""The Word file as its readers meet it, from both renderers (render/word_layout.py): dated by the
report date, a table of contents, tables whose words never break inside, rows kept whole, numbers
right-aligned, captions kept with their table, figures inside the page; and in LibreOffice.

The Quarto tests are skipped with the reason when no Quarto is found (conftest's quarto_report).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from helhedsplan import reproducible
from helhedsplan.render import render, word_layout, word_tables

from .conftest import report_dir
from .test_render import make_notebook

W = word_layout.W
WP = word_layout.WP
TEXT_WIDTH = 9298  # twips: A4 less 2 × 2.3 cm (assets/word/sektion.xml)
# One figure, as the report writes them: "6,3 pct.", "+2,2 procentpoint", "1.988", "8,8 pct. (2024)"
# (not a version number: "3.11.7")
FIGURE = re.compile(r"^[+\-−]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?( (pct\.|procentpoint|anmeldelser))?"
                    r"( \(\d{4}\))?$")


@pytest.fixture(scope="module", params=["indbygget", "quarto"])
def word_2024(request, built_project) -> Path:
    """The 2024 example report's Word file, from each renderer in turn."""
    if request.param == "quarto":
        return request.getfixturevalue("quarto_report")["folder"] / "statusrapport.docx"
    root, _ = built_project
    return report_dir(root) / "statusrapport.docx"


def _document(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as z:
        return ET.fromstring(z.read("word/document.xml"))


def _text(el) -> str:
    return "".join(" " if c.tag in (W + "tab", W + "br") else (c.text or "")
                   for c in el.iter() if c.tag in (W + "t", W + "tab", W + "br"))


def _style(p) -> str:
    style = p.find(f"{W}pPr/{W}pStyle")
    return style.get(W + "val") if style is not None else ""


def _data_tables(root) -> list:
    """The report's tables: those with a header row (not a callout's box)."""
    return [t for t in root.iter(W + "tbl")
            if t.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None]


# ---- the report date -------------------------------------------------------------------------


def _core_dates(path: Path) -> tuple[set[str], set[tuple]]:
    with zipfile.ZipFile(path) as z:
        core = z.read("docProps/core.xml").decode()
        times = {i.date_time for i in z.infolist()}
    return set(re.findall(r"<dcterms:(?:created|modified)\b[^>]*>([^<]*)<", core)), times


def test_builtin_word_file_carries_the_report_date(built_project):
    root, _ = built_project
    # 2024 has 'rapportdato: 2025-03-01' (conftest's COMMENT_2024); 2021 has none: 31 December
    for year, stamp in ((2024, "2025-03-01T12:00:00Z"), (2021, "2021-12-31T12:00:00Z")):
        dates, times = _core_dates(report_dir(root, year) / "statusrapport.docx")
        assert dates == {stamp}, year
        assert times == {tuple(int(x) for x in re.findall(r"\d+", stamp))}, year


def test_quarto_word_file_carries_the_report_date(quarto_report):
    dates, times = _core_dates(quarto_report["folder"] / "statusrapport.docx")
    epoch = reproducible.epoch()
    assert dates == {reproducible.utc(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert times == {reproducible.zip_time(epoch)}


def test_word_file_is_the_same_bytes_from_build_to_build(tmp_path, monkeypatch):
    monkeypatch.setenv(reproducible.ENV, str(reproducible.epoch_for(None, 2024)))
    nb = make_notebook(tmp_path / "statusrapport.ipynb")
    first = render(nb, tmp_path / "a", renderer="indbygget")[2].read_bytes()
    second = render(nb, tmp_path / "b", renderer="indbygget")[2].read_bytes()
    assert first == second
    dates, _ = _core_dates(tmp_path / "a" / "statusrapport.docx")
    assert dates == {"2024-12-31T12:00:00Z"}


# ---- the layout ------------------------------------------------------------------------------


def test_word_tables_rows_captions_and_figures(word_2024):
    root = _document(word_2024)
    tables = _data_tables(root)
    assert len(tables) >= 14
    for tbl in tables:
        rows = tbl.findall(W + "tr")
        # no row splits across pages; the header row repeats on each page
        assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        # as wide as the text, never wider; every cell as wide as its column
        widths = [int(g.get(W + "w")) for g in tbl.findall(f"{W}tblGrid/{W}gridCol")]
        assert sum(widths) == TEXT_WIDTH
        for row in rows:
            assert [int(c.find(f"{W}tcPr/{W}tcW").get(W + "w"))
                    for c in row.findall(W + "tc")] == widths
        # numbers right-aligned, text left, nothing centred (Quarto's float centred every cell)
        body = [[c for c in r.findall(W + "tc")] for r in rows[1:]]
        for column in zip(*body, strict=True):
            texts = [_text(c).strip().replace("\u00a0", " ") for c in column]
            figures = [t for t in texts if t not in ("", "–", "-")]
            aligned = {jc.get(W + "val") for c in column for jc in c.iter(W + "jc")}
            assert "center" not in aligned
            if figures and all(FIGURE.match(t) for t in figures):
                assert aligned == {"right"}, texts
    # each table caption stays with its table, each figure with its caption below
    for parent in root.iter():
        blocks = [c for c in parent if c.tag not in (W + "bookmarkStart", W + "bookmarkEnd")]
        for this, following in zip(blocks, blocks[1:], strict=False):
            if this.tag == W + "p" and re.match(r"Tabel \d+:", _text(this)):
                assert following.tag == W + "tbl", _text(this)
                assert this.find(f"{W}pPr/{W}keepNext") is not None, _text(this)
            if following.tag == W + "p" and re.match(r"Figur \d+:", _text(following)):
                assert this.find(f".//{W}drawing") is not None
                assert this.find(f"{W}pPr/{W}keepNext") is not None, _text(following)
    # no figure wider than the text, none in a one-cell layout table (Quarto's float)
    extents = [int(e.get("cx")) for e in root.iter(WP + "extent")]
    assert len([cx for cx in extents if cx > 1_000_000]) == 4
    assert max(extents) <= TEXT_WIDTH * word_layout.EMU_PER_TWIP
    in_cells = {int(e.get("cx")) for tc in root.iter(W + "tc") for e in tc.iter(WP + "extent")}
    assert max(in_cells, default=0) < 1_000_000  # a callout's icon at most
    # a paragraph's properties come once, first, in the order Word requires
    order = word_layout.PPR_ORDER
    for p in root.iter(W + "p"):
        props = p.findall(W + "pPr")
        assert len(props) <= 1 and (not props or p[0] is props[0])
        tags = [c.tag for c in props[0]] if props else []
        assert tags == sorted(tags, key=lambda t: word_tables.schema_position(order, t))
        assert len(set(tags)) == len(tags)


def test_word_has_a_table_of_contents_like_the_pdf(word_2024):
    root = _document(word_2024)
    instr = " ".join(t.text for t in root.iter(W + "instrText"))
    assert re.search(r'TOC \\o "1-2"', instr)
    # the field holds the contents, so LibreOffice shows them on opening: the chapters, not the
    # unlisted "Bemærkning" headings (as the PDF); each entry links to its heading
    entries = [p for p in root.iter(W + "p") if re.fullmatch(r"TOC\d", _style(p))]
    chapters = [_text(p) for p in root.iter(W + "p") if _style(p) == "Heading1"]
    assert [_text(p) for p in entries] == [" ".join(c.split()) for c in chapters]
    assert len(entries) == 8 and "Sammenfatning" in _text(entries[0])
    anchors = {b.get(W + "name") for b in root.iter(W + "bookmarkStart")}
    assert all(p.find(W + "hyperlink").get(W + "anchor") in anchors for p in entries)
    kinds = [f.get(W + "fldCharType") for p in entries for f in p.iter(W + "fldChar")]
    assert kinds == ["begin", "separate", "end"]
    assert not any(_text(p) == "Bemærkning" for p in root.iter(W + "p")
                   if re.fullmatch(r"Heading\d", _style(p)))


def test_a_word_too_long_for_its_column_breaks_only_at_a_hyphen_put_there():
    """Six columns of 'afdelingsmøderne' do not fit A4 whole: each breaks once, after the
    compound's joint (afdelings-møderne); a file name breaks after '/' (no hyphen shown)."""
    cell = ('<w:tc><w:tcPr/><w:p><w:pPr><w:pStyle w:val="Compact"/></w:pPr><w:r><w:t '
            'xml:space="preserve">{}</w:t></w:r></w:p></w:tc>')
    code = ('<w:tc><w:tcPr/><w:p><w:r><w:rPr><w:rStyle w:val="VerbatimChar"/></w:rPr><w:t>'
            'data/raw/2024/sab_afdelingsmoeder.xlsx</w:t></w:r></w:p></w:tc>')
    row = "<w:tr>" + cell.format("afdelingsmøderne") * 5 + code + "</w:tr>"
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<w:document xmlns:w="http://schemas.'
           'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl><w:tblPr><w:tblStyle '
           'w:val="Table"/><w:tblW w:type="pct" w:w="5000"/><w:tblLook w:firstRow="1"/></w:tblPr>'
           '<w:tblGrid>' + '<w:gridCol w:w="1000"/>' * 6 + '</w:tblGrid>' + row * 2 +
           '</w:tbl><w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:left="1304" '
           'w:right="1304"/></w:sectPr></w:body></w:document>')
    root = ET.fromstring(word_layout.document(xml.encode()))
    widths = [int(g.get(W + "w")) for g in root.iter(W + "gridCol")]
    assert sum(widths) == TEXT_WIDTH
    rows = root.findall(f"{W}body/{W}tbl/{W}tr")
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    for row in rows:
        assert row.find(f"{W}trPr/{W}cantSplit") is not None
        cells = row.findall(W + "tc")
        for tc in cells[:5]:
            run = tc.find(f".//{W}r")
            assert [c.tag.removeprefix(W) for c in run] == ["t", "softHyphen", "t"]
            assert [t.text for t in run.findall(W + "t")] == ["afdelings", "møderne"]
        path = "".join(t.text for t in cells[5].iter(W + "t"))
        assert path.replace("\u200b", "") == "data/raw/2024/sab_afdelingsmoeder.xlsx"
        assert "\u00ad" not in path and "\u200b" in path


# ---- in LibreOffice -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice (soffice) eller pdftotext findes ikke")
def test_no_word_breaks_inside_in_libreoffice(word_2024, tmp_path):
    """Every word LibreOffice sets is a word of the file, or a piece of one cut where the file
    allows it (a soft hyphen, a break in a file name): 'Baselin|e' or 'procentpoi|nt' would
    show up as words the file does not have."""
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(word_2024)],
                   check=True, capture_output=True, timeout=300)
    shown = subprocess.run(["pdftotext", "-layout", str(tmp_path / "statusrapport.pdf"), "-"],
                           check=True, capture_output=True, text=True).stdout
    root = _document(word_2024)
    words = set()
    for p in root.iter(W + "p"):
        pieces = io.StringIO()
        for c in p.iter():
            if c.tag == W + "t":
                pieces.write(c.text or "")
            elif c.tag in (W + "softHyphen", W + "tab", W + "br"):
                pieces.write({W + "softHyphen": "\u00ad"}.get(c.tag, " "))
        for word in re.findall(r"[\w\u00ad\u200b]+", pieces.getvalue()):
            words.add(word.replace("\u00ad", "").replace("\u200b", ""))
            words.update(re.split(r"[\u00ad\u200b]", word))
    body = re.sub(r"Side \d+ af \d+", " ", shown)  # the footer
    strays = {w for w in re.findall(r"\w+", body) if w not in words}
    assert not strays, sorted(strays)
    pages = shown.split("\f")
    assert len(pages) >= 8 and "Indhold" in pages[0] and "Bilag: inddata og programmer" in pages[0]
