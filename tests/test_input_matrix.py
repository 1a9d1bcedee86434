"""The input matrix: every source × the report year and an earlier year × the typical ways a file
goes wrong. Each cell must end in a clear Danish message naming the file (or, where the pipeline
forgives, in no problem at all).

The matrix runs through `check_inputs`, the check the pipeline makes before any kernel starts
(`test_a_build_stops_at_the_check_and_changes_nothing` shows a build stops with exactly these
problems and leaves reports/ and data/processed/ byte for byte as they were), so it needs no
kernels. File reads are cached by content, so each case costs one changed file's reading.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from helhedsplan import comments, indicators, pipeline
from helhedsplan.errors import InputError
from helhedsplan.inputs import check_inputs, ingest
from helhedsplan.sources import SOURCES
from helhedsplan.sources.base import write

from .conftest import REPO, project_copy


@dataclass(frozen=True)
class Src:
    id: str
    report_year: int  # the report year used for this source's cells
    earlier_year: int
    number_col: str  # a count column's letter and header
    number_header: str

    @property
    def filename(self) -> str:
        return SOURCES[self.id].filename

    @property
    def title(self) -> str:
        return SOURCES[self.id].title


MATRIX_SOURCES = [
    Src("beboerdata", 2024, 2022, "B", "Beboere 18+"),
    Src("afdelingsmoeder", 2024, 2022, "C", "Fremmødte beboere"),
    Src("livskvalitet", 2023, 2021, "B", "Antal svar"),  # VIVE: measured 2018, 2021, 2023
    Src("anmeldelser", 2024, 2022, "B", "Anmeldelser"),
    Src("aktiviteter", 2024, 2022, "F", "Deltagere"),
]
PREVIOUS = {("livskvalitet", 2023): 2021, ("livskvalitet", 2021): 2018}


def _edit_sheet(path: Path, fn) -> None:
    wb = openpyxl.load_workbook(path)
    fn(wb.worksheets[0])
    wb.save(path)


def _set(ref: str, value):
    return lambda ws: ws.__setitem__(ref, value)


def _duplicate_row(ws) -> None:
    ws.append([c.value for c in ws[2]])


def _add_column(header: str):
    def edit(ws):
        col = ws.max_column + 1
        ws.cell(row=1, column=col, value=header)
        ws.cell(row=2, column=col, value="noget")

    return edit


@dataclass(frozen=True)
class Kind:
    id: str
    # (year folder, source) → the change; returns the file the message must name (relative)
    apply: Callable[[Path, Src, int], str]
    # the text the message about that file must hold
    expect: Callable[[Src, int], str]


def _missing(y: Path, s: Src, year: int) -> str:
    (y / s.filename).unlink()
    return f"{year}/{s.filename}"


def _misnamed(y: Path, s: Src, year: int) -> str:
    name = f"{Path(s.filename).stem.replace('_', ' ')} {year}.xlsx"
    (y / s.filename).rename(y / name)
    return f"{year}/{name}"


def _wrong_extension(y: Path, s: Src, year: int) -> str:
    name = f"{Path(s.filename).stem}.ods"
    (y / s.filename).rename(y / name)
    return f"{year}/{name}"


def _a_copy(y: Path, s: Src, year: int) -> str:
    name = f"Kopi af {s.filename}"
    shutil.copy(y / s.filename, y / name)
    return f"{year}/{name}"


def _last_years(y: Path, s: Src, year: int) -> str:
    previous = PREVIOUS.get((s.id, year), year - 1)
    shutil.copy(y.parent / str(previous) / s.filename, y / s.filename)
    return f"{year}/{s.filename}"


def _content(data: bytes):
    def apply(y: Path, s: Src, year: int) -> str:
        (y / s.filename).write_bytes(data)
        return f"{year}/{s.filename}"

    return apply


def _sheet(fn_of_src):
    def apply(y: Path, s: Src, year: int) -> str:
        _edit_sheet(y / s.filename, fn_of_src(s))
        return f"{year}/{s.filename}"

    return apply


KINDS = [
    Kind("fil-mangler", _missing,
         lambda s, year: f"{s.title} ({s.filename}) mangler for {year}. Læg filen i "
                         f"data/raw/{year}/"),
    Kind("forkert-navn", _misnamed, lambda s, year: f"Mente du '{s.filename}'? Omdøb filen"),
    Kind("forkert-filtype", _wrong_extension,
         lambda s, year: f"Mente du '{s.filename}'? Gem filen som .xlsx"),
    Kind("kopi-af", _a_copy, lambda s, year: f"Mente du '{s.filename}'?"),
    Kind("sidste-aars-fil", _last_years, lambda s, year: "sidste års fil"),
    Kind("tom-fil", _content(b""), lambda s, year: "filen er tom (0 byte)"),
    Kind("krypteret", _content(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512),
         lambda s, year: "filen er krypteret (adgangskode)"),
    Kind("omdoebt-overskrift", _sheet(lambda s: _set(f"{s.number_col}1", "Tal")),
         lambda s, year: f"kolonnen '{s.number_header}' mangler"),
    Kind("ukendt-kolonne", _sheet(lambda s: _add_column("Bemærkninger")),
         lambda s, year: "kolonnen 'Bemærkninger' kendes ikke"),
    Kind("tekst-i-tal", _sheet(lambda s: _set(f"{s.number_col}2", "mange")),
         lambda s, year: "skal være et helt tal"),
    Kind("negativt-tal", _sheet(lambda s: _set(f"{s.number_col}2", -5)),
         lambda s, year: "må ikke være negativ"),
    Kind("urimeligt-tal", _sheet(lambda s: _set(f"{s.number_col}2", 5_000_000)),
         lambda s, year: "er urimeligt stort"),
    Kind("dobbelt-raekke", _sheet(lambda s: _duplicate_row),
         lambda s, year: "rækken gentager"),
]

CELLS = [(s, year, k) for s in MATRIX_SOURCES for year in ("report", "earlier") for k in KINDS]


def _id(cell) -> str:
    s, which, k = cell
    return f"{s.id}-{'rapportaar' if which == 'report' else 'tidligere-aar'}-{k.id}"


def _assert_danish(problems) -> None:
    for p in problems:
        text = str(p)
        assert "Traceback" not in text and "Error" not in text and "nan" not in text.split(), text


@pytest.mark.parametrize("cell", CELLS, ids=_id)
def test_matrix(cell, raw_copy, cfg):
    s, which, kind = cell
    year = s.report_year if which == "report" else s.earlier_year
    file = kind.apply(raw_copy / str(year), s, year)
    problems = check_inputs(cfg, raw_copy, s.report_year)
    assert problems, "the broken input was accepted"
    _assert_danish(problems)
    about = [p for p in problems if p.file == file]
    assert any(kind.expect(s, year) in p.message for p in about), (
        kind.expect(s, year), [str(p) for p in problems])


EVERY_FILE = sorted((sid, int(p.parent.name)) for sid, src in SOURCES.items()
                    for p in (REPO / "data" / "raw").glob(f"*/{src.filename}"))


@pytest.mark.parametrize("sid,year", EVERY_FILE, ids=[f"{s}-{y}" for s, y in EVERY_FILE])
def test_every_file_deleted_stops_the_run(sid, year, raw_copy, cfg):
    """Each source's file deleted in each year it exists, for the latest report: named, with
    where it should be and how to declare it not measured; never a silent 'ikke målt'."""
    src = SOURCES[sid]
    (raw_copy / str(year) / src.filename).unlink()
    problems = [str(p) for p in check_inputs(cfg, raw_copy, 2024)]
    assert (f"fil {year}/{src.filename}: {src.title} ({src.filename}) mangler for {year}. Læg "
            f"filen i data/raw/{year}/ (en tom skabelon: make skabeloner AAR={year}). Er "
            f"{src.title} ikke målt i {year}, så skriv linjen '{src.filename}' i "
            f"data/raw/{year}/ikke_maalt.txt.") in problems, problems


def test_matrix_covers_every_source_and_kind():
    assert {s.id for s in MATRIX_SOURCES} == set(SOURCES)
    assert len(CELLS) == len(SOURCES) * 2 * len(KINDS)


# --- Where the pipeline forgives: no problem, and the figures are read right -----------------

FORGIVEN = {
    "overskrift-med-andre-bogstaver": lambda raw: _edit_sheet(
        raw / "2024" / "sab_afdelingsmoeder.xlsx", _set("C1", "  fremmoedte BEBOERE ")),
    "excel-laasefil": lambda raw: (raw / "2024" / "~$beboerdata.xlsx").write_bytes(b"lock"),
    "thumbs-db": lambda raw: (raw / "2024" / "Thumbs.db").write_bytes(b"x"),
    "ikke-maalt-med-kommentar-og-titel": lambda raw: (raw / "2024" / "ikke_maalt.txt").write_text(
        "# VIVE måler ikke i 2024\nVIVE trivselsmåling\n", encoding="utf-8"),
}


@pytest.mark.parametrize("name", FORGIVEN)
def test_forgiven(name, raw_copy, cfg):
    FORGIVEN[name](raw_copy)
    assert check_inputs(cfg, raw_copy, 2024) == []


# --- Declaring a source not measured ---------------------------------------------------------

@pytest.mark.parametrize("src", MATRIX_SOURCES, ids=lambda s: s.id)
def test_a_declared_source_is_not_measured_and_says_so(src, raw_copy, cfg, tmp_path):
    year = src.report_year
    (raw_copy / str(year) / src.filename).unlink()
    with open(raw_copy / str(year) / "ikke_maalt.txt", "a", encoding="utf-8") as f:
        f.write(f"{src.filename}\n")
    problems = [str(p) for p in check_inputs(cfg, raw_copy, year)]
    if src.id == "beboerdata":  # attendance needs the year's residents 18+
        assert problems == [f"fil {year}/sab_afdelingsmoeder.xlsx: ikke_maalt.txt siger, at LBF "
                            f"Beboerdata ikke er målt i {year}, men fremmødet kan kun sættes i "
                            "forhold til beboere 18+ med Beboerdata for samme år. Læg Beboerdata "
                            f"for {year} i mappen."]
        return
    assert problems == []
    out = tmp_path / "processed"
    for s in SOURCES.values():
        write(ingest(s, cfg, raw_copy, year), s, out)
    table = indicators.compute(cfg, out, year)  # the police's crash (issue 11) is gone
    if src.id == "aktiviteter":
        return  # the activity targets without a log: see test_activities
    indicator = {"afdelingsmoeder": "deltagelse", "livskvalitet": "livskvalitet",
                 "anmeldelser": "anmeldelser"}[src.id]
    rows = table[(table["indikator_id"] == indicator) & (table["aar"] == year)
                 & (table["niveau"] == "helhedsplan")]
    assert len(rows) == 1 and not rows["maalt"].iloc[0]
    assert "ikke_maalt.txt" in rows["note"].iloc[0]


def test_declared_and_present_is_a_contradiction(raw_copy, cfg):
    (raw_copy / "2024" / "ikke_maalt.txt").write_text("politi_anmeldelser.xlsx\n"
                                                      "vive_livskvalitet.xlsx\n", encoding="utf-8")
    problems = [str(p) for p in check_inputs(cfg, raw_copy, 2024)]
    assert problems == ["fil 2024/ikke_maalt.txt: ikke_maalt.txt siger, at Politiets anmeldelser "
                        "ikke er målt i 2024, men filen politi_anmeldelser.xlsx ligger i mappen. "
                        "Slet linjen 'politi_anmeldelser.xlsx' i ikke_maalt.txt, hvis tallene er "
                        "målt; ellers slet filen."]


def test_an_unknown_declaration_is_named(raw_copy, cfg):
    (raw_copy / "2024" / "ikke_maalt.txt").write_text("vive_livskvalitet.xlsx\npoliti.xlsx\n",
                                                      encoding="utf-8")
    problems = [str(p) for p in check_inputs(cfg, raw_copy, 2024)]
    assert problems == ["fil 2024/ikke_maalt.txt: linje 2: 'politi.xlsx' er ikke en kilde. Mente du "
                        "'politi_anmeldelser.xlsx'? Skriv filnavnet på en kilde, der ikke er målt "
                        "i år: beboerdata.xlsx, sab_afdelingsmoeder.xlsx, vive_livskvalitet.xlsx, "
                        "politi_anmeldelser.xlsx, aktivitetslog.xlsx."]


def test_a_missing_year_folder_is_named(raw_copy, cfg):
    shutil.rmtree(raw_copy / "2022")
    problems = [str(p) for p in check_inputs(cfg, raw_copy, 2024)]
    assert len(problems) == 1 and problems[0].startswith("fil 2022/: mappen data/raw/2022 mangler.")


def test_one_run_shows_every_problem_across_files(raw_copy, cfg):
    """Issue 11's rounds: the attendance over residents and a missing Beboerdata come in the same
    run as the other files' problems, grouped by file."""
    _edit_sheet(raw_copy / "2024" / "sab_afdelingsmoeder.xlsx",
                lambda ws: (ws.__setitem__("C2", 700), ws.__setitem__("C3", "mange")))
    _edit_sheet(raw_copy / "2024" / "beboerdata.xlsx", _set("C3", -1))
    (raw_copy / "2023" / "beboerdata.xlsx").unlink()
    (raw_copy / "2024" / "politi_anmeldelser 2025.xlsx").write_bytes(b"")
    problems = [str(p) for p in check_inputs(cfg, raw_copy, 2024)]
    files = [p.split(":")[0] for p in problems]
    assert files == sorted(files, key=files.index)  # grouped: each file's lines together
    text = "\n".join(problems)
    for expected in ("fil 2023/beboerdata.xlsx: LBF Beboerdata (beboerdata.xlsx) mangler for 2023",
                     "fil 2023/sab_afdelingsmoeder.xlsx: der er fremmøde for 2023, men ingen "
                     "Beboerdata-fil for 2023",
                     "fil 2024/beboerdata.xlsx, ark 'Beboerdata', række 3, kolonne 'Beboere 65+': "
                     "må ikke være negativ",
                     "række 2, kolonne 'Fremmødte beboere': 700 fremmødte er flere end de 658",
                     "række 3, kolonne 'Fremmødte beboere': skal være et helt tal",
                     "fil 2024/politi_anmeldelser 2025.xlsx: filen bruges ikke"):
        assert expected in text, (expected, text)


