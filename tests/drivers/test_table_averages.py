"""Table averages as OOMMF defines them: <m> over the magnetic cells (issue 10).

OOMMF's ``Oxs_Driver`` (app/oxs/base/driver.cc, ``normalize_aveM_output``, on by
default) reports ``mx = sum_j Ms_j m_j,x / sum_j |Ms_j|``: empty cells (Ms = 0)
count neither in the numerator nor in the denominator, and cells of larger Ms
weigh more. A saturated sphere in a box therefore reports ``mz = 1``.
"""

import os

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud

MU0 = 4e-7 * np.pi


def _oommf_average(field: df.Field) -> np.ndarray:
    """sum(Ms m) / sum |Ms| of a magnetisation field ``Ms m`` (OOMMF's aveM)."""
    M = np.asarray(field.array, dtype=float).reshape(-1, 3)
    return M.sum(axis=0) / np.linalg.norm(M, axis=1).sum()


def _sphere_in_box(name, *, direction=(0, 0, 1), two_ms=False, cell=2e-9):
    """A sphere of radius 9 nm in a 20 nm box; with ``two_ms`` a core of radius
    5 nm has Ms = 8e5 A/m and the shell 4e5 A/m."""
    mesh = df.Mesh(p1=(-10e-9,) * 3, p2=(10e-9,) * 3, cell=(cell,) * 3)

    def Ms(p):
        r = np.linalg.norm(p)
        if r >= 9e-9:
            return 0.0
        return 8e5 if (r < 5e-9 or not two_ms) else 4e5

    system = mm.System(name=name)
    system.m = df.Field(mesh, nvdim=3, value=direction, norm=Ms, valid="norm")
    return system


def _radial_field(p):
    """An off-centre, position-dependent direction (so <m> is not trivial)."""
    x, y, z = p
    return (x + 3e-9, 0.5 * y + 1e-9, z + 4e-9)


def test_saturated_sphere_in_a_box_reports_unit_mz(tmp_path):
    # the case: 0.389 (the fill fraction x 1) before the fix
    system = _sphere_in_box("sphere")
    system.energy = mm.Exchange(A=1e-11) + mm.Zeeman(H=(0, 0, 1e6))
    ud.MinDriver(stopping_mxHxm=0.01).drive(system, dirname=tmp_path, verbose=0)
    row = system.table.data.iloc[-1]
    np.testing.assert_allclose(row[["mx", "my", "mz"]], [0, 0, 1], atol=1e-12)


@pytest.mark.parametrize(
    "drive",
    [
        lambda s, d: ud.MinDriver(stopping_mxHxm=1e-3).drive(s, dirname=d, verbose=0),
        lambda s, d: ud.RelaxDriver().drive(s, dirname=d, verbose=0),
        lambda s, d: ud.TimeDriver().drive(s, t=5e-12, n=2, dirname=d, verbose=0),
        lambda s, d: ud.HysteresisDriver().drive(
            s, Hmin=(0, 0, -1e5), Hmax=(0, 0, 1e5), n=3, dirname=d, verbose=0
        ),
    ],
    ids=["min", "relax", "time", "hysteresis"],
)
def test_every_driver_weights_the_average_by_ms(tmp_path, drive):
    # m along a position-dependent field: a non-uniform equilibrium that stays so
    system = _sphere_in_box("shells", direction=_radial_field, two_ms=True)
    H = df.Field(system.m.mesh, nvdim=3, value=_radial_field, norm=1e6)
    system.energy = mm.Exchange(A=1e-13) + mm.Zeeman(H=H)
    system.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.5)
    drive(system, tmp_path)
    got = system.table.data[["mx", "my", "mz"]].iloc[-1].to_numpy()
    expected = _oommf_average(system.m)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    # the Ms weighting matters here: the unweighted mean over magnetic cells differs
    unit = system.m.orientation.array.reshape(-1, 3)
    magnetic = np.linalg.norm(system.m.array, axis=-1).reshape(-1) > 0
    assert np.abs(unit[magnetic].mean(axis=0) - expected).max() > 1e-3


@pytest.mark.oommf
@pytest.mark.skipif(not os.environ.get("OOMMFTCL"), reason="needs OOMMF (OOMMFTCL)")
def test_averages_equal_oommf_on_a_sphere_with_two_ms(tmp_path):
    """Same non-uniform state through oommfc/OOMMF and ubermag-dirac.

    The state is the energy minimum of a position-dependent Zeeman field (m along
    H in every cell), so both minimisers stop at once and report the initial
    state: the rows differ only by how <m> is defined.
    """
    import oommfc as oc

    rows = []
    runs = ((oc.MinDriver(), str(tmp_path / "oc")), (ud.MinDriver(), tmp_path / "ud"))
    for driver, dirname in runs:
        system = _sphere_in_box("two_ms", direction=_radial_field, two_ms=True)
        mesh = system.m.mesh
        system.energy = mm.Zeeman(
            H=df.Field(mesh, nvdim=3, value=_radial_field, norm=1e6)
        )
        driver.drive(system, dirname=dirname, verbose=0)
        rows.append(system.table.data[["mx", "my", "mz"]].iloc[-1].to_numpy())
    # OOMMF writes 12 significant digits
    np.testing.assert_allclose(rows[1], rows[0], rtol=1e-11)
    np.testing.assert_allclose(rows[0], _oommf_average(system.m), rtol=1e-11)


def test_pumped_current_is_averaged_over_the_magnetic_cells(tmp_path):
    # a uniform state in a disk (corners empty): every magnetic cell pumps the same
    # current, so the column must equal the one-cell value, not the value scaled by
    # the fill fraction
    surface = ud.theory.DiracSurface.from_ev(6e5, 0.05, 0.2, 5e-14)
    sot = ud.DiracSOT.from_surface(surface, E=1e5, thickness=1e-9, Ms=8e5)
    mesh = df.Mesh(p1=(-4e-9, -4e-9, 0), p2=(4e-9, 4e-9, 1e-9), n=(8, 8, 1))

    def Ms(p):
        return 8e5 if p[0] ** 2 + p[1] ** 2 < (4e-9) ** 2 else 0.0

    system = mm.System(name="disk")
    system.energy = mm.Zeeman(H=(0, 0, 1e6))
    system.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.05) + sot
    system.m = df.Field(mesh, nvdim=3, value=(1, 0, 1), norm=Ms, valid="norm")
    assert np.count_nonzero(np.linalg.norm(system.m.array, axis=-1)) < mesh.n.prod()
    ud.TimeDriver().drive(system, t=2e-12, n=1, dirname=tmp_path, verbose=0)
    engine = ud.engine.Engine(system)
    dmdt = engine.dmdt(engine.m, 2e-12)
    m_cell, dmdt_cell = engine.m[0, :, 4, 4, 0], dmdt[0, :, 4, 4, 0]
    expected = surface.pumped_current(
        m_cell, dmdt_cell, thickness=1e-9, n=(0, 0, 1), convention="kubo"
    )
    row = system.table.data[["Jpump_x", "Jpump_y", "Jpump_z"]].iloc[-1]
    np.testing.assert_allclose(row, expected, rtol=1e-9)
    assert np.abs(expected[:2]).max() > 0
