"""DiracSOT: construction, validation, Ubermag behaviour, torque formulas."""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac.terms import dirac_sot
from ubermag_dirac.terms.llg import gilbert_dmdt

from .conftest import random_unit

G0 = mm.consts.gamma0

RNG = np.random.default_rng(20261122)


def random_rotation():
    q, r = np.linalg.qr(RNG.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] *= -1
    return q


@pytest.fixture
def mesh():
    return df.Mesh(
        p1=(0, 0, 0),
        p2=(4e-9, 2e-9, 1e-9),
        n=(4, 2, 1),
        subregions={"ti": df.Region(p1=(0, 0, 0), p2=(2e-9, 2e-9, 1e-9))},
    )


# ---------------------------------------------------------------- construction


def test_defaults_and_repr():
    sot = ud.DiracSOT()
    assert sot.H_DL == 0 and sot.H_FL == 0 and sot.beta == 0
    assert sot.j == (1, 0, 0) and sot.n == (0, 0, 1)
    assert (
        repr(sot) == "DiracSOT(H_DL=0.0, H_FL=0.0, beta=0.0, j=(1, 0, 0), n=(0, 0, 1))"
    )
    assert sot.name == "diracsot"
    assert isinstance(sot, mm.DynamicsTerm)


def test_positional_and_keyword_and_numpy_scalars():
    a = ud.DiracSOT(-1e3, 2e3, 0.3, (0, 1, 0), (0, 0, 1))
    b = ud.DiracSOT(
        H_DL=np.float64(-1e3), H_FL=2e3, beta=np.float64(0.3), j=np.array([0, 1, 0])
    )
    assert a == b
    assert repr(b).startswith("DiracSOT(H_DL=-1000.0, H_FL=2000.0")
    assert "np." not in repr(b)


def test_func_dt_in_repr_and_time_factor():
    def pulse(t):
        return 1.0 if t < 1e-9 else 0.0

    sot = ud.DiracSOT(H_DL=1.0, func=pulse, dt=1e-10)
    assert "func=" in repr(sot) and "dt=1e-10" in repr(sot)
    assert sot.time_factor(0.96e-9) == 0.0  # sampled at round(t/dt) dt = 1e-9
    assert sot.time_factor(0.94e-9) == 1.0  # sampled at 0.9e-9
    assert ud.DiracSOT(H_DL=1.0, func=pulse).time_factor(0.96e-9) == 1.0  # no dt
    assert ud.DiracSOT(H_DL=1.0).time_factor(5.0) == 1.0
    # the factor multiplies both amplitudes
    lin = ud.DiracSOT(H_DL=3.0, H_FL=5.0, func=lambda t: 2.0 * t)
    m = np.array([0.6, 0.0, 0.8])
    np.testing.assert_allclose(
        lin.effective_field(m, t=1.5),
        3.0 * ud.DiracSOT(H_DL=3.0, H_FL=5.0).effective_field(m),
        rtol=1e-15,
    )


