"""Chunking and execution of a sweep: in this process or on an executor.

The chunk size follows from a memory estimate (:func:`memory_per_point`) and
the number of workers; finished chunks go to the results store (if any) as
they arrive.
"""

import concurrent.futures
import math
import numbers
import os
import time

import micromagneticmodel as mm
import numpy as np

from ._batch import run_chunk
from ._progress import PointBar

__all__ = [
    "ClaimPlan",
    "FixedPlan",
    "execute",
    "memory_per_point",
    "run_and_assemble",
    "run_job",
]


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


def _n_workers(executor):
    if executor is None:
        return 1
    n = getattr(executor, "_max_workers", None)
    if isinstance(n, int) and n > 0:
        return n
    return os.cpu_count() or 1


def chunk_size_for(n_pending, per_point, chunk_size, memory_limit, executor):
    """Points per batched integration (from the memory limit unless given)."""
    if chunk_size is None:
        n_workers = _n_workers(executor)
        limit = memory_limit if memory_limit is not None else _available_memory() / 4
        by_mem = max(1, int(limit / n_workers // per_point))
        return max(1, min(by_mem, math.ceil(n_pending / n_workers)))
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, numbers.Integral):
        raise TypeError(f"chunk_size must be an integer, got {chunk_size!r}.")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}.")
    return int(chunk_size)


class FixedPlan:
    """Consecutive runs of ``chunk_size`` of the ``pending`` flat indices."""

    def __init__(self, pending, chunk_size):
        self.chunks = [
            pending[i : i + chunk_size].tolist()
            for i in range(0, pending.size, chunk_size)
        ]

    def next(self):
        """``(indices, others_busy)``: the next chunk ([] when none is left)."""
        return (self.chunks.pop(0) if self.chunks else []), False


class ClaimPlan:
    """Chunks claimed in a results folder shared with identical sweeps."""

    def __init__(self, store, chunk_size, recompute_failed):
        self.store = store
        self.chunk_size = chunk_size
        self.recompute_failed = recompute_failed

    def next(self):
        return self.store.claim(self.chunk_size, self.recompute_failed)


#: seconds between looks at a folder whose missing points others compute
POLL = 0.2


class _Bar:
    """Point bar (or nothing) with float increments that never pass a chunk."""

    def __init__(self, progress, npts, ndone, unit="point"):
        self.bar = PointBar(npts, ndone, unit=unit) if progress else None
        self.done = float(ndone)
        self.end = self.done

    def start(self, n):
        self.end = self.done + n

    def update(self, x):
        x = max(0.0, min(x, self.end - self.done))
        self.done += x
        if self.bar is not None:
            self.bar.update(x)

    def finish(self):
        if self.end > self.done:
            self.update(self.end - self.done)

    def sync(self, ndone):
        """Points finished by other sweeps sharing the folder."""
        if ndone > self.done:
            self.start(ndone - self.done)
            self.finish()

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _store_result(res, store, results):
    if store is not None:
        store.write_chunk(res)
    results.append(res)


def _wait_for_others(bar, store):
    time.sleep(POLL)
    bar.sync(store.done_count())


def _serial(job, plan, store, bar, runner):
    results = []
    while True:
        idx, others = plan.next()
        if not idx:
            if others:
                _wait_for_others(bar, store)
                continue
            return results
        bar.start(len(idx))
        res = runner(job, idx, bar.update if bar.bar is not None else None)
        bar.finish()
        _store_result(res, store, results)


def _as_executor(executor):
    if not isinstance(executor, concurrent.futures.Executor) and hasattr(
        executor, "get_executor"
    ):
        return executor.get_executor()  # dask.distributed.Client
    return executor


