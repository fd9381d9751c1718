"""Zhang-Li spin-transfer torque (``mm.ZhangLi``) as OOMMF's Anv_SpinTEvolve runs it.

Independent checks: a loop-by-loop transcription of OOMMF's ``Calculate_dm_dt``
(``spintevolve.cc`` / ``spintevolve_3d.cc``) on small random meshes with empty
cells; a uniform state; second-order convergence to the analytic torque of a
smooth periodic profile; the steady velocity :math:`v = \\beta u/\\alpha` of a
domain wall below Walker breakdown; ``func``/``dt`` and Tcl time dependence; and
the refused inputs.
"""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine import Engine, UnsupportedTermError
from ubermag_dirac.engine.dynamics import GAMMA0_OOMMF

GAMMA = 2.211e5
MS = 8e5


# ------------------------------------------------------------------ reference
def oommf_dmdt(m, H, Ms, u, beta, alpha, gamma, do_precess, cell, periodic=""):
    """OOMMF's ``Anv_SpinTEvolve_3d::Calculate_dm_dt`` transcribed cell by cell.

    ``m``, ``H``, ``u``: ``(nx, ny, nz, 3)``; ``Ms``, ``alpha``: ``(nx, ny, nz)``;
    ``gamma``: Gilbert gamma0 (m/(A s)). OOMMF has no periodic meshes here; for a
    direction in ``periodic`` the neighbour wraps around and the face
    correction is not applied (the engine's extension).
    """
    n = m.shape[:3]
    out = np.zeros_like(m)
    for idx in np.ndindex(*n):
        if Ms[idx] == 0:
            continue
        a = alpha[idx]
        g_ll = gamma / (1 + a * a)
        mi = m[idx]
        mxH = np.cross(mi, H[idx])
        dmdt = -g_ll * mxH if do_precess else np.zeros(3)
        grad = np.zeros(3)
        for k in range(3):
            if u[idx][k] == 0:
                continue
            nk = n[k]
            x = idx[k]
            per = "xyz"[k] in periodic

            def nb(step, idx=idx, k=k, x=x, nk=nk, per=per):
                y = x + step
                if per:
                    y %= nk
                elif not 0 <= y < nk:
                    return None
                j = list(idx)
                j[k] = y
                return tuple(j)

            d = np.zeros(3)
            jm, jp = nb(-1), nb(+1)
            if jm is not None and Ms[jm] != 0:
                d = 0.5 * (mi - m[jm])
            if jp is not None and Ms[jp] != 0:
                d = d + 0.5 * (m[jp] - mi)
            if nk > 2 and not per:  # free boundary correction
                if x == 0 and Ms[jp] != 0:
                    d = d + 0.5 * (m[jp] - mi)
                if x == nk - 1 and Ms[jm] != 0:
                    d = d + 0.5 * (mi - m[jm])
            grad += d / cell[k] * u[idx][k]
        m_g = np.cross(mi, grad)
        m_m_g = np.cross(m_g, mi)
        dmdt = dmdt + a * g_ll * np.cross(mxH, mi)  # -alpha g_LL m x (m x H)
        dmdt = dmdt - (1 + a * beta) / (1 + a * a) * m_m_g
        dmdt = dmdt + (beta - a) / (1 + a * a) * m_g
        out[idx] = dmdt
    return out


def _random_system(rng, n, cell, periodic="", empty=True, name="zl"):
    p2 = tuple(c * k for c, k in zip(cell, n, strict=True))
    mesh = df.Mesh(p1=(0, 0, 0), p2=p2, n=n, bc=periodic)
    m = rng.normal(size=(*n, 3))
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    Ms = np.full(n, MS)
    if empty:
        Ms[2, 1, 0] = 0.0
        Ms[0, 2, 1] = 0.0
        Ms[4, 0, 2] = 0.0
    s = mm.System(name=name)
    s.m = df.Field(mesh, nvdim=3, value=m * Ms[..., None])
    s.energy = mm.Exchange(A=1e-12) + mm.Zeeman(H=(1e4, -2e4, 5e4))
    return s, mesh


