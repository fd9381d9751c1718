r"""Switching phase diagrams over (H_x, H_SOT) (paper Sec. IV, Fig. 2).

Reduced units as in :mod:`ubermag_dirac.macrospin.solver`. For every point of
the grid two macrospins are integrated, one from an up-like and one from a
down-like initial state, with the torque stepped on at :math:`t = 0`, and the
pair of final :math:`m_z` is classified (``macrospin_params.json`` of the
reference data):

==========  ====  ==========================================================
state       code  condition (``mz_u``, ``mz_d``: final m_z from the up/down start)
==========  ====  ==========================================================
bistable    0     mz_u > tol and mz_d < -tol (each start keeps its sign)
up          1     both > tol
down        2     both < -tol
inplane     3     both abs <= tol
toggle      4     mz_u < -tol and mz_d > tol
mixed       5     anything else
==========  ====  ==========================================================
"""

import numbers

import numpy as np
import xarray as xr

from .. import _numbers, torques
from .solver import solve

__all__ = [
    "STATES",
    "STATE_CODES",
    "classify",
    "flip_state",
    "phase_diagram",
    "state_counts",
    "switching_threshold",
]

#: state names in code order
STATES = ("bistable", "up", "down", "inplane", "toggle", "mixed")
#: name -> integer code
STATE_CODES = {name: code for code, name in enumerate(STATES)}


def classify(mz_up, mz_down, tol=1e-3):
    r"""Classify pairs of final :math:`m_z` into the integer state codes.

    Parameters
    ----------
    mz_up, mz_down : array_like
        Final :math:`m_z` from the up-like and the down-like initial state.
    tol : float
        Threshold :math:`> 0` below which :math:`|m_z|` counts as in-plane.

    Returns
    -------
    numpy.ndarray of int8
        Codes of :data:`STATES` (0 bistable, 1 up, 2 down, 3 inplane, 4 toggle,
        5 mixed).

    Examples
    --------
    >>> from ubermag_dirac.macrospin import classify
    >>> classify([0.9, 0.9, -0.9, 0.0, -0.5, 0.5], [-0.9, 0.8, -0.7, 0.0, 0.5, 0.0])
    array([0, 1, 2, 3, 4, 5], dtype=int8)
    >>> classify(0.5, 0.5, tol=0.0)
    Traceback (most recent call last):
    ...
    ValueError: tol must be > 0, got 0.0.
    """
    if not (isinstance(tol, numbers.Real) and tol > 0):
        raise ValueError(f"tol must be > 0, got {tol}.")
    u = np.asarray(mz_up, dtype=float)
    d = np.asarray(mz_down, dtype=float)
    u, d = np.broadcast_arrays(u, d)
    out = np.full(u.shape, STATE_CODES["mixed"], dtype=np.int8)
    out[(u > tol) & (d < -tol)] = STATE_CODES["bistable"]
    out[(u > tol) & (d > tol)] = STATE_CODES["up"]
    out[(u < -tol) & (d < -tol)] = STATE_CODES["down"]
    out[(np.abs(u) <= tol) & (np.abs(d) <= tol)] = STATE_CODES["inplane"]
    out[(u < -tol) & (d > tol)] = STATE_CODES["toggle"]
    return out


def flip_state(codes):
    """Map each state code to that of the up/down-reversed system.

    up <-> down; bistable, inplane, toggle and mixed map to themselves
    (mixed stays mixed as a class).

    Examples
    --------
    >>> from ubermag_dirac.macrospin import flip_state
    >>> flip_state([0, 1, 2, 3, 4, 5])
    array([0, 2, 1, 3, 4, 5], dtype=int8)
    >>> flip_state([7])
    Traceback (most recent call last):
    ...
    ValueError: State codes must be integers in 0..5.
    """
    codes = np.asarray(codes)
    if not np.issubdtype(codes.dtype, np.integer) or np.any(
        (codes < 0) | (codes >= len(STATES))
    ):
        raise ValueError(f"State codes must be integers in 0..{len(STATES) - 1}.")
    table = np.array([0, 2, 1, 3, 4, 5], dtype=np.int8)
    return table[codes]


