r"""Compiled per-cell physics kernels shared by the engine and the macrospin.

One numba-compiled scalar function per physical idea. Each takes and returns
plain floats (vectors as three components, returned as a tuple), so the
callers' loops (the engine's cell loops in :mod:`ubermag_dirac.engine.llg` and
:mod:`ubermag_dirac.engine.dynamics`, the macrospin's right-hand side in
:mod:`ubermag_dirac.macrospin._kernels`) call them per cell and LLVM inlines
them there: no arrays, no allocation, no Python in the hot path.

==========================  ==================================================
kernel                      physics (numpy reference the tests compare with)
==========================  ==================================================
:func:`dirac_factors`       :math:`f_\mathrm{DL}, f_\mathrm{FL}` of the Dirac
                            torque (``theory.coefficients.f_DL``/``f_FL``,
                            ``terms.dirac_sot.f_DL``/``f_FL``)
:func:`dirac_field`         Dirac SOT torque field
                            (``terms.dirac_sot.torque_field``)
:func:`spin_hall_field`     spin-Hall torque field
                            (``terms.spin_hall.torque_field``)
:func:`slonczewski_dmdt`    Slonczewski torque as OOMMF adds it
                            (``terms.spin_hall.slonczewski_dmdt``)
:func:`gilbert_dmdt`        Gilbert form with the damping tensor
                            :math:`\alpha I + \delta\alpha(I - \mathbf n
                            \mathbf n)` (``terms.llg.gilbert_dmdt``)
:func:`damping_dmdt`        no precession (OOMMF's ``do_precess 0``)
                            (``terms.llg.landau_lifshitz_dmdt`` minus the
                            precession)
:func:`thermal_field`       Brown's thermal field, covariance following the
                            damping tensor (``theory.thermal.thermal_field_std``)
:func:`thermal_drift`       noise-induced drift of the damping tensor
                            (``theory.thermal.tensor_damping_drift``)
:mod:`dormand_prince`       the Dormand-Prince 5(4) Butcher tableau
==========================  ==================================================

Adding a kernel: a new module here with one ``@kernel`` function (scalar
arguments, tuple result, units in the docstring), exported below, and a test in
``tests/kernels`` against an independent numpy form.

Note for developers: numba's on-disk cache (``cache=True``) is keyed by the
*calling* function's source file, so after editing a kernel delete the cache
(``find . -name "*.nbi" -delete``) or the callers in other files keep the old
compiled code. A fresh checkout (CI) is not affected.
"""

from . import dormand_prince
from .dirac import dirac_factors, dirac_field
from .gilbert import damping_dmdt, gilbert_dmdt
from .slonczewski import slonczewski_dmdt
from .spin_hall import spin_hall_field
from .thermal import thermal_drift, thermal_field

__all__ = [
    "damping_dmdt",
    "dirac_factors",
    "dirac_field",
    "dormand_prince",
    "gilbert_dmdt",
    "slonczewski_dmdt",
    "spin_hall_field",
    "thermal_drift",
    "thermal_field",
]
