"""Reading the spreadsheets: what is forgiven, and what is reported with file, row and column."""

import openpyxl
import pytest

from helhedsplan import excel
from helhedsplan.errors import InputError
from helhedsplan.sources import SOURCES
from helhedsplan.sources.base import ingest


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
