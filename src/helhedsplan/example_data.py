"""The bundled example data in data/raw/<år>/, written from the figures below.

Baseline years hold exactly the delaftale's figures (attendance and residents 18+ 2020, VIVE
2018, police 2020, the dataoversigt). Every other figure is made up but plausible, and every
file says in its 'Om filen' sheet that it is example data. Run `python -m helhedsplan.example_data`
to write the files again.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import config, paths
from .errors import InputError
from .excel import Book
from .sources import SOURCES, indikatorark
from .sources.folder import NOT_MEASURED_FILE, not_measured_text
from .sources.politi import AREAS_TOTAL
from .sources.vive import HELHEDSPLAN_GROUP
from .workbook import write_source_workbook

AREAS = ["Kløver-/Hvedemarken", "Stenbjergparken", "Nørager", "Søstjernevej m.fl."]


def _residents(r18=None, r65=None, fp=None, outside=None):
    cols = ("beboere_18_plus", "beboere_65_plus", "foertidspensionister", "uden_for_arbejdsstyrken")
    rows = []
    for i, area in enumerate(AREAS):
        row = {"boligomraade": area}
        for key, values in zip(cols, (r18, r65, fp, outside), strict=True):
            if values is not None:
                row[key] = values[i]
        rows.append(row)
    return rows


BEBOERDATA = {
    2018: _residents(fp=[97.7, 77.3, 97.6, 102.9]),  # delaftalens dataoversigt
    2019: _residents(outside=[231, 197, 194, 226]),  # delaftalens dataoversigt
    2020: _residents(r18=[648, 388, 416, 511], r65=[97, 38, 48, 53]),  # delaftalen
    2021: _residents([652, 391, 414, 508], [99, 40, 49, 55], [96.1, 78.0, 95.2, 101.4],
                     [228, 199, 190, 221]),
    2022: _residents([655, 386, 419, 515], [102, 41, 51, 56], [94.8, 76.5, 96.0, 99.8],
                     [224, 193, 188, 219]),
    2023: _residents([661, 392, 421, 512], [104, 43, 52, 58], [93.2, 75.9, 94.4, 98.1],
                     [219, 190, 185, 214]),
    2024: _residents([658, 395, 418, 517], [107, 45, 55, 60], [92.5, 74.8, 93.7, 97.0],
                     [215, 186, 183, 210]),
}

_MEETING_DAY = {22: "15-09", 30: "22-09", 35: "29-09", 24: "06-10"}
_ATTENDANCE = {
    2020: {22: 41, 30: 28, 35: 27, 24: 23},  # delaftalens baseline
    2021: {22: 38, 30: 30, 35: 29, 24: 22},
    2022: {22: 47, 30: 33, 35: 31, 24: 27},
    2023: {22: 52, 30: 35, 35: 30, 24: 31},
    2024: {22: 58, 30: 39, 35: 34, 24: 33},
}
AFDELINGSMOEDER = {
    year: [{"afdeling": a, "moededato": f"{_MEETING_DAY[a]}-{year}", "fremmoedte": n}
           for a, n in counts.items()]
    for year, counts in _ATTENDANCE.items()
}

LIVSKVALITET = {
    2018: [  # delaftalens baseline og sammenligning
        {"gruppe": HELHEDSPLAN_GROUP, "svar": 148, "tilfredse": 115},
        {"gruppe": "Alle helhedsplaner", "svar": 10473, "tilfredse": 8064},
    ],
    2021: [
        {"gruppe": HELHEDSPLAN_GROUP, "svar": 161, "tilfredse": 129},
        {"gruppe": "Alle helhedsplaner", "svar": 10912, "tilfredse": 8903},
    ],
    2023: [
        {"gruppe": HELHEDSPLAN_GROUP, "svar": 139, "tilfredse": 112},
        *({"gruppe": a, "svar": s, "tilfredse": t}
          for a, s, t in zip(AREAS, [45, 29, 33, 32], [37, 22, 27, 26], strict=True)),
        {"gruppe": "Alle helhedsplaner", "svar": 9876, "tilfredse": 8122},
    ],
}

_KOMMUNE = "Sønderborg Kommune i alt"
ANMELDELSER = {
    2020: [{"omraade": AREAS_TOTAL, "anmeldelser": 108},  # delaftalens baseline
           {"omraade": _KOMMUNE, "anmeldelser": 2453}],
    2021: [{"omraade": AREAS_TOTAL, "anmeldelser": 117}, {"omraade": _KOMMUNE, "anmeldelser": 2398}],
    2022: [{"omraade": AREAS_TOTAL, "anmeldelser": 124}, {"omraade": _KOMMUNE, "anmeldelser": 2511}],
    2023: [*({"omraade": a, "anmeldelser": n} for a, n in zip(AREAS, [36, 25, 31, 27], strict=True)),
           {"omraade": AREAS_TOTAL, "anmeldelser": 119}, {"omraade": _KOMMUNE, "anmeldelser": 2476}],
    2024: [*({"omraade": a, "anmeldelser": n} for a, n in zip(AREAS, [41, 27, 33, 30], strict=True)),
           {"omraade": AREAS_TOTAL, "anmeldelser": 131}, {"omraade": _KOMMUNE, "anmeldelser": 2430}],
}



def not_measured(cfg=None) -> dict[int, list[str]]:
    """Per example year, the due sources the example has no figures for (VIVE in 2019, 2020,
    2022 and 2024): declared not measured in the year's ikke_maalt.txt, as the analyst would."""
    cfg = cfg or config.default("sammenhaengskraft")
    years = sorted({y for by_year in EXAMPLES.values() for y in by_year})
    out = {}
    for year in years:
        names = [SOURCES[sid].filename for sid, by_year in EXAMPLES.items()
                 if year not in by_year and SOURCES[sid].required_from
                 and (SOURCES[sid].required_from(cfg) or year + 1) <= year]
        if names:
            out[year] = names
    return out


