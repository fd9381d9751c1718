r"""oommfc's T = 0 evolvers: ``RungeKuttaEvolver``, ``EulerEvolver``, ``CGEvolver``,
``SpinTEvolver`` and ``SpinXferEvolver``, so that ``oommfc`` scripts run unchanged.

Ubermag notebooks choose OOMMF's evolver explicitly, e.g.
``oc.TimeDriver(evolver=oc.RungeKuttaEvolver(method="rkf54s"))`` or
``oc.MinDriver(evolver=oc.CGEvolver(method="Polak-Ribiere"))``. The classes here
have exactly ``oommfc``'s attribute names, and instances of the ``oommfc`` classes
themselves are accepted too (they are recognised by class name). Every attribute
that is set is either honoured or refused with a ``ValueError`` that names the
evolver, the attribute and what is supported; nothing is ignored silently. The
evolver is never changed (``oommfc`` overwrites its attributes from the system;
ubermag-dirac only reads them).

Which driver takes which evolver (as ``oommfc``; anything else is a ``TypeError``
"Cannot use ... for evolver" from ``drive()``, before anything is written):

* ``TimeDriver``: ``RungeKuttaEvolver``, ``SpinTEvolver``, ``SpinXferEvolver``
  (and the thermal evolvers of :mod:`ubermag_dirac.drivers.evolvers`);
  ``EulerEvolver`` is refused (below). Without an evolver the driver picks the one
  ``oommfc`` picks (``SpinTEvolve`` with ``mm.ZhangLi``, ``SpinXferEvolve`` with
  ``mm.Slonczewski``, else ``RungeKuttaEvolve``), which only names the table's
  evolver columns.
* ``MinDriver`` and ``HysteresisDriver``: ``CGEvolver``. ``oommfc`` has no
  ``RelaxDriver``; ubermag-dirac's takes no evolver.

What each attribute does here
-----------------------------
Runge-Kutta evolvers (``RungeKuttaEvolver``; ``SpinXferEvolver``, which is OOMMF's
Runge-Kutta evolver plus the Slonczewski torque; ``SpinTEvolver``, which has only
``method`` of these):

``method``
    OOMMF's name of the Runge-Kutta pair, case-insensitive as in OOMMF:
    ``"rkf54"`` (OOMMF's default), ``"rkf54m"``, ``"rkf54s"`` are the engine's
    pairs and run (the driver's ``method``); an evolver without ``method`` runs
    the driver's, by default ``"auto"`` (rkf54, with classical RK4 while
    stability limits the step). OOMMF's fixed-order ``"rk2"``, ``"rk4"`` and
    ``"rk2heun"`` are not implemented: refused.
``max_timestep``
    the largest step (s): the driver's ``h_max`` (both default 1e-10 s).
``min_timestep``
    ``0`` (OOMMF's default) is accepted. A positive value makes OOMMF *force*
    (accept without error control) every step it would shrink below it; the
    engine never accepts a step over its error bound (a step below 1e-20 s fails
    the run instead): refused.
``error_rate``, ``relative_step_error``, ``absolute_step_error``
    OOMMF accepts a step when its error estimate :math:`e = \max_i
    |\mathbf m_i^{(5)} - \mathbf m_i^{(4)}|` (rad) is below both a *rate* bound
    :math:`\Delta t\,\min(\texttt{relative\_step\_error}\max|\dot{\mathbf m}|,\
    \texttt{error\_rate})` (on by default: 0.01 and 1 deg/ns) and the
    *absolute* bound ``absolute_step_error`` (deg, default 0.2); a negative value
    switches a bound off. The engine's error control is an absolute bound on the
    same estimate, the driver's ``tol`` (dimensionless, i.e. rad). So
    ``absolute_step_error`` is honoured, as ``tol = absolute_step_error *
    pi / 180``, when both rate bounds are switched off (``error_rate=-1,
    relative_step_error=-1``); the step-size controller that then proposes the
    steps is the engine's (PI) rather than OOMMF's (headroom), so the step
    sequence differs but every accepted step meets the same bound. Any setting
    that leaves a rate bound on, or switches every bound off, is refused.
``alpha``, ``gamma_G``, ``gamma_LL``, ``do_precess``, ``allow_signed_gamma``
    ``oommfc`` fills the first four from ``system.dynamics`` at every drive. Here
    a value given must agree with the system (``alpha`` with ``mm.Damping``, 0
    without it; ``gamma_G`` with ``mm.Precession``'s ``gamma0``; ``gamma_LL``
    with :math:`\gamma_0/(1+\alpha^2)`; ``do_precess`` 1 with ``mm.Precession``,
    0 without): the physics is the system's, and an evolver that says otherwise
    is refused, naming the term to change instead. ``allow_signed_gamma=0``
    (OOMMF's default) is accepted; ``1`` would reverse the precession of a
    positive ``gamma0`` in OOMMF: refused.
``fixed_spins``
    refused: give ``drive(..., fixed_subregions=[...])`` (oommfc writes
    ``fixed_spins`` from it).
``start_dm``, ``start_dt``, ``stage_start``, ``energy_precision``,
``min_step_headroom``, ``max_step_headroom``, ``reject_goal``, ``energy_slack``
    OOMMF's step-size controller (first step, step at a stage start, energy
    check, headroom, rejection goal): the engine's controller is a different one
    (PI control on ``tol``, first step 0.01 rad over :math:`\max|\dot{\mathbf
    m}|`) and has none of these: refused.

``SpinTEvolver`` (OOMMF's ``Anv_SpinTEvolve``, the Zhang-Li torque)
    needs the system's ``mm.ZhangLi`` term; ``u`` and ``beta`` must agree with
    it (``oommfc`` overwrites them from it), ``u_profile``/``u_profile_args``
    are refused (time dependence: ``mm.ZhangLi(func=..., dt=...)``). A system
    without ``mm.ZhangLi`` is refused with a message to add it: the evolver
    does not carry the torque here. ``mm.Slonczewski`` with it is refused (as in
    ``oommfc``, where the evolver cannot take ``J``).
``SpinXferEvolver`` (OOMMF's ``Oxs_SpinXferEvolve``, the Slonczewski torque)
    needs ``mm.Slonczewski``; ``J``, ``mp``, ``P``, ``Lambda``, ``eps_prime``
    (and ``P_fixed``/``P_free``, ``Lambda_fixed``/``Lambda_free``, which must
    then equal ``P``, ``Lambda``) must agree with it; ``J_profile``/
    ``J_profile_args`` are refused (``mm.Slonczewski(func=..., dt=...)``).
``RungeKuttaEvolver``
    with ``mm.ZhangLi`` or ``mm.Slonczewski`` in the system is refused, as the
    run fails in ``oommfc`` (use ``SpinTEvolver``/``SpinXferEvolver`` or no
    evolver). ubermag-dirac's own terms (``ud.DiracSOT``, ...) run with it.
``EulerEvolver`` (OOMMF's ``Oxs_EulerEvolve``, first-order Euler)
    is not implemented: refused, pointing to ``RungeKuttaEvolver``.
``CGEvolver`` (OOMMF's ``Oxs_CGEvolve``)
    The engine's minimiser is not OOMMF's conjugate gradient (Barzilai-Borwein
    steepest descent, then L-BFGS; see :class:`~ubermag_dirac.MinDriver`); it
    stops on the same test, :math:`\max|\mathbf m\times\mathbf H\times\mathbf
    m|` below ``stopping_mxHxm``, so it reaches the same minimum by another
    path. ``method`` (``"Fletcher-Reeves"``, OOMMF's default, or
    ``"Polak-Ribiere"``, exact names as in OOMMF) is therefore accepted but does
    not change the result; the request is recorded in the drive's ``info.json``
    (``"oommf_evolver"``). The line-search and reset settings
    (``gradient_reset_angle``, ``gradient_reset_count``,
    ``minimum_bracket_step``, ``maximum_bracket_step``,
    ``line_minimum_angle_precision``, ``line_minimum_relwidth``,
    ``energy_precision``) belong to OOMMF's algorithm and are refused;
    ``fixed_spins``: use ``fixed_subregions``.

Examples
--------
>>> import ubermag_dirac as ud
>>> from ubermag_dirac.drivers.oommfc_evolvers import time_evolver_settings
>>> time_evolver_settings(ud.RungeKuttaEvolver(method="RKF54s", max_timestep=1e-12))
{'h_max': 1e-12, 'method': 'rkf54s'}
>>> time_evolver_settings(ud.RungeKuttaEvolver(method="rk4"))
Traceback (most recent call last):
...
ValueError: RungeKuttaEvolver(method='rk4'): ... supported: 'rkf54', 'rkf54m', 'rkf54s'.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

from .._termparams import term_value
from .evolvers import _SLONCZEWSKI, _XF_ERRORS, _XF_EVOLVE, _XF_HEADROOM

__all__ = [
    "CGEvolver",
    "EulerEvolver",
    "RungeKuttaEvolver",
    "SpinTEvolver",
    "SpinXferEvolver",
    "check_time_evolver_system",
    "is_min_evolver",
    "is_time_evolver",
    "min_evolver_record",
    "time_evolver_settings",
]

#: attributes of OOMMF's Runge-Kutta evolvers that oommfc fills from the system
_GILBERT = _XF_EVOLVE[:4]
#: the step control of OOMMF's Runge-Kutta evolvers after ``_XF_EVOLVE`` (the
#: attribute groups of oommfc's Xf_Therm*Evolver classes, which extend them)
_RK_ERROR = ("stage_start", *_XF_ERRORS, "energy_precision", *_XF_HEADROOM)


class RungeKuttaEvolver(mm.Evolver):
    """OOMMF's ``Oxs_RungeKuttaEvolve`` for ``TimeDriver(evolver=...)``.

    Same attributes as ``oommfc.RungeKuttaEvolver``. ``method`` (``"rkf54"``,
    ``"rkf54m"``, ``"rkf54s"``) and ``max_timestep`` (s) set the engine's pair
    and largest step; see :mod:`ubermag_dirac.drivers.oommfc_evolvers` for every
    attribute (honoured or refused).

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> td = ud.TimeDriver(evolver=ud.RungeKuttaEvolver(method="rkf54s"))
    >>> td.settings()["method"]
    'rkf54s'
    >>> ud.TimeDriver(evolver=ud.RungeKuttaEvolver(start_dm=0.1))
    Traceback (most recent call last):
    ...
    ValueError: RungeKuttaEvolver(start_dm=0.1): OOMMF's step-size controller ...
    """

    _allowed_attributes = (*_XF_EVOLVE, "start_dt", *_RK_ERROR)


class EulerEvolver(mm.Evolver):
    """OOMMF's ``Oxs_EulerEvolve`` (same attributes as ``oommfc.EulerEvolver``).

    Not implemented by the engine: ``TimeDriver`` refuses it and points to
    :class:`RungeKuttaEvolver`.

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ud.TimeDriver(evolver=ud.EulerEvolver())
    Traceback (most recent call last):
    ...
    ValueError: EulerEvolver: OOMMF's first-order Euler evolver ... RungeKuttaEvolver...
    """

    _allowed_attributes = (
        *_GILBERT,
        "min_timestep",
        "max_timestep",
        "fixed_spins",
        "start_dm",
        *_XF_ERRORS,
        "step_headroom",
    )


class CGEvolver(mm.Evolver):
    """OOMMF's ``Oxs_CGEvolve`` for ``MinDriver``/``HysteresisDriver(evolver=...)``.

    Same attributes as ``oommfc.CGEvolver``. ``method`` (``"Fletcher-Reeves"`` or
    ``"Polak-Ribiere"``) is accepted and recorded; the engine's minimiser reaches
    the same minimum (same ``stopping_mxHxm`` test) by another algorithm. The
    other attributes are refused (:mod:`ubermag_dirac.drivers.oommfc_evolvers`).

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> md = ud.MinDriver(evolver=ud.CGEvolver(method="Polak-Ribiere"))
    >>> ud.MinDriver(evolver=ud.CGEvolver(gradient_reset_count=10))
    Traceback (most recent call last):
    ...
    ValueError: CGEvolver(gradient_reset_count=10): a setting of OOMMF's conjugate...
    """

    _allowed_attributes = (
        "gradient_reset_angle",
        "gradient_reset_count",
        "minimum_bracket_step",
        "maximum_bracket_step",
        "line_minimum_angle_precision",
        "line_minimum_relwidth",
        "energy_precision",
        "method",
        "fixed_spins",
    )


class SpinTEvolver(mm.Evolver):
    """OOMMF's ``Anv_SpinTEvolve`` (Zhang-Li torque) for ``TimeDriver``.

    Same attributes as ``oommfc.SpinTEvolver``. The torque is the system's
    ``mm.ZhangLi`` term: ``u`` and ``beta``, if given, must agree with it.

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ud.SpinTEvolver(u=100, beta=0.5).u
    100
    """

    _allowed_attributes = (
        *_GILBERT,
        "u",
        "u_profile",
        "u_profile_args",
        "beta",
        "method",
    )


class SpinXferEvolver(mm.Evolver):
    """OOMMF's ``Oxs_SpinXferEvolve`` (Slonczewski torque) for ``TimeDriver``.

    Same attributes as ``oommfc.SpinXferEvolver``. The torque is the system's
    ``mm.Slonczewski`` term: ``J``, ``mp``, ``P``, ``Lambda``, ``eps_prime``, if
    given, must agree with it.

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ud.SpinXferEvolver(method="rkf54s").method
    'rkf54s'
    """

    _allowed_attributes = (
        *_XF_EVOLVE,
        *_RK_ERROR,
        *_SLONCZEWSKI,
        "J_profile",
        "J_profile_args",
        "mp",
        "energy_slack",
    )


#: the TimeDriver evolvers by class name -> the system's current term they run
_TIME = {
    "RungeKuttaEvolver": None,
    "EulerEvolver": None,
    "SpinTEvolver": mm.ZhangLi,
    "SpinXferEvolver": mm.Slonczewski,
}
#: the current terms that select an OOMMF evolver, and that evolver
_CURRENT_TERMS = {mm.ZhangLi: "SpinTEvolver", mm.Slonczewski: "SpinXferEvolver"}
_PAIRS = ("rkf54", "rkf54m", "rkf54s")
_CG_METHODS = ("Fletcher-Reeves", "Polak-Ribiere")
#: values that oommfc writes into an evolver it has run (names of MIF objects it
#: defines from the system): an instance reused after an oommfc drive carries
#: them, and oommfc replaces them from the system at the next drive
_OOMMFC_NAMES = {
    "alpha": "dp_alpha",
    "gamma_G": "pr_gamma0",
    "u": "zl_u",
    "J": "sl_J",
    "mp": "sl_mp",
    "P": "sl_P",
    "Lambda": "sl_Lambda",
    "eps_prime": "sl_eps_prime",
}
_CONTROLLER = (
    "OOMMF's step-size controller setting has no counterpart in the engine, whose "
    "controller is PI control on the driver's tol (first step 0.01 rad over "
    "max|dm/dt|); supported: method, max_timestep, absolute_step_error (with "
    "error_rate=-1, relative_step_error=-1). Remove it."
)
#: T = 0 attributes refused whatever their value, with the reason
_REFUSED_TIME = {
    "start_dm": _CONTROLLER,
    "start_dt": _CONTROLLER,
    "stage_start": _CONTROLLER,
    "energy_precision": _CONTROLLER,
    "min_step_headroom": _CONTROLLER,
    "max_step_headroom": _CONTROLLER,
    "reject_goal": _CONTROLLER,
    "energy_slack": _CONTROLLER,
    "fixed_spins": "fixed cells are given to the drive: "
    "drive(..., fixed_subregions=[...]) (oommfc writes fixed_spins from it).",
    **{
        f"{prefix}_profile{suffix}": "the time dependence of the current is the "
        f"system's: mm.{term}(func=..., dt=...)."
        for prefix, term in (("u", "ZhangLi"), ("J", "Slonczewski"))
        for suffix in ("", "_args")
    },
}
_CG_REFUSED = (
    "a setting of OOMMF's conjugate-gradient line search; the engine's minimiser "
    "(Barzilai-Borwein, then L-BFGS) has none of OOMMF's, and stops on the same "
    "max|m x H x m| < stopping_mxHxm test; supported: method "
    "('Fletcher-Reeves', 'Polak-Ribiere', recorded only). Remove it."
)


# ------------------------------------------------------------------ helpers
def _name(evolver) -> str:
    return type(evolver).__name__


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _error(evolver, attr, value, reason) -> ValueError:
    return ValueError(f"{_name(evolver)}({attr}={_short(value)}): {reason}")


def _given(evolver) -> dict:
    """The attributes set on ``evolver`` (an oommfc-written MIF name counts as
    not set: oommfc replaces it from the system at every drive)."""
    return {
        k: v
        for k, v in evolver
        if v is not None and not (isinstance(v, str) and _OOMMFC_NAMES.get(k) == v)
    }


def _number(value):
    """``value`` as a float: a real number, or its text (as OOMMF reads the MIF
    value; oommfc writes uniform values into the evolver as text, e.g. '0.1')."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def _tcl_vector(value):
    """A Tcl list of numbers (``'{1 0 0}'``, as oommfc writes a uniform vector)
    as a tuple of floats, else ``value``."""
    if isinstance(value, str):
        try:
            return tuple(float(x) for x in value.strip().strip("{}").split())
        except ValueError:
            return value
    return value


