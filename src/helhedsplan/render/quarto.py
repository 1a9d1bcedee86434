"""The Quarto engine: ``quarto render`` of the executed notebook to HTML, Typst/PDF and Word.

Used when Quarto :data:`MIN_QUARTO` or newer is on PATH, with the project's ``_quarto.yml``
(whose Typst template partials are the built-in engine's own). An ``.ipynb`` is rendered with
the outputs it has; Quarto only executes it when told ``--execute``, which is never passed.
"""

from __future__ import annotations

import contextlib
import copy
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nbformat

from .. import paths
from .floats import with_headings_as_markdown
from .notebook import longest_run, output_text, phone_variant, read_notebook, with_figure_alt
from .provenance import quarto_tool_versions, version_text, with_tool_versions
from .tools import TAIL_LINES, RenderError, publish, source_date, tool_env
from .word import docx_notebook, reference_docx
from .word_layout import finish as finish_docx

# The oldest Quarto the project supports: 1.10 is the version the tests run against (the
# project's own Typst template partials, callouts without the Font Awesome download, the
# ipynb cell handling all rely on it). An older Quarto is not used by `auto`.
MIN_QUARTO = (1, 10)
_QUARTO_FORMATS = (("html", ".html"), ("typst", ".pdf"), ("docx", ".docx"))
# The Quarto profile of the pipeline's own renders. It has no file: it only keeps Quarto from
# taking the project's default profile, `rapport` (_quarto-rapport.yml), whose render list would
# leave the notebook copies outside the project and whose pre-render step would start the
# pipeline again from inside its own render (`quarto render` at the root runs the pipeline).
PIPELINE_PROFILE = "pipeline"


def quarto_version(quarto: str) -> tuple[int, ...] | None:
    """``quarto --version`` as a tuple (1, 10, 18), or None if it cannot be run or read."""
    try:
        proc = subprocess.run([quarto, "--version"], capture_output=True, text=True,
                              timeout=60, encoding="utf-8", errors="replace")
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", proc.stdout or "")
    if proc.returncode != 0 or not match:
        return None
    return tuple(int(g) for g in match.groups() if g is not None)


