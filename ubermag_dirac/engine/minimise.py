r"""Direct energy minimisation on the unit spheres: Barzilai-Borwein and L-BFGS.

Both minimisers descend along the tangential effective field and stop a system
when :math:`\max_i|\mathbf g_i| \le` ``stopping_mxHxm`` over the cells that
move, OOMMF's ``Oxs_MinDriver`` test (``mxHxm`` in A/m). ``Engine.minimise``
runs Barzilai-Borwein for up to 100 iterations and hands the systems that are
not converged by then to L-BFGS (see "Choice" at the end).

Barzilai-Borwein
----------------
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

The method is not monotone and has no line search: on flat landscapes it does
not converge. A domain-wall pair in a DMI strip (issue 10) oscillated between
max |g| of 1 and 80 A/m for 200 000 iterations while the walls crept.

L-BFGS
------
Limited-memory BFGS on the product of spheres (``minimise_lbfgs``), with the
metric :math:`\langle\mathbf u, \mathbf v\rangle = \sum_i \mu_0 M_{s,i} V\,
\mathbf u_i\cdot\mathbf v_i` in which the energy gradient is
:math:`-\mathbf g` (the metric of the Landau-Lifshitz damping, so cells of
different :math:`M_s` relax on the same scale):

* direction: the two-loop recursion over the last ``memory`` = 5 pairs
  :math:`(\mathbf s, \mathbf y)`, initial inverse Hessian
  :math:`\gamma I`, :math:`\gamma = \langle s, y\rangle/\langle y, y
  \rangle` (``lbfgs_direction``), projected on the tangent planes;
  steepest descent :math:`\mathbf d = \mathbf g` when there are no pairs or
  the result is not a descent direction;
* step: every cell moves on its great circle, :math:`\mathbf m_i(a) =
  (\mathbf m_i + a\mathbf d_i)/\sqrt{1 + a^2|\mathbf d_i|^2}` (OOMMF's
  ``Oxs_CGEvolve`` path; it turns by :math:`\arctan(a|\mathbf d_i|) <
  90^\circ`), with :math:`\mathrm d\mathbf m/\mathrm da` in closed form
  (``sphere_step``); the slope :math:`\phi'(a) = -\langle\mathbf g(a),
  \mathrm d\mathbf m/\mathrm da\rangle` comes from the field at the trial
  point, which is also the next gradient;
* line search (``_judge``): first trial :math:`a = 1` with at most
  0.5 rad rotation of any cell (0.3 rad for a steepest-descent step), accepted
  under the weak Wolfe conditions (:math:`\Delta E \le 10^{-4} a\phi'(0)`,
  :math:`\phi'(a) \ge 0.9\,\phi'(0)`) or, where :math:`\Delta E` is below the
  round-off of the energy, Hager and Zhang's approximate Wolfe conditions
  (SIAM J. Optim. 16, 170 (2005)): :math:`\Delta E \le` round-off and
  :math:`0.9\,\phi'(0) \le \phi'(a) \le -0.8\,\phi'(0)`, so the slope decides
  near convergence, where a step changes the energy by no more than its
  round-off (the issue's 400 nm strip at 0.1 A/m: 1e-32 J per step, the last
  digit of the total 1e-33 J, the estimate below 8e-31 J). Otherwise a bracket
  is kept (secant zero of the slope, or the minimum of the quadratic through
  the energies; extrapolation by 2 to 8 times) for up to 30 trials; then the
  pairs are dropped and a steepest-descent step is searched, and an error is
  raised if even that fails (energy and field inconsistent). The energy never
  increases by more than its round-off: a metastable state is left only by a
  step that lands beyond its barrier at a lower energy, which the bounded
  first trial makes rare (the battery's hysteresis step stays on its branch);
* pairs (``accept_steps``): the old pairs and gradient are parallel-
  transported along the great circles of the step (an isometry of each
  tangent plane), :math:`\mathbf s = \theta\hat{\boldsymbol\tau}` (the step
  angle times the transported direction), :math:`\mathbf y = T\mathbf g_0 -
  \mathbf g`; a pair without positive curvature :math:`\langle s, y\rangle`
  is not kept;
* energy: from the fields through Euler's identity for the terms that declare
  an ``energy_degree`` (exchange, DMI, demag, Zeeman, anisotropies;
  ``add_euler_energy``), so a trial costs one field evaluation; its round-off
  is estimated as 1e-13 of the sum of the magnitudes of the cell terms.

Every system of a batch has its own direction, pairs and line search; systems
stop on their own and the batch gives the same iterates as separate runs.

Choice
------
Measured on the battery of ``benchmarks/bench_minimise.py`` (problems in
``tests/engine/minimiser_battery.py``): L-BFGS needs 2 to 3 times fewer field
evaluations than Barzilai-Borwein where that converges slowly (skyrmion in a
disk, hysteresis branch near switching) and converges where it does not
(DMI domain walls: 2 800 to 7 300 iterations), but an L-BFGS iteration costs
more outside the field evaluation (two-loop recursion, transport: about 2x a
Barzilai-Borwein iteration on a 1600-cell strip without demag, 1.1x with
demag). Barzilai-Borwein is faster where it converges within about 100
iterations (uncoupled cells, vortex, walls far from everything); so
``Engine.minimise`` starts with it and switches to L-BFGS after 100
iterations, which bounds the cost of the switch to those 100 cheap iterations;
the last Barzilai-Borwein step (projected on the tangent planes) is the first
L-BFGS pair, so L-BFGS starts with a quasi-Newton step.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from ._cells import clear, load, store
from .errors import IntegrationError

__all__ = ["add_euler_energy", "minimise_bb", "minimise_lbfgs"]

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
                clear(g, b, i)
                continue
            mx, my, mz = load(m, b, i)
            Hx, Hy, Hz = load(H, b, i)
            d = mx * Hx + my * Hy + mz * Hz
            gx = Hx - d * mx
            gy = Hy - d * my
            gz = Hz - d * mz
            store(g, b, i, gx, gy, gz)
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
            store(m, b, i, x * r, y * r, z * r)


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
    on_limit: str = "raise",
    stats=None,
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
        Convergence when :math:`\\max_i|\\mathbf g_i| \\le` this (A/m).
    max_iterations : int
        Failure (:class:`IntegrationError`) when exceeded.
    names : list of str, optional
        The systems' names, for the errors.
    callback : callable, optional
        ``callback(iteration, m, max_mxHxm)`` every 100 iterations.
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
    on_limit : {"raise", "return"}
        At ``max_iterations``: raise :class:`IntegrationError`, or return (the
        systems not converged then continue with another minimiser).
    stats : dict, optional
        Receives ``converged`` (``(B,)`` bool) and, after at least one step,
        ``last_pair``: the last step ``s = m - m_old`` and ``y = g_old - g``
        (``(B, 3, N)`` each).
    """
    B = m.shape[0]
    names = list(names) if names is not None else [None] * B
    mf = m.reshape(B, 3, -1)
    g = np.empty_like(mf)
    g_old = np.empty_like(mf)
    m_old = np.empty_like(mf)
    gmax = tangent_field(mf, field(m).reshape(B, 3, -1), mask, g)
    _check_finite(gmax, names, 0)
    converged = gmax <= stopping_mxHxm
    iterations = np.zeros(B, dtype=np.int64)
    tau = np.where(gmax > 0, initial_angle / np.where(gmax > 0, gmax, 1.0), 0.0)
    k = 0
    while not converged.all():
        if k >= max_iterations:
            if on_limit == "return":
                break
            b = int(np.flatnonzero(~converged)[0])
            raise _not_converged(b, names, gmax, max_iterations, stopping_mxHxm)
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
        converged |= gmax <= stopping_mxHxm
        if callback is not None and k % 100 == 0:
            callback(k, m, gmax.copy())
    if stats is not None:
        stats["converged"] = converged
        if k > 0:  # the last step, for a quasi-Newton method that takes over
            stats["last_pair"] = (mf - m_old, g_old - g)
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


