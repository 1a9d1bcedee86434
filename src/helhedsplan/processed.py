"""The files of data/processed/<år>/ that one stage writes and later stages read.

A source's tidy table (`<kilde>.csv`), the years it was declared not measured
(`<kilde>.ikke_maalt.json`) and the list of files a stage read (`<navn>.inddata.json`), which
the report's appendix and the export's manifest list with their checksums. A file's record
holds the rows read and, under 'udeladt', those read but not counted, with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import NotBuilt
from .formatting import number

if TYPE_CHECKING:
    import pandas as pd


def write_inputs(inputs: list[dict], out_dir: Path, name: str) -> None:
    """Record the files a stage read (<name>.inddata.json) for the report and the export."""
    (Path(out_dir) / f"{name}.inddata.json").write_text(
        json.dumps(inputs, ensure_ascii=False, indent=1), encoding="utf-8")


def read_inputs(processed_dir: Path) -> list[dict]:
    """Every input file the stages recorded for a year, ordered by source, year and file."""
    inputs = []
    for path in sorted(Path(processed_dir).glob("*.inddata.json")):
        inputs += json.loads(path.read_text(encoding="utf-8"))
    return sorted(inputs, key=lambda i: (i["kilde"], i["aar"], i["fil"]))


def left_out_lines(inputs: list[dict]) -> list[str]:
    """Every row read but not counted, as sentences: '1 aktivitet dateret efter helhedsplanens
    slutdato 31.8.2025 er ikke talt med (data/raw/2025/aktivitetslog.xlsx, række 17).'"""
    out = []
    for i in inputs:
        for e in i.get("udeladt") or ():
            rows = e["raekker"]
            shown = ", ".join(map(str, rows[:10])) + (f" og {len(rows) - 10} flere"
                                                       if len(rows) > 10 else "")
            out.append(f"{number(e['antal'])} {e['navn']} {e['grund']} er ikke talt med "
                       f"({i['fil']}, {'række' if len(rows) == 1 else 'rækkerne'} {shown}).")
    return out


def left_out_count(record: dict) -> int:
    return sum(e["antal"] for e in record.get("udeladt") or ())


def write_not_measured(years: list[int], out_dir: Path, src_id: str) -> None:
    (Path(out_dir) / f"{src_id}.ikke_maalt.json").write_text(json.dumps(years), encoding="utf-8")


def read_not_measured(src_id: str, processed_dir: Path) -> set[int]:
    """Years the analyst declared the source not measured (data/raw/<år>/ikke_maalt.txt)."""
    path = Path(processed_dir) / f"{src_id}.ikke_maalt.json"
    return set(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else set()


def read_processed(src_id: str, processed_dir: Path) -> pd.DataFrame:
    # lazy: pandas takes 1-2 s to import (measured); the comments stage writes its record
    # without it
    import pandas as pd

    return pd.read_csv(Path(processed_dir) / f"{src_id}.csv")


def published(folder: Path, year: int, delaftale_id: str) -> Path:
    """The year's published folder (data/processed/<år>/<delaftale>/) for a notebook run by
    hand; when no build has made it yet, a Danish stop that says what to do."""
    if not (Path(folder) / "indikatorer.csv").is_file():
        raise NotBuilt(f"Der er ingen beregnede tal for {year} ({delaftale_id}) endnu: "
                       f"data/processed/{year}/{delaftale_id}/ er ikke lavet. Kør først "
                       f"make report AAR={year} DELAFTALE={delaftale_id}, og kør så "
                       "notesbogen igen.")
    return Path(folder)
