"""Numba kernels of the vectorised macrospin solver (private).

Everything here works in reduced units: fields in units of the anisotropy field
:math:`H_K` (or any reference field), time in units of :math:`1/(\\gamma_0 H_K)`.

Layout of the per-point parameter table ``P`` (shape ``(N, NBASE + NQ T)``,
float64) for the ``T`` torques of the integrators (:data:`TORQUES`):

==========  =========  ==================================================
col         name       meaning
==========  =========  ==================================================
0-2         h          applied field (reduced), multiplied by the field pulse
3           hk         uniaxial anisotropy field along ``n`` (reduced)
4           alpha      isotropic Gilbert damping
5           dalpha     anisotropic damping, acts on components perpendicular to n
6 + 4k ...  q          the parameters of torque ``k`` (``Torque.parameters``
                       order, fields reduced; the kernel scales them with the
                       current pulse), padded with 0 to ``NQ = 4``
==========  =========  ==================================================

The module-level integrators hold the built-in torques
(``ubermag_dirac.torques.BUILTIN``: Dirac, spin Hall) and are cached on disk;
:func:`specialised` compiles copies for any other tuple of registered torques.

Global geometry ``g`` (shape ``(9,)``): ``n`` (0-2), ``j`` (3-5), ``p = n x j`` (6-8).

Pulses are piecewise-linear tables ``(tk, vk)``: the value is ``vk[0]`` before
``tk[0]``, ``vk[-1]`` after ``tk[-1]`` and linear in between; repeated times make
steps (right-continuous). The integrator never steps across a breakpoint.
"""

import functools
import types

import numba
import numpy as np

from ..kernels import gilbert_dmdt, thermal_drift, thermal_field
from ..kernels.dormand_prince import RK547FM
from ..torques import BUILTIN, NQ

# Dormand-Prince RK5(4)7FM (DOPRI5): A with the weights b as row 6 (FSAL), nodes
# C, error weights E; compile-time constants of the integrators below.
A = np.vstack((*RK547FM.A, RK547FM.b))
C = RK547FM.c
E = RK547FM.e

#: Columns of P before the torque parameters.
NBASE = 6


@numba.njit(inline="always")
def _no_torque(x, y, z, mn, cur, P, i, g):
    return 0.0, 0.0, 0.0


def _slot(kernel, col, rest):
    """Field of ``kernel`` (parameters in columns ``col .. col + 3``) + ``rest``."""

    @numba.njit(inline="always")
    def fields(x, y, z, mn, cur, P, i, g):
        hx, hy, hz = kernel(
            x, y, z, mn, g[3], g[4], g[5], g[6], g[7], g[8], cur,
            P[i, col], P[i, col + 1], P[i, col + 2], P[i, col + 3],
        )  # fmt: skip
        ax, ay, az = rest(x, y, z, mn, cur, P, i, g)
        return hx + ax, hy + ay, hz + az

    return fields


def torque_sum(torques):
    """Compiled ``fields(x, y, z, mn, cur, P, i, g)``: the summed torque fields of
    ``torques`` (torque ``k``'s parameters in columns ``NBASE + NQ k ...``)."""
    f = _no_torque
    for k in range(len(torques) - 1, -1, -1):
        f = _slot(torques[k].kernel, NBASE + NQ * k, f)
    return f


#: The torques of the module-level integrators, and their summed fields.
TORQUES = BUILTIN
torque_fields = torque_sum(TORQUES)
NPAR = NBASE + NQ * len(TORQUES)

# Integration status codes (per point)
STATUS_DONE = 0  # reached the final time
STATUS_CONVERGED = 1  # stopped early at a linearly stable fixed point
STATUS_MAXSTEPS = 2  # exceeded max_steps
STATUS_FAILED = 3  # non-finite values or step-size underflow


