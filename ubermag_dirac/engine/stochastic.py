r"""Stochastic LLG at finite temperature: Brown's thermal field, stochastic Heun.

Equation (Stratonovich; derivation in :mod:`ubermag_dirac.theory.thermal`)

.. math::
    \dot{\mathbf m} = -\gamma_0\,\mathbf m\times(\mathbf H_{eff} + \mathbf H_T
        + \mathbf H_{th}) + \mathbf m\times(\hat\alpha\,\dot{\mathbf m}),\qquad
    \langle H_{th,i}(t)H_{th,j}(t')\rangle = \frac{2k_BT\,\alpha_{ij}}
        {\gamma_0\mu_0M_sV}\,\delta(t - t'),

per cell with its own volume V, :math:`M_s`, :math:`\gamma_0`, damping tensor
:math:`\hat\alpha = \alpha I + \delta\alpha(I - \mathbf n\mathbf n)` and temperature T.
Over a step :math:`\Delta t` the field is constant, :math:`\mathbf H_{th} =
\sigma_0\Delta t^{-1/2}L\boldsymbol\xi` with :math:`\sigma_0 = \sqrt{2k_BT/(\gamma_0
\mu_0M_sV)}` (A s^1/2 / m), :math:`\boldsymbol\xi` standard normal and
:math:`LL^T = \hat\alpha` (:func:`ubermag_dirac.kernels.thermal_field`). Empty
(Ms = 0) and fixed cells get none. Current-driven torques (``ud.DiracSOT``,
``ud.SpinHallSOT``, ``mm.Slonczewski``, ``mm.ZhangLi``) add no noise.

A damping tensor needs one more term: with noise :math:`\propto\hat\alpha` the
Stratonovich equation samples the Boltzmann distribution only for isotropic
damping; for :math:`\delta\alpha > 0` its noise-induced drift differs from the one
detailed balance requires, and the difference is added as a deterministic velocity
(:func:`ubermag_dirac.kernels.thermal_drift`, derived in
:func:`ubermag_dirac.theory.thermal.tensor_damping_drift`). Without it a macrospin
with :math:`\alpha = 0.1`, :math:`\delta\alpha = 1` and a barrier of 3 :math:`k_BT`
is measurably too cold (:math:`\langle|m_z|\rangle` = 0.777 instead of 0.753).

Without a Precession term the engine integrates the pure damping equation
:math:`\dot{\mathbf m} = \lambda\,\mathbf H_\perp`, :math:`\lambda = \gamma_0\alpha/(1 +
\alpha^2)`; its fluctuation-dissipation partner is the noise of diffusion constant
:math:`k_BT/(\lambda\mu_0M_sV)`, i.e. the same formula with :math:`\alpha` replaced by
:math:`(1 + \alpha^2)/\alpha`. (OOMMF's thermal evolvers keep :math:`\alpha` there,
which samples a Boltzmann distribution at :math:`T\alpha^2/(1 + \alpha^2)` instead of
T; here the equilibrium is the Boltzmann distribution at T in both cases.)

Integrator (:class:`StochasticHeun`)
    The stochastic Heun scheme with one field sample per step, used in predictor
    and corrector: :math:`\tilde{\mathbf m} = \mathbf m_k + \Delta t\,
    f(\mathbf m_k, t_k)`, :math:`\mathbf m_{k+1} = \mathcal N[\mathbf m_k +
    \tfrac{\Delta t}2(f(\mathbf m_k, t_k) + f(\tilde{\mathbf m}, t_k + \Delta t))]`,
    :math:`\mathcal N` the normalisation to unit length. Because the noise enters
    linearly through the field and is averaged over both ends of the step, the
    scheme converges to the Stratonovich solution (strong order 1/2, weak order 1;
    measured in ``tests/validation/test_thermal_dynamics.py``), and without noise it
    is the second-order Heun method. The predictor is the Heun predictor of the
    equation continued off the sphere (as García-Palacios and Lázaro, Phys. Rev. B
    58, 14937 (1998)): normalising it too is also consistent but was measured to
    have a ~40 times larger weak-error constant (a macrospin of barrier 2 relaxing
    over :math:`\tau_N`: bias of :math:`\langle m_z\rangle` 0.11 vs < 0.003 per
    unit :math:`\gamma_0H_K\Delta t`).
Step size
    Fixed per system: an adaptive step controlled by an error estimate is not a
    valid scheme for SDEs without extra machinery (the noise increments would have
    to be split with Brownian bridges), so the step is chosen once, from the
    fastest rate :math:`\rho` of the deterministic dynamics (precession and
    relaxation about the field and its stiffness: exchange, anisotropy,
    demag, fields and torques included; a bound, :func:`fastest_rate`), and the
    thermal diffusion rate of the hottest, smallest cell, :math:`4D_m` with
    :math:`D_m = 1/(2\tau_N)` the rotational diffusion constant
    (:meth:`ThermalNoise.diffusion_rate`: the mean-square angle per step is then
    at most :math:`2c`). :math:`\Delta t = c/\max(\rho, 4D_m)` with the step
    fraction ``c`` (default 0.1: Heun's phase error per step of the fastest mode
    is then below :math:`(c)^3/6\approx2\times10^{-4}`). Each stage is divided into
    equal steps of at most that length, so stage ends are hit exactly. A
    user-given step overrides the estimate.
Reproducibility
    Each system draws its noise from its own stream,
    ``numpy.random.PCG64(SeedSequence(seed, spawn_key=(key,)))`` with ``key`` a
    hash of the system's name (:func:`stream_seed`): the stream does not depend on
    the system's position in the batch or on the other systems, and every
    computation of a step is per system, so a system gives bit-identical results
    alone and inside any batch. A batch sharing one integer seed therefore needs
    distinct names; per-system seeds can be given instead.
"""

