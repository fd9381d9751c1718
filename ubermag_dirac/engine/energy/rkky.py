r"""Interlayer (RKKY) exchange of two subregions: OOMMF's ``Oxs_TwoSurfaceExchange``.

What oommfc writes
------------------
For ``mm.RKKY(sigma, sigma2, subregions=[r1, r2])`` oommfc (``rkky_script`` in
``oommfc/scripts/energy.py``, oommfc 0.66) finds the axis :math:`k` along which the
two subregions are separated (``discretisedfield.Region.facing_surface``: the
first of x, y, z along which one lies entirely below the other) and writes an
``Oxs_TwoSurfaceExchange`` with ``sigma`` and ``sigma2`` (OOMMF's default 0 for
an unset one) and two surfaces on the scalar field :math:`s(\mathbf{r}) = r_k`
(``Oxs_LinearScalarField``): ``surface1`` is the *lower* subregion ``L`` with
``scalarvalue`` :math:`v_1 = L_{\max,k}` and ``scalarside -``; ``surface2`` the
*upper* subregion ``U`` with :math:`v_2 = U_{\min,k}` and ``scalarside +``. Which
subregion is named first in ``subregions`` therefore does not matter.

What OOMMF computes
-------------------
From the OOMMF 2.x sources (the ``fangohr/oommf`` mirror on GitHub, path
``oommf/``): ``app/oxs/ext/twosurfaceexchange.cc`` (revision 1.25,
2013/05/22, M. J. Donahue; ``FillLinkList`` and ``ComputeEnergy``) and
``app/oxs/ext/rectangularmesh.cc`` (``Oxs_CommonRectangularMesh::BoundaryList``).
The OOMMF user guide's section on the class could not be consulted; everything
below is read off the code.

*Surface cells* (``BoundaryList``; ``-`` means ``<=``, ``+`` means ``>=``): the
cells of atlas region ``L`` whose centre satisfies :math:`c_k \le v_1 < c_k +
h_k`, i.e. the top cell layer of ``L``, and the cells of ``U`` with :math:`c_k -
h_k < v_2 \le c_k`, the bottom cell layer of ``U`` (:math:`h_k` the cell edge
along :math:`k`). A cell belongs to the first subregion of ``mesh.subregions``
that contains its centre (oommfc's ``Oxs_MultiAtlas``), so a layer partly
claimed by an earlier subregion loses those cells. Each list is in OOMMF's cell
order (x fastest, then y, then z).

*Links* (``FillLinkList``): every cell :math:`i` of surface 1 is paired with the
*closest* cell :math:`j` of surface 2 by centre distance, the first in OOMMF's
order on a tie; a cell of surface 2 may take several links or none (OOMMF's
pairing is asymmetric). Facing cells of two layers with the same footprint are
paired one to one. Each link gets the weight

.. math::

    w_{ij} = \frac{|\mathbf{r}_j - \mathbf{r}_i|}
        {|\Delta x|\, h_x + |\Delta y|\, h_y + |\Delta z|\, h_z},

which is :math:`1/h_k` for facing cells: the surface energy is spread over one
cell thickness. On a periodic mesh OOMMF shortens a distance component larger
than half the period :math:`P` to :math:`|\Delta| - P/2` (not :math:`P -
|\Delta|`) in the numerator and in the search; this is reproduced as it is, with
OOMMF's floating-point arithmetic for cell centres (``base + i h``, assuming no
fused multiply-add in OOMMF's build), so that its pairing is reproduced too. A
consequence (OOMMF's, kept): along a periodic lateral axis with an even number of
cells, where the rounded distance of two cells half a period apart exceeds
:math:`P/2`, the shortened component is ~0, that cell ties with the facing one and,
coming first in OOMMF's order, takes the link with a smaller weight, so a few
facing cells of a periodic film are coupled more weakly than the others.

*Energy and field* (``ComputeEnergy``), with :math:`T = \tfrac12 |\mathbf{m}_i -
\mathbf{m}_j|^2 = 1 - \mathbf{m}_i\cdot\mathbf{m}_j`, :math:`c_1 = (\sigma +
2\sigma_2) w_{ij}`, :math:`c_2 = -\sigma_2 w_{ij}`:

.. math::

    e_{ij} = (c_1 + c_2 T)\, T = w_{ij} \left[\sigma (1 - \mathbf{m}_i\cdot
        \mathbf{m}_j) + \sigma_2 \left(1 - (\mathbf{m}_i\cdot\mathbf{m}_j)^2\right)
        \right],

    \mathbf{H}_i = -\frac{2 (c_1 + 2 c_2 T)}{\mu_0 M_{s,i}} (\mathbf{m}_i -
        \mathbf{m}_j), \qquad
    \mathbf{H}_j = +\frac{2 (c_1 + 2 c_2 T)}{\mu_0 M_{s,j}} (\mathbf{m}_i -
        \mathbf{m}_j),

summed over the links of each cell. :math:`e_{ij}` (J/m^3) is added to the
energy density of *both* cells, and the term's energy is :math:`E = V \sum_{\rm
cells} w = 2 V \sum_{\rm links} e_{ij}` (:math:`V` the cell volume). The field is
exactly :math:`-\partial E / \partial \mathbf{m}_i / (\mu_0 M_{s,i} V)`, including
its component along :math:`\mathbf{m}_i` (so :math:`w \ne -\tfrac12 \mu_0 M_s
\mathbf{m}\cdot\mathbf{H}` when :math:`\sigma_2 \ne 0`). A link with an empty cell
(:math:`M_s = 0`) at either end contributes nothing. For two uniform layers at
angle :math:`\theta` with facing area :math:`A` this gives

.. math::

    E = 2A \left[\sigma (1 - \cos\theta) + \sigma_2 \sin^2\theta\right]
      = -2A \left(\sigma \cos\theta + \sigma_2 \cos^2\theta\right)
        + 2A(\sigma + \sigma_2):

OOMMF's energy is zero for parallel layers and twice the textbook
:math:`-A\,\sigma\cos\theta` (its field is consistent with it). So
:math:`\sigma < 0` favours antiparallel and :math:`\sigma > 0` parallel layers.
Units: :math:`\sigma, \sigma_2` in J/m^2, :math:`\mathbf{H}` in A/m, :math:`w` in
J/m^3, :math:`E` in J.

Checks made here that oommfc/micromagneticmodel leave to a crash (``mm.RKKY``
only checks that ``subregions`` is a list, tuple or set): exactly two different
subregion names of the mesh; subregions separated along exactly one axis (oommfc
raises a bare ``ValueError`` for overlapping ones and, for ones separated along
two or three axes, which do not face each other, picks the first axis); finite
real ``sigma``/``sigma2``; a non-empty surface on each side (OOMMF's "Empty
bdry/surface list"). A ``set`` of names is accepted (the order is immaterial).
"""

