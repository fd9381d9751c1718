r"""Newell demagnetisation tensor of rectangular cells (Newell, Williams, Dunlop 1993).

The tensor :math:`N_{ij}(\mathbf{R})` gives the field averaged over a target cell,
:math:`\bar H_i = -\sum_j N_{ij}(\mathbf{R}) M_j`, produced by a source cell of the
same size, uniformly magnetised with :math:`\mathbf{M}`, whose centre is displaced by
:math:`\mathbf{R} = (X, Y, Z)`. All six components are dimensionless.

Near cells use the exact Newell formulas, evaluated in scaled units (lengths divided
by the largest cell edge) and in extended precision (``numpy.longdouble``, 64-bit
mantissa on x86-64) to reduce the cancellation of the 27-point second difference.
Cells farther than ``R_ASYM`` (in units of the largest cell edge) use the asymptotic
(multipole) expansion of the cell-averaged dipole tensor, as OOMMF does.

Exact part
----------
With

.. math::

    f(x,y,z) = \frac{y}{2}(z^2-x^2)\,\operatorname{asinh}\frac{y}{\sqrt{x^2+z^2}}
      + \frac{z}{2}(y^2-x^2)\,\operatorname{asinh}\frac{z}{\sqrt{x^2+y^2}}
      - xyz\,\arctan\frac{yz}{xR} + \frac{1}{6}(2x^2-y^2-z^2)R,

.. math::

    g(x,y,z) = xyz\,\operatorname{asinh}\frac{z}{\sqrt{x^2+y^2}}
      + \frac{y}{6}(3z^2-y^2)\,\operatorname{asinh}\frac{x}{\sqrt{y^2+z^2}}
      + \frac{x}{6}(3z^2-x^2)\,\operatorname{asinh}\frac{y}{\sqrt{x^2+z^2}}
      - \frac{z^3}{6}\arctan\frac{xy}{zR} - \frac{zy^2}{2}\arctan\frac{xz}{yR}
      - \frac{zx^2}{2}\arctan\frac{yz}{xR} - \frac{xyR}{3},

:math:`R = \sqrt{x^2+y^2+z^2}`, the tensor is the triple second difference

.. math::

    N_{xx}(X,Y,Z) = \frac{1}{4\pi\,\Delta x\Delta y\Delta z}
      \sum_{\epsilon\in\{-1,0,1\}^3} w_{\epsilon}\,
      f(X+\epsilon_x\Delta x, Y+\epsilon_y\Delta y, Z+\epsilon_z\Delta z),
    \qquad w_\epsilon = \prod_k (2\,\delta_{\epsilon_k 0} - |\epsilon_k|),

and likewise :math:`N_{yy}` with :math:`f(y,x,z)`, :math:`N_{zz}` with
:math:`f(z,y,x)`, :math:`N_{xy}` with :math:`g(x,y,z)`, :math:`N_{xz}` with
:math:`g(x,z,y)` and :math:`N_{yz}` with :math:`g(y,z,x)`.

Asymptotic part
---------------
The Newell tensor is the point-dipole tensor
:math:`D_{ij}(\mathbf{R}) = -\frac{V}{4\pi}\partial_i\partial_j \frac{1}{R}` averaged
over the difference :math:`\mathbf{s}` of two points uniformly distributed in the two
cells (each component of :math:`\mathbf{s}` has a triangular distribution with even
moments :math:`\langle s_k^{n}\rangle = \frac{2\,\Delta_k^n}{(n+1)(n+2)}`). Expanding
in Taylor series,

.. math::

    N_{ij}(\mathbf{R}) = -\frac{V}{4\pi} \sum_{\beta\ \mathrm{even}}
        \frac{\langle s^\beta\rangle}{\beta!}\,
        \partial^{\beta + e_i + e_j}\frac{1}{R},

truncated at :math:`|\beta| \le 2p` (``order`` ``p``; ``p = 0`` is the point dipole),
with a relative truncation error of order :math:`(\Delta/R)^{2p+2}`. The derivatives
of :math:`1/R` come from the recurrence for its Cartesian Taylor coefficients
(Duan and Krasny 2001). The switch radius and the order are chosen so that both the
rounding error of the exact part and the truncation error of the expansion stay below
about 1e-12 relative to the largest component (measured against 50-digit mpmath
evaluations in ``tests/engine/test_demag_tensor.py``).
"""

from __future__ import annotations

import functools
import itertools
import math

import numba
import numpy as np

