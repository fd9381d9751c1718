r"""Numerical Kubo-Streda check of the closed forms (direct k-space integration).

Dimensionless units: energies in :math:`\epsilon_F`, wave vectors in
:math:`\epsilon_F/(\hbar v)`, :math:`\beta = \Delta/\epsilon_F`,
``tau_eps`` :math:`= \tau\epsilon_F/\hbar`. The retarded Green's function at the Fermi
level is

.. math::
    G^R(k) = \left[1 - h(k)\cdot\sigma + i\eta(1 + \beta m_z\sigma_z)\right]^{-1},\quad
    h = (k_y + \beta m_x,\, -k_x + \beta m_y,\, \beta m_z),\quad \eta =
    \frac{1}{4\tau_\epsilon}

(SCBA self-energy :math:`\Sigma^R = -i\hbar/(4\tau)(1+\beta m_z\sigma_z)`, impurity
strength :math:`n_iV_0^2 = \hbar^3 v^2/(\tau\epsilon_F)`, i.e. ``1/tau_eps``). The
in-plane magnetisation is kept in :math:`h` (no shift of the Dirac point), so its
disappearance from the results is a genuine check. The Fermi-surface (Streda I) response
of :math:`\langle\sigma_a\rangle` per area to :math:`E_b` is

.. math::
    \delta S_a = -\frac{e\hbar}{2\pi}\Big[\mathrm{Tr}(\sigma_a G^R \tilde v_b G^A)
                 - \mathrm{Re}\,\mathrm{Tr}(\sigma_a G^R v_b G^R)\Big] E_b,\qquad
    v = v\, z\times\sigma,

with the ladder-dressed velocity :math:`\tilde v = v + n_iV_0^2\int G^R\tilde v G^A`
(``ladder=False``: bare bubble) and Tr including :math:`\int d^2k/(2\pi)^2`.
Results are ``K[a, b]`` in units of :math:`e/(\hbar v)`; the closed forms are
:math:`K_{yx} = -K_{xy} = \tau_\epsilon f_{FL}/\pi` and
:math:`K_{xx} = K_{yy} = -(2/\pi)\beta m_z f_{DL}` (i.e.
:math:`\delta S = (\sigma_{xx}/ev)\, z\times E + (\sigma_{xy}/ev) E`, convention
"kubo").

Integration: uniform angular grid (trapezoid, spectrally accurate for periodic
integrands) times Gauss-Legendre panels in a radial variable mapped with
:math:`k = k^*(\phi) + w\sinh s` around the Fermi crossing :math:`k^*(\phi)`,
:math:`w = 2\eta` (Lorentzians of width :math:`\sim\eta` become smooth, broad
features are resolved logarithmically), plus a tail
:math:`k = R/u`, all as numpy arrays (no loops over k).
"""

import numpy as np

from ._validation import as_mz, metallic, positive

__all__ = [
    "closed_form_response",
    "extrapolate",
    "ladder_vertex",
    "spin_response",
]

_VEL = np.array([[0, 0, -1, 0], [0, 1, 0, 0]], dtype=complex)  # z x sigma: (-s_y, s_x)


def _pmul(x, y):
    """Product of 2x2 matrices given by Pauli coefficients ``(4, ...)``."""
    x0, xv = x[0], x[1:]
    y0, yv = y[0], y[1:]
    c0 = x0 * y0 + np.einsum("i...,i...->...", xv, yv)
    cross = np.stack(
        [
            xv[1] * yv[2] - xv[2] * yv[1],
            xv[2] * yv[0] - xv[0] * yv[2],
            xv[0] * yv[1] - xv[1] * yv[0],
        ]
    )
    cv = x0 * yv + y0 * xv + 1j * cross
    return np.concatenate([c0[None], cv])


