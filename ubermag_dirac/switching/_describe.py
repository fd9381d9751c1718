"""From the arguments of a sweep to its :class:`~._job.Job` and metadata.

Validates every argument (errors name the parameter and what is allowed),
resolves the swept parameters to their targets, and describes the sweep as
JSON metadata (dims, attributes of the Dataset) and a fingerprint that keys
its results folder.
"""

import hashlib
import json
import math
import numbers

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

from . import pulses as _pulses
from ._job import FIELD_TERM, Job, _get, _modified, _vec, pumping_spec
from ._torque import AMPLITUDE, FIELD_LIKE, RECORDED, find_torque, torque_kind

__all__ = ["START", "describe", "fingerprint"]

START = ("up", "down")
_RESERVED = ("hx", "hsot", "start", "component", "time")


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


def _parse_pulse_param(key, attr, pulse):
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


def _parse_param(system, key, sot, pulse):
    """Target ``(kind, container, term_name, attr)`` of a swept parameter key."""
    if not isinstance(key, str) or key.count(".") != 1:
        raise ValueError(
            f"Swept parameter {key!r}: use '<term name>.<attribute>' (e.g. "
            "'damping.alpha') or 'pulse.<parameter>' (e.g. 'pulse.rise')."
        )
    name, attr = key.split(".")
    if name == "pulse":
        return _parse_pulse_param(key, attr, pulse)
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
    if term is sot and attr in (AMPLITUDE[torque_kind(sot)], "func", "dt"):
        raise ValueError(
            f"Swept parameter {key!r}: the torque amplitude is the hsot axis and "
            "its time dependence is the pulse; sweep those instead."
        )
    return ("term", container, name, attr)


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


def _dims_and_targets(system, hx, hsot, params, sot, pulse):
    """``dims [(name, values)]`` and ``targets`` of the grid (hx, hsot, params)."""
    dims = [("hx", _grid_values("hx", hx)), ("hsot", _grid_values("hsot", hsot))]
    targets = [("hx", None, None, None), ("hsot", None, None, None)]
    for key, values in dict(params or {}).items():
        if key in _RESERVED:
            raise ValueError(f"Swept parameter {key!r} clashes with a dimension name.")
        target = _parse_param(system, key, sot, pulse)
        values = _grid_values(key, values)
        _validate_values(system, key, target, values, pulse)
        dims.append((key, values))
        targets.append(target)
    return dims, targets


def _check_protocol(t_run, n_samples, relax, stopping_dm_dt, tol, snapshots, starts):
    """Validate the protocol arguments; the normalised ``starts``."""
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
    if not starts or len(set(starts)) != len(starts) or set(starts) - set(START):
        raise ValueError(f"starts must be 'up' and/or 'down', got {starts!r}.")
    return tuple(st for st in START if st in starts)


def _fl_ratio(sot, kind, scale_fl):
    """H_FL / H_DL of the template when the field-like amplitude scales."""
    if kind not in FIELD_LIKE or not scale_fl:
        return None
    h_dl = _get(sot, AMPLITUDE[kind], 0.0)
    h_fl = _get(sot, FIELD_LIKE[kind], 0.0)
    if isinstance(h_dl, numbers.Real) and isinstance(h_fl, numbers.Real):
        return float(h_fl) / float(h_dl) if h_dl != 0 else None
    raise ValueError(
        "scale_fl needs scalar H_DL and H_FL in the template; use "
        "scale_fl=False to keep a region/field-valued H_FL."
    )


def _snapshot_samples(snapshots, n_samples):
    n_snap = int(snapshots)
    return sorted({round((i + 1) * n_samples / n_snap) - 1 for i in range(n_snap)})


def _max_constant_after(pulse, dims, targets):
    out = _pulses.constant_after(pulse)
    for (_, vals), target in zip(dims, targets, strict=True):
        if target[0] == "pulse":
            for v in vals:
                out = max(out, _pulses.constant_after(pulse.replace(**{target[3]: v})))
    return out


def _scalar_attr(term, attr, default):
    v = _get(term, attr, default)
    return float(v) if isinstance(v, numbers.Real) else None


def _damping_attributes(system):
    from ..terms import AnisotropicDamping

    attrs = {}
    for t in system.dynamics:
        if isinstance(t, mm.Precession):
            key, v = "gamma0", _scalar_attr(t, "gamma0", None)
        elif isinstance(t, mm.Damping):
            key, v = "alpha", _scalar_attr(t, "alpha", None)
        elif isinstance(t, AnisotropicDamping):
            key, v = "delta_alpha", _scalar_attr(t, "delta_alpha", None)
        else:
            continue
        if v is not None:
            attrs[key] = v
    attrs.setdefault("alpha", 0.0)
    attrs.setdefault("delta_alpha", 0.0)
    return attrs


