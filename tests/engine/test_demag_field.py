"""DemagField: analytic prisms (Aharoni), direct summation, batch, energy, PBC."""

import math
import types

import numpy as np
import pytest

from ubermag_dirac.engine._newell import newell_tensor
from ubermag_dirac.engine.demag import MU0, DemagField

MS = 8e5
# math with an mpf constructor, so that aharoni_nz works with math and mpmath alike
math = types.SimpleNamespace(
    mpf=float, sqrt=math.sqrt, log=math.log, atan=math.atan, pi=math.pi
)


def aharoni_nz(lx, ly, lz, m=math):
    """Demagnetising factor along z of a rectangular prism lx x ly x lz.

    A. Aharoni, J. Appl. Phys. 83, 3432 (1998), eq. (1), with half-edges a, b, c.
    ``m`` is the math module (``math`` or ``mpmath`` for very elongated prisms,
    where the formula cancels badly in float64).
    """
    a, b, c = lx / m.mpf(2), ly / m.mpf(2), lz / m.mpf(2)
    r = m.sqrt(a * a + b * b + c * c)
    rab, rbc, rac = m.sqrt(a * a + b * b), m.sqrt(b * b + c * c), m.sqrt(a * a + c * c)
    s = (b * b - c * c) / (2 * b * c) * m.log((r - a) / (r + a))
    s += (a * a - c * c) / (2 * a * c) * m.log((r - b) / (r + b))
    s += b / (2 * c) * m.log((rab + a) / (rab - a))
    s += a / (2 * c) * m.log((rab + b) / (rab - b))
    s += c / (2 * a) * m.log((rbc - b) / (rbc + b))
    s += c / (2 * b) * m.log((rac - a) / (rac + a))
    s += 2 * m.atan(a * b / (c * r))
    s += (a**3 + b**3 - 2 * c**3) / (3 * a * b * c)
    s += (a * a + b * b - 2 * c * c) / (3 * a * b * c) * r
    s += c / (a * b) * (rac + rbc)
    s -= (rab**3 + rbc**3 + rac**3) / (3 * a * b * c)
    return float(s / m.pi)


def aharoni_factors(lx, ly, lz, m=math):
    """(Nx, Ny, Nz) of the prism by permuting Aharoni's Nz."""
    return (
        aharoni_nz(ly, lz, lx, m),
        aharoni_nz(lz, lx, ly, m),
        aharoni_nz(lx, ly, lz, m),
    )


def test_aharoni_reference_itself():
    assert aharoni_nz(1, 1, 1) == pytest.approx(1 / 3, rel=1e-13)
    assert sum(aharoni_factors(1.0, 2.0, 0.3)) == pytest.approx(1.0, rel=1e-13)
    # thin film limit: Nz -> 1 from below
    assert 0.96 < aharoni_nz(100.0, 100.0, 1.0) < aharoni_nz(1e3, 1e3, 1.0) < 1.0


def make(n, cell, path="fast", **kw):
    """DemagField on one of its code paths: "fast" (buffered pocketfft pipeline),
    "public" (fast path through the public scipy.fft functions), "reference"."""
    if path == "reference":
        return DemagField(n, cell, method="reference", **kw)
    demag = DemagField(n, cell, **kw)
    if path == "public":
        demag._conv = None
    return demag


PATHS = ["fast", "public", "reference"]


def uniform(n, axis, B=1, ms=MS):
    M = np.zeros((B, 3, *n))
    M[:, axis] = ms
    return M


@pytest.mark.parametrize("path", PATHS)
def test_uniform_cube(path):
    n, cell = (9, 9, 9), (2e-9, 2e-9, 2e-9)
    demag = make(n, cell, path)
    for axis in range(3):
        H = demag.field(uniform(n, axis))
        # average demagnetising factor of the cube: exactly 1/3
        assert -H[0, axis].mean() / MS == pytest.approx(1 / 3, rel=1e-12)
        # the centre cell (odd n) has the cube's symmetry: its cell-averaged tensor
        # is diagonal with equal entries and trace 1, so exactly -Ms/3 and no
        # transverse field
        np.testing.assert_allclose(
            H[0, :, 4, 4, 4], -MS / 3 * np.eye(3)[axis], rtol=0, atol=1e-14 * MS
        )
        # (so does every cell on a body diagonal, by the 3-fold symmetry), but a
        # face-centre cell does not
        assert abs(-H[0, axis, 0, 4, 4] / MS - 1 / 3) > 1e-2
        other = [a for a in range(3) if a != axis]
        assert np.abs(H[0, other].mean(axis=(1, 2, 3))).max() < 1e-12 * MS


