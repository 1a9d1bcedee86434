"""Does the configuration hang together? Checks across fields that pydantic cannot make alone.

Each check gives (where, message): `where` is the path in the YAML file (keys and list
positions), which loading.py turns into a line number. Every problem is collected; nothing stops
at the first one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel

from .model import KILDER, SHARED_FILES, Aktivitetsmaal, Antal, Delaftale, Plan
from .view import Config

Where = tuple
OTHER_THEME = "Andet"  # sources.aktiviteter.OTHER_THEME (a test keeps them equal)
Found = Iterator[tuple[Where, str]]


def rounded_pct(numerator: float, denominator: float, decimals: int) -> Decimal:
    """numerator/denominator in per cent, rounded half up as the delaftale rounds (6,3 pct.)."""
    exact = Decimal(str(numerator)) / Decimal(str(denominator)) * 100
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _dk(value: float) -> str:
    text = f"{value:g}" if float(value) != int(value) else str(int(value))
    return text.replace(".", ",")


def _pct_problem(k, n, stated, decimals) -> str | None:
    got = rounded_pct(k, n, decimals)
    if got != Decimal(str(stated)).quantize(got):
        return (f"{_dk(k)}/{_dk(n)} giver {_dk(float(got))} pct., ikke {_dk(stated)} pct. Skriv "
                f"procent: {float(got):g} (eller ret tæller og nævner)")
    return None


# The configuration's words are shown as words. These would be read as markup in the report
# instead: they would vanish, change or (a script, a link) act in the HTML and break the PDF.
_MARKUP = [
    (re.compile(r"<[A-Za-z/!?]"), "'<' foran et bogstav læses som HTML og forsvinder i "
     "rapporten: skriv teksten uden < og >"),
    (re.compile(r"\]\(|!\["), "en Markdown-henvisning eller et billede ([tekst](adresse)) "
     "hører ikke hjemme her: skriv almindelig tekst, evt. med adressen i parentes"),
    (re.compile(r"\$"), "'$' læses som en formel i rapporten: skriv fx 'kr.' i stedet"),
    (re.compile(r"[\\`]"), "'\\' og '`' læses som kode i rapporten: slet dem"),
    (re.compile(r"\{\{"), "'{{' læses af Quarto som en kortkode: slet det"),
    (re.compile(r"(?<![\w.])@[\w-]"), "'@' foran et ord læses som en krydshenvisning: skriv "
     "fx 'hos', eller sæt et mellemrum efter @"),
]


def text_problems(node, where: Where = ()) -> Found:
    """Every text in a configuration model that the report would read as markup."""
    if isinstance(node, str):
        for pattern, message in _MARKUP:
            if pattern.search(node):
                yield where, message
                return
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from text_problems(getattr(node, name), (*where, name))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from text_problems(value, (*where, key))
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from text_problems(value, (*where, i))


def plan_problems(plan: Plan) -> Found:
    yield from text_problems(plan)
    hp = plan.helhedsplan
    if hp.periode_fra >= hp.periode_til:
        yield ("helhedsplan", "periode_til"), "skal ligge efter periode_fra"
    seen: dict[int, str] = {}
    for i, area in enumerate(plan.boligomraader):
        for n in area.numre:
            if n in seen:
                yield (("boligomraader", i),
                       f"afd. {n} er allerede knyttet til {seen[n]}: en afdeling hører til ét "
                       "boligområde")
            seen.setdefault(n, area.navn)
    names = [a.navn.casefold() for a in plan.boligomraader]
    for i, name in enumerate(names):
        if name in names[:i]:
            yield ("boligomraader", i, "navn"), "to boligområder har samme navn"


def delaftale_problems(cfg: Config) -> Found:
    d = cfg.delaftale
    yield from text_problems(d)
    for key in ("indikatorark", "bemaerkninger"):
        if getattr(d, key) in SHARED_FILES:
            yield (key,), (f"{getattr(d, key)} er en fælles kilde, som programmet læser for sig: "
                           f"giv delaftalens egen fil et andet navn, fx {key}_{cfg.id}"
                           + (".xlsx" if key == "indikatorark" else ".md"))
    headings: dict[str, int] = {}
    for i, dm in enumerate(d.delmaal):
        key = dm.kort_navn.strip().casefold()
        if key in headings:
            yield (("delmaal", i, "kort_navn"),
                   f"delmålet '{d.delmaal[headings[key]].id}' har samme kort_navn; det er "
                   "overskriften i bemærkningsfilen og på forsiden, så de skal være forskellige")
        headings.setdefault(key, i)
    yield from _unique(d, "delmål", [(("delmaal", i, "id"), x.id) for i, x in enumerate(d.delmaal)])
    inds = [(("delmaal", i, "indikatorer", j, "id"), ind.id)
            for i, dm in enumerate(d.delmaal) for j, ind in enumerate(dm.indikatorer)]
    yield from _unique(d, "indikatorer", inds)
    logs = [w for (w, _), (_, ind) in zip(inds, cfg.indicators(), strict=True)
            if isinstance(ind, Aktivitetsmaal)]
    for w in logs[1:]:
        yield w[:-1], "en delaftale kan have én aktivitetsmaal-indikator (aktivitetsloggen)"
    for i, dm in enumerate(d.delmaal):
        for j, ind in enumerate(dm.indikatorer):
            yield from ((("delmaal", i, "indikatorer", j, *w), m)
                        for w, m in _indicator_problems(cfg, ind))
    if d.dataoversigt is not None:
        yield from ((("dataoversigt", *w), m) for w, m in _overview_problems(cfg))
        yield from _attendance_denominators(cfg)


def _unique(d: Delaftale, what: str, found: list[tuple[Where, str]]) -> Found:
    seen: set[str] = set()
    for where, value in found:
        if value in seen:
            yield where, (f"to {what} har id'et '{value}': et id skal være unikt i delaftalen. "
                          f"Giv den ene et andet id, fx '{value}_2'")
        seen.add(value)


def _indicator_problems(cfg: Config, ind) -> Found:
    kilde = KILDER[ind.kilde]
    if ind.type not in kilde["typer"]:
        yield ("type",), (f"kilden {ind.kilde} giver ikke type {ind.type}: brug "
                          + " eller ".join(kilde["typer"]))
    if isinstance(ind, Aktivitetsmaal):
        yield from _activity_problems(ind)
        return
    for k, level in enumerate(ind.enheder or []):
        if level not in kilde["niveauer"]:
            yield ("enheder", k), (f"{ind.kilde} har ingen tal pr. {level}: brug "
                                   + ", ".join(kilde["niveauer"]))
    if ind.enheder is not None and len(set(ind.enheder)) != len(ind.enheder):
        yield ("enheder",), "et niveau står to gange"
    decimals = cfg.decimals(ind)
    levels = cfg.levels(ind)
    if getattr(ind, "helhedsplan", None) == "sum" and not {"afdeling", "boligomraade"} & set(levels):
        yield ("helhedsplan",), ("'sum' lægger afdelingerne eller boligområderne sammen, men "
                                 "indikatoren viser kun hele helhedsplanen: skriv 'helhedsplan: "
                                 "indtastet', eller tilføj 'boligomraade' under 'enheder'")
    blocks = ind.baseline if isinstance(ind.baseline, list) else (
        [ind.baseline] if ind.baseline is not None else [])
    for b_i, block in enumerate(blocks):
        base = ("baseline", b_i) if isinstance(ind.baseline, list) else ("baseline",)
        if isinstance(ind.baseline, list) and b_i > 0 and block.gaelder_fra is None:
            yield (*base, "gaelder_fra"), ("en senere baseline skal sige, fra hvilket rapportår "
                                           "den gælder: skriv 'gaelder_fra: 2024'")
        units_seen = set()
        for v_i, v in enumerate(block.vaerdier):
            where = (*base, "vaerdier", v_i)
            unit = cfg.unit(v.enhed, ind)
            if unit is None:
                yield (*where, "enhed"), (f"enheden '{v.enhed}' findes ikke. Brug en afdeling "
                                          f"({', '.join(map(str, cfg.afdelinger))}), et "
                                          f"boligområde ({', '.join(cfg.area_names)}) eller "
                                          "'helhedsplan'")
                continue
            level = {"boligomraade": "boligomraade"}.get(unit[0], unit[0])
            if level != "sammenligning" and level not in levels:
                yield (*where, "enhed"), (f"indikatoren viser ikke niveauet {level} (enheder: "
                                          f"{', '.join(levels)}): tilføj det under 'enheder', "
                                          "eller slet baselinen")
            if unit in units_seen:
                yield (*where, "enhed"), f"enheden '{v.enhed}' har to baselinetal i samme blok"
            units_seen.add(unit)
            yield from (((*where, *w), m) for w, m in _value_problems(ind, v, decimals))
    if isinstance(ind, Antal) and ind.andel_af is not None and ind.andel_af.baseline is not None:
        ab = ind.andel_af.baseline
        plan_base = next((v for b in blocks[:1] for v in b.vaerdier
                          if cfg.unit(v.enhed, ind) == ("helhedsplan", None)), None)
        if ab.antal is None:
            yield ("andel_af", "baseline", "antal"), "totalens antal i baselineåret mangler"
        elif ab.procent is not None and plan_base is not None and plan_base.antal is not None:
            msg = _pct_problem(plan_base.antal, ab.antal, ab.procent, ind.andel_af.decimaler)
            if msg:
                yield ("andel_af", "baseline", "procent"), msg
    for s_i, s in enumerate(getattr(ind, "sammenligning", [])):
        if s.baseline is not None:
            yield from ((("sammenligning", s_i, "baseline", *w), m)
                        for w, m in _value_problems(ind, s.baseline, decimals))
    if ind.maal is not None:
        yield from ((("maal", *w), m) for w, m in _target_problems(cfg, ind, blocks))


def _value_problems(ind, v, decimals) -> Found:
    if ind.type in ("andel", "svarfordeling"):
        if v.taeller is None or v.naevner is None:
            yield (), "en andel skal have både taeller og naevner (fx taeller: 41, naevner: 648)"
            return
        if v.taeller > v.naevner:
            yield ("taeller",), f"tælleren ({_dk(v.taeller)}) er større end nævneren ({_dk(v.naevner)})"
        elif v.procent is not None:
            msg = _pct_problem(v.taeller, v.naevner, v.procent, decimals)
            if msg:
                yield ("procent",), msg
        if v.antal is not None:
            yield ("antal",), "en andel har taeller og naevner, ikke antal"
    elif ind.type == "antal":
        if v.antal is None:
            yield (), "et antal skal have 'antal:' (fx antal: 108)"
        if v.taeller is not None or v.naevner is not None:
            yield (), "et antal har 'antal:', ikke taeller og naevner"


def _target_problems(cfg: Config, ind, blocks) -> Found:
    m = ind.maal
    unit = cfg.unit(m.enhed, ind)
    if unit is None or unit[0] == "sammenligning":
        yield ("enhed",), f"enheden '{m.enhed}' findes ikke blandt indikatorens enheder"
    elif unit[0] not in cfg.levels(ind):
        yield ("enhed",), f"indikatoren viser ikke niveauet {unit[0]}"
    if ind.type in ("andel", "svarfordeling") and not 0 <= m.vaerdi <= 100:
        yield ("vaerdi",), "et mål for en andel er en procent mellem 0 og 100"
    if m.aar is not None:
        first = min((b.aar for b in blocks), default=None)
        if first is not None and m.aar <= first:
            yield ("aar",), f"målåret ({m.aar}) skal ligge efter baselineåret ({first})"


def _activity_problems(ind: Aktivitetsmaal) -> Found:
    ids = [t.id for t in ind.maal]
    for k, t in enumerate(ind.maal):
        if t.id in ids[:k]:
            yield ("maal", k, "id"), f"to mål har id'et '{t.id}'"
        if t.partner is not None and t.partner not in ind.partnere:
            yield ("maal", k, "partner"), (f"'{t.partner}' står ikke under 'partnere' "
                                           f"({', '.join(ind.partnere)})")
        if t.regel == "maaneder" and t.pr_aar is not None:
            yield ("maal", k, "pr_aar"), "regel maaneder har målet 'hver måned': slet pr_aar"
    labels = [t.split(",")[0] for t in ind.temaer]
    if len(set(labels)) != len(labels):
        yield ("temaer",), "to temaer har samme korte navn (teksten før det første komma)"
    for k, label in enumerate(labels):
        if label.strip().casefold() == OTHER_THEME.casefold():
            yield ("temaer", k), (f"'{OTHER_THEME}' er aktivitetsloggens egen kategori for "
                                  "aktiviteter uden et af delaftalens temaer (mål med 'tema: "
                                  "andet' tæller dem): slet den her")


def _overview_problems(cfg: Config) -> Found:
    o = cfg.dataoversigt
    rows = {str(r.get("boligomraade")): r for r in o.omraader}
    if set(rows) != set(cfg.area_names):
        yield ("omraader",), (f"dataoversigten nævner {', '.join(sorted(rows))}; boligområderne "
                              f"er {', '.join(cfg.area_names)}")
        return
    for k, m in enumerate(o.maal):
        try:
            total = sum(float(r[m.id]) for r in rows.values())
        except (KeyError, TypeError, ValueError):
            yield ("maal", k), f"'{m.id}' mangler for et boligområde i 'omraader'"
            continue
        if m.id not in o.total or round(total, 6) != round(o.total[m.id], 6):
            yield ("total", m.id), (f"{m.id} summerer til {_dk(total)}, ikke "
                                    f"{_dk(o.total.get(m.id, float('nan')))}")


def _attendance_denominators(cfg: Config) -> Found:
    """SAB's attendance is a share of the area's residents 18+: a baseline in the dataoversigt's
    year must have that number as its denominator (a typo, or a wrong afdeling ↔ area link)."""
    o = cfg.dataoversigt
    r18 = next((m for m in o.maal if m.id == "beboere_18_plus"), None) if o else None
    if r18 is None:
        return
    rows = {str(r.get("boligomraade")): r for r in o.omraader}
    for i, dm in enumerate(cfg.delaftale.delmaal):
        for j, ind in enumerate(dm.indikatorer):
            if ind.kilde != "sab_afdelingsmoeder":
                continue
            blocks = ind.baseline if isinstance(ind.baseline, list) else [ind.baseline]
            for b_i, b in enumerate(blocks):
                if b is None or b.aar != r18.aar:
                    continue
                base = ("baseline", b_i) if isinstance(ind.baseline, list) else ("baseline",)
                for v_i, v in enumerate(b.vaerdier):
                    unit = cfg.unit(v.enhed, ind)
                    if not unit or unit[0] != "afdeling" or v.naevner is None:
                        continue
                    area = cfg.area_of_afdeling(unit[1])
                    if area not in rows or "beboere_18_plus" not in rows[area]:
                        continue
                    stated = float(rows[area]["beboere_18_plus"])
                    if stated != v.naevner:
                        yield (("delmaal", i, "indikatorer", j, *base, "vaerdier", v_i, "naevner"),
                               f"afd. {unit[1]}: nævneren {_dk(v.naevner)} er ikke antal beboere "
                               f"18+ i {area} ({_dk(stated)}) ifølge dataoversigten. Ret "
                               "nævneren, eller ret koblingen mellem afdeling og boligområde i "
                               "helhedsplan.yaml")
