"""The engine's cell loop of a torque kernel (compiled into each torque's
``engine_loop``, see :mod:`ubermag_dirac.engine.dynamics.torque`)."""

import numba as nb

__all__ = ["LOOP_OPTIONS", "torque_cell_loop"]

#: Options of the compiled cell loops.
LOOP_OPTIONS = {"nogil": True, "boundscheck": False, "error_model": "numpy"}


@nb.njit(inline="always")
def torque_cell_loop(kernel, m, n, j, p, fac, Q, H):
    """``H += H_T`` of ``kernel`` in every cell; ``m``, ``H``: ``(B, 3, N)``;
    ``n``, ``j``, ``p``: ``(B, 3)`` (one direction per system); ``fac``: ``(B,)``
    time factors; ``Q``: ``(B, NQ, N)`` parameters."""
    B = m.shape[0]
    N = m.shape[2]
    for b in range(B):
        fb = fac[b]
        nx, ny, nz = n[b, 0], n[b, 1], n[b, 2]
        jx, jy, jz = j[b, 0], j[b, 1], j[b, 2]
        px, py, pz = p[b, 0], p[b, 1], p[b, 2]
        for i in range(N):
            mx = m[b, 0, i]
            my = m[b, 1, i]
            mz = m[b, 2, i]
            mn = mx * nx + my * ny + mz * nz
            hx, hy, hz = kernel(
                mx, my, mz, mn, jx, jy, jz, px, py, pz, fb,
                Q[b, 0, i], Q[b, 1, i], Q[b, 2, i], Q[b, 3, i],
            )  # fmt: skip
            H[b, 0, i] += hx
            H[b, 1, i] += hy
            H[b, 2, i] += hz
