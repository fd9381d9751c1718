r"""Finite temperature: Brown's thermal field and exact results for macrospins.

These are the independent oracles of the stochastic LLG solver (they use no code of
the engine) and useful on their own: the Boltzmann distributions of a macrospin, its
exact Néel-Brown escape and relaxation times, the correlation of two exchange-coupled
spins and the linear spin-wave reduction of the magnetisation of a film.

Brown's thermal field
---------------------
The Gilbert-form LLG of this package (README "Physics conventions"),

.. math::
    \dot{\mathbf m} = -\gamma_0\,\mathbf m\times(\mathbf H_{eff} + \mathbf H_T
        + \mathbf H_{th}) + \mathbf m\times(\boldsymbol\alpha\,\dot{\mathbf m}),

has a friction force: :math:`\mathbf m\times(\boldsymbol\alpha\dot{\mathbf m}) =
-\gamma_0\,\mathbf m\times\mathbf H_d` with the dissipative field
:math:`\mathbf H_d = -\boldsymbol\alpha\dot{\mathbf m}/\gamma_0`, i.e. the
generalised force :math:`\mu_0 M_s V\mathbf H_d = -\Gamma\dot{\mathbf m}` with the
friction tensor :math:`\Gamma = \mu_0 M_s V\boldsymbol\alpha/\gamma_0` (J s). The
fluctuation-dissipation theorem gives the Langevin force of this friction, white and
Gaussian with :math:`\langle F_i(t)F_j(t')\rangle = 2k_BT\,\Gamma_{ij}\,
\delta(t - t')`, i.e. Brown's field :math:`\mathbf H_{th} = \mathbf F/(\mu_0 M_s V)`
with

.. math::
    \langle H_{th,i}(t)\, H_{th,j}(t')\rangle = 2 D_{ij}\,\delta(t - t'),\qquad
    D_{ij} = \frac{\alpha_{ij}\, k_B T}{\gamma_0\,\mu_0 M_s V}.

Units: :math:`k_BT` (J) / (:math:`\gamma_0` m/(A s) :math:`\cdot\,\mu_0` T m/A
:math:`\cdot\, M_s` A/m :math:`\cdot\, V` m³ = J m²/(A² s)) = (A/m)² s, so :math:`D\,
\delta(t)` is (A/m)² as it must be. Over a step dt the field is constant with
variance :math:`2D/\mathrm{d}t` per component: :math:`\mathbf H_{th} =
\sqrt{2k_BT/(\gamma_0\mu_0 M_s V\mathrm{d}t)}\; L\boldsymbol\xi` with
:math:`\boldsymbol\xi` standard normal and :math:`LL^T = \boldsymbol\alpha`. For
``ud.AnisotropicDamping``, :math:`\boldsymbol\alpha = \alpha I + \delta\alpha(I -
\mathbf n\mathbf n)`, the symmetric root
:math:`L = \sqrt{\alpha + \delta\alpha}\,(I - \mathbf n\mathbf n) + \sqrt\alpha\,
\mathbf n\mathbf n` is the Cholesky factor in the frame of ``n``,
diag(:math:`\sqrt{\alpha + \delta\alpha}, \sqrt{\alpha + \delta\alpha}, \sqrt\alpha`).

Why the noise must follow the tensor, and the drift it brings: solving the Gilbert
form for the velocity, :math:`\dot{\mathbf m} = \gamma_0 B(\mathbf m)\mathbf H` with
:math:`B = -(I - [\mathbf m]_\times\boldsymbol\alpha)^{-1}[\mathbf m]_\times`
(:math:`[\mathbf m]_\times\mathbf v = \mathbf m\times\mathbf v`). Multiplying
:math:`B + B^T` and :math:`B\boldsymbol\alpha B^T` by :math:`C = I -
[\mathbf m]_\times\boldsymbol\alpha` from the left and :math:`C^T` from the right gives
:math:`-2[\mathbf m]_\times\boldsymbol\alpha[\mathbf m]_\times` and
:math:`-[\mathbf m]_\times\boldsymbol\alpha[\mathbf m]_\times` for every symmetric
:math:`\boldsymbol\alpha`, hence :math:`B\boldsymbol\alpha B^T = (B + B^T)/2`: with
the mobility :math:`Q = \gamma_0B/(\mu_0M_sV)` (:math:`\dot{\mathbf m} = -Q\nabla E`)
the diffusion matrix of the noise of :math:`D_{ij}` above is :math:`k_BT\,(Q +
Q^T)/2`, the fluctuation-dissipation relation. A scalar noise :math:`\alpha'`
instead gives :math:`\alpha'BB^T\ne(B + B^T)/2` and a wrong equilibrium.

That is necessary, not sufficient: the Boltzmann distribution
:math:`e^{-E/k_BT}` is stationary when the Itô drift is :math:`-Q\nabla E +
k_BT\,\partial_jQ_{ij}` (then the probability current is
:math:`k_BT\,\partial_j(Q^A_{ij}p)` with :math:`Q^A` antisymmetric, divergence
free). The Stratonovich equation, the white-noise limit of a physical bath (Wong-Zakai),
has the Itô drift :math:`-Q\nabla E + \tfrac12(\partial_kG_{ij})G_{kj}` with
:math:`G = \sqrt{2k_BT\gamma_0/(\mu_0M_sV)}\,BL`. The two agree for isotropic damping
(Brown's classic result), but not when the damping that m sees depends on its
direction, :math:`\delta\alpha > 0`: then the missing drift
:func:`tensor_damping_drift` must be added, which the engine does. (Both facts are
checked in ``tests/theory/test_thermal.py`` against finite-difference derivatives of
B, and the engine's equilibrium in ``tests/validation``.)

Current-driven torques (Dirac, spin Hall, Slonczewski, Zhang-Li) are reactive or
anti-damping drives by an external current source, not a friction of the magnet: they
carry no noise here (their shot noise is neglected, as in OOMMF and mumax3). The
damping enhancement :math:`\delta\alpha` of the topological-insulator surface is a
friction (energy pumped into the surface electrons at the same temperature) and does
carry its noise through :math:`\boldsymbol\alpha`.

Axially symmetric macrospin
---------------------------
For :math:`E = -KVm_z^2 - \mu_0 M_s V H m_z` (easy axis and field along z) the polar
motion decouples from the azimuth and :math:`x = m_z` obeys Brown's 1-D Fokker-Planck
equation (Brown, Phys. Rev. 130, 1677 (1963)) for the density :math:`p(x)` on
:math:`[-1, 1]` (uniform measure: :math:`d\Omega = dx\,d\phi`):

.. math::
    \partial_t p = \frac{1}{2\tau_N}\,\partial_x\big[(1 - x^2)(\partial_x p +
        U'(x)\,p)\big],\qquad U = \frac{E}{k_BT} = -s\,(x^2 + 2hx),

with the barrier :math:`s = KV/(k_BT)`, :math:`h = H/H_K`, :math:`H_K = 2K/(\mu_0M_s)`
and Brown's free-diffusion time

.. math:: \tau_N = \frac{(1 + \alpha^2)\,\mu_0 M_s V}{2\alpha\gamma_0 k_BT}
    = \frac{(1 + \alpha^2)\, s}{\alpha\gamma_0 H_K}.

(The drift is the Landau-Lifshitz damping :math:`\alpha\gamma_0/(1 + \alpha^2)` of the
Gilbert form: this is where the :math:`1 + \alpha^2` comes from; with the noise of
:math:`D` above the diffusion coefficient is :math:`k_BT` times the drift mobility.)
The stationary solution is :math:`p\propto e^{-U}`. Conventions for the rates (all in
:class:`UniaxialMacrospin`):

* escape rate out of the well at :math:`x = \pm1` for a high barrier (Kramers-Brown),
  :math:`k_\pm = \tau_N^{-1}\pi^{-1/2} s^{3/2}(1 - h^2)(1 \pm h)e^{-s(1\pm h)^2}`;
  for :math:`h = 0`, :math:`1/k = \tau_0 e^s`,
  :math:`1/\tau_0 = \alpha\gamma_0H_K\sqrt{s/\pi}/(1 + \alpha^2)`;
* the relaxation of :math:`\langle m_z\rangle` goes at the smallest non-zero eigenvalue
  :math:`\lambda_1\approx k_+ + k_-` of the Fokker-Planck operator (twice the escape
  rate for :math:`h = 0`): Brown's :math:`\tau = 1/\lambda_1\approx\tau_N(\sqrt\pi/2)
  s^{-3/2}e^s`;
* the mean first-passage time from the bottom of a well to the top of the barrier is
  :math:`\approx 1/(2k)` (half the crossings of the saddle recross); to a point well
  inside the other well it is :math:`\approx 1/k`.

:meth:`UniaxialMacrospin.mean_first_passage_time` is exact (double integral),
:meth:`~UniaxialMacrospin.relaxation_time`, :meth:`~UniaxialMacrospin.mz_mean` and
:meth:`~UniaxialMacrospin.survival` are exact up to a spectral (Legendre-Galerkin)
truncation that is converged to about 1e-10 for barriers up to about 20.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import scipy.linalg as _sl
from numpy.polynomial import legendre as _leg
from scipy import integrate as _integrate
from scipy import special as _special

from ..constants import GAMMA0, KB, MU0

__all__ = [
    "K_B",
    "UniaxialMacrospin",
    "free_diffusion_time",
    "mz_boltzmann_cdf",
    "mz_boltzmann_pdf",
    "spin_wave_mz_reduction",
    "spin_wave_stiffness",
    "tensor_damping_drift",
    "thermal_field_diffusion",
    "thermal_field_std",
    "two_spin_correlation",
]

K_B = KB  #: Boltzmann constant (J/K), :data:`ubermag_dirac.constants.KB`
#: Ubermag's gyromagnetic ratio (m/(A s)), ``mm.consts.gamma0`` (2.2128e5), the
#: default of every ``gamma0`` argument here
GAMMA0_UBERMAG = GAMMA0

_GL_NODES = 256  # Gauss-Legendre nodes of the Boltzmann integrals (entire integrands)


def _positive(name, value, unit):
    value = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(value)) or np.any(value <= 0):
        raise ValueError(f"{name} = {value!r} {unit}: {name} must be finite and > 0.")
    return value


def _nonnegative(name, value, unit):
    value = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(value)) or np.any(value < 0):
        raise ValueError(f"{name} = {value!r} {unit}: {name} must be finite and >= 0.")
    return value


def _finite(name, value):
    value = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} = {value!r} must be finite.")
    return value


def _as_mz(mz, name="mz"):
    mz = np.asarray(mz, dtype=float)
    if not np.all(np.isfinite(mz)) or np.any(np.abs(mz) > 1.0):
        raise ValueError(f"{name} must be finite with -1 <= {name} <= 1, got {mz!r}.")
    return mz


# --------------------------------------------------------------- Brown's field
def thermal_field_diffusion(alpha, Ms, V, T, gamma0=GAMMA0_UBERMAG):
    r"""Diffusion constant :math:`D` of Brown's thermal field, (A/m)² s.

    .. math:: D = \frac{\alpha\, k_BT}{\gamma_0\,\mu_0 M_s V},\qquad
        \langle H_{th,i}(t) H_{th,j}(t')\rangle = 2D\,\delta_{ij}\,\delta(t - t')

    (for a damping tensor, ``alpha`` is one of its eigenvalues: the covariance is
    :math:`2D_{ij}` with :math:`D_{ij}\propto\alpha_{ij}`, see the module docstring).

    Parameters
    ----------
    alpha : float or array_like
        Gilbert damping (dimensionless, >= 0).
    Ms : float or array_like
        Saturation magnetisation (A/m), > 0.
    V : float or array_like
        Volume of the cell or particle (m³), > 0.
    T : float or array_like
        Temperature (K), >= 0.
    gamma0 : float, optional
        Gyromagnetic ratio of the Gilbert form (m/(A s)), default Ubermag's
        ``mm.consts.gamma0`` = 2.2128e5 (pass the ``gamma0`` of the system's
        ``mm.Precession``).

    Examples
    --------
    >>> from ubermag_dirac.theory import thermal
    >>> f"{thermal.thermal_field_diffusion(0.1, 8e5, 1e-24, 300.0):.4e}"
    '1.8620e-03'
    >>> thermal.thermal_field_diffusion(0.1, 0.0, 1e-24, 300.0)
    Traceback (most recent call last):
    ...
    ValueError: Ms = array(0.) A/m: Ms must be finite and > 0.
    """
    alpha, Ms, V, T, gamma0 = _brown_args(alpha, Ms, V, T, gamma0, _nonnegative)
    return alpha * K_B * T / (gamma0 * MU0 * Ms * V)


def _brown_args(alpha, Ms, V, T, gamma0, check):
    """Validated arrays; ``check`` (_positive or _nonnegative) for alpha and T."""
    return (
        check("alpha", alpha, ""),
        _positive("Ms", Ms, "A/m"),
        _positive("V", V, "m^3"),
        check("T", T, "K"),
        _positive("gamma0", gamma0, "m/(A s)"),
    )


def thermal_field_std(alpha, Ms, V, T, dt, gamma0=GAMMA0_UBERMAG):
    r"""Standard deviation of one component of the discrete thermal field, A/m.

    Over a time step ``dt`` (s) the field is held constant:
    :math:`\sigma = \sqrt{2D/\mathrm{d}t}` with :math:`D` of
    :func:`thermal_field_diffusion`.

    Examples
    --------
    >>> from ubermag_dirac.theory import thermal
    >>> f"{thermal.thermal_field_std(0.1, 8e5, 1e-24, 300.0, 1e-13):.4e}"
    '1.9297e+05'
    >>> thermal.thermal_field_std(0.1, 8e5, 1e-24, 300.0, dt=-1e-13)
    Traceback (most recent call last):
    ...
    ValueError: dt = array(-1.e-13) s: dt must be finite and > 0.
    """
    dt = _positive("dt", dt, "s")
    return np.sqrt(2.0 * thermal_field_diffusion(alpha, Ms, V, T, gamma0) / dt)


def free_diffusion_time(alpha, Ms, V, T, gamma0=GAMMA0_UBERMAG):
    r"""Brown's free-diffusion time :math:`\tau_N` (s).

    .. math:: \tau_N = \frac{(1 + \alpha^2)\,\mu_0 M_s V}{2\alpha\gamma_0 k_B T}

    The rotational diffusion of a macrospin without anisotropy:
    :math:`\langle\mathbf m(t)\rangle = \mathbf m(0)\, e^{-t/\tau_N}`
    (Gilbert-form :math:`\gamma_0`; the Landau-Lifshitz damping is
    :math:`\alpha\gamma_0/(1 + \alpha^2)`).

    Examples
    --------
    >>> from ubermag_dirac.theory import thermal
    >>> f"{thermal.free_diffusion_time(1.0, 8e5, 1e-25, 300.0):.4e}"
    '1.0969e-10'
    >>> thermal.free_diffusion_time(0.0, 8e5, 1e-25, 300.0)
    Traceback (most recent call last):
    ...
    ValueError: alpha = array(0.)  : alpha must be finite and > 0.
    """
    alpha, Ms, V, T, gamma0 = _brown_args(alpha, Ms, V, T, gamma0, _positive)
    return (1.0 + alpha**2) * MU0 * Ms * V / (2.0 * alpha * gamma0 * K_B * T)


def tensor_damping_drift(m, alpha, dalpha, n=(0.0, 0.0, 1.0)):
    r"""Noise-induced drift of the Gilbert damping tensor, per unit
    :math:`\gamma_0k_BT/(\mu_0M_sV)` (dimensionless).

    With :math:`\hat\alpha = \alpha I + \delta\alpha(I - \mathbf n\mathbf n)`, the
    mobility :math:`B(\mathbf m) = -(I - [\mathbf m]_\times\hat\alpha)^{-1}
    [\mathbf m]_\times` and the noise of the module docstring, detailed balance needs
    the Stratonovich equation to carry the extra velocity
    :math:`\dot{\mathbf m}\mathrel{+}=(\gamma_0k_BT/(\mu_0M_sV))\,\boldsymbol\Delta`,

    .. math:: \Delta_i = \partial_jB_{ij} - (\partial_kB_{il})(B\hat\alpha)_{kl},

    which works out (symbolic algebra, reduced on :math:`|\mathbf m| = 1`) to

    .. math:: \boldsymbol\Delta = -\frac{\delta\alpha\,a\,c}{(1 + a(\alpha +
        \delta\alpha\,c^2))^2}\,\big[a\,\mathbf n_\perp - \mathbf m\times
        \mathbf n\big],\qquad a = \alpha + \delta\alpha,\ c = \mathbf m\cdot
        \mathbf n,\ \mathbf n_\perp = \mathbf n - c\,\mathbf m.

    It vanishes for :math:`\delta\alpha = 0` (Brown), at the poles and on the
    equator; in between its component along :math:`\mathbf n_\perp` moves m away
    from the nearer pole, cancelling the bias of the Stratonovich drift towards the
    poles (without it the equilibrium is too cold in the polar angle). The
    denominator is that of the Gilbert solve (``ubermag_dirac.engine.llg``).

    Parameters
    ----------
    m : array_like, shape (..., 3)
        Unit magnetisation.
    alpha, dalpha : float or array_like
        :math:`\alpha > 0` and :math:`\delta\alpha \ge 0`.
    n : array_like, shape (3,), optional
        Unit normal of the tensor.

    Examples
    --------
    >>> import numpy as np
    >>> from ubermag_dirac.theory import thermal
    >>> thermal.tensor_damping_drift([0.6, 0.0, 0.8], 0.1, 0.0)  # isotropic
    array([ 0.,  0., -0.])
    >>> v = thermal.tensor_damping_drift([0.6, 0.0, 0.8], 0.1, 1.0)
    >>> bool(abs(v @ [0.6, 0.0, 0.8]) < 1e-15)  # tangent
    True
    >>> thermal.tensor_damping_drift([0.6, 0.0, 0.8], 0.1, -1.0)
    Traceback (most recent call last):
    ...
    ValueError: dalpha = array(-1.)  : dalpha must be finite and >= 0.
    """
    m = np.asarray(m, dtype=float)
    a0 = _nonnegative("alpha", alpha, "")
    d = _nonnegative("dalpha", dalpha, "")
    n = np.asarray(n, dtype=float)
    n = n / np.linalg.norm(n)
    a = a0 + d
    c = np.sum(m * n, axis=-1)
    den = 1.0 + a * (a0 + d * c * c)
    w = a[..., None] * (n - c[..., None] * m) - np.cross(m, n)
    return -((d * a * c) / den**2)[..., None] * w


# ----------------------------------------------------- Boltzmann distributions
@functools.cache
def _gauss_legendre(n=_GL_NODES):
    return _leg.leggauss(n)


def _log_weight(x, barrier, h_par, h_perp):
    """log of the unnormalised m_z density (see `mz_boltzmann_pdf`)."""
    z = 2.0 * barrier * h_perp * np.sqrt(np.clip(1.0 - x * x, 0.0, None))
    return barrier * (x * x + 2.0 * h_par * x) + np.log(_special.i0e(z)) + z


def _log_norm(barrier, h_par, h_perp):
    """log of the integral of exp(_log_weight) over [-1, 1] (Gauss-Legendre)."""
    x, w = _gauss_legendre()
    lw = _log_weight(x, barrier, h_par, h_perp)
    top = lw.max()
    return top + np.log(np.sum(w * np.exp(lw - top)))


def _boltzmann_args(barrier, h_par, h_perp):
    barrier = float(_nonnegative("barrier", barrier, ""))
    h_par = float(_finite("h_par", h_par))
    h_perp = float(_nonnegative("h_perp", h_perp, ""))
    return barrier, h_par, h_perp


def mz_boltzmann_pdf(mz, barrier, h_par=0.0, h_perp=0.0):
    r"""Exact Boltzmann density of :math:`m_z` of a uniaxial macrospin (per unit m_z).

    Energy :math:`E = -KV m_z^2 - \mu_0 M_s V(H_\parallel m_z + H_\perp m_x)`, easy
    axis z, in units of :math:`k_BT`: :math:`E/k_BT = -s(m_z^2 + 2h_\parallel m_z +
    2h_\perp m_x)` with :math:`s = KV/(k_BT)` and :math:`h = H/H_K`,
    :math:`H_K = 2K/(\mu_0M_s)`. On the sphere :math:`d\Omega = dm_z\,d\phi` and
    :math:`m_x = \sqrt{1 - m_z^2}\cos\phi`; the azimuth integral
    :math:`\int_0^{2\pi}e^{a\cos\phi}d\phi = 2\pi I_0(a)` gives the marginal

    .. math:: p(m_z) = \frac{1}{Z}\, e^{s(m_z^2 + 2h_\parallel m_z)}\,
        I_0\!\big(2sh_\perp\sqrt{1 - m_z^2}\big),\qquad \int_{-1}^1 p\,dm_z = 1.

    ``h_par`` and ``h_perp`` are reduced by :math:`H_K`; with ``barrier = 0`` pass the
    Zeeman energies through the products (``barrier * h`` is what enters), so use a
    small positive barrier for a pure-field problem. The integrand is an entire
    function of m_z (:math:`I_0(c\sqrt u)` is entire in u), so the normalisation by
    256-point Gauss-Legendre quadrature is exact to rounding for barriers up to ~50.

    Parameters
    ----------
    mz : array_like
        Values in [-1, 1].
    barrier : float
        :math:`s = KV/(k_BT)` (>= 0).
    h_par, h_perp : float, optional
        Field along the easy axis and perpendicular to it (>= 0), in units of
        :math:`H_K`.

    Returns
    -------
    numpy.ndarray
        :math:`p(m_z)` (dimensionless, per unit :math:`m_z`).

    Examples
    --------
    Uniform without anisotropy and field; the density of a strong barrier is peaked
    at the poles:

    >>> from ubermag_dirac.theory import thermal
    >>> thermal.mz_boltzmann_pdf([-1.0, 0.0, 1.0], 0.0)
    array([0.5, 0.5, 0.5])
    >>> p = thermal.mz_boltzmann_pdf([0.0, 1.0], 10.0, h_perp=0.3)
    >>> bool(p[1] > 100 * p[0])
    True
    >>> thermal.mz_boltzmann_pdf(1.5, 10.0)
    Traceback (most recent call last):
    ...
    ValueError: mz must be finite with -1 <= mz <= 1, got array(1.5).
    """
    mz = _as_mz(mz)
    barrier, h_par, h_perp = _boltzmann_args(barrier, h_par, h_perp)
    log_z = _log_norm(barrier, h_par, h_perp)
    return np.exp(_log_weight(mz, barrier, h_par, h_perp) - log_z)


def mz_boltzmann_cdf(mz, barrier, h_par=0.0, h_perp=0.0):
    r"""Cumulative distribution :math:`P(m_z' \le m_z)` of :func:`mz_boltzmann_pdf`.

    :math:`\int_{-1}^{m_z} p\,dm_z'` by a 256-point Gauss-Legendre rule mapped onto
    :math:`[-1, m_z]` (exact to rounding: the integrand is entire).

    Examples
    --------
    >>> from ubermag_dirac.theory import thermal
    >>> thermal.mz_boltzmann_cdf([-1.0, 0.0, 0.5, 1.0], 0.0)
    array([0.  , 0.5 , 0.75, 1.  ])
    >>> float(thermal.mz_boltzmann_cdf(0.0, 8.0, h_perp=0.2))  # symmetric wells
    0.5
    >>> thermal.mz_boltzmann_cdf(0.0, -1.0)
    Traceback (most recent call last):
    ...
    ValueError: barrier = array(-1.)  : barrier must be finite and >= 0.
    """
    mz = _as_mz(mz)
    barrier, h_par, h_perp = _boltzmann_args(barrier, h_par, h_perp)
    log_z = _log_norm(barrier, h_par, h_perp)
    x, w = _gauss_legendre()
    half = (mz[..., None] + 1.0) / 2.0
    nodes = -1.0 + half * (x + 1.0)
    lw = _log_weight(nodes, barrier, h_par, h_perp) - log_z
    return np.clip(np.sum(w * np.exp(lw), axis=-1) * half[..., 0], 0.0, 1.0)


def two_spin_correlation(coupling, barrier=0.0):
    r"""Exact thermal average :math:`\langle\mathbf m_1\cdot\mathbf m_2\rangle` of two
    exchange-coupled macrospins.

    Energy in units of :math:`k_BT`: :math:`E/k_BT = -\kappa\,\mathbf m_1\cdot\mathbf
    m_2 - s(m_{1z}^2 + m_{2z}^2)` with ``coupling`` :math:`\kappa = J/(k_BT)` and
    ``barrier`` :math:`s = KV/(k_BT)` of each spin (easy axis z). For two cells of a
    finite-difference mesh (volume V, spacing d, exchange A, six-neighbour Laplacian
    as OOMMF), :math:`J = 2AV/d^2`.

    With :math:`z_k = m_{k,z}`, :math:`\rho = \sqrt{(1 - z_1^2)(1 - z_2^2)}` and the
    relative azimuth :math:`\phi`, :math:`\mathbf m_1\cdot\mathbf m_2 = z_1z_2 +
    \rho\cos\phi`; the azimuth integrals are :math:`2\pi I_0(\kappa\rho)` and
    :math:`2\pi I_1(\kappa\rho)`, so

    .. math::
        \langle\mathbf m_1\cdot\mathbf m_2\rangle = \frac{\int\!\!\int dz_1dz_2\,
        e^{\kappa z_1z_2 + s(z_1^2 + z_2^2)}\,[z_1z_2I_0(\kappa\rho) +
        \rho I_1(\kappa\rho)]}{\int\!\!\int dz_1dz_2\, e^{\kappa z_1z_2 + s(z_1^2 +
        z_2^2)}\, I_0(\kappa\rho)},

    evaluated with a 256 x 256 Gauss-Legendre rule (entire integrands). For
    :math:`s = 0` it is the Langevin function :math:`\coth\kappa - 1/\kappa`.

    Examples
    --------
    >>> import numpy as np
    >>> from ubermag_dirac.theory import thermal
    >>> k = 3.0
    >>> bool(np.isclose(thermal.two_spin_correlation(k), 1 / np.tanh(k) - 1 / k))
    True
    >>> thermal.two_spin_correlation(-1.0, 2.0)  # antiferromagnetic coupling
    np.float64(-0.3...)
    >>> thermal.two_spin_correlation(np.inf)
    Traceback (most recent call last):
    ...
    ValueError: coupling = array(inf) must be finite.
    """
    kappa = float(_finite("coupling", coupling))
    s = float(_nonnegative("barrier", barrier, ""))
    x, w = _gauss_legendre()
    z1, z2 = x[:, None], x[None, :]
    ww = w[:, None] * w[None, :]
    rho = np.sqrt((1.0 - z1 * z1) * (1.0 - z2 * z2))
    arg = abs(kappa) * rho
    i0, i1 = _special.i0e(arg), _special.i1e(arg)
    # log weight, shifted by its maximum |kappa| + 2 s to avoid overflow
    lw = kappa * z1 * z2 + arg + s * (z1 * z1 + z2 * z2) - abs(kappa) - 2.0 * s
    e = ww * np.exp(lw)
    # I1 is odd: I1(kappa rho) = sign(kappa) I1(|kappa| rho)
    num = np.sum(e * (z1 * z2 * i0 + np.sign(kappa) * rho * i1))
    return num / np.sum(e * i0)


# --------------------------------------------------------- linear spin waves
def _laplacian_eigenvalues(n, d, periodic):
    """Eigenvalues (1/m^2) of the 1-D nearest-neighbour Laplacian -Delta_h."""
    k = np.arange(n)
    if periodic:
        return (2.0 - 2.0 * np.cos(2.0 * np.pi * k / n)) / d**2
    return (2.0 - 2.0 * np.cos(np.pi * k / n)) / d**2  # free (Neumann) ends


def spin_wave_stiffness(*, Ms, A, K=0.0, H=0.0, cell, n, pbc=""):
    r"""Stiffness :math:`\kappa_{\mathbf k}` (J) of the linear spin-wave modes of a
    finite-difference ferromagnet saturated along +z.

    Cells of volume :math:`V = d_xd_yd_z`, exchange ``A`` on the six-neighbour
    stencil (OOMMF's, also ours): :math:`E_{ex} = \sum_{\langle ij\rangle}
    (2AV/d^2)(1 - \mathbf m_i\cdot\mathbf m_j)`; perpendicular uniaxial anisotropy
    :math:`-KVm_z^2` and a field ``H`` along +z per cell; no demag. To second order in
    the transverse components :math:`\mathbf m_\perp`,

    .. math::
        E = \mathrm{const} + \tfrac12\sum_{\mathbf k}\kappa_{\mathbf k}
        (|c_{x,\mathbf k}|^2 + |c_{y,\mathbf k}|^2),\qquad
        \kappa_{\mathbf k} = V\big(\mu_0 M_s H + 2K + 2A\lambda_{\mathbf k}\big),

    where :math:`c_{\mathbf k}` are the amplitudes in the orthonormal eigenbasis of the
    discrete Laplacian (DCT-II, ``norm="ortho"``, along free directions; the unitary
    DFT along periodic ones) and :math:`\lambda_{\mathbf k} = \sum_a\lambda_a(k_a)`
    with :math:`\lambda_a = (2 - 2\cos(\pi k/n_a))/d_a^2` (free) or
    :math:`(2 - 2\cos(2\pi k/n_a))/d_a^2` (periodic), :math:`k = 0\ldots n_a - 1`.
    Equipartition: :math:`\langle|c_{x,\mathbf k}|^2\rangle = k_BT/\kappa_{\mathbf k}`.

    Parameters
    ----------
    Ms : float
        Saturation magnetisation (A/m), > 0.
    A : float
        Exchange constant (J/m), >= 0.
    K : float, optional
        Uniaxial anisotropy along z (J/m³).
    H : float, optional
        Field along +z (A/m). :math:`\mu_0M_sH + 2K` must be > 0 (a stable, saturated
        state).
    cell : tuple of 3 floats
        Cell size (m).
    n : tuple of 3 ints
        Number of cells.
    pbc : str or iterable, optional
        Periodic directions, e.g. ``"xy"`` (as ``df.Mesh(bc=...)``).

    Returns
    -------
    numpy.ndarray, shape n
        :math:`\kappa_{\mathbf k}` (J) on the grid of mode indices.

    Examples
    --------
    >>> from ubermag_dirac.theory import thermal
    >>> k = thermal.spin_wave_stiffness(
    ...     Ms=8e5, A=1e-11, K=5e5, cell=(2e-9, 2e-9, 2e-9), n=(4, 1, 1)
    ... )
    >>> k.shape, f"{k[0, 0, 0]:.3e}"  # uniform mode: 2 K V
    ((4, 1, 1), '8.000e-21')
    >>> thermal.spin_wave_stiffness(
    ...     Ms=8e5, A=1e-11, K=-5e5, cell=(1e-9,) * 3, n=(1,) * 3
    ... )
    Traceback (most recent call last):
    ...
    ValueError: mu0 Ms H + 2 K = -1e+06 J/m^3: the state saturated along +z is ...
    """
    Ms = float(_positive("Ms", Ms, "A/m"))
    A = float(_nonnegative("A", A, "J/m"))
    K = float(_finite("K", K))
    H = float(_finite("H", H))
    cell = np.asarray(cell, dtype=float)
    if cell.shape != (3,) or np.any(~np.isfinite(cell)) or np.any(cell <= 0):
        raise ValueError(f"cell must be three positive lengths (m), got {cell!r}.")
    n = tuple(int(v) for v in n)
    if len(n) != 3 or min(n) < 1:
        raise ValueError(f"n must be three positive integers, got {n!r}.")
    pbc = set(pbc)
    if not pbc <= set("xyz"):
        raise ValueError(f"pbc must name directions among 'x', 'y', 'z', got {pbc!r}.")
    onsite = MU0 * Ms * H + 2.0 * K
    if onsite <= 0:
        raise ValueError(
            f"mu0 Ms H + 2 K = {onsite:.6g} J/m^3: the state saturated along +z is "
            "unstable or marginal; linear spin waves need mu0 Ms H + 2 K > 0."
        )
    lam = np.zeros(n)
    for axis, (na, da, name) in enumerate(zip(n, cell, "xyz", strict=True)):
        shape = [1, 1, 1]
        shape[axis] = na
        lam = lam + _laplacian_eigenvalues(na, da, name in pbc).reshape(shape)
    return float(np.prod(cell)) * (onsite + 2.0 * A * lam)


def spin_wave_mz_reduction(T, **stiffness):
    r"""Linear spin-wave reduction :math:`1 - \langle m_z\rangle` (cell average).

    With :math:`m_z = 1 - |\mathbf m_\perp|^2/2 + O(m_\perp^4)` and equipartition of
    the modes of :func:`spin_wave_stiffness` (two quadratures per mode),

    .. math:: 1 - \langle m_z\rangle = \frac{k_BT}{N}\sum_{\mathbf k}
        \frac{1}{\kappa_{\mathbf k}} + O(T^2),

    N the number of cells. The :math:`O(T^2)` term (anharmonic modes, the
    :math:`m_\perp^4` of :math:`m_z`) is of relative size :math:`1 - \langle
    m_z\rangle`: the formula is the low-temperature slope.

    Parameters
    ----------
    T : float or array_like
        Temperature (K), >= 0.
    **stiffness
        Keyword arguments of :func:`spin_wave_stiffness`.

    Examples
    --------
    One cell: :math:`k_BT/(2KV)`, the :math:`1/(2s)` of a macrospin in a deep well:

    >>> from ubermag_dirac.theory import thermal
    >>> V, K = 1e-24, 5e5
    >>> r = thermal.spin_wave_mz_reduction(
    ...     300.0, Ms=8e5, A=1e-11, K=K, cell=(1e-8, 1e-8, 1e-8), n=(1, 1, 1)
    ... )
    >>> bool(abs(r - thermal.K_B * 300 / (2 * K * V)) < 1e-15)
    True
    >>> thermal.spin_wave_mz_reduction(
    ...     -1.0, Ms=8e5, A=0, K=K, cell=(1e-8,) * 3, n=(1,) * 3
    ... )
    Traceback (most recent call last):
    ...
    ValueError: T = array(-1.) K: T must be finite and >= 0.
    """
    T = _nonnegative("T", T, "K")
    kappa = spin_wave_stiffness(**stiffness)
    return K_B * T * np.mean(1.0 / kappa)


# -------------------------------------------------- axially symmetric macrospin
class UniaxialMacrospin:
    r"""Exact thermal statistics and Néel-Brown dynamics of a uniaxial macrospin.

    Energy :math:`E = -KVm_z^2 - \mu_0M_sV(H m_z + H_\perp m_x)` (easy axis z),
    Gilbert damping ``alpha``, temperature ``T``; the derivations and the rate
    conventions are in the module docstring. The equilibrium methods accept an
    in-plane field ``H_perp``; the dynamic ones need axial symmetry
    (``H_perp = 0``).

    Parameters
    ----------
    K : float
        Uniaxial anisotropy constant (J/m³), > 0.
    Ms : float
        Saturation magnetisation (A/m), > 0.
    V : float
        Volume (m³), > 0.
    T : float
        Temperature (K), > 0.
    alpha : float, optional
        Gilbert damping (> 0); needed by the dynamic methods only.
    H : float, optional
        Field along +z (A/m); :math:`|H| < H_K` for two wells.
    H_perp : float, optional
        Field along +x (A/m), equilibrium methods only.
    gamma0 : float, optional
        Gilbert gyromagnetic ratio (m/(A s)), default Ubermag's
        ``mm.consts.gamma0`` = 2.2128e5.

    Attributes
    ----------
    barrier : float
        :math:`s = KV/(k_BT)`.
    H_K : float
        Anisotropy field :math:`2K/(\mu_0M_s)` (A/m).
    h, h_perp : float
        :math:`H/H_K`, :math:`H_\perp/H_K`.

    Examples
    --------
    A 1e-25 m³ particle with a barrier of 10 k_BT at 300 K, alpha = 0.1:

    >>> from ubermag_dirac.theory import thermal
    >>> V, T = 1e-25, 300.0
    >>> K = 10 * thermal.K_B * T / V
    >>> p = thermal.UniaxialMacrospin(K=K, Ms=8e5, V=V, T=T, alpha=0.1)
    >>> round(p.barrier, 12)
    10.0
    >>> f"{p.brown_escape_time():.3e} s"  # Brown's asymptote, one well
    '6.839e-07 s'
    >>> t = p.mean_first_passage_time(m_start=1.0, m_end=-0.5)  # exact
    >>> bool(0.9 < t / p.brown_escape_time() < 1.2)
    True
    >>> thermal.UniaxialMacrospin(K=K, Ms=8e5, V=V, T=T).relaxation_time()
    Traceback (most recent call last):
    ...
    ValueError: alpha is needed for the dynamics (relaxation_time): give alpha > 0.
    """

    def __init__(
        self,
        *,
        K,
        Ms,
        V,
        T,
        alpha=None,
        H=0.0,
        H_perp=0.0,
        gamma0=GAMMA0_UBERMAG,
    ):
        self.K = float(_positive("K", K, "J/m^3"))
        self.Ms = float(_positive("Ms", Ms, "A/m"))
        self.V = float(_positive("V", V, "m^3"))
        self.T = float(_positive("T", T, "K"))
        self.alpha = None if alpha is None else float(_positive("alpha", alpha, ""))
        self.H = float(_finite("H", H))
        self.H_perp = float(_nonnegative("H_perp", H_perp, "A/m"))
        self.gamma0 = float(_positive("gamma0", gamma0, "m/(A s)"))
        self.barrier = self.K * self.V / (K_B * self.T)
        self.H_K = 2.0 * self.K / (MU0 * self.Ms)
        self.h = self.H / self.H_K
        self.h_perp = self.H_perp / self.H_K

    def __repr__(self):
        return (
            f"UniaxialMacrospin(barrier={self.barrier:.6g}, h={self.h:.6g}, "
            f"h_perp={self.h_perp:.6g}, alpha={self.alpha})"
        )

    # ----------------------------------------------------------- equilibrium
    def mz_pdf(self, mz):
        """Boltzmann density of :math:`m_z` (:func:`mz_boltzmann_pdf`)."""
        return mz_boltzmann_pdf(mz, self.barrier, self.h, self.h_perp)

    def mz_cdf(self, mz):
        """Its cumulative distribution (:func:`mz_boltzmann_cdf`)."""
        return mz_boltzmann_cdf(mz, self.barrier, self.h, self.h_perp)

    # --------------------------------------------------------------- dynamics
    def _dynamics(self, what):
        if self.alpha is None:
            raise ValueError(
                f"alpha is needed for the dynamics ({what}): give alpha > 0."
            )
        if self.h_perp != 0:
            raise ValueError(
                f"{what} needs axial symmetry (H_perp = 0); got H_perp = "
                f"{self.H_perp!r} A/m. Only the equilibrium methods accept H_perp."
            )

    @property
    def tau_N(self):
        r"""Brown's free-diffusion time :math:`\tau_N` (s), see
        :func:`free_diffusion_time`."""
        self._dynamics("tau_N")
        return float(
            free_diffusion_time(self.alpha, self.Ms, self.V, self.T, self.gamma0)
        )

    def _rate_unit(self):
        """D0 = 1/(2 tau_N) (1/s), the rate unit of the reduced Fokker-Planck eq."""
        return 0.5 / self.tau_N

    def _U_prime(self, x):
        return -2.0 * self.barrier * (x + self.h)

    def _U(self, x):
        return -self.barrier * (x * x + 2.0 * self.h * x)

    def brown_escape_time(self, well=1):
        r"""Brown's high-barrier mean escape time out of the well at :math:`m_z =`
        ``well`` (s).

        .. math:: \frac{1}{k_\pm} = \tau_N\,\frac{\sqrt\pi}{s^{3/2}(1 - h^2)(1 \pm h)}
            e^{s(1\pm h)^2}

        (Kramers' rate for the 1-D Fokker-Planck equation, asymptotic in
        :math:`1/s`; for :math:`h = 0` it is :math:`\tau_0e^s`,
        :math:`1/\tau_0 = \alpha\gamma_0H_K\sqrt{s/\pi}/(1 + \alpha^2)`). Needs
        :math:`|h| < 1`.

        Examples
        --------
        >>> from ubermag_dirac.theory import thermal
        >>> p = thermal.UniaxialMacrospin(K=1e5, Ms=8e5, V=1e-24, T=300.0, alpha=0.1)
        >>> f"{p.barrier:.4f} {p.brown_escape_time():.4e}"
        '24.1432 2.5299e+00'
        >>> p.brown_escape_time(well=0)
        Traceback (most recent call last):
        ...
        ValueError: well must be +1 or -1, got 0.
        """
        self._dynamics("brown_escape_time")
        if well not in (1, -1):
            raise ValueError(f"well must be +1 or -1, got {well!r}.")
        self._two_wells()
        s, h = self.barrier, well * self.h
        rate = s**1.5 * (1.0 - h * h) * (1.0 + h) * np.exp(-s * (1.0 + h) ** 2)
        return float(self.tau_N * np.sqrt(np.pi) / rate)

    def brown_relaxation_time(self):
        r"""Brown's high-barrier relaxation time :math:`1/(k_+ + k_-)` (s).

        The asymptote of :meth:`relaxation_time`; for :math:`h = 0`,
        :math:`\tau_N(\sqrt\pi/2)s^{-3/2}e^s`, half the escape time.
        """
        return 1.0 / (
            1.0 / self.brown_escape_time(1) + 1.0 / self.brown_escape_time(-1)
        )

    def _two_wells(self):
        if not abs(self.h) < 1.0:
            raise ValueError(
                f"|H| = {abs(self.H):.6g} A/m >= H_K = {self.H_K:.6g} A/m: one well "
                "only, there is no barrier to escape over."
            )

    def mean_first_passage_time(self, m_start=1.0, m_end=0.0):
        r"""Exact mean first-passage time from :math:`m_z =` ``m_start`` down to
        ``m_end`` (s).

        The backward equation :math:`D_0e^{U}\partial_x[(1 - x^2)e^{-U}\partial_x
        t] = -1` with :math:`t(m_{end}) = 0` and a natural boundary at :math:`x = 1`
        gives

        .. math:: t(x_0) = \frac{1}{D_0}\int_{m_{end}}^{x_0}\frac{dy}{1 - y^2}
            \int_y^1 e^{U(y) - U(z)}\,dz,\qquad D_0 = \frac{1}{2\tau_N},

        integrated by adaptive quadrature to 1e-12 relative (both integrands are
        positive and finite: the inner integral is O(1 - y) at y -> 1). The pole
        :math:`m_z = -1` itself is never reached (a point on the sphere): ``m_end``
        must be > -1.

        Parameters
        ----------
        m_start : float, optional
            Start, in (m_end, 1]; default the bottom of the +z well.
        m_end : float, optional
            Absorbing level, in (-1, m_start); default 0 (the top of the barrier for
            :math:`h = 0`).

        Examples
        --------
        Free diffusion (a negligible barrier) from the pole to the equator takes
        :math:`2\ln 2\,\tau_N`:

        >>> from ubermag_dirac.theory import thermal
        >>> p = thermal.UniaxialMacrospin(K=1e-6, Ms=8e5, V=1e-26, T=300.0, alpha=1.0)
        >>> f"{p.mean_first_passage_time() / p.tau_N:.6f}"
        '1.386294'
        >>> p.mean_first_passage_time(m_start=0.0, m_end=0.5)
        Traceback (most recent call last):
        ...
        ValueError: need -1 < m_end < m_start <= 1, got m_start=0.0, m_end=0.5.
        """
        self._dynamics("mean_first_passage_time")
        x0, a = self._passage_levels(m_start, m_end)
        U = self._U

        def inner(y):
            return _integrate.quad(
                lambda z: np.exp(U(y) - U(z)),
                y,
                1.0,
                epsabs=0.0,
                epsrel=1e-13,
                limit=200,
            )[0]

        outer = _integrate.quad(
            lambda y: inner(y) / (1.0 - y * y),
            a,
            x0,
            epsabs=0.0,
            epsrel=1e-12,
            limit=200,
        )[0]
        return float(outer / self._rate_unit())

    @staticmethod
    def _passage_levels(m_start, m_end):
        x0, a = float(m_start), float(m_end)
        if not (-1.0 < a < x0 <= 1.0):
            raise ValueError(
                f"need -1 < m_end < m_start <= 1, got m_start={m_start!r}, "
                f"m_end={m_end!r}."
            )
        return x0, a

    # ------------------------------------------------------------ spectral
    def _n_basis(self):
        s_eff = self.barrier * (1.0 + abs(self.h)) ** 2
        return int(min(400, 60 + 4 * np.ceil(s_eff)))

    @functools.cache  # noqa: B019 (parameters are fixed at construction)
    def _galerkin(self, a):
        r"""Legendre-Galerkin matrices of the Fokker-Planck operator on [a, 1].

        :math:`p = \sum_n c_n\phi_n` with :math:`\phi_n = P_n(\xi)` on the full
        sphere (a = -1: the flux vanishes at both poles by itself) or
        :math:`\phi_n = (x - a)P_n(\xi)` with an absorbing level a
        (:math:`\xi = 2(x - a)/(1 - a) - 1`). Weak form, test functions
        :math:`\phi_m`: :math:`M\dot c = -Ac` with :math:`M_{mn} = \int\phi_m\phi_n`,
        :math:`A_{mn} = \int(1 - x^2)\phi_m'(\phi_n' + U'\phi_n)` (time in units of
        :math:`1/D_0`); Gauss-Legendre exact for these polynomials. Also returns
        the generator's eigen-decomposition.
        """
        N = self._n_basis()
        xq, wq = _leg.leggauss(N + 8)
        x = a + (xq + 1.0) * (1.0 - a) / 2.0
        w = wq * (1.0 - a) / 2.0
        eye = np.eye(N)
        P = _leg.legvander(xq, N - 1).T  # (N, Q)
        dP = np.stack([_leg.legval(xq, _leg.legder(eye[k])) for k in range(N)])
        dP = dP * 2.0 / (1.0 - a)
        if a > -1.0:
            dP = dP * (x - a) + P
            P = P * (x - a)
        A = (dP * (1.0 - x * x) * w) @ (dP + self._U_prime(x) * P).T
        M = (P * w) @ P.T
        lam, vec = _sl.eig(-np.linalg.solve(M, A))  # generator, units D0
        order = np.argsort(-lam.real)
        vec = vec[:, order]
        return _Galerkin(
            a=a,
            A=A,
            M=M,
            integral=P @ w,
            moment=P @ (w * x),
            lam=lam.real[order],
            vec=vec.real,
            inv=np.linalg.inv(vec).real,
        )

    def relaxation_time(self):
        r"""Exact relaxation time :math:`1/\lambda_1` (s) of the Fokker-Planck operator.

        :math:`\lambda_1` is its smallest non-zero eigenvalue (Legendre-Galerkin,
        :meth:`_galerkin`), the rate of the slowest relaxation of
        :math:`\langle m_z\rangle`; for a high barrier
        :math:`\lambda_1\to k_+ + k_-` (:meth:`brown_relaxation_time`), for
        :math:`s\to 0`, :math:`\tau_N/(1 - 2s/5)` (Brown).

        Examples
        --------
        >>> from ubermag_dirac.theory import thermal
        >>> p = thermal.UniaxialMacrospin(K=1e3, Ms=8e5, V=1e-26, T=300.0, alpha=1.0)
        >>> f"{p.relaxation_time() / p.tau_N:.6f}"
        '1.000966'
        """
        self._dynamics("relaxation_time")
        lam = self._galerkin(-1.0).lam
        return float(1.0 / (-lam[1] * self._rate_unit()))

    def mz_mean(self, t, m_start=1.0):
        r"""Exact :math:`\langle m_z\rangle(t)` after starting at ``m_start``
        (any azimuth), :math:`t > 0` in s.

        Spectral solution :math:`c(t) = e^{-M^{-1}AD_0t}c(0)` of the Galerkin system
        with the L2 projection of :math:`\delta(x - m_{start})`; converged for
        :math:`t\gtrsim\tau_N/N^2` (N the basis size), exponentially in N.

        Examples
        --------
        >>> import numpy as np
        >>> from ubermag_dirac.theory import thermal
        >>> p = thermal.UniaxialMacrospin(K=1.0, Ms=8e5, V=1e-26, T=300.0, alpha=1.0)
        >>> t = np.array([0.5, 1.0]) * p.tau_N  # free diffusion: exp(-t/tau_N)
        >>> bool(np.allclose(p.mz_mean(t), np.exp(-t / p.tau_N), rtol=1e-5))
        True
        """
        self._dynamics("mz_mean")
        t = self._times(t)
        x0 = float(_as_mz(m_start, "m_start"))
        g = self._galerkin(-1.0)
        return g.evolve(t * self._rate_unit(), x0, g.moment)

    def survival(self, t, m_start=1.0, m_end=0.0):
        r"""Exact probability not to have reached ``m_end`` by time ``t`` (s).

        Absorbing level ``m_end``; starts at ``m_start`` (see
        :meth:`mean_first_passage_time`, whose value is :math:`\int_0^\infty
        S\,dt`).

        Examples
        --------
        >>> import numpy as np
        >>> from ubermag_dirac.theory import thermal
        >>> p = thermal.UniaxialMacrospin(K=1e5, Ms=8e5, V=1e-26, T=300.0, alpha=1.0)
        >>> S = p.survival(np.array([0.1, 1.0, 10.0]) * p.tau_N)
        >>> bool(np.all(np.diff(S) < 0) and 0 < S[-1] < S[0] < 1)
        True
        """
        self._dynamics("survival")
        t = self._times(t)
        x0, a = self._passage_levels(m_start, m_end)
        g = self._galerkin(a)
        return g.evolve(t * self._rate_unit(), x0, g.integral)

    def mean_first_passage_time_spectral(self, m_start=1.0, m_end=0.0):
        r"""The mean first-passage time from the Galerkin generator (s).

        :math:`\int_0^\infty S\,dt = \mathbf 1^T(M^{-1}A)^{-1}c(0)/D_0`: an
        independent evaluation of :meth:`mean_first_passage_time` (same equation,
        other method), used to check both.
        """
        self._dynamics("mean_first_passage_time_spectral")
        x0, a = self._passage_levels(m_start, m_end)
        g = self._galerkin(a)
        return float(g.integral @ np.linalg.solve(g.A, g.start(x0)) / self._rate_unit())

    @staticmethod
    def _times(t):
        t = np.asarray(t, dtype=float)
        if not np.all(np.isfinite(t)) or np.any(t <= 0):
            raise ValueError(f"t must be finite and > 0 (s), got {t!r}.")
        return t


@dataclasses.dataclass(frozen=True)
class _Galerkin:
    """Galerkin system of `UniaxialMacrospin._galerkin` on [a, 1] (time unit 1/D0)."""

    a: float
    A: np.ndarray  # stiffness (N, N)
    M: np.ndarray  # mass (N, N)
    integral: np.ndarray  # int phi_n dx
    moment: np.ndarray  # int x phi_n dx
    lam: np.ndarray  # generator eigenvalues, 0 >= lam[0] >= lam[1] ...
    vec: np.ndarray  # right eigenvectors (columns)
    inv: np.ndarray  # their inverse

    def start(self, x0):
        """Load vector of delta(x - x0): (phi_n(x0))."""
        N = len(self.integral)
        xi = 2.0 * (x0 - self.a) / (1.0 - self.a) - 1.0
        values = _leg.legvander(np.asarray([xi]), N - 1)[0]
        return values * (x0 - self.a) if self.a > -1.0 else values

    def evolve(self, tau, x0, observable):
        """observable . c(tau) from c(0) = M^{-1} start(x0), tau in units 1/D0."""
        c0 = np.linalg.solve(self.M, self.start(x0))
        amplitudes = (observable @ self.vec) * (self.inv @ c0)
        return np.exp(np.multiply.outer(tau, self.lam)) @ amplitudes
