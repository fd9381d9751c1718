r"""The magnetised Dirac surface: parameters, validation and material presets.

:math:`H_0 = \hbar v\,\sigma\cdot(k\times n) + \Delta\,\sigma\cdot m - \epsilon_F`,
scattering
time :math:`\tau` (:math:`\Sigma^R = -i\hbar/(4\tau)(1 + \beta m_z\sigma_z)`), SI units.
"""

import dataclasses

import numpy as np

from .._numbers import real
from ..constants import EV, HBAR
from . import coefficients as _c
from ._validation import positive
from .ferromagnet import FerromagnetMixin
from .transport import TransportMixin


@dataclasses.dataclass(frozen=True)
class DiracSurface(TransportMixin, FerromagnetMixin):
    r"""Magnetised topological-insulator surface (immutable, SI units).

    Every argument is in SI units; energies are in **joules** (use
    :meth:`from_ev`, or ``preset(..., eps_F_eV=...)``, for electronvolts).
    Values that no topological-insulator surface can have are refused with a
    message naming the unit that was probably meant (e.g. ``eps_F=0.2``, 0.2 J,
    is almost certainly 0.2 eV); the accepted ranges are generous bounds, not
    typical values: ``1e3 <= v < 3e8`` m/s, energies up to 10 eV,
    ``1e-17 <= tau <= 1e-9`` s.

    Parameters
    ----------
    v : float
        Fermi velocity (m/s), > 0 (Bi2Se3 about 6e5 m/s).
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

    Energies typed in eV where joules are expected are refused:

    >>> ud.theory.DiracSurface(v=6e5, Delta=0.05, eps_F=0.2, tau=5e-14)
    Traceback (most recent call last):
    ...
    ValueError: eps_F = 0.2 J (1.25e+18 eV) is not a Fermi energy ... in eV? ...
    """

    v: float
    Delta: float
    eps_F: float
    tau: float

    def __post_init__(self):
        object.__setattr__(self, "v", positive("v", self.v, "m/s"))
        object.__setattr__(self, "tau", positive("tau", self.tau, "s"))
        object.__setattr__(self, "eps_F", positive("eps_F", self.eps_F, "J"))
        Delta = real("Delta", self.Delta)
        if not np.isfinite(Delta) or Delta < 0:
            raise ValueError(f"Delta = {Delta!r} J: Delta must be finite and >= 0.")
        object.__setattr__(self, "Delta", Delta)
        _check_plausible(self.v, self.Delta, self.eps_F, self.tau)
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


#: Generous bounds of physically possible SI values (not typical values).
_V_RANGE = (1e3, 3e8)  # m/s: far below any Dirac cone .. the speed of light
_ENERGY_MAX = 10.0 * EV  # J: no TI surface band is 10 eV wide
_ENERGY_MIN = 1e-6 * EV  # J: a Fermi energy of 1 micro-eV is no metal
_TAU_RANGE = (1e-17, 1e-9)  # s


def _check_plausible(v, Delta, eps_F, tau):
    """Refuse SI values that only a unit mistake can produce (see DiracSurface)."""
    for name, value in (("eps_F", eps_F), ("Delta", Delta)):
        if value > _ENERGY_MAX:
            raise ValueError(
                f"{name} = {value:g} J ({value / EV:.3g} eV) is not a Fermi energy "
                "or exchange gap of any topological-insulator surface (at most a "
                f"few eV). {name} is in joules: was it typed in eV? Use "
                f"preset(..., {name}_eV={value:g}), DiracSurface.from_ev(...) or "
                f"{name}={value:g} * ud.theory.surface.EV."
            )
    if eps_F < _ENERGY_MIN:
        raise ValueError(
            f"eps_F = {eps_F:g} J ({eps_F / EV:.3g} eV) is below 1 micro-eV, too "
            "small for a metallic surface; eps_F is in joules (1 eV = "
            f"{EV:.6g} J): use eps_F_eV / DiracSurface.from_ev for electronvolts."
        )
    if not _V_RANGE[0] <= v < _V_RANGE[1]:
        raise ValueError(
            f"v = {v:g} m/s is not a Dirac-cone velocity (topological-insulator "
            "surfaces: 3e5-7e5 m/s; allowed 1e3 <= v < 3e8 m/s). v is in m/s: "
            "from hbar*v in eV Angstrom, v = hbar_v * "
            f"{EV * 1e-10 / HBAR:.6g} m/s (4 eV A -> {4 * EV * 1e-10 / HBAR:.3g} "
            "m/s); from units of 1e5 m/s, multiply by 1e5."
        )
    if not _TAU_RANGE[0] <= tau <= _TAU_RANGE[1]:
        raise ValueError(
            f"tau = {tau:g} s is not a surface scattering time (typical 1e-14 - "
            "1e-12 s; allowed 1e-17 <= tau <= 1e-9 s). tau is in seconds: "
            f"{tau:g} fs is tau={tau:g}e-15, {tau:g} ps is tau={tau:g}e-12."
        )


#: Material presets. ``v`` from Ndiaye et al. (Bi2Se3 6.0e5 m/s, Bi2Te3 4.3e5 m/s);
#: the other fields are typical values (exchange gap ~ 50 meV, Fermi level ~ 0.2 eV
#: above the Dirac point, tau ~ 50-100 fs, i.e. tau eps_F/hbar ~ 15-30) and are meant to
#: be overridden: ``preset("Bi2Se3", Delta_eV=0.03)``.
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
        Any of ``v`` (m/s), ``tau`` (s), and the energies either in eV,
        ``Delta_eV`` and ``eps_F_eV`` (the usual way to type them), or in
        joules, ``Delta`` and ``eps_F`` (SI; an energy typed in eV there is
        refused, see :class:`DiracSurface`).

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ud.theory.preset("Bi2Te3").v
    430000.0
    >>> ud.theory.preset("Bi2Se3", tau=1e-13).tau
    1e-13
    >>> round(ud.theory.preset("Bi2Se3", eps_F_eV=0.25).beta, 12)
    0.2
    >>> ud.theory.preset("Bi2Se2")
    Traceback (most recent call last):
    ...
    ValueError: unknown preset 'Bi2Se2'; available presets: 'Bi2Se3', 'Bi2Te3'.
    >>> ud.theory.preset("Bi2Se3", eps_F=0.25)
    Traceback (most recent call last):
    ...
    ValueError: eps_F = 0.25 J (1.56e+18 eV) ... Use preset(..., eps_F_eV=0.25), ...
    """
    if name not in PRESETS:
        avail = ", ".join(repr(k) for k in PRESETS)
        raise ValueError(f"unknown preset {name!r}; available presets: {avail}.")
    allowed = ("v", "tau", "Delta", "eps_F", "Delta_eV", "eps_F_eV")
    bad = set(overrides) - set(allowed)
    if bad:
        raise ValueError(
            f"unknown preset field(s) {sorted(bad)}; allowed: {', '.join(allowed)}."
        )
    fields = dict(PRESETS[name])
    for energy in ("Delta", "eps_F"):
        if energy in overrides and f"{energy}_eV" in overrides:
            raise ValueError(
                f"give {energy} (J) or {energy}_eV (eV), not both; got "
                f"{energy}={overrides[energy]!r}, "
                f"{energy}_eV={overrides[energy + '_eV']!r}."
            )
        if f"{energy}_eV" in overrides:
            fields[energy] = float(overrides.pop(f"{energy}_eV")) * EV
    return DiracSurface(**(fields | overrides))


__all__ = ["PRESETS", "DiracSurface", "preset"]
