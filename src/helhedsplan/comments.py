"""The analyst's comments: one Markdown file per year, a heading per delmål.

data/raw/<år>/bemaerkninger.md holds plain text under '## <delmålets korte navn>'. The text is
shown in the report as formatted text only: raw HTML, raw Typst/LaTeX and code are never passed
through, so a comment can neither run nor break the layout.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .config import Config
from .excel import sha256
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
    """Comment text per delmål id ('' where there is none); unknown headings are ignored."""
    path = Path(raw_year_dir) / FILENAME
    if not path.is_file():
        return {key: "" for key, _ in sections(cfg)}
    text = _PLACEHOLDER.sub("", path.read_text(encoding="utf-8-sig"))
    by_heading: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^##\s+(.+?)\s*#*\s*$", line)
        if m:
            current = _key(m.group(1))
            by_heading[current] = []
        elif current is not None and not line.startswith("# "):
            by_heading[current].append(line)
    return {key: "\n".join(by_heading.get(_key(heading), [])).strip()
            for key, heading in sections(cfg)}


def _key(heading: str) -> str:
    return " ".join(heading.casefold().split())


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
