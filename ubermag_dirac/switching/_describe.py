"""From the arguments of a sweep to one description of the job, :class:`SweepSpec`.

Validates every argument (errors name the parameter and what is allowed) and
resolves the swept parameters to their targets. The fingerprint that keys the
results folder, the attributes of the Dataset and the :class:`~._job.Job` of
the workers all derive from the one :class:`SweepSpec`.
"""

import dataclasses
import functools
import inspect
import json
import math
import numbers

import micromagneticmodel as mm
import numpy as np

from .. import _numbers, torques
from .._termparams import term_value as _get
from ..terms.dirac_sot import pumping_spec
from . import pulses as _pulses
from ._canonical import canonical, digest
from ._grid_units import add_note
from ._job import FIELD_TERM, Job, _modified, _vec
from ._torque import find_torque

__all__ = ["DERIVED_FIELDS", "GRID_ARGUMENTS", "RUN_OPTIONS", "START", "SweepSpec"]

START = ("up", "down")
_RESERVED = ("hx", "hsot", "start", "component", "time")


def _grid_values(name, values):
    v = np.atleast_1d(_numbers.reals(name, values))
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
    if term is sot and attr in (torques.for_term(sot).amplitude.attr, "func", "dt"):
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


def _check_protocol(o):
    """Validate the protocol arguments of ``o`` (normalised in place)."""
    t_run = o["t_run"]
    if not (_numbers.is_real(t_run) and math.isfinite(t_run) and t_run > 0):
        raise ValueError(f"t_run must be a positive duration in s, got {t_run!r}.")
    o["t_run"] = float(t_run)
    for key in ("n_samples", "snapshots"):
        if isinstance(o[key], bool) or not isinstance(o[key], numbers.Integral):
            raise TypeError(f"{key} must be an integer, got {o[key]!r}.")
        o[key] = int(o[key])
    if o["n_samples"] < 1:
        raise ValueError(f"n_samples must be >= 1, got {o['n_samples']}.")
    if not 0 <= o["snapshots"] <= o["n_samples"]:
        raise ValueError(
            f"snapshots = {o['snapshots']} must be between 0 and n_samples = "
            f"{o['n_samples']}: snapshots are taken at sample times."
        )
    if o["relax"] not in ("minimise", "relax", None):
        raise ValueError(
            f"relax must be 'minimise', 'relax' or None, got {o['relax']!r}."
        )
    for key, low in (("stopping_dm_dt", "0 (0: no early stop)"), ("tol", "0")):
        value = _numbers.real(key, o[key])
        if not (value >= 0 if key == "stopping_dm_dt" else value > 0):
            raise ValueError(f"{key} must be > {low}, got {o[key]!r}.")
        o[key] = value
    starts = o["starts"]
    starts = (starts,) if isinstance(starts, str) else tuple(starts)
    if not starts or len(set(starts)) != len(starts) or set(starts) - set(START):
        raise ValueError(f"starts must be 'up' and/or 'down', got {o['starts']!r}.")
    o["starts"] = tuple(st for st in START if st in starts)
    o["scale_fl"] = bool(o["scale_fl"])


def _check_kwargs(name, kwargs, allowed):
    """A dict of keyword arguments whose keys are among ``allowed``."""
    if kwargs is None:
        return {}
    if not isinstance(kwargs, dict):
        raise TypeError(f"{name} must be a dict, got {type(kwargs).__name__}.")
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise ValueError(
            f"{name}: unknown key(s) {unknown}; allowed: {sorted(allowed)}."
        )
    return dict(kwargs)


def _keywords(func, exclude=()):
    params = inspect.signature(func).parameters.values()
    return [
        p.name
        for p in params
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        and p.name not in ("self", *exclude)
    ]


def _check_engine_and_relax(o):
    from ..engine import Engine

    o["engine_kwargs"] = {
        "threads": 1,
        **_check_kwargs(
            "engine_kwargs", o["engine_kwargs"], _keywords(Engine, ("systems",))
        ),
    }
    method = {"minimise": Engine.minimise, "relax": Engine.relax}.get(o["relax"])
    allowed = _keywords(method, ("callback",)) if method is not None else []
    o["relax_kwargs"] = _check_kwargs("relax_kwargs", o["relax_kwargs"], allowed)


