r"""Registry of the spin-orbit torques that the macrospin and the switching studies run.

A torque is a :class:`Torque` descriptor, registered once with
:func:`register_torque`: its name (the ``torque=`` key of
:func:`ubermag_dirac.macrospin.phase_diagram`), its ``micromagneticmodel``
dynamics term class, its amplitude parameters (:class:`Parameter`: the term
attribute, the keyword of the reduced macrospin, whether it is a field), and its
compiled kernel, the torque field :math:`\mathbf H_T` in one cell. From these
the rest follows without further code:

* :func:`ubermag_dirac.macrospin.from_terms` reads a term of the class and
  converts it to reduced units (fields divided by :math:`H_K`);
* :func:`ubermag_dirac.macrospin.solve` / ``phase_diagram`` accept the
  parameters as keywords (``h_dl=...``) and run the kernel inside the Gilbert
  form of the compiled integrator;
* :func:`ubermag_dirac.switching.phase_diagram` finds the term in a system,
  sweeps its first parameter (the damping-like amplitude) and compares with the
  macrospin; the engine runs the term through :meth:`Torque.engine_builder`
  (:mod:`ubermag_dirac.engine.dynamics.torque`).

Kernel signature (numba-compiled, scalar, see :mod:`ubermag_dirac.kernels`)::

    kernel(mx, my, mz, mn, jx, jy, jz, px, py, pz, cur, q0, q1, q2, q3) -> (hx, hy, hz)

with the unit magnetisation ``m``, ``mn = m . n``, the unit current direction
``j``, ``p = n x j``, the time factor ``cur`` of the current and the torque's
parameters ``q`` in the order of :attr:`Torque.parameters` (at most
:data:`NQ`; unused ones are 0). Field parameters are in the unit of the result
(A/m in the engine, :math:`H_K` in the macrospin) and are multiplied by ``cur``
inside the kernel.

Built in: ``"dirac"`` (:class:`ubermag_dirac.DiracSOT`) and ``"she"``
(:class:`ubermag_dirac.SpinHallSOT`), one module each. Adding a torque is one
module with the term class, the kernel and a :class:`Torque`, plus one
:func:`register_torque` call.

Examples
--------
>>> import ubermag_dirac as ud
>>> from ubermag_dirac import torques
>>> torques.names()
('dirac', 'she')
>>> t = torques.get("she")
>>> t.term is ud.SpinHallSOT, t.amplitude.attr, t.label
(True, 'H_SH', 'spin Hall')
>>> torques.for_term(ud.DiracSOT(H_DL=1.0)).name
'dirac'
>>> torques.get("oersted")
Traceback (most recent call last):
...
ValueError: Unknown torque 'oersted'; use one of ('dirac', 'she').
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

__all__ = [
    "NQ",
    "Parameter",
    "Torque",
    "for_term",
    "get",
    "names",
    "register_torque",
    "unregister_torque",
]

#: Maximum number of parameters of a torque (kernel arguments ``q0 .. q3``).
NQ = 4


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One parameter of a torque.

    Attributes
    ----------
    attr : str
        Attribute of the dynamics term (e.g. ``"H_DL"``).
    key : str
        Keyword of the reduced macrospin (e.g. ``"h_dl"``); unique over all
        registered torques.
    field : bool
        A field (A/m; divided by :math:`H_K` in reduced units, scaled with the
        current), else dimensionless.
    default : float
        Value when the term does not set it.
    lower, upper : float or None
        Allowed range (``upper`` exclusive), checked by the macrospin.
    """

    attr: str
    key: str
    field: bool = True
    default: float = 0.0
    lower: float | None = None
    upper: float | None = None


