r"""Reference (plain numpy) right-hand sides of the Gilbert-form LLG equation.

All spin-orbit torques of ``ubermag_dirac`` sit *inside* the Gilbert form
(``docs/PHYSICS.md``, ARCHITECTURE.md), written with a non-conservative field
:math:`\mathbf{H}_\text{T}` added to :math:`\mathbf{H}_\text{eff}`:

.. math::

    \frac{\partial\mathbf{m}}{\partial t} = -\gamma_0\,\mathbf{m}\times
    \mathbf{H} + \mathbf{m}\times\left(\hat\alpha\cdot
    \frac{\partial\mathbf{m}}{\partial t}\right),\qquad
    \mathbf{H} = \mathbf{H}_\text{eff} + \mathbf{H}_\text{T},\qquad
    \hat\alpha = \alpha\,\mathbf{I} + \delta\alpha\,(\mathbf{I} - \mathbf{n}\mathbf{n}).

With :math:`[\mathbf{m}]_\times\mathbf{v} = \mathbf{m}\times\mathbf{v}` this is
the linear system :math:`(\mathbf{I} - [\mathbf{m}]_\times\hat\alpha)\,
\dot{\mathbf{m}} = -\gamma_0\,\mathbf{m}\times\mathbf{H}`, which
:func:`gilbert_dmdt` solves exactly in every cell. The matrix is invertible for
any positive semi-definite :math:`\hat\alpha`: if :math:`\mathbf{v} =
\mathbf{m}\times(\hat\alpha\mathbf{v})` then :math:`\mathbf{v}\cdot\hat\alpha
\mathbf{v} = 0`, so :math:`\hat\alpha\mathbf{v} = 0` and :math:`\mathbf{v} = 0`.

For scalar damping and :math:`|\mathbf{m}| = 1` the solution is the
Landau-Lifshitz form used in the docstrings of ``micromagneticmodel``,
:func:`landau_lifshitz_dmdt`.

Arrays are component-last, ``(..., 3)``; scalar parameters broadcast against
``m[..., 0]``; ``m`` and ``H`` may be complex (complex-step derivatives). These
functions are the references that the compiled kernel
(:func:`ubermag_dirac.kernels.gilbert_dmdt`) is tested against; they favour
clarity over speed.
"""

import numpy as np

from . import _validation as v
from ._validation import real_or_complex

__all__ = [
    "cross_matrix",
    "damping_tensor",
    "gilbert_dmdt",
    "landau_lifshitz_dmdt",
    "torque_dmdt",
]


def cross_matrix(m):
    r"""Matrix :math:`[\mathbf{m}]_\times` with :math:`[\mathbf{m}]_\times\mathbf{v}
    = \mathbf{m}\times\mathbf{v}`, shape ``(..., 3, 3)``.

    Examples
    --------
    >>> import numpy as np
    >>> from ubermag_dirac.terms.llg import cross_matrix
    >>> cross_matrix([0, 0, 1]) @ np.array([1.0, 0, 0])
    array([0., 1., 0.])
    """
    m = real_or_complex(m)
    z = np.zeros(m.shape[:-1], dtype=m.dtype)
    mx, my, mz = m[..., 0], m[..., 1], m[..., 2]
    return np.stack(
        [
            np.stack([z, -mz, my], axis=-1),
            np.stack([mz, z, -mx], axis=-1),
            np.stack([-my, mx, z], axis=-1),
        ],
        axis=-2,
    )


def damping_tensor(alpha, delta_alpha=0.0, n=(0, 0, 1)):
    r"""Gilbert damping tensor :math:`\alpha\mathbf{I} + \delta\alpha
    (\mathbf{I} - \mathbf{n}\mathbf{n})`, shape ``(..., 3, 3)``.

    Parameters
    ----------
    alpha, delta_alpha : float or array_like
        Isotropic damping and extra damping of the components perpendicular to
        ``n`` (dimensionless, >= 0).
    n : array_like
        Unit normal, ``(3,)`` or ``(..., 3)``.

    Examples
    --------
    >>> from ubermag_dirac.terms.llg import damping_tensor
    >>> damping_tensor(0.01, 0.005).diagonal()
    array([0.015, 0.015, 0.01 ])
    """
    alpha = np.asarray(alpha, dtype=float)[..., None, None]
    delta_alpha = np.asarray(delta_alpha, dtype=float)[..., None, None]
    n = np.asarray(n, dtype=float)
    eye = np.eye(3)
    proj = eye - n[..., :, None] * n[..., None, :]
    return alpha * eye + delta_alpha * proj


