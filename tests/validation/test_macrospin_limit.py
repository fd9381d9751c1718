"""Macrospin limit of the film calculator (issue 4, "Validation", "Macrospin limit").

A 10 nm x 10 nm x 1 nm nanomagnet (cells 2 x 2 x 1 nm, exchange, uniaxial anisotropy
along z, no demag) driven by the finite-difference engine must follow ``ud.macrospin``
with the same SI parameters (gamma0, H_K = 2K/(mu0 Ms), H, H_DL, H_FL, H_SH, alpha,
delta_alpha, beta).

Why no demag and why 1e-3: without demag every cell sees the same field and the
same torques, so a uniform initial state stays uniform exactly (measured spread of m
across the film ~1e-16) and exchange contributes nothing; the film then *is* a
macrospin and the only difference is the integrators' error (measured <= 1e-5 over
2 ns at the engine's default ``tol=1e-5``). 1e-3 (the issue's number) leaves a
100x margin, while a missing term, a wrong sign or a wrong factor of beta changes
<m>(t) by 1e-2 .. 1 (checked below for each case). With demag (and an anisotropy
compensating the cuboid shape anisotropy) the edge fields make the film non-uniform
at O(l_film^2 / l_ex^2): the slow test measures a spread of 5e-3 and a deviation of
1.1e-2 from the macrospin at A = 15 pJ/m, both falling exactly as 1/A (the
O(exchange) correction), so that case is checked through its scaling instead.

Ringdown (Mahfouzi-Kioussis, docs/PHYSICS.md): for circular small-angle precession with
stiffness H and damping a1, a2 on the two deviation components, the linearised
Gilbert equation gives the decay rate gamma0 H (a1 + a2) / (2 (1 + a1 a2)). About
the normal (PMA, no field) both deviations are in-plane: a1 = a2 = alpha +
delta_alpha. About x (K = 0, strong H_x: equal stiffness H_x for the y- and
z-deviations, hence circular) one deviation is in-plane (alpha + delta_alpha), one
normal (alpha): the effective damping is alpha + delta_alpha/2. The fit of
ln tan(theta) over 0.5 ns (about 2 e-folds, 50 points, theta0 = 0.02 rad) is exact
for the uniaxial case up to O(theta^2) = 4e-4 and, about x, carries a residual 2-omega
modulation (the damping is anisotropic) that averages over 3.5 periods: measured
relative errors 2e-6 (normal) and 2e-3 (in-plane); tolerance 1 %, while the two
candidate dampings differ by 30 %.
"""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac.engine import Engine

GAMMA0 = mm.consts.gamma0
MU0 = mm.consts.mu0
MS = 8e5  # A/m
A_EX = 1.5e-11  # J/m
H_K = 1e5  # A/m
K_U = MU0 * MS * H_K / 2  # J/m^3, so that 2K/(mu0 Ms) = H_K
ALPHA = 0.1
THETA0 = 0.5  # rad, initial tilt from z in the xz plane
H_APPLIED = (0.2 * H_K, 0.0, 0.0)
T_RUN = 2e-9
N_STAGES = 40
TOL = 1e-3


def _system(*, K=K_U, H=H_APPLIED, m0, dynamics=(), alpha=ALPHA, demag=False, A=A_EX):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(10e-9, 10e-9, 1e-9), cell=(2e-9, 2e-9, 1e-9))
    system = mm.System(name="macrospin_limit")
    system.energy = (
        mm.Exchange(A=A) + mm.UniaxialAnisotropy(K=K, u=(0, 0, 1)) + mm.Zeeman(H=H)
    )
    if demag:
        system.energy += mm.Demag()
    system.dynamics = mm.Precession(gamma0=GAMMA0) + mm.Damping(alpha=alpha)
    for term in dynamics:
        system.dynamics += term
    system.m = df.Field(mesh, nvdim=3, value=m0, norm=MS)
    return system


def _film(system, t, n):
    """<m> at the n stage ends and the largest |m - <m>| over cells and stages."""
    engine = Engine(system)
    means, spread = [], []

    def callback(stage, time, m):
        cells = m[0].reshape(3, -1)
        mean = cells.mean(axis=1)
        means.append(mean)
        spread.append(np.max(np.abs(cells - mean[:, None])))

    engine.run(t, n, callback)
    return np.array(means), max(spread)


def _macrospin(m0, t, n, *, H_K=H_K, H=H_APPLIED, **kwargs):
    kwargs.setdefault("alpha", ALPHA)
    res = ud.macrospin.solve_si(
        m0,
        t,
        H_K=H_K,
        H=H,
        gamma0=GAMMA0,
        t_eval=np.linspace(t / n, t, n),
        stop_tol=0.0,
        rtol=1e-10,
        atol=1e-12,
        **kwargs,
    )
    return res.trajectory


M0 = (np.sin(THETA0), 0.0, np.cos(THETA0))

