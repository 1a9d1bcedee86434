"""The delaftale's activity targets, computed from the staff's activity log.

The targets are configuration (an indicator of type aktivitetsmaal): each counts the activities
that match it (a theme, a place, a partner, arranged with residents), or the months with at
least one, against a yearly target. Each is computed per calendar year and per project year
(1 Sept – 31 Aug), as rows of the indicator table, with the log's participants, residents and
partners beside them (to be read, not judged).
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
from babel.dates import format_date

from . import discretion
from .config import Config
from .formatting import capitalised, mid_sentence
from .sources.aktiviteter import OTHER_PARTNERS, OTHER_THEME, OUTSIDE, SOURCE, theme_labels

MET, NOT_MET, ONGOING, INFO = "mål nået", "mål ikke nået", "i gang", "til orientering"
EVENTS = "aktiviteter"  # the row counting every activity of the year
LOG = SOURCE.id  # kilde_id of the activity log's files among the inputs
MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def periods(cfg: Config, year: int) -> list[tuple[str, dt.date, dt.date, bool]]:
    """The calendar year and each project year overlapping it: (label, first, last, complete).

    A period is complete when it has ended by 31 December of the report year."""
    hp = cfg.helhedsplan
    out = [(f"kalenderår {year}", max(dt.date(year, 1, 1), hp.periode_fra),
            min(dt.date(year, 12, 31), hp.periode_til), True)]
    year_end = dt.date(year, 12, 31)
    for n in sorted({cfg.project_year(d) for d in (dt.date(year, 1, 1), year_end)
                     if cfg.project_year(d)}):
        first = dt.date(hp.periode_fra.year + n - 1, hp.projektaar_start_maaned, 1)
        last = dt.date(first.year + 1, first.month, 1) - dt.timedelta(days=1)
        # A project year still running at the end of the report year is counted so far only:
        # months that have not happened yet are not "months without activity".
        label = f"projektår {n} ({first.year}/{str(first.year + 1)[2:]})"
        out.append((label, first, min(last, year_end), last <= year_end))
    return out


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    months, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _pieces(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The period cut at 1 January and 1 September: the pieces that calendar years and project
    years are made of."""
    cuts = sorted({dt.date(y, m, 1) for y in range(first.year, last.year + 1) for m in (1, 9)
                   if first < dt.date(y, m, 1) <= last})
    starts = [first, *cuts]
    ends = [c - dt.timedelta(days=1) for c in cuts] + [last]
    return list(zip(starts, ends, strict=True))


def month_label(ym: tuple[int, int]) -> str:
    """(2024, 7) → 'juli 2024' (babel's Danish month name, never an abbreviation)."""
    return format_date(dt.date(ym[0], ym[1], 1), "LLLL y", locale="da_DK")


def _matching(log: pd.DataFrame, target, themes: list[str]) -> pd.DataFrame:
    """The activities a target counts: its theme, place, partner and co-organising filters."""
    keep = pd.Series(True, index=log.index)
    if target.tema == "alle":
        keep &= log["tema"].isin(themes)
    elif target.tema == "andet":
        keep &= log["tema"] == OTHER_THEME
    if target.sted == "boligomraader":
        keep &= log["sted"] != OUTSIDE
    elif target.sted == "uden_for":
        keep &= log["sted"] == OUTSIDE
    if target.partner:
        keep &= log["partnere"].fillna("").str.contains(target.partner, regex=False)
    if target.medarrangeret is not None:
        keep &= log["beboere_medarrangoer"].astype(bool) == target.medarrangeret
    return log[keep]


