"""Reference Gilbert solver with the damping tensor (ubermag_dirac.terms.llg)."""

import numpy as np
import pytest
import scipy.optimize

from ubermag_dirac.terms import damping_tensor, gilbert_dmdt, landau_lifshitz_dmdt
from ubermag_dirac.terms.llg import cross_matrix

from .conftest import random_unit

G0 = 2.211e5

RNG = np.random.default_rng(7)


def test_cross_matrix():
    a, b = RNG.normal(size=(2, 10, 3))
    np.testing.assert_allclose(
        (cross_matrix(a) @ b[..., None])[..., 0], np.cross(a, b), rtol=1e-14
    )


def test_damping_tensor():
    n = np.array([0.0, 0.6, 0.8])
    A = damping_tensor(0.01, 0.2, n)
    np.testing.assert_allclose(A @ n, 0.01 * n, rtol=1e-14)
    t = np.array([1.0, 0, 0])  # perpendicular to n
    np.testing.assert_allclose(A @ t, 0.21 * t, rtol=1e-14)
    np.testing.assert_allclose(A, A.T)
    assert damping_tensor(np.zeros((4, 5)), 0.1).shape == (4, 5, 3, 3)


def test_scalar_damping_matches_landau_lifshitz_closed_form():
    m = random_unit(RNG, (200,))
    H = RNG.normal(size=(200, 3)) * 1e5
    alpha = RNG.uniform(0, 2, size=200)
    g = gilbert_dmdt(m, H, G0, alpha)
    ll = landau_lifshitz_dmdt(m, H, G0, alpha)
    scale = G0 * np.linalg.norm(H, axis=-1, keepdims=True)
    np.testing.assert_allclose(g / scale, ll / scale, rtol=0, atol=1e-13)


def test_hand_solution_precession_about_normal():
    # m = x, H = H z: dm/dt = (0, a, b) with a = g H/(1 + alpha (alpha + da)),
    # b = (alpha + da) a  (in-plane dm/dt damped by alpha + delta_alpha)
    alpha, da, H = 0.05, 0.3, 1e5
    a = G0 * H / (1 + alpha * (alpha + da))
    got = gilbert_dmdt([1.0, 0, 0], [0, 0, H], G0, alpha, da)
    np.testing.assert_allclose(got, [0, a, (alpha + da) * a], rtol=1e-14)
    # and about an in-plane axis: m = z, H = H x: dm/dt = (c, d, 0) in plane,
    # fully damped by alpha + da
    got = gilbert_dmdt([0, 0, 1.0], [H, 0, 0], G0, alpha, da)
    ll = landau_lifshitz_dmdt([0, 0, 1.0], [H, 0, 0], G0, alpha + da)
    np.testing.assert_allclose(got, ll, rtol=1e-14, atol=1e-9)


def test_tensor_damping_against_direct_numerical_solve():
    """Solve v = -g m x H + m x (A v) by a generic root finder, cell by cell."""
    m = random_unit(RNG, (25,))
    H = RNG.normal(size=(25, 3)) * 1e5
    alpha = RNG.uniform(0, 1, size=25)
    da = RNG.uniform(0, 1, size=25)
    n = random_unit(RNG, (25,))
    got = gilbert_dmdt(m, H, G0, alpha, da, n)
    for k in range(25):
        A = alpha[k] * np.eye(3) + da[k] * (np.eye(3) - np.outer(n[k], n[k]))

        scale = G0 * np.linalg.norm(H[k])

        def residual(u, k=k, A=A, scale=scale):  # u = (dm/dt) / scale
            return u - (-G0 * np.cross(m[k], H[k]) / scale + np.cross(m[k], A @ u))

        sol = scipy.optimize.root(residual, np.zeros(3), method="hybr", tol=1e-12)
        # (MINPACK may flag 'no further improvement' at machine precision; the
        # residual is the criterion)
        assert np.max(np.abs(residual(sol.x))) < 1e-13
        np.testing.assert_allclose(got[k] / scale, sol.x, rtol=0, atol=1e-12)
        # and the implicit equation itself
        np.testing.assert_allclose(residual(got[k] / scale), 0, atol=1e-13)


def test_properties_of_solution():
    m = random_unit(RNG, (100,))
    H = RNG.normal(size=(100, 3)) * 1e5
    alpha = RNG.uniform(0, 1, size=100)
    da = RNG.uniform(0, 1, size=100)
    v = gilbert_dmdt(m, H, G0, alpha, da, (0, 0, 1))
    scale = G0 * 1e5
    # norm preserving
    np.testing.assert_allclose(np.sum(v * m, axis=-1) / scale, 0, atol=1e-13)
    # dissipation: crossing the equation with m and dotting with dm/dt gives
    # g H . dm/dt = dm/dt . A dm/dt >= 0 (dE/dt = -mu0 Ms H . dm/dt <= 0)
    A = damping_tensor(alpha, da, (0, 0, 1))
    vAv = np.einsum("...i,...ij,...j->...", v, A, v)
    np.testing.assert_allclose(G0 * np.sum(H * v, axis=-1), vAv, rtol=1e-10)
    assert np.all(vAv > 0)
    # no damping at all: pure precession
    np.testing.assert_allclose(gilbert_dmdt(m, H, G0, 0.0), -G0 * np.cross(m, H))


def test_broadcasting_and_errors():
    m = random_unit(RNG, (3, 4))
    H = RNG.normal(size=(3, 4, 3))
    out = gilbert_dmdt(m, H, G0, np.full((3, 4), 0.1), 0.2, np.array([0, 0, 1.0]))
    assert out.shape == (3, 4, 3)
    one = gilbert_dmdt(m[1, 2], H[1, 2], G0, 0.1, 0.2)
    np.testing.assert_allclose(out[1, 2], one, rtol=1e-14)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        gilbert_dmdt(m, H, G0, -0.1)
    with pytest.raises(ValueError, match="delta_alpha must be >= 0"):
        gilbert_dmdt(m, H, G0, 0.1, -0.1)