def _fl_ratio(sot, torque, scale_fl):
    """H_FL / H_DL of the template when the field-like amplitude scales."""
    if torque.field_like is None or not scale_fl:
        return None
    h_dl = _get(sot, torque.amplitude.attr, 0.0)
    h_fl = _get(sot, torque.field_like, 0.0)
    if isinstance(h_dl, numbers.Real) and isinstance(h_fl, numbers.Real):
        return float(h_fl) / float(h_dl) if h_dl != 0 else None
    raise ValueError(
        "scale_fl needs scalar H_DL and H_FL in the template; use "
        "scale_fl=False to keep a region/field-valued H_FL."
    )


def _snapshot_samples(snapshots, n_samples):
    """Sample indices of the snapshots (distinct for ``snapshots <= n_samples``)."""
    return sorted(
        {round((i + 1) * n_samples / snapshots) - 1 for i in range(snapshots)}
    )


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


def _attributes(system, sot, torque, j, n):
    """Physical attributes of the Dataset (macrospin equivalent when possible)."""
    from .anisotropy import effective_anisotropy

    attrs = {"torque": torque.name, "j": j.tolist(), "n": n.tolist()}
    for a in torque.recorded:
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


#: arguments of phase_diagram that cannot change a result (not in the
#: fingerprint), and why
RUN_OPTIONS = {
    "chunk_size": "batching: every system has its own step control, so a point "
    "integrates as alone (the early stop, within stopping_dm_dt, waits for the "
    "whole chunk)",
    "memory_limit": "sets the default chunk_size only",
    "executor": "where the chunks run",
    "dirname": "where the results are kept",
    "overwrite": "what happens to a different sweep's results",
    "progress": "display",
    "recompute_failed": "which stored points are reused",
}
#: arguments converted into fields of the job (their effect is in those fields)
GRID_ARGUMENTS = {
    "J": "converted to hsot in A/m; J per H_DL recorded in grid_units",
    "units": "hx and hsot are converted to A/m; the unit recorded in grid_units",
}
#: fields that are not arguments of phase_diagram
DERIVED_FIELDS = ("code", "grid_units")
#: engine keyword arguments that cannot change a result: the engine is
#: bitwise deterministic across thread counts
NOT_RESULT_ENGINE_KWARGS = ("threads",)
#: version of the sweep protocol (bump when a change of the code changes results)
PROTOCOL_VERSION = 2


def _none(value):
    return "none" if value is None else value


