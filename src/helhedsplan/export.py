"""The export for Landsbyggefonden: one zip with the PDF, the figures as .xlsx, the executed
notebooks and a manifest of checksums.

`build_export` builds the report first when it is missing or older than anything it was made
from, then packs reports/<år>/<helhedsplan>_<delaftale>_<år>.zip atomically. The workbook is made
from the indicator table only (data/processed/<år>/indikatorer.csv), like the report, so every
number in it can be traced to a row there and from there to an input file (sheet "Datakilder",
and the manifest). It holds aggregated figures only: no individual-level rows and no names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import nbformat
import pandas as pd
from openpyxl import Workbook

from . import __version__, config, indicators, paths, pipeline, report, reproducible, runs, stats
from .config import Config
from .errors import WriteFailed
from .excel import sha256
from .processed import left_out_lines, read_inputs
from .render.notebook import front_matter
from .sheets import (
    COUNT_FMT,
    P_FMT,
    YEAR_FMT,
    Cell,
    Col,
    missing,
    number,
    number_format,
    signed_format,
    write_table,
)

SHEETS = ("Oversigt", "Indikatorer", "Aktivitetsmål", "Datakilder", "Definitioner")
NOTEBOOK_FOLDER = "notesboeger"  # ASCII inside the zip: Windows' zip tool handles it everywhere
MANIFEST = "manifest.json"


# The indicator table's columns as LBF reads them; the order is indicators.COLUMNS.
INDICATOR_HEADERS = {
    "delmaal_id": "Delmål-id", "indikator_id": "Indikator-id", "indikator": "Indikator",
    "niveau": "Niveau", "enhed_navn": "Opgjort for", "afdeling": "Afdeling",
    "boligomraade": "Boligområde", "enhed": "Enhed", "decimaler": "Decimaler", "aar": "År",
    "maalt": "Målt", "vaerdi": "Værdi", "taeller": "Tæller", "naevner": "Nævner",
    "ci_lav": "95 pct.-interval, nedre", "ci_hoej": "95 pct.-interval, øvre",
    "baseline_aar": "Baselineår", "baseline_vaerdi": "Baselineværdi",
    "baseline_taeller": "Baseline, tæller", "baseline_naevner": "Baseline, nævner", "maal": "Mål",
    "maal_aar": "Målår", "maal_status": "Status mod målet",
    "aendring": "Ændring fra baseline", "aendring_enhed": "Ændringens enhed",
    "p_vaerdi": "p-værdi", "god_retning": "God retning", "status": "Status",
    "undertrykt": "Vises ikke (diskretion)", "undertrykt_grund": "Hvorfor skjult",
    "note": "Note", "datakilde": "Datakilde",
    "kilde_fil": "Kildefil(er)", "eksempeldata": "Eksempeldata",
}
BOOLEAN_COLUMNS = ("maalt", "undertrykt", "eksempeldata")
YES, NO = "ja", "nej"


# --- names and text -------------------------------------------------------------------------

def ascii_slug(text: str, keep: str = "") -> str:
    """'Aktiv i fællesskabet' → 'Aktiv-i-faellesskabet': safe in file names on every system.
    Characters in `keep` (besides letters and digits) are kept as they are."""
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(f"[^A-Za-z0-9{re.escape(keep)}]+", "-", text).strip("-")


def package_stem(cfg: Config, year: int, whole_plan: bool = False) -> str:
    """'Aktiv-i-faellesskabet_Sammenhaengskraft-og-medborgerskab_2024' (one delaftale), or
    'Aktiv-i-faellesskabet_alle-delaftaler_2024'."""
    what = "alle-delaftaler" if whole_plan else ascii_slug(cfg.navn)
    return f"{ascii_slug(cfg.helhedsplan.navn)}_{what}_{year}"


# --- the workbook ---------------------------------------------------------------------------


def _value_fmt(row: pd.Series) -> str:
    return number_format(int(row["decimaler"])) if row["enhed"] == "pct." else COUNT_FMT


def _change_fmt(row: pd.Series) -> str:
    return signed_format(int(row["decimaler"]) if row["aendring_enhed"] == "procentpoint" else 0)


def _status_word(status: object) -> str:
    if missing(status) or status == "":
        return ""
    return report.MARKERS.get(status, str(status).capitalize())


def _sheet_overview(ws, data: report.ReportData) -> None:
    cols = [Col("Delmål", wrap=True), Col("Indikator", wrap=True), Col("Opgjort for"),
            Col("Enhed"), Col("Baseline"), Col("Baselineår", YEAR_FMT), Col("Seneste måling"),
            Col("Målt år", YEAR_FMT), Col("Ændring"), Col("Ændringens enhed"), Col("Status"),
            Col("Note", wrap=True)]
    rows = []
    for h in report.headlines(data.cfg):
        if h.ind.type == "aktivitetsmaal":
            got = report.activity_status(data, h.ind)
            rows.append([h.delmaal.kort_navn, h.name, f"kalenderår {data.year}", None, None,
                         None, got[0] if got else None, data.year if got else None, None, None,
                         got[1] if got else "Ikke målt", None])
            continue
        row = report.latest(data, h.indikator_id, h.niveau) if h.niveau else None
        if row is None:
            rows.append([h.delmaal.kort_navn, h.name, None, None, None, None, None, None, None,
                         None, "Ikke målt" if h.niveau else "Se arket Indikatorer", None])
            continue
        baseline_shown = row["status"] != stats.STATUS_BASELINE
        hidden = bool(row["undertrykt"])  # decided in the indicator table (discretion.py)
        rows.append([
            h.delmaal.kort_navn, h.name, row["enhed_navn"], row["enhed"],
            Cell(number(row["baseline_vaerdi"]), _value_fmt(row)), number(row["baseline_aar"]),
            report.HIDDEN if hidden else Cell(number(row["vaerdi"]), _value_fmt(row)),
            number(row["aar"]),
            report.HIDDEN if hidden else
            Cell(number(row["aendring"]) if baseline_shown else None, _change_fmt(row)),
            row["aendring_enhed"] if baseline_shown else None,
            _status_word(row["status"]) + (f"; {row['maal_status']}"
                                           if isinstance(row.get("maal_status"), str)
                                           and row.get("maal_status") else ""),
            row["note"] or None,
        ])
    notes = ["Status siger, om ændringen fra baseline er større, end tilfældigheder kan forklare "
             "(95 pct. sikkerhed), og om den går i delmålets retning (arket Definitioner).",
             f"Seneste måling er den nyeste måling til og med {data.year}. Alle tal står i arket "
             "Indikatorer, og filerne bag dem i arket Datakilder."]
    direction = report.direction_sentence(data).replace("*", "").strip()
    if direction:
        notes.insert(1, direction)
    if data.example:
        notes.insert(0, "EKSEMPELDATA: tallene er opdigtede (undtagen baselineårenes tal, som "
                        "står i delaftalen). Må ikke bruges som status for helhedsplanen.")
    write_table(ws, cols, rows, notes, one_page=True)


def _sheet_indicators(ws, table: pd.DataFrame) -> None:
    wide = {"indikator", "note", "datakilde"}
    fixed = {"afdeling": YEAR_FMT, "decimaler": YEAR_FMT, "aar": YEAR_FMT,
             "baseline_aar": YEAR_FMT, "taeller": COUNT_FMT, "naevner": COUNT_FMT,
             "baseline_taeller": COUNT_FMT, "baseline_naevner": COUNT_FMT, "p_vaerdi": P_FMT}
    cols = [Col(INDICATOR_HEADERS.get(c, c), fixed.get(c), wrap=c in wide)
            for c in indicators.COLUMNS]
    per_row_value = {"vaerdi", "ci_lav", "ci_hoej", "baseline_vaerdi", "maal"}

    def cells(row: pd.Series) -> list[object]:
        out = []
        for c in indicators.COLUMNS:
            x = row[c]
            if c in BOOLEAN_COLUMNS:
                out.append(None if missing(x) else bool(x))
            elif c in per_row_value:
                out.append(Cell(number(x), _value_fmt(row)))
            elif c == "aendring":
                out.append(Cell(number(x), _change_fmt(row)))
            elif isinstance(x, str):
                out.append(x or None)
            else:
                out.append(number(x))
        return out

    # What a row is about (delmål, indicator, level, unit) repeats on every printed page.
    write_table(ws, cols, (cells(r) for _, r in table.iterrows()), key_columns=5)


def _phase_years(cfg: Config, years: list[int]) -> str:
    first, last = years[0], years[-1]
    start = cfg.helhedsplan.periode_fra.year
    span = f"{first}–{last}" if last != first else str(first)
    return f"projektår {span} (1.9.{start + first - 1}–31.8.{start + last})"


def _sheet_activities(ws, cfg: Config, table: pd.DataFrame) -> None:
    cols = [Col("Slags"), Col("Aktivitet", wrap=True), Col("Beskrivelse", wrap=True),
            Col("Periode"), Col("År", YEAR_FMT), Col("Mål", COUNT_FMT), Col("Resultat"),
            Col("Enhed"), Col("Status"), Col("Note", wrap=True), Col("Kildefil(er)")]
    ind = cfg.activity_targets
    rows: list[list[object]] = []
    if ind is not None:
        rows.append(["Mål", ind.navn, ind.beskrivelse, None, None, None, None, None, None, None,
                     None])
        for t in ind.maal:
            rows.append(["Mål", t.navn, "Temaer: " + "; ".join(ind.temaer) + "."
                         if t.tema == "alle" else None,
                         "hver måned" if t.regel == "maaneder" else "pr. år" if t.pr_aar
                         else "til orientering", None, t.pr_aar, None, "antal", None, None,
                         None])
    for phase in cfg.helhedsplan.faser:
        rows.append(["Fase", phase.navn, phase.beskrivelse, _phase_years(cfg, phase.projektaar),
                     None, None, None, None, None, None, None])
    delmaal_id = cfg.delmaal_of(ind.id).id if ind is not None else None
    results = table[(table["delmaal_id"] == delmaal_id) & (table["niveau"] != "måned")]
    for _, r in results.iterrows():
        rows.append(["Resultat", r["indikator"], None, r["enhed_navn"], number(r["aar"]),
                     Cell(number(r.get("maal")), _value_fmt(r)),
                     Cell(None if r["undertrykt"] else number(r["vaerdi"]), _value_fmt(r)),
                     r["enhed"], _status_word(r["status"]), r["note"] or None,
                     r["kilde_fil"] or None])
    notes = ([] if len(results) else
             ["Indikatortabellen har ingen resultater for aktiviteterne (aktivitetsloggen) for "
              "året; arket viser delaftalens aktivitetsmål." if ind is not None else
              "Delaftalen har ingen aktivitetsmål."])
    write_table(ws, cols, rows, notes)


def _sheet_sources(ws, inputs: list[dict]) -> None:
    cols = [Col("Fil"), Col("Kilde"), Col("Kilde-id"), Col("Dataår", YEAR_FMT),
            Col("Rækker", COUNT_FMT), Col("SHA-256", width=66), Col("Eksempeldata"),
            Col("Ikke talt med", wrap=True)]
    rows = [[i["fil"], i["kilde"], i["kilde_id"], i.get("aar"), i.get("raekker"), i["sha256"],
             i.get("eksempeldata"), " ".join(left_out_lines([i])) or None] for i in inputs]
    write_table(ws, cols, rows, ["SHA-256 er filens kontrolsum: den samme fil giver altid den "
                                  "samme kontrolsum, så man kan se, at tallene kommer fra netop "
                                  "den fil."])


def _sheet_definitions(ws, cfg: Config, table: pd.DataFrame) -> None:
    cols = [Col("Delmål-id"), Col("Delmål", wrap=True), Col("Delmål (delaftalens ord)", wrap=True),
            Col("Indikator", wrap=True), Col("Indikator-id'er"), Col("Definition", wrap=True),
            Col("Type"), Col("Decimaler", YEAR_FMT), Col("God retning", wrap=True),
            Col("Datakilde", wrap=True), Col("Baseline", wrap=True), Col("Sammenligning", wrap=True)]
    rows = []
    for d, ind in cfg.indicators():
        ids = [ind.id, *([f"{ind.id}_andel"] if getattr(ind, "andel_af", None) else [])]
        direction = ("op: flere/højere er bedre" if ind.god_retning == "op"
                     else "ned: færre/lavere er bedre")
        comps = [s.navn for s in getattr(ind, "sammenligning", [])]
        if getattr(ind, "andel_af", None):
            comps.append(ind.andel_af.navn)
        baseline = (report.baseline_text(cfg, ind) if ind.type != "aktivitetsmaal" else
                    "Aktivitetsmål: se arket Aktivitetsmål")
        target = report.target_text(cfg, ind) if ind.type != "aktivitetsmaal" else ""
        rows.append([d.id, d.kort_navn, d.delmaal, ind.navn, ", ".join(ids),
                     ind.definition or getattr(ind, "beskrivelse", None), ind.type,
                     cfg.decimals(ind), direction, ind.datakilde,
                     baseline + (f" Mål: {target}" if target else ""),
                     ", ".join(comps) or None])
    threshold = cfg.diskretion.mindste_antal
    notes = [f"Diskretion: tal om færre end {threshold} personer vises ikke (Danmarks Statistiks "
             "regel; primær diskretion). Er et tal i en sum skjult (afdelingerne og hele "
             "helhedsplanen, boligområderne og helhedsplanen, samme år), skjules også den "
             f"mindste anden del over {threshold}, der ikke er hele sin nævner, eller totalen, "
             "så intet skjult tal kan regnes ud som en forskel (sekundær diskretion). Cellerne "
             "er tomme; kolonnen 'Hvorfor skjult' siger primær eller sekundær, og noten siger "
             "det med ord.",
             "Usikkerhed: hver andel har et 95 pct. Wilson-interval, et antal et eksakt "
             "Poisson-interval. Ændringen fra baseline testes (to-andels-test, Fishers eksakte "
             "test ved små tal; for antal en eksakt Poisson-test); p-værdien står i arket "
             "Indikatorer.",
             *(["Afdeling og boligområde: " + cfg.afdeling_kobling.begrundelse]
               if cfg.afdeling_kobling else [])]
    other = set(table["delmaal_id"]) - {d.id for d in cfg.delmaal}
    if "maalgruppe" in other:
        notes.append("Delmål-id 'maalgruppe' i arket Indikatorer er delaftalens dataoversigt: "
                     "beboerne i boligområderne efter LBF's Beboerdata. Baggrund, ikke et mål.")
    if cfg.activity_targets is not None:
        notes.append(f"Delmål-id '{cfg.delmaal_of(cfg.activity_targets.id).id}' i arket "
                     "Indikatorer har aktivitetsmålene, opgjort fra aktivitetsloggen; se arket "
                     "Aktivitetsmål.")
    write_table(ws, cols, rows, notes)


def workbook(cfg: Config, year: int, table: pd.DataFrame, inputs: list[dict]) -> Workbook:
    """The figures for LBF: values only (no formulas), Danish number formats, one table per sheet."""
    data = report.ReportData(cfg, year, table, inputs)
    wb = Workbook()
    sheets = {name: (wb.active if i == 0 else wb.create_sheet()) for i, name in enumerate(SHEETS)}
    for name, ws in sheets.items():
        ws.title = name
    _sheet_overview(sheets["Oversigt"], data)
    _sheet_indicators(sheets["Indikatorer"], table)
    _sheet_activities(sheets["Aktivitetsmål"], cfg, table)
    _sheet_sources(sheets["Datakilder"], inputs)
    _sheet_definitions(sheets["Definitioner"], cfg, table)
    wb.properties.title = f"Statusrapport {year}: {cfg.navn}, tal"
    wb.properties.subject = f"Den boligsociale helhedsplan {cfg.helhedsplan.navn}"
    wb.properties.creator = f"helhedsplan {__version__}"
    return wb


def workbook_bytes(wb: Workbook, seconds: int | None = None) -> bytes:
    """The .xlsx bytes, the same for the same content: core properties and every zip entry
    carry `seconds` (default: SOURCE_DATE_EPOCH or a fixed time), never the clock."""
    seconds = reproducible.epoch() if seconds is None else seconds
    wb.properties.created = wb.properties.modified = reproducible.utc(seconds)
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible.rezip(buf.getvalue(), seconds)


def _report_dir(root: Path, year: int, cfg: Config) -> Path:
    return Path(root) / "reports" / str(year) / cfg.id


def _processed_dir(root: Path, year: int, cfg: Config) -> Path:
    return Path(root) / "data" / "processed" / str(year) / cfg.id


def report_date(year: int, root: Path, cfg: Config) -> dt.date | None:
    """The report date the published report was built with (its front matter), if any."""
    executed = _report_dir(root, year, cfg) / "notesbøger" / "statusrapport.ipynb"
    try:
        value = front_matter(nbformat.read(str(executed), as_version=4)).get("date")
        return dt.date.fromisoformat(str(value)) if value else None
    except (OSError, ValueError):
        return None


# --- what the report was made from, and whether it is up to date ---------------------------

def inputs_read(year: int, root: Path, cfg: Config) -> list[dict]:
    """Every input of the delaftale's report for the year: the files the stages read (the
    analyst's comments among them, when there are any) and the configuration files."""
    inputs = read_inputs(_processed_dir(root, year, cfg))
    for rel, what in ((f"config/{config.HELHEDSPLAN_FILE}", "Helhedsplanen (konfiguration)"),
                      (f"config/{config.DELAFTALER_DIR}/{cfg.id}.yaml",
                       "Delaftalen (konfiguration)")):
        inputs.append({"fil": rel, "kilde": what, "kilde_id": "konfiguration", "aar": None,
                       "raekker": None, "sha256": sha256(Path(root) / rel),
                       "eksempeldata": False})
    return inputs


