"""How long a build takes, against the floor of the design: `make bench`.

Run by hand, not by CI (it takes minutes and its figures depend on the machine's load). Every
case runs as its own process (`python -m helhedsplan byg`, as `make report` does) in a scratch
copy of the project under a temporary folder, so the analyst's data/processed, reports/ and
.byg are never touched. It prints, as medians of several repetitions taken in turn:

- floor: papermill running a one-cell notebook that imports pandas and matplotlib (one kernel);
- kold: a build of one delaftale (the first, config/delaftaler/) in a fresh copy (example data
  written anew; empty data/processed, reports/, .byg);
- to delaftaler: a cold build of both example delaftaler in one run, in another fresh copy
  (target: at most 1,5 × the one-delaftale cold build: kernels and imports are shared);
- uændret: the same build again, nothing changed;
- ét regneark: after one spreadsheet changed (the police figures of the report year);
- bemærkninger: after only data/raw/<år>/bemaerkninger.md changed;
- skala: a cold build of the synthetic large case (helhedsplan.synthetic; written once).

Each as seconds and as a ratio to the floor, with two memory figures:

- træ (PSS): the peak of the whole process tree's memory (the build and every kernel it
  starts), sampled every 50 ms from /proc/<pid>/smaps_rollup (Linux). PSS shares a library's
  pages among the processes that map it, so the sum is not inflated by shared libraries; a
  peak shorter than 50 ms can be missed.
- største proces (RSS): the largest single process of the tree, from each process's own high
  water mark (VmHWM in /proc/<pid>/status), read at the same samples. (wait4's ru_maxrss is not
  used: it counts the forked copy of this script before exec.)

Not cleared between runs: the operating system's file cache, Python's bytecode cache of the
installed packages and matplotlib's font cache in the user's home (all warm after the first
run, as on the analyst's PC after the first build).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
TARGETS = {"uændret": 0.3, "bemærkninger": 0.5, "ét regneark": 3.0, "kold": 4.0}
SCALE_TARGET = 3.0  # × the example's cold build
TWO_TARGET = 1.5  # both example delaftaler, × one delaftale's cold build (issue 19)
DELAFTALE = "sammenhaengskraft"  # the one-delaftale cases' delaftale
SCALE_MEMORY_GIB = 1.5


@dataclass
class Run:
    seconds: float
    tree_mib: float
    largest_mib: float


@dataclass
class Case:
    name: str
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)

    def peak(self, attr: str) -> float:
        return max(getattr(r, attr) for r in self.runs)


def _tree_pids(pid: int) -> list[int]:
    """The process and all its descendants, from /proc (children of each task)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


