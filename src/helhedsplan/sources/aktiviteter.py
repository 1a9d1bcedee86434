"""The activity log the staff keep: one row per activity, no persons.

The aktivitetsmål of the delaftaler (in the bundled one: monthly network activities, 6 themed
events, 1 outside the areas with Frivillighedens Hus) are computed from it in activities.py.
Activities dated outside the helhedsplan's period are read, left out and stated (`excluded`).
The log holds no names of persons: the template says so, and a column that looks like personal
data makes the file be refused.
"""

from __future__ import annotations

import pandas as pd

from ..config import Config
from ..excel import normalise_header
from ..formatting import day
from .checks import at_most
from .columns import Column, Layout, Source

YES_NO = ["ja", "nej"]
OTHER_THEME = "Andet"
OUTSIDE = "Uden for boligområderne"
OTHER_PARTNERS = "andre samarbejdspartnere"


def theme_labels(ind) -> list[str]:
    """Short theme names used in the log and the report: an aktivitetsmaal indicator's themes
    up to the first comma ('Trivsel i boligafdelingerne, herunder …' → 'Trivsel i …')."""
    return [t.split(",")[0] for t in ind.temaer]


def _activity_indicators(cfg: Config) -> list:
    """The aktivitetsmaal indicators of every delaftale that reads the log (one log per
    helhedsplan: it accepts the themes and partners of any of them)."""
    return [c.activity_targets for c in cfg.readers("aktivitetslog") if c.activity_targets]


def _themes(cfg):
    labels = [t for ind in _activity_indicators(cfg) for t in theme_labels(ind)]
    return [*dict.fromkeys(labels), OTHER_THEME]


def _partners(cfg) -> list[str]:
    return list(dict.fromkeys(p for ind in _activity_indicators(cfg) for p in ind.partnere))


def _places(cfg):
    return [*cfg.area_names, OUTSIDE]


def _residents_within_participants(cfg, year):
    return [at_most("beboere", "deltagere",
                    "flere beboere end deltagere: 'Heraf beboere' må højst være 'Deltagere'")]


def known_partners(cell, cfg) -> str | None:
    """A 'Samarbejdspartnere' cell → only the delaftale's partners, '; '-separated; anything
    else (which could name a person: 'Hanne fra Frivillighedens Hus') becomes 'andre
    samarbejdspartnere' and is never stored. A known partner named inside the text counts."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)) or not str(cell).strip():
        return None
    known = {normalise_header(p): p for p in _partners(cfg)}
    out: list[str] = []
    for part in str(cell).replace(",", ";").split(";"):
        key = normalise_header(part)
        if not key:
            continue
        hits = [p for k, p in known.items() if k == key or f" {k} " in f" {key} "]
        for name in hits or [OTHER_PARTNERS]:
            if name not in out:
                out.append(name)
    return "; ".join(out) or None


def _outside_the_plan(cfg: Config, year: int, df: pd.DataFrame) -> list[tuple[pd.Series, str]]:
    """Activities dated before the helhedsplan started or after it ended: the targets are the
    plan's, so they are not counted, and the report and the console say so."""
    hp = cfg.helhedsplan
    dates = pd.to_datetime(df["dato"], errors="coerce").dt.date
    return [(dates < hp.periode_fra, f"dateret før helhedsplanens start {day(hp.periode_fra)}"),
            (dates > hp.periode_til, f"dateret efter helhedsplanens slutdato {day(hp.periode_til)}")]


def _partner_text(cfg: Config) -> str:
    known = "; ".join(_partners(cfg))
    return ("Organisationer, adskilt af semikolon" + (f": {known}; eller andre organisationer"
                                                       if known else "") + ". Ingen personnavne")


def _to_table(df, cfg, year):
    """Only what the report and the export use: the activity's name (free text) is left out, and
    partners are reduced to the known ones."""
    return df.drop(columns=["titel"]).assign(
        beboere_medarrangoer=df["beboere_medarrangoer"].fillna("nej").eq("ja"),
        partnere=df["partnere"].map(lambda v: known_partners(v, cfg)))


SOURCE = Source(
    id="aktiviteter",
    title="Aktivitetslog",
    origin="De boligsociale medarbejderes aktivitetslog",
    filename="aktivitetslog.xlsx",
    kilde="aktivitetslog",
    required_from=lambda cfg: cfg.first_year_of("aktivitetslog"),
    excluded=_outside_the_plan,
    row_noun=("aktivitet", "aktiviteter"),
    layouts=(Layout(
        id="log",
        title="én række pr. aktivitet",
        sheet="Aktiviteter",
        instructions="Én række pr. aktivitet i året. Skriv ALDRIG navne på personer (heller ikke "
                     "på deltagere eller frivillige) eller andre personoplysninger i loggen. "
                     "Temaarrangementer er aktiviteter med særligt fokus på et af "
                     "aktivitetsmålenes temaer; øvrige netværksaktiviteter har tema 'Andet'. "
                     "Aktiviteter før helhedsplanens start eller efter dens slutdato tælles ikke "
                     "med (rapporten siger det).",
        columns=(
            Column("dato", "Dato", "date", "Dagen aktiviteten blev holdt", example="14-03-2024"),
            Column("titel", "Aktivitet", "text", "Hvad aktiviteten hed (uden personnavne)",
                   example="Fællesspisning"),
            Column("tema", "Tema", "text",
                   "Et af aktivitetsmålenes temaer for temaarrangementer, ellers 'Andet'",
                   example="Andet", choices=_themes, choice_label="et tema i delaftalen"),
            Column("sted", "Sted", "text",
                   f"Boligområdet, eller '{OUTSIDE}'", example="Nørager", choices=_places,
                   choice_label="et boligområde eller 'Uden for boligområderne'"),
            Column("partnere", "Samarbejdspartnere", "text", _partner_text, required=False,
                   example="Frivillighedens Hus; Foreninger"),
            Column("deltagere", "Deltagere", "int", "Antal deltagere i alt", "personer",
                   example=18, maximum=10_000),
            Column("beboere", "Heraf beboere", "int", "Antal af deltagerne, der bor i "
                   "boligområderne", "personer", example=15, maximum=10_000),
            Column("beboere_medarrangoer", "Beboere med til at arrangere", "text",
                   "'ja', hvis beboere var med til at planlægge eller holde aktiviteten",
                   example="ja", choices=lambda cfg: YES_NO, choice_label="ja eller nej"),
        ),
        key=("dato", "titel", "sted"),
        checks=_residents_within_participants,
        to_table=_to_table,
    ),),
)
