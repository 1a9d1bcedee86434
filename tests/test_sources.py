"""Reading the spreadsheets: what is forgiven, and what is reported with file, row and column."""

import os
import shutil

import openpyxl
import pandas as pd
import pytest

from helhedsplan import excel
from helhedsplan.errors import InputError
from helhedsplan.inputs import ingest
from helhedsplan.sources import SOURCES


def _edit(path, fn):
    wb = openpyxl.load_workbook(path)
    fn(wb.worksheets[0])
    wb.save(path)


def test_example_data_reads_with_every_year(cfg, raw_copy):
    att = ingest(SOURCES["afdelingsmoeder"], cfg, raw_copy, 2024)
    assert sorted(att.table["aar"].unique()) == [2020, 2021, 2022, 2023, 2024]
    base = att.table[att.table["aar"] == 2020].set_index("afdeling")["fremmoedte"].to_dict()
    assert base == {22: 41, 30: 28, 35: 27, 24: 23}
    assert all(i["eksempeldata"] for i in att.inputs)
    assert all(len(i["sha256"]) == 64 for i in att.inputs)


def test_up_to_year_ignores_later_files(cfg, raw_copy):
    vive = ingest(SOURCES["livskvalitet"], cfg, raw_copy, 2021)
    assert sorted(vive.table["aar"].unique()) == [2018, 2021]


@pytest.mark.parametrize(("text", "expected"), [
    ("6,3", 6.3), ("1.234", 1234.0), ("1.234,5", 1234.5), (" 97.7 ", 97.7), (41, 41.0),
    ("", None), (None, None),
])
def test_danish_number_text(text, expected):
    assert excel.parse_number(text) == expected


def test_header_spelling_is_forgiven(cfg, raw_copy):
    path = raw_copy / "2024" / "sab_afdelingsmoeder.xlsx"

    def rename(ws):
        ws["C1"] = "  fremmoedte BEBOERE "
        ws["B1"] = "MØDEDATO"
    _edit(path, rename)
    att = ingest(SOURCES["afdelingsmoeder"], cfg, raw_copy, 2024)
    assert att.table[att.table["aar"] == 2024]["fremmoedte"].sum() == 58 + 39 + 34 + 33


def test_text_numbers_and_blank_rows_are_read(cfg, raw_copy):
    path = raw_copy / "2024" / "sab_afdelingsmoeder.xlsx"

    def edit(ws):
        ws["C2"] = "58"  # a number typed as text
        ws.insert_rows(3)  # a blank row in the middle
    _edit(path, edit)
    att = ingest(SOURCES["afdelingsmoeder"], cfg, raw_copy, 2024)
    assert att.table[att.table["aar"] == 2024]["fremmoedte"].tolist() == [58, 39, 34, 33]


def _problems(cfg, raw, source_id):
    with pytest.raises(InputError) as err:
        ingest(SOURCES[source_id], cfg, raw, 2024)
    return str(err.value)


def test_misspelt_column_is_named(cfg, raw_copy):
    _edit(raw_copy / "2022" / "sab_afdelingsmoeder.xlsx",
          lambda ws: ws.cell(row=1, column=3, value="Fremmødte"))
    msg = _problems(cfg, raw_copy, "afdelingsmoeder")
    assert "2022/sab_afdelingsmoeder.xlsx" in msg
    assert "kolonnen 'Fremmødte beboere' mangler" in msg
    assert "'Fremmødte'" in msg  # what was found instead


def test_every_problem_is_listed_with_row_and_column(cfg, raw_copy):
    def edit(ws):
        ws["C3"] = "mange"  # not a number
        ws["A4"] = 99  # unknown afdeling
        ws["C5"] = -4  # negative
    _edit(raw_copy / "2023" / "sab_afdelingsmoeder.xlsx", edit)
    msg = _problems(cfg, raw_copy, "afdelingsmoeder")
    assert msg.startswith("Der er 3 problemer med inddata:")
    assert "række 3, kolonne 'Fremmødte beboere': skal være et helt tal (fundet: 'mange')" in msg
    assert "række 4, kolonne 'Afdeling': er ikke en afdeling i delaftalen" in msg
    assert "række 5, kolonne 'Fremmødte beboere': må ikke være negativ" in msg


