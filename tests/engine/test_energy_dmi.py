"""DMI against analytic spirals, the continuum density, and the edge condition."""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest
import scipy.optimize

from ubermag_dirac.engine.energy import MU0
from ubermag_dirac.engine.energy.anisotropy import UniaxialAnisotropyImpl
from ubermag_dirac.engine.energy.dmi import DMIImpl
from ubermag_dirac.engine.energy.exchange import ExchangeImpl

from .conftest import grid_of as engine_grid

Ms = 8e5
D = 3e-3


def grid_of(n, cell=(1e-9, 1e-9, 1e-9), norm=Ms, systems=1, **kw):
    return engine_grid(n, [norm] * systems, cell=cell, **kw)


def rotation_profile(grid, k, axis, e1, e2):
    """m = e1 cos(k r_axis) + e2 sin(k r_axis) at cell centres, (1, 3, ...)."""
    r = (np.arange(grid.n[axis]) + 0.5) * grid.cell[axis]
    shape = [1, 1, 1]
    shape[axis] = -1
    ph = np.broadcast_to((k * r).reshape(shape), grid.n)
    m = np.cos(ph)[None] * np.reshape(e1, (3, 1, 1, 1)) + np.sin(ph)[None] * np.reshape(
        e2, (3, 1, 1, 1)
    )
    return np.ascontiguousarray(m[None])


X, Y, Z = np.eye(3)

# (class, axis of propagation, e1, e2) with w = -D sin(k h)/h for D, k > 0
FAVOURED = [
    ("Cnv_z", 0, Z, X),  # Neel spiral in the xz plane
    ("Cnv_z", 1, Z, Y),
    ("Cnv_x", 1, X, Y),
    ("Cnv_x", 2, X, Z),
    ("Cnv_y", 2, Y, Z),
    ("Cnv_y", 0, Y, X),
    ("T", 0, Y, Z),  # Bloch helix
    ("T", 1, Z, X),
    ("T", 2, X, Y),
    ("O", 0, Y, Z),
    # D2d: Bloch-like, opposite helicity along one in-plane axis than the other
    ("D2d_z", 0, Z, Y),
    ("D2d_z", 1, Z, X),
    ("D2d_x", 1, X, Z),
    ("D2d_x", 2, X, Y),
    ("D2d_y", 2, Y, X),
    ("D2d_y", 0, Y, Z),
]


@pytest.mark.parametrize(("cc", "axis", "e1", "e2"), FAVOURED)
def test_favoured_spiral_energy_is_minus_D_k(cc, axis, e1, e2):
    n = [2, 2, 2]
    n[axis] = 40
    cell = [1e-9, 1.5e-9, 0.8e-9]
    grid = grid_of(tuple(n), tuple(cell), bc="xyz"[axis])
    h = cell[axis]
    k = 2 * np.pi / (40 * h)  # one turn: k h = 0.157
    m = rotation_profile(grid, k, axis, e1, e2)
    dmi = DMIImpl([mm.DMI(D=D, crystalclass=cc)], grid)
    w = dmi.energy_density(m, 0.0)
    np.testing.assert_allclose(w, -D * np.sin(k * h) / h, rtol=1e-12)
    V = np.prod(n) * np.prod(cell)
    assert dmi.energy(m)[0] == pytest.approx(
        -D * np.sin(k * h) / h * V, rel=1e-12, abs=0
    )
    # the opposite chirality costs the same amount
    m_opp = rotation_profile(grid, -k, axis, e1, e2)
    np.testing.assert_allclose(dmi.energy_density(m_opp), D * np.sin(k * h) / h)
    # continuum limit -D k V for small k h
    assert abs(np.sin(k * h) / h / k - 1) < 0.01


def test_uniform_state_has_no_bulk_dmi_field_in_periodic_film():
    grid = grid_of((6, 5, 1), bc="xy")
    m = np.zeros((1, 3, 6, 5, 1))
    m[0] = np.reshape([0.36, 0.48, 0.8], (3, 1, 1, 1))
    for cc in ("Cnv_z", "T", "D2d_z", "Cnv_x"):
        dmi = DMIImpl([mm.DMI(D=D, crystalclass=cc)], grid)
        assert np.abs(dmi.field(m, 0.0)).max() < 1e-9
        assert np.abs(dmi.energy_density(m)).max() < 1e-12


def continuum_cnv_z_energy(m, h):
    """Integral of D (m . grad m_z - m_z div m) with second-order np.gradient."""
    mx, my, mz = m
    dx = [np.gradient(c, h[0], axis=0) for c in (mx, my, mz)]
    dy = [np.gradient(c, h[1], axis=1) for c in (mx, my, mz)]
    w = D * (mx * dx[2] + my * dy[2] - mz * (dx[0] + dy[1]))
    return w[2:-2, 2:-2].sum() * np.prod(h)


