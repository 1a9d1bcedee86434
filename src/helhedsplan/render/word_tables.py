"""Word tables whose words never break inside: column widths from measured words, rows kept whole.

pandoc takes a table's column widths from the Markdown's dashes, and LibreOffice then breaks
words inside where a column is too narrow ("Baselin|e 2020", "procentpoi|nt"). Here
(:func:`layout_table`) every table is as wide as the text, and each column at least as wide as
its longest word, measured with the character widths in ``assets/word/tegnbredder.json``; what
is left goes to the columns that would use it. Only when the longest words cannot all fit are
the widest columns narrowed alike, and a word that then cannot fit gets break points, the best
kind first: a space for a no-break space (a figure and its unit), a soft hyphen after a
compound's joint or between syllables, in a file name a zero-width space after ``/``, ``_`` or
``.``. So a word breaks only where a hyphen is shown (or in a file name, between its parts).
No row splits across pages (``cantSplit``) and the header row repeats on each page
(``tblHeader``).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache

from ..paths import ASSETS_DIR

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TABLE_TEXT_SIZE = 18  # half-points: the table style's 9 pt (word.py)
SOFT_HYPHEN, BREAK = "\u00ad", "\u200b"
_VOWELS = set("aeiouyæøåéèüöäAEIOUYÆØÅÉÈÜÖÄ")
# The order the Office Open XML schema gives the children of a table's properties; Word
# refuses a file where they come in another order.
_TBLPR_ORDER = [W + t for t in (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
    "tblDescription tblPrChange").split()]


def schema_position(order: list[str], tag: str) -> int:
    """Where `tag` comes among a properties element's children (unknown ones last)."""
    return order.index(tag) if tag in order else len(order)


def set_property(props, tag: str, order: list[str], **attrs: str):
    """The child `tag` of a properties element (made if missing, in schema order)."""
    el = props.find(W + tag)
    if el is None:
        el = ET.Element(W + tag)
        place = schema_position(order, W + tag)
        at = next((i for i, c in enumerate(props) if schema_position(order, c.tag) > place),
                  len(props))
        props.insert(at, el)
    for key, value in attrs.items():
        el.set(W + key, value)
    return el


@dataclass
class _Char:
    """One character of a cell as drawn: where it is (its w:t, run and index in the text), its
    width in twips, and whether it is code (a file name, a checksum)."""

    t: ET.Element | None
    run: ET.Element | None
    index: int
    ch: str
    width: float
    code: bool


@cache
def _widths() -> dict:
    """The character widths (assets/word/tegnbredder.json), read once."""
    return json.loads((ASSETS_DIR / "word" / "tegnbredder.json").read_text(encoding="utf-8"))


def _char_width(ch: str, bold: bool, code: bool, size: int) -> float:
    table = _widths()
    w = table["bold" if bold else "regular"].get(ch, table["unknown"])
    if code:
        w = max(w, table["mono"])
    if ch in (SOFT_HYPHEN, BREAK):
        w = 0
    return w * size / 100  # thousandths of an em at `size` half-points, in twips


def _run_style(r) -> tuple[bool, bool, int]:
    """(bold, code, size in half-points) of a run."""
    props = r.find(W + "rPr")
    if props is None:
        return False, False, TABLE_TEXT_SIZE
    b = props.find(W + "b")
    bold = b is not None and b.get(W + "val", "true") not in ("0", "false", "off")
    style = props.find(W + "rStyle")
    fonts = props.find(W + "rFonts")
    code = (style is not None and style.get(W + "val") in ("VerbatimChar", "SourceCode")) or (
        fonts is not None and "Consolas" in (fonts.get(W + "ascii") or ""))
    sz = props.find(W + "sz")
    size = int(sz.get(W + "val")) if sz is not None and (sz.get(W + "val") or "").isdigit() \
        else TABLE_TEXT_SIZE
    return bold, code, size


