r"""Thermal switching probabilities of micromagnetic films.

:func:`switching_probability` answers the device engineer's question "with what
probability does this film switch, for this current and this pulse width, at
this temperature?": for every point of a grid of in-plane field :math:`H_x`,
torque amplitude :math:`H_\mathrm{sot}` (or current density :math:`J`) and
pulse width :math:`w`, it runs ``n_trials`` independent stochastic
trajectories of the film at ``system.T`` and counts those that switch.

Protocol of one trial (times from the start of the current, s)

1. start: the magnetisation along :math:`-\mathbf n` (``starts="down"``, the
   default, as :func:`ubermag_dirac.macrospin.switching_probability`; with
   :math:`H_x > 0` and a positive torque amplitude the built-in torques switch
   down to up), ``"up"`` or both, relaxed at T = 0 in the field (energy
   minimisation, as :func:`~ubermag_dirac.switching.phase_diagram`'s
   protocol A; ``relax=None`` starts exactly at :math:`\pm\mathbf n`). All
   trials of a grid point share this state: the thermal history starts with
   the pulse;
2. a rectangular current pulse of width :math:`w` (the torque term's ``func``
   is a :class:`~ubermag_dirac.switching.Trapezoid` with ``duration`` = w, on
   for :math:`0\le t<w`; ``pulse=Trapezoid(rise=..., fall=...)`` gives it
   edges), then ``t_relax`` without current, the stochastic LLG at
   ``system.T`` throughout (:mod:`ubermag_dirac.engine.stochastic`: stochastic
   Heun with Brown's thermal field, fixed step per trial);
3. classification: the trial *switched* when the sign of
   :math:`\langle m_n\rangle` (average over the magnetic cells) at the end
   differs from the sign at the relaxed start.

A trial that has settled after the pulse (:math:`|\langle m_n\rangle|` at
least ``settle`` times its relaxed value at two consecutive checks, every
``check_interval``) stops early: it is frozen in the engine
(:attr:`ubermag_dirac.engine.Engine.frozen`), costs nothing more and keeps
that sign. This assumes that a film settled in a well does not cross the
barrier back within ``t_relax`` (a thermally activated event, rate
:math:`\sim f_0 e^{-\Delta}` with :math:`\Delta = E_b/k_BT`, negligible for a
film with a usable barrier); ``settle=None`` runs every trial to the end.

Counting: :math:`\hat P = k/n` with :math:`k` switched out of :math:`n` trials
and its Wilson score interval at 95 %
(:func:`ubermag_dirac.statistics.wilson_interval`).

The Heun step is fixed per trial and the stages end at every pulse end, every
run end and every check (one list for the whole job), so the rectangular
pulse switches off exactly at a step boundary; the trapezoidal rule of the
last pulse step averages on and off there (an effective width
:math:`w - \Delta t/2`, :math:`\Delta t` the thermal step: below 0.1 ps for
the films of the tests, negligible against pulses of 0.1 ns and more).
"""

from __future__ import annotations

import warnings

import micromagneticmodel as mm
import numpy as np
import xarray as xr

from .. import _numbers
from .._warnings import UbermagDiracWarning
from ..engine.stochastic import STEP_FRACTION
from ..statistics import wilson_interval
from ..terms import system_checks
from . import pulses as _pulses
from ._assemble import _gather, add_field_coordinates
from ._execute import run_and_assemble
from ._grid_units import resolve_grid
from ._torque import find_torque
from ._trials import WIDTH, ProbabilitySpec, check_temperature

__all__ = [
    "assemble_probability",
    "compare_probability",
    "macrospin_equivalent",
    "probability_spec",
    "switching_probability",
]


