r"""Spin-Hall (heavy-metal) damping-like torque, and its Slonczewski equivalent.

Torque inside the Gilbert form, with spin polarisation
:math:`\mathbf{p} = \mathbf{n}\times\mathbf{j}`:

.. math::

    \mathbf{T} = \gamma_0 H_\text{SH}\,\mathbf{m}\times(\mathbf{p}\times
    \mathbf{m}) = -\gamma_0\,\mathbf{m}\times\mathbf{H}_\text{T},\qquad
    \mathbf{H}_\text{T} = H_\text{SH}\,\mathbf{m}\times\mathbf{p}.

Equivalence with ``mm.Slonczewski``
-----------------------------------
``micromagneticmodel`` documents (and OOMMF's ``Oxs_SpinXferEvolve``, which
oommfc uses, implements) the Slonczewski term in Landau-Lifshitz form,

.. math::

    \dot{\mathbf{m}}_\text{STT} = \gamma_0\beta\frac{\epsilon + \alpha
    \epsilon'}{1+\alpha^2}\,\mathbf{m}\times(\mathbf{m}_\text{p}\times
    \mathbf{m}) - \gamma_0\beta\frac{\epsilon' - \alpha\epsilon}{1+\alpha^2}
    \,\mathbf{m}\times\mathbf{m}_\text{p},\qquad
    \beta = \left|\frac{\hbar}{\mu_0 e}\right|\frac{J}{t M_\text{s}},\qquad
    \epsilon = \frac{P\Lambda^2}{(\Lambda^2+1) + (\Lambda^2-1)\,
    \mathbf{m}\cdot\mathbf{m}_\text{p}}.

Derivation. For scalar damping and :math:`|\mathbf{m}| = 1` the Gilbert form
:math:`\dot{\mathbf{m}} = -\gamma_0\mathbf{m}\times\mathbf{H} + \alpha\,
\mathbf{m}\times\dot{\mathbf{m}}` is solved by :math:`\dot{\mathbf{m}} =
-\frac{\gamma_0}{1+\alpha^2}[\mathbf{m}\times\mathbf{H} + \alpha\,\mathbf{m}
\times(\mathbf{m}\times\mathbf{H})]` (cross the equation with
:math:`\mathbf{m}` and substitute back), which is linear in
:math:`\mathbf{H}`. Insert :math:`\mathbf{H}_\text{T} = H_\text{SH}\,
\mathbf{m}\times\mathbf{p}` (perpendicular to :math:`\mathbf{m}`):

.. math::

    \mathbf{m}\times\mathbf{H}_\text{T} = H_\text{SH}\,\mathbf{m}\times
    (\mathbf{m}\times\mathbf{p}) = -H_\text{SH}\,\mathbf{m}\times(\mathbf{p}
    \times\mathbf{m}),\qquad
    \mathbf{m}\times(\mathbf{m}\times\mathbf{H}_\text{T}) =
    -\mathbf{H}_\text{T} = -H_\text{SH}\,\mathbf{m}\times\mathbf{p},

so the spin-Hall term contributes

.. math::

    \dot{\mathbf{m}}_\text{SH} = \frac{\gamma_0 H_\text{SH}}{1+\alpha^2}
    \left[\mathbf{m}\times(\mathbf{p}\times\mathbf{m}) + \alpha\,
    \mathbf{m}\times\mathbf{p}\right].

This is the Slonczewski expression with :math:`\epsilon' = 0`,
:math:`\mathbf{m}_\text{p} = \mathbf{p}` and :math:`\beta\epsilon =
H_\text{SH}`, for *every* :math:`\alpha` and :math:`\mathbf{m}`, provided
:math:`\epsilon` does not depend on :math:`\mathbf{m}\cdot\mathbf{m}_\text{p}`,
i.e. :math:`\Lambda = 1` (then :math:`\epsilon = P/2`). Hence

.. math::

    H_\text{SH} = \frac{\hbar P J}{2\mu_0 e\, t M_\text{s}},\qquad
    J = \frac{2\mu_0 e\, t M_\text{s} H_\text{SH}}{\hbar P}.

With :math:`P = 1`, :math:`J` is the spin-current-equivalent density
:math:`\theta_\text{SH} J_\text{charge}` of a heavy metal. Both descriptions
put the torque inside the Gilbert form, so the equivalence is exact (tested
to 1e-12). :math:`t` is the thickness that OOMMF uses: the cell edge along
``J_direction``, which oommfc leaves at its default ``-z``, i.e. the cell size
:math:`\Delta z` of the mesh (not the film thickness, unless the film is one
cell thick). The conversion uses OOMMF's constants
(:data:`HBAR_OOMMF`, :data:`E_OOMMF`, :math:`\mu_0 = 4\pi\times10^{-7}`), so
that it is exact for the term as OOMMF (and the ubermag-dirac engine)
evaluates it; CODATA values differ by ~1e-8 relative.
"""

