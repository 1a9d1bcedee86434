"""Rendering: executed notebook → self-contained HTML + A4 PDF (built-in and Quarto paths)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from helhedsplan import paths, reproducible
from helhedsplan.render import RenderError, builtin, notebook, quarto, render, word

from .conftest import report_dir

ALT_TEXT = "Søjlediagram over fremmøde i fire afdelinger; Afd. 30 har flest med 7,2 pct."
RUNNING_HEADER = "Aktiv i fællesskabet · Statusrapport 2024"
FILLER = (
    "Beboerne i Kløver-/Hvedemarken, Stenbjergparken, Nørager og Søstjernevej mødes "
    "oftere, og flere deltager i afdelingsmøderne end ved baseline i 2020. "
) * 8


def _svg_figure() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "path"
    fig, ax = plt.subplots(figsize=(5, 2.5))
    ax.bar(["Afd. 22", "Afd. 30", "Afd. 35", "Afd. 24"], [6.3, 7.2, 6.5, 4.5])
    ax.set_ylabel("Pct.")
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    return buf.getvalue()


def _markdown_output(text: str):
    return new_output(
        "display_data",
        data={"text/markdown": text, "text/plain": "<IPython.core.display.Markdown object>"},
    )


def make_notebook(path: Path, *, extra_cells: list | None = None) -> Path:
    cells = [
        new_raw_cell(
            "---\n"
            "title: Statusrapport 2024\n"
            "subtitle: Sammenhængskraft og medborgerskab\n"
            "date: 2025-03-01\n"
            "lang: da\n"
            f"running-header: {RUNNING_HEADER}\n"
            "---"
        ),
        new_code_cell("aar = 2023  # PARAMETERS_CELL_SOURCE", metadata={"tags": ["parameters"]}),
        new_code_cell(
            "# Parameters\naar = 2024  # INJECTED_PARAMETERS_SOURCE",
            metadata={"tags": ["injected-parameters"]},
        ),
        new_code_cell(
            "#| output: asis\nvis_sammenfatning()",
            outputs=[
                new_output("stream", name="stderr", text="FutureWarning: STDERR_NOISE\n"),
                _markdown_output(
                    "::: {.callout-warning}\n## Eksempeldata\n"
                    "Rapporten bygger på **eksempeldata**.\n:::\n\n"
                    "# Sammenfatning\n\n"
                    "| Afdeling | Område | Fremmødte | Andel |\n"
                    "|---|---|---|---|\n"
                    "| Afd. 22 | Kløver-/Hvedemarken | 41 | 6,3 pct. |\n"
                    "| Afd. 30 | Stenbjergparken | 28 | 7,2 pct. |\n"
                    "| I alt (æøå) | | 1.963 | 6,1 pct. |\n"
                ),
            ],
        ),
        new_markdown_cell("# Afdelingsmøder\n\n" + FILLER + "\n\nSe @fig-fremmoede."),
        new_code_cell(
            "#| label: fig-fremmoede\n"
            "#| fig-cap: Fremmøde på afdelingsmøderne\n"
            f"#| fig-alt: {ALT_TEXT}\n"
            "figur()",
            outputs=[new_output(
                "display_data",
                data={"image/svg+xml": _svg_figure(), "text/plain": "<Figure size 500x250>"},
            )],
        ),
        new_markdown_cell("## Mere tekst\n\n" + FILLER + "\n\n" + FILLER + "\n\n" + FILLER),
        *(extra_cells or []),
    ]
    nb = new_notebook(
        cells=cells,
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}},
    )
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("render")
    nb = make_notebook(base / "statusrapport.ipynb")
    out = base / "ud"
    paths = render(nb, out, renderer="indbygget")
    return out, paths


# ---- built-in renderer -------------------------------------------------------------


def test_builtin_writes_html_pdf_and_word(built):
    out, paths = built
    assert paths == [out / "statusrapport.html", out / "statusrapport.pdf",
                     out / "statusrapport.docx"]
    assert all(p.is_file() and p.stat().st_size > 1000 for p in paths)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)


def test_html_is_self_contained_and_danish(built):
    out, _ = built
    html = (out / "statusrapport.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html)
    assert '<html xmlns="http://www.w3.org/1999/xhtml" lang="da"' in html
    assert 'name="viewport"' in html
    assert "<title>Statusrapport 2024</title>" in html
    assert "Sammenhængskraft og medborgerskab" in html
    assert 'id="TOC"' in html and "Indhold" in html
    assert 'class="header-section-number">1<' in html
    # every image is embedded
    assert re.search(r'<img[^>]*src="data:image/svg\+xml;base64,', html)
    assert re.search(r"<img[^>]*alt=\"" + re.escape(ALT_TEXT) + '"', html)
    assert "Figur 1: Fremmøde på afdelingsmøderne" in html
    assert '<a href="#fig-fremmoede">Figur 1</a>' in html


def test_html_table_callout_and_hidden_cells(built):
    out, _ = built
    html = (out / "statusrapport.html").read_text(encoding="utf-8")
    assert "6,3 pct." in html and "æøå" in html and "Kløver-/Hvedemarken" in html
    # Danish numbers are right-aligned, text columns are not
    assert re.search(r'<td style="text-align: right;" data-label="[^"]+">'
                     r'<span class="sr-tal">6,3 pct.</span></td>', html)
    assert re.search(r'<td style="text-align: right;" data-label="[^"]+">1.963</td>', html)
    assert re.search(r'<td[^>]* data-label="[^"]+">Kløver-/Hvedemarken</td>', html)
    # the first cell of a row is its header
    assert re.search(r'<th[^>]* scope="row">Afd. 22</th>', html)
    assert 'class="sr-callout sr-callout-warning"' in html and "Eksempeldata" in html
    # the callout title is not a (numbered) section heading
    assert 'id="eksempeldata"' not in html
    for hidden in ("INJECTED_PARAMETERS_SOURCE", "PARAMETERS_CELL_SOURCE", "aar = 2024",
                   "STDERR_NOISE", "IPython.core.display", "Figure size"):
        assert hidden not in html


def test_pdf_is_a4_with_text_page_numbers_and_running_header(built):
    from pypdf import PdfReader

    out, _ = built
    reader = PdfReader(str(out / "statusrapport.pdf"))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.28) <= 1 and abs(height - 841.89) <= 1
    # Typst joins "Figur" and its number with a no-break space
    texts = [page.extract_text().replace("\xa0", " ") for page in reader.pages]
    everything = "\n".join(texts)
    assert "6,3 pct." in everything
    assert "æøå" in everything
    assert "Statusrapport 2024" in texts[0] and "1. marts 2025" in texts[0]
    assert "Indhold" in texts[0]
    assert "1 Sammenfatning" in everything  # section numbering
    n = len(reader.pages)
    for i, text in enumerate(texts, start=1):
        assert f"Side {i} af {n}" in text
    assert RUNNING_HEADER not in texts[0]
    assert RUNNING_HEADER in texts[1]
    assert "Figur 1: Fremmøde på afdelingsmøderne" in everything
    assert "Se Figur 1" in everything
    assert "Eksempeldata" in everything
    for hidden in ("INJECTED_PARAMETERS_SOURCE", "PARAMETERS_CELL_SOURCE", "STDERR_NOISE"):
        assert hidden not in everything


def test_pdf_figure_is_vector(built):
    out, _ = built
    pdf = (out / "statusrapport.pdf").read_bytes()
    assert b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf


# ---- failures leave nothing behind ------------------------------------------------------


def _two_size_figure_cell(alt: str):
    """A figure cell as helhedsplan.figures.show writes it: the print SVG, HTML with the phone
    SVG as a <picture> source, and the alt text from the data in the output's metadata; the
    cell's own fig-alt is stale."""
    from helhedsplan import figures

    phone = _svg_figure().replace("<svg ", '<svg data-telefon="ja" ', 1)
    data = {"image/svg+xml": _svg_figure(),
            "text/html": figures.picture_html(_svg_figure(), phone, alt), "text/plain": alt}
    return new_code_cell(
        "#| label: fig-to\n#| fig-cap: \"Fremmøde: to størrelser\"\n#| fig-alt: Gammel tekst\n"
        "figures.show(...)",
        outputs=[new_output("display_data", data=data, metadata={"fig-alt": alt})])