def state_counts(state):
    """Number of grid points in each state, by name, in code order.

    Parameters
    ----------
    state : xarray.Dataset, xarray.DataArray or array_like
        A phase diagram (``ud.macrospin`` or ``ud.switching``), its ``state``
        variable, or integer state codes.

    Returns
    -------
    dict
        ``{state name: count}`` for the states present (codes of
        :data:`STATES`).

    Examples
    --------
    >>> from ubermag_dirac.macrospin import state_counts
    >>> state_counts([[0, 0, 3], [1, 2, 0]])
    {'bistable': 3, 'up': 1, 'down': 1, 'inplane': 1}
    >>> state_counts([6])
    Traceback (most recent call last):
    ...
    ValueError: State codes must be integers in 0..5, got [6].
    """
    if isinstance(state, xr.Dataset):
        state = state["state"]
    codes = np.asarray(state).ravel()
    if codes.size and (
        not np.issubdtype(codes.dtype, np.integer)
        or codes.min() < 0
        or codes.max() >= len(STATES)
    ):
        bad = sorted(set(codes.tolist()) - set(range(len(STATES))))
        raise ValueError(
            f"State codes must be integers in 0..{len(STATES) - 1}, got {bad}."
        )
    values, counts = np.unique(codes, return_counts=True)
    return {STATES[int(c)]: int(n) for c, n in zip(values, counts, strict=True)}


#: a reduced field (units of H_K) beyond this is an SI value given by mistake
REDUCED_MAX = 1e3


def _attr(v):
    return repr(v) if np.ndim(v) else float(v)


def _grid(name, v):
    v = np.atleast_1d(_numbers.reals(name, v))
    if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be a non-empty 1D array of finite numbers.")
    big = float(np.abs(v).max())
    if big > REDUCED_MAX:
        raise ValueError(
            f"{name} is in units of H_K (ud.macrospin works in reduced units); got "
            f"max |{name}| = {big:g}, which looks like a field in A/m. Divide by "
            "H_K (ud.macrospin.ReducedUnits(H_K).field(...)), or run a film in "
            "A/m with ud.switching.phase_diagram."
        )
    return v


def _check_protocol_a(hx):
    if np.any(np.abs(hx) > 1):
        raise ValueError(
            "Protocol A (field-relaxed start) needs |hx| <= 1 (hx in units of "
            f"H_K: no tilted equilibrium exists beyond); got max |hx| = "
            f"{np.abs(hx).max():g}. For stronger fields start from +-z with "
            "protocol='B'."
        )


def _fl_ratio(h_fl, hsot):
    """Constant H_FL/H_DL of a field-like amplitude proportional to hsot."""
    h_fl = np.asarray(h_fl, dtype=float)
    if h_fl.ndim == 0:
        return 0.0 if h_fl == 0 else None
    nz = hsot != 0
    if h_fl.shape != hsot.shape or not nz.any() or np.any(h_fl[~nz] != 0):
        return None
    ratio = float(np.median(h_fl[nz] / hsot[nz]))
    return ratio if np.allclose(h_fl, ratio * hsot, rtol=1e-9, atol=0) else None


