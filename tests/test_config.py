import datetime as dt

import pytest
import yaml

from helhedsplan import config
from helhedsplan.errors import InputError


def test_delaftale_facts(cfg):
    att = cfg.delmaal_by_id("afdelingsmoeder").baseline
    assert [(b.afdeling, b.taeller, b.naevner, b.procent) for b in att.afdelinger] == [
        (22, 41, 648, 6.3), (30, 28, 388, 7.2), (35, 27, 416, 6.5), (24, 23, 511, 4.5)]
    liv = cfg.delmaal_by_id("livskvalitet")
    assert (liv.baseline.aar, liv.baseline.taeller, liv.baseline.naevner) == (2018, 115, 148)
    assert (liv.sammenligning.taeller, liv.sammenligning.naevner) == (8064, 10473)
    pol = cfg.delmaal_by_id("anmeldelser")
    assert (pol.baseline.aar, pol.baseline.antal, pol.baseline.kommune_antal) == (2020, 108, 2453)
    assert all(d.god_retning == "op" for d in cfg.delmaal)  # more police reports is the goal
    assert cfg.afdeling_kobling.udledt is True
    assert cfg.dataoversigt.total == {"beboere_18_plus": 1963, "beboere_65_plus": 236,
                                      "foertidspensionister": 375.5,
                                      "uden_for_arbejdsstyrken": 848}
    assert cfg.aktivitetsmaal.temaarrangementer_pr_aar == 6
    assert cfg.aktivitetsmaal.uden_for_boligomraaderne_pr_aar == 1


def test_project_years(cfg):
    assert cfg.project_year(dt.date(2021, 8, 31)) is None
    assert cfg.project_year(dt.date(2021, 9, 1)) == 1
    assert cfg.project_year(dt.date(2024, 8, 31)) == 3
    assert cfg.project_year(dt.date(2024, 9, 1)) == 4
    assert cfg.project_year(dt.date(2025, 9, 1)) is None


def _with(tmp_path, edit):
    data = yaml.safe_load(config.paths.CONFIG_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "delaftale.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_typo_in_baseline_percentage_is_caught(tmp_path):
    def edit(d):
        d["delmaal"][0]["baseline"]["afdelinger"][1]["procent"] = 7.7
    with pytest.raises(InputError, match=r"afd\. 30: 28/388 giver 7\.2 pct\., ikke 7\.7"):
        config.load(_with(tmp_path, edit))


def test_inferred_mapping_must_match_dataoversigt(tmp_path):
    def edit(d):  # swap two afdelinger between areas
        d["boligomraader"][0]["afdeling"], d["boligomraader"][1]["afdeling"] = 30, 22
    with pytest.raises(InputError, match="nævneren"):
        config.load(_with(tmp_path, edit))


def test_missing_config_is_a_danish_error(tmp_path):
    with pytest.raises(InputError, match="findes ikke"):
        config.load(tmp_path / "nope.yaml")
