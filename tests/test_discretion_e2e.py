"""End to end: the example data with 2 at afd. 30's meeting in 2024 and a VIVE group of 2
answers in 2023. Neither figure, nor anything computed from it, is in the HTML, the PDF, the
Word file (when the build makes one) or the export workbook; and no output shows enough of the
sums to get it back by subtraction. One build of the changed data, shared by the tests here."""

import html
import io
import re
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from helhedsplan import discretion, export, indicators

from .conftest import processed_dir, project_copy, report_dir

pytestmark = pytest.mark.slow

AFD, AFD_AREA, VIVE_AREA = "Afd. 30", "Stenbjergparken", "Stenbjergparken"


def _edit(path, sheet, changes):
    wb = openpyxl.load_workbook(path)
    for row in wb[sheet].iter_rows(min_row=2):
        for col, value in changes.get(row[0].value, {}).items():
            row[col].value = value
    wb.save(path)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = project_copy(tmp_path_factory.mktemp("diskretion"))
    raw = root / "data" / "raw"
    _edit(raw / "2024" / "sab_afdelingsmoeder.xlsx", "Afdelingsmøder", {30: {2: 2}})
    # Stenbjergparken: 2 answers, both satisfied (was 29 and 22); the plan row follows.
    _edit(raw / "2023" / "vive_livskvalitet.xlsx", "Livskvalitet",
          {VIVE_AREA: {1: 2, 2: 2}, "Hele helhedsplanen": {1: 112, 2: 92}})
    zip_path = export.build_export(2024, root=root, renderer="indbygget", log=lambda _: None)
    table = indicators.read(processed_dir(root))
    out = report_dir(root)
    with zipfile.ZipFile(zip_path) as zf:
        workbook = openpyxl.load_workbook(io.BytesIO(zf.read("statusrapport_2024_tal.xlsx")))
    return dict(root=root, table=table, out=out, workbook=workbook)


def _hidden(table):
    rows = table[table["undertrykt"] & table["indikator_id"].isin(["deltagelse", "livskvalitet"])]
    return {(r.indikator_id, r.enhed_navn, int(r.aar)): r.undertrykt_grund
            for r in rows.itertuples()}


# What would give the hidden figures away, per hidden row: its count "k af n" and its share as
# the report writes them. Afd. 30: 2 of 395 = 0,5 pct.; Stenbjergparken: 2 of 2 = 100 pct.
SECRETS = {
    ("deltagelse", AFD, 2024): ["2 af 395", "0,5"],
    ("livskvalitet", VIVE_AREA, 2023): ["2 af 2", "100"],
}


def test_the_decision(built):
    hidden = _hidden(built["table"])
    assert hidden[("deltagelse", AFD, 2024)] == discretion.PRIMARY
    assert hidden[("livskvalitet", VIVE_AREA, 2023)] == discretion.PRIMARY
    # One more cell in each sum: the smallest other part above the limit.
    for indikator, year in (("deltagelse", 2024), ("livskvalitet", 2023)):
        assert list(v for (i, _, y), v in hidden.items()
                    if (i, y) == (indikator, year)).count(discretion.SECONDARY) == 1
    t = built["table"]
    for (ind, unit, year), reason in hidden.items():  # the secondary rows' figures, too
        if reason == discretion.SECONDARY:
            r = t[(t["indikator_id"] == ind) & (t["enhed_navn"] == unit) & (t["aar"] == year)]
            assert r["vaerdi"].isna().all() and r["taeller"].isna().all()


def _html_tables(path):
    text = path.read_text(encoding="utf-8")
    tables = {}
    for tid, body in re.findall(r'<table id="([^"]+)"[^>]*>(.*?)</table>', text, re.S):
        rows = []
        for tr in re.findall(r"<tr.*?</tr>", body, re.S):
            cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                     for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)]
            rows.append([re.sub(r"\s+", " ", c) for c in cells])
        tables[tid] = rows
    return tables, text


def _check_rows(rows, where):
    """Each row of a hidden unit says "vises ikke" and holds none of its secret figures; in
    each sum at least two parts are hidden, so subtraction gives only their total."""
    units = {u for (_, u, _) in SECRETS}
    for row in rows:
        if row and row[0] in units:
            secrets = [s for (_, u, _), ss in SECRETS.items() if u == row[0] for s in ss]
            for cell in row[1:]:
                assert not any(cell == s or cell.startswith(s + " ") for s in secrets), \
                    (where, row)
            assert any(c.startswith("vises ikke") for c in row[1:]), (where, row)


