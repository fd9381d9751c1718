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

from .._cells import load, neighbours

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


# ------------------------------------------------------- neighbour coupling
# The neighbour kernels index cells of a flattened ``(B, 3, nx*ny*nz)`` view;
# ``xm``/``xp`` (and y, z) are the flat offsets of the -/+ neighbours (periodic
# wrap included; a missing bond has coefficient 0). Axes of length 1 are skipped: a
# cell's only neighbour along them is itself, which contributes nothing to
# exchange (m_j - m_i = 0) or DMI (the two bonds cancel).


@_jit
def _exchange(m, cx, cy, cz, hmul, H, w, energy):
    """Field (``energy`` False: ``H += hmul s``) or density (``w = -m.s``) of
    ``s = sum_j c_ij (m_j - m_i)``."""
    B, _, nx, ny, nz = m.shape
    n = nx * ny * nz
    SX = ny * nz
    SY = nz
    mf = m.reshape(B, 3, n)
    Hf = H.reshape(B, 3, n)
    wf = w.reshape(B, n)
    cxf = cx.reshape(B, n)
    cyf = cy.reshape(B, n)
    czf = cz.reshape(B, n)
    hf = hmul.reshape(B, n)
    usex = nx > 1
    usey = ny > 1
    usez = nz > 1
    for b in range(B):
        for i in range(nx):
            xm, xp = neighbours(i, nx, SX)
            for j in range(ny):
                ym, yp = neighbours(j, ny, SY)
                p0 = i * SX + j * SY
                for k in range(nz):
                    p = p0 + k
                    h = hf[b, p]
                    if h == 0.0:
                        if energy:
                            wf[b, p] = 0.0
                        continue
                    mx, my, mz = load(mf, b, p)
                    sx = 0.0
                    sy = 0.0
                    sz = 0.0
                    if usex:
                        c0 = cxf[b, p]
                        c1 = cxf[b, p + xm]
                        q0 = p + xp
                        q1 = p + xm
                        sx += c0 * (mf[b, 0, q0] - mx) + c1 * (mf[b, 0, q1] - mx)
                        sy += c0 * (mf[b, 1, q0] - my) + c1 * (mf[b, 1, q1] - my)
                        sz += c0 * (mf[b, 2, q0] - mz) + c1 * (mf[b, 2, q1] - mz)
                    if usey:
                        c0 = cyf[b, p]
                        c1 = cyf[b, p + ym]
                        q0 = p + yp
                        q1 = p + ym
                        sx += c0 * (mf[b, 0, q0] - mx) + c1 * (mf[b, 0, q1] - mx)
                        sy += c0 * (mf[b, 1, q0] - my) + c1 * (mf[b, 1, q1] - my)
                        sz += c0 * (mf[b, 2, q0] - mz) + c1 * (mf[b, 2, q1] - mz)
                    if usez:
                        zm, zp = neighbours(k, nz, 1)
                        c0 = czf[b, p]
                        c1 = czf[b, p + zm]
                        q0 = p + zp
                        q1 = p + zm
                        sx += c0 * (mf[b, 0, q0] - mx) + c1 * (mf[b, 0, q1] - mx)
                        sy += c0 * (mf[b, 1, q0] - my) + c1 * (mf[b, 1, q1] - my)
                        sz += c0 * (mf[b, 2, q0] - mz) + c1 * (mf[b, 2, q1] - mz)
                    if energy:
                        wf[b, p] = -(mx * sx + my * sy + mz * sz)
                    else:
                        Hf[b, 0, p] += h * sx
                        Hf[b, 1, p] += h * sy
                        Hf[b, 2, p] += h * sz


@_jit
def exchange_add_field(m, cx, cy, cz, hmul, H):
    """``H += hmul * sum_j c_ij (m_j - m_i)``; ``hmul = 2/(mu0 Ms)`` (0 if empty)."""
    _exchange(m, cx, cy, cz, hmul, H, cx, False)
    return H


@_jit
def exchange_energy(m, cx, cy, cz, hmul, w):
    """``w = -m_i . sum_j c_ij (m_j - m_i) = sum_j c_ij (1 - m_i . m_j)``."""
    _exchange(m, cx, cy, cz, hmul, m, w, True)
    return w


