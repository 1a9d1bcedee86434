"""The activity targets' section: targets per period, the log summarised, page 1's line."""

from __future__ import annotations

import pandas as pd

from .. import activities as activity_targets
from ..formatting import MISSING, number
from .data import HIDDEN, ReportData, is_hidden
from .markdown import capitalised, md_table, notes_naming, table_notes

ACTIVITY_MARKERS = {
    activity_targets.MET: "■ Mål nået",
    activity_targets.NOT_MET: "□ Mål ikke nået",
    activity_targets.ONGOING: "◐ I gang",
}


ACTIVITY_TARGETS = ["maaneder_med_aktivitet", "temaarrangementer", "uden_for_boligomraaderne",
                    "medarrangeret"]


def _activity_rows(data: ReportData) -> pd.DataFrame:
    t = data.table
    return t[(t["delmaal_id"] == "aktiviteter") & (t["niveau"] == "helhedsplan")
             & (t["aar"] == data.year)]


def activity_targets_text(data: ReportData) -> str:
    a = data.cfg.aktivitetsmaal
    themes = "; ".join(t.lower() for t in a.temaer)
    return (f"Delaftalens aktivitetsmål: {a.netvaerksaktiviteter.lower().rstrip('.')}; "
            f"{a.temaarrangementer_pr_aar} aktiviteter/arrangementer årligt med særligt fokus på "
            f"temaerne ({themes}); mindst {a.uden_for_boligomraaderne_pr_aar} af dem uden for "
            f"boligområderne i samarbejde med {a.uden_for_boligomraaderne_partner}. "
            + " ".join(f"Projektår {'–'.join(map(str, (f.projektaar[0], f.projektaar[-1])))}: "
                       f"{f.navn.lower()} ({f.beskrivelse[0].lower()}"
                       f"{f.beskrivelse[1:].rstrip('.')})." for f in data.cfg.helhedsplan.faser)
            + "\n")


def activity_table(data: ReportData) -> str:
    """Targets down, periods across (the calendar year and the project years in it)."""
    rows = _activity_rows(data)
    if rows.empty:
        return (f"*Der er ingen aktivitetslog for {data.year}. Helhedsplanen startede "
                f"{data.cfg.helhedsplan.periode_fra.strftime('%d.%m.%Y')}.*\n")
    periods = list(dict.fromkeys(rows["enhed_navn"]))
    body = []
    for indikator_id in ACTIVITY_TARGETS:
        r = rows[rows["indikator_id"] == indikator_id]
        if r.empty:
            continue
        cells = [r.iloc[0]["indikator"]]
        for p in periods:
            x = r[r["enhed_navn"] == p].iloc[0]
            of = rows[(rows["enhed_navn"] == p) & (rows["indikator_id"] == "aktiviteter")]
            cells.append(activity_value(x, of.iloc[0] if len(of) else None))
        body.append(cells)
    headers = ["Mål", *[capitalised(p) + (f", til og med december {data.year}" if any(
        rows[(rows["enhed_navn"] == p)]["status"] == activity_targets.ONGOING) else "")
        for p in periods]]
    out = md_table(headers, body, [30, *[22] * len(periods)], right=set())
    # A note that holds for several periods (the same month without activity) is read once.
    notes = notes_naming([(x.note[0].lower() + x.note[1:], x.enhed_navn)
                          for x in rows.itertuples()
                          if x.note and x.indikator_id in ACTIVITY_TARGETS], capitalised)
    return out + table_notes(notes)


def activity_value(x, events=None) -> str:
    """One activity target's cell: '11 af 12' where the figure is a part of the target (months
    with activity), '7 (mål: 6)' where it is a count against a target, '11 af 18' for the
    activities residents helped arrange (of all activities); then the target's status."""
    value = number(x["vaerdi"])
    if not pd.isna(x["maal"]):
        value += (f" af {number(x['maal'])}" if x["indikator_id"] == "maaneder_med_aktivitet"
                  else f" (mål: {number(x['maal'])})")
    elif events is not None and not is_hidden(events):
        value += f" af {number(events['vaerdi'])}"
    marker = ACTIVITY_MARKERS.get(x["status"], "")
    return f"{value} {marker}".strip()


def activity_log_summary(data: ReportData) -> str:
    """The log summarised for the calendar year: themes, participants, partners."""
    rows = _activity_rows(data)
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
    return (f"I {data.year} blev der holdt {n('aktiviteter')} aktiviteter {attended}. "
            f"Temaarrangementer: {themes}. Beboere var med til at arrangere "
            f"{n('medarrangeret')} af aktiviteterne."
            + (f" Samarbejdspartnere (antal aktiviteter): {partners}." if partners else "")
            + "\n")


def activity_summary_line(data: ReportData) -> str | None:
    """Page 1's line for the activity targets in the calendar year."""
    rows = _activity_rows(data)
    rows = rows[rows["enhed_navn"] == f"kalenderår {data.year}"]
    if rows.empty:
        return None
    parts, statuses = [], []
    labels = {"maaneder_med_aktivitet": "måneder med netværksaktivitet",
              "temaarrangementer": "temaarrangementer",
              "uden_for_boligomraaderne": "uden for boligområderne med "
                                          + data.cfg.aktivitetsmaal.uden_for_boligomraaderne_partner}
    for key, label in labels.items():
        r = rows[rows["indikator_id"] == key]
        if len(r):
            x = r.iloc[0]
            if key == "maaneder_med_aktivitet":
                parts.append(f"{number(x['vaerdi'])} af {number(x['maal'])} {label}")
            else:
                parts.append(f"{number(x['vaerdi'])} {label} (mål: {number(x['maal'])})")
            statuses.append(x["status"])
    met = sum(s == activity_targets.MET for s in statuses)
    marker = ACTIVITY_MARKERS[activity_targets.MET if met == len(statuses) else activity_targets.NOT_MET]
    status = f"{marker.split()[0]} {met} af {len(statuses)} mål nået"
    return f"**Aktivitetsmålene {data.year}:** " + "; ".join(parts) + f". {status}."
