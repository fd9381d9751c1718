r"""Thermal switching probabilities of a macrospin (Monte Carlo, >= 10^4 trials).

Model (reduced units of :mod:`ubermag_dirac.macrospin.solver`: fields in units of
the anisotropy field :math:`H_K`, time in :math:`1/(\gamma_0H_K)`; easy axis and
surface normal :math:`\mathbf n = \hat z`, current :math:`\mathbf j = \hat x`,
in-plane field :math:`h_x\hat x`): the stochastic LLG in Gilbert form,
Stratonovich,

.. math::

    \dot{\mathbf m} = -\mathbf m\times(\mathbf h_\mathrm{eff} + a(t)\mathbf h_T
        + \mathbf h_\mathrm{th}) + \mathbf m\times(\hat\alpha\dot{\mathbf m})
        + \mathbf v_\mathrm{drift},\qquad
    \langle h_{\mathrm{th},i}(\tau)h_{\mathrm{th},j}(\tau')\rangle =
        \frac{\alpha_{ij}}{\Delta}\,\delta(\tau - \tau'),

with :math:`\hat\alpha = \alpha I + \delta\alpha(I - \mathbf n\mathbf n)`, the
torque fields :math:`\mathbf h_T` of the registered torques
(:mod:`ubermag_dirac.torques`: ``"dirac"``, ``"she"``, ...) switched by the pulse
:math:`a(t)` (current-driven terms carry no noise), and the thermal stability
factor

.. math:: \Delta = \frac{\mu_0M_sVH_K}{2k_BT} = \frac{K V}{k_BT}
    \quad (H_K = 2K/(\mu_0M_s)).

This is Brown's field of :mod:`ubermag_dirac.theory.thermal` in reduced units:
:math:`2k_BT/(\gamma_0\mu_0M_sV)` (A/m)^2 s divided by :math:`H_K^2/(\gamma_0H_K)`
is :math:`2k_BT/(\mu_0M_sVH_K) = 1/\Delta`. Over a step :math:`\Delta\tau` the
field is :math:`\Delta^{-1/2}\Delta\tau^{-1/2}L\boldsymbol\xi` with
:math:`LL^T = \hat\alpha` (:func:`ubermag_dirac.kernels.thermal_field`), and a
damping tensor (:math:`\delta\alpha > 0`) adds the noise-induced drift
:math:`\mathbf v_\mathrm{drift}` of :func:`ubermag_dirac.kernels.thermal_drift`
with :math:`q = \gamma_0k_BT/(\mu_0M_sV)` reduced to :math:`1/(2\Delta)`, without
which the equilibrium is not Boltzmann's (``docs/THERMAL.md``). Both are the
shared compiled kernels, called from the compiled trial loop.

Protocol of one trial
---------------------
1. Start in the well of ``start`` (``"down"``: :math:`m_z < 0`, default;
   ``"up"``), at its minimum :math:`(h_x, 0, \pm\sqrt{1 - h_x^2})`, and, with
   ``thermalise=True`` (default), draw the start from the Boltzmann distribution
   :math:`e^{-E/k_BT}`, :math:`E/k_BT = -\Delta(m_z^2 + 2h_xm_x)`, restricted to
   that well (``n_mc`` Metropolis steps from the minimum; moves into the other
   hemisphere are rejected): the state of a bit that has sat at temperature T.
2. Current pulse :math:`a(t)` from :math:`t = 0`: rectangular of width
   ``pulse_width`` (default), or a ``ud.Pulse`` trapezoid whose plateau
   (``duration``) is set to each width; then ``t_relax`` without current.
3. Switched if the final :math:`m_z` has the sign opposite to the start. A trial
   that relaxes without current ends early once its energy is ``settle``
   (20) :math:`k_BT` below the lowest point of the equator (the saddle,
   :math:`E/k_BT = -2\Delta|h_x|`): every path to the other well crosses the
   equator, so its sign is then settled up to a recrossing probability of order
   :math:`(t_\mathrm{relax}/\tau_0)e^{-20}` (about 3e-8 for :math:`\alpha` = 0.1,
   :math:`\Delta` = 40; at T = 0 as soon as it is below the saddle, exactly,
   since the energy then only decreases). Measured: the same counts with and
   without it (10^4 trials at four currents, same seed).

Integrator: stochastic Heun (the scheme of :mod:`ubermag_dirac.engine.stochastic`:
one field sample per step used by predictor and corrector, predictor not
normalised, result normalised; Stratonovich, weak order 1), fixed step
:math:`\Delta\tau = c/\max(\rho, 4D_m)`, ``c = step_fraction`` (0.1), with
:math:`\rho` the largest norm of the Jacobian of the deterministic
:math:`\dot{\mathbf m}` over the sphere with the current on and off (the
fastest precession/relaxation rate: :math:`\Delta\tau` is
:math:`c/2\pi` of the shortest precession period, about 1/60) and
:math:`4D_m = 2(\alpha + \delta\alpha)/((1 + \alpha^2)\Delta)` the thermal
diffusion rate. An adaptive error-controlled step is not a valid SDE scheme
without Brownian-bridge machinery, hence a fixed step (``docs/THERMAL.md``);
every pulse breakpoint is hit exactly. Convergence in the step
(``tests/macrospin/test_thermal.py``): without noise the trajectory converges at
order 2; with noise, at :math:`\Delta` = 40 near :math:`P_\mathrm{sw}` = 1/2,
``c`` = 0.4, 0.2, 0.1, 0.05, 0.025 give 0.536, 0.536, 0.531, 0.535, 0.537
(2 x 10^4 trials each, standard error 0.0035): no step bias is visible at the
default, nor at four times the default.

Random numbers and reproducibility: every trial has its own counter-based stream
(SplitMix64 of a 64-bit key; normals by Marsaglia's polar method), the key
derived from
``numpy.random.SeedSequence(seed, spawn_key=(point key,))``, the point key from
the bits of :math:`(h_x, s, \tau)` and the trial index. A trial therefore does
not depend on the other points of the grid, on the number of trials, on the
threads or on the order of computation: the same seed gives bit-identical
results for a point alone and inside any grid. Trials with the same seed and
point draw the same random numbers for other torques and temperatures (common
random numbers, which makes differences between those curves less noisy).
"""

