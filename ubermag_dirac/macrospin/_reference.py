"""NumPy right-hand side of the reduced macrospin (private).

Built from the numpy reference forms of :mod:`ubermag_dirac.terms` (torque
fields :func:`~ubermag_dirac.terms.dirac_sot.torque_field` and
:func:`~ubermag_dirac.terms.spin_hall.torque_field`, the Gilbert form solved as
a dense 3x3 system per point, :func:`~ubermag_dirac.terms.llg.gilbert_dmdt`),
independent of the compiled kernels (different algebra), and complex-safe, so
it serves as

* the reference the compiled right-hand side is tested against,
* the function differentiated by complex step for exact Jacobians
  (:func:`tangent_jacobian`, used by the analytic boundaries).

Arrays are component-last, ``(..., 3)``; parameters broadcast against ``m[..., 0]``.
"""

import numpy as np

from ..terms import dirac_sot, llg, spin_hall


def _dot(a, b):
    return np.sum(a * b, axis=-1)


def total_field(m, cur, fld, p):
    """Reduced total field h_eff + h_T (torques as fields inside the Gilbert form).

    ``p`` is a dict with keys h (..., 3), hk, alpha, dalpha, sdl, beta, sfl, ssh
    and global unit vectors n, j; ``cur``/``fld`` scale the torques/the field.
    """
    n = np.asarray(p["n"], dtype=float)
    j = np.asarray(p["j"], dtype=float)
    H = np.asarray(fld)[..., None] * p["h"] + (p["hk"] * _dot(m, n))[..., None] * n
    cur = np.asarray(cur)
    H = H + dirac_sot.torque_field(m, cur * p["sdl"], cur * p["sfl"], p["beta"], j, n)
    return H + spin_hall.torque_field(m, cur * p["ssh"], j, n)


def rhs(m, cur, fld, p):
    """dm/dt (reduced: gamma0 = 1) of the Gilbert form with the damping tensor
    alpha I + dalpha (I - n n); works for complex m (complex-step derivatives)."""
    m = m / np.sqrt(_dot(m, m))[..., None]
    H = total_field(m, cur, fld, p)
    return llg.gilbert_dmdt(m, H, 1.0, p["alpha"], p["dalpha"], p["n"])


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
    e2 = np.cross(m, e1)
    eps = 1e-30
    J = np.empty((*m.shape[:-1], 2, 2))
    for col, e in enumerate((e1, e2)):
        d = rhs(m + 1j * eps * e, cur, fld, p).imag / eps
        J[..., 0, col] = _dot(d, e1)
        J[..., 1, col] = _dot(d, e2)
    return J
