"""Thermal oracles (ud.theory.thermal) against each other, limits and direct integrals.

Every check here is deterministic (quadratures, linear algebra): tolerances are set by
the accuracy each method states, not by sampling.
"""

import numpy as np
import pytest
from scipy import integrate, special

from ubermag_dirac.theory import thermal as th

T = 300.0
KT = th.K_B * T
V = 1e-25
MS = 8e5


def macrospin(barrier, h=0.0, alpha=1.0, **kw):
    """UniaxialMacrospin with the reduced barrier KV/kT and field h = H/H_K."""
    K = barrier * KT / V
    H_K = 2 * K / (th.MU0 * MS)
    return th.UniaxialMacrospin(K=K, Ms=MS, V=V, T=T, alpha=alpha, H=h * H_K, **kw)


# ---------------------------------------------------------------- Brown's field
def test_field_diffusion_value_and_scaling():
    """D = alpha kT/(gamma0 mu0 Ms V) in (A/m)^2 s, variance 2D/dt per component."""
    D = th.thermal_field_diffusion(0.02, MS, V, T, gamma0=2.2e5)
    assert D == pytest.approx(0.02 * KT / (2.2e5 * 4e-7 * np.pi * MS * V), rel=1e-9)
    dt = 1e-13
    assert th.thermal_field_std(0.02, MS, V, T, dt, 2.2e5) ** 2 * dt / 2 == (
        pytest.approx(D, rel=1e-12)
    )
    # linear in alpha and T, inverse in Ms V
    assert th.thermal_field_diffusion(0.04, MS, V, 2 * T, 2.2e5) == pytest.approx(4 * D)
    assert th.thermal_field_diffusion(0.02, 2 * MS, 2 * V, T, 2.2e5) == pytest.approx(
        D / 4
    )
    assert th.thermal_field_diffusion(0.02, MS, V, 0.0) == 0.0


def test_free_diffusion_time_is_brown_tau_N():
    """tau_N = (1 + a^2) mu0 Ms V/(2 a gamma0 kT) = 1/(2 D0) and 2 D0 = gamma0^2 D/a ...

    Cross-check through the thermal field: the rotational diffusion constant of m is
    gamma0^2 D/(1 + alpha^2) (LL form) = 1/(2 tau_N).
    """
    alpha, g = 0.3, 2.2e5
    tau = th.free_diffusion_time(alpha, MS, V, T, g)
    D = th.thermal_field_diffusion(alpha, MS, V, T, g)
    assert 1 / (2 * tau) == pytest.approx(g**2 * D / (1 + alpha**2), rel=1e-12)


@pytest.mark.parametrize(
    "bad", [{"alpha": -0.1}, {"Ms": 0.0}, {"V": -1.0}, {"T": np.nan}]
)
def test_field_diffusion_refuses_bad_input(bad):
    args = {"alpha": 0.1, "Ms": MS, "V": V, "T": T} | bad
    with pytest.raises(ValueError, match=next(iter(bad))):
        th.thermal_field_diffusion(**args)


# -------------------------------------------------------- Boltzmann of m_z
CASES = [(0.0, 0.0, 0.0), (3.0, 0.0, 0.0), (8.0, 0.2, 0.0), (6.0, 0.0, 0.4),
         (10.0, -0.1, 0.3), (25.0, 0.0, 0.5)]  # fmt: skip


@pytest.mark.parametrize(("s", "h_par", "h_perp"), CASES)
def test_mz_pdf_normalised_and_cdf_consistent(s, h_par, h_perp):
    total = integrate.quad(
        lambda x: th.mz_boltzmann_pdf(x, s, h_par, h_perp), -1, 1, epsrel=1e-12
    )[0]
    assert total == pytest.approx(1.0, rel=1e-10)
    for x in (-0.7, 0.1, 0.95):
        part = integrate.quad(
            lambda y: th.mz_boltzmann_pdf(y, s, h_par, h_perp), -1, x, epsrel=1e-12
        )[0]
        assert th.mz_boltzmann_cdf(x, s, h_par, h_perp) == pytest.approx(
            part, rel=1e-9, abs=1e-14
        )


