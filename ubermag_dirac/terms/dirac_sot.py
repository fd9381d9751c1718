r"""Dirac spin-orbit torque of a ferromagnet on a topological-insulator surface.

Torque inside the Gilbert form (Ndiaye et al., Eq. 25; ``docs/PHYSICS.md``), with
:math:`m_n = \mathbf{m}\cdot\mathbf{n}`:

.. math::

    \mathbf{T} = \gamma_0 H_\text{DL} f_\text{DL}(m_n)\, m_n\,
    (\mathbf{m}\times\mathbf{j}) + \gamma_0 H_\text{FL} f_\text{FL}(m_n)\,
    \mathbf{m}\times(\mathbf{n}\times\mathbf{j})
    = -\gamma_0\,\mathbf{m}\times\mathbf{H}_\text{T},

    \mathbf{H}_\text{T} = -H_\text{DL} f_\text{DL}(m_n)\, m_n\,\mathbf{j}
    - H_\text{FL} f_\text{FL}(m_n)\,\mathbf{n}\times\mathbf{j},

    f_\text{FL} = \frac{1 - b_2}{1 + 3 b_2},\qquad
    f_\text{DL} = \frac{1 + b_2}{(1 + 3 b_2)^2},\qquad b_2 = \beta^2 m_n^2 .

:func:`torque_field` is the plain numpy reference of
:math:`\mathbf{H}_\text{T}`; :class:`DiracSOT` is the ``micromagneticmodel``
dynamics term.
"""

import micromagneticmodel as mm
import numpy as np
import ubermagutil.typesystem as ts

from .._numbers import real
from .._termparams import is_set, term_value, time_factor
from ..constants import GAMMA0
from ..theory.coefficients import _factors_b2
from . import _validation as v
from .llg import torque_dmdt

__all__ = ["DiracSOT", "f_DL", "f_FL", "pumping_spec", "torque", "torque_field"]


def _b2(mn, beta):
    mn = v.real_or_complex(mn)
    beta = np.asarray(beta, dtype=float)
    if np.any(beta < 0) or np.any(np.abs(beta * mn) >= 1):
        raise ValueError(
            "beta must satisfy 0 <= beta and |beta m.n| < 1 (metallic regime "
            "eps_F > Delta |m.n|)."
        )
    return beta**2 * mn**2


def f_FL(mn, beta):
    r"""Field-like angular factor :math:`f_\text{FL} = (1 - b_2)/(1 + 3 b_2)`,
    :math:`b_2 = \beta^2 m_n^2`.

    Examples
    --------
    >>> from ubermag_dirac.terms.dirac_sot import f_FL
    >>> float(f_FL(1.0, 0.5))  # (1 - 1/4) / (1 + 3/4)
    0.42857142857142855
    >>> f_FL(1.0, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: beta must satisfy 0 <= beta and |beta m.n| < 1 ...
    """
    return _factors_b2(_b2(mn, beta))[1]


def f_DL(mn, beta):
    r"""Damping-like angular factor :math:`f_\text{DL} = (1 + b_2)/(1 + 3 b_2)^2`,
    :math:`b_2 = \beta^2 m_n^2`.

    Examples
    --------
    >>> from ubermag_dirac.terms.dirac_sot import f_DL
    >>> float(f_DL(1.0, 0.5))  # (1 + 1/4) / (1 + 3/4)**2
    0.40816326530612246
    """
    return _factors_b2(_b2(mn, beta))[0]