def summarise(ind, log: pd.DataFrame, first: dt.date, last: dt.date) -> dict:
    """Everything the targets need for one period."""
    dates = pd.to_datetime(log["dato"]).dt.date
    period = log[(dates >= first) & (dates <= last)].copy()
    themes = theme_labels(ind)
    months = _months(first, last)
    counts, missing = {}, {}
    for t in ind.maal:
        hits = _matching(period, t, themes)
        if t.regel == "maaneder":
            active = {(d.year, d.month) for d in pd.to_datetime(hits["dato"]).dt.date}
            counts[t.id] = sum(m in active for m in months)
            missing[t.id] = [m for m in months if m not in active]
        else:
            counts[t.id] = len(hits)
    themed = period[period["tema"].isin(themes)]
    # Only the configured partners are named; anything else written in the log (which could be
    # a person's name) is counted as "andre samarbejdspartnere" and never shown.
    known = {p.casefold(): p for p in ind.partnere}
    partners: dict[str, int] = {}
    for cell in period["partnere"].dropna():
        names = {p.strip() for p in str(cell).replace(",", ";").split(";") if p.strip()}
        for name in {known.get(n.casefold(), OTHER_PARTNERS) for n in names}:
            partners[name] = partners.get(name, 0) + 1
    return {
        "months": months, "counts": counts, "missing": missing, "events": len(period),
        "per_theme": {t: int((themed["tema"] == t).sum()) for t in themes},
        "participants": int(period["deltagere"].sum()),
        "residents": int(period["beboere"].sum()),
        "partners": dict(sorted(partners.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def indicator_rows(cfg: Config, delmaal, ind, log: pd.DataFrame, year: int,
                   threshold: int) -> list[dict]:
    """Rows for the indicator table: per period, each target with its value and status."""
    rows = []
    example = bool(log["eksempeldata"].any()) if len(log) else False
    themes_after = next((t.id for t in ind.maal if t.regel == "antal" and t.tema == "alle"),
                        None)
    for label, first, last, complete in periods(cfg, year):
        if first > last:  # the report year lies outside the plan period
            continue
        s = summarise(ind, log, first, last)
        # Only the years' logs the period is counted from (issue 21.6), not every year's.
        files = _logs_of(log, first.year, last.year)
        pending = ONGOING if not complete else None
        # The person counts of the periods' pieces (Jan–Aug, Sep–Dec): every report publishes
        # its calendar year and project years, so across reports each piece is the difference
        # of published periods (discretion.periods_hidden).
        pieces = [summarise(ind, log, a, b) for a, b in _pieces(first, last)]

        def add(indikator_id, indikator, value, target=math.nan, status=INFO, note="",
                persons=None, _label=label, _pieces=pieces, files=files):
            row = dict(delmaal_id=delmaal.id, indikator_id=indikator_id, indikator=indikator,
                       niveau="helhedsplan", enhed_navn=_label, enhed="antal", decimaler=0,
                       aar=year, maalt=True, vaerdi=float(value), taeller=float(value),
                       maal=target, status=status, note=note, god_retning="op",
                       datakilde=ind.datakilde, kilde_fil=files, eksempeldata=example,
                       undertrykt=False)
            reason = persons and discretion.period_hidden(
                value, [p[persons] for p in _pieces], threshold)
            if reason:
                row.update(vaerdi=math.nan, taeller=math.nan, undertrykt=True,
                           undertrykt_grund=reason, note=discretion.note(reason, threshold))
            rows.append(row)

        n_months = len(s["months"])
        for t in ind.maal:
            value = s["counts"][t.id]
            if t.regel == "maaneder":
                missing = ", ".join(month_label(m) for m in s["missing"][t.id])
                add(t.id, t.navn, value, n_months,
                    pending or (MET if not s["missing"][t.id] else NOT_MET),
                    f"Ingen netværksaktivitet i {missing}" if missing else "")
            elif t.pr_aar is None:
                add(t.id, t.navn, value)
            else:
                # A period with fewer than 12 months in the plan has a prorated target, and the
                # table's "x af y" shows that target, so the judgement and the note say the same.
                prorated = n_months < 12 and not pending
                target = math.ceil(t.pr_aar * min(n_months, 12) / 12) if prorated else t.pr_aar
                add(t.id, t.navn, value, target,
                    pending or (MET if value >= target else NOT_MET),
                    f"Perioden har kun {n_months} måneder i helhedsplanen; målet er {t.pr_aar} "
                    f"pr. år, her forholdsmæssigt {target}" if target != t.pr_aar else "")
            if t.id == themes_after:
                for theme, count in s["per_theme"].items():
                    add(f"tema: {theme}", f"Temaarrangementer: {theme}", count)
        add(EVENTS, "Aktiviteter i alt", s["events"])
        add("deltagere", "Deltagere i alt", s["participants"], persons="participants")
        add("heraf_beboere", "Heraf beboere", s["residents"], persons="residents")
        for partner, count in s["partners"].items():
            add(f"partner: {partner}", f"Aktiviteter med {partner}", count)
    if rows:  # a year outside the plan period has no calendar either
        rows += _month_rows(cfg, delmaal, ind, log, year, _logs_of(log, year, year), example)
    return rows


def _logs_of(log: pd.DataFrame, first_year: int, last_year: int) -> str:
    """The year logs a period is counted from (issue 21.6): those with rows in its years."""
    if not len(log):
        return ""
    years = pd.to_datetime(log["dato"]).dt.year
    return ", ".join(sorted(set(log.loc[years.between(first_year, last_year), "kilde_fil"])))


def month_rule_phrase(target) -> str:
    """What a filled month of the calendar strip means, from the month rule's name: 'Måneder med
    netværksaktivitet i boligområderne' → 'netværksaktivitet i boligområderne'."""
    if target is None:
        return "aktivitet"
    name = re.sub(r"^måneder med\s+", "", target.navn.strip(), flags=re.IGNORECASE)
    return mid_sentence(name)


def _month_rows(cfg: Config, delmaal, ind, log: pd.DataFrame, year: int, files: str,
                example: bool) -> list:
    """Per month of the report year: activities in the areas, themed events, events outside
    the areas. Months outside the plan period are 'not measured'. Feeds the calendar strip."""
    hp = cfg.helhedsplan
    dates = pd.to_datetime(log["dato"]).dt.date if len(log) else pd.Series([], dtype=object)
    themes = theme_labels(ind)
    # A filled month is one the month rule counts (its place, theme, partner), as the text says.
    monthly = next((t for t in ind.maal if t.regel == "maaneder"), None)
    rows = []
    for m in range(1, 13):
        first = dt.date(year, m, 1)
        last = dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        in_plan = last >= hp.periode_fra and first <= hp.periode_til
        month = log[(dates >= first) & (dates <= last)] if len(log) else log
        counts = {
            "maaned_netvaerk": (len(_matching(month, monthly, themes)) if monthly else len(month))
            if len(month) else 0,
            "maaned_tema": int(month["tema"].isin(themes).sum()) if len(month) else 0,
            "maaned_udenfor": int(((month["sted"] == OUTSIDE)
                                   & month["tema"].isin(themes)).sum()) if len(month) else 0,
        }
        phrase = month_rule_phrase(monthly)
        names = {"maaned_netvaerk": f"{capitalised(phrase)} i måneden",
                 "maaned_tema": "Temaarrangementer i måneden",
                 "maaned_udenfor": "Temaarrangementer uden for boligområderne i måneden"}
        for key, value in counts.items():
            rows.append(dict(delmaal_id=delmaal.id, indikator_id=key, indikator=names[key],
                             niveau="måned", enhed_navn=f"{year}-{m:02d}", enhed="antal",
                             decimaler=0, aar=year, maalt=in_plan,
                             vaerdi=float(value) if in_plan else math.nan,
                             taeller=float(value) if in_plan else math.nan, status=INFO,
                             note="" if in_plan else "Uden for helhedsplanens periode",
                             god_retning="op", datakilde=ind.datakilde, kilde_fil=files,
                             eksempeldata=example, undertrykt=False))
    return rows
