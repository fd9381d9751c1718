r"""The Dormand-Prince 5(4) Butcher tableau (Dormand & Prince 1980), once.

Seven stages with FSAL (the last stage is evaluated at the fifth-order
solution and is the first stage of the next step):

.. math::

    \mathbf k_i = f\Big(t + c_i h,\ \mathbf y + h\sum_{j<i} a_{ij}\mathbf k_j
    \Big),\qquad \mathbf y_5 = \mathbf y + h\sum_i b_i\mathbf k_i,\qquad
    \mathbf e = h\sum_i e_i\mathbf k_i,

where :math:`b_i` is row 6 of :data:`A` (the fifth-order weights),
:math:`e_i = b_i - \hat b_i` the difference to the embedded fourth-order
weights :math:`\hat b_i` (:data:`B4`). :data:`E` holds the exact rational
differences (as Hairer's DOPRI5 does), each rounded once.

Used by the engine's batched integrator
(:class:`ubermag_dirac.engine.integrators.DormandPrince45`) and the compiled
macrospin integrators (:mod:`ubermag_dirac.macrospin._kernels`); numba reads
these module arrays as compile-time constants.

Examples
--------
>>> import numpy as np
>>> from ubermag_dirac.kernels import dormand_prince as dp
>>> bool(np.allclose(dp.A.sum(axis=1), dp.C))  # row sums are the nodes
True
>>> float(dp.B5.sum()), float(abs(dp.E.sum()) < 1e-16)  # both orders are consistent
(1.0, 1.0)
>>> dp.A[7]
Traceback (most recent call last):
...
IndexError: index 7 is out of bounds for axis 0 with size 7
"""

import numpy as np

__all__ = ["B4", "B5", "A", "C", "E"]

#: Nodes :math:`c_i`.
C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
#: Coefficients :math:`a_{ij}` (row ``i`` uses stages ``j < i``); row 6 is
#: :data:`B5` (FSAL).
A = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [1 / 5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [3 / 40, 9 / 40, 0.0, 0.0, 0.0, 0.0, 0.0],
        [44 / 45, -56 / 15, 32 / 9, 0.0, 0.0, 0.0, 0.0],
        [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0.0, 0.0, 0.0],
        [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0.0, 0.0],
        [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0],
    ]
)
#: Fifth-order weights :math:`b_i` (the propagated solution).
B5 = A[6].copy()
#: Error weights :math:`e_i = b_i - \hat b_i` (exact rationals).
E = np.array(
    [71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40]
)
#: Embedded fourth-order weights :math:`\hat b_i` (for reference).
B4 = B5 - E

for _array in (C, A, B5, E, B4):
    _array.flags.writeable = False
del _array