import numbers

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import ubermagutil.typesystem as ts

from .._termparams import term_value, time_factor
from ..constants import E_OOMMF, GAMMA0, HBAR_MU0_E_OOMMF, HBAR_OOMMF, MU0
from . import _validation as v
from .llg import torque_dmdt

__all__ = [
    "E_OOMMF",
    "HBAR_OOMMF",
    "MU0_OOMMF",
    "SpinHallSOT",
    "slonczewski_dmdt",
    "slonczewski_to_spin_hall",
    "spin_hall_to_slonczewski",
    "torque_field",
]

#: OOMMF's constants (defined in :mod:`ubermag_dirac.constants`); OOMMF's
#: :math:`\mu_0` is Ubermag's :math:`4\pi\times10^{-7}` T m/A.
MU0_OOMMF = MU0
_BETA_FACTOR = HBAR_MU0_E_OOMMF


def torque_field(m, H_SH, j=(1, 0, 0), n=(0, 0, 1)):
    r"""Non-conservative field :math:`\mathbf{H}_\text{T} = H_\text{SH}\,
    \mathbf{m}\times\mathbf{p}` (A/m), :math:`\mathbf{p} = \mathbf{n}\times
    \mathbf{j}`.

    Parameters
    ----------
    m : array_like
        Magnetisation ``(..., 3)``.
    H_SH : float or array_like
        Amplitude (A/m), broadcasting against ``m[..., 0]``.
    j, n : array_like
        Current direction and surface normal, ``(3,)`` or ``(..., 3)``.

    Examples
    --------
    >>> from ubermag_dirac.terms.spin_hall import torque_field
    >>> torque_field([0, 0, 1.0], 100.0)  # p = y, m x p = z x y = -x
    array([-100.,    0.,    0.])
    """
    m = v.real_or_complex(m)
    p = np.cross(np.asarray(n, dtype=float), np.asarray(j, dtype=float))
    return np.asarray(H_SH, dtype=float)[..., None] * np.cross(m, p)


