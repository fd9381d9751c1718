r"""Engine implementations of the dynamics terms, and the dynamics protocol.

Every dynamics term class is registered with
:func:`~ubermag_dirac.engine.registry.register_dynamics`; its builder
``builder(terms, grid) -> DynamicsImpl`` receives the term of one name from each
system of the batch. A :class:`DynamicsImpl` has

``name`` : str
    The term's name.
``time_dependent`` : bool
    Whether it depends on ``t``.
``configure(params: LLGParameters) -> None``
    Writes its contribution into the per-cell LLG parameters (gyromagnetic
    ratio, damping, damping tensor, Slonczewski arrays) or appends itself to
    ``params.torque_fields``.
``table_columns() -> list[(label, unit)]`` and ``table_values(t) -> (B, k)``
    The drive-table columns the term adds (OOMMF-style labels, see
    :class:`ubermag_dirac.drivers.output.Column`) and their values at time ``t``;
    none by default. Drivers read them only through these two methods:
    ``mm.ZhangLi`` gives OOMMF's ``average u`` (m/s), ``mm.Slonczewski`` its
    ``average J`` (A/m^2) (section "Table columns" below), ``ud.DiracSOT``
    ``average_H_DL``/``average_H_FL`` and ``ud.SpinHallSOT`` ``average_H_SH``
    (A/m).

Torque-field terms additionally implement ``add_field(m, t, H)``: they add their
(non-conservative) field :math:`\mathbf{H}_T` (A/m) to the total effective field
``H`` in place, *before* the Gilbert solve (``PHYSICS.md``, "Conventions"):

* ``ud.DiracSOT``: :math:`\mathbf{H}_T = -H_\mathrm{DL} f_\mathrm{DL}(m_n)\,m_n\,
  \mathbf{j} - H_\mathrm{FL} f_\mathrm{FL}(m_n)\,\mathbf{n}\times\mathbf{j}` with
  :math:`m_n = \mathbf{m}\cdot\mathbf{n}`, :math:`b_2 = \beta^2 m_n^2`,
  :math:`f_\mathrm{FL} = (1-b_2)/(1+3b_2)`, :math:`f_\mathrm{DL} = (1+b_2)/
  (1+3b_2)^2`;
* ``ud.SpinHallSOT``: :math:`\mathbf{H}_T = H_\mathrm{SH}\,\mathbf{m}\times
  \mathbf{p}`, :math:`\mathbf{p} = \mathbf{n}\times\mathbf{j}`.

Both amplitudes are multiplied by ``func(t)`` when the term has ``func``.

Conventions taken from oommfc / OOMMF
-------------------------------------
* No :class:`~micromagneticmodel.Precession` term: oommfc writes ``do_precess 0``
  and OOMMF keeps its default :math:`\gamma_G = 2.211\times10^5` m/(A s); only the
  damping part of the LLG equation (and of the Slonczewski torque) remains.
* No :class:`~micromagneticmodel.Damping` term: :math:`\alpha = 0`.
* :class:`~micromagneticmodel.Slonczewski` follows ``Oxs_SpinXferEvolve``: the
  free-layer thickness :math:`d` is the cell edge along the current direction,
  which oommfc leaves at OOMMF's default ``J_direction -z``, so :math:`d =
  \Delta z` (``rmesh->EdgeLengthZ()``); :math:`\beta = |\hbar/(\mu_0 e)|\,J/(d
  M_s)`, :math:`\epsilon = P\Lambda^2/[(\Lambda^2+1) + (\Lambda^2-1)\,
  \mathbf{m}\cdot\mathbf{m}_p]`, with OOMMF's constants
  :math:`\hbar = 1.0545717\times10^{-34}` J s, :math:`e = 1.6021765\times
  10^{-19}` C. The torque is added outside the Gilbert solve in the
  Landau-Lifshitz form with the scalar :math:`\alpha` (see
  :mod:`ubermag_dirac.engine.llg`). ``Lambda < 1`` is refused as OOMMF does.
* ``func``/``dt`` time dependence (Slonczewski, and the ubermag-dirac torques
  when ``dt`` is given): oommfc tabulates ``func`` at multiples of ``dt`` and
  OOMMF looks up ``index = round(t/dt)``, so the amplitude factor is
  :math:`f(\mathrm{round}(t/\Delta t)\,\Delta t)` (piecewise constant). Without
  ``dt`` (allowed by the ubermag-dirac terms) ``func(t)`` is evaluated at ``t``.
  ``t`` is the engine time (time since the start of the drive, OOMMF's
  ``total_time``). Slonczewski ``tcl_strings`` (OOMMF's ``J_profile``) are
  evaluated with Python's built-in Tcl interpreter at every time, when their
  ``script_args`` are ``total_time`` only; other arguments raise
  :class:`~ubermag_dirac.engine.registry.UnsupportedTermError`.

Zhang-Li spin-transfer torque
-----------------------------
:class:`~micromagneticmodel.ZhangLi` is run as OOMMF runs it under oommfc, which
selects the evolver ``Anv_SpinTEvolve`` for a scalar ``u`` (a number, a dict of
numbers or a scalar field: current along x) and ``Anv_SpinTEvolve_3d`` for a
vector ``u`` (``oommfc/scripts/evolver.py``, ``driver.py``). What follows is
read from their ``Calculate_dm_dt`` (``spintevolve.cc`` by A. Vanhaverbeke, in
OOMMF's ``app/oxs/contrib/anv_spintevolve`` and, unchanged in substance in the
2023 patch, in the conda-forge OOMMF sources ``fangohr/oommf``,
``oommf/app/oxs/local/anv_spintevolve/spintevolve.cc``; ``spintevolve_3d.cc`` by
M. Lang and H. Fangohr, ``oommf/app/oxs/local/anv-spintevolve-3d``). With
:math:`\gamma_{LL} = \gamma_0/(1+\alpha^2)` and

.. math::

    \mathbf g = f(t)\,(\mathbf u\cdot\nabla)\mathbf m \quad (\mathrm{1/s}),
    \qquad \mathbf g_\perp = \mathbf g - (\mathbf m\cdot\mathbf g)\,\mathbf m,

OOMMF integrates

.. math::

    \dot{\mathbf m} = -\gamma_{LL}\,\mathbf m\times\mathbf H
    - \alpha\gamma_{LL}\,\mathbf m\times(\mathbf m\times\mathbf H)
    - \frac{1+\alpha\beta}{1+\alpha^2}\,\mathbf g_\perp
    + \frac{\beta-\alpha}{1+\alpha^2}\,\mathbf m\times\mathbf g,

which is the Gilbert equation :math:`\dot{\mathbf m} = -\gamma_0\mathbf m\times
\mathbf H + \alpha\,\mathbf m\times\dot{\mathbf m} + \mathbf T` with
:math:`\mathbf T = -\mathbf g_\perp + \beta\,\mathbf m\times\mathbf g`, i.e.
:math:`-(\mathbf u\cdot\nabla)\mathbf m + \beta\,\mathbf m\times(\mathbf u\cdot
\nabla)\mathbf m` projected perpendicular to :math:`\mathbf m`. ``u`` (m/s) is
used as given (no prefactor, positive ``u`` moves a wall along +x); the scalar
form has :math:`\mathbf u = (u, 0, 0)`. :math:`f(t)` is 1, or ``u_profile`` at
``total_time``: ``func`` at :math:`\mathrm{round}(t/\Delta t)\,\Delta t` or the
``tcl_strings`` proc (as for Slonczewski above). ``beta`` is one number
(micromagneticmodel refuses anything else; oommfc writes it as is). Without
Precession (``do_precess 0``) OOMMF drops only :math:`-\gamma_{LL}\mathbf m
\times\mathbf H`; the Zhang-Li terms stay as written.

Derivative, per axis :math:`k` (only x for scalar ``u``): :math:`\partial_k
\mathbf m_i = [w^+(\mathbf m_{i+1} - \mathbf m_i) + w^-(\mathbf m_i -
\mathbf m_{i-1})]/\Delta_k` with :math:`w^\pm = 1/2` when that neighbour is in
the mesh and magnetic, else 0, so interior cells get the central difference
(second order). At a mesh face, when the axis has more than two cells, OOMMF's
"free boundary correction" counts the inner bond twice (:math:`w = 1`, the
one-sided difference); with two cells the face cells keep :math:`w = 1/2`.
Next to an *empty* cell inside the mesh there is no such correction: the
derivative is half the one-sided difference. Both are reproduced as OOMMF
computes them. Periodic directions: both evolvers require an
``Oxs_RectangularMesh`` and oommfc writes ``Oxs_PeriodicRectangularMesh`` (a
sibling class, ``oxs/ext/rectangularmesh.h``) for periodic meshes, so OOMMF
stops ("... is not an Oxs_RectangularMesh object") and there is no OOMMF
behaviour to match; the engine uses the same stencil across the periodic
boundary (the central difference everywhere).

The engine applies :math:`\mathbf T` as a torque field (added to
:math:`\mathbf H` before its LLG solve): with Precession
:math:`\mathbf H_T = \gamma_0^{-1}\mathbf m\times\mathbf T = -(\mathbf m\times
\mathbf g + \beta\,\mathbf g_\perp)/\gamma_0`, which reproduces the equation
above exactly (per-cell :math:`\alpha`); without Precession
:math:`\mathbf H_T = [-(1+\alpha\beta)\,\mathbf g_\perp + (\beta-\alpha)\,
\mathbf m\times\mathbf g]/(\gamma_0\alpha)`, for which the engine's pure-damping
equation gives OOMMF's two Zhang-Li terms. That needs :math:`\alpha > 0`
wherever ``u`` is non-zero; otherwise the term is refused
(:class:`~ubermag_dirac.engine.registry.UnsupportedTermError`). With
``ud.AnisotropicDamping`` (not an OOMMF term) :math:`\mathbf T` sits inside the
tensor Gilbert form like the other torques. Also refused: ``ZhangLi`` together
with ``Slonczewski`` (oommfc hands the Slonczewski parameters to
``Anv_SpinTEvolve``, which rejects them). One deliberate difference: oommfc
passes a scalar ``df.Field`` ``u`` to OOMMF as its magnitude
(``Oxs_VecMagScalarField``), so a negative field value would lose its sign
there; the signed value is used here, as for numbers and region dicts (and as
for the energy terms). Fixed cells do not move (OOMMF sets ``u = 0`` there).

Table columns
-------------
As OOMMF's evolvers write them (``Anv_SpinTEvolve``, ``Anv_SpinTEvolve_3d``,
``Oxs_SpinXferEvolve``: ``UpdateMeshArrays`` and ``UpdateSpinTorqueOutputs`` /
``Calculate_dm_dt``), whenever the term is present, constant or not:

* ``mm.ZhangLi`` with a scalar ``u``: ``SpinTEvolve:evolver:average u`` (m/s,
  ubermagtable's ``average_u``) :math:`= f(t)\,\langle u\rangle`; with a vector
  ``u`` (``Anv_SpinTEvolve_3d``): ``SpinTEvolve_3d:evolver:average u``
  :math:`= f(t)\,|\langle\mathbf u\rangle|` and ``... average ux``, ``uy``,
  ``uz`` :math:`= f(t)\langle u_k\rangle` (ubermagtable keeps these labels,
  as for OOMMF's tables);
* ``mm.Slonczewski``: ``SpinXferEvolve:evolver:average J`` (A/m^2,
  ``average_J``) :math:`= f(t)\,\langle J\rangle`.

:math:`\langle\cdot\rangle` is OOMMF's mean over *all* cells of the mesh
(empty and fixed cells included: OOMMF averages the parameter field as given)
and :math:`f(t)` the time factor actually applied. The ubermag-dirac torques
add the amplitudes actually applied, averaged over the magnetic cells (where
they act): ``average_H_DL``, ``average_H_FL`` :math:`= f(t)\langle H_\mathrm{DL}
\rangle_\mathrm{mag}`, ... (``ud.DiracSOT``) and ``average_H_SH``
(``ud.SpinHallSOT``), A/m; with ``from_surface`` amplitudes they are
proportional to the applied electric field, so they plot the current pulse.

Empty cells
-----------
Cells with Ms = 0 never move. A spin-orbit torque term whose amplitude is
non-zero somewhere but zero in every magnetic cell of a system has no effect at
all; this almost always means a mis-specified ``df.Field``/region dictionary, so
the engine warns (:class:`~ubermag_dirac.UbermagDiracWarning`) naming the term.
"""