__all__ = [
    "COMPONENTS",
    "R_ASYM",
    "newell_asymptotic",
    "newell_exact",
    "newell_f",
    "newell_g",
    "newell_tensor",
    "switch_radius",
]

#: Component order used throughout: xx, yy, zz, xy, xz, yz.
COMPONENTS = ("xx", "yy", "zz", "xy", "xz", "yz")

#: Offsets farther than this (in units of the largest cell edge) use the asymptotic
#: expansion, for cells with edge ratios near 1; see :func:`switch_radius`.
R_ASYM = 8.0

#: Order p of the asymptotic expansion (terms up to (Delta/R)^(2p) beyond the dipole)
#: by distance band: ``(R_max, p)``, R in units of the largest cell edge. Each band's
#: truncation error is below ~1e-12 relative (measured against order 3 and mpmath).
ASYM_BANDS = ((16.0, 6), (24.0, 5), (45.0, 4), (100.0, 3), (1000.0, 2), (np.inf, 1))

_LD = np.longdouble


def _asinh_ratio(a, b):
    """asinh(a / b) with 0 where b == 0 (the prefactor vanishes there)."""
    safe = np.where(b > 0, b, 1)
    return np.where(b > 0, np.arcsinh(a / safe), 0)


def _atan_ratio(a, b):
    """arctan(a / b) with 0 where b == 0 (the prefactor vanishes there)."""
    safe = np.where(b > 0, b, 1)
    return np.where(b > 0, np.arctan(a / safe), 0)


def newell_f(x, y, z):
    """Newell's f function (even in each argument); see the module docstring.

    Parameters
    ----------
    x, y, z : array_like
        Coordinates (any consistent length unit); broadcast together. The dtype of
        the result follows the inputs (use ``numpy.longdouble`` for accuracy).

    Returns
    -------
    numpy.ndarray
        f(x, y, z), in the length unit cubed.

    Examples
    --------
    >>> float(newell_f(1.0, 0.0, 0.0))  # (1/6)(2 x^2) R
    0.333...
    """
    x, y, z = np.abs(x), np.abs(y), np.abs(z)
    x2, y2, z2 = x * x, y * y, z * z
    R = np.sqrt(x2 + y2 + z2)
    res = (2 * x2 - y2 - z2) * R / 6
    res = res + 0.5 * y * (z2 - x2) * _asinh_ratio(y, np.sqrt(x2 + z2))
    res = res + 0.5 * z * (y2 - x2) * _asinh_ratio(z, np.sqrt(x2 + y2))
    res = res - x * y * z * _atan_ratio(y * z, x * R)
    return res


def newell_g(x, y, z):
    """Newell's g function (odd in x and y, even in z); see the module docstring.

    Parameters
    ----------
    x, y, z : array_like
        Coordinates, broadcast together.

    Returns
    -------
    numpy.ndarray
        g(x, y, z), in the length unit cubed.

    Examples
    --------
    >>> float(newell_g(1.0, 1.0, 0.0) + newell_g(-1.0, 1.0, 0.0))  # odd in x
    0.0
    """
    sign = np.sign(x) * np.sign(y)
    x, y, z = np.abs(x), np.abs(y), np.abs(z)
    x2, y2, z2 = x * x, y * y, z * z
    R = np.sqrt(x2 + y2 + z2)
    res = -x * y * R / 3
    res = res + x * y * z * _asinh_ratio(z, np.sqrt(x2 + y2))
    res = res + y / 6 * (3 * z2 - y2) * _asinh_ratio(x, np.sqrt(y2 + z2))
    res = res + x / 6 * (3 * z2 - x2) * _asinh_ratio(y, np.sqrt(x2 + z2))
    res = res - z * z2 / 6 * _atan_ratio(x * y, z * R)
    res = res - z * y2 / 2 * _atan_ratio(x * z, y * R)
    res = res - z * x2 / 2 * _atan_ratio(y * z, x * R)
    return sign * res


def _second_difference(F):
    """Apply ``2 F[i] - F[i-1] - F[i+1]`` along all three axes (drops the borders)."""
    F = 2 * F[1:-1] - F[:-2] - F[2:]
    F = 2 * F[:, 1:-1] - F[:, :-2] - F[:, 2:]
    return 2 * F[:, :, 1:-1] - F[:, :, :-2] - F[:, :, 2:]


