"""The method and the appendices: how the figures are made, sources and data years, the files read
and the software; the slots the render step fills are in helhedsplan.slots (no pandas)."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

from ..cells import SLOT  # noqa: F401
from ..formatting import MISSING, day, mid_sentence, number
from ..processed import left_out_lines
from ..slots import SLOT_PLACEHOLDER, inputs_appendix, slot, slot_text  # noqa: F401
from .data import HIDDEN, ReportData
from .markdown import and_list, md_table, sentence
from .notes import suppression_note


def sources(data: ReportData) -> str:
    """Where every figure came from: the files read, their source, year and checksum."""
    lines = ["| Fil | Kilde | Dataår | Rækker | SHA-256 (første 12 tegn) |",
             "|:---|:---|---:|---:|:---|"]
    for i in sorted(data.inputs, key=lambda i: (i["kilde"], i["aar"])):
        flag = " (eksempeldata)" if i["eksempeldata"] else ""
        lines.append(f"| {i['fil']}{flag} | {i['kilde']} | {i['aar']} | {i['raekker']} | "
                     f"`{i['sha256'][:12]}` |")
    return "\n".join(lines) + "\n"


def target_group_table(data: ReportData) -> str:
    """The dataoversigt per area and in total, each measure from its latest year with data."""
    table = data.table
    rows = table[(table["delmaal_id"] == "maalgruppe") & (table["aar"] <= data.year)]
    if rows.empty:
        return "*Der er ingen beboerdata til og med dette år.*\n"
    measures = [m for m in data.cfg.dataoversigt.maal if m.id in set(rows["indikator_id"])]
    latest_year = {m.id: int(rows[rows["indikator_id"] == m.id]["aar"].max()) for m in measures}
    units = [*data.cfg.area_names, "I alt"]
    body, hidden = [], []
    for unit in units:
        cells = [f"**{unit}**" if unit == "I alt" else unit]
        for m in measures:
            r = rows[(rows["indikator_id"] == m.id) & (rows["enhed_navn"] == unit)
                     & (rows["aar"] == latest_year[m.id])]
            if r.empty:
                cells.append(MISSING)
            elif r.iloc[0]["undertrykt"]:
                cells.append(HIDDEN)
                hidden.append(r.iloc[0].copy())
                hidden[-1]["enhed_navn"] = f"{unit}, {m.navn.removeprefix('Antal ')}"
            else:
                cells.append(number(r.iloc[0]["vaerdi"], int(r.iloc[0]["decimaler"])))
        body.append(cells)
    # Short headers: four numeric columns must fit an A4 page without running together.
    short = {"beboere_18_plus": "Beboere 18+", "beboere_65_plus": "Beboere 65+",
             "foertidspensionister": "Førtids\u00adpensionister¹",
             "uden_for_arbejdsstyrken": "18-64-årige uden for arbejds\u00adstyrken"}
    headers = ["Boligområde", *[f"{short.get(m.id, m.navn)} ({latest_year[m.id]})"
                                 for m in measures]]
    out = md_table(headers, body, [24, *[19] * len(measures)], right=set(range(1, len(headers))))
    d = data.cfg.dataoversigt
    stated = "; ".join(
        f"{m.navn.removeprefix('Antal ').lower()} "
        f"{number(d.total[m.id], 1 if m.id == 'foertidspensionister' else 0)} ({m.aar})"
        for m in d.maal)
    out += "\n" + suppression_note(data, pd.DataFrame(hidden)) if hidden else ""
    return out + (f"\n¹ Førtidspensionister er opgjort i fuldtidspersoner og kan have decimaler. "
                  f"Delaftalens egen dataoversigt angiver i alt: {stated}.\n")


def method_text(data: ReportData) -> str:
    """Data og metode: what the intervals, tests and status words mean, in plain Danish (only
    what this delaftale's indicators use)."""
    cfg = data.cfg
    threshold = cfg.diskretion.mindste_antal
    shown = data.table[data.table["aar"] <= data.year]
    any_hidden = bool(shown["undertrykt"].fillna(False).astype(bool).any())
    hidden_here = ("Noten under hver tabel siger, hvilke tal der er skjult og hvorfor."
                   if any_hidden else f"I denne rapport (til og med {data.year}) er intet tal "
                   "skjult.")
    kinds = {ind.type for _, ind in cfg.indicators()}
    counts = "antal" in kinds
    parts = ["Tallene er beregnet automatisk direkte fra regnearkene i *Bilag: inddata og "
             "programmer*; intet er tastet ind i rapporten."]
    parts.append(
        "**Usikkerhed.** En andel, der bygger på få personer, kunne let have været lidt "
        "anderledes. Hvert procenttal har derfor et *95 pct. usikkerhedsinterval* "
        "(Wilson-metoden): det spænd, som den \"sande\" andel med stor sandsynlighed ligger i. "
        "Med 150 svar er usikkerheden omkring ±7 procentpoint; med 400 personer flytter én "
        "person mere andelen 0,25 procentpoint."
        + (" For et antal bruges et tilsvarende interval for tællinger (Poisson), hvor antallet "
           "sammenlignes med en baseline." if counts else ""))
    more = [ind for _, ind in cfg.indicators() if ind.type == "antal"
            and ind.god_retning == "op" and getattr(ind, "ord", None)]
    down = [ind.navn for _, ind in cfg.indicators() if getattr(ind, "god_retning", "op") == "ned"]
    direction = "Hver indikators retning står ved den (*Retning*)."
    if more:
        direction += (" For " + and_list([mid_sentence(i.navn) for i in more])
                      + " er flere " + and_list([i.ord for i in more]) + " målet.")
    if down:
        direction += (" For " + and_list([mid_sentence(n) for n in down])
                      + " er færre/lavere bedre.")
    parts.append(
        "**Status.** Ændringen fra baseline testes statistisk (to-andels-test eller Fishers "
        "eksakte test ved små tal" + ("; for antal en eksakt test for tællinger" if counts else "")
        + "). Er ændringen større, end tilfældigheder med 95 pct. sikkerhed kan forklare, og går "
        "den i delmålets retning, står der *▲ Tydelig fremgang*; går den den forkerte vej, *▼ "
        "Tydelig tilbagegang*. Ellers står der *● Ingen sikker ændring*, også når tallet er "
        f"steget eller faldet lidt. {direction} *Ingen baseline* står ved en enhed, som "
        "delaftalen ikke har en baseline for, og *Til sammenligning* ved en "
        "sammenligningsgruppe: den vurderes ikke, den viser blot udviklingen omkring "
        "helhedsplanen. Angiver delaftalen ingen baseline for en enhed, som den viser, er "
        "baseline enhedens tal i baselineåret, og noten under tabellen siger det."
        + (" Aktivitetsmålene er tællinger uden usikkerhed: *■ Mål nået* eller *□ Mål ikke "
           "nået*, *◐ I gang* for en periode, der ikke er slut, og på forsiden *◧* når nogle af "
           "årets mål er nået." if "aktivitetsmaal" in kinds else ""))
    if any(getattr(ind, "maal", None) is not None and not isinstance(ind.maal, list)
           for _, ind in cfg.indicators()):
        parts.append(
            "**Mål.** Hvor delaftalen sætter et mål (fx mindst 8 pct. i 2025), siger status "
            "også, hvordan indikatoren ligger i forhold til det. Målet tænkes nået ad en lige "
            "vej fra baseline til målåret: ligger årets tal mindst så langt fremme som den vej, "
            "er indikatoren *på vej mod målet*; ellers *ikke på vej mod målet*. Er målet nået, "
            "står der *målet er nået*, og efter målåret *målet er ikke nået*, hvis det ikke er. "
            "Et mål for hvert år er *mål nået* eller *mål ikke nået* det år. Sammenligningen "
            "bruger selve tallet, ikke dets usikkerhed.")
    parts.append(_DISCRETION.format(threshold=threshold) + " " + hidden_here)
    if cfg.afdeling_kobling is not None and any(
            "afdeling" in cfg.levels(ind) for _, ind in cfg.indicators()):
        parts.append("**Afdelinger og boligområder.** Delaftalen siger ikke, hvilken afdeling "
                     "der ligger i hvilket boligområde. Koblingen er udledt af baselinetallene: "
                     + cfg.afdeling_kobling.begrundelse.split(": ", 1)[-1]
                     if cfg.afdeling_kobling.udledt else
                     "**Afdelinger og boligområder.** " + cfg.afdeling_kobling.begrundelse)
    if cfg.delaftale.revisioner:
        parts.append("**Revisioner af delaftalen.** " + " ".join(
            f"{day(r.dato)}: {sentence(r.beskrivelse)}"
            for r in cfg.delaftale.revisioner))
    left_out = left_out_lines(data.inputs)
    parts.append("**Rækker, der ikke er talt med.** " + (
        "Hver række i regnearkene er enten talt med i tallene, eller kørslen er stoppet med en "
        "fejl. Undtaget er kun rækker, der efter delaftalen ikke skal tælle; de står her: "
        + " ".join(left_out) if left_out else
        "Hver række i regnearkene er talt med i tallene (en række, der ikke kan bruges, stopper "
        "kørslen med en fejl); en enhed eller et år uden tal står med sin grund ved "
        "tabellerne."))
    parts.append("**Dataår.** Hvert tal vises med det år, det stammer fra. En kilde, der ikke "
                 "er målt i rapportåret (fx en trivselsmåling), vises med sin seneste måling og "
                 "dens årstal.")
    return "\n\n".join(parts) + "\n"


_DISCRETION = (
    "**Diskretion.** Tal om færre end {threshold} personer vises ikke (Danmarks Statistiks "
    "diskretionsregel), og der står “vises ikke” i stedet for tallet og for alt, der er regnet "
    "ud af det: andel, usikkerhed, ændring og status. Det kaldes *primær diskretion*. Men et "
    "skjult tal kan ofte regnes ud alligevel: står hele helhedsplanen og alle enheder på nær én "
    "i samme tabel, er den sidste enhed forskellen. Derfor skjules der også andre tal "
    "(*sekundær diskretion*) efter en fast regel: Er et tal i en sum skjult (afdelingerne og "
    "hele helhedsplanen, eller boligområderne og helhedsplanen, samme år), skjules også den "
    "mindste af de andre dele, der er større end {threshold} og ikke hele sin nævner; er der "
    "ingen sådan, skjules totalen. Så er der altid mindst to skjulte tal i en sum, og det ene "
    "kan flytte sig, når det andet gør. Derfor kan intet skjult tal regnes ud af de viste, "
    "heller ikke når man ved, hvilket tal der er under {threshold}. Det gælder også antallet af "
    "svar i en spørgeskemaundersøgelse og beboertallene, som er tal om personer. Indikatorernes "
    "tal lægger ikke flere år sammen, så forskelle mellem årene afslører heller ikke noget. "
    "Aktivitetslogens deltagere og beboere tælles både for kalenderåret og for projektår, der "
    "går over nytår; her skjules en periode, hvis den selv eller et af dens stykker "
    "(januar–august, september–december) har færre end {threshold} personer (men mindst én), "
    "for ellers ville forskellen mellem to viste perioder, også fra to års rapporter, give "
    "tallet.")


def data_years_table(data: ReportData) -> str:
    """Per source: the years with data, and the latest used in this report."""
    by_source: dict[str, list[int]] = {}
    for i in data.inputs:
        # The list of sources not measured is an input (appendix), but holds no data.
        if i.get("kilde_id") != "ikke_maalt":
            by_source.setdefault(i["kilde"], []).append(int(i["aar"]))
    body = [[src, ", ".join(map(str, sorted(years))), str(max(years))]
            for src, years in sorted(by_source.items())]
    return md_table(["Kilde", "År med data", "Seneste dataår"], body, [30, 40, 16], right={2})


def software_versions() -> str:
    """The software that made the report's numbers, for reproducibility. The renderer adds
    the programs that made the files (helhedsplan.render.provenance)."""
    rows = [["Python", platform.python_version()]]
    for pkg in ("helhedsplan", "pandas", "pandera", "python-calamine", "openpyxl", "papermill",
                "matplotlib", "seaborn", "scipy", "babel"):
        try:
            rows.append([pkg, version(pkg)])
        except PackageNotFoundError:
            continue
    return md_table(["Program", "Version"], rows, [30, 20])