# ---------------------------------------------------------------------- DMI
@_jit
def _dmi(m, cx, cy, cz, V, hmul, H, w, energy):
    """Field (``H += hmul s``) or density (``w = m.s``) of
    ``s = sum_j c_ij d(u_ij) x m_j``, ``d(+-e_a) = +-V[a]``."""
    B, _, nx, ny, nz = m.shape
    n = nx * ny * nz
    SX = ny * nz
    SY = nz
    mf = m.reshape(B, 3, n)
    Hf = H.reshape(B, 3, n)
    wf = w.reshape(B, n)
    cxf = cx.reshape(B, n)
    cyf = cy.reshape(B, n)
    czf = cz.reshape(B, n)
    hf = hmul.reshape(B, n)
    usex = nx > 1 and (V[0, 0] != 0.0 or V[0, 1] != 0.0 or V[0, 2] != 0.0)
    usey = ny > 1 and (V[1, 0] != 0.0 or V[1, 1] != 0.0 or V[1, 2] != 0.0)
    usez = nz > 1 and (V[2, 0] != 0.0 or V[2, 1] != 0.0 or V[2, 2] != 0.0)
    for b in range(B):
        for i in range(nx):
            xm, xp = neighbours(i, nx, SX)
            for j in range(ny):
                ym, yp = neighbours(j, ny, SY)
                p0 = i * SX + j * SY
                for k in range(nz):
                    p = p0 + k
                    h = hf[b, p]
                    if h == 0.0:
                        if energy:
                            wf[b, p] = 0.0
                        continue
                    sx = 0.0
                    sy = 0.0
                    sz = 0.0
                    for a in range(3):
                        if a == 0:
                            if not usex:
                                continue
                            cp = cxf[b, p]
                            cm = cxf[b, p + xm]
                            q0 = p + xp
                            q1 = p + xm
                        elif a == 1:
                            if not usey:
                                continue
                            cp = cyf[b, p]
                            cm = cyf[b, p + ym]
                            q0 = p + yp
                            q1 = p + ym
                        else:
                            if not usez:
                                continue
                            zm, zp = neighbours(k, nz, 1)
                            cp = czf[b, p]
                            cm = czf[b, p + zm]
                            q0 = p + zp
                            q1 = p + zm
                        wx = cp * mf[b, 0, q0] - cm * mf[b, 0, q1]
                        wy = cp * mf[b, 1, q0] - cm * mf[b, 1, q1]
                        wz = cp * mf[b, 2, q0] - cm * mf[b, 2, q1]
                        sx += V[a, 1] * wz - V[a, 2] * wy
                        sy += V[a, 2] * wx - V[a, 0] * wz
                        sz += V[a, 0] * wy - V[a, 1] * wx
                    if energy:
                        wf[b, p] = (
                            mf[b, 0, p] * sx + mf[b, 1, p] * sy + mf[b, 2, p] * sz
                        )
                    else:
                        Hf[b, 0, p] += h * sx
                        Hf[b, 1, p] += h * sy
                        Hf[b, 2, p] += h * sz


@_jit
def dmi_add_field(m, cx, cy, cz, V, hmul, H):
    """``H += hmul * sum_j c_ij d(u_ij) x m_j``; ``hmul = -2/(mu0 Ms)``."""
    _dmi(m, cx, cy, cz, V, hmul, H, cx, False)
    return H


@_jit
def dmi_energy(m, cx, cy, cz, V, hmul, w):
    """``w = m_i . sum_j c_ij d(u_ij) x m_j`` (0 where ``hmul`` is 0: empty)."""
    _dmi(m, cx, cy, cz, V, hmul, m, w, True)
    return w


# --------------------------------------------------------------- anisotropy
# Local terms: one flat loop over the cells of each system (vectorisable).


@_jit
def uniaxial_add_field(m, u, h1, h2, H):
    """``H += (h1 d + h2 d^3) u``, ``d = m.u``, ``h1, h2 = 2K1, 4K2 / (mu0 Ms)``."""
    B = m.shape[0]
    n = h1.size // B
    mf = m.reshape(B, 3, n)
    uf = u.reshape(B, 3, n)
    Hf = H.reshape(B, 3, n)
    a1 = h1.reshape(B, n)
    a2 = h2.reshape(B, n)
    for b in range(B):
        for p in range(n):
            ux, uy, uz = load(uf, b, p)
            d = mf[b, 0, p] * ux + mf[b, 1, p] * uy + mf[b, 2, p] * uz
            s = d * (a1[b, p] + a2[b, p] * d * d)
            Hf[b, 0, p] += s * ux
            Hf[b, 1, p] += s * uy
            Hf[b, 2, p] += s * uz
    return H


