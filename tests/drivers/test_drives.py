"""End-to-end drives with the engine: files, readers, numbering, failures, output.

Small meshes (4 x 4 x 1 cells) with a Zeeman field and damping keep every drive
well below a second.
"""

import json
import os
import pathlib
import re
import shutil

import discretisedfield as df
import micromagneticdata as md
import micromagneticmodel as mm
import numpy as np
import pytest
import ubermagtable as ut

import ubermag_dirac as ud
from ubermag_dirac.engine import Engine, IntegrationError, UnsupportedTermError

MS = 8e5
GAMMA0 = 2.211e5
H = 1e6  # A/m along z


def make_system(name="film", alpha=0.5, m=(1, 0, 1), subregions=None):
    mesh = df.Mesh(
        p1=(0, 0, 0), p2=(4e-9, 4e-9, 1e-9), n=(4, 4, 1), subregions=subregions or {}
    )
    system = mm.System(name=name)
    system.energy = mm.Exchange(A=1e-11) + mm.Zeeman(H=(0, 0, H))
    system.dynamics = mm.Precession(gamma0=GAMMA0) + mm.Damping(alpha=alpha)
    system.m = df.Field(mesh, nvdim=3, value=m, norm=MS)
    return system


def read_info(path):
    return json.loads((pathlib.Path(path) / "info.json").read_text())


# ------------------------------------------------------------------ file layout
def test_timedriver_layout_and_readers(tmp_path):
    system = make_system()
    ud.TimeDriver().drive(system, t=40e-12, n=8, dirname=tmp_path, verbose=0)
    drive_dir = tmp_path / "film" / "drive-0"
    files = sorted(p.name for p in drive_dir.iterdir())
    snapshots = [f for f in files if f.startswith("film-My_TimeDriver-Magnetization-")]
    assert len(snapshots) == 8
    assert {"info.json", "m0.omf", "film.odt", "film.input.json"} <= set(files)
    assert [re.search(r"-(\d\d)-\d{7}\.omf$", s).group(1) for s in snapshots] == [
        f"{k:02d}" for k in range(8)
    ]

    info = read_info(drive_dir)
    assert info["drive_number"] == 0
    assert info["adapter"] == "ubermag_dirac"
    assert info["driver"] == "TimeDriver"
    assert info["t"] == 40e-12 and info["n"] == 8
    assert info["success"] is True
    for key in ("date", "time", "start_time", "end_time", "elapsed_time"):
        assert key in info
    assert re.fullmatch(r"\d{2}:\d{2}:\d{2}", info["elapsed_time"])

    # the system is updated: new m (same mesh and Ms), table, drive number
    assert system.drive_number == 1
    assert system.table.x == "t"
    np.testing.assert_allclose(system.m.norm.array, MS)
    assert system.m.mesh == df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 1e-9), n=(4, 4, 1))
    data = system.table.data
    for col in ["E", "E_calc_count", "max_dm/dt", "max_mxHxm", "E_exchange"]:
        assert col in data.columns
    for col in ["E_zeeman", "iteration", "stage_iteration", "stage", "t"]:
        assert col in data.columns
    np.testing.assert_allclose(data["t"], np.arange(1, 9) * 5e-12, rtol=1e-12)
    assert data["stage"].tolist() == list(range(8))
    assert (np.diff(data["iteration"]) > 0).all()
    np.testing.assert_allclose(
        data["stage_iteration"].sum(), data["iteration"].iloc[-1]
    )
    # table averages and the final snapshot agree with system.m
    np.testing.assert_allclose(
        data[["mx", "my", "mz"]].iloc[-1], system.m.orientation.mean(), atol=1e-12
    )
    # energies: total is the sum of the terms; Zeeman energy is -mu0 Ms <m>.H V
    np.testing.assert_allclose(data["E"], data["E_exchange"] + data["E_zeeman"])
    volume = 16e-27
    np.testing.assert_allclose(
        data["E_zeeman"], -mm.consts.mu0 * MS * H * volume * data["mz"], rtol=1e-10
    )
    # max dm/dt (deg/ns) and max torque (A/m) of the final state
    engine = Engine(system)
    deg_per_ns = np.pi / 180 * 1e9
    assert data["max_dm/dt"].iloc[-1] == pytest.approx(
        engine.max_dmdt()[0] / deg_per_ns, rel=1e-12
    )
    assert data["max_mxHxm"].iloc[-1] == pytest.approx(engine.max_mxHxm()[0])
    # damped precession towards +z
    assert data["mz"].is_monotonic_increasing
    assert data["mz"].iloc[-1] > 0.99

    # micromagneticdata reads the drive like an OOMMF drive
    drive = md.Data("film", dirname=tmp_path)[0]
    assert type(drive).__name__ == "OOMMFDrive"
    assert drive.x == "t" and drive.n == 8
    assert drive.table.data.columns.tolist() == data.columns.tolist()
    assert drive.table.units["max_dm/dt"] == "deg/ns"
    np.testing.assert_allclose(drive.m0.array, make_system().m.array)
    np.testing.assert_allclose(drive[-1].array, system.m.array)
    np.testing.assert_allclose(
        drive[3].orientation.mean(), data.iloc[3][["mx", "my", "mz"]]
    )
    # ubermagtable reads the .odt directly
    table = ut.Table.fromfile(str(drive_dir / "film.odt"), x="t")
    assert table.data.shape == (8, len(data.columns))
    record = json.loads((drive_dir / "film.input.json").read_text())
    assert [t["name"] for t in record["system"]["dynamics"]] == [
        "precession",
        "damping",
    ]
    assert record["driver"]["class"] == "TimeDriver"
    assert record["driver"]["effective_settings"]["tol"] == 1e-6


