"""Fault injection into switching sweeps (slow suite; issue 15).

Processes killed while writing a chunk, truncated and corrupted chunks, an
overwrite against a running sweep in another process, identical sweeps racing
in two processes, a read-only completed folder and a full disk (a failing
writer): after each, the results folder holds only complete files, reading it
needs no write access, and rerunning the sweep returns exactly the results of
an undisturbed run.
"""

import json
import pathlib
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import xarray as xr

import ubermag_dirac as ud
from ubermag_dirac import switching as sw

from .conftest import film

pytestmark = pytest.mark.slow

TESTS = pathlib.Path(__file__).resolve().parents[1]
HX = [0.0, 1e5, 2e5]
HS = [0.0, 3e5, 6e5]
FAST = {"t_run": 3e-10, "n_samples": 15, "progress": False, "chunk_size": 1}

#: a child process: the sweep of `job(alpha)` into a folder, with optional faults
CHILD = textwrap.dedent(
    """
    import importlib.util, json, pathlib, pickle, sys, time
    args = json.loads(sys.argv[1])
    def load(name, path):
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    faults = load("faults", args["tests"] + "/conftest.py")
    films = load("films", args["tests"] + "/switching/conftest.py")
    import ubermag_dirac as ud
    from ubermag_dirac import switching as sw
    Engine = ud.engine.Engine
    minimise, calls = Engine.minimise, []
    def counting(self, *a, **k):
        calls.append(1)
        return minimise(self, *a, **k)
    counting.__wrapped__ = minimise
    Engine.minimise = counting
    if args.get("fail"):
        faults.install_failing_writes(**args["fail"])
    s = films.film(torque="she", demag=False, alpha=args["alpha"])
    ready = args.get("ready")
    if ready:  # wait for the signal to start together
        pathlib.Path(ready + f".{args['who']}").touch()
        while not pathlib.Path(ready).exists():
            time.sleep(0.01)
    ds = sw.phase_diagram(s, args["hx"], args["hs"], dirname=args["dirname"],
                          **args["kw"])
    pickle.dump({"ds": ds.to_dict(), "calls": len(calls)},
                open(args["out"], "wb"))
    """
)


