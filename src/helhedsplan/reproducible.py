"""Byte-identical rebuilds: the same inputs give the same bytes, on another day, in another folder.

Every timestamp written into an output derives from the report date (``rapportdato`` in the
year's bemaerkninger.md), or, without one, from the report year: never from the clock. The
pipeline exports it as ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention, honoured by
matplotlib, pandoc and Typst), and the writers that take a time as an argument (typst-py,
openpyxl, zipfile) get it from ``epoch()``. Executed notebooks lose papermill's timings and the
build folder's paths, which would otherwise differ at every run.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

ENV = "SOURCE_DATE_EPOCH"


def epoch_for(report_date: dt.date | None, year: int) -> int:
    """Seconds since 1970 (UTC) for the outputs' timestamps: noon on the report date, or
    without one noon on 31 December of the report year."""
    day = report_date or dt.date(year, 12, 31)
    return int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC).timestamp())


def epoch(default: int | None = None) -> int:
    """SOURCE_DATE_EPOCH as the pipeline set it; else `default`; else 1 January 1980 (the
    first date a zip file can hold): a fixed time, never the clock."""
    value = os.environ.get(ENV, "")
    if value.strip().isdigit():
        return int(value)
    return default if default is not None else 315_532_800


def utc(seconds: int) -> dt.datetime:
    """The epoch as a naive UTC datetime, as openpyxl's core properties want it."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def zip_time(seconds: int) -> tuple[int, int, int, int, int, int]:
    return time.gmtime(max(seconds, 315_532_800))[:6]


def zip_entry(name: str, seconds: int) -> zipfile.ZipInfo:
    """A zip entry with a fixed time, fixed permissions (rw-r--r--) and deflate."""
    info = zipfile.ZipInfo(name, date_time=zip_time(seconds))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever system made it: the permissions below then mean it
    info.external_attr = 0o100644 << 16
    return info


def write_zip(entries: Iterable[tuple[str, bytes]], seconds: int) -> bytes:
    """A zip of the entries in the given order, every one with the same fixed time."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries:
            zf.writestr(zip_entry(name, seconds), data, compresslevel=6)
    return buf.getvalue()


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def rezip(data: bytes, seconds: int) -> bytes:
    """The same zip (an .xlsx from openpyxl) with every clock time replaced by `seconds`: the
    entries' times, and the core properties' created/modified (openpyxl's save() sets
    'modified' to the clock, whatever the workbook said)."""
    stamp = utc(seconds).strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    entries = [(name, _CORE_TIMES.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
                if name == "docProps/core.xml" else body) for name, body in entries]
    return write_zip(entries, seconds)


# --- executed notebooks -----------------------------------------------------------------------

_TIMING_KEYS = ("start_time", "end_time", "duration")


def normalise_notebook(path: Path, paths: dict[str, str]) -> None:
    """Strip what differs between two runs of the same notebook on the same inputs: papermill's
    and nbclient's timings, papermill's random cell id, and absolute paths (`paths` maps each
    absolute path, such as the build folder's, to the project-relative path it stands for)."""
    import nbformat  # lazy: 0,4 s to import; only normalising a notebook needs it

    nb = nbformat.read(str(path), as_version=4)
    for key in _TIMING_KEYS:
        nb.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for key in _TIMING_KEYS:
            cell.metadata.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"
    nbformat.write(_replace_paths(nb, paths), str(path))


def _replace_paths(node, paths: dict[str, str]):
    """Every string in the notebook with the absolute paths made relative (longest first; both
    as written and as papermill writes them into the parameters cell: escaped with Python's
    unicode_escape, so 'æ' is '\\xe6' and a Windows backslash is doubled)."""
    pairs = []
    for absolute, relative in sorted(paths.items(), key=lambda kv: -len(kv[0])):
        pairs.append((absolute, relative))
        escaped = absolute.encode("unicode_escape").decode("ascii").replace('"', '\\"')
        if escaped != absolute:
            pairs.append((escaped, relative))
    pattern = re.compile("|".join(re.escape(a) for a, _ in pairs)) if pairs else None
    lookup = dict(pairs)

    def walk(value):
        if isinstance(value, str):
            return pattern.sub(lambda m: lookup[m.group(0)], value) if pattern else value
        if isinstance(value, dict):
            for k in list(value):
                value[k] = walk(value[k])
            return value
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(node)
