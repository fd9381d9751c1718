r"""Adaptive embedded Runge-Kutta integrators with per-system step control.

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
of it has become idle and the others still need at least
:data:`REGROUP_MIN_ATTEMPTS` steps (at most about ``8 ln B`` sub-batches per
call of :meth:`DormandPrince45.advance`). A system is then evaluated as often
as in a run of its own, plus at most the last few steps of the others per call
(``system_evaluations``; before, the batch kept evaluating the finished systems
until the slowest arrived, which cost the 32 films above 1321 x 32 = 42 272
system evaluations against 32 402 one by one; 32 films with 1x-4x exchange:
11 624 against 7250, now 7406). The per-system arithmetic being independent of
the batch, the results stay bit-identical to separate runs. Films that all
need about the same steps (same cells and exchange) gain nothing from it: one
evaluation costs the same per system from B = 1 to 128 (measured 0.125 ms for
32 x 32 x 1 cells, 75 % demag FFT), so batching only saves the per-step
overhead on one core.

Method
------
Three Dormand-Prince 5(4) pairs with seven stages (the last at the new
solution, reused as the first of the next step: six evaluations per step),
named as OOMMF's ``Oxs_RungeKuttaEvolve`` names them: ``"rkf54"``
(RK5(4)7FC, OOMMF's default, and ours outside stiff stretches: ``"auto"``
below), ``"rkf54m"`` (RK5(4)7FM, Hairer's DOPRI5, mumax3's RK45; the default
before) and ``"rkf54s"`` (RK5(4)7FS).

Why RK5(4)7FC and not RK5(4)7FM: on exchange-dominated films the step is set by
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

Stiff films: ``method="auto"`` (the default)
---------------------------------------------
Where the step is set by stability, the evaluations per unit time are
:math:`n_\mathrm{eval}/h = n_\mathrm{eval}\,\rho/\beta`, with
:math:`\rho` the fastest rate and :math:`\beta` the stability boundary on the
ray of the damping. Classical RK4 with a third-order FSAL error estimate
(:data:`~ubermag_dirac.kernels.dormand_prince.RK43`, four evaluations per
step) is stable to :math:`\beta` = 2.83-2.95 on every ray with
:math:`\alpha \le 0.3` (2.71 at :math:`\alpha = 1`), RK5(4)7FC (six) to
1.79 / 3.39 / 3.13 at :math:`\alpha` = 0.005 / 0.02 / 0.1: 0.71 against 0.30
/ 0.57 / 0.52 of a boundary per evaluation. Where accuracy sets the step, the
fifth-order pair is far better (the macrospin above at tol 1e-6: RK4(3)
1121 evaluations, RK5(4)7FC 391). ``"auto"`` therefore runs RK5(4)7FC and
changes a system to RK4(3) while that system's step is limited by stability:

1. At the first step, a bound :math:`\rho_b` on the fastest rate of each
   system (power iteration on the field's Jacobian from a checkerboard start,
   12 iterations, 25 field evaluations per system;
   :func:`~ubermag_dirac.engine.stochastic.fastest_rate`) and the stability
   boundaries of both methods over the system's range of damping.
2. After an accepted RK5(4)7FC step whose next step is at or beyond
   :data:`NEAR_BOUNDARY` (80 %) of its boundary, the system changes to
   RK4(3) when RK4(3) at :data:`STABILITY_FRACTION` (95 %) of its own
   boundary, :math:`h \le 0.95\,\beta_\mathrm{RK4}/\rho_b`, needs fewer
   evaluations per unit time (by :data:`SWITCH_GAIN`). RK4(3) steps are capped
   there, so the fast modes decay (:math:`|R| \approx 0.78` per step on the
   imaginary axis) instead of being held at the error tolerance.
3. It returns to RK5(4)7FC when accuracy holds RK4(3) to less than half its
   cap after :data:`RK_SETTLE` / 2 accepted steps, or to steps that cost more
   per unit time than the RK5(4) step it left after :data:`RK_SETTLE`, and tries
   again after :data:`RETRY_STEPS` accepted steps (doubling each time).

The bound is not recomputed: where the fields later grow beyond it (a strong
pulse), RK4(3) steps at the cap may be unstable; the error control then
rejects them and shrinks the step (correct, but slower), and accuracy rule 3
returns the system to RK5(4)7FC. Both methods are FSAL with the derivative at
the current state in the first slot, so a change costs nothing; everything is
decided per system, so a batch still integrates each system exactly as it
would alone (systems using
different methods in one batch step are evaluated at their own stages:
``rhs_subset``). Without a bound (``rate=None``) ``"auto"`` is RK5(4)7FC.

Measured (one thread, tol 1e-6; evaluations of the right-hand side, plus the
25 field evaluations of the bound): standard problem 4, 1 ns in 200 stages
(``benchmarks/bench_engine.py``): rkf54 13 201, auto 11 323 (-14 %; 2700
of 2780 steps RK4(3), 8 rejections), CPU 12.8 -> 11.5 s (medians of 5), trace
against OOMMF's 1.6e-7 for both; the steps sit at the cap (0.37 ps) except
where a 5 ps stage ends. Films of 32 x 8 x 1
cells of 1 nm with a spin spiral in 2e5 A/m, 20 ps: alpha = 0.1 1735 -> 1503
(-13 %, error against a tol = 1e-11 run 2.4e-6 -> 7e-8); alpha = 0.02 and
0.005, where RK4(3) is held by accuracy below its cap, 1771 -> 1847 and
2371 -> 2459 (+4 %, the failed tries). The 32 x 32 x 1 films of
``benchmarks/bench_engine.py`` (50 ps, 8 films): 7232 -> 6836 evaluations one
by one (-5 %), batched 7544 -> 7042. The device-scale switching film of
``benchmarks/bench_scaling.py`` (256 x 256 x 1 cells of 2 nm, alpha 0.1, 1.5 ns,
mostly held by accuracy): 46 423 -> 45 537 evaluations (-2 %), the same
final <m_z> (-0.360).

Error control
-------------
The embedded error of a step (the difference between the propagated solution
and the embedded one of lower order) is measured in the max-norm over cells of
the Euclidean length of the error vector of the (unit) magnetisation, per
system,

.. math::

    \mathrm{err}_b = \max_\mathrm{cells} \left| h_b \sum_i e_i \mathbf{k}_i
    \right|,

and a step is accepted when :math:`\mathrm{err}_b \le \mathrm{tol}` (absolute;
``m`` is a unit vector). The next step follows Hairer's PI controller of
DOPRI5 (exponents :math:`1/(q + 1) - 0.03` for an embedded solution of order
:math:`q`, 0.17 for the 5(4) pairs and 0.22 for RK4(3), and 0.04, safety 0.9,
growth limited to [0.2, 10], no growth right after a rejection). The
propagated solution is renormalised to
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

import numpy as np

from ..kernels.dormand_prince import (  # noqa: F401  (re-exported)
    RK43,
    RK547FC,
    RK547FM,
    RK547FS,
    TABLEAUX,
    Tableau,
    get_tableau,
)
from .errors import IntegrationError
from .llg import (
    dp_error,
    dp_solution,
    stage_combination,
    switch_methods,
)

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "TABLEAUX",
    "DormandPrince45",
    "Tableau",
    "get_tableau",
]

#: The engine's default: RK5(4)7FC, with RK4(3) while the step is limited by
#: stability (module docstring, "Stiff films").
DEFAULT_METHOD = "auto"

#: Accepted values of ``method``.
METHODS = ("auto", *sorted(TABLEAUX))

#: ``"auto"``: an RK5(4)7FC step counts as limited by stability from this
#: fraction of its stability boundary on.
NEAR_BOUNDARY = 0.8

#: ``"auto"``: RK4(3) steps are capped at this fraction of its stability boundary.
STABILITY_FRACTION = 0.95

#: ``"auto"``: RK4(3) is tried when it would be this much cheaper per unit time.
SWITCH_GAIN = 0.9

#: ``"auto"``: accepted steps before RK4(3) is tried again after it was left
#: for accuracy (doubled after each such return).
RETRY_STEPS = 25

#: ``"auto"``: accepted RK4(3) steps before accuracy may send a system back
#: (the fast modes that RK5(4)7FC left at its stability boundary decay first).
RK_SETTLE = 8

#: A sub-batch is re-formed once this fraction (1/REGROUP_FRACTION) of it is idle.
REGROUP_FRACTION = 8

#: ... and only while the running systems still need this many steps.
REGROUP_MIN_ATTEMPTS = 8


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
    method : str or Tableau, default "auto"
        The embedded pair, by OOMMF's name (:data:`TABLEAUX`), or ``"auto"``:
        RK5(4)7FC with RK4(3) while the step is limited by stability (module
        docstring).
    rhs_subset : callable, optional
        ``rhs_subset(idx, t, y, out) -> max_dmdt``: the right-hand side of the
        systems ``idx`` alone (``t`` ``(k,)``, ``y`` and ``out`` ``(k, 3, N)``).
        When given, systems that have reached their target time (or stopped)
        are no longer evaluated (module docstring, "Batches").
    rate : callable, optional
        ``rate(y, t) -> (B,)``: an upper bound (1/s) on the magnitude of the
        eigenvalues of the Jacobian of the right-hand side of each system at
        ``y`` and ``t``, the same for a system whatever the others; needed by
        ``"auto"`` (without it, ``"auto"`` runs
        RK5(4)7FC throughout).
    alpha_range : numpy.ndarray, optional
        ``(B, 2)`` smallest and largest Gilbert damping of each system (for the
        stability boundary of ``"auto"``); default 0 and 1.
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
        rate=None,
        alpha_range=None,
    ):
        auto = isinstance(method, str) and method.lower() == "auto"
        try:
            base = RK547FC if auto else get_tableau(method)
        except ValueError:
            raise ValueError(
                f"method: expected one of {list(METHODS)} ('auto' or OOMMF's "
                f"rk_method names), got {method!r}."
            ) from None
        #: whether systems may change to RK4(3) (``"auto"`` with a rate bound)
        self.auto = auto and rate is not None
        #: the methods a system may step with; the first is the one it starts with
        self.methods = (base, RK43) if self.auto else (base,)
        self.rate = rate
        self.rhs_subset = rhs_subset
        if not (tol > 0):
            raise ValueError(f"tol: expected a positive number, got {tol!r}.")
        if not (h_max >= h_min > 0):
            raise ValueError(
                f"h_max = {h_max!r} s is below the smallest step h_min = {h_min!r} s "
                "(a smaller step counts as a failed run): no step could be taken."
            )
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
        self._layout = _Layout(self.methods)
        #: index into ``methods`` of the method each system steps with
        self.mode = np.zeros(B, dtype=np.intp)
        #: accepted steps per method and system
        self.accepted_by_method = np.zeros((len(self.methods), B), dtype=np.int64)
        if alpha_range is None:
            alpha_range = np.tile([0.0, 1.0], (B, 1))
        self.alpha_range = np.asarray(alpha_range, dtype=np.float64).reshape(B, 2)
        #: stability boundary (h |lambda|) of every method per system, with
        #: :attr:`fastest` (computed when ``"auto"`` first needs them)
        self.boundary = None
        #: bound on the fastest rate (1/s) per system (NaN until ``"auto"`` needs it)
        self.fastest = np.full(B, np.nan)
        self._fc_step = np.full(B, np.inf)  # RK5(4) step when RK4(3) was entered
        self._retry = np.zeros(B, dtype=np.int64)
        self._retry_after = np.full(B, RETRY_STEPS, dtype=np.int64)
        self._rk_age = np.zeros(B, dtype=np.int64)
        self.K = np.empty((self._layout.slots, *y.shape))
        self.y_stage = np.empty_like(y)
        self.y5 = np.empty_like(y)
        self.err = np.empty(B)
        self.max_dmdt = np.full(B, np.nan)
        self.k1_valid = False
        #: systems left out of the integration (their time moves on, m stays)
        self.frozen = np.zeros(B, dtype=bool)
        #: systems whose first stage is out of date (time moved while frozen)
        self.stale = np.zeros(B, dtype=bool)
        self.evaluations = 0
        #: evaluations counted per system (a sub-batch evaluation of k systems
        #: counts k; a whole-batch one counts B)
        self.system_evaluations = 0
        self._sub_buffers = None
        self.accepted = np.zeros(B, dtype=np.int64)
        self.rejected = np.zeros(B, dtype=np.int64)
        self.wall_time = 0.0

    @property
    def tableau(self) -> Tableau:
        """The method every system starts with (RK5(4)7FC for ``"auto"``)."""
        return self.methods[0]

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

    def _regroup(self, active, group, T):
        """Systems to evaluate: all, or a sub-batch holding the active ones.

        The group shrinks to the active systems once at least an eighth of it
        (and at least one system) is idle, so that a batch is rebuilt at most
        about ``8 ln B`` times per call of :meth:`advance`, and only while the
        running systems still need :data:`REGROUP_MIN_ATTEMPTS` steps or more
        (estimated from their step sizes): systems that end within a few steps
        of each other are not worth a new sub-batch.
        """
        if self.rhs_subset is None:
            return None
        n_active = int(active.sum())
        size = self.batch if group is None else group.size
        if size - n_active < max(1, size // REGROUP_FRACTION):
            return group
        with np.errstate(divide="ignore", invalid="ignore"):
            left = np.max(((T - self.t) / self.h)[active], initial=0.0)
        if left >= REGROUP_MIN_ATTEMPTS:
            if n_active == self.batch:
                return None
            return np.flatnonzero(active)
        return group

    def _first_stage(self):
        if not self.k1_valid:
            self.max_dmdt = self._eval(self.t.copy(), self.y, self.K[0])
            self.k1_valid = True
            self.stale[...] = False
        refresh = self.stale & ~self.frozen
        if refresh.any():  # systems that were frozen while their time moved on
            group = np.flatnonzero(refresh) if self.rhs_subset is not None else None
            mx = self._eval(self.t.copy(), self.y, self.K[0], group)
            self.max_dmdt = np.where(refresh, mx, self.max_dmdt)
            self.stale &= ~refresh
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

    def _stage_group(self, group, active, uses):
        """Systems to evaluate at a stage that the systems ``uses`` have.

        ``group`` (all systems, or the current sub-batch) when every running
        system has the stage; ``False`` when none has it; otherwise the running
        systems of ``group`` that have it (with ``rhs_subset``; without it the
        others are evaluated too, at their unchanged state, and ignored).
        """
        if np.all(uses | ~active):
            return group
        users = uses & active
        if not users.any():
            return False
        if self.rhs_subset is None:
            return group
        if group is None:
            return np.flatnonzero(users)
        return group[users[group]]

    def _rate_bound(self):
        """``"auto"``: the bound on the fastest rate of every system, at the
        first step (the state all systems share then)."""
        if self.boundary is None:
            self.boundary = np.array(
                [_boundary(tab, self.alpha_range) for tab in self.methods]
            )
            self.fastest = np.asarray(self.rate(self.y, self.t.copy()), float)

    def _choose_method(self, ok, h_acc):
        """``"auto"``: the method and step size of each system's next step
        (:func:`~ubermag_dirac.engine.llg.switch_methods`; module docstring)."""
        e_fc, e_rk = self._layout.evaluations
        switch_methods(
            ok, self.mode, h_acc, self.fastest, self.boundary[0], self.boundary[1],
            self._retry, self._retry_after, self._rk_age, self._fc_step, e_fc,
            e_rk, NEAR_BOUNDARY, STABILITY_FRACTION, SWITCH_GAIN, RK_SETTLE,
        )  # fmt: skip
        return h_acc

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
            # frozen systems: time moves on, the state does not
            T = np.broadcast_to(np.asarray(t_end, dtype=np.float64), (self.batch,))
            moved = self.frozen & (self.t < T)
            self.t = np.where(moved, T, self.t)
            self.stale |= moved

    def _advance(self, t_end, stop, max_steps):
        B = self.batch
        T = np.broadcast_to(np.asarray(t_end, dtype=np.float64), (B,)).copy()
        self._first_stage()
        if self.auto:
            self._rate_bound()
        y, K, mask = self.y, self.K, self.mask
        lay = self._layout
        S = lay.slots
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
            active = (self.t < T) & ~stopped & ~self.frozen
            if not active.any():
                return stopped
            if max_steps is not None and attempts >= max_steps:
                return stopped
            attempts += 1
            group = self._regroup(active, group, T)
            remaining = T - self.t
            h_prop = self.h
            if self.shared_step:
                h_prop = np.full(B, np.min(self.h[active]))
            last = active & (h_prop >= remaining * (1.0 - 1e-12))
            hb = np.where(active, np.where(last, remaining, h_prop), 0.0)
            t0 = self.t
            mode = self.mode.copy()  # the method of this step (the next may differ)
            A, c, b, e, uses, expo = lay.rows(mode)
            for s in range(1, S - 1):
                if uses.ndim == 1:  # one method for all systems
                    stage_group = group if uses[s] else False
                else:
                    stage_group = self._stage_group(group, active, uses[:, s])
                if stage_group is False:
                    continue  # no running system's method has this stage
                stage_combination(yf, hb, Kf, A[:, s], s, ysf)
                self._eval(t0 + c[:, s] * hb, self.y_stage, K[s], stage_group)
            dp_solution(y3, hb, K3, b, mask, y53)
            mx7 = self._eval(t0 + hb, self.y5, K[S - 1], group)
            dp_error(hb, K3, e, mask, self.err, ys3)
            ratio = self.err / self.tol
            finite = np.isfinite(ratio) & np.isfinite(mx7)
            ok = active & finite & (ratio <= 1.0)
            rej = active & ~ok

            # ---- step-size proposals (Hairer's DOPRI5 PI control)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                fac11 = np.where(finite, ratio, np.inf) ** expo
                fac = fac11 / self.err_old**0.04
                fac = np.clip(fac / 0.9, 0.1, 5.0)
                h_acc = hb / fac
                h_rej = hb / np.minimum(5.0, np.where(finite, fac11 / 0.9, 5.0))
            h_acc = np.where(after_reject, np.minimum(h_acc, hb), h_acc)
            # a truncated final step must not shrink the next stage's first step
            h_acc = np.where(last, np.maximum(h_acc, h_prop), h_acc)
            h_acc = np.minimum(h_acc, self.h_max)
            if self.auto:
                h_acc = self._choose_method(ok, h_acc)

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
                self.accepted_by_method[mode, np.arange(B)] += ok
                consecutive[ok] = 0
                after_reject[ok] = False
                if self.auto:
                    switched = ok & (self.mode != mode)
                    self.err_old = np.where(switched, 1e-4, self.err_old)
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


class _Layout:
    """The tableaux of the methods of one integrator in a common stage layout.

    Stage ``s`` of a method with ``n`` stages sits in slot ``s`` (``s < n - 1``)
    and its FSAL stage in the last slot, so that every method's first stage is
    slot 0 and its last (the derivative at the new solution) the last slot.
    Rows are ``(methods, slots)`` or ``(methods, slots, slots)`` arrays, indexed
    per system by its method; ``uses[i, s]``: method ``i`` evaluates slot ``s``.
    """

    def __init__(self, methods):
        S = max(tab.stages for tab in methods)
        n = len(methods)
        self.slots = S
        self.A = np.zeros((n, S, S))
        self.c = np.zeros((n, S))
        self.b = np.zeros((n, S))
        self.e = np.zeros((n, S))
        self.uses = np.zeros((n, S), dtype=bool)
        #: evaluations per step of each method (FSAL: one fewer than stages)
        self.evaluations = tuple(tab.stages - 1 for tab in methods)
        #: exponent of the error ratio in the PI controller, 1/(q + 1) - 0.75 beta
        #: for an embedded solution of order q (0.17 for q = 4, as DOPRI5)
        self.exponent = np.zeros(n)
        for i, tab in enumerate(methods):
            slot = [*range(tab.stages - 1), S - 1]
            for s in range(1, tab.stages - 1):
                self.A[i, slot[s], slot] = tab.A[s]
            self.c[i, slot] = tab.c
            self.b[i, slot] = tab.b
            self.e[i, slot] = tab.e
            self.uses[i, slot] = True
            self.exponent[i] = round(1.0 / (tab.error_order + 1) - 0.03, 10)
        self._uniform = {}

    def rows(self, mode):
        """``(A, c, b, e, uses, exponent)`` of the systems' methods ``mode``:
        ``(B, S, S)``, ``(B, S)`` rows; ``uses`` ``(S,)`` and ``exponent`` a
        number when every system has the same method (cached), else per system.
        """
        m0 = mode[0]
        if np.all(mode == m0):
            key = (int(m0), mode.size)
            if key not in self._uniform:
                B = mode.size
                self._uniform[key] = (
                    *(
                        np.repeat(x[m0][None], B, axis=0)
                        for x in (self.A, self.c, self.b, self.e)
                    ),
                    self.uses[m0],
                    float(self.exponent[m0]),
                )
            return self._uniform[key]
        return (
            self.A[mode],
            self.c[mode],
            self.b[mode],
            self.e[mode],
            self.uses[mode],
            self.exponent[mode],
        )


def _boundary(tab, alpha_range):
    """Per system: the smallest stability boundary of ``tab`` over its damping
    range (``(B, 2)``, sampled linearly and logarithmically)."""
    out = np.empty(len(alpha_range))
    seen = {}
    for b, (lo, hi) in enumerate(alpha_range):
        if (lo, hi) not in seen:
            a = np.linspace(lo, hi, 17)
            if hi > 0:
                a = np.concatenate([a, np.geomspace(max(lo, 1e-4 * hi), hi, 17)])
            seen[(lo, hi)] = float(tab.stability_boundary(np.unique(a)).min())
        out[b] = seen[(lo, hi)]
    return out
