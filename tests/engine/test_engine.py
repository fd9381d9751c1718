"""Engine: construction rules, macrospin physics against exact solutions, batching."""

import discretisedfield as df
import engine_test_fields as F  # loaded by conftest.py
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine import Engine, IntegrationError, UnsupportedTermError

from .conftest import batched_and_single_runs

GAMMA = 2.211e5


# ------------------------------------------------------------- construction
class SpinPumping(mm.DynamicsTerm):
    """A dynamics term the engine does not implement."""

    _allowed_attributes = ()
    _reprlatex = ""

    def dmdt(self, m, Heff):
        raise NotImplementedError


def test_unsupported_dynamics_term_is_named():
    s = F.macrospin()
    s.dynamics += SpinPumping()
    with pytest.raises(UnsupportedTermError, match="SpinPumping"):
        Engine(s)


def test_unsupported_energy_term_is_named():
    s = F.macrospin()
    s.energy += mm.MagnetoElastic(B1=1e7, B2=1e7, e_diag=(1, 0, 0), e_offdiag=(0, 0, 0))
    with pytest.raises(UnsupportedTermError, match="MagnetoElastic"):
        Engine(s)


def test_systems_are_not_mutated_and_m_is_copied():
    s = F.macrospin(m0=(1, 0, 0))
    before = s.m.array.copy()
    e = Engine(s)
    e.run(1e-11, 2)
    np.testing.assert_array_equal(s.m.array, before)
    assert not np.shares_memory(e.m, s.m.array)
    assert e.m.shape == (1, 3, 1, 1, 1)
    assert e.batch == 1 and e.mesh is s.m.mesh and e.Ms.shape == (1, 1, 1, 1)


def test_batch_requires_same_term_names():
    a = F.macrospin("a")
    b = F.macrospin("b", K=1e4)
    with pytest.raises(ValueError, match="same term names"):
        Engine([a, b])


def test_energies_and_fields():
    s = F.macrospin(m0=(0, 0, 1), H=(0, 0, 1e5), K=2e4, n=(2, 1, 1))
    e = Engine(s)
    fields = e.effective_fields()
    assert set(fields) == {"uniformfield", "uniaxial"}
    np.testing.assert_allclose(fields["uniformfield"][0, 2], 1e5)
    np.testing.assert_allclose(
        fields["uniaxial"][0, 2], 2 * 2e4 / (F.MU0 * 8e5), rtol=1e-14
    )
    np.testing.assert_allclose(
        e.effective_field(), fields["uniformfield"] + fields["uniaxial"]
    )
    E = e.energies()
    V = 2 * 8e-27
    np.testing.assert_allclose(E["uniformfield"], -F.MU0 * 8e5 * 1e5 * V, rtol=1e-14)
    np.testing.assert_allclose(E["uniaxial"], -2e4 * V, rtol=1e-14)
    np.testing.assert_allclose(E["total"], E["uniformfield"] + E["uniaxial"])
    assert e.energy_densities()["uniaxial"].shape == (1, 2, 1, 1)
    np.testing.assert_allclose(e.max_dmdt(), 0.0, atol=1e-6)
    np.testing.assert_allclose(e.max_mxHxm(), 0.0, atol=1e-9)


# ------------------------------------------------------- macrospin physics
def _angles(m):
    m = m.reshape(3)
    return np.arccos(np.clip(m[2], -1, 1)), np.arctan2(m[1], m[0])


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.5])
def test_macrospin_larmor_precession_and_damping_are_exact(alpha):
    """Spin in a field: m_z = tanh(gamma alpha H t/(1+alpha^2) + atanh m_z0),
    azimuth advances at gamma H/(1+alpha^2)."""
    H = 2e5
    mz0 = -0.6
    m0 = (np.sqrt(1 - mz0**2), 0, mz0)
    # rkf54 at tol/10 is as accurate as DOPRI5 at tol on smooth problems
    e = Engine(F.macrospin(m0=m0, H=(0, 0, H), alpha=alpha), tol=1e-10)
    times, states = [], []
    e.run(5e-10, 25, lambda k, t, m: (times.append(t), states.append(m.copy())))
    times = np.array(times)
    mz = np.array([s.reshape(3)[2] for s in states])
    rate = GAMMA * H / (1 + alpha**2)
    np.testing.assert_allclose(
        mz, np.tanh(alpha * rate * times + np.arctanh(mz0)), rtol=0, atol=2e-8
    )
    phi = np.unwrap([_angles(s)[1] for s in states])
    # precession of a spin in +z field is counter-clockwise seen from +z
    # (dm/dt = -gamma m x H): phi increases
    np.testing.assert_allclose(phi, rate * times, rtol=2e-8, atol=2e-7)
    assert e.stats["evaluations"] > 0 and e.stats["steps"] > 0


