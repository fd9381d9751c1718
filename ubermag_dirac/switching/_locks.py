"""Inter-process locks on files, released by the operating system when the holder dies.

A results folder is shared by the processes that run the same sweep (and is
protected against those that would overwrite it). The locks are advisory
``flock`` locks on POSIX (``msvcrt.locking`` on Windows): the kernel releases
them when the holding process ends, however it ends (``SIGKILL`` included), so
a lock that can be taken belongs to nobody alive and what it protected is
stale. Only the standard library is used.
"""

import os
import socket

try:  # POSIX
    import fcntl

    msvcrt = None
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt

__all__ = ["FileLock", "owner"]


def owner():
    """Who holds a lock: host, process id (for messages)."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


class FileLock:
    """An exclusive lock on the file ``path`` (created if missing).

    Parameters
    ----------
    path : path-like
    exclusive_create : bool
        Create the file with ``O_EXCL`` (``FileExistsError`` if it exists).
    create : bool
        Create the file if missing (else ``FileNotFoundError``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from ubermag_dirac.switching._locks import FileLock
    >>> with tempfile.TemporaryDirectory() as d:
    ...     a = FileLock(pathlib.Path(d) / ".lock")
    ...     b = FileLock(pathlib.Path(d) / ".lock")
    ...     print(a.acquire(blocking=False), b.acquire(blocking=False))
    ...     a.release()
    ...     print(b.acquire(blocking=False))
    ...     b.close(), a.close()
    True False
    True
    (None, None)
    """

    def __init__(self, path, exclusive_create=False, create=True):
        self.path = os.fspath(path)
        flags = os.O_RDWR | getattr(os, "O_BINARY", 0)
        if create or exclusive_create:
            flags |= os.O_CREAT
        if exclusive_create:
            flags |= os.O_EXCL
        self.fd = os.open(self.path, flags, 0o666)
        self.locked = False

    def acquire(self, blocking=True):
        """Take the lock; False if ``blocking=False`` and another holds it."""
        if fcntl is not None:
            op = fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB
            try:
                fcntl.flock(self.fd, op)
            except (BlockingIOError, PermissionError):
                return False
        else:  # pragma: no cover - Windows
            mode = msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK
            try:
                os.lseek(self.fd, 0, os.SEEK_SET)
                msvcrt.locking(self.fd, mode, 1)
            except OSError:
                return False
        self.locked = True
        return True

    def release(self):
        if not self.locked:
            return
        if fcntl is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        else:  # pragma: no cover - Windows
            os.lseek(self.fd, 0, os.SEEK_SET)
            msvcrt.locking(self.fd, msvcrt.LK_UNLCK, 1)
        self.locked = False

    def write(self, text):
        """Replace the file's content (the holder's description)."""
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, text.encode())

    def read(self):
        os.lseek(self.fd, 0, os.SEEK_SET)
        chunks = []
        while True:
            b = os.read(self.fd, 65536)
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks).decode(errors="replace")

    def still_linked(self):
        """Whether ``path`` still names the locked file (not unlinked/replaced)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        own = os.fstat(self.fd)
        return (st.st_ino, st.st_dev) == (own.st_ino, own.st_dev)

    def close(self):
        if self.fd is not None:
            self.release()
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
        return False
