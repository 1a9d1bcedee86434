"""Figures: the phone size's text is large enough, and the alt texts follow the data."""

from __future__ import annotations

import re

import matplotlib
import pytest

matplotlib.use("Agg")

from helhedsplan import config, figures, indicators  # noqa: E402

from .conftest import D  # noqa: E402

# The figure for each kind, as the example delaftale's indicators get them (figures.for_indicator)
CFG = config.default(D)
KINDS = {ind.id: figures.for_indicator(CFG, ind) for _, ind in CFG.indicators()}
FIGURES = [KINDS["deltagelse"][0], KINDS["livskvalitet"][0], KINDS["anmeldelser"][0],
           KINDS["aktivitetsmaal"][0]]


def _name(make) -> str:
    return getattr(make, "func", make).__name__
# The report's smallest body text on a phone (the figure caption, 0.92 × 16 px) and the
# column a figure gets at 360 px (the page's side padding taken off).
BODY_MIN_PX = 14.72
COLUMN_AT_360_PX = 331


@pytest.fixture(scope="module")
def table(processed_2024, cfg):
    return indicators.compute(cfg, processed_2024, 2024)


def _text_sizes(svg: str) -> tuple[float, list[float]]:
    """The SVG's width (pt) and the size (pt) of each text in it: matplotlib writes text as
    glyph paths scaled by font size / 100."""
    width = float(re.search(r'viewBox="0 0 ([0-9.]+)', svg).group(1))
    sizes = [100 * float(s) for s in re.findall(r'<g transform="translate\([^)]*\) '
                                                r'scale\(([0-9.]+) -[0-9.]+\)">', svg)]
    return width, sizes


@pytest.mark.parametrize("make", FIGURES, ids=_name)
def test_phone_figure_text_is_as_large_as_the_body_text_at_360_px(table, make):
    figures.setup()
    with matplotlib.pyplot.rc_context({"font.size": figures.PHONE.text}):
        fig = make(table, 2024, phone=True)
        svg = figures.svg(fig)
    matplotlib.pyplot.close(fig)
    width, sizes = _text_sizes(svg)
    assert sizes, "no text found in the SVG (has svg.fonttype changed?)"
    assert min(sizes) >= figures.PHONE.text
    # Scaled to the column, the smallest text is at least the body's smallest.
    assert min(sizes) * COLUMN_AT_360_PX / width >= BODY_MIN_PX, (width, min(sizes))


@pytest.mark.parametrize("make", FIGURES, ids=_name)
def test_print_figure_is_unchanged_in_size(table, make):
    figures.setup()
    fig = make(table, 2024)
    width, sizes = _text_sizes(figures.svg(fig))
    matplotlib.pyplot.close(fig)
    assert 480 < width < 540 and min(sizes) >= 7


def test_attendance_alt_text_names_the_afdelinger_in_the_data(table):
    alt = KINDS["deltagelse"][1](table, 2024)
    assert alt.startswith("Fem små punktdiagrammer, ét pr. afdeling (afd. 22, 30, 35 og 24) og "
                          "ét for hele helhedsplanen")
    assert "fra 2020 til 2024" in alt and "baseline 2020" in alt
    fewer = table[table["enhed_navn"] != "Afd. 24"]
    alt = KINDS["deltagelse"][1](fewer, 2024)
    assert alt.startswith("Fire små punktdiagrammer, ét pr. afdeling (afd. 22, 30 og 35)")
    assert "24" not in alt.split("(")[1].split(")")[0]
    assert KINDS["deltagelse"][1](table, 2022).count("fra 2020 til 2022") == 1


def test_other_alt_texts_follow_the_data(table):
    assert "(2018, 2021 og 2023)" in KINDS["livskvalitet"][1](table, 2024)
    assert "(2018 og 2021)" in KINDS["livskvalitet"][1](table, 2022)
    assert "baseline 2020 (108 anmeldelser)" in KINDS["anmeldelser"][1](table, 2024)
    assert "antal anmeldelser til politiet" in KINDS["anmeldelser"][1](table, 2024)
    calendar = figures.activity_calendar_alt(table, 2024)
    assert "i 2024" in calendar and "af 12 måneder" in calendar