@pytest.mark.parametrize(
    ("n", "cell"),
    [
        ((64, 64, 1), (1e-9, 1e-9, 1e-9)),
        ((200, 50, 1), (2.5e-9, 2.5e-9, 3e-9)),
        ((7, 5, 3), (1e-9, 2e-9, 0.5e-9)),
        ((20, 3, 4), (3e-9, 1e-9, 1e-9)),
    ],
)
def test_average_factors_match_aharoni(n, cell):
    demag = DemagField(n, cell)
    L = [nk * dk for nk, dk in zip(n, cell, strict=True)]
    ref = aharoni_factors(*L)
    for axis in range(3):
        H = demag.field(uniform(n, axis))
        Nav = -H[0, axis].mean() / MS
        # the Newell tensor is exact for uniformly magnetised cells, so the average
        # factor equals Aharoni's to the tensor's accuracy (measured <= 2e-12)
        assert Nav == pytest.approx(ref[axis], rel=1e-10, abs=1e-12)


def test_thin_film_nzz_against_aharoni_tight():
    n, cell = (64, 64, 1), (1e-9, 1e-9, 1e-9)
    H = DemagField(n, cell).field(uniform(n, 2))
    Nzz = -H[0, 2].mean() / MS
    assert Nzz == pytest.approx(aharoni_nz(64e-9, 64e-9, 1e-9), rel=1e-11)
    assert 0.95 < Nzz < 1


def test_energy_of_uniform_cube():
    n, cell = (6, 6, 6), (1e-9, 1e-9, 1e-9)
    demag = DemagField(n, cell)
    M = uniform(n, 0)
    w = demag.energy_density(M)
    assert w.shape == (1, *n)
    E = w.sum() * np.prod(cell)
    V = np.prod(cell) * np.prod(n)
    assert E == pytest.approx(MU0 * MS**2 * V / 6, rel=1e-12)
    H = demag.field(M)
    np.testing.assert_array_equal(demag.energy_density(M, H), w)


def _direct(M, tensor_of):
    """O(N^2) summation H_i(r) = -sum_r' N_ij(r - r') M_j(r')."""
    B, _, nx, ny, nz = M.shape
    idx = np.indices((nx, ny, nz)).reshape(3, -1)
    d = idx[:, :, None] - idx[:, None, :]  # (3, N, N) displacements r - r'
    N = tensor_of(d[0], d[1], d[2])  # (6, N, N)
    full = np.empty((3, 3, *N.shape[1:]))
    for c, (i, j) in enumerate(((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))):
        full[i, j] = full[j, i] = N[c]
    Mf = M.reshape(B, 3, -1)
    H = -np.einsum("ijab,njb->nia", full, Mf)
    return H.reshape(M.shape)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("n", "cell"),
    [
        ((5, 4, 3), (1e-9, 1.3e-9, 0.7e-9)),
        ((6, 5, 1), (2.5e-9, 2.5e-9, 3e-9)),
        ((5, 6, 1), (2.5e-9, 2.5e-9, 3e-9)),  # real FFT along x (plan (1, 0))
        ((1, 7, 2), (1e-9, 1e-9, 2e-9)),
        ((3, 1, 1), (1e-9, 1e-9, 1e-9)),
        ((1, 1, 1), (1e-9, 2e-9, 3e-9)),
    ],
)
def test_against_direct_summation(n, cell, path):
    rng = np.random.default_rng(4)
    M = rng.uniform(-MS, MS, size=(2, 3, *n))
    demag = make(n, cell, path)
    H = demag.field(M)
    H = demag.field(M)  # buffers are reused: a second call must agree too
    ref = _direct(M, lambda i, j, k: newell_tensor(i, j, k, cell))
    assert np.abs(H - ref).max() <= 1e-12 * np.abs(ref).max()


