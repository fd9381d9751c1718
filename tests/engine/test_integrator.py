"""Dormand-Prince 5(4) integrator: convergence with tolerance, FSAL bookkeeping,
step-size collapse detection."""

import itertools

import engine_test_fields as F  # loaded by conftest.py
import numpy as np
import pytest

from ubermag_dirac.engine import Engine, IntegrationError
from ubermag_dirac.engine.integrators import (
    DEFAULT_METHOD,
    TABLEAUX,
    DormandPrince45,
    get_tableau,
)


def _order_conditions(A, b, c):
    """Residuals of the order conditions up to order 5 (Butcher's 17 trees)."""
    A = np.array(A)
    e = np.ones(len(b))
    Ac, Ac2, Ac3 = A @ c, A @ c**2, A @ c**3
    AAc = A @ Ac
    conds = [
        (b @ e, 1),
        (b @ c, 1 / 2),
        (b @ c**2, 1 / 3),
        (b @ Ac, 1 / 6),
        (b @ c**3, 1 / 4),
        (b @ (c * Ac), 1 / 8),
        (b @ Ac2, 1 / 12),
        (b @ AAc, 1 / 24),
        (b @ c**4, 1 / 5),
        (b @ (c**2 * Ac), 1 / 10),
        (b @ (c * Ac2), 1 / 15),
        (b @ (c * AAc), 1 / 30),
        (b @ (Ac * Ac), 1 / 20),
        (b @ Ac3, 1 / 20),
        (b @ (A @ (c * Ac)), 1 / 40),
        (b @ (A @ Ac2), 1 / 60),
        (b @ (A @ AAc), 1 / 120),
    ]
    orders = [1, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5]
    return [(o, abs(v - w)) for o, (v, w) in zip(orders, conds, strict=True)]


@pytest.mark.parametrize("name", sorted(TABLEAUX))
def test_butcher_tableau_is_consistent(name):
    """Row sums equal the stage times, the solution has order 5 and the embedded
    one order 4 (not 5), the last stage is FSAL (its row is the solution)."""
    tab = TABLEAUX[name]
    S = tab.stages
    A = [*tab.A, tab.b]
    for s in range(S):
        assert A[s].sum() == pytest.approx(tab.c[s], abs=1e-15)
        assert np.all(A[s][s:] == 0)  # explicit
    assert tab.c[-1] == 1.0 and tab.b[-1] == 0.0
    for order, res in _order_conditions(A, tab.b, tab.c):
        assert res < 1e-14, (order, res)
    bhat = tab.b - tab.e
    res_hat = _order_conditions(A, bhat, tab.c)
    assert max(r for o, r in res_hat if o <= 4) < 1e-14
    assert max(r for o, r in res_hat if o == 5) > 1e-4


def _stability_boundary(tab, alpha, ymax=6.0):
    """First |z| at which |R(z)| > 1 on the ray z = |z| (i - alpha)/|i - alpha|."""
    A = np.array([*tab.A, tab.b])[: tab.stages - 1, : tab.stages - 1]
    b = tab.b[: tab.stages - 1]
    one = np.ones(b.size)
    direction = (1j - alpha) / abs(1j - alpha)
    for y in np.arange(0.5, ymax, 1e-3):
        z = y * direction
        R = 1 + z * b @ np.linalg.solve(np.eye(b.size) - z * A, one)
        if abs(R) > 1 + 1e-12:
            return y
    return ymax


@pytest.mark.parametrize("name", sorted(TABLEAUX))
def test_documented_stability_boundary(name):
    """The stability boundary for weakly damped precession (alpha = 0.02), which
    sets the step of exchange-dominated films such as standard problem 4."""
    tab = TABLEAUX[name]
    assert _stability_boundary(tab, 0.02) == pytest.approx(tab.imag_stability, abs=5e-3)


