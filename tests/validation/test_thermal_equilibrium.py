"""Finite temperature: the engine's stochastic LLG samples the Boltzmann distribution.

Oracles: ``ud.theory.thermal`` (exact Boltzmann marginals, two-spin integral, linear
spin waves), which use no engine code. Many independent samples come cheaply from one
system whose cells are not coupled (no exchange, no demag): each cell is a macrospin
of the cell's volume with its own noise stream position. All runs have fixed seeds,
so they are deterministic; each statistical assertion states the probability with
which it would fail if the dynamics sampled the exact distribution (its
significance), and the controls show that the tests have power.

Runtime (2-core machine, shared): ~1-2 minutes for the file (slow suite).
"""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest
from scipy import fft, stats

import ubermag_dirac as ud
from ubermag_dirac.engine import Engine
from ubermag_dirac.theory import thermal as th

pytestmark = pytest.mark.slow

GAMMA = 2.211e5
MU0 = mm.consts.mu0
T = 300.0
KT = th.K_B * T
D = 5e-9  # cell edge (m)
V = D**3
MS = 8e5


def _macrospins(n, barrier, h_perp, alpha, dalpha, name="cells"):
    """One system of n[0] x n[1] uncoupled 5 nm cells, easy axis z, field along x,
    started at +z / -z at random (balanced, as the equilibrium well populations)."""
    K = barrier * KT / V
    H_K = 2 * K / (MU0 * MS)
    mesh = df.Mesh(p1=(0, 0, 0), p2=(n[0] * D, n[1] * D, D), n=(n[0], n[1], 1))
    s = mm.System(name=name)
    s.energy = mm.UniaxialAnisotropy(K=K, u=(0, 0, 1))
    if h_perp:
        s.energy += mm.Zeeman(H=(h_perp * H_K, 0, 0))
    s.dynamics = mm.Precession(gamma0=GAMMA) + mm.Damping(alpha=alpha)
    if dalpha:
        s.dynamics += ud.AnisotropicDamping(delta_alpha=dalpha, n=(0, 0, 1))
    sign = np.where(np.random.default_rng(0).random((n[0], n[1], 1)) < 0.5, 1.0, -1.0)
    value = np.zeros((n[0], n[1], 1, 3))
    value[..., 2] = sign
    s.m = df.Field(mesh, nvdim=3, value=value, norm=MS)
    s.T = T
    return s, 1.0 / (GAMMA * H_K)


BARRIER = 3.0  # KV/kT: both wells visited within the run (escape time ~50 tau_K)
N_CELLS = (200, 100)  # 20000 independent samples
BURN = 60  # in 1/(gamma0 H_K): >= 2 well-population relaxation times from 50/50


def _mz_sample(h_perp, alpha, dalpha, tamper=None):
    s, tau = _macrospins(N_CELLS, BARRIER, h_perp, alpha, dalpha)
    e = Engine(s, seed=2024)
    if tamper is not None:
        tamper(e)
    e.run(BURN * tau)
    return e.m[0, 2].ravel()


def _ks(x, h_perp):
    return stats.kstest(x, lambda v: th.mz_boltzmann_cdf(v, BARRIER, 0.0, h_perp))


@pytest.mark.parametrize("h_perp", [0.0, 0.3])
@pytest.mark.parametrize(
    ("alpha", "dalpha"),
    [(0.5, 0.0), (0.1, 1.0)],
    ids=["isotropic", "tensor alpha=0.1 dalpha=1"],
)
def test_macrospin_mz_is_boltzmann(h_perp, alpha, dalpha):
    """KS test of 20000 independent m_z against the exact marginal
    (``mz_boltzmann_cdf``); fails with probability 1e-3 per case if the sampled
    distribution were exact. Measured KS distances 0.005-0.011 (p = 0.66, 0.25
    isotropic; 0.017, 0.50 tensor; h_perp = 0, 0.3); the discretisation bias at
    the default step (0.05 / (gamma0 H_K)) is ~0.3 % in <|m_z|> (measured over
    40000 cells: +0.0026 +- 0.0002 isotropic, +0.0005 +- 0.0003 tensor; +0.0005
    +- 0.0007 at a 4x smaller step), at the edge of what the test resolves."""
    x = _mz_sample(h_perp, alpha, dalpha)
    assert _ks(x, h_perp).pvalue > 1e-3


