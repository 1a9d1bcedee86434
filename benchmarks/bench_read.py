"""Reading the largest plausible input: VIVE as 100.000 single answers, one row each.

Run by hand: `.venv/bin/python benchmarks/bench_read.py [rows]`. Writes the file in a temporary
folder (as the template's 'Enkeltsvar' sheet, filled in), then times in the same run:

- bare: `pandas.read_excel(path, engine="calamine")`, nothing else;
- ingest: what the pipeline's ingest does with the file (open it, check 'Om filen', match the
  headers, type every cell, validate with pandera, count the answers per gruppe into the tidy
  table, checksum the file): `sources.base.collect`, the ingest without writing the CSV.

Each is run several times, alternating, and the median is compared. The goal is ingest ≤ 1,3 ×
bare.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from helhedsplan import config
from helhedsplan.sources import vive
from helhedsplan.sources.base import collect
from helhedsplan.workbook import write_source_workbook

YEAR = 2021
REPEAT = 7


def make_file(folder: Path, rows: int, cfg) -> Path:
    rng = random.Random(2021)
    groups = cfg.area_names
    weights = (30, 35, 18, 9, 4, 4)  # a plausible spread over the answer scale
    answers = [{"gruppe": rng.choice(groups),
                "svarkategori": rng.choices(vive.CATEGORIES, weights)[0]} for _ in range(rows)]
    path = folder / str(YEAR) / vive.SOURCE.filename
    return write_source_workbook(vive.SOURCE, path, YEAR, answers, example=True, cfg=cfg,
                                 layouts=(vive.SINGLE_ANSWERS_LAYOUT,))


def main(rows: int = 100_000) -> float:
    cfg = config.default()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = make_file(Path(tmp), rows, cfg)
        print(f"Skrev {rows:,} enkeltsvar ({path.stat().st_size / 1e6:.1f} MB) på "
              f"{time.perf_counter() - t0:.1f} s")
        bare, ingest = [], []
        for _ in range(REPEAT):
            t = time.perf_counter()
            pd.read_excel(path, engine="calamine")
            bare.append(time.perf_counter() - t)
            t = time.perf_counter()
            got = collect(vive.SOURCE, cfg, Path(tmp), YEAR)
            ingest.append(time.perf_counter() - t)
            assert not got.problems, got.problems
        assert int(got.table.loc[got.table["gruppe"] == vive.HELHEDSPLAN_GROUP, "svar"].iloc[0]
                   + got.table.loc[got.table["gruppe"] == vive.HELHEDSPLAN_GROUP,
                                   "ved_ikke_antal"].iloc[0]) == rows
    b, i = statistics.median(bare), statistics.median(ingest)
    print(f"pandas.read_excel(engine='calamine'): {b:.3f} s (median af {REPEAT})")
    print(f"helhedsplan-indlæsning med kontrol:    {i:.3f} s (median af {REPEAT})")
    print(f"forhold: {i / b:.2f} (mål: højst 1,30)")
    return i / b


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
