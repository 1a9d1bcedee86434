"""Publishing results folder by folder, each folder as one unit, and finishing an interrupted publish.

`publish` replaces whole folders (e.g. `data/processed/2024` and `reports/2024`), each as one unit.
Under the run lock:

1. every target is checked: a folder where a file must go, a file where a folder must go, a
   write-protected file, another disk. A problem stops the run here, before anything moved,
   naming what to fix;
2. each folder's new version is made complete in `.byg/<kørsel>-udgivelse/ny/`: the new files,
   and hard links (copies where links cannot be made) to everything in the old folder that
   stays (unchanged files, an export zip that still fits, the analyst's own files);
3. the journal (`journal.json`) is written atomically with state "fastlagt": the commit point;
4. each folder is swapped with its new version in one step: on Linux and macOS by exchanging
   the two directory entries atomically (renameat2 RENAME_EXCHANGE, renamex_np RENAME_SWAP), so
   a reader finds the whole old folder or the whole new one at every instant; then the old
   versions are deleted with the journal.

Where the system cannot exchange two folders (Windows, some network drives), the old folders
are first moved aside (state "forbereder"; if one cannot be moved, e.g. a file in it is open in
another program on Windows, the moved ones go back and the run fails naming it), then the
journal is committed and the new ones are moved in: between those two renames the folder is
briefly absent. Renames only, within one file system; links are never followed.

A run killed at any instant leaves at most a journal; the next run of any year (`recover`, which
the lock calls) rolls it back ("forbereder": the old folders go back) or forward ("fastlagt": the
folders not yet swapped are swapped) and says what it did. A folder is known as swapped by its
identity (device and inode), recorded in the journal. A failure past the commit point leaves the
journal too, and the message says what a reader finds now.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from .stopping import and_list, checkpoint, critical, note_published, testpoint

JOURNAL = "journal.json"
OLD = "gammel"
NEW = "ny"
WORK = "-udgivelse"  # a run's publishing folder: .byg/<run><WORK>/


class PublishError(Exception):
    """The new set could not be put in place. The Danish message says what a reader finds now
    and what to do (before the commit point: the old set is whole)."""


# --- swapping two folders ----------------------------------------------------------------------

def _platform_exchange() -> Callable[[Path, Path], None] | None:
    """The system call that exchanges two directory entries atomically, or None."""
    if sys.platform.startswith("linux"):
        name, flag = "renameat2", 2  # RENAME_EXCHANGE
    elif sys.platform == "darwin":
        name, flag = "renamex_np", 2  # RENAME_SWAP
    else:
        return None
    try:
        fn = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):  # an old C library
        return None
    at_cwd = -100  # AT_FDCWD

    def swap(a: Path, b: Path) -> None:
        args = ((at_cwd, os.fsencode(a), at_cwd, os.fsencode(b)) if name == "renameat2"
                else (os.fsencode(a), os.fsencode(b)))
        if fn(*args, ctypes.c_uint(flag)) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(a), None, str(b))

    return swap


exchange = _platform_exchange()  # tests set it to None to run the path Windows takes
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def _can_exchange(work: Path) -> bool:
    """Whether this file system exchanges folders (tried on two empty ones in `work`)."""
    if exchange is None:
        return False
    a, b = work / "proeve-a", work / "proeve-b"
    a.mkdir()
    b.mkdir()
    try:
        exchange(a, b)
        return True
    except OSError as err:
        if err.errno in _UNSUPPORTED:
            return False
        raise
    finally:
        a.rmdir()
        b.rmdir()


def _identity(path: Path) -> list[int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return [st.st_dev, st.st_ino]


def _move(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.rename(src, dest)


def _swap_in(target: Path, staged: Path, aside: Path) -> None:
    """Put the folder `staged` at `target`. An existing target is exchanged with it in one step
    (it then lies at `staged`) or, where exchange is not possible, moved to `aside` first."""
    if os.path.lexists(target):
        if exchange is not None:
            try:
                exchange(staged, target)
                return
            except OSError as err:
                if err.errno not in _UNSUPPORTED:
                    raise
        _move(target, aside)
    _move(staged, target)


def rmtree(path: Path) -> bool:
    """Delete a folder, write-protected files in it too (Windows); True when it is gone."""
    def retry(func, p, _exc):
        os.chmod(p, stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
        func(p)

    try:
        shutil.rmtree(path, onerror=retry)
    except OSError:
        pass
    return not os.path.lexists(path)


# --- publishing ----------------------------------------------------------------------------------

def _rel(root: Path, p: Path) -> str:
    return p.relative_to(root).as_posix()


def _units(folders: Iterable[Path] | None, targets: list[Path]) -> list[Path]:
    """The folders replaced as units: those given that hold a target (else the folders the
    targets lie in), the outermost of nested ones."""
    units = sorted({Path(f) for f in folders} if folders is not None else {t.parent for t in targets})
    units = [u for u in units if not any(o != u and u.is_relative_to(o) for o in units)
             and any(t.is_relative_to(u) for t in targets)]
    for t in targets:
        if not any(t.is_relative_to(u) and t != u for u in units):
            raise ValueError(f"{t} ligger ikke i nogen af mapperne {units}")
    return units


UNCHANGED = "Intet er ændret: de gamle resultater ligger der stadig."


def _check(root: Path, work: Path, units: list[Path], new: list[Path], remove: set[Path]) -> None:
    """Every reason, known before anything moves, why a folder could not be replaced."""
    problems = []
    for unit in units:
        rel = _rel(root, unit)
        if unit.is_symlink() or (unit.exists() and not unit.is_dir()):
            what = "en genvej (symlink)" if unit.is_symlink() else "en fil"
            problems.append(f"{rel} er {what}, men skal være en almindelig mappe. Flyt eller "
                            "omdøb den, og kør kommandoen igen.")
            continue
        parent = unit.parent
        while not parent.exists():
            parent = parent.parent
        if os.stat(parent).st_dev != os.stat(work.parent).st_dev:
            problems.append(f"{rel} ligger på et andet drev end .byg/, så resultaterne kan ikke "
                            "flyttes på plads i ét skridt. Læg hele projektmappen på ét drev.")
        for folder in [parent] + ([unit] if unit.is_dir() else []):
            if not os.access(folder, os.W_OK | os.X_OK):
                problems.append(f"Mappen {_rel(root, folder) if folder != root else '.'} er "
                                "skrivebeskyttet. Giv skriveadgang til den, og kør kommandoen igen.")
    for dest in new:
        unit = next(u for u in units if dest.is_relative_to(u))
        for folder in list(reversed(dest.parents))[len(unit.parents) + 1:]:
            if os.path.lexists(folder) and (folder.is_symlink() or not folder.is_dir()):
                problems.append(f"{_rel(root, folder)} er en fil, men de nye resultater skal have "
                                "en mappe med det navn. Flyt eller omdøb filen, og kør kommandoen igen.")
        if dest.is_dir() and not dest.is_symlink():
            problems.append(f"{_rel(root, dest)} er en mappe, men den nye {dest.name} skal ligge "
                            "der som en fil. Flyt mappen et andet sted hen (eller omdøb den), og "
                            "kør kommandoen igen.")
    for path in sorted(set(new) | remove):
        if path.is_file() and not path.is_symlink() and not os.access(path, os.W_OK):
            problems.append(f"Filen {_rel(root, path)} kunne ikke erstattes: den er "
                            "skrivebeskyttet. Fjern skrivebeskyttelsen (i Windows: Egenskaber), og "
                            "kør kommandoen igen.")
    problems = list(dict.fromkeys(problems))
    if len(problems) == 1:
        raise PublishError(f"{problems[0]} {UNCHANGED}")
    if problems:
        raise PublishError("De nye resultater kan ikke lægges på plads:\n"
                           + "\n".join(f"  - {p}" for p in problems) + f"\n{UNCHANGED}")


def _carry(old: Path, new: Path, skip: set[Path]) -> None:
    """Give `new` everything in `old` but `skip`: hard links (the same file), copies where a
    link cannot be made; folders made anew; links copied as links, never followed."""
    for entry in sorted(os.scandir(old), key=lambda e: e.name):
        src, dest = Path(entry.path), new / entry.name
        if src in skip:
            continue
        if entry.is_dir(follow_symlinks=False):
            if not os.path.lexists(dest):
                dest.mkdir()
            if dest.is_dir() and not dest.is_symlink():  # new files may be in it already
                _carry(src, dest, skip)
                shutil.copymode(src, dest)
        elif os.path.lexists(dest):
            continue  # the new set has its own
        elif entry.is_symlink():
            try:
                os.symlink(os.readlink(src), dest)
            except OSError:  # Windows without the right to make links
                shutil.copy2(src, dest)
        else:
            try:
                os.link(src, dest)
            except OSError:  # a file system without hard links (FAT), a locked file
                shutil.copy2(src, dest)


def _prepare(root: Path, work: Path, units: list[Path], new: list[tuple[Path, Path]],
             remove: set[Path]) -> list[dict]:
    """Each folder's complete new version in work/ny/, and its journal entry."""
    entries = []
    going = {d for _, d in new} | remove
    for unit in units:
        rel = _rel(root, unit)
        staged = work / NEW / rel
        staged.mkdir(parents=True)
        for src, dest in sorted(new, key=lambda n: n[1]):
            if dest.is_relative_to(unit):
                _move(src, staged / dest.relative_to(unit))
        if unit.is_dir():
            _carry(unit, staged, going)
            shutil.copymode(unit, staged)
        entries.append({"mappe": rel, "ny": _rel(root, staged), "gammel": _rel(root, work / OLD / rel),
                        "id": _identity(staged)})
    return entries


