r"""Mahfouzi-Kioussis (arXiv:1608.00984) Keldysh/NEGF model of the helical surface.

Two-band Hamiltonian
:math:`H(k, t) = \epsilon_0(k) + h(k, \lambda(t))\cdot\sigma` with a constant
broadening :math:`\eta` (their escape rate, :math:`G^R = (E - H + i\eta)^{-1}` in the
standard sign convention), zero temperature. For a slowly varying parameter
:math:`\lambda` with :math:`B = \partial_\lambda H = \partial_\lambda h\cdot\sigma`, the
non-equilibrium spin density splits (their Eq. 6; Streda-Smrcka split) into a
Fermi-surface and a Fermi-sea part,
:math:`\delta\langle\sigma_a\rangle = (\chi^{surf}_a + \chi^{sea}_a)\dot\lambda`
(units :math:`\hbar = 1`; per area, :math:`\int d^2k/(2\pi)^2`):

.. math::
    \chi^{surf}_a = \frac{1}{2\pi}\Big[\mathrm{Tr}(\sigma_a G^R B G^A)
      - \mathrm{Re}\,\mathrm{Tr}(\sigma_a G^R B G^R)\Big]_{E = E_F},

    \chi^{sea}_a = \frac{1}{4\pi}\int_{-\infty}^{E_F}\!dE\,
      \mathrm{Tr}\big[\sigma_a G^R B\,\partial_E G^R - \sigma_a\partial_E G^R B G^R
      - (R\to A)\big]
      = -\frac{2}{\pi}\,(h\times\partial_\lambda h)_a\,
        \mathrm{Im}\int_{-\infty}^{E_F}\frac{dE}{(E - \epsilon_+ + i\eta)^2
        (E - \epsilon_- + i\eta)^2},

:math:`\epsilon_\pm = \epsilon_0 \pm |h|`; the energy integral is done in closed form
(partial fractions), the k-integral numerically at finite :math:`\eta` (no small-η
expansion). Their Eq. (10) is the :math:`\eta\to 0` form of these expressions. For
:math:`\epsilon_F` in the gap of the massive Dirac cone only the sea survives and gives
the half-quantised :math:`e^2/2h`; in the metallic regime the sea vanishes as
:math:`\eta\to 0` (Ndiaye et al., Appendix) - both are tested.

Dirac surface: :math:`h = \hbar v\,(k\times z) + \Delta m` (their :math:`\Delta_{xc}/2 =
\Delta`), :math:`\lambda = m_i` (:math:`B = \Delta\sigma_i`) for damping and
:math:`\lambda = A_j` (vector potential, :math:`\dot A = -E`) for transport. The
longitudinal term of their Eq. (11) is 4x the bubble computed here (typo): for
:math:`m_z = 0`, :math:`\sigma_{xx}\to e^2\epsilon_F/(8\pi\hbar\eta)`, not
:math:`e^2\epsilon_F/(2\pi\hbar\eta)`.
"""

import numpy as np

from ..constants import GAMMA_G2 as GAMMA
from ..constants import HBAR
from ._validation import positive, unit_vector
from .kubo_numeric import _grid, _pmul

__all__ = [
    "dirac_conductivity",
    "dirac_spin_response",
    "effective_damping",
    "mk_damping_tensor",
    "two_band_response",
]


