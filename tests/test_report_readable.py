"""The built report as its readers meet it: in a browser (axe-core, a 390 px phone) and as a
tagged PDF (PDF/UA-1), from each renderer: the built-in one and Quarto (skipped with the reason
when no Quarto is found; CI puts the Quarto kit on PATH).

The browser tests drive Debian's Chromium through Playwright (no browser download) and run the
npm package axe-core, which `make test` installs into .cache/axe-core. Where Chromium,
Playwright or axe-core is missing, they are skipped with the reason shown (`pytest -ra`).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from helhedsplan import config, paths, report

from .conftest import D, report_dir

AXE_JS = Path(os.environ.get("HELHEDSPLAN_AXE_JS") or paths.ROOT / ".cache" / "axe-core"
              / "node_modules" / "axe-core" / "axe.min.js")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe-core's best practices too: among them one <main> landmark ("landmark-one-main") and no
# content outside a landmark ("region"), which both renderers' HTML broke
AXE_TAGS = [*WCAG_21_AA, "best-practice"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module", params=["indbygget", "quarto"])
def report_2024(request, built_project) -> Path:
    """The 2024 example report's folder, made by each renderer in turn."""
    if request.param == "quarto":
        return request.getfixturevalue("quarto_report")["folder"]
    root, _ = built_project
    return report_dir(root)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright mangler (pip install -r requirements.txt)")
    exe = _chromium()
    if exe is None:
        pytest.skip("Chromium er ikke installeret (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


def _page(browser, html: Path, width: int):
    """The report at a given viewport width. Playwright sets the width with the DevTools
    protocol's device metrics override, so Chromium lays out a true 390 px page (a plain
    headless window cannot be narrower than 500 px)."""
    # The report's Content Security Policy forbids scripts; the test injects axe-core.
    context = browser.new_context(viewport={"width": width, "height": 844},
                                  device_scale_factor=1, bypass_csp=True)
    page = context.new_page()
    page.goto(html.as_uri())
    return page


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1366])
def test_axe_core_finds_no_wcag_21_aa_or_best_practice_violations(browser, report_2024, width):
    if not AXE_JS.is_file():
        pytest.skip(f"axe-core mangler ({AXE_JS}); `make test` installerer den med npm")
    page = _page(browser, report_2024 / "statusrapport.html", width)
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           AXE_TAGS)
    ran = {rule["id"] for key in ("passes", "violations") for rule in result[key]}
    assert {"landmark-one-main", "region"} <= ran
    page.context.close()
    assert result["passes"], "axe-core ran no checks"
    problems = [f"{v['id']} ({v['impact']}): {v['help']} – "
                + ", ".join(str(n["target"]) for n in v["nodes"][:5])
                for v in result["violations"]]
    assert problems == []


@pytest.mark.slow
@pytest.mark.parametrize("width", [360, 390, 1366])  # phones and a laptop
def test_no_table_is_wider_than_the_screen(browser, report_2024, width):
    page = _page(browser, report_2024 / "statusrapport.html", width)
    inner = page.evaluate("window.innerWidth")
    tables = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => ({
        caption: ((t.caption || t.closest('figure')?.querySelector('figcaption'))
                  ?.textContent.trim().replace(/\\s+/g, ' ')) || t.id,
        right: t.getBoundingClientRect().right,
        scroll: t.parentElement.scrollWidth - t.parentElement.clientWidth,
        status: [...t.querySelectorAll('td.sr-status')].map(c => {
            const r = c.getBoundingClientRect(); return [r.left, r.right, r.width]; }),
    }))""")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    page.context.close()
    assert inner == width
    assert page_width <= width  # nothing on the page scrolls sideways
    status_tables = [t for t in tables if t["status"]]
    assert len(status_tables) >= 5  # page 1 and each delmål's status table
    assert any(t["caption"].startswith("Tabel 1:") for t in status_tables)
    for t in tables:
        assert t["right"] <= width, t["caption"]
        assert t["scroll"] <= 0, t["caption"]
        for left, right, shown in t["status"]:
            assert 0 <= left and right <= width and shown > 0, t["caption"]


@pytest.mark.slow
def test_phone_shows_each_row_as_a_card_with_the_status_first(browser, report_2024):
    page = _page(browser, report_2024 / "statusrapport.html", 390)
    cards = page.evaluate("""() => [...document.querySelectorAll('#tbl-sammenfatning tbody tr')]
        .map(tr => [...tr.children].map(c => [c.getBoundingClientRect().top,
            c.getAttribute('data-label') || '', c.innerText]))""")
    # the built-in renderer's <caption>, Quarto's <figcaption> (its table float's caption)
    caption = page.evaluate("""() => { const c = document.querySelector(
        '#tbl-sammenfatning caption, #tbl-sammenfatning figcaption');
        return [c.getBoundingClientRect().right,
        c.scrollWidth <= c.clientWidth]; }""")
    page.context.close()
    assert len(cards) == len(report.headlines(config.default(D)))  # a card per page-1 row
    for cells in cards:
        by_top = [label for _, label, _ in sorted(cells, key=lambda c: c[0])]
        assert by_top[:2] == ["", "Status"], by_top  # the row's name, then its status
        assert len({top for top, _, _ in cells}) == len(cells)  # stacked, one per line
        assert "Seneste måling" in by_top
    assert caption[0] <= 390 and caption[1]  # the caption wraps instead of being cut


@pytest.mark.slow
@pytest.mark.parametrize("width", [360, 390])
def test_a_figure_in_a_card_is_never_split_over_two_lines(browser, report_2024, width):
    """'6,9–11,2 pct.' on one line, not '6,9–' / '11,2 pct.' or '6,9–11,2' / 'pct.': the
    line breaks after the column's label instead."""
    page = _page(browser, report_2024 / "statusrapport.html", width)
    split = page.evaluate("""() => {
        const figure = /^[-+−]?[0-9][0-9.,]*(–[0-9][0-9.,]*)? ?(pct\\.|procentpoint)?( \\([0-9]{4}\\))?$/;
        const out = {checked: 0, split: []};
        for (const td of document.querySelectorAll('table.sr-kort td[data-label]')) {
            const text = td.textContent.trim().replace(/\\u00a0/g, ' ');
            if (!figure.test(text)) continue;
            out.checked++;
            const range = document.createRange();
            range.selectNodeContents(td);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (tops.size > 1) out.split.push(text);
        }
        return out; }""")
    page.context.close()
    assert split["checked"] > 20
    assert split["split"] == []