def _positive_or_none(name, value):
    if value is None:
        return None
    value = _numbers.real(name, value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive time step in s, got {value!r}.")
    return value


@dataclasses.dataclass(frozen=True, eq=False)
class SweepSpec:
    """Everything that can change a result of a sweep, validated.

    The fingerprint of the results folder (:meth:`fingerprint`) and the
    attributes of the Dataset (:meth:`meta`) are both derived from the fields
    of this class, so that nothing can be forgotten in either: a new field
    needs an entry in ``_ATTRIBUTES`` (or the sweep fails at once), and the
    tests change every field in turn. The arguments of
    :func:`~ubermag_dirac.switching.phase_diagram` are these fields plus
    :data:`RUN_OPTIONS` and :data:`GRID_ARGUMENTS`, less :data:`DERIVED_FIELDS`.
    Build it with :meth:`from_arguments`.
    """

    system: mm.System  # the template: mesh, m, T, every term and attribute
    term: str  # name of the swept torque term
    hx: np.ndarray
    hsot: np.ndarray
    params: tuple  # ((key, values), ...)
    pulse: object
    pulse_dt: float | None
    field_pulse: object
    field_dt: float | None
    t_run: float
    n_samples: int
    relax: str | None
    relax_kwargs: dict
    stopping_dm_dt: float
    tol: float
    scale_fl: bool
    starts: tuple
    snapshots: int
    engine_kwargs: dict
    grid_units: tuple  # ((key, value), ...): units of the grid, J per H_DL
    code: str  # ubermag-dirac version and sweep protocol version

    @classmethod
    def from_arguments(cls, system, hx, hsot, **options):
        """Validated description of a sweep (``options``: phase_diagram's)."""
        o = dict(options)
        o.setdefault("grid_units", ())
        if not isinstance(system, mm.System) or system.m is None:
            raise TypeError("system must be a micromagneticmodel.System with m set.")
        sot, _ = find_torque(system, o.pop("term"))
        if any(t.name == FIELD_TERM for t in system.energy):
            raise ValueError(
                f"The system already has a term named {FIELD_TERM!r}; it is "
                "reserved for the swept field."
            )
        hx, hsot = _grid_values("hx", hx), _grid_values("hsot", hsot)
        o["pulse"] = _pulses.as_func(o["pulse"], "pulse")
        o["field_pulse"] = _pulses.as_func(o["field_pulse"], "field_pulse")
        if o["field_pulse"] is not None and o["field_dt"] is None:
            raise ValueError("field_pulse needs field_dt (as Ubermag's Zeeman func).")
        if o["pulse"] is None:
            o["pulse"] = _get(sot, "func")
            if o["pulse_dt"] is None:
                o["pulse_dt"] = _get(sot, "dt")
        for key in ("pulse_dt", "field_dt"):
            o[key] = _positive_or_none(key, o[key])
        _check_protocol(o)
        _check_engine_and_relax(o)
        dims, _ = _dims_and_targets(system, hx, hsot, o["params"], sot, o["pulse"])
        o["params"] = tuple((k, tuple(v.tolist())) for k, v in dims[2:])
        spec = cls(system=system, term=sot.name, hx=hx, hsot=hsot, code=_code(), **o)
        spec.fl_ratio  # noqa: B018 - validates scale_fl against the template
        return spec

    # ------------------------------------------------------------- derived
    @functools.cached_property
    def torque(self):
        """``(term, torque)``: the swept torque term and its registered
        :class:`~ubermag_dirac.torques.Torque`."""
        return find_torque(self.system, self.term)

    @functools.cached_property
    def grid(self):
        """``(dims, targets)``: ``[(name, values)]`` and what each dim sets."""
        params = {k: list(v) for k, v in self.params}
        sot = self.torque[0]
        return _dims_and_targets(
            self.system, self.hx, self.hsot, params, sot, self.pulse
        )

    @functools.cached_property
    def fl_ratio(self):
        return _fl_ratio(*self.torque, self.scale_fl)

    @functools.cached_property
    def snapshot_samples(self):
        return _snapshot_samples(self.snapshots, self.n_samples)

    @property
    def shape(self):
        return tuple(v.size for _, v in self.grid[0])

    #: the unit of work (progress bar) and the worker function of a chunk
    unit = "point"

    @property
    def runner(self):
        from ._batch import run_chunk

        return run_chunk

    def memory_per_unit(self):
        """Bytes of one grid point in a batch (both starts)."""
        from ._execute import memory_per_point

        return memory_per_point(self.system, self.snapshots, self.n_samples)

    # ------------------------------------------------------- descriptions
    def fingerprint(self):
        """Hash of every field (the key of a results folder)."""
        return digest({f.name: self._hashed(f.name) for f in dataclasses.fields(self)})

    def _hashed(self, name):
        value = getattr(self, name)
        if name == "engine_kwargs":
            value = {
                k: v for k, v in value.items() if k not in NOT_RESULT_ENGINE_KWARGS
            }
        return value

    def attributes(self):
        """Attributes of the Dataset: every field's, plus the fingerprint."""
        attrs = {}
        for f in dataclasses.fields(self):
            attrs.update(_ATTRIBUTES[f.name](self))
        add_note(attrs)
        attrs["fingerprint"] = self.fingerprint()
        return attrs

    def meta(self):
        """JSON description: enough to assemble the Dataset without the system."""
        return {
            "dims": [(name, vals.tolist()) for name, vals in self.grid[0]],
            "n_samples": self.n_samples,
            "t_run": self.t_run,
            "snapshot_samples": self.snapshot_samples,
            "attrs": self.attributes(),
        }

    def job(self):
        """The picklable :class:`~._job.Job` of the workers."""
        sot, torque = self.torque
        dims, targets = self.grid
        return Job(
            template=self.system,
            template_term=sot,
            term_name=sot.name,
            torque=torque,
            j=_vec(sot, "j", (1, 0, 0)),
            n=_vec(sot, "n", (0, 0, 1)),
            fl_ratio=self.fl_ratio,
            dims=dims,
            targets=targets,
            shape=self.shape,
            pulse=self.pulse,
            pulse_dt=self.pulse_dt,
            field_pulse=self.field_pulse,
            field_dt=self.field_dt,
            t_run=self.t_run,
            n_samples=self.n_samples,
            relax=self.relax,
            relax_kwargs=dict(self.relax_kwargs),
            stopping_dm_dt=self.stopping_dm_dt,
            constant_after=max(
                _max_constant_after(self.pulse, dims, targets),
                _pulses.constant_after(self.field_pulse),
            ),
            snapshot_samples=self.snapshot_samples,
            has_pumping=pumping_spec(sot) is not None,
            starts=self.starts,
            engine_kwargs=dict(self.engine_kwargs),
        )


def _code():
    from .. import __version__

    return f"ubermag-dirac {__version__}, sweep protocol {PROTOCOL_VERSION}"


def _system_attributes(spec):
    sot, torque = spec.torque
    attrs = _attributes(
        spec.system, sot, torque, _vec(sot, "j", (1, 0, 0)), _vec(sot, "n", (0, 0, 1))
    )
    attrs["system"] = spec.system.name
    attrs["system_fingerprint"] = digest(spec.system)
    attrs["mesh_n"] = list(spec.system.m.mesh.n)
    attrs["mesh_cell"] = list(spec.system.m.mesh.cell)
    return attrs


def _scale_fl_attributes(spec):
    ratio = spec.fl_ratio
    return {
        "h_fl_ratio": ratio if ratio is not None else 0.0,
        "scale_fl": int(ratio is not None),
    }


def _json(value):
    return json.dumps(canonical(value), sort_keys=True)


#: Dataset attributes of each field of SweepSpec (grid fields are coordinates)
_ATTRIBUTES = {
    "system": _system_attributes,
    "term": lambda s: {"term": s.term},
    "hx": lambda s: {},  # the coordinate hx
    "hsot": lambda s: {},  # the coordinate hsot
    "params": lambda s: {},  # one coordinate per key
    "pulse": lambda s: {
        "pulse": repr(s.pulse if s.pulse is not None else _pulses.Step())
    },
    "pulse_dt": lambda s: {"pulse_dt": _none(s.pulse_dt)},
    "field_pulse": lambda s: {
        "field_pulse": repr(s.field_pulse) if s.field_pulse is not None else "none"
    },
    "field_dt": lambda s: {"field_dt": _none(s.field_dt)},
    "t_run": lambda s: {"t_run": s.t_run},
    "n_samples": lambda s: {"n_samples": s.n_samples},
    "relax": lambda s: {
        "relax": str(s.relax),
        "protocol": "A" if s.relax is not None else "B",
    },
    "relax_kwargs": lambda s: {"relax_kwargs": _json(s.relax_kwargs)},
    "stopping_dm_dt": lambda s: {"stopping_dm_dt": s.stopping_dm_dt},
    "tol": lambda s: {"tol": s.tol},
    "scale_fl": _scale_fl_attributes,
    "starts": lambda s: {"starts": list(s.starts)},
    "snapshots": lambda s: {"snapshots": s.snapshots},
    "engine_kwargs": lambda s: {"engine_kwargs": _json(s.engine_kwargs)},
    "grid_units": lambda s: dict(s.grid_units),
    "code": lambda s: {"code": s.code},
}
