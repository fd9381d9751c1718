r"""Direct energy minimisation: Barzilai-Borwein steepest descent on the unit sphere.

The descent direction of cell :math:`i` is the tangential effective field
:math:`\mathbf g_i = \mathbf H_i - (\mathbf m_i\cdot\mathbf H_i)\mathbf m_i =
-\mathbf m_i\times(\mathbf m_i\times\mathbf H_i)` (A/m; its norm is OOMMF's
``mxHxm``). A step of length :math:`\tau` (m/A) uses the norm-preserving
Cayley-type update of Exl et al. (J. Appl. Phys. 115, 17D118 (2014)), as in
mumax3's ``minimize``:

.. math::

    \mathbf m_i \leftarrow \frac{(4 - \tau^2 g_i^2)\,\mathbf m_i + 4\tau\,
    \mathbf g_i}{4 + \tau^2 g_i^2},

and :math:`\tau` alternates between the two Barzilai-Borwein lengths
:math:`\tau_1 = \mathbf s\cdot\mathbf s/\mathbf s\cdot\mathbf y` and
:math:`\tau_2 = \mathbf s\cdot\mathbf y/\mathbf y\cdot\mathbf y` with
:math:`\mathbf s = \mathbf m_k - \mathbf m_{k-1}`, :math:`\mathbf y = -(\mathbf
g_k - \mathbf g_{k-1})` summed over the cells of each system. Each system of a
batch has its own :math:`\tau` and stops when its :math:`\max_i |\mathbf g_i|`
falls below the threshold.

Step safeguard: a step with :math:`\tau \max_i |\mathbf g_i| >` ``max_step``
(default 1, a rotation of some cell by more than :math:`2\arctan(1/2) =
53^\circ`) is taken only if it decreases the energy sufficiently (Armijo's
condition :math:`E(\tau) \le E(0) - c\,\tau \sum_i \mu_0 M_{s,i} V_i |\mathbf
g_i|^2`, :math:`c = 10^{-4}`: the right-hand side is the first-order decrease,
as :math:`\mathrm dE/\mathrm d\tau = -\sum_i \mu_0 M_{s,i} V_i |\mathbf g_i|^2`
at :math:`\tau = 0`); otherwise it is shortened to the cap. Without the check a
Barzilai-Borwein length computed from a step at an inflection point of the
energy (:math:`\mathbf s\cdot\mathbf y \approx 0`, e.g. uncoupled cells
starting at :math:`45^\circ` from their easy axes) is huge, the Cayley update
sends every cell to nearly :math:`-\mathbf m` (the same anisotropy energy) and
the iteration oscillates between the two states without ever converging; with
an unconditional cap instead, the long steps that make the descent of a field
from :math:`\mathbf m \perp \mathbf H` land on the minimum are lost. The check
costs two energy evaluations per large step, which are rare (measured: 1 in
the 554 iterations of the standard problem 4 s-state, 11 in the 863 iterations
of the two standard problem 3 states at L = 8.5).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .errors import IntegrationError

__all__ = ["minimise_bb"]

_OPTS = {"cache": True, "nogil": True, "boundscheck": False, "error_model": "numpy"}

#: Armijo's constant of the sufficient-decrease test of large steps
_ARMIJO = 1e-4


@nb.njit(**_OPTS)
def tangent_field(m, H, mask, g):
    """``g = H - (m.H) m`` in magnetic cells (0 elsewhere); returns max |g| (B,)."""
    B = m.shape[0]
    N = m.shape[2]
    out = np.zeros(B)
    for b in range(B):
        gmax = 0.0
        for i in range(N):
            if not mask[b, i]:
                g[b, 0, i] = 0.0
                g[b, 1, i] = 0.0
                g[b, 2, i] = 0.0
                continue
            mx = m[b, 0, i]
            my = m[b, 1, i]
            mz = m[b, 2, i]
            Hx = H[b, 0, i]
            Hy = H[b, 1, i]
            Hz = H[b, 2, i]
            d = mx * Hx + my * Hy + mz * Hz
            gx = Hx - d * mx
            gy = Hy - d * my
            gz = Hz - d * mz
            g[b, 0, i] = gx
            g[b, 1, i] = gy
            g[b, 2, i] = gz
            g2 = gx * gx + gy * gy + gz * gz
            if g2 > gmax or g2 != g2:
                gmax = g2
        out[b] = np.sqrt(gmax)
    return out


@nb.njit(**_OPTS)
def cayley_step(m, g, tau, mask):
    """Norm-preserving descent update of ``m`` in place (``tau`` per system).

    The update preserves ``|m| = 1`` exactly in exact arithmetic (``g`` is
    tangent); the result is renormalised against round-off.
    """
    B = m.shape[0]
    N = m.shape[2]
    for b in range(B):
        tb = tau[b]
        if tb == 0.0:
            continue
        for i in range(N):
            if not mask[b, i]:
                continue
            gx = tb * g[b, 0, i]
            gy = tb * g[b, 1, i]
            gz = tb * g[b, 2, i]
            a = gx * gx + gy * gy + gz * gz
            f = 1.0 / (4.0 + a)
            c = (4.0 - a) * f
            x = c * m[b, 0, i] + 4.0 * f * gx
            y = c * m[b, 1, i] + 4.0 * f * gy
            z = c * m[b, 2, i] + 4.0 * f * gz
            # exact in exact arithmetic; renormalise so round-off cannot build up
            r = 1.0 / np.sqrt(x * x + y * y + z * z)
            m[b, 0, i] = x * r
            m[b, 1, i] = y * r
            m[b, 2, i] = z * r


@nb.njit(**_OPTS)
def bb_products(m, m_old, g, g_old):
    """Per system ``s.s``, ``s.y``, ``y.y``; ``s = m - m_old``, ``y = g_old - g``."""
    B = m.shape[0]
    M = m.shape[1] * m.shape[2]
    mf = m.reshape(B, M)
    mo = m_old.reshape(B, M)
    gf = g.reshape(B, M)
    go = g_old.reshape(B, M)
    out = np.zeros((3, B))
    for b in range(B):
        ss = 0.0
        sy = 0.0
        yy = 0.0
        for i in range(M):
            s = mf[b, i] - mo[b, i]
            y = go[b, i] - gf[b, i]
            ss += s * s
            sy += s * y
            yy += y * y
        out[0, b] = ss
        out[1, b] = sy
        out[2, b] = yy
    return out


def minimise_bb(
    field,
    m,
    mask,
    *,
    stopping_mxHxm: float = 0.1,
    max_iterations: int = 200_000,
    names=None,
    callback=None,
    initial_angle: float = 0.3,
    max_step: float = 1.0,
    energy=None,
    weights=None,
) -> np.ndarray:
    """Minimise in place; return the iterations each system needed, ``(B,)``.

    Parameters
    ----------
    field : callable
        ``field(m) -> H`` total effective field (A/m), ``(B, 3, nx, ny, nz)``.
    m : numpy.ndarray
        ``(B, 3, nx, ny, nz)`` unit magnetisation, updated in place.
    mask : numpy.ndarray
        ``(B, N)`` magnetic cells.
    stopping_mxHxm : float
        Threshold on :math:`\\max|\\mathbf g|` (A/m).
    max_iterations : int
        Failure (:class:`IntegrationError`) when exceeded.
    initial_angle : float
        Rotation (rad) of the cell with the largest torque in the first step
        (and in steps where the Barzilai-Borwein length is undefined). Measured
        with 0.01 / 0.3 rad: standard problem 4 s-state 616 / 554 iterations,
        standard problem 3 (L = 8.5) vortex 689 / 556 and flower 361 / 307, a
        uniform system started at 15 random angles to a field 25 / 6.6
        iterations on average (134 / 10 at most), same final states; 1 rad
        changed the standard problem 3 vortex state.
    max_step : float
        Largest :math:`\\tau \\max_i|\\mathbf g_i|` taken without an energy
        check (see the module docstring).
    energy : callable, optional
        ``energy(m) -> E`` total energy (J) of each system, ``(B,)``, for the
        check of large steps; without it large steps are always shortened.
    weights : numpy.ndarray, optional
        ``(B, N)`` :math:`\\mu_0 M_s V` of every cell (J m/A), the slope weights
        of the Armijo condition; needed with ``energy``.
    """
    B = m.shape[0]
    names = list(names) if names is not None else [None] * B
    mf = m.reshape(B, 3, -1)
    g = np.empty_like(mf)
    g_old = np.empty_like(mf)
    m_old = np.empty_like(mf)
    gmax = tangent_field(mf, field(m).reshape(B, 3, -1), mask, g)
    _check_finite(gmax, names, 0)
    converged = gmax < stopping_mxHxm
    iterations = np.zeros(B, dtype=np.int64)
    tau = np.where(gmax > 0, initial_angle / np.where(gmax > 0, gmax, 1.0), 0.0)
    k = 0
    while not converged.all():
        if k >= max_iterations:
            b = int(np.flatnonzero(~converged)[0])
            raise IntegrationError(
                f"energy minimisation did not converge in {max_iterations} "
                f"iterations: max |m x H x m| = {gmax[b]:.4g} A/m is still above "
                f"stopping_mxHxm = {stopping_mxHxm:g} A/m.",
                system=b,
                name=names[b],
            )
        active = ~converged
        step = np.where(active, tau, 0.0)
        big = step * gmax > max_step
        if big.any():
            step = _checked_step(m, g, step, big, gmax, mask, energy, weights, max_step)
        m_old[...] = mf
        g_old[...] = g
        cayley_step(mf, g, step, mask)
        gmax = np.where(
            active, tangent_field(mf, field(m).reshape(B, 3, -1), mask, g), gmax
        )
        _check_finite(gmax, names, k + 1)
        iterations += active
        k += 1
        ss, sy, yy = bb_products(mf, m_old, g, g_old)
        with np.errstate(divide="ignore", invalid="ignore"):
            bb = ss / sy if k % 2 else sy / yy
        fallback = initial_angle / np.where(gmax > 0, gmax, 1.0)
        good = np.isfinite(bb) & (sy > 0) & (bb > 0)
        tau = np.where(active, np.where(good, bb, fallback), tau)
        converged |= gmax < stopping_mxHxm
        if callback is not None and k % 100 == 0:
            callback(k, m, gmax.copy())
    return iterations


def _checked_step(m, g, step, big, gmax, mask, energy, weights, max_step):
    """``step`` with the large steps (``big``) that fail Armijo's test shortened."""
    cap = max_step / np.where(gmax > 0, gmax, 1.0)
    if energy is None:
        return np.where(big, cap, step)
    trial = m.copy()
    cayley_step(trial.reshape(g.shape), g, np.where(big, step, 0.0), mask)
    e_trial = energy(trial)
    e_now = energy(m)
    slope = np.einsum("bn,bn->b", weights, np.einsum("bcn,bcn->bn", g, g))
    ok = e_trial <= e_now - _ARMIJO * step * slope
    return np.where(big & ~ok, cap, step)


def _check_finite(gmax, names, k):
    bad = ~np.isfinite(gmax)
    if bad.any():
        b = int(np.flatnonzero(bad)[0])
        raise IntegrationError(
            f"energy minimisation produced non-finite fields at iteration {k}.",
            system=b,
            name=names[b],
        )
