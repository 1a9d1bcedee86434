"""The comments file of one delaftale and year: its headings, its report date, what is missing."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
from pathlib import Path

from ..config import Config
from ..errors import InputError, Problem
from ..freshness import FRONT_MATTER
from ..processed import write_inputs
from ..rawfile import normalise_header, read_regular_file, sha256
from .safe import MAX_BYTES, body_problems, clean_text

FILENAME = "bemaerkninger.md"  # the bundled delaftale's (its YAML names it); else bemaerkninger_<id>.md


REPORT_DATE = "rapportdato"


_PLACEHOLDER = re.compile(r"<!--.*?-->", re.S)


_FRONT_MATTER = FRONT_MATTER


def template_text(cfg: Config, year: int) -> str:
    """The blank file the template command writes, headings in place."""
    parts = [f"---\n{REPORT_DATE}:   # datoen på rapportens forside, fx {year + 1}-03-01\n---\n",
             f"# Bemærkninger til statusrapporten {year}: {cfg.navn}\n",
             "Skriv årets bemærkning under hvert delmål: hvad tallene viser, og hvad I har gjort. "
             "Almindelig tekst; **fed**, *kursiv* og punktopstillinger (- ) virker. Lad "
             "overskrifterne stå, som de er.\n"]
    for _, heading in sections(cfg):
        parts.append(f"## {heading}\n\n<!-- Skriv bemærkningen her. -->\n")
    return "\n".join(parts)


def sections(cfg: Config) -> list[tuple[str, str]]:
    """(id, heading) for each commented section: every delmål of the delaftale."""
    return [(d.id, d.kort_navn) for d in cfg.delmaal]


def _text(raw_year_dir: Path, name: str = FILENAME) -> str | None:
    """The file's text, or None when there is no file. Only a regular file of at most 1 MB is
    read (a FIFO would hang the run); anything else is an InputError in Danish."""
    path = Path(raw_year_dir) / name
    label = f"{Path(raw_year_dir).name}/{name}"
    if not os.path.lexists(path):
        return None
    data = read_regular_file(path, label, MAX_BYTES)
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(Problem(f"filen er ikke gemt som UTF-8. Gem den igen som 'UTF-8' (i "
                                 f"Notesblok: Gem som → Kodning: UTF-8). Første fejl i linje {line}.",
                                 file=label)) from None


def _split_front_matter(text: str) -> tuple[str, str]:
    """(front matter, the rest with the front matter's lines kept blank, so line numbers hold)."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return "", text
    return m.group(1) or "", "\n" * m.group(0).count("\n") + text[m.end():]


def report_date(raw_year_dir: Path, name: str = FILENAME) -> dt.date | None:
    """The date the report shows: 'rapportdato: 2025-03-01' in the front matter of the year's
    bemaerkninger.md (dd-mm-åååå and dd.mm.åååå work too). None when not given. Every
    timestamp in the outputs derives from it, so the same inputs give the same files."""
    text = _text(raw_year_dir, name)
    if text is None:
        return None
    meta, _ = _split_front_matter(text)
    label = f"{Path(raw_year_dir).name}/{name}"
    for number, line in enumerate(meta.splitlines(), start=2):
        key, sep, value = line.partition(":")
        if not sep or key.strip().casefold() != REPORT_DATE:
            continue
        value = value.split(" #", 1)[0].strip().strip("'\"")
        if not value:
            return None
        for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                pass
        raise InputError(Problem(f"linje {number}: {REPORT_DATE} skal være en dato som "
                                 f"2025-03-01 eller 01-03-2025 (fundet: {value!r}).", file=label))
    return None


def read(raw_year_dir: Path, cfg: Config) -> dict[str, str]:
    """Comment text per delmål id ('' where there is none). Headings are matched forgivingly
    (case, spaces, æøå/ae-oe-aa); `check` refuses any heading that is not a known one."""
    text = _text(raw_year_dir, cfg.comments_file)
    if text is None:
        return {key: "" for key, _ in sections(cfg)}
    text = _PLACEHOLDER.sub(lambda m: "\n" * m.group(0).count("\n"), _split_front_matter(text)[1])
    by_heading: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m and len(m.group(1)) == 2:
            current = _key(m.group(2))
            by_heading[current] = []
        elif current is not None and not (m and len(m.group(1)) == 1):
            by_heading[current].append(line)
    return {key: "\n".join(by_heading.get(_key(heading), [])).strip()
            for key, heading in sections(cfg)}


_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")


_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


def _key(heading: str | None) -> str:
    return normalise_header(heading or "")


def check(raw_year_dir: Path, cfg: Config) -> list[Problem]:
    """The headings of bemaerkninger.md must be the known ones, at level 2 ('## '), each once;
    anything else would put the analyst's words in the wrong place or lose them."""
    label = f"{Path(raw_year_dir).name}/{cfg.comments_file}"
    try:
        raw = _text(raw_year_dir, cfg.comments_file)
        report_date(raw_year_dir, cfg.comments_file)
    except InputError as err:  # not a regular file, too large, not UTF-8, a bad rapportdato
        return err.problems
    if raw is None:
        return []
    # The front matter (rapportdato) and comments (<!-- -->) are blanked but keep their lines,
    # so line numbers stay right.
    text = _PLACEHOLDER.sub(lambda m: "\n" * m.group(0).count("\n"), _split_front_matter(raw)[1])
    known = {_key(h): h for _, h in sections(cfg)}
    headings = [h for _, h in sections(cfg)]
    problems, seen = [], {}
    previous = ""
    in_code = False
    for n, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if in_code:
            previous = ""
            continue
        m = _HEADING.match(line)
        if m:
            level, title = len(m.group(1)), (m.group(2) or "").strip()
            match = known.get(_key(title))
            if level == 1 and not seen:
                pass  # the file's title ('# Bemærkninger til statusrapporten 2025')
            elif level == 2 and match:
                if match in seen:
                    problems.append(Problem(
                        f"linje {n}: overskriften '## {match}' står to gange (også i linje "
                        f"{seen[match]}). Saml teksten under den ene, og slet den anden.",
                        file=label))
                seen.setdefault(match, n)
            elif match:
                problems.append(Problem(
                    f"linje {n}: '{line.strip()}' skal have to #: skriv '## {match}'. Ellers "
                    "havner teksten under det forrige delmål.", file=label))
            else:
                close = difflib.get_close_matches(title, headings, n=1, cutoff=0.4) or \
                    [known[k] for k in difflib.get_close_matches(_key(title), list(known), n=1,
                                                                 cutoff=0.4)]
                hint = (f"Mente du '## {close[0]}'?" if close else
                        "Overskrifterne skal være " + ", ".join(f"'## {h}'" for h in headings)
                        + ".")
                problems.append(Problem(
                    f"linje {n}: overskriften '{line.strip()}' kendes ikke, så teksten under "
                    f"den ville ikke komme med i rapporten. {hint} Vil du fremhæve noget i "
                    "teksten, så skriv det **med fed** i stedet for som overskrift.",
                    file=label))
        elif _UNDERLINE.match(line) and previous.strip() and not _HEADING.match(previous):
            problems.append(Problem(
                f"linje {n}: en linje med kun '{line.strip()[0]}' lige under tekst gør teksten til "
                "en overskrift. Slet linjen, eller sæt en tom linje før den.", file=label))
        previous = line
    return problems + content_problems(raw_year_dir, cfg.comments_file)


def reminders(raw_year_dir: Path, cfg: Config) -> list[str]:
    """Delmål (and the activities) without a comment this year: a reminder, not an error."""
    name = cfg.comments_file
    path = Path(raw_year_dir) / name
    year = Path(raw_year_dir).name
    if not path.is_file():
        return [f"Der er ingen bemærkninger for {year} (data/raw/{year}/{name}); rapporten "
                "skriver 'Ingen bemærkning for dette år' under hvert delmål."]
    try:
        found = read(raw_year_dir, cfg)
    except UnicodeDecodeError:
        return []
    empty = [h for key, h in sections(cfg) if not found.get(key)]
    if not empty:
        return []
    return [f"Husk bemærkningen til: {', '.join(empty)} (data/raw/{year}/{name}). Uden den "
            "skriver rapporten 'Ingen bemærkning for dette år'."]


def collect(raw_dir: Path, year: int, cfg: Config, processed_dir: Path) -> dict[str, str]:
    """Copy the year's comments into data/processed/<år>/, and list the file as an input."""
    year_dir = Path(raw_dir) / str(year)
    refused = check(year_dir, cfg)
    if refused:
        raise InputError(refused)
    found = read(year_dir, cfg)
    processed_dir = Path(processed_dir)
    (processed_dir / "bemaerkninger.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    path = year_dir / cfg.comments_file
    inputs = []
    text = _text(year_dir, cfg.comments_file)
    if text is not None:
        inputs.append({"fil": f"data/raw/{year}/{cfg.comments_file}",
                       "kilde": "Analytikerens bemærkninger",
                       "kilde_id": "bemaerkninger", "aar": year,
                       "raekker": len(text.splitlines()),
                       "sha256": sha256(path), "eksempeldata": False})
    write_inputs(inputs, processed_dir, "bemaerkninger")
    return found


def content_problems(raw_year_dir: Path, name: str = FILENAME) -> list[Problem]:
    """What the year's bemaerkninger.md holds that a comment may not (image, link elsewhere,
    heading inside a comment …), each naming the file and its line. [] when all is well."""
    text = _text(raw_year_dir, name)
    if text is None:
        return []
    label = f"{Path(raw_year_dir).name}/{name}"
    body = clean_text(_PLACEHOLDER.sub(lambda m: "\n" * m.group(0).count("\n"),
                                       _split_front_matter(text)[1]))
    found = body_problems(body)
    return [Problem(f"linje {line}: {message}.", file=label) for line, message in
            dict.fromkeys(found)]