def _not_converged(b, names, gmax, max_iterations, stopping_mxHxm):
    """The error of system ``b``, still above ``stopping_mxHxm`` (A/m)."""
    return IntegrationError(
        f"energy minimisation did not converge in {max_iterations} "
        f"iterations: max |m x H x m| = {gmax[b]:.4g} A/m is still above "
        f"stopping_mxHxm = {stopping_mxHxm:g} A/m.",
        system=b,
        name=names[b],
    )


def _check_finite(gmax, names, k):
    bad = ~np.isfinite(gmax)
    if bad.any():
        b = int(np.flatnonzero(bad)[0])
        raise IntegrationError(
            f"energy minimisation produced non-finite fields at iteration {k}.",
            system=b,
            name=names[b],
        )


# ====================================================================== L-BFGS
@nb.njit(**_OPTS)
def sphere_step(m0, d, alpha, mask, m, tau):
    """Step every cell along its great circle: ``m = (m0 + a d) / r``.

    ``d`` is tangent, ``a = alpha[b]``, :math:`r = \\sqrt{1 + a^2|d|^2}` (the
    cell turns by :math:`\\arctan(a|d|) < 90^\\circ`, OOMMF's ``Oxs_CGEvolve``
    path). ``tau`` receives :math:`\\mathrm dm/\\mathrm da = (d - a|d|^2
    m_0)/r^3`, tangent at ``m``. Systems with ``a = 0`` and cells outside
    ``mask`` keep ``m0``.
    """
    B = m0.shape[0]
    N = m0.shape[2]
    for b in range(B):
        a = alpha[b]
        for i in range(N):
            x0, y0, z0 = load(m0, b, i)
            dx, dy, dz = load(d, b, i)
            if a == 0.0 or not mask[b, i]:
                store(m, b, i, x0, y0, z0)
                store(tau, b, i, dx, dy, dz)
                continue
            d2 = dx * dx + dy * dy + dz * dz
            x = x0 + a * dx
            y = y0 + a * dy
            z = z0 + a * dz
            r = 1.0 / np.sqrt(x * x + y * y + z * z)
            store(m, b, i, x * r, y * r, z * r)
            f = 1.0 / np.sqrt(1.0 + a * a * d2)
            f = f * f * f
            ad2 = a * d2
            store(
                tau, b, i, (dx - ad2 * x0) * f, (dy - ad2 * y0) * f, (dz - ad2 * z0) * f
            )


