"""Thermal switching probabilities: ``ud.macrospin.switching_probability``.

Validations against independent results: the deterministic switching threshold
(T -> 0), the exact Fokker-Planck dynamics of a uniaxial macrospin
(``ud.theory.thermal.UniaxialMacrospin``), the Boltzmann distribution of the
thermalised start, the second-order convergence of the Heun step without noise
and the weak convergence with it, the coverage of the Wilson interval, and the
broadening of P_sw(current) with temperature for the Dirac and spin-Hall
torques. Statistical tolerances are multiples of the binomial standard error
sqrt(p (1 - p) / n) (4 sigma: a false alarm about once in 16000 runs).
"""

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import ubermag_dirac as ud
from ubermag_dirac.constants import KB, MU0
from ubermag_dirac.theory import thermal

sp = ud.macrospin.switching_probability


# ------------------------------------------------------------ reproducibility
def test_same_seed_is_bit_identical_and_seeds_differ():
    kw = dict(pulse_width=[30.0], hx=[0.2], delta=40.0, n_trials=400)
    a = sp([0.9], seed=5, keep_trials=True, **kw)
    b = sp([0.9], seed=5, keep_trials=True, **kw)
    c = sp([0.9], seed=6, keep_trials=True, **kw)
    assert np.array_equal(a.mz.values, b.mz.values)
    assert not np.array_equal(a.mz.values, c.mz.values)
    assert a.attrs["seed"] == 5


def test_fresh_seed_is_recorded_and_reproduces():
    kw = dict(pulse_width=[20.0], hx=[0.2], delta=40.0, n_trials=50, keep_trials=True)
    a = sp([0.9], **kw)
    b = sp([0.9], seed=a.attrs["seed"], **kw)
    assert np.array_equal(a.mz.values, b.mz.values)


def test_result_survives_netcdf(tmp_path):
    """Every attribute is a number or a string (a fresh seed fits netCDF3's
    32-bit integers): the Dataset round-trips through ``to_netcdf``."""
    ds = sp([0.9], pulse_width=[20.0], hx=[0.2], delta=40.0, n_trials=20)
    ds.to_netcdf(tmp_path / "p.nc")
    back = xr.open_dataset(tmp_path / "p.nc")
    assert back.attrs["seed"] == ds.attrs["seed"]
    assert np.array_equal(back.n_switched.values, ds.n_switched.values)
    back.close()


def test_point_alone_equals_point_in_grid_and_threads():
    """The streams are keyed by the point's values and the trial index: the
    grid around a point, the threads and the trial count do not change it."""
    kw = dict(delta=40.0, seed=3, keep_trials=True)
    alone = sp([0.9], pulse_width=[30.0], hx=[0.2], n_trials=300, **kw)
    grid = sp(
        [0.5, 0.9], pulse_width=[10.0, 30.0], hx=[0.0, 0.2], n_trials=500,
        n_threads=2, **kw,
    )  # fmt: skip
    mine = grid.mz.sel(hsot=0.9, pulse_width=30.0, hx=0.2).values[:300]
    assert np.array_equal(alone.mz.values.ravel(), mine)


# ------------------------------------------------------------------ results
def test_dataset_variables_ci_and_units():
    ds = sp([0.3, 0.9], pulse_width=[40.0], hx=[0.2], delta=40.0, n_trials=500, seed=1)
    for v in ("P_sw", "n_switched", "n_trials", "ci_low", "ci_high"):
        assert ds[v].dims == ("hx", "hsot", "pulse_width")
    k, n = ds.n_switched.values, ds.n_trials.values
    lo, hi = ud.statistics.wilson_interval(k, n)
    assert np.array_equal(ds.ci_low.values, lo) and np.array_equal(ds.ci_high, hi)
    assert np.all((ds.ci_low <= ds.P_sw) & (ds.P_sw <= ds.ci_high))
    assert ds.pulse_width.attrs["units"] == "1/(gamma0 H_K)"
    assert ds.attrs["delta"] == 40.0 and ds.attrs["torque"] == "dirac"


