"""Engine at finite temperature: thermal field, drift, streams, step, API.

The statistical checks of the equilibrium and of the dynamics are in
``tests/validation/test_thermal_*.py``; here the building blocks are checked exactly
(or, for the sampled field covariance, at a stated significance).
"""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac.engine import Engine
from ubermag_dirac.engine.stochastic import (
    add_thermal_drift,
    add_thermal_field,
    fastest_rate,
    stream_seed,
)
from ubermag_dirac.theory import thermal as th

GAMMA = 2.211e5
MU0 = 4e-7 * np.pi


def _system(n=(4, 3, 1), T=300.0, name="hot", alpha=0.1, cell=2e-9, **kw):
    mesh = df.Mesh(p1=(0, 0, 0), p2=tuple(k * cell for k in n), n=n, **kw)
    s = mm.System(name=name)
    s.energy = mm.Exchange(A=1e-11) + mm.UniaxialAnisotropy(K=4e5, u=(0, 0, 1))
    s.dynamics = mm.Precession(gamma0=GAMMA) + mm.Damping(alpha=alpha)
    s.m = df.Field(mesh, nvdim=3, value=(0.1, 0.2, 1.0), norm=8e5)
    s.T = T
    return s


# --------------------------------------------------------------- kernels
def _tensor(alpha, dalpha, n):
    return alpha * np.eye(3) + dalpha * (np.eye(3) - np.outer(n, n))


def test_thermal_field_root_of_the_damping_tensor():
    """Columns of L from unit xi: L L^T = alpha I + dalpha (I - n n) exactly."""
    n = np.array([0.2, -0.4, 0.9])
    n /= np.linalg.norm(n)
    alpha, dalpha, sigma = 0.03, 0.7, 2.5
    xi = np.eye(3).reshape(3, 3, 1).copy()  # batch b = unit vector e_b
    out = np.empty_like(xi)
    ones = np.ones((3, 1))
    add_thermal_field(
        xi,
        sigma * ones,
        alpha * ones,
        dalpha * ones,
        np.broadcast_to(n[None, :, None], (3, 3, 1)).copy(),
        out,
    )
    L = out[:, :, 0].T  # column b = sigma L e_b
    assert L @ L.T == pytest.approx(sigma**2 * _tensor(alpha, dalpha, n), abs=1e-14)
    # isotropic (zero-size tensor arrays): sigma sqrt(alpha) xi
    add_thermal_field(
        xi, sigma * ones, alpha * ones, np.zeros((0, 0)), np.zeros((0, 3, 0)), out
    )
    assert out[:, :, 0] == pytest.approx(sigma * np.sqrt(alpha) * np.eye(3), abs=1e-15)


def test_sampled_field_covariance_matches_brown():
    """Engine noise of one step: <H_i H_j> = 2 kT alpha_ij/(gamma0 mu0 Ms V dt).

    200 x 100 cells, 20000 samples per component; each covariance element is
    compared at 5 standard errors (false-failure probability ~6e-7 per element,
    deterministic with the fixed seed)."""
    n = (200, 100, 1)
    s = _system(n=n, T=400.0, alpha=0.05)
    s.energy = mm.Zeeman(H=(0, 0, 1e5))
    s.dynamics += ud.AnisotropicDamping(delta_alpha=0.8, n=(0, 0, 1))
    e = Engine(s, seed=11)
    dt = 1e-13
    H = np.empty((1, 3, int(np.prod(n))))
    on = np.array([True])
    e.thermal.sample(np.array([dt]), on, H)
    samples = H[0].T  # (cells, 3)
    cov = samples.T @ samples / samples.shape[0]
    V = 8e-27
    sigma2 = th.thermal_field_std(1.0, 8e5, V, 400.0, dt, GAMMA) ** 2
    expected = sigma2 * _tensor(0.05, 0.8, np.array([0.0, 0.0, 1.0]))
    var = expected.diagonal()
    se = np.sqrt((np.outer(var, var) + expected**2) / samples.shape[0])
    assert np.all(np.abs(cov - expected) < 5 * se)


def test_drift_kernel_is_the_theory_formula():
    rng = np.random.default_rng(3)
    N = 7
    m = rng.standard_normal((1, 3, N))
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    n = np.array([0.0, 0.6, 0.8])
    q, alpha, dalpha = 3.0e9, 0.05, 0.9
    out = np.zeros_like(m)
    add_thermal_drift(
        m,
        np.full((1, N), q),
        np.full((1, N), alpha),
        np.full((1, N), dalpha),
        np.broadcast_to(n[None, :, None], (1, 3, N)).copy(),
        out,
    )
    expected = q * th.tensor_damping_drift(m[0].T, alpha, dalpha, n)
    assert out[0].T == pytest.approx(expected, rel=1e-13, abs=1e-6)


# ------------------------------------------------------------ engine setup
def test_zero_temperature_is_deterministic_engine():
    e = Engine(_system(T=0.0))
    assert e.thermal is None
    e.run(1e-12)
    assert e.stats["steps"] > 0


