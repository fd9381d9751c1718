r"""``ud.SpinHallSOT``: the spin-Hall torque field :math:`\mathbf{H}_T =
H_\mathrm{SH}\,\mathbf{m}\times\mathbf{p}`, :math:`\mathbf{p} = \mathbf{n}
\times\mathbf{j}`, added to :math:`\mathbf H` before the Gilbert solve; the
amplitude is multiplied by ``func(t)`` when the term has ``func``. The per-cell
formula is :func:`ubermag_dirac.kernels.spin_hall_field`.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ...kernels import spin_hall_field
from ._base import (
    TorqueFieldImpl,
    flat_scalar,
    flat_vector,
    term_value,
    warn_if_only_empty,
)

__all__ = ["SpinHallSOTImpl", "spin_hall_add_field"]


@nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")
def spin_hall_add_field(m, H_SH, p, fac, H):
    """``H += fac H_SH m x p``; all ``(B, [3,] N)``, ``fac`` ``(B,)``."""
    B = m.shape[0]
    N = m.shape[2]
    for b in range(B):
        fb = fac[b]
        for i in range(N):
            hx, hy, hz = spin_hall_field(
                m[b, 0, i], m[b, 1, i], m[b, 2, i],
                p[b, 0, i], p[b, 1, i], p[b, 2, i], fb * H_SH[b, i],
            )  # fmt: skip
            H[b, 0, i] += hx
            H[b, 1, i] += hy
            H[b, 2, i] += hz


class SpinHallSOTImpl(TorqueFieldImpl):
    """``ud.SpinHallSOT`` torque field (module docstring)."""

    def __init__(self, terms, grid):
        super().__init__(terms, grid)
        g = grid
        self.H_SH = flat_scalar(g, [term_value(t, "H_SH", 0.0) for t in terms], "H_SH")
        j = flat_vector(g, [term_value(t, "j", (1, 0, 0)) for t in terms], "j")
        n = flat_vector(g, [term_value(t, "n", (0, 0, 1)) for t in terms], "n")
        self.p = np.ascontiguousarray(np.cross(n, j, axis=1))
        warn_if_only_empty(grid, [self.H_SH], self.name, self.cls)

    def add_field(self, m, t, H):
        B = m.shape[0]
        spin_hall_add_field(
            m.reshape(B, 3, -1), self.H_SH, self.p, self.factor(t), H.reshape(B, 3, -1)
        )
        return H
