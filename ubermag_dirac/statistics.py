r"""Statistics of switching trials: binomial confidence intervals.

A switching probability is estimated from :math:`k` switched trials out of
:math:`n` as :math:`\hat p = k/n`; its uncertainty is given by the Wilson score
interval (E. B. Wilson, J. Am. Stat. Assoc. 22, 209 (1927)), which unlike the
normal ("Wald") interval stays inside [0, 1] and keeps its coverage at
:math:`\hat p = 0` or 1, where write-error-rate curves live:

.. math::

    p_\pm = \frac{\hat p + z^2/(2n) \pm z\sqrt{\hat p(1-\hat p)/n + z^2/(4n^2)}}
    {1 + z^2/n},

with :math:`z` the two-sided standard-normal quantile of the confidence level
(:math:`z = 1.95996` for 95 %). Dimensionless.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["wilson_interval"]


def wilson_interval(k, n, confidence=0.95):
    r"""Wilson score interval of a binomial proportion ``k / n``.

    Parameters
    ----------
    k : array_like of int
        Successes (e.g. switched trials), ``0 <= k <= n``.
    n : array_like of int
        Trials, ``n >= 1`` (broadcast against ``k``).
    confidence : float
        Two-sided confidence level, ``0 < confidence < 1`` (default 0.95).

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)``, dimensionless, broadcast shape of ``k`` and ``n``.

    Examples
    --------
    >>> from ubermag_dirac.statistics import wilson_interval
    >>> low, high = wilson_interval(0, 10000)
    >>> f"{float(low):.1e} {float(high):.2e}"
    '0.0e+00 3.84e-04'
    >>> lo, hi = wilson_interval(50, 100)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.4038, 0.5962)
    >>> wilson_interval(11, 10)
    Traceback (most recent call last):
    ...
    ValueError: k must satisfy 0 <= k <= n (switched trials out of n), got k=11, n=10.
    """
    k = np.asarray(k)
    n = np.asarray(n)
    if not (np.issubdtype(k.dtype, np.integer) and np.issubdtype(n.dtype, np.integer)):
        raise TypeError("k and n must be integer counts of trials.")
    if np.any(n < 1):
        raise ValueError(f"n must be >= 1 trials, got {n.min()}.")
    if np.any(k < 0) or np.any(k > n):
        bad = np.broadcast_arrays(k, n)
        i = np.flatnonzero((bad[0] < 0) | (bad[0] > bad[1]))[0]
        raise ValueError(
            "k must satisfy 0 <= k <= n (switched trials out of n), got "
            f"k={bad[0].flat[i]}, n={bad[1].flat[i]}."
        )
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    z = stats.norm.ppf(0.5 + 0.5 * confidence)
    k = k.astype(float)
    n = n.astype(float)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = np.where(k == 0, 0.0, centre - half)
    high = np.where(k == n, 1.0, centre + half)
    return low, high
