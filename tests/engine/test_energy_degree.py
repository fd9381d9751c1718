"""``energy_degree`` of the energy terms: Euler's identity that the minimiser uses.

A term declaring degree p promises that, up to a constant per cell, its energy is
E = -(mu0 V / p) sum_i Ms_i m_i . H_i with its own field H. For random unit states
m1, m2 the energy difference E(m1) - E(m2) computed by the term's energy kernel
must then equal the difference of that sum; a term with a non-homogeneous energy
(uniaxial K2, RKKY sigma2) must declare None.
"""

import importlib.util
import pathlib
import sys
import zlib

import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine.energy import MU0
from ubermag_dirac.engine.grid import Grid
from ubermag_dirac.engine.registry import ENERGY, lookup


def _gradient_module():
    name = "_ubermag_dirac_engine_test_energy_gradient"
    if name not in sys.modules:
        path = pathlib.Path(__file__).with_name("test_energy_gradient.py")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


G = _gradient_module()

DEGREES = {
    "exchange": 2,
    "exchange_scalar": 2,
    "cubic": 4,
    "zeeman": 1,
    "demag": 2,
    **{f"dmi_{cc}": 2 for cc in G.DMI_CLASSES},
    "uniaxial_k1": 2,
    "rkky_sigma": 2,
}


def _pairs(mesh):
    pairs = G.term_pairs(mesh)
    pairs["uniaxial_k1"] = (
        mm.UniaxialAnisotropy(
            K=G.field_of(mesh, lambda p: 3e5 if p[1] < 4e-9 else -2e5), u=(0, 1, 1)
        ),
        mm.UniaxialAnisotropy(K1={"r1": -1e5, "r2": 2e5}, u=(1, 1, 0)),
    )
    pairs["rkky_sigma"] = (
        mm.RKKY(sigma=-2e-4, subregions=["r1", "r2"]),
        mm.RKKY(sigma=1e-4, subregions=["r2", "r1"]),
    )
    return pairs


def _impl(key, pbc=""):
    grid = Grid(G.systems(pbc))
    terms = list(_pairs(grid.mesh)[key])
    return grid, lookup(terms[0], ENERGY)(terms, grid)


@pytest.mark.parametrize("pbc", ["", "xz"])
@pytest.mark.parametrize("key", sorted(DEGREES))
def test_energy_differences_follow_from_the_field(key, pbc):
    grid, impl = _impl(key, pbc)
    p = impl.energy_degree
    assert p == DEGREES[key]
    t = 0.37e-9
    seed = zlib.crc32(f"{key}{pbc}".encode())
    m1, m2 = G.random_m(grid, seed), G.random_m(grid, seed + 1)
    V = grid.cell_volume

    def euler(m):
        H = impl.field(m, t)
        return -(MU0 * V / p) * np.einsum("bijk,bcijk,bcijk->b", grid.Ms, m, H)

    dE = impl.energy(m1, t) - impl.energy(m2, t)
    dQ = euler(m1) - euler(m2)
    scale = np.abs(impl.energy_density(m1, t)).reshape(grid.batch, -1).sum(1) * V
    np.testing.assert_allclose(dE, dQ, rtol=0, atol=1e-12 * scale.max())
    assert np.abs(dE).max() > 1e-3 * scale.max()  # the states really differ


@pytest.mark.parametrize("key", ["uniaxial", "rkky"])
def test_non_homogeneous_energies_declare_no_degree(key):
    # uniaxial with K2 and RKKY with sigma2 mix degrees 2 and 4
    _, impl = _impl(key)
    assert impl.energy_degree is None


def test_field_and_energy_of_the_engine_equals_its_energies():
    """Engine._field_and_energy (minimiser) gives energies() up to a constant."""
    from ubermag_dirac.engine import Engine

    systems = G.systems()
    for s in systems:
        s.energy = (
            mm.Exchange(A=1e-11)
            + mm.DMI(D=1e-3, crystalclass="Cnv_z")
            + mm.UniaxialAnisotropy(K1=1e5, K2=2e4, u=(0, 0, 1))  # no degree
            + mm.Demag()
            + mm.Zeeman(H=(1e5, 0, 0))
        )
    engine = Engine(systems)
    H = np.zeros(engine.m.shape)
    buffers = {}
    states = [G.random_m(engine.grid, s) for s in (1, 2)]
    got = []
    for m in states:
        H_, E, noise = engine._field_and_energy(m, engine.t, H, buffers)
        np.testing.assert_allclose(H_, engine.effective_field(m), rtol=1e-13, atol=1e-6)
        assert np.all(noise > 0) and np.all(noise < 1e-10 * np.abs(E).max())
        got.append(E)
    want = [engine.energies(m)["total"] for m in states]
    np.testing.assert_allclose(got[0] - got[1], want[0] - want[1], rtol=1e-10)