def _agrees(value, reference) -> bool:
    """Whether an evolver's value and the system's describe the same parameter
    (numbers to 1e-12 relative, as OOMMF reads them from the MIF text)."""
    if value is reference:
        return True
    a, b = _number(value), _number(reference)
    if a is not None and b is not None:
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    value, reference = _tcl_vector(value), _tcl_vector(reference)
    if isinstance(value, str) or isinstance(reference, str):
        return value == reference
    if isinstance(value, Mapping) and isinstance(reference, Mapping):
        return value.keys() == reference.keys() and all(
            _agrees(value[k], reference[k]) for k in value
        )
    if isinstance(value, df.Field) and isinstance(reference, df.Field):
        return value.mesh == reference.mesh and np.array_equal(
            np.asarray(value.array), np.asarray(reference.array)
        )
    if isinstance(value, df.Field | Mapping) or isinstance(
        reference, df.Field | Mapping
    ):
        return False
    try:
        x, y = np.asarray(value, dtype=float), np.asarray(reference, dtype=float)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and np.allclose(x, y, rtol=1e-12, atol=0.0)


# -------------------------------------------------------------- recognition
def is_time_evolver(evolver) -> bool:
    """Whether ``evolver`` is one of oommfc's T = 0 ``TimeDriver`` evolvers."""
    return isinstance(evolver, mm.Evolver) and _name(evolver) in _TIME