# ----------------------------------------------- exact OOMMF right-hand side
@pytest.mark.parametrize(
    "u_kind, do_precess, periodic",
    [
        ("scalar", True, ""),
        ("scalar", False, ""),
        ("vector", True, ""),
        ("vector", False, ""),
        ("vector", True, "xz"),
        ("scalar", True, "x"),
    ],
)
def test_dmdt_equals_oommf_transcription(u_kind, do_precess, periodic):
    rng = np.random.default_rng(7)
    n, cell = (7, 4, 3), (2e-9, 3e-9, 2.5e-9)
    s, mesh = _random_system(rng, n, cell, periodic)
    alpha_arr = rng.uniform(0.05, 0.6, size=n)
    alpha = df.Field(mesh, nvdim=1, value=alpha_arr[..., None])
    if u_kind == "scalar":
        u_arr = np.zeros((*n, 3))
        u_arr[..., 0] = rng.uniform(-2000, 2000, size=n)
        u = df.Field(mesh, nvdim=1, value=u_arr[..., :1])
    else:
        u_arr = rng.uniform(-2000, 2000, size=(*n, 3))
        u = df.Field(mesh, nvdim=3, value=u_arr)
    beta = 0.27
    dyn = mm.Damping(alpha=alpha) + mm.ZhangLi(u=u, beta=beta)
    if do_precess:
        dyn = mm.Precession(gamma0=GAMMA) + dyn
    s.dynamics = dyn
    engine = Engine(s)
    m = np.moveaxis(engine.m[0], 0, -1)
    H = np.moveaxis(engine.effective_field()[0], 0, -1)
    gamma = GAMMA if do_precess else GAMMA0_OOMMF
    ref = oommf_dmdt(
        m, H, engine.Ms[0], u_arr, beta, alpha_arr, gamma, do_precess, cell, periodic
    )
    got = np.moveaxis(engine.dmdt()[0], 0, -1)
    scale = np.abs(ref).max()
    assert scale > 1e8
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-11 * scale)
    # the Zhang-Li part is not negligible against the field part
    s.dynamics -= s.dynamics.zhangli
    plain = np.moveaxis(Engine(s).dmdt()[0], 0, -1)
    assert np.abs(got - plain).max() > 0.05 * scale


def test_uniform_state_feels_no_torque():
    mesh = df.Mesh(p1=(0, 0, 0), p2=(20e-9, 10e-9, 4e-9), cell=(2e-9, 2e-9, 2e-9))
    s = mm.System(name="uniform")
    s.energy = mm.Exchange(A=1e-11)
    s.dynamics = (
        mm.Precession(gamma0=GAMMA)
        + mm.Damping(alpha=0.1)
        + mm.ZhangLi(u=(300, -200, 100), beta=0.2)
    )
    s.m = df.Field(mesh, nvdim=3, value=(0.3, 0.4, 0.5), norm=MS)
    engine = Engine(s)
    assert np.abs(engine.torque_fields()["zhangli"]).max() == 0.0
    assert np.abs(engine.dmdt()).max() < 1e-6


def test_batch_equals_single_systems():
    rng = np.random.default_rng(3)
    systems = []
    for k, (u, beta) in enumerate([(150.0, 0.1), ((0, -80.0, 40.0), 0.6)]):
        s, _ = _random_system(rng, (6, 5, 3), (2e-9, 2e-9, 2e-9), name=f"s{k}")
        s.dynamics = (
            mm.Precession(gamma0=GAMMA)
            + mm.Damping(alpha=0.2)
            + mm.ZhangLi(u=u, beta=beta)
        )
        systems.append(s)
    batched = Engine(systems).torque_fields()["zhangli"]
    for k, s in enumerate(systems):
        single = Engine(s).torque_fields()["zhangli"][0]
        np.testing.assert_allclose(batched[k], single, rtol=1e-14, atol=0)


