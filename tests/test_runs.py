"""Publishing as one unit, kills at named points, the run lock, and freshness by content.

Kills and pauses are injected at named points (runs.testpoint: HELHEDSPLAN_STOP /
HELHEDSPLAN_PAUSE), never left to timing. The planner tests check which stages a change makes
run without starting kernels; the end-to-end tests run the real pipeline on a copy of the
session's built project.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helhedsplan import freshness, pipeline, publishing, runs
from helhedsplan.errors import InputError

from .conftest import D, report_dir

INGEST = {"indlaes_beboerdata", "indlaes_afdelingsmoeder", "indlaes_livskvalitet",
          "indlaes_anmeldelser", "indlaes_aktiviteter"}
DOWNSTREAM = {"indikatorer", "rapport", "render"}
COMMENTS = {"bemaerkninger", "render"}  # text only: no kernel, the render step fills it in
ALL = INGEST | DOWNSTREAM | {"bemaerkninger"}


def _digest(root: Path, *folders: str) -> dict[str, str]:
    out = {}
    for folder in folders:
        for p in sorted((root / folder).rglob("*")):
            if p.is_file():
                out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _published(root: Path) -> dict[str, str]:
    return _digest(root, "data/processed", "reports/2024")


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, HELHEDSPLAN_ROOT=str(root))
    env.pop("HELHEDSPLAN_STOP", None)
    env.pop("HELHEDSPLAN_PAUSE", None)
    return env | extra


def _cli(root: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helhedsplan", *args], capture_output=True,
                          text=True, env=_env(root, **extra), timeout=600)


# --- publishing, on a small made-up set (no kernels) ---------------------------------------------

def _fake_sets(root: Path) -> tuple[Path, dict[str, str], dict[str, str]]:
    """An old published set in root and a new one staged in .byg/2024-x/; both as digests."""
    old = {"data/processed/2024/a.csv": "gammel a", "data/processed/2024/b.csv": "gammel b",
           "reports/2024/statusrapport.html": "gammel html",
           "reports/2024/statusrapport.pdf": "gammel pdf",
           "reports/2024/notesbøger/x.ipynb": "gammel nb"}
    for rel, text in old.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    staging = root / ".byg" / "2024-x"  # made under the lock (copied from root/ny)
    new = {"data/processed/2024/a.csv": "ny a", "data/processed/2024/c.csv": "ny c",
           "reports/2024/statusrapport.html": "ny html", "reports/2024/statusrapport.pdf": "ny pdf",
           "reports/2024/statusrapport.docx": "ny docx", "reports/2024/notesbøger/x.ipynb": "ny nb"}
    for rel, text in new.items():
        (root / "ny" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "ny" / rel).write_text(text, encoding="utf-8")
    sha = lambda d: {k: hashlib.sha256(v.encode()).hexdigest() for k, v in d.items()}  # noqa: E731
    return staging, sha(old), sha(new)


PUBLISH = """
import shutil, sys
from pathlib import Path
from helhedsplan import publishing, runs
root = Path(sys.argv[1]); staging = root / ".byg" / "2024-x"
if sys.argv[2] == "flyt":
    publishing.exchange = None  # the path taken where folders cannot be exchanged (Windows)
with runs.lock(root):
    shutil.copytree(root / "ny", staging / "ny")
    new = sorted(p for p in (staging / "ny").rglob("*") if p.is_file())
    runs.publish(root, staging, [(p, root / p.relative_to(staging / "ny")) for p in new],
                 remove=[root / "data/processed/2024/b.csv"])
