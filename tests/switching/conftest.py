"""Film factories shared by the switching tests."""

import discretisedfield as df
import micromagneticmodel as mm
import pytest

import ubermag_dirac as ud

GAMMA0 = 2.211e5


def film(
    n=(2, 2, 1),
    cell=(4e-9, 4e-9, 1e-9),
    torque="dirac",
    *,
    Ms=8e5,
    K=5e5,
    A=1.5e-11,
    alpha=0.3,
    demag=True,
    D=None,
    name="film",
    **term_kwargs,
):
    """A PMA film with one swept torque term (amplitude 0 in the template)."""
    mesh = df.Mesh(
        p1=(0, 0, 0), p2=tuple(k * c for k, c in zip(n, cell, strict=True)), n=n
    )
    s = mm.System(name=name)
    s.energy = mm.Exchange(A=A) + mm.UniaxialAnisotropy(K=K, u=(0, 0, 1))
    if demag:
        s.energy += mm.Demag()
    if D is not None:
        s.energy += mm.DMI(D=D, crystalclass="Cnv_z")
    s.dynamics = mm.Precession(gamma0=GAMMA0) + mm.Damping(alpha=alpha)
    if torque == "dirac":
        s.dynamics += ud.DiracSOT(**{"H_DL": 0.0, **term_kwargs})
    else:
        s.dynamics += ud.SpinHallSOT(**{"H_SH": 0.0, **term_kwargs})
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=Ms)
    return s


@pytest.fixture
def make_film():
    return film
