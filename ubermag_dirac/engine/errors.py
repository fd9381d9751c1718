"""Errors raised by the engine."""

from __future__ import annotations

__all__ = ["IntegrationError"]


class IntegrationError(RuntimeError):
    """Time integration or energy minimisation failed.

    Raised for non-finite values (NaN/inf) in the magnetisation or its time
    derivative, for a collapse of the step size, and for a minimisation or
    relaxation that did not converge within its iteration limit. The engine's
    state (``engine.m``, ``engine.t``) is left at its last good value: the last
    stage end reached by :meth:`Engine.run` (or the start of the call), or the
    starting point of :meth:`Engine.relax` / :meth:`Engine.minimise`.

    Attributes
    ----------
    system : int or None
        Batch index of the (first) failing system.
    name : str or None
        ``system.name`` of that system.
    t : float or None
        Simulation time (s) at which the failure was detected.
    reason : str
        Short description of what happened.
    """

    def __init__(
        self,
        reason: str,
        *,
        system: int | None = None,
        name: str | None = None,
        t: float | None = None,
    ):
        self.reason = reason
        self.system = system
        self.name = name
        self.t = t
        where = []
        if system is not None:
            where.append(f"system {system}" + (f" ({name!r})" if name else ""))
        if t is not None:
            where.append(f"t = {t:.6g} s")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {reason}" if prefix else reason)
