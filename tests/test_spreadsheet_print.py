"""The spreadsheets as a spreadsheet program shows and prints them (LibreOffice, headless).

Each workbook is printed to PDF with `soffice --convert-to pdf`; the PDF's pages and text show
what a reader gets on paper. Skipped, with the reason shown, where LibreOffice or pdftotext is
not installed (.ci/run installs them with apt-get).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from helhedsplan import export, indicators, workbook
from helhedsplan.excel import EXAMPLE_SHEET
from helhedsplan.processed import read_inputs
from helhedsplan.sources import SOURCES

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")

needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None,
    reason="LibreOffice (soffice) eller pdftotext (poppler-utils) er ikke installeret")


def _print_all(files: list[Path], out: Path) -> dict[str, list[list[tuple]]]:
    """Print the workbooks to PDF with one LibreOffice run. Returns, per workbook, its pages,
    each the printed words with their boxes: (word, x0, y0, x1, y1)."""
    profile = out / "lo-profil"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=600)
    printed = {}
    for xlsx in files:
        xml = subprocess.run([PDFTOTEXT, "-bbox", str(out / f"{xlsx.stem}.pdf"), "-"],
                             check=True, capture_output=True, text=True).stdout
        printed[xlsx.name] = [
            [(html.unescape(w), float(a), float(b), float(c), float(d)) for a, b, c, d, w
             in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                           r'yMax="([\d.]+)">(.*?)</word>', page)]
            for page in xml.split("<page ")[1:]]
    return printed


def _footer(page: list[tuple]) -> str:
    """The page's last line: file name, sheet name and page number (workbook.print_setup)."""
    bottom = max(w[2] for w in page)
    return " ".join(w[0] for w in sorted(page, key=lambda w: w[1]) if w[2] >= bottom - 2)


def _sheet_pages(pages: list[list[tuple]], sheet: str) -> list[list[tuple]]:
    """The pages printed from one sheet (told by the footer), without the footer line."""
    out = []
    for page in pages:
        if page and f" {sheet} Side " in f" {_footer(page)} ":
            bottom = max(w[2] for w in page)
            out.append([w for w in page if w[2] < bottom - 2])
    return out


def _overlaps(words: list[tuple]) -> list[tuple[str, str]]:
    """Pairs of printed words whose boxes overlap: text running into its neighbour."""
    found = []
    for i, (w1, a1, b1, c1, d1) in enumerate(words):
        for w2, a2, b2, c2, d2 in words[i + 1:]:
            # Boxes include the font's ascent and descent, so lines of one wrapped cell touch:
            # only an overlap of half a line's height is text printed over text.
            half = 0.5 * min(d1 - b1, d2 - b2)
            if min(c1, c2) - max(a1, a2) > 0.8 and min(d1, d2) - max(b1, b2) > half:
                found.append((w1, w2))
    return found


def _split(text: str) -> set[str]:
    """Words, split at hyphens too (a line may break after a hyphen)."""
    return {w for w in re.split(r"[\s\-‐]+", text) if w}


def _words(pages: list[list[tuple]]) -> set[str]:
    return {part for page in pages for w in page for part in _split(w[0])}


@pytest.fixture(scope="module")
def printed(tmp_path_factory, processed_2024, cfg):
    """The export workbook and a blank template of every source, printed by LibreOffice."""
    folder = tmp_path_factory.mktemp("udskrift")
    table = indicators.compute(cfg, processed_2024, 2024)
    xlsx = folder / "statusrapport_2024_tal.xlsx"
    xlsx.write_bytes(export.workbook_bytes(export.workbook(cfg, 2024, table,
                                                           read_inputs(processed_2024))))
    files = {"eksport": xlsx}
    for key, src in SOURCES.items():
        files[key] = workbook.write_source_workbook(src, folder / src.filename, 2025, [],
                                                    example=False, cfg=cfg, layouts=src.layouts)
    return files, _print_all(list(files.values()), folder)


@pytest.mark.slow
@needs_libreoffice
def test_export_overview_prints_on_one_page_and_the_workbook_on_few(printed):
    files, pdfs = printed
    pages = pdfs[files["eksport"].name]
    overview = _sheet_pages(pages, "Oversigt")
    assert len(overview) == 1
    assert files["eksport"].name in _footer(pages[0])
    words = _words(overview)
    for word in ["Delmål", "Status", "Note", "afdelingsmøderne", "fremgang"]:
        assert word in words, word
    # The notes below the table are printed whole, not cut at the page edge.
    assert _split("For antal anmeldelser til politiet er flere anmeldelser målet.") <= words
    assert _overlaps(overview[0]) == []
    # The whole workbook, every sheet fit to the page width: see README for the count.
    assert len(pages) <= 40, len(pages)


@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize("key", list(SOURCES))
def test_template_about_sheet_prints_without_overlapping_text(printed, key):
    files, pdfs = printed
    src = SOURCES[key]
    pages = pdfs[files[key].name]
    about = openpyxl.load_workbook(files[key])[EXAMPLE_SHEET]
    texts = [str(c.value) for row in about.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.strip()]
    about_pages = _sheet_pages(pages, EXAMPLE_SHEET)
    assert 1 <= len(about_pages) <= 3, len(about_pages)
    # Every word of every text is printed, and no printed word runs into another: a text
    # that overlapped its neighbour or was cut off at the cell edge would show here.
    words = _words(about_pages)
    missing = [t for t in texts if not _split(t) <= words]
    assert missing == []
    assert [_overlaps(p) for p in about_pages] == [[] for _ in about_pages]
    # Each data sheet prints on one page, fit to the page width, so no column is split off.
    for layout in src.layouts:
        data = _sheet_pages(pages, layout.sheet)
        assert len(data) == 1, layout.sheet
        assert {col.header.split()[-1] for col in layout.columns} <= _words(data)


def test_dropdowns_show_their_prompt_and_sheets_have_print_setup(cfg, tmp_path):
    src = next(s for s in SOURCES.values() if any(c.choices for c in s.layout.columns))
    xlsx = workbook.write_source_workbook(src, tmp_path / src.filename, 2025, [],
                                          example=False, cfg=cfg, layouts=src.layouts)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb[src.layout.sheet]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and all(dv.showInputMessage and dv.prompt and dv.promptTitle for dv in lists)
    for sheet in (ws, wb[EXAMPLE_SHEET]):
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth == 1 and int(sheet.page_setup.paperSize) == 9
        assert "&F" in sheet.oddFooter.left.text and "&P" in sheet.oddFooter.right.text
    assert ws.print_title_rows == "$1:$1"
