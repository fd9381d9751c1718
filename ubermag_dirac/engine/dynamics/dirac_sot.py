r"""``ud.DiracSOT``: the Dirac spin-orbit torque field, added to :math:`\mathbf H`
before the Gilbert solve (``PHYSICS.md``, "Conventions"):

.. math::

    \mathbf{H}_T = -H_\mathrm{DL} f_\mathrm{DL}(m_n)\,m_n\,\mathbf{j}
    - H_\mathrm{FL} f_\mathrm{FL}(m_n)\,\mathbf{n}\times\mathbf{j},

both amplitudes multiplied by ``func(t)`` when the term has ``func``. The
per-cell formula is :func:`ubermag_dirac.kernels.dirac_field`.
"""

from __future__ import annotations

import numba as nb

from ...kernels import dirac_field
from ._base import (
    TorqueFieldImpl,
    flat_scalar,
    flat_vector,
    term_value,
    warn_if_only_empty,
)

__all__ = ["DiracSOTImpl", "dirac_add_field"]


@nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")
def dirac_add_field(m, H_DL, H_FL, beta, j, n, fac, H):
    """``H += H_T`` of the Dirac SOT; all ``(B, [3,] N)``, ``fac`` ``(B,)``."""
    B = m.shape[0]
    N = m.shape[2]
    for b in range(B):
        fb = fac[b]
        for i in range(N):
            nx = n[b, 0, i]
            ny = n[b, 1, i]
            nz = n[b, 2, i]
            jx = j[b, 0, i]
            jy = j[b, 1, i]
            jz = j[b, 2, i]
            mn = m[b, 0, i] * nx + m[b, 1, i] * ny + m[b, 2, i] * nz
            hx, hy, hz = dirac_field(
                mn, jx, jy, jz, ny * jz - nz * jy, nz * jx - nx * jz, nx * jy - ny * jx,
                fb * H_DL[b, i], fb * H_FL[b, i], beta[b, i],
            )  # fmt: skip
            H[b, 0, i] += hx
            H[b, 1, i] += hy
            H[b, 2, i] += hz


class DiracSOTImpl(TorqueFieldImpl):
    """``ud.DiracSOT`` torque field (module docstring)."""

    def __init__(self, terms, grid):
        super().__init__(terms, grid)
        g = grid
        self.H_DL = flat_scalar(g, [term_value(t, "H_DL", 0.0) for t in terms], "H_DL")
        self.H_FL = flat_scalar(g, [term_value(t, "H_FL", 0.0) for t in terms], "H_FL")
        self.beta = flat_scalar(g, [term_value(t, "beta", 0.0) for t in terms], "beta")
        self.j = flat_vector(g, [term_value(t, "j", (1, 0, 0)) for t in terms], "j")
        self.n = flat_vector(g, [term_value(t, "n", (0, 0, 1)) for t in terms], "n")
        warn_if_only_empty(grid, [self.H_DL, self.H_FL], self.name, self.cls)

    def add_field(self, m, t, H):
        B = m.shape[0]
        dirac_add_field(
            m.reshape(B, 3, -1),
            self.H_DL,
            self.H_FL,
            self.beta,
            self.j,
            self.n,
            self.factor(t),
            H.reshape(B, 3, -1),
        )
        return H
