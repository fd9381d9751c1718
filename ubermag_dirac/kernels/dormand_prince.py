r"""The Runge-Kutta Butcher tableaux of the engine, defined once.

The Dormand-Prince 5(4) pairs (Dormand & Prince 1980) and the classical
fourth-order method with a third-order FSAL error estimate (:data:`RK43`, the
engine's choice while a step is limited by stability; see
:mod:`ubermag_dirac.engine.integrators`).

Three embedded pairs with seven stages and FSAL (the last stage is evaluated at
the fifth-order solution and is the first stage of the next step), named as
OOMMF's ``Oxs_RungeKuttaEvolve`` names them:

.. math::

    \mathbf k_i = f\Big(t + c_i h,\ \mathbf y + h\sum_{j<i} a_{ij}\mathbf k_j
    \Big),\qquad \mathbf y_5 = \mathbf y + h\sum_i b_i\mathbf k_i,\qquad
    \mathbf e = h\sum_i e_i\mathbf k_i,\quad e_i = b_i - \hat b_i,

* :data:`RK547FM` (``"rkf54m"``): Hairer's DOPRI5, minimised error
  coefficients; the macrospin integrators use it
  (:mod:`ubermag_dirac.macrospin._kernels`);
* :data:`RK547FC` (``"rkf54"``): OOMMF's default and the engine's
  (:class:`ubermag_dirac.engine.integrators.DormandPrince45`, which documents
  why);
* :data:`RK547FS` (``"rkf54s"``);
* :data:`RK43`: classical RK4 (Kutta 1901) with the embedded third-order
  solution :math:`\hat b = (1/6, 1/3, 1/3, 0, 1/6)` that uses the derivative at
  the new solution (FSAL; four evaluations per step, error
  :math:`h(\mathbf k_4 - \mathbf k_5)/6`). Not one of OOMMF's methods (OOMMF's
  ``rk4`` estimates the error by step doubling), so not in :data:`TABLEAUX`.

The coefficients are written once, as exact fractions; :math:`e_i` is the exact
difference rounded once. numba reads module-level arrays as compile-time
constants.

Examples
--------
>>> import numpy as np
>>> from ubermag_dirac.kernels.dormand_prince import RK547FM, get_tableau
>>> bool(np.allclose([row.sum() for row in RK547FM.A[1:]], RK547FM.c[1:6]))
True
>>> float(RK547FM.b.sum()), RK547FM.stages
(1.0, 7)
>>> get_tableau("rk4")
Traceback (most recent call last):
...
ValueError: method: expected one of ['rkf54', 'rkf54m', 'rkf54s'] ...
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

__all__ = [
    "DEFAULT_METHOD",
    "RK43",
    "RK547FC",
    "RK547FM",
    "RK547FS",
    "TABLEAUX",
    "Tableau",
    "get_tableau",
]


@dataclass(frozen=True)
class Tableau:
    """An explicit embedded Runge-Kutta pair whose last stage is first-same-as-last.

    Attributes
    ----------
    name : str
        OOMMF's name of the method (``rk_method`` of ``Oxs_RungeKuttaEvolve``).
    c : numpy.ndarray
        ``(S,)`` stage times.
    A : tuple of numpy.ndarray
        ``S - 1`` rows, ``A[s]`` the ``(S,)`` coefficients of stage ``s``
        (row ``S - 1`` is the solution, so it is not stored: it is ``b``).
    b : numpy.ndarray
        ``(S,)`` weights of the solution that is propagated (``b[S-1] = 0``);
        the last stage is the derivative at that solution (FSAL).
    e : numpy.ndarray
        ``(S,)`` weights of the error estimate, ``b - b_hat``.
    order, error_order : int
        Order of the propagated solution and of the embedded one.
    imag_stability : float
        Where the stability boundary crosses the ray of weakly damped precession
        ``z = h omega (i - 0.02)/|i - 0.02|`` (computed in
        ``tests/engine/test_integrator.py``; alpha = 0.02 as in standard problem 4).
    """

    name: str
    c: np.ndarray
    A: tuple
    b: np.ndarray
    e: np.ndarray
    order: int
    error_order: int
    imag_stability: float

    @property
    def stages(self) -> int:
        return self.b.size

    def stability_coefficients(self) -> np.ndarray:
        """Coefficients ``g`` of the stability polynomial
        :math:`R(z) = \\sum_k g_k z^k` (``g[0] = 1``, :math:`g_k = b^T A^{k-1}
        \\mathbf 1`) of the propagated solution."""
        S = self.stages - 1  # the FSAL stage does not enter the solution
        A = np.array(self.A)[:S, :S]
        b = self.b[:S]
        g = [1.0]
        v = np.ones(S)
        for _ in range(S):
            g.append(float(b @ v))
            v = A @ v
        return np.array(g)

    def stability_boundary(self, alpha, zmax: float = 8.0, dz: float = 1e-3):
        r"""Where the stability boundary crosses the ray of damped precession.

        The linearised Landau-Lifshitz-Gilbert dynamics of a mode of frequency
        :math:`\omega` has the eigenvalue :math:`\lambda = \omega(i -
        \alpha)/(1 + \alpha^2)`; this returns the first :math:`|z| = h|\lambda|`
        (dimensionless) on the ray :math:`z = |z|(i - \alpha)/|i - \alpha|` at
        which :math:`|R(z)| > 1`, scanned in steps of ``dz`` up to ``zmax``.

        Parameters
        ----------
        alpha : float or array_like
            Gilbert damping (dimensionless, >= 0).

        Returns
        -------
        numpy.ndarray
            The boundary per ``alpha`` (``zmax`` where none was found).

        Examples
        --------
        Classical RK4 is stable on the imaginary axis up to :math:`2\sqrt 2`,
        OOMMF's rkf54 only up to 0.04 (and to 3.39 on the ray of alpha = 0.02):

        >>> from ubermag_dirac.kernels.dormand_prince import RK43, RK547FC
        >>> RK43.stability_boundary([0.0, 0.02]).tolist()
        [2.829, 2.867]
        >>> RK547FC.stability_boundary([0.0, 0.02]).tolist()
        [0.037, 3.388]
        >>> RK43.stability_boundary(-0.1)
        Traceback (most recent call last):
        ...
        ValueError: alpha: expected Gilbert damping >= 0, got [-0.1].
        """
        alpha = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
        if not np.all(alpha >= 0):
            raise ValueError(
                f"alpha: expected Gilbert damping >= 0, got {alpha.tolist()}."
            )
        direction = (1j - alpha) / np.abs(1j - alpha)
        r = np.arange(dz, zmax, dz)
        z = r[None, :] * direction[:, None]
        R = np.polynomial.polynomial.polyval(z, self.stability_coefficients())
        unstable = np.abs(R) > 1.0 + 1e-12
        first = np.argmax(unstable, axis=1)
        return np.where(unstable.any(axis=1), r[first], zmax)


def _fr(*rows):
    return [np.array([float(Fraction(v)) for v in r]) for r in rows]


def _tableau(name, c, rows, b, bhat, order, error_order, imag):
    S = len(c)
    A = [np.zeros(S)]
    for r in _fr(*rows):
        A.append(np.concatenate([r, np.zeros(S - r.size)]))
    (cc,) = _fr(c)
    (bb,) = _fr(b)
    # e = b - b_hat from the exact fractions, each rounded once (as Hairer's DOPRI5)
    e = np.array(
        [float(Fraction(x) - Fraction(y)) for x, y in zip(b, bhat, strict=True)]
    )
    return Tableau(name, cc, tuple(A), bb, e, order, error_order, imag)


#: Dormand & Prince RK5(4)7FM, J. Comput. Appl. Math. 6, 19 (1980): "DOPRI5",
#: the pair with minimised error coefficients (OOMMF's ``rkf54m``, mumax3's RK45).
RK547FM = _tableau(
    "rkf54m",
    ["0", "1/5", "3/10", "4/5", "8/9", "1", "1"],
    [
        ["1/5"],
        ["3/40", "9/40"],
        ["44/45", "-56/15", "32/9"],
        ["19372/6561", "-25360/2187", "64448/6561", "-212/729"],
        ["9017/3168", "-355/33", "46732/5247", "49/176", "-5103/18656"],
    ],
    ["35/384", "0", "500/1113", "125/192", "-2187/6784", "11/84", "0"],
    ["5179/57600", "0", "7571/16695", "393/640", "-92097/339200", "187/2100", "1/40"],
    5,
    4,
    2.08,
)

#: Dormand & Prince RK5(4)7FC (same paper): OOMMF's default ``rkf54``. Its
#: stability polynomial ends in z^6/1040 (RK5(4)7FM: z^6/600), which moves the
#: stability boundary on the weakly damped imaginary axis from 2.08 to 3.39.
RK547FC = _tableau(
    "rkf54",
    ["0", "1/5", "3/10", "6/13", "2/3", "1", "1"],
    [
        ["1/5"],
        ["3/40", "9/40"],
        ["264/2197", "-90/2197", "840/2197"],
        ["932/3645", "-14/27", "3256/5103", "7436/25515"],
        ["-367/513", "30/19", "9940/5643", "-29575/8208", "6615/3344"],
    ],
    ["35/432", "0", "8500/14553", "-28561/84672", "405/704", "19/196", "0"],
    ["11/108", "0", "6250/14553", "-2197/21168", "81/176", "171/1960", "1/40"],
    5,
    4,
    3.39,
)

#: Dormand & Prince RK5(4)7FS (same paper): OOMMF's ``rkf54s``.
RK547FS = _tableau(
    "rkf54s",
    ["0", "2/9", "1/3", "5/9", "2/3", "1", "1"],
    [
        ["2/9"],
        ["1/12", "1/4"],
        ["55/324", "-25/108", "50/81"],
        ["83/330", "-13/22", "61/66", "9/110"],
        ["-19/28", "9/4", "1/7", "-27/7", "22/7"],
    ],
    ["19/200", "0", "3/5", "-243/400", "33/40", "7/80", "0"],
    ["431/5000", "0", "333/500", "-7857/10000", "957/1000", "193/2000", "-1/50"],
    5,
    4,
    3.61,
)

#: Classical RK4 with a third-order FSAL error estimate (module docstring).
#: Its stability region holds the imaginary axis up to 2 sqrt(2) (rkf54 and
#: rkf54s only up to 0.04, rkf54m to 1.0): 2.87 on the alpha = 0.02 ray in four
#: evaluations against 3.39 in six for RK5(4)7FC.
RK43 = _tableau(
    "rk4(3)",
    ["0", "1/2", "1/2", "1", "1"],
    [["1/2"], ["0", "1/2"], ["0", "0", "1"]],
    ["1/6", "1/3", "1/3", "1/6", "0"],
    ["1/6", "1/3", "1/3", "0", "1/6"],
    4,
    3,
    2.87,
)

#: Methods by OOMMF name.
TABLEAUX = {t.name: t for t in (RK547FC, RK547FM, RK547FS)}

#: Default method: as OOMMF's ``Oxs_RungeKuttaEvolve``.
DEFAULT_METHOD = "rkf54"


def get_tableau(method) -> Tableau:
    """The :class:`Tableau` of ``method`` (a name of :data:`TABLEAUX` or a Tableau)."""
    if isinstance(method, Tableau):
        return method
    try:
        return TABLEAUX[str(method).lower()]
    except KeyError:
        raise ValueError(
            f"method: expected one of {sorted(TABLEAUX)} (OOMMF's rk_method names), "
            f"got {method!r}."
        ) from None
