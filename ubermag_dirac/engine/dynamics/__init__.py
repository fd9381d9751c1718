r"""Engine implementations of the dynamics terms, one module per term, and the
dynamics protocol.

Every dynamics term class is registered with
:func:`~ubermag_dirac.engine.registry.register_dynamics`; its builder
``builder(terms, grid) -> DynamicsImpl`` receives the term of one name from each
system of the batch. A :class:`DynamicsImpl` has

``name`` : str
    The term's name.
``time_dependent`` : bool
    Whether it depends on ``t``.
``configure(params: LLGParameters) -> None``
    Writes its contribution into the per-cell LLG parameters (gyromagnetic
    ratio, damping, damping tensor, Slonczewski arrays) or appends itself to
    ``params.torque_fields``.

Torque-field terms (:class:`~._base.TorqueFieldImpl`) additionally implement
``add_field(m, t, H)``: they add their (non-conservative) field
:math:`\mathbf{H}_T` (A/m) to the total effective field ``H`` in place,
*before* the Gilbert solve (``PHYSICS.md``, "Conventions").

=========================  =========================  ===========================
term                       module                     per-cell physics
=========================  =========================  ===========================
``mm.Precession``          :mod:`.precession`         :math:`\gamma_0`
``mm.Damping``             :mod:`.damping`            :math:`\alpha`
``ud.AnisotropicDamping``  :mod:`.anisotropic_damping`  damping tensor
``mm.Slonczewski``         :mod:`.slonczewski`        ``kernels.slonczewski_dmdt``
``mm.ZhangLi``             :mod:`.zhang_li`           OOMMF's stencil (own kernel)
``ud.DiracSOT``            :mod:`.dirac_sot`          ``kernels.dirac_field``
``ud.SpinHallSOT``         :mod:`.spin_hall`          ``kernels.spin_hall_field``
=========================  =========================  ===========================

Shared plumbing (parameter arrays, ``func``/``dt`` time factors, empty-cell
warning) is in :mod:`._base`, evaluation of OOMMF ``tcl_strings`` in
:mod:`._tcl`. The Gilbert solve itself is :func:`ubermag_dirac.engine.llg.llg_rhs`.
Conventions taken from oommfc / OOMMF are documented in the term modules (no
Precession: ``do_precess 0`` with :math:`\gamma_G = 2.211\times10^5` m/(A s);
no Damping: :math:`\alpha = 0`; Slonczewski and Zhang-Li as OOMMF's evolvers).
"""

from __future__ import annotations

from ...constants import GAMMA0_OOMMF
from ..registry import DYNAMICS, register_dynamics
from . import damping, precession, slonczewski, zhang_li  # noqa: F401  (registration)
from ._base import DynamicsImpl, LLGParameters, TorqueFieldImpl, time_factor
from .anisotropic_damping import AnisotropicDampingImpl
from .dirac_sot import DiracSOTImpl, dirac_add_field
from .spin_hall import SpinHallSOTImpl, spin_hall_add_field
from .zhang_li import zhang_li_add_field

__all__ = [
    "GAMMA0_OOMMF",
    "DynamicsImpl",
    "LLGParameters",
    "TorqueFieldImpl",
    "dirac_add_field",
    "register_ud_terms",
    "spin_hall_add_field",
    "time_factor",
    "zhang_li_add_field",
]


def register_ud_terms() -> str | None:
    """Register the ubermag-dirac dynamics terms that :mod:`ubermag_dirac.terms` has.

    Idempotent; called by every :class:`~ubermag_dirac.engine.Engine`. Returns
    ``None`` when all three are registered, else the reason some are not (the
    engine then treats those as unsupported terms).
    """
    try:
        from ... import terms as ud_terms
    except ImportError as exc:
        return f"ubermag_dirac.terms does not import ({exc})"
    impls = {
        "DiracSOT": DiracSOTImpl,
        "SpinHallSOT": SpinHallSOTImpl,
        "AnisotropicDamping": AnisotropicDampingImpl,
    }
    missing = []
    for name, impl in impls.items():
        cls = getattr(ud_terms, name, None)
        if cls is None:
            missing.append(name)
        elif cls not in DYNAMICS:
            register_dynamics(cls)(impl)
    if missing:
        return f"ubermag_dirac.terms has no {missing} yet"
    return None