from __future__ import annotations

import hashlib
import numbers
import time
from collections.abc import Sequence

import numba as nb
import numpy as np

from ..constants import KB
from ..kernels import thermal_drift, thermal_field
from .errors import IntegrationError
from .llg import normalise

__all__ = [
    "K_B",
    "StochasticHeun",
    "ThermalNoise",
    "add_thermal_drift",
    "add_thermal_field",
    "fastest_rate",
    "stream_seed",
]

K_B = KB  #: Boltzmann constant (J/K)

#: default step fraction c of dt = c / rho (see the module docstring)
STEP_FRACTION = 0.1

_OPTS = {"cache": True, "nogil": True, "boundscheck": False, "error_model": "numpy"}


@nb.njit(**_OPTS)
def add_thermal_field(xi, sigma, alpha, dalpha, nvec, out):
    r"""Brown's field of every cell into ``out`` (A/m), :func:`~ubermag_dirac.\
    kernels.thermal_field` per cell.

    Parameters
    ----------
    xi : numpy.ndarray
        ``(B, 3, N)`` standard normal numbers.
    sigma : numpy.ndarray
        ``(B, N)`` :math:`\sqrt{2k_BT/(\gamma_0\mu_0M_sV\Delta t)}` (A/m); 0 where
        there is no noise.
    alpha : numpy.ndarray
        ``(B, N)`` scalar damping of the noise (>= 0).
    dalpha, nvec : numpy.ndarray
        ``(B, N)`` and ``(B, 3, N)``, or zero-size for isotropic damping.
    out : numpy.ndarray
        ``(B, 3, N)`` result (overwritten).
    """
    B = xi.shape[0]
    N = xi.shape[2]
    has_tensor = dalpha.shape[0] > 0
    for b in range(B):
        for i in range(N):
            s = sigma[b, i]
            if s == 0.0:
                out[b, 0, i] = 0.0
                out[b, 1, i] = 0.0
                out[b, 2, i] = 0.0
                continue
            d = 0.0
            nx = 0.0
            ny = 0.0
            nz = 1.0
            if has_tensor:
                d = dalpha[b, i]
                nx = nvec[b, 0, i]
                ny = nvec[b, 1, i]
                nz = nvec[b, 2, i]
            hx, hy, hz = thermal_field(
                xi[b, 0, i], xi[b, 1, i], xi[b, 2, i], s, alpha[b, i], d, nx, ny, nz
            )
            out[b, 0, i] = hx
            out[b, 1, i] = hy
            out[b, 2, i] = hz