@pytest.mark.parametrize("pbc", ["x", "xy", "yz", "xyz"])
def test_periodic_against_direct_summation(pbc):
    n, cell = (4, 5, 3), (1e-9, 1.2e-9, 0.8e-9)
    demag = DemagField(n, cell, pbc=pbc, pbc_images=2)
    T = demag.tensor
    P = demag.padded

    def tensor_of(i, j, k):
        return T[:, i % P[0], j % P[1], k % P[2]]

    rng = np.random.default_rng(5)
    M = rng.uniform(-MS, MS, size=(2, 3, *n))
    ref = _direct(M, tensor_of)
    for path in PATHS:
        H = make(n, cell, path, pbc=pbc, pbc_images=2).field(M)
        assert np.abs(H - ref).max() <= 1e-12 * np.abs(ref).max()


def test_batch_equals_single_calls():
    n, cell = (12, 7, 2), (1e-9, 1e-9, 1e-9)
    rng = np.random.default_rng(6)
    M = rng.uniform(-MS, MS, size=(4, 3, *n))
    for nn, path in [(n, "fast"), ((12, 7, 1), "fast"), ((12, 7, 1), "public")]:
        demag = make(nn, cell, path)
        Mb = np.ascontiguousarray(M[..., : nn[2]])
        H = demag.field(Mb)
        for b in range(Mb.shape[0]):
            Hb = demag.field(Mb[b : b + 1])
            np.testing.assert_allclose(H[b : b + 1], Hb, rtol=0, atol=1e-12 * MS)
        # the batch split into FFT chunks (3 + 1 systems) gives the same field
        demag.batch_chunk = 3
        np.testing.assert_allclose(demag.field(Mb), H, rtol=0, atol=1e-12 * MS)
        H2 = np.ones_like(H)
        demag.add_field(Mb, H2)
        np.testing.assert_allclose(H2 - 1, H, rtol=0, atol=1e-9)


def test_out_argument():
    n, cell = (5, 4, 1), (1e-9, 1e-9, 1e-9)
    demag = DemagField(n, cell)
    M = uniform(n, 1, B=2)
    out = np.empty_like(M)
    res = demag.field(M, out=out)
    assert res is out
    np.testing.assert_array_equal(out, demag.field(M))
    with pytest.raises(ValueError, match=r"out: expected a float64 array"):
        demag.field(M, out=np.empty((1, 3, *n)))
    # strided input and output, and out aliasing M
    H = demag.field(M)
    big = np.zeros((4, 3, *n))
    big[::2] = M
    np.testing.assert_array_equal(demag.field(big[::2]), H)
    fout = np.asfortranarray(np.empty_like(M))
    np.testing.assert_array_equal(demag.field(M, out=fout), H)
    Mc = M.copy()
    demag.field(Mc, out=Mc)
    np.testing.assert_array_equal(Mc, H)


def test_shape_and_argument_errors():
    demag = DemagField((4, 3, 2), (1e-9, 1e-9, 1e-9))
    with pytest.raises(ValueError, match=r"\(B, 3, 4, 3, 2\)"):
        demag.field(np.zeros((1, 3, 3, 4, 2)))
    with pytest.raises(ValueError, match=r"\(B, 3, 4, 3, 2\)"):
        demag.energy_density(np.zeros((3, 4, 3, 2)))
    with pytest.raises(ValueError, match="pbc"):
        DemagField((4, 3, 2), (1e-9, 1e-9, 1e-9), pbc="xw")
    with pytest.raises(ValueError, match="cell"):
        DemagField((4, 3, 2), (1e-9, -1e-9, 1e-9))
    with pytest.raises(ValueError, match="n:"):
        DemagField((4, 0, 2), (1e-9, 1e-9, 1e-9))


# ------------------------------------------------------------------ periodic
@pytest.mark.parametrize("nz", [1, 3])
def test_infinite_film_out_of_plane(nz):
    n, cell = (16, 12, nz), (2e-9, 2e-9, 1e-9)
    demag = DemagField(n, cell, pbc="xy")
    H = demag.field(uniform(n, 2))
    np.testing.assert_allclose(H[0, 2], -MS, rtol=1e-12)
    assert np.abs(H[0, :2]).max() < 1e-12 * MS
    # in-plane uniform magnetisation of an infinite film: no field
    H = demag.field(uniform(n, 0))
    assert np.abs(H).max() < 1e-12 * MS


def test_fully_periodic_uniform_magnetisation_has_no_field():
    n, cell = (6, 5, 4), (1e-9, 1.2e-9, 0.8e-9)
    demag = DemagField(n, cell, pbc="xyz", pbc_images=3)
    for axis in range(3):
        assert np.abs(demag.field(uniform(n, axis))).max() < 1e-12 * MS