def is_min_evolver(evolver) -> bool:
    """Whether ``evolver`` is a ``CGEvolver`` (ours or oommfc's)."""
    return isinstance(evolver, mm.Evolver) and _name(evolver) == "CGEvolver"


# ------------------------------------------------------------ TimeDriver
def _method(evolver, attr, value) -> dict:
    if isinstance(value, str) and value.lower() in _PAIRS:
        return {"method": value.lower()}
    supported = ", ".join(repr(p) for p in _PAIRS)
    raise _error(
        evolver,
        "method",
        value,
        "OOMMF's fixed-order 'rk2', 'rk4' and 'rk2heun' (stochastic Heun, for "
        "T > 0 only) are not implemented at T = 0; supported: " + supported + ".",
    )


def _max_timestep(evolver, attr, value) -> dict:
    x = _number(value)
    if x is None or not (x > 0 and math.isfinite(x)):
        raise _error(
            evolver, "max_timestep", value, "expected a positive time step (s)."
        )
    return {"h_max": x}


def _only_zero(reason):
    """Handler of an attribute accepted only at OOMMF's default 0."""

    def check(evolver, attr, value) -> dict:
        if _number(value) == 0.0:
            return {}
        raise _error(evolver, attr, value, reason)

    return check


def _error_control(evolver, given) -> dict:
    """``tol`` from OOMMF's error bounds (module docstring), or a refusal."""
    keys = ("error_rate", "relative_step_error", "absolute_step_error")
    if not any(k in given for k in keys):
        return {}
    values = {}
    for key, default in zip(keys, (1.0, 0.01, 0.2), strict=True):
        x = _number(given.get(key, default))
        if x is None:
            raise _error(evolver, key, given[key], "expected a number.")
        values[key] = x
    on = [k for k in keys[:2] if values[k] >= 0]
    if on:
        attrs = ", ".join(f"{k}={values[k]!r}" for k in keys if k in given)
        raise ValueError(
            f"{_name(evolver)}({attrs}): OOMMF's rate bound on the step error "
            f"({' and '.join(on)}, on unless negative; defaults error_rate=1 deg/ns, "
            "relative_step_error=0.01) has no counterpart in the engine, whose "
            "error control is an absolute bound per step. Supported: "
            "absolute_step_error (deg) with error_rate=-1 and "
            "relative_step_error=-1 (then tol = absolute_step_error*pi/180), or "
            "TimeDriver(tol=...)."
        )
    absolute = values["absolute_step_error"]
    if absolute <= 0 or not math.isfinite(absolute):
        raise _error(
            evolver,
            "absolute_step_error",
            absolute,
            "with both rate bounds off this is the only error control; expected "
            "a positive angle (deg).",
        )
    return {"tol": absolute * math.pi / 180.0}