def _lines(p) -> list[list[_Char]]:
    """A paragraph's characters, line by line (at its explicit line breaks)."""
    lines: list[list[_Char]] = [[]]
    for r in p.iter(W + "r"):
        bold, code, size = _run_style(r)
        for child in r:
            if child.tag == W + "t":
                lines[-1] += [_Char(child, r, i, ch, _char_width(ch, bold, code, size), code)
                              for i, ch in enumerate(child.text or "")]
            elif child.tag == W + "tab":
                lines[-1].append(_Char(None, r, 0, " ", _char_width(" ", bold, code, size),
                                       code))
            elif child.tag in (W + "br", W + "cr"):
                lines.append([])
            elif child.tag == W + "noBreakHyphen":
                lines[-1].append(_Char(None, r, 0, "-", _char_width("-", bold, code, size),
                                       code))
            elif child.tag == W + "softHyphen":  # pandoc writes U+00AD so
                lines[-1].append(_Char(None, r, 0, SOFT_HYPHEN, 0, code))
    return lines


def _words(line: list[_Char]) -> list[list[_Char]]:
    """A line's words: what a line can break between (spaces; after a hyphen, a soft hyphen or a
    zero-width space). A no-break space and a dash join."""
    words, word = [], []
    for c in line:
        if c.ch in (" ", "\t"):
            if word:
                words.append(word)
            word = []
            continue
        word.append(c)
        if c.ch in ("-", SOFT_HYPHEN, BREAK):
            words.append(word)
            word = []
    if word:
        words.append(word)
    return words


def _span(chars: list[_Char]) -> float:
    """The width of a piece of a line (with the hyphen shown where it ends at a soft one)."""
    extra = _char_width("-", False, False, TABLE_TEXT_SIZE) \
        if chars and chars[-1].ch == SOFT_HYPHEN else 0
    return sum(c.width for c in chars) + extra


# Where a word that cannot fit may break, best first: at a no-break space (a figure and its
# unit, "108 anmeldelser", go on two lines as a last resort), after the joint 's' of a compound
# (afdelings-møderne, helheds-planen), between syllables (before a consonant that starts one:
# af-de-lings-mø-der-ne); in code (a file name) after '/', '_' or '.'.
_AT_SPACE, _AT_JOINT, _AT_SYLLABLE = 0, 1, 2


def _break_points(word: list[_Char]) -> list[tuple[int, int]]:
    """(index a new line would start at, kind) for a word too long for its column; never
    leaving fewer than two letters before or three after a hyphen."""
    chars = [c.ch for c in word]
    if any(c.code for c in word):
        return [(i + 1, _AT_JOINT) for i, ch in enumerate(chars[:-1]) if ch in "/_."]
    points = [(i + 1, _AT_SPACE) for i, ch in enumerate(chars[:-1]) if ch == "\u00a0"]
    for i in range(2, len(chars) - 2):
        before, here, after = chars[i - 1], chars[i], chars[i + 1]
        if not (before.isalpha() and here.isalpha() and after.isalpha()) \
                or not any(ch in _VOWELS for ch in chars[:i]) or len(chars) - i < 3:
            continue
        if before == "s" and chars[i - 2].isalpha() and chars[i - 2] not in _VOWELS \
                and here not in _VOWELS:
            points.append((i, _AT_JOINT))
        elif here not in _VOWELS and after in _VOWELS:
            points.append((i, _AT_SYLLABLE))
    return sorted(points)


def _piece(word: list[_Char], start: int, end: int, kind: int) -> list[_Char]:
    """The word from `start` to `end`, ending in the mark a break of `kind` shows there."""
    piece = word[start:end]
    if end < len(word) and kind != _AT_SPACE and not word[0].code:
        piece = [*piece, _Char(None, None, 0, SOFT_HYPHEN, 0, False)]
    return piece


