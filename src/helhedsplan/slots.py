"""What the pipeline fills into the executed report notebook: its title block, the comments, the inputs.

The report notebook shows a slot (:func:`slot`) where text comes that is not the notebook's to
compute: the analyst's comments (checked and made safe by comments/) and the list of the files
read with their checksums, which names the comments file. The pipeline's render step fills the
slots (:func:`slot_text`) and the title block (:func:`front_matter`), so a changed comment
costs a rendering and no kernel. Nothing here imports pandas, so that step stays cheap
(`make bench`, the comments case); :func:`md_table`, the pipe table every table of the report
is written as, lives here for that reason. The report package uses these by the same names.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .cells import SLOT
from .comments import as_safe_markdown
from .config import Config
from .formatting import number
from .processed import left_out_count, read_inputs

SLOT_PLACEHOLDER = "*(Udfyldes, når rapporten dannes.)*"


def slot(name: str, data=None) -> None:
    """Show a slot in the report notebook: 'bemaerkning:<delmål id>' or 'inddata'. In a build
    a placeholder the render step fills; opened by hand (the report data's slots_from, a
    published processed folder), filled at once."""
    # lazy: only a kernel shows a slot; the build process reads this module without IPython
    from IPython.display import Markdown, display

    if data is not None and getattr(data, "slots_from", None) is not None:
        display(Markdown(slot_text(name, data.slots_from)))
        return
    display(Markdown(SLOT_PLACEHOLDER), metadata={SLOT: name})


def slot_text(name: str, processed_dir: Path) -> str:
    """The Markdown a slot is filled with, from the year's processed folder."""
    kind, _, key = name.partition(":")
    if kind == "bemaerkning":
        notes_file = Path(processed_dir) / "bemaerkninger.json"
        notes = json.loads(notes_file.read_text(encoding="utf-8")) if notes_file.exists() else {}
        return as_safe_markdown(notes.get(key, ""))
    if kind == "inddata":
        return inputs_appendix(read_inputs(Path(processed_dir)))
    raise ValueError(f"ukendt felt i rapportnotesbogen: {name!r}")


def inputs_appendix(inputs: list[dict]) -> str:
    """Every file read, with its full SHA-256, so anyone can check the report used these files."""
    body = []
    for i in sorted(inputs, key=lambda i: (i["kilde"], i["aar"])):
        flag = " (eksempeldata)" if i["eksempeldata"] else ""
        # The whole checksum as one piece of code, so a copied checksum compares equal; the
        # HTML wraps it visually (overflow-wrap: anywhere); the PDF and the Word file, which
        # cannot wrap a word, set it on two lines (assets/tabeller.lua).
        rows = str(i["raekker"]) if i["raekker"] is not None else ""
        if left_out_count(i):  # read, but not counted: the method section says why
            rows += f" ({number(left_out_count(i))} ikke talt med)"
        body.append([f"`{i['fil']}`{flag}", i["kilde"], str(i["aar"]), rows,
                     f"`{i['sha256']}`"])
    return md_table(["Fil", "Kilde", "Dataår", "Rækker", "SHA-256"], body, [26, 16, 8, 8, 42],
                    right={2, 3})


def front_matter(cfg: Config, year: int, report_date: dt.date | None = None) -> dict:
    """The title block. The date is the analyst's report date (rapportdato in the year's
    bemaerkninger.md), never the day of the build: the same inputs give the same report."""
    hp = cfg.helhedsplan
    meta = {
        "title": f"Statusrapport {year}: {cfg.navn}",
        "subtitle": f"Den boligsociale helhedsplan {hp.navn}, {hp.kommune}",
        "lang": "da",
        "running-header": f"{hp.navn} · Statusrapport {year}",
    }
    if report_date:
        meta["date"] = report_date.isoformat()  # ISO, as Quarto wants; each renderer formats it
    return meta


def md_table(headers: list[str], rows: list[list[str]], widths: list[int],
             right: set[int] = frozenset()) -> str:
    """A pipe table whose separator dashes set the relative column widths (pandoc and Quarto
    both use them when a row is wider than the page), so numbers do not wrap mid-word."""
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|")

    sep = [("-" * (w - 1) + ":") if i in right else (":" + "-" * (w - 1))
           for i, w in enumerate(widths)]
    lines = ["| " + " | ".join(map(cell, headers)) + " |", "|" + "|".join(sep) + "|"]
    lines += ["| " + " | ".join(map(cell, r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"
