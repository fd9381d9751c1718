r"""Analytic switching boundaries and fixed points of the macrospin (Sec. IV).

Reduced units: :math:`h_x = H_x/H_K`, :math:`s = H_\mathrm{SOT}/H_K`, time in
:math:`1/(\gamma_0 H_K)`; effective field :math:`\mathbf h = m_z\hat z + h_x\hat x`,
current along :math:`\hat x`, normal :math:`\hat z` (``docs/PHYSICS.md``,
"Macrospin switching: exact results"). Torque fields inside the Gilbert form:

* Dirac damping-like: :math:`\mathbf h_T = -s\,m_z\,\hat x`,
* spin-Hall damping-like: :math:`\mathbf h_T = s\,\mathbf m\times\hat y`.

The curves are given for :math:`h_x \ge 0, s > 0`; the other quadrants follow
from the symmetries :math:`\mathrm{state}(h_x, s) = \mathrm{state}(-h_x, -s)` and
:math:`\mathrm{state}(h_x, s) = \mathrm{flip}(\mathrm{state}(-h_x, s))`, so the
functions take :math:`|h_x|` and return the magnitude :math:`|s|`.
"""

import numpy as np
from scipy.optimize import brentq

try:  # SciPy >= 1.15: vectorised bracketing root finder
    from scipy.optimize.elementwise import find_root
except ImportError:  # older SciPy
    find_root = None

from .. import torques
from . import _reference

__all__ = [
    "dirac_fixed_points",
    "dirac_threshold_alpha0",
    "fixed_points",
    "linear_stability",
    "she_diamond_edge",
    "she_lee_linear",
    "she_out_of_plane_fixed_points",
    "she_upper_edge",
]

#: The torques whose fixed points and boundaries are known in closed form here.
TORQUES = ("dirac", "she")


def _hx(hx, limit=1.0):
    hx = np.asarray(hx, dtype=float)
    if not np.all(np.isfinite(hx)):
        raise ValueError("hx must be finite.")
    if np.any(np.abs(hx) > limit):
        raise ValueError(f"|hx| must be <= {limit}, got max {np.abs(hx).max()}.")
    return hx


def _torque(torque):
    if torque not in TORQUES:
        raise ValueError(f"Unknown torque {torque!r}; use one of {TORQUES}.")
    return torque


def she_diamond_edge(hx):
    r"""Exact spin-Hall loss of bistability (static, independent of alpha).

    .. math::

        |s| = \frac{(1-p^2)^{3/2}}{p},\qquad
        p = \frac{|h_x| + \sqrt{h_x^2+8}}{4},\qquad 0\le|h_x|\le 1.

    The field-relaxed state on the unfavourable side (for :math:`h_x, s > 0`,
    the down state, tilted to :math:`m_x = p`) merges with a saddle here
    (saddle-node bifurcation); it equals the high-damping / slow-ramp threshold.

    Parameters
    ----------
    hx : array_like
        :math:`H_x/H_K`, :math:`|h_x|\le 1`.

    Returns
    -------
    numpy.ndarray
        :math:`|H_\mathrm{SH}|/H_K` at the edge.

    Examples
    --------
    >>> from ubermag_dirac.macrospin import she_diamond_edge
    >>> float(she_diamond_edge(0.0))
    0.5
    >>> she_diamond_edge([0.1, 1.0]).round(8)
    array([0.43058515, 0.        ])
    >>> she_diamond_edge(1.2)
    Traceback (most recent call last):
    ...
    ValueError: |hx| must be <= 1.0, got max 1.2.
    """
    a = np.abs(_hx(hx))
    p = (a + np.sqrt(a * a + 8.0)) / 4.0
    return np.maximum(1.0 - p * p, 0.0) ** 1.5 / p


