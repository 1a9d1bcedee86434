"""The configuration: the delaftale's facts as data, its checks (every problem at once, in Danish,
with file and line), and its published JSON Schema."""

import datetime as dt
import json
import shutil

import jsonschema
import pytest
import yaml

from helhedsplan import config
from helhedsplan.config.schema import SCHEMAS, schema_text
from helhedsplan.errors import InputError

from .conftest import REPO


def test_delaftale_facts(cfg):
    att = cfg.indicator("deltagelse")
    base = cfg.baseline(att)
    assert base.aar == 2020
    assert [(v.enhed, v.taeller, v.naevner, v.procent) for v in base.vaerdier] == [
        ("afd. 22", 41, 648, 6.3), ("afd. 30", 28, 388, 7.2), ("afd. 35", 27, 416, 6.5),
        ("afd. 24", 23, 511, 4.5)]
    liv = cfg.indicator("livskvalitet")
    (v,) = cfg.baseline(liv).vaerdier
    assert (cfg.baseline(liv).aar, v.taeller, v.naevner) == (2018, 115, 148)
    assert [(s.baseline.taeller, s.baseline.naevner) for s in liv.sammenligning] == [(8064, 10473)]
    pol = cfg.indicator("anmeldelser")
    (v,) = cfg.baseline(pol).vaerdier
    assert (cfg.baseline(pol).aar, v.antal, pol.andel_af.baseline.antal) == (2020, 108, 2453)
    assert pol.andel_af.baseline.procent == 4.40
    assert all(i.god_retning == "op" for _, i in cfg.indicators())  # more reports is the goal
    assert cfg.afdeling_kobling.udledt is True
    assert cfg.dataoversigt.total == {"beboere_18_plus": 1963, "beboere_65_plus": 236,
                                      "foertidspensionister": 375.5,
                                      "uden_for_arbejdsstyrken": 848}
    targets = {t.id: t.pr_aar for t in cfg.activity_targets.maal}
    assert targets["temaarrangementer"] == 6 and targets["uden_for_boligomraaderne"] == 1
    assert cfg.first_baseline_year == 2018


def test_project_years(cfg):
    assert cfg.project_year(dt.date(2021, 8, 31)) is None
    assert cfg.project_year(dt.date(2021, 9, 1)) == 1
    assert cfg.project_year(dt.date(2024, 8, 31)) == 3
    assert cfg.project_year(dt.date(2024, 9, 1)) == 4
    assert cfg.project_year(dt.date(2025, 9, 1)) is None


@pytest.fixture()
def conf(tmp_path):
    """A copy of config/ that a test may edit, and a function that loads it (InputError)."""
    shutil.copytree(REPO / "config", tmp_path / "config")

    def load():
        return config.load_every(tmp_path)

    return tmp_path / "config", load


def _problems(load) -> list[str]:
    with pytest.raises(InputError) as err:
        load()
    return [str(p) for p in err.value.problems]


def _line_of(path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text in line)


def test_the_real_configuration_loads(conf):
    _, load = conf
    assert [c.id for c in load()] == ["beskaeftigelse", "sammenhaengskraft"]


def test_typo_in_baseline_percentage_names_file_line_and_the_right_value(conf):
    folder, load = conf
    path = folder / "delaftaler" / "sammenhaengskraft.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "taeller: 28, naevner: 388, procent: 7.2", "taeller: 28, naevner: 388, procent: 7.7"),
        encoding="utf-8")
    line = _line_of(path, "procent: 7.7")
    (problem,) = _problems(load)
    assert problem.startswith(f"fil config/delaftaler/sammenhaengskraft.yaml: linje {line}, "
                              "delmål afdelingsmoeder → indikator deltagelse → baseline → værdi "
                              "afd. 30 → procent: ")
    assert "28/388 giver 7,2 pct., ikke 7,7 pct. Skriv procent: 7.2" in problem