"""

FOLDERS = ("data/processed/2024/", "reports/2024/")
# The instants of each way to publish; from "udgiv:fastlagt" on, the new set is committed.
POINTS = {"bytte": ["udgiv:klar", "udgiv:fastlagt", "udgiv:ny:1", "udgiv:ny:2", "udgiv:slut"],
          "flyt": ["udgiv:klar", "udgiv:journal", "udgiv:gammel:1", "udgiv:gammel:2",
                   "udgiv:fastlagt", "udgiv:ny:1", "udgiv:ny:2", "udgiv:slut"]}


def _in(folder: str, files: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in files.items() if k.startswith(folder)}


@pytest.mark.parametrize(("method", "point"), [(m, p) for m, ps in POINTS.items() for p in ps])
def test_a_kill_inside_publish_leaves_the_old_or_the_new_set(tmp_path, method, point):
    root = tmp_path
    _, old, new = _fake_sets(root)
    run = subprocess.run([sys.executable, "-c", PUBLISH, str(root), method],
                         env=_env(root, HELHEDSPLAN_STOP=point), capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == -9, run.stderr  # killed at the point, no clean-up ran
    visible = _published(root)
    if method == "bytte":
        # A folder is swapped in one step: at every instant a reader finds each folder whole,
        # all old or all new, never missing a file.
        for folder in FOLDERS:
            assert _in(folder, visible) in (_in(folder, old), _in(folder, new)), (folder, visible)
    else:
        # Folders move aside, then the new ones come: part of one set, never old and new mixed.
        assert (all(old.get(k) == v for k, v in visible.items())
                or all(new.get(k) == v for k, v in visible.items())), visible
    messages = []
    with runs.lock(root, log=messages.append):  # the next run of any year recovers
        pass
    after = _published(root)
    committed = POINTS[method].index(point) >= POINTS[method].index("udgiv:fastlagt")
    assert after == (new if committed else old)
    assert sorted(p.name for p in (root / ".byg").iterdir()) == [runs.LOCK]  # leftovers gone
    if point not in ("udgiv:slut", "udgiv:klar"):
        assert any("afbrudt kørsel" in m for m in messages)


def _publish_in_process(root: Path, staging: Path, **kwargs) -> None:
    shutil.copytree(root / "ny", staging / "ny")
    new = [(p, root / p.relative_to(staging / "ny"))
           for p in sorted((staging / "ny").rglob("*")) if p.is_file()]
    runs.publish(root, staging, new, remove=[root / "data/processed/2024/b.csv"], **kwargs)


def test_a_folder_that_cannot_be_moved_keeps_the_whole_old_set(tmp_path, monkeypatch):
    """Where folders cannot be exchanged (Windows), the old folder moves aside first; a file
    open in another program makes that fail: everything moved goes back, nothing changed."""
    root = tmp_path
    staging, old, _ = _fake_sets(root)
    monkeypatch.setattr(publishing, "exchange", None)
    real = os.rename
    reports = root / "reports/2024"

    def rename(src, dest):
        if Path(src) == reports:  # as Windows does while the PDF in it is open in a viewer
            raise PermissionError(13, "Permission denied")
        real(src, dest)

    monkeypatch.setattr(os, "rename", rename)
    with runs.lock(root), pytest.raises(runs.PublishError) as err:
        _publish_in_process(root, staging)
    assert "Mappen reports/2024 kunne ikke erstattes" in str(err.value)
    assert "Intet er ændret" in str(err.value)
    assert _published(root) == old
    assert sorted(p.name for p in (root / ".byg").iterdir()) == sorted([runs.LOCK, "2024-x"])


def test_a_folder_in_place_of_a_file_stops_the_run_before_anything_moves(tmp_path):
    """Issue 23 #3: reports/2024/statusrapport.html is a folder. The run stops before anything
    moves, naming it and what to do; the folder and what is in it are left alone."""
    root = tmp_path
    staging, old, new = _fake_sets(root)
    html = root / "reports/2024/statusrapport.html"
    html.unlink()
    (html / "mine noter").mkdir(parents=True)
    (html / "mine noter" / "a.txt").write_text("vigtigt", encoding="utf-8")
    (root / "reports/2024/notesbøger/x.ipynb").unlink()
    (root / "reports/2024/notesbøger/x.ipynb").mkdir()
    before = _published(root)
    with runs.lock(root), pytest.raises(runs.PublishError) as err:
        _publish_in_process(root, staging)
    text = str(err.value)
    assert "reports/2024/statusrapport.html er en mappe, men den nye statusrapport.html skal " \
           "ligge der som en fil. Flyt mappen et andet sted hen" in text
    assert "reports/2024/notesbøger/x.ipynb er en mappe" in text  # every problem, at once
    assert "Intet er ændret" in text
    assert _published(root) == before
    assert not list((root / ".byg").glob("*/journal.json"))
    # Once the folder is out of the way, the same publish goes through.
    shutil.rmtree(html)
    (root / "reports/2024/notesbøger/x.ipynb").rmdir()
    shutil.rmtree(staging)
    with runs.lock(root):
        _publish_in_process(root, staging)
    assert _published(root) == new


def test_a_file_where_a_folder_must_go_and_a_write_protected_file_stop_the_run(tmp_path,
                                                                              monkeypatch):
    root = tmp_path
    staging, old, _ = _fake_sets(root)
    shutil.rmtree(root / "reports/2024/notesbøger")
    (root / "reports/2024/notesbøger").write_text("en fil", encoding="utf-8")
    pdf = root / "reports/2024/statusrapport.pdf"
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p) != pdf and real(p, mode, **kw))
    before = _published(root)
    with runs.lock(root), pytest.raises(runs.PublishError) as err:
        _publish_in_process(root, staging)
    assert "reports/2024/notesbøger er en fil, men de nye resultater skal have en mappe" in str(err.value)
    assert "Filen reports/2024/statusrapport.pdf kunne ikke erstattes: den er skrivebeskyttet" \
        in str(err.value)
    assert _published(root) == before


@pytest.mark.parametrize("method", ["bytte", "flyt"])
def test_a_failure_after_the_commit_point_is_said_and_rolled_forward_by_the_next_run(
        tmp_path, monkeypatch, method):
    """Issue 23 #3: should a folder still fail to go in after the commit point, the message says
    what is in place and what a reader finds now; the next run finishes it, or says again why
    it cannot, and never leaves a broken set behind."""
    root = tmp_path
    staging, old, new = _fake_sets(root)
    real_rename = os.rename
    failing = {"on": True}

    def rename(src, dest):
        if failing["on"] and Path(dest) == root / "reports/2024" and "-udgivelse" in str(src):
            raise OSError(5, "Input/output error")
        real_rename(src, dest)

    monkeypatch.setattr(os, "rename", rename)
    if method == "bytte":
        real_exchange = publishing.exchange

        def exchange(a, b):
            if failing["on"] and Path(b) == root / "reports/2024":
                raise OSError(5, "Input/output error")
            real_exchange(a, b)

        monkeypatch.setattr(publishing, "exchange", exchange)
    else:
        monkeypatch.setattr(publishing, "exchange", None)
    with runs.lock(root), pytest.raises(runs.PublishError) as err:
        _publish_in_process(root, staging)
    text = str(err.value)
    assert text.startswith("De nye resultater blev kun delvist udgivet: data/processed/2024 er sat "
                           "på plads, men reports/2024 kunne ikke sættes på plads (Input/output error).")
    if method == "bytte":
        assert "Lige nu: reports/2024 indeholder stadig de gamle resultater" in text
        assert _in("reports/", _published(root)) == _in("reports/", old)
    else:
        assert "Lige nu: reports/2024 mangler; de gamle resultater ligger i .byg/2024-x-udgivelse/" in text
    assert _in("data/", _published(root)) == _in("data/", new)
    # The next run finds the same fault: it says so and changes nothing.
    with pytest.raises(runs.PublishError) as again, runs.lock(root):
        pass
    assert "En tidligere kørsel (2024-x) nåede ikke at udgive alle sine resultater" in str(again.value)
    # The fault is gone: the next run finishes the publish before anything else.
    failing["on"] = False
    messages = []
    with runs.lock(root, log=messages.append):
        pass
    assert any("udgivelsen er gjort færdig (reports/2024 er sat på plads)" in m for m in messages)
    assert _published(root) == new
    assert sorted(p.name for p in (root / ".byg").iterdir()) == [runs.LOCK]


def test_what_else_lies_in_a_folder_stays_and_unchanged_files_are_the_same_files(tmp_path):
    root = tmp_path
    staging, _, new = _fake_sets(root)
    own = root / "reports/2024/mine noter/referat.txt"
    own.parent.mkdir()
    own.write_text("mit referat", encoding="utf-8")
    zip_ = root / "reports/2024/eksport.zip"
    zip_.write_bytes(b"zip")
    beside = root / "reports/2024/notesbøger/y.ipynb"  # unchanged, beside a new x.ipynb
    beside.write_text("y", encoding="utf-8")
    kept = root / "data/processed/2024/a.csv"
    inode = kept.stat().st_ino
    with runs.lock(root):
        shutil.copytree(root / "ny", staging / "ny")
        (staging / "ny/data/processed/2024/a.csv").unlink()  # unchanged: not in the new files
        runs.publish(root, staging, [(p, root / p.relative_to(staging / "ny")) for p in
                                     sorted((staging / "ny").rglob("*")) if p.is_file()],
                     folders=[root / "data/processed/2024", root / "reports/2024"])
    assert own.read_text(encoding="utf-8") == "mit referat" and zip_.read_bytes() == b"zip"
    assert beside.read_text(encoding="utf-8") == "y"
    assert kept.stat().st_ino == inode  # the same file, linked into the new folder
    visible = _published(root)
    assert visible["reports/2024/statusrapport.docx"] == new["reports/2024/statusrapport.docx"]
    assert "data/processed/2024/b.csv" in visible  # not removed: nobody said so


def test_a_journal_from_the_file_by_file_publishing_is_still_finished(tmp_path):
    """A run killed by the earlier version (files moved one by one) is rolled back by this one."""
    root = tmp_path
    pdf = root / "reports/2024/statusrapport.pdf"
    aside = root / ".byg/2024-gammel/gammel/reports/2024/statusrapport.pdf"
    aside.parent.mkdir(parents=True)
    aside.write_text("gammel pdf", encoding="utf-8")
    (aside.parents[3] / runs.JOURNAL).write_text(json.dumps(
        {"tilstand": "forbereder", "gamle": [["reports/2024/statusrapport.pdf",
                                              ".byg/2024-gammel/gammel/reports/2024/statusrapport.pdf"]],
         "nye": []}), encoding="utf-8")
    messages = []
    with runs.lock(root, log=messages.append):
        pass
    assert pdf.read_text(encoding="utf-8") == "gammel pdf"
    assert any("de gamle resultater er lagt tilbage" in m for m in messages)


# --- the lock --------------------------------------------------------------------------------------

HOLD = """
import sys
from pathlib import Path
from helhedsplan import runs
with runs.lock(Path(sys.argv[1])):
    runs.testpoint("holder")