def she_lee_linear(hx):
    r"""Small-field form of :func:`she_diamond_edge` (Lee et al., APL 102, 112410).

    .. math:: |s| \approx \frac12 - \frac{|h_x|}{\sqrt 2}

    (not clipped: negative values for :math:`|h_x| > 1/\sqrt2` show where the
    linearisation fails).

    Parameters
    ----------
    hx : array_like
        :math:`H_x/H_K`, :math:`|h_x|\le 1`.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> from ubermag_dirac.macrospin import she_lee_linear
    >>> float(she_lee_linear(0.0)), round(float(she_lee_linear(0.1)), 8)
    (0.5, 0.42928932)
    >>> she_lee_linear(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: hx must be finite.
    """
    return 0.5 - np.abs(_hx(hx)) / np.sqrt(2.0)


def she_upper_edge(hx):
    r"""Spin-Hall current at which the favourable-side tilted state vanishes.

    .. math::

        |s| = \frac{(1-q^2)^{3/2}}{q},\qquad q = \frac{-|h_x| + \sqrt{h_x^2+8}}{4}.

    Beyond it the only stable states are the out-of-plane ones with
    :math:`m_z = h_x/s` (:func:`she_out_of_plane_fixed_points`); in the up/down
    classification this is not a change of state.

    Parameters
    ----------
    hx : array_like
        :math:`|h_x|\le 1`.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> from ubermag_dirac.macrospin import she_upper_edge
    >>> float(she_upper_edge(0.0))
    0.5
    >>> round(float(she_upper_edge(0.5)), 8)
    0.8800863
    >>> she_upper_edge(-2.0)
    Traceback (most recent call last):
    ...
    ValueError: |hx| must be <= 1.0, got max 2.0.
    """
    a = np.abs(_hx(hx))
    q = (-a + np.sqrt(a * a + 8.0)) / 4.0
    return (1.0 - q * q) ** 1.5 / q


def _dirac_F_over_s(s, a, protocol_a):
    # F(s)/s with F = G(m0) - G(+x), G = s m_x - m_z - (h_x/s) ln(h_x - s m_z)
    # (conserved by the alpha = 0 Dirac flow); the trivial root s = 0 is divided out.
    if protocol_a:
        c = np.sqrt(1.0 - a * a)
        return c / s - (1.0 - a) - (a / (s * s)) * np.log1p(s * c / a)
    return 1.0 / s - 1.0 - (a / (s * s)) * np.log1p(s / a)


def dirac_threshold_alpha0(hx, protocol="A"):
    r"""Dirac damping-like switching threshold in the limit :math:`\alpha\to 0`.

    At :math:`\alpha = 0` the Dirac flow conserves

    .. math:: G(\mathbf m) = s\,m_x - m_z - \frac{h_x}{s}\ln(h_x - s\,m_z),

    and a step current switches once the orbit from the initial state reaches
    the in-plane saddle :math:`+\hat x`: :math:`G(\mathbf m_0) = G(\hat x)`. For
    protocol A (field-relaxed start :math:`\mathbf m_0 = (h_x, 0,
    -\sqrt{1-h_x^2})`) this is

    .. math::

        s h_x + \sqrt{1-h_x^2} - \frac{h_x}{s}\ln\!\left(h_x + s\sqrt{1-h_x^2}\right)
        = s - \frac{h_x}{s}\ln h_x ,

    for protocol B (start exactly :math:`-\hat z`, field stepped on with the
    current) :math:`1 - (h_x/s)\ln(h_x + s) = s - (h_x/s)\ln h_x`, which has a
    root only for :math:`|h_x| < 1/2`. Both tend to :math:`s = 1` as
    :math:`h_x\to 0` (twice the spin-Hall static threshold). Solved elementwise
    with :func:`scipy.optimize.elementwise.find_root` (Chandrupatla; SciPy
    < 1.15 falls back to :func:`scipy.optimize.brentq` per point).

    Parameters
    ----------
    hx : array_like
        :math:`H_x/H_K`, :math:`|h_x| < 1`.
    protocol : {"A", "B"}
        Initial state, see above.

    Returns
    -------
    numpy.ndarray
        :math:`|H_\mathrm{DL}|/H_K` at threshold (NaN where none exists); a lower
        bound of the step-current threshold at any :math:`\alpha > 0`.

    Examples
    --------
    >>> from ubermag_dirac.macrospin import dirac_threshold_alpha0
    >>> dirac_threshold_alpha0([0.0, 0.1, 0.6]).round(8)
    array([1.        , 0.80128164, 0.38825886])
    >>> dirac_threshold_alpha0([0.1, 0.6], protocol="B").round(8)
    array([0.70388933,        nan])
    >>> dirac_threshold_alpha0(0.1, protocol="C")
    Traceback (most recent call last):
    ...
    ValueError: protocol must be 'A' or 'B', got 'C'.
    """
    if protocol not in ("A", "B"):
        raise ValueError(f"protocol must be 'A' or 'B', got {protocol!r}.")
    a = np.abs(_hx(hx))
    if np.any(a >= 1.0):
        raise ValueError("|hx| must be < 1 for the Dirac threshold.")
    pa = protocol == "A"
    out = np.full(a.shape, np.nan)
    out[a == 0] = 1.0
    pos = a > 0
    if np.any(pos):
        ap = a[pos]
        lo = np.full(ap.shape, 1e-6)
        hi = 10.0 + 4.0 / (1.0 - ap)
        flo = _dirac_F_over_s(lo, ap, pa)
        fhi = _dirac_F_over_s(hi, ap, pa)
        ok = (flo > 0) & (fhi < 0)
        if find_root is not None:
            res = find_root(
                lambda x, a_: _dirac_F_over_s(x, a_, pa),
                (lo, hi),
                args=(ap,),
                tolerances={"xatol": 1e-14, "xrtol": 4 * np.finfo(float).eps},
            )
            out[pos] = np.where(ok & res.success, res.x, np.nan)
        else:  # older SciPy: scalar Brent per point
            out[pos] = [
                brentq(_dirac_F_over_s, lo_, hi_, args=(a_, pa), xtol=1e-14)
                if ok_
                else np.nan
                for lo_, hi_, a_, ok_ in zip(lo, hi, ap, ok, strict=True)
            ]
    return out if out.ndim else out[()]


