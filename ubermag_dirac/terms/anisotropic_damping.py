r"""Anisotropic Gilbert damping from the TI surface (charge pumping back-action).

Together with ``mm.Damping(alpha)`` the Gilbert damping becomes the tensor

.. math::

    \hat\alpha = \alpha\,\mathbf{I} + \delta\alpha\,(\mathbf{I} - \mathbf{n}\mathbf{n}),

i.e. the term adds :math:`\mathbf{m}\times[\delta\alpha\,(\mathbf{I} -
\mathbf{n}\mathbf{n})\cdot\dot{\mathbf{m}}]` to the right-hand side of the
Gilbert form: extra damping of the components of :math:`\dot{\mathbf{m}}`
perpendicular to the surface normal :math:`\mathbf{n}` (Ndiaye et al. Eqs.
23-24 as corrected in ``docs/PHYSICS.md``). The reference solver of the resulting
equation is :func:`ubermag_dirac.terms.gilbert_dmdt`.
"""

import micromagneticmodel as mm
import ubermagutil.typesystem as ts

from .._numbers import real
from ..constants import GAMMA0
from . import _validation as v
from .llg import damping_tensor, gilbert_dmdt

__all__ = ["AnisotropicDamping", "damping_tensor"]


@ts.typesystem(
    delta_alpha=v.ScalarParameter(lower=0),
    n=v.UnitVector(meaning="surface normal"),
    thickness=v.ScalarParameter(lower=0, lower_open=True, unit="m", scalar_only=True),
    Ms=v.ScalarParameter(lower=0, lower_open=True, unit="A/m", scalar_only=True),
)
class AnisotropicDamping(mm.DynamicsTerm):
    r"""Extra Gilbert damping of the in-plane components of :math:`\dot{\mathbf{m}}`.

    The Gilbert-form LLG equation becomes

    .. math::

        \frac{\partial\mathbf{m}}{\partial t} = -\gamma_0\,\mathbf{m}\times
        \mathbf{H} + \mathbf{m}\times\left(\left[\alpha\,\mathbf{I} +
        \delta\alpha\,(\mathbf{I} - \mathbf{n}\mathbf{n})\right]\cdot
        \frac{\partial\mathbf{m}}{\partial t}\right),

    with :math:`\alpha` from ``mm.Damping`` (0 without it). For small-angle
    precession about :math:`\mathbf{n}` the effective damping is
    :math:`\alpha + \delta\alpha`; about an in-plane axis (circular) it is
    :math:`\alpha + \delta\alpha/2`.

    Parameters
    ----------
    delta_alpha : numbers.Real, dict, discretisedfield.Field
        Extra damping (dimensionless, >= 0): scalar, ``{region: value}`` dict
        or scalar field.
    n : (3,) array_like, optional
        Unit surface normal. Defaults to ``(0, 0, 1)``.
    thickness, Ms : float, optional
        Set by :meth:`from_surface`: the ferromagnet thickness (m) and
        saturation magnetisation (A/m) ``delta_alpha`` was computed for; the
        drivers check them against the system (``delta_alpha`` scales as
        :math:`1/(M_s d)`).
    name : str, optional
        Term name (default ``"anisotropicdamping"``).

    Examples
    --------
    1. Together with isotropic damping.

    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> system = mm.System(name="ti")
    >>> system.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.01)
    >>> system.dynamics += ud.AnisotropicDamping(delta_alpha=1.4e-3)
    >>> system.dynamics.anisotropicdamping
    AnisotropicDamping(delta_alpha=0.0014, n=(0, 0, 1))

    2. Negative damping is refused.

    >>> ud.AnisotropicDamping(delta_alpha=-1e-3)
    Traceback (most recent call last):
    ...
    ValueError: AnisotropicDamping: delta_alpha = -0.001 is outside ... range 0 <= ...
    """

    _allowed_attributes = ("delta_alpha", "n", "thickness", "Ms")

    def __init__(
        self, delta_alpha=None, n=(0, 0, 1), *, thickness=None, Ms=None, **kwargs
    ):
        if delta_alpha is None and "delta_alpha" not in kwargs:
            raise TypeError(
                "AnisotropicDamping: delta_alpha (>= 0, dimensionless) is required."
            )
        given = dict(delta_alpha=v.num(delta_alpha), n=n, thickness=thickness, Ms=Ms)
        super().__init__(**v.init_term(self, {**given, **kwargs}, ["n"]))

    @classmethod
    def from_surface(
        cls,
        surface,
        *,
        thickness,
        Ms,
        mz=0.0,
        convention="kubo",
        n=(0, 0, 1),
        name=None,
    ):
        r"""Damping enhancement of a magnetised TI surface on a ferromagnet.

        ``delta_alpha = surface.delta_alpha(mz, thickness=thickness, Ms=Ms,
        convention=convention)``, i.e. :math:`\delta\alpha = \frac{\mu_B}{M_s d}
        \frac{\Delta}{e v}|\tau_\perp(m_z)|` (``docs/PHYSICS.md``). The weak
        dependence on :math:`m_z` (through :math:`f_\text{FL}`) is frozen at
        ``mz`` (default 0, in-plane magnetisation).

        ``thickness`` and ``Ms`` are stored and checked against the system when
        it is driven, as for :meth:`DiracSOT.from_surface`.

        Parameters
        ----------
        surface : ubermag_dirac.theory.DiracSurface
        thickness : float
            Ferromagnet thickness d (m): the magnetic film's thickness along ``n``.
        Ms : float
            Saturation magnetisation (A/m): the norm of the system's ``m``.
        mz : float, optional
            :math:`m\cdot n` at which :math:`\delta\alpha` is evaluated.
        convention : {"kubo", "paper"}
        n : (3,) array_like, optional
        name : str, optional

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> s = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
        >>> d = ud.AnisotropicDamping.from_surface(s, thickness=1e-9, Ms=1e6)
        >>> f"{d.delta_alpha:.10e}"
        '1.4377649489e-03'
        >>> d.thickness, d.Ms
        (1e-09, 1000000.0)
        >>> ud.AnisotropicDamping.from_surface(s, thickness=1e-9, Ms=-1e6)
        Traceback (most recent call last):
        ...
        ValueError: Ms = -1000000.0 A/m: Ms must be finite and > 0.
        """
        v.check_surface(surface, "AnisotropicDamping.from_surface")
        thickness = real("thickness", thickness)
        da = float(
            surface.delta_alpha(mz, thickness=thickness, Ms=Ms, convention=convention)
        )
        extra = {} if name is None else {"name": name}
        return cls(
            delta_alpha=da, n=n, thickness=float(thickness), Ms=float(Ms), **extra
        )

    _reprlatex = (
        r"\mathbf{m}\times\left[\delta\alpha\,(\mathbf{I} - \mathbf{n}\mathbf{n})"
        r"\cdot\frac{\partial\mathbf{m}}{\partial t}\right]"
    )

    def tensor(self, alpha=0.0, m=None):
        r"""Damping tensor :math:`\alpha\mathbf{I} + \delta\alpha(\mathbf{I} -
        \mathbf{n}\mathbf{n})`, ``(..., 3, 3)``.

        ``m`` (a field) is only needed to resolve region dicts and fields.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> ud.AnisotropicDamping(delta_alpha=0.5).tensor(0.1).diagonal()
        array([0.6, 0.6, 0.1])
        """
        return damping_tensor(
            v.param_array(alpha, m, "alpha"),
            v.param_array(self.delta_alpha, m, "delta_alpha"),
            self.n,
        )

    def dmdt(self, m, Heff, *, alpha=0.0, gamma0=GAMMA0, t=0.0):
        r"""Change of :math:`\partial\mathbf{m}/\partial t` (1/s) caused by this term.

        The difference between :func:`~ubermag_dirac.terms.gilbert_dmdt` with
        and without :math:`\delta\alpha`, for a background of
        ``mm.Precession(gamma0)`` and ``mm.Damping(alpha)``. The term is not
        additive: ``Heff`` must be the *total* field, including the torque
        fields :math:`\mathbf{H}_\text{T}` of any spin-orbit torque terms.
        ``t`` is accepted for a uniform interface and does not enter.

        Examples
        --------
        Precession about the normal (in-plane :math:`\dot{\mathbf{m}}`) is damped
        by :math:`\delta\alpha`; with :math:`\alpha = 0`, :math:`\delta\alpha = 1`,
        :math:`\dot{\mathbf{m}}` goes from :math:`(0, 1, 0)` to :math:`(0, 1, 1)`:

        >>> import ubermag_dirac as ud
        >>> d = ud.AnisotropicDamping(delta_alpha=1.0)
        >>> d.dmdt([1.0, 0, 0], [0, 0, 1.0], gamma0=1.0)
        array([0., 0., 1.])
        """
        arr, mesh = v.as_vectors(m)
        H = v.as_vectors(Heff, "Heff")[0]
        g0 = v.param_array(gamma0, m, "gamma0")
        a = v.param_array(alpha, m, "alpha")
        da = v.param_array(self.delta_alpha, m, "delta_alpha")
        out = gilbert_dmdt(arr, H, g0, a, da, self.n) - gilbert_dmdt(arr, H, g0, a)
        return v.like(out, mesh)