@nb.njit(**_OPTS)
def add_thermal_drift(m, q, alpha, dalpha, nvec, out):
    r"""Add the damping tensor's noise-induced drift (1/s) of every cell to ``out``
    (:func:`~ubermag_dirac.kernels.thermal_drift` per cell; ``q`` :math:`=
    \gamma_0k_BT/(\mu_0M_sV)` per cell, ``(B, N)``)."""
    B = m.shape[0]
    N = m.shape[2]
    for b in range(B):
        for i in range(N):
            if q[b, i] == 0.0 or dalpha[b, i] == 0.0:
                continue
            vx, vy, vz = thermal_drift(
                m[b, 0, i],
                m[b, 1, i],
                m[b, 2, i],
                q[b, i],
                alpha[b, i],
                dalpha[b, i],
                nvec[b, 0, i],
                nvec[b, 1, i],
                nvec[b, 2, i],
            )
            out[b, 0, i] += vx
            out[b, 1, i] += vy
            out[b, 2, i] += vz


def stream_seed(seed, name: str) -> np.random.SeedSequence:
    """The noise stream of the system named ``name`` under the integer ``seed``.

    ``SeedSequence(seed, spawn_key=(k,))`` with ``k`` the first 8 bytes of the
    SHA-256 of the name: independent of the batch, stable across processes.

    Examples
    --------
    >>> from ubermag_dirac.engine.stochastic import stream_seed
    >>> a, b = stream_seed(1, "trial-0"), stream_seed(1, "trial-1")
    >>> a.generate_state(1)[0] == stream_seed(1, "trial-0").generate_state(1)[0]
    np.True_
    >>> bool(a.generate_state(1)[0] != b.generate_state(1)[0])
    True
    """
    key = int.from_bytes(hashlib.sha256(str(name).encode()).digest()[:8], "little")
    return np.random.SeedSequence(seed, spawn_key=(key,))


def _seed_sequences(seed, names):
    """``(entropy, [SeedSequence per system])``; entropy None for per-system seeds."""
    B = len(names)
    if seed is None or isinstance(seed, numbers.Integral):
        if isinstance(seed, bool):
            raise TypeError(f"seed: expected an integer, got {seed!r}.")
        if seed is not None and seed < 0:
            raise ValueError(f"seed: expected an integer >= 0, got {seed!r}.")
        if len(set(names)) != B:
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(
                f"seed: systems {dup} share a name; with one seed for the batch the "
                "noise stream of a system is keyed by its name, so the names must "
                "differ (or give one seed per system)."
            )
        entropy = np.random.SeedSequence(seed).entropy
        return entropy, [stream_seed(entropy, name) for name in names]
    if isinstance(seed, Sequence) and not isinstance(seed, str) and len(seed) == B:
        out = []
        for s in seed:
            if isinstance(s, np.random.SeedSequence):
                out.append(s)
            elif isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 0:
                out.append(np.random.SeedSequence(int(s)))
            else:
                raise ValueError(
                    f"seed: per-system seeds must be integers >= 0, got {s!r}."
                )
        return None, out
    raise ValueError(
        f"seed: expected None, an integer >= 0 or a sequence of {B} per-system "
        f"seeds, got {seed!r}."
    )