def dirac_fixed_points(hx, s):
    r"""The two tilted fixed points of the Dirac damping-like torque.

    With :math:`\mathbf h_T = -s m_z \hat x` the total field lies in the
    :math:`xz` plane and :math:`\mathbf m\parallel\mathbf h` gives
    :math:`m_x = h_x - s m_z` and

    .. math:: m_z^\pm = \frac{h_x s \pm\sqrt{1 + s^2 - h_x^2}}{1+s^2}.

    (The other fixed points are :math:`\pm\hat x`, and for :math:`h_x = 0` the
    whole in-plane circle.) At :math:`h_x = 0`, :math:`m_z^\pm = \pm 1/\sqrt{1+s^2}`.

    Parameters
    ----------
    hx, s : array_like
        Reduced field and torque amplitude (:math:`|h_x|\le 1`).

    Returns
    -------
    numpy.ndarray
        Shape ``(*broadcast, 2, 3)``: the up-like (index 0) and down-like (1)
        fixed points.

    Examples
    --------
    >>> from ubermag_dirac.macrospin import dirac_fixed_points
    >>> dirac_fixed_points(0.0, 1.0).round(6) + 0.0
    array([[-0.707107,  0.      ,  0.707107],
           [ 0.707107,  0.      , -0.707107]])
    >>> dirac_fixed_points(1.5, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: |hx| must be <= 1.0, got max 1.5.
    """
    hx = _hx(hx)
    s = np.asarray(s, dtype=float)
    hx, s = np.broadcast_arrays(hx, s)
    r = np.sqrt(1.0 + s * s - hx * hx)
    out = np.zeros((*hx.shape, 2, 3))
    for k, sign in enumerate((1.0, -1.0)):
        mz = (hx * s + sign * r) / (1.0 + s * s)
        out[..., k, 0] = hx - s * mz
        out[..., k, 2] = mz
    return out


