"""Exchange field and energy against analytic and hand-computed values."""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine.energy import MU0
from ubermag_dirac.engine.energy.exchange import ExchangeImpl
from ubermag_dirac.engine.grid import Grid
from ubermag_dirac.engine.registry import ENERGY, lookup

Ms = 8e5
A = 1.3e-11


def system(n, cell=(1e-9, 1e-9, 1e-9), value=(0, 0, 1), norm=Ms, **mesh_kw):
    p2 = tuple(k * c for k, c in zip(n, cell, strict=True))
    mesh = df.Mesh(p1=(0, 0, 0), p2=p2, cell=cell, **mesh_kw)
    s = mm.System(name="s")
    s.m = df.Field(mesh, nvdim=3, value=value, norm=norm)
    return s


def spiral(grid, k, axis=0):
    """m = (cos k r_axis, sin k r_axis, 0) at cell centres, (1, 3, nx, ny, nz)."""
    n, h = grid.n, grid.cell
    r = (np.arange(n[axis]) + 0.5) * h[axis]
    shape = [1, 1, 1]
    shape[axis] = n[axis]
    phase = np.broadcast_to((k * r).reshape(shape), n)
    return np.stack([np.cos(phase), np.sin(phase), np.zeros(n)])[None].copy()


def build(s, A=A):
    s.energy = mm.Exchange(A=A)
    grid = Grid(s)
    return ExchangeImpl([s.energy.exchange], grid), grid


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_periodic_spiral_field_and_energy_are_exact(axis):
    n = [2, 3, 2]
    n[axis] = 64
    cell = [1e-9, 2e-9, 0.5e-9]
    pbc = "xyz"[axis]
    s = system(tuple(n), tuple(cell), bc=pbc)
    ex, grid = build(s)
    h = cell[axis]
    k = 2 * np.pi * 5 / (64 * h)  # five full turns: periodic
    m = spiral(grid, k, axis)
    k_eff2 = (2 - 2 * np.cos(k * h)) / h**2
    H = ex.field(m, 0.0)
    np.testing.assert_allclose(H, -(2 * A * k_eff2 / (MU0 * Ms)) * m, atol=1e-9 * Ms)
    w = ex.energy_density(m, 0.0)
    np.testing.assert_allclose(w, A * k_eff2, rtol=1e-12)
    V = np.prod(n) * np.prod(cell)
    assert ex.energy(m, 0.0)[0] == pytest.approx(A * k_eff2 * V, rel=1e-12, abs=0)


def test_small_k_spiral_energy_is_continuum_A_k2_V():
    s = system((200, 1, 1), bc="x")
    ex, grid = build(s)
    k = 2 * np.pi / 200e-9
    m = spiral(grid, k)
    V = 200e-27
    # discrete k_eff^2 = k^2 (1 - (k dx)^2 / 12 + ...): 1e-4 relative here
    assert ex.energy(m)[0] == pytest.approx(A * k**2 * V, rel=2e-4, abs=0)
    # ... and it is the discrete value, not the continuum one
    k_eff2 = (2 - 2 * np.cos(k * 1e-9)) / 1e-18
    assert ex.energy(m)[0] == pytest.approx(A * k_eff2 * V, rel=1e-12, abs=0)
    assert abs(ex.energy(m)[0] / (A * k**2 * V) - 1) > 1e-5


def test_free_boundary_is_neumann():
    s = system((16, 1, 1))
    ex, grid = build(s)
    k = 0.3e9
    m = spiral(grid, k)
    H = ex.field(m, 0.0)[0]
    c = 2 * A / (MU0 * Ms * 1e-18)
    m0 = m[0]
    # interior: full discrete Laplacian
    for i in range(1, 15):
        np.testing.assert_allclose(
            H[:, i, 0, 0],
            c * (m0[:, i + 1, 0, 0] + m0[:, i - 1, 0, 0] - 2 * m0[:, i, 0, 0]),
        )
    # edges: the missing neighbour is replaced by the cell itself (dm/dn = 0)
    np.testing.assert_allclose(H[:, 0, 0, 0], c * (m0[:, 1, 0, 0] - m0[:, 0, 0, 0]))
    np.testing.assert_allclose(H[:, 15, 0, 0], c * (m0[:, 14, 0, 0] - m0[:, 15, 0, 0]))
    # same as a mirror ghost cell m_{-1} = m_0 (zero normal derivative): the
    # field of the 16 cells equals that of the 32-cell mirrored chain
    s2 = system((32, 1, 1))
    ex2, _ = build(s2)
    mirrored = np.concatenate([m[:, :, ::-1], m], axis=2).copy()
    np.testing.assert_allclose(ex2.field(mirrored, 0.0)[0, :, 16:], H, atol=1e-9)