_TIME_ATTRS = {
    "method": _method,
    "max_timestep": _max_timestep,
    "min_timestep": _only_zero(
        "OOMMF forces (accepts without error control) steps that it would shrink "
        "below min_timestep; the engine never accepts a step over its error bound. "
        "Supported: min_timestep=0 (OOMMF's default); remove it."
    ),
    "allow_signed_gamma": _only_zero(
        "with allow_signed_gamma=1 OOMMF takes gamma's sign as given, which "
        "reverses the precession of mm.Precession's positive gamma0; supported: 0 "
        "(OOMMF's default). Remove it."
    ),
}


def time_evolver_settings(evolver) -> dict:
    """The driver settings an oommfc T = 0 evolver sets: a subset of
    ``{"method", "h_max", "tol"}``.

    Checks every attribute that does not depend on the system and raises
    ``ValueError`` for those that cannot be honoured (module docstring); the
    attributes that must agree with the system are checked by
    :func:`check_time_evolver_system`.

    Examples
    --------
    >>> import numpy as np
    >>> import ubermag_dirac as ud
    >>> from ubermag_dirac.drivers.oommfc_evolvers import time_evolver_settings
    >>> evolver = ud.RungeKuttaEvolver(
    ...     error_rate=-1, relative_step_error=-1, absolute_step_error=1e-4
    ... )
    >>> time_evolver_settings(evolver)["tol"] == 1e-4 * np.pi / 180  # deg -> rad
    True
    >>> time_evolver_settings(ud.RungeKuttaEvolver(absolute_step_error=1e-4))
    Traceback (most recent call last):
    ...
    ValueError: RungeKuttaEvolver(absolute_step_error=0.0001): OOMMF's rate bound ...
    """
    name = _name(evolver)
    if name == "EulerEvolver":
        raise ValueError(
            "EulerEvolver: OOMMF's first-order Euler evolver (Oxs_EulerEvolve) is "
            "not implemented by ubermag-dirac's engine; use RungeKuttaEvolver() "
            "(adaptive Runge-Kutta 5(4), OOMMF's default evolver, methods 'rkf54', "
            "'rkf54m', 'rkf54s') or no evolver."
        )
    given = _given(evolver)
    settings = {}
    for attr, value in given.items():
        if attr in _REFUSED_TIME:
            raise _error(evolver, attr, value, _REFUSED_TIME[attr])
        if attr in _TIME_ATTRS:
            settings.update(_TIME_ATTRS[attr](evolver, attr, value))
    settings.update(_error_control(evolver, given))
    if "gamma_G" in given and "gamma_LL" in given:
        raise _error(
            evolver,
            "gamma_LL",
            given["gamma_LL"],
            "give gamma_G or gamma_LL, not both (as OOMMF).",
        )
    return dict(sorted(settings.items()))