@pytest.mark.parametrize("images", [2, 4, 8])
def test_film_image_tail_is_the_continuum_integral(images):
    # The uniform shift applied to Nzz (film periodic in x, y) is the mean of the
    # image tail beyond the square cutoff of half-width Xc = (images + 1/2) L. For
    # Xc >> t that tail is the field of a magnetised sheet outside a square,
    # t / (4 pi) * integral(dA / rho^3) = sqrt(2) t / (pi Xc) per unit Nzz sum.
    n, cell = (8, 8, 1), (2e-9, 2e-9, 1e-9)
    demag = DemagField(n, cell, pbc="xy", pbc_images=images)
    missing = demag.pbc_correction[2, 0] * n[0] * n[1]
    Xc = (images + 0.5) * n[0] * cell[0]
    assert missing == pytest.approx(math.sqrt(2) * cell[2] / (math.pi * Xc), rel=0.02)
    # and Nxx + Nyy tails cancel Nzz's (traceless dipole tail)
    assert demag.pbc_correction[:, 0].sum() == pytest.approx(0, abs=1e-9 * missing)


def test_periodic_images_converge():
    rng = np.random.default_rng(7)
    n, cell = (10, 8, 2), (2e-9, 2e-9, 1e-9)
    M = rng.uniform(-MS, MS, size=(1, 3, *n))
    for pbc in ("xy", "x"):
        H = {k: DemagField(n, cell, pbc=pbc, pbc_images=k).field(M) for k in (2, 4, 16)}
        scale = np.abs(H[16]).max()
        e2 = np.abs(H[2] - H[16]).max() / scale
        e4 = np.abs(H[4] - H[16]).max() / scale
        assert e4 < e2
        assert e4 < 1e-4, (pbc, e2, e4)


@pytest.mark.parametrize(("images", "tol"), [(8, 1e-5), (32, 2e-7)])
def test_periodic_wire_matches_long_prism(images, tol):
    # a wire periodic along x, uniformly magnetised: Nxx -> 0 and Nyy, Nzz are the
    # factors of an infinitely long prism (Aharoni with a 1e12 times longer x edge,
    # in 60-digit arithmetic). Errors measured: 1e-5 with 8 images, 1e-7 with 32.
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 60
    n, cell = (6, 4, 2), (1e-9, 1e-9, 1.5e-9)
    demag = DemagField(n, cell, pbc="x", pbc_images=images)
    ly, lz = n[1] * cell[1], n[2] * cell[2]
    ref = aharoni_factors(mpmath.mpf(10) ** 12 * ly, ly, lz, mpmath)
    assert abs(ref[0]) < 1e-11
    for axis in range(3):
        Nav = -demag.field(uniform(n, axis))[0, axis].mean() / MS
        assert Nav == pytest.approx(ref[axis], abs=tol)


def test_from_mesh_reads_pbc():
    df = pytest.importorskip("discretisedfield")
    mesh = df.Mesh(p1=(0, 0, 0), p2=(8e-9, 6e-9, 2e-9), n=(4, 3, 1), bc="xy")
    demag = DemagField.from_mesh(mesh)
    assert demag.pbc == ("x", "y")
    assert demag.n == (4, 3, 1)
    np.testing.assert_allclose(demag.cell, (2e-9, 2e-9, 2e-9))
    mesh = df.Mesh(p1=(0, 0, 0), p2=(8e-9, 6e-9, 2e-9), n=(4, 3, 1))
    assert DemagField.from_mesh(mesh).pbc == ()


def test_add_field_accumulates():
    n, cell = (6, 5, 2), (1e-9, 1e-9, 1e-9)
    demag = DemagField(n, cell)
    rng = np.random.default_rng(8)
    M = rng.uniform(-MS, MS, size=(2, 3, *n))
    H0 = rng.uniform(-1, 1, size=M.shape)
    H = H0.copy()
    assert demag.add_field(M, H) is H
    np.testing.assert_allclose(H - H0, demag.field(M), rtol=0, atol=1e-9)


