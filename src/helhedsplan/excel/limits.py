"""How much of a workbook is read at most, and the Danish words for going beyond it."""

from __future__ import annotations

from dataclasses import dataclass

from ..formatting import number

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # the XML read (workbook, styles, texts, sheets), unpacked

MAX_COMPRESSION_RATIO = 100  # a part over 10 MB unpacking to more than 100x its size: a zip bomb

MAX_ROWS = 200_000

MAX_COLUMNS = 200  # column GR

MAX_CELLS = 2_000_000  # rows x columns from A1 to the farthest value: what calamine allocates

MAX_SHARED_STRINGS = MAX_CELLS  # more distinct texts than a sheet within the limits can show

MAX_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell

MAX_SHARED_TEXT = 50_000_000  # characters the cells of a sheet show from the shared texts

MAX_XML_ELEMENTS = 10_000_000  # all parts read; 2M cells of 2M distinct shared texts have 8.2M

MAX_PENDING_BYTES = 4 * 1024 * 1024  # one tag, comment or text without an element after it

MAX_PARTS = 10_000  # files inside the .xlsx zip; Excel writes a few dozen

RATIO_FROM_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The limits, read when a file is opened (a test may lower them)."""

    rows: int
    columns: int
    cells: int
    unpacked: int
    elements: int
    strings: int
    cell_chars: int
    shared_chars: int
    pending: int
    ratio: int

    @classmethod
    def now(cls) -> Limits:
        return cls(MAX_ROWS, MAX_COLUMNS, MAX_CELLS, MAX_UNPACKED_BYTES, MAX_XML_ELEMENTS,
                   MAX_SHARED_STRINGS, MAX_CELL_CHARS, MAX_SHARED_TEXT, MAX_PENDING_BYTES,
                   MAX_COMPRESSION_RATIO)


def not_excel_xml(detail: str) -> str:
    return (f"filen er ikke gemt, som Excel gemmer et regneark ({detail}). Åbn filen i Excel, og "
            "gem den igen.")


def far_cell(far: str, lim: Limits) -> str:

    return (f"arket har en værdi i celle {far}, langt fra tabellen (der læses højst "
            f"{number(lim.rows)} rækker, {lim.columns} kolonner og {number(lim.cells)} celler "
            f"fra A1). Slet indholdet af celle {far} og andre celler uden for tabellen, og gem "
            "filen igen.")


def too_many_elements(limit: int) -> str:

    return (f"arket er for stort til at blive læst: det har over {number(limit)} dele (celler, "
            "rækker og formatering, også tomme celler). Slet tomme, formaterede områder uden for "
            "tabellen (marker rækkerne eller kolonnerne, og vælg Slet), og gem filen igen.")


def too_many_strings(limit: int) -> str:

    return (f"filen har over {number(limit)} forskellige tekster, flere end et ark inden for "
            "grænserne kan vise. Åbn filen i Excel, og gem den igen.")


def too_much_text(limit: int) -> str:

    return (f"arket viser over {number(limit)} tegn tekst i alt (fx den samme lange tekst i "
            "mange celler), mere end der kan læses. Slet tekst uden for tabellen, og gem filen "
            "igen.")


def long_text(pos: tuple[int, int] | None, limit: int) -> str:

    cell = f"celle {column_letters(pos[1])}{pos[0]}" if pos else ""
    return (f"{cell or 'en tekst i filen'} har over {number(limit)} tegn, mere end Excel selv "
            f"tillader i én celle. {'Slet indholdet af ' + cell if cell else 'Ret teksten'}, og gem "
            "filen igen.")


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out or "A"
