r"""The macrospin diagram with the film's parameters, and point-by-point comparison.

The film of :func:`~ubermag_dirac.switching.phase_diagram` maps onto the
reduced macrospin of :func:`ubermag_dirac.macrospin.phase_diagram` with

* :math:`h_x = H_x/H_{K,\mathrm{eff}}`, :math:`s = H_\mathrm{sot}/H_{K,\mathrm{eff}}`,
  :math:`H_{K,\mathrm{eff}}` from
  :func:`~ubermag_dirac.switching.effective_anisotropy` (uniaxial and shape
  anisotropy of the film's cuboid);
* time in units of :math:`1/(\gamma_0 H_{K,\mathrm{eff}})`: ``t_max`` and the
  current pulse are rescaled;
* the same ``alpha``, ``delta_alpha``, ``beta`` and field-like ratio, the same
  initial states (protocol A: field-relaxed, or B without relaxation) and the
  same classification threshold.
"""

import math

import numpy as np
import xarray as xr

from .. import macrospin as ms
from .. import torques
from . import pulses as _pulses

__all__ = [
    "compare",
    "macrospin_diagram",
    "macrospin_parameters",
    "switching_threshold",
]

_PULSES = {
    "Step": _pulses.Step,
    "Trapezoid": _pulses.Trapezoid,
    "PiecewiseLinear": _pulses.PiecewiseLinear,
    "Sine": _pulses.Sine,
    "inf": math.inf,
}


def _pulse_from_repr(text):
    """Rebuild a pulse of :mod:`~ubermag_dirac.switching.pulses` from its repr."""
    name = text.split("(", 1)[0]
    if name not in _PULSES:
        raise ValueError(
            f"The sweep's current pulse {text!r} is not a ubermag_dirac.switching "
            "pulse; pass current=<macrospin Pulse in reduced time> explicitly."
        )
    return eval(text, {"__builtins__": {}}, _PULSES)  # names restricted to the pulses


def _film_dims(ds):
    return [d for d in ds.state.dims]


def macrospin_parameters(film):
    r"""Arguments of :func:`ubermag_dirac.macrospin.phase_diagram` for a film sweep.

    Parameters
    ----------
    film : xarray.Dataset
        Result of :func:`~ubermag_dirac.switching.phase_diagram` with only
        ``hx`` and ``hsot`` as grid dimensions (select other swept parameters
        first, e.g. ``film.isel({"damping.alpha": 0})``; the selected values of
        ``damping.alpha``, the torque term's other parameters (``beta``,
        ``H_FL`` of ``ud.DiracSOT``) and ``pulse.*`` are then used).

    Returns
    -------
    dict
        ``hx``, ``hsot`` (reduced grids) and the other keyword arguments;
        ``time_unit`` (s) and ``H_K_eff`` (A/m) for reference.

    Raises
    ------
    ValueError
        The film has no macrospin equivalent (see ``film.attrs
        ["macrospin_equivalent"]``), a grid dimension without macrospin
        counterpart is left, or protocol A meets :math:`|H_x| > H_{K,\mathrm{eff}}`.
    """
    a = film.attrs
    if a.get("macrospin_equivalent") != "yes":
        raise ValueError(
            "This film has no macrospin equivalent: "
            f"{a.get('macrospin_equivalent', 'not a switching sweep')}."
        )
    extra = [d for d in _film_dims(film) if d not in ("hx", "hsot")]
    if extra:
        raise ValueError(
            f"Select single values of the swept parameters {extra} first "
            "(film.isel({...}) or film.sel({...}))."
        )
    if "gamma0" not in a:
        raise ValueError("The film has no scalar Precession gamma0.")
    H_K = float(a["H_K_eff"])
    if not H_K > 0:
        raise ValueError(
            f"H_K_eff = {H_K:.6g} A/m <= 0: the film is easy-plane, the macrospin "
            "diagram (perpendicular easy axis) does not apply."
        )
    time_unit = 1.0 / (float(a["gamma0"]) * H_K)
    alpha = float(a["alpha"])
    torque = torques.get(a["torque"])
    # the torque's other parameters as the sweep recorded them (term attributes)
    values = {attr: float(a.get(attr, 0.0)) for attr in torque.recorded}
    pulse_text = a["pulse"]
    term = a["term"]
    changes = {}
    for name, coord in film.coords.items():
        if coord.ndim != 0 or "." not in name:
            continue
        tname, attr = name.split(".")
        value = float(coord.values)
        if name == "damping.alpha":
            alpha = value
        elif tname == term and attr in values:
            values[attr] = value
        elif tname == "pulse":
            changes[attr] = value
        else:
            raise ValueError(
                f"The selected swept parameter {name!r} has no macrospin counterpart."
            )
    hx = film.hx.values / H_K
    s = film.hsot.values / H_K
    protocol = a.get("protocol", "A")
    if protocol == "A" and np.any(np.abs(hx) > 1):
        raise ValueError(
            "Protocol A (field-relaxed start) needs |H_x| <= H_K_eff = "
            f"{H_K:.6g} A/m; the film grid reaches {np.abs(film.hx.values).max():.6g}."
        )
    pulse = _pulse_from_repr(pulse_text)
    if changes:
        pulse = pulse.replace(**changes)
    current = None if pulse == _pulses.Step() else pulse.to_macrospin(time_unit)
    kw = {
        "hx": hx,
        "hsot": s,
        "torque": a["torque"],
        "alpha": alpha,
        "delta_alpha": float(a.get("delta_alpha", 0.0)),
        "protocol": protocol,
        "t_max": float(a["t_run"]) / time_unit,
        "current": current,
        "tol": float(a["tol"]),
    }
    kw.update(torque_arguments(a, torque, values, s, H_K))
    return {**kw, "time_unit": time_unit, "H_K_eff": H_K}


