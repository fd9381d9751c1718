"""The guard that stops oommfc from silently dropping ubermag-dirac terms.

None of these tests needs OOMMF: the guard acts before oommfc looks for OOMMF, and
every test also checks something that OOMMF's absence could not produce (the
exception type and message, and that no drive directory was created).
"""

import os

import micromagneticmodel as mm
import oommfc as oc
import pytest

import ubermag_dirac  # noqa: F401  (installs the guard)
import ubermag_dirac.drivers.oommf_guard as guard
from ubermag_dirac.engine.registry import UnsupportedTermError


class FakeDiracTerm(mm.Damping):
    """A dynamics term that lives in the ubermag_dirac package (for the guard)."""


FakeDiracTerm.__module__ = "ubermag_dirac.terms.fake"


@pytest.fixture
def dirac_system():
    system = mm.examples.macrospin()
    system.dynamics += FakeDiracTerm(alpha=0.01, name="fakedirac")
    return system


@pytest.fixture
def reinstall():
    yield
    guard.install()


def test_import_installs_guard():
    assert guard.installed()
    for cls in (oc.TimeDriver, oc.MinDriver, oc.HysteresisDriver):
        assert hasattr(cls.__dict__["_check_system"], guard._MARK)
    assert hasattr(oc.Driver.__dict__["write_mif"], guard._MARK)
    assert hasattr(oc.compute, guard._MARK)
    assert hasattr(mm.ExternalDriver.__dict__["drive"], guard._MARK)
    assert hasattr(mm.ExternalDriver.__dict__["schedule"], guard._MARK)


def test_any_external_calculator_refuses_dirac_terms(tmp_path, dirac_system):
    """The ExternalDriver base (also mumax3c's) checks before it writes anything."""

    class OtherCalculatorDriver(mm.ExternalDriver):
        _allowed_attributes = ()
        _x = "t"

        def drive_kwargs_setup(self, drive_kwargs):
            raise AssertionError("the guard must act first")

        schedule_kwargs_setup = drive_kwargs_setup
        _write_input_files = _call = _schedule_commands = _read_data = None
        _check_system = None

    with pytest.raises(guard.OOMMFGuardError, match="FakeDiracTerm"):
        OtherCalculatorDriver().drive(dirac_system, dirname=str(tmp_path))
    with pytest.raises(guard.OOMMFGuardError, match="FakeDiracTerm"):
        OtherCalculatorDriver().schedule(dirac_system, "sbatch", "h")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "make, kwargs",
    [
        (oc.TimeDriver, {"t": 1e-12, "n": 1}),
        (oc.MinDriver, {}),
        (oc.HysteresisDriver, {"Hmin": (0, 0, -1e5), "Hmax": (0, 0, 1e5), "n": 3}),
    ],
)
def test_oommfc_drivers_refuse_dirac_terms(tmp_path, dirac_system, make, kwargs):
    with pytest.raises(
        guard.OOMMFGuardError, match=r"FakeDiracTerm \(name 'fakedirac'\)"
    ):
        make().drive(dirac_system, dirname=str(tmp_path), **kwargs)
    # refused before oommfc created anything or touched the system
    assert not (tmp_path / dirac_system.name).exists()
    assert dirac_system.drive_number == 0
    assert isinstance(guard.OOMMFGuardError("x"), UnsupportedTermError)


def test_oommfc_compute_and_write_mif_refuse_dirac_terms(tmp_path, dirac_system):
    with pytest.raises(guard.OOMMFGuardError, match=r"oommfc\.compute"):
        oc.compute(dirac_system.energy.zeeman.energy, dirac_system, dirname=tmp_path)
    assert not (tmp_path / dirac_system.name).exists()
    with pytest.raises(guard.OOMMFGuardError, match="write_mif"):
        oc.TimeDriver().write_mif(dirac_system, dirname=str(tmp_path), t=1e-12, n=1)
    assert not list(tmp_path.iterdir())


def test_standard_systems_pass_untouched(tmp_path):
    system = mm.examples.macrospin()
    guard.check_system(system)
    # oommfc writes its MIF file as usual (no OOMMF needed for that)
    oc.TimeDriver().write_mif(system, dirname=str(tmp_path), t=1e-12, n=1)
    assert "Oxs_TimeDriver" in (tmp_path / f"{system.name}.mif").read_text()


def test_without_guard_oommfc_drops_the_term_silently(
    tmp_path, dirac_system, reinstall
):
    """Why the guard exists: oommfc's MIF file has no trace of the Dirac term."""
    guard.uninstall()
    assert not guard.installed()
    assert not hasattr(oc.TimeDriver.__dict__["_check_system"], guard._MARK)
    oc.TimeDriver()._check_system(dirac_system)  # passes
    oc.MinDriver().write_mif(dirac_system, dirname=str(tmp_path))
    mif = (tmp_path / f"{dirac_system.name}.mif").read_text()
    assert "fakedirac" not in mif.lower()


def test_install_is_idempotent(reinstall):
    guard.install()
    n = len(guard._PATCHES)
    assert guard.install() is True
    assert len(guard._PATCHES) == n
    wrapped = oc.TimeDriver.__dict__["_check_system"]
    original = getattr(wrapped, guard._MARK)
    assert not hasattr(original, guard._MARK)  # wrapped once, not twice
    guard.uninstall()
    guard.uninstall()
    assert oc.TimeDriver.__dict__["_check_system"] is original


def test_environment_variable_disables_guard(monkeypatch, reinstall):
    guard.uninstall()
    monkeypatch.setenv(guard.ENV_VAR, "0")
    guard._install_on_import()
    assert not guard.installed()
    monkeypatch.setenv(guard.ENV_VAR, "1")
    guard._install_on_import()
    assert guard.installed()


def test_real_dirac_terms_are_detected():
    import ubermag_dirac as ud

    if not hasattr(ud, "DiracSOT"):
        pytest.skip("ud.DiracSOT is not in this checkout yet")
    system = mm.examples.macrospin()
    system.dynamics += ud.DiracSOT(H_DL=1e3, H_FL=1e3)
    with pytest.raises(guard.OOMMFGuardError, match="DiracSOT"):
        oc.TimeDriver()._check_system(system)


@pytest.mark.oommf
@pytest.mark.skipif(not os.environ.get("OOMMFTCL"), reason="needs OOMMF (OOMMFTCL)")
def test_guarded_oommfc_still_runs_standard_systems(tmp_path):
    system = mm.examples.macrospin()
    oc.TimeDriver().drive(system, t=1e-12, n=2, dirname=str(tmp_path), verbose=0)
    assert system.drive_number == 1
