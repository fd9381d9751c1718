"""Chunking and execution of a sweep: in this process or on an executor.

The chunk size follows from a memory estimate (:func:`memory_per_point`) and
the number of workers; finished chunks go to the results store (if any) as
they arrive.
"""

import concurrent.futures
import math
import os

import micromagneticmodel as mm
import numpy as np

from ._batch import run_chunk

__all__ = ["execute", "memory_per_point", "plan_chunks"]


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
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}.")
    return int(chunk_size)


def plan_chunks(pending, chunk_size):
    """Consecutive runs of ``chunk_size`` pending flat indices."""
    return [
        pending[i : i + chunk_size].tolist() for i in range(0, pending.size, chunk_size)
    ]


def _serial(job, chunks, store, bar, ndone):
    results = []
    done = float(ndone)
    end = done

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
    return results


def _pooled(job, chunks, executor, store, bar):
    if not isinstance(executor, concurrent.futures.Executor) and hasattr(
        executor, "get_executor"
    ):
        executor = executor.get_executor()  # dask.distributed.Client
    results = []
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
    return results


def execute(job, chunks, executor, store, progress, npts, ndone):
    """Run ``chunks``; their result dicts (also written to ``store``)."""
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=npts, initial=ndone, unit="point", desc="switching sweep")
    try:
        if executor is None:
            return _serial(job, chunks, store, bar, ndone)
        return _pooled(job, chunks, executor, store, bar)
    finally:
        if bar is not None:
            bar.close()
