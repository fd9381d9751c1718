r"""Shared plumbing of the dynamics-term implementations (see the package docstring).

* :class:`LLGParameters`: the per-cell parameters of the LLG right-hand side
  that the terms write (``configure``);
* :class:`DynamicsImpl` and :class:`TorqueFieldImpl`: base classes;
* time dependence: :func:`time_factor`, :func:`func_dt`, :class:`TimeFactorMixin`
  (``func``/``dt`` and, through :mod:`._tcl`, ``tcl_strings``);
* parameter arrays: :func:`flat_scalar`, :func:`flat_vector`,
  :func:`check_nonnegative`, :func:`warn_if_only_empty`.

``func``/``dt`` time dependence (Slonczewski, Zhang-Li and the ubermag-dirac
torques when ``dt`` is given): oommfc tabulates ``func`` at multiples of ``dt``
and OOMMF looks up ``index = round(t/dt)``, so the amplitude factor is
:math:`f(\mathrm{round}(t/\Delta t)\,\Delta t)` (piecewise constant). Without
``dt`` (allowed by the ubermag-dirac terms) ``func(t)`` is evaluated at ``t``.
``t`` is the engine time (time since the start of the drive, OOMMF's
``total_time``).

Empty cells: cells with Ms = 0 never move. A spin-orbit torque term whose
amplitude is non-zero somewhere but zero in every magnetic cell of a system has
no effect at all; this almost always means a mis-specified
``df.Field``/region dictionary, so the engine warns
(:class:`~ubermag_dirac.UbermagDiracWarning`) naming the term.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..._termparams import term_value
from ..._termparams import time_factor as _time_factor
from ..._warnings import UbermagDiracWarning
from ...constants import GAMMA0_OOMMF
from ..registry import UnsupportedTermError
from ._tcl import tcl_func

__all__ = [
    "DynamicsImpl",
    "LLGParameters",
    "TimeFactorMixin",
    "TorqueFieldImpl",
    "check_nonnegative",
    "flat_scalar",
    "flat_vector",
    "func_dt",
    "term_value",
    "time_factor",
    "warn_if_only_empty",
]


def time_factor(func, dt, t, batch: int) -> np.ndarray:
    """Amplitude factor ``func`` at the per-system times ``t``, OOMMF-style.

    Parameters
    ----------
    func : callable or None
        ``func(t) -> float``; ``None`` gives 1.
    dt : float or None
        Sampling interval (s). When given, ``func`` is evaluated at
        ``round(t / dt) * dt`` (OOMMF's lookup in the table oommfc writes).
    t : float or numpy.ndarray
        Time(s) in s, a number or ``(B,)``.
    batch : int
        ``B``.

    Returns
    -------
    numpy.ndarray
        ``(B,)`` float64.

    Examples
    --------
    >>> from ubermag_dirac.engine.dynamics import time_factor
    >>> time_factor(lambda t: t * 1e12, 1e-12, [0.4e-12, 0.6e-12], 2)
    array([0., 1.])
    >>> time_factor(None, None, [0.0, 1.0], 3)
    Traceback (most recent call last):
    ...
    ValueError: operands could not be broadcast together ...
    """
    t = np.broadcast_to(np.asarray(t, dtype=np.float64), (batch,))
    if func is None:
        return np.ones(batch)
    return np.array([_time_factor(func, dt, x) for x in t], dtype=np.float64)


class LLGParameters:
    """Per-cell parameters of the LLG right-hand side of a batch.

    Attributes
    ----------
    gamma : numpy.ndarray
        ``(B, N)`` :math:`\\gamma_0` (m/(A s)); OOMMF's default without Precession.
    do_precess : bool
        Whether a Precession term is present.
    alpha : numpy.ndarray
        ``(B, N)`` scalar Gilbert damping (0 without Damping).
    dalpha, nvec : numpy.ndarray or None
        ``(B, N)`` anisotropic damping :math:`\\delta\\alpha` and ``(B, 3, N)``
        normal of :math:`\\hat\\alpha = \\alpha I + \\delta\\alpha(I - nn)`.
    stt : SlonczewskiImpl or None
        The Slonczewski term, if any.
    torque_fields : list
        Terms with ``add_field(m, t, H)`` adding :math:`\\mathbf H_T`.
    """

    def __init__(self, grid):
        B = grid.batch
        N = int(np.prod(grid.n))
        self.batch = B
        self.ncells = N
        self.gamma = np.full((B, N), GAMMA0_OOMMF)
        self.do_precess = False
        self.alpha = np.zeros((B, N))
        self.dalpha = None
        self.nvec = None
        self.stt = None
        self.torque_fields = []

    def stt_arrays(self, t) -> tuple:
        """Arguments of :func:`ubermag_dirac.engine.llg.llg_rhs` for Slonczewski."""
        if self.stt is None:
            e1 = np.zeros((0, 0))
            return (e1, e1, e1, e1, np.zeros((0, 3, 0)), np.zeros(0))
        s = self.stt
        return (s.c1, s.a, s.b, s.c2, s.p, s.factor(t))

    def tensor_arrays(self) -> tuple:
        if self.dalpha is None:
            return np.zeros((0, 0)), np.zeros((0, 3, 0))
        return self.dalpha, self.nvec

    @property
    def time_dependent(self) -> bool:
        return any(tf.time_dependent for tf in self.torque_fields) or (
            self.stt is not None and self.stt.time_dependent
        )


class DynamicsImpl:
    """Base class of the dynamics-term implementations (see the module docstring)."""

    time_dependent = False
    #: OOMMF's time evolver that ``oommfc.TimeDriver`` selects for a system with
    #: this term (``"SpinTEvolve"`` for ``mm.ZhangLi``, ...); its name labels the
    #: evolver's table columns (``SpinTEvolve:evolver:Max dm/dt``, which
    #: ubermagtable reads as ``max_dmdt``). None: the term leaves OOMMF's default.
    oommf_evolver: str | None = None

    def __init__(self, name: str, grid):
        self.name = name
        self.grid = grid

    def configure(self, params: LLGParameters) -> None:  # pragma: no cover
        raise NotImplementedError

    def table_columns(self) -> list[tuple[str, str]]:
        """``(label, unit)`` of the drive-table columns of this term (none).

        OOMMF-style labels (:class:`ubermag_dirac.drivers.output.Column`);
        drivers read a term's columns only through this method and
        :meth:`table_values` (``mm.ZhangLi``: OOMMF's ``average u``,
        ``mm.Slonczewski``: ``average J``, the registered torques: the
        averages of their field amplitudes).
        """
        return []

    def table_values(self, t) -> np.ndarray:
        """Values of `table_columns` at time ``t`` (s), ``(B, k)``."""
        return np.zeros((self.grid.batch, 0))


class TimeFactorMixin:
    """``factor(t)``: the ``(B,)`` amplitude factors of ``self.funcs``/``self.dts``
    (``self.time_dependent``: whether any of ``funcs`` is set)."""

    funcs: list
    dts: list
    time_dependent: bool

    def factor(self, t) -> np.ndarray:
        B = len(self.funcs)
        if not self.time_dependent:  # constant amplitudes
            return np.ones(B)
        t = np.broadcast_to(np.asarray(t, dtype=np.float64), (B,))
        out = np.ones(B)
        done = {}  # systems sharing a func (batches of trials) call it once per time
        for b, (f, d) in enumerate(zip(self.funcs, self.dts, strict=True)):
            if f is not None:
                key = (id(f), d, float(t[b]))
                if key not in done:
                    done[key] = _time_factor(f, d, t[b])
                out[b] = done[key]
        return out


class TorqueFieldImpl(DynamicsImpl, TimeFactorMixin):
    """A term that adds a torque field :math:`\\mathbf H_T` (A/m) before the
    Gilbert solve: subclasses implement ``add_field(m, t, H)``."""

    #: whether ``func`` needs ``dt`` / ``tcl_strings`` are evaluated (see `func_dt`)
    _require_dt = False
    _allow_tcl = False

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        self.cls = type(terms[0]).__name__
        self.funcs, self.dts = func_dt(
            terms,
            f"{self.cls} {self.name!r}",
            require_dt=self._require_dt,
            allow_tcl=self._allow_tcl,
        )
        self.time_dependent = any(f is not None for f in self.funcs)

    def configure(self, params):
        params.torque_fields.append(self)

    def field(self, m, t):
        """The torque field :math:`\\mathbf H_T` alone, ``(B, 3, nx, ny, nz)``."""
        H = np.zeros_like(m)
        self.add_field(m, t, H)
        return H


def flat_scalar(grid, values, what):
    """Per-system parameter values as a C-contiguous ``(B, N)`` array."""
    return np.ascontiguousarray(grid.scalar(list(values), what).reshape(grid.batch, -1))


def flat_vector(grid, values, what, unit=True):
    """Per-system vectors as ``(B, 3, N)``, normalised (0 stays 0) when ``unit``."""
    v = grid.vector(list(values), what).reshape(grid.batch, 3, -1)
    if unit:
        norm = np.sqrt(np.sum(v * v, axis=1, keepdims=True))
        v = np.divide(v, norm, out=np.zeros_like(v), where=norm > 0)
    return np.ascontiguousarray(v)


def check_nonnegative(arr, what):
    """``ValueError`` naming ``what`` unless every value is finite and >= 0."""
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{what}: expected finite values >= 0.")


def func_dt(terms, what, require_dt: bool, allow_tcl: bool = False):
    funcs = [term_value(t, "func") for t in terms]
    dts = [term_value(t, "dt") for t in terms]
    for k, t in enumerate(terms):
        tcl = term_value(t, "tcl_strings")
        if tcl is None:
            continue
        if not allow_tcl:
            raise UnsupportedTermError(
                f"{type(t).__name__} (name {t.name!r}): tcl_strings cannot be "
                "evaluated for this term; give the time dependence as func (and "
                "dt) instead."
            )
        # OOMMF evaluates the J_profile proc at every step (no dt table)
        funcs[k] = tcl_func(tcl, what)
        dts[k] = None
    for k, (f, d) in enumerate(zip(funcs, dts, strict=True)):
        if f is not None and not callable(f):
            raise ValueError(f"{what}: func must be callable, got {f!r}.")
        tcl_given = term_value(terms[k], "tcl_strings") is not None
        if f is not None and d is None and require_dt and not tcl_given:
            raise ValueError(
                f"{what}: func requires dt (oommfc tabulates func at multiples of "
                "dt and would ignore func without it)."
            )
        if d is not None and not (float(d) > 0):
            raise ValueError(f"{what}: dt must be positive, got {d!r}.")
    return funcs, [None if d is None else float(d) for d in dts]


def warn_if_only_empty(grid, amplitudes, name, cls):
    mask = grid.mask.reshape(grid.batch, -1)
    for b in range(grid.batch):
        nonzero = np.zeros(mask.shape[1], dtype=bool)
        for amp in amplitudes:
            nonzero |= amp[b] != 0
        if nonzero.any() and not (nonzero & mask[b]).any():
            warnings.warn(
                f"{cls} {name!r} in system {b} ({grid.systems[b].name!r}): its "
                "amplitude is non-zero only in cells with Ms = 0, so it exerts no "
                "torque at all; check the region dictionary / field of its "
                "amplitude.",
                UbermagDiracWarning,
                stacklevel=4,
            )