def test_numbering_append_and_all_drivers(tmp_path):
    system = make_system(m=(0, 1, 0.1))
    ud.MinDriver().drive(system, dirname=tmp_path, verbose=0)
    ud.TimeDriver().drive(system, t=10e-12, n=2, dirname=tmp_path, verbose=0)
    ud.RelaxDriver().drive(system, dirname=tmp_path, verbose=0)
    ud.HysteresisDriver().drive(
        system, Hmin=(0, 0, -1e5), Hmax=(0, 0, 1e5), n=3, dirname=tmp_path, verbose=0
    )
    assert system.drive_number == 4
    # a new system object with the same name continues the numbering
    again = make_system()
    ud.MinDriver().drive(again, dirname=tmp_path, verbose=0)
    assert again.drive_number == 5
    assert (tmp_path / "film" / "drive-4").is_dir()

    data = md.Data("film", dirname=tmp_path)
    assert data.n == 5
    info = data.info
    assert info["drive_number"].tolist() == [0, 1, 2, 3, 4]
    assert info["driver"].tolist() == [
        "MinDriver",
        "TimeDriver",
        "MinDriver",  # RelaxDriver, see its docstring
        "HysteresisDriver",
        "MinDriver",
    ]
    assert info["ubermag_dirac_driver"].tolist()[2] == "RelaxDriver"
    assert [d.x for d in data] == [
        "iteration",
        "t",
        "iteration",
        "B_hysteresis",
        "iteration",
    ]
    assert [d.n for d in data] == [1, 2, 1, 5, 1]
    assert [len(d.table.data) for d in data] == [1, 2, 1, 5, 1]

    with pytest.raises(FileExistsError):
        ud.TimeDriver().drive(system, t=1e-12, n=1, dirname=tmp_path, append=False)
    assert system.drive_number == 4
    assert data.n == 5


def test_legacy_oommfc_flags_accepted_and_recorded(tmp_path):
    """micromagnetictests passes oommfc's old save/overwrite flags (ignored)."""
    system = make_system()
    ud.TimeDriver().drive(
        system, t=2e-12, n=2, dirname=tmp_path, verbose=0, save=True, overwrite=True
    )
    info = read_info(tmp_path / "film" / "drive-0")
    assert info["save"] is True and info["overwrite"] is True
    td = ud.TimeDriver()
    td.drive(system, t=2e-12, n=2, dirname=tmp_path, verbose=0, n_threads=2)
    assert system.drive_number == 2


