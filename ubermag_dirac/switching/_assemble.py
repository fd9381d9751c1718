"""The Dataset of a sweep from its JSON metadata and chunk arrays."""

import numpy as np
import xarray as xr

from .. import torques
from ..macrospin import STATES, classify
from ._batch import concat
from ._describe import START
from ._grid_units import current_coordinate

__all__ = ["assemble"]

_UNITS = {"hx": "A/m", "hsot": "A/m"}
_SKIP = ("index", "chunk_wall_time")


def _empty(full_shape, dtype):
    if dtype.kind in "fc":
        return np.full(full_shape, np.nan, dtype=dtype)
    if dtype.kind == "b":
        return np.zeros(full_shape, dtype=bool)
    if dtype.kind in "iu":
        return np.zeros(full_shape, dtype=dtype)
    return np.full(full_shape, "", dtype=object)


def _gather(chunks, shape):
    """Chunk arrays on the full grid ``shape``, and the computed mask."""
    if not chunks:
        raise ValueError("No computed points in this sweep yet.")
    npts = int(np.prod(shape))
    computed = np.zeros(npts, dtype=bool)
    allc = concat(chunks)
    idx = allc["index"]
    computed[idx] = True
    data = {}
    for key, arr in allc.items():
        if key in _SKIP:
            continue
        full = _empty((npts, *arr.shape[1:]), arr.dtype)
        full[idx] = arr
        data[key] = full.reshape(*shape, *arr.shape[1:])
    return data, computed.reshape(shape)


def _switching_time(times, mz0, mz_t, mz_end, tol):
    """Last zero crossing of m_n(t) when the final sign differs from the start."""
    tt = np.concatenate([[0.0], times])
    z = np.concatenate([mz0[..., None], mz_t], axis=-1)
    flat = z.reshape(-1, z.shape[-1])
    s0 = np.sign(mz0).reshape(-1)
    end = mz_end.reshape(-1)
    out = np.full(flat.shape[0], np.nan)
    for i in range(flat.shape[0]):
        if not (np.isfinite(end[i]) and abs(end[i]) > tol and np.sign(end[i]) != s0[i]):
            continue
        zi = flat[i]
        cross = np.flatnonzero(np.sign(zi[:-1]) != np.sign(zi[1:]))
        if cross.size == 0:
            continue
        k = cross[-1]
        a, b = zi[k], zi[k + 1]
        frac = a / (a - b) if a != b else 0.0
        out[i] = tt[k] + frac * (tt[k + 1] - tt[k])
    return out.reshape(mz0.shape)


def _time_average(times, y):
    tt = np.concatenate([[0.0], times])
    first = y[..., :1, :]
    yy = np.concatenate([first, y], axis=-2)
    return np.trapezoid(yy, tt, axis=-2) / tt[-1]


def _state_variables(g, data, times, n, tol):
    """Final state, classification and the observables derived from m_n(t)."""
    mz_t = np.einsum("...c,c->...", data["m_t"], n)
    mz0 = np.einsum("...c,c->...", data["m_start"], n)
    mz_end = np.einsum("...c,c->...", data["m_final"], n)
    state = classify(mz_end[..., 0], mz_end[..., 1], tol=tol)
    with np.errstate(invalid="ignore"):
        min_abs = np.minimum(np.abs(mz0), np.min(np.abs(mz_t), axis=-1))
    flags = {"flag_values": list(range(len(STATES))), "flag_meanings": " ".join(STATES)}
    gs = (*g, "start")
    return {
        "m": ((*gs, "component"), data["m_final"]),
        "mz_up": (g, mz_end[..., 0]),
        "mz_down": (g, mz_end[..., 1]),
        "state": (g, state, flags),
        "m_start": ((*gs, "component"), data["m_start"]),
        "switching_time": (
            gs,
            _switching_time(times, mz0, mz_t, mz_end, tol),
            {"units": "s"},
        ),
        "min_abs_mz": (gs, min_abs),
    }


def _series_variables(g, data, times, computed):
    gs = (*g, "start")
    var = {
        "mz_spread_max": (gs, np.max(data["mz_spread_t"], axis=-1)),
        "mz_spread_final": (gs, data["mz_spread_t"][..., -1]),
        "m_t": ((*gs, "time", "component"), data["m_t"]),
        "mz_spread_t": ((*gs, "time"), data["mz_spread_t"]),
        "t_stop": (g, data["t_stop"], {"units": "s"}),
        "steps": (gs, data["steps"]),
        "failed": (g, data["failed"]),
        "computed": (g, computed),
    }
    var["error"] = (g, data["error"].astype(str))
    if "j_pump_t" in data:
        jt = data["j_pump_t"]
        units = {"units": "A/m^2"}
        var["j_pump_t"] = ((*gs, "time", "component"), jt, units)
        var["j_pump_mean"] = ((*gs, "component"), _time_average(times, jt), units)
    return var


def _coordinates(dims, times, attrs, snapshot_samples):
    coords = {
        name: (name, vals, {"units": _UNITS.get(name, "")}) for name, vals in dims
    }
    coords["start"] = ("start", list(START))
    coords["component"] = ("component", ["x", "y", "z"])
    coords["time"] = ("time", times, {"units": "s"})
    if snapshot_samples is not None:
        coords["snapshot_time"] = (
            "snapshot",
            times[np.asarray(snapshot_samples, dtype=int)],
            {"units": "s"},
        )
    return add_field_coordinates(coords, attrs)


def add_field_coordinates(coords, attrs):
    """Add ``J`` (A/m^2, terms that know their current) and the reduced
    ``hx_reduced``, ``hsot_reduced`` (units of H_K,eff) to ``coords``."""
    current = current_coordinate(attrs, coords["hsot"][1])
    if current is not None:
        coords["J"] = current
    H_K = attrs.get("H_K_eff")
    if H_K is not None and H_K > 0:
        coords["hx_reduced"] = ("hx", coords["hx"][1] / H_K, {"units": "H_K_eff"})
        coords["hsot_reduced"] = (
            "hsot",
            coords["hsot"][1] / H_K,
            {"units": "H_K_eff"},
        )
    return coords


def assemble(meta, chunks):
    """Dataset from the JSON metadata of a sweep and its chunk arrays.

    Points not computed (missing chunks) are NaN with ``computed = False``.
    """
    dims = [(name, np.asarray(vals, dtype=float)) for name, vals in meta["dims"]]
    shape = tuple(v.size for _, v in dims)
    g = tuple(name for name, _ in dims)
    T = int(meta["n_samples"])
    n = np.asarray(meta["attrs"]["n"], dtype=float)
    data, computed = _gather(chunks, shape)
    times = (np.arange(T) + 1) * float(meta["t_run"]) / T
    tol = float(meta["attrs"]["tol"])
    var = _state_variables(g, data, times, n, tol)
    var.update(_series_variables(g, data, times, computed))
    attrs = dict(meta["attrs"])
    attrs["states"] = list(STATES)
    snapshot_samples = None
    if "snapshots" in data:
        var["snapshots"] = (
            (*g, "start", "snapshot", "component", "cx", "cy", "cz"),
            data["snapshots"],
        )
        snapshot_samples = meta["snapshot_samples"]
    coords = _coordinates(dims, times, attrs, snapshot_samples)
    ds = xr.Dataset(var, coords=coords, attrs=attrs)
    ds.hx.attrs["long_name"] = "H_x (along j)"
    ds.hsot.attrs["long_name"] = torques.get(attrs["torque"]).amplitude.attr
    return ds
