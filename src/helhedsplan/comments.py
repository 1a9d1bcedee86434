"""The analyst's comments: one Markdown file per year, a heading per delmål.

data/raw/<år>/bemaerkninger.md holds plain text under '## <delmålets korte navn>'. The text is
shown in the report as formatted text only: raw HTML, raw Typst/LaTeX and code are never passed
through, so a comment can neither run nor break the layout.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from .config import Config
from .errors import InputError, Problem
from .excel import MAX_TEXT_BYTES, normalise_header, read_regular_file, sha256
from .freshness import FRONT_MATTER
from .processed import write_inputs
from .programs import convert_text

FILENAME = "bemaerkninger.md"
NO_COMMENT = "*Ingen bemærkning for dette år.*"
ACTIVITIES = "aktiviteter"
REPORT_DATE = "rapportdato"
_PLACEHOLDER = re.compile(r"<!--.*?-->", re.S)
_FRONT_MATTER = FRONT_MATTER


def template_text(cfg: Config, year: int) -> str:
    """The blank file the template command writes, headings in place."""
    parts = [f"---\n{REPORT_DATE}:   # datoen på rapportens forside, fx {year + 1}-03-01\n---\n",
             f"# Bemærkninger til statusrapporten {year}\n",
             "Skriv årets bemærkning under hvert delmål: hvad tallene viser, og hvad I har gjort. "
             "Almindelig tekst; **fed**, *kursiv* og punktopstillinger (- ) virker. Lad "
             "overskrifterne stå, som de er.\n"]
    for _, heading in sections(cfg):
        parts.append(f"## {heading}\n\n<!-- Skriv bemærkningen her. -->\n")
    return "\n".join(parts)


def sections(cfg: Config) -> list[tuple[str, str]]:
    """(id, heading) for each commented section: every delmål, then the activities."""
    return [*((d.id, d.kort_navn) for d in cfg.delmaal), (ACTIVITIES, "Aktiviteter")]


def _text(raw_year_dir: Path) -> str | None:
    """The file's text, or None when there is no file. Only a regular file of at most 1 MB is
    read (a FIFO would hang the run); anything else is an InputError in Danish."""
    path = Path(raw_year_dir) / FILENAME
    label = f"{Path(raw_year_dir).name}/{FILENAME}"
    if not os.path.lexists(path):
        return None
    data = read_regular_file(path, label, MAX_TEXT_BYTES)
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


def report_date(raw_year_dir: Path) -> dt.date | None:
    """The date the report shows: 'rapportdato: 2025-03-01' in the front matter of the year's
    bemaerkninger.md (dd-mm-åååå and dd.mm.åååå work too). None when not given. Every
    timestamp in the outputs derives from it, so the same inputs give the same files."""
    text = _text(raw_year_dir)
    if text is None:
        return None
    meta, _ = _split_front_matter(text)
    label = f"{Path(raw_year_dir).name}/{FILENAME}"
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
    text = _text(raw_year_dir)
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
    label = f"{Path(raw_year_dir).name}/{FILENAME}"
    try:
        raw = _text(raw_year_dir)
        report_date(raw_year_dir)
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
    return problems + content_problems(raw_year_dir)


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
    path = year_dir / FILENAME
    inputs = []
    text = _text(year_dir)
    if text is not None:
        inputs.append({"fil": f"data/raw/{year}/{FILENAME}", "kilde": "Analytikerens bemærkninger",
                       "kilde_id": "bemaerkninger", "aar": year,
                       "raekker": len(text.splitlines()),
                       "sha256": sha256(path), "eksempeldata": False})
    write_inputs(inputs, processed_dir, "bemaerkninger")
    return found


# --- content safety ------------------------------------------------------------------------
# A comment is text with a small Markdown: paragraphs, **bold**, *italic*, lists, line breaks
# and links to https:, http: and mailto:. It is parsed by pandoc (CommonMark, raw HTML off, with
# source positions, in --sandbox so nothing is read or fetched) and rebuilt from an allow-list of
# pandoc's elements: an image, a link elsewhere or a heading is an error naming the line; code,
# HTML, Typst or LaTeX become plain text. Control and bidi-override characters are removed, and
# very long words get break opportunities so they wrap in the PDF.

LINK_SCHEMES = ("https", "http", "mailto")
LONG_WORD = 40  # characters without a break opportunity before one is added
_BREAK = "\u200b"  # zero-width space: a line may break here, nothing is shown
_READER = "commonmark-raw_html+sourcepos"
# Control characters (but tab and newline), bidi embeddings/overrides/isolates and marks,
# the BOM and line/paragraph separators: invisible, and able to turn text around.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                        "\u2066-\u2069\u2028\u2029\ufeff\ufff9-\ufffb]")


def clean_text(text: str) -> str:
    """Text without control and bidi characters (tabs and line breaks stay)."""
    return _INVISIBLE.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def _pandoc_json(text: str, reader: str) -> dict:
    return json.loads(convert_text(text, "json", reader, extra_args=["--sandbox"]))


def _pos(node: dict) -> int | None:
    """The source line pandoc recorded for a node (sourcepos), if any."""
    c = node.get("c")
    attr = c[0] if isinstance(c, list) and c and isinstance(c[0], list) and len(c[0]) == 3 else None
    if attr and isinstance(attr[2], list):
        for key, value in attr[2]:
            if key == "data-pos":
                m = re.match(r"(\d+):", value)
                return int(m.group(1)) if m else None
    return None


class _Sanitiser:
    """Rebuilds a pandoc AST from allowed elements only; records what it had to refuse."""

    def __init__(self, sections_allowed: bool = False):
        self.problems: list[tuple[int, str]] = []
        self.sections_allowed = sections_allowed  # whole file: '#'/'##' headings are structure
        self.line = 1

    def refuse(self, message: str) -> None:
        self.problems.append((self.line, message))

    def blocks(self, blocks: list) -> list:
        out = []
        for b in blocks:
            self.line = _pos(b) or self.line
            t, c = b.get("t"), b.get("c")
            if t == "Div":
                out += self.blocks(c[1])
            elif t in ("Para", "Plain"):
                out.append({"t": t, "c": _trim(self.inlines(c))})
            elif t == "BulletList":
                out.append({"t": t, "c": [self.blocks(item) for item in c]})
            elif t == "OrderedList":
                start = c[0][0] if isinstance(c[0][0], int) else 1
                out.append({"t": t, "c": [[start, {"t": "Decimal"}, {"t": "Period"}],
                                          [self.blocks(item) for item in c[1]]]})
            elif t == "BlockQuote":
                out += self.blocks(c)
            elif t in ("CodeBlock", "RawBlock"):
                out.append({"t": "Para", "c": _plain(c[1].strip())})
            elif t == "LineBlock":
                lines = [self.inlines(line) for line in c]
                joined = []
                for i, line in enumerate(lines):
                    joined += ([{"t": "LineBreak"}] if i else []) + line
                out.append({"t": "Para", "c": joined})
            elif t == "Header":  # in the whole file, `check` judges the headings
                if not self.sections_allowed:
                    self.refuse("overskrifter kan ikke bruges inde i en bemærkning; skriv "
                                "teksten som almindelig tekst (evt. **fed**)")
                out.append({"t": "Para", "c": self.inlines(c[2])})
            elif t == "HorizontalRule":
                continue
            else:  # tables, definition lists, figures … have no place in a comment
                self.refuse("her står noget, en bemærkning ikke kan indeholde (kun tekst, "
                            "**fed**, *kursiv*, punktopstillinger og links)")
        return out

    def inlines(self, inlines: list) -> list:
        out = []
        for node in inlines:
            self.line = _pos(node) or self.line
            t, c = node.get("t"), node.get("c")
            if t == "Str":
                out.append({"t": "Str", "c": _breakable(clean_text(c))})
            elif t in ("Space", "SoftBreak", "LineBreak"):
                out.append({"t": t})
            elif t in ("Emph", "Strong"):
                out.append({"t": t, "c": self.inlines(c)})
            elif t in ("Span", "Underline", "Strikeout", "SmallCaps", "Superscript",
                       "Subscript"):
                out += self.inlines(c[1] if t == "Span" else c)
            elif t == "Quoted":
                out += self.inlines(c[1])
            elif t == "Link":
                target = clean_text(c[2][0]).strip()
                text = self.inlines(c[1])
                if safe_link(target):
                    out.append({"t": "Link", "c": [["", [], []], text, [target, ""]]})
                else:
                    self.refuse(f"linket til {target[:80]!r} er ikke tilladt: et link skal "
                                "begynde med https://, http:// eller mailto:")
                    out += text
            elif t == "Image":
                self.refuse("billeder kan ikke bruges i en bemærkning")
                out += self.inlines(c[1])
            elif t in ("Code", "RawInline", "Math"):
                out += _plain(c[1])
            elif t == "Note":
                self.refuse("fodnoter kan ikke bruges i en bemærkning")
            elif t == "Cite":
                out += self.inlines(c[1])
            else:
                self.refuse("her står noget, en bemærkning ikke kan indeholde")
        return out


def _trim(inlines: list) -> list:
    """No space or line break at the end of a paragraph (a trailing hard break would be
    written as a lone backslash)."""
    while inlines and inlines[-1].get("t") in ("Space", "SoftBreak", "LineBreak"):
        inlines = inlines[:-1]
    return inlines


def safe_link(target: str) -> bool:
    """https://host…, http://host… or mailto:address; nothing else (javascript:, data:,
    file:, relative paths, '#', '')."""
    if not target or any(ch.isspace() for ch in target) or _INVISIBLE.search(target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES:
        return False
    if scheme == "mailto":
        return "@" in parts.path
    return bool(parts.netloc) and not parts.username and not parts.password


def _plain(text: str) -> list:
    """Text (code, raw HTML/Typst/LaTeX) as plain words, line breaks kept."""
    out: list = []
    for i, line in enumerate(clean_text(text).split("\n")):
        if i:
            out.append({"t": "LineBreak"})
        for j, word in enumerate(line.split()):
            if j:
                out.append({"t": "Space"})
            out.append({"t": "Str", "c": _breakable(word)})
    return out


def _breakable(word: str) -> str:
    """A very long word with break opportunities every LONG_WORD characters (it wraps)."""
    if len(word) <= LONG_WORD:
        return word
    return _BREAK.join(word[i:i + LONG_WORD] for i in range(0, len(word), LONG_WORD))


def content_problems(raw_year_dir: Path) -> list[Problem]:
    """What the year's bemaerkninger.md holds that a comment may not (image, link elsewhere,
    heading inside a comment …), each naming the file and its line. [] when all is well."""
    text = _text(raw_year_dir)
    if text is None:
        return []
    label = f"{Path(raw_year_dir).name}/{FILENAME}"
    body = _PLACEHOLDER.sub(lambda m: "\n" * m.group(0).count("\n"),
                            _split_front_matter(text)[1])
    sanitiser = _Sanitiser(sections_allowed=True)
    sanitiser.blocks(_pandoc_json(clean_text(body), _READER)["blocks"])
    return [Problem(f"linje {line}: {message}.", file=label) for line, message in
            dict.fromkeys(sanitiser.problems)]


def as_safe_markdown(comment: str) -> str:
    """Comment → Markdown that renders as text with the allowed formatting only. What the
    file check refuses is shown as text here (a second wall); the result is read back the way
    the report reads it, and anything but allowed elements there is an error, not output."""
    if not comment.strip():
        return NO_COMMENT
    doc = _pandoc_json(clean_text(comment), _READER)
    blocks = _Sanitiser().blocks(doc["blocks"])
    text = convert_text(json.dumps({**doc, "meta": {}, "blocks": blocks}), "markdown", "json",
                        extra_args=["--wrap=none", "--sandbox"])
    if not _inert_markdown(_escape_markdown(text)):
        text = _plain_markdown(blocks)  # the writer left something active: plain text instead
    text = _escape_markdown(text)
    if not _inert_markdown(text):
        raise ValueError("a comment could not be made inert")
    return text


def _escape_markdown(text: str) -> str:
    """What pandoc's writer leaves that pandoc's or Quarto's reader would take as syntax: an
    attribute block after a link, code or span ({onclick=…}), a citation (@fig-…), a shortcode."""
    text = re.sub(r"([`\])])\{", r"\1\\{", text.strip())
    text = re.sub(r"(?<!\\)@", r"\\@", text)
    return text.replace("{{<", "{{\\<")


def _inert_markdown(text: str) -> bool:
    """Read back as the report reads it: only allowed elements, plain links to safe targets."""
    blocks = _pandoc_json(text, "markdown")["blocks"]
    again = _Sanitiser()
    again.blocks(blocks)
    return not again.problems and not _has_other(blocks)


def _plain_markdown(blocks: list) -> str:
    """The comment's words only, every ASCII punctuation mark escaped: inert in any reader."""
    plain = convert_text(json.dumps({"pandoc-api-version": [1, 23, 1], "meta": {},
                                     "blocks": blocks}), "plain", "json",
                         extra_args=["--wrap=none", "--sandbox"])
    escaped = re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", plain)
    return "\n\n".join(p.strip() for p in escaped.split("\n\n") if p.strip())


_ALLOWED_TYPES = {"Para", "Plain", "BulletList", "OrderedList", "Str", "Space", "SoftBreak",
                  "LineBreak", "Emph", "Strong", "Link", "Decimal", "Period", "DefaultStyle",
                  "DefaultDelim"}


def _has_other(node) -> bool:
    """True if the re-read comment holds any element outside the allow-list (raw, image …),
    or a link with attributes or to anything but a safe target."""
    if isinstance(node, dict):
        if "t" in node and node["t"] not in _ALLOWED_TYPES:
            return True
        if node.get("t") == "Link":
            attr, _, (target, title) = node["c"]
            if attr != ["", [], []] or title or not safe_link(target):
                return True
        return any(_has_other(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_other(v) for v in node)
    return False
