r"""Angular functions, vertex factors and torque coefficients of the Dirac surface.

Closed forms of Ndiaye et al. (arXiv:1509.06929) with the corrections of PHYSICS.md.
Model:
:math:`H_0 = \hbar v\,\sigma\cdot(k\times z) + \Delta\,\sigma\cdot m - \epsilon_F`,
:math:`\beta = \Delta/\epsilon_F`, :math:`b_2 = \beta^2 m_z^2`, scattering time
:math:`\tau` with :math:`\Sigma^R = -i\hbar/(4\tau)(1 + \beta m_z\sigma_z)`.

The torque density (rate of change of :math:`\langle\sigma\rangle` per area,
1/(m^2 s)) is

.. math::
    t = \frac{2\Delta}{\hbar} m\times\delta S
      = \tau_\parallel(m_z)\, m_z\, m\times E + \tau_\perp(m_z)\, m\times(n\times E),

so ``tau_par`` and ``tau_perp`` are in 1/(m s V). Two conventions:

``"kubo"`` (default)
    standard Smrcka-Streda ordering, SCBA + non-crossing ladder (recomputed;
    checked numerically by :mod:`ubermag_dirac.theory.kubo_numeric`):
    :math:`\tau_\perp = 2 e\beta\tau\epsilon_F^2 f_{FL}/(\pi\hbar^3 v)
    = 2\Delta\sigma_{xx}/(\hbar e v)`,
    :math:`\tau_\parallel = -4 e\beta^2\epsilon_F f_{DL}/(\pi\hbar^2 v)`.
``"paper"``
    Eq. (14) as printed with the missing :math:`1/\hbar` restored:
    :math:`\tau_\perp = -e\beta\tau\epsilon_F^2 f_{FL}/(\pi\hbar^3 v)`,
    :math:`\tau_\parallel = -2 e\beta^2\epsilon_F f_{DL}/(\pi\hbar^2 v)`
    (i.e. ``kubo = (-2, +2) x paper``).

The functions here take the raw parameters as keywords and accept *signed* ``v``
(opposite helicity) and ``Delta`` (exchange of opposite sign) so that the symmetries
can be checked; :class:`~ubermag_dirac.theory.DiracSurface` restricts both to > 0.
"""

import numpy as np

from ..constants import HBAR
from ..constants import E as _E
from ._validation import as_mz, check_convention, metallic, positive

__all__ = [
    "A",
    "B",
    "f_DL",
    "f_FL",
    "sigma_xx",
    "sigma_xy",
    "spin_par",
    "spin_perp",
    "tau_par",
    "tau_perp",
]


def _b2(mz, beta):
    mz = as_mz(mz)
    beta = float(beta)
    metallic(beta, mz)
    return beta * beta * mz * mz


def _factors_b2(b2):
    """``(f_DL, f_FL)`` from :math:`b_2 = \\beta^2 m_z^2` (the one numpy form of
    the angular factors; ``ubermag_dirac.terms.dirac_sot`` uses it too, the
    compiled form is :func:`ubermag_dirac.kernels.dirac_factors`)."""
    return (1.0 + b2) / (1.0 + 3.0 * b2) ** 2, (1.0 - b2) / (1.0 + 3.0 * b2)


def f_FL(mz, beta):
    r"""Angular factor of the field-like torque (dimensionless).

    .. math:: f_{FL}(m_z) = \frac{1 - \beta^2 m_z^2}{1 + 3\beta^2 m_z^2}

    Parameters
    ----------
    mz : array_like
        Normal component of the unit magnetisation, ``|mz| <= 1``.
    beta : float
        :math:`\Delta/\epsilon_F`; ``|beta mz| < 1`` (metallic regime).

    Returns
    -------
    numpy.ndarray
        ``f_FL``, equal to 1 at ``mz = 0``; even in ``mz`` and ``beta``.

    Examples
    --------
    >>> from ubermag_dirac.theory import f_FL
    >>> float(f_FL(1.0, 0.5))
    0.42857142857142855
    >>> f_FL(0.5, 2.5)
    Traceback (most recent call last):
    ...
    ValueError: outside the metallic regime: ...
    """
    return _factors_b2(_b2(mz, beta))[1]