def two_band_response(h, dh, weight, *, E_F, eta, eps0=None):
    r"""Fermi-surface and Fermi-sea spin response of a general two-band model.

    Parameters
    ----------
    h : array_like, shape (3, N)
        :math:`h(k)` on the N k-points (energy units, :math:`\hbar = 1`).
    dh : array_like, shape (P, 3, N)
        :math:`\partial h/\partial\lambda_p` for P slow parameters.
    weight : array_like, shape (N,)
        Quadrature weights of :math:`\int d^2k/(2\pi)^2`.
    E_F : float
        Fermi energy (same units).
    eta : float
        Broadening, > 0.
    eps0 : array_like, shape (N,), optional
        Spin-independent band energy :math:`\epsilon_0(k)` (default 0).

    Returns
    -------
    surface, sea : numpy.ndarray, shape (3, P)
        :math:`\chi^{surf}_{ap}`, :math:`\chi^{sea}_{ap}`:
        :math:`\delta\langle\sigma_a\rangle` per area per unit :math:`\dot\lambda_p`.

    Examples
    --------
    A single k-point with a Zeeman-like h = (0, 0, 1) and a transverse drive:

    >>> import numpy as np
    >>> from ubermag_dirac.theory.negf import two_band_response
    >>> surf, sea = two_band_response(
    ...     np.array([[0.0], [0.0], [1.0]]),
    ...     np.array([[[1.0], [0.0], [0.0]]]),
    ...     np.ones(1),
    ...     E_F=0.0,
    ...     eta=1e-7,
    ... )
    >>> print(np.round(sea[:, 0], 6) + 0.0)  # clean Berry term (h x dh)/(2|h|^3)
    [0.  0.5 0. ]
    >>> two_band_response(np.zeros((3, 1)), np.zeros((1, 3, 1)), [1.0], E_F=0, eta=0)
    Traceback (most recent call last):
    ...
    ValueError: eta = 0.0 : eta must be finite and > 0.
    """
    eta = positive("eta", eta)
    h = np.asarray(h, dtype=float)
    dh = np.asarray(dh, dtype=float)
    weight = np.asarray(weight, dtype=float)
    if h.ndim != 2 or h.shape[0] != 3 or dh.shape[1:] != h.shape:
        raise ValueError("h must have shape (3, N) and dh shape (P, 3, N).")
    eps0 = np.zeros(h.shape[1]) if eps0 is None else np.asarray(eps0, dtype=float)
    a = E_F - eps0 + 1j * eta
    hh = np.sqrt(np.einsum("in,in->n", h, h))
    den = a * a - hh * hh
    gR = np.concatenate([a[None], h + 0j]) / den
    gA = np.conj(gR)
    # sea: closed-form energy integral of 1/((E - p)^2 (E - q)^2), p, q = eps_pm - i eta
    p = eps0 + hh - 1j * eta
    q = eps0 - hh - 1j * eta
    d = p - q
    with np.errstate(divide="ignore", invalid="ignore"):
        integral = -(1.0 / (E_F - p) + 1.0 / (E_F - q)) / d**2 - 2.0 / d**3 * np.log(
            (E_F - p) / (E_F - q)
        )
    integral = np.where(hh > 0, integral, 0.0)
    surface = np.empty((3, dh.shape[0]))
    sea = np.empty((3, dh.shape[0]))
    for k, b in enumerate(dh):
        bop = np.concatenate([np.zeros((1, b.shape[1])), b]).astype(complex)
        ra = _pmul(_pmul(gR, bop), gA) @ weight
        rr = _pmul(_pmul(gR, bop), gR) @ weight
        surface[:, k] = (ra[1:].real - rr[1:].real) / np.pi
        sea[:, k] = -2.0 / np.pi * (np.cross(h, b, axis=0) * integral.imag) @ weight
    return surface, sea


def _dirac_setup(Delta, E_F, eta, m, n_phi, n_gl, n_panels):
    m = np.asarray(m, dtype=float)
    if m.shape != (3,) or not np.linalg.norm(m) <= 1 + 1e-12:
        raise ValueError(f"m must be a 3-vector with |m| <= 1, got {m!r}.")
    eta = positive("eta", eta)
    E_F = positive("E_F", E_F)
    Delta = float(Delta)
    kx, ky, w = _grid(Delta, m, eta, n_phi, n_gl, n_panels, e_f=E_F)
    h = np.stack(
        [ky + Delta * m[0], -kx + Delta * m[1], np.full_like(kx, Delta * m[2])]
    )
    return h, w, E_F, eta


def dirac_spin_response(
    Delta, E_F, eta, m, *, drive="magnetisation", n_phi=32, n_gl=24, n_panels=10
):
    r"""Spin response of the Dirac surface (units :math:`\hbar = v = 1`).

    Spin response of the Dirac surface (units :math:`\hbar = v = 1`, any energy unit).

    :math:`h = (k_y + \Delta m_x, -k_x + \Delta m_y, \Delta m_z)`, :math:`\epsilon_0 =
    0`.

    Parameters
    ----------
    Delta, E_F, eta : float
        Exchange, Fermi energy (> 0, measured from the Dirac point) and broadening (>
        0).
    m : array_like, shape (3,)
        Magnetisation (normal along z).
    drive : {"magnetisation", "electric"}
        ``"magnetisation"``: :math:`\lambda = (m_x, m_y, m_z)`, :math:`B_i =
        \Delta\sigma_i`,
        result (3, 3) per unit :math:`\dot m_i`. ``"electric"``: response to
        :math:`E_j` (units e = 1) via the vector potential (:math:`B_j =
        (z\times\sigma)_j`,
        :math:`\dot A_j = -E_j`), result (3, 2).

    Returns
    -------
    surface, sea : numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from ubermag_dirac.theory.negf import dirac_spin_response
    >>> surf, sea = dirac_spin_response(0.1, 1.0, 1e-3, (0, 0, 1))
    >>> print(f"{surf[1, 1] * 1e-3:.5f} {0.1 * 0.99 / (8 * np.pi):.5f}")
    0.00394 0.00394
    >>> dirac_spin_response(0.1, 1.0, 1e-3, (0, 0, 1), drive="thermal")
    Traceback (most recent call last):
    ...
    ValueError: drive='thermal' is unknown; allowed: 'magnetisation', 'electric'.
    """
    if drive not in ("magnetisation", "electric"):
        raise ValueError(
            f"drive={drive!r} is unknown; allowed: 'magnetisation', 'electric'."
        )
    h, w, E_F, eta = _dirac_setup(Delta, E_F, eta, m, n_phi, n_gl, n_panels)
    n = h.shape[1]
    if drive == "magnetisation":
        dh = Delta * np.eye(3)[:, :, None] * np.ones(n)
        return two_band_response(h, dh, w, E_F=E_F, eta=eta)
    dh = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0]])[:, :, None] * np.ones(n)
    surf, sea = two_band_response(h, dh, w, E_F=E_F, eta=eta)
    return -surf, -sea