@nb.njit(**_OPTS)
def _accept_one(b, a, m0, d, m, g, g0, S, Y, head, count, w, geo):
    """`accept_steps` for system ``b`` (step ``a``); returns ``(sy, yy, ss)``."""
    M = S.shape[1]
    N = m0.shape[2]
    j = head[b]
    n = count[b]
    # per cell: unit direction u, change e of the u-component, step angle
    for i in range(N):
        dx, dy, dz = load(d, b, i)
        dn = np.sqrt(dx * dx + dy * dy + dz * dz)
        if dn == 0.0 or a == 0.0 or w[b, i] == 0.0:
            for k in range(7):
                geo[k, i] = 0.0
            continue
        t = a * dn
        c = 1.0 / np.sqrt(1.0 + t * t)
        sn = t * c
        ux = dx / dn
        uy = dy / dn
        uz = dz / dn
        geo[0, i] = ux
        geo[1, i] = uy
        geo[2, i] = uz
        geo[3, i] = (c - 1.0) * ux - sn * m0[b, 0, i]
        geo[4, i] = (c - 1.0) * uy - sn * m0[b, 1, i]
        geo[5, i] = (c - 1.0) * uz - sn * m0[b, 2, i]
        geo[6, i] = np.arctan(t)
    # transport the pairs still needed (slot j is overwritten when full)
    first = 1 if n == M else 0
    for k in range(first, n):
        q = (j - n + k + M) % M
        for V in (S, Y):
            for i in range(N):
                p = V[b, q, 0, i] * geo[0, i] + V[b, q, 1, i] * geo[1, i]
                p += V[b, q, 2, i] * geo[2, i]
                V[b, q, 0, i] += p * geo[3, i]
                V[b, q, 1, i] += p * geo[4, i]
                V[b, q, 2, i] += p * geo[5, i]
    sy = 0.0
    yy = 0.0
    ss = 0.0
    for i in range(N):
        wi = w[b, i]
        ux = geo[0, i]
        uy = geo[1, i]
        uz = geo[2, i]
        ex = geo[3, i]
        ey = geo[4, i]
        ez = geo[5, i]
        th = geo[6, i]
        tgx, tgy, tgz = load(g0, b, i)
        p = tgx * ux + tgy * uy + tgz * uz
        tgx += p * ex
        tgy += p * ey
        tgz += p * ez
        # project on the new tangent plane (round-off; g is tangent there)
        nx, ny, nz = load(m, b, i)
        p = tgx * nx + tgy * ny + tgz * nz
        yx = tgx - p * nx - g[b, 0, i]
        yy_ = tgy - p * ny - g[b, 1, i]
        yz = tgz - p * nz - g[b, 2, i]
        sx = th * (ux + ex)
        sy_ = th * (uy + ey)
        sz = th * (uz + ez)
        if wi == 0.0:
            sx = sy_ = sz = yx = yy_ = yz = 0.0
        S[b, j, 0, i] = sx
        S[b, j, 1, i] = sy_
        S[b, j, 2, i] = sz
        Y[b, j, 0, i] = yx
        Y[b, j, 1, i] = yy_
        Y[b, j, 2, i] = yz
        sy += wi * (sx * yx + sy_ * yy_ + sz * yz)
        yy += wi * (yx * yx + yy_ * yy_ + yz * yz)
        ss += wi * (sx * sx + sy_ * sy_ + sz * sz)
        store(m0, b, i, nx, ny, nz)
        store(g0, b, i, g[b, 0, i], g[b, 1, i], g[b, 2, i])
    return sy, yy, ss


@nb.njit(**_OPTS)
def accept_steps(accept, alpha, m0, d, m, g, g0, S, Y, head, count, w, geo, out):
    r"""Move the accepted systems to their trial point and form the new pair.

    For each system with ``accept[b]``: the valid pairs ``S[b]``, ``Y[b]``
    (``(M, 3, N)``, ring ending before slot ``head[b]``, ``count[b]`` of them)
    and ``g0`` are parallel-transported along the great circles of the step
    (the component along :math:`\hat d` turns by :math:`\theta = \arctan(a|d|)`,
    the rest is unchanged); slot ``head[b]`` receives :math:`s = \theta\,
    \hat\tau` (the step, :math:`\hat\tau` the transported :math:`\hat d`) and
    :math:`y = T g_0 - g` (the change of the gradient, which is :math:`-g` in
    the metric ``w``); ``m0``, ``g0`` become ``m``, ``g``. ``out[:, b]``
    receives :math:`\langle s, y\rangle`, :math:`\langle y, y\rangle`,
    :math:`\langle s, s\rangle` (weights ``w``). ``geo`` is ``(7, N)`` scratch.
    """
    for b in range(m0.shape[0]):
        if accept[b]:
            sy, yy, ss = _accept_one(
                b, alpha[b], m0, d, m, g, g0, S, Y, head, count, w, geo
            )
            out[0, b] = sy
            out[1, b] = yy
            out[2, b] = ss