def test_mz_pdf_axial_closed_form():
    """h_perp = 0: exp(s(x^2 + 2hx))/Z with Z from erfi (no Bessel function)."""
    s, h = 5.0, 0.3
    x = np.linspace(-1, 1, 11)
    # int exp(s (x + h)^2) dx = sqrt(pi/(4s)) [erfi(sqrt(s)(1+h)) - erfi(sqrt(s)(h-1))]
    rs = np.sqrt(s)
    Z = np.exp(-s * h * h) * np.sqrt(np.pi / (4 * s))
    Z *= special.erfi(rs * (1 + h)) - special.erfi(rs * (h - 1))
    expected = np.exp(s * (x * x + 2 * h * x)) / Z
    assert th.mz_boltzmann_pdf(x, s, h) == pytest.approx(expected, rel=1e-12)


def test_mz_marginal_against_sphere_integral():
    """In-plane field: the Bessel marginal against a direct (theta, phi) integral."""
    s, h_par, h_perp = 4.0, 0.1, 0.35

    def boltzmann(phi, theta):
        x = np.cos(theta)
        mx = np.sin(theta) * np.cos(phi)
        return np.exp(s * (x * x + 2 * h_par * x + 2 * h_perp * mx)) * np.sin(theta)

    def band(t0, t1):
        return integrate.dblquad(boltzmann, t0, t1, 0, 2 * np.pi, epsrel=1e-11)[0]

    Z = band(0, np.pi)
    for lo, hi in [(-1.0, -0.4), (-0.4, 0.3), (0.3, 0.9)]:
        direct = band(np.arccos(hi), np.arccos(lo)) / Z
        cdf = th.mz_boltzmann_cdf(np.array([lo, hi]), s, h_par, h_perp)
        assert cdf[1] - cdf[0] == pytest.approx(direct, rel=1e-8)


def test_mz_pdf_symmetry_and_refusals():
    x = np.linspace(-1, 1, 9)
    p = th.mz_boltzmann_pdf(x, 7.0, 0.0, 0.6)
    assert p == pytest.approx(p[::-1], rel=1e-13)
    with pytest.raises(ValueError, match="h_perp"):
        th.mz_boltzmann_pdf(0.0, 1.0, h_perp=-0.1)
    with pytest.raises(ValueError, match="mz"):
        th.mz_boltzmann_cdf([0.0, np.nan], 1.0)


# -------------------------------------------------------------- two spins
@pytest.mark.parametrize("kappa", [0.01, 0.5, 3.0, 20.0])
def test_two_spins_isotropic_is_langevin(kappa):
    assert th.two_spin_correlation(kappa) == pytest.approx(
        1 / np.tanh(kappa) - 1 / kappa, rel=1e-10
    )


def test_two_spins_weak_coupling_slope():
    """d<m1.m2>/dkappa at 0 = <(m1.m2)^2>_0 = <z^2>^2 + (1 - <z^2>)^2/2."""
    s, kappa = 3.0, 1e-4
    z2 = integrate.quad(lambda x: x * x * th.mz_boltzmann_pdf(x, s), -1, 1)[0]
    slope = z2**2 + (1 - z2) ** 2 / 2
    assert th.two_spin_correlation(kappa, s) / kappa == pytest.approx(slope, rel=1e-4)


def test_two_spins_against_direct_triple_integral():
    """(z1, z2, relative azimuth) integrated directly, no Bessel functions."""
    kappa, s = 2.0, 1.5

    def weight(phi, z2, z1, f):
        rho = np.sqrt((1 - z1 * z1) * (1 - z2 * z2))
        dot = z1 * z2 + rho * np.cos(phi)
        return f(dot) * np.exp(kappa * dot + s * (z1 * z1 + z2 * z2))

    opts = {"epsrel": 1e-10}
    ranges = [(0, 2 * np.pi), (-1, 1), (-1, 1)]
    num = integrate.nquad(weight, ranges, args=(lambda d: d,), opts=opts)[0]
    den = integrate.nquad(weight, ranges, args=(lambda d: 1.0,), opts=opts)[0]
    assert th.two_spin_correlation(kappa, s) == pytest.approx(num / den, rel=1e-8)