def test_every_problem_is_listed_at_once_with_its_line(conf):
    """An unknown kind, a unit that is not defined, a percentage that does not match its counts
    and two indicators with one id: one list, each with its line and what to write instead."""
    folder, load = conf
    path = folder / "delaftaler" / "beskaeftigelse.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("type: antal", "type: antall")
    text = text.replace("{enhed: Nørager, taeller: 133", "{enhed: Nørrager, taeller: 133")
    text = text.replace("taeller: 88, naevner: 104, procent: 84.6",
                        "taeller: 88, naevner: 104, procent: 85.6")
    text = text.replace("- id: unge_i_uddannelse", "- id: beskaeftigede")
    path.write_text(text, encoding="utf-8")
    problems = _problems(load)
    assert len(problems) == 4, problems
    by_what = {p.split(": ", 2)[1].split(",")[0]: p for p in problems}
    line = _line_of(path, "type: antall")
    assert any(f"linje {line}" in p and "type 'antall' findes ikke: brug andel, antal, "
               "svarfordeling eller aktivitetsmaal" in p for p in problems), problems
    line = _line_of(path, "enhed: Nørrager")
    assert any(f"linje {line}" in p and "enheden 'Nørrager' findes ikke" in p and "Nørager"
               in p for p in problems), problems
    line = _line_of(path, "procent: 85.6")
    assert any(f"linje {line}" in p and "88/104 giver 84,6 pct., ikke 85,6 pct." in p
               for p in problems), problems
    second = [i for i, x in enumerate(text.splitlines(), 1) if "- id: beskaeftigede" in x][1]
    assert any(f"linje {second}" in p and "to indikatorer har id'et 'beskaeftigede'" in p
               for p in problems), problems
    assert all(p.startswith("fil config/delaftaler/beskaeftigelse.yaml: linje ") for p in problems)
    assert by_what


def test_numbers_no_statistics_can_take_and_a_sum_of_nothing_are_problems(conf):
    """Valid YAML the build could not use: an infinite or absurd count (it ended in an
    OverflowError in Fisher's test) and a plan-only indicator written as the sum of its parts
    (a StopIteration while reading the indikatorark)."""
    folder, load = conf
    path = folder / "delaftaler" / "beskaeftigelse.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("{enhed: Stenbjergparken, taeller: 121, naevner: 402, procent: 30.1}",
                        "{enhed: Stenbjergparken, taeller: 121, naevner: .inf}")
    text = text.replace("{enhed: helhedsplan, antal: 128}", "{enhed: helhedsplan, antal: 1e20}")
    text = text.replace("        enheder: [helhedsplan]\n        naevner_ord: 15-17-årige",
                        "        enheder: [helhedsplan]\n        helhedsplan: sum\n"
                        "        naevner_ord: 15-17-årige")
    path.write_text(text, encoding="utf-8")
    problems = _problems(load)
    assert len(problems) == 3, problems
    expected = {"naevner: .inf": "skal være et endeligt tal",
                "antal: 1e20": "må højst være 1.000.000.000",
                "helhedsplan: sum": "skriv 'helhedsplan: indtastet'"}
    for line_text, message in expected.items():
        line = _line_of(path, line_text)
        assert any(f"linje {line}" in p and message in p for p in problems), (line_text, problems)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("navn: Beskæftigelse og uddannelse", "navn: Beskæftigelse <script>alert(1)</script>",
     "læses som HTML"),
    ("kort_navn: Flere unge i uddannelse", "kort_navn: '[Flere unge](javascript:alert(1))'",
     "Markdown-henvisning"),
    ("delmaal: Flere unge i boligområderne er i gang med en uddannelse.",
     "delmaal: '![b](http://x/y.png) Flere unge'", "Markdown-henvisning"),
    ("navn: Andel 15-17-årige i uddannelse", "navn: Andel $x$ i uddannelse", "formel"),
    ("datakilde: Ungdommens Uddannelsesvejledning Sønderborg",
     "datakilde: '\\textbf{UU} Sønderborg'", "læses som kode"),
    ("ord: borgere", "ord: '@fig-borgere'", "krydshenvisning"),
    ("  - Jobcenter Sønderborg", "  - Jobcenter <b>Sønderborg</b>", "læses som HTML"),
])
def test_text_the_report_would_read_as_markup_is_a_problem(conf, old, new, message):
    """The configuration's words are shown as words: HTML, links, images, formulas, code and
    cross-references would vanish, act or break the PDF. Each named with its file and line."""
    folder, load = conf
    path = folder / "delaftaler" / "beskaeftigelse.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    (problem,) = _problems(load)
    line = _line_of(path, new.strip())
    assert problem.startswith(f"fil config/delaftaler/beskaeftigelse.yaml: linje {line}"), problem
    assert message in problem, problem


