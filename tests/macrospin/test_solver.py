"""Macrospin solver: right-hand side, integrator accuracy, pulses, units."""

import importlib

import numpy as np
import pytest

from ubermag_dirac import macrospin as ms
from ubermag_dirac.macrospin import _reference, solver

RNG = np.random.default_rng(20261122)


def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _random_setup(N=500):
    m = _unit(RNG.normal(size=(N, 3)))
    n = _unit(RNG.normal(size=3))
    j = _unit(np.cross(n, RNG.normal(size=3)))
    kw = dict(
        h=RNG.normal(size=(N, 3)),
        h_k=RNG.normal(size=N),
        alpha=RNG.uniform(0, 1, N),
        delta_alpha=RNG.uniform(0, 1, N),
        h_dl=RNG.normal(size=N),
        beta=RNG.uniform(0, 0.95, N),
        h_fl=RNG.normal(size=N),
        h_sh=RNG.normal(size=N),
        n=n,
        j=j,
    )
    return m, kw


def test_kernel_matches_numpy_reference():
    """Closed-form Gilbert solve in the kernel == dense 3x3 solve in NumPy."""
    m, kw = _random_setup()
    u = ms.dmdt(m, current=0.7, field=1.3, **kw)
    _, mm, P, g = solver._setup(m, **kw)
    ur = _reference.rhs(mm, 0.7, 1.3, solver._ref_params(P, g))
    np.testing.assert_allclose(u, ur, rtol=0, atol=1e-12 * np.abs(ur).max())


def test_gilbert_form_residual_independent():
    """u solves u = -m x H + m x (A u) with H written out independently here."""
    m, kw = _random_setup()
    n, j = kw["n"], kw["j"]
    p = np.cross(n, j)
    u = ms.dmdt(m, **kw)
    mn = m @ n
    b2 = kw["beta"] ** 2 * mn**2
    fdl = (1 + b2) / (1 + 3 * b2) ** 2
    ffl = (1 - b2) / (1 + 3 * b2)
    H = (
        kw["h"]
        + (kw["h_k"] * mn)[:, None] * n
        - (kw["h_dl"] * fdl * mn)[:, None] * j
        - (kw["h_fl"] * ffl)[:, None] * p
        + kw["h_sh"][:, None] * np.cross(m, p)
    )
    Au = kw["alpha"][:, None] * u + kw["delta_alpha"][:, None] * (
        u - (u @ n)[:, None] * n
    )
    res = u - (-np.cross(m, H) + np.cross(m, Au))
    assert np.abs(res).max() < 1e-12
    assert np.abs(np.sum(u * m, axis=-1)).max() < 1e-13


def test_torques_match_paper_forms_at_zero_damping():
    """At alpha = 0 the torque fields reproduce the paper's torques exactly.

    Dirac T = H_DL m_z (m x j), field-like T = H_FL m x (n x j),
    SHE T = H_SH m x (p x m), p = n x j (reduced units, gamma0 = 1).
    """
    m = _unit(RNG.normal(size=(200, 3)))
    z, x, y = np.eye(3)[2], np.eye(3)[0], np.eye(3)[1]
    base = ms.dmdt(m, alpha=0.0, h=[0.1, -0.2, 0.3])
    T = ms.dmdt(m, alpha=0.0, h=[0.1, -0.2, 0.3], h_dl=0.7) - base
    np.testing.assert_allclose(T, 0.7 * (m @ z)[:, None] * np.cross(m, x), atol=1e-14)
    T = ms.dmdt(m, alpha=0.0, h=[0.1, -0.2, 0.3], h_fl=0.4) - base
    np.testing.assert_allclose(T, 0.4 * np.cross(m, y), atol=1e-14)
    T = ms.dmdt(m, alpha=0.0, h=[0.1, -0.2, 0.3], h_sh=0.9) - base
    np.testing.assert_allclose(T, 0.9 * np.cross(m, np.cross(y, m)), atol=1e-14)


def _terms_function(module, name):
    try:
        mod = importlib.import_module(f"ubermag_dirac.terms.{module}")
    except ImportError:
        return None
    return getattr(mod, name, None)


