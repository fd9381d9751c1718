r"""Switching phase diagrams of micromagnetic films (the protocol of the macrospin).

:func:`phase_diagram` runs, for every point of a grid of in-plane field
:math:`H_x` (along the current direction :math:`\mathbf j`), spin-orbit torque
amplitude :math:`H_\mathrm{sot}` (:math:`H_\mathrm{DL}` of ``ud.DiracSOT`` or
:math:`H_\mathrm{SH}` of ``ud.SpinHallSOT``) and any further swept parameters,
the protocol of :func:`ubermag_dirac.macrospin.phase_diagram` on a full
micromagnetic film:

1. two starts, magnetisation along :math:`+\mathbf n` and :math:`-\mathbf n`;
2. field relaxation with the current off (energy minimisation, or damped
   dynamics, or none: ``relax``);
3. dynamics for ``t_run`` (s) with the current switched on by ``pulse`` (a
   step at :math:`t = 0` by default, or a trapezoid with rise and fall times,
   ...), the field optionally time dependent (``field_pulse``); the time
   dependences are the terms' own ``func`` (picklable
   :mod:`~ubermag_dirac.switching.pulses`);
4. classification of the final :math:`\langle m_n\rangle` of both starts with
   :func:`ubermag_dirac.macrospin.classify` (same integer codes).

All runs that share the mesh go through one :class:`ubermag_dirac.engine.Engine`
with a leading batch axis (both starts of many grid points advance in one
integration), in chunks whose size follows from a memory estimate; chunks can
be spread over processes with any :class:`concurrent.futures.Executor`, and are
written to a results folder as they finish so that an interrupted sweep resumes
without recomputing them.

Observables
-----------
Per point and start, sampled ``n_samples`` times during the run (every
``t_run / n_samples``):

* ``m_t``: :math:`\langle\mathbf m\rangle(t)` (average over magnetic cells);
* ``mz_spread_t``: standard deviation over the film of :math:`m_n` (0 for a
  uniform state, about 1 for a film split into up and down domains: the
  domain-nucleation indicator);
* ``j_pump_t``: the charge current density pumped by the dynamics (A/m^2,
  averaged over the magnetic cells and the thickness; Onsager-reciprocal of the
  Dirac torque, ``DiracSurface.pumped_current``), only when the torque term
  carries a ``surface`` and ``thickness`` (``ud.DiracSOT.from_surface``).

and derived from them: final ``m``, ``state``, ``switching_time`` (the last
zero crossing of :math:`\langle m_n\rangle` before the end when the final sign
differs from the starting one, linearly interpolated between samples; NaN when
the start keeps its sign), ``min_abs_mz`` (minimum of
:math:`|\langle m_n\rangle|` along the path, including the relaxed start),
``mz_spread_max``, ``j_pump_mean`` (time average over ``t_run``).

When every system of a chunk is at rest (:math:`\max|\dot{\mathbf m}| <`
``stopping_dm_dt``) after the last change of the pulses, the chunk stops early;
the remaining samples then hold the final values (``t_stop`` records when).
"""

import concurrent.futures
import copy
import hashlib
import math
import numbers
import os
import time
import warnings

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import xarray as xr

from .._warnings import UbermagDiracWarning
from ..macrospin import STATES, classify
from . import pulses as _pulses
from ._store import ResultStore

__all__ = [
    "DEG_PER_NS",
    "FIELD_TERM",
    "memory_per_point",
    "phase_diagram",
]

#: rad/s per deg/ns (OOMMF's unit of stopping_dm_dt)
DEG_PER_NS = math.pi / 180.0 * 1e9
#: name of the Zeeman term that carries the swept in-plane field
FIELD_TERM = "switching_field"
#: attribute of the swept damping-like amplitude per torque kind
AMPLITUDE = {"dirac": "H_DL", "she": "H_SH"}
_START = ("up", "down")


# ----------------------------------------------------------------- helpers
def _torque_classes():
    from .. import terms

    return {"dirac": terms.DiracSOT, "she": terms.SpinHallSOT}


def _torque_kind(term):
    for kind, cls in _torque_classes().items():
        if isinstance(term, cls):
            return kind
    return None


def _set(term, attr, value):
    """Set ``term.attr``; ubermagutil descriptors validate the value."""
    setattr(term, attr, value)


def _get(term, attr, default=None):
    value = term.__dict__.get(attr, None)
    return default if value is None else value


def _find_torque(system, term):
    found = []
    for t in system.dynamics:
        kind = _torque_kind(t)
        if kind is not None:
            found.append((t, kind))
    if term is not None:
        for t, kind in found:
            if t.name == term:
                return t, kind
        raise ValueError(
            f"term={term!r}: the system has no DiracSOT/SpinHallSOT dynamics term "
            f"of that name (torque terms: {[t.name for t, _ in found]})."
        )
    if not found:
        raise ValueError(
            "The system has no ud.DiracSOT or ud.SpinHallSOT dynamics term whose "
            f"amplitude could be swept (dynamics terms: "
            f"{[t.name for t in system.dynamics]})."
        )
    if len(found) > 1:
        raise ValueError(
            "The system has several torque terms "
            f"{[t.name for t, _ in found]}; choose one with term=<name>."
        )
    return found[0]


def _vec(term, attr, default):
    v = term.__dict__.get(attr, None)
    if v is None:
        v = default
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


def _grid_values(name, values):
    v = np.atleast_1d(np.asarray(values, dtype=float))
    if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be a non-empty 1D array of finite numbers.")
    if np.unique(v).size != v.size:
        raise ValueError(f"{name} has repeated values.")
    return v


