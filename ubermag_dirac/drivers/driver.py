"""Base class of the ubermag-dirac drivers.

The drivers subclass :class:`micromagneticmodel.ExternalDriver`, the base of
``oommfc``'s and ``mumax3c``'s drivers, and keep its user-facing workflow: drive
directories ``<dirname>/<system.name>/drive-<N>`` numbered on from the ones already
there (whichever calculator wrote them), ``append``, ``info.json`` with the drive
keyword arguments and ``success``, and ``system.m``, ``system.table`` and
``system.drive_number`` updated after the run. The calculator is the in-process
finite-difference engine :class:`ubermag_dirac.engine.Engine` instead of an external
program.

Differences from ``ExternalDriver.drive``, on purpose:

* the engine is built, and so every term checked, before the drive directory is
  made: an unsupported term raises
  :class:`~ubermag_dirac.engine.registry.UnsupportedTermError` and nothing is written;
* a failed run (any exception, ``KeyboardInterrupt`` included) records
  ``"success": false`` in ``info.json``, re-raises, and leaves ``system.m``,
  ``system.table`` and ``system.drive_number`` as they were (the partial table and
  snapshots stay in the drive directory for inspection);
* the working directory is not changed (all paths are absolute).
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import datetime
import importlib.metadata
import json
import os
import warnings
from typing import TYPE_CHECKING

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import ubermagtable as ut

from .. import _atomic
from .._warnings import UbermagDiracDeprecationWarning, UbermagDiracWarning
from ..constants import MU0
from ..terms.dirac_sot import pumping_spec
from . import output
from .progress import Progress

if TYPE_CHECKING:
    import pathlib

    from ..engine import Engine

__all__ = ["Driver"]

_OVF_FORMATS = ("bin8", "bin4", "txt")

#: Drive keyword arguments that every driver accepts (see ``drive_kwargs_setup``).
_COMMON_DRIVE_KWARGS = (
    "fixed_subregions",
    "output_step",
    "n_threads",
    "save",
    "overwrite",
)

#: settings that are counts
_INT_SETTINGS = ("n_threads", "max_iterations")

#: settings that name one of a few choices (the engine's keyword arguments)
_CHOICE_SETTINGS = ("method", "demag_precision")


def _one_of(value, what):
    if what == "method":
        from ..engine.integrators import METHODS as choices
    else:
        choices = ("double", "single")
    if value not in choices:
        raise ValueError(f"{what}: expected one of {list(choices)}, got {value!r}.")


#: settings that may be set to None (off)
_OPTIONAL_SETTINGS = ("stopping_mxHxm", "stopping_dm_dt", "alpha")

#: rad/s per deg/ns (OOMMF reports and limits dm/dt in deg/ns).
DEG_PER_NS = np.pi / 180.0 * 1e9

#: a drive that writes more files, or more bytes of snapshots, warns first
MAX_FILES = 10_000
MAX_BYTES = 2**30
_BYTES_PER_VALUE = {"bin8": 8, "bin4": 4, "txt": 25}


def _integrator_h_min() -> float:
    """The smallest step (s) of the engine's integrator: below it a run fails."""
    import inspect

    from ..engine.integrators import DormandPrince45

    return inspect.signature(DormandPrince45).parameters["h_min"].default


def _check_h_max(h_max, who):
    h_min = _integrator_h_min()
    if h_max is not None and h_max < h_min:
        raise ValueError(
            f"{who}: h_max = {h_max!r} s is below the integrator's smallest step "
            f"h_min = {h_min:g} s, so no step could be taken; use h_max >= "
            f"{h_min:g} s (default {_engine_default('h_max'):g} s)."
        )


