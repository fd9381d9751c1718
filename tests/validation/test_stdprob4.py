"""muMAG standard problem 4 (field 1) against OOMMF 2.1a0.

Reference: ``tests/data/sp4_field1_oommf.csv`` (OOMMF 2.1a0, cells 2.5 x 2.5 x 3 nm,
200 stages over 1 ns; first row is the relaxed s-state at t = 0). Tolerances: the
issue asks for <m>(t) within 1e-3 up to 0.3 ns (before the trajectories of two
correct codes diverge through the chaotic reversal), the first m_x zero crossing
within 1 %, and a final state that is close (the same reversed s-state: each
component within 0.02, which is well below the differences between distinct
end states, e.g. <m_y> changes sign between them).
"""

import pathlib

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud

DATA = pathlib.Path(__file__).parents[1] / "data" / "sp4_field1_oommf.csv"


def _reference():
    ref = np.loadtxt(DATA, delimiter=",", skiprows=1)
    return ref[:, 0], ref[:, 1:]


def _sp4_system(name):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(500e-9, 125e-9, 3e-9), cell=(2.5e-9, 2.5e-9, 3e-9))
    system = mm.System(name=name)
    system.energy = mm.Exchange(A=1.3e-11) + mm.Demag()
    system.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.02)
    system.m = df.Field(mesh, nvdim=3, value=(1, 0.25, 0.1), norm=8e5)
    return system


@pytest.mark.slow
def test_stdprob4_against_oommf(tmp_path):
    t_ref, m_ref = _reference()
    system = _sp4_system("sp4")
    ud.MinDriver().drive(system, dirname=str(tmp_path), verbose=0)
    m0 = np.asarray(system.m.mean()) / 8e5
    # relaxed s-state
    assert np.max(np.abs(m0 - m_ref[0])) < 1e-3, m0

    system.energy += mm.Zeeman(H=(-24.6e-3 / mm.consts.mu0, 4.3e-3 / mm.consts.mu0, 0))
    ud.TimeDriver().drive(system, t=1e-9, n=200, dirname=str(tmp_path), verbose=0)
    data = system.table.data
    t = data["t"].to_numpy()
    m = data[["mx", "my", "mz"]].to_numpy()
    np.testing.assert_allclose(t, t_ref[1:], rtol=0, atol=1e-20)

    early = t <= 0.3e-9 + 1e-15
    assert np.max(np.abs(m[early] - m_ref[1:][early])) < 1e-3

    def first_crossing(tt, mx):
        k = np.flatnonzero((mx[:-1] > 0) & (mx[1:] <= 0))[0]
        return tt[k] + (tt[k + 1] - tt[k]) * mx[k] / (mx[k] - mx[k + 1])

    tc = first_crossing(t, m[:, 0])
    tc_ref = first_crossing(t_ref[1:], m_ref[1:, 0])
    assert abs(tc - tc_ref) / tc_ref < 0.01, (tc, tc_ref)

    assert np.max(np.abs(m[-1] - m_ref[-1])) < 0.02, (m[-1], m_ref[-1])