@ts.typesystem(
    H_SH=v.ScalarParameter(unit="A/m"),
    j=v.UnitVector(perpendicular_to="n", meaning="in-plane current direction"),
    n=v.UnitVector(perpendicular_to="j", meaning="surface normal"),
    func=v.Callable(),
    dt=v.ScalarParameter(lower=0, lower_open=True, unit="s", scalar_only=True),
)
class SpinHallSOT(mm.DynamicsTerm):
    r"""Spin-Hall damping-like torque dynamics term.

    Inside the Gilbert form, with :math:`\mathbf{p} = \mathbf{n}\times
    \mathbf{j}`,

    .. math::

        \mathbf{T} = \gamma_0 H_\text{SH}\,\mathbf{m}\times(\mathbf{p}\times
        \mathbf{m}),\qquad \mathbf{H}_\text{T} = H_\text{SH}\,\mathbf{m}\times
        \mathbf{p}.

    It expresses exactly the same dynamics as ``mm.Slonczewski(J, mp=p, P,
    Lambda=1, eps_prime=0)``; see the module docstring for the derivation and
    :func:`spin_hall_to_slonczewski` / :func:`slonczewski_to_spin_hall` for the
    conversions.

    Parameters
    ----------
    H_SH : numbers.Real, dict, discretisedfield.Field
        Amplitude (A/m): :math:`H_\text{SH} = \hbar\theta_\text{SH}
        J/(2\mu_0 e M_\text{s} d)` for a heavy metal with spin-Hall angle
        :math:`\theta_\text{SH}`; scalar, ``{region: value}`` dict or scalar
        field.
    j : (3,) array_like, optional
        In-plane unit current direction (default ``(1, 0, 0)``; with a normal
        ``n`` not perpendicular to x, ``j`` must be given, as for
        :class:`DiracSOT`).
    n : (3,) array_like, optional
        Unit surface normal (default ``(0, 0, 1)``).
    func : callable, optional
        Dimensionless time dependence ``func(t)`` multiplying ``H_SH``.
    dt : numbers.Real, optional
        Sampling step of ``func`` (s), as for ``mm.Slonczewski``.
    name : str, optional
        Term name (default ``"spinhallsot"``).

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> she = ud.SpinHallSOT(H_SH=1e4)
    >>> she
    SpinHallSOT(H_SH=10000.0, j=(1, 0, 0), n=(0, 0, 1))
    >>> dynamics = mm.Precession(gamma0=mm.consts.gamma0) + mm.Damping(alpha=0.1)
    >>> dynamics += she
    >>> len(dynamics)
    3
    >>> ud.SpinHallSOT(H_SH=1e4, j=(1, 1, 0))
    Traceback (most recent call last):
    ...
    ValueError: SpinHallSOT: j (in-plane ...) = (1, 1, 0) has length 1.41421; ...
    """

    _allowed_attributes = ("H_SH", "j", "n", "func", "dt")

    def __init__(self, H_SH=None, j=None, n=(0, 0, 1), func=None, dt=None, **kw):
        if H_SH is None and "H_SH" not in kw:
            raise TypeError("SpinHallSOT: H_SH (A/m) is required.")
        j = v.default_current(n, "SpinHallSOT") if j is None else j
        given = dict(H_SH=v.num(H_SH), n=n, j=j, func=func, dt=dt)
        super().__init__(**v.init_term(self, {**given, **kw}, ["n", "j"]))
        v.check_func_dt(self)

    @property
    def p(self):
        r"""Spin polarisation :math:`\mathbf{p} = \mathbf{n}\times\mathbf{j}`.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> ud.SpinHallSOT(H_SH=1.0).p
        (0.0, 1.0, 0.0)
        """
        p = np.cross(np.array(self.n, dtype=float), np.array(self.j, dtype=float))
        return tuple(float(x) + 0.0 for x in p)

    _reprlatex = (
        r"\frac{\gamma_{0} H_\text{SH}}{1+\alpha^{2}}\left[\mathbf{m}\times"
        r"(\mathbf{p}\times\mathbf{m}) + \alpha\,\mathbf{m}\times\mathbf{p}\right]"
    )

    def time_factor(self, t=0.0):
        """Dimensionless prefactor ``func`` at time ``t`` (s); 1 without ``func``."""
        return time_factor(term_value(self, "func"), term_value(self, "dt"), t)

    def effective_field(self, m, t=0.0):
        r"""Torque field :math:`\mathbf{H}_\text{T}` (A/m), same kind as ``m``.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> ud.SpinHallSOT(H_SH=2.0).effective_field([1.0, 0, 0])  # x x y = z
        array([0., 0., 2.])
        """
        arr, mesh = v.as_vectors(m)
        H = torque_field(
            arr,
            self.time_factor(t) * v.param_array(self.H_SH, m, "H_SH"),
            self.j,
            self.n,
        )
        return v.like(H, mesh)

    def dmdt(self, m, Heff=None, *, alpha=0.0, gamma0=GAMMA0, t=0.0):
        r"""Contribution to :math:`\partial\mathbf{m}/\partial t` (1/s) for a
        background of ``mm.Precession(gamma0)`` and ``mm.Damping(alpha)``:
        :math:`\frac{\gamma_0 H_\text{SH}}{1+\alpha^2}[\mathbf{m}\times
        (\mathbf{p}\times\mathbf{m}) + \alpha\,\mathbf{m}\times\mathbf{p}]`
        (evaluated with :func:`~ubermag_dirac.terms.gilbert_dmdt`). ``Heff``
        does not enter.

        Examples
        --------
        >>> import ubermag_dirac as ud
        >>> ud.SpinHallSOT(H_SH=1.0).dmdt([1.0, 0, 0], gamma0=1.0)  # m x (p x m) = y
        array([0., 1., 0.])
        """
        return torque_dmdt(self, m, alpha=alpha, gamma0=gamma0, t=t)