def _write_journal(work: Path, state: str, entries: list[dict]) -> None:
    tmp = work / (JOURNAL + ".tmp")
    tmp.write_text(json.dumps({"tilstand": state, "mapper": entries}, ensure_ascii=False,
                              indent=1), encoding="utf-8")
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, work / JOURNAL)


def publish(root: Path, staging: Path, new: Iterable[tuple[Path, Path]],
            remove: Iterable[Path] = (), log: Callable[[str], None] = print,
            folders: Iterable[Path] | None = None) -> None:
    """Replace published folders, each as one unit. `new`: (staged file, its final place);
    `remove`: files of the old set that the new set does not have; `folders`: the folders
    replaced as units (default: the outermost folders the files lie in). Everything else in
    them stays. Must be called under `lock`.

    Raises PublishError: before the commit point nothing has changed; after it, the message
    says which folders are in place, and the next run finishes the rest."""
    root = Path(root)
    new = [(Path(s), Path(d)) for s, d in new]
    remove = {Path(p) for p in remove}
    units = _units(folders, [d for _, d in new] + sorted(remove))
    work = Path(staging).parent / f"{Path(staging).name}{WORK}"
    with critical():
        _check(root, work, units, [d for _, d in new], remove)
        try:
            for unit in units:
                unit.parent.mkdir(parents=True, exist_ok=True)
            work.mkdir()
            entries = _prepare(root, work, units, new, remove)
            swap = _can_exchange(work)
            testpoint("udgiv:klar")
            checkpoint()  # a signal before the commit point: nothing published has changed
        except BaseException as exc:
            rmtree(work)
            if isinstance(exc, OSError):
                raise PublishError(f"De nye resultater kunne ikke gøres klar i {_rel(root, work)} "
                                   f"({exc.strerror or exc}: {exc.filename}). {UNCHANGED}") from None
            raise
        if not swap:
            _move_aside(root, work, entries)
        try:
            _write_journal(work, "fastlagt", entries)
        except OSError as err:
            _put_back(root, work, entries if not swap else [],
                      f"Journalen {_rel(root, work / JOURNAL)} kunne ikke skrives ({err.strerror or err})")
        testpoint("udgiv:fastlagt")
        for i, e in enumerate(entries, 1):
            try:
                _swap_in(root / e["mappe"], root / e["ny"], root / e["gammel"])
            except OSError as err:
                raise PublishError(_unfinished(root, work, entries, e, err, this_run=True)) from None
            testpoint(f"udgiv:ny:{i}")
        (work / JOURNAL).unlink()
        for e in entries:
            note_published(e["mappe"] + "/")
        testpoint("udgiv:slut")
        rmtree(work)