def test_stencil_at_faces_and_empty_cells_is_oommfs():
    """Spelled out: one-sided difference at a mesh face (more than two cells),
    half the one-sided difference next to an empty cell, central elsewhere, and
    half differences at both faces of a two-cell axis."""
    dx, u, beta = 2e-9, 400.0, 0.25

    def torque(nx, empty=()):
        mesh = df.Mesh(p1=(0, 0, 0), p2=(nx * dx, dx, dx), n=(nx, 1, 1))
        phi = 0.3 * np.arange(nx)
        m = np.stack([np.cos(phi), np.sin(phi), 0.2 * np.ones(nx)], axis=-1)
        m /= np.linalg.norm(m, axis=-1, keepdims=True)
        Ms = np.full(nx, MS)
        Ms[list(empty)] = 0.0
        s = mm.System(name="chain")
        s.energy = mm.Exchange(A=1e-11)
        s.dynamics = mm.Precession(gamma0=GAMMA) + mm.ZhangLi(u=u, beta=beta)
        s.m = df.Field(mesh, nvdim=3, value=(m * Ms[:, None])[:, None, None, :])
        H_T = Engine(s).torque_fields()["zhangli"][0, :, :, 0, 0].T
        return m, H_T

    def expected(m, g):
        g = u * g
        g_perp = g - np.sum(m * g, axis=-1, keepdims=True) * m
        return -(np.cross(m, g) + beta * g_perp) / GAMMA

    m, H_T = torque(6, empty=[3])
    g = np.zeros((6, 3))
    g[0] = (m[1] - m[0]) / dx  # face: one-sided
    g[1] = (m[2] - m[0]) / (2 * dx)  # interior: central
    g[2] = 0.5 * (m[2] - m[1]) / dx  # empty right neighbour: half
    g[4] = 0.5 * (m[5] - m[4]) / dx  # empty left neighbour: half
    g[5] = (m[5] - m[4]) / dx  # face: one-sided
    ref = expected(m, g)
    ref[3] = 0.0
    np.testing.assert_allclose(H_T, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())

    m, H_T = torque(2)
    g = np.array([0.5 * (m[1] - m[0]), 0.5 * (m[1] - m[0])]) / dx
    np.testing.assert_allclose(H_T, expected(m, g), rtol=1e-12)


# ------------------------------------------------ convergence to the continuum
def _profile(x, L):
    q = 2 * np.pi / L
    theta = 1.1 + 0.5 * np.sin(q * x)
    phi = q * x
    dtheta = 0.5 * q * np.cos(q * x)
    dphi = q
    st, ct, sp, cp = np.sin(theta), np.cos(theta), np.sin(phi), np.cos(phi)
    m = np.stack([st * cp, st * sp, ct], axis=-1)
    dm = np.stack(
        [
            ct * cp * dtheta - st * sp * dphi,
            ct * sp * dtheta + st * cp * dphi,
            -st * dtheta,
        ],
        axis=-1,
    )
    return m, dm


def _torque_error(nx, L=64e-9, u=250.0, beta=0.3):
    dx = L / nx
    mesh = df.Mesh(p1=(0, 0, 0), p2=(L, dx, dx), n=(nx, 1, 1), bc="x")
    x = (np.arange(nx) + 0.5) * dx
    m, dm = _profile(x, L)
    s = mm.System(name="profile")
    s.energy = mm.Exchange(A=1e-11)
    s.dynamics = (
        mm.Precession(gamma0=GAMMA) + mm.Damping(alpha=0.1) + mm.ZhangLi(u=u, beta=beta)
    )
    s.m = df.Field(mesh, nvdim=3, value=(m * MS)[:, None, None, :])
    H_T = np.moveaxis(Engine(s).torque_fields()["zhangli"][0, :, :, 0, 0], 0, -1)
    # analytic: H_T = -(m x g + beta g_perp) / gamma0 with g = u dm/dx (g is
    # perpendicular to m in the continuum)
    g = u * dm
    exact = -(np.cross(m, g) + beta * g) / GAMMA
    return np.abs(H_T - exact).max() / np.abs(exact).max()


def test_torque_converges_at_second_order():
    errors = [_torque_error(nx) for nx in (32, 64, 128)]
    ratios = [errors[0] / errors[1], errors[1] / errors[2]]
    assert errors[2] < 1e-3
    for r in ratios:
        assert 3.8 < r < 4.2, (errors, ratios)


