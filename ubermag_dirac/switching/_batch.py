"""What a worker does: integrate the points of one chunk in one batch.

:func:`run_chunk` is module-level so that executors can pickle it. All
points of a chunk go through one :class:`ubermag_dirac.engine.Engine` with a
leading batch axis (two systems per point: the up and the down start).
"""

import math
import time

import numpy as np

from ..terms.dirac_sot import pumping_spec
from ._describe import START

__all__ = ["DEG_PER_NS", "concat", "run_chunk", "run_with_retry"]

#: rad/s per deg/ns (OOMMF's unit of stopping_dm_dt)
DEG_PER_NS = math.pi / 180.0 * 1e9


def _engine_cls():
    from ..engine import Engine

    return Engine


def _integration_error():
    from ..engine import IntegrationError

    return IntegrationError


def _start_engine(job, indices):
    """Engine of the points ``indices`` at its (relaxed) start."""
    engine = _engine_cls()(job.build_systems(indices), **job.engine_kwargs)
    sign = np.tile([1.0 if st == "up" else -1.0 for st in job.starts], len(indices))
    m0 = np.zeros(engine.m.shape)
    m0 += (sign[:, None] * job.n[None, :])[:, :, None, None, None]
    engine.m = m0
    if job.relax == "minimise":
        engine.minimise(**job.relax_kwargs)
    elif job.relax == "relax":
        engine.relax(**job.relax_kwargs)
    return engine


class _Observer:
    """Film averages of a batch: <m>, spread of m_n, pumped current."""

    def __init__(self, engine, job):
        B = engine.batch
        self.B = B
        self.mask = engine.grid.mask.reshape(B, -1)
        self.count = self.mask.sum(axis=1)
        self.n = job.n
        self.pump = pumping_spec(job.template_term)

    def averages(self, m):
        mf = m.reshape(self.B, 3, -1)
        mavg = mf.sum(axis=2) / self.count[:, None]
        mn = np.einsum("bci,c->bi", mf, self.n)
        mean_n = mn.sum(axis=1) / self.count
        var = (
            np.where(self.mask, (mn - mean_n[:, None]) ** 2, 0.0).sum(axis=1)
            / self.count
        )
        return mavg, np.sqrt(var)

    def pumped(self, engine, m):
        B, mask, count = self.B, self.mask, self.count
        dmdt = engine.dmdt()
        surface, kw = self.pump
        cells = np.moveaxis(m.reshape(B, 3, -1), 1, 2)[mask]
        dcells = np.moveaxis(dmdt.reshape(B, 3, -1), 1, 2)[mask]
        J = np.asarray(surface.pumped_current(cells, dcells, **kw), dtype=float)
        offsets = np.concatenate([[0], np.cumsum(count)[:-1]])
        return np.add.reduceat(J.reshape(-1, 3), offsets, axis=0) / count[:, None]


class _Series:
    """Sampled time series of a batch (and the snapshots)."""

    def __init__(self, engine, job, observer):
        B, T = engine.batch, job.n_samples
        self.obs = observer
        self.samples = job.snapshot_samples
        self.m_t = np.empty((B, T, 3))
        self.spread_t = np.empty((B, T))
        self.j_t = np.empty((B, T, 3)) if observer.pump is not None else None
        self.snaps = None
        if self.samples:
            shape = (B, len(self.samples), *engine.m.shape[1:])
            self.snaps = np.empty(shape, dtype=np.float32)

    def record(self, k, engine, m):
        self.m_t[:, k], self.spread_t[:, k] = self.obs.averages(m)
        if self.j_t is not None:
            self.j_t[:, k] = self.obs.pumped(engine, m)
        if self.snaps is not None and k in self.samples:
            self.snaps[:, self.samples.index(k)] = m

    def hold(self, sel, k_done, m):
        """Systems ``sel`` hold their final values from sample ``k_done`` on."""
        self.m_t[sel, k_done:] = self.m_t[sel, k_done - 1 : k_done]
        self.spread_t[sel, k_done:] = self.spread_t[sel, k_done - 1 : k_done]
        if self.j_t is not None:
            self.j_t[sel, k_done:] = self.j_t[sel, k_done - 1 : k_done]
        if self.snaps is not None:
            for i, k in enumerate(self.samples):
                if k >= k_done:
                    self.snaps[sel, i] = m[sel]