class ThermalNoise:
    r"""Thermal-field amplitudes and the random streams of a batch.

    Parameters
    ----------
    T : numpy.ndarray
        ``(B, N)`` temperature (K), >= 0.
    Ms : numpy.ndarray
        ``(B, N)`` saturation magnetisation (A/m).
    volume : float
        Cell volume (m³).
    llg : ubermag_dirac.engine.dynamics.LLGParameters
        :math:`\gamma_0`, :math:`\alpha`, :math:`\delta\alpha`, ``n``, precession.
    active : numpy.ndarray
        ``(B, N)`` bool, cells that move (magnetic and not fixed).
    seed : None, int or sequence
        See :func:`stream_seed`; ``None`` draws fresh entropy (recorded in
        :attr:`entropy`).
    names : list of str
        System names (stream keys).
    mu0 : float
        Vacuum permeability (T m/A) of the engine.

    Attributes
    ----------
    sigma0 : numpy.ndarray
        ``(B, N)`` :math:`\sqrt{2k_BT/(\gamma_0\mu_0M_sV)}` (A s^1/2/m), 0 where no
        noise.
    alpha, dalpha, nvec : numpy.ndarray
        Damping tensor of the noise (``alpha`` is :math:`(1 + \alpha^2)/\alpha`
        without precession, see the module docstring).
    entropy : int or None
        The batch seed actually used (fresh when ``seed`` was None): passing it as
        ``seed`` reproduces the run. None for per-system seeds.
    seeds : list of numpy.random.SeedSequence
        The stream of each system.
    """

    def __init__(self, T, Ms, volume, llg, active, seed, names, mu0):
        T = np.ascontiguousarray(T, dtype=np.float64)
        if not np.all(np.isfinite(T)) or np.any(T < 0):
            raise ValueError("T: expected finite temperatures >= 0 K.")
        alpha = np.asarray(llg.alpha, dtype=np.float64)
        if llg.do_precess:
            a_noise = alpha.copy()
        else:
            a_noise = np.divide(
                1.0 + alpha * alpha,
                alpha,
                out=np.zeros_like(alpha),
                where=alpha > 0,
            )
        dalpha, nvec = llg.tensor_arrays()
        Ms = np.asarray(Ms, dtype=np.float64)
        denom = llg.gamma * mu0 * np.where(Ms > 0, Ms, 1.0) * volume
        sigma0 = np.sqrt(2.0 * K_B * T / denom)
        noisy = active & (T > 0) & (a_noise + (dalpha if dalpha.size else 0.0) > 0)
        self.T = T
        self.sigma0 = np.ascontiguousarray(np.where(noisy, sigma0, 0.0))
        #: gamma0 kT/(mu0 Ms V) (1/s), the scale of the tensor's noise-induced drift
        self.q = np.ascontiguousarray(llg.gamma**2 * self.sigma0**2 / 2.0)
        self.alpha = np.ascontiguousarray(a_noise)
        self.dalpha = dalpha
        self.nvec = nvec
        self.names = list(names)
        self.entropy, self.seeds = _seed_sequences(seed, self.names)
        self.generators = [np.random.Generator(np.random.PCG64(s)) for s in self.seeds]
        self.batch, self.ncells = self.sigma0.shape
        self._xi = np.empty((self.batch, 3, self.ncells))

    def diffusion_rate(self, llg) -> np.ndarray:
        r"""``(B,)`` largest :math:`4D_m = 2/\tau_N` (1/s) over the noisy cells.

        :math:`D_m = \gamma_0^2\alpha\sigma_0^2/(2(1 + \alpha^2))` is the rotational
        diffusion constant of m (with and without precession; :math:`\alpha +
        \delta\alpha` for a damping tensor, an upper bound).
        """
        a = np.asarray(llg.alpha, dtype=np.float64)
        a_max = a + (self.dalpha if self.dalpha.size else 0.0)
        Dm = llg.gamma**2 * a_max * self.sigma0**2 / (2.0 * (1.0 + a * a))
        return 4.0 * Dm.max(axis=1)

    def subset(self, idx):
        """The noise of the systems ``idx`` only (a compact view: the same streams,
        amplitudes and damping tensors, in the order of ``idx``)."""
        sub = ThermalNoise.__new__(ThermalNoise)
        idx = np.asarray(idx, dtype=np.int64)
        sub.T = self.T[idx]
        sub.sigma0 = np.ascontiguousarray(self.sigma0[idx])
        sub.q = np.ascontiguousarray(self.q[idx])
        sub.alpha = np.ascontiguousarray(self.alpha[idx])
        sub.dalpha = (
            np.ascontiguousarray(self.dalpha[idx])
            if self.dalpha.size
            else (self.dalpha)
        )
        sub.nvec = (
            np.ascontiguousarray(self.nvec[idx]) if self.dalpha.size else (self.nvec)
        )
        sub.names = [self.names[i] for i in idx]
        sub.entropy = self.entropy
        sub.seeds = [self.seeds[i] for i in idx]
        sub.generators = [self.generators[i] for i in idx]  # shared: same streams
        sub.batch, sub.ncells = sub.sigma0.shape
        sub._xi = np.empty((sub.batch, 3, sub.ncells))
        return sub

    def add_drift(self, m, out):
        """Add the noise-induced drift of the damping tensor (if any) to ``out``."""
        if self.dalpha.size:
            B = m.shape[0]
            add_thermal_drift(
                m.reshape(B, 3, -1),
                self.q,
                self.alpha,
                self.dalpha,
                self.nvec,
                out.reshape(B, 3, -1),
            )

    @property
    def any(self) -> bool:
        """Whether any cell of the batch has noise."""
        return bool(np.any(self.sigma0 > 0))

    def sample(self, dt, systems, out):
        """Draw one thermal field for the step ``dt`` ``(B,)`` s into ``out``.

        Only the systems with ``systems[b]`` True draw from their stream (the
        others get 0), so a stream advances exactly once per step of its system.
        """
        xi = self._xi
        for b in np.flatnonzero(systems):
            self.generators[b].standard_normal(out=xi[b])
        inv = np.divide(1.0, np.sqrt(dt), out=np.zeros_like(dt), where=systems)
        sigma = np.ascontiguousarray(self.sigma0 * inv[:, None])
        add_thermal_field(xi, sigma, self.alpha, self.dalpha, self.nvec, out)
        return out


