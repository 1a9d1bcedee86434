"""The Word file finished after pandoc, for both engines: tables, rows, captions, figures, contents, date.

What pandoc's docx writer (and Quarto's, which is pandoc's with its own floats) leaves for the
reader of the Word file: column widths taken from the Markdown's dashes, so LibreOffice breaks
words inside ("Baselin|e 2020"); table rows that split across pages; captions that can stand
alone at the foot of a page; a table of contents that stays empty until Word updates it; and,
from Quarto, every table and figure set in a one-cell table 5.5 in wide that clips a wider
figure and centres every cell. :func:`finish` rewrites ``word/document.xml``:

* a float's one-cell layout table (Quarto) gives way to its caption and content;
* every table as wide as the text, its words never broken inside, its rows whole and its
  header row repeated on each page (:mod:`.word_tables`);
* a caption is kept with its table or figure (``keepNext``);
* a figure is never wider than the text;
* the table of contents (pandoc's TOC field) holds the headings up to its depth, linked, so
  LibreOffice shows it on opening; Word fills in the page numbers when it updates the field;
* the file is dated by the report date: ``docProps/core.xml`` and every zip entry
  (:func:`helhedsplan.reproducible.rezip`), the same bytes from build to build.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile

from .. import reproducible
from .word_tables import XML_SPACE, W, layout_table, schema_position, set_property

WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
CAPTION_STYLES = ("Caption", "TableCaption", "ImageCaption")
EMU_PER_TWIP = 635
DEFAULT_TEXT_WIDTH = 9298  # A4 less the PDF's margins of 2.3 cm, in twips
# The order the Office Open XML schema gives the children of a paragraph's properties; Word
# refuses a file where they come in another order.
PPR_ORDER = [W + t for t in (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange").split()]


def finish(docx: bytes, stamp: int) -> bytes:
    """The Word file with its layout finished (see the module) and dated ``stamp``."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in entries:
            zf.writestr(name, document(data) if name == "word/document.xml" else data)
    return reproducible.rezip(buf.getvalue(), stamp)


def document(xml: bytes) -> bytes:
    """word/document.xml finished: see the module."""
    for prefix, uri in re.findall(rb'xmlns:(\w+)="([^"]+)"', xml[:4000]):
        ET.register_namespace(prefix.decode(), uri.decode())
    root = ET.fromstring(xml)
    body = root.find(W + "body")
    width = _text_width(body)
    _unwrap_floats(body)
    for p in root.iter(W + "p"):
        _tidy_paragraph(p)
    for tbl in list(root.iter(W + "tbl")):
        layout_table(tbl, width)
    _keep_with_next(root)
    _fit_figures(root, width)
    _fill_contents(root)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode").encode("utf-8"))


def _text_width(body) -> int:
    """The width between the page's margins (the last section's), in twips."""
    sect = body.find(W + "sectPr")
    size = sect.find(W + "pgSz") if sect is not None else None
    margins = sect.find(W + "pgMar") if sect is not None else None
    try:
        return (int(size.get(W + "w")) - int(margins.get(W + "left"))
                - int(margins.get(W + "right")))
    except (AttributeError, TypeError, ValueError):
        return DEFAULT_TEXT_WIDTH


def _style(p) -> str:
    style = p.find(f"{W}pPr/{W}pStyle")
    return style.get(W + "val", "") if style is not None else ""


# --- Quarto's floats ---------------------------------------------------------------------------

def _unwrap_floats(parent) -> None:
    """Quarto sets each table and figure float in a one-cell table (5.5 in wide, every paragraph
    centred): put its caption and content in its place, as the built-in renderer writes them."""
    children, changed = [], False
    for child in parent:
        if child.tag == W + "tbl" and _is_float(child):
            inner = [c for c in child.find(f"{W}tr/{W}tc") if c.tag != W + "tcPr"]
            if inner and inner[-1].tag == W + "p" and not len(inner[-1]):
                inner.pop()  # the empty paragraph a table cell must end with
            children += inner
            changed = True
        else:
            children.append(child)
    if changed:
        parent[:] = children
    for child in parent:
        _unwrap_floats(child)


def _is_float(tbl) -> bool:
    rows = tbl.findall(W + "tr")
    cells = rows[0].findall(W + "tc") if len(rows) == 1 else []
    if len(tbl.findall(f"{W}tblGrid/{W}gridCol")) != 1 or len(cells) != 1:
        return False
    if tbl.find(f"{W}tblPr/{W}tblBorders") is not None:
        return False  # a callout's box
    cell = cells[0]
    captioned = any(_style(p) in CAPTION_STYLES for p in cell.findall(W + "p"))
    return captioned and (cell.find(W + "tbl") is not None
                          or cell.find(f"{W}p//{W}drawing") is not None)


