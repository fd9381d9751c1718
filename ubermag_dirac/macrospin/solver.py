r"""Vectorised macrospin solver (many independent macrospins at once).

Model (reduced units: fields in units of a reference field :math:`H_K`, time in
units of :math:`1/(\gamma_0 H_K)`), Gilbert form with every torque inside it
(``PHYSICS.md`` "Conventions", ``docs/ARCHITECTURE.md``):

.. math::

    \dot{\mathbf m} = -\mathbf m\times(\mathbf h_\mathrm{eff} + \mathbf h_T)
        + \mathbf m\times(\underline{\alpha}\,\dot{\mathbf m}),\qquad
    \underline{\alpha} = \alpha I + \delta\alpha\,(I - \mathbf n\mathbf n),

    \mathbf h_\mathrm{eff} = a_f(t)\,\mathbf h + h_K (\mathbf m\cdot\mathbf n)\mathbf n,

    \mathbf h_T = a_c(t)\left[-h_\mathrm{DL} f_\mathrm{DL}(m_n) m_n \mathbf j
        - h_\mathrm{FL} f_\mathrm{FL}(m_n)\,\mathbf p
        + h_\mathrm{SH}\,\mathbf m\times\mathbf p\right],\quad
    \mathbf p = \mathbf n\times\mathbf j,

with :math:`f_\mathrm{DL} = (1+b^2)/(1+3b^2)^2`, :math:`f_\mathrm{FL} =
(1-b^2)/(1+3b^2)`, :math:`b^2 = \beta^2 m_n^2`, and pulses :math:`a_c(t)`
(current) and :math:`a_f(t)` (field). The Gilbert form is solved exactly per
spin (closed form, valid for any :math:`\delta\alpha \ge 0`).
"""

import dataclasses
import numbers

import numba
import numpy as np

from ..constants import GAMMA0, MU0
from . import _kernels
from .pulses import as_pulse

__all__ = [
    "GAMMA0",
    "MU0",
    "MacrospinIntegrationError",
    "MacrospinResult",
    "ReducedUnits",
    "dmdt",
    "solve",
    "solve_si",
    "thin_film_hk_eff",
]


class MacrospinIntegrationError(RuntimeError):
    """Raised when points fail to integrate (NaN, step collapse, step limit)."""


@dataclasses.dataclass
class MacrospinResult:
    """Result of :func:`solve`.

    Attributes
    ----------
    m : numpy.ndarray
        Final unit magnetisation, shape ``(*shape, 3)``.
    t : numpy.ndarray
        Output times (reduced units for :func:`solve`, seconds for :func:`solve_si`).
    trajectory : numpy.ndarray
        m at the output times, shape ``(*shape, len(t), 3)``.
    status : numpy.ndarray of int
        0 reached the final time, 1 stopped early at a linearly stable fixed
        point (m then stays there: it is copied to the remaining output times),
        2 step limit, 3 failure.
    t_final : numpy.ndarray
        Time at which each point stopped.
    n_accepted, n_rejected : numpy.ndarray of int
        Step counts per point (shared counts for callable pulses).
    """

    m: np.ndarray
    t: np.ndarray
    trajectory: np.ndarray
    status: np.ndarray
    t_final: np.ndarray
    n_accepted: np.ndarray
    n_rejected: np.ndarray

    @property
    def converged(self):
        """Boolean array: points stopped early at a stable fixed point."""
        return self.status == _kernels.STATUS_CONVERGED