def test_ordinary_punctuation_in_text_is_fine(conf):
    folder, load = conf
    path = folder / "delaftaler" / "beskaeftigelse.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "navn: Beskæftigelse og uddannelse",
        "navn: 'Job & uddannelse: \"de unge\" (15-17 år) < 5 pct., 18+ og kontakt@uu.dk'")
    path.write_text(text, encoding="utf-8")
    assert [c.id for c in load()] == ["beskaeftigelse", "sammenhaengskraft"]


def test_a_shared_file_name_and_two_equal_headings_are_problems(conf):
    folder, load = conf
    path = folder / "delaftaler" / "beskaeftigelse.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "revisioner:", "indikatorark: beboerdata.xlsx\nrevisioner:").replace(
        "kort_navn: Flere unge i uddannelse", "kort_navn: Flere beboere i beskæftigelse")
    path.write_text(text, encoding="utf-8")
    problems = _problems(load)
    assert len(problems) == 2, problems
    assert any(f"linje {_line_of(path, 'indikatorark: beboerdata')}" in p
               and "giv delaftalens egen fil et andet navn, fx indikatorark_beskaeftigelse.xlsx"
               in p for p in problems), problems
    second = [i for i, x in enumerate(text.splitlines(), 1)
              if "kort_navn: Flere beboere i beskæftigelse" in x][1]
    assert any(f"linje {second}" in p and "samme kort_navn" in p for p in problems), problems


def test_the_shared_names_are_the_sources(conf):
    from helhedsplan.config.checks import OTHER_THEME
    from helhedsplan.config.model import SHARED_FILES
    from helhedsplan.sources import SOURCES
    from helhedsplan.sources.aktiviteter import OTHER_THEME as LOGS_OWN
    from helhedsplan.sources.folder import NOT_MEASURED_FILE

    assert set(SHARED_FILES) == {s.filename for s in SOURCES.values()
                                 if s.id != "indikatorark"} | {NOT_MEASURED_FILE}
    assert OTHER_THEME == LOGS_OWN


def test_the_logs_own_other_theme_is_not_a_theme(conf):
    folder, load = conf
    path = folder / "delaftaler" / "sammenhaengskraft.yaml"
    first = "        temaer:\n          - Frivillige sociale indsatser\n"
    text = path.read_text(encoding="utf-8")
    assert first in text
    path.write_text(text.replace(first, first + "          - Andet\n"), encoding="utf-8")
    (problem,) = _problems(load)
    assert f"linje {_line_of(path, '- Andet')}" in problem
    assert "'Andet' er aktivitetsloggens egen kategori" in problem, problem


def test_a_year_typed_wrong_is_one_problem(conf):
    """'aar: 1' asked for two thousand year folders: 2.046 problems, one per year."""
    folder, load = conf
    path = folder / "delaftaler" / "beskaeftigelse.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("          aar: 2022\n",
                                                             "          aar: 1\n"),
                    encoding="utf-8")
    (problem,) = _problems(load)
    assert f"linje {_line_of(path, 'aar: 1')}" in problem and "skal være mindst 1900" in problem


def test_a_key_written_twice_is_a_problem_not_the_last_one_silently(conf):
    folder, load = conf
    path = folder / "delaftaler" / "beskaeftigelse.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "        decimaler: 1\n        god_retning: op\n        datakilde: Landsbyggefondens",
        "        decimaler: 1\n        god_retning: op\n        god_retning: ned\n"
        "        datakilde: Landsbyggefondens", 1)
    path.write_text(text, encoding="utf-8")
    (problem,) = _problems(load)
    first = _line_of(path, "god_retning: op")
    assert problem.startswith(f"fil config/delaftaler/beskaeftigelse.yaml: linje {first + 1}: "
                              f"'god_retning' står to gange her (også linje {first})"), problem


def test_an_unknown_key_gets_a_suggestion(conf):
    folder, load = conf
    path = folder / "helhedsplan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  mindste_antal: 3",
                                                             "  mindste_antl: 3"),
                    encoding="utf-8")
    (problem,) = _problems(load)
    assert f"linje {_line_of(path, 'mindste_antl')}" in problem
    assert "'mindste_antl' kendes ikke her. Mente du 'mindste_antal'?" in problem


