import pytest

from helhedsplan import formatting
from helhedsplan.formatting import interval, number, pct, pp, signed


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (41 / 648 * 100, 1, "6,3 pct."),
    (28 / 388 * 100, 1, "7,2 pct."),
    (27 / 416 * 100, 1, "6,5 pct."),
    (23 / 511 * 100, 1, "4,5 pct."),
    (115 / 148 * 100, 0, "78 pct."),
    (8064 / 10473 * 100, 0, "77 pct."),
    (108 / 2453 * 100, 2, "4,40 pct."),
    (6.25, 1, "6,3 pct."),  # half up, not babel's half-even
    (1234.5, 1, "1.234,5 pct."),
])
def test_pct(value, decimals, expected):
    assert pct(value, decimals) == expected


def test_numbers_and_changes():
    assert number(2453) == "2.453"
    assert number(10473) == "10.473"
    assert number(97.7, 1) == "97,7"
    assert pp(2.1873) == "+2,2 procentpoint"
    assert pp(-0.5) == "\u22120,5 procentpoint"  # the minus sign, not a hyphen (21.7)
    assert signed(23) == "+23"
    assert signed(0) == "±0"
    assert interval(4.698, 8.471) == "4,7–8,5 pct."


def test_missing_values_show_a_dash():
    assert pct(float("nan")) == "–"
    assert number(None) == "–"


def test_a_name_mid_sentence_keeps_an_abbreviations_capitals():
    assert formatting.mid_sentence("Andel 18-64-årige i job") == "andel 18-64-årige i job"
    assert formatting.mid_sentence("SAB-møder pr. boligområde") == "SAB-møder pr. boligområde"
    assert formatting.mid_sentence("VIVE") == "VIVE"
    assert formatting.mid_sentence("E5-tallet") == "E5-tallet"
    assert formatting.mid_sentence("Å") == "å"
