"""Writing input workbooks with openpyxl: the same layout for example data and blank templates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .excel import EXAMPLE_SHEET
from .sources.base import Source

NUMBER_FORMATS = {"int": "#,##0", "float": "#,##0.0", "date": "DD-MM-YYYY", "text": "@"}
_FIXED_TIME = dt.datetime(2024, 1, 1)  # stable document properties → reproducible files


def write_source_workbook(src: Source, path: Path, year: int, rows: list[dict], *,
                          example: bool, note: str = "") -> Path:
    """Write one source's workbook: the data sheet, then 'Om filen' describing every column."""
    wb = Workbook()
    ws = wb.active
    ws.title = src.sheet
    bold = Font(bold=True)
    for j, col in enumerate(src.columns, start=1):
        cell = ws.cell(row=1, column=j, value=col.header)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        ws.column_dimensions[get_column_letter(j)].width = max(14, len(col.header) + 4)
        for i, row in enumerate(rows, start=2):
            value = row.get(col.key)
            if col.kind == "date" and isinstance(value, str):
                value = dt.datetime.strptime(value, "%d-%m-%Y")
            c = ws.cell(row=i, column=j, value=value)
            c.number_format = NUMBER_FORMATS[col.kind]
    ws.freeze_panes = "A2"

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
    about.append([])
    about.append(["Kolonne", "Betydning", "Enhed", "Udfyldes altid", "Eksempel"])
    for cell in about[about.max_row]:
        cell.font = bold
    for col in src.columns:
        about.append([col.header, col.description, col.unit, "ja" if col.required else "nej",
                      col.example])
    about.column_dimensions["A"].width = 34
    about.column_dimensions["B"].width = 70
    wb.properties.creator = "helhedsplan"
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