def test_periodic_wrap_couples_first_and_last_cell():
    s = system((8, 1, 1), bc="x")
    ex, _ = build(s)
    m = np.zeros((1, 3, 8, 1, 1))
    m[0, 2] = 1.0
    m[0, :, 7, 0, 0] = (1.0, 0.0, 0.0)
    H = ex.field(m, 0.0)[0]
    c = 2 * A / (MU0 * Ms * 1e-18)
    np.testing.assert_allclose(H[:, 0, 0, 0], c * (m[0, :, 7, 0, 0] - m[0, :, 0, 0, 0]))
    # without periodicity the first cell does not see the last one
    ex2, _ = build(system((8, 1, 1)))
    assert np.all(ex2.field(m, 0.0)[0, :, 0, 0, 0] == 0.0)


def test_uniform_state_has_no_field_and_no_energy():
    subregions = {
        "a": df.Region(p1=(0, 0, 0), p2=(3e-9, 2e-9, 2e-9)),
        "b": df.Region(p1=(3e-9, 0, 0), p2=(6e-9, 2e-9, 2e-9)),
    }
    for A_ in (A, {"a": A, "b": 2 * A, "a:b": -A, "default": 3 * A}):
        s = system((6, 2, 2), value=(0.3, -0.4, 0.5), subregions=subregions)
        ex, grid = build(s, A_)
        m = grid.unit_m()
        assert np.abs(ex.field(m, 0.0)).max() < 1e-9
        assert np.abs(ex.energy_density(m, 0.0)).max() < 1e-25


def two_region_system(**kw):
    subregions = {
        "r1": df.Region(p1=(0, 0, 0), p2=(4e-9, 1e-9, 1e-9)),
        "r2": df.Region(p1=(4e-9, 0, 0), p2=(8e-9, 1e-9, 1e-9)),
    }
    return system((8, 1, 1), subregions=subregions, **kw)


def random_unit(shape, seed=0):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=shape)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_region_dict_equals_equivalent_field_and_scalar():
    s = two_region_system()
    grid = Grid(s)
    m = random_unit((1, 3, 8, 1, 1))
    A_field = df.Field(grid.mesh, nvdim=1, value=A)
    results = []
    for A_ in (A, {"r1": A, "r2": A, "r1:r2": A}, {"default": A}, A_field):
        ex = ExchangeImpl([mm.Exchange(A=A_)], grid)
        results.append((ex.field(m, 0.0), ex.energy_density(m, 0.0)))
    for H, w in results[1:]:
        np.testing.assert_allclose(H, results[0][0], rtol=1e-13, atol=1e-9)
        np.testing.assert_allclose(w, results[0][1], rtol=1e-13)


def test_regions_without_interface_key_are_decoupled():
    s = two_region_system()
    grid = Grid(s)
    m = np.zeros((1, 3, 8, 1, 1))
    m[0, 2, :4] = 1.0
    m[0, 2, 4:] = -1.0
    ex = ExchangeImpl([mm.Exchange(A={"r1": A, "r2": 2 * A})], grid)
    assert np.all(ex.field(m, 0.0) == 0.0)
    assert np.all(ex.energy_density(m, 0.0) == 0.0)


def test_interface_coupling_uses_the_pair_value():
    s = two_region_system()
    grid = Grid(s)
    m = np.zeros((1, 3, 8, 1, 1))
    m[0, 2, :4] = 1.0
    m[0, 0, 4:] = 1.0
    A12 = -1e-12
    ex = ExchangeImpl([mm.Exchange(A={"r1": 3e-12, "r2": A, "r1:r2": A12})], grid)
    H = ex.field(m, 0.0)[0]
    c = 2 / (MU0 * Ms * 1e-18)
    np.testing.assert_allclose(H[:, 3, 0, 0], c * A12 * np.array([1.0, 0.0, -1.0]))
    np.testing.assert_allclose(H[:, 4, 0, 0], c * A12 * np.array([-1.0, 0.0, 1.0]))
    assert np.all(H[:, [0, 1, 2, 5, 6, 7]] == 0.0)
    w = ex.energy_density(m, 0.0)[0, :, 0, 0]
    assert w[3] == pytest.approx(A12 / 1e-18) and w[4] == pytest.approx(A12 / 1e-18)


