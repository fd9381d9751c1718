"""Each compiled kernel of ubermag_dirac.kernels against its numpy reference form.

The references are independent implementations (different algebra: dense 3x3
solves, np.cross, the mm.Slonczewski docstring expression); random states and
parameters. Tolerances: the kernels and references evaluate the same closed
forms in different orders, so they agree to a few ulps of the largest term
(1e-12 relative to the result's scale leaves a margin of 1e3).
"""

import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac import kernels, terms, theory
from ubermag_dirac.kernels import dormand_prince as dp
from ubermag_dirac.terms import dirac_sot, llg, spin_hall

RNG = np.random.default_rng(11)


def _unit(n=3):
    v = RNG.normal(size=n)
    return v / np.linalg.norm(v)


def _frame():
    """Random unit normal n, in-plane current j (j . n = 0) and p = n x j."""
    n = _unit()
    j = np.cross(n, _unit())
    j /= np.linalg.norm(j)
    return n, j, np.cross(n, j)


def _close(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12 * max(np.abs(b).max(), 1e-300))


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.95])
def test_dirac_factors_against_theory_and_terms(beta):
    for mz in np.linspace(-1, 1, 21):
        fdl, ffl = kernels.dirac_factors(mz, beta)
        _close(fdl, theory.f_DL(mz, beta))
        _close(ffl, theory.f_FL(mz, beta))
        _close((fdl, ffl), (dirac_sot.f_DL(mz, beta), dirac_sot.f_FL(mz, beta)))
    # beta = 0: no angular dependence, exactly
    assert kernels.dirac_factors(0.7, 0.0) == (1.0, 1.0)


def test_dirac_field_against_terms_reference():
    for _ in range(200):
        n, j, p = _frame()
        m = _unit()
        h_dl, h_fl = RNG.normal(scale=1e4, size=2)
        beta = RNG.uniform(0, 0.99)
        got = kernels.dirac_field(float(m @ n), *j, *p, h_dl, h_fl, beta)
        _close(got, dirac_sot.torque_field(m, h_dl, h_fl, beta, j, n))


def test_spin_hall_field_against_terms_reference():
    for _ in range(200):
        n, j, p = _frame()
        m = _unit()
        h_sh = RNG.normal(scale=1e4)
        got = kernels.spin_hall_field(*m, *p, h_sh)
        _close(got, spin_hall.torque_field(m, h_sh, j, n))


@pytest.mark.parametrize("eps_prime", [0.0, 0.2])
def test_slonczewski_against_mm_docstring_reference(eps_prime):
    gamma0, Ms, d = 2.211e5, 8e5, 2e-9
    beta_factor = spin_hall._BETA_FACTOR  # |hbar / (mu0 e)| with OOMMF's constants
    for _ in range(50):
        mp = _unit()
        m = _unit()
        J, P = RNG.uniform(-2e12, 2e12), RNG.uniform(0.1, 0.9)
        Lam = RNG.uniform(1.0, 3.0)
        alpha = RNG.uniform(0, 0.5)
        term = mm.Slonczewski(J=J, mp=tuple(mp), P=P, Lambda=Lam, eps_prime=eps_prime)
        beta = beta_factor * J / (d * Ms)
        L2 = Lam * Lam
        got = kernels.slonczewski_dmdt(
            *m,
            *mp,
            beta * P * L2,
            L2 + 1,
            L2 - 1,
            beta * eps_prime,
            alpha,
            gamma0,
            True,
        )
        ref = spin_hall.slonczewski_dmdt(
            term, m, Ms=Ms, thickness=d, alpha=alpha, gamma0=gamma0
        )
        _close(got, ref)


def test_slonczewski_without_precession_keeps_oommfs_damping_coefficients():
    """do_precess 0: gamma_LL [alpha b' m x (p x m) + alpha b_eps m x p]."""
    for _ in range(50):
        m, p = _unit(), _unit()
        c1, c2 = RNG.normal(scale=1e3, size=2)
        L2 = RNG.uniform(1, 4)
        alpha, gamma = RNG.uniform(0, 1), 2.211e5
        got = kernels.slonczewski_dmdt(
            *m, *p, c1, L2 + 1, L2 - 1, c2, alpha, gamma, False
        )
        beps = c1 / (L2 + 1 + (L2 - 1) * (m @ p))
        gll = gamma / (1 + alpha**2)
        ref = gll * (
            alpha * c2 * np.cross(m, np.cross(p, m)) + alpha * beps * np.cross(m, p)
        )
        _close(got, ref)