def test_more_satisfied_than_respondents(cfg, raw_copy):
    _edit(raw_copy / "2021" / "vive_livskvalitet.xlsx", lambda ws: ws.cell(row=2, column=3,
                                                                          value=500))
    msg = _problems(cfg, raw_copy, "livskvalitet")
    assert "2021/vive_livskvalitet.xlsx" in msg and "række 2" in msg
    assert "flere tilfredse end svar" in msg


def test_duplicate_afdeling(cfg, raw_copy):
    _edit(raw_copy / "2024" / "sab_afdelingsmoeder.xlsx", lambda ws: ws.cell(row=3, column=1,
                                                                           value=22))
    msg = _problems(cfg, raw_copy, "afdelingsmoeder")
    assert "række 3" in msg and "gentager Afdeling = 22" in msg


def test_date_outside_the_folder_year(cfg, raw_copy):
    import datetime as dt
    _edit(raw_copy / "2024" / "sab_afdelingsmoeder.xlsx",
          lambda ws: ws.cell(row=2, column=2, value=dt.datetime(2023, 9, 15)))
    msg = _problems(cfg, raw_copy, "afdelingsmoeder")
    assert "række 2, kolonne 'Mødedato': datoen ligger ikke i 2024" in msg


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "filen er tom"),
    (b"Afdeling;Fremm\xf8dte\n22;41\n", "ikke et Excel-regneark"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "krypteret"),
    (b"PK\x03\x04" + b"\0" * 100, "beskadiget"),
    ("halved", "beskadiget"),
])
def test_files_that_are_not_workbooks(cfg, raw_copy, content, expected):
    path = raw_copy / "2024" / "politi_anmeldelser.xlsx"
    if content == "halved":  # a real workbook cut short, as by an interrupted copy
        content = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(content)
    msg = _problems(cfg, raw_copy, "anmeldelser")
    assert "2024/politi_anmeldelser.xlsx" in msg and expected in msg


def test_missing_input_folder(cfg, tmp_path):
    with pytest.raises(InputError, match="findes ikke"):
        ingest(SOURCES["beboerdata"], cfg, tmp_path / "ingen", 2024)


# --- Forgiving what is safe -------------------------------------------------------------------

def test_title_rows_above_the_header_are_skipped(cfg, raw_copy):
    def edit(ws):
        ws.insert_rows(1, amount=2)
        ws["A1"] = "Fremmøde ved afdelingsmøderne 2024"
    _edit(raw_copy / "2024" / "sab_afdelingsmoeder.xlsx", edit)
    att = ingest(SOURCES["afdelingsmoeder"], cfg, raw_copy, 2024)
    t = att.table[att.table["aar"] == 2024]
    assert t["fremmoedte"].tolist() == [58, 39, 34, 33]
    assert t["excel_raekke"].tolist() == [4, 5, 6, 7]  # as Excel numbers them


def test_closed_fields_forgive_case_and_spelling(cfg, raw_copy):
    def edit(ws):
        ws["A3"] = "  stenbjergparken "
        ws["A5"] = "SOESTJERNEVEJ M.FL."
    _edit(raw_copy / "2024" / "beboerdata.xlsx", edit)
    res = ingest(SOURCES["beboerdata"], cfg, raw_copy, 2024).table
    assert set(res[res["aar"] == 2024]["boligomraade"]) == set(cfg.area_names)


def test_fast_and_cell_by_cell_paths_agree(cfg):
    from helhedsplan.sources.base import _convert

    col = SOURCES["afdelingsmoeder"].column("fremmoedte")
    fast = pd.Series([41.0, 28.0, None, 1234.0], dtype=object)
    mixed = pd.Series([41.0, "28", None, "1.234"], dtype=object)
    a, bad_a, _ = _convert(col, fast, cfg)
    b, bad_b, _ = _convert(col, mixed, cfg)
    assert a.tolist()[:2] == b.tolist()[:2] == [41.0, 28.0] and a[3] == b[3] == 1234.0
    assert not bad_a.any() and not bad_b.any()
    _, bad, _ = _convert(col, pd.Series([True, 2.0, "6,5"], dtype=object), cfg)
    assert bad.tolist() == [True, False, True]  # a tick box and a decimal are no head count