def layout_table(tbl, text_width: int) -> None:
    """Rows kept whole, the header repeated, and column widths that fit every word."""
    rows = tbl.findall(W + "tr")
    look = tbl.find(f"{W}tblPr/{W}tblLook")
    for n, row in enumerate(rows):
        props = row.find(W + "trPr")
        if props is None:
            props = ET.Element(W + "trPr")
            row.insert(0, props)
        if props.find(W + "cantSplit") is None:
            props.insert(0, ET.Element(W + "cantSplit"))
        if n == 0 and look is not None and look.get(W + "firstRow") == "1" \
                and props.find(W + "tblHeader") is None:
            ET.SubElement(props, W + "tblHeader")
    grid = tbl.findall(f"{W}tblGrid/{W}gridCol")
    cells = [row.findall(W + "tc") for row in rows]
    if len(grid) < 2 or tbl.find(f".//{W}tc//{W}tbl") is not None or any(
            len(r) != len(grid) or any(c.find(f"{W}tcPr/{W}gridSpan") is not None for c in r)
            for r in cells):
        return  # a layout table, a callout's box, merged cells: left as pandoc made them
    pad = _cell_padding(tbl)

    def need(chars: list[_Char]) -> float:
        # 3 % and 20 twips to spare: a renderer's rounding must not push a word over the edge
        return _span(chars) * 1.03 + 20 + pad

    header = [row.find(f"{W}trPr/{W}tblHeader") is not None for row in rows]
    lines = [[(head, line) for head, cell in zip(header, col, strict=True)
              for p in cell.iter(W + "p") for line in _lines(p)]
             for col in zip(*cells, strict=True)]
    words = [[w for _, line in col for w in _words(line)] for col in lines]
    least = [max(map(need, ws), default=pad) for ws in words]
    # the room a column would use unwrapped: its body's lines (a header may wrap)
    most = [max(max((need(line) for head, line in ls if not head), default=pad), m)
            for ls, m in zip(lines, least, strict=True)]
    broken = [max((need(_piece(w, a, b, kind)) for w in ws
                   for (a, _), (b, kind) in _spans(w, _break_points(w))), default=pad)
              for ws in words]
    widths = _distribute(_fit(least, broken, text_width), most, text_width)
    _insert_breaks([(w, _choose(w, widths[col], need)) for col, ws in enumerate(words)
                    for w in ws if need(w) > widths[col]])
    _set_widths(tbl, cells, widths)


def _spans(word: list[_Char], points: list[tuple[int, int]]) -> list:
    """Consecutive (start, kind), (end, kind) pairs of the word cut at every point."""
    cuts = [(0, _AT_SPACE), *points, (len(word), _AT_SPACE)]
    return list(zip(cuts, cuts[1:], strict=False))


def _cell_padding(tbl) -> int:
    margins = tbl.find(f"{W}tblPr/{W}tblCellMar")
    values = [margins.find(W + side) if margins is not None else None for side in ("left", "right")]
    return sum(int(v.get(W + "w")) if v is not None and (v.get(W + "w") or "").isdigit() else 108
               for v in values)


def _fit(least: list[float], broken: list[float], total: int) -> list[float]:
    """Widths no wider in sum than `total`: each column as wide as its longest word (`least`)
    if all fit; else the widest columns capped alike, never below what their words need broken
    as they may be (`broken`); if even that is too wide, all shrunk alike (a last resort)."""
    if sum(least) <= total:
        return least
    low, high = 0.0, max(least)
    for _ in range(40):  # the cap, by bisection
        cap = (low + high) / 2
        if sum(max(b, min(x, cap)) for x, b in zip(least, broken, strict=True)) > total:
            high = cap
        else:
            low = cap
    widths = [max(b, min(x, low)) for x, b in zip(least, broken, strict=True)]
    if sum(widths) > total:
        widths = [x * total / sum(widths) for x in widths]
    return widths


