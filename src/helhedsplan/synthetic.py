"""A synthetic scale case: N afdelinger in M boligområder over Y years, VIVE as single answers.

For measuring (benchmarks/bench_build.py) and for seeing that the report stays readable at
size. It writes a whole separate project folder: a synthetic config/delaftale.yaml listing the
generated areas and afdelinger (marked `syntetisk: true`, so the report's banner says so) and
data/raw/<år>/ with every source's workbook, each marked as synthetic in its 'Om filen' sheet.
The real data/raw and config are never touched. Every figure is random (seeded), plausible and
passes the ingest's checks.

    python -m helhedsplan.synthetic MAPPE [--afdelinger 200 --omraader 40 --aar 10 --svar 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import config, paths
from .sources import SOURCES
from .sources.aktiviteter import OUTSIDE
from .sources.folder import NOT_MEASURED_FILE, not_measured_text
from .sources.politi import AREAS_TOTAL
from .sources.vive import CATEGORIES, SATISFIED, SINGLE_ANSWERS_LAYOUT
from .workbook import write_source_workbook

NOTE = ("SYNTETISKE DATA: filen er skrevet af helhedsplan.synthetic til at måle pipelinen i stor "
        "skala. Alle tal og navne er tilfældige. Må aldrig bruges som rigtige data.")
KOMMUNE = "Syntetisk Kommune i alt"
_CATEGORY_WEIGHTS = (30, 35, 18, 9, 4, 4)  # a plausible spread over the answer scale


@dataclass(frozen=True)
class Spec:
    afdelinger: int = 200
    omraader: int = 40
    aar: int = 10
    svar: int = 100_000  # VIVE single answers per measurement year
    sidste_aar: int = 2024
    vive_hvert: int = 2  # VIVE is measured every second year, from the first
    seed: int = 2024

    @property
    def years(self) -> list[int]:
        return list(range(self.sidste_aar - self.aar + 1, self.sidste_aar + 1))

    @property
    def vive_years(self) -> list[int]:
        return self.years[:: self.vive_hvert]

    def describe(self) -> str:
        answers = f"{self.svar:,}".replace(",", ".")
        return (f"{self.afdelinger} afdelinger i {self.omraader} boligområder, "
                f"{self.years[0]}–{self.years[-1]}, {answers} VIVE-svar i hvert af "
                f"{len(self.vive_years)} måleår")


def _areas(spec: Spec) -> list[tuple[str, list[int]]]:
    """Area names and their afdelinger, spread as evenly as the numbers allow."""
    if not 1 <= spec.omraader <= spec.afdelinger:
        raise ValueError("der skal være mindst én afdeling pr. boligområde")
    out, nr = [], 1
    for i in range(spec.omraader):
        n = spec.afdelinger // spec.omraader + (i < spec.afdelinger % spec.omraader)
        out.append((f"Syntetisk område {i + 1:02d}", list(range(nr, nr + n))))
        nr += n
    return out


def _residents(rng: random.Random, spec: Spec, areas) -> dict[int, dict[str, dict]]:
    by_year: dict[int, dict[str, dict]] = {}
    for name, afd in areas:
        r18 = rng.randint(250, 450) * len(afd)
        for year in spec.years:
            r18 = max(100, r18 + rng.randint(-15, 15))
            by_year.setdefault(year, {})[name] = {
                "boligomraade": name, "beboere_18_plus": r18,
                "beboere_65_plus": round(r18 * rng.uniform(0.1, 0.2)),
                "foertidspensionister": round(r18 * rng.uniform(0.1, 0.2), 1),
                "uden_for_arbejdsstyrken": round(r18 * rng.uniform(0.25, 0.4))}
    return by_year


SYNTHETIC_ID = "syntetisk"


def _config(spec: Spec, areas, residents, attendance, vive_base, police_base
            ) -> tuple[dict, dict]:
    """The real helhedsplan's and its first delaftale's structure (helhedsplan.yaml,
    delaftaler/sammenhaengskraft.yaml) with the generated areas, afdelinger and baselines."""
    plan = yaml.safe_load((paths.CONFIG_DIR / "helhedsplan.yaml").read_text(encoding="utf-8"))
    d = yaml.safe_load((paths.CONFIG_DIR / "delaftaler" / "sammenhaengskraft.yaml").read_text(
        encoding="utf-8"))
    first = spec.years[0]
    plan["syntetisk"] = True
    # Four project years, as the real plan, ending with the last year's.
    plan["helhedsplan"].update(navn="Syntetisk skalatilfælde", kommune="Syntetisk Kommune",
                               periode_fra=dt.date(spec.sidste_aar - 3, 9, 1),
                               periode_til=dt.date(spec.sidste_aar + 1, 8, 31))
    plan["boligomraader"] = [{"navn": n, "afdelinger": afd} for n, afd in areas]
    plan["afdeling_kobling"] = {"udledt": False, "begrundelse": "Syntetiske data: koblingen er "
                                "skrevet af generatoren (helhedsplan.synthetic)."}
    base_res = residents[first]
    for dm in d["delmaal"]:
        for ind in dm["indikatorer"]:
            decimals = ind.get("decimaler", 0)
            if ind["kilde"] == "sab_afdelingsmoeder":
                ind["baseline"] = {"aar": first, "vaerdier": [
                    {"enhed": a, "taeller": k, "naevner": base_res[area]["beboere_18_plus"],
                     "procent": _pct(k, base_res[area]["beboere_18_plus"], decimals)}
                    for a, (area, k) in attendance[first].items()]}
            elif ind["kilde"] == "vive_livskvalitet":
                k, n = vive_base
                ind["baseline"] = {"aar": first, "vaerdier": [
                    {"enhed": "helhedsplan", "taeller": k, "naevner": n,
                     "procent": _pct(k, n, decimals)}]}
                ind["sammenligning"] = []  # no 'Alle helhedsplaner' in single answers
            elif ind["kilde"] == "politi_anmeldelser":
                antal, kommune = police_base
                share = ind["andel_af"]
                ind["baseline"] = {"aar": first, "vaerdier": [{"enhed": "helhedsplan",
                                                               "antal": antal}]}
                share.update(navn=KOMMUNE, baseline={
                    "aar": first, "antal": kommune,
                    "procent": _pct(antal, kommune, share.get("decimaler", 2))})
    overview = d["dataoversigt"]
    for m in overview["maal"]:
        m["aar"] = first
    rows = [dict(base_res[n]) for n, _ in areas]
    overview["omraader"] = rows
    overview["total"] = {
        m["id"]: round(sum(r[m["id"]] for r in rows), 6) for m in overview["maal"]}
    return plan, d


def _pct(k: float, n: float, decimals: int) -> float:
    return float(config.rounded_pct(k, n, decimals))


def write_project(dest: Path, spec: Spec = Spec()) -> Path:
    """A runnable project folder at `dest` (must not exist) with the synthetic case."""
    dest = Path(dest)
    dest.mkdir(parents=True)
    for name in ("notebooks",):
        shutil.copytree(paths.ROOT / name, dest / name)
    (dest / "reports").mkdir()
    shutil.copy(paths.REPORT_NOTEBOOK, dest / "reports")
    if paths.QUARTO_PROJECT.exists():
        shutil.copy(paths.QUARTO_PROJECT, dest)
    (dest / "data" / "processed").mkdir(parents=True)
    rng = random.Random(spec.seed)
    areas = _areas(spec)
    residents = _residents(rng, spec, areas)

    attendance = {year: {} for year in spec.years}  # year → afdeling → (area, fremmødte)
    for area, afd in areas:
        for year in spec.years:
            r18 = residents[year][area]["beboere_18_plus"]
            for a in afd:
                attendance[year][a] = (area, rng.randint(3, max(4, r18 // (12 * len(afd)))))

    answers = {}
    for year in spec.vive_years:
        groups = rng.choices([n for n, _ in areas], k=spec.svar)
        cats = rng.choices(CATEGORIES, _CATEGORY_WEIGHTS, k=spec.svar)
        answers[year] = [{"gruppe": g, "svarkategori": c} for g, c in zip(groups, cats,
                                                                           strict=True)]
    first_answers = answers[spec.years[0]]
    taken = [a for a in first_answers if a["svarkategori"] != CATEGORIES[-1]]
    vive_base = (sum(a["svarkategori"] in SATISFIED for a in taken), len(taken))

    police = {}
    for year in spec.years:
        per_area = {n: rng.randint(5, 40) for n, _ in areas}
        total = sum(per_area.values())
        police[year] = [*({"omraade": n, "anmeldelser": k} for n, k in per_area.items()),
                        {"omraade": AREAS_TOTAL, "anmeldelser": total},
                        {"omraade": KOMMUNE, "anmeldelser": total * 6 + rng.randint(0, 500)}]
    first = spec.years[0]
    police_base = (police[first][-2]["anmeldelser"], police[first][-1]["anmeldelser"])

    plan, delaftale = _config(spec, areas, residents, attendance, vive_base, police_base)
    (dest / "config" / "delaftaler").mkdir(parents=True)
    head = "# SYNTETISK konfiguration skrevet af helhedsplan.synthetic. Ikke en rigtig delaftale.\n"
    for path, data in ((dest / "config" / "helhedsplan.yaml", plan),
                       (dest / "config" / "delaftaler" / f"{SYNTHETIC_ID}.yaml", delaftale)):
        path.write_text(head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    cfg = config.load(dest, SYNTHETIC_ID)

    raw = dest / "data" / "raw"

    def write(source_id, year, rows, **kw):
        src = SOURCES[source_id]
        write_source_workbook(src, raw / str(year) / src.filename, year, rows, example=True,
                              note=NOTE, cfg=cfg, **kw)

    for year in spec.years:
        write("beboerdata", year, list(residents[year].values()))
        write("afdelingsmoeder", year, [
            {"afdeling": a, "moededato": f"{1 + a % 28:02d}-{9 + a % 3:02d}-{year}",
             "fremmoedte": k} for a, (_, k) in attendance[year].items()])
        write("anmeldelser", year, police[year])
        if year in answers:
            write("livskvalitet", year, answers[year], layouts=(SINGLE_ANSWERS_LAYOUT,))
        else:  # declared not measured, as the analyst would
            (raw / str(year) / NOT_MEASURED_FILE).write_text(
                not_measured_text(year, [SOURCES["livskvalitet"].filename], example=True),
                encoding="utf-8")
        if dt.date(year, 12, 31) >= cfg.helhedsplan.periode_fra:
            write("aktiviteter", year, _activities(rng, cfg, year, [n for n, _ in areas]))
    return dest


def _activities(rng: random.Random, cfg, year: int, areas: list[str]) -> list[dict]:
    """Monthly network activities in random areas and the themed events, from the plan's start."""
    start = cfg.helhedsplan.periode_fra
    themes = [t.split(",")[0] for t in cfg.activity_targets.temaer]
    rows = []
    for month in range(1, 13):
        if dt.date(year, month, 28) < start:
            continue
        for i in range(rng.randint(2, 6)):
            n = rng.randint(5, 30)
            rows.append({"dato": dt.date(year, month, rng.randint(1, 28)).strftime("%d-%m-%Y"),
                         "titel": f"Netværksaktivitet {i + 1}", "tema": "Andet",
                         "sted": rng.choice(areas), "partnere": "", "deltagere": n,
                         "beboere": n - rng.randint(0, 3), "beboere_medarrangoer": "nej"})
        if month % 2 == 0:
            n = rng.randint(10, 60)
            outside = month == 6
            rows.append({"dato": dt.date(year, month, 15).strftime("%d-%m-%Y"),
                         "titel": f"Temaarrangement {month // 2}",
                         "tema": themes[(month // 2) % len(themes)],
                         "sted": OUTSIDE if outside else rng.choice(areas),
                         "partnere": "Frivillighedens Hus" if outside else "Foreninger",
                         "deltagere": n, "beboere": n - rng.randint(0, 5),
                         "beboere_medarrangoer": "ja"})
    return sorted(rows, key=lambda r: (r["dato"][3:5], r["dato"][:2]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helhedsplan.synthetic",
                                     description="Skriv et syntetisk skalatilfælde (et helt "
                                     "projekt) i en ny mappe. Rør aldrig de rigtige data.")
    parser.add_argument("mappe", type=Path, help="ny mappe til projektet (må ikke findes)")
    d = Spec()
    parser.add_argument("--afdelinger", type=int, default=d.afdelinger)
    parser.add_argument("--omraader", type=int, default=d.omraader)
    parser.add_argument("--aar", type=int, default=d.aar, help="antal år")
    parser.add_argument("--svar", type=int, default=d.svar, help="VIVE-svar pr. måleår")
    args = parser.parse_args(argv)
    spec = Spec(args.afdelinger, args.omraader, args.aar, args.svar)
    out = write_project(args.mappe, spec)
    print(f"Syntetisk projekt ({spec.describe()}) skrevet i {out}.\n"
          f"Byg det: HELHEDSPLAN_ROOT={out} python -m helhedsplan byg")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
