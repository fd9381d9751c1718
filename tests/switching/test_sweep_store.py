"""Results that can be trusted: the sweep's job description and results folder.

Regression tests of issue 15, items 1-5 (each fails on the code before it):
nothing stale or foreign is returned from a results folder, concurrent sweeps
neither mix nor duplicate work, snapshots are real samples, one damaged file
loses only its own points, reading needs no write access, failed points keep
their message and are recomputed. The fault-injection tests (kills, full disk,
processes racing) are in ``test_faults.py`` (slow suite).
"""

import concurrent.futures
import dataclasses
import inspect
import math
import os
import stat
import threading

import numpy as np
import pytest
import xarray as xr

import ubermag_dirac as ud
from ubermag_dirac import switching as sw

from .conftest import film

FAST = {"t_run": 2e-10, "n_samples": 10, "progress": False}
HX = [0.0, 1e5]
HS = [0.0, 6e5]


def _values(ds):
    """The computed variables (no attributes, no bookkeeping)."""
    return ds.drop_attrs().drop_vars(["steps", "t_stop"], errors="ignore")


# ------------------------------------------------------------------ item 1
def test_a_changed_result_argument_is_never_served_from_the_folder(tmp_path):
    """engine_kwargs, pulse_dt and relax_kwargs are part of the folder's key."""
    s = film(torque="she", demag=False)
    d = tmp_path / "sweep"
    pulse = sw.Trapezoid(rise=5e-11)
    ref = sw.phase_diagram(s, HX, HS, pulse=pulse, dirname=d, **FAST)
    changes = [
        {"pulse_dt": 2e-11},
        {"engine_kwargs": {"tol": 1e-7}},
        {"engine_kwargs": {"h_max": 1e-13}},
        {"relax_kwargs": {"stopping_mxHxm": 50.0}},
    ]
    for change in changes:
        with pytest.raises(FileExistsError, match="different sweep"):
            sw.phase_diagram(s, HX, HS, pulse=pulse, dirname=d, **FAST, **change)
    # the thread count cannot change a result: the same folder serves it
    again = sw.phase_diagram(
        s, HX, HS, pulse=pulse, dirname=d, engine_kwargs={"threads": 2}, **FAST
    )
    xr.testing.assert_identical(_values(again), _values(ref))
    # and a changed sampling of the pulse is recorded in the attributes
    fresh = sw.phase_diagram(s, HX, HS, pulse=pulse, pulse_dt=2e-11, **FAST)
    assert fresh.attrs["pulse_dt"] == 2e-11 and ref.attrs["pulse_dt"] == "none"
    assert "tol" in fresh.attrs["engine_kwargs"] or fresh.attrs["engine_kwargs"]


def _two_torque_film():
    s = film(demag=False, H_DL=1e3, H_FL=500.0)
    s.dynamics += ud.DiracSOT(H_DL=0.0, name="second")
    return s


BASE = {
    "params": {"damping.alpha": [0.1, 0.2]},
    "term": "diracsot",
    "pulse": sw.Trapezoid(rise=1e-11),
    "pulse_dt": 1e-12,
    "field_pulse": sw.Step(),
    "field_dt": 1e-12,
    "t_run": 2e-10,
    "n_samples": 10,
    "relax": "minimise",
    "relax_kwargs": {"stopping_mxHxm": 0.1},
    "stopping_dm_dt": 0.1,
    "tol": 1e-3,
    "scale_fl": True,
    "starts": ("up", "down"),
    "snapshots": 1,
    "engine_kwargs": {"tol": 1e-5},
}


def _spec(system=None, **changes):
    from ubermag_dirac.switching._describe import SweepSpec

    system = system if system is not None else _two_torque_film()
    return SweepSpec.from_arguments(system, [0.0, 1.0], [0.0], **{**BASE, **changes})


def _meta_without_fingerprint(spec):
    meta = spec.meta()
    meta["attrs"].pop("fingerprint")
    return meta


