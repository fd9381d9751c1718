r"""Zeeman energy of an applied field, constant or time dependent as oommfc runs it.

.. math::

    \mathbf{H}(t) = T(t)\, \mathbf{H}_0, \qquad
    w = -\mu_0 M_s\, \mathbf{m} \cdot \mathbf{H}(t),

with :math:`\mathbf{H}_0` the term's ``H`` (A/m; a 3-vector, region dict or vector
``df.Field``), :math:`w` in J/m^3, and the :math:`3 \times 3` factor :math:`T(t)`
chosen as oommfc's scripts do (``t`` is OOMMF's ``total_time``: the time since
the start of the drive, in s):

- no time dependence: :math:`T = I` (``Oxs_FixedZeeman``);
- ``func='sin'`` (or the deprecated ``wave``), ``f``, ``t0``:
  :math:`T = \sin(\omega (t - t_0))\, I`, :math:`\omega = 2\pi f`;
- ``func='sinc'``: :math:`T = \frac{\sin(\omega (t - t_0))}{\omega (t - t_0)} I`
  (1 where the argument is exactly 0);
- a callable ``func`` with ``dt``: oommfc tabulates ``func`` at
  :math:`t_n = n\,\mathrm{dt}` and OOMMF's Tcl proc looks up entry
  :math:`n = \mathrm{round}(t/\mathrm{dt})` (Tcl's ``round``: halves away from
  zero), i.e. a piecewise-constant, nearest-sample field; ``func`` returns a
  number (:math:`T = f\, I`) or nine numbers ``[M11, M12, ..., M33]``
  (:math:`T = M`, ``Oxs_TransformZeeman`` type general). Here ``func`` is called
  lazily at the same :math:`t_n` and cached;
- ``tcl_strings`` with ``Oxs_ScriptUZeeman`` or ``Oxs_TransformZeeman``
  (``identity``, ``diagonal`` or ``general``) and ``script_args total_time``:
  the Tcl proc itself is evaluated (Python's built-in Tcl interpreter) and its
  field values used as OOMMF uses them (ScriptUZeeman: the returned field
  replaces ``H``; TransformZeeman: :math:`T` multiplies ``H``).

Empty cells carry neither field nor energy. Several Zeeman terms with different
names may coexist; each is its own implementation.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

from ..registry import UnsupportedTermError
from . import _kernels as K
from ._base import (
    MU0,
    EnergyImpl,
    contiguous,
    per_system_times,
    register,
    term_attr,
)

__all__ = ["ZeemanImpl", "build_zeeman", "tcl_round"]

_I3 = np.eye(3)


def tcl_round(x: float) -> int:
    """Tcl's ``round()``: nearest integer, halves away from zero."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


class _Wave:
    """``sin``/``sinc`` factor of oommfc's Tcl procs (scalar times identity)."""

    def __init__(self, kind: str, f: float, t0: float):
        self.sinc = kind == "sinc"
        self.w = f * 2 * (4 * math.atan(1.0))  # as the Tcl proc: PI = 4*atan(1.)
        self.t0 = t0

    def __call__(self, t: float) -> np.ndarray:
        wt = self.w * (t - self.t0)
        value = math.sin(wt)
        if self.sinc:
            value = value / wt if wt != 0 else 1.0
        return value * _I3


def _func_factor(func: Callable, dt: float, name: str) -> Callable:
    cache: dict[int, np.ndarray] = {}

    def factor(t: float) -> np.ndarray:
        index = tcl_round(t / dt)
        if index < 0:
            raise ValueError(
                f"Zeeman {name!r}: time {t!r} s is before the start of the drive; "
                "oommfc tabulates func only from t = 0."
            )
        T = cache.get(index)
        if T is None:
            value = func(np.float64(index * dt))  # oommfc: np.arange(0, t, dt)[n]
            if isinstance(value, list | tuple | np.ndarray):
                arr = np.asarray(value, dtype=np.float64).ravel()
                if arr.size != 9:
                    raise ValueError(
                        f"Zeeman {name!r}: func must return a number or nine "
                        f"numbers (a 3 x 3 matrix, row by row), got {arr.size}."
                    )
                T = arr.reshape(3, 3)
            else:
                T = float(value) * _I3
            cache[index] = T
        return T

    return factor