def test_against_terms_reference_functions():
    """Kernel == terms' numpy references (gilbert_dmdt + torque_field), SI units."""
    gilbert = _terms_function("llg", "gilbert_dmdt")
    dirac_tf = _terms_function("dirac_sot", "torque_field")
    if gilbert is None or dirac_tf is None:
        pytest.skip("ubermag_dirac.terms reference functions not available yet")
    m, kw = _random_setup(300)
    HK, g0 = 8e4, 2.2e5
    H = kw["h"] * HK + (kw["h_k"] * (m @ kw["n"]))[:, None] * kw["n"] * HK
    H = H + dirac_tf(
        m, kw["h_dl"] * HK, kw["h_fl"] * HK, kw["beta"], j=kw["j"], n=kw["n"]
    )
    she_tf = _terms_function("spin_hall", "torque_field")
    h_sh = kw["h_sh"] if she_tf is not None else 0.0
    if she_tf is not None:
        H = H + she_tf(m, kw["h_sh"] * HK, kw["j"], kw["n"])
    ref = gilbert(m, H, g0, kw["alpha"], kw["delta_alpha"], kw["n"])
    kw["h_sh"] = h_sh
    u = ms.dmdt(m, **kw) * g0 * HK
    np.testing.assert_allclose(u, ref, rtol=0, atol=1e-11 * np.abs(ref).max())


def test_damped_precession_analytic():
    r"""Field along z, no anisotropy: tan(theta/2) = tan(theta0/2) e^{-a h t/(1+a^2)},
    phi = h t / (1 + a^2)."""
    a, hz, th0 = 0.05, 1.3, 2.5
    t = np.linspace(0.5, 60, 40)
    r = ms.solve(
        [np.sin(th0), 0, np.cos(th0)],
        60.0,
        h=[0, 0, hz],
        h_k=0.0,
        alpha=a,
        t_eval=t,
        rtol=1e-10,
        atol=1e-12,
        stop_tol=0,
    )
    th = 2 * np.arctan(np.tan(th0 / 2) * np.exp(-a * hz * t / (1 + a**2)))
    ph = hz * t / (1 + a**2)
    exact = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], -1)
    err = np.abs(r.trajectory - exact).max()
    assert err < 1e-8
    # looser tolerance -> larger error: the error control is active
    r2 = ms.solve(
        [np.sin(th0), 0, np.cos(th0)],
        60.0,
        h=[0, 0, hz],
        h_k=0.0,
        alpha=a,
        t_eval=t,
        rtol=1e-5,
        atol=1e-7,
        stop_tol=0,
    )
    err2 = np.abs(r2.trajectory - exact).max()
    assert 1e-7 < err2 < 1e-3
    assert r2.n_accepted < r.n_accepted
    # norm preserved
    assert np.abs(np.linalg.norm(r2.trajectory, axis=-1) - 1).max() < 1e-14


@pytest.mark.parametrize(
    ("axis", "fraction"), [((0.0, 0.0, 1.0), 1.0), ((1.0, 0.0, 0.0), 0.5)]
)
def test_anisotropic_damping_effective_alpha(axis, fraction):
    r"""Small-angle precession in a field h along ``axis`` (no anisotropy).

    Linearising the Gilbert form with damping a1 (in-plane deviation) and a2
    (deviation along n) gives lambda^2 (1 + a1 a2) + h lambda (a1 + a2) + h^2 = 0:
    about n (a1 = a2 = alpha + dalpha) the rate is that of alpha + dalpha; about
    an in-plane axis (a1 = alpha + dalpha, a2 = alpha) that of alpha + dalpha/2
    (docs/PHYSICS.md, Mahfouzi-Kioussis "half").
    """
    a, da, h = 0.01, 0.04, 2.0
    axis = np.array(axis)
    a1 = a + da
    a2 = a + da if fraction == 1.0 else a
    lam = np.roots([1 + a1 * a2, h * (a1 + a2), h * h])[0]
    assert -lam.real / h == pytest.approx(
        (a + fraction * da) / (1 + a1 * a2), rel=1e-12
    )
    period = 2 * np.pi / abs(lam.imag)
    th0 = 1e-4
    m0 = np.cos(th0) * axis + np.sin(th0) * np.array([0.0, 1.0, 0.0])
    tk = period * np.arange(1, 9)
    r = ms.solve(
        m0,
        tk[-1],
        h=h * axis,
        h_k=0.0,
        alpha=a,
        delta_alpha=da,
        t_eval=tk,
        rtol=1e-12,
        atol=1e-15,
        stop_tol=0,
    )
    mt = r.trajectory
    th = np.arctan2(np.linalg.norm(np.cross(mt, axis), axis=-1), mt @ axis)
    # the elliptical orbit repeats every period: theta(k P) = theta0 e^{Re(lam) k P}
    rate = -np.polyfit(tk, np.log(th / th0), 1)[0]
    assert rate == pytest.approx(-lam.real, rel=1e-5)
    # neither ignoring dalpha nor applying the wrong fraction of it passes
    for w in (a, a + da) if fraction == 0.5 else (a, a + da / 2):
        assert abs(rate - h * w / (1 + w * w)) > 0.1 * rate