def _targets(raw_dir: Path) -> list[Path]:
    """Every file the example data writes."""
    out = [Path(raw_dir) / str(year) / SOURCES[sid].filename
           for sid, by_year in EXAMPLES.items() for year in by_year]
    out += [Path(raw_dir) / str(year) / name for year, name in _sheet_files()]
    out += [Path(raw_dir) / str(year) / name for name, year in _COMMENT_FILES]
    return out + [Path(raw_dir) / str(year) / NOT_MEASURED_FILE for year in not_measured()]


def _is_example(path: Path) -> bool:
    """A file the example data wrote (its 'Om filen' says so), or the example's ikke_maalt.txt."""
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8", errors="replace") == COMMENTS.get(path.name)
    if path.name == NOT_MEASURED_FILE:
        year = int(path.parent.name)
        return path.read_text(encoding="utf-8", errors="replace") == not_measured_text(
            year, not_measured().get(year, []), example=True)
    try:
        return bool(Book(path).example)
    except (InputError, OSError, ValueError):
        return False


def not_example_files(raw_dir: Path = paths.RAW_DIR) -> list[Path]:
    """Files in the example's year folders that are not example data: the analyst's own."""
    folders = {p.parent for p in _targets(raw_dir)}
    return sorted(f for d in folders if d.is_dir() for f in d.iterdir()
                  if f.is_file() and not f.name.startswith("~$") and not _is_example(f))


def main(overwrite: bool = False, raw_dir: Path | None = None) -> int:
    """CLI: write the example data, but never over the analyst's own files unless told to."""
    raw_dir = Path(raw_dir or paths.RAW_DIR)
    own = not_example_files(raw_dir)
    shown = [f.relative_to(raw_dir.parent.parent) if f.is_relative_to(raw_dir.parent.parent)
             else f for f in own]
    if own and not overwrite:
        replaced = [s for s, f in zip(shown, own, strict=True) if f in set(_targets(raw_dir))]
        print("FEJL: Eksempeldata er ikke skrevet. Disse årsmapper har filer, der ikke er "
              "eksempeldata (dine egne tal?):", file=sys.stderr)
        for s in shown:
            print(f"  {s}" + ("  (ville blive erstattet)" if s in replaced else ""),
                  file=sys.stderr)
        print("Vil du alligevel skrive eksempeldata, så kør: make eksempeldata OVERSKRIV=ja "
              "(python -m helhedsplan eksempeldata --overskriv).", file=sys.stderr)
        return 1
    targets = set(_targets(raw_dir))
    base = raw_dir.parent.parent
    for path in write_all(raw_dir):
        mark = "  (din fil er erstattet)" if path in own else ""
        print(f"  skrevet  {path.relative_to(base) if path.is_relative_to(base) else path}{mark}")
    kept = [s for s, f in zip(shown, own, strict=True) if f not in targets]
    if kept:
        print("Ikke rørt (ikke en del af eksempeldata): " + ", ".join(map(str, kept)))
    return 0