def _check(beta, m, tau_eps):
    beta = float(beta)
    m = np.asarray(m, dtype=float)
    if m.shape != (3,) or not np.linalg.norm(m) <= 1 + 1e-12:
        raise ValueError(f"m must be a 3-vector with |m| <= 1, got {m!r}.")
    as_mz(m[2])
    if not 0 <= beta < 1:
        raise ValueError(
            f"beta = {beta!r} is outside the metallic regime: 0 <= beta < 1 required."
        )
    metallic(beta, m[2])
    tau_eps = positive("tau_eps", tau_eps)
    return beta, m, tau_eps


def _grid(beta, m, eta, n_phi, n_gl, n_panels, e_f=1.0):
    """Polar k-grid about k = 0; radial nodes concentrated at the Fermi crossing.

    Returns ``kx, ky, weight`` (flattened); ``weight`` includes ``1/(2 pi)^2``.
    """
    mx, my, mz = m
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    # Fermi crossing |h_par|^2 = e_f^2 - beta^2 mz^2 along each ray from k = 0
    p = beta * (mx * np.sin(phi) - my * np.cos(phi))
    disc = p * p + e_f * e_f - beta * beta * (mx * mx + my * my + mz * mz)
    ks = np.maximum(-p + np.sqrt(np.maximum(disc, 0.0)), 0.0)
    x, wx = np.polynomial.legendre.leggauss(n_gl)
    edges = np.linspace(0.0, 1.0, n_panels + 1)
    lo, hi = edges[:-1, None], edges[1:, None]
    t = ((lo + hi) + (hi - lo) * x).ravel() / 2
    wt = ((hi - lo) * wx / 2).ravel()
    rmax = 3.0 * max(e_f, beta, 1e-3)
    w = 2.0 * eta
    # k = k* + w sinh(s): resolution w at the Fermi crossing, logarithmic far from it
    s0 = np.arcsinh(-ks / w)
    s1 = np.arcsinh((rmax - ks) / w)
    sv = s0[:, None] + (s1 - s0)[:, None] * t
    r_in = ks[:, None] + w * np.sinh(sv)
    w_in = w * np.cosh(sv) * (s1 - s0)[:, None] * wt
    u = (x + 1) / 2
    r_out = np.broadcast_to(rmax / u, (n_phi, n_gl))
    w_out = np.broadcast_to(rmax / u**2 * wx / 2, (n_phi, n_gl))
    r = np.concatenate([r_in, r_out], axis=1)
    wr = np.concatenate([w_in, w_out], axis=1)
    weight = r * wr * (2 * np.pi / n_phi) / (2 * np.pi) ** 2
    kx = (r * np.cos(phi)[:, None]).ravel()
    ky = (r * np.sin(phi)[:, None]).ravel()
    return kx, ky, weight.ravel()


def _greens(beta, m, eta, kx, ky):
    a = 1.0 + 1j * eta
    b = np.stack(
        [
            ky + beta * m[0] + 0j,
            -kx + beta * m[1] + 0j,
            np.full_like(kx, beta * m[2]) - 1j * eta * beta * m[2],
        ]
    )
    den = a * a - np.einsum("i...,i...->...", b, b)
    gR = np.concatenate([np.full_like(den, a)[None], b]) / den
    return gR, np.conj(gR)


def _setup(beta, m, tau_eps, n_phi, n_gl, n_panels):
    beta, m, tau_eps = _check(beta, m, tau_eps)
    eta = 0.25 / tau_eps
    kx, ky, w = _grid(beta, m, eta, n_phi, n_gl, n_panels)
    gR, gA = _greens(beta, m, eta, kx, ky)
    return beta, m, tau_eps, w, gR, gA


def _kernel(w, gR, gA, gamma, ordering):
    """Ladder kernel ``M[c, d]`` = Pauli coefficient c of gamma * int G X_d G'."""
    eye = np.eye(4, dtype=complex)[:, :, None]
    M = np.empty((4, 4))
    for d in range(4):
        if ordering == "standard":
            prod = _pmul(_pmul(gA, eye[d]), gR)
        else:
            prod = _pmul(_pmul(gR, eye[d]), gA)
        M[:, d] = gamma * (prod @ w).real
    return M


