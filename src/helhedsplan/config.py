"""The delaftale as data: config/delaftale.yaml, loaded and checked once, here."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from . import paths
from .errors import InputError


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _rounded_pct(numerator: float, denominator: float, decimals: int) -> Decimal:
    exact = Decimal(str(numerator)) / Decimal(str(denominator)) * 100
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _check_pct(label: str, numerator: float, denominator: float, stated: float, decimals: int):
    got = _rounded_pct(numerator, denominator, decimals)
    if got != Decimal(str(stated)).quantize(got):
        raise ValueError(f"{label}: {numerator}/{denominator} giver {got} pct., ikke {stated} pct.")


class Phase(_Model):
    projektaar: list[int]
    navn: str
    beskrivelse: str


class Helhedsplan(_Model):
    navn: str
    kommune: str
    boligorganisation: str
    periode_fra: dt.date
    periode_til: dt.date
    projektaar_start_maaned: int
    faser: list[Phase]


class Delaftale(_Model):
    navn: str
    parter: list[str]


class Boligomraade(_Model):
    """A housing area and its afdeling (`afdeling: 22`), or several (`afdelinger: [22, 23]`)."""

    navn: str
    afdeling: int | None = None
    afdelinger: list[int] = []

    @model_validator(mode="after")
    def _one_way(self) -> Boligomraade:
        if (self.afdeling is None) == (not self.afdelinger):
            raise ValueError(f"{self.navn}: angiv enten 'afdeling' eller 'afdelinger'")
        return self

    @property
    def numre(self) -> list[int]:
        return [self.afdeling] if self.afdeling is not None else list(self.afdelinger)


class AfdelingKobling(_Model):
    udledt: bool
    begrundelse: str


class Diskretion(_Model):
    mindste_antal: int


class AfdelingBaseline(_Model):
    afdeling: int
    taeller: int
    naevner: int
    procent: float


class ShareBaseline(_Model):
    aar: int
    taeller: int
    naevner: int
    procent: float


class AttendanceBaseline(_Model):
    aar: int
    afdelinger: list[AfdelingBaseline]


class PoliceBaseline(_Model):
    aar: int
    antal: int
    kommune_antal: int
    procent_af_kommune: float


class Comparison(_Model):
    navn: str
    aar: int | None = None
    taeller: int | None = None
    naevner: int | None = None
    procent: float | None = None


class Delmaal(_Model):
    id: Literal["afdelingsmoeder", "livskvalitet", "anmeldelser"]
    kort_navn: str  # for page 1 and chart titles; `delmaal` holds the delaftale's own words
    delmaal: str
    indikator: str
    definition: str
    enhed: Literal["andel", "antal"]
    decimaler: int
    god_retning: Literal["op", "ned"]
    datakilde: str
    baseline: AttendanceBaseline | ShareBaseline | PoliceBaseline
    sammenligning: Comparison | None = None


class Maal(_Model):
    id: str
    navn: str
    aar: int


class Dataoversigt(_Model):
    maal: list[Maal]
    omraader: list[dict[str, str | float]]
    total: dict[str, float]


class Aktivitetsmaal(_Model):
    temaer: list[str]
    netvaerksaktiviteter: str
    temaarrangementer_pr_aar: int
    uden_for_boligomraaderne_pr_aar: int
    uden_for_boligomraaderne_partner: str
    partnere: list[str]


class Config(_Model):
    helhedsplan: Helhedsplan
    delaftale: Delaftale
    boligomraader: list[Boligomraade]
    afdeling_kobling: AfdelingKobling
    diskretion: Diskretion
    delmaal: list[Delmaal]
    dataoversigt: Dataoversigt
    aktivitetsmaal: Aktivitetsmaal
    # True only in the generated scale case (helhedsplan.synthetic): the report says so.
    syntetisk: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        """The delaftale's figures must agree with each other, or the file has a typo."""
        ids = [d.id for d in self.delmaal]
        if sorted(ids) != sorted(set(ids)) or set(ids) != {
            "afdelingsmoeder", "livskvalitet", "anmeldelser"
        }:
            raise ValueError(f"delmål skal være afdelingsmoeder, livskvalitet og anmeldelser: {ids}")
        areas = {a.navn for a in self.boligomraader}
        depts = self.afdelinger
        if len(set(depts)) != len(depts):
            raise ValueError("en afdeling er knyttet til mere end ét boligområde")
        rows = {str(r["boligomraade"]): r for r in self.dataoversigt.omraader}
        if set(rows) != areas:
            raise ValueError(f"dataoversigten nævner {sorted(rows)}, boligområderne er {sorted(areas)}")
        for m in self.dataoversigt.maal:
            total = sum(float(r[m.id]) for r in rows.values())
            if round(total, 6) != round(self.dataoversigt.total[m.id], 6):
                raise ValueError(f"dataoversigt: {m.id} summerer til {total}, ikke "
                                 f"{self.dataoversigt.total[m.id]}")
        area_of = {n: a.navn for a in self.boligomraader for n in a.numre}
        att = self.delmaal_by_id("afdelingsmoeder")
        for b in att.baseline.afdelinger:
            _check_pct(f"afd. {b.afdeling}", b.taeller, b.naevner, b.procent, att.decimaler)
            if b.afdeling not in area_of:
                raise ValueError(f"afd. {b.afdeling} har intet boligområde")
            stated_18 = float(rows[area_of[b.afdeling]]["beboere_18_plus"])
            if stated_18 != b.naevner:
                raise ValueError(f"afd. {b.afdeling}: nævneren {b.naevner} er ikke antal beboere "
                                 f"18+ i {area_of[b.afdeling]} ({stated_18:g})")
        liv = self.delmaal_by_id("livskvalitet")
        _check_pct("livskvalitet", liv.baseline.taeller, liv.baseline.naevner,
                   liv.baseline.procent, liv.decimaler)
        c = liv.sammenligning
        if c and c.taeller is not None:
            _check_pct("livskvalitet, sammenligning", c.taeller, c.naevner, c.procent, liv.decimaler)
        pol = self.delmaal_by_id("anmeldelser")
        _check_pct("anmeldelser", pol.baseline.antal, pol.baseline.kommune_antal,
                   pol.baseline.procent_af_kommune, pol.decimaler)
        return self

    # Lookups used everywhere; kept here so nobody re-derives them.
    @property
    def first_baseline_year(self) -> int:
        """The earliest year the delaftale has a baseline for: no report year lies before it."""
        return min([d.baseline.aar for d in self.delmaal] + [m.aar for m in self.dataoversigt.maal])

    def delmaal_by_id(self, delmaal_id: str) -> Delmaal:
        return next(d for d in self.delmaal if d.id == delmaal_id)

    @property
    def area_names(self) -> list[str]:
        return [a.navn for a in self.boligomraader]

    @property
    def afdelinger(self) -> list[int]:
        return [n for a in self.boligomraader for n in a.numre]

    def area_of_afdeling(self, afdeling: int) -> str:
        return next(a.navn for a in self.boligomraader if afdeling in a.numre)

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


def load(path: Path | None = None) -> Config:
    """Read and check the delaftale configuration; raise InputError in Danish if it is wrong."""
    path = Path(path or paths.CONFIG_FILE)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"Konfigurationsfilen {path} findes ikke.") from None
    except yaml.YAMLError as exc:
        raise InputError(f"Konfigurationsfilen {path} kan ikke læses som YAML: {exc}") from None
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = [f"{'.'.join(map(str, e['loc'])) or 'filen'}: {e['msg']}" for e in exc.errors()]
        raise InputError([f"{path.name}: {line}" for line in lines]) from None


@lru_cache(maxsize=1)
def default() -> Config:
    """The project's configuration, loaded once per process."""
    return load()