def test_typical_slips_get_what_to_write_instead(raw_copy, cfg):
    _edit_sheet(raw_copy / "2024" / "sab_afdelingsmoeder.xlsx",
                lambda ws: (ws.__setitem__("C2", "10,4 %"), ws.__setitem__("A3", "Afd. 30")))
    text = "\n".join(str(p) for p in check_inputs(cfg, raw_copy, 2024))
    assert ("kolonne 'Fremmødte beboere': skal være et helt tal: skriv antallet (fx 31), ikke en "
            "procent") in text
    assert "kolonne 'Afdeling': skal være et helt tal: skriv kun nummeret, fx 30" in text


def test_a_personal_column_in_the_log_is_refused(raw_copy, cfg):
    _edit_sheet(raw_copy / "2024" / "aktivitetslog.xlsx", _add_column("Kontaktperson"))
    text = "\n".join(str(p) for p in check_inputs(cfg, raw_copy, 2024))
    assert "kolonne 'Kontaktperson': kolonnen 'Kontaktperson' kendes ikke" in text


def test_free_text_partners_are_not_stored(raw_copy, cfg, tmp_path):
    _edit_sheet(raw_copy / "2024" / "aktivitetslog.xlsx",
                lambda ws: (ws.__setitem__("E2", "Hanne fra Frivillighedens Hus"),
                            ws.__setitem__("E3", "Jens Hansen; Foreninger")))
    got = ingest(SOURCES["aktiviteter"], cfg, raw_copy, 2024)
    write(got, SOURCES["aktiviteter"], tmp_path)
    stored = (tmp_path / "aktiviteter.csv").read_text(encoding="utf-8")
    assert "Hanne" not in stored and "Jens" not in stored
    assert "titel" not in stored.splitlines()[0]  # the activity's free-text name is not kept
    this = got.table[got.table["aar"] == 2024].reset_index(drop=True)
    assert this.loc[0, "partnere"] == "Frivillighedens Hus"
    assert this.loc[1, "partnere"] == "andre samarbejdspartnere; Foreninger"


