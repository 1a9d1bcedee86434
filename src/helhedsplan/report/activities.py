"""An aktivitetsmaal indicator's section: targets per period, the log summarised, page 1's line."""

from __future__ import annotations

import pandas as pd

from .. import activities as activity_targets
from ..formatting import MISSING, mid_sentence, number
from ..processed import left_out_lines
from .data import HIDDEN, ReportData, is_hidden
from .markdown import capitalised, md_table, notes_naming, table_notes

ACTIVITY_MARKERS = {
    activity_targets.MET: "■ Mål nået",
    activity_targets.NOT_MET: "□ Mål ikke nået",
    activity_targets.ONGOING: "◐ I gang",
}
SOME_MET = "◧"  # page 1: some of the targets met (the method explains every symbol)


def _activity_rows(data: ReportData, ind) -> pd.DataFrame:
    t = data.table
    delmaal = data.cfg.delmaal_of(ind.id)
    return t[(t["delmaal_id"] == delmaal.id) & (t["niveau"] == "helhedsplan")
             & (t["aar"] == data.year)]


def activity_targets_text(data: ReportData, ind) -> str:
    """The delaftale's targets in its own words, and the plan's phases."""
    phases = " ".join(
        f"Projektår {'–'.join(map(str, (f.projektaar[0], f.projektaar[-1])))}: "
        f"{f.navn.lower()} ({mid_sentence(f.beskrivelse).rstrip('.')})."
        for f in data.cfg.helhedsplan.faser)
    return (f"Delaftalens aktivitetsmål: {mid_sentence(ind.beskrivelse.strip())} "
            + phases).strip() + "\n"


def activity_table(data: ReportData, ind) -> str:
    """Targets down, periods across (the calendar year and the project years in it)."""
    rows = _activity_rows(data, ind)
    if rows.empty:
        return (f"*Der er ingen aktivitetslog for {data.year}. Helhedsplanen startede "
                f"{data.cfg.helhedsplan.periode_fra.strftime('%d.%m.%Y')}.*\n")
    periods = list(dict.fromkeys(rows["enhed_navn"]))
    targets = [t.id for t in ind.maal]
    body = []
    for t in ind.maal:
        r = rows[rows["indikator_id"] == t.id]
        if r.empty:
            continue
        cells = [r.iloc[0]["indikator"]]
        for p in periods:
            x = r[r["enhed_navn"] == p].iloc[0]
            of = rows[(rows["enhed_navn"] == p) & (rows["indikator_id"] == activity_targets.EVENTS)]
            cells.append(activity_value(x, of.iloc[0] if len(of) else None, t.regel))
        body.append(cells)
    headers = ["Mål", *[capitalised(p) + (f", til og med december {data.year}" if any(
        rows[(rows["enhed_navn"] == p)]["status"] == activity_targets.ONGOING) else "")
        for p in periods]]
    out = md_table(headers, body, [30, *[22] * len(periods)], right=set())
    # A note that holds for several periods (the same month without activity) is read once.
    notes = notes_naming([(mid_sentence(x.note), x.enhed_navn)
                          for x in rows.itertuples()
                          if x.note and x.indikator_id in targets], capitalised)
    return out + table_notes(notes)


def activity_value(x, events=None, regel: str = "antal") -> str:
    """One activity target's cell: '11 af 12' where the figure is a part of the target (months
    with activity), '7 (mål: 6)' where it is a count against a target, '11 af 18' for a count
    without a target (of all activities); then the target's status."""
    value = number(x["vaerdi"])
    if not pd.isna(x["maal"]):
        value += (f" af {number(x['maal'])}" if regel == "maaneder"
                  else f" (mål: {number(x['maal'])})")
    elif events is not None and not is_hidden(events):
        value += f" af {number(events['vaerdi'])}"
    marker = ACTIVITY_MARKERS.get(x["status"], "")
    return f"{value} {marker}".strip()