@numba.njit(cache=True, inline="always")
def field_dmdt(x, y, z, cur, fld, P, i, g, ex, ey, ez):
    """dm/dt of point ``i`` at (x, y, z) as given (not normalised) with the
    extra field ``(ex, ey, ez)`` (reduced; the thermal field) in the Gilbert form.

    The torque fields (:data:`torque_fields`, the registered torques' kernels)
    go inside the Gilbert form with the damping tensor alpha I + dalpha (I - n n),
    solved exactly by :func:`~ubermag_dirac.kernels.gilbert_dmdt` (reduced
    units: gamma0 = 1).
    """
    n0 = g[0]
    n1 = g[1]
    n2 = g[2]
    mn = x * n0 + y * n1 + z * n2
    hk = P[i, 3] * mn
    Hx = fld * P[i, 0] + hk * n0 + ex
    Hy = fld * P[i, 1] + hk * n1 + ey
    Hz = fld * P[i, 2] + hk * n2 + ez
    tx, ty, tz = torque_fields(x, y, z, mn, cur, P, i, g)
    Hx += tx
    Hy += ty
    Hz += tz
    return gilbert_dmdt(x, y, z, Hx, Hy, Hz, 1.0, P[i, 4], P[i, 5], n0, n1, n2)


@numba.njit(cache=True)
def rhs(x, y, z, cur, fld, P, i, g):
    """dm/dt of point ``i`` at direction (x, y, z) (normalised inside), no extra
    field: :func:`field_dmdt`."""
    inv = 1.0 / np.sqrt(x * x + y * y + z * z)
    return field_dmdt(x * inv, y * inv, z * inv, cur, fld, P, i, g, 0.0, 0.0, 0.0)


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


@numba.njit(cache=True, inline="always")
def _stage_values(tk, vk, k, t, hu):
    """Table pulse values at the stage times ``t + c_s hu``, s = 2..6."""
    return (
        _pulse_value(tk, vk, k, t + C[1] * hu),
        _pulse_value(tk, vk, k, t + C[2] * hu),
        _pulse_value(tk, vk, k, t + C[3] * hu),
        _pulse_value(tk, vk, k, t + C[4] * hu),
        _pulse_value(tk, vk, k, t + hu),
    )


@numba.njit(cache=True)
def _next_break(tk, k):
    if k + 1 < tk.shape[0]:
        return tk[k + 1]
    return np.inf


