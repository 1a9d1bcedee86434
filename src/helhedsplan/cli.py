"""Command line: `python -m helhedsplan byg --aar 2024` does what `make report` does."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="helhedsplan",
        description="Statusrapport for delaftalen Sammenhængskraft og medborgerskab.")
    sub = parser.add_subparsers(dest="kommando", required=True, metavar="KOMMANDO")
    byg = sub.add_parser("byg", help="byg rapporten (HTML og PDF) for et år")
    byg.add_argument("--aar", type=int, default=None,
                     help="rapportåret (standard: det seneste år i data/raw)")
    byg.add_argument("--renderer", choices=["auto", "quarto", "indbygget"], default="auto",
                     help="auto: Quarto hvis installeret, ellers den indbyggede (standard)")
    byg.add_argument("--jobs", type=int, default=2, help="notesbøger der køres side om side")
    eksport = sub.add_parser("eksport", help="pak rapporten og tallene til Landsbyggefonden "
                             "(én zip-fil; bygger rapporten først, hvis den ikke er opdateret)")
    eksport.add_argument("--aar", type=int, default=None,
                         help="rapportåret (standard: det seneste år i data/raw)")
    eksport.add_argument("--renderer", choices=["auto", "quarto", "indbygget"], default="auto",
                         help="bruges, hvis rapporten skal bygges først (standard: auto)")
    sub.add_parser("eksempeldata", help="skriv eksempeldata i data/raw igen")
    skab = sub.add_parser("skabeloner", help="skriv tomme regneark (skabeloner) for et år i "
                                             "data/raw/<år>/; eksisterende filer røres ikke")
    skab.add_argument("--aar", type=int, required=True, help="året, fx 2025")
    args = parser.parse_args(argv)
    problem = _bad_year(getattr(args, "aar", None))
    if problem:
        print(f"FEJL: {problem}", file=sys.stderr)
        return 2

    if args.kommando == "byg":
        from .pipeline import build

        def byg() -> str:
            out = build(args.aar, renderer=args.renderer, jobs=args.jobs)
            return f"Rapporten er klar:\n  {out / 'statusrapport.html'}\n  {out / 'statusrapport.pdf'}"

        return _run(byg, "byggeriet")
    if args.kommando == "eksport":
        from .export import build_export

        def eksport() -> str:
            path = build_export(args.aar, renderer=args.renderer)
            return f"Eksporten til Landsbyggefonden er klar:\n  {path}"

        return _run(eksport, "eksporten")
    if args.kommando == "skabeloner":
        from .templates import main as write_templates

        return write_templates(args.aar)
    if args.kommando == "eksempeldata":
        from .example_data import write_all

        for p in write_all():
            print(p)
        return 0
    return 2


def _bad_year(year: int | None) -> str | None:
    """Why --aar cannot be a report year (in Danish), or None. 0 is not 'the latest year'."""
    if year is None:
        return None
    if not 1000 <= year <= 9999:
        return f"--aar skal være et årstal med fire cifre, fx --aar 2024 (fik {year})."
    from . import config, paths

    try:
        first = config.load(paths.CONFIG_FILE).first_baseline_year
    except Exception:  # a broken configuration is reported by the command itself
        return None
    if year < first:
        return (f"{year} ligger før delaftalens første baselineår ({first}); der er ingen "
                "rapport at lave for det år.")
    return None


def _run(action: Callable[[], str], what: str) -> int:
    """Run a command; every failure becomes a Danish message and exit code 1, never a trace."""
    from .errors import InputError, printable
    from .pipeline import StageError

    try:
        done = action()
    except InputError as err:
        print(f"\nFEJL: {printable(err)}", file=sys.stderr)
        print("Ret regnearkene og kør kommandoen igen.", file=sys.stderr)
        return 1
    except StageError as err:
        print(f"\nFEJL: {printable(err)}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"\nFEJL: En fil kunne ikke skrives: {printable(err)}\nEr filen åben i et andet "
              "program? Luk den, og kør kommandoen igen.", file=sys.stderr)
        return 1
    except Exception as err:  # a bug, not the analyst's fault: say so, in Danish, without a trace
        print(f"\nFEJL: Uventet fejl under {what}: {type(err).__name__}: {printable(err)}\n"
              "Intet tidligere resultat er ændret. Kontakt den, der vedligeholder programmet.",
              file=sys.stderr)
        return 1
    print(f"\n{done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
