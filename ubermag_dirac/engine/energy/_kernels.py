"""Fused numba kernels of the energy terms.

All kernels take component-first batched arrays: vectors ``(B, 3, nx, ny, nz)``,
scalars ``(B, nx, ny, nz)``, C-contiguous float64. They loop over cells once,
without temporaries, and either add a field into ``H`` in place or write an
energy density into ``w``. Neighbour coupling uses per-bond coefficient arrays
``cx, cy, cz``: ``cx[b, i, j, k]`` couples cell ``(i, j, k)`` to
``(i + 1 mod nx, j, k)`` and is 0 where there is no bond (mesh edge without
periodicity, an empty cell on either side, zero coupling), so one code path
covers free, periodic and empty-cell boundaries.
"""

from __future__ import annotations

import numba as nb

__all__ = [
    "cubic_add_field",
    "cubic_energy",
    "dmi_add_field",
    "dmi_energy",
    "exchange_add_field",
    "exchange_energy",
    "uniaxial_add_field",
    "uniaxial_energy",
    "zeeman_add_field",
    "zeeman_energy",
]

_jit = nb.njit(cache=True, nogil=True, boundscheck=False)


# ----------------------------------------------------------------- exchange
@nb.njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _exchange_sum(m, cx, cy, cz, b, i, j, k, im, ip, jm, jp, km, kp):
    """sum_j c_ij (m_j - m_i) over the six neighbours of cell (i, j, k)."""
    mx = m[b, 0, i, j, k]
    my = m[b, 1, i, j, k]
    mz = m[b, 2, i, j, k]
    c0 = cx[b, i, j, k]
    c1 = cx[b, im, j, k]
    c2 = cy[b, i, j, k]
    c3 = cy[b, i, jm, k]
    c4 = cz[b, i, j, k]
    c5 = cz[b, i, j, km]
    sx = (
        c0 * (m[b, 0, ip, j, k] - mx)
        + c1 * (m[b, 0, im, j, k] - mx)
        + c2 * (m[b, 0, i, jp, k] - mx)
        + c3 * (m[b, 0, i, jm, k] - mx)
        + c4 * (m[b, 0, i, j, kp] - mx)
        + c5 * (m[b, 0, i, j, km] - mx)
    )
    sy = (
        c0 * (m[b, 1, ip, j, k] - my)
        + c1 * (m[b, 1, im, j, k] - my)
        + c2 * (m[b, 1, i, jp, k] - my)
        + c3 * (m[b, 1, i, jm, k] - my)
        + c4 * (m[b, 1, i, j, kp] - my)
        + c5 * (m[b, 1, i, j, km] - my)
    )
    sz = (
        c0 * (m[b, 2, ip, j, k] - mz)
        + c1 * (m[b, 2, im, j, k] - mz)
        + c2 * (m[b, 2, i, jp, k] - mz)
        + c3 * (m[b, 2, i, jm, k] - mz)
        + c4 * (m[b, 2, i, j, kp] - mz)
        + c5 * (m[b, 2, i, j, km] - mz)
    )
    return sx, sy, sz


@_jit
def exchange_add_field(m, cx, cy, cz, hmul, H):
    """``H += hmul * sum_j c_ij (m_j - m_i)``; ``hmul = 2/(mu0 Ms)`` (0 if empty)."""
    B, _, nx, ny, nz = m.shape
    for b in range(B):
        for i in range(nx):
            im = i - 1 if i > 0 else nx - 1
            ip = i + 1 if i < nx - 1 else 0
            for j in range(ny):
                jm = j - 1 if j > 0 else ny - 1
                jp = j + 1 if j < ny - 1 else 0
                for k in range(nz):
                    h = hmul[b, i, j, k]
                    if h == 0.0:
                        continue
                    km = k - 1 if k > 0 else nz - 1
                    kp = k + 1 if k < nz - 1 else 0
                    sx, sy, sz = _exchange_sum(
                        m, cx, cy, cz, b, i, j, k, im, ip, jm, jp, km, kp
                    )
                    H[b, 0, i, j, k] += h * sx
                    H[b, 1, i, j, k] += h * sy
                    H[b, 2, i, j, k] += h * sz
    return H