def f_DL(mz, beta):
    r"""Angular factor of the damping-like torque (dimensionless).

    .. math:: f_{DL}(m_z) = \frac{1 + \beta^2 m_z^2}{(1 + 3\beta^2 m_z^2)^2}

    Parameters
    ----------
    mz : array_like
        Normal component of the unit magnetisation, ``|mz| <= 1``.
    beta : float
        :math:`\Delta/\epsilon_F`; ``|beta mz| < 1``.

    Returns
    -------
    numpy.ndarray
        ``f_DL``, equal to 1 at ``mz = 0``.

    Examples
    --------
    >>> from ubermag_dirac.theory import f_DL
    >>> float(f_DL(1.0, 0.5))
    0.40816326530612246
    >>> f_DL(1.5, 0.1)
    Traceback (most recent call last):
    ...
    ValueError: mz must be finite with |m_z| <= 1 ...
    """
    return _factors_b2(_b2(mz, beta))[0]


def A(mz, beta):
    r"""Diagonal ladder vertex factor :math:`A` (dimensionless).

    The vertex-corrected spin operator of Ndiaye et al. is
    :math:`\Upsilon_x = A\sigma_x + B\sigma_y`, :math:`\Upsilon_y = -B\sigma_x +
    A\sigma_y`, with

    .. math:: A = \frac{2(1 + \beta^2 m_z^2)}{1 + 3\beta^2 m_z^2}

    (``A = 2`` for an unmagnetised surface). Verified numerically in
    :func:`ubermag_dirac.theory.kubo_numeric.ladder_vertex`.

    Examples
    --------
    >>> from ubermag_dirac.theory import A
    >>> float(A(0.0, 0.3))
    2.0
    >>> A(1.0, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: outside the metallic regime: ...
    """
    b2 = _b2(mz, beta)
    return 2.0 * (1.0 + b2) / (1.0 + 3.0 * b2)


def B(mz, beta, tau, eps_F):
    r"""Off-diagonal ladder vertex factor :math:`B` (dimensionless), paper ordering.

    .. math:: B = \frac{2\hbar}{\tau\epsilon_F}\,\beta m_z\,
              \frac{1 + \beta^2 m_z^2}{(1 + 3\beta^2 m_z^2)^2}

    This is the vertex of the paper's ordering
    :math:`\Upsilon = \sigma + n_iV_0^2\int G^R\Upsilon G^A`; the standard ordering
    (:math:`\int G^A\Upsilon G^R`) has :math:`B\to -B` (checked numerically).

    Parameters
    ----------
    mz : array_like
        Normal magnetisation component.
    beta : float
        :math:`\Delta/\epsilon_F`.
    tau : float
        Scattering time (s), > 0.
    eps_F : float
        Fermi energy (J), > 0.

    Examples
    --------
    >>> from ubermag_dirac.theory import B
    >>> from scipy.constants import hbar, eV
    >>> round(float(B(1.0, 0.5, 100 * hbar / (0.2 * eV), 0.2 * eV)), 12)
    0.004081632653
    >>> B(1.0, 0.5, 0.0, 0.2 * eV)
    Traceback (most recent call last):
    ...
    ValueError: tau = 0.0 s: tau must be finite and > 0.
    """
    tau = positive("tau", tau, "s")
    eps_F = positive("eps_F", eps_F, "J")
    b2 = _b2(mz, beta)
    mz = np.asarray(mz, dtype=float)
    return 2.0 * HBAR / (tau * eps_F) * beta * mz * (1.0 + b2) / (1.0 + 3.0 * b2) ** 2


def _params(v, Delta, eps_F, mz):
    v = float(v)
    if not np.isfinite(v) or v == 0:
        raise ValueError(f"v = {v!r} m/s: v must be finite and nonzero.")
    eps_F = positive("eps_F", eps_F, "J")
    Delta = float(Delta)
    beta = Delta / eps_F
    mz = as_mz(mz)
    metallic(beta, mz)
    return v, Delta, eps_F, beta, mz


