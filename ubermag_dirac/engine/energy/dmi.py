r"""Dzyaloshinskii-Moriya interaction as OOMMF's DMI extensions compute it.

The extensions (``Oxs_DMI_Cnv_{x,y,z}``, ``Oxs_DMI_T``, ``Oxs_DMI_D2d_{x,y,z}``,
which oommfc writes) all use one six-neighbour form: with :math:`\mathbf{u}_{ij}`
the unit vector from cell :math:`i` to its neighbour :math:`j`, :math:`h_{ij}` the
cell edge along it and :math:`\mathbf{d}(\mathbf{u})` the class's DM vector of a
bond (linear in :math:`\mathbf{u}`),

.. math::

    \mathbf{s}_i = \sum_{j \in \mathcal{N}(i)} \frac{D_{ij}}{2 h_{ij}}\,
        \mathbf{d}(\mathbf{u}_{ij}) \times \mathbf{m}_j, \qquad
    \mathbf{H}_i = -\frac{2}{\mu_0 M_{s,i}} \mathbf{s}_i, \qquad
    w_i = \mathbf{m}_i \cdot \mathbf{s}_i,

(:math:`D` in J/m^2, :math:`\mathbf{H}` in A/m, :math:`w` in J/m^3), the central
difference of :math:`w = D\, \mathbf{m} \cdot \sum_a \mathbf{d}(\hat{e}_a) \times
\partial_a \mathbf{m}`, which is Ubermag's (``micromagneticmodel.DMI``) density:

- ``Cnv_z``: :math:`w = D(\mathbf{m}\cdot\nabla m_z - m_z \nabla\cdot\mathbf{m})`,
  :math:`\mathbf{d}(\mathbf{u}) = \hat{z} \times \mathbf{u}` (interfacial);
  ``Cnv_x``, ``Cnv_y``: the same with :math:`x`, :math:`y`
  (:math:`\hat{x} \times \mathbf{u}`, :math:`\hat{y} \times \mathbf{u}`);
- ``T`` and ``O``: :math:`w = D\,\mathbf{m}\cdot(\nabla\times\mathbf{m})`,
  :math:`\mathbf{d}(\mathbf{u}) = \mathbf{u}` (bulk);
- ``D2d_z``: :math:`w = D\,\mathbf{m}\cdot(\partial_x\mathbf{m}\times\hat{x} -
  \partial_y\mathbf{m}\times\hat{y})`, :math:`\mathbf{d}(\hat{x}) = -\hat{x}`,
  :math:`\mathbf{d}(\hat{y}) = \hat{y}`, :math:`\mathbf{d}(\hat{z}) = 0`;
  ``D2d_x`` and ``D2d_y`` cyclically (:math:`-\hat{y}, \hat{z}` and
  :math:`-\hat{z}, \hat{x}`).

(``Cnv`` and ``D2d`` are the deprecated names of ``Cnv_z`` and ``D2d_z``.)
Consequences: for ``Cnv_z`` with :math:`D > 0` a Néel spiral
:math:`\mathbf{m} = (\sin kx, 0, \cos kx)` with :math:`k > 0` has
:math:`w = -D \sin(k\,dx)/dx \approx -Dk`, and of the two Néel skyrmions with
a down core the one whose in-plane moments point towards the core has the lower
energy (outwards for :math:`D < 0`). Boundaries are OOMMF's: a bond to a
missing neighbour (mesh edge, empty cell) is dropped, nothing else; with
exchange this yields the continuum edge condition
:math:`\partial_n \mathbf{m} = \frac{D}{2A} (\hat{z} \times \hat{n}) \times
\mathbf{m}` for ``Cnv_z`` (:math:`\hat{n}` the outward normal). Periodic
directions wrap.

The pair constant :math:`D_{ij}`: a number couples all bonds; a region dict
follows the extensions' ``D`` pair list like ``Oxs_Exchange6Ngbr``
(``"r"``, ``"r1:r2"``, ``"default"``; see :mod:`._params`); a scalar ``df.Field``
(which oommfc cannot pass to OOMMF) uses the arithmetic mean of the two cells.
"""

from __future__ import annotations

import warnings

import micromagneticmodel as mm
import numpy as np

from . import _kernels as K
from ._base import MU0, EnergyImpl, inverse_Ms, register
from ._params import bond_coefficients

__all__ = ["DMI_VECTORS", "DMIImpl", "build_dmi"]

_X, _Y, _Z = np.eye(3)

