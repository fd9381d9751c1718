r"""Thermal switching trials of films: the job description and what a worker does.

:class:`ProbabilitySpec` is the one description of a
:func:`~ubermag_dirac.switching.switching_probability` job. It holds a
:class:`~._describe.SweepSpec` for everything a switching sweep already knows
(the system with its temperature and every term, the grids of ``hx`` and
``hsot``, further swept parameters, the pulse whose ``duration`` is the pulse
width, the relaxation, the engine options) and adds the thermal protocol
(``n_trials``, ``seed``, ``t_relax``, the thermal step, the settling rule). The
fingerprint of the results folder and the Dataset attributes derive from its
fields, as for the phase diagrams.

The unit of work is one *trial* of one grid point (one system per start): the
flat index runs over the grid and then the trials, so that the results folder,
its claims and the executors of :mod:`~._execute` and :mod:`~._store` work
unchanged, and chunks are sized by memory in trials.

Determinism
-----------
The noise of trial ``k`` of grid point ``p`` from start ``s`` comes from the
stream ``stream_seed(seed, "p<p><s>t<k>")``
(:func:`ubermag_dirac.engine.stochastic.stream_seed`), its fixed thermal step
from its own deterministic dynamics, the stage ends (where the integrator hits
times exactly) are the same list for every trial of the job, and a trial is
frozen (:attr:`ubermag_dirac.engine.Engine.frozen`) on its own criterion only:
each trial's result is therefore bit-identical whatever the chunking, the
executor or the other trials of its batch.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers

import numpy as np

from .. import _numbers
from ._batch import _start_engine, run_with_retry
from ._canonical import digest
from ._describe import SweepSpec

__all__ = ["KIND", "ProbabilitySpec", "run_trials"]

#: ``kind`` of the manifest of a switching-probability results folder
KIND = "switching_probability"
#: version of the trial protocol (bump when a change of the code changes results)
TRIAL_PROTOCOL_VERSION = 1
#: the swept pulse parameter that is the pulse width
WIDTH = "pulse.duration"


def _positive(name, value, unit="s"):
    value = _numbers.real(name, value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number ({unit}), got {value!r}.")
    return float(value)


def _int(name, value, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}.")
    return int(value)


def check_temperature(system):
    """Refuse a system without a positive temperature anywhere (naming ``T``)."""
    import discretisedfield as df

    T = system.T
    if isinstance(T, df.Field):
        values = np.asarray(T.array, dtype=float)
    elif isinstance(T, dict):
        values = np.asarray(list(T.values()), dtype=float)
    elif _numbers.is_real(T):
        values = np.asarray([float(T)])
    else:
        raise TypeError(
            "system.T must be a number, a region dict or a scalar df.Field (K), "
            f"got {type(T).__name__}."
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"system.T must be finite and >= 0 K, got {T!r}.")
    if not np.any(values > 0):
        raise ValueError(
            f"system.T = {T!r} K: a thermal switching probability needs a "
            "temperature > 0 (set system.T, e.g. system.T = 300); at T = 0 use "
            "ud.switching.phase_diagram, which is deterministic."
        )


def _temperature_attrs(T):
    import discretisedfield as df

    if isinstance(T, df.Field):
        a = np.asarray(T.array, dtype=float)
        return {"T": float(a.max()), "T_description": "df.Field (T = its maximum)"}
    if isinstance(T, dict):
        return {"T": float(max(T.values())), "T_description": repr(T)}
    return {"T": float(T), "T_description": "uniform"}


def _schedule(widths, t_relax, check_interval):
    """Stage ends (s) of every trial of the job: every pulse end, every run end
    and a grid of checks every ``check_interval``; sorted, unique."""
    widths = np.asarray(widths, dtype=float)
    t_end = float(widths.max() + t_relax)
    n = math.ceil(t_end / check_interval * (1 - 1e-12))
    grid = np.arange(1, n + 1) * check_interval
    ends = np.concatenate([widths, widths + t_relax, grid[grid < t_end]])
    return np.unique(ends)


@dataclasses.dataclass(frozen=True, eq=False)
class ProbabilitySpec:
    """Everything that can change a result of a switching-probability job.

    ``sweep`` covers the system (mesh, ``m``, ``T``, every term), the grids
    (the pulse width as its swept ``pulse.duration``), the pulse, the
    relaxation and the engine options; the other fields are the thermal
    protocol. Build it with :meth:`from_arguments`.
    """

    sweep: SweepSpec
    n_trials: int
    seed: int
    t_relax: float
    thermal_dt: float | None
    step_fraction: float
    settle: float | None
    check_interval: float
    code: str

    @classmethod
    def from_arguments(cls, sweep_args, **o):
        """Validated description (``sweep_args``: those of ``SweepSpec``)."""
        o["n_trials"] = _int("n_trials", o["n_trials"], 1)
        if o["seed"] is None:
            o["seed"] = int(np.random.SeedSequence().entropy)
        o["seed"] = _int("seed", o["seed"], 0)
        o["t_relax"] = _positive("t_relax", o["t_relax"])
        if o["thermal_dt"] is not None:
            o["thermal_dt"] = _positive("thermal_dt", o["thermal_dt"])
        o["step_fraction"] = _positive("step_fraction", o["step_fraction"], "1")
        if o["settle"] is not None:
            v = _numbers.real("settle", o["settle"])
            if not 0 < v <= 1:
                raise ValueError(
                    f"settle must be in (0, 1] (a fraction of the relaxed "
                    f"|<m_n>|) or None (no early stop), got {o['settle']!r}."
                )
            o["settle"] = float(v)
        if o["check_interval"] is None:
            o["check_interval"] = o["t_relax"] / 20
        o["check_interval"] = _positive("check_interval", o["check_interval"])
        widths = np.asarray(sweep_args["params"][WIDTH], dtype=float)
        sweep_args = {**sweep_args, "t_run": float(widths.max()) + o["t_relax"]}
        sweep = SweepSpec.from_arguments(**sweep_args)
        return cls(sweep=sweep, code=_code(), **o)

    # ------------------------------------------------------------- derived
    @functools.cached_property
    def grid_shape(self):
        return self.sweep.shape

    @property
    def shape(self):
        """Shape of the units of work: the grid, then the trials."""
        return (*self.grid_shape, self.n_trials)

    #: the unit of work (progress bar) and the worker function of a chunk
    unit = "trial"

    @property
    def runner(self):
        return run_trials

    def memory_per_unit(self):
        """Bytes of one trial (one system per start) in a batch."""
        return self.sweep.memory_per_unit() * len(self.sweep.starts) / 2

    @functools.cached_property
    def widths(self):
        return np.asarray(dict(self.sweep.params)[WIDTH], dtype=float)

    def fingerprint(self):
        """Hash of every field (the key of a results folder)."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fields["sweep"] = self.sweep.fingerprint()
        return digest(fields)

    def attributes(self):
        """Dataset attributes: the sweep's that apply, and the thermal protocol."""
        attrs = self.sweep.attributes()
        for key in ("n_samples", "stopping_dm_dt", "snapshots", "t_run", "tol"):
            attrs.pop(key, None)
        attrs["starts"] = list(self.sweep.starts)
        attrs.update(_temperature_attrs(self.sweep.system.T))
        attrs.update(
            {
                "seed": self.seed,
                "n_trials": self.n_trials,
                "t_relax": self.t_relax,
                "thermal_dt": "estimated per trial"
                if self.thermal_dt is None
                else self.thermal_dt,
                "step_fraction": self.step_fraction,
                "settle": "none" if self.settle is None else self.settle,
                "check_interval": self.check_interval,
                "trial_code": self.code,
                "classification": "switched: sign of <m_n> at the end differs "
                "from the relaxed start's",
                "confidence": 0.95,
                "fingerprint": self.fingerprint(),
            }
        )
        return attrs

    def meta(self):
        """JSON description: enough to assemble the Dataset without the system."""
        dims = [(name, vals.tolist()) for name, vals in self.sweep.grid[0]]
        dims.append(("trial", list(range(self.n_trials))))
        return {"kind": KIND, "dims": dims, "attrs": self.attributes()}

    def job(self):
        """The picklable :class:`TrialJob` of the workers."""
        return TrialJob(
            sweep=self.sweep.job(),
            n_trials=self.n_trials,
            seed=self.seed,
            widths=self.widths,
            width_axis=[n for n, _ in self.sweep.grid[0]].index(WIDTH),
            t_relax=self.t_relax,
            thermal_dt=self.thermal_dt,
            step_fraction=self.step_fraction,
            settle=self.settle,
            stages=_schedule(self.widths, self.t_relax, self.check_interval),
        )