def phase_diagram(
    hx,
    hsot,
    *,
    torque="dirac",
    alpha=0.1,
    beta=0.0,
    delta_alpha=0.0,
    h_fl=0.0,
    protocol="A",
    t_max=600.0,
    current=None,
    tol=1e-3,
    rtol=1e-7,
    atol=1e-9,
    stop_tol=1e-8,
    threads=1,
    **torque_params,
):
    r"""Switching phase diagram of the macrospin over :math:`(h_x, s)`.

    For each :math:`(h_x, s)` two macrospins are integrated with the reduced
    LLG of :func:`~ubermag_dirac.macrospin.solve` (:math:`h_K = 1` along
    :math:`\hat z`, current along :math:`\hat x`, field :math:`h_x\hat x`) up to
    ``t_max``, from

    * protocol ``"A"``: the field-relaxed states
      :math:`(h_x, 0, \pm\sqrt{1-h_x^2})` (requires :math:`|h_x| \le 1`), torque
      stepped on at :math:`t = 0`;
    * protocol ``"B"``: exactly :math:`\pm\hat z`, field and torque stepped on at
      :math:`t = 0`,

    and classified with :func:`classify`.

    Parameters
    ----------
    hx : array_like
        1D grid of :math:`H_x/H_K` (reduced: units of :math:`H_K`; values
        above 1000, i.e. fields in A/m given by mistake, are refused naming
        the unit; films in A/m: ``ud.switching.phase_diagram``).
    hsot : array_like
        1D grid of the torque amplitude :math:`s = H_\mathrm{DL}/H_K` (Dirac) or
        :math:`H_\mathrm{SH}/H_K` (spin Hall), in units of :math:`H_K`: the
        first parameter of the torque.
    torque : str
        A registered torque (:mod:`ubermag_dirac.torques`): ``"dirac"``, Dirac
        damping-like :math:`\mathbf h_T = -s f_\mathrm{DL} m_z\hat x`, or
        ``"she"``, spin-Hall :math:`\mathbf h_T = s\,\mathbf m\times\hat y`.
    alpha : float
        Gilbert damping :math:`\ge 0`.
    beta : float
        Angular-dependence parameter of the Dirac torques, :math:`0\le\beta<1`.
    delta_alpha : float
        Anisotropic (in-plane) extra damping, :math:`\ge 0`.
    h_fl : float or array_like
        Optional field-like amplitude :math:`H_\mathrm{FL}/H_K`; an array of the
        shape of ``hsot`` makes it proportional to the current.
    protocol : {"A", "B"}
        Initial states, see above.
    t_max : float
        Integration time in :math:`1/(\gamma_0 H_K)`.
    current : Pulse, optional
        Time dependence of the current (default: step at :math:`t=0`).
    tol : float
        Classification threshold on :math:`|m_z|`.
    rtol, atol, stop_tol, threads
        Passed to :func:`~ubermag_dirac.macrospin.solve`.
    **torque_params
        Other (not swept) parameters of the torque, e.g. of a torque registered
        outside the package; recorded in ``attrs``.

    Returns
    -------
    xarray.Dataset
        Coordinates ``hx``, ``hsot``, ``component`` (x, y, z), ``start``
        (up, down); variables ``m`` (hx, hsot, start, component): final
        magnetisation; ``mz_up``, ``mz_down``; ``state`` (hx, hsot) int8 codes with
        ``attrs["states"]`` the names in code order and ``attrs["flag_values"]``
        / ``attrs["flag_meanings"]`` (CF convention); ``converged`` (hx, hsot,
        start): stopped early at a stable fixed point. Dataset ``attrs`` hold all
        parameters, ``"units"``, and ``h_fl_ratio`` (:math:`H_\mathrm{FL}/
        H_\mathrm{DL}` when ``h_fl`` is proportional to ``hsot``) with
        ``fl_dl_note`` when the field-like term dominates.

    Examples
    --------
    >>> from ubermag_dirac import macrospin as ms
    >>> ds = ms.phase_diagram([0.0, 0.5], [0.0, 0.5], torque="she", t_max=300.0)
    >>> ds.state.values  # at hx = 0, s = 0.5 the SHE drives m into the plane
    array([[0, 3],
           [0, 1]], dtype=int8)
    >>> ds.attrs["states"][1]
    'up'
    >>> ms.phase_diagram([0.0], [0.0], torque="oersted")
    Traceback (most recent call last):
    ...
    ValueError: Unknown torque 'oersted'; use one of ('dirac', 'she').
    """
    amplitude = torques.get(torque).amplitude
    if protocol not in ("A", "B"):
        raise ValueError(f"protocol must be 'A' or 'B', got {protocol!r}.")
    hx = _grid("hx", hx)
    hsot = _grid("hsot", hsot)
    if protocol == "A":
        _check_protocol_a(hx)
    if not (np.isfinite(t_max) and t_max > 0):
        raise ValueError(f"t_max must be > 0, got {t_max}.")
    HX, S = np.meshgrid(hx, hsot, indexing="ij")
    m0, h = _starts(HX, protocol)
    kw = {**torque_params, amplitude.key: S[:, :, None]}
    h_fl_arr = np.asarray(h_fl, dtype=float)
    if h_fl_arr.ndim == 1:
        h_fl_arr = np.broadcast_to(h_fl_arr, HX.shape)
    if h_fl_arr.ndim == 2:
        h_fl_arr = h_fl_arr[:, :, None]
    res = solve(
        m0,
        float(t_max),
        h=h,
        h_k=1.0,
        alpha=alpha,
        delta_alpha=delta_alpha,
        beta=beta,
        h_fl=h_fl_arr,
        current=current,
        rtol=rtol,
        atol=atol,
        stop_tol=stop_tol,
        threads=threads,
        **kw,
    )
    attrs = {
        "torque": torque,
        "alpha": float(alpha),
        "beta": float(beta),
        "delta_alpha": float(delta_alpha),
        "h_fl": repr(h_fl) if np.ndim(h_fl) else float(h_fl),
        **{k: _attr(v) for k, v in torque_params.items()},
        "protocol": protocol,
        "t_max": float(t_max),
        "current": repr(current) if current is not None else "step at t=0",
        "tol": float(tol),
        "rtol": float(rtol),
        "atol": float(atol),
        "stop_tol": float(stop_tol),
    }
    ratio = _fl_ratio(h_fl, hsot) if torque == "dirac" else 0.0
    if ratio is not None:
        from .current import fl_dl_note

        attrs["h_fl_ratio"] = ratio
        note = fl_dl_note(ratio)
        if note:
            attrs["fl_dl_note"] = note
    return _dataset(hx, hsot, amplitude.attr, res, tol, attrs)


