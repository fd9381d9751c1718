"""Wilson score interval against statsmodels' formula written out and its
coverage measured by simulation (independent checks)."""

import numpy as np
import pytest

from ubermag_dirac.statistics import wilson_interval


def test_reference_values():
    # Wilson (1927) / Newcombe (1998), Table I: 81/263 -> (0.2553, 0.3662)
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=5e-5)
    assert hi == pytest.approx(0.3662, abs=5e-5)
    # 0/n: upper bound z^2/(n + z^2) exactly
    z = 1.959963984540054
    lo, hi = wilson_interval(0, 100)
    assert lo == 0.0 and hi == pytest.approx(z * z / (100 + z * z), rel=1e-12)
    lo, hi = wilson_interval(100, 100)
    assert hi == 1.0 and lo == pytest.approx(100 / (100 + z * z), rel=1e-12)


def test_coverage_is_close_to_nominal():
    """Coverage of the 95 % interval over 20000 simulated experiments of n=200
    at p = 0.03 (a write-error-rate regime): 0.93-0.97 (binomial standard error
    of the coverage estimate 0.0015; Wilson's coverage oscillates by ~1 % with p)."""
    rng = np.random.default_rng(5)
    p, n = 0.03, 200
    k = rng.binomial(n, p, size=20000)
    lo, hi = wilson_interval(k, n)
    coverage = np.mean((lo <= p) & (p <= hi))
    assert 0.93 < coverage < 0.97


def test_broadcast_and_errors():
    lo, hi = wilson_interval(np.array([0, 5, 10]), 10)
    assert lo.shape == hi.shape == (3,)
    assert np.all(lo <= hi)
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson_interval(-1, 10)
    with pytest.raises(ValueError, match="n must be >= 1"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 10, confidence=1.5)
    with pytest.raises(TypeError, match="integer counts"):
        wilson_interval(0.5, 10)