class _Missing(Exception):
    """The system has no term for an evolver's attribute (message: what to do)."""


def _one(system, cls):
    terms = [t for t in system.dynamics if type(t) is cls]
    return terms[0] if terms else None


def _alpha(system):
    damping = _one(system, mm.Damping)
    return 0 if damping is None else damping.alpha


def _gamma0(system, attr):
    precession = _one(system, mm.Precession)
    if precession is None:
        raise _Missing(
            f"the system has no mm.Precession, so there is no gyromagnetic ratio to "
            f"give {attr} to; add mm.Precession(gamma0=...) to system.dynamics "
            "instead."
        )
    return precession.gamma0


def _gamma_LL(system):
    gamma0, alpha = _number(_gamma0(system, "gamma_LL")), _number(_alpha(system))
    if gamma0 is None or alpha is None:
        raise _Missing(
            "gamma_LL is compared with gamma0/(1+alpha^2) only for uniform "
            "gamma0 and alpha; remove it (the system's terms define it)."
        )
    return gamma0 / (1.0 + alpha * alpha)


def _do_precess(system):
    return 0 if _one(system, mm.Precession) is None else 1


def _term_param(cls, param, default=None):
    def read(system):
        term = _one(system, cls)
        if term is None:
            raise _Missing(
                f"the system has no {cls.__name__} term; give the current through "
                f"system.dynamics += mm.{cls.__name__}(...) (the evolver does not "
                "carry the torque here)."
            )
        return term_value(term, param, default)

    return read


