r"""Switching phase diagrams of micromagnetic films (the protocol of the macrospin).

:func:`phase_diagram` runs, for every point of a grid of in-plane field
:math:`H_x` (along the current direction :math:`\mathbf j`), spin-orbit torque
amplitude :math:`H_\mathrm{sot}` (:math:`H_\mathrm{DL}` of ``ud.DiracSOT`` or
:math:`H_\mathrm{SH}` of ``ud.SpinHallSOT``) and any further swept parameters,
the protocol of :func:`ubermag_dirac.macrospin.phase_diagram` on a full
micromagnetic film:

1. two starts, magnetisation along :math:`+\mathbf n` and :math:`-\mathbf n`;
2. field relaxation with the current off (energy minimisation, or damped
   dynamics, or none: ``relax``);
3. dynamics for ``t_run`` (s) with the current switched on by ``pulse`` (a
   step at :math:`t = 0` by default, or a trapezoid with rise and fall times,
   ...), the field optionally time dependent (``field_pulse``); the time
   dependences are the terms' own ``func`` (picklable
   :mod:`~ubermag_dirac.switching.pulses`);
4. classification of the final :math:`\langle m_n\rangle` of both starts with
   :func:`ubermag_dirac.macrospin.classify` (same integer codes).

All runs that share the mesh go through one :class:`ubermag_dirac.engine.Engine`
with a leading batch axis (both starts of many grid points advance in one
integration), in chunks whose size follows from a memory estimate; chunks can
be spread over processes with any :class:`concurrent.futures.Executor`, and are
written to a results folder as they finish so that an interrupted sweep resumes
without recomputing them.

Observables
-----------
Per point and start, sampled ``n_samples`` times during the run (every
``t_run / n_samples``):

* ``m_t``: :math:`\langle\mathbf m\rangle(t)` (average over magnetic cells);
* ``mz_spread_t``: standard deviation over the film of :math:`m_n` (0 for a
  uniform state, about 1 for a film split into up and down domains: the
  domain-nucleation indicator);
* ``j_pump_t``: the charge current density pumped by the dynamics (A/m^2,
  averaged over the magnetic cells and the thickness; Onsager-reciprocal of the
  Dirac torque, ``DiracSurface.pumped_current``), only when the torque term
  carries a ``surface`` and ``thickness`` (``ud.DiracSOT.from_surface``).

and derived from them: final ``m``, ``state``, ``switching_time`` (the last
zero crossing of :math:`\langle m_n\rangle` before the end when the final sign
differs from the starting one, linearly interpolated between samples; NaN when
the start keeps its sign), ``min_abs_mz`` (minimum of
:math:`|\langle m_n\rangle|` along the path, including the relaxed start),
``mz_spread_max``, ``j_pump_mean`` (time average over ``t_run``).

When both starts of a grid point are at rest (:math:`\max|\dot{\mathbf m}| <`
``stopping_dm_dt``) after the last change of the pulses, the point stops early:
its systems are taken out of the batch (``Engine.frozen``: no further
evaluations) and its remaining samples hold the final values (``t_stop``
records when); a batch therefore gives every point exactly what a run of that
point alone gives, and costs no more than its points run one by one.
"""

import warnings

import micromagneticmodel as mm
import numpy as np

from .._warnings import UbermagDiracWarning
from ..terms import system_checks
from ._assemble import assemble
from ._batch import DEG_PER_NS
from ._describe import SweepSpec
from ._execute import memory_per_point, run_and_assemble
from ._grid_units import resolve_grid
from ._job import FIELD_TERM
from ._torque import find_torque

__all__ = [
    "DEG_PER_NS",
    "FIELD_TERM",
    "memory_per_point",
    "phase_diagram",
]