def _term_by_name(system, name):
    for container in ("energy", "dynamics"):
        for t in getattr(system, container):
            if t.name == name:
                return container, t
    return None, None


def _all_term_names(system):
    return [t.name for t in system.energy] + [t.name for t in system.dynamics]


def _parse_param(system, key, sot, pulse):
    """Target ``(kind, container, term_name, attr)`` of a swept parameter key."""
    if not isinstance(key, str) or key.count(".") != 1:
        raise ValueError(
            f"Swept parameter {key!r}: use '<term name>.<attribute>' (e.g. "
            "'damping.alpha') or 'pulse.<parameter>' (e.g. 'pulse.rise')."
        )
    name, attr = key.split(".")
    if name == "pulse":
        if not isinstance(pulse, _pulses.Pulse):
            raise ValueError(
                f"Swept parameter {key!r}: sweeping the pulse needs a "
                "ubermag_dirac.switching pulse (Trapezoid, Step, ...), got "
                f"{pulse!r}."
            )
        if attr not in pulse._fields:
            raise ValueError(
                f"Swept parameter {key!r}: {type(pulse).__name__} has no parameter "
                f"{attr!r} (parameters: {list(pulse._fields)})."
            )
        return ("pulse", None, None, attr)
    container, term = _term_by_name(system, name)
    if term is None:
        raise ValueError(
            f"Swept parameter {key!r}: the system has no energy or dynamics term "
            f"named {name!r} (terms: {_all_term_names(system)})."
        )
    allowed = list(getattr(term, "_allowed_attributes", []))
    if attr not in allowed:
        raise ValueError(
            f"Swept parameter {key!r}: {type(term).__name__} has no attribute "
            f"{attr!r} (attributes: {allowed})."
        )
    if term is sot and attr in (AMPLITUDE[_torque_kind(sot)], "func", "dt"):
        raise ValueError(
            f"Swept parameter {key!r}: the torque amplitude is the hsot axis and "
            "its time dependence is the pulse; sweep those instead."
        )
    return ("term", container, name, attr)


def _fingerprint(system, meta):
    h = hashlib.sha256()
    m = system.m
    h.update(repr(m.mesh).encode())
    h.update(np.ascontiguousarray(m.array).tobytes())
    for container in ("energy", "dynamics"):
        for t in getattr(system, container):
            h.update(type(t).__name__.encode())
            h.update(t.name.encode())
            for attr in sorted(t.__dict__):
                v = t.__dict__[attr]
                h.update(attr.encode())
                if isinstance(v, df.Field):
                    h.update(np.ascontiguousarray(v.array).tobytes())
                elif isinstance(v, np.ndarray):
                    h.update(v.tobytes())
                elif callable(v) and not isinstance(v, _pulses.Pulse):
                    h.update(getattr(v, "__qualname__", type(v).__name__).encode())
                else:
                    h.update(repr(v).encode())
    import json

    h.update(json.dumps(meta, sort_keys=True, default=repr).encode())
    return h.hexdigest()[:16]


def memory_per_point(system, snapshots=0, n_samples=200):
    """Estimated memory (bytes) of one grid point (two systems) in a batch.

    Counts the engine's arrays per system (magnetisation, the seven
    Dormand-Prince stages and work arrays, fields: about 20 arrays of
    ``3 N`` float64), the zero-padded FFT buffers of the demagnetisation when
    the system has a ``Demag`` term (about 48 bytes per padded cell), the
    sampled time series and snapshots (float32).

    Parameters
    ----------
    system : micromagneticmodel.System
        Template with ``m`` defined.
    snapshots, n_samples : int
        Number of stored snapshots and time samples.

    Returns
    -------
    int

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.switching import memory_per_point
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(32e-9, 32e-9, 1e-9), n=(32, 32, 1))
    >>> s = mm.System(name="s")
    >>> s.energy = mm.Exchange(A=1e-11) + mm.Demag()
    >>> s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    >>> round(memory_per_point(s) / 2**20, 2)  # MiB
    1.34
    """
    n = system.m.mesh.n
    N = int(np.prod(n))
    per_system = 20 * 3 * N * 8
    if any(isinstance(t, mm.Demag) for t in system.energy):
        padded = int(np.prod([2 * k if k > 1 else 1 for k in n]))
        per_system += 48 * padded
    per_system += n_samples * 8 * 8 + snapshots * 3 * N * 4
    return 2 * per_system


def _available_memory():
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 2 * 2**30


# ----------------------------------------------------------------- the job
class _PackedField:
    """Picklable stand-in of a ``df.Field`` (discretisedfield 0.91 fields do not
    unpickle: ``Field.__getattr__`` recurses before ``__dict__`` is restored)."""

    def __init__(self, field):
        self.mesh = field.mesh
        self.array = np.asarray(field.array)
        self.nvdim = field.nvdim
        self.vdims = field.vdims
        self.valid = np.asarray(field.valid)

    def unpack(self):
        return df.Field(
            self.mesh,
            nvdim=self.nvdim,
            value=self.array,
            vdims=self.vdims,
            valid=self.valid,
        )


def _pack_term(term):
    if not any(isinstance(v, df.Field) for v in term.__dict__.values()):
        return term
    t = copy.copy(term)
    t.__dict__ = {
        k: _PackedField(v) if isinstance(v, df.Field) else v
        for k, v in term.__dict__.items()
    }
    return t


def _unpack_term(term):
    if not any(isinstance(v, _PackedField) for v in term.__dict__.values()):
        return term
    t = copy.copy(term)
    t.__dict__ = {
        k: v.unpack() if isinstance(v, _PackedField) else v
        for k, v in term.__dict__.items()
    }
    return t


