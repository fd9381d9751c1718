"""Energy minimisation (each minimiser) and relaxation against Stoner-Wohlfarth."""

import engine_test_fields as F  # loaded by conftest.py
import numpy as np
import pytest
from scipy.optimize import brentq

from ubermag_dirac.engine import Engine, IntegrationError

MU0 = 4e-7 * np.pi
K, MS = 5e4, 8e5
HK = 2 * K / (MU0 * MS)


def _stoner_wohlfarth(h, psi, theta0):
    """Equilibrium polar angle near theta0 of e = K sin^2 t - mu0 Ms H cos(t - psi)
    (easy axis z, field in the xz plane at angle psi from z)."""

    def de(t):
        return K * np.sin(2 * t) + MU0 * MS * h * HK * np.sin(t - psi)

    # bracket the stationary point that is a minimum, starting from theta0
    ts = np.linspace(theta0 - 1.0, theta0 + 1.0, 2001)
    d = de(ts)
    roots = [
        brentq(de, ts[i], ts[i + 1])
        for i in range(len(ts) - 1)
        if d[i] < 0 < d[i + 1]  # de/dt goes - to +: a minimum
    ]
    return min(roots, key=lambda r: abs(r - theta0))


def _sw_system(name, h, psi, theta0=0.05):
    return F.macrospin(
        name,
        m0=(np.sin(theta0), 0, np.cos(theta0)),
        H=(h * HK * np.sin(psi), 0, h * HK * np.cos(psi)),
        K=K,
        u=(0, 0, 1),
        Ms=MS,
        alpha=0.02,
    )


def _theta(m):
    v = m.reshape(3)
    return np.arctan2(v[0], v[2])


@pytest.mark.parametrize("method", ["auto", "lbfgs", "bb"])
@pytest.mark.parametrize(
    ("h", "psi"), [(0.3, np.radians(150)), (0.8, np.radians(30)), (0.45, 3.0)]
)
def test_minimise_finds_the_stoner_wohlfarth_angle(h, psi, method):
    e = Engine(_sw_system("sw", h, psi))
    iters = e.minimise(stopping_mxHxm=1e-4, method=method)
    assert 0 < iters[0] < 100
    assert _theta(e.m) == pytest.approx(_stoner_wohlfarth(h, psi, 0.05), abs=1e-8)
    assert e.max_mxHxm()[0] < 1e-4
    assert e.t == 0.0


def test_minimise_batch_of_different_fields():
    params = [(0.3, np.radians(150)), (0.8, np.radians(30)), (0.1, np.radians(95))]
    e = Engine([_sw_system(f"s{i}", h, p) for i, (h, p) in enumerate(params)])
    e.minimise(stopping_mxHxm=1e-3)
    for b, (h, p) in enumerate(params):
        assert _theta(e.m[b]) == pytest.approx(_stoner_wohlfarth(h, p, 0.05), abs=1e-7)
    assert np.all(e.max_mxHxm() < 1e-3)


def test_minimise_not_converged_raises_and_restores():
    e = Engine(_sw_system("slow", 0.3, np.radians(150)))
    m0 = e.m.copy()
    with pytest.raises(IntegrationError, match="did not converge in 2 iterations"):
        e.minimise(stopping_mxHxm=1e-6, max_iterations=2)
    np.testing.assert_array_equal(e.m, m0)


def test_relax_reaches_the_same_minimum():
    h, psi = 0.3, np.radians(150)
    e = Engine(_sw_system("relax", h, psi))
    t = e.relax(stopping_dm_dt=1e-5)
    assert t[0] > 0 and e.t == 0.0
    # |dm/dt| = gamma alpha/(1+alpha^2) |g| (alpha: the system's 0.02) -> |g| bound
    g_bound = 1e-5 * np.pi / 180 * 1e9 * (1 + 0.02**2) / (2.211e5 * 0.02)
    assert e.max_mxHxm()[0] < g_bound
    assert _theta(e.m) == pytest.approx(
        _stoner_wohlfarth(h, psi, 0.05), abs=2 * g_bound / HK
    )


def test_relax_not_converged_raises_and_restores():
    e = Engine(_sw_system("r", 0.3, np.radians(150)))
    m0 = e.m.copy()
    with pytest.raises(IntegrationError, match="relax did not converge"):
        e.relax(stopping_dm_dt=1e-6, max_time=1e-12)
    np.testing.assert_array_equal(e.m, m0)


@pytest.mark.parametrize("method", ["auto", "lbfgs", "bb"])
def test_minimise_uncoupled_cells_at_45_degrees_from_their_easy_axes(method):
    # micromagnetictests' UniaxialAnisotropy cases: no exchange, easy axis x in one
    # half and y in the other, m = (1, 1, 0) everywhere. The torque is stationary
    # along the descent path at 45 degrees (s.y ~ 0), so an uncapped
    # Barzilai-Borwein length flips every cell to -m and the iteration oscillates
    # (it did: 200000 iterations without progress). Each cell must reach its axis.
    import discretisedfield as df
    import micromagneticmodel as mm

    mesh = df.Mesh(p1=(-5e-9, -5e-9, -3e-9), p2=(5e-9, 5e-9, 3e-9), n=(10, 10, 6))
    u = df.Field(mesh, nvdim=3, value=lambda p: (1, 0, 0) if p[0] <= 0 else (0, 1, 0))
    s = mm.System(name="ua45")
    s.energy = mm.UniaxialAnisotropy(K=1e5, u=u)
    s.m = df.Field(mesh, nvdim=3, value=(1, 1, 0), norm=1e6)
    e = Engine(s)
    iters = e.minimise(stopping_mxHxm=1e-3, method=method)
    assert iters[0] < 1000
    m = e.m[0]
    # |m x H x m| = H_K |sin 2 theta| / 2 < 1e-3 A/m bounds the angle to the axis
    bound = 2 * 1e-3 / (2 * 1e5 / (MU0 * 1e6))
    np.testing.assert_allclose(np.abs(m[0, :5]), 1.0, atol=bound**2)
    np.testing.assert_allclose(np.abs(m[1, 5:]), 1.0, atol=bound**2)
    assert e.max_mxHxm()[0] < 1e-3


def test_minimise_uniform_system_from_any_angle_to_the_field():
    # a uniform system is a single spin: BB is the secant method on the angle, and
    # starting at the inflection point (m perpendicular to H) or anywhere else it
    # must converge in a handful of iterations (measured at most 10 of 15 starts)
    import discretisedfield as df
    import micromagneticmodel as mm

    mesh = df.Mesh(p1=(0, 0, 0), p2=(5e-9, 5e-9, 5e-9), n=(5, 5, 5))
    rng = np.random.default_rng(1)
    starts = [(0, 1, 0), (0, 0.3, -1), *(tuple(rng.normal(size=3)) for _ in range(13))]
    for m0 in starts:
        s = mm.System(name="spin")
        s.energy = mm.Exchange(A=1e-12) + mm.Zeeman(H=(0, 0, 1e6))
        s.m = df.Field(mesh, nvdim=3, value=m0, norm=1e6)
        e = Engine(s)
        iters = e.minimise(stopping_mxHxm=0.1)
        assert iters[0] <= 15, m0
        # |m x H x m| = H sin(theta) < 0.1 A/m
        assert np.arccos(e.m[0, 2].min()) < 0.1 / 1e6 * 1.0001
