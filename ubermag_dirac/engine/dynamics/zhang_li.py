r"""Zhang-Li spin-transfer torque (``mm.ZhangLi``) as OOMMF runs it.

:class:`~micromagneticmodel.ZhangLi` is run as OOMMF runs it under oommfc, which
selects the evolver ``Anv_SpinTEvolve`` for a scalar ``u`` (a number, a dict of
numbers or a scalar field: current along x) and ``Anv_SpinTEvolve_3d`` for a
vector ``u`` (``oommfc/scripts/evolver.py``, ``driver.py``). What follows is
read from their ``Calculate_dm_dt`` (``spintevolve.cc`` by A. Vanhaverbeke, in
OOMMF's ``app/oxs/contrib/anv_spintevolve`` and, unchanged in substance in the
2023 patch, in the conda-forge OOMMF sources ``fangohr/oommf``,
``oommf/app/oxs/local/anv_spintevolve/spintevolve.cc``; ``spintevolve_3d.cc`` by
M. Lang and H. Fangohr, ``oommf/app/oxs/local/anv-spintevolve-3d``). With
:math:`\gamma_{LL} = \gamma_0/(1+\alpha^2)` and

.. math::

    \mathbf g = f(t)\,(\mathbf u\cdot\nabla)\mathbf m \quad (\mathrm{1/s}),
    \qquad \mathbf g_\perp = \mathbf g - (\mathbf m\cdot\mathbf g)\,\mathbf m,

OOMMF integrates

.. math::

    \dot{\mathbf m} = -\gamma_{LL}\,\mathbf m\times\mathbf H
    - \alpha\gamma_{LL}\,\mathbf m\times(\mathbf m\times\mathbf H)
    - \frac{1+\alpha\beta}{1+\alpha^2}\,\mathbf g_\perp
    + \frac{\beta-\alpha}{1+\alpha^2}\,\mathbf m\times\mathbf g,

which is the Gilbert equation :math:`\dot{\mathbf m} = -\gamma_0\mathbf m\times
\mathbf H + \alpha\,\mathbf m\times\dot{\mathbf m} + \mathbf T` with
:math:`\mathbf T = -\mathbf g_\perp + \beta\,\mathbf m\times\mathbf g`, i.e.
:math:`-(\mathbf u\cdot\nabla)\mathbf m + \beta\,\mathbf m\times(\mathbf u\cdot
\nabla)\mathbf m` projected perpendicular to :math:`\mathbf m`. ``u`` (m/s) is
used as given (no prefactor, positive ``u`` moves a wall along +x); the scalar
form has :math:`\mathbf u = (u, 0, 0)`. :math:`f(t)` is 1, or ``u_profile`` at
``total_time``: ``func`` at :math:`\mathrm{round}(t/\Delta t)\,\Delta t` or the
``tcl_strings`` proc (as for Slonczewski above). ``beta`` is one number
(micromagneticmodel refuses anything else; oommfc writes it as is). Without
Precession (``do_precess 0``) OOMMF drops only :math:`-\gamma_{LL}\mathbf m
\times\mathbf H`; the Zhang-Li terms stay as written.

Derivative, per axis :math:`k` (only x for scalar ``u``): :math:`\partial_k
\mathbf m_i = [w^+(\mathbf m_{i+1} - \mathbf m_i) + w^-(\mathbf m_i -
\mathbf m_{i-1})]/\Delta_k` with :math:`w^\pm = 1/2` when that neighbour is in
the mesh and magnetic, else 0, so interior cells get the central difference
(second order). At a mesh face, when the axis has more than two cells, OOMMF's
"free boundary correction" counts the inner bond twice (:math:`w = 1`, the
one-sided difference); with two cells the face cells keep :math:`w = 1/2`.
Next to an *empty* cell inside the mesh there is no such correction: the
derivative is half the one-sided difference. Both are reproduced as OOMMF
computes them. Periodic directions: both evolvers require an
``Oxs_RectangularMesh`` and oommfc writes ``Oxs_PeriodicRectangularMesh`` (a
sibling class, ``oxs/ext/rectangularmesh.h``) for periodic meshes, so OOMMF
stops ("... is not an Oxs_RectangularMesh object") and there is no OOMMF
behaviour to match; the engine uses the same stencil across the periodic
boundary (the central difference everywhere).

The engine applies :math:`\mathbf T` as a torque field (added to
:math:`\mathbf H` before its LLG solve): with Precession
:math:`\mathbf H_T = \gamma_0^{-1}\mathbf m\times\mathbf T = -(\mathbf m\times
\mathbf g + \beta\,\mathbf g_\perp)/\gamma_0`, which reproduces the equation
above exactly (per-cell :math:`\alpha`); without Precession
:math:`\mathbf H_T = [-(1+\alpha\beta)\,\mathbf g_\perp + (\beta-\alpha)\,
\mathbf m\times\mathbf g]/(\gamma_0\alpha)`, for which the engine's pure-damping
equation gives OOMMF's two Zhang-Li terms. That needs :math:`\alpha > 0`
wherever ``u`` is non-zero; otherwise the term is refused
(:class:`~ubermag_dirac.engine.registry.UnsupportedTermError`). With
``ud.AnisotropicDamping`` (not an OOMMF term) :math:`\mathbf T` sits inside the
tensor Gilbert form like the other torques. Also refused: ``ZhangLi`` together
with ``Slonczewski`` (oommfc hands the Slonczewski parameters to
``Anv_SpinTEvolve``, which rejects them). One deliberate difference: oommfc
passes a scalar ``df.Field`` ``u`` to OOMMF as its magnitude
(``Oxs_VecMagScalarField``), so a negative field value would lose its sign
there; the signed value is used here, as for numbers and region dicts (and as
for the energy terms). Fixed cells do not move (OOMMF sets ``u = 0`` there).

Table columns, as OOMMF's evolvers write them (``Anv_SpinTEvolve``,
``Anv_SpinTEvolve_3d``: ``UpdateMeshArrays`` and ``UpdateSpinTorqueOutputs``)
whenever the term is present, constant or not: with a scalar ``u``,
``SpinTEvolve:evolver:average u`` (m/s, ubermagtable's ``average_u``)
:math:`= f(t)\,\langle u\rangle`; with a vector ``u``,
``SpinTEvolve_3d:evolver:average u`` :math:`= f(t)\,|\langle\mathbf u\rangle|`
and ``... average ux``, ``uy``, ``uz`` :math:`= f(t)\langle u_k\rangle`.
:math:`\langle\cdot\rangle` is OOMMF's mean over *all* cells of the mesh (empty
and fixed cells included) and :math:`f(t)` the time factor actually applied.
"""

