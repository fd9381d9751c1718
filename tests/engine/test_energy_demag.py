"""The demag term through the energy protocol (adapter around DemagField)."""

import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine.energy import MU0
from ubermag_dirac.engine.registry import ENERGY, lookup

from .conftest import grid_of as engine_grid

demag = pytest.importorskip(
    "ubermag_dirac.engine.demag",
    reason="ubermag_dirac.engine.demag (DemagField) is not available",
)


def grid_of(n, norms, cell=(1e-9, 1e-9, 1e-9), **kw):
    return engine_grid(n, norms, cell=cell, **kw)


def random_m(grid, seed=0):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(grid.batch, 3, *grid.n))
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    return m * grid.mask[:, None]


def test_adapter_matches_demagfield_and_the_protocol():
    def hole(p):
        return 0.0 if p[0] < 1e-9 and p[1] < 1e-9 else 8e5

    grid = grid_of((4, 3, 2), [hole, 5e5])
    impl = lookup(mm.Demag(), ENERGY)([mm.Demag(), mm.Demag()], grid)
    assert impl.name == "demag" and not impl.time_dependent
    m = random_m(grid)
    M = m * grid.Ms[:, None]
    H_ref = demag.DemagField(grid.n, grid.cell, grid.pbc).field(M)
    H = impl.field(m, 0.0)
    np.testing.assert_allclose(H, H_ref, rtol=1e-12, atol=1e-9)
    # in place accumulation, no surprise in the sum
    acc = np.ones_like(H)
    assert impl.add_field(m, 0.0, acc) is acc
    np.testing.assert_allclose(acc - 1.0, H, rtol=1e-12, atol=1e-8)
    # energy density -mu0/2 M.H, with and without the precomputed field
    w_ref = -0.5 * MU0 * np.einsum("bi...,bi...->b...", M, H_ref)
    np.testing.assert_allclose(impl.energy_density(m, 0.0), w_ref, rtol=1e-12)
    np.testing.assert_allclose(impl.energy_density(m, 0.0, H=H), w_ref, rtol=1e-12)
    assert impl.energy_density(m, 0.0)[0, 0, 0, 0] == 0.0  # empty cell


def test_uniform_cube_has_demag_factor_one_third():
    grid = grid_of((6, 6, 6), [1e6])
    impl = lookup(mm.Demag(), ENERGY)([mm.Demag()], grid)
    m = np.zeros((1, 3, 6, 6, 6))
    m[:, 2] = 1.0
    H = impl.field(m, 0.0)
    assert H[0, 2].mean() == pytest.approx(-1e6 / 3, rel=1e-10)
    E = impl.energy(m, 0.0)[0]
    assert E == pytest.approx(0.5 * MU0 * 1e12 / 3 * 216e-27, rel=1e-10, abs=0)


def test_batch_equals_separate_runs():
    grid = grid_of((5, 4, 1), [8e5, 3e5])
    m = random_m(grid, seed=2)
    terms = [mm.Demag(), mm.Demag()]
    impl = lookup(terms[0], ENERGY)(terms, grid)
    H = impl.field(m, 0.0)
    for b, Ms in enumerate((8e5, 3e5)):
        one = grid_of((5, 4, 1), [Ms])
        single = lookup(terms[0], ENERGY)([mm.Demag()], one)
        np.testing.assert_allclose(
            H[b : b + 1], single.field(m[b : b + 1], 0.0), rtol=1e-12, atol=1e-9
        )