def _move_aside(root: Path, work: Path, entries: list[dict]) -> None:
    """Without exchange: every old folder moves aside before the commit point. One that cannot
    be moved (a file in it open in another program, on Windows) puts the others back."""
    try:
        _write_journal(work, "forbereder", entries)
    except OSError as err:
        _put_back(root, work, [], f"Journalen kunne ikke skrives ({err.strerror or err})")
    testpoint("udgiv:journal")
    for i, e in enumerate(entries, 1):
        target = root / e["mappe"]
        if os.path.lexists(target):
            try:
                _move(target, root / e["gammel"])
            except OSError as err:
                _put_back(root, work, entries[:i - 1], (
                    f"Mappen {e['mappe']} kunne ikke erstattes ({err.strerror or err}). Er en "
                    "fil i den åben i et andet program (fx PDF'en i en PDF-læser eller "
                    "Word-filen i Word)? Luk den, og kør kommandoen igen"))
        testpoint(f"udgiv:gammel:{i}")


def _put_back(root: Path, work: Path, moved: list[dict], why: str) -> None:
    """Before the commit point: the folders moved aside go back, the work folder goes, and
    PublishError says why. If one cannot go back, the journal stays for the next run."""
    for e in reversed(moved):
        target, aside = root / e["mappe"], root / e["gammel"]
        if os.path.lexists(aside) and not os.path.lexists(target):
            try:
                _move(aside, target)
            except OSError as err:
                raise PublishError(
                    f"{why}. De gamle resultater i {e['mappe']} kunne ikke lægges tilbage "
                    f"({err.strerror or err}); de ligger i {e['gammel']}, og næste kørsel lægger "
                    "dem tilbage, før den gør andet.") from None
    (work / JOURNAL).unlink(missing_ok=True)
    rmtree(work)
    raise PublishError(f"{why}. {UNCHANGED}")


