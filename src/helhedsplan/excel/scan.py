"""The bounds on a workbook, read in one streaming pass with a real XML parser before calamine sees it."""

from __future__ import annotations

import array
import io
import posixpath
import pyexpat
import re
import zipfile
import zlib

from ..errors import InputError, Problem
from ..formatting import number
from .files import broken, mb, zip_kind
from .limits import (
    MAX_PARTS,
    RATIO_FROM_BYTES,
    Limits,
    column_letters,
    far_cell,
    long_text,
    not_excel_xml,
    too_many_elements,
    too_many_strings,
    too_much_text,
)

_CHUNK = 1 << 20

_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

_COLUMN_NUMBERS: dict[str, int] = {}

_FAR_REFERENCE = re.compile(r"[A-Za-z]{0,8}[0-9]{1,30}")

_PERCENT_FORMATS = {"9", "10"}  # Excel's built-in '0%' and '0.00%'

# The parts calamine reads when it opens a workbook, each with what this pass takes from it.
_PACKAGE_RELS, _RELS, _WORKBOOK, _STYLES, _STRINGS = (
    "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml", "xl/styles.xml",
    "xl/sharedStrings.xml")


class _Refused(Exception):
    """A part broke a limit (the Danish message)."""


class _Unreadable(Exception):
    """A part is not XML as Excel writes it (the Danish detail)."""


def _ascii_lower(name: str) -> str:
    """calamine finds a part by its name, ignoring the case of ASCII letters only."""
    return name.translate(_ASCII_LOWER)


def _reference(text: str) -> tuple[int, int | None] | None:
    """'XFD5000' → (5000, 16384), '12' → (12, None); None when calamine could not read it or it
    lies beyond any sheet (over 3 letters or 7 digits). Called for every cell: no regex."""
    digits = text.lstrip(_LETTERS)
    letters = text[:len(text) - len(digits)]
    if len(letters) > 3 or not 0 < len(digits) <= 7 or not (digits.isascii() and digits.isdigit()):
        return None
    row = int(digits)
    if row == 0:
        return None
    if not letters:
        return row, None
    col = _COLUMN_NUMBERS.get(letters)
    if col is None:  # at most 52³ spellings, each remembered once
        col = _COLUMN_NUMBERS[letters] = sum(
            (ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(letters.upper())))
    return row, col


def percent_format(fmt_id: str, custom: dict[str, str]) -> bool:
    """Whether a number format shows a percentage: the file's own format first (as calamine
    looks it up), else Excel's built-in '0%' and '0.00%'. A '%' in quotes or brackets or after
    an escape is text, not the percent sign."""
    code = custom.get(fmt_id)
    if code is None:
        return fmt_id.strip() in _PERCENT_FORMATS
    return "%" in re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code)