"""


def test_a_second_run_stops_with_the_holders_pid_and_a_killed_holder_is_taken_over(tmp_path):
    root = tmp_path
    gate = tmp_path / "gate"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(root)],
                              env=_env(root, HELHEDSPLAN_PAUSE=f"holder:{gate}"))
    try:
        while not Path(str(gate) + ".venter").exists():
            assert holder.poll() is None, "the holder ended before it paused"
            os.sched_yield()
        with pytest.raises(runs.RunLocked) as err:
            with runs.lock(root):
                pass
        assert f"proces {holder.pid}, startet " in str(err.value)
        assert "--vent" in str(err.value)
    finally:
        holder.kill()  # SIGKILL: it never releases anything itself
        holder.wait()
    messages = []
    with runs.lock(root, log=messages.append):
        assert any(f"afbrudt kørsel (proces {holder.pid}" in m for m in messages), messages


# --- freshness by content: which stages a change makes run (no kernels) -----------------------------

@pytest.fixture()
def built(built_project, tmp_path):
    """A copy of the session's built project (2018, 2021, 2024) that a test may change."""
    root, _ = built_project
    dest = Path(shutil.copytree(root, tmp_path / "p", ignore=shutil.ignore_patterns(".byg")))
    assert pipeline.status(2024, dest, "indbygget", delaftale=D) == []
    return dest