def test_region_dict_and_field_parameters(mesh):
    H_FL = df.Field(mesh, nvdim=1, value=lambda p: 1e3 * (1 + p[0] / 1e-9))
    sot = ud.DiracSOT(H_DL={"ti": -2e3, "default": 0.0}, H_FL=H_FL, beta=0.4)
    m = df.Field(mesh, nvdim=3, value=(0.0, 0.6, 0.8))
    H = sot.effective_field(m)
    assert isinstance(H, df.Field) and H.nvdim == 3
    fdl = (1 + 0.16 * 0.64) / (1 + 3 * 0.16 * 0.64) ** 2
    ffl = (1 - 0.16 * 0.64) / (1 + 3 * 0.16 * 0.64)
    x = mesh.cells.x
    for i in range(4):
        expect_dl = -2e3 if x[i] < 2e-9 else 0.0
        np.testing.assert_allclose(
            H.array[i, 0, 0],
            [-expect_dl * fdl * 0.8, -1e3 * (1 + x[i] / 1e-9) * ffl, 0.0],
            rtol=1e-13,
            atol=1e-12,
        )
    # dicts need a mesh
    with pytest.raises(TypeError, match=r"discretisedfield\.Field"):
        sot.effective_field(np.array([0.0, 0.6, 0.8]))
    # dmdt returns a field too
    assert isinstance(sot.dmdt(m, None, alpha=0.1), df.Field)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(beta=1.0), ValueError, r"beta = 1.0 .* 0 <= beta < 1.*metallic"),
        (dict(beta=1.5), ValueError, r"beta = 1.5 .* 0 <= beta < 1"),
        (dict(beta=-0.1), ValueError, r"beta = -0.1 .* 0 <= beta < 1"),
        (dict(beta={"a": 0.5, "b": 1.0}), ValueError, r"beta = 1.0 \(region 'b'\)"),
        (dict(H_DL="1e3"), TypeError, r"H_DL must be a real number"),
        (dict(H_DL=True), TypeError, r"H_DL must be a real number"),
        (dict(H_FL=np.inf), ValueError, r"H_FL = inf must be finite"),
        (dict(H_DL={"a": np.nan}), ValueError, r"H_DL = nan \(region 'a'\) must be"),
        (dict(H_DL={1: 2.0}), TypeError, r"H_DL dict keys must be region names"),
        (dict(H_DL={"a": "x"}), TypeError, r"H_DL\['a'\] must be a real number"),
        (dict(H_DL={}), ValueError, r"H_DL dict is empty"),
        (dict(j=(2, 0, 0)), ValueError, r"j \(in-plane current direction\).*length 2"),
        (dict(j=(0, 0, 0)), ValueError, r"j .* zero"),
        (dict(n=(0, 0, 0)), ValueError, r"n \(surface normal\) .* zero"),
        (dict(n=(0, 0, 1.1)), ValueError, r"n \(surface normal\).*unit vector"),
        (dict(j=(0.6, 0, 0.8)), ValueError, r"j = .* not perpendicular to n"),
        (dict(n=(1, 0, 0)), ValueError, r"not perpendicular"),
        (dict(j=(1, 0)), TypeError, r"j .* unit 3-vector"),
        (dict(j="x"), TypeError, r"j .* unit 3-vector"),
        (dict(j=(1, 0, np.nan)), ValueError, r"j .* non-finite"),
        (dict(func=3.0), TypeError, r"func must be callable"),
        (dict(func=abs, dt=0.0), ValueError, r"dt = 0.0 s is outside .* 0 < dt"),
        (dict(dt=1e-12), ValueError, r"dt = 1e-12 was given without func"),
        (dict(thickness=1e-9), ValueError, r"surface, thickness and E"),
        (dict(wrong=1), AttributeError, r"wrong"),
    ],
)
def test_validation_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ud.DiracSOT(**kwargs)


def test_field_parameter_validation(mesh):
    with pytest.raises(ValueError, match="nvdim=1"):
        ud.DiracSOT(H_DL=df.Field(mesh, nvdim=3, value=(1, 0, 0)))
    with pytest.raises(ValueError, match=r"beta = <field> .* 0 <= beta < 1"):
        ud.DiracSOT(beta=df.Field(mesh, nvdim=1, value=1.2))
    ud.DiracSOT(beta=df.Field(mesh, nvdim=1, value=0.9))


def test_in_plane_nonaxis_vectors_and_later_assignment():
    s = np.sqrt(0.5)
    sot = ud.DiracSOT(H_DL=1.0, j=(s, s, 0.0))
    assert sot.j == (s, s, 0.0)
    with pytest.raises(ValueError, match="not perpendicular"):
        sot.j = (0, 0, 1)
    assert sot.j == (s, s, 0.0)  # unchanged after the failed set
    with pytest.raises(ValueError, match="beta"):
        sot.beta = 2
    # a tilted frame: n along y, j along z
    ud.DiracSOT(H_DL=1.0, n=(0, 1, 0), j=(0, 0, 1))