def _warn_output_size(system, n_snapshots, ovf_format, who):
    """Warn before a drive writes an unusual number or volume of files."""
    n_cells = int(np.prod(system.m.mesh.n))
    size = n_snapshots * (n_cells * 3 * _BYTES_PER_VALUE[ovf_format] + 1024)
    n_files = n_snapshots + 4  # m0.omf, info.json, the table and the input record
    if n_files > MAX_FILES or size > MAX_BYTES:
        warnings.warn(
            f"{who}: this drive writes {n_files} files with about "
            f"{size / 2**20:.0f} MiB of magnetisation snapshots (one per stage); "
            "reduce the number of stages (n) for fewer.",
            UbermagDiracWarning,
            stacklevel=4,
        )


def _working_directory(system, dirname, mode, append):
    """``(workdir, number)`` of a new drive/compute folder.

    ``micromagneticmodel`` sets ``system.<mode>_number`` before it creates the
    folder; here the number is restored whatever happens, so a failure (a
    file of the system's name, a read-only folder) changes nothing about the
    system.
    """
    attr = f"{mode}_number"
    old = getattr(system, attr)
    try:
        workdir = mm.ExternalDriver._setup_working_directory(
            system=system, dirname=dirname, mode=mode, append=append
        ).absolute()
        return workdir, getattr(system, attr)
    finally:
        setattr(system, attr, old)


def _remove_if_empty(folder):
    """Remove a drive folder that a failure left empty (nothing to inspect)."""
    with contextlib.suppress(OSError):
        if not any(os.scandir(folder)):
            os.rmdir(folder)


def _engine_class():
    from ..engine import Engine

    return Engine


def _engine_default(name: str):
    """Default of the engine's keyword argument ``name`` (``tol``, ``h_max``)."""
    import inspect

    return inspect.signature(_engine_class()).parameters[name].default


def _positive_int(value, what):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{what}: expected a positive integer, got {value!r}.")
    return int(value)


def _positive_number(value, what):
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise TypeError(f"{what}: expected a number, got {value!r}.")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{what}: expected a positive number, got {value!r}.")
    return float(value)


def _pumping_terms(system) -> list:
    """Dynamics terms built with ``from_surface`` (they carry a Dirac surface)."""
    return [term for term in system.dynamics if pumping_spec(term) is not None]