def _running(root: Path, renderer: str = "indbygget") -> set[str]:
    labels = {s.label: s.id for s in pipeline.stages(root, delaftale=D)}
    return {labels[r.split(": ", 1)[0]] for r in pipeline.status(2024, root, renderer, delaftale=D)}


def _touch_bytes(path: Path) -> None:
    path.write_bytes((path.read_bytes() if path.exists() else b"") + b"\n")


@pytest.mark.slow
@pytest.mark.parametrize(("rel", "expected"), [
    ("data/raw/2024/beboerdata.xlsx", {"indlaes_beboerdata", "indlaes_afdelingsmoeder"} | DOWNSTREAM),
    ("data/raw/2021/beboerdata.xlsx", {"indlaes_beboerdata", "indlaes_afdelingsmoeder"} | DOWNSTREAM),
    ("data/raw/2024/sab_afdelingsmoeder.xlsx", {"indlaes_afdelingsmoeder"} | DOWNSTREAM),
    ("data/raw/2021/vive_livskvalitet.xlsx", {"indlaes_livskvalitet"} | DOWNSTREAM),
    ("data/raw/2024/politi_anmeldelser.xlsx", {"indlaes_anmeldelser"} | DOWNSTREAM),
    ("data/raw/2024/aktivitetslog.xlsx", {"indlaes_aktiviteter"} | DOWNSTREAM),
    ("data/raw/2024/bemaerkninger.md", COMMENTS),
    ("config/delaftaler/sammenhaengskraft.yaml", ALL),
    ("notebooks/13_indlaes_livskvalitet.ipynb", {"indlaes_livskvalitet"} | DOWNSTREAM),
    ("notebooks/20_indikatorer.ipynb", DOWNSTREAM),
    ("reports/statusrapport.ipynb", {"rapport", "render"}),
    ("_quarto.yml", {"render"}),
    ("data/raw/2021/bemaerkninger.md", set()),  # another year's comments are not read for 2024
])
def test_a_changed_input_reruns_exactly_what_reads_it(built, rel, expected):
    _touch_bytes(built / rel)
    assert _running(built) == expected