def _sample(engine, job, series, progress, P):
    """Run ``t_run`` sampling ``n_samples`` times; per point ``(k_done, t_stop)``.

    A point (its starts) stops once it is at rest: the largest change of any
    of its cells over a sample interval, as a rate, below ``stopping_dm_dt``
    twice in a row after the last change of the pulses (robust against the
    integrator's noise in stiff high-frequency modes, unlike dm/dt). Its systems
    are then frozen in the engine (not evaluated any more) and its remaining
    samples hold the final values, exactly as a batch of that point alone
    would stop; the batch ends when every point has stopped.
    """
    T = job.n_samples
    dt = job.t_run / T
    threshold = job.stopping_dm_dt * DEG_PER_NS
    B = engine.batch
    ns = B // P
    m_prev = engine.m.copy()
    calm = np.zeros(P, dtype=np.int64)
    running = np.ones(P, dtype=bool)
    k_done = np.full(P, T)
    t_stop = np.full(P, job.t_run)
    for k in range(T):
        engine.run(dt)
        t_now = (k + 1) * dt
        m = engine.m
        series.record(k, engine, m)
        if progress is not None:
            progress(running.sum() / T)
        diff = m - m_prev
        rate = np.sqrt(np.sum(diff * diff, axis=1)).reshape(B, -1).max(axis=1) / dt
        m_prev[...] = m
        rest = (t_now - dt >= job.constant_after) & (
            rate.reshape(P, ns).max(axis=1) < threshold
        )
        calm = np.where(rest & (job.stopping_dm_dt > 0), calm + 1, 0)
        stop = running & (calm >= 2) & (k < T - 1)
        if stop.any():
            k_done[stop] = k + 1
            t_stop[stop] = t_now
            running &= ~stop
            engine.frozen = np.repeat(~running, ns)
            if progress is not None:
                progress(stop.sum() * (T - k - 1) / T)
            if not running.any():
                break
    return k_done, t_stop


def _pairs(a, P, starts):
    """``(P * len(starts), ...)`` -> ``(P, 2, ...)`` (a missing start is NaN)."""
    ns = len(starts)
    a = a.reshape(P, ns, *a.shape[1:])
    if ns == 2:
        return a
    # one start only: the other is NaN (0 steps)
    full = np.zeros((P, 2, *a.shape[2:]), dtype=a.dtype)
    if a.dtype.kind == "f":
        full[...] = np.nan
    full[:, START.index(starts[0])] = a[:, 0]
    return full


def run_batch(job, indices, progress=None):
    """Integrate the points ``indices`` in one batch; dict of arrays."""
    P = len(indices)
    T = job.n_samples
    engine = _start_engine(job, indices)
    obs = _Observer(engine, job)
    m_start, _ = obs.averages(engine.m)
    series = _Series(engine, job, obs)
    k_done, t_stop = _sample(engine, job, series, progress, P)
    ns = engine.batch // P
    for p in np.flatnonzero(k_done < T):
        sel = np.zeros(engine.batch, dtype=bool)
        sel[p * ns : (p + 1) * ns] = True
        series.hold(sel, int(k_done[p]), engine.m)
    steps = np.asarray(engine.stats["steps_per_system"], dtype=np.int64)
    out = {
        "index": np.asarray(indices, dtype=np.int64),
        "m_start": _pairs(m_start, P, job.starts),
        "m_final": _pairs(series.m_t[:, -1], P, job.starts),
        "m_t": _pairs(series.m_t, P, job.starts),
        "mz_spread_t": _pairs(series.spread_t, P, job.starts),
        "t_stop": t_stop,
        "steps": _pairs(steps, P, job.starts),
        "failed": np.zeros(P, dtype=bool),
        "error": np.array([""] * P),
    }
    if series.j_t is not None:
        out["j_pump_t"] = _pairs(series.j_t, P, job.starts)
    if series.snaps is not None:
        out["snapshots"] = _pairs(series.snaps, P, job.starts)
    return out


def failed_point(job, flat, message):
    """Arrays of one point that failed to integrate (NaN, ``failed``)."""
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


def concat(parts):
    """Concatenate the arrays of several chunks along the point axis."""
    keys = parts[0].keys()
    return {k: np.concatenate([np.atleast_1d(p[k]) for p in parts]) for k in keys}


def _message(exc):
    return str(exc) or type(exc).__name__


def run_with_retry(run_batch, failed, job, indices, progress=None):
    """``run_batch(job, indices, progress)``; if the batch fails
    (:class:`~ubermag_dirac.engine.IntegrationError`), each unit alone, and
    ``failed(job, flat, message)`` for the units that fail alone. Adds
    ``chunk_wall_time`` (s)."""
    start = time.perf_counter()
    IntegrationError = _integration_error()
    try:
        out = run_batch(job, indices, progress)
    except IntegrationError as exc:
        if len(indices) == 1:
            out = failed(job, indices[0], _message(exc))
        else:
            parts = []
            for flat in indices:
                try:
                    parts.append(run_batch(job, [flat], None))
                except IntegrationError as one:
                    parts.append(failed(job, flat, _message(one)))
            out = concat(parts)
            if progress is not None:
                progress(0.0)
    out["chunk_wall_time"] = np.array(time.perf_counter() - start)
    return out


def run_chunk(job, indices, progress=None):
    """Run some points of a sweep (module-level so executors can pickle it).

    A batch that fails (:class:`~ubermag_dirac.engine.IntegrationError`) is
    retried point by point; points that fail alone are returned with
    ``failed = True``, NaN values and the error message.
    """
    return run_with_retry(run_batch, failed_point, job, indices, progress)