def test_mindriver_output_step_and_relax(tmp_path):
    system = make_system(m=(0, 1, 0))
    ud.MinDriver().drive(system, dirname=tmp_path, verbose=0, output_step=True)
    assert len(system.table.data) > 1
    assert system.table.data["iteration"].iloc[0] == 0
    assert system.table.data["iteration"].is_monotonic_increasing
    assert md.Data("film", dirname=tmp_path)[0].n == len(system.table.data)
    np.testing.assert_allclose(system.m.orientation.mean(), (0, 0, 1), atol=1e-6)

    relaxed = make_system(name="relaxed", m=(0, 1, 0.2))
    ud.RelaxDriver(stopping_mxHxm=None).drive(relaxed, dirname=tmp_path, verbose=0)
    assert len(relaxed.table.data) == 1
    gamma = GAMMA0 * 0.5 / (1 + 0.5**2)  # relax dm/dt = gamma alpha/(1+a^2) |mxHxm|
    max_dmdt = gamma * relaxed.table.data["max_mxHxm"].iloc[-1] * 180 / np.pi * 1e-9
    assert max_dmdt < 0.01 * 1.0001
    assert relaxed.m.orientation.mean()[2] > 0.9999
    assert relaxed.table.data["max_mxHxm"].iloc[-1] > 1e-3  # not refined

    # default: damped dynamics to 0.01 deg/ns, then refined to 1e-3 A/m
    tight = make_system(name="tight", m=(0, 1, 0.01))
    ud.RelaxDriver().drive(tight, dirname=tmp_path, verbose=0, output_step=True)
    data = tight.table.data
    assert len(data) >= 3 and data["iteration"].is_monotonic_increasing
    assert data["iteration"].iloc[0] == 0
    assert data["max_mxHxm"].iloc[-1] < 1e-3
    theta_max = 1e-3 / H  # |m x H x m| = H theta (exchange: uniform state)
    np.testing.assert_allclose(tight.m.orientation.mean(), (0, 0, 1), atol=theta_max)


@pytest.mark.parametrize(
    "kwargs, rows",
    [
        ({"Hmin": (0, 0, -1e6), "Hmax": (0, 0, 1e6), "n": 3}, 5),
        (
            {
                "Hsteps": [
                    [(0, 0, -1e6), (0, 0, 1e6), 3],
                    [(0, 0, 1e6), (0, 0, -1e6), 5],
                ]
            },
            7,
        ),
    ],
)
def test_hysteresis_rows_and_fields(tmp_path, kwargs, rows):
    system = make_system(m=(0, 1, 0))
    system.energy = mm.Exchange(A=1e-11)  # the driver's field is the only one
    ud.HysteresisDriver().drive(system, dirname=tmp_path, verbose=0, **kwargs)
    data = system.table.data
    assert len(data) == rows
    assert system.table.x == "B_hysteresis"
    mu0 = mm.consts.mu0
    np.testing.assert_allclose(data["Bz_hysteresis"].iloc[0], -mu0 * 1e6 * 1e3)
    np.testing.assert_allclose(data["B_hysteresis"], np.abs(data["Bz_hysteresis"]))
    # the field energy is the driver's Zeeman term
    np.testing.assert_allclose(
        data["E"], data["E_exchange"] + data["E_zeeman_hysteresis"]
    )
    # the user's system keeps its own energy terms
    assert [t.name for t in system.energy] == ["exchange"]
    assert data["mz"].iloc[-1] < -0.999


def test_timedriver_stopping_dm_dt_ends_early(tmp_path):
    system = make_system(alpha=1.0)
    ud.TimeDriver(stopping_dm_dt=100.0).drive(
        system, t=1e-9, n=100, dirname=tmp_path, verbose=0
    )
    data = system.table.data
    assert 1 < len(data) < 100
    assert data["max_dm/dt"].iloc[-1] < 100.0
    assert (data["max_dm/dt"].iloc[:-1] >= 100.0).all()
    assert md.Data("film", dirname=tmp_path)[0].n == len(data)


