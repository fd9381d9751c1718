r"""Common protocol of the engine's energy-term implementations.

Every builder registered with :func:`ubermag_dirac.engine.registry.register_energy`
returns an object with this interface (the engine relies on nothing else):

``name`` : str
    The term's name (``term.name``), the key of the engine's per-term dictionaries.
``time_dependent`` : bool
    Whether the field depends on ``t``.
``add_field(m, t, H) -> H``
    Adds this term's field (A/m) to the preallocated ``(B, 3, nx, ny, nz)`` array
    ``H`` in place (the engine sums all terms this way, without temporaries).
``field(m, t, out=None) -> H``
    This term's field alone: a new array, or ``out`` overwritten.
``energy_density(m, t, H=None) -> w``
    Energy density (J/m^3), ``(B, nx, ny, nz)``, 0 in empty cells. ``H``, when
    given, must be this term's own field at ``(m, t)`` (it saves recomputing it
    for the terms whose density follows from the field).
``energy(m, t) -> E``
    Energy (J) of each system, ``(B,)``.
``energy_degree`` : int or None
    :math:`p` when the energy density is, up to a constant per cell, a
    homogeneous function of degree :math:`p` of the cell magnetisations, so that
    (Euler) :math:`w = -\frac{\mu_0 M_s}{p}\,\mathbf m\cdot\mathbf H + c`
    with this term's field :math:`\mathbf H`: 2 for exchange, DMI, demag,
    uniaxial anisotropy without ``K2``; 1 for Zeeman; 4 for cubic anisotropy.
    The minimiser then gets energy differences from the field it computes
    anyway. ``None`` (the default) otherwise.

``m`` is ``(B, 3, nx, ny, nz)`` float64 with unit vectors in magnetic cells and
exactly 0 in empty cells (Ms = 0). ``t`` is a float or a ``(B,)`` array of
per-system times (s): the time since the start of the current drive, which is
what OOMMF's ``total_time`` (used by oommfc's time-dependent terms) is.
"""

from __future__ import annotations

import numpy as np

from ..._termparams import term_value as term_attr
from ...constants import MU0

__all__ = [
    "MU0",
    "EnergyImpl",
    "contiguous",
    "per_system_times",
    "register",
    "term_attr",
]


def register(cls: type):
    """:func:`~ubermag_dirac.engine.registry.register_energy` (which accepts the
    same builder registered again when a module is executed a second time)."""
    from ..registry import register_energy

    return register_energy(cls)


def contiguous(a: np.ndarray) -> np.ndarray:
    """``a`` as a C-contiguous float64 array (no copy when it already is one)."""
    return np.ascontiguousarray(a, dtype=np.float64)


def inverse_Ms(grid, scale: float = 1.0) -> np.ndarray:
    """``scale / Ms`` in the magnetic cells of ``grid``, 0 in empty ones
    (``(B, nx, ny, nz)``): the prefactor that turns an energy coefficient into
    a field."""
    return np.divide(scale, grid.Ms, out=np.zeros_like(grid.Ms), where=grid.mask)


def per_system_times(t, batch: int) -> np.ndarray:
    """``t`` (float or ``(B,)`` array) as a ``(B,)`` float64 array."""
    arr = np.asarray(t, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(batch, float(arr))
    if arr.shape != (batch,):
        raise ValueError(
            f"t: expected a number or an array of shape ({batch},) "
            f"(one time per system), got shape {arr.shape}."
        )
    return arr


class EnergyImpl:
    """Base class of the energy-term implementations (see the module docstring).

    Subclasses implement ``_add_field(m, t, H)`` and ``_energy_density(m, t, w)``
    (C-contiguous float64 arrays; ``w`` preallocated); the rest follows. They
    set ``self.name``, ``self.grid`` and ``self.time_dependent``.
    """

    name: str
    time_dependent: bool = False
    energy_degree: int | None = None

    def __init__(self, name: str, grid):
        self.name = name
        self.grid = grid
        self.shape = (grid.batch, 3, *grid.n)
        self.cell_volume = grid.cell_volume

    def configure(self, **settings):
        """Apply engine-wide settings (e.g. ``demag_precision``); terms that have
        none ignore them."""

    def _checked(self, what: str, a) -> np.ndarray:
        """``a`` as C-ordered float64 after checking its shape (the kernels do not)."""
        shape = getattr(a, "shape", None)
        if shape != self.shape:
            raise ValueError(f"{what}: expected shape {self.shape}, got {shape}.")
        return contiguous(a)

    def add_field(self, m, t, H):
        """Add this term's field (A/m) at ``(m, t)`` to ``H`` in place; return ``H``."""
        m = self._checked("m", m)
        if getattr(H, "shape", None) != self.shape:
            raise ValueError(
                f"H: expected shape {self.shape}, got {getattr(H, 'shape', None)}."
            )
        if H.flags.c_contiguous and H.dtype == np.float64:
            self._add_field(m, t, H)
        else:  # the kernels need C order: go through a buffer
            buf = np.zeros(H.shape)
            self._add_field(m, t, buf)
            H += buf
        return H

    def energy_density(self, m, t=0.0, H=None):
        """Energy density (J/m^3), ``(B, nx, ny, nz)``, 0 in empty cells."""
        w = np.empty((self.grid.batch, *self.grid.n))
        self._energy_density(self._checked("m", m), t, w)
        return w

    def _add_field(self, m, t, H):  # pragma: no cover - abstract
        raise NotImplementedError

    def _energy_density(self, m, t, w):  # pragma: no cover - abstract
        raise NotImplementedError

    def field(self, m, t=0.0, out=None):
        """This term's field alone (A/m), ``(B, 3, nx, ny, nz)``."""
        if out is None:
            out = np.zeros(self.shape)
        else:
            out[...] = 0.0
        return self.add_field(m, t, out)

    def energy(self, m, t=0.0) -> np.ndarray:
        """Energy of each system (J), ``(B,)``."""
        w = self.energy_density(m, t)
        return w.reshape(w.shape[0], -1).sum(axis=1) * self.cell_volume

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, batch={self.grid.batch}, "
            f"n={self.grid.n})"
        )
