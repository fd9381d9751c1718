"""The film sweep: API, Dataset layout, observables, batching, storage, executors."""

import concurrent.futures
import math
import os

import micromagneticmodel as mm
import numpy as np
import pytest
import xarray as xr

import ubermag_dirac as ud
from ubermag_dirac import macrospin as ms
from ubermag_dirac import switching as sw

from .conftest import film

FAST = {"t_run": 4e-10, "n_samples": 20, "progress": False}


# ------------------------------------------------------------------ errors
def test_errors_name_the_offending_parameter():
    s = film(demag=False)
    with pytest.raises(ValueError, match=r"'damping.beta'.*Damping has no attribute"):
        sw.phase_diagram(s, [0.0], [0.0], params={"damping.beta": [0.1]})
    with pytest.raises(ValueError, match=r"'dmi.D'.*no energy or dynamics term"):
        sw.phase_diagram(s, [0.0], [0.0], params={"dmi.D": [1e-3]})
    with pytest.raises(ValueError, match=r"'diracsot.H_DL'.*hsot axis"):
        sw.phase_diagram(s, [0.0], [0.0], params={"diracsot.H_DL": [1.0]})
    with pytest.raises(ValueError, match=r"'damping.alpha' = -0.1"):
        sw.phase_diagram(s, [0.0], [0.0], params={"damping.alpha": [0.1, -0.1]})
    with pytest.raises(ValueError, match=r"'pulse.rise'.*needs a"):
        sw.phase_diagram(s, [0.0], [0.0], params={"pulse.rise": [0.0]})
    with pytest.raises(ValueError, match=r"'pulse.width'.*Trapezoid has no"):
        sw.phase_diagram(
            s, [0], [0], pulse=sw.Trapezoid(), params={"pulse.width": [0.0]}
        )
    with pytest.raises(ValueError, match="field_dt"):
        sw.phase_diagram(s, [0.0], [0.0], field_pulse=sw.Step())
    with pytest.raises(TypeError, match="pulse must be"):
        sw.phase_diagram(s, [0.0], [0.0], pulse=1.0)
    with pytest.raises(ValueError, match="repeated"):
        sw.phase_diagram(s, [0.0, 0.0], [0.0])
    no_torque = film(demag=False)
    no_torque.dynamics -= no_torque.dynamics.diracsot
    with pytest.raises(ValueError, match=r"no ud.DiracSOT or ud.SpinHallSOT"):
        sw.phase_diagram(no_torque, [0.0], [0.0])
    two = film(demag=False)
    two.dynamics += ud.SpinHallSOT(H_SH=0.0)
    with pytest.raises(ValueError, match="several torque terms"):
        sw.phase_diagram(two, [0.0], [0.0])
    with pytest.raises(ValueError, match="term='sot'"):
        sw.phase_diagram(two, [0.0], [0.0], term="sot")


# ------------------------------------------------------------------ layout
def test_dataset_has_the_macrospin_layout_and_codes():
    s = film(torque="she", demag=False)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    ds = sw.phase_diagram(s, [0.0, 0.4 * HK], [0.0, 0.8 * HK], **FAST)
    mds = ms.phase_diagram([0.0, 0.4], [0.0, 0.8], torque="she")
    for name in ("m", "mz_up", "mz_down", "state"):
        assert ds[name].dims == mds[name].dims
        assert ds[name].shape == mds[name].shape
    assert ds.state.dtype == np.int8
    assert ds.attrs["states"] == list(ms.STATES)
    assert ds.state.attrs == mds.state.attrs
    np.testing.assert_array_equal(ds.state.values, mds.state.values)
    np.testing.assert_allclose(ds.hsot_reduced.values, [0.0, 0.8])
    assert ds.attrs["torque"] == "she" and ds.attrs["alpha"] == 0.3
    assert ds.time.size == 20 and ds.time.values[-1] == pytest.approx(4e-10)
    assert not ds.failed.any() and ds.computed.all()