def she_out_of_plane_fixed_points(hx, s):
    r"""Spin-Hall fixed points off the :math:`xz` plane (the switched states).

    .. math::

        m_z = \frac{h_x}{s},\quad m_x = -\frac{h_x}{s^2},\quad
        m_y = \pm\sqrt{1 - m_x^2 - m_z^2},

    existing when :math:`h_x^2 (1+s^2) \le s^4`. The one with :math:`m_y` along
    the polarisation :math:`\operatorname{sign}(s)\,\hat y` is stable: it is the
    switched state, with final :math:`m_z = H_x/H_\mathrm{SH}` beyond threshold,
    continuous through :math:`h_x = 0`.

    Parameters
    ----------
    hx, s : array_like
        Reduced field and torque amplitude (:math:`s \ne 0`).

    Returns
    -------
    numpy.ndarray
        Shape ``(*broadcast, 2, 3)`` (:math:`m_y > 0` first); NaN where they do
        not exist.

    Examples
    --------
    >>> from ubermag_dirac.macrospin import she_out_of_plane_fixed_points
    >>> she_out_of_plane_fixed_points(0.2, 1.0).round(6)
    array([[-0.2     ,  0.959166,  0.2     ],
           [-0.2     , -0.959166,  0.2     ]])
    >>> she_out_of_plane_fixed_points(0.2, 0.0)
    Traceback (most recent call last):
    ...
    ValueError: s must be non-zero.
    """
    hx = _hx(hx, limit=np.inf)
    s = np.asarray(s, dtype=float)
    if np.any(s == 0):
        raise ValueError("s must be non-zero.")
    hx, s = np.broadcast_arrays(hx, s)
    mz = hx / s
    mx = -hx / s**2
    rad = 1.0 - mx * mx - mz * mz
    my = np.where(rad >= 0, np.sqrt(np.abs(rad)), np.nan)
    out = np.empty((*hx.shape, 2, 3))
    for k, sign in enumerate((1.0, -1.0)):
        out[..., k, 0] = np.where(rad >= 0, mx, np.nan)
        out[..., k, 1] = sign * my
        out[..., k, 2] = np.where(rad >= 0, mz, np.nan)
    return out


def fixed_points(hx, s, torque="dirac"):
    r"""All fixed points of the reduced macrospin (``beta = 0``, no field-like term).

    :math:`\dot{\mathbf m} = 0 \iff \mathbf m\times(\mathbf h_\mathrm{eff} +
    \mathbf h_T) = 0` (the Gilbert form is invertible for any damping).

    * Dirac: :math:`\pm\hat x` and :func:`dirac_fixed_points` (for :math:`h_x = 0`
      also every in-plane direction; only :math:`\pm\hat x, \pm\hat y` are listed).
    * Spin Hall: the real roots in the :math:`xz` plane of
      :math:`m_z(h_x - m_x) = s`, :math:`m_x^2+m_z^2 = 1` (a quartic in
      :math:`m_x`) and :func:`she_out_of_plane_fixed_points`.

    Parameters
    ----------
    hx, s : float
        Reduced in-plane field and torque amplitude (scalars).
    torque : {"dirac", "she"}

    Returns
    -------
    numpy.ndarray
        ``(k, 3)`` unit vectors, sorted by :math:`m_z` then :math:`m_x`, :math:`m_y`.

    Examples
    --------
    >>> from ubermag_dirac.macrospin import fixed_points
    >>> fixed_points(0.0, 0.0, "she").round(6) + 0.0
    array([[ 0.,  0., -1.],
           [-1.,  0.,  0.],
           [ 1.,  0.,  0.],
           [ 0.,  0.,  1.]])
    >>> len(fixed_points(0.3, 0.2, "dirac"))
    4
    >>> fixed_points(0.3, 0.2, "rashba")
    Traceback (most recent call last):
    ...
    ValueError: Unknown torque 'rashba'; use one of ('dirac', 'she').
    """
    _torque(torque)
    hx = float(_hx(hx, limit=np.inf))
    s = float(s)
    pts = [np.array([1.0, 0, 0]), np.array([-1.0, 0, 0])] if torque == "dirac" else []
    if torque == "dirac":
        rad = 1.0 + s * s - hx * hx
        if rad >= 0:
            for sign in (1.0, -1.0):
                mz = (hx * s + sign * np.sqrt(rad)) / (1.0 + s * s)
                pts.append(np.array([hx - s * mz, 0.0, mz]))
        if hx == 0:
            pts += [np.array([0, 1.0, 0]), np.array([0, -1.0, 0])]
    else:
        if s == 0:
            pts += [np.array([1.0, 0, 0]), np.array([-1.0, 0, 0])]
            if abs(hx) <= 1:
                c = np.sqrt(1 - hx * hx)
                pts += [np.array([hx, 0, c]), np.array([hx, 0, -c])]
        else:
            # (1 - a^2)(hx - a)^2 - s^2 = 0
            poly = np.polymul([-1.0, 0.0, 1.0], [1.0, -2 * hx, hx * hx])
            poly[-1] -= s * s
            for a in np.roots(poly):
                if abs(a.imag) < 1e-9 and abs(a.real) <= 1 and a.real != hx:
                    a = a.real
                    c = s / (hx - a)
                    # polish on the circle
                    v = np.array([a, 0.0, c])
                    pts.append(v / np.linalg.norm(v))
            if hx * hx * (1 + s * s) <= s**4:
                pts += list(she_out_of_plane_fixed_points(hx, s))
    pts = np.array(pts).reshape(-1, 3)
    # unique (double roots appear twice)
    uniq = []
    for p in pts:
        if not any(np.allclose(p, q, atol=1e-9) for q in uniq):
            uniq.append(p)
    uniq = np.array(uniq)
    order = np.lexsort((uniq[:, 1], uniq[:, 0], uniq[:, 2]))
    return uniq[order]


