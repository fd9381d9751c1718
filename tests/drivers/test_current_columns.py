"""OOMMF's current columns (issue 10): ``average_u`` (mm.ZhangLi), ``average_J``
(mm.Slonczewski) and the analogous ``average_H_*`` columns of the ubermag-dirac
torques.

OOMMF's evolvers (``Anv_SpinTEvolve``, ``Anv_SpinTEvolve_3d``,
``Oxs_SpinXferEvolve``) average the parameter field over all cells of the mesh
(empty ones included) and multiply by the profile factor at ``total_time``; the
table then has ``average_u`` / ``average_J`` (ubermagtable names) whenever the
term is present. The expected values below are computed from that definition;
``test_columns_equal_oommf`` compares with real oommfc/OOMMF runs.
"""

import os

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud

T, N = 5e-12, 5
TIMES = np.arange(1, N + 1) * T / N


def _pulse(t):
    return np.sin(t * 1e11) + 2


def _mesh():
    return df.Mesh(p1=(0, 0, 0), p2=(20e-9, 4e-9, 2e-9), cell=(2e-9, 2e-9, 2e-9))


def _Ms(p):
    return 0.0 if p[0] < 4e-9 else 8e5  # two empty cell columns


def _J_field(mesh):
    return df.Field(mesh, nvdim=1, value=lambda p: 1e10 * (1 + p[0] / 20e-9))


#: OOMMF's profile proc form of the same pulse (oommfc's ``tcl_strings``)
TCL = {
    "script": "proc pulse {total_time} { return [expr {sin($total_time*1e11)+2}] }\n",
    "script_args": "total_time",
    "script_name": "pulse",
}

CASES = {
    # name: (term, expected columns {name: values at TIMES})
    "zl_pulse": (
        lambda mesh: mm.ZhangLi(u=50, beta=0.1, func=_pulse, dt=1e-12),
        {"average_u": 50 * _pulse(TIMES)},
    ),
    "zl_tcl": (
        lambda mesh: mm.ZhangLi(u=50, beta=0.1, tcl_strings=TCL),
        {"average_u": 50 * _pulse(TIMES)},
    ),
    "slon_tcl": (
        lambda mesh: mm.Slonczewski(
            J=1e10, mp=(1, 0, 0), P=0.4, Lambda=2, tcl_strings=TCL
        ),
        {"average_J": 1e10 * _pulse(TIMES)},
    ),
    "zl_const": (
        lambda mesh: mm.ZhangLi(u=50, beta=0.1),
        {"average_u": 50 + 0 * TIMES},
    ),
    "zl_vector": (
        lambda mesh: mm.ZhangLi(u=(30, -40, 0), beta=0.1, func=_pulse, dt=1e-12),
        {
            "SpinTEvolve_3d:evolver:average u": 50 * _pulse(TIMES),
            "SpinTEvolve_3d:evolver:average ux": 30 * _pulse(TIMES),
            "SpinTEvolve_3d:evolver:average uy": -40 * _pulse(TIMES),
            "SpinTEvolve_3d:evolver:average uz": 0 * TIMES,
        },
    ),
    "slon_pulse": (
        lambda mesh: mm.Slonczewski(
            J=1e10, mp=(1, 0, 0), P=0.4, Lambda=2, func=_pulse, dt=1e-12
        ),
        {"average_J": 1e10 * _pulse(TIMES)},
    ),
    # J varies along x; the mean over all ten cell columns (empty ones too) is 1.5e10
    "slon_field": (
        lambda mesh: mm.Slonczewski(J=_J_field(mesh), mp=(1, 0, 0), P=0.4, Lambda=2),
        {"average_J": 1.5e10 + 0 * TIMES},
    ),
}


#: max |dm/dt| under the name OOMMF's evolver gives it (SpinTEvolve, SpinXferEvolve:
#: ubermagtable's ``max_dmdt``; SpinTEvolve_3d: not renamed by ubermagtable)
MAX_DMDT = {"zl_vector": "SpinTEvolve_3d:evolver:Max dm/dt"}

#: OOMMF columns that ubermag-dirac's TimeDriver does not write (general, not
#: specific to the current terms): the evolver's dE/dt and Delta E, the driver's
#: last time step and the exchange's maximum spin angles
NOT_WRITTEN = {
    "dE/dt",
    "delta_E",
    "last_time_step",
    "max_spin_ang_exchange",
    "stage_max_spin_ang_exchange",
    "run_max_spin_ang_exchange",
    "SpinTEvolve_3d:evolver:dE/dt",
    "SpinTEvolve_3d:evolver:Delta E",
}