def test_two_spins_antiferromagnetic_is_antisymmetric():
    """m2 -> -m2 maps kappa -> -kappa and keeps the anisotropy."""
    for s in (0.0, 2.0):
        assert th.two_spin_correlation(-1.7, s) == pytest.approx(
            -th.two_spin_correlation(1.7, s), rel=1e-12
        )


# ------------------------------------------------------------- spin waves
def _hessian_stiffness(Ms, A, K, H, cell, n, pbc):
    """Eigenvalues of the transverse Hessian built bond by bond (no Fourier)."""
    idx = np.arange(np.prod(n)).reshape(n)
    Vc = np.prod(cell)
    Hs = np.eye(idx.size) * Vc * (th.MU0 * Ms * H + 2 * K)
    for axis in range(3):
        if n[axis] == 1:
            continue
        a = idx
        b = np.roll(idx, -1, axis=axis)
        if "xyz"[axis] not in pbc:
            sl = [slice(None)] * 3
            sl[axis] = slice(0, n[axis] - 1)
            a, b = a[tuple(sl)], b[tuple(sl)]
        w = 2 * A * Vc / cell[axis] ** 2  # E = w (1 - mi.mj) ~ (w/2)|dm|^2
        for i, j in zip(a.ravel(), b.ravel(), strict=True):
            Hs[i, i] += w
            Hs[j, j] += w
            Hs[i, j] -= w
            Hs[j, i] -= w
    return np.sort(np.linalg.eigvalsh(Hs))


@pytest.mark.parametrize("pbc", ["", "x", "xy"])
def test_spin_wave_stiffness_against_bond_hessian(pbc):
    kw = {"Ms": 8e5, "A": 1.3e-11, "K": 4e5, "H": 2e4, "cell": (2e-9, 3e-9, 1e-9)}
    n = (5, 4, 2)
    k = th.spin_wave_stiffness(n=n, pbc=pbc, **kw)
    assert np.sort(k.ravel()) == pytest.approx(
        _hessian_stiffness(n=n, pbc=pbc, **kw), rel=1e-10
    )


def test_spin_wave_reduction_limits():
    kw = {"Ms": 8e5, "K": 4e5, "H": 0.0, "cell": (2e-9, 2e-9, 2e-9)}
    Vc = 8e-27
    single = KT / (2 * 4e5 * Vc)
    # uncoupled cells: N independent macrospins, each kT/(2KV) = 1/(2s)
    r0 = th.spin_wave_mz_reduction(T, A=0.0, n=(6, 5, 1), **kw)
    assert r0 == pytest.approx(single, rel=1e-12)
    # very stiff exchange: only the uniform mode of the whole volume is soft
    r_inf = th.spin_wave_mz_reduction(T, A=1e-3, n=(6, 5, 1), **kw)
    assert r_inf == pytest.approx(single / 30, rel=1e-3)
    # linear in T
    assert th.spin_wave_mz_reduction(2 * T, A=1e-11, n=(6, 5, 1), **kw) == (
        pytest.approx(2 * th.spin_wave_mz_reduction(T, A=1e-11, n=(6, 5, 1), **kw))
    )


def test_spin_wave_refusals():
    with pytest.raises(ValueError, match="unstable"):
        th.spin_wave_stiffness(Ms=8e5, A=1e-11, K=0.0, cell=(1e-9,) * 3, n=(2, 2, 1))
    with pytest.raises(ValueError, match="pbc"):
        th.spin_wave_stiffness(
            Ms=8e5, A=1e-11, K=1e5, cell=(1e-9,) * 3, n=(2, 2, 1), pbc="w"
        )


