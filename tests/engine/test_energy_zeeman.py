"""Zeeman field, energy and time dependence against oommfc's formulas."""

import math
import warnings

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

from ubermag_dirac.engine.energy import MU0
from ubermag_dirac.engine.energy.zeeman import ZeemanImpl, tcl_round
from ubermag_dirac.engine.registry import UnsupportedTermError

from .conftest import grid_of as engine_grid

Ms = 8e5
H0 = np.array([1e5, -2e4, 3e5])


def grid_of(n=(2, 1, 1), norm=Ms, systems=1, subregions=None):
    return engine_grid(
        n, [norm] * systems, value=(0.6, 0, 0.8), subregions=subregions or {}
    )


def applied(z, t, grid):
    """The applied field of system 0, cell 0, at time t (A/m)."""
    return z.field(grid.unit_m(), t)[0, :, 0, 0, 0]


def test_constant_vector_dict_and_field_with_empty_cells():
    subregions = {
        "a": df.Region(p1=(0, 0, 0), p2=(1e-9, 1e-9, 1e-9)),
        "b": df.Region(p1=(1e-9, 0, 0), p2=(3e-9, 1e-9, 1e-9)),
    }

    def norm(p):
        return 0.0 if p[0] > 2e-9 else Ms

    grid = grid_of((3, 1, 1), norm=norm, subregions=subregions)
    m = grid.unit_m()
    Hb = (0.0, 0.0, -1e5)
    H_field = df.Field(
        grid.mesh, nvdim=3, value=lambda p: tuple(H0) if p[0] < 1e-9 else Hb
    )
    for H in ({"a": tuple(H0), "b": Hb}, H_field):
        z = ZeemanImpl([mm.Zeeman(H=H)], grid)
        assert not z.time_dependent
        field = z.field(m, 0.0)[0, :, :, 0, 0]
        np.testing.assert_array_equal(field[:, 0], H0)
        np.testing.assert_array_equal(field[:, 1], Hb)
        np.testing.assert_array_equal(field[:, 2], 0.0)  # empty cell
        w = z.energy_density(m, 0.0)[0, :, 0, 0]
        mm0 = m[0, :, :, 0, 0]
        assert w[0] == pytest.approx(-MU0 * Ms * mm0[:, 0] @ H0, rel=1e-14)
        assert w[1] == pytest.approx(-MU0 * Ms * mm0[:, 1] @ Hb, rel=1e-14)
        assert w[2] == 0.0
    z = ZeemanImpl([mm.Zeeman(H=tuple(H0))], grid)
    assert z.energy(m, 0.0)[0] == pytest.approx(
        -MU0 * Ms * 2e-27 * (m[0, :, 0, 0, 0] @ H0), rel=1e-14, abs=0
    )


@pytest.mark.parametrize("t", [0.0, 0.13e-9, 0.25e-9, 0.7e-9, 1.3e-9])
def test_sin_and_sinc_follow_the_oommfc_tcl_procs(t):
    f, t0 = 2.3e9, 0.1e-9
    grid = grid_of()
    zs = ZeemanImpl([mm.Zeeman(H=tuple(H0), func="sin", f=f, t0=t0)], grid)
    zc = ZeemanImpl([mm.Zeeman(H=tuple(H0), func="sinc", f=f, t0=t0)], grid)
    assert zs.time_dependent and zc.time_dependent
    x = 2 * math.pi * f * (t - t0)
    np.testing.assert_allclose(applied(zs, t, grid), math.sin(x) * H0, rtol=1e-13)
    np.testing.assert_allclose(applied(zc, t, grid), math.sin(x) / x * H0, rtol=1e-13)


def test_sinc_is_one_at_t0_and_dict_field_is_scaled_too():
    subregions = {"a": df.Region(p1=(0, 0, 0), p2=(2e-9, 1e-9, 1e-9))}
    grid = grid_of(subregions=subregions)
    z = ZeemanImpl([mm.Zeeman(H={"a": tuple(H0)}, func="sinc", f=1e9, t0=0.2e-9)], grid)
    np.testing.assert_array_equal(applied(z, 0.2e-9, grid), H0)
    np.testing.assert_allclose(
        applied(z, 0.45e-9, grid), math.sin(math.pi / 2) / (math.pi / 2) * H0
    )