@pytest.mark.slow
def test_the_report_date_reruns_the_report_notebook_and_the_comments_do_not(built):
    """The report date sets the timestamps in the report's figures; the comments below it are
    filled in by the render step."""
    comments = built / "data" / "raw" / "2024" / "bemaerkninger.md"
    text = comments.read_text(encoding="utf-8")
    assert "rapportdato: 2025-03-01" in text
    comments.write_text(text + "\nNy tekst.\n", encoding="utf-8")
    assert _running(built) == COMMENTS
    comments.write_text(text.replace("2025-03-01", "2025-03-02"), encoding="utf-8")
    assert _running(built) == {"bemaerkninger", "rapport", "render"}
    comments.unlink()
    assert _running(built) == {"bemaerkninger", "rapport", "render"}
    pipeline.build(2024, root=built, renderer="indbygget", log=lambda m: None)
    comments.write_text("## Aktiviteter\n\nTekst uden rapportdato.\n", encoding="utf-8")
    assert _running(built) == COMMENTS  # no file and no front matter: no report date either way


@pytest.mark.slow
def test_new_and_removed_files_and_dates(built):
    new = built / "data" / "raw" / "2022" / "vive_livskvalitet.xlsx"
    shutil.copy(built / "data" / "raw" / "2021" / "vive_livskvalitet.xlsx", new)
    assert _running(built) == {"indlaes_livskvalitet"} | DOWNSTREAM
    assert any("data/raw/2022/vive_livskvalitet.xlsx er kommet til" in r
               for r in pipeline.status(2024, built, "indbygget", delaftale=D))
    new.unlink()
    later = built / "data" / "raw" / "2031"  # a later year is not read for 2024
    later.mkdir()
    (later / "beboerdata.xlsx").write_bytes(b"x")
    cfg = built / "config" / "delaftaler" / "sammenhaengskraft.yaml"
    os.utime(cfg, (1, 1))  # a date says nothing: same content, same state
    assert _running(built) == set()
    (report_dir(built, 2024) / "statusrapport.pdf").unlink()  # a lost output is made again
    assert _running(built) == {"render"}