#: attributes that oommfc fills from the system: how to read the system's value,
#: and which term it comes from (for the messages)
_FROM_SYSTEM = {
    "alpha": (_alpha, "mm.Damping's alpha (0 without mm.Damping)"),
    "gamma_G": (lambda system: _gamma0(system, "gamma_G"), "mm.Precession's gamma0"),
    "gamma_LL": (_gamma_LL, "gamma0/(1+alpha^2) of mm.Precession and mm.Damping"),
    "do_precess": (_do_precess, "1 with mm.Precession, 0 without"),
    "u": (_term_param(mm.ZhangLi, "u"), "mm.ZhangLi's u"),
    "beta": (_term_param(mm.ZhangLi, "beta"), "mm.ZhangLi's beta"),
    **{
        attr: (_term_param(mm.Slonczewski, param), f"mm.Slonczewski's {param}")
        for attr, param in (
            ("J", "J"),
            ("mp", "mp"),
            ("P", "P"),
            ("P_fixed", "P"),
            ("P_free", "P"),
            ("Lambda", "Lambda"),
            ("Lambda_fixed", "Lambda"),
            ("Lambda_free", "Lambda"),
        )
    },
    "eps_prime": (
        _term_param(mm.Slonczewski, "eps_prime", 0),
        "mm.Slonczewski's eps_prime (0 if not set)",
    ),
}