def _kib(path: str, key: str) -> int:
    """A 'Key:  123 kB' line of a /proc file, in KiB (0 if the process is gone)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(cmd: list[str], cwd: Path, env: dict | None = None) -> Run:
    """Run a command; wall time, sampled peak PSS of its process tree, largest single RSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    peak, largest = [0], [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:  # a process of the tree may vanish between listing and reading: sample again
                pids = _tree_pids(proc.pid)
                peak[0] = max(peak[0], sum(_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids))
                largest[0] = max([largest[0], *(_kib(f"/proc/{p}/status", "VmHWM:")
                                                for p in pids)])
            except OSError:
                pass
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.stdout.read()
    proc.wait()
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RunFailed(f"{' '.join(cmd)} sluttede med kode {proc.returncode}:\n"
                        f"{output.decode(errors='replace')}")
    return Run(seconds, peak[0] / 1024, largest[0] / 1024)


class RunFailed(Exception):
    pass


def retried(run, *args, tries: int = 3) -> Run:
    """A run that failed for a reason outside the build (e.g. a kernel port taken by another
    process on the machine, 'Address already in use') is run again, and the retry is printed."""
    for attempt in range(1, tries + 1):
        try:
            return run(*args)
        except RunFailed as err:
            if attempt == tries:
                sys.exit(f"FEJL: {err}")
            print(f"  (mislykkedes, prøver igen: {str(err).splitlines()[-1][:160]})", flush=True)
    raise AssertionError("unreachable")


def _python() -> str:
    return sys.executable


def floor_notebook(folder: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("import pandas\nimport matplotlib.pyplot"))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "gulv.ipynb"
    nbformat.write(nb, path)
    return path


def run_floor(folder: Path) -> Run:
    nb = floor_notebook(folder)
    return measure([_python(), "-m", "papermill", "--no-progress-bar", str(nb),
                    str(folder / "gulv_koert.ipynb")], folder)


def project_copy(dest: Path, raw: Path | None = None) -> Path:
    """What a build reads, copied (every delaftale's configuration); the example data written
    anew unless `raw` is given."""
    dest.mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", dest / "notebooks")
    (dest / "reports").mkdir()
    shutil.copy(ROOT / "reports" / "statusrapport.ipynb", dest / "reports")
    shutil.copy(ROOT / "_quarto.yml", dest)
    # the filter, CSS and Typst partials _quarto.yml names (--renderer quarto)
    shutil.copytree(ROOT / "src" / "helhedsplan" / "assets", dest / "src" / "helhedsplan" / "assets")
    (dest / "data" / "processed").mkdir(parents=True)
    shutil.copytree(ROOT / "config", dest / "config",
                    ignore=shutil.ignore_patterns("skema"))
    if raw is not None:
        shutil.copytree(raw, dest / "data" / "raw")
    else:
        from helhedsplan.example_data import write_all

        write_all(dest / "data" / "raw")
    return dest


def _refresh_code(root: Path) -> None:
    shutil.rmtree(root / "notebooks")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copy(ROOT / "reports" / "statusrapport.ipynb", root / "reports")
    shutil.copy(ROOT / "_quarto.yml", root)


def build(root: Path, renderer: str, delaftale: str | None = DELAFTALE) -> Run:
    """`byg` for one delaftale, or (delaftale=None) for all of them in one run."""
    env = dict(os.environ, HELHEDSPLAN_ROOT=str(root))
    one = ["--delaftale", delaftale] if delaftale else []
    return measure([_python(), "-m", "helhedsplan", "byg", "--aar", str(_year(root)),
                    "--renderer", renderer, *one], root, env)


def _year(root: Path) -> int:
    return max(int(p.name) for p in (root / "data" / "raw").iterdir() if p.name.isdigit())


def change_spreadsheet(root: Path, step: int) -> None:
    """The report year's police figures, with the kommune total up by `step` (still valid; each
    repetition starts from a fresh copy, so any step > 0 is a change)."""
    from helhedsplan.example_data import ANMELDELSER
    from helhedsplan.sources import SOURCES
    from helhedsplan.workbook import write_source_workbook

    rows = [dict(r) for r in ANMELDELSER[YEAR]]
    rows[-1]["anmeldelser"] += step
    src = SOURCES["anmeldelser"]
    write_source_workbook(src, root / "data" / "raw" / str(YEAR) / src.filename, YEAR, rows,
                          example=True)


def change_comments(root: Path, step: int) -> None:
    """A sentence added under the last heading of the year's comments (the example's own file,
    so its headings and rapportdato stay valid)."""
    path = root / "data" / "raw" / str(YEAR) / "bemaerkninger.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\nBenchmark, ændring nr. {step}.\n",
                    encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gentag", type=int, default=5, help="gentagelser pr. tilfælde (median)")
    parser.add_argument("--renderer", default="indbygget", choices=["indbygget", "quarto", "auto"])
    parser.add_argument("--uden-skala", action="store_true", help="spring skalatilfældet over")
    parser.add_argument("--skala-gentag", type=int, default=None,
                        help="gentagelser af skalatilfældet (standard: som --gentag, højst 3)")
    parser.add_argument("--skala-mappe", type=Path,
                        help="brug et skalaprojekt, der allerede er skrevet med "
                             "'python -m helhedsplan.synthetic MAPPE' (standard: skriv et nyt)")
    parser.add_argument("--json", type=Path, help="gem målingerne som JSON her")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")

    cases = {n: Case(n) for n in ("gulv", "kold", "to delaftaler", "uændret", "ét regneark",
                                  "bemærkninger")}
    with tempfile.TemporaryDirectory(prefix="helhedsplan-bench-") as tmp:
        tmp = Path(tmp)
        template = project_copy(tmp / "skabelon")  # example data written once, copied per run
        for i in range(args.gentag):
            print(f"Gentagelse {i + 1} af {args.gentag} …", flush=True)
            floor_dir = tmp / f"gulv-{i}"
            floor_dir.mkdir()
            cases["gulv"].runs.append(retried(run_floor, floor_dir))
            root = tmp / f"projekt-{i}"
            shutil.copytree(template, root)
            both = tmp / f"begge-{i}"
            shutil.copytree(template, both)
            cases["to delaftaler"].runs.append(retried(build, both, args.renderer, None))
            shutil.rmtree(both)
            cases["kold"].runs.append(retried(build, root, args.renderer))
            cases["uændret"].runs.append(retried(build, root, args.renderer))
            change_spreadsheet(root, i + 1)
            cases["ét regneark"].runs.append(retried(build, root, args.renderer))
            change_comments(root, i + 1)
            cases["bemærkninger"].runs.append(retried(build, root, args.renderer))
            shutil.rmtree(root)
        if not args.uden_skala:
            from helhedsplan import synthetic

            cases["skala"] = Case("skala")
            if args.skala_mappe:
                big = args.skala_mappe
                print(f"Skalatilfældet fra {big}", flush=True)
            else:
                print("Skriver det syntetiske skalatilfælde (én gang) …", flush=True)
                t0 = time.perf_counter()
                spec = synthetic.Spec()
                big = synthetic.write_project(tmp / "skala-skabelon", spec)
                print(f"  {spec.describe()}: skrevet på {time.perf_counter() - t0:.0f} s",
                      flush=True)
            n = args.skala_gentag or min(args.gentag, 3)
            for i in range(n):
                print(f"Skala, gentagelse {i + 1} af {n} …", flush=True)
                root = tmp / f"skala-{i}"
                shutil.copytree(big, root)
                _refresh_code(root)  # this checkout's notebooks, not the ones written with it
                cases["skala"].runs.append(retried(build, root, args.renderer))
                shutil.rmtree(root)
    report(cases, args)
    return 0


def _dk(x: float, decimals: int = 1) -> str:
    return f"{x:,.{decimals}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def report(cases: dict[str, Case], args) -> None:
    floor = cases["gulv"].median("seconds")
    cold = cases["kold"].median("seconds")
    print(f"\nMedianer af {args.gentag} gentagelser (skala: {len(cases.get('skala', Case('')).runs)}),"
          f" renderer: {args.renderer}, {os.cpu_count()} kerner, "
          f"belastning {', '.join(_dk(x, 2) for x in os.getloadavg())}\n")
    print(f"{'tilfælde':<14}{'sekunder':>9}{'× gulv':>8}{'mål × gulv':>13}{'træ PSS':>10}"
          f"{'største RSS':>13}  alle målinger (s)")
    for name, case in cases.items():
        s = case.median("seconds")
        limit = (SCALE_TARGET * cold / floor if name == "skala" else
                 TWO_TARGET * cold / floor if name == "to delaftaler" else TARGETS.get(name))
        goal = "" if limit is None else f"≤ {_dk(limit)}" + (" ok" if s / floor <= limit else " over")
        print(f"{name:<14}{_dk(s):>9}{_dk(s / floor, 2):>8}{goal:>13}"
              f"{_dk(case.peak('tree_mib'), 0) + ' MiB':>10}"
              f"{_dk(case.peak('largest_mib'), 0) + ' MiB':>13}  "
              f"{' '.join(_dk(r.seconds) for r in case.runs)}")
    two = cases["to delaftaler"].median("seconds")
    print(f"\nto delaftaler: {_dk(two / cold, 2)} × den kolde bygning af én delaftale "
          f"(mål ≤ {_dk(TWO_TARGET)})")
    if "skala" in cases:
        big = cases["skala"]
        print(f"\nskala: {_dk(big.median('seconds') / cold, 2)} × den kolde bygning af "
              f"eksempeldata (mål ≤ {_dk(SCALE_TARGET)}); største træ {_dk(big.peak('tree_mib'), 0)}"
              f" MiB (mål ≤ {_dk(SCALE_MEMORY_GIB * 1024, 0)} MiB)")
    print("Hukommelse: træ PSS = højeste sum over bygningens proces og alle dens kerner (prøvet "
          "hvert 50. ms); største RSS = den største enkelte proces.")
    if args.json:
        args.json.write_text(json.dumps({n: [r.__dict__ for r in c.runs]
                                         for n, c in cases.items()}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
