"""Silent traps of a system's dynamics become errors or warnings at drive time."""

import discretisedfield as df
import micromagneticmodel as mm
import pytest

import ubermag_dirac as ud

SURFACE = ud.theory.preset("Bi2Se3")


def film(Ms=8e5, d=1e-9, layers=1, dynamics=None):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(8e-9, 8e-9, layers * d), cell=(4e-9, 4e-9, d))
    s = mm.System(name="film")
    s.energy = mm.UniaxialAnisotropy(K=8e5, u=(0, 0, 1))
    if dynamics is None:
        dynamics = mm.Precession(gamma0=mm.consts.gamma0) + mm.Damping(alpha=0.1)
    s.dynamics = dynamics
    s.m = df.Field(mesh, nvdim=3, value=(0.1, 0, 1), norm=Ms)
    return s


def drive(system, tmp_path):
    ud.TimeDriver().drive(system, t=1e-12, n=1, dirname=tmp_path, verbose=0)


def test_consistent_terms_drive(tmp_path):
    s = film(Ms=8e5, d=1e-9, layers=2)
    s.dynamics += ud.DiracSOT.from_surface(SURFACE, J=1e11, thickness=2e-9, Ms=8e5)
    s.dynamics += ud.AnisotropicDamping.from_surface(SURFACE, thickness=2e-9, Ms=8e5)
    drive(s, tmp_path)
    assert s.drive_number == 1


def test_ms_differing_from_the_norm_of_m_is_refused(tmp_path):
    # the example: Ms = 8e5 in the term, 1.2e6 in the system
    s = film(Ms=1.2e6)
    s.dynamics += ud.DiracSOT.from_surface(SURFACE, J=1e11, thickness=1e-9, Ms=8e5)
    with pytest.raises(
        ValueError,
        match=r"DiracSOT 'diracsot' was built by from_surface with Ms = 800000 A/m, "
        r"but system 'film' has Ms = 1.2e\+06 A/m .*scale as 1/Ms and are 1.5x",
    ):
        drive(s, tmp_path)
    assert not (tmp_path / "film").exists()  # refused before anything is written


@pytest.mark.parametrize(
    ("given", "effect"),
    [
        (dict(E=1e5), r"with E given, the amplitudes .* are 1/5 of this film's"),
        (dict(J=1e11), r"with J given, H_DL and H_FL do not depend on it .* 5x"),
    ],
)
def test_thickness_differing_from_the_mesh_is_refused(tmp_path, given, effect):
    # the example: 5 nm in the term, a 1 nm film
    s = film(d=1e-9)
    s.dynamics += ud.DiracSOT.from_surface(SURFACE, thickness=5e-9, Ms=8e5, **given)
    with pytest.raises(
        ValueError,
        match=r"with thickness = 5e-09 m, but the magnetic film of system 'film' is "
        r"1e-09 m \(1 cell\(s\) of 1e-09 m\) thick along n = \(0, 0, 1\): " + effect,
    ):
        drive(s, tmp_path)


def test_anisotropic_damping_from_surface_is_checked_too(tmp_path):
    s = film(Ms=8e5, d=1e-9)
    s.dynamics += ud.AnisotropicDamping.from_surface(SURFACE, thickness=3e-9, Ms=8e5)
    with pytest.raises(ValueError, match=r"AnisotropicDamping .*delta_alpha scales"):
        drive(s, tmp_path)


def test_nonuniform_film_accepts_a_value_within_its_range(tmp_path):
    s = film(Ms=8e5, d=1e-9, layers=3)
    # a wedge: 3 magnetic layers on one half, 1 on the other
    s.m.norm = df.Field(
        s.m.mesh,
        nvdim=1,
        value=lambda p: 0.0 if (p[0] > 4e-9 and p[2] > 1e-9) else 8e5,
    )
    s.dynamics += ud.DiracSOT.from_surface(SURFACE, J=1e11, thickness=2e-9, Ms=8e5)
    drive(s, tmp_path)
    bad = film(Ms=8e5, d=1e-9, layers=3)
    bad.m.norm = s.m.norm
    bad.dynamics += ud.DiracSOT.from_surface(SURFACE, J=1e11, thickness=4e-9, Ms=8e5)
    with pytest.raises(ValueError, match=r"is 1e-09-3e-09 m \(cells of 1e-09 m\)"):
        drive(bad, tmp_path)


def test_dynamics_without_precession_warns(tmp_path):
    s = film(dynamics=mm.Damping(alpha=0.1) + ud.DiracSOT(H_DL=-1e4))
    with pytest.warns(
        ud.UbermagDiracWarning,
        match=r"no mm.Precession: the torque term\(s\) \['diracsot'\] then act only "
        r"through the damping.*Add mm.Precession\(gamma0=mm.consts.gamma0\)",
    ):
        drive(s, tmp_path)
    s = film(dynamics=ud.SpinHallSOT(H_SH=1e4))
    with pytest.warns(ud.UbermagDiracWarning, match=r"m never moves"):
        drive(s, tmp_path)


def test_damped_relaxation_without_precession_is_not_a_mistake(tmp_path):
    s = film(dynamics=mm.Damping(alpha=0.5))
    drive(s, tmp_path)  # filterwarnings=error: any warning would fail here
