"""Per-cell access helpers of the engine's compiled loops (private).

The engine's vectors are component-first batched arrays ``(B, 3, N)`` (or
``(B, 3, nx, ny, nz)`` flattened to that); these helpers read, write and clear
the vector of cell ``i`` of system ``b`` and give the flat offsets of a cell's
neighbours. Compiled as the kernels are (``inline="always"``, see
``ubermag_dirac.kernels._jit``): numba inlines them into every caller, so the
loops compile to what the written-out components gave.
"""

from __future__ import annotations

from ..kernels._jit import kernel

__all__ = ["clear", "load", "neighbours", "store"]


@kernel
def store(a, b, i, x, y, z):
    """``a[b, :, i] = (x, y, z)``."""
    a[b, 0, i] = x
    a[b, 1, i] = y
    a[b, 2, i] = z


@kernel
def clear(a, b, i):
    """``a[b, :, i] = 0`` (the vector of an empty cell)."""
    a[b, 0, i] = 0.0
    a[b, 1, i] = 0.0
    a[b, 2, i] = 0.0


@kernel
def neighbours(i, n, stride):
    """Flat offsets ``(minus, plus)`` of the neighbours of index ``i`` along an
    axis of ``n`` cells and flat ``stride``, wrapping around at the ends (a
    missing bond is given coefficient 0 by the caller)."""
    minus = -stride if i > 0 else (n - 1) * stride
    plus = stride if i < n - 1 else -(n - 1) * stride
    return minus, plus


@kernel
def load(a, b, i):
    """``a[b, :, i]`` as a tuple ``(x, y, z)``."""
    return a[b, 0, i], a[b, 1, i], a[b, 2, i]
