"""Device-scale films differ from the macrospin (comparisons 2 and 3, reduced).

The full studies (three film sizes, both torques; the transition across
H_x = 0) are in ``benchmarks/bench_switching.py`` with their numbers in
``benchmarks/results/switching.json``. These slow tests keep reduced versions:
a 100 nm x 100 nm x 1 nm film (5 nm cells, PMA, demag, interfacial DMI).
"""

import numpy as np
import pytest

from ubermag_dirac import macrospin as ms
from ubermag_dirac import switching as sw

from .conftest import film

pytestmark = pytest.mark.slow

DEVICE = {"n": (20, 20, 1), "cell": (5e-9, 5e-9, 1e-9), "K": 6e5, "D": 1.5e-3}


@pytest.mark.parametrize(("torque", "s_film"), [("dirac", 0.6), ("she", 0.3)])
def test_device_film_switches_below_the_macrospin_threshold(torque, s_film):
    """At H_x = 0.05 H_K,eff the film's critical H_sot is below the macrospin's."""
    s = film(torque=torque, alpha=0.1, **DEVICE)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    hx = 0.05
    ds = sw.phase_diagram(
        s,
        [hx * HK],
        [0.5 * s_film * HK, s_film * HK],
        t_run=1.5e-9,
        n_samples=60,
        starts=["down"],
        progress=False,
    )
    mz = ds.mz_down.values[0]
    assert mz[0] < -0.5  # half the torque: the down state survives
    assert mz[1] > -1e-3  # the film's down state is lost ...
    # ... through a non-uniform state (nucleation from the DMI-tilted edges)
    assert float(ds.mz_spread_max.sel(start="down").values[0, 1]) > 0.3
    # ... where the macrospin with the same H_K,eff, alpha and time keeps it
    macro = ms.phase_diagram(
        [hx], [s_film], torque=torque, alpha=0.1, t_max=1.5e-9 * 2.211e5 * HK
    )
    assert macro.mz_down.values[0, 0] < -0.5


def test_transition_across_zero_field_in_a_device_film():
    """Spin Hall: <m_z> ~ H_x/H_SH; Dirac: a finite jump survives across H_x = 0."""
    hx = np.array([-0.02, 0.02])
    out = {}
    for torque, s_red in (("she", 0.8), ("dirac", 2.0)):
        s = film(torque=torque, alpha=0.1, **DEVICE)
        HK = sw.effective_anisotropy(s)["H_K_eff"]
        ds = sw.phase_diagram(
            s,
            hx * HK,
            [s_red * HK],
            t_run=2e-9,
            n_samples=40,
            starts=["down"],
            progress=False,
        )
        out[torque] = ds.mz_down.values[:, 0]
    assert np.all(np.sign(out["she"]) == np.sign(hx))
    np.testing.assert_allclose(np.abs(out["she"]), 0.02 / 0.8, rtol=0.3)
    assert np.all(np.sign(out["dirac"]) == np.sign(hx))
    assert np.abs(out["dirac"]).min() > 2 * np.abs(out["she"]).max()