# --- bemaerkninger.md --------------------------------------------------------------------------

TEMPLATE_HEADINGS = "\n\n".join(f"## {h}\n\nTekst om {h}." for _, h in
                                comments.sections(__import__("helhedsplan.config").config.default()))

COMMENT_CASES = {
    "stavefejl-i-overskrift": ("## Livskvalitet i hverdag\n\nTekst.\n",
                               "linje 1: overskriften '## Livskvalitet i hverdag' kendes ikke, så "
                               "teksten under den ville ikke komme med i rapporten. Mente du "
                               "'## Livskvalitet i hverdagen'?"),
    "forkert-niveau": ("## Tryghed ved at anmelde til politiet\n\nTekst.\n\n### Aktiviteter\n\nx\n",
                       "linje 5: '### Aktiviteter' skal have to #: skriv '## Aktiviteter'."),
    "ukendt-underoverskrift": ("## Aktiviteter\n\n### Sommerens fester\n",
                               "linje 3: overskriften '### Sommerens fester' kendes ikke"),
    "to-gange": ("## Aktiviteter\n\na\n\n## aktiviteter\n\nb\n",
                 "linje 5: overskriften '## Aktiviteter' står to gange (også i linje 1)."),
    "ny-titel-midt-i": ("## Aktiviteter\n\na\n\n# Noter\n",
                        "linje 5: overskriften '# Noter' kendes ikke"),
    "streg-under-tekst": ("## Aktiviteter\n\nEn linje\n---\n",
                          "linje 4: en linje med kun '-' lige under tekst gør teksten til en "
                          "overskrift."),
}