def test_figure_alt_text_comes_from_the_output():
    alt = 'Fire små diagrammer (afd. 22, 30 og 35): "citat", æøå # | ikke en option'
    nb = new_notebook(cells=[_two_size_figure_cell(alt)])
    cell = notebook.with_figure_alt(nb).cells[0]
    opts, rest = notebook.cell_options(cell.source)
    assert opts == {"label": "fig-to", "fig-cap": "Fremmøde: to størrelser", "fig-alt": alt}
    assert rest == "figures.show(...)"
    assert nb.cells[0].source.count("Gammel tekst") == 1  # the original is left alone


def test_builtin_html_shows_the_phone_figure_on_phones_pdf_the_print_figure(tmp_path):
    import base64

    from pypdf import PdfReader

    alt = "Fire små diagrammer, ét pr. afdeling (afd. 22, 30 og 35)"
    nb = make_notebook(tmp_path / "statusrapport.ipynb", extra_cells=[_two_size_figure_cell(alt)])
    render(nb, tmp_path / "ud", renderer="indbygget")
    html = (tmp_path / "ud" / "statusrapport.html").read_text(encoding="utf-8")
    figure = re.search(r'<figure id="fig-to">(.*?)</figure>', html, re.S).group(1)
    assert figure.count("<img ") == 1 and figure.count("<source ") == 1  # one image, one alt
    assert re.search(r'<img [^>]*alt="' + re.escape(alt) + '"', figure)
    source = re.search(r'<source media="screen and \(max-width: 960px\)" srcset="data:image/svg\+xml;'
                       r'base64,([^"]+)"', figure)
    assert b'data-telefon="ja"' in base64.b64decode(source.group(1))
    assert "Figur 2: Fremmøde: to størrelser" in figure
    pdf = PdfReader(tmp_path / "ud" / "statusrapport.pdf")
    alts = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, list) else [kids]) if kids is not None else []:
                walk(kid)

    walk(pdf.trailer["/Root"]["/StructTreeRoot"])
    assert alt in alts and "Gammel tekst" not in alts