@nb.njit(**_OPTS)
def max_norm(d, mask):
    """Per system max over the cells of ``mask`` of ``|d_i|``, ``(B,)``."""
    B = d.shape[0]
    N = d.shape[2]
    out = np.zeros(B)
    for b in range(B):
        mx = 0.0
        for i in range(N):
            if mask[b, i]:
                v = d[b, 0, i] ** 2 + d[b, 1, i] ** 2 + d[b, 2, i] ** 2
                if v > mx:
                    mx = v
        out[b] = np.sqrt(mx)
    return out


@nb.njit(**_OPTS)
def weighted_dot(u, v, w):
    """Per system :math:`\\sum_i w_i\\, u_i\\cdot v_i`, ``(B,)``; ``w`` ``(B, N)``."""
    B = u.shape[0]
    N = u.shape[2]
    out = np.zeros(B)
    for b in range(B):
        acc = 0.0
        for i in range(N):
            acc += w[b, i] * (
                u[b, 0, i] * v[b, 0, i]
                + u[b, 1, i] * v[b, 1, i]
                + u[b, 2, i] * v[b, 2, i]
            )
        out[b] = acc
    return out


@nb.njit(**_OPTS)
def lbfgs_direction(g, m, S, Y, rho, gamma, head, count, w, which, d, out):
    """L-BFGS direction ``d = H g`` (two-loop recursion) of the systems ``which``.

    ``g`` is minus the gradient in the metric :math:`\\langle u, v\\rangle =
    \\sum_i w_i u_i\\cdot v_i`; ``S``, ``Y`` ``(B, M, 3, N)`` hold ``count[b]``
    pairs in a ring ending before ``head[b]``, ``rho[b, j] = 1/<s_j, y_j>``;
    ``gamma`` scales the initial inverse Hessian. ``d`` is projected on the
    tangent planes of ``m``. ``out[:, b]`` receives :math:`\\langle g, d
    \\rangle`, :math:`\\langle g, g\\rangle`, :math:`\\langle d, d\\rangle` and
    :math:`\\max_i |d_i|`.
    """
    B = g.shape[0]
    M = S.shape[1]
    N = g.shape[2]
    a = np.zeros(M)
    for b in range(B):
        if not which[b]:
            continue
        for c in range(3):
            for i in range(N):
                d[b, c, i] = g[b, c, i]
        n = count[b]
        for k in range(n):
            j = (head[b] - 1 - k) % M
            acc = 0.0
            for i in range(N):
                acc += w[b, i] * (
                    S[b, j, 0, i] * d[b, 0, i]
                    + S[b, j, 1, i] * d[b, 1, i]
                    + S[b, j, 2, i] * d[b, 2, i]
                )
            a[k] = rho[b, j] * acc
            for c in range(3):
                for i in range(N):
                    d[b, c, i] -= a[k] * Y[b, j, c, i]
        gb = gamma[b]
        for k in range(n - 1, -1, -1):
            j = (head[b] - 1 - k) % M
            acc = 0.0
            for i in range(N):
                acc += w[b, i] * (
                    Y[b, j, 0, i] * d[b, 0, i]
                    + Y[b, j, 1, i] * d[b, 1, i]
                    + Y[b, j, 2, i] * d[b, 2, i]
                )
            # d holds r / gamma of the textbook recursion (r = gamma q here)
            coef = a[k] / gb - rho[b, j] * acc
            for c in range(3):
                for i in range(N):
                    d[b, c, i] += coef * S[b, j, c, i]
        gd = 0.0
        gg = 0.0
        dd = 0.0
        dmax = 0.0
        for i in range(N):
            wi = w[b, i]
            if wi == 0.0:
                clear(d, b, i)
                continue
            x = d[b, 0, i] * gb
            y = d[b, 1, i] * gb
            z = d[b, 2, i] * gb
            q = x * m[b, 0, i] + y * m[b, 1, i] + z * m[b, 2, i]
            x -= q * m[b, 0, i]
            y -= q * m[b, 1, i]
            z -= q * m[b, 2, i]
            store(d, b, i, x, y, z)
            gx, gy, gz = load(g, b, i)
            gd += wi * (gx * x + gy * y + gz * z)
            gg += wi * (gx * gx + gy * gy + gz * gz)
            d2 = x * x + y * y + z * z
            dd += wi * d2
            if d2 > dmax:
                dmax = d2
        out[0, b] = gd
        out[1, b] = gg
        out[2, b] = dd
        out[3, b] = np.sqrt(dmax)


