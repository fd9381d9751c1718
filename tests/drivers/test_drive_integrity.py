"""Drive edge cases of issue 15 (items 6-9); each test fails on the code before it.

A failed drive changes nothing about the system, never leaves a partial file
under its final name (info.json, snapshots, m0.omf, the table), settings that
cannot work are refused, huge outputs are announced, and field parameters on
another mesh are resampled by position or refused.
"""

import json

import discretisedfield as df
import micromagneticdata as md
import micromagneticmodel as mm
import numpy as np
import pytest
import ubermagtable as ut

import ubermag_dirac as ud

MS = 8e5


def make_system(name="film", n=(4, 4, 1)):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 1e-9), n=n)
    system = mm.System(name=name)
    system.energy = mm.Exchange(A=1e-11) + mm.Zeeman(H=(0, 0, 1e6))
    system.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.5)
    system.m = df.Field(mesh, nvdim=3, value=(1, 0, 1), norm=MS)
    return system


def drive(system, tmp_path, n=2, **kwargs):
    ud.TimeDriver().drive(system, t=2e-12, n=n, dirname=tmp_path, verbose=0, **kwargs)


def _complete_files(drive_dir):
    """Every OVF snapshot reads, info.json parses, no temporary file is left."""
    names = sorted(p.name for p in drive_dir.iterdir())
    assert not [n for n in names if ".tmp-" in n], names
    for f in drive_dir.glob("*.omf"):
        df.Field.from_file(f)
    return names


# ------------------------------------------------------------------ item 6
def test_a_drive_that_cannot_create_its_folder_changes_nothing(tmp_path, read_only):
    system = make_system()
    system.drive_number = 3
    (tmp_path / "film").write_text("a file with the system's name")
    with pytest.raises(OSError):
        drive(system, tmp_path)
    assert system.drive_number == 3

    other = tmp_path / "other"
    system = make_system()
    for k in range(4):
        (other / "film" / f"drive-{k}").mkdir(parents=True)
    with read_only(other), pytest.raises(PermissionError):
        drive(system, other)
    assert system.drive_number == 0
    with read_only(other), pytest.raises(PermissionError):
        ud.compute(system.energy.exchange.density, system, dirname=other, verbose=0)
    assert system.compute_number == 0


# ------------------------------------------------------------------ item 7
def test_info_json_is_never_left_partial(tmp_path, failing_writes):
    """A failure while info.json is rewritten at the end of a drive (a full
    disk, or a kill) keeps the complete previous version."""
    system = make_system()
    m_before = system.m.array.copy()
    disk = failing_writes("info.json", nth=2, after=10)  # the final rewrite
    with pytest.raises(OSError, match="No space left"):
        drive(system, tmp_path)
    assert disk.failures
    info = json.loads((tmp_path / "film" / "drive-0" / "info.json").read_text())
    assert info["drive_number"] == 0 and info["t"] == 2e-12
    np.testing.assert_array_equal(system.m.array, m_before)
    assert system.drive_number == 0


def test_a_full_disk_leaves_no_partial_file_and_the_next_drive_works(
    tmp_path, failing_writes
):
    system = make_system()
    disk = failing_writes("Magnetization", nth=2, after=100)  # second snapshot
    with pytest.raises(OSError, match="No space left"):
        drive(system, tmp_path, n=3)
    assert disk.failures
    drive_dir = tmp_path / "film" / "drive-0"
    names = _complete_files(drive_dir)
    assert sum("Magnetization" in n for n in names) == 1  # the first, complete
    info = json.loads((drive_dir / "info.json").read_text())
    assert info["success"] is False
    ut.Table.fromfile(str(drive_dir / "film.odt"), x="t")  # complete rows only
    # the disk stays full: the next drive leaves nothing half-written behind
    with pytest.raises(OSError, match="No space left"):
        drive(system, tmp_path)
    later = tmp_path / "film" / "drive-1"
    assert not later.exists() or _complete_files(later)
    assert system.drive_number == 0
    # space again: the next drive works and micromagneticdata reads them all
    disk.uninstall()
    drive(system, tmp_path)
    assert system.drive_number == 2
    data = md.Data("film", dirname=tmp_path)
    assert len(data.info) == 2
    assert data[-1].n == 2 and data[0].n == 1
    assert data[-1].m0.mesh.n.tolist() == [4, 4, 1]


