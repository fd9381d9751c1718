"""Frozen systems in thermal runs: no steps, no noise, no evaluations, and the
other systems' results unchanged bit for bit (stochastic Heun sub-batches)."""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine import Engine


def _system(name, K=4e5, T=300.0):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(8e-9, 6e-9, 2e-9), n=(4, 3, 1))
    s = mm.System(name=name)
    s.energy = (
        mm.Exchange(A=1e-11) + mm.UniaxialAnisotropy(K=K, u=(0, 0, 1)) + mm.Demag()
    )
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.1)
    s.m = df.Field(mesh, nvdim=3, value=(0.1, 0.2, 1.0), norm=8e5)
    s.T = T
    return s


def _batch():
    # different anisotropies: different thermal steps per system
    return [_system(f"trial{i}", K=4e5 * (1 + 0.5 * i)) for i in range(5)]


def test_frozen_thermal_systems_skip_and_others_are_unchanged():
    ref = Engine(_batch(), seed=3)
    ref.run(2e-12, n=2)
    e = Engine(_batch(), seed=3)
    e.run(1e-12)
    m_frozen = e.m[[1, 3]].copy()
    e.frozen = np.array([False, True, False, True, False])
    before = e.stats["system_evaluations"]
    steps_before = np.array(e.stats["steps_per_system"])
    e.run(1e-12)
    steps = np.array(e.stats["steps_per_system"]) - steps_before
    # frozen: state kept, no steps, time moved on
    np.testing.assert_array_equal(e.m[[1, 3]], m_frozen)
    assert steps[1] == steps[3] == 0
    assert e.t == pytest.approx(2e-12)
    # the others: bit-identical to the run without freezing
    for b in (0, 2, 4):
        np.testing.assert_array_equal(e.m[b], ref.m[b])
    # the frozen systems cost nothing: the sub-batch of the three others is
    # evaluated (2 per step) until its slowest system is done
    spent = e.stats["system_evaluations"] - before
    assert 2 * steps.sum() <= spent <= 2 * 3 * steps.max() < 2 * 5 * steps.max()


def test_unfrozen_thermal_system_resumes_with_its_stream_waiting():
    """A system frozen for a stage draws no noise: unfrozen, it continues from
    its frozen state with the next numbers of its own stream (its result is
    that of a run that skipped the stage, not of the run without freezing)."""
    e = Engine(_batch()[:2], seed=5)
    e.run(1e-12)
    e.frozen = np.array([False, True])
    e.run(1e-12)
    m1 = e.m[1].copy()
    e.frozen = np.array([False, False])
    e.run(1e-12)
    assert np.abs(e.m[1] - m1).max() > 1e-6
    alone = Engine(_batch()[1], seed=5)
    alone.run(1e-12)
    alone.t = 2e-12  # the frozen stage: time moves on, nothing else
    alone.run(1e-12)
    np.testing.assert_array_equal(e.m[1], alone.m[0])