def test_applied_field_columns_of_time_dependent_zeeman(tmp_path):
    """Uniform time-dependent fields get OOMMF's ScriptUZeeman columns B, Bx, By, Bz
    (mT); constant ones (Oxs_FixedZeeman) and region-valued ones get none."""
    f, t0 = 5e9, 10e-12
    system = make_system()
    system.energy = (
        mm.Exchange(A=1e-11)
        + mm.Zeeman(H=(0, 0, H), name="static")
        + mm.Zeeman(H=(2e5, 0, 0), func="sin", f=f, t0=t0, name="xdir")
        + mm.Zeeman(H=(0, 3e5, 0), func=lambda t: 1 - t / 1e-10, dt=1e-13, name="ramp")
    )
    ud.TimeDriver().drive(system, t=50e-12, n=10, dirname=tmp_path, verbose=0)
    data = system.table.data
    t = data["t"].to_numpy()
    mT = mm.consts.mu0 * 1e3
    np.testing.assert_allclose(
        data["Bx_xdir"], 2e5 * mT * np.sin(2 * np.pi * f * (t - t0)), rtol=1e-12
    )
    np.testing.assert_array_equal(data["By_xdir"], 0)
    np.testing.assert_allclose(data["B_xdir"], np.abs(data["Bx_xdir"]), rtol=1e-15)
    # oommfc tabulates func at multiples of dt: the sampled value is exact here
    np.testing.assert_allclose(data["By_ramp"], 3e5 * mT * (1 - t / 1e-10), rtol=1e-9)
    assert not {"B_static", "Bx_static"} & set(data.columns)
    assert system.table.units["Bx_xdir"] == "mT"


def test_fixed_subregions_do_not_move(tmp_path):
    # oommfc's fixed_subregions (OOMMF fixed_spins): a chain along x with both end
    # cells fixed in the xy plane at 0 and 90 degrees. With exchange only the
    # interior angles interpolate linearly (each bond energy depends on the angle
    # difference only, so equal increments minimise the sum): an exact result.
    n = 12
    subregions = {
        "left": df.Region(p1=(0, 0, 0), p2=(1e-9, 1e-9, 1e-9)),
        "right": df.Region(p1=((n - 1) * 1e-9, 0, 0), p2=(n * 1e-9, 1e-9, 1e-9)),
    }
    mesh = df.Mesh(
        p1=(0, 0, 0), p2=(n * 1e-9, 1e-9, 1e-9), n=(n, 1, 1), subregions=subregions
    )
    system = mm.System(name="chain")
    system.energy = mm.Exchange(A=1e-11)
    system.dynamics = mm.Precession(gamma0=GAMMA0) + mm.Damping(alpha=0.5)
    system.m = df.Field(
        mesh, nvdim=3, norm=MS, value=lambda p: (0, 1, 0) if p[0] > 11e-9 else (1, 0, 0)
    )
    ud.MinDriver(stopping_mxHxm=1e-4).drive(
        system, dirname=tmp_path, verbose=0, fixed_subregions=["left", "right"]
    )
    m = system.m.orientation.array[:, 0, 0]
    np.testing.assert_array_equal(m[0], (1, 0, 0))
    np.testing.assert_array_equal(m[-1], (0, 1, 0))
    np.testing.assert_allclose(
        np.arctan2(m[:, 1], m[:, 0]), np.linspace(0, np.pi / 2, n), atol=1e-8
    )
    assert read_info(tmp_path / "chain" / "drive-0")["fixed_subregions"] == [
        "left",
        "right",
    ]

    # dynamics: a field along z turns the free cells, the fixed ones stay put
    system.energy += mm.Zeeman(H=(0, 0, 1e5))
    ud.TimeDriver().drive(
        system, t=20e-12, n=2, dirname=tmp_path, verbose=0, fixed_subregions=["left"]
    )
    m2 = system.m.orientation.array[:, 0, 0]
    np.testing.assert_array_equal(m2[0], (1, 0, 0))
    assert np.all(np.abs(m2[1:, 2]) > 1e-3)


