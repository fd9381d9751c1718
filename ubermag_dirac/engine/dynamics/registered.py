r"""Engine implementation of a torque registered in :mod:`ubermag_dirac.torques`.

Any torque registered without a dedicated engine implementation runs through
:class:`RegisteredTorqueImpl`: its parameters (term attributes, Ubermag
parameter forms: numbers, region dicts, ``df.Field``) become per-cell arrays,
and a cell loop calls the torque's compiled kernel, adding
:math:`\mathbf H_T` (A/m) before the Gilbert solve like ``ud.DiracSOT``. The
loop is compiled for each kernel on first use (in memory, not cached on disk:
a few seconds once per process).
"""

from __future__ import annotations

import functools

import numba as nb
import numpy as np

from ._base import (
    TorqueFieldImpl,
    flat_scalar,
    flat_vector,
    term_value,
    warn_if_only_empty,
)

__all__ = ["RegisteredTorqueImpl"]


@functools.cache
def _cell_loop(kernel):
    """``add_field(m, n, j, p, fac, Q, H)`` adding ``kernel``'s field in every cell."""

    @nb.njit(nogil=True, boundscheck=False, error_model="numpy")
    def add_field(m, n, j, p, fac, Q, H):
        B = m.shape[0]
        N = m.shape[2]
        for b in range(B):
            fb = fac[b]
            for i in range(N):
                mx = m[b, 0, i]
                my = m[b, 1, i]
                mz = m[b, 2, i]
                mn = mx * n[b, 0, i] + my * n[b, 1, i] + mz * n[b, 2, i]
                hx, hy, hz = kernel(
                    mx, my, mz, mn, j[b, 0, i], j[b, 1, i], j[b, 2, i],
                    p[b, 0, i], p[b, 1, i], p[b, 2, i], fb,
                    Q[b, 0, i], Q[b, 1, i], Q[b, 2, i], Q[b, 3, i],
                )  # fmt: skip
                H[b, 0, i] += hx
                H[b, 1, i] += hy
                H[b, 2, i] += hz

    return add_field


class RegisteredTorqueImpl(TorqueFieldImpl):
    """Torque field of a registered :class:`~ubermag_dirac.torques.Torque`.

    Examples
    --------
    The spin-Hall torque through the generic path gives the dedicated
    implementation's field:

    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import numpy as np
    >>> import ubermag_dirac as ud
    >>> from ubermag_dirac.engine import Engine
    >>> from ubermag_dirac.engine.dynamics.registered import RegisteredTorqueImpl
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 2e-9, 2e-9), n=(2, 1, 1))
    >>> s = mm.System(name="s")
    >>> s.energy = mm.Exchange(A=1e-11)
    >>> s.dynamics = mm.Precession(gamma0=2.211e5) + ud.SpinHallSOT(H_SH=1e4)
    >>> s.m = df.Field(mesh, nvdim=3, value=(0.6, 0, 0.8), norm=8e5)
    >>> e = Engine(s)
    >>> she = ud.torques.get("she")
    >>> impl = RegisteredTorqueImpl(she, [s.dynamics.spinhallsot], e.grid)
    >>> H = impl.field(e.m, 0.0)
    >>> bool(np.allclose(H, e.torque_fields()["spinhallsot"]))
    True
    """

    def __init__(self, torque, terms, grid):
        from ...torques import NQ

        super().__init__(terms, grid)
        self.torque = torque
        g = grid
        Q = np.zeros((g.batch, NQ, int(np.prod(g.n))))
        for k, par in enumerate(torque.parameters):
            values = [term_value(t, par.attr, par.default) for t in terms]
            Q[:, k] = flat_scalar(g, values, par.attr)
        self.Q = np.ascontiguousarray(Q)
        self.j = flat_vector(g, [term_value(t, "j", (1, 0, 0)) for t in terms], "j")
        self.n = flat_vector(g, [term_value(t, "n", (0, 0, 1)) for t in terms], "n")
        self.p = np.ascontiguousarray(np.cross(self.n, self.j, axis=1))
        fields = [Q[:, k] for k, par in enumerate(torque.parameters) if par.field]
        warn_if_only_empty(grid, fields, self.name, self.cls)
        self._add = _cell_loop(torque.kernel)

    def add_field(self, m, t, H):
        B = m.shape[0]
        self._add(
            m.reshape(B, 3, -1),
            self.n,
            self.j,
            self.p,
            self.factor(t),
            self.Q,
            H.reshape(B, 3, -1),
        )
        return H
