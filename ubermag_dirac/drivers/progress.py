"""Console output of a drive: a summary line, and a progress bar for long drives.

``verbose`` of every ``drive`` (and of ``ud.compute``):

* ``0``: nothing is printed;
* ``1`` (default): one line, ``Running ubermag-dirac (TimeDriver)[<start>]...
  (<seconds> s)``, as oommfc prints it. In an interactive session (a terminal,
  or Jupyter) a tqdm progress bar with the time left appears as well, once the
  drive is expected to take longer than :data:`BAR_SECONDS`: after
  :data:`ESTIMATE_AFTER` seconds the time needed is extrapolated from the part
  done (simulated time of a ``TimeDriver``, fields of a ``HysteresisDriver``);
  drives with no measure of their progress (``MinDriver``, ``RelaxDriver``)
  show a bar with the elapsed time once they have run :data:`BAR_SECONDS`.
  Output that goes to a file or a CI log gets no bar.
* ``2``: the bar from the start, also when the output is not interactive.

The bar is updated from a helper thread that reads the engine's progress a few
times a second, so the integration itself is not slowed down or changed.
"""

from __future__ import annotations

import datetime
import sys
import threading
import time

__all__ = ["BAR_SECONDS", "ESTIMATE_AFTER", "Progress", "interactive"]

#: a drive expected to take longer than this (s) gets a bar at verbose=1
BAR_SECONDS = 5.0
#: seconds after the start at which the duration is first estimated
ESTIMATE_AFTER = 1.0
#: seconds between two updates of the bar
POLL_INTERVAL = 0.25


def interactive() -> bool:
    """Whether a person watches the output: stderr is a terminal, or Jupyter."""
    try:
        if sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except AttributeError:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class Progress:
    """Console output of one drive (a context manager).

    Parameters
    ----------
    verbose : int
        0, 1 or 2 (module docstring).
    label : str
        E.g. ``"ubermag-dirac (TimeDriver)"``.
    total : float or None
        Amount of work in ``unit`` (None: unknown).
    unit : str
        Unit of ``total`` shown by the bar (``"ns"``, ``"field"``, ...).
    poll : callable, optional
        ``poll() -> float``, the work done so far in ``unit``; read from a
        helper thread. Without it, :meth:`update` counts the work.
    """

    def __init__(self, verbose, label, total, unit, poll=None):
        self.verbose = int(verbose)
        self.label = label
        self.total = total
        self.unit = unit
        self.poll = poll
        self.done = 0.0
        self.bar = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    # ------------------------------------------------------------------ bar
    def _position(self):
        if self.poll is not None:
            try:
                return float(self.poll())
            except Exception:  # a racing read must never break the drive
                return self.done
        return self.done

    def _open_bar(self):
        from tqdm.auto import tqdm

        if self.verbose == 1:
            print(flush=True)  # end the "Running ..." line before the bar
        if self.total is None:
            fmt = "{desc}: {elapsed} elapsed"
        else:
            fmt = (
                "{desc}: {percentage:3.0f}%|{bar}| {n:.3g}/{total:.3g} "
                + self.unit
                + " [{elapsed}<{remaining}]"
            )
        self.bar = tqdm(
            total=self.total,
            desc=f"Running {self.label}",
            bar_format=fmt,
            leave=True,
            dynamic_ncols=True,
        )
        # elapsed and remaining time count from the start of the drive
        self.bar.start_t -= time.perf_counter() - self.tic

    def _expected_seconds(self, elapsed, position):
        if self.total is None or position <= 0:
            return elapsed
        return elapsed * self.total / min(position, self.total)

    def _refresh(self):
        with self._lock:
            position = self._position()
            elapsed = time.perf_counter() - self.tic
            if self.bar is None:
                if self.verbose < 1 or elapsed < ESTIMATE_AFTER:
                    return
                if self._expected_seconds(elapsed, position) <= BAR_SECONDS:
                    return
                self._open_bar()
            if self.total is not None:
                self.bar.n = min(position, self.total)
            self.bar.refresh()

    def _watch(self):
        while not self._stop.wait(POLL_INTERVAL):
            self._refresh()

    # -------------------------------------------------------------- context
    def __enter__(self):
        self.start = datetime.datetime.now()
        self.tic = time.perf_counter()
        stamp = self.start.isoformat(timespec="seconds")
        if self.verbose >= 2:
            self._open_bar()
        elif self.verbose >= 1:
            print(f"Running {self.label}[{stamp}]... ", end="", flush=True)
        watch = self.verbose >= 2 or (self.verbose == 1 and interactive())
        if watch:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def update(self, n=1):
        """Count ``n`` units of work done (drives without ``poll``)."""
        with self._lock:
            self.done += n
        if self.bar is not None and self.poll is None:
            self._refresh()

    def __exit__(self, exc_type, exc, tb):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        elapsed = time.perf_counter() - self.tic
        status = " failed" if exc_type is not None else ""
        if self.bar is not None:
            if exc_type is None and self.total is not None:
                self.bar.n = self.total  # an early stop (stopping_dm_dt) is done
            self.bar.refresh()
            self.bar.close()
            stamp = self.start.isoformat(timespec="seconds")
            print(f"Running {self.label}[{stamp}] took {elapsed:0.1f} s{status}")
        elif self.verbose >= 1:
            print(f"({elapsed:0.1f} s){status}")
        return False