def gilbert_dmdt(m, H, gamma0, alpha, delta_alpha=0.0, n=(0, 0, 1)):
    r"""Exact :math:`\partial\mathbf{m}/\partial t` of the Gilbert-form LLG
    equation with a damping tensor (module docstring).

    Parameters
    ----------
    m : array_like
        Unit magnetisation, ``(..., 3)``.
    H : array_like
        Total field :math:`\mathbf{H}_\text{eff} + \mathbf{H}_\text{T}` (A/m),
        ``(..., 3)``; include the torque fields of ``DiracSOT``/``SpinHallSOT``
        here (``torque_field`` of their modules).
    gamma0 : float or array_like
        :math:`\gamma_0 = \mu_0\gamma` (m/(A s)).
    alpha : float or array_like
        Isotropic Gilbert damping (>= 0).
    delta_alpha : float or array_like
        Extra damping of the components of :math:`\dot{\mathbf{m}}`
        perpendicular to ``n`` (>= 0).
    n : array_like
        Unit normal, ``(3,)`` or ``(..., 3)``.

    Returns
    -------
    numpy.ndarray
        :math:`\partial\mathbf{m}/\partial t` (1/s), ``(..., 3)``.

    Examples
    --------
    Precession about a field along z, with and without damping:

    >>> import numpy as np
    >>> from ubermag_dirac.terms import gilbert_dmdt
    >>> g0 = 2.211e5
    >>> gilbert_dmdt([1.0, 0, 0], [0, 0, 1e5], g0, 0.0) / (g0 * 1e5)
    array([0., 1., 0.])
    >>> gilbert_dmdt([1.0, 0, 0], [0, 0, 1e5], g0, 1.0) / (g0 * 1e5)
    array([0. , 0.5, 0.5])

    Damping tensors must be positive semi-definite:

    >>> gilbert_dmdt([1.0, 0, 0], [0, 0, 1e5], g0, 0.1, delta_alpha=-0.2)
    Traceback (most recent call last):
    ...
    ValueError: delta_alpha must be >= 0 ...
    """
    m = real_or_complex(m)
    H = real_or_complex(H)
    gamma0 = np.asarray(gamma0, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    delta_alpha = np.asarray(delta_alpha, dtype=float)
    if np.any(alpha < 0):
        raise ValueError("alpha must be >= 0 (isotropic Gilbert damping).")
    if np.any(delta_alpha < 0):
        raise ValueError(
            "delta_alpha must be >= 0 (extra damping of the in-plane components)."
        )
    rhs = -gamma0[..., None] * np.cross(m, H)
    A = damping_tensor(alpha, delta_alpha, n)
    M = np.eye(3) - cross_matrix(m) @ A
    M, rhs = np.broadcast_arrays(M, rhs[..., None])
    return np.linalg.solve(M, rhs)[..., 0]


def landau_lifshitz_dmdt(m, H, gamma0, alpha):
    r"""Closed form of :func:`gilbert_dmdt` for scalar damping and
    :math:`|\mathbf{m}| = 1`:

    .. math::

        \frac{\partial\mathbf{m}}{\partial t} = -\frac{\gamma_0}{1+\alpha^2}
        \left[\mathbf{m}\times\mathbf{H} + \alpha\,\mathbf{m}\times
        (\mathbf{m}\times\mathbf{H})\right].

    Examples
    --------
    >>> from ubermag_dirac.terms.llg import landau_lifshitz_dmdt
    >>> landau_lifshitz_dmdt([1.0, 0, 0], [0, 0, 1.0], 1.0, 1.0)
    array([0. , 0.5, 0.5])
    """
    m = np.asarray(m, dtype=float)
    H = np.asarray(H, dtype=float)
    gamma0 = np.asarray(gamma0, dtype=float)[..., None]
    alpha = np.asarray(alpha, dtype=float)[..., None]
    mxH = np.cross(m, H)
    return -gamma0 / (1 + alpha**2) * (mxH + alpha * np.cross(m, mxH))


def torque_dmdt(term, m, *, alpha, gamma0, t):
    """The ``dmdt`` of a torque term (``DiracSOT``, ``SpinHallSOT``): the Gilbert
    form with scalar damping of its torque field ``term.effective_field(m, t)``
    alone (1/s); ``m`` an array ``(..., 3)`` or a ``df.Field`` (then a field)."""
    arr, mesh = v.as_vectors(m)
    H = v.as_vectors(term.effective_field(arr if mesh is None else m, t))[0]
    out = gilbert_dmdt(
        arr,
        H,
        v.param_array(gamma0, m, "gamma0"),
        v.param_array(alpha, m, "alpha"),
    )
    return v.like(out, mesh)
