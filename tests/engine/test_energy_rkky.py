"""RKKY (OOMMF's Oxs_TwoSurfaceExchange): energies, fields, pairing and errors.

The reference values are independent of the implementation: closed forms for
uniform layers, finite differences of the energy for the field, and a literal
cell-by-cell transcription of OOMMF's ``BoundaryList`` + ``FillLinkList`` loops
(``app/oxs/ext/rectangularmesh.cc``, ``twosurfaceexchange.cc``) for the pairing.
"""

import math

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac.drivers.output import Column, energy_label
from ubermag_dirac.engine.energy import MU0
from ubermag_dirac.engine.energy.rkky import RKKYImpl, surface_links
from ubermag_dirac.engine.grid import Grid
from ubermag_dirac.engine.registry import ENERGY, lookup

MS = 8e5
AXES = "xyz"


def layers(axis="z", n_lat=(3, 2), h=(1e-9, 2e-9, 1.5e-9), below=2, gap=1, above=2):
    """Mesh with subregions 'bottom', 'spacer', 'top' stacked along ``axis``."""
    k = AXES.index(axis)
    lat = [a for a in range(3) if a != k]
    n = [0, 0, 0]
    n[lat[0]], n[lat[1]] = n_lat
    n[k] = below + gap + above
    p2 = [n[a] * h[a] for a in range(3)]

    def box(lo, hi):
        p1, q = [0.0, 0.0, 0.0], list(p2)
        p1[k], q[k] = lo * h[k], hi * h[k]
        return df.Region(p1=p1, p2=q)

    sub = {"bottom": box(0, below), "top": box(below + gap, n[k])}
    if gap:
        sub["spacer"] = box(below, below + gap)
    return df.Mesh(p1=(0, 0, 0), p2=p2, cell=h, subregions=sub)


def two_layer_system(mesh, m_bottom, m_top, norm=MS, name="s", **rkky):
    k = "xyz".index(mesh_axis(mesh))
    top_start = mesh.subregions["top"].pmin[k]

    def value(p):
        return m_top if p[k] > top_start else m_bottom

    s = mm.System(name=name)
    s.m = df.Field(mesh, nvdim=3, value=value, norm=norm)
    s.energy = mm.RKKY(subregions=["bottom", "top"], **rkky)
    return s


def mesh_axis(mesh):
    b, t = mesh.subregions["bottom"], mesh.subregions["top"]
    return next(d for a, d in enumerate("xyz") if b.pmax[a] <= t.pmin[a])


def impl_of(systems):
    grid = Grid(systems)
    terms = [s.energy.rkky for s in grid.systems]
    return lookup(terms[0], ENERGY)(terms, grid), grid


def unit(theta):
    return (math.cos(theta), math.sin(theta), 0.0)


