"""A torque added from outside the package runs through the macrospin and the
switching sweep: one module-sized definition (term class, compiled kernel,
descriptor) and one registration.

The torque is a field-like spin-orbit torque, H_T = -H_FT p (p = n x j): a
current-proportional in-plane field. For a perpendicular macrospin (h_K = 1)
with h_x along j and a slowly ramped current, the field-relaxed up and down
states both survive exactly when the in-plane field is below the anisotropy
field, h_x^2 + s^2 < 1 (the Stoner-Wohlfarth limit of an in-plane field), and
m lies in the plane above it: the phase diagram is known in closed form.
"""

import discretisedfield as df
import micromagneticmodel as mm
import numba
import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac import torques


@numba.njit(inline="always")
def fieldlike_kernel(mx, my, mz, mn, jx, jy, jz, px, py, pz, cur, h_ft, q1, q2, q3):
    c = -cur * h_ft
    return c * px, c * py, c * pz


class FieldLikeSOT(mm.DynamicsTerm):
    """Test torque: H_T = -H_FT p (A/m)."""

    _allowed_attributes = ("H_FT", "j", "n", "func", "dt")
    _reprlatex = r"-\gamma_0\,\mathbf{m}\times(-H_\mathrm{FT}\mathbf{p})"

    def __init__(self, H_FT=0.0, j=(1, 0, 0), n=(0, 0, 1), **kwargs):
        super().__init__(H_FT=H_FT, j=j, n=n, **kwargs)

    def dmdt(self, m, Heff):  # pragma: no cover - not used by the calculator
        raise NotImplementedError


FIELDLIKE = torques.Torque(
    name="test_fieldlike",
    label="field-like",
    term=FieldLikeSOT,
    parameters=(torques.Parameter("H_FT", "h_ft"),),
    kernel=fieldlike_kernel,
)


@pytest.fixture(scope="module")
def fieldlike():
    torques.register_torque(FIELDLIKE)
    yield FIELDLIKE
    torques.unregister_torque(FIELDLIKE.name)
    assert torques.names() == ("dirac", "she")


def test_registration_rules(fieldlike):
    assert torques.get("test_fieldlike") is fieldlike
    assert torques.for_term(FieldLikeSOT(H_FT=1.0)) is fieldlike
    assert torques.register_torque(FIELDLIKE) is FIELDLIKE  # idempotent
    with pytest.raises(ValueError, match="already registered"):
        torques.register_torque(
            torques.Torque(
                "test_fieldlike", "x", FieldLikeSOT, FIELDLIKE.parameters, None
            )
        )
    with pytest.raises(ValueError, match="1 to 4 parameters"):
        torques.Torque("t", "x", FieldLikeSOT, (), fieldlike_kernel)
    with pytest.raises(ValueError, match="used by another torque"):
        torques.register_torque(
            torques.Torque(
                "other", "x", mm.Damping, (torques.Parameter("H_X", "h_dl"),), None
            )
        )
    with pytest.raises(ValueError, match="cannot be removed"):
        torques.unregister_torque("dirac")


def test_macrospin_rhs_and_from_terms(fieldlike):
    ms = ud.macrospin
    m = np.array([[0.6, 0.0, 0.8], [0.0, 0.6, -0.8]])
    p = np.array([0.0, 1.0, 0.0])  # n x j
    # the kernel's field inside the Gilbert form: the same as an applied field
    got = ms.dmdt(m, h_ft=0.3, current=0.5, alpha=0.2)
    ref = ms.dmdt(m, h=-0.15 * p, alpha=0.2)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-14)
    kw = ms.from_terms([FieldLikeSOT(H_FT=2e4), mm.Damping(alpha=0.1)], H_K=1e5)
    assert kw["h_ft"] == pytest.approx(0.2) and kw["alpha"] == 0.1


def test_macrospin_phase_diagram_matches_the_in_plane_field_limit(fieldlike):
    hx = np.array([0.0, 0.3, 0.6, 0.9])
    s = np.array([0.2, 0.5, 0.75, 0.95, 1.2])
    ramp = ud.macrospin.Pulse.ramp(300.0)  # quasi-static (a step can toggle)
    ds = ud.macrospin.phase_diagram(
        hx, s, torque="test_fieldlike", alpha=0.5, current=ramp, t_max=1000.0
    )
    assert ds.hsot.attrs["long_name"] == "H_FT / H_K"
    inside = hx[:, None] ** 2 + s[None, :] ** 2 < 1
    # bistable exactly below the limit, in-plane above it
    np.testing.assert_array_equal(ds.state.values, np.where(inside, 0, 3))


def test_switching_sweep_runs_the_torque_and_matches_the_macrospin(fieldlike):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 1e-9), n=(2, 2, 1))
    film = mm.System(name="dot")
    K, Ms = 8e5, 8e5
    film.energy = mm.Exchange(A=1.5e-11) + mm.UniaxialAnisotropy(K=K, u=(0, 0, 1))
    film.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.5)
    film.dynamics += FieldLikeSOT(H_FT=0.0)
    film.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=Ms)
    HK = 2 * K / (mm.consts.mu0 * Ms)
    ds = ud.switching.phase_diagram(
        film,
        [0.0, 0.5 * HK],
        [0.3 * HK, 1.2 * HK],
        pulse=ud.switching.Trapezoid(rise=0.2e-9),
        t_run=0.5e-9,
        n_samples=10,
        progress=False,
    )
    assert ds.attrs["torque"] == "test_fieldlike"
    np.testing.assert_array_equal(ds.state.values, [[0, 3], [0, 3]])
    cmp = ud.switching.compare(ds)  # the macrospin with the film's parameters
    assert np.array_equal(cmp.state_film.values, cmp.state_macrospin.values)
