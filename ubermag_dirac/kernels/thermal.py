r"""Brown's thermal field and the noise-induced drift of a damping tensor (one cell).

Stochastic LLG in the Gilbert form (derivation: :mod:`ubermag_dirac.theory.thermal`)
with the damping tensor :math:`\hat\alpha = \alpha I + \delta\alpha(I - \mathbf n
\mathbf n)`:

* :func:`thermal_field`: one sample of Brown's field over a step,
  :math:`\mathbf H_{th} = \sigma L\boldsymbol\xi`, :math:`LL^T = \hat\alpha`,
  :math:`\sigma = \sqrt{2k_BT/(\gamma_0\mu_0M_sV\Delta t)}`, so that
  :math:`\langle\mathbf H\mathbf H^T\rangle = \sigma^2\hat\alpha`;
* :func:`thermal_drift`: the deterministic velocity that detailed balance adds to
  the Stratonovich equation when :math:`\delta\alpha > 0`.

Reference (numpy) forms: :func:`ubermag_dirac.theory.thermal.thermal_field_std`
(the variance) and :func:`ubermag_dirac.theory.thermal.tensor_damping_drift`.
"""

import math

from ._jit import kernel

__all__ = ["thermal_drift", "thermal_field"]


@kernel
def thermal_field(x0, x1, x2, sigma, alpha, dalpha, nx, ny, nz):
    r"""Brown's field :math:`\sigma L\boldsymbol\xi` of one cell (unit of ``sigma``).

    :math:`L = \sqrt{\alpha + \delta\alpha}\,(I - \mathbf n\mathbf n) +
    \sqrt\alpha\,\mathbf n\mathbf n`: the symmetric root of :math:`\hat\alpha`, its
    Cholesky factor diag(:math:`\sqrt{\alpha+\delta\alpha}, \sqrt{\alpha+
    \delta\alpha}, \sqrt\alpha`) in the frame of ``n``.

    Parameters
    ----------
    x0, x1, x2 : float
        Standard normal numbers.
    sigma : float
        :math:`\sqrt{2k_BT/(\gamma_0\mu_0M_sV\Delta t)}` (A/m per unit damping).
    alpha, dalpha : float
        :math:`\alpha\ge0`, :math:`\delta\alpha\ge0` (0 for isotropic damping).
    nx, ny, nz : float
        Unit normal of the tensor (any unit vector when ``dalpha`` is 0).

    Returns
    -------
    tuple of float
        :math:`(H_x, H_y, H_z)`.

    Examples
    --------
    >>> from ubermag_dirac.kernels import thermal_field
    >>> thermal_field(1.0, 0.0, 2.0, 10.0, 0.04, 0.0, 0.0, 0.0, 1.0)
    (2.0, 0.0, 4.0)
    >>> thermal_field(1.0, 0.0, 2.0, 10.0, 0.04, 0.05, 0.0, 0.0, 1.0)  # in-plane 0.09
    (3.0, 0.0, 4.0)
    """
    ra = math.sqrt(alpha)
    if dalpha == 0.0:
        return sigma * ra * x0, sigma * ra * x1, sigma * ra * x2
    rt = math.sqrt(alpha + dalpha)
    c = (ra - rt) * (nx * x0 + ny * x1 + nz * x2)
    return (
        sigma * (rt * x0 + c * nx),
        sigma * (rt * x1 + c * ny),
        sigma * (rt * x2 + c * nz),
    )


@kernel
def thermal_drift(mx, my, mz, q, alpha, dalpha, nx, ny, nz):
    r"""Noise-induced drift of the damping tensor, one cell (unit of ``q``).

    .. math:: \mathbf v = -q\,\frac{\delta\alpha\,a\,c}{(1 + a(\alpha + \delta\alpha
        c^2))^2}\,\big[a\,\mathbf n_\perp - \mathbf m\times\mathbf n\big],\qquad
        a = \alpha + \delta\alpha,\ c = \mathbf m\cdot\mathbf n,\
        \mathbf n_\perp = \mathbf n - c\,\mathbf m,

    with :math:`q = \gamma_0k_BT/(\mu_0M_sV)` (1/s). Zero for isotropic damping.

    Examples
    --------
    >>> from ubermag_dirac.kernels import thermal_drift
    >>> thermal_drift(0.6, 0.0, 0.8, 1.0, 0.1, 0.0, 0.0, 0.0, 1.0)
    (0.0, 0.0, 0.0)
    """
    if dalpha == 0.0 or q == 0.0:
        return 0.0, 0.0, 0.0
    a = alpha + dalpha
    c = mx * nx + my * ny + mz * nz
    den = 1.0 + a * (alpha + dalpha * c * c)
    f = -q * dalpha * a * c / (den * den)
    return (
        f * (a * (nx - c * mx) - (my * nz - mz * ny)),
        f * (a * (ny - c * my) - (mz * nx - mx * nz)),
        f * (a * (nz - c * mz) - (mx * ny - my * nx)),
    )
