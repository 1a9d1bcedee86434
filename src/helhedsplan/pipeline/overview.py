"""The board overview (reports/<år>/samlet-status.html and .pdf), made after the delaftaler.

It is made, in this process, when every delaftale of the helhedsplan has an up-to-date published
report for the year, from their published indicator tables and PDFs (for page numbers); it is
made again only when one of them changed. When a delaftale's report failed or is out of date, an
old overview no longer matches the reports and is removed, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from .. import freshness, reproducible, runs
from ..stopping import and_list
from .model import Build
from .plan import make_plan
from .stages import _render_reads, build_info, config_files, stages

RECORD = "samlet-status.json"
FORMATS = (".html", ".pdf")


def _targets(root: Path, year: int) -> list[Path]:
    return [root / "reports" / str(year) / f"samlet-status{s}" for s in FORMATS]


def _current(root: Path, year: int, cfg, renderer: str) -> bool:
    """Whether the delaftale's published report for the year is up to date."""
    b = Build(year, root, root / ".byg" / "status", renderer, print, delaftale=cfg.id)
    recorded = freshness.read_record(b.processed_target)
    if not recorded or not (b.processed_target / "indikatorer.csv").is_file():
        return False
    plans = make_plan(b, stages(root, build_info(root, cfg.id, recorded, year)), recorded, False)
    return not any(p.reason for p in plans)


def _reports_of(cfgs: list) -> str:
    """'rapporten for A', 'rapporterne for A og B'."""
    names = and_list([c.navn for c in cfgs])
    return f"rapporten for {names}" if len(cfgs) == 1 else f"rapporterne for {names}"


def _remove(root: Path, year: int, log, why: str, again: bool = True) -> None:
    present = [p for p in _targets(root, year) if p.exists()]
    if not present:
        return
    staging = root / ".byg" / f"{year}-samlet-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    staging.mkdir(parents=True)
    record = root / "data" / "processed" / str(year) / RECORD
    runs.publish(root, staging, [], [*present, *([record] if record.exists() else [])], log=log)
    shutil.rmtree(staging, ignore_errors=True)
    log(f"Den samlede status (reports/{year}/samlet-status.html og .pdf) er fjernet: {why}."
        + (" Den laves igen, når alle delaftalers rapporter er bygget." if again else ""))


def _remove_whole_plan_exports(root: Path, year: int, log) -> None:
    """An export of every delaftale (reports/<år>/*.zip) holds their PDFs: a delaftale built
    anew makes it stale, and it goes."""
    stale = sorted(p for p in (root / "reports" / str(year)).glob("*.zip") if p.is_file())
    if not stale:
        return
    staging = root / ".byg" / f"{year}-eksport-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    staging.mkdir(parents=True)
    runs.publish(root, staging, [], stale, log=log)
    shutil.rmtree(staging, ignore_errors=True)
    for z in stale:
        log(f"Den gamle eksport {z.relative_to(root).as_posix()} passede ikke længere til "
            "rapporterne og er fjernet. Lav en ny med 'make eksport'.")