def test_every_field_of_the_job_changes_fingerprint_and_attributes():
    """Iterates over the fields of the job description: a new field that is
    not in this table fails here, and none can be left out of the folder's key
    or of the Dataset's attributes (coordinates for the grids)."""
    from ubermag_dirac.switching._describe import SweepSpec

    other_system = _two_torque_film()
    other_system.dynamics.damping.alpha = 0.31
    changed = {
        "system": other_system,
        "term": "second",
        "hx": np.array([0.0, 2.0]),
        "hsot": np.array([1.0]),
        "params": (("damping.alpha", (0.1, 0.3)),),
        "pulse": sw.Trapezoid(rise=2e-11),
        "pulse_dt": 2e-12,
        "field_pulse": sw.Step(t_on=1e-12),
        "field_dt": 2e-12,
        "t_run": 3e-10,
        "n_samples": 11,
        "relax": "relax",
        "relax_kwargs": {"stopping_mxHxm": 0.5},
        "stopping_dm_dt": 0.2,
        "tol": 2e-3,
        "scale_fl": False,
        "starts": ("down",),
        "snapshots": 2,
        "engine_kwargs": {"threads": 1, "tol": 1e-6},
        "grid_units": (("grid_units", "H_K"),),
        "code": "ubermag-dirac 0.0.0, sweep protocol 0",
    }
    assert set(changed) == {f.name for f in dataclasses.fields(SweepSpec)}
    base = _spec()
    for name, value in changed.items():
        other = dataclasses.replace(base, **{name: value})
        assert other.fingerprint() != base.fingerprint(), name
        assert _meta_without_fingerprint(other) != _meta_without_fingerprint(base), name
    # equal jobs built from fresh objects have equal fingerprints ...
    assert _spec().fingerprint() == base.fingerprint()
    # ... and the thread count is not part of it
    threads = _spec(engine_kwargs={"tol": 1e-5, "threads": 2})
    assert threads.fingerprint() == base.fingerprint()


def test_phase_diagram_arguments_are_job_fields_or_declared_run_options():
    """A new argument must be classified: result-relevant (a field of the job
    description) or not (RUN_OPTIONS, with the reason)."""
    from ubermag_dirac.switching._describe import (
        DERIVED_FIELDS,
        GRID_ARGUMENTS,
        RUN_OPTIONS,
        SweepSpec,
    )

    arguments = set(inspect.signature(sw.phase_diagram).parameters)
    fields = {f.name for f in dataclasses.fields(SweepSpec)} - set(DERIVED_FIELDS)
    assert arguments == fields | set(RUN_OPTIONS) | set(GRID_ARGUMENTS)
    assert not fields & set(RUN_OPTIONS)
    assert not fields & set(GRID_ARGUMENTS)


# ------------------------------------------------------------------ item 2
class _Interleaving(concurrent.futures.Executor):
    """Runs each chunk at once in this process; ``hook()`` before the second."""

    _max_workers = 1

    def __init__(self, hook):
        self.hook = hook
        self.calls = 0

    def submit(self, fn, *args, **kwargs):
        self.calls += 1
        if self.calls == 2:
            self.hook()
        fut = concurrent.futures.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            fut.set_exception(exc)
        return fut


def test_overwrite_is_refused_while_another_job_runs_in_the_folder(tmp_path):
    d = tmp_path / "sweep"
    a = film(torque="she", demag=False, alpha=0.3)
    b = film(torque="she", demag=False, alpha=0.5)
    refused = []

    def sweep_b():
        try:
            sw.phase_diagram(b, HX, HS, dirname=d, overwrite=True, **FAST)
        except Exception as exc:
            refused.append(exc)

    ds = sw.phase_diagram(
        a, HX, HS, dirname=d, chunk_size=1, executor=_Interleaving(sweep_b), **FAST
    )
    assert len(refused) == 1, "the overwrite of a running sweep's folder went ahead"
    assert "running sweep" in str(refused[0])
    alone = sw.phase_diagram(a, HX, HS, chunk_size=1, **FAST)
    xr.testing.assert_identical(_values(ds), _values(alone))
    # once A has finished, B may replace the results
    dsb = sw.phase_diagram(b, HX, HS, dirname=d, overwrite=True, **FAST)
    assert dsb.attrs["alpha"] == 0.5
    assert sw.load(d).attrs["fingerprint"] == dsb.attrs["fingerprint"]


