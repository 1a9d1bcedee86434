"""Render the executed report notebook to a self-contained HTML file and an A4 PDF.

Two renderers take the same executed notebook, so their content cannot drift apart:

* **Quarto** (when ``quarto`` is on PATH): ``quarto render <nb>.ipynb --to html`` and
  ``--to typst``, with the project's ``_quarto.yml``. An ``.ipynb`` is rendered with the
  outputs it has; Quarto only executes it when told ``--execute``, which we never pass.
* **The built-in renderer** (``indbygget``): notebook → one Markdown document plus figure
  files → pandoc (``pypandoc-binary``) → HTML5 with every resource embedded, and → Typst
  with ``assets/statusrapport.typ`` → PDF with ``typst`` (typst-py).

Notebook conventions (Quarto's): cell 0 is a raw cell with YAML front matter (``title``,
``subtitle``, ``date``, ``lang``, ``running-header``); code cells start with ``#|`` options
(``output: asis``, ``label: fig-…`` + ``fig-cap`` + ``fig-alt``, ``label: tbl-…`` +
``tbl-cap``); cells tagged ``parameters`` / ``injected-parameters`` produce nothing; stream
outputs are ignored; an ``error`` output means the notebook failed.

Outputs are written atomically: both files are made in temporary files in ``out_dir`` and
only moved into place when both exist, so a failed render never leaves a half-written
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
) -> list[Path]:
    """Render ``executed_notebook`` to ``out_dir/<basename>.html`` and ``.pdf``.

    ``renderer``: ``"auto"`` (Quarto if ``quarto`` is on PATH, otherwise built-in),
    ``"quarto"`` or ``"indbygget"``. ``quarto_project`` is the folder holding
    ``_quarto.yml`` (default: the project root). Returns ``[html, pdf]``.
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

    if renderer == "auto":
        renderer = "quarto" if shutil.which("quarto") else "indbygget"
    out_dir.mkdir(parents=True, exist_ok=True)
    if renderer == "quarto":
        return render_quarto(executed_notebook, out_dir, basename=basename,
                             project_dir=quarto_project)
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

    def markdown(self) -> str:
        meta = {k: self.metadata[k] for k in _PANDOC_META_KEYS if k in self.metadata}
        head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        return f"---\n{head}---\n\n{self.body}\n"


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
    body = _PAGEBREAK.sub(_PAGEBREAK_MARKDOWN, body)
    return Document(metadata=_normalise_meta(meta), body=body, files=files)


# Quarto's {{< pagebreak >}} shortcode, for both outputs.
_PAGEBREAK = re.compile(r"^[ \t]*\{\{<\s*pagebreak\s*>\}\}[ \t]*$", re.M)
_PAGEBREAK_MARKDOWN = (
    "```{=typst}\n#pagebreak(weak: true)\n```\n\n"
    '```{=html}\n<div class="sr-sideskift"></div>\n```'
)


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
            parts.append(_figure(opts, label, index, n_images, image_mime,
                                 data[image_mime], files))
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


def _figure(opts: dict, label: str, index: int, n: int, mime: str, data,
            files: dict[str, bytes]) -> str:
    stem = label if label else f"figur-{index}"
    if n > 1:
        stem = f"{stem}-{n}"
    fname = f"{_slug(stem)}.{_IMAGE_TYPES[mime]}"
    files[fname] = _image_bytes(mime, data)
    caption = _first(opts.get("fig-cap"), n)
    alt = _first(opts.get("fig-alt"), n) or caption
    attrs = []
    if label.startswith("fig-"):
        attrs.append(f"#{stem}")
    if alt:
        attrs.append(f'alt="{_attr(_plain(alt))}"')
    attr = "{" + " ".join(attrs) + "}" if attrs else ""
    cap = (caption or "").replace("\n", " ").strip()
    return f"![{cap}]({fname}){attr}"


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

