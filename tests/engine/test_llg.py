"""The fused LLG kernel against independent closed forms (random states)."""

import numpy as np
import pytest

from ubermag_dirac.engine.llg import llg_rhs


def _random_unit(rng, shape):
    v = rng.normal(size=shape)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _no_stt():
    e = np.zeros((0, 0))
    return (e, e, e, e, np.zeros((0, 3, 0)), np.zeros(0))


def _kernel(
    m, H, gamma, alpha, *, precess=True, dalpha=None, n=None, stt=None, chunks=1
):
    B, _, N = m.shape
    mask = np.ones((B, N), dtype=bool)
    if dalpha is None:
        dalpha, n = np.zeros((0, 0)), np.zeros((0, 3, 0))
    out = np.empty_like(m)
    mx = llg_rhs(
        m, H, mask, gamma, alpha, precess, dalpha, n, stt or _no_stt(), out, chunks
    )
    return out, mx


def _cross(a, b):
    return np.cross(a, b, axis=1)


@pytest.mark.parametrize("chunks", [1, 3])
def test_scalar_damping_equals_landau_lifshitz_form(chunks):
    rng = np.random.default_rng(1)
    B, N = 3, 50
    m = _random_unit(rng, (B, 3, N))
    H = rng.normal(scale=1e5, size=(B, 3, N))
    gamma = rng.uniform(1e5, 3e5, size=(B, N))
    alpha = rng.uniform(0, 1, size=(B, N))
    out, mx = _kernel(m, H, gamma, alpha, chunks=chunks)
    g = gamma[:, None]
    a = alpha[:, None]
    mxH = _cross(m, H)
    expected = -g / (1 + a**2) * (mxH + a * _cross(m, mxH))
    np.testing.assert_allclose(
        out, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max()
    )
    np.testing.assert_allclose(
        mx, np.linalg.norm(expected, axis=1).max(axis=1), rtol=1e-12
    )


def test_no_precession_keeps_only_damping():
    rng = np.random.default_rng(2)
    m = _random_unit(rng, (2, 3, 20))
    H = rng.normal(scale=1e5, size=(2, 3, 20))
    gamma = np.full((2, 20), 2.211e5)
    alpha = np.full((2, 20), 0.3)
    out, _ = _kernel(m, H, gamma, alpha, precess=False)
    expected = -2.211e5 * 0.3 / (1 + 0.09) * _cross(m, _cross(m, H))
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-3)


def test_damping_tensor_solves_the_gilbert_equation_exactly():
    """dm/dt = -gamma m x H + m x (A dm/dt) with A = alpha I + dalpha (I - nn)."""
    rng = np.random.default_rng(3)
    B, N = 2, 40
    m = _random_unit(rng, (B, 3, N))
    n = _random_unit(rng, (B, 3, N))
    H = rng.normal(scale=1e5, size=(B, 3, N))
    gamma = rng.uniform(1e5, 3e5, size=(B, N))
    alpha = rng.uniform(0, 0.5, size=(B, N))
    dalpha = rng.uniform(0, 2, size=(B, N))
    out, _ = _kernel(m, H, gamma, alpha, dalpha=dalpha, n=n)
    # independent 3x3 solve per cell: (I - [m]x A) v = -gamma m x H
    for b in range(B):
        for i in range(N):
            mm_ = m[b, :, i]
            nn = n[b, :, i]
            A = alpha[b, i] * np.eye(3) + dalpha[b, i] * (np.eye(3) - np.outer(nn, nn))
            cross = np.array(
                [[0, -mm_[2], mm_[1]], [mm_[2], 0, -mm_[0]], [-mm_[1], mm_[0], 0]]
            )
            rhs = -gamma[b, i] * np.cross(mm_, H[b, :, i])
            v = np.linalg.solve(np.eye(3) - cross @ A, rhs)
            scale = np.linalg.norm(v)
            np.testing.assert_allclose(out[b, :, i], v, rtol=0, atol=1e-12 * scale)
            # and the result is tangent to the sphere
            assert abs(out[b, :, i] @ mm_) < 1e-14 * scale


