"""Stop ``oommfc`` from silently dropping ubermag-dirac terms.

``oommfc`` writes a MIF file from ``system.energy`` and picks the dynamics terms it
knows (``Precession``, ``Damping``, ``ZhangLi``, ``Slonczewski``) out of
``system.dynamics``: any other dynamics term, such as :class:`ubermag_dirac.DiracSOT`
or :class:`ubermag_dirac.AnisotropicDamping`, is ignored without a word, and OOMMF
would run a different physical system than the user wrote down.

This module wraps ``oommfc`` at the places where a system enters it:

* ``_check_system`` of every ``oommfc`` driver class (``TimeDriver``, ``MinDriver``,
  ``HysteresisDriver`` and any other ``oommfc.Driver`` subclass that defines it).
  ``Driver.drive`` and ``Driver.schedule`` call it before they create the drive
  directory, so a refused drive leaves no trace on disk and does not change
  ``system.drive_number``;
* ``oommfc.compute`` (before it creates the ``compute-N`` directory);
* ``oommfc.Driver.write_mif`` (every MIF file oommfc writes, including direct calls);
* ``micromagneticmodel.ExternalDriver.drive`` and ``.schedule``, the base methods of
  every Ubermag calculator that runs an external program (oommfc, mumax3c), so
  other external calculators refuse our terms as well before they write anything.
  The ubermag-dirac drivers override ``drive`` and are not affected.

Each raises :class:`OOMMFGuardError` (an
:class:`~ubermag_dirac.engine.registry.UnsupportedTermError`) naming the terms when the
system holds a term whose class is defined in the ``ubermag_dirac`` package. Systems
without such terms are passed to oommfc unchanged.

The guard is installed when ``ubermag_dirac`` is imported (it imports ``oommfc``,
which the package depends on anyway). A ``compute`` function bound by
``from oommfc import compute`` *before* ``ubermag_dirac`` was imported is the
original one; it is still stopped by the ``write_mif`` check, after it created its
(empty) ``compute-N`` directory. `install` is idempotent (wrapping twice is a
no-op). To turn it off, call `uninstall`, or set the environment variable
``UBERMAG_DIRAC_OOMMF_GUARD=0`` before importing ``ubermag_dirac``.

Examples
--------
>>> import micromagneticmodel as mm
>>> import oommfc as oc
>>> import ubermag_dirac.drivers.oommf_guard as guard
>>> guard.install()  # already done by ``import ubermag_dirac``; idempotent
True
>>> guard.installed()
True

A system with standard terms only passes the check:

>>> system = mm.examples.macrospin()
>>> guard.check_system(system)

A system holding an ubermag-dirac term does not get past oommfc's own check:

>>> class Fake(mm.Damping):  # stands in for ud.DiracSOT here
...     pass
>>> Fake.__module__ = "ubermag_dirac.terms.example"
>>> system.dynamics += Fake(alpha=0.1, name="fake")
>>> oc.TimeDriver()._check_system(system)
Traceback (most recent call last):
...
ubermag_dirac.drivers.oommf_guard.OOMMFGuardError: oommfc cannot run ... Fake ...
"""

from __future__ import annotations

import functools
import os

from ..engine.registry import UnsupportedTermError

__all__ = [
    "ENV_VAR",
    "OOMMFGuardError",
    "check_system",
    "dirac_terms",
    "install",
    "installed",
    "uninstall",
]

#: Set to ``0`` (or ``false``/``no``/``off``) to skip installing the guard at import.
ENV_VAR = "UBERMAG_DIRAC_OOMMF_GUARD"

_MARK = "__ubermag_dirac_guard_original__"
_PATCHES: list[tuple[object, str, object]] = []


class OOMMFGuardError(UnsupportedTermError):
    """A system with ubermag-dirac terms was handed to ``oommfc``."""


