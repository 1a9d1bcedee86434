"""The Quarto path against a real Quarto: parity with the built-in renderer.

Runs when `quarto` is on PATH or the Quarto kit's launcher is installed
(~/.cache/quarto-kit/1.10.18/bin/quarto, `../shared/quarto/install.sh`; `QUARTO_KIT_HOME`
moves it); otherwise every test here is skipped with the reason. The example report is
built once (conftest's `built_project`, built-in renderer), and its executed notebook is
rendered through Quarto once for the whole module.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from helhedsplan import config
from helhedsplan.render.provenance import builtin_tool_versions
from helhedsplan.sources import sources_for

from .conftest import NO_QUARTO, QUARTO, REPO, D, project_copy, report_dir
from .test_render import docx_facts

pytestmark = pytest.mark.skipif(QUARTO is None, reason=NO_QUARTO)


@pytest.fixture(scope="module")
def reports(built_project, quarto_report):
    """The 2024 example report from both engines: {"indbygget": dir, "quarto": dir}."""
    root, _ = built_project
    return {"indbygget": report_dir(root), "quarto": quarto_report["folder"],
            "warnings": quarto_report["warnings"],
            "left_behind": quarto_report["left_behind"]}


def _pdf_pages(folder: Path) -> list[str]:
    # Typst's PDFs give a hyphen-minus back as a soft hyphen
    return [p.extract_text().replace("\xad", "-")
            for p in PdfReader(folder / "statusrapport.pdf").pages]


class _Html(HTMLParser):
    """Headings and tables (rows of cell texts) of an HTML report, plus float texts."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.figure_texts: list[str] = []
        self._heading = None
        self._row = None
        self._cell = None
        self._figure_depth = 0
        self._figure_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3") and self._heading is None:
            self._heading = []
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "figure":
            self._figure_depth += 1
        if tag == "span" and ("class", "header-section-number") in attrs and self._heading \
                is not None:
            self._skip_number = True

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            text = " ".join("".join(self._heading).split())
            self.headings.append(re.sub(r"^[\d.]+\s+", "", text))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag == "figure":
            self._figure_depth -= 1
            if self._figure_depth == 0:
                self.figure_texts.append(" ".join("".join(self._figure_text).split()))
                self._figure_text = []

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._figure_depth:
            self._figure_text.append(data)


def _html(folder: Path) -> tuple[str, _Html]:
    text = (folder / "statusrapport.html").read_text(encoding="utf-8")
    parser = _Html()
    parser.feed(text)
    return text, parser


def test_quarto_renders_the_report_without_warnings_or_leftovers(reports):
    out = reports["quarto"]
    assert (out / "statusrapport.pdf").read_bytes().startswith(b"%PDF")
    assert reports["warnings"] == []
    # nothing left in the project: no notebook copies, no _files, no .quarto, no .gitignore
    assert reports["left_behind"] == []


def test_same_headings_and_tables_with_all_rows(reports):
    _, builtin = _html(reports["indbygget"])
    _, quarto = _html(reports["quarto"])
    assert quarto.headings == builtin.headings
    assert len(builtin.tables) >= 14
    # every table, every row, every cell; the provenance table (last) differs by design
    assert quarto.tables[:-1] == builtin.tables[:-1]
    # every input file in the appendix, every year in the development tables
    files = {row[0] for table in quarto.tables for row in table if row[0].startswith("data/")}
    names = {s.filename for s in sources_for(config.default(D)).values()}
    expected = {str(p.relative_to(REPO / "data" / "raw").as_posix())
                for p in (REPO / "data" / "raw").rglob("*.xlsx") if p.name in names}
    assert {f.split(" ")[0].removeprefix("data/raw/") for f in files} >= expected
    header_years = {cell for table in quarto.tables for cell in table[0]
                    if re.fullmatch(r"20\d\d", cell)}
    assert {"2020", "2021", "2022", "2023", "2024"} <= header_years


