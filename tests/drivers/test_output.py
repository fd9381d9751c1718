"""The OOMMF-layout output layer, checked with synthetic data (no engine involved).

A drive directory is written by hand with ``ubermag_dirac.drivers.output`` and read
back with ``micromagneticdata`` and ``ubermagtable``, the readers users have.
"""

import json

import discretisedfield as df
import micromagneticdata as md
import micromagneticmodel as mm
import numpy as np
import pytest
import ubermagtable as ut

from ubermag_dirac.drivers import output


@pytest.fixture
def mesh():
    return df.Mesh(
        p1=(0, 0, 0),
        p2=(4e-9, 4e-9, 1e-9),
        n=(4, 4, 1),
        subregions={"left": df.Region(p1=(0, 0, 0), p2=(2e-9, 4e-9, 1e-9))},
    )


def _time_columns():
    return [
        output.Column("RungeKuttaEvolve:evolver:Total energy", "J"),
        output.Column("RungeKuttaEvolve:evolver:Max dm/dt", "deg/ns"),
        output.Column("max_mxHxm", "A/m"),
        output.Column(output.energy_label(mm.Exchange(A=1e-12)), "J"),
        output.Column(output.energy_label(mm.Zeeman(H=(0, 0, 1))), "J"),
        output.Column("TimeDriver::Iteration"),
        output.Column("TimeDriver::Stage iteration"),
        output.Column("TimeDriver::Stage"),
        output.Column("TimeDriver::mx"),
        output.Column("TimeDriver::my"),
        output.Column("TimeDriver::mz"),
        output.Column("TimeDriver::Last time step", "s"),
        output.Column("TimeDriver::Simulation time", "s"),
        output.Column("Jpump_x", "A/m^2"),
        output.Column("Jpump_y", "A/m^2"),
    ]


def _write_drive(base, name, number, mesh, n, driver="TimeDriver", ovf="bin8"):
    """A synthetic drive: m rotates in the xz plane over n stages."""
    path = base / name / f"drive-{number}"
    path.mkdir(parents=True)
    m0 = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    m0.to_file(str(path / "m0.omf"))
    cols = _time_columns()
    with output.OdtWriter(path / f"{name}.odt", cols) as odt:
        for stage in range(n):
            angle = (stage + 1) * np.pi / (2 * n)
            m = (np.sin(angle), 0.0, np.cos(angle))
            row = dict.fromkeys(odt.names, 0.0)
            row.update(
                {
                    "t": (stage + 1) * 1e-12,
                    "stage": stage,
                    "iteration": 10 * (stage + 1),
                    "mx": m[0],
                    "mz": m[2],
                    "E_exchange": -1e-20 * stage,
                }
            )
            odt.write_row(row)
            field = df.Field(mesh, nvdim=3, value=m, norm=8e5)
            fname = output.snapshot_name(name, driver, stage, 10 * (stage + 1), n)
            output.write_snapshot(path / fname, field, ovf)
    info = {"drive_number": number, "driver": driver, "adapter": "ubermag_dirac"}
    info.update({"t": n * 1e-12, "n": n, "success": True})
    (path / "info.json").write_text(json.dumps(info))
    return path


def test_micromagneticdata_reads_synthetic_drives(tmp_path, mesh):
    _write_drive(tmp_path, "film", 0, mesh, n=3)
    _write_drive(tmp_path, "film", 1, mesh, n=12, ovf="txt")
    data = md.Data("film", dirname=tmp_path)
    assert data.n == 2
    assert data.info["driver"].tolist() == ["TimeDriver", "TimeDriver"]
    assert data.info["drive_number"].tolist() == [0, 1]

    drive = data[1]
    assert type(drive).__name__ == "OOMMFDrive"
    assert drive.x == "t"
    assert drive.n == 12
    names = drive.table.data.columns.tolist()
    for col in ["E", "max_dm/dt", "max_mxHxm", "E_exchange", "E_zeeman"]:
        assert col in names
    for col in ["iteration", "stage", "mx", "my", "mz", "t", "Jpump_x", "Jpump_y"]:
        assert col in names
    assert drive.table.units["Jpump_x"] == "A/m^2"
    assert drive.table.units["max_dm/dt"] == "deg/ns"
    assert drive.table.units["mx"] == ""
    np.testing.assert_allclose(drive.table.data["t"], np.arange(1, 13) * 1e-12)
    # snapshots are ordered in time: stage 10, 11 after 9 (zero padding)
    mx = [drive[k].orientation.mean()[0] for k in range(drive.n)]
    np.testing.assert_allclose(mx, np.sin(np.arange(1, 13) * np.pi / 24), rtol=1e-12)
    np.testing.assert_allclose(mx, drive.table.data["mx"], rtol=1e-12)
    # m0 keeps the subregions, snapshots get them from m0
    assert drive.m0.mesh.subregions.keys() == {"left"}
    assert drive[0].mesh.subregions.keys() == {"left"}
    np.testing.assert_allclose(drive.m0.mean(), (0, 0, 8e5))


