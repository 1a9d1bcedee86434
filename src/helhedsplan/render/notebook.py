"""The executed notebook read as one Markdown document: what both engines take from it.

Notebook conventions (Quarto's): cell 0 is a raw cell with YAML front matter (``title``,
``subtitle``, ``date``, ``lang``, ``running-header``); code cells start with ``#|`` options
(``output: asis``, ``label: fig-…`` + ``fig-cap`` + ``fig-alt``, ``label: tbl-…`` +
``tbl-cap``), read as YAML 1.2 as Quarto reads them; cells tagged ``parameters`` /
``injected-parameters`` produce nothing; stream outputs are ignored; an ``error`` output means
the notebook failed. Quarto reads the notebook itself; the built-in engine reads it as
:class:`Document` (:func:`notebook_to_document`), and both use :func:`read_notebook`,
:func:`cell_options` and :func:`with_figure_alt`.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from ..paths import ASSETS_DIR
from .floats import with_float_cells
from .tools import RenderError

# Front-matter keys handed to pandoc. Quarto-only keys (format, execute, jupyter, …) are
# left out: pandoc would treat some of them as template variables.
_PANDOC_META_KEYS = (
    "title", "subtitle", "author", "date", "lang", "running-header",
    "abstract", "keywords", "description",
)
_SKIP_TAGS = {"parameters", "injected-parameters"}
_IMAGE_TYPES = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg"}


@dataclass
class Document:
    """The notebook as one Markdown document plus the figure files it refers to."""

    metadata: dict
    body: str
    files: dict[str, bytes] = field(default_factory=dict)

    def markdown(self, inline_files: bool = False) -> str:
        """The document for pandoc. `inline_files`: figures as data: URIs, for the HTML, which
        pandoc then embeds without reading any file (it runs with --sandbox)."""
        meta = {k: self.metadata[k] for k in _PANDOC_META_KEYS if k in self.metadata}
        head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        body = self.body
        if inline_files:
            for name, content in self.files.items():
                mime = next((m for m, ext in _IMAGE_TYPES.items() if name.endswith("." + ext)),
                            "application/octet-stream")
                uri = f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"
                body = body.replace(f"]({name})", f"]({uri})")
        return f"---\n{head}---\n\n{body}\n"


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read an executed notebook; raise RenderError if it cannot be read or holds an error."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types
        raise RenderError(f"Notesbogen {path} kan ikke læses: {exc}") from exc
    for number, cell in enumerate(nb.cells, start=1):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                raise RenderError(
                    f"Notesbogen {path.name} fejlede i celle {number}: "
                    f"{out.get('ename', 'Fejl')}: {out.get('evalue', '')}\n"
                    f"Åbn {path} og se fejlen i cellen; ret den og kør igen."
                )
    return with_float_cells(nb)


def front_matter(nb: nbformat.NotebookNode) -> dict:
    """The YAML front matter of the first raw cell (Quarto's convention), or {}."""
    if not nb.cells or nb.cells[0].cell_type != "raw":
        return {}
    text = cell_source(nb.cells[0]).strip()
    match = re.match(r"^---\s*\n(.*?)\n(?:---|\.\.\.)\s*$", text, re.S)
    if not match:
        return {}
    try:
        meta = load_yaml(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise RenderError(f"Forsiden (YAML i første celle) kan ikke læses: {exc}") from exc
    if not isinstance(meta, dict):
        raise RenderError("Forsiden (YAML i første celle) skal være en samling af nøgler.")
    return meta


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core-schema scalars, as Quarto's js-yaml reads them.

    PyYAML follows YAML 1.1, where ``yes``/``no``/``on``/``off`` are booleans and ``1:30`` is
    a number; Quarto reads all of those as strings. Only ``true``/``false``, plain decimal,
    octal (``0o``) and hex numbers and ``.inf``/``.nan`` are typed.
    """


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                           "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"))
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def _yaml12_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    return int(text, 0) if text[:2] in ("0o", "0x") else int(text)


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _yaml12_int)


def load_yaml(text: str):
    """Parse YAML the way Quarto does (YAML 1.2 core schema); raises yaml.YAMLError."""
    return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader subclass


# Quarto's option-line pattern for '#' languages (core/lib/partition-cell-options.ts).
_OPTION_LINE = re.compile(r"^#\s*\| ?")


def cell_options(source: str, *, where: str = "en kodecelle") -> tuple[dict, str]:
    """Split Quarto ``#|`` option lines off the top of a code cell and parse them as YAML.

    The lines are found and parsed as Quarto does, so both renderers read the same options.
    A block that is not valid YAML (e.g. an unquoted ``: `` in a caption) is an error, as
    it is in Quarto: :class:`RenderError` names ``where`` (the cell).
    """
    lines = source.splitlines()
    option_lines = []
    for line in lines:
        match = _OPTION_LINE.match(line)
        if not match:
            break
        option_lines.append(line[match.end():])
    rest = "\n".join(lines[len(option_lines):])
    if not option_lines:
        return {}, rest
    try:
        opts = load_yaml("\n".join(option_lines))
    except yaml.YAMLError as exc:
        raise RenderError(
            f"Celleindstillingerne (linjerne med '#|') i {where} er ikke gyldig YAML:\n"
            f"{exc}\nEn værdi med ': ' skal stå i anførselstegn, "
            'fx  #| tbl-cap: "Delmål: status".'
        ) from exc
    if opts is None:
        return {}, rest
    if not isinstance(opts, dict):
        raise RenderError(
            f"Celleindstillingerne (linjerne med '#|') i {where} skal have formen "
            f"'#| nøgle: værdi'."
        )
    return opts, rest


def notebook_to_document(nb: nbformat.NotebookNode) -> Document:
    """Turn the executed notebook into one Markdown document (front matter kept apart)."""
    meta = front_matter(nb)
    chunks: list[str] = []
    files: dict[str, bytes] = {}
    start = 1 if meta else 0
    for index, cell in enumerate(nb.cells[start:], start=start):
        if cell.cell_type == "markdown":
            chunks.append(_markdown_cell(cell, index, files))
        elif cell.cell_type == "raw":
            chunks.append(_raw_cell(cell))
        elif cell.cell_type == "code":
            chunks.append(_code_cell(cell, index, files))
    body = "\n\n".join(c.strip("\n") for c in chunks if c and c.strip())
    if _PAGEBREAK.search(body):
        pagebreak = (ASSETS_DIR / "indbygget-sideskift.md").read_text(encoding="utf-8").rstrip("\n")
        body = _PAGEBREAK.sub(lambda _: pagebreak, body)
    return Document(metadata=_normalise_meta(meta), body=body, files=files)


# Quarto's {{< pagebreak >}} shortcode, for both outputs (assets/indbygget-sideskift.md).
_PAGEBREAK = re.compile(r"^[ \t]*\{\{<\s*pagebreak\s*>\}\}[ \t]*$", re.M)


def cell_source(cell) -> str:
    """A cell's source as one string (nbformat may hold it as a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def output_text(data) -> str:
    """An output's data as one string (nbformat may hold it as a list of lines)."""
    return "".join(data) if isinstance(data, list) else str(data)


def _markdown_cell(cell, index: int, files: dict[str, bytes]) -> str:
    text = cell_source(cell)
    for name, bundle in (cell.get("attachments") or {}).items():
        for mime, ext in _IMAGE_TYPES.items():
            if mime in bundle:
                fname = f"vedhaeftning-{index}-{_slug(name)}.{ext}"
                files[fname] = _image_bytes(mime, bundle[mime])
                text = text.replace(f"attachment:{name}", fname)
                break
    return text


def _raw_cell(cell) -> str:
    mime = (cell.metadata.get("format") or cell.metadata.get("raw_mimetype") or "").lower()
    text = cell_source(cell)
    if mime in ("text/html", "html"):
        return f"```{{=html}}\n{text}\n```"
    if mime in ("", "text/markdown", "markdown"):
        return text
    return ""  # LaTeX, reST, … have no place in these outputs


def _code_cell(cell, index: int, files: dict[str, bytes]) -> str:
    tags = set(cell.metadata.get("tags", []))
    if tags & _SKIP_TAGS:
        return ""
    where = f"celle {index + 1}" + (f" (id {cell.get('id')})" if cell.get("id") else "")
    opts, _ = cell_options(cell_source(cell), where=where)
    if opts.get("include") is False or opts.get("output") is False:
        return ""
    asis = str(opts.get("output", "")).lower() == "asis"
    label = str(opts.get("label") or "").strip()

    parts: list[str] = []
    n_images = 0
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind not in ("display_data", "execute_result"):
            continue  # stream output (warnings, prints) is not part of the report
        data = out.get("data", {})
        image_mime = next((m for m in _IMAGE_TYPES if m in data), None)
        if "text/markdown" in data:
            parts.append(output_text(data["text/markdown"]))
        elif image_mime:
            n_images += 1
            parts.append(_figure(opts, label, index, n_images, image_mime, data, files))
        elif "text/html" in data:
            parts.append(_html_output(output_text(data["text/html"])))
        elif "text/plain" in data:
            text = output_text(data["text/plain"])
            parts.append(text if asis else _fenced(text))
    body = "\n\n".join(p.strip("\n") for p in parts if p.strip())
    if not body:
        return ""
    if label.startswith("tbl-"):
        cap = opts.get("tbl-cap")
        attrs = f'#{label}' + (f' tbl-cap="{_attr(str(cap))}"' if cap else "")
        fence = ":" * (_longest_colon_run(body) + 1)
        return f"{fence} {{{attrs}}}\n{body}\n{fence}"
    if label and not label.startswith("fig-"):
        fence = ":" * (_longest_colon_run(body) + 1)
        return f"{fence} {{#{label}}}\n{body}\n{fence}"
    return body


def _figure(opts: dict, label: str, index: int, n: int, mime: str, bundle: dict,
            files: dict[str, bytes]) -> str:
    stem = label if label else f"figur-{index}"
    if n > 1:
        stem = f"{stem}-{n}"
    fname = f"{_slug(stem)}.{_IMAGE_TYPES[mime]}"
    files[fname] = _image_bytes(mime, bundle[mime])
    caption = _first(opts.get("fig-cap"), n)
    alt = _first(opts.get("fig-alt"), n) or caption
    attrs = []
    if label.startswith("fig-"):
        attrs.append(f"#{stem}")
    if alt:
        attrs.append(f'alt="{_attr(_plain(alt))}"')
    phone = phone_variant(bundle) if mime == "image/svg+xml" else None
    if phone:
        phone_name = f"{_slug(stem)}-telefon.svg"
        files[phone_name] = phone[1]
        attrs.append(f'{PHONE_ATTR}="{phone_name}"')
        attrs.append(f'{PHONE_ATTR}-media="{_attr(phone[0])}"')
    attr = "{" + " ".join(attrs) + "}" if attrs else ""
    cap = (caption or "").replace("\n", " ").strip()
    return f"![{cap}]({fname}){attr}"


# A figure's phone-sized variant (helhedsplan.figures.show puts it in the output's HTML as a
# <picture> source); the built-in HTML shows it at the same media query, the PDF never.
# pandoc sees only its file name (as "#sr-telefon/<name>"): the SVG goes into the HTML after
# pandoc (render/builtin.py), which spares pandoc parsing it (a third of its time).
PHONE_ATTR = "telefon"
_PHONE_SOURCE = re.compile(
    r'<picture\b[^>]*>\s*<source\b[^>]*\bmedia="([^"]*)"[^>]*\bsrcset="data:image/svg\+xml;'
    r'base64,([A-Za-z0-9+/=]+)"')


def phone_variant(bundle: dict) -> tuple[str, bytes] | None:
    """The phone figure (its media query and SVG) from a figure output's HTML, if any."""
    if "text/html" not in bundle:
        return None
    match = _PHONE_SOURCE.search(output_text(bundle["text/html"]))
    return (match.group(1), base64.b64decode(match.group(2))) if match else None


def _first(value, n: int):
    """fig-cap / fig-alt may be a list (one per figure of the cell)."""
    if isinstance(value, list):
        return str(value[n - 1]) if len(value) >= n else None
    return None if value is None else str(value)


def _image_bytes(mime: str, data) -> bytes:
    text = output_text(data)
    if mime == "image/svg+xml":
        return text.encode("utf-8")
    return base64.b64decode(text)


def _html_output(html: str) -> str:
    """HTML display data (e.g. a DataFrame): convert to Markdown so the PDF gets it too."""
    # lazy: pypandoc takes 60–90 ms to import (measured); only an HTML output needs it here
    import pypandoc

    try:
        return pypandoc.convert_text(html, "markdown-raw_html-native_divs-native_spans",
                                     format="html")
    except (RuntimeError, OSError):
        return f"```{{=html}}\n{html}\n```"


def _fenced(text: str) -> str:
    ticks = "`" * max(3, longest_run(text, "`") + 1)
    return f"{ticks}\n{text.rstrip()}\n{ticks}"


def longest_run(text: str, ch: str) -> int:
    runs = re.findall(re.escape(ch) + "+", text)
    return max((len(r) for r in runs), default=0)


def _longest_colon_run(text: str) -> int:
    runs = re.findall(r"^(:{3,})", text, re.M)
    return max([3, *(len(r) for r in runs)])


def _attr(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _plain(text: str) -> str:
    """Alt text is plain text: drop simple Markdown emphasis markers."""
    return re.sub(r"[*_`]", "", text).strip()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "fil"


def _normalise_meta(meta: dict) -> dict:
    meta = dict(meta)
    if "date" in meta:
        meta["date"] = _danish_date(meta["date"])
    lang = str(meta.get("lang") or "da")
    meta["lang"] = lang
    for key in ("title", "subtitle", "running-header"):
        if key in meta and meta[key] is not None:
            meta[key] = str(meta[key])
    return meta


def _danish_date(value) -> str:
    """ISO dates and Quarto's ``today`` as a long Danish date (like Quarto's lang: da)."""
    date = None
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    elif isinstance(value, str):
        text = value.strip()
        if text in ("today", "now", "last-modified"):
            date = dt.date.today()
        else:
            with contextlib.suppress(ValueError):
                date = dt.date.fromisoformat(text[:10]) if re.match(
                    r"^\d{4}-\d{2}-\d{2}", text) else None
    if date is None:
        return str(value)
    try:
        # lazy: babel.dates takes 40–140 ms to import (measured); only a dated front matter
        # needs it
        from babel.dates import format_date

        return format_date(date, format="long", locale="da_DK")
    except Exception:  # babel missing or without the locale: fall back to a plain form
        return f"{date.day}. {date.month}. {date.year}"


def with_figure_alt(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` in which a figure cell's ``fig-alt`` option is the alt text its outputs
    carry (output metadata ``fig-alt``, written by helhedsplan.figures.show from the data).

    Quarto takes alt text only from the cell option, which is fixed when the notebook is
    written; an alt text that describes this year's data is only known when it has run. So
    both renderers get it as the option, written here into the cell's ``#|`` lines.
    """
    nb = copy.deepcopy(nb)
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        alts = [str(out["metadata"]["fig-alt"]) for out in cell.get("outputs", [])
                if out.get("output_type") in ("display_data", "execute_result")
                and (out.get("metadata") or {}).get("fig-alt")]
        if not alts:
            continue
        opts, _ = cell_options(cell_source(cell), where=f"celle {number}")
        if not str(opts.get("label") or "").startswith("fig-"):
            continue
        opts["fig-alt"] = alts[0] if len(alts) == 1 else alts
        lines = cell_source(cell).split("\n")
        head = 0
        while head < len(lines) and _OPTION_LINE.match(lines[head]):
            head += 1
        # The options written again, each value as JSON (which is YAML), so every line is
        # valid whatever the text holds.
        written = [f"#| {key}: {json.dumps(value, ensure_ascii=False, default=str)}"
                   for key, value in opts.items()]
        cell.source = "\n".join([*written, *lines[head:]])
    return nb
