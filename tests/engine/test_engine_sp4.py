"""Engine on real energy terms (exchange, demag, anisotropy, Zeeman of
``ubermag_dirac.engine.energy`` / ``demag``): batch equivalence on films and
muMAG standard problem 4 against OOMMF (slow)."""

import pathlib

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine import Engine, UnsupportedTermError
from ubermag_dirac.engine.core import _import_energy_modules
from ubermag_dirac.engine.registry import ENERGY, lookup

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
MU0 = 4e-7 * np.pi


def _supported(*terms):
    _import_energy_modules()
    try:
        for t in terms:
            lookup(t, ENERGY)
    except UnsupportedTermError:
        return False
    return True


needs_energy = pytest.mark.skipif(
    not _supported(mm.Exchange(A=1e-12), mm.Demag(), mm.Zeeman(H=(0, 0, 1))),
    reason="exchange/demag/Zeeman engine terms not available yet",
)


def _film(i, n=8):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(n * 2e-9, n * 2e-9, 1e-9), n=(n, n, 1))
    s = mm.System(name=f"film{i}")
    s.energy = (
        mm.Exchange(A=1.5e-11)
        + mm.Demag()
        + mm.UniaxialAnisotropy(K=6e5 + 1e5 * i, u=(0, 0, 1))
        + mm.Zeeman(H=(1e5 * i, 0, -2e4 * i))
    )
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.02 + 0.2 * i)
    s.m = df.Field(mesh, nvdim=3, value=(0.3, 0.1, 1), norm=1.1e6)
    return s


@needs_energy
def test_batch_of_films_equals_separate_runs():
    systems = [_film(i) for i in range(3)]
    batched = Engine(systems)
    batched.run(2e-11, 2)
    for i, s in enumerate(systems):
        single = Engine(s)
        single.run(2e-11, 2)
        np.testing.assert_allclose(batched.m[i], single.m[0], rtol=0, atol=1e-10)
    # the systems are really different
    assert np.abs(batched.m[0] - batched.m[2]).max() > 1e-2


@needs_energy
@pytest.mark.slow
def test_standard_problem_4_against_oommf():
    """Relax (minimise) from (1, 0.25, 0.1), then field 1 for 0.3 ns: <m>(t)
    within 1e-3 of OOMMF's table."""
    mesh = df.Mesh(p1=(0, 0, 0), p2=(500e-9, 125e-9, 3e-9), cell=(2.5e-9, 2.5e-9, 3e-9))
    s = mm.System(name="sp4")
    s.energy = mm.Exchange(A=1.3e-11) + mm.Demag()
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.02)
    s.m = df.Field(mesh, nvdim=3, value=(1, 0.25, 0.1), norm=8e5)
    relax = Engine(s)
    relax.minimise(stopping_mxHxm=0.01)
    ref = np.loadtxt(DATA / "sp4_field1_oommf.csv", delimiter=",", skiprows=1)
    mean0 = relax.m[0].reshape(3, -1).mean(axis=1)
    np.testing.assert_allclose(mean0, ref[0, 1:], atol=1e-4)

    s.m = relax.grid.to_field(relax.m * relax.Ms[:, None])
    s.energy += mm.Zeeman(H=(-24.6e-3 / MU0, 4.3e-3 / MU0, 0))
    e = Engine(s)
    rows = []
    e.run(0.3e-9, 60, lambda k, t, m: rows.append((t, *m[0].reshape(3, -1).mean(1))))
    rows = np.array(rows)
    np.testing.assert_allclose(rows[:, 0], ref[1:61, 0], rtol=1e-12)
    assert np.abs(rows[:, 1:] - ref[1:61, 1:]).max() < 1e-3