def _starts(HX, protocol):
    """Up and down starts ``(..., start, 3)`` and the field ``(..., 1, 3)``."""
    if protocol == "A":
        mz0 = np.sqrt(np.clip(1.0 - HX**2, 0.0, None))
        mx0 = HX
    else:
        mz0 = np.ones_like(HX)
        mx0 = np.zeros_like(HX)
    zero = np.zeros_like(HX)
    # axis 2: start (up, down)
    m0 = np.stack(
        [np.stack([mx0, zero, mz0], -1), np.stack([mx0, zero, -mz0], -1)], axis=2
    )
    return m0, np.stack([HX, zero, zero], -1)[:, :, None, :]


def _dataset(hx, hsot, amplitude, res, tol, attrs):
    """The phase-diagram Dataset of the solver result ``res``."""
    m = res.m
    state = classify(m[:, :, 0, 2], m[:, :, 1, 2], tol=tol)
    coords = {
        "hx": ("hx", hx, {"long_name": "H_x / H_K", "units": "H_K"}),
        "hsot": ("hsot", hsot, {"long_name": amplitude + " / H_K", "units": "H_K"}),
        "start": ("start", ["up", "down"]),
        "component": ("component", ["x", "y", "z"]),
    }
    flags = {"flag_values": list(range(len(STATES))), "flag_meanings": " ".join(STATES)}
    return xr.Dataset(
        {
            "m": (("hx", "hsot", "start", "component"), m),
            "mz_up": (("hx", "hsot"), m[:, :, 0, 2]),
            "mz_down": (("hx", "hsot"), m[:, :, 1, 2]),
            "state": (("hx", "hsot"), state, flags),
            "converged": (("hx", "hsot", "start"), res.converged),
            "n_steps": (("hx", "hsot", "start"), res.n_accepted + res.n_rejected),
        },
        coords=coords,
        attrs={
            **attrs,
            "states": list(STATES),
            "units": "fields in H_K, time in 1/(gamma0 H_K)",
            "model": (
                "Gilbert-form LLG, h_eff = m_z z + h_x x, torque inside the Gilbert "
                "form; n = z, j = x"
            ),
        },
    )


