"""Reading sweep results: a results folder, or a netCDF file (scipy backend).

netCDF-3 (written by scipy, no extra dependency) stores attributes as numbers,
strings or 1D numeric arrays; :func:`to_netcdf` writes list-of-string
attributes as one string (``"|"``-joined) and :func:`open_dataset` splits them
again.
"""

import pathlib

import numpy as np
import xarray as xr

from ._assemble import assemble
from ._store import ResultStore
from ._trials import KIND

__all__ = ["load", "open_dataset", "to_netcdf"]

_JOIN = "|"


def load(dirname):
    """Dataset of the points computed so far in a results folder.

    A folder of :func:`~ubermag_dirac.switching.phase_diagram` or of
    :func:`~ubermag_dirac.switching.switching_probability` (the trials
    computed so far count).

    Points of missing chunks are NaN with ``computed = False`` (an interrupted
    sweep); rerunning :func:`~ubermag_dirac.switching.phase_diagram` with the
    same folder completes it. Nothing is written: the folder may be
    read-only. Damaged chunk files are named in a warning and their points
    left out.

    Raises
    ------
    FileNotFoundError
        ``dirname`` has no manifest.
    ubermag_dirac.switching._store.DamagedFileError
        The manifest cannot be read (naming it).
    """
    found = ResultStore.read(dirname)
    if found is None:
        raise FileNotFoundError(f"{str(dirname)!r} holds no switching-sweep manifest.")
    manifest, chunks = found
    if manifest.get("kind") == KIND:
        from .probability import assemble_probability

        return assemble_probability(
            {k: manifest[k] for k in ("kind", "dims", "attrs")}, chunks
        )
    return assemble(_meta(manifest), chunks)


def _meta(manifest):
    keys = ("dims", "n_samples", "t_run", "snapshot_samples", "attrs")
    return {k: manifest[k] for k in keys}


def to_netcdf(ds, path):
    """Write a switching Dataset to netCDF-3 with scipy (see module docstring).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ubermag_dirac import macrospin as ms
    >>> from ubermag_dirac.switching import open_dataset, to_netcdf
    >>> ds = ms.phase_diagram([0.0, 0.5], [0.0, 0.6], torque="she")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     to_netcdf(ds, pathlib.Path(d) / "she.nc")
    ...     back = open_dataset(pathlib.Path(d) / "she.nc")
    >>> bool((back.state == ds.state).all()), back.attrs["states"][:2]
    (True, ['bistable', 'up'])
    """
    ds = ds.copy()
    ds.attrs = _encode(ds.attrs)
    for v in ds.variables.values():
        v.attrs = _encode(v.attrs)
    for name in list(ds.variables):
        if ds[name].dtype == bool:
            ds[name] = ds[name].astype(np.int8)
            ds[name].attrs["dtype_bool"] = 1
        elif ds[name].dtype.kind in "OU" and name not in ds.dims:
            ds[name] = ds[name].astype(str)
    ds.to_netcdf(pathlib.Path(path), engine="scipy")


def open_dataset(path):
    """Read a file written by :func:`to_netcdf` (loaded into memory)."""
    with xr.open_dataset(pathlib.Path(path), engine="scipy") as f:
        ds = f.load()
    ds.attrs = _decode(ds.attrs)
    for name in list(ds.variables):
        attrs = _decode(ds[name].attrs)
        if attrs.pop("dtype_bool", 0):
            ds[name] = ds[name].astype(bool)
        ds[name].attrs = attrs
    return ds


def _encode(attrs):
    out = {}
    for k, v in attrs.items():
        if isinstance(v, list | tuple) and any(isinstance(x, str) for x in v):
            out[k] = _JOIN.join(map(str, v))
            out[f"{k}__list"] = 1
        elif isinstance(v, bool):
            out[k] = int(v)
        elif isinstance(v, list | tuple):
            out[k] = np.asarray(v, dtype=float)
        else:
            out[k] = v
    return out


def _decode(attrs):
    out = dict(attrs)
    for k in list(out):
        if k.endswith("__list"):
            base = k[: -len("__list")]
            out.pop(k)
            if base in out:
                out[base] = str(out[base]).split(_JOIN)
        elif isinstance(out[k], np.ndarray):
            out[k] = out[k].tolist()
    return out
