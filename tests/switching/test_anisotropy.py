"""Cuboid demagnetising factors and the film's effective anisotropy."""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac import macrospin as ms
from ubermag_dirac import switching as sw
from ubermag_dirac.engine import Engine


@pytest.mark.parametrize(
    "edges", [(1.0, 1.0, 1.0), (3.0, 2.0, 1.0), (100.0, 100.0, 1.0), (5.0, 0.5, 0.2)]
)
def test_demag_factors_sum_rule_and_symmetry(edges):
    N = sw.cuboid_demag_factors(*edges)
    assert sum(N) == pytest.approx(1.0, abs=1e-12)
    assert all(0 < x < 1 for x in N)
    # relabelling the edges permutes the factors
    a, b, c = edges
    assert sw.cuboid_demag_factors(c, a, b) == pytest.approx((N[2], N[0], N[1]))
    # the longest edge has the smallest factor
    assert np.argmin(N) == np.argmax(edges) or len(set(edges)) < 3


def test_thin_film_limits():
    # infinite film: N_zz -> 1; long needle: N_xx -> 0
    assert sw.cuboid_demag_factors(1e4, 1e4, 1.0)[2] > 0.999
    assert sw.cuboid_demag_factors(1e4, 1.0, 1.0)[0] < 1e-3


@pytest.mark.parametrize("n", [(4, 4, 1), (6, 3, 1)])
def test_factors_equal_the_engines_average_demag_field(n):
    """The engine's Newell demag of a uniform state averages to -N Ms exactly."""
    cell = (3e-9, 3e-9, 1e-9)
    mesh = df.Mesh(
        p1=(0, 0, 0), p2=tuple(k * c for k, c in zip(n, cell, strict=True)), n=n
    )
    s = mm.System(name="box")
    s.energy = mm.Demag()
    Ms = 8e5
    N = sw.cuboid_demag_factors(*(k * c for k, c in zip(n, cell, strict=True)))
    for axis in range(3):
        v = [0, 0, 0]
        v[axis] = 1
        s.m = df.Field(mesh, nvdim=3, value=v, norm=Ms)
        H = Engine(s).effective_fields()["demag"][0]
        assert H[axis].mean() == pytest.approx(-N[axis] * Ms, rel=1e-6)


def test_effective_anisotropy_of_an_infinite_film_is_the_thin_film_formula():
    mesh = df.Mesh(p1=(0, 0, 0), p2=(1e-3, 1e-3, 1e-9), n=(1, 1, 1))
    s = mm.System(name="wide")
    s.energy = mm.UniaxialAnisotropy(K=6e5, u=(0, 0, 1)) + mm.Demag()
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=7e5)
    eff = sw.effective_anisotropy(s)
    # finite-size correction of N_zz is of order (t/L)(1 + ln(L/t)) = 1.5e-5
    bound = 7e5 * 1e-6 * (1 + np.log(1e6))
    diff = eff["H_K_eff"] - ms.thin_film_hk_eff(6e5, 7e5)
    assert 0 < diff < bound


def test_effective_anisotropy_without_demag_and_with_k1():
    mesh = df.Mesh(p1=(0, 0, 0), p2=(10e-9, 10e-9, 1e-9), n=(5, 5, 1))
    s = mm.System(name="nodemag")
    s.energy = mm.UniaxialAnisotropy(K1=6e5, K2=0.0, u=(0, 0, -1))
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=7e5)
    eff = sw.effective_anisotropy(s)
    assert eff["H_shape"] == 0.0
    assert eff["H_K_eff"] == pytest.approx(2 * 6e5 / (ms.MU0 * 7e5))


def test_effective_anisotropy_refusals():
    mesh = df.Mesh(p1=(0, 0, 0), p2=(10e-9, 10e-9, 1e-9), n=(5, 5, 1))
    s = mm.System(name="bad")
    s.energy = mm.UniaxialAnisotropy(K1=6e5, K2=1e4, u=(0, 0, 1))
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=7e5)
    with pytest.raises(ValueError, match="K2"):
        sw.effective_anisotropy(s)
    s.energy = mm.UniaxialAnisotropy(K={"r1": 1e5}, u=(0, 0, 1))
    with pytest.raises(ValueError, match="single number"):
        sw.effective_anisotropy(s)
    s.energy = mm.Demag()
    with pytest.raises(ValueError, match="mesh axis"):
        sw.effective_anisotropy(s, j=(1, 1, 0))

    def disk(point):
        x, y, _ = point
        return 7e5 if (x - 5e-9) ** 2 + (y - 5e-9) ** 2 < 25e-18 else 0

    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=disk)
    with pytest.raises(ValueError, match="uniform Ms"):
        sw.effective_anisotropy(s)
