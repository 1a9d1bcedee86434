"""The bad-input corpus: broken inputs made from the example data, each run through the ingest
stages as the pipeline runs them. Every case must fail with a Danish message that names the right
file, sheet, row and column (the exact lines a person reads), and leave data/processed as it was.
A few cases also go through the whole pipeline and the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from helhedsplan import config, pipeline, stages
from helhedsplan.errors import InputError
from helhedsplan.sources import SOURCES, sources_for, vive
from helhedsplan.workbook import write_source_workbook

from .conftest import REPO, D, processed_dir, project_copy, report_dir

SAB = "sab_afdelingsmoeder.xlsx"
BEBO = "beboerdata.xlsx"
VIVE = "vive_livskvalitet.xlsx"
POL = "politi_anmeldelser.xlsx"


def cell(rel: str, ref: str, value, sheet: int | str = 0) -> Callable[[Path], None]:
    def edit(raw: Path):
        wb = openpyxl.load_workbook(raw / rel)
        ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
        ws[ref] = value
        wb.save(raw / rel)

    return edit


def sheet_op(rel: str, fn) -> Callable[[Path], None]:
    def edit(raw: Path):
        wb = openpyxl.load_workbook(raw / rel)
        fn(wb.worksheets[0])
        wb.save(raw / rel)

    return edit


def both(*edits) -> Callable[[Path], None]:
    def edit(raw: Path):
        for e in edits:
            e(raw)

    return edit


def content(rel: str, data: bytes | str) -> Callable[[Path], None]:
    def edit(raw: Path):
        path = raw / rel
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2] if data == "halved"
                         else data)

    return edit


def copy(src_rel: str, dst_rel: str) -> Callable[[Path], None]:
    return lambda raw: shutil.copy(raw / src_rel, raw / dst_rel)


def delete(rel: str) -> Callable[[Path], None]:
    return lambda raw: (raw / rel).unlink()


def vive_as(layout, rows, year=2023) -> Callable[[Path], None]:
    def edit(raw: Path):
        path = raw / str(year) / VIVE
        path.unlink()
        write_source_workbook(vive.SOURCE, path, year, rows, example=True, layouts=(layout,))

    return edit


def blank_template(rel: str, year: int) -> Callable[[Path], None]:
    def edit(raw: Path):
        (raw / rel).unlink()
        src = next(s for s in SOURCES.values() if rel.endswith(s.filename))
        write_source_workbook(src, raw / rel, year, [], example=False, layouts=src.layouts)

    return edit


def add_single_answers(rel: str) -> Callable[[Path], None]:
    def edit(raw: Path):
        wb = openpyxl.load_workbook(raw / rel)
        ws = wb.create_sheet("Enkeltsvar")
        ws.append(["Gruppe", "Svarkategori"])
        ws.append(["Nørager", "Tilfreds"])
        wb.save(raw / rel)

    return edit


@dataclass(frozen=True)
class Case:
    id: str
    broken: Callable[[Path], None]
    expected: tuple[str, ...]  # whole lines (or line starts) the message must hold


def L(file: str, sheet: str | None = None, row: int | None = None, column: str | None = None,
      text: str = "") -> str:
    """One message line as the analyst sees it."""
    where = [f"fil {file}"]
    if sheet:
        where.append(f"ark '{sheet}'")
    if row is not None:
        where.append(f"række {row}")
    if column:
        where.append(f"kolonne '{column}'")
    return ", ".join(where) + ": " + text


S, B, V, P = "Afdelingsmøder", "Beboerdata", "Livskvalitet", "Anmeldelser"

CASES = [
    Case("tekst-i-tal", cell(f"2024/{SAB}", "C3", "mange"),
         (L(f"2024/{SAB}", S, 3, "Fremmødte beboere", "skal være et helt tal (fundet: 'mange')"),)),
    Case("decimal-i-heltal", cell(f"2024/{SAB}", "C2", 41.5),
         (L(f"2024/{SAB}", S, 2, "Fremmødte beboere", "skal være et helt tal (fundet: 41,5)"),)),
    Case("afkrydsning-i-tal", cell(f"2024/{SAB}", "C4", True),
         (L(f"2024/{SAB}", S, 4, "Fremmødte beboere", "skal være et helt tal (fundet: SAND)"),)),
    Case("negativt-tal", cell(f"2023/{POL}", "B2", -5),
         (L(f"2023/{POL}", P, 2, "Anmeldelser", "må ikke være negativ (fundet: -5)"),)),
    Case("ukendt-afdeling", cell(f"2022/{SAB}", "A3", 99),
         (L(f"2022/{SAB}", S, 3, "Afdeling",
            "er ikke en afdeling i delaftalen: brug 22, 30, 35, 24 (fundet: 99)"),)),
    Case("ukendt-boligomraade", cell(f"2021/{BEBO}", "A3", "Stenbjerg"),
         (L(f"2021/{BEBO}", B, 3, "Boligområde", "er ikke et boligområde i delaftalen: brug "
            "Kløver-/Hvedemarken, Stenbjergparken, Nørager, Søstjernevej m.fl. Mente du "
            "'Stenbjergparken'? (fundet: 'Stenbjerg')"),)),
    Case("ukendt-gruppe", cell(f"2023/{VIVE}", "A3", "Nørager Syd"),
         (L(f"2023/{VIVE}", V, 3, "Gruppe", "er ikke en kendt gruppe: brug Hele helhedsplanen, "
            "Kløver-/Hvedemarken, Stenbjergparken, Nørager, Søstjernevej m.fl., Alle "
            "helhedsplaner. Mente du 'Nørager'? (fundet: 'Nørager Syd')"),)),
    Case("ukendt-politiomraade", cell(f"2024/{POL}", "A2", "Sønderborg by"),
         (L(f"2024/{POL}", P, 2, "Område", "er ikke et kendt område: brug"),)),
    Case("omdoebt-kolonne", cell(f"2024/{BEBO}", "B1", "Beboere over 18"),
         (L(f"2024/{BEBO}", B, None, "Beboere 18+", "kolonnen 'Beboere 18+' mangler. "
            "Overskrifterne i række 1 er: 'Boligområde', 'Beboere over 18', 'Beboere 65+', "
            "'Førtidspensionister (fuldtidspersoner)', '18-64 årige uden for arbejdsstyrken'. "
            "Mente du 'Beboere over 18'? Så ret overskriften til 'Beboere 18+'."),)),
    Case("tom-celle", cell(f"2021/{SAB}", "C4", None),
         (L(f"2021/{SAB}", S, 4, "Fremmødte beboere", "mangler en værdi"),)),
    Case("dobbelt-raekke", cell(f"2022/{POL}", "A3", "Boligområderne i alt"),
         (L(f"2022/{POL}", P, 3, None, "rækken gentager Område = Boligområderne i alt, som "
            "allerede står i række 2. Slet den ene af rækkerne."),)),
    Case("dobbelt-afdeling", cell(f"2024/{SAB}", "A3", 22),
         (L(f"2024/{SAB}", S, 3, None, "rækken gentager Afdeling = 22, som allerede står i "
            "række 2."),
          L(f"2024/{SAB}", S, None, "Afdeling", "afd. 30 mangler: der er ingen række for den."))),
    Case("manglende-afdeling", sheet_op(f"2021/{SAB}", lambda ws: ws.delete_rows(5)),
         (L(f"2021/{SAB}", S, None, "Afdeling", "afd. 24 mangler: der er ingen række for den. "
            "Tilføj rækken; blev der ikke holdt afdelingsmøde i 2021, så skriv 'intet møde' i "
            "'Fremmødte beboere'."),)),
    Case("dato-i-andet-aar", cell(f"2024/{SAB}", "B2", dt.datetime(2023, 9, 15)),
         (L(f"2024/{SAB}", S, 2, "Mødedato",
            "datoen ligger ikke i 2024, som mappen hedder (fundet: 15-09-2023)"),)),
    Case("dato-som-tekst", cell(f"2024/{SAB}", "B3", "i september"),
         (L(f"2024/{SAB}", S, 3, "Mødedato",
            "skal være en dato, skrevet dd-mm-åååå (fundet: 'i september')"),)),
    Case("sidste-aars-fil", copy(f"2023/{POL}", f"2024/{POL}"),
         (L(f"2024/{POL}", "Om filen", 3, None, "filen siger, at tallene er for 2023 (År = 2023), "
            "men den ligger i mappen 2024. Er det sidste års fil?"),
          L(f"2024/{POL}", None, None, None, f"filen er helt magen til 2023/{POL}."))),
    Case("sidste-aars-datoer", both(copy(f"2023/{SAB}", f"2024/{SAB}"),
                                    cell(f"2024/{SAB}", "B3", 2024, sheet="Om filen")),
         (L(f"2024/{SAB}", S, None, "Mødedato", "alle datoer i kolonnen ligger i 2023, ikke i "
            "2024, som mappen hedder. Er det sidste års fil?"),)),
    Case("flere-tilfredse-end-svar", cell(f"2021/{VIVE}", "C2", 500),
         (L(f"2021/{VIVE}", V, 2, "Meget tilfreds eller tilfreds", "flere tilfredse end svar: "
            "'Meget tilfreds eller tilfreds' (500) må højst være 'Antal svar' (161)"),)),
    Case("nul-svar", both(cell(f"2018/{VIVE}", "B2", 0), cell(f"2018/{VIVE}", "C2", 0)),
         (L(f"2018/{VIVE}", V, 2, "Antal svar",
            "'Antal svar' skal være mindst 1 (ingen svar: slet rækken)"),)),
    Case("fremmoede-over-beboere", cell(f"2022/{SAB}", "C2", 700),
         (L(f"2022/{SAB}", S, 2, "Fremmødte beboere", "700 fremmødte er flere end de 655 "
            "beboere 18+ i Kløver-/Hvedemarken (2022/beboerdata.xlsx) (fundet: 700)"),)),
    Case("fremmoede-uden-beboere", cell(f"2023/{BEBO}", "B3", None),
         (L(f"2023/{SAB}", S, 3, "Afdeling", "afd. 30 har fremmøde for 2023, men "
            "2023/beboerdata.xlsx har ikke 'Beboere 18+' for Stenbjergparken. Skriv antallet i "
            "2023/beboerdata.xlsx. (fundet: 30)"),)),
    Case("beboerdata-mangler", delete(f"2021/{BEBO}"),
         (L(f"2021/{SAB}", None, None, None, "der er fremmøde for 2021, men ingen "
            "Beboerdata-fil for 2021 (2021/beboerdata.xlsx)."),)),
    Case("flere-65-end-18", cell(f"2022/{BEBO}", "C2", 900),
         (L(f"2022/{BEBO}", B, 2, "Beboere 65+",
            "'Beboere 65+' (900) er flere end 'Beboere 18+' (655) i samme boligområde"),)),
    Case("omraade-over-kommune", cell(f"2023/{POL}", "B2", 3000),
         (L(f"2023/{POL}", P, 2, "Anmeldelser", "er flere anmeldelser end i hele kommunen "
            "('Sønderborg Kommune i alt') (fundet: 3.000)"),)),
    Case("i-alt-er-ikke-summen", cell(f"2024/{POL}", "B6", 130),
         (L(f"2024/{POL}", P, 6, "Anmeldelser", "'Boligområderne i alt' (130) er ikke summen af "
            "de fire boligområder (131). Ret det tal, der er forkert."),)),
    Case("tom-fil", content(f"2024/{POL}", b""),
         (L(f"2024/{POL}", text="filen er tom (0 byte). Gem regnearket igen fra Excel."),)),
    Case("csv-med-xlsx-navn", content(f"2024/{POL}", "Område;Anmeldelser\n".encode("latin-1")),
         (L(f"2024/{POL}", text="filen er ikke et Excel-regneark (.xlsx)."),)),
    Case("adgangskode", content(f"2023/{BEBO}", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512),
         (L(f"2023/{BEBO}", text="filen er krypteret (adgangskode) eller i det gamle .xls-format."),)),
    Case("beskadiget-zip", content(f"2024/{SAB}", b"PK\x03\x04" + b"\0" * 100),
         (L(f"2024/{SAB}", text="filen er beskadiget (afkortet eller ufuldstændigt gemt)."),)),
    Case("afkortet-fil", content(f"2021/{VIVE}", "halved"),
         (L(f"2021/{VIVE}", text="filen er beskadiget"),)),
    Case("omdoebt-ark", lambda raw: cell(f"2024/{SAB}", "A1", "Afdeling")(raw) or sheet_op(
        f"2024/{SAB}", lambda ws: setattr(ws, "title", "Ark1"))(raw),
         (L(f"2024/{SAB}", text="arket 'Afdelingsmøder' mangler. Filen har arkene: Ark1, "
            "Om filen."),)),
    Case("tom-skabelon", blank_template(f"2023/{VIVE}", 2023),
         (L(f"2023/{VIVE}", text="filen har ingen tal: arket 'Livskvalitet' eller "
            "'Svarkategorier' eller 'Enkeltsvar' har kun overskrifter. Skriv tallene for 2023 "
            "ind. Er VIVE trivselsmåling ikke målt i 2023, så slet filen, og skriv linjen "
            "'vive_livskvalitet.xlsx' i data/raw/2023/ikke_maalt.txt."),)),
    Case("to-vive-ark-udfyldt", add_single_answers(f"2023/{VIVE}"),
         (L(f"2023/{VIVE}", text="flere ark er udfyldt: 'Livskvalitet' og 'Enkeltsvar'."),)),
    Case("forkert-svarkategori", vive_as(vive.SINGLE_ANSWERS_LAYOUT,
                                         [{"gruppe": "Nørager", "svarkategori": "Tilfreds"}] * 20
                                         + [{"gruppe": "Nørager", "svarkategori": "Godt"}] * 12),
         (L(f"2023/{VIVE}", "Enkeltsvar", None, "Svarkategori", "er ikke en svarkategori: brug "
            "Meget tilfreds, Tilfreds, Hverken/eller, Utilfreds, Meget utilfreds, Ved ikke "
            "(fundet fx 'Godt'). Det gælder 12 rækker: række 22, 23, 24, 25, 26 og 7 andre"),)),
    Case("negativ-svarkategori", vive_as(vive.CATEGORIES_LAYOUT, [
        {"gruppe": "Hele helhedsplanen", "meget_tilfreds": 50, "tilfreds": 60, "hverken_eller": -3,
         "utilfreds": 10, "meget_utilfreds": 4, "ved_ikke_antal": 2}]),
         (L(f"2023/{VIVE}", "Svarkategorier", 2, "Hverken/eller",
            "må ikke være negativ (fundet: -3)"),)),
    # Issue 21.2: a report dated before the data it reports on; every file with a later date.
    Case("rapportdato-foer-data", lambda raw: (raw / "2024" / "bemaerkninger.md").write_text(
        (raw / "2024" / "bemaerkninger.md").read_text(encoding="utf-8").replace(
            "rapportdato: 2025-03-01", "rapportdato: 2024-09-01"), encoding="utf-8"),
         (L("2024/bemaerkninger.md", text="rapportdato 1.9.2024 ligger før den seneste dato i "
            f"2024-tallene, 6.10.2024 (2024/{SAB}, række 5, kolonne 'Mødedato')."),
          L("2024/bemaerkninger.md", text="rapportdato 1.9.2024 ligger før den seneste dato i "
            "2024-tallene, 11.12.2024 (2024/aktivitetslog.xlsx, række 19, kolonne 'Dato')."))),
    Case("flere-filer-paa-en-gang", both(cell(f"2024/{SAB}", "C3", "mange"),
                                         cell(f"2021/{BEBO}", "C2", -1),
                                         cell(f"2023/{POL}", "A2", "Ukendt")),
         ("Der er 3 problemer med inddata:",
          L(f"2021/{BEBO}", B, 2, "Beboere 65+", "må ikke være negativ (fundet: -1)"),
          L(f"2024/{SAB}", S, 3, "Fremmødte beboere", "skal være et helt tal (fundet: 'mange')"),
          L(f"2023/{POL}", P, 2, "Område", "er ikke et kendt område"))),
]


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """data/processed/2024 as a successful run left it."""
    out = tmp_path_factory.mktemp("published") / "2024"
    for sid in sources_for(config.default(D)):
        stages.ingest_source(sid, 2024, D, REPO / "data" / "raw", out)
    return out


def _ingest_all(raw: Path, staging: Path) -> dict[str, str]:
    """Run the four ingest stages as the pipeline does (into its staging folder); the Danish
    message each failing stage raises, by source."""
    messages = {}
    for sid in sources_for(config.default(D)):
        try:
            stages.ingest_source(sid, 2024, D, raw, staging)
        except InputError as err:
            messages[sid] = str(err)
    return messages


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_broken_input_is_named_and_changes_nothing(case, raw_copy, published, tmp_path):
    """The message names file, sheet, row and column; a failing stage writes nothing, and what an
    earlier run published is untouched (the pipeline publishes only when every stage succeeded:
    see the pipeline cases below)."""
    before = _digest(published)
    staging = tmp_path / "staging"
    case.broken(raw_copy)
    messages = _ingest_all(raw_copy, staging)
    assert messages, "the broken input was accepted"
    message = next(iter(messages.values()))
    lines = [line.removeprefix("  - ") for line in message.splitlines()]
    for expected in case.expected:
        assert any(line.startswith(expected) for line in lines), (expected, message)
    assert all(m == message for m in messages.values())  # every failing stage lists them all
    assert "Traceback" not in message
    for sid in messages:
        assert not list(staging.glob(f"{sid}.*")), f"{sid} wrote output although it failed"
    assert _digest(published) == before


def test_missing_input_folder(tmp_path):
    with pytest.raises(InputError, match="Mappen med inddata findes ikke"):
        stages.ingest_source("beboerdata", 2024, D, tmp_path / "ingen", tmp_path / "ud")
    assert not (tmp_path / "ud").exists()


# --- Through the whole pipeline and the command line (slower: kernels start) --------------------

def _project_with_outputs(tmp_path: Path) -> Path:
    root = project_copy(tmp_path / "projekt")
    for folder in (processed_dir(root), report_dir(root)):
        folder.mkdir(parents=True)
        (folder / "fra-sidste-koersel.txt").write_text("uændret", encoding="utf-8")
    return root


def _outputs(root: Path) -> dict:
    return {**{"processed/" + k: v for k, v in _digest(root / "data" / "processed").items()},
            **{"reports/" + k: v for k, v in _digest(root / "reports").items()}}


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c.id == "sidste-aars-fil"],
                         ids=lambda c: c.id)
def test_pipeline_stops_and_publishes_nothing(case, tmp_path):
    root = _project_with_outputs(tmp_path)
    before = _outputs(root)
    case.broken(root / "data" / "raw")
    with pytest.raises(InputError) as err:
        pipeline.build(2024, root=root, renderer="indbygget", log=lambda m: None)
    lines = [str(p) for p in err.value.problems]
    for expected in case.expected:
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    assert _outputs(root) == before


@pytest.mark.slow
def test_command_line_shows_every_problem_in_danish_and_exits_1(tmp_path):
    root = _project_with_outputs(tmp_path)
    before = _outputs(root)
    case = next(c for c in CASES if c.id == "flere-filer-paa-en-gang")
    case.broken(root / "data" / "raw")
    run = subprocess.run([sys.executable, "-m", "helhedsplan", "byg", "--aar", "2024"],
                         capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, HELHEDSPLAN_ROOT=str(root)))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "FEJL: Der er 3 problemer med inddata:\n  - fil 2021/beboerdata.xlsx" in run.stderr
    for expected in case.expected[1:]:
        assert f"  - {expected}" in run.stderr
    # FEJL follows the check at once: no list of steps that were never going to finish (21.8).
    assert run.stdout.strip().splitlines() == ["Kontrollerer inddata for 2024 og årene før …"]
    assert _outputs(root) == before