def dirac_terms(system) -> list:
    """Energy and dynamics terms of ``system`` defined in the ``ubermag_dirac`` package.

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.drivers.oommf_guard import dirac_terms
    >>> dirac_terms(mm.examples.macrospin())
    []
    """
    terms = []
    for container in (getattr(system, "energy", ()), getattr(system, "dynamics", ())):
        for term in container:
            if type(term).__module__.split(".")[0] == "ubermag_dirac":
                terms.append(term)
    return terms


def check_system(system, where: str = "oommfc") -> None:
    """Raise :class:`OOMMFGuardError` if ``system`` holds ubermag-dirac terms."""
    terms = dirac_terms(system)
    if terms:
        listed = ", ".join(f"{type(t).__name__} (name {t.name!r})" for t in terms)
        raise OOMMFGuardError(
            f"oommfc cannot run ubermag-dirac terms: system {system.name!r} holds "
            f"{listed}, which {where} would silently drop (OOMMF has no such term). "
            "Drive it with ubermag_dirac's drivers (ud.TimeDriver, ud.MinDriver, "
            "ud.RelaxDriver, ud.HysteresisDriver, ud.compute) or remove the term. "
            "(Guard from ubermag_dirac.drivers.oommf_guard; disable it with "
            f"oommf_guard.uninstall() or {ENV_VAR}=0.)"
        )


def installed() -> bool:
    """Whether the guard currently wraps oommfc."""
    return bool(_PATCHES)


def _patch(owner, attr: str, make) -> None:
    original = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
    if getattr(original, _MARK, None) is not None:  # already guarded
        return
    wrapper = make(original)
    setattr(wrapper, _MARK, original)
    setattr(owner, attr, wrapper)
    _PATCHES.append((owner, attr, original))


def _guard_check(original):
    @functools.wraps(original)
    def _check_system(self, system, *args, **kwargs):
        check_system(system, where=f"oommfc.{type(self).__name__}")
        return original(self, system, *args, **kwargs)

    return _check_system


def _guard_write_mif(original):
    @functools.wraps(original)
    def write_mif(self, system, *args, **kwargs):
        check_system(system, where=f"oommfc.{type(self).__name__}.write_mif")
        return original(self, system, *args, **kwargs)

    return write_mif


def _guard_external(original):
    @functools.wraps(original)
    def method(self, system, /, *args, **kwargs):
        check_system(system, where=f"{type(self).__module__.split('.')[0]}")
        return original(self, system, *args, **kwargs)

    return method


def _guard_compute(original):
    @functools.wraps(original)
    def compute(func, system, /, *args, **kwargs):
        check_system(system, where="oommfc.compute")
        return original(func, system, *args, **kwargs)

    return compute


def _subclasses(cls):
    yield cls
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)


def install() -> bool:
    """Wrap oommfc (idempotent). Returns ``False`` if oommfc cannot be imported."""
    import micromagneticmodel as mm

    try:
        import oommfc
        import oommfc.compute
    except ImportError:  # pragma: no cover - oommfc is a dependency
        return False
    import sys

    for cls in _subclasses(oommfc.Driver):
        check = cls.__dict__.get("_check_system")
        if check is not None and not getattr(check, "__isabstractmethod__", False):
            _patch(cls, "_check_system", _guard_check)
    _patch(oommfc.Driver, "write_mif", _guard_write_mif)
    _patch(mm.ExternalDriver, "drive", _guard_external)
    _patch(mm.ExternalDriver, "schedule", _guard_external)
    _patch(oommfc, "compute", _guard_compute)
    _patch(sys.modules["oommfc.compute"], "compute", _guard_compute)
    return True


def uninstall() -> None:
    """Restore oommfc's original functions (idempotent)."""
    while _PATCHES:
        owner, attr, original = _PATCHES.pop()
        setattr(owner, attr, original)


def _install_on_import() -> None:
    if os.environ.get(ENV_VAR, "1").strip().lower() not in ("0", "false", "no", "off"):
        install()
