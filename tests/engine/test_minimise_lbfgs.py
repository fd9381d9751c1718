"""L-BFGS on the spheres (``ubermag_dirac.engine.minimise``): kernels and behaviour.

Independent checks: the step's derivative against a finite difference, the
transport against the geometry of rotations (isometry, tangency, the transported
direction), the two-loop recursion against the secant equation that every BFGS
update satisfies, the minimiser against Stoner-Wohlfarth angles, and its failure
modes (inconsistent energy, iteration limit, NaN).
"""

import numpy as np
import pytest

from ubermag_dirac.engine import Engine, IntegrationError
from ubermag_dirac.engine import minimise as mn

RNG = np.random.default_rng(2026)


def _unit(shape):
    v = RNG.normal(size=shape)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _tangent(m):
    v = RNG.normal(size=m.shape)
    return v - np.sum(v * m, axis=1, keepdims=True) * m


def test_sphere_step_is_a_great_circle_with_the_exact_derivative():
    B, N = 2, 50
    m0 = _unit((B, 3, N))
    d = _tangent(m0)
    mask = np.ones((B, N), dtype=bool)
    alpha = np.array([0.7, 0.0])
    m = np.empty_like(m0)
    tau = np.empty_like(m0)
    mn.sphere_step(m0, d, alpha, mask, m, tau)
    np.testing.assert_allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-15)
    np.testing.assert_array_equal(m[1], m0[1])  # alpha = 0: unchanged
    # the cell turns by arctan(alpha |d|) in the plane of m0 and d
    angle = np.arccos(np.clip(np.sum(m[0] * m0[0], axis=0), -1, 1))
    np.testing.assert_allclose(angle, np.arctan(0.7 * np.linalg.norm(d[0], axis=0)))
    np.testing.assert_allclose(
        np.sum(m[0] * np.cross(m0[0], d[0], axis=0), axis=0), 0, atol=1e-14
    )
    # tau = dm/dalpha: central difference
    h = 1e-6
    mp, mm_ = np.empty_like(m0), np.empty_like(m0)
    mn.sphere_step(m0, d, alpha + h, mask, mp, np.empty_like(m0))
    mn.sphere_step(m0, d, alpha - h, mask, mm_, np.empty_like(m0))
    np.testing.assert_allclose(tau[0], (mp[0] - mm_[0]) / (2 * h), atol=1e-8)
    np.testing.assert_allclose(np.sum(tau[0] * m[0], axis=0), 0, atol=1e-15)


def test_accept_steps_transports_isometrically_and_forms_the_pair():
    B, N, M = 1, 40, 3
    m0 = _unit((B, 3, N))
    d = _tangent(m0)
    g0 = _tangent(m0)
    S = np.stack([_tangent(m0) for _ in range(M)], axis=1)
    Y = np.stack([_tangent(m0) for _ in range(M)], axis=1)
    w = RNG.uniform(0.5, 1.5, size=(B, N))
    mask = np.ones((B, N), dtype=bool)
    alpha = np.array([0.4])
    m = np.empty_like(m0)
    tau = np.empty_like(m0)
    mn.sphere_step(m0, d, alpha, mask, m, tau)
    g = _tangent(m)

    def gram(vs):
        return np.array([[mn.weighted_dot(a, b, w)[0] for b in vs] for a in vs])

    before = gram([S[:, 1], S[:, 2], Y[:, 1], Y[:, 2], g0, d])
    head = np.array([0])
    count = np.array([M])  # full: slot 0 (the oldest) is overwritten
    out = np.zeros((4, B))
    m0_old, d_old, g0_old = m0.copy(), d.copy(), g0.copy()
    mn.accept_steps(
        np.array([True]),
        alpha,
        m0,
        d,
        m,
        g,
        g0,
        S,
        Y,
        head,
        count,
        w,
        np.zeros((7, N)),
        out,
    )
    # parallel transport on each sphere is an isometry and lands in the tangent
    # plane of the new point; the transported step direction is tau
    theta = np.arctan(0.4 * np.linalg.norm(d_old, axis=1))
    s_expected = theta[:, None] * tau / np.linalg.norm(tau, axis=1, keepdims=True)
    np.testing.assert_allclose(S[:, 0], s_expected, atol=1e-14)
    Tg0 = Y[:, 0] + g
    norm = np.linalg.norm
    Td = tau / norm(tau, axis=1, keepdims=True) * norm(d_old, axis=1, keepdims=True)
    after = gram([S[:, 1], S[:, 2], Y[:, 1], Y[:, 2], Tg0, Td])
    np.testing.assert_allclose(after, before, rtol=1e-12, atol=1e-12)
    for v in (S[:, 0], S[:, 1], S[:, 2], Y[:, 0], Y[:, 1], Y[:, 2]):
        np.testing.assert_allclose(np.sum(v * m, axis=1), 0, atol=1e-14)
    np.testing.assert_array_equal(m0, m)
    np.testing.assert_array_equal(g0, g)
    sy, yy, ss = out[:3, 0]
    assert sy == pytest.approx(mn.weighted_dot(S[:, 0], Y[:, 0], w)[0], rel=1e-12)
    assert yy == pytest.approx(mn.weighted_dot(Y[:, 0], Y[:, 0], w)[0], rel=1e-12)
    assert ss == pytest.approx(mn.weighted_dot(S[:, 0], S[:, 0], w)[0], rel=1e-12)
    assert not np.allclose(m0_old, m0) and not np.allclose(g0_old, g0)