@dataclasses.dataclass(eq=False, repr=False)
class _Recorder:
    """Table rows and snapshots of one drive.

    ``record(stage, t, m)`` evaluates the engine at the state ``m`` (``(1, 3, nx,
    ny, nz)`` unit vectors) and time ``t`` and appends one ODT row and, unless
    ``snapshot=False``, one OMF snapshot. Counters ``iteration`` and
    ``stage_iteration`` are set by the driver before each call. Made from the
    driver, the user's system, the system the engine runs, the engine, the drive
    folder, the OVF format of the snapshots and the number of stages.
    """

    driver: Driver
    system: mm.System
    engine_system: mm.System
    engine: Engine
    workdir: pathlib.Path
    ovf_format: str
    n_stages: int

    def __post_init__(self):
        self.name = self.system.name
        Ms = np.linalg.norm(np.asarray(self.system.m.array, dtype=float), axis=-1)
        self.Ms = Ms
        # OOMMF's Oxs_Driver (normalize_aveM): <m> = sum(Ms m) / sum |Ms|, the
        # average over the magnetic cells weighted by Ms (1 where Ms = 0 everywhere)
        total = float(np.abs(Ms).sum())
        self.scale = 1.0 / total if total > 0 else 1.0
        self.energy_terms = list(self.engine_system.energy)
        self.has_dynamics = (
            self.driver._dynamics_columns and len(self.engine_system.dynamics) > 0
        )
        self.pumping = _pumping_terms(self.engine_system)
        self.applied_fields = self._applied_field_terms()
        self.term_columns = self._term_columns()
        self.columns = self._columns()
        self.odt = output.OdtWriter(
            self.workdir / f"{self.name}.odt",
            self.columns,
            title=f"ubermag-dirac {type(self.driver).__name__} data table",
        )
        self.iteration = 0
        self.stage_iteration = 0
        self.last_m = None
        self.snapshots = 0
        self.recorded_iteration = None

    def _columns(self) -> list[output.Column]:
        d, ev = type(self.driver)._odt_driver, self.driver._evolver_label(self.engine)
        evolver = [("E", output.Column(f"{ev}:evolver:Total energy", "J"))]
        if self.driver._x == "t":
            label = f"{ev}:evolver:Energy calc count"
            evolver.append(("E_calc_count", output.Column(label)))
        if self.has_dynamics:
            label = f"{ev}:evolver:Max dm/dt"
            evolver.append(("max_dm/dt", output.Column(label, "deg/ns")))
        #: the evolver's columns by role: their names follow OOMMF's evolver
        #: (ubermagtable: ``max_dm/dt`` of RungeKuttaEvolve, ``max_dmdt`` of
        #: SpinTEvolve, raw labels of SpinTEvolve_3d)
        self.evolver_names = {role: column.name for role, column in evolver}
        cols = [column for _, column in evolver]
        cols.append(output.Column("max_mxHxm", "A/m"))
        cols += [
            output.Column(output.energy_label(term), "J") for term in self.energy_terms
        ]
        for name in self.applied_fields:
            oxs = self.driver._applied_field_class(name)
            cols += [
                output.Column(f"{oxs}:{name}:{c}", "mT")
                for c in ("B", "Bx", "By", "Bz")
            ]
        cols += [
            output.Column(f"{d}::Iteration"),
            output.Column(f"{d}::Stage iteration"),
            output.Column(f"{d}::Stage"),
            output.Column(f"{d}::mx"),
            output.Column(f"{d}::my"),
            output.Column(f"{d}::mz"),
        ]
        if self.driver._x == "t":
            cols.append(output.Column(f"{d}::Simulation time", "s"))
        for label in self._pumping_labels():
            cols.append(output.Column(label, "A/m^2"))
        cols += self.driver._extra_columns(self)
        cols += [column for _, column in self.term_columns]
        return cols

    def _term_columns(self) -> list[tuple[object, output.Column]]:
        """Columns that the dynamics terms report (``average_u``, ``average_J``, ...).

        Each term implementation names its own (``table_columns``); a label that
        several terms give is suffixed ``_<term name>``.
        """
        if not self.has_dynamics:
            return []
        found = [
            (impl, label, unit)
            for impl in self.engine.dynamics_terms.values()
            for label, unit in impl.table_columns()
        ]
        labels = [label for _, label, _ in found]
        return [
            (
                impl,
                output.Column(
                    label if labels.count(label) == 1 else f"{label}_{impl.name}", unit
                ),
            )
            for impl, label, unit in found
        ]

    def _applied_field_terms(self) -> list[str]:
        """Names of the time-dependent Zeeman terms with a uniform field.

        OOMMF runs them as ``Oxs_ScriptUZeeman`` (the hysteresis field as
        ``Oxs_UZeeman``), whose tables report the applied field ``B``, ``Bx``,
        ``By``, ``Bz`` (mT); ubermagtable reads them as ``B_<name>``, ...
        """
        names = []
        for term in self.energy_terms:
            impl = self.engine.energy_terms[term.name]
            if isinstance(term, mm.Zeeman) and impl.time_dependent and impl.uniform:
                names.append(term.name)
        return names

    def _pumping_labels(self) -> list[str]:
        labels = []
        for term in self.pumping:
            suffix = "" if len(self.pumping) == 1 else f"_{term.name}"
            labels += [f"Jpump_{c}{suffix}" for c in "xyz"]
        return labels

    def values(self, stage: int, t: float, m: np.ndarray, extra: dict) -> dict:
        engine = self.engine
        energies = engine.energies(m, t)
        names = self.evolver_names
        row = {
            names["E"]: float(energies["total"][0]),
            "max_mxHxm": float(engine.max_mxHxm(m, t)[0]),
        }
        if "E_calc_count" in names:
            row[names["E_calc_count"]] = engine.stats["evaluations"]
        dmdt = None
        if self.has_dynamics:  # one evaluation serves max dm/dt and pumping
            dmdt = np.asarray(engine.dmdt(m, t), dtype=float)[0]
            max_dmdt = float(np.sqrt((dmdt * dmdt).sum(axis=0)).max())
            row[names["max_dm/dt"]] = max_dmdt / DEG_PER_NS
        for term in self.energy_terms:
            name = output.Column(output.energy_label(term), "J").name
            row[name] = float(energies[term.name][0])
        for name in self.applied_fields:
            B = engine.energy_terms[name].applied_field(t)[0] * (MU0 * 1e3)  # mT
            row[f"B_{name}"] = float(np.linalg.norm(B))
            for c in range(3):
                row[f"B{'xyz'[c]}_{name}"] = float(B[c])
        m0 = np.asarray(m, dtype=float)[0]
        avg = (self.Ms[None] * m0).reshape(3, -1).sum(axis=1) * self.scale
        row.update(
            {
                "iteration": self.iteration,
                "stage_iteration": self.stage_iteration,
                "stage": stage,
                "mx": avg[0],
                "my": avg[1],
                "mz": avg[2],
            }
        )
        if "t" in self.odt.names:
            row["t"] = t
        if self.pumping:
            mask = self.Ms > 0
            labels = self._pumping_labels()
            for k, term in enumerate(self.pumping):
                J = _pumped_current(term, m0, dmdt, mask)
                for c in range(3):
                    row[labels[3 * k + c]] = J[c]
        row.update(self.driver._extra_values(self, t))
        values = {}
        for impl, column in self.term_columns:
            if impl not in values:
                values[impl] = iter(np.asarray(impl.table_values(t), float)[0])
            row[column.name] = float(next(values[impl]))
        row.update(extra)
        return row

    def record(self, stage, t, m, snapshot=True, **extra) -> dict:
        row = self.values(stage, t, m, extra)
        self.recorded_iteration = self.iteration
        self.last_m = np.array(np.asarray(m)[0], dtype=float, copy=True)
        if snapshot:  # before the row: a table row always has its snapshot
            fname = output.snapshot_name(
                self.name,
                type(self.driver).__name__,
                stage,
                self.iteration,
                n_stages=self.n_stages,
            )
            output.write_snapshot(
                self.workdir / fname, self.field(self.last_m), self.ovf_format
            )
            self.snapshots += 1
        self.odt.write_row(row)
        return row

    def field(self, m0: np.ndarray) -> df.Field:
        """``Ms m`` (A/m) on the system's mesh (subregions kept)."""
        return df.Field(
            self.system.m.mesh,
            nvdim=3,
            value=np.moveaxis(self.Ms[None] * m0, 0, -1),
            vdims=self.system.m.vdims,
            unit=self.system.m.unit,
            valid=self.system.m.valid,
        )


