"""The external programs the build runs, each found by absolute path in the project's own environment.

pandoc is the one that comes with the Python package pypandoc-binary (its `files/` folder). PATH,
PYPANDOC_PANDOC and pypandoc's own search (which takes the highest version it finds anywhere,
PATH included) play no part: a `pandoc` placed first on PATH is never run, and pypandoc is never
asked. What the pinned pandoc is (its version line and size) is part of what the freshness check
hashes (freshness.package_files names it for every stage whose code imports this module), so a
changed pandoc reruns exactly what uses it.

The Python kernels are this process's own interpreter (pipeline/kernels.py). Quarto is the one
exception, by design: a program the analyst installs, found on PATH, whose identity the render
stage hashes itself (pipeline/stages.py).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from collections.abc import Iterable
from functools import cache
from pathlib import Path

# Windows: run pandoc without opening a console window (0 elsewhere).
_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)


class ProgramMissing(Exception):
    """A pinned program is not where the project's environment puts it; Danish message."""


@cache
def pandoc() -> str:
    """The absolute path of pypandoc-binary's pandoc. Found without importing pypandoc (its
    import runs nothing, but it is 60–90 ms, measured, and its search would consult PATH)."""
    spec = importlib.util.find_spec("pypandoc")
    folders = list(spec.submodule_search_locations or []) if spec else []
    exe = Path(folders[0] if folders else ".") / "files" / ("pandoc.exe" if os.name == "nt"
                                                            else "pandoc")
    if not folders or not exe.is_file():
        raise ProgramMissing(
            "Pandoc fra Python-pakken 'pypandoc-binary' blev ikke fundet"
            + (f" ({exe})" if folders else "") + ". Installer pakkerne igen: "
            "pip install -r requirements.txt (make gør det selv, når requirements.txt er ændret).")
    return str(exe.resolve())


@cache
def pandoc_identity() -> str:
    """What the pinned pandoc is, for the freshness check and the report's appendix: its
    version line (e.g. 'pandoc 3.9') and its size in bytes; 'ikke fundet' without one. Asked
    once per process (about 20 ms)."""
    try:
        exe = pandoc()
        out = subprocess.run([exe, "--version"], capture_output=True, timeout=60,
                             creationflags=_NO_WINDOW).stdout
    except (ProgramMissing, OSError, subprocess.SubprocessError):
        return "ikke fundet"
    first = out.decode("utf-8", "replace").strip().splitlines()[:1]
    return f"{first[0] if first else 'ukendt version'} ({os.stat(exe).st_size} bytes)"


def pandoc_version() -> str:
    """'3.9', or 'ukendt'."""
    words = pandoc_identity().split()
    return words[1] if len(words) > 1 and words[0] == "pandoc" else "ukendt"


def convert_text(text: str, to: str, source_format: str, extra_args: Iterable[str] = ()) -> str:
    """`text` converted by the pinned pandoc (what pypandoc.convert_text does, with that pandoc
    and no other). Raises RuntimeError with pandoc's error output if pandoc fails."""
    proc = subprocess.run([pandoc(), f"--from={source_format}", f"--to={to}", *extra_args],
                          input=text.encode("utf-8"), capture_output=True,
                          creationflags=_NO_WINDOW)
    if proc.returncode != 0:
        raise RuntimeError(f"pandoc ({proc.returncode}): "
                           f"{proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout.decode("utf-8", "replace")
