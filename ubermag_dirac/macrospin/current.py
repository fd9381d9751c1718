r"""Macrospin diagrams of a Dirac bilayer in current density (A/m^2).

:func:`~ubermag_dirac.macrospin.phase_diagram` works in reduced units (fields
in units of :math:`H_K`). For a ferromagnet on a topological-insulator surface
(``ud.theory.Bilayer``) the damping-like amplitude is proportional to the
current density, :math:`H_\mathrm{DL} = (\partial H_\mathrm{DL}/\partial J)\,J`,
so a diagram over :math:`s = H_\mathrm{DL}/H_K` is also a diagram over
:math:`J = s H_K/(\partial H_\mathrm{DL}/\partial J)`. The same current
drives the field-like torque, :math:`H_\mathrm{FL}/H_\mathrm{DL} =
-\tau\epsilon_F/(2\hbar\beta)` ("kubo"; about -30 for the Bi2Se3 preset);
:func:`bilayer_arguments` gives the ``phase_diagram`` arguments that include
it, and :func:`with_current_density` labels a diagram in A/m and A/m^2
(``docs/PHYSICS.md``, "Field-like over damping-like").
"""

from __future__ import annotations

import numpy as np

__all__ = ["bilayer_arguments", "fl_dl_note", "with_current_density"]


def fl_dl_note(ratio):
    """Explanation stored with diagrams whose field-like term dominates.

    Returns an empty string for :math:`|H_\\mathrm{FL}/H_\\mathrm{DL}| \\le 1`.

    Examples
    --------
    >>> from ubermag_dirac.macrospin import fl_dl_note
    >>> fl_dl_note(-30.4)[:60]
    'H_FL/H_DL = -30.4: the field-like torque (an in-plane field '
    >>> fl_dl_note(0.5)
    ''
    """
    ratio = float(ratio)
    if not abs(ratio) > 1:
        return ""
    return (
        f"H_FL/H_DL = {ratio:.3g}: the field-like torque (an in-plane field "
        "-H_FL n x j) dominates; once |H_FL| exceeds the anisotropy field it "
        "holds m in the plane, so away from small currents the diagram is "
        "'inplane'. This is the physics of the model for these parameters "
        "(H_FL/H_DL = -tau eps_F/(2 hbar beta) in the kubo convention), not a "
        "numerical artefact; see docs/PHYSICS.md, 'Field-like over "
        "damping-like'."
    )


def _check_bilayer(bilayer):
    if not callable(getattr(bilayer, "current_density", None)):
        raise TypeError(
            f"bilayer must be a ubermag_dirac.theory.Bilayer, got "
            f"{type(bilayer).__name__}."
        )


def _positive(name, value):
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive field in A/m, got {value!r}.")
    return value


def bilayer_arguments(bilayer, H_K, hsot):
    r"""``phase_diagram`` arguments of a Dirac bilayer: ``beta`` and ``h_fl``.

    The field-like amplitude is proportional to the same current as the
    damping-like one: ``h_fl = ratio * hsot`` with ``ratio =
    bilayer.fl_dl_ratio``; ``beta`` is the surface's :math:`\Delta/\epsilon_F`;
    ``delta_alpha`` the bilayer's damping enhancement.

    Parameters
    ----------
    bilayer : ubermag_dirac.theory.Bilayer
    H_K : float
        Anisotropy field of the macrospin (A/m), e.g. ``thin_film_hk_eff``.
    hsot : array_like
        The grid of :math:`s = H_\mathrm{DL}/H_K` (reduced).

    Returns
    -------
    dict
        ``beta``, ``h_fl`` (array like ``hsot``), ``delta_alpha``.

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> bl = ud.theory.Bilayer(ud.theory.preset("Bi2Se3"), thickness=1e-9, Ms=8e5)
    >>> kw = ud.macrospin.bilayer_arguments(bl, 4e5, [0.0, 0.1])
    >>> kw["beta"], kw["h_fl"].round(3).tolist()
    (0.25, [-0.0, -3.039])
    >>> ud.macrospin.bilayer_arguments(ud.theory.preset("Bi2Se3"), 4e5, [0.1])
    Traceback (most recent call last):
    ...
    TypeError: bilayer must be a ubermag_dirac.theory.Bilayer, got DiracSurface.
    """
    _check_bilayer(bilayer)
    _positive("H_K", H_K)
    hsot = np.asarray(hsot, dtype=float)
    return {
        "beta": float(bilayer.surface.beta),
        "h_fl": bilayer.fl_dl_ratio * hsot,
        "delta_alpha": float(bilayer.delta_alpha(0.0)),
    }


def with_current_density(ds, bilayer, H_K):
    r"""The diagram with SI coordinates: fields (A/m) and current density (A/m^2).

    Adds the coordinates ``H_x`` (A/m, along ``hx``), ``H_DL`` (A/m) and ``J``
    (A/m^2, along ``hsot``) to a Dirac diagram of
    :func:`~ubermag_dirac.macrospin.phase_diagram`, and the attributes
    ``H_K`` (A/m), ``bilayer`` (its parameters), ``bilayer_fl_dl_ratio`` and,
    where the field-like term dominates, ``fl_dl_note``. The plots then show a
    current-density axis. The diagram itself is not recomputed: build it with
    :func:`bilayer_arguments` to include the bilayer's field-like torque.

    Parameters
    ----------
    ds : xarray.Dataset
        Dirac diagram (``torque="dirac"``).
    bilayer : ubermag_dirac.theory.Bilayer
    H_K : float
        The anisotropy field (A/m) that the reduced fields refer to.

    Returns
    -------
    xarray.Dataset
        A new Dataset (``ds`` is not modified).

    Examples
    --------
    >>> import numpy as np
    >>> import ubermag_dirac as ud
    >>> bl = ud.theory.Bilayer(ud.theory.preset("Bi2Se3"), thickness=1e-9, Ms=8e5)
    >>> ds = ud.macrospin.phase_diagram([0.0], [0.0, 0.5], t_max=50.0)
    >>> si = ud.macrospin.with_current_density(ds, bl, H_K=4e5)
    >>> f"{float(si.J[1]):.3e} {si.J.attrs['units']}"
    '-7.331e+13 A/m^2'
    >>> ud.macrospin.with_current_density(ds, bl, H_K=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: H_K must be a positive field in A/m, got -1.0.
    """
    _check_bilayer(bilayer)
    H_K = _positive("H_K", H_K)
    if ds.attrs.get("torque") != "dirac":
        raise ValueError(
            "with_current_density needs a Dirac diagram (torque='dirac'); the "
            f"current density of torque={ds.attrs.get('torque')!r} is not that "
            "of a Dirac bilayer."
        )
    H_DL = ds.hsot.values * H_K
    out = ds.assign_coords(
        H_x=("hx", ds.hx.values * H_K, {"units": "A/m", "long_name": "H_x"}),
        H_DL=("hsot", H_DL, {"units": "A/m", "long_name": "H_DL"}),
        J=(
            "hsot",
            np.asarray(bilayer.current_density(H_DL=H_DL), dtype=float),
            {"units": "A/m^2", "long_name": "current density"},
        ),
    )
    ratio = float(bilayer.fl_dl_ratio)
    out.attrs.update(
        {
            "H_K": H_K,
            "bilayer": (
                f"thickness={bilayer.thickness:g} m, Ms={bilayer.Ms:g} A/m, "
                f"convention={bilayer.convention!r}, surface={bilayer.surface!r}"
            ),
            "bilayer_fl_dl_ratio": ratio,
        }
    )
    note = fl_dl_note(ratio)
    if note:
        out.attrs["fl_dl_note"] = note
    return out
