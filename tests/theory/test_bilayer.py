"""Current density <-> torque fields of a film on the surface (ud.theory.Bilayer).

Checked against the closed forms of docs/PHYSICS.md written out here with
scipy.constants (mu0 = 4 pi 1e-7, Ubermag's value, as ubermag_dirac.constants
documents): E = J d_J / sigma_xx(0), sigma_xx(0) = e^2 eps_F tau/(pi hbar^2),
H = hbar tau(0) E / (2 mu0 Ms d), and H_FL/H_DL = -tau eps_F/(2 hbar beta) (kubo).
"""

import numpy as np
import pytest
import scipy.constants as sc

import ubermag_dirac as ud

HBAR, E_CH, EV = sc.hbar, sc.e, sc.electron_volt
MU0 = 4e-7 * np.pi  # micromagneticmodel's mu0 (the A/m fields are Ubermag's)


def closed_form(surface, J, d, Ms, d_J=None):
    d_J = d if d_J is None else d_J
    v, Delta, eps, tau = surface.v, surface.Delta, surface.eps_F, surface.tau
    beta = Delta / eps
    sigma = E_CH**2 * eps * tau / (np.pi * HBAR**2)
    E = J * d_J / sigma
    tau_perp = 2 * E_CH * beta * tau * eps**2 / (np.pi * HBAR**3 * v)
    tau_par = -4 * E_CH * beta**2 * eps / (np.pi * HBAR**2 * v)
    H_DL = HBAR * tau_par * E / (2 * MU0 * Ms * d)
    H_FL = HBAR * tau_perp * E / (2 * MU0 * Ms * d)
    gamma = 2 * sc.physical_constants["Bohr magneton"][0] / HBAR
    da = gamma * Delta**2 * sigma / (E_CH**2 * v**2 * Ms * d)
    return E, H_DL, H_FL, da


@pytest.mark.parametrize("name", ["Bi2Se3", "Bi2Te3"])
@pytest.mark.parametrize("d_J", [None, 5e-9])
def test_fields_match_the_closed_forms_and_invert(name, d_J):
    s = ud.theory.preset(name)
    bl = ud.theory.Bilayer(s, thickness=2e-9, Ms=6e5, current_thickness=d_J)
    J = np.array([-3e11, 1e10, 2e12])
    f = bl.fields(J)
    E, H_DL, H_FL, da = closed_form(s, J, 2e-9, 6e5, d_J)
    np.testing.assert_allclose(f.J, J)
    np.testing.assert_allclose(f.E, E, rtol=1e-12)
    np.testing.assert_allclose(f.H_DL, H_DL, rtol=1e-12)
    np.testing.assert_allclose(f.H_FL, H_FL, rtol=1e-12)
    assert float(f.delta_alpha) == pytest.approx(da, rel=1e-12)
    np.testing.assert_allclose(bl.current_density(H_DL=f.H_DL), J, rtol=1e-13)
    np.testing.assert_allclose(bl.current_density(H_FL=f.H_FL), J, rtol=1e-13)
    # the term built from the same surface stores the same amplitudes
    sot = ud.DiracSOT.from_surface(s, J=2e12, thickness=2e-9, Ms=6e5)
    if d_J is None:
        assert sot.H_DL == pytest.approx(float(f.H_DL[-1]), rel=1e-13)
        assert sot.H_FL == pytest.approx(float(f.H_FL[-1]), rel=1e-13)
        assert ud.theory.Bilayer.from_term(sot) == bl


@pytest.mark.parametrize("name", ["Bi2Se3", "Bi2Te3"])
def test_field_like_over_damping_like_ratio(name):
    s = ud.theory.preset(name)
    bl = ud.theory.Bilayer(s, thickness=1e-9, Ms=8e5)
    expected = -s.tau * s.eps_F / (2 * HBAR * s.beta)
    assert bl.fl_dl_ratio == pytest.approx(expected, rel=1e-12)
    # about -30 (Bi2Se3) and -61 (Bi2Te3): docs/PHYSICS.md
    assert round(bl.fl_dl_ratio) == {"Bi2Se3": -30, "Bi2Te3": -61}[name]
    paper = ud.theory.Bilayer(s, thickness=1e-9, Ms=8e5, convention="paper")
    assert paper.fl_dl_ratio == pytest.approx(-expected, rel=1e-12)


def test_bad_input():
    s = ud.theory.preset("Bi2Se3")
    with pytest.raises(ValueError, match="thickness"):
        ud.theory.Bilayer(s, thickness=0.0, Ms=8e5)
    with pytest.raises(ValueError, match="convention"):
        ud.theory.Bilayer(s, thickness=1e-9, Ms=8e5, convention="x")
    with pytest.raises(TypeError, match="DiracSurface"):
        ud.theory.Bilayer("Bi2Se3", thickness=1e-9, Ms=8e5)
    bl = ud.theory.Bilayer(s, thickness=1e-9, Ms=8e5)
    with pytest.raises(ValueError, match="exactly one of H_DL or H_FL"):
        bl.current_density()
    with pytest.raises(ValueError, match="not built by from_surface"):
        ud.theory.Bilayer.from_term(ud.DiracSOT(H_DL=1.0))
