"""Newell demagnetisation tensor: sum rules, symmetries, far field, high precision."""

import itertools

import numpy as np
import pytest

from ubermag_dirac.engine._newell import (
    newell_asymptotic,
    newell_exact,
    newell_tensor,
    switch_radius,
)

CELLS = [(1.0, 1.0, 1.0), (2.5e-9, 2.5e-9, 3e-9), (1.0, 1.0, 0.2), (1.0, 0.5, 3.0)]


@pytest.mark.parametrize("cell", [*CELLS, (5.0, 5.0, 0.1), (0.1, 3.0, 7.0)])
def test_self_term_sum_rule(cell):
    N = newell_tensor(0, 0, 0, cell)
    assert N[:3].sum() == pytest.approx(1.0, abs=1e-14)
    assert np.all(N[:3] > 0)
    assert np.all(N[3:] == 0)


def test_self_term_cube_is_one_third():
    N = newell_tensor(0, 0, 0, (3e-9, 3e-9, 3e-9))
    np.testing.assert_allclose(N[:3], 1 / 3, rtol=1e-14)


def test_flat_cell_self_term_is_mostly_zz():
    # a 10:10:1 cell: Nzz close to the thin-film limit, Nxx = Nyy by symmetry
    N = newell_tensor(0, 0, 0, (10.0, 10.0, 1.0))
    assert N[0] == pytest.approx(N[1], rel=1e-14)
    assert 0.75 < N[2] < 0.9


@pytest.mark.parametrize("cell", CELLS)
def test_trace_vanishes_off_self(cell):
    rng = np.random.default_rng(1)
    I, J, K = rng.integers(-30, 31, size=(3, 200))
    keep = (I != 0) | (J != 0) | (K != 0)
    N = newell_tensor(I[keep], J[keep], K[keep], cell)
    scale = np.abs(N).max(axis=0)
    assert np.all(np.abs(N[:3].sum(axis=0)) <= 1e-10 * scale)


@pytest.mark.parametrize("cell", CELLS)
def test_parity(cell):
    rng = np.random.default_rng(2)
    I, J, K = rng.integers(-25, 26, size=(3, 100))
    N = newell_tensor(I, J, K, cell)
    parity = {  # (sign under x->-x, y->-y, z->-z) per component
        0: (1, 1, 1),
        1: (1, 1, 1),
        2: (1, 1, 1),
        3: (-1, -1, 1),
        4: (-1, 1, -1),
        5: (1, -1, -1),
    }
    flips = [(-I, J, K), (I, -J, K), (I, J, -K)]
    for axis, (a, b, c) in enumerate(flips):
        Nf = newell_tensor(a, b, c, cell)
        for comp, signs in parity.items():
            np.testing.assert_array_equal(Nf[comp], signs[axis] * N[comp])


