"""Dynamics terms: OOMMF conventions (Slonczewski, no Precession/Damping), damping
tensor ringdown rates, and the ubermag-dirac spin-orbit torques."""

import importlib.util
import pathlib
import sys
import warnings

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine import Engine, UnsupportedTermError
from ubermag_dirac.engine.dynamics import GAMMA0_OOMMF, register_ud_terms


def _fields():
    name = "_ubermag_dirac_engine_test_fields"
    if name not in sys.modules:
        path = pathlib.Path(__file__).with_name("test_engine_fields.py")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


F = _fields()
MU0 = 4e-7 * np.pi
register_ud_terms()  # as every Engine does


def _needs(name):
    import ubermag_dirac.terms as terms

    return pytest.mark.skipif(
        not hasattr(terms, name), reason=f"ubermag_dirac.terms.{name} not there yet"
    )


def _random_m(rng, n):
    m = rng.normal(size=(*n, 3))
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def _film(name, m_array, cell=(2e-9, 2e-9, 3e-9), Ms=8e5):
    n = m_array.shape[:3]
    mesh = df.Mesh(
        p1=(0, 0, 0), p2=tuple(c * k for c, k in zip(cell, n, strict=True)), n=n
    )
    s = mm.System(name=name)
    s.m = df.Field(mesh, nvdim=3, value=m_array * Ms)
    return s


def _cross(a, b):
    return np.cross(a, b, axis=-1)


def _dot(a, b):
    return np.sum(a * b, axis=-1, keepdims=True)


# ------------------------------------------------------------ Slonczewski
def _oommfc_slonczewski(m, H, gamma, alpha, J, mp, P, Lam, eps_p, d, Ms):
    """micromagneticmodel's documented Slonczewski LLG (LL form), numpy."""
    hbar, e = 1.0545717e-34, 1.6021765e-19
    beta = abs(hbar / (MU0 * e)) * J / (d * Ms)
    eps = P * Lam**2 / ((Lam**2 + 1) + (Lam**2 - 1) * _dot(m, mp))
    mxH = _cross(m, H)
    llg = -gamma / (1 + alpha**2) * (mxH + alpha * _cross(m, mxH))
    stt = gamma * beta * (eps + alpha * eps_p) / (1 + alpha**2) * _cross(
        m, _cross(mp, m)
    ) - gamma * beta * (eps_p - alpha * eps) / (1 + alpha**2) * _cross(m, mp)
    return llg + stt


@pytest.mark.parametrize("eps_prime", [0.0, 0.7])
def test_slonczewski_matches_oommfc_formula(eps_prime):
    rng = np.random.default_rng(10)
    m = _random_m(rng, (3, 2, 2))
    s = _film("stt", m)
    H = np.array([1e4, -2e4, 3e5])
    s.energy = F.UniformField(H=tuple(H))
    J, mp, P, Lam, alpha, gamma = 2e11, np.array([0.3, 0.4, 1.0]), 0.4, 2.0, 0.07, 2.2e5
    s.dynamics = (
        mm.Precession(gamma0=gamma)
        + mm.Damping(alpha=alpha)
        + mm.Slonczewski(J=J, mp=tuple(mp), P=P, Lambda=Lam, eps_prime=eps_prime)
    )
    e = Engine(s)
    got = np.moveaxis(e.dmdt()[0], 0, -1)
    mp_unit = mp / np.linalg.norm(mp)
    want = _oommfc_slonczewski(
        m, H, gamma, alpha, J, mp_unit, P, Lam, eps_prime, d=3e-9, Ms=8e5
    )
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())


