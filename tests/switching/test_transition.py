"""Comparison 3: abrupt (Dirac) versus continuous (spin Hall) transition across H_x = 0.

Beyond the bistable region the final m_z of the macrospin is H_x/H_SH for the
spin-Hall torque (continuous through H_x = 0), while the Dirac torque leaves
m_z = +-1/sqrt(1 + s^2) on either side of H_x = 0 (a jump of 2/sqrt(1 + s^2));
docs/PHYSICS.md, "Macrospin switching". Measured here in films.
"""

import numpy as np

from ubermag_dirac import switching as sw

from .conftest import film

HX = np.array([-0.1, -0.05, 0.05, 0.1])  # in units of H_K_eff


def final_mz(torque, s_red, hx, **kw):
    t_run = kw.pop("t_run", 2e-9)
    s = film(torque=torque, **kw)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    ds = sw.phase_diagram(
        s, hx * HK, [s_red * HK], t_run=t_run, n_samples=100, progress=False
    )
    return ds, ds.m.sel(component="z").values[:, 0]  # (hx, start)


def test_spin_hall_transition_is_continuous_in_a_small_film():
    s_red = 0.8
    _, mz = final_mz("she", s_red, HX, alpha=0.1)
    # both starts end at the same m_z = H_x / H_SH: linear through H_x = 0
    np.testing.assert_allclose(mz, np.stack([HX / s_red] * 2, 1), rtol=0.02)


def test_dirac_transition_is_abrupt_in_a_small_film():
    s_red = 2.0
    _, mz = final_mz("dirac", s_red, HX, alpha=0.1)
    jump = 1 / np.sqrt(1 + s_red**2)
    # both starts end on the side of the sign of H_x, at about the jump value:
    # halving H_x barely changes m_z (no proportionality to H_x)
    assert np.all(np.sign(mz) == np.sign(HX)[:, None])
    assert np.all(np.abs(mz) > 0.95 * jump)
    assert np.all(np.abs(mz[1:3]) > 0.9 * np.abs(mz[[0, 3]]))
