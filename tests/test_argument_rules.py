"""One rule for arguments across constructors (issue 15, "Smaller").

Numbers are real numbers: strings are refused everywhere with a TypeError
naming the parameter (never converted in one constructor and refused in the
next); a surface must be a DiracSurface; a torque term's default current
direction is named when it does not fit the normal given; the sweep's ``starts`` and
``executor`` are checked. Each case failed on the code before the change.
"""

import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac import switching as sw

SURFACE = ud.theory.preset("Bi2Se3")
FROM_SURFACE = {"E": 1e4, "thickness": 1e-9, "Ms": 8e5}

STRING_NUMBERS = {
    "DiracSOT H_DL": lambda: ud.DiracSOT(H_DL="1e3"),
    "SpinHallSOT H_SH": lambda: ud.SpinHallSOT(H_SH="1e3"),
    "AnisotropicDamping delta_alpha": lambda: ud.AnisotropicDamping(delta_alpha="0.1"),
    "from_surface E": lambda: ud.DiracSOT.from_surface(
        SURFACE, **{**FROM_SURFACE, "E": "1e4"}
    ),
    "from_surface J": lambda: ud.DiracSOT.from_surface(
        SURFACE, J="1e10", thickness=1e-9, Ms=8e5
    ),
    "from_surface thickness": lambda: ud.DiracSOT.from_surface(
        SURFACE, **{**FROM_SURFACE, "thickness": "1e-9"}
    ),
    "from_surface Ms": lambda: ud.DiracSOT.from_surface(
        SURFACE, **{**FROM_SURFACE, "Ms": "8e5"}
    ),
    "AnisotropicDamping.from_surface thickness": lambda: (
        ud.AnisotropicDamping.from_surface(SURFACE, thickness="1e-9", Ms=8e5)
    ),
    "DiracSurface v": lambda: ud.theory.DiracSurface(
        v="6e5", Delta=1e-20, eps_F=3e-20, tau=1e-13
    ),
    "DiracSurface Delta": lambda: ud.theory.DiracSurface(
        v=6e5, Delta="1e-20", eps_F=3e-20, tau=1e-13
    ),
    "DiracSurface.from_ev v": lambda: ud.theory.DiracSurface.from_ev(
        "6e5", 0.05, 0.2, 5e-14
    ),
    "TimeDriver tol": lambda: ud.TimeDriver(tol="1e-6"),
    "Trapezoid rise": lambda: sw.Trapezoid(rise="1e-11"),
    "macrospin hx": lambda: ud.macrospin.phase_diagram(["0.1"], [0.0]),
}


@pytest.mark.parametrize("case", STRING_NUMBERS)
def test_strings_are_never_numbers(case):
    with pytest.raises(TypeError) as info:
        STRING_NUMBERS[case]()
    name = case.split()[-1]
    assert name in str(info.value) or "real number" in str(info.value)


def test_from_surface_expects_a_surface_and_says_how_to_get_one():
    with pytest.raises(TypeError, match=r"DiracSurface.*preset\('Bi2Se3'\)"):
        ud.DiracSOT.from_surface("Bi2Se3", **FROM_SURFACE)
    with pytest.raises(TypeError, match=r"surface must be"):
        ud.AnisotropicDamping.from_surface("Bi2Se3", thickness=1e-9, Ms=8e5)


@pytest.mark.parametrize("cls", [ud.DiracSOT, ud.SpinHallSOT])
def test_a_defaulted_current_direction_is_named_when_it_cannot_be_used(cls):
    """``DiracSOT(n=(1, 0, 0))`` used to blame a j the user never set."""
    amp = {"H_DL": 1e3} if cls is ud.DiracSOT else {"H_SH": 1e3}
    assert cls(**amp).j == (1, 0, 0)
    assert cls(**amp, n=(0, 1, 0)).j == (1, 0, 0)
    with pytest.raises(ValueError, match=r"j was not given.*j=\(0\.0, 1\.0, 0\.0\)"):
        cls(**amp, n=(1, 0, 0))
    with pytest.raises(ValueError, match=r"j was not given.*j=\(0\.8, 0\.0, -0\.6\)"):
        cls(**amp, n=(0.6, 0, 0.8))
    assert cls(**amp, n=(1, 0, 0), j=(0, 1, 0)).j == (0, 1, 0)
    with pytest.raises(ValueError, match=r"j = \(1, 0, 0\) is not perpendicular"):
        cls(**amp, n=(1, 0, 0), j=(1, 0, 0))  # a given j is named as before


def _film():
    import discretisedfield as df
    import micromagneticmodel as mm

    mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 1e-9), n=(2, 2, 1))
    s = mm.System(name="dot")
    s.energy = mm.Exchange(A=1.5e-11) + mm.UniaxialAnisotropy(K=8e5, u=(0, 0, 1))
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.3)
    s.dynamics += ud.SpinHallSOT(H_SH=0.0)
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    return s


def test_sweep_starts_and_executor_are_checked():
    fast = {"t_run": 1e-10, "n_samples": 5, "progress": False}
    ds = sw.phase_diagram(_film(), [0.0], [0.0], starts="up", **fast)
    assert ds.attrs["starts"] == ["up"]
    assert np.isnan(ds.mz_down.values).all() and np.isfinite(ds.mz_up.values).all()
    with pytest.raises(ValueError, match="starts must be"):
        sw.phase_diagram(_film(), [0.0], [0.0], starts="sideways", **fast)
    with pytest.raises(TypeError, match=r"executor must be a concurrent\.futures"):
        sw.phase_diagram(_film(), [0.0], [0.0], executor=object(), **fast)
    with pytest.raises(TypeError, match="hx element must be a real number"):
        sw.phase_diagram(_film(), ["0.0"], [0.0], **fast)