# ---------------------------------------------------------------- conversions


def _positive_scalar(name, value, unit):
    if not v._is_real(value) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} = {value!r} {unit}: {name} must be a number > 0.")
    return float(value)


def _lookup(param, key, name):
    if not isinstance(param, dict):
        return param
    if key in param:
        return param[key]
    if "default" in param:
        return param["default"]
    raise ValueError(
        f"{name} has no value for region {key!r} (and no 'default'); give the "
        "region dictionaries the same keys."
    )


def _combine(fn, **params):
    """Apply ``fn(**values)`` to parameters given as numbers, dicts or fields.

    Fields win (dicts are resolved on the field's mesh); otherwise dicts are
    combined region by region (missing regions fall back to ``'default'``).
    """
    for name, p in params.items():
        if not (v._is_real(p) or isinstance(p, dict | df.Field)):
            raise TypeError(
                f"{name} must be a number, a region dict or a scalar field, got "
                f"{type(p).__name__}."
            )
    fields = [p for p in params.values() if isinstance(p, df.Field)]
    if fields:
        ref = fields[0]
        arrays = {k: v.param_array(p, ref, k) for k, p in params.items()}
        out = np.asarray(fn(**arrays), dtype=float)
        out = np.broadcast_to(out, ref.array.shape[:-1])
        return df.Field(ref.mesh, nvdim=1, value=out[..., None])
    keys = []
    for p in params.values():
        if isinstance(p, dict):
            keys += [k for k in p if k not in keys]
    if keys:
        return {
            key: float(fn(**{k: _lookup(p, key, k) for k, p in params.items()}))
            for key in keys
        }
    return float(fn(**params))


def _check_positive_param(name, value, allow_zero_in_field=False):
    """Ms, P > 0 (zeros allowed only in fields: empty cells)."""
    if isinstance(value, df.Field):
        arr = value.array
        if np.any(arr < 0) or (not allow_zero_in_field and np.any(arr == 0)):
            raise ValueError(f"{name} field must be > 0 (>= 0 in empty cells).")
        return
    vals = value.values() if isinstance(value, dict) else [value]
    for val in vals:
        if not isinstance(val, numbers.Real) or not val > 0:
            raise ValueError(f"{name} = {val!r} must be > 0.")


