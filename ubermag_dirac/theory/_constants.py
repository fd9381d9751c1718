"""CODATA constants (via :mod:`scipy.constants`) used by :mod:`ubermag_dirac.theory`.

``GAMMA`` is the electron gyromagnetic ratio with ``g = 2`` exactly,
``gamma = 2 mu_B / hbar`` (rad/(s T)), as in Ndiaye et al. and docs/PHYSICS.md.
"""

import scipy.constants as _sc

HBAR = _sc.hbar  #: reduced Planck constant (J s)
E = _sc.e  #: elementary charge (C), e > 0; the electron charge is -e
MU_B = _sc.physical_constants["Bohr magneton"][0]  #: Bohr magneton (J/T)
MU0 = _sc.mu_0  #: vacuum permeability (T m/A)
EV = _sc.electron_volt  #: one electronvolt (J)
GAMMA = 2.0 * MU_B / HBAR  #: gyromagnetic ratio, g = 2 (1/(s T))
GAMMA0 = MU0 * GAMMA  #: Ubermag's gamma0 = mu0 gamma (m/(A s))
