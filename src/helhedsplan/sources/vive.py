"""VIVE's tryghed- og trivselsmåling: the question on quality of life ('livskvalitet').

The figures may come in three forms, one sheet each in vive_livskvalitet.xlsx (fill in one):

- 'Livskvalitet': per gruppe the number who answered and the number 'meget tilfreds' or
  'tilfreds' (the form of the delaftale's baseline, 115 of 148);
- 'Svarkategorier': per gruppe the number in each answer category;
- 'Enkeltsvar': one row per respondent, gruppe and answer category (up to 100.000 rows).

All three become the same table: per gruppe and year `svar` (the denominator) and `tilfredse`.

'Ved ikke': the share is of those who took a position, so 'ved ikke' is left out of the
denominator. This is our choice: we could not find VIVE's own practice for this question stated
anywhere, and the delaftale's baseline (115 of 148) does not say. Change it here if it differs. Where the
input shows 'ved ikke', the table says how many were left out, and the report can print the
columns `opgoerelse` and `ved_ikke` as they are. In the first form the analyst enters the
denominator, so how 'ved ikke' was treated cannot be seen and the table says so.

Where the categories or single answers are given per boligområde and no row is for
'Hele helhedsplanen', the helhedsplan is the areas added together (respondents counted once).
"""

from __future__ import annotations

import pandas as pd

from ..config import Config
from .checks import at_least_one, at_most, row_check
from .columns import Column, Layout, Source
from .problems import dk

HELHEDSPLAN_GROUP = "Hele helhedsplanen"

# The answer scale, satisfied first. 'Ved ikke' is not part of the denominator.
SATISFIED = ("Meget tilfreds", "Tilfreds")
NOT_SATISFIED = ("Hverken/eller", "Utilfreds", "Meget utilfreds")
DONT_KNOW = "Ved ikke"
CATEGORIES = (*SATISFIED, *NOT_SATISFIED, DONT_KNOW)
CATEGORY_ALIASES = (
    ("Hverken tilfreds eller utilfreds", "Hverken/eller"),
    ("Hverken eller", "Hverken/eller"),
    ("Hverken/ eller", "Hverken/eller"),
    ("Ved ikke/ønsker ikke at svare", DONT_KNOW),
)
_KEYS = {"Meget tilfreds": "meget_tilfreds", "Tilfreds": "tilfreds",
         "Hverken/eller": "hverken_eller", "Utilfreds": "utilfreds",
         "Meget utilfreds": "meget_utilfreds", DONT_KNOW: "ved_ikke_antal"}

ENTERED = "antal svar og antal tilfredse som indtastet"
FROM_CATEGORIES = "optalt fra svarkategorier"
AREAS_ADDED = "boligområderne lagt sammen"
DONT_KNOW_UNSEEN = "filen viser ikke, hvor mange der svarede “ved ikke”"
DONT_KNOW_NOT_GIVEN = "antallet, der svarede “ved ikke”, er ikke oplyst i filen"
NO_DONT_KNOW = "ingen svarede “ved ikke”"


def dont_know_text(n) -> str:
    """How 'ved ikke' was treated, as the report prints it."""
    if n is None or pd.isna(n):
        return DONT_KNOW_NOT_GIVEN
    if n == 0:
        return NO_DONT_KNOW
    return f"“ved ikke” ({dk(int(n))}) er ikke talt med i nævneren"


def groups(cfg) -> list[str]:
    """The plan, the areas, and the comparison groups of every delaftale that reads VIVE."""
    comparisons = [s.navn for c in cfg.readers("vive_livskvalitet")
                   for ind in c.indicators_from("vive_livskvalitet") for s in ind.sammenligning]
    return [HELHEDSPLAN_GROUP, *cfg.area_names, *dict.fromkeys(comparisons)]


def _gruppe() -> Column:
    return Column("gruppe", "Gruppe", "text",
                  f"'{HELHEDSPLAN_GROUP}', et boligområde eller sammenligningsgruppen",
                  example=HELHEDSPLAN_GROUP, choices=groups, choice_label="en kendt gruppe")


