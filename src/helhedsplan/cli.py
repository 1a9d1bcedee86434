"""Command line: `python -m helhedsplan byg --aar 2024` does what `make report` does."""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from . import paths, runs
from .errors import InputError, ReadFailed, StageError, WriteFailed, printable
from .runs import Interrupted, PublishError, RunLocked

# argparse's own texts in Danish (it looks them up through gettext at call time).
_DANISH = {
    "usage: ": "brug: ",
    "positional arguments": "argumenter",
    "options": "valgmuligheder",
    "optional arguments": "valgmuligheder",
    "show this help message and exit": "vis denne hjælp, og stop",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fejl: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "ukendte argumenter: %s",
    "the following arguments are required: %s": "disse argumenter mangler: %s",
    "one of the arguments %s is required": "et af argumenterne %s skal med",
    "expected one argument": "mangler en værdi",
    "expected at most one argument": "højst én værdi",
    "expected at least one argument": "mindst én værdi",
    "invalid %(type)s value: %(value)r": "ugyldig værdi: %(value)r (skriv et tal)",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "ugyldigt valg: %(value)r (vælg mellem %(choices)s)",
    "ambiguous option: %(option)s could match %(matches)s":
        "tvetydigt valg: %(option)s kan betyde %(matches)s",
    "not allowed with argument %s": "kan ikke bruges sammen med %s",
    "ignored explicit argument %r": "overflødig værdi %r",
    "unexpected option string: %s": "uventet valg: %s",
}


def _danish(message: str) -> str:
    return _DANISH.get(message, message)


def _danish_n(singular: str, plural: str, n: int) -> str:
    return _danish(singular if n == 1 else plural)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="helhedsplan",
        description="Statusrapporter for helhedsplanens delaftaler (config/delaftaler/).",
        epilog="Hjælp til en kommando: python -m helhedsplan KOMMANDO --help")
    sub = parser.add_subparsers(dest="kommando", required=True, metavar="KOMMANDO",
                                title="kommandoer")
    aar = {"type": int, "metavar": "ÅR"}
    byg = sub.add_parser("byg", help="byg rapporten (HTML, PDF og Word) for et år",
                         description="Kontrollér årets inddata, og byg statusrapporterne (HTML, "
                                     "PDF og Word) i reports/<år>/<delaftale>/. Ved fejl "
                                     "ændres intet.")
    byg.add_argument("--aar", default=None, **aar,
                     help="rapportåret (standard: det seneste år i data/raw)")
    byg.add_argument("--delaftale", default=None, metavar="ID",
                     help="kun denne delaftale (filnavnet i config/delaftaler/ uden .yaml); "
                          "standard: alle")
    byg.add_argument("--renderer", choices=["auto", "quarto", "indbygget"], default="auto",
                     help="auto: Quarto hvis installeret, ellers den indbyggede (standard)")
    byg.add_argument("--jobs", type=int, default=2, metavar="ANTAL",
                     help="Python-kerner, der kører notesbøgerne (standard 2; 1: alt i én kerne)")
    byg.add_argument("--alt", action="store_true",
                     help="kør alle trin forfra, også dem hvis inddata ikke er ændret")
    byg.add_argument("--vent", action="store_true",
                     help="vent, hvis en anden kørsel er i gang, i stedet for at stoppe")
    eksport = sub.add_parser("eksport", help="pak rapporten og tallene til Landsbyggefonden "
                             "(én zip-fil; bygger rapporten først, hvis den ikke er opdateret)",
                             description="Pak rapporten, tallene og deres kilder i én zip-fil "
                                         "til Landsbyggefonden i reports/<år>/.")
    eksport.add_argument("--aar", default=None, **aar,
                         help="rapportåret (standard: det seneste år i data/raw)")
    eksport.add_argument("--delaftale", default=None, metavar="ID",
                         help="kun denne delaftale (standard: alle, i én zip-fil)")
    eksport.add_argument("--renderer", choices=["auto", "quarto", "indbygget"], default="auto",
                         help="bruges, hvis rapporten skal bygges først (standard: auto)")
    eksport.add_argument("--vent", action="store_true",
                         help="vent, hvis en anden kørsel er i gang, i stedet for at stoppe")
    eksempel = sub.add_parser("eksempeldata", help="skriv de medfølgende eksempeldata i data/raw "
                              "(kun til afprøvning)",
                              description="Skriv eksempeldata i data/raw/<år>/. En årsmappe med "
                                          "andre filer end eksempeldata røres ikke uden "
                                          "--overskriv.")
    eksempel.add_argument("--overskriv", action="store_true",
                          help="erstat også filer, der ikke er eksempeldata (dine egne tal!)")
    skab = sub.add_parser("skabeloner", help="skriv tomme regneark (skabeloner) for et år i "
                                             "data/raw/<år>/; eksisterende filer røres ikke",
                          description="Skriv tomme regneark, bemaerkninger.md og ikke_maalt.txt "
                                      "for et år i data/raw/<år>/. En fil, der findes, røres ikke.")
    skab.add_argument("--aar", required=True, **aar, help="året, fx 2025")
    skab.add_argument("--delaftale", default=None, metavar="ID",
                      help="kun denne delaftales filer (standard: alle delaftalers)")
    sub.add_parser("skema", help="skriv JSON-skemaet for konfigurationsfilerne i config/skema/",
                   description="Skriv config/skema/*.schema.json ud fra programmets model, så "
                               "en editor kan foreslå og kontrollere nøglerne.")
    forbered = sub.add_parser(
        "quarto-forbered", help="Quartos pre-render-trin: byg rapporten som 'byg' (kaldes af "
                                "'quarto render' og 'quarto preview')",
        description="Byg statusrapporten som 'byg', før Quarto renderer (_quarto-rapport.yml). "
                    "Året og delaftalen vælges med miljøvariablerne HELHEDSPLAN_AAR (standard: det "
                    "seneste år i data/raw) og HELHEDSPLAN_DELAFTALE (standard: alle), fx "
                    "HELHEDSPLAN_AAR=2023 quarto render.")
    afslut = sub.add_parser(
        "quarto-afslut", help="Quartos post-render-trin: index.html bliver en kopi af den "
                              "byggede HTML-rapport",
        description="Erstat Quartos index.html med en kopi af den rapport, quarto-forbered "
                    "byggede (samme HELHEDSPLAN_AAR og HELHEDSPLAN_DELAFTALE), så 'quarto "
                    "preview' viser den.")
    for p in (parser, byg, eksport, eksempel, skab, forbered, afslut):
        p._optionals.title = "valgmuligheder"
        p._positionals.title = "argumenter"
    return parser