@_jit
def exchange_energy(m, cx, cy, cz, w):
    """``w = -m_i . sum_j c_ij (m_j - m_i) = sum_j c_ij (1 - m_i . m_j)``."""
    B, _, nx, ny, nz = m.shape
    for b in range(B):
        for i in range(nx):
            im = i - 1 if i > 0 else nx - 1
            ip = i + 1 if i < nx - 1 else 0
            for j in range(ny):
                jm = j - 1 if j > 0 else ny - 1
                jp = j + 1 if j < ny - 1 else 0
                for k in range(nz):
                    km = k - 1 if k > 0 else nz - 1
                    kp = k + 1 if k < nz - 1 else 0
                    sx, sy, sz = _exchange_sum(
                        m, cx, cy, cz, b, i, j, k, im, ip, jm, jp, km, kp
                    )
                    w[b, i, j, k] = -(
                        m[b, 0, i, j, k] * sx
                        + m[b, 1, i, j, k] * sy
                        + m[b, 2, i, j, k] * sz
                    )
    return w


# ---------------------------------------------------------------------- DMI
@nb.njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _dmi_sum(m, cx, cy, cz, V, b, i, j, k, im, ip, jm, jp, km, kp):
    """sum_j c_ij d(u_ij) x m_j with d(-u) = -d(u), d(e_a) = V[a]."""
    sx = 0.0
    sy = 0.0
    sz = 0.0
    # x bonds
    cp = cx[b, i, j, k]
    cm = cx[b, im, j, k]
    if cp != 0.0 or cm != 0.0:
        wx = cp * m[b, 0, ip, j, k] - cm * m[b, 0, im, j, k]
        wy = cp * m[b, 1, ip, j, k] - cm * m[b, 1, im, j, k]
        wz = cp * m[b, 2, ip, j, k] - cm * m[b, 2, im, j, k]
        sx += V[0, 1] * wz - V[0, 2] * wy
        sy += V[0, 2] * wx - V[0, 0] * wz
        sz += V[0, 0] * wy - V[0, 1] * wx
    # y bonds
    cp = cy[b, i, j, k]
    cm = cy[b, i, jm, k]
    if cp != 0.0 or cm != 0.0:
        wx = cp * m[b, 0, i, jp, k] - cm * m[b, 0, i, jm, k]
        wy = cp * m[b, 1, i, jp, k] - cm * m[b, 1, i, jm, k]
        wz = cp * m[b, 2, i, jp, k] - cm * m[b, 2, i, jm, k]
        sx += V[1, 1] * wz - V[1, 2] * wy
        sy += V[1, 2] * wx - V[1, 0] * wz
        sz += V[1, 0] * wy - V[1, 1] * wx
    # z bonds
    cp = cz[b, i, j, k]
    cm = cz[b, i, j, km]
    if cp != 0.0 or cm != 0.0:
        wx = cp * m[b, 0, i, j, kp] - cm * m[b, 0, i, j, km]
        wy = cp * m[b, 1, i, j, kp] - cm * m[b, 1, i, j, km]
        wz = cp * m[b, 2, i, j, kp] - cm * m[b, 2, i, j, km]
        sx += V[2, 1] * wz - V[2, 2] * wy
        sy += V[2, 2] * wx - V[2, 0] * wz
        sz += V[2, 0] * wy - V[2, 1] * wx
    return sx, sy, sz


@_jit
def dmi_add_field(m, cx, cy, cz, V, hmul, H):
    """``H += hmul * sum_j c_ij d(u_ij) x m_j``; ``hmul = -2/(mu0 Ms)``."""
    B, _, nx, ny, nz = m.shape
    for b in range(B):
        for i in range(nx):
            im = i - 1 if i > 0 else nx - 1
            ip = i + 1 if i < nx - 1 else 0
            for j in range(ny):
                jm = j - 1 if j > 0 else ny - 1
                jp = j + 1 if j < ny - 1 else 0
                for k in range(nz):
                    h = hmul[b, i, j, k]
                    if h == 0.0:
                        continue
                    km = k - 1 if k > 0 else nz - 1
                    kp = k + 1 if k < nz - 1 else 0
                    sx, sy, sz = _dmi_sum(
                        m, cx, cy, cz, V, b, i, j, k, im, ip, jm, jp, km, kp
                    )
                    H[b, 0, i, j, k] += h * sx
                    H[b, 1, i, j, k] += h * sy
                    H[b, 2, i, j, k] += h * sz
    return H