def pumping_spec(term):
    """``(surface, kwargs)`` of the charge current a term pumps, or None.

    A dynamics term built with :meth:`DiracSOT.from_surface` carries its
    ``surface`` (a :class:`~ubermag_dirac.theory.DiracSurface`) and the
    ferromagnet ``thickness``; the pumped current density (A/m^2) is then
    ``surface.pumped_current(m, dmdt, **kwargs)`` with ``kwargs`` the thickness
    and, when set, the normal ``n`` and the ``convention``. Any other term
    (no surface, no thickness) gives None.

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> from ubermag_dirac.terms.dirac_sot import pumping_spec
    >>> pumping_spec(ud.DiracSOT(H_DL=1e3)) is None
    True
    >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
    >>> sot = ud.DiracSOT.from_surface(s, E=1e3, thickness=1e-9, Ms=8e5)
    >>> pumping_spec(sot)[1]
    {'thickness': 1e-09, 'n': (0, 0, 1), 'convention': 'kubo'}
    """
    surface = term_value(term, "surface")
    thickness = term_value(term, "thickness")
    if thickness is None or not callable(getattr(surface, "pumped_current", None)):
        return None
    kwargs = {"thickness": float(thickness)}
    for attr in ("n", "convention"):
        value = term_value(term, attr)
        if value is not None:
            kwargs[attr] = value
    return surface, kwargs


def torque_field(m, H_DL, H_FL, beta, j=(1, 0, 0), n=(0, 0, 1)):
    r"""Non-conservative field :math:`\mathbf{H}_\text{T}` (A/m) of the Dirac torque.

    .. math::

        \mathbf{H}_\text{T} = -H_\text{DL} f_\text{DL}(m_n)\, m_n\,\mathbf{j}
        - H_\text{FL} f_\text{FL}(m_n)\,\mathbf{n}\times\mathbf{j}

    Add it to :math:`\mathbf{H}_\text{eff}` before solving the Gilbert form
    (:func:`ubermag_dirac.terms.gilbert_dmdt`).

    Parameters
    ----------
    m : array_like
        Magnetisation, ``(..., 3)`` (unit vectors; zero vectors in empty cells
        are fine).
    H_DL, H_FL : float or array_like
        Damping-like and field-like amplitudes (A/m), broadcasting against
        ``m[..., 0]``; multiply by ``func(t)`` yourself for time dependence.
    beta : float or array_like
        :math:`\beta = \Delta/\epsilon_F`, ``0 <= beta`` and
        :math:`|\beta m_n| < 1`.
    j, n : array_like
        Current direction and surface normal, ``(3,)`` or ``(..., 3)``.

    Returns
    -------
    numpy.ndarray
        ``(..., 3)``, A/m.

    Examples
    --------
    For m along z and beta = 0 only the field-like part survives,
    :math:`-H_\text{FL}\,\mathbf{n}\times\mathbf{j} = -H_\text{FL}\hat{y}`:

    >>> from ubermag_dirac.terms.dirac_sot import torque_field
    >>> torque_field([0, 0, 1.0], H_DL=100.0, H_FL=10.0, beta=0.0)
    array([-100., -10.,   0.])
    """
    m = v.real_or_complex(m)
    j = np.asarray(j, dtype=float)
    n = np.asarray(n, dtype=float)
    mn = np.sum(m * n, axis=-1)
    fdl = f_DL(mn, beta)
    ffl = f_FL(mn, beta)
    H_DL = np.asarray(H_DL, dtype=float)
    H_FL = np.asarray(H_FL, dtype=float)
    nxj = np.cross(n, j)
    return -(H_DL * fdl * mn)[..., None] * j - (H_FL * ffl)[..., None] * nxj


def torque(m, H_DL, H_FL, beta, j=(1, 0, 0), n=(0, 0, 1), gamma0=GAMMA0):
    r"""Torque :math:`\mathbf{T} = -\gamma_0\,\mathbf{m}\times\mathbf{H}_\text{T}`
    (1/s) as it enters the Gilbert form, ``(..., 3)``.

    Examples
    --------
    Damping-like torque :math:`\gamma_0 H_\text{DL} m_z (\mathbf{m}\times
    \hat{x})` for m in the xz plane at 45 degrees:

    >>> import numpy as np
    >>> from ubermag_dirac.terms.dirac_sot import torque
    >>> s = np.sqrt(0.5)
    >>> torque([s, 0, s], H_DL=1.0, H_FL=0.0, beta=0.0, gamma0=1.0).round(12)
    array([0. , 0.5, 0. ])
    """
    m = np.asarray(m, dtype=float)
    gamma0 = np.asarray(gamma0, dtype=float)[..., None]
    return -gamma0 * np.cross(m, torque_field(m, H_DL, H_FL, beta, j, n))


