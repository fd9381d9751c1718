"""Reading a term's parameters (private, used across the package).

* Has the user set an attribute? ``micromagneticmodel`` terms validate their
  attributes with ``ubermagutil`` typesystem descriptors. A descriptor has no
  ``__get__``: an attribute that was never given reads as the descriptor object
  itself instead of raising, so ``getattr`` alone cannot tell "not set" from a
  value. :func:`term_value` and :func:`is_set` are the one place that knows it.
* The amplitude factor of ``func``/``dt`` at a time, as OOMMF evaluates the
  table oommfc writes: :func:`time_factor`.
"""

import numpy as np
import ubermagutil.typesystem as ts

__all__ = ["is_set", "term_value", "time_factor"]


def term_value(term, name, default=None):
    """``term.name`` if it was set (by the user or as a plain class value), else
    ``default``; an unset descriptor and ``None`` both count as not set.

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac._termparams import term_value
    >>> z = mm.Zeeman(H=(0, 0, 1e5))
    >>> term_value(z, "H"), term_value(z, "func"), term_value(z, "dt", 1e-12)
    ((0, 0, 100000.0), None, 1e-12)
    >>> term_value(z, 3)
    Traceback (most recent call last):
    ...
    TypeError: attribute name must be string, not 'int'
    """
    value = getattr(term, name, None)
    if value is None or isinstance(value, ts.Descriptor):
        return default
    return value


def is_set(term, name):
    """Whether ``term.name`` has a value (see :func:`term_value`).

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac._termparams import is_set
    >>> is_set(mm.Damping(alpha=0.1), "alpha"), is_set(mm.Zeeman(H=(0, 0, 1)), "func")
    (True, False)
    """
    return term_value(term, name) is not None


def time_factor(func, dt, t):
    """Dimensionless amplitude factor of ``func`` at time ``t`` (s), OOMMF-style.

    oommfc tabulates ``func`` at multiples of ``dt`` and OOMMF looks up
    ``round(t / dt)`` (Tcl's round: half away from zero), so with ``dt`` the
    value is ``func(round(t / dt) * dt)``; without ``dt``, ``func(t)``; 1
    without ``func``.

    Examples
    --------
    >>> from ubermag_dirac._termparams import time_factor
    >>> time_factor(lambda t: t * 1e12, 1e-12, 0.6e-12), time_factor(None, None, 1.0)
    (1.0, 1.0)
    >>> time_factor(lambda t: t * 1e12, 1e-12, -0.5e-12)  # half away from zero
    -1.0
    >>> time_factor(3.0, None, 0.0)
    Traceback (most recent call last):
    ...
    TypeError: 'float' object is not callable
    """
    if func is None:
        return 1.0
    t = float(t)
    if dt is not None:
        t = float(np.sign(t) * np.floor(abs(t) / dt + 0.5) * dt)
    return float(func(t))