def test_the_html_contents_list_every_chapter_as_the_builtin_does(reports):
    """Each delmål's chapter is shown by a code cell; Quarto listed no heading of a cell's
    output in its contents, so the board's contents held only Sammenfatning, Data og metode and
    the appendix."""
    def contents(folder: Path) -> list[str]:
        html = (folder / "statusrapport.html").read_text(encoding="utf-8")
        toc = re.search(r'<nav id="TOC".*?</nav>', html, re.S)
        assert toc, folder
        return re.findall(r'<a href="#([^"]+)"', toc.group(0))

    builtin = contents(reports["indbygget"])
    chapters = [f"delmaal-{d.id}" for d in config.default(D).for_report(2024).delmaal]
    assert set(chapters) <= set(builtin)
    assert contents(reports["quarto"]) == builtin


def test_every_number_in_the_builtin_pdf_is_in_the_quarto_pdf(reports):
    def numbers(pages: list[str]) -> set[str]:
        # Checksums are not figures: the built-in PDF sets each on two lines of 32 digits.
        text = re.sub(r"\b[0-9a-f]{20,}\b", " ", " ".join(pages))
        return set(re.findall(r"\d+(?:[.,]\d+)*", text))

    builtin, quarto = _pdf_pages(reports["indbygget"]), _pdf_pages(reports["quarto"])
    tool_versions = {v for _, value in builtin_tool_versions()
                     for v in re.findall(r"\d+(?:[.,]\d+)*", value)}
    missing = numbers(builtin) - numbers(quarto) - tool_versions
    assert not missing, f"Tal i den indbyggede PDF, som mangler i Quarto-PDF'en: {missing}"
    assert abs(len(quarto) - len(builtin)) <= 1


def test_quarto_pdf_has_page_numbers_running_header_title_and_danish_date(reports):
    pages = _pdf_pages(reports["quarto"])
    n = len(pages)
    assert n >= 5
    for number, text in enumerate(pages, start=1):
        assert f"Side {number} af {n}" in text
        if number > 1:
            assert "Aktiv i fællesskabet · Statusrapport 2024" in text
    reader = PdfReader(reports["quarto"] / "statusrapport.pdf")
    assert reader.metadata.title.startswith("Statusrapport 2024")
    assert "Invalid Date" not in pages[0]
    months = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
              "september", "oktober", "november", "december")
    assert re.search(r"\d{1,2}\. (" + "|".join(months) + r") \d{4}", pages[0])
    # the long inputs table breaks across pages and repeats its header row
    assert sum("Fil Kilde Dataår Rækker SHA-256" in text for text in pages) >= 2


def _code_on_pages(folder: Path) -> list[tuple[str, float, float, tuple]]:
    """(text, right edge, right margin, fill colour) of each piece of code a PDF shows (file
    names and checksums): the edge estimated from Typst's monospace advance, 0.6 em."""
    found = []
    for page in PdfReader(folder / "statusrapport.pdf").pages:
        margin = float(page.mediabox.width) - 2.3 / 2.54 * 72
        fill = [()]

        def colour(op, args, cm, tm, fill=fill):
            if op in (b"rg", b"sc", b"scn", b"g"):
                fill[0] = tuple(float(a) for a in args if isinstance(a, int | float))

        def text(t, cm, tm, font, size, fill=fill, margin=margin):
            if re.search(r"data/raw/|\b[0-9a-f]{20,}\b", t):
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                scale = (cm[0] ** 2 + cm[1] ** 2) ** 0.5 * (tm[0] ** 2 + tm[1] ** 2) ** 0.5
                found.append((t.strip(), x + len(t.rstrip()) * 0.6 * size * scale, margin,
                              fill[0]))

        page.extract_text(visitor_operand_before=colour, visitor_text=text)
    return found