def newell_exact(nx, ny, nz, cell):
    """Exact Newell tensor on the octant of offsets ``(i dx, j dy, k dz)``.

    Parameters
    ----------
    nx, ny, nz : int
        Number of offsets per axis: ``0 <= i < nx`` etc.
    cell : sequence of 3 float
        Cell edges ``(dx, dy, dz)`` (any length unit; the tensor is dimensionless).

    Returns
    -------
    numpy.ndarray
        Shape ``(6, nx, ny, nz)``, float64, components in :data:`COMPONENTS` order.
    """
    cell = np.asarray(cell, dtype=float)
    h = cell.max()
    d = (cell / h).astype(_LD)
    # nodes at offsets -1 .. n (the stencil reaches one cell beyond).
    u = (np.arange(-1, nx + 1).astype(_LD) * d[0])[:, None, None]
    v = (np.arange(-1, ny + 1).astype(_LD) * d[1])[None, :, None]
    w = (np.arange(-1, nz + 1).astype(_LD) * d[2])[None, None, :]
    scale = 1 / (4 * _LD(np.pi) * d[0] * d[1] * d[2])
    out = np.empty((6, nx, ny, nz))
    # f / g are evaluated with permuted coordinates; the second difference is always
    # taken along the array axes (x, y, z), so no transposes are needed.
    out[0] = scale * _second_difference(newell_f(u, v, w))
    out[1] = scale * _second_difference(newell_f(v, u, w))
    out[2] = scale * _second_difference(newell_f(w, v, u))
    out[3] = scale * _second_difference(newell_g(u, v, w))
    out[4] = scale * _second_difference(newell_g(u, w, v))
    out[5] = scale * _second_difference(newell_g(v, w, u))
    return out


def _moment(n):
    """<s^n> / Delta^n for the difference of two uniform points in a unit interval."""
    return 2.0 / ((n + 1) * (n + 2))


def _asym_terms(order):
    """For each component, a list of (gamma multi-index, coefficient) pairs."""
    pairs = {"xx": (0, 0), "yy": (1, 1), "zz": (2, 2), "xy": (0, 1), "xz": (0, 2)}
    pairs["yz"] = (1, 2)
    terms = {}
    for name, (i, j) in pairs.items():
        lst = []
        for total in range(0, 2 * order + 1, 2):
            for b in itertools.product(range(0, total + 1, 2), repeat=3):
                if sum(b) != total:
                    continue
                gamma = list(b)
                gamma[i] += 1
                gamma[j] += 1
                # coefficient without the cell-size powers: <s^b>/b! * gamma!
                c = 1.0
                for bk in b:
                    c *= _moment(bk) / math.factorial(bk)
                for gk in gamma:
                    c *= math.factorial(gk)
                lst.append((tuple(b), tuple(gamma), c))
        terms[name] = lst
    return terms


def _taylor_coefficients(x, y, z, kmax):
    """Cartesian Taylor coefficients a_alpha of 1/|r| for |alpha| <= kmax.

    ``d^alpha (1/r) = (-1)^|alpha| alpha! a_alpha``; recurrence of Duan and Krasny:
    ``k r^2 a_a = (2k-1) sum_i x_i a_{a-e_i} - (k-1) sum_i a_{a-2e_i}``.
    """
    r2 = x * x + y * y + z * z
    xs = (x, y, z)
    a = {(0, 0, 0): 1 / np.sqrt(r2)}
    inv_r2 = 1 / r2
    for k in range(1, kmax + 1):
        for i in range(k + 1):
            for j in range(k - i + 1):
                alpha = (i, j, k - i - j)
                acc1 = 0
                acc2 = 0
                for m in range(3):
                    if alpha[m] >= 1:
                        lower = list(alpha)
                        lower[m] -= 1
                        acc1 = acc1 + xs[m] * a[tuple(lower)]
                    if alpha[m] >= 2:
                        lower = list(alpha)
                        lower[m] -= 2
                        acc2 = acc2 + a[tuple(lower)]
                a[alpha] = ((2 * k - 1) * acc1 - (k - 1) * acc2) * (inv_r2 / k)
    return a


