# Statusrapport-pipeline. `make help` viser målene.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installeret
AAR    ?=
RENDERER ?= auto

.DEFAULT_GOAL := help
.PHONY: help report eksport test lint eksempeldata skabeloner clean

help: ## Vis denne hjælp
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'
	@echo "  Vælg år og renderer: make report AAR=2021 RENDERER=indbygget"

$(STAMP): requirements.txt pyproject.toml
	@echo "Opretter $(VENV) og installerer pakkerne (kun første gang) ..."
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

report: $(STAMP) ## Byg statusrapporten (HTML + PDF) i reports/<år>/ (standard: seneste år)
	$(PY) -m helhedsplan byg $(if $(AAR),--aar $(AAR)) --renderer $(RENDERER)

eksport: $(STAMP) ## Pak rapport og tal til Landsbyggefonden: zip i reports/<år>/ (bygger først ved behov)
	$(PY) -m helhedsplan eksport $(if $(AAR),--aar $(AAR)) --renderer $(RENDERER)

test: $(STAMP) ## Kør testene
	$(PY) -m pytest -q

lint: $(STAMP) ## Tjek kodestil med ruff
	$(PY) -m ruff check src tests

skabeloner: $(STAMP) ## Skriv årets tomme regneark i data/raw/<år>/ (kræver AAR=, fx AAR=2025)
	@test -n "$(AAR)" || { echo "Angiv året: make skabeloner AAR=2025"; exit 2; }
	$(PY) -m helhedsplan skabeloner --aar $(AAR)

eksempeldata: $(STAMP) ## Skriv eksempeldata i data/raw igen
	$(PY) -m helhedsplan eksempeldata

clean: ## Slet genererede filer (data/processed, reports/<år>, .byg)
	rm -rf data/processed/[0-9]* reports/[0-9][0-9][0-9][0-9] .byg