def test_field_parameter_uses_harmonic_mean_across_cells():
    s = system((2, 1, 1))
    grid = Grid(s)
    A1, A2 = 1e-10, 1e-12
    A_field = df.Field(grid.mesh, nvdim=1, value=lambda p: A1 if p[0] < 1e-9 else A2)
    ex = ExchangeImpl([mm.Exchange(A=A_field)], grid)
    m = np.zeros((1, 3, 2, 1, 1))
    m[0, 2, 0] = 1.0
    m[0, 0, 1] = 1.0
    H = ex.field(m, 0.0)[0]
    Aij = 2 * A1 * A2 / (A1 + A2)
    np.testing.assert_allclose(
        H[:, 0, 0, 0], 2 * Aij / (MU0 * Ms * 1e-18) * np.array([1.0, 0.0, -1.0])
    )
    # both zero: no coupling (OOMMF would give NaN)
    zero = ExchangeImpl([mm.Exchange(A=df.Field(grid.mesh, nvdim=1, value=0.0))], grid)
    assert np.all(zero.field(m, 0.0) == 0.0)


def test_empty_cells_are_free_boundaries_and_carry_nothing():
    def norm(p):
        return 0.0 if 3e-9 < p[0] < 5e-9 else Ms

    s = system((8, 1, 1), norm=norm)
    ex, grid = build(s)
    assert not grid.mask[0, 3, 0, 0] and not grid.mask[0, 4, 0, 0]
    m = random_unit((1, 3, 8, 1, 1), seed=3) * grid.mask[:, None]
    H = ex.field(m, 0.0)[0]
    w = ex.energy_density(m, 0.0)[0]
    assert np.all(H[:, 3:5] == 0.0) and np.all(w[3:5] == 0.0)
    c = 2 * A / (MU0 * Ms * 1e-18)
    np.testing.assert_allclose(H[:, 2, 0, 0], c * (m[0, :, 1, 0, 0] - m[0, :, 2, 0, 0]))
    np.testing.assert_allclose(H[:, 5, 0, 0], c * (m[0, :, 6, 0, 0] - m[0, :, 5, 0, 0]))


def test_batch_with_different_parameters_equals_separate_runs():
    s1, s2 = two_region_system(), two_region_system(norm=5e5)
    s1.energy = mm.Exchange(A=A)
    s2.energy = mm.Exchange(A={"r1": 2e-12, "r2": 5e-12, "r1:r2": 1e-12})
    grid = Grid([s1, s2])
    m = random_unit((2, 3, 8, 1, 1), seed=5)
    ex = ExchangeImpl([s1.energy.exchange, s2.energy.exchange], grid)
    H, w = ex.field(m, 0.0), ex.energy_density(m, 0.0)
    for b, s in enumerate((s1, s2)):
        one = ExchangeImpl([s.energy.exchange], Grid(s))
        np.testing.assert_array_equal(H[b : b + 1], one.field(m[b : b + 1], 0.0))
        np.testing.assert_array_equal(w[b : b + 1], one.energy_density(m[b : b + 1]))


def test_add_field_accumulates_in_place():
    s = system((5, 1, 1))
    ex, _ = build(s)
    m = random_unit((1, 3, 5, 1, 1), seed=7)
    H = np.full((1, 3, 5, 1, 1), 3.0)
    out = ex.add_field(m, 0.0, H)
    assert out is H
    np.testing.assert_allclose(H - 3.0, ex.field(m, 0.0), rtol=1e-14, atol=1e-9)
    # non-C-ordered m and H (views, Fortran order) give the same result
    Hf = np.asfortranarray(np.full((1, 3, 5, 1, 1), 3.0))
    assert ex.add_field(np.asfortranarray(m), 0.0, Hf) is Hf
    np.testing.assert_allclose(Hf, H, rtol=1e-14)
    # field(out=...) overwrites out
    out = np.full_like(H, 7.0)
    assert ex.field(m, 0.0, out=out) is out
    np.testing.assert_allclose(out, H - 3.0, rtol=1e-14, atol=1e-9)


def test_registered_and_errors_name_the_parameter():
    assert lookup(mm.Exchange(A=1e-11), ENERGY).__name__ == "build_exchange"
    s = two_region_system()
    with pytest.raises(ValueError, match=r"Exchange.A: key 'r3:r1'"):
        ExchangeImpl([mm.Exchange(A={"r3:r1": 1e-12})], Grid(s))
    with pytest.raises(ValueError, match=r"Exchange.A: expected a field with nvdim=1"):
        ExchangeImpl(
            [mm.Exchange(A=df.Field(Grid(s).mesh, nvdim=3, value=(1, 0, 0)))],
            Grid(s),
        )


def test_wrong_shapes_are_rejected_before_the_kernels():
    ex, _ = build(system((5, 1, 1)))
    m = random_unit((1, 3, 5, 1, 1))
    with pytest.raises(ValueError, match=r"m: expected shape \(1, 3, 5, 1, 1\)"):
        ex.field(m[:, :, :4].copy(), 0.0)
    with pytest.raises(ValueError, match=r"H: expected shape"):
        ex.add_field(m, 0.0, np.zeros((1, 3, 4, 1, 1)))
    with pytest.raises(ValueError, match=r"m: expected shape"):
        ex.energy_density(m[0], 0.0)
