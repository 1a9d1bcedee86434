"""One delaftale as the rest of the program sees it: its own file plus what the helhedsplan shares.

`Config` answers the questions every stage asks (which afdelinger, which indicators read a
source, the baseline in force for a report year), so nobody re-derives them. `for_report(year)`
narrows it to the delmål, indicators and baselines in force that year (a revision mid-period).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from .model import (
    HELHEDSPLAN_UNIT,
    KILDER,
    Aktivitetsmaal,
    Baseline,
    Delaftale,
    Delmaal,
    Plan,
)

PLAN_NAME = "Hele helhedsplanen"  # the whole plan as a unit in tables and figures
BEBOERDATA = "beboerdata"
DEFAULT_DECIMALS = {"andel": 1, "antal": 0, "svarfordeling": 0, "aktivitetsmaal": 0}


@dataclass(frozen=True)
class Config:
    plan: Plan
    delaftale: Delaftale
    id: str
    # every delaftale of the helhedsplan (this one included): a shared file accepts what any of
    # the delaftaler that read it allows
    all: tuple[tuple[str, Delaftale], ...] = field(default=(), repr=False)
    year: int | None = None  # the report year it is narrowed to (for_report)
    whole: Delaftale | None = field(default=None, repr=False)  # before for_report narrowed it

    # --- the helhedsplan ---------------------------------------------------------------------
    @property
    def helhedsplan(self):
        return self.plan.helhedsplan

    @property
    def boligomraader(self):
        return self.plan.boligomraader

    @property
    def afdeling_kobling(self):
        return self.plan.afdeling_kobling

    @property
    def diskretion(self):
        return self.plan.diskretion

    @property
    def syntetisk(self) -> bool:
        return self.plan.syntetisk

    @property
    def area_names(self) -> list[str]:
        return [a.navn for a in self.plan.boligomraader]

    @property
    def afdelinger(self) -> list[int]:
        return [n for a in self.plan.boligomraader for n in a.numre]

    def area_of_afdeling(self, afdeling: int) -> str:
        return next(a.navn for a in self.plan.boligomraader if afdeling in a.numre)

    def project_year(self, date: dt.date) -> int | None:
        """Project year (1-based, 1 Sept – 31 Aug) that a date falls in, or None outside the plan."""
        hp = self.helhedsplan
        if not hp.periode_fra <= date <= hp.periode_til:
            return None
        start_year = date.year if date.month >= hp.projektaar_start_maaned else date.year - 1
        return start_year - hp.periode_fra.year + 1

    def project_year_label(self, n: int) -> str:
        start = self.helhedsplan.periode_fra.year + n - 1
        return f"projektår {n} (1.9.{start}–31.8.{start + 1})"

    # --- the delaftale -----------------------------------------------------------------------
    @property
    def navn(self) -> str:
        return self.delaftale.navn

    @property
    def delmaal(self) -> list[Delmaal]:
        return list(self.delaftale.delmaal)

    @property
    def dataoversigt(self):
        return self.delaftale.dataoversigt

    @property
    def comments_file(self) -> str:
        return self.delaftale.bemaerkninger or f"bemaerkninger_{self.id}.md"

    @property
    def indikatorark_file(self) -> str:
        return self.delaftale.indikatorark or f"indikatorark_{self.id}.xlsx"

    def indicators(self) -> list[tuple[Delmaal, object]]:
        return [(d, i) for d in self.delaftale.delmaal for i in d.indikatorer]

    def indicator(self, indikator_id: str):
        return next(i for _, i in self.indicators() if i.id == indikator_id)

    def delmaal_of(self, indikator_id: str) -> Delmaal:
        return next(d for d, i in self.indicators() if i.id == indikator_id)

    def indicators_from(self, kilde: str) -> list:
        return [i for _, i in self.indicators() if i.kilde == kilde]

    @property
    def activity_targets(self) -> Aktivitetsmaal | None:
        """The delaftale's aktivitetsmål indicator (one per delaftale reads the activity log)."""
        return next(iter(self.indicators_from("aktivitetslog")), None)

    def kilder(self) -> list[str]:
        """The sources this delaftale reads, Beboerdata first when anything needs it."""
        used = {i.kilde for _, i in self.indicators()}
        if self.dataoversigt is not None or "sab_afdelingsmoeder" in used:
            used.add(BEBOERDATA)
        return sorted(used, key=lambda k: (k != BEBOERDATA, k))

    def levels(self, ind) -> list[str]:
        """The levels an indicator shows, in the configured order (or the source's)."""
        if isinstance(ind, Aktivitetsmaal):
            return ["helhedsplan"]
        return list(ind.enheder or KILDER[ind.kilde]["standard"])

    def decimals(self, ind) -> int:
        value = getattr(ind, "decimaler", None)
        return DEFAULT_DECIMALS[ind.type] if value is None else value

    def plan_from_parts(self, ind) -> bool:
        """Whether the plan's figure is the sum of the lower levels' (not a row of its own)."""
        if ind.kilde != "indikatorark":
            return True
        levels = self.levels(ind)
        if "helhedsplan" not in levels:
            return False
        if ind.helhedsplan is not None:
            return ind.helhedsplan == "sum"
        return len(levels) > 1

    # --- baselines and units -----------------------------------------------------------------
    def baselines(self, ind) -> list[Baseline]:
        b = getattr(ind, "baseline", None)
        if b is None:
            return []
        return sorted(b if isinstance(b, list) else [b], key=lambda x: x.gaelder_fra or 0)

    def baseline(self, ind) -> Baseline | None:
        """The baseline in force for the report year (the last whose gaelder_fra has come)."""
        found = self.baselines(ind)
        year = self.year if self.year is not None else 10_000
        in_force = [b for b in found if (b.gaelder_fra or 0) <= year]
        return in_force[-1] if in_force else (found[0] if found else None)

    def earlier_baselines(self, ind) -> list[Baseline]:
        current = self.baseline(ind)
        return [b for b in self.baselines(ind) if b is not current
                and (b.gaelder_fra or 0) <= (current.gaelder_fra or 0)]

    def unit(self, enhed, ind=None) -> tuple[str, object] | None:
        """A unit as written in the configuration → (niveau, key): ('afdeling', 22),
        ('boligomraade', 'Nørager'), ('helhedsplan', None), ('sammenligning', name); None if
        it is none of them."""
        if isinstance(enhed, bool):
            return None
        if isinstance(enhed, int):
            return ("afdeling", enhed) if enhed in self.afdelinger else None
        text = str(enhed).strip()
        m = re.fullmatch(r"(?i)(afd(\.|eling)?\s*)?(\d+)", text)
        if m:
            number = int(m.group(3))
            return ("afdeling", number) if number in self.afdelinger else None
        if text.casefold() in (HELHEDSPLAN_UNIT, PLAN_NAME.casefold()):
            return ("helhedsplan", None)
        for area in self.area_names:
            if area.casefold() == text.casefold():
                return ("boligomraade", area)
        for name in self.comparison_names(ind):
            if name.casefold() == text.casefold():
                return ("sammenligning", name)
        return None

    def comparison_names(self, ind=None) -> list[str]:
        inds = [ind] if ind is not None else [i for _, i in self.indicators()]
        names = []
        for i in inds:
            names += [s.navn for s in getattr(i, "sammenligning", [])]
            if getattr(i, "andel_af", None) is not None:
                names.append(i.andel_af.navn)
        return list(dict.fromkeys(names))

    def unit_names(self, levels) -> list[str]:
        """The display names of every unit at the levels, in configuration order."""
        out = []
        for level in levels:
            if level == "afdeling":
                out += [f"Afd. {a}" for a in self.afdelinger]
            elif level == "boligomraade":
                out += self.area_names
            elif level == "helhedsplan":
                out.append(PLAN_NAME)
        return out

    @property
    def first_baseline_year(self) -> int:
        """The earliest year the delaftale has a baseline for: no report year lies before it."""
        years = [b.aar for _, i in self.indicators() for b in self.baselines(i)]
        years += [v.aar for _, i in self.indicators() for b in self.baselines(i)
                  for v in b.vaerdier if v.aar]
        if self.dataoversigt is not None:
            years += [m.aar for m in self.dataoversigt.maal]
        if not years:
            years = [self.helhedsplan.periode_fra.year]
        return min(years)

    def first_year_of(self, kilde: str) -> int | None:
        """The first year a source's file is due: the earliest baseline of the indicators that
        read it (the plan's start for the activity log; the dataoversigt's for Beboerdata)."""
        if kilde == "aktivitetslog":
            return self.helhedsplan.periode_fra.year if self.indicators_from(kilde) else None
        years = [b.aar for i in self.indicators_from(kilde) for b in self.baselines(i)]
        if kilde == BEBOERDATA:
            if self.dataoversigt is not None:
                years += [m.aar for m in self.dataoversigt.maal]
            years += [b.aar for i in self.indicators_from("sab_afdelingsmoeder")
                      for b in self.baselines(i)]
        if not years and self.indicators_from(kilde):
            years = [self.helhedsplan.periode_fra.year]
        return min(years) if years else None

    # --- revisions ---------------------------------------------------------------------------
    def for_report(self, year: int) -> Config:
        """The delaftale as it stands for the report year: delmål and indicators whose
        gaelder_fra/gaelder_til include the year, and the baselines in force then."""
        def in_force(x) -> bool:
            return (x.gaelder_fra is None or x.gaelder_fra <= year) and (
                x.gaelder_til is None or year <= x.gaelder_til)

        delmaal = []
        for d in self.delaftale.delmaal:
            inds = [i for i in d.indikatorer if in_force(i)]
            if in_force(d) and inds:
                delmaal.append(d.model_copy(update={"indikatorer": inds}))
        narrowed = self.delaftale.model_copy(update={"delmaal": delmaal})
        return replace(self, delaftale=narrowed, year=year, whole=self.whole or self.delaftale)

    def unrevised(self) -> Config:
        """The delaftale with every delmål and indicator of every revision: what its year
        folders may hold, whichever year is reported (a delmål ended in 2023 keeps its files)."""
        return replace(self, delaftale=self.whole or self.delaftale, year=None, whole=None)

    def siblings(self) -> list[Config]:
        """Every delaftale of the helhedsplan (this one included), as configurations."""
        if not self.all:
            return [self]
        return [self if did == self.id else Config(self.plan, d, did, self.all)
                for did, d in self.all]

    def readers(self, kilde: str) -> list[Config]:
        """Every delaftale of the helhedsplan that reads the same file of this source (itself
        included): a shared file must accept what any of them allows."""
        out = [self]
        for other_id, other in self.all:
            if other_id == self.id:
                continue
            cfg = Config(self.plan, other, other_id, self.all)
            if cfg.indicators_from(kilde) and (kilde != "indikatorark"
                                               or cfg.indikatorark_file == self.indikatorark_file):
                out.append(cfg)
        return out
