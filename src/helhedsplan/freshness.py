"""Up to date by content: what a stage reads, as SHA-256 digests, and the record of the last
good build.

A stage's inputs are named files (spreadsheets, the configuration, its notebook, templates,
`_quarto.yml`), the package files its code imports (followed through the package's own imports,
lazy ones included), the installed package versions and its parameters. Its key is the digest of
all of them and of the keys of the stages before it, so a change anywhere upstream changes every
key downstream. The record (`data/processed/<år>/bygning.json`) is published with the set it
describes, so it can never describe another set.

Only the standard library (and programs.py and errors.py, which import nothing else) is imported
here: checking that nothing changed must stay cheap.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from . import programs

RECORD = "bygning.json"
PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = PACKAGE_DIR.name
MISSING = "mangler"
NOT_A_FILE = "ikke en almindelig fil"
PANDOC = "programmet pandoc"  # the input name: "programmet pandoc er ændret"


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_file(path: Path) -> str:
    """SHA-256 of a file's bytes; MISSING for a file that is not there. Anything but a regular
    file (a folder, a FIFO that would block the read forever, a device) is never opened; one
    that cannot be read (a link in a loop, no permission, a read error) is NOT_A_FILE too: the
    input check then says why, naming the file."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return NOT_A_FILE
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except (FileNotFoundError, NotADirectoryError):
        return MISSING if not os.path.lexists(path) else NOT_A_FILE
    except OSError:
        return NOT_A_FILE


# A Markdown file's front matter: '---' lines around YAML at the very top (comments.py reads it).
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)


def front_matter(data: bytes) -> str:
    """The front matter block of a Markdown file's bytes ('' when it has none)."""
    text = data.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n")
    m = FRONT_MATTER.match(text.replace("\r", "\n"))
    return m.group(0) if m else ""


def key(inputs: dict[str, str], upstream: Iterable[str] = ()) -> str:
    return digest_bytes(json.dumps([sorted(inputs.items()), sorted(upstream)]).encode())


# --- the package's own code -----------------------------------------------------------------

_FROM = re.compile(r"^\s*from\s+(\.+|helhedsplan\b)([\w.]*)\s+import\s+(\([^)]*\)|[^\n#]+)", re.M)
_IMPORT = re.compile(r"^\s*import\s+(helhedsplan[\w.]*)", re.M)


def _module_file(module: str) -> Path | None:
    parts = module.split(".")[1:]
    base = PACKAGE_DIR.joinpath(*parts)
    for cand in (base / "__init__.py", base.with_suffix(".py")):
        if cand.is_file():
            return cand
    return None


def _imports(module: str, text: str, is_package: bool) -> set[str]:
    found = set()
    here = module.split(".") if is_package else module.split(".")[:-1]
    for dots, rest, names in _FROM.findall(text):
        if dots.startswith("."):
            base = here[: len(here) - (len(dots) - 1)]
            target = ".".join(base + ([rest.lstrip(".")] if rest.strip(".") else []))
        else:
            target = PACKAGE + rest
        found.add(target)
        for part in names.strip("()").split(","):
            if part.split():  # `from . import config as c`: config may be a module
                found.add(f"{target}.{part.split()[0]}")
    found.update(_IMPORT.findall(text))
    return found


@cache
def _closure(entries: tuple[str, ...]) -> tuple[Path, ...]:
    seen: dict[str, Path] = {}
    todo = [*entries]
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        path = _module_file(mod)
        if path is None:
            continue
        seen[mod] = path
        parts = mod.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages run first
        todo += _imports(mod, path.read_text(encoding="utf-8"), path.name == "__init__.py")
    return tuple(sorted(set(seen.values())))


def package_files(modules: Iterable[str]) -> dict[str, str]:
    """Digest of every package file the given modules import, directly or not. Code that
    imports programs.py, directly or not, may run the pinned pandoc, so what that pandoc is (its
    version and size) counts as read too. (The pipeline's own code imports it through this
    module, so every stage counts it: a changed pandoc reruns every stage, with the reason
    'programmet pandoc er ændret'.)"""
    files = _closure(tuple(sorted(modules)))
    out = {f"programfil {p.relative_to(PACKAGE_DIR.parent).as_posix()}": digest_file(p)
           for p in files}
    if PACKAGE_DIR / "programs.py" in files:
        out[PANDOC] = digest_bytes(programs.pandoc_identity().encode())
    return out


def own_files(modules: Iterable[str]) -> dict[str, str]:
    """Digest of the given modules' own files, not of what they import (the pipeline's code
    that shapes a stage's outputs: what it imports for itself is counted where it is used)."""
    return {f"programfil {p.relative_to(PACKAGE_DIR.parent).as_posix()}": digest_file(p)
            for p in sorted(filter(None, map(_module_file, modules)))}


def notebook_modules(notebook: Path) -> list[str]:
    """The package modules a notebook imports (from its code cells)."""
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    code = "\n".join("".join(c.get("source", "")) for c in nb.get("cells", [])
                     if c.get("cell_type") == "code")
    return sorted(_imports("__main__", code, False) & _all_modules() | {PACKAGE})


@cache
def _all_modules() -> frozenset[str]:
    out = set()
    for p in PACKAGE_DIR.rglob("*.py"):
        parts = p.relative_to(PACKAGE_DIR).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        out.add(".".join((PACKAGE, *parts)))
    return frozenset(out)


@cache
def installed_versions() -> str:
    """One digest of the Python version and every installed distribution and its version (the
    names of the *.dist-info folders: listing them costs milliseconds, importing nothing)."""
    names = [sys.version]
    for entry in sys.path:
        p = Path(entry or ".")
        if p.is_dir() and p.name in ("site-packages", "dist-packages"):
            names += sorted(x.name for x in p.iterdir() if x.name.endswith((".dist-info", ".egg-info")))
    return digest_bytes("\n".join(names).encode())


# --- the record --------------------------------------------------------------------------------

def read_record(processed: Path) -> dict:
    try:
        data = json.loads((Path(processed) / RECORD).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("trin"), dict) else {}
    except (OSError, ValueError):
        return {}


def write_record(processed: Path, record: dict) -> None:
    (Path(processed) / RECORD).write_text(json.dumps(record, ensure_ascii=False, indent=1,
                                                     sort_keys=True), encoding="utf-8")


# A stage's parameters are read as 'parameter <name>' (pipeline/stages.py) with their values as
# they are, not digests: a changed one is named with both values.
PARAMETER = "parameter "


def what_changed(before: dict[str, str], now: dict[str, str]) -> list[str]:
    """Danish: which inputs differ, e.g. 'data/raw/2024/beboerdata.xlsx er ændret' or
    'parameter renderer er ændret fra quarto til indbygget'. An input that only comes or goes
    with a changed parameter (the Quarto a renderer uses) is not named: the parameter is why."""
    changed = {n for n in set(before) & set(now)
               if n.startswith(PARAMETER) and before[n] != now[n]}
    out = []
    for name in sorted(set(before) | set(now)):
        a, b = before.get(name), now.get(name)
        if a == b or (changed and (a is None or b is None)):
            continue
        if name in changed:
            out.append(f"{name} er ændret fra {a} til {b}")
        elif a in (None, MISSING):
            out.append(f"{name} er kommet til")
        elif b in (None, MISSING):
            out.append(f"{name} er fjernet")
        else:
            out.append(f"{name} er ændret")
    return out