def test_si_units_and_current_density():
    """T, Ms, V, K give Delta = K V / (k_B T) and H_K = 2K/(mu0 Ms); pulse widths
    in s; J through the bilayer's field per current."""
    Ms, H_K, T = 8e5, 1.6e5, 300.0
    K = 0.5 * MU0 * Ms * H_K
    V = 40 * KB * T / K
    bl = ud.theory.Bilayer(ud.theory.preset("Bi2Se3"), thickness=1e-9, Ms=Ms)
    J = np.array([-2e12, -1e12])
    ds = sp(
        J=J, pulse_width=[1e-9], hx=[0.2], T=T, Ms=Ms, V=V, K=K, bilayer=bl,
        n_trials=20, seed=1,
    )  # fmt: skip
    assert ds.attrs["delta"] == pytest.approx(40.0, rel=1e-12)
    t_u = 1.0 / (ud.constants.GAMMA0 * H_K)
    assert ds.tau.values == pytest.approx(1e-9 / t_u, rel=1e-12)
    assert ds.pulse_width.attrs["units"] == "s" and ds.pulse_width.values[0] == 1e-9
    assert ds.J.values == pytest.approx(J, rel=1e-12)
    assert ds.hsot.values == pytest.approx(J * bl.H_DL_per_J / H_K, rel=1e-12)
    assert ds.attrs["beta"] == bl.surface.beta


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(delta=40.0, T=300.0), ValueError, "either delta"),
        (dict(T=300.0, Ms=8e5), ValueError, "missing"),
        (dict(delta=0.0), ValueError, "delta must be > 0"),
        (dict(delta=40.0, hx=[1.0]), ValueError, r"\|hx\| < 1"),
        (dict(delta=40.0, start="left"), ValueError, "start"),
        (dict(delta=40.0, n_trials=0), ValueError, "n_trials"),
        (dict(delta=40.0, pulse=ud.pulses.Pulse.step(1.0)), TypeError, "trapezoid"),
        (dict(delta=40.0, torque="oersted"), ValueError, "Unknown torque"),
        (dict(delta=40.0, settle=0.0), ValueError, "settle"),
    ],
)
def test_bad_input_is_refused(kwargs, error, match):
    kw = dict(pulse_width=[10.0], n_trials=10)
    kw.update(kwargs)
    with pytest.raises(error, match=match):
        sp([0.5], **kw)


def test_current_density_needs_field_per_current():
    with pytest.raises(ValueError, match="field per current"):
        sp(J=[1e11], pulse_width=[10.0], delta=40.0, H_K=1e5, n_trials=10)


# ------------------------------------------------------------------- physics
def test_early_settle_does_not_change_the_counts():
    """The early end of settled trials (20 k_B T below the saddle) against the
    full relaxation: the same switched counts, trial by trial up to a recrossing
    probability of ~1e-8."""
    kw = dict(pulse_width=[35.0], hx=[0.2], delta=40.0, n_trials=1000, seed=9)
    a = sp([0.8, 0.9, 1.0], **kw)
    b = sp([0.8, 0.9, 1.0], settle=None, **kw)
    assert np.array_equal(a.n_switched.values, b.n_switched.values)


def test_thermalised_start_is_boltzmann_in_its_well():
    """No current and (almost) no time: m_z is the start, which must follow the
    exact Boltzmann marginal of m_z restricted to the well (KS test, h_x = 0 and
    0.3; p > 1e-3)."""
    delta = 10.0
    for hx in (0.0, 0.3):
        ds = sp(
            [0.0], pulse_width=[1e-9], hx=[hx], delta=delta, start="up", t_relax=0.0,
            settle=None, n_trials=4000, seed=2, keep_trials=True,
        )  # fmt: skip
        mz = ds.mz.values.ravel()
        lo = thermal.mz_boltzmann_cdf(0.0, delta, 0.0, hx)

        def cdf(x, lo=lo, hx=hx):
            return (thermal.mz_boltzmann_cdf(x, delta, 0.0, hx) - lo) / (1.0 - lo)

        assert stats.kstest(mz, cdf).pvalue > 1e-3


def test_heun_without_noise_converges_at_second_order():
    """delta = inf: the Heun trajectory against the adaptive Dormand-Prince
    solution (rtol 1e-11) of the same pulse; halving the step divides the error by
    about 4."""
    hx, s, w = 0.2, 0.95, 20.0
    p = ud.pulses.Pulse([0.0, 0.0, w, w], [0.0, 1.0, 1.0, 0.0])
    ref = ud.macrospin.solve(
        [hx, 0, -np.sqrt(1 - hx * hx)], w, h=[hx, 0, 0], h_dl=s, alpha=0.1,
        current=p, rtol=1e-11, atol=1e-13,
    ).m[2]  # fmt: skip
    errs = []
    for dt in (0.04, 0.02, 0.01):
        ds = sp(
            [s], pulse_width=[w], hx=[hx], delta=np.inf, t_relax=0.0, settle=None,
            dt=dt, n_trials=1, seed=0, keep_trials=True,
        )  # fmt: skip
        errs.append(abs(float(ds.mz.values.ravel()[0]) - ref))
    ratios = np.array(errs[:-1]) / np.array(errs[1:])
    assert np.all((ratios > 3.0) & (ratios < 5.5)), (errs, ratios)


