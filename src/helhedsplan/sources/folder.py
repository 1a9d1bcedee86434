"""What a year's folder must hold: every source due that year, or a declaration that it was not
measured; and nothing else that could be a misnamed source file.

A source is due from its delmål's baseline year (`Source.required_from`). A due source whose file
is missing stops the run, unless data/raw/<år>/ikke_maalt.txt names it: one file name per line
(`vive_livskvalitet.xlsx`), '#' starts a comment. Not measured is declared, never inferred from a
missing file, so a file that was forgotten cannot turn into 'ikke målt' in the report.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from .. import excel
from ..errors import InputError, Problem

NOT_MEASURED_FILE = "ikke_maalt.txt"
# Files an operating system or Excel puts in a folder by itself: never the analyst's data.
_SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}


def _stem_key(name: str) -> str:
    """'Kopi af Politi_Anmeldelser 2025 (2).XLSX' → 'politi anmeldelser': compares file names."""
    stem = Path(name).stem if "." in name else name
    stem = re.sub(r"^(kopi af|copy of)\s+", "", stem.strip(), flags=re.I)
    stem = re.sub(r"\(\d+\)|\b(19|20)\d\d\b|-?\s*kopi\b|-?\s*copy\b", " ", stem, flags=re.I)
    return excel.normalise_header(stem)


def _suggest(name: str, candidates: list[str]) -> str | None:
    keys = {_stem_key(c): c for c in candidates}
    key = _stem_key(name)
    if key in keys:
        return keys[key]
    words = set(key.split())
    sharing = [c for k, c in keys.items() if words and words & set(k.split())]
    if len(sharing) == 1:  # 'politi' → politi_anmeldelser.xlsx, 'vive 2023' → vive_livskvalitet
        return sharing[0]
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
    return keys[close[0]] if close else None


def _declarations(year_dir: Path) -> tuple[list[tuple[int, str]], list[Problem]]:
    """(line number, entry) for each source named in data/raw/<år>/ikke_maalt.txt, and the
    problem reading it, if any."""
    path = Path(year_dir) / NOT_MEASURED_FILE
    if not os.path.lexists(path):
        return [], []
    label = f"{Path(year_dir).name}/{NOT_MEASURED_FILE}"
    try:  # a folder, a FIFO, a link in a loop, no permission: a Danish message naming the file
        data = excel.read_regular_file(path, label, excel.MAX_TEXT_BYTES)
    except InputError as err:
        return [], err.problems
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip().strip("-*").strip()
        if entry:
            out.append((i, entry))
    return out, []


def _names(src) -> set[str]:
    """The ways a declaration may name a source: its file name, its id or its title."""
    return {_stem_key(name) for name in (src.filename, src.id, src.title)}


def declares(year_dir: Path, src) -> bool:
    """Whether the year's ikke_maalt.txt declares the source not measured."""
    names = _names(src)
    return any(_stem_key(entry) in names for _, entry in _declarations(year_dir)[0])


def declared_not_measured(year_dir: Path, sources: list) -> tuple[set[str], list[Problem]]:
    """Source ids the year's ikke_maalt.txt declares not measured, and problems with it (an
    entry that names none of `sources`)."""
    label = f"{Path(year_dir).name}/{NOT_MEASURED_FILE}"
    declared: set[str] = set()
    entries, problems = _declarations(year_dir)
    for i, entry in entries:
        src = next((s for s in sources if _stem_key(entry) in _names(s)), None)
        if src is None:
            hint = _suggest(entry, [s.filename for s in sources])
            problems.append(Problem(
                f"linje {i}: '{entry}' er ikke en kilde."
                + (f" Mente du '{hint}'?" if hint else "")
                + " Skriv filnavnet på en kilde, der ikke er målt i år: "
                + ", ".join(s.filename for s in sources) + ".", file=label))
            continue
        declared.add(src.id)
    return declared, problems


# The first line of the bundled example's declaration files, and of no other: the report and the
# export mark a declaration as example data only when the file is exactly the example's.
EXAMPLE_LINE = "# Eksempeldata: denne fil hører til de medfølgende eksempeldata."