def test_share_columns_read_percent_text_and_stay_within_0_100(cfg, tmp_path):
    from helhedsplan.sources.base import Column, Layout, Source, read_file
    from helhedsplan.workbook import write_source_workbook

    layout = Layout("andel", "andel", "Andele", (
        Column("omraade", "Område", "text", "", choices=lambda c: c.area_names,
               choice_label="et boligområde"),
        Column("andel", "Andel", "share", "")), key=("omraade",))
    src = Source("test", "Test", "test", "test.xlsx", (layout,))
    path = write_source_workbook(src, tmp_path / "2024" / "test.xlsx", 2024,
                                 [{"omraade": "Nørager", "andel": "6,3 %"},
                                  {"omraade": "Stenbjergparken", "andel": 120}], example=False,
                                 cfg=cfg)
    got = read_file(src, cfg, path, 2024)
    assert [str(p) for p in got.problems] == [
        "fil test.xlsx, ark 'Andele', række 3, kolonne 'Andel': skal være en andel mellem 0 og "
        "100 pct. (fundet: 120)"]
    assert got.table.loc[0, "andel"] == 6.3


def test_libreoffice_export_reads_the_same(cfg, tmp_path):
    """tests/fixtures/libreoffice_…xlsx is the SAB template filled with the 2024 example figures
    (one count typed as text), opened and saved by LibreOffice Calc 7 (Calc MS Excel 2007 XML)."""
    from helhedsplan.example_data import AFDELINGSMOEDER
    from helhedsplan.sources.base import read_file
    from helhedsplan.workbook import write_source_workbook

    from .conftest import REPO

    src = SOURCES["afdelingsmoeder"]
    rows = [dict(r) for r in AFDELINGSMOEDER[2024]]
    rows[1]["fremmoedte"] = "39"
    excel_made = write_source_workbook(src, tmp_path / "excel.xlsx", 2024, rows, example=False,
                                       cfg=cfg, layouts=src.layouts)
    lo = REPO / "tests" / "fixtures" / "libreoffice_sab_afdelingsmoeder_2024.xlsx"
    a, b = read_file(src, cfg, excel_made, 2024), read_file(src, cfg, lo, 2024)
    assert a.problems == b.problems == []
    pd.testing.assert_frame_equal(a.table, b.table)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice er ikke installeret")
def test_every_bundled_file_reads_the_same_after_libreoffice(cfg, raw_copy, tmp_path):
    import subprocess

    from helhedsplan.sources.base import read_file

    files = [(SOURCES[s], raw_copy / str(y) / SOURCES[s].filename) for s, y in
             [("beboerdata", 2018), ("beboerdata", 2024), ("afdelingsmoeder", 2024),
              ("livskvalitet", 2023), ("anmeldelser", 2024)]]
    given, out = tmp_path / "ind", tmp_path / "ud"
    given.mkdir()
    for i, (_, path) in enumerate(files):
        shutil.copy(path, given / f"{i}.xlsx")
    subprocess.run(["soffice", "--headless", "--calc", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                    *(str(given / f"{i}.xlsx") for i in range(len(files)))],
                   check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(tmp_path)})
    for i, (src, path) in enumerate(files):
        year = int(path.parent.name)
        a, b = read_file(src, cfg, path, year), read_file(src, cfg, out / f"{i}.xlsx", year)
        assert b.problems == [] and b.example
        pd.testing.assert_frame_equal(a.table, b.table)


# --- VIVE: three forms, one table ---------------------------------------------------------------

def _vive(path, layout, rows, year):
    from helhedsplan.sources import vive
    from helhedsplan.workbook import write_source_workbook

    return write_source_workbook(vive.SOURCE, path / str(year) / vive.SOURCE.filename, year, rows,
                                 example=True, layouts=(layout,))