@pytest.mark.parametrize("sign", [1, -1])
def test_neel_skyrmion_chirality_and_density_match_the_continuum(sign):
    """Cnv_z, D > 0: the core-down Neel skyrmion whose in-plane moments point
    towards the core has the lower energy; with -D the outward one. The discrete
    energy agrees with the continuum integral of Ubermag's density."""
    n = 80
    h = (0.5e-9, 0.5e-9, 1e-9)
    grid = grid_of((n, n, 1), h, bc="xy")
    x = (np.arange(n) + 0.5 - n / 2) * h[0]
    X_, Y_ = np.meshgrid(x, x, indexing="ij")
    r = np.hypot(X_, Y_)
    R, wdt = 6e-9, 3e-9
    theta = 2 * np.arctan2(np.sinh(R / wdt), np.sinh(r / wdt))  # pi at core, 0 far
    phi = np.arctan2(Y_, X_)
    energies = {}
    for name, psi in (("inward", np.pi), ("outward", 0.0)):
        # core (theta = pi) points down; in-plane part radial, rotated by psi
        m = np.stack(
            [
                np.sin(theta) * np.cos(phi + psi),
                np.sin(theta) * np.sin(phi + psi),
                np.cos(theta),
            ]
        )
        dmi = DMIImpl([mm.DMI(D=sign * D, crystalclass="Cnv_z")], grid)
        E = dmi.energy(m[None, :, :, :, None].copy())[0]
        ref = sign * continuum_cnv_z_energy(m, h)
        assert E == pytest.approx(ref, rel=2e-2, abs=0)
        energies[name] = E
    low = "inward" if sign > 0 else "outward"
    high = "outward" if sign > 0 else "inward"
    assert energies[low] < 0 < energies[high]


def relax_1d_chain(grid, terms, theta0, plane=(X, Z)):
    """Minimise the energy of m = e1 sin(theta) + e2 cos(theta) over theta."""
    e1, e2 = plane
    impls = [t for t in terms]
    V = grid.cell_volume

    def m_of(th):
        m = np.sin(th)[None, :] * e1[:, None] + np.cos(th)[None, :] * e2[:, None]
        return np.ascontiguousarray(m.reshape(1, 3, *grid.n))

    def fun(th):
        m = m_of(th)
        E = sum(i.energy(m)[0] for i in impls)
        H = sum(i.field(m, 0.0) for i in impls)[0].reshape(3, -1)
        dm = np.cos(th)[None, :] * e1[:, None] - np.sin(th)[None, :] * e2[:, None]
        grad = -MU0 * grid.Ms[0].ravel() * V * np.einsum("in,in->n", H, dm)
        return E / 1e-21, grad / 1e-21

    # CG: scipy's L-BFGS-B calls threaded BLAS, which crawls on a loaded machine
    res = scipy.optimize.minimize(
        fun, theta0, jac=True, method="CG", options={"gtol": 1e-9}
    )
    # converged: forces (O(1) in these units at the start) are gone
    assert np.abs(res.jac).max() < 1e-6, res.message
    return res.x


@pytest.mark.parametrize("sign", [1, -1])
def test_edge_tilt_follows_the_continuum_boundary_condition(sign):
    """Exchange + Cnv_z DMI + easy axis z on a chain along x with free ends.

    Continuum: A theta'' = K sin theta cos theta and, at an edge with outward
    normal n, dm/dn = (D/2A)(z x n) x m, i.e. theta' = D/(2A) at both ends for
    m = (sin theta, 0, cos theta). With theta -> 0 in the bulk the first
    integral gives sin(theta_edge) = D/(2 sqrt(A K)), tilting towards +x at the
    right end and -x at the left end for D > 0.
    """
    A, K = 1.6e-11, 1e6
    n, dx = 160, 0.2e-9
    grid = grid_of((n, 1, 1), (dx, 1e-9, 1e-9))
    terms = [
        ExchangeImpl([mm.Exchange(A=A)], grid),
        DMIImpl([mm.DMI(D=sign * D, crystalclass="Cnv_z")], grid),
        UniaxialAnisotropyImpl([mm.UniaxialAnisotropy(K=K, u=(0, 0, 1))], grid),
    ]
    theta = relax_1d_chain(grid, terms, np.zeros(n))
    expected = np.arcsin(D / (2 * np.sqrt(A * K)))
    # the edge cell centre sits dx/2 inside: extrapolate linearly to the surface
    right = theta[-1] + 0.5 * (theta[-1] - theta[-2])
    left = theta[0] - 0.5 * (theta[1] - theta[0])
    assert sign * right == pytest.approx(expected, rel=0.02)
    assert sign * left == pytest.approx(-expected, rel=0.02)
    # slope at the surface: theta' = D / 2A (one-sided, second order)
    slope = (3 * theta[-1] - 4 * theta[-2] + theta[-3]) / (2 * dx)
    assert slope * sign == pytest.approx(D / (2 * A), rel=0.05)
    # and the tilt decays as the continuum profile tan(theta/2) ~ exp(-d/delta)
    delta = np.sqrt(A / K)
    d = (n - 0.5 - np.arange(n - 40, n)) * dx  # distance of the last 40 centres
    profile = 2 * np.arctan(np.tan(expected / 2) * np.exp(-d / delta))
    np.testing.assert_allclose(sign * theta[-40:], profile, rtol=0.05, atol=2e-3)


