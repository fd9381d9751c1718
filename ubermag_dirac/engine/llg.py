r"""Fused numba kernels of the LLG right-hand side and of the integrator updates.

All arrays are flattened views of the engine's component-first batched arrays:
vectors ``(B, 3, N)`` and per-cell scalars ``(B, N)`` with ``N = nx * ny * nz``
(a free reshape of C-contiguous ``(B, 3, nx, ny, nz)`` / ``(B, nx, ny, nz)``).

Right-hand side
---------------
:func:`llg_rhs` loops over the cells and calls the per-cell kernels of
:mod:`ubermag_dirac.kernels` (inlined by numba): with :math:`\mathbf H` the
total effective field *including* the torque fields :math:`\mathbf H_T` of the
spin-orbit terms (A/m), :func:`~ubermag_dirac.kernels.gilbert_dmdt` solves the
Gilbert equation

.. math::

    \dot{\mathbf{m}} = -\gamma_0\,\mathbf m\times\mathbf H
    + \mathbf{m}\times(\hat\alpha\,\dot{\mathbf{m}}),\qquad
    \hat\alpha = \alpha I + \delta\alpha (I - \mathbf{n}\mathbf{n})

exactly in every cell (without precession, OOMMF's ``do_precess 0`` which
oommfc writes when a system has no :class:`~micromagneticmodel.Precession`,
only the damping part remains, :func:`~ubermag_dirac.kernels.damping_dmdt`;
scalar damping only), and
:func:`~ubermag_dirac.kernels.slonczewski_dmdt` adds the Slonczewski
spin-transfer torque outside the Gilbert solve, in OOMMF's Landau-Lifshitz form
with the scalar :math:`\alpha` (``Oxs_SpinXferEvolve::Calculate_dm_dt``).

Cells with ``mask == False`` (Ms = 0) get :math:`\dot{\mathbf{m}} = 0`.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ..kernels import damping_dmdt, gilbert_dmdt, slonczewski_dmdt
from ._cells import clear, load, store

__all__ = [
    "dp_error",
    "dp_solution",
    "llg_rhs",
    "normalise",
    "stage_combination",
    "switch_methods",
]

_OPTS = {"cache": True, "nogil": True, "boundscheck": False, "error_model": "numpy"}


def _llg_rhs_impl(
    m, H, mask, gamma, alpha, do_precess, dalpha, nvec, stt, out, chunk_max
):
    stt_c1, stt_a, stt_b, stt_c2, stt_p, stt_fac = stt
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
                clear(out, b, i)
                continue
            mx, my, mz = load(m, b, i)
            a = alpha[b, i]
            g = gamma[b, i]
            Hx, Hy, Hz = load(H, b, i)
            if has_tensor:  # (the engine refuses a tensor without precession)
                vx, vy, vz = gilbert_dmdt(
                    mx, my, mz, Hx, Hy, Hz, g, a, dalpha[b, i],
                    nvec[b, 0, i], nvec[b, 1, i], nvec[b, 2, i],
                )  # fmt: skip
            elif do_precess:
                vx, vy, vz = gilbert_dmdt(
                    mx, my, mz, Hx, Hy, Hz, g, a, 0.0, 0.0, 0.0, 0.0
                )
            else:
                vx, vy, vz = damping_dmdt(mx, my, mz, Hx, Hy, Hz, g, a)
            if has_stt:
                fac = stt_fac[b]
                sx, sy, sz = slonczewski_dmdt(
                    mx, my, mz, stt_p[b, 0, i], stt_p[b, 1, i], stt_p[b, 2, i],
                    fac * stt_c1[b, i], stt_a[b, i], stt_b[b, i], fac * stt_c2[b, i],
                    a, g, do_precess,
                )  # fmt: skip
                vx += sx
                vy += sy
                vz += sz
            store(out, b, i, vx, vy, vz)
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
    kernel(
        m, H, mask, gamma, alpha, bool(do_precess), dalpha, nvec, stt, out, chunk_max
    )
    if chunks == 1:
        return np.sqrt(chunk_max[:, 0])
    return np.sqrt(np.max(chunk_max, axis=1))


# ---------------------------------------------------------------- integrator
@nb.njit(**_OPTS)
def stage_combination(y, h, K, coef, nk, out):
    """``out = y + h[b] * sum_{j < nk} coef[b, j] * K[j]`` for every system ``b``.

    ``y``, ``out``: ``(B, M)``; ``K``: ``(S, B, M)``; ``h``: ``(B,)``;
    ``coef``: ``(B, S)``, the row of each system's tableau (systems may use
    different methods). One contiguous (vectorisable) pass per non-zero
    coefficient; a zero coefficient never reads its stage (which may be unset).
    """
    B, M = y.shape
    for b in range(B):
        hb = h[b]
        yb = y[b]
        ob = out[b]
        for i in range(M):
            ob[i] = yb[i]
        for j in range(nk):
            cj = hb * coef[b, j]
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
                x, y, z = load(m, b, i)
                r = np.sqrt(x * x + y * y + z * z)
                if r > 0.0:
                    store(m, b, i, x / r, y / r, z / r)
            else:
                clear(m, b, i)


@nb.njit(**_OPTS)
def dp_solution(y, h, K, bcoef, mask, out):
    """Propagated solution ``y + h sum_j b_bj K_j`` (j < S - 1), normalised.

    Written into ``out``.

    ``y``/``out``: ``(B, 3, N)``; ``K``: ``(S, B, 3, N)``; ``bcoef``: ``(B, S)``
    weights per system. Empty cells get 0.
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
            x, yy, z = load(out, b, i)
            r2 = x * x + yy * yy + z * z
            if mask[b, i] and r2 > 0.0:
                r = 1.0 / np.sqrt(r2)
                store(out, b, i, x * r, yy * r, z * r)
            else:
                clear(out, b, i)


