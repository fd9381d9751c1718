r"""Engine implementation of the registered spin-orbit torques
(:mod:`ubermag_dirac.torques`: ``ud.DiracSOT``, ``ud.SpinHallSOT``, and any
torque registered later).

A torque's parameters (term attributes, Ubermag parameter forms: numbers,
region dicts, ``df.Field``) become per-cell arrays and a cell loop calls the
torque's compiled kernel, adding its non-conservative field
:math:`\mathbf H_T` (A/m) to the total field *before* the Gilbert solve
(``docs/PHYSICS.md``, "Conventions"), the amplitudes multiplied by ``func(t)``:

* ``ud.DiracSOT``: :math:`\mathbf{H}_T = -H_\mathrm{DL} f_\mathrm{DL}(m_n)\,m_n\,
  \mathbf{j} - H_\mathrm{FL} f_\mathrm{FL}(m_n)\,\mathbf{n}\times\mathbf{j}`
  (:func:`ubermag_dirac.kernels.dirac_field`);
* ``ud.SpinHallSOT``: :math:`\mathbf{H}_T = H_\mathrm{SH}\,\mathbf{m}\times
  \mathbf{p}`, :math:`\mathbf{p} = \mathbf{n}\times\mathbf{j}`
  (:func:`ubermag_dirac.kernels.spin_hall_field`).

The loop of a torque with ``Torque.engine_loop`` (the built-in ones) is
compiled and cached on disk; for the others it is compiled on first use, in
memory (a few seconds once per process).
"""

from __future__ import annotations

import functools

import numba as nb
import numpy as np

from ._base import (
    TorqueFieldImpl,
    flat_scalar,
    term_value,
    warn_if_only_empty,
)

__all__ = ["TorqueImpl", "dirac_add_field", "spin_hall_add_field"]


@functools.cache
def _compiled_loop(kernel):
    """The cell loop of ``kernel``, compiled in memory (torques without
    ``engine_loop``)."""

    from ...torques._loop import LOOP_OPTIONS, torque_cell_loop

    @nb.njit(**LOOP_OPTIONS)
    def loop(m, n, j, p, fac, Q, H):
        torque_cell_loop(kernel, m, n, j, p, fac, Q, H)

    return loop


class TorqueImpl(TorqueFieldImpl):
    """Torque field of a registered :class:`~ubermag_dirac.torques.Torque`.

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import numpy as np
    >>> import ubermag_dirac as ud
    >>> from ubermag_dirac.engine import Engine
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 2e-9, 2e-9), n=(2, 1, 1))
    >>> s = mm.System(name="s")
    >>> s.energy = mm.Exchange(A=1e-11)
    >>> s.dynamics = mm.Precession(gamma0=2.211e5) + ud.SpinHallSOT(H_SH=1e4)
    >>> s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    >>> H = Engine(s).torque_fields()["spinhallsot"]  # H_SH m x p = 1e4 z x y
    >>> H[0, :, 0, 0, 0]
    array([-10000.,      0.,      0.])
    """

    def __init__(self, torque, terms, grid):
        from ...torques import NQ

        super().__init__(terms, grid)
        self.torque = torque
        g = grid
        # (B, NQ, N): a kernel's unused parameters are never read
        Q = np.zeros((g.batch, NQ, int(np.prod(g.n))))
        for k, par in enumerate(torque.parameters):
            values = [term_value(t, par.attr, par.default) for t in terms]
            Q[:, k] = flat_scalar(g, values, par.attr)
        self.Q = np.ascontiguousarray(Q)
        # j and n are one unit vector per term (system): (B, 3)
        self.j = _directions(terms, "j", (1, 0, 0), self.what)
        self.n = _directions(terms, "n", (0, 0, 1), self.what)
        self.p = np.ascontiguousarray(np.cross(self.n, self.j, axis=1))
        fields = [Q[:, k] for k, par in enumerate(torque.parameters) if par.field]
        warn_if_only_empty(grid, fields, self.name, self.cls)
        self._loop = torque.engine_loop or _compiled_loop(torque.kernel)

    @property
    def what(self):
        return f"{self.cls} {self.name!r}"

    def table_columns(self):
        r"""``average_<amplitude>`` (A/m) of the torque's field parameters.

        The amplitudes actually applied, :math:`f(t)\langle H\rangle` over the
        magnetic cells (where they act): ``average_H_DL``, ``average_H_FL``
        (``ud.DiracSOT``), ``average_H_SH`` (``ud.SpinHallSOT``); with
        ``from_surface`` amplitudes they are proportional to the applied
        electric field, so they plot the current pulse.
        """
        return [(f"average_{p.attr}", "A/m") for p in self.torque.parameters if p.field]

    def table_values(self, t):
        B = self.grid.batch
        mask = self.grid.mask.reshape(B, -1)
        count = np.maximum(mask.sum(axis=1), 1)
        k = [i for i, p in enumerate(self.torque.parameters) if p.field]
        means = (self.Q[:, k] * mask[:, None]).sum(axis=2) / count[:, None]
        return means.reshape(B, len(k)) * self.factor(t)[:, None]

    def add_field(self, m, t, H):
        B = m.shape[0]
        self._loop(
            m.reshape(B, 3, -1),
            self.n,
            self.j,
            self.p,
            self.factor(t),
            self.Q,
            H.reshape(B, 3, -1),
        )
        return H


def _directions(terms, attr, default, what):
    """``(B, 3)`` unit vectors ``attr`` of the terms (0 stays 0)."""
    out = np.zeros((len(terms), 3))
    for b, t in enumerate(terms):
        v = np.asarray(term_value(t, attr, default), dtype=float)
        if v.shape != (3,) or not np.all(np.isfinite(v)):
            raise ValueError(f"{what}: {attr} must be a finite 3-vector, got {v!r}.")
        norm = np.sqrt(np.sum(v * v))
        out[b] = v / norm if norm > 0 else 0.0
    return out


def _uniform(v, name):
    """``(B, 3)`` of a ``(B, 3, N)`` array that is the same in every cell."""
    if not np.all(v == v[:, :, :1]):
        raise ValueError(f"{name} must be the same in every cell.")
    return np.ascontiguousarray(v[:, :, 0])


def _add_field(torque, m, params, j, n, fac, H):
    from ...torques import NQ

    Q = np.zeros((m.shape[0], NQ, m.shape[2]))
    Q[:, : len(params)] = np.stack(params, axis=1)
    j, n = _uniform(j, "j"), _uniform(n, "n")
    torque.engine_loop(m, n, j, np.cross(n, j, axis=1), fac, Q, H)
    return H


def dirac_add_field(m, H_DL, H_FL, beta, j, n, fac, H):
    """``H += H_T`` of the Dirac SOT; ``m``, ``H``: ``(B, 3, N)``; amplitudes and
    ``beta``: ``(B, N)``; ``j``, ``n``: ``(B, 3, N)``, uniform; ``fac``: ``(B,)``."""
    from ...torques import get

    return _add_field(get("dirac"), m, [H_DL, H_FL, beta], j, n, fac, H)


def spin_hall_add_field(m, H_SH, p, fac, H):
    """``H += fac H_SH m x p``; ``m``, ``H``: ``(B, 3, N)``, ``H_SH``: ``(B, N)``,
    ``p``: ``(B, 3, N)``, uniform; ``fac``: ``(B,)``."""
    from ...torques import NQ, get

    Q = np.zeros((m.shape[0], NQ, m.shape[2]))
    Q[:, 0] = H_SH
    zero = np.zeros((m.shape[0], 3))
    get("she").engine_loop(m, zero, zero, _uniform(p, "p"), fac, Q, H)
    return H
