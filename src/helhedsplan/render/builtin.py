"""The built-in engine: notebook → Markdown → pandoc → HTML and Word, and → Typst → PDF.

Needs nothing beyond the Python packages: pandoc from ``pypandoc-binary`` makes self-contained
HTML5 (every resource embedded), Word (finished by :mod:`.word_layout`), and Typst with
``assets/statusrapport.typ``, which ``typst`` (typst-py) makes a PDF/UA-1 of. pandoc runs with
the filter ``assets/indbygget.lua`` and in ``--sandbox``.
"""

from __future__ import annotations

import base64
import subprocess
import tempfile
from pathlib import Path

from ..paths import ASSETS_DIR
from .notebook import notebook_to_document, read_notebook, with_figure_alt
from .provenance import builtin_tool_versions, with_tool_versions
from .tools import RenderError, pandoc_path, publish, source_date, tail, tool_env
from .word import docx_notebook, reference_docx
from .word_layout import finish as finish_docx

CSS_FILE = ASSETS_DIR / "statusrapport.css"
TYPST_TEMPLATE = ASSETS_DIR / "statusrapport.typ"


def _lua_filter() -> str:
    """The built-in filter (assets/indbygget.lua) with the table module both renderers share
    (assets/tabeller.lua) bound to `tabeller`; inlined, so pandoc's --sandbox needs no file
    beyond the filter."""
    shared = (ASSETS_DIR / "tabeller.lua").read_text(encoding="utf-8")
    own = (ASSETS_DIR / "indbygget.lua").read_text(encoding="utf-8")
    return f"local tabeller = (function()\n{shared}\nend)()\n{own}"


def render_builtin(executed_notebook: Path, out_dir: Path, *,
                   basename: str = "statusrapport") -> list[Path]:
    """Render with pandoc (HTML, Word) and pandoc + typst-py (PDF); no Quarto needed.

    The work overlaps, as a changed comment waits for it: the HTML and Typst conversions start
    first; while they run, the Word file's figures become PNG; then the Word conversion starts,
    and Typst makes the PDF as soon as its conversion is done."""
    nb = with_figure_alt(with_tool_versions(read_notebook(Path(executed_notebook)),
                                            builtin_tool_versions()))
    document = notebook_to_document(nb)

    stamp = source_date()
    env = tool_env(stamp)
    with tempfile.TemporaryDirectory(prefix="statusrapport-") as tmp:
        work = Path(tmp)
        for name, content in document.files.items():
            (work / name).write_bytes(content)
        (work / "rapport.md").write_text(document.markdown(), encoding="utf-8")
        (work / "filter.lua").write_text(_lua_filter(), encoding="utf-8")
        # HTML and Word get their figures as data: URIs, which pandoc takes in --sandbox
        (work / "rapport-html.md").write_text(document.markdown(inline_files=True),
                                              encoding="utf-8")
        (work / "hoved.html").write_text(_html_head(), encoding="utf-8")

        # --sandbox: pandoc reads no file and fetches no URL beyond those named here, whatever
        # the document (which holds the analyst's text) refers to.
        common = ["--from", "markdown", "--lua-filter", "filter.lua", "--sandbox"]
        # No --embed-resources: under --sandbox pandoc can embed nothing that is not a data: URI
        # already (the figures), and re-encoding them took 0,7 s of CPU; nothing else refers
        # outside the file (the Content-Security-Policy forbids it too). --wrap=none: a tag on
        # one line, as --embed-resources wrote it.
        html_args = [
            "rapport-html.md", *common, "--to", "html5", "--standalone", "--wrap=none",
            "--toc", "--toc-depth=3", "--number-sections", "--section-divs",
            "--include-in-header", "hoved.html",
            # The CSS comes in hoved.html, not --css, so pandoc would add its own default
            # styles (narrow body, hyphenation, scrolling block tables): keep them out.
            "--metadata", "document-css=false",
            "--metadata", "toc-title=Indhold",
            # the report is the page's main landmark (title, contents and text)
            "--variable", 'include-before=<main class="sr-side">',
            "--variable", "include-after=</main>",
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
            "--toc", "--toc-depth=2", "--metadata", "toc-title=Indhold",
            "--reference-doc", "reference.docx", "--output", "rapport.docx",
        ]
        with _Pandoc(work, env) as pandoc:
            pandoc.start("HTML", html_args)
            pandoc.start("Typst", typst_args)
            word = notebook_to_document(docx_notebook(nb))
            reference_docx(work / "reference.docx")
            (work / "rapport-docx.md").write_text(word.markdown(inline_files=True),
                                                  encoding="utf-8")
            pandoc.start("Word", docx_args)
            pandoc.wait("Typst")
            pdf_bytes = _compile_typst(work / "rapport.typ", root=work)
            pandoc.wait("HTML")
            html_bytes = _insert_phone_figures((work / "rapport.html").read_bytes(),
                                               document.files)
            pandoc.wait("Word")
            # pandoc in --sandbox dates the file 1970: finish_docx dates it by the report date
            docx_bytes = finish_docx((work / "rapport.docx").read_bytes(), stamp)

    return publish(out_dir, {f"{basename}.html": html_bytes, f"{basename}.pdf": pdf_bytes,
                             f"{basename}.docx": docx_bytes})


