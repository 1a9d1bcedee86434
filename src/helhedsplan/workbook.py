"""Writing input workbooks with openpyxl: the same layout for example data and blank templates.

A workbook has one data sheet per layout of its source (header row with the exact column names,
number formats, dropdowns for closed fields, checks on numbers and dates), a hidden sheet
'Lister' with the dropdowns' values, and 'Om filen': which source and year, whether the figures
are example data, and for every sheet how to fill it in, what each column means, its unit,
where the figure comes from, and an example row. Everything comes from the Source/Column
definitions and the delaftale configuration, as the ingest does.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from . import config, reproducible
from .config import Config
from .excel import EXAMPLE_SHEET
from .sources.columns import Column, Layout, Source

NUMBER_FORMATS = {"int": "#,##0", "float": "#,##0.0", "share": "0.0", "date": "DD-MM-YYYY",
                  "text": "@"}
LISTS_SHEET = "Lister"
LAST_ROW = 1_048_576  # Excel's last row: checks and dropdowns cover the whole column
_FIXED_TIME = dt.datetime(2024, 1, 1)  # stable document properties → reproducible files
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_BOLD = Font(bold=True)


# --- Reading and printing well in Excel and LibreOffice ------------------------------------

LINE_HEIGHT = 15.0  # points per line of 11 pt Calibri, Excel's default row height
_CHARS_PER_WIDTH = 1.0  # a column of width w holds about w characters of 11 pt Calibri


def _lines(text: object, width: float) -> int:
    """How many lines a wrapped cell of this column width needs (a little generous, since
    LibreOffice's and Excel's fonts differ)."""
    if text is None or text == "":
        return 1
    per_line = max(1, int((width - 1) * _CHARS_PER_WIDTH * 0.92))
    lines = 0
    for part in str(text).splitlines() or [""]:
        words, n, used = part.split(), 1, 0
        for word in words:
            need = len(word) + (1 if used else 0)
            if used and used + need > per_line:
                n += 1
                used = len(word)
            else:
                used += need
            while used > per_line:  # a word longer than the line wraps anywhere
                n += 1
                used -= per_line
        lines += n
    return lines


def fit_row_heights(ws, first_row: int = 1) -> None:
    """Set each row's height to fit its wrapped cells. Neither Excel nor LibreOffice sizes
    rows of a written file by itself, so long texts would overlap or be cut off."""
    widths = {letter: (dim.width or 8.43) for letter, dim in ws.column_dimensions.items()}
    merged = {}
    for rng in ws.merged_cells.ranges:
        total = sum(widths.get(get_column_letter(c), 8.43)
                    for c in range(rng.min_col, rng.max_col + 1))
        merged[(rng.min_row, rng.min_col)] = total
    for row in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if cell.value is None or not (cell.alignment and cell.alignment.wrap_text):
                continue
            width = merged.get((cell.row, cell.column),
                               widths.get(cell.column_letter, 8.43))
            lines = max(lines, _lines(cell.value, width))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = LINE_HEIGHT * lines + 2


def print_setup(ws, *, landscape: bool, one_page: bool = False, title_rows: str | None = "1:1"
                ) -> None:
    """A4, fit to the page width (never a column split over pages), the header row repeated on
    every page, and a footer with the file name, the sheet and the page number."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages down as needed
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.left.text = "&F"
    ws.oddFooter.center.text = "&A"
    ws.oddFooter.right.text = "Side &P af &N"
    for part in (ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):
        part.size = 8


def _excel_serial(d: dt.date) -> int:
    return (d - dt.date(1899, 12, 30)).days


