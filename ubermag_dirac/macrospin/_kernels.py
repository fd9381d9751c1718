"""Numba kernels of the vectorised macrospin solver (private).

Everything here works in reduced units: fields in units of the anisotropy field
:math:`H_K` (or any reference field), time in units of :math:`1/(\\gamma_0 H_K)`.

Layout of the per-point parameter table ``P`` (shape ``(N, NPAR)``, float64):

====  =========  =====================================================
col   name       meaning
====  =========  =====================================================
0-2   h          applied field (reduced), multiplied by the field pulse
3     hk         uniaxial anisotropy field along ``n`` (reduced)
4     alpha      isotropic Gilbert damping
5     dalpha     anisotropic damping, acts on components perpendicular to n
6     sdl        Dirac damping-like amplitude H_DL (reduced), x current pulse
7     beta       Delta/eps_F for the angular dependence f_DL, f_FL
8     sfl        field-like amplitude H_FL (reduced), x current pulse
9     ssh        spin-Hall damping-like amplitude H_SH (reduced), x current pulse
====  =========  =====================================================

Global geometry ``g`` (shape ``(9,)``): ``n`` (0-2), ``j`` (3-5), ``p = n x j`` (6-8).

Pulses are piecewise-linear tables ``(tk, vk)``: the value is ``vk[0]`` before
``tk[0]``, ``vk[-1]`` after ``tk[-1]`` and linear in between; repeated times make
steps (right-continuous). The integrator never steps across a breakpoint.
"""

import numba
import numpy as np

NPAR = 10

# Integration status codes (per point)
STATUS_DONE = 0  # reached the final time
STATUS_CONVERGED = 1  # stopped early at a linearly stable fixed point
STATUS_MAXSTEPS = 2  # exceeded max_steps
STATUS_FAILED = 3  # non-finite values or step-size underflow

# Dormand-Prince 5(4) tableau
_C2, _C3, _C4, _C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
_A21 = 1.0 / 5.0
_A31, _A32 = 3.0 / 40.0, 9.0 / 40.0
_A41, _A42, _A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
_A51, _A52, _A53, _A54 = (
    19372.0 / 6561.0,
    -25360.0 / 2187.0,
    64448.0 / 6561.0,
    -212.0 / 729.0,
)
_A61, _A62, _A63, _A64, _A65 = (
    9017.0 / 3168.0,
    -355.0 / 33.0,
    46732.0 / 5247.0,
    49.0 / 176.0,
    -5103.0 / 18656.0,
)
_B1, _B3, _B4, _B5, _B6 = (
    35.0 / 384.0,
    500.0 / 1113.0,
    125.0 / 192.0,
    -2187.0 / 6784.0,
    11.0 / 84.0,
)
_E1, _E3, _E4, _E5, _E6, _E7 = (
    71.0 / 57600.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
)


@numba.njit(cache=True)
def rhs(x, y, z, cur, fld, P, i, g):
    """dm/dt of point ``i`` at direction (x, y, z) (normalised inside).

    Exact solution of the Gilbert form with the damping tensor
    alpha I + dalpha (I - n n) and all torques written as fields inside it.
    """
    inv = 1.0 / np.sqrt(x * x + y * y + z * z)
    x *= inv
    y *= inv
    z *= inv
    n0 = g[0]
    n1 = g[1]
    n2 = g[2]
    mn = x * n0 + y * n1 + z * n2
    hk = P[i, 3] * mn
    Hx = fld * P[i, 0] + hk * n0
    Hy = fld * P[i, 1] + hk * n1
    Hz = fld * P[i, 2] + hk * n2
    if cur != 0.0:
        sdl = P[i, 6]
        sfl = P[i, 8]
        ssh = P[i, 9]
        beta = P[i, 7]
        if sdl != 0.0 or sfl != 0.0:
            fdl = 1.0
            ffl = 1.0
            if beta != 0.0:
                b2 = beta * beta * mn * mn
                d = 1.0 / (1.0 + 3.0 * b2)
                fdl = (1.0 + b2) * d * d
                ffl = (1.0 - b2) * d
            c = -cur * sdl * fdl * mn
            Hx += c * g[3]
            Hy += c * g[4]
            Hz += c * g[5]
            c = -cur * sfl * ffl
            Hx += c * g[6]
            Hy += c * g[7]
            Hz += c * g[8]
        if ssh != 0.0:
            c = cur * ssh
            Hx += c * (y * g[8] - z * g[7])
            Hy += c * (z * g[6] - x * g[8])
            Hz += c * (x * g[7] - y * g[6])
    # b = -m x H
    bx = -(y * Hz - z * Hy)
    by = -(z * Hx - x * Hz)
    bz = -(x * Hy - y * Hx)
    da = P[i, 5]
    a = P[i, 4] + da
    f = 1.0 / (1.0 + a * a)
    ux = (bx + a * (y * bz - z * by)) * f
    uy = (by + a * (z * bx - x * bz)) * f
    uz = (bz + a * (x * by - y * bx)) * f
    if da != 0.0:
        # u = L(b) - da (n.u) L(m x n), L(v) = (v + a m x v) / (1 + a^2)
        cx = y * n2 - z * n1
        cy = z * n0 - x * n2
        cz = x * n1 - y * n0
        lx = (cx + a * (y * cz - z * cy)) * f
        ly = (cy + a * (z * cx - x * cz)) * f
        lz = (cz + a * (x * cy - y * cx)) * f
        nu = (ux * n0 + uy * n1 + uz * n2) / (1.0 + da * (lx * n0 + ly * n1 + lz * n2))
        ux -= da * nu * lx
        uy -= da * nu * ly
        uz -= da * nu * lz
    return ux, uy, uz