def render_quarto(executed_notebook: Path, out_dir: Path, *, basename: str = "statusrapport",
                  project_dir: Path | None = None, log=None) -> list[Path]:
    """Render with Quarto: ``quarto render <nb> --to html``, ``--to typst`` and ``--to docx``
    (with the same Word reference document as the built-in renderer).

    Each format renders its own copy of the notebook, as ``<basename>.ipynb``, in a fresh
    folder inside the Quarto project, so that ``_quarto.yml`` applies, the outputs get our
    names, the three renders can run side by side, and whatever Quarto leaves behind
    (``_files``, ``.quarto_ipynb``, a new ``.quarto``) goes away afterwards. The outputs are
    then moved into ``out_dir``. ``--output-dir`` is not used: for a single file in a
    project it recreates the file's folder below the output dir.
    Warnings Quarto prints are passed to ``log``; a failure raises :class:`RenderError`
    with Quarto's own error lines.
    """
    quarto = shutil.which("quarto")
    if not quarto:
        raise RenderError(
            "Quarto er ikke installeret (kommandoen 'quarto' findes ikke på PATH). "
            "Installer Quarto fra https://quarto.org, eller brug den indbyggede renderer "
            "(renderer='indbygget')."
        )
    version = quarto_version(quarto)
    if version is None or version < MIN_QUARTO:
        raise RenderError(
            f"Quarto på PATH ({quarto}, {version_text(version)}) er for gammel: rapporten "
            f"kræver Quarto {version_text(MIN_QUARTO)} eller nyere. Opdater Quarto, eller "
            "brug den indbyggede renderer (renderer='indbygget')."
        )
    project = Path(project_dir) if project_dir else paths.QUARTO_PROJECT.parent
    if not (project / "_quarto.yml").is_file():
        raise RenderError(f"Quarto-projektfilen mangler: {project / '_quarto.yml'}")
    nb = read_notebook(Path(executed_notebook))  # fail early, in Danish, on a failed notebook
    nb = with_headings_as_markdown(with_figure_alt(without_run_bookkeeping(
        with_tool_versions(nb, quarto_tool_versions(quarto, version)))))
    stamp = source_date()

    build_root = _quarto_build_root(project, out_dir)
    had_build_root = build_root.exists()
    had_quarto_dir = (project / ".quarto").exists()
    build_root.mkdir(parents=True, exist_ok=True)
    try:
        with _temp_dir(build_root, prefix="quarto-byg-") as work:
            jobs = []
            for to, suffix in _QUARTO_FORMATS:
                folder = work / to
                folder.mkdir()
                source = folder / f"{basename}.ipynb"
                # creation-timestamp: the PDF's date (statusrapport-stil.typ); Quarto runs
                # typst without --creation-timestamp, and not every Typst reads the environment.
                cmd = [quarto, "render", str(source), "--to", to,
                       "--metadata", f"creation-timestamp:{stamp}"]
                if to != "docx":
                    # Quarto hands arguments it does not know to pandoc (it has no YAML option
                    # for them): pandoc then reads no file and fetches no URL that the document,
                    # which holds the analyst's text, names. Not for Word: Quarto writes the
                    # notebook's figures (and its callout icon) as files that the docx writer
                    # must read, and --sandbox would leave them out. The analyst's text cannot
                    # name a file there either: comments.py lets no image through.
                    cmd.append("--sandbox")
                if to == "docx":
                    nbformat.write(docx_notebook(quarto_figures(nb, to)), source)
                    cmd += ["--reference-doc", str(reference_docx(work / "reference.docx"))]
                else:
                    nbformat.write(quarto_figures(nb, to), source)
                jobs.append((to, cmd, folder / f"{basename}{suffix}"))
            env = dict(tool_env(stamp), QUARTO_PROFILE=PIPELINE_PROFILE)
            # Every render reads and rewrites the project's cross-reference index
            # (.quarto/xref/INDEX) without a lock, and it grows by three entries a build. In a
            # .quarto that a Quarto render or preview at the root keeps (and may be using: the
            # pre-render step runs this), renders side by side read it half-written ("Unexpected
            # end of JSON input"), so there they run one after the other.
            for batch in ([jobs] if not had_quarto_dir else [[job] for job in jobs]):
                _run_quarto_jobs(batch, cwd=project, log=log, env=env)
            outputs: dict[str, bytes | Path] = {produced.name: produced for _, _, produced in jobs}
            word = next(produced for to, _, produced in jobs if to == "docx")
            outputs[word.name] = finish_docx(word.read_bytes(), stamp)  # as the built-in one's
            return publish(out_dir, outputs)
    finally:
        if not had_quarto_dir:
            shutil.rmtree(project / ".quarto", ignore_errors=True)
        if not had_build_root:
            with contextlib.suppress(OSError):
                build_root.rmdir()


# Per-cell records of the run that Quarto would copy into the output as attributes
# (data-execution_count, data-quarto-private-1 holding papermill's status, data-tags="[]"). A
# table cell's attributes pass through a Lua table in Quarto's float code, whose key order
# changes from run to run: with more than one of them, the HTML was not byte-identical.
_RUN_METADATA = ("papermill", "execution", "ExecuteTime", "collapsed", "scrolled")


def without_run_bookkeeping(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without execution counts and the cells' run metadata (papermill's
    status, empty tag lists): none of it is part of the report."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for key in _RUN_METADATA:
            cell.metadata.pop(key, None)
        if not cell.metadata.get("tags", True):
            cell.metadata.pop("tags")
        if cell.cell_type == "code":
            cell.execution_count = None
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = None
    return nb