def _validation(col: Column, cfg: Config, year: int, lists: dict[str, str]) -> DataValidation | None:
    """The Excel-side check for a column: a dropdown for closed fields, ranges for numbers/dates."""
    allowed = col.allowed(cfg)
    if allowed:
        dv = DataValidation(type="list", formula1=lists[col.key], allow_blank=True)
        dv.error = f"Vælg {col.choice_label or 'en værdi'} fra listen."
        dv.prompt = f"Vælg {col.choice_label or 'en værdi'} fra listen (pilen til højre)."
        dv.showInputMessage = True  # shown when the cell is selected, in Excel and LibreOffice
    elif col.kind == "int":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                            allow_blank=True)
        dv.error = "Skriv et helt tal (0 eller derover)."
    elif col.kind == "float":
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                            allow_blank=True)
        dv.error = "Skriv et tal (0 eller derover)."
    elif col.kind == "share":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                            allow_blank=True)
        dv.error = "Skriv en andel i procent mellem 0 og 100."
    elif col.kind == "date":
        dv = DataValidation(type="date", operator="between",
                            formula1=str(_excel_serial(dt.date(year, 1, 1))),
                            formula2=str(_excel_serial(dt.date(year, 12, 31))), allow_blank=True)
        dv.error = f"Skriv en dato i {year} (dd-mm-åååå)."
    else:
        return None
    if col.none_words:  # 'intet møde' must stay possible: warn, do not stop
        dv.errorStyle = "warning"
        dv.error += f" Eller skriv '{col.none_words[0]}'."
    dv.errorTitle = col.header[:32]  # Excel's limit for both titles
    dv.promptTitle = col.header[:32]
    dv.showErrorMessage = True
    return dv


