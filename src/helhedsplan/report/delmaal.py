"""A delmål's section: its text, the development year by year and the latest measurement against baseline."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..config import Config
from ..formatting import MISSING, interval, mid_sentence, number, pct
from .data import (
    HIDDEN,
    LEVELS,
    MARKERS,
    MAX_UNITS,
    PLURAL,
    ReportData,
    fmt_baseline,
    fmt_change,
    fmt_value,
    is_hidden,
    target_suffix,
    unit_rows,
)
from .markdown import md_table, notes_naming, sentence, table_notes
from .notes import absence_notes, merge_year_notes, parts_and_whole, rounding_note, suppression_note


def _direction(ind) -> str:
    return "flere/højere er bedre" if ind.god_retning == "op" else "færre/lavere er bedre"


def delmaal_text(data: ReportData, delmaal) -> str:
    """The delmål in the delaftale's words, then each indicator: definition, baseline, target,
    data source and good direction."""
    out = [f"**Delmål:** {sentence(delmaal.delmaal)}\n"]
    for ind in delmaal.indikatorer:
        if ind.type == "aktivitetsmaal":
            continue
        out.append(f"**Indikator:** {sentence(ind.navn)} {sentence(ind.definition)}".rstrip()
                   + "\n")
        out.append(f"**Baseline i delaftalen:** {baseline_text(data.cfg, ind)}\n")
        target = target_text(data.cfg, ind)
        if target:
            out.append(f"**Mål:** {target}\n")
        out.append(f"**Datakilde:** {sentence(ind.datakilde)} **Retning:** "
                   f"{_direction(ind)}.\n")
    return "\n".join(out)


def _unit_label(cfg: Config, ind, enhed) -> str:
    unit = cfg.unit(enhed, ind)
    if unit is None:
        return str(enhed)
    level, key = unit
    return {"afdeling": f"afd. {key}", "helhedsplan": "hele helhedsplanen"}.get(level, str(key))


def _share_text(k, n, decimals: int, noun: str) -> str:
    return f"{number(k)} af {number(n)}{' ' + noun if noun else ''} ({pct(100 * k / n, decimals)})"


def baseline_text(cfg: Config, ind) -> str:
    """The delaftale's baseline in its own terms, from the configuration (and, after a
    revision, which baseline applied before)."""
    block = cfg.baseline(ind)
    if block is not None and not (block.vaerdier or getattr(ind, "andel_af", None)):
        return (f"Delaftalen angiver baselineåret {block.aar}, men ingen tal: baseline er hver "
                f"enheds tal for {block.aar} i data." + _revision_text(cfg, ind))
    if block is None:
        return "Delaftalen angiver ingen baseline." + _revision_text(cfg, ind)
    decimals = cfg.decimals(ind)
    share = ind.type in ("andel", "svarfordeling")
    noun = getattr(ind, "naevner_ord", None) or ""
    values = [v for v in block.vaerdier if (v.taeller is not None and v.naevner is not None)
              or v.antal is not None]
    if share:
        plan_only = len(values) == 1 and cfg.unit(values[0].enhed, ind) == ("helhedsplan", None)
        if plan_only:
            v = values[0]
            text = _share_text(v.taeller, v.naevner, decimals, noun) + f" i {v.aar or block.aar}"
        elif len(values) > MAX_UNITS:
            text = (f"en baseline for hver af de {number(len(values))} "
                    f"{_PARTS.get(_finest(cfg, ind), ('enheder',))[0]} (se bilaget) ({block.aar})")
        elif len({v.aar or block.aar for v in values}) > 1:  # a value from a year of its own
            text = "; ".join(f"{_unit_label(cfg, ind, v.enhed)}: "
                             + _share_text(v.taeller, v.naevner, decimals, noun)
                             + f" ({v.aar or block.aar})" for v in values)
        else:
            text = "; ".join(f"{_unit_label(cfg, ind, v.enhed)}: "
                             + _share_text(v.taeller, v.naevner, decimals, noun)
                             for v in values) + f" ({values[0].aar or block.aar})"
        comps = [s for s in getattr(ind, "sammenligning", []) if s.baseline is not None
                 and s.baseline.taeller is not None and s.baseline.naevner is not None]
        text += "".join(f"; {s.navn}: " + _share_text(s.baseline.taeller, s.baseline.naevner,
                                                      decimals, noun) for s in comps)
        text += "."
        plan = _summed_plan_baseline(cfg, ind, values)
        if plan and not plan_only:
            k, n = plan
            text += (f" Hele helhedsplanen: {_share_text(k, n, decimals, noun)}, regnet af "
                     f"{_PARTS[_finest(cfg, ind)][1]} tal.")
        return text + _revision_text(cfg, ind)
    word = f" {ind.ord}" if getattr(ind, "ord", None) else ""
    years = [v.aar or block.aar for v in values]
    own_years = len(set(years)) > 1  # a value from a year of its own: each says its year
    text = "; ".join((f"{_unit_label(cfg, ind, v.enhed)}: {number(v.antal)}{word}"
                      if cfg.unit(v.enhed, ind) != ("helhedsplan", None) or len(values) > 1
                      else f"{number(v.antal)}{word}") + (f" ({y})" if own_years else "")
                     for v, y in zip(values, years, strict=True))
    a = getattr(ind, "andel_af", None)
    if a is not None and a.baseline is not None and a.baseline.antal and values:
        plan = next((v.antal for v in values
                     if cfg.unit(v.enhed, ind) == ("helhedsplan", None)), None)
        if plan is not None:
            text += (f" = {pct(100 * plan / a.baseline.antal, a.decimaler)} af alle "
                     f"{number(a.baseline.antal)}{word} ({a.navn})")
    year = "" if own_years else f" ({years[0] if years else block.aar})"
    return (text or "Delaftalen angiver ingen baseline") + f"{year}." + _revision_text(cfg, ind)


# A unit level's plural and its genitive: "de 18 afdelinger", "regnet af boligområdernes tal".
_PARTS = {"afdeling": ("afdelinger", "afdelingernes"),
          "boligomraade": ("boligområder", "boligområdernes")}


def _finest(cfg: Config, ind) -> str | None:
    return next((lv for lv in ("afdeling", "boligomraade") if lv in cfg.levels(ind)), None)


def _summed_plan_baseline(cfg: Config, ind, values) -> tuple | None:
    """The plan's baseline as the sum of its parts' (each area's denominator once), when the
    plan is shown, the delaftale states none for it, and every part has one."""
    if "helhedsplan" not in cfg.levels(ind) or not cfg.plan_from_parts(ind):
        return None
    finest = _finest(cfg, ind)
    if finest is None:
        return None
    units = {cfg.unit(v.enhed, ind): v for v in values}
    if ("helhedsplan", None) in units:
        return None
    parts = [(key, v) for (level, key), v in units.items() if level == finest]
    expected = cfg.afdelinger if finest == "afdeling" else cfg.area_names
    if len(parts) != len(expected):
        return None
    k = sum(v.taeller for _, v in parts)
    by_area = {(cfg.area_of_afdeling(key) if finest == "afdeling" else key): v.naevner
               for key, v in parts}
    return k, sum(by_area.values())


def _revision_text(cfg: Config, ind) -> str:
    earlier = cfg.earlier_baselines(ind)
    current = cfg.baseline(ind)
    if not earlier or current is None:
        return ""
    why = f" ({current.revision.rstrip('.')})" if current.revision else ""
    return (f" Bestyrelsen har revideret baselinen{why}: fra rapporten for "
            f"{current.gaelder_fra} måles mod {current.aar}; rapporterne før målte mod "
            + " og ".join(str(b.aar) for b in earlier) + ".")


def target_text(cfg: Config, ind) -> str:
    """'mindst 8,0 pct. i 2025 for hele helhedsplanen', from the configuration ('' if none)."""
    m = getattr(ind, "maal", None)
    if m is None or isinstance(m, list):
        return ""
    word = "mindst" if ind.god_retning == "op" else "højst"
    value = (pct(m.vaerdi, cfg.decimals(ind)) if ind.type in ("andel", "svarfordeling")
             else number(m.vaerdi) + (f" {ind.ord}" if getattr(ind, "ord", None) else ""))
    when = f"i {m.aar}" if m.aar else "hvert år"
    text = f"{word} {value} {when} for {_unit_label(cfg, ind, m.enhed)}."
    return text + (f" {sentence(m.tekst)}" if m.tekst else "")


APPENDIX_TITLE = "Bilag: tal pr. afdeling og boligområde"


def crowded_levels(data: ReportData, indikator_id: str) -> list[str]:
    """The indicator's levels with more units than a chapter's table shows readably."""
    rows = data.table[data.table["indikator_id"] == indikator_id]
    return [n for n in PLURAL if rows.loc[rows["niveau"] == n, "enhed_navn"].nunique() > MAX_UNITS]


def _body_levels(data: ReportData, indikator_id: str,
                 niveauer: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The levels a chapter's table shows, and a note pointing at the appendix for the rest."""
    if niveauer != LEVELS:
        return niveauer, ""
    moved = crowded_levels(data, indikator_id)
    if not moved:
        return niveauer, ""
    rows = data.table[data.table["indikator_id"] == indikator_id]
    counts = [f"de {number(rows.loc[rows['niveau'] == n, 'enhed_navn'].nunique())} {PLURAL[n]}"
              for n in moved]
    return (tuple(n for n in niveauer if n not in moved),
            f"Tallene for hver af {' og '.join(counts)} står i bilaget *{APPENDIX_TITLE}*.\n")


def units_appendix(data: ReportData) -> str:
    """Every crowded level's status per unit, afdelinger split by boligområde ('' if none)."""
    parts = []
    # A note per unit and year (how 'ved ikke' was counted, ...) would be hundreds of lines
    # here: the appendix says where they are instead (the indicator table and the LBF export).
    quiet = replace(data, table=data.table.assign(note=""))
    delmaal = data.table[data.table["delmaal_id"].isin([d.id for d in data.cfg.delmaal])]
    for indikator_id in dict.fromkeys(delmaal["indikator_id"]):
        for level in crowded_levels(data, indikator_id):
            rows = data.table[data.table["indikator_id"] == indikator_id]
            name = rows["indikator"].iloc[0]
            parts.append(f"## {name} pr. {level} {{.unnumbered}}\n")
            if level != "afdeling":
                parts.append(status_table(quiet, indikator_id, (level,)))
                continue
            for area in data.cfg.area_names:
                keep = (quiet.table["indikator_id"] != indikator_id) | (
                    quiet.table["boligomraade"] == area)
                parts.append(f"### {area} {{.unnumbered .unlisted}}\n")
                parts.append(status_table(replace(quiet, table=quiet.table[keep]),
                                          indikator_id, (level,)))
    if not parts:
        return ""
    return (f"# {APPENDIX_TITLE}\n\nSeneste måling mod baseline for hver enhed, der er for mange "
            "af til kapitlernes tabeller. Noterne til hver enkelt måling (fx hvordan 'ved ikke' er "
            f"talt) står i kolonnen *note* i data/processed/{data.year}/{data.cfg.id}/"
            "indikatorer.csv og i "
            "eksporten til Landsbyggefonden.\n\n" + "\n".join(parts))


def development_table(data: ReportData, indikator_id: str,
                      niveauer: tuple[str, ...] = LEVELS) -> str:
    """Units down, years across: the development since baseline at a glance."""
    niveauer, moved = _body_levels(data, indikator_id, niveauer)
    rows = unit_rows(data, indikator_id, niveauer)
    if not rows["maalt"].any():
        return f"*Ingen målinger til og med {data.year}.*\n"
    years = list(range(int(rows["aar"].min()), data.year + 1))
    body, marks = [], set()
    for _, r in rows.groupby(["_o", "_u"], sort=True):
        by_year = {int(y): x for y, x in zip(r["aar"], r.itertuples(), strict=True)}
        cells = [r["enhed_navn"].iloc[0]]
        for y in years:
            x = by_year.get(y)
            if x is None or not x.maalt:
                cells.append(MISSING)
                marks.add("missing")
            elif x.undertrykt:
                cells.append(HIDDEN)
            else:
                cells.append(number(x.vaerdi, int(x.decimaler) if x.enhed == "pct." else 0))
        body.append(cells)
    unit = "pct." if rows["enhed"].iloc[0] == "pct." else "antal"
    out = md_table([f"Enhed ({unit})", *map(str, years)], body,
                   [24, *[8] * len(years)], right=set(range(1, len(years) + 1)))
    notes = []
    if "missing" in marks:
        notes.append(f"{MISSING} = ingen tal for det år.")
        notes += [f"{n}." for n in absence_notes(rows)]
    hidden_note = suppression_note(data, rows[rows["maalt"]])
    if hidden_note:
        notes.append(hidden_note.strip())
    if moved:
        notes.append(moved.strip())
    return out + ("\n" + " ".join(notes) + "\n" if notes else "")


# The method text's name for it; the soft hyphen lets the header break in a narrow column.
INTERVAL_HEADER = "95 pct. usikkerheds\u00adinterval"


def status_table(data: ReportData, indikator_id: str,
                 niveauer: tuple[str, ...] = LEVELS) -> str:
    """Per unit: baseline, the latest measurement with its interval, change and status."""
    niveauer, moved = _body_levels(data, indikator_id, niveauer)
    rows = unit_rows(data, indikator_id, niveauer)
    if not rows["maalt"].any():
        return f"*Ingen målinger til og med {data.year}.*\n"
    share = rows["enhed"].iloc[0] == "pct."
    body, notes, shown = [], [], []
    about: list[tuple[str, str]] = []  # (note text, the unit (and years) it is about)
    for _, r in rows.groupby(["_o", "_u"], sort=True):
        measured = r[r["maalt"]]
        if measured.empty:
            continue
        x = measured.iloc[-1]
        shown.append(x)
        amount = ""
        if share:
            amount = (HIDDEN if is_hidden(x) else number(x["taeller"])) + \
                ("" if pd.isna(x["naevner"]) else f" af {number(x['naevner'])}")
        ci = HIDDEN if is_hidden(x) else interval(
            x["ci_lav"], x["ci_hoej"], int(x["decimaler"]) if share else 0,
            "pct." if share else "")
        status = MARKERS.get(x["status"], x["status"].capitalize()) + target_suffix(x)
        cells = [x["enhed_navn"], fmt_baseline(x, year=False),
                 f"{fmt_value(x)} ({int(x['aar'])})", amount, ci,
                 fmt_change(x, unit=False), status]
        body.append(cells if share else cells[:3] + cells[4:])
        unit_notes = {n for n, hidden in zip(r["note"], r["undertrykt"], strict=True)
                      if n and not n.startswith("Ikke målt") and not hidden}
        # Each note names the unit it is about: "Hele helhedsplanen (2018, 2021): …".
        for n in merge_year_notes(unit_notes):
            years, sep, text = n.partition(": ")
            if sep and years[:4].isdigit():
                about.append((text, f"{x['enhed_navn']} ({years})"))
            else:
                about.append((mid_sentence(n), x["enhed_navn"]))
    notes += notes_naming(about)
    # Why a year has no figure is about the source, not one group: said once for the table.
    notes += absence_notes(rows)
    change = "Ændring, procentpoint" if share else "Ændring, antal"
    base_years = rows["baseline_aar"].dropna().unique()
    baseline = f"Baseline {int(base_years[0])}" if len(base_years) == 1 else "Baseline"
    if share:
        out = md_table(["Enhed", baseline, "Seneste måling", "Antal", INTERVAL_HEADER,
                        change, "Status"], body, [16, 12, 17, 15, 17, 18, 20],
                       right={1, 2, 3, 4, 5})
    else:
        out = md_table(["Enhed", baseline, "Seneste måling", INTERVAL_HEADER, change,
                        "Status"], body, [21, 13, 19, 21, 17, 20], right={1, 2, 3, 4})
    rounding = rounding_note(shown)
    out += table_notes(notes + [n for n in (rounding, parts_and_whole(shown)) if n])
    hidden_note = suppression_note(data, pd.DataFrame(shown))
    if hidden_note:
        out += "\n" + hidden_note
    if moved:
        out += "\n" + moved
    return out