def _child(tmp_path, who, dirname, alpha=0.3, fail=None, ready=None, **kw):
    out = tmp_path / f"{who}.pkl"
    args = {
        "tests": str(TESTS),
        "alpha": alpha,
        "hx": kw.pop("hx", HX),
        "hs": kw.pop("hs", HS),
        "dirname": str(dirname),
        "kw": {**FAST, **kw},
        "out": str(out),
        "fail": fail,
        "ready": ready,
        "who": who,
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return proc, out


def _result(proc, out, timeout=300):
    log = proc.communicate(timeout=timeout)[0].decode(errors="replace")
    assert proc.returncode == 0, log
    with open(out, "rb") as fh:
        res = pickle.load(fh)
    return xr.Dataset.from_dict(res["ds"]), res["calls"]


def _values(ds):
    return ds.drop_attrs().drop_vars(["steps", "t_stop"], errors="ignore")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The undisturbed sweep (alpha 0.3) and the other job (alpha 0.5)."""
    out = {}
    for alpha in (0.3, 0.5):
        s = film(torque="she", demag=False, alpha=alpha)
        out[alpha] = sw.phase_diagram(s, HX, HS, **FAST)
    return out


def _only_complete_files(d):
    """Every chunk under a final name reads; the manifest parses."""
    for f in d.glob("chunk-*.npz"):
        with np.load(f) as z:
            [z[k] for k in z.files]
    json.loads((d / "manifest.json").read_text())


def _hidden(d, prefix):
    return [f.name for f in d.iterdir() if f.name.startswith(prefix)]


# ----------------------------------------------------------- kill in a write
def test_kill_during_a_chunk_write(tmp_path, reference):
    d = tmp_path / "sweep"
    fail = {"match": "chunk-", "nth": 4, "after": 300, "action": "kill"}
    proc, _ = _child(tmp_path, "killed", d, fail=fail)
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert len(list(d.glob("chunk-*.npz"))) == 3  # complete chunks only
    _only_complete_files(d)
    assert _hidden(d, ".chunk-")  # the dead writer's temporary file ...
    assert _hidden(d, ".claim-") and _hidden(d, ".running-")  # ... and claims
    assert int(sw.load(d).computed.sum()) == 3
    # the resume recovers the dead process's claim and computes the rest
    ds = sw.phase_diagram(film(torque="she", demag=False), HX, HS, dirname=d, **FAST)
    xr.testing.assert_identical(_values(ds), _values(reference[0.3]))
    assert not _hidden(d, ".chunk-") and not _hidden(d, ".claim-")
    assert not _hidden(d, ".running-")


# ---------------------------------------------------- truncated and corrupted
@pytest.mark.parametrize("damage", ["empty", "10%", "50%", "99%", "flipped byte"])
def test_a_damaged_chunk_loses_only_its_points(tmp_path, reference, damage):
    d = tmp_path / "sweep"
    s = film(torque="she", demag=False)
    sw.phase_diagram(s, HX, HS, dirname=d, **FAST)
    victim = sorted(d.glob("chunk-*.npz"))[4]
    data = bytearray(victim.read_bytes())
    if damage == "flipped byte":
        data[len(data) // 2] ^= 0xFF
    else:
        data = data[
            : int(len(data) * {"empty": 0, "10%": 0.1, "50%": 0.5}.get(damage, 0.99))
        ]
    victim.write_bytes(bytes(data))
    with pytest.warns(ud.UbermagDiracWarning, match=victim.name):
        partial = sw.load(d)
    assert int(partial.computed.sum()) == 8
    with pytest.warns(ud.UbermagDiracWarning, match=victim.name):
        ds = sw.phase_diagram(s, HX, HS, dirname=d, **FAST)
    xr.testing.assert_identical(_values(ds), _values(reference[0.3]))


# ------------------------------------------------------ concurrent processes
def test_overwrite_against_a_sweep_running_in_another_process(tmp_path, reference):
    d = tmp_path / "sweep"
    proc, out = _child(tmp_path, "a", d, alpha=0.3)
    deadline = time.monotonic() + 120
    while not list(d.glob("chunk-*.npz")):  # A is running and has results
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    other = film(torque="she", demag=False, alpha=0.5)
    with pytest.raises(RuntimeError, match="running sweep"):
        sw.phase_diagram(other, HX, HS, dirname=d, overwrite=True, **FAST)
    ds, _ = _result(proc, out)
    xr.testing.assert_identical(_values(ds), _values(reference[0.3]))
    # when A has finished, B replaces the results
    dsb = sw.phase_diagram(other, HX, HS, dirname=d, overwrite=True, **FAST)
    xr.testing.assert_identical(_values(dsb), _values(reference[0.5]))
    assert sw.load(d).attrs["alpha"] == 0.5


def test_identical_sweeps_in_two_processes_share_the_work(tmp_path, reference):
    d = tmp_path / "sweep"
    go = tmp_path / "go"
    procs = [_child(tmp_path, who, d, ready=str(go)) for who in ("p", "q")]
    deadline = time.monotonic() + 120
    while not all(pathlib.Path(f"{go}.{w}").exists() for w in ("p", "q")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    go.touch()
    results = [_result(*p) for p in procs]
    assert sum(calls for _, calls in results) == 9
    assert all(calls > 0 for _, calls in results)
    for ds, _ in results:
        xr.testing.assert_identical(_values(ds), _values(reference[0.3]))


def test_the_fingerprint_is_the_same_in_every_process(tmp_path):
    code = textwrap.dedent(
        """
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("films", sys.argv[1])
        films = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(films)
        from ubermag_dirac.switching._describe import SweepSpec
        from ubermag_dirac import switching as sw
        s = films.film(demag=False)
        s.dynamics.diracsot.func = lambda t: 1.0 if t < 1e-10 else 0.5
        s.dynamics.diracsot.dt = 1e-12
        spec = SweepSpec.from_arguments(
            s, [0.0], [1.0], params={"damping.alpha": [0.1]}, term=None,
            pulse=None, pulse_dt=None, field_pulse=sw.Step(), field_dt=1e-12,
            t_run=1e-10, n_samples=5, relax="minimise", relax_kwargs=None,
            stopping_dm_dt=0.1, tol=1e-3, scale_fl=True, starts=("up", "down"),
            snapshots=0, engine_kwargs=None)
        print(spec.fingerprint())
        """
    )
    path = str(TESTS / "switching" / "conftest.py")
    prints = {
        subprocess.run(
            [sys.executable, "-c", code, path], capture_output=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(prints) == 1 and len(prints.pop()) == 16


# ------------------------------------------------------------ read-only folder
def test_a_read_only_completed_folder(tmp_path, reference, read_only):
    d = tmp_path / "sweep"
    s = film(torque="she", demag=False)
    sw.phase_diagram(s, HX, HS, dirname=d, **FAST)
    before = {f.name: f.stat().st_mtime_ns for f in d.iterdir()}
    with read_only(d):
        back = sw.load(d)
        again = sw.phase_diagram(s, HX, HS, dirname=d, **FAST)
    assert before == {f.name: f.stat().st_mtime_ns for f in d.iterdir()}
    for ds in (back, again):
        xr.testing.assert_identical(_values(ds), _values(reference[0.3]))


# ---------------------------------------------------------------- full disk
@pytest.mark.parametrize("where", ["chunk-", "manifest"])
def test_a_full_disk(tmp_path, reference, failing_writes, where):
    d = tmp_path / "sweep"
    s = film(torque="she", demag=False)
    disk = failing_writes(where, nth=1 if where == "manifest" else 3, after=500)
    with pytest.raises(OSError, match="No space left"):
        sw.phase_diagram(s, HX, HS, dirname=d, **FAST)
    assert disk.failures
    names = [f.name for f in d.iterdir()]
    assert not [n for n in names if ".tmp-" in n or n.startswith((".claim", ".run"))]
    if where == "chunk-":
        assert len(list(d.glob("chunk-*.npz"))) == 2
        _only_complete_files(d)
        assert int(sw.load(d).computed.sum()) == 2
    else:
        assert "manifest.json" not in names
    disk.uninstall()  # space again
    ds = sw.phase_diagram(s, HX, HS, dirname=d, **FAST)
    xr.testing.assert_identical(_values(ds), _values(reference[0.3]))
    _only_complete_files(d)
