"""Atomic file writes: a file appears under its final name complete, or not at all.

Every writer goes to a temporary file in the destination folder (a hidden name
``.<name>.tmp-<pid>-<random><suffix>``, created with mode ``0o666`` so that the
process umask applies exactly as for any other new file), which is flushed and
``fsync``-ed, then renamed over the final name (:func:`os.replace`, atomic on
POSIX and Windows), and the folder is ``fsync``-ed (POSIX) so that the rename
survives a crash. A failed write (full disk, ``KeyboardInterrupt``, ...) removes
the temporary file and leaves any previous file of that name untouched.

Examples
--------
>>> import os, pathlib, tempfile
>>> from ubermag_dirac import _atomic
>>> with tempfile.TemporaryDirectory() as d:
...     p = pathlib.Path(d) / "info.json"
...     _atomic.write_text(p, '{"success": true}')
...
...     def full_disk(fh):
...         fh.write(b"{")
...         raise OSError(28, "No space left on device")
...
...     try:
...         _atomic.write_with(p, full_disk)
...     except OSError as exc:
...         print(exc.strerror)
...     print(p.read_text(), sorted(os.listdir(d)))
No space left on device
{"success": true} ['info.json']
"""

import contextlib
import hashlib
import os
import pathlib
import re
import secrets
import socket

__all__ = [
    "atomic_path",
    "remove_stale_temporaries",
    "write_bytes",
    "write_text",
    "write_with",
]

#: prefix of the temporary files (readers of a folder skip names starting with it)
TEMP_PREFIX = "."
_TEMP = re.compile(r"^\..+\.tmp-([0-9a-f]{6})-(\d+)-[0-9a-f]{8}")


def short_hash(data, length=8):
    """First ``length`` hex digits of the SHA-256 of ``data`` (bytes)."""
    return hashlib.sha256(data).hexdigest()[:length]


def _host():
    return short_hash(socket.gethostname().encode(), 6)


def _temp_name(path):
    token = f"{_host()}-{os.getpid()}-{secrets.token_hex(4)}"
    return path.with_name(f"{TEMP_PREFIX}{path.name}.tmp-{token}{path.suffix}")


def _alive(pid):
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def remove_stale_temporaries(folder):
    """Remove temporary files left in ``folder`` by dead processes of this host.

    A process killed while writing (``SIGKILL``, power loss) leaves its
    temporary file (never a file under a final name); this removes those
    whose writer no longer runs. Returns the names removed.
    """
    removed = []
    host = _host()
    for f in pathlib.Path(folder).iterdir():
        match = _TEMP.match(f.name)
        if match and match.group(1) == host and not _alive(int(match.group(2))):
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
                removed.append(f.name)
    return removed


def _fsync_file(path):
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder):
    """Flush a folder's entries (renames) to disk; a no-op where unsupported."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def _remove(path):
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


@contextlib.contextmanager
def atomic_path(path, companions=(), durable=True):
    """Temporary path to write ``path`` by name (for writers that take a name).

    On a normal exit the temporary file is synced and renamed to ``path``; on
    an exception it is removed. ``companions`` are suffixes of files that the
    writer puts next to the file it writes (e.g. ``".subregions.json"`` of
    ``df.Field.to_file``): ``<tmp><suffix>`` is renamed to ``<path><suffix>``
    first, so the main file never appears without them.

    Parameters
    ----------
    path : path-like
        Final name.
    companions : sequence of str
        Suffixes of companion files.
    durable : bool
        ``fsync`` the file and the folder (survives a power loss). Without it
        the write is still atomic against a killed process or a full disk
        (the rename happens after the data were written without error) and
        costs no disk flush (for the many snapshots of a drive).

    Yields
    ------
    pathlib.Path
        The temporary name (already created, empty, with umask permissions).
    """
    path = pathlib.Path(path)
    tmp = _temp_name(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    os.close(os.open(tmp, flags, 0o666))
    try:
        yield tmp
        for suffix in companions:
            extra = pathlib.Path(f"{tmp}{suffix}")
            if extra.exists():
                if durable:
                    _fsync_file(extra)
                os.replace(extra, f"{path}{suffix}")
        if durable:
            _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        for suffix in companions:
            _remove(f"{tmp}{suffix}")
        raise
    if durable:
        fsync_dir(path.parent)


def write_with(path, write):
    """Write ``path`` atomically with ``write(fh)`` on a binary file object."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        write(fh)
        fh.flush()


def write_bytes(path, data):
    """Write ``data`` (bytes) to ``path`` atomically."""
    write_with(path, lambda fh: fh.write(data))


def write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` atomically."""
    write_bytes(path, text.encode(encoding))