TABLE_COLUMNS = ["gruppe", "svar", "tilfredse", "skema", "opgoerelse", "ved_ikke",
                 "ved_ikke_antal", "excel_raekke"]


def _finish(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    for key in ("svar", "tilfredse", "ved_ikke_antal", "excel_raekke"):
        table[key] = pd.array(table[key], dtype="Int64")
    return table


def _entered(df: pd.DataFrame, cfg: Config, year: int) -> pd.DataFrame:
    return _finish([{"gruppe": r.gruppe, "svar": r.svar, "tilfredse": r.tilfredse,
                     "skema": "antal", "opgoerelse": ENTERED, "ved_ikke": DONT_KNOW_UNSEEN,
                     "ved_ikke_antal": None, "excel_raekke": r.excel_raekke}
                    for r in df.itertuples()])


def _counted(counts: pd.DataFrame, cfg: Config, skema: str, how) -> pd.DataFrame:
    """counts: one row per gruppe with a column per category key (+ excel_raekke, n_rows)."""
    counts = counts.set_index("gruppe")
    areas = [a for a in cfg.area_names if a in counts.index]
    comparison = [g for g in counts.index if g not in (HELHEDSPLAN_GROUP, *cfg.area_names)]
    derive = bool(areas) and (HELHEDSPLAN_GROUP not in counts.index or skema == "enkeltsvar")
    if derive:
        # The helhedsplan is its areas together; single answers without an area count too.
        mine = counts.loc[[g for g in counts.index if g not in comparison]]
        total = mine.sum(numeric_only=True)
        if mine["ved_ikke_antal"].isna().any():
            total["ved_ikke_antal"] = pd.NA
        total["excel_raekke"] = pd.NA
        counts.loc[HELHEDSPLAN_GROUP] = total
    rows = []
    for gruppe in groups(cfg):
        if gruppe not in counts.index:
            continue
        c = counts.loc[gruppe]
        satisfied = int(sum(c[_KEYS[k]] for k in SATISFIED))
        took_position = satisfied + int(sum(c[_KEYS[k]] for k in NOT_SATISFIED))
        dont_know = c["ved_ikke_antal"]
        text = how(c) + (f", {AREAS_ADDED}" if derive and gruppe == HELHEDSPLAN_GROUP else "")
        rows.append({"gruppe": gruppe, "svar": took_position, "tilfredse": satisfied,
                     "skema": skema, "opgoerelse": text, "ved_ikke": dont_know_text(dont_know),
                     "ved_ikke_antal": None if pd.isna(dont_know) else int(dont_know),
                     "excel_raekke": c["excel_raekke"]})
    return _finish(rows)


def _from_categories(df: pd.DataFrame, cfg: Config, year: int) -> pd.DataFrame:
    return _counted(df, cfg, "kategorier", lambda c: FROM_CATEGORIES)


def _from_single_answers(df: pd.DataFrame, cfg: Config, year: int) -> pd.DataFrame:
    wide = pd.crosstab(df["gruppe"], df["svarkategori"])
    counts = pd.DataFrame({key: wide[cat] if cat in wide else 0 for cat, key in _KEYS.items()},
                          index=wide.index)
    counts["n_rows"] = wide.sum(axis=1)
    counts["excel_raekke"] = pd.NA
    counts = counts.rename_axis("gruppe").reset_index()
    return _counted(counts, cfg, "enkeltsvar",
                    lambda c: f"optalt fra {dk(int(c['n_rows']))} enkeltsvar")


_SCALE = "meget tilfreds, tilfreds, hverken/eller, utilfreds, meget utilfreds eller ved ikke"
ENTERED_LAYOUT = Layout(
    id="antal",
    title="antal svar og antal tilfredse",
    sheet="Livskvalitet",
    instructions="Udfyld dette ark, hvis I har antal svar og antal 'meget tilfreds' eller "
                 "'tilfreds' pr. gruppe (som i delaftalens baseline: 115 af 148). Udfyld kun ét "
                 "af arkene 'Livskvalitet', 'Svarkategorier' og 'Enkeltsvar'.",
    columns=(
        _gruppe(),
        Column("svar", "Antal svar", "int",
               "Antal beboere, der har besvaret spørgsmålet (uden 'ved ikke', hvis I kan)",
               "personer", example=148, maximum=1_000_000),
        Column("tilfredse", "Meget tilfreds eller tilfreds", "int",
               "Antal, der svarede 'meget tilfreds' eller 'tilfreds'", "personer", example=115,
               maximum=1_000_000),
    ),
    key=("gruppe",),
    checks=lambda cfg, year: [
        at_most("tilfredse", "svar", "flere tilfredse end svar: 'Meget tilfreds eller tilfreds' "
                "({tilfredse}) må højst være 'Antal svar' ({svar})"),
        at_least_one("svar", "'Antal svar' skal være mindst 1 (ingen svar: slet rækken)"),
    ],
    to_table=_entered,
    template_rows=50,
)


def _category(label: str, example: int) -> Column:
    aliases = tuple(a for a, c in CATEGORY_ALIASES if c == label)
    dont_know = label == DONT_KNOW
    return Column(_KEYS[label], label, "int",
                  f"Antal, der svarede '{label.lower()}'"
                  + (" (tælles ikke med i nævneren; tom celle: ikke oplyst)" if dont_know else ""),
                  "personer", required=not dont_know, example=example, header_aliases=aliases,
                  maximum=1_000_000)


def _some_answer(cfg, year):
    keys = [_KEYS[k] for k in (*SATISFIED, *NOT_SATISFIED)]
    return row_check(lambda df: df[keys].isna().any(axis=1) | (df[keys].sum(axis=1) >= 1),
                     "ingen svar i rækken: alle svarkategorier er 0 (slet rækken)",
                     column=_KEYS["Meget tilfreds"])


CATEGORIES_LAYOUT = Layout(
    id="kategorier",
    title="antal pr. svarkategori",
    sheet="Svarkategorier",
    instructions="Udfyld dette ark, hvis I har antal svar i hver svarkategori pr. gruppe. "
                 "'Ved ikke' tælles ikke med i nævneren. Skriv 0, hvor ingen svarede.",
    columns=(_gruppe(), *(_category(c, n) for c, n in zip(CATEGORIES, (60, 55, 20, 9, 4, 7),
                                                           strict=True))),
    key=("gruppe",),
    checks=lambda cfg, year: [_some_answer(cfg, year)],
    to_table=_from_categories,
    template_rows=50,
)

SINGLE_ANSWERS_LAYOUT = Layout(
    id="enkeltsvar",
    title="enkeltsvar (én række pr. besvarelse)",
    sheet="Enkeltsvar",
    instructions="Udfyld dette ark, hvis I har de enkelte besvarelser: én række pr. beboer, "
                 "der har svaret, med gruppe (boligområdet) og svarkategori. Rækkerne tælles op "
                 "pr. gruppe; 'ved ikke' tælles ikke med i nævneren.",
    columns=(
        _gruppe(),
        Column("svarkategori", "Svarkategori", "text", f"Svaret: {_SCALE}",
               example="Tilfreds", choices=lambda cfg: list(CATEGORIES),
               choice_label="en svarkategori", aliases=CATEGORY_ALIASES),
    ),
    to_table=_from_single_answers,
    template_rows=2000,
)

SOURCE = Source(
    id="livskvalitet",
    title="VIVE trivselsmåling",
    origin="VIVEs trygheds- og trivselsmåling (spørgsmål om livskvalitet)",
    filename="vive_livskvalitet.xlsx",
    kilde="vive_livskvalitet",
    required_from=lambda cfg: cfg.first_year_of("vive_livskvalitet"),
    layouts=(ENTERED_LAYOUT, CATEGORIES_LAYOUT, SINGLE_ANSWERS_LAYOUT),
    not_every_year=True,
)
