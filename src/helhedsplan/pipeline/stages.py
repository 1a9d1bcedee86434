"""The stages of a year's build and what each one reads (the digests that decide whether it runs)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from .. import config, freshness, paths
from .kernels import DATA_LANE, REPORT_LANE, papermill_stage, project_relative
from .model import COMMENTS, NOT_MEASURED, Build, Stage

# Files an ingest stage reads besides its own source's files, for each year up to the report
# year: the cross-checks (sources/sab.py compares attendance with Beboerdata's 18+).
CROSS_READS = {"afdelingsmoeder": ("beboerdata.xlsx",)}


# What the stages import, loaded while the kernel waits for its first notebook.
_INGEST_WARMUP = "import helhedsplan.stages, helhedsplan.sources"


_REPORT_WARMUP = ("import helhedsplan.report, helhedsplan.report.sections, helhedsplan.figures\n"
                  "import matplotlib.pyplot, seaborn, IPython.display")


def _ingest_params(source_id: str):
    return lambda b: {"aar": b.year, "delaftale": b.delaftale,
                      "raw_dir": project_relative(b, b.raw_dir),
                      "processed_dir": project_relative(b, b.processed), "skriv": True}


def config_files(root: Path) -> list[str]:
    """Every configuration file (relative to the root): the helhedsplan's and each delaftale's.
    A stage reads them all: a shared spreadsheet accepts what any delaftale allows."""
    folder = root / "config" / config.DELAFTALER_DIR
    return [f"config/{config.HELHEDSPLAN_FILE}",
            *(f"config/{config.DELAFTALER_DIR}/{p.name}" for p in sorted(folder.glob("*.y*ml")))]


def _fill_in(build: Build) -> Path:
    """The executed report notebook gets the year's title block (cell 0 is the front matter)
    and its slots filled: the comments and the list of input files (slots.py, which imports
    no pandas: a changed comment costs only this and the rendering)."""
    # lazy: nbformat 0,35 s, comments and slots call pandoc; planning a run (all that a run with
    # nothing to do does) needs none of them
    import nbformat
    import yaml

    from .. import comments, slots

    path = build.notebooks / paths.REPORT_NOTEBOOK.name
    nb = nbformat.read(path, as_version=4)
    cfg = config.load(build.root, build.delaftale)
    meta = slots.front_matter(cfg, build.year, comments.report_date(
        build.raw_dir / str(build.year), cfg.comments_file))
    nb.cells[0].source = "---\n" + yaml.safe_dump(meta, allow_unicode=True,
                                                  sort_keys=False) + "---"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get(slots.SLOT)
            if name:
                out["data"]["text/markdown"] = slots.slot_text(name, build.processed)
    nbformat.write(nb, path)
    return path


def _collect_comments(build: Build) -> None:
    # lazy: 30 ms (babel, the pandoc check; measured, no pandas); planning a run needs none
    from .. import comments

    cfg = config.load(build.root, build.delaftale).for_report(build.year)
    comments.collect(build.raw_dir, build.year, cfg, build.processed)
    # the reminder of missing comments is said here, where the comments are read: the check of
    # every input does not run again for a changed comment (check_key)
    for line in comments.reminders(build.raw_dir / str(build.year), cfg):
        build.log(line)


def _render(build: Build) -> None:
    from .. import render  # lazy: 0,6 s; only a run that renders needs it

    executed = _fill_in(build)
    render.render(executed, build.rendered, renderer=build.renderer, quarto_project=build.root,
                  log=build.log)


def _files(root: Path, rels: list[str]) -> dict[str, str]:
    return {rel: freshness.digest_file(root / rel) for rel in rels}


def _common(build: Build, notebook: Path | None, modules: list[str]) -> dict[str, str]:
    """What every stage reads: the configuration, its notebook, the package code it imports,
    the pipeline that runs it, the installed versions and the year."""
    root = build.root
    out = _files(root, config_files(root))
    out["parameter delaftale"] = build.delaftale
    if notebook is not None:
        out |= _files(root, [notebook.relative_to(root).as_posix()])
        modules = [*modules, *freshness.notebook_modules(notebook)]
    out |= freshness.package_files(modules)
    # The pipeline's code that shapes a stage's outputs: its parameters, the filling-in of the
    # report notebook and the normalising of executed notebooks.
    out |= freshness.own_files(["helhedsplan.pipeline.stages", "helhedsplan.pipeline.kernels",
                                "helhedsplan.pipeline.model"])
    out["pakkeversioner"] = freshness.installed_versions()
    out["parameter aar"] = str(build.year)
    return out


def _front_matter_digest(build: Build, comments_file: str) -> str:
    """The digest of the front matter (rapportdato) of the year's comments file alone: the
    comments below it do not reach the report notebook."""
    return _front_matter_of(build.raw_dir / str(build.year) / comments_file)


def _front_matter_of(path: Path) -> str:
    state = freshness.digest_file(path)
    if state == freshness.NOT_A_FILE:
        return state
    # No file and a file without front matter both mean: no report date given.
    data = b"" if state == freshness.MISSING else path.read_bytes()
    return freshness.digest_bytes(freshness.front_matter(data).encode())


def _year_files(build: Build, names: tuple[str, ...]) -> dict[str, str]:
    """The named files in every year folder up to the report year, found as the sources find
    them (a differently cased name is the same file on Windows and macOS); absent ones too."""
    wanted = {n.casefold(): n for n in names}
    out = {}
    for y in paths.raw_years(build.raw_dir):
        if y > build.year:
            continue
        folder = build.raw_dir / str(y)
        found = {p.name.casefold(): p for p in folder.iterdir() if p.name.casefold() in wanted}
        for key, name in wanted.items():
            p = found.get(key)
            out[f"data/raw/{y}/{p.name if p else name}"] = (
                freshness.digest_file(p) if p else freshness.MISSING)
    return out


def _ingest_reads(sid: str, notebook: Path, filenames: tuple[str, ...]):
    return lambda build: _common(build, notebook, []) | _year_files(build, filenames)


def check_key(root: Path, year: int, delaftale: str = "",
              comments_files: Iterable[str] = ()) -> str:
    """What the check of every input before the kernels (sources.check_inputs) looks at: every
    file in the year folders up to the report year (stray and misnamed ones too), the
    configuration and the sources' code. When it is unchanged, the check need not run again.

    Of the comments files (`comments_files`, every delaftale's) only the front matter counts,
    the report date the check compares with the data's dates (issue 21.2): the comments stage
    checks the rest (comments.collect refuses the file with every problem named, also when it
    is not a regular file), so a new or changed comment, where the analyst waits, does not
    check every spreadsheet again."""
    comments_files = set(comments_files)
    files = {}
    for y in paths.raw_years(root / "data" / "raw"):
        if y <= year:
            for p in sorted((root / "data" / "raw" / str(y)).iterdir()):
                files[f"data/raw/{y}/{p.name}"] = (
                    _front_matter_of(p) if p.name in comments_files else freshness.digest_file(p))
    files |= _files(root, config_files(root))
    files |= freshness.package_files(["helhedsplan.inputs"])
    return freshness.key(files, [str(year), delaftale])


def _resolved_renderer(renderer: str) -> str:
    if renderer == "auto":
        return "quarto" if shutil.which("quarto") else "indbygget"
    return renderer


def _render_reads(build: Build) -> dict[str, str]:
    root = build.root
    out = _common(build, None, ["helhedsplan.render", "helhedsplan.report", "helhedsplan.config"])
    out |= _files(root, ["_quarto.yml"])
    assets = freshness.PACKAGE_DIR / "assets"
    out |= {f"skabelon {p.relative_to(freshness.PACKAGE_DIR.parent).as_posix()}":
            freshness.digest_file(p) for p in sorted(assets.rglob("*")) if p.is_file()}
    renderer = _resolved_renderer(build.renderer)
    out["parameter renderer"] = renderer
    if renderer == "quarto":  # which Quarto: its launcher and version file (no process started)
        exe = Path(shutil.which("quarto") or "quarto").resolve()
        # One entry, so the console says "Quarto er kommet til" or "Quarto er ændret".
        parts = [str(exe), *(freshness.digest_file(p)
                             for p in (exe, exe.parent.parent / "share" / "version"))]
        out["Quarto"] = freshness.digest_bytes("\n".join(parts).encode())
    return out


def build_info(root: Path, delaftale: str, recorded: dict, year: int | None = None) -> dict:
    """What a delaftale's stages are made of: {'kilder': {source id: [Danish title, [files its
    ingest reads per year]]}, 'bemaerkninger': its comments file}. Taken from the record when
    the configuration and the sources' code are unchanged (importing the sources costs a
    second: pandas), else from the configuration and the sources themselves."""
    code = freshness.key(freshness.package_files(["helhedsplan.sources"])
                         | _files(root, config_files(root)), [delaftale, str(year)])
    info = recorded.get("opbygning")
    if isinstance(info, dict) and info.get("noegle") == code:
        return info
    from ..sources import sources_for  # lazy: see the docstring (pandas, pandera)

    cfg = config.load(root, delaftale)
    if year is not None:  # only the sources the delaftale reads as it stands that year
        cfg = cfg.for_report(year)
    return {"noegle": code, "bemaerkninger": cfg.comments_file,
            "kilder": {sid: [src.title, [src.filename, *CROSS_READS.get(sid, ()), NOT_MEASURED]]
                       for sid, src in sources_for(cfg).items()}}


def stages(root: Path, info: dict | None = None, delaftale: str | None = None) -> list[Stage]:
    """The stages of one delaftale's build in order; `info` as build_info gives it (default:
    from the configuration of `delaftale`, or of the first delaftale)."""
    root = Path(root)
    if info is None:
        info = build_info(root, delaftale or config.ids(root)[0], {})
    nb = root / "notebooks"
    # One ingest notebook per source (notebooks/1x_indlaes_<kilde>.ipynb), run side by side.
    found = {p.stem.split("_indlaes_")[-1]: p for p in nb.glob("1*_indlaes_*.ipynb")}
    comments_file = info["bemaerkninger"]
    out = []
    for sid, (title, filenames) in info["kilder"].items():
        notebook = found[sid]
        out.append(Stage(f"indlaes_{sid}", f"Indlæser {title}",
                         papermill_stage(notebook, _ingest_params(sid)),
                         lanes=(DATA_LANE, REPORT_LANE), warmup=_INGEST_WARMUP,
                         reads=_ingest_reads(sid, notebook, tuple(filenames)),
                         owns=lambda rel, sid=sid, name=notebook.name: (
                             rel.startswith(f"processed/{sid}.") or rel == f"notebooks/{name}")))
    indicators_nb = nb / "20_indikatorer.ipynb"
    out.append(Stage("indikatorer", "Beregner indikatorer",
                     papermill_stage(indicators_nb, lambda b: {
                         "aar": b.year, "delaftale": b.delaftale,
                         "processed_dir": project_relative(b, b.processed),
                         "raw_dir": project_relative(b, b.raw_dir), "skriv": True}),
                     after=tuple(s.id for s in out), lanes=(REPORT_LANE,),
                     warmup="import helhedsplan.indicators, helhedsplan.comments, scipy.stats",
                     reads=lambda b: _common(b, indicators_nb, [])
                     | _year_files(b, (NOT_MEASURED,)),
                     owns=lambda rel: ((rel.startswith("processed/")
                                        and not rel.startswith(f"processed/{COMMENTS}."))
                                       or rel == f"notebooks/{indicators_nb.name}")))
    # The comments are text: read and checked in this process, no kernel (report.slot).
    out.append(Stage(COMMENTS, "Læser bemærkningerne", _collect_comments,
                     reads=lambda b: _common(b, None, ["helhedsplan.comments"])
                     | _files(b.root, [f"data/raw/{b.year}/{comments_file}"]),
                     owns=lambda rel: rel.startswith(f"processed/{COMMENTS}.")))
    report_nb = root / "reports" / "statusrapport.ipynb"
    out.append(Stage("rapport", "Kører rapportnotesbogen",
                     papermill_stage(report_nb, lambda b: {
                         "aar": b.year, "delaftale": b.delaftale,
                         "processed_dir": project_relative(b, b.processed)}),
                     after=("indikatorer",),
                     # The report date sets every timestamp in its figures (SOURCE_DATE_EPOCH).
                     reads=lambda b: _common(b, report_nb, []) | {
                         f"rapportdato i {comments_file}": _front_matter_digest(b, comments_file)},
                     lanes=(REPORT_LANE,), warmup=_REPORT_WARMUP,
                     owns=lambda rel: rel == f"notebooks/{report_nb.name}"))
    out.append(Stage("render", "Danner HTML, PDF og Word", _render, after=("rapport", COMMENTS),
                     reads=_render_reads, owns=lambda rel: rel.startswith("rapport/")))
    return out
