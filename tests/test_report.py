"""The built report as its readers get it: structure of the HTML, text of the PDF."""

import hashlib
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from .conftest import report_dir

pytestmark = pytest.mark.slow


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.images, self.in_h = [], [], None
        self.nav = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("h1", "h2"):
            self.in_h = [tag, ""]
        if tag == "img":
            self.images.append(a)
        if tag == "nav" and a.get("id") == "TOC":
            self.nav = True

    def handle_data(self, data):
        if self.in_h:
            self.in_h[1] += data

    def handle_endtag(self, tag):
        if self.in_h and tag == self.in_h[0]:
            self.headings.append((tag, " ".join(self.in_h[1].split())))
            self.in_h = None


@pytest.fixture(scope="module")
def html_2024(built_project):
    root, _ = built_project
    text = (report_dir(root, 2024) / "statusrapport.html").read_text(encoding="utf-8")
    outline = _Outline()
    outline.feed(text)
    return root, text, outline


def test_html_headings_and_toc(html_2024):
    _, _, outline = html_2024
    h1 = [re.sub(r"^\d+\s*", "", t) for tag, t in outline.headings if tag == "h1"]
    for expected in ["Sammenfatning", "Deltagelse i afdelingsmøderne", "Oplevet livskvalitet",
                     "Anmeldelser til politiet", "Aktiviteter", "Målgruppe", "Data og metode",
                     "Bilag: inddata og programmer"]:
        assert expected in h1, (expected, h1)
    assert outline.nav
    assert sum(1 for tag, t in outline.headings if tag == "h2" and "Bemærkning" in t) == 4


def test_one_figure_per_delmaal_with_danish_alt_text(html_2024):
    _, _, outline = html_2024
    alts = [img.get("alt", "") for img in outline.images]
    assert len(alts) == 4  # one per delmål, and the activity calendar
    assert "afdelingsmødet" in alts[0] and "livskvalitet" in alts[1]
    assert "anmeldelser" in alts[2] and "netværksaktivitet" in alts[3]
    assert all(img["src"].startswith("data:image/svg+xml") for img in outline.images)


def test_appendix_checksums_match_the_input_files(html_2024):
    root, text, _ = html_2024
    # Each checksum is one unbroken piece of code, so a copied checksum compares equal.
    pattern = re.compile(r"data/raw/(\d{4}/[\w.]+)</code>.*?<code>([0-9a-f]{64})</code>", re.S)
    found = {m.group(1): m.group(2) for m in pattern.finditer(text)}
    files = sorted(p for p in (root / "data" / "raw").rglob("*") if p.is_file()
                   and int(p.parent.name) <= 2024)
    assert len(found) == len(files) > 20
    for path in files:
        rel = f"{path.parent.name}/{path.name}"
        assert found[rel] == hashlib.sha256(path.read_bytes()).hexdigest(), rel


def test_comments_are_shown_as_text_and_missing_ones_say_so(html_2024):
    _, text, _ = html_2024
    assert "<strong>opsøgende besøg</strong>" in text
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    # livskvalitet, anmeldelser and the activities have no comment in the file
    assert text.count("Ingen bemærkning for dette år.") == 3


def test_pdf_page_one_answers_the_question(built_project):
    root, _ = built_project
    reader = PdfReader(report_dir(root, 2024) / "statusrapport.pdf")
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    first = pages[0]
    for text in ["Statusrapport 2024", "Eksempeldata", "1.9.2023–31.8.2024", "6,1 pct. (2020)",
                 "8,2 pct. (2024)", "+2,2 procentpoint", "Tydelig fremgang", "78 pct. (2018)",
                 "81 pct. (2023)", "108 anmeldelser (2020)", "131 anmeldelser (2024)",
                 "+23 anmeldelser", "Side 1 af", "omfatter slutningen af projektår 3",
                 "Ændringen er regnet af de uafrundede andele",
                 "Aktivitetsmålene 2024:", "Måneder med netværksaktivitet i boligområderne: 11 af 12",
                 "Temaarrangementer i alt: 7 (mål: 6)",
                 "Temaarrangementer uden for boligområderne med Frivillighedens Hus: 1 (mål: 1)",
                 "2 af 3 mål nået", "Andel af alle anmeldelser i kommunen", "4,40 pct. (2020)"]:
        assert text in first, text
    for n, page in enumerate(pages, start=1):
        assert f"Side {n} af {len(pages)}" in page


def test_any_year_builds_2021(built_project):
    root, _ = built_project
    out = report_dir(root, 2021)
    reader = PdfReader(out / "statusrapport.pdf")
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Statusrapport 2021" in first
    assert "80 pct. (2021)" in first  # VIVE measured again in 2021
    assert "117 anmeldelser (2021)" in first
    html = (out / "statusrapport.html").read_text(encoding="utf-8")
    assert "2024" not in re.sub(r"<[^>]+>", "", html.split("Bilag")[0])  # no later years leak


def test_activity_section_in_2024(html_2024):
    _, text, _ = html_2024
    section = text.split("Aktiviteter</h1>", 1)[1].split("Målgruppe</h1>", 1)[0]
    section = " ".join(section.split())  # pandoc wraps the HTML's lines
    for expected in ["Kalenderår 2024", "Projektår 3 (2023/24)", "Mål nået", "Mål ikke nået",
                     "projektår 3 (2023/24): ingen netværksaktivitet i juli 2024",
                     "18 aktiviteter", "11 af 18"]:
        assert expected in section, expected


def test_first_baseline_year_builds(built_project):
    """2018: only VIVE and Beboerdata exist; the rest says it has no measurements yet."""
    root, _ = built_project
    reader = PdfReader(report_dir(root, 2018) / "statusrapport.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Statusrapport 2018" in text and "78 pct. (2018)" in text
    assert "Ingen målinger til og med 2018" in text
    assert "Der er ingen aktivitetslog for 2018" in text


def test_a_long_count_word_may_leave_its_number_on_page_one():
    """'40 hærværkssager' unbroken ran into the next column of page 1's PDF table; a short
    word ('108 anmeldelser') still keeps its number."""
    from types import SimpleNamespace

    from helhedsplan.report.data import count_noun

    assert count_noun(SimpleNamespace(ord="anmeldelser")) == "\u00a0anmeldelser"
    assert count_noun(SimpleNamespace(ord="hærværkssager")) == " hærværkssager"
    assert count_noun(SimpleNamespace(ord=None)) == ""