# ---------------------------------------------------- domain-wall velocity
def _wall_velocity(dx, u=100.0, alpha=0.2, beta=0.1):
    """Steady velocity (m/s) of a transverse wall in a 300 nm wire.

    Exchange, easy axis x (K = 1e5 J/m^3, Delta = sqrt(A/K) = 11.4 nm) and a hard
    axis z (K_p = 2e5 J/m^3, H_p = 2 K_p / (mu0 Ms) = 4e5 A/m), which keeps the
    wall plane fixed: Walker breakdown of the Zhang-Li current at
    u_W = alpha / |beta - alpha| gamma0 Delta H_p / 2 ~ 1000 m/s >> u.
    """
    L, A, K, Kp = 300e-9, 1.3e-11, 1e5, 2e5
    delta = np.sqrt(A / K)
    mesh = df.Mesh(p1=(0, 0, 0), p2=(L, dx, dx), cell=(dx, dx, dx))
    s = mm.System(name="wall")
    s.energy = (
        mm.Exchange(A=A)
        + mm.UniaxialAnisotropy(K=K, u=(1, 0, 0))
        + mm.UniaxialAnisotropy(K=-Kp, u=(0, 0, 1), name="hard")
    )
    s.dynamics = (
        mm.Precession(gamma0=GAMMA)
        + mm.Damping(alpha=alpha)
        + mm.ZhangLi(u=u, beta=beta)
    )

    def m0(p):
        a = (p[0] - 100e-9) / delta
        return (-np.tanh(a), 1 / np.cosh(a), 0)

    s.m = df.Field(mesh, nvdim=3, value=m0, norm=MS)
    engine = Engine(s)
    positions = {}

    def record(stage, t, m):
        # m_x = +1 left of the wall, -1 right of it: q = (L + integral m_x dx)/2
        positions[stage] = (L + m[0, 0].sum() * dx) / 2

    # the tilt relaxes within ~0.3 ns (rate ~ alpha gamma0 H_p); measure after
    engine.run(1e-9, n=10, callback=record)
    return (positions[9] - positions[6]) / 0.3e-9


def test_wall_moves_with_beta_u_over_alpha():
    """v = beta u / alpha below Walker breakdown (Thiaville et al., EPL 69, 990
    (2005)); positive u moves the wall along +x. The finite-difference wall is
    slower by O((dx/Delta)^2): measured 2.1 % at Delta/dx = 2.9, 0.52 % at 5.7,
    0.13 % at 11.4, so Richardson extrapolation of the two coarse meshes must hit
    the continuum value closely."""
    target = 0.1 * 100.0 / 0.2
    v4 = _wall_velocity(4e-9)
    v2 = _wall_velocity(2e-9)
    assert abs(v2 - target) / target < 0.01, (v2, target)
    assert abs(v4 - target) / target < 0.03, (v4, target)
    v_extrapolated = v2 + (v2 - v4) / 3
    assert abs(v_extrapolated - target) / target < 2e-3, (v4, v2, v_extrapolated)


# ------------------------------------------------------------ time dependence
def _helix(dynamics_extra, name="t"):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(40e-9, 2e-9, 2e-9), cell=(2e-9, 2e-9, 2e-9))
    k = 2 * np.pi / 40e-9
    s = mm.System(name=name)
    s.energy = mm.Exchange(A=1e-11)
    s.dynamics = mm.Precession(gamma0=GAMMA) + mm.Damping(alpha=0.1) + dynamics_extra
    s.m = df.Field(
        mesh,
        nvdim=3,
        value=lambda p: (np.cos(k * p[0]), np.sin(k * p[0]), 0.3),
        norm=MS,
    )
    return s


def test_func_dt_scales_u_like_oommf_table():
    """oommfc tabulates func at multiples of dt; OOMMF's TimeFunction looks up
    index round(total_time/dt): the factor is piecewise constant."""
    dt = 1e-12
    f = lambda t: 1.0 + 3e11 * t  # noqa: E731
    base = Engine(_helix(mm.ZhangLi(u=200, beta=0.2))).torque_fields()["zhangli"]
    engine = Engine(_helix(mm.ZhangLi(u=200, beta=0.2, func=f, dt=dt)))
    for t, factor in [(0.0, 1.0), (0.49e-12, 1.0), (0.51e-12, 1.3), (2.4e-12, 1.6)]:
        got = engine.torque_fields(t=t)["zhangli"]
        np.testing.assert_allclose(got, factor * base, rtol=1e-12, atol=0)