def test_engine_term_registered_and_energy_of_cube():
    df = pytest.importorskip("discretisedfield")
    mm = pytest.importorskip("micromagneticmodel")
    from ubermag_dirac.engine.demag import DemagImpl
    from ubermag_dirac.engine.grid import Grid
    from ubermag_dirac.engine.registry import ENERGY, lookup

    mesh = df.Mesh(p1=(0, 0, 0), p2=(5e-9, 5e-9, 5e-9), n=(5, 5, 5))
    systems = []
    for ms in (MS, 2 * MS):
        s = mm.System(name="s")
        s.m = df.Field(mesh, nvdim=3, value=(1, 0, 0), norm=ms)
        systems.append(s)
    grid = Grid(systems)
    impl = lookup(mm.Demag(), ENERGY)([mm.Demag(), mm.Demag()], grid)
    assert isinstance(impl, DemagImpl)
    m = grid.unit_m()
    E = impl.energy(m)
    V = 125e-27
    np.testing.assert_allclose(E, MU0 * np.array([MS, 2 * MS]) ** 2 * V / 6, rtol=1e-12)
    H = impl.field(m)
    np.testing.assert_allclose(impl.energy_density(m, 0.0, H), impl.energy_density(m))


@pytest.mark.parametrize(
    ("n", "pbc"),
    [((20, 9, 1), ""), ((7, 5, 3), ""), ((6, 5, 4), "xy"), ((1, 6, 3), "")],
)
def test_pyfftw_backend_matches_scipy(n, pbc):
    pytest.importorskip("pyfftw")
    cell = (1e-9, 2e-9, 1.5e-9)
    rng = np.random.default_rng(9)
    M = rng.uniform(-MS, MS, size=(3, 3, *n))
    ref = DemagField(n, cell, pbc=pbc).field(M)
    demag = DemagField(n, cell, pbc=pbc, fft="pyfftw")
    demag.batch_chunk = 2  # plans for chunks of 2 and 1 systems
    for _ in range(2):  # buffers are reused: the second call must agree too
        H = demag.field(M)
        assert np.abs(H - ref).max() <= 1e-14 * np.abs(ref).max()
    H = np.ones_like(M)
    demag.add_field(M, H)
    assert np.abs(H - 1 - ref).max() <= 1e-14 * np.abs(ref).max() + 1e-9


def test_pyfftw_backend_missing_or_bad_name():
    from ubermag_dirac.engine._fft import have_pyfftw

    if not have_pyfftw():
        with pytest.raises(ImportError, match="pyfftw"):
            DemagField((4, 4, 1), (1e-9, 1e-9, 1e-9), fft="pyfftw")
    with pytest.raises(ValueError, match="fft"):
        DemagField((4, 4, 1), (1e-9, 1e-9, 1e-9), fft="numpy")


@pytest.mark.parametrize(
    "n, cell, pbc",
    [
        ((20, 12, 1), (2.5e-9, 2.5e-9, 3e-9), ()),
        ((8, 6, 5), (1e-9, 2e-9, 1.5e-9), ()),
        ((10, 8, 2), (2e-9, 2e-9, 1e-9), "xy"),
    ],
)
def test_single_precision_fft_with_double_accumulation(n, cell, pbc):
    """float32 transforms: the field within 1e-6 of its largest value (the
    round-off of ~24-bit transforms, measured 2e-7), added to a float64 array;
    the product with Ms formed in the buffer equals the double path exactly."""
    rng = np.random.default_rng(3)
    m = rng.normal(size=(2, 3, *n))
    Ms = np.full((2, 1, *n), MS)
    double = DemagField(n, cell, pbc)
    single = DemagField(n, cell, pbc, precision="single")
    H = double.field(m * Ms)
    Hs = np.ones_like(H)
    single.add_field_scaled(m, Ms, Hs)
    assert Hs.dtype == np.float64
    err = np.abs(Hs - 1 - H).max() / np.abs(H).max()
    assert 1e-10 < err < 1e-6
    H2 = np.zeros_like(H)
    double.add_field_scaled(m, Ms, H2)
    np.testing.assert_array_equal(H2, H)
    # switching back and forth keeps the (cached) tensor
    single.set_precision("double")
    np.testing.assert_array_equal(single.field(m * Ms), H)
    with pytest.raises(ValueError, match="precision: expected 'double' or 'single'"):
        DemagField(n, cell, precision="half")


def test_tensor_is_cached_per_grid():
    a = DemagField((6, 5, 1), (1e-9, 1e-9, 1e-9))
    b = DemagField((6, 5, 1), (1e-9, 1e-9, 1e-9), precision="single")
    assert a.tensor is b.tensor and not a.tensor.flags.writeable
    c = DemagField((6, 5, 1), (1e-9, 2e-9, 1e-9))
    assert c.tensor is not a.tensor