@pytest.mark.parametrize("year", [2024, 2021])
@pytest.mark.parametrize("name", COMMENT_CASES)
def test_comment_headings(name, year, raw_copy, cfg):
    text, expected = COMMENT_CASES[name]
    (raw_copy / str(year) / comments.FILENAME).write_text(text, encoding="utf-8")
    problems = [str(p) for p in check_inputs(cfg, raw_copy, year)]
    assert any(p.startswith(f"fil {year}/{comments.FILENAME}: {expected}") for p in problems), \
        problems


@pytest.mark.parametrize("name,text,key", [
    ("store-bogstaver-og-mellemrum", "##   LIVSKVALITET  i hverdagen  \n\nGodt.\n", "livskvalitet"),
    ("ae-oe-aa", "## Flere deltager i afdelingsmoederne\n\nGodt.\n", "afdelingsmoeder"),
    ("titel-og-indledning", "# Bemærkninger 2024\n\nIndledning.\n\n## Aktiviteter\n\nGodt.\n",
     "aktiviteter"),
])
def test_comment_headings_forgiven(name, text, key, raw_copy, cfg):
    (raw_copy / "2024" / comments.FILENAME).write_text(text, encoding="utf-8")
    assert check_inputs(cfg, raw_copy, 2024) == []
    assert comments.read(raw_copy / "2024", cfg)[key] == "Godt."


