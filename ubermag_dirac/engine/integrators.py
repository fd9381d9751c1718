r"""Adaptive Dormand-Prince 5(4) integrators with per-system step control.

The batch axis holds independent systems. Each system has its own time
:math:`t_b`, step size :math:`h_b` and error history, and is accepted or
rejected on its own; one right-hand-side call evaluates the whole batch at the
per-system stage times :math:`t_b + c_i h_b` (systems that have reached their
target sit out with :math:`h_b = 0`). Because no system's step depends on
another's, a batch integrates every system exactly as a run of that system
alone would (identical step sequence), and systems of very different stiffness
do not slow each other's error control down.

Measured (``benchmarks/bench_engine.py``, 32 films of 32 x 32 x 1 cells with
exchange, demag, anisotropy and fields of different strength, 50 ps in 5
stages, DOPRI5 at tol 1e-5): per-system steps needed 1321 batched evaluations,
one shared step 1309 (the count is set by the stiffest system either way), and
the shared step changes every system's result at the tolerance level (6e-5)
while the per-system batch equals the separate runs exactly (difference 0.0).
Per-system stepping is therefore the default; ``shared_step=True`` is kept for
comparison.

Batches
-------
A system that has reached its target time (or was stopped) is not evaluated
any more: with ``rhs_subset`` (which :class:`~ubermag_dirac.engine.Engine`
passes), the integrator evaluates the sub-batch of the systems still running,
gathered into a compact array, and re-forms that sub-batch whenever an eighth
of it has become idle (at most about ``8 ln B`` sub-batches per call of
:meth:`DormandPrince45.advance`). Every system is then evaluated exactly as
often as in a run of its own (``system_evaluations``; before, the batch kept
evaluating the finished systems until the slowest arrived, which cost the 32
films above 1321 x 32 = 42 272 system evaluations against 32 402 one by one)
and, the per-system arithmetic being independent of the batch, the results
stay bit-identical to separate runs.

Method
------
Three Dormand-Prince 5(4) pairs with seven stages (the last at the new
solution, reused as the first of the next step: six evaluations per step),
named as OOMMF's ``Oxs_RungeKuttaEvolve`` names them: ``"rkf54"``
(RK5(4)7FC, OOMMF's default and ours), ``"rkf54m"`` (RK5(4)7FM, Hairer's
DOPRI5, mumax3's RK45; the default before) and ``"rkf54s"`` (RK5(4)7FS).

Why the default changed: on exchange-dominated films the step is set by
stability, not by the tolerance. The fastest spin wave of a film with cells
:math:`\Delta` precesses at :math:`\omega_\mathrm{max} \approx \gamma_0
\frac{2A}{\mu_0 M_s}\frac{8}{\Delta^2}` (7.3e12 rad/s for standard problem 4),
with the Landau-Lifshitz eigenvalue :math:`\omega(i - \alpha)/(1 + \alpha^2)`.
The three pairs share the stability polynomial up to :math:`z^5/120`; its last
term, :math:`z^6/600` (FM), :math:`z^6/1040` (FC), :math:`z^6/1296` (FS),
puts the boundary on that ray at :math:`h\omega = 2.08`, 3.39, 3.61 for
:math:`\alpha = 0.02` (``Tableau.imag_stability``; 2.68, 3.13, 3.28 for
0.1; 3.30, 3.94, 3.89 for 1). Standard problem 4 (1 ns, 200 stages, tol 1e-5)
measured: FM 3584 steps, 21 523 evaluations, 3 rejections, mean step 0.28 ps
(= 2.08 / 7.35e12 rad/s: the controller already sat at 99 % of the boundary);
FC 2198 steps, 13 207 evaluations (-39 %, OOMMF: 13 424), 3 rejections,
mean step 0.455 ps; FS 13 195 (both limited to 11 steps per 5 ps stage). The
trace agreed with OOMMF's to 1.2e-7 (FM) and 1.2e-7 (FC) up to 0.3 ns.
The price is accuracy per step on smooth (accuracy-limited) problems: a
precessing macrospin (0.5 ns) at tol 1e-4 / 1e-6 / 1e-8 ends 1.5e-4 / 4.5e-7 /
4.7e-9 (FM, 247 / 589 / 1450 evaluations) and 8.6e-4 / 1.0e-5 / 1.1e-7 (FC,
181 / 391 / 919 evaluations) from the exact solution: FC at ``tol / 10``
matches FM at ``tol`` in error and cost there. The default tolerance is
therefore 1e-6 (it was 1e-5 with FM): smooth problems keep their accuracy and
cost, stiff ones take the longer steps (standard problem 4 at 1e-4 / 1e-5 /
1e-6: 13 201 / 13 207 / 13 201 evaluations). On films of 32 x 32 x 1 cells of
2 nm with exchange, demag, anisotropy and fields (``bench_engine.film``, 50
ps, alpha 0.02-0.29) FM at 1e-5 took 1321 / 1063 / 985 / 877 evaluations with
errors 1.2e-4 / 2.2e-5 / 1.3e-5 / 4.5e-6 against a tol = 1e-11 run, FC at
1e-6 889 / 919 / 901 / 847 with 1.0e-5 / 2.5e-6 / 2.1e-6 / 1.5e-6: fewer
evaluations and smaller errors. ``method="rkf54m"`` keeps the old behaviour;
``"rkf54s"`` is stable further out for very weak damping (:math:`h\omega` =
3.66 vs 1.79 for FC at :math:`\alpha = 0.005`).

Error control
-------------
The embedded error of a step is measured in the max-norm over cells of the
Euclidean length of the error vector of the (unit) magnetisation, per system,

.. math::

    \mathrm{err}_b = \max_\mathrm{cells} \left| h_b \sum_i e_i \mathbf{k}_i
    \right|,

and a step is accepted when :math:`\mathrm{err}_b \le \mathrm{tol}` (absolute;
``m`` is a unit vector). The next step follows Hairer's PI controller of
DOPRI5 (exponents 0.17 and 0.04, safety 0.9, growth limited to [0.2, 10], no
growth right after a rejection). The fifth-order solution is renormalised to
unit length before its stage evaluation, which is both the last stage of the
error estimate and, by FSAL, the first stage of the next step. Steps are
truncated to land exactly on the target time of each system.

Failures (non-finite values, step size below ``h_min`` or more than
``max_rejections`` consecutive rejections) raise
:class:`~ubermag_dirac.engine.errors.IntegrationError`; the integrator's arrays
then still hold the last accepted state of every system.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .errors import IntegrationError
from .llg import dp_error, dp_solution, stage_combination

__all__ = ["TABLEAUX", "DormandPrince45", "Tableau", "get_tableau"]

#: A sub-batch is re-formed once this fraction (1/REGROUP_FRACTION) of it is idle.
REGROUP_FRACTION = 8


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


def _fr(*rows):
    return [np.array([float(Fraction(v)) for v in r]) for r in rows]


def _tableau(name, c, rows, b, bhat, order, error_order, imag):
    S = len(c)
    A = [np.zeros(S)]
    for r in _fr(*rows):
        A.append(np.concatenate([r, np.zeros(S - r.size)]))
    (cc,) = _fr(c)
    (bb,) = _fr(b)
    (bh,) = _fr(bhat)
    return Tableau(name, cc, tuple(A), bb, bb - bh, order, error_order, imag)


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


class DormandPrince45:
    """Dormand-Prince 5(4) with FSAL, per-system PI step control and renormalisation.

    Parameters
    ----------
    rhs : callable
        ``rhs(t, y, out) -> max_dmdt`` with ``t`` ``(B,)`` (s), ``y`` and ``out``
        ``(B, 3, N)``; writes :math:`\\dot{\\mathbf m}` into ``out`` and returns
        the ``(B,)`` maximum over cells of its norm.
    y : numpy.ndarray
        ``(B, 3, N)`` initial unit magnetisation; integrated **in place**.
    mask : numpy.ndarray
        ``(B, N)`` magnetic cells.
    tol : float
        Allowed error per step (max-norm of the error of ``m``, dimensionless).
    h_max, h_min : float
        Step-size bounds (s). Falling below ``h_min`` is a failure.
    max_rejections : int
        Consecutive rejections of one system that count as a failure.
    names : list of str, optional
        System names for error messages.
    shared_step : bool, default False
        Use one step size for the whole batch (the smallest proposal of the
        active systems) instead of per-system steps; kept for comparison (see
        ``benchmarks/bench_engine.py``).
    method : str or Tableau, default "rkf54"
        The embedded pair, by OOMMF's name (:data:`TABLEAUX`; module docstring).
    rhs_subset : callable, optional
        ``rhs_subset(idx, t, y, out) -> max_dmdt``: the right-hand side of the
        systems ``idx`` alone (``t`` ``(k,)``, ``y`` and ``out`` ``(k, 3, N)``).
        When given, systems that have reached their target time (or stopped)
        are no longer evaluated (module docstring, "Batches").
    """

    def __init__(
        self,
        rhs,
        y,
        mask,
        *,
        tol: float = 1e-6,
        h_max: float = 1e-10,
        h_min: float = 1e-20,
        max_rejections: int = 100_000,
        names=None,
        shared_step: bool = False,
        method=DEFAULT_METHOD,
        rhs_subset=None,
    ):
        self.tableau = get_tableau(method)
        self.rhs_subset = rhs_subset
        if not (tol > 0):
            raise ValueError(f"tol: expected a positive number, got {tol!r}.")
        self.rhs = rhs
        self.y = y
        self.mask = mask
        self.tol = float(tol)
        self.h_max = float(h_max)
        self.h_min = float(h_min)
        self.max_rejections = int(max_rejections)
        self.shared_step = bool(shared_step)
        B = y.shape[0]
        self.batch = B
        self.names = list(names) if names is not None else [None] * B
        self.t = np.zeros(B)
        self.h = np.full(B, np.nan)
        self.err_old = np.full(B, 1e-4)
        self.K = np.empty((self.tableau.stages, *y.shape))
        self.y_stage = np.empty_like(y)
        self.y5 = np.empty_like(y)
        self.err = np.empty(B)
        self.max_dmdt = np.full(B, np.nan)
        self.k1_valid = False
        self.evaluations = 0
        #: evaluations counted per system (a sub-batch evaluation of k systems
        #: counts k; a whole-batch one counts B)
        self.system_evaluations = 0
        self._sub_buffers = None
        self.accepted = np.zeros(B, dtype=np.int64)
        self.rejected = np.zeros(B, dtype=np.int64)
        self.wall_time = 0.0

    # ----------------------------------------------------------------- helpers
    def invalidate(self):
        """Forget the cached first stage (after ``y``, ``t`` or the RHS changed)."""
        self.k1_valid = False

    def _eval(self, t, y, out, group=None):
        self.evaluations += 1
        if group is None:
            self.system_evaluations += self.batch
            return self.rhs(t, y, out)
        self.system_evaluations += group.size
        k = group.size
        if self._sub_buffers is None or self._sub_buffers[0].shape[0] != k:
            self._sub_buffers = (
                np.empty((k, *y.shape[1:])),
                np.empty((k, *y.shape[1:])),
            )
        ys, outs = self._sub_buffers
        np.take(y, group, axis=0, out=ys)
        mx_sub = self.rhs_subset(group, t[group], ys, outs)
        out[group] = outs
        mx = np.zeros(self.batch)
        mx[group] = mx_sub
        return mx

    def _regroup(self, active, group):
        """Systems to evaluate: all, or a sub-batch holding the active ones.

        The group shrinks to the active systems once at least an eighth of it
        (and at least one system) is idle, so that a batch is rebuilt at most
        about ``8 ln B`` times per call of :meth:`advance`.
        """
        if self.rhs_subset is None:
            return None
        n_active = int(active.sum())
        size = self.batch if group is None else group.size
        if size - n_active >= max(1, size // REGROUP_FRACTION):
            if n_active == self.batch:
                return None
            return np.flatnonzero(active)
        return group

    def _first_stage(self):
        if not self.k1_valid:
            self.max_dmdt = self._eval(self.t.copy(), self.y, self.K[0])
            self.k1_valid = True
        bad = ~np.isfinite(self.max_dmdt)
        if bad.any():
            b = int(np.flatnonzero(bad)[0])
            raise IntegrationError(
                "dm/dt is not finite (NaN or inf) at the current state; check "
                "the parameters and time-dependent functions of the system.",
                system=b,
                name=self.names[b],
                t=float(self.t[b]),
            )
        for b in np.flatnonzero(np.isnan(self.h)):
            v = self.max_dmdt[b]
            h0 = 0.01 / v if v > 0 else 1e-12
            self.h[b] = min(max(h0, 1e3 * self.h_min), self.h_max)

    # ----------------------------------------------------------------- advance
    def advance(self, t_end, *, stop=None, max_steps: int | None = None):
        """Integrate every system to ``t_end`` (hit exactly) or until ``stop``.

        Parameters
        ----------
        t_end : float or numpy.ndarray
            Target time(s) (s), scalar or ``(B,)``.
        stop : callable, optional
            ``stop(max_dmdt) -> bool (B,)``: systems for which it returns True
            (evaluated on each accepted state) stop early.
        max_steps : int, optional
            Limit on the number of step attempts of this call; returns when
            reached.

        Returns
        -------
        numpy.ndarray
            ``(B,)`` bool: systems that stopped because of ``stop``.
        """
        start = time.perf_counter()
        try:
            return self._advance(t_end, stop, max_steps)
        finally:
            self.wall_time += time.perf_counter() - start

    def _advance(self, t_end, stop, max_steps):
        B = self.batch
        T = np.broadcast_to(np.asarray(t_end, dtype=np.float64), (B,)).copy()
        self._first_stage()
        y, K, mask = self.y, self.K, self.mask
        tab = self.tableau
        S = tab.stages
        yf = y.reshape(B, -1)
        Kf = K.reshape(S, B, -1)
        ysf = self.y_stage.reshape(B, -1)
        y3 = y.reshape(B, 3, -1)
        K3 = K.reshape(S, B, 3, -1)
        y53 = self.y5.reshape(B, 3, -1)
        ys3 = self.y_stage.reshape(B, 3, -1)
        stopped = np.zeros(B, dtype=bool)
        consecutive = np.zeros(B, dtype=np.int64)
        last_nonfinite = np.zeros(B, dtype=bool)
        after_reject = np.zeros(B, dtype=bool)
        attempts = 0
        group = None  # systems evaluated (None: the whole batch)
        while True:
            if stop is not None:
                stopped |= np.asarray(stop(self.max_dmdt), dtype=bool)
            active = (self.t < T) & ~stopped
            if not active.any():
                return stopped
            if max_steps is not None and attempts >= max_steps:
                return stopped
            attempts += 1
            group = self._regroup(active, group)
            remaining = T - self.t
            h_prop = self.h
            if self.shared_step:
                h_prop = np.full(B, np.min(self.h[active]))
            last = active & (h_prop >= remaining * (1.0 - 1e-12))
            hb = np.where(active, np.where(last, remaining, h_prop), 0.0)
            t0 = self.t
            for s in range(1, S - 1):
                stage_combination(yf, hb, Kf, tab.A[s], s, ysf)
                self._eval(t0 + tab.c[s] * hb, self.y_stage, K[s], group)
            dp_solution(y3, hb, K3, tab.b, mask, y53)
            mx7 = self._eval(t0 + hb, self.y5, K[S - 1], group)
            dp_error(hb, K3, tab.e, mask, self.err, ys3)
            ratio = self.err / self.tol
            finite = np.isfinite(ratio) & np.isfinite(mx7)
            ok = active & finite & (ratio <= 1.0)
            rej = active & ~ok

            # ---- step-size proposals (Hairer's DOPRI5 PI control)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                fac11 = np.where(finite, ratio, np.inf) ** 0.17
                fac = fac11 / self.err_old**0.04
                fac = np.clip(fac / 0.9, 0.1, 5.0)
                h_acc = hb / fac
                h_rej = hb / np.minimum(5.0, np.where(finite, fac11 / 0.9, 5.0))
            h_acc = np.where(after_reject, np.minimum(h_acc, hb), h_acc)
            # a truncated final step must not shrink the next stage's first step
            h_acc = np.where(last, np.maximum(h_acc, h_prop), h_acc)
            h_acc = np.minimum(h_acc, self.h_max)

            if ok.any():
                if ok.all():
                    y[...] = self.y5
                    K[0][...] = K[S - 1]
                else:
                    y[ok] = self.y5[ok]
                    K[0][ok] = K[S - 1][ok]
                new_t = np.where(last, T, t0 + hb)
                self.t = np.where(ok, new_t, t0)
                self.max_dmdt = np.where(ok, mx7, self.max_dmdt)
                self.err_old = np.where(ok, np.maximum(ratio, 1e-4), self.err_old)
                self.h = np.where(ok, h_acc, self.h)
                self.accepted += ok
                consecutive[ok] = 0
                after_reject[ok] = False
            if rej.any():
                self.h = np.where(rej, h_rej, self.h)
                self.rejected += rej
                consecutive[rej] += 1
                after_reject |= rej
                last_nonfinite = np.where(rej, ~finite, last_nonfinite)
                failed = rej & (
                    (self.h < self.h_min) | (consecutive > self.max_rejections)
                )
                if failed.any():
                    b = int(np.flatnonzero(failed)[0])
                    if last_nonfinite[b]:
                        what = (
                            "dm/dt became non-finite (NaN or inf) in every trial step"
                        )
                    else:
                        what = "the error estimate stayed above the tolerance"
                    if self.h[b] < self.h_min:
                        how = f"the step size collapsed below {self.h_min:g} s"
                    else:
                        how = f"{consecutive[b]} consecutive steps were rejected"
                    raise IntegrationError(
                        f"{what}: {how}; the magnetisation is left at its last "
                        "good state.",
                        system=b,
                        name=self.names[b],
                        t=float(self.t[b]),
                    )
