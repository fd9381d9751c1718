"""Drives at finite temperature: system.T, evolvers, seeds, table, info.json, and
what MinDriver / RelaxDriver do at T > 0 (ignore it, as OOMMF and mumax3)."""

import json

import discretisedfield as df
import micromagneticdata as md
import micromagneticmodel as mm
import numpy as np
import oommfc
import pytest

import ubermag_dirac as ud

MS = 8e5
GAMMA0 = 2.211e5


def make_system(name="hot", T=300.0, alpha=0.2):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(8e-9, 8e-9, 2e-9), n=(4, 4, 1))
    system = mm.System(name=name)
    system.energy = mm.Exchange(A=1e-11) + mm.UniaxialAnisotropy(K=5e5, u=(0, 0, 1))
    system.dynamics = mm.Precession(gamma0=GAMMA0) + mm.Damping(alpha=alpha)
    system.m = df.Field(mesh, nvdim=3, value=(0.1, 0, 1), norm=MS)
    system.T = T
    return system


def info(tmp_path, name="hot", number=0):
    return json.loads((tmp_path / name / f"drive-{number}" / "info.json").read_text())


def test_finite_temperature_needs_an_evolver_as_in_oommfc(tmp_path):
    system = make_system()
    with pytest.raises(RuntimeError, match="evolver must be specified"):
        ud.TimeDriver().drive(system, t=1e-12, n=1, dirname=tmp_path)
    assert not (tmp_path / "hot").exists()


def test_thermal_drive_table_info_and_reproducibility(tmp_path):
    system = make_system()
    td = ud.TimeDriver(evolver=ud.StochasticHeunEvolver(seed=11))
    td.drive(system, t=5e-12, n=5, dirname=tmp_path, verbose=0)
    table = system.table.data
    assert list(table["T"]) == [300.0] * 5  # OOMMF's Temperature column, K
    assert system.table.units["T"] == "K"
    # the evolver's columns as OOMMF's ThermHeunEvolve names them (ubermagtable)
    assert {"E", "E_calc_count", "max_dmdt"} <= set(table.columns)
    record = info(tmp_path)
    assert record["thermal_seed"] == 11 and record["success"] is True
    assert 0 < record["thermal_dt"] < 1e-12
    # micromagneticdata reads the drive with the temperature column
    assert "T" in md.Data("hot", dirname=tmp_path)[0].table.data.columns
    # the same seed gives the same drive, bit for bit; another seed does not
    again = make_system()
    td.drive(again, t=5e-12, n=5, dirname=tmp_path / "again", verbose=0)
    assert np.array_equal(again.m.array, system.m.array)
    assert np.array_equal(again.table.data["mz"], table["mz"])
    other = make_system()
    ud.TimeDriver(evolver=ud.StochasticHeunEvolver(seed=12)).drive(
        other, t=5e-12, n=5, dirname=tmp_path / "other", verbose=0
    )
    assert not np.allclose(other.m.array, system.m.array)


def test_unseeded_drive_records_the_seed_that_repeats_it(tmp_path):
    system = make_system()
    ud.TimeDriver(evolver=ud.StochasticHeunEvolver()).drive(
        system, t=3e-12, n=3, dirname=tmp_path, verbose=0
    )
    seed = info(tmp_path)["thermal_seed"]
    again = make_system()
    ud.TimeDriver(evolver=ud.StochasticHeunEvolver(seed=seed)).drive(
        again, t=3e-12, n=3, dirname=tmp_path / "again", verbose=0
    )
    assert np.array_equal(again.m.array, system.m.array)


@pytest.mark.parametrize(
    ("evolver", "dt"),
    [
        (ud.Xf_ThermHeunEvolver(min_timestep=2e-14, uniform_seed=3), 2e-14),
        (ud.UHH_ThetaEvolver(fixed_timestep=1e-14, uniform_seed=3), 1e-14),
        (ud.Xf_ThermSpinXferEvolver(min_timestep=2e-14, uniform_seed=3), 2e-14),
        (oommfc.Xf_ThermHeunEvolver(min_timestep=2e-14, uniform_seed=3), 2e-14),
    ],
    ids=["Xf_ThermHeun", "UHH_Theta", "Xf_ThermSpinXfer", "oommfc instance"],
)
def test_oommfc_thermal_evolvers(tmp_path, evolver, dt):
    """OOMMF's attributes: the fixed step and uniform_seed; temperature from the
    system (oommfc overwrites the evolver's); the same integrator for all."""
    system = make_system()
    ud.TimeDriver(evolver=evolver).drive(
        system, t=2e-12, n=2, dirname=tmp_path, verbose=0
    )
    record = info(tmp_path)
    assert record["thermal_dt"] == dt and record["thermal_seed"] == 3
    native = make_system()
    ud.TimeDriver(evolver=ud.StochasticHeunEvolver(dt=dt, seed=3)).drive(
        native, t=2e-12, n=2, dirname=tmp_path / "native", verbose=0
    )
    assert np.array_equal(native.m.array, system.m.array)


def test_thermal_evolver_at_zero_temperature_is_deterministic(tmp_path):
    """T = 0 with a thermal evolver: the deterministic adaptive engine (the noise
    is zero), the temperature column reads 0."""
    system = make_system(T=0.0)
    ud.TimeDriver(evolver=ud.Xf_ThermHeunEvolver()).drive(
        system, t=5e-12, n=2, dirname=tmp_path, verbose=0
    )
    plain = make_system(T=0.0)
    ud.TimeDriver().drive(plain, t=5e-12, n=2, dirname=tmp_path / "plain", verbose=0)
    assert np.array_equal(plain.m.array, system.m.array)
    assert list(system.table.data["T"]) == [0.0, 0.0]
    assert "thermal_seed" not in info(tmp_path)


@pytest.mark.parametrize(
    ("evolver", "error", "match"),
    [
        (ud.UHH_ThetaEvolver(ito_calculus=1), ValueError, "Stratonovich"),
        (ud.Xf_ThermHeunEvolver(method="rkf54"), ValueError, "rk2heun"),
        (ud.Xf_ThermHeunEvolver(tempscript="T"), ValueError, "time-dependent"),
        (ud.StochasticHeunEvolver(dt=-1.0), ValueError, "dt"),
        (ud.StochasticHeunEvolver(seed=1.5), TypeError, "seed"),
    ],
)
def test_evolver_refusals(evolver, error, match):
    with pytest.raises(error, match=match):
        ud.TimeDriver(evolver=evolver)


@pytest.mark.parametrize("driver", [ud.MinDriver, ud.RelaxDriver])
def test_minimisers_ignore_temperature_as_oommf_and_mumax3(tmp_path, driver):
    """OOMMF's Oxs_MinDriver/CG evolver has no temperature and oommfc passes none;
    mumax3c writes ``Temp`` only for its TimeDriver: minimisation and relaxation
    find the T = 0 state."""
    hot = make_system(T=500.0)
    cold = make_system(T=0.0)
    driver().drive(hot, dirname=tmp_path / "hot", verbose=0)
    driver().drive(cold, dirname=tmp_path / "cold", verbose=0)
    assert np.array_equal(hot.m.array, cold.m.array)
    assert "T" not in hot.table.data.columns