def test_quarto_pdf_sets_checksums_inside_the_page_and_code_in_black(reports):
    """Tabel 13's SHA-256 checksums ran off the page in the Quarto PDF (64 digits on one line),
    and its code was teal (Quarto's syntax highlighting): as in the built-in PDF, each checksum
    is two lines of 32 digits inside the margin, and code is black."""
    for renderer in ("indbygget", "quarto"):
        code = _code_on_pages(reports[renderer])
        checksums = [t for t, *_ in code if re.fullmatch(r"[0-9a-f]{20,}", t)]
        assert len(checksums) >= 2 * 20, renderer
        assert {len(t) for t in checksums} == {32}, renderer
        assert all(right <= margin for _, right, margin, _ in code), renderer
        assert {fill for *_, fill in code} == {(0.0,)}, renderer


def test_quarto_names_itself_in_the_provenance_table(reports, quarto_version):
    quarto_text = " ".join(_pdf_pages(reports["quarto"]))
    version = ".".join(map(str, quarto_version))
    assert f"Quarto {version}" in quarto_text
    assert "pandoc (i Quarto)" in quarto_text and "Typst (i Quarto)" in quarto_text
    assert "typst-py" not in quarto_text
    builtin_text = " ".join(_pdf_pages(reports["indbygget"]))
    assert "pypandoc-binary" in builtin_text and "typst-py" in builtin_text
    assert "Quarto" not in builtin_text.split("Programmer og versioner")[-1]


def test_quarto_html_is_self_contained_danish_and_notes_stay_out_of_floats(reports):
    text, parsed = _html(reports["quarto"])
    assert re.search(r'<html[^>]*\blang="da"', text)
    # nothing fetched: no external script, stylesheet, image or font
    assert not re.search(r'(src|href)="(https?:)?//', text)
    assert "@import" not in text and "fonts.googleapis" not in text
    assert "Andre formater" not in text
    # no bigger than it needs to be: no Bootstrap, no search index (the built-in is ~0.3 MB)
    assert len(text.encode()) < 2 * (reports["indbygget"] / "statusrapport.html").stat().st_size
    assert parsed.figure_texts and not any("ingen tal for det år" in t for t in parsed.figure_texts)
    assert "ingen tal for det år" in text


def test_quarto_word_matches_the_builtin_word(reports):
    builtin = docx_facts(reports["indbygget"] / "statusrapport.docx")
    quarto = docx_facts(reports["quarto"] / "statusrapport.docx")
    _, html = _html(reports["indbygget"])
    assert quarto["lang"] == "da" and quarto["page_fields"]
    assert quarto["headings"] == builtin["headings"]
    assert quarto["tables"] == builtin["tables"] >= 14
    # the same figures with the same alt text (fig-alt); Quarto adds the callout's icon
    figures = [alt for alt in quarto["alt_texts"] if len(alt) > 40]
    assert figures == [alt for alt in builtin["alt_texts"] if len(alt) > 40]
    assert len(figures) >= 4


# --- `quarto render` at the root, as a Quarto user types it (issue 20) ---------------------------

_QUARTO_ROOT_FILES = ("_quarto-rapport.yml", "_quarto.py", "index.qmd", ".gitignore")


def _git_project(dest: Path) -> Path:
    """A fresh project as a clone has it (the files a build and Quarto need), committed to git so
    that `git status` shows what a render leaves behind."""
    import subprocess

    root = project_copy(dest)
    for name in _QUARTO_ROOT_FILES:
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "src" / "helhedsplan" / "assets", root / "src" / "helhedsplan" / "assets")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "klon"]):
        subprocess.run(git + cmd, cwd=root, check=True, capture_output=True)
    return root


def _quarto_at_root(root: Path, *args: str, **env: str):
    """`quarto ARGS` in the project root, with the tests' Quarto and this Python on PATH and no
    year or delaftale chosen unless given."""
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items()
            if k not in ("HELHEDSPLAN_ROOT", "HELHEDSPLAN_AAR", "HELHEDSPLAN_DELAFTALE",
                         "QUARTO_PROFILE")}
    path = os.pathsep.join([str(Path(QUARTO).parent), str(Path(sys.executable).parent),
                            base.get("PATH", "")])
    return subprocess.run([QUARTO, *args], cwd=root, capture_output=True, text=True,
                          timeout=900, env=dict(base, PATH=path, QUARTO_PYTHON=sys.executable,
                                                **env))