def check_time_evolver_system(evolver, system) -> None:
    """Refuse an evolver that disagrees with the system it is to drive.

    The current terms must be the evolver's (``SpinTEvolver``: ``mm.ZhangLi``;
    ``SpinXferEvolver``: ``mm.Slonczewski``; ``RungeKuttaEvolver``: neither), and
    every attribute that ``oommfc`` fills from the system must agree with it
    (``ValueError`` naming the attribute and the term to change otherwise).

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> from ubermag_dirac.drivers.oommfc_evolvers import check_time_evolver_system
    >>> system = mm.examples.macrospin()  # mm.Damping(alpha=0.1)
    >>> check_time_evolver_system(ud.RungeKuttaEvolver(alpha=0.1), system)
    >>> check_time_evolver_system(ud.RungeKuttaEvolver(alpha=0.5), system)
    Traceback (most recent call last):
    ...
    ValueError: RungeKuttaEvolver(alpha=0.5): the system gives alpha = 0.1 ...
    """
    name = _name(evolver)
    wanted = _TIME[name]
    given = _given(evolver)
    for cls, evolver_name in _CURRENT_TERMS.items():
        if _one(system, cls) is not None and cls is not wanted:
            raise ValueError(
                f"{name}: the system has mm.{cls.__name__}, which OOMMF runs with "
                f"{evolver_name} (oommfc fails with {name}); use "
                f"evolver={evolver_name}() or no evolver (ubermag-dirac then "
                "picks it as oommfc does)."
            )
    if wanted is not None and _one(system, wanted) is None:
        carried = ", ".join(
            f"{k}={_short(v)}"
            for k, v in given.items()
            if k not in _GILBERT and k in _FROM_SYSTEM
        )
        raise ValueError(
            f"{name}({carried}): the system has no mm.{wanted.__name__} term; give "
            f"the current as system.dynamics += mm.{wanted.__name__}(...) (the "
            "evolver's own current parameters are not a torque here), or use "
            "RungeKuttaEvolver()."
        )
    for attr, value in given.items():
        if attr not in _FROM_SYSTEM:
            continue
        read, source = _FROM_SYSTEM[attr]
        try:
            expected = read(system)
        except _Missing as missing:
            raise _error(evolver, attr, value, str(missing)) from None
        if not _agrees(value, expected):
            raise _error(
                evolver,
                attr,
                value,
                f"the system gives {attr} = {_short(expected)} ({source}); "
                "the physics comes from system.dynamics (oommfc overwrites the "
                f"evolver's {attr} from it): change the system's term or remove "
                f"{attr} from the evolver.",
            )


