"""Problems a person can act on: collected, then reported together in Danish."""

from __future__ import annotations

from dataclasses import dataclass


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
            where.append(f"fil {self.file}")
        if self.sheet:
            where.append(f"ark '{self.sheet}'")
        if self.row is not None:
            where.append(f"række {self.row}")
        if self.column:
            where.append(f"kolonne '{self.column}'")
        head = ", ".join(where)
        text = f"{head}: {self.message}" if head else self.message
        if self.value is not None:
            text += f" (fundet: {self.value!r})"
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
        head = "Der er 1 problem med inddata:" if n == 1 else f"Der er {n} problemer med inddata:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])