def _data_sheet(wb: Workbook, layout: Layout, cfg: Config, year: int, rows: list[dict],
                lists: dict[str, str], first: bool):
    ws = wb.active if first else wb.create_sheet()
    ws.title = layout.sheet
    for j, col in enumerate(layout.columns, start=1):
        letter = get_column_letter(j)
        cell = ws.cell(row=1, column=j, value=col.header)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Wide enough for the longest usual value (a list's longest choice, the example, a
        # date); a long header wraps instead of widening the column.
        usual = [str(v) for v in (col.allowed(cfg) or [])] + [str(col.example_for(year, cfg) or "")]
        longest = max((len(v) for v in usual), default=0)
        header_words = max((len(w) for w in col.header.split()), default=0)
        ws.column_dimensions[letter].width = min(max(12, longest + 3, header_words + 3,
                                                     min(len(col.header), 24) + 3), 40)
        # The column's format applies to every cell typed into it later, without making cells.
        ws.column_dimensions[letter].number_format = NUMBER_FORMATS[col.kind]
        for i, row in enumerate(rows, start=2):
            value = row.get(col.key)
            if col.kind == "date" and isinstance(value, str):
                value = dt.datetime.strptime(value, "%d-%m-%Y")
            c = ws.cell(row=i, column=j, value=value)
            c.number_format = NUMBER_FORMATS[col.kind]
        dv = _validation(col, cfg, year, lists)
        if dv is not None:
            dv.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    fit_row_heights(ws)
    total_width = sum(ws.column_dimensions[get_column_letter(j)].width
                      for j in range(1, len(layout.columns) + 1))
    print_setup(ws, landscape=total_width > 90)


def _lists_sheet(wb: Workbook, layouts: tuple[Layout, ...], cfg: Config) -> dict[str, str]:
    """The dropdowns' values, one column each, in a hidden sheet (inline lists break on commas)."""
    refs: dict[str, str] = {}
    closed = {c.key: c for layout in layouts for c in layout.columns if c.choices}
    if not closed:
        return refs
    ws = wb.create_sheet(LISTS_SHEET)
    for j, col in enumerate(closed.values(), start=1):
        letter = get_column_letter(j)
        ws.cell(row=1, column=j, value=col.header).font = _BOLD
        values = col.allowed(cfg)
        for i, v in enumerate(values, start=2):
            ws.cell(row=i, column=j, value=v)
        refs[col.key] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return refs


def _allowed_text(col: Column, cfg: Config) -> str:
    if col.allowed(cfg):
        return ", ".join(str(v) for v in col.allowed(cfg))
    if col.none_words:
        return f"{col.expected}, eller '{col.none_words[0]}'"
    return col.expected


def _about_sheet(wb: Workbook, src: Source, layouts: tuple[Layout, ...], cfg: Config, year: int,
                 *, example: bool, note: str):
    about = wb.create_sheet(EXAMPLE_SHEET)
    about.append(["Kilde", src.title])
    about.append(["Hvor tallene kommer fra", src.origin])
    about.append(["År", year])
    about.append(["Eksempeldata", "ja" if example else "nej"])
    if example:
        about.append(["", "EKSEMPELDATA: tallene er opdigtede (undtagen baselineårenes tal, som "
                          "står i delaftalen). Må ikke bruges som rigtige data."])
    if note:
        about.append(["Bemærkning", note])
    about.append(["Sådan", "Skriv tallene for året under overskrifterne, én række pr. linje. "
                           "Overskrifterne og arkenes navne skal stå, som de er. Tal må skrives "
                           "på dansk (6,3 og 1.234). Lad 'År' stå som årets tal; sæt "
                           "'Eksempeldata' til 'nej' i rigtige data."])
    if len(layouts) > 1:
        about.append(["Flere ark", "Tallene kan skrives på flere måder, ét ark for hver: udfyld "
                                   "kun ét af arkene " + ", ".join(f"'{la.sheet}'" for la in layouts)
                      + "."])
    for layout in layouts:
        about.append([])
        about.append([f"Arket '{layout.sheet}'", layout.instructions or layout.title])
        about[about.max_row][0].font = _BOLD
        about.append(["Kolonne", "Betydning", "Enhed", "Hvor tallet kommer fra", "Udfyldes altid",
                      "Tilladte værdier", "Eksempel"])
        for cell in about[about.max_row]:
            cell.font = _BOLD
            cell.fill = _HEADER_FILL
        for col in layout.columns:
            about.append([col.header, col.describe(cfg), col.unit, col.origin or src.origin,
                          "ja" if col.required else "nej", _allowed_text(col, cfg),
                          col.example_for(year, cfg)])
        about.append(["Eksempelrække:"])
        about.append([col.header for col in layout.columns])
        for cell in about[about.max_row]:
            cell.font = _BOLD
        about.append([col.example_for(year, cfg) for col in layout.columns])
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 50
    for col in "CDEFG":
        about.column_dimensions[col].width = 20
    # Every text wraps within its column, and each row is as high as its longest text, so
    # nothing overlaps or is cut off in Excel or LibreOffice.
    for row in about.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    fit_row_heights(about)
    print_setup(about, landscape=True, title_rows=None)


def write_source_workbook(src: Source, path: Path, year: int, rows: list[dict], *,
                          example: bool, note: str = "", cfg: Config | None = None,
                          layouts: tuple[Layout, ...] | None = None,
                          overwrite: bool = True) -> Path:
    """Write one source's workbook: a data sheet per layout (rows go in the first), the hidden
    lists, then 'Om filen'. With overwrite=False an existing file is never replaced
    (FileExistsError)."""
    if cfg is None:
        cfg = config.default()
    layouts = layouts or (src.layout,)
    wb = Workbook()
    lists = _lists_sheet(wb, layouts, cfg)
    for i, layout in enumerate(layouts):
        _data_sheet(wb, layout, cfg, year, rows if i == 0 else [], lists, first=i == 0)
    if LISTS_SHEET in wb.sheetnames:  # data sheets first, so Excel opens on the first of them
        wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    _about_sheet(wb, src, layouts, cfg, year, example=example, note=note)
    wb.active = 0
    wb.properties.creator = "helhedsplan"
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl stamps every zip entry with the clock: a fixed time makes the same file each time
    data = reproducible.rezip(buffer.getvalue(), int(_FIXED_TIME.replace(tzinfo=dt.UTC).timestamp()))
    with open(path, "wb" if overwrite else "xb") as f:  # 'x': fail rather than overwrite
        f.write(data)
    return path