# ------------------------------------------------------------ uniform layers
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("theta", [0.0, 0.3, math.pi / 2, 2.0, math.pi])
def test_uniform_layers_energy_density_and_field(axis, theta):
    sigma, sigma2 = -3e-4, 1.2e-4
    mesh = layers(axis)
    s = two_layer_system(mesh, unit(0.0), unit(theta), sigma=sigma, sigma2=sigma2)
    impl, grid = impl_of(s)
    m = grid.unit_m()
    k = AXES.index(axis)
    hk = grid.cell[k]
    area = np.prod([mesh.region.edges[a] for a in range(3) if a != k])
    c = math.cos(theta)
    # OOMMF: E = 2 A [sigma (1 - cos) + sigma2 (1 - cos^2)], i.e.
    # -2 A (sigma cos + sigma2 cos^2) up to the constant 2 A (sigma + sigma2)
    expected = 2 * area * (sigma * (1 - c) + sigma2 * (1 - c * c))
    assert expected == pytest.approx(
        -2 * area * (sigma * c + sigma2 * c * c) + 2 * area * (sigma + sigma2),
        rel=1e-12,
        abs=1e-40,
    )
    E = impl.energy(m)[0]
    assert E == pytest.approx(expected, rel=1e-12, abs=1e-36)

    # density: the link energy in both facing layers, nothing elsewhere
    w = impl.energy_density(m)[0]
    e_link = (sigma * (1 - c) + sigma2 * (1 - c * c)) / hk
    index = np.moveaxis(np.indices(grid.n), 0, -1)[..., k]
    layer = (index == 1) | (index == 3)  # top of 'bottom', bottom of 'top'
    np.testing.assert_allclose(w[layer], e_link, rtol=1e-12, atol=1e-30)
    assert np.all(w[~layer] == 0.0)
    assert w.sum() * grid.cell_volume == pytest.approx(E, rel=1e-12, abs=1e-36)

    # field: (2 / (mu0 Ms h)) (sigma + 2 sigma2 m_i.m_j) (m_j - m_i), as OOMMF
    H = np.moveaxis(impl.field(m)[0], 0, -1)  # (nx, ny, nz, 3)
    m_b, m_t = np.array(unit(0.0)), np.array(unit(theta))
    coef = 2 * (sigma + 2 * sigma2 * c) / (MU0 * MS * hk)
    for layer_index, expected_H in ((1, coef * (m_t - m_b)), (3, coef * (m_b - m_t))):
        got = H[index == layer_index]
        np.testing.assert_allclose(
            got, np.broadcast_to(expected_H, got.shape), rtol=1e-12, atol=1e-9
        )
    assert np.all(H[~layer] == 0.0)


def test_touching_layers_and_unset_sigmas():
    """No spacer: the facing cells are neighbours; an unset sigma is OOMMF's 0."""
    mesh = layers("z", gap=0)
    area = 3e-9 * 4e-9
    s = two_layer_system(mesh, (0, 0, 1), (0, 0, -1), sigma=1e-4)
    impl, grid = impl_of(s)
    assert impl.energy(grid.unit_m())[0] == pytest.approx(2 * area * 1e-4 * 2)
    s = two_layer_system(mesh, (0, 0, 1), (1, 0, 0), sigma2=-3e-5)  # no sigma
    impl, grid = impl_of(s)
    assert impl.energy(grid.unit_m())[0] == pytest.approx(2 * area * -3e-5)
    s = two_layer_system(mesh, (0, 0, 1), (0, 1, 0))  # neither
    impl, grid = impl_of(s)
    assert impl.energy(grid.unit_m())[0] == 0.0
    assert np.all(impl.field(grid.unit_m()) == 0.0)


def test_empty_cells_drop_their_links():
    mesh = layers("z")

    def norm(p):  # a hole in the top layer's facing cell layer, one in the spacer
        if p[0] < 1e-9 and p[1] < 2e-9 and 4.5e-9 < p[2] < 6e-9:
            return 0.0
        if 3e-9 < p[2] < 4.5e-9:
            return 0.0
        return MS

    s = two_layer_system(mesh, (1, 0, 0), (-1, 0, 0), norm=norm, sigma=-1e-4)
    impl, grid = impl_of(s)
    m = grid.unit_m()
    area = 3e-9 * 4e-9 - 1e-9 * 2e-9
    assert impl.energy(m)[0] == pytest.approx(2 * area * (-1e-4) * 2, rel=1e-12)
    H, w = impl.field(m), impl.energy_density(m)
    empty = ~grid.mask
    assert np.all(w[empty] == 0.0)
    assert np.all(H[np.broadcast_to(empty[:, None], H.shape)] == 0.0)
    # the cell facing the hole has no link either
    assert np.all(H[0, :, 0, 0, 1] == 0.0) and w[0, 0, 0, 1] == 0.0


# ------------------------------------------------------ field = -grad energy
def random_m(grid, seed):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(grid.batch, 3, *grid.n))
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    return m * grid.mask[:, None]


