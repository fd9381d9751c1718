r""":class:`micromagneticmodel.Precession`: per-cell :math:`\gamma_0`.

Without a Precession term oommfc writes ``do_precess 0`` and OOMMF keeps its
default :math:`\gamma_G = 2.211\times10^5` m/(A s)
(:data:`~ubermag_dirac.constants.GAMMA0_OOMMF`, the default of
:class:`~ubermag_dirac.engine.dynamics.LLGParameters`); only the damping part of
the LLG equation (and of the Slonczewski torque) remains.
"""

from __future__ import annotations

import micromagneticmodel as mm
import numpy as np

from ..registry import register_dynamics
from ._base import DynamicsImpl, flat_scalar, term_value

__all__ = ["PrecessionImpl"]


class PrecessionImpl(DynamicsImpl):
    """:class:`micromagneticmodel.Precession`: per-cell :math:`\\gamma_0`."""

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        self.gamma = np.abs(
            flat_scalar(grid, [term_value(t, "gamma0") for t in terms], "gamma0")
        )

    def configure(self, params):
        params.gamma = self.gamma
        params.do_precess = True


@register_dynamics(mm.Precession)
def _build_precession(terms, grid):
    return PrecessionImpl(terms, grid)
