"""`python -m helhedsplan`: the command line (cli.py)."""

import os
import signal
import sys


def _early(signum, frame):
    raise KeyboardInterrupt(signum)


# Ctrl-C, SIGTERM or SIGHUP in the split second before the command listens for them (runs.signals):
# one Danish line, as later. A signal that is ignored (nohup, a background job) stays ignored.
for _signum in (signal.SIGINT, getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
    if _signum is not None and signal.getsignal(_signum) is not signal.SIG_IGN:
        signal.signal(_signum, _early)
try:
    from .cli import main

    code = main()
except KeyboardInterrupt as stop:
    print("\nAfbrudt: intet er ændret.", file=sys.stderr)
    sys.stderr.flush()
    signum = stop.args[0] if stop.args and isinstance(stop.args[0], int) else signal.SIGINT
    if os.name != "nt":
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    code = 128 + signum
sys.exit(code)