def main(argv: list[str] | None = None) -> int:
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _danish, _danish_n
    try:
        args = _parser().parse_args(argv)
    finally:
        argparse._, argparse.ngettext = saved
    if args.kommando in ("quarto-forbered", "quarto-afslut"):
        problem = _quarto_choice(args)
        if problem:
            print(f"FEJL: {problem}", file=sys.stderr)
            return 2
    problem = _bad_digits(getattr(args, "aar", None))
    if problem:
        print(f"FEJL: {problem}", file=sys.stderr)
        return 2

    if args.kommando == "quarto-afslut":
        return _run(lambda: _quarto_index(args), "Quartos post-render-trin", args)
    if args.kommando in ("byg", "quarto-forbered"):
        def byg() -> str:
            # lazy: the pipeline and its configuration take 0,7–1,5 s to import (measured); the
            # lock is taken before, so the run started first is the one that gets it
            from .pipeline import build

            out = build(args.aar, renderer=args.renderer, jobs=args.jobs, full=args.alt,
                        wait_for_lock=args.vent, delaftale=args.delaftale)
            return _done(out)

        return _run(byg, "byggeriet", args)
    if args.kommando == "eksport":
        def eksport() -> str:
            # lazy: pandas and openpyxl (4–9 s to import, measured), only for this command and
            # only once the lock is held (issue 23: a build started just after must not get it)
            from .export import build_export
            from .processed import read_inputs

            path = build_export(args.aar, renderer=args.renderer, wait_for_lock=args.vent,
                                delaftale=args.delaftale)
            done = f"Eksporten til Landsbyggefonden er klar:\n  {path}"
            year = next(p.name for p in (path.parent, path.parent.parent) if p.name.isdigit())
            # The delaftaler in the package: the one asked for, or all of them.
            processed = paths.ROOT / "data" / "processed" / year
            folders = [processed / args.delaftale] if args.delaftale else processed.glob("*/")
            inputs = [i for f in folders for i in read_inputs(f)]
            if any(i.get("eksempeldata") for i in inputs):
                done += ("\nOBS: Eksporten bygger (helt eller delvist) på EKSEMPELDATA, ikke på "
                         "rigtige tal. Send den ikke til Landsbyggefonden.")
            return done

        return _run(eksport, "eksporten", args)
    problem = _bad_year(getattr(args, "aar", None), getattr(args, "delaftale", None))
    if problem:
        print(f"FEJL: {problem}", file=sys.stderr)
        return 2
    try:
        if args.kommando == "skabeloner":
            from .templates import main as write_templates  # lazy: as build_export

            return write_templates(args.aar, args.delaftale)
        if args.kommando == "eksempeldata":
            from .example_data import main as write_examples  # lazy: as build_export

            return write_examples(overwrite=args.overskriv)
        if args.kommando == "skema":
            from .config.schema import write_schemas  # lazy: as _bad_year's configuration

            for path in write_schemas(paths.CONFIG_DIR / "skema"):
                print(f"  skrevet  {path.relative_to(paths.ROOT)}")
            return 0
    except KeyboardInterrupt as stop:  # SIGINT, or SIGTERM or SIGHUP (__main__ makes it one)
        print("\nAfbrudt: kommandoen nåede ikke at blive færdig.", file=sys.stderr)
        runs.die_by(stop.args[0] if stop.args and isinstance(stop.args[0], int) else signal.SIGINT)
    return 2


