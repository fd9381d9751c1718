r"""The magnetised Dirac surface: parameters, validation and material presets.

:math:`H_0 = \hbar v\,\sigma\cdot(k\times n) + \Delta\,\sigma\cdot m - \epsilon_F`,
scattering
time :math:`\tau` (:math:`\Sigma^R = -i\hbar/(4\tau)(1 + \beta m_z\sigma_z)`), SI units.
"""

import dataclasses

import numpy as np

from ..constants import EV, HBAR
from . import coefficients as _c
from ._validation import positive
from .ferromagnet import FerromagnetMixin
from .transport import TransportMixin


@dataclasses.dataclass(frozen=True)
class DiracSurface(TransportMixin, FerromagnetMixin):
    r"""Magnetised topological-insulator surface (immutable, SI units).

    Parameters
    ----------
    v : float
        Fermi velocity (m/s), > 0.
    Delta : float
        Exchange energy (J), >= 0.
    eps_F : float
        Fermi energy measured from the Dirac point (J); must exceed ``Delta``, which
        guarantees the metallic regime :math:`\epsilon_F > \Delta|m_z|` for every
        magnetisation direction (the closed forms do not hold outside it).
    tau : float
        Scattering time (s), > 0.

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
    >>> s.beta, round(s.Delta_eV, 12), round(s.eps_F_eV, 12)
    (0.25, 0.05, 0.2)
    >>> ud.theory.DiracSurface.from_ev(6e5, 0.3, 0.2, 5e-14)
    Traceback (most recent call last):
    ...
    ValueError: eps_F = 0.2 eV <= Delta = 0.3 eV is outside the metallic regime: ...
    """

    v: float
    Delta: float
    eps_F: float
    tau: float

    def __post_init__(self):
        object.__setattr__(self, "v", positive("v", self.v, "m/s"))
        object.__setattr__(self, "tau", positive("tau", self.tau, "s"))
        object.__setattr__(self, "eps_F", positive("eps_F", self.eps_F, "J"))
        Delta = float(self.Delta)
        if not np.isfinite(Delta) or Delta < 0:
            raise ValueError(f"Delta = {Delta!r} J: Delta must be finite and >= 0.")
        object.__setattr__(self, "Delta", Delta)
        if self.eps_F <= Delta:
            raise ValueError(
                f"eps_F = {self.eps_F / EV:.6g} eV <= Delta = {Delta / EV:.6g} eV is "
                "outside the metallic regime: eps_F > Delta |m_z| must hold for all "
                "|m_z| <= 1, so eps_F > Delta is required."
            )

    @classmethod
    def from_ev(cls, v, Delta_eV, eps_F_eV, tau):
        """Construct from ``v`` (m/s), ``Delta`` and ``eps_F`` in eV, ``tau`` (s).

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(4.3e5, 0.1, 0.2, 1e-13)
        >>> s.beta
        0.5
        >>> ud.theory.DiracSurface.from_ev(4.3e5, 0.1, 0.2, 0)
        Traceback (most recent call last):
        ...
        ValueError: tau = 0.0 s: tau must be finite and > 0.
        """
        return cls(v=v, Delta=Delta_eV * EV, eps_F=eps_F_eV * EV, tau=tau)

    @property
    def beta(self):
        r""":math:`\beta = \Delta/\epsilon_F` (dimensionless, 0 <= beta < 1)."""
        return self.Delta / self.eps_F

    @property
    def Delta_eV(self):
        """Exchange energy in eV."""
        return self.Delta / EV

    @property
    def eps_F_eV(self):
        """Fermi energy in eV."""
        return self.eps_F / EV

    @property
    def tau_eps(self):
        r"""Dimensionless :math:`\tau\epsilon_F/\hbar` (weak disorder: >> 1)."""
        return self.tau * self.eps_F / HBAR

    def f_FL(self, mz):
        r"""Field-like angular factor :math:`(1-\beta^2m_z^2)/(1+3\beta^2m_z^2)`.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> f"{float(s.f_FL(-1.0)):.10f}"
        '0.7894736842'
        >>> s.f_FL(1.1)
        Traceback (most recent call last):
        ...
        ValueError: mz must be finite with |m_z| <= 1 ...
        """
        return _c.f_FL(mz, self.beta)

    def f_DL(self, mz):
        r"""Damping-like angular factor :math:`(1+\beta^2m_z^2)/(1+3\beta^2m_z^2)^2`.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> f"{float(s.f_DL(-1.0)):.10f}"
        '0.7534626039'
        >>> s.f_DL(float("nan"))
        Traceback (most recent call last):
        ...
        ValueError: mz must be finite with |m_z| <= 1 ...
        """
        return _c.f_DL(mz, self.beta)

    def A(self, mz):
        """Ladder vertex factor A (see :func:`ubermag_dirac.theory.A`).

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> float(ud.theory.DiracSurface.from_ev(6e5, 0.1, 0.2, 5e-14).A(1.0))
        1.4285714285714286
        >>> ud.theory.DiracSurface.from_ev(6e5, 0.1, 0.2, 5e-14).A(-2)
        Traceback (most recent call last):
        ...
        ValueError: mz must be finite with |m_z| <= 1 ...
        """
        return _c.A(mz, self.beta)

    def B(self, mz):
        """Ladder vertex factor B, paper ordering (see :func:`ubermag_dirac.theory.B`).

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.1, 0.2, 5e-14)
        >>> f"{float(s.B(1.0)):.6e}"
        '2.686579e-02'
        >>> s.B(3.0)
        Traceback (most recent call last):
        ...
        ValueError: mz must be finite with |m_z| <= 1 ...
        """
        return _c.B(mz, self.beta, self.tau, self.eps_F)


#: Material presets. ``v`` from Ndiaye et al. (Bi2Se3 6.0e5 m/s, Bi2Te3 4.3e5 m/s);
#: the other fields are typical values (exchange gap ~ 50 meV, Fermi level ~ 0.2 eV
#: above the Dirac point, tau ~ 50-100 fs, i.e. tau eps_F/hbar ~ 15-30) and are meant to
#: be overridden: ``preset("Bi2Se3", Delta=0.03 * eV)``.
PRESETS = {
    "Bi2Se3": dict(v=6.0e5, Delta=0.05 * EV, eps_F=0.2 * EV, tau=5.0e-14),
    "Bi2Te3": dict(v=4.3e5, Delta=0.05 * EV, eps_F=0.2 * EV, tau=1.0e-13),
}


def preset(name, **overrides):
    """Return the :class:`DiracSurface` of a material preset, with fields overridden.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS` ("Bi2Se3", "Bi2Te3").
    **overrides
        Any of ``v`` (m/s), ``Delta`` (J), ``eps_F`` (J), ``tau`` (s).

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ud.theory.preset("Bi2Te3").v
    430000.0
    >>> ud.theory.preset("Bi2Se3", tau=1e-13).tau
    1e-13
    >>> ud.theory.preset("Bi2Se2")
    Traceback (most recent call last):
    ...
    ValueError: unknown preset 'Bi2Se2'; available presets: 'Bi2Se3', 'Bi2Te3'.
    """
    if name not in PRESETS:
        avail = ", ".join(repr(k) for k in PRESETS)
        raise ValueError(f"unknown preset {name!r}; available presets: {avail}.")
    bad = set(overrides) - {"v", "Delta", "eps_F", "tau"}
    if bad:
        raise ValueError(
            f"unknown preset field(s) {sorted(bad)}; allowed: v, Delta, eps_F, tau."
        )
    return DiracSurface(**(PRESETS[name] | overrides))


__all__ = ["PRESETS", "DiracSurface", "preset"]