@pytest.mark.parametrize("pbc", ["", "xy"])
def test_field_is_minus_energy_gradient(pbc):
    """Overhanging layers (several links per cell), empty cells, varying Ms, B = 2.

    OOMMF's energy is a function of the unnormalised m (T = |m_i - m_j|^2 / 2), and
    its field is the full gradient, including the component along m.
    """
    sub = {
        "bottom": df.Region(p1=(0, 0, 0), p2=(6e-9, 4e-9, 2e-9)),
        "top": df.Region(p1=(1e-9, 1e-9, 3e-9), p2=(4e-9, 3e-9, 5e-9)),
    }
    mesh = df.Mesh(
        p1=(0, 0, 0),
        p2=(6e-9, 4e-9, 5e-9),
        cell=(1e-9, 1e-9, 1e-9),
        subregions=sub,
        bc=pbc,
    )

    def norm(p):
        if p[0] > 5e-9 and p[1] < 1e-9 and p[2] < 2e-9:
            return 0.0
        return 6e5 + 1e5 * p[0] / 6e-9

    systems = []
    for b, (sig, sig2) in enumerate([(-2e-4, 5e-5), (1e-4, -3e-5)]):
        s = mm.System(name=f"s{b}")
        s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=norm)
        s.energy = mm.RKKY(sigma=sig, sigma2=sig2, subregions=["top", "bottom"])
        systems.append(s)
    impl, grid = impl_of(systems)
    assert not impl._unique2  # overhanging cells share the edge cells of 'top'
    m = random_m(grid, seed=7 + len(pbc))
    H = impl.field(m)
    V = grid.cell_volume
    linked = np.zeros(grid.n, bool).ravel()
    linked[impl.i1] = linked[impl.i2] = True
    cells = np.argwhere(grid.mask & linked.reshape(grid.n))
    assert len(cells) > 20
    d = 1e-6
    for b, i, j, k in cells:
        for c in range(3):
            energies = []
            for sign in (1, -1):
                mp = m.copy()
                mp[b, c, i, j, k] += sign * d
                energies.append(impl.energy(mp)[b])
            dE = (energies[0] - energies[1]) / (2 * d)
            expected = -MU0 * grid.Ms[b, i, j, k] * V * H[b, c, i, j, k]
            scale = MU0 * grid.Ms[b, i, j, k] * V * np.abs(H[b, :, i, j, k]).max()
            assert dE == pytest.approx(expected, abs=1e-7 * scale), (b, i, j, k, c)
    assert np.all(H[:, :, ~linked.reshape(grid.n)] == 0.0)


# ------------------------------------------------------------------- pairing
def oommf_links(grid, lower, upper, axis):
    """Literal transcription of OOMMF's BoundaryList and FillLinkList loops."""
    nx, ny, nz = grid.n
    h = grid.cell
    pmin = grid.mesh.region.pmin
    base = [pmin[a] + h[a] / 2.0 for a in range(3)]
    adj = [0.0, 0.0, 0.0]
    for a in range(3):
        if "xyz"[a] in grid.pbc:
            lo = base[a] - h[a] / 2.0
            hi = base[a] - h[a] / 2.0 + grid.n[a] * h[a]
            adj[a] = (hi - lo) / 2.0

    def centre(ix, iy, iz):
        return [base[0] + ix * h[0], base[1] + iy * h[1], base[2] + iz * h[2]]

    def boundary(name, value, side):
        region = grid.region_names.index(name)
        out = []
        for iz in range(nz):
            for iy in range(ny):
                for ix in range(nx):
                    pt = centre(ix, iy, iz)
                    if grid.region_index[ix, iy, iz] != region:
                        continue
                    inside = pt[axis] <= value if side == "-" else pt[axis] >= value
                    if not inside:
                        continue
                    # a neighbour (6-neighbour sense) on the other side
                    other = False
                    for a in range(3):
                        for sgn in (1, -1):
                            q = list(pt)
                            q[a] += sgn * h[a]
                            other |= q[axis] > value if side == "-" else q[axis] < value
                    if other:
                        out.append((ix, iy, iz))
        return out

    s1 = boundary(lower, grid.mesh.subregions[lower].pmax[axis], "-")
    s2 = boundary(upper, grid.mesh.subregions[upper].pmin[axis], "+")
    links = []
    for c1 in s1:
        r1 = centre(*c1)
        best, best_d = None, None
        for c2 in s2:
            v = [x - y for x, y in zip(centre(*c2), r1, strict=True)]
            for a in range(3):
                if adj[a] != 0.0 and abs(v[a]) > adj[a]:
                    v[a] = abs(v[a]) - adj[a]
            dist = v[0] * v[0] + v[1] * v[1] + v[2] * v[2]
            if best_d is None or dist < best_d:
                best, best_d = c2, dist
        if best_d > 0.0:
            wv = [x - y for x, y in zip(centre(*best), r1, strict=True)]
            wgt = abs(wv[0] * h[0]) + abs(wv[1] * h[1]) + abs(wv[2] * h[2])
            if wgt > 0.0:
                wgt = math.sqrt(best_d) / wgt
            links.append((c1, best, wgt))
    return links