import numbers

import discretisedfield as df
import micromagneticmodel as mm
import numba as nb
import numpy as np

from .._cells import load, neighbours
from ..registry import UnsupportedTermError, register_dynamics
from ._base import TorqueFieldImpl, term_value

__all__ = ["ZhangLiImpl", "zhang_li_add_field"]


def _zhang_li_stencil(mask, axis: int, periodic: bool):
    """Weights ``(w_minus, w_plus)`` of Anv_SpinTEvolve's derivative along ``axis``.

    ``mask`` is ``(B, nx, ny, nz)``; the derivative of cell ``i`` is
    ``[w_plus (m[i+1] - m[i]) + w_minus (m[i] - m[i-1])] / dx``: 1/2 for each
    magnetic neighbour, the inner bond counted twice (one-sided difference) at a
    free mesh face when the axis has more than two cells, 0 in empty cells.
    """
    ax = axis + 1
    n = mask.shape[ax]
    shape = mask.shape
    if n == 1:
        return np.zeros(shape), np.zeros(shape)
    plus = np.roll(mask, -1, axis=ax).astype(np.float64)  # plus[i] = mask[i + 1]
    minus = np.roll(mask, 1, axis=ax).astype(np.float64)  # minus[i] = mask[i - 1]
    w_plus = 0.5 * plus
    w_minus = 0.5 * minus
    if not periodic:
        first = [slice(None)] * 4
        last = [slice(None)] * 4
        first[ax] = 0
        last[ax] = n - 1
        first, last = tuple(first), tuple(last)
        w_minus[first] = 0.0
        w_plus[last] = 0.0
        if n > 2:  # OOMMF's "free boundary correction"
            w_plus[first] += 0.5 * plus[first]
            w_minus[last] += 0.5 * minus[last]
    w_plus *= mask
    w_minus *= mask
    return w_minus, w_plus


@nb.njit(inline="always")
def _bond(g, mf, b, q0, q1, cp, cm, mx, my, mz):
    """``g + cp (m[q0] - m) + cm (m - m[q1])``: one axis of the derivative stencil
    added to ``g = (gx, gy, gz)``."""
    return (
        g[0] + (cp * (mf[b, 0, q0] - mx) + cm * (mx - mf[b, 0, q1])),
        g[1] + (cp * (mf[b, 1, q0] - my) + cm * (my - mf[b, 1, q1])),
        g[2] + (cp * (mf[b, 2, q0] - mz) + cm * (mz - mf[b, 2, q1])),
    )


@nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")
def zhang_li_add_field(
    m, cxm, cxp, cym, cyp, czm, czp, use, beta, fac, gamma, alpha, do_precess, mask, H
):
    """``H += H_T`` of the Zhang-Li torque (module docstring, "Zhang-Li").

    ``m``, ``H``: ``(B, 3, nx, ny, nz)``; ``c[xyz][mp]``: ``(B, N)``
    coefficients ``u_k w_k / dx_k`` (1/s) of the minus/plus bond along each
    axis, read only where ``use[k]`` (any 2-d array otherwise); ``mask``:
    ``(B, nx, ny, nz)``; ``beta``, ``fac``: ``(B,)``; ``gamma``, ``alpha``:
    ``(B, N)``.
    """
    B, _, nx, ny, nz = m.shape
    n = nx * ny * nz
    SX = ny * nz
    SY = nz
    mf = m.reshape(B, 3, n)
    Hf = H.reshape(B, 3, n)
    kf = mask.reshape(B, n)
    usex = use[0]
    usey = use[1]
    usez = use[2]
    for b in range(B):
        fb = fac[b]
        if fb == 0.0:
            continue
        be = beta[b]
        for i in range(nx):
            xm, xp = neighbours(i, nx, SX)
            for j in range(ny):
                ym, yp = neighbours(j, ny, SY)
                p0 = i * SX + j * SY
                for k in range(nz):
                    p = p0 + k
                    if not kf[b, p]:
                        continue
                    mx, my, mz = load(mf, b, p)
                    gx = 0.0
                    gy = 0.0
                    gz = 0.0
                    if usex:
                        gx, gy, gz = _bond(
                            (gx, gy, gz), mf, b, p + xp, p + xm,
                            cxp[b, p], cxm[b, p], mx, my, mz,
                        )  # fmt: skip
                    if usey:
                        gx, gy, gz = _bond(
                            (gx, gy, gz), mf, b, p + yp, p + ym,
                            cyp[b, p], cym[b, p], mx, my, mz,
                        )  # fmt: skip
                    if usez:
                        zm, zp = neighbours(k, nz, 1)
                        gx, gy, gz = _bond(
                            (gx, gy, gz), mf, b, p + zp, p + zm,
                            czp[b, p], czm[b, p], mx, my, mz,
                        )  # fmt: skip
                    if gx == 0.0 and gy == 0.0 and gz == 0.0:
                        continue
                    gx *= fb
                    gy *= fb
                    gz *= fb
                    # g_perp = g - (m.g) m = (m x g) x m ;  c = m x g
                    mg = mx * gx + my * gy + mz * gz
                    ex = gx - mg * mx
                    ey = gy - mg * my
                    ez = gz - mg * mz
                    cx = my * gz - mz * gy
                    cy = mz * gx - mx * gz
                    cz = mx * gy - my * gx
                    if do_precess:
                        # H_T = (1/gamma) m x T = -(m x g + beta g_perp) / gamma
                        s = -1.0 / gamma[b, p]
                        Hf[b, 0, p] += s * (cx + be * ex)
                        Hf[b, 1, p] += s * (cy + be * ey)
                        Hf[b, 2, p] += s * (cz + be * ez)
                    else:
                        a = alpha[b, p]
                        s = 1.0 / (gamma[b, p] * a)
                        c1 = -(1.0 + a * be) * s
                        c2 = (be - a) * s
                        Hf[b, 0, p] += c1 * ex + c2 * cx
                        Hf[b, 1, p] += c1 * ey + c2 * cy
                        Hf[b, 2, p] += c1 * ez + c2 * cz


