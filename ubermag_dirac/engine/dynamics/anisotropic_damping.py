r"""``ud.AnisotropicDamping``: adds :math:`\delta\alpha (I - \mathbf n\mathbf n)`
to the damping tensor of the Gilbert form
(:func:`ubermag_dirac.kernels.gilbert_dmdt`). Not an OOMMF term; it needs a
Precession term (the engine refuses it without one).
"""

from __future__ import annotations

from ._base import DynamicsImpl, check_nonnegative, flat_scalar, flat_vector, term_value

__all__ = ["AnisotropicDampingImpl"]


class AnisotropicDampingImpl(DynamicsImpl):
    """``ud.AnisotropicDamping``: adds :math:`\\delta\\alpha (I - nn)` to the tensor."""

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        self.dalpha = flat_scalar(
            grid, [term_value(t, "delta_alpha") for t in terms], "delta_alpha"
        )
        check_nonnegative(self.dalpha, "AnisotropicDamping.delta_alpha")
        self.n = flat_vector(grid, [term_value(t, "n", (0, 0, 1)) for t in terms], "n")

    def configure(self, params):
        if params.dalpha is not None:
            raise ValueError("At most one AnisotropicDamping term per system.")
        params.dalpha = self.dalpha
        params.nvec = self.n