@pytest.mark.parametrize("name,write,expected", [
    ("forkert-navn", lambda y: (y / "bemærkninger.md").write_text("x", encoding="utf-8"),
     "fil 2024/bemærkninger.md: filen bruges ikke: navnet er ikke et, programmet kender. Mente du "
     "'bemaerkninger.md'? Omdøb filen til 'bemaerkninger.md'."),
    ("word-fil", lambda y: (y / "bemaerkninger.docx").write_bytes(b"PK"),
     "fil 2024/bemaerkninger.docx: filen bruges ikke: navnet er ikke et, programmet kender. Mente "
     "du 'bemaerkninger.md'? Gem filen"),
    ("ikke-utf8", lambda y: (y / "bemaerkninger.md").write_bytes("## Aktiviteter\n\nGå\n"
                                                                  .encode("cp1252")),
     "fil 2024/bemaerkninger.md: filen er ikke gemt som UTF-8."),
])
def test_comment_file_problems(name, write, expected, raw_copy, cfg):
    write(raw_copy / "2024")
    problems = [str(p) for p in check_inputs(cfg, raw_copy, 2024)]
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize("content", [None, "", "# Bemærkninger 2024\n"])
def test_no_or_empty_comments_are_reminded_not_refused(content, raw_copy, cfg):
    path = raw_copy / "2024" / comments.FILENAME
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert check_inputs(cfg, raw_copy, 2024) == []
    [reminder] = comments.reminders(raw_copy / "2024", cfg)
    assert reminder.startswith("Der er ingen bemærkninger for 2024" if content is None
                               else "Husk bemærkningen til: Flere deltager i afdelingsmøderne, ")