# A pandoc Lua filter: Quarto-style callouts, table captions from tbl-cap, figure and
# table numbering and cross-references (@fig-…, @tbl-…), alt text in Typst, and Danish
# numbers right-aligned in tables.
_LUA_FILTER = r'''
local is_typst = FORMAT:match("typst") ~= nil
local is_html = FORMAT:match("html") ~= nil

local CALLOUT_TITLES = {
  note = "Bemærk", tip = "Tip", important = "Vigtigt",
  warning = "Advarsel", caution = "Forsigtig",
}

local function typst_inlines(inlines)
  local out = pandoc.write(pandoc.Pandoc({pandoc.Plain(inlines)}), "typst")
  return (out:gsub("%s+$", ""))
end

local function typst_string(s)
  s = s:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ")
  return '"' .. s .. '"'
end

local function callout_kind(div)
  for _, cls in ipairs(div.classes) do
    local kind = cls:match("^callout%-(%a+)$")
    if kind then return kind end
  end
  if div.classes:includes("callout") then return "note" end
  return nil
end

local function callout(div, kind)
  local title = nil
  local content = pandoc.List(div.content)
  if div.attributes["title"] then
    title = pandoc.read(div.attributes["title"], "markdown").blocks
    title = title[1] and title[1].content or pandoc.Inlines({})
  elseif content[1] and content[1].t == "Header" then
    title = content[1].content
    content:remove(1)
  else
    title = pandoc.Inlines({pandoc.Str(CALLOUT_TITLES[kind] or "Bemærk")})
  end
  if is_typst then
    local blocks = pandoc.List({pandoc.RawBlock("typst",
      '#sr-callout(kind: "' .. kind .. '", title: [' .. typst_inlines(title) .. '])[')})
    blocks:extend(content)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
  local head = pandoc.Div(pandoc.Plain(title), pandoc.Attr("", {"sr-callout-title"}))
  local body = pandoc.Div(content, pandoc.Attr("", {"sr-callout-body"}))
  local attrs = pandoc.Attr(div.identifier, {"sr-callout", "sr-callout-" .. kind},
                            {role = "note"})
  return pandoc.Div({head, body}, attrs)
end

local function table_div(div)
  local cap = div.attributes["tbl-cap"]
  local found = false
  local content = div.content:walk({
    Table = function(tbl)
      if found then return nil end
      found = true
      if cap then
        local blocks = pandoc.read(cap, "markdown").blocks
        local inl = blocks[1] and blocks[1].content or pandoc.Inlines({})
        tbl.caption = {long = pandoc.Blocks({pandoc.Plain(inl)}), short = nil}
      end
      tbl.identifier = div.identifier
      return tbl
    end,
  })
  if not found then return nil end
  return content
end

local function is_number(s)
  s = s:gsub("\u{00A0}", " "):gsub("\u{202F}", " "):gsub("\u{2212}", "-")
       :gsub("\u{2013}", "-")
  s = s:gsub("procentpoint", ""):gsub("pct%.", ""):gsub("pct", "")
       :gsub("pp%.", ""):gsub("kr%.", "")
  if not s:match("%d") then return nil end
  return s:match("^[%d%s%.,%%%+%-%(%)]+$") ~= nil
end

local function is_blank(s)
  s = s:gsub("%s", "")
  return s == "" or s == "-" or s == "\u{2013}" or s == "\u{2014}" or s == "…"
      or s == "x" or s == ".."
end

local function align_numbers(tbl)
  local ncols = #tbl.colspecs
  for col = 2, ncols do
    if tbl.colspecs[col][1] == "AlignDefault" then
      local numeric, seen = true, 0
      for _, body in ipairs(tbl.bodies) do
        for _, row in ipairs(body.body) do
          local cell = row.cells[col]
          if cell then
            local text = pandoc.utils.stringify(cell.contents)
            if not is_blank(text) then
              if is_number(text) then seen = seen + 1 else numeric = false end
            end
          end
        end
      end
      if numeric and seen > 0 then
        tbl.colspecs[col] = {"AlignRight", tbl.colspecs[col][2]}
      end
    end
  end
  return tbl
end

function Pandoc(doc)
  -- 1. callouts and table divs
  doc = doc:walk({
    Div = function(div)
      local kind = callout_kind(div)
      if kind then return callout(div, kind) end
      if div.identifier:match("^tbl%-") or div.attributes["tbl-cap"] then
        return table_div(div)
      end
      return nil
    end,
  })

  -- 2. number figures and tables in document order
  local numbers, nfig, ntbl = {}, 0, 0
  doc:walk({
    Figure = function(fig)
      if fig.identifier ~= "" and fig.content and #fig.caption.long > 0 then
        nfig = nfig + 1
        numbers[fig.identifier] = {"Figur", nfig}
      end
    end,
    Table = function(tbl)
      if tbl.identifier ~= "" and #tbl.caption.long > 0 then
        ntbl = ntbl + 1
        numbers[tbl.identifier] = {"Tabel", ntbl}
      end
    end,
  })

  -- 3. format-specific rewriting
  doc = doc:walk({
    Table = function(tbl)
      tbl = align_numbers(tbl)
      local num = numbers[tbl.identifier]
      if is_html and num and #tbl.caption.long > 0 then
        local first = tbl.caption.long[1]
        local prefix = pandoc.Inlines({pandoc.Str(num[1]), pandoc.Space(),
                                       pandoc.Str(num[2] .. ":"), pandoc.Space()})
        prefix:extend(first.content)
        tbl.caption.long[1] = pandoc.Plain(prefix)
      end
      if is_html then
        return pandoc.Div({tbl}, pandoc.Attr("", {"sr-tabel"}))
      end
      return tbl
    end,
    Figure = function(fig)
      local num = numbers[fig.identifier]
      if is_html and num then
        local first = fig.caption.long[1]
        if first then
          local prefix = pandoc.Inlines({pandoc.Str(num[1]), pandoc.Space(),
                                         pandoc.Str(num[2] .. ":"), pandoc.Space()})
          prefix:extend(first.content)
          fig.caption.long[1] = pandoc.Plain(prefix)
        end
      end
      if is_typst then
        -- pandoc's own figure code drops the alt text and pads the caption with a space;
        -- write the common case (one image, a caption) directly.
        local images = pandoc.List({})
        fig:walk({Image = function(img) images:insert(img) end})
        local cap = fig.caption.long[1]
        if #images == 1 and cap and #fig.caption.long == 1 then
          local img = images[1]
          local alt = img.attributes["alt"] or pandoc.utils.stringify(img.caption)
          local code = "#figure(image(" .. typst_string(img.src) .. ", alt: "
            .. typst_string(alt) .. "), caption: [" .. typst_inlines(cap.content) .. "])"
          if fig.identifier ~= "" then
            code = code .. " <" .. fig.identifier .. ">"
          else
            code = code:sub(1, -2) .. ", numbering: none)"  -- like Quarto: no label, no number
          end
          return pandoc.RawBlock("typst", code)
        end
        fig = fig:walk({
          Image = function(img)
            local alt = img.attributes["alt"] or pandoc.utils.stringify(img.caption)
            return pandoc.RawInline("typst", "#image(" .. typst_string(img.src)
              .. ", alt: " .. typst_string(alt) .. ")")
          end,
        })
      end
      return fig
    end,
    Cite = function(cite)
      local out = pandoc.Inlines({})
      for i, c in ipairs(cite.citations) do
        if i > 1 then out:insert(pandoc.Str(", ")) end
        local num = numbers[c.id]
        if num and is_typst then
          out:insert(pandoc.RawInline("typst", "@" .. c.id))
        elseif num then
          out:insert(pandoc.Link(num[1] .. " " .. num[2], "#" .. c.id))
        else
          out:insert(pandoc.Str("@" .. c.id))
        end
      end
      return out
    end,
  })
  return doc
end
'''


