r""":class:`micromagneticmodel.Slonczewski` as OOMMF's ``Oxs_SpinXferEvolve`` runs it.

The free-layer thickness :math:`d` is the cell edge along the current
direction, which oommfc leaves at OOMMF's default ``J_direction -z``, so
:math:`d = \Delta z` (``rmesh->EdgeLengthZ()``); :math:`\beta =
|\hbar/(\mu_0 e)|\,J/(d M_s)`, :math:`\epsilon = P\Lambda^2/[(\Lambda^2+1) +
(\Lambda^2-1)\,\mathbf{m}\cdot\mathbf{m}_p]`, with OOMMF's constants
:math:`\hbar = 1.0545717\times10^{-34}` J s, :math:`e = 1.6021765\times
10^{-19}` C (:data:`~ubermag_dirac.constants.HBAR_MU0_E_OOMMF`). The torque is
added outside the Gilbert solve in the Landau-Lifshitz form with the scalar
:math:`\alpha` (:func:`ubermag_dirac.kernels.slonczewski_dmdt`, called by
:func:`ubermag_dirac.engine.llg.llg_rhs`). ``Lambda < 1`` is refused as OOMMF
does. ``func``/``dt`` and ``tcl_strings`` (OOMMF's ``J_profile``) give the time
dependence (:mod:`._base`, :mod:`._tcl`).

Table column, as ``Oxs_SpinXferEvolve`` writes it whenever the term is present
(constant or not): ``SpinXferEvolve:evolver:average J`` (A/m^2, ubermagtable's
``average_J``) :math:`= f(t)\,\langle J\rangle`, with OOMMF's mean over *all*
cells of the mesh (empty and fixed cells included: OOMMF averages the parameter
field as given) and :math:`f(t)` the time factor actually applied.
"""

from __future__ import annotations

import micromagneticmodel as mm
import numpy as np

from ...constants import HBAR_MU0_E_OOMMF
from ..registry import register_dynamics
from ._base import (
    DynamicsImpl,
    TimeFactorMixin,
    flat_scalar,
    flat_vector,
    func_dt,
    term_value,
)

__all__ = ["SlonczewskiImpl"]


class SlonczewskiImpl(DynamicsImpl, TimeFactorMixin):
    """:class:`micromagneticmodel.Slonczewski` as ``Oxs_SpinXferEvolve`` computes it.

    Stores per cell ``c1 = beta P Lambda^2`` and ``c2 = beta eps'`` (A/m, with
    ``beta = hbar J / (mu0 e dz Ms)``), ``a = Lambda^2 + 1``, ``b = Lambda^2 - 1``
    and the unit polarisation ``p``; :math:`\\beta\\epsilon = c_1/(a + b\\,
    \\mathbf m\\cdot\\mathbf p)`.
    """

    oommf_evolver = "SpinXferEvolve"

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        what = f"Slonczewski {self.name!r}"
        self.funcs, self.dts = func_dt(terms, what, require_dt=True, allow_tcl=True)
        self.time_dependent = any(f is not None for f in self.funcs)
        J = flat_scalar(grid, [term_value(t, "J") for t in terms], "J")
        self.average_J = J.mean(axis=1)  # OOMMF's ave_J: all cells
        P = flat_scalar(grid, [term_value(t, "P") for t in terms], "P")
        lam_values = []
        for t in terms:
            lam = term_value(t, "Lambda")
            if isinstance(lam, dict) and "default" not in lam:
                lam = {**lam, "default": 1}  # as oommfc writes it
            lam_values.append(lam)
        Lam = flat_scalar(grid, lam_values, "Lambda")
        eps_p = flat_scalar(
            grid, [term_value(t, "eps_prime", 0.0) for t in terms], "eps_prime"
        )
        if np.any(Lam < 1.0):
            raise ValueError(
                f"{what}: Lambda must be >= 1 (Oxs_SpinXferEvolve refuses "
                f"smaller values); got min {Lam.min():g}."
            )
        Ms = grid.Ms.reshape(grid.batch, -1)
        d = grid.cell[2]
        beta = np.divide(
            HBAR_MU0_E_OOMMF * J / d,
            Ms,
            out=np.zeros_like(J),
            where=Ms > 0,
        )
        L2 = Lam * Lam
        self.c1 = np.ascontiguousarray(beta * P * L2)
        self.c2 = np.ascontiguousarray(beta * eps_p)
        self.a = np.ascontiguousarray(L2 + 1.0)
        self.b = np.ascontiguousarray(L2 - 1.0)
        self.p = flat_vector(grid, [term_value(t, "mp") for t in terms], "mp")

    def configure(self, params):
        if params.stt is not None:
            raise ValueError("At most one Slonczewski term per system.")
        params.stt = self

    def table_columns(self):
        """OOMMF's ``average J`` (A/m^2), see the module docstring."""
        return [(f"{self.oommf_evolver}:evolver:average J", "A/m^2")]

    def table_values(self, t):
        return (self.average_J * self.factor(t))[:, None]


@register_dynamics(mm.Slonczewski)
def _build_slonczewski(terms, grid):
    return SlonczewskiImpl(terms, grid)