def test_failing_pandoc_leaves_no_output(tmp_path, monkeypatch):
    nb = make_notebook(tmp_path / "nb.ipynb")
    fake = tmp_path / "fake-pandoc"
    fake.write_text(f"#!{sys.executable}\nimport sys\n"
                    "sys.stderr.write('pandoc: kaputt i linje 7\\n')\nsys.exit(3)\n")
    fake.chmod(0o755)
    for module in (builtin, word):  # every pandoc run: the reference document's and the outputs'
        monkeypatch.setattr(module, "pandoc_path", lambda: str(fake))
    out = tmp_path / "ud"
    with pytest.raises(RenderError) as err:
        render(nb, out, renderer="indbygget")
    assert "Pandoc fejlede" in str(err.value) and "kaputt i linje 7" in str(err.value)
    assert list(out.iterdir()) == []


def test_failing_typst_leaves_no_output_and_keeps_old_report(tmp_path):
    broken = new_markdown_cell("```{=typst}\n#let x = (\n```")
    nb = make_notebook(tmp_path / "nb.ipynb", extra_cells=[broken])
    out = tmp_path / "ud"
    out.mkdir()
    (out / "statusrapport.html").write_text("gammel rapport", encoding="utf-8")
    with pytest.raises(RenderError, match="Typst kunne ikke lave PDF"):
        render(nb, out, renderer="indbygget")
    assert [p.name for p in out.iterdir()] == ["statusrapport.html"]
    assert (out / "statusrapport.html").read_text(encoding="utf-8") == "gammel rapport"