def _categories(gruppe, counts):
    keys = ["meget_tilfreds", "tilfreds", "hverken_eller", "utilfreds", "meget_utilfreds",
            "ved_ikke_antal"]
    return {"gruppe": gruppe, **dict(zip(keys, counts, strict=True))}


def test_vive_counts_per_category_give_the_baseline(cfg, raw_copy):
    from helhedsplan.sources import vive

    _vive(raw_copy, vive.CATEGORIES_LAYOUT, [
        _categories("Hele helhedsplanen", [60, 55, 20, 9, 4, 7]),
        _categories("Alle helhedsplaner", [4000, 4064, 1500, 600, 309, None]),
    ], 2018)
    t = ingest(SOURCES["livskvalitet"], cfg, raw_copy, 2018).table.set_index("gruppe")
    assert (t.at["Hele helhedsplanen", "tilfredse"], t.at["Hele helhedsplanen", "svar"]) == (115, 148)
    assert (t.at["Alle helhedsplaner", "tilfredse"], t.at["Alle helhedsplaner", "svar"]) == (8064,
                                                                                           10473)
    assert t.at["Hele helhedsplanen", "opgoerelse"] == "optalt fra svarkategorier"
    assert t.at["Hele helhedsplanen", "ved_ikke"] == "“ved ikke” (7) er ikke talt med i nævneren"
    assert t.at["Hele helhedsplanen", "ved_ikke_antal"] == 7
    assert t.at["Alle helhedsplaner", "ved_ikke"] == (
        "antallet, der svarede “ved ikke”, er ikke oplyst i filen")
    assert (t["skema"] == "kategorier").all()


def test_vive_single_answers_are_counted_per_area_and_added_up(cfg, raw_copy):
    from helhedsplan.sources import vive

    per_area = {"Kløver-/Hvedemarken": (40, 10, 2), "Stenbjergparken": (30, 8, 1),
                "Nørager": (31, 7, 0), "Søstjernevej m.fl.": (28, 7, 3)}
    rows = []
    for area, (happy, unhappy, dont_know) in per_area.items():
        rows += [{"gruppe": area, "svarkategori": "Tilfreds"}] * happy
        rows += [{"gruppe": area.upper(), "svarkategori": "hverken tilfreds eller utilfreds"}] * unhappy
        rows += [{"gruppe": area, "svarkategori": "Ved ikke"}] * dont_know
    _vive(raw_copy, vive.SINGLE_ANSWERS_LAYOUT, rows, 2021)
    t = ingest(SOURCES["livskvalitet"], cfg, raw_copy, 2021).table
    t = t[t["aar"] == 2021].set_index("gruppe")
    total = t.loc["Hele helhedsplanen"]
    assert (total["tilfredse"], total["svar"], total["ved_ikke_antal"]) == (129, 161, 6)
    assert total["opgoerelse"] == "optalt fra 167 enkeltsvar, boligområderne lagt sammen"
    assert total["ved_ikke"] == "“ved ikke” (6) er ikke talt med i nævneren"
    assert (t.at["Nørager", "svar"], t.at["Nørager", "ved_ikke"]) == (38, "ingen svarede “ved ikke”")
    assert pd.isna(total["excel_raekke"])


def test_vive_entered_form_says_dont_know_cannot_be_seen(cfg, raw_copy):
    t = ingest(SOURCES["livskvalitet"], cfg, raw_copy, 2024).table
    assert (t["opgoerelse"] == "antal svar og antal tilfredse som indtastet").all()
    assert t["ved_ikke"].str.startswith("filen viser ikke, hvor mange der svarede “ved ikke”").all()


