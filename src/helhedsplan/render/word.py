"""The Word file's looks, for both engines: figures as PNG and the reference document.

Word is made from a copy of the notebook whose SVG figures are PNG (:func:`docx_notebook`),
with one reference document (:func:`reference_docx`): pandoc's own, with edits of its
styles.xml made here and the parts in ``assets/word/`` (the footer, the page) put in.
"""

from __future__ import annotations

import base64
import copy
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import nbformat

from .. import reproducible
from ..paths import ASSETS_DIR
from .notebook import output_text
from .tools import RenderError, pandoc_path, source_date, tail, tool_env

WORD_ASSETS = ASSETS_DIR / "word"
_XML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BETWEEN_TAGS = re.compile(r">\s+<")


def docx_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` for Word: SVG figures become PNG (Word and pandoc's docx writer need
    a bitmap; Quarto and pandoc would otherwise ask for rsvg-convert). Typst rasterises."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if "image/svg+xml" in data and "image/png" not in data:
                png = _svg_to_png(output_text(data.pop("image/svg+xml")).encode("utf-8"))
                data["image/png"] = base64.b64encode(png).decode("ascii")
    return nb


def _svg_to_png(svg: bytes, ppi: int = 200) -> bytes:
    """The SVG as PNG, made by Typst with assets/word/figur.typ."""
    # lazy: typst loads a native library (10–45 ms measured); reading a notebook's front
    # matter (export.py) needs none of it
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
            raise RenderError(f"En figur kunne ikke gøres klar til Word:\n{tail(str(exc))}") \
                from exc


def _word_xml(name: str) -> bytes:
    """An XML part or fragment from assets/word/, without its comments and the indentation
    between its tags (both there for the reader: Word reads the text inside elements, so no
    element there may hold only spaces)."""
    text = _XML_COMMENT.sub("", (WORD_ASSETS / name).read_text(encoding="utf-8"))
    return _BETWEEN_TAGS.sub("><", text.strip()).encode("utf-8")


def reference_docx(dest: Path) -> Path:
    """Write the Word reference document (styles and page) both renderers use.

    pandoc's own reference.docx, with: Danish as the document language, 10,5 pt text, the
    report's blue in the headings, 9 pt in tables, code in the size of its text, styles for
    the table of contents (edits of pandoc's styles.xml, here), and A4 with the PDF's margins
    and a footer "Side x af y" (the parts in assets/word/). Made from pandoc's file each time,
    so nothing binary is committed.
    """
    stamp = source_date()
    try:
        proc = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"],
                              capture_output=True, check=False, env=tool_env(stamp))
    except OSError as exc:
        raise RenderError(f"Pandoc kunne ikke startes: {exc}") from exc
    data = proc.stdout
    if proc.returncode != 0 or not data.startswith(b"PK"):
        raise RenderError("Pandoc fejlede, da Word-skabelonen (reference.docx) skulle laves:\n"
                          + tail(proc.stderr))
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
                # Code (file names, checksums) in the size of the text around it: pandoc's 11 pt
                # made a table's checksums wider than the page.
                text = re.sub(r'(w:styleId="VerbatimChar"[^>]*>.*?)<w:sz w:val="22" />', r"\1", text,
                              count=1, flags=re.S)
                # the table of contents' styles (word_layout.py writes the contents with them)
                text = text.replace("</w:styles>", _word_xml("indhold-stilarter.xml").decode("utf-8")
                                    + "</w:styles>")
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