def test_slonczewski_without_precession_and_damping_is_oommf_do_precess_0():
    """oommfc writes do_precess 0 and alpha 0 (micromagnetictests' Slonczewski
    system): Oxs_SpinXferEvolve then leaves only alpha-multiplied terms -> 0."""
    rng = np.random.default_rng(11)
    m = _random_m(rng, (2, 2, 2))
    s = _film("stt0", m)
    s.energy = F.UniformField(H=(0, 0, 1e6))
    s.dynamics = mm.Slonczewski(J=1e12, mp=(1, 0, 0), P=0.4, Lambda=2, eps_prime=0)
    e = Engine(s)
    assert not e.llg.do_precess and np.all(e.llg.gamma == GAMMA0_OOMMF)
    np.testing.assert_array_equal(e.dmdt(), 0.0)
    # with damping only: -g a m x (m x (H + H_STT)), H_STT = b eps m x p + b eps' p
    s.dynamics += mm.Damping(alpha=0.5)
    e = Engine(s)
    hbar, el = 1.0545717e-34, 1.6021765e-19
    beta = hbar / (MU0 * el) * 1e12 / (3e-9 * 8e5)  # d = dz (cell edge along z)
    p = np.array([1.0, 0, 0])
    eps = 0.4 * 4 / (5 + 3 * _dot(m, p))
    Htot = np.array([0, 0, 1e6]) + beta * eps * _cross(m, p)
    g = GAMMA0_OOMMF * 0.5 / 1.25
    want = -g * _cross(m, _cross(m, Htot))
    got = np.moveaxis(e.dmdt()[0], 0, -1)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())


def test_slonczewski_time_dependence_is_sampled_like_oommf():
    """oommfc tabulates func at multiples of dt; OOMMF uses index round(t/dt)."""
    m = np.zeros((1, 1, 1, 3))
    m[..., 2] = 1.0
    s = _film("sttf", m, cell=(2e-9, 2e-9, 2e-9))
    s.energy = F.UniformField(H=(0, 0, 0))
    seen = []

    def f(t):
        seen.append(t)
        return t * 1e12

    s.dynamics = mm.Slonczewski(
        J=1e12, mp=(1, 0, 0), P=0.4, Lambda=2, func=f, dt=1e-12
    ) + mm.Precession(gamma0=2.211e5)
    e = Engine(s)
    fac = e.llg.stt.factor(np.array([2.4e-12]))
    assert fac[0] == pytest.approx(2.0) and seen[-1] == pytest.approx(2e-12)
    fac = e.llg.stt.factor(np.array([2.6e-12]))
    assert fac[0] == pytest.approx(3.0)
    # tcl_strings (OOMMF J_profile) evaluated by Tcl at total_time
    s2 = _film("tcl", m)
    s2.energy = F.UniformField(H=(0, 0, 0))
    tcl = {
        "script": "proc TimeFunction { total_time } { return [expr 2*$total_time] }",
        "script_args": "total_time",
        "script_name": "TimeFunction",
    }
    s2.dynamics = mm.Slonczewski(J=1e12, mp=(1, 0, 0), P=0.4, Lambda=2, tcl_strings=tcl)
    fac = Engine(s2).llg.stt.factor(np.array([3e-12]))
    assert fac[0] == pytest.approx(6e-12, rel=1e-15)
    s2.dynamics = mm.Slonczewski(
        J=1e12,
        mp=(1, 0, 0),
        P=0.4,
        Lambda=2,
        tcl_strings={**tcl, "script_args": "stage"},
    )
    with pytest.raises(UnsupportedTermError, match="script_args"):
        Engine(s2)


def test_slonczewski_refuses_lambda_below_one():
    m = np.zeros((1, 1, 1, 3))
    m[..., 2] = 1.0
    s = _film("lam", m)
    s.energy = F.UniformField(H=(0, 0, 0))
    s.dynamics = mm.Slonczewski(J=1e12, mp=(1, 0, 0), P=0.4, Lambda=0.5)
    with pytest.raises(ValueError, match="Lambda must be >= 1"):
        Engine(s)


def test_slonczewski_switches_macrospin_towards_mp():
    """Positive J pulls m towards mp (OOMMF's sign convention)."""
    s = F.macrospin(m0=(0.1, 0, -1), H=(0, 0, 0), alpha=0.02)
    s.dynamics += mm.Slonczewski(J=5e11, mp=(0, 0, 1), P=0.4, Lambda=2)
    e = Engine(s)
    e.run(2e-9, 4)
    assert e.m[0, 2].mean() > 0.99