def _tcl_factor(tcl: dict, name: str) -> tuple[Callable, bool]:
    """Factor of a ``tcl_strings`` term and whether it replaces ``H`` (UZeeman)."""
    energy = tcl.get("energy", "")
    args = tcl.get("script_args", "total_time").split()
    kind = tcl.get("type", "general")
    if energy not in ("Oxs_ScriptUZeeman", "Oxs_TransformZeeman") or args != [
        "total_time"
    ]:
        raise UnsupportedTermError(
            f"Zeeman {name!r}: tcl_strings with energy {energy!r} and script_args "
            f"{args} cannot be run by the ubermag-dirac calculator; supported are "
            "Oxs_ScriptUZeeman and Oxs_TransformZeeman (identity, diagonal, "
            "general) with script_args total_time. Use func/dt instead."
        )
    if energy == "Oxs_TransformZeeman" and kind not in (
        "identity",
        "diagonal",
        "general",
    ):
        raise UnsupportedTermError(
            f"Zeeman {name!r}: Oxs_TransformZeeman type {kind!r} is not supported "
            "(identity, diagonal, general are)."
        )
    try:
        import tkinter

        interp = tkinter.Tcl()
    except Exception as exc:  # pragma: no cover - depends on the Python build
        raise UnsupportedTermError(
            f"Zeeman {name!r}: tcl_strings need a Tcl interpreter (tkinter), "
            f"which this Python lacks ({exc})."
        ) from exc
    interp.eval(tcl["script"])
    proc = tcl["script_name"]
    uzeeman = energy == "Oxs_ScriptUZeeman"
    need = 3 if uzeeman else {"identity": 1, "diagonal": 3, "general": 9}[kind]

    def factor(t: float) -> np.ndarray:
        out = interp.splitlist(interp.eval(f"{proc} {float(t)!r}"))
        values = np.array([float(v) for v in out[:need]])
        if len(out) < need:
            raise ValueError(
                f"Zeeman {name!r}: Tcl proc {proc} returned {len(out)} values, "
                f"expected at least {need}."
            )
        if need == 9:
            return values.reshape(3, 3)
        return np.diag(np.broadcast_to(values, 3)).astype(np.float64)

    return factor, uzeeman