def _system(name, term):
    mesh = _mesh()
    system = mm.System(name=name)
    system.energy = mm.Exchange(A=1e-11) + mm.Zeeman(H=(0, 0, 1e5))
    system.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.3)
    system.dynamics += term(mesh)
    system.m = df.Field(mesh, nvdim=3, value=(1, 0, 1), norm=_Ms, valid="norm")
    return system


@pytest.mark.parametrize("case", sorted(CASES))
def test_oommf_current_columns(tmp_path, case):
    term, expected = CASES[case]
    system = _system(case, term)
    ud.TimeDriver().drive(system, t=T, n=N, dirname=tmp_path, verbose=0)
    data = system.table.data
    for name, values in expected.items():
        np.testing.assert_allclose(data[name], values, rtol=1e-12, atol=1e-9)
        unit = "A/m^2" if name.endswith("J") else "m/s"
        assert system.table.units[name] == unit
    # the evolver's columns carry the name of OOMMF's evolver for the term
    max_dmdt = MAX_DMDT.get(case, "max_dmdt")
    assert system.table.units[max_dmdt] == "deg/ns"
    assert "max_dm/dt" not in data.columns
    assert data[max_dmdt].iloc[-1] > 0


def test_current_columns_only_in_time_drives(tmp_path):
    # MinDriver/RelaxDriver ignore the current (as OOMMF's CG evolver): no column
    term, _ = CASES["zl_pulse"]
    system = _system("zl_min", term)
    ud.MinDriver(stopping_mxHxm=1).drive(system, dirname=tmp_path, verbose=0)
    assert "average_u" not in system.table.data.columns


def test_dirac_and_spin_hall_amplitude_columns(tmp_path):
    # the amplitudes actually applied, averaged over the magnetic cells: the
    # region without Ms does not dilute them; a func multiplies them
    mesh = _mesh()
    H_DL = df.Field(mesh, nvdim=1, value=lambda p: 1e3 * (1 + p[0] / 20e-9))
    system = mm.System(name="sot")
    system.energy = mm.Zeeman(H=(0, 0, 1e5))
    system.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.3)
    system.dynamics += ud.DiracSOT(
        H_DL=H_DL, H_FL=-2e3, beta=0.5, func=_pulse, name="a"
    )
    system.dynamics += ud.DiracSOT(H_DL=10.0, H_FL=20.0, name="b")
    system.dynamics += ud.SpinHallSOT(H_SH=500.0, func=_pulse, dt=1e-12)
    system.m = df.Field(mesh, nvdim=3, value=(1, 0, 1), norm=_Ms, valid="norm")
    ud.TimeDriver().drive(system, t=T, n=N, dirname=tmp_path, verbose=0)
    data = system.table.data
    x = np.arange(1e-9, 20e-9, 2e-9)
    magnetic = x > 4e-9
    mean_DL = 1e3 * (1 + x[magnetic] / 20e-9).mean()
    np.testing.assert_allclose(data["average_H_DL_a"], mean_DL * _pulse(TIMES))
    np.testing.assert_allclose(data["average_H_FL_a"], -2e3 * _pulse(TIMES))
    np.testing.assert_allclose(data["average_H_DL_b"], 10.0)
    np.testing.assert_allclose(data["average_H_FL_b"], 20.0)
    np.testing.assert_allclose(data["average_H_SH"], 500 * _pulse(TIMES))
    assert system.table.units["average_H_SH"] == "A/m"


@pytest.mark.oommf
@pytest.mark.skipif(not os.environ.get("OOMMFTCL"), reason="needs OOMMF (OOMMFTCL)")
@pytest.mark.parametrize("case", sorted(CASES))
def test_columns_equal_oommf(tmp_path, case):
    import oommfc as oc

    term, expected = CASES[case]
    tables = []
    for driver, dirname in (
        (oc.TimeDriver(), str(tmp_path / "oc")),
        (ud.TimeDriver(), tmp_path / "ud"),
    ):
        system = _system(case, term)
        driver.drive(system, t=T, n=N, dirname=dirname, verbose=0)
        tables.append(system.table)
    # every OOMMF column is there (but the few this package does not write)
    oommf, ours = (set(table.data.columns) for table in tables)
    assert oommf - NOT_WRITTEN <= ours, sorted(oommf - NOT_WRITTEN - ours)
    for name in expected:
        # OOMMF writes 12 significant digits
        np.testing.assert_allclose(
            tables[1].data[name], tables[0].data[name], rtol=1e-11, atol=1e-9
        )
        assert tables[1].units[name] == tables[0].units[name]