def test_chunks_of_another_job_are_never_read(tmp_path):
    d, other = tmp_path / "a", tmp_path / "b"
    a = film(torque="she", demag=False, alpha=0.3)
    ref = sw.phase_diagram(a, HX, HS, dirname=d, chunk_size=4, **FAST)
    sw.phase_diagram(
        film(torque="she", demag=False, alpha=0.5),
        HX,
        HS,
        dirname=other,
        chunk_size=2,
        **FAST,
    )
    foreign = sorted(other.glob("chunk-*.npz"))[0]
    os.replace(foreign, d / foreign.name)  # a stray chunk (points 0 and 1)
    with pytest.warns(ud.UbermagDiracWarning, match=foreign.name):
        back = sw.load(d)
    xr.testing.assert_identical(_values(back), _values(ref))


def test_identical_concurrent_sweeps_share_the_work(tmp_path, monkeypatch):
    """Two sweeps of the same job started together compute every point once."""
    Engine = ud.engine.Engine
    minimise = Engine.minimise
    calls = []

    def counting(self, *args, **kwargs):
        calls.append(threading.get_ident())
        return minimise(self, *args, **kwargs)

    counting.__wrapped__ = minimise
    monkeypatch.setattr(Engine, "minimise", counting)
    s = film(torque="she", demag=False)
    hx, hs = [0.0, 1e5, 2e5], [0.0, 3e5, 6e5]
    d = tmp_path / "sweep"
    barrier = threading.Barrier(2)
    out = {}

    def run(k):
        barrier.wait()
        out[k] = sw.phase_diagram(s, hx, hs, dirname=d, chunk_size=1, **FAST)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 9, f"{len(calls)} point computations for 9 points"
    assert len(set(calls)) == 2  # both took part
    ref = sw.phase_diagram(s, hx, hs, chunk_size=1, **FAST)
    for k in range(2):
        xr.testing.assert_identical(_values(out[k]), _values(ref))


# ------------------------------------------------------------------ item 3
def test_snapshots_are_sample_states_and_never_more_than_the_samples():
    s = film(demag=False)
    with pytest.raises(ValueError, match=r"snapshots = 21 .* n_samples = 10"):
        sw.phase_diagram(s, [0.0], [5e5], snapshots=21, **FAST)
    with pytest.raises(ValueError, match=r"snapshots = 11"):
        sw.phase_diagram(s, [0.0], [5e5], snapshots=11, **FAST)
    ds = sw.phase_diagram(s, [0.0], [5e5], snapshots=10, **FAST)
    np.testing.assert_allclose(ds.snapshot_time.values, ds.time.values)
    norm = np.linalg.norm(ds.snapshots.values, axis=-4)
    np.testing.assert_allclose(norm, 1.0, atol=1e-6)
    # the film average of each snapshot is the sampled <m>
    avg = ds.snapshots.mean(dim=("cx", "cy", "cz")).transpose(..., "component")
    np.testing.assert_allclose(avg.values, ds.m_t.values, atol=1e-6)


# ------------------------------------------------------------------ item 4
def _complete(d, **kw):
    s = film(torque="she", demag=False)
    return s, sw.phase_diagram(s, HX, HS, dirname=d, chunk_size=1, **FAST, **kw)


def test_a_damaged_chunk_is_named_and_recomputed(tmp_path):
    d = tmp_path / "sweep"
    s, ref = _complete(d)
    victim = sorted(d.glob("chunk-*.npz"))[1]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])  # truncated
    with pytest.warns(ud.UbermagDiracWarning, match=victim.name):
        partial = sw.load(d)
    assert int(partial.computed.sum()) == 3
    with pytest.warns(ud.UbermagDiracWarning, match=f"{victim.name}.*recomputed"):
        again = sw.phase_diagram(s, HX, HS, dirname=d, chunk_size=1, **FAST)
    xr.testing.assert_identical(_values(again), _values(ref))
    assert (d / f"{victim.name}.damaged").exists()
    assert bool(sw.load(d).computed.all())


