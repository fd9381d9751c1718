"""Thermal switching probabilities of films (slow physics runs).

* P_sw(J) of an 8 x 8 x 1 film with the Dirac torque built from a surface
  (field-like/damping-like = -30, the paper's regime) at 300 K: 0 at J = 0, 1
  well above the deterministic (T = 0) threshold, monotonic within the Wilson
  intervals.
* A single-cell film against an independent computation of the same protocol
  with the Ubermag drivers (MinDriver at T = 0, then ud.TimeDriver with
  ud.StochasticHeunEvolver trial by trial): the two switched fractions agree
  within binomial errors (two-proportion z test, |z| < 3).
* The same single cell against the compiled macrospin Monte Carlo
  (ud.macrospin.switching_probability with macrospin_equivalent's arguments):
  agreement at four torques (two-proportion z test, |z| <= 3 each).
* Dirac against spin-Hall torque of the same damping-like amplitude, side by
  side (compare_probability).
"""

import copy

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac import switching as sw

from .conftest import film

pytestmark = pytest.mark.slow

SURFACE = ud.theory.preset("Bi2Se3")


def dirac_film():
    """8 x 8 x 1 cells of 10 x 10 x 2 nm^3, Dirac torque from the surface."""
    s = film(n=(8, 8, 1), cell=(10e-9, 10e-9, 2e-9), K=6e5, alpha=0.5, demag=False)
    s.dynamics -= s.dynamics.diracsot
    s.dynamics += ud.DiracSOT.from_surface(SURFACE, J=1e11, thickness=2e-9, Ms=8e5)
    s.T = 300
    return s


def test_film_switching_probability_against_current_density():
    s = dirac_film()
    H_K = sw.effective_anisotropy(s)["H_K_eff"]
    hx = [0.1 * H_K]
    protocol = {"pulse_width": [2e-10], "t_relax": 2e-10}
    # the deterministic threshold (T = 0) of the same pulse
    s0 = copy.copy(s)
    s0.T = 0
    J_grid = np.linspace(0, 3e13, 13)
    det = sw.phase_diagram(
        s,
        hx,
        J=J_grid,
        pulse=sw.Trapezoid(duration=2e-10),
        t_run=4e-10,
        starts="up",
        progress=False,
    )
    lost = det.mz_up.values[0] < 0  # H_DL per J < 0 here: hsot runs negative
    J_th = float(J_grid[np.argmax(lost)]) if lost.any() else np.nan
    assert 0 < J_th < 3e13
    J = np.array([0.0, 0.8, 0.9, 1.0, 1.25, 2.0]) * J_th
    ds = sw.switching_probability(
        s, hx, J=J, n_trials=60, seed=7, starts="up", progress=False, **protocol
    )
    P = ds.P_sw.values[0, :, 0]
    low, high = ds.ci_low.values[0, :, 0], ds.ci_high.values[0, :, 0]
    assert P[0] == 0.0  # no current: the barrier (1850 k_B T) holds
    assert P[-1] == 1.0  # twice the deterministic threshold: every trial
    # monotonic within the 95 % intervals
    assert np.all(high[1:] >= low[:-1]), P
    np.testing.assert_allclose(ds.J.values, J, rtol=1e-12)
    print("J_th", J_th, "P_sw", P)


def bit(T=300.0):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 2e-9), n=(1, 1, 1))
    s = mm.System(name="bit")
    s.energy = mm.UniaxialAnisotropy(K=1.5e6, u=(0, 0, 1))
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.5)
    s.dynamics += ud.SpinHallSOT(H_SH=0.0)
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    s.T = T
    return s


HX, HSOT, WIDTH, T_RELAX = 3e5, -0.8e6, 1e-10, 1e-10


def _driver_trials(n, tmp_path):
    """The protocol with Ubermag's drivers, one trial at a time."""
    s = bit()
    s.energy += mm.Zeeman(H=(HX, 0, 0))
    ud.MinDriver().drive(s, dirname=tmp_path / "relax", verbose=0)  # ignores T
    relaxed = s.m.array.copy()
    mz0 = float(relaxed[..., 2].mean())
    switched = 0
    for k in range(n):
        s.m = df.Field(s.m.mesh, nvdim=3, value=relaxed, norm=8e5)
        s.dynamics.spinhallsot.H_SH = HSOT
        s.dynamics.spinhallsot.func = sw.Trapezoid(duration=WIDTH)
        td = ud.TimeDriver(evolver=ud.StochasticHeunEvolver(seed=1000 + k))
        td.drive(s, t=WIDTH + T_RELAX, n=1, dirname=tmp_path / "td", verbose=0)
        switched += np.sign(s.m.array[..., 2].mean()) != np.sign(mz0)
    return int(switched)