@functools.lru_cache(maxsize=16)
def _asym_tables(pmax):
    """Integer/float tables that drive the compiled expansion kernel (orders <= pmax).

    The multi-indices are ordered by total degree, so the coefficients needed for
    order p are a prefix (``nq[p]`` of them); each component's terms are ordered by
    decreasing ``|beta|`` (small terms first), so order p uses a suffix of them,
    starting at ``tstart[c, p]``.
    """
    kmax = 2 * pmax + 2
    alphas = [
        (i, j, k - i - j)
        for k in range(kmax + 1)
        for i in range(k + 1)
        for j in range(k - i + 1)
    ]
    index = {a: q for q, a in enumerate(alphas)}
    kk = np.array([sum(a) for a in alphas], dtype=np.int64)
    invk = np.array([1.0 / max(k, 1) for k in kk])
    prev1 = -np.ones((len(alphas), 3), dtype=np.int64)
    prev2 = -np.ones((len(alphas), 3), dtype=np.int64)
    for q, a in enumerate(alphas):
        for m in range(3):
            if a[m] >= 1:
                lower = list(a)
                lower[m] -= 1
                prev1[q, m] = index[tuple(lower)]
            if a[m] >= 2:
                lower = list(a)
                lower[m] -= 2
                prev2[q, m] = index[tuple(lower)]
    nq = np.array(
        [(2 * p + 3) * (2 * p + 4) * (2 * p + 5) // 6 for p in range(pmax + 1)],
        dtype=np.int64,
    )
    terms = _asym_terms(pmax)
    idx, powers, coef = [], [], []
    tstart = np.zeros((6, pmax + 1), dtype=np.int64)
    tend = np.zeros(6, dtype=np.int64)
    for c, name in enumerate(COMPONENTS):
        lst = list(reversed(terms[name]))  # decreasing |beta|: small terms first
        for p in range(pmax + 1):
            first = next(t for t, (b, _, _) in enumerate(lst) if sum(b) <= 2 * p)
            tstart[c, p] = len(idx) + first
        for b, gamma, cf in lst:
            idx.append(index[gamma])
            powers.append(b)
            coef.append(cf)
        tend[c] = len(idx)
    return (
        kk,
        invk,
        prev1,
        prev2,
        nq,
        np.array(idx, dtype=np.int64),
        np.array(powers, dtype=float),
        np.array(coef),
        tstart,
        tend,
    )


@numba.njit(cache=True, nogil=True)
def _asym_kernel(  # pragma: no cover - compiled
    X, Y, Z, porder, kk, invk, prev1, prev2, nq, tidx, tcoef, tstart, tend, pref, out
):
    """Per point: Taylor coefficients of 1/r by recurrence, then the six sums."""
    a = np.empty(kk.size)
    xs = np.empty(3)
    for p in range(X.size):
        xs[0] = X[p]
        xs[1] = Y[p]
        xs[2] = Z[p]
        inv_r2 = 1.0 / (xs[0] * xs[0] + xs[1] * xs[1] + xs[2] * xs[2])
        a[0] = np.sqrt(inv_r2)
        order = porder[p]
        for q in range(1, nq[order]):
            k = kk[q]
            acc1 = 0.0
            acc2 = 0.0
            for m in range(3):
                i1 = prev1[q, m]
                if i1 >= 0:
                    acc1 += xs[m] * a[i1]
                i2 = prev2[q, m]
                if i2 >= 0:
                    acc2 += a[i2]
            a[q] = ((2 * k - 1) * acc1 - (k - 1) * acc2) * (inv_r2 * invk[q])
        for c in range(6):
            acc = 0.0
            for t in range(tstart[c, order], tend[c]):
                acc += tcoef[t] * a[tidx[t]]
            out[c, p] = pref * acc


def newell_asymptotic(X, Y, Z, cell, order=6):
    """Asymptotic expansion of the Newell tensor at displacements ``(X, Y, Z)``.

    Parameters
    ----------
    X, Y, Z : array_like
        Displacements (same length unit as ``cell``), broadcast together; must be
        non-zero and should be several cell sizes long.
    cell : sequence of 3 float
        Cell edges ``(dx, dy, dz)``.
    order : int or array_like of int
        Expansion order p (0: point dipole), for all points or per point;
        truncation error ~ (Delta/R)^(2p+2).

    Returns
    -------
    numpy.ndarray
        Shape ``(6, *broadcast_shape)``, float64.
    """
    X, Y, Z, porder = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (X, Y, Z)), np.asarray(order)
    )
    shape = X.shape
    porder = np.ascontiguousarray(porder.ravel(), dtype=np.int64)
    pmax = int(porder.max()) if porder.size else 0
    cell = np.asarray(cell, dtype=float)
    h = cell.max()
    d = cell / h
    X, Y, Z = (np.ascontiguousarray(a.ravel() / h) for a in (X, Y, Z))
    kk, invk, prev1, prev2, nq, tidx, powers, coef, tstart, tend = _asym_tables(pmax)
    tcoef = coef * np.prod(d[None, :] ** powers, axis=1)
    out = np.empty((6, X.size))
    pref = -d.prod() / (4 * np.pi)
    _asym_kernel(
        X,
        Y,
        Z,
        porder,
        kk,
        invk,
        prev1,
        prev2,
        nq,
        tidx,
        tcoef,
        tstart,
        tend,
        pref,
        out,
    )
    return out.reshape((6, *shape))


