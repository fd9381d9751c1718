r"""Picklable time dependences (``func(t)``) for current pulses and fields: the
pulses of :mod:`ubermag_dirac.pulses` (one concept for the package).

Ubermag terms take their time dependence as a callable ``func(t)`` (``t`` in s)
that multiplies the amplitude: ``ud.DiracSOT(..., func=...)``,
``ud.SpinHallSOT(..., func=...)``, ``mm.Zeeman(H=..., func=..., dt=...)``.
Lambdas and closures cannot cross process boundaries
(:class:`concurrent.futures.ProcessPoolExecutor`, dask), so the sweeps of
:mod:`ubermag_dirac.switching` use the named pulses (:class:`Step`,
:class:`Trapezoid`, :class:`PiecewiseLinear`, :class:`Sine`), which are
picklable, compare equal by value, recreate themselves from their ``repr``,
know when they stop changing (``constant_after``) and convert to the reduced
time of the macrospin (``to_macrospin``). Times are measured from the start of
the current (the end of the field relaxation), the engine time ``t = 0``.
"""

from .. import pulses as _pulses
from ..pulses import *  # noqa: F403  (the same names)

__all__ = _pulses.__all__
