"""Analytic linear response of a magnetised Dirac (topological-insulator) surface.

Conventionally ``ud.theory``. Closed forms of Ndiaye et al. (arXiv:1509.06929) with the
corrections recorded in ``docs/PHYSICS.md`` (conventions ``"kubo"``, default, and
``"paper"``); current density <-> fields of a film on the surface (:class:`Bilayer`);
the Mahfouzi-Kioussis NEGF model (:mod:`.negf`); a numerical Kubo-Streda check of the
closed forms (:mod:`.kubo_numeric`); finite temperature: Brown's thermal field and
exact macrospin statistics (:mod:`.thermal`).
"""

from ..constants import GAMMA0_G2 as GAMMA0
from ..constants import GAMMA_G2 as GAMMA
from ..constants import HBAR, MU0, MU_B
from . import (
    bilayer,
    coefficients,
    ferromagnet,
    kubo_numeric,
    negf,
    surface,
    thermal,
    transport,
)
from .bilayer import Bilayer, TorqueFields
from .coefficients import A, B, f_DL, f_FL
from .negf import effective_damping
from .surface import PRESETS, DiracSurface, preset

__all__ = [
    "GAMMA",
    "GAMMA0",
    "HBAR",
    "MU0",
    "MU_B",
    "PRESETS",
    "A",
    "B",
    "Bilayer",
    "DiracSurface",
    "TorqueFields",
    "bilayer",
    "coefficients",
    "effective_damping",
    "f_DL",
    "f_FL",
    "ferromagnet",
    "kubo_numeric",
    "negf",
    "preset",
    "surface",
    "thermal",
    "transport",
]
