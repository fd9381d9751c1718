r"""Checks of a system's dynamics before it is driven: traps that run silently.

Two kinds of mistakes run without any error and give wrong results:

* a term built with ``from_surface`` for another ``Ms`` or thickness than the
  system has (:func:`check_surface_terms`: an error saying which value differs
  and what it changes);
* dynamics without ``mm.Precession`` where a user almost certainly forgot it
  (:func:`warn_missing_precession`: an :class:`~ubermag_dirac.UbermagDiracWarning`).

:func:`check_dynamics` runs both; ``ud.TimeDriver`` and
``ud.switching.phase_diagram`` call it.
"""

from __future__ import annotations

import numbers
import warnings

import micromagneticmodel as mm
import numpy as np

from .._warnings import UbermagDiracWarning

__all__ = [
    "check_dynamics",
    "check_surface_terms",
    "film_thickness",
    "warn_missing_precession",
]

#: relative tolerance of the Ms and thickness comparison (float round-off of
#: mesh edges and norms, far below any physical difference)
RTOL = 1e-6

#: dynamics terms that drive m only through a torque (nothing moves without
#: Precession or Damping; with Damping alone they act only through the damping)
_TORQUE_TERMS = ("DiracSOT", "SpinHallSOT", "AnisotropicDamping")


def _value(term, attr):
    value = term.__dict__.get(attr)
    return float(value) if isinstance(value, numbers.Real) else None


def _norms(system):
    return np.linalg.norm(np.asarray(system.m.array, dtype=float), axis=-1)


def film_thickness(system, n=(0, 0, 1)):
    """Range of the magnetic film's thickness along ``n`` (m), over the columns.

    The thickness of a column of cells along the mesh axis ``n`` is the number
    of its magnetic cells (``Ms > 0``) times the cell edge; columns without
    magnetic cells are ignored. Returns ``(min, max, cell edge)``, or ``None``
    when ``n`` is not along a mesh axis or no cell is magnetic.

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.terms.system_checks import film_thickness
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 3e-9), cell=(2e-9, 2e-9, 1e-9))
    >>> s = mm.System(name="s", m=df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5))
    >>> [round(v * 1e9, 9) for v in film_thickness(s)]
    [3.0, 3.0, 1.0]
    >>> film_thickness(s, n=(1, 1, 0)) is None
    True
    """
    n = np.asarray(n, dtype=float)
    n = n / np.linalg.norm(n)
    axis = int(np.argmax(np.abs(n)))
    if not np.isclose(abs(n[axis]), 1.0, rtol=0, atol=1e-9):
        return None
    magnetic = _norms(system) > 0
    counts = magnetic.sum(axis=axis)
    counts = counts[counts > 0]
    if counts.size == 0:
        return None
    edge = float(system.m.mesh.cell[axis])
    return float(counts.min()) * edge, float(counts.max()) * edge, edge


def _ratio_text(built, actual):
    r = built / actual
    return f"{r:.3g}x" if r >= 1 else f"1/{1 / r:.3g}"