@ts.typesystem(
    H_DL=v.ScalarParameter(unit="A/m"),
    H_FL=v.ScalarParameter(unit="A/m"),
    beta=v.ScalarParameter(
        lower=0,
        upper=1,
        upper_open=True,
        hint=(
            "beta = Delta/eps_F; beta >= 1 leaves the metallic regime "
            "eps_F > Delta |m.n| for some m, where the Dirac torques are undefined."
        ),
    ),
    j=v.UnitVector(perpendicular_to="n", meaning="in-plane current direction"),
    n=v.UnitVector(perpendicular_to="j", meaning="surface normal"),
    func=v.Callable(),
    dt=v.ScalarParameter(lower=0, lower_open=True, unit="s", scalar_only=True),
    thickness=v.ScalarParameter(lower=0, lower_open=True, unit="m", scalar_only=True),
    E=v.ScalarParameter(unit="V/m", scalar_only=True),
    J=v.ScalarParameter(unit="A/m^2", scalar_only=True),
    Ms=v.ScalarParameter(lower=0, lower_open=True, unit="A/m", scalar_only=True),
    convention=v.Choice(choices=("kubo", "paper")),
)
class DiracSOT(mm.DynamicsTerm):
    r"""Dirac spin-orbit torque dynamics term (damping-like and field-like).

    The torque acts inside the Gilbert form of the LLG equation,
    :math:`\dot{\mathbf{m}} = -\gamma_0\mathbf{m}\times\mathbf{H}_\text{eff}
    + \mathbf{m}\times(\hat\alpha\dot{\mathbf{m}}) + \mathbf{T}`, with

    .. math::

        \mathbf{T} = \gamma_0 H_\text{DL} f_\text{DL}(m_n)\, m_n\,
        (\mathbf{m}\times\mathbf{j}) + \gamma_0 H_\text{FL} f_\text{FL}(m_n)\,
        \mathbf{m}\times(\mathbf{n}\times\mathbf{j}),

    i.e. as the non-conservative field :math:`\mathbf{H}_\text{T} =
    -H_\text{DL} f_\text{DL}\, m_n\,\mathbf{j} - H_\text{FL} f_\text{FL}\,
    \mathbf{n}\times\mathbf{j}` added to :math:`\mathbf{H}_\text{eff}`, where
    :math:`m_n = \mathbf{m}\cdot\mathbf{n}`, :math:`f_\text{FL} = (1 - b_2)/(1 +
    3b_2)`, :math:`f_\text{DL} = (1 + b_2)/(1 + 3b_2)^2`, :math:`b_2 =
    \beta^2 m_n^2`. In Landau-Lifshitz form, with scalar damping, the term adds
    :math:`-\frac{\gamma_0}{1+\alpha^2}[\mathbf{m}\times\mathbf{H}_\text{T} +
    \alpha\,\mathbf{m}\times(\mathbf{m}\times\mathbf{H}_\text{T})]` to
    :math:`\dot{\mathbf{m}}`; putting :math:`\mathbf{T}` outside the Gilbert
    form instead would change the dynamics at :math:`O(\alpha)`.

    Parameters
    ----------
    H_DL : numbers.Real, dict, discretisedfield.Field, optional
        Damping-like amplitude (A/m) at :math:`m_n = 0` (the :math:`H_{dir}` of
        Ndiaye et al., Eq. 25). Scalar, ``{region: value}`` dict or scalar
        field, like any Ubermag parameter. Defaults to 0.
    H_FL : numbers.Real, dict, discretisedfield.Field, optional
        Field-like amplitude (A/m) at :math:`m_n = 0`. Defaults to 0.
    beta : numbers.Real, dict, discretisedfield.Field, optional
        :math:`\beta = \Delta/\epsilon_F`, ``0 <= beta < 1``; 0 (default) means
        no angular dependence (:math:`f_\text{FL} = f_\text{DL} = 1`).
    j : (3,) array_like, optional
        In-plane unit current direction, perpendicular to ``n``. Defaults to
        ``(1, 0, 0)``; with a normal ``n`` not perpendicular to x, ``j`` must
        be given (the error suggests the in-plane direction closest to x).
    n : (3,) array_like, optional
        Unit surface normal. Defaults to ``(0, 0, 1)``.
    func : callable, optional
        Time dependence ``func(t) -> float`` (t in s): a dimensionless factor
        multiplying both amplitudes, as ``func`` multiplies ``J`` in
        ``mm.Slonczewski``.
    dt : numbers.Real, optional
        Sampling step of ``func`` (s): ``func`` is evaluated at
        ``round(t/dt)*dt`` as OOMMF evaluates the table oommfc writes for
        ``mm.Slonczewski``. Without ``dt``, ``func(t)`` is evaluated at ``t``.
    surface, thickness, E, convention, Ms, J : optional
        Set by :meth:`from_surface`: the ``ubermag_dirac.theory.DiracSurface``,
        ferromagnet thickness (m), driving electric field along ``j`` (V/m),
        the convention (``"kubo"`` or ``"paper"``) the amplitudes were computed
        with, the saturation magnetisation (A/m) and, when the term was made
        from a current density, ``J`` (A/m^2). The calculator uses them for the
        pumped charge current, checks ``Ms`` and ``thickness`` against the
        system it drives, and reports switching diagrams in A/m^2
        (``ud.theory.Bilayer.from_term``).
    name : str, optional
        Term name (default ``"diracsot"``).

    Examples
    --------
    1. Constant amplitudes, current along x on a z-normal surface.

    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> sot = ud.DiracSOT(H_DL=-2e3, H_FL=5e3, beta=0.25)
    >>> sot
    DiracSOT(H_DL=-2000.0, H_FL=5000.0, beta=0.25, j=(1, 0, 0), n=(0, 0, 1))
    >>> system = mm.System(name="tisurface")
    >>> system.dynamics = mm.Precession(gamma0=mm.consts.gamma0) + mm.Damping(alpha=0.1)
    >>> system.dynamics += sot
    >>> system.dynamics.diracsot.beta
    0.25

    2. Region-dependent amplitude and a current pulse of 1 ns.

    >>> sot = ud.DiracSOT(
    ...     H_DL={"ti": -2e3, "default": 0.0},
    ...     func=lambda t: 1.0 if t < 1e-9 else 0.0,
    ...     dt=1e-12,
    ... )

    3. Invalid values give errors naming the parameter.

    >>> ud.DiracSOT(H_DL=1e3, beta=1.2)
    Traceback (most recent call last):
    ...
    ValueError: DiracSOT: beta = 1.2 is outside the allowed range 0 <= beta < 1. ...
    >>> ud.DiracSOT(H_DL=1e3, j=(0, 0, 1))
    Traceback (most recent call last):
    ...
    ValueError: DiracSOT: j = (0, 0, 1) is not perpendicular to n = (0, 0, 1) ...
    """

    _allowed_attributes = (
        "H_DL",
        "H_FL",
        "beta",
        "j",
        "n",
        "func",
        "dt",
        "surface",
        "thickness",
        "E",
        "convention",
        "Ms",
        "J",
    )

    def __init__(
        self,
        H_DL=0.0,
        H_FL=0.0,
        beta=0.0,
        j=None,
        n=(0, 0, 1),
        func=None,
        dt=None,
        *,
        surface=None,
        thickness=None,
        E=None,
        convention=None,
        Ms=None,
        J=None,
        **kwargs,
    ):
        given = dict(
            H_DL=v.num(H_DL),
            H_FL=v.num(H_FL),
            beta=v.num(beta),
            n=n,
            j=v.default_current(n, "DiracSOT") if j is None else j,
            func=func,
            dt=dt,
            surface=surface,
            thickness=thickness,
            E=E,
            convention=convention,
            Ms=Ms,
            J=J,
        )
        super().__init__(**v.init_term(self, {**given, **kwargs}, ["n", "j"]))
        v.check_func_dt(self)
        drive = [a for a in ("surface", "thickness", "E") if is_set(self, a)]
        if drive and len(drive) < 3:
            raise ValueError(
                "DiracSOT: surface, thickness and E are set together (by "
                f"DiracSOT.from_surface); only {drive} given."
            )
        if drive and not is_set(self, "convention"):
            self.convention = "kubo"
        for attr in ("convention", "Ms", "J"):
            if is_set(self, attr) and not drive:
                raise ValueError(
                    f"DiracSOT: {attr} is only meaningful with surface, thickness "
                    "and E (use DiracSOT.from_surface)."
                )

    @classmethod
    def from_surface(
        cls,
        surface,
        *,
        E=None,
        J=None,
        thickness,
        Ms,
        convention="kubo",
        j=None,
        n=(0, 0, 1),
        func=None,
        dt=None,
        name=None,
    ):
        r"""Dirac torque of a magnetised TI surface on a ferromagnet.

        Uses ``ubermag_dirac.theory``: :math:`H_\text{DL} =`
        ``surface.H_DL(0, E=E, J=J, thickness=thickness, Ms=Ms,
        convention=convention)``, :math:`H_\text{FL}` likewise (the amplitudes at
        :math:`m_n = 0`; the angular dependence is applied through
        ``beta = surface.beta``). Both are proportional to ``E``: for ``kubo``
        :math:`H_\text{DL} < 0` and :math:`H_\text{FL} > 0` for
        :math:`E > 0`.

        Parameters
        ----------
        surface : ubermag_dirac.theory.DiracSurface
            The surface (v, Delta, eps_F, tau).
        E : float, optional
            Electric field along ``j`` (V/m).
        J : float, optional
            Current density (A/m^2), averaged over ``thickness``; converted to
            ``E = surface.electric_field(J, thickness)`` (surface sheet
            conductivity at :math:`m_n = 0`). Give exactly one of ``E``, ``J``.
        thickness : float
            Ferromagnet thickness d (m): the thickness of the magnetic film of
            the system along ``n``.
        Ms : float
            Saturation magnetisation (A/m) used to convert torques to fields:
            the norm of the system's ``m``.
        convention : {"kubo", "paper"}
            Torque coefficients of ``docs/PHYSICS.md`` (``"kubo"`` default).
        j, n, func, dt, name
            As for :class:`DiracSOT`.

        Returns
        -------
        DiracSOT
            With ``surface``, ``thickness``, ``E`` (V/m), ``convention``, ``Ms``
            and ``J`` (A/m^2, when given) stored for the charge-pumping
            calculation, the consistency check and diagrams in A/m^2.

        Notes
        -----
        ``Ms`` and ``thickness`` are checked against the system when it is
        driven (``ud.TimeDriver``, ``ud.switching.phase_diagram``): a different
        ``Ms`` would scale both amplitudes by the ratio, a different thickness
        the amplitudes (given ``E``) or ``E`` and the pumped current (given
        ``J``), and the drive refuses to start, saying which value differs.
        ``ud.theory.Bilayer`` maps ``J`` to the amplitudes and back.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> sot = ud.DiracSOT.from_surface(s, E=1e3, thickness=1e-9, Ms=1e6)
        >>> f"{sot.H_DL:.6e} {sot.beta:.2f} {sot.E:g}"
        '-2.569056e+00 0.25 1000'
        >>> ud.DiracSOT.from_surface(s, thickness=1e-9, Ms=1e6)
        Traceback (most recent call last):
        ...
        ValueError: DiracSOT.from_surface: give exactly one of E (V/m) or J (A/m^2)...
        """
        v.check_surface(surface, "DiracSOT.from_surface")
        if (E is None) == (J is None):
            raise ValueError(
                "DiracSOT.from_surface: give exactly one of E (V/m) or J (A/m^2); "
                f"got E={E!r}, J={J!r}."
            )
        thickness = real("thickness", thickness)
        kw = dict(thickness=thickness, Ms=Ms, convention=convention)
        if E is None:
            J = real("J", J)
            E = surface.electric_field(J, thickness)
        E = real("E", E)
        H_DL = float(surface.H_DL(0.0, E=E, **kw))
        H_FL = float(surface.H_FL(0.0, E=E, **kw))
        kw["Ms"] = real("Ms", Ms)  # the term keeps the parameters of H_DL, H_FL
        extra = {} if name is None else {"name": name}
        return cls(
            H_DL=H_DL,
            H_FL=H_FL,
            beta=float(surface.beta),
            j=j,
            n=n,
            func=func,
            dt=dt,
            surface=surface,
            E=E,
            J=J,
            **kw,
            **extra,
        )

    @property
    def _reprlatex(self):
        dl = (
            r"\left(\mathbf{m}\times\mathbf{j} + \alpha\,\mathbf{m}\times"
            r"(\mathbf{m}\times\mathbf{j})\right)"
        )
        fl = (
            r"\left(\mathbf{m}\times(\mathbf{n}\times\mathbf{j}) + \alpha\,"
            r"\mathbf{m}\times(\mathbf{m}\times(\mathbf{n}\times\mathbf{j}))\right)"
        )
        return (
            r"\frac{\gamma_{0}}{1+\alpha^{2}}\left[H_\text{DL} f_\text{DL} "
            r"(\mathbf{m}\cdot\mathbf{n})"
            + dl
            + r" + H_\text{FL} f_\text{FL}"
            + fl
            + r"\right]"
        )

    def time_factor(self, t=0.0):
        """Dimensionless prefactor ``func`` at time ``t`` (s); 1 without ``func``.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> ud.DiracSOT(H_DL=1.0, func=lambda t: 2 * t, dt=1.0).time_factor(2.6)
        6.0
        """
        return time_factor(term_value(self, "func"), term_value(self, "dt"), t)

    def effective_field(self, m, t=0.0):
        r"""Torque field :math:`\mathbf{H}_\text{T}` (A/m) for magnetisation ``m``.

        Parameters
        ----------
        m : array_like or discretisedfield.Field
            ``(..., 3)`` array or field; region dicts and fields among the
            parameters need ``m`` as a field on the same mesh.
        t : float
            Time (s) for ``func``.

        Returns
        -------
        numpy.ndarray or discretisedfield.Field
            Same kind as ``m``.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> ud.DiracSOT(H_DL=10.0).effective_field([0, 0, 1.0])
        array([-10.,  -0.,  -0.])
        """
        arr, mesh = v.as_vectors(m)
        c = self.time_factor(t)
        H = torque_field(
            arr,
            c * v.param_array(self.H_DL, m, "H_DL"),
            c * v.param_array(self.H_FL, m, "H_FL"),
            v.param_array(self.beta, m, "beta"),
            self.j,
            self.n,
        )
        return v.like(H, mesh)

    def dmdt(self, m, Heff=None, *, alpha=0.0, gamma0=GAMMA0, t=0.0):
        r"""Contribution of this term to :math:`\partial\mathbf{m}/\partial t` (1/s).

        For a background of ``mm.Precession(gamma0)`` and ``mm.Damping(alpha)``
        (scalar damping), the Gilbert form is linear in the field, so the term
        contributes exactly :func:`~ubermag_dirac.terms.gilbert_dmdt` of its
        torque field, :math:`-\frac{\gamma_0}{1+\alpha^2}[\mathbf{m}\times
        \mathbf{H}_\text{T} + \alpha\,\mathbf{m}\times(\mathbf{m}\times
        \mathbf{H}_\text{T})]`; with ``alpha=0`` it is the torque
        :math:`\mathbf{T}`. ``Heff`` does not enter. With an
        :class:`AnisotropicDamping` term, solve the whole equation with
        ``gilbert_dmdt(m, Heff + H_T, ...)`` instead.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> sot = ud.DiracSOT(H_FL=1.0)
        >>> sot.dmdt([1.0, 0, 0], None, gamma0=1.0)  # m x (n x j) = x x y = z
        array([0., 0., 1.])
        """
        return torque_dmdt(self, m, alpha=alpha, gamma0=gamma0, t=t)