def fastest_rate(
    field, m, t, active, gamma, alpha, iterations: int = 40, start: str = "random"
):
    r"""Bound (1/s) on the fastest rate of the deterministic LLG dynamics, per system.

    The linearised LLG about any state near ``m`` has the rates
    :math:`|\lambda|\le\gamma_0(|\mathbf H| + \|\partial\mathbf H/\partial
    \mathbf m\|)/\sqrt{1 + \alpha^2}`: precession and damping (orthogonal, ratio
    :math:`\alpha`) about the field, plus the response of the field to a
    deviation. :math:`\|\partial\mathbf H/\partial\mathbf m\|` (exchange, demag,
    anisotropy, DMI, torque fields: the stiffness of the energy) is found by power
    iteration with central differences
    :math:`[\mathbf H(\mathbf m + \epsilon\mathbf v) - \mathbf H(\mathbf m -
    \epsilon\mathbf v)]/(2\epsilon)` from a fixed pseudo-random start that is the
    same for every system (the estimate of a system does not depend on the batch);
    for the fields that are linear in m it is state independent, so the bound holds
    wherever the thermal motion takes the magnetisation (the power iteration
    approaches the norm from below: a few per cent low for dense spectra, which is
    immaterial for a step fraction). It is conservative by at
    most about 2 (a macrospin in its anisotropy well: bound
    :math:`2\gamma_0H_K/\sqrt{1+\alpha^2}`, rate :math:`\gamma_0H_K/\sqrt{1+
    \alpha^2}`; exchange-dominated films: tight).

    Parameters
    ----------
    field : callable
        ``field(m, t) -> H`` total field (A/m) including torque fields.
    m : numpy.ndarray
        ``(B, 3, ...)`` unit magnetisation.
    t : numpy.ndarray
        ``(B,)`` times (s).
    active : numpy.ndarray
        ``(B, N)`` bool, cells that move.
    gamma, alpha : numpy.ndarray
        ``(B, N)`` :math:`\gamma_0` (m/(A s)) and scalar damping.
    iterations : int
        Power iterations (two field evaluations each, plus one).
    start : {"random", "checkerboard"}
        Start vector: pseudo-random, or its magnitude with the sign alternating
        from cell to cell (``(-1)^(i+j+k)``), close to the fastest exchange mode
        of a grid: after 10 iterations it is within 0.3-1 % of the 60-iteration
        value for standard problem 4 and 32 x 32 and 32 x 8 films, where the
        random start is 4-5 % low.
    """
    B = m.shape[0]
    shape = m.shape
    act = active[:, None, :]
    H0 = field(m, t).reshape(B, 3, -1)
    H_max = np.sqrt(np.max(np.where(act, H0 * H0, 0.0).sum(axis=1), axis=1))
    rng = np.random.default_rng(20240613)
    v0 = rng.standard_normal(shape[1:])
    if start == "checkerboard":
        idx = np.indices(shape[2:]).sum(axis=0)
        v0 = np.abs(v0) * np.where(idx % 2 == 0, 1.0, -1.0)
    elif start != "random":
        raise ValueError(f"start: expected 'random' or 'checkerboard', got {start!r}.")
    v = np.broadcast_to(v0, shape).reshape(B, 3, -1).copy()
    eps = 1e-4
    norm_G = np.zeros(B)
    for _ in range(iterations):
        v = np.where(act, v, 0.0)
        norm = np.sqrt(np.sum(v * v, axis=(1, 2)))
        v /= np.where(norm > 0, norm, 1.0)[:, None, None]
        mf = m.reshape(B, 3, -1)
        Hp = field((mf + eps * v).reshape(shape), t).reshape(B, 3, -1).copy()
        Hm = field((mf - eps * v).reshape(shape), t).reshape(B, 3, -1)
        v = np.where(act, (Hp - Hm) / (2.0 * eps), 0.0)
        norm_G = np.sqrt(np.sum(v * v, axis=(1, 2)))
    g = np.where(active, gamma, 0.0).max(axis=1)
    a = np.where(active, alpha, np.inf).min(axis=1)
    a = np.where(np.isfinite(a), a, 0.0)
    return g * (H_max + norm_G) / np.sqrt(1.0 + a * a)