PAIRING_CASES = {
    # name: (n, subregions (index boxes), bc)
    # nx = 8, dx = 1 nm: for two of the x pairs half a period apart, the rounded
    # |dx| exceeds P/2 and OOMMF's |dx| - P/2 is ~1e-25 m, which ties with the
    # facing cell, so the earlier cell (in OOMMF's order) takes the link
    "same footprint, periodic in x and y (half-period ties)": (
        (8, 4, 5),
        {"bottom": ((0, 0, 0), (8, 4, 2)), "top": ((0, 0, 3), (8, 4, 5))},
        "xy",
    ),
    "top smaller: overhanging bottom cells take the edge cells": (
        (7, 5, 4),
        {"bottom": ((0, 0, 0), (7, 5, 1)), "top": ((2, 1, 3), (5, 3, 4))},
        "",
    ),
    "top smaller, periodic": (
        (8, 4, 4),
        {"bottom": ((0, 0, 0), (8, 4, 1)), "top": ((1, 0, 2), (4, 3, 4))},
        "xy",
    ),
    "bottom smaller, separated along y, periodic along y": (
        (4, 8, 3),
        {"top": ((0, 5, 0), (4, 8, 3)), "bottom": ((1, 0, 1), (3, 2, 2))},
        "xyz",
    ),
    "layer partly claimed by an earlier subregion": (
        (5, 4, 5),
        {
            "island": ((0, 0, 3), (2, 2, 4)),
            "bottom": ((0, 0, 0), (5, 4, 2)),
            "top": ((0, 0, 3), (5, 4, 5)),
        },
        "",
    ),
}


@pytest.mark.parametrize("case", PAIRING_CASES)
def test_pairing_matches_oommf_loops(case):
    n, boxes, bc = PAIRING_CASES[case]
    h = (1e-9, 1.5e-9, 2e-9)
    sub = {
        name: df.Region(
            p1=[lo[a] * h[a] for a in range(3)], p2=[hi[a] * h[a] for a in range(3)]
        )
        for name, (lo, hi) in boxes.items()
    }
    mesh = df.Mesh(
        p1=(0, 0, 0),
        p2=[n[a] * h[a] for a in range(3)],
        cell=h,
        subregions=sub,
        bc=bc,
    )
    s = mm.System(name="s")
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=MS)
    grid = Grid(s)
    impl = RKKYImpl([mm.RKKY(sigma=1e-4, subregions=["top", "bottom"])], grid)
    axis = AXES.index(impl.axis)
    expected = oommf_links(grid, impl.lower, impl.upper, axis)
    i1, i2, w = surface_links(grid, impl.lower, impl.upper, axis)
    got = [
        (np.unravel_index(a, grid.n), np.unravel_index(b, grid.n), c)
        for a, b, c in zip(i1, i2, w, strict=True)
    ]
    assert [tuple(int(x) for x in g[0]) for g in got] == [e[0] for e in expected]
    assert [tuple(int(x) for x in g[1]) for g in got] == [e[1] for e in expected]
    assert [float(g[2]) for g in got] == [e[2] for e in expected]  # bit for bit
    if "ties" in case:
        assert sum(e[0][0] != e[1][0] for e in expected) == 2 * 4  # 2 x-pairs, 4 y