def switching_threshold(
    hx,
    *,
    torque="dirac",
    alpha=0.1,
    s_max=2.5,
    ds=0.01,
    protocol="A",
    t_max=None,
    current=None,
    refine=0,
    tol=1e-3,
    rtol=1e-8,
    atol=1e-10,
    threads=1,
    **kwargs,
):
    r"""Smallest torque that switches the down-like state (:math:`h_x\ge0, s>0`).

    Scans :math:`s = ds, 2\,ds, \dots, s_\mathrm{max}` (all in one vectorised
    call) from the down-like start of ``protocol`` and returns the first grid
    value whose final :math:`m_z > -` ``tol`` (the reference-data definition of
    "the down state is lost"). With ``refine > 0`` the switching edge between that
    grid value and the previous one is then bisected ``refine`` times (assumes a
    single crossing in that interval).

    Parameters
    ----------
    hx : array_like
        1D array of :math:`H_x/H_K` (:math:`|h_x|\le1` for protocol A).
    torque : str
        A registered torque (:mod:`ubermag_dirac.torques`), e.g. ``"dirac"``,
        ``"she"``.
    alpha : float
        Gilbert damping.
    s_max, ds : float
        Scan range and step of :math:`s`.
    protocol : {"A", "B"}
        See :func:`phase_diagram`.
    t_max : float, optional
        Integration time; default as in the reference data,
        :math:`\max(a, b/\alpha)` with the torque's ``threshold_t_max = (a, b)``:
        (400, 60) for Dirac, (300, 40) for SHE.
    current : Pulse, optional
        Time dependence of the current (default: step at :math:`t = 0`).
    refine : int
        Number of bisection steps below the grid resolution.
    tol, rtol, atol, threads, **kwargs
        Classification threshold and :func:`~ubermag_dirac.macrospin.solve` options
        (e.g. ``beta``, ``delta_alpha``).

    Returns
    -------
    numpy.ndarray
        Threshold per ``hx`` (NaN: no switching up to ``s_max``).

    Examples
    --------
    >>> from ubermag_dirac.macrospin import switching_threshold
    >>> switching_threshold([0.5], torque="she", alpha=0.5, s_max=0.3)
    array([0.19])
    >>> switching_threshold([0.5], torque="she", alpha=0.5, ds=-0.01)
    Traceback (most recent call last):
    ...
    ValueError: Need 0 < ds <= s_max, got ds=-0.01, s_max=2.5.
    """
    spec = torques.get(torque)
    if protocol not in ("A", "B"):
        raise ValueError(f"protocol must be 'A' or 'B', got {protocol!r}.")
    if not (0 < ds <= s_max):
        raise ValueError(f"Need 0 < ds <= s_max, got ds={ds}, s_max={s_max}.")
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0, got {alpha}.")
    hx = _grid("hx", hx)
    if protocol == "A":
        _check_protocol_a(hx)
    if t_max is None:
        t_max = max(spec.threshold_t_max[0], spec.threshold_t_max[1] / alpha)
    n = int(np.floor(s_max / ds + 1e-9))
    svals = ds * np.arange(1, n + 1)
    if protocol == "A":
        m0 = np.stack([hx, 0 * hx, -np.sqrt(np.clip(1 - hx**2, 0, None))], -1)
    else:
        m0 = np.stack([0 * hx, 0 * hx, -np.ones_like(hx)], -1)
    h = np.stack([hx, 0 * hx, 0 * hx], -1)
    key = spec.amplitude.key

    def lost(s, m0_, h_):
        r = solve(
            m0_,
            float(t_max),
            h=h_,
            alpha=alpha,
            current=current,
            rtol=rtol,
            atol=atol,
            threads=threads,
            **{key: s},
            **kwargs,
        )
        return r.m[..., 2] > -tol

    sw = lost(svals[None, :], m0[:, None, :], h[:, None, :])
    first = np.where(sw.any(axis=1), sw.argmax(axis=1), -1)
    out = np.where(first >= 0, svals[np.maximum(first, 0)], np.nan)
    if refine > 0:
        ok = first >= 0
        hi = out[ok].copy()
        lo = np.where(first[ok] > 0, hi - ds, 0.0)
        for _ in range(int(refine)):
            mid = 0.5 * (lo + hi)
            s_sw = lost(mid, m0[ok], h[ok])
            hi = np.where(s_sw, mid, hi)
            lo = np.where(s_sw, lo, mid)
        out[ok] = hi
    return out
