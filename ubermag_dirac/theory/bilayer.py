r"""A ferromagnetic film on a Dirac surface: current density <-> torque fields.

Experiments quote a current density :math:`J` (A/m^2); the dynamics terms and the
macrospin take fields (A/m). For a film of thickness :math:`d` and saturation
magnetisation :math:`M_s` on a surface, with :math:`J` averaged over
:math:`d_J` (default :math:`d`) and carried by the surface
(``docs/PHYSICS.md``, "A ferromagnet on the surface"):

.. math::

    E = \frac{J d_J}{\sigma_{xx}(0)},\qquad
    H_\mathrm{DL} = \frac{\hbar\,\tau_\parallel(m_z)\,E}{2\mu_0 M_s d},\qquad
    H_\mathrm{FL} = \frac{\hbar\,\tau_\perp(m_z)\,E}{2\mu_0 M_s d},

and :math:`\delta\alpha` does not depend on :math:`J`. Both fields are linear in
:math:`J`, so the map inverts exactly; their ratio at :math:`m_z = 0` is
:math:`H_\mathrm{FL}/H_\mathrm{DL} = -\tau\epsilon_F/(2\hbar\beta)` ("kubo"),
about -30 for the Bi2Se3 preset.
"""

from __future__ import annotations

import dataclasses
import typing

import numpy as np

from ._validation import check_convention, positive

__all__ = ["Bilayer", "TorqueFields"]


class TorqueFields(typing.NamedTuple):
    """What a current density does to the film (arrays broadcast like ``J``)."""

    #: current density (A/m^2), averaged over the current thickness
    J: np.ndarray
    #: electric field along j (V/m)
    E: np.ndarray
    #: damping-like field amplitude (A/m), angular factor at the given m_z included
    H_DL: np.ndarray
    #: field-like field amplitude (A/m), angular factor included
    H_FL: np.ndarray
    #: damping enhancement of the in-plane components (dimensionless, J-independent)
    delta_alpha: np.ndarray


