"""The thermal kernels against their numpy oracles in ud.theory.thermal."""

import numpy as np
import pytest

from ubermag_dirac import kernels
from ubermag_dirac.theory import thermal as th

RNG = np.random.default_rng(12)


def _unit():
    v = RNG.normal(size=3)
    return v / np.linalg.norm(v)


@pytest.mark.parametrize("dalpha", [0.0, 0.4])
def test_thermal_field_is_sigma_times_root_of_the_tensor(dalpha):
    """Columns from unit xi: L L^T = alpha I + dalpha (I - n n) (exact), and sigma
    is the oracle's per-step standard deviation sqrt(2 D / dt)."""
    alpha, n = 0.02, _unit()
    sigma = float(th.thermal_field_std(1.0, 8e5, 1e-25, 300.0, 1e-13, 2.2e5))
    L = np.array(
        [kernels.thermal_field(*e, sigma, alpha, dalpha, *n) for e in np.eye(3)]
    )
    tensor = alpha * np.eye(3) + dalpha * (np.eye(3) - np.outer(n, n))
    np.testing.assert_allclose(
        L.T @ L, sigma**2 * tensor, rtol=0, atol=1e-12 * sigma**2
    )


def test_thermal_drift_against_theory():
    for _ in range(50):
        m, n = _unit(), _unit()
        alpha, dalpha, q = RNG.uniform(0.001, 1), RNG.uniform(0, 2), RNG.uniform(1, 1e9)
        got = kernels.thermal_drift(*m, q, alpha, dalpha, *n)
        ref = q * th.tensor_damping_drift(m, alpha, dalpha, n)
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12 * max(q, 1.0))