@nb.njit(**_OPTS)
def add_euler_energy(m, Hp, Ms, factor, H, out):
    r"""``H += Hp`` and the energy of the terms of degree ``p`` that made ``Hp``.

    Euler's identity for an energy density homogeneous of degree :math:`p` in
    :math:`\mathbf m` (up to a constant) gives :math:`E = -\frac{\mu_0 V}{p}
    \sum_i M_{s,i}\,\mathbf m_i\cdot\mathbf H_i`; ``factor`` is
    :math:`\mu_0 V/p`. ``out[0]`` (J, ``(B,)``) accumulates it and ``out[1]``
    the scale of its round-off, :math:`\frac{\mu_0 V}{p}\sum_i M_{s,i}
    |\mathbf H_i|`.
    """
    B = m.shape[0]
    N = m.shape[2]
    for b in range(B):
        e = 0.0
        a = 0.0
        for i in range(N):
            hx, hy, hz = load(Hp, b, i)
            H[b, 0, i] += hx
            H[b, 1, i] += hy
            H[b, 2, i] += hz
            ms = Ms[b, i]
            e += ms * (m[b, 0, i] * hx + m[b, 1, i] * hy + m[b, 2, i] * hz)
            a += ms * np.sqrt(hx * hx + hy * hy + hz * hz)
        out[0, b] -= factor * e
        out[1, b] += factor * a


#: line-search constants: sufficient decrease (Armijo), curvature (weak Wolfe),
#: Hager-Zhang's approximate-Wolfe delta
_C1, _SIGMA, _DELTA = 1e-4, 0.9, 0.1
#: trial points of one line search before it is abandoned
_MAX_TRIALS = 30
#: the largest trial step turns some cell by arctan(_MAX_TAN) = 80 degrees
_MAX_TAN = float(np.tan(np.radians(80.0)))

# rows of the float line-search state ``ls`` (one column per system)
_ALPHA, _E0, _NOISE0, _DPHI0, _DMAX, _LO, _ELO, _DLO, _HI, _EHI, _DHI = range(11)
# rows of the integer state ``ils``
_TRIALS, _HEAD, _COUNT, _STEEPEST = range(4)

#: outcomes of a trial (`_judge`, `finish_trials`)
_IDLE, _ACCEPT, _RETRY, _FAILED, _NONFINITE = 0, 1, 2, 3, 4


class LBFGSState(NamedTuple):
    """The arrays of one `minimise_lbfgs` run, shared by its compiled steps.

    ``B`` systems, ``N`` cells, ``M`` = ``memory`` pairs; fields (A/m) are
    tangential effective fields. numba takes a named tuple of arrays as one
    argument (measured: under 1 us a call more than the arrays one by one).
    """

    m0: np.ndarray  #: ``(B, 3, N)`` accepted point
    g0: np.ndarray  #: ``(B, 3, N)`` its field
    m: np.ndarray  #: ``(B, 3, N)`` trial point (a view of the user's ``m``)
    g: np.ndarray  #: ``(B, 3, N)`` its field
    tau: np.ndarray  #: ``(B, 3, N)`` dm/da at the trial point (`sphere_step`)
    d: np.ndarray  #: ``(B, 3, N)`` search direction
    S: np.ndarray  #: ``(B, M, 3, N)`` steps of the pairs (ring, `_accept_one`)
    Y: np.ndarray  #: ``(B, M, 3, N)`` changes of the gradient of the pairs
    rho: np.ndarray  #: ``(B, M)`` ``1/<s, y>``
    gamma: np.ndarray  #: ``(B,)`` scale of the initial inverse Hessian
    w: np.ndarray  #: ``(B, N)`` metric weights over ``scale`` (0 outside ``mask``)
    scale: np.ndarray  #: ``(B,)`` largest :math:`\mu_0 M_s V` (J m/A)
    mask: np.ndarray  #: ``(B, N)`` cells that move
    ls: np.ndarray  #: ``(11, B)`` float line-search state (rows ``_ALPHA``, ...)
    ils: np.ndarray  #: ``(4, B)`` integer state (rows ``_TRIALS``, ...)
    gmax: np.ndarray  #: ``(B,)`` max |g0|
    iterations: np.ndarray  #: ``(B,)`` accepted steps
    need_dir: np.ndarray  #: ``(B,)`` a new direction is due
    converged: np.ndarray  #: ``(B,)`` ``gmax <= stopping_mxHxm``
    code: np.ndarray  #: ``(B,)`` outcome of the last trial (``_ACCEPT``, ...)
    products: np.ndarray  #: ``(4, B)`` scratch of `lbfgs_direction`
    geo: np.ndarray  #: ``(7, N)`` scratch of `_accept_one`