@dataclasses.dataclass(frozen=True)
class Bilayer:
    r"""Ferromagnetic film (thickness, Ms) on a Dirac surface: J <-> fields.

    Parameters
    ----------
    surface : ubermag_dirac.theory.DiracSurface
        The topological-insulator surface.
    thickness : float
        Ferromagnet thickness :math:`d` (m), > 0.
    Ms : float
        Saturation magnetisation (A/m), > 0.
    convention : {"kubo", "paper"}
        Torque coefficients (``docs/PHYSICS.md``); default ``"kubo"``.
    current_thickness : float, optional
        Thickness (m) over which ``J`` is averaged; default ``thickness``.

    Examples
    --------
    Fields of :math:`10^{11}` A/m^2 in a 1 nm film with the Bi2Se3 preset, and
    back:

    >>> import ubermag_dirac as ud
    >>> bl = ud.theory.Bilayer(ud.theory.preset("Bi2Se3"), thickness=1e-9, Ms=8e5)
    >>> f = bl.fields(1e11)
    >>> f"{float(f.H_DL):.4g} A/m, {float(f.H_FL):.4g} A/m, {float(f.delta_alpha):.3g}"
    '-272.8 A/m, 8289 A/m, 0.0018'
    >>> f"{float(bl.current_density(H_DL=f.H_DL)):.6g}"
    '1e+11'
    >>> round(bl.fl_dl_ratio, 2)  # the field-like term dominates
    -30.39
    >>> bl.current_density(H_DL=-272.8, H_FL=8289.0)
    Traceback (most recent call last):
    ...
    ValueError: give exactly one of H_DL or H_FL (A/m); got both.
    """

    surface: typing.Any
    thickness: float
    Ms: float
    convention: str = "kubo"
    current_thickness: float | None = None

    def __post_init__(self):
        if not callable(getattr(self.surface, "tau_par", None)):
            raise TypeError(
                "surface must be a ubermag_dirac.theory.DiracSurface, got "
                f"{type(self.surface).__name__}."
            )
        object.__setattr__(
            self, "thickness", positive("thickness", self.thickness, "m")
        )
        object.__setattr__(self, "Ms", positive("Ms", self.Ms, "A/m"))
        check_convention(self.convention)
        if self.current_thickness is not None:
            object.__setattr__(
                self,
                "current_thickness",
                positive("current_thickness", self.current_thickness, "m"),
            )

    @classmethod
    def from_term(cls, term):
        """The bilayer a ``DiracSOT`` was built from.

        The term must come from ``from_surface`` (which records ``surface``,
        ``thickness``, ``Ms`` and ``convention``).

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.preset("Bi2Se3")
        >>> sot = ud.DiracSOT.from_surface(s, J=1e11, thickness=1e-9, Ms=8e5)
        >>> ud.theory.Bilayer.from_term(sot).Ms
        800000.0
        >>> ud.theory.Bilayer.from_term(ud.DiracSOT(H_DL=1.0))
        Traceback (most recent call last):
        ...
        ValueError: DiracSOT 'diracsot' was not built by from_surface ...
        """
        values = {a: term.__dict__.get(a) for a in ("surface", "thickness", "Ms")}
        if any(v is None for v in values.values()):
            raise ValueError(
                f"{type(term).__name__} {term.name!r} was not built by from_surface "
                "with thickness and Ms (it records "
                f"{sorted(k for k, v in values.items() if v is not None)}); no "
                "current density belongs to its amplitudes."
            )
        return cls(
            convention=term.__dict__.get("convention") or "kubo",
            **values,
        )

    @property
    def _d_current(self):
        d_J = self.current_thickness
        return self.thickness if d_J is None else d_J

    def _per_E(self, mz):
        kw = dict(E=1.0, thickness=self.thickness, Ms=self.Ms)
        kw["convention"] = self.convention
        return self.surface.H_DL(mz, **kw), self.surface.H_FL(mz, **kw)

    @property
    def E_per_J(self):
        """Electric field per current density (V/m per A/m^2), ``d_J/sigma_xx(0)``."""
        return float(self.surface.electric_field(1.0, self._d_current))

    @property
    def H_DL_per_J(self):
        """Damping-like amplitude at m_z = 0 per current density (A/m per A/m^2)."""
        return float(self._per_E(0.0)[0]) * self.E_per_J

    @property
    def H_FL_per_J(self):
        """Field-like amplitude at m_z = 0 per current density (A/m per A/m^2)."""
        return float(self._per_E(0.0)[1]) * self.E_per_J

    @property
    def fl_dl_ratio(self):
        r""":math:`H_\mathrm{FL}/H_\mathrm{DL}` at :math:`m_z = 0` (J-independent)."""
        return self.H_FL_per_J / self.H_DL_per_J

    def delta_alpha(self, mz=0.0):
        """Damping enhancement of the in-plane components (dimensionless, >= 0)."""
        return self.surface.delta_alpha(
            mz, thickness=self.thickness, Ms=self.Ms, convention=self.convention
        )

    def fields(self, J, mz=0.0):
        """Electric field, torque fields and damping of current density ``J``.

        Parameters
        ----------
        J : array_like
            Current density (A/m^2) along j, averaged over the current thickness.
        mz : array_like
            :math:`m\\cdot n` for the angular factors (default 0: the amplitudes
            that ``ud.DiracSOT`` stores).

        Returns
        -------
        TorqueFields
            ``(J, E, H_DL, H_FL, delta_alpha)`` in A/m^2, V/m, A/m, A/m, 1.
        """
        J = np.asarray(J, dtype=float)
        E = J * self.E_per_J
        dl, fl = self._per_E(mz)
        return TorqueFields(J, E, dl * E, fl * E, self.delta_alpha(mz))

    def current_density(self, *, H_DL=None, H_FL=None):
        """Current density (A/m^2) that gives the amplitude ``H_DL`` or ``H_FL``.

        The amplitudes are those at :math:`m_z = 0` (as ``ud.DiracSOT`` stores
        them); give exactly one, in A/m. Inverse of :meth:`fields`.
        """
        if (H_DL is None) == (H_FL is None):
            got = "both" if H_DL is not None else "neither"
            raise ValueError(f"give exactly one of H_DL or H_FL (A/m); got {got}.")
        if H_DL is not None:
            return np.asarray(H_DL, dtype=float) / self.H_DL_per_J
        return np.asarray(H_FL, dtype=float) / self.H_FL_per_J
