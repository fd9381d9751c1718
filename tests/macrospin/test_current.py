"""Macrospin diagrams of a Dirac bilayer in current density, and why presets are
"inplane": the field-like term dominates (docs/PHYSICS.md)."""

import numpy as np
import pytest
import scipy.constants as sc

import ubermag_dirac as ud

ms = ud.macrospin
SURFACE = ud.theory.preset("Bi2Se3")
BILAYER = ud.theory.Bilayer(SURFACE, thickness=1e-9, Ms=8e5)
H_K = 4e5


def test_current_density_axis_is_that_of_from_surface():
    ds = ms.phase_diagram([0.0, 0.3], [-0.4, 0.0, 0.2, 0.9], t_max=50.0)
    si = ms.with_current_density(ds, BILAYER, H_K)
    assert si.J.attrs["units"] == "A/m^2" and si.H_DL.attrs["units"] == "A/m"
    np.testing.assert_allclose(si.H_x.values, [0.0, 0.3 * H_K])
    for s, J in zip(si.hsot.values, si.J.values, strict=True):
        sot = ud.DiracSOT.from_surface(SURFACE, J=float(J), thickness=1e-9, Ms=8e5)
        assert sot.H_DL == pytest.approx(s * H_K, rel=1e-12, abs=1e-9)
    assert si.attrs["bilayer_fl_dl_ratio"] == pytest.approx(-30.385, abs=1e-3)
    assert "not a numerical artefact" in si.attrs["fl_dl_note"]
    assert "J" not in ds.coords  # the input is not modified
    she = ms.phase_diagram([0.0], [0.1], torque="she", t_max=50.0)
    with pytest.raises(ValueError, match="needs a Dirac diagram"):
        ms.with_current_density(she, BILAYER, H_K)


def test_bilayer_arguments_carry_the_field_like_term():
    s = np.array([-0.5, 0.0, 0.25])
    kw = ms.bilayer_arguments(BILAYER, H_K, s)
    ratio = -SURFACE.tau * SURFACE.eps_F / (2 * sc.hbar * SURFACE.beta)
    np.testing.assert_allclose(kw["h_fl"], ratio * s, rtol=1e-12)
    assert kw["beta"] == SURFACE.beta
    assert kw["delta_alpha"] == pytest.approx(float(BILAYER.delta_alpha()), rel=1e-15)


def test_preset_diagram_is_inplane_where_the_field_like_field_exceeds_h_k():
    """With H_FL/H_DL = -30, |h_FL| > 1 already at |s| = 0.05: both starts end in
    the plane there, where the damping-like torque alone switches or keeps them."""
    hx = [-0.5, 0.0, 0.5]
    s = np.array([-0.6, -0.2, 0.0, 0.2, 0.6])
    with_fl = ms.phase_diagram(
        hx, s, alpha=0.1, **ms.bilayer_arguments(BILAYER, H_K, s)
    )
    dl_only = ms.phase_diagram(hx, s, alpha=0.1, beta=SURFACE.beta)
    inplane = ms.STATE_CODES["inplane"]
    driven = s != 0
    assert np.all(with_fl.state.values[:, driven] == inplane)
    assert np.all(with_fl.state.values[:, ~driven] == ms.STATE_CODES["bistable"])
    assert np.all(np.abs(with_fl.mz_up.values[:, driven]) < 1e-3)
    assert not np.any(dl_only.state.values == inplane)
