r"""The :class:`Engine`: effective fields, LLG dynamics, relaxation and minimisation.

See ``docs/ARCHITECTURE.md`` for the array layout. The engine works on a batch
of ``B`` systems sharing one mesh; ``m`` is ``(B, 3, nx, ny, nz)``.

Equation of motion (:mod:`ubermag_dirac.engine.llg`)
    :math:`\dot{\mathbf m} = -\gamma_0\mathbf m\times(\mathbf H_\mathrm{eff}
    + \mathbf H_T) + \mathbf m\times(\hat\alpha\,\dot{\mathbf m})`, solved
    exactly per cell for :math:`\hat\alpha = \alpha I + \delta\alpha(I -
    \mathbf n\mathbf n)`, plus OOMMF's Slonczewski term in Landau-Lifshitz form.
    Conventions for missing Precession/Damping, Slonczewski and ``func``/``dt``
    follow oommfc/OOMMF (:mod:`ubermag_dirac.engine.dynamics`).
Time integration (:mod:`ubermag_dirac.engine.integrators`)
    Dormand-Prince 5(4) (OOMMF's rkf54 by default), FSAL, PI control,
    per-system step sizes; every stage
    end of :meth:`Engine.run` is hit exactly and all systems are synchronised
    there, so ``engine.t`` is one float.
Finite temperature (:mod:`ubermag_dirac.engine.stochastic`)
    When a cell has T > 0 (``system.T`` or ``temperature``), :meth:`Engine.run`
    integrates the stochastic LLG with Brown's thermal field by the fixed-step
    stochastic Heun scheme instead (per-system noise streams from ``seed``).
Failures
    :class:`~ubermag_dirac.engine.errors.IntegrationError` (NaN/inf, step
    collapse, non-convergence); the engine then holds its last good state: the
    last completed stage end of ``run``, or the state before ``relax`` /
    ``minimise``.
Relaxation and minimisation
    :meth:`Engine.relax`: damped dynamics without precession and without spin
    torques until :math:`\max|\dot{\mathbf m}|` < ``stopping_dm_dt`` (deg/ns).
    :meth:`Engine.minimise`: Barzilai-Borwein descent on the spheres, then
    L-BFGS with a line search on the energy (:mod:`ubermag_dirac.engine.minimise`),
    until :math:`\max|\mathbf m\times\mathbf H\times\mathbf m| \le`
    ``stopping_mxHxm`` (A/m, OOMMF default 0.1), with an iteration cap.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence

import micromagneticmodel as mm
import numpy as np

from ..constants import MU0
from . import dynamics as _dynamics
from .dynamics import LLGParameters, register_ud_terms
from .errors import IntegrationError
from .grid import Grid, _as_systems
from .integrators import DEFAULT_METHOD, DormandPrince45
from .llg import _llg_serial as llg_rhs_serial
from .llg import llg_rhs
from .minimise import add_euler_energy, minimise_bb, minimise_lbfgs
from .registry import DYNAMICS, ENERGY, lookup
from .stochastic import STEP_FRACTION, StochasticHeun, ThermalNoise, fastest_rate
from .threads import thread_context, tune_malloc

__all__ = ["Engine"]

#: Modules that register energy implementations when imported.
_ENERGY_MODULES = ("ubermag_dirac.engine.energy", "ubermag_dirac.engine.demag")

#: Power iterations of the rate bound of the ``"auto"`` integrator (from the
#: checkerboard start: within 1 % of converged on the films measured, see
#: :func:`~.stochastic.fastest_rate`).
RATE_ITERATIONS = 12

#: rad/s per deg/ns (OOMMF's unit of ``stopping_dm_dt``).
DEG_PER_NS = np.pi / 180.0 * 1e9

#: minimise(method="auto"): Barzilai-Borwein iterations before L-BFGS takes over
_BB_ITERATIONS = 100

#: Sub-batch evaluators kept per engine (:meth:`Engine._rhs_subset`), in
#: batches' worth of systems (memory: their parameter and field arrays).
_SUBSET_CACHE = 2

#: relax(until_noise_floor=True): chunks of 100 step attempts without halving of
#: max |dm/dt| after which a system counts as stalled at the noise floor.
_STALL_CHUNKS = 5


def _announce_compilation():
    """Tell the user when the engine's numba kernels are compiled (first use)."""
    from .._compile import announce
    from .demag import _apply4
    from .energy import _kernels as energy_kernels

    announce(
        "film engine kernels",
        [llg_rhs_serial, energy_kernels.exchange_add_field, _apply4],
        "10-20",
    )


def _import_energy_modules():
    for name in _ENERGY_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside the module
                raise


def _terms_by_name(systems, container: str) -> list[tuple[str, list]]:
    """Terms of ``system.<container>`` matched by name across the batch."""
    per_system = []
    for s in systems:
        c = getattr(s, container)
        per_system.append({t.name: t for t in c})
    names = list(per_system[0])
    for i, d in enumerate(per_system[1:], start=1):
        if list(d) != names:
            raise ValueError(
                f"systems[{i}] ({systems[i].name!r}): its {container} terms "
                f"{list(d)} differ from systems[0]'s {names}; a batch needs the "
                "same term names in every system."
            )
    out = []
    for name in names:
        terms = [d[name] for d in per_system]
        cls = type(terms[0])
        for i, t in enumerate(terms):
            if type(t) is not cls:
                raise ValueError(
                    f"systems[{i}]: {container} term {name!r} is a "
                    f"{type(t).__name__}, systems[0]'s is a {cls.__name__}."
                )
        out.append((name, terms))
    return out