def test_zero_temperature_limit_steps_at_the_deterministic_threshold():
    """T = 0 (delta = inf): P_sw is 0 just below and 1 just above the step-current
    threshold of ``switching_threshold`` (pulse as long as its integration)."""
    for torque, hx in (("dirac", 0.2), ("she", 0.2)):
        thr = float(ud.macrospin.switching_threshold([hx], torque=torque, refine=8)[0])
        t_max = 600.0 if torque == "dirac" else 400.0
        ds = sp(
            [0.99 * thr, 1.01 * thr], pulse_width=[t_max], hx=[hx], torque=torque,
            delta=np.inf, n_trials=1, seed=0,
        )  # fmt: skip
        assert ds.P_sw.values.ravel().tolist() == [0.0, 1.0], (torque, thr)


@pytest.mark.slow
def test_near_zero_temperature_is_a_sharp_step():
    """Delta = 1e5 (a thousand times colder than a room-temperature bit): with
    1000 trials P_sw is still exactly 0 at 0.98 and 1 at 1.02 times the T = 0
    threshold."""
    thr = float(ud.macrospin.switching_threshold([0.2], refine=8)[0])
    ds = sp(
        [0.98 * thr, 1.02 * thr], pulse_width=[600.0], hx=[0.2], delta=1e5,
        n_trials=1000, seed=4,
    )  # fmt: skip
    assert ds.n_switched.values.ravel().tolist() == [0, 1000]


def _exact_down_probability(delta, alpha, t):
    """P(m_z(t) < 0) from the exact Fokker-Planck evolution of a uniaxial
    macrospin whose start is Boltzmann-distributed in the up well (reduced
    time t; a Gauss-Legendre average over start levels of the Legendre-Galerkin
    solution of ``UniaxialMacrospin``)."""
    T, Ms, H_K = 300.0, 8e5, 1e5
    K = 0.5 * MU0 * Ms * H_K
    V = delta * KB * T / K
    p = thermal.UniaxialMacrospin(K=K, Ms=Ms, V=V, T=T, alpha=alpha)
    t_unit = 1.0 / (p.gamma0 * p.H_K)
    g = p._galerkin(-1.0)
    # observable: integral of the basis (Legendre P_n) over [-1, 0]
    xq, wq = np.polynomial.legendre.leggauss(200)
    x = 0.5 * (xq - 1.0)
    obs = np.polynomial.legendre.legvander(x, len(g.integral) - 1).T @ (0.5 * wq)
    x0, w0 = np.polynomial.legendre.leggauss(80)
    x0 = 0.5 * (x0 + 1.0)
    w0 = 0.5 * w0 * p.mz_pdf(x0)
    w0 /= w0.sum()
    tau = np.atleast_1d(t) * t_unit * p._rate_unit()
    P = sum(w * g.evolve(tau, x, obs) for x, w in zip(x0, w0, strict=True))
    return P, 1.0 / (p.relaxation_time() / t_unit)


@pytest.mark.slow
def test_no_current_escape_matches_exact_fokker_planck():
    """No current, Delta = 5, alpha = 1: the probability to be found in the other
    well after t against the exact Fokker-Planck value (which for t >> the well
    relaxation is (1 - exp(-lambda_1 t))/2, lambda_1 = 2 k the Neel-Brown escape
    rate); 10^4 trials per time, within 4 binomial standard errors."""
    delta, alpha = 5.0, 1.0
    t = np.array([25.0, 50.0, 100.0, 200.0])
    ds = sp(
        [0.0], pulse_width=t, hx=[0.0], delta=delta, alpha=alpha, start="up",
        t_relax=0.0, settle=None, step_fraction=0.05, n_trials=10_000, seed=11,
    )  # fmt: skip
    P = ds.P_sw.values.ravel()
    exact, lam = _exact_down_probability(delta, alpha, t)
    se = np.sqrt(exact * (1 - exact) / 10_000)
    assert np.all(np.abs(P - exact) < 4 * se), (P, exact, se)
    two_state = 0.5 * (1 - np.exp(-lam * t))
    assert np.allclose(exact[1:], two_state[1:], atol=0.01)  # t >> well relaxation