def test_a_known_key_in_the_wrong_place_is_not_suggested_as_itself(conf):
    folder, load = conf
    path = folder / "helhedsplan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  mindste_antal: 3",
                                                             "  mindste_antal: 3\n  kilde: x"),
                    encoding="utf-8")
    (problem,) = _problems(load)
    assert f"linje {_line_of(path, 'kilde: x')}" in problem
    assert "'kilde' hører ikke til her: tjek indrykningen" in problem and "Mente" not in problem


def test_broken_yaml_names_the_line(conf):
    folder, load = conf
    path = folder / "delaftaler" / "beskaeftigelse.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nforkert: [1, 2\n", encoding="utf-8")
    (problem,) = _problems(load)
    assert "fil config/delaftaler/beskaeftigelse.yaml: linje" in problem
    assert "ikke gyldig YAML" in problem


def test_the_afdeling_link_must_match_the_dataoversigt(conf):
    folder, load = conf
    path = folder / "helhedsplan.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("afdeling: 22", "afdeling: 99").replace("afdeling: 30",
                                                                        "afdeling: 22")
                    .replace("afdeling: 99", "afdeling: 30"), encoding="utf-8")
    problems = _problems(load)
    assert any("nævneren 648 er ikke antal beboere 18+ i Stenbjergparken (388)" in p
               for p in problems), problems


def test_a_delaftale_file_name_is_its_id(conf):
    folder, load = conf
    shutil.copy(folder / "delaftaler" / "beskaeftigelse.yaml",
                folder / "delaftaler" / "Ny Delaftale.yaml")
    problems = _problems(load)
    assert any("Ny Delaftale.yaml" in p and "'ny-delaftale.yaml'" in p for p in problems)


def test_an_unknown_delaftale_is_a_danish_error():
    with pytest.raises(InputError, match="delaftalen 'findes-ikke' findes ikke. Delaftalerne er: "
                                         "beskaeftigelse, sammenhaengskraft"):
        config.load(REPO, "findes-ikke")


def test_missing_configuration_is_a_danish_error(tmp_path):
    with pytest.raises(InputError) as err:
        config.load_every(tmp_path)
    text = str(err.value)
    assert "config/helhedsplan.yaml: filen findes ikke" in text
    assert "der er ingen delaftaler" in text


# --- the JSON Schema: what an editor uses to complete and check the files ----------------------

@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_published_schema_is_current(name):
    model, title = SCHEMAS[name]
    assert (REPO / "config" / "skema" / name).read_text(encoding="utf-8") == \
        schema_text(model, title), "Kør: python -m helhedsplan skema"


def test_the_configuration_files_are_valid_against_their_schema():
    for path, name in [(REPO / "config" / "helhedsplan.yaml", "helhedsplan.schema.json"),
                       *((p, "delaftale.schema.json")
                         for p in sorted((REPO / "config" / "delaftaler").glob("*.yaml")))]:
        schema = json.loads((REPO / "config" / "skema" / name).read_text(encoding="utf-8"))
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=") and name in first
        data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")),
                                     default=str))
        jsonschema.validate(data, schema)


def test_the_schema_catches_what_an_editor_should_flag():
    schema = json.loads((REPO / "config" / "skema" / "delaftale.schema.json").read_text(
        encoding="utf-8"))
    d = yaml.safe_load((REPO / "config" / "delaftaler" / "beskaeftigelse.yaml").read_text(
        encoding="utf-8"))
    d["delmaal"][0]["indikatorer"][0]["type"] = "gennemsnit"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(json.dumps(d, default=str)), schema)


def test_a_configuration_problem_is_called_one():
    from helhedsplan.errors import InputError, Problem

    config_only = InputError([Problem("x", file="config/delaftaler/a.yaml"),
                              Problem("y", file="config/helhedsplan.yaml")])
    assert str(config_only).startswith("Der er 2 problemer med konfigurationen:")
    mixed = InputError([Problem("x", file="config/helhedsplan.yaml"),
                        Problem("y", file="2024/beboerdata.xlsx")])
    assert str(mixed).startswith("Der er 2 problemer med inddata:")
