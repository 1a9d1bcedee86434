"""Reading the analyst's spreadsheets: calamine for speed, forgiving only what is safe.

Safe to forgive: header spelling (case, spaces, æ/ae), numbers typed as Danish text ("6,3",
"1.234"), blank rows, empty trailing columns and title rows above the header. Everything else
becomes a Problem that names file, sheet, Excel row and column.

The workbook is opened once with python-calamine and its cells are taken as they come (numbers,
text, dates); pandas' own Excel reader would parse every cell again in Python, which costs more
than the reading itself for a large sheet.

Reading is bounded. calamine makes a dense grid from A1 to the farthest cell holding a value, so
one value in XFD1048576 would ask for hundreds of GB. A file is opened only when it is a regular
file (a FIFO would hang the run, a device never ends) no larger than MAX_FILE_BYTES; its kind is
told from its bytes (an .xls, .ods, .xlsb, web page or Word file named .xlsx gets its own
message); then one streaming pass with a real XML parser reads every part calamine would read,
under limits on rows, columns, cells, texts, unpacked size and compression ratio, and calamine
opens a copy of exactly those parts (see Pass). A sheet reaching beyond the limits is refused
with a message naming the far cell.

files.py opens a file and tells its kind, limits.py holds the bounds, scan.py makes the bounded
pass, book.py opens the workbook with calamine, cells.py reads a cell as the analyst meant it.
"""

from __future__ import annotations

from .book import EXAMPLE_KEY, EXAMPLE_SHEET, HEADER_SEARCH_ROWS, YEAR_KEY, Book, Sheet  # noqa: F401
from .cells import normalise_header, parse_date, parse_number, shown, strip_text  # noqa: F401
from .files import MAX_FILE_BYTES, MAX_TEXT_BYTES, SAVE_AS_XLSX, read_regular_file, sha256  # noqa: F401
from .limits import (  # noqa: F401
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_PARTS,
    MAX_PENDING_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHARED_TEXT,
    MAX_UNPACKED_BYTES,
    MAX_XML_ELEMENTS,
    RATIO_FROM_BYTES,
)