def test_early_stop_does_not_change_result_and_threads_identical():
    hx = np.linspace(-0.9, 0.9, 7)[:, None]
    s = np.linspace(-1.5, 1.5, 7)[None, :]
    m0 = np.stack([hx + 0 * s, 0 * s + 0 * hx, -np.sqrt(1 - hx**2) + 0 * s], -1)
    h = np.stack([hx + 0 * s, 0 * hx + 0 * s, 0 * hx + 0 * s], -1)
    kw = dict(h=h, h_dl=s, alpha=0.1, rtol=1e-9, atol=1e-11)
    r_stop = ms.solve(m0, 600.0, **kw)
    r_full = ms.solve(m0, 600.0, stop_tol=0, **kw)
    assert r_stop.converged.mean() > 0.9
    assert np.all(r_full.status == 0)
    assert np.abs(r_stop.m - r_full.m).max() < 1e-6
    assert r_stop.n_accepted.sum() < r_full.n_accepted.sum()
    r_par = ms.solve(m0, 600.0, threads=2, **kw)
    np.testing.assert_array_equal(r_par.m, r_stop.m)
    np.testing.assert_array_equal(r_par.status, r_stop.status)


def test_shared_step_control_agrees():
    """One shared step for all points gives the same answer as per-point steps."""
    hx = np.linspace(-0.9, 0.9, 5)[:, None]
    s = np.linspace(-1.5, 1.5, 5)[None, :]
    m0 = np.stack([hx + 0 * s, 0 * s + 0 * hx, -np.sqrt(1 - hx**2) + 0 * s], -1)
    h = np.stack([hx + 0 * s, 0 * hx + 0 * s, 0 * hx + 0 * s], -1)
    kw = dict(h=h, h_sh=s, alpha=0.1, rtol=1e-9, atol=1e-11, t_eval=[5.0, 300.0])
    a = ms.solve(m0, 300.0, **kw)
    b = ms.solve(m0, 300.0, step_control="shared", **kw)
    assert np.abs(a.trajectory - b.trajectory).max() < 1e-6
    np.testing.assert_array_equal(a.status, b.status)
    with pytest.raises(ValueError, match="step_control"):
        ms.solve(m0, 1.0, step_control="global")


def test_pulses_table_vs_callable():
    """Compiled table pulse == NumPy shared-step path with the pulse as callable."""
    p = ms.Pulse.trapezoid(t_on=2.0, rise=3.0, duration=10.0, fall=4.0, amplitude=1.0)
    m0 = [[0.1, 0.0, -0.995], [0.3, 0.1, 0.95]]
    kw = dict(h=[[0.2, 0, 0], [-0.1, 0, 0]], h_dl=1.4, h_fl=0.3, beta=0.4, alpha=0.05)
    t = np.linspace(1.0, 25.0, 9)
    r1 = ms.solve(m0, 25.0, current=p, t_eval=t, rtol=1e-10, atol=1e-12, **kw)
    r2 = ms.solve(
        m0,
        25.0,
        current=lambda tt: float(p(tt)),
        t_eval=t,
        rtol=1e-9,
        atol=1e-11,
        **kw,
    )
    np.testing.assert_allclose(r1.trajectory, r2.trajectory, atol=1e-6)
    # before t_on nothing but the field acts: compare with no current at all
    kw0 = kw | {"h_dl": 0.0, "h_fl": 0.0}
    r0 = ms.solve(m0, 2.0, t_eval=[1.0, 2.0], rtol=1e-10, atol=1e-12, **kw0)
    np.testing.assert_allclose(r1.trajectory[:, 0], r0.trajectory[:, 0], atol=1e-12)


def test_field_pulse_and_step_on_later():
    """A field step at t = 5 leaves m untouched before and precesses it after."""
    r = ms.solve(
        [1.0, 0, 0],
        5.0 + np.pi,
        h=[0, 0, 1.0],
        h_k=0.0,
        alpha=0.0,
        field=ms.Pulse.step(5.0),
        t_eval=[5.0, 5.0 + np.pi / 2, 5.0 + np.pi],
        rtol=1e-11,
        atol=1e-13,
    )
    np.testing.assert_allclose(
        r.trajectory, [[1, 0, 0], [0, 1, 0], [-1, 0, 0]], atol=1e-9
    )