def _unfinished(root: Path, work: Path, entries: list[dict], failed: dict, err: OSError,
                this_run: bool) -> str:
    """What a reader finds after a failure past the commit point, and what happens next."""
    placed = [e["mappe"] for e in entries if _identity(root / e["mappe"]) == e["id"]]
    target = root / failed["mappe"]
    now = (f"{failed['mappe']} indeholder stadig de gamle resultater" if os.path.lexists(target)
           else f"{failed['mappe']} mangler; de gamle resultater ligger i {failed['gammel']}")
    head = ("De nye resultater blev kun delvist udgivet" if this_run else
            f"En tidligere kørsel ({work.name.removesuffix(WORK)}) nåede ikke at udgive alle sine "
            "resultater, og det kunne heller ikke gøres færdigt nu")
    done = f"{and_list(placed)} er sat på plads, men " if placed else ""
    return (f"{head}: {done}{failed['mappe']} kunne ikke sættes på plads "
            f"({err.strerror or err}). Lige nu: {now}; de nye ligger i {failed['ny']}. Ret "
            "årsagen, og kør kommandoen igen: den gør udgivelsen færdig, før den gør andet.")


# --- recovery ----------------------------------------------------------------------------------

def finish(root: Path, journal: Path, log: Callable[[str], None]) -> None:
    """Roll an interrupted publish back or forward, as its journal says."""
    work = journal.parent
    j = json.loads(journal.read_text(encoding="utf-8"))
    name = work.name.removesuffix(WORK)
    if "mapper" not in j:
        _finish_files(root, j, name, log)
    elif j["tilstand"] == "fastlagt":
        placed = []
        for e in j["mapper"]:
            if _identity(root / e["mappe"]) == e["id"]:
                continue  # swapped before the interruption
            try:
                _swap_in(root / e["mappe"], root / e["ny"], root / e["gammel"])
            except OSError as err:
                raise PublishError(_unfinished(root, work, j["mapper"], e, err, this_run=False)) from None
            placed.append(e["mappe"])
        log(f"En afbrudt kørsel ({name}) var ved at udgive sine resultater: udgivelsen er gjort "
            "færdig" + (f" ({and_list(placed)} er sat på plads)." if placed else "."))
    else:
        for e in j["mapper"]:
            if not os.path.lexists(root / e["mappe"]) and os.path.lexists(root / e["gammel"]):
                _move(root / e["gammel"], root / e["mappe"])
        log(f"En afbrudt kørsel ({name}) var ved at udgive sine resultater: de gamle "
            "resultater er lagt tilbage.")
    journal.unlink()


def _finish_files(root: Path, j: dict, name: str, log: Callable[[str], None]) -> None:
    """A journal of the earlier, file-by-file publishing (a run killed before an update)."""
    committed = j["tilstand"] == "fastlagt"
    for src, dest in (j["nye"] if committed else [(b, d) for d, b in j["gamle"]]):
        if (root / src).exists():
            (root / dest).parent.mkdir(parents=True, exist_ok=True)
            os.replace(root / src, root / dest)
    log(f"En afbrudt kørsel ({name}) var ved at udgive sine resultater: " + (
        "udgivelsen er gjort færdig." if committed else "de gamle resultater er lagt tilbage."))