from __future__ import annotations

import itertools

import micromagneticmodel as mm
import numpy as np

from ._base import MU0, EnergyImpl, register, term_attr
from ._params import _real

__all__ = ["RKKYImpl", "build_rkky", "surface_links"]

_DIMS = "xyz"
#: Pair-distance entries evaluated at once in the general nearest-cell search.
_CHUNK = 1 << 22


def _subregion_names(term, grid, what: str) -> list[str]:
    names = term_attr(term, "subregions")
    if names is None:
        raise ValueError(
            f"RKKY.subregions ({what}): not set; give the names of the two coupled "
            "subregions of the mesh, e.g. subregions=['bottom', 'top']."
        )
    names = list(names)
    if len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise ValueError(
            f"RKKY.subregions ({what}): expected the names of two subregions, got "
            f"{term.subregions!r}."
        )
    if names[0] == names[1]:
        raise ValueError(
            f"RKKY.subregions ({what}): {names[0]!r} is given twice; RKKY couples two "
            "different subregions."
        )
    unknown = [n for n in names if n not in grid.region_names]
    if unknown:
        have = grid.region_names or "no subregions"
        raise ValueError(
            f"RKKY.subregions ({what}): unknown subregion(s) {unknown}; the mesh "
            f"has {have}."
        )
    return names