def _attributes(system, sot, kind, j, n, fl_ratio):
    """Physical attributes of the Dataset (macrospin equivalent when possible)."""
    from .anisotropy import effective_anisotropy

    attrs = {
        "torque": kind,
        "j": j.tolist(),
        "n": n.tolist(),
        "h_fl_ratio": fl_ratio if fl_ratio is not None else 0.0,
        "scale_fl": int(fl_ratio is not None),
    }
    for a in RECORDED[kind]:
        v = _scalar_attr(sot, a, 0.0)
        if v is not None:
            attrs[a] = v
    attrs.update(_damping_attributes(system))
    try:
        eff = effective_anisotropy(system, n=n, j=j)
    except (ValueError, TypeError) as exc:
        attrs["macrospin_equivalent"] = f"none: {exc}"
    else:
        attrs.update({k: eff[k] for k in ("H_K_eff", "H_K", "H_shape", "Ms")})
        attrs["N"] = list(eff["N"])
        attrs["edges"] = list(eff["edges"])
        attrs["macrospin_equivalent"] = "yes"
    return attrs


def _protocol_attributes(system, sot, starts, o):
    return {
        "tol": float(o["tol"]),
        "t_run": float(o["t_run"]),
        "n_samples": int(o["n_samples"]),
        "pulse": repr(o["pulse"] if o["pulse"] is not None else _pulses.Step()),
        "field_pulse": repr(o["field_pulse"])
        if o["field_pulse"] is not None
        else "none",
        "relax": str(o["relax"]),
        "stopping_dm_dt": float(o["stopping_dm_dt"]),
        "system": system.name,
        "mesh_n": list(system.m.mesh.n),
        "mesh_cell": list(system.m.mesh.cell),
        "term": sot.name,
        "starts": list(starts),
        "protocol": "A" if o["relax"] is not None else "B",
    }


def describe(system, hx, hsot, **options):
    """Validated :class:`~._job.Job` and JSON metadata of a sweep.

    ``options`` are the protocol keywords of
    :func:`~ubermag_dirac.switching.phase_diagram` (``params``, ``term``,
    ``pulse``, ``pulse_dt``, ``field_pulse``, ``field_dt``, ``t_run``,
    ``n_samples``, ``relax``, ``relax_kwargs``, ``stopping_dm_dt``, ``tol``,
    ``scale_fl``, ``starts``, ``snapshots``, ``engine_kwargs``).
    """
    o = dict(options)
    if not isinstance(system, mm.System) or system.m is None:
        raise TypeError("system must be a micromagneticmodel.System with m set.")
    sot, kind = find_torque(system, o["term"])
    if any(t.name == FIELD_TERM for t in system.energy):
        raise ValueError(
            f"The system already has a term named {FIELD_TERM!r}; it is reserved "
            "for the swept field."
        )
    hx, hsot = _grid_values("hx", hx), _grid_values("hsot", hsot)
    pulse = _pulses.as_func(o["pulse"], "pulse")
    o["field_pulse"] = _pulses.as_func(o["field_pulse"], "field_pulse")
    if o["field_pulse"] is not None and o["field_dt"] is None:
        raise ValueError("field_pulse needs field_dt (as Ubermag's Zeeman func).")
    if pulse is None:
        pulse = _get(sot, "func")
        if o["pulse_dt"] is None:
            o["pulse_dt"] = _get(sot, "dt")
    o["pulse"] = pulse
    starts = _check_protocol(
        *(o[k] for k in ("t_run", "n_samples", "relax", "stopping_dm_dt", "tol")),
        o["snapshots"],
        o["starts"],
    )
    dims, targets = _dims_and_targets(system, hx, hsot, o["params"], sot, pulse)
    j = _vec(sot, "j", (1, 0, 0))
    n = _vec(sot, "n", (0, 0, 1))
    fl_ratio = _fl_ratio(sot, kind, o["scale_fl"])
    snapshot_samples = _snapshot_samples(o["snapshots"], o["n_samples"])
    attrs = _attributes(system, sot, kind, j, n, fl_ratio)
    attrs.update(_protocol_attributes(system, sot, starts, o))
    meta = {
        "dims": [(name, vals.tolist()) for name, vals in dims],
        "n_samples": int(o["n_samples"]),
        "t_run": float(o["t_run"]),
        "snapshot_samples": snapshot_samples,
        "attrs": attrs,
    }
    job = Job(
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
        pulse_dt=o["pulse_dt"],
        field_pulse=o["field_pulse"],
        field_dt=o["field_dt"],
        t_run=float(o["t_run"]),
        n_samples=int(o["n_samples"]),
        relax=o["relax"],
        relax_kwargs=dict(o["relax_kwargs"] or {}),
        stopping_dm_dt=float(o["stopping_dm_dt"]),
        constant_after=max(
            _max_constant_after(pulse, dims, targets),
            _pulses.constant_after(o["field_pulse"]),
        ),
        snapshot_samples=snapshot_samples,
        has_pumping=pumping_spec(sot) is not None,
        starts=starts,
        engine_kwargs={"threads": 1, **(o["engine_kwargs"] or {})},
    )
    return job, meta


def fingerprint(system, meta):
    """Hash identifying a sweep (the key of its results folder)."""
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
    h.update(json.dumps(meta, sort_keys=True, default=repr).encode())
    return h.hexdigest()[:16]