# -------------------------------------------------------- damping tensor
def _ringdown_rate(engine, axis, a1, a2, periods=12):
    """Decay rate (units of gamma H) of |m - axis| in small-angle precession.

    The linearised Gilbert equation with damping a1, a2 along the two transverse
    directions has lambda^2 (1 + a1 a2) + lambda w (a1 + a2) + w^2 = 0 (w = gamma
    H): the motion is exp(Re lambda t) times a function of period 2 pi/Im lambda
    (elliptical when a1 != a2), so sampling once per damped period gives an exact
    exponential.
    """
    w = 2.211e5 * 1e5
    lam = np.roots([1 + a1 * a2, w * (a1 + a2), w * w])[0]
    period = 2 * np.pi / abs(lam.imag)
    amps, times = [], []

    def cb(k, t, m):
        v = m.reshape(3)
        amps.append(np.linalg.norm(v - axis * (v @ axis)))
        times.append(t)

    engine.run(periods * period, periods, cb)
    slope = np.polyfit(np.array(times), np.log(amps), 1)[0]
    return -slope / w


def _tilted(axis, angle=1e-3):
    axis = np.asarray(axis, float)
    other = np.array([0, 1.0, 0]) if abs(axis[1]) < 0.5 else np.array([1.0, 0, 0])
    perp = np.cross(axis, other)
    perp /= np.linalg.norm(perp)
    return tuple(np.cos(angle) * axis + np.sin(angle) * perp)


@pytest.mark.parametrize(
    ("axis", "expected"),
    [
        # about the normal: rate a/(1+a^2), a = alpha + dalpha
        ((0, 0, 1), lambda al, d: (al + d) / (1 + (al + d) ** 2)),
        # about an in-plane axis: (alpha + dalpha/2) / (1 + alpha (alpha + dalpha))
        ((1, 0, 0), lambda al, d: (al + d / 2) / (1 + al * (al + d))),
    ],
)
def test_damping_tensor_ringdown_rates(axis, expected):
    """PHYSICS.md: ringdown alpha + dalpha about n, alpha + dalpha/2 in plane
    (exact linearised rates of the Gilbert equation with the tensor)."""
    alpha, dalpha = 0.01, 0.03
    axis = np.array(axis, float)
    s = F.macrospin(m0=_tilted(axis), H=tuple(1e5 * axis), alpha=alpha)
    # rkf54 at tol/10 is as accurate as DOPRI5 at tol on smooth problems
    e = Engine(s, tol=1e-11)
    # inject the tensor directly (the ud term path is tested separately)
    e.llg.dalpha = np.full((1, 1), dalpha)
    e.llg.nvec = np.array([[[0.0], [0.0], [1.0]]])
    e._integrator.invalidate()
    a1, a2 = (alpha + dalpha, alpha + dalpha) if axis[2] else (alpha + dalpha, alpha)
    rate = _ringdown_rate(e, axis, a1, a2)
    assert rate == pytest.approx(expected(alpha, dalpha), rel=1e-5)
    # and it differs from the isotropic value
    assert abs(rate - alpha / (1 + alpha**2)) > 0.3 * dalpha


@_needs("AnisotropicDamping")
def test_anisotropic_damping_term_ringdown():
    import ubermag_dirac as ud

    alpha, dalpha = 0.01, 0.03
    axis = np.array([1.0, 0, 0])
    s = F.macrospin(m0=_tilted(axis), H=(1e5, 0, 0), alpha=alpha)
    s.dynamics += ud.AnisotropicDamping(delta_alpha=dalpha, n=(0, 0, 1))
    # rkf54 at tol/10 is as accurate as DOPRI5 at tol on smooth problems
    e = Engine(s, tol=1e-11)
    rate = _ringdown_rate(e, axis, alpha + dalpha, alpha)
    assert rate == pytest.approx(
        (alpha + dalpha / 2) / (1 + alpha * (alpha + dalpha)), rel=1e-5
    )


@_needs("AnisotropicDamping")
def test_anisotropic_damping_needs_precession():
    import ubermag_dirac as ud

    s = F.macrospin(gamma0=None, alpha=0.1)
    s.dynamics += ud.AnisotropicDamping(delta_alpha=0.1, n=(0, 0, 1))
    with pytest.raises(ValueError, match="needs a Precession"):
        Engine(s)