def spin_hall_to_slonczewski(
    H_SH, *, Ms, thickness, j=(1, 0, 0), n=(0, 0, 1), P=1.0, func=None, dt=None
):
    r"""The ``mm.Slonczewski`` term with the same dynamics as a spin-Hall torque.

    ``mm.Slonczewski(J, mp=n x j, P=P, Lambda=1, eps_prime=0)`` with
    :math:`J = 2\mu_0 e\, t M_\text{s} H_\text{SH}/(\hbar P)` (module docstring;
    OOMMF's constants).

    Parameters
    ----------
    H_SH : numbers.Real, dict, discretisedfield.Field or SpinHallSOT
        Amplitude (A/m); a :class:`SpinHallSOT` supplies ``H_SH``, ``j``, ``n``,
        ``func`` and ``dt`` itself.
    Ms : numbers.Real, dict, discretisedfield.Field
        Saturation magnetisation (A/m) of the system.
    thickness : float
        The thickness OOMMF uses in :math:`\beta`: the cell edge along
        ``J_direction``, i.e. the mesh cell size along z for oommfc (m).
    j, n : (3,) array_like
        Current direction and normal (ignored when ``H_SH`` is a term).
    P : float
        Polarisation written into the Slonczewski term (> 0); only the product
        ``P J`` matters.
    func, dt : optional
        Time dependence, passed through.

    Returns
    -------
    micromagneticmodel.Slonczewski

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> stt = ud.terms.spin_hall_to_slonczewski(1e4, Ms=8e5, thickness=1e-9)
    >>> stt.mp, stt.Lambda, stt.eps_prime
    ((0.0, 1.0, 0.0), 1, 0)
    >>> f"{stt.J:.6e}"
    '3.054669e+10'
    >>> ud.terms.spin_hall_to_slonczewski(1e4, Ms=8e5, thickness=0.0)
    Traceback (most recent call last):
    ...
    ValueError: thickness = 0.0 m: thickness must be a number > 0.
    """
    if isinstance(H_SH, SpinHallSOT):
        term = H_SH
        H_SH, j, n = term.H_SH, term.j, term.n
        func = term_value(term, "func")
        dt = term_value(term, "dt")
    else:
        SpinHallSOT(H_SH=H_SH, j=j, n=n, func=func, dt=dt)  # validates everything
    t = _positive_scalar("thickness", thickness, "m")
    P = _positive_scalar("P", P, "")
    _check_positive_param("Ms", Ms, allow_zero_in_field=True)
    J = _combine(
        lambda H_SH, Ms: H_SH * Ms * t / (_BETA_FACTOR * P / 2), H_SH=H_SH, Ms=Ms
    )
    p = np.cross(np.array(n, dtype=float), np.array(j, dtype=float))
    kw = {}
    if func is not None:
        kw["func"] = func
    if dt is not None:
        kw["dt"] = dt
    return mm.Slonczewski(
        J=J,
        mp=tuple(float(x) + 0.0 for x in p),
        P=P,
        Lambda=1,
        eps_prime=0,
        **kw,
    )


def slonczewski_to_spin_hall(term, *, Ms, thickness, n=(0, 0, 1)):
    r"""The :class:`SpinHallSOT` equivalent to an ``mm.Slonczewski`` term.

    Requires ``Lambda == 1`` (otherwise :math:`\epsilon` depends on
    :math:`\mathbf{m}\cdot\mathbf{m}_\text{p}` and there is no spin-Hall
    equivalent), ``eps_prime`` unset or 0, and a constant ``mp`` perpendicular
    to ``n`` (normalised, as OOMMF does). Then :math:`\mathbf{j} =
    \mathbf{m}_\text{p}\times\mathbf{n}` (so that :math:`\mathbf{n}\times
    \mathbf{j} = \mathbf{m}_\text{p}`) and :math:`H_\text{SH} = \hbar P J/(2
    \mu_0 e\, t M_\text{s})`.

    Parameters
    ----------
    term : micromagneticmodel.Slonczewski
    Ms : numbers.Real, dict, discretisedfield.Field
        Saturation magnetisation (A/m); cells with Ms = 0 get H_SH = 0.
    thickness : float
        Cell edge along OOMMF's ``J_direction`` (cell size along z for
        oommfc), m.
    n : (3,) array_like
        Surface normal of the spin-Hall description.

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> stt = mm.Slonczewski(J=3.054669e10, mp=(0, 1, 0), P=1, Lambda=1)
    >>> she = ud.terms.slonczewski_to_spin_hall(stt, Ms=8e5, thickness=1e-9)
    >>> she.j, f"{she.H_SH:.1f}"
    ((1.0, 0.0, 0.0), '10000.0')
    >>> ud.terms.slonczewski_to_spin_hall(
    ...     mm.Slonczewski(J=1e11, mp=(0, 1, 0), P=0.4, Lambda=2),
    ...     Ms=8e5,
    ...     thickness=1e-9,
    ... )
    Traceback (most recent call last):
    ...
    ValueError: Slonczewski with Lambda = 2 has no spin-Hall equivalent...
    """
    if not isinstance(term, mm.Slonczewski):
        raise TypeError(f"term must be mm.Slonczewski, got {type(term).__name__}.")
    Lambda = term_value(term, "Lambda")
    if not (v._is_real(Lambda) and Lambda == 1):
        raise ValueError(
            f"Slonczewski with Lambda = {Lambda!r} has no spin-Hall equivalent: "
            "epsilon depends on m.mp unless Lambda = 1 (a scalar)."
        )
    eps_prime = term_value(term, "eps_prime", 0)
    if not (v._is_real(eps_prime) and eps_prime == 0):
        raise ValueError(
            f"Slonczewski with eps_prime = {eps_prime!r} has a field-like part; only "
            "eps_prime = 0 maps onto SpinHallSOT."
        )
    if term_value(term, "tcl_strings") is not None:
        raise ValueError("Slonczewski tcl_strings cannot be converted; use func/dt.")
    mp = term_value(term, "mp")
    if not isinstance(mp, tuple | list | np.ndarray):
        raise ValueError(
            "Slonczewski mp must be a constant vector to map onto SpinHallSOT "
            f"(whose j and n are constant), got {type(mp).__name__}."
        )
    mp = np.array(mp, dtype=float)
    norm = np.linalg.norm(mp)
    if norm == 0:
        raise ValueError("Slonczewski mp is a zero vector.")
    mp = mp / norm
    n_arr = np.array(n, dtype=float)
    if abs(mp @ n_arr) > v.UNIT_TOL:
        raise ValueError(
            f"Slonczewski mp = {tuple(mp)} is not perpendicular to n = {tuple(n)}; "
            "a spin-Hall polarisation p = n x j lies in the plane."
        )
    j = tuple(float(x) + 0.0 for x in np.cross(mp, n_arr))
    t = _positive_scalar("thickness", thickness, "m")
    _check_positive_param("Ms", Ms, allow_zero_in_field=True)
    P = term_value(term, "P")
    _check_positive_param("P", P)

    def fn(J, P, Ms):
        Ms = np.asarray(Ms, dtype=float)
        safe = np.where(Ms > 0, Ms, 1.0)
        return np.where(Ms > 0, _BETA_FACTOR * P * J / (2 * t * safe), 0.0)

    H_SH = _combine(fn, J=term.J, P=P, Ms=Ms)
    kw = {}
    for attr in ("func", "dt"):
        if term_value(term, attr) is not None:
            kw[attr] = getattr(term, attr)
    return SpinHallSOT(H_SH=H_SH, j=j, n=tuple(n), **kw)


