r"""Units of the grid of a film sweep: A/m, units of H_K,eff, or current density.

``ud.switching.phase_diagram`` works in SI: the in-plane field ``hx`` and the
torque amplitude ``hsot`` are in A/m. Two other ways to give the grid are
explicit (never guessed):

* ``units="H_K"``: ``hx`` and ``hsot`` in units of the film's
  macrospin-equivalent anisotropy field :math:`H_{K,\mathrm{eff}}`
  (:func:`~ubermag_dirac.switching.effective_anisotropy`), the reduced units of
  ``ud.macrospin``;
* ``J=...`` instead of ``hsot``: current densities (A/m^2) for a torque term
  built with ``ud.DiracSOT.from_surface`` (``ud.theory.Bilayer`` converts them).

A grid in A/m whose every field is below 1e-3 :math:`H_{K,\mathrm{eff}}` (so
weak that nothing can switch) is refused: such numbers are reduced units given
where A/m are expected. For a term built from a surface the Dataset gets a
current-density coordinate ``J`` along ``hsot`` (A/m^2) and, where the
field-like term dominates, ``attrs["fl_dl_note"]``.
"""

from __future__ import annotations

import numpy as np

from .. import _numbers

__all__ = ["UNITS", "current_coordinate", "resolve_grid"]

#: accepted values of ``units``
UNITS = ("A/m", "H_K")
#: a grid whose fields all stay below this fraction of H_K,eff is refused
TOO_WEAK = 1e-3


def _array(name, values):
    v = np.atleast_1d(_numbers.reals(name, values))
    if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be a non-empty 1D array of finite numbers.")
    return v


def _anisotropy_field(system, sot):
    from ._job import _vec
    from .anisotropy import effective_anisotropy

    try:
        eff = effective_anisotropy(
            system, n=_vec(sot, "n", (0, 0, 1)), j=_vec(sot, "j", (1, 0, 0))
        )
    except (ValueError, TypeError):
        return None
    H_K = float(eff["H_K_eff"])
    return H_K if H_K > 0 else None


def _bilayer(sot, torque):
    if torque.name != "dirac":
        return None
    from ..theory import Bilayer

    try:
        return Bilayer.from_term(sot)
    except (ValueError, TypeError):
        return None


def resolve_grid(system, sot, torque, hx, hsot, J, units):
    """``(hx, hsot, attrs)``: the grid in A/m and the attributes it implies.

    Raises
    ------
    ValueError
        Unknown ``units``; both or neither of ``hsot`` and ``J``; ``J`` without
        a term built from a surface; ``units="H_K"`` for a film without a
        macrospin equivalent; a grid in A/m that only reduced units explain.
    """
    if units not in UNITS:
        raise ValueError(
            f"units must be 'A/m' (hx, hsot in A/m) or 'H_K' (in units of the "
            f"film's H_K,eff, as ud.macrospin), got {units!r}."
        )
    if (hsot is None) == (J is None):
        raise ValueError(
            "give the torque grid as exactly one of hsot (A/m, or units of H_K,eff "
            "with units='H_K') or J (current density, A/m^2)."
        )
    hx = _array("hx", hx)
    bilayer = _bilayer(sot, torque)
    H_K = _anisotropy_field(system, sot)
    attrs = {"grid_units": units if J is None else f"{units}, J in A/m^2"}
    if units == "H_K":
        if H_K is None:
            raise ValueError(
                "units='H_K' needs the film's macrospin-equivalent H_K,eff > 0 "
                "(ud.switching.effective_anisotropy); give hx and hsot in A/m."
            )
        hx = hx * H_K
    if J is not None:
        if bilayer is None:
            raise ValueError(
                f"J (A/m^2) needs a ud.DiracSOT built with from_surface (it knows "
                f"the surface, thickness and Ms); the torque term {sot.name!r} "
                "does not: give hsot in A/m."
            )
        hsot = _array("J", J) * bilayer.H_DL_per_J
    else:
        hsot = _array("hsot", hsot) * (H_K if units == "H_K" else 1.0)
    if units == "A/m" and J is None and H_K is not None:
        largest = max(np.abs(hx).max(), np.abs(hsot).max())
        if 0 < largest < TOO_WEAK * H_K:
            raise ValueError(
                f"hx and hsot are fields in A/m (ud.switching works in SI); the "
                f"largest given is {largest:g} A/m, {largest / H_K:.1e} of this "
                f"film's H_K,eff = {H_K:.4g} A/m: nothing can switch. These look "
                "like reduced units (units of H_K, as ud.macrospin.phase_diagram "
                "takes): pass units='H_K', or multiply by H_K,eff."
            )
    if bilayer is not None:
        attrs["J_per_hsot"] = 1.0 / bilayer.H_DL_per_J
        attrs["bilayer_fl_dl_ratio"] = float(bilayer.fl_dl_ratio)
    return hx, hsot, attrs


def add_note(attrs):
    """The FL/DL explanation for the Dataset, when the field-like term dominates."""
    from ..macrospin import fl_dl_note

    note = fl_dl_note(attrs.get("h_fl_ratio", 0.0) or 0.0)
    if note:
        attrs["fl_dl_note"] = note
    return attrs


def current_coordinate(attrs, hsot):
    """``("hsot", J, attrs)`` of a sweep whose term knows its current, else None."""
    k = attrs.get("J_per_hsot")
    if k is None:
        return None
    return (
        "hsot",
        np.asarray(hsot, dtype=float) * float(k),
        {"units": "A/m^2", "long_name": "current density"},
    )