def test_temperature_per_cell_forms_and_refusals():
    s = _system(n=(4, 1, 1), T=0.0)
    e = Engine(s, temperature=100.0)
    assert np.all(e.thermal.T == 100.0)
    mesh = df.Mesh(
        p1=(0, 0, 0),
        p2=(8e-9, 2e-9, 2e-9),
        n=(4, 1, 1),
        subregions={"hot": df.Region(p1=(0, 0, 0), p2=(4e-9, 2e-9, 2e-9))},
    )
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    e = Engine(s, temperature={"hot": 500.0, "default": 0.0})
    assert e.thermal.T[0].tolist() == [500.0, 500.0, 0.0, 0.0]
    assert np.all(e.thermal.sigma0[0, 2:] == 0) and np.all(e.thermal.sigma0[0, :2] > 0)
    field = df.Field(mesh, nvdim=1, value=lambda p: 300.0 if p[0] < 6e-9 else 0.0)
    e = Engine(s, temperature=field)
    assert e.thermal.T[0].tolist() == [300.0, 300.0, 300.0, 0.0]
    with pytest.raises(ValueError, match="temperatures >= 0"):
        Engine(s, temperature=-1.0)
    with pytest.raises(ValueError, match="thermal_dt"):
        Engine(_system(), thermal_dt=-1e-14)
    with pytest.raises(ValueError, match="step_fraction"):
        Engine(_system(), step_fraction=0.0)


def test_sigma_per_cell_uses_volume_ms_gamma():
    s = _system(n=(2, 1, 1), T=250.0, cell=3e-9)
    e = Engine(s)
    expected = np.sqrt(2 * th.K_B * 250.0 / (GAMMA * MU0 * 8e5 * 27e-27))
    assert e.thermal.sigma0 == pytest.approx(np.full((1, 2), expected), rel=1e-12)


def test_empty_and_fixed_cells_get_no_noise_and_do_not_move():
    mesh = df.Mesh(
        p1=(0, 0, 0),
        p2=(8e-9, 2e-9, 2e-9),
        n=(4, 1, 1),
        subregions={"pin": df.Region(p1=(0, 0, 0), p2=(2e-9, 2e-9, 2e-9))},
    )
    s = _system(T=2000.0)
    s.m = df.Field(
        mesh, nvdim=3, value=(0, 0, 1), norm=lambda p: 0.0 if p[0] > 6e-9 else 8e5
    )
    e = Engine(s, fixed=["pin"], seed=1)
    assert e.thermal.sigma0[0, 0] == 0 and e.thermal.sigma0[0, 3] == 0
    assert np.all(e.thermal.sigma0[0, 1:3] > 0)
    e.run(2e-12)
    assert e.m[0, :, 0, 0, 0].tolist() == [0.0, 0.0, 1.0]  # fixed
    assert e.m[0, :, 3, 0, 0].tolist() == [0.0, 0.0, 0.0]  # empty
    assert abs(e.m[0, 2, 1, 0, 0]) < 1.0  # the hot free cells moved


def test_current_driven_torques_add_no_noise():
    """Dirac, spin-Hall and Slonczewski torques change neither the noise amplitude
    nor the sampled field (FDT: only the damping carries noise)."""
    base = Engine(_system(), seed=5)
    s = _system()
    s.dynamics += ud.DiracSOT(H_DL=-3e4, H_FL=1e4, beta=0.3)
    s.dynamics += ud.SpinHallSOT(H_SH=2e4)
    driven = Engine(s, seed=5)
    assert np.array_equal(base.thermal.sigma0, driven.thermal.sigma0)
    dt = np.array([1e-14])
    on = np.array([True])
    H0 = base.thermal.sample(dt, on, np.empty((1, 3, 12)))
    H1 = driven.thermal.sample(dt, on, np.empty((1, 3, 12)))
    assert np.array_equal(H0, H1)
    s = _system()
    s.dynamics += mm.Slonczewski(J=1e11, mp=(1, 0, 0), P=0.4, Lambda=2)
    assert np.array_equal(base.thermal.sigma0, Engine(s).thermal.sigma0)


def test_noise_without_precession_is_fluctuation_dissipation_partner():
    """Pure damping dm/dt = lambda H_perp: noise alpha (1 + alpha^2)/alpha."""
    s = _system(alpha=0.5)
    s.dynamics = mm.Damping(alpha=0.5)
    e = Engine(s)
    assert e.thermal.alpha == pytest.approx(np.full((1, 12), 1.25 / 0.5))
    assert e.thermal.diffusion_rate(e.llg) == pytest.approx(
        Engine(_system(alpha=0.5)).thermal.diffusion_rate(e.llg)
    )


# ------------------------------------------------------------- streams
def _run(systems, seed, t=3e-12, **kw):
    e = Engine(systems, seed=seed, thermal_dt=1e-14, **kw)
    e.run(t, n=3)
    return e


