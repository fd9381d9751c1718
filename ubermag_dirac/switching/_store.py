"""Results folder of a sweep: one ``.npz`` per finished chunk plus a JSON manifest.

Layout of ``dirname``::

    manifest.json          what is swept (dims, attributes, fingerprint), chunks done
    chunk-0000000-64.npz   arrays of the points of one chunk (first index, count)
    ...

Every chunk file also stores the fingerprint of the sweep, so files of a
different sweep are never mixed in. Files are written to a temporary name and
renamed (atomic on POSIX), so an interrupted sweep leaves only complete chunks;
:func:`ubermag_dirac.switching.phase_diagram` with the same ``dirname`` then
computes only the missing points.
"""

import json
import os
import pathlib
import tempfile
import time

import numpy as np

__all__ = ["ResultStore"]

MANIFEST = "manifest.json"
FORMAT = "ubermag-dirac switching sweep"
VERSION = 1


def _atomic_write(path, write):
    path = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


class ResultStore:
    """Incremental storage of the chunk results of one sweep.

    Parameters
    ----------
    dirname : path-like
        Results folder (created if missing).
    fingerprint : str
        Hash identifying the sweep (system, grid, protocol).
    meta : dict
        JSON-serialisable description (dims and attributes) written to the
        manifest, enough to assemble the Dataset without the system.
    overwrite : bool
        Delete results of a different sweep found in ``dirname`` instead of
        refusing.

    Raises
    ------
    FileExistsError
        ``dirname`` holds results of a different sweep and ``overwrite`` is
        False.
    """

    def __init__(self, dirname, fingerprint, meta, overwrite=False):
        self.path = pathlib.Path(dirname)
        self.path.mkdir(parents=True, exist_ok=True)
        self.fingerprint = str(fingerprint)
        self.meta = meta
        old = self.read_manifest(self.path)
        if old is not None and old.get("fingerprint") != self.fingerprint:
            if not overwrite:
                raise FileExistsError(
                    f"{str(self.path)!r} holds the results of a different sweep "
                    f"(fingerprint {old.get('fingerprint')!r}, this one "
                    f"{self.fingerprint!r}); use another dirname or overwrite=True."
                )
            for f in self.chunk_files():
                f.unlink()
        self.chunks = {}
        for f in self.chunk_files():
            with np.load(f) as z:
                if str(z["fingerprint"]) != self.fingerprint:
                    if not overwrite:
                        raise FileExistsError(
                            f"{f} belongs to a different sweep; use another "
                            "dirname or overwrite=True."
                        )
                    f.unlink()
                    continue
                self.chunks[f.name] = {
                    "n": int(z["index"].size),
                    "first": int(z["index"][0]),
                    "wall_s": float(z["chunk_wall_time"]),
                }
        self._write_manifest()

    @staticmethod
    def read_manifest(dirname):
        """The manifest of ``dirname`` as a dict, or None if there is none."""
        p = pathlib.Path(dirname) / MANIFEST
        if not p.exists():
            return None
        with open(p) as fh:
            return json.load(fh)

    def chunk_files(self):
        return sorted(self.path.glob("chunk-*.npz"))

    def done_indices(self):
        """Flat point indices already computed."""
        out = []
        for f in self.chunk_files():
            with np.load(f) as z:
                out.append(np.asarray(z["index"]))
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)

    def write_chunk(self, arrays):
        """Write the arrays of one finished chunk and update the manifest."""
        idx = np.asarray(arrays["index"])
        name = f"chunk-{int(idx[0]):07d}-{idx.size}.npz"
        data = dict(arrays)
        data["fingerprint"] = np.array(self.fingerprint)
        _atomic_write(self.path / name, lambda fh: np.savez(fh, **data))
        self.chunks[name] = {
            "n": int(idx.size),
            "first": int(idx[0]),
            "wall_s": float(arrays["chunk_wall_time"]),
        }
        self._write_manifest()
        return self.path / name

    def load_chunks(self):
        """All stored chunks as a list of dicts of arrays."""
        out = []
        for f in self.chunk_files():
            with np.load(f) as z:
                out.append({k: z[k] for k in z.files if k != "fingerprint"})
        return out

    def _write_manifest(self):
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "fingerprint": self.fingerprint,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "n_points_done": int(sum(c["n"] for c in self.chunks.values())),
            "chunks": self.chunks,
            **self.meta,
        }
        text = json.dumps(manifest, indent=1, default=_json_default)
        _atomic_write(self.path / MANIFEST, lambda fh: fh.write(text.encode()))


def _json_default(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"Not JSON serialisable: {type(obj).__name__}")
