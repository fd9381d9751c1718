"""Units of switching diagrams: A/m (ud.switching), H_K (ud.macrospin), A/m^2 (J);
progress in points; the system checks of the sweep."""

import re

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac import macrospin as ms
from ubermag_dirac import switching as sw

from .conftest import GAMMA0, film

FAST = {"t_run": 3e-10, "n_samples": 10, "progress": False}
SURFACE = ud.theory.preset("Bi2Se3")


def surface_film():
    s = film(demag=False)
    s.dynamics -= s.dynamics.diracsot
    s.dynamics += ud.DiracSOT.from_surface(SURFACE, J=1e11, thickness=1e-9, Ms=8e5)
    return s


def test_reduced_numbers_given_to_the_film_sweep_are_refused():
    s = film(torque="she", demag=False)
    with pytest.raises(
        ValueError,
        match=r"hx and hsot are fields in A/m .* largest given is 1.2 A/m, "
        r"1\.\de-06 of this film's H_K,eff = .* pass units='H_K'",
    ):
        sw.phase_diagram(s, [-0.5, 0.0, 0.5], [0.0, 1.2], **FAST)


def test_units_h_k_is_the_reduced_grid_of_the_film():
    s = film(torque="she", demag=False)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    ds = sw.phase_diagram(s, [0.0, 0.5], [0.0, 0.7], units="H_K", **FAST)
    np.testing.assert_allclose(ds.hx.values, [0.0, 0.5 * HK])
    np.testing.assert_allclose(ds.hsot.values, [0.0, 0.7 * HK])
    np.testing.assert_allclose(ds.hsot_reduced.values, [0.0, 0.7])
    assert ds.hx.attrs["units"] == "A/m" and ds.attrs["grid_units"] == "H_K"
    with pytest.raises(ValueError, match=r"units must be 'A/m' .* or 'H_K'"):
        sw.phase_diagram(s, [0.0], [0.0], units="T", **FAST)


def test_si_numbers_given_to_the_macrospin_are_refused_naming_the_unit():
    with pytest.raises(
        ValueError,
        match=r"hx is in units of H_K .* max \|hx\| = 40000, which looks like a "
        r"field in A/m",
    ):
        ms.phase_diagram([0.0, 4e4], [0.0, 0.5])
    with pytest.raises(ValueError, match=r"hsot is in units of H_K .* A/m"):
        ms.phase_diagram([0.0], [0.0, 2e5], protocol="B")
    with pytest.raises(ValueError, match=r"\|hx\| <= 1 .*protocol='B'"):
        ms.phase_diagram([1.5], [0.0])
    ds = ms.phase_diagram([0.0], [0.0, 0.5], t_max=20.0)
    assert ds.hx.attrs["units"] == "H_K" and ds.hsot.attrs["units"] == "H_K"


def test_film_diagram_in_current_density():
    s = surface_film()
    bl = ud.theory.Bilayer.from_term(s.dynamics.diracsot)
    J = np.array([0.0, -1e12, -2e13])
    ds = sw.phase_diagram(s, [0.0, 5e4], J=J, **FAST)
    # the grid is H_DL = (dH_DL/dJ) J, with J kept as a coordinate in A/m^2
    np.testing.assert_allclose(ds.hsot.values, bl.H_DL_per_J * J, rtol=1e-12)
    np.testing.assert_allclose(ds.J.values, J, rtol=1e-12, atol=1e-3)
    assert ds.J.attrs["units"] == "A/m^2"
    # the field-like term scales with the current: H_FL/H_DL of the surface
    assert ds.attrs["h_fl_ratio"] == pytest.approx(bl.fl_dl_ratio, rel=1e-12)
    assert "not a numerical artefact" in ds.attrs["fl_dl_note"]
    # |H_FL| > H_K at the largest current: in the plane, as docs/PHYSICS.md says
    assert ms.STATES[int(ds.state.sel(hsot=ds.hsot[-1]).values[0])] == "inplane"
    macro = sw.macrospin_diagram(ds)
    np.testing.assert_allclose(macro.J.values, ds.J.values)
    thr = sw.switching_threshold(ds, start="up", units="A/m^2")
    assert thr.attrs["units"] == "A/m^2" and thr.name == "J_threshold"
    with pytest.raises(ValueError, match=r"exactly one of hsot .* or J"):
        sw.phase_diagram(s, [0.0], [0.0], J=[0.0], **FAST)
    with pytest.raises(ValueError, match=r"J \(A/m\^2\) needs a ud.DiracSOT built"):
        sw.phase_diagram(film(demag=False), [0.0], J=[1e11], **FAST)
    with pytest.raises(ValueError, match=r"needs a diagram with a current-density"):
        sw.switching_threshold(macro.drop_vars("J"), units="A/m^2")


def test_progress_counts_whole_points(capsys):
    s = film(torque="she", demag=False)
    sw.phase_diagram(
        s, [0.0, 1e5, 2e5], [0.0, 3e5, 6e5], t_run=2e-10, n_samples=7, chunk_size=4
    )
    err = capsys.readouterr().err
    counts = re.findall(r"\| ([\d.]+)/9 ", err)
    assert counts and counts[-1] == "9"
    assert all(c.isdigit() for c in counts), counts  # never 0.44999999999999996/9


def test_sweep_checks_the_system_like_the_drivers():
    s = surface_film()
    s.m = df.Field(s.m.mesh, nvdim=3, value=(0, 0, 1), norm=1.2e6)
    with pytest.raises(ValueError, match=r"Ms = 800000 A/m, but system 'film' has"):
        sw.phase_diagram(s, [0.0], J=[1e11], **FAST)
    t = film(torque="she", demag=False)
    t.dynamics -= t.dynamics.precession
    with pytest.warns(ud.UbermagDiracWarning, match=r"no mm.Precession"):
        sw.phase_diagram(t, [0.0], [1e5], **FAST)
    assert GAMMA0 > 0 and isinstance(t.dynamics, mm.Dynamics)