def _newell_asymptotic_numpy(X, Y, Z, cell, order=6):
    """Plain numpy version of :func:`newell_asymptotic` (for tests)."""
    X, Y, Z = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (X, Y, Z)))
    shape = X.shape
    cell = np.asarray(cell, dtype=float)
    h = cell.max()
    d = cell / h
    a = _taylor_coefficients(*(v.ravel() / h for v in (X, Y, Z)), 2 * order + 2)
    terms = _asym_terms(order)
    out = np.empty((6, X.size))
    for c, name in enumerate(COMPONENTS):
        acc = 0
        for b, gamma, coef in reversed(terms[name]):
            acc = acc + coef * d[0] ** b[0] * d[1] ** b[1] * d[2] ** b[2] * a[gamma]
        out[c] = -d.prod() / (4 * np.pi) * acc
    return out.reshape((6, *shape))


def switch_radius(cell):
    """Radius (in units of the largest cell edge) beyond which the expansion is used.

    The rounding error of the exact formulas grows with the distance measured in the
    *smallest* edge, the truncation error of the expansion falls with the distance
    measured in the *largest*; ``R_ASYM * (h_min / h_max)**(1/4)``, at least 6,
    balances the two (measured: <= 1e-12 relative for edge ratios up to 1.2,
    <= 1.5e-11 for ratios up to 6).

    Parameters
    ----------
    cell : sequence of 3 float
        Cell edges.

    Returns
    -------
    float
    """
    cell = np.asarray(cell, dtype=float)
    return max(6.0, R_ASYM * (cell.min() / cell.max()) ** 0.25)


def newell_tensor(I, J, K, cell, r_asym=None, order=None):
    """Newell tensor at integer cell displacements, exact near and asymptotic far.

    Parameters
    ----------
    I, J, K : array_like of int
        Displacements in cells, ``(X, Y, Z) = (I dx, J dy, K dz)``; any sign,
        broadcast together.
    cell : sequence of 3 float
        Cell edges ``(dx, dy, dz)`` in m (only ratios matter).
    r_asym : float, optional
        Switch radius in units of the largest cell edge (default
        :func:`switch_radius`); ``numpy.inf`` forces the exact formulas everywhere.
    order : int, optional
        Order of the asymptotic expansion; by default chosen by distance from
        :data:`ASYM_BANDS`.

    Returns
    -------
    numpy.ndarray
        Shape ``(6, *broadcast_shape)``, float64, components in :data:`COMPONENTS`
        order.

    Examples
    --------
    >>> N = newell_tensor(0, 0, 0, (1e-9, 1e-9, 1e-9))
    >>> [round(float(v), 12) for v in N]
    [0.333333333333, 0.333333333333, 0.333333333333, 0.0, 0.0, 0.0]
    """
    I, J, K = np.broadcast_arrays(*(np.asarray(a, dtype=np.int64) for a in (I, J, K)))
    shape = I.shape
    I, J, K = I.ravel(), J.ravel(), K.ravel()
    cell = np.asarray(cell, dtype=float)
    h = cell.max()
    if r_asym is None:
        r_asym = switch_radius(cell)
    aI, aJ, aK = np.abs(I), np.abs(J), np.abs(K)
    dist = np.sqrt((aI * cell[0]) ** 2 + (aJ * cell[1]) ** 2 + (aK * cell[2]) ** 2) / h
    near = dist <= r_asym
    out = np.empty((6, I.size))
    if near.any():
        box = newell_exact(
            aI[near].max() + 1, aJ[near].max() + 1, aK[near].max() + 1, cell
        )
        out[:, near] = box[:, aI[near], aJ[near], aK[near]]
    far = ~near
    if far.any():
        if order is None:
            uppers = np.array([b[0] for b in ASYM_BANDS])
            orders = np.array([b[1] for b in ASYM_BANDS])
            porder = orders[np.searchsorted(uppers, dist[far])]
        else:
            porder = int(order)
        out[:, far] = newell_asymptotic(
            aI[far] * cell[0], aJ[far] * cell[1], aK[far] * cell[2], cell, porder
        )
    out[3] *= np.sign(I) * np.sign(J)
    out[4] *= np.sign(I) * np.sign(K)
    out[5] *= np.sign(J) * np.sign(K)
    return out.reshape((6, *shape))