@numba.njit(cache=True)
def _segment(tk, t):
    """Largest k with tk[k] <= t, or -1."""
    k = -1
    for q in range(tk.shape[0]):
        if tk[q] <= t:
            k = q
        else:
            break
    return k


@numba.njit(cache=True)
def _pulse_value(tk, vk, k, t):
    """Value on segment k (as found at the start of the step) at time t."""
    K = tk.shape[0]
    if k < 0:
        return vk[0]
    if k >= K - 1:
        return vk[K - 1]
    return vk[k] + (vk[k + 1] - vk[k]) * (t - tk[k]) / (tk[k + 1] - tk[k])


@numba.njit(cache=True)
def _next_break(tk, k):
    if k + 1 < tk.shape[0]:
        return tk[k + 1]
    return np.inf


@numba.njit(cache=True)
def is_stable(x, y, z, cur, fld, P, i, g):
    """Linear stability of the flow at m (assumed near a fixed point).

    Central finite-difference Jacobian in an orthonormal tangent basis; stable
    when trace < 0 and determinant > 0 (both eigenvalues in the left half-plane).
    """
    inv = 1.0 / np.sqrt(x * x + y * y + z * z)
    x *= inv
    y *= inv
    z *= inv
    if abs(x) < 0.9:
        ax, ay, az = 1.0, 0.0, 0.0
    else:
        ax, ay, az = 0.0, 1.0, 0.0
    d = ax * x + ay * y + az * z
    e1x = ax - d * x
    e1y = ay - d * y
    e1z = az - d * z
    s = 1.0 / np.sqrt(e1x * e1x + e1y * e1y + e1z * e1z)
    e1x *= s
    e1y *= s
    e1z *= s
    e2x = y * e1z - z * e1y
    e2y = z * e1x - x * e1z
    e2z = x * e1y - y * e1x
    eps = 1e-6
    px, py, pz = rhs(x + eps * e1x, y + eps * e1y, z + eps * e1z, cur, fld, P, i, g)
    qx, qy, qz = rhs(x - eps * e1x, y - eps * e1y, z - eps * e1z, cur, fld, P, i, g)
    j11 = ((px - qx) * e1x + (py - qy) * e1y + (pz - qz) * e1z) / (2 * eps)
    j21 = ((px - qx) * e2x + (py - qy) * e2y + (pz - qz) * e2z) / (2 * eps)
    px, py, pz = rhs(x + eps * e2x, y + eps * e2y, z + eps * e2z, cur, fld, P, i, g)
    qx, qy, qz = rhs(x - eps * e2x, y - eps * e2y, z - eps * e2z, cur, fld, P, i, g)
    j12 = ((px - qx) * e1x + (py - qy) * e1y + (pz - qz) * e1z) / (2 * eps)
    j22 = ((px - qx) * e2x + (py - qy) * e2y + (pz - qz) * e2z) / (2 * eps)
    return (j11 + j22) < 0.0 and (j11 * j22 - j12 * j21) > 0.0