from __future__ import annotations

import math
import numbers

import numba
import numpy as np
import xarray as xr

from .. import _numbers, torques
from .._compile import announce
from ..constants import GAMMA0, KB, MU0
from ..pulses import Pulse, Trapezoid
from ..statistics import wilson_interval
from .phase import _grid
from .solver import _compiled, _setup

__all__ = ["switching_probability"]

#: default fraction c of dt = c / rho
STEP_FRACTION = 0.1
#: default Metropolis steps of the thermalised start
N_MC = 200
#: default depth (k_B T) below the saddle at which a relaxing trial is settled
SETTLE = 20.0


def _positive(name, value, unit):
    v = _numbers.real(name, value)
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a finite number > 0 {unit}, got {v!r}.")
    return float(v)


def _thermal_units(delta, T, Ms, V, K, H_K, gamma0):
    """``(delta, H_K or None, time unit in s or None, si)``: the two ways to give
    the temperature (module docstring)."""
    si = [x is not None for x in (T, Ms, V, K)]
    if delta is not None:
        if any(si):
            raise ValueError(
                "Give either delta (the thermal stability factor K V/(k_B T)) or "
                "T, Ms, V, K (SI), not both."
            )
        d = _numbers.real("delta", delta)
        if not d > 0:
            raise ValueError(f"delta must be > 0 (np.inf: T = 0), got {d!r}.")
        if H_K is None:
            return float(d), None, None, False
        H_K = _positive("H_K", H_K, "A/m")
        gamma0 = _positive("gamma0", gamma0, "m/(A s)")
        return float(d), H_K, 1.0 / (gamma0 * H_K), False
    if not all(si):
        missing = [n for n, g in zip(("T", "Ms", "V", "K"), si, strict=True) if not g]
        raise ValueError(
            "Give the thermal stability factor delta, or all of T (K), Ms (A/m), "
            f"V (m^3), K (J/m^3); missing {missing}."
        )
    if H_K is not None:
        raise ValueError(
            "With T, Ms, V, K the anisotropy field is 2K/(mu0 Ms): do not give H_K."
        )
    T = _numbers.real("T", T)
    if not (math.isfinite(T) and T >= 0):
        raise ValueError(f"T must be a finite temperature >= 0 K, got {T!r}.")
    Ms = _positive("Ms", Ms, "A/m")
    V = _positive("V", V, "m^3")
    K = _positive("K", K, "J/m^3 (effective uniaxial anisotropy, demag included)")
    gamma0 = _positive("gamma0", gamma0, "m/(A s)")
    H_K = 2.0 * K / (MU0 * Ms)
    delta = math.inf if T == 0 else K * V / (KB * T)
    return delta, H_K, 1.0 / (gamma0 * H_K), True


