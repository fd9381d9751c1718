r""":class:`micromagneticmodel.Damping`: per-cell scalar :math:`\alpha`.

Without a Damping term :math:`\alpha = 0` (as in OOMMF).
"""

from __future__ import annotations

import micromagneticmodel as mm

from ..registry import register_dynamics
from ._base import DynamicsImpl, check_nonnegative, flat_scalar, term_value

__all__ = ["DampingImpl"]


class DampingImpl(DynamicsImpl):
    """:class:`micromagneticmodel.Damping`: per-cell scalar :math:`\\alpha`."""

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        self.alpha = flat_scalar(grid, [term_value(t, "alpha") for t in terms], "alpha")
        check_nonnegative(self.alpha, "Damping.alpha")

    def configure(self, params):
        params.alpha = self.alpha


@register_dynamics(mm.Damping)
def _build_damping(terms, grid):
    return DampingImpl(terms, grid)