def _tidy_paragraph(p) -> None:
    """One paragraph-properties element, first, its children once each and in schema order.

    Quarto's float code gives a caption two (the float cell's centring, then its own) and a
    table cell's paragraph two alignments (its own, then the float's centring): the float's
    goes, whichever place it has."""
    props = p.findall(W + "pPr")
    if not props:
        return
    first = props[0]
    for extra in props[1:]:
        for child in list(extra):
            for old in first.findall(child.tag):
                first.remove(old)
            first.append(child)
        p.remove(extra)
    if p[0] is not first:
        p.remove(first)
        p.insert(0, first)
    kept, seen = [], set()
    for child in first:
        if child.tag not in seen:
            seen.add(child.tag)
            child.tail = None
            kept.append(child)
    first.text = None
    first[:] = sorted(kept, key=lambda c: schema_position(PPR_ORDER, c.tag))


# --- captions, figures, contents --------------------------------------------------------------

def _keep_with_next(root) -> None:
    """A caption above a table stays with the table, a figure with its caption below."""
    for parent in root.iter():
        blocks = [c for c in parent if c.tag not in (W + "bookmarkStart", W + "bookmarkEnd")]
        for this, following in zip(blocks, blocks[1:], strict=False):
            if this.tag != W + "p":
                continue
            caption_above = _style(this) in CAPTION_STYLES and following.tag == W + "tbl"
            figure_above = (this.find(f".//{W}drawing") is not None and following.tag == W + "p"
                            and _style(following) in CAPTION_STYLES)
            if caption_above or figure_above:
                set_property(this.find(W + "pPr") if this.find(W + "pPr") is not None
                              else _new_props(this), "keepNext", PPR_ORDER)


def _new_props(p):
    props = ET.Element(W + "pPr")
    p.insert(0, props)
    return props


def _fit_figures(root, text_width: int) -> None:
    """No figure wider than the text; and no file path as an image's description (Quarto
    writes its icon's path on the Quarto machine there)."""
    limit = text_width * EMU_PER_TWIP
    for drawing in root.iter(W + "drawing"):
        extent = drawing.find(f".//{WP}extent")
        if extent is not None and int(extent.get("cx", "0")) > limit:
            scale = limit / int(extent.get("cx"))
            for ext in (extent, *drawing.iter(A + "ext")):
                if ext.get("cx") and ext.get("cy"):
                    ext.set("cy", str(round(int(ext.get("cy")) * scale)))
                    ext.set("cx", str(limit))
        doc_pr = drawing.find(f".//{WP}docPr")
        for pr in drawing.iter(PIC + "cNvPr"):
            if re.match(r"^(/|[A-Za-z]:[\\/])", pr.get("descr", "")):
                pr.set("descr", doc_pr.get("descr", "") if doc_pr is not None else "")


def _fill_contents(root) -> None:
    """pandoc's table of contents is a TOC field with nothing in it until Word updates it (and
    LibreOffice shows it empty): put the headings in it, each linked to its heading."""
    parents = {c: p for p in root.iter() for c in p}
    for p in list(root.iter(W + "p")):
        instr = "".join(t.text or "" for t in p.iter(W + "instrText"))
        chars = [f.get(W + "fldCharType") for f in p.iter(W + "fldChar")]
        if not instr.strip().startswith("TOC") or chars != ["begin", "separate", "end"]:
            continue
        depth = re.search(r'\\o\s+"\d+-(\d+)"', instr)
        entries = _contents(root.find(W + "body"), int(depth.group(1)) if depth else 3)
        if not entries:
            return
        begin = ET.Element(W + "r")
        begin.extend(ET.Element(W + "fldChar", f.attrib) for f in p.iter(W + "fldChar")
                     if f.get(W + "fldCharType") == "begin")
        instr_run = ET.Element(W + "r")
        instr_run.extend(list(p.iter(W + "instrText")))
        separate = ET.Element(W + "r")
        ET.SubElement(separate, W + "fldChar", {W + "fldCharType": "separate"})
        end = ET.Element(W + "r")
        ET.SubElement(end, W + "fldChar", {W + "fldCharType": "end"})
        entries[0][1:1] = [begin, instr_run, separate]
        entries[-1].append(end)
        parent = parents[p]
        at = list(parent).index(p)
        parent[at:at + 1] = entries
        return


def _contents(body, depth: int) -> list:
    """One paragraph per heading up to `depth` (TOC1, TOC2 … from word.py's reference
    document), linked to the bookmark pandoc puts before the heading."""
    out, anchor = [], None
    for block in body:
        if block.tag == W + "bookmarkStart":
            anchor = block.get(W + "name")
            continue
        level = re.fullmatch(r"Heading(\d)", _style(block)) if block.tag == W + "p" else None
        if level and int(level.group(1)) <= depth:
            text = "".join(" " if c.tag == W + "tab" else (c.text or "")
                           for c in block.iter() if c.tag in (W + "t", W + "tab"))
            p = ET.Element(W + "p")
            props = ET.SubElement(p, W + "pPr")
            ET.SubElement(props, W + "pStyle", {W + "val": f"TOC{level.group(1)}"})
            link = ET.SubElement(p, W + "hyperlink", {W + "anchor": anchor, W + "history": "1"}) \
                if anchor else p
            run = ET.SubElement(link, W + "r")
            ET.SubElement(run, W + "t", {XML_SPACE: "preserve"}).text = " ".join(text.split())
            out.append(p)
        if block.tag != W + "bookmarkEnd":
            anchor = None
    return out
