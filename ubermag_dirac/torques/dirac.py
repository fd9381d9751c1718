r"""The Dirac spin-orbit torque (``ud.DiracSOT``) in the torque registry.

:math:`\mathbf H_T = -H_\mathrm{DL} f_\mathrm{DL}(m_n)\,m_n\,\mathbf j -
H_\mathrm{FL} f_\mathrm{FL}(m_n)\,\mathbf p` with the angular factors of
:func:`ubermag_dirac.kernels.dirac_field`; parameters ``H_DL`` (swept),
``H_FL`` (scales with it in a switching sweep) and ``beta``.
"""

import numba

from ..kernels import dirac_field
from ..kernels._jit import kernel
from ..terms import DiracSOT
from . import Parameter, Torque, register_torque
from ._loop import LOOP_OPTIONS, torque_cell_loop

__all__ = ["DIRAC", "dirac_engine_loop", "dirac_torque"]


@kernel
def dirac_torque(mx, my, mz, mn, jx, jy, jz, px, py, pz, cur, h_dl, h_fl, beta, q3):
    """Registry kernel of the Dirac torque: :func:`~ubermag_dirac.kernels.dirac_field`
    with both amplitudes scaled by ``cur``; 0 without current or amplitude.

    Examples
    --------
    >>> from ubermag_dirac.torques.dirac import dirac_torque
    >>> m, j, p = (0.0, 0.0, 1.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0)
    >>> dirac_torque(*m, 1.0, *j, *p, 0.5, 100.0, 10.0, 0.0, 0.0)
    (-50.0, -5.0, -0.0)
    """
    if cur == 0.0 or (h_dl == 0.0 and h_fl == 0.0):
        return 0.0, 0.0, 0.0
    return dirac_field(mn, jx, jy, jz, px, py, pz, cur * h_dl, cur * h_fl, beta)


@numba.njit(cache=True, **LOOP_OPTIONS)
def dirac_engine_loop(m, n, j, p, fac, Q, H):
    """The engine's cell loop of :func:`dirac_torque` (compiled ahead, cached)."""
    torque_cell_loop(dirac_torque, m, n, j, p, fac, Q, H)


DIRAC = register_torque(
    Torque(
        name="dirac",
        label="Dirac",
        term=DiracSOT,
        parameters=(
            Parameter("H_DL", "h_dl"),
            Parameter("H_FL", "h_fl"),
            Parameter("beta", "beta", field=False, lower=0.0, upper=1.0),
        ),
        kernel=dirac_torque,
        engine_loop=dirac_engine_loop,
        field_like="H_FL",
    )
)