def update(root: Path, year: int, every: list, renderer: str, log, built: list[str],
           failed: list[str] = ()) -> None:
    """Make the overview if every delaftale is up to date and it is not already current."""
    root = Path(root)
    if built:
        _remove_whole_plan_exports(root, year, log)
    if len(every) < 2:  # one delaftale: its own report is the whole status
        _remove(root, year, log, "helhedsplanen har kun én delaftale, og dens rapport er hele "
                "status", again=False)
        return
    if failed:
        _remove(root, year, log, f"{_reports_of([c for c in every if c.id in failed])} kunne "
                "ikke bygges")
        return
    stale = [c for c in every if c.id not in built and not _current(root, year, c, renderer)]
    if stale:
        _remove(root, year, log, f"{_reports_of(stale)} er ikke bygget for året eller ikke "
                "opdateret")
        return
    folders = [root / "data" / "processed" / str(year) / c.id for c in every]
    pdfs = [root / "reports" / str(year) / c.id / "statusrapport.pdf" for c in every]
    probe = Build(year, root, root / ".byg" / "status", renderer, print)
    inputs = {f"{p.relative_to(root).as_posix()}": freshness.digest_file(p)
              for p in [*(f / "indikatorer.csv" for f in folders), *pdfs]}
    inputs |= {f: freshness.digest_file(root / f) for f in config_files(root)}
    inputs |= {k: v for k, v in _render_reads(probe).items() if not k.startswith("parameter aar")}
    inputs |= freshness.package_files(["helhedsplan.pipeline.overview",
                                       "helhedsplan.report.overview"])
    key = freshness.key(inputs, [str(year)])
    record = root / "data" / "processed" / str(year) / RECORD
    if (freshness.digest_bytes(key.encode()) == freshness.digest_file(record)
            and all(p.exists() for p in _targets(root, year))):
        return
    log(f"Laver den samlede status for {year} (alle delaftaler) …")
    staging = root / ".byg" / f"{year}-samlet-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    staging.mkdir(parents=True)
    try:
        _make(root, year, every, renderer, log, staging, pdfs)
        # the record is the key itself: its file digest is what the next run compares
        (staging / RECORD).write_text(key, encoding="utf-8")
        new = [(staging / "ud" / f"samlet-status{s}", t)
               for s, t in zip(FORMATS, _targets(root, year), strict=True)]
        new.append((staging / RECORD, record))
        runs.publish(root, staging, new, log=log)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"Den samlede status er klar: reports/{year}/samlet-status.html og .pdf")


def _pages(pdf: Path, cfg) -> dict[str, int]:
    """The PDF page of each delmål's section, from the PDF's outline (bookmarks)."""
    # lazy: pypdf is needed only here, once per overview
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(pdf))
        outline = reader.outline
    except Exception:  # noqa: BLE001  (no page numbers is not worth stopping the run)
        return {}
    found: dict[str, int] = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            title = str(getattr(item, "title", ""))
            for d in cfg.delmaal:
                heading = d.overskrift or d.kort_navn
                if d.id not in found and title.strip().endswith(heading):
                    try:
                        found[d.id] = reader.get_destination_page_number(item) + 1
                    except Exception:  # noqa: BLE001
                        pass

    walk(outline)
    return found


def _make(root: Path, year: int, every: list, renderer: str, log, staging: Path,
          pdfs: list[Path]) -> None:
    # lazy: report (pandas), render and nbformat are needed only when the overview is made
    import nbformat
    import yaml

    from .. import comments, render
    from ..report import overview as text

    data = [text.published_data(root, c, year) for c in every]
    dates = [d for c in every if (d := comments.report_date(
        root / "data" / "raw" / str(year), c.comments_file))]
    report_date = max(dates) if dates else None
    meta = text.front_matter(every, year, report_date)
    cells = [nbformat.v4.new_raw_cell("---\n" + yaml.safe_dump(meta, allow_unicode=True,
                                                                sort_keys=False) + "---")]

    def markdown(md: str, options: dict | None = None):
        head = "".join(f"#| {k}: {v}\n" for k, v in (options or {}).items())
        cell = nbformat.v4.new_code_cell(head.rstrip("\n"))
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": md})]
        return cell

    cells.append(markdown(text.intro(every, year, any(d.example for d in data))))
    for c, d, pdf in zip(every, data, pdfs, strict=True):
        cells.append(nbformat.v4.new_markdown_cell(f"# {c.navn}"))
        cells.append(markdown(text.delaftale_table(d, _pages(pdf, c)),
                              {"label": f"tbl-{c.id}",
                               # a JSON string is a YAML string, whatever quotes the name has
                               "tbl-cap": json.dumps(f"{c.navn}: delmålene",
                                                     ensure_ascii=False)}))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = staging / "samlet-status.ipynb"
    nbformat.write(nb, path)
    epoch = str(reproducible.epoch_for(report_date, year))
    saved = os.environ.get(reproducible.ENV)
    os.environ[reproducible.ENV] = epoch
    try:
        render.render(path, staging / "ud", basename="samlet-status", renderer=renderer,
                      quarto_project=root, log=log)
    finally:
        if saved is None:
            os.environ.pop(reproducible.ENV, None)
        else:
            os.environ[reproducible.ENV] = saved