def not_measured_text(year: int, filenames: list[str] = (), example: bool = False) -> str:
    """The declaration file: instructions as comments, then the sources not measured. The
    bundled example's file (`example`) says so in its first line."""
    lines = [*([EXAMPLE_LINE] if example else []),
             f"# Kilder, der IKKE er målt i {year}: skriv filnavnet, én pr. linje, fx",
             "#   vive_livskvalitet.xlsx",
             "# En kilde, der skal med i rapporten for året, og hvis fil mangler, stopper",
             "# kørslen, medmindre den står her. Linjer, der starter med #, læses ikke.",
             *filenames]
    return "\n".join(lines) + "\n"


def missing_file(src, year: int, raw_dir: Path) -> Problem:
    """The message for a due source whose file is missing and not declared not measured."""
    folder = f"data/raw/{year}/"
    return Problem(
        f"{src.title} ({src.filename}) mangler for {year}. Læg filen i {folder}"
        f" (en tom skabelon: make skabeloner AAR={year}). Er {src.title} ikke målt i {year}, så "
        f"skriv linjen '{src.filename}' i {folder}{NOT_MEASURED_FILE}.",
        file=f"{year}/{src.filename}")


def stray_files(year_dir: Path, known: list[str], mine: set[str] | None = None) -> list[Problem]:
    """Files in a year folder that the pipeline does not read, each with a 'Mente du …?'.
    `known`: the names it reads (the sources' files and the comments files). With `mine` (the
    files of one delaftale), a stray file that resembles only another delaftale's file is that
    delaftale's problem, not this one's."""
    year_dir = Path(year_dir)
    expected = {*known, NOT_MEASURED_FILE}
    problems = []
    for path in sorted(year_dir.iterdir()):
        name = path.name
        if name in expected or name.startswith("~$") or name.casefold() in _SYSTEM_FILES:
            continue
        same = next((e for e in expected if e.casefold() == name.casefold()), None)
        if same and (year_dir / same).exists() and (year_dir / same).samefile(path):
            continue  # Windows and macOS: 'Beboerdata.xlsx' is the file the pipeline reads
        if path.is_dir():
            problems.append(Problem(
                f"mappen '{name}' hører ikke til her: årsmappen må kun indeholde kildernes filer. "
                "Flyt den ud af data/raw.", file=f"{year_dir.name}/{name}"))
            continue
        hint = _suggest(name, [*known, NOT_MEASURED_FILE])
        if mine is not None and hint and hint not in mine and hint != NOT_MEASURED_FILE:
            continue
        ext = path.suffix.casefold()
        if hint:
            what = f"Mente du '{hint}'? "
            if ext and ext != Path(hint).suffix:
                what += (f"Gem filen som {Path(hint).suffix} (i Excel: Gem som → "
                         "Excel-projektmappe)" if hint.endswith(".xlsx") else "Gem filen")
                what += f" under navnet '{hint}'"
            else:
                what += f"Omdøb filen til '{hint}'"
            if (year_dir / hint).exists():
                what += f" (der ligger allerede en '{hint}': slet den, der er forkert)"
            what += "."
        else:
            what = ("Filnavnene skal være " + ", ".join(known)
                    + f" og {NOT_MEASURED_FILE}. Flyt filen ud af mappen, "
                    "eller omdøb den.")
        problems.append(Problem(f"filen bruges ikke: navnet er ikke et, programmet kender. {what}",
                                file=f"{year_dir.name}/{name}"))
    return problems


def declaration_inputs(raw_dir: Path, up_to_year: int, sources: list) -> list[dict]:
    """Every year's ikke_maalt.txt as an input record (for the report's list of files read and
    the export's manifest): the declarations decide what the report calls 'ikke målt'."""
    out = []
    for path in sorted(Path(raw_dir).glob(f"*/{NOT_MEASURED_FILE}")):
        if not path.parent.name.isdigit() or int(path.parent.name) > up_to_year:
            continue
        year = int(path.parent.name)
        declared, _ = declared_not_measured(path.parent, sources)
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        entries = [line.strip() for line in text.splitlines()
                   if line.strip() and not line.lstrip().startswith("#")]
        out.append({"fil": f"data/raw/{year}/{NOT_MEASURED_FILE}",
                    "kilde": "Kilder, der ikke er målt", "kilde_id": "ikke_maalt", "aar": year,
                    "raekker": len(declared), "sha256": excel.sha256(path),
                    "eksempeldata": text == not_measured_text(year, entries, example=True)})
    return out