def test_deprecated_wave_is_the_same_as_func():
    grid = grid_of()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = mm.Zeeman(H=tuple(H0), wave="sin", f=1e9, t0=0.0)
    new = mm.Zeeman(H=tuple(H0), func="sin", f=1e9, t0=0.0)
    a, b = ZeemanImpl([old], grid), ZeemanImpl([new], grid)
    for t in (0.1e-9, 0.33e-9):
        np.testing.assert_array_equal(applied(a, t, grid), applied(b, t, grid))


def test_tcl_round_halves_away_from_zero():
    assert [tcl_round(x) for x in (0.5, 1.5, 2.5, 2.4999, -0.5, -1.5)] == [
        1,
        2,
        3,
        2,
        -1,
        -2,
    ]


def test_callable_func_is_sampled_at_the_nearest_multiple_of_dt():
    calls = []

    def func(t):
        calls.append(t)
        return 1.0 + t**2

    dt = 0.5  # exact binary fractions: index = round(t / dt) is unambiguous
    grid = grid_of()
    z = ZeemanImpl([mm.Zeeman(H=tuple(H0), func=func, dt=dt)], grid)
    for t, n in ((0.0, 0), (0.2, 0), (0.25, 1), (0.7, 1), (1.25, 3), (1.2, 2)):
        np.testing.assert_allclose(applied(z, t, grid), (1.0 + (n * dt) ** 2) * H0)
    # each sample is evaluated once and cached
    assert sorted(set(calls)) == sorted(calls)


def test_callable_matrix_func_rotates_the_field():
    omega = 2 * math.pi * 1e9

    def rotation(t):
        c, s = math.cos(omega * t), math.sin(omega * t)
        return [c, -s, 0, s, c, 0, 0, 0, 1]

    dt = 1e-13
    grid = grid_of()
    z = ZeemanImpl([mm.Zeeman(H=tuple(H0), func=rotation, dt=dt)], grid)
    t = 0.123456e-9
    n = tcl_round(t / dt)
    R = np.array(rotation(n * dt)).reshape(3, 3)
    np.testing.assert_allclose(applied(z, t, grid), R @ H0, rtol=1e-13)
    m = grid.unit_m()
    w = z.energy_density(m, t)[0, 0, 0, 0]
    assert w == pytest.approx(-MU0 * Ms * m[0, :, 0, 0, 0] @ (R @ H0), rel=1e-13)


def test_per_system_times_and_parameters():
    grid = grid_of(systems=3)
    terms = [
        mm.Zeeman(H=tuple(H0), func="sin", f=1e9, t0=0.0),
        mm.Zeeman(H=(0, 0, 5e4)),
        mm.Zeeman(H=tuple(-H0), func="sinc", f=2e9, t0=0.0),
    ]
    z = ZeemanImpl(terms, grid)
    t = np.array([0.25e-9, 7.0, 0.1e-9])
    H = z.field(grid.unit_m(), t)[:, :, 0, 0, 0]
    np.testing.assert_allclose(H[0], H0, rtol=1e-13)
    np.testing.assert_array_equal(H[1], (0, 0, 5e4))
    x = 2 * math.pi * 2e9 * 0.1e-9
    np.testing.assert_allclose(H[2], -math.sin(x) / x * H0, rtol=1e-13)
    # a float t is used by every system
    H = z.field(grid.unit_m(), 0.25e-9)[:, :, 0, 0, 0]
    np.testing.assert_allclose(H[0], H0, rtol=1e-13)
    with pytest.raises(ValueError, match=r"t: expected a number or an array"):
        z.field(grid.unit_m(), np.zeros(2))