def stale_reason(year: int, root: Path, renderer: str = "auto",
                 delaftale: str | None = None) -> str | None:
    """Why the year's reports must be (re)built before export, in Danish; None if current.

    Current means what it means for `make report` (pipeline.status): every stage's inputs have
    the content (SHA-256) recorded at the last build, and every published file is the one that
    build wrote. File dates play no part."""
    reasons = pipeline.status(year, Path(root), renderer, delaftale)
    if not reasons:
        return None
    more = f" (og {len(reasons) - 1} trin mere)" if len(reasons) > 1 else ""
    return reasons[0] + more


# --- the package -----------------------------------------------------------------------------

def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_export(year: int | None = None, root: Path | None = None, renderer: str = "auto",
                 log: Callable[[str], None] = print, wait_for_lock: bool = False,
                 delaftale: str | None = None) -> Path:
    """Build the reports if needed, then write the LBF package for the year: one delaftale's
    (`delaftale`), or every delaftale's with the board overview. Returns the zip.

    Holds the project's run lock throughout, so no build can change the report while it is
    packed (the command line takes it before it imports this module). Raises InputError,
    StageError, RunLocked or PublishError (from the build) and OSError (the zip cannot be
    written), with Danish messages for all but the last."""
    root = Path(root or paths.ROOT)
    with runs.lock(root, wait=wait_for_lock, log=log):
        return _export_locked(year, root, renderer, log, delaftale)