def _html_head() -> str:
    """The <head> additions (assets/indbygget-hoved.html): the Content-Security-Policy first,
    then the project's CSS in place of ``{css}``.

    The built-in HTML needs no script and nothing from outside the file: the policy tells the
    browser so, as a second wall behind the sanitising of the analyst's text."""
    head = (ASSETS_DIR / "indbygget-hoved.html").read_text(encoding="utf-8")
    return head.replace("{css}", CSS_FILE.read_text(encoding="utf-8"))


class _Pandoc:
    """pandoc runs side by side in `work`: start one, wait for one; leaving the block (also
    by an error) stops those still running. A failed run is a RenderError with pandoc's own
    last lines."""

    def __init__(self, work: Path, env: dict[str, str] | None = None):
        self.work, self.env, self.running = work, env, {}

    def __enter__(self) -> _Pandoc:
        return self

    def __exit__(self, *exc) -> None:
        for proc in self.running.values():
            proc.kill()
            proc.communicate()

    def start(self, what: str, args: list[str]) -> None:
        pandoc = pandoc_path()
        try:
            self.running[what] = subprocess.Popen(
                [pandoc, *args], cwd=self.work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=self.env)
        except OSError as exc:
            raise RenderError(f"Pandoc kunne ikke startes ({pandoc}): {exc}") from exc

    def wait(self, what: str) -> None:
        proc = self.running.pop(what)
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise RenderError(f"Pandoc fejlede under konvertering til {what} "
                              f"(afslutningskode {proc.returncode}):\n{tail(err)}")


def _compile_typst(typ_file: Path, *, root: Path) -> bytes:
    try:
        # lazy: typst loads a native library (10–45 ms measured); reading a notebook's front
        # matter (export.py) needs none of it
        import typst
    except ImportError as exc:
        raise RenderError(
            "Pakken 'typst' mangler, så PDF'en kan ikke laves "
            "(pip install -r requirements.txt)."
        ) from exc
    try:
        # The PDF's creation date and document id come from the report date, not the clock.
        # PDF/UA-1: Typst refuses to write a file that breaks the standard's rules (a
        # figure without alt text, a document without title or language), so a PDF that
        # is written is tagged, titled, in Danish and read in page order.
        pdf = typst.compile(str(typ_file), root=str(root), font_paths=[],
                            timestamp=source_date(),
                            ignore_system_fonts=True, pdf_standards=["ua-1"])
    except Exception as exc:  # typst.TypstError and friends
        raise RenderError(
            f"Typst kunne ikke lave PDF'en:\n{tail(str(exc))}"
        ) from exc
    if not pdf:
        raise RenderError("Typst lavede en tom PDF.")
    return bytes(pdf)


# What pandoc sees of a figure's phone-sized variant (notebook.PHONE_ATTR): its file name, as
# srcset="#sr-telefon/<name>" (assets/indbygget.lua); the SVG goes in after pandoc, which
# spares pandoc parsing it (a third of its time).
_PHONE_PLACEHOLDER = "#sr-telefon/"


def _insert_phone_figures(html: bytes, files: dict[str, bytes]) -> bytes:
    """The HTML with each phone figure's placeholder replaced by the SVG as a data: URI."""
    for name, content in files.items():
        placeholder = f'srcset="{_PHONE_PLACEHOLDER}{name}"'.encode()
        if placeholder in html:
            uri = b"data:image/svg+xml;base64," + base64.b64encode(content)
            html = html.replace(placeholder, b'srcset="' + uri + b'"')
    return html