# ------------------------------------------------- order, batch, minimisation
def test_energy_is_independent_of_the_order_of_subregions():
    mesh = layers("y", n_lat=(3, 4))
    a = two_layer_system(mesh, unit(0.2), unit(2.5), sigma=-2e-4, sigma2=1e-4)
    b = two_layer_system(mesh, unit(0.2), unit(2.5), sigma=-2e-4, sigma2=1e-4)
    b.energy.rkky.subregions = ["top", "bottom"]
    c = two_layer_system(mesh, unit(0.2), unit(2.5), sigma=-2e-4, sigma2=1e-4)
    c.energy.rkky.subregions = {"top", "bottom"}
    results = []
    for s in (a, b, c):
        impl, grid = impl_of(s)
        m = random_m(grid, seed=3)
        results.append((impl.energy(m), impl.energy_density(m), impl.field(m)))
    for other in results[1:]:
        for x, y in zip(results[0], other, strict=True):
            np.testing.assert_array_equal(x, y)


def test_batch_equals_separate_runs():
    mesh = layers("z")
    params = [dict(sigma=-2e-4, sigma2=3e-5), dict(sigma=5e-4)]
    systems = [
        two_layer_system(mesh, unit(0.0), unit(1.0), name=f"s{i}", **p)
        for i, p in enumerate(params)
    ]
    impl, grid = impl_of(systems)
    m = random_m(grid, seed=5)
    E, w, H = impl.energy(m), impl.energy_density(m), impl.field(m)
    assert E[0] != E[1]
    for b, s in enumerate(systems):
        one, _ = impl_of(s)
        mb = m[b : b + 1]
        np.testing.assert_array_equal(one.energy(mb), E[b : b + 1])
        np.testing.assert_array_equal(one.energy_density(mb), w[b : b + 1])
        np.testing.assert_array_equal(one.field(mb), H[b : b + 1])


@pytest.mark.parametrize("sigma, dot", [(-1e-4, -1.0), (1e-4, 1.0)])
def test_mindriver_sign(tmp_path, sigma, dot):
    """sigma < 0 couples the layers antiparallel, sigma > 0 parallel."""
    mesh = layers("z", n_lat=(2, 2), h=(2e-9, 2e-9, 1e-9), below=2, gap=1, above=2)

    def norm(p):
        return 0.0 if 2e-9 < p[2] < 3e-9 else MS  # empty spacer

    s = two_layer_system(mesh, (0, 0.3, 1), (0.2, -0.5, -1), norm=norm, sigma=sigma)
    s.energy += mm.Exchange(A=1e-11)
    s.energy += mm.UniaxialAnisotropy(K=1e3, u=(1, 0, 0))
    ud.MinDriver().drive(s, dirname=tmp_path, verbose=0)
    m1 = s.m.orientation((1e-9, 1e-9, 0.5e-9))
    m2 = s.m.orientation((1e-9, 1e-9, 4.5e-9))
    assert np.dot(m1, m2) == pytest.approx(dot, abs=1e-4)
    assert s.table.data["E_rkky"].iloc[-1] == pytest.approx(
        2 * 16e-18 * sigma * (1 - dot), abs=1e-3 * abs(4 * 16e-18 * sigma)
    )


