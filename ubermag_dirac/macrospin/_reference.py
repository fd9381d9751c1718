"""NumPy implementation of the macrospin right-hand side (private).

Independent of the Numba kernel (different algebra: the Gilbert form is solved
as a dense 3x3 linear system per point), and complex-safe, so it serves as

* the reference the compiled kernel is tested against,
* (:func:`integrate_shared`) the shared-step integrator driven from Python,
  used for pulses given as arbitrary callables (with the compiled right-hand side),
* the function differentiated by complex step for exact Jacobians.

Arrays are component-last, ``(..., 3)``; parameters broadcast against ``m[..., 0]``.
"""

import numpy as np


def _cross(a, b):
    return np.stack(
        [
            a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
            a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
            a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0],
        ],
        axis=-1,
    )


def _dot(a, b):
    return np.sum(a * b, axis=-1)


def total_field(m, cur, fld, p):
    """Reduced total field H_eff + H_T (torques as fields inside the Gilbert form).

    ``p`` is a dict with keys h (..., 3), hk, alpha, dalpha, sdl, beta, sfl, ssh
    and global unit vectors n, j.
    """
    n = np.asarray(p["n"], dtype=float)
    j = np.asarray(p["j"], dtype=float)
    pol = np.cross(n, j)
    mn = _dot(m, n)
    H = np.asarray(fld)[..., None] * p["h"] + (p["hk"] * mn)[..., None] * n
    b2 = p["beta"] ** 2 * mn**2
    fdl = (1 + b2) / (1 + 3 * b2) ** 2
    ffl = (1 - b2) / (1 + 3 * b2)
    cur = np.asarray(cur)[..., None]
    H = H - cur * (p["sdl"] * fdl * mn)[..., None] * j
    H = H - cur * (p["sfl"] * ffl)[..., None] * pol
    H = H + cur * p["ssh"][..., None] * _cross(m, np.broadcast_to(pol, m.shape))
    return H


def rhs(m, cur, fld, p):
    """dm/dt from the Gilbert form, solved as a 3x3 linear system per point.

    (I - [m]x A) u = -m x H,  A = alpha I + dalpha (I - n n).
    Works for complex m (complex-step differentiation).
    """
    norm = np.sqrt(_dot(m, m))
    m = m / norm[..., None]
    H = total_field(m, cur, fld, p)
    b = -_cross(m, H)
    n = np.asarray(p["n"], dtype=float)
    eye = np.eye(3)
    A = (p["alpha"] + p["dalpha"])[..., None, None] * eye - p["dalpha"][
        ..., None, None
    ] * np.outer(n, n)
    # [m]x matrix
    mx = np.zeros((*m.shape[:-1], 3, 3), dtype=m.dtype)
    mx[..., 0, 1] = -m[..., 2]
    mx[..., 0, 2] = m[..., 1]
    mx[..., 1, 0] = m[..., 2]
    mx[..., 1, 2] = -m[..., 0]
    mx[..., 2, 0] = -m[..., 1]
    mx[..., 2, 1] = m[..., 0]
    M = eye - mx @ A
    return np.linalg.solve(M, b[..., None])[..., 0]


def tangent_jacobian(m, cur, fld, p):
    """Exact (complex-step) Jacobian of the flow at unit m in a tangent basis.

    Returns ``(..., 2, 2)``. At a fixed point its eigenvalues are the linear
    growth rates of small deviations.
    """
    m = np.asarray(m, dtype=float)
    m = m / np.linalg.norm(m, axis=-1, keepdims=True)
    a = np.where(
        (np.abs(m[..., 0]) < 0.9)[..., None],
        np.array([1.0, 0, 0]),
        np.array([0, 1.0, 0]),
    )
    e1 = a - _dot(a, m)[..., None] * m
    e1 /= np.linalg.norm(e1, axis=-1, keepdims=True)
    e2 = _cross(m, e1)
    eps = 1e-30
    J = np.empty((*m.shape[:-1], 2, 2))
    for col, e in enumerate((e1, e2)):
        d = rhs(m + 1j * eps * e, cur, fld, p).imag / eps
        J[..., 0, col] = _dot(d, e1)
        J[..., 1, col] = _dot(d, e2)
    return J


# Dormand-Prince 5(4)
_C = np.array([0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1])
_A = [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
]
_E = np.array(
    [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40]
)


def integrate_shared(
    m0, rhs_fn, current, field, t0, t_eval, rtol, atol, h0, hmax, max_steps
):
    """Vectorised DP5(4) with one step size for all points (Python loop).

    ``rhs_fn(m, cur, fld)`` is the right-hand side for all points (the compiled
    kernel in practice), ``current`` and ``field`` are callables of t (pulses).
    Returns ``(trajectory (N, n_eval, 3), t_final, n_accepted, n_rejected, ok)``.
    """
    y = m0 / np.linalg.norm(m0, axis=-1, keepdims=True)
    N = y.shape[0]
    out = np.empty((N, len(t_eval), 3))
    t = t0
    ie = 0
    while ie < len(t_eval) and t_eval[ie] <= t:
        out[:, ie] = y
        ie += 1

    def f(tt, yy):
        return rhs_fn(yy, float(current(tt)), float(field(tt)))

    h = h0
    nacc = nrej = 0
    k1 = f(t, y)
    ok = True
    while ie < len(t_eval):
        t_stop = t_eval[ie]
        clipped = t + h >= t_stop
        hu = t_stop - t if clipped else h
        k = [k1]
        for s in range(1, 7):
            ys = y + hu * sum(a * kk for a, kk in zip(_A[s], k, strict=False) if a)
            k.append(f(t + _C[s] * hu, ys))
        ynew = y + hu * sum(a * kk for a, kk in zip(_A[6], k, strict=False) if a)
        err = hu * sum(e * kk for e, kk in zip(_E, k, strict=True) if e)
        sc = atol + rtol * np.maximum(np.abs(y), np.abs(ynew))
        en = np.sqrt(np.mean((err / sc) ** 2, axis=-1)).max()
        if not np.isfinite(en):
            ok = False
            break
        if en <= 1.0:
            nacc += 1
            t = t_stop if clipped else t + hu
            y = ynew / np.linalg.norm(ynew, axis=-1, keepdims=True)
            k1 = k[6]
            while ie < len(t_eval) and t_eval[ie] <= t:
                out[:, ie] = y
                ie += 1
            fac = 5.0 if en == 0 else min(5.0, max(0.2, 0.9 * en**-0.2))
            hn = hu * fac
            h = min(max(hn, h) if clipped else hn, hmax)
        else:
            nrej += 1
            h = hu * max(0.2, 0.9 * en**-0.2)
            if h < 1e-13 * (1 + abs(t)):
                ok = False
                break
        if nacc + nrej >= max_steps:
            ok = False
            break
    return out, t, nacc, nrej, ok
