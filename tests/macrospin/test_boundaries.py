"""Analytic boundaries and fixed points of the macrospin (docs/PHYSICS.md, Sec. IV)."""

import csv
from pathlib import Path

import numpy as np
import pytest

from ubermag_dirac import macrospin as ms

DATA = Path(__file__).parents[1] / "data"


def _read_csv(name):
    with open(DATA / name) as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


BOUNDS = _read_csv("analytic_boundaries.csv")


@pytest.mark.parametrize(
    ("column", "func"),
    [
        ("she_diamond_edge", ms.she_diamond_edge),
        ("she_lee_linear", ms.she_lee_linear),
        ("she_upper", ms.she_upper_edge),
        ("dirac_alpha0_protA", lambda h: ms.dirac_threshold_alpha0(h, "A")),
        ("dirac_alpha0_protB", lambda h: ms.dirac_threshold_alpha0(h, "B")),
    ],
)
def test_analytic_spot_values(column, func):
    hx = BOUNDS["hx"]
    ref = BOUNDS[column]
    got = func(hx)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    ok = ~np.isnan(ref)
    np.testing.assert_allclose(got[ok], ref[ok], rtol=0, atol=1e-7)
    # the other quadrants: functions of |hx|
    np.testing.assert_array_equal(func(-hx), got)


def test_lee_is_small_field_limit_and_dirac_twice_she_at_zero():
    h = np.array([1e-4, 1e-3])
    assert np.all(np.abs(ms.she_diamond_edge(h) - ms.she_lee_linear(h)) < 2 * h**2)
    assert ms.she_diamond_edge(0.0) == pytest.approx(0.5, abs=1e-15)
    ratio = ms.dirac_threshold_alpha0(h) / ms.she_diamond_edge(h)
    np.testing.assert_allclose(ratio, 2.0, atol=5e-2)
    assert np.all(np.diff(np.abs(ratio - 2)) > 0)  # -> 2 as hx -> 0
    np.testing.assert_allclose(ms.dirac_threshold_alpha0(1e-9, "B"), 1.0, atol=1e-6)


def test_dirac_conserved_quantity_at_zero_damping():
    """G = s m_x - m_z - (h_x/s) ln(h_x - s m_z) is conserved by the alpha=0 flow
    (the basis of dirac_threshold_alpha0)."""
    hx, s = 0.3, 0.5
    m0 = [hx, 0.0, -np.sqrt(1 - hx**2)]
    r = ms.solve(
        m0,
        50.0,
        h=[hx, 0, 0],
        h_dl=s,
        alpha=0.0,
        t_eval=np.linspace(1, 50, 50),
        rtol=1e-11,
        atol=1e-13,
        stop_tol=0,
    )
    m = r.trajectory
    G = s * m[:, 0] - m[:, 2] - hx / s * np.log(hx - s * m[:, 2])
    G0 = s * m0[0] - m0[2] - hx / s * np.log(hx - s * m0[2])
    assert np.ptp(m[:, 2]) > 0.1  # it moves
    np.testing.assert_allclose(G, G0, atol=1e-8)
    # at the threshold the orbit from m0 reaches the saddle +x: G(m0) = G(+x)
    sc = ms.dirac_threshold_alpha0(hx)
    Gm0 = sc * hx + np.sqrt(1 - hx**2) - hx / sc * np.log(hx + sc * np.sqrt(1 - hx**2))
    assert Gm0 == pytest.approx(sc - hx / sc * np.log(hx), abs=1e-12)


@pytest.mark.parametrize("torque", ["dirac", "she"])
def test_fixed_points_are_fixed(torque):
    key = {"dirac": "h_dl", "she": "h_sh"}[torque]
    count = 0
    for hx in np.linspace(-0.95, 0.95, 9):
        for s in np.linspace(-2, 2, 11):
            fps = ms.fixed_points(hx, s, torque)
            assert fps.shape[0] >= 2
            u = ms.dmdt(fps, h=[hx, 0, 0], alpha=0.3, **{key: s})
            assert np.abs(u).max() < 1e-12
            np.testing.assert_allclose(np.linalg.norm(fps, axis=1), 1, atol=1e-14)
            count += len(fps)
    assert count > 200