def test_region_dict_pairs_and_field_parameter():
    subregions = {
        "r1": df.Region(p1=(0, 0, 0), p2=(3e-9, 1e-9, 1e-9)),
        "r2": df.Region(p1=(3e-9, 0, 0), p2=(6e-9, 1e-9, 1e-9)),
    }
    grid = grid_of((6, 1, 1), subregions=subregions)
    rng = np.random.default_rng(4)
    m = rng.normal(size=(1, 3, 6, 1, 1))
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    ref = DMIImpl([mm.DMI(D=D, crystalclass="Cnv_z")], grid)
    same = DMIImpl(
        [mm.DMI(D={"r1": D, "r2": D, "r1:r2": D}, crystalclass="Cnv_z")], grid
    )
    field = DMIImpl(
        [mm.DMI(D=df.Field(grid.mesh, nvdim=1, value=D), crystalclass="Cnv_z")], grid
    )
    for impl in (same, field):
        np.testing.assert_allclose(impl.field(m, 0.0), ref.field(m, 0.0), rtol=1e-13)
        np.testing.assert_allclose(impl.energy_density(m), ref.energy_density(m))
    # without an interface key the default (here 0) couples r1 and r2
    split = DMIImpl([mm.DMI(D={"r1": D, "r2": 2 * D}, crystalclass="Cnv_z")], grid)
    H = split.field(m, 0.0)[0]
    c = -2 / (MU0 * Ms) / (2e-9)
    # Cnv_z: d(+x) = z x x = y; cell 2 (last of r1) keeps only its -x bond
    np.testing.assert_allclose(H[:, 2, 0, 0], c * (-np.cross(Y, m[0, :, 1, 0, 0]) * D))
    np.testing.assert_allclose(
        H[:, 3, 0, 0], c * (np.cross(Y, m[0, :, 4, 0, 0]) * 2 * D)
    )
    # a field parameter couples neighbours with the mean of their D
    D_f = df.Field(grid.mesh, nvdim=1, value=lambda p: D if p[0] < 3e-9 else 2 * D)
    mean = DMIImpl([mm.DMI(D=D_f, crystalclass="Cnv_z")], grid)
    H = mean.field(m, 0.0)[0]
    expected = c * (
        np.cross(Y, m[0, :, 3, 0, 0]) * 1.5 * D - np.cross(Y, m[0, :, 1, 0, 0]) * D
    )
    np.testing.assert_allclose(H[:, 2, 0, 0], expected)


def test_empty_cells_drop_bonds_and_batch_equals_separate_runs():
    def norm(p):
        return 0.0 if 2e-9 < p[0] < 3e-9 else Ms

    grid = grid_of((6, 3, 1), norm=norm, systems=2)
    rng = np.random.default_rng(9)
    m = rng.normal(size=(2, 3, 6, 3, 1))
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    m *= grid.mask[:, None]
    terms = [mm.DMI(D=D, crystalclass="T"), mm.DMI(D=-2 * D, crystalclass="T")]
    dmi = DMIImpl(terms, grid)
    H, w = dmi.field(m, 0.0), dmi.energy_density(m)
    assert np.all(H[:, :, 2] == 0.0) and np.all(w[:, 2] == 0.0)
    # cell 1 sees no +x neighbour: its field is that of its other bonds only
    one = grid_of((6, 3, 1), norm=norm)
    for b in range(2):
        single = DMIImpl([terms[b]], one)
        np.testing.assert_array_equal(H[b : b + 1], single.field(m[b : b + 1], 0.0))
        np.testing.assert_array_equal(w[b : b + 1], single.energy_density(m[b : b + 1]))
    c = -2 / (MU0 * Ms) * terms[0].D
    mb = m[0]
    expected = c * (
        -np.cross(X, mb[:, 0, 1, 0]) / 2e-9
        + (np.cross(Y, mb[:, 1, 2, 0]) - np.cross(Y, mb[:, 1, 0, 0])) / 2e-9
    )
    np.testing.assert_allclose(H[0, :, 1, 1, 0], expected)


def test_crystal_class_errors_and_deprecated_names():
    grid = grid_of((3, 1, 1))
    with pytest.warns(FutureWarning, match="Cnv"):
        old = DMIImpl([mm.DMI(D=D, crystalclass="Cnv")], grid)
    assert old.crystalclass == "Cnv_z"
    with pytest.raises(ValueError, match=r"DMI\.crystalclass: the systems"):
        DMIImpl(
            [mm.DMI(D=D, crystalclass="T"), mm.DMI(D=D, crystalclass="Cnv_z")],
            grid_of((3, 1, 1), systems=2),
        )
