"""One name for the engine threads: ``n_threads`` (ud.compute, the drivers, oommfc)."""

import functools

import discretisedfield as df
import micromagneticmodel as mm
import pytest

import ubermag_dirac as ud
from ubermag_dirac.drivers import driver as driver_module

DRIVERS = [ud.TimeDriver, ud.MinDriver, ud.RelaxDriver, ud.HysteresisDriver]


@pytest.mark.parametrize("cls", DRIVERS)
def test_drivers_take_n_threads_as_setting(cls):
    d = cls(n_threads=2)
    assert d.settings()["n_threads"] == 2
    assert "threads" not in d.settings()
    with pytest.raises(ValueError, match="n_threads: expected a positive integer"):
        cls(n_threads=0)


@pytest.mark.parametrize("cls", DRIVERS)
def test_threads_is_a_deprecated_alias(cls):
    with pytest.warns(ud.UbermagDiracDeprecationWarning, match="use n_threads"):
        d = cls(threads=2)
    assert d.settings()["n_threads"] == 2
    with pytest.raises(TypeError, match="n_threads only"):
        cls(threads=2, n_threads=2)


def test_setting_and_drive_argument_reach_the_engine(tmp_path, monkeypatch):
    seen = []
    real = driver_module._engine_class()

    @functools.wraps(real)  # keeps the signature the drivers read defaults from
    def spy(*args, **kwargs):
        seen.append(kwargs["threads"])
        return real(*args, **kwargs)

    monkeypatch.setattr(driver_module, "_engine_class", lambda: spy)
    mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 1e-9), n=(2, 2, 1))
    s = mm.System(name="threads")
    s.energy = mm.Zeeman(H=(0, 0, 1e5))
    s.dynamics = mm.Precession(gamma0=mm.consts.gamma0) + mm.Damping(alpha=0.5)
    s.m = df.Field(mesh, nvdim=3, value=(1, 0, 1), norm=8e5)
    td = ud.TimeDriver(n_threads=2)
    td.drive(s, t=1e-12, n=1, dirname=tmp_path, verbose=0)
    td.drive(s, t=1e-12, n=1, dirname=tmp_path, verbose=0, n_threads=1)  # oommfc's
    assert seen == [2, 1]
