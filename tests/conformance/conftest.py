"""Run Ubermag's calculator conformance suite ``micromagnetictests`` on ubermag_dirac.

The suite is pinned (``micromagnetictests==0.64.0`` in the ``test`` extra) and runs
in full, with two kinds of documented exceptions; keep both lists short and
explained: they are documentation for users.

``SKIPS``
    Tests of something genuinely specific to OOMMF (its first-order Euler
    evolver, its MIF input file, its batch-job script), never silently. (oommfc's
    other evolvers, ``RungeKuttaEvolver``, ``CGEvolver``, ``SpinTEvolver``,
    ``SpinXferEvolver`` and the finite-temperature ``UHH_ThetaEvolver``,
    ``Xf_ThermHeunEvolver``, ``Xf_ThermSpinXferEvolver``, are supported and their
    tests run.)

``OOMMF_BRANCH``
    The suite takes a calculator that has a ``RelaxDriver`` for mumax3 (mumax3c
    has one, oommfc has not) and then checks mumax3's own limitations: that DMI
    without exchange is refused and that only the crystal classes Cnv_z, T, O
    exist. ubermag-dirac has a ``RelaxDriver`` but implements DMI as OOMMF does
    (every crystal class, no exchange needed), so these tests run against a view
    of ubermag_dirac without ``RelaxDriver``: the suite's OOMMF branch, which
    checks the physics (the relaxed DMI spirals) instead. Every other test sees
    the full calculator, ``RelaxDriver`` included (stdprob3 and the energy tests
    relax with it).

``EXPECTED_WARNINGS``
    Tests that drive systems a user would almost certainly not mean (dynamics
    without ``mm.Precession``: a lone ``Damping(alpha=0)``, a lone
    ``Slonczewski``). They run as OOMMF runs them, and ubermag-dirac warns about
    the missing term (``UbermagDiracWarning``, an error elsewhere in the test
    suite); here that warning is expected and filtered.
"""

import pathlib
import types

import pytest

import ubermag_dirac

_EULER = (
    "OOMMF's first-order Euler evolver is not implemented: ud.EulerEvolver is "
    "refused with a ValueError pointing to ud.RungeKuttaEvolver"
)
_WRONG_EVOLVER = (
    "the wrong evolver is refused at drive() with a TypeError as in oommfc, but "
    "before the drive directory is made, so the suite's delete() of that "
    "directory fails (oommfc makes it first); "
    "tests/drivers/test_oommfc_evolvers.py checks the TypeError"
)
_MIF = (
    "checks for OOMMF's <name>.mif input file; ubermag-dirac writes the same "
    "drive layout with a human-readable <name>.input.json instead"
)

#: test id (Class.method or function) -> reason
SKIPS = {
    "TestTimeDriver.test_euler_evolver_nodriver": _EULER,
    "TestTimeDriver.test_wrong_evolver": _WRONG_EVOLVER,
    "TestMinDriver.test_wrong_evolver": _WRONG_EVOLVER,
    "TestTimeDriver.test_output_files": _MIF,
    "TestMinDriver.test_output_files": _MIF,
    "test_schedule": "schedule() writes an OOMMF run script for a batch scheduler",
}

_MUMAX3_DMI = (
    "the RelaxDriver branch checks mumax3's DMI limits (needs exchange; Cnv_z, T, "
    "O only), which ubermag-dirac does not share"
)

#: tests run against the view without RelaxDriver -> reason
OOMMF_BRANCH = {
    "TestDMI.test_scalar": _MUMAX3_DMI,
    "TestDMI.test_dict": _MUMAX3_DMI,
    "TestDMI.test_crystalclass_init": _MUMAX3_DMI,
}


_NO_PRECESSION = (
    "ignore:System .* but no mm.Precession:ubermag_dirac.UbermagDiracWarning"
)

#: test id -> warning filter of the warning these degenerate systems get
EXPECTED_WARNINGS = {
    "TestDamping.test_scalar": _NO_PRECESSION,  # Damping(alpha=0) only
    "TestSlonczewski.test_single_values": _NO_PRECESSION,  # Slonczewski only
    "TestSlonczewski.test_dict_values": _NO_PRECESSION,
    "TestSlonczewski.test_field_values": _NO_PRECESSION,
    "TestSlonczewski.test_single_values_finite_temperature": _NO_PRECESSION,
}


#: suite tests that take minutes on 2 cores: marked ``slow`` (CI runs them with
#: ``pytest -m slow``; measured wall time in the comment)
SLOW = {
    "test_stdprob3",  # muMAG SP3: 10 relaxations of a 16^3 cube with demag, ~60 s
    "test_stdprob5",  # muMAG SP5: 8 ns of Zhang-Li vortex dynamics
}


def pytest_collection_modifyitems(config, items):
    # (this hook sees the items of the whole session, not only this directory's)
    here = pathlib.Path(__file__).parent
    for item in items:
        if item.path.parent != here:
            continue
        if item.name in SLOW:
            item.add_marker(pytest.mark.slow)
        test_id = ".".join(item.nodeid.split("::")[1:])
        if test_id in EXPECTED_WARNINGS:
            item.add_marker(pytest.mark.filterwarnings(EXPECTED_WARNINGS[test_id]))


def _test_id(request) -> str:
    if request.cls is None:
        return request.function.__name__
    return f"{request.cls.__name__}.{request.function.__name__}"


class _WithoutRelaxDriver(types.ModuleType):
    """ubermag_dirac without ``RelaxDriver`` (the suite's OOMMF-like calculator)."""

    def __init__(self):
        super().__init__("ubermag_dirac")

    def __getattr__(self, name):
        if name == "RelaxDriver":
            raise AttributeError(name)
        return getattr(ubermag_dirac, name)


@pytest.fixture
def calculator(request):
    if _test_id(request) in OOMMF_BRANCH:
        return _WithoutRelaxDriver()
    return ubermag_dirac


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path, monkeypatch):
    """The suite writes drive folders into the working directory: keep them out of
    the repository (a failing test does not reach its ``calculator.delete``)."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _skip_oommf_specific(request):
    reason = SKIPS.get(_test_id(request))
    if reason:
        pytest.skip(f"OOMMF-specific or refused by design: {reason}")