class _Job:
    """Everything a worker needs to run some points of a sweep (picklable).

    ``micromagneticmodel`` systems and containers, and ``df.Field`` objects, do
    not survive pickling (their ``__getattr__`` recurses while unpickling), so
    the template travels as its terms and a packed magnetisation.
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __getstate__(self):
        state = dict(self.__dict__)
        s = state.pop("template")
        state["_template"] = (
            s.name,
            [_pack_term(t) for t in s.energy],
            [_pack_term(t) for t in s.dynamics],
            _PackedField(s.m),
            s.T,
        )
        state["template_term"] = _pack_term(state["template_term"])
        return state

    def __setstate__(self, state):
        name, energy, dynamics, m, T = state.pop("_template")
        s = mm.System(name=name, m=m.unpack(), T=T)
        for t in energy:
            s.energy += _unpack_term(t)
        for t in dynamics:
            s.dynamics += _unpack_term(t)
        state["template"] = s
        state["template_term"] = _unpack_term(state["template_term"])
        self.__dict__.update(state)

    # flattened grid -> values of every dim
    def point_values(self, flat):
        idx = np.unravel_index(int(flat), self.shape)
        return {
            name: float(vals[i]) for (name, vals), i in zip(self.dims, idx, strict=True)
        }

    def build_systems(self, indices):
        """Two systems (up and down start) per point, in that order."""
        tmpl = self.template
        out = []
        for flat in indices:
            vals = self.point_values(flat)
            pulse = self.pulse
            changes = {}
            for (name, _), target in zip(self.dims, self.targets, strict=True):
                kind, _, term_name, attr = target
                if kind == "pulse":
                    pulse = pulse.replace(**{attr: vals[name]})
                elif kind == "term":
                    changes.setdefault(term_name, []).append((attr, vals[name]))
            energy = mm.Energy()
            for t in tmpl.energy:
                energy += _modified(t, changes.get(t.name))
            H = vals["hx"] * self.j
            zeeman = mm.Zeeman(H=tuple(H.tolist()), name=FIELD_TERM)
            if self.field_pulse is not None:
                zeeman.func = self.field_pulse
                zeeman.dt = self.field_dt
            energy += zeeman
            dynamics = mm.Dynamics()
            for t in tmpl.dynamics:
                if t.name == self.term_name:
                    t = _modified(t, changes.get(t.name), force_copy=True)
                    _set(t, AMPLITUDE[self.kind], vals["hsot"])
                    if self.fl_ratio is not None:
                        _set(t, "H_FL", self.fl_ratio * vals["hsot"])
                    if pulse is not None:
                        _set(t, "func", pulse)
                        if self.pulse_dt is not None:
                            _set(t, "dt", self.pulse_dt)
                        else:
                            t.__dict__.pop("dt", None)
                    dynamics += t
                else:
                    dynamics += _modified(t, changes.get(t.name))
            for start in self.starts:
                out.append(
                    mm.System(
                        name=f"p{int(flat)}{start[0]}",
                        energy=energy,
                        dynamics=dynamics,
                        m=tmpl.m,
                    )
                )
        return out


def _modified(term, changes, force_copy=False):
    if not changes and not force_copy:
        return term
    t = copy.copy(term)
    t.__dict__ = dict(term.__dict__)
    for attr, value in changes or ():
        _set(t, attr, value)
    return t


def _pumping_spec(term):
    surface = term.__dict__.get("surface", None)
    thickness = term.__dict__.get("thickness", None)
    if surface is None or thickness is None:
        return None
    if not callable(getattr(surface, "pumped_current", None)):
        return None
    kw = {"thickness": float(thickness), "n": tuple(_vec(term, "n", (0, 0, 1)))}
    conv = term.__dict__.get("convention", None)
    if conv is not None:
        kw["convention"] = conv
    return surface, kw


def _engine_cls():
    from ..engine import Engine

    return Engine


def _integration_error():
    from ..engine import IntegrationError

    return IntegrationError


def _run_batch(job, indices, progress=None):
    """Integrate the points ``indices`` in one batch; dict of arrays."""
    Engine = _engine_cls()
    systems = job.build_systems(indices)
    P = len(indices)
    T = job.n_samples
    engine = Engine(systems, **job.engine_kwargs)
    B = engine.batch
    shape = engine.m.shape
    mask = engine.grid.mask.reshape(B, -1)
    count = mask.sum(axis=1)
    n = job.n
    ns = len(job.starts)
    sign = np.tile([1.0 if st == "up" else -1.0 for st in job.starts], P)
    m0 = np.zeros(shape)
    m0 += (sign[:, None] * n[None, :])[:, :, None, None, None]
    engine.m = m0
    if job.relax == "minimise":
        engine.minimise(**job.relax_kwargs)
    elif job.relax == "relax":
        engine.relax(**job.relax_kwargs)

    def averages(m):
        mf = m.reshape(B, 3, -1)
        mavg = mf.sum(axis=2) / count[:, None]
        mn = np.einsum("bci,c->bi", mf, n)
        mean_n = mn.sum(axis=1) / count
        var = np.where(mask, (mn - mean_n[:, None]) ** 2, 0.0).sum(axis=1) / count
        return mavg, np.sqrt(var)

    m_start, _ = averages(engine.m)
    m_t = np.empty((B, T, 3))
    spread_t = np.empty((B, T))
    pump = _pumping_spec(job.template_term)
    j_t = np.empty((B, T, 3)) if pump is not None else None
    snaps = None
    if job.snapshot_samples:
        snaps = np.empty((B, len(job.snapshot_samples), *shape[1:]), dtype=np.float32)
    dt = job.t_run / T
    t_const = job.constant_after
    threshold = job.stopping_dm_dt * DEG_PER_NS
    t_stop = job.t_run
    k_done = T
    m_prev = engine.m.copy()
    calm = 0
    for k in range(T):
        engine.run(dt)
        t_now = (k + 1) * dt
        m = engine.m
        m_t[:, k], spread_t[:, k] = averages(m)
        if pump is not None:
            dmdt = engine.dmdt()
            surface, kw = pump
            cells = np.moveaxis(m.reshape(B, 3, -1), 1, 2)[mask]
            dcells = np.moveaxis(dmdt.reshape(B, 3, -1), 1, 2)[mask]
            J = np.asarray(surface.pumped_current(cells, dcells, **kw), dtype=float)
            offsets = np.concatenate([[0], np.cumsum(count)[:-1]])
            j_t[:, k] = (
                np.add.reduceat(J.reshape(-1, 3), offsets, axis=0) / count[:, None]
            )
        if snaps is not None and k in job.snapshot_samples:
            snaps[:, job.snapshot_samples.index(k)] = m
        if progress is not None:
            progress(P / T)
        # at rest: the largest change of any cell over a sample interval, as a
        # rate, below the threshold twice in a row (robust against the
        # integrator's noise in stiff high-frequency modes, unlike dm/dt)
        diff = m - m_prev
        rate = np.sqrt(np.sum(diff * diff, axis=1)).max() / dt
        m_prev[...] = m
        if job.stopping_dm_dt > 0 and t_now - dt >= t_const and rate < threshold:
            calm += 1
        else:
            calm = 0
        if calm >= 2 and k < T - 1:
            k_done = k + 1
            t_stop = t_now
            break
    if k_done < T:
        m_t[:, k_done:] = m_t[:, k_done - 1 : k_done]
        spread_t[:, k_done:] = spread_t[:, k_done - 1 : k_done]
        if j_t is not None:
            j_t[:, k_done:] = j_t[:, k_done - 1 : k_done]
        if snaps is not None:
            for i, k in enumerate(job.snapshot_samples):
                if k >= k_done:
                    snaps[:, i] = engine.m
        if progress is not None:
            progress(P * (T - k_done) / T)
    st = engine.stats

    def pairs(a):
        a = a.reshape(P, ns, *a.shape[1:])
        if ns == 2:
            return a
        # one start only: the other is NaN (0 steps)
        full = np.zeros((P, 2, *a.shape[2:]), dtype=a.dtype)
        if a.dtype.kind == "f":
            full[...] = np.nan
        full[:, _START.index(job.starts[0])] = a[:, 0]
        return full

    out = {
        "index": np.asarray(indices, dtype=np.int64),
        "m_start": pairs(m_start),
        "m_final": pairs(m_t[:, -1]),
        "m_t": pairs(m_t),
        "mz_spread_t": pairs(spread_t),
        "t_stop": np.full(P, t_stop),
        "steps": pairs(np.asarray(st["steps_per_system"], dtype=np.int64)),
        "failed": np.zeros(P, dtype=bool),
        "error": np.array([""] * P),
    }
    if j_t is not None:
        out["j_pump_t"] = pairs(j_t)
    if snaps is not None:
        out["snapshots"] = pairs(snaps)
    return out


def _failed_point(job, flat, message):
    T = job.n_samples
    nan3 = np.full((1, 2, 3), np.nan)
    out = {
        "index": np.array([flat], dtype=np.int64),
        "m_start": nan3,
        "m_final": nan3.copy(),
        "m_t": np.full((1, 2, T, 3), np.nan),
        "mz_spread_t": np.full((1, 2, T), np.nan),
        "t_stop": np.array([np.nan]),
        "steps": np.zeros((1, 2), dtype=np.int64),
        "failed": np.array([True]),
        "error": np.array([message]),
    }
    if job.has_pumping:
        out["j_pump_t"] = np.full((1, 2, T, 3), np.nan)
    if job.snapshot_samples:
        nx = job.template.m.mesh.n
        out["snapshots"] = np.full(
            (1, 2, len(job.snapshot_samples), 3, *nx), np.nan, dtype=np.float32
        )
    return out


def _concat(parts):
    keys = parts[0].keys()
    return {k: np.concatenate([np.atleast_1d(p[k]) for p in parts]) for k in keys}


def run_chunk(job, indices, progress=None):
    """Run some points of a sweep (module-level so executors can pickle it).

    A batch that fails (:class:`~ubermag_dirac.engine.IntegrationError`) is
    retried point by point; points that fail alone are returned with
    ``failed = True``, NaN values and the error message.
    """
    start = time.perf_counter()
    IntegrationError = _integration_error()
    try:
        out = _run_batch(job, indices, progress)
    except IntegrationError:
        if len(indices) == 1:
            out = _failed_point(job, indices[0], "")
        else:
            parts = []
            for flat in indices:
                try:
                    parts.append(_run_batch(job, [flat], None))
                except IntegrationError as exc:
                    parts.append(_failed_point(job, flat, str(exc)))
            out = _concat(parts)
            if progress is not None:
                progress(0.0)
    out["chunk_wall_time"] = np.array(time.perf_counter() - start)
    return out


# ----------------------------------------------------------------- assembly
def assemble(meta, chunks):
    """Dataset from the JSON metadata of a sweep and its chunk arrays.

    Points not computed (missing chunks) are NaN with ``computed = False``.
    """
    dims = [(name, np.asarray(vals, dtype=float)) for name, vals in meta["dims"]]
    shape = tuple(v.size for _, v in dims)
    npts = int(np.prod(shape))
    T = int(meta["n_samples"])
    n = np.asarray(meta["attrs"]["n"], dtype=float)
    data = {}
    computed = np.zeros(npts, dtype=bool)
    if chunks:
        allc = _concat(chunks)
        idx = allc["index"]
        computed[idx] = True
        for key, arr in allc.items():
            if key in ("index", "chunk_wall_time"):
                continue
            full_shape = (npts, *arr.shape[1:])
            if arr.dtype.kind in "fc":
                full = np.full(full_shape, np.nan, dtype=arr.dtype)
            elif arr.dtype.kind == "b":
                full = np.zeros(full_shape, dtype=bool)
            elif arr.dtype.kind in "iu":
                full = np.zeros(full_shape, dtype=arr.dtype)
            else:
                full = np.full(full_shape, "", dtype=object)
            full[idx] = arr
            data[key] = full.reshape(*shape, *arr.shape[1:])
    else:
        raise ValueError("No computed points in this sweep yet.")
    g = tuple(name for name, _ in dims)
    times = (np.arange(T) + 1) * float(meta["t_run"]) / T
    m_t = data["m_t"]
    mz_t = np.einsum("...c,c->...", m_t, n)
    mz0 = np.einsum("...c,c->...", data["m_start"], n)
    mz_end = np.einsum("...c,c->...", data["m_final"], n)
    tol = float(meta["attrs"]["tol"])
    state = classify(mz_end[..., 0], mz_end[..., 1], tol=tol)
    with np.errstate(invalid="ignore"):
        min_abs = np.minimum(np.abs(mz0), np.min(np.abs(mz_t), axis=-1))
    sw_time = _switching_time(times, mz0, mz_t, mz_end, tol)
    var = {
        "m": ((*g, "start", "component"), data["m_final"]),
        "mz_up": (g, mz_end[..., 0]),
        "mz_down": (g, mz_end[..., 1]),
        "state": (
            g,
            state,
            {
                "flag_values": list(range(len(STATES))),
                "flag_meanings": " ".join(STATES),
            },
        ),
        "m_start": ((*g, "start", "component"), data["m_start"]),
        "switching_time": ((*g, "start"), sw_time, {"units": "s"}),
        "min_abs_mz": ((*g, "start"), min_abs),
        "mz_spread_max": ((*g, "start"), np.max(data["mz_spread_t"], axis=-1)),
        "mz_spread_final": ((*g, "start"), data["mz_spread_t"][..., -1]),
        "m_t": ((*g, "start", "time", "component"), m_t),
        "mz_spread_t": ((*g, "start", "time"), data["mz_spread_t"]),
        "t_stop": (g, data["t_stop"], {"units": "s"}),
        "steps": ((*g, "start"), data["steps"]),
        "failed": (g, data["failed"]),
        "computed": (g, computed.reshape(shape)),
    }
    errors = data["error"].astype(str)
    if np.any(errors != ""):
        var["error"] = (g, errors)
    if "j_pump_t" in data:
        jt = data["j_pump_t"]
        var["j_pump_t"] = ((*g, "start", "time", "component"), jt, {"units": "A/m^2"})
        var["j_pump_mean"] = (
            (*g, "start", "component"),
            _time_average(times, jt),
            {"units": "A/m^2"},
        )
    coords = {
        name: (name, vals, {"units": _UNITS.get(name, "")}) for name, vals in dims
    }
    coords["start"] = ("start", list(_START))
    coords["component"] = ("component", ["x", "y", "z"])
    coords["time"] = ("time", times, {"units": "s"})
    if "snapshots" in data:
        var["snapshots"] = (
            (*g, "start", "snapshot", "component", "cx", "cy", "cz"),
            data["snapshots"],
        )
        coords["snapshot_time"] = (
            "snapshot",
            times[np.asarray(meta["snapshot_samples"], dtype=int)],
            {"units": "s"},
        )
    attrs = dict(meta["attrs"])
    attrs["states"] = list(STATES)
    H_K = attrs.get("H_K_eff")
    if H_K is not None and H_K > 0:
        coords["hx_reduced"] = ("hx", coords["hx"][1] / H_K, {"units": "H_K_eff"})
        coords["hsot_reduced"] = (
            "hsot",
            coords["hsot"][1] / H_K,
            {"units": "H_K_eff"},
        )
    ds = xr.Dataset(var, coords=coords, attrs=attrs)
    ds.hx.attrs["long_name"] = "H_x (along j)"
    ds.hsot.attrs["long_name"] = "H_DL" if attrs["torque"] == "dirac" else "H_SH"
    return ds


_UNITS = {"hx": "A/m", "hsot": "A/m"}


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


# ----------------------------------------------------------------- public API
def phase_diagram(
    system,
    hx,
    hsot,
    *,
    params=None,
    term=None,
    pulse=None,
    pulse_dt=None,
    field_pulse=None,
    field_dt=None,
    t_run=2e-9,
    n_samples=100,
    relax="minimise",
    relax_kwargs=None,
    stopping_dm_dt=0.1,
    tol=1e-3,
    scale_fl=True,
    starts=("up", "down"),
    snapshots=0,
    chunk_size=None,
    memory_limit=None,
    executor=None,
    dirname=None,
    overwrite=False,
    progress=True,
    engine_kwargs=None,
):
    r"""Switching phase diagram of a micromagnetic film (module docstring).

    Parameters
    ----------
    system : micromagneticmodel.System
        Template: mesh and ``m`` (only its norm, ``Ms``, is used), energy
        (exchange, anisotropy, DMI, demag, ... as the engine supports),
        dynamics with ``mm.Precession``, ``mm.Damping`` and one ``ud.DiracSOT``
        or ``ud.SpinHallSOT`` whose amplitude is swept. The system is not
        modified.
    hx : array_like
        In-plane field values (A/m) along the current direction ``j`` of the
        torque term. It is a separate Zeeman term (``"switching_field"``),
        added to any Zeeman term of the template.
    hsot : array_like
        Damping-like amplitudes (A/m): ``H_DL`` (Dirac) or ``H_SH`` (spin Hall).
    params : dict, optional
        Further swept parameters, ``{"<term name>.<attribute>": values}`` (e.g.
        ``{"damping.alpha": [0.05, 0.1]}``, ``{"diracsot.beta": [0, 0.5]}``) or
        ``{"pulse.<parameter>": values}`` (e.g. ``{"pulse.rise": [0, 1e-10]}``,
        s). Each becomes a dimension of the result, after ``hx`` and ``hsot``.
    term : str, optional
        Name of the torque term when the system has several.
    pulse : Pulse or callable, optional
        Time dependence ``func(t)`` of the current (``t`` in s from the start
        of the dynamics): :class:`~ubermag_dirac.switching.Step`,
        :class:`~ubermag_dirac.switching.Trapezoid`, ... Default: the term's own
        ``func`` if it has one, else a step at ``t = 0`` that stays on. Must be
        picklable to run on an executor.
    pulse_dt : float, optional
        Sampling interval (s) of ``pulse`` (OOMMF-style piecewise constant);
        default: evaluated exactly.
    field_pulse : Pulse or callable, optional
        Time dependence of the swept field (requires ``field_dt``, as Ubermag's
        Zeeman ``func``). The relaxation uses its value at ``t = 0``.
    field_dt : float, optional
        Sampling interval (s) of ``field_pulse``.
    t_run : float
        Duration of the dynamics (s).
    n_samples : int
        Number of samples of the time series (every ``t_run / n_samples``).
    relax : {"minimise", "relax", None}
        Field relaxation before the current: energy minimisation
        (:meth:`Engine.minimise`), damped dynamics without precession
        (:meth:`Engine.relax`), or none (start exactly at :math:`\pm\mathbf n`,
        the macrospin's protocol B).
    relax_kwargs : dict, optional
        Passed to the relaxation (e.g. ``{"stopping_mxHxm": 0.1}``).
    stopping_dm_dt : float
        Early stop (deg/ns) once every system of a chunk is at rest after the
        pulses stopped changing; 0 disables it.
    tol : float
        Classification threshold on :math:`|\langle m_n\rangle|`.
    scale_fl : bool
        ``ud.DiracSOT``: scale ``H_FL`` with ``H_DL`` keeping the template's
        ratio (both are proportional to the current); False keeps ``H_FL``.
    starts : sequence of {"up", "down"}
        Starts to run (default both); with one, the other start's values are
        NaN and the state is "mixed" (for threshold scans, which need only the
        start that can switch: half the cost).
    snapshots : int
        Number of magnetisation snapshots to keep per run (evenly spaced in
        time, the last at ``t_run``; float32).
    chunk_size : int, optional
        Grid points per batched integration; default from ``memory_limit`` and
        the number of workers.
    memory_limit : float, optional
        Bytes a chunk may use (default: a quarter of the available memory,
        divided among the executor's workers).
    executor : concurrent.futures.Executor, optional
        Runs the chunks (e.g. ``ProcessPoolExecutor``; a dask
        ``Client.get_executor()``); default: in this process.
    dirname : path-like, optional
        Results folder: each finished chunk is written there; a rerun with the
        same folder and sweep computes only the missing points.
    overwrite : bool
        Replace results of a different sweep found in ``dirname``.
    progress : bool
        Show a tqdm progress bar.
    engine_kwargs : dict, optional
        Passed to :class:`~ubermag_dirac.engine.Engine` (``tol``, ``h_max``,
        ``threads``; default ``threads=1``).

    Returns
    -------
    xarray.Dataset
        Dimensions ``hx``, ``hsot`` (A/m), the ``params`` keys, ``start`` (up,
        down), ``component`` (x, y, z), ``time`` (s). Variables as the
        macrospin's (``m``, ``mz_up``, ``mz_down``, ``state`` with the codes of
        :data:`ubermag_dirac.macrospin.STATES`) plus the observables of the
        module docstring, ``m_start`` (relaxed state), ``t_stop``, ``steps``,
        ``failed``. Coordinates ``hx_reduced``, ``hsot_reduced`` (in units of
        :math:`H_{K,\mathrm{eff}}`) and ``attrs`` with the macrospin-equivalent
        parameters when the film allows them
        (:func:`~ubermag_dirac.switching.effective_anisotropy`).

    Examples
    --------
    A swept parameter that the system does not have is refused, naming it:

    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 1e-9), n=(2, 2, 1))
    >>> s = mm.System(name="dot")
    >>> s.energy = mm.Exchange(A=1.5e-11) + mm.UniaxialAnisotropy(K=8e5, u=(0, 0, 1))
    >>> s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.3)
    >>> s.dynamics += ud.SpinHallSOT(H_SH=0.0)
    >>> s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    >>> ud.switching.phase_diagram(s, [0.0], [0.0], params={"dmi.D": [1e-3]})
    Traceback (most recent call last):
    ...
    ValueError: Swept parameter 'dmi.D': the system has no ... term named 'dmi' ...

    A small sweep (the single-domain dot behaves as a macrospin with
    :math:`H_K = 2K/(\mu_0 M_s)`: at zero field a spin-Hall torque above
    :math:`H_K/2` pulls both starts into the plane):

    >>> ds = ud.switching.phase_diagram(
    ...     s, [0.0], [0.0, 1.2e6], t_run=0.5e-9, n_samples=20, progress=False
    ... )
    >>> ds.state.values
    array([[0, 3]], dtype=int8)
    >>> [ds.attrs["states"][k] for k in ds.state.values[0]]
    ['bistable', 'inplane']
    """
    if not isinstance(system, mm.System) or system.m is None:
        raise TypeError("system must be a micromagneticmodel.System with m set.")
    sot, kind = _find_torque(system, term)
    if any(t.name == FIELD_TERM for t in system.energy):
        raise ValueError(
            f"The system already has a term named {FIELD_TERM!r}; it is reserved "
            "for the swept field."
        )
    hx = _grid_values("hx", hx)
    hsot = _grid_values("hsot", hsot)
    pulse = _pulses.as_func(pulse, "pulse")
    field_pulse = _pulses.as_func(field_pulse, "field_pulse")
    if field_pulse is not None and field_dt is None:
        raise ValueError("field_pulse needs field_dt (as Ubermag's Zeeman func).")
    if pulse is None:
        pulse = _get(sot, "func")
        if pulse_dt is None:
            pulse_dt = _get(sot, "dt")
    if not (isinstance(t_run, numbers.Real) and math.isfinite(t_run) and t_run > 0):
        raise ValueError(f"t_run must be a positive duration in s, got {t_run!r}.")
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError("n_samples must be an integer.")
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}.")
    if relax not in ("minimise", "relax", None):
        raise ValueError(f"relax must be 'minimise', 'relax' or None, got {relax!r}.")
    if not (stopping_dm_dt >= 0):
        raise ValueError(f"stopping_dm_dt must be >= 0, got {stopping_dm_dt!r}.")
    if not (tol > 0):
        raise ValueError(f"tol must be > 0, got {tol!r}.")
    if int(snapshots) < 0:
        raise ValueError("snapshots must be >= 0.")
    starts = tuple(starts)
    if not starts or len(set(starts)) != len(starts) or set(starts) - set(_START):
        raise ValueError(f"starts must be 'up' and/or 'down', got {starts!r}.")
    starts = tuple(st for st in _START if st in starts)
    params = dict(params or {})
    dims = [("hx", hx), ("hsot", hsot)]
    targets = [("hx", None, None, None), ("hsot", None, None, None)]
    for key, values in params.items():
        if key in ("hx", "hsot", "start", "component", "time"):
            raise ValueError(f"Swept parameter {key!r} clashes with a dimension name.")
        target = _parse_param(system, key, sot, pulse)
        values = _grid_values(key, values)
        _validate_values(system, key, target, values, pulse)
        dims.append((key, values))
        targets.append(target)

    j = _vec(sot, "j", (1, 0, 0))
    n = _vec(sot, "n", (0, 0, 1))
    fl_ratio = None
    if kind == "dirac" and scale_fl:
        h_dl = _get(sot, "H_DL", 0.0)
        h_fl = _get(sot, "H_FL", 0.0)
        if isinstance(h_dl, numbers.Real) and isinstance(h_fl, numbers.Real):
            if h_dl != 0:
                fl_ratio = float(h_fl) / float(h_dl)
        else:
            raise ValueError(
                "scale_fl needs scalar H_DL and H_FL in the template; use "
                "scale_fl=False to keep a region/field-valued H_FL."
            )
    n_snap = int(snapshots)
    snapshot_samples = sorted(
        {round((i + 1) * n_samples / n_snap) - 1 for i in range(n_snap)}
    )
    attrs = _attributes(system, sot, kind, j, n, fl_ratio)
    attrs.update(
        {
            "tol": float(tol),
            "t_run": float(t_run),
            "n_samples": int(n_samples),
            "pulse": repr(pulse if pulse is not None else _pulses.Step()),
            "field_pulse": repr(field_pulse) if field_pulse is not None else "none",
            "relax": str(relax),
            "stopping_dm_dt": float(stopping_dm_dt),
            "system": system.name,
            "mesh_n": list(system.m.mesh.n),
            "mesh_cell": list(system.m.mesh.cell),
            "term": sot.name,
            "starts": list(starts),
            "protocol": "A" if relax is not None else "B",
        }
    )
    meta = {
        "dims": [(name, vals.tolist()) for name, vals in dims],
        "n_samples": int(n_samples),
        "t_run": float(t_run),
        "snapshot_samples": snapshot_samples,
        "attrs": attrs,
    }
    job = _Job(
        template=system,
        template_term=sot,
        term_name=sot.name,
        kind=kind,
        j=j,
        n=n,
        fl_ratio=fl_ratio,
        dims=dims,
        targets=targets,
        shape=tuple(v.size for _, v in dims),
        pulse=pulse,
        pulse_dt=pulse_dt,
        field_pulse=field_pulse,
        field_dt=field_dt,
        t_run=float(t_run),
        n_samples=int(n_samples),
        relax=relax,
        relax_kwargs=dict(relax_kwargs or {}),
        stopping_dm_dt=float(stopping_dm_dt),
        constant_after=max(
            _max_constant_after(pulse, dims, targets),
            _pulses.constant_after(field_pulse),
        ),
        snapshot_samples=snapshot_samples,
        has_pumping=_pumping_spec(sot) is not None,
        starts=starts,
        engine_kwargs={"threads": 1, **(engine_kwargs or {})},
    )
    npts = int(np.prod(job.shape))
    store = None
    done = np.zeros(0, dtype=np.int64)
    if dirname is not None:
        fp = _fingerprint(system, {**meta, "pulse_repr": attrs["pulse"]})
        store = ResultStore(dirname, fp, meta, overwrite=overwrite)
        done = store.done_indices()
    pending = np.setdiff1d(np.arange(npts), done)
    results = []
    if pending.size:
        n_workers = _n_workers(executor)
        per_point = memory_per_point(system, n_snap, n_samples)
        if chunk_size is None:
            limit = (
                memory_limit if memory_limit is not None else _available_memory() / 4
            )
            by_mem = max(1, int(limit / n_workers // per_point))
            chunk_size = max(1, min(by_mem, math.ceil(pending.size / n_workers)))
        elif int(chunk_size) < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}.")
        chunk_size = int(chunk_size)
        chunks = [
            pending[i : i + chunk_size].tolist()
            for i in range(0, pending.size, chunk_size)
        ]
        results = _execute(job, chunks, executor, store, progress, npts, done.size)
    if store is not None:
        results = store.load_chunks()
    ds = assemble(meta, results)
    ds.attrs["chunk_size"] = int(chunk_size) if chunk_size is not None else 0
    if np.any(ds.failed.values):
        warnings.warn(
            f"{int(ds.failed.values.sum())} grid point(s) failed to integrate "
            "(see ds.error); their values are NaN and their state 'mixed'.",
            UbermagDiracWarning,
            stacklevel=2,
        )
    return ds


def _max_constant_after(pulse, dims, targets):
    out = _pulses.constant_after(pulse)
    for (_, vals), target in zip(dims, targets, strict=True):
        if target[0] == "pulse":
            for v in vals:
                out = max(out, _pulses.constant_after(pulse.replace(**{target[3]: v})))
    return out


def _validate_values(system, key, target, values, pulse):
    kind, _, name, attr = target
    for v in values:
        try:
            if kind == "pulse":
                pulse.replace(**{attr: float(v)})
            else:
                _, t = _term_by_name(system, name)
                _modified(t, [(attr, float(v))])
        except (ValueError, TypeError) as exc:
            raise ValueError(f"Swept parameter {key!r} = {float(v)!r}: {exc}") from exc


def _scalar_attr(term, attr, default):
    v = _get(term, attr, default)
    return float(v) if isinstance(v, numbers.Real) else None


def _attributes(system, sot, kind, j, n, fl_ratio):
    from .anisotropy import effective_anisotropy

    attrs = {
        "torque": kind,
        "j": j.tolist(),
        "n": n.tolist(),
        "h_fl_ratio": fl_ratio if fl_ratio is not None else 0.0,
        "scale_fl": int(fl_ratio is not None),
    }
    if kind == "dirac":
        for a in ("beta", "H_FL"):
            v = _scalar_attr(sot, a, 0.0)
            if v is not None:
                attrs[a] = v
    for t in system.dynamics:
        if isinstance(t, mm.Precession):
            v = _scalar_attr(t, "gamma0", None)
            if v is not None:
                attrs["gamma0"] = v
        elif isinstance(t, mm.Damping):
            v = _scalar_attr(t, "alpha", None)
            if v is not None:
                attrs["alpha"] = v
        elif type(t).__name__ == "AnisotropicDamping":
            v = _scalar_attr(t, "delta_alpha", None)
            if v is not None:
                attrs["delta_alpha"] = v
    attrs.setdefault("alpha", 0.0)
    attrs.setdefault("delta_alpha", 0.0)
    try:
        eff = effective_anisotropy(system, n=n, j=j)
    except (ValueError, TypeError) as exc:
        attrs["macrospin_equivalent"] = f"none: {exc}"
    else:
        attrs.update(
            {
                "H_K_eff": eff["H_K_eff"],
                "H_K": eff["H_K"],
                "H_shape": eff["H_shape"],
                "Ms": eff["Ms"],
                "N": list(eff["N"]),
                "edges": list(eff["edges"]),
                "macrospin_equivalent": "yes",
            }
        )
    return attrs


def _n_workers(executor):
    if executor is None:
        return 1
    n = getattr(executor, "_max_workers", None)
    if isinstance(n, int) and n > 0:
        return n
    return os.cpu_count() or 1


def _execute(job, chunks, executor, store, progress, npts, ndone):
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=npts, initial=ndone, unit="point", desc="switching sweep")
    results = []
    try:
        if executor is None:
            done = float(ndone)

            def upd(x):
                # float increments: never let rounding pass the chunk's end
                nonlocal done
                x = max(0.0, min(x, end - done))
                done += x
                bar.update(x)

            for idx in chunks:
                end = done + len(idx)
                res = run_chunk(job, idx, upd if bar is not None else None)
                if bar is not None and end > done:
                    upd(end - done)
                results.append(res)
                if store is not None:
                    store.write_chunk(res)
        else:
            if not isinstance(executor, concurrent.futures.Executor) and hasattr(
                executor, "get_executor"
            ):
                executor = executor.get_executor()  # dask.distributed.Client
            futures = {executor.submit(run_chunk, job, idx): idx for idx in chunks}
            try:
                for fut in concurrent.futures.as_completed(futures):
                    res = fut.result()
                    results.append(res)
                    if store is not None:
                        store.write_chunk(res)
                    if bar is not None:
                        bar.update(len(futures[fut]))
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    finally:
        if bar is not None:
            bar.close()
    return results