# `quarto render` and `quarto preview` (_quarto-rapport.yml) choose the year and the delaftale
# through the environment: Quarto passes no -P parameter to a pre-render step.
QUARTO_AAR = "HELHEDSPLAN_AAR"
QUARTO_DELAFTALE = "HELHEDSPLAN_DELAFTALE"
QUARTO_INDEX = "index.html"


def _quarto_choice(args: argparse.Namespace) -> str | None:
    """Fill ``args`` for a Quarto step as `byg` gets them from make, from the environment; a
    Danish problem if HELHEDSPLAN_AAR is not a year."""
    text = os.environ.get(QUARTO_AAR, "").strip()
    args.aar = int(text) if text.isdigit() else None
    args.delaftale = os.environ.get(QUARTO_DELAFTALE, "").strip() or None
    args.renderer, args.jobs, args.alt, args.vent = "auto", 2, False, False
    if text and not text.isdigit():
        return (f"{QUARTO_AAR} skal være et årstal med fire cifre, fx {QUARTO_AAR}=2024 quarto "
                f"render (fik {text!r}).")
    if args.aar is not None and _bad_digits(args.aar):
        return (f"{QUARTO_AAR} skal være et årstal med fire cifre, fx {QUARTO_AAR}=2024 quarto "
                f"render (fik {args.aar}).")
    return None


def _quarto_index(args: argparse.Namespace) -> str:
    """Quarto's post-render step: the project's index.html (Quarto's render of index.qmd)
    becomes a copy of the HTML report the pre-render step published: the delaftale's report,
    or with several delaftaler the year's overview. Nothing is built here."""
    # lazy: the configuration (pydantic, 0,7 s measured) and the pipeline are needed only by
    # this Quarto step, never by --help or a refused argument
    from . import config
    from .pipeline.run import latest_year
    from .render.tools import publish

    root = paths.ROOT
    year = args.aar or latest_year(root)
    every = config.load_every(root)
    several = args.delaftale is None and len(every) > 1
    folder = root / "reports" / str(year)
    if several:
        report = folder / "samlet-status.html"
    else:
        report = folder / (args.delaftale or every[0].id) / "statusrapport.html"
    if not report.is_file():
        raise StageError(f"Rapporten {_shown(report)} findes ikke, så Quartos {QUARTO_INDEX} "
                         "kan ikke vise den. Kør 'quarto render' igen.")
    content = report.read_bytes()
    if several:
        # the overview links into each delaftale's report, relative to reports/<år>/
        for c in every:
            content = content.replace(f'href="{c.id}/'.encode(),
                                      f'href="reports/{year}/{c.id}/'.encode())
    publish(root, {QUARTO_INDEX: content})
    return f"Quartos {QUARTO_INDEX} viser nu {_shown(report)}."