def time_evolver_record(evolver) -> dict:
    """What ``info.json`` records of a T = 0 oommfc evolver."""
    return {"class": _name(evolver), **_given(evolver)}


# ------------------------------------------------------------- MinDriver
def min_evolver_record(evolver) -> dict:
    """Check a ``CGEvolver``; returns what ``info.json`` records of it.

    ``method`` is accepted (recorded, the minimum is the same); every other
    attribute is refused (module docstring).

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> from ubermag_dirac.drivers.oommfc_evolvers import min_evolver_record
    >>> min_evolver_record(ud.CGEvolver(method="Polak-Ribiere"))["method"]
    'Polak-Ribiere'
    >>> min_evolver_record(ud.CGEvolver(method="BFGS"))
    Traceback (most recent call last):
    ...
    ValueError: CGEvolver(method='BFGS'): OOMMF's methods are 'Fletcher-Reeves' ...
    """
    record = {"class": _name(evolver)}
    for attr, value in _given(evolver).items():
        if attr == "method":
            if value not in _CG_METHODS:
                raise _error(
                    evolver,
                    attr,
                    value,
                    "OOMMF's methods are 'Fletcher-Reeves' (default) and "
                    "'Polak-Ribiere' (exact names).",
                )
            record["method"] = value
            record["note"] = (
                "recorded only: ubermag-dirac's minimiser (Barzilai-Borwein, then "
                "L-BFGS) is not OOMMF's conjugate gradient; it stops on the same "
                "max|m x H x m| < stopping_mxHxm test"
            )
        elif attr == "fixed_spins":
            raise _error(evolver, attr, value, _REFUSED_TIME["fixed_spins"])
        else:
            raise _error(evolver, attr, value, _CG_REFUSED)
    return record
