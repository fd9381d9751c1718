r"""Conversion of the surface response to a ferromagnet of thickness d and Ms.

Methods of :class:`~ubermag_dirac.theory.DiracSurface` (held here as a mixin).
With :math:`\dot m|_{SOT} = (\mu_B/(M_s d))\, t` and :math:`\gamma = 2\mu_B/\hbar`
(g = 2), the torques inside the Gilbert-form LLG (ARCHITECTURE.md) are

.. math::
    T = \gamma_0 H_{DL}(m_z)\, m_z\, (m\times j) + \gamma_0 H_{FL}(m_z)\,
    m\times(n\times j),

    H_{DL}(m_z) = \frac{\hbar\,\tau_\parallel(m_z)\, E}{2 M_s d\,\mu_0},\qquad
    H_{FL}(m_z) = \frac{\hbar\,\tau_\perp(m_z)\, E}{2 M_s d\,\mu_0},

including the angular factors; at :math:`m_z = 0` (``f = 1``) they are the amplitudes
stored by ``ud.DiracSOT``. The equivalent effective field is
:math:`H_T = -H_{DL} m_z j - H_{FL}\, n\times j`.

Current density to field: a current density ``J`` (A/m^2) is taken as averaged over
``current_thickness`` (default: the ferromagnet ``thickness`` d, the same averaging as
the pumped current), i.e. the surface sheet current is :math:`K = J d` and
:math:`E = K/\sigma_{xx}(m_z = 0)`. The zero-:math:`m_z` conductivity keeps ``E`` (and
hence the stored amplitudes) independent of the magnetisation, as the ``DiracSOT``
contract requires; only the surface channel is assumed to carry current.
"""

import numpy as np

from ..constants import GAMMA_G2 as GAMMA
from ..constants import MU0, MU_B
from ..constants import E as _E
from ._validation import as_mz, check_convention, positive, unit_vector

_HBAR2 = MU_B / GAMMA  # = hbar / 2 for g = 2


def _torque_field(surface, tau, mz, E, J, thickness, Ms, convention, current_thickness):
    r""":math:`\hbar\,\tau(m_z)\, E/(2\mu_0 M_s d)` (A/m) for the coefficient
    ``tau`` (``"tau_par"`` or ``"tau_perp"``) of ``surface``: the one formula of
    :meth:`FerromagnetMixin.H_DL` and :meth:`FerromagnetMixin.H_FL`."""
    d = positive("thickness", thickness, "m")
    Ms = positive("Ms", Ms, "A/m")
    E = surface._drive(E, J, d, current_thickness)
    coefficient = getattr(surface, tau)(mz, convention)
    return _HBAR2 * coefficient * E / (Ms * d * MU0)


def _torque_field_method(name, tau, doc):
    """The method ``name`` of :class:`FerromagnetMixin` (docstring ``doc``)."""

    def method(
        self,
        mz,
        *,
        E=None,
        J=None,
        thickness,
        Ms,
        convention="kubo",
        current_thickness=None,
    ):
        return _torque_field(
            self, tau, mz, E, J, thickness, Ms, convention, current_thickness
        )

    method.__name__ = name
    method.__qualname__ = f"FerromagnetMixin.{name}"
    method.__doc__ = doc
    return method


