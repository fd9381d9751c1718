"""Limits, exact values, dimensions, symmetries, Onsager and pumping of ud.theory."""

import dataclasses

import numpy as np
import pytest
import scipy.constants as sc

import ubermag_dirac as ud
from ubermag_dirac.theory import coefficients as co

th = ud.theory
EV = sc.electron_volt
MUB = sc.physical_constants["Bohr magneton"][0]
GAMMA = 2 * MUB / sc.hbar
FM = dict(thickness=1.5e-9, Ms=8e5)


@pytest.fixture
def surf():
    return th.DiracSurface.from_ev(5e5, 0.08, 0.2, 7e-14)


def _random_unit(rng, shape):
    m = rng.normal(size=(*shape, 3))
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


# --- parameters, presets, validation -------------------------------------------------
def test_presets_and_overrides():
    assert th.preset("Bi2Se3").v == 6.0e5
    assert th.preset("Bi2Te3").v == 4.3e5
    assert set(th.PRESETS) == {"Bi2Se3", "Bi2Te3"}
    s = th.preset("Bi2Se3", Delta=0.02 * EV, tau=2e-13)
    assert s.Delta_eV == pytest.approx(0.02) and s.tau == 2e-13
    assert s.v == 6.0e5 and s.eps_F == th.PRESETS["Bi2Se3"]["eps_F"]


def test_from_ev_and_properties(surf):
    assert surf.Delta == pytest.approx(0.08 * EV, rel=1e-15)
    assert surf.beta == pytest.approx(0.4, rel=1e-15)
    assert surf.eps_F_eV == pytest.approx(0.2, rel=1e-15)
    assert surf.tau_eps == pytest.approx(7e-14 * 0.2 * EV / sc.hbar)


