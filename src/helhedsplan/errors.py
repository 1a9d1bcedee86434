"""Problems a person can act on: collected, then reported together in Danish."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Control, format (bidi overrides such as U+202E, zero-width characters), separator, private
# and surrogate code points: in a terminal they can move the cursor, recolour or hide text.
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}


def printable(text: object, keep: str = "\n") -> str:
    """Text as it may be printed in a message: every control or bidi character shown as an
    escape (ESC → \\x1b, RLO → \\u202e), so a value from a file cannot act on the terminal or
    turn the message around. Characters in `keep` stay (line breaks between problems)."""
    out = []
    for ch in str(text):
        if ch in keep or unicodedata.category(ch) not in _UNSAFE_CATEGORIES:
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None  # as Excel numbers it (header row = 1)
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"fil {printable(self.file, keep='')}")
        if self.sheet:
            where.append(f"ark '{printable(self.sheet, keep='')}'")
        if self.row is not None:
            where.append(f"række {self.row}")
        if self.column:
            where.append(f"kolonne '{printable(self.column, keep='')}'")
        head = ", ".join(where)
        message = printable(self.message)
        text = f"{head}: {message}" if head else message
        if self.value is not None:
            text += f" (fundet: {printable(repr(self.value), keep='')})"
        return text


class InputError(Exception):
    """Raised when inputs cannot be used. Holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = [p if isinstance(p, Problem) else Problem(str(p)) for p in problems]
        super().__init__(self.danish())

    def danish(self) -> str:
        n = len(self.problems)
        # Problems only in config/ are the configuration's, not the spreadsheets'.
        what = ("konfigurationen" if n and all((p.file or "").startswith("config/")
                                               for p in self.problems) else "inddata")
        head = f"Der er 1 problem med {what}:" if n == 1 else f"Der er {n} problemer med {what}:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class StageError(Exception):
    """A stage of a build failed; the message is Danish and says what to do."""


class RenderError(Exception):
    """Rendering failed. The message is Danish and meant for the analyst. (Here, not in
    render/, so the pipeline knows it without importing the renderers: nbformat, pandoc.)"""


class ReadFailed(OSError):
    """Reading a file failed: OSError with the file's name always set (the error a read raises
    half-way, e.g. EIO, names none), so the command line can say which file could not be read."""


class WriteFailed(OSError):
    """Writing a file failed: OSError with the file's name always set, as ReadFailed."""



class NotebookStop(Exception):
    """A notebook opened by hand cannot do what it is for, and the message says what to do. In
    Jupyter it shows as its Danish message alone (IPython's `_render_traceback_`), not as a
    traceback."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


class NotBuilt(NotebookStop):
    """The year's published tables a notebook opened by hand reads are not there yet."""