def test_both_starts_are_field_relaxed():
    """m_start is the Stoner-Wohlfarth state (h_x, 0, +-sqrt(1 - h_x^2))."""
    s = film(demag=False)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    ds = sw.phase_diagram(s, [0.5 * HK], [0.0], **FAST)
    m0 = ds.m_start.values[0, 0]
    np.testing.assert_allclose(m0[0], [0.5, 0, np.sqrt(0.75)], atol=1e-4)
    np.testing.assert_allclose(m0[1], [0.5, 0, -np.sqrt(0.75)], atol=1e-4)
    np.testing.assert_allclose(ds.m.values[0, 0], m0, atol=1e-4)  # no current
    s2 = sw.phase_diagram(s, [0.5 * HK], [0.0], relax=None, **FAST)
    np.testing.assert_allclose(s2.m_start.values[0, 0, :, 2], [1, -1])
    assert s2.attrs["protocol"] == "B"


def test_observables_of_a_switching_and_a_non_switching_run():
    s = film(torque="she", demag=False, alpha=0.5)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    ds = sw.phase_diagram(
        s, [0.3 * HK], [0.0, 0.6 * HK], t_run=6e-10, n_samples=60, progress=False
    )
    p = ds.isel(hx=0)
    # no torque: nothing switches, |m_z| never goes below its start
    assert np.isnan(p.switching_time.sel(hsot=0.0)).all()
    mz0 = abs(p.m_start.sel(hsot=0.0, component="z").values)
    np.testing.assert_allclose(p.min_abs_mz.sel(hsot=0.0).values, mz0, rtol=1e-6)
    # above the threshold the down start switches up (the state is "up")
    q = p.isel(hsot=1)
    assert int(q.state) == ms.STATE_CODES["up"]
    tsw = float(q.switching_time.sel(start="down"))
    assert 0 < tsw < 6e-10
    mz = q.m_t.sel(start="down", component="z").values
    t = ds.time.values
    assert np.all(mz[t > tsw + 1e-11] > 0) and np.any(mz[t < tsw] < 0)
    # the minimum of |<m_z>| over the sampled path (the relaxed start included)
    path = np.abs(np.r_[q.m_start.sel(start="down", component="z").values, mz])
    assert float(q.min_abs_mz.sel(start="down")) == path.min() < 0.3
    assert np.isnan(float(q.switching_time.sel(start="up")))
    # a uniform (exchange-only, no demag) dot stays uniform
    assert float(ds.mz_spread_max.max()) < 1e-6


def test_batched_equals_point_by_point():
    """Per-system step control: a batch integrates every point as alone."""
    s = film(demag=True)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    hx = [-0.3 * HK, 0.2 * HK]
    hs = [0.5 * HK, 1.2 * HK]
    one = sw.phase_diagram(s, hx, hs, chunk_size=4, stopping_dm_dt=0, **FAST)
    single = sw.phase_diagram(s, hx, hs, chunk_size=1, stopping_dm_dt=0, **FAST)
    assert one.attrs["chunk_size"] == 4 and single.attrs["chunk_size"] == 1
    np.testing.assert_allclose(one.m_t.values, single.m_t.values, atol=1e-12)
    np.testing.assert_array_equal(one.steps.values, single.steps.values)


def test_points_at_rest_leave_the_batch():
    """Early stopping per point: a point at rest stops (its systems frozen, not
    evaluated), while the others of its batch go on; the batch equals the runs
    point by point exactly, t_stop and step counts included."""
    s = film(demag=True)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    hx = [-0.3 * HK, 0.2 * HK]
    hs = [0.0, 1.2 * HK]  # no torque: at rest at once; strong torque: switching
    one = sw.phase_diagram(s, hx, hs, chunk_size=4, **FAST)
    single = sw.phase_diagram(s, hx, hs, chunk_size=1, **FAST)
    np.testing.assert_array_equal(one.t_stop.values, single.t_stop.values)
    np.testing.assert_array_equal(one.m_t.values, single.m_t.values)
    np.testing.assert_array_equal(one.steps.values, single.steps.values)
    t_stop = one.t_stop.values
    assert np.all(t_stop[:, 0] < 0.2 * FAST["t_run"])  # stopped early ...
    assert np.all(t_stop[:, 1] == FAST["t_run"])  # ... while the others ran on
    steps = one.steps.values
    assert steps[:, 0].max() < 0.2 * steps[:, 1].min()


def test_chunk_size_follows_the_memory_limit():
    s = film(demag=False)
    per = sw.memory_per_point(s, n_samples=20)
    ds = sw.phase_diagram(s, [0.0, 1e4, 2e4], [0.0], memory_limit=2.5 * per, **FAST)
    assert ds.attrs["chunk_size"] == 2