@pytest.mark.parametrize("dalpha", [0.0, 0.05, 0.7])
def test_gilbert_against_dense_3x3_solve(dalpha):
    for _ in range(200):
        m, n = _unit(), _unit()
        H = RNG.normal(scale=1e5, size=3)
        gamma, alpha = RNG.uniform(1e5, 3e5), RNG.uniform(0, 1)
        got = kernels.gilbert_dmdt(*m, *H, gamma, alpha, dalpha, *n)
        _close(got, llg.gilbert_dmdt(m, H, gamma, alpha, dalpha, n))


def test_gilbert_without_precession_is_the_damping_part():
    for _ in range(100):
        m = _unit()
        H = RNG.normal(scale=1e5, size=3)
        gamma, alpha = RNG.uniform(1e5, 3e5), RNG.uniform(0, 1)
        got = kernels.damping_dmdt(*m, *H, gamma, alpha)
        full = llg.landau_lifshitz_dmdt(m, H, gamma, alpha)
        precession = -gamma / (1 + alpha**2) * np.cross(m, H)
        _close(got, full - precession)


@pytest.mark.parametrize("tab", list(dp.TABLEAUX.values()), ids=list(dp.TABLEAUX))
def test_dormand_prince_tableaux(tab):
    A = np.array(tab.A)
    assert A.shape == (6, 7) and np.all(np.triu(A) == 0)
    np.testing.assert_allclose(A.sum(axis=1), tab.c[:6], atol=1e-15)
    b_hat = tab.b - tab.e
    assert b_hat.sum() == pytest.approx(1, abs=1e-15)
    # order conditions of the two weight sets (bushy trees): 5 and 4
    for q in range(1, 6):
        assert (tab.b * tab.c ** (q - 1)).sum() == pytest.approx(1 / q, abs=1e-14)
    for q in range(1, 5):
        assert (b_hat * tab.c ** (q - 1)).sum() == pytest.approx(1 / q, abs=1e-14)
    # one step integrates y' = t^4 exactly (fifth order), the embedded fourth-order
    # solution does not: the error estimate of a quartic is h^5 sum e_i c_i^4 != 0
    h = 0.3
    assert h * (tab.b @ (tab.c * h) ** 4) == pytest.approx(h**5 / 5, rel=1e-14)
    assert abs(tab.e @ tab.c**4) > 1e-5


def test_dopri5_error_weights_are_the_exact_differences():
    """e_i = b_i - b_hat_i from the fractions, rounded once (Hairer's DOPRI5)."""
    exact = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40]
    assert dp.RK547FM.e.tolist() == exact


def test_kernels_are_used_by_the_engine_and_the_macrospin():
    """No second compiled copy: the callers import these very objects."""
    from ubermag_dirac.engine import integrators
    from ubermag_dirac.engine import llg as engine_llg
    from ubermag_dirac.engine.dynamics import dirac_sot as e_dirac
    from ubermag_dirac.engine.dynamics import spin_hall as e_sh
    from ubermag_dirac.macrospin import _kernels as ms_kernels

    assert engine_llg.gilbert_dmdt is kernels.gilbert_dmdt
    assert engine_llg.damping_dmdt is kernels.damping_dmdt
    assert engine_llg.slonczewski_dmdt is kernels.slonczewski_dmdt
    assert e_dirac.dirac_field is kernels.dirac_field
    assert e_sh.spin_hall_field is kernels.spin_hall_field
    assert ms_kernels.dirac_field is kernels.dirac_field
    assert ms_kernels.spin_hall_field is kernels.spin_hall_field
    assert ms_kernels.gilbert_dmdt is kernels.gilbert_dmdt
    assert integrators.TABLEAUX is dp.TABLEAUX and ms_kernels.E is dp.RK547FM.e
    assert terms.llg.gilbert_dmdt is llg.gilbert_dmdt