@numba.njit(cache=True, inline="always")
def dp45_trial(x, y, z, k1x, k1y, k1z, hu, cs, fs, P, i, g):
    """One Dormand-Prince 5(4) trial step of size ``hu`` of point ``i``.

    The stages of :func:`integrate_point` (unrolled, in registers), with the
    DOPRI5 tableau of :mod:`ubermag_dirac.kernels.dormand_prince` (the shared
    step loops over the points stage by stage instead). ``k1`` is
    the first stage (FSAL); ``cs``/``fs`` hold the current/field pulse values
    at the stage times ``t + c_s hu`` of stages 2..6 (stage 7 is at ``t + hu``
    like stage 6). Returns the fifth-order solution (not normalised), its stage
    ``k7`` (the next step's ``k1``) and the embedded error vector.
    """
    c = cs[0]
    f = fs[0]
    k2x, k2y, k2z = rhs(
        x + hu * A[1, 0] * k1x,
        y + hu * A[1, 0] * k1y,
        z + hu * A[1, 0] * k1z,
        c,
        f,
        P,
        i,
        g,
    )
    c = cs[1]
    f = fs[1]
    k3x, k3y, k3z = rhs(
        x + hu * (A[2, 0] * k1x + A[2, 1] * k2x),
        y + hu * (A[2, 0] * k1y + A[2, 1] * k2y),
        z + hu * (A[2, 0] * k1z + A[2, 1] * k2z),
        c,
        f,
        P,
        i,
        g,
    )
    c = cs[2]
    f = fs[2]
    k4x, k4y, k4z = rhs(
        x + hu * (A[3, 0] * k1x + A[3, 1] * k2x + A[3, 2] * k3x),
        y + hu * (A[3, 0] * k1y + A[3, 1] * k2y + A[3, 2] * k3y),
        z + hu * (A[3, 0] * k1z + A[3, 1] * k2z + A[3, 2] * k3z),
        c,
        f,
        P,
        i,
        g,
    )
    c = cs[3]
    f = fs[3]
    a0, a1, a2, a3 = A[4, 0], A[4, 1], A[4, 2], A[4, 3]
    k5x, k5y, k5z = rhs(
        x + hu * (a0 * k1x + a1 * k2x + a2 * k3x + a3 * k4x),
        y + hu * (a0 * k1y + a1 * k2y + a2 * k3y + a3 * k4y),
        z + hu * (a0 * k1z + a1 * k2z + a2 * k3z + a3 * k4z),
        c,
        f,
        P,
        i,
        g,
    )
    c = cs[4]
    f = fs[4]
    a0, a1, a2, a3, a4 = A[5, 0], A[5, 1], A[5, 2], A[5, 3], A[5, 4]
    k6x, k6y, k6z = rhs(
        x + hu * (a0 * k1x + a1 * k2x + a2 * k3x + a3 * k4x + a4 * k5x),
        y + hu * (a0 * k1y + a1 * k2y + a2 * k3y + a3 * k4y + a4 * k5y),
        z + hu * (a0 * k1z + a1 * k2z + a2 * k3z + a3 * k4z + a4 * k5z),
        c,
        f,
        P,
        i,
        g,
    )
    b0, b2, b3, b4, b5 = A[6, 0], A[6, 2], A[6, 3], A[6, 4], A[6, 5]
    nx = x + hu * (b0 * k1x + b2 * k3x + b3 * k4x + b4 * k5x + b5 * k6x)
    ny = y + hu * (b0 * k1y + b2 * k3y + b3 * k4y + b4 * k5y + b5 * k6y)
    nz = z + hu * (b0 * k1z + b2 * k3z + b3 * k4z + b4 * k5z + b5 * k6z)
    k7x, k7y, k7z = rhs(nx, ny, nz, c, f, P, i, g)
    e0, e2, e3, e4, e5, e6 = E[0], E[2], E[3], E[4], E[5], E[6]
    ex = hu * (e0 * k1x + e2 * k3x + e3 * k4x + e4 * k5x + e5 * k6x + e6 * k7x)
    ey = hu * (e0 * k1y + e2 * k3y + e3 * k4y + e4 * k5y + e5 * k6y + e6 * k7y)
    ez = hu * (e0 * k1z + e2 * k3z + e3 * k4z + e4 * k5z + e5 * k6z + e6 * k7z)
    return nx, ny, nz, k7x, k7y, k7z, ex, ey, ez


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
        cs = _stage_values(tkc, vkc, kc, t, hu)
        fs = _stage_values(tkf, vkf, kf, t, hu)
        nx, ny, nz, k7x, k7y, k7z, ex, ey, ez = dp45_trial(
            x, y, z, k1x, k1y, k1z, hu, cs, fs, P, i, g
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
def integrate_serial(order, *args):
    """Integrate the points ``order`` one after the other (single thread);
    ``args`` are those of :func:`integrate_point` after ``i``."""
    for q in range(order.shape[0]):
        integrate_point(order[q], *args)


@numba.njit(cache=True, parallel=True)
def integrate_parallel(order, *args):
    """Same as :func:`integrate_serial` with the points spread over threads."""
    for q in numba.prange(order.shape[0]):
        integrate_point(order[q], *args)


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


# ----------------------------------------------------------- shared step size
# One step size for all points (``step_control="shared"``, kept for comparison,
# and the integrator of pulses given as Python callables). The controller is
# split into compiled pieces so that a driver loop, compiled
# (:func:`integrate_shared`, table pulses) or in Python (callable pulses,
# ``ubermag_dirac.macrospin.solver``), only supplies the pulse values at the
# stage times:
#
#     shared_start; shared_k1(pulse values at t0)
#     while shared_plan(...):           # hu, t_stop, clipping
#         cs, fs = pulse values at t + c_s hu, s = 2..6
#         shared_step(..., cs, fs, ...)  # trial, accept/reject, step size
#     shared_finish(...)
#
# State: ``fst = [t, h, hu, t_stop]``, ``ist`` indexed by the _I_* constants.
_I_IE, _I_NA, _I_NACC, _I_NREJ, _I_KC, _I_KF, _I_CLIP, _I_BREAK, _I_STOP = range(9)


@numba.njit(cache=True)
def shared_start(m0, t0, t_eval, h0, tkc, tkf, y, active, out, fst, ist):
    """Normalise ``m0`` into ``y``, write the outputs at ``t_eval <= t0``."""
    N = m0.shape[0]
    n_eval = t_eval.shape[0]
    for i in range(N):
        s = 1.0 / np.sqrt(m0[i, 0] ** 2 + m0[i, 1] ** 2 + m0[i, 2] ** 2)
        for c in range(3):
            y[i, c] = m0[i, c] * s
        active[i] = i
    ie = 0
    while ie < n_eval and t_eval[ie] <= t0:
        out[:, ie, :] = y
        ie += 1
    fst[0] = t0
    fst[1] = h0
    ist[:] = 0
    ist[_I_IE] = ie
    ist[_I_NA] = N
    ist[_I_KC] = _segment(tkc, t0)
    ist[_I_KF] = _segment(tkf, t0)


@numba.njit(cache=True)
def shared_k1(y, K, active, na, cur, fld, P, g):
    """First stage ``K[0]`` of the active points at pulse values ``cur``, ``fld``."""
    for q in range(na):
        i = active[q]
        K[0, i, 0], K[0, i, 1], K[0, i, 2] = rhs(
            y[i, 0], y[i, 1], y[i, 2], cur, fld, P, i, g
        )


@numba.njit(cache=True)
def shared_plan(fst, ist, t_eval, tkc, tkf):
    """Next step size ``fst[2]`` (clipped to the next output time or pulse
    breakpoint); False when the integration is over."""
    ie = ist[_I_IE]
    if ist[_I_STOP] != 0 or ie >= t_eval.shape[0] or ist[_I_NA] == 0:
        return False
    t = fst[0]
    t_stop = t_eval[ie]
    hit_break = False
    nb = _next_break(tkc, ist[_I_KC])
    if nb <= t_stop:
        t_stop = nb
        hit_break = True
    nb = _next_break(tkf, ist[_I_KF])
    if nb <= t_stop:
        t_stop = nb
        hit_break = True
    hu = fst[1]
    clipped = False
    if t + hu >= t_stop:
        hu = t_stop - t
        clipped = True
    fst[2] = hu
    fst[3] = t_stop
    ist[_I_CLIP] = clipped
    ist[_I_BREAK] = hit_break
    return True


@numba.njit(cache=True)
def shared_trial(y, K, yn, active, na, hu, cs, fs, P, g, rtol, atol):
    """Stages 2..7 of a trial step of size ``hu`` for the active points (into
    ``K`` and the fifth-order solution ``yn``); the largest error norm (inf if
    not finite)."""
    # stages 2..7, stage by stage over the points (measured 15-25 % faster
    # here than the point-by-point dp45_trial)
    for st in range(1, 7):
        c = cs[min(st, 5) - 1]
        f = fs[min(st, 5) - 1]
        for q in range(na):
            i = active[q]
            a0 = y[i, 0]
            a1 = y[i, 1]
            a2 = y[i, 2]
            for r in range(st):
                w = hu * A[st, r]
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
                e += E[r] * K[r, i, cc]
            e *= hu
            sc = atol + rtol * max(abs(y[i, cc]), abs(yn[i, cc]))
            e2 += (e / sc) ** 2
        e2 = np.sqrt(e2 / 3.0)
        if not np.isfinite(e2):
            err = np.inf
            break
        if e2 > err:
            err = e2
    return err


@numba.njit(cache=True)
def shared_accept(
    y, K, yn, active, fst, ist, P, g, conv_tol, t_eval, out, istats, fstats,
    tkc, vkc, tkf, vkf,
):  # fmt: skip
    """Accept the trial step: time, outputs, pulse segments, FSAL (or the first
    stage after a breakpoint) and the early stop of points at a stable fixed
    point (they leave ``active``)."""
    n_eval = t_eval.shape[0]
    clipped = ist[_I_CLIP] != 0
    hit_break = ist[_I_BREAK] != 0
    na = ist[_I_NA]
    ist[_I_NACC] += 1
    t = fst[3] if clipped else fst[0] + fst[2]
    fst[0] = t
    ie_old = ist[_I_IE]
    ie = ie_old
    while ie < n_eval and t_eval[ie] <= t:
        ie += 1
    ist[_I_IE] = ie
    if clipped and hit_break:
        ist[_I_KC] = _segment(tkc, t)
        ist[_I_KF] = _segment(tkf, t)
    kc = ist[_I_KC]
    kf = ist[_I_KF]
    cur = _pulse_value(tkc, vkc, kc, t)
    fld = _pulse_value(tkf, vkf, kf, t)
    const = kc == tkc.shape[0] - 1 and kf == tkf.shape[0] - 1
    q = 0
    while q < na:
        i = active[q]
        s = 1.0 / np.sqrt(yn[i, 0] ** 2 + yn[i, 1] ** 2 + yn[i, 2] ** 2)
        for c in range(3):
            y[i, c] = yn[i, c] * s
        for e in range(ie_old, ie):
            out[i, e, 0] = y[i, 0]
            out[i, e, 1] = y[i, 1]
            out[i, e, 2] = y[i, 2]
        if clipped and hit_break:
            K[0, i, 0], K[0, i, 1], K[0, i, 2] = rhs(
                y[i, 0], y[i, 1], y[i, 2], cur, fld, P, i, g
            )
        else:
            # rhs normalises m internally, so FSAL is exact after renormalising
            for c in range(3):
                K[0, i, c] = K[6, i, c]
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
    ist[_I_NA] = na


@numba.njit(cache=True)
def shared_step(
    y, K, yn, active, fst, ist, cs, fs, P, g, opts, t_eval, out, istats, fstats,
    tkc, vkc, tkf, vkf,
):  # fmt: skip
    """One trial step of the planned size for all active points: accept
    (:func:`shared_accept`) or reject, and the next step size. ``K``:
    ``(7, N, 3)`` stages (``K[0]`` is the first, FSAL); ``cs``/``fs``: pulse
    values at stages 2..6."""
    h = fst[1]
    hu = fst[2]
    t = fst[0]
    err = shared_trial(y, K, yn, active, ist[_I_NA], hu, cs, fs, P, g, opts[0], opts[1])
    if not np.isfinite(err):
        ist[_I_STOP] = STATUS_FAILED
        return
    if err <= 1.0:
        shared_accept(
            y, K, yn, active, fst, ist, P, g, opts[5], t_eval, out, istats, fstats,
            tkc, vkc, tkf, vkf,
        )  # fmt: skip
        fac = 5.0 if err == 0.0 else min(5.0, max(0.2, 0.9 * err**-0.2))
        hn = hu * fac
        if ist[_I_CLIP] != 0 and hn < h:
            hn = h
        fst[1] = min(hn, opts[3])
    else:
        ist[_I_NREJ] += 1
        h = hu * max(0.2, 0.9 * err**-0.2)
        fst[1] = h
        if h < 1e-13 * (1.0 + abs(t)):
            ist[_I_STOP] = STATUS_FAILED
            return
    if ist[_I_NACC] + ist[_I_NREJ] >= opts[4]:
        ist[_I_STOP] = STATUS_MAXSTEPS


@numba.njit(cache=True)
def shared_finish(active, fst, ist, t_eval, istats, fstats):
    """Statuses and counters of all points (converged ones are already set)."""
    for q in range(ist[_I_NA]):
        i = active[q]
        if ist[_I_STOP] == STATUS_FAILED:
            istats[i, 0] = STATUS_FAILED
        elif ist[_I_IE] < t_eval.shape[0]:
            istats[i, 0] = STATUS_MAXSTEPS
        else:
            istats[i, 0] = STATUS_DONE
        fstats[i] = fst[0]
    istats[:, 1] = ist[_I_NACC]
    istats[:, 2] = ist[_I_NREJ]


@numba.njit(cache=True)
def integrate_shared(
    m0, P, g, tkc, vkc, tkf, vkf, t0, t_eval, opts, out, istats, fstats
):
    """Dormand-Prince 5(4) with ONE step size for all points, table pulses.

    The error norm is the maximum over the still-active points; points that have
    converged to a stable fixed point drop out of the active set. Same outputs
    as :func:`integrate_point` applied to every point.
    """
    N = m0.shape[0]
    y = np.empty((N, 3))
    K = np.empty((7, N, 3))
    yn = np.empty((N, 3))
    active = np.empty(N, dtype=np.int64)
    fst = np.zeros(4)
    ist = np.zeros(9, dtype=np.int64)
    shared_start(m0, t0, t_eval, opts[2], tkc, tkf, y, active, out, fst, ist)
    cur = _pulse_value(tkc, vkc, ist[_I_KC], t0)
    fld = _pulse_value(tkf, vkf, ist[_I_KF], t0)
    shared_k1(y, K, active, ist[_I_NA], cur, fld, P, g)
    while shared_plan(fst, ist, t_eval, tkc, tkf):
        cs = _stage_values(tkc, vkc, ist[_I_KC], fst[0], fst[2])
        fs = _stage_values(tkf, vkf, ist[_I_KF], fst[0], fst[2])
        shared_step(
            y, K, yn, active, fst, ist, cs, fs, P, g, opts, t_eval, out, istats,
            fstats, tkc, vkc, tkf, vkf,
        )  # fmt: skip
    shared_finish(active, fst, ist, t_eval, istats, fstats)


# ----------------------------------------------------- finite temperature
# Thermal switching trials (``ubermag_dirac.macrospin.thermal``): stochastic Heun
# at a fixed step with Brown's field and the damping tensor's drift
# (``ubermag_dirac.kernels.thermal``), a counter-based random stream per trial.

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TWO_M53 = 2.0**-53


@numba.njit(cache=True, inline="always")
def mix64(z):
    """SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective 64-bit
    hash; ``mix64(key + k * golden)`` for k = 0, 1, ... is the SplitMix64
    stream of ``key`` (passes BigCrush), so the k-th number is computed from
    (key, k) alone: a counter-based generator."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@numba.njit(cache=True, inline="always")
def uniform(key, ctr):
    """The ``ctr``-th number of the stream ``key`` as a double in [0, 1)."""
    return np.float64(mix64(key + np.uint64(ctr) * _GOLDEN) >> _S11) * _TWO_M53


@numba.njit(cache=True, inline="always")
def normal_pair(key, ctr):
    """Two independent standard normals from the stream ``key`` at counter
    ``ctr`` (Marsaglia's polar method: pairs of uniforms in the unit disc);
    returns them and the next counter."""
    while True:
        u = 2.0 * uniform(key, ctr) - 1.0
        v = 2.0 * uniform(key, ctr + 1) - 1.0
        ctr += 2
        s = u * u + v * v
        if 0.0 < s < 1.0:
            f = np.sqrt(-2.0 * np.log(s) / s)
            return u * f, v * f, ctr


@numba.njit(cache=True, inline="always")
def _well_energy(x, y, z, P, i, g, delta):
    """Energy / k_B T of point ``i`` without current (unit m):
    ``-delta (hk m_n^2 + 2 h . m)``."""
    mn = x * g[0] + y * g[1] + z * g[2]
    return -delta * (
        P[i, 3] * mn * mn + 2.0 * (P[i, 0] * x + P[i, 1] * y + P[i, 2] * z)
    )


@numba.njit(cache=True)
def thermal_trial(i, key, x, y, z, P, g, tk, vk, stage_t, n_stage, dtmax, delta,
                  n_mc, mc_step, t_free, e_stop):  # fmt: skip
    """One switching trial of point ``i``; returns the final m (not a reference).

    1. ``n_mc`` Metropolis steps in the well of the start (x, y, z) (moves that
       change the sign of m . n are rejected): Boltzmann statistics of that
       well at ``delta`` (= E_unit / k_B T, see ``_well_energy``);
    2. stochastic Heun from t = 0 through the stages ``stage_t[:n_stage]``
       (stage ends: pulse breakpoints and the end time; each stage in equal
       steps <= ``dtmax``), current pulse ``(tk, vk)``, field constant;
    3. from ``t_free`` on (no current any more) the trial ends early once the
       energy ``-(m_n^2 + 2 h . m)`` (units of mu0 Ms V H_K / 2) is at most
       ``e_stop``, below the lowest point of the equator: the sign of m . n
       is then settled (``-inf`` disables it).

    Reduced units: Brown's field has the standard deviation
    ``1/sqrt(delta dt)`` per unit damping (``thermal_field``), the tensor drift
    the scale ``q = 1/(2 delta)`` (``thermal_drift``); ``delta = inf``: no noise.
    """
    ctr = 0
    side = x * g[0] + y * g[1] + z * g[2]
    if n_mc > 0 and np.isfinite(delta):
        u = _well_energy(x, y, z, P, i, g, delta)
        for _ in range(n_mc):
            a0, a1, ctr = normal_pair(key, ctr)
            a2, _, ctr = normal_pair(key, ctr)
            nx = x + mc_step * a0
            ny = y + mc_step * a1
            nz = z + mc_step * a2
            s = 1.0 / np.sqrt(nx * nx + ny * ny + nz * nz)
            nx *= s
            ny *= s
            nz *= s
            if (nx * g[0] + ny * g[1] + nz * g[2]) * side <= 0.0:
                continue
            un = _well_energy(nx, ny, nz, P, i, g, delta)
            b = 1.0 - uniform(key, ctr)  # in (0, 1]
            ctr += 1
            if un <= u or np.log(b) < u - un:
                x, y, z, u = nx, ny, nz, un
    noisy = np.isfinite(delta)
    q = 0.5 / delta if noisy else 0.0
    alpha = P[i, 4]
    dalpha = P[i, 5]
    spare = 0.0
    have_spare = False
    t0 = 0.0
    settled = False
    xi0 = 0.0
    xi1 = 0.0
    xi2 = 0.0
    for st in range(n_stage):
        t1 = stage_t[st]
        span = t1 - t0
        if span <= 0.0:
            continue
        n = int(np.ceil(span / dtmax * (1.0 - 1e-12)))
        if n < 1:
            n = 1
        dt = span / n
        k = _segment(tk, t0)
        sig = 1.0 / np.sqrt(delta * dt) if noisy else 0.0
        for step in range(n):
            ta = t0 + step * dt
            ca = _pulse_value(tk, vk, k, ta)
            cb = _pulse_value(tk, vk, k, ta + dt)
            hx = 0.0
            hy = 0.0
            hz = 0.0
            if noisy:
                if have_spare:
                    xi0 = spare
                    xi1, xi2, ctr = normal_pair(key, ctr)
                    have_spare = False
                else:
                    xi0, xi1, ctr = normal_pair(key, ctr)
                    xi2, spare, ctr = normal_pair(key, ctr)
                    have_spare = True
                hx, hy, hz = thermal_field(
                    xi0, xi1, xi2, sig, alpha, dalpha, g[0], g[1], g[2]
                )
            ax, ay, az = field_dmdt(x, y, z, ca, 1.0, P, i, g, hx, hy, hz)
            dx, dy, dz = thermal_drift(x, y, z, q, alpha, dalpha, g[0], g[1], g[2])
            ax += dx
            ay += dy
            az += dz
            # predictor not normalised (as the engine, engine/stochastic.py)
            px = x + dt * ax
            py = y + dt * ay
            pz = z + dt * az
            bx, by, bz = field_dmdt(px, py, pz, cb, 1.0, P, i, g, hx, hy, hz)
            dx, dy, dz = thermal_drift(px, py, pz, q, alpha, dalpha, g[0], g[1], g[2])
            x += 0.5 * dt * (ax + bx + dx)
            y += 0.5 * dt * (ay + by + dy)
            z += 0.5 * dt * (az + bz + dz)
            s = 1.0 / np.sqrt(x * x + y * y + z * z)
            x *= s
            y *= s
            z *= s
            if ta + dt >= t_free and _well_energy(x, y, z, P, i, g, 1.0) <= e_stop:
                settled = True
                break
        if settled:
            break
        t0 = t1
    return x, y, z


@numba.njit(cache=True)
def _trial_task(task, n_trials, n_widths, keys, m0, P, g, tk, vk, stage_t, n_stage,
                dtmax, delta, n_mc, mc_step, t_free, e_stop, out):  # fmt: skip
    """Task = (point, width, trial), trial fastest; writes out[task] = final m . n
    (8 bytes a trial: 10^7 trials in 80 MB)."""
    j = task % n_trials
    pw = (task // n_trials) % n_widths
    i = task // (n_trials * n_widths)
    key = mix64(keys[i, pw] ^ mix64(np.uint64(j) * _GOLDEN + _GOLDEN))
    x, y, z = thermal_trial(
        i, key, m0[i, 0], m0[i, 1], m0[i, 2], P, g, tk[pw], vk[pw], stage_t[pw],
        n_stage[pw], dtmax[i], delta, n_mc, mc_step[i], t_free[pw], e_stop[i],
    )  # fmt: skip
    out[task] = x * g[0] + y * g[1] + z * g[2]


@numba.njit(cache=True)
def thermal_serial(n_trials, *args):
    """All tasks (``_trial_task``) one after the other."""
    out = args[-1]
    for task in range(out.shape[0]):
        _trial_task(task, n_trials, *args)


@numba.njit(cache=True, parallel=True)
def thermal_parallel(n_trials, *args):
    """Same as :func:`thermal_serial`, tasks spread over threads (each task is
    computed alone from its own stream: results do not depend on the threads)."""
    out = args[-1]
    for task in numba.prange(out.shape[0]):
        _trial_task(task, n_trials, *args)


# ------------------------------------------------------------ other torques
#: The compiled functions above that depend on the torques (directly or not).
_SPECIALISED = (
    "field_dmdt",
    "rhs",
    "dp45_trial",
    "is_stable",
    "integrate_point",
    "integrate_serial",
    "integrate_parallel",
    "rhs_many",
    "stable_many",
    "shared_k1",
    "shared_trial",
    "shared_accept",
    "shared_step",
    "integrate_shared",
    "thermal_trial",
    "_trial_task",
    "thermal_serial",
    "thermal_parallel",
)


@functools.cache
def specialised(torques):
    """The integrators of this module compiled for the tuple ``torques``.

    Returns a namespace with the functions of ``_SPECIALISED`` (and
    ``TORQUES``, ``NPAR``), compiled on first call, in memory only: numba's disk
    cache is keyed by the source file, which these copies share with the
    module-level functions, so caching them could return another torque set's
    code. The module itself (``TORQUES == torques``) is returned as is.
    """
    torques = tuple(torques)
    if torques == TORQUES:
        return types.SimpleNamespace(
            **{name: globals()[name] for name in _SPECIALISED},
            TORQUES=TORQUES,
            NPAR=NPAR,
        )
    g = dict(globals())
    g["torque_fields"] = torque_sum(torques)
    for name in _SPECIALISED:
        dispatcher = globals()[name]
        py = dispatcher.py_func
        func = types.FunctionType(
            py.__code__, g, py.__name__, py.__defaults__, py.__closure__
        )
        options = {k: v for k, v in dispatcher.targetoptions.items() if k != "cache"}
        g[name] = numba.jit(**options)(func)
    return types.SimpleNamespace(
        **{name: g[name] for name in _SPECIALISED},
        TORQUES=torques,
        NPAR=NBASE + NQ * len(torques),
    )