@numba.njit(cache=True)
def integrate_point(
    i, m0, P, g, tkc, vkc, tkf, vkf, t0, t_eval, opts, out, istats, fstats
):
    """Adaptive Dormand-Prince 5(4) integration of point ``i`` (own step size).

    ``opts = (rtol, atol, h0, hmax, max_steps, conv_tol)``; ``conv_tol <= 0``
    disables early termination. Writes ``out[i, :, :]`` (m at ``t_eval``),
    ``istats[i] = (status, accepted, rejected)``, ``fstats[i] = t_final``.
    """
    rtol = opts[0]
    atol = opts[1]
    h = opts[2]
    hmax = opts[3]
    max_steps = opts[4]
    conv_tol = opts[5]
    x = m0[i, 0]
    y = m0[i, 1]
    z = m0[i, 2]
    s = 1.0 / np.sqrt(x * x + y * y + z * z)
    x *= s
    y *= s
    z *= s
    n_eval = t_eval.shape[0]
    t = t0
    ie = 0
    while ie < n_eval and t_eval[ie] <= t:
        out[i, ie, 0] = x
        out[i, ie, 1] = y
        out[i, ie, 2] = z
        ie += 1
    nacc = 0
    nrej = 0
    status = STATUS_DONE
    kc = _segment(tkc, t)
    kf = _segment(tkf, t)
    cur = _pulse_value(tkc, vkc, kc, t)
    fld = _pulse_value(tkf, vkf, kf, t)
    k1x, k1y, k1z = rhs(x, y, z, cur, fld, P, i, g)
    while ie < n_eval:
        t_stop = t_eval[ie]
        hit_break = False
        nb = _next_break(tkc, kc)
        if nb <= t_stop:
            t_stop = nb
            hit_break = True
        nb = _next_break(tkf, kf)
        if nb <= t_stop:
            t_stop = nb
            hit_break = True
        clipped = False
        hu = h
        if t + hu >= t_stop:
            hu = t_stop - t
            clipped = True
        # stage 2
        ts = t + _C2 * hu
        c = _pulse_value(tkc, vkc, kc, ts)
        f = _pulse_value(tkf, vkf, kf, ts)
        k2x, k2y, k2z = rhs(
            x + hu * _A21 * k1x,
            y + hu * _A21 * k1y,
            z + hu * _A21 * k1z,
            c,
            f,
            P,
            i,
            g,
        )
        ts = t + _C3 * hu
        c = _pulse_value(tkc, vkc, kc, ts)
        f = _pulse_value(tkf, vkf, kf, ts)
        k3x, k3y, k3z = rhs(
            x + hu * (_A31 * k1x + _A32 * k2x),
            y + hu * (_A31 * k1y + _A32 * k2y),
            z + hu * (_A31 * k1z + _A32 * k2z),
            c,
            f,
            P,
            i,
            g,
        )
        ts = t + _C4 * hu
        c = _pulse_value(tkc, vkc, kc, ts)
        f = _pulse_value(tkf, vkf, kf, ts)
        k4x, k4y, k4z = rhs(
            x + hu * (_A41 * k1x + _A42 * k2x + _A43 * k3x),
            y + hu * (_A41 * k1y + _A42 * k2y + _A43 * k3y),
            z + hu * (_A41 * k1z + _A42 * k2z + _A43 * k3z),
            c,
            f,
            P,
            i,
            g,
        )
        ts = t + _C5 * hu
        c = _pulse_value(tkc, vkc, kc, ts)
        f = _pulse_value(tkf, vkf, kf, ts)
        k5x, k5y, k5z = rhs(
            x + hu * (_A51 * k1x + _A52 * k2x + _A53 * k3x + _A54 * k4x),
            y + hu * (_A51 * k1y + _A52 * k2y + _A53 * k3y + _A54 * k4y),
            z + hu * (_A51 * k1z + _A52 * k2z + _A53 * k3z + _A54 * k4z),
            c,
            f,
            P,
            i,
            g,
        )
        ts = t + hu
        c = _pulse_value(tkc, vkc, kc, ts)
        f = _pulse_value(tkf, vkf, kf, ts)
        k6x, k6y, k6z = rhs(
            x + hu * (_A61 * k1x + _A62 * k2x + _A63 * k3x + _A64 * k4x + _A65 * k5x),
            y + hu * (_A61 * k1y + _A62 * k2y + _A63 * k3y + _A64 * k4y + _A65 * k5y),
            z + hu * (_A61 * k1z + _A62 * k2z + _A63 * k3z + _A64 * k4z + _A65 * k5z),
            c,
            f,
            P,
            i,
            g,
        )
        nx = x + hu * (_B1 * k1x + _B3 * k3x + _B4 * k4x + _B5 * k5x + _B6 * k6x)
        ny = y + hu * (_B1 * k1y + _B3 * k3y + _B4 * k4y + _B5 * k5y + _B6 * k6y)
        nz = z + hu * (_B1 * k1z + _B3 * k3z + _B4 * k4z + _B5 * k5z + _B6 * k6z)
        k7x, k7y, k7z = rhs(nx, ny, nz, c, f, P, i, g)
        ex = hu * (
            _E1 * k1x + _E3 * k3x + _E4 * k4x + _E5 * k5x + _E6 * k6x + _E7 * k7x
        )
        ey = hu * (
            _E1 * k1y + _E3 * k3y + _E4 * k4y + _E5 * k5y + _E6 * k6y + _E7 * k7y
        )
        ez = hu * (
            _E1 * k1z + _E3 * k3z + _E4 * k4z + _E5 * k5z + _E6 * k6z + _E7 * k7z
        )
        sx = atol + rtol * max(abs(x), abs(nx))
        sy = atol + rtol * max(abs(y), abs(ny))
        sz = atol + rtol * max(abs(z), abs(nz))
        err = np.sqrt(((ex / sx) ** 2 + (ey / sy) ** 2 + (ez / sz) ** 2) / 3.0)
        if not np.isfinite(err):
            status = STATUS_FAILED
            break
        if err <= 1.0:
            nacc += 1
            t = t_stop if clipped else t + hu
            s = 1.0 / np.sqrt(nx * nx + ny * ny + nz * nz)
            x = nx * s
            y = ny * s
            z = nz * s
            while ie < n_eval and t_eval[ie] <= t:
                out[i, ie, 0] = x
                out[i, ie, 1] = y
                out[i, ie, 2] = z
                ie += 1
            if clipped and hit_break:
                kc = _segment(tkc, t)
                kf = _segment(tkf, t)
                cur = _pulse_value(tkc, vkc, kc, t)
                fld = _pulse_value(tkf, vkf, kf, t)
                k1x, k1y, k1z = rhs(x, y, z, cur, fld, P, i, g)
            else:
                # rhs normalises m internally, so FSAL is exact after renormalising
                k1x, k1y, k1z = k7x, k7y, k7z
            if err == 0.0:
                fac = 5.0
            else:
                fac = min(5.0, max(0.2, 0.9 * err**-0.2))
            hn = hu * fac
            if clipped and hn < h:
                hn = h
            h = min(hn, hmax)
            if (
                conv_tol > 0.0
                and kc == tkc.shape[0] - 1
                and kf == tkf.shape[0] - 1
                and ie < n_eval
                and k1x * k1x + k1y * k1y + k1z * k1z < conv_tol * conv_tol
            ):
                if is_stable(x, y, z, cur, fld, P, i, g):
                    status = STATUS_CONVERGED
                    while ie < n_eval:
                        out[i, ie, 0] = x
                        out[i, ie, 1] = y
                        out[i, ie, 2] = z
                        ie += 1
                    break
        else:
            nrej += 1
            h = hu * max(0.2, 0.9 * err**-0.2)
            if h < 1e-13 * (1.0 + abs(t)):
                status = STATUS_FAILED
                break
        if nacc + nrej >= max_steps:
            status = STATUS_MAXSTEPS
            break
    istats[i, 0] = status
    istats[i, 1] = nacc
    istats[i, 2] = nrej
    fstats[i] = t


