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

from .conftest import batched_and_single_runs

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
    batched, singles = batched_and_single_runs(systems, 2e-11, 2)
    for i, single in enumerate(singles):
        np.testing.assert_allclose(batched.m[i], single.m[0], rtol=0, atol=1e-10)
    # the systems are really different
    assert np.abs(batched.m[0] - batched.m[2]).max() > 1e-2


@needs_energy
def test_batch_evaluates_only_active_systems():
    """Systems of different stiffness: the batch evaluates each system exactly as
    often as its own run does (no evaluation after it reached a stage end), with
    bit-identical results, and the sub-batches share the demag tensor."""
    from ubermag_dirac.engine import demag
    from ubermag_dirac.engine.integrators import REGROUP_MIN_ATTEMPTS

    systems = [_film(i, n=6) for i in range(4)]
    systems[3].energy.exchange.A = 6e-11  # 4x stiffer: many more steps
    batched = Engine(systems)
    batched.run(1e-11, 3)
    singles = []
    for i, s in enumerate(systems):
        single = Engine(s)
        single.run(1e-11, 3)
        np.testing.assert_array_equal(batched.m[i], single.m[0])
        singles.append(single.stats["evaluations"])
    st = batched.stats
    # idle systems are dropped once the others still need >= 8 steps: at most
    # 8 steps (6 evaluations each) of idle systems per stage are left
    slack = 3 * (len(systems) - 1) * 6 * REGROUP_MIN_ATTEMPTS
    assert sum(singles) <= st["system_evaluations"] <= sum(singles) + slack
    assert st["evaluations"] >= max(singles)
    assert st["system_evaluations"] < 0.6 * st["evaluations"] * len(systems)
    assert min(singles) < 0.5 * max(singles)  # the compaction had work to do
    assert 0 < len(batched._subsets) <= 8
    key = ((6, 6, 1), (2e-9, 2e-9, 1e-9), (), demag.PBC_IMAGES)
    assert key in demag._TENSOR_CACHE


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


@needs_energy
def test_single_precision_demag_in_a_run():
    """demag_precision="single" changes a 20 ps film run by round-off only
    (measured 1e-9 here; standard problem 4 over 1 ns: 2.6e-7, see
    benchmarks/bench_engine.py)."""
    s = _film(1, n=8)
    runs = []
    for precision in ("double", "single"):
        e = Engine(s, demag_precision=precision)
        e.run(2e-11, 2)
        runs.append(e.m.copy())
    diff = np.abs(runs[0] - runs[1]).max()
    assert 0 < diff < 1e-6
    with pytest.raises(ValueError, match="precision"):
        Engine(s, demag_precision="float16")


@needs_energy
def test_frozen_systems_are_not_evaluated_and_resume():
    """A frozen system keeps its m while its time moves on, costs no evaluation,
    and continues from there once unfrozen; the others are unaffected."""
    systems = [_film(i, n=6) for i in range(3)]
    e = Engine(systems)
    ref = Engine(systems[0])
    e.run(5e-12)
    ref.run(5e-12)
    m1 = e.m[1].copy()
    e.frozen = np.array([False, True, False])
    before = e.stats["system_evaluations"]
    e.run(5e-12, 2)
    ref.run(5e-12, 2)
    np.testing.assert_array_equal(e.m[1], m1)
    np.testing.assert_array_equal(e.m[0], ref.m[0])
    assert e.t == pytest.approx(1e-11)
    steps = e.stats["steps_per_system"]
    spent = e.stats["system_evaluations"] - before
    assert spent <= 6 * (steps[0] + steps[2] + e.stats["rejections"]) + 3
    # resumes from the frozen state at t = 10 ps
    e.frozen = np.zeros(3, dtype=bool)
    e.run(5e-12)
    assert np.abs(e.m[1] - m1).max() > 1e-6
    with pytest.raises(ValueError, match="frozen: expected a boolean array"):
        e.frozen = [1, 0, 0]


@needs_energy
def test_changing_a_system_after_building_the_engine_is_caught():
    systems = [_film(i, n=6) for i in range(2)]
    systems[1].energy.exchange.A = 6e-11  # stiffer: the batch will compact
    e = Engine(systems)
    systems[1].energy.zeeman.H = (0, 0, 3e5)  # changed behind the engine's back
    with pytest.raises(ValueError, match="terms were changed after the Engine"):
        e.run(1e-11, 2)