def _pulse_tables(widths, pulse, t_relax):
    """Per width: the current table (tk, vk), stage end times and their count
    (padded: times +inf, values the last value)."""
    tables = []
    for w in widths:
        if pulse is None:
            p = Pulse([0.0, 0.0, w, w], [0.0, 1.0, 1.0, 0.0])
        else:
            p = pulse.replace(duration=float(w))
        t_end = p.constant_after + t_relax
        inner = np.unique(p.times[(p.times > 0) & (p.times < t_end)])
        stages = np.concatenate([inner, [t_end]])
        tables.append((p.times, p.values, stages))
    K = max(len(t[0]) for t in tables)
    S = max(len(t[2]) for t in tables)
    tk = np.full((len(widths), K), np.inf)
    vk = np.empty((len(widths), K))
    st = np.zeros((len(widths), S))
    ns = np.zeros(len(widths), dtype=np.int64)
    for w, (a, b, c) in enumerate(tables):
        tk[w, : len(a)] = a
        vk[w, : len(b)] = b
        vk[w, len(b) :] = b[-1]
        st[w, : len(c)] = c
        ns[w] = len(c)
    return tk, vk, st, ns


def _check_pulse(pulse):
    if pulse is None:
        return None
    if not (isinstance(pulse, Trapezoid) and "duration" in pulse.params()):
        raise TypeError(
            "pulse must be a ud.Pulse.trapezoid / ubermag_dirac.pulses.Trapezoid "
            "(its duration is set to each pulse_width), got "
            f"{type(pulse).__name__}."
        )
    if pulse.t_on != 0.0:
        raise ValueError(
            f"pulse.t_on must be 0 (the pulse starts the trial), got {pulse.t_on!r}."
        )
    return pulse


