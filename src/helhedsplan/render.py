"""Render the executed report notebook to a self-contained HTML file, an A4 PDF and Word.

Two renderers take the same executed notebook, so their content cannot drift apart:

* **Quarto** (when Quarto :data:`MIN_QUARTO` or newer is on PATH): ``quarto render
  <nb>.ipynb --to html``, ``--to typst`` and ``--to docx``, with the project's
  ``_quarto.yml`` (whose Typst template partials are the built-in renderer's own). An
  ``.ipynb`` is rendered with the outputs it has; Quarto only executes it when told
  ``--execute``, which we never pass.
* **The built-in renderer** (``indbygget``): notebook → one Markdown document plus figure
  files → pandoc (``pypandoc-binary``) → HTML5 with every resource embedded, → Word, and →
  Typst with ``assets/statusrapport.typ`` → PDF with ``typst`` (typst-py).

Both write the programs that made the files into the report's "Programmer og versioner"
table (:func:`with_tool_versions`), and both make Word from a copy whose SVG figures are
PNG (:func:`docx_notebook`) with the same reference document (:func:`reference_docx`).

Notebook conventions (Quarto's): cell 0 is a raw cell with YAML front matter (``title``,
``subtitle``, ``date``, ``lang``, ``running-header``); code cells start with ``#|`` options
(``output: asis``, ``label: fig-…`` + ``fig-cap`` + ``fig-alt``, ``label: tbl-…`` +
``tbl-cap``); cells tagged ``parameters`` / ``injected-parameters`` produce nothing; stream
outputs are ignored; an ``error`` output means the notebook failed.

Outputs are written atomically: all files are made in temporary files in ``out_dir`` and
only moved into place when all exist, so a failed render never leaves a half-written
report (and never replaces last year's good one with nothing).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
CSS_FILE = ASSETS_DIR / "statusrapport.css"
TYPST_TEMPLATE = ASSETS_DIR / "statusrapport.typ"

RENDERERS = ("auto", "quarto", "indbygget")

# Front-matter keys handed to pandoc. Quarto-only keys (format, execute, jupyter, …) are
# left out: pandoc would treat some of them as template variables.
_PANDOC_META_KEYS = (
    "title", "subtitle", "author", "date", "lang", "running-header",
    "abstract", "keywords", "description",
)
_SKIP_TAGS = {"parameters", "injected-parameters"}
_IMAGE_TYPES = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg"}
_TAIL_LINES = 25


class RenderError(Exception):
    """Rendering failed. The message is Danish and meant for the analyst."""


# --------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------


def render(
    executed_notebook: Path,
    out_dir: Path,
    *,
    basename: str = "statusrapport",
    renderer: str = "auto",
    quarto_project: Path | None = None,
    log=None,
) -> list[Path]:
    """Render ``executed_notebook`` to ``out_dir/<basename>.html``, ``.pdf`` and ``.docx``.

    ``renderer``: ``"auto"`` (Quarto if a supported version, :data:`MIN_QUARTO` or newer,
    is on PATH, otherwise built-in), ``"quarto"`` or ``"indbygget"``. ``log`` (a callable
    taking a Danish line) gets Quarto's warnings and why ``auto`` passed over Quarto.
    ``quarto_project`` is the folder holding ``_quarto.yml`` (default: the project root).
    Returns ``[html, pdf, docx]``.
    Raises :class:`RenderError` with a Danish message when anything fails.
    """
    executed_notebook = Path(executed_notebook)
    out_dir = Path(out_dir)
    if renderer not in RENDERERS:
        raise RenderError(
            f"Ukendt renderer {renderer!r}. Vælg en af: " + ", ".join(RENDERERS) + "."
        )
    if not basename or Path(basename).name != basename or basename.startswith("."):
        raise RenderError(f"Ugyldigt filnavn til rapporten: {basename!r}.")
    if not executed_notebook.is_file():
        raise RenderError(f"Den udførte notesbog findes ikke: {executed_notebook}")

    renderer = choose_renderer(renderer, log)
    out_dir.mkdir(parents=True, exist_ok=True)
    if renderer == "quarto":
        return render_quarto(executed_notebook, out_dir, basename=basename,
                             project_dir=quarto_project, log=log)
    return render_builtin(executed_notebook, out_dir, basename=basename)


# --------------------------------------------------------------------------------------
# Reading the notebook
# --------------------------------------------------------------------------------------


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
    return nb


def front_matter(nb: nbformat.NotebookNode) -> dict:
    """The YAML front matter of the first raw cell (Quarto's convention), or {}."""
    if not nb.cells or nb.cells[0].cell_type != "raw":
        return {}
    text = _source(nb.cells[0]).strip()
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


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _text(data) -> str:
    return "".join(data) if isinstance(data, list) else str(data)


def _markdown_cell(cell, index: int, files: dict[str, bytes]) -> str:
    text = _source(cell)
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
    text = _source(cell)
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
    opts, _ = cell_options(_source(cell), where=where)
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
            parts.append(_text(data["text/markdown"]))
        elif image_mime:
            n_images += 1
            parts.append(_figure(opts, label, index, n_images, image_mime, data, files))
        elif "text/html" in data:
            parts.append(_html_output(_text(data["text/html"])))
        elif "text/plain" in data:
            text = _text(data["text/plain"])
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
    phone = _phone_variant(bundle) if mime == "image/svg+xml" else None
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
# pandoc (:func:`_insert_phone_figures`), which spares pandoc parsing it (a third of its time).
PHONE_ATTR = "telefon"
_PHONE_PLACEHOLDER = "#sr-telefon/"


def _insert_phone_figures(html: bytes, files: dict[str, bytes]) -> bytes:
    for name, content in files.items():
        placeholder = f'srcset="{_PHONE_PLACEHOLDER}{name}"'.encode()
        if placeholder in html:
            uri = b"data:image/svg+xml;base64," + base64.b64encode(content)
            html = html.replace(placeholder, b'srcset="' + uri + b'"')
    return html
_PHONE_SOURCE = re.compile(
    r'<picture\b[^>]*>\s*<source\b[^>]*\bmedia="([^"]*)"[^>]*\bsrcset="data:image/svg\+xml;'
    r'base64,([A-Za-z0-9+/=]+)"')


def _phone_variant(bundle: dict) -> tuple[str, bytes] | None:
    """The phone figure (its media query and SVG) from a figure output's HTML, if any."""
    if "text/html" not in bundle:
        return None
    match = _PHONE_SOURCE.search(_text(bundle["text/html"]))
    return (match.group(1), base64.b64decode(match.group(2))) if match else None


def _first(value, n: int):
    """fig-cap / fig-alt may be a list (one per figure of the cell)."""
    if isinstance(value, list):
        return str(value[n - 1]) if len(value) >= n else None
    return None if value is None else str(value)


def _image_bytes(mime: str, data) -> bytes:
    text = _text(data)
    if mime == "image/svg+xml":
        return text.encode("utf-8")
    return base64.b64decode(text)


def _html_output(html: str) -> str:
    """HTML display data (e.g. a DataFrame): convert to Markdown so the PDF gets it too."""
    import pypandoc

    try:
        return pypandoc.convert_text(html, "markdown-raw_html-native_divs-native_spans",
                                     format="html")
    except (RuntimeError, OSError):
        return f"```{{=html}}\n{html}\n```"


def _fenced(text: str) -> str:
    ticks = "`" * max(3, _longest_run(text, "`") + 1)
    return f"{ticks}\n{text.rstrip()}\n{ticks}"


def _longest_run(text: str, ch: str) -> int:
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
        from babel.dates import format_date

        return format_date(date, format="long", locale="da_DK")
    except Exception:  # babel missing or without the locale: fall back to a plain form
        return f"{date.day}. {date.month}. {date.year}"


# --------------------------------------------------------------------------------------
# Built-in renderer: pandoc + typst
# --------------------------------------------------------------------------------------

def _lua_filter() -> str:
    """The built-in filter (assets/indbygget.lua) with the table module both renderers share
    (assets/tabeller.lua) bound to `tabeller`; inlined, so pandoc's --sandbox needs no file
    beyond the filter."""
    shared = (ASSETS_DIR / "tabeller.lua").read_text(encoding="utf-8")
    own = (ASSETS_DIR / "indbygget.lua").read_text(encoding="utf-8")
    return f"local tabeller = (function()\n{shared}\nend)()\n{own}"


def render_builtin(executed_notebook: Path, out_dir: Path, *,
                   basename: str = "statusrapport") -> list[Path]:
    """Render with pandoc (HTML, Word) and pandoc + typst-py (PDF); no Quarto needed."""
    nb = with_figure_alt(with_tool_versions(read_notebook(Path(executed_notebook)),
                                            builtin_tool_versions()))
    document = notebook_to_document(nb)
    word = notebook_to_document(docx_notebook(nb))

    stamp = _source_date()
    with tempfile.TemporaryDirectory(prefix="statusrapport-") as tmp:
        work = Path(tmp)
        for name, content in document.files.items():
            (work / name).write_bytes(content)
        (work / "rapport.md").write_text(document.markdown(), encoding="utf-8")
        (work / "filter.lua").write_text(_lua_filter(), encoding="utf-8")
        reference_docx(work / "reference.docx")
        # HTML and Word get their figures as data: URIs, which pandoc takes in --sandbox
        (work / "rapport-html.md").write_text(document.markdown(inline_files=True),
                                              encoding="utf-8")
        (work / "rapport-docx.md").write_text(word.markdown(inline_files=True),
                                              encoding="utf-8")
        (work / "hoved.html").write_text(_html_head(), encoding="utf-8")

        # --sandbox: pandoc reads no file and fetches no URL beyond those named here, whatever
        # the document (which holds the analyst's text) refers to.
        common = ["--from", "markdown", "--lua-filter", "filter.lua", "--sandbox"]
        html_args = [
            "rapport-html.md", *common, "--to", "html5", "--standalone", "--embed-resources",
            "--toc", "--toc-depth=3", "--number-sections", "--section-divs",
            "--include-in-header", "hoved.html",
            # The CSS comes in hoved.html, not --css, so pandoc would add its own default
            # styles (narrow body, hyphenation, scrolling block tables): keep them out.
            "--metadata", "document-css=false",
            "--metadata", "toc-title=Indhold",
            "--variable", 'include-before=<div class="sr-side">',
            "--variable", "include-after=</div>",
            "--output", "rapport.html",
        ]
        typst_args = [
            "rapport.md", *common, "--to", "typst", "--standalone",
            "--template", str(TYPST_TEMPLATE), "--toc", "--toc-depth=2",
            "--metadata", f"creation-timestamp={stamp}",
            "--output", "rapport.typ",
        ]
        docx_args = [
            "rapport-docx.md", *common, "--to", "docx", "--number-sections",
            "--reference-doc", "reference.docx", "--output", "rapport.docx",
        ]
        # The pandoc runs are independent: run them side by side.
        _run_pandoc_pair(work, [("HTML", html_args), ("Typst", typst_args),
                                ("Word", docx_args)], env=_tool_env(stamp))

        html_bytes = _insert_phone_figures((work / "rapport.html").read_bytes(),
                                           document.files)
        docx_bytes = (work / "rapport.docx").read_bytes()
        pdf_bytes = _compile_typst(work / "rapport.typ", root=work)

    return _publish(out_dir, {f"{basename}.html": html_bytes, f"{basename}.pdf": pdf_bytes,
                              f"{basename}.docx": docx_bytes})


# --------------------------------------------------------------------------------------
# Word (both renderers)
# --------------------------------------------------------------------------------------


def docx_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` for Word: SVG figures become PNG (Word and pandoc's docx writer need
    a bitmap; Quarto and pandoc would otherwise ask for rsvg-convert). Typst rasterises."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if "image/svg+xml" in data and "image/png" not in data:
                png = _svg_to_png(_text(data.pop("image/svg+xml")).encode("utf-8"))
                data["image/png"] = base64.b64encode(png).decode("ascii")
    return nb


def _svg_to_png(svg: bytes, ppi: int = 200) -> bytes:
    import typst

    with tempfile.TemporaryDirectory(prefix="svg-png-") as tmp:
        folder = Path(tmp)
        (folder / "figur.svg").write_bytes(svg)
        shutil.copyfile(WORD_ASSETS / "figur.typ", folder / "figur.typ")
        try:
            return bytes(typst.compile(str(folder / "figur.typ"), root=str(folder),
                                       format="png", ppi=ppi, font_paths=[],
                                       ignore_system_fonts=True))
        except Exception as exc:  # typst.TypstError and friends
            raise RenderError(f"En figur kunne ikke gøres klar til Word:\n{_tail(str(exc))}") \
                from exc


WORD_ASSETS = ASSETS_DIR / "word"
_XML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BETWEEN_TAGS = re.compile(r">\s+<")


def _word_xml(name: str) -> bytes:
    """An XML part or fragment from assets/word/, without its comments and the indentation
    between its tags (both there for the reader: Word reads the text inside elements, so no
    element there may hold only spaces)."""
    text = _XML_COMMENT.sub("", (WORD_ASSETS / name).read_text(encoding="utf-8"))
    return _BETWEEN_TAGS.sub("><", text.strip()).encode("utf-8")


def reference_docx(dest: Path) -> Path:
    """Write the Word reference document (styles and page) both renderers use.

    pandoc's own reference.docx, with: Danish as the document language, 10,5 pt text, the
    report's blue in the headings, 9 pt in tables (edits of pandoc's styles.xml, here), and
    A4 with the PDF's margins and a footer "Side x af y" (the parts in assets/word/). Made
    from pandoc's file each time, so nothing binary is committed.
    """
    import zipfile

    from . import reproducible

    stamp = _source_date()
    try:
        proc = subprocess.run([_pandoc_path(), "--print-default-data-file", "reference.docx"],
                              capture_output=True, check=False, env=_tool_env(stamp))
    except OSError as exc:
        raise RenderError(f"Pandoc kunne ikke startes: {exc}") from exc
    data = proc.stdout
    if proc.returncode != 0 or not data.startswith(b"PK"):
        raise RenderError("Pandoc fejlede, da Word-skabelonen (reference.docx) skulle laves:\n"
                          + _tail(proc.stderr))
    import io

    section = _word_xml("sektion.xml").decode("utf-8")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "word/styles.xml":
                text = content.decode("utf-8")
                text = re.sub(r'<w:lang w:val="[^"]*"', '<w:lang w:val="da-DK"', text)
                # 10,5 pt text: the document's default size, in half-points
                text = re.sub(r'(<w:rPrDefault>.*?<w:sz w:val=")24(" />\s*<w:szCs w:val=")24"',
                              r'\g<1>21\g<2>21"', text, count=1, flags=re.S)
                text = re.sub(r'w:val="(4F81BD|365F91|345A8A)"', 'w:val="1F4E79"', text)
                # Tables in 9 pt, as in the PDF: six or seven columns of 10,5 pt text broke
                # words in the middle ("afdelingsm|øderne").
                # (rPr before tblPr: the order the Office Open XML schema requires)
                text = re.sub(r'(<w:style w:type="table" w:default="1" w:styleId="Table">.*?)'
                              r'(<w:tblPr>)', r'\1<w:rPr><w:sz w:val="18" /><w:szCs w:val="18" />'
                              r'</w:rPr>\2', text, count=1, flags=re.S)
                content = text.encode("utf-8")
            elif item.filename == "word/document.xml":
                text = content.decode("utf-8")
                text = re.sub(r"<w:sectPr>.*?</w:sectPr>", lambda _: section, text, flags=re.S)
                content = text.encode("utf-8")
            elif item.filename == "word/_rels/document.xml.rels":
                content = content.replace(b"</Relationships>",
                                          _word_xml("footer1-relation.xml") + b"</Relationships>")
            elif item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", _word_xml("footer1-type.xml") + b"</Types>")
            # a fixed time, not the clock: pandoc copies the entries' times into the .docx
            dst.writestr(reproducible.zip_entry(item.filename, stamp), content)
        dst.writestr(reproducible.zip_entry("word/footer1.xml", stamp), _word_xml("footer1.xml"))
    dest.write_bytes(out.getvalue())
    return dest


def _html_head() -> str:
    """The <head> additions (assets/indbygget-hoved.html): the Content-Security-Policy first,
    then the project's CSS in place of ``{css}``.

    The built-in HTML needs no script and nothing from outside the file: the policy tells the
    browser so, as a second wall behind the sanitising of the analyst's text."""
    head = (ASSETS_DIR / "indbygget-hoved.html").read_text(encoding="utf-8")
    return head.replace("{css}", CSS_FILE.read_text(encoding="utf-8"))


def _pandoc_path() -> str:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:
        found = shutil.which("pandoc")
        if found:
            return found
        raise RenderError(
            "Pandoc blev ikke fundet. Installer pakken 'pypandoc-binary' "
            "(pip install -r requirements.txt)."
        ) from exc


def _run_pandoc_pair(work: Path, jobs: list[tuple[str, list[str]]],
                     env: dict[str, str] | None = None) -> None:
    pandoc = _pandoc_path()
    procs = []
    try:
        for what, args in jobs:
            procs.append((what, subprocess.Popen(
                [pandoc, *args], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=env,
            )))
    except OSError as exc:
        for _, p in procs:
            p.kill()
        raise RenderError(f"Pandoc kunne ikke startes ({pandoc}): {exc}") from exc
    failures = []
    for what, proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            failures.append(
                f"Pandoc fejlede under konvertering til {what} "
                f"(afslutningskode {proc.returncode}):\n{_tail(err)}"
            )
    if failures:
        raise RenderError("\n\n".join(failures))


def _compile_typst(typ_file: Path, *, root: Path) -> bytes:
    try:
        import typst
    except ImportError as exc:
        raise RenderError(
            "Pakken 'typst' mangler, så PDF'en kan ikke laves "
            "(pip install -r requirements.txt)."
        ) from exc
    try:
        from . import reproducible

        # The PDF's creation date and document id come from the report date, not the clock.
        # PDF/UA-1: Typst refuses to write a file that breaks the standard's rules (a
        # figure without alt text, a document without title or language), so a PDF that
        # is written is tagged, titled, in Danish and read in page order.
        pdf = typst.compile(str(typ_file), root=str(root), font_paths=[],
                            timestamp=reproducible.epoch(),
                            ignore_system_fonts=True, pdf_standards=["ua-1"])
    except Exception as exc:  # typst.TypstError and friends
        raise RenderError(
            f"Typst kunne ikke lave PDF'en:\n{_tail(str(exc))}"
        ) from exc
    if not pdf:
        raise RenderError("Typst lavede en tom PDF.")
    return bytes(pdf)


# --------------------------------------------------------------------------------------
# Quarto renderer
# --------------------------------------------------------------------------------------


# The oldest Quarto the project supports: 1.10 is the version the tests run against (the
# project's own Typst template partials, callouts without the Font Awesome download, the
# ipynb cell handling all rely on it). An older Quarto is not used by `auto`.
MIN_QUARTO = (1, 10)
_QUARTO_FORMATS = (("html", ".html"), ("typst", ".pdf"), ("docx", ".docx"))


def quarto_version(quarto: str) -> tuple[int, ...] | None:
    """``quarto --version`` as a tuple (1, 10, 18), or None if it cannot be run or read."""
    try:
        proc = subprocess.run([quarto, "--version"], capture_output=True, text=True,
                              timeout=60, encoding="utf-8", errors="replace")
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", proc.stdout or "")
    if proc.returncode != 0 or not match:
        return None
    return tuple(int(g) for g in match.groups() if g is not None)


def _version_text(version: tuple[int, ...] | None) -> str:
    return ".".join(map(str, version)) if version else "ukendt version"


def choose_renderer(renderer: str, log=None) -> str:
    """Resolve ``auto``: Quarto when a supported version is on PATH, else the built-in one."""
    if renderer != "auto":
        return renderer
    quarto = shutil.which("quarto")
    if not quarto:
        return "indbygget"
    version = quarto_version(quarto)
    if version is not None and version >= MIN_QUARTO:
        return "quarto"
    if log:
        log(f"Quarto på PATH ({quarto}, {_version_text(version)}) er ældre end "
            f"{_version_text(MIN_QUARTO)}, som rapporten kræver; bruger den indbyggede "
            "renderer. Opdater Quarto for at bruge den.")
    return "indbygget"


def render_quarto(executed_notebook: Path, out_dir: Path, *, basename: str = "statusrapport",
                  project_dir: Path | None = None, log=None) -> list[Path]:
    """Render with Quarto: ``quarto render <nb> --to html``, ``--to typst`` and ``--to docx``
    (with the same Word reference document as the built-in renderer).

    Each format renders its own copy of the notebook, as ``<basename>.ipynb``, in a fresh
    folder inside the Quarto project, so that ``_quarto.yml`` applies, the outputs get our
    names, the three renders can run side by side, and whatever Quarto leaves behind
    (``_files``, ``.quarto_ipynb``, a new ``.quarto``) goes away afterwards. The outputs are
    then moved into ``out_dir``. ``--output-dir`` is not used: for a single file in a
    project it recreates the file's folder below the output dir.
    Warnings Quarto prints are passed to ``log``; a failure raises :class:`RenderError`
    with Quarto's own error lines.
    """
    quarto = shutil.which("quarto")
    if not quarto:
        raise RenderError(
            "Quarto er ikke installeret (kommandoen 'quarto' findes ikke på PATH). "
            "Installer Quarto fra https://quarto.org, eller brug den indbyggede renderer "
            "(renderer='indbygget')."
        )
    version = quarto_version(quarto)
    if version is None or version < MIN_QUARTO:
        raise RenderError(
            f"Quarto på PATH ({quarto}, {_version_text(version)}) er for gammel: rapporten "
            f"kræver Quarto {_version_text(MIN_QUARTO)} eller nyere. Opdater Quarto, eller "
            "brug den indbyggede renderer (renderer='indbygget')."
        )
    project = Path(project_dir) if project_dir else _default_quarto_project()
    if not (project / "_quarto.yml").is_file():
        raise RenderError(f"Quarto-projektfilen mangler: {project / '_quarto.yml'}")
    nb = read_notebook(Path(executed_notebook))  # fail early, in Danish, on a failed notebook
    nb = with_figure_alt(without_run_bookkeeping(
        with_tool_versions(nb, quarto_tool_versions(quarto, version))))
    stamp = _source_date()

    build_root = _quarto_build_root(project, out_dir)
    had_build_root = build_root.exists()
    had_quarto_dir = (project / ".quarto").exists()
    build_root.mkdir(parents=True, exist_ok=True)
    try:
        with _temp_dir(build_root, prefix="quarto-byg-") as work:
            jobs = []
            for to, suffix in _QUARTO_FORMATS:
                folder = work / to
                folder.mkdir()
                source = folder / f"{basename}.ipynb"
                # creation-timestamp: the PDF's date (statusrapport-stil.typ); Quarto runs
                # typst without --creation-timestamp, and not every Typst reads the environment.
                cmd = [quarto, "render", str(source), "--to", to,
                       "--metadata", f"creation-timestamp:{stamp}"]
                if to != "docx":
                    # Quarto hands arguments it does not know to pandoc (it has no YAML option
                    # for them): pandoc then reads no file and fetches no URL that the document,
                    # which holds the analyst's text, names. Not for Word: Quarto writes the
                    # notebook's figures (and its callout icon) as files that the docx writer
                    # must read, and --sandbox would leave them out. The analyst's text cannot
                    # name a file there either: comments.py lets no image through.
                    cmd.append("--sandbox")
                if to == "docx":
                    nbformat.write(docx_notebook(quarto_figures(nb, to)), source)
                    cmd += ["--reference-doc", str(reference_docx(work / "reference.docx"))]
                else:
                    nbformat.write(quarto_figures(nb, to), source)
                jobs.append((to, cmd, folder / f"{basename}{suffix}"))
            _run_quarto_jobs(jobs, cwd=project, log=log, env=_tool_env(stamp))
            return _publish(out_dir, {produced.name: produced for _, _, produced in jobs})
    finally:
        if not had_quarto_dir:
            shutil.rmtree(project / ".quarto", ignore_errors=True)
        if not had_build_root:
            with contextlib.suppress(OSError):
                build_root.rmdir()


# Per-cell records of the run that Quarto would copy into the output as attributes
# (data-execution_count, data-quarto-private-1 holding papermill's status, data-tags="[]"). A
# table cell's attributes pass through a Lua table in Quarto's float code, whose key order
# changes from run to run: with more than one of them, the HTML was not byte-identical.
_RUN_METADATA = ("papermill", "execution", "ExecuteTime", "collapsed", "scrolled")


def without_run_bookkeeping(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without execution counts and the cells' run metadata (papermill's
    status, empty tag lists): none of it is part of the report."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for key in _RUN_METADATA:
            cell.metadata.pop(key, None)
        if not cell.metadata.get("tags", True):
            cell.metadata.pop("tags")
        if cell.cell_type == "code":
            cell.execution_count = None
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = None
    return nb


def _source_date() -> int:
    """The time every output is dated by (SOURCE_DATE_EPOCH, which the pipeline sets from the
    report date; a fixed date without it): never the clock."""
    from . import reproducible

    return reproducible.epoch()


def _tool_env(stamp: int) -> dict[str, str]:
    """The environment for pandoc and Quarto: SOURCE_DATE_EPOCH set, so pandoc dates the Word
    file by it and the Typst CLI the PDF (both honour it), also when render() is called on its
    own."""
    from . import reproducible

    return dict(os.environ, **{reproducible.ENV: str(stamp)})


def quarto_figures(nb: nbformat.NotebookNode, to: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose two-size figures (helhedsplan.figures.show) Quarto renders as
    the built-in renderer does: in the HTML the <picture> (print and phone figure), elsewhere
    the print SVG.

    The <picture> goes to Quarto as Markdown holding raw HTML, not as ``text/html``: any
    ``text/html`` output makes Quarto add require.js and jQuery from a CDN to the page (for
    JavaScript widgets), which a report that opens offline must not have. Quarto prefers
    Markdown to SVG, so only the HTML copy gets it; the others keep the SVG alone.
    """
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if "text/html" not in data or not _phone_variant(data):
                continue
            html = _text(data.pop("text/html"))
            if to == "html":
                fence = "`" * max(3, _longest_run(html, "`") + 1)
                out["data"] = {"text/markdown": f"{fence}{{=html}}\n{html}\n{fence}\n"}
    return nb


def quarto_tool_versions(quarto: str, version: tuple[int, ...]) -> list[list[str]]:
    """What made the files on the Quarto path: Quarto with the pandoc and Typst it runs."""
    rows = [["Quarto", _version_text(version)]]
    procs = []
    for tool in ("pandoc", "typst"):
        try:
            procs.append((tool, subprocess.Popen(
                [quarto, tool, "--version"], stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace")))
        except OSError:
            continue
    for tool, proc in procs:
        try:
            out, _ = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            out = ""
        match = re.search(r"\b(\d+\.\d+(?:\.\d+)*)", out or "")
        name = {"pandoc": "pandoc", "typst": "Typst"}[tool]
        rows.append([f"{name} (i Quarto)", match.group(1) if match else "ukendt"])
    return rows


def builtin_tool_versions() -> list[list[str]]:
    """What made the files on the built-in path: pandoc (pypandoc-binary) and typst-py."""
    from importlib.metadata import PackageNotFoundError, version

    rows = []
    try:
        import pypandoc

        pandoc = pypandoc.get_pandoc_version()
    except (ImportError, OSError, RuntimeError):
        pandoc = "ukendt"
    try:
        rows.append(["pandoc", f"{pandoc} (pypandoc-binary {version('pypandoc-binary')})"])
    except PackageNotFoundError:
        rows.append(["pandoc", pandoc])
    try:
        rows.append(["typst (typst-py)", version("typst")])
    except PackageNotFoundError:
        pass
    return rows


# The report's "Programmer og versioner" table (a cell labelled so): the renderer adds the
# programs that made the files, which only it knows.
PROVENANCE_LABEL = "tbl-programmer"


def with_tool_versions(nb: nbformat.NotebookNode, rows: list[list[str]]) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose provenance table also lists ``rows`` (the rendering tools)."""
    import copy

    nb = copy.deepcopy(nb)
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        opts, _ = cell_options(_source(cell), where=f"celle {number}")
        if opts.get("label") != PROVENANCE_LABEL:
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data:
                table = _text(data["text/markdown"]).rstrip("\n")
                extra = "".join(f"\n| {name} | {ver} |" for name, ver in rows)
                data["text/markdown"] = table + extra + "\n"
                return nb
    return nb


def with_figure_alt(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` in which a figure cell's ``fig-alt`` option is the alt text its outputs
    carry (output metadata ``fig-alt``, written by helhedsplan.figures.show from the data).

    Quarto takes alt text only from the cell option, which is fixed when the notebook is
    written; an alt text that describes this year's data is only known when it has run. So
    both renderers get it as the option, written here into the cell's ``#|`` lines.
    """
    import copy
    import json

    nb = copy.deepcopy(nb)
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        alts = [str(out["metadata"]["fig-alt"]) for out in cell.get("outputs", [])
                if out.get("output_type") in ("display_data", "execute_result")
                and (out.get("metadata") or {}).get("fig-alt")]
        if not alts:
            continue
        opts, _ = cell_options(_source(cell), where=f"celle {number}")
        if not str(opts.get("label") or "").startswith("fig-"):
            continue
        opts["fig-alt"] = alts[0] if len(alts) == 1 else alts
        lines = _source(cell).split("\n")
        head = 0
        while head < len(lines) and _OPTION_LINE.match(lines[head]):
            head += 1
        # The options written again, each value as JSON (which is YAML), so every line is
        # valid whatever the text holds.
        written = [f"#| {key}: {json.dumps(value, ensure_ascii=False, default=str)}"
                   for key, value in opts.items()]
        cell.source = "\n".join([*written, *lines[head:]])
    return nb


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Quarto's "WARN:", pandoc's "[WARNING]", Typst's "warning:"
_WARNING = re.compile(r"^\s*(\[?WARN(ING)?\b|warning:)", re.I)
# Not worth the analyst's attention: with pdf-standard set, Quarto offers a second check by
# veraPDF when it is installed. Typst has already refused to write a PDF that breaks PDF/UA-1.
_NOT_A_PROBLEM = re.compile(r"PDF standard validation requested but verapdf is not installed")


def quarto_messages(stderr: str) -> list[str]:
    """Quarto's own lines from its stderr, without the pandoc options and metadata it dumps.

    Quarto prints a ``pandoc`` and a ``metadata`` heading, each followed by indented
    ``key: value`` lines; those (and blank lines) are left out.
    """
    kept, in_dump = [], False
    for raw in (stderr or "").splitlines():
        line = _ANSI.sub("", raw).rstrip()
        if line.strip() in ("pandoc", "metadata") and not line.startswith(" "):
            in_dump = True
            continue
        if in_dump and (not line.strip() or line.startswith(" ")):
            continue
        in_dump = False
        if line.strip():
            kept.append(line)
    return kept


def _run_quarto_jobs(jobs: list[tuple[str, list[str], Path]], *, cwd: Path, log=None,
                     env: dict[str, str] | None = None) -> None:
    procs = []
    try:
        for to, cmd, produced in jobs:
            procs.append((to, produced, subprocess.Popen(
                cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                encoding="utf-8", errors="replace", env=env)))
    except OSError as exc:
        for _, _, p in procs:
            p.kill()
        raise RenderError(f"Quarto kunne ikke startes ({jobs[0][1][0]}): {exc}") from exc
    failures = []
    for to, produced, proc in procs:
        out, err = proc.communicate()
        lines = quarto_messages((err or "") + "\n" + (out or ""))
        if proc.returncode != 0:
            failures.append(
                f"Quarto fejlede under 'quarto render --to {to}' "
                f"(afslutningskode {proc.returncode}):\n"
                + ("\n".join(lines[-_TAIL_LINES:]) or "(ingen fejltekst)")
            )
            continue
        warnings = [line for line in lines
                    if _WARNING.match(line) and not _NOT_A_PROBLEM.search(line)]
        if warnings and log:
            log(f"Quarto advarede under 'quarto render --to {to}':\n" + "\n".join(warnings))
        if not produced.is_file():
            failures.append(
                f"Quarto sagde ikke fra om en fejl, men {produced.name} blev ikke lavet."
            )
    if failures:
        raise RenderError("\n\n".join(failures))


def _quarto_build_root(project: Path, out_dir: Path) -> Path:
    """Where the notebook copies are rendered: a folder Quarto counts as part of the project.

    ``quarto render <file>`` only uses ``_quarto.yml`` when the file is one of the
    project's input files, and Quarto leaves out everything below a folder whose name
    starts with ``.`` or ``_``. So the copies go into ``out_dir`` when that lies visibly
    inside the project (``reports/<år>/``, which git ignores), else into ``reports/``.
    """
    project = project.resolve()
    try:
        rel = Path(out_dir).resolve().relative_to(project)
    except ValueError:
        rel = None
    if rel is not None and not any(part.startswith((".", "_")) for part in rel.parts):
        return project / rel
    return project / "reports"


def _default_quarto_project() -> Path:
    try:
        from helhedsplan import paths

        return paths.QUARTO_PROJECT.parent
    except ImportError:
        return Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def _temp_dir(parent: Path, prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------


def _publish(out_dir: Path, outputs: dict[str, bytes | Path]) -> list[Path]:
    """Write every output to a temp file in out_dir first, then move them all into place.

    If anything fails before the last ``os.replace``, the temp files are removed and the
    previous report (if any) is left as it was.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, content in outputs.items():
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            tmp = Path(tmp_name)
            staged.append((tmp, out_dir / name))
            with os.fdopen(fd, "wb") as fh:
                if isinstance(content, Path):
                    with open(content, "rb") as src:
                        shutil.copyfileobj(src, fh)
                else:
                    fh.write(content)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is meant to be read
        for tmp, final in staged:
            os.replace(tmp, final)
    except OSError as exc:
        raise RenderError(f"Rapporten kunne ikke gemmes i {out_dir}: {exc}") from exc
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    return [final for _, final in staged]


def _tail(text: bytes | str | None, lines: int = _TAIL_LINES) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    kept = text.strip().splitlines()[-lines:]
    return "\n".join(kept) if kept else "(ingen fejltekst)"
