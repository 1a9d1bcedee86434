"""Byte-identical rebuilds (issue 12, item 3): the same inputs give the same bytes in every
output, built in another folder on another day.

Two project copies in differently named folders are built and exported by the CLI, each in its
own process with its own time zone: UTC+14 and UTC-12 are 26 hours apart, so the two runs'
local clocks show different dates (whatever the hour), and every local-time stamp (today's
date, zip entry times) would differ, as would any UTC stamp, since the runs are minutes apart.
Every output file must have the same SHA-256. This costs two full builds, once in the suite.

The Quarto path is checked the same way when Quarto is on PATH (CI puts the kit there), at the
cost of two renders rather than two more builds: each built copy is copied again, to a third and
a fourth folder, and exported there with `--renderer quarto` in the other time zone, so only the
render stage (and the export) runs again.
"""

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import QUARTO, REPO, D, processed_dir, project_copy, report_dir

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
    for folder in (report_dir(root), processed_dir(root)):
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                out[p.relative_to(root).as_posix()] = _sha(p)
    return out


def _different(a: dict[str, str], b: dict[str, str], label: str) -> list[str]:
    """The outputs whose SHA-256 differ; every output listed as same or DIFF (shown on failure)."""
    different = sorted(name for name in a if a[name] != b[name])
    print(f"\nbyte-identical outputs{label}: {len(a) - len(different)}/{len(a)}")
    for name in sorted(a):
        print(("  same " if name not in different else "  DIFF ") + name)
    return different


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
    assert _different(a, b, "") == []


def test_the_zip_entries_are_identical_and_dated_by_the_report_date(two_builds):
    zips = [next(report_dir(root).glob("*.zip")) for root in two_builds]
    with zipfile.ZipFile(zips[0]) as za, zipfile.ZipFile(zips[1]) as zb:
        assert [i.filename for i in za.infolist()] == [i.filename for i in zb.infolist()]
        for info in za.infolist():
            assert za.read(info) == zb.read(info.filename), info.filename
            assert info.date_time == (2025, 3, 1, 12, 0, 0), info.filename
            assert (info.external_attr >> 16) & 0o777 == 0o644
        manifest = json.loads(za.read("manifest.json"))
    assert manifest["rapportdato"] == "2025-03-01" and "oprettet" not in manifest


def test_no_build_folder_path_in_any_output(two_builds):
    _assert_no_build_path(two_builds)


def _assert_no_build_path(roots):
    for root in roots:
        needles = [str(root).encode(), b".byg/", b"quarto-byg", str(root).encode("unicode_escape")]
        for name in _outputs(root):
            data = (root / name).read_bytes()
            if name.endswith(".zip"):
                with zipfile.ZipFile(root / name) as zf:
                    data = b"".join(zf.read(i) for i in zf.infolist()
                                    if not i.filename.endswith((".pdf", ".xlsx")))
            for needle in needles:
                assert needle not in data, (name, needle)


def test_the_word_reference_document_carries_no_clock_time(tmp_path, monkeypatch):
    # Word copies the reference document's entries, with their times: pandoc writes its own
    # reference.docx with the clock unless SOURCE_DATE_EPOCH is set, also outside the pipeline.
    from helhedsplan.render.word import reference_docx

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with zipfile.ZipFile(reference_docx(tmp_path / "reference.docx")) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_report_shows_the_analysts_report_date(two_builds):
    html = (report_dir(two_builds[0], 2024) / "statusrapport.html").read_text(encoding="utf-8")
    assert "1. marts 2025" in html.split("</header>")[0]


# --- the Quarto path ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_quarto_builds(two_builds, quarto_version, tmp_path_factory):
    """The two built projects, each copied to another folder and exported again with Quarto in
    the other time zone: only the render stage and the export run again (about 10 s each)."""
    base = tmp_path_factory.mktemp("reproducerbar-quarto")
    roots = []
    for built, name, zone in zip(two_builds, ("q", "en tredje mappe, æøå"), reversed(ZONES),
                                 strict=True):
        root = base / name
        shutil.copytree(built, root, ignore=shutil.ignore_patterns(".byg"))
        # the Quarto project's _quarto.yml names the project's assets (filter, Typst partials)
        shutil.copytree(REPO / "src" / "helhedsplan" / "assets",
                        root / "src" / "helhedsplan" / "assets")
        env = dict(os.environ, HELHEDSPLAN_ROOT=str(root), TZ=zone,
                   PATH=f"{Path(QUARTO).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        env.pop("SOURCE_DATE_EPOCH", None)
        done = subprocess.run([sys.executable, "-m", "helhedsplan", "eksport", "--aar", "2024",
                               "--renderer", "quarto"], capture_output=True, text=True,
                              env=env, timeout=1200)
        assert done.returncode == 0, done.stderr
        roots.append(root)
    return roots


def test_every_quarto_output_is_byte_identical(two_quarto_builds):
    a, b = (_outputs(root) for root in two_quarto_builds)
    assert set(a) == set(b)
    assert {f"reports/2024/{D}/statusrapport.html", f"reports/2024/{D}/statusrapport.pdf",
            f"reports/2024/{D}/statusrapport.docx"} <= set(a)
    html = (report_dir(two_quarto_builds[0], 2024) / "statusrapport.html").read_text("utf-8")
    assert 'name="generator" content="quarto-' in html  # Quarto made it, not the fallback
    assert _different(a, b, " (Quarto)") == []


def test_quarto_pdf_and_word_are_dated_by_the_report_date(two_quarto_builds):
    folder = report_dir(two_quarto_builds[0])
    pdf = (folder / "statusrapport.pdf").read_bytes()
    assert re.findall(rb"/CreationDate\(D:(\d{14})", pdf) == [b"20250301120000"]
    assert re.findall(rb"/ModDate\(D:(\d{14})", pdf) == [b"20250301120000"]
    with zipfile.ZipFile(folder / "statusrapport.docx") as zf:
        core = zf.read("docProps/core.xml").decode("utf-8")
        assert {i.date_time for i in zf.infolist()} == {(2025, 3, 1, 12, 0, 0)}
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == \
        ["2025-03-01T12:00:00Z"] * 2


def test_no_build_folder_path_in_any_quarto_output(two_quarto_builds):
    _assert_no_build_path(two_quarto_builds)