def fastest_rate(kernels, P, g, currents, n_dirs=48):
    r"""Per point: the largest Jacobian norm of the deterministic reduced
    :math:`\dot{\mathbf m}` over ``n_dirs`` directions (a Fibonacci sphere plus
    the poles) at the current amplitudes ``currents`` (reduced rate)."""
    k = np.arange(n_dirs) + 0.5
    z = 1.0 - 2.0 * k / n_dirs
    phi = np.pi * (1.0 + 5**0.5) * k
    r = np.sqrt(1.0 - z * z)
    dirs = np.concatenate(
        [np.stack([r * np.cos(phi), r * np.sin(phi), z], -1), [[0, 0, 1], [0, 0, -1]]]
    )
    N, D = P.shape[0], dirs.shape[0]
    PP = np.repeat(P, D, axis=0)
    m = np.tile(dirs, (N, 1))
    a = np.where(np.abs(m[:, 0:1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    e1 = a - np.sum(a * m, axis=1, keepdims=True) * m
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    e2 = np.cross(m, e1)
    eps = 1e-6
    rate = np.zeros(N)
    for cur in currents:
        cols = []
        for e in (e1, e2):
            fp = kernels.rhs_many(m + eps * e, float(cur), 1.0, PP, g)
            fm = kernels.rhs_many(m - eps * e, float(cur), 1.0, PP, g)
            cols.append((fp - fm) / (2 * eps))
        G = np.stack(cols, -1)  # (N D, 3, 2)
        s = np.linalg.svd(G, compute_uv=False)[:, 0]
        rate = np.maximum(rate, s.reshape(N, D).max(axis=1))
    return rate


def _point_keys(entropy, hx, s, w):
    """Base key (uint64) of each point (hx, s, w), shape (N, W); see the module
    docstring."""

    def bits(v):
        return int(np.float64(v).view(np.uint64))

    keys = np.empty((len(hx) * len(s), len(w)), dtype=np.uint64)
    for a, x in enumerate(hx):
        for b, y in enumerate(s):
            for c, t in enumerate(w):
                ss = np.random.SeedSequence(
                    entropy, spawn_key=(bits(x), bits(y), bits(t))
                )
                keys[a * len(s) + b, c] = ss.generate_state(1, np.uint64)[0]
    return keys


def _seed(seed):
    if seed is None:
        # fresh entropy, 31 bits: the attribute then survives any netCDF backend
        # (netCDF3 stores 32-bit integers); a seed only has to be repeatable
        return int(np.random.SeedSequence().entropy % 2**31)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be None or an integer >= 0, got {seed!r}.")
    return int(seed)


def switching_probability(
    hsot=None,
    pulse_width=None,
    hx=0.0,
    *,
    J=None,
    torque="dirac",
    delta=None,
    T=None,
    Ms=None,
    V=None,
    K=None,
    H_K=None,
    gamma0=GAMMA0,
    bilayer=None,
    H_per_J=None,
    alpha=0.1,
    delta_alpha=None,
    beta=None,
    h_fl=None,
    pulse=None,
    t_relax=None,
    settle=SETTLE,
    start="down",
    thermalise=True,
    n_mc=N_MC,
    n_trials=10_000,
    seed=None,
    n_threads=1,
    dt=None,
    step_fraction=STEP_FRACTION,
    confidence=0.95,
    keep_trials=False,
    **torque_params,
):
    r"""Thermal switching probability of a macrospin over (current, pulse width, h_x).

    Monte Carlo of the stochastic LLG (module docstring: model, protocol,
    integrator, random streams) with ``n_trials`` independent trials per point,
    compiled with numba; the switched fraction with its Wilson confidence
    interval (:func:`ubermag_dirac.statistics.wilson_interval`).

    Parameters
    ----------
    hsot : array_like, optional
        1D torque amplitudes :math:`s = H_\mathrm{DL}/H_K` (Dirac) or
        :math:`H_\mathrm{SH}/H_K` (spin Hall): the first parameter of
        ``torque``, reduced. Give ``hsot`` or ``J``.
    pulse_width : array_like
        1D pulse widths (> 0): in :math:`1/(\gamma_0H_K)` with ``delta``, in
        seconds with ``T, Ms, V, K``.
    hx : array_like
        1D in-plane fields :math:`H_x/H_K`, :math:`|h_x| < 1` (two wells).
    J : array_like, optional
        1D current densities (A/m^2), instead of ``hsot``; needs the field per
        current density (``bilayer`` or ``H_per_J``) and :math:`H_K`
        (``T, Ms, V, K`` or ``H_K``): :math:`s = J\,\partial H/\partial J/H_K`.
    torque : str
        A registered torque (``"dirac"``, ``"she"``, ...).
    delta : float, optional
        Thermal stability factor :math:`\Delta = KV/(k_BT) = \mu_0M_sVH_K/
        (2k_BT)` (dimensionless, > 0; ``numpy.inf``: T = 0, no noise).
    T, Ms, V, K : float, optional
        SI instead of ``delta``: temperature (K, >= 0), saturation
        magnetisation (A/m), volume (m^3) and the effective uniaxial
        anisotropy (J/m^3, shape anisotropy included, e.g. ``K_u -
        mu0 Ms^2/2`` for a thin film); :math:`H_K = 2K/(\mu_0M_s)`,
        :math:`\Delta = KV/(k_BT)`. Times (``pulse_width``, ``t_relax``,
        ``dt``) are then in seconds.
    H_K : float, optional
        With ``delta``: the anisotropy field (A/m) of the reduced units, for the
        physical coordinates (pulse width in s, fields in A/m, ``J``).
    gamma0 : float
        :math:`\gamma_0` (m/(A s)), Ubermag's default.
    bilayer : ubermag_dirac.theory.Bilayer, optional
        Dirac torque of a ferromagnet on a TI surface: ``beta``, the field-like
        amplitude (:math:`H_\mathrm{FL}/H_\mathrm{DL}` of the bilayer times
        ``hsot``), ``delta_alpha`` and the current density come from it
        (:func:`~ubermag_dirac.macrospin.bilayer_arguments`).
    H_per_J : float, optional
        Damping-like field per current density (A/m per A/m^2) for ``J``
        without a bilayer (e.g. spin Hall: :math:`\hbar\theta_\mathrm{SH}/
        (2e\mu_0M_sd)`).
    alpha : float
        Gilbert damping, > 0.
    delta_alpha : float, optional
        In-plane damping enhancement (>= 0, default 0 or the bilayer's).
    beta : float, optional
        Dirac :math:`\Delta/\epsilon_F` (default 0 or the bilayer's).
    h_fl : float or array_like, optional
        Dirac field-like amplitude :math:`H_\mathrm{FL}/H_K`: a number, or an
        array like ``hsot`` (proportional to the current, e.g.
        ``ratio * hsot``); default 0, or the bilayer's ``fl_dl_ratio * hsot``.
    pulse : ubermag_dirac.pulses.Trapezoid, optional
        Pulse shape (``t_on = 0``; rise and fall in the time unit of
        ``pulse_width``); its ``duration`` is set to each ``pulse_width``.
        Default: rectangular.
    t_relax : float, optional
        Time without current after the pulse before the sign of :math:`m_z` is
        read (same unit as ``pulse_width``; default :math:`4/\alpha` reduced,
        enough for a state released near the equator to fall into a well).
    settle : float or None
        Depth below the saddle energy, in :math:`k_BT` (> 0), at which a trial
        relaxing without current is taken as settled and ends early (module
        docstring, step 3); None: always integrate the whole ``t_relax``.
    start : {"down", "up"}
        Well of the start; with :math:`h_x > 0` and :math:`s > 0` the built-in
        torques switch down to up (as :func:`switching_threshold`).
    thermalise : bool
        Draw the start from the Boltzmann distribution of its well (default),
        or start at the minimum.
    n_mc : int
        Metropolis steps of the thermalised start.
    n_trials : int
        Trials per point (>= 1; 10^4 by default).
    seed : int, optional
        Seed (>= 0); None draws a fresh one (31 bits), recorded in
        ``attrs["seed"]``.
    n_threads : int
        Threads (numba); results do not depend on it.
    dt : float, optional
        Fixed step (unit of ``pulse_width``) instead of the default rule.
    step_fraction : float
        ``c`` of :math:`\Delta\tau = c/\max(\rho, 4D_m)`, in (0, 1].
    confidence : float
        Level of the Wilson interval.
    keep_trials : bool
        Also return ``m_z`` of every trial at its end (variable ``mz`` with
        the dimension ``trial``; a trial that settled early ends then).
    **torque_params
        Other parameters of the torque (reduced), e.g. of a torque registered
        outside the package.

    Returns
    -------
    xarray.Dataset
        Dimensions ``hx``, ``hsot``, ``pulse_width``; variables ``P_sw``,
        ``n_switched``, ``n_trials``, ``ci_low``, ``ci_high`` (Wilson,
        ``confidence``), ``dt``
        (hx, hsot; reduced step). Coordinates: ``hsot`` and ``hx`` (reduced),
        ``pulse_width`` (s when :math:`H_K` is known, else reduced; ``tau``
        the reduced width), and with :math:`H_K`: ``H_x`` and the amplitude in
        A/m, ``J`` (A/m^2, along ``hsot``) when a field per current is known.
        ``attrs``: every parameter, ``seed``, ``delta``, ``units``.

    Examples
    --------
    A Dirac macrospin at :math:`\Delta = 40` below and just above its T = 0
    threshold (0.86 at :math:`h_x = 0.2`); 1000 trials per point here, use
    the default 10^4 for curves:

    >>> import ubermag_dirac as ud
    >>> ds = ud.macrospin.switching_probability(
    ...     [0.3, 0.9], pulse_width=[40.0], hx=[0.2], delta=40.0, n_trials=1000, seed=1
    ... )
    >>> ds.P_sw.values.ravel()
    array([0. , 0.5])
    >>> float(ds.ci_high[0, 0, 0]) < 0.004  # Wilson bound of 0 out of 1000
    True
    >>> ud.macrospin.switching_probability(
    ...     [0.1], pulse_width=[10.0], delta=40.0, hx=[1.2]
    ... )
    Traceback (most recent call last):
    ...
    ValueError: hx must satisfy |hx| < 1 (two wells), got max |hx| = 1.2.
    """
    spec = torques.get(torque)
    delta, H_K, t_unit, si = _thermal_units(delta, T, Ms, V, K, H_K, gamma0)
    if start not in ("down", "up"):
        raise ValueError(f"start must be 'down' or 'up', got {start!r}.")
    alpha = _positive("alpha", alpha, "(Gilbert damping)")
    hx = _grid("hx", hx)
    if np.any(np.abs(hx) >= 1):
        raise ValueError(
            "hx must satisfy |hx| < 1 (two wells), got max "
            f"|hx| = {np.abs(hx).max():g}."
        )
    if pulse_width is None:
        raise TypeError("pulse_width is required.")
    widths = np.atleast_1d(_numbers.reals("pulse_width", pulse_width)).astype(float)
    if (
        widths.ndim != 1
        or widths.size == 0
        or not np.all(np.isfinite(widths) & (widths > 0))
    ):
        raise ValueError("pulse_width must be a non-empty 1D array of numbers > 0.")
    if not (isinstance(n_trials, numbers.Integral) and n_trials >= 1):
        raise ValueError(f"n_trials must be an integer >= 1, got {n_trials!r}.")
    if not (isinstance(n_mc, numbers.Integral) and n_mc >= 0):
        raise ValueError(f"n_mc must be an integer >= 0, got {n_mc!r}.")
    if not (isinstance(n_threads, numbers.Integral) and n_threads >= 1):
        raise ValueError(f"n_threads must be an integer >= 1, got {n_threads!r}.")
    if not 0 < step_fraction <= 1:
        raise ValueError(f"step_fraction must be in (0, 1], got {step_fraction!r}.")
    pulse = _check_pulse(pulse)
    pulse_given = pulse  # recorded as given (time unit of pulse_width)
    time_scale = 1.0 / t_unit if si else 1.0  # input time unit -> reduced
    tau = widths * time_scale
    if pulse is not None and si:
        pulse = pulse.replace(
            rise=pulse.rise * time_scale, fall=pulse.fall * time_scale
        )
    if settle is not None:
        settle = _positive("settle", settle, "(k_B T)")
    if t_relax is None:
        t_relax_red = 4.0 / alpha
    else:
        t_relax_red = _numbers.real("t_relax", t_relax) * time_scale
        if not (math.isfinite(t_relax_red) and t_relax_red >= 0):
            raise ValueError(f"t_relax must be finite and >= 0, got {t_relax!r}.")

    # amplitude axis: hsot or J
    per_J = None
    extra = {}
    if bilayer is not None:
        from .current import bilayer_arguments

        if spec.name != "dirac":
            raise ValueError("bilayer belongs to the Dirac torque (torque='dirac').")
        if H_per_J is not None:
            raise ValueError("Give bilayer or H_per_J, not both.")
        per_J = float(bilayer.H_DL_per_J)
        for name, v in (("beta", beta), ("h_fl", h_fl), ("delta_alpha", delta_alpha)):
            if v is not None:
                raise ValueError(f"{name} comes from the bilayer; do not give it.")
    elif H_per_J is not None:
        per_J = _numbers.real("H_per_J", H_per_J)
        if not (math.isfinite(per_J) and per_J != 0):
            raise ValueError(f"H_per_J must be finite and non-zero, got {per_J!r}.")
    if (hsot is None) == (J is None):
        raise TypeError("Give exactly one of hsot (reduced) or J (A/m^2).")
    if J is not None:
        J = np.atleast_1d(_numbers.reals("J", J)).astype(float)
        if J.ndim != 1 or J.size == 0 or not np.all(np.isfinite(J)):
            raise ValueError(
                "J must be a non-empty 1D array of finite numbers (A/m^2)."
            )
        if per_J is None or H_K is None:
            raise ValueError(
                "J needs the field per current density (bilayer= or H_per_J=) and "
                "H_K (T, Ms, V, K or H_K=)."
            )
        s = J * per_J / H_K
    else:
        s = _grid("hsot", hsot)
    if bilayer is not None:
        extra = bilayer_arguments(bilayer, H_K if H_K else 1.0, s)
    else:
        if beta is not None:
            extra["beta"] = beta
        if h_fl is not None:
            extra["h_fl"] = h_fl
        extra["delta_alpha"] = 0.0 if delta_alpha is None else delta_alpha
    delta_alpha_v = extra.pop("delta_alpha")

    # per point parameters (hx, s): the kernel table
    HX, S = np.meshgrid(hx, s, indexing="ij")
    sign = -1.0 if start == "down" else 1.0
    m0 = np.stack([HX, 0 * HX, sign * np.sqrt(1.0 - HX**2)], -1)
    h = np.stack([HX, 0 * HX, 0 * HX], -1)
    kw = dict(torque_params)
    for key, v in extra.items():
        v = np.asarray(v, dtype=float)
        kw[key] = np.broadcast_to(v, S.shape) if v.ndim == 1 else v
    kw[spec.amplitude.key] = S
    shape, m, P, g = _setup(
        m0, h, 1.0, alpha, delta_alpha_v, (0.0, 0.0, 1.0), (1.0, 0.0, 0.0), **kw
    )
    kernels = _compiled(kw)
    N = P.shape[0]

    # step: fraction of the fastest rate (module docstring), or given
    amps = [0.0, 1.0] if pulse is None else [0.0, float(pulse.amplitude)]
    rho = fastest_rate(kernels, P, g, amps)
    d_rate = (
        0.0
        if not math.isfinite(delta)
        else 2.0 * (alpha + P[:, 5]) / ((1.0 + alpha**2) * delta)
    )
    if dt is None:
        dtmax = step_fraction / np.maximum(rho, d_rate)
    else:
        dtv = _numbers.real("dt", dt) * time_scale
        if not (math.isfinite(dtv) and dtv > 0):
            raise ValueError(f"dt must be > 0, got {dt!r}.")
        dtmax = np.full(N, dtv)
    mc_step = np.full(N, 0.5)
    if math.isfinite(delta):
        mc_step = np.minimum(
            0.5, 1.0 / np.sqrt(2.0 * delta * (1.0 - np.abs(HX.ravel())))
        )
    tk, vk, st, ns = _pulse_tables(tau, pulse, t_relax_red)
    entropy = _seed(seed)
    keys = _point_keys(entropy, hx, s, tau)
    n_mc_run = int(n_mc) if thermalise else 0
    out = np.empty(N * len(tau) * int(n_trials))
    # early end of the relaxation (module docstring): energy (units mu0 Ms V H_K/2)
    # settle / delta below the lowest point of the equator, -2 |h_perp|
    e_saddle = -2.0 * np.hypot(P[:, 0], P[:, 1])
    if settle is None:
        e_stop = np.full(N, -np.inf)
    else:
        margin = 0.0 if not math.isfinite(delta) else float(settle) / delta
        e_stop = e_saddle - margin
    t_free = np.array([tk[w][np.isfinite(tk[w])].max() for w in range(len(tau))])
    args = (len(tau), keys, m, P, g, tk, vk, st, ns, dtmax, float(delta), n_mc_run,
            mc_step, t_free, e_stop, out)  # fmt: skip
    kernel = kernels.thermal_serial if n_threads == 1 else kernels.thermal_parallel
    announce("macrospin thermal kernels", [kernel], "10-20")
    if n_threads == 1:
        kernels.thermal_serial(int(n_trials), *args)
    else:
        old = numba.get_num_threads()
        numba.set_num_threads(min(int(n_threads), numba.config.NUMBA_NUM_THREADS))
        try:
            kernels.thermal_parallel(int(n_trials), *args)
        finally:
            numba.set_num_threads(old)
    mz = out.reshape(len(hx), len(s), len(tau), int(n_trials))
    if not np.all(np.isfinite(mz)):
        raise FloatingPointError(
            "Some trials gave a non-finite magnetisation (NaN/inf): a parameter is "
            "not finite or the step is too large (give a smaller dt or "
            "step_fraction)."
        )
    k = (mz * sign < 0).sum(axis=-1)
    n = np.full(k.shape, int(n_trials))
    lo, hi = wilson_interval(k, n, confidence)
    ds = _dataset(
        hx, s, widths, tau, k, n, lo, hi, dtmax.reshape(shape),
        spec=spec, H_K=H_K, t_unit=t_unit, si=si, per_J=per_J, attrs={
            "torque": spec.name, "delta": float(delta), "alpha": float(alpha),
            "delta_alpha": float(delta_alpha_v),
            **{k_: (repr(v) if np.ndim(v) else float(v)) for k_, v in extra.items()},
            **{k_: (repr(v) if np.ndim(v) else float(v))
               for k_, v in torque_params.items()},
            "T": T, "Ms": Ms, "V": V, "K": K, "H_K": H_K, "gamma0": float(gamma0),
            "bilayer": repr(bilayer) if bilayer is not None else None,
            "H_per_J": per_J,
            "pulse": repr(pulse_given) if pulse is not None else "rectangular",
            "t_relax": float(t_relax_red), "start": start,
            "settle": "none" if settle is None else float(settle),
            "thermalise": int(bool(thermalise)), "n_mc": int(n_mc),
            "seed": entropy, "step_fraction": float(step_fraction),
            "dt_given": None if dt is None else float(dt),
            "confidence": float(confidence),
            "integrator": "stochastic Heun (Stratonovich), fixed step",
        },
    )  # fmt: skip
    if keep_trials:
        ds["mz"] = (("hx", "hsot", "pulse_width", "trial"), mz,
                    {"long_name": "m_z at the end of each trial"})  # fmt: skip
    return ds


def _dataset(hx, s, widths, tau, k, n, lo, hi, dt, *, spec, H_K, t_unit, si,
             per_J, attrs):  # fmt: skip
    amp = spec.amplitude.attr
    dims = ("hx", "hsot", "pulse_width")
    coords = {
        "hx": ("hx", hx, {"long_name": "H_x / H_K", "units": "H_K"}),
        "hsot": ("hsot", s, {"long_name": f"{amp} / H_K", "units": "H_K"}),
    }
    if H_K is not None:
        width = {"long_name": "pulse width", "units": "s"}
        coords["pulse_width"] = ("pulse_width", tau * t_unit, width)
        coords["H_x"] = ("hx", hx * H_K, {"long_name": "H_x", "units": "A/m"})
        coords[amp] = ("hsot", s * H_K, {"long_name": amp, "units": "A/m"})
        if per_J is not None:
            cd = {"long_name": "current density", "units": "A/m^2"}
            coords["J"] = ("hsot", s * H_K / per_J, cd)
    else:
        reduced = {"long_name": "pulse width", "units": "1/(gamma0 H_K)"}
        coords["pulse_width"] = ("pulse_width", tau, reduced)
    coords["tau"] = (
        "pulse_width",
        tau,
        {"long_name": "pulse width / t_u", "units": "1/(gamma0 H_K)"},
    )
    P = k / n
    attrs = {a: v for a, v in attrs.items() if v is not None}
    attrs["units"] = "fields in H_K, time in 1/(gamma0 H_K) (reduced coordinates)"
    attrs["model"] = (
        "stochastic Gilbert-form LLG, h_eff = m_z z + h_x x, torque inside the "
        "Gilbert form; n = z, j = x; switched = final m_z sign opposite to start"
    )
    return xr.Dataset(
        {
            "P_sw": (dims, P, {"long_name": "switching probability"}),
            "n_switched": (dims, k),
            "n_trials": (dims, n),
            "ci_low": (dims, lo, {"long_name": "Wilson interval, lower"}),
            "ci_high": (dims, hi, {"long_name": "Wilson interval, upper"}),
            "dt": (
                ("hx", "hsot"),
                dt,
                {"long_name": "step", "units": "1/(gamma0 H_K)"},
            ),
        },
        coords=coords,
        attrs=attrs,
    )
