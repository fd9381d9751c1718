"""Switching phase diagrams: classification, symmetries, switching physics."""

import csv
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from ubermag_dirac import macrospin as ms

DATA = Path(__file__).parents[1] / "data"


def _threshold_rows():
    with open(DATA / "switching_threshold_vs_alpha.csv") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    out = {}
    for r in rows:
        key = (r["torque"], float(r["alpha"]))
        out.setdefault(key, []).append(
            (float(r["hx"]), float(r["hsot_threshold_numeric"]))
        )
    return out


THRESHOLDS = _threshold_rows()


def _symmetric(pos):
    pos = np.asarray(pos, dtype=float)
    return np.concatenate([-pos[::-1], [0.0], pos])


@pytest.fixture(scope="module", params=["dirac", "she"])
def diagram(request):
    hx = _symmetric(np.linspace(0.06, 0.96, 16))
    s = _symmetric(np.linspace(0.1, 2.0, 20))
    return ms.phase_diagram(hx, s, torque=request.param, alpha=0.1)


def test_dataset_layout(diagram):
    ds = diagram
    assert isinstance(ds, xr.Dataset)
    assert ds.m.dims == ("hx", "hsot", "start", "component")
    assert ds.state.dtype == np.int8
    assert ds.attrs["states"] == list(ms.STATES)
    assert ds.attrs["alpha"] == 0.1 and ds.attrs["protocol"] == "A"
    np.testing.assert_allclose(np.linalg.norm(ds.m.values, axis=-1), 1, atol=1e-12)
    np.testing.assert_array_equal(ds.mz_up, ds.m.sel(start="up", component="z"))
    # the diagram has the paper's structure: a bistable centre, up and down sides
    present = set(np.unique(ds.state.values).tolist())
    assert {0, 1, 2} <= present
    assert ds.state.sel(hx=0.0, hsot=0.0).item() == ms.STATE_CODES["bistable"]
    names = ds.macrospin.state_names()
    assert names.shape == ds.state.shape and names[0, 0] in ms.STATES


def test_symmetries(diagram):
    """state(hx, s) = state(-hx, -s) and state(hx, s) = flip(state(-hx, s))."""
    st = diagram.state.values
    np.testing.assert_array_equal(st, st[::-1, ::-1])
    np.testing.assert_array_equal(st, ms.flip_state(st[::-1, :]))
    # and the final magnetisations map accordingly (C2 rotations)
    m = diagram.m.values
    np.testing.assert_allclose(m[..., 2], m[::-1, ::-1, :, 2], atol=1e-6)


def test_she_final_mz_continuous_vs_dirac_jump():
    """Beyond threshold SHE ends at m_z = hx/s (continuous through hx = 0);
    Dirac ends at m_z^+- = (hx s +- sqrt(1+s^2-hx^2))/(1+s^2): jump 2/sqrt(1+s^2)."""
    s = 1.5
    hx = np.array([-0.3, -0.1, -0.01, 0.01, 0.1, 0.3])
    she = ms.phase_diagram(hx, [s], torque="she", alpha=0.1)
    mz = she.m.sel(component="z").values[:, 0, :]
    np.testing.assert_allclose(mz, np.stack([hx / s] * 2, -1), atol=1e-6)
    dirac = ms.phase_diagram(hx, [s], torque="dirac", alpha=0.1)
    mz = dirac.m.sel(component="z").values[:, 0, :]
    fp = ms.dirac_fixed_points(hx, s)
    expect = np.where(hx > 0, fp[:, 0, 2], fp[:, 1, 2])
    np.testing.assert_allclose(mz, np.stack([expect] * 2, -1), atol=1e-6)
    i, k = 2, 3  # hx = -0.01, +0.01
    jump = mz[k, 0] - mz[i, 0]
    assert jump == pytest.approx(2 / np.sqrt(1 + s**2), abs=2 * 0.01 * s)
    she_jump = 0.02 / s
    assert jump > 50 * she_jump


def test_slowly_ramped_dirac_current_never_switches():
    """A step switches, a slow ramp to the same current does not (Dirac); a slow
    ramp does switch the SHE beyond its static edge (the test can fail)."""
    hx = np.array([0.05, 0.3, 0.6, 0.9])
    s = np.array([1.5, 1.2, 0.9, 2.0])
    m0 = np.stack([hx, 0 * hx, -np.sqrt(1 - hx**2)], -1)
    h = np.stack([hx, 0 * hx, 0 * hx], -1)
    step = ms.solve(m0, 600.0, h=h, h_dl=s, alpha=0.1)
    assert np.all(step.m[:, 2] > 0.1)
    ramp = ms.solve(m0, 3000.0, h=h, h_dl=s, alpha=0.1, current=ms.Pulse.ramp(2000.0))
    np.testing.assert_allclose(
        ramp.m[:, 2], ms.dirac_fixed_points(hx, s)[:, 1, 2], atol=1e-6
    )
    # SHE above its static edge: the same slow ramp switches
    s_she = ms.she_diamond_edge(hx) + 0.1
    she = ms.solve(
        m0, 3000.0, h=h, h_sh=s_she, alpha=0.1, current=ms.Pulse.ramp(2000.0)
    )
    assert np.all(she.m[:, 2] > 0)