def spin_perp(mz, *, v, Delta, eps_F, tau, convention="kubo"):
    r"""Field-like spin-density coefficient :math:`s_\perp` (1/(m V)).

    :math:`\delta S = s_\perp\, n\times E + s_\parallel\, m_z E` (``<sigma>`` per area).

    .. math::
        s_\perp^{kubo} = \frac{e\tau\epsilon_F f_{FL}}{\pi\hbar^2 v} =
        \frac{\sigma_{xx}}{e v},
        \qquad s_\perp^{paper} = -\tfrac12 s_\perp^{kubo}

    Examples
    --------
    >>> from ubermag_dirac.theory.coefficients import spin_perp
    >>> from scipy.constants import eV
    >>> p = dict(v=6e5, Delta=0.05 * eV, eps_F=0.2 * eV, tau=5e-14)
    >>> f"{float(spin_perp(0.0, **p)):.6e}"
    '1.224524e+10'
    >>> spin_perp(0.0, **p, convention="Kubo")
    Traceback (most recent call last):
    ...
    ValueError: convention='Kubo' is unknown; ...
    """
    check_convention(convention)
    tau = positive("tau", tau, "s")
    v, Delta, eps_F, beta, mz = _params(v, Delta, eps_F, mz)
    s = _E * tau * eps_F * f_FL(mz, beta) / (np.pi * HBAR**2 * v)
    return s if convention == "kubo" else -0.5 * s


def spin_par(mz, *, v, Delta, eps_F, convention="kubo"):
    r"""Damping-like spin-density coefficient :math:`s_\parallel` (1/(m V)).

    :math:`\delta S = s_\perp\, n\times E + s_\parallel\, m_z E`.

    .. math::
        s_\parallel^{kubo} = -\frac{2 e\beta f_{DL}}{\pi\hbar v}
        = \frac{\sigma_{xy}}{e v m_z},\qquad s_\parallel^{paper} = \tfrac12
        s_\parallel^{kubo}

    Examples
    --------
    >>> from ubermag_dirac.theory.coefficients import spin_par
    >>> from scipy.constants import eV
    >>> f"{float(spin_par(0.0, v=6e5, Delta=0.05 * eV, eps_F=0.2 * eV)):.6e}"
    '-4.029982e+08'
    >>> spin_par(0.0, v=0.0, Delta=0.05 * eV, eps_F=0.2 * eV)
    Traceback (most recent call last):
    ...
    ValueError: v = 0.0 m/s: v must be finite and nonzero.
    """
    check_convention(convention)
    v, Delta, eps_F, beta, mz = _params(v, Delta, eps_F, mz)
    s = -2.0 * _E * beta * f_DL(mz, beta) / (np.pi * HBAR * v)
    return s if convention == "kubo" else 0.5 * s


def tau_perp(mz, *, v, Delta, eps_F, tau, convention="kubo"):
    r"""Field-like torque coefficient :math:`\tau_\perp(m_z)` (1/(m s V)).

    .. math::
        \tau_\perp^{kubo} = \frac{2e\beta\tau\epsilon_F^2 f_{FL}}{\pi\hbar^3 v},\qquad
        \tau_\perp^{paper} = -\frac{e\beta\tau\epsilon_F^2 f_{FL}}{\pi\hbar^3 v}

    Odd in ``Delta`` and in ``v``; even in ``mz``.

    Parameters
    ----------
    mz : array_like
        Normal magnetisation component.
    v : float
        Fermi velocity (m/s), nonzero (sign = helicity).
    Delta : float
        Exchange energy (J), signed; ``eps_F > |Delta mz|``.
    eps_F : float
        Fermi energy (J), > 0.
    tau : float
        Scattering time (s), > 0.
    convention : {"kubo", "paper"}
        See the module docstring.

    Examples
    --------
    >>> from ubermag_dirac.theory.coefficients import tau_perp
    >>> from scipy.constants import eV
    >>> p = dict(v=6e5, Delta=0.05 * eV, eps_F=0.2 * eV, tau=5e-14)
    >>> f"{float(tau_perp(0.0, **p)):.10e}"
    '1.8603796270e+24'
    >>> tau_perp(1.0, **(p | dict(Delta=0.3 * eV)))
    Traceback (most recent call last):
    ...
    ValueError: outside the metallic regime: ...
    """
    s = spin_perp(mz, v=v, Delta=Delta, eps_F=eps_F, tau=tau, convention=convention)
    return 2.0 * float(Delta) / HBAR * s