@dataclasses.dataclass(frozen=True)
class Torque:
    r"""Descriptor of a spin-orbit torque (see the module docstring).

    Attributes
    ----------
    name : str
        Registry key (``torque="dirac"``).
    label : str
        Name for plots and messages (``"Dirac"``).
    term : type
        The ``micromagneticmodel.DynamicsTerm`` subclass; it has ``j``, ``n``
        (unit vectors, ``j . n = 0``), ``func`` and ``dt`` like ``ud.DiracSOT``.
    parameters : tuple of Parameter
        The kernel's parameters in order; the first is the damping-like
        amplitude that phase diagrams sweep.
    kernel : numba dispatcher
        Torque field in one cell (module docstring).
    field_like : str or None
        Attribute of a field-like amplitude that a switching sweep scales with
        the swept one (``scale_fl``), if any.
    threshold_t_max : tuple of float
        ``(a, b)``: :func:`ubermag_dirac.macrospin.switching_threshold`
        integrates to :math:`\max(a, b/\alpha)` by default.
    engine_loop : numba dispatcher or None
        The engine's cell loop of the kernel compiled ahead and cached on disk
        (``torque_cell_loop(kernel, ...)`` in a module-level ``njit(cache=True)``
        function, see :mod:`ubermag_dirac.torques.dirac`); None: compiled on
        first use, in memory.
    """

    name: str
    label: str
    term: type
    parameters: tuple
    kernel: Callable
    field_like: str | None = None
    threshold_t_max: tuple = (400.0, 60.0)
    engine_loop: Callable | None = None

    def __post_init__(self):
        if not 1 <= len(self.parameters) <= NQ:
            raise ValueError(
                f"Torque {self.name!r}: 1 to {NQ} parameters, got "
                f"{len(self.parameters)}."
            )
        if not self.parameters[0].field:
            raise ValueError(
                f"Torque {self.name!r}: the first parameter is the swept amplitude "
                "and must be a field."
            )

    @property
    def amplitude(self) -> Parameter:
        """The swept damping-like amplitude (the first parameter)."""
        return self.parameters[0]

    @property
    def amplitude_latex(self) -> str:
        """The amplitude attribute in LaTeX, ``H_DL`` -> ``H_\\mathrm{DL}``."""
        head, _, tail = self.amplitude.attr.partition("_")
        return f"{head}_\\mathrm{{{tail}}}" if tail else head

    @property
    def recorded(self) -> tuple:
        """Attributes a switching sweep records besides the swept amplitude."""
        return tuple(p.attr for p in self.parameters[1:])

    def parameter(self, key) -> Parameter:
        """The parameter with macrospin keyword or term attribute ``key``."""
        for p in self.parameters:
            if key in (p.key, p.attr):
                return p
        raise KeyError(key)

    def engine_builder(self, terms, grid):
        """Engine implementation of the term
        (:class:`ubermag_dirac.engine.dynamics.torque.TorqueImpl`)."""
        from ..engine.dynamics.torque import TorqueImpl

        return TorqueImpl(self, terms, grid)


_TORQUES: dict[str, Torque] = {}


def register_torque(torque: Torque) -> Torque:
    """Register ``torque`` (idempotent for the same descriptor).

    Also registers :meth:`Torque.engine_builder` with the engine for the term
    class (unless the engine already has an implementation of the class).

    Raises
    ------
    ValueError
        Another torque of that name or term class, or a parameter keyword that
        another torque uses.
    """
    old = _TORQUES.get(torque.name)
    if old is not None:
        if old == torque:
            return torque
        raise ValueError(f"A torque named {torque.name!r} is already registered.")
    keys = {p.key for t in _TORQUES.values() for p in t.parameters}
    for t in _TORQUES.values():
        if t.term is torque.term:
            raise ValueError(
                f"{torque.term.__name__} is already the term of torque {t.name!r}."
            )
    clash = [p.key for p in torque.parameters if p.key in keys]
    if clash:
        raise ValueError(
            f"Torque {torque.name!r}: parameter keywords {clash} are used by "
            "another torque."
        )
    from ..engine.registry import DYNAMICS, register_dynamics

    _TORQUES[torque.name] = torque
    if torque.term not in DYNAMICS:
        register_dynamics(torque.term)(torque.engine_builder)
    return torque


def unregister_torque(name) -> None:
    """Remove a registered torque (and the generic engine implementation that
    :func:`register_torque` added for its term class). Built-in torques cannot
    be removed."""
    from ..engine.registry import DYNAMICS

    torque = get(name)
    if torque in BUILTIN:
        raise ValueError(f"The built-in torque {torque.name!r} cannot be removed.")
    del _TORQUES[torque.name]
    builder = DYNAMICS.get(torque.term)
    if getattr(builder, "__func__", None) is Torque.engine_builder:
        del DYNAMICS[torque.term]


def names() -> tuple:
    """Names of the registered torques, in registration order."""
    return tuple(_TORQUES)


def get(name) -> Torque:
    """The torque registered as ``name`` (a :class:`Torque` is returned as is)."""
    if isinstance(name, Torque):
        return name
    try:
        return _TORQUES[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown torque {name!r}; use one of {names()}.") from None


def for_term(term) -> Torque | None:
    """The torque whose term class ``term`` is an instance of, else None."""
    for t in _TORQUES.values():
        if isinstance(term, t.term):
            return t
    return None


def all_parameters() -> dict:
    """``{keyword: (torque, parameter)}`` over all registered torques."""
    return {p.key: (t, p) for t in _TORQUES.values() for p in t.parameters}


from . import dirac, spin_hall  # noqa: E402  (the built-in torques register)

#: The built-in torques, in the order of their columns in the macrospin's
#: parameter table (the compiled, disk-cached fast path).
BUILTIN = (dirac.DIRAC, spin_hall.SPIN_HALL)