def test_the_pipeline_knows_the_declarations_file_by_its_name():
    from helhedsplan.sources import folder

    assert pipeline.NOT_MEASURED == folder.NOT_MEASURED_FILE


@pytest.mark.slow
def test_a_stray_file_is_checked_although_no_stage_reads_it(built):
    (built / "data" / "raw" / "2024" / "beboerdata (2).xlsx").write_bytes(
        (built / "data" / "raw" / "2024" / "beboerdata.xlsx").read_bytes())
    assert _running(built) == set()
    with pytest.raises(InputError) as err:
        pipeline.build(2024, root=built, renderer="indbygget", log=lambda m: None)
    assert "beboerdata (2).xlsx" in str(err.value)
    (built / "data" / "raw" / "2024" / "beboerdata (2).xlsx").unlink()
    messages = []
    pipeline.build(2024, root=built, renderer="indbygget", log=messages.append)
    assert any("intet trin er kørt" in m for m in messages), messages


@pytest.mark.slow
def test_renderer_is_a_parameter_of_the_render_stage(built, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/quarto" if name == "quarto" else None)
    assert _running(built, "auto") == {"render"}
    assert _running(built, "indbygget") == set()


@pytest.fixture()
def package_copy(tmp_path, monkeypatch):
    """The package's files in a scratch folder that a test may change (the installed ones stay)."""
    copy = Path(shutil.copytree(freshness.PACKAGE_DIR, tmp_path / "pakke" / "helhedsplan",
                                ignore=shutil.ignore_patterns("__pycache__")))
    monkeypatch.setattr(freshness, "PACKAGE_DIR", copy)
    for f in (freshness._closure, freshness._all_modules):
        f.cache_clear()
    yield copy
    for f in (freshness._closure, freshness._all_modules):
        f.cache_clear()


def test_a_package_a_stage_names_is_read_with_every_module_in_it():
    """The render stage names the package (helhedsplan.render): every module in render/ counts,
    also those only its engines import (render/word.py), so a change to any of them reruns it."""
    read = {name.removeprefix("programfil ") for name in freshness.package_files(
        ["helhedsplan.render"])}
    modules = {f"helhedsplan/render/{p.name}" for p in (freshness.PACKAGE_DIR / "render").glob("*.py")}
    assert len(modules) > 1 and modules <= read


@pytest.mark.slow
@pytest.mark.parametrize(("rel", "expected"), [
    ("render/builtin.py", {"render"}),
    ("render/word.py", {"render"}),
    ("assets/indbygget.lua", {"render"}),
    ("assets/word/footer1.xml", {"render"}),
    ("assets/statusrapport.css", {"render"}),
    ("assets/statusrapport.typ", {"render"}),
    ("figures/shares.py", {"rapport", "render"}),
    ("indicators/kinds.py", INGEST | DOWNSTREAM),  # every notebook goes through stages.py
    ("sources/vive.py", INGEST | DOWNSTREAM),  # not the comments: they are not a source
    ("comments/safe.py", ALL),  # the input check (inputs.py, through stages.py) reads it too
])
def test_a_changed_package_file_reruns_what_imports_it(built, package_copy, rel, expected):
    # The copy has the same content as the installed package: nothing to do yet.
    assert _running(built) == set()
    assert (package_copy / rel).is_file(), rel  # a file the package has, not one made here
    _touch_bytes(package_copy / rel)
    assert _running(built) == expected


# --- end to end: the real pipeline -------------------------------------------------------------------

NO_KERNEL = """
import sys
from pathlib import Path
from helhedsplan import pipeline
messages = []
pipeline.build(2024, root=Path(sys.argv[1]), renderer="indbygget", log=messages.append,
               delaftale="sammenhaengskraft")
print("\\n".join(messages))
heavy = sorted({"papermill", "jupyter_client", "pandas", "nbformat", "matplotlib"} & set(sys.modules))
print("TUNGE:", heavy)
"""


@pytest.mark.slow
def test_a_rebuild_with_nothing_changed_starts_no_kernel_and_imports_nothing_heavy(built):
    before = _published(built)
    run = subprocess.run([sys.executable, "-c", NO_KERNEL, str(built)], capture_output=True,
                         text=True, env=_env(built), timeout=120)
    assert run.returncode == 0, run.stderr
    assert "intet trin er kørt" in run.stdout
    assert "TUNGE: []" in run.stdout
    assert _published(built) == before


@pytest.mark.slow
def test_comments_changed_rerun_two_stages_and_a_kill_after_commit_rolls_forward(built):
    """One real incremental run, killed after its commit point: the next run finishes the
    publish, and then finds everything up to date."""
    (report_dir(built, 2024) / "gammel.zip").write_bytes(b"zip")  # an export of the old set
    old = _published(built)
    comments = built / "data" / "raw" / "2024" / "bemaerkninger.md"
    comments.write_text(comments.read_text(encoding="utf-8").replace(
        "opsøgende besøg", "opsøgende besøg og kaffe"), encoding="utf-8")
    run = _cli(built, "byg", "--aar", "2024", "--renderer", "indbygget",
               HELHEDSPLAN_STOP="udgiv:ny:2")
    assert run.returncode == -9, run.stderr
    for sid in INGEST:
        label = next(s.label for s in pipeline.stages(built, delaftale=D) if s.id == sid)
        assert f"genbruger: {label}" in run.stdout
    for sid in ("indikatorer", "rapport"):  # no kernel: the comments are filled in
        label = next(s.label for s in pipeline.stages(built, delaftale=D) if s.id == sid)
        assert f"genbruger: {label}" in run.stdout
    assert "kører:     Læser bemærkningerne, fordi data/raw/2024/bemaerkninger.md er ændret" in run.stdout
    assert "[2/2]" in run.stdout and "[3/" not in run.stdout
    messages = []
    pipeline.build(2024, root=built, renderer="indbygget", log=messages.append)
    assert any("udgivelsen er gjort færdig" in m for m in messages), messages
    assert any("intet trin er kørt" in m for m in messages), messages
    new = _published(built)
    assert "reports/2024/gammel.zip" not in new  # the stale export went with the old set
    for rel in old:
        if "/notesbøger/1" in rel or rel.endswith(("beboerdata.csv", ".inddata.json")) \
                and "bemaerkninger" not in rel:
            assert new[rel] == old[rel], rel  # reused stages' outputs are the old ones
    html = f"reports/2024/{D}/statusrapport.html"
    assert new[html] != old[html]
    assert "og kaffe" in (built / html).read_text(encoding="utf-8")
    assert sorted(p.name for p in (built / ".byg").iterdir()) == [runs.LOCK]
    # What the incremental run published is what a build from scratch gives, byte for byte.
    pipeline.build(2024, root=built, renderer="indbygget", log=lambda m: None, full=True)
    assert _published(built) == new


@pytest.mark.slow
@pytest.mark.parametrize("point", ["trin:bemaerkninger", "udgiv:klar"])
def test_a_killed_run_before_commit_leaves_the_old_set(built, point):
    old = _published(built)
    (built / "data" / "raw" / "2024" / "bemaerkninger.md").write_text("## Aktiviteter\n\nNy.\n", "utf-8")
    run = _cli(built, "byg", "--aar", "2024", "--renderer", "indbygget", HELHEDSPLAN_STOP=point)
    assert run.returncode == -9, run.stderr
    with runs.lock(built, log=lambda m: None):
        pass
    assert _published(built) == old
    assert sorted(p.name for p in (built / ".byg").iterdir()) == [runs.LOCK]


@pytest.mark.slow
def test_a_folder_where_the_report_goes_stops_the_run_before_anything_moves(built):
    """Issue 23 #3 end to end: with reports/2024/statusrapport.html a folder and an input
    changed, the run used to fail after its commit point ('[Errno 21] Is a directory … Er filen
    åben i et andet program?'), leaving notebooks and Word new, HTML and PDF gone and no
    bygning.json, and every later run failed the same way."""
    html = report_dir(built) / "statusrapport.html"
    html.unlink()
    (html / "noget").mkdir(parents=True)
    (built / "data" / "raw" / "2024" / "bemaerkninger.md").write_text("## Aktiviteter\n\nNy.\n", "utf-8")
    old = _published(built)
    run = _cli(built, "byg", "--aar", "2024", "--renderer", "indbygget")
    assert run.returncode == 1, run.stderr
    assert (f"FEJL: reports/2024/{D}/statusrapport.html er en mappe, men den nye "
            "statusrapport.html skal ligge der som en fil. Flyt mappen et andet sted hen") \
        in run.stderr, run.stderr
    assert "Intet er ændret" in run.stderr and "Errno" not in run.stderr
    assert _published(built) == old and (html / "noget").is_dir()
    assert sorted(p.name for p in (built / ".byg").iterdir()) == [runs.LOCK]
    shutil.rmtree(html)  # as the message says
    run = _cli(built, "byg", "--aar", "2024", "--renderer", "indbygget")
    assert run.returncode == 0, run.stderr
    assert pipeline.status(2024, built, "indbygget", delaftale=D) == []


@pytest.mark.slow
def test_a_locked_output_file_fails_the_run_with_everything_old(built):
    pdf = report_dir(built, 2024) / "statusrapport.pdf"
    if os.geteuid() != 0 or not shutil.which("chattr"):
        pytest.skip("chattr +i needs root: the same case is covered by monkeypatching os.replace")
    (built / "data" / "raw" / "2024" / "bemaerkninger.md").write_text("## Aktiviteter\n\nNy.\n", "utf-8")
    old = _published(built)
    subprocess.run(["chattr", "+i", str(pdf)], check=True)
    try:
        run = _cli(built, "byg", "--aar", "2024", "--renderer", "indbygget")
        assert run.returncode == 1
        assert "reports/2024/sammenhaengskraft/statusrapport.pdf kunne ikke erstattes" in run.stderr
        assert "Traceback" not in run.stderr
        assert _published(built) == old
    finally:
        subprocess.run(["chattr", "-i", str(pdf)], check=True)


@pytest.mark.slow
def test_two_runs_at_once(built):
    """A run paused after a stage holds the lock: a second run stops naming it and leaves its
    staging alone; a third with --vent waits, then finds the first run's result up to date."""
    (built / "data" / "raw" / "2024" / "bemaerkninger.md").write_text("## Aktiviteter\n\nNy.\n", "utf-8")
    gate = built.parent / "gate"
    first = subprocess.Popen([sys.executable, "-m", "helhedsplan", "byg", "--aar", "2024",
                              "--renderer", "indbygget"], env=_env(
        built, HELHEDSPLAN_PAUSE=f"trin:bemaerkninger:{gate}"), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    third = None
    try:
        while not Path(str(gate) + ".venter").exists():
            assert first.poll() is None, first.communicate()
            os.sched_yield()
        staging = [p for p in (built / ".byg").iterdir() if p.is_dir()]
        assert len(staging) == 1
        second = _cli(built, "byg", "--aar", "2024", "--renderer", "indbygget")
        assert second.returncode == 1
        assert f"En anden kørsel er i gang i dette projekt (proces {first.pid}, startet" in second.stderr
        assert staging[0].is_dir()  # the live run's folder is untouched
        third = subprocess.Popen([sys.executable, "-m", "helhedsplan", "byg", "--aar", "2024",
                                  "--renderer", "indbygget", "--vent"],
                                 env=_env(built, PYTHONUNBUFFERED="1"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert "Venter" in third.stdout.readline()
        gate.write_text("")
        out, err = first.communicate(timeout=600)
        assert first.returncode == 0, err
        out3, err3 = third.communicate(timeout=600)
        assert third.returncode == 0, err3
        assert "intet trin er kørt" in out3
    finally:
        for p in (first, third):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