def _git_status(root: Path) -> str:
    import subprocess

    return subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                          text=True, check=True).stdout


def test_quarto_render_at_the_root_builds_and_publishes_the_real_report(tmp_path,
                                                                        quarto_version):
    root = _git_project(tmp_path / "klon")
    proc = _quarto_at_root(root, "render")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = report_dir(root)
    text, parsed = _html(out)
    # the real report: the year in the title, every table, the figures with their alt text
    assert "Statusrapport 2024" in text
    assert len(parsed.tables) >= 14
    assert parsed.figure_texts and re.search(r"<svg|<img", text)
    assert (out / "statusrapport.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "statusrapport.docx").is_file()
    # made by Quarto (on PATH, so the pipeline's `auto`), whose own render did not start the
    # pipeline again; offline
    assert ["Quarto", ".".join(map(str, quarto_version))] in parsed.tables[-1]
    assert not re.search(r'(src|href)="(https?:)?//', text)
    # Quarto's own output is the published report, and the work tree is as the clone had it:
    # no untracked file, no tracked notebook written
    assert (root / "index.html").read_bytes() == (out / "statusrapport.html").read_bytes()
    assert _git_status(root) == ""


def test_quarto_render_of_a_year_without_data_says_so_in_danish(tmp_path, quarto_version):
    root = _git_project(tmp_path / "klon")
    proc = _quarto_at_root(root, "render", HELHEDSPLAN_AAR="2030")
    said = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "FEJL" in said and "Der er ingen inddata for 2030" in said
    assert "Traceback" not in said and "Stack trace" not in said
    assert not (root / "reports" / "2030").exists() and not (root / "index.html").exists()
    assert _git_status(root) == ""
    proc = _quarto_at_root(root, "render", HELHEDSPLAN_AAR="tyve")
    assert proc.returncode != 0 and "HELHEDSPLAN_AAR skal være et årstal" in proc.stderr


def test_a_table_with_a_link_is_marked_for_the_phone(tmp_path, quarto_version):
    """The board overview's tables link into each report. Quarto rebuilds a table with a link
    after the user filters, and the marks for the phone's cards were lost (779 px at 390)."""
    import nbformat

    from helhedsplan import render as rnd

    from .conftest import quarto_on_path

    project = tmp_path / "projekt"
    project.mkdir()
    shutil.copy(REPO / "_quarto.yml", project)
    shutil.copytree(REPO / "src" / "helhedsplan" / "assets",
                    project / "src" / "helhedsplan" / "assets")
    table = ("| Delmål | Indikator | Seneste måling | Status | I rapporten |\n"
             "|:--|:--|--:|:--|:--|\n"
             "| Flere i job | Andel i job | 33,9 pct. (2024) | ▲ Tydelig fremgang | "
             "[Beskæftigelse](a/statusrapport.html#delmaal-a) (PDF: side 1) |\n")
    cell = nbformat.v4.new_code_cell('#| label: tbl-a\n#| tbl-cap: "A: delmålene"')
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": table})]
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_raw_cell("---\ntitle: Samlet status\nlang: da\n---"), cell])
    source = tmp_path / "samlet.ipynb"
    nbformat.write(nb, source)
    with quarto_on_path():
        rnd.render(source, project / "reports" / "ud", basename="samlet", renderer="quarto",
                   quarto_project=project, log=lambda m: None)
    html = (project / "reports" / "ud" / "samlet.html").read_text(encoding="utf-8")
    (tag,) = re.findall(r"<table[^>]*>", html)
    assert "sr-kort" in tag
    assert 'data-label="I rapporten"' in html and 'scope="col"' in html
    assert 'href="a/statusrapport.html#delmaal-a"' in html
