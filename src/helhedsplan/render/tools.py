"""What both engines share: RenderError, pandoc, the tools' environment, atomic publishing.

Outputs are written atomically (:func:`publish`): all files are made in temporary files in
``out_dir`` and only moved into place when all exist, so a failed render never leaves a
half-written report (and never replaces last year's good one with nothing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from .. import programs, reproducible
from ..errors import RenderError  # noqa: F401 (the renderers raise it from here)

TAIL_LINES = 25


def source_date() -> int:
    """The time every output is dated by (SOURCE_DATE_EPOCH, which the pipeline sets from the
    report date; a fixed date without it): never the clock."""
    return reproducible.epoch()


def tool_env(stamp: int) -> dict[str, str]:
    """The environment for pandoc and Quarto: SOURCE_DATE_EPOCH set, so pandoc dates the Word
    file by it and the Typst CLI the PDF (both honour it), also when render() is called on its
    own."""
    return dict(os.environ, **{reproducible.ENV: str(stamp)})


def pandoc_path() -> str:
    """The pinned pandoc (pypandoc-binary's, by absolute path: programs.py); never one on PATH."""
    try:
        return programs.pandoc()
    except programs.ProgramMissing as exc:
        raise RenderError(str(exc)) from None


def publish(out_dir: Path, outputs: dict[str, bytes | Path]) -> list[Path]:
    """Write every output to a temp file in out_dir first, then move them all into place.

    If anything fails before the last ``os.replace``, the temp files are removed and the
    previous report (if any) is left as it was.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, content in outputs.items():
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            tmp = Path(tmp_name)
            staged.append((tmp, out_dir / name))
            with os.fdopen(fd, "wb") as fh:
                if isinstance(content, Path):
                    with open(content, "rb") as src:
                        shutil.copyfileobj(src, fh)
                else:
                    fh.write(content)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is meant to be read
        for tmp, final in staged:
            os.replace(tmp, final)
    except OSError as exc:
        raise RenderError(f"Rapporten kunne ikke gemmes i {out_dir}: {exc}") from exc
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    return [final for _, final in staged]


def tail(text: bytes | str | None, lines: int = TAIL_LINES) -> str:
    """The last lines of a program's error output, for a Danish message."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    kept = text.strip().splitlines()[-lines:]
    return "\n".join(kept) if kept else "(ingen fejltekst)"
