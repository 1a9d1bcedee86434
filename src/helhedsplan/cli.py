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
    sub.add_parser("eksempeldata", help="skriv eksempeldata i data/raw igen")
    args = parser.parse_args(argv)

    if args.kommando == "byg":
        from .pipeline import main_build

        return main_build(args.aar, args.renderer, args.jobs)
    if args.kommando == "eksempeldata":
        from .example_data import write_all

        for p in write_all():
            print(p)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