def render_builtin(executed_notebook: Path, out_dir: Path, *,
                   basename: str = "statusrapport") -> list[Path]:
    """Render with pandoc (HTML) and pandoc + typst-py (PDF); no Quarto needed."""
    nb = read_notebook(Path(executed_notebook))
    document = notebook_to_document(nb)
    lang, _, region = str(document.metadata.get("lang", "da")).replace("_", "-").partition("-")

    with tempfile.TemporaryDirectory(prefix="statusrapport-") as tmp:
        work = Path(tmp)
        for name, content in document.files.items():
            (work / name).write_bytes(content)
        (work / "rapport.md").write_text(document.markdown(), encoding="utf-8")
        (work / "filter.lua").write_text(_LUA_FILTER, encoding="utf-8")

        common = ["--from", "markdown", "--lua-filter", "filter.lua", "--resource-path", "."]
        html_args = [
            "rapport.md", *common, "--to", "html5", "--standalone", "--embed-resources",
            "--toc", "--toc-depth=3", "--number-sections", "--section-divs",
            "--css", str(CSS_FILE),
            "--metadata", "toc-title=Indhold",
            "--variable", 'include-before=<div class="sr-side">',
            "--variable", "include-after=</div>",
            "--output", "rapport.html",
        ]
        typst_args = [
            "rapport.md", *common, "--to", "typst", "--standalone",
            "--template", str(TYPST_TEMPLATE), "--toc", "--toc-depth=2",
            "--variable", f"sr-lang={lang.lower() or 'da'}",
            *(["--variable", f"sr-region={region.upper()}"] if region else []),
            "--output", "rapport.typ",
        ]
        # The two pandoc runs are independent: run them side by side.
        _run_pandoc_pair(work, [("HTML", html_args), ("Typst", typst_args)])

        html_bytes = (work / "rapport.html").read_bytes()
        pdf_bytes = _compile_typst(work / "rapport.typ", root=work)

    return _publish(out_dir, {f"{basename}.html": html_bytes, f"{basename}.pdf": pdf_bytes})


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