# ------------------------------------------------- spin-orbit torque terms
def _gilbert_scalar(m, Htot, gamma, alpha):
    mxH = _cross(m, Htot)
    return -gamma / (1 + alpha**2) * (mxH + alpha * _cross(m, mxH))


@_needs("DiracSOT")
def test_dirac_sot_torque_field_inside_gilbert_form():
    import ubermag_dirac as ud

    rng = np.random.default_rng(12)
    m = _random_m(rng, (3, 3, 1))
    s = _film("dirac", m)
    H = np.array([0, 0, 2e5])
    s.energy = F.UniformField(H=tuple(H))
    H_DL, H_FL, beta = 4e4, -2e4, 0.5
    s.dynamics = (
        mm.Precession(gamma0=2.211e5)
        + mm.Damping(alpha=0.05)
        + ud.DiracSOT(H_DL=H_DL, H_FL=H_FL, beta=beta, j=(1, 0, 0), n=(0, 0, 1))
    )
    e = Engine(s)
    mz = m[..., 2:3]
    b2 = beta**2 * mz**2
    fFL = (1 - b2) / (1 + 3 * b2)
    fDL = (1 + b2) / (1 + 3 * b2) ** 2
    HT = -H_DL * fDL * mz * np.array([1.0, 0, 0]) - H_FL * fFL * np.array([0, 1.0, 0])
    want = _gilbert_scalar(m, H + HT, 2.211e5, 0.05)
    got = np.moveaxis(e.dmdt()[0], 0, -1)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
    np.testing.assert_allclose(
        np.moveaxis(next(iter(e.torque_fields().values()))[0], 0, -1),
        HT,
        atol=1e-9,
    )


@_needs("SpinHallSOT")
def test_spin_hall_sot_torque_field_and_func():
    import ubermag_dirac as ud

    rng = np.random.default_rng(13)
    m = _random_m(rng, (2, 2, 1))
    s = _film("sh", m)
    s.energy = F.UniformField(H=(0, 0, 1e5))
    s.dynamics = (
        mm.Precession(gamma0=2.211e5)
        + mm.Damping(alpha=0.1)
        + ud.SpinHallSOT(H_SH=3e4, j=(1, 0, 0), n=(0, 0, 1), func=lambda t: 0.5)
    )
    e = Engine(s)
    p = np.array([0, 1.0, 0])  # n x j
    want = _gilbert_scalar(
        m, np.array([0, 0, 1e5]) + 0.5 * 3e4 * _cross(m, p), 2.211e5, 0.1
    )
    got = np.moveaxis(e.dmdt()[0], 0, -1)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())


@_needs("SpinHallSOT")
def test_torque_amplitude_only_in_empty_cells_warns():
    import ubermag_dirac as ud
    from ubermag_dirac import UbermagDiracWarning

    mesh = df.Mesh(
        p1=(0, 0, 0),
        p2=(4e-9, 2e-9, 2e-9),
        n=(2, 1, 1),
        subregions={"top": df.Region(p1=(2e-9, 0, 0), p2=(4e-9, 2e-9, 2e-9))},
    )
    s = mm.System(name="empty")
    s.m = df.Field(
        mesh, nvdim=3, value=(0, 0, 1), norm=lambda p: 8e5 if p[0] < 2e-9 else 0.0
    )
    s.energy = F.UniformField(H=(0, 0, 1e5))
    s.dynamics = mm.Precession(gamma0=2.211e5) + ud.SpinHallSOT(
        H_SH={"top": 1e4}, j=(1, 0, 0), n=(0, 0, 1)
    )
    with pytest.warns(UbermagDiracWarning, match="only in cells with Ms = 0"):
        Engine(s)
    # amplitude everywhere (magnetic and empty cells): harmless, no warning
    s.dynamics = mm.Precession(gamma0=2.211e5) + ud.SpinHallSOT(
        H_SH=1e4, j=(1, 0, 0), n=(0, 0, 1)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Engine(s)