def test_batch_of_single_cell_systems_is_boltzmann():
    """The same physics through the batch axis: 2000 one-cell systems, each with its
    own noise stream (keyed by its name), after 60 / (gamma0 H_K). KS against the
    exact marginal, false failure 1e-3 (measured D = 0.021, p = 0.33)."""
    K = BARRIER * KT / V
    H_K = 2 * K / (MU0 * MS)
    mesh = df.Mesh(p1=(0, 0, 0), p2=(D, D, D), n=(1, 1, 1))
    signs = np.where(np.random.default_rng(0).random(2000) < 0.5, 1.0, -1.0)
    systems = []
    for b, sign in enumerate(signs):
        s = mm.System(name=f"cell_{b}")
        s.energy = mm.UniaxialAnisotropy(K=K, u=(0, 0, 1))
        s.dynamics = mm.Precession(gamma0=GAMMA) + mm.Damping(alpha=0.5)
        s.m = df.Field(mesh, nvdim=3, value=(0, 0, sign), norm=MS)
        s.T = T
        systems.append(s)
    e = Engine(systems, seed=3)
    e.run(BURN / (GAMMA * H_K))
    assert _ks(e.m[:, 2].ravel(), 0.0).pvalue > 1e-3


def test_tensor_damping_controls_have_power():
    """The same tensor run with scalar-alpha noise, and with tensor noise but without
    the noise-induced drift, are rejected at p < 1e-6 (measured D = 0.38 and 0.027,
    p = 0 and 5e-13, against the D = 0.014 at which p = 1e-3): the test above can
    tell."""

    def scalar_noise(e):
        e.thermal.dalpha = np.zeros((0, 0))
        e.thermal.nvec = np.zeros((0, 3, 0))

    def no_drift(e):
        e.thermal.add_drift = lambda m, out: None

    for tamper in (scalar_noise, no_drift):
        x = _mz_sample(0.0, 0.1, 1.0, tamper)
        assert _ks(x, 0.0).pvalue < 1e-6, tamper.__name__


def test_two_exchange_coupled_cells():
    """<m1.m2> of exchange-coupled pairs against the exact two-spin integral.

    4000 pairs of cells along x, separated along y by empty rows (no coupling
    between pairs), anisotropy barrier 1 kT per cell, exchange J = 2 A V/d^2 =
    2 kT (checked against the engine's exchange energy); 5 snapshots 20 tau apart
    (treated as independent: the pair correlation time is < 2 tau). Tolerance 4
    standard errors (two-sided false-failure probability 6e-5)."""
    pairs, barrier, kappa = 4000, 1.0, 2.0
    K = barrier * KT / V
    A = kappa * KT * D**2 / (2 * V)
    H_K = 2 * K / (MU0 * MS)
    tau = 1 / (GAMMA * H_K)
    mesh = df.Mesh(p1=(0, 0, 0), p2=(2 * D, 2 * pairs * D, D), n=(2, 2 * pairs, 1))
    s = mm.System(name="pairs")
    s.energy = mm.Exchange(A=A) + mm.UniaxialAnisotropy(K=K, u=(0, 0, 1))
    s.dynamics = mm.Precession(gamma0=GAMMA) + mm.Damping(alpha=0.5)
    s.m = df.Field(
        mesh,
        nvdim=3,
        value=(0, 0, 1),
        norm=lambda p: MS if int(p[1] / D) % 2 == 0 else 0.0,
    )
    s.T = T
    e = Engine(s, seed=7)
    # the exchange energy of one pair: J (1 - m1.m2) per pair, J = 2 A V / d^2
    m = e.m.copy()
    m[0, :, 1] *= -1  # antiparallel pairs
    E_anti = e.energies(m)[next(iter(e.energy_terms))][0]
    assert E_anti == pytest.approx(pairs * 2 * kappa * KT, rel=1e-12)
    e.run(40 * tau)
    dots = []
    for _ in range(5):
        e.run(20 * tau)
        m = e.m[0][:, :, ::2, 0]  # (3, 2, pairs)
        dots.append(np.sum(m[:, 0] * m[:, 1], axis=0))
    dots = np.concatenate(dots)
    se = dots.std() / np.sqrt(dots.size)
    exact = th.two_spin_correlation(kappa, barrier)
    assert abs(dots.mean() - exact) < 4 * se