def _code():
    from .. import __version__

    return f"ubermag-dirac {__version__}, trial protocol {TRIAL_PROTOCOL_VERSION}"


class TrialJob:
    """Everything a worker needs to run some trials (picklable: the sweep's
    :class:`~._job.Job` handles the system)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    @property
    def starts(self):
        return self.sweep.starts

    def width_of(self, point):
        idx = np.unravel_index(int(point), self.sweep.shape)
        return float(self.widths[idx[self.width_axis]])


def _trial_systems(job, points, relaxed, units):
    """The systems of the trials ``units`` ``[(point, trial)]`` (one per start)
    and their relaxed magnetisations."""
    import micromagneticmodel as mm

    templates = job.sweep.build_systems(points)
    ns = len(job.starts)
    row = {p: i for i, p in enumerate(points)}
    systems, m0 = [], []
    for p, k in units:
        for j, start in enumerate(job.starts):
            t = templates[row[p] * ns + j]
            systems.append(
                mm.System(
                    name=f"p{p}{start[0]}t{k}",
                    energy=t.energy,
                    dynamics=t.dynamics,
                    m=job.sweep.template.m,
                )
            )
            m0.append(relaxed[row[p] * ns + j])
    return systems, np.asarray(m0)


def _average_n(engine, n):
    mask = engine.grid.mask.reshape(engine.batch, -1)
    m = engine.m.reshape(engine.batch, 3, -1)
    mn = np.einsum("bci,c->bi", m, n)
    return np.where(mask, mn, 0.0).sum(axis=1) / mask.sum(axis=1)


def _integrate(engine, job, units, mz0, progress):
    """Run the stages; per system the final <m_n> and the time it stopped."""
    B = engine.batch
    ns = len(job.starts)
    end_pulse = np.repeat([job.width_of(p) for p, _ in units], ns)
    end_run = end_pulse + job.t_relax
    mz = np.full(B, np.nan)
    t_stop = np.full(B, np.nan)
    calm = np.zeros(B, dtype=np.int64)
    running = np.ones(B, dtype=bool)
    total = job.stages[-1]
    t_prev = 0.0
    for t_end in job.stages:
        engine.run(t_end - engine.t)
        engine_t = t_end
        now = _average_n(engine, job.sweep.n)
        done = running & (engine_t >= end_run * (1 - 1e-12))
        if job.settle is not None:
            rest = (engine_t >= end_pulse * (1 - 1e-12)) & (
                np.abs(now) >= job.settle * np.abs(mz0)
            )
            calm = np.where(rest, calm + 1, 0)
            done |= running & (calm >= 2)
        mz = np.where(done, now, mz)
        t_stop = np.where(done, engine_t, t_stop)
        running &= ~done
        if progress is not None:
            progress(len(units) * (t_end - t_prev) / total)
        t_prev = t_end
        if not running.any():
            break
        engine.frozen = ~running
    return mz, t_stop


def run_batch(job, indices, progress=None):
    """Integrate the trials ``indices`` (flat: grid point, trial) in one batch."""
    from ..engine import Engine

    indices = np.asarray(indices, dtype=np.int64)
    units = [(int(i) // job.n_trials, int(i) % job.n_trials) for i in indices]
    points = sorted({p for p, _ in units})
    relaxed_engine = _start_engine(job.sweep, points)
    relaxed = relaxed_engine.m.copy()
    systems, m0 = _trial_systems(job, points, relaxed, units)
    engine = Engine(
        systems,
        temperature=job.sweep.template.T,
        seed=job.seed,
        thermal_dt=job.thermal_dt,
        step_fraction=job.step_fraction,
        **job.sweep.engine_kwargs,
    )
    engine.m = m0
    mz0 = _average_n(engine, job.sweep.n)
    mz, t_stop = _integrate(engine, job, units, mz0, progress)
    ns = len(job.starts)
    steps = np.asarray(engine.stats["steps_per_system"], dtype=np.int64)
    P = len(units)
    return {
        "index": indices,
        "mz_start": mz0.reshape(P, ns),
        "mz_final": mz.reshape(P, ns),
        "t_stop": t_stop.reshape(P, ns),
        "steps": steps.reshape(P, ns),
        "thermal_dt": np.asarray(engine.thermal_dt).reshape(P, ns),
        "failed": np.zeros(P, dtype=bool),
        "error": np.array([""] * P),
    }


def failed_trial(job, flat, message):
    """Arrays of one trial that failed to integrate (NaN, ``failed``)."""
    ns = len(job.starts)
    nan = np.full((1, ns), np.nan)
    return {
        "index": np.array([flat], dtype=np.int64),
        "mz_start": nan,
        "mz_final": nan.copy(),
        "t_stop": nan.copy(),
        "steps": np.zeros((1, ns), dtype=np.int64),
        "thermal_dt": nan.copy(),
        "failed": np.array([True]),
        "error": np.array([message]),
    }


def run_trials(job, indices, progress=None):
    """Run some trials (module-level so that executors can pickle it).

    A batch that fails (:class:`~ubermag_dirac.engine.IntegrationError`) is
    retried trial by trial; trials that fail alone are returned with
    ``failed = True`` and the error message (they do not count as trials).
    """
    return run_with_retry(run_batch, failed_trial, job, indices, progress)