def test_single_cell_film_agrees_with_an_independent_driver_computation(tmp_path):
    ds = sw.switching_probability(
        bit(),
        [HX],
        [HSOT],
        pulse_width=[WIDTH],
        t_relax=T_RELAX,
        n_trials=400,
        seed=3,
        starts="up",
        progress=False,
    )
    k_film, n_film = int(ds.n_switched.values.item()), int(ds.n_trials.values.item())
    n_drv = 40
    k_drv = _driver_trials(n_drv, tmp_path)
    p = (k_film + k_drv) / (n_film + n_drv)
    z = (k_film / n_film - k_drv / n_drv) / np.sqrt(
        p * (1 - p) * (1 / n_film + 1 / n_drv)
    )
    print("film", k_film, n_film, "drivers", k_drv, n_drv, "z", z)
    assert 0.1 < k_film / n_film < 0.9  # an informative point
    assert abs(z) < 3


def test_dirac_against_spin_hall_side_by_side():
    """The same damping-like amplitude with the Dirac field-like torque
    (H_FL = -30 H_DL) and without it (spin Hall, no field-like term)."""
    she = film(
        n=(8, 8, 1),
        cell=(10e-9, 10e-9, 2e-9),
        torque="she",
        K=6e5,
        alpha=0.5,
        demag=False,
    )
    she.T = 300
    dirac = dirac_film()
    H_K = sw.effective_anisotropy(she)["H_K_eff"]
    b = ud.theory.Bilayer.from_term(dirac.dynamics.diracsot)
    # H_DL of the Dirac threshold at J ~ 1.5e13 A/m^2 (0.034 H_K, test above)
    hs = np.array([0.0, 0.06]) * H_K * np.sign(b.H_DL_per_J)
    kw = {"pulse_width": [2e-10], "t_relax": 2e-10, "n_trials": 30, "seed": 5}
    kw["starts"] = "up"
    a = sw.switching_probability(dirac, [0.1 * H_K], hs, progress=False, **kw)
    c = sw.switching_probability(she, [0.1 * H_K], hs, progress=False, **kw)
    side = sw.compare_probability(a, c, labels=("dirac", "she"))
    assert side.P_sw_dirac.dims == ("hx", "hsot", "pulse_width")
    print("dirac", side.P_sw_dirac.values.ravel(), "she", side.P_sw_she.values.ravel())
    # no current: neither switches (they agree)
    assert side.P_sw_dirac.values[0, 0, 0] == side.P_sw_she.values[0, 0, 0] == 0.0
    assert side.agree.values[0, 0, 0]
    # the field-like torque (-30 H_DL) switches the Dirac film far below the
    # spin-Hall threshold (about H_K/2): every Dirac trial, no spin-Hall one
    assert side.P_sw_dirac.values[0, 1, 0] == 1.0
    assert side.P_sw_she.values[0, 1, 0] == 0.0
    assert not side.agree.values[0, 1, 0]


def test_single_cell_film_agrees_with_the_macrospin_monte_carlo():
    """One cell of the film calculator against the compiled macrospin Monte
    Carlo with the film's macrospin-equivalent arguments (macrospin_equivalent):
    P_sw within binomial errors (two-proportion z test, |z| < 3 per point).
    The macrospin starts Boltzmann-distributed in its well, the film from the
    T = 0 relaxed state: at a barrier of 11.6 k_B T the difference of the
    starts is below the statistical resolution of these trials."""
    film_ds = sw.switching_probability(
        bit(),
        [HX],
        [0.0, 0.6e6, 0.8e6, 1.0e6],
        pulse_width=[WIDTH],
        t_relax=T_RELAX,
        n_trials=300,
        seed=4,
        progress=False,
    )
    kw = sw.macrospin_equivalent(film_ds)
    assert kw["delta"] == pytest.approx(1.5e6 * 32e-27 / (1.380649e-23 * 300))
    macro = ud.macrospin.switching_probability(**kw, n_trials=4000, seed=4)
    side = sw.compare_probability(film_ds, macro)
    print(side.P_sw_film.values.ravel(), side.P_sw_macrospin.values.ravel())
    print(side.z.values.ravel())
    # without current both reverse spontaneously, rarely (barrier 11.6 k_B T)
    assert side.P_sw_macrospin.values[0, 0, 0] < 0.01
    assert side.agree.values.all(), side.z.values.ravel()
