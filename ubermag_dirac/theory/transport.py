r"""Spin density, torque density, conductivities and charge pumping of the surface.

Methods of :class:`~ubermag_dirac.theory.DiracSurface` (this module holds them as a
mixin). Vectors are component-last arrays ``(..., 3)``; ``n`` is the surface normal
(default z) and :math:`m_z = m\cdot n`. Only the in-plane part of ``E`` drives the
surface. Sign conventions: electron charge :math:`-e`, :math:`j = -e v\,n\times S`.
"""

import numpy as np

from ..constants import GAMMA_G2 as GAMMA
from ..constants import HBAR, MU_B
from . import coefficients as _c
from ._validation import check_convention, positive, unit_vector, vectors


def _cross_matrix(a):
    """``[a]_x`` with ``[a]_x @ b == a x b`` for arrays ``(..., 3)``."""
    z = np.zeros_like(a[..., 0])
    return np.stack(
        [
            np.stack([z, -a[..., 2], a[..., 1]], -1),
            np.stack([a[..., 2], z, -a[..., 0]], -1),
            np.stack([-a[..., 1], a[..., 0], z], -1),
        ],
        -2,
    )


def _in_plane(vec, n):
    return vec - (vec @ n)[..., None] * n


class TransportMixin:
    """Transport, spin-density and pumping methods of ``DiracSurface``."""

    def _kw(self):
        return dict(v=self.v, Delta=self.Delta, eps_F=self.eps_F)

    def sigma_xx(self, mz):
        r"""Longitudinal sheet conductivity (S), Kubo-Streda with ladder.

        .. math:: \sigma_{xx} = e^2\epsilon_F\tau f_{FL}(m_z)/(\pi\hbar^2)

        Kubo-Streda with SCBA and ladder vertex corrections (convention "kubo").

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> f"{float(s.sigma_xx(0.0)):.10e}"
        '1.1771423548e-03'
        >>> s.sigma_xx(2.0)
        Traceback (most recent call last):
        ...
        ValueError: mz must be finite with |m_z| <= 1 ...
        """
        return _c.sigma_xx(mz, tau=self.tau, **self._kw())

    def sigma_xy(self, mz):
        r"""Anomalous Hall sheet conductivity (S), Kubo-Streda with ladder.

        .. math:: \sigma_{xy} = -(2e^2/\pi\hbar)\,\beta m_z f_{DL}(m_z)

        Convention :math:`j_x = \sigma_{xx}E_x + \sigma_{xy}E_y` (x, y, n right-handed).

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> f"{float(s.sigma_xy(1.0)):.6e}"
        '-2.918949e-05'
        >>> s.sigma_xy(-1.5)
        Traceback (most recent call last):
        ...
        ValueError: mz must be finite with |m_z| <= 1 ...
        """
        return _c.sigma_xy(mz, **self._kw())

    def tau_perp(self, mz, convention="kubo"):
        r"""Field-like torque coefficient :math:`\tau_\perp(m_z)` (1/(m s V)).

        kubo: :math:`2e\beta\tau\epsilon_F^2 f_{FL}/(\pi\hbar^3 v) =
        2\Delta\sigma_{xx}/(\hbar e v)`;
        paper: :math:`-e\beta\tau\epsilon_F^2 f_{FL}/(\pi\hbar^3 v)` (Eq. 14, hbar
        restored).

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> f"{float(s.tau_perp(-1.0)):.10e}"
        '1.4687207581e+24'
        >>> s.tau_perp(0.0, convention="standard")
        Traceback (most recent call last):
        ...
        ValueError: convention='standard' is unknown; ...
        """
        return _c.tau_perp(mz, tau=self.tau, convention=convention, **self._kw())

    def tau_par(self, mz, convention="kubo"):
        r"""Damping-like torque coefficient :math:`\tau_\parallel(m_z)` (1/(m s V)).

        kubo: :math:`-4e\beta^2\epsilon_F f_{DL}/(\pi\hbar^2 v)`;
        paper: :math:`-2e\beta^2\epsilon_F f_{DL}/(\pi\hbar^2 v)`.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> f"{float(s.tau_par(-1.0, convention='paper')):.10e}"
        '-2.3065828204e+22'
        >>> s.tau_par(0.0, convention=None)
        Traceback (most recent call last):
        ...
        ValueError: convention=None is unknown; ...
        """
        return _c.tau_par(mz, convention=convention, **self._kw())

    def spin_density(self, m, E, *, n=(0, 0, 1), convention="kubo"):
        r"""Current-induced spin density :math:`\delta S` (``<sigma>`` per area, 1/m^2).

        .. math::
            \delta S = s_\perp(m_z)\, n\times E_\parallel + s_\parallel(m_z)\, m_z
            E_\parallel,
            \quad s_\perp^{kubo} = \frac{\sigma_{xx}}{e v},\;
            s_\parallel^{kubo} = \frac{\sigma_{xy}}{e v m_z}

        (in kubo this is the spin-velocity identity :math:`j = -ev\,n\times S` applied
        to :math:`j = \sigma E`; "paper" is Eq. 13 with hbar restored,
        :math:`s^{paper} = (-\tfrac12, \tfrac12)\,s^{kubo}`). No normal component.

        Parameters
        ----------
        m : array_like, shape (..., 3)
            Unit magnetisation.
        E : array_like, shape (..., 3)
            Electric field (V/m); its component along ``n`` is dropped.
        n : array_like, shape (3,)
            Surface normal.
        convention : {"kubo", "paper"}

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> dS = s.spin_density([0, 0, 1], [1e3, 0, 0])
        >>> [f"{x:.4e}" for x in dS]
        ['-3.0364e+11', '9.6673e+12', '0.0000e+00']
        >>> s.spin_density([0, 0, 1], [1e3, 0])
        Traceback (most recent call last):
        ...
        ValueError: E must be an array with trailing axis of length 3.
        """
        check_convention(convention)
        n = unit_vector("n", n)
        m = vectors("m", m)
        E = _in_plane(vectors("E", E), n)
        mz = m @ n
        sp = _c.spin_perp(mz, tau=self.tau, convention=convention, **self._kw())
        sl = _c.spin_par(mz, convention=convention, **self._kw())
        return sp[..., None] * np.cross(n, E) + (sl * mz)[..., None] * E

    def torque_density(self, m, E, *, n=(0, 0, 1), convention="kubo"):
        r"""Torque density :math:`t = (2\Delta/\hbar)\, m\times\delta S` (1/(m^2 s)).

        .. math::
            t = \tau_\parallel(m_z)\, m_z\, m\times E + \tau_\perp(m_z)\,
            m\times(n\times E)

        The magnetisation of a film of thickness d obeys
        :math:`\dot m|_{SOT} = (\mu_B/(M_s d))\, t`.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> t = s.torque_density([1, 0, 0], [1.0, 0, 0])
        >>> [f"{x:.6e}" for x in t]
        ['0.000000e+00', '0.000000e+00', '1.860380e+24']
        >>> s.torque_density([1, 0, 0], [1.0, 0, 0], n=(0, 0, 0))
        Traceback (most recent call last):
        ...
        ValueError: n must be a nonzero 3-vector, got array([0., 0., 0.]).
        """
        dS = self.spin_density(m, E, n=n, convention=convention)
        return 2.0 * self.Delta / HBAR * np.cross(vectors("m", m), dS)

    def pumped_current(self, m, dmdt, *, thickness, n=(0, 0, 1), convention="kubo"):
        r"""Charge current density pumped by the magnetisation dynamics (A/m^2).

        Averaged over the ferromagnet thickness d:

        .. math::
            J_{pump} = -\frac{\hbar}{2d}\left(\tau_\parallel m_z\,\dot m_\parallel
                        + \tau_\perp\, n\times\dot m\right),\qquad
            \dot m_\parallel = n\times(\dot m\times n)

        Sign (opposite to the printed Eq. 22). The in-plane magnetisation enters
        :math:`H_0` as a vector potential, :math:`\Delta\sigma\cdot m_\parallel =
        v(n\times\sigma)\cdot eA` with :math:`A = (\Delta/ev)\, n\times m` (electron
        charge
        :math:`-e`, :math:`\hbar k\to\hbar k + eA`), so a precessing m creates
        :math:`E_{eff} = -\partial_t A = -(\Delta/ev)\, n\times\dot m`. The sheet
        current
        :math:`K = \sigma_{xx}E_{eff} - \sigma_{xy}\, n\times E_{eff}` with
        :math:`\sigma_{xx} = \hbar ev\tau_\perp/(2\Delta)`,
        :math:`\sigma_{xy} = \hbar ev\tau_\parallel m_z/(2\Delta)` gives
        :math:`K = -(\hbar/2)(\tau_\perp n\times\dot m + \tau_\parallel m_z\dot
        m_\parallel)`
        and :math:`J = K/d`. Equivalently :math:`J = \delta(m)\cdot X` with Eq. (21)'s
        :math:`\delta` and the thermodynamic force :math:`X = -\partial_m F =
        (M_s/\gamma)\, m\times\dot m` (the paper's Eq. 16 uses :math:`+\partial_m F`,
        hence
        its opposite sign). With this sign the back-action is a positive damping
        :math:`\delta\alpha` (kubo). The "paper" convention only changes the
        coefficients.

        Parameters
        ----------
        m, dmdt : array_like, shape (..., 3)
            Unit magnetisation and its time derivative (1/s).
        thickness : float
            Ferromagnet thickness d (m) over which the current is averaged.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> J = s.pumped_current([0, 0, 1], [1e9, 0, 0], thickness=1e-9)
        >>> [f"{x:.4e}" for x in J]
        ['2.4325e+06', '-7.7444e+07', '-0.0000e+00']
        >>> s.pumped_current([0, 0, 1], [1e9, 0, 0], thickness=0)
        Traceback (most recent call last):
        ...
        ValueError: thickness = 0.0 m: thickness must be finite and > 0.
        """
        d = positive("thickness", thickness, "m")
        check_convention(convention)
        n = unit_vector("n", n)
        m = vectors("m", m)
        dmdt = vectors("dmdt", dmdt)
        mz = m @ n
        tpar = self.tau_par(mz, convention)
        tperp = self.tau_perp(mz, convention)
        return (
            -HBAR
            / (2 * d)
            * (
                (tpar * mz)[..., None] * _in_plane(dmdt, n)
                + tperp[..., None] * np.cross(n, dmdt)
            )
        )

    def _tensor_parts(self, m, thickness, Ms, n, convention):
        d = positive("thickness", thickness, "m")
        Ms = positive("Ms", Ms, "A/m")
        check_convention(convention)
        n = unit_vector("n", n)
        m = vectors("m", m)
        mz = m @ n
        pref = MU_B / (Ms * d)
        a = (pref * self.tau_par(mz, convention) * mz)[..., None, None]
        b = (pref * self.tau_perp(mz, convention))[..., None, None]
        mx = _cross_matrix(m)
        nx = _cross_matrix(n)
        proj = np.eye(3) - np.outer(n, n)
        return a, b, mx, nx, proj

    def kappa(self, m, *, thickness, Ms, n=(0, 0, 1), convention="kubo"):
        r"""Torque tensor :math:`\kappa` of Eq. (20), :math:`\dot m = \kappa\cdot E`.

        Units m/(V s):

        .. math::
            \kappa_{ij} = \frac{\mu_B}{M_s d}\left\{\tau_\parallel m_z (m\times
            e_j)\cdot e_i
            + \tau_\perp [m\times(n\times e_j)]\cdot e_i\right\}

        restricted to in-plane ``E`` (right-multiplied by :math:`I - nn`).
        Shape ``(..., 3, 3)``.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> k = s.kappa([0, 0, 1], thickness=1e-9, Ms=1e6)
        >>> f"{k[0, 0]:.6e}"
        '-1.362093e+04'
        >>> s.kappa([0, 0, 1], thickness=1e-9, Ms=-1e6)
        Traceback (most recent call last):
        ...
        ValueError: Ms = -1000000.0 A/m: Ms must be finite and > 0.
        """
        a, b, mx, nx, proj = self._tensor_parts(m, thickness, Ms, n, convention)
        return (a * mx + b * (mx @ nx)) @ proj

    def delta_tensor(self, m, *, thickness, Ms, n=(0, 0, 1), convention="kubo"):
        r"""Pumping tensor :math:`\delta` of Eq. (21) (A/m^2 per J/m^3).

        .. math::
            \delta_{ij} = \frac{\mu_B}{M_s d}\left\{-\tau_\parallel m_z (m\times
            e_i)\cdot e_j
            + \tau_\perp [m\times(n\times e_i)]\cdot e_j\right\}

        left-multiplied by :math:`I - nn` (surface current in-plane). Satisfies the
        Onsager relation :math:`\delta_{ij}(m) = -\kappa_{ji}(-m)`; the pumped current
        is
        :math:`J = \delta\cdot X`, :math:`X = (M_s/\gamma)\, m\times\dot m`
        (see :meth:`pumped_current`).

        Examples
        --------
        >>> import numpy as np
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> m = np.array([0.6, 0, 0.8])
        >>> d = s.delta_tensor(m, thickness=1e-9, Ms=1e6)
        >>> k = s.kappa(-m, thickness=1e-9, Ms=1e6)
        >>> bool(np.array_equal(d, -k.T))
        True
        >>> s.delta_tensor(m, thickness=1e-9, Ms=1e6, convention="onsager")
        Traceback (most recent call last):
        ...
        ValueError: convention='onsager' is unknown; ...
        """
        a, b, mx, nx, proj = self._tensor_parts(m, thickness, Ms, n, convention)
        mxT = np.swapaxes(mx, -1, -2)
        mnT = np.swapaxes(mx @ nx, -1, -2)
        return proj @ (-a * mxT + b * mnT)


__all__ = ["GAMMA", "TransportMixin"]