def test_a_delmaal_without_comment_is_a_reminder_not_an_error(raw_copy, cfg):
    (raw_copy / "2024" / comments.FILENAME).write_text("## Aktiviteter\n\nGodt.\n", encoding="utf-8")
    assert check_inputs(cfg, raw_copy, 2024) == []
    reminders = comments.reminders(raw_copy / "2024", cfg)
    assert reminders == ["Husk bemærkningen til: Flere deltager i afdelingsmøderne, Livskvalitet i "
                         "hverdagen, Tryghed ved at anmelde til politiet (data/raw/2024/"
                         "bemaerkninger.md). Uden den skriver rapporten 'Ingen bemærkning for "
                         "dette år'."]


# --- Through a build: it stops at the check, with the same problems, and changes nothing -------

def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = project_copy(tmp_path_factory.mktemp("matrix"))
    for folder in (root / "data" / "processed" / "2024", root / "reports" / "2024"):
        folder.mkdir(parents=True)
        (folder / "fra-sidste-koersel.txt").write_text("uændret", encoding="utf-8")
    return root


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.id)
def test_a_build_stops_at_the_check_and_changes_nothing(kind, project, cfg, tmp_path):
    raw = project / "data" / "raw"
    backup = tmp_path / "raw"
    shutil.copytree(raw, backup)
    before = {**_digest(project / "data" / "processed"), **_digest(project / "reports")}
    try:
        s = MATRIX_SOURCES[3]  # the police's file, in the report year
        kind.apply(raw / str(s.report_year), s, s.report_year)
        expected = check_inputs(cfg, raw, s.report_year)
        with pytest.raises(InputError) as err:
            pipeline.build(s.report_year, root=project, renderer="indbygget", log=lambda m: None)
        assert [str(p) for p in err.value.problems] == [str(p) for p in expected]
        assert {**_digest(project / "data" / "processed"),
                **_digest(project / "reports")} == before
        assert [p.name for p in (project / ".byg").iterdir()] == ["koersel.laas"]  # no staging
    finally:
        shutil.rmtree(raw)
        shutil.copytree(backup, raw)