def test_odt_header_reads_back_with_ubermagtable(tmp_path):
    cols = _time_columns()
    path = tmp_path / "a.odt"
    with output.OdtWriter(path, cols) as odt:
        odt.write_row(np.arange(len(cols), dtype=float))
        odt.write_row([np.nan] * len(cols))
    table = ut.Table.fromfile(str(path), x="t")
    assert table.data.columns.tolist() == [c.name for c in cols]
    assert table.data.iloc[0].tolist() == list(range(len(cols)))
    assert table.data.iloc[1].isna().all()
    text = path.read_text().splitlines()
    assert text[0] == "# ODT 1.0" and text[-1] == "# Table End"
    assert "{My_TimeDriver::Simulation time}" in text[3]


@pytest.mark.parametrize(
    "term, expected",
    [
        (mm.Exchange(A=1e-12), "E_exchange"),
        (mm.Zeeman(H=(0, 0, 1e5)), "E_zeeman"),
        (mm.Zeeman(H=(0, 0, 1e5), name="bias"), "E_zeeman_bias"),
        (mm.Demag(), "E_demag"),
        (mm.UniaxialAnisotropy(K=1e4, u=(0, 0, 1)), "E_uniaxialanisotropy"),
        (mm.CubicAnisotropy(K=1e3, u1=(1, 0, 0), u2=(0, 1, 0)), "E_cubicanisotropy"),
        (mm.DMI(D=1e-3, crystalclass="Cnv_z"), "E_dmi"),
        (mm.DMI(D=1e-3, crystalclass="T"), "E_dmi"),
        (mm.DMI(D=1e-3, crystalclass="D2d_z"), "E_dmi"),
    ],
)
def test_energy_columns_named_as_oommfc(term, expected):
    assert output.Column(output.energy_label(term), "J").name == expected


def test_odt_writer_rejects_bad_columns(tmp_path):
    with pytest.raises(ValueError, match="not unique"):
        output.OdtWriter(
            tmp_path / "a.odt",
            [output.Column("TimeDriver::mx"), output.Column("MinDriver::mx")],
        )
    with pytest.raises(ValueError, match="ubermagtable splits"):
        output.Column("UniformExchange:Xf_term:Energy", "J")
    with pytest.raises(ValueError, match="no spaces"):
        output.Column("a", "J m")
    with output.OdtWriter(tmp_path / "b.odt", [output.Column("a")]) as odt:
        with pytest.raises(KeyError, match="unknown columns"):
            odt.write_row({"a": 1.0, "b": 2.0})
        with pytest.raises(ValueError, match="1 columns"):
            odt.write_row([1.0, 2.0])


def test_snapshot_names_sort_chronologically():
    names = [
        output.snapshot_name("s", "TimeDriver", stage, 5 * stage, n_stages=150)
        for stage in range(150)
    ]
    assert sorted(names) == names
    assert names[0] == "s-My_TimeDriver-Magnetization-000-0000000.omf"


def test_input_record_describes_terms(tmp_path, mesh):
    system = mm.System(name="rec")
    A = df.Field(mesh, nvdim=1, value=1e-11)
    system.energy = (
        mm.Exchange(A=A)
        + mm.Zeeman(H=(0, 0, 1e5), func=lambda t: 1.0, dt=1e-13)
        + mm.UniaxialAnisotropy(K={"left": 1e5, "default": 2e5}, u=(0, 0, 1))
    )
    system.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.1)
    system.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    output.write_input_record(tmp_path / "rec.input.json", system, None, {"t": 1e-9})
    record = json.loads((tmp_path / "rec.input.json").read_text())
    energy = {t["name"]: t for t in record["system"]["energy"]}
    assert energy["exchange"]["parameters"]["A"]["Field"]["mean"] == [1e-11]
    assert "callable" in energy["zeeman"]["parameters"]["func"]
    assert energy["uniaxialanisotropy"]["parameters"]["K"] == {
        "left": 1e5,
        "default": 2e5,
    }
    assert [t["name"] for t in record["system"]["dynamics"]] == [
        "precession",
        "damping",
    ]
    assert record["system"]["mesh"]["n"] == [4, 4, 1]
    assert record["system"]["mesh"]["subregions"]["left"]["p2"] == [2e-9, 4e-9, 1e-9]
    assert record["system"]["Ms_max"] == pytest.approx(8e5)
    assert record["drive"] == {"t": 1e-9}