@_jit
def uniaxial_energy(m, u, K1, K2, mask, w):
    """OOMMF's uniaxial energy density (see ``anisotropy.UniaxialAnisotropyImpl``)."""
    B = m.shape[0]
    n = K1.size // B
    mf = m.reshape(B, 3, n)
    uf = u.reshape(B, 3, n)
    k1f = K1.reshape(B, n)
    k2f = K2.reshape(B, n)
    maskf = mask.reshape(B, n)
    wf = w.reshape(B, n)
    for b in range(B):
        for p in range(n):
            k1 = k1f[b, p]
            k2 = k2f[b, p]
            if not maskf[b, p]:
                wf[b, p] = 0.0
                continue
            mx, my, mz = load(mf, b, p)
            ux, uy, uz = load(uf, b, p)
            if k1 <= 0.0:
                d2 = mx * ux + my * uy + mz * uz
                d2 *= d2
                wf[b, p] = -k1 * d2 - k2 * d2 * d2
            else:
                # easy axis: (K1 + 2 K2) s - K2 s^2 with s = |u x m|^2
                # = 1 - (m.u)^2, computed without cancellation
                tx = my * uz - mz * uy
                ty = mz * ux - mx * uz
                tz = mx * uy - my * ux
                s2 = tx * tx + ty * ty + tz * tz
                wf[b, p] = (k1 + 2.0 * k2) * s2 - k2 * s2 * s2
    return w


@_jit
def cubic_add_field(m, u1, u2, hmul, H):
    """OOMMF's cubic field; ``hmul = -2K/(mu0 Ms)`` (see ``CubicAnisotropyImpl``)."""
    B = m.shape[0]
    n = hmul.size // B
    mf = m.reshape(B, 3, n)
    pf = u1.reshape(B, 3, n)
    qf = u2.reshape(B, 3, n)
    Hf = H.reshape(B, 3, n)
    hf = hmul.reshape(B, n)
    for b in range(B):
        for p in range(n):
            h = hf[b, p]
            mx, my, mz = load(mf, b, p)
            p0, p1, p2 = load(pf, b, p)
            q0, q1, q2 = load(qf, b, p)
            a1 = mx * p0 + my * p1 + mz * p2
            a2 = mx * q0 + my * q1 + mz * q2
            a1s = a1 * a1
            a2s = a2 * a2
            f1 = h * a1 * (1.0 - 2.0 * a1s - a2s)
            f2 = h * a2 * (1.0 - a1s - 2.0 * a2s)
            fm = h * (a1s + a2s)
            Hf[b, 0, p] += f1 * p0 + f2 * q0 + fm * mx
            Hf[b, 1, p] += f1 * p1 + f2 * q1 + fm * my
            Hf[b, 2, p] += f1 * p2 + f2 * q2 + fm * mz
    return H


@_jit
def cubic_energy(m, u1, u2, K, mask, w):
    """``w = K (a1^2 a2^2 + (a1^2 + a2^2)(1 - a1^2 - a2^2))``, ``a_i = m.u_i``."""
    B = m.shape[0]
    n = K.size // B
    mf = m.reshape(B, 3, n)
    pf = u1.reshape(B, 3, n)
    qf = u2.reshape(B, 3, n)
    kf = K.reshape(B, n)
    maskf = mask.reshape(B, n)
    wf = w.reshape(B, n)
    for b in range(B):
        for p in range(n):
            mx, my, mz = load(mf, b, p)
            a1 = mx * pf[b, 0, p] + my * pf[b, 1, p] + mz * pf[b, 2, p]
            a2 = mx * qf[b, 0, p] + my * qf[b, 1, p] + mz * qf[b, 2, p]
            a1s = a1 * a1
            a2s = a2 * a2
            e = kf[b, p] * (a1s * a2s + (a1s + a2s) * (1.0 - a1s - a2s))
            wf[b, p] = e if maskf[b, p] else 0.0
    return w


# ------------------------------------------------------------------- Zeeman
@_jit
def zeeman_add_field(H0, T, H):
    """``H[b] += T[b] @ H0[b]`` cell by cell (``T`` is ``(B, 3, 3)``)."""
    B = H0.shape[0]
    n = H0.size // (3 * B)
    Gf = H0.reshape(B, 3, n)
    Hf = H.reshape(B, 3, n)
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
        for p in range(n):
            hx, hy, hz = load(Gf, b, p)
            Hf[b, 0, p] += t00 * hx + t01 * hy + t02 * hz
            Hf[b, 1, p] += t10 * hx + t11 * hy + t12 * hz
            Hf[b, 2, p] += t20 * hx + t21 * hy + t22 * hz
    return H


@_jit
def zeeman_energy(m, H0, T, mu0Ms, w):
    """``w = -mu0 Ms m . (T[b] @ H0[b])``."""
    B = H0.shape[0]
    n = mu0Ms.size // B
    mf = m.reshape(B, 3, n)
    Gf = H0.reshape(B, 3, n)
    cf = mu0Ms.reshape(B, n)
    wf = w.reshape(B, n)
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
        for p in range(n):
            hx, hy, hz = load(Gf, b, p)
            ex = t00 * hx + t01 * hy + t02 * hz
            ey = t10 * hx + t11 * hy + t12 * hz
            ez = t20 * hx + t21 * hy + t22 * hz
            wf[b, p] = -cf[b, p] * (
                mf[b, 0, p] * ex + mf[b, 1, p] * ey + mf[b, 2, p] * ez
            )
    return w