def test_tcl_strings_scale_u_at_total_time():
    tcl = {
        "script": (
            "proc Ramp { total_time } { return [expr {-2.0 * $total_time / 1e-12}] }"
        ),
        "script_args": "total_time",
        "script_name": "Ramp",
    }
    base = Engine(_helix(mm.ZhangLi(u=200, beta=0.2))).torque_fields()["zhangli"]
    engine = Engine(_helix(mm.ZhangLi(u=200, beta=0.2, tcl_strings=tcl)))
    got = engine.torque_fields(t=0.37e-12)["zhangli"]
    np.testing.assert_allclose(got, -0.74 * base, rtol=1e-12, atol=0)


def test_time_dependent_current_during_a_run():
    """A current switched off after 0.2 ps: the run sees u only while it is on."""
    on = _helix(mm.ZhangLi(u=300, beta=0.2, func=lambda t: float(t < 2e-13), dt=1e-14))
    off = _helix(mm.ZhangLi(u=0, beta=0.2), name="off")
    e_on, e_off = Engine(on), Engine(off)
    e_on.run(2e-13)
    e_off.run(2e-13)
    assert np.abs(e_on.m - e_off.m).max() > 1e-4
    d_on = e_on.dmdt()
    d_off = e_off.dmdt(m=e_on.m)
    np.testing.assert_allclose(d_on, d_off, rtol=0, atol=1e-9 * np.abs(d_off).max())


# ---------------------------------------------------------------- bad input
def test_non_constant_beta_is_refused_by_micromagneticmodel():
    term = mm.ZhangLi(u=100, beta=0.1)
    with pytest.raises(TypeError, match="beta"):
        term.beta = {"r1": 0.1}


@pytest.mark.parametrize(
    "term, error, match",
    [
        (mm.ZhangLi(u=100), ValueError, "beta is not set"),
        (mm.ZhangLi(beta=0.1), ValueError, "u is not set"),
        (mm.ZhangLi(u=(np.inf, 0, 0), beta=0.1), ValueError, "u must be finite"),
        (
            mm.ZhangLi(u=100, beta=0.1, func=lambda t: 1.0),
            ValueError,
            "func requires dt",
        ),
        (
            mm.ZhangLi(
                u=100,
                beta=0.1,
                tcl_strings={
                    "script": "proc S { stage } { return 1 }",
                    "script_args": "stage",
                    "script_name": "S",
                },
            ),
            UnsupportedTermError,
            "script_args",
        ),
    ],
)
def test_bad_zhang_li_input(term, error, match):
    s = _helix(term)
    with pytest.raises(error, match=match):
        Engine(s)


def test_without_precession_needs_damping():
    s = _helix(mm.ZhangLi(u=100, beta=0.1))
    s.dynamics = mm.ZhangLi(u=100, beta=0.1)
    with pytest.raises(UnsupportedTermError, match=r"without Precession.*alpha > 0"):
        Engine(s)
    # where u = 0 nothing needs representing
    s.dynamics = mm.ZhangLi(u=0, beta=0.1)
    Engine(s)


def test_zhang_li_with_slonczewski_is_refused():
    s = _helix(mm.ZhangLi(u=100, beta=0.1))
    s.dynamics += mm.Slonczewski(J=1e10, mp=(0, 0, 1), P=0.4, Lambda=2)
    with pytest.raises(UnsupportedTermError, match="Slonczewski"):
        Engine(s)


def test_two_zhang_li_terms_are_refused():
    s = _helix(mm.ZhangLi(u=100, beta=0.1))
    s.dynamics += mm.ZhangLi(u=50, beta=0.1, name="second")
    with pytest.raises(ValueError, match="At most one ZhangLi"):
        Engine(s)
