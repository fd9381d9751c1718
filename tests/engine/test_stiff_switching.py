"""The default integrator "auto": RK5(4)7FC, and classical RK4 with a third-order
FSAL error estimate (RK4(3)) while the step is limited by stability.

Independent checks: Butcher's order conditions and the closed-form stability
polynomial of RK4 (boundary 2 sqrt(2) on the imaginary axis), bit-identity with
rkf54 where nothing is stiff, a tight-tolerance reference for accuracy, and a
batch against its systems run one by one.
"""

import discretisedfield as df
import engine_test_fields as F  # loaded by conftest.py
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine import Engine
from ubermag_dirac.engine.integrators import METHODS, DormandPrince45
from ubermag_dirac.kernels.dormand_prince import RK43, TABLEAUX

from .conftest import batched_and_single_runs


def _conditions(A, b, c):
    """Residuals of Butcher's eight order conditions up to order 4."""
    Ac = A @ c
    return [
        (1, b.sum() - 1),
        (2, b @ c - 1 / 2),
        (3, b @ c**2 - 1 / 3),
        (3, b @ Ac - 1 / 6),
        (4, b @ c**3 - 1 / 4),
        (4, b @ (c * Ac) - 1 / 8),
        (4, b @ (A @ c**2) - 1 / 12),
        (4, b @ (A @ Ac) - 1 / 24),
    ]


def test_rk43_tableau_order_and_fsal():
    """Order 4 for the propagated solution, exactly 3 for the embedded one; the
    last stage is the derivative at the new solution."""
    A = np.array([*RK43.A, RK43.b])
    for s in range(RK43.stages):
        assert A[s].sum() == pytest.approx(RK43.c[s], abs=1e-15)
    assert RK43.c[-1] == 1.0 and RK43.b[-1] == 0.0
    assert max(abs(r) for _, r in _conditions(A, RK43.b, RK43.c)) < 1e-15
    bhat = RK43.b - RK43.e
    res = _conditions(A, bhat, RK43.c)
    assert max(abs(r) for o, r in res if o <= 3) < 1e-15
    assert max(abs(r) for o, r in res if o == 4) > 1e-3
    assert RK43.error_order == 3 and RK43.name not in TABLEAUX


def test_rk43_stability_is_the_taylor_polynomial():
    """R(z) = 1 + z + z^2/2 + z^3/6 + z^4/24, so |R(iy)|^2 = 1 - y^6/72 + y^8/576:
    stable on the imaginary axis up to y = 2 sqrt(2) (OOMMF's rkf54 and rkf54s
    only up to 0.04)."""
    np.testing.assert_allclose(
        RK43.stability_coefficients(), [1, 1, 1 / 2, 1 / 6, 1 / 24], rtol=1e-15
    )
    assert RK43.stability_boundary(0.0, dz=1e-4)[0] == pytest.approx(
        2 * np.sqrt(2), abs=1e-4
    )
    assert RK43.stability_boundary(0.02)[0] == pytest.approx(
        RK43.imag_stability, abs=5e-3
    )
    for name in ("rkf54", "rkf54s"):
        assert TABLEAUX[name].stability_boundary(0.0)[0] < 0.04


def _film(alpha, name="film", A=1.3e-11):
    """A 32 x 8 x 1 film of 1 nm cells with a spin spiral precessing in a field:
    exchange-stiff (fastest rate 4.5e13 1/s)."""
    mesh = df.Mesh(p1=(0, 0, 0), p2=(32e-9, 8e-9, 2e-9), n=(32, 8, 1))
    s = mm.System(name=name)
    s.energy = mm.Exchange(A=A) + mm.Demag() + mm.Zeeman(H=(0, 0, 2e5))
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=alpha)

    def m0(p):
        phase = 2 * np.pi * p[0] / 32e-9
        return (np.cos(phase), np.sin(phase), 1.0)

    s.m = df.Field(mesh, nvdim=3, value=m0, norm=8e5)
    return s


def test_auto_is_rkf54_where_nothing_is_stiff():
    """A precessing macrospin is limited by accuracy: "auto" never leaves
    RK5(4)7FC and gives rkf54's result bit for bit."""
    for tol in (1e-4, 1e-7):
        runs = {}
        for method in ("rkf54", "auto"):
            s = F.macrospin(m0=(0.8, 0, -0.6), alpha=0.01)
            e = Engine(s, tol=tol, method=method)
            e.run(5e-10, 2)
            runs[method] = e
        np.testing.assert_array_equal(runs["auto"].m, runs["rkf54"].m)
        assert runs["auto"].stats["steps_per_method"]["rk4(3)"] == 0
        assert runs["auto"].stats["evaluations"] == runs["rkf54"].stats["evaluations"]


@pytest.fixture(scope="module")
def stiff_runs():
    """The film (alpha = 0.1) with rkf54, "auto" and a reference (rkf54 at tol
    1e-11, 1e4 times tighter than the error measured below)."""
    s = _film(0.1)
    out = {}
    for key, kw in {
        "ref": {"method": "rkf54", "tol": 1e-11},
        "rkf54": {"method": "rkf54"},
        "auto": {},
    }.items():
        e = Engine(s, **kw)
        e.run(2e-11, 2)
        out[key] = e
    return out


def test_auto_takes_rk43_on_a_stiff_film(stiff_runs):
    """Measured: rkf54 1735 evaluations, "auto" 1503 (-13 %; 25 more field
    evaluations for the rate bound), most steps RK4(3), all capped at 95 % of
    its stability boundary."""
    auto, fc = stiff_runs["auto"], stiff_runs["rkf54"]
    st = auto.stats
    assert st["steps_per_method"]["rk4(3)"] > 2 * st["steps_per_method"]["rkf54"]
    assert (
        st["evaluations"] + st["rate_bound_field_evaluations"]
        < 0.9 * (fc.stats["evaluations"])
    )
    it = auto._integrator
    cap = 0.95 * it.boundary[1] / it.fastest
    assert np.all(it.h[it.mode == 1] <= cap * (1 + 1e-12))