def test_zero_anisotropic_damping_reduces_to_scalar():
    rng = np.random.default_rng(4)
    m = _random_unit(rng, (1, 3, 30))
    n = _random_unit(rng, (1, 3, 30))
    H = rng.normal(scale=1e5, size=(1, 3, 30))
    gamma = np.full((1, 30), 2.2e5)
    alpha = np.full((1, 30), 0.2)
    a, _ = _kernel(m, H, gamma, alpha, dalpha=np.zeros((1, 30)), n=n)
    b, _ = _kernel(m, H, gamma, alpha)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-6)


def test_empty_cells_are_frozen_and_nan_propagates_to_max():
    m = np.zeros((1, 3, 4))
    m[0, 0, :3] = 1.0
    H = np.ones((1, 3, 4)) * 1e5
    mask = np.array([[True, True, True, False]])
    out = np.empty_like(m)
    g = np.full((1, 4), 2e5)
    a = np.full((1, 4), 0.1)
    e2, e3 = np.zeros((0, 0)), np.zeros((0, 3, 0))
    mx = llg_rhs(m, H, mask, g, a, True, e2, e3, _no_stt(), out)
    assert np.all(out[0, :, 3] == 0) and mx[0] > 0
    H[0, 1, 1] = np.nan
    mx = llg_rhs(m, H, mask, g, a, True, e2, e3, _no_stt(), out)
    assert np.isnan(mx[0])


def _ref(module):
    return pytest.importorskip(
        f"ubermag_dirac.terms.{module}",
        reason=f"ubermag_dirac.terms.{module} not available yet",
    )


def test_damping_tensor_kernel_against_terms_gilbert_dmdt():
    llg = _ref("llg")
    rng = np.random.default_rng(6)
    N = 64
    m = _random_unit(rng, (1, 3, N))
    H = rng.normal(scale=1e5, size=(1, 3, N))
    n = np.array([0.0, 0.6, 0.8])
    out, _ = _kernel(
        m,
        H,
        np.full((1, N), 2.2e5),
        np.full((1, N), 0.05),
        dalpha=np.full((1, N), 0.3),
        n=np.broadcast_to(n[None, :, None], (1, 3, N)).copy(),
    )
    ref = llg.gilbert_dmdt(
        np.moveaxis(m[0], 0, -1), np.moveaxis(H[0], 0, -1), 2.2e5, 0.05, 0.3, n
    )
    np.testing.assert_allclose(
        np.moveaxis(out[0], 0, -1), ref, rtol=0, atol=1e-12 * np.abs(ref).max()
    )


def test_dirac_torque_field_kernel_against_terms_reference():
    dirac = _ref("dirac_sot")
    from ubermag_dirac.engine.dynamics import dirac_add_field

    rng = np.random.default_rng(5)
    N = 64
    m = _random_unit(rng, (1, 3, N))
    j = np.array([0.6, 0.8, 0])
    n = np.array([0, 0, 1.0])
    H_DL, H_FL, beta = 3e4, -1e4, 0.6
    H = np.zeros((1, 3, N))
    dirac_add_field(
        m,
        np.full((1, N), H_DL),
        np.full((1, N), H_FL),
        np.full((1, N), beta),
        np.broadcast_to(j[None, :, None], (1, 3, N)).copy(),
        np.broadcast_to(n[None, :, None], (1, 3, N)).copy(),
        np.full(1, 0.7),
        H,
    )
    ref = 0.7 * dirac.torque_field(np.moveaxis(m[0], 0, -1), H_DL, H_FL, beta, j, n)
    np.testing.assert_allclose(np.moveaxis(H[0], 0, -1), ref, rtol=1e-12, atol=1e-9)


def test_spin_hall_torque_field_kernel_against_terms_reference():
    sh = _ref("spin_hall")
    from ubermag_dirac.engine.dynamics import spin_hall_add_field

    rng = np.random.default_rng(7)
    N = 64
    m = _random_unit(rng, (1, 3, N))
    j = np.array([1.0, 0, 0])
    n = np.array([0, 0, 1.0])
    H = np.zeros((1, 3, N))
    spin_hall_add_field(
        m,
        np.full((1, N), 2e4),
        np.broadcast_to(np.cross(n, j)[None, :, None], (1, 3, N)).copy(),
        np.ones(1),
        H,
    )
    ref = sh.torque_field(np.moveaxis(m[0], 0, -1), 2e4, j, n)
    np.testing.assert_allclose(np.moveaxis(H[0], 0, -1), ref, rtol=1e-12, atol=1e-9)
