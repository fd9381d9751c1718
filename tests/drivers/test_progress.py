"""What a user sees while a drive runs (ud.drivers.progress)."""

import re

import discretisedfield as df
import micromagneticmodel as mm
import pytest

import ubermag_dirac as ud
from ubermag_dirac.drivers import progress


def system(name="bar", n=20):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(40e-9, 40e-9, 2e-9), n=(n, n, 1))
    s = mm.System(name=name)
    s.energy = mm.Exchange(A=1.3e-11) + mm.Demag() + mm.Zeeman(H=(0, 0, 2e5))
    s.dynamics = mm.Precession(gamma0=mm.consts.gamma0) + mm.Damping(alpha=0.02)
    s.m = df.Field(mesh, nvdim=3, value=(1, 0.2, 0.1), norm=8e5)
    return s


@pytest.fixture
def fast_estimate(monkeypatch):
    """Estimate at once and show a bar for any expected duration."""
    monkeypatch.setattr(progress, "ESTIMATE_AFTER", 0.0)
    monkeypatch.setattr(progress, "BAR_SECONDS", 0.0)
    monkeypatch.setattr(progress, "POLL_INTERVAL", 0.01)


def test_long_drive_shows_a_bar_with_eta_by_default(
    tmp_path, capsys, monkeypatch, fast_estimate
):
    monkeypatch.setattr(progress, "interactive", lambda: True)
    ud.TimeDriver().drive(system(), t=2e-10, n=4, dirname=tmp_path)
    out, err = capsys.readouterr()
    # the bar counts simulated time, with elapsed<remaining, and ends full
    assert re.search(
        r"Running ubermag-dirac \(TimeDriver\): 100%\|.*\| 200/200 ps ", err
    )
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d\]", err)
    assert re.search(r"Running ubermag-dirac \(TimeDriver\)\[.*\] took \d+\.\d s", out)


def test_short_or_logged_drives_print_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(progress, "interactive", lambda: True)
    ud.TimeDriver().drive(system(), t=1e-12, n=1, dirname=tmp_path)  # < 5 s
    out, err = capsys.readouterr()
    assert re.fullmatch(
        r"Running ubermag-dirac \(TimeDriver\)\[.*\]\.\.\. \(\d+\.\d s\)\n", out
    )
    assert err == ""
    # a CI log or a file (not interactive): no bar even for a long drive
    monkeypatch.setattr(progress, "interactive", lambda: False)
    monkeypatch.setattr(progress, "BAR_SECONDS", 0.0)
    monkeypatch.setattr(progress, "ESTIMATE_AFTER", 0.0)
    ud.TimeDriver().drive(system(), t=1e-10, n=2, dirname=tmp_path)
    out, err = capsys.readouterr()
    assert err == "" and out.count("\n") == 1


def test_verbose_2_always_shows_the_bar_and_0_nothing(tmp_path, capsys):
    ud.TimeDriver().drive(system(n=2), t=2e-9, n=2, dirname=tmp_path, verbose=2)
    _, err = capsys.readouterr()
    assert "| 2/2 ns " in err
    ud.MinDriver().drive(system(n=2), dirname=tmp_path, verbose=2)
    _, err = capsys.readouterr()
    assert re.search(r"Running ubermag-dirac \(MinDriver\): \d\d:\d\d elapsed", err)
    ud.TimeDriver().drive(system(), t=1e-12, n=1, dirname=tmp_path, verbose=0)
    assert capsys.readouterr() == ("", "")


def test_hysteresis_bar_counts_fields(tmp_path, capsys):
    ud.HysteresisDriver().drive(
        system(n=2),
        Hmin=(0, 0, -1e5),
        Hmax=(0, 0, 1e5),
        n=3,
        dirname=tmp_path,
        verbose=2,
    )
    assert "| 5/5 field " in capsys.readouterr().err


def test_failed_drive_closes_the_bar(tmp_path, capsys, monkeypatch, fast_estimate):
    monkeypatch.setattr(progress, "interactive", lambda: True)
    s = system()
    driver = ud.TimeDriver()

    def boom(*args, **kwargs):
        raise ud.engine.IntegrationError("step size collapsed")

    monkeypatch.setattr(type(driver), "_run", boom)
    with pytest.raises(ud.engine.IntegrationError):
        driver.drive(s, t=1e-10, n=1, dirname=tmp_path)
    out, _ = capsys.readouterr()
    assert out.rstrip().endswith("failed")
