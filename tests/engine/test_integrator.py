"""Dormand-Prince 5(4) integrator: convergence with tolerance, FSAL bookkeeping,
step-size collapse detection."""

import itertools

import engine_test_fields as F  # loaded by conftest.py
import numpy as np
import pytest

from ubermag_dirac.engine import Engine, IntegrationError
from ubermag_dirac.engine.integrators import _A, _B4, _B5, _C, DormandPrince45


def test_butcher_tableau_is_consistent():
    assert _B5.sum() == pytest.approx(1, abs=1e-15)
    assert _B4.sum() == pytest.approx(1, abs=1e-15)
    for s in range(1, 6):
        assert _A[s].sum() == pytest.approx(_C[s], abs=1e-15)
    # order conditions up to 5 for the solution weights (bushy trees)
    for q in range(1, 6):
        assert (_B5 * _C ** (q - 1)).sum() == pytest.approx(1 / q, abs=1e-14)


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
