r"""Dirac spin-orbit torque field with its angular factors (one cell).

Torque of a ferromagnet on a topological-insulator surface written as a
non-conservative field inside the Gilbert form (``PHYSICS.md``, Ndiaye et al.
Eq. 25), :math:`m_n = \mathbf m\cdot\mathbf n`, :math:`\mathbf p = \mathbf n
\times\mathbf j`:

.. math::

    \mathbf H_T = -H_\mathrm{DL} f_\mathrm{DL}(m_n)\, m_n\,\mathbf j
        - H_\mathrm{FL} f_\mathrm{FL}(m_n)\,\mathbf p,\qquad
    f_\mathrm{FL} = \frac{1 - b_2}{1 + 3b_2},\quad
    f_\mathrm{DL} = \frac{1 + b_2}{(1 + 3b_2)^2},\quad b_2 = \beta^2 m_n^2.

Reference (numpy) forms: :func:`ubermag_dirac.terms.dirac_sot.torque_field`,
:func:`ubermag_dirac.theory.coefficients.f_DL` / ``f_FL``; the tests compare the
kernels with them.
"""

from ._jit import kernel

__all__ = ["dirac_factors", "dirac_field"]


@kernel
def dirac_factors(mn, beta):
    r"""Angular factors :math:`(f_\mathrm{DL}, f_\mathrm{FL})` (dimensionless).

    Parameters
    ----------
    mn : float
        :math:`m_n = \mathbf m\cdot\mathbf n` (|m| = 1).
    beta : float
        :math:`\beta = \Delta/\epsilon_F`; the caller guarantees
        :math:`0 \le \beta < 1` (then :math:`1 + 3b_2 \ge 1`). ``beta = 0``
        gives exactly ``(1.0, 1.0)``.

    Examples
    --------
    >>> from ubermag_dirac.kernels import dirac_factors
    >>> dirac_factors(1.0, 0.5)  # b2 = 1/4: (5/4)/(7/4)^2, (3/4)/(7/4)
    (0.40816326530612246, 0.42857142857142855)
    >>> dirac_factors(0.3, 0.0)
    (1.0, 1.0)
    >>> dirac_factors(1.0)
    Traceback (most recent call last):
    ...
    TypeError: ...
    """
    if beta == 0.0:
        return 1.0, 1.0
    b2 = beta * beta * mn * mn
    q = 1.0 + 3.0 * b2
    return (1.0 + b2) / (q * q), (1.0 - b2) / q


@kernel
def dirac_field(mn, jx, jy, jz, px, py, pz, h_dl, h_fl, beta):
    r"""Torque field :math:`\mathbf H_T` of the Dirac SOT in one cell.

    Parameters
    ----------
    mn : float
        :math:`m_n = \mathbf m\cdot\mathbf n`.
    jx, jy, jz : float
        Unit current direction :math:`\mathbf j`.
    px, py, pz : float
        :math:`\mathbf p = \mathbf n\times\mathbf j`.
    h_dl, h_fl : float
        Damping-like and field-like amplitudes, time factor included (A/m, or
        reduced units: the result has the unit of the amplitudes).
    beta : float
        :math:`\Delta/\epsilon_F`, :math:`0 \le \beta < 1`.

    Returns
    -------
    tuple of float
        :math:`(H_{T,x}, H_{T,y}, H_{T,z})`.

    Examples
    --------
    m along n = z, current along x (p = y), beta = 0: only the field-like part
    survives, :math:`-H_\mathrm{FL}\hat y`:

    >>> from ubermag_dirac.kernels import dirac_field
    >>> dirac_field(1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 100.0, 10.0, 0.0)
    (-100.0, -10.0, -0.0)
    """
    fdl, ffl = dirac_factors(mn, beta)
    cdl = -h_dl * fdl * mn
    cfl = -h_fl * ffl
    return cdl * jx + cfl * px, cdl * jy + cfl * py, cdl * jz + cfl * pz
