"""The long-lived Python kernels (lanes) that run the notebook stages, and papermill in them."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import reproducible, runs
from ..errors import InputError, Problem
from .model import Build, Stage, StageError

DATA_LANE, REPORT_LANE = "data", "rapport"  # the kernels a run starts (Lane)
STOP_WAIT = 60  # seconds a stopping run waits for a kernel to stop before it kills it


def papermill_stage(notebook: Path, parameters: Callable[[Build], dict]):
    def run(build: Build, km) -> None:
        import papermill as pm  # lazy: 1,3 s to import; a run with nothing to do never needs it

        out = build.notebooks / notebook.name
        try:
            pm.execute_notebook(str(notebook), str(out), parameters=parameters(build),
                                kernel_name="python3", cwd=str(build.root), progress_bar=False,
                                log_output=False, km=km,
                                # saving after every cell costs a third of a short notebook
                                request_save_on_cell_execute=False)
        except pm.PapermillExecutionError as err:
            if err.ename == "InputError":  # the package's own Danish message: show it as it is
                raise InputError(_problems_from_text(_strip_ansi(err.evalue))) from None
            raise StageError(f"{err.ename}: {_strip_ansi(err.evalue)}\nSe den gemte notesbog "
                             f"med fejlen markeret: {out}") from None
        _normalise(build, notebook, out)

    return run


def _normalise(build: Build, notebook: Path, out: Path) -> None:
    """No timings and no build-folder paths in a published notebook (byte-identical rebuilds):
    each path (absolute, or relative as the parameters are) becomes the project-relative one it
    stands for once published; papermill's input and output paths become relative too."""
    published = f"reports/{build.year}/{build.delaftale}/notesbøger"
    stands_for = {build.processed: f"data/processed/{build.year}/{build.delaftale}",
                  build.notebooks / out.name: f"{published}/{out.name}",
                  build.notebooks: published,
                  notebook: project_relative(build, notebook),
                  build.raw_dir: "data/raw",
                  build.staging: ".byg"}
    paths = {str(build.root): "."}
    for path, relative in stands_for.items():
        paths[str(path)] = relative
        paths[project_relative(build, path)] = relative
    reproducible.normalise_notebook(out, paths)


def _kernel_manager():
    """Kernels run by this process's own Python (never a program a kernel.json on JUPYTER_PATH
    or in the user's folder names) that log only fatal errors: the analyst should not see
    ipykernel's transport warning."""
    # lazy: 0,6 s to import, and only a run that starts a kernel needs it
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class PinnedSpec(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                                    "{connection_file}", "--IPKernelApp.log_level=CRITICAL"],
                              display_name="Python 3 (ipykernel)", language="python",
                              metadata={"debugger": True})

    def manager(**kwargs) -> AsyncKernelManager:
        return AsyncKernelManager(kernel_spec_manager=PinnedSpec(), **kwargs)

    return manager


# Before each notebook in a lane: the run's SOURCE_DATE_EPOCH, and after the first one an empty
# namespace, no open figures and the execution count back at 1, so an executed notebook is byte
# for byte what a fresh kernel would give. Imported modules stay: that is the point of a lane.
_RESET = ("import matplotlib.pyplot as _plt\n_plt.close('all')\n"
          "get_ipython().reset(new_session=True)")