def slonczewski_dmdt(term, m, *, Ms, thickness, alpha=0.0, gamma0, t=0.0):
    r"""``mm.Slonczewski``'s documented :math:`\dot{\mathbf{m}}` contribution (1/s).

    Evaluates, literally, the Landau-Lifshitz expression of the
    ``micromagneticmodel.Slonczewski`` docstring (module docstring) with
    OOMMF's constants, for numbers as parameters and ``m`` an array ``(..., 3)``;
    ``mp`` is normalised as OOMMF does and ``func`` multiplies ``J``. This is an
    independent reference for tests of :class:`SpinHallSOT` and of the engine.

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.terms.spin_hall import slonczewski_dmdt
    >>> stt = mm.Slonczewski(J=1e11, mp=(0, 1, 0), P=0.5, Lambda=1)
    >>> dmdt = slonczewski_dmdt(stt, [1.0, 0, 0], Ms=8e5, thickness=1e-9, gamma0=1.0)
    >>> dmdt.round(3) + 0.0  # beta * P / 2 along mp
    array([    0.   , 16368.388,     0.   ])
    """
    m = np.asarray(m, dtype=float)
    J = float(term.J)
    func = term_value(term, "func")
    J *= time_factor(func, term_value(term, "dt"), t)
    P = float(term.P)
    Lam = float(term.Lambda)
    eps_p = float(term_value(term, "eps_prime", 0.0))
    mp = np.array(term.mp, dtype=float)
    mp = mp / np.linalg.norm(mp)
    beta = _BETA_FACTOR * J / (thickness * Ms)
    mdotp = np.sum(m * mp, axis=-1)
    eps = P * Lam**2 / ((Lam**2 + 1) + (Lam**2 - 1) * mdotp)
    alpha = np.asarray(alpha, dtype=float)
    a = (gamma0 * beta * (eps + alpha * eps_p) / (1 + alpha**2))[..., None]
    b = (gamma0 * beta * (eps_p - alpha * eps) / (1 + alpha**2))[..., None]
    return a * np.cross(m, np.cross(mp, m)) - b * np.cross(m, mp)