def _real(name, v, *, lo=None, lo_open=False, hi=None, hi_open=False):
    a = np.asarray(v, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite.")
    if lo is not None:
        bad = a <= lo if lo_open else a < lo
        if np.any(bad):
            op = ">" if lo_open else ">="
            raise ValueError(f"{name} must be {op} {lo}, got min {a.min()}.")
    if hi is not None:
        bad = a >= hi if hi_open else a > hi
        if np.any(bad):
            op = "<" if hi_open else "<="
            raise ValueError(f"{name} must be {op} {hi}, got max {a.max()}.")
    return a


def _unit(name, v):
    v = np.asarray(v, dtype=float)
    if v.shape != (3,) or not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be a finite 3-vector, got {v!r}.")
    nv = np.linalg.norm(v)
    if nv == 0:
        raise ValueError(f"{name} must be non-zero.")
    return v / nv


def _setup(m0, h, h_k, alpha, delta_alpha, h_dl, beta, h_fl, h_sh, n, j):
    """Validate, broadcast and pack the parameters into the kernel table."""
    n = _unit("n", n)
    j = _unit("j", j)
    if abs(np.dot(n, j)) > 1e-10:
        raise ValueError("The current direction j must be perpendicular to n.")
    m0 = _real("m0", m0)
    h = _real("h", h)
    if m0.shape[-1:] != (3,) or h.shape[-1:] != (3,):
        raise ValueError("m0 and h must have a last axis of length 3.")
    if np.any(np.linalg.norm(m0, axis=-1) == 0):
        raise ValueError("m0 must be non-zero everywhere.")
    scal = {
        "h_k": _real("h_k", h_k),
        "alpha": _real("alpha", alpha, lo=0.0),
        "delta_alpha": _real("delta_alpha", delta_alpha, lo=0.0),
        "h_dl": _real("h_dl", h_dl),
        "beta": _real("beta", beta, lo=0.0, hi=1.0, hi_open=True),
        "h_fl": _real("h_fl", h_fl),
        "h_sh": _real("h_sh", h_sh),
    }
    shape = np.broadcast_shapes(
        m0.shape[:-1], h.shape[:-1], *(v.shape for v in scal.values())
    )
    N = int(np.prod(shape))
    P = np.empty((N, _kernels.NPAR))
    P[:, 0:3] = np.broadcast_to(h, (*shape, 3)).reshape(N, 3)
    for col, key in enumerate(
        ["h_k", "alpha", "delta_alpha", "h_dl", "beta", "h_fl", "h_sh"], start=3
    ):
        P[:, col] = np.broadcast_to(scal[key], shape).reshape(N)
    m = np.ascontiguousarray(np.broadcast_to(m0, (*shape, 3)).reshape(N, 3))
    g = np.concatenate([n, j, np.cross(n, j)])
    return shape, m, P, g


def _ref_params(P, g):
    return {
        "h": P[:, 0:3],
        "hk": P[:, 3],
        "alpha": P[:, 4],
        "dalpha": P[:, 5],
        "sdl": P[:, 6],
        "beta": P[:, 7],
        "sfl": P[:, 8],
        "ssh": P[:, 9],
        "n": g[0:3],
        "j": g[3:6],
    }


def dmdt(
    m,
    *,
    h=(0.0, 0.0, 0.0),
    h_k=1.0,
    alpha=0.1,
    delta_alpha=0.0,
    h_dl=0.0,
    beta=0.0,
    h_fl=0.0,
    h_sh=0.0,
    n=(0.0, 0.0, 1.0),
    j=(1.0, 0.0, 0.0),
    current=1.0,
    field=1.0,
):
    r"""Right-hand side :math:`\dot{\mathbf m}` of the reduced LLG (compiled kernel).

    Parameters are those of :func:`solve`; ``current`` and ``field`` are the
    instantaneous pulse amplitudes (numbers). ``m`` is normalised first.

    Returns
    -------
    numpy.ndarray
        :math:`\dot{\mathbf m}` in units of :math:`\gamma_0 H_K`, shape of the
        broadcast inputs with a last axis of 3.

    Examples
    --------
    Precession about a field along z,
    :math:`\dot{\mathbf m} = -\mathbf m\times\mathbf h`:

    >>> from ubermag_dirac import macrospin as ms
    >>> ms.dmdt([1.0, 0.0, 0.0], h=[0.0, 0.0, 1.0], h_k=0.0, alpha=0.0) + 0.0
    array([0., 1., 0.])
    >>> ms.dmdt([1.0, 0.0, 0.0], alpha=-0.1)
    Traceback (most recent call last):
    ...
    ValueError: alpha must be >= 0.0, got min -0.1.
    """
    shape, mm, P, g = _setup(
        m, h, h_k, alpha, delta_alpha, h_dl, beta, h_fl, h_sh, n, j
    )
    u = _kernels.rhs_many(mm, float(current), float(field), P, g)
    return u.reshape(*shape, 3)


def solve(
    m0,
    t,
    *,
    h=(0.0, 0.0, 0.0),
    h_k=1.0,
    alpha=0.1,
    delta_alpha=0.0,
    h_dl=0.0,
    beta=0.0,
    h_fl=0.0,
    h_sh=0.0,
    n=(0.0, 0.0, 1.0),
    j=(1.0, 0.0, 0.0),
    current=None,
    field=None,
    t_eval=None,
    t0=0.0,
    rtol=1e-7,
    atol=1e-9,
    h0=0.01,
    hmax=np.inf,
    max_steps=10_000_000,
    stop_tol=1e-8,
    threads=1,
    step_control="point",
    raise_on_failure=True,
):
    r"""Integrate many independent macrospins (reduced units).

    Every parameter broadcasts against the others (``m0`` and ``h`` carry a
    last axis of 3), so a whole phase diagram is one call. Each point has its own
    adaptive Dormand-Prince 5(4) step (compiled with Numba), m is renormalised
    after every step, and a point stops early once
    :math:`|\dot{\mathbf m}| <` ``stop_tol`` at a linearly stable fixed point
    with both pulses constant from then on (it would not move any more).

    Parameters
    ----------
    m0 : array_like, shape (..., 3)
        Initial magnetisation (normalised internally).
    t : float
        Final time in units of :math:`1/(\gamma_0 H_K)` (:math:`> t_0`).
    h : array_like, shape (..., 3)
        Applied field :math:`\mathbf H/H_K`, scaled by the ``field`` pulse.
    h_k : array_like
        Uniaxial anisotropy field along ``n`` (:math:`H_K/H_K = 1` by default; use
        an effective value from :func:`thin_film_hk_eff` to absorb the demag).
    alpha : array_like
        Gilbert damping, :math:`\ge 0`.
    delta_alpha : array_like
        Extra damping of the components perpendicular to ``n``, :math:`\ge 0`.
    h_dl, h_fl : array_like
        Dirac damping-like and field-like amplitudes :math:`H_\mathrm{DL}/H_K`,
        :math:`H_\mathrm{FL}/H_K` (scaled by the ``current`` pulse).
    beta : array_like
        :math:`\Delta/\epsilon_F` in the angular dependence, :math:`0\le\beta<1`.
    h_sh : array_like
        Spin-Hall damping-like amplitude :math:`H_\mathrm{SH}/H_K`.
    n, j : array_like, shape (3,)
        Anisotropy axis / surface normal and current direction (``j . n = 0``).
    current, field : Pulse, callable, number or None
        Time dependence of the torque amplitudes and of ``h`` (None: constant 1,
        i.e. a step at ``t0``). Table pulses (:class:`Pulse`) run in the compiled
        kernel; a plain callable switches to a Python-driven integrator with a
        shared step (much slower, no early stopping).
    t_eval : array_like, optional
        Increasing output times in ``(t0, t]`` (default: ``[t]``).
    t0 : float
        Initial time.
    rtol, atol : float
        Error tolerances of the embedded 4th-order estimate (per component).
    h0, hmax : float
        Initial and largest step.
    max_steps : int
        Step limit per point (accepted + rejected).
    stop_tol : float
        Early-stop threshold on :math:`|\dot{\mathbf m}|`; ``0`` disables it.
    threads : int
        Number of threads (1: serial kernel; >1: ``numba.prange`` over points).
    step_control : {"point", "shared"}
        ``"point"`` (default): every point has its own step size and stops on
        its own. ``"shared"``: one step size for all points (error = maximum over
        the active points; serial); kept for comparison, it is slower for phase
        diagrams (``benchmarks/bench_macrospin.py``).
    raise_on_failure : bool
        Raise :class:`MacrospinIntegrationError` if any point fails.

    Returns
    -------
    MacrospinResult

    Examples
    --------
    Damped precession relaxes a tilted spin to the easy axis:

    >>> import numpy as np
    >>> from ubermag_dirac import macrospin as ms
    >>> r = ms.solve([[0.6, 0.0, 0.8], [0.6, 0.0, -0.8]], 200.0, alpha=0.1)
    >>> np.round(r.m, 6) + 0.0
    array([[ 0.,  0.,  1.],
           [ 0.,  0., -1.]])
    >>> r.status
    array([1, 1])

    Invalid input is refused:

    >>> ms.solve([0.0, 0.0, 1.0], 10.0, beta=1.5)
    Traceback (most recent call last):
    ...
    ValueError: beta must be < 1.0, got max 1.5.
    """
    shape, m, P, g = _setup(
        m0, h, h_k, alpha, delta_alpha, h_dl, beta, h_fl, h_sh, n, j
    )
    t0 = float(t0)
    if not isinstance(t, numbers.Real) or not np.isfinite(t) or t <= t0:
        raise ValueError(f"t must be a finite number > t0 = {t0}, got {t!r}.")
    if t_eval is None:
        t_eval = np.array([float(t)])
    else:
        t_eval = _real("t_eval", t_eval).ravel()
        if (
            t_eval.size == 0
            or np.any(np.diff(t_eval) <= 0)
            or t_eval[0] < t0
            or t_eval[-1] > t
        ):
            raise ValueError("t_eval must be increasing and inside [t0, t].")
    for name, v in (("rtol", rtol), ("atol", atol), ("h0", h0), ("hmax", hmax)):
        if not v > 0:
            raise ValueError(f"{name} must be > 0, got {v}.")
    if not (isinstance(threads, numbers.Integral) and threads >= 1):
        raise ValueError(f"threads must be an integer >= 1, got {threads!r}.")
    if step_control not in ("point", "shared"):
        raise ValueError(
            f"step_control must be 'point' or 'shared', got {step_control!r}."
        )
    cur = as_pulse(current, "current")
    fld = as_pulse(field, "field")
    N = m.shape[0]
    if cur.is_table and fld.is_table:
        out = np.empty((N, t_eval.size, 3))
        istats = np.zeros((N, 3), dtype=np.int64)
        fstats = np.zeros(N)
        opts = np.array(
            [rtol, atol, h0, hmax, float(max_steps), float(stop_tol)], dtype=float
        )
        args = (
            m,
            P,
            g,
            cur.times,
            cur.values,
            fld.times,
            fld.values,
            t0,
            t_eval,
            opts,
            out,
            istats,
            fstats,
        )
        if step_control == "shared":
            _kernels.integrate_shared(*args)
        elif threads == 1:
            _kernels.integrate_serial(np.arange(N), *args)
        else:
            # interleave expensive and cheap points (neighbours cost alike)
            order = np.random.default_rng(0).permutation(N)
            old = numba.get_num_threads()
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            try:
                _kernels.integrate_parallel(order, *args)
            finally:
                numba.set_num_threads(old)
        status, nacc, nrej = istats[:, 0], istats[:, 1], istats[:, 2]
        tfin = fstats
    else:
        out = np.empty((N, t_eval.size, 3))
        istats = np.zeros((N, 3), dtype=np.int64)
        fstats = np.zeros(N)
        opts = np.array([rtol, atol, h0, hmax, float(max_steps), 0.0], dtype=float)
        _integrate_callable(m, P, g, cur, fld, t0, t_eval, opts, out, istats, fstats)
        status, nacc, nrej = istats[:, 0], istats[:, 1], istats[:, 2]
        tfin = fstats
    bad = status >= _kernels.STATUS_MAXSTEPS
    if raise_on_failure and np.any(bad):
        raise MacrospinIntegrationError(
            f"{int(bad.sum())} of {N} points failed to integrate (status "
            f"{sorted(set(status[bad].tolist()))}: 2 = step limit, 3 = NaN or step "
            "collapse); try a smaller h0, larger max_steps, or check parameters."
        )
    return MacrospinResult(
        m=out[:, -1, :].reshape(*shape, 3),
        t=t_eval,
        trajectory=out.reshape(*shape, t_eval.size, 3),
        status=status.reshape(shape),
        t_final=tfin.reshape(shape),
        n_accepted=nacc.reshape(shape),
        n_rejected=nrej.reshape(shape),
    )


def _integrate_callable(m, P, g, cur, fld, t0, t_eval, opts, out, istats, fstats):
    """Shared-step integration with pulses that are Python callables.

    The compiled shared-step controller of :mod:`._kernels` driven from Python,
    which evaluates the pulses at the stage times. No early stop
    (``opts[5] = 0``): a callable may change at any time.
    """
    N = m.shape[0]
    y = np.empty((N, 3))
    yn = np.empty((N, 3))
    K = np.empty((7, N, 3))
    active = np.empty(N, dtype=np.int64)
    fst = np.zeros(4)
    ist = np.zeros(9, dtype=np.int64)
    tk = np.array([t0])  # a one-point table: no breakpoints
    vk = np.ones(1)
    _kernels.shared_start(m, t0, t_eval, opts[2], tk, tk, y, active, out, fst, ist)
    _kernels.shared_k1(y, K, active, N, float(cur(t0)), float(fld(t0)), P, g)
    nodes = _kernels.C[1:6]
    while _kernels.shared_plan(fst, ist, t_eval, tk, tk):
        ts = fst[0] + nodes * fst[2]
        cs = tuple(float(cur(x)) for x in ts)
        fs = tuple(float(fld(x)) for x in ts)
        _kernels.shared_step(
            y, K, yn, active, fst, ist, cs, fs, P, g, opts, t_eval, out, istats,
            fstats, tk, vk, tk, vk,
        )  # fmt: skip
    _kernels.shared_finish(active, fst, ist, t_eval, istats, fstats)


@dataclasses.dataclass(frozen=True)
class ReducedUnits:
    r"""Conversion between SI and the reduced units of :func:`solve`.

    Fields are measured in units of ``H_K`` and time in units of
    :math:`1/(\gamma_0 H_K)`: :math:`h = H/H_K`, :math:`\tau = \gamma_0 H_K t`.

    Parameters
    ----------
    H_K : float
        Reference (anisotropy) field in A/m, :math:`> 0`.
    gamma0 : float
        :math:`\gamma_0 = \mu_0\gamma` in m/(A s) (Ubermag's default).

    Examples
    --------
    >>> from ubermag_dirac.macrospin import ReducedUnits
    >>> u = ReducedUnits(H_K=1e5)
    >>> u.field(5e4), round(u.time(1e-9), 4)
    (0.5, 22.1276)
    >>> ReducedUnits(H_K=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: H_K must be > 0 A/m, got -1.0.
    """

    H_K: float
    gamma0: float = GAMMA0

    def __post_init__(self):
        if not (np.isfinite(self.H_K) and self.H_K > 0):
            raise ValueError(f"H_K must be > 0 A/m, got {self.H_K}.")
        if not (np.isfinite(self.gamma0) and self.gamma0 > 0):
            raise ValueError(f"gamma0 must be > 0, got {self.gamma0}.")

    @property
    def time_unit(self):
        r"""Seconds per reduced time unit, :math:`1/(\gamma_0 H_K)`."""
        return 1.0 / (self.gamma0 * self.H_K)

    def field(self, H):
        """Reduced field h = H / H_K (H in A/m)."""
        return np.asarray(H, dtype=float) / self.H_K if np.ndim(H) else H / self.H_K

    def field_si(self, h):
        """Field in A/m from a reduced field."""
        return np.asarray(h, dtype=float) * self.H_K if np.ndim(h) else h * self.H_K

    def time(self, t):
        """Reduced time from seconds."""
        return (
            np.asarray(t, dtype=float) / self.time_unit
            if np.ndim(t)
            else t / self.time_unit
        )

    def time_si(self, tau):
        """Seconds from reduced time."""
        return (
            np.asarray(tau, dtype=float) * self.time_unit
            if np.ndim(tau)
            else tau * self.time_unit
        )


def thin_film_hk_eff(K, Ms):
    r"""Effective perpendicular anisotropy field of a thin film (demag absorbed).

    .. math:: H_{K,\mathrm{eff}} = \frac{2K}{\mu_0 M_s} - M_s

    Parameters
    ----------
    K : float
        Uniaxial (perpendicular) anisotropy constant in J/m^3.
    Ms : float
        Saturation magnetisation in A/m, :math:`> 0`.

    Returns
    -------
    float
        :math:`H_{K,\mathrm{eff}}` in A/m (negative: the film is easy-plane).

    Examples
    --------
    >>> from ubermag_dirac.macrospin import thin_film_hk_eff
    >>> round(thin_film_hk_eff(K=1e6, Ms=1e6))
    591549
    >>> thin_film_hk_eff(K=1e6, Ms=0.0)
    Traceback (most recent call last):
    ...
    ValueError: Ms must be > 0 A/m, got 0.0.
    """
    if not (np.isfinite(Ms) and Ms > 0):
        raise ValueError(f"Ms must be > 0 A/m, got {Ms}.")
    if not np.isfinite(K):
        raise ValueError(f"K must be finite, got {K}.")
    return 2 * K / (MU0 * Ms) - Ms


def solve_si(
    m0,
    t,
    *,
    H_K,
    H=(0.0, 0.0, 0.0),
    H_DL=0.0,
    H_FL=0.0,
    H_SH=0.0,
    gamma0=GAMMA0,
    current=None,
    field=None,
    t_eval=None,
    **kwargs,
):
    r"""SI entry point of :func:`solve`: fields in A/m, times in seconds.

    Converts with :class:`ReducedUnits` (:math:`h = H/H_K`,
    :math:`\tau = \gamma_0 H_K t`), calls :func:`solve` and converts the output
    times back to seconds. Table pulses and callables are given in seconds.
    Other keyword arguments (``alpha``, ``delta_alpha``, ``beta``, ``n``, ``j``,
    tolerances, ``threads``, ...) are passed on unchanged.

    Parameters
    ----------
    m0 : array_like, shape (..., 3)
        Initial magnetisation.
    t : float
        Final time in s.
    H_K : float
        Uniaxial anisotropy field in A/m (e.g. from :func:`thin_film_hk_eff`).
    H : array_like, shape (..., 3)
        Applied field in A/m.
    H_DL, H_FL, H_SH : array_like
        Torque amplitudes in A/m (ARCHITECTURE conventions).
    gamma0 : float
        :math:`\gamma_0` in m/(A s).

    Returns
    -------
    MacrospinResult
        With ``t`` and ``t_final`` in seconds.

    Examples
    --------
    >>> import numpy as np
    >>> from ubermag_dirac import macrospin as ms
    >>> r = ms.solve_si([0.6, 0.0, 0.8], 5e-9, H_K=1e5, alpha=0.1)
    >>> np.round(r.m, 6) + 0.0
    array([0., 0., 1.])
    >>> ms.solve_si([0.0, 0.0, 1.0], 1e-9, H_K=0.0)
    Traceback (most recent call last):
    ...
    ValueError: H_K must be > 0 A/m, got 0.0.
    """
    u = ReducedUnits(H_K=H_K, gamma0=gamma0)
    scale = 1.0 / u.time_unit
    cur = None if current is None else as_pulse(current, "current").scaled(scale)
    fld = None if field is None else as_pulse(field, "field").scaled(scale)
    if "t0" in kwargs:
        kwargs["t0"] = u.time(kwargs["t0"])
    res = solve(
        m0,
        u.time(t),
        h=u.field(np.asarray(H, dtype=float)),
        h_k=1.0,
        h_dl=u.field(np.asarray(H_DL, dtype=float)),
        h_fl=u.field(np.asarray(H_FL, dtype=float)),
        h_sh=u.field(np.asarray(H_SH, dtype=float)),
        current=cur,
        field=fld,
        t_eval=None if t_eval is None else u.time(np.asarray(t_eval, dtype=float)),
        **kwargs,
    )
    res.t = u.time_si(res.t)
    res.t_final = u.time_si(res.t_final)
    return res