def test_surface_convention_validation():
    with pytest.raises(ValueError, match="convention is only meaningful"):
        ud.DiracSOT(convention="kubo")
    surface = object()
    with pytest.raises(ValueError, match="convention = 'other'"):
        ud.DiracSOT(surface=surface, thickness=1e-9, E=1.0, convention="other")
    with pytest.raises(ValueError, match=r"thickness = -1e-09 m .* 0 < thickness"):
        ud.DiracSOT(surface=surface, thickness=-1e-9, E=1.0)
    sot = ud.DiracSOT(surface=surface, thickness=1e-9, E=-5.0)
    assert sot.convention == "kubo"  # default when a surface is given


# ---------------------------------------------------------------- Ubermag behaviour


def test_equality():
    a = ud.DiracSOT(H_DL=1.0, H_FL=2.0, beta=0.1)
    assert a == ud.DiracSOT(H_DL=1.0, H_FL=2.0, beta=0.1)
    assert a != ud.DiracSOT(H_DL=1.0, H_FL=2.0, beta=0.2)
    assert a != ud.DiracSOT(H_DL=1.0, H_FL=2.0, beta=0.1, j=(0, 1, 0))
    assert a != ud.DiracSOT(H_DL=1.0, H_FL=2.0, beta=0.1, name="other")
    assert a != ud.SpinHallSOT(H_SH=1.0)
    assert a != mm.Damping(alpha=0.1)


def test_latex():
    latex = ud.DiracSOT(H_DL=1.0)._repr_latex_()
    assert latex.startswith("$") and latex.endswith("$")
    for part in (
        r"H_\text{DL}",
        r"f_\text{DL}",
        r"H_\text{FL}",
        r"\alpha",
        r"\gamma_{0}",
    ):
        assert part in latex
    assert latex.count(r"\left") == latex.count(r"\right")
    assert latex.count("{") == latex.count("}")


def test_in_system_dynamics_with_builtin_terms():
    system = mm.System(name="ti_fm")
    system.dynamics += mm.Precession(gamma0=G0)
    system.dynamics += mm.Damping(alpha=0.05)
    sot = ud.DiracSOT(H_DL=-2e3, H_FL=1e3, beta=0.25)
    system.dynamics += sot
    assert len(system.dynamics) == 3
    assert system.dynamics.diracsot is sot
    assert sot in system.dynamics
    assert list(system.dynamics.get(type=ud.DiracSOT)) == [sot]
    assert "diracsot" in dir(system.dynamics)
    assert repr(system.dynamics).endswith(repr(sot))
    latex = system.dynamics._repr_latex_()
    assert r"H_\text{DL}" in latex and r"\mathbf{H}_\text{eff}" in latex
    # a second term of the same class needs its own name
    with pytest.raises(ValueError, match="already a term"):
        system.dynamics += ud.DiracSOT(H_DL=1.0)
    system.dynamics += ud.DiracSOT(H_DL=1.0, name="second")
    assert system.dynamics.second.H_DL == 1.0
    system.dynamics -= sot
    assert len(system.dynamics) == 3 and sot not in system.dynamics
    # term + term gives a Dynamics container
    both = sot + ud.AnisotropicDamping(delta_alpha=0.01)
    assert isinstance(both, mm.Dynamics) and len(both) == 2


# ---------------------------------------------------------------- formulas


def test_angular_factors_closed_values():
    assert dirac_sot.f_FL(1.0, 0.5) == pytest.approx(3 / 7, rel=1e-15)
    assert dirac_sot.f_DL(1.0, 0.5) == pytest.approx(20 / 49, rel=1e-15)
    assert dirac_sot.f_FL(-1.0, 0.5) == dirac_sot.f_FL(1.0, 0.5)
    mn = np.linspace(-1, 1, 11)
    np.testing.assert_array_equal(dirac_sot.f_FL(mn, 0.0), 1.0)
    np.testing.assert_array_equal(dirac_sot.f_DL(mn, 0.0), 1.0)
    with pytest.raises(ValueError, match="metallic"):
        dirac_sot.f_DL(0.5, 2.0)
    with pytest.raises(ValueError, match="metallic"):
        dirac_sot.torque_field([0, 0, 1.0], 1.0, 1.0, 1.0)