def dirac_conductivity(Delta, E_F, eta, m, **grid):
    r"""Sheet conductivity tensor (units :math:`e^2/\hbar`), shape (2, 2).

    Sheet conductivity tensor (units :math:`e^2/\hbar`), surface + sea, shape (2, 2).

    From the spin response to ``E`` and :math:`j = -ev\, z\times S`:
    :math:`j_x = e v S_y`, :math:`j_y = -e v S_x`.

    Examples
    --------
    >>> import numpy as np
    >>> from ubermag_dirac.theory.negf import dirac_conductivity
    >>> s = dirac_conductivity(0.0, 1.0, 1e-3, (0, 0, 1))
    >>> print(
    ...     f"{s[0, 0] * 1e-3:.5f} {1 / (8 * np.pi):.5f}"
    ... )  # e^2 E_F / (8 pi hbar eta)
    0.03979 0.03979
    >>> dirac_conductivity(0.0, -1.0, 1e-3, (0, 0, 1))
    Traceback (most recent call last):
    ...
    ValueError: E_F = -1.0 : E_F must be finite and > 0.
    """
    surf, sea = dirac_spin_response(Delta, E_F, eta, m, drive="electric", **grid)
    S = surf + sea
    return np.array([S[1], -S[0]])


def mk_damping_tensor(surface, m, *, thickness, Ms, eta=None, part="total", **grid):
    r"""Gilbert damping tensor added by the surface electrons, Mahfouzi-Kioussis model.

    The surface spin density :math:`\delta S_a = \chi_{ai}\dot m_i` acts on the film as
    :math:`\dot m = (\gamma\Delta/(M_s d))\, m\times\delta S`, i.e. a Gilbert term
    :math:`m\times(\delta\hat\alpha\,\dot m)` with

    .. math:: \delta\hat\alpha_{ai} = \frac{\gamma\Delta}{M_s d}\,\chi_{ai},\qquad
              \chi^{SI} = \tilde\chi\,\frac{\epsilon_F}{\hbar v^2}

    (:math:`\tilde\chi` from :func:`dirac_spin_response` with energies in
    :math:`\epsilon_F`). Its symmetric part is the damping: for
    :math:`v k_F\gg\Delta` it is :math:`\delta\alpha\,\mathrm{diag}(1, 1, \approx 0)`
    with
    :math:`\delta\alpha = \gamma\Delta^2\sigma_{xx}/(e^2v^2M_sd)` (bare conductivity of
    the
    same model); the antisymmetric part renormalises the gyromagnetic ratio.

    Parameters
    ----------
    surface : DiracSurface
        Supplies v, Delta, eps_F (and tau for the default eta).
    m : array_like, shape (3,)
        Magnetisation direction (normal z).
    thickness, Ms : float
        Film thickness (m), saturation magnetisation (A/m).
    eta : float, optional
        Broadening (J); default :math:`\hbar/(4\tau)`, the scalar part of the SCBA
        self-energy of Ndiaye et al. (Mahfouzi-Kioussis write :math:`\hbar/2\tau'`).
    part : {"total", "symmetric", "surface", "sea"}
        Which part of the tensor to return.

    Returns
    -------
    numpy.ndarray, shape (3, 3)

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> s = ud.theory.DiracSurface.from_ev(5e5, 0.02, 0.2, 1e-13)
    >>> a = ud.theory.negf.mk_damping_tensor(
    ...     s, (0, 0, 1), thickness=1e-9, Ms=1e6, part="symmetric"
    ... )
    >>> print(f"{a[0, 0]:.3e} {a[1, 1]:.3e} {a[2, 2] / a[0, 0]:.3f}")
    3.280e-04 3.280e-04 0.020
    >>> ud.theory.negf.mk_damping_tensor(s, (0, 0, 1), thickness=1e-9, Ms=1e6, part="x")
    Traceback (most recent call last):
    ...
    ValueError: part='x' is unknown; allowed: 'total', 'symmetric', 'surface', 'sea'.
    """
    parts = ("total", "symmetric", "surface", "sea")
    if part not in parts:
        allowed = ", ".join(repr(p) for p in parts)
        raise ValueError(f"part={part!r} is unknown; allowed: {allowed}.")
    d = positive("thickness", thickness, "m")
    Ms = positive("Ms", Ms, "A/m")
    eta = HBAR / (4 * surface.tau) if eta is None else positive("eta", eta, "J")
    surf, sea = dirac_spin_response(
        surface.beta, 1.0, eta / surface.eps_F, m, drive="magnetisation", **grid
    )
    chi = {"total": surf + sea, "symmetric": surf + sea, "surface": surf, "sea": sea}[
        part
    ]
    if part == "symmetric":
        chi = (chi + chi.T) / 2
    pref = GAMMA * surface.Delta / (Ms * d) * surface.eps_F / (HBAR * surface.v**2)
    return pref * chi