def test_compute_and_odt_label(tmp_path):
    mesh = layers("z")
    s = two_layer_system(mesh, unit(0.0), unit(2.0), sigma=-2e-4, sigma2=1e-4)
    assert Column(energy_label(s.energy.rkky), "J").name == "E_rkky"
    impl, grid = impl_of(s)
    m = grid.unit_m()
    E = ud.compute(s.energy.rkky.energy, s, dirname=tmp_path, verbose=0)
    assert E == pytest.approx(impl.energy(m)[0], rel=1e-12)
    H = ud.compute(s.energy.rkky.effective_field, s, dirname=tmp_path, verbose=0)
    np.testing.assert_allclose(np.moveaxis(H.array, -1, 0), impl.field(m)[0])
    w = ud.compute(s.energy.rkky.density, s, dirname=tmp_path, verbose=0)
    np.testing.assert_allclose(w.array[..., 0], impl.energy_density(m)[0])
    total = ud.compute(s.energy.energy, s, dirname=tmp_path, verbose=0)
    assert total == pytest.approx(E, rel=1e-12)


# --------------------------------------------------------------- bad input
def error_system(mesh_subregions, **rkky):
    s = mm.System(name="s")
    mesh = df.Mesh(
        p1=(0, 0, 0),
        p2=(4e-9, 4e-9, 4e-9),
        cell=(1e-9, 1e-9, 1e-9),
        subregions=mesh_subregions,
    )
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=MS)
    s.energy = mm.RKKY(**rkky)
    return s


def R(p1, p2):
    return df.Region(p1=[c * 1e-9 for c in p1], p2=[c * 1e-9 for c in p2])


STACK = {"a": R((0, 0, 0), (4, 4, 1)), "b": R((0, 0, 3), (4, 4, 4))}


@pytest.mark.parametrize(
    "subregions, rkky, match",
    [
        (STACK, dict(sigma=1e-4), r"RKKY\.subregions \(term 'rkky'\): not set"),
        (STACK, dict(subregions=["a", "c"]), r"unknown subregion\(s\) \['c'\]"),
        ({}, dict(subregions=["a", "b"]), "the mesh has no subregions"),
        (STACK, dict(subregions=["a"]), "expected the names of two subregions"),
        (STACK, dict(subregions=["a", "b", "a"]), "names of two subregions"),
        (STACK, dict(subregions=["a", "a"]), "'a' is given twice"),
        (
            {"a": R((0, 0, 0), (4, 4, 2)), "b": R((0, 0, 1), (4, 4, 4))},
            dict(subregions=["a", "b"]),
            "'a' and 'b' overlap",
        ),
        (
            {"a": R((0, 0, 0), (2, 4, 1)), "b": R((2, 0, 3), (4, 4, 4))},
            dict(subregions=["a", "b"]),
            "separated along x and z at once",
        ),
        (
            STACK,
            dict(subregions=["a", "b"], sigma=float("nan")),
            r"RKKY\.sigma \(term 'rkky'\): expected a finite number",
        ),
        (
            STACK,
            dict(subregions=["a", "b"], sigma2=True),
            r"RKKY\.sigma2 \(term 'rkky'\): expected a real number",
        ),
        (
            {
                "c": R((0, 0, 0), (4, 4, 1)),
                "a": R((0, 0, 0), (4, 4, 1)),
                "b": R((0, 0, 3), (4, 4, 4)),
            },
            dict(subregions=["a", "b"]),
            "subregion 'a' has no cells on its top surface along z",
        ),
    ],
)
def test_bad_input_is_rejected_naming_the_parameter(subregions, rkky, match):
    s = error_system(subregions, **rkky)
    with pytest.raises(ValueError, match=match):
        impl_of(s)


def test_batch_must_couple_the_same_subregions():
    sub = {**STACK, "c": R((0, 0, 2), (4, 4, 3))}
    a = error_system(sub, subregions=["a", "b"], sigma=1e-4)
    b = error_system(sub, subregions=["a", "c"], sigma=1e-4)
    with pytest.raises(ValueError, match="must couple the same subregions"):
        impl_of([a, b])
