r"""Exchange energy: OOMMF's six-neighbour finite-difference Laplacian.

.. math::

    \mathbf{H}_i = \frac{2}{\mu_0 M_{s,i}} \sum_{j \in \mathcal{N}(i)}
        \frac{A_{ij}}{h_{ij}^2} (\mathbf{m}_j - \mathbf{m}_i), \qquad
    w_i = \sum_{j \in \mathcal{N}(i)} \frac{A_{ij}}{h_{ij}^2}
        (1 - \mathbf{m}_i \cdot \mathbf{m}_j)
        = -\frac{\mu_0 M_{s,i}}{2} \mathbf{m}_i \cdot \mathbf{H}_i,

with :math:`\mathbf{H}` in A/m, :math:`w` in J/m^3, :math:`A` in J/m and
:math:`h_{ij}` the cell edge along the bond. :math:`\mathcal{N}(i)` holds the six
face neighbours that exist and are magnetic: a missing neighbour (mesh edge, empty
cell) is dropped, which is the free (Neumann) boundary
:math:`\partial\mathbf{m}/\partial n = 0`; periodic directions wrap around.
The pair coefficient :math:`A_{ij}` follows the parameter form, as oommfc maps it
onto OOMMF:

- a number: ``Oxs_UniformExchange`` (:math:`A_{ij} = A`);
- a region dict: ``Oxs_Exchange6Ngbr``; ``"r"`` couples cells of region ``r``,
  ``"r1:r2"`` the interface between ``r1`` and ``r2``, all other pairs (including
  interfaces without a key) take ``"default"`` (0 when absent);
- a ``df.Field``: ``Oxs_ExchangePtwise``, the harmonic mean
  :math:`A_{ij} = 2 A_i A_j / (A_i + A_j)` (0 where both are 0; OOMMF gives NaN).
  oommfc passes the field as its magnitude (``Oxs_VecMagScalarField``); the
  signed value is used here (they differ only for negative ``A``).
"""

from __future__ import annotations

import micromagneticmodel as mm

from . import _kernels as K
from ._base import MU0, EnergyImpl, inverse_Ms, register
from ._params import bond_coefficients

__all__ = ["ExchangeImpl", "build_exchange"]


class ExchangeImpl(EnergyImpl):
    r"""Six-neighbour exchange of a batch of systems (see the module docstring).

    Parameters
    ----------
    terms : list of micromagneticmodel.Exchange
        The term of this name from each of the ``B`` systems; ``A`` (J/m) may be a
        number, a region dict or a scalar ``df.Field`` and may differ per system.
    grid : ubermag_dirac.engine.grid.Grid
        The batch's grid.

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import numpy as np
    >>> from ubermag_dirac.engine.grid import Grid
    >>> from ubermag_dirac.engine.energy.exchange import ExchangeImpl
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(8e-9, 1e-9, 1e-9), n=(8, 1, 1))
    >>> s = mm.System(name="s")
    >>> s.m = df.Field(mesh, nvdim=3, value=(1, 0, 0), norm=8e5)
    >>> s.energy = mm.Exchange(A=1e-11)
    >>> ex = ExchangeImpl([s.energy.exchange], Grid(s))
    >>> m = Grid(s).unit_m()
    >>> float(np.abs(ex.field(m, 0.0)).max())  # uniform state: no field
    0.0
    >>> float(ex.energy(m, 0.0)[0])
    0.0

    A parameter of the wrong dimension is rejected with its name:

    >>> A = df.Field(mesh, nvdim=3, value=(1e-11, 0, 0))
    >>> ExchangeImpl([mm.Exchange(A=A)], Grid(s))
    Traceback (most recent call last):
    ...
    ValueError: Exchange.A: expected a field with nvdim=1, got nvdim=3.
    """

    energy_degree = 2

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        weights = [1.0 / h**2 for h in grid.cell]
        self.cx, self.cy, self.cz = bond_coefficients(
            [t.A for t in terms], grid, "Exchange.A", "harmonic", weights
        )
        self.hmul = inverse_Ms(grid, 2.0 / MU0)

    def _add_field(self, m, t, H):
        K.exchange_add_field(m, self.cx, self.cy, self.cz, self.hmul, H)

    def _energy_density(self, m, t, w):
        K.exchange_energy(m, self.cx, self.cy, self.cz, self.hmul, w)


@register(mm.Exchange)
def build_exchange(terms, grid) -> ExchangeImpl:
    """Registry builder of :class:`ExchangeImpl`."""
    return ExchangeImpl(terms, grid)