@nb.njit(**_OPTS)
def start_line_search(st, which, initial_angle, max_angle):
    """New direction and first trial step of the systems ``which``.

    The L-BFGS direction (`lbfgs_direction`), or the steepest-descent one
    (``d = g0``) when there are no pairs or the L-BFGS direction is not a
    descent direction (the pairs are then dropped). First trial: the
    quasi-Newton step ``alpha = 1`` with at most ``max_angle`` (rad) rotation of
    any cell, or ``initial_angle`` for a steepest-descent step (``st``: an
    `LBFGSState`).
    """
    g0, d, ls, ils, products = st.g0, st.d, st.ls, st.ils, st.products
    S, Y, rho, gamma, w = st.S, st.Y, st.rho, st.gamma, st.w
    head, count = ils[_HEAD], ils[_COUNT]
    lbfgs_direction(g0, st.m0, S, Y, rho, gamma, head, count, w, which, d, products)
    B = g0.shape[0]
    N = g0.shape[2]
    for b in range(B):
        if not which[b]:
            continue
        gd = products[0, b]
        gg = products[1, b]
        dd = products[2, b]
        dmax = products[3, b]
        if not gd > 1e-10 * np.sqrt(gg * dd):
            ils[_COUNT, b] = 0
            dmax = 0.0
            for i in range(N):
                for c in range(3):
                    d[b, c, i] = g0[b, c, i] if st.mask[b, i] else 0.0
                v = d[b, 0, i] ** 2 + d[b, 1, i] ** 2 + d[b, 2, i] ** 2
                if v > dmax:
                    dmax = v
            dmax = np.sqrt(dmax)
            gd = gg
        steepest = ils[_COUNT, b] == 0
        ils[_STEEPEST, b] = 1 if steepest else 0
        if dmax <= 0.0:
            dmax = 1.0
        ls[_DMAX, b] = dmax
        ls[_DPHI0, b] = -gd * st.scale[b]
        if steepest:
            ls[_ALPHA, b] = initial_angle / dmax
        else:
            ls[_ALPHA, b] = min(1.0, max_angle / dmax)
        ls[_LO, b] = 0.0
        ls[_ELO, b] = ls[_E0, b]
        ls[_DLO, b] = ls[_DPHI0, b]
        ls[_HI, b] = np.inf
        ils[_TRIALS, b] = 0


@nb.njit(**_OPTS)
def _judge(b, a, E, noise, dphi, ls, ils, sigma):
    """Judge system ``b``'s trial step ``a`` (energy ``E``, slope ``dphi``).

    Returns ``_ACCEPT`` when the step satisfies the weak Wolfe conditions
    (sufficient decrease, slope above ``_SIGMA`` times the initial one), or
    Hager-Zhang's approximate ones where the energy change is below its
    round-off (``noise``): then the slope alone decides (it is at most
    ``1 - 2 _DELTA`` times the initial descent rate); also a step at the
    rotation cap with sufficient decrease. ``_RETRY``, with ``ls[_ALPHA, b]``
    the next trial: inside the bracket (secant zero of the slope, or the minimum of
    the quadratic through the energies when the slope does not change sign;
    bisection if that is not convex; 10 % away from the ends) or beyond the step
    (secant extrapolation of the slope, 2 to 8 times farther, capped at the
    largest rotation). ``_FAILED`` after ``_MAX_TRIALS`` trials.
    """
    ils[_TRIALS, b] += 1
    d0 = ls[_DPHI0, b]
    slack = noise + ls[_NOISE0, b]
    dec = E - ls[_E0, b]
    sl = dphi
    armijo = dec <= _C1 * a * d0
    approx = sl <= (2.0 * _DELTA - 1.0) * d0 and dec <= slack
    curvature = sl >= sigma * d0
    cap = _MAX_TAN / ls[_DMAX, b]
    at_cap = a >= cap * (1.0 - 1e-9)
    if (curvature and (armijo or approx)) or (at_cap and armijo):
        return _ACCEPT
    lo = ls[_LO, b]
    dlo = ls[_DLO, b]
    if sl >= 0.0 or dec > slack:  # past the minimum along the line
        ls[_HI, b] = a
        ls[_EHI, b] = E
        ls[_DHI, b] = sl
    else:  # still descending steeply: a longer step
        ls[_LO, b] = a
        ls[_ELO, b] = E
        ls[_DLO, b] = sl
    if ils[_TRIALS, b] >= _MAX_TRIALS:
        return _FAILED
    lo_n = ls[_LO, b]
    hi = ls[_HI, b]
    if np.isfinite(hi):
        span = hi - lo_n
        elo = ls[_ELO, b]
        dl = ls[_DLO, b]
        dh = ls[_DHI, b]
        new = lo_n + 0.5 * span
        if dh >= 0.0 and dh > dl:
            new = lo_n + span * (-dl) / (dh - dl)
        else:
            den = 2.0 * (ls[_EHI, b] - elo - dl * span)
            if den > 0.0:
                new = lo_n - dl * span * span / den
        if not np.isfinite(new):
            new = lo_n + 0.5 * span
        new = min(max(new, lo_n + 0.1 * span), hi - 0.1 * span)
    else:
        new = 4.0 * a
        if sl > dlo:
            ext = a + (a - lo) * (-sl) / (sl - dlo)
            if np.isfinite(ext):
                new = min(max(ext, 2.0 * a), 8.0 * a)
        new = min(new, cap)
    ls[_ALPHA, b] = new
    return _RETRY