# ------------------------------------------------------------------ item 8
def test_h_max_below_the_integrators_floor_is_refused():
    with pytest.raises(ValueError, match=r"h_max = 1e-30 s is below"):
        ud.TimeDriver(h_max=1e-30)
    with pytest.raises(ValueError, match="h_max"):
        ud.engine.Engine(make_system(), h_max=1e-30)


def test_a_drive_with_a_huge_output_warns_first(tmp_path, monkeypatch):
    system = make_system(n=(1, 1, 1))
    with pytest.warns(ud.UbermagDiracWarning, match=r"100004 files"):
        with pytest.raises(KeyboardInterrupt):  # stop before anything runs
            monkeypatch.setattr(ud.TimeDriver, "_make_engine", _interrupt, raising=True)
            ud.TimeDriver().drive(system, t=1e-9, n=10**5, dirname=tmp_path)
    monkeypatch.undo()
    with pytest.warns(ud.UbermagDiracWarning, match=r"at least 1e\+09 steps"):
        with pytest.raises(KeyboardInterrupt):
            monkeypatch.setattr(ud.TimeDriver, "_make_engine", _interrupt)
            ud.TimeDriver(h_max=1e-18).drive(system, t=1e-9, n=1, dirname=tmp_path)


def _interrupt(self, system, **kwargs):
    raise KeyboardInterrupt


# ------------------------------------------------------------------ item 9
def test_a_field_parameter_on_another_mesh_is_resampled_by_position(tmp_path):
    """A field of 1e4 A/m over the system's area on a coarser, larger mesh acts
    on every cell; one on a disjoint region is refused."""
    system = make_system(n=(5, 1, 1))
    system.m = df.Field(
        df.Mesh(p1=(0, 0, 0), p2=(5e-9, 1e-9, 1e-9), n=(5, 1, 1)),
        nvdim=3,
        value=(0, 0, 1),
        norm=MS,
    )
    big = df.Mesh(p1=(-5e-9, -1e-9, 0), p2=(10e-9, 2e-9, 1e-9), n=(3, 3, 1))
    inside = np.zeros((3, 3, 1, 3))
    inside[1, 1, 0] = (1e4, 0, 0)  # the cell covering the system's area
    system.energy = mm.Zeeman(H=df.Field(big, nvdim=3, value=inside))
    engine = ud.engine.Engine(system)
    H = engine.effective_fields()[system.energy.zeeman.name][0, 0]
    np.testing.assert_allclose(H[:, 0, 0], 1e4)
    # a finer field: each cell takes the value at its centre
    fine = df.Mesh(p1=(0, 0, 0), p2=(5e-9, 1e-9, 1e-9), n=(10, 1, 1))
    ramp = np.zeros((10, 1, 1, 3))
    ramp[:, 0, 0, 0] = np.arange(10.0)
    system.energy = mm.Zeeman(H=df.Field(fine, nvdim=3, value=ramp))
    H = ud.engine.Engine(system).effective_fields()["zeeman"][0, 0]
    np.testing.assert_allclose(H[:, 0, 0], [1, 3, 5, 7, 9])
    # a field elsewhere (same shape, disjoint region) is refused, naming it
    away = df.Mesh(p1=(1e-6, 0, 0), p2=(1e-6 + 5e-9, 1e-9, 1e-9), n=(5, 1, 1))
    system.energy = mm.Zeeman(H=df.Field(away, nvdim=3, value=(1e4, 0, 0)))
    with pytest.raises(ValueError, match=r"does not contain 5 of the 5 cell"):
        ud.engine.Engine(system)
    # the same rule holds for a scalar parameter of a dynamics term
    system.energy = mm.Zeeman(H=(0, 0, 1e5))
    system.dynamics += ud.DiracSOT(H_DL=df.Field(away, nvdim=1, value=1e3), name="sot")
    with pytest.raises(ValueError, match="does not contain"):
        ud.engine.Engine(system)