# name: (film dynamics terms, macrospin SI keyword arguments)
CASES = {
    "dirac_dl": (
        [ud.DiracSOT(H_DL=0.6 * H_K, H_FL=0.0, beta=0.0)],
        {"H_DL": 0.6 * H_K},
    ),
    "dirac_dl_fl_beta": (
        [ud.DiracSOT(H_DL=0.6 * H_K, H_FL=0.3 * H_K, beta=0.5)],
        {"H_DL": 0.6 * H_K, "H_FL": 0.3 * H_K, "beta": 0.5},
    ),
    "field_like": ([ud.DiracSOT(H_DL=0.0, H_FL=0.4 * H_K)], {"H_FL": 0.4 * H_K}),
    "spin_hall": ([ud.SpinHallSOT(H_SH=0.3 * H_K)], {"H_SH": 0.3 * H_K}),
    "anisotropic_damping": (
        [ud.AnisotropicDamping(delta_alpha=0.05)],
        {"delta_alpha": 0.05},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_film_follows_macrospin(case):
    terms, kwargs = CASES[case]
    system = _system(m0=M0, dynamics=terms)
    m_film, spread = _film(system, T_RUN, N_STAGES)
    m_ms = _macrospin(M0, T_RUN, N_STAGES, **kwargs)

    # the film stays uniform (no demag: identical cells), so it is a macrospin
    assert spread < 1e-12, spread
    assert np.max(np.abs(m_film - m_ms)) < TOL, np.max(np.abs(m_film - m_ms))

    # the comparison discriminates: switching the term off, or flipping its sign
    # (or, for delta_alpha, halving it), moves the macrospin far beyond TOL
    m_off = _macrospin(M0, T_RUN, N_STAGES)
    assert np.max(np.abs(m_off - m_ms)) > 20 * TOL
    flipped = {
        k: (v if k == "beta" else (v / 2 if k == "delta_alpha" else -v))
        for k, v in kwargs.items()
    }
    m_flip = _macrospin(M0, T_RUN, N_STAGES, **flipped)
    assert np.max(np.abs(m_flip - m_ms)) > 5 * TOL

    # ud.macrospin.from_terms reads the same reduced parameters off the system
    reduced = ud.macrospin.from_terms(system.dynamics, H_K=H_K, gamma0=GAMMA0)
    tau = GAMMA0 * H_K
    res = ud.macrospin.solve(
        M0,
        T_RUN * tau,
        h=np.asarray(H_APPLIED) / H_K,
        t_eval=np.linspace(T_RUN / N_STAGES, T_RUN, N_STAGES) * tau,
        stop_tol=0.0,
        rtol=1e-10,
        atol=1e-12,
        **reduced,
    )
    np.testing.assert_allclose(res.trajectory, m_ms, rtol=0, atol=1e-6)


def test_beta_angular_dependence_is_resolved():
    """beta = 0.5 vs 0 differ by >> TOL, and the film follows each within TOL."""
    kw = {"H_DL": 0.6 * H_K, "H_FL": 0.3 * H_K}
    m_b0 = _macrospin(M0, T_RUN, N_STAGES, beta=0.0, **kw)
    m_b5 = _macrospin(M0, T_RUN, N_STAGES, beta=0.5, **kw)
    assert np.max(np.abs(m_b5 - m_b0)) > 10 * TOL
    system = _system(m0=M0, dynamics=[ud.DiracSOT(H_DL=kw["H_DL"], H_FL=kw["H_FL"])])
    m_film, _ = _film(system, T_RUN, N_STAGES)
    assert np.max(np.abs(m_film - m_b0)) < TOL


def test_timedriver_table_follows_macrospin(tmp_path):
    """All terms together, through ud.TimeDriver and system.table."""
    terms = [
        ud.DiracSOT(H_DL=0.6 * H_K, H_FL=0.3 * H_K, beta=0.3),
        ud.SpinHallSOT(H_SH=0.2 * H_K),
        ud.AnisotropicDamping(delta_alpha=0.05),
    ]
    system = _system(m0=M0, dynamics=terms)
    n = 20
    ud.TimeDriver().drive(system, t=T_RUN, n=n, dirname=str(tmp_path), verbose=0)
    data = system.table.data
    t = data["t"].to_numpy()
    np.testing.assert_allclose(t, np.linspace(T_RUN / n, T_RUN, n), rtol=1e-12)
    m_film = data[["mx", "my", "mz"]].to_numpy()
    m_ms = _macrospin(
        M0,
        T_RUN,
        n,
        H_DL=0.6 * H_K,
        H_FL=0.3 * H_K,
        beta=0.3,
        H_SH=0.2 * H_K,
        delta_alpha=0.05,
    )
    assert np.max(np.abs(m_film - m_ms)) < TOL, np.max(np.abs(m_film - m_ms))
    # the final state written back to the system is uniform and matches too
    m_cells = system.m.orientation.array.reshape(-1, 3)
    assert np.max(np.abs(m_cells - m_ms[-1])) < TOL


RING_ALPHA, RING_DA, RING_THETA = 0.1, 0.1, 0.02
RING_T, RING_N = 0.5e-9, 50


def _rate(H, a1, a2):
    """Linearised Gilbert decay rate of small-angle circular precession."""
    return GAMMA0 * H * (a1 + a2) / (2 * (1 + a1 * a2))


def _fit_rate(m, axis):
    t = np.linspace(RING_T / RING_N, RING_T, RING_N)
    perp = np.delete(m, axis, axis=1)
    y = np.log(np.hypot(perp[:, 0], perp[:, 1]) / m[:, axis])
    return -np.polyfit(t, y, 1)[0]


@pytest.mark.parametrize("axis", ["normal", "in_plane"])
def test_ringdown_rate(axis):
    th = RING_THETA
    da = [ud.AnisotropicDamping(delta_alpha=RING_DA)]
    full = RING_ALPHA + RING_DA
    if axis == "normal":  # PMA, no field: precession about z
        m0, H, K, stiff, k = (np.sin(th), 0.0, np.cos(th)), (0, 0, 0), K_U, H_K, 2
        expected, other = (
            _rate(stiff, full, full),
            _rate(stiff, *(2 * [full - RING_DA / 2])),
        )
    else:  # K = 0, strong H_x: equal stiffness H_x for both deviations (circular)
        H_x = 2 * H_K
        m0, H, K, stiff, k = (np.cos(th), np.sin(th), 0.0), (H_x, 0, 0), 0.0, H_x, 0
        expected, other = _rate(stiff, full, RING_ALPHA), _rate(stiff, full, full)
    system = _system(K=K, H=H, m0=m0, dynamics=da, alpha=RING_ALPHA)
    m_film, spread = _film(system, RING_T, RING_N)
    assert spread < 1e-12
    rate = _fit_rate(m_film, k)
    assert abs(rate / expected - 1) < 0.01, (rate, expected)
    assert abs(other / expected - 1) > 0.2  # alpha + da vs alpha + da/2 resolved
    # and the film trajectory is the macrospin one (reduced units with H_K as the
    # unit; h_k = 0 when K = 0)
    tau = GAMMA0 * H_K
    res = ud.macrospin.solve(
        m0,
        RING_T * tau,
        h=np.asarray(H) / H_K,
        h_k=2 * K / (MU0 * MS) / H_K,
        alpha=RING_ALPHA,
        delta_alpha=RING_DA,
        t_eval=np.linspace(RING_T / RING_N, RING_T, RING_N) * tau,
        stop_tol=0.0,
        rtol=1e-10,
        atol=1e-12,
    )
    assert np.max(np.abs(m_film - res.trajectory)) < 1e-4
    assert abs(_fit_rate(res.trajectory, k) / rate - 1) < 1e-4


@pytest.mark.slow
def test_demag_compensated_converges_as_one_over_A():
    """With demag, K compensating the cuboid shape anisotropy (Aharoni factors).

    Uniform-state demag of a square cuboid is uniaxial, H_K,eff = 2K/(mu0 Ms) -
    (N_zz - N_xx) Ms. The film is then non-uniform at O(1/A): measured at
    A = 15 pJ/m a spread 5.2e-3 and max |<m> - m_macrospin| = 1.13e-2; at 60 pJ/m
    1.30e-3 and 2.85e-3 (and 3.3e-4, 7.1e-4 at 240 pJ/m): both scale as 1/A to 1 %,
    so the difference is the exchange-limited non-uniformity, not a torque error.
    """
    from ubermag_dirac.switching import cuboid_demag_factors

    nxx, nyy, nzz = cuboid_demag_factors(10e-9, 10e-9, 1e-9)
    assert abs(nxx - nyy) < 1e-12
    K = MU0 * MS * (H_K + (nzz - nxx) * MS) / 2
    terms = [
        ud.DiracSOT(H_DL=0.6 * H_K, H_FL=0.3 * H_K, beta=0.5),
        ud.AnisotropicDamping(delta_alpha=0.05),
    ]
    m_ms = _macrospin(
        M0,
        T_RUN,
        N_STAGES,
        H_DL=0.6 * H_K,
        H_FL=0.3 * H_K,
        beta=0.5,
        delta_alpha=0.05,
    )
    diffs, spreads = [], []
    for A in (A_EX, 4 * A_EX):
        system = _system(K=K, m0=M0, dynamics=terms, demag=True, A=A)
        m_film, spread = _film(system, T_RUN, N_STAGES)
        diffs.append(np.max(np.abs(m_film - m_ms)))
        spreads.append(spread)
    assert diffs[0] < 0.02
    assert abs(diffs[0] / diffs[1] / 4 - 1) < 0.05, diffs
    assert abs(spreads[0] / spreads[1] / 4 - 1) < 0.05, spreads
    # extrapolated to infinite exchange (Richardson in 1/A) the film is the macrospin
    assert abs(diffs[1] - (diffs[0] - diffs[1]) / 3) < TOL
