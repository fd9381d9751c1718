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

When every system of a chunk is at rest (:math:`\max|\dot{\mathbf m}| <`
``stopping_dm_dt``) after the last change of the pulses, the chunk stops early;
the remaining samples then hold the final values (``t_stop`` records when).
"""

import warnings

import numpy as np

from .._warnings import UbermagDiracWarning
from ._assemble import assemble
from ._batch import DEG_PER_NS
from ._describe import describe, fingerprint
from ._execute import chunk_size_for, execute, memory_per_point, plan_chunks
from ._job import FIELD_TERM
from ._store import ResultStore

__all__ = [
    "DEG_PER_NS",
    "FIELD_TERM",
    "memory_per_point",
    "phase_diagram",
]

# Layout of the sweep (one responsibility per module):
#   _describe.py  validation of the arguments, the job and its metadata/fingerprint
#   _torque.py    which dynamics term is the swept torque (kind, amplitude name)
#   _job.py       the picklable job: builds the systems of some grid points
#   _batch.py     what a worker does: integrate one chunk, sample the observables
#   _execute.py   chunk size (memory estimate), serial or executor execution
#   _store.py     the results folder (chunks, manifest)
#   _assemble.py  the Dataset from the metadata and the chunk arrays


def phase_diagram(
    system,
    hx,
    hsot,
    *,
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
        In-plane field values (A/m) along the current direction ``j`` of the
        torque term. It is a separate Zeeman term (``"switching_field"``),
        added to any Zeeman term of the template.
    hsot : array_like
        Damping-like amplitudes (A/m): ``H_DL`` (Dirac) or ``H_SH`` (spin Hall).
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
    starts : sequence of {"up", "down"}
        Starts to run (default both); with one, the other start's values are
        NaN and the state is "mixed" (for threshold scans, which need only the
        start that can switch: half the cost).
    snapshots : int
        Number of magnetisation snapshots to keep per run (evenly spaced in
        time, the last at ``t_run``; float32).
    chunk_size : int, optional
        Grid points per batched integration; default from ``memory_limit`` and
        the number of workers.
    memory_limit : float, optional
        Bytes a chunk may use (default: a quarter of the available memory,
        divided among the executor's workers).
    executor : concurrent.futures.Executor, optional
        Runs the chunks (e.g. ``ProcessPoolExecutor``; a dask
        ``Client.get_executor()``); default: in this process.
    dirname : path-like, optional
        Results folder: each finished chunk is written there; a rerun with the
        same folder and sweep computes only the missing points.
    overwrite : bool
        Replace results of a different sweep found in ``dirname``.
    progress : bool
        Show a tqdm progress bar.
    engine_kwargs : dict, optional
        Passed to :class:`~ubermag_dirac.engine.Engine` (``tol``, ``h_max``,
        ``threads``; default ``threads=1``).

    Returns
    -------
    xarray.Dataset
        Dimensions ``hx``, ``hsot`` (A/m), the ``params`` keys, ``start`` (up,
        down), ``component`` (x, y, z), ``time`` (s). Variables as the
        macrospin's (``m``, ``mz_up``, ``mz_down``, ``state`` with the codes of
        :data:`ubermag_dirac.macrospin.STATES`) plus the observables of the
        module docstring, ``m_start`` (relaxed state), ``t_stop``, ``steps``,
        ``failed``. Coordinates ``hx_reduced``, ``hsot_reduced`` (in units of
        :math:`H_{K,\mathrm{eff}}`) and ``attrs`` with the macrospin-equivalent
        parameters when the film allows them
        (:func:`~ubermag_dirac.switching.effective_anisotropy`).

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
    """
    job, meta = describe(
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
    )
    npts = int(np.prod(job.shape))
    store = None
    done = np.zeros(0, dtype=np.int64)
    if dirname is not None:
        fp = fingerprint(system, {**meta, "pulse_repr": meta["attrs"]["pulse"]})
        store = ResultStore(dirname, fp, meta, overwrite=overwrite)
        done = store.done_indices()
    pending = np.setdiff1d(np.arange(npts), done)
    results = []
    if pending.size:
        per_point = memory_per_point(system, int(snapshots), n_samples)
        chunk_size = chunk_size_for(
            pending.size, per_point, chunk_size, memory_limit, executor
        )
        chunks = plan_chunks(pending, chunk_size)
        results = execute(job, chunks, executor, store, progress, npts, done.size)
    if store is not None:
        results = store.load_chunks()
    ds = assemble(meta, results)
    ds.attrs["chunk_size"] = int(chunk_size) if chunk_size is not None else 0
    if np.any(ds.failed.values):
        warnings.warn(
            f"{int(ds.failed.values.sum())} grid point(s) failed to integrate "
            "(see ds.error); their values are NaN and their state 'mixed'.",
            UbermagDiracWarning,
            stacklevel=2,
        )
    return ds
