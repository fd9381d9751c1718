"""Uniaxial and cubic anisotropy against hand-computed fields and energies."""

import itertools

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine.energy import MU0
from ubermag_dirac.engine.energy.anisotropy import (
    CubicAnisotropyImpl,
    UniaxialAnisotropyImpl,
)

from .conftest import grid_of as engine_grid

Ms = 1e6


def grid_of(n=(1, 1, 1), norm=Ms, subregions=None, systems=1):
    return engine_grid(n, [norm] * systems, subregions=subregions or {})


def state(vectors):
    """(1, 3, N, 1, 1) magnetisation of unit vectors."""
    v = np.asarray(vectors, dtype=float)
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    return np.ascontiguousarray(v.T[None, :, :, None, None])


ANGLES = np.linspace(0, np.pi, 7)


def tilted(u, angles):
    u = np.asarray(u, float) / np.linalg.norm(u)
    p = np.cross(u, [0.3, 0.5, 0.7])
    p /= np.linalg.norm(p)
    return [np.cos(a) * u + np.sin(a) * p for a in angles]


@pytest.mark.parametrize("K", [1e5, -4e4])
def test_uniaxial_K_field_and_energy(K):
    u = (1.0, 2.0, -2.0)  # not unit: normalised like OOMMF does
    uhat = np.array(u) / 3.0
    grid = grid_of((len(ANGLES), 1, 1))
    ua = UniaxialAnisotropyImpl([mm.UniaxialAnisotropy(K=K, u=u)], grid)
    m = state(tilted(u, ANGLES))
    c = np.cos(ANGLES)
    H = ua.field(m, 0.0)[0, :, :, 0, 0]
    np.testing.assert_allclose(H, (2 * K * c / (MU0 * Ms)) * uhat[:, None], atol=1e-8)
    w = ua.energy_density(m, 0.0)[0, :, 0, 0]
    # OOMMF: K sin^2 for K > 0 (easy axis at zero energy), -K cos^2 for K <= 0
    expected = K * np.sin(ANGLES) ** 2 if K > 0 else -K * c**2
    np.testing.assert_allclose(w, expected, rtol=1e-12, atol=1e-9)
    # either way it is -K (m.u)^2 up to a constant
    np.testing.assert_allclose(w - (-K * c**2), (K if K > 0 else 0.0), atol=1e-9)


@pytest.mark.parametrize(("K1", "K2"), [(1e5, 2e4), (1e5, -3e4), (-5e4, 2e4)])
def test_uniaxial_K1_K2_field_and_energy(K1, K2):
    u = (0, 0, 1)
    grid = grid_of((len(ANGLES), 1, 1))
    ua = UniaxialAnisotropyImpl([mm.UniaxialAnisotropy(K1=K1, K2=K2, u=u)], grid)
    m = state(tilted(u, ANGLES))
    c = np.cos(ANGLES)
    H = ua.field(m, 0.0)[0, :, :, 0, 0]
    np.testing.assert_allclose(H[2], (2 * K1 * c + 4 * K2 * c**3) / (MU0 * Ms))
    np.testing.assert_allclose(H[:2], 0.0, atol=1e-9)
    w = ua.energy_density(m, 0.0)[0, :, 0, 0]
    const = K1 + K2 if K1 > 0 else 0.0  # Southampton_UniaxialAnisotropy4's reference
    np.testing.assert_allclose(w, -K1 * c**2 - K2 * c**4 + const, atol=1e-9 * abs(K1))


def test_uniaxial_region_dict_and_field_parameters():
    subregions = {
        "a": df.Region(p1=(0, 0, 0), p2=(2e-9, 1e-9, 1e-9)),
        "b": df.Region(p1=(2e-9, 0, 0), p2=(4e-9, 1e-9, 1e-9)),
    }
    grid = grid_of((4, 1, 1), subregions=subregions)
    m = state([(1, 0, 1)] * 4)
    K = {"a": 1e5, "b": 2e5}
    u = {"a": (0, 0, 1), "b": (1, 0, 0)}
    by_dict = UniaxialAnisotropyImpl([mm.UniaxialAnisotropy(K=K, u=u)], grid)
    K_f = df.Field(grid.mesh, nvdim=1, value=lambda p: 1e5 if p[0] < 2e-9 else 2e5)
    u_f = df.Field(
        grid.mesh, nvdim=3, value=lambda p: (0, 0, 1) if p[0] < 2e-9 else (1, 0, 0)
    )
    by_field = UniaxialAnisotropyImpl([mm.UniaxialAnisotropy(K=K_f, u=u_f)], grid)
    for impl in (by_dict, by_field):
        H = impl.field(m, 0.0)[0, :, :, 0, 0]
        c = 2 / (MU0 * Ms) / np.sqrt(2)
        np.testing.assert_allclose(H[:, 0], (0, 0, 1e5 * c), atol=1e-9)
        np.testing.assert_allclose(H[:, 3], (2e5 * c, 0, 0), atol=1e-9)
        w = impl.energy_density(m, 0.0)[0, :, 0, 0]
        np.testing.assert_allclose(w, [5e4, 5e4, 1e5, 1e5], rtol=1e-12)