# ------------------------------------------------------------------- film
FILM = {"Ms": MS, "A": 2e-12, "K": 1.5e6, "H": 0.0, "cell": (D, D, D), "n": (32, 32, 1)}


def _film(T_film):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(32 * D, 32 * D, D), n=(32, 32, 1))
    s = mm.System(name="film")
    s.energy = mm.Exchange(A=FILM["A"]) + mm.UniaxialAnisotropy(
        K=FILM["K"], u=(0, 0, 1)
    )
    s.dynamics = mm.Precession(gamma0=GAMMA) + mm.Damping(alpha=0.5)
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=MS)
    s.T = T_film
    return s


def _film_samples(T_film, n_samples, spacing, seed):
    """Snapshots of a 32 x 32 film (free edges) after equilibration."""
    H_K = 2 * FILM["K"] / (MU0 * MS)
    tau = 1 / (GAMMA * H_K)
    e = Engine(_film(T_film), seed=seed)
    e.run(20 * tau)
    snaps = []
    for _ in range(n_samples):
        e.run(spacing * tau)
        snaps.append(e.m[0, :, :, :, 0].copy())
    return np.array(snaps)  # (samples, 3, 32, 32)


def test_film_thermal_reduction_of_m_matches_spin_waves():
    """<m_z> of a 32 x 32 film at 150, 300 and 600 K against linear spin waves.

    1 - <m_z> = (kT/N) sum_k 1/kappa_k + O(T^2) (``spin_wave_mz_reduction``, the
    six-neighbour stencil with free edges). The measured reductions (0.462, 0.935,
    1.896 %; linear spin waves 0.461, 0.923, 1.845 %) fit a T + b T^2; the
    low-temperature slope a must equal the spin-wave slope within 3 % (measured
    ratio 0.994; the fit's statistical error is ~1 %; 40 snapshots each, spaced by
    2.4 relaxation times of the slowest mode)."""
    temps = np.array([150.0, 300.0, 600.0])
    reduction = []
    for k, T_film in enumerate(temps):
        snaps = _film_samples(T_film, 40, 6, seed=100 + k)
        reduction.append(1 - snaps[:, 2].mean())
    reduction = np.array(reduction)
    slope_sw = th.spin_wave_mz_reduction(1.0, **FILM)
    coef = np.polyfit(temps, reduction / temps, 1)  # reduction/T = a + b T
    assert coef[1] == pytest.approx(slope_sw, rel=0.03)
    # and each temperature within its O(T^2) allowance
    assert reduction == pytest.approx(slope_sw * temps, rel=0.1)


def test_film_equipartition_of_spin_wave_modes():
    """Every linear mode holds k_B T: <c_k^2> kappa_k / kT = 1 for the DCT-II modes
    of m_x and m_y at 100 K (reduction 0.3 %, anharmonic corrections O(0.3 %)).

    80 snapshots x 2 components: each mode's mean ratio has a relative standard
    error 1/sqrt(80) = 11 %; averaged over bands of ~340 modes (low, middle, high
    wave numbers) 0.6 %. Each band within 4 % (6 standard errors, and the
    discretisation bias of the fastest modes). Measured 1.008, 1.010, 1.013 (low,
    middle, high): the step's bias is ~1 %."""
    snaps = _film_samples(100.0, 80, 4, seed=5)
    kappa = th.spin_wave_stiffness(**FILM)[:, :, 0]
    c = fft.dctn(snaps[:, :2], axes=(-2, -1), norm="ortho")
    ratio = (c**2).mean(axis=(0, 1)) * kappa / (th.K_B * 100.0)
    order = np.argsort(kappa.ravel())
    for band in np.array_split(ratio.ravel()[order], 3):
        assert band.mean() == pytest.approx(1.0, abs=0.04)