def _distribute(least: list[float], most: list[float], total: int) -> list[int]:
    """Column widths summing to `total`: each at least `least`; what is left goes to the columns
    in proportion to how much more they would use (or, when all fit, to their widths)."""
    if sum(most) <= total:
        base, share = most, most
    else:
        base, share = least, [max(m - s, 0) for m, s in zip(most, least, strict=True)]
    spare = total - sum(base)
    weight = sum(share)
    raw = [b + (spare * s / weight if weight else spare / len(base))
           for b, s in zip(base, share, strict=True)]
    widths = [int(x) for x in raw]
    widths[widths.index(max(widths))] += total - sum(widths)
    return widths


def _choose(word: list[_Char], width: float, need) -> list[tuple[int, int]]:
    """The breaks a word needs in a column `width` wide: line by line, the best kind of point
    that fills the line most (so 'afdelings-møderne', not 'afdelingsmø-derne')."""
    points = _break_points(word)
    chosen, start = [], 0
    while need(word[start:]) > width:
        later = [(at, kind) for at, kind in points if at > start]
        if not later:
            break
        fits = [(kind, -at) for at, kind in later if need(_piece(word, start, at, kind)) <= width]
        if fits:
            kind, farthest = min(fits)
            at = -farthest
        else:
            at, kind = later[0]
        chosen.append((at, kind))
        start = at
    return chosen


def _insert_breaks(words: list[tuple[list[_Char], list[tuple[int, int]]]]) -> None:
    """Put the chosen breaks into the words' text: a soft hyphen (w:softHyphen) between
    syllables, a zero-width space in a file name, a space for a no-break space. Only where
    both sides of a point lie in one w:t."""
    marks: dict[ET.Element, tuple[ET.Element, dict[int, int]]] = {}
    for word, points in words:
        for at, kind in points:
            c, before = word[at], word[at - 1]
            if kind == _AT_SPACE and before.t is not None:
                marks.setdefault(before.t, (before.run, {}))[1][before.index] = kind
            elif c.t is not None and before.t is c.t:
                marks.setdefault(c.t, (c.run, {}))[1][c.index] = -1 if c.code else kind
    for t, (run, at) in marks.items():
        text = t.text or ""
        text = "".join(" " if at.get(i) == _AT_SPACE else BREAK + ch if at.get(i) == -1 else ch
                       for i, ch in enumerate(text))
        cuts = sorted(i for i, kind in at.items() if kind in (_AT_JOINT, _AT_SYLLABLE))
        new = []
        for n, (a, b) in enumerate(zip([0, *cuts], [*cuts, len(text)], strict=True)):
            if n:
                new.append(ET.Element(W + "softHyphen"))
            piece = ET.Element(W + "t", {XML_SPACE: "preserve"})
            piece.text = text[a:b]
            new.append(piece)
        if len(new) == 1:
            t.text = text
        else:
            place = list(run).index(t)
            run[place:place + 1] = new


def _set_widths(tbl, cells: list[list], widths: list[int]) -> None:
    props = tbl.find(W + "tblPr")
    set_property(props, "tblW", _TBLPR_ORDER, type="dxa", w=str(sum(widths)))
    set_property(props, "tblLayout", _TBLPR_ORDER, type="fixed")
    for col, width in zip(tbl.findall(f"{W}tblGrid/{W}gridCol"), widths, strict=True):
        col.set(W + "w", str(width))
    for row in cells:
        for cell, width in zip(row, widths, strict=True):
            cprops = cell.find(W + "tcPr")
            if cprops is None:
                cprops = ET.Element(W + "tcPr")
                cell.insert(0, cprops)
            tcw = cprops.find(W + "tcW")
            if tcw is None:
                tcw = ET.Element(W + "tcW")
                cprops.insert(1 if len(cprops) and cprops[0].tag == W + "cnfStyle" else 0, tcw)
            tcw.set(W + "w", str(width))
            tcw.set(W + "type", "dxa")