def activity_log_summary(data: ReportData, ind) -> str:
    """The log summarised for the calendar year: themes, participants, partners."""
    rows = _activity_rows(data, ind)
    rows = rows[rows["enhed_navn"] == f"kalenderår {data.year}"]
    if rows.empty:
        return ""
    get = {r.indikator_id: r for r in rows.itertuples()}

    def n(key):
        r = get.get(key)
        if r is None:
            return MISSING
        return HIDDEN if r.undertrykt else number(r.vaerdi)

    themes = ", ".join(f"{r.indikator_id.removeprefix('tema: ').lower()} {number(r.vaerdi)}"
                       for r in rows.itertuples() if r.indikator_id.startswith("tema: "))
    partners = ", ".join(f"{r.indikator_id.removeprefix('partner: ')} ({number(r.vaerdi)})"
                         for r in rows.itertuples() if r.indikator_id.startswith("partner: "))
    people = [k for k in ("deltagere", "heraf_beboere") if k in get and get[k].undertrykt]
    if people:  # discretion: the sentence says so instead of printing "vises ikke deltagere"
        who = " og ".join({"deltagere": "deltagere", "heraf_beboere": "beboere"}[k]
                          for k in people)
        attended = (f"med et antal {who}, der ikke vises (diskretion: færre end "
                    f"{data.cfg.diskretion.mindste_antal} personer i perioden eller en del af "
                    "den)")
        if len(people) == 1:
            attended += (f", og {n('deltagere')} deltagere" if people == ["heraf_beboere"]
                         else f", heraf {n('heraf_beboere')} beboere")
    else:
        attended = (f"med i alt {n('deltagere')} deltagere, heraf {n('heraf_beboere')} "
                    "beboere (samme person kan tælle med ved flere aktiviteter)")
    text = f"I {data.year} blev der holdt {n(activity_targets.EVENTS)} aktiviteter {attended}."
    if themes:
        text += f" Temaarrangementer: {themes}."
    co = next((t for t in ind.maal if t.medarrangeret and t.regel == "antal"), None)
    if co is not None:
        text += f" Beboere var med til at arrangere {n(co.id)} af aktiviteterne."
    if partners:
        text += f" Samarbejdspartnere (antal aktiviteter): {partners}."
    this_year = [i for i in data.inputs if i.get("kilde_id") == activity_targets.LOG
                 and i.get("aar") == data.year]
    for line in left_out_lines(this_year):  # read, but outside the plan: said where it counts
        text += " " + line
    return text + "\n"


def activity_status(data: ReportData, ind) -> tuple[str, str] | None:
    """Page 1's cells for the targets of the calendar year: ('Måneder med …: 12 af 12;
    Temaarrangementer i alt: 7 (mål: 6) …', '◧ 2 af 3 mål nået'); None without a log."""
    rows = _activity_rows(data, ind)
    rows = rows[rows["enhed_navn"] == f"kalenderår {data.year}"]
    if rows.empty:
        return None
    parts, statuses = [], []
    for t in ind.maal:
        r = rows[rows["indikator_id"] == t.id]
        if r.empty or pd.isna(r.iloc[0]["maal"]):
            continue
        x = r.iloc[0]
        # "navn: tal" reads right for any count, also 1 of a plural name from the delaftale
        if t.regel == "maaneder":
            parts.append(f"{t.navn}: {number(x['vaerdi'])} af {number(x['maal'])}")
        else:
            parts.append(f"{t.navn}: {number(x['vaerdi'])} (mål: {number(x['maal'])})")
        statuses.append(x["status"])
    met = sum(s == activity_targets.MET for s in statuses)
    if met == len(statuses):
        status = f"■ Alle {met} mål nået" if met > 1 else "■ Mål nået"
    elif met == 0:
        status = f"□ Ingen af {len(statuses)} mål nået" if len(statuses) > 1 else "□ Mål ikke nået"
    else:
        status = f"{SOME_MET} {met} af {len(statuses)} mål nået"
    return "; ".join(parts), status
