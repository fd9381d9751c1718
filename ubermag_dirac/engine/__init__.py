"""Finite-difference LLG engine that runs Ubermag systems (see docs/ARCHITECTURE.md).

Public names
------------
Engine
    The calculator of a batch of systems sharing one mesh.
IntegrationError
    Raised when time integration, relaxation or minimisation fails.
UnsupportedTermError
    Raised for a term the calculator cannot run (naming it).
Grid
    Mesh, Ms and region map of a batch; parameter conversion.
register_energy, register_dynamics, lookup
    Term registries.
"""

from .core import Engine
from .errors import IntegrationError
from .grid import Grid
from .registry import UnsupportedTermError, lookup, register_dynamics, register_energy

__all__ = [
    "Engine",
    "Grid",
    "IntegrationError",
    "UnsupportedTermError",
    "lookup",
    "register_dynamics",
    "register_energy",
]