class Engine:
    r"""Finite-difference LLG calculator for a batch of Ubermag systems.

    Parameters
    ----------
    systems : micromagneticmodel.System or sequence of them
        Systems sharing one mesh (see :class:`~ubermag_dirac.engine.grid.Grid`);
        every system must have the same energy and dynamics term names. The
        systems are never modified: the engine copies ``system.m``. Their terms
        are read when the engine is built and again when :meth:`run` forms a
        sub-batch of the systems still running (see its Notes), which is
        checked against this engine: change a system's terms only before
        building an engine.
    threads : int, default 1
        Threads for numba kernels and ``scipy.fft`` (one was fastest on the
        2-core development machine).
    tol : float, default 1e-6
        Allowed local error per step of the unit magnetisation (max-norm over
        cells, per system) of the Dormand-Prince integrator.
    h_max : float, default 1e-10
        Largest time step (s), OOMMF's default ``max_timestep``.
    shared_step : bool, default False
        One step size for the whole batch instead of per-system step control
        (per-system is the default: each system then integrates exactly as it
        would alone; see :mod:`ubermag_dirac.engine.integrators`).
    method : {"auto", "rkf54", "rkf54m", "rkf54s"}, default "auto"
        Runge-Kutta method: ``"auto"`` steps with RK5(4)7FC (OOMMF's default
        ``rkf54``) and changes a system to classical RK4 with a third-order
        error estimate while its step is limited by stability (exchange-stiff
        films: 14 % fewer evaluations on standard problem 4); or one
        Dormand-Prince 5(4) pair throughout, by the name OOMMF's
        ``Oxs_RungeKuttaEvolve`` gives it: RK5(4)7FC, RK5(4)7FM (DOPRI5,
        smaller error per step on smooth problems) or RK5(4)7FS (see
        :mod:`ubermag_dirac.engine.integrators`).
    demag_precision : {"double", "single"}, default "double"
        Floating-point type of the demagnetisation FFTs: ``"single"`` runs them
        in float32 and adds the field to the float64 total (see
        :class:`~ubermag_dirac.engine.demag.DemagField`); everything else stays
        double precision.
    fixed : sequence of str or array_like of bool, optional
        Cells whose magnetisation never changes (OOMMF's ``fixed_spins``, which
        oommfc's ``fixed_subregions`` writes): subregion names of the mesh (a
        cell belongs to the first subregion containing its centre, as in OOMMF's
        atlas) or a boolean mask ``(nx, ny, nz)`` or ``(B, nx, ny, nz)``. Fixed
        cells keep their field contributions (exchange, demag, ...) but have
        :math:`\dot{\mathbf m} = 0`, are not moved by the minimiser and are left
        out of ``max_dmdt`` and ``max_mxHxm``.
    temperature : optional
        Temperature (K) per cell: ``None`` (default) takes each system's
        ``system.T``; otherwise one Ubermag scalar parameter for every system (a
        number, a region dict or a scalar ``df.Field``) or a list of ``B`` of them.
        With T > 0 anywhere, :meth:`run` integrates the stochastic LLG
        (:mod:`ubermag_dirac.engine.stochastic`); :meth:`relax` and
        :meth:`minimise` ignore the temperature (as OOMMF's and mumax3's
        minimisers).
    seed : None, int or sequence of int, optional
        Seed of the thermal noise (see
        :func:`~ubermag_dirac.engine.stochastic.stream_seed`): one integer for the
        batch (each system's stream is keyed by its name, so a system gives the
        same result alone and in any batch) or one per system. ``None`` draws
        fresh entropy, kept in ``engine.thermal.entropy``.
    thermal_dt : float or array_like, optional
        Fixed step (s) of the stochastic integrator, one or ``(B,)``. Default:
        ``step_fraction`` over the fastest rate of the deterministic dynamics at
        the start of the first :meth:`run` (kept afterwards in
        :attr:`thermal_dt`).
    step_fraction : float, default 0.1
        ``c`` of the default step ``c / rho``.

    Attributes
    ----------
    m : numpy.ndarray
        ``(B, 3, nx, ny, nz)`` unit magnetisation (0 in empty cells). Assigning
        to it renormalises and resets the integrator's cached stage.
    t : float
        Simulation time (s) of all systems: the time since the engine was built
        (OOMMF's ``total_time`` of a drive), what time-dependent terms see.
        Systems advance with their own step sizes but are synchronised at every
        stage end, the only place where :meth:`run` returns or calls back.
    mesh, grid, Ms, batch
        The common mesh, the :class:`Grid`, ``(B, nx, ny, nz)`` saturation
        magnetisation (A/m) and ``B``.
    energy_terms, dynamics_terms : dict
        Engine implementations by term name.
    fixed : numpy.ndarray
        ``(B, nx, ny, nz)`` bool, the cells that never move (see ``fixed``).
    relax_stalled : numpy.ndarray
        ``(B,)`` bool: systems that the last :meth:`relax` with
        ``until_noise_floor=True`` stopped at the integrator's noise floor.
    stats : dict
        ``evaluations`` (batched RHS calls), ``system_evaluations`` (RHS
        evaluations counted per system: a call on a sub-batch of k systems
        counts k; see :meth:`run`), ``steps`` and ``rejections``
        (summed over systems), ``steps_per_system``, ``steps_per_method``
        (accepted steps by method name), ``rate_bound_field_evaluations``
        (field evaluations of the ``"auto"`` method's rate bound, counted per
        system as ``system_evaluations``: 25 per system),
        ``wall_time`` (s in run/relax), ``field_time`` (s per energy term
        inside RHS calls), ``llg_time``, ``minimise_iterations``.

    Examples
    --------
    A macrospin in a field precesses; the total energy is the Zeeman energy:

    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.engine import Engine
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(2e-9, 2e-9, 2e-9), n=(1, 1, 1))
    >>> s = mm.System(name="macrospin")
    >>> s.energy = mm.Zeeman(H=(0, 0, 1e5))
    >>> s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.1)
    >>> s.m = df.Field(mesh, nvdim=3, value=(1, 0, 0), norm=8e5)
    >>> engine = Engine(s)
    >>> engine.run(1e-9, n=2)
    >>> engine.t
    1e-09
    >>> round(
    ...     float(engine.m[0, 2].mean()), 4
    ... )  # exact: tanh(gamma alpha H t/(1+alpha^2))
    0.9752
    >>> engine.energies()["total"].shape
    (1,)

    A term the calculator cannot run is refused, naming it:

    >>> class SpinPumping(mm.DynamicsTerm):  # a term the engine does not know
    ...     _allowed_attributes = []
    ...     _reprlatex = ""
    ...
    ...     def dmdt(self, m, Heff):
    ...         raise NotImplementedError
    >>> s.dynamics += SpinPumping()
    >>> Engine(s)
    Traceback (most recent call last):
    ...
    ubermag_dirac.engine.registry.UnsupportedTermError: SpinPumping (name 'spinp...
    """

    def __init__(
        self,
        systems: mm.System | Sequence[mm.System],
        *,
        threads: int = 1,
        tol: float = 1e-6,
        h_max: float = 1e-10,
        shared_step: bool = False,
        fixed: Sequence[str] | np.ndarray | None = None,
        method: str = DEFAULT_METHOD,
        demag_precision: str = "double",
        temperature=None,
        seed=None,
        thermal_dt=None,
        step_fraction: float = STEP_FRACTION,
    ):
        self._setup(systems, threads, fixed, demag_precision)
        _announce_compilation()
        m = np.ascontiguousarray(self.grid.unit_m())
        self._integrator = DormandPrince45(
            self._rhs,
            m,
            self._mask,
            tol=tol,
            h_max=h_max,
            names=self.names,
            shared_step=shared_step,
            method=method,
            rhs_subset=self._rhs_subset,
            rate=self._rate_bound,
            alpha_range=self._alpha_range(),
        )
        self._minimise_iterations = 0
        self._minimise_time = 0.0
        self._Ms_flat = np.ascontiguousarray(self.Ms.reshape(self.batch, -1))
        self.minimise_stats = {}
        self.relax_stalled = np.zeros(self.batch, dtype=bool)
        self._setup_thermal(temperature, seed, thermal_dt, step_fraction)

    def _setup(self, systems, threads, fixed, demag_precision):
        """Grid, masks, terms and field buffer (everything but the integrator)."""
        systems = _as_systems(systems)
        from .threads import _check_threads

        self._rate_evaluations = 0
        self.threads = _check_threads(threads)
        if demag_precision not in ("double", "single"):
            raise ValueError(
                "demag_precision: expected 'double' or 'single', got "
                f"{demag_precision!r}."
            )
        self.demag_precision = demag_precision
        tune_malloc()
        _import_energy_modules()
        self._ud_terms_unavailable = register_ud_terms()
        self.grid = Grid(systems)
        self.systems = systems
        self.names = [s.name for s in systems]
        self.mesh = self.grid.mesh
        self.Ms = self.grid.Ms
        self.batch = self.grid.batch
        self._shape = (self.batch, 3, *self.grid.n)
        self._N = int(np.prod(self.grid.n))
        self._mask = np.ascontiguousarray(self.grid.mask.reshape(self.batch, -1))
        #: cells that move: magnetic and not fixed
        self.fixed = self._fixed_cells(fixed)
        self._active = np.ascontiguousarray(
            self._mask & ~self.fixed.reshape(self.batch, -1)
        )

        # every term is built (or refused) before anything runs
        self.energy_terms = {}
        for name, terms in _terms_by_name(systems, "energy"):
            self.energy_terms[name] = lookup(terms[0], ENERGY)(terms, self.grid)
        for impl in self.energy_terms.values():
            configure = getattr(impl, "configure", None)  # optional (registry)
            if configure is not None:
                configure(demag_precision=demag_precision)
        self.dynamics_terms = {}
        for name, terms in _terms_by_name(systems, "dynamics"):
            self.dynamics_terms[name] = lookup(terms[0], DYNAMICS)(terms, self.grid)
        self.llg = LLGParameters(self.grid)
        for impl in self.dynamics_terms.values():
            impl.configure(self.llg)
        if self.llg.dalpha is not None and not self.llg.do_precess:
            raise ValueError(
                "AnisotropicDamping needs a Precession term: without precession "
                "(OOMMF's do_precess 0) only scalar damping is defined."
            )
        self._chunks = 1 if self.threads == 1 else 4 * self.threads

        self._H = np.zeros(self._shape)
        self._field_time = {name: 0.0 for name in self.energy_terms}
        self._llg_time = 0.0
        #: evaluators of sub-batches (see :meth:`_rhs_subset`), by system indices
        self._subsets = {}

    def _check_subset(self, sub, key):
        """The new sub-batch evaluator must give this engine's dm/dt exactly.

        Both evaluate the current accepted state; a difference means that a
        system's terms were changed after this engine was built.
        """
        it = self._integrator
        full = np.empty(self._shape)
        self._rhs(it.t.copy(), it.y, full)
        part = np.empty(sub._shape)
        idx = list(key)
        sub._rhs(it.t[idx], np.ascontiguousarray(it.y[idx]), part)
        if not np.array_equal(part, full[idx], equal_nan=True):
            raise ValueError(
                "systems: their terms were changed after the Engine was built "
                "(a sub-batch built from them now gives a different dm/dt); "
                "build a new Engine after changing a system."
            )

    def _subset(self, idx) -> Engine:
        """An engine of the systems ``idx`` alone: grid and terms from the
        systems, the Newell tensor from the demag cache, no integrator; built
        once per subset and kept for the next calls."""
        key = tuple(int(i) for i in idx)
        sub = self._subsets.pop(key, None)
        if sub is None:
            sub = Engine.__new__(Engine)
            sub._setup(
                [self.systems[i] for i in key],
                self.threads,
                self.fixed[list(key)],
                self.demag_precision,
            )
            sub._field_time = self._field_time  # one account of the field time
            self._check_subset(sub, key)
        self._subsets[key] = sub  # most recently used last
        # keep the recent ones, up to _SUBSET_CACHE batches' worth of systems
        while sum(map(len, self._subsets)) > _SUBSET_CACHE * self.batch:
            self._subsets.pop(next(iter(self._subsets)))
        return sub

    def _alpha_range(self) -> np.ndarray:
        """``(B, 2)`` smallest and largest damping over each system's moving
        cells, anisotropic damping included (damping without precession: the
        real axis, written as a very large damping)."""
        llg = self.llg
        if not llg.do_precess:
            return np.full((self.batch, 2), 1e6)
        a = llg.alpha
        dalpha, _ = llg.tensor_arrays()
        a2 = a + dalpha if dalpha.shape[0] else a
        act = self._active
        lo = np.where(act, np.minimum(a, a2), np.inf).min(axis=1, initial=np.inf)
        hi = np.where(act, np.maximum(a, a2), -np.inf).max(axis=1, initial=-np.inf)
        empty = ~np.isfinite(lo)
        return np.stack([np.where(empty, 0.0, lo), np.where(empty, 1.0, hi)], axis=1)

    def _rate_bound(self, m, t) -> np.ndarray:
        """Bound on the fastest rate (1/s) of every system at ``m``, ``t``, for
        the integrator's ``"auto"`` method (:func:`~.stochastic.fastest_rate`;
        per system, the same alone and in any batch)."""
        self._rate_evaluations += (1 + 2 * RATE_ITERATIONS) * self.batch
        return fastest_rate(
            lambda m, t: self._total_field(m, t, np.empty(self._shape)),
            m,
            t,
            self._active,
            self.llg.gamma,
            self.llg.alpha,
            iterations=RATE_ITERATIONS,
            start="checkerboard",
        )

    def _rhs_subset(self, idx, t, m, out, extra=None):
        """Right-hand side of the systems ``idx`` only (``m``, ``out``: ``(k, 3, N)``).

        Evaluated by an engine of those systems alone (:meth:`_subset`); every
        term sees exactly the arrays it would see in a run of those systems, so
        the results are the same as in the whole batch.
        """
        sub = self._subset(idx)
        before = sub._llg_time
        if extra is not None:  # the thermal field of these systems
            extra = extra.reshape(sub._shape)
        mx = sub._rhs(t, m.reshape(sub._shape), out.reshape(sub._shape), extra)
        self._llg_time += sub._llg_time - before
        return mx

    # ------------------------------------------------------------ temperature
    def _setup_thermal(self, temperature, seed, thermal_dt, step_fraction):
        """Build :attr:`thermal` (None at T = 0 everywhere) and check the step."""
        if temperature is None:
            temperature = [s.T for s in self.systems]
        elif not isinstance(temperature, list | tuple):
            temperature = [temperature] * self.batch
        T = self.grid.scalar(list(temperature), "temperature").reshape(self.batch, -1)
        if not np.all(np.isfinite(T)) or np.any(T < 0):
            raise ValueError(
                "temperature: expected finite temperatures >= 0 K, got values "
                f"from {T.min():g} to {T.max():g} K."
            )
        self.thermal = None
        self._thermal_dt = None
        self._heun = None
        if not (step_fraction > 0 and np.isfinite(step_fraction)):
            raise ValueError(
                f"step_fraction: expected a positive number, got {step_fraction!r}."
            )
        self._step_fraction = float(step_fraction)
        if not np.any(T > 0):
            return
        self.thermal = ThermalNoise(
            T,
            self.Ms.reshape(self.batch, -1),
            self.grid.cell_volume,
            self.llg,
            self._active,
            seed,
            self.names,
            MU0,
        )
        self.thermal_dt = thermal_dt

    @property
    def thermal_dt(self):
        """``(B,)`` fixed step (s) of the stochastic integrator, or None before it is
        estimated (:meth:`thermal_step`); settable (a number or ``(B,)``)."""
        return self._thermal_dt

    @thermal_dt.setter
    def thermal_dt(self, value):
        if value is None:
            self._thermal_dt = None
            return
        dt = np.broadcast_to(np.asarray(value, dtype=np.float64), (self.batch,))
        if not np.all(np.isfinite(dt) & (dt > 0)):
            raise ValueError(
                f"thermal_dt: expected positive step sizes (s), got {value!r}."
            )
        self._thermal_dt = dt.copy()

    def thermal_step(self) -> np.ndarray:
        """``(B,)`` step (s) of the stochastic integrator: ``thermal_dt`` if given,
        else estimated at the first call (or run) and kept (see
        :mod:`ubermag_dirac.engine.stochastic`). Only for a thermal engine."""
        if self.thermal is None:
            raise RuntimeError("thermal_step: the engine has no temperature (T = 0).")
        if self.thermal_dt is None:
            it = self._integrator
            with thread_context(self.threads):
                rho = fastest_rate(
                    lambda m, t: self._total_field(m, t, np.empty(self._shape)),
                    it.y,
                    it.t.copy(),
                    self._active,
                    self.llg.gamma,
                    self.llg.alpha,
                )
            rho = np.maximum(rho, self.thermal.diffusion_rate(self.llg))
            h_max = self._integrator.h_max
            dt = np.where(
                rho > 0, self._step_fraction / np.where(rho > 0, rho, 1), h_max
            )
            self.thermal_dt = np.minimum(dt, h_max)
        return self.thermal_dt

    def _fixed_cells(self, fixed) -> np.ndarray:
        """``(B, nx, ny, nz)`` boolean mask of the fixed cells (see ``fixed``)."""
        shape = (self.batch, *self.grid.n)
        if fixed is None:
            return np.zeros(shape, dtype=bool)
        if isinstance(fixed, str):
            fixed = [fixed]
        if isinstance(fixed, Sequence) and all(isinstance(f, str) for f in fixed):
            cells = np.zeros(self.grid.n, dtype=bool)
            for name in fixed:
                try:
                    cells |= self.grid.region_mask(name)
                except ValueError as exc:
                    raise ValueError(f"fixed: {exc}") from None
            return np.broadcast_to(cells, shape).copy()
        arr = np.asarray(fixed)
        if arr.dtype != bool or arr.shape not in (shape, shape[1:]):
            raise ValueError(
                "fixed: expected subregion names or a boolean mask of shape "
                f"{shape[1:]} or {shape}, got {arr.dtype} array of shape {arr.shape}."
            )
        return np.broadcast_to(arr, shape).copy()

    # ------------------------------------------------------------ state
    @property
    def m(self) -> np.ndarray:
        return self._integrator.y

    @m.setter
    def m(self, value):
        value = np.asarray(value, dtype=np.float64)
        if value.shape != self._shape:
            raise ValueError(f"m: expected shape {self._shape}, got {value.shape}.")
        if not np.all(np.isfinite(value)):
            raise ValueError("m: contains non-finite values.")
        y = self._integrator.y
        y[...] = value
        from .llg import normalise

        normalise(y.reshape(self.batch, 3, -1), self._mask)
        self._integrator.invalidate()

    @property
    def frozen(self) -> np.ndarray:
        """``(B,)`` bool: systems left out of the time integration.

        :meth:`run` moves a frozen system's time along without changing its
        magnetisation and without evaluating it (a sweep freezes the points that
        have come to rest, so that a batch costs no more than its points run
        one by one). Unfreezing resumes the integration from the frozen state at
        the current time. Thermal runs too: a frozen system takes no stochastic
        Heun step and draws no noise (its stream waits), and the others are
        evaluated as a sub-batch with unchanged results. Assign a ``(B,)``
        boolean array (default all False).
        """
        return self._integrator.frozen.copy()

    @frozen.setter
    def frozen(self, value):
        value = np.asarray(value)
        if value.dtype != bool or value.shape != (self.batch,):
            raise ValueError(
                f"frozen: expected a boolean array of shape ({self.batch},), got "
                f"{value.dtype} array of shape {value.shape}."
            )
        self._integrator.frozen = value.copy()

    @property
    def t(self) -> float:
        return float(self._integrator.t.max())

    @t.setter
    def t(self, value: float):
        self._integrator.t = np.full(self.batch, float(value))
        self._integrator.invalidate()

    @property
    def stats(self) -> dict:
        it = self._integrator
        return {
            "evaluations": int(it.evaluations),
            "system_evaluations": int(it.system_evaluations),
            "steps": int(it.accepted.sum()),
            "rejections": int(it.rejected.sum()),
            "steps_per_system": it.accepted.tolist(),
            "steps_per_method": {
                tab.name: int(n)
                for tab, n in zip(
                    it.methods, it.accepted_by_method.sum(axis=1), strict=True
                )
            },
            "rate_bound_field_evaluations": int(self._rate_evaluations),
            "rejections_per_system": it.rejected.tolist(),
            "wall_time": float(it.wall_time),
            "field_time": dict(self._field_time),
            "llg_time": float(self._llg_time),
            "minimise_iterations": int(self._minimise_iterations),
            "minimise_wall_time": float(self._minimise_time),
        }

    def _m_t(self, m, t):
        m = self.m if m is None else np.asarray(m, dtype=np.float64)
        if m.shape != self._shape:
            raise ValueError(f"m: expected shape {self._shape}, got {m.shape}.")
        if t is None:
            t = self._integrator.t.copy()
        else:
            t = np.broadcast_to(np.asarray(t, dtype=np.float64), (self.batch,)).copy()
        return np.ascontiguousarray(m), t

    # ------------------------------------------------------------ fields
    def _total_field(self, m, t, H, torques=True):
        H.fill(0.0)
        for name, impl in self.energy_terms.items():
            start = time.perf_counter()
            impl.add_field(m, t, H)
            self._field_time[name] += time.perf_counter() - start
        if torques:
            for tf in self.llg.torque_fields:
                tf.add_field(m, t, H)
        return H

    def effective_fields(self, m=None, t=None) -> dict[str, np.ndarray]:
        """Effective field of every energy term (A/m), ``(B, 3, nx, ny, nz)`` each.

        ``m`` (unit vectors, default ``engine.m``) and ``t`` (s, number or
        ``(B,)``, default ``engine.t``) select the state. Torque fields of the
        spin-orbit terms are not included (they are not energy terms).
        """
        m, t = self._m_t(m, t)
        with thread_context(self.threads):
            out = {}
            for name, impl in self.energy_terms.items():
                H = np.zeros(self._shape)
                impl.add_field(m, t, H)
                out[name] = H
        return out

    def effective_field(self, m=None, t=None, *, torques: bool = False) -> np.ndarray:
        """Total effective field (A/m), ``(B, 3, nx, ny, nz)``.

        With ``torques=True`` the torque fields :math:`\\mathbf H_T` of the
        spin-orbit dynamics terms are added (the field the LLG solve uses).
        """
        m, t = self._m_t(m, t)
        with thread_context(self.threads):
            return self._total_field(m, t, np.zeros(self._shape), torques=torques)

    def torque_fields(self, m=None, t=None) -> dict[str, np.ndarray]:
        """Torque field :math:`\\mathbf H_T` (A/m) of each spin-orbit dynamics term."""
        m, t = self._m_t(m, t)
        return {tf.name: tf.field(m, t) for tf in self.llg.torque_fields}

    def energy_densities(self, m=None, t=None) -> dict[str, np.ndarray]:
        """Energy density (J/m^3) of every energy term, ``(B, nx, ny, nz)`` each."""
        m, t = self._m_t(m, t)
        with thread_context(self.threads):
            return {
                name: impl.energy_density(m, t)
                for name, impl in self.energy_terms.items()
            }

    def energies(self, m=None, t=None) -> dict[str, np.ndarray]:
        """Energy (J) of every energy term and their ``"total"``, ``(B,)`` each."""
        dens = self.energy_densities(m, t)
        dV = self.grid.cell_volume
        out = {
            name: w.reshape(self.batch, -1).sum(axis=1) * dV for name, w in dens.items()
        }
        out["total"] = (
            np.sum(list(out.values()), axis=0) if out else np.zeros(self.batch)
        )
        return out

    # ------------------------------------------------------------ dynamics
    def _llg(self, m, H, out, t, llg=None):
        llg = self.llg if llg is None else llg
        B = self.batch
        dalpha, nvec = llg.tensor_arrays()
        start = time.perf_counter()
        mx = llg_rhs(
            m.reshape(B, 3, -1),
            H.reshape(B, 3, -1),
            self._active,
            llg.gamma,
            llg.alpha,
            llg.do_precess,
            dalpha,
            nvec,
            llg.stt_arrays(t),
            out.reshape(B, 3, -1),
            self._chunks,
        )
        self._llg_time += time.perf_counter() - start
        return mx

    def _rhs(self, t, m, out, extra=None):
        H = self._total_field(m, t, self._H)
        if extra is not None:  # the thermal field (stochastic integrator)
            H += extra
        return self._llg(m, H, out, t)

    def dmdt(self, m=None, t=None) -> np.ndarray:
        """:math:`\\mathrm{d}\\mathbf m/\\mathrm{d}t` (1/s), ``(B, 3, nx, ny, nz)``."""
        m, t = self._m_t(m, t)
        out = np.empty(self._shape)
        with thread_context(self.threads):
            self._llg(m, self._total_field(m, t, np.zeros(self._shape)), out, t)
        return out

    def max_dmdt(self, m=None, t=None) -> np.ndarray:
        """Per-system maximum over cells of :math:`|\\dot{\\mathbf m}|`.

        Returns a ``(B,)`` array in rad/s.
        """
        m, t = self._m_t(m, t)
        out = np.empty(self._shape)
        with thread_context(self.threads):
            return self._llg(m, self._total_field(m, t, np.zeros(self._shape)), out, t)

    def max_mxHxm(self, m=None, t=None) -> np.ndarray:
        """Per-system maximum over cells of OOMMF's ``mxHxm`` (A/m), ``(B,)``.

        :math:`|\\mathbf m\\times\\mathbf H\\times\\mathbf m|` with ``H`` the total
        effective field of the energy terms.
        """
        m, t = self._m_t(m, t)
        H = self.effective_field(m, t)
        g = H - np.sum(m * H, axis=1, keepdims=True) * m
        g2 = np.sum(g * g, axis=1).reshape(self.batch, -1)
        g2 = np.where(self._active, g2, 0.0)
        return np.sqrt(g2.max(axis=1))

    # ------------------------------------------------------------ run
    def run(
        self,
        t: float,
        n: int = 1,
        callback: Callable[[int, float, np.ndarray], None] | None = None,
    ) -> None:
        """Integrate the LLG equation from ``engine.t`` to ``engine.t + t``.

        Parameters
        ----------
        t : float
            Duration (s), > 0.
        n : int, default 1
            Number of stages: the interval is split into ``n`` equal stages whose
            ends are hit exactly (per system).
        callback : callable, optional
            ``callback(stage, t, m)`` after each stage, ``stage`` from 0, ``t``
            the stage end (s), ``m`` a copy of the ``(B, 3, nx, ny, nz)`` state.

        Raises
        ------
        IntegrationError
            On NaN/inf, step-size collapse or too many rejections. ``engine.m``
            and ``engine.t`` are then those of the last completed stage end (or
            of the start of the call).

        Notes
        -----
        Every system takes its own steps; a system that reaches a stage end
        before the others waits there without being evaluated while the others
        still need 8 or more steps (they run on as a smaller batch), so a batch
        costs about the sum of its systems' own evaluations, and every system
        ends exactly as a run of it alone would.
        """
        if not (t > 0) or not np.isfinite(t):
            raise ValueError(f"t: expected a positive duration, got {t!r}.")
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"n: expected a positive integer, got {n!r}.")
        it = self._integrator
        advance = it.advance
        if self.thermal is not None:
            advance = self._stochastic_advance
        t0 = self.t
        good_m = it.y.copy()
        good_t = it.t.copy()
        with thread_context(self.threads):
            for stage in range(n):
                t_end = t0 + t * (stage + 1) / n
                try:
                    advance(t_end)
                except IntegrationError:
                    it.y[...] = good_m
                    it.t = good_t
                    it.invalidate()
                    raise
                good_m[...] = it.y
                good_t = it.t.copy()
                if callback is not None:
                    callback(stage, t_end, it.y.copy())

    def _stochastic_advance(self, t_end):
        """One stage of the stochastic Heun integrator (thermal runs)."""
        it = self._integrator
        if self._heun is None:
            self._heun = StochasticHeun(
                self._rhs,
                self._mask,
                self.thermal,
                self.thermal_step(),
                self.names,
                rhs_subset=self._rhs_subset,
            )
        heun = self._heun
        heun.dt = self.thermal_step()  # a thermal_dt set after the first run counts
        evaluations, steps = heun.evaluations, heun.steps.copy()
        system_evaluations = heun.system_evaluations
        try:
            it.t = heun.advance(it.y, it.t, t_end, frozen=it.frozen)
        finally:
            it.evaluations += heun.evaluations - evaluations
            it.system_evaluations += heun.system_evaluations - system_evaluations
            it.accepted += heun.steps - steps
            it.invalidate()
        it.wall_time += 0.0  # (the stochastic integrator keeps its own wall_time)

    # ------------------------------------------------------------ relax
    def relax(
        self,
        stopping_dm_dt: float = 0.01,
        *,
        alpha: float | None = None,
        max_time: float = 1e-7,
        callback: Callable | None = None,
        until_noise_floor: bool = False,
    ) -> np.ndarray:
        r"""Relax every system by damped dynamics without precession.

        Integrates :math:`\dot{\mathbf m} = -\frac{\gamma_0\alpha}{1+\alpha^2}
        \mathbf m\times(\mathbf m\times\mathbf H)` (the energy terms only: no
        precession, no spin torques; a pure energy descent) until
        :math:`\max|\dot{\mathbf m}|` of each system falls below
        ``stopping_dm_dt``. Converged systems stop; the others continue.
        ``engine.t`` is not changed.

        Parameters
        ----------
        stopping_dm_dt : float, default 0.01
            Threshold in deg/ns (OOMMF's unit for its ``stopping_dm_dt``);
            0.01 deg/ns is :math:`1.75\times10^5` rad/s.
        alpha : float, optional
            Damping. Default: the system's own ``Damping.alpha`` where it is
            positive, else 0.5 (OOMMF's evolver default). :math:`\gamma_0` is
            the system's, or OOMMF's default :math:`2.211\times10^5` m/(A s).
        max_time : float, default 1e-7
            Simulated time (s) after which an unconverged system is a failure.
        callback : callable, optional
            ``callback(t, m, max_dmdt)`` every 100 step attempts.
        until_noise_floor : bool, default False
            Also stop a system when its :math:`\max|\dot{\mathbf m}|` has not
            halved over the last 500 step attempts. An explicit integrator with
            error control cannot relax a stiff problem (fine cells, strong
            exchange or DMI) below a noise floor of about ``tol`` times the
            fastest relaxation rate: the step size settles at the stability limit
            and the stiff modes stay excited at the tolerance (measured on a
            twisted chain of 1 nm cells with A = 1e-11 J/m: 7.8e8, 7.8e7, 7.8e6
            rad/s at ``tol`` = 1e-4, 1e-5, 1e-6 with ``method="rkf54m"``, far
            above 0.01 deg/ns = 1.75e5 rad/s; the default rkf54, stable further
            out on the real axis, stalls at 9.2e6 rad/s at 1e-5 and relaxes
            that chain to 0.01 deg/ns at 1e-6). Such systems are as relaxed as damped
            dynamics can make them; :attr:`relax_stalled` marks them, and
            :meth:`minimise` finishes the job (what ``ud.RelaxDriver`` does).

        Returns
        -------
        numpy.ndarray
            ``(B,)`` simulated relaxation time (s) per system. ``relax_stalled``
            (``(B,)`` bool) then tells which systems stopped at the noise floor
            instead of below ``stopping_dm_dt``.

        Raises
        ------
        IntegrationError
            A system did not converge within ``max_time`` (or the integration
            failed); ``engine.m`` is restored to its value before the call.
        """
        if not (stopping_dm_dt > 0):
            raise ValueError(f"stopping_dm_dt: expected > 0, got {stopping_dm_dt!r}.")
        threshold = float(stopping_dm_dt) * DEG_PER_NS
        relax_llg = LLGParameters(self.grid)
        relax_llg.gamma = self.llg.gamma
        relax_llg.do_precess = False
        if alpha is None:
            a = self.llg.alpha.copy()
            for b in range(self.batch):
                if not np.any(a[b][self._mask[b]] > 0):
                    a[b] = 0.5
            relax_llg.alpha = a
        else:
            if not (alpha > 0):
                raise ValueError(f"alpha: expected > 0, got {alpha!r}.")
            relax_llg.alpha = np.full((self.batch, self._N), float(alpha))

        def rhs(t, m, out):
            H = self._total_field(m, t, self._H, torques=False)
            return self._llg(m, H, out, t, relax_llg)

        m_start = self.m.copy()
        time_now = self._integrator.t.copy()
        relaxer = DormandPrince45(
            rhs,
            self.m,
            self._mask,
            tol=self._integrator.tol,
            h_max=self._integrator.h_max,
            names=self.names,
            method=self._integrator.tableau,
        )
        relaxer.t = time_now.copy()
        t_limit = time_now + max_time
        stalled = np.zeros(self.batch, dtype=bool)
        history = []  # max |dm/dt| after each chunk of 100 step attempts

        def stop(mx):
            return (mx < threshold) | stalled

        try:
            with thread_context(self.threads):
                while True:
                    done = relaxer.advance(t_limit, stop=stop, max_steps=100)
                    if callback is not None:
                        callback(relaxer.t - time_now, self.m, relaxer.max_dmdt)
                    history.append(relaxer.max_dmdt.copy())
                    if until_noise_floor and len(history) > _STALL_CHUNKS:
                        recent = np.min(history[-_STALL_CHUNKS:], axis=0)
                        stalled |= ~done & (recent > 0.5 * history[-_STALL_CHUNKS - 1])
                        done |= stalled
                    if done.all():
                        break
                    if np.any((relaxer.t >= t_limit) & ~done):
                        b = int(np.flatnonzero((relaxer.t >= t_limit) & ~done)[0])
                        raise IntegrationError(
                            f"relax did not converge within max_time = {max_time:g} "
                            f"s: max |dm/dt| = {relaxer.max_dmdt[b]:.3g} rad/s is "
                            f"still above {threshold:.3g} rad/s "
                            f"({stopping_dm_dt:g} deg/ns). If it no longer "
                            "decreases, it is the integrator's noise floor "
                            "(about tol times the fastest relaxation rate): "
                            "lower tol, or use until_noise_floor=True and "
                            "minimise() (RelaxDriver's stopping_mxHxm).",
                            system=b,
                            name=self.names[b],
                        )
        except IntegrationError:
            self._integrator.y[...] = m_start
            self._integrator.invalidate()
            raise
        finally:
            self.relax_stalled = stalled
            self._integrator.evaluations += relaxer.evaluations
            self._integrator.accepted += relaxer.accepted
            self._integrator.rejected += relaxer.rejected
            self._integrator.wall_time += relaxer.wall_time
        self._integrator.invalidate()
        return relaxer.t - time_now

    # ------------------------------------------------------------ minimise
    def minimise(
        self,
        stopping_mxHxm: float = 0.1,
        *,
        max_iterations: int = 200_000,
        callback: Callable | None = None,
        method: str = "auto",
    ) -> np.ndarray:
        r"""Minimise the energy of every system (on the unit spheres of the cells).

        Descends along :math:`\mathbf g = -\mathbf m\times(\mathbf m\times
        \mathbf H)` until :math:`\max_i|\mathbf m_i\times\mathbf H_i\times
        \mathbf m_i| \le` ``stopping_mxHxm`` over the cells that move (A/m;
        OOMMF's ``Oxs_MinDriver`` test; its default, as oommfc writes it, is
        0.1 A/m), per system: Barzilai-Borwein steps (mumax3's ``minimize``,
        Exl et al., J. Appl. Phys. 115, 17D118 (2014)) for up to 100
        iterations, then L-BFGS with a line search on the energy for the
        systems not converged (:mod:`ubermag_dirac.engine.minimise`). Only
        energy terms count; dynamics terms are ignored. ``engine.t`` is not
        changed. ``minimise_stats`` then holds ``bb_iterations``, and for
        L-BFGS its field ``evaluations`` and line-search ``resets`` (``(B,)``).

        Parameters
        ----------
        stopping_mxHxm : float, default 0.1
            Convergence threshold (A/m).
        max_iterations : int, default 200000
            Iteration limit per call.
        callback : callable, optional
            ``callback(iteration, m, max_mxHxm)`` every 100 iterations.
        method : {"auto", "lbfgs", "bb"}, default "auto"
            ``"auto"`` as above; ``"lbfgs"`` or ``"bb"`` one minimiser only
            (``"bb"`` is the minimiser of versions before issue 10, which does
            not converge on flat landscapes such as creeping domain walls).

        Returns
        -------
        numpy.ndarray
            ``(B,)`` iterations each system needed (both minimisers).

        Raises
        ------
        IntegrationError
            Not converged within ``max_iterations`` or non-finite values;
            ``engine.m`` is restored to its value before the call.
        """
        if not (stopping_mxHxm > 0):
            raise ValueError(f"stopping_mxHxm: expected > 0, got {stopping_mxHxm!r}.")
        if method not in ("auto", "lbfgs", "bb"):
            raise ValueError(
                f"method: expected 'auto', 'lbfgs' or 'bb', got {method!r}."
            )
        t = self._integrator.t.copy()
        H = np.zeros(self._shape)

        def field(m):
            return self._total_field(m, t, H, torques=False)

        def energy(m):
            return self.energies(m, t)["total"]

        weights = np.ascontiguousarray(
            (MU0 * self.grid.cell_volume) * self.Ms.reshape(self.batch, -1)
        )

        m_start = self.m.copy()
        start = time.perf_counter()
        stats = {}
        y = self._integrator.y
        limit = int(max_iterations)
        # settings of both minimisers (Barzilai-Borwein, then L-BFGS)
        common = {
            "stopping_mxHxm": float(stopping_mxHxm),
            "names": self.names,
            "callback": callback,
        }
        try:
            with thread_context(self.threads):
                iters = np.zeros(self.batch, dtype=np.int64)
                converged = np.zeros(self.batch, dtype=bool)
                if method in ("auto", "bb"):
                    bb_stats = {}
                    bb_limit = limit if method == "bb" else min(limit, _BB_ITERATIONS)
                    iters += minimise_bb(
                        field,
                        y,
                        self._active,
                        max_iterations=bb_limit,
                        energy=energy,
                        weights=weights,
                        on_limit="raise" if method == "bb" else "return",
                        stats=bb_stats,
                        **common,
                    )
                    converged = bb_stats["converged"]
                    stats["bb_iterations"] = iters.copy()
                if not converged.all():
                    buffers = {}

                    def evaluate(m):
                        return self._field_and_energy(m, t, H, buffers)

                    iters = minimise_lbfgs(
                        evaluate,
                        y,
                        self._active,
                        weights,
                        max_iterations=limit,
                        stats=stats,
                        iterations=iters,
                        pair=bb_stats.get("last_pair") if method == "auto" else None,
                        **common,
                    )
        except IntegrationError:
            self._integrator.y[...] = m_start
            raise
        finally:
            self._integrator.invalidate()
            self._minimise_time += time.perf_counter() - start
        self._minimise_iterations += int(iters.max())
        self.minimise_stats = stats
        return iters

    def _field_and_energy(self, m, t, H, buffers):
        """Total field (into ``H``), energy up to a constant, round-off of it.

        For the minimiser: terms with an ``energy_degree`` p (exchange, DMI,
        demag, Zeeman, ...) give their energy through Euler's identity from the
        field computed anyway (their fields are summed per degree in
        ``buffers[p]``); the others through their energy density. The round-off
        estimate (J) is 1e-13 times the sum over cells of the magnitudes of the
        contributions. Returns ``(H, E, noise)``, ``E`` and ``noise`` ``(B,)``.
        """
        B = self.batch
        H.fill(0.0)
        out = np.zeros((2, B))
        dV = self.grid.cell_volume
        groups = {}
        for name, impl in self.energy_terms.items():
            start = time.perf_counter()
            p = getattr(impl, "energy_degree", None)
            if p is not None:
                buf = buffers.get(p)
                if buf is None:
                    buf = buffers[p] = np.zeros(self._shape)
                if p not in groups:
                    buf.fill(0.0)
                    groups[p] = buf
                impl.add_field(m, t, buf)
            else:
                Hterm = impl.field(m, t, out=buffers.get("term"))
                buffers["term"] = Hterm
                w = impl.energy_density(m, t, H=Hterm).reshape(B, -1)
                H += Hterm
                out[0] += w.sum(axis=1) * dV
                out[1] += np.abs(w).sum(axis=1) * dV
            self._field_time[name] += time.perf_counter() - start
        Hf = H.reshape(B, 3, -1)
        mf = m.reshape(B, 3, -1)
        for p, buf in groups.items():
            factor = MU0 * dV / p
            add_euler_energy(mf, buf.reshape(B, 3, -1), self._Ms_flat, factor, Hf, out)
        return H, out[0], 1e-13 * out[1]

    def __repr__(self) -> str:
        return (
            f"Engine(batch={self.batch}, n={self.grid.n}, "
            f"energy={list(self.energy_terms)}, dynamics={list(self.dynamics_terms)})"
        )


# keep the dynamics module imported for its registrations
_ = _dynamics