def quarto_figures(nb: nbformat.NotebookNode, to: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose two-size figures (helhedsplan.figures.show) Quarto renders as
    the built-in renderer does: in the HTML the <picture> (print and phone figure), elsewhere
    the print SVG.

    The <picture> goes to Quarto as Markdown holding raw HTML, not as ``text/html``: any
    ``text/html`` output makes Quarto add require.js and jQuery from a CDN to the page (for
    JavaScript widgets), which a report that opens offline must not have. Quarto prefers
    Markdown to SVG, so only the HTML copy gets it; the others keep the SVG alone.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if "text/html" not in data or not phone_variant(data):
                continue
            html = output_text(data.pop("text/html"))
            if to == "html":
                fence = "`" * max(3, longest_run(html, "`") + 1)
                out["data"] = {"text/markdown": f"{fence}{{=html}}\n{html}\n{fence}\n"}
    return nb


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Quarto's "WARN:", pandoc's "[WARNING]", Typst's "warning:"
_WARNING = re.compile(r"^\s*(\[?WARN(ING)?\b|warning:)", re.I)
# Not worth the analyst's attention: with pdf-standard set, Quarto offers a second check by
# veraPDF when it is installed. Typst has already refused to write a PDF that breaks PDF/UA-1.
_NOT_A_PROBLEM = re.compile(r"PDF standard validation requested but verapdf is not installed")


def quarto_messages(stderr: str) -> list[str]:
    """Quarto's own lines from its stderr, without the pandoc options and metadata it dumps.

    Quarto prints a ``pandoc`` and a ``metadata`` heading, each followed by indented
    ``key: value`` lines; those (and blank lines) are left out.
    """
    kept, in_dump = [], False
    for raw in (stderr or "").splitlines():
        line = _ANSI.sub("", raw).rstrip()
        if line.strip() in ("pandoc", "metadata") and not line.startswith(" "):
            in_dump = True
            continue
        if in_dump and (not line.strip() or line.startswith(" ")):
            continue
        in_dump = False
        if line.strip():
            kept.append(line)
    return kept


def _run_quarto_jobs(jobs: list[tuple[str, list[str], Path]], *, cwd: Path, log=None,
                     env: dict[str, str] | None = None) -> None:
    procs = []
    try:
        for to, cmd, produced in jobs:
            procs.append((to, produced, subprocess.Popen(
                cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                encoding="utf-8", errors="replace", env=env)))
    except OSError as exc:
        for _, _, p in procs:
            p.kill()
        raise RenderError(f"Quarto kunne ikke startes ({jobs[0][1][0]}): {exc}") from exc
    failures = []
    for to, produced, proc in procs:
        out, err = proc.communicate()
        lines = quarto_messages((err or "") + "\n" + (out or ""))
        if proc.returncode != 0:
            failures.append(
                f"Quarto fejlede under 'quarto render --to {to}' "
                f"(afslutningskode {proc.returncode}):\n"
                + ("\n".join(lines[-TAIL_LINES:]) or "(ingen fejltekst)")
            )
            continue
        warnings = [line for line in lines
                    if _WARNING.match(line) and not _NOT_A_PROBLEM.search(line)]
        if warnings and log:
            log(f"Quarto advarede under 'quarto render --to {to}':\n" + "\n".join(warnings))
        if not produced.is_file():
            failures.append(
                f"Quarto sagde ikke fra om en fejl, men {produced.name} blev ikke lavet."
            )
    if failures:
        raise RenderError("\n\n".join(failures))


def _quarto_build_root(project: Path, out_dir: Path) -> Path:
    """Where the notebook copies are rendered: a folder Quarto counts as part of the project.

    ``quarto render <file>`` only uses ``_quarto.yml`` when the file is one of the
    project's input files, and Quarto leaves out everything below a folder whose name
    starts with ``.`` or ``_``. So the copies go into ``out_dir`` when that lies visibly
    inside the project (``reports/<år>/``, which git ignores), else into ``reports/``.
    """
    project = project.resolve()
    try:
        rel = Path(out_dir).resolve().relative_to(project)
    except ValueError:
        rel = None
    if rel is not None and not any(part.startswith((".", "_")) for part in rel.parts):
        return project / rel
    return project / "reports"


@contextlib.contextmanager
def _temp_dir(parent: Path, prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