from __future__ import annotations

import numbers
import warnings

import discretisedfield as df
import micromagneticmodel as mm
import numba as nb
import numpy as np
import ubermagutil.typesystem as ts

from .._warnings import UbermagDiracWarning
from .registry import DYNAMICS, UnsupportedTermError, register_dynamics

__all__ = [
    "GAMMA0_OOMMF",
    "DynamicsImpl",
    "LLGParameters",
    "register_ud_terms",
    "time_factor",
]

#: OOMMF's default Gilbert gyromagnetic ratio (m/(A s)), used without Precession.
GAMMA0_OOMMF = 2.211e5
#: Constants of ``Oxs_SpinXferEvolve``.
HBAR_OOMMF = 1.0545717e-34
E_OOMMF = 1.6021765e-19
MU0 = 4e-7 * np.pi

_MISSING = object()


def _attr(term, name: str, default=None):
    """Value of ``term.name`` if the user (or the class) set it, else ``default``."""
    value = term.__dict__.get(name, _MISSING)
    if value is _MISSING:
        value = getattr(term, name, default)
    if value is None or isinstance(value, ts.Descriptor):
        return default
    return value


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
    """
    t = np.broadcast_to(np.asarray(t, dtype=np.float64), (batch,))
    if func is None:
        return np.ones(batch)
    if dt is not None:
        # Tcl's round(): half away from zero
        t = np.sign(t) * np.floor(np.abs(t) / dt + 0.5) * dt
    return np.array([float(func(float(x))) for x in t], dtype=np.float64)


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

    def __init__(self, name: str, grid):
        self.name = name
        self.grid = grid

    def configure(self, params: LLGParameters) -> None:  # pragma: no cover
        raise NotImplementedError

    def table_columns(self) -> list[tuple[str, str]]:
        """``(label, unit)`` of the drive-table columns of this term (none)."""
        return []

    def table_values(self, t) -> np.ndarray:
        """Values of `table_columns` at time ``t`` (s), ``(B, k)``."""
        return np.zeros((self.grid.batch, 0))


def _flat_scalar(grid, values, what):
    return np.ascontiguousarray(grid.scalar(list(values), what).reshape(grid.batch, -1))


def _flat_vector(grid, values, what, unit=True):
    v = grid.vector(list(values), what).reshape(grid.batch, 3, -1)
    if unit:
        norm = np.sqrt(np.sum(v * v, axis=1, keepdims=True))
        v = np.divide(v, norm, out=np.zeros_like(v), where=norm > 0)
    return np.ascontiguousarray(v)


def _check_nonnegative(arr, what):
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{what}: expected finite values >= 0.")


def _tcl_func(tcl: dict, what: str):
    """``func(t)`` evaluating an OOMMF ``J_profile`` Tcl proc at ``total_time``."""
    args = str(tcl.get("script_args", "")).split()
    if any(a != "total_time" for a in args):
        raise UnsupportedTermError(
            f"{what}: tcl_strings with script_args {args} are not supported "
            "(the calculator passes only total_time); use func and dt."
        )
    try:
        import tkinter

        interp = tkinter.Tcl()
    except (ImportError, RuntimeError) as exc:  # pragma: no cover - no Tcl
        raise UnsupportedTermError(
            f"{what}: tcl_strings need a Tcl interpreter (tkinter): {exc}"
        ) from exc
    interp.eval(tcl["script"])
    proc = tcl["script_name"]

    def func(t):
        cmd = f"{proc} {float(t):.17g}" if args else proc
        return float(interp.eval(cmd))

    return func


def _func_dt(terms, what, require_dt: bool, allow_tcl: bool = False):
    funcs = [_attr(t, "func") for t in terms]
    dts = [_attr(t, "dt") for t in terms]
    for k, t in enumerate(terms):
        tcl = _attr(t, "tcl_strings")
        if tcl is None:
            continue
        if not allow_tcl:
            raise UnsupportedTermError(
                f"{type(t).__name__} (name {t.name!r}): tcl_strings cannot be "
                "evaluated for this term; give the time dependence as func (and "
                "dt) instead."
            )
        # OOMMF evaluates the J_profile proc at every step (no dt table)
        funcs[k] = _tcl_func(tcl, what)
        dts[k] = None
    for k, (f, d) in enumerate(zip(funcs, dts, strict=True)):
        if f is not None and not callable(f):
            raise ValueError(f"{what}: func must be callable, got {f!r}.")
        tcl_given = _attr(terms[k], "tcl_strings") is not None
        if f is not None and d is None and require_dt and not tcl_given:
            raise ValueError(
                f"{what}: func requires dt (oommfc tabulates func at multiples of "
                "dt and would ignore func without it)."
            )
        if d is not None and not (float(d) > 0):
            raise ValueError(f"{what}: dt must be positive, got {d!r}.")
    return funcs, [None if d is None else float(d) for d in dts]


class _TimeFactorMixin:
    funcs: list
    dts: list

    def factor(self, t) -> np.ndarray:
        B = len(self.funcs)
        t = np.broadcast_to(np.asarray(t, dtype=np.float64), (B,))
        out = np.ones(B)
        for b, (f, d) in enumerate(zip(self.funcs, self.dts, strict=True)):
            if f is not None:
                out[b] = time_factor(f, d, t[b : b + 1], 1)[0]
        return out


# ------------------------------------------------------------------ Precession
class PrecessionImpl(DynamicsImpl):
    """:class:`micromagneticmodel.Precession`: per-cell :math:`\\gamma_0`."""

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        self.gamma = np.abs(
            _flat_scalar(grid, [_attr(t, "gamma0") for t in terms], "gamma0")
        )

    def configure(self, params):
        params.gamma = self.gamma
        params.do_precess = True


@register_dynamics(mm.Precession)
def _build_precession(terms, grid):
    return PrecessionImpl(terms, grid)


# --------------------------------------------------------------------- Damping
class DampingImpl(DynamicsImpl):
    """:class:`micromagneticmodel.Damping`: per-cell scalar :math:`\\alpha`."""

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        self.alpha = _flat_scalar(grid, [_attr(t, "alpha") for t in terms], "alpha")
        _check_nonnegative(self.alpha, "Damping.alpha")

    def configure(self, params):
        params.alpha = self.alpha


@register_dynamics(mm.Damping)
def _build_damping(terms, grid):
    return DampingImpl(terms, grid)


# ----------------------------------------------------------------- Slonczewski
class SlonczewskiImpl(DynamicsImpl, _TimeFactorMixin):
    """:class:`micromagneticmodel.Slonczewski` as ``Oxs_SpinXferEvolve`` computes it.

    Stores per cell ``c1 = beta P Lambda^2`` and ``c2 = beta eps'`` (A/m, with
    ``beta = hbar J / (mu0 e dz Ms)``), ``a = Lambda^2 + 1``, ``b = Lambda^2 - 1``
    and the unit polarisation ``p``; :math:`\\beta\\epsilon = c_1/(a + b\\,
    \\mathbf m\\cdot\\mathbf p)`.
    """

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        what = f"Slonczewski {self.name!r}"
        self.funcs, self.dts = _func_dt(terms, what, require_dt=True, allow_tcl=True)
        self.time_dependent = any(f is not None for f in self.funcs)
        J = _flat_scalar(grid, [_attr(t, "J") for t in terms], "J")
        self.average_J = J.mean(axis=1)  # OOMMF's ave_J: all cells
        P = _flat_scalar(grid, [_attr(t, "P") for t in terms], "P")
        lam_values = []
        for t in terms:
            lam = _attr(t, "Lambda")
            if isinstance(lam, dict) and "default" not in lam:
                lam = {**lam, "default": 1}  # as oommfc writes it
            lam_values.append(lam)
        Lam = _flat_scalar(grid, lam_values, "Lambda")
        eps_p = _flat_scalar(
            grid, [_attr(t, "eps_prime", 0.0) for t in terms], "eps_prime"
        )
        if np.any(Lam < 1.0):
            raise ValueError(
                f"{what}: Lambda must be >= 1 (Oxs_SpinXferEvolve refuses "
                f"smaller values); got min {Lam.min():g}."
            )
        Ms = grid.Ms.reshape(grid.batch, -1)
        d = grid.cell[2]
        beta = np.divide(
            abs(HBAR_OOMMF / (MU0 * E_OOMMF)) * J / d,
            Ms,
            out=np.zeros_like(J),
            where=Ms > 0,
        )
        L2 = Lam * Lam
        self.c1 = np.ascontiguousarray(beta * P * L2)
        self.c2 = np.ascontiguousarray(beta * eps_p)
        self.a = np.ascontiguousarray(L2 + 1.0)
        self.b = np.ascontiguousarray(L2 - 1.0)
        self.p = _flat_vector(grid, [_attr(t, "mp") for t in terms], "mp")

    def configure(self, params):
        if params.stt is not None:
            raise ValueError("At most one Slonczewski term per system.")
        params.stt = self

    def table_columns(self):
        """OOMMF's ``average J`` (A/m^2), see "Table columns"."""
        return [("SpinXferEvolve:evolver:average J", "A/m^2")]

    def table_values(self, t):
        return (self.average_J * self.factor(t))[:, None]