def _check_thresholds(torque, alpha):
    rows = THRESHOLDS[(torque, alpha)]
    hx = np.array([r[0] for r in rows])
    ref = np.array([r[1] for r in rows])
    got = ms.switching_threshold(
        hx, torque=torque, alpha=alpha, s_max=2.5 if torque == "dirac" else 1.0
    )
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    ok = ~np.isnan(ref)
    # within the reference grid step (0.01)
    assert np.all(np.abs(got[ok] - ref[ok]) <= 0.01 + 1e-9), (got, ref)


FAST = [("dirac", 0.1), ("dirac", 0.2), ("dirac", 0.5), ("dirac", 1.0)] + [
    ("she", a) for a in (0.02, 0.1, 0.3, 0.5, 1.0)
]
SLOW = [("dirac", 0.01), ("dirac", 0.02), ("dirac", 0.05)]


@pytest.mark.parametrize(("torque", "alpha"), FAST)
def test_thresholds_vs_alpha(torque, alpha):
    _check_thresholds(torque, alpha)


@pytest.mark.slow
@pytest.mark.parametrize(("torque", "alpha"), SLOW)
def test_thresholds_vs_alpha_small_damping(torque, alpha):
    _check_thresholds(torque, alpha)


def test_threshold_table_covered():
    assert set(FAST) | set(SLOW) == set(THRESHOLDS)


@pytest.mark.slow
def test_diamond_width_ratio_tends_to_two():
    """Dirac step threshold near hx = 0 over the SHE static edge -> 2 as alpha -> 0
    (docs/PHYSICS.md: exact only as alpha -> 0); with step currents for both torques
    the ratio at alpha = 0.1 is about 2.7-2.9."""
    alphas = [0.1, 0.02, 0.005]
    kw = dict(ds=0.02, refine=6)
    dirac = np.array(
        [
            ms.switching_threshold([0.0], torque="dirac", alpha=a, **kw)[0]
            for a in alphas
        ]
    )
    ratio = dirac / ms.she_diamond_edge(0.0)
    assert np.all(np.diff(ratio) < 0)  # decreasing as alpha decreases
    assert np.all(ratio > 2.0)  # the alpha -> 0 value is a lower bound
    assert ratio[-1] == pytest.approx(2.0, abs=0.03)
    she_step = ms.switching_threshold([0.0], torque="she", alpha=0.1, s_max=1.0, **kw)[
        0
    ]
    assert 2.6 < dirac[0] / she_step < 3.0
    # the Dirac threshold approaches the analytic alpha -> 0 curve from above
    hx = np.array([0.1, 0.4])
    th = ms.switching_threshold(hx, torque="dirac", alpha=0.005, s_max=1.0, **kw)
    lim = ms.dirac_threshold_alpha0(hx)
    assert np.all(th > lim) and np.all(th - lim < 0.03)
    thb = ms.switching_threshold(
        hx, torque="dirac", alpha=0.005, s_max=1.0, protocol="B", **kw
    )
    limb = ms.dirac_threshold_alpha0(hx, protocol="B")
    assert np.all(thb > limb) and np.all(thb - limb < 0.03)


def test_protocol_b_and_validation():
    ds = ms.phase_diagram([-1.1, 0.0, 1.1], [0.0], torque="she", protocol="B")
    # beyond |hx| = 1 the field pulls both starts into the plane
    assert ds.state.values[0, 0] == ms.STATE_CODES["inplane"]
    assert ds.state.values[1, 0] == ms.STATE_CODES["bistable"]
    with pytest.raises(ValueError, match="Protocol A"):
        ms.phase_diagram([1.1], [0.0])
    with pytest.raises(ValueError, match="Unknown torque"):
        ms.phase_diagram([0.0], [0.0], torque="rashba")
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        ms.phase_diagram([0.0], [0.0], alpha=-0.1)
    with pytest.raises(ValueError, match="hsot must be"):
        ms.phase_diagram([0.0], [])
    with pytest.raises(ValueError, match="protocol"):
        ms.switching_threshold([0.1], protocol="C")


def test_classify_matches_reference_rules():
    tol = 1e-3
    u = np.array([2e-3, 2e-3, -2e-3, 5e-4, -2e-3, 2e-3, 0.0])
    d = np.array([-2e-3, 2e-3, -2e-3, -5e-4, 2e-3, 0.0, -2e-3])
    np.testing.assert_array_equal(ms.classify(u, d, tol), [0, 1, 2, 3, 4, 5, 5])


def test_plots(diagram):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = ms.plot_phase_diagram(diagram)
    assert len(ax.collections) >= 1
    assert len(ax.lines) == 4  # analytic boundary in four quadrants
    ax = diagram.macrospin.plot(color_by="mz", boundaries=False)
    assert len(ax.lines) == 0
    plt.close("all")
    with pytest.raises(TypeError, match="phase_diagram"):
        ms.plot_phase_diagram(xr.Dataset())
