"""Results folder of a sweep: one ``.npz`` per finished chunk plus a JSON manifest.

Layout of ``dirname``::

    manifest.json                what is swept (dims, attributes, fingerprint)
    chunk-0000000-64-<key>.npz   the points of one chunk (first index, count,
    ...                          a hash of the indices), with the fingerprint
    .lock                        folder mutex (held for milliseconds)
    .running-<token>             one per running sweep, locked while it runs
    .claim-<token>               points a running sweep is computing, locked

Guarantees
----------
* Every file is written atomically (:mod:`ubermag_dirac._atomic`: temporary
  name, ``fsync``, rename) with the permissions of the umask: a kill or a full
  disk never leaves a partial file under its final name.
* Every chunk carries the fingerprint of its sweep; only chunks of the
  requested fingerprint are ever read into a result.
* Reading (:meth:`ResultStore.read`, :func:`~ubermag_dirac.switching.load`)
  writes nothing: a complete folder can be read-only.
* A damaged chunk (truncated, unreadable) is named in a warning; a writer
  moves it aside (``<name>.damaged``) and its points are recomputed.
* Sweeps with the same fingerprint share a folder and its work: each claims
  the points it computes (``.claim-*``, under the folder mutex); a claim whose
  lock can be taken belongs to a process that died and is recovered. A sweep
  with a different fingerprint may replace the results (``overwrite=True``)
  only while no sweep runs in the folder.
* Failed points keep their error message; a point counts as done when some
  chunk holds it without failure (the newest such result is used).
"""

import json
import os
import pathlib
import secrets
import time
import warnings

import numpy as np

from .. import _atomic
from .._warnings import UbermagDiracWarning
from ._locks import FileLock, owner

__all__ = ["DamagedFileError", "ResultStore", "SweepRunningError"]

MANIFEST = "manifest.json"
FORMAT = "ubermag-dirac switching sweep"
VERSION = 2
_LOCK = ".lock"
_RUNNING = ".running-"
_CLAIM = ".claim-"
#: keys every chunk file holds
_REQUIRED = ("index", "failed", "error", "fingerprint")
#: and one of these: the results of a phase diagram (m_t) or of trials (mz_final)
_RESULTS = ("m_t", "mz_final")


class DamagedFileError(ValueError):
    """A file of a results folder cannot be read (it is named in the message)."""


class SweepRunningError(RuntimeError):
    """The results folder is in use by a running sweep of a different job."""


def _json_default(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"Not JSON serialisable: {type(obj).__name__}")


def chunk_name(indices):
    """File name of the chunk of ``indices`` (same points, same name)."""
    idx = np.asarray(indices, dtype=np.int64)
    key = _atomic.short_hash(idx.tobytes())
    return f"chunk-{int(idx[0]):07d}-{idx.size}-{key}.npz"


