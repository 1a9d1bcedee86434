"""Command line: `python -m helhedsplan byg --aar 2024` does what `make report` does."""

from __future__ import annotations

import argparse
import sys


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

    if args.kommando == "byg":
        from .pipeline import main_build

        return main_build(args.aar, args.renderer, args.jobs)
    if args.kommando == "eksport":
        from .export import main_export

        return main_export(args.aar, args.renderer)
    if args.kommando == "skabeloner":
        from .templates import main as write_templates

        return write_templates(args.aar)
    if args.kommando == "eksempeldata":
        from .example_data import write_all

        for p in write_all():
            print(p)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
