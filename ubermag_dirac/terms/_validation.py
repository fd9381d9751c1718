"""Validating descriptors and small helpers shared by the dynamics terms.

The descriptors follow :mod:`ubermagutil.typesystem` (they subclass
:class:`ubermagutil.typesystem.Descriptor`, so the value is stored in the
instance ``__dict__`` and unset attributes read back as the descriptor, exactly
as for the built-in Ubermag terms), but their error messages name the term, the
parameter and the allowed range.
"""

import collections.abc
import numbers

import discretisedfield as df
import numpy as np
import ubermagutil.typesystem as ts

from .._termparams import is_set

#: Tolerance on |v| = 1 for unit vectors and on j . n = 0.
UNIT_TOL = 1e-9


def _owner(instance):
    return type(instance).__name__


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class ScalarParameter(ts.Descriptor):
    """A real parameter: scalar, region dictionary or scalar ``df.Field``.

    Parameters
    ----------
    lower, upper : float, optional
        Bounds of the allowed range.
    lower_open, upper_open : bool
        Whether the bounds are excluded.
    unit : str
        Unit shown in error messages.
    scalar_only : bool
        Refuse dictionaries and fields.
    hint : str
        Extra sentence appended to range errors.
    """

    def __init__(
        self,
        name=None,
        *,
        lower=None,
        upper=None,
        lower_open=False,
        upper_open=False,
        unit="",
        scalar_only=False,
        hint="",
    ):
        super().__init__(name=name)
        self.lower = lower
        self.upper = upper
        self.lower_open = lower_open
        self.upper_open = upper_open
        self.unit = unit
        self.scalar_only = scalar_only
        self.hint = hint

    def _range(self):
        parts = []
        if self.lower is not None:
            parts.append(f"{self.lower} {'<' if self.lower_open else '<='} ")
        parts.append(self.name)
        if self.upper is not None:
            parts.append(f" {'<' if self.upper_open else '<='} {self.upper}")
        return "".join(parts)

    def _check_values(self, instance, values, shown):
        values = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(values)):
            raise ValueError(
                f"{_owner(instance)}: {self.name} = {shown} must be finite."
            )
        bad = np.zeros(values.shape, dtype=bool)
        if self.lower is not None:
            bad |= values <= self.lower if self.lower_open else values < self.lower
        if self.upper is not None:
            bad |= values >= self.upper if self.upper_open else values > self.upper
        if np.any(bad):
            unit = f" {self.unit}" if self.unit else ""
            msg = (
                f"{_owner(instance)}: {self.name} = {shown}{unit} is outside the "
                f"allowed range {self._range()}."
            )
            if self.hint:
                msg += f" {self.hint}"
            raise ValueError(msg)

    def __set__(self, instance, value):
        kinds = (
            "a real number"
            if self.scalar_only
            else (
                "a real number, a dict {region name: real number} or a scalar "
                "discretisedfield.Field"
            )
        )
        if _is_real(value):
            self._check_values(instance, value, repr(value))
        elif isinstance(value, dict) and not self.scalar_only:
            if not value:
                raise ValueError(f"{_owner(instance)}: {self.name} dict is empty.")
            for key, val in value.items():
                if not isinstance(key, str):
                    raise TypeError(
                        f"{_owner(instance)}: {self.name} dict keys must be region "
                        f"names (str), got {key!r}."
                    )
                if not _is_real(val):
                    raise TypeError(
                        f"{_owner(instance)}: {self.name}[{key!r}] must be a real "
                        f"number, got {type(val).__name__}."
                    )
                self._check_values(instance, val, f"{val!r} (region {key!r})")
        elif isinstance(value, df.Field) and not self.scalar_only:
            if value.nvdim != 1:
                raise ValueError(
                    f"{_owner(instance)}: {self.name} must be a scalar field "
                    f"(nvdim=1), got nvdim={value.nvdim}."
                )
            self._check_values(instance, value.array, "<field>")
        else:
            raise TypeError(
                f"{_owner(instance)}: {self.name} must be {kinds}, "
                f"got {type(value).__name__}."
            )
        super().__set__(instance, value)


class UnitVector(ts.Descriptor):
    """A constant unit 3-vector, optionally perpendicular to another attribute.

    Stored as a tuple of Python numbers so that equality and ``repr`` behave like
    the built-in Ubermag vector parameters.
    """

    def __init__(self, name=None, *, perpendicular_to=None, meaning=""):
        super().__init__(name=name)
        self.perpendicular_to = perpendicular_to
        self.meaning = meaning

    def __set__(self, instance, value):
        owner = _owner(instance)
        what = f" ({self.meaning})" if self.meaning else ""
        if not isinstance(value, tuple | list | np.ndarray) or len(value) != 3:
            raise TypeError(
                f"{owner}: {self.name}{what} must be a unit 3-vector given as a "
                f"tuple, list or array of three real numbers, got {value!r}."
            )
        if not all(_is_real(v) for v in value):
            raise TypeError(
                f"{owner}: {self.name}{what} components must be real numbers, "
                f"got {value!r}."
            )
        value = tuple(v.item() if isinstance(v, np.generic) else v for v in value)
        vec = np.array(value, dtype=float)
        norm = np.linalg.norm(vec)
        if not np.isfinite(norm) or norm == 0:
            raise ValueError(
                f"{owner}: {self.name}{what} = {value!r} is a zero or non-finite "
                "vector; a unit vector is required."
            )
        if abs(norm - 1) > UNIT_TOL:
            raise ValueError(
                f"{owner}: {self.name}{what} = {value!r} has length {norm:.6g}; a "
                f"unit vector is required (|{self.name}| = 1 within {UNIT_TOL:g}). "
                f"Normalise it, e.g. {self.name}={tuple(float(x) for x in vec / norm)}."
            )
        if self.perpendicular_to is not None:
            other = instance.__dict__.get(self.perpendicular_to)
            if other is not None:
                dot = float(np.dot(vec, np.array(other, dtype=float)))
                if abs(dot) > UNIT_TOL:
                    raise ValueError(
                        f"{owner}: {self.name} = {value!r} is not perpendicular to "
                        f"{self.perpendicular_to} = {other!r} "
                        f"({self.name} . {self.perpendicular_to} = {dot:.6g}); the "
                        "current direction j must lie in the surface plane."
                    )
        super().__set__(instance, value)