# ------------------------------------------------------------------ storage
def test_results_folder_resumes_without_recomputing(tmp_path):
    s = film(torque="she", demag=False)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    hx = np.array([-0.4, 0.0, 0.4]) * HK
    hs = np.array([0.0, 0.7]) * HK
    d = tmp_path / "sweep"
    ref = sw.phase_diagram(s, hx, hs, dirname=d, chunk_size=2, **FAST)
    files = sorted(d.glob("chunk-*.npz"))
    assert len(files) == 3 and (d / "manifest.json").exists()
    # "interrupt": lose the last chunk; the others must not be recomputed
    files[-1].unlink()
    partial = sw.load(d)
    assert int(partial.computed.sum()) == 4
    assert np.isnan(partial.mz_up.values[~partial.computed.values]).all()
    stamps = {f.name: os.stat(f).st_mtime_ns for f in files[:-1]}
    again = sw.phase_diagram(s, hx, hs, dirname=d, chunk_size=2, **FAST)
    for f in files[:-1]:
        assert os.stat(f).st_mtime_ns == stamps[f.name]
    assert files[-1].exists()
    xr.testing.assert_identical(again.drop_attrs(), ref.drop_attrs())
    # a different sweep in the same folder is refused
    with pytest.raises(FileExistsError, match="different sweep"):
        sw.phase_diagram(s, hx, hs * 2, dirname=d, **FAST)
    sw.phase_diagram(s, hx[:1], hs[:1], dirname=d, overwrite=True, **FAST)
    assert len(list(d.glob("chunk-*.npz"))) == 1


def test_netcdf_round_trip(tmp_path):
    s = film(demag=False)
    ds = sw.phase_diagram(s, [0.0], [0.0, 5e5], snapshots=2, **FAST)
    assert ds.snapshots.shape == (1, 2, 2, 2, 3, 2, 2, 1)
    np.testing.assert_allclose(ds.snapshot_time.values, [2e-11 * 10, 4e-10])
    sw.to_netcdf(ds, tmp_path / "f.nc")
    back = sw.open_dataset(tmp_path / "f.nc")
    np.testing.assert_array_equal(back.state.values, ds.state.values)
    np.testing.assert_allclose(back.m_t.values, ds.m_t.values)
    assert back.attrs["states"] == list(ms.STATES)
    assert back.failed.dtype == bool


# ------------------------------------------------------------------ executors
def test_process_pool_gives_the_serial_result():
    s = film(torque="she", demag=False)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    hx = np.array([-0.3, 0.3]) * HK
    hs = np.array([0.2, 0.8]) * HK
    serial = sw.phase_diagram(s, hx, hs, **FAST)
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        par = sw.phase_diagram(s, hx, hs, executor=ex, **FAST)
    assert par.attrs["chunk_size"] == 2  # split between the two workers
    np.testing.assert_allclose(par.m_t.values, serial.m_t.values, atol=1e-12)


# ------------------------------------------------------------------ pulses
class NaNAfter(sw.Trapezoid):
    """Test double: a pulse that turns NaN (an integration failure) for t_on < 0."""

    def __call__(self, t):
        return math.nan if self.t_on < 0 and t > 1e-11 else super().__call__(t)


def test_failed_points_are_isolated_and_reported():
    s = film(demag=False)
    with pytest.warns(ud.UbermagDiracWarning, match="1 grid point"):
        ds = sw.phase_diagram(
            s,
            [0.0],
            [1e5],
            pulse=NaNAfter(),
            params={"pulse.t_on": [-1e-12, 0.0]},
            **FAST,
        )
    assert ds.failed.values.tolist() == [[[True, False]]]
    assert "non-finite" in str(ds.error.values[0, 0, 0])
    assert int(ds.state.values[0, 0, 0]) == ms.STATE_CODES["mixed"]
    assert np.isfinite(ds.m.values[0, 0, 1]).all()