def switching_probability(
    system,
    hx,
    hsot=None,
    *,
    J=None,
    units="A/m",
    pulse_width,
    n_trials=100,
    seed=None,
    t_relax=1e-9,
    params=None,
    term=None,
    pulse=None,
    relax="minimise",
    relax_kwargs=None,
    scale_fl=True,
    starts="down",
    thermal_dt=None,
    step_fraction=STEP_FRACTION,
    settle=0.9,
    check_interval=None,
    chunk_size=None,
    memory_limit=None,
    executor=None,
    dirname=None,
    overwrite=False,
    progress=True,
    engine_kwargs=None,
    recompute_failed=True,
):
    r"""Thermal switching probability of a film at ``system.T`` (module docstring).

    Parameters
    ----------
    system : micromagneticmodel.System
        Template, as for :func:`~ubermag_dirac.switching.phase_diagram` (one
        ``ud.DiracSOT`` or ``ud.SpinHallSOT`` whose amplitude is swept), with
        ``system.T`` > 0 (K; ``micromagneticmodel`` takes a non-negative
        number, as for ``oommfc``). Not modified.
    hx : array_like
        In-plane fields (A/m, or units of :math:`H_{K,\mathrm{eff}}` with
        ``units="H_K"``) along the current direction ``j``.
    hsot : array_like, optional
        Damping-like amplitudes (A/m, or units of :math:`H_{K,\mathrm{eff}}`).
        Give ``hsot`` or ``J``.
    J : array_like, optional
        Current densities (A/m^2) for a ``ud.DiracSOT`` built with
        ``from_surface`` (the result then has the coordinate ``J``).
    units : {"A/m", "H_K"}
        Units of ``hx`` and ``hsot``.
    pulse_width : array_like
        Widths :math:`w` (s) of the rectangular current pulse, > 0.
    n_trials : int
        Trials per grid point (and start), >= 1.
    seed : int, optional
        Seed of the noise (>= 0): trial ``k`` of grid point ``p`` draws from
        its own stream, determined by ``(seed, p, start, k)``, so the result
        does not depend on ``chunk_size`` or the executor. Default: fresh
        entropy, recorded in ``ds.attrs["seed"]`` (refused with ``dirname``,
        whose results must be reproducible to be resumed).
    t_relax : float
        Time without current after the pulse (s), > 0.
    params : dict, optional
        Further swept parameters (``{"damping.alpha": [...]}``, ...), as for
        :func:`~ubermag_dirac.switching.phase_diagram`; the pulse width is
        ``pulse_width``, not ``"pulse.duration"``.
    term : str, optional
        Name of the torque term when the system has several.
    pulse : Trapezoid, optional
        Shape of the current pulse; its ``duration`` is replaced by each
        pulse width (default: rectangular, ``Trapezoid()``).
    relax : {"minimise", "relax", None}
        Relaxation of the start at T = 0 (see the module docstring).
    relax_kwargs : dict, optional
        Passed to the relaxation.
    scale_fl : bool
        ``ud.DiracSOT``: ``H_FL`` scales with ``H_DL`` (the template's ratio).
    starts : {"down", "up"} or both
        Starting direction(s) (default ``"down"``); with both, the result
        has a ``start`` dimension.
    thermal_dt : float, optional
        Fixed step of the stochastic integrator (s); default: estimated per
        trial from its dynamics (``step_fraction`` over the fastest rate, see
        :mod:`ubermag_dirac.engine.stochastic`; ``ds.thermal_dt`` has it).
    step_fraction : float
        ``c`` of the default step ``c / rho``.
    settle : float or None
        Early stop of settled trials (fraction of the relaxed
        :math:`|\langle m_n\rangle|`, in (0, 1]); None: no early stop.
    check_interval : float, optional
        Time between the settling checks (s; default ``t_relax / 20``).
    chunk_size : int, optional
        Trials per batched integration (default from ``memory_limit`` and the
        executor's workers).
    memory_limit : float, optional
        Bytes a chunk may use (default a quarter of the available memory).
    executor : concurrent.futures.Executor, optional
        Runs the chunks (``ProcessPoolExecutor``, a dask ``Client``, ...).
    dirname : path-like, optional
        Results folder (resumable, shared by identical jobs, keyed by a
        fingerprint of everything that can change a result: the system with
        its temperature, grids, pulse, ``n_trials``, ``seed``, ``t_relax``,
        thermal step, ``settle``, ``check_interval``, engine options, code
        version), as for :func:`~ubermag_dirac.switching.phase_diagram`.
    overwrite : bool
        Replace a different job's results in ``dirname``.
    progress : bool
        tqdm bar counting trials.
    engine_kwargs : dict, optional
        Passed to :class:`~ubermag_dirac.engine.Engine` (default ``threads=1``).
    recompute_failed : bool
        Recompute trials stored as failed in ``dirname``.

    Returns
    -------
    xarray.Dataset
        Dimensions ``hx``, ``hsot`` (A/m), the ``params`` keys,
        ``pulse_width`` (s), ``trial`` (and ``start`` with both starts).
        Variables ``P_sw`` (switched fraction), ``n_switched``, ``n_trials``
        (trials counted: computed and not failed), ``ci_low``, ``ci_high``
        (Wilson 95 %), ``n_failed``, ``mz_start`` (relaxed
        :math:`\langle m_n\rangle`), per trial ``mz_final``, ``switched``,
        ``t_stop`` (s, when the trial ended or settled), ``steps``, and the
        thermal step ``thermal_dt`` (s) per point. Coordinates ``J``
        (A/m^2) for terms built from a surface, ``hx_reduced``,
        ``hsot_reduced`` (units of :math:`H_{K,\mathrm{eff}}`). ``attrs``:
        ``T`` (K), ``seed``, ``n_trials``, ``t_relax``, the macrospin-equivalent
        parameters and every parameter of the job, ``fingerprint``.

    Raises
    ------
    ValueError
        ``system.T`` <= 0 everywhere; a non-positive ``pulse_width``,
        ``t_relax`` or ``n_trials``; ``seed=None`` with ``dirname``; the
        errors of :func:`~ubermag_dirac.switching.phase_diagram`.

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 2e-9), n=(1, 1, 1))
    >>> s = mm.System(name="bit")
    >>> s.energy = mm.UniaxialAnisotropy(K=1.5e6, u=(0, 0, 1))
    >>> s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.5)
    >>> s.dynamics += ud.SpinHallSOT(H_SH=0.0)
    >>> s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    >>> ud.switching.switching_probability(s, [3e5], [3e6], pulse_width=[1e-10])
    Traceback (most recent call last):
    ...
    ValueError: system.T = 0 K: a thermal switching probability needs ...

    At 300 K (a barrier of 12 k_B T), with an in-plane field of 0.1 H_K, no
    torque switches none of the trials from the down start, a torque of H_K
    most of them (it pulls m towards the plane; the field decides where it
    falls after the pulse):

    >>> s.T = 300
    >>> ds = ud.switching.switching_probability(
    ...     s,
    ...     [3e5],
    ...     [0.0, 3e6],
    ...     pulse_width=[1e-10],
    ...     n_trials=8,
    ...     seed=1,
    ...     t_relax=1e-10,
    ...     progress=False,
    ... )
    >>> ds.P_sw.values[0, :, 0], ds.n_trials.values[0, :, 0]
    (array([0.  , 0.75]), array([8, 8]))
    >>> ds.ci_high.values[0, 0, 0].round(3)  # Wilson 95 %: 0 of 8
    np.float64(0.324)
    """
    spec = probability_spec(
        system,
        hx,
        hsot,
        J=J,
        units=units,
        pulse_width=pulse_width,
        n_trials=n_trials,
        seed=seed,
        t_relax=t_relax,
        params=params,
        term=term,
        pulse=pulse,
        relax=relax,
        relax_kwargs=relax_kwargs,
        scale_fl=scale_fl,
        starts=starts,
        thermal_dt=thermal_dt,
        step_fraction=step_fraction,
        settle=settle,
        check_interval=check_interval,
        engine_kwargs=engine_kwargs,
        resumable=dirname is not None,
    )
    ds = run_and_assemble(
        spec,
        assemble_probability,
        dirname,
        overwrite,
        recompute_failed,
        chunk_size=chunk_size,
        memory_limit=memory_limit,
        executor=executor,
        progress=progress,
    )
    n_failed = int(ds.n_failed.values.sum())
    if n_failed:
        warnings.warn(
            f"{n_failed} trial(s) failed to integrate (see ds.error); they are "
            "not counted in n_trials.",
            UbermagDiracWarning,
            stacklevel=2,
        )
    return ds