def test_permutation_symmetry():
    # Nyy(X, Y, Z; dx, dy, dz) = Nxx(Y, X, Z; dy, dx, dz), etc.
    cell = (1.0, 0.7, 0.4)
    rng = np.random.default_rng(3)
    I, J, K = rng.integers(-6, 7, size=(3, 60))
    N = newell_tensor(I, J, K, cell)
    Nswap = newell_tensor(J, I, K, (cell[1], cell[0], cell[2]))
    np.testing.assert_allclose(N[1], Nswap[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(N[3], Nswap[3], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(N[4], Nswap[5], rtol=1e-12, atol=1e-14)
    Nzx = newell_tensor(K, J, I, (cell[2], cell[1], cell[0]))
    np.testing.assert_allclose(N[2], Nzx[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(N[4], Nzx[4], rtol=1e-12, atol=1e-14)


def _dipole(I, J, K, cell):
    X, Y, Z = I * cell[0], J * cell[1], K * cell[2]
    R2 = X**2 + Y**2 + Z**2
    V = np.prod(cell)
    c = -V / (4 * np.pi) / R2**2.5
    return np.array(
        [
            c * (3 * X * X - R2),
            c * (3 * Y * Y - R2),
            c * (3 * Z * Z - R2),
            c * 3 * X * Y,
            c * 3 * X * Z,
            c * 3 * Y * Z,
        ]
    )


@pytest.mark.parametrize("cell", CELLS)
def test_far_field_is_point_dipole(cell):
    # exact Newell formulas (no asymptotic switch) against the point dipole: the
    # difference falls like (Delta / R)^2 (like (Delta / R)^4 for cubes)
    h = max(cell)
    dirs = np.array([[1, 0, 0], [0, 1, 0.1], [0.3, 0, 1], [1, 0.5, 0.2], [0.3, 1, 1]])
    dirs = dirs / np.linalg.norm(dirs * cell, axis=1)[:, None]
    errs = []
    for dist in (10 * h, 20 * h):
        I, J, K = np.rint(dirs * dist).astype(int).T
        N = newell_tensor(I, J, K, cell, r_asym=np.inf)
        D = _dipole(I, J, K, cell)
        err = np.abs(N - D).max(axis=0) / np.abs(D).max(axis=0)
        assert np.all(err < 2 * (h / dist) ** 2), err
        errs.append(err)
    assert np.all(errs[1] < 0.3 * errs[0])


@pytest.mark.parametrize(
    ("cell", "tol"),
    [(CELLS[0], 1e-12), (CELLS[1], 2e-12), (CELLS[2], 1e-11), (CELLS[3], 3e-11)],
)
def test_asymptotic_matches_exact_at_switch_radius(cell, tol):
    h = max(cell)
    r = switch_radius(cell)
    # displacements just beyond the switch radius, in several directions
    d = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1], [0.3, 1, 0.2], [0, 0.4, 1]])
    d = d / np.linalg.norm(d * cell / h, axis=1)[:, None] * (r + 0.5)
    I, J, K = np.ceil(d).astype(int).T
    ex = newell_tensor(I, J, K, cell, r_asym=np.inf)
    asym = newell_asymptotic(I * cell[0], J * cell[1], K * cell[2], cell, order=6)
    scale = np.abs(ex).max(axis=0)
    assert np.all(np.abs(ex - asym).max(axis=0) <= tol * scale)


def test_exact_octant_matches_pointwise():
    cell = (1.0, 0.8, 0.5)
    box = newell_exact(4, 3, 2, cell)
    for i, j, k in itertools.product(range(4), range(3), range(2)):
        np.testing.assert_allclose(
            box[:, i, j, k], newell_tensor(i, j, k, cell), rtol=0, atol=0
        )


# ---------------------------------------------------------------- mpmath check
def _newell_mp(X, Y, Z, cell, mp):
    """Newell tensor by the same formulas in 60-digit arithmetic (independent code)."""

    def f(x, y, z):
        x, y, z = abs(x), abs(y), abs(z)
        R = mp.sqrt(x * x + y * y + z * z)
        r = (2 * x * x - y * y - z * z) * R / 6
        if x * x + z * z > 0:
            r += y / 2 * (z * z - x * x) * mp.asinh(y / mp.sqrt(x * x + z * z))
        if x * x + y * y > 0:
            r += z / 2 * (y * y - x * x) * mp.asinh(z / mp.sqrt(x * x + y * y))
        if x > 0:
            r -= x * y * z * mp.atan(y * z / (x * R))
        return r

    def g(x, y, z):
        s = mp.sign(x) * mp.sign(y)
        x, y, z = abs(x), abs(y), abs(z)
        R = mp.sqrt(x * x + y * y + z * z)
        r = -x * y * R / 3
        if x * x + y * y > 0:
            r += x * y * z * mp.asinh(z / mp.sqrt(x * x + y * y))
        if y * y + z * z > 0:
            r += y / 6 * (3 * z * z - y * y) * mp.asinh(x / mp.sqrt(y * y + z * z))
        if x * x + z * z > 0:
            r += x / 6 * (3 * z * z - x * x) * mp.asinh(y / mp.sqrt(x * x + z * z))
        if z > 0:
            r -= z**3 / 6 * mp.atan(x * y / (z * R))
        if y > 0:
            r -= z * y * y / 2 * mp.atan(x * z / (y * R))
        if x > 0:
            r -= z * x * x / 2 * mp.atan(y * z / (x * R))
        return s * r

    d = [mp.mpf(v) for v in cell]
    funcs = [(f, (0, 1, 2)), (f, (1, 0, 2)), (f, (2, 1, 0))]
    funcs += [(g, (0, 1, 2)), (g, (0, 2, 1)), (g, (1, 2, 0))]
    out = []
    for fn, perm in funcs:
        acc = mp.mpf(0)
        for e in itertools.product((-1, 0, 1), repeat=3):
            w = 1
            for ek in e:
                w *= 2 if ek == 0 else -1
            p = [(X + e[0]) * d[0], (Y + e[1]) * d[1], (Z + e[2]) * d[2]]
            acc += w * fn(p[perm[0]], p[perm[1]], p[perm[2]])
        out.append(acc / (4 * mp.pi * d[0] * d[1] * d[2]))
    return np.array([float(v) for v in out])


@pytest.mark.parametrize("cell", [(1.0, 1.0, 1.0), (2.5, 2.5, 3.0), (1.0, 1.0, 0.2)])
def test_tensor_against_60_digit_newell(cell):
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 60
    points = [(1, 0, 0), (2, 1, 0), (3, 2, 1), (6, 3, 1), (8, 4, 2), (10, 0, 0)]
    points += [(14, 2, 2), (12, 5, 1), (19, 3, 2), (25, 7, 3), (40, 20, 0)]
    points += [(90, 50, 3), (200, 3, 0)]
    for X, Y, Z in points:
        ref = _newell_mp(X, Y, Z, cell, mpmath)
        N = newell_tensor(X, Y, Z, cell)
        # 1e-12 of the largest component at that displacement (measured: <= 6e-13)
        assert np.abs(N - ref).max() <= 1e-12 * np.abs(ref).max(), (X, Y, Z)


@pytest.mark.parametrize("order", [0, 1, 2, 3, 6])
def test_compiled_expansion_matches_numpy_recurrence(order):
    from ubermag_dirac.engine._newell import _newell_asymptotic_numpy

    rng = np.random.default_rng(10)
    X, Y, Z = rng.uniform(-60, 60, size=(3, 300))
    cell = (1.0, 0.7, 1.3)
    fast = newell_asymptotic(X, Y, Z, cell, order)
    ref = _newell_asymptotic_numpy(X, Y, Z, cell, order)
    np.testing.assert_allclose(fast, ref, rtol=1e-13, atol=1e-13 * np.abs(ref).max())
