"""ud.switching.switching_probability: validation, fingerprint, seed determinism
(independent of chunking and executor), results folder, Dataset layout.

Physics runs (P_sw against J, film against an independent macrospin run) are
in test_probability_physics.py (slow)."""

import concurrent.futures

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest
import xarray as xr

import ubermag_dirac as ud
from ubermag_dirac import switching as sw
from ubermag_dirac.statistics import wilson_interval
from ubermag_dirac.switching.probability import probability_spec


def bit(T=300.0, K=1.5e6, name="bit"):
    """One 4 x 4 x 2 nm^3 cell: barrier K V / (k_B T) = 11.6 at 300 K."""
    mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 2e-9), n=(1, 1, 1))
    s = mm.System(name=name)
    s.energy = mm.UniaxialAnisotropy(K=K, u=(0, 0, 1))
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.5)
    s.dynamics += ud.SpinHallSOT(H_SH=0.0)
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    s.T = T
    return s


HX = [3e5]
HS = [0.0, 1.5e6, 3e6]  # down start, hx > 0: positive torques switch
FAST = {
    "pulse_width": [4e-11, 8e-11],
    "n_trials": 3,
    "seed": 11,
    "t_relax": 4e-11,
    "thermal_dt": 2e-13,  # coarse (0.13 rad per step at H_K): plumbing, not physics
    "progress": False,
}


def _values(ds):
    return ds.drop_attrs().drop_vars(["steps", "t_stop"], errors="ignore")


# ------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"pulse_width": [0.0]}, ValueError, "pulse_width must be > 0"),
        ({"pulse_width": []}, ValueError, "pulse_width must be a non-empty"),
        ({"n_trials": 0}, ValueError, "n_trials must be >= 1"),
        ({"n_trials": 2.5}, TypeError, "n_trials must be an integer"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"t_relax": 0.0}, ValueError, "t_relax must be a positive"),
        ({"settle": 1.5}, ValueError, r"settle must be in \(0, 1\]"),
        ({"thermal_dt": -1e-14}, ValueError, "thermal_dt must be a positive"),
        ({"check_interval": 0}, ValueError, "check_interval must be a positive"),
        ({"params": {"pulse.duration": [1e-10]}}, ValueError, "pulse_width"),
        ({"pulse": sw.Sine(f=1e9)}, TypeError, "pulse must be a .*Trapezoid"),
        ({"starts": "sideways"}, ValueError, "starts must be"),
    ],
)
def test_bad_arguments_are_refused_naming_them(change, error, match):
    with pytest.raises(error, match=match):
        sw.switching_probability(bit(), HX, HS, **{**FAST, **change})


@pytest.mark.parametrize("T", [0, 0.0])
def test_zero_temperature_is_refused_with_the_way_out(T):
    s = bit(T=T)
    with pytest.raises(ValueError, match=r"needs a temperature > 0.*phase_diagram"):
        sw.switching_probability(s, HX, HS, **FAST)


def test_a_folder_without_seed_is_refused(tmp_path):
    with pytest.raises(ValueError, match="needs an integer seed"):
        sw.switching_probability(
            bit(), HX, HS, **{**FAST, "seed": None}, dirname=tmp_path / "x"
        )


# ------------------------------------------------------------ fingerprint
def _spec(system=None, **change):
    kw = {
        "J": None,
        "units": "A/m",
        "pulse_width": [1e-10],
        "n_trials": 10,
        "seed": 1,
        "t_relax": 1e-10,
        "params": None,
        "term": None,
        "pulse": None,
        "relax": "minimise",
        "relax_kwargs": None,
        "scale_fl": True,
        "starts": "down",
        "thermal_dt": None,
        "step_fraction": 0.1,
        "settle": 0.9,
        "check_interval": None,
        "engine_kwargs": None,
        "resumable": True,
    }
    kw.update(change)
    return probability_spec(system or bit(), HX, HS, **kw)


