r"""Slonczewski spin-transfer torque as OOMMF's ``Oxs_SpinXferEvolve`` adds it.

OOMMF adds the torque outside the Gilbert solve, in the Landau-Lifshitz form
with the scalar damping :math:`\alpha` and :math:`\gamma_{LL} = \gamma_0/
(1+\alpha^2)` (``Oxs_SpinXferEvolve::Calculate_dm_dt``). With the field-like
amplitudes :math:`b_\epsilon = \beta\epsilon` and :math:`b' = \beta\epsilon'`
(A/m), :math:`\beta = |\hbar/(\mu_0 e)|\,J/(d M_s)`, :math:`\epsilon =
P\Lambda^2/[(\Lambda^2+1) + (\Lambda^2-1)\,\mathbf m\cdot\mathbf p]` and the
unit polarisation :math:`\mathbf p`:

.. math::

    \dot{\mathbf m} \mathrel{+}= \gamma_{LL}\left[(b_\epsilon + \alpha b')\,
    \mathbf m\times(\mathbf p\times\mathbf m) + (\alpha b_\epsilon - b')\,
    \mathbf m\times\mathbf p\right]

with precession; without it (OOMMF's ``do_precess 0``) the coefficients are
:math:`\alpha b'` and :math:`\alpha b_\epsilon`. For scalar damping this equals
the torque field :math:`\beta(\epsilon\,\mathbf m\times\mathbf p +
\epsilon'\mathbf p)` inside the Gilbert form.

Reference (numpy) form: :func:`ubermag_dirac.terms.spin_hall.slonczewski_dmdt`
(the expression of ``micromagneticmodel.Slonczewski``'s docstring).
"""

from ._jit import kernel

__all__ = ["slonczewski_dmdt"]


@kernel
def slonczewski_dmdt(mx, my, mz, px, py, pz, c1, a, b, c2, alpha, gamma, precess):
    r""":math:`\dot{\mathbf m}` (1/s) of the Slonczewski torque in one cell.

    Parameters
    ----------
    mx, my, mz : float
        Unit magnetisation.
    px, py, pz : float
        Unit polarisation of the fixed layer.
    c1, a, b : float
        :math:`b_\epsilon = c_1/(a + b\,\mathbf m\cdot\mathbf p)` with
        :math:`c_1 = \beta P\Lambda^2` (A/m, time factor included),
        :math:`a = \Lambda^2 + 1`, :math:`b = \Lambda^2 - 1`
        (:math:`\Lambda \ge 1` keeps the denominator :math:`\ge 2`).
    c2 : float
        :math:`b' = \beta\epsilon'` (A/m, time factor included).
    alpha : float
        Scalar Gilbert damping.
    gamma : float
        :math:`\gamma_0` (m/(A s)).
    precess : bool
        Whether the system has a Precession term.

    Returns
    -------
    tuple of float
        The contribution to :math:`\dot{\mathbf m}` (1/s).

    Examples
    --------
    m along x, p along y, P = 1/2, Lambda = 1 (eps = P/2), no damping: the
    damping-like part :math:`\gamma_0\beta\epsilon\,\mathbf p`:

    >>> from ubermag_dirac.kernels import slonczewski_dmdt
    >>> m, p = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0)
    >>> slonczewski_dmdt(*m, *p, 0.5, 2.0, 0.0, 0.0, 0.0, 1.0, True)
    (0.0, 0.25, 0.0)
    """
    mp = mx * px + my * py + mz * pz
    beps = c1 / (a + b * mp)
    if precess:
        cdl = beps + alpha * c2
        cfl = alpha * beps - c2
    else:
        cdl = alpha * c2
        cfl = alpha * beps
    gll = gamma / (1.0 + alpha * alpha)
    return (
        gll * (cdl * (px - mp * mx) + cfl * (my * pz - mz * py)),
        gll * (cdl * (py - mp * my) + cfl * (mz * px - mx * pz)),
        gll * (cdl * (pz - mp * mz) + cfl * (mx * py - my * px)),
    )
