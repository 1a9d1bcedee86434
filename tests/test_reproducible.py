"""Byte-identical rebuilds (issue 12, item 3): the same inputs give the same bytes in every
output, built in another folder on another day.

Two project copies in differently named folders are built and exported by the CLI, each in its
own process with its own time zone: UTC+14 and UTC-12 are 26 hours apart, so the two runs'
local clocks show different dates (whatever the hour), and every local-time stamp (today's
date, zip entry times) would differ, as would any UTC stamp, since the runs are minutes apart.
Every output file must have the same SHA-256. This costs two full builds, once in the suite.
"""

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import project_copy

ZONES = ("Etc/GMT-14", "Etc/GMT+12")  # POSIX sign: GMT-14 is UTC+14
COMMENTS = """---
rapportdato: 2025-03-01
---
# Bemærkninger til statusrapporten 2024

## Flere deltager i afdelingsmøderne

Flere kom til møderne efter **opsøgende besøg** i opgangene.
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _outputs(root: Path) -> dict[str, str]:
    """Every file the build and the export published for 2024, with its SHA-256."""
    out = {}
    for folder in (root / "reports" / "2024", root / "data" / "processed" / "2024"):
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                out[p.relative_to(root).as_posix()] = _sha(p)
    return out


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    base = tmp_path_factory.mktemp("reproducerbar")
    roots = [project_copy(base / "a"), project_copy(base / "en anden mappe, længere navn")]
    for root, zone in zip(roots, ZONES, strict=True):
        (root / "data" / "raw" / "2024" / "bemaerkninger.md").write_text(COMMENTS, encoding="utf-8")
        env = dict(os.environ, HELHEDSPLAN_ROOT=str(root), TZ=zone)
        env.pop("SOURCE_DATE_EPOCH", None)
        done = subprocess.run([sys.executable, "-m", "helhedsplan", "eksport", "--aar", "2024",
                               "--renderer", "indbygget"], capture_output=True, text=True,
                              env=env, timeout=1200)
        assert done.returncode == 0, done.stderr
    return roots


def test_the_two_runs_had_different_local_dates():
    now = dt.datetime.now(dt.UTC)
    dates = {now.astimezone(ZoneInfo(z)).date() for z in ZONES}
    assert len(dates) == 2


def test_every_output_is_byte_identical(two_builds):
    a, b = (_outputs(root) for root in two_builds)
    assert set(a) == set(b)
    kinds = {Path(name).suffix for name in a}
    assert {".html", ".pdf", ".zip", ".ipynb", ".csv", ".json"} <= kinds
    different = sorted(name for name in a if a[name] != b[name])
    print(f"\nbyte-identical outputs: {len(a) - len(different)}/{len(a)}")
    for name in sorted(a):
        print(("  same " if name not in different else "  DIFF ") + name)
    assert different == []


def test_the_zip_entries_are_identical_and_dated_by_the_report_date(two_builds):
    zips = [next((root / "reports" / "2024").glob("*.zip")) for root in two_builds]
    with zipfile.ZipFile(zips[0]) as za, zipfile.ZipFile(zips[1]) as zb:
        assert [i.filename for i in za.infolist()] == [i.filename for i in zb.infolist()]
        for info in za.infolist():
            assert za.read(info) == zb.read(info.filename), info.filename
            assert info.date_time == (2025, 3, 1, 12, 0, 0), info.filename
            assert (info.external_attr >> 16) & 0o777 == 0o644
        manifest = json.loads(za.read("manifest.json"))
    assert manifest["rapportdato"] == "2025-03-01" and "oprettet" not in manifest


def test_no_build_folder_path_in_any_output(two_builds):
    for root in two_builds:
        needles = [str(root).encode(), b".byg/", str(root).encode("unicode_escape")]
        for name in _outputs(root):
            data = (root / name).read_bytes()
            if name.endswith(".zip"):
                with zipfile.ZipFile(root / name) as zf:
                    data = b"".join(zf.read(i) for i in zf.infolist()
                                    if not i.filename.endswith((".pdf", ".xlsx")))
            for needle in needles:
                assert needle not in data, (name, needle)


def test_the_report_shows_the_analysts_report_date(two_builds):
    html = (two_builds[0] / "reports" / "2024" / "statusrapport.html").read_text(encoding="utf-8")
    assert "1. marts 2025" in html.split("</header>")[0]