def _bad_digits(year: int | None) -> str | None:
    if year is not None and not 1000 <= year <= 9999:
        return f"--aar skal være et årstal med fire cifre, fx --aar 2024 (fik {year})."
    return None


def _done(out: Path) -> str:
    """Where the reports are: one delaftale's folder, or the year's with one per delaftale.
    A folder of a delaftale no longer in config/delaftaler/ is not listed as ready: it is
    named, so nobody sends on a report the build did not make."""
    from . import config  # lazy: as _bad_year's configuration

    year = out if not (out / "statusrapport.html").exists() else out.parent
    every = config.load_every()
    # only the delaftaler with a report for the year (delmål in force then)
    ids = [c.id for c in every if not year.name.isdigit() or c.for_report(int(year.name)).delmaal]
    files = sorted(out.glob("statusrapport.*")) or sorted(
        f for did in ids for f in (out / did).glob("statusrapport.*"))
    files += sorted(out.glob("samlet-status.*")) or sorted(out.parent.glob("samlet-status.*"))
    shown = [f for f in files if f.suffix in (".html", ".pdf", ".docx")]
    text = "Rapporten er klar:" + "".join(f"\n  {f}" for f in shown)
    configured = {c.id for c in every}
    for old in sorted(p for p in year.iterdir() if p.is_dir() and p.name not in configured
                      and (p / "statusrapport.html").exists()):
        text += (f"\nBemærk: {_shown(old)}/ er fra delaftalen {old.name}, som ikke længere står i "
                 f"config/delaftaler/, og er ikke bygget igen. Slet mappen (og "
                 f"data/processed/{year.name}/{old.name}/), hvis rapporten ikke skal bruges.")
    return text


def _bad_year(year: int | None, delaftale: str | None = None) -> str | None:
    """Why --aar cannot be a report year (in Danish), or None. 0 is not 'the latest year'."""
    if year is None or _bad_digits(year):
        return _bad_digits(year)
    # lazy: the configuration (pydantic) takes 0,7 s to import (measured); byg and eksport take
    # the lock before they ask
    from . import config

    try:
        every = config.load_every(paths.ROOT)
        first = min(c.first_baseline_year for c in every
                    if delaftale is None or c.id == delaftale)
    except Exception:  # a broken configuration is reported by the command itself
        return None
    if year < first:
        return (f"{year} ligger før delaftalens første baselineår ({first}); der er ingen "
                "rapport at lave for det år.")
    return None


def _fix_hint(err: InputError) -> str:
    """What to fix, by where the problems are: the configuration, the comments or the
    spreadsheets."""
    files = {str(p.file or "") for p in err.problems}
    where = []
    if any(f.startswith("config/") for f in files):
        where.append("konfigurationen (filerne i config/)")
    if any(f.endswith(".md") for f in files):
        where.append("bemærkningerne")
    if any(not f.startswith("config/") and not f.endswith(".md") for f in files):
        where.append("regnearkene")
    text = " og ".join(where) if len(where) < 3 else f"{where[0]}, {where[1]} og {where[2]}"
    return f"Ret {text or 'inddata'} og kør kommandoen igen."


def _run(action: Callable[[], str], what: str, args: argparse.Namespace) -> int:
    """Run a command that builds or packs under the project's run lock, which it takes first
    thing. Every failure becomes a Danish message and exit code 1 (2: a year that cannot be),
    never a trace; SIGINT, SIGTERM and SIGHUP end it with one Danish line, as the signal ends a program."""
    with runs.signals():
        try:
            with runs.lock(paths.ROOT, wait=args.vent):
                problem = _bad_year(args.aar, args.delaftale)
                if problem:
                    print(f"FEJL: {problem}", file=sys.stderr)
                    return 2
                done = action()
        except Interrupted as stop:
            print(f"\n{stop}", file=sys.stderr)
            runs.die_by(stop.signum)
        except InputError as err:
            print(f"\nFEJL: {printable(err)}", file=sys.stderr)
            print(_fix_hint(err), file=sys.stderr)
            return 1
        except (StageError, RunLocked, PublishError) as err:
            print(f"\nFEJL: {printable(err)}", file=sys.stderr)
            return 1
        except OSError as err:
            print(f"\nFEJL: {printable(io_problem(err))}", file=sys.stderr)
            return 1
        except Exception as err:  # a bug, not the analyst's fault: say so, in Danish, without a trace
            print(f"\nFEJL: Uventet fejl under {what}: {type(err).__name__}: {printable(err)}\n"
                  "Intet tidligere resultat er ændret. Kontakt den, der vedligeholder programmet.",
                  file=sys.stderr)
            return 1
    print(f"\n{done}")
    return 0