def _facing(grid, names: list[str], what: str) -> tuple[int, str, str]:
    """``(axis, lower, upper)`` of two subregions separated along one axis."""
    r1, r2 = (grid.mesh.subregions[n] for n in names)
    axes = [a for a in range(3) if r1.pmin[a] >= r2.pmax[a] or r2.pmin[a] >= r1.pmax[a]]
    if not axes:
        raise ValueError(
            f"RKKY.subregions ({what}): {names[0]!r} and {names[1]!r} overlap "
            "(they are not separated along x, y or z); RKKY couples two subregions "
            "that face "
            "each other across a spacer (or touch)."
        )
    if len(axes) > 1:
        raise ValueError(
            f"RKKY.subregions ({what}): {names[0]!r} and {names[1]!r} are "
            f"separated along {' and '.join(_DIMS[a] for a in axes)} at once, so "
            "they have no facing surfaces; they must be separated along exactly "
            "one axis and overlap in the other two directions."
        )
    (axis,) = axes
    direction, first, _ = r1.facing_surface(r2)  # oommfc's call, for its ordering
    assert direction == grid.mesh.region.dims[axis]
    lower, upper = (names[0], names[1]) if first is r1 else (names[1], names[0])
    return axis, lower, upper


class _Geometry:
    """Cell centres and periodic adjustment exactly as OOMMF's mesh computes them."""

    def __init__(self, grid):
        pmin = np.asarray(grid.mesh.region.pmin, dtype=np.float64)
        self.h = np.asarray(grid.cell, dtype=np.float64)
        self.n = grid.n
        base = pmin + self.h / 2.0  # Oxs_CommonRectangularMesh::InitScaling
        # Center(): base + i * cellsize
        self.c = [base[a] + np.arange(self.n[a]) * self.h[a] for a in range(3)]
        # FillLinkList: half the bounding-box width along periodic axes, else 0
        lo = base - self.h / 2.0
        hi = lo + np.asarray(self.n) * self.h
        self.adj = [
            (hi[a] - lo[a]) / 2.0 if _DIMS[a] in grid.pbc else 0.0 for a in range(3)
        ]

    def delta(self, a: int, i, j, adjusted: bool):
        """Centre difference ``r_j - r_i`` along axis ``a`` (index arrays)."""
        v = self.c[a][j] - self.c[a][i]
        if adjusted and self.adj[a] != 0.0:
            av = np.abs(v)
            v = np.where(av > self.adj[a], av - self.adj[a], v)
        return v

    def distsq(self, i: tuple, j: tuple):
        """OOMMF's (periodically adjusted) squared distance, ``x*x + y*y + z*z``."""
        vx, vy, vz = (self.delta(a, i[a], j[a], True) for a in range(3))
        return vx * vx + vy * vy + vz * vz