def _zhang_li_u(grid, terms, what) -> tuple[np.ndarray, np.ndarray]:
    """Spin-drift velocity ``(B, 3, nx, ny, nz)`` (m/s) as oommfc hands it to OOMMF.

    A number, a dict of numbers or a scalar field is the x component
    (``Anv_SpinTEvolve``); a vector, a dict of vectors or a vector field is the
    full vector (``Anv_SpinTEvolve_3d``). Conversion by the grid's parameter rules.
    Returns ``u`` and ``(B,)`` whether each system's ``u`` is a vector.
    """
    u = np.zeros((grid.batch, 3, *grid.n))
    vector = np.zeros(grid.batch, dtype=bool)
    for b, term in enumerate(terms):
        value = term_value(term, "u")
        if value is None:
            raise ValueError(
                f"{what}: u is not set; give the spin-drift velocity u (m/s): a "
                "number (current along x), a vector, a region dict or a "
                "discretisedfield.Field."
            )
        if isinstance(value, df.Field):
            scalar = value.nvdim == 1
        elif isinstance(value, dict):
            kinds = {isinstance(v, numbers.Real) for v in value.values()}
            if len(kinds) != 1:
                raise ValueError(
                    f"{what}: u is a dict mixing numbers and vectors; use numbers "
                    "only (current along x) or vectors only."
                )
            scalar = kinds == {True}
        else:
            scalar = isinstance(value, numbers.Real)
        if scalar:
            u[b, 0] = grid._one(value, 1, f"{what}: u")[..., 0]
        else:
            u[b] = np.moveaxis(grid._one(value, 3, f"{what}: u"), -1, 0)
        vector[b] = not scalar
    if not np.all(np.isfinite(u)):
        raise ValueError(f"{what}: u must be finite everywhere.")
    return u, vector