# What an errno says about an I/O failure: a write, where it can only be one, and what to do.
# The others do not tell a read from a write, and the message does not guess.
_WRITE_ONLY = {errno.ENOSPC: "der er ikke mere plads på drevet. Frigør plads, og kør kommandoen igen",
               errno.EROFS: "drevet er skrivebeskyttet",
               errno.EFBIG: "filen bliver for stor til drevet"}
if hasattr(errno, "EDQUOT"):
    _WRITE_ONLY[errno.EDQUOT] = "din kvote på drevet er brugt op. Frigør plads, og kør kommandoen igen"
_NEITHER = {errno.EACCES: "adgang nægtet. Er filen åben i et andet program, eller er den "
                          "skrivebeskyttet? Luk den, og kør kommandoen igen",
            errno.EPERM: "handlingen er ikke tilladt. Er filen skrivebeskyttet eller låst? Ret "
                         "det, og kør kommandoen igen",
            errno.ELOOP: "det er en genvej (symlink), der peger i ring. Slet eller ret genvejen",
            errno.EISDIR: "det er en mappe, ikke en fil. Flyt eller omdøb mappen",
            errno.ENOTDIR: "en del af stien er en fil, ikke en mappe",
            errno.EBUSY: "filen er i brug af et andet program. Luk det, og kør kommandoen igen",
            errno.EIO: "filen eller drevet svarer med en fejl. Er den en genvej (symlink) til "
                       "noget, der ikke er en almindelig fil, så slet genvejen"}


def io_problem(err: OSError) -> str:
    """A Danish sentence for an I/O failure that names the file (project-relative where it lies
    in the project) and says 'læses' or 'skrives' only where it is known: the error is a
    ReadFailed or WriteFailed, or its errno can only come from a write."""
    names = [n for n in (err.filename, err.filename2) if n is not None]
    shown = " → ".join(_shown(n) for n in names) or "(filen er ikke kendt)"
    reason = err.strerror or str(err)
    why = _NEITHER.get(err.errno, "fejlen siger ikke hvorfor")
    if isinstance(err, ReadFailed):
        return f"Filen {shown} kunne ikke læses: {why} ({reason})."
    if isinstance(err, WriteFailed):
        return f"Filen {shown} kunne ikke skrives: {_WRITE_ONLY.get(err.errno, why)} ({reason})."
    if err.errno in _WRITE_ONLY:
        return f"Filen {shown} kunne ikke skrives: {_WRITE_ONLY[err.errno]} ({reason})."
    if err.errno == errno.ENOENT and names:
        folder = Path(str(names[0])).parent
        if folder.is_dir():  # the folder is there, the file is not: it was to be read
            return f"Filen {shown} kunne ikke læses: den findes ikke ({reason})."
        return (f"Filen {shown} kunne ikke læses eller skrives: mappen {_shown(folder)} findes "
                f"ikke ({reason}).")
    return f"Filen {shown} kunne ikke læses eller skrives: {why} ({reason})."


def _shown(name: object) -> str:
    """A file's name as the analyst knows it: project-relative where it lies in the project (its
    folder resolved, the file itself not: a link is named, not what it points to)."""
    path = Path(os.path.abspath(str(name)))
    for candidate in (path, path.parent.resolve() / path.name):
        if candidate.is_relative_to(paths.ROOT):
            return candidate.relative_to(paths.ROOT).as_posix()
    return str(name)

if __name__ == "__main__":
    sys.exit(main())