class StochasticHeun:
    """Fixed-step stochastic Heun integrator of a batch (see the module docstring).

    Parameters
    ----------
    rhs : callable
        ``rhs(t, m, out, extra) -> max_dmdt`` with the additional field ``extra``
        (A/m, ``(B, 3, ...)``) added to the effective field before the Gilbert
        solve.
    mask : numpy.ndarray
        ``(B, N)`` magnetic cells (normalised after each step).
    noise : ThermalNoise
    dt : numpy.ndarray
        ``(B,)`` largest step (s) per system.
    names : list of str
    rhs_subset : callable, optional
        ``rhs_subset(idx, t, m, out, extra) -> max_dmdt``: the right-hand side of
        the systems ``idx`` only (compact ``(k, 3, ...)`` arrays), with the same
        per-system result as ``rhs`` (the engine's sub-batch evaluator). With
        it, systems that are frozen or have finished their steps are not
        evaluated (see :meth:`advance`).

    Notes
    -----
    Sub-batches. A system that sits out (frozen, or done with its steps of the
    stage) is left out of the evaluations once at least an eighth of the
    evaluated group is idle (:data:`~ubermag_dirac.engine.integrators.\
REGROUP_FRACTION`, as the Dormand-Prince integrators), and the running systems
    still need :data:`~ubermag_dirac.engine.integrators.REGROUP_MIN_ATTEMPTS`
    steps or more: the group is gathered into compact arrays and evaluated by
    ``rhs_subset``. Every operation of a step is per system (field, thermal
    field from the system's own stream, Heun update, normalisation), so a
    system's result does not depend on the group it is evaluated in.
    """

    def __init__(self, rhs, mask, noise, dt, names, rhs_subset=None):
        self.rhs = rhs
        self.rhs_subset = rhs_subset
        self.mask = mask
        self.noise = noise
        dt = np.asarray(dt, dtype=np.float64)
        if dt.shape != (noise.batch,) or not np.all(np.isfinite(dt) & (dt > 0)):
            raise ValueError(f"dt: expected {noise.batch} positive step sizes (s).")
        self.dt = dt
        self.names = list(names)
        self.evaluations = 0
        #: evaluations counted per system (a sub-batch of k systems counts k)
        self.system_evaluations = 0
        self.steps = np.zeros(noise.batch, dtype=np.int64)
        self.wall_time = 0.0
        self._groups = {}  # group (tuple) -> (noise, mask) of that sub-batch

    def advance(self, y, t, t_end, frozen=None):
        """Integrate ``y`` ``(B, 3, ...)`` in place from times ``t`` to ``t_end``.

        Each system takes ``ceil((t_end - t_b) / dt_b)`` equal steps; systems that
        are done sit out (their state is not touched). Systems with
        ``frozen[b]`` True take no step and draw no noise (their stream waits):
        their state stays, their time moves to ``t_end`` (as
        :attr:`ubermag_dirac.engine.Engine.frozen` in the deterministic
        integrators). Returns the new ``(B,)`` times (``t_end`` exactly).
        """
        start = time.perf_counter()
        try:
            return self._advance(y, t, t_end, frozen)
        finally:
            self.wall_time += time.perf_counter() - start

    def _group(self, on, group, left):
        """Systems to evaluate: None (all) or the indices of a sub-batch."""
        from .integrators import REGROUP_FRACTION, REGROUP_MIN_ATTEMPTS

        if self.rhs_subset is None:
            return None
        B = on.size
        n_on = int(on.sum())
        size = B if group is None else group.size
        if size - n_on < max(1, size // REGROUP_FRACTION):
            return group
        if left < REGROUP_MIN_ATTEMPTS and group is not None:
            return group
        if n_on == B:
            return None
        return np.flatnonzero(on)

    def _sub(self, group):
        """(noise, mask) of the sub-batch ``group`` (cached)."""
        key = tuple(group.tolist())
        found = self._groups.get(key)
        if found is None:
            found = (self.noise.subset(group), np.ascontiguousarray(self.mask[group]))
            self._groups = {key: found}  # keep the latest only
        return found

    def _advance(self, y, t, t_end, frozen):
        B = y.shape[0]
        t = np.asarray(t, dtype=np.float64).copy()
        T_end = np.broadcast_to(np.asarray(t_end, dtype=np.float64), (B,))
        frozen = np.zeros(B, dtype=bool) if frozen is None else np.asarray(frozen)
        span = T_end - t
        nsteps = np.where(span > 0, np.ceil(span / self.dt * (1 - 1e-12)), 0)
        nsteps = np.where(frozen, 0, nsteps).astype(np.int64)
        h = np.where(nsteps > 0, span / np.maximum(nsteps, 1), 0.0)
        t_start = t.copy()
        group = None
        n_max = int(nsteps.max(initial=0))
        for k in range(n_max):
            on = k < nsteps
            left = int(nsteps[on].max(initial=0)) - k
            if k == 0 or not on.all():
                group = self._group(on, group, left)
            hk = np.where(on, h, 0.0)
            self._step(y, t_start + k * h, hk, on, group)
            self.steps += on
        return np.where((nsteps > 0) | frozen, T_end, t)

    def _step(self, y, tk, hk, on, group):
        """One Heun step of the systems ``on`` (evaluated: ``group`` or all)."""
        if group is None:
            noise, mask, yg = self.noise, self.mask, y
            tg, hg, ong = tk, hk, on
        else:
            noise, mask = self._sub(group)
            yg = y[group]
            tg, hg, ong = tk[group], hk[group], on[group]
        k = yg.shape[0]
        H = np.zeros(yg.shape)
        f0 = np.empty(yg.shape)
        f1 = np.empty(yg.shape)
        noise.sample(hg, ong, H.reshape(k, 3, -1))
        mx0 = self._rhs(group, tg, yg, f0, H)
        noise.add_drift(yg, f0)
        hb = hg.reshape((k,) + (1,) * (y.ndim - 1))
        pred = yg + hb * f0  # not normalised: see the module docstring
        mx1 = self._rhs(group, tg + hg, pred, f1, H)
        noise.add_drift(pred, f1)
        new = yg + 0.5 * hb * (f0 + f1)
        normalise(new.reshape(k, 3, -1), mask)
        bad = ong & ~(np.isfinite(mx0) & np.isfinite(mx1))
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            b = j if group is None else int(group[j])
            raise IntegrationError(
                "dm/dt became non-finite (NaN or inf) in a stochastic Heun step; "
                "the step may be too large for the thermal field (give a "
                "smaller thermal step) or a parameter is not finite.",
                system=b,
                name=self.names[b],
                t=float(tk[b]),
            )
        if group is None:
            if on.all():
                y[...] = new
            else:
                y.reshape(k, 3, -1)[on] = new.reshape(k, 3, -1)[on]
        else:
            y[group[ong]] = new[ong]

    def _rhs(self, group, t, m, out, extra):
        self.evaluations += 1
        if group is None:
            self.system_evaluations += m.shape[0]
            return self.rhs(t, m, out, extra)
        self.system_evaluations += group.size
        return self.rhs_subset(group, t, m, out, extra)
