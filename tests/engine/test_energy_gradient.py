"""Every term's field is minus the gradient of its total energy.

For random unit m, rotating cell i's moment by a small angle in a random tangent
direction e changes the total energy by dE = -mu0 Ms_i V H_i . e d(angle); the
central difference of ``energy`` must match ``field``. This catches errors of sign,
factor, neighbour index and boundary handling in either of the two kernels.
"""

import zlib

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac.engine.energy  # noqa: F401  (registers the builders)
from ubermag_dirac.engine.energy import MU0
from ubermag_dirac.engine.grid import Grid
from ubermag_dirac.engine.registry import ENERGY, UnsupportedTermError, lookup

N = (5, 4, 3)
CELL = (1e-9, 2e-9, 1.5e-9)
DMI_CLASSES = ("Cnv_z", "Cnv_x", "Cnv_y", "T", "D2d_z", "D2d_x", "D2d_y")
SUBREGIONS = {
    "r1": df.Region(p1=(0, 0, 0), p2=(2e-9, 8e-9, 4.5e-9)),
    "r2": df.Region(p1=(2e-9, 0, 0), p2=(5e-9, 8e-9, 4.5e-9)),
}


def systems(pbc=""):
    mesh = df.Mesh(
        p1=(0, 0, 0), p2=(5e-9, 8e-9, 4.5e-9), cell=CELL, subregions=SUBREGIONS, bc=pbc
    )

    def norm_a(p):  # one empty cell and a varying Ms
        return 0.0 if (p[0] < 1e-9 and p[1] > 6e-9) else 8e5 + 1e5 * p[2] / 4.5e-9

    def norm_b(p):
        return 0.0 if (p[0] > 4e-9 and p[2] < 1.5e-9) else 6e5

    out = []
    for i, norm in enumerate((norm_a, norm_b)):
        s = mm.System(name=f"s{i}")
        s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=norm)
        out.append(s)
    return out


def field_of(mesh, f, nvdim=1):
    return df.Field(mesh, nvdim=nvdim, value=f)


def term_pairs(mesh):
    """Pairs of terms (system 0, system 1) with differing parameter forms."""

    def A_f(p):
        return 1e-11 * (1 + p[0] / 5e-9)

    def K_f(p):
        return 3e5 if p[1] < 4e-9 else -2e5

    def u_f(p):
        return (1, p[0] / 1e-9, 2)

    return {
        "exchange": (
            mm.Exchange(A={"r1": 1e-11, "r2": 2e-11, "r1:r2": -5e-12}),
            mm.Exchange(A=field_of(mesh, A_f)),
        ),
        "exchange_scalar": (
            mm.Exchange(A=1.5e-11, name="exchange_scalar"),
            mm.Exchange(A={"default": 1e-11, "r1": 2e-11}, name="exchange_scalar"),
        ),
        "uniaxial": (
            mm.UniaxialAnisotropy(K=field_of(mesh, K_f), u=field_of(mesh, u_f, 3)),
            mm.UniaxialAnisotropy(K1={"r1": -1e5, "r2": 2e5}, K2=3e4, u=(1, 1, 0)),
        ),
        "cubic": (
            mm.CubicAnisotropy(K=4e4, u1=(1, 1, 0), u2=(0, 0, 1)),
            mm.CubicAnisotropy(
                K={"r1": -3e4, "r2": 5e4},
                u1={"r1": (1, 0, 0), "r2": (0, 1, 1)},
                u2={"r1": (0, 1, 0), "r2": (0, 1, -1)},
            ),
        ),
        **{
            f"dmi_{cc}": (
                mm.DMI(D={"r1": 2e-3, "r2": -3e-3, "r1:r2": 1e-3}, crystalclass=cc),
                mm.DMI(D=field_of(mesh, lambda p: 1e-3 + p[0] / 1e-6), crystalclass=cc),
            )
            for cc in DMI_CLASSES
        },
        "demag": (mm.Demag(), mm.Demag()),
        "rkky": (  # r1 and r2 touch along x
            mm.RKKY(sigma=-2e-4, sigma2=5e-5, subregions=["r1", "r2"]),
            mm.RKKY(sigma=1e-4, subregions=["r2", "r1"]),
        ),
        "zeeman": (
            mm.Zeeman(H=(1e5, -2e5, 3e5), func="sin", f=1e9, t0=0.1e-9),
            mm.Zeeman(H=field_of(mesh, lambda p: (p[0] * 1e14, 0, -1e5), 3)),
        ),
    }