def test_tcl_strings_script_uzeeman_and_transform():
    grid = grid_of()
    tcl = {
        "script": """proc TimeFunction { total_time } {
            set Hx [expr {sin($total_time * 1e10)}]
            set dHx [expr {1e10 * cos($total_time * 1e10)}]
            return [list $Hx 0 0 $dHx 0 0]
        }""",
        "energy": "Oxs_ScriptUZeeman",
        "script_args": "total_time",
        "script_name": "TimeFunction",
    }
    z = ZeemanImpl([mm.Zeeman(H=tuple(H0), tcl_strings=tcl)], grid)
    t = 0.37e-10
    np.testing.assert_allclose(applied(z, t, grid), (math.sin(t * 1e10), 0, 0))
    transform = {
        "script": """proc Rot { total_time } {
            set ct [expr {cos(1e9*$total_time)}]
            set st [expr {sin(1e9*$total_time)}]
            return [list $ct [expr {-$st}] 0 $st $ct 0 0 0 1 0 0 0 0 0 0 0 0 0]
        }""",
        "energy": "Oxs_TransformZeeman",
        "type": "general",
        "script_args": "total_time",
        "script_name": "Rot",
    }
    z = ZeemanImpl([mm.Zeeman(H=tuple(H0), tcl_strings=transform)], grid)
    c, s = math.cos(1e9 * t), math.sin(1e9 * t)
    R = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    np.testing.assert_allclose(applied(z, t, grid), R @ H0, rtol=1e-13)
    bad = dict(tcl, script_args="stage total_time")
    with pytest.raises(UnsupportedTermError, match="script_args"):
        ZeemanImpl([mm.Zeeman(H=tuple(H0), tcl_strings=bad)], grid)


def test_two_terms_with_different_names_are_independent():
    grid = grid_of()
    a = mm.Zeeman(H=(1e6, 0, 0), func=lambda t: math.cos(2e10 * t), dt=5e-12, name="x")
    b = mm.Zeeman(H=(0, 1e6, 0), func="sin", f=1e10, t0=0, name="y")
    za, zb = ZeemanImpl([a], grid), ZeemanImpl([b], grid)
    assert (za.name, zb.name) == ("x", "y")
    t = 0.02e-9
    assert applied(za, t, grid)[1] == 0.0 and applied(zb, t, grid)[0] == 0.0


def test_missing_parameters_are_named():
    grid = grid_of()
    with pytest.raises(ValueError, match=r"Zeeman.f / Zeeman.t0"):
        ZeemanImpl([mm.Zeeman(H=tuple(H0), func="sin", f=1e9)], grid)
    with pytest.raises(ValueError, match=r"Zeeman.dt"):
        ZeemanImpl([mm.Zeeman(H=tuple(H0), func=math.cos)], grid)
    with pytest.raises(ValueError, match=r"Zeeman.H: expected"):
        ZeemanImpl([mm.Zeeman(H=df.Field(grid.mesh, nvdim=1, value=1.0))], grid)


def test_applied_field_of_uniform_terms_for_the_table():
    subregions = {"a": df.Region(p1=(0, 0, 0), p2=(2e-9, 1e-9, 1e-9))}
    grid = grid_of(systems=3, subregions=subregions)
    terms = [
        mm.Zeeman(H=(1e6, 0, 0), func="sin", f=1e9, t0=0.0),
        mm.Zeeman(H=(0, 2e5, 0)),
        mm.Zeeman(H={"a": (0, 0, 1e5)}),
    ]
    z = ZeemanImpl(terms, grid)
    t = np.array([0.125e-9, 0.3e-9, 0.0])
    Ha = z.applied_field(t)
    np.testing.assert_allclose(Ha[0], (1e6 * math.sin(math.pi / 4), 0, 0), rtol=1e-13)
    np.testing.assert_array_equal(Ha[1], (0, 2e5, 0))
    assert np.isnan(Ha[2]).all()
    # it is the field the term applies in every magnetic cell
    H = z.field(grid.unit_m(), t)
    np.testing.assert_allclose(H[:2, :, 1, 0, 0], Ha[:2], rtol=1e-13)