# --------------------------------------------------------------------- failures
def _assert_untouched(system, m_before, dirname):
    np.testing.assert_array_equal(system.m.array, m_before)
    assert system.drive_number == 0
    assert not hasattr(system, "table")
    info = read_info(pathlib.Path(dirname) / system.name / "drive-0")
    assert info["success"] is False
    assert "end_time" in info


def test_failing_engine_leaves_system_untouched(tmp_path, monkeypatch):
    system = make_system()
    m_before = system.m.array.copy()
    m_object = system.m

    def fail(self, t, n=1, callback=None):
        callback(0, t / n, self.m.copy())  # one stage written, then a failure
        raise IntegrationError("step size collapsed (simulated)", system=0, t=t / n)

    monkeypatch.setattr(Engine, "run", fail)
    with pytest.raises(IntegrationError, match="simulated") as info:
        ud.TimeDriver().drive(system, t=10e-12, n=2, dirname=tmp_path, verbose=0)
    assert "drive-0 of system 'film' failed" in info.value.__notes__[0]
    assert system.m is m_object
    _assert_untouched(system, m_before, tmp_path)
    drive = md.Data("film", dirname=tmp_path)[0]
    assert drive.info["success"] is False
    assert len(drive.table.data) == 1  # the rows written before the failure stay


def test_keyboard_interrupt_records_failure(tmp_path, monkeypatch):
    system = make_system()
    m_before = system.m.array.copy()

    def interrupt(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Engine, "minimise", interrupt)
    with pytest.raises(KeyboardInterrupt):
        ud.MinDriver().drive(system, dirname=tmp_path, verbose=0)
    _assert_untouched(system, m_before, tmp_path)
    monkeypatch.undo()
    # the next drive gets the next number; the failed one stays on disk
    ud.MinDriver().drive(system, dirname=tmp_path, verbose=0)
    assert system.drive_number == 2
    assert read_info(tmp_path / "film" / "drive-1")["success"] is True


def test_nan_field_fails_with_integration_error(tmp_path):
    system = make_system()
    system.energy.zeeman.func = lambda t: float("nan")
    system.energy.zeeman.dt = 1e-13
    m_before = system.m.array.copy()
    with pytest.raises(IntegrationError, match="not finite"):
        ud.TimeDriver().drive(system, t=1e-12, n=1, dirname=tmp_path, verbose=0)
    _assert_untouched(system, m_before, tmp_path)


class SpinPumping(mm.DynamicsTerm):
    """A dynamics term the engine does not implement."""

    _allowed_attributes = ()
    _reprlatex = ""

    def dmdt(self, m, Heff):
        raise NotImplementedError