def _pooled(job, plan, executor, store, bar, runner):
    n_workers = _n_workers(executor)
    executor = _as_executor(executor)
    results = []
    futures = {}
    try:
        while True:
            others = False
            while len(futures) < n_workers:
                idx, others = plan.next()
                if not idx:
                    break
                futures[executor.submit(runner, job, idx)] = idx
            if not futures:
                if others:
                    _wait_for_others(bar, store)
                    continue
                return results
            done, _ = concurrent.futures.wait(
                futures, return_when=concurrent.futures.FIRST_COMPLETED
            )
            for fut in done:
                idx = futures.pop(fut)
                _store_result(fut.result(), store, results)
                bar.start(len(idx))
                bar.finish()
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def check_executor(executor):
    """``executor`` is None, a concurrent.futures.Executor or has get_executor."""
    ok = executor is None or isinstance(executor, concurrent.futures.Executor)
    if not ok and not callable(getattr(executor, "get_executor", None)):
        raise TypeError(
            "executor must be a concurrent.futures.Executor (e.g. "
            "ProcessPoolExecutor) or a dask.distributed.Client, got "
            f"{type(executor).__name__}."
        )


def execute(
    job, plan, executor, store, progress, npts, ndone, runner=run_chunk, unit="point"
):
    """Run the chunks of ``plan``; their result dicts (also written to ``store``).

    ``runner(job, indices, progress)`` computes one chunk (module-level, so that
    executors can pickle it): :func:`~._batch.run_chunk` for phase diagrams,
    :func:`~._trials.run_trials` for switching probabilities (``unit="trial"``).
    """
    bar = _Bar(progress, npts, ndone, unit)
    try:
        if executor is None:
            return _serial(job, plan, store, bar, runner)
        return _pooled(job, plan, executor, store, bar, runner)
    finally:
        bar.close()


def _run(spec, store, chunk_size, memory_limit, executor, progress, **claims):
    """Compute the missing units of ``spec``; ``(results, chunk_size)``."""
    n = int(np.prod(spec.shape))
    ndone = store.done_count(**claims) if store is not None else 0
    if ndone == n:
        return [], None
    chunk_size = chunk_size_for(
        n - ndone, spec.memory_per_unit(), chunk_size, memory_limit, executor
    )
    if store is None:
        plan = FixedPlan(np.arange(n), chunk_size)
    else:
        plan = ClaimPlan(store, chunk_size, **claims)
    job = spec.job()
    return (
        execute(job, plan, executor, store, progress, n, ndone, spec.runner, spec.unit),
        chunk_size,
    )


def run_job(spec, dirname, overwrite, recompute_failed, **run):
    """Results (chunk dicts) of a sweep or trial job and the chunk size used.

    ``spec`` (:class:`~._describe.SweepSpec` or :class:`~._trials.ProbabilitySpec`)
    gives ``shape`` (units of work), ``memory_per_unit()``, ``runner``, ``unit``,
    ``fingerprint()`` and ``meta()``; ``run``: ``chunk_size``, ``memory_limit``,
    ``executor``, ``progress``. With ``dirname``, a complete folder is read
    without writing, else its missing units are computed and stored.
    """
    from ._store import ResultStore

    check_executor(run["executor"])
    if dirname is None:
        return _run(spec, None, **run)
    fp = spec.fingerprint()
    found = ResultStore.read(
        dirname, fp, complete_only=True, recompute_failed=recompute_failed
    )
    if found is not None:  # complete: nothing is written (a read-only folder works)
        return found[1], None
    with ResultStore(dirname, fp, spec.meta(), overwrite=overwrite) as store:
        _, chunk_size = _run(spec, store, recompute_failed=recompute_failed, **run)
        return store.load_chunks(), chunk_size


def run_and_assemble(spec, assemble, dirname, overwrite, recompute_failed, **run):
    """:func:`run_job`, then the Dataset ``assemble(meta, results)`` of the job,
    with ``attrs["chunk_size"]`` (0 when nothing was computed)."""
    results, chunk_size = run_job(
        spec, dirname, overwrite, bool(recompute_failed), **run
    )
    ds = assemble(spec.meta(), results)
    ds.attrs["chunk_size"] = int(chunk_size) if chunk_size is not None else 0
    return ds