def probability_spec(
    system,
    hx,
    hsot,
    *,
    J,
    units,
    pulse_width,
    n_trials,
    seed,
    t_relax,
    params,
    term,
    pulse,
    relax,
    relax_kwargs,
    scale_fl,
    starts,
    thermal_dt,
    step_fraction,
    settle,
    check_interval,
    engine_kwargs,
    resumable,
):
    """The validated :class:`~._trials.ProbabilitySpec` of a
    :func:`switching_probability` call (its arguments; ``resumable``: a
    results folder is used)."""
    if not isinstance(system, mm.System) or system.m is None:
        raise TypeError("system must be a micromagneticmodel.System with m set.")
    check_temperature(system)
    sot, torque = find_torque(system, term)
    system_checks.check_dynamics(system, stacklevel=4)
    hx, hsot, grid_attrs = resolve_grid(system, sot, torque, hx, hsot, J, units)
    if seed is None and resumable:
        raise ValueError(
            "seed: a results folder (dirname) needs an integer seed, so that "
            "its trials can be resumed and reproduced."
        )
    params = dict(params or {})
    if WIDTH in params:
        raise ValueError(
            f"params: the pulse width is the argument pulse_width, not {WIDTH!r}."
        )
    widths = np.atleast_1d(_numbers.reals("pulse_width", pulse_width))
    if widths.ndim != 1 or widths.size == 0 or not np.all(np.isfinite(widths)):
        raise ValueError("pulse_width must be a non-empty 1D array of times in s.")
    if np.any(widths <= 0):
        raise ValueError(
            f"pulse_width must be > 0 s (the current pulse), got {widths.min()!r}."
        )
    pulse = _pulses.Trapezoid() if pulse is None else pulse
    if not isinstance(pulse, _pulses.Trapezoid):
        raise TypeError(
            "pulse must be a ubermag_dirac.switching.Trapezoid (its duration is "
            f"the pulse width), got {pulse!r}."
        )
    params[WIDTH] = widths
    return ProbabilitySpec.from_arguments(
        dict(
            system=system,
            hx=hx,
            hsot=hsot,
            params=params,
            term=term,
            pulse=pulse,
            pulse_dt=None,
            field_pulse=None,
            field_dt=None,
            t_run=None,  # pulse width + t_relax, set once t_relax is checked
            n_samples=1,
            relax=relax,
            relax_kwargs=relax_kwargs,
            stopping_dm_dt=0.0,
            tol=1e-3,
            scale_fl=scale_fl,
            starts=starts,
            snapshots=0,
            engine_kwargs=engine_kwargs,
            grid_units=tuple(sorted(grid_attrs.items())),
        ),
        n_trials=n_trials,
        seed=seed,
        t_relax=t_relax,
        thermal_dt=thermal_dt,
        step_fraction=step_fraction,
        settle=settle,
        check_interval=check_interval,
    )