@nb.njit(**_OPTS)
def _store_one(b, sy, yy, ss, rho, gamma, ils, memory):
    """Keep the pair `_accept_one` formed for ``b`` if its curvature is positive."""
    j = ils[_HEAD, b]
    if sy > 1e-12 * np.sqrt(ss * yy):
        rho[b, j] = 1.0 / sy
        gamma[b] = sy / yy
        ils[_HEAD, b] = (j + 1) % memory
        ils[_COUNT, b] = min(ils[_COUNT, b] + 1, memory)
    elif ils[_COUNT, b] == memory:
        # the rejected pair overwrote the oldest one
        ils[_COUNT, b] -= 1


@nb.njit(**_OPTS)
def finish_trials(st, active, step, E, noise, gmax_t, stop, sigma):
    """Judge every active system's trial point and move the accepted ones there.

    Per system (``st``: an `LBFGSState`, trial step ``step``, energy ``E`` and
    its round-off ``noise`` (J), max |g| ``gmax_t`` (A/m)): non-finite energy or
    field gives ``_NONFINITE``; otherwise the slope :math:`\\phi'(a) =
    -\\langle g, \\tau\\rangle` (J per unit step) and `_judge` decide; an
    accepted step moves ``m0``, ``g0`` to the trial point (`_accept_one`), keeps
    the new pair (`_store_one`), counts the iteration and marks the system
    converged when ``gmax_t <= stop``.
    """
    m0, g, tau, w, ls, ils, code = st.m0, st.g, st.tau, st.w, st.ls, st.ils, st.code
    head, count = ils[_HEAD], ils[_COUNT]
    B = m0.shape[0]
    N = m0.shape[2]
    M = st.S.shape[1]
    for b in range(B):
        if not active[b]:
            code[b] = _IDLE
            continue
        if not (np.isfinite(E[b]) and np.isfinite(gmax_t[b])):
            code[b] = _NONFINITE
            continue
        acc = 0.0
        for i in range(N):
            acc += w[b, i] * (
                g[b, 0, i] * tau[b, 0, i]
                + g[b, 1, i] * tau[b, 1, i]
                + g[b, 2, i] * tau[b, 2, i]
            )
        code[b] = _judge(b, step[b], E[b], noise[b], -acc * st.scale[b], ls, ils, sigma)
        if code[b] != _ACCEPT:
            continue
        sy, yy, ss = _accept_one(
            b, step[b], m0, st.d, st.m, g, st.g0, st.S, st.Y, head, count, w, st.geo
        )
        _store_one(b, sy, yy, ss, st.rho, st.gamma, ils, M)
        ls[_E0, b] = E[b]
        ls[_NOISE0, b] = noise[b]
        st.gmax[b] = gmax_t[b]
        st.iterations[b] += 1
        st.need_dir[b] = True
        st.converged[b] = st.gmax[b] <= stop


def _seed_pair(pair, st):
    """First L-BFGS pair from another minimiser's last step (see ``pair``)."""
    m, w = st.m, st.w
    s_, y_ = (np.where(st.mask[:, None], v.reshape(m.shape), 0.0) for v in pair)
    s_ = s_ - np.sum(s_ * m, axis=1, keepdims=True) * m
    y_ = y_ - np.sum(y_ * m, axis=1, keepdims=True) * m
    sy = weighted_dot(s_, y_, w)
    yy = weighted_dot(y_, y_, w)
    ss = weighted_dot(s_, s_, w)
    good = sy > 1e-12 * np.sqrt(ss * yy)
    st.S[good, 0] = s_[good]
    st.Y[good, 0] = y_[good]
    st.rho[good, 0] = 1.0 / sy[good]
    st.gamma[good] = sy[good] / yy[good]
    st.ils[_HEAD][good] = 1
    st.ils[_COUNT][good] = 1


