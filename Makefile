# Statusrapport-pipeline. `make help` viser målene.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installeret
AAR    ?=
RENDERER ?= auto

# AAR and RENDERER are checked here, by make itself, before any shell sees them: a value such
# as AAR='2024; rm -rf data' must never reach a command line. $(value ...) takes the text as
# typed, so make does not expand it either (AAR='$(shell ...)' runs nothing).
_AAR := $(strip $(value AAR))
_RENDERER := $(strip $(value RENDERER))
_AAR_CIFRE := $(subst 0,0 ,$(subst 1,1 ,$(subst 2,2 ,$(subst 3,3 ,$(subst 4,4 ,$(subst 5,5 ,$(subst 6,6 ,$(subst 7,7 ,$(subst 8,8 ,$(subst 9,9 ,$(_AAR)))))))))))
_AAR_ANDET := $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst 6,,$(subst 7,,$(subst 8,,$(subst 9,,$(_AAR)))))))))))
ifneq ($(_AAR),)
ifneq ($(words $(_AAR)) $(words $(_AAR_CIFRE)) $(_AAR_ANDET),1 4 )
$(error AAR skal være et årstal med fire cifre, fx AAR=2024)
endif
endif
ifneq ($(words $(_RENDERER)) $(filter auto quarto indbygget,$(_RENDERER)),1 $(_RENDERER))
$(error RENDERER skal være auto, quarto eller indbygget)
endif
_GENTAG := $(strip $(value GENTAG))
_GENTAG_ANDET := $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst 6,,$(subst 7,,$(subst 8,,$(subst 9,,$(_GENTAG)))))))))))
ifneq ($(words $(_GENTAG)) $(_GENTAG_ANDET),$(if $(_GENTAG),1,0) )
$(error GENTAG skal være et helt tal, fx GENTAG=5)
endif
_PORT := $(strip $(value PORT))
_PORT_ANDET := $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst 6,,$(subst 7,,$(subst 8,,$(subst 9,,$(_PORT)))))))))))
ifneq ($(words $(_PORT)) $(_PORT_ANDET),$(if $(_PORT),1,0) )
$(error PORT skal være et portnummer, fx PORT=8889)
endif

# DELAFTALE (an id: the file name in config/delaftaler/ without .yaml) reaches the program
# through the environment, quoted, never as command text; the program checks it is a known id.
export HELHEDSPLAN_DELAFTALE := $(value DELAFTALE)
_DELAFTALE := $(if $(strip $(value DELAFTALE)),--delaftale "$$HELHEDSPLAN_DELAFTALE")

.DEFAULT_GOAL := help
.PHONY: help report eksport jupyter test lint bench eksempeldata skabeloner skema clean

help: ## Vis denne hjælp
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'
	@echo "  Vælg år og renderer: make report AAR=2021 RENDERER=indbygget"
	@echo "  Kun én delaftale (filnavnet i config/delaftaler/): make report DELAFTALE=sammenhaengskraft"
	@echo "  Alle trin forfra: make report ALT=1; vent på en anden kørsel: make report VENT=1"
	@echo "  JupyterLab på en anden port: make jupyter PORT=8889"

# The one-time set-up says what it does. The packages are installed with uv (fetched from PyPI
# into .venv, about 4× faster than pip on a fresh machine, see README); if uv cannot be fetched or
# fails, pip does the same install.
UV_VERSION := 0.13.9
$(STAMP): requirements.txt pyproject.toml
	@echo "Første gang: opretter $(VENV) og installerer de låste pakker fra requirements.txt."
	$(PYTHON) -m venv $(VENV)
	@echo "Henter installationsprogrammet uv $(UV_VERSION) fra PyPI ..."
	@if $(PY) -m pip install --disable-pip-version-check --progress-bar off uv==$(UV_VERSION) \
	    && echo "Installerer pakkerne med uv ..." \
	    && $(PY) -m uv pip install --python $(PY) -r requirements.txt \
	    && $(PY) -m uv pip install --python $(PY) --no-deps -e . ; then :; else \
	  echo "uv kunne ikke bruges; installerer pakkerne med pip i stedet (tager nogle minutter) ..."; \
	  $(PY) -m pip install --disable-pip-version-check -r requirements.txt \
	    && $(PY) -m pip install --disable-pip-version-check --no-deps -e . ; \
	fi
	@touch $(STAMP)
	@echo "Miljøet i $(VENV) er klar."

# A run stopped by a signal (Ctrl-C, SIGTERM: exit status 128 + n) has said so itself ("Afbrudt:
# …"); the hint about FEJL lines is only for a run that failed.
report: $(STAMP) ## Byg statusrapporterne (HTML, PDF og Word) i reports/<år>/<delaftale>/ (standard: seneste år)
	@$(PY) -m helhedsplan byg $(if $(_AAR),--aar $(_AAR)) --renderer $(_RENDERER) $(_DELAFTALE) $(if $(ALT),--alt) $(if $(VENT),--vent) || \
	  { rc=$$?; [ $$rc -lt 128 ] || exit $$rc; \
	    echo "Rapporten er ikke bygget: ret det, der står under FEJL ovenfor, og kør make report igen."; exit 1; }