def test_two_loop_direction_satisfies_the_secant_equation():
    # every BFGS inverse-Hessian update H satisfies H y_newest = s_newest, so the
    # direction computed for g = y of the newest pair is its s
    B, N, M = 1, 30, 4
    m = _unit((B, 3, N))
    w = RNG.uniform(0.5, 2.0, size=(B, N))
    S = np.stack([_tangent(m) for _ in range(M)], axis=1)
    # y = A s with A symmetric positive definite per cell (a curvature): s.y > 0
    A = RNG.normal(size=(N, 3, 3))
    A = np.einsum("nij,nkj->nik", A, A) + 3 * np.eye(3)
    Y = np.einsum("nij,bkjn->bkin", A, S)
    Y -= np.sum(Y * m[:, None], axis=2, keepdims=True) * m[:, None]
    rho = np.array([[1.0 / mn.weighted_dot(S[:, j], Y[:, j], w)[0] for j in range(M)]])
    assert np.all(rho > 0)
    head = np.array([M - 1])  # slot M - 2 is the newest of the M - 1 pairs used
    count = np.array([M - 1])
    gamma = np.array([0.37])
    newest = M - 2
    g = Y[:, newest].copy()
    d = np.zeros_like(g)
    out = np.zeros((4, B))
    mn.lbfgs_direction(g, m, S, Y, rho, gamma, head, count, w, np.array([True]), d, out)
    np.testing.assert_allclose(d, S[:, newest], atol=1e-12)
    assert out[0, 0] == pytest.approx(mn.weighted_dot(g, d, w)[0])
    assert out[3, 0] == pytest.approx(np.linalg.norm(d, axis=1).max())
    # without pairs the direction is gamma g
    mn.lbfgs_direction(
        g, m, S, Y, rho, gamma, head, np.array([0]), w, np.array([True]), d, out
    )
    np.testing.assert_allclose(d, 0.37 * g, atol=1e-15)


def _test_minimise():
    """The Stoner-Wohlfarth helpers of ``test_minimise.py``."""
    import importlib.util
    import pathlib
    import sys

    key = "_ubermag_dirac_engine_test_minimise"
    if key not in sys.modules:
        path = pathlib.Path(__file__).with_name("test_minimise.py")
        spec = importlib.util.spec_from_file_location(key, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


def test_lbfgs_energy_never_increases():
    """Accepted steps lower the energy (to its round-off): the minimiser is
    monotone, unlike Barzilai-Borwein."""
    import importlib.util
    import pathlib
    import sys

    path = pathlib.Path(__file__).with_name("minimiser_battery.py")
    spec = importlib.util.spec_from_file_location("_mb_mono", path)
    mb = importlib.util.module_from_spec(spec)
    sys.modules["_mb_mono"] = mb
    spec.loader.exec_module(mb)
    engine = Engine(mb.skyrmion())
    energies = []
    t = engine.t

    def callback(k, m, gmax):  # every 100 iterations
        energies.append(engine.energies(m, t)["total"][0])

    engine.minimise(1e-3, method="lbfgs", callback=callback)
    energies.append(engine.energies()["total"][0])
    assert len(energies) >= 2
    assert np.all(np.diff(energies) <= 1e-12 * abs(energies[-1]))


class _Inconsistent:
    """A term whose energy is not the one its field descends (a broken term)."""

    energy_degree = None
    time_dependent = False

    def __init__(self, terms, grid):
        self.name = terms[0].name
        self.grid = grid

    def add_field(self, m, t, H):
        H[:, 2] += 1e5
        return H

    def field(self, m, t, out=None):
        return self.add_field(m, t, np.zeros_like(m))

    def energy_density(self, m, t, H=None):
        return 1e6 * (1 + m[:, 2]) * self.grid.mask  # rises towards +z


def test_inconsistent_energy_is_reported_and_the_state_restored():
    import discretisedfield as df
    import micromagneticmodel as mm

    from ubermag_dirac.engine.registry import ENERGY, register_energy

    class Broken(mm.Zeeman):
        """A Zeeman-like term registered only for this test."""

    register_energy(Broken)(_Inconsistent)
    assert Broken in ENERGY
    mesh = df.Mesh(p1=(0, 0, 0), p2=(2e-9, 2e-9, 2e-9), n=(2, 2, 2))
    s = mm.System(name="broken")
    s.energy = Broken(H=(0, 0, 1))
    s.m = df.Field(mesh, nvdim=3, value=(1, 0, 0.1), norm=8e5)
    e = Engine(s)
    m0 = e.m.copy()
    # the field pulls m to +z, the energy rises that way: no step is accepted
    with pytest.raises(IntegrationError, match="steepest-descent"):
        e.minimise(0.1, method="lbfgs")
    np.testing.assert_array_equal(e.m, m0)


def test_lbfgs_iteration_limit_counts_the_barzilai_borwein_iterations():
    T = _test_minimise()
    e = Engine(T._sw_system("slow", 0.3, np.radians(150)))
    m0 = e.m.copy()
    with pytest.raises(IntegrationError, match="did not converge in 103 iterations"):
        e.minimise(stopping_mxHxm=1e-14, max_iterations=103)
    np.testing.assert_array_equal(e.m, m0)
