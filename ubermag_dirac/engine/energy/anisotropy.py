r"""Magnetocrystalline anisotropy: uniaxial (2nd and 4th order) and cubic.

Both follow the OOMMF classes that oommfc writes, including their energy
reference (the additive constant of the density), so that energies agree with
oommfc's tables.

Uniaxial (``Oxs_UniaxialAnisotropy`` for ``K``; ``Southampton_UniaxialAnisotropy4``
for ``K1`` and ``K2``), with :math:`d = \mathbf{m}\cdot\hat{\mathbf{u}}`:

.. math::

    \mathbf{H} = \frac{2 K_1 d + 4 K_2 d^3}{\mu_0 M_s} \hat{\mathbf{u}}, \qquad
    w = \begin{cases}
        -K_1 d^2 - K_2 d^4, & K_1 \le 0 \\
        K_1 (1 - d^2) + K_2 (1 - d^4), & K_1 > 0
        \end{cases}

i.e. :math:`w = -K_1 d^2 - K_2 d^4` up to the constant :math:`K_1 + K_2` that
OOMMF adds in the easy-axis case (it evaluates :math:`1 - d^2` as
:math:`|\hat{\mathbf{u}} \times \mathbf{m}|^2` for accuracy), so the easy axis has
zero energy. The axis is normalised cell by cell.

Cubic (``Oxs_CubicAnisotropy``, OOMMF's sign: :math:`K > 0` makes
:math:`\mathbf{u}_1, \mathbf{u}_2, \mathbf{u}_3` easy), with
:math:`a_k = \mathbf{m}\cdot\mathbf{u}_k`, :math:`\mathbf{u}_3 = \mathbf{u}_1
\times \mathbf{u}_2`:

.. math::

    w = K (a_1^2 a_2^2 + a_2^2 a_3^2 + a_3^2 a_1^2), \qquad
    \mathbf{H} = -\frac{2K}{\mu_0 M_s} \sum_k a_k (1 - a_k^2)\, \mathbf{u}_k,

evaluated as OOMMF does without :math:`\mathbf{u}_3` (using :math:`|\mathbf{m}| =
1`). ``u1`` is normalised and ``u2`` made orthogonal to it and normalised.

Units: ``K``, ``K1``, ``K2`` in J/m^3, fields in A/m, densities in J/m^3; empty
cells carry neither.

One deliberate difference from oommfc: it hands a scalar ``df.Field`` parameter
to OOMMF as the magnitude of a vector field (``Oxs_VecMagScalarField``), so a
negative ``K`` given as a field silently becomes positive there. Here the signed
value is used, as for numbers and region dicts.
"""

from __future__ import annotations

import micromagneticmodel as mm
import numpy as np

from . import _kernels as K
from ._base import MU0, EnergyImpl, contiguous, inverse_Ms, register, term_attr

__all__ = [
    "CubicAnisotropyImpl",
    "UniaxialAnisotropyImpl",
    "build_cubic",
    "build_uniaxial",
]


def _unit(u: np.ndarray, need: np.ndarray, what: str) -> np.ndarray:
    """Normalise ``(B, 3, ...)`` axes; zero-length ones where ``need`` is an error."""
    norm = np.sqrt(np.einsum("bi...,bi...->b...", u, u))
    bad = need & (norm < 1e-14)
    if bad.any():
        raise ValueError(
            f"{what}: zero-length axis in {int(bad.sum())} magnetic cell(s) with "
            "non-zero anisotropy constant."
        )
    return np.divide(u, norm[:, None], out=np.zeros_like(u), where=norm[:, None] > 0)


def _uniaxial_constants(term) -> tuple:
    """``(K1, K2)`` of one term as oommfc reads them."""
    K_, K1, K2 = (term_attr(term, n) for n in ("K", "K1", "K2"))
    if K2 is not None:
        if K1 is None:
            raise ValueError(
                "UniaxialAnisotropy.K1: K2 is given but K1 is not (oommfc's "
                "Southampton_UniaxialAnisotropy4 needs both)."
            )
        return K1, K2
    if K_ is not None:
        return K_, 0.0
    if K1 is not None:
        return K1, 0.0
    raise ValueError("UniaxialAnisotropy.K: neither K nor K1 is given.")