def torque_arguments(attrs, torque, values, s, H_K):
    """The torque's macrospin keyword arguments (reduced) from a film result.

    ``values``: the term's recorded attributes (``{attr: value}``, SI); the
    field-like amplitude follows the torque (``h_fl_ratio * s``) when the
    sweep scaled it, fields are divided by ``H_K`` (A/m).
    """
    kw = {}
    for attr, value in values.items():
        par = torque.parameter(attr)
        if attr == torque.field_like and int(attrs.get("scale_fl", 0)):
            kw[par.key] = float(attrs["h_fl_ratio"]) * s
        else:
            kw[par.key] = value / H_K if par.field else value
    return kw


def macrospin_diagram(film, **overrides):
    """Macrospin phase diagram with the film's parameters, on the film's grid.

    Parameters
    ----------
    film : xarray.Dataset
        Result of :func:`~ubermag_dirac.switching.phase_diagram` (see
        :func:`macrospin_parameters`).
    **overrides
        Replace keyword arguments of :func:`ubermag_dirac.macrospin.phase_diagram`
        (e.g. ``rtol``).

    Returns
    -------
    xarray.Dataset
        The macrospin Dataset with the film's coordinates ``hx``, ``hsot`` (A/m,
        and ``J`` in A/m^2 when the film has it) and the reduced ones as
        ``hx_reduced``, ``hsot_reduced``; ``attrs`` add ``H_K_eff`` and
        ``time_unit``.
    """
    kw = macrospin_parameters(film)
    time_unit = kw.pop("time_unit")
    H_K = kw.pop("H_K_eff")
    kw.update(overrides)
    mds = ms.phase_diagram(**kw)
    mds = mds.rename({"hx": "hx_reduced", "hsot": "hsot_reduced"})
    mds = mds.rename_dims({"hx_reduced": "hx", "hsot_reduced": "hsot"})
    mds = mds.assign_coords(hx=("hx", film.hx.values), hsot=("hsot", film.hsot.values))
    if "J" in film.coords:  # a film whose term knows its current density
        mds = mds.assign_coords(J=film.J)
    mds.attrs.update({"H_K_eff": H_K, "time_unit": time_unit})
    return mds