def _oommf_order(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices ``(ix, iy, iz)`` of ``mask`` in OOMMF's cell order (x fastest)."""
    iz, iy, ix = np.nonzero(mask.transpose(2, 1, 0))
    return ix, iy, iz


def surface_links(grid, lower: str, upper: str, axis: int):
    """OOMMF's link list between the facing surfaces of two subregions.

    Parameters
    ----------
    grid : ubermag_dirac.engine.grid.Grid
        The batch's grid (mesh, subregions, periodicity).
    lower, upper : str
        The subregion below and the one above along ``axis`` (as
        ``Region.facing_surface`` orders them).
    axis : int
        0, 1 or 2: the axis along which they are separated.

    Returns
    -------
    i1, i2 : numpy.ndarray of int
        C-order flat cell indices (into ``(nx, ny, nz)``) of the two ends of each
        link: ``i1`` on the top layer of ``lower`` (each cell once, in OOMMF's
        order), ``i2`` its nearest cell on the bottom layer of ``upper``.
    weight : numpy.ndarray of float
        :math:`w_{ij}` of each link, 1/m.

    Raises
    ------
    ValueError
        If either surface has no cells.
    """
    geo = _Geometry(grid)
    k = axis
    ck, hk = geo.c[k], geo.h[k]
    v1 = float(grid.mesh.subregions[lower].pmax[k])
    v2 = float(grid.mesh.subregions[upper].pmin[k])
    shape = [1, 1, 1]
    shape[k] = -1
    layer1 = ((ck <= v1) & (ck + hk > v1)).reshape(shape)
    layer2 = ((ck >= v2) & (ck - hk < v2)).reshape(shape)
    s1 = grid.region_mask(lower) & layer1
    s2 = grid.region_mask(upper) & layer2
    for name, s, side in ((lower, s1, "top"), (upper, s2, "bottom")):
        if not s.any():
            raise ValueError(
                f"RKKY.subregions: subregion {name!r} has no cells on its {side} "
                f"surface along {_DIMS[k]} (they belong to a subregion listed "
                "earlier in mesh.subregions); OOMMF stops with 'Empty bdry/surface "
                "list'."
            )
    p = _oommf_order(s1)  # surface-1 cells (ix, iy, iz)
    q = _oommf_order(s2)  # surface-2 cells, OOMMF order = tie-break order
    n1 = len(p[0])
    rank2 = np.full(grid.n, -1, dtype=np.int64)
    rank2[q] = np.arange(len(q[0]))
    best = np.full(n1, -1, dtype=np.int64)

    # Cells whose facing cell (same lateral indices) is on surface 2: that cell is
    # at the minimum distance |dk|; only cells half a period away along a periodic
    # lateral axis can tie with it (OOMMF's |v| - P/2 is then ~0), any other one
    # is at least h/2 further off laterally.
    (layer_k,) = np.unique(q[k])
    facing = list(p)
    facing[k] = np.full(n1, layer_k)
    direct = rank2[tuple(facing)] >= 0
    if direct.any():
        sel = np.flatnonzero(direct)
        options = []
        for a in range(3):
            base = p[a][sel] if a != k else facing[k][sel]
            opts = [base]
            if a != k and geo.adj[a] != 0.0 and geo.n[a] % 2 == 0:
                opts.append((base + geo.n[a] // 2) % geo.n[a])
            options.append(opts)
        ranks, dists = [], []
        for cand in itertools.product(*options):
            r = rank2[cand]
            d = geo.distsq(tuple(a[sel] for a in p), cand)
            ranks.append(np.where(r >= 0, r, np.iinfo(np.int64).max))
            dists.append(np.where(r >= 0, d, np.inf))
        ranks, dists = np.stack(ranks), np.stack(dists)
        tie = dists == dists.min(axis=0)
        best[sel] = np.where(tie, ranks, np.iinfo(np.int64).max).min(axis=0)

    # The others (surface 1 overhanging surface 2): OOMMF's search over all of
    # surface 2; argmin returns the first minimum, as OOMMF's strict '<' loop.
    # Without lateral periodicity only cells on the rim of surface 2 (a lateral
    # neighbour not on it) can be nearest to a cell not facing it: a cell with all
    # four neighbours has one closer by a cell edge. The rim keeps OOMMF's order.
    rest = np.flatnonzero(~direct)
    cand = np.arange(len(q[0]))
    lateral = [a for a in range(3) if a != k]
    if len(rest) and not any(geo.adj[a] for a in lateral):
        on2 = rank2 >= 0
        rim = np.zeros(len(cand), dtype=bool)
        for a in lateral:
            for shift in (1, -1):
                nb = list(q)
                nb[a] = q[a] + shift
                inside = (nb[a] >= 0) & (nb[a] < grid.n[a])
                nb[a] = np.clip(nb[a], 0, grid.n[a] - 1)
                rim |= ~inside | ~on2[tuple(nb)]
        cand = np.flatnonzero(rim)
    qc = tuple(a[cand][None, :] for a in q)
    step = max(1, _CHUNK // len(cand))
    for start in range(0, len(rest), step):
        rows = rest[start : start + step]
        d = geo.distsq(tuple(a[rows][:, None] for a in p), qc)
        best[rows] = cand[np.argmin(d, axis=1)]

    j = tuple(a[best] for a in q)
    distsq = geo.distsq(p, j)
    keep = distsq > 0.0  # OOMMF: if(min_distsq>0.)
    w = [geo.delta(a, p[a], j[a], False) for a in range(3)]  # unadjusted
    denom = np.abs(w[0] * geo.h[0]) + np.abs(w[1] * geo.h[1]) + np.abs(w[2] * geo.h[2])
    weight = np.divide(
        np.sqrt(distsq), denom, out=denom.copy(), where=denom > 0.0
    )  # OOMMF keeps cellwgt = denom (0) when denom is not positive
    i1 = np.ravel_multi_index(p, grid.n)[keep]
    i2 = np.ravel_multi_index(j, grid.n)[keep]
    return i1, i2, weight[keep]


class RKKYImpl(EnergyImpl):
    r"""OOMMF's two-surface (RKKY) exchange of a batch (see the module docstring).

    Parameters
    ----------
    terms : list of micromagneticmodel.RKKY
        The term of this name from each of the ``B`` systems. They must couple the
        same two subregions; ``sigma`` and ``sigma2`` (J/m^2, numbers, 0 when
        unset) may differ per system.
    grid : ubermag_dirac.engine.grid.Grid
        The batch's grid.

    Attributes
    ----------
    axis : str
        ``"x"``, ``"y"`` or ``"z"``: the direction along which the subregions are
        separated.
    lower, upper : str
        The subregion below (OOMMF's ``surface1``) and above (``surface2``).
    i1, i2, weight : numpy.ndarray
        The links (see :func:`surface_links`).

    Examples
    --------
    Two 2 nm x 2 nm layers across a 1 nm spacer, antiparallel:
    :math:`E = 2A\sigma(1 - \cos\pi) = 2 \cdot 4\times10^{-18} \cdot (-10^{-4})
    \cdot 2` J.

    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import numpy as np
    >>> from ubermag_dirac.engine.grid import Grid
    >>> from ubermag_dirac.engine.energy.rkky import RKKYImpl
    >>> sub = {
    ...     "bottom": df.Region(p1=(0, 0, 0), p2=(2e-9, 2e-9, 1e-9)),
    ...     "spacer": df.Region(p1=(0, 0, 1e-9), p2=(2e-9, 2e-9, 2e-9)),
    ...     "top": df.Region(p1=(0, 0, 2e-9), p2=(2e-9, 2e-9, 3e-9)),
    ... }
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(2e-9, 2e-9, 3e-9), n=(2, 2, 3), subregions=sub)
    >>> s = mm.System(name="s")
    >>> s.m = df.Field(
    ...     mesh,
    ...     nvdim=3,
    ...     value=lambda p: (1, 0, 0) if p[2] < 1e-9 else (-1, 0, 0),
    ...     norm=8e5,
    ... )
    >>> s.energy = mm.RKKY(sigma=-1e-4, subregions=["top", "bottom"])
    >>> grid = Grid(s)
    >>> rkky = RKKYImpl([s.energy.rkky], grid)
    >>> rkky.axis, rkky.lower, rkky.upper, len(rkky.i1)
    ('z', 'bottom', 'top', 4)
    >>> float(rkky.energy(grid.unit_m())[0])
    -1.6e-21

    Subregions that overlap have no facing surfaces:

    >>> RKKYImpl([mm.RKKY(sigma=-1e-4, subregions=["top", "top"])], grid)
    Traceback (most recent call last):
    ...
    ValueError: RKKY.subregions (term 'rkky'): 'top' is given twice; ...
    >>> sub["top"] = df.Region(p1=(0, 0, 0.0), p2=(2e-9, 1e-9, 3e-9))
    >>> mesh2 = df.Mesh(region=mesh.region, n=(2, 2, 3), subregions=sub)
    >>> s.m = df.Field(mesh2, nvdim=3, value=(0, 0, 1), norm=8e5)
    >>> RKKYImpl([mm.RKKY(sigma=-1e-4, subregions=["top", "bottom"])], Grid(s))
    Traceback (most recent call last):
    ...
    ValueError: RKKY.subregions (term 'rkky'): 'top' and 'bottom' overlap ...
    """

    time_dependent = False

    def __init__(self, terms, grid):
        super().__init__(terms[0].name, grid)
        what = f"term {self.name!r}"
        names = _subregion_names(terms[0], grid, what)
        for b, term in enumerate(terms[1:], start=1):
            other = _subregion_names(term, grid, what)
            if set(other) != set(names):
                raise ValueError(
                    f"RKKY.subregions ({what}): systems of a batch must couple the "
                    f"same subregions; systems[0] has {names}, systems[{b}] has "
                    f"{other}."
                )
        axis, self.lower, self.upper = _facing(grid, names, what)
        self.axis = _DIMS[axis]
        sigma = np.array(
            [_real(term_attr(t, "sigma", 0.0), f"RKKY.sigma ({what})") for t in terms]
        )
        sigma2 = np.array(
            [_real(term_attr(t, "sigma2", 0.0), f"RKKY.sigma2 ({what})") for t in terms]
        )
        self.i1, self.i2, self.weight = surface_links(
            grid, self.lower, self.upper, axis
        )
        B = grid.batch
        Ms = grid.Ms.reshape(B, -1)
        Ms1, Ms2 = Ms[:, self.i1], Ms[:, self.i2]
        active = (Ms1 > 0) & (Ms2 > 0)  # OOMMF: skip a link with an Ms = 0 end
        self.c1 = (sigma + 2.0 * sigma2)[:, None] * self.weight * active
        self.c2 = -sigma2[:, None] * self.weight * active
        # sigma (1 - m1.m2) is quadratic (a constant apart); sigma2 is not
        self.energy_degree = None if np.any(sigma2 != 0) else 2
        hcoef = 2.0 / MU0
        self.h1 = np.divide(hcoef, Ms1, out=np.zeros_like(Ms1), where=active)
        self.h2 = np.divide(hcoef, Ms2, out=np.zeros_like(Ms2), where=active)
        # surface-2 cells may carry several links: sum them per cell
        order = np.argsort(self.i2, kind="stable")
        uniq, starts = np.unique(self.i2[order], return_index=True)
        self._unique2 = len(uniq) == len(self.i2)
        self._order2, self._uniq2, self._starts2 = order, uniq, starts

    def _scatter2(self, out: np.ndarray, values: np.ndarray) -> None:
        """``out[..., i2] += values`` with repeated ``i2`` summed."""
        if self._unique2:
            out[..., self.i2] += values
        else:
            summed = np.add.reduceat(values[..., self._order2], self._starts2, axis=-1)
            out[..., self._uniq2] += summed

    def _links(self, m):
        mf = m.reshape(m.shape[0], 3, -1)
        diff = mf[:, :, self.i1] - mf[:, :, self.i2]  # m_i - m_j, (B, 3, L)
        T = 0.5 * (diff[:, 0] ** 2 + diff[:, 1] ** 2 + diff[:, 2] ** 2)
        return diff, T

    def _add_field(self, m, t, H):
        diff, T = self._links(m)
        f = diff * (self.c1 + 2.0 * self.c2 * T)[:, None]
        Hf = H.reshape(H.shape[0], 3, -1)
        Hf[:, :, self.i1] -= f * self.h1[:, None]  # surface-1 cells are distinct
        self._scatter2(Hf, f * self.h2[:, None])

    def _link_energy(self, m):
        _, T = self._links(m)
        return (self.c1 + self.c2 * T) * T  # J/m^3, (B, L)

    def _energy_density(self, m, t, w):
        e = self._link_energy(m)
        w[...] = 0.0
        wf = w.reshape(w.shape[0], -1)
        wf[:, self.i1] += e
        self._scatter2(wf, e)

    def energy(self, m, t=0.0) -> np.ndarray:
        """Energy of each system (J), ``(B,)``: :math:`2 V \\sum e_{ij}`."""
        e = self._link_energy(self._checked("m", m))
        return 2.0 * self.cell_volume * e.sum(axis=1)


@register(mm.RKKY)
def build_rkky(terms, grid) -> RKKYImpl:
    """Registry builder of :class:`RKKYImpl`."""
    return RKKYImpl(terms, grid)
