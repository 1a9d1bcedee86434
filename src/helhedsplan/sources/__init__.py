"""One module per input source; SOURCES lists them in the order the pipeline ingests them."""

from __future__ import annotations

from . import aktiviteter, beboerdata, politi, sab, vive

SOURCES = {s.id: s for s in (beboerdata.SOURCE, sab.SOURCE, vive.SOURCE, politi.SOURCE,
                             aktiviteter.SOURCE)}