def test_error_output_raises_in_danish(tmp_path):
    nb_path = make_notebook(tmp_path / "nb.ipynb")
    nb = nbformat.read(str(nb_path), as_version=4)
    nb.cells.append(new_code_cell("1/0", outputs=[new_output(
        "error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]))
    nbformat.write(nb, str(nb_path))
    with pytest.raises(RenderError, match="fejlede i celle .*ZeroDivisionError"):
        render(nb_path, tmp_path / "ud", renderer="indbygget")
    assert not (tmp_path / "ud" / "statusrapport.html").exists()


def test_unknown_renderer_and_missing_notebook(tmp_path):
    with pytest.raises(RenderError, match="Ukendt renderer"):
        render(tmp_path / "x.ipynb", tmp_path, renderer="latex")
    with pytest.raises(RenderError, match="findes ikke"):
        render(tmp_path / "x.ipynb", tmp_path, renderer="indbygget")


# ---- notebook → Markdown (no pandoc) ----------------------------------------------------


def test_cell_options_and_table_caption():
    opts, rest = notebook.cell_options("#| label: tbl-a\n#| tbl-cap: \"Fremmøde: 2024\"\nx = 1")
    assert opts == {"label": "tbl-a", "tbl-cap": "Fremmøde: 2024"} and rest == "x = 1"
    nb = new_notebook(cells=[
        new_raw_cell("---\ntitle: T\n---"),
        new_code_cell("#| label: tbl-a\n#| tbl-cap: Fremmøde\nt()",
                      outputs=[_markdown_output("| a | b |\n|---|---|\n| 1 | 2 |")]),
        new_code_cell("print('x')", outputs=[new_output("execute_result",
                                                        data={"text/plain": "42"})]),
    ])
    doc = notebook.notebook_to_document(nb)
    assert doc.metadata["title"] == "T"
    assert '::: {#tbl-a tbl-cap="Fremmøde"}' in doc.body
    assert "```\n42\n```" in doc.body


def test_cell_options_are_yaml_as_quarto_reads_them():
    # An unquoted ': ' is a YAML error in Quarto; the built-in renderer must refuse it too
    # (it used to split at the first colon and so disagreed with Quarto).
    with pytest.raises(RenderError, match=r"celle 7.*ikke gyldig YAML"):
        notebook.cell_options("#| label: tbl-a\n#| tbl-cap: Delmål: status\nx = 1", where="celle 7")
    # YAML 1.2 (js-yaml), not PyYAML's 1.1: 'yes' and '1:30' stay text.
    opts, _ = notebook.cell_options("#| fig-cap: yes\n#| fig-alt: 1:30\n# | echo: false\nx")
    assert opts == {"fig-cap": "yes", "fig-alt": "1:30", "echo": False}
    with pytest.raises(RenderError, match="nøgle: værdi"):
        notebook.cell_options("#| - a\nx")
    nb = new_notebook(cells=[new_code_cell("#| label: tbl-a\n#| tbl-cap: A: b\nt()",
                                           outputs=[_markdown_output("x")])])
    with pytest.raises(RenderError, match="celle 1"):
        notebook.notebook_to_document(nb)


@pytest.mark.parametrize("path", sorted(Path(__file__).resolve().parents[1].glob(
    "*/*.ipynb")), ids=lambda p: p.name)
def test_every_committed_notebook_has_valid_cell_options(path):
    nb = nbformat.read(path, as_version=4)
    labels = []
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code":
            opts, _ = notebook.cell_options(cell.source, where=f"{path.name} celle {number}")
            labels += [opts["label"]] if "label" in opts else []
    assert len(labels) == len(set(labels))


# ---- Quarto path (with a fake quarto on PATH) -------------------------------------------

pytestmark_posix = pytest.mark.skipif(os.name == "nt", reason="fake quarto is a POSIX script")


# Quarto's stderr on a typical render: the pandoc options and metadata it dumps, with ANSI
# bold headings, around its own lines.
QUARTO_DUMP = (
    "\x1b[1mpandoc \x1b[22m\n  to: typst\n  output-file: statusrapport.typ\n  standalone: true\n"
    "\n\x1b[1mmetadata\x1b[22m\n  lang: da\n  title: 'Statusrapport 2024'\n  papersize: a4\n\n"
)


WORD_XML = ('<?xml version="1.0" encoding="UTF-8"?>\n<w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>QUARTO docx'
            '</w:t></w:r></w:p></w:body></w:document>')


def _output_text(path: Path) -> str:
    """What a fake Quarto output says: the text, or a Word file's document.xml."""
    if path.suffix == ".docx":
        import zipfile

        with zipfile.ZipFile(path) as z:
            return re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode()).strip()
    return path.read_text(encoding="utf-8")


def _fake_quarto(bin_dir: Path, log: Path) -> None:
    """A `quarto` that logs its calls; FAKE_QUARTO_VERSION / _STDERR / _RC shape its answers."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "quarto"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(f"""\
        import hashlib, json, os, sys
        from pathlib import Path
        args = sys.argv[1:]
        if args == ["--version"]:
            print(os.environ.get("FAKE_QUARTO_VERSION", "1.10.18"))
            sys.exit(0)
        if args[1:] == ["--version"]:
            print({{"pandoc": "pandoc 3.9", "typst": "typst 0.15.1"}}[args[0]])
            sys.exit(0)
        src = Path(args[1])
        entry = {{"argv": args, "cwd": os.getcwd(), "exists": src.is_file(),
                  "project": (Path(os.getcwd()) / "_quarto.yml").is_file(),
                  "programmer": "| Quarto | 1.10.18 |" in src.read_text(encoding="utf-8"),
                  "epoch": os.environ.get("SOURCE_DATE_EPOCH")}}
        with open({str(log)!r}, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\\n")
        to = args[args.index("--to") + 1]
        sys.stderr.write(os.environ.get("FAKE_QUARTO_STDERR", ""))
        if os.environ.get("FAKE_QUARTO_RC", "0") != "0":
            sys.exit(int(os.environ["FAKE_QUARTO_RC"]))
        suffix = {{"html": ".html", "typst": ".pdf", "docx": ".docx"}}[to]
        if to == "docx":  # a Word file the pipeline can finish (render/word_layout.py)
            import zipfile
            with zipfile.ZipFile(src.with_suffix(suffix), "w") as z:
                z.writestr("word/document.xml", {WORD_XML!r})
        else:
            src.with_suffix(suffix).write_text("QUARTO " + to, encoding="utf-8")
        (src.parent / (src.stem + "_files")).mkdir(exist_ok=True)
        """))
    script.chmod(0o755)


@pytest.fixture()
def fake_quarto(tmp_path, monkeypatch):
    """A Quarto project, an executed notebook, and a fake `quarto` on PATH that logs its calls."""
    project = tmp_path / "projekt"
    project.mkdir()
    (project / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
    nb = make_notebook(tmp_path / "udfoert.ipynb", extra_cells=[
        new_code_cell("#| label: tbl-programmer\n#| tbl-cap: Programmer\nx()",
                      outputs=[_markdown_output("| Program | Version |\n|---|---|\n| P | 1 |")])])
    log = tmp_path / "quarto-kald.jsonl"
    _fake_quarto(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    return project, nb, log


def _calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


@pytestmark_posix
def test_quarto_renderer_arguments_and_outputs(tmp_path, fake_quarto):
    # What the real Quarto cannot show: the exact command (never --execute, never -P), the
    # copies inside the project, and that nothing is left behind.
    project, nb, log = fake_quarto

    out = tmp_path / "ud"
    paths = render(nb, out, renderer="auto", quarto_project=project)  # auto → quarto

    names = [f"statusrapport{s}" for _, s in quarto._QUARTO_FORMATS]
    assert paths == [out / n for n in names]
    for (to, _), path in zip(quarto._QUARTO_FORMATS, paths, strict=True):
        assert _output_text(path) == "QUARTO " + to
    calls = _calls(log)
    assert sorted(c["argv"][c["argv"].index("--to") + 1] for c in calls) == sorted(
        to for to, _ in quarto._QUARTO_FORMATS)
    for call in calls:
        argv = call["argv"]
        assert argv[0] == "render"
        assert Path(argv[1]).name == "statusrapport.ipynb"
        # a visible folder inside the project, so Quarto counts it as a project input
        copy_dir = Path(argv[1]).parent
        assert copy_dir.parent.parent == project / "reports"
        assert not any(part.startswith((".", "_"))
                       for part in copy_dir.relative_to(project).parts)
        assert call["exists"] and call["project"]
        assert call["programmer"]  # the provenance table names the Quarto that rendered it
        assert "--execute" not in argv and not any(a.startswith("-P") for a in argv)
        # dated by SOURCE_DATE_EPOCH (a fixed date outside the pipeline), never the clock; pandoc
        # in --sandbox, except for Word (Quarto's figure files must be read there)
        stamp = str(reproducible.epoch())
        assert call["epoch"] == stamp
        assert argv[4:6] == ["--metadata", f"creation-timestamp:{stamp}"]
        assert argv[6:] == (["--reference-doc", str(copy_dir.parent / "reference.docx")]
                            if argv[3] == "docx" else ["--sandbox"])
    # the temporary build folder is gone, nothing else was left in the project or out dir
    assert not (project / "reports").exists() and not (project / ".quarto").exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(names)


@pytestmark_posix
def test_quarto_builds_inside_out_dir_when_that_is_in_the_project(tmp_path, fake_quarto):
    project, nb, log = fake_quarto
    out = project / "reports" / "2024"
    render(nb, out, renderer="quarto", quarto_project=project)
    assert all(Path(c["argv"][1]).parent.parent.parent == out for c in _calls(log))
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"statusrapport{s}" for _, s in quarto._QUARTO_FORMATS)


@pytestmark_posix
def test_quarto_failure_shows_quartos_lines_not_the_option_dump(tmp_path, fake_quarto,
                                                                monkeypatch):
    project, nb, _ = fake_quarto
    monkeypatch.setenv("FAKE_QUARTO_STDERR", QUARTO_DUMP + "\x1b[31mERROR: typst compile "
                       "failed\x1b[39m\n  error: unknown variable: sr-x\n")
    monkeypatch.setenv("FAKE_QUARTO_RC", "1")
    out = tmp_path / "ud"
    with pytest.raises(RenderError) as info:
        render(nb, out, renderer="quarto", quarto_project=project)
    message = str(info.value)
    assert "Quarto fejlede" in message and "ERROR: typst compile failed" in message
    assert "error: unknown variable: sr-x" in message
    assert "output-file" not in message and "papersize" not in message
    assert "\x1b" not in message
    assert list(out.iterdir()) == []
    assert not (project / "reports").exists()


@pytestmark_posix
def test_quarto_warnings_are_shown_on_success(tmp_path, fake_quarto, monkeypatch):
    project, nb, _ = fake_quarto
    monkeypatch.setenv("FAKE_QUARTO_STDERR", QUARTO_DUMP + "WARN: Unable to resolve crossref "
                       "@tbl-x\n[WARNING] Could not convert image x.svg\n"
                       "Output created: statusrapport.pdf\n")
    lines: list[str] = []
    render(nb, tmp_path / "ud", renderer="quarto", quarto_project=project, log=lines.append)
    assert lines and all("WARN: Unable to resolve crossref @tbl-x" in line for line in lines)
    assert all("[WARNING] Could not convert image x.svg" in line for line in lines)
    assert not any("Output created" in line or "papersize" in line for line in lines)


@pytestmark_posix
def test_too_old_quarto(tmp_path, fake_quarto, monkeypatch):
    # auto passes over an old Quarto with a Danish note; asking for it is an error.
    project, nb, log = fake_quarto
    monkeypatch.setenv("FAKE_QUARTO_VERSION", "1.6.43")
    lines: list[str] = []
    out = tmp_path / "ud"
    render(nb, out, renderer="auto", quarto_project=project, log=lines.append)
    assert len(lines) == 1 and "1.6.43" in lines[0] and "indbyggede renderer" in lines[0]
    assert not log.exists()  # never asked to render
    assert (out / "statusrapport.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(RenderError, match="for gammel.*1.10"):
        render(nb, out, renderer="quarto", quarto_project=project)


def test_quarto_requested_but_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    nb = make_notebook(tmp_path / "nb.ipynb")
    with pytest.raises(RenderError, match="Quarto er ikke installeret"):
        render(nb, tmp_path / "ud", renderer="quarto")


def test_quarto_project_file_points_at_our_css_and_typst_template():
    import yaml

    root = Path(__file__).resolve().parents[1]
    config = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["lang"] == "da"
    assert config["execute"]["echo"] is False
    html, typst = config["format"]["html"], config["format"]["typst"]
    assert html["embed-resources"] is True and html["toc"] and html["number-sections"]
    assert html["format-links"] is False
    assert (root / html["css"]).resolve() == builtin.CSS_FILE
    assert typst["toc"] and typst["section-numbering"] == "1.1"
    # the Typst look is the built-in template's own partials
    partials = {(root / p).resolve() for p in typst["template-partials"]}
    assert {paths.ASSETS_DIR / "statusrapport-stil.typ",
            paths.ASSETS_DIR / "statusrapport-titel.typ"} <= partials
    assert all(p.is_file() for p in partials)
    assert all((root / (f if isinstance(f, str) else f["path"])).is_file()
               for f in config["filters"])


# ---- Word ------------------------------------------------------------------------------


def docx_facts(path: Path) -> dict:
    """What a docx holds: Word headings, real tables, images and their alt text, language,
    page-number fields in the footer."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        doc = z.read("word/document.xml").decode("utf-8")
        styles = z.read("word/styles.xml").decode("utf-8")
        footers = " ".join(z.read(n).decode("utf-8") for n in z.namelist()
                           if re.fullmatch(r"word/footer\d*\.xml", n))
    headings = []
    for para in re.findall(r"<w:p>.*?</w:p>|<w:p .*?</w:p>", doc, re.S):
        style = re.search(r'<w:pStyle w:val="(Heading\d)"', para)
        if style:
            text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", para))
            headings.append((style.group(1), re.sub(r"^[\d.]+\s*", "", text.strip())))
    lang = re.search(r'<w:rPrDefault>.*?<w:lang [^>]*w:val="([^"]+)"', styles, re.S)
    return {
        "headings": headings,
        # real tables: with a header row (Quarto also lays out floats in header-less tables)
        "tables": len(re.findall(r"<w:tblHeader\b", doc)),
        "images": doc.count("<pic:pic"),
        "alt_texts": re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', doc),
        "lang": lang.group(1) if lang else None,
        "page_fields": " PAGE " in footers and " NUMPAGES " in footers,
    }


def test_builtin_word_version(built_project):
    root, _ = built_project
    path = report_dir(root, 2024) / "statusrapport.docx"
    facts = docx_facts(path)
    names = [name for _, name in facts["headings"]]
    assert names[:2] == ["Sammenfatning", "Deltagelse i afdelingsmøderne"]
    assert ("Heading1", "Bilag: inddata og programmer") in facts["headings"]
    assert facts["tables"] >= 14 and facts["images"] >= 4
    assert len(facts["alt_texts"]) == facts["images"]
    assert all(len(alt) > 40 and not alt.endswith(".png") for alt in facts["alt_texts"])
    assert facts["lang"].startswith("da") and facts["page_fields"]


def test_provenance_names_the_typst_that_made_the_pdf(built_project):
    """The PDF's creator is the Typst compiler inside typst-py (0.15.1 in typst-py 0.15.2):
    'Programmer og versioner' names that compiler, and the package it came in."""
    from importlib import metadata

    from pypdf import PdfReader

    root, _ = built_project
    reader = PdfReader(report_dir(root) / "statusrapport.pdf")
    creator = re.fullmatch(r"Typst (\d+\.\d+\.\d+)", reader.metadata.creator)
    assert creator, reader.metadata.creator
    table = " ".join(p.extract_text() for p in reader.pages).split("Programmer og versioner")[-1]
    package = metadata.version("typst")
    assert re.search(rf"Typst\s+{re.escape(creator.group(1))} \(typst-py {re.escape(package)}\)",
                     table), table


@pytest.mark.skipif(not shutil.which("soffice"),
                    reason="LibreOffice (soffice) findes ikke: Word-filen åbnes ikke i testen")
def test_builtin_word_opens_in_libreoffice(built_project, tmp_path):
    import subprocess

    from pypdf import PdfReader

    root, _ = built_project
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(report_dir(root, 2024) / "statusrapport.docx")],
                   check=True, capture_output=True, timeout=300)
    pages = [p.extract_text() for p in PdfReader(tmp_path / "statusrapport.pdf").pages]
    assert len(pages) >= 5
    assert all(f"Side {i} af {len(pages)}" in text for i, text in enumerate(pages, start=1))
    assert "Sammenfatning" in pages[0] and "Tabel 1" in pages[0]


def test_word_tables_are_set_in_9_pt_in_schema_order(tmp_path):
    """The Word reference document's table style sets its text in 9 pt (as the PDF's tables;
    at 10,5 pt seven columns broke words in the middle), with rPr before tblPr as the Office
    Open XML schema orders a style's children (Word rejects a file out of order)."""
    import xml.etree.ElementTree as ET
    import zipfile

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(word.reference_docx(tmp_path / "reference.docx")) as zf:
        styles = ET.fromstring(zf.read("word/styles.xml"))
    table = next(s for s in styles.iter(f"{w}style") if s.get(f"{w}styleId") == "Table")
    children = [c.tag.removeprefix(w) for c in table]
    assert children.index("rPr") < children.index("tblPr")
    assert table.find(f"{w}rPr/{w}sz").get(f"{w}val") == "18"


def test_a_three_column_table_of_long_values_becomes_cards_on_a_phone(tmp_path):
    # Issue 21.7: the final year's activity table (Mål, two periods) stayed a 414 px table.
    from helhedsplan import programs

    shared = (paths.ASSETS_DIR / "tabeller.lua").read_text(encoding="utf-8")
    filt = tmp_path / "mark.lua"
    filt.write_text(f"local tabeller = (function()\n{shared}\nend)()\n"
                    "function Table(tbl) return tabeller.mark(tbl) end\n", encoding="utf-8")
    long = ("| Mål | Kalenderår 2025 | Projektår 4 (2024/25) |\n|---|---:|---:|\n"
            "| Måneder med aktivitet | 8 af 8 ● Mål nået | 11 af 12 ● Mål ikke nået |\n")
    short = "| Kilde | Fra | Til |\n|---|---:|---:|\n| SAB | 2020 | 2024 |\n"
    # two years across, long unit names first: 441 px at 390 until it became cards
    years = ("| Enhed (pct.) | 2023 | 2024 |\n|---|---:|---:|\n"
             "| Kløver-/Hvedemarken | 82 | – |\n| Søstjernevej m.fl. | 81 | – |\n")
    html = programs.convert_text(long + "\n" + short + "\n" + years, "html", "markdown",
                                 [f"--lua-filter={filt}"])
    classes = re.findall(r"<table([^>]*)>", html)
    assert len(classes) == 3
    assert "sr-kort" in classes[0] and "sr-kort" not in classes[1]
    assert "sr-kort" in classes[2] and "sr-aar" in classes[2]