eksport: $(STAMP) ## Pak rapport og tal til Landsbyggefonden: zip i reports/<år>/ (bygger først ved behov)
	@$(PY) -m helhedsplan eksport $(if $(_AAR),--aar $(_AAR)) --renderer $(_RENDERER) $(_DELAFTALE) $(if $(VENT),--vent) || \
	  { rc=$$?; [ $$rc -lt 128 ] || exit $$rc; \
	    echo "Eksporten er ikke lavet: ret det, der står under FEJL ovenfor, og kør make eksport igen."; exit 1; }

# JupyterLab is installed only on the first `make jupyter` (pinned in requirements-jupyter.txt,
# the project's own pins kept as constraints), the same way as the packages above: uv, else pip.
# The kernel is the project's Python registered in .venv as "python3", the name every notebook
# names (as the pipeline's kernels: pipeline/kernels.py); JUPYTER_PREFER_ENV_PATH makes it win
# over a "python3" in the analyst's own Jupyter folder. Saving a committed notebook keeps its
# edits but not its outputs (helhedsplan.jupyter). As root (a container) JupyterLab needs
# --allow-root to start at all.
JUPYTER_STAMP := $(VENV)/.jupyterlab
$(JUPYTER_STAMP): $(STAMP) requirements-jupyter.txt
	@echo "Første gang: installerer JupyterLab (låst i requirements-jupyter.txt) i $(VENV) ..."
	@if $(PY) -m uv pip install --python $(PY) -r requirements-jupyter.txt -c requirements.txt; \
	then :; else \
	  echo "uv kunne ikke bruges; installerer JupyterLab med pip i stedet ..."; \
	  $(PY) -m pip install --disable-pip-version-check -r requirements-jupyter.txt \
	    -c requirements.txt || exit 1; \
	fi
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (helhedsplan)"
	@touch $(JUPYTER_STAMP)

jupyter: $(JUPYTER_STAMP) ## Start JupyterLab i projektet med dets Python (installeres første gang; PORT=)
	@echo "Starter JupyterLab i projektmappen. Notesbøgerne skriver intet i data/processed/ eller reports/,"
	@echo "medmindre du sætter skriv = True. Stop med Ctrl-C."
	@JUPYTER_PREFER_ENV_PATH=1 HELHEDSPLAN_ROOT="$$PWD" $(PY) -m jupyterlab --ServerApp.root_dir=. \
	  --ContentsManager.pre_save_hook=helhedsplan.jupyter.pre_save $(if $(_PORT),--port $(_PORT)) \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# axe-core (npm) for the accessibility tests; skipped, with the reason shown, without npm.
AXE_VERSION := 4.14.1
AXE_JS := .cache/axe-core/node_modules/axe-core/axe.min.js

$(AXE_JS):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-save --no-audit --no-fund --prefix .cache/axe-core \
	    axe-core@$(AXE_VERSION) || echo "axe-core kunne ikke installeres; testene springes over"; \
	else echo "npm findes ikke: tilgængelighedstestene med axe-core springes over"; fi

test: $(STAMP) $(AXE_JS) ## Kør testene
	$(PY) -m pytest -q

lint: $(STAMP) ## Tjek kodestil med ruff
	$(PY) -m ruff check src tests

bench: $(STAMP) ## Mål byggetiderne mod gulvet (tager 10-20 min; GENTAG=5)
	$(PY) benchmarks/bench_build.py --gentag $(or $(_GENTAG),5)

skabeloner: $(STAMP) ## Skriv årets tomme regneark i data/raw/<år>/ (kræver AAR=, fx AAR=2025)
	@test -n "$(_AAR)" || { echo "Angiv året: make skabeloner AAR=2025"; exit 2; }
	$(PY) -m helhedsplan skabeloner --aar $(_AAR) $(_DELAFTALE)

skema: $(STAMP) ## Skriv JSON-skemaet for config/-filerne i config/skema/ (til editorens hjælp)
	$(PY) -m helhedsplan skema

eksempeldata: $(STAMP) ## Skriv eksempeldata i data/raw (rører ikke egne filer uden OVERSKRIV=ja)
	@$(PY) -m helhedsplan eksempeldata $(if $(OVERSKRIV),--overskriv)

clean: ## Slet genererede filer (data/processed, reports/<år> undtagen eksport-zip, .byg, index.html)
	rm -rf data/processed/[0-9]* .byg index.html
	@for d in reports/[0-9][0-9][0-9][0-9]; do \
	  [ -d "$$d" ] || continue; \
	  find "$$d" -mindepth 1 ! -type d ! -name '*.zip' -exec rm -f {} +; \
	  find "$$d" -mindepth 1 -type d -empty -delete; \
	  find "$$d" -depth -type d -empty -delete; \
	  [ -d "$$d" ] && echo "Beholdt: $$(find "$$d" -name '*.zip' | sort | tr '\n' ' ')(eksport til Landsbyggefonden)"; \
	done; true
