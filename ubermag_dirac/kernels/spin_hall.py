r"""Spin-Hall damping-like torque field (one cell).

Inside the Gilbert form (``PHYSICS.md``), with :math:`\mathbf p = \mathbf n
\times\mathbf j` the spin polarisation:

.. math::

    \mathbf T = \gamma_0 H_\mathrm{SH}\,\mathbf m\times(\mathbf p\times
    \mathbf m) = -\gamma_0\,\mathbf m\times\mathbf H_T,\qquad
    \mathbf H_T = H_\mathrm{SH}\,\mathbf m\times\mathbf p.

Reference (numpy) form: :func:`ubermag_dirac.terms.spin_hall.torque_field`.
"""

from ._jit import kernel

__all__ = ["spin_hall_field"]


@kernel
def spin_hall_field(mx, my, mz, px, py, pz, h_sh):
    r"""Torque field :math:`\mathbf H_T = H_\mathrm{SH}\,\mathbf m\times\mathbf p`.

    Parameters
    ----------
    mx, my, mz : float
        Unit magnetisation.
    px, py, pz : float
        Unit polarisation :math:`\mathbf p = \mathbf n\times\mathbf j`.
    h_sh : float
        Amplitude, time factor included (A/m or reduced; the result has its
        unit).

    Returns
    -------
    tuple of float
        :math:`(H_{T,x}, H_{T,y}, H_{T,z})`.

    Examples
    --------
    >>> from ubermag_dirac.kernels import spin_hall_field
    >>> spin_hall_field(0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 100.0)  # z x y = -x
    (-100.0, 0.0, 0.0)
    """
    return (
        h_sh * (my * pz - mz * py),
        h_sh * (mz * px - mx * pz),
        h_sh * (mx * py - my * px),
    )