class ZhangLiImpl(TorqueFieldImpl):
    r""":class:`micromagneticmodel.ZhangLi` as OOMMF's ``Anv_SpinTEvolve`` computes it.

    Stores the per-bond coefficients :math:`u_k w_k^\pm/\Delta_k` (1/s) of the
    derivative :math:`(\mathbf u\cdot\nabla)\mathbf m` (module docstring,
    "Zhang-Li"), :math:`\beta` per system and the time factor; ``add_field``
    adds the torque field :math:`\mathbf H_T` (A/m) that reproduces OOMMF's
    Zhang-Li terms through the engine's LLG solve.

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import numpy as np
    >>> from ubermag_dirac.engine import Engine
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(40e-9, 2e-9, 2e-9), cell=(2e-9, 2e-9, 2e-9))
    >>> s = mm.System(name="wire")
    >>> s.energy = mm.Exchange(A=1.3e-11)
    >>> s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.1)
    >>> s.dynamics += mm.ZhangLi(u=100, beta=0.05)  # u in m/s, along x
    >>> s.m = df.Field(mesh, nvdim=3, value=(1, 0, 0), norm=8e5)
    >>> float(np.abs(Engine(s).torque_fields()["zhangli"]).max())  # uniform m
    0.0

    For the helix :math:`\mathbf m = (\cos kx, \sin kx, 0)` the central
    difference gives :math:`\mathbf m\times\partial_x\mathbf m = \hat{\mathbf
    z}\sin(k\Delta x)/\Delta x`, so :math:`H_{T,z} = -u\sin(k\Delta x)/
    (\gamma_0\Delta x)` (A/m) in the interior:

    >>> k = 2 * np.pi / 40e-9
    >>> s.m = df.Field(
    ...     mesh,
    ...     nvdim=3,
    ...     value=lambda p: (np.cos(k * p[0]), np.sin(k * p[0]), 0),
    ...     norm=8e5,
    ... )
    >>> H_T = Engine(s).torque_fields()["zhangli"]
    >>> bool(np.isclose(H_T[0, 2, 5, 0, 0], -100 * np.sin(k * 2e-9) / 2e-9 / 2.211e5))
    True

    Without Precession and Damping OOMMF's torque has no torque-field form:

    >>> s.dynamics = mm.ZhangLi(u=100, beta=0.05)
    >>> Engine(s)
    Traceback (most recent call last):
    ...
    ubermag_dirac.engine.registry.UnsupportedTermError: ZhangLi 'zhangli' in system ...
    """

    _require_dt = True
    _allow_tcl = True

    def __init__(self, terms, grid):
        super().__init__(terms, grid)
        what = f"ZhangLi {self.name!r}"
        self.what = what
        betas = []
        for t in terms:
            beta = term_value(t, "beta")
            if beta is None:
                raise ValueError(
                    f"{what}: beta is not set; give the non-adiabatic parameter "
                    "beta (a number; oommfc writes it to Anv_SpinTEvolve, which "
                    "needs it)."
                )
            if (
                isinstance(beta, bool)
                or not isinstance(beta, numbers.Real)
                or not np.isfinite(beta)
            ):
                raise ValueError(
                    f"{what}: beta must be a finite number (Anv_SpinTEvolve takes "
                    f"one constant beta), got {beta!r}."
                )
            betas.append(float(beta))
        self.beta = np.array(betas)
        for b, s in enumerate(grid.systems):
            for other in s.dynamics:
                if isinstance(other, mm.Slonczewski):
                    raise UnsupportedTermError(
                        f"{what} and Slonczewski {other.name!r} in system {b} "
                        f"({s.name!r}): oommfc hands both to OOMMF's "
                        "Anv_SpinTEvolve, which has no Slonczewski torque and "
                        "refuses the Slonczewski parameters; the calculator does not "
                        "combine them either."
                    )
        u, self.u_vector = _zhang_li_u(grid, terms, what)
        self.u = u
        # OOMMF's ave_u: mean over all cells of the mesh, (B, 3)
        self.average_u = u.reshape(grid.batch, 3, -1).mean(axis=2)
        mask = grid.mask
        coeffs = []
        use = []
        for k in range(3):
            uk = u[:, k]
            active = bool(np.any(uk[mask] != 0.0)) and grid.n[k] > 1
            use.append(active)
            if not active:
                coeffs += [np.zeros((1, 1))] * 2
                continue
            w_minus, w_plus = _zhang_li_stencil(mask, k, "xyz"[k] in grid.pbc)
            for w in (w_minus, w_plus):
                c = (uk * w / grid.cell[k]).reshape(grid.batch, -1)
                coeffs.append(np.ascontiguousarray(c))
        self.coeffs = coeffs
        self.use = np.array(use)
        self._mask = np.ascontiguousarray(mask)
        self._check_representable(grid)
        self.params = None

    def _check_representable(self, grid):
        """Refuse cells where OOMMF's torque cannot be written as a torque field."""
        driven = self._mask & np.any(self.u != 0.0, axis=1)
        for b, s in enumerate(grid.systems):
            if not driven[b].any():
                continue
            prec = [x for x in s.dynamics if isinstance(x, mm.Precession)]
            damp = [x for x in s.dynamics if isinstance(x, mm.Damping)]
            if prec:
                gamma = grid._one(term_value(prec[0], "gamma0"), 1, "gamma0")
                if np.any(gamma[..., 0][driven[b]] == 0):
                    raise ValueError(
                        f"{self.what} in system {b} ({s.name!r}): Precession "
                        "gamma0 is 0 in cells where u is not; the engine applies "
                        "the Zhang-Li torque as a torque field, which needs "
                        "gamma0 != 0."
                    )
                continue
            alpha = np.zeros(grid.n)
            if damp:
                alpha = grid._one(term_value(damp[0], "alpha"), 1, "alpha")[..., 0]
            if np.any(alpha[driven[b]] <= 0):
                raise UnsupportedTermError(
                    f"{self.what} in system {b} ({s.name!r}): without Precession "
                    "(OOMMF's do_precess 0) the engine solves the pure-damping "
                    "equation, which can carry the Zhang-Li torque only where "
                    "Damping alpha > 0, and alpha is 0 in cells where u is not "
                    "(OOMMF would still apply the torque there). Add "
                    "mm.Precession, or mm.Damping with alpha > 0."
                )

    @property
    def oommf_evolver(self):
        """``Anv_SpinTEvolve`` (scalar u) or ``Anv_SpinTEvolve_3d`` (vector u)."""
        return "SpinTEvolve_3d" if self.u_vector.any() else "SpinTEvolve"

    def table_columns(self):
        """OOMMF's ``average u`` (m/s), see the module docstring."""
        label = f"{self.oommf_evolver}:evolver:average u"
        if self.u_vector.any():
            return [(label + c, "m/s") for c in ("", "x", "y", "z")]
        return [(label, "m/s")]

    def table_values(self, t):
        u = self.average_u * self.factor(t)[:, None]
        if self.u_vector.any():
            return np.column_stack([np.linalg.norm(u, axis=1), u])
        return u[:, :1]

    def configure(self, params):
        if any(isinstance(tf, ZhangLiImpl) for tf in params.torque_fields):
            raise ValueError("At most one ZhangLi term per system.")
        self.params = params
        super().configure(params)

    def add_field(self, m, t, H):
        p = self.params
        cxm, cxp, cym, cyp, czm, czp = self.coeffs
        zhang_li_add_field(
            m,
            cxm,
            cxp,
            cym,
            cyp,
            czm,
            czp,
            self.use,
            self.beta,
            self.factor(t),
            p.gamma,
            p.alpha,
            bool(p.do_precess),
            self._mask,
            H,
        )
        return H


@register_dynamics(mm.ZhangLi)
def _build_zhang_li(terms, grid):
    return ZhangLiImpl(terms, grid)
