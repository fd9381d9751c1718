"""Time driver: LLG dynamics of a system for a given time."""

from __future__ import annotations

import numbers
import warnings

from .._warnings import UbermagDiracWarning
from ..terms import system_checks
from . import output
from .driver import Driver, _engine_default
from .evolvers import is_thermal, thermal_settings
from .oommfc_evolvers import (
    check_time_evolver_system,
    is_time_evolver,
    time_evolver_record,
    time_evolver_settings,
)

#: oommfc.TimeDriver's automatic evolver: ZhangLi before Slonczewski
_OOMMFC_EVOLVER_CHOICE = ("SpinTEvolve", "SpinTEvolve_3d", "SpinXferEvolve")

__all__ = ["TimeDriver"]

#: a drive whose t / h_max exceeds this many steps warns first
MAX_MIN_STEPS = 10**8


class _Converged(Exception):
    """Raised from the stage callback to end a drive early (``stopping_dm_dt``)."""


class TimeDriver(Driver):
    r"""Time driver: integrates the LLG equation of ``system.dynamics``.

    ``drive(system, t=..., n=...)`` integrates for ``t`` seconds, split into ``n``
    equal stages; after every stage one table row and one magnetisation snapshot
    are written (``t`` is the time since the start of the drive, as in OOMMF).
    The engine is adaptive Dormand-Prince 5(4) with the damping tensor solved in
    every cell and all spin-orbit torques of the system (``ud.DiracSOT``,
    ``ud.AnisotropicDamping``, ``mm.Slonczewski``, ...).

    Parameters (settings)
    ---------------------
    stopping_dm_dt : float, optional
        deg/ns (OOMMF's unit). When :math:`\max|\mathrm{d}\mathbf m/\mathrm{d}t|`
        at the end of a stage is below it, the drive ends there (the remaining
        stages are not run). OOMMF checks this after every step and then starts
        the next stage; here the check is at stage ends. Default: no check.
    tol : float, optional
        Allowed local error of the unit magnetisation per step (max-norm over
        cells), default ``1e-6``.
    h_max : float, optional
        Largest time step (s), default ``1e-10`` (OOMMF's ``max_timestep``);
        at least the integrator's smallest step ``1e-20`` s, and a drive that
        needs more than ``1e8`` steps of ``h_max`` warns first.
    n_threads : int, optional
        Engine threads (numba kernels and FFT), default 1 (``threads``:
        deprecated old name). The drive argument ``n_threads`` (oommfc's)
        overrides it for one drive.
    method : str, optional
        Runge-Kutta pair by OOMMF's name (``Oxs_RungeKuttaEvolve``'s
        ``method``): ``"auto"`` (default: OOMMF's ``"rkf54"``, with classical RK4 where
        the step is limited by stability), ``"rkf54"``, ``"rkf54m"``, ``"rkf54s"``.
    demag_precision : str, optional
        ``"double"`` (default) or ``"single"`` demagnetisation FFTs (float32
        transforms added to the float64 field; standard problem 4 stays within
        4e-7 of the double-precision trace, 1.4x less CPU).
    evolver : optional
        oommfc's T = 0 evolvers (``ud.RungeKuttaEvolver``, ``ud.SpinTEvolver``,
        ``ud.SpinXferEvolver``, or oommfc's own instances): ``method`` and
        ``max_timestep`` set ``method`` and ``h_max``, attributes that oommfc
        fills from the system must agree with it, and what the engine cannot
        honour is refused (``ud.EulerEvolver`` among them); see
        :mod:`ubermag_dirac.drivers.oommfc_evolvers`. For finite temperature:
        ``ud.StochasticHeunEvolver(dt=..., seed=...)`` or one of oommfc's
        thermal evolvers (``ud.Xf_ThermHeunEvolver``, ``ud.UHH_ThetaEvolver``,
        ``ud.Xf_ThermSpinXferEvolver``, or oommfc's own); see
        :mod:`ubermag_dirac.drivers.evolvers`.

    Finite temperature: ``system.T`` (K, > 0) is honoured with a thermal evolver:
    the drive integrates the stochastic LLG with Brown's thermal field per cell
    (noise covariance following the damping tensor, none from the current-driven
    torques, none in empty or fixed cells) by the fixed-step stochastic Heun scheme
    (:mod:`ubermag_dirac.engine.stochastic`). Without an evolver a system at
    ``T > 0`` is refused with a ``RuntimeError``, as ``oommfc`` does. The seed
    actually used and the step are recorded in ``info.json`` (``thermal_seed``,
    ``thermal_dt``), and the table gets the temperature column ``T`` (K).

    Table columns (``system.table.data``): ``E``, ``E_calc_count``, ``max_dm/dt``
    (deg/ns), ``max_mxHxm`` (A/m), ``E_<term>`` (J, one per energy term),
    ``iteration``, ``stage_iteration``, ``stage``, ``mx``, ``my``, ``mz``, ``t``
    (s); for every time-dependent Zeeman term with a uniform field (OOMMF's
    ``Oxs_ScriptUZeeman``), the applied field ``B_<term>``, ``Bx_<term>``,
    ``By_<term>``, ``Bz_<term>`` (mT, :math:`\mu_0 \mathbf H(t)`); and for every
    dynamics term built with ``from_surface``, the pumped charge current averaged
    over the magnetic cells, ``Jpump_x``, ``Jpump_y``, ``Jpump_z`` (A/m^2;
    suffixed ``_<term name>`` when there are several). Current terms add OOMMF's
    columns whenever present (constant or time-dependent): ``average_u`` (m/s,
    ``mm.ZhangLi``; a vector ``u`` gives OOMMF's
    ``SpinTEvolve_3d:evolver:average u``, ``... ux``, ``uy``, ``uz``) and
    ``average_J`` (A/m^2, ``mm.Slonczewski``), the parameter averaged over all
    cells (as OOMMF) times the time factor; ``ud.DiracSOT`` adds
    ``average_H_DL``, ``average_H_FL`` and ``ud.SpinHallSOT`` ``average_H_SH``
    (A/m), the amplitudes applied, averaged over the magnetic cells (suffixed
    ``_<term name>`` when several terms give the same column). ``mx``, ``my``,
    ``mz`` are OOMMF's :math:`\sum M_s\mathbf m/\sum |M_s|` (empty cells do not
    count). The evolver's columns are labelled by the evolver ``oommfc`` would run
    the system with, so that ubermagtable gives them OOMMF's names: with
    ``mm.ZhangLi`` (``SpinTEvolve``), ``mm.Slonczewski`` (``SpinXferEvolve``) or a
    thermal evolver, ``max_dm/dt`` is ``max_dmdt``; with a vector ``u``
    (``SpinTEvolve_3d``, which ubermagtable does not rename) ``E``,
    ``E_calc_count`` and ``max_dm/dt`` keep OOMMF's labels
    (``SpinTEvolve_3d:evolver:Total energy``, ...).

    Examples
    --------
    >>> import os, tempfile
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 1e-9), n=(4, 4, 1))
    >>> system = mm.System(name="precession")
    >>> system.energy = mm.Zeeman(H=(0, 0, 1e6))
    >>> system.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.5)
    >>> system.m = df.Field(mesh, nvdim=3, value=(1, 0, 1), norm=8e5)
    >>> td = ud.TimeDriver()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     td.drive(system, t=50e-12, n=5, dirname=tmp, verbose=0)
    ...     sorted(os.listdir(os.path.join(tmp, "precession", "drive-0")))[:4]
    ['info.json', 'm0.omf', 'precession-My_TimeDriver-Magnetization-00-...omf', ...]
    >>> system.drive_number, len(system.table.data), system.table.x
    (1, 5, 't')
    >>> float(system.m.orientation.mean()[2]) > 0.99  # relaxed towards +z
    True

    A time that is not positive, or a term the engine cannot run, is refused
    before anything is written:

    >>> td.drive(system, t=-1e-12, n=5)
    Traceback (most recent call last):
    ...
    ValueError: Cannot drive with t=-1e-12.
    >>> class SpinPumping(mm.DynamicsTerm):  # a term the engine does not know
    ...     _allowed_attributes = []
    ...     _reprlatex = ""
    ...
    ...     def dmdt(self, m, Heff):
    ...         raise NotImplementedError
    >>> system.dynamics += SpinPumping()
    >>> td.drive(system, t=1e-12, n=1)
    Traceback (most recent call last):
    ...
    ubermag_dirac.engine.registry.UnsupportedTermError: SpinPumping (name 'spinp...
    """

    _allowed_attributes = (
        "stopping_dm_dt",
        "tol",
        "h_max",
        "n_threads",
        "method",
        "demag_precision",
        "evolver",
    )
    _drive_kwargs = ("t", "n")
    _odt_driver = "TimeDriver"
    _odt_evolver = "RungeKuttaEvolve"
    _dynamics_columns = True

    def __init__(self, **kwargs):
        evolver = kwargs.pop("evolver", None)
        super().__init__(**kwargs)
        if evolver is not None:
            if is_time_evolver(evolver):
                # refuses what cannot be honoured, now (the system's part: at drive)
                self._check_evolver_settings(time_evolver_settings(evolver))
            elif is_thermal(evolver):
                thermal_settings(evolver)  # refuses what cannot be honoured, now
            # another type is refused by drive() (TypeError), as oommfc does
            self.evolver = evolver
        self._thermal_info = {}

    def _check_evolver_settings(self, from_evolver):
        """An evolver's setting given again to the driver must be the same."""
        for key, value in from_evolver.items():
            mine = getattr(self, key, None)
            if mine is not None and mine != value:
                raise ValueError(
                    f"TimeDriver: {key}={mine!r} and the evolver's equivalent "
                    f"({value!r}) disagree; give it once."
                )

    @property
    def _thermal_evolver(self):
        """The finite-temperature evolver, or None."""
        evolver = getattr(self, "evolver", None)
        return evolver if evolver is not None and is_thermal(evolver) else None

    @property
    def _oommfc_evolver(self):
        """The oommfc T = 0 evolver (``RungeKuttaEvolver``, ...), or None."""
        evolver = getattr(self, "evolver", None)
        return evolver if evolver is not None and is_time_evolver(evolver) else None

    def settings(self) -> dict:
        """All settings, the defaults filled in; an oommfc evolver's ``method``,
        ``max_timestep`` (``h_max``) and error bound (``tol``) included.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> td = ud.TimeDriver(evolver=ud.RungeKuttaEvolver(max_timestep=1e-12))
        >>> td.settings()["h_max"]
        1e-12
        """
        out = super().settings()
        if self._oommfc_evolver is not None:
            out.update(time_evolver_settings(self._oommfc_evolver))
        return out

    def _checkargs(self, kwargs):
        for key in ("t", "n"):
            if key not in kwargs:
                raise TypeError(
                    f"TimeDriver.drive() missing required keyword argument {key!r}."
                )
        t, n = kwargs["t"], kwargs["n"]
        if isinstance(t, bool) or not isinstance(t, numbers.Real):
            raise ValueError(f"Cannot drive with {type(t)=}.")
        if not t > 0 or t == float("inf"):
            raise ValueError(f"Cannot drive with {t=}.")
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise ValueError(f"Cannot drive with {type(n)=}.")
        if n <= 0:
            raise ValueError(f"Cannot drive with {n=}.")
        kwargs["t"], kwargs["n"] = float(t), int(n)
        h_max = self.settings()["h_max"]
        if kwargs["t"] / h_max > MAX_MIN_STEPS:
            warnings.warn(
                f"TimeDriver: h_max = {h_max:g} s makes a drive of t = {t:g} s take "
                f"at least {kwargs['t'] / h_max:.3g} steps; raise h_max (default "
                f"{_engine_default('h_max'):g} s) unless that is intended.",
                UbermagDiracWarning,
                stacklevel=4,
            )
        if kwargs.get("output_step"):
            raise ValueError(
                "TimeDriver: output_step=True is not supported (output is written at "
                "stage ends); increase n for more output."
            )

    def _check_system(self, system):
        """Checks that the system has dynamics and energy (as oommfc).

        Also refuses terms built with ``from_surface`` for another ``Ms`` or
        thickness than the system's, and warns about dynamics without
        ``mm.Precession`` where a term was almost certainly forgotten
        (:mod:`ubermag_dirac.terms.system_checks`).
        """
        if len(system.dynamics) == 0:
            raise RuntimeError("System's dynamics is not defined")
        if len(system.energy) == 0:
            raise RuntimeError("System's energy is not defined")
        self._check_common(system)
        system_checks.check_dynamics(system, stacklevel=5)
        evolver = getattr(self, "evolver", None)
        if evolver is not None and not (
            is_thermal(evolver) or is_time_evolver(evolver)
        ):
            raise TypeError(
                f"Cannot use {type(evolver)} for evolver: TimeDriver takes "
                "oommfc's T = 0 evolvers (ud.RungeKuttaEvolver, "
                "ud.SpinTEvolver, ud.SpinXferEvolver) or a finite-temperature "
                "one (ud.StochasticHeunEvolver, ud.Xf_ThermHeunEvolver, "
                "ud.UHH_ThetaEvolver, ud.Xf_ThermSpinXferEvolver)."
            )
        if self._oommfc_evolver is not None:
            evolver = self._oommfc_evolver
            self._check_evolver_settings(time_evolver_settings(evolver))
            if system.T > 0:  # as oommfc
                raise TypeError(
                    f"Evolver {type(evolver).__name__} does not support finite "
                    f"temperature (system.T = {system.T} K); use a thermal evolver, "
                    "e.g. ud.TimeDriver(evolver=ud.Xf_ThermHeunEvolver())."
                )
            check_time_evolver_system(evolver, system)
        if system.T > 0 and getattr(self, "evolver", None) is None:
            raise RuntimeError(
                f"For simulations at finite temperature (system.T = {system.T} K) the "
                "evolver must be specified explicitly (as in oommfc), e.g. "
                "ud.TimeDriver(evolver=ud.StochasticHeunEvolver(seed=1)) or "
                "ud.TimeDriver(evolver=ud.Xf_ThermHeunEvolver())."
            )

    # -------------------------------------------------------- temperature
    def _engine_settings(self) -> dict:
        settings = super()._engine_settings()
        evolver = self._thermal_evolver
        if evolver is not None:
            thermal = thermal_settings(evolver)
            settings.update(
                temperature=None,  # system.T
                seed=thermal["seed"],
                thermal_dt=thermal["thermal_dt"],
                step_fraction=thermal["step_fraction"],
            )
        return settings

    def _make_engine(self, system, **kwargs):
        engine, engine_system = super()._make_engine(system, **kwargs)
        self._thermal_info = {}
        if engine.thermal is not None:
            self._thermal_info = {
                "thermal_seed": engine.thermal.entropy,
                "thermal_dt": float(engine.thermal_step()[0]),
            }
        return engine, engine_system

    def _info_extra(self) -> dict:
        extra = dict(self._thermal_info)
        if self._oommfc_evolver is not None:
            extra["oommf_evolver"] = time_evolver_record(self._oommfc_evolver)
        return extra

    def _evolver_label(self, engine) -> str:
        """The evolver ``oommfc.TimeDriver`` runs the same system with.

        The thermal evolver's (``ThermHeunEvolve``, ...); else, as oommfc's
        automatic choice, ``SpinTEvolve`` (``SpinTEvolve_3d`` for a vector u)
        with ``mm.ZhangLi``, ``SpinXferEvolve`` with ``mm.Slonczewski``, and
        ``RungeKuttaEvolve`` otherwise. ubermagtable names the columns after
        it: ``max_dm/dt`` (RungeKuttaEvolve), ``max_dmdt`` (the others).
        """
        if self._thermal_evolver is not None:
            return thermal_settings(self.evolver)["label"]
        labels = [
            impl.oommf_evolver
            for impl in engine.dynamics_terms.values()
            if impl.oommf_evolver is not None
        ]
        for label in _OOMMFC_EVOLVER_CHOICE:
            if label in labels:
                return label
        return self._odt_evolver

    def _extra_columns(self, recorder) -> list:
        """The temperature column of OOMMF's thermal evolvers (ubermagtable: T)."""
        if self._thermal_evolver is None:
            return []
        label = thermal_settings(self.evolver)["label"]
        return [output.Column(f"{label}:evolver:Temperature", "K")]

    def _extra_values(self, recorder, t) -> dict:
        if self._thermal_evolver is None:
            return {}
        return {"T": float(recorder.system.T)}

    @property
    def _x(self):
        return "t"

    @classmethod
    def _defaults(cls):
        return {
            "stopping_dm_dt": None,
            "tol": _engine_default("tol"),
            "h_max": _engine_default("h_max"),
            "n_threads": 1,
            "method": _engine_default("method"),
            "demag_precision": _engine_default("demag_precision"),
            "evolver": None,
        }

    def _n_stages(self, kwargs):
        return kwargs["n"]

    def _progress_spec(self, engine, kwargs):
        """Progress in simulated time (ns, or ps for drives under 1 ns)."""
        t = kwargs["t"]
        scale, unit = (1e9, "ns") if t >= 1e-9 else (1e12, "ps")
        t0 = engine.t
        return t * scale, unit, lambda: (engine.t - t0) * scale

    def _run(self, engine, recorder, progress, t, n, **kwargs):
        threshold = self.settings()["stopping_dm_dt"]
        start = engine.stats["steps"]
        previous = [start]

        def callback(stage, t_stage, m):
            steps = engine.stats["steps"]
            recorder.iteration = steps - start
            recorder.stage_iteration = steps - previous[0]
            previous[0] = steps
            row = recorder.record(stage, t_stage, m)
            progress.update()
            if threshold is not None and stage < n - 1:
                if row[recorder.evolver_names["max_dm/dt"]] < threshold:
                    raise _Converged

        try:
            engine.run(t, n, callback)
        except _Converged:
            pass