def test_auto_is_as_accurate_as_rkf54(stiff_runs):
    """Both runs at tol 1e-6 against the reference: rkf54 2.4e-6, "auto" 7e-8
    (RK4(3) accepts a step only when its third-order estimate, which bounds
    the error of its fourth-order solution, is below tol). Bound: rkf54's
    own error."""
    ref = stiff_runs["ref"].m
    err = {k: np.abs(stiff_runs[k].m - ref).max() for k in ("rkf54", "auto")}
    assert err["rkf54"] < 1e-5  # the scale of tol = 1e-6 over 300 steps
    assert err["auto"] <= err["rkf54"]


def test_auto_batch_equals_its_systems_one_by_one():
    """Method choice, rate bound and step are per system: a batch of a stiff
    film, a weakly damped one and a soft one (exchange / 100) gives each
    system's lone run exactly, with the same steps per method."""
    systems = [
        _film(0.1, "stiff"),
        _film(0.005, "weak"),
        _film(0.1, "soft", A=1.3e-13),
    ]
    batch, singles = batched_and_single_runs(systems, 1e-11, 2)
    per_method = []
    for i, e in enumerate(singles):
        np.testing.assert_array_equal(batch.m[i], e.m[0])
        assert batch.stats["steps_per_system"][i] == e.stats["steps"]
        per_method.append(e.stats["steps_per_method"])
    assert per_method[0]["rk4(3)"] > 0  # the batch mixes the two methods
    assert per_method[2]["rk4(3)"] == 0


def test_auto_needs_a_rate_bound_and_names_the_methods():
    """Without ``rate`` "auto" is RK5(4)7FC alone; an unknown method is refused
    with the list of accepted ones."""
    y = np.zeros((1, 3, 1))
    y[0, 2, 0] = 1.0
    mask = np.ones((1, 1), dtype=bool)

    def rhs(t, y, out):
        out[...] = 0.0
        return np.zeros(1)

    it = DormandPrince45(rhs, y, mask)
    assert [t.name for t in it.methods] == ["rkf54"]
    assert METHODS == ("auto", "rkf54", "rkf54m", "rkf54s")
    with pytest.raises(ValueError, match=r"method: expected one of \['auto'"):
        DormandPrince45(rhs, y, mask, method="rk4")


def _two_cells():
    """Two uncoupled cells precessing about z with damping 0.1 (closed form):
    a fast one (4e7 A/m) tilted by 1e-4 rad, whose rate bounds the step, and
    a slow one (2e5 A/m) at m_z = -0.6 that needs the accuracy."""
    gamma, alpha, H = 2.211e5, 0.1, np.array([4e7, 2e5])
    mz0 = np.array([np.cos(1e-4), -0.6])

    def rhs(t, y, out):
        m = y.reshape(3, 2)
        Hv = np.zeros((3, 2))
        Hv[2] = H
        mxH = np.cross(m.T, Hv.T).T
        g = gamma / (1 + alpha**2)
        out.reshape(3, 2)[...] = -g * mxH - g * alpha * np.cross(m.T, mxH.T).T
        return np.array([np.abs(out).max()])

    def exact(t):
        rate = gamma * H / (1 + alpha**2)
        mz = np.tanh(alpha * rate * t + np.arctanh(mz0))
        rho = np.sqrt(1 - mz**2)
        return np.array([rho * np.cos(rate * t), rho * np.sin(rate * t), mz])

    y = np.zeros((1, 3, 2))
    y[0, 0] = np.sqrt(1 - mz0**2)
    y[0, 2] = mz0
    fastest = gamma * H[0] / np.sqrt(1 + alpha**2)
    return rhs, exact, y, fastest, alpha


@pytest.mark.parametrize("factor", [1.0, 0.85, 0.5])
def test_a_low_rate_bound_costs_steps_not_accuracy(factor):
    """The rate bound is an estimate. Exact (factor 1): RK4(3) at its cap damps
    the fast cell's tilt, 2593 instead of rkf54's 3427 evaluations and an error
    (against the closed form) of 2e-9 instead of 2.8e-6. 15 % low: the cap lies
    beyond RK4(3)'s boundary, the error control rejects (114 measured) and keeps
    the accuracy. Half: the RK5(4) step never looks stability-limited, so the
    run is rkf54's. In every case no worse than rkf54 in error or evaluations."""
    T = 2e-10
    rhs, exact, y, fastest, alpha = _two_cells()
    ref = DormandPrince45(rhs, y.copy(), np.ones((1, 2), bool), method="rkf54")
    ref.advance(T)
    err_fc = np.abs(ref.y[0] - exact(T)).max()
    it = DormandPrince45(
        rhs,
        y,
        np.ones((1, 2), bool),
        rate=lambda y, t: np.full(len(y), factor * fastest),
        alpha_range=[[alpha, alpha]],
    )
    it.advance(T)
    err = np.abs(y[0] - exact(T)).max()
    assert err_fc < 1e-5  # tol 1e-6 over 570 steps
    assert err <= err_fc and it.evaluations <= ref.evaluations
    if factor == 1.0:
        assert err < err_fc / 100
        assert it.accepted_by_method[1, 0] > 0.9 * it.accepted[0]
    if factor == 0.5:
        assert it.accepted_by_method[1, 0] == 0