class UniaxialAnisotropyImpl(EnergyImpl):
    r"""Uniaxial anisotropy of a batch of systems (see the module docstring).

    Parameters
    ----------
    terms : list of micromagneticmodel.UniaxialAnisotropy
        One per system: ``K`` or ``K1`` (and optionally ``K2``) in J/m^3 as a
        number, region dict or scalar ``df.Field``; ``u`` a 3-vector, region dict
        or vector ``df.Field``.
    grid : ubermag_dirac.engine.grid.Grid

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.engine.grid import Grid
    >>> from ubermag_dirac.engine.energy.anisotropy import UniaxialAnisotropyImpl
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(2e-9, 1e-9, 1e-9), n=(2, 1, 1))
    >>> s = mm.System(name="s")
    >>> s.m = df.Field(mesh, nvdim=3, value=(1, 0, 1), norm=1e6)
    >>> term = mm.UniaxialAnisotropy(K=1e5, u=(0, 0, 1))
    >>> ua = UniaxialAnisotropyImpl([term], Grid(s))
    >>> m = Grid(s).unit_m()
    >>> ua.energy_density(m)[0, :, 0, 0]  # K (1 - (m.u)^2) = K/2
    array([50000., 50000.])
    >>> ua.field(m)[0, :, 0, 0, 0]  # 2K (m.u)/(mu0 Ms) u
    array([     0.        ,      0.        , 112539.53951964])

    An axis of the wrong dimension is rejected with its name:

    >>> u = df.Field(mesh, nvdim=1, value=1.0)
    >>> UniaxialAnisotropyImpl([mm.UniaxialAnisotropy(K=1e5, u=u)], Grid(s))
    Traceback (most recent call last):
    ...
    ValueError: UniaxialAnisotropy.u: expected a field with nvdim=3, got nvdim=1.
    """

    time_dependent = False

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        K1, K2 = zip(*(_uniaxial_constants(t) for t in terms), strict=True)
        self.K1 = grid.scalar(list(K1), "UniaxialAnisotropy.K1")
        self.K2 = grid.scalar(list(K2), "UniaxialAnisotropy.K2")
        self.K1[~grid.mask] = 0.0
        self.K2[~grid.mask] = 0.0
        u = grid.vector([t.u for t in terms], "UniaxialAnisotropy.u")
        need = grid.mask & ((self.K1 != 0) | (self.K2 != 0))
        self.u = contiguous(_unit(u, need, "UniaxialAnisotropy.u"))
        inv = inverse_Ms(grid)
        self.h1 = contiguous((2.0 / MU0) * self.K1 * inv)
        self.h2 = contiguous((4.0 / MU0) * self.K2 * inv)
        self.K1 = contiguous(self.K1)
        self.K2 = contiguous(self.K2)
        self.mask = np.ascontiguousarray(grid.mask)
        # K1 d^2 (or K1 |u x m|^2: a constant apart) is quadratic; K2 is not
        self.energy_degree = None if np.any(self.K2 != 0) else 2

    def _add_field(self, m, t, H):
        K.uniaxial_add_field(m, self.u, self.h1, self.h2, H)

    def _energy_density(self, m, t, w):
        K.uniaxial_energy(m, self.u, self.K1, self.K2, self.mask, w)


class CubicAnisotropyImpl(EnergyImpl):
    r"""Cubic anisotropy of a batch of systems (see the module docstring).

    Parameters
    ----------
    terms : list of micromagneticmodel.CubicAnisotropy
        One per system: ``K`` (J/m^3; number, region dict or scalar field),
        ``u1``, ``u2`` (3-vectors, region dicts or vector fields).
    grid : ubermag_dirac.engine.grid.Grid

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.engine.grid import Grid
    >>> from ubermag_dirac.engine.energy.anisotropy import CubicAnisotropyImpl
    >>> s = mm.examples.macrospin()  # one cell, m along (0, 1, 1)
    >>> term = mm.CubicAnisotropy(K=3e4, u1=(1, 0, 0), u2=(0, 1, 0))
    >>> ca = CubicAnisotropyImpl([term], Grid(s))
    >>> float(ca.energy_density(Grid(s).unit_m())[0, 0, 0, 0])  # K/4 along <011>
    7500.0

    Parallel axes cannot define a cubic frame:

    >>> bad = mm.CubicAnisotropy(K=3e4, u1=(1, 0, 0), u2=(2, 0, 0))
    >>> CubicAnisotropyImpl([bad], Grid(s))
    Traceback (most recent call last):
    ...
    ValueError: CubicAnisotropy.u2: zero-length axis in 1 magnetic cell(s) ...
    """

    energy_degree = 4

    time_dependent = False

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        self.K = grid.scalar([t.K for t in terms], "CubicAnisotropy.K")
        self.K[~grid.mask] = 0.0
        need = grid.mask & (self.K != 0)
        u1 = _unit(
            grid.vector([t.u1 for t in terms], "CubicAnisotropy.u1"),
            need,
            "CubicAnisotropy.u1",
        )
        u2 = grid.vector([t.u2 for t in terms], "CubicAnisotropy.u2")
        before = np.sqrt(np.einsum("bi...,bi...->b...", u2, u2))
        u2 -= np.einsum("bi...,bi...->b...", u1, u2)[:, None] * u1
        # u2 (nearly) parallel to u1 leaves rounding noise only: treat as zero
        after = np.sqrt(np.einsum("bi...,bi...->b...", u2, u2))
        u2[np.broadcast_to((after <= 1e-10 * before)[:, None], u2.shape)] = 0.0
        self.u1 = contiguous(u1)
        self.u2 = contiguous(_unit(u2, need, "CubicAnisotropy.u2"))
        inv = inverse_Ms(grid)
        self.hmul = contiguous((-2.0 / MU0) * self.K * inv)
        self.K = contiguous(self.K)
        self.mask = np.ascontiguousarray(grid.mask)

    def _add_field(self, m, t, H):
        K.cubic_add_field(m, self.u1, self.u2, self.hmul, H)

    def _energy_density(self, m, t, w):
        K.cubic_energy(m, self.u1, self.u2, self.K, self.mask, w)


@register(mm.UniaxialAnisotropy)
def build_uniaxial(terms, grid) -> UniaxialAnisotropyImpl:
    """Registry builder of :class:`UniaxialAnisotropyImpl`."""
    return UniaxialAnisotropyImpl(terms, grid)


@register(mm.CubicAnisotropy)
def build_cubic(terms, grid) -> CubicAnisotropyImpl:
    """Registry builder of :class:`CubicAnisotropyImpl`."""
    return CubicAnisotropyImpl(terms, grid)
