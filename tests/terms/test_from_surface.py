"""Terms built from the analytic Dirac surface, against PHYSICS.md and reference data.

The expected numbers are computed here independently from the closed forms of
PHYSICS.md (scipy.constants, CODATA, except mu0: the A/m fields use Ubermag's
mu0 = 4 pi 1e-7 of gamma0 = mu0 gamma, see ubermag_dirac.constants), and read
from ``tests/data/dirac_torque_vs_mz.csv``. Sign conventions of the data file
(its header): ``B_dir_per_E = mu0 H_dir / E`` with ``T = gamma mu0 H_dir m_z
(m x j)`` (our H_DL, angular factor included), and ``B_FL = B_FL_per_E (z x E)``
with ``dm/dt = -gamma m x B``, i.e. our ``H_FL f_FL = -B_FL_per_E E / mu0``.
"""

import csv
import pathlib

import micromagneticmodel as mm
import numpy as np
import pytest
import scipy.constants as sc

import ubermag_dirac as ud

DATA = pathlib.Path(__file__).parents[1] / "data" / "dirac_torque_vs_mz.csv"
HBAR, E_CH, EV = sc.hbar, sc.e, sc.electron_volt
MU0 = mm.consts.mu0
MU_B = sc.physical_constants["Bohr magneton"][0]


def rows():
    with DATA.open() as f:
        lines = [line for line in f if not line.startswith("#")]
    return [
        {k: (v if k == "set" else float(v)) for k, v in r.items()}
        for r in csv.DictReader(lines)
    ]


ROWS = rows()
SETS = sorted({r["set"] for r in ROWS})


def set_rows(name):
    return [r for r in ROWS if r["set"] == name]


def params(name):
    r = set_rows(name)[0]
    return (
        r["v_m_per_s"],
        r["Delta_eV"],
        r["epsF_eV"],
        r["tau_s"],
        r["Ms_A_per_m"],
        r["d_m"],
    )


def test_data_file_has_both_sets():
    assert len(SETS) == 2 and all(len(set_rows(s)) > 20 for s in SETS)


# ------------------------------------------- angular dependence (no theory needed)


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("conv", ["kubo", "paper"])
def test_dirac_sot_field_vs_mz_matches_reference_table(name, conv):
    """A DiracSOT with the m_z = 0 amplitudes reproduces the whole m_z column."""
    _v, Delta, epsF, _tau, _Ms, _d = params(name)
    E = 2.5e3  # V/m, any value: everything is linear in E
    r0 = next(r for r in set_rows(name) if r["mz"] == 0)
    sot = ud.DiracSOT(
        H_DL=r0[f"B_dir_per_E_{conv}"] * E / MU0,
        H_FL=-r0[f"B_FL_per_E_{conv}"] * E / MU0,
        beta=Delta / epsF,
    )
    for r in set_rows(name):
        mz = r["mz"]
        m = np.array([np.sqrt(1 - mz**2), 0.0, mz])
        H = sot.effective_field(m)
        assert H[0] == pytest.approx(-r[f"B_dir_per_E_{conv}"] * E * mz / MU0, rel=1e-9)
        assert H[1] == pytest.approx(r[f"B_FL_per_E_{conv}"] * E / MU0, rel=1e-9)
        assert H[2] == 0
        # and the angular factors themselves
        assert ud.terms.dirac_sot.f_FL(mz, Delta / epsF) == pytest.approx(
            r["f_perp"], rel=1e-9
        )
        assert ud.terms.dirac_sot.f_DL(mz, Delta / epsF) == pytest.approx(
            r["f_par"], rel=1e-9
        )


# ------------------------------------------- from_surface (needs ubermag_dirac.theory)


def physics_md_fields(name, conv, E):
    """H_DL, H_FL (A/m) at m_z = 0 from PHYSICS.md's closed forms."""
    v, Delta, epsF, tau, Ms, d = params(name)
    beta = Delta / epsF
    epsF = epsF * EV
    if conv == "kubo":
        tau_perp = 2 * E_CH * beta * tau * epsF**2 / (np.pi * HBAR**3 * v)
        tau_par = -4 * E_CH * beta**2 * epsF / (np.pi * HBAR**2 * v)
    else:
        tau_perp = -E_CH * beta * tau * epsF**2 / (np.pi * HBAR**3 * v)
        tau_par = -2 * E_CH * beta**2 * epsF / (np.pi * HBAR**2 * v)
    # B = (hbar / (2 Ms d)) tau E;  T = gamma B_DL m_z (m x j) = gamma0 H_DL ...
    H_DL = HBAR * tau_par * E / (2 * Ms * d) / MU0
    # B_FL = -(hbar/(2 Ms d)) tau_perp E (n x j) with dm/dt = -gamma m x B
    # -> T = gamma0 H_FL m x (n x j) with H_FL = +hbar tau_perp E / (2 Ms d mu0)
    H_FL = HBAR * tau_perp * E / (2 * Ms * d) / MU0
    return H_DL, H_FL


