"""The package's one rule for numbers given as arguments.

A number parameter takes a real number: a Python ``int`` or ``float`` or a
numpy scalar. Strings are never converted (``"1e-3"`` might be meant in other
units, and ``float("1e-3 T")`` fails deep inside a computation), and ``bool`` is
not a number: both are refused with a ``TypeError`` naming the parameter, as
``micromagneticmodel`` and ``ubermagutil`` refuse them for the built-in terms.

Examples
--------
>>> from ubermag_dirac._numbers import real, reals
>>> real("thickness", 1e-9)
1e-09
>>> reals("hx", [0, 1.5]).tolist()
[0.0, 1.5]
>>> real("E", "1e4")
Traceback (most recent call last):
...
TypeError: E must be a real number, not str ('1e4'); strings are not converted.
"""

import numbers

import numpy as np

__all__ = ["real", "reals"]


def _refuse(name, value):
    shown = f" ({value!r})" if isinstance(value, str | bytes) else ""
    hint = "; strings are not converted" if isinstance(value, str | bytes) else ""
    raise TypeError(
        f"{name} must be a real number, not {type(value).__name__}{shown}{hint}."
    )


def is_real(value):
    """Whether ``value`` is a real number by the rule above."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def real(name, value):
    """``float(value)`` for a real number (module docstring), else ``TypeError``."""
    if not is_real(value):
        _refuse(name, value)
    return float(value)


def reals(name, values):
    """Float array of ``values`` (a number or nested sequences of numbers).

    Raises
    ------
    TypeError
        Any element is a string, a bool or not a number.
    """
    arr = np.asarray(values)
    if arr.dtype.kind in "fiu":
        return arr.astype(float)
    for v in arr.reshape(-1):
        if not is_real(v):
            _refuse(f"{name} element", v.item() if isinstance(v, np.generic) else v)
    return arr.astype(float)
