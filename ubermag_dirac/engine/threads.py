"""Thread-count and allocator settings of the engine.

Measured on the 2-core development machine when the numerical core was chosen
(``benchmarks/bench_engine.py --threads N`` repeats the comparison): one
thread for numba kernels and ``scipy.fft`` was the fastest setting, and glibc's
default allocator returned the large FFT temporaries to the OS on every
evaluation (raising its mmap/trim thresholds once made numpy work 1.8x faster).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys

import numba

__all__ = ["thread_context", "tune_malloc"]

_MALLOC_TUNED = False

#: glibc ``mallopt`` parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune_malloc() -> bool:
    """Raise glibc's mmap and trim thresholds once per process.

    Keeps large temporaries (FFT work arrays) in the heap instead of returning
    them to the OS after every call. A no-op off glibc, or when the environment
    variable ``UBERMAG_DIRAC_NO_MALLOPT`` is set. Returns whether it was applied.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return True
    if os.environ.get("UBERMAG_DIRAC_NO_MALLOPT") or not sys.platform.startswith(
        "linux"
    ):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = mallopt(_M_MMAP_THRESHOLD, 512 * 1024 * 1024) == 1
    ok &= mallopt(_M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1
    _MALLOC_TUNED = bool(ok)
    return _MALLOC_TUNED


def _check_threads(threads) -> int:
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads: expected a positive integer, got {threads!r}.")
    return min(threads, numba.config.NUMBA_NUM_THREADS)


@contextlib.contextmanager
def thread_context(threads: int):
    """Run numba kernels and ``scipy.fft`` with ``threads`` threads inside the block.

    The previous numba thread count is restored on exit; ``scipy.fft``'s worker
    count is set through :func:`scipy.fft.set_workers` (a thread-local context).
    """
    import scipy.fft

    threads = _check_threads(threads)
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        with scipy.fft.set_workers(threads):
            yield threads
    finally:
        numba.set_num_threads(previous)