def test_dirac_fixed_points_never_lose_stability():
    """Both tilted Dirac states are linearly stable for |hx| < 1, all s, alpha > 0."""
    hx = np.linspace(-0.99, 0.99, 23)[:, None, None]
    s = np.linspace(-5, 5, 41)[None, :, None]
    alpha = np.array([1e-3, 0.01, 0.1, 0.5, 1.0, 3.0])[None, None, :]
    fps = ms.dirac_fixed_points(hx, s)  # (hx, s, 1, 2, 3)
    hx_b, s_b, a_b = np.broadcast_arrays(hx, s, alpha)
    for k in range(2):
        m = np.broadcast_to(fps[..., k, :], (*hx_b.shape, 3))
        lam = ms.linear_stability(m, hx_b, s_b, torque="dirac", alpha=a_b)
        assert np.all(lam.real < 0)
        # with anisotropic damping too
        lam = ms.linear_stability(
            m, hx_b, s_b, torque="dirac", alpha=a_b, delta_alpha=0.05
        )
        assert np.all(lam.real < 0)
    # the compiled early-stop stability test agrees
    m = fps[:, :, 0, 1, :].reshape(-1, 3)
    from ubermag_dirac.macrospin import _kernels, solver

    hxs = np.broadcast_to(hx[:, :, 0], fps.shape[:2]).reshape(-1)
    ss = np.broadcast_to(s[:, :, 0], fps.shape[:2]).reshape(-1)
    h = np.stack([hxs, 0 * hxs, 0 * hxs], -1)
    _, mm, P, g = solver._setup(m, h, 1.0, 0.1, 0.0, *np.eye(3)[[2, 0]], h_dl=ss)
    assert np.all(_kernels.stable_many(mm, 1.0, 1.0, P, g))


def test_she_down_state_vanishes_at_diamond_edge():
    """Contrast: the SHE down-like state exists and is stable just below the exact
    edge and is gone just above it (found from the quartic, independently)."""
    for hx in [0.0, 0.1, 0.4, 0.8]:
        sc = float(ms.she_diamond_edge(hx))
        for fac, expect in ((1 - 1e-4, True), (1 + 1e-4, False)):
            s = sc * fac
            fps = ms.fixed_points(hx, s, "she")
            down = fps[fps[:, 2] < -1e-6]
            lam = ms.linear_stability(down, hx, s, torque="she", alpha=0.1)
            stable = bool(np.any(np.all(lam.real < 0, axis=-1)))
            assert stable == expect, (hx, fac)
        # the favourable-side xz-plane states vanish at the upper edge
        su = float(ms.she_upper_edge(hx))
        n_below = sum(
            abs(p[1]) < 1e-12 and p[2] > 1e-6
            for p in ms.fixed_points(hx, su * (1 - 1e-4), "she")
        )
        n_above = sum(
            abs(p[1]) < 1e-12 and p[2] > 1e-6
            for p in ms.fixed_points(hx, su * (1 + 1e-4), "she")
        )
        assert n_below > n_above


def test_she_out_of_plane_states_are_the_switched_states():
    hx, s = 0.2, 0.9
    fp = ms.she_out_of_plane_fixed_points(hx, s)
    np.testing.assert_allclose(fp[:, 2], hx / s)
    for hx_, s_ in ((hx, s), (-hx, s), (hx, -s), (-hx, -s)):
        fp = ms.she_out_of_plane_fixed_points(hx_, s_)
        lam = ms.linear_stability(fp, hx_, s_, torque="she", alpha=0.1)
        stable = np.all(lam.real < 0, axis=-1)
        # the stable one has m_y along the polarisation s * y
        np.testing.assert_array_equal(stable, np.sign(fp[:, 1]) == np.sign(s_))
    assert np.all(np.isnan(ms.she_out_of_plane_fixed_points(0.9, 0.3)))


def test_dirac_jump_at_zero_field():
    s = np.array([0.5, 1.0, 2.0])
    up, down = np.moveaxis(ms.dirac_fixed_points(0.0, s), -2, 0)
    np.testing.assert_allclose(up[:, 2] - down[:, 2], 2 / np.sqrt(1 + s**2))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ms.she_diamond_edge(1.01), r"\|hx\| must be <= 1"),
        (lambda: ms.dirac_threshold_alpha0(1.0), "must be < 1"),
        (lambda: ms.dirac_threshold_alpha0(0.5, protocol="a"), "protocol"),
        (lambda: ms.fixed_points(0.1, 0.1, "SHE"), "Unknown torque"),
        (lambda: ms.linear_stability([0, 0, 1.0], 0, 0, delta_alpha=-1), "delta_alpha"),
        (lambda: ms.she_out_of_plane_fixed_points(0.1, 0.0), "non-zero"),
    ],
)
def test_boundary_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_dirac_threshold_brent_fallback(monkeypatch):
    """Older SciPy (no elementwise.find_root): per-point Brent gives the same."""
    from ubermag_dirac.macrospin import boundaries

    hx = BOUNDS["hx"]
    vec = {p: ms.dirac_threshold_alpha0(hx, p) for p in "AB"}
    monkeypatch.setattr(boundaries, "find_root", None)
    for p in "AB":
        got = ms.dirac_threshold_alpha0(hx, p)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(vec[p]))
        np.testing.assert_allclose(got, vec[p], rtol=0, atol=1e-11)