def _read_chunk(path):
    """All arrays of a chunk file; :class:`DamagedFileError` if unreadable."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as exc:  # BadZipFile, EOFError, zlib.error, ValueError ...
        raise DamagedFileError(
            f"{path}: damaged chunk file ({type(exc).__name__}: {exc})."
        ) from exc
    missing = [k for k in _REQUIRED if k not in arrays]
    if not any(k in arrays for k in _RESULTS):
        missing.append(" or ".join(_RESULTS))
    n = arrays["index"].size if "index" in arrays else 0
    bad = [k for k, a in arrays.items() if a.ndim and k != "index" and len(a) != n]
    if missing or n == 0 or bad:
        raise DamagedFileError(
            f"{path}: damaged chunk file (missing {missing}, {n} points, "
            f"inconsistent {bad})."
        )
    return arrays


class _Chunk:
    """What a chunk file holds, without its big arrays."""

    def __init__(self, name, arrays):
        self.name = name
        self.fingerprint = str(arrays["fingerprint"])
        self.index = np.asarray(arrays["index"], dtype=np.int64)
        self.failed = np.asarray(arrays["failed"], dtype=bool)
        self.written = float(arrays["written"]) if "written" in arrays else 0.0


class _Scan:
    """The chunk files of a folder: of this sweep, foreign, damaged."""

    def __init__(self):
        self.chunks = {}  # name -> _Chunk (of the fingerprint)
        self.foreign = {}  # name -> fingerprint
        self.damaged = {}  # name -> message
        self._seen = {}  # name -> (mtime_ns, size)

    def update(self, path, fingerprint):
        names = set()
        for f in sorted(pathlib.Path(path).glob("chunk-*.npz")):
            names.add(f.name)
            try:
                st = f.stat()
            except FileNotFoundError:
                continue
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            if self._seen.get(f.name) == stamp:
                continue
            self._seen[f.name] = stamp
            self.chunks.pop(f.name, None)
            self.damaged.pop(f.name, None)
            self.foreign.pop(f.name, None)
            try:
                chunk = _Chunk(f.name, _read_chunk(f))
            except DamagedFileError as exc:
                self.damaged[f.name] = str(exc)
                continue
            if chunk.fingerprint == fingerprint:
                self.chunks[f.name] = chunk
            else:
                self.foreign[f.name] = chunk.fingerprint
        for gone in set(self._seen) - names:
            self._seen.pop(gone)
            self.chunks.pop(gone, None)
            self.damaged.pop(gone, None)
            self.foreign.pop(gone, None)
        return self

    def done(self, recompute_failed=True):
        """Flat indices computed (without failure unless ``recompute_failed``)."""
        parts = [
            c.index[~c.failed] if recompute_failed else c.index
            for c in self.chunks.values()
        ]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def best(self):
        """``{name: mask of the points to take from it}``: per point the newest
        chunk without failure, else the newest failed one."""
        rank = sorted(self.chunks.values(), key=lambda c: (c.written, c.name))
        chosen = {}
        for c in rank:  # newest last: later entries win
            for k, (i, failed) in enumerate(zip(c.index, c.failed, strict=True)):
                prev = chosen.get(int(i))
                if prev is None or not failed or prev[2]:
                    chosen[int(i)] = (c.name, k, bool(failed))
        out = {}
        for name, k, _ in chosen.values():
            out.setdefault(name, []).append(k)
        return out


def read_manifest(dirname):
    """The manifest of ``dirname`` as a dict, None if there is none.

    Raises
    ------
    DamagedFileError
        The manifest exists but is not valid JSON (naming it).
    """
    p = pathlib.Path(dirname) / MANIFEST
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        manifest = json.loads(text)
        if not isinstance(manifest, dict) or "fingerprint" not in manifest:
            raise ValueError("not a sweep manifest")
    except ValueError as exc:
        raise DamagedFileError(
            f"{p}: damaged manifest ({type(exc).__name__}: {exc}); rerun "
            "ubermag_dirac.switching.phase_diagram with the same arguments and "
            "dirname to rebuild it."
        ) from exc
    return manifest


def load_arrays(path, scan):
    """The arrays of the chosen points of every chunk of ``scan``."""
    out = []
    for name, keep in scan.best().items():
        try:
            arrays = _read_chunk(pathlib.Path(path) / name)
        except (DamagedFileError, FileNotFoundError) as exc:
            warnings.warn(f"{exc} Its points are left out.", UbermagDiracWarning, 3)
            continue
        keep = np.asarray(sorted(keep))
        n = arrays["index"].size
        out.append(
            {
                k: a[keep] if a.ndim and len(a) == n else a
                for k, a in arrays.items()
                if k not in ("fingerprint", "written")
            }
        )
    return out


def _warn_damaged(scan, action):
    for message in scan.damaged.values():
        warnings.warn(f"{message} {action}", UbermagDiracWarning, stacklevel=4)


def _warn_foreign(path, scan):
    for name, fp in scan.foreign.items():
        warnings.warn(
            f"{pathlib.Path(path) / name} belongs to a different sweep (fingerprint "
            f"{fp!r}); ignored.",
            UbermagDiracWarning,
            stacklevel=4,
        )


class ResultStore:
    """A sweep's session on its results folder (see the module docstring).

    Opening the store creates the folder if needed, checks whose results it
    holds (refusing or, with ``overwrite``, replacing a different sweep's) and
    registers this sweep as running; :meth:`close` (or the ``with`` block)
    releases everything it holds.

    Parameters
    ----------
    dirname : path-like
    fingerprint : str
        Hash of everything that can change a result.
    meta : dict
        JSON description (dims, attributes) written to the manifest.
    overwrite : bool
        Replace the results of a different sweep instead of refusing.

    Raises
    ------
    FileExistsError
        ``dirname`` holds a different sweep's results and ``overwrite`` is False.
    SweepRunningError
        ``overwrite=True`` while a different sweep runs in ``dirname``.
    PermissionError
        ``dirname`` cannot be written (naming it).
    """

    def __init__(self, dirname, fingerprint, meta, overwrite=False):
        self.path = pathlib.Path(dirname)
        self.fingerprint = str(fingerprint)
        self.meta = meta
        self.scan = _Scan()
        self.claims = {}  # claim file name -> (FileLock, indices)
        self.attempted = set()  # points this session has computed
        self.running = None
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self.mutex = FileLock(self.path / _LOCK)
        except PermissionError as exc:
            raise PermissionError(
                f"Cannot write sweep results to {str(self.path)!r} ({exc.strerror}); "
                "a complete results folder can be read with "
                "ubermag_dirac.switching.load without write access."
            ) from exc
        try:
            with self.mutex:
                self._take_over(overwrite)
                self._register()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ opening
    def _live(self, prefix):
        """Descriptions of the live holders of ``prefix`` files; stale ones go."""
        live = []
        for f in sorted(self.path.glob(f"{prefix}*")):
            if f.name in self.claims or (self.running and f.name == self.running[1]):
                continue
            try:
                lock = FileLock(f, create=False)
            except FileNotFoundError:
                continue
            try:
                if lock.acquire(blocking=False):
                    if lock.still_linked():
                        f.unlink()  # its holder died: stale
                    continue
                try:
                    live.append(json.loads(lock.read()))
                except ValueError:
                    live.append({"fingerprint": None})
            finally:
                lock.close()
        return live

    def _take_over(self, overwrite):
        # what dead processes left: temporary files, registrations, claims
        _atomic.remove_stale_temporaries(self.path)
        self._live(_RUNNING)
        self._live(_CLAIM)
        try:
            manifest = read_manifest(self.path)
        except DamagedFileError as exc:
            warnings.warn(f"{exc} Rebuilding it.", UbermagDiracWarning, stacklevel=4)
            manifest = None
        self.scan.update(self.path, self.fingerprint)
        mine = manifest is not None and manifest.get("fingerprint") == self.fingerprint
        other = (manifest is not None and not mine) or bool(self.scan.foreign)
        if other:
            self._replace(manifest, overwrite)
        self._move_damaged()
        if not mine:
            self._write_manifest()

    def _replace(self, manifest, overwrite):
        if manifest is not None:
            old = manifest.get("fingerprint")
        else:
            old = next(iter(self.scan.foreign.values()))
        if not overwrite:
            older = ""
            if manifest is not None and manifest.get("version") != VERSION:
                older = (
                    f", written by an older ubermag-dirac (results-folder format "
                    f"{manifest.get('version')!r}, now {VERSION})"
                )
            raise FileExistsError(
                f"{str(self.path)!r} holds the results of a different sweep "
                f"(fingerprint {old!r}{older}, this one {self.fingerprint!r}); use "
                "another dirname or overwrite=True."
            )
        running = [
            r for r in self._live(_RUNNING) if r.get("fingerprint") != self.fingerprint
        ]
        if running:
            who = ", ".join(
                f"pid {r.get('pid')} on {r.get('host')} since {r.get('started')}"
                for r in running
            )
            raise SweepRunningError(
                f"{str(self.path)!r} is in use by a running sweep of a different "
                f"job ({who}); overwrite=True cannot replace its results while "
                "it runs. Wait for it to finish or use another dirname."
            )
        for name in list(self.scan.foreign):
            (self.path / name).unlink(missing_ok=True)
        for f in self.path.glob("chunk-*.npz.damaged"):
            f.unlink(missing_ok=True)
        self.scan.update(self.path, self.fingerprint)

    def _move_damaged(self):
        _warn_damaged(self.scan, "Moved aside (.damaged); its points are recomputed.")
        for name in list(self.scan.damaged):
            src = self.path / name
            if src.exists():
                os.replace(src, self.path / f"{name}.damaged")
        self.scan.update(self.path, self.fingerprint)

    def _write_manifest(self):
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "fingerprint": self.fingerprint,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **self.meta,
        }
        text = json.dumps(manifest, indent=1, default=_json_default)
        _atomic.write_text(self.path / MANIFEST, text)

    def _holder(self, **extra):
        return json.dumps(
            {
                **owner(),
                "fingerprint": self.fingerprint,
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                **extra,
            },
            default=_json_default,
        )

    def _new_lock(self, prefix, **extra):
        name = f"{prefix}{os.getpid()}-{secrets.token_hex(6)}"
        lock = FileLock(self.path / name, exclusive_create=True)
        lock.acquire(blocking=False)
        lock.write(self._holder(**extra))
        return name, lock

    def _register(self):
        name, lock = self._new_lock(_RUNNING)
        self.running = (lock, name)

    # ------------------------------------------------------------- claims
    def claim(self, chunk_size, recompute_failed=True):
        """Claim up to ``chunk_size`` points nobody has done or is computing.

        Returns
        -------
        (list of int, bool)
            The claimed flat indices (in order, possibly empty) and whether
            other live sweeps are computing points still missing.
        """
        npts = int(np.prod([len(v) for _, v in self.meta["dims"]]))
        with self.mutex:
            # claims first: a claim is dropped only after its chunk is written,
            # so a point whose claim is gone by now is in the scan that follows
            busy = [
                np.asarray(c.get("indices", []), dtype=np.int64)
                for c in self._live(_CLAIM)
            ]
            self.scan.update(self.path, self.fingerprint)
            mine = [np.asarray(ix, dtype=np.int64) for _, ix in self.claims.values()]
            # a point this session computed is not retried (it failed again)
            tried = np.asarray(sorted(self.attempted), dtype=np.int64)
            done = self.scan.done(recompute_failed)
            taken = np.concatenate([done, tried, *busy, *mine])
            free = np.setdiff1d(np.arange(npts), taken)
            others = any(b.size for b in busy)
            if free.size == 0:
                return [], others
            indices = free[:chunk_size].tolist()
            name, lock = self._new_lock(_CLAIM, indices=indices)
            self.claims[name] = (lock, indices)
            return indices, others

    def _release(self, indices):
        for name, (lock, ix) in list(self.claims.items()):
            if ix == indices:
                (self.path / name).unlink(missing_ok=True)
                lock.close()
                del self.claims[name]
                return

    def release(self, indices):
        """Give back a claim without a result (e.g. the run was interrupted)."""
        self._release(list(indices))

    def done_count(self, recompute_failed=True):
        self.scan.update(self.path, self.fingerprint)
        return int(self.scan.done(recompute_failed).size)

    # ------------------------------------------------------------ writing
    def write_chunk(self, arrays):
        """Write a finished chunk (atomically), then drop its claim."""
        idx = np.asarray(arrays["index"], dtype=np.int64)
        data = dict(arrays)
        data["fingerprint"] = np.array(self.fingerprint)
        data["written"] = np.array(time.time())
        path = self.path / chunk_name(idx)
        _atomic.write_with(path, lambda fh: np.savez(fh, **data))
        self.attempted.update(idx.tolist())
        self._release(idx.tolist())
        return path

    # ------------------------------------------------------------ reading
    def load_chunks(self):
        """Arrays of this sweep's chunks (one result per point)."""
        self.scan.update(self.path, self.fingerprint)
        _warn_damaged(self.scan, "Its points are left out.")
        return load_arrays(self.path, self.scan)

    @staticmethod
    def read(dirname, fingerprint=None, complete_only=False, recompute_failed=True):
        """Read a results folder without writing anything.

        Returns
        -------
        (dict, list) or None
            The manifest and the chunk arrays of its fingerprint (or of
            ``fingerprint``); None when ``complete_only`` and some point is
            missing (or failed, with ``recompute_failed``), or when there is
            no manifest of that fingerprint.
        """
        try:
            manifest = read_manifest(dirname)
        except DamagedFileError:
            if complete_only:
                return None
            raise
        if manifest is None:
            return None
        fp = manifest["fingerprint"] if fingerprint is None else str(fingerprint)
        if manifest["fingerprint"] != fp:
            return None
        scan = _Scan().update(dirname, fp)
        if complete_only:
            npts = int(np.prod([len(v) for _, v in manifest["dims"]]))
            if scan.damaged or scan.done(recompute_failed).size < npts:
                return None
        _warn_damaged(scan, "Its points are left out.")
        _warn_foreign(dirname, scan)
        return manifest, load_arrays(dirname, scan)

    # ------------------------------------------------------------ closing
    def close(self):
        """Release every claim and the running registration (idempotent)."""
        for name, (lock, _) in list(self.claims.items()):
            (self.path / name).unlink(missing_ok=True)
            lock.close()
        self.claims.clear()
        if self.running is not None:
            lock, name = self.running
            (self.path / name).unlink(missing_ok=True)
            lock.close()
            self.running = None
        mutex = getattr(self, "mutex", None)
        if mutex is not None:
            mutex.close()
            self.mutex = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