def minimise_lbfgs(
    evaluate,
    m,
    mask,
    weights,
    *,
    stopping_mxHxm: float = 0.1,
    max_iterations: int = 200_000,
    names=None,
    callback=None,
    memory: int = 5,
    initial_angle: float = 0.3,
    max_angle: float = 0.5,
    stats=None,
    iterations=None,
    pair=None,
) -> np.ndarray:
    """Minimise in place by L-BFGS on the spheres; return the iterations ``(B,)``.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(m) -> (H, E, noise)``: total effective field (A/m, ``(B, 3,
        nx, ny, nz)``), total energy (J, ``(B,)``, up to a constant) and an
        estimate of the round-off error of ``E`` (J, ``(B,)``).
    m : numpy.ndarray
        ``(B, 3, nx, ny, nz)`` unit magnetisation, updated in place.
    mask : numpy.ndarray
        ``(B, N)`` cells that move.
    weights : numpy.ndarray
        ``(B, N)`` :math:`\\mu_0 M_s V` (J m/A) of every cell: the energy
        gradient is :math:`-\\mu_0 M_s V\\,\\mathbf g`.
    stopping_mxHxm, max_iterations, names, callback
        As for `minimise_bb`.
    memory : int
        Pairs kept.
    initial_angle : float
        Largest cell rotation (rad) of the first trial of a steepest-descent
        step (at the start and after a reset).
    max_angle : float
        Largest cell rotation (rad) of the first trial of a quasi-Newton step.
    stats : dict, optional
        Receives ``evaluations`` (per system, while not converged) and
        ``resets`` (pairs dropped after a failed line search).
    iterations : numpy.ndarray, optional
        ``(B,)`` iterations already done by another minimiser: counted towards
        ``max_iterations``, the callback and the result.
    pair : tuple of numpy.ndarray, optional
        ``(s, y)``, ``(B, 3, N)``: the last step of that minimiser and the
        change of ``-g`` (``last_pair`` of `minimise_bb`); projected on the
        tangent planes of ``m``, it is the first pair where its curvature is
        positive, so the first step is quasi-Newton.
    """
    B = m.shape[0]
    names = list(names) if names is not None else [None] * B
    mf = m.reshape(B, 3, -1)
    N = mf.shape[2]
    mask = np.ascontiguousarray(mask)
    w = np.where(mask, weights, 0.0)
    scale = w.max(axis=1)
    w = np.ascontiguousarray(w / np.where(scale > 0, scale, 1.0)[:, None])

    g0 = np.zeros_like(mf)
    m0 = mf.copy()
    H, E, noise = evaluate(m)
    gmax = tangent_field(mf, H.reshape(B, 3, -1), mask, g0)
    _check_finite(gmax + E, names, 0)
    converged = gmax <= stopping_mxHxm
    need_dir = ~converged
    iterations = np.zeros(B, dtype=np.int64) + (0 if iterations is None else iterations)
    gmax = np.ascontiguousarray(gmax, dtype=np.float64)
    st = LBFGSState(
        m0=m0,
        g0=g0,
        m=mf,
        g=np.zeros_like(mf),
        tau=np.zeros_like(mf),
        d=np.zeros_like(mf),
        S=np.zeros((B, memory, 3, N)),
        Y=np.zeros((B, memory, 3, N)),
        rho=np.zeros((B, memory)),
        gamma=np.ones(B),
        w=w,
        scale=scale,
        mask=mask,
        ls=np.zeros((11, B)),
        ils=np.zeros((4, B), dtype=np.int64),
        gmax=gmax,
        iterations=iterations,
        need_dir=need_dir,
        converged=converged,
        code=np.zeros(B, dtype=np.int64),
        products=np.zeros((4, B)),
        geo=np.zeros((7, N)),
    )
    st.ls[_E0] = E
    st.ls[_NOISE0] = noise
    if pair is not None:
        _seed_pair(pair, st)
    ils, code = st.ils, st.code
    evaluations = np.zeros(B, dtype=np.int64)
    resets = np.zeros(B, dtype=np.int64)
    next_callback = 100 * (int(iterations.max()) // 100 + 1)

    while not converged.all():
        active = ~converged
        if np.any(iterations[active] >= max_iterations):
            b = int(np.flatnonzero(active & (iterations >= max_iterations))[0])
            raise _not_converged(b, names, gmax, max_iterations, stopping_mxHxm)
        new = active & need_dir
        if new.any():
            start_line_search(st, new, initial_angle, max_angle)
            need_dir &= ~new
        step = np.where(active, st.ls[_ALPHA], 0.0)
        sphere_step(m0, st.d, step, mask, mf, st.tau)
        H, E, noise = evaluate(m)
        gmax_t = tangent_field(mf, H.reshape(B, 3, -1), mask, st.g)
        evaluations += active
        finish_trials(st, active, step, E, noise, gmax_t, stopping_mxHxm, _SIGMA)
        if np.any(code == _NONFINITE):
            bad = np.where(code == _NONFINITE, np.nan, 0.0)
            _check_finite(bad, names, int(iterations.max()))
        failed = code == _FAILED
        if failed.any():
            hopeless = failed & (ils[_STEEPEST] == 1)
            if hopeless.any():
                b = int(np.flatnonzero(hopeless)[0])
                raise IntegrationError(
                    "energy minimisation: no step along the steepest-descent "
                    f"direction satisfied the line search ({_MAX_TRIALS} trials) "
                    f"at max |m x H x m| = {gmax[b]:.4g} A/m; the energy and its "
                    "field may be inconsistent.",
                    system=b,
                    name=names[b],
                )
            ils[_COUNT][failed] = 0  # forget the pairs, restart steepest
            resets += failed
            need_dir |= failed
        if callback is not None and iterations.max() >= next_callback:
            next_callback += 100
            callback(int(iterations.max()), m0.reshape(m.shape), gmax.copy())

    mf[...] = m0
    if stats is not None:
        stats["evaluations"] = evaluations
        stats["resets"] = resets
    return iterations
