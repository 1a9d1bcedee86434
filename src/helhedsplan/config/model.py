"""The shape of the configuration files, as pydantic models (their JSON Schema is published).

config/helhedsplan.yaml holds what every delaftale of the helhedsplan shares (`Plan`); each
config/delaftaler/<id>.yaml holds one delaftale (`Delaftale`): its delmål, each with one or more
indicators of a kind (`type`) that says how it is computed and judged. The descriptions are
Danish: an editor shows them while the analyst writes the file.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)]
# A year as a delaftale writes it (a typo like 'aar: 1' would ask for 2.000 year folders)
Aar = Annotated[int, Field(ge=1900, le=2200)]
Niveau = Literal["afdeling", "boligomraade", "helhedsplan"]
HELHEDSPLAN_UNIT = "helhedsplan"  # the whole plan as a unit in `enhed:` (baseline, target)

# The sources an indicator may read (`kilde:`), what kinds they give and at which levels.
# The source modules (helhedsplan.sources) read the files; this is what the configuration may ask.
KILDER: dict[str, dict] = {
    "sab_afdelingsmoeder": {"typer": ("andel",),
                            "niveauer": ("afdeling", "boligomraade", "helhedsplan"),
                            "standard": ("afdeling", "helhedsplan")},
    "vive_livskvalitet": {"typer": ("svarfordeling",), "niveauer": ("boligomraade", "helhedsplan"),
                          "standard": ("helhedsplan", "boligomraade")},
    "politi_anmeldelser": {"typer": ("antal",), "niveauer": ("boligomraade", "helhedsplan"),
                           "standard": ("helhedsplan", "boligomraade")},
    "aktivitetslog": {"typer": ("aktivitetsmaal",), "niveauer": ("helhedsplan",),
                      "standard": ("helhedsplan",)},
    "indikatorark": {"typer": ("andel", "antal"),
                     "niveauer": ("afdeling", "boligomraade", "helhedsplan"),
                     "standard": ("helhedsplan",)},
}


# A count in a delaftale; far above any boligområde's, and below what the statistics (Fisher's
# exact test) can take: 1e20 or .inf would end the build in an overflow.
MAX_COUNT = 1_000_000_000


# The files in data/raw/<år>/ every delaftale shares (the sources' modules read them; a test
# keeps this list equal to theirs): a delaftale's own indikatorark or comments cannot be one.
SHARED_FILES = ("beboerdata.xlsx", "sab_afdelingsmoeder.xlsx", "vive_livskvalitet.xlsx",
                "politi_anmeldelser.xlsx", "aktivitetslog.xlsx", "ikke_maalt.txt")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _text(description: str, **kw):
    return Field(description=description, **kw)


# --- config/helhedsplan.yaml -----------------------------------------------------------------


class Fase(_Model):
    projektaar: list[int] = _text("Projektårene i fasen, fx [1, 2].", min_length=1)
    navn: str = _text("Fasens navn, fx Etableringsfasen.")
    beskrivelse: str = _text("Hvad fasen handler om, med helhedsplanens egne ord.")


class HelhedsplanInfo(_Model):
    navn: str = _text("Helhedsplanens navn, fx Aktiv i fællesskabet.")
    kommune: str = _text("Kommunen, fx Sønderborg Kommune.")
    boligorganisation: str = _text("Boligorganisationen, fx SAB.")
    periode_fra: dt.date = _text("Helhedsplanens første dag (åååå-mm-dd).")
    periode_til: dt.date = _text("Helhedsplanens sidste dag (åååå-mm-dd).")
    projektaar_start_maaned: int = _text("Måneden, et projektår begynder i (9 = september).",
                                         ge=1, le=12, default=9)
    faser: list[Fase] = _text("Projektperiodens faser.", default=[])


class Boligomraade(_Model):
    """A housing area and its afdeling (`afdeling: 22`), or several (`afdelinger: [22, 23]`)."""

    navn: str = _text("Boligområdets navn, som delaftalerne skriver det.")
    afdeling: int | None = _text("Afdelingens nummer (når området har én afdeling).",
                                 default=None)
    afdelinger: list[int] = _text("Afdelingernes numre (når området har flere).", default=[])

    @model_validator(mode="after")
    def _one_way(self) -> Boligomraade:
        if (self.afdeling is None) == (not self.afdelinger):
            raise ValueError(f"{self.navn}: skriv enten 'afdeling: 22' eller 'afdelinger: [22, 23]'")
        return self

    @property
    def numre(self) -> list[int]:
        return [self.afdeling] if self.afdeling is not None else list(self.afdelinger)


class AfdelingKobling(_Model):
    udledt: bool = _text("Sand, når delaftalen ikke selv siger, hvilken afdeling der ligger i "
                         "hvilket boligområde, og koblingen er udledt.")
    begrundelse: str = _text("Hvordan koblingen er fundet (vises i rapportens metodeafsnit).")


class Diskretion(_Model):
    mindste_antal: int = _text("Tal om færre personer end dette vises ikke (Danmarks "
                               "Statistik: 3).", ge=1, default=3)


class Plan(_Model):
    """config/helhedsplan.yaml: what every delaftale of the helhedsplan shares."""

    helhedsplan: HelhedsplanInfo
    boligomraader: list[Boligomraade] = _text("Boligområderne og deres afdelinger.",
                                              min_length=1)
    afdeling_kobling: AfdelingKobling | None = None
    diskretion: Diskretion = Diskretion()
    syntetisk: bool = _text("Kun i det syntetiske skalatilfælde: rapporten siger det.",
                            default=False)


# --- config/delaftaler/<id>.yaml ------------------------------------------------------------


Enhed = Annotated[int | str, Field(description=(
    "Enheden: et afdelingsnummer (22 eller 'afd. 22'), et boligområdes navn, "
    "'helhedsplan' for hele helhedsplanen, eller navnet på en sammenligningsgruppe."))]


class BaselineVaerdi(_Model):
    enhed: Enhed
    aar: Aar | None = _text("Året, hvis det ikke er baselinens år.", default=None)
    taeller: float | None = _text("Tæller (andel): fx 41 fremmødte.", default=None, ge=0,
                                  le=MAX_COUNT)
    naevner: float | None = _text("Nævner (andel): fx 648 beboere 18+.", default=None, gt=0,
                                  le=MAX_COUNT)
    procent: float | None = _text("Procenten, som delaftalen skriver den (kontrolleres mod "
                                  "tæller/nævner).", default=None, ge=0, le=100)
    antal: float | None = _text("Antal (antal-indikator): fx 108 anmeldelser.", default=None,
                                ge=0, le=MAX_COUNT)


class Baseline(_Model):
    aar: Aar = _text("Baselineåret, fx 2020.")
    gaelder_fra: Aar | None = _text(
        "Rapportåret, baselinen gælder fra (når bestyrelsen har revideret den). Rapporter for "
        "tidligere år bruger den forrige baseline.", default=None)
    revision: str | None = _text("Hvad revisionen ændrede (vises i rapporten).", default=None)
    vaerdier: list[BaselineVaerdi] = _text("Delaftalens baselinetal pr. enhed.", default=[])


class Referencetal(_Model):
    aar: Aar = _text("Året, tallet er fra.")
    taeller: float | None = _text("Tæller.", default=None, ge=0, le=MAX_COUNT)
    naevner: float | None = _text("Nævner.", default=None, gt=0, le=MAX_COUNT)
    procent: float | None = _text("Procenten, som delaftalen skriver den.", default=None,
                                  ge=0, le=100)
    antal: float | None = _text("Antal.", default=None, ge=0, le=MAX_COUNT)


class Sammenligning(_Model):
    navn: str = _text("Sammenligningsgruppens navn, som det står i data (fx 'Alle "
                      "helhedsplaner').")
    baseline: Referencetal | None = _text("Gruppens tal i baselineåret.", default=None)


class AndelAf(_Model):
    navn: str = _text("Navnet på totalen i data, fx 'Sønderborg Kommune i alt'.")
    indikator: str = _text("Andelens navn, fx 'Andel af alle anmeldelser i kommunen'.")
    overskrift: str | None = _text("Tabellernes overskrift for andelen.", default=None)
    decimaler: int = _text("Decimaler på andelen (4,40 pct.: 2).", default=2, ge=0, le=3)
    baseline: Referencetal | None = _text(
        "Totalens antal (antal) og andelen (procent) i baselineåret.", default=None)


class Maal(_Model):
    """A target: 'mindst 8 pct. i 2025' (vaerdi + aar) or a yearly one (hvert_aar)."""

    vaerdi: float = _text("Målet: en procent (andel) eller et antal.")
    aar: Aar | None = _text("Året, målet skal være nået (fx 2025).", default=None)
    hvert_aar: bool = _text("Sand: målet gælder hvert år (fx mindst 150 borgere om året).",
                            default=False)
    enhed: Enhed = HELHEDSPLAN_UNIT
    tekst: str | None = _text("Delaftalens egne ord om målet.", default=None)

    @model_validator(mode="after")
    def _when(self) -> Maal:
        if (self.aar is None) == (not self.hvert_aar):
            raise ValueError("skriv enten 'aar: 2025' (målet skal være nået det år) eller "
                             "'hvert_aar: true' (målet gælder hvert år)")
        return self


class Figur(_Model):
    tekst: str | None = _text("Figurteksten (billedteksten).", default=None)
    alt: str | None = _text("Hvad figuren viser, til den alternative tekst, fx 'andelen af "
                            "beboere over 18 år, som deltog i afdelingsmødet'.", default=None)


_FRA = _text("Første rapportår, indikatoren er med i (efter en revision).", default=None)
_TIL = _text("Sidste rapportår, indikatoren er med i (før en revision).", default=None)


class _Indikator(_Model):
    id: Id = _text("Kort id med små bogstaver, fx 'deltagelse'. Unikt i delaftalen.")
    navn: str = _text("Indikatorens navn, fx 'Deltagelse ved afdelingsmøderne'.")
    definition: str = _text("Hvordan tallet er defineret.", default="")
    datakilde: str = _text("Datakilden med delaftalens ord.")
    god_retning: Literal["op", "ned"] = _text("'op': flere/højere er bedre; 'ned': færre.",
                                              default="op")
    gaelder_fra: Aar | None = _FRA
    gaelder_til: Aar | None = _TIL
    forside: bool = _text("Vis indikatoren på forsiden.", default=True)
    figur: Figur | None = None


class _Maalt(_Indikator):
    enheder: list[Niveau] | None = _text(
        "Niveauerne, der vises: afdeling, boligomraade og/eller helhedsplan (standard: "
        "kildens).", default=None)
    decimaler: int | None = _text("Decimaler (standard: 1 for andel, 0 for antal og "
                                  "svarfordeling).", default=None, ge=0, le=3)
    baseline: Baseline | list[Baseline] | None = _text(
        "Baselinen (eller flere, hver med 'gaelder_fra', når bestyrelsen har flyttet den).",
        default=None)
    maal: Maal | None = None


_NAEVNER_ORD = _text("Hvad nævneren tæller, fx 'beboere 18+': teksten skriver '41 af 648 "
                     "beboere 18+'.", default=None)


class Andel(_Maalt):
    type: Literal["andel"] = _text("andel: tæller/nævner pr. enhed, med Wilson-interval og "
                                   "test mod baseline.")
    naevner_ord: str | None = _NAEVNER_ORD
    kilde: Literal["sab_afdelingsmoeder", "indikatorark"] = _text(
        "Hvor tallene kommer fra: sab_afdelingsmoeder eller indikatorark.")
    helhedsplan: Literal["sum", "indtastet"] | None = _text(
        "Indikatorark: hele helhedsplanen som summen af enhederne (sum) eller en egen række "
        "(indtastet). Standard: sum, når der er flere niveauer.", default=None)
    sammenligning: list[Sammenligning] = _text("Sammenligningsgrupper (vurderes ikke).",
                                               default=[])


class Antal(_Maalt):
    type: Literal["antal"] = _text("antal: et antal pr. enhed og år (Poisson-test mod "
                                   "baseline), evt. også som andel af en total.")
    kilde: Literal["politi_anmeldelser", "indikatorark"] = _text(
        "Hvor tallene kommer fra: politi_anmeldelser eller indikatorark.")
    helhedsplan: Literal["sum", "indtastet"] | None = _text(
        "Indikatorark: hele helhedsplanen som summen af enhederne eller en egen række.",
        default=None)
    andel_af: AndelAf | None = None
    personer: bool = _text("Tæller tallet personer (diskretion gælder)?", default=True)
    ord: str | None = _text("Hvad tallet tæller, i flertal (fx 'anmeldelser'): forsiden skriver "
                            "'108 anmeldelser'.", default=None)


class Svarfordeling(_Maalt):
    type: Literal["svarfordeling"] = _text("svarfordeling: et spørgsmål i en "
                                           "spørgeskemaundersøgelse med svarkategorier.")
    kilde: Literal["vive_livskvalitet"] = _text("vive_livskvalitet (VIVEs trivselsmåling).")
    naevner_ord: str | None = _NAEVNER_ORD
    ved_ikke: Literal["udelades"] = _text(
        "'Ved ikke' holdes uden for nævneren (andelen er af dem, der har taget stilling).",
        default="udelades")
    sammenligning: list[Sammenligning] = _text("Sammenligningsgrupper, fx alle helhedsplaner.",
                                               default=[])


class Aktivitetsmaalet(_Model):
    id: Id = _text("Kort id, fx 'temaarrangementer'.")
    navn: str = _text("Målets navn i rapporten.")
    regel: Literal["maaneder", "antal"] = _text(
        "maaneder: måneder med mindst én aktivitet (mål: hver måned); antal: antal aktiviteter "
        "(mål: pr_aar, forholdsmæssigt i en kortere periode).")
    tema: Literal["alle", "andet", "enhver"] = _text(
        "alle: delaftalens temaer; andet: tema 'Andet'; enhver: alle aktiviteter.",
        default="enhver")
    sted: Literal["boligomraader", "uden_for", "alle"] = _text(
        "boligomraader, uden_for (uden for boligområderne) eller alle.", default="alle")
    partner: str | None = _text("Kun aktiviteter med denne samarbejdspartner.", default=None)
    medarrangeret: bool | None = _text("Kun aktiviteter, beboere var med til at arrangere.",
                                       default=None)
    pr_aar: int | None = _text("Målet pr. år (regel antal); uden: til orientering.",
                               default=None, ge=0)


class Aktivitetsmaal(_Indikator):
    type: Literal["aktivitetsmaal"] = _text("aktivitetsmaal: aktiviteter fra aktivitetsloggen "
                                            "mod årlige mål.")
    kilde: Literal["aktivitetslog"] = _text("aktivitetslog.")
    beskrivelse: str = _text("Delaftalens aktivitetsmål med dens egne ord.")
    temaer: list[str] = _text("Temaerne for temaarrangementer.", min_length=1)
    partnere: list[str] = _text("Samarbejdspartnere, loggen tæller op (andre navne tælles som "
                                "'andre samarbejdspartnere').", default=[])
    maal: list[Aktivitetsmaalet] = _text("Målene, i rapportens rækkefølge.", min_length=1)


Indikator = Annotated[Andel | Antal | Svarfordeling | Aktivitetsmaal,
                      Field(discriminator="type")]


class Delmaal(_Model):
    id: Id = _text("Kort id med små bogstaver, fx 'afdelingsmoeder'. Unikt i delaftalen.")
    kort_navn: str = _text("Kort navn til forsiden, figurer og bemærkningernes overskrift.")
    overskrift: str | None = _text("Kapitlets overskrift (standard: kort_navn).", default=None)
    delmaal: str = _text("Delmålet med delaftalens egne ord.")
    indikatorer: list[Indikator] = _text("Delmålets indikatorer.", min_length=1)
    gaelder_fra: Aar | None = _text("Første rapportår, delmålet er med i.", default=None)
    gaelder_til: Aar | None = _text("Sidste rapportår, delmålet er med i.", default=None)


class Revision(_Model):
    dato: dt.date = _text("Datoen, bestyrelsen besluttede revisionen.")
    beskrivelse: str = _text("Hvad der blev ændret.")


class Maalgruppemaal(_Model):
    id: Literal["beboere_18_plus", "beboere_65_plus", "foertidspensionister",
                "uden_for_arbejdsstyrken"] = _text("En kolonne i beboerdata.xlsx.")
    navn: str
    aar: Aar


class Dataoversigt(_Model):
    tekst: str | None = _text("Tekst over tabellen i rapportens afsnit om målgruppen.",
                              default=None)
    maal: list[Maalgruppemaal]
    omraader: list[dict[str, str | float]]
    total: dict[str, float]


class Delaftale(_Model):
    """config/delaftaler/<id>.yaml: one delaftale of the helhedsplan."""

    navn: str = _text("Delaftalens navn, fx 'Sammenhængskraft og medborgerskab'.")
    parter: list[str] = _text("Parterne i delaftalen.", default=[])
    bemaerkninger: str | None = _text(
        "Filnavnet på årets bemærkninger i data/raw/<år>/ (standard: bemaerkninger_<id>.md).",
        default=None, pattern=r"^[^/\\]+\.md$")
    indikatorark: str | None = _text(
        "Filnavnet på indikatorarket i data/raw/<år>/ (standard: indikatorark_<id>.xlsx).",
        default=None, pattern=r"^[^/\\]+\.xlsx$")
    revisioner: list[Revision] = _text("Bestyrelsens revisioner af delaftalen.", default=[])
    delmaal: list[Delmaal] = _text("Delmålene.", min_length=1)
    dataoversigt: Dataoversigt | None = _text("Delaftalens dataoversigt over målgruppen.",
                                              default=None)
