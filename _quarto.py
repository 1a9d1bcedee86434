"""Quarto's pre- and post-render step for this project (_quarto-rapport.yml).

Quarto runs it with the Python it finds (QUARTO_PYTHON, else python3 on PATH); it hands over to
the project's own environment (.venv, made by `make report`) when there is one, so `quarto
render` works without activating it, and always for this project folder:

    _quarto.py forbered   ->  python -m helhedsplan quarto-forbered   (build the report)
    _quarto.py afslut     ->  python -m helhedsplan quarto-afslut     (index.html = the report)
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> int:
    if len(sys.argv) != 2 or sys.argv[1] not in ("forbered", "afslut"):
        print("brug: _quarto.py forbered|afslut (kaldes af Quarto, se _quarto-rapport.yml)",
              file=sys.stderr)
        return 2
    venv = ROOT / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    python = str(venv) if venv.is_file() else sys.executable
    env = dict(os.environ, HELHEDSPLAN_ROOT=str(ROOT))
    try:
        return subprocess.call([python, "-m", "helhedsplan", f"quarto-{sys.argv[1]}"],
                               cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