def test_vive_single_answer_problems_are_summed_up(cfg, raw_copy):
    from helhedsplan.sources import vive

    rows = [{"gruppe": "Nørager", "svarkategori": "Tilfreds"}] * 50
    rows += [{"gruppe": "Nørager", "svarkategori": "Godt"}] * 30
    _vive(raw_copy, vive.SINGLE_ANSWERS_LAYOUT, rows, 2023)
    msg = _problems(cfg, raw_copy, "livskvalitet")
    assert ("fil 2023/vive_livskvalitet.xlsx, ark 'Enkeltsvar', kolonne 'Svarkategori': er ikke en "
            "svarkategori: brug Meget tilfreds, Tilfreds, Hverken/eller, Utilfreds, Meget "
            "utilfreds, Ved ikke (fundet fx 'Godt'). Det gælder 30 rækker: række 52, 53, 54, 55, "
            "56 og 25 andre") in msg


def test_vive_missing_year_is_not_measured_and_page_one_uses_the_latest(cfg, raw_copy, tmp_path):
    """No VIVE file for 2024 (not measured every year, declared in ikke_maalt.txt): no crash;
    2024 is 'ikke målt' with the reason, and page 1 shows the 2023 measurement with its year."""
    from helhedsplan import indicators, report
    from helhedsplan.sources.base import write

    assert not (raw_copy / "2024" / "vive_livskvalitet.xlsx").exists()
    out = tmp_path / "processed"
    for src in SOURCES.values():
        write(ingest(src, cfg, raw_copy, 2024), src, out)
    table = indicators.compute(cfg, out, 2024)
    row = table[(table["indikator_id"] == "livskvalitet") & (table["niveau"] == "helhedsplan")
                & (table["aar"] == 2024)].iloc[0]
    assert not row["maalt"] and row["note"] == (
        "Ikke målt i 2024: VIVEs trygheds- og trivselsmåling har ingen tal for året (angivet i "
        "årets ikke_maalt.txt)")
    page1 = report.summary(report.ReportData(cfg, 2024, table, []))
    line = next(x for x in page1.splitlines() if "Livskvalitet" in x)
    assert "(2023)" in line and "81\u00a0pct." in line  # the figure and its unit stay together


# --- Checks that need the whole table or another source ------------------------------------------

def test_no_meeting_is_said_with_words_and_becomes_not_measured(cfg, raw_copy):
    _edit(raw_copy / "2024" / "sab_afdelingsmoeder.xlsx", lambda ws: ws.cell(row=5, column=3,
                                                                           value="Intet møde"))
    att = ingest(SOURCES["afdelingsmoeder"], cfg, raw_copy, 2024).table
    this = att[att["aar"] == 2024].set_index("afdeling")
    assert sorted(this.index) == [22, 24, 30, 35]  # the row stays, so the report can name it
    assert not this.at[24, "moede_holdt"] and pd.isna(this.at[24, "fremmoedte"])
    assert this.loc[[22, 30, 35], "moede_holdt"].all()


def test_attendance_is_checked_against_residents_of_the_same_year(cfg, raw_copy):
    _edit(raw_copy / "2022" / "sab_afdelingsmoeder.xlsx", lambda ws: ws.cell(row=2, column=3,
                                                                           value=700))
    msg = _problems(cfg, raw_copy, "afdelingsmoeder")
    assert ("fil 2022/sab_afdelingsmoeder.xlsx, ark 'Afdelingsmøder', række 2, kolonne "
            "'Fremmødte beboere': 700 fremmødte er flere end de 655 beboere 18+ i "
            "Kløver-/Hvedemarken (2022/beboerdata.xlsx) (fundet: 700)") in msg


def test_a_problem_in_one_source_lists_the_problems_of_all(cfg, raw_copy):
    _edit(raw_copy / "2024" / "politi_anmeldelser.xlsx", lambda ws: ws.cell(row=2, column=2,
                                                                          value="mange"))
    _edit(raw_copy / "2021" / "beboerdata.xlsx", lambda ws: ws.cell(row=2, column=2, value=-1))
    for source_id in ("anmeldelser", "beboerdata"):
        msg = _problems(cfg, raw_copy, source_id)
        assert msg.startswith("Der er 2 problemer med inddata:")
        assert msg.index("2021/beboerdata.xlsx") < msg.index("2024/politi_anmeldelser.xlsx")