# ------------------------------------------------- Néel-Brown, Fokker-Planck
@pytest.mark.parametrize(("s", "h"), [(1.0, 0.0), (4.0, 0.0), (10.0, 0.0), (6.0, 0.2)])
@pytest.mark.parametrize(("start", "end"), [(1.0, 0.0), (1.0, -0.5), (0.6, 0.2)])
def test_mfpt_double_integral_equals_spectral(s, h, start, end):
    """Two methods for one equation: quadrature of the exact formula vs the
    Legendre-Galerkin generator (both claim ~1e-11 here)."""
    p = macrospin(s, h)
    exact = p.mean_first_passage_time(start, end)
    assert p.mean_first_passage_time_spectral(start, end) == pytest.approx(
        exact, rel=1e-9
    )


def test_mfpt_is_the_integral_of_the_survival():
    p = macrospin(4.0, 0.1)
    tau = p.mean_first_passage_time(1.0, -0.3)
    edges = np.geomspace(1e-4, 60, 400) * tau
    S = p.survival(edges, 1.0, -0.3)
    # S(0) = 1, trapezoid in t on a geometric grid, tail e^{-t/tau1}
    area = edges[0] + np.trapezoid(S, edges)
    assert area == pytest.approx(tau, rel=1e-4)


def test_free_diffusion_limits():
    """s -> 0: <m_z>(t) = e^{-t/tau_N}; pole to equator in 2 ln 2 tau_N."""
    p = macrospin(1e-9)
    t = np.array([0.05, 0.3, 1.0, 3.0]) * p.tau_N
    assert p.mz_mean(t) == pytest.approx(np.exp(-t / p.tau_N), rel=1e-7)
    assert p.mean_first_passage_time() == pytest.approx(2 * np.log(2) * p.tau_N)
    assert p.relaxation_time() == pytest.approx(p.tau_N, rel=1e-8)


def test_small_barrier_brown_limit():
    """Brown's low-barrier eigenvalue: lambda_1 tau_N = 1 - 2s/5 + O(s^2)."""
    for s in (0.01, 0.02):
        lam = macrospin(s).tau_N / macrospin(s).relaxation_time()
        assert lam == pytest.approx(1 - 2 * s / 5, abs=s * s)


def test_relaxation_to_equilibrium():
    """<m_z>(t -> infinity) is the Boltzmann average, from either start."""
    s, h = 3.0, 0.15
    p = macrospin(s, h)
    eq = integrate.quad(lambda x: x * th.mz_boltzmann_pdf(x, s, h), -1, 1)[0]
    late = 40 * p.relaxation_time()
    for start in (1.0, -1.0, 0.2):
        assert p.mz_mean(late, start) == pytest.approx(eq, rel=1e-9)


def test_relaxation_rate_is_one_over_mfpt_to_the_barrier():
    """Symmetric wells: the odd modes vanish at x = 0, so lambda_1 is the slowest
    rate with an absorbing barrier top, and lambda_1 * MFPT(1 -> 0) -> 1 up to the
    intra-well time, O(s e^{-s}) relative."""
    deviations = []
    for s in (6.0, 10.0, 15.0):
        p = macrospin(s)
        deviations.append(p.mean_first_passage_time(1.0, 0.0) / p.relaxation_time())
    dev = np.abs(np.array(deviations) - 1)
    assert dev[0] < 2e-2 and dev[1] < 1e-3 and dev[2] < 1e-5
    assert dev[0] > dev[1] > dev[2]


def test_brown_asymptote_approached_like_one_over_s():
    """relaxation_time / Brown's asymptote = 1 + 1/s + O(1/s^2) (Brown 1963)."""
    corr = []
    for s in (10.0, 15.0, 20.0):
        p = macrospin(s)
        ratio = p.relaxation_time() / p.brown_relaxation_time()
        corr.append(s * (ratio - 1))
    assert corr[0] > corr[1] > corr[2] > 1.0
    assert corr[2] == pytest.approx(1.0, abs=0.15)


