"""Mahfouzi-Kioussis NEGF model: Fermi sea/surface split, damping tensor, precession."""

import numpy as np
import pytest
import scipy.constants as sc

import ubermag_dirac as ud
from ubermag_dirac.theory import negf

MUB = sc.physical_constants["Bohr magneton"][0]
GAMMA = 2 * MUB / sc.hbar


def _hall(Delta, E_F, eta, m=(0.0, 0.0, 1.0)):
    surf, sea = negf.dirac_spin_response(Delta, E_F, eta, m, drive="electric")
    return surf[0, 0], sea[0, 0]  # S_x per E_x = sigma_xy / (e v) (units e^2/hbar)


def test_half_quantised_hall_in_gap():
    """E_F inside the gap: only the Fermi sea, sigma_xy = -e^2/(2h) (m_z = +1)."""
    surf, sea = _hall(1.0, 0.5, 1e-4)
    assert abs(surf) < 1e-3 * abs(sea)  # O(eta) states in the gap
    assert surf + sea == pytest.approx(-1 / (4 * np.pi), rel=1e-6)
    _, sea_m = _hall(1.0, 0.5, 1e-4, m=(0.0, 0.0, -1.0))
    assert sea_m == pytest.approx(-sea, rel=1e-12)


def test_sea_vanishes_in_metallic_regime_and_total_is_continuous():
    """Ndiaye et al. Appendix: the sea term vanishes for eps_F > Delta as eta -> 0."""
    seas = [_hall(0.3, 1.0, eta)[1] for eta in (1e-2, 1e-3, 1e-4)]
    assert abs(seas[2]) < 1e-5
    assert seas[1] / seas[0] == pytest.approx(0.1, rel=0.05)  # linear in eta
    # intrinsic metallic value -Delta / (4 pi E_F) (bare bubble, constant eta)
    assert sum(_hall(0.3, 1.0, 1e-4)) == pytest.approx(-0.3 / (4 * np.pi), rel=1e-4)
    # continuous through the band edge E_F = Delta
    below, above = sum(_hall(1.0, 0.999, 1e-4)), sum(_hall(1.0, 1.001, 1e-4))
    assert below == pytest.approx(above, rel=5e-3)


def test_fermi_surface_spin_susceptibility_small_eta():
    """chi_yy -> Delta (E_F^2 - Delta^2 m_z^2) / (8 pi eta E_F), Richardson in eta."""
    for m in [(0.0, 0.0, 1.0), (0.6, 0.0, 0.8), (0.0, 1.0, 0.0)]:
        vals = []
        for eta in (4e-3, 2e-3):
            surf, _ = negf.dirac_spin_response(0.2, 1.0, eta, m)
            vals.append(surf[1, 1] * eta)
        extrap = 2 * vals[1] - vals[0]
        want = 0.2 * (1 - 0.04 * m[2] ** 2) / (8 * np.pi)
        assert extrap == pytest.approx(want, rel=1e-4)


def test_conductivity_and_eq11_typo():
    """Bubble: sigma_xx -> e^2 E_F / (8 pi hbar eta); their Eq. (11) gives 4x that."""
    eta = 1e-3
    sig = negf.dirac_conductivity(0.0, 1.0, eta, (0, 0, 1))
    assert sig[0, 0] == pytest.approx(sig[1, 1], rel=1e-10)
    assert sig[0, 0] * eta == pytest.approx(1 / (8 * np.pi), rel=2e-3)
    # Eq. (11) longitudinal term on the same grid, f' -> Lorentzian of width eta
    kx, ky, w = ud.theory.kubo_numeric._grid(0.0, (0, 0, 1.0), eta, 32, 24, 10)
    hh = np.hypot(kx, ky)
    delta = eta / np.pi / ((1.0 - hh) ** 2 + eta**2)
    eq11 = np.sum(w * (1 / eta) * (2 * kx) ** 2 / (2 * hh**2) * delta)
    assert eq11 / sig[0, 0] == pytest.approx(4.0, rel=5e-3)