def test_show_puts_both_sizes_and_the_alt_text_in_one_output(table, monkeypatch):
    shown = []
    monkeypatch.setattr("helhedsplan.figures.style.display",
                        lambda data, raw, metadata: shown.append((data, metadata)))
    figures.setup()
    matplotlib.pyplot.close("all")  # another test's open figure is not this one's business
    alt = 'Et "citat" & <tegn>'
    figures.show(KINDS["livskvalitet"][0], table, 2024, alt=alt)
    assert not matplotlib.pyplot.get_fignums()  # both figures closed: none shown twice
    (data, metadata), = shown
    assert metadata == {"fig-alt": alt}
    assert data["image/svg+xml"].lstrip().startswith("<?xml")
    html = data["text/html"]
    assert html.count("<img ") == 1 and html.count("<source ") == 1
    assert f'media="{figures.PHONE_MEDIA}"' in html
    assert 'alt="Et &quot;citat&quot; &amp; &lt;tegn&gt;"' in html


def test_calendar_legend_names_only_the_marks_the_year_has(table):
    from helhedsplan.figures.calendar import _calendar_key, _month_values

    value = _month_values(table, 2024)
    plan = [m for m in range(1, 13) if value[("maaned_netvaerk", m)][0]]
    assert len(plan) == 12  # 2024 lies wholly inside the plan: nothing hatched
    filled = "netværksaktivitet i boligområderne"
    key = _calendar_key(value, filled)
    assert "Skraveret" not in key
    without = [m for m in plan if not value[("maaned_netvaerk", m)][1]]
    assert ("Rødorange kant" in key) == bool(without)
    every_month = dict(value)
    for m in plan:
        every_month[("maaned_netvaerk", m)] = (True, 3)
    assert "Rødorange" not in _calendar_key(every_month, filled)
    every_month[("maaned_netvaerk", 7)] = (True, 0)
    assert "Rødorange kant og “ingen”: ingen aktivitet." in _calendar_key(every_month, filled)


@pytest.mark.parametrize("first,last", [(2018, 2024), (2018, 2025), (2020, 2025), (2021, 2024)])
def test_phone_year_axis_labels_the_first_and_the_report_year(first, last):
    import matplotlib.pyplot as plt

    from helhedsplan.figures.style import PHONE, year_axis

    fig, ax = plt.subplots()
    year_axis(ax, first, last, PHONE)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    plt.close(fig)
    shown = [int(t) for t in labels if t]
    assert shown[0] == first and shown[-1] == last
    assert all(b - a >= 2 for a, b in zip(shown, shown[1:], strict=False)) or len(labels) <= 4


def test_a_survey_shown_per_boligomraade_only_draws_each_area(table, cfg):
    """No row for the whole plan: the figure's lines are the areas (and the comparison group),
    and its alt text names them."""
    from helhedsplan.figures.shares import measurements, measurements_alt

    ind = next(i for _, i in cfg.indicators() if i.type == "svarfordeling")
    rows = table[(table["indikator_id"] == ind.id) & (table["niveau"] != "helhedsplan")]
    assert set(rows["niveau"]) == {"boligområde", "sammenligning"}
    fig = measurements(rows, 2024, indikator_id=ind.id)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert set(cfg.area_names) <= set(labels)
    alt = measurements_alt(rows, 2024, indikator_id=ind.id, what="trivslen")
    assert all(area in alt for area in cfg.area_names) and "helhedsplanen" not in alt


def test_panel_titles_on_a_phone_do_not_run_into_each_other(tmp_path):
    """'Kløver-/Hvedemarken' over a half-width panel ran into 'Stenbjergparken'."""
    from helhedsplan.figures.shares import units
    from helhedsplan.inputs import ingest
    from helhedsplan.sources import sources_for
    from helhedsplan.sources.base import write

    from .conftest import REPO

    cfg = config.load(REPO, "beskaeftigelse")
    now = cfg.for_report(2024)
    for src in sources_for(now).values():
        write(ingest(src, now, REPO / "data" / "raw", 2024), src, tmp_path)
    table = indicators.compute(cfg, tmp_path, 2024)
    fig = units(table, 2024, phone=True, indikator_id="beskaeftigede")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [ax.title.get_window_extent(renderer) for ax in fig.axes if ax.get_title()]
    assert len(boxes) == 5
    for i, a in enumerate(boxes):
        assert a.x0 >= 0 and a.x1 <= fig.bbox.width  # inside the figure
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