def test_fingerprint_covers_temperature_seed_trials_and_thermal_step():
    ref = _spec().fingerprint()
    hotter = bit(T=350.0)
    changes = [
        {"system": hotter},
        {"seed": 2},
        {"n_trials": 11},
        {"thermal_dt": 1e-14},
        {"step_fraction": 0.05},
        {"t_relax": 2e-10},
        {"settle": None},
        {"check_interval": 1e-11},
        {"pulse_width": [2e-10]},
        {"starts": ("up", "down")},
        {"relax": None},
        {"engine_kwargs": {"tol": 1e-7}},
        {"pulse": sw.Trapezoid(rise=1e-11)},
    ]
    seen = {ref}
    for change in changes:
        fp = _spec(**change).fingerprint()
        assert fp not in seen, change
        seen.add(fp)
    # what cannot change a result is not in it
    assert _spec(engine_kwargs={"threads": 2}).fingerprint() == ref
    assert _spec(resumable=False).fingerprint() == ref
    attrs = _spec().attributes()
    assert attrs["T"] == 300.0 and attrs["seed"] == 1 and attrs["n_trials"] == 10
    assert "n_samples" not in attrs and "stopping_dm_dt" not in attrs


def test_a_different_job_is_never_served_from_the_folder(tmp_path):
    d = tmp_path / "p"
    kw = {**FAST, "pulse_width": [5e-11], "n_trials": 2}
    sw.switching_probability(bit(), HX, HS[:2], dirname=d, **kw)
    with pytest.raises(FileExistsError, match="different sweep"):
        sw.switching_probability(bit(T=350.0), HX, HS[:2], dirname=d, **kw)
    with pytest.raises(FileExistsError, match="different sweep"):
        sw.switching_probability(bit(), HX, HS[:2], dirname=d, **{**kw, "seed": 12})


# ------------------------------------------------------------ determinism
@pytest.fixture(scope="module")
def reference():
    return sw.switching_probability(bit(), HX, HS, **FAST)


def test_result_does_not_depend_on_chunking_or_executor(reference):
    ds = reference
    assert ds.attrs["chunk_size"] == 18  # all trials in one batch
    one = sw.switching_probability(bit(), HX, HS, chunk_size=1, **FAST)
    with concurrent.futures.ProcessPoolExecutor(2) as ex:  # the job is pickled
        pooled = sw.switching_probability(
            bit(), HX, HS, chunk_size=4, executor=ex, **FAST
        )
    for other in (one, pooled):
        np.testing.assert_array_equal(other.mz_final.values, ds.mz_final.values)
        np.testing.assert_array_equal(other.t_stop.values, ds.t_stop.values)
        np.testing.assert_array_equal(other.steps.values, ds.steps.values)
    # another seed: other trajectories
    other = sw.switching_probability(bit(), HX, HS, **{**FAST, "seed": 12})
    assert not np.array_equal(other.mz_final.values, ds.mz_final.values)


def test_more_trials_keep_the_first_ones(reference):
    """The stream of a trial is determined by (seed, point, trial): asking for
    more trials adds trials and leaves the first ones as they were."""
    more = sw.switching_probability(bit(), HX, HS, **{**FAST, "n_trials": 5})
    np.testing.assert_array_equal(
        more.mz_final.isel(trial=slice(0, 3)).values, reference.mz_final.values
    )