class FerromagnetMixin:
    """Effective fields and damping of ``DiracSurface`` on a ferromagnet."""

    def electric_field(self, J, thickness):
        r"""Electric field (V/m) that drives a current density ``J`` (A/m^2).

        .. math:: E = \frac{J\, d}{\sigma_{xx}(m_z = 0)} = \frac{\pi\hbar^2 J
        d}{e^2\epsilon_F\tau}

        ``J`` is the current density averaged over ``thickness`` d (m), i.e. the surface
        sheet current is ``K = J d`` (A/m); only the surface carries it.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> f"{float(s.electric_field(1e10, 1e-9)):.6e}"
        '8.495149e+03'
        >>> s.electric_field(1e10, -1e-9)
        Traceback (most recent call last):
        ...
        ValueError: thickness = -1e-09 m: thickness must be finite and > 0.
        """
        d = positive("thickness", thickness, "m")
        return np.asarray(J, dtype=float) * d / self.sigma_xx(0.0)

    def _drive(self, E, J, thickness, current_thickness):
        if (E is None) == (J is None):
            raise ValueError(
                "give exactly one of E (V/m, along j) or J (A/m^2); "
                f"got E={E!r}, J={J!r}."
            )
        if E is not None:
            return np.asarray(E, dtype=float)
        dc = thickness if current_thickness is None else current_thickness
        return self.electric_field(J, dc)

    H_DL = _torque_field_method(
        "H_DL",
        "tau_par",
        r"""Damping-like field :math:`H_{DL}(m_z)` (A/m), angular factor included.

        .. math:: H_{DL}(m_z) = \frac{\hbar\,\tau_\parallel(m_z)\, E}{2\mu_0 M_s d}

        Torque :math:`T = \gamma_0 H_{DL}\, m_z\, (m\times j)` (the :math:`H_{dir}` of
        Eq. 25). Negative in both conventions for v, Delta > 0.

        Parameters
        ----------
        mz : array_like
            :math:`m\cdot n`.
        E : float, optional
            Electric field along ``j`` (V/m).
        J : float, optional
            Current density (A/m^2), converted with :meth:`electric_field`.
        thickness : float
            Ferromagnet thickness d (m).
        Ms : float
            Saturation magnetisation (A/m).
        convention : {"kubo", "paper"}
        current_thickness : float, optional
            Thickness over which ``J`` is averaged (default ``thickness``).

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> f"{float(s.H_DL(0.0, E=1e3, thickness=1e-9, Ms=1e6)):.6e}"
        '-2.569056e+00'
        >>> s.H_DL(0.0, E=1e3, J=1e10, thickness=1e-9, Ms=1e6)
        Traceback (most recent call last):
        ...
        ValueError: give exactly one of E (V/m, along j) or J (A/m^2); ...
        """,
    )

    H_FL = _torque_field_method(
        "H_FL",
        "tau_perp",
        r"""Field-like field :math:`H_{FL}(m_z)` (A/m), angular factor included.

        .. math:: H_{FL}(m_z) = \frac{\hbar\,\tau_\perp(m_z)\, E}{2\mu_0 M_s d}

        Torque :math:`T = \gamma_0 H_{FL}\, m\times(n\times j)`. In kubo,
        :math:`\mu_0 |H_{FL}|/E = \Delta\sigma_{xx}/(e v M_s d)`. Parameters as
        :meth:`H_DL`.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> f"{float(s.H_FL(0.0, J=1e10, thickness=1e-9, Ms=1e6)):.6e}"
        '6.631456e+02'
        >>> s.H_FL(0.0, thickness=1e-9, Ms=1e6)
        Traceback (most recent call last):
        ...
        ValueError: give exactly one of E (V/m, along j) or J (A/m^2); ...
        """,
    )

    def delta_alpha(self, mz, *, thickness, Ms, convention="kubo"):
        r"""Damping enhancement of the in-plane components (dimensionless, >= 0).

        .. math::
            \delta\alpha(m_z) = \frac{\mu_B}{M_s d}\frac{\Delta}{e v}|\tau_\perp(m_z)|
            \overset{kubo}{=} \frac{\gamma\Delta^2\sigma_{xx}(m_z)}{e^2 v^2 M_s d}

        ("paper" gives half of "kubo"). Enters :math:`\alpha + \delta\alpha (I - nn)`.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> f"{float(s.delta_alpha(0.0, thickness=1e-9, Ms=1e6)):.10e}"
        '1.4377649489e-03'
        >>> s.delta_alpha(0.0, thickness=1e-9, Ms=0.0)
        Traceback (most recent call last):
        ...
        ValueError: Ms = 0.0 A/m: Ms must be finite and > 0.
        """
        d = positive("thickness", thickness, "m")
        Ms = positive("Ms", Ms, "A/m")
        tp = self.tau_perp(mz, convention)
        return MU_B / (Ms * d) * self.Delta / (_E * self.v) * np.abs(tp)

    def damping_tensor(
        self, mz, alpha, *, thickness, Ms, n=(0, 0, 1), convention="kubo"
    ):
        r"""Gilbert damping tensor (dimensionless), shape (..., 3, 3).

        .. math:: \hat\alpha = \alpha I + \delta\alpha(m_z)(I - nn)

        Parameters
        ----------
        mz : array_like
            :math:`m\cdot n`.
        alpha : float
            Intrinsic Gilbert damping (>= 0).

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> a = s.damping_tensor(0.0, 0.01, thickness=1e-9, Ms=1e6)
        >>> [f"{x:.6f}" for x in a.diagonal()]
        ['0.011438', '0.011438', '0.010000']
        >>> s.damping_tensor(0.0, -0.01, thickness=1e-9, Ms=1e6)
        Traceback (most recent call last):
        ...
        ValueError: alpha = -0.01: alpha must be >= 0.
        """
        alpha = float(alpha)
        if not np.isfinite(alpha) or alpha < 0:
            raise ValueError(f"alpha = {alpha!r}: alpha must be >= 0.")
        check_convention(convention)
        n = unit_vector("n", n)
        mz = as_mz(mz)
        da = self.delta_alpha(mz, thickness=thickness, Ms=Ms, convention=convention)
        proj = np.eye(3) - np.outer(n, n)
        return alpha * np.eye(3) + da[..., None, None] * proj


__all__ = ["FerromagnetMixin"]