@_jit
def dmi_energy(m, cx, cy, cz, V, w):
    """``w = m_i . sum_j c_ij d(u_ij) x m_j``."""
    B, _, nx, ny, nz = m.shape
    for b in range(B):
        for i in range(nx):
            im = i - 1 if i > 0 else nx - 1
            ip = i + 1 if i < nx - 1 else 0
            for j in range(ny):
                jm = j - 1 if j > 0 else ny - 1
                jp = j + 1 if j < ny - 1 else 0
                for k in range(nz):
                    km = k - 1 if k > 0 else nz - 1
                    kp = k + 1 if k < nz - 1 else 0
                    sx, sy, sz = _dmi_sum(
                        m, cx, cy, cz, V, b, i, j, k, im, ip, jm, jp, km, kp
                    )
                    w[b, i, j, k] = (
                        m[b, 0, i, j, k] * sx
                        + m[b, 1, i, j, k] * sy
                        + m[b, 2, i, j, k] * sz
                    )
    return w


# --------------------------------------------------------------- anisotropy
@_jit
def uniaxial_add_field(m, u, h1, h2, H):
    """``H += (h1 d + h2 d^3) u``, ``d = m.u``, ``h1, h2 = 2K1, 4K2 / (mu0 Ms)``."""
    B, _, nx, ny, nz = m.shape
    for b in range(B):
        for i in range(nx):
            for j in range(ny):
                for k in range(nz):
                    a = h1[b, i, j, k]
                    c = h2[b, i, j, k]
                    if a == 0.0 and c == 0.0:
                        continue
                    ux = u[b, 0, i, j, k]
                    uy = u[b, 1, i, j, k]
                    uz = u[b, 2, i, j, k]
                    d = m[b, 0, i, j, k] * ux + m[b, 1, i, j, k] * uy
                    d += m[b, 2, i, j, k] * uz
                    s = d * (a + c * d * d)
                    H[b, 0, i, j, k] += s * ux
                    H[b, 1, i, j, k] += s * uy
                    H[b, 2, i, j, k] += s * uz
    return H


@_jit
def uniaxial_energy(m, u, K1, K2, mask, w):
    """OOMMF's uniaxial energy density (see ``anisotropy.UniaxialAnisotropyImpl``)."""
    B, _, nx, ny, nz = m.shape
    for b in range(B):
        for i in range(nx):
            for j in range(ny):
                for k in range(nz):
                    k1 = K1[b, i, j, k]
                    k2 = K2[b, i, j, k]
                    if not mask[b, i, j, k] or (k1 == 0.0 and k2 == 0.0):
                        w[b, i, j, k] = 0.0
                        continue
                    mx = m[b, 0, i, j, k]
                    my = m[b, 1, i, j, k]
                    mz = m[b, 2, i, j, k]
                    ux = u[b, 0, i, j, k]
                    uy = u[b, 1, i, j, k]
                    uz = u[b, 2, i, j, k]
                    if k1 <= 0.0:
                        d2 = mx * ux + my * uy + mz * uz
                        d2 *= d2
                        w[b, i, j, k] = -k1 * d2 - k2 * d2 * d2
                    else:
                        # easy axis: (K1 + 2 K2) s - K2 s^2 with s = |u x m|^2
                        # = 1 - (m.u)^2, computed without cancellation
                        tx = my * uz - mz * uy
                        ty = mz * ux - mx * uz
                        tz = mx * uy - my * ux
                        s = tx * tx + ty * ty + tz * tz
                        w[b, i, j, k] = (k1 + 2.0 * k2) * s - k2 * s * s
    return w