def _pumped_current(term, m0, dmdt, mask) -> tuple[float, float, float]:
    """Average over magnetic cells of the pumped charge current (A/m^2)."""
    m_cells = np.moveaxis(m0, 0, -1)[mask]
    dmdt_cells = np.moveaxis(dmdt, 0, -1)[mask]
    surface, kwargs = pumping_spec(term)
    J = np.asarray(surface.pumped_current(m_cells, dmdt_cells, **kwargs), float)
    J = J.reshape(-1, 3).mean(axis=0)
    return float(J[0]), float(J[1]), float(J[2])


class Driver(mm.ExternalDriver):
    """Base class of the ubermag-dirac drivers (``TimeDriver``, ``MinDriver``, ...).

    Subclasses set ``_allowed_attributes`` (settings accepted by the constructor),
    ``_drive_kwargs`` (their own drive keyword arguments), ``_x`` and implement
    ``_checkargs``, ``_check_system`` and ``_run``.
    """

    #: OOMMF-style driver label of the table columns (``<label>::Iteration`` ...)
    _odt_driver = "MinDriver"
    #: OOMMF-style evolver label of the table columns (``<label>:evolver:...``)
    _odt_evolver = "CGEvolve"
    #: the driver's own drive keyword arguments
    _drive_kwargs: tuple[str, ...] = ()
    #: unit of the progress bar when it counts stages
    _progress_unit = "stage"
    #: whether the table has dm/dt columns (``max_dm/dt``, pumped currents)
    _dynamics_columns = False

    def __init__(self, **kwargs):
        if "threads" in kwargs:
            if "n_threads" in kwargs:
                raise TypeError(
                    f"{type(self).__name__}: give n_threads only (threads is its "
                    "deprecated old name)."
                )
            warnings.warn(
                f"{type(self).__name__}(threads=...) is deprecated: the setting is "
                "called n_threads, as the drive() argument and ud.compute's (and "
                "oommfc's) are; use n_threads=...",
                UbermagDiracDeprecationWarning,
                stacklevel=2,
            )
            kwargs["n_threads"] = kwargs.pop("threads")
        unknown = sorted(
            k for k in kwargs if k not in self._allowed_attributes and k != "name"
        )
        if unknown:
            raise AttributeError(
                f"{type(self).__name__}: invalid setting(s) {unknown}; allowed: "
                f"{sorted(self._allowed_attributes)}."
            )
        super().__init__(**kwargs)
        for attr in self._allowed_attributes:
            if hasattr(self, attr) and not (
                getattr(self, attr) is None and attr in _OPTIONAL_SETTINGS
            ):
                if attr in _CHOICE_SETTINGS:
                    _one_of(getattr(self, attr), attr)
                    continue
                check = _positive_int if attr in _INT_SETTINGS else _positive_number
                check(getattr(self, attr), attr)
        if "h_max" in self._allowed_attributes:
            _check_h_max(getattr(self, "h_max", None), type(self).__name__)

    # ------------------------------------------------------------- validation
    def drive_kwargs_setup(self, drive_kwargs):
        """Check the drive keyword arguments and fill in defaults (in place).

        Accepted by every driver:

        ``n_threads`` : int, optional
            Engine threads (numba kernels and FFT) for this drive: oommfc's
            argument, here overriding the driver's ``n_threads`` setting (same
            name; default 1).
        ``output_step`` : bool, optional
            More table rows and snapshots than one per stage (``MinDriver``,
            ``RelaxDriver``: the start and every 100 iterations). Default ``False``.
        ``save``, ``overwrite``
            Accepted for scripts written for older oommfc, which oommfc 0.66
            ignores as well: every drive is saved in a new directory.
            ``save=False`` is refused.
        ``fixed_subregions`` : list of str, optional
            Subregions of the mesh whose magnetisation stays fixed during the
            drive (oommfc's argument, OOMMF's ``fixed_spins``): their cells keep
            acting on the others through every energy term but do not move.

        Anything else, apart from the driver's own arguments (e.g. ``t`` and ``n``
        of ``TimeDriver``), raises ``TypeError``.
        """
        allowed = set(_COMMON_DRIVE_KWARGS) | set(self._drive_kwargs)
        unknown = sorted(set(drive_kwargs) - allowed)
        if unknown:
            hint = ""
            if "compute" in unknown:
                hint = (
                    " ('compute' is oommfc's MIF Schedule string; use "
                    "ubermag_dirac.compute(func, system) instead.)"
                )
            raise TypeError(
                f"{type(self).__name__}.drive() got unexpected keyword argument(s) "
                f"{unknown}; accepted: {sorted(allowed)}.{hint}"
            )
        if drive_kwargs.get("save", True) is not True:
            raise ValueError("save=False is not supported: every drive is saved.")
        drive_kwargs.pop("save", None)
        drive_kwargs.pop("overwrite", None)
        fixed = drive_kwargs.setdefault("fixed_subregions", None)
        if fixed is not None and (
            isinstance(fixed, str)
            or not isinstance(fixed, list | tuple)
            or not all(isinstance(name, str) for name in fixed)
        ):
            raise TypeError(
                f"fixed_subregions: expected a list of subregion names, got {fixed!r}."
            )
        output_step = drive_kwargs.setdefault("output_step", False)
        if not isinstance(output_step, bool):
            raise TypeError(f"output_step: expected a bool, got {output_step!r}.")
        n_threads = drive_kwargs.setdefault("n_threads", None)
        if n_threads is not None:
            _positive_int(n_threads, "n_threads")
        self._checkargs(drive_kwargs)

    def _checkargs(self, kwargs):
        """Check (and complete, in place) the driver's own drive keyword arguments."""

    def schedule_kwargs_setup(self, schedule_kwargs):
        """Not supported; see `schedule`."""
        self._no_schedule()

    def schedule(self, system, cmd, header, **kwargs):
        """Not supported: the engine runs in the Python process that calls ``drive``.

        ``oommfc`` writes an OOMMF run script for a batch system; an in-process
        engine has no such script. Submit a Python script that calls ``drive``.

        Raises
        ------
        NotImplementedError
            Always (a ``RuntimeError`` subclass), before anything is written.
        """
        self._no_schedule()

    def _no_schedule(self):
        raise NotImplementedError(
            f"{type(self).__name__}.schedule() is not supported by ubermag-dirac: the "
            "engine runs in-process, so there is no calculator script to submit. "
            "Submit a Python script that calls drive() instead."
        )

    def _schedule_commands(self, system, runner):
        self._no_schedule()

    # ------------------------------------------------------------------ checks
    def _check_system(self, system):
        """Check that ``system`` can be driven (``RuntimeError`` otherwise)."""
        if len(system.energy) == 0:
            raise RuntimeError("System's energy is not defined")
        self._check_common(system)

    @staticmethod
    def _check_common(system):
        if not isinstance(getattr(system, "m", None), df.Field):
            raise RuntimeError("System's magnetisation (system.m) is not defined")
        for term in [*system.energy, *system.dynamics]:
            bad = [p for p in output._SPLIT_PREFIXES if p in term.name]
            if bad:
                raise ValueError(
                    f"Term name {term.name!r} contains {bad[0]!r}, which the ODT "
                    "table format cannot hold in a column label; rename the term."
                )

    # ------------------------------------------------------------------ engine
    def _engine_system_for(self, system, **kwargs) -> mm.System:
        """The system the engine runs (subclasses leave out irrelevant terms)."""
        return system

    @classmethod
    def _defaults(cls) -> dict:
        """Default of every setting (``None``: not used unless given)."""
        return {"n_threads": 1}

    def settings(self) -> dict:
        """All settings of the driver, the defaults filled in.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> md = ud.MinDriver(stopping_mxHxm=0.01)
        >>> md.settings()  # doctest: +NORMALIZE_WHITESPACE
        {'stopping_mxHxm': 0.01, 'max_iterations': 200000, 'n_threads': 1,
         'evolver': None}
        """
        defaults = self._defaults()
        return {k: getattr(self, k, defaults.get(k)) for k in self._allowed_attributes}

    def _engine_settings(self) -> dict:
        settings = self.settings()
        out = {k: float(settings[k]) for k in ("tol", "h_max") if k in settings}
        # minimisation and relaxation ignore system.T, as OOMMF's CG evolver and
        # mumax3's minimize/relax (oommfc, mumax3c pass no temperature to them);
        # TimeDriver overrides this with a thermal evolver
        out.update(
            {k: settings[k] for k in ("method", "demag_precision") if k in settings}
        )
        out["temperature"] = 0.0
        return out

    def _evolver_label(self, engine) -> str:
        """OOMMF's evolver label of the table's evolver columns (``CGEvolve``, ...)."""
        return self._odt_evolver

    def _extra_columns(self, recorder) -> list:
        """Additional table columns of the driver (``output.Column``)."""
        return []

    def _extra_values(self, recorder, t) -> dict:
        """Values of `_extra_columns` at time ``t`` (by column name)."""
        return {}

    def _make_engine(self, system, n_threads=None, fixed_subregions=None, **kwargs):
        engine_system = self._engine_system_for(system, **kwargs)
        if n_threads is None:
            n_threads = self.settings()["n_threads"]
        engine = _engine_class()(
            engine_system,
            threads=n_threads,
            fixed=fixed_subregions,
            **self._engine_settings(),
        )
        return engine, engine_system

    # ------------------------------------------------------------------- drive
    def drive(
        self,
        system,
        /,
        dirname=".",
        append=True,
        runner=None,
        ovf_format="bin8",
        verbose=1,
        **kwargs,
    ):
        """Drive ``system`` with the ubermag-dirac engine.

        Parameters
        ----------
        system : micromagneticmodel.System
            The system; ``system.m``, ``system.table`` and ``system.drive_number``
            are updated after a successful drive.
        dirname : str or pathlib.Path, optional
            Base directory; results go to ``dirname/<system.name>/drive-<N>``.
            Defaults to the current directory.
        append : bool, optional
            If ``False`` and ``dirname/<system.name>`` exists, raise
            ``FileExistsError``. Defaults to ``True``.
        runner : None
            Only ``None`` (there is no external program to choose).
        ovf_format : str, optional
            Snapshot format: ``"bin8"`` (default), ``"bin4"`` or ``"txt"``.
        verbose : int, optional
            ``0`` silent; ``1`` (default) one summary line, and in a terminal or
            Jupyter a tqdm progress bar with the time left when the drive is
            expected to take more than a few seconds (estimated from the part
            done after one second); ``2`` the bar from the start, also when the
            output goes to a file (:mod:`ubermag_dirac.drivers.progress`).
        **kwargs
            Driver-specific arguments (``t``, ``n`` of ``TimeDriver``; ``Hmin``,
            ``Hmax``, ``n`` or ``Hsteps`` of ``HysteresisDriver``) and those of
            `drive_kwargs_setup`.

        Raises
        ------
        FileExistsError
            If the system directory exists and ``append=False``.
        ubermag_dirac.engine.UnsupportedTermError
            If the system holds a term the engine cannot run (nothing is written).
        ubermag_dirac.engine.IntegrationError
            If the run fails (``info.json`` records ``"success": false``).
        """
        if runner is not None:
            raise TypeError(
                "runner: ubermag-dirac runs its engine in-process; pass runner=None."
            )
        if ovf_format not in _OVF_FORMATS:
            raise ValueError(f"Invalid {ovf_format=}; expected one of {_OVF_FORMATS}.")
        if isinstance(verbose, bool) or not isinstance(verbose, int):
            raise TypeError(f"verbose: expected an int, got {verbose!r}.")
        info_kwargs = dict(kwargs)  # as given, recorded in info.json like oommfc
        self.drive_kwargs_setup(kwargs)
        self._check_system(system)
        _warn_output_size(
            system, self._n_stages(kwargs), ovf_format, type(self).__name__
        )
        engine, engine_system = self._make_engine(system, **kwargs)

        workdir, number = _working_directory(system, dirname, "drive", append)
        start_time = datetime.datetime.now()
        info_path = workdir / "info.json"
        success = False
        try:
            self._write_info(info_path, number, start_time, info_kwargs)
            output.write_field(workdir / "m0.omf", system.m)  # with subregions
            output.write_input_record(
                workdir / f"{system.name}.input.json", system, self, kwargs
            )
            recorder = self._execute(
                system, engine_system, engine, workdir, ovf_format, verbose, kwargs
            )
            new_m = recorder.field(recorder.last_m)
            table = ut.Table.fromfile(str(workdir / f"{system.name}.odt"), x=self._x)
            success = True
        except BaseException as exc:
            exc.add_note(
                f"ubermag-dirac {type(self).__name__}: drive-{number} of system "
                f"{system.name!r} failed; info.json records success=false and the "
                f"partial output (complete files only) stays in {str(workdir)!r}. "
                "system.m, system.table and system.drive_number are unchanged."
            )
            raise
        finally:
            if info_path.exists():
                # after a failure, a failing update (full disk) must not hide
                # the cause; the atomic write keeps the previous info.json
                with contextlib.suppress(*(() if success else (OSError,))):
                    self._finish_info(info_path, start_time, success)
            _remove_if_empty(workdir)
        system.m = new_m
        system.table = table
        system.drive_number = number + 1

    def _execute(
        self, system, engine_system, engine, workdir, ovf_format, verbose, kwargs
    ):
        n_stages = self._n_stages(kwargs)
        recorder = _Recorder(
            self, system, engine_system, engine, workdir, ovf_format, n_stages
        )
        label = f"ubermag-dirac ({type(self).__name__})"
        try:
            total, unit, poll = self._progress_spec(engine, kwargs)
            with Progress(verbose, label, total, unit, poll) as progress:
                self._run(engine, recorder, progress, **kwargs)
        except BaseException:
            with contextlib.suppress(OSError):  # keep the run's error
                recorder.odt.close()
            raise
        recorder.odt.close()
        return recorder

    def _n_stages(self, kwargs) -> int:
        return 1

    def _progress_spec(self, engine, kwargs):
        """``(total, unit, poll)`` of the progress bar (default: stages)."""
        return self._n_stages(kwargs), self._progress_unit, None

    def _applied_field_class(self, name: str) -> str:
        """OOMMF class of the table columns of the applied field of term ``name``."""
        return "ScriptUZeeman"

    @abc.abstractmethod
    def _run(self, engine, recorder, progress, **kwargs):
        """Run the engine, calling ``recorder.record`` for every table row."""

    # --------------------------------------------------------------- info.json
    def _write_info(self, path, number, start_time, drive_kwargs):
        adapter = type(self).__module__.split(".")[0]
        info = {
            "drive_number": number,
            "date": start_time.strftime("%Y-%m-%d"),
            "time": start_time.strftime("%H:%M:%S"),
            "start_time": start_time.isoformat(timespec="seconds"),
            # "adapter" is the ubermag package that talks to the calculator
            "adapter": adapter,
            "adapter_version": importlib.metadata.version(adapter),
            "driver": self._info_driver,
        }
        info.update(self._info_extra())
        info.update(drive_kwargs)
        # false until the drive has succeeded (a kill or a full disk leaves it so)
        info["success"] = False
        _atomic.write_text(path, json.dumps(info, default=output.json_default))

    @property
    def _info_driver(self) -> str:
        return type(self).__name__

    def _info_extra(self) -> dict:
        return {}

    def _finish_info(self, path, start_time, success):
        end_time = datetime.datetime.now()
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
        info["end_time"] = end_time.isoformat(timespec="seconds")
        info["elapsed_time"] = self._conversion_to_hms(end_time - start_time)
        info["success"] = success
        _atomic.write_text(path, json.dumps(info))

    # ---------------------------------------------- ExternalDriver abstractions
    # ``drive`` above does the work of these OOMMF-process hooks in-process.
    def _write_input_files(self, system, **kwargs):  # pragma: no cover
        raise NotImplementedError("ubermag-dirac drivers write their files in drive().")

    def _call(self, system, runner, **kwargs):  # pragma: no cover
        raise NotImplementedError("ubermag-dirac drivers run the engine in drive().")

    def _read_data(self, system):  # pragma: no cover
        raise NotImplementedError("ubermag-dirac drivers update the system in drive().")


class _IterationDriver(Driver):
    """Base of the drivers whose table runs over iterations (``MinDriver``,
    ``RelaxDriver``): no measure of progress but the elapsed time."""

    _x = "iteration"

    def _progress_spec(self, engine, kwargs):
        """No measure of progress: a bar with the elapsed time only."""
        return None, "", None