class Pass:
    """One bounded pass over the parts calamine reads. `copy` holds them for calamine,
    `percent` the percent-formatted numbers of each sheet. Raises InputError in Danish."""

    def __init__(self, data: bytes, label: str):
        self.label = label
        self.limits = Limits.now()
        self.unpacked = self.elements = self.strings = self.shared_chars = 0
        self.string_chars = array.array("I")  # the length of each shared string
        self.percent: dict[str, set[tuple[int, int]]] = {}
        self.formats: dict[str, str] = {}  # numFmtId → format code (styles.xml)
        self.xfs: list[str] = []  # numFmtId of each cell style, in order (styles.xml)
        self.percent_styles: set[int] = set()
        self.targets: dict[str, str] = {}  # relationship id → target (workbook's relationships)
        self.sheets: list[tuple[str, list[str]]] = []  # (name, relationship ids) (workbook.xml)
        if data.count(b"PK\x01\x02") > MAX_PARTS:  # zipfile lists them all: 400.000 took 230 MB

            raise InputError(Problem(
                f"filen består af over {number(MAX_PARTS)} dele; et regneark fra Excel har nogle "
                "få. Åbn den i Excel, og gem den igen.", file=label))
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise InputError(broken(label, "ZIP")) from None
        self.names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            key = _ascii_lower(info.filename)
            if key in self.names:  # calamine might read one, this pass the other
                raise InputError(broken(label, f"to dele hedder {info.filename!r}"))
            self.names[key] = info
        if _WORKBOOK not in self.names:
            raise InputError(Problem(zip_kind(self.names, self.zip), file=label))
        self.copy = io.BytesIO()  # deflated quickly: the copy costs a tenth of the XML in memory
        self.done: dict[str, set[tuple[int, int]]] = {}  # part read → its percent-formatted numbers
        with zipfile.ZipFile(self.copy, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            self.out = out
            for part in (_PACKAGE_RELS, _RELS, _WORKBOOK, _STYLES, _STRINGS):
                self._read(part, part, None)
            self.percent_styles = {i for i, fmt in enumerate(self.xfs) if percent_format(fmt, self.formats)}
            for sheet, rids in self.sheets:
                for part in self._sheet_parts(rids):
                    cells = self._read(part, "sheet", sheet)
                    if cells:
                        self.percent.setdefault(sheet, set()).update(cells)
        self.copy.seek(0)
        self.zip.close()
        del self.zip  # the original bytes are not needed any more

    def _sheet_parts(self, rids: list[str]) -> list[str]:
        """The parts a sheet's relationship may name: read as calamine reads it, and as the
        standard reads it (relative to xl/). Each one that exists is read and copied."""
        parts = []
        for rid in rids:
            target = self.targets.get(rid)
            if not target:
                continue
            bare = target.lstrip("/")
            calamine = bare if target.startswith(("/xl/", "xl/")) else "xl/" + target
            standard = posixpath.normpath(bare if target.startswith("/") else "xl/" + target)
            for name in (calamine, standard, bare):
                if _ascii_lower(name) in self.names and _ascii_lower(name) not in parts:
                    parts.append(_ascii_lower(name))
        return parts

    def _read(self, name: str, role: str, sheet: str | None) -> set[tuple[int, int]]:
        """Parse one part as a stream and copy it for calamine; returns its percent-formatted
        numbers. A part that is not there is skipped: calamine then misses it too."""
        info = self.names.get(_ascii_lower(name))
        if info is None:
            return set()
        if info.filename in self.done:  # two sheets, or a sheet and a part read before, share it
            return self.done[info.filename]
        lim = self.limits
        if info.file_size > RATIO_FROM_BYTES and info.file_size > lim.ratio * max(info.compress_size, 1):
            raise self._refuse(
                f"filen pakkes ud til {mb(info.file_size)} fra {mb(info.compress_size)}, over "
                f"{lim.ratio} gange så meget. Det gør et regneark fra Excel ikke; filen kan være "
                "lavet for at lægge programmet ned (en 'zip-bombe'). Brug det oprindelige "
                "regneark, eller gem det igen fra Excel.", None)
        if self.unpacked + info.file_size > lim.unpacked:
            raise self._too_big(self.unpacked + info.file_size)
        scanner = _Scanner(self, role)
        parser = scanner.parser
        try:
            with self.zip.open(info) as src, self.out.open(info.filename, "w") as dst:
                fed = 0
                while chunk := src.read(_CHUNK):
                    fed += len(chunk)
                    self.unpacked += len(chunk)
                    if self.unpacked > lim.unpacked:
                        raise self._too_big(self.unpacked)
                    parser.Parse(chunk, False)
                    if scanner.count > scanner.budget:  # a chunk holds at most 256k elements
                        raise _Refused(too_many_elements(lim.elements))
                    if fed - max(parser.CurrentByteIndex, 0) > lim.pending:
                        raise _Unreadable(f"over {mb(lim.pending)} uden et nyt element")
                    dst.write(chunk)
                parser.Parse(b"", True)
            self.elements += scanner.count
            self.done[info.filename] = scanner.percent
        except _Refused as exc:
            raise self._refuse(str(exc), sheet) from None
        except _Unreadable as exc:
            raise self._refuse(not_excel_xml(f"{exc}; i {info.filename}"), sheet) from None
        except pyexpat.ExpatError as exc:
            detail = f"ugyldig XML i {info.filename}, linje {exc.lineno}, tegn {exc.offset + 1}"
            raise self._refuse(not_excel_xml(detail), sheet) from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError,
                NotImplementedError) as exc:  # RuntimeError: a part with a password
            raise InputError(broken(self.label, type(exc).__name__)) from None
        return scanner.percent

    def _refuse(self, message: str, sheet: str | None) -> InputError:
        return InputError(Problem(message, file=self.label, sheet=sheet))

    def _too_big(self, size: int) -> InputError:
        return self._refuse(
            f"filen fylder over {mb(size)} udpakket; der læses højst {mb(self.limits.unpacked)}. "
            "Gem regnearket igen fra Excel uden tomme, formaterede områder.", None)


# Element kinds the scanner acts on; every other element only counts.
_C, _ROW, _DATA, _SI, _RPH, _TAKE = 1, 2, 3, 4, 5, 6