def surface(name):
    v, Delta, epsF, tau, _Ms, _d = params(name)
    return ud.theory.DiracSurface.from_ev(v, Delta, epsF, tau)


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("conv", ["kubo", "paper"])
def test_from_surface_with_E(name, conv):
    _v, Delta, epsF, _tau, Ms, d = params(name)
    E = 1.3e3
    sot = ud.DiracSOT.from_surface(
        surface(name), E=E, thickness=d, Ms=Ms, convention=conv
    )
    H_DL, H_FL = physics_md_fields(name, conv, E)
    assert sot.H_DL == pytest.approx(H_DL, rel=1e-10)
    assert sot.H_FL == pytest.approx(H_FL, rel=1e-10)
    r0 = next(r for r in set_rows(name) if r["mz"] == 0)
    assert sot.H_DL == pytest.approx(r0[f"B_dir_per_E_{conv}"] * E / MU0, rel=1e-8)
    assert sot.H_FL == pytest.approx(-r0[f"B_FL_per_E_{conv}"] * E / MU0, rel=1e-8)
    assert sot.beta == pytest.approx(Delta / epsF, rel=1e-14)
    assert sot.E == E and sot.thickness == d and sot.convention == conv
    assert sot.surface == surface(name)
    # signs (PHYSICS.md): kubo H_DL < 0 and H_FL > 0 for E > 0; paper H_FL < 0
    assert sot.H_DL < 0
    assert (sot.H_FL > 0) == (conv == "kubo")


def test_from_surface_with_current_density():
    name = SETS[0]
    v, Delta, epsF, tau, Ms, d = params(name)
    J = 2e10
    # E = J d / sigma_xx(0), sigma_xx(0) = e^2 eps_F tau / (pi hbar^2) (PHYSICS.md)
    E = J * d * np.pi * HBAR**2 / (E_CH**2 * epsF * EV * tau)
    sot = ud.DiracSOT.from_surface(surface(name), J=J, thickness=d, Ms=Ms)
    assert sot.E == pytest.approx(E, rel=1e-10)
    H_DL, H_FL = physics_md_fields(name, "kubo", E)
    assert sot.H_DL == pytest.approx(H_DL, rel=1e-10)
    assert sot.H_FL == pytest.approx(H_FL, rel=1e-10)
    # |B_FL|/E = Delta sigma_xx / (e v Ms d) (kubo)
    sigma = E_CH**2 * epsF * EV * tau / (np.pi * HBAR**2)
    assert MU0 * sot.H_FL / sot.E == pytest.approx(
        Delta * EV * sigma / (E_CH * v * Ms * d), rel=1e-10
    )


def test_from_surface_options_and_errors():
    s = ud.theory.preset("Bi2Se3")
    sot = ud.DiracSOT.from_surface(
        s,
        E=-1e3,
        thickness=2e-9,
        Ms=8e5,
        j=(0, 1, 0),
        func=np.cos,
        dt=1e-12,
        name="dirac",
    )
    assert sot.j == (0, 1, 0) and sot.func is np.cos and sot.name == "dirac"
    assert sot.H_DL > 0  # reversed current
    same = ud.DiracSOT.from_surface(
        s, E=-1e3, thickness=2e-9, Ms=8e5, j=(0, 1, 0), func=np.cos, dt=1e-12
    )
    assert same != sot  # different name
    same.name = "dirac"
    assert same == sot
    with pytest.raises(ValueError, match="exactly one of E"):
        ud.DiracSOT.from_surface(s, thickness=1e-9, Ms=8e5)
    with pytest.raises(ValueError, match="exactly one of E"):
        ud.DiracSOT.from_surface(s, E=1.0, J=1.0, thickness=1e-9, Ms=8e5)
    with pytest.raises(ValueError, match="convention"):
        ud.DiracSOT.from_surface(s, E=1.0, thickness=1e-9, Ms=8e5, convention="x")
    with pytest.raises(ValueError, match="thickness"):
        ud.DiracSOT.from_surface(s, E=1.0, thickness=0.0, Ms=8e5)
    with pytest.raises(ValueError, match="Ms"):
        ud.DiracSOT.from_surface(s, E=1.0, thickness=1e-9, Ms=-1.0)
    with pytest.raises(ValueError, match="not perpendicular"):
        ud.DiracSOT.from_surface(s, E=1.0, thickness=1e-9, Ms=8e5, j=(0, 0, 1))


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("conv", ["kubo", "paper"])
def test_anisotropic_damping_from_surface(name, conv):
    v, Delta, epsF, tau, Ms, d = params(name)
    s = surface(name)
    for r in set_rows(name)[::7]:
        ad = ud.AnisotropicDamping.from_surface(
            s, thickness=d, Ms=Ms, mz=r["mz"], convention=conv
        )
        assert ad.delta_alpha == pytest.approx(r[f"dalpha_{conv}"], rel=1e-8)
        assert ad.n == (0, 0, 1)
    # PHYSICS.md: delta_alpha = gamma Delta^2 sigma_xx / (e^2 v^2 Ms d) (kubo, m_z=0)
    gamma = 2 * MU_B / HBAR
    sigma = E_CH**2 * epsF * EV * tau / (np.pi * HBAR**2)
    expect = gamma * (Delta * EV) ** 2 * sigma / (E_CH**2 * v**2 * Ms * d)
    if conv == "paper":
        expect /= 2
    ad = ud.AnisotropicDamping.from_surface(s, thickness=d, Ms=Ms, convention=conv)
    assert ad.delta_alpha == pytest.approx(expect, rel=1e-10)


def test_anisotropic_damping_from_surface_options():
    s = ud.theory.preset("Bi2Te3")
    ad = ud.AnisotropicDamping.from_surface(
        s, thickness=1e-9, Ms=1e6, n=(0, 1, 0), name="ti"
    )
    assert ad.n == (0, 1, 0) and ad.name == "ti" and ad.delta_alpha > 0
    with pytest.raises(ValueError, match="Ms"):
        ud.AnisotropicDamping.from_surface(s, thickness=1e-9, Ms=0.0)