# Layout of the sweep (one responsibility per module):
#   _grid_units.py units of the grid (A/m, H_K,eff, current density J)
#   _describe.py  validation of the arguments: SweepSpec, the one description of
#                 the job (fingerprint, Dataset attributes and Job derive from it)
#   _canonical.py process-independent description of values, for fingerprints
#   _torque.py    which dynamics term is the swept torque (its registered Torque)
#   _job.py       the picklable job: builds the systems of some grid points
#   _batch.py     what a worker does: integrate one chunk, sample the observables
#   _execute.py   chunk size (memory estimate), serial or executor execution
#   _store.py     the results folder (chunks, manifest, claims, integrity)
#   _locks.py     inter-process file locks (released when the holder dies)
#   _assemble.py  the Dataset from the metadata and the chunk arrays
#   _trials.py    thermal trials (switching_probability): ProbabilitySpec over a
#                 SweepSpec, what a worker does with a chunk of trials
#   probability.py  switching_probability, its Dataset, compare_probability


def phase_diagram(
    system,
    hx,
    hsot=None,
    *,
    J=None,
    units="A/m",
    params=None,
    term=None,
    pulse=None,
    pulse_dt=None,
    field_pulse=None,
    field_dt=None,
    t_run=2e-9,
    n_samples=100,
    relax="minimise",
    relax_kwargs=None,
    stopping_dm_dt=0.1,
    tol=1e-3,
    scale_fl=True,
    starts=("up", "down"),
    snapshots=0,
    chunk_size=None,
    memory_limit=None,
    executor=None,
    dirname=None,
    overwrite=False,
    progress=True,
    engine_kwargs=None,
    recompute_failed=True,
):
    r"""Switching phase diagram of a micromagnetic film (module docstring).

    Parameters
    ----------
    system : micromagneticmodel.System
        Template: mesh and ``m`` (only its norm, ``Ms``, is used), energy
        (exchange, anisotropy, DMI, demag, ... as the engine supports),
        dynamics with ``mm.Precession``, ``mm.Damping`` and one ``ud.DiracSOT``
        or ``ud.SpinHallSOT`` whose amplitude is swept. The system is not
        modified.
    hx : array_like
        In-plane field values (A/m; in units of :math:`H_{K,\mathrm{eff}}`
        with ``units="H_K"``) along the current direction ``j`` of the torque
        term. It is a separate Zeeman term (``"switching_field"``), added to
        any Zeeman term of the template.
    hsot : array_like, optional
        Damping-like amplitudes (A/m; units of :math:`H_{K,\mathrm{eff}}` with
        ``units="H_K"``): ``H_DL`` (Dirac) or ``H_SH`` (spin Hall). Give
        ``hsot`` or ``J``.
    J : array_like, optional
        Instead of ``hsot``: current densities (A/m^2, averaged over the film
        thickness) for a ``ud.DiracSOT`` built with ``from_surface``;
        converted with ``ud.theory.Bilayer`` (the result's ``hsot`` is then
        ``H_DL`` in A/m, with ``J`` as a coordinate).
    units : {"A/m", "H_K"}
        Units of ``hx`` and ``hsot``: A/m (default) or units of the film's
        macrospin-equivalent :math:`H_{K,\mathrm{eff}}` (the reduced units of
        ``ud.macrospin.phase_diagram``). A grid in A/m whose fields all stay
        below 1e-3 :math:`H_{K,\mathrm{eff}}` is refused: nothing could
        switch, and such numbers are reduced units given without
        ``units="H_K"``.
    params : dict, optional
        Further swept parameters, ``{"<term name>.<attribute>": values}`` (e.g.
        ``{"damping.alpha": [0.05, 0.1]}``, ``{"diracsot.beta": [0, 0.5]}``) or
        ``{"pulse.<parameter>": values}`` (e.g. ``{"pulse.rise": [0, 1e-10]}``,
        s). Each becomes a dimension of the result, after ``hx`` and ``hsot``.
    term : str, optional
        Name of the torque term when the system has several.
    pulse : Pulse or callable, optional
        Time dependence ``func(t)`` of the current (``t`` in s from the start
        of the dynamics): :class:`~ubermag_dirac.switching.Step`,
        :class:`~ubermag_dirac.switching.Trapezoid`, ... Default: the term's own
        ``func`` if it has one, else a step at ``t = 0`` that stays on. Must be
        picklable to run on an executor.
    pulse_dt : float, optional
        Sampling interval (s) of ``pulse`` (OOMMF-style piecewise constant);
        default: evaluated exactly.
    field_pulse : Pulse or callable, optional
        Time dependence of the swept field (requires ``field_dt``, as Ubermag's
        Zeeman ``func``). The relaxation uses its value at ``t = 0``.
    field_dt : float, optional
        Sampling interval (s) of ``field_pulse``.
    t_run : float
        Duration of the dynamics (s).
    n_samples : int
        Number of samples of the time series (every ``t_run / n_samples``).
    relax : {"minimise", "relax", None}
        Field relaxation before the current: energy minimisation
        (:meth:`Engine.minimise`), damped dynamics without precession
        (:meth:`Engine.relax`), or none (start exactly at :math:`\pm\mathbf n`,
        the macrospin's protocol B).
    relax_kwargs : dict, optional
        Passed to the relaxation (e.g. ``{"stopping_mxHxm": 0.1}``).
    stopping_dm_dt : float
        Early stop (deg/ns) once every system of a chunk is at rest after the
        pulses stopped changing; 0 disables it.
    tol : float
        Classification threshold on :math:`|\langle m_n\rangle|`.
    scale_fl : bool
        ``ud.DiracSOT``: scale ``H_FL`` with ``H_DL`` keeping the template's
        ratio (both are proportional to the current); False keeps ``H_FL``.
    starts : {"up", "down"} or a sequence of them
        Starts to run (default both); with one, the other start's values are
        NaN and the state is "mixed" (for threshold scans, which need only the
        start that can switch: half the cost).
    snapshots : int
        Number of magnetisation snapshots to keep per run (evenly spaced in
        time, the last at ``t_run``; float32), at most ``n_samples`` (they are
        taken at sample times).
    chunk_size : int, optional
        Grid points per batched integration; default from ``memory_limit`` and
        the number of workers.
    memory_limit : float, optional
        Bytes a chunk may use (default: a quarter of the available memory,
        divided among the executor's workers).
    executor : concurrent.futures.Executor, optional
        Runs the chunks (e.g. ``ProcessPoolExecutor``; a dask ``Client`` or
        ``Client.get_executor()``); default: in this process.
    dirname : path-like, optional
        Results folder: each finished chunk is written there (atomically); a
        rerun with the same folder and job computes only the missing points,
        and sweeps of the same job running at the same time share the work.
        The folder is keyed by a fingerprint of everything that can change a
        result (the system with every term and attribute, the grids, the
        pulses and their sampling, ``relax_kwargs``, ``engine_kwargs`` except
        ``threads``, the code version ...; ``ds.attrs["fingerprint"]``); the
        arguments that cannot (``chunk_size``, ``memory_limit``, ``executor``,
        ``dirname``, ``overwrite``, ``progress``, ``recompute_failed``) are not
        part of it. A complete folder is read without writing to it.
    overwrite : bool
        Replace the results of a different job found in ``dirname`` (refused
        with :class:`~ubermag_dirac.switching._store.SweepRunningError` while
        a sweep of another job runs there).
    progress : bool
        Show a tqdm progress bar counting grid points, with the time left.
    engine_kwargs : dict, optional
        Passed to :class:`~ubermag_dirac.engine.Engine` (``tol``, ``h_max``,
        ``threads``; default ``threads=1``).
    recompute_failed : bool
        Recompute the points stored as failed in ``dirname`` (default); False
        returns them as stored.

    Returns
    -------
    xarray.Dataset
        Dimensions ``hx``, ``hsot`` (A/m), the ``params`` keys, ``start`` (up,
        down), ``component`` (x, y, z), ``time`` (s). Variables as the
        macrospin's (``m``, ``mz_up``, ``mz_down``, ``state`` with the codes of
        :data:`ubermag_dirac.macrospin.STATES`) plus the observables of the
        module docstring, ``m_start`` (relaxed state), ``t_stop``, ``steps``,
        ``failed`` and ``error`` (the message of each failed point, "" for
        the others). Coordinates ``hx_reduced``, ``hsot_reduced`` (in units of
        :math:`H_{K,\mathrm{eff}}`) and ``attrs`` with the macrospin-equivalent
        parameters when the film allows them
        (:func:`~ubermag_dirac.switching.effective_anisotropy`). For a term
        built with ``ud.DiracSOT.from_surface``, the coordinate ``J`` (A/m^2)
        along ``hsot``; when the field-like term dominates (presets:
        :math:`H_\mathrm{FL}/H_\mathrm{DL} \approx -30`),
        ``attrs["fl_dl_note"]`` explains why the diagram is "inplane" almost
        everywhere (``docs/PHYSICS.md``).

    Raises
    ------
    ValueError
        Also for a ``from_surface`` term built for another ``Ms`` or thickness
        than the film's; dynamics without ``mm.Precession`` where a term was
        forgotten give an ``UbermagDiracWarning``
        (:mod:`ubermag_dirac.terms.system_checks`).

    Examples
    --------
    A swept parameter that the system does not have is refused, naming it:

    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 1e-9), n=(2, 2, 1))
    >>> s = mm.System(name="dot")
    >>> s.energy = mm.Exchange(A=1.5e-11) + mm.UniaxialAnisotropy(K=8e5, u=(0, 0, 1))
    >>> s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.3)
    >>> s.dynamics += ud.SpinHallSOT(H_SH=0.0)
    >>> s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    >>> ud.switching.phase_diagram(s, [0.0], [0.0], params={"dmi.D": [1e-3]})
    Traceback (most recent call last):
    ...
    ValueError: Swept parameter 'dmi.D': the system has no ... term named 'dmi' ...

    A small sweep (the single-domain dot behaves as a macrospin with
    :math:`H_K = 2K/(\mu_0 M_s)`: at zero field a spin-Hall torque above
    :math:`H_K/2` pulls both starts into the plane):

    >>> ds = ud.switching.phase_diagram(
    ...     s, [0.0], [0.0, 1.2e6], t_run=0.5e-9, n_samples=20, progress=False
    ... )
    >>> ds.state.values
    array([[0, 3]], dtype=int8)
    >>> [ds.attrs["states"][k] for k in ds.state.values[0]]
    ['bistable', 'inplane']
    >>> ud.switching.phase_diagram(s, [0.0, 0.5], [0.0, 1.2])  # units of H_K?
    Traceback (most recent call last):
    ...
    ValueError: hx and hsot are fields in A/m ... pass units='H_K', ...
    """
    if not isinstance(system, mm.System) or system.m is None:
        raise TypeError("system must be a micromagneticmodel.System with m set.")
    sot, torque = find_torque(system, term)
    system_checks.check_dynamics(system, stacklevel=3)
    hx, hsot, grid_attrs = resolve_grid(system, sot, torque, hx, hsot, J, units)
    spec = SweepSpec.from_arguments(
        system,
        hx,
        hsot,
        params=params,
        term=term,
        pulse=pulse,
        pulse_dt=pulse_dt,
        field_pulse=field_pulse,
        field_dt=field_dt,
        t_run=t_run,
        n_samples=n_samples,
        relax=relax,
        relax_kwargs=relax_kwargs,
        stopping_dm_dt=stopping_dm_dt,
        tol=tol,
        scale_fl=scale_fl,
        starts=starts,
        snapshots=snapshots,
        engine_kwargs=engine_kwargs,
        grid_units=tuple(sorted(grid_attrs.items())),
    )
    ds = run_and_assemble(
        spec,
        assemble,
        dirname,
        overwrite,
        recompute_failed,
        chunk_size=chunk_size,
        memory_limit=memory_limit,
        executor=executor,
        progress=progress,
    )
    if np.any(ds.failed.values):
        warnings.warn(
            f"{int(ds.failed.values.sum())} grid point(s) failed to integrate "
            "(see ds.error); their values are NaN and their state 'mixed'.",
            UbermagDiracWarning,
            stacklevel=2,
        )
    return ds