def test_damping_tensor_structure():
    # v k_F >> Delta (beta = 0.05), weak broadening (eta / eps_F = 8e-4)
    s = ud.theory.DiracSurface.from_ev(5e5, 0.01, 0.2, 1e-12)
    b2 = s.beta**2
    fm = dict(thickness=1e-9, Ms=1e6)
    a_z = negf.mk_damping_tensor(s, (0, 0, 1), part="symmetric", **fm)
    a_y = negf.mk_damping_tensor(s, (0, 1, 0), part="symmetric", **fm)
    da = a_z[0, 0]
    assert da > 0
    assert a_z[1, 1] == pytest.approx(da, rel=1e-10)
    assert a_z[2, 2] / da == pytest.approx(2 * b2 / (1 - b2), rel=2e-2)
    # Fermi-surface average of h_x^2: 1/2 (m in plane) vs (1 - beta^2)/2 (m = z)
    assert a_y[0, 0] == pytest.approx(da / (1 - b2), rel=1e-3)
    assert abs(a_y[2, 2]) < 1e-3 * da
    # same-model relation delta_alpha = gamma Delta^2 sigma_xx / (e^2 v^2 Ms d)
    eta = sc.hbar / (4 * s.tau) / s.eps_F
    sig = negf.dirac_conductivity(s.beta, 1.0, eta, (0, 0, 1))[0, 0] * sc.e**2 / sc.hbar
    want = GAMMA * s.Delta**2 * sig / (sc.e**2 * s.v**2 * fm["Ms"] * fm["thickness"])
    assert da == pytest.approx(want, rel=1e-10)
    # sea part is antisymmetric to leading order (gyromagnetic renormalisation)
    sea = negf.mk_damping_tensor(s, (0, 0, 1), part="sea", **fm)
    assert abs(sea[0, 0]) < 1e-3 * da
    # the MK half: in-plane precession axis -> delta_alpha / 2, normal -> delta_alpha
    alpha = 0.01
    eff_in = negf.effective_damping(alpha * np.eye(3) + a_y, (0, 1, 0))
    eff_n = negf.effective_damping(alpha * np.eye(3) + a_z, (0, 0, 1))
    assert eff_in - alpha == pytest.approx((a_y[0, 0] + a_y[2, 2]) / 2, rel=1e-12)
    assert eff_in - alpha == pytest.approx(da / 2, rel=5e-3)  # O(beta^2) apart
    assert eff_n - alpha == pytest.approx(da, rel=1e-10)


def _llg_alpha_eff(alpha_tensor, axis, e1, H1, H2):
    """Energy decay rate / (gamma0 (H1 + H2)) of the linearised Gilbert LLG."""
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    e1 = np.asarray(e1, float)
    e2 = np.cross(axis, e1)
    P = np.stack([e1, e2])
    a = P @ alpha_tensor @ P.T
    R = np.array([[0.0, -1.0], [1.0, 0.0]])  # axis x (.) in the (e1, e2) basis
    J = np.array([[0.0, -H2], [H1, 0.0]])  # -gamma0 m x H_eff, gamma0 = 1
    lam = np.linalg.eigvals(np.linalg.solve(np.eye(2) - R @ a, J))
    return -2 * lam.real.max() / (H1 + H2)


@pytest.mark.parametrize(
    "axis, e1, H1, H2",
    [
        ((0, 1, 0), (-1, 0, 0), 1.0, 1.0),
        ((0, 1, 0), (-1, 0, 0), 1.0, 4.0),
        ((0, 1, 0), (0, 0, 1), 2.0, 0.5),
        ((0, 0, 1), (1, 0, 0), 1.0, 3.0),
        ((1, 1, 0), (0, 0, 1), 0.7, 1.3),
    ],
)
def test_effective_damping_against_linearised_llg(axis, e1, H1, H2):
    alpha, da = 2e-5, 1e-5  # small: the formula is first order in the damping
    tensor = alpha * np.eye(3) + da * np.diag([1.0, 1.0, 0.0])
    got = negf.effective_damping(tensor, axis, e1=e1, H1=H1, H2=H2)
    assert got == pytest.approx(_llg_alpha_eff(tensor, axis, e1, H1, H2), rel=1e-6)


def test_effective_damping_fractions():
    alpha, da = 0.01, 0.004
    tensor = alpha * np.eye(3) + da * np.diag([1.0, 1.0, 0.0])
    assert negf.effective_damping(tensor, (0, 1, 0)) == pytest.approx(alpha + da / 2)
    assert negf.effective_damping(tensor, (0, 0, 1)) == pytest.approx(alpha + da)
    H1, H2 = 1.0, 9.0  # x deviation stiffness H1, z deviation stiffness H2
    got = negf.effective_damping(tensor, (0, 1, 0), e1=(1, 0, 0), H1=H1, H2=H2)
    assert got == pytest.approx(alpha + da * H2 / (H1 + H2))


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"eta .* > 0"):
        negf.dirac_spin_response(0.1, 1.0, 0.0, (0, 0, 1))
    with pytest.raises(ValueError, match=r"H2 .* > 0"):
        negf.effective_damping(np.eye(3), (0, 0, 1), H2=0.0)
    with pytest.raises(ValueError, match=r"shape"):
        negf.two_band_response(
            np.zeros((2, 3)), np.zeros((1, 2, 3)), np.ones(3), E_F=1, eta=1
        )