_ELEMENT_KINDS = {"c": _C, "row": _ROW, "sheetData": _DATA, "si": _SI, "rPh": _RPH, "f": _RPH,
                  "numFmt": _TAKE, "cellXfs": _TAKE, "xf": _TAKE, "Relationship": _TAKE,
                  "sheet": _TAKE}


class _Kinds(dict):
    """Element name → what the scanner does with it (0: only count it), by its local name as
    calamine matches it; each name is looked at once."""

    def __missing__(self, name: str) -> int:
        prefix, colon, local = name.partition(":")
        if ":" in local:
            raise _Unreadable(f"elementnavnet {name[:40]!r}")
        kind = self[name] = _ELEMENT_KINDS.get(local if colon else prefix, 0)
        return kind


class _Scanner:
    """The expat handlers for one part. The rules that bound calamine hold in every part (a
    sheetData is a sheet's cells wherever it stands, an si a shared text); what the pass takes
    from a part (relationships, sheets, number formats) only from the part calamine takes it
    from. The handlers are called for every element, so they do as little as they can."""

    def __init__(self, owner: Pass, role: str):
        self.owner = owner
        self.role = role
        lim = self.lim = owner.limits
        self.budget = lim.elements - owner.elements  # elements this part may still have
        self.count = 0
        self.kinds = _Kinds()
        self.in_data = self.in_cell = self.in_row = self.in_string = self.in_xfs = False
        self.no_text = False  # inside a phonetic guide (rPh) or a formula: not shown as text
        self.row = 0  # calamine's row index (0-based): a row's r, else one after the row before
        self.cell_row = 0  # the row of the last cell with a reference (the other reading)
        self.col = 0  # calamine's column index (0-based)
        self.pos = (1, 1)  # the open cell, as (Excel row, column number)
        self.cell_at = self.cell_count = 0
        self.numeric = self.shared = self.text = False
        self.style = -1
        self.index = ""  # the text of a shared-string cell: which shared string it shows
        self.chars = 0
        self.max_row = self.max_col = 0
        self.percent: set[tuple[int, int]] = set()
        self.cell_bytes = 8 * lim.cell_chars  # any cell's XML: its text, escaped, its formula
        p = self.parser = pyexpat.ParserCreate()
        p.ordered_attributes = True
        p.buffer_text = True
        p.StartDoctypeDeclHandler = self.no_dtd
        p.EntityDeclHandler = self.no_dtd
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        if role == _STRINGS:
            p.CharacterDataHandler = self.string_text

    def no_dtd(self, *args) -> None:
        raise _Unreadable("en DTD (<!DOCTYPE>), som et regneark aldrig har")

    def start(self, name: str, attrs: list[str]) -> None:
        self.count += 1  # checked against the budget after each chunk (Pass._read)
        kind = self.kinds[name]
        if not kind:
            return
        if kind == _C:
            if self.in_data:
                if self.in_cell:
                    raise _Unreadable("en celle inde i en celle")
                self.cell(attrs)
        elif kind == _ROW:
            if self.in_data:
                if self.in_row or self.in_cell:
                    raise _Unreadable("en række inde i en række")
                self.in_row = True
                r = _attr(attrs, "r")
                if r is not None:
                    ref = _reference(r)
                    if ref is None:
                        raise self.far_away(r)
                    self.row = ref[0] - 1
        elif kind == _DATA:
            if self.in_data:
                raise _Unreadable("et <sheetData> inde i et andet")
            self.in_data = True
        elif kind == _SI:
            self.shared_text()
        elif kind == _RPH:
            self.no_text = self.in_string or self.in_cell
        elif self.role != "sheet":
            self.take(name.rpartition(":")[2], attrs)

    def take(self, local: str, attrs: list[str]) -> None:
        """What the pass needs from the workbook, its relationships and its styles."""
        owner, role = self.owner, self.role
        if role == _STYLES:
            if local == "numFmt":
                fmt_id, code = _attr(attrs, "numFmtId"), _attr(attrs, "formatCode")
                if fmt_id and code:
                    owner.formats[fmt_id] = code
            elif local == "cellXfs":
                self.in_xfs = True
            elif local == "xf" and self.in_xfs:
                owner.xfs.append(_attr(attrs, "numFmtId") or "")
        elif role == _RELS and local == "Relationship":
            rid, target = _attr(attrs, "Id"), _attr(attrs, "Target")
            if rid is not None and target is not None:
                owner.targets[rid] = target
        elif role == _WORKBOOK and local == "sheet":
            rids = [attrs[i + 1] for i in range(0, len(attrs), 2) if attrs[i].endswith(":id")]
            owner.sheets.append((_attr(attrs, "name") or "", rids))

    def shared_text(self) -> None:
        if self.in_string:
            raise _Unreadable("en tekst inde i en tekst")
        self.in_string = True
        self.chars = 0
        self.owner.strings += 1
        if self.owner.strings > self.lim.strings:
            raise _Refused(too_many_strings(self.lim.strings))

    def string_text(self, data: str) -> None:
        """The characters of a shared text or a text cell, as calamine gives them."""
        if not self.no_text:
            self.chars += len(data)

    def cell(self, attrs: list[str]) -> None:
        self.in_cell = True
        self.cell_at, self.cell_count = self.parser.CurrentByteIndex, self.count
        r = s = t = None
        for i in range(0, len(attrs), 2):
            key = attrs[i]
            if key == "r":
                r = attrs[i + 1]
            elif key == "s":
                s = attrs[i + 1]
            elif key == "t":
                t = attrs[i + 1]
        if r is not None:
            ref = _reference(r)
            if ref is None or ref[1] is None:
                raise self.far_away(r)
            self.col = ref[1] - 1
            self.cell_row = ref[0] - 1
            self.pos = ref
        else:
            self.pos = (max(self.row, self.cell_row) + 1, self.col + 1)
        self.numeric = t is None or t == "n"
        self.style = int(s) if s is not None and s.isdigit() and len(s) < 10 else -1
        self.shared = t == "s"
        self.text = t == "inlineStr" or t == "str"
        if self.shared:  # the cell's text says which shared string it shows
            self.index = ""
            self.parser.CharacterDataHandler = self.index_text
        elif self.text:
            self.chars = 0
            self.parser.CharacterDataHandler = self.string_text

    def index_text(self, data: str) -> None:
        if len(self.index) < 20:
            self.index += data

    def end(self, name: str) -> None:
        kind = self.kinds[name]
        if not kind:
            return
        if kind == _C:
            if self.in_cell:
                self.cell_end()
        elif kind == _ROW:
            if self.in_data:
                self.in_row = False
                self.row += 1
                self.col = 0
        elif kind == _DATA:
            self.in_data = False
        elif kind == _SI:
            if self.in_string:
                self.string_end()
        elif kind == _RPH:
            self.no_text = False
        elif name.rpartition(":")[2] == "cellXfs":
            self.in_xfs = False

    def cell_end(self) -> None:
        self.in_cell = False
        self.col += 1
        if self.shared or self.text:
            self.parser.CharacterDataHandler = None
        if self.count == self.cell_count:
            return  # no child element: no value (a formatted, empty cell)
        lim = self.lim
        row, col = self.pos
        if row > self.max_row:
            self.max_row = row
        if col > self.max_col:
            self.max_col = col
        if row > lim.rows or col > lim.columns or self.max_row * self.max_col > lim.cells:
            raise _Refused(far_cell(f"{column_letters(col)}{row}", lim))
        owner = self.owner
        if self.shared:
            index = self.index.strip()
            length = owner.string_chars[int(index)] if index.isdigit() and int(index) < len(
                owner.string_chars) else 0
            owner.shared_chars += length
            if owner.shared_chars > lim.shared_chars:
                raise _Refused(too_much_text(lim.shared_chars))
        elif ((self.text and self.chars > lim.cell_chars)
              or self.parser.CurrentByteIndex - self.cell_at > self.cell_bytes):
            raise _Refused(long_text(self.pos, lim.cell_chars))
        if self.numeric and self.style in owner.percent_styles:
            self.percent.add((row, col))

    def string_end(self) -> None:
        self.in_string = False
        if self.chars > self.lim.cell_chars:
            raise _Refused(long_text(None, self.lim.cell_chars))
        self.owner.string_chars.append(self.chars)

    def far_away(self, reference: str) -> Exception:
        """A reference beyond any sheet is a far cell; one calamine cannot read is refused."""
        shown = reference[:20] + ("…" if len(reference) > 20 else "")
        if _FAR_REFERENCE.fullmatch(reference):
            return _Refused(far_cell(shown, self.lim))
        return _Unreadable(f"cellereferencen {shown!r}")


def _attr(attrs: list[str], key: str) -> str | None:
    """An attribute by its name as written (calamine matches r, s, t, Id … without a prefix)."""
    for i in range(0, len(attrs), 2):
        if attrs[i] == key:
            return attrs[i + 1]
    return None