#: Rows: the DM vector d(e_x), d(e_y), d(e_z) of a bond along +x, +y, +z.
DMI_VECTORS = {
    "Cnv_z": np.array([np.cross(_Z, _X), np.cross(_Z, _Y), np.cross(_Z, _Z)]),
    "Cnv_x": np.array([np.cross(_X, _X), np.cross(_X, _Y), np.cross(_X, _Z)]),
    "Cnv_y": np.array([np.cross(_Y, _X), np.cross(_Y, _Y), np.cross(_Y, _Z)]),
    "T": np.eye(3),
    "O": np.eye(3),
    "D2d_z": np.diag([-1.0, 1.0, 0.0]),
    "D2d_x": np.diag([0.0, -1.0, 1.0]),
    "D2d_y": np.diag([1.0, 0.0, -1.0]),
}
_DEPRECATED = {"Cnv": "Cnv_z", "D2d": "D2d_z"}


def _crystalclass(term) -> str:
    cc = term.crystalclass
    if cc in _DEPRECATED:
        warnings.warn(
            f"Use of `{cc}` is deprecated; use `{_DEPRECATED[cc]}` instead.",
            FutureWarning,
            stacklevel=4,
        )
        cc = _DEPRECATED[cc]
    if cc not in DMI_VECTORS:
        raise ValueError(
            f"DMI.crystalclass: {cc!r} is not one of {sorted(DMI_VECTORS)} "
            "(or the deprecated 'Cnv', 'D2d')."
        )
    return cc


class DMIImpl(EnergyImpl):
    r"""DMI of a batch of systems (see the module docstring).

    Parameters
    ----------
    terms : list of micromagneticmodel.DMI
        The term of this name from each system: ``D`` (J/m^2; number, region dict
        or scalar ``df.Field``) may differ per system, ``crystalclass`` must not.
    grid : ubermag_dirac.engine.grid.Grid

    Examples
    --------
    A Néel spiral of the chirality that ``Cnv_z`` with ``D > 0`` favours:

    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import numpy as np
    >>> from ubermag_dirac.engine.grid import Grid
    >>> from ubermag_dirac.engine.energy.dmi import DMIImpl
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(20e-9, 1e-9, 1e-9), n=(20, 1, 1), bc="x")
    >>> k = 2 * np.pi / 20e-9
    >>> s = mm.System(name="s")
    >>> s.m = df.Field(
    ...     mesh,
    ...     nvdim=3,
    ...     value=lambda p: (np.sin(k * p[0]), 0, np.cos(k * p[0])),
    ...     norm=8e5,
    ... )
    >>> dmi = DMIImpl([mm.DMI(D=3e-3, crystalclass="Cnv_z")], Grid(s))
    >>> w = dmi.energy_density(Grid(s).unit_m())
    >>> bool(np.allclose(w, -3e-3 * np.sin(k * 1e-9) / 1e-9))
    True

    A parameter of the wrong dimension is rejected with its name:

    >>> D = df.Field(mesh, nvdim=3, value=(1e-3, 0, 0))
    >>> DMIImpl([mm.DMI(D=D, crystalclass="T")], Grid(s))
    Traceback (most recent call last):
    ...
    ValueError: DMI.D: expected a field with nvdim=1, got nvdim=3.
    """

    energy_degree = 2

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        classes = {_crystalclass(t) for t in terms}
        if len(classes) != 1:
            raise ValueError(
                f"DMI.crystalclass: the systems of a batch must share the crystal "
                f"class of term {self.name!r}, got {sorted(classes)}."
            )
        self.crystalclass = classes.pop()
        self.V = np.ascontiguousarray(DMI_VECTORS[self.crystalclass], dtype=float)
        weights = [0.5 / h for h in grid.cell]
        self.cx, self.cy, self.cz = bond_coefficients(
            [t.D for t in terms], grid, "DMI.D", "arithmetic", weights
        )
        self.hmul = inverse_Ms(grid, -2.0 / MU0)

    def _add_field(self, m, t, H):
        K.dmi_add_field(m, self.cx, self.cy, self.cz, self.V, self.hmul, H)

    def _energy_density(self, m, t, w):
        K.dmi_energy(m, self.cx, self.cy, self.cz, self.V, self.hmul, w)


@register(mm.DMI)
def build_dmi(terms, grid) -> DMIImpl:
    """Registry builder of :class:`DMIImpl`."""
    return DMIImpl(terms, grid)