def check_surface_terms(system):
    """Refuse ``from_surface`` terms built for another ``Ms`` or thickness.

    ``ud.DiracSOT.from_surface`` and ``ud.AnisotropicDamping.from_surface``
    convert the surface response with the ``Ms`` and ``thickness`` they are
    given; the system has its own (the norm of ``system.m`` over magnetic
    cells, and the film's extent along the term's ``n``). A different value
    scales the result without any error, so it is refused here, naming the
    term, both values and what the difference changes. A film whose
    thickness or ``Ms`` varies between cells is accepted when the term's value
    lies within the system's range.

    Raises
    ------
    ValueError
        On a difference larger than the relative tolerance :data:`RTOL`.

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> from ubermag_dirac.terms.system_checks import check_surface_terms
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(8e-9, 8e-9, 1e-9), cell=(2e-9, 2e-9, 1e-9))
    >>> s = mm.System(name="film")
    >>> s.dynamics = mm.Precession(gamma0=mm.consts.gamma0) + mm.Damping(alpha=0.1)
    >>> s.dynamics += ud.DiracSOT.from_surface(
    ...     ud.theory.preset("Bi2Se3"), J=1e11, thickness=1e-9, Ms=8e5
    ... )
    >>> s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    >>> check_surface_terms(s)  # consistent: nothing happens
    >>> s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=1.2e6)
    >>> check_surface_terms(s)
    Traceback (most recent call last):
    ...
    ValueError: DiracSOT 'diracsot' was built by from_surface with Ms = 800000 A/m, ...
    """
    terms = [
        t
        for t in system.dynamics
        if _value(t, "Ms") is not None or _value(t, "thickness") is not None
    ]
    if not terms:
        return
    norms = _norms(system)
    magnetic = norms[norms > 0]
    for term in terms:
        what = f"{type(term).__name__} {term.name!r} was built by from_surface"
        scales = (
            "delta_alpha scales as 1/(Ms thickness)"
            if type(term).__name__ == "AnisotropicDamping"
            else None
        )
        Ms = _value(term, "Ms")
        if Ms is not None and magnetic.size:
            lo, hi = float(magnetic.min()), float(magnetic.max())
            if Ms < lo * (1 - RTOL) or Ms > hi * (1 + RTOL):
                have = f"{lo:g} A/m" if hi <= lo * (1 + RTOL) else f"{lo:g}-{hi:g} A/m"
                ref = lo if Ms < lo else hi
                effect = scales or (
                    "the amplitudes H_DL and H_FL scale as 1/Ms and are "
                    f"{_ratio_text(ref, Ms)} of what this system needs"
                )
                raise ValueError(
                    f"{what} with Ms = {Ms:g} A/m, but system {system.name!r} has "
                    f"Ms = {have} (the norm of system.m in magnetic cells): "
                    f"{effect}. Build the term with Ms={ref:g}, or give system.m "
                    f"the norm {Ms:g}."
                )
        d = _value(term, "thickness")
        n = term.__dict__.get("n") or (0, 0, 1)
        film = film_thickness(system, n)
        if d is None or film is None:
            continue
        lo, hi, edge = film
        if d < lo * (1 - RTOL) or d > hi * (1 + RTOL):
            ref = lo if d < lo else hi
            have = (
                f"{lo:g} m ({round(lo / edge)} cell(s) of {edge:g} m)"
                if hi <= lo * (1 + RTOL)
                else f"{lo:g}-{hi:g} m (cells of {edge:g} m)"
            )
            if scales:
                effect = scales
            elif _value(term, "J") is not None:
                effect = (
                    "with J given, H_DL and H_FL do not depend on it (J is averaged "
                    "over the thickness), but the sheet current J*thickness, the "
                    "electric field E and the pumped current (Jpump_* columns) are "
                    f"{_ratio_text(d, ref)} of this film's"
                )
            else:
                effect = (
                    "with E given, the amplitudes H_DL and H_FL scale as "
                    f"1/thickness and are {_ratio_text(ref, d)} of this film's"
                )
            raise ValueError(
                f"{what} with thickness = {d:g} m, but the magnetic film of system "
                f"{system.name!r} is {have} thick along n = {tuple(n)}: {effect}. "
                f"Build the term with thickness={ref:g}."
            )


def warn_missing_precession(system, stacklevel=3):
    """Warn when dynamics without ``mm.Precession`` cannot be what was meant.

    Without ``mm.Precession`` the engine (as OOMMF with ``do_precess 0``)
    integrates only the damping part of the LLG equation. That is a known way
    to relax a system when ``mm.Damping`` is there and nothing else is; it is
    almost certainly a forgotten term when

    * there is no ``mm.Damping`` either (or its alpha is 0): ``m`` never moves;
    * a spin-orbit torque term (``ud.DiracSOT``, ``ud.SpinHallSOT``,
      ``ud.AnisotropicDamping``) or ``mm.Slonczewski`` is present: it then acts
      only through the damping, and no switching dynamics happens.

    Emits an :class:`~ubermag_dirac.UbermagDiracWarning` naming the terms and
    the fix; returns whether it warned.

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> from ubermag_dirac.terms.system_checks import warn_missing_precession
    >>> s = mm.System(name="s")
    >>> s.dynamics = mm.Damping(alpha=0.5)  # pure damped relaxation: fine
    >>> warn_missing_precession(s)
    False
    >>> s.dynamics += ud.DiracSOT(H_DL=1e4)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn_missing_precession(s)
    True
    >>> print(w[0].message)
    System 's' has dynamics terms ['damping', 'diracsot'] but no mm.Precession: ...
    """
    dynamics = list(system.dynamics)
    if not dynamics or any(isinstance(t, mm.Precession) for t in dynamics):
        return False
    names = [t.name for t in dynamics]
    damping = [t for t in dynamics if isinstance(t, mm.Damping)]
    alpha = damping[0].__dict__.get("alpha") if damping else None
    no_damping = not damping or (isinstance(alpha, numbers.Real) and alpha == 0)
    torques = [
        t.name
        for t in dynamics
        if type(t).__name__ in _TORQUE_TERMS or isinstance(t, mm.Slonczewski)
    ]
    fix = (
        "Add mm.Precession(gamma0=mm.consts.gamma0) to system.dynamics (for a "
        "damped relaxation without torques use ud.RelaxDriver or ud.MinDriver)."
    )
    if no_damping:
        reason = (
            "without Precession and with no damping nothing changes m: the "
            "drive runs and m never moves."
        )
    elif torques:
        reason = (
            f"the torque term(s) {torques} then act only through the damping "
            "(OOMMF's do_precess 0): no precession and no precessional switching."
        )
    else:
        return False
    warnings.warn(
        f"System {system.name!r} has dynamics terms {names} but no mm.Precession: "
        f"{reason} {fix}",
        UbermagDiracWarning,
        stacklevel=stacklevel,
    )
    return True


def check_dynamics(system, stacklevel=4):
    """:func:`check_surface_terms` and :func:`warn_missing_precession`."""
    check_surface_terms(system)
    warn_missing_precession(system, stacklevel=stacklevel)
