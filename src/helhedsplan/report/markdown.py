"""Markdown building blocks: pipe tables whose dashes set column widths, sentences, Danish lists."""

from __future__ import annotations

import re

from ..formatting import capitalised  # noqa: F401 (the report's modules take it from here)
from ..slots import md_table  # noqa: F401 (there, so the slots are filled without pandas)


def unbroken_units(text: str) -> str:
    """'6,1 pct. (2020)' → '6,1\u00a0pct. (2020)': no line break between a number and its unit."""
    return re.sub(r"(\d) (pct\.|procentpoint)", "\\1\u00a0\\2", text)


def sentence(text: str) -> str:
    """Text that ends a sentence: a full stop is added unless it already ends with one."""
    text = str(text).strip()
    return text if not text or text[-1] in ".!?:" else text + "."


def notes_naming(about: list[tuple[str, str]], names=lambda s: s) -> list[str]:
    """A note shared by several units (or periods) is read once, naming them all:
    [(note, unit), …] → ['Unit A og unit B: note', …], in the order first seen."""
    units: dict[str, list[str]] = {}
    for note, unit in about:
        if unit not in units.setdefault(note, []):
            units[note].append(unit)
    return [f"{names(and_list(us))}: {note}" for note, us in units.items()]


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def table_notes(notes: list[str]) -> str:
    """Notes under a table as plain paragraphs (not a bulleted list), each a sentence."""
    return "".join(f"\n{sentence(n)}\n" for n in notes)