def _run_pandoc_pair(work: Path, jobs: list[tuple[str, list[str]]]) -> None:
    pandoc = _pandoc_path()
    procs = []
    try:
        for what, args in jobs:
            procs.append((what, subprocess.Popen(
                [pandoc, *args], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
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
        pdf = typst.compile(str(typ_file), root=str(root), font_paths=[],
                            ignore_system_fonts=True)
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


def render_quarto(executed_notebook: Path, out_dir: Path, *, basename: str = "statusrapport",
                  project_dir: Path | None = None) -> list[Path]:
    """Render with Quarto: ``quarto render <nb> --to html`` and ``--to typst``.

    The notebook is copied, as ``<basename>.ipynb``, into a fresh folder inside the Quarto
    project, so that ``_quarto.yml`` applies, the outputs get our names, and whatever
    Quarto leaves behind (``_files``, ``.quarto_ipynb``) goes away with the folder. The
    outputs are then moved into ``out_dir``. ``--output-dir`` is not used: for a single
    file in a project it recreates the file's folder below the output dir, and it is
    refused outside projects.
    """
    quarto = shutil.which("quarto")
    if not quarto:
        raise RenderError(
            "Quarto er ikke installeret (kommandoen 'quarto' findes ikke på PATH). "
            "Installer Quarto fra https://quarto.org, eller brug den indbyggede renderer "
            "(renderer='indbygget')."
        )
    project = Path(project_dir) if project_dir else _default_quarto_project()
    if not (project / "_quarto.yml").is_file():
        raise RenderError(f"Quarto-projektfilen mangler: {project / '_quarto.yml'}")
    read_notebook(Path(executed_notebook))  # fail early, in Danish, on a failed notebook

    build_root = _quarto_build_root(project, out_dir)
    build_root.mkdir(parents=True, exist_ok=True)
    with _temp_dir(build_root, prefix="quarto-byg-") as work:
        source = work / f"{basename}.ipynb"
        shutil.copyfile(executed_notebook, source)
        outputs = {}
        for to, suffix in (("html", ".html"), ("typst", ".pdf")):
            _run_quarto([quarto, "render", str(source), "--to", to], cwd=project)
            produced = work / f"{basename}{suffix}"
            if not produced.is_file():
                raise RenderError(
                    f"Quarto sagde ikke fra om en fejl, men {produced.name} blev ikke lavet."
                )
            outputs[produced.name] = produced
        return _publish(out_dir, outputs)


def _quarto_build_root(project: Path, out_dir: Path) -> Path:
    """Where the notebook copy is rendered: a folder Quarto counts as part of the project.

    ``quarto render <file>`` only uses ``_quarto.yml`` when the file is one of the
    project's input files, and Quarto leaves out everything below a folder whose name
    starts with ``.`` or ``_``. So the copy goes into ``out_dir`` when that lies visibly
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


def _run_quarto(cmd: list[str], *, cwd: Path) -> None:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                              encoding="utf-8", errors="replace")
    except OSError as exc:
        raise RenderError(f"Quarto kunne ikke startes ({cmd[0]}): {exc}") from exc
    if proc.returncode != 0:
        to = cmd[cmd.index("--to") + 1] if "--to" in cmd else "?"
        raise RenderError(
            f"Quarto fejlede under 'quarto render --to {to}' "
            f"(afslutningskode {proc.returncode}):\n{_tail(proc.stderr or proc.stdout)}"
        )


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