def test_escape_time_conventions():
    """Brown's escape time is twice the relaxation time (h = 0), and the exact mean
    first-passage time deep into the other well approaches it; with a field the
    favoured well (+1 for h > 0) is left more slowly, and 1/tau = k+ + k-."""
    p = macrospin(20.0)
    assert p.brown_escape_time() == pytest.approx(2 * p.brown_relaxation_time())
    assert p.mean_first_passage_time(1.0, -0.5) / p.brown_escape_time() == (
        pytest.approx(1 + 1 / 20, abs=0.02)
    )
    q = macrospin(8.0, 0.1)
    assert q.brown_escape_time(1) > q.brown_escape_time(-1)
    assert 1 / q.brown_relaxation_time() == pytest.approx(
        1 / q.brown_escape_time(1) + 1 / q.brown_escape_time(-1)
    )


def test_brown_prefactor_in_physical_units():
    """1/tau_0 = alpha gamma0 H_K sqrt(s/pi)/(1 + alpha^2) (PHYSICS.md)."""
    s, alpha, g = 12.0, 0.05, 2.211e5
    p = macrospin(s, alpha=alpha, gamma0=g)
    tau0 = (1 + alpha**2) / (alpha * g * p.H_K) * np.sqrt(np.pi / s)
    assert p.brown_escape_time() == pytest.approx(tau0 * np.exp(s), rel=1e-12)


def test_macrospin_refusals():
    with pytest.raises(ValueError, match="alpha"):
        th.UniaxialMacrospin(K=1e5, Ms=MS, V=V, T=T).mean_first_passage_time()
    with pytest.raises(ValueError, match="axial symmetry"):
        th.UniaxialMacrospin(K=1e5, Ms=MS, V=V, T=T, alpha=0.1, H_perp=1e3).survival(
            1.0
        )
    with pytest.raises(ValueError, match="one well"):
        macrospin(5.0, 1.2).brown_escape_time()
    with pytest.raises(ValueError, match="m_end"):
        macrospin(5.0).mean_first_passage_time(0.5, -1.0)
    with pytest.raises(ValueError, match="t must be"):
        macrospin(5.0).mz_mean(0.0)


# ------------------------------------------------ damping tensor: drift
def _skew(m):
    return np.array([[0, -m[2], m[1]], [m[2], 0, -m[0]], [-m[1], m[0], 0]])


def _mobility(m, A):
    """B(m) = -(I - [m]x A)^{-1} [m]x of the Gilbert form (any m in R^3)."""
    return -np.linalg.solve(np.eye(3) - _skew(m) @ A, _skew(m))


def _drift_by_differences(m, A, h=1e-5):
    """Delta_i = d_j B_ij - (d_k B_il)(B A)_kl by central differences."""
    dB = np.array(
        [
            (_mobility(m + h * e, A) - _mobility(m - h * e, A)) / (2 * h)
            for e in np.eye(3)
        ]
    )  # dB[k] = dB/dm_k
    B = _mobility(m, A)
    div = np.einsum("jij->i", dB)
    spurious = np.einsum("kil,kl->i", dB, B @ A)
    return div - spurious


@pytest.mark.parametrize(("alpha", "dalpha"), [(0.3, 0.0), (0.1, 1.0), (0.02, 0.4)])
def test_tensor_drift_closed_form_against_definition(alpha, dalpha):
    rng = np.random.default_rng(4)
    n = np.array([0.3, -0.5, 0.8])
    n /= np.linalg.norm(n)
    A = alpha * np.eye(3) + dalpha * (np.eye(3) - np.outer(n, n))
    for _ in range(5):
        m = rng.standard_normal(3)
        m /= np.linalg.norm(m)
        expected = _drift_by_differences(m, A)
        got = th.tensor_damping_drift(m, alpha, dalpha, n)
        assert got == pytest.approx(expected, abs=1e-8)
        if dalpha == 0:
            assert np.abs(got).max() == 0.0  # Brown: Stratonovich is enough


def test_fluctuation_dissipation_identity():
    """B alpha B^T = (B + B^T)/2 for any symmetric alpha (module docstring)."""
    rng = np.random.default_rng(5)
    for _ in range(4):
        m = rng.standard_normal(3)
        m /= np.linalg.norm(m)
        R = rng.standard_normal((3, 3))
        A = R @ R.T + 0.1 * np.eye(3)
        B = _mobility(m, A)
        assert B @ A @ B.T == pytest.approx((B + B.T) / 2, abs=1e-12)