def test_unsupported_term_refused_before_writing(tmp_path):
    system = make_system()
    system.dynamics += SpinPumping()
    with pytest.raises(UnsupportedTermError, match="SpinPumping"):
        ud.TimeDriver().drive(system, t=1e-12, n=1, dirname=tmp_path)
    assert not (tmp_path / "film").exists()
    assert system.drive_number == 0
    # energy minimisation does not involve dynamics terms (as in OOMMF)
    ud.MinDriver().drive(system, dirname=tmp_path, verbose=0)
    assert system.drive_number == 1


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda s, d: ud.TimeDriver().drive(s, t=1e-12, dirname=d), TypeError, "'n'"),
        (lambda s, d: ud.TimeDriver().drive(s, t=0, n=1, dirname=d), ValueError, "t=0"),
        (
            lambda s, d: ud.TimeDriver().drive(s, t=1e-12, n=1.5, dirname=d),
            ValueError,
            "type",
        ),
        (lambda s, d: ud.MinDriver().drive(s, dirname=d, foo=1), TypeError, "foo"),
        (
            lambda s, d: ud.MinDriver().drive(s, dirname=d, compute="x"),
            TypeError,
            "ud.compute|ubermag_dirac.compute",
        ),
        (
            lambda s, d: ud.MinDriver().drive(s, dirname=d, save=False),
            ValueError,
            "save",
        ),
        (
            lambda s, d: ud.MinDriver().drive(s, dirname=d, ovf_format="x"),
            ValueError,
            "ovf_format",
        ),
        (
            lambda s, d: ud.MinDriver().drive(s, dirname=d, runner=object()),
            TypeError,
            "runner",
        ),
        (
            lambda s, d: ud.MinDriver().drive(s, dirname=d, fixed_subregions=["a"]),
            ValueError,
            "fixed: Unknown subregion 'a'",
        ),
        (
            lambda s, d: ud.MinDriver().drive(s, dirname=d, fixed_subregions="a"),
            TypeError,
            "fixed_subregions: expected a list",
        ),
        (lambda s, d: ud.MinDriver(foo=1), AttributeError, "foo"),
        (lambda s, d: ud.TimeDriver(tol=0), ValueError, "tol"),
        (lambda s, d: ud.TimeDriver(n_threads=0), ValueError, "n_threads"),
        (lambda s, d: ud.MinDriver(max_iterations=2.5), ValueError, "max_iterations"),
        (
            lambda s, d: ud.TimeDriver().schedule(s, "sbatch", "h", t=1e-12, n=1),
            NotImplementedError,
            "schedule",
        ),
        (
            lambda s, d: ud.HysteresisDriver().drive(
                s, dirname=d, Hmin=(0, 0, 0), Hmax=(0, 0, 1), n=1
            ),
            ValueError,
            "n=1",
        ),
        (
            lambda s, d: ud.HysteresisDriver().drive(s, dirname=d),
            ValueError,
            "xor Hsteps",
        ),
    ],
)
def test_bad_arguments_are_refused_before_writing(tmp_path, call, error, match):
    system = make_system()
    with pytest.raises(error, match=match):
        call(system, tmp_path)
    assert not (tmp_path / "film").exists()
    assert system.drive_number == 0


def test_system_checks(tmp_path):
    system = make_system()
    system.T = 10
    with pytest.raises(RuntimeError, match="temperature"):
        ud.TimeDriver().drive(system, t=1e-12, n=1, dirname=tmp_path)
    system = make_system()
    system.dynamics = 0
    with pytest.raises(RuntimeError, match="System's dynamics is not defined"):
        ud.TimeDriver().drive(system, t=1e-12, n=1, dirname=tmp_path)
    system.energy = 0
    with pytest.raises(RuntimeError, match="System's energy is not defined"):
        ud.MinDriver().drive(system, dirname=tmp_path)
    system = make_system()
    system.energy += mm.Zeeman(H=(1, 0, 0), name="hysteresis")
    with pytest.raises(ValueError, match="hysteresis"):
        ud.HysteresisDriver().drive(system, Hmin=(0, 0, 0), Hmax=(0, 0, 1), n=2)
    system = make_system()
    system.energy.zeeman.name = "Oxs_field"
    with pytest.raises(ValueError, match="rename the term"):
        ud.MinDriver().drive(system, dirname=tmp_path)
    assert not (tmp_path / "film").exists()


# ---------------------------------------------------------------------- verbose
def test_verbose_levels(tmp_path, capsys):
    system = make_system()
    ud.TimeDriver().drive(system, t=2e-12, n=2, dirname=tmp_path, verbose=0)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    ud.TimeDriver().drive(system, t=2e-12, n=2, dirname=tmp_path, verbose=1)
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"Running ubermag-dirac \(TimeDriver\)\[\d{4}-\d\d-\d\dT[\d:]{8}\]\.\.\. "
        r"\(\d+\.\d s\)\n",
        out,
    )
    ud.TimeDriver().drive(system, t=2e-12, n=2, dirname=tmp_path, verbose=2)
    out = capsys.readouterr()
    assert "2/2" in out.err  # tqdm bar, one tick per stage
    assert re.search(
        r"Running ubermag-dirac \(TimeDriver\)\[.*\] took \d+\.\d s", out.out
    )


