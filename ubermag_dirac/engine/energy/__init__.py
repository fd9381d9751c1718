"""Energy terms of the engine, one module per term; importing registers them.

Each module registers a builder with
:func:`ubermag_dirac.engine.registry.register_energy` for one
``micromagneticmodel`` energy class. The builder takes ``(terms, grid)`` (the
term of one name from each of the ``B`` systems, and the shared
:class:`~ubermag_dirac.engine.grid.Grid`) and returns an implementation with the
protocol of :class:`~ubermag_dirac.engine.energy._base.EnergyImpl`: ``name``,
``time_dependent``, ``add_field(m, t, H)``, ``field(m, t, out=None)``,
``energy_density(m, t, H=None)`` and ``energy(m, t)``.

Registered: ``Exchange``, ``UniaxialAnisotropy``, ``CubicAnisotropy``, ``Zeeman``,
``DMI``, ``RKKY`` (modules of this package) and ``Demag`` (implemented in
:mod:`ubermag_dirac.engine.demag`; :mod:`.demag` here imports it). Every other
energy term (``MagnetoElastic``, ...) raises
:class:`~ubermag_dirac.engine.registry.UnsupportedTermError` on lookup.
"""

from . import anisotropy, demag, dmi, exchange, rkky, zeeman  # noqa: F401  (registration)
from ._base import MU0, EnergyImpl

__all__ = ["MU0", "EnergyImpl"]