def test_same_seed_bit_identical_and_different_seed_differs():
    a = _run(_system(), 42).m
    b = _run(_system(), 42).m
    c = _run(_system(), 43).m
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_system_alone_equals_system_in_a_batch():
    """Streams keyed by name: position and neighbours in the batch do not matter."""
    alone = _run(_system(name="trial_1"), 7).m[0]
    batch = [_system(name="trial_0"), _system(name="trial_1", alpha=0.1)]
    batch.append(_system(name="trial_2", T=0.0))
    batch_first = [batch[1], batch[2], batch[0]]
    for systems, index in ((batch, 1), (batch_first, 0)):
        assert np.array_equal(_run(systems, 7).m[index], alone)


def test_per_system_seeds_and_recorded_entropy():
    systems = [_system(name="x"), _system(name="x")]
    with pytest.raises(ValueError, match="share a name"):
        Engine(systems, seed=1)
    e = _run(systems, [3, 4])
    assert not np.allclose(e.m[0], e.m[1])
    assert np.array_equal(e.m[0], _run(_system(name="x"), [3]).m[0])
    fresh = _run(_system(), None)
    again = _run(_system(), fresh.thermal.entropy)
    assert np.array_equal(fresh.m, again.m)
    with pytest.raises(ValueError, match="seed"):
        Engine(_system(), seed=-1)
    with pytest.raises(ValueError, match="seed"):
        Engine(_system(), seed="abc")


def test_stream_seed_is_stable_across_processes():
    """SHA-256 keyed, not Python's salted hash (value fixed once)."""
    state = stream_seed(2024, "film").generate_state(2)
    assert state.tolist() == stream_seed(2024, "film").generate_state(2).tolist()
    assert stream_seed(2024, "film").spawn_key == (
        int.from_bytes(__import__("hashlib").sha256(b"film").digest()[:8], "little"),
    )


# ------------------------------------------------------------- stepping
def test_thermal_dt_can_be_set_between_runs():
    e = Engine(_system(), seed=0)
    e.run(1e-14)
    e.thermal_dt = 0.5e-14
    assert e.thermal_dt.shape == (1,)
    steps = e.stats["steps"]
    e.run(1e-13)
    assert e.stats["steps"] - steps == 20
    with pytest.raises(ValueError, match="thermal_dt"):
        e.thermal_dt = 0.0


def test_fixed_step_hits_stage_ends():
    e = Engine(_system(), seed=0, thermal_dt=0.7e-14)
    stages = []
    e.run(1e-13, n=4, callback=lambda k, t, m: stages.append(t))
    assert stages == pytest.approx([2.5e-14, 5e-14, 7.5e-14, 1e-13], rel=1e-15)
    assert e.t == pytest.approx(1e-13, rel=1e-15)
    assert e.stats["steps"] == 4 * 4  # ceil(2.5 / 0.7) = 4 steps per stage
    assert np.allclose(np.linalg.norm(e.m, axis=1), 1.0, atol=1e-14)


def test_rate_bound_macrospin_in_a_field():
    """No stiffness, field H: the bound is gamma0 |H| / sqrt(1 + alpha^2)."""
    s = _system(n=(1, 1, 1), alpha=0.5)
    s.energy = mm.Zeeman(H=(3e5, 0, 4e5))
    e = Engine(s)
    rho = fastest_rate(
        lambda m, t: e.effective_field(m, t, torques=True),
        e.m,
        np.zeros(1),
        e._active,
        e.llg.gamma,
        e.llg.alpha,
    )
    assert rho[0] == pytest.approx(GAMMA * 5e5 / np.sqrt(1.25), rel=1e-9)


def test_rate_bound_exchange_film_and_default_step():
    """Exchange-dominated film: ||dH/dm|| -> the checkerboard mode,
    (2A/(mu0 Ms)) 4 (1/dx^2 + 1/dy^2) + 2K/(mu0 Ms); the default step is 0.1 over
    the bound. Power iteration approaches the norm from below: after 40 iterations
    within 4 % for this 16 x 16 spectrum (a step 4 % longer than 0.1 / rate is
    immaterial to accuracy)."""
    n, A, K, Ms, d = (16, 16, 1), 1e-11, 4e5, 8e5, 2e-9
    s = _system(n=n, alpha=0.1)
    s.m = df.Field(s.m.mesh, nvdim=3, value=(0, 0, 1), norm=Ms)
    e = Engine(s, seed=1)
    H_ex = 2 * A / (MU0 * Ms) * 4 * (2 / d**2) * np.cos(np.pi / 32) ** 2
    H_K = 2 * K / (MU0 * Ms)
    bound = GAMMA * (H_K + H_ex + H_K) / np.sqrt(1.01)  # |H| = H_K at +z
    dt = e.thermal_step()[0]
    assert 0.96 * bound < 0.1 / dt <= bound


def test_nonfinite_state_raises_and_restores():
    e = Engine(_system(), seed=0, thermal_dt=1e-14)
    good = e.m.copy()
    e.llg.gamma[...] = np.nan
    with pytest.raises(ud.engine.IntegrationError, match="non-finite"):
        e.run(1e-13)
    assert np.array_equal(e.m, good) and e.t == 0.0