def tau_par(mz, *, v, Delta, eps_F, convention="kubo"):
    r"""Damping-like torque coefficient :math:`\tau_\parallel(m_z)` (1/(m s V)).

    .. math::
        \tau_\parallel^{kubo} = -\frac{4e\beta^2\epsilon_F f_{DL}}{\pi\hbar^2 v},\qquad
        \tau_\parallel^{paper} = -\frac{2e\beta^2\epsilon_F f_{DL}}{\pi\hbar^2 v}

    Independent of ``tau``; even in ``Delta`` and ``mz``, odd in ``v``.

    Examples
    --------
    >>> from ubermag_dirac.theory.coefficients import tau_par
    >>> from scipy.constants import eV
    >>> p = dict(v=6e5, Delta=0.05 * eV, eps_F=0.2 * eV)
    >>> f"{float(tau_par(0.0, **p, convention='paper')):.10e}"
    '-3.0613102874e+22'
    >>> tau_par(0.0, **p, convention="Eq14")
    Traceback (most recent call last):
    ...
    ValueError: convention='Eq14' is unknown; ...
    """
    s = spin_par(mz, v=v, Delta=Delta, eps_F=eps_F, convention=convention)
    return 2.0 * float(Delta) / HBAR * s


def sigma_xx(mz, *, v, Delta, eps_F, tau):
    r"""Longitudinal sheet conductivity of the surface (S), Kubo-Streda + ladder.

    .. math:: \sigma_{xx} = \frac{e^2\epsilon_F\tau}{\pi\hbar^2} f_{FL}(m_z)

    (``v`` only enters through the checks; it drops out of the result).

    Examples
    --------
    >>> from ubermag_dirac.theory.coefficients import sigma_xx
    >>> from scipy.constants import eV
    >>> p = dict(v=6e5, Delta=0.05 * eV, eps_F=0.2 * eV, tau=5e-14)
    >>> f"{float(sigma_xx(0.0, **p)):.10e}"
    '1.1771423548e-03'
    >>> sigma_xx(0.0, v=6e5, Delta=0.05 * eV, eps_F=0.2 * eV, tau=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: tau = -1.0 s: tau must be finite and > 0.
    """
    s = spin_perp(mz, v=v, Delta=Delta, eps_F=eps_F, tau=tau)
    return _E * float(v) * s


def sigma_xy(mz, *, v, Delta, eps_F):
    r"""Anomalous Hall sheet conductivity (S), Kubo-Streda Fermi surface + ladder.

    .. math:: \sigma_{xy} = -\frac{2e^2}{\pi\hbar}\,\beta m_z f_{DL}(m_z)

    Convention: :math:`j_x = \sigma_{xx}E_x + \sigma_{xy}E_y`; odd in ``mz`` and
    ``Delta``,
    even in ``v``. The Fermi-sea term vanishes in the metallic regime.

    Examples
    --------
    >>> from ubermag_dirac.theory.coefficients import sigma_xy
    >>> from scipy.constants import eV
    >>> f"{float(sigma_xy(1.0, v=6e5, Delta=0.05 * eV, eps_F=0.2 * eV)):.6e}"
    '-2.918949e-05'
    >>> sigma_xy(1.0, v=6e5, Delta=0.05 * eV, eps_F=-0.2 * eV)
    Traceback (most recent call last):
    ...
    ValueError: eps_F = -3.2043...e-20 J: eps_F must be finite and > 0.
    """
    mz = as_mz(mz)
    s = spin_par(mz, v=v, Delta=Delta, eps_F=eps_F)
    return _E * float(v) * s * mz
