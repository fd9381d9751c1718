"""The job of a sweep: what a worker needs to build and run some grid points.

:class:`Job` is picklable (it crosses process boundaries to executors):
``micromagneticmodel`` systems and containers, and ``df.Field`` objects, do not
survive pickling (their ``__getattr__`` recurses while unpickling), so the
template travels as its terms and a packed magnetisation.
"""

import copy

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

from .._termparams import term_value

__all__ = ["FIELD_TERM", "Job"]

#: name of the Zeeman term that carries the swept in-plane field
FIELD_TERM = "switching_field"


def _set(term, attr, value):
    """Set ``term.attr``; ubermagutil descriptors validate the value."""
    setattr(term, attr, value)


def _vec(term, attr, default):
    v = np.asarray(term_value(term, attr, default), dtype=float)
    return v / np.linalg.norm(v)


def _modified(term, changes, force_copy=False):
    """Copy of ``term`` with ``changes`` ``[(attr, value), ...]`` applied."""
    if not changes and not force_copy:
        return term
    t = copy.copy(term)
    t.__dict__ = dict(term.__dict__)
    for attr, value in changes or ():
        _set(t, attr, value)
    return t


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


class Job:
    """Everything a worker needs to run some points of a sweep (picklable).

    Attributes are set by :func:`ubermag_dirac.switching._describe.describe`:
    ``template`` (the user's system, never modified), ``template_term`` and
    ``term_name`` (the swept torque term), ``torque`` (its
    :class:`~ubermag_dirac.torques.Torque`), ``j``, ``n``, ``fl_ratio``,
    ``dims`` (``[(name, values), ...]``), ``targets`` (what each dim sets),
    ``shape``, the protocol (``pulse``, ``pulse_dt``, ``field_pulse``,
    ``field_dt``, ``t_run``, ``n_samples``, ``relax``, ``relax_kwargs``,
    ``stopping_dm_dt``, ``constant_after``, ``snapshot_samples``, ``starts``)
    and ``engine_kwargs``.
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
            _PackedField(s.T) if isinstance(s.T, df.Field) else s.T,
        )
        state["template_term"] = _pack_term(state["template_term"])
        return state

    def __setstate__(self, state):
        name, energy, dynamics, m, T = state.pop("_template")
        T = T.unpack() if isinstance(T, _PackedField) else T
        s = mm.System(name=name, m=m.unpack(), T=T)
        for t in energy:
            s.energy += _unpack_term(t)
        for t in dynamics:
            s.dynamics += _unpack_term(t)
        state["template"] = s
        state["template_term"] = _unpack_term(state["template_term"])
        self.__dict__.update(state)

    def point_values(self, flat):
        """Values of every dim at the flattened grid index ``flat``."""
        idx = np.unravel_index(int(flat), self.shape)
        return {
            name: float(vals[i]) for (name, vals), i in zip(self.dims, idx, strict=True)
        }

    def _changes(self, vals):
        """The pulse and the term changes ``{term: [(attr, value)]}`` of a point."""
        pulse = self.pulse
        changes = {}
        for (name, _), target in zip(self.dims, self.targets, strict=True):
            kind, _, term_name, attr = target
            if kind == "pulse":
                pulse = pulse.replace(**{attr: vals[name]})
            elif kind == "term":
                changes.setdefault(term_name, []).append((attr, vals[name]))
        return pulse, changes

    def _energy(self, vals, changes):
        energy = mm.Energy()
        for t in self.template.energy:
            energy += _modified(t, changes.get(t.name))
        H = vals["hx"] * self.j
        zeeman = mm.Zeeman(H=tuple(H.tolist()), name=FIELD_TERM)
        if self.field_pulse is not None:
            zeeman.func = self.field_pulse
            zeeman.dt = self.field_dt
        energy += zeeman
        return energy

    def _torque(self, term, vals, changes, pulse):
        t = _modified(term, changes.get(term.name), force_copy=True)
        _set(t, self.torque.amplitude.attr, vals["hsot"])
        if self.fl_ratio is not None:
            _set(t, self.torque.field_like, self.fl_ratio * vals["hsot"])
        if pulse is not None:
            _set(t, "func", pulse)
            if self.pulse_dt is not None:
                _set(t, "dt", self.pulse_dt)
            else:
                t.__dict__.pop("dt", None)
        return t

    def build_systems(self, indices):
        """Two systems (up and down start) per point, in that order."""
        out = []
        for flat in indices:
            vals = self.point_values(flat)
            pulse, changes = self._changes(vals)
            energy = self._energy(vals, changes)
            dynamics = mm.Dynamics()
            for t in self.template.dynamics:
                if t.name == self.term_name:
                    dynamics += self._torque(t, vals, changes, pulse)
                else:
                    dynamics += _modified(t, changes.get(t.name))
            for start in self.starts:
                out.append(
                    mm.System(
                        name=f"p{int(flat)}{start[0]}",
                        energy=energy,
                        dynamics=dynamics,
                        m=self.template.m,
                    )
                )
        return out