def effective_damping(alpha_tensor, axis, *, e1=None, H1=1.0, H2=1.0):
    r"""Effective Gilbert damping of small-angle precession about ``axis``.

    Deviations :math:`u_1 e_1 + u_2 e_2` (:math:`e_2 = \mathrm{axis}\times e_1`) with
    stiffness fields ``H1``, ``H2`` (energy :math:`\propto H_1u_1^2 + H_2u_2^2`)
    precess on
    an ellipse with :math:`u_2/u_1 = \sqrt{H_1/H_2}`; the energy decays at
    :math:`\alpha_{eff}\gamma_0(H_1 + H_2)` with (first order in the damping)

    .. math:: \alpha_{eff} = \frac{H_2\, e_1\cdot\hat\alpha e_1 + H_1\,
    e_2\cdot\hat\alpha e_2}
                                 {H_1 + H_2}.

    For :math:`\hat\alpha = \alpha I + \delta\alpha(I - nn)`: circular precession
    (``H1 == H2``) about an in-plane axis gives :math:`\alpha + \delta\alpha/2`
    (Mahfouzi-Kioussis "half"), about the normal :math:`\alpha + \delta\alpha`;
    elliptical
    precession about an in-plane axis with the in-plane deviation ``e1`` gives
    :math:`\alpha + \delta\alpha H_2/(H_1 + H_2)`.

    Parameters
    ----------
    alpha_tensor : array_like, shape (3, 3)
        Damping tensor (e.g. :meth:`DiracSurface.damping_tensor`).
    axis : array_like, shape (3,)
        Precession axis (equilibrium m).
    e1 : array_like, shape (3,), optional
        First deviation direction (projected perpendicular to ``axis``); default
        :math:`z\times\mathrm{axis}` (in-plane), or x if ``axis`` is along z.
    H1, H2 : float
        Stiffness fields (A/m or any common unit), > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from ubermag_dirac.theory import effective_damping
    >>> a = 0.01 * np.eye(3) + 0.004 * np.diag([1.0, 1.0, 0.0])
    >>> a_in, a_n = effective_damping(a, (0, 1, 0)), effective_damping(a, (0, 0, 1))
    >>> print(f"{a_in:.4f} {a_n:.4f}")
    0.0120 0.0140
    >>> print(f"{effective_damping(a, (0, 1, 0), H1=1.0, H2=3.0):.4f}")
    0.0130
    >>> effective_damping(a, (0, 1, 0), H1=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: H1 = -1.0 : H1 must be finite and > 0.
    """
    H1 = positive("H1", H1)
    H2 = positive("H2", H2)
    alpha_tensor = np.asarray(alpha_tensor, dtype=float)
    if alpha_tensor.shape != (3, 3):
        raise ValueError("alpha_tensor must have shape (3, 3).")
    axis = unit_vector("axis", axis)
    if e1 is None:
        e1 = np.cross([0.0, 0.0, 1.0], axis)
        if np.linalg.norm(e1) < 1e-12:
            e1 = np.array([1.0, 0.0, 0.0])
    e1 = np.asarray(e1, dtype=float)
    e1 = unit_vector("e1 (perpendicular to axis)", e1 - (e1 @ axis) * axis)
    e2 = np.cross(axis, e1)
    a11 = e1 @ alpha_tensor @ e1
    a22 = e2 @ alpha_tensor @ e2
    return float((H2 * a11 + H1 * a22) / (H1 + H2))