@numba.njit(cache=True)
def integrate_serial(
    order, m0, P, g, tkc, vkc, tkf, vkf, t0, t_eval, opts, out, istats, fstats
):
    """Integrate the points ``order`` one after the other (single thread)."""
    for q in range(order.shape[0]):
        integrate_point(
            order[q],
            m0,
            P,
            g,
            tkc,
            vkc,
            tkf,
            vkf,
            t0,
            t_eval,
            opts,
            out,
            istats,
            fstats,
        )


@numba.njit(cache=True, parallel=True)
def integrate_parallel(
    order, m0, P, g, tkc, vkc, tkf, vkf, t0, t_eval, opts, out, istats, fstats
):
    """Same as :func:`integrate_serial` with the points spread over threads."""
    for q in numba.prange(order.shape[0]):
        integrate_point(
            order[q],
            m0,
            P,
            g,
            tkc,
            vkc,
            tkf,
            vkf,
            t0,
            t_eval,
            opts,
            out,
            istats,
            fstats,
        )


@numba.njit(cache=True)
def rhs_many(m, cur, fld, P, g):
    """dm/dt for all points (m: (N, 3)) at scalar pulse values; testing aid."""
    N = m.shape[0]
    u = np.empty((N, 3))
    for i in range(N):
        a, b, c = rhs(m[i, 0], m[i, 1], m[i, 2], cur, fld, P, i, g)
        u[i, 0] = a
        u[i, 1] = b
        u[i, 2] = c
    return u