def linear_stability(m, hx, s, torque="dirac", alpha=0.1, delta_alpha=0.0):
    r"""Eigenvalues of the LLG linearised at m (in a tangent basis).

    Uses the exact Gilbert-form right-hand side (with the damping tensor
    :math:`\alpha I + \delta\alpha(I - \hat z\hat z)`) and complex-step
    differentiation (exact to rounding). At a fixed point, m is linearly stable
    iff both eigenvalues have negative real parts. Units: :math:`\gamma_0 H_K`.

    Parameters
    ----------
    m : array_like, shape (..., 3)
        Points (normally fixed points).
    hx, s : array_like
        Reduced field and torque amplitude, broadcast against ``m[..., 0]``.
    torque : {"dirac", "she"}
    alpha, delta_alpha : array_like
        Damping, :math:`\ge 0`.

    Returns
    -------
    numpy.ndarray of complex
        Shape ``(..., 2)``.

    Examples
    --------
    The easy axis at zero field: damped precession,
    :math:`\lambda = (-\alpha \pm i)/(1+\alpha^2)`.

    >>> from ubermag_dirac.macrospin import linear_stability
    >>> linear_stability([0.0, 0.0, 1.0], 0.0, 0.0, alpha=0.1).round(6)
    array([-0.09901+0.990099j, -0.09901-0.990099j])
    >>> linear_stability([0.0, 0.0, 1.0], 0.0, 0.0, alpha=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: alpha must be >= 0, got min -1.0.
    """
    _torque(torque)
    m = np.asarray(m, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    delta_alpha = np.asarray(delta_alpha, dtype=float)
    for name, v in (("alpha", alpha), ("delta_alpha", delta_alpha)):
        if np.any(v < 0) or not np.all(np.isfinite(v)):
            raise ValueError(f"{name} must be >= 0, got min {v.min()}.")
    shape = np.broadcast_shapes(m.shape[:-1], np.shape(hx), np.shape(s), alpha.shape)
    mb = np.broadcast_to(m, (*shape, 3))
    s = np.broadcast_to(np.asarray(s, dtype=float), shape)
    z = np.zeros(shape)
    hv = np.stack([np.broadcast_to(np.asarray(hx, dtype=float), shape), z, z], -1)
    p = {
        "h": hv,
        "hk": np.ones(shape),
        "alpha": np.broadcast_to(alpha, shape),
        "dalpha": np.broadcast_to(delta_alpha, shape),
        "h_dl": z,
        "beta": z,
        "h_fl": z,
        "h_sh": z,
        "n": np.array([0.0, 0.0, 1.0]),
        "j": np.array([1.0, 0.0, 0.0]),
    }
    p[torques.get(torque).amplitude.key] = s
    J = _reference.tangent_jacobian(mb, 1.0, 1.0, p)
    return np.linalg.eigvals(J)
