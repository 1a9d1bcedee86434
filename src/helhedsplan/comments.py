"""The analyst's comments: one Markdown file per year, a heading per delmål.

data/raw/<år>/bemaerkninger.md holds plain text under '## <delmålets korte navn>'. The text is
shown in the report as formatted text only: raw HTML, raw Typst/LaTeX and code are never passed
through, so a comment can neither run nor break the layout.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

from .config import Config
from .errors import Problem
from .excel import normalise_header, sha256
from .sources.base import write_inputs

FILENAME = "bemaerkninger.md"
NO_COMMENT = "*Ingen bemærkning for dette år.*"
ACTIVITIES = "aktiviteter"
_PLACEHOLDER = re.compile(r"<!--.*?-->", re.S)


def template_text(cfg: Config, year: int) -> str:
    """The blank file the template command writes, headings in place."""
    parts = [f"# Bemærkninger til statusrapporten {year}\n",
             "Skriv årets bemærkning under hvert delmål: hvad tallene viser, og hvad I har gjort. "
             "Almindelig tekst; **fed**, *kursiv* og punktopstillinger (- ) virker. Lad "
             "overskrifterne stå, som de er.\n"]
    for _, heading in sections(cfg):
        parts.append(f"## {heading}\n\n<!-- Skriv bemærkningen her. -->\n")
    return "\n".join(parts)


def sections(cfg: Config) -> list[tuple[str, str]]:
    """(id, heading) for each commented section: every delmål, then the activities."""
    return [*((d.id, d.kort_navn) for d in cfg.delmaal), (ACTIVITIES, "Aktiviteter")]


def read(raw_year_dir: Path, cfg: Config) -> dict[str, str]:
    """Comment text per delmål id ('' where there is none). Headings are matched forgivingly
    (case, spaces, æøå/ae-oe-aa); `check` refuses any heading that is not a known one."""
    path = Path(raw_year_dir) / FILENAME
    if not path.is_file():
        return {key: "" for key, _ in sections(cfg)}
    text = _PLACEHOLDER.sub("", path.read_text(encoding="utf-8-sig"))
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
    path = Path(raw_year_dir) / FILENAME
    if not path.is_file():
        return []
    label = f"{Path(raw_year_dir).name}/{FILENAME}"
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [Problem("filen er ikke gemt som UTF-8. Gem den igen som 'UTF-8' (i Notesblok: "
                        "Gem som → Kodning: UTF-8).", file=label)]
    # Comments (<!-- -->) are blanked but keep their lines, so line numbers stay right.
    text = _PLACEHOLDER.sub(lambda m: "\n" * m.group(0).count("\n"), raw)
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
    return problems


def reminders(raw_year_dir: Path, cfg: Config) -> list[str]:
    """Delmål (and the activities) without a comment this year: a reminder, not an error."""
    path = Path(raw_year_dir) / FILENAME
    year = Path(raw_year_dir).name
    if not path.is_file():
        return [f"Der er ingen bemærkninger for {year} (data/raw/{year}/{FILENAME}); rapporten "
                "skriver 'Ingen bemærkning for dette år' under hvert delmål."]
    try:
        found = read(raw_year_dir, cfg)
    except UnicodeDecodeError:
        return []
    empty = [h for key, h in sections(cfg) if not found.get(key)]
    if not empty:
        return []
    return [f"Husk bemærkningen til: {', '.join(empty)} (data/raw/{year}/{FILENAME}). Uden den "
            "skriver rapporten 'Ingen bemærkning for dette år'."]


def as_safe_markdown(comment: str) -> str:
    """Comment → Markdown that renders as text: raw HTML/Typst/LaTeX and code are dropped to
    plain text by a round trip through pandoc with those extensions switched off."""
    if not comment.strip():
        return NO_COMMENT
    import pypandoc

    reader = "markdown-raw_html-raw_attribute-raw_tex-native_divs-native_spans"
    ast = json.loads(pypandoc.convert_text(comment, "json", format=reader))
    _strip_attributes(ast)
    # The writer is full Markdown, so it escapes anything the report's reader would treat as raw.
    text = pypandoc.convert_text(json.dumps(ast), "markdown", format="json",
                                 extra_args=["--wrap=none"])
    # A "{" right after code, a link or a span would attach as an attribute ({=html} = raw).
    text = re.sub(r"([`\])])\{", r"\1\\{", text)
    return text.strip().replace("{{<", "{{\\<")  # no Quarto shortcodes either


def _strip_attributes(node) -> None:
    """Attributes on code ({=html}, {.class}) would turn back into raw output: drop them all."""
    if isinstance(node, dict):
        if node.get("t") in {"Code", "CodeBlock", "Span", "Div", "Header", "Link", "Image",
                             "Table"} and isinstance(node.get("c"), list) and node["c"]:
            attr = node["c"][0]
            if isinstance(attr, list) and len(attr) == 3:
                node["c"][0] = ["", [], []]
        for v in node.values():
            _strip_attributes(v)
    elif isinstance(node, list):
        for v in node:
            _strip_attributes(v)


def collect(raw_dir: Path, year: int, cfg: Config, processed_dir: Path) -> dict[str, str]:
    """Copy the year's comments into data/processed/<år>/, and list the file as an input."""
    year_dir = Path(raw_dir) / str(year)
    found = read(year_dir, cfg)
    processed_dir = Path(processed_dir)
    (processed_dir / "bemaerkninger.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    path = year_dir / FILENAME
    inputs = []
    if path.is_file():
        inputs.append({"fil": f"data/raw/{year}/{FILENAME}", "kilde": "Analytikerens bemærkninger",
                       "kilde_id": "bemaerkninger", "aar": year,
                       "raekker": len(path.read_text(encoding="utf-8-sig").splitlines()),
                       "sha256": sha256(path), "eksempeldata": False})
    write_inputs(inputs, processed_dir, "bemaerkninger")
    return found
