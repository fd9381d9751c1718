r"""The spin-Hall torque (``ud.SpinHallSOT``) in the torque registry.

:math:`\mathbf H_T = H_\mathrm{SH}\,\mathbf m\times\mathbf p`
(:func:`ubermag_dirac.kernels.spin_hall_field`); one parameter, ``H_SH``.
"""

import numba

from ..kernels import spin_hall_field
from ..kernels._jit import kernel
from ..terms import SpinHallSOT
from . import Parameter, Torque, register_torque
from ._loop import LOOP_OPTIONS, torque_cell_loop

__all__ = ["SPIN_HALL", "spin_hall_engine_loop", "spin_hall_torque"]


@kernel
def spin_hall_torque(mx, my, mz, mn, jx, jy, jz, px, py, pz, cur, h_sh, q1, q2, q3):
    """Registry kernel of the spin-Hall torque: ``cur h_sh m x p``; 0 without
    current or amplitude.

    Examples
    --------
    >>> from ubermag_dirac.torques.spin_hall import spin_hall_torque
    >>> m, j, p = (0.0, 0.0, 1.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0)
    >>> spin_hall_torque(*m, 1.0, *j, *p, 1.0, 100.0, 0.0, 0.0, 0.0)  # z x y = -x
    (-100.0, 0.0, 0.0)
    """
    if cur == 0.0 or h_sh == 0.0:
        return 0.0, 0.0, 0.0
    return spin_hall_field(mx, my, mz, px, py, pz, cur * h_sh)


@numba.njit(cache=True, **LOOP_OPTIONS)
def spin_hall_engine_loop(m, n, j, p, fac, Q, H):
    """The engine's cell loop of :func:`spin_hall_torque` (compiled ahead, cached)."""
    torque_cell_loop(spin_hall_torque, m, n, j, p, fac, Q, H)


SPIN_HALL = register_torque(
    Torque(
        name="she",
        label="spin Hall",
        term=SpinHallSOT,
        parameters=(Parameter("H_SH", "h_sh"),),
        kernel=spin_hall_torque,
        engine_loop=spin_hall_engine_loop,
        threshold_t_max=(300.0, 40.0),
    )
)