def _package(cfg: Config, year: int, root: Path, prefix: str = "") -> tuple[dict, dict]:
    """One delaftale's files for the package, and its part of the manifest."""
    out = _report_dir(root, year, cfg)
    processed = _processed_dir(root, year, cfg)
    table = indicators.read(processed)
    inputs = inputs_read(year, root, cfg)
    dated = report_date(year, root, cfg)
    seconds = reproducible.epoch_for(dated, year)
    files: dict[str, bytes] = {
        f"{prefix}statusrapport_{year}.pdf": (out / "statusrapport.pdf").read_bytes(),
        f"{prefix}statusrapport_{year}_tal.xlsx":
            workbook_bytes(workbook(cfg.for_report(year), year, table, inputs), seconds)}
    for nb in sorted((out / "notesbøger").glob("*.ipynb")):
        files[f"{prefix}{NOTEBOOK_FOLDER}/{ascii_slug(nb.stem, keep='_.')}.ipynb"] = \
            nb.read_bytes()
    part = {
        "delaftale": cfg.navn,
        "id": cfg.id,
        "rapportdato": dated.isoformat() if dated else None,
        "eksempeldata": bool(table["eksempeldata"].any()) or any(i["eksempeldata"]
                                                                 for i in inputs),
        "inddata": inputs,
        "diskretion": {
            "mindste_antal": cfg.diskretion.mindste_antal,
            "skjulte_raekker": int(table["undertrykt"].astype(bool).sum()),
            "regel": f"Tal om færre end {cfg.diskretion.mindste_antal} personer vises ikke "
                     "(primær diskretion). Er et tal i en sum skjult, skjules også den mindste "
                     "anden del over grænsen (ellers totalen), så intet skjult tal kan regnes "
                     "ud af de viste (sekundær diskretion). Skjulte tal står tomme i arket "
                     "Indikatorer med 'ja' i 'Vises ikke (diskretion)' og grunden i 'Hvorfor "
                     "skjult'.",
        },
    }
    return files, part