class Lane:
    """One kernel that runs notebook stages in turn. Everything the kernel's client does
    happens in the lane's one thread: its asyncio loop owns the kernel's sockets."""

    def __init__(self, name: str, root: Path, env: dict[str, str], warmup: str):
        self.name, self.root, self.env = name, root, env
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"kerne-{name}")
        self.km = None
        self.ready = False  # the kernel has answered: it may be interrupted
        self.used = False
        self.closed = False
        self.started = self.pool.submit(self._start, warmup)

    def submit(self, run: Callable, build: Build):
        return self.pool.submit(self._run, run, build)

    def close(self, wait: bool = True) -> None:
        """Shut the kernel down once its last notebook is done (again: no-op but the wait). A run
        that is stopping (Ctrl-C, SIGTERM) first interrupts the cell running in it, as Jupyter's
        stop button does, and always waits for the kernel to stop (a kernel that has not
        stopped after STOP_WAIT seconds is killed): no kernel outlives the run."""
        if not self.closed:
            self.closed = True
            self.stopped = self.pool.submit(self._stop)
        if not runs.interrupted():
            self.pool.shutdown(wait=wait)
            return
        if self.ready:  # a kernel still starting is let finish (a SIGINT would print a trace)
            self._signal(signal.SIGINT)
        self.pool.shutdown(wait=False)
        try:
            self.stopped.result(timeout=STOP_WAIT)
        except Exception:  # noqa: BLE001  (a kernel that will not stop in time is killed)
            self._signal(getattr(signal, "SIGKILL", signal.SIGTERM))

    def _signal(self, signum: int) -> None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None and os.name != "nt":  # a kernel ignores SIGINT between cells
            with contextlib.suppress(OSError):
                process.send_signal(signum)

    def _start(self, warmup: str) -> None:
        """Start the kernel and wait until it answers. A kernel that dies on the way (another
        program took the port it was given between the choice and the bind) is started
        once more before the run gives up; not when the run is stopping (then an interrupt
        ended it, and no work is started any more)."""
        from jupyter_core.utils import run_sync  # lazy: as jupyter_client (above)

        for attempt in (1, 2):
            km = self.km = _kernel_manager()(kernel_name="python3")
            run_sync(km.start_kernel)(cwd=str(self.root), env=self.env)
            kc = km.client()
            kc.start_channels()
            try:
                run_sync(kc.wait_for_ready)(timeout=120)
                self.ready = True
                break
            except RuntimeError as exc:
                run_sync(km.shutdown_kernel)(now=True)
                if attempt == 2 or runs.interrupted():
                    raise StageError(f"Python-kernen kunne ikke starte: {exc}") from None
            finally:
                kc.stop_channels()
        if warmup and not runs.interrupted():
            self._execute(warmup)

    def _execute(self, code: str) -> None:
        from jupyter_core.utils import run_sync  # lazy: as jupyter_client (above)

        kc = self.km.client()
        kc.start_channels()
        try:
            reply = run_sync(kc.execute_interactive)(code, silent=True, store_history=False,
                                                     timeout=300, output_hook=lambda msg: None)
        finally:
            kc.stop_channels()
        content = reply["content"]
        if content.get("status") != "ok":
            raise StageError(f"Python-kernen kunne ikke gøres klar: {content.get('ename')}: "
                             f"{_strip_ansi(str(content.get('evalue')))}")

    def _run(self, run: Callable, build: Build) -> None:
        if runs.interrupted():  # queued before Ctrl-C: not started
            raise StageError("Kørslen er afbrudt.")
        # each delaftale's outputs are dated by its own report date
        setup = f"import os\nos.environ[{reproducible.ENV!r}] = {build.epoch!r}"
        self._execute(f"{_RESET}\n{setup}" if self.used else setup)
        self.used = True
        run(build, self.km)

    def _stop(self) -> None:
        if self.km is not None:
            from jupyter_core.utils import run_sync  # lazy: as jupyter_client (above)

            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001  (a kernel that is already gone is fine)
                pass
            self.km = None


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _problems_from_text(text: str) -> list[Problem] | str:
    """An InputError's text from a kernel → its problems again (so it is not wrapped twice)."""
    lines = text.strip().splitlines()
    if not lines or not re.match(r"^Der er \d+ problem(er)? med inddata:$", lines[0]):
        return text
    problems: list[str] = []
    for line in lines[1:]:
        if line.startswith("  - "):
            problems.append(line[4:])
        elif problems:
            problems[-1] += "\n" + line
    return [Problem(p) for p in problems] or text


def project_relative(build: Build, path: Path) -> str:
    """A path for a notebook parameter, relative to the project root (the kernels' working
    directory): the executed notebooks travel in the export and must not carry the analyst's
    own folder names."""
    return Path(os.path.relpath(path, build.root)).as_posix()


def start_lanes(root: Path, todo: list[Stage], jobs: int) -> dict[str, Lane]:
    """The kernels the notebook stages that will run need, started now in the background, each
    importing what its stages use while this process checks the inputs. With jobs = 1 one
    kernel runs every notebook."""
    wanted: dict[str, list[str]] = {}
    # A kernel of its own pays off for several ingests (a cold build), not for one changed
    # spreadsheet: its start would only compete for the processor with the report's kernel.
    data_stages = sum(1 for s in todo if s.lanes[:1] == (DATA_LANE,))
    for stage in todo:
        if stage.lanes:
            lane = stage.lanes[0] if jobs > 1 and data_stages > 1 else stage.lanes[-1]
            wanted.setdefault(lane, []).append(stage.warmup)
    # The kernels read this project's configuration and data; the run's SOURCE_DATE_EPOCH is
    # set before each notebook (Lane._run), when the report date has been read.
    env = dict(os.environ, HELHEDSPLAN_ROOT=str(root))
    env.pop("SOURCE_DATE_EPOCH", None)
    return {name: Lane(name, root, env, "\n".join(dict.fromkeys(w for w in warm if w)))
            for name, warm in wanted.items()}