# ---------------------------------------------------------------------- compute
def test_compute_types_values_and_directories(tmp_path):
    subregions = {"a": df.Region(p1=(0, 0, 0), p2=(2e-9, 4e-9, 1e-9))}
    system = make_system(subregions=subregions, m=(0, 0, 1))
    system.energy += mm.UniaxialAnisotropy(K=1e5, u=(1, 0, 0))
    E = ud.compute(system.energy.energy, system, dirname=tmp_path, verbose=0)
    assert isinstance(E, float)
    terms = {
        t.name: ud.compute(t.energy, system, dirname=tmp_path, verbose=0)
        for t in system.energy
    }
    assert all(isinstance(v, float) for v in terms.values())
    assert E == pytest.approx(sum(terms.values()), rel=1e-12)
    volume = 16e-27
    assert terms["zeeman"] == pytest.approx(-mm.consts.mu0 * MS * H * volume)
    assert terms["uniaxialanisotropy"] == pytest.approx(1e5 * volume)  # m _|_ u
    assert terms["exchange"] == 0.0

    Heff = ud.compute(system.energy.zeeman.effective_field, system, dirname=tmp_path)
    assert isinstance(Heff, df.Field)
    assert Heff.mesh.subregions == subregions
    np.testing.assert_allclose(Heff.array, np.broadcast_to((0, 0, H), Heff.array.shape))
    total = ud.compute(system.energy.effective_field, system, dirname=tmp_path)
    np.testing.assert_allclose(total.array, Heff.array, atol=1e-6)  # m along z
    w = ud.compute(system.energy.density, system, dirname=tmp_path, verbose=0)
    assert isinstance(w, df.Field) and w.nvdim == 1
    assert w.mesh.subregions == subregions
    np.testing.assert_allclose(w.array.sum() * 1e-27, E, rtol=1e-12)

    assert system.compute_number == 7
    assert sorted(p.name for p in (tmp_path / "film").iterdir()) == [
        f"compute-{k}" for k in range(7)
    ]
    assert md.Data("film", dirname=tmp_path).n == 0  # computations are not drives
    assert system.drive_number == 0

    with pytest.raises(ValueError, match="not supported"):
        ud.compute(system.energy.__len__, system)
    with pytest.raises(ValueError, match=r"not in system\.energy"):
        ud.compute(mm.Demag().energy, system)
    system.T = 1
    with pytest.raises(RuntimeError, match="finite temperature"):
        ud.compute(system.energy.energy, system)


def test_delete(tmp_path):
    system = make_system()
    ud.MinDriver().drive(system, dirname=tmp_path, verbose=0)
    ud.delete(system, dirname=tmp_path)
    assert not (tmp_path / "film").exists()
    assert system.drive_number == 0
    with pytest.raises(FileNotFoundError):
        ud.delete(system, dirname=tmp_path)
    ud.delete(system, dirname=tmp_path, silent=True)


# --------------------------------------------------------------- OOMMF interop
def test_drives_continue_an_oommfc_drive_directory(tmp_path):
    """A system driven by oommfc before (drive-0 written by OOMMF) continues here."""
    sample = pathlib.Path(md.__file__).parent / "tests" / "test_sample" / "rectangle"
    shutil.copytree(sample / "drive-0", tmp_path / "rectangle" / "drive-0")
    system = mm.System(name="rectangle")
    system.energy = mm.Exchange(A=1e-12) + mm.Zeeman(H=(0, 0, 1e5))
    system.dynamics = mm.Precession(gamma0=GAMMA0) + mm.Damping(alpha=1)
    last = sorted((tmp_path / "rectangle" / "drive-0").glob("rectangle-*.omf"))[-1]
    system.m = df.Field.from_file(last)
    ud.TimeDriver().drive(system, t=2e-12, n=2, dirname=tmp_path, verbose=0)
    assert (tmp_path / "rectangle" / "drive-1").is_dir()
    assert system.drive_number == 2
    data = md.Data("rectangle", dirname=tmp_path)
    assert data.n == 2
    assert data.info["adapter"].tolist() == ["oommfc", "ubermag_dirac"]
    assert [d.x for d in data] == ["t", "t"]
    # same column names for the quantities both calculators write
    common = {"E", "max_dm/dt", "E_exchange", "E_zeeman", "t", "mx", "my", "mz"}
    assert common <= set(data[0].table.data.columns)
    assert common <= set(data[1].table.data.columns)
    np.testing.assert_allclose(data[1].m0.array, data[0][-1].array)


