r"""Exact solution of the Gilbert form with a damping tensor (one cell).

With :math:`\mathbf H` the total field *including* the torque fields
:math:`\mathbf H_T` of the spin-orbit terms, :math:`\gamma_0` (m/(A s)), the
damping tensor :math:`\hat\alpha = \alpha I + \delta\alpha (I - \mathbf n
\mathbf n)` and :math:`\mathbf h = -\gamma_0\,\mathbf m\times\mathbf H`, the
Gilbert equation

.. math::

    \dot{\mathbf m} = \mathbf h + \mathbf m\times(\hat\alpha\,\dot{\mathbf m})

is solved in closed form. Writing :math:`a = \alpha + \delta\alpha`,
:math:`c = \mathbf m\cdot\mathbf n`, :math:`\mathbf n_\perp = \mathbf n -
c\,\mathbf m`, :math:`\mathbf u = \mathbf m\times\mathbf n` and using
:math:`\mathbf m\cdot\dot{\mathbf m} = 0`:

.. math::

    s = \mathbf n\cdot\dot{\mathbf m} =
        \frac{\mathbf n\cdot\mathbf h + a\,\mathbf n\cdot(\mathbf m\times
        \mathbf h)}{1 + a\alpha + a\,\delta\alpha\, c^2},\qquad
    \dot{\mathbf m} = \frac{\mathbf h + a\,\mathbf m\times\mathbf h
        + \delta\alpha\, s\,(a\,\mathbf n_\perp - \mathbf u)}{1 + a^2},

which for :math:`\delta\alpha = 0` is the Landau-Lifshitz form
:math:`\dot{\mathbf m} = -\frac{\gamma_0}{1+\alpha^2}[\mathbf m\times\mathbf H
+ \alpha\,\mathbf m\times(\mathbf m\times\mathbf H)]`. The denominators are
:math:`\ge 1` for :math:`\alpha, \delta\alpha \ge 0`.

Without precession (OOMMF's ``do_precess 0``, scalar damping only) the damping
part remains, :math:`\dot{\mathbf m} = -\frac{\gamma_0\alpha}{1+\alpha^2}
\mathbf m\times(\mathbf m\times\mathbf H)`: :func:`damping_dmdt`.

Reference (numpy) form: :func:`ubermag_dirac.terms.llg.gilbert_dmdt` (a dense
3x3 solve per cell); the tests compare the kernel with it.
"""

from ._jit import kernel

__all__ = ["damping_dmdt", "gilbert_dmdt"]


@kernel
def gilbert_dmdt(mx, my, mz, Hx, Hy, Hz, gamma, alpha, dalpha, nx, ny, nz):
    r""":math:`\dot{\mathbf m}` of the Gilbert form in one cell (module docstring).

    Parameters
    ----------
    mx, my, mz : float
        Unit magnetisation.
    Hx, Hy, Hz : float
        Total field, torque fields included (A/m; reduced units with
        ``gamma = 1`` give :math:`\dot{\mathbf m}` in :math:`\gamma_0 H_K`).
    gamma : float
        :math:`\gamma_0` (m/(A s)).
    alpha, dalpha : float
        Scalar damping and the extra damping :math:`\delta\alpha` of the
        components perpendicular to ``n`` (both :math:`\ge 0`).
    nx, ny, nz : float
        Unit normal of the damping tensor (read only when ``dalpha != 0``).

    Returns
    -------
    tuple of float
        :math:`\dot{\mathbf m}` (1/s).

    Examples
    --------
    Precession and damping about a field along z (:math:`\alpha = 1`):

    >>> from ubermag_dirac.kernels import gilbert_dmdt
    >>> gilbert_dmdt(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    (-0.0, 0.5, 0.5)
    >>> gilbert_dmdt(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0)
    Traceback (most recent call last):
    ...
    TypeError: ...
    """
    # h = -gamma0 m x H
    hx = -gamma * (my * Hz - mz * Hy)
    hy = -gamma * (mz * Hx - mx * Hz)
    hz = -gamma * (mx * Hy - my * Hx)
    # m x h
    mhx = my * hz - mz * hy
    mhy = mz * hx - mx * hz
    mhz = mx * hy - my * hx
    at = alpha + dalpha
    vx = hx + at * mhx
    vy = hy + at * mhy
    vz = hz + at * mhz
    if dalpha != 0.0:
        cm = mx * nx + my * ny + mz * nz
        s = (nx * hx + ny * hy + nz * hz + at * (nx * mhx + ny * mhy + nz * mhz)) / (
            1.0 + at * alpha + at * dalpha * cm * cm
        )
        # + dalpha s (a n_perp - m x n)
        ds = dalpha * s
        vx += ds * (at * (nx - cm * mx) - (my * nz - mz * ny))
        vy += ds * (at * (ny - cm * my) - (mz * nx - mx * nz))
        vz += ds * (at * (nz - cm * mz) - (mx * ny - my * nx))
    f = 1.0 / (1.0 + at * at)
    return f * vx, f * vy, f * vz


@kernel
def damping_dmdt(mx, my, mz, Hx, Hy, Hz, gamma, alpha):
    r""":math:`\dot{\mathbf m}` without precession (OOMMF's ``do_precess 0``).

    .. math::

        \dot{\mathbf m} = -\frac{\gamma_0\alpha}{1+\alpha^2}\,
        \mathbf m\times(\mathbf m\times\mathbf H)

    (scalar damping only). Arguments as :func:`gilbert_dmdt`.

    Examples
    --------
    >>> from ubermag_dirac.kernels import damping_dmdt
    >>> damping_dmdt(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0)  # towards the field
    (-0.0, 0.0, 0.5)
    """
    hx = -gamma * (my * Hz - mz * Hy)
    hy = -gamma * (mz * Hx - mx * Hz)
    hz = -gamma * (mx * Hy - my * Hx)
    f = alpha / (1.0 + alpha * alpha)
    return f * (my * hz - mz * hy), f * (mz * hx - mx * hz), f * (mx * hy - my * hx)
