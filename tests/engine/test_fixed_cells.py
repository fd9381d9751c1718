"""Fixed cells (OOMMF's fixed_spins): they act on the others but never move."""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine import Engine, IntegrationError


def _chain(n=8, name="chain"):
    subregions = {"end": df.Region(p1=(0, 0, 0), p2=(1e-9, 1e-9, 1e-9))}
    mesh = df.Mesh(
        p1=(0, 0, 0), p2=(n * 1e-9, 1e-9, 1e-9), n=(n, 1, 1), subregions=subregions
    )
    s = mm.System(name=name)
    s.energy = mm.Exchange(A=1e-11) + mm.Zeeman(H=(0, 0, 2e5))
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.3)
    s.m = df.Field(mesh, nvdim=3, value=(1, 0, 0), norm=8e5)
    return s


def test_names_and_masks_select_the_same_cells():
    s = _chain()
    by_name = Engine(s, fixed=["end"])
    mask = np.zeros((8, 1, 1), dtype=bool)
    mask[0] = True
    by_mask = Engine(s, fixed=mask)
    np.testing.assert_array_equal(by_name.fixed, by_mask.fixed)
    assert by_name.fixed.shape == (1, 8, 1, 1) and by_name.fixed.sum() == 1


def test_fixed_cell_has_no_dmdt_but_still_couples():
    s = _chain()
    free, fixed = Engine(s), Engine(s, fixed=["end"])
    dm_free, dm_fixed = free.dmdt(), fixed.dmdt()
    np.testing.assert_array_equal(dm_fixed[0, :, 0], 0.0)
    np.testing.assert_array_equal(dm_fixed[0, :, 1:], dm_free[0, :, 1:])
    # max |dm/dt| and max |m x H x m| are taken over the moving cells only
    assert fixed.max_dmdt()[0] == pytest.approx(
        np.linalg.norm(dm_free[0, :, 1:], axis=0).max(), rel=1e-15
    )


@pytest.mark.parametrize("method", ["run", "relax", "minimise"])
def test_fixed_cell_never_moves(method):
    e = Engine(_chain(), fixed=["end"])
    m0 = e.m[0, :, 0].copy()
    {
        "run": lambda: e.run(50e-12, n=2),
        "relax": lambda: e.relax(until_noise_floor=True),
        "minimise": e.minimise,
    }[method]()
    np.testing.assert_array_equal(e.m[0, :, 0], m0)
    # the free end turned towards the field, held back by the fixed cell
    assert e.m[0, 2, -1] > e.m[0, 2, 1] > 0.01


def test_bad_fixed_is_refused():
    s = _chain()
    with pytest.raises(ValueError, match="fixed: Unknown subregion 'nope'"):
        Engine(s, fixed=["nope"])
    with pytest.raises(ValueError, match=r"fixed: expected subregion names or a "):
        Engine(s, fixed=np.zeros((2, 2, 2), dtype=bool))


def test_relax_of_a_stiff_twisted_chain_stops_at_the_noise_floor():
    # the fixed end keeps the chain twisted, so the stiff exchange modes matter:
    # damped dynamics with an explicit integrator cannot get max |dm/dt| below a
    # floor proportional to tol (measured 7.8e7 rad/s at tol 1e-5, 7.8e6 at 1e-6
    # with DOPRI5; the default rkf54 stalls at 9.2e6 rad/s at 1e-5 and relaxes
    # this chain at 1e-6, so the floor is shown with DOPRI5)
    floors = []
    for tol in (1e-5, 1e-6):
        e = Engine(_chain(), fixed=["end"], tol=tol, method="rkf54m")
        e.relax(until_noise_floor=True)
        assert e.relax_stalled.tolist() == [True]
        floors.append(e.max_dmdt()[0])
        # the minimiser then finishes the job from that state
        e.minimise(stopping_mxHxm=1e-3)
        assert e.max_mxHxm()[0] < 1e-3
    assert floors[0] > 100 * 0.01 * np.pi / 180 * 1e9  # far above 0.01 deg/ns
    assert 5 < floors[0] / floors[1] < 20  # proportional to tol

    # strictly, relax fails and says why
    e = Engine(_chain(), fixed=["end"], tol=1e-5)
    with pytest.raises(IntegrationError, match="noise floor"):
        e.relax(max_time=2e-9)
