"""Statusrapport-pipeline for delaftalen Sammenhængskraft og medborgerskab."""

__version__ = "0.1.0"