def ladder_vertex(
    beta, m, tau_eps, *, ordering="paper", n_phi=32, n_gl=24, n_panels=10
):
    r"""Ladder-dressed spin vertex :math:`\Upsilon_x` as Pauli coefficients.

    :math:`\Upsilon_x = c_0 + c\cdot\sigma`.

    ``ordering="paper"``: :math:`\Upsilon = \sigma_x + n_iV_0^2\int G^R\Upsilon G^A`
    (Ndiaye et al.; leading order gives :math:`\Upsilon_x = A\sigma_x + B\sigma_y`);
    ``"standard"``: :math:`\int G^A\Upsilon G^R` (gives :math:`A\sigma_x - B\sigma_y`).

    Returns
    -------
    numpy.ndarray, shape (4,)
        Coefficients of :math:`(1, \sigma_x, \sigma_y, \sigma_z)` in :math:`\Upsilon_x`.

    Examples
    --------
    >>> from ubermag_dirac.theory.kubo_numeric import ladder_vertex
    >>> c = ladder_vertex(0.5, (0, 0, 1), 400.0)
    >>> print(f"{c[1]:.4f} {c[2] * 400:.3f}")
    1.4282 0.408
    >>> ladder_vertex(0.5, (0, 0, 1), 400.0, ordering="RA")
    Traceback (most recent call last):
    ...
    ValueError: ordering='RA' is unknown; allowed: 'paper', 'standard'.
    """
    if ordering not in ("paper", "standard"):
        raise ValueError(
            f"ordering={ordering!r} is unknown; allowed: 'paper', 'standard'."
        )
    beta, m, tau_eps, w, gR, gA = _setup(beta, m, tau_eps, n_phi, n_gl, n_panels)
    M = _kernel(w, gR, gA, 1.0 / tau_eps, ordering)
    return np.linalg.solve(np.eye(4) - M, np.array([0.0, 1.0, 0.0, 0.0]))


def spin_response(beta, m, tau_eps, *, ladder=True, n_phi=32, n_gl=24, n_panels=10):
    r"""Numerical Fermi-surface spin response ``K`` (3, 2), units :math:`e/(\hbar v)`.

    :math:`\delta S_a = K_{ab}\,(e/\hbar v)\, E_b` for in-plane ``E`` (surface normal
    z),
    evaluated by direct k-space integration (module docstring) with SCBA broadening and,
    if ``ladder``, the non-crossing ladder vertex (standard Kubo-Streda ordering).

    Parameters
    ----------
    beta : float
        :math:`\Delta/\epsilon_F`, 0 <= beta < 1.
    m : array_like, shape (3,)
        Magnetisation, normally a unit vector (``|m| <= 1`` is accepted so that the
        in-plane part can be dropped for comparison); in-plane components are kept
        in the Hamiltonian.
    tau_eps : float
        :math:`\tau\epsilon_F/\hbar` > 0 (weak disorder: >> 1).
    ladder : bool
        Include the ladder vertex correction (default) or the bare bubble.
    n_phi, n_gl, n_panels : int
        Angles; Gauss-Legendre nodes per radial panel; radial panels.

    Examples
    --------
    >>> import numpy as np
    >>> from ubermag_dirac.theory.kubo_numeric import spin_response
    >>> K = spin_response(0.5, (0, 0, 1), 200.0)
    >>> print(f"{K[1, 0] / 200 * np.pi:.4f} {K[0, 0]:.4f}")  # -> f_FL = 0.4286, -0.1299
    0.4282 -0.1296
    >>> spin_response(1.2, (0, 0, 1), 200.0)
    Traceback (most recent call last):
    ...
    ValueError: beta = 1.2 is outside the metallic regime: 0 <= beta < 1 required.
    """
    beta, m, tau_eps, w, gR, gA = _setup(beta, m, tau_eps, n_phi, n_gl, n_panels)
    K = np.empty((3, 2))
    if ladder:
        M = _kernel(w, gR, gA, 1.0 / tau_eps, "paper")
    for b in range(2):
        v0 = _VEL[b][:, None]
        nu = np.linalg.solve(np.eye(4) - M, v0[:, 0].real) if ladder else v0[:, 0].real
        ra = _pmul(_pmul(gR, nu.astype(complex)[:, None]), gA) @ w
        rr = _pmul(_pmul(gR, v0), gR) @ w
        K[:, b] = -(ra[1:].real - rr[1:].real) / np.pi
    return K