# ------------------------------------------------------------------ Dataset
def _dim_name(name):
    return "pulse_width" if name == WIDTH else name


def _counts(data, computed):
    """``switched`` per trial and the counts per point (start axis last)."""
    mz0, mz = data["mz_start"], data["mz_final"]
    valid = computed[..., None] & ~data["failed"][..., None] & np.isfinite(mz)
    switched = valid & (np.sign(mz) != np.sign(mz0))
    n = valid.sum(axis=-2)
    k = switched.sum(axis=-2)
    n_failed = (computed & data["failed"]).sum(axis=-1)
    return valid, switched, n.astype(np.int64), k.astype(np.int64), n_failed


def _interval(k, n):
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    ok = n > 0
    if ok.any():
        low[ok], high[ok] = wilson_interval(k[ok], n[ok])
    return low, high


def assemble_probability(meta, chunks):
    """Dataset of a switching-probability job from its metadata and chunks.

    Trials not computed yet do not count (``n_trials`` is what was counted);
    points without any trial are NaN.
    """
    dims = [(name, np.asarray(vals, dtype=float)) for name, vals in meta["dims"]]
    shape = tuple(v.size for _, v in dims)
    attrs = dict(meta["attrs"])
    starts = list(attrs["starts"])
    data, computed = _gather(chunks, shape)
    valid, switched, n, k, n_failed = _counts(data, computed)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    low, high = _interval(k, n)
    mz0 = data["mz_start"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # points without trials
        mz_start = np.nanmean(mz0, axis=-2)
        dt = np.nanmean(data["thermal_dt"], axis=-2)
    grid = tuple(_dim_name(name) for name, _ in dims[:-1])
    g, gt = (*grid, "start"), (*grid, "trial", "start")
    var = {
        "P_sw": (g, p, {"long_name": "switching probability"}),
        "n_switched": (g, k),
        "n_trials": (g, n, {"long_name": "trials counted"}),
        "ci_low": (g, low, {"long_name": "Wilson 95 % interval, low"}),
        "ci_high": (g, high, {"long_name": "Wilson 95 % interval, high"}),
        "n_failed": (grid, n_failed),
        "mz_start": (g, mz_start),
        "thermal_dt": (g, dt, {"units": "s"}),
        "mz_final": (gt, np.where(valid, data["mz_final"], np.nan)),
        "switched": (gt, switched),
        "t_stop": (gt, data["t_stop"], {"units": "s"}),
        "steps": (gt, data["steps"]),
        "computed": ((*grid, "trial"), computed),
        "error": ((*grid, "trial"), data["error"].astype(str)),
    }
    coords = {}
    for name, vals in dims[:-1]:
        units = {"hx": "A/m", "hsot": "A/m", WIDTH: "s"}.get(name, "")
        coords[_dim_name(name)] = (_dim_name(name), vals, {"units": units})
    coords["trial"] = ("trial", np.arange(shape[-1]))
    coords["start"] = ("start", starts)
    add_field_coordinates(coords, attrs)
    ds = xr.Dataset(var, coords=coords, attrs=attrs)
    if len(starts) == 1:
        ds = ds.squeeze("start", drop=False)
        ds.attrs["start"] = starts[0]
    ds.pulse_width.attrs["long_name"] = "pulse width"
    ds.hx.attrs["long_name"] = "H_x (along j)"
    return ds


def compare_probability(a, b, labels=("film", "macrospin"), z_max=3.0):
    r"""Two switching-probability results side by side, point by point.

    Film against macrospin (:func:`ubermag_dirac.macrospin.switching_probability`
    on the film's reduced grid), Dirac against spin-Hall torque, two
    temperatures ...: any two results on grids of the same shape (their
    ``P_sw``, ``n_switched`` and ``n_trials``; the coordinates are ``a``'s).

    Two estimates agree at a point when their difference is within ``z_max``
    standard errors of the pooled binomial estimate,
    :math:`|\hat p_a - \hat p_b| \le z\sqrt{\bar p(1-\bar p)(1/n_a + 1/n_b)}`,
    :math:`\bar p = (k_a + k_b)/(n_a + n_b)` (the two-proportion z test;
    identical counts of 0 or 1 agree).

    Parameters
    ----------
    a, b : xarray.Dataset
        Results with ``P_sw``, ``n_switched``, ``n_trials`` of the same shape.
    labels : tuple of str
        Suffixes of the variables of ``a`` and ``b``.
    z_max : float
        Standard errors allowed (default 3: a false disagreement at one point
        has a probability of 0.3 %).

    Returns
    -------
    xarray.Dataset
        ``P_sw_<label>``, ``ci_low_<label>``, ``ci_high_<label>``,
        ``n_trials_<label>`` of both, ``difference`` (a - b), ``z``,
        ``agree``; ``attrs["agreement"]`` (fraction of points that agree).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from ubermag_dirac.switching import compare_probability
    >>> def result(k, n):
    ...     k, n = np.asarray(k), np.asarray(n)
    ...     return xr.Dataset(
    ...         {"P_sw": ("J", k / n), "n_switched": ("J", k), "n_trials": ("J", n)},
    ...         coords={"J": np.arange(k.size) * 1e11},
    ...     )
    >>> c = compare_probability(
    ...     result([0, 40, 100], [100] * 3), result([0, 55, 100], [100] * 3)
    ... )
    >>> c.agree.values, round(c.attrs["agreement"], 3)
    (array([ True,  True,  True]), 1.0)
    >>> compare_probability(result([0], [10]), result([0, 1, 2], [10] * 3))
    Traceback (most recent call last):
    ...
    ValueError: The two results have different grids: (1,) vs (3,).
    """
    la, lb = labels
    if a.P_sw.shape != b.P_sw.shape:
        raise ValueError(
            f"The two results have different grids: {a.P_sw.shape} vs {b.P_sw.shape}."
        )
    ka, kb = (np.asarray(x.n_switched.values, dtype=np.int64) for x in (a, b))
    na, nb = (np.asarray(x.n_trials.values, dtype=np.int64) for x in (a, b))
    pa, pb = a.P_sw.values, b.P_sw.values
    with np.errstate(invalid="ignore", divide="ignore"):
        pool = (ka + kb) / (na + nb)
        se = np.sqrt(pool * (1 - pool) * (1.0 / na + 1.0 / nb))
        diff = pa - pb
        z = np.where(se > 0, diff / np.where(se > 0, se, 1.0), 0.0)
    z = np.where((na > 0) & (nb > 0), z, np.nan)
    agree = np.abs(z) <= z_max
    dims = a.P_sw.dims
    out = {}
    for label, x, k, n in ((la, a, ka, na), (lb, b, kb, nb)):
        low, high = _interval(k, n)
        out[f"P_sw_{label}"] = (dims, x.P_sw.values)
        out[f"ci_low_{label}"] = (dims, low)
        out[f"ci_high_{label}"] = (dims, high)
        out[f"n_trials_{label}"] = (dims, n)
    out["difference"] = (dims, diff)
    out["z"] = (dims, z)
    out["agree"] = (dims, agree)
    coords = {d: a[d].values for d in dims if d in a.coords}
    return xr.Dataset(
        out,
        coords=coords,
        attrs={
            "agreement": float(np.mean(agree)),
            "z_max": float(z_max),
            "labels": list(labels),
        },
    )


def macrospin_equivalent(film):
    r"""Arguments of :func:`ubermag_dirac.macrospin.switching_probability` for
    the macrospin equivalent of a film result.

    As :func:`~ubermag_dirac.switching.macrospin_parameters` maps deterministic
    diagrams: fields in units of :math:`H_{K,\mathrm{eff}}`
    (:func:`~ubermag_dirac.switching.effective_anisotropy`), times in units of
    :math:`1/(\gamma_0 H_{K,\mathrm{eff}})`, the same damping, torque
    parameters and start, and the thermal stability factor of the film's
    volume :math:`V` at its temperature,
    :math:`\Delta = \mu_0 M_s H_{K,\mathrm{eff}} V/(2k_BT)` (the barrier of the
    coherent macrospin in units of :math:`k_BT`)::

        macro = ud.macrospin.switching_probability(
            **ud.switching.macrospin_equivalent(film), n_trials=10_000, seed=1
        )
        ud.switching.compare_probability(film, macro)

    Parameters
    ----------
    film : xarray.Dataset
        Result of :func:`switching_probability` with grid dimensions ``hx``,
        ``hsot``, ``pulse_width`` only, one start, and a macrospin equivalent
        (``attrs["macrospin_equivalent"] == "yes"``, :math:`H_{K,\mathrm{eff}}
        > 0`).

    Returns
    -------
    dict
        ``hx``, ``hsot`` (reduced grids), ``pulse_width``, ``t_relax``
        (reduced times), ``torque``, ``alpha``, ``delta_alpha``, the torque's
        other parameters (reduced: ``beta``, ``h_fl`` of the Dirac torque),
        ``delta``, ``H_K`` (A/m: physical coordinates of the result),
        ``gamma0``, ``start``.

    Raises
    ------
    ValueError
        No macrospin equivalent (easy plane, ...), both starts, or further
        swept parameters.
    """
    from .. import torques
    from ..constants import KB, MU0
    from .compare import torque_arguments

    a = film.attrs
    if a.get("macrospin_equivalent") != "yes" or not float(a.get("H_K_eff", 0)) > 0:
        raise ValueError(
            "This film has no macrospin equivalent: "
            f"{a.get('macrospin_equivalent', 'not a switching result')}."
        )
    extra = [d for d in film.P_sw.dims if d not in ("hx", "hsot", "pulse_width")]
    if extra:
        raise ValueError(
            f"Select single values of {extra} first (film.isel({{...}})): the "
            "macrospin takes one start and no further swept parameters."
        )
    H_K = float(a["H_K_eff"])
    t_u = 1.0 / (float(a["gamma0"]) * H_K)
    V = float(np.prod(a["mesh_n"]) * np.prod(a["mesh_cell"]))
    torque = torques.get(a["torque"])
    s = film.hsot.values / H_K
    values = {attr: float(a.get(attr, 0.0)) for attr in torque.recorded}
    return {
        "hx": film.hx.values / H_K,
        "hsot": s,
        "pulse_width": film.pulse_width.values / t_u,
        "t_relax": float(a["t_relax"]) / t_u,
        "torque": a["torque"],
        "alpha": float(a["alpha"]),
        "delta_alpha": float(a.get("delta_alpha", 0.0)),
        **torque_arguments(a, torque, values, s, H_K),
        "delta": MU0 * float(a["Ms"]) * H_K * V / (2 * KB * float(a["T"])),
        "H_K": H_K,
        "gamma0": float(a["gamma0"]),
        "start": str(film.start.values),
    }