def test_swept_rise_time_and_trapezoid_pulse_reach_the_film():
    """A pulse switched off returns the SHE film to the field-relaxed states."""
    s = film(torque="she", demag=False, alpha=0.5)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    p = sw.Trapezoid(rise=0.0, duration=1e-10, fall=2e-11)
    ds = sw.phase_diagram(
        s,
        [0.0],
        [0.8 * HK],
        pulse=p,
        params={"pulse.rise": [0.0, 5e-11]},
        t_run=5e-10,
        n_samples=50,
        progress=False,
    )
    assert ds["pulse.rise"].values.tolist() == [0.0, 5e-11]
    mz = ds.m_t.sel(component="z").values[0, 0]  # (rise, start, time)
    t = ds.time.values
    on = (t > 8e-11) & (t <= 1e-10)
    assert np.all(np.abs(mz[:, :, on]) < 0.3)  # in the plane while the current is on
    # after the pulse (with no field) the in-plane state falls back to up or down
    assert np.all(np.abs(ds.m.sel(component="z").values) > 0.99)
    assert ds.attrs["pulse"].startswith("Trapezoid(")


def test_time_dependent_field_pulse():
    """A field pulse is the swept Zeeman term's func: zero field before t_on."""
    s = film(demag=False)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    ds = sw.phase_diagram(
        s,
        [0.5 * HK],
        [0.0],
        field_pulse=sw.Step(t_on=2e-10),
        field_dt=1e-12,
        **FAST,
    )
    mx = ds.m_t.sel(component="x").values[0, 0, 0]
    assert np.all(np.abs(ds.m_start.values[..., 0]) < 1e-6)  # relaxed without field
    t = ds.time.values
    assert np.all(np.abs(mx[t < 2e-10]) < 1e-6)
    assert mx[-1] > 0.3  # tilted by the field after t_on


def test_pumped_current_of_a_surface_term():
    surface = ud.theory.preset("Bi2Se3")
    term = ud.DiracSOT.from_surface(surface, E=1e4, thickness=1e-9, Ms=8e5)
    s = film(demag=False)
    s.dynamics -= s.dynamics.diracsot
    s.dynamics += term
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    ds = sw.phase_diagram(
        s,
        [0.2 * HK],
        [1.5 * HK],
        scale_fl=False,
        t_run=2e-10,
        n_samples=400,
        progress=False,
    )
    assert ds.j_pump_t.attrs["units"] == "A/m^2"
    jt = ds.j_pump_t.values[0, 0]  # (start, time, component)
    # uniform dot: the film average is the pumped current of <m> and d<m>/dt
    mt = ds.m_t.values[0, 0]
    t = ds.time.values
    dmdt = np.gradient(mt, t, axis=1)
    expected = surface.pumped_current(mt, dmdt, thickness=1e-9)
    k = slice(5, 200)
    scale = np.abs(expected[:, k]).max()
    assert scale > 0
    np.testing.assert_allclose(jt[:, k], expected[:, k], atol=0.05 * scale)
    mean = ds.j_pump_mean.values[0, 0]
    np.testing.assert_allclose(
        mean,
        np.trapezoid(np.concatenate([jt[:, :1], jt], 1), np.r_[0, t], axis=1) / t[-1],
    )


def test_mm_system_is_not_modified():
    s = film(demag=False)
    before = repr(s.energy), repr(s.dynamics), s.m.array.copy()
    sw.phase_diagram(s, [1e5], [1e5], params={"damping.alpha": [0.2]}, **FAST)
    assert (repr(s.energy), repr(s.dynamics)) == before[:2]
    np.testing.assert_array_equal(s.m.array, before[2])
    assert isinstance(s.energy, mm.Energy) and len(s.energy) == 2


def test_a_single_start_halves_the_work():
    s = film(torque="she", demag=False)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    both = sw.phase_diagram(s, [0.3 * HK], [0.2 * HK, 0.7 * HK], **FAST)
    down = sw.phase_diagram(
        s, [0.3 * HK], [0.2 * HK, 0.7 * HK], starts=["down"], **FAST
    )
    np.testing.assert_array_equal(down.mz_down.values, both.mz_down.values)
    assert np.isnan(down.mz_up.values).all()
    assert (down.steps.sel(start="up") == 0).all()
    np.testing.assert_array_equal(
        sw.switching_threshold(down).values, sw.switching_threshold(both).values
    )
    with pytest.raises(ValueError, match="starts must be"):
        sw.phase_diagram(s, [0.0], [0.0], starts=["sideways"])
