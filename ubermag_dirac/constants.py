r"""Physical constants of ubermag-dirac, defined once for the whole package.

Three sources, each for a reason:

* **Ubermag's micromagnetic conventions** (:mod:`micromagneticmodel.consts`):
  :data:`MU0` and :data:`GAMMA0`. They fix what the field unit A/m and the
  Precession term's :math:`\gamma_0` mean in every Ubermag system, so the engine,
  the drivers, the macrospin solver, the switching studies and the A/m fields
  that the theory hands to ``ud.DiracSOT`` all use them (a torque
  :math:`\gamma\mathbf B = \gamma_0\mathbf H` needs the same :math:`\mu_0` in
  :math:`\gamma_0 = \mu_0\gamma` and in :math:`\mathbf H = \mathbf B/\mu_0`).
  ``mm.consts.mu0`` is :math:`4\pi\times10^{-7}` T m/A exactly (also OOMMF's
  value); ``mm.consts.gamma0`` is :math:`\mu_0 g_e e/(2 m_e) =
  2.21276148721\times10^5` m/(A s) with the electron's :math:`g_e = 2.0023` and
  CODATA-2014 :math:`e`, :math:`m_e`.
* **CODATA** (:mod:`scipy.constants`): :data:`HBAR`, :data:`E`, :data:`MU_B`,
  :data:`KB`, :data:`EV` for the Dirac-surface theory (and the thermal field).
  ``micromagneticmodel`` also defines ``hbar``, ``e``, ``muB`` and ``kB``, but
  from CODATA 2014 (relative differences 1e-8 to 4e-7 to scipy's values, which
  are exact SI values since 2019); ``scipy.constants`` is the field's reference
  and what the theory's tests check against.
* **OOMMF's hard-coded values**, for parity with OOMMF where it matters:
  :data:`GAMMA0_OOMMF` (the :math:`\gamma_G` an evolver keeps without a
  Precession term) and :data:`HBAR_OOMMF`, :data:`E_OOMMF`
  (``Oxs_SpinXferEvolve``'s Slonczewski prefactor).

The CODATA value of the magnetic constant (``scipy.constants.mu_0``, no longer
exactly :math:`4\pi\times10^{-7}` since 2019) differs from :data:`MU0` by
:math:`1.3\times10^{-10}` relative and is deliberately not used.

Examples
--------
>>> import micromagneticmodel as mm
>>> from ubermag_dirac import constants as c
>>> c.MU0 == mm.consts.mu0 and c.GAMMA0 == mm.consts.gamma0
True
>>> round(c.GAMMA0_G2 / c.GAMMA0, 6)  # g = 2 of the theory vs g_e = 2.0023
0.998842
>>> c.MU_0
Traceback (most recent call last):
...
AttributeError: module 'ubermag_dirac.constants' has no attribute 'MU_0'
"""

import micromagneticmodel as _mm
import scipy.constants as _sc

__all__ = [
    "EV",
    "E_OOMMF",
    "GAMMA0",
    "GAMMA0_G2",
    "GAMMA0_OOMMF",
    "GAMMA_G2",
    "HBAR",
    "HBAR_MU0_E_OOMMF",
    "HBAR_OOMMF",
    "KB",
    "MU0",
    "MU_B",
    "E",
]

# ------------------------------------------------- Ubermag's micromagnetic units
#: Magnetic constant (T m/A): :math:`4\pi\times10^{-7}`, ``mm.consts.mu0``.
MU0 = _mm.consts.mu0
#: Ubermag's default :math:`\gamma_0 = \mu_0\gamma` (m/(A s)), ``mm.consts.gamma0``.
GAMMA0 = _mm.consts.gamma0

# ------------------------------------------------------------ CODATA (scipy)
#: Reduced Planck constant (J s).
HBAR = _sc.hbar
#: Elementary charge (C), :math:`e > 0`; the electron's charge is :math:`-e`.
E = _sc.e
#: Bohr magneton (J/T).
MU_B = _sc.physical_constants["Bohr magneton"][0]
#: Boltzmann constant (J/K).
KB = _sc.k
#: One electronvolt (J).
EV = _sc.electron_volt
#: Gyromagnetic ratio with :math:`g = 2` exactly, :math:`2\mu_B/\hbar`
#: (rad/(s T)), as in Ndiaye et al. (the theory's :math:`\gamma`).
GAMMA_G2 = 2.0 * MU_B / HBAR
#: :math:`\mu_0\gamma` with :math:`g = 2` (m/(A s)); not Ubermag's :data:`GAMMA0`.
GAMMA0_G2 = MU0 * GAMMA_G2

# ---------------------------------------------------------------------- OOMMF
#: OOMMF's default Gilbert :math:`\gamma_G` (m/(A s)), kept without Precession.
GAMMA0_OOMMF = 2.211e5
#: :math:`\hbar` (J s) of OOMMF's ``Oxs_SpinXferEvolve``.
HBAR_OOMMF = 1.0545717e-34
#: :math:`e` (C) of OOMMF's ``Oxs_SpinXferEvolve``.
E_OOMMF = 1.6021765e-19
#: :math:`|\hbar/(\mu_0 e)|` (A m) with OOMMF's constants: the Slonczewski
#: amplitude is :math:`\beta = |\hbar/(\mu_0 e)|\,J/(d M_s)` (A/m).
HBAR_MU0_E_OOMMF = abs(HBAR_OOMMF / (MU0 * E_OOMMF))
