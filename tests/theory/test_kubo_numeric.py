"""Numerical Kubo-Streda integration versus the closed forms (docs/PHYSICS.md)."""

import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac.theory import kubo_numeric as kn

BETA = 0.5
CASES = [(0.0, 0.0, 1.0), (0.6, 0.0, 0.8), (-0.3, 0.5, -(0.7**0.5) * 1.0)]


def _unit(m):
    m = np.asarray(m, dtype=float)
    return m / np.linalg.norm(m)


@pytest.mark.parametrize("m", CASES)
@pytest.mark.parametrize("ladder", [True, False])
def test_richardson_converges_to_closed_forms(m, ladder):
    m = _unit(m)
    fl, dl = kn.extrapolate(BETA, m, 40.0, levels=3, ladder=ladder)
    ref = kn.closed_form_response(BETA, m[2], 1.0, ladder=ladder)
    # the brief asks < 1e-3; measured ~5e-7 with the default grid
    assert fl == pytest.approx(ref[1, 0], rel=1e-5)
    assert dl == pytest.approx(ref[0, 0], rel=1e-5, abs=1e-9)


def test_error_decreases_like_one_over_tau():
    """Unextrapolated errors are O(1/tau): halve when tau doubles."""
    m = _unit(CASES[1])
    ref = kn.closed_form_response(BETA, m[2], 1.0)
    errs = []
    for t in (50.0, 100.0, 200.0):
        K = kn.spin_response(BETA, m, t)
        errs.append(abs(K[1, 0] / t - ref[1, 0]) / ref[1, 0])
    assert errs[0] > 1e-3  # the 1/tau correction is real, not hidden by the grid
    assert errs[1] / errs[0] == pytest.approx(0.5, abs=0.05)
    assert errs[2] / errs[1] == pytest.approx(0.5, abs=0.05)


def test_structure_no_Sz_and_rotation_symmetry():
    K = kn.spin_response(BETA, _unit(CASES[2]), 60.0)
    assert np.abs(K[2]).max() < 1e-10 * np.abs(K).max()
    assert K[0, 0] == pytest.approx(K[1, 1], rel=1e-9)
    assert K[0, 1] == pytest.approx(-K[1, 0], rel=1e-9)


def test_in_plane_magnetisation_drops_out():
    """Same m_z, different (or no) in-plane part: identical response at finite tau."""
    ref = kn.spin_response(BETA, (0.0, 0.0, 0.6), 80.0)
    for m in [(0.8, 0.0, 0.6), (0.0, -0.8, 0.6), (-0.48, 0.64, 0.6)]:
        K = kn.spin_response(BETA, m, 80.0)
        assert np.abs(K - ref).max() < 1e-12 * np.abs(ref).max()  # measured 1e-14


def test_ladder_vertex_matches_A_and_B():
    t = 400.0
    for mz in (1.0, 0.6):
        m = (np.sqrt(1 - mz * mz), 0.0, mz)
        c = kn.ladder_vertex(BETA, m, t)
        assert c[1] == pytest.approx(float(ud.theory.A(mz, BETA)), rel=2e-3)
        # tau eps_F / hbar = t: take eps_F = 1 J, tau = t hbar
        b = float(ud.theory.B(mz, BETA, t * ud.theory.HBAR, 1.0))
        assert c[2] == pytest.approx(b, rel=5e-3)
        cs = kn.ladder_vertex(BETA, m, t, ordering="standard")
        assert cs[1] == pytest.approx(c[1], rel=1e-12)
        assert cs[2] == pytest.approx(-c[2], rel=1e-9)


def test_numeric_matches_surface_coefficients():
    """Converted to SI, the extrapolated numerics give DiracSurface.sigma_xx/xy."""
    s = ud.theory.DiracSurface.from_ev(4.3e5, 0.1, 0.2, 1e-13)
    m = _unit((0.5, 0.2, 0.7))
    fl, dl = kn.extrapolate(s.beta, m, 40.0)
    e2h = ud.theory.coefficients._E**2 / ud.theory.HBAR
    assert fl * s.tau_eps * e2h == pytest.approx(float(s.sigma_xx(m[2])), rel=1e-4)
    assert dl * e2h == pytest.approx(float(s.sigma_xy(m[2])), rel=1e-4)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"outside the metallic regime"):
        kn.spin_response(1.0, (0, 0, 1), 10.0)
    with pytest.raises(ValueError, match=r"tau_eps .* > 0"):
        kn.spin_response(0.5, (0, 0, 1), 0.0)
    with pytest.raises(ValueError, match=r"\|m\| <= 1"):
        kn.spin_response(0.5, (0, 1, 1), 10.0)


@pytest.mark.slow
@pytest.mark.parametrize("m", [*CASES, (1.0, 0.0, 0.0)])
@pytest.mark.parametrize("beta", [0.2, 0.5, 0.8])
def test_tight_convergence(m, beta):
    m = _unit(m)
    grid = dict(n_phi=64, n_gl=32, n_panels=16)
    fl, dl = kn.extrapolate(beta, m, 100.0, levels=4, **grid)
    ref = kn.closed_form_response(beta, m[2], 1.0)
    assert fl == pytest.approx(ref[1, 0], rel=1e-8)  # measured <= 2e-10
    assert dl == pytest.approx(ref[0, 0], rel=1e-8, abs=1e-11)
    # grid refinement changes nothing at this level
    fl2, dl2 = kn.extrapolate(beta, m, 100.0, levels=4, n_phi=96, n_gl=48, n_panels=20)
    assert fl2 == pytest.approx(fl, rel=1e-7)
    assert dl2 == pytest.approx(dl, rel=1e-7, abs=1e-10)
