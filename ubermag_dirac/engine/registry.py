"""Registries that map Ubermag term classes to their engine implementations.

The engine never dispatches on term types with if/elif chains: each supported
``micromagneticmodel`` (or ubermag-dirac) term class is registered once, with a
builder that turns the term objects of a batch of systems into an engine
implementation. A term whose class is not registered raises
:class:`UnsupportedTermError` naming it; nothing is silently dropped.

Builder signatures
------------------
``energy builder(terms: list[term], grid: Grid) -> EnergyImpl`` where ``terms``
holds the term of that name from each system of the batch and ``EnergyImpl`` has
``name``, ``field(m, t, out=None) -> H`` (A/m, ``(B, 3, nx, ny, nz)``, ``m`` unit
vectors) and ``energy_density(m, t, H=None) -> w`` (J/m^3, ``(B, nx, ny, nz)``),
and optionally ``configure(**settings)``, which the engine calls once with its
term settings (``demag_precision``).

``dynamics builder(terms, grid) -> DynamicsImpl``; the dynamics protocol is defined
in :mod:`ubermag_dirac.engine.dynamics`.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "DYNAMICS",
    "ENERGY",
    "UnsupportedTermError",
    "lookup",
    "register_dynamics",
    "register_energy",
]

ENERGY: dict[type, Callable] = {}
DYNAMICS: dict[type, Callable] = {}


class UnsupportedTermError(NotImplementedError):
    """A system holds a term that the ubermag-dirac calculator cannot run."""


def _same_builder(a: Callable, b: Callable) -> bool:
    """Same definition: pytest's importlib mode may execute a module twice."""
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def _register(table: dict, cls: type):
    def decorator(builder: Callable) -> Callable:
        old = table.get(cls)
        if old is not None:
            if _same_builder(old, builder):
                return builder
            raise ValueError(f"{cls.__name__} is already registered.")
        table[cls] = builder
        return builder

    return decorator


def register_energy(cls: type):
    """Register ``builder`` as the engine implementation of energy term ``cls``.

    Registering the same builder again (a module executed a second time, as
    pytest's importlib mode does when it collects a single module of a package
    for its doctests) is accepted; a different builder for a registered class
    raises ``ValueError``.
    """
    return _register(ENERGY, cls)


def register_dynamics(cls: type):
    """Register ``builder`` as the engine implementation of dynamics term ``cls``
    (re-registration as in :func:`register_energy`)."""
    return _register(DYNAMICS, cls)


def lookup(term, table: dict) -> Callable:
    """Builder for ``term``, or :class:`UnsupportedTermError` naming it.

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.engine.registry import lookup
    >>> lookup(mm.Exchange(A=1e-12), {})
    Traceback (most recent call last):
    ...
    ubermag_dirac.engine.registry.UnsupportedTermError: Exchange (name 'exchange') ...
    """
    for cls in type(term).__mro__:
        if cls in table:
            return table[cls]
    kind = "energy" if table is ENERGY else "dynamics" if table is DYNAMICS else "term"
    supported = sorted(c.__name__ for c in table)
    raise UnsupportedTermError(
        f"{type(term).__name__} (name {term.name!r}) is not supported by the "
        f"ubermag-dirac calculator; supported {kind} terms: {supported}. Remove it "
        "from the system or drive the system with oommfc."
    )