def random_m(grid, seed):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(grid.batch, 3, *grid.n))
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    m *= grid.mask[:, None]
    return m


@pytest.mark.parametrize("pbc", ["", "xz"])
@pytest.mark.parametrize(
    "key",
    ["exchange", "exchange_scalar", "uniaxial", "cubic", "zeeman", "demag", "rkky"]
    + [f"dmi_{cc}" for cc in DMI_CLASSES],
)
def test_field_is_minus_energy_gradient(key, pbc):
    ss = systems(pbc)
    grid = Grid(ss)
    terms = list(term_pairs(grid.mesh)[key])
    impl = lookup(terms[0], ENERGY)(terms, grid)
    t = 0.37e-9
    m = random_m(grid, seed=zlib.crc32(f"{key}{pbc}".encode()))
    H = impl.field(m, t)
    V = grid.cell_volume
    rng = np.random.default_rng(11)
    cells = np.argwhere(grid.mask)
    checked = 0
    for b, i, j, k in cells[rng.choice(len(cells), 24, replace=False)]:
        mi = m[b, :, i, j, k].copy()
        e = np.cross(mi, rng.normal(size=3))
        e /= np.linalg.norm(e)
        d = 1e-5
        energies = []
        for sign in (1, -1):
            mp = m.copy()
            mp[b, :, i, j, k] = mi * np.cos(d) + sign * e * np.sin(d)
            energies.append(impl.energy(mp, t)[b])
        dEdphi = (energies[0] - energies[1]) / (2 * d)
        expected = -MU0 * grid.Ms[b, i, j, k] * V * (H[b, :, i, j, k] @ e)
        scale = MU0 * grid.Ms[b, i, j, k] * V * np.abs(H[b, :, i, j, k]).max()
        # rounding of the total energy, amplified by the 1/(2 d) of the difference
        rounding = 1e-15 * np.abs(impl.energy_density(m, t)[b]).sum() * V / d
        assert dEdphi == pytest.approx(expected, abs=2e-7 * scale + rounding), (
            b,
            i,
            j,
            k,
        )
        checked += 1
    assert checked == 24
    # empty cells carry no energy, and no field except the demag stray field
    # (which OOMMF also reports in Ms = 0 cells)
    empty = ~grid.mask
    if key != "demag":
        assert np.all(H[np.broadcast_to(empty[:, None], H.shape)] == 0.0)
    assert np.all(impl.energy_density(m, t)[empty] == 0.0)


@pytest.mark.parametrize(
    "term",
    [
        mm.MagnetoElastic(B1=1e7, B2=1e7, e_diag=(1, 0, 0), e_offdiag=(0, 0, 0)),
    ],
)
def test_other_energy_terms_are_unsupported(term):
    with pytest.raises(UnsupportedTermError, match=type(term).__name__) as info:
        lookup(term, ENERGY)
    for supported in (
        "Exchange",
        "UniaxialAnisotropy",
        "CubicAnisotropy",
        "Zeeman",
        "DMI",
        "RKKY",
    ):
        assert supported in str(info.value)


def test_a_second_builder_for_a_registered_term_is_rejected():
    from ubermag_dirac.engine.energy._base import register

    def other_builder(terms, grid):  # pragma: no cover - never called
        return None

    with pytest.raises(ValueError, match="Exchange is already registered"):
        register(mm.Exchange)(other_builder)
    # re-running the module that registered it (same builder) is accepted
    builder = lookup(mm.Exchange(A=1e-11), ENERGY)
    assert register(mm.Exchange)(builder) is builder