def test_an_empty_manifest_is_named_and_rebuilt(tmp_path):
    d = tmp_path / "sweep"
    s, ref = _complete(d)
    (d / "manifest.json").write_text("")
    with pytest.raises(ValueError, match=r"manifest\.json.*damaged"):
        sw.load(d)
    stamps = {f.name: f.stat().st_mtime_ns for f in d.glob("chunk-*.npz")}
    with pytest.warns(ud.UbermagDiracWarning, match=r"manifest\.json.*Rebuilding"):
        again = sw.phase_diagram(s, HX, HS, dirname=d, chunk_size=1, **FAST)
    assert stamps == {f.name: f.stat().st_mtime_ns for f in d.glob("chunk-*.npz")}
    xr.testing.assert_identical(_values(again), _values(ref))
    xr.testing.assert_identical(_values(sw.load(d)), _values(ref))
    # a damaged manifest does not stop overwrite=True either
    (d / "manifest.json").write_text("{")
    other = film(torque="she", demag=False, alpha=0.5)
    with pytest.warns(ud.UbermagDiracWarning, match="manifest"):
        sw.phase_diagram(other, HX, HS, dirname=d, overwrite=True, **FAST)


def test_result_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        d = tmp_path / "sweep"
        _complete(d)
    finally:
        os.umask(old)
    for f in [d / "manifest.json", *d.glob("chunk-*.npz")]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o640, f.name
    assert not [
        f.name for f in d.iterdir() if f.name.startswith(".") and "tmp" in f.name
    ]


def test_a_complete_folder_is_read_without_writing(tmp_path, read_only):
    d = tmp_path / "sweep"
    s, ref = _complete(d)
    with read_only(d):
        back = sw.load(d)
        again = sw.phase_diagram(s, HX, HS, dirname=d, chunk_size=1, **FAST)
        # an incomplete job needs to write, and says where
        with pytest.raises(PermissionError, match="sweep"):
            sw.phase_diagram(s, HX, [0.0, 6e5, 7e5], dirname=d, overwrite=True, **FAST)
    xr.testing.assert_identical(_values(back), _values(ref))
    xr.testing.assert_identical(_values(again), _values(ref))


# ------------------------------------------------------------------ item 5
class NaNAfter(sw.Trapezoid):
    """Test double: a pulse that turns NaN (an integration failure) for t_on < 0."""

    def __call__(self, t):
        return math.nan if self.t_on < 0 and t > 1e-11 else super().__call__(t)


def test_a_failed_point_alone_in_its_chunk_keeps_its_message():
    s = film(demag=False)
    kw = {"pulse": NaNAfter(), "params": {"pulse.t_on": [-1e-12, 0.0]}}
    with pytest.warns(ud.UbermagDiracWarning, match="see ds.error"):
        ds = sw.phase_diagram(s, [0.0], [1e5], chunk_size=1, **kw, **FAST)
    assert "non-finite" in str(ds.error.values[0, 0, 0])
    assert str(ds.error.values[0, 0, 1]) == ""


_BROKEN = [True]


class Flaky(sw.Trapezoid):
    """Test double: fails while the module flag ``_BROKEN`` is set, which the
    job description cannot see (as a fixed bug or a transient fault)."""

    def __call__(self, t):
        return math.nan if _BROKEN[0] and self.t_on < 0 and t > 1e-11 else 1.0


def test_failed_points_are_recomputed_on_resume_unless_asked_not_to(tmp_path):
    s = film(demag=False)
    kw = {"pulse": Flaky(), "params": {"pulse.t_on": [-1e-12, 0.0]}, **FAST}
    d, kept = tmp_path / "sweep", tmp_path / "kept"
    _BROKEN[0] = True
    try:
        with pytest.warns(ud.UbermagDiracWarning, match="1 grid point"):
            first = sw.phase_diagram(s, [0.0], [1e5], dirname=d, **kw)
            sw.phase_diagram(s, [0.0], [1e5], dirname=kept, **kw)
        assert first.failed.values.tolist() == [[[True, False]]]
        _BROKEN[0] = False  # the cause is gone: a rerun recomputes the failure
        fixed = sw.phase_diagram(s, [0.0], [1e5], dirname=d, **kw)
        with pytest.warns(ud.UbermagDiracWarning, match="1 grid point"):
            old = sw.phase_diagram(
                s, [0.0], [1e5], dirname=kept, recompute_failed=False, **kw
            )
    finally:
        _BROKEN[0] = True
    assert not fixed.failed.any() and fixed.computed.all()
    assert np.isfinite(fixed.m.values).all()
    np.testing.assert_array_equal(fixed.m.values[0, 0, 1], first.m.values[0, 0, 1])
    assert not sw.load(d).failed.any()
    assert old.failed.values.tolist() == [[[True, False]]]