def test_m_along_normal():
    # m = n: damping-like torque gamma0 H_DL f_DL(1) (z x x) = gamma0 H_DL f_DL y,
    # field-like gamma0 H_FL z x (z x x) = -gamma0 H_FL x
    beta = 0.5
    T_dl = dirac_sot.torque([0, 0, 1.0], 7.0, 0.0, beta, gamma0=G0)
    np.testing.assert_allclose(T_dl, [0, G0 * 7.0 * 20 / 49, 0], rtol=1e-14)
    T_fl = dirac_sot.torque([0, 0, 1.0], 0.0, 3.0, beta, gamma0=G0)
    np.testing.assert_allclose(T_fl, [-G0 * 3.0 * 3 / 7, 0, 0], rtol=1e-14)


def test_in_plane_m_has_no_damping_like_torque():
    phi = np.linspace(0, 2 * np.pi, 9)
    m = np.stack([np.cos(phi), np.sin(phi), 0 * phi], axis=-1)
    T = dirac_sot.torque(m, 5.0, 0.0, 0.9, gamma0=G0)
    np.testing.assert_array_equal(T, 0.0)


def test_m_along_x_beta_zero():
    # DL: m_z = 0 -> 0; FL: x x (z x x) = x x y = z
    T = dirac_sot.torque([1.0, 0, 0], 11.0, 3.0, 0.0, gamma0=G0)
    np.testing.assert_allclose(T, [0, 0, G0 * 3.0], rtol=1e-15, atol=0)
    H = ud.DiracSOT(H_DL=11.0, H_FL=3.0).effective_field([1.0, 0, 0])
    np.testing.assert_allclose(H, [0, -3.0, 0], rtol=1e-15)


def test_torque_field_components_by_hand():
    # j = x, n = z: H_T = (-H_DL f_DL m_z, -H_FL f_FL, 0), written out per cell
    m = random_unit(RNG, (50,))
    H_DL = RNG.normal(size=50) * 1e3
    H_FL = RNG.normal(size=50) * 1e3
    beta = RNG.uniform(0, 0.99, size=50)
    H = dirac_sot.torque_field(m, H_DL, H_FL, beta)
    for k in range(50):
        mz = m[k, 2]
        b2 = beta[k] ** 2 * mz**2
        fdl = (1 + b2) / (1 + 3 * b2) ** 2
        ffl = (1 - b2) / (1 + 3 * b2)
        expect = [-H_DL[k] * fdl * mz, -H_FL[k] * ffl, 0.0]
        np.testing.assert_allclose(H[k], expect, rtol=1e-13, atol=1e-10)
    # torques from the Gilbert-form definitions
    T = dirac_sot.torque(m, H_DL, H_FL, beta, gamma0=G0)
    mz = m[:, 2]
    b2 = beta**2 * mz**2
    x, y = np.array([1.0, 0, 0]), np.array([0, 1.0, 0])
    T_hand = G0 * (H_DL * (1 + b2) / (1 + 3 * b2) ** 2 * mz)[:, None] * np.cross(m, x)
    T_hand += G0 * (H_FL * (1 - b2) / (1 + 3 * b2))[:, None] * np.cross(m, y)
    np.testing.assert_allclose(T, T_hand, rtol=1e-12, atol=1e-9 * G0)
    np.testing.assert_allclose(np.sum(T * m, axis=-1), 0, atol=1e-8 * G0)


def test_rotation_covariance():
    R = random_rotation()
    m = random_unit(RNG, (20,))
    j, n = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])
    H = dirac_sot.torque_field(m, 3.0, -2.0, 0.7, j, n)
    H_rot = dirac_sot.torque_field(m @ R.T, 3.0, -2.0, 0.7, R @ j, R @ n)
    np.testing.assert_allclose(H_rot, H @ R.T, rtol=1e-12, atol=1e-12)
    sot = ud.DiracSOT(H_DL=3.0, H_FL=-2.0, beta=0.7, j=tuple(R @ j), n=tuple(R @ n))
    np.testing.assert_allclose(sot.effective_field(m @ R.T), H @ R.T, atol=1e-12)