# ------------------------------------------------------------ Dataset
def test_dataset_counts_and_wilson_interval(reference):
    ds = reference
    assert ds.P_sw.dims == ("hx", "hsot", "pulse_width")
    assert ds.pulse_width.attrs["units"] == "s"
    np.testing.assert_array_equal(ds.pulse_width.values, FAST["pulse_width"])
    k = ds.switched.sum("trial")
    np.testing.assert_array_equal(ds.n_switched.values, k.values)
    np.testing.assert_array_equal(ds.n_trials.values, 3)
    np.testing.assert_array_equal(ds.P_sw.values, k.values / 3)
    low, high = wilson_interval(ds.n_switched.values, ds.n_trials.values)
    np.testing.assert_array_equal(ds.ci_low.values, low)
    np.testing.assert_array_equal(ds.ci_high.values, high)
    # the classification: sign of <m_z> at the end against the relaxed start
    sign = np.sign(ds.mz_final) != np.sign(ds.mz_start)
    np.testing.assert_array_equal(ds.switched.values, sign.values)
    # physics at a glance: no torque, no switching; a torque of H_K does
    np.testing.assert_array_equal(ds.P_sw.sel(hsot=0.0).values, 0.0)
    assert ds.P_sw.sel(hsot=3e6).values.min() > 0
    # settled trials stopped early, after their pulse
    assert np.all(ds.t_stop.values >= ds.pulse_width.values[:, None] - 1e-18)
    assert np.any(ds.t_stop.values < ds.pulse_width.values[:, None] + 4e-11)
    assert ds.attrs["T"] == 300.0 and ds.attrs["seed"] == 11
    assert ds.attrs["start"] == "down" and ds.hsot_reduced.attrs["units"] == "H_K_eff"


def test_both_starts_give_a_start_dimension():
    ds = sw.switching_probability(
        bit(), HX, HS[::2], **{**FAST, "pulse_width": [4e-11]}, starts=("up", "down")
    )
    assert ds.P_sw.dims == ("hx", "hsot", "pulse_width", "start")
    # the field and torque that reverse the down start mostly hold the up start
    up, down = ds.P_sw.sel(hsot=3e6).values.ravel()
    assert down > up


def test_results_folder_resumes_the_missing_trials(tmp_path, reference):
    d = tmp_path / "trials"
    first = sw.switching_probability(bit(), HX, HS, dirname=d, chunk_size=4, **FAST)
    xr.testing.assert_identical(_values(first), _values(reference))
    chunks = sorted(d.glob("chunk-*.npz"))
    assert len(chunks) == 5  # 18 trials in chunks of 4
    chunks[1].unlink()  # an interrupted job
    partial = sw.load(d)
    assert int(partial.n_trials.sum()) == 14
    assert not partial.computed.values.all()
    again = sw.switching_probability(bit(), HX, HS, dirname=d, **FAST)
    xr.testing.assert_identical(_values(again), _values(reference))
    assert (d / chunks[1].name).exists() or len(list(d.glob("chunk-*.npz"))) == 5


def test_compare_probability_side_by_side(reference):
    c = sw.compare_probability(reference, reference, labels=("dirac", "she"))
    assert c.attrs["agreement"] == 1.0
    assert set(c.data_vars) >= {"P_sw_dirac", "P_sw_she", "ci_low_she", "z", "agree"}
    np.testing.assert_array_equal(c.difference.values, 0.0)


def test_macrospin_equivalent_of_a_single_cell(reference):
    """One cell with uniaxial anisotropy only: H_K,eff = 2K/(mu0 Ms) and the
    barrier mu0 Ms H_K V/(2 k_B T) = K V/(k_B T) (11.6 at 300 K)."""
    eq = sw.macrospin_equivalent(reference)
    K, V, kT = 1.5e6, 4e-9 * 4e-9 * 2e-9, 1.380649e-23 * 300.0
    assert eq["delta"] == pytest.approx(K * V / kT, rel=1e-12)
    H_K = 2 * K / (4e-7 * np.pi * 8e5)
    assert eq["H_K"] == pytest.approx(H_K, rel=1e-12)
    np.testing.assert_allclose(eq["hsot"], np.array(HS) / H_K, rtol=1e-12)
    t_u = 1 / (2.211e5 * H_K)
    np.testing.assert_allclose(eq["pulse_width"], np.array([4e-11, 8e-11]) / t_u)
    assert eq["t_relax"] == pytest.approx(4e-11 / t_u)
    assert eq["torque"] == "she" and eq["alpha"] == 0.5 and eq["start"] == "down"
    both = sw.switching_probability(
        bit(), HX, HS[:1], **{**FAST, "pulse_width": [4e-11]}, starts=("up", "down")
    )
    with pytest.raises(ValueError, match="Select single values of \\['start'\\]"):
        sw.macrospin_equivalent(both)
