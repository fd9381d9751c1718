r"""Fused numba kernels of the LLG right-hand side and of the integrator updates.

All arrays are flattened views of the engine's component-first batched arrays:
vectors ``(B, 3, N)`` and per-cell scalars ``(B, N)`` with ``N = nx * ny * nz``
(a free reshape of C-contiguous ``(B, 3, nx, ny, nz)`` / ``(B, nx, ny, nz)``).

Right-hand side
---------------
With :math:`\mathbf{H}` the total effective field *including* the torque fields
:math:`\mathbf{H}_T` of the spin-orbit terms (A/m), :math:`\gamma_0` (m/(A s)),
the damping tensor :math:`\hat\alpha = \alpha I + \delta\alpha (I - \mathbf{n}
\mathbf{n})` and :math:`\mathbf{h} = -\gamma_0\, \mathbf{m}\times\mathbf{H}`, the
Gilbert equation

.. math::

    \dot{\mathbf{m}} = \mathbf{h} + \mathbf{m}\times(\hat\alpha\,\dot{\mathbf{m}})

is solved exactly in every cell. Writing :math:`a = \alpha + \delta\alpha`,
:math:`c = \mathbf{m}\cdot\mathbf{n}`, :math:`\mathbf{n}_\perp = \mathbf{n} -
c\,\mathbf{m}` and :math:`\mathbf{u} = \mathbf{m}\times\mathbf{n}`, and using
:math:`\mathbf{m}\cdot\dot{\mathbf{m}} = 0`, the solution is

.. math::

    s = \mathbf{n}\cdot\dot{\mathbf{m}} =
        \frac{\mathbf{n}\cdot\mathbf{h} + a\,\mathbf{n}\cdot(\mathbf{m}\times
        \mathbf{h})}{1 + a\alpha + a\,\delta\alpha\, c^2},\qquad
    \dot{\mathbf{m}} = \frac{\mathbf{h} + a\,\mathbf{m}\times\mathbf{h}
        + \delta\alpha\, s\,(a\,\mathbf{n}_\perp - \mathbf{u})}{1 + a^2},

which for :math:`\delta\alpha = 0` is the usual Landau-Lifshitz form
:math:`\dot{\mathbf{m}} = -\frac{\gamma_0}{1+\alpha^2}[\mathbf{m}\times\mathbf{H}
+ \alpha\,\mathbf{m}\times(\mathbf{m}\times\mathbf{H})]`. The denominator is
positive for :math:`\alpha, \delta\alpha \ge 0`.

Without precession (OOMMF's ``do_precess 0``, which oommfc writes when a system
has no :class:`~micromagneticmodel.Precession`), only the damping part remains,
:math:`\dot{\mathbf{m}} = -\frac{\gamma_0\alpha}{1+\alpha^2}\mathbf{m}\times
(\mathbf{m}\times\mathbf{H})` (scalar damping only).

Slonczewski spin-transfer torque is added outside the Gilbert solve in OOMMF's
Landau-Lifshitz form (``Oxs_SpinXferEvolve::Calculate_dm_dt``), with the scalar
:math:`\alpha`, :math:`\gamma_{LL} = \gamma_0/(1+\alpha^2)`, the field-like
amplitudes :math:`b_\epsilon = \beta\epsilon` and :math:`b' = \beta\epsilon'`
(A/m, see :mod:`ubermag_dirac.engine.dynamics`) and polarisation
:math:`\mathbf{p}`:

.. math::

    \dot{\mathbf{m}} \mathrel{+}= \gamma_{LL}\left[(b_\epsilon + \alpha b')\,
    \mathbf{m}\times(\mathbf{p}\times\mathbf{m}) + (\alpha b_\epsilon - b')\,
    \mathbf{m}\times\mathbf{p}\right]

(with precession; without it the coefficients are :math:`\alpha b'` and
:math:`\alpha b_\epsilon`, as in OOMMF). For scalar damping this equals putting
the torque field :math:`\beta(\epsilon\,\mathbf{m}\times\mathbf{p} +
\epsilon'\mathbf{p})` inside the Gilbert form.

Cells with ``mask == False`` (Ms = 0) get :math:`\dot{\mathbf{m}} = 0`.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = [
    "dp_error",
    "dp_solution",
    "llg_rhs",
    "normalise",
    "stage_combination",
]

_OPTS = {"cache": True, "nogil": True, "boundscheck": False, "error_model": "numpy"}


def _llg_rhs_impl(
    m,
    H,
    mask,
    gamma,
    alpha,
    do_precess,
    dalpha,
    nvec,
    stt_c1,
    stt_a,
    stt_b,
    stt_c2,
    stt_p,
    stt_fac,
    out,
    chunk_max,
):
    B = m.shape[0]
    N = m.shape[2]
    n_chunks = chunk_max.shape[1]
    has_tensor = dalpha.shape[0] > 0
    has_stt = stt_c1.shape[0] > 0
    for cc in nb.prange(B * n_chunks):
        b = cc // n_chunks
        c = cc % n_chunks
        lo = (c * N) // n_chunks
        hi = ((c + 1) * N) // n_chunks
        vmax = 0.0
        for i in range(lo, hi):
            if not mask[b, i]:
                out[b, 0, i] = 0.0
                out[b, 1, i] = 0.0
                out[b, 2, i] = 0.0
                continue
            mx = m[b, 0, i]
            my = m[b, 1, i]
            mz = m[b, 2, i]
            Hx = H[b, 0, i]
            Hy = H[b, 1, i]
            Hz = H[b, 2, i]
            g = gamma[b, i]
            a = alpha[b, i]
            # h = -gamma0 m x H
            hx = -g * (my * Hz - mz * Hy)
            hy = -g * (mz * Hx - mx * Hz)
            hz = -g * (mx * Hy - my * Hx)
            # m x h
            mhx = my * hz - mz * hy
            mhy = mz * hx - mx * hz
            mhz = mx * hy - my * hx
            if has_tensor:
                d = dalpha[b, i]
                at = a + d
                nx = nvec[b, 0, i]
                ny = nvec[b, 1, i]
                nz = nvec[b, 2, i]
                cm = mx * nx + my * ny + mz * nz
                s = (
                    nx * hx + ny * hy + nz * hz + at * (nx * mhx + ny * mhy + nz * mhz)
                ) / (1.0 + at * a + at * d * cm * cm)
                # a n_perp - m x n
                wx = at * (nx - cm * mx) - (my * nz - mz * ny)
                wy = at * (ny - cm * my) - (mz * nx - mx * nz)
                wz = at * (nz - cm * mz) - (mx * ny - my * nx)
                f = 1.0 / (1.0 + at * at)
                ds = d * s
                vx = f * (hx + at * mhx + ds * wx)
                vy = f * (hy + at * mhy + ds * wy)
                vz = f * (hz + at * mhz + ds * wz)
            elif do_precess:
                f = 1.0 / (1.0 + a * a)
                vx = f * (hx + a * mhx)
                vy = f * (hy + a * mhy)
                vz = f * (hz + a * mhz)
            else:
                f = a / (1.0 + a * a)
                vx = f * mhx
                vy = f * mhy
                vz = f * mhz
            if has_stt:
                px = stt_p[b, 0, i]
                py = stt_p[b, 1, i]
                pz = stt_p[b, 2, i]
                mp = mx * px + my * py + mz * pz
                fac = stt_fac[b]
                beps = fac * stt_c1[b, i] / (stt_a[b, i] + stt_b[b, i] * mp)
                bepsp = fac * stt_c2[b, i]
                if do_precess:
                    cdl = beps + a * bepsp
                    cfl = a * beps - bepsp
                else:
                    cdl = a * bepsp
                    cfl = a * beps
                gll = g / (1.0 + a * a)
                # m x (p x m) = p - (m.p) m ; m x p
                vx += gll * (cdl * (px - mp * mx) + cfl * (my * pz - mz * py))
                vy += gll * (cdl * (py - mp * my) + cfl * (mz * px - mx * pz))
                vz += gll * (cdl * (pz - mp * mz) + cfl * (mx * py - my * px))
            out[b, 0, i] = vx
            out[b, 1, i] = vy
            out[b, 2, i] = vz
            v2 = vx * vx + vy * vy + vz * vz
            if v2 > vmax or v2 != v2:  # NaN sticks
                vmax = v2
        chunk_max[b, c] = vmax


_llg_serial = nb.njit(**_OPTS)(_llg_rhs_impl)
_llg_parallel = nb.njit(parallel=True, **_OPTS)(_llg_rhs_impl)


def llg_rhs(
    m,
    H,
    mask,
    gamma,
    alpha,
    do_precess,
    dalpha,
    nvec,
    stt,
    out,
    chunks: int = 1,
) -> np.ndarray:
    """Write :math:`\\dot{\\mathbf m}` (1/s) into ``out``; return max |dm/dt|.

    Parameters
    ----------
    m, H, out : numpy.ndarray
        ``(B, 3, N)``: unit magnetisation, total field (A/m, torque fields
        included), result.
    mask : numpy.ndarray
        ``(B, N)`` bool, magnetic cells.
    gamma, alpha : numpy.ndarray
        ``(B, N)``: :math:`\\gamma_0` (m/(A s)) and scalar damping.
    do_precess : bool
        Whether the precession term is present.
    dalpha, nvec : numpy.ndarray
        ``(B, N)`` and ``(B, 3, N)`` anisotropic damping and its normal, or
        zero-size arrays when there is none.
    stt : tuple
        ``(c1, a, b, c2, p, fac)`` Slonczewski arrays (see
        :func:`ubermag_dirac.engine.dynamics.SlonczewskiImpl`), zero-size when
        absent; ``fac`` is the ``(B,)`` time factor.
    chunks : int
        Cell chunks per system; ``> 1`` selects the parallel (numba ``prange``)
        kernel.

    Returns
    -------
    numpy.ndarray
        ``(B,)`` maximum over cells of :math:`|\\dot{\\mathbf m}|` (rad/s); NaN if
        any cell is NaN.
    """
    B = m.shape[0]
    chunk_max = np.empty((B, chunks))
    kernel = _llg_parallel if chunks > 1 else _llg_serial
    c1, a, bb, c2, p, fac = stt
    kernel(
        m,
        H,
        mask,
        gamma,
        alpha,
        bool(do_precess),
        dalpha,
        nvec,
        c1,
        a,
        bb,
        c2,
        p,
        fac,
        out,
        chunk_max,
    )
    if chunks == 1:
        return np.sqrt(chunk_max[:, 0])
    return np.sqrt(np.max(chunk_max, axis=1))


# ---------------------------------------------------------------- integrator
@nb.njit(**_OPTS)
def stage_combination(y, h, K, coef, nk, out):
    """``out = y + h[b] * sum_{j < nk} coef[j] * K[j]`` for every system ``b``.

    ``y``, ``out``: ``(B, M)``; ``K``: ``(7, B, M)``; ``h``: ``(B,)``. One
    contiguous (vectorisable) pass per non-zero coefficient.
    """
    B, M = y.shape
    for b in range(B):
        hb = h[b]
        yb = y[b]
        ob = out[b]
        for i in range(M):
            ob[i] = yb[i]
        for j in range(nk):
            cj = hb * coef[j]
            if cj != 0.0:
                kj = K[j, b]
                for i in range(M):
                    ob[i] += cj * kj[i]


@nb.njit(**_OPTS)
def normalise(m, mask):
    """Normalise ``m`` ``(B, 3, N)`` in place to unit length in magnetic cells.

    Empty cells are set to exactly 0.
    """
    B = m.shape[0]
    N = m.shape[2]
    for b in range(B):
        for i in range(N):
            if mask[b, i]:
                x = m[b, 0, i]
                y = m[b, 1, i]
                z = m[b, 2, i]
                r = np.sqrt(x * x + y * y + z * z)
                if r > 0.0:
                    m[b, 0, i] = x / r
                    m[b, 1, i] = y / r
                    m[b, 2, i] = z / r
            else:
                m[b, 0, i] = 0.0
                m[b, 1, i] = 0.0
                m[b, 2, i] = 0.0


@nb.njit(**_OPTS)
def dp_solution(y, h, K, bcoef, mask, out):
    """Fifth-order solution ``y + h sum_j b_j K_j`` (j < 6), normalised, into ``out``.

    ``y``/``out``: ``(B, 3, N)``; ``K``: ``(7, B, 3, N)``. Empty cells get 0.
    """
    B = y.shape[0]
    N = y.shape[2]
    M = 3 * N
    yf = y.reshape(B, M)
    of = out.reshape(B, M)
    Kf = K.reshape(K.shape[0], B, M)
    stage_combination(yf, h, Kf, bcoef, K.shape[0] - 1, of)
    for b in range(B):
        for i in range(N):
            x = out[b, 0, i]
            yy = out[b, 1, i]
            z = out[b, 2, i]
            r2 = x * x + yy * yy + z * z
            if mask[b, i] and r2 > 0.0:
                r = 1.0 / np.sqrt(r2)
                out[b, 0, i] = x * r
                out[b, 1, i] = yy * r
                out[b, 2, i] = z * r
            else:
                out[b, 0, i] = 0.0
                out[b, 1, i] = 0.0
                out[b, 2, i] = 0.0


@nb.njit(**_OPTS)
def dp_error(h, K, ecoef, mask, err, scratch):
    """``err[b] = max_cells |h[b] sum_j e_j K_j|`` (Euclidean norm per cell).

    ``scratch``: ``(B, 3, N)`` work array. NaN in any stage gives NaN.
    """
    B = K.shape[1]
    N = K.shape[3]
    M = 3 * N
    sf = scratch.reshape(B, M)
    Kf = K.reshape(K.shape[0], B, M)
    for b in range(B):
        hb = h[b]
        sb = sf[b]
        for i in range(M):
            sb[i] = 0.0
        for j in range(ecoef.shape[0]):
            cj = hb * ecoef[j]
            if cj != 0.0:
                kj = Kf[j, b]
                for i in range(M):
                    sb[i] += cj * kj[i]
        emax = 0.0
        for i in range(N):
            if not mask[b, i]:
                continue
            e2 = (
                scratch[b, 0, i] * scratch[b, 0, i]
                + scratch[b, 1, i] * scratch[b, 1, i]
                + scratch[b, 2, i] * scratch[b, 2, i]
            )
            if e2 > emax or e2 != e2:
                emax = e2
        err[b] = np.sqrt(emax)
