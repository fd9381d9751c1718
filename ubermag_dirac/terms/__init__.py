r"""Dynamics terms for ``micromagneticmodel`` systems on topological-insulator surfaces.

All torques act *inside* the Gilbert form of the LLG equation, as
non-conservative fields :math:`\mathbf{H}_\text{T}` added to
:math:`\mathbf{H}_\text{eff}` (``docs/ARCHITECTURE.md``, ``docs/PHYSICS.md``):

.. math::

    \frac{\partial\mathbf{m}}{\partial t} = -\gamma_0\,\mathbf{m}\times
    (\mathbf{H}_\text{eff} + \mathbf{H}_\text{T}) + \mathbf{m}\times\left(
    [\alpha\,\mathbf{I} + \delta\alpha\,(\mathbf{I} - \mathbf{n}\mathbf{n})]
    \cdot\frac{\partial\mathbf{m}}{\partial t}\right).

Terms
-----
:class:`DiracSOT`
    Dirac damping-like and field-like torques (``dirac_sot``).
:class:`AnisotropicDamping`
    :math:`\delta\alpha` on the in-plane components (``anisotropic_damping``).
:class:`SpinHallSOT`
    Spin-Hall damping-like torque, exactly equivalent to ``mm.Slonczewski`` with
    ``Lambda=1, eps_prime=0`` (``spin_hall``; conversions
    :func:`spin_hall_to_slonczewski`, :func:`slonczewski_to_spin_hall`).

Checks
------
:mod:`system_checks`: a system's dynamics against its magnetisation and mesh
(``from_surface`` terms built for another Ms or thickness; a forgotten
``mm.Precession``), run by ``ud.TimeDriver`` and ``ud.switching``.

References
----------
Plain numpy references (component-last arrays ``(..., 3)``):
``dirac_sot.torque_field``, ``spin_hall.torque_field``,
:func:`gilbert_dmdt` (exact Gilbert solve with the damping tensor),
:func:`landau_lifshitz_dmdt` and ``spin_hall.slonczewski_dmdt``.
"""

from . import anisotropic_damping as anisotropic_damping
from . import dirac_sot as dirac_sot
from . import llg as llg
from . import spin_hall as spin_hall
from . import system_checks as system_checks
from .anisotropic_damping import AnisotropicDamping as AnisotropicDamping
from .dirac_sot import DiracSOT as DiracSOT
from .llg import damping_tensor as damping_tensor
from .llg import gilbert_dmdt as gilbert_dmdt
from .llg import landau_lifshitz_dmdt as landau_lifshitz_dmdt
from .spin_hall import SpinHallSOT as SpinHallSOT
from .spin_hall import slonczewski_dmdt as slonczewski_dmdt
from .spin_hall import slonczewski_to_spin_hall as slonczewski_to_spin_hall
from .spin_hall import spin_hall_to_slonczewski as spin_hall_to_slonczewski

__all__ = [
    "AnisotropicDamping",
    "DiracSOT",
    "SpinHallSOT",
    "damping_tensor",
    "gilbert_dmdt",
    "landau_lifshitz_dmdt",
    "slonczewski_dmdt",
    "slonczewski_to_spin_hall",
    "spin_hall_to_slonczewski",
]