def test_broadcasting_shapes():
    m = random_unit(RNG, (3, 4, 5))
    H = dirac_sot.torque_field(m, np.ones((3, 4, 5)), 1.0, 0.5)
    assert H.shape == (3, 4, 5, 3)
    H2 = dirac_sot.torque_field(m, 1.0, 1.0, np.full((4, 5), 0.5))
    np.testing.assert_array_equal(H, H2)
    with pytest.raises(ValueError, match="trailing axis of length 3"):
        ud.DiracSOT(H_DL=1.0).effective_field(np.zeros((4, 2)))


def test_dmdt_method():
    sot = ud.DiracSOT(H_DL=-3e3, H_FL=2e3, beta=0.6, func=lambda t: 0.5)
    m = random_unit(RNG, (30,))
    H_T = 0.5 * dirac_sot.torque_field(m, -3e3, 2e3, 0.6)
    # alpha = 0: the torque itself
    np.testing.assert_allclose(
        sot.dmdt(m, None), -G0 * np.cross(m, H_T), rtol=1e-12, atol=1e-6
    )
    # scalar alpha: Landau-Lifshitz form of the torque field
    alpha = 0.3
    mxH = np.cross(m, H_T)
    ll = -G0 / (1 + alpha**2) * (mxH + alpha * np.cross(m, mxH))
    np.testing.assert_allclose(
        sot.dmdt(m, None, alpha=alpha), ll, rtol=1e-12, atol=1e-6
    )


def test_inside_gilbert_form_differs_from_outside_at_order_alpha():
    """Why the torque goes inside the Gilbert form (docs/PHYSICS.md, Conventions).

    Inside: dm/dt solves dm/dt = -g m x (H + H_T) + alpha m x dm/dt.
    Outside (adding T = -g m x H_T to an LLG solution): dm/dt_LLG(H) + T.
    The difference is g [alpha^2 m x H_T - alpha m x (m x H_T)] / (1 + alpha^2),
    first order in alpha; for the damping-like part it rescales and for the
    field-like part it rotates the torque, changing switching thresholds.
    """
    m = random_unit(RNG, (40,))
    Heff = RNG.normal(size=(40, 3)) * 1e4
    H_T = dirac_sot.torque_field(m, -5e3, 2e3, 0.5)
    T = -G0 * np.cross(m, H_T)
    for alpha in (0.3, 1e-2, 1e-4):
        inside = gilbert_dmdt(m, Heff + H_T, G0, alpha)
        outside = gilbert_dmdt(m, Heff, G0, alpha) + T
        diff = inside - outside
        mxH = np.cross(m, H_T)
        expect = G0 * (alpha**2 * mxH - alpha * np.cross(m, mxH)) / (1 + alpha**2)
        np.testing.assert_allclose(diff, expect, rtol=1e-8, atol=1e-12 * G0 * 1e4)
        # leading order: -alpha g m x (m x H_T), non-zero
        lead = -alpha * G0 * np.cross(m, mxH)
        rel = np.linalg.norm(diff - lead) / np.linalg.norm(lead)
        assert rel < 2 * alpha
        assert np.linalg.norm(diff) > 0.5 * alpha * np.linalg.norm(T)


def test_copies_compare_equal():
    import copy

    terms = [
        ud.DiracSOT(H_DL={"a": 1.0, "default": 0.0}, beta=0.2, func=np.sin, dt=1e-12),
        ud.AnisotropicDamping(delta_alpha=0.1, n=(0, 1, 0)),
        ud.SpinHallSOT(H_SH=-3.0, j=(0, 1, 0)),
    ]
    for term in terms:
        for other in (copy.copy(term), copy.deepcopy(term)):
            assert other == term and other is not term
            assert repr(other) == repr(term)