def write_all(raw_dir: Path = paths.RAW_DIR) -> list[Path]:
    written = []
    for source_id, by_year in EXAMPLES.items():
        src = SOURCES[source_id]
        for year, rows in by_year.items():
            written.append(write_source_workbook(src, Path(raw_dir) / str(year) / src.filename,
                                                 year, rows, example=True))
    for (year, name), rows in _sheets().items():
        cfg = config.default(INDIKATORARK_DELAFTALE).for_report(year)
        written.append(write_source_workbook(indikatorark.for_delaftale(cfg),
                                             Path(raw_dir) / str(year) / name, year, rows,
                                             example=True, cfg=cfg))
    for name, year in _COMMENT_FILES:
        path = Path(raw_dir) / str(year) / name
        path.write_text(COMMENTS[name], encoding="utf-8")
        written.append(path)
    for year, names in not_measured().items():
        path = Path(raw_dir) / str(year) / NOT_MEASURED_FILE
        path.write_text(not_measured_text(year, names, example=True), encoding="utf-8")
        written.append(path)
    return written


# The activity log (from the helhedsplan's start, 1.9.2021). Made up, with some months without
# network activity and 2023 without its themed event outside the areas, so the report shows
# targets both met and missed.
_NETWORK = ["Fællesspisning", "Kaffeklub", "Gåtur i området", "Strikkecafé", "Fællessang",
            "Brætspilsaften"]
_THEMED = {
    "Frivillige sociale indsatser": ["Foreningsmesse: mød de frivillige",
                                     "Frivillig ved byens store events",
                                     "Besøg hos Blæksprutterne"],
    "Demokrati og valgdeltagelse": ["Café om afdelingsmødet", "Valgcafé før kommunalvalget",
                                    "Sådan virker beboerdemokratiet"],
    "Trivsel i boligafdelingerne": ["Tryghedsvandring med lokalbetjentene",
                                    "Nabo til nabo: god trivsel", "Kaffe med lokalbetjentene"],
}
_PARTNERS = {
    "Frivillige sociale indsatser": "Frivillighedens Hus; Foreninger",
    "Demokrati og valgdeltagelse": "Integrationskonsulenten",
    "Trivsel i boligafdelingerne": "Lokalbetjentene; Sundhedscenteret",
}
# Per year: months with network activity, and the themed events as (month, theme index, outside)
_PLAN = {
    2021: ([9, 10, 12], [(10, 0, False), (11, 2, False)]),
    2022: ([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12],
           [(2, 1, False), (3, 2, False), (5, 0, True), (8, 2, False), (10, 0, False),
            (11, 1, False)]),
    2023: (list(range(1, 13)),
           [(1, 2, False), (3, 0, False), (4, 1, False), (6, 2, False), (9, 0, False),
            (11, 1, False)]),
    2024: ([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12],
           [(2, 1, False), (4, 2, False), (6, 0, True), (8, 2, False), (9, 0, False),
            (10, 1, False), (11, 2, False)]),
}


def _activity_log(year: int) -> list[dict]:
    months, themed = _PLAN[year]
    themes = list(_THEMED)
    rows = []
    for i, m in enumerate(months):
        area = AREAS[(i + year) % 4]
        participants = 9 + (i * 7 + year) % 11
        rows.append({"dato": f"{10 + i % 9:02d}-{m:02d}-{year}", "titel": _NETWORK[i % 6],
                     "tema": "Andet", "sted": area, "partnere": "",
                     "deltagere": participants, "beboere": participants - 1 - i % 3,
                     "beboere_medarrangoer": "ja" if year >= 2023 and i % 2 == 0 else "nej"})
    for j, (m, t, outside) in enumerate(themed):
        theme = themes[t]
        participants = 14 + (j * 5 + year) % 13
        partners = _PARTNERS[theme]
        if outside and "Frivillighedens Hus" not in partners:
            partners = "Frivillighedens Hus; " + partners
        rows.append({"dato": f"{20 + j % 7:02d}-{m:02d}-{year}",
                     "titel": _THEMED[theme][j % 3], "tema": theme.split(",")[0],
                     "sted": "Uden for boligområderne" if outside else AREAS[j % 4],
                     "partnere": partners, "deltagere": participants,
                     "beboere": participants - 2 - j % 4,
                     "beboere_medarrangoer": "ja" if year >= 2023 and j % 3 != 2 else "nej"})
    return sorted(rows, key=lambda r: (r["dato"][3:5], r["dato"][:2]))


AKTIVITETER = {year: _activity_log(year) for year in _PLAN}