@register_dynamics(mm.Slonczewski)
def _build_slonczewski(terms, grid):
    return SlonczewskiImpl(terms, grid)


# ------------------------------------------------------- ubermag-dirac torques
@nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")
def dirac_add_field(m, H_DL, H_FL, beta, j, n, fac, H):
    """``H += H_T`` of the Dirac SOT; all ``(B, [3,] N)``, ``fac`` ``(B,)``."""
    B = m.shape[0]
    N = m.shape[2]
    for b in range(B):
        fb = fac[b]
        for i in range(N):
            mx = m[b, 0, i]
            my = m[b, 1, i]
            mz = m[b, 2, i]
            nx = n[b, 0, i]
            ny = n[b, 1, i]
            nz = n[b, 2, i]
            jx = j[b, 0, i]
            jy = j[b, 1, i]
            jz = j[b, 2, i]
            mn = mx * nx + my * ny + mz * nz
            be = beta[b, i]
            b2 = be * be * mn * mn
            q = 1.0 + 3.0 * b2
            fFL = (1.0 - b2) / q
            fDL = (1.0 + b2) / (q * q)
            cdl = -fb * H_DL[b, i] * fDL * mn
            cfl = -fb * H_FL[b, i] * fFL
            H[b, 0, i] += cdl * jx + cfl * (ny * jz - nz * jy)
            H[b, 1, i] += cdl * jy + cfl * (nz * jx - nx * jz)
            H[b, 2, i] += cdl * jz + cfl * (nx * jy - ny * jx)


@nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")
def spin_hall_add_field(m, H_SH, p, fac, H):
    """``H += fac H_SH m x p``; all ``(B, [3,] N)``, ``fac`` ``(B,)``."""
    B = m.shape[0]
    N = m.shape[2]
    for b in range(B):
        fb = fac[b]
        for i in range(N):
            mx = m[b, 0, i]
            my = m[b, 1, i]
            mz = m[b, 2, i]
            px = p[b, 0, i]
            py = p[b, 1, i]
            pz = p[b, 2, i]
            c = fb * H_SH[b, i]
            H[b, 0, i] += c * (my * pz - mz * py)
            H[b, 1, i] += c * (mz * px - mx * pz)
            H[b, 2, i] += c * (mx * py - my * px)


def _warn_if_only_empty(grid, amplitudes, name, cls):
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


class _TorqueFieldImpl(DynamicsImpl, _TimeFactorMixin):
    #: whether ``func`` needs ``dt`` / ``tcl_strings`` are evaluated (see `_func_dt`)
    _require_dt = False
    _allow_tcl = False

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        self.cls = type(terms[0]).__name__
        self.funcs, self.dts = _func_dt(
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

    #: names of the amplitude arrays (A/m) reported as ``average_<name>``
    _amplitudes: tuple[str, ...] = ()

    def table_columns(self):
        """``average_<amplitude>`` (A/m) over the magnetic cells, "Table columns"."""
        return [(f"average_{a}", "A/m") for a in self._amplitudes]

    def table_values(self, t):
        B = self.grid.batch
        mask = self.grid.mask.reshape(B, -1)
        count = np.maximum(mask.sum(axis=1), 1)
        means = [(getattr(self, a) * mask).sum(1) / count for a in self._amplitudes]
        return np.stack(means, axis=1).reshape(B, -1) * self.factor(t)[:, None]


class DiracSOTImpl(_TorqueFieldImpl):
    """``ud.DiracSOT`` torque field (module docstring)."""

    _amplitudes = ("H_DL", "H_FL")

    def __init__(self, terms, grid):
        super().__init__(terms, grid)
        g = grid
        self.H_DL = _flat_scalar(g, [_attr(t, "H_DL", 0.0) for t in terms], "H_DL")
        self.H_FL = _flat_scalar(g, [_attr(t, "H_FL", 0.0) for t in terms], "H_FL")
        self.beta = _flat_scalar(g, [_attr(t, "beta", 0.0) for t in terms], "beta")
        self.j = _flat_vector(g, [_attr(t, "j", (1, 0, 0)) for t in terms], "j")
        self.n = _flat_vector(g, [_attr(t, "n", (0, 0, 1)) for t in terms], "n")
        _warn_if_only_empty(grid, [self.H_DL, self.H_FL], self.name, self.cls)

    def add_field(self, m, t, H):
        B = m.shape[0]
        dirac_add_field(
            m.reshape(B, 3, -1),
            self.H_DL,
            self.H_FL,
            self.beta,
            self.j,
            self.n,
            self.factor(t),
            H.reshape(B, 3, -1),
        )
        return H


class SpinHallSOTImpl(_TorqueFieldImpl):
    """``ud.SpinHallSOT`` torque field (module docstring)."""

    _amplitudes = ("H_SH",)

    def __init__(self, terms, grid):
        super().__init__(terms, grid)
        g = grid
        self.H_SH = _flat_scalar(g, [_attr(t, "H_SH", 0.0) for t in terms], "H_SH")
        j = _flat_vector(g, [_attr(t, "j", (1, 0, 0)) for t in terms], "j")
        n = _flat_vector(g, [_attr(t, "n", (0, 0, 1)) for t in terms], "n")
        self.p = np.ascontiguousarray(np.cross(n, j, axis=1))
        _warn_if_only_empty(grid, [self.H_SH], self.name, self.cls)

    def add_field(self, m, t, H):
        B = m.shape[0]
        spin_hall_add_field(
            m.reshape(B, 3, -1), self.H_SH, self.p, self.factor(t), H.reshape(B, 3, -1)
        )
        return H


class AnisotropicDampingImpl(DynamicsImpl):
    """``ud.AnisotropicDamping``: adds :math:`\\delta\\alpha (I - nn)` to the tensor."""

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        self.dalpha = _flat_scalar(
            grid, [_attr(t, "delta_alpha") for t in terms], "delta_alpha"
        )
        _check_nonnegative(self.dalpha, "AnisotropicDamping.delta_alpha")
        self.n = _flat_vector(grid, [_attr(t, "n", (0, 0, 1)) for t in terms], "n")

    def configure(self, params):
        if params.dalpha is not None:
            raise ValueError("At most one AnisotropicDamping term per system.")
        params.dalpha = self.dalpha
        params.nvec = self.n


# ------------------------------------------------------------------ Zhang-Li
def _zhang_li_stencil(mask, axis: int, periodic: bool):
    """Weights ``(w_minus, w_plus)`` of Anv_SpinTEvolve's derivative along ``axis``.

    ``mask`` is ``(B, nx, ny, nz)``; the derivative of cell ``i`` is
    ``[w_plus (m[i+1] - m[i]) + w_minus (m[i] - m[i-1])] / dx``: 1/2 for each
    magnetic neighbour, the inner bond counted twice (one-sided difference) at a
    free mesh face when the axis has more than two cells, 0 in empty cells.
    """
    ax = axis + 1
    n = mask.shape[ax]
    shape = mask.shape
    if n == 1:
        return np.zeros(shape), np.zeros(shape)
    plus = np.roll(mask, -1, axis=ax).astype(np.float64)  # plus[i] = mask[i + 1]
    minus = np.roll(mask, 1, axis=ax).astype(np.float64)  # minus[i] = mask[i - 1]
    w_plus = 0.5 * plus
    w_minus = 0.5 * minus
    if not periodic:
        first = [slice(None)] * 4
        last = [slice(None)] * 4
        first[ax] = 0
        last[ax] = n - 1
        first, last = tuple(first), tuple(last)
        w_minus[first] = 0.0
        w_plus[last] = 0.0
        if n > 2:  # OOMMF's "free boundary correction"
            w_plus[first] += 0.5 * plus[first]
            w_minus[last] += 0.5 * minus[last]
    w_plus *= mask
    w_minus *= mask
    return w_minus, w_plus


@nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")
def zhang_li_add_field(
    m, cxm, cxp, cym, cyp, czm, czp, use, beta, fac, gamma, alpha, do_precess, mask, H
):
    """``H += H_T`` of the Zhang-Li torque (module docstring, "Zhang-Li").

    ``m``, ``H``: ``(B, 3, nx, ny, nz)``; ``c[xyz][mp]``: ``(B, N)``
    coefficients ``u_k w_k / dx_k`` (1/s) of the minus/plus bond along each
    axis, read only where ``use[k]`` (any 2-d array otherwise); ``mask``:
    ``(B, nx, ny, nz)``; ``beta``, ``fac``: ``(B,)``; ``gamma``, ``alpha``:
    ``(B, N)``.
    """
    B, _, nx, ny, nz = m.shape
    n = nx * ny * nz
    SX = ny * nz
    SY = nz
    mf = m.reshape(B, 3, n)
    Hf = H.reshape(B, 3, n)
    kf = mask.reshape(B, n)
    usex = use[0]
    usey = use[1]
    usez = use[2]
    for b in range(B):
        fb = fac[b]
        if fb == 0.0:
            continue
        be = beta[b]
        for i in range(nx):
            xm = -SX if i > 0 else (nx - 1) * SX
            xp = SX if i < nx - 1 else -(nx - 1) * SX
            for j in range(ny):
                ym = -SY if j > 0 else (ny - 1) * SY
                yp = SY if j < ny - 1 else -(ny - 1) * SY
                p0 = i * SX + j * SY
                for k in range(nz):
                    p = p0 + k
                    if not kf[b, p]:
                        continue
                    mx = mf[b, 0, p]
                    my = mf[b, 1, p]
                    mz = mf[b, 2, p]
                    gx = 0.0
                    gy = 0.0
                    gz = 0.0
                    if usex:
                        cp = cxp[b, p]
                        cm = cxm[b, p]
                        q0 = p + xp
                        q1 = p + xm
                        gx += cp * (mf[b, 0, q0] - mx) + cm * (mx - mf[b, 0, q1])
                        gy += cp * (mf[b, 1, q0] - my) + cm * (my - mf[b, 1, q1])
                        gz += cp * (mf[b, 2, q0] - mz) + cm * (mz - mf[b, 2, q1])
                    if usey:
                        cp = cyp[b, p]
                        cm = cym[b, p]
                        q0 = p + yp
                        q1 = p + ym
                        gx += cp * (mf[b, 0, q0] - mx) + cm * (mx - mf[b, 0, q1])
                        gy += cp * (mf[b, 1, q0] - my) + cm * (my - mf[b, 1, q1])
                        gz += cp * (mf[b, 2, q0] - mz) + cm * (mz - mf[b, 2, q1])
                    if usez:
                        zm = -1 if k > 0 else nz - 1
                        zp = 1 if k < nz - 1 else 1 - nz
                        cp = czp[b, p]
                        cm = czm[b, p]
                        q0 = p + zp
                        q1 = p + zm
                        gx += cp * (mf[b, 0, q0] - mx) + cm * (mx - mf[b, 0, q1])
                        gy += cp * (mf[b, 1, q0] - my) + cm * (my - mf[b, 1, q1])
                        gz += cp * (mf[b, 2, q0] - mz) + cm * (mz - mf[b, 2, q1])
                    if gx == 0.0 and gy == 0.0 and gz == 0.0:
                        continue
                    gx *= fb
                    gy *= fb
                    gz *= fb
                    # g_perp = g - (m.g) m = (m x g) x m ;  c = m x g
                    mg = mx * gx + my * gy + mz * gz
                    ex = gx - mg * mx
                    ey = gy - mg * my
                    ez = gz - mg * mz
                    cx = my * gz - mz * gy
                    cy = mz * gx - mx * gz
                    cz = mx * gy - my * gx
                    if do_precess:
                        # H_T = (1/gamma) m x T = -(m x g + beta g_perp) / gamma
                        s = -1.0 / gamma[b, p]
                        Hf[b, 0, p] += s * (cx + be * ex)
                        Hf[b, 1, p] += s * (cy + be * ey)
                        Hf[b, 2, p] += s * (cz + be * ez)
                    else:
                        a = alpha[b, p]
                        s = 1.0 / (gamma[b, p] * a)
                        c1 = -(1.0 + a * be) * s
                        c2 = (be - a) * s
                        Hf[b, 0, p] += c1 * ex + c2 * cx
                        Hf[b, 1, p] += c1 * ey + c2 * cy
                        Hf[b, 2, p] += c1 * ez + c2 * cz


def _zhang_li_u(grid, terms, what) -> tuple[np.ndarray, np.ndarray]:
    """Spin-drift velocity ``(B, 3, nx, ny, nz)`` (m/s) as oommfc hands it to OOMMF.

    A number, a dict of numbers or a scalar field is the x component
    (``Anv_SpinTEvolve``); a vector, a dict of vectors or a vector field is the
    full vector (``Anv_SpinTEvolve_3d``). Conversion by the grid's parameter rules.
    Returns ``u`` and ``(B,)`` whether each system's ``u`` is a vector.
    """
    u = np.zeros((grid.batch, 3, *grid.n))
    vector = np.zeros(grid.batch, dtype=bool)
    for b, term in enumerate(terms):
        value = _attr(term, "u")
        if value is None:
            raise ValueError(
                f"{what}: u is not set; give the spin-drift velocity u (m/s): a "
                "number (current along x), a vector, a region dict or a "
                "discretisedfield.Field."
            )
        if isinstance(value, df.Field):
            scalar = value.nvdim == 1
        elif isinstance(value, dict):
            kinds = {isinstance(v, numbers.Real) for v in value.values()}
            if len(kinds) != 1:
                raise ValueError(
                    f"{what}: u is a dict mixing numbers and vectors; use numbers "
                    "only (current along x) or vectors only."
                )
            scalar = kinds == {True}
        else:
            scalar = isinstance(value, numbers.Real)
        if scalar:
            u[b, 0] = grid._one(value, 1, f"{what}: u")[..., 0]
        else:
            u[b] = np.moveaxis(grid._one(value, 3, f"{what}: u"), -1, 0)
        vector[b] = not scalar
    if not np.all(np.isfinite(u)):
        raise ValueError(f"{what}: u must be finite everywhere.")
    return u, vector


class ZhangLiImpl(_TorqueFieldImpl):
    r""":class:`micromagneticmodel.ZhangLi` as OOMMF's ``Anv_SpinTEvolve`` computes it.

    Stores the per-bond coefficients :math:`u_k w_k^\pm/\Delta_k` (1/s) of the
    derivative :math:`(\mathbf u\cdot\nabla)\mathbf m` (module docstring,
    "Zhang-Li"), :math:`\beta` per system and the time factor; ``add_field``
    adds the torque field :math:`\mathbf H_T` (A/m) that reproduces OOMMF's
    Zhang-Li terms through the engine's LLG solve.

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import numpy as np
    >>> from ubermag_dirac.engine import Engine
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(40e-9, 2e-9, 2e-9), cell=(2e-9, 2e-9, 2e-9))
    >>> s = mm.System(name="wire")
    >>> s.energy = mm.Exchange(A=1.3e-11)
    >>> s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.1)
    >>> s.dynamics += mm.ZhangLi(u=100, beta=0.05)  # u in m/s, along x
    >>> s.m = df.Field(mesh, nvdim=3, value=(1, 0, 0), norm=8e5)
    >>> float(np.abs(Engine(s).torque_fields()["zhangli"]).max())  # uniform m
    0.0

    For the helix :math:`\mathbf m = (\cos kx, \sin kx, 0)` the central
    difference gives :math:`\mathbf m\times\partial_x\mathbf m = \hat{\mathbf
    z}\sin(k\Delta x)/\Delta x`, so :math:`H_{T,z} = -u\sin(k\Delta x)/
    (\gamma_0\Delta x)` (A/m) in the interior:

    >>> k = 2 * np.pi / 40e-9
    >>> s.m = df.Field(
    ...     mesh,
    ...     nvdim=3,
    ...     value=lambda p: (np.cos(k * p[0]), np.sin(k * p[0]), 0),
    ...     norm=8e5,
    ... )
    >>> H_T = Engine(s).torque_fields()["zhangli"]
    >>> bool(np.isclose(H_T[0, 2, 5, 0, 0], -100 * np.sin(k * 2e-9) / 2e-9 / 2.211e5))
    True

    Without Precession and Damping OOMMF's torque has no torque-field form:

    >>> s.dynamics = mm.ZhangLi(u=100, beta=0.05)
    >>> Engine(s)
    Traceback (most recent call last):
    ...
    ubermag_dirac.engine.registry.UnsupportedTermError: ZhangLi 'zhangli' in system ...
    """

    _require_dt = True
    _allow_tcl = True

    def __init__(self, terms, grid):
        super().__init__(terms, grid)
        what = f"ZhangLi {self.name!r}"
        self.what = what
        betas = []
        for t in terms:
            beta = _attr(t, "beta")
            if beta is None:
                raise ValueError(
                    f"{what}: beta is not set; give the non-adiabatic parameter "
                    "beta (a number; oommfc writes it to Anv_SpinTEvolve, which "
                    "needs it)."
                )
            if (
                isinstance(beta, bool)
                or not isinstance(beta, numbers.Real)
                or not np.isfinite(beta)
            ):
                raise ValueError(
                    f"{what}: beta must be a finite number (Anv_SpinTEvolve takes "
                    f"one constant beta), got {beta!r}."
                )
            betas.append(float(beta))
        self.beta = np.array(betas)
        for b, s in enumerate(grid.systems):
            for other in s.dynamics:
                if isinstance(other, mm.Slonczewski):
                    raise UnsupportedTermError(
                        f"{what} and Slonczewski {other.name!r} in system {b} "
                        f"({s.name!r}): oommfc hands both to OOMMF's "
                        "Anv_SpinTEvolve, which has no Slonczewski torque and "
                        "refuses the Slonczewski parameters; the calculator does not "
                        "combine them either."
                    )
        u, self.u_vector = _zhang_li_u(grid, terms, what)
        self.u = u
        # OOMMF's ave_u: mean over all cells of the mesh, (B, 3)
        self.average_u = u.reshape(grid.batch, 3, -1).mean(axis=2)
        mask = grid.mask
        coeffs = []
        use = []
        for k in range(3):
            uk = u[:, k]
            active = bool(np.any(uk[mask] != 0.0)) and grid.n[k] > 1
            use.append(active)
            if not active:
                coeffs += [np.zeros((1, 1))] * 2
                continue
            w_minus, w_plus = _zhang_li_stencil(mask, k, "xyz"[k] in grid.pbc)
            for w in (w_minus, w_plus):
                c = (uk * w / grid.cell[k]).reshape(grid.batch, -1)
                coeffs.append(np.ascontiguousarray(c))
        self.coeffs = coeffs
        self.use = np.array(use)
        self._mask = np.ascontiguousarray(mask)
        self._check_representable(grid)
        self.params = None

    def _check_representable(self, grid):
        """Refuse cells where OOMMF's torque cannot be written as a torque field."""
        driven = self._mask & np.any(self.u != 0.0, axis=1)
        for b, s in enumerate(grid.systems):
            if not driven[b].any():
                continue
            prec = [x for x in s.dynamics if isinstance(x, mm.Precession)]
            damp = [x for x in s.dynamics if isinstance(x, mm.Damping)]
            if prec:
                gamma = grid._one(_attr(prec[0], "gamma0"), 1, "gamma0")
                if np.any(gamma[..., 0][driven[b]] == 0):
                    raise ValueError(
                        f"{self.what} in system {b} ({s.name!r}): Precession "
                        "gamma0 is 0 in cells where u is not; the engine applies "
                        "the Zhang-Li torque as a torque field, which needs "
                        "gamma0 != 0."
                    )
                continue
            alpha = np.zeros(grid.n)
            if damp:
                alpha = grid._one(_attr(damp[0], "alpha"), 1, "alpha")[..., 0]
            if np.any(alpha[driven[b]] <= 0):
                raise UnsupportedTermError(
                    f"{self.what} in system {b} ({s.name!r}): without Precession "
                    "(OOMMF's do_precess 0) the engine solves the pure-damping "
                    "equation, which can carry the Zhang-Li torque only where "
                    "Damping alpha > 0, and alpha is 0 in cells where u is not "
                    "(OOMMF would still apply the torque there). Add "
                    "mm.Precession, or mm.Damping with alpha > 0."
                )

    def table_columns(self):
        """OOMMF's ``average u`` (m/s), see "Table columns"."""
        if self.u_vector.any():  # Anv_SpinTEvolve_3d
            label = "SpinTEvolve_3d:evolver:average u"
            return [(label + c, "m/s") for c in ("", "x", "y", "z")]
        return [("SpinTEvolve:evolver:average u", "m/s")]

    def table_values(self, t):
        u = self.average_u * self.factor(t)[:, None]
        if self.u_vector.any():
            return np.column_stack([np.linalg.norm(u, axis=1), u])
        return u[:, :1]

    def configure(self, params):
        if any(isinstance(tf, ZhangLiImpl) for tf in params.torque_fields):
            raise ValueError("At most one ZhangLi term per system.")
        self.params = params
        super().configure(params)

    def add_field(self, m, t, H):
        p = self.params
        cxm, cxp, cym, cyp, czm, czp = self.coeffs
        zhang_li_add_field(
            m,
            cxm,
            cxp,
            cym,
            cyp,
            czm,
            czp,
            self.use,
            self.beta,
            self.factor(t),
            p.gamma,
            p.alpha,
            bool(p.do_precess),
            self._mask,
            H,
        )
        return H


@register_dynamics(mm.ZhangLi)
def _build_zhang_li(terms, grid):
    return ZhangLiImpl(terms, grid)


def register_ud_terms() -> str | None:
    """Register the ubermag-dirac dynamics terms that :mod:`ubermag_dirac.terms` has.

    Idempotent; called by every :class:`~ubermag_dirac.engine.Engine`. Returns
    ``None`` when all three are registered, else the reason some are not (the
    engine then treats those as unsupported terms).
    """
    try:
        from .. import terms as ud_terms
    except ImportError as exc:
        return f"ubermag_dirac.terms does not import ({exc})"
    impls = {
        "DiracSOT": DiracSOTImpl,
        "SpinHallSOT": SpinHallSOTImpl,
        "AnisotropicDamping": AnisotropicDampingImpl,
    }
    missing = []
    for name, impl in impls.items():
        cls = getattr(ud_terms, name, None)
        if cls is None:
            missing.append(name)
        elif cls not in DYNAMICS:
            register_dynamics(cls)(impl)
    if missing:
        return f"ubermag_dirac.terms has no {missing} yet"
    return None