@pytest.mark.slow
def test_damping_tensor_keeps_the_boltzmann_equilibrium():
    """delta_alpha = 1 (alpha = 0.1), barrier 3 k_B T, no current, five free
    diffusion times: |m_z| of 10^4 trials against the exact Boltzmann marginal
    (KS, p > 1e-3). The noise follows the damping tensor and the tensor's drift
    is added (``kernels.thermal_field``/``thermal_drift``); without the drift
    <|m_z|> is 0.777 instead of 0.753 (docs/THERMAL.md), which this sample size
    resolves (KS distance ~0.03 vs a 1e-3 critical value of 0.02)."""
    delta, alpha = 3.0, 0.1
    tau_N = (1 + alpha**2) * delta / alpha
    ds = sp(
        [0.0], pulse_width=[5 * tau_N], hx=[0.0], delta=delta, alpha=alpha,
        delta_alpha=1.0, start="up", t_relax=0.0, settle=None, n_trials=10_000,
        seed=12, keep_trials=True,
    )  # fmt: skip
    a = np.abs(ds.mz.values.ravel())

    def cdf(x):
        return 2.0 * thermal.mz_boltzmann_cdf(x, delta) - 1.0

    res = stats.kstest(a, cdf)
    assert res.pvalue > 1e-3, (res, a.mean())


@pytest.mark.slow
def test_weak_convergence_in_the_step():
    """P_sw near 0.5 at step fractions 0.2, 0.1 (default), 0.05 against 0.025:
    the default is within 4 standard errors of the difference of two estimates
    (2 x 10^4 trials each)."""
    kw = dict(pulse_width=[40.0], hx=[0.2], delta=40.0, n_trials=20_000, seed=7)
    P = {
        c: sp([0.9], step_fraction=c, **kw).P_sw.item() for c in (0.2, 0.1, 0.05, 0.025)
    }
    se = np.sqrt(2 * 0.25 / 20_000)
    for c in (0.1, 0.05):
        assert abs(P[c] - P[0.025]) < 4 * se, P


@pytest.mark.slow
def test_wilson_interval_coverage():
    """200 independent estimates of n = 500 trials of one point: the 95 % Wilson
    interval contains the pooled estimate (10^5 trials, standard error 0.0015)
    in 95 % of them; the count is binomial(200, 0.95): accept >= 180 (4 sigma)."""
    kw = dict(pulse_width=[60.0], hx=[0.0], delta=5.0, alpha=1.0, start="up",
              t_relax=0.0, settle=None, n_trials=500)  # fmt: skip
    runs = [sp([0.0], seed=1000 + r, **kw) for r in range(200)]
    k = np.array([r.n_switched.item() for r in runs])
    p = k.sum() / (500 * len(runs))
    assert 0.1 < p < 0.4
    lo = np.array([r.ci_low.item() for r in runs])
    hi = np.array([r.ci_high.item() for r in runs])
    assert ((lo <= p) & (p <= hi)).sum() >= 180


def _width_10_90(s, P):
    """Current span of the rising flank from P = 0.1 to P = 0.9 (linear
    interpolation at the first crossings)."""

    def crossing(level):
        i = int(np.argmax(P >= level))
        assert P[i] >= level and i > 0
        return s[i - 1] + (level - P[i - 1]) * (s[i] - s[i - 1]) / (P[i] - P[i - 1])

    return crossing(0.9) - crossing(0.1)


@pytest.mark.slow
def test_transition_broadens_with_temperature_dirac_and_spin_hall():
    """P_sw(s) at h_x = 0.2, pulse 100/(gamma0 H_K), Delta = 160 and 640 (T four
    times apart): the 10-90 % width of the rising flank is larger at the higher
    temperature, for both torques, and the Dirac flank is wider than the
    spin-Hall one (2000 trials: the crossings are located to ~0.003)."""
    grids = {
        "dirac": np.round(np.arange(0.7, 1.11, 0.025), 4),
        "she": np.round(np.arange(0.26, 0.37, 0.01), 4),
    }
    width = {}
    for torque, s in grids.items():
        for delta in (160.0, 640.0):
            ds = sp(
                s, pulse_width=[100.0], hx=[0.2], torque=torque, delta=delta,
                n_trials=2000, seed=21,
            )  # fmt: skip
            width[torque, delta] = _width_10_90(s, ds.P_sw.values.ravel())
    for torque in grids:
        assert width[torque, 160.0] > 1.5 * width[torque, 640.0], width
    assert width["dirac", 160.0] > width["she", 160.0], width