@nb.njit(**_OPTS)
def dp_error(h, K, ecoef, mask, err, scratch):
    """``err[b] = max_cells |h[b] sum_j e_bj K_j|`` (Euclidean norm per cell).

    ``ecoef``: ``(B, S)`` error weights per system; ``scratch``: ``(B, 3, N)``
    work array. NaN in any stage gives NaN.
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
        for j in range(ecoef.shape[1]):
            cj = hb * ecoef[b, j]
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


@nb.njit(**_OPTS)
def switch_methods(
    ok, mode, h, fastest, boundary_fc, boundary_rk, retry, retry_after, age,
    fc_step, e_fc, e_rk, near, fraction, gain, settle,
):  # fmt: skip
    """Per system, in place: the method (0: RK5(4), 1: RK4(3)) and the step ``h``
    of the next step, after an attempt (``ok``: accepted); the policy is
    documented in :mod:`ubermag_dirac.engine.integrators` ("Stiff films").

    ``fastest``: bound on the fastest rate (1/s); ``boundary_fc``,
    ``boundary_rk``: the methods' stability boundaries (:math:`h|\\lambda|`);
    ``e_fc``, ``e_rk``: evaluations per step; ``near``: fraction of RK5(4)'s
    boundary that counts as stability-limited; ``fraction``: RK4(3)'s step cap
    as a fraction of its boundary; ``gain``: required saving per unit time;
    ``settle``: accepted RK4(3) steps before accuracy may end it.
    """
    for b in range(ok.shape[0]):
        rho = fastest[b]
        if not rho > 0.0:
            continue  # no bound (no moving cells): RK5(4)
        cap = fraction * boundary_rk[b] / rho
        if ok[b]:
            if retry[b] > 0:
                retry[b] -= 1
            if mode[b] == 0:
                # at RK5(4)'s stability boundary, and RK4(3) at its cap is cheaper
                stiff = h[b] * rho >= near * boundary_fc[b]
                if stiff and retry[b] == 0 and e_rk * h[b] < gain * e_fc * cap:
                    mode[b] = 1
                    fc_step[b] = h[b]
                    age[b] = 0
            else:
                age[b] += 1
                # accuracy holds RK4(3) below what RK5(4) cost per unit time
                slow = age[b] >= settle // 2 and h[b] < 0.5 * cap
                dear = age[b] >= settle and e_rk * fc_step[b] > e_fc * h[b]
                if slow or dear:
                    mode[b] = 0
                    retry[b] = retry_after[b]
                    retry_after[b] *= 2
        if mode[b] == 1 and cap < h[b]:
            h[b] = cap