def test_default_method_is_auto_on_oommfs_rkf54_and_more_stable():
    """The default "auto" steps with OOMMF's default rkf54 (RK5(4)7FC), which is
    stable further out than DOPRI5 (RK5(4)7FM) in every direction of weakly to
    strongly damped precession (RK4(3) takes over only where stability limits
    the step: tests/engine/test_stiff_switching.py)."""
    assert DEFAULT_METHOD == "auto"
    assert Engine(F.macrospin())._integrator.tableau is get_tableau("rkf54")
    fc, fm = get_tableau("rkf54"), get_tableau("RKF54M")
    for alpha in (0.0, 0.02, 0.1, 0.5, 1.0, 1e3):
        if alpha == 0.0:  # on the imaginary axis, compare beyond y = 1
            continue
        assert _stability_boundary(fc, alpha) > _stability_boundary(fm, alpha)
    with pytest.raises(ValueError, match="method: expected one of"):
        get_tableau("rk4")


def _macrospin_error(tol, alpha=0.1, H=2e5, t=5e-10):
    mz0 = -0.6
    e = Engine(
        F.macrospin(m0=(np.sqrt(1 - mz0**2), 0, mz0), H=(0, 0, H), alpha=alpha),
        tol=tol,
    )
    e.run(t, 1)
    rate = 2.211e5 * H / (1 + alpha**2)
    mz = np.tanh(alpha * rate * t + np.arctanh(mz0))
    phi = rate * t
    rho = np.sqrt(1 - mz**2)
    exact = np.array([rho * np.cos(phi), rho * np.sin(phi), mz])
    return np.linalg.norm(e.m.reshape(3) - exact), e.stats


def test_global_error_follows_the_tolerance():
    """Fifth-order local error control: the global error shrinks with tol (by
    about tol^(4/5)-tol per decade) and the step count grows like tol^(-1/5)."""
    tols = [1e-4, 1e-6, 1e-8]
    results = [_macrospin_error(tol) for tol in tols]
    errs = [r[0] for r in results]
    steps = [r[1]["steps"] for r in results]
    for tol, err in zip(tols, errs, strict=True):
        assert err < 50 * tol
    assert errs[1] < errs[0] / 30 and errs[2] < errs[1] / 30
    # N ~ tol^(-1/5): 100x tighter -> about 2.5x more steps
    for a, b in itertools.pairwise(steps):
        assert 1.8 < b / a < 3.5


def test_counters_fsal():
    e = Engine(F.macrospin(alpha=0.05))
    e.run(1e-10, 3)
    st = e.stats
    attempts = st["steps"] + st["rejections"]
    # one first evaluation, then 6 per attempt (FSAL)
    assert st["evaluations"] == 1 + 6 * attempts
    assert st["wall_time"] > 0


def test_step_size_collapse_raises():
    rng = np.random.default_rng(0)

    def noise(t):
        return 1e7 * rng.normal()

    e = Engine(F.macrospin(func=noise, alpha=0.1))
    m0 = e.m.copy()
    with pytest.raises(IntegrationError, match="collapsed below 1e-20 s"):
        e.run(1e-11, 1)
    np.testing.assert_array_equal(e.m, m0)
    assert e.t == 0.0


def test_integrator_standalone_exponential_decay():
    """On a linear tangent flow the integrator needs no engine: a spin relaxing
    about z with rate r (no precession) against the closed form."""
    r = 1e10
    mask = np.ones((1, 1), dtype=bool)

    def rhs(t, y, out):
        m = y.reshape(1, 3, 1)
        # dm/dt = -r m x (m x z)
        z = np.array([0, 0, 1.0])
        v = np.cross(m[0, :, 0], z)
        out.reshape(1, 3, 1)[0, :, 0] = -r * np.cross(m[0, :, 0], v)
        return np.array([np.linalg.norm(out)])

    y = np.zeros((1, 3, 1))
    y[0, 0, 0] = 1.0
    it = DormandPrince45(rhs, y, mask, tol=1e-10)
    it.advance(3e-10)
    assert it.t[0] == 3e-10
    mz = np.tanh(r * 3e-10)
    np.testing.assert_allclose(y[0, 2, 0], mz, atol=1e-9)