def test_html_shows_no_hidden_figure(built):
    tables, text = _html_tables(built["out"] / "statusrapport.html")
    for tid in ("tbl-deltagelse-udvikling", "tbl-deltagelse-status",
                "tbl-livskvalitet-udvikling", "tbl-livskvalitet-status"):
        _check_rows(tables[tid], tid)
    for tid in ("tbl-deltagelse-status", "tbl-livskvalitet-status"):
        amounts = [r[3] for r in tables[tid][1:]]
        assert sum(a.startswith("vises ikke") for a in amounts) >= 2, tid  # not by subtraction
    assert "2 af 395" not in text and "2 af 2<" not in text
    # The note says which cells and why, as a sentence, never as a list item.
    assert re.search(r"<p>Vises ikke \(diskretion\): Afd\. 30 \(2024\) handler om færre end 3",
                     text)
    assert not re.search(r"<li>\s*(3 )?vises ikke", text, re.I)


def test_pdf_shows_no_hidden_figure(built):
    pages = PdfReader(str(built["out"] / "statusrapport.pdf")).pages
    lines = "\n".join(p.extract_text() for p in pages).splitlines()
    assert not any("2 af 395" in line or "2 af 2 " in line + " " for line in lines)
    for i, line in enumerate(lines):
        if line.startswith(AFD + " ") and "pct." in line:  # Tabel 3's row, wrapped on 3 lines
            row = " ".join(lines[i:i + 3])
            assert "0,5" not in row and "vises ikke" in row, row
        if line.startswith(AFD + " ") and "pct." not in line:  # Tabel 2: years across
            assert line.split()[-2:] == ["vises", "ikke"], line


def test_docx_shows_no_hidden_figure(built):
    docx = built["out"] / "statusrapport.docx"
    if not docx.exists():
        pytest.skip("bygningen laver ingen statusrapport.docx (endnu)")
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    rows = []
    # only the attendance and quality-of-life tables (the police and target-group tables have
    # rows named after the same area); a table's caption is the paragraph just before it
    for caption, table in re.findall(r"<w:p>((?:(?!<w:p>).)*?)</w:p>\s*(<w:tbl>.*?</w:tbl>)",
                                     xml, re.S):
        title = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", caption))
        if not re.search(r"afdelingsmøderne|livskvalitet", title, re.I):
            continue
        for tr in re.findall(r"<w:tr[ >].*?</w:tr>", table, re.S):
            cells = ["".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", tc))
                     for tc in re.findall(r"<w:tc>.*?</w:tc>", tr, re.S)]
            rows.append([html.unescape(c).strip() for c in cells])
    assert len(rows) >= 10
    _check_rows(rows, "docx")
    assert "2 af 395" not in xml


def test_workbook_shows_no_hidden_figure(built):
    wb = built["workbook"]
    rows = list(wb["Indikatorer"].iter_rows(values_only=True))
    head = rows[0]
    col = {h: i for i, h in enumerate(head)}
    groups: dict = {}
    for r in rows[1:]:
        key = (r[col["Indikator-id"]], r[col["Opgjort for"]], r[col["År"]])
        if key in SECRETS:
            for h in ("Værdi", "Tæller", "95 pct.-interval, nedre", "95 pct.-interval, øvre",
                      "Ændring fra baseline", "p-værdi"):
                assert r[col[h]] is None, (key, h)
            assert r[col["Vises ikke (diskretion)"]] == "ja"
            assert r[col["Hvorfor skjult"]] == discretion.PRIMARY
            assert r[col["Status"]] == discretion.STATUS_SUPPRESSED
        if key[0] in ("deltagelse", "livskvalitet") and r[col["Niveau"]] in (
                "afdeling", "boligområde", "helhedsplan") and r[col["Målt"]] == "ja":
            groups.setdefault((key[0], key[2]), []).append(r[col["Tæller"]])
    # By subtraction: in the sums with a hidden part, at least two counts are missing.
    for key in (("deltagelse", 2024), ("livskvalitet", 2023)):
        assert sum(v is None for v in groups[key]) >= 2, key
    overview = [c for row in wb["Oversigt"].iter_rows(values_only=True) for c in row]
    assert 2 not in overview