def test_si_entry_point_and_units():
    HK = 1.2e5
    u = ms.ReducedUnits(H_K=HK)
    tau = 50.0
    t_si = u.time_si(tau)
    assert t_si == pytest.approx(tau / (ms.GAMMA0 * HK))
    kw = dict(alpha=0.05)
    r = ms.solve(
        [0.3, 0, -0.95], tau, h=[0.2, 0, 0], h_dl=0.8, current=ms.Pulse.ramp(10.0), **kw
    )
    rs = ms.solve_si(
        [0.3, 0, -0.95],
        t_si,
        H_K=HK,
        H=[0.2 * HK, 0, 0],
        H_DL=0.8 * HK,
        current=ms.Pulse.ramp(u.time_si(10.0)),
        **kw,
    )
    np.testing.assert_allclose(rs.m, r.m, atol=1e-9)
    assert rs.t[-1] == pytest.approx(t_si)
    hk = ms.thin_film_hk_eff(K=8e5, Ms=8e5)
    assert hk == pytest.approx(2 * 8e5 / (ms.MU0 * 8e5) - 8e5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alpha": -0.1}, "alpha must be >= 0"),
        ({"delta_alpha": -1.0}, "delta_alpha must be >= 0"),
        ({"beta": 1.0}, "beta must be < 1"),
        ({"j": (0, 0, 1.0)}, "perpendicular to n"),
        ({"n": (0, 0, 0)}, "n must be non-zero"),
        ({"h": (1.0, 2.0)}, "last axis of length 3"),
        ({"h_dl": np.nan}, "h_dl must be finite"),
        ({"threads": 0}, "threads must be an integer"),
        ({"rtol": 0.0}, "rtol must be > 0"),
        ({"t_eval": [5.0, 1.0]}, "t_eval must be increasing"),
        ({"current": "on"}, "current must be None"),
    ],
)
def test_validation(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ms.solve([0.0, 0.0, 1.0], 10.0, **kwargs)


def test_failure_is_reported():
    with pytest.raises(ms.MacrospinIntegrationError, match="step limit"):
        ms.solve([0.1, 0.0, 1.0], 100.0, h=[5.0, 0, 0], max_steps=10)
    r = ms.solve(
        [0.1, 0.0, 1.0], 100.0, h=[5.0, 0, 0], max_steps=10, raise_on_failure=False
    )
    assert r.status == 2


def test_pulse_validation_and_values():
    with pytest.raises(ValueError, match="non-decreasing"):
        ms.Pulse([1.0, 0.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="both"):
        ms.Pulse([0.0, 1.0], [0.0, 1.0], func=np.sin)
    p = ms.Pulse([0.0, 1.0, 1.0, 3.0], [0.0, 1.0, 2.0, 0.0])
    np.testing.assert_allclose(p([-1, 0.5, 1.0, 2.0, 5.0]), [0, 0.5, 2.0, 1.0, 0.0])


def test_from_terms_matches_term_references():
    """Macrospin set up from term objects == the terms' own numpy references."""
    import micromagneticmodel as mm

    import ubermag_dirac as ud
    from ubermag_dirac.terms import dirac_sot, gilbert_dmdt, spin_hall

    HK, g0 = 9e4, 2.2e5
    n = np.array([0.0, 0.6, 0.8])
    j = np.array([1.0, 0.0, 0.0])
    terms = [
        mm.Precession(gamma0=g0),
        mm.Damping(alpha=0.07),
        ud.DiracSOT(H_DL=3e4, H_FL=-1e4, beta=0.3, j=j, n=n),
        ud.SpinHallSOT(H_SH=2e4, j=j, n=n),
        ud.AnisotropicDamping(delta_alpha=0.02, n=n),
    ]
    kw = ms.from_terms(terms, H_K=HK, gamma0=g0)
    m = _unit(RNG.normal(size=(50, 3)))
    h = np.array([0.2, -0.1, 0.05])
    u = ms.dmdt(m, h=h, **kw) * g0 * HK
    H = h * HK + (m @ n)[:, None] * n * HK
    H = H + dirac_sot.torque_field(m, 3e4, -1e4, 0.3, j=j, n=n)
    H = H + spin_hall.torque_field(m, 2e4, j=j, n=n)
    ref = gilbert_dmdt(m, H, g0, 0.07, 0.02, n)
    np.testing.assert_allclose(u, ref, rtol=0, atol=1e-11 * np.abs(ref).max())
    with pytest.raises(ValueError, match="not supported"):
        ms.from_terms([mm.Exchange(A=1e-11)], H_K=HK)
    pulsed = ms.from_terms(
        [ud.DiracSOT(H_DL=1e4, func=lambda t: 1.0 if t < 1e-9 else 0.0, dt=1e-12)],
        H_K=HK,
        gamma0=g0,
    )
    tau_1ns = 1e-9 * g0 * HK
    assert pulsed["current"](0.5 * tau_1ns) == 1.0
    assert pulsed["current"](1.5 * tau_1ns) == 0.0
