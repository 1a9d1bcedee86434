"""The figure that fits an indicator's kind, and showing it in the report notebook."""

from __future__ import annotations

from functools import partial

from ..formatting import mid_sentence
from .calendar import activity_calendar, activity_calendar_alt
from .counts import counts, counts_alt
from .shares import measurements, measurements_alt, units, units_alt
from .style import show


def for_indicator(cfg, ind):
    """(make, alt) for an indicator: the calendar strip for activity targets; bars for a count
    with a whole-plan figure; small multiples for a share per afdeling or boligområde; else the
    plan and its comparison groups in the years measured. Each takes (table, year)."""
    what = (ind.figur.alt if ind.figur and ind.figur.alt else
            mid_sentence(ind.navn))
    if ind.type == "aktivitetsmaal":
        return activity_calendar, activity_calendar_alt
    levels = cfg.levels(ind)
    if ind.type == "antal" and "helhedsplan" in levels:
        noun = getattr(ind, "ord", None) or ""
        return (partial(counts, indikator_id=ind.id, label=ind.navn, noun=noun),
                partial(counts_alt, indikator_id=ind.id, what=what, noun=noun))
    if ind.type != "svarfordeling" and ({"afdeling", "boligomraade"} & set(levels)):
        return (partial(units, indikator_id=ind.id),
                partial(units_alt, indikator_id=ind.id, what=what))
    return (partial(measurements, indikator_id=ind.id),
            partial(measurements_alt, indikator_id=ind.id, what=what))


def show_indicator(data, ind, *, label: str, caption: str) -> None:
    """The indicator's figure in the report notebook, with its cell options (label, caption)."""
    make, alt = for_indicator(data.cfg, ind)
    show(make, data.table, data.year, alt=alt(data.table, data.year),
         options={"label": label, "fig-cap": caption})