class Choice(ts.Descriptor):
    """One of a fixed set of strings."""

    def __init__(self, name=None, *, choices=()):
        super().__init__(name=name)
        self.choices = tuple(choices)

    def __set__(self, instance, value):
        if value not in self.choices:
            raise ValueError(
                f"{_owner(instance)}: {self.name} = {value!r} is not allowed; "
                f"choose one of {self.choices}."
            )
        super().__set__(instance, value)


class Callable(ts.Descriptor):
    """A callable (time-dependence ``func``)."""

    def __set__(self, instance, value):
        if not isinstance(value, collections.abc.Callable):
            raise TypeError(
                f"{_owner(instance)}: {self.name} must be callable, func(t) -> float "
                f"with t in s, got {type(value).__name__}."
            )
        super().__set__(instance, value)


def num(x):
    """Turn numpy scalars into Python numbers (cleaner ``repr``)."""
    return x.item() if isinstance(x, np.generic) else x


def init_term(term, kwargs, order):
    """Set keyword attributes of ``term`` in ``order`` first, then the rest.

    ``None`` values are skipped (they mean "not given"). Used by the terms'
    ``__init__`` so that cross-checked attributes (``n`` before ``j``) are set in
    a fixed order.
    """
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    ordered = {k: kwargs.pop(k) for k in order if k in kwargs}
    ordered.update(kwargs)
    return ordered


def check_func_dt(term):
    """``dt`` only makes sense with ``func``."""
    if is_set(term, "dt") and not is_set(term, "func"):
        raise ValueError(
            f"{_owner(term)}: dt = {term.dt!r} was given without func; dt is the "
            "sampling step of func(t) (time dependence of the amplitudes)."
        )


def param_array(value, m, name="parameter"):
    """Values of a scalar parameter on the cells of ``m``.

    Parameters
    ----------
    value : numbers.Real, dict, discretisedfield.Field
        The parameter.
    m : numpy.ndarray or discretisedfield.Field
        Magnetisation: an array ``(..., 3)`` (then ``value`` must be a number or
        an array broadcasting against ``m[..., 0]``) or a field on a mesh (then
        region dictionaries are resolved on its subregions as
        ``discretisedfield`` does).

    Returns
    -------
    float or numpy.ndarray
        A number or an array broadcasting against ``m[..., 0]``.
    """
    if _is_real(value):
        return float(value)
    if isinstance(m, df.Field):
        if isinstance(value, dict):
            return df.Field(m.mesh, nvdim=1, value=value).array[..., 0]
        if isinstance(value, df.Field):
            if value.mesh != m.mesh:
                raise ValueError(
                    f"{name}: field is defined on a different mesh than m."
                )
            return value.array[..., 0]
    elif isinstance(value, np.ndarray):
        return value
    if isinstance(value, dict | df.Field):
        raise TypeError(
            f"{name} is given per region or as a field; pass m as a "
            "discretisedfield.Field on the same mesh to evaluate it."
        )
    return np.asarray(value, dtype=float)


def as_vectors(m, name="m"):
    """``(array (..., 3), mesh or None)`` from an array or a 3-component field."""
    if isinstance(m, df.Field):
        if m.nvdim != 3:
            raise ValueError(f"{name} must have three components, got nvdim={m.nvdim}.")
        return np.asarray(m.array, dtype=float), m.mesh
    arr = np.asarray(m, dtype=float)
    if arr.ndim == 0 or arr.shape[-1] != 3:
        raise ValueError(
            f"{name} must be an array with a trailing axis of length 3, got shape "
            f"{arr.shape}."
        )
    return arr, None


def real_or_complex(x):
    """``x`` as a float64 array, or complex128 when it is complex: the reference
    formulas then serve complex-step differentiation
    (``ubermag_dirac.macrospin.boundaries``)."""
    x = np.asarray(x)
    return x.astype(np.complex128 if np.iscomplexobj(x) else np.float64, copy=False)


def like(result, mesh):
    """Wrap ``result`` (..., 3) as a field on ``mesh`` when ``mesh`` is not None."""
    if mesh is None:
        return result
    return df.Field(mesh, nvdim=3, value=result)