class ZeemanImpl(EnergyImpl):
    r"""Zeeman energy of a batch of systems (see the module docstring).

    Parameters
    ----------
    terms : list of micromagneticmodel.Zeeman
        The term of this name from each system; ``H`` and its time dependence may
        differ per system.
    grid : ubermag_dirac.engine.grid.Grid

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.engine.grid import Grid
    >>> from ubermag_dirac.engine.energy.zeeman import ZeemanImpl
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(1e-9, 1e-9, 1e-9), n=(1, 1, 1))
    >>> s = mm.System(name="s")
    >>> s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=1e6)
    >>> term = mm.Zeeman(H=(0, 0, 1e5), func="sin", f=1e9, t0=0)
    >>> z = ZeemanImpl([term], Grid(s))
    >>> z.time_dependent
    True
    >>> z.field(Grid(s).unit_m(), 0.25e-9)[0, :, 0, 0, 0]  # sin(pi/2) H
    array([     0.,      0., 100000.])
    >>> float(z.energy_density(Grid(s).unit_m(), 0.25e-9)[0, 0, 0, 0])
    -125663.70614359173

    A field of the wrong dimension is rejected with its name:

    >>> H = df.Field(mesh, nvdim=1, value=1e5)
    >>> ZeemanImpl([mm.Zeeman(H=H)], Grid(s))
    Traceback (most recent call last):
    ...
    ValueError: Zeeman.H: expected a field with nvdim=3, got nvdim=1.
    """

    energy_degree = 1

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        self.factors: list[Callable | None] = []
        H_values = []
        for term in terms:
            factor, replaces_H = self._factor(term)
            self.factors.append(factor)
            H_values.append((1.0, 1.0, 1.0) if replaces_H else term.H)
        self.H0 = grid.vector(H_values, "Zeeman.H")
        # the spatially uniform field vector of each system, NaN for dict/Field H
        self._H_vec = np.full((grid.batch, 3), np.nan)
        for b, value in enumerate(H_values):
            if not isinstance(value, dict | df.Field):
                self._H_vec[b] = np.asarray(value, dtype=np.float64)
        self.H0[np.broadcast_to(~grid.mask[:, None], self.H0.shape)] = 0.0
        self.H0 = contiguous(self.H0)
        self.time_dependent = any(f is not None for f in self.factors)
        waves = [b for b, f in enumerate(self.factors) if isinstance(f, _Wave)]
        self._wave_idx = np.array(waves, dtype=np.intp)
        self._wave_w = np.array([self.factors[b].w for b in waves])
        self._wave_t0 = np.array([self.factors[b].t0 for b in waves])
        self._wave_sinc = np.array([self.factors[b].sinc for b in waves], dtype=bool)
        self._other_idx = [
            b
            for b, f in enumerate(self.factors)
            if f is not None and not isinstance(f, _Wave)
        ]
        self.mu0Ms = contiguous(MU0 * grid.Ms)
        self._T = np.broadcast_to(_I3, (grid.batch, 3, 3)).copy()

    @staticmethod
    def _factor(term) -> tuple[Callable | None, bool]:
        func = term_attr(term, "func")
        wave = term_attr(term, "wave")
        kind = (
            func if isinstance(func, str) else wave if isinstance(wave, str) else None
        )
        if kind is not None:
            f, t0 = term_attr(term, "f"), term_attr(term, "t0")
            if not isinstance(f, numbers.Real) or not isinstance(t0, numbers.Real):
                raise ValueError(
                    f"Zeeman.f / Zeeman.t0: func={kind!r} needs both f (Hz) and t0 "
                    f"(s) (term {term.name!r})."
                )
            return _Wave(kind, float(f), float(t0)), False
        if callable(func):
            dt = term_attr(term, "dt")
            if not isinstance(dt, numbers.Real) or dt <= 0:
                raise ValueError(
                    f"Zeeman.dt: a callable func needs a positive dt (s) (term "
                    f"{term.name!r})."
                )
            return _func_factor(func, float(dt), term.name), False
        tcl = term_attr(term, "tcl_strings")
        if isinstance(tcl, dict):
            return _tcl_factor(tcl, term.name)
        return None, False

    def transforms(self, t) -> np.ndarray:
        """The ``(B, 3, 3)`` factors :math:`T(t)` of the systems at times ``t``."""
        if not self.time_dependent:
            return self._T
        ts = per_system_times(t, self.grid.batch)
        T = self._T
        idx = self._wave_idx
        if idx.size:  # sin/sinc of all such systems at once
            wt = self._wave_w * (ts[idx] - self._wave_t0)
            value = np.sin(wt)
            sinc = self._wave_sinc & (wt != 0)
            value[sinc] /= wt[sinc]
            value[self._wave_sinc & (wt == 0)] = 1.0
            for d in range(3):
                T[idx, d, d] = value
        for b in self._other_idx:
            T[b] = self.factors[b](float(ts[b]))
        return T

    @property
    def uniform(self) -> bool:
        """Whether every system's ``H`` is a 3-vector (not a region dict or field)."""
        return bool(np.all(np.isfinite(self._H_vec)))

    def applied_field(self, t) -> np.ndarray:
        r"""The uniform applied field :math:`T(t)\,\mathbf{H}_0` (A/m), ``(B, 3)``.

        For systems whose ``H`` is a 3-vector (the field OOMMF's
        ``Oxs_FixedZeeman``/``Oxs_ScriptUZeeman`` report as ``Bx, By, Bz``, in mT
        there: multiply by ``mu0 * 1e3``); NaN rows for region-dict or field ``H``.
        """
        return np.einsum("bij,bj->bi", self.transforms(t), self._H_vec)

    def _add_field(self, m, t, H):
        K.zeeman_add_field(self.H0, self.transforms(t), H)

    def _energy_density(self, m, t, w):
        K.zeeman_energy(m, self.H0, self.transforms(t), self.mu0Ms, w)


@register(mm.Zeeman)
def build_zeeman(terms, grid) -> ZeemanImpl:
    """Registry builder of :class:`ZeemanImpl`."""
    return ZeemanImpl(terms, grid)