def closed_form_response(beta, mz, tau_eps, *, ladder=True):
    r"""Closed-form ``K`` (3, 2) to leading order in :math:`1/\tau_\epsilon`.

    Ladder (Ndiaye et al., kubo): :math:`K_{yx} = \tau_\epsilon f_{FL}/\pi`,
    :math:`K_{xx} = -(2/\pi)\beta m_z f_{DL}`. Bare bubble:
    :math:`K_{yx} = \tau_\epsilon f_{FL}/(\pi A)`,
    :math:`K_{xx} = -\beta m_z/(2\pi(1 + \beta^2 m_z^2))` (the ladder enhances the
    damping-like part by :math:`4(1+b_2)^2/(1+3b_2)^2`, :math:`b_2 = \beta^2 m_z^2`).

    Examples
    --------
    >>> from ubermag_dirac.theory.kubo_numeric import closed_form_response
    >>> print(closed_form_response(0.0, 1.0, 10.0)[1, 0] * 3.141592653589793)
    10.0
    >>> closed_form_response(0.5, 1.0, -10.0)
    Traceback (most recent call last):
    ...
    ValueError: tau_eps = -10.0 : tau_eps must be finite and > 0.
    """
    from .coefficients import A, f_DL, f_FL

    tau_eps = positive("tau_eps", tau_eps)
    mz = float(as_mz(mz))
    b2 = beta * beta * mz * mz
    if ladder:
        fl = tau_eps * f_FL(mz, beta) / np.pi
        dl = -2.0 / np.pi * beta * mz * f_DL(mz, beta)
    else:
        fl = tau_eps * f_FL(mz, beta) / (np.pi * A(mz, beta))
        dl = -beta * mz / (2.0 * np.pi * (1.0 + b2))
    return np.array([[dl, -fl], [fl, dl], [0.0, 0.0]])


def extrapolate(beta, m, tau_eps, *, levels=3, ladder=True, **grid):
    r"""Richardson extrapolation in :math:`1/\tau` of the normalised response.

    Evaluates :func:`spin_response` at ``tau_eps * 2**j`` (j < levels), normalises to
    ``(K_yx / tau_eps, K_xx)`` (field-like :math:`\to f_{FL}/\pi`, damping-like
    :math:`\to -(2/\pi)\beta m_z f_{DL}`) and eliminates the :math:`1/\tau`,
    :math:`1/\tau^2`, ... corrections.

    Returns
    -------
    tuple of float
        Extrapolated ``(field_like, damping_like)``.

    Examples
    --------
    >>> from ubermag_dirac.theory.kubo_numeric import extrapolate
    >>> fl, dl = extrapolate(0.5, (0, 0, 1), 50.0)
    >>> print(f"{fl:.5f} {dl:.5f}")  # closed forms 0.13642 -0.12992
    0.13642 -0.12992
    >>> extrapolate(0.5, (0, 0, 1), 50.0, levels=0)
    Traceback (most recent call last):
    ...
    ValueError: levels = 0: at least 1 level is needed.
    """
    if levels < 1:
        raise ValueError(f"levels = {levels!r}: at least 1 level is needed.")
    rows = []
    for j in range(levels):
        t = tau_eps * 2**j
        K = spin_response(beta, m, t, ladder=ladder, **grid)
        rows.append([K[1, 0] / t, K[0, 0]])
    table = np.array(rows)
    for order in range(1, levels):
        table = (2**order * table[1:] - table[:-1]) / (2**order - 1)
    return float(table[0, 0]), float(table[0, 1])
