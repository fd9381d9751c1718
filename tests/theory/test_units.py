"""Units where users type numbers: eV names, and SI values only a unit slip can give."""

import pytest
import scipy.constants as sc

import ubermag_dirac as ud

th = ud.theory
EV = sc.electron_volt


def test_preset_takes_energies_in_ev_by_name():
    s = th.preset("Bi2Se3", eps_F_eV=0.25, Delta_eV=0.04)
    assert s.eps_F == pytest.approx(0.25 * EV, rel=1e-15)
    assert s.Delta == pytest.approx(0.04 * EV, rel=1e-15)
    assert s.beta == pytest.approx(0.16, rel=1e-14)
    # SI names still work (backward compatible) and agree
    assert th.preset("Bi2Se3", eps_F=0.25 * EV, Delta=0.04 * EV) == s
    with pytest.raises(ValueError, match=r"eps_F \(J\) or eps_F_eV \(eV\), not both"):
        th.preset("Bi2Se3", eps_F=0.25 * EV, eps_F_eV=0.25)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        # the trap: 0.2 meant as eV, read as 0.2 J
        (dict(eps_F=0.2), r"eps_F = 0.2 J .*in eV\? Use preset\(\.\.\., eps_F_eV"),
        (dict(Delta=0.05, eps_F=0.2), r"eps_F = 0.2 J"),
        (dict(Delta=3.0), r"Delta = 3 J .*Delta_eV=3"),
        # hbar v in eV Angstrom typed as v
        (dict(v=4.0), r"v = 4 m/s .*hbar_v \* 151927 m/s"),
        # tau in fs or ps
        (dict(tau=50.0), r"tau = 50 s .*tau=50e-15"),
        (dict(tau=0.05), r"tau = 0.05 s .*0.05 ps is tau=0.05e-12"),
        (dict(eps_F=1e-30), r"below 1 micro-eV"),
    ],
)
def test_absurd_si_values_are_refused_naming_the_likely_unit(overrides, match):
    with pytest.raises(ValueError, match=match):
        th.preset("Bi2Se3", **overrides)


def test_plausible_bounds_are_generous():
    # the paper's large-gap example (hbar v = 4 eV A, Delta = 1 eV, eps_F = 3 eV)
    v = 4 * EV * 1e-10 / sc.hbar
    th.DiracSurface(v=v, Delta=1.0 * EV, eps_F=3.0 * EV, tau=1e-14)
    th.DiracSurface(v=1e4, Delta=0.0, eps_F=1e-3 * EV, tau=1e-10)