def test_immutable(surf):
    with pytest.raises(dataclasses.FrozenInstanceError):
        surf.tau = 1e-12


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            dict(v=5e5, Delta=0.2 * EV, eps_F=0.2 * EV, tau=1e-13),
            "outside the metallic",
        ),
        (dict(v=5e5, Delta=0.3 * EV, eps_F=0.2 * EV, tau=1e-13), "eps_F > Delta"),
        (dict(v=5e5, Delta=0.1 * EV, eps_F=0.2 * EV, tau=0.0), "tau must be .* > 0"),
        (dict(v=5e5, Delta=0.1 * EV, eps_F=0.2 * EV, tau=-1e-13), "tau"),
        (dict(v=0.0, Delta=0.1 * EV, eps_F=0.2 * EV, tau=1e-13), "v must be .* > 0"),
        (dict(v=-5e5, Delta=0.1 * EV, eps_F=0.2 * EV, tau=1e-13), "v must"),
        (
            dict(v=5e5, Delta=-0.1 * EV, eps_F=0.2 * EV, tau=1e-13),
            "Delta must be .*>= 0",
        ),
        (dict(v=5e5, Delta=0.0, eps_F=0.0, tau=1e-13), "eps_F must be .* > 0"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        th.DiracSurface(**kwargs)


def test_bad_calls(surf):
    with pytest.raises(ValueError, match=r"exactly one of E .* or J"):
        surf.H_DL(0.0, E=1.0, J=1e10, **FM)
    with pytest.raises(ValueError, match=r"exactly one of E .* or J"):
        surf.H_FL(0.0, **FM)
    with pytest.raises(
        ValueError, match=r"convention='Paper' is unknown.*'kubo'.*'paper'"
    ):
        surf.tau_perp(0.0, convention="Paper")
    with pytest.raises(ValueError, match=r"convention"):
        surf.delta_alpha(0.0, convention="x", **FM)
    with pytest.raises(ValueError, match=r"unknown preset 'Bi2Se'.*'Bi2Se3', 'Bi2Te3'"):
        th.preset("Bi2Se")
    with pytest.raises(ValueError, match=r"unknown preset field"):
        th.preset("Bi2Se3", vF=1.0)
    with pytest.raises(ValueError, match=r"\|m_z\| <= 1"):
        surf.f_FL(np.array([0.0, 1.2]))
    with pytest.raises(ValueError, match=r"thickness .* > 0"):
        surf.H_FL(0.0, E=1.0, thickness=0.0, Ms=1e6)
    with pytest.raises(ValueError, match=r"Ms .* > 0"):
        surf.delta_alpha(0.0, thickness=1e-9, Ms=-1.0)
    with pytest.raises(ValueError, match=r"outside the metallic regime"):
        co.tau_perp(1.0, v=5e5, Delta=0.3 * EV, eps_F=0.2 * EV, tau=1e-13)
    with pytest.raises(ValueError, match=r"outside the metallic regime"):
        th.f_DL(1.0, 1.0)


# --- closed forms: limits and exact values -------------------------------------------
def test_angular_limits(surf):
    b = surf.beta
    assert surf.f_FL(0.0) == 1.0 and surf.f_DL(0.0) == 1.0
    b2 = b * b
    assert surf.f_FL(1.0) == pytest.approx((1 - b2) / (1 + 3 * b2), rel=1e-15)
    assert surf.f_DL(-1.0) == pytest.approx((1 + b2) / (1 + 3 * b2) ** 2, rel=1e-15)
    mz = np.linspace(-1, 1, 101)
    assert np.array_equal(surf.f_FL(mz), surf.f_FL(-mz))
    # both decrease monotonically with |m_z| (torques largest in plane)
    assert np.all(np.diff(surf.f_FL(mz[50:])) < 0)
    assert np.all(np.diff(surf.f_DL(mz[50:])) < 0)
    # beta -> 0: no angular dependence; A -> 2, B -> 0
    assert th.f_FL(mz, 0.0) == pytest.approx(np.ones_like(mz))
    assert th.A(mz, 0.0) == pytest.approx(2 * np.ones_like(mz))
    assert np.all(th.B(mz, 0.0, 1e-13, 0.2 * EV) == 0)


def test_kubo_is_minus_two_plus_two_times_paper(surf):
    mz = np.linspace(-1, 1, 9)
    assert surf.tau_perp(mz, "kubo") == pytest.approx(-2 * surf.tau_perp(mz, "paper"))
    assert surf.tau_par(mz, "kubo") == pytest.approx(2 * surf.tau_par(mz, "paper"))


def test_explicit_formulas(surf):
    e, hbar, pi = sc.e, sc.hbar, np.pi
    b, eF, v, tau = surf.beta, surf.eps_F, surf.v, surf.tau
    mz = 0.3
    fFL, fDL = surf.f_FL(mz), surf.f_DL(mz)
    assert surf.tau_perp(mz) == pytest.approx(
        2 * e * b * tau * eF**2 * fFL / (pi * hbar**3 * v), rel=1e-13
    )
    assert surf.tau_par(mz, "paper") == pytest.approx(
        -2 * e * b**2 * eF * fDL / (pi * hbar**2 * v), rel=1e-13
    )
    assert surf.sigma_xx(mz) == pytest.approx(e**2 * eF * tau * fFL / (pi * hbar**2))
    assert surf.sigma_xy(mz) == pytest.approx(-(2 * e**2 / (pi * hbar)) * b * mz * fDL)
    # tau_perp = 2 Delta sigma_xx/(hbar e v), tau_par m_z = 2 Delta sigma_xy/(hbar e v)
    assert surf.tau_perp(mz) == pytest.approx(
        2 * surf.Delta * surf.sigma_xx(mz) / (hbar * e * v), rel=1e-13
    )
    assert surf.tau_par(mz) * mz == pytest.approx(
        2 * surf.Delta * surf.sigma_xy(mz) / (hbar * e * v), rel=1e-13
    )


def test_delta_alpha_paper_estimate():
    """docs/PHYSICS.md: X = 1e-9 T m/V, hbar v = 4 eV A, Delta = 1 eV -> 2.89e-4."""
    v = 4 * EV * 1e-10 / sc.hbar
    s = th.DiracSurface(v=v, Delta=1.0 * EV, eps_F=3.0 * EV, tau=1e-14)
    d = 1e-9
    # choose Ms so that (muB / (gamma Ms d)) tau_perp = 1e-9 T m/V
    Ms = MUB * float(s.tau_perp(0.0)) / (GAMMA * d * 1e-9)
    da = float(s.delta_alpha(0.0, thickness=d, Ms=Ms))
    assert da == pytest.approx(GAMMA * 1e-9 * sc.hbar / (4e-10 * sc.e), rel=1e-12)
    assert round(da, 6) == 2.89e-4


def test_delta_alpha_nonnegative_and_sigma_form(surf):
    mz = np.linspace(-1, 1, 21)
    for conv in ("kubo", "paper"):
        assert np.all(surf.delta_alpha(mz, convention=conv, **FM) > 0)
    # kubo: gamma Delta^2 sigma_xx / (e^2 v^2 Ms d)
    want = (
        GAMMA
        * surf.Delta**2
        * surf.sigma_xx(mz)
        / (sc.e**2 * surf.v**2 * FM["Ms"] * FM["thickness"])
    )
    assert surf.delta_alpha(mz, **FM) == pytest.approx(want, rel=1e-12)
    assert surf.delta_alpha(mz, convention="paper", **FM) == pytest.approx(want / 2)


def test_damping_tensor(surf):
    n = np.array([1.0, 1.0, 0.0]) / np.sqrt(2)
    a = surf.damping_tensor(np.array([0.0, 0.5]), 0.02, n=n, **FM)
    assert a.shape == (2, 3, 3)
    da = surf.delta_alpha(0.5, **FM)
    assert a[1] @ n == pytest.approx(0.02 * n)
    t = np.array([1.0, -1.0, 0.0]) / np.sqrt(2)
    assert a[1] @ t == pytest.approx((0.02 + da) * t)
    assert a[1] @ [0, 0, 1.0] == pytest.approx([0, 0, 0.02 + da])


# --- ferromagnet conversion ----------------------------------------------------------
def test_dimensional_consistency_B_FL(surf):
    """|B_FL| / E = Delta sigma_xx / (e v Ms d) (kubo)."""
    mz = np.linspace(-1, 1, 11)
    B = sc.mu_0 * np.abs(surf.H_FL(mz, E=1.0, **FM))
    want = surf.Delta * surf.sigma_xx(mz) / (sc.e * surf.v * FM["Ms"] * FM["thickness"])
    assert B == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("conv", ["kubo", "paper"])
def test_fields_reproduce_torque_density(surf, conv):
    """gamma0 [H_DL m_z (m x j) + H_FL m x (n x j)] = (muB/(Ms d)) t(m, E j)."""
    rng = np.random.default_rng(1)
    m = _random_unit(rng, (50,))
    j = np.array([0.6, 0.8, 0.0])
    n = np.array([0.0, 0.0, 1.0])
    E = 2.5e3
    mz = m @ n
    hdl = surf.H_DL(mz, E=E, convention=conv, **FM)[:, None]
    hfl = surf.H_FL(mz, E=E, convention=conv, **FM)[:, None]
    T = th.GAMMA0 * (
        hdl * mz[:, None] * np.cross(m, j) + hfl * np.cross(m, np.cross(n, j))
    )
    t = surf.torque_density(m, E * j, convention=conv)
    assert T == pytest.approx(MUB / (FM["Ms"] * FM["thickness"]) * t, rel=1e-12)


def test_current_density_conversion(surf):
    J, d = 3e10, FM["thickness"]
    E = surf.electric_field(J, d)
    assert E * surf.sigma_xx(0.0) == pytest.approx(J * d)  # sheet current K = J d
    assert surf.H_DL(0.4, J=J, **FM) == pytest.approx(surf.H_DL(0.4, E=E, **FM))
    assert surf.H_FL(0.4, J=J, current_thickness=2 * d, **FM) == pytest.approx(
        surf.H_FL(0.4, E=2 * E, **FM)
    )
    # signs for v, Delta > 0: H_DL < 0 in both conventions, H_FL > 0 (kubo)
    assert surf.H_DL(0.0, J=J, **FM) < 0 < surf.H_FL(0.0, J=J, **FM)
    assert surf.H_FL(0.0, J=J, convention="paper", **FM) < 0


# --- spin and torque densities -------------------------------------------------------
def test_spin_density_structure(surf):
    rng = np.random.default_rng(2)
    m = _random_unit(rng, (20,))
    E = rng.normal(size=(20, 3))
    dS = surf.spin_density(m, E)
    assert np.all(dS[:, 2] == 0)  # no S_z
    Ein = E * [1, 1, 0]
    assert np.array_equal(dS, surf.spin_density(m, Ein))  # normal E ignored
    # spin-velocity identity j = -e v z x S = sigma E (kubo)
    j = -sc.e * surf.v * np.cross([0, 0, 1.0], dS)
    sxx, sxy = surf.sigma_xx(m[:, 2])[:, None], surf.sigma_xy(m[:, 2])[:, None]
    jx = sxx[:, 0] * Ein[:, 0] + sxy[:, 0] * Ein[:, 1]
    jy = -sxy[:, 0] * Ein[:, 0] + sxx[:, 0] * Ein[:, 1]
    assert j[:, 0] == pytest.approx(jx, rel=1e-12)
    assert j[:, 1] == pytest.approx(jy, rel=1e-12)
    # torque density = (2 Delta / hbar) m x dS and perpendicular to m
    t = surf.torque_density(m, E)
    assert t == pytest.approx(2 * surf.Delta / sc.hbar * np.cross(m, dS))
    assert np.einsum("ij,ij->i", t, m) == pytest.approx(
        np.zeros(20), abs=1e-9 * abs(t).max()
    )


def test_in_plane_m_does_not_enter_spin_density(surf):
    E = np.array([1e3, -2e3, 0.0])
    a = surf.spin_density([0.6, 0.0, 0.8], E)
    b = surf.spin_density([0.0, -0.6, 0.8], E)
    assert np.array_equal(a, b)


def test_parity_mz(surf):
    """m -> -m: field-like torque odd, damping-like torque even."""
    rng = np.random.default_rng(3)
    m = _random_unit(rng, (30,))
    E = np.array([1.0, 0.0, 0.0])
    fl = surf.tau_perp(m[:, 2])[:, None] * np.cross(m, np.cross([0, 0, 1], E))
    dl = (surf.tau_par(m[:, 2]) * m[:, 2])[:, None] * np.cross(m, E)
    assert surf.torque_density(m, E) == pytest.approx(fl + dl)
    assert surf.torque_density(-m, E) == pytest.approx(-fl + dl)
    assert np.array_equal(surf.sigma_xy(-m[:, 2]), -surf.sigma_xy(m[:, 2]))


@pytest.mark.parametrize("conv", ["kubo", "paper"])
def test_sign_flips_with_Delta_and_v(conv):
    p = dict(v=5e5, Delta=0.08 * EV, eps_F=0.2 * EV, tau=7e-14)
    mz = np.linspace(-1, 1, 7)

    def coeffs(**kw):
        q = p | kw
        tp = co.tau_perp(mz, convention=conv, **q)
        tl = co.tau_par(
            mz, v=q["v"], Delta=q["Delta"], eps_F=q["eps_F"], convention=conv
        )
        sxy = co.sigma_xy(mz, v=q["v"], Delta=q["Delta"], eps_F=q["eps_F"])
        return tp, tl, sxy

    tp, tl, sxy = coeffs()
    tpD, tlD, sxyD = coeffs(Delta=-p["Delta"])
    tpv, tlv, sxyv = coeffs(v=-p["v"])
    assert np.array_equal(tpD, -tp) and np.array_equal(tlD, tl)  # FL odd, DL even
    assert np.array_equal(sxyD, -sxy)
    assert np.array_equal(tpv, -tp) and np.array_equal(tlv, -tl)  # helicity: both odd
    assert np.array_equal(sxyv, sxy)
    assert np.all(tp[mz != 0] * (1 if conv == "kubo" else -1) > 0)
    assert np.all(tl < 0)


# --- Onsager and pumping -------------------------------------------------------------
@pytest.mark.parametrize("conv", ["kubo", "paper"])
def test_onsager_machine_precision(surf, conv):
    rng = np.random.default_rng(4)
    m = _random_unit(rng, (200,))
    for n in ([0, 0, 1.0], [0.3, -0.4, 0.866]):
        kw = dict(n=n, convention=conv, **FM)
        delta = surf.delta_tensor(m, **kw)
        kappa_minus = surf.kappa(-m, **kw)
        scale = np.abs(delta).max()
        assert np.abs(delta + np.swapaxes(kappa_minus, -1, -2)).max() <= 4e-16 * scale


def test_kappa_gives_torque(surf):
    rng = np.random.default_rng(5)
    m = _random_unit(rng, (40,))
    E = rng.normal(size=(40, 3)) * 1e3
    dmdt = np.einsum("...ij,...j->...i", surf.kappa(m, **FM), E)
    want = MUB / (FM["Ms"] * FM["thickness"]) * surf.torque_density(m, E)
    assert dmdt == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("conv", ["kubo", "paper"])
def test_pumped_current_is_delta_times_thermodynamic_force(surf, conv):
    rng = np.random.default_rng(6)
    m = _random_unit(rng, (40,))
    w = rng.normal(size=(40, 3)) * 1e9
    dmdt = np.cross(w, m)  # perpendicular to m
    X = FM["Ms"] / GAMMA * np.cross(m, dmdt)  # -dF/dm: dm/dt = -(gamma/Ms) m x X
    assert -(GAMMA / FM["Ms"]) * np.cross(m, X) == pytest.approx(dmdt)
    J = surf.pumped_current(m, dmdt, thickness=FM["thickness"], convention=conv)
    delta = surf.delta_tensor(m, convention=conv, **FM)
    assert J == pytest.approx(np.einsum("...ij,...j->...i", delta, X), rel=1e-10)
    assert np.all(J[:, 2] == 0)


def test_pumping_back_action_is_the_damping_enhancement(surf):
    """Pumped J -> spin density (j = -e v z x S) -> torque = +delta_alpha m x dm_par."""
    rng = np.random.default_rng(7)
    m = _random_unit(rng, (40,))
    dmdt = np.cross(rng.normal(size=(40, 3)), m) * 1e9
    d, Ms = FM["thickness"], FM["Ms"]
    J = surf.pumped_current(m, dmdt, thickness=d)
    K = J * d
    S = np.cross([0, 0, 1.0], K) / (sc.e * surf.v)
    assert -sc.e * surf.v * np.cross([0, 0, 1.0], S) == pytest.approx(K)
    T = MUB / (Ms * d) * 2 * surf.Delta / sc.hbar * np.cross(m, S)
    da = surf.delta_alpha(m[:, 2], thickness=d, Ms=Ms)
    dm_par = dmdt * [1, 1, 0]
    # dissipative part: projection on the Gilbert direction m x dm/dt
    power = np.einsum("ij,ij->i", T, np.cross(m, dmdt))
    assert power == pytest.approx(da * np.einsum("ij,ij->i", dm_par, dm_par), rel=1e-10)
    assert np.all(power > 0)
    # field-like part of T is exactly the in-plane Gilbert term
    K_fl = -sc.hbar / 2 * surf.tau_perp(m[:, 2])[:, None] * np.cross([0, 0, 1.0], dmdt)
    S_fl = np.cross([0, 0, 1.0], K_fl) / (sc.e * surf.v)
    T_fl = MUB / (Ms * d) * 2 * surf.Delta / sc.hbar * np.cross(m, S_fl)
    assert T_fl == pytest.approx(da[:, None] * np.cross(m, dm_par), rel=1e-12)