def test_energy_is_conserved_without_damping():
    """alpha = 0, field plus tilted anisotropy (non-trivial orbits)."""
    s = F.macrospin(m0=(0.6, 0.0, 0.8), H=(3e4, 0, 5e4), K=3e4, u=(0, 1, 1), alpha=None)
    e = Engine(s, tol=1e-10)
    E0 = e.energies()["total"][0]
    period = 2 * np.pi / (GAMMA * 1e5)
    energies = []
    e.run(40 * period, 40, lambda k, t, m: energies.append(e.energies(m)["total"][0]))
    drift = np.max(np.abs(np.array(energies) - E0)) / abs(E0)
    assert drift < 1e-6
    m = e.m.reshape(3)
    assert abs(np.linalg.norm(m) - 1) < 1e-14
    # and the orbit really moved
    assert abs(m[2] - 0.8) > 1e-3 or abs(m[0] - 0.6) > 1e-3


def test_time_dependent_field_sees_the_right_time():
    """H(t) = H0 (1 + t/tau) along z, alpha = 0: phi(t) = gamma H0 (t + t^2/(2 tau))."""
    H0, tau = 1e5, 2e-10

    def ramp(t):
        return 1 + t / tau

    s = F.macrospin(m0=(1, 0, 0), H=(0, 0, H0), func=ramp, alpha=None)
    e = Engine(s, tol=1e-10)
    phis, times = [], []
    e.run(
        4e-10,
        32,
        lambda k, t, m: (times.append(t), phis.append(_angles(m)[1])),
    )
    times = np.array(times)
    expected = GAMMA * H0 * (times + times**2 / (2 * tau))
    np.testing.assert_allclose(np.unwrap(phis), expected, rtol=1e-8)
    calls = np.concatenate(e.energy_terms["uniformfield"].calls)
    assert calls.min() >= 0 and calls.max() <= 4e-10 * (1 + 1e-15)


def test_stage_times_are_hit_exactly_and_time_accumulates():
    e = Engine(F.macrospin(alpha=0.02))
    seen = []
    e.run(3e-11, 7, lambda k, t, m: seen.append((k, t, e._integrator.t.copy())))
    for k, t, tb in seen:
        assert t == 3e-11 * (k + 1) / 7
        assert np.all(tb == t)
    assert e.t == 3e-11
    e.run(1e-11, 2)
    assert e.t == 3e-11 + 1e-11


def test_run_validates_arguments():
    e = Engine(F.macrospin())
    with pytest.raises(ValueError, match="positive"):
        e.run(-1e-12, 1)
    with pytest.raises(ValueError, match="n:"):
        e.run(1e-12, 0)


# ------------------------------------------------------------------ batch
def test_batch_equals_separate_runs():
    fields = [(0, 0, 1e5), (3e4, 0, 2e5), (0, 5e5, 1e4), (1e3, 1e3, 1e3)]
    systems = [
        F.macrospin(f"s{i}", m0=(1, 0.2, -0.3), H=H, K=1e4 * i, u=(1, 0, 1), alpha=0.05)
        for i, H in enumerate(fields)
    ]
    batched, singles = batched_and_single_runs(systems, 2e-10, 4)
    for i, single in enumerate(singles):
        np.testing.assert_allclose(batched.m[i], single.m[0], rtol=0, atol=1e-13)
        assert batched.stats["steps_per_system"][i] == single.stats["steps"]
    # systems of different stiffness took different numbers of steps
    assert len(set(batched.stats["steps_per_system"])) > 1


# ------------------------------------------------------------- failures
def test_nan_from_time_dependent_term_raises_and_keeps_last_good_state():
    def bad(t):
        return 1.0 if t < 1.5e-11 else float("nan")

    e = Engine(F.macrospin(func=bad, alpha=0.1))
    stages = []
    with pytest.raises(IntegrationError, match=r"system 0 .*non-finite") as info:
        e.run(4e-11, 4, lambda k, t, m: stages.append(m.copy()))
    assert info.value.system == 0 and 1e-11 <= info.value.t < 2e-11
    assert len(stages) == 1
    assert np.all(np.isfinite(e.m))
    np.testing.assert_array_equal(e.m, stages[-1])
    assert e.t == 1e-11


def test_zero_ms_cells_are_frozen():
    mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 1e-9, 1e-9), n=(4, 1, 1))
    s = mm.System(name="holes")
    s.energy = F.UniformField(H=(0, 0, 1e5))
    s.dynamics = mm.Precession(gamma0=GAMMA) + mm.Damping(alpha=0.3)
    s.m = df.Field(
        mesh,
        nvdim=3,
        value=(1, 0, 0),
        norm=lambda p: 0 if p[0] > 2e-9 else 8e5,
        valid="norm",
    )
    e = Engine(s)
    e.run(1e-10, 1)
    assert np.all(e.m[0, :, 2:] == 0)
    assert np.all(e.m[0, 2, :2] > 0.1)


def test_threads_setting_gives_identical_results():
    systems = [F.macrospin(f"s{i}", H=(1e4 * i, 0, 1e5), alpha=0.05) for i in range(3)]
    one = Engine(systems, threads=1)
    two = Engine(systems, threads=2)
    assert two.threads == min(2, __import__("numba").config.NUMBA_NUM_THREADS)
    one.run(5e-11, 2)
    two.run(5e-11, 2)
    np.testing.assert_array_equal(one.m, two.m)
    with pytest.raises(ValueError, match="threads"):
        Engine(systems, threads=0)
