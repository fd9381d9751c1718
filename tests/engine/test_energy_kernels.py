"""The compiled neighbour sums of exchange and DMI against a numpy reference.

``_pair_sum`` sweeps the grid axis by axis (contiguous line interiors, the
wrapped ends separately); the reference below writes the same sums with
``np.roll`` on random unit vectors, random bond coefficients and empty cells,
on grids with axes of one and two cells, free and periodic.
"""

import numpy as np
import pytest

from ubermag_dirac.engine.energy import _kernels as K

GRIDS = [
    ((200, 50, 1), ()),
    ((7, 5, 4), (0, 2)),
    ((2, 3, 2), (0, 1, 2)),
    ((1, 9, 1), (1,)),
    ((5, 1, 3), (2,)),
    ((2, 2, 2), ()),
]


def _setup(shape, periodic, seed, B=2):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(B, 3, *shape))
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    magnetic = rng.random((B, *shape)) >= 0.2
    m *= magnetic[:, None]
    c = []
    for a in range(3):
        ca = rng.random((B, *shape)) * magnetic * np.roll(magnetic, -1, axis=1 + a)
        if a not in periodic:  # no bond from the last cell to the first
            last = [slice(None)] * 4
            last[1 + a] = -1
            ca[tuple(last)] = 0.0
        c.append(ca)
    hmul = np.where(magnetic, rng.random((B, *shape)) + 0.5, 0.0)
    return m, c, hmul


def _reference(m, c, V=None):
    """Neighbour sums ``s`` (exchange: ``V`` None) with ``np.roll``."""
    s = np.zeros_like(m)
    for a in range(3):
        if m.shape[2 + a] == 1:
            continue
        plus = np.roll(m, -1, axis=2 + a)
        minus = np.roll(m, 1, axis=2 + a)
        c0 = c[a][:, None]
        c1 = np.roll(c[a], 1, axis=1 + a)[:, None]
        if V is None:
            s += c0 * (plus - m) + c1 * (minus - m)
        else:
            w = c0 * plus - c1 * minus
            s += np.cross(
                np.broadcast_to(V[a][:, None, None, None], w.shape), w, axis=1
            )
    return s


@pytest.mark.parametrize(("shape", "periodic"), GRIDS)
def test_exchange_sums_match_the_roll_reference(shape, periodic):
    m, (cx, cy, cz), hmul = _setup(shape, periodic, seed=len(shape) + sum(shape))
    s = _reference(m, (cx, cy, cz))
    H0 = np.random.default_rng(1).normal(size=m.shape)
    H = K.exchange_add_field(m, cx, cy, cz, hmul, H0.copy())
    scale = np.abs(s).max()
    np.testing.assert_allclose(H - H0, hmul[:, None] * s, rtol=0, atol=1e-13 * scale)
    w = K.exchange_energy(m, cx, cy, cz, hmul, np.full(hmul.shape, np.nan))
    ref = np.where(hmul != 0, -(m * s).sum(axis=1), 0.0)
    np.testing.assert_allclose(w, ref, rtol=0, atol=1e-13 * scale)


@pytest.mark.parametrize(("shape", "periodic"), GRIDS)
def test_dmi_sums_match_the_roll_reference(shape, periodic):
    m, (cx, cy, cz), hmul = _setup(shape, periodic, seed=7 + sum(shape))
    V = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.3, 0.0, 0.5]])
    s = _reference(m, (cx, cy, cz), V)
    H = K.dmi_add_field(m, cx, cy, cz, V, hmul, np.zeros_like(m))
    scale = np.abs(s).max()
    np.testing.assert_allclose(H, hmul[:, None] * s, rtol=0, atol=1e-13 * scale)
    w = K.dmi_energy(m, cx, cy, cz, V, hmul, np.full(hmul.shape, np.nan))
    ref = np.where(hmul != 0, (m * s).sum(axis=1), 0.0)
    np.testing.assert_allclose(w, ref, rtol=0, atol=1e-13 * scale)