def compare(film, macro=None):
    """Point-by-point comparison of a film diagram with the macrospin one.

    Parameters
    ----------
    film : xarray.Dataset
        Film result (grid dims ``hx``, ``hsot`` only, see
        :func:`macrospin_parameters`).
    macro : xarray.Dataset, optional
        Macrospin result on the same grid (default: :func:`macrospin_diagram`).

    Returns
    -------
    xarray.Dataset
        ``state_film``, ``state_macrospin``, ``agree`` (hx, hsot) and the final
        ``mz_up``/``mz_down`` of both (suffixes ``_film``, ``_macrospin``);
        ``attrs["agreement"]``: the fraction of grid points classified
        identically, ``attrs["n_points"]``.

    Examples
    --------
    Any two diagrams on the same grid compare; here two macrospin ones:

    >>> import numpy as np
    >>> from ubermag_dirac import macrospin as ms
    >>> from ubermag_dirac.switching import compare
    >>> a = ms.phase_diagram([0.0, 0.5], [0.0, 0.3, 0.6], torque="she")
    >>> b = ms.phase_diagram([0.0, 0.5], [0.0, 0.3, 0.6], torque="dirac")
    >>> round(compare(a, b).attrs["agreement"], 3)
    0.667
    >>> compare(a, ms.phase_diagram([0.0], [0.0]))
    Traceback (most recent call last):
    ...
    ValueError: The two diagrams have different grids: (2, 3) vs (1, 1).
    """
    if macro is None:
        macro = macrospin_diagram(film)
    if film.state.shape != macro.state.shape:
        raise ValueError(
            "The two diagrams have different grids: "
            f"{film.state.shape} vs {macro.state.shape}."
        )
    sf = film.state.values
    sm = macro.state.values
    agree = sf == sm
    dims = ("hx", "hsot")
    out = xr.Dataset(
        {
            "state_film": (dims, sf, film.state.attrs),
            "state_macrospin": (dims, sm, macro.state.attrs),
            "agree": (dims, agree),
            "mz_up_film": (dims, film.mz_up.values),
            "mz_down_film": (dims, film.mz_down.values),
            "mz_up_macrospin": (dims, macro.mz_up.values),
            "mz_down_macrospin": (dims, macro.mz_down.values),
        },
        coords={"hx": film.hx.values, "hsot": film.hsot.values},
        attrs={
            "agreement": float(agree.mean()),
            "n_points": int(agree.size),
            "states": list(ms.STATES),
        },
    )
    return out


def switching_threshold(ds, start="down", units=None):
    r"""Smallest positive torque amplitude at which a start loses its sign.

    For each ``hx`` (and any further grid dimension) the first ``hsot > 0``
    (in increasing order) at which the ``start`` run ends on the other side,
    :math:`\langle m_n\rangle > -` ``tol`` for the down start
    (:math:`< +` ``tol`` for the up start): the grid version of
    :func:`ubermag_dirac.macrospin.switching_threshold`.

    Parameters
    ----------
    ds : xarray.Dataset
        A film or macrospin phase diagram.
    start : {"down", "up"}
    units : {None, "A/m^2"}
        None: the threshold amplitude in the units of ``ds.hsot`` (A/m for film
        sweeps); ``"A/m^2"``: the current density at that amplitude, for
        diagrams with a ``J`` coordinate (terms built with
        ``ud.DiracSOT.from_surface``, ``ud.macrospin.with_current_density``).

    Returns
    -------
    xarray.DataArray
        Threshold in the units asked for (NaN: no switching on the grid).

    Examples
    --------
    >>> from ubermag_dirac import macrospin as ms
    >>> from ubermag_dirac.switching import switching_threshold
    >>> ds = ms.phase_diagram([0.5], [0.1, 0.2, 0.3], torque="she", alpha=0.5)
    >>> switching_threshold(ds).values
    array([0.2])
    >>> switching_threshold(ds, start="sideways")
    Traceback (most recent call last):
    ...
    ValueError: start must be 'down' or 'up', got 'sideways'.
    """
    if start not in ("down", "up"):
        raise ValueError(f"start must be 'down' or 'up', got {start!r}.")
    if units not in (None, "A/m^2"):
        raise ValueError(f"units must be None or 'A/m^2', got {units!r}.")
    if units == "A/m^2" and "J" not in ds.coords:
        raise ValueError(
            "units='A/m^2' needs a diagram with a current-density coordinate J "
            "(a ud.DiracSOT built with from_surface, or "
            "ud.macrospin.with_current_density)."
        )
    tol = float(ds.attrs.get("tol", 1e-3))
    pos = ds.hsot.values > 0
    sub = ds.isel(hsot=np.flatnonzero(pos)).sortby("hsot")
    mz = sub["mz_down"] if start == "down" else sub["mz_up"]
    lost = (mz > -tol) if start == "down" else (mz < tol)
    lost = lost.transpose(..., "hsot")
    vals = sub.hsot.values if units is None else sub.J.values
    arr = lost.values
    anyl = arr.any(axis=-1)
    first = np.argmax(arr, axis=-1)
    res = np.where(anyl, vals[first], np.nan)
    dims = [d for d in lost.dims if d != "hsot"]
    return xr.DataArray(
        res,
        dims=dims,
        coords={d: lost[d] for d in dims},
        name="hsot_threshold" if units is None else "J_threshold",
        attrs={
            "units": ds.hsot.attrs.get("units", "") if units is None else units,
            "start": start,
        },
    )