_EXPLAINED = ("sha256 er SHA-256-kontrolsummen af filen: 'filer' er filerne i pakken, 'inddata' "
              "de filer, rapporten og tallene er lavet af. Pakken indeholder intet tidspunkt for "
              "kørslen: de samme inddata giver den samme pakke, byte for byte, så samme "
              "kontrolsum på zip-filen betyder samme pakke.")


def _export_locked(year: int | None, root: Path, renderer: str,
                   log: Callable[[str], None], delaftale: str | None) -> Path:
    every = config.load_every(root)
    if delaftale is None and len(every) == 1:  # the only delaftale: its package is the plan's
        delaftale = every[0].id
    chosen = [config.load(root, delaftale)] if delaftale else every
    year = pipeline.latest_year(root) if year is None else year
    if not (root / "data" / "raw" / str(year)).is_dir():
        pipeline.build(year, root=root, renderer=renderer, log=log, delaftale=delaftale)
    reason = stale_reason(year, root, renderer, delaftale)
    overview = [root / "reports" / str(year) / f"samlet-status{s}" for s in (".pdf",)]
    if reason or (not delaftale and not all(p.exists() for p in overview)):
        log(f"Rapporten for {year} bygges først, fordi "
            f"{reason or 'den samlede status mangler'}.")
        pipeline.build(year, root=root, renderer=renderer, log=log, delaftale=delaftale)
    else:
        log(f"Rapporten for {year} er opdateret: den bygges ikke igen.")

    whole = delaftale is None
    files: dict[str, bytes] = {}
    parts = []
    for cfg in chosen:
        got, part = _package(cfg, year, root, prefix=f"{cfg.id}/" if whole else "")
        files |= got
        parts.append(part)
    if whole and overview[0].exists():
        files[f"samlet-status_{year}.pdf"] = overview[0].read_bytes()
    dates = [dt.date.fromisoformat(p["rapportdato"]) for p in parts if p["rapportdato"]]
    dated = max(dates) if dates else None
    # The same reports give the same package, byte for byte: every time in it is the report date.
    seconds = reproducible.epoch_for(dated, year)
    stem = package_stem(chosen[0], year, whole_plan=whole)
    manifest = {
        "pakke": f"{stem}.zip",
        "helhedsplan": chosen[0].helhedsplan.navn,
        "aar": year,
        "rapportdato": dated.isoformat() if dated else None,
        "version": __version__,
        "eksempeldata": any(p["eksempeldata"] for p in parts),
        "filer": [{"fil": name, "bytes": len(data), "sha256": _digest(data)}
                  for name, data in files.items()],
        "delaftaler" if whole else "delaftale": parts if whole else parts[0],
        "forklaring": _EXPLAINED,
    }
    files[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")

    folder = root / "reports" / str(year) / ("" if whole else chosen[0].id)
    target = folder / f"{stem}.zip"
    tmp = root / ".byg" / f"{stem}.{os.getpid()}.tmp"  # same disk; cleared by the next run
    try:
        try:
            tmp.write_bytes(reproducible.write_zip(files.items(), seconds))
        except OSError as err:  # e.g. a full disk: the error a write raises names no file
            raise WriteFailed(err.errno, err.strerror, str(tmp)) from None
        with runs.critical():  # Ctrl-C now: the zip is in place, and the message says so
            os.replace(tmp, target)
            runs.note_published(target.relative_to(root).as_posix())
    finally:
        tmp.unlink(missing_ok=True)
    log(f"Eksporten indeholder {len(files)} filer ({math.ceil(target.stat().st_size / 1024)} kB).")
    return target