@_jit
def cubic_add_field(m, u1, u2, hmul, H):
    """OOMMF's cubic field; ``hmul = -2K/(mu0 Ms)`` (see ``CubicAnisotropyImpl``)."""
    B, _, nx, ny, nz = m.shape
    for b in range(B):
        for i in range(nx):
            for j in range(ny):
                for k in range(nz):
                    h = hmul[b, i, j, k]
                    if h == 0.0:
                        continue
                    mx = m[b, 0, i, j, k]
                    my = m[b, 1, i, j, k]
                    mz = m[b, 2, i, j, k]
                    p0 = u1[b, 0, i, j, k]
                    p1 = u1[b, 1, i, j, k]
                    p2 = u1[b, 2, i, j, k]
                    q0 = u2[b, 0, i, j, k]
                    q1 = u2[b, 1, i, j, k]
                    q2 = u2[b, 2, i, j, k]
                    a1 = mx * p0 + my * p1 + mz * p2
                    a2 = mx * q0 + my * q1 + mz * q2
                    a1s = a1 * a1
                    a2s = a2 * a2
                    f1 = h * a1 * (1.0 - 2.0 * a1s - a2s)
                    f2 = h * a2 * (1.0 - a1s - 2.0 * a2s)
                    fm = h * (a1s + a2s)
                    H[b, 0, i, j, k] += f1 * p0 + f2 * q0 + fm * mx
                    H[b, 1, i, j, k] += f1 * p1 + f2 * q1 + fm * my
                    H[b, 2, i, j, k] += f1 * p2 + f2 * q2 + fm * mz
    return H


@_jit
def cubic_energy(m, u1, u2, K, mask, w):
    """``w = K (a1^2 a2^2 + (a1^2 + a2^2)(1 - a1^2 - a2^2))``, ``a_i = m.u_i``."""
    B, _, nx, ny, nz = m.shape
    for b in range(B):
        for i in range(nx):
            for j in range(ny):
                for k in range(nz):
                    kk = K[b, i, j, k]
                    if not mask[b, i, j, k] or kk == 0.0:
                        w[b, i, j, k] = 0.0
                        continue
                    mx = m[b, 0, i, j, k]
                    my = m[b, 1, i, j, k]
                    mz = m[b, 2, i, j, k]
                    a1 = mx * u1[b, 0, i, j, k] + my * u1[b, 1, i, j, k]
                    a1 += mz * u1[b, 2, i, j, k]
                    a2 = mx * u2[b, 0, i, j, k] + my * u2[b, 1, i, j, k]
                    a2 += mz * u2[b, 2, i, j, k]
                    a1s = a1 * a1
                    a2s = a2 * a2
                    w[b, i, j, k] = kk * (a1s * a2s + (a1s + a2s) * (1.0 - a1s - a2s))
    return w


# ------------------------------------------------------------------- Zeeman
@_jit
def zeeman_add_field(H0, T, H):
    """``H[b] += T[b] @ H0[b]`` cell by cell (``T`` is ``(B, 3, 3)``)."""
    B, _, nx, ny, nz = H0.shape
    for b in range(B):
        t00 = T[b, 0, 0]
        t01 = T[b, 0, 1]
        t02 = T[b, 0, 2]
        t10 = T[b, 1, 0]
        t11 = T[b, 1, 1]
        t12 = T[b, 1, 2]
        t20 = T[b, 2, 0]
        t21 = T[b, 2, 1]
        t22 = T[b, 2, 2]
        for i in range(nx):
            for j in range(ny):
                for k in range(nz):
                    hx = H0[b, 0, i, j, k]
                    hy = H0[b, 1, i, j, k]
                    hz = H0[b, 2, i, j, k]
                    H[b, 0, i, j, k] += t00 * hx + t01 * hy + t02 * hz
                    H[b, 1, i, j, k] += t10 * hx + t11 * hy + t12 * hz
                    H[b, 2, i, j, k] += t20 * hx + t21 * hy + t22 * hz
    return H


@_jit
def zeeman_energy(m, H0, T, mu0Ms, w):
    """``w = -mu0 Ms m . (T[b] @ H0[b])``."""
    B, _, nx, ny, nz = H0.shape
    for b in range(B):
        for i in range(nx):
            for j in range(ny):
                for k in range(nz):
                    hx = H0[b, 0, i, j, k]
                    hy = H0[b, 1, i, j, k]
                    hz = H0[b, 2, i, j, k]
                    ex = T[b, 0, 0] * hx + T[b, 0, 1] * hy + T[b, 0, 2] * hz
                    ey = T[b, 1, 0] * hx + T[b, 1, 1] * hy + T[b, 1, 2] * hz
                    ez = T[b, 2, 0] * hx + T[b, 2, 1] * hy + T[b, 2, 2] * hz
                    w[b, i, j, k] = -mu0Ms[b, i, j, k] * (
                        m[b, 0, i, j, k] * ex
                        + m[b, 1, i, j, k] * ey
                        + m[b, 2, i, j, k] * ez
                    )
    return w