@numba.njit(cache=True)
def stable_many(m, cur, fld, P, g):
    """is_stable for all points; testing aid."""
    N = m.shape[0]
    r = np.empty(N, dtype=np.bool_)
    for i in range(N):
        r[i] = is_stable(m[i, 0], m[i, 1], m[i, 2], cur, fld, P, i, g)
    return r


_A_TAB = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [_A21, 0.0, 0.0, 0.0, 0.0, 0.0],
        [_A31, _A32, 0.0, 0.0, 0.0, 0.0],
        [_A41, _A42, _A43, 0.0, 0.0, 0.0],
        [_A51, _A52, _A53, _A54, 0.0, 0.0],
        [_A61, _A62, _A63, _A64, _A65, 0.0],
        [_B1, 0.0, _B3, _B4, _B5, _B6],
    ]
)
_C_TAB = np.array([0.0, _C2, _C3, _C4, _C5, 1.0, 1.0])
_E_TAB = np.array([_E1, 0.0, _E3, _E4, _E5, _E6, _E7])


@numba.njit(cache=True)
def integrate_shared(
    m0, P, g, tkc, vkc, tkf, vkf, t0, t_eval, opts, out, istats, fstats
):
    """Dormand-Prince 5(4) with ONE step size for all points (for comparison).

    The error norm is the maximum over the still-active points; points that have
    converged to a stable fixed point drop out of the active set. Same outputs
    as :func:`integrate_point` applied to every point.
    """
    rtol = opts[0]
    atol = opts[1]
    h = opts[2]
    hmax = opts[3]
    max_steps = opts[4]
    conv_tol = opts[5]
    N = m0.shape[0]
    n_eval = t_eval.shape[0]
    y = np.empty((N, 3))
    for i in range(N):
        s = 1.0 / np.sqrt(m0[i, 0] ** 2 + m0[i, 1] ** 2 + m0[i, 2] ** 2)
        for c in range(3):
            y[i, c] = m0[i, c] * s
    K = np.empty((7, N, 3))
    yn = np.empty((N, 3))
    active = np.arange(N)
    na = N
    t = t0
    ie = 0
    while ie < n_eval and t_eval[ie] <= t:
        out[:, ie, :] = y
        ie += 1
    kc = _segment(tkc, t)
    kf = _segment(tkf, t)
    cur = _pulse_value(tkc, vkc, kc, t)
    fld = _pulse_value(tkf, vkf, kf, t)
    for i in range(N):
        K[0, i, 0], K[0, i, 1], K[0, i, 2] = rhs(
            y[i, 0], y[i, 1], y[i, 2], cur, fld, P, i, g
        )
    nacc = 0
    nrej = 0
    failed = False
    while ie < n_eval and na > 0:
        t_stop = t_eval[ie]
        hit_break = False
        nb = _next_break(tkc, kc)
        if nb <= t_stop:
            t_stop = nb
            hit_break = True
        nb = _next_break(tkf, kf)
        if nb <= t_stop:
            t_stop = nb
            hit_break = True
        clipped = False
        hu = h
        if t + hu >= t_stop:
            hu = t_stop - t
            clipped = True
        for st in range(1, 7):
            ts = t + _C_TAB[st] * hu
            c = _pulse_value(tkc, vkc, kc, ts)
            f = _pulse_value(tkf, vkf, kf, ts)
            for q in range(na):
                i = active[q]
                a0 = y[i, 0]
                a1 = y[i, 1]
                a2 = y[i, 2]
                for r in range(st):
                    w = hu * _A_TAB[st, r]
                    if w != 0.0:
                        a0 += w * K[r, i, 0]
                        a1 += w * K[r, i, 1]
                        a2 += w * K[r, i, 2]
                if st == 6:
                    yn[i, 0] = a0
                    yn[i, 1] = a1
                    yn[i, 2] = a2
                K[st, i, 0], K[st, i, 1], K[st, i, 2] = rhs(a0, a1, a2, c, f, P, i, g)
        err = 0.0
        for q in range(na):
            i = active[q]
            e2 = 0.0
            for cc in range(3):
                e = 0.0
                for r in range(7):
                    e += _E_TAB[r] * K[r, i, cc]
                e *= hu
                sc = atol + rtol * max(abs(y[i, cc]), abs(yn[i, cc]))
                e2 += (e / sc) ** 2
            e2 = np.sqrt(e2 / 3.0)
            if not np.isfinite(e2):
                err = np.inf
                break
            if e2 > err:
                err = e2
        if not np.isfinite(err):
            failed = True
            break
        if err <= 1.0:
            nacc += 1
            t = t_stop if clipped else t + hu
            ie_old = ie
            while ie < n_eval and t_eval[ie] <= t:
                ie += 1
            if clipped and hit_break:
                kc = _segment(tkc, t)
                kf = _segment(tkf, t)
            cur = _pulse_value(tkc, vkc, kc, t)
            fld = _pulse_value(tkf, vkf, kf, t)
            const = kc == tkc.shape[0] - 1 and kf == tkf.shape[0] - 1
            q = 0
            while q < na:
                i = active[q]
                s = 1.0 / np.sqrt(yn[i, 0] ** 2 + yn[i, 1] ** 2 + yn[i, 2] ** 2)
                for cc in range(3):
                    y[i, cc] = yn[i, cc] * s
                for e in range(ie_old, ie):
                    out[i, e, 0] = y[i, 0]
                    out[i, e, 1] = y[i, 1]
                    out[i, e, 2] = y[i, 2]
                if clipped and hit_break:
                    K[0, i, 0], K[0, i, 1], K[0, i, 2] = rhs(
                        y[i, 0], y[i, 1], y[i, 2], cur, fld, P, i, g
                    )
                else:
                    for cc in range(3):
                        K[0, i, cc] = K[6, i, cc]
                k2 = K[0, i, 0] ** 2 + K[0, i, 1] ** 2 + K[0, i, 2] ** 2
                if (
                    conv_tol > 0.0
                    and const
                    and ie < n_eval
                    and k2 < conv_tol * conv_tol
                    and is_stable(y[i, 0], y[i, 1], y[i, 2], cur, fld, P, i, g)
                ):
                    for e in range(ie, n_eval):
                        out[i, e, 0] = y[i, 0]
                        out[i, e, 1] = y[i, 1]
                        out[i, e, 2] = y[i, 2]
                    istats[i, 0] = STATUS_CONVERGED
                    fstats[i] = t
                    active[q] = active[na - 1]
                    na -= 1
                else:
                    q += 1
            if err == 0.0:
                fac = 5.0
            else:
                fac = min(5.0, max(0.2, 0.9 * err**-0.2))
            hn = hu * fac
            if clipped and hn < h:
                hn = h
            h = min(hn, hmax)
        else:
            nrej += 1
            h = hu * max(0.2, 0.9 * err**-0.2)
            if h < 1e-13 * (1.0 + abs(t)):
                failed = True
                break
        if nacc + nrej >= max_steps:
            break
    for q in range(na):
        i = active[q]
        if failed:
            istats[i, 0] = STATUS_FAILED
        elif ie < n_eval:
            istats[i, 0] = STATUS_MAXSTEPS
        else:
            istats[i, 0] = STATUS_DONE
        fstats[i] = t
    for i in range(N):
        istats[i, 1] = nacc
        istats[i, 2] = nrej