# Each figure's text as the browser draws it: the SVG the <img> shows (its currentSrc, so the
# <picture> source the browser chose), its glyph groups' font sizes (matplotlib writes text as
# paths scaled by size / 100, in the viewBox's units) times the image's drawn scale.
FIGURE_TEXT_JS = """async () => {
  const sizes = (t, k) => [...new DOMParser().parseFromString(t, 'image/svg+xml')
      .querySelectorAll('g[id^="text_"] > g[transform*="scale("]')]
    .map(g => 100 * parseFloat(g.getAttribute('transform').match(/scale\\(([-0-9.e]+)/)[1]) * k);
  const body = [...document.querySelectorAll('.sr-side p, .sr-side li, .sr-side td, '
      + '.sr-side th, .sr-side caption, .sr-side figcaption')]
    .filter(e => e.getClientRects().length && e.textContent.trim())
    .map(e => parseFloat(getComputedStyle(e).fontSize));
  const out = [];
  for (const img of document.querySelectorAll('figure img')) {
    const r = img.getBoundingClientRect();
    const text = await (await fetch(img.currentSrc)).text();
    const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    const k = r.width / parseFloat(svg.getAttribute('viewBox').split(/\\s+/)[2]);
    const s = sizes(text, k);
    out.push({figure: img.closest('figure').id, left: r.left, right: r.right, width: r.width,
              phone: img.currentSrc !== img.src, alt: img.alt, n: s.length,
              min: Math.min(...s)});
  }
  return {figures: out, body: Math.min(...body)};
}"""
# The smallest figure text on a phone: no smaller than the smallest body text (the figure
# captions, 14.7 px), and never under this.
MIN_FIGURE_TEXT_PX = 14
MIN_DESKTOP_FIGURE_TEXT_PX = 12


@pytest.mark.slow
@pytest.mark.parametrize("width", [360, 390, 768, 844])  # phones upright, a tablet, on its side
def test_figure_text_on_a_phone_is_as_large_as_the_body_text(browser, report_2024, width):
    page = _page(browser, report_2024 / "statusrapport.html", width)
    found = page.evaluate(FIGURE_TEXT_JS)
    page.context.close()
    figs = found["figures"]
    assert len(figs) == 4
    for f in figs:
        assert f["n"] > 0, f"{f['figure']}: no text found in the SVG"
        assert f["min"] >= MIN_FIGURE_TEXT_PX, f
        assert f["min"] >= found["body"], (f, found["body"])
        assert 0 <= f["left"] and f["right"] <= width, f["figure"]  # never wider than the screen
        assert f["phone"], f["figure"]  # the phone-sized figure is the one shown
        assert f["alt"].strip(), f["figure"]


@pytest.mark.slow
def test_desktop_shows_the_print_figure(browser, report_2024):
    page = _page(browser, report_2024 / "statusrapport.html", 1366)
    found = page.evaluate(FIGURE_TEXT_JS)
    page.context.close()
    assert [f["phone"] for f in found["figures"]] == [False] * 4
    # the print figure at the column's width: its smallest text (the calendar's words) is
    # about 13 px, the rest larger (at the print figure's own size: 7,5-10,7 px)
    assert all(f["right"] <= 1366 and f["min"] >= MIN_DESKTOP_FIGURE_TEXT_PX
               for f in found["figures"]), found["figures"]


def test_html_tables_have_header_scopes_and_status_words(report_2024):
    html = (report_2024 / "statusrapport.html").read_text(encoding="utf-8")
    head_cells = re.findall(r"<th\b[^>]*>", html)
    assert head_cells and all('scope="' in th for th in head_cells)
    # Each status symbol is hidden from screen readers and followed by its words.
    for symbol, words in [("▲", "Tydelig"), ("●", "Ingen sikker"), ("■", "Mål nået")]:
        pattern = rf'<span aria-hidden="true">{symbol}</span>\s*{words}'
        assert re.search(pattern, html), symbol
    assert not re.search(r"(?<!>)[▲▼●]", html.split("<body", 1)[1].replace(
        '<span aria-hidden="true">', ">"))


def test_checksums_are_whole_and_wrap_on_screen(report_2024):
    html = (report_2024 / "statusrapport.html").read_text(encoding="utf-8")
    assert len(re.findall(r"<code>[0-9a-f]{64}</code>", html)) > 20
    assert not re.search(r"<code>[0-9a-f]{32}</code>", html)
    assert "overflow-wrap: anywhere" in html


def test_pdf_is_pdf_ua_1_with_title_language_and_alt_text(report_2024):
    reader = PdfReader(report_2024 / "statusrapport.pdf")
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part[^0-9]*1", xmp)
    assert root["/Lang"] == "da"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert reader.metadata.title.startswith("Statusrapport")
    figures = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                figures.append(node)
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, list) else [kids]:
                    walk(kid)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(root["/StructTreeRoot"])
    assert len(figures) == 4
    assert all(str(f.get("/Alt", "")).strip() for f in figures)