def test_uniaxial_zero_axis_is_an_error_only_where_it_matters():
    subregions = {"a": df.Region(p1=(0, 0, 0), p2=(2e-9, 1e-9, 1e-9))}
    grid = grid_of((4, 1, 1), subregions=subregions)
    # u only in region a, K only there too: fine
    UniaxialAnisotropyImpl(
        [mm.UniaxialAnisotropy(K={"a": 1e5}, u={"a": (0, 0, 1)})], grid
    )
    with pytest.raises(ValueError, match=r"UniaxialAnisotropy\.u: zero-length axis"):
        UniaxialAnisotropyImpl([mm.UniaxialAnisotropy(K=1e5, u={"a": (0, 0, 1)})], grid)


def cubic_reference(m, K, u1, u2):
    """Textbook cubic energy and field with an explicit third axis."""
    u1 = np.asarray(u1, float) / np.linalg.norm(u1)
    u2 = np.asarray(u2, float) / np.linalg.norm(u2)
    u3 = np.cross(u1, u2)
    a = [m @ u for u in (u1, u2, u3)]
    w = K * (a[0] ** 2 * a[1] ** 2 + a[1] ** 2 * a[2] ** 2 + a[2] ** 2 * a[0] ** 2)
    H = -(2 * K / (MU0 * Ms)) * sum(
        (a[k] * (a[(k + 1) % 3] ** 2 + a[(k + 2) % 3] ** 2))[:, None] * u
        for k, u in enumerate((u1, u2, u3))
    )
    return w, H


@pytest.mark.parametrize("K", [3e4, -2e4])
def test_cubic_against_textbook_formula(K):
    rng = np.random.default_rng(1)
    v = rng.normal(size=(20, 3))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    u1 = (1, 1, 0)
    u2 = (-1, 1, 0.0)
    grid = grid_of((20, 1, 1))
    ca = CubicAnisotropyImpl([mm.CubicAnisotropy(K=K, u1=u1, u2=u2)], grid)
    m = state(v)
    w_ref, H_ref = cubic_reference(v, K, u1, u2)
    np.testing.assert_allclose(ca.energy_density(m, 0.0)[0, :, 0, 0], w_ref, atol=1e-9)
    np.testing.assert_allclose(ca.field(m, 0.0)[0, :, :, 0, 0].T, H_ref, atol=1e-8)


def test_cubic_minima_directions():
    u1, u2 = np.array([0, 0, 1.0]), np.array([0, 1.0, 0])
    axes = [u1, u2, np.cross(u1, u2)]
    diag111 = [np.array(s) / np.sqrt(3) for s in itertools.product((1, -1), repeat=3)]
    diag110 = [(axes[0] + axes[1]) / np.sqrt(2), (axes[1] - axes[2]) / np.sqrt(2)]
    dirs = axes + diag111 + diag110
    grid = grid_of((len(dirs), 1, 1))
    m = state(dirs)
    for K in (1e5, -1e5):
        ca = CubicAnisotropyImpl([mm.CubicAnisotropy(K=K, u1=u1, u2=u2)], grid)
        w = ca.energy_density(m, 0.0)[0, :, 0, 0]
        np.testing.assert_allclose(w[:3], 0.0, atol=1e-9)
        np.testing.assert_allclose(w[3:11], K / 3, rtol=1e-12)
        np.testing.assert_allclose(w[11:], K / 4, rtol=1e-12)
        # all these are equilibria: no torque
        H = ca.field(m, 0.0)[0, :, :, 0, 0]
        torque = np.cross(m[0, :, :, 0, 0].T, H.T)
        assert np.abs(torque).max() < 1e-9 * abs(K) / (MU0 * Ms)
        # and the minima are the axes for K > 0, the <111> for K < 0
        lowest = np.flatnonzero(np.isclose(w, w.min(), atol=1e-9 * abs(K)))
        assert list(lowest) == (list(range(3)) if K > 0 else list(range(3, 11)))


def test_cubic_rejects_parallel_axes_with_parameter_name():
    grid = grid_of()
    with pytest.raises(ValueError, match=r"CubicAnisotropy\.u2"):
        CubicAnisotropyImpl(
            [mm.CubicAnisotropy(K=1e4, u1=(0, 0, 1), u2=(0, 0, -3))], grid
        )


def test_empty_cells_and_batch():
    def norm(p):
        return 0.0 if p[0] > 3e-9 else Ms

    grid = grid_of((4, 1, 1), norm=norm, systems=2)
    rng = np.random.default_rng(2)
    m = rng.normal(size=(2, 3, 4, 1, 1))
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    m[:, :, 3] = 0.0
    terms = [
        mm.UniaxialAnisotropy(K1=1e5, K2=-1e4, u=(0, 1, 0)),
        mm.UniaxialAnisotropy(K=-2e5, u=(1, 0, 0)),
    ]
    ua = UniaxialAnisotropyImpl(terms, grid)
    cterms = [
        mm.CubicAnisotropy(K=1e4, u1=(1, 0, 0), u2=(0, 1, 0)),
        mm.CubicAnisotropy(K=-3e4, u1=(0, 1, 1), u2=(0, 1, -1)),
    ]
    ca = CubicAnisotropyImpl(cterms, grid)
    for impl, ts in ((ua, terms), (ca, cterms)):
        H, w = impl.field(m, 0.0), impl.energy_density(m, 0.0)
        assert np.all(H[:, :, 3] == 0.0) and np.all(w[:, 3] == 0.0)
        for b in range(2):
            one = type(impl)([ts[b]], grid_of((4, 1, 1), norm=norm))
            np.testing.assert_array_equal(H[b : b + 1], one.field(m[b : b + 1], 0.0))
            np.testing.assert_array_equal(
                w[b : b + 1], one.energy_density(m[b : b + 1], 0.0)
            )