# ------------------------------------------------------------ Dirac terms
def test_dirac_sot_from_surface_pumping_columns(tmp_path):
    surface = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
    sot = ud.DiracSOT.from_surface(surface, E=1e5, thickness=1e-9, Ms=MS)
    system = make_system(name="dirac", alpha=0.05, m=(1, 0, 1))
    system.dynamics += sot
    ud.TimeDriver().drive(system, t=20e-12, n=4, dirname=tmp_path, verbose=0)
    data = system.table.data
    for c in "xyz":
        assert data.columns.tolist().count(f"Jpump_{c}") == 1
        assert system.table.units[f"Jpump_{c}"] == "A/m^2"
    # the last row is the cell average of the analytic pumped current of the
    # final state and its dm/dt (the system is uniform: one cell suffices)
    engine = Engine(system)
    m = engine.m
    dmdt = engine.dmdt(m, 20e-12)
    m_cell = m[0, :, 0, 0, 0]
    dmdt_cell = dmdt[0, :, 0, 0, 0]
    expected = surface.pumped_current(
        m_cell, dmdt_cell, thickness=1e-9, n=(0, 0, 1), convention="kubo"
    )
    np.testing.assert_allclose(
        data[["Jpump_x", "Jpump_y", "Jpump_z"]].iloc[-1], expected, rtol=1e-9
    )
    assert np.abs(expected[:2]).max() > 0  # precessing: a current is pumped
    assert md.Data("dirac", dirname=tmp_path)[0].table.data.shape == data.shape

    # a DiracSOT given by its fields only has no surface: no pumping columns
    plain = make_system(name="plain")
    plain.dynamics += ud.DiracSOT(H_DL=1e3, H_FL=1e3)
    ud.TimeDriver().drive(plain, t=2e-12, n=1, dirname=tmp_path, verbose=0)
    assert not any(c.startswith("Jpump") for c in plain.table.data.columns)


@pytest.mark.oommf
@pytest.mark.skipif(not os.environ.get("OOMMFTCL"), reason="needs OOMMF (OOMMFTCL)")
def test_alternating_oommfc_and_ubermag_dirac_drives(tmp_path):
    import oommfc as oc

    system = make_system(name="mixed", m=(0, 1, 0.1))
    oc.MinDriver().drive(system, dirname=str(tmp_path), verbose=0)
    ud.TimeDriver().drive(system, t=10e-12, n=2, dirname=tmp_path, verbose=0)
    oc.TimeDriver().drive(system, t=10e-12, n=2, dirname=str(tmp_path), verbose=0)
    assert system.drive_number == 3
    data = md.Data("mixed", dirname=tmp_path)
    assert data.info["adapter"].tolist() == ["oommfc", "ubermag_dirac", "oommfc"]
    np.testing.assert_allclose(data[1].m0.array, data[0][-1].array)
    np.testing.assert_allclose(data[2].m0.array, data[1][-1].array)
    assert [d.x for d in data] == ["iteration", "t", "t"]


def test_timedriver_method_and_demag_precision(tmp_path):
    """TimeDriver passes the integrator pair and the demag FFT precision to the
    engine (recorded in the drive), and refuses unknown values by name."""
    results = {}
    for kw in ({}, {"method": "rkf54m"}, {"demag_precision": "single"}):
        s = make_system(name="opts")
        s.energy += mm.Demag()
        td = ud.TimeDriver(**kw)
        td.drive(s, t=2e-12, n=1, dirname=str(tmp_path), verbose=0)
        results[tuple(kw.items())] = s.m.array.copy()
    settings = td.settings()
    assert settings["method"] == "auto" and settings["demag_precision"] == "single"
    ref = results[()]
    assert 0 < np.abs(results[(("method", "rkf54m"),)] - ref).max() < 1e-4 * MS
    assert 0 < np.abs(results[(("demag_precision", "single"),)] - ref).max() < 1e-5 * MS
    s = make_system(name="bad")
    with pytest.raises(ValueError, match="method: expected one of"):
        ud.TimeDriver(method="rk4").drive(s, t=1e-12, n=1, dirname=str(tmp_path))