EXAMPLES = {
    "beboerdata": BEBOERDATA,
    "afdelingsmoeder": AFDELINGSMOEDER,
    "livskvalitet": LIVSKVALITET,
    "anmeldelser": ANMELDELSER,
    "aktiviteter": AKTIVITETER,
}


# The example delaftale "Beskæftigelse og uddannelse" (config/delaftaler/beskaeftigelse.yaml):
# its figures come from the indikatorark, one file a year. Made up, with one year not measured
# ('ikke målt'), so the report shows that too.
INDIKATORARK_DELAFTALE = "beskaeftigelse"
_EMPLOYED = {  # 18-64-årige i beskæftigelse / alle 18-64-årige, per area (2019: the baseline)
    2019: [(212, 720), (121, 402), (133, 455), (158, 560)],
    2020: [(215, 718), (119, 399), (137, 458), (160, 556)],
    2021: [(221, 722), (124, 404), (140, 460), (163, 551)],
    2022: [(230, 725), (129, 407), (146, 462), (171, 549)],
    2023: [(236, 719), (133, 401), (150, 459), (176, 553)],
    2024: [(243, 716), (138, 398), (155, 457), (184, 555)],
}
_YOUNG = {2020: (88, 104), 2021: None, 2022: (93, 107), 2023: (95, 106), 2024: (99, 108)}
_ADVICE = {2022: 128, 2023: 143, 2024: 156}


def _sheets() -> dict[tuple[int, str], list[dict]]:
    """{(year, file name): rows} of the example indikatorark."""
    name = f"indikatorark_{INDIKATORARK_DELAFTALE}.xlsx"
    out = {}
    for year, areas in _EMPLOYED.items():
        rows = [{"indikator": "Andel 18-64-årige i beskæftigelse", "enhed": a, "taeller": k,
                 "naevner": n} for a, (k, n) in zip(AREAS, areas, strict=True)]
        if year in _YOUNG:
            young = _YOUNG[year]
            rows.append({"indikator": "Andel 15-17-årige i uddannelse",
                         "enhed": HELHEDSPLAN_GROUP,
                         **({"taeller": young[0], "naevner": young[1]} if young
                            else {"taeller": indikatorark.NOT_MEASURED_WORD})})
        if year in _ADVICE:
            rows.append({"indikator": "Borgere i Åben Rådgivning", "enhed": HELHEDSPLAN_GROUP,
                         "antal": _ADVICE[year]})
        out[(year, name)] = rows
    return out


def _sheet_files() -> list[tuple[int, str]]:
    return list(_sheets())


# The finished example report's comments (the newest year shows what a report with comments,
# a report date and every heading filled in looks like).
COMMENTS = {
    "bemaerkninger.md": """---
rapportdato: 2025-03-01
---

# Bemærkninger til statusrapporten 2024: Sammenhængskraft og medborgerskab

*Eksempeltekst: bemærkningerne hører til de medfølgende eksempeldata.*

## Flere deltager i afdelingsmøderne

Flere beboere kom til afdelingsmøderne i alle fire afdelinger. Vi inviterede personligt i
opgangene og holdt en café om afdelingsmødet i august, hvor beboere kunne stille spørgsmål på
forhånd.

## Livskvalitet i hverdagen

Trivselsmålingen er ikke gennemført i 2024. Den seneste måling (2023) ligger på niveau med
baseline.

## Tryghed ved at anmelde til politiet

Lokalbetjentene har deltaget i tre arrangementer om at anmelde hændelser. Andelen af kommunens
anmeldelser, der kommer fra boligområderne, er steget en smule.

## Aktiviteter

Der var netværksaktiviteter i alle måneder undtagen juli. Et temaarrangement blev holdt uden for
boligområderne sammen med **Frivillighedens Hus**.
""",
    "bemaerkninger_beskaeftigelse.md": """---
rapportdato: 2025-03-01
---

# Bemærkninger til statusrapporten 2024: Beskæftigelse og uddannelse

*Eksempeltekst: bemærkningerne hører til de medfølgende eksempeldata.*

## Flere beboere i beskæftigelse

Andelen i beskæftigelse er steget i alle fire boligområder, mest i Søstjernevej m.fl., hvor
jobcafeen har haft flest besøg.

## Flere unge i uddannelse

UU kunne ikke opgøre tallet for 2021. Fra 2022 er andelen steget lidt hvert år.

## Beboerne bruger Åben Rådgivning

Åben Rådgivning nåede over målet på 150 borgere i 2024.
""",
}
_COMMENT_FILES = [(name, 2024) for name in COMMENTS]


if __name__ == "__main__":
    sys.exit(main("--overskriv" in sys.argv))
