"""Fault injection shared by the tests: read-only folders and failing writers.

Plain functions (child processes of the fault-injection tests import this file
as a module) and fixtures around them.
"""

import builtins
import contextlib
import errno
import io
import os
import signal
import stat
import sys

import pytest

# ------------------------------------------------------- read-only folders
_READ_ONLY = []  # folders the audit hook below treats as read-only
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {
    "os.rename": 0,
    "os.remove": 0,
    "os.rmdir": 0,
    "os.mkdir": 0,
    "os.chmod": 0,
    "os.truncate": 0,
    "os.utime": 0,
    "os.link": 1,
    "os.symlink": 1,
}


def _inside(path):
    if not isinstance(path, str | bytes | os.PathLike):
        return False
    p = os.path.abspath(os.fsdecode(path))
    return any(p == d or p.startswith(d + os.sep) for d in _READ_ONLY)


def _audit(event, args):
    if not _READ_ONLY:
        return
    path = None
    if event == "open":
        path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if not writes:
            return
    elif event in _PATH_EVENTS:
        path = args[_PATH_EVENTS[event]]
    if path is not None and _inside(path):
        raise PermissionError(errno.EACCES, "Permission denied (read-only)", path)


sys.addaudithook(_audit)


@contextlib.contextmanager
def read_only_folder(folder):
    """Make ``folder`` read-only: it and its content lose write permission,
    and (as root ignores permissions) any write into it from this process
    raises ``PermissionError`` (an audit hook on open, rename, remove, ...)."""
    folder = os.path.abspath(folder)
    modes = {}
    for root, _, files in os.walk(folder):
        for p in [root, *(os.path.join(root, f) for f in files)]:
            modes[p] = stat.S_IMODE(os.stat(p).st_mode)
            os.chmod(p, modes[p] & ~0o222)
    _READ_ONLY.append(folder)
    try:
        yield folder
    finally:
        _READ_ONLY.remove(folder)
        for p, mode in modes.items():
            os.chmod(p, mode)


@pytest.fixture
def read_only():
    """``with read_only(folder): ...`` (see `read_only_folder`)."""
    return read_only_folder


# ------------------------------------------------------- failing writers
class _Disk:
    """State of a simulated disk shared by the files opened while installed."""

    def __init__(self, match, nth, after, action):
        self.match, self.nth, self.after, self.action = match, nth, after, action
        self.opened = 0
        self.full = False
        self.failures = []


class _FailingFile:
    """A file whose writes fail like a full disk (or kill the process)."""

    def __init__(self, f, name, disk, armed):
        self._f, self._name, self._disk, self._armed = f, name, disk, armed
        self._written = 0

    def write(self, data):
        disk = self._disk
        if not (self._armed or disk.full):
            return self._f.write(data)
        room = 0 if disk.full else max(0, disk.after - self._written)
        if len(data) <= room:
            self._written += len(data)
            return self._f.write(data)
        self._f.write(data[:room])
        self._f.flush()
        disk.failures.append(self._name)
        if disk.action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        disk.full = True
        raise OSError(errno.ENOSPC, "No space left on device (simulated)", self._name)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __iter__(self):
        return iter(self._f)

    def __enter__(self):
        self._f.__enter__()
        return self

    def __exit__(self, *exc):
        return self._f.__exit__(*exc)


def install_failing_writes(match, nth=1, after=0, action="full"):
    """Make writes fail from the ``nth`` file opened for writing whose name
    contains ``match``, after ``after`` bytes of it.

    ``action="full"``: that write raises ``OSError(ENOSPC)`` and so does every
    later write to any file (a full disk) until uninstalled; ``"kill"``: the
    process kills itself (``SIGKILL``) in the middle of the write. Patches
    ``builtins.open`` and ``io.open`` (pathlib's); returns ``(disk, uninstall)``.
    """
    disk = _Disk(match, nth, after, action)
    real = builtins.open

    def failing_open(file, mode="r", *args, **kwargs):
        f = real(file, mode, *args, **kwargs)
        if not isinstance(mode, str) or not any(c in mode for c in "wax+"):
            return f
        name = os.fsdecode(file) if not isinstance(file, int) else str(file)
        armed = False
        if match in os.path.basename(name):
            disk.opened += 1
            armed = disk.opened == nth
        return _FailingFile(f, name, disk, armed)

    builtins.open = io.open = failing_open

    def uninstall():
        builtins.open = io.open = real

    disk.uninstall = uninstall
    return disk, uninstall


@pytest.fixture
def failing_writes():
    """``disk = failing_writes(match, nth=1, after=0)``, undone after the test
    (or earlier with ``disk.uninstall()``: space is freed)."""
    undo = []

    def install(*args, **kwargs):
        disk, uninstall = install_failing_writes(*args, **kwargs)
        undo.append(uninstall)
        return disk

    yield install
    for uninstall in reversed(undo):
        uninstall()
