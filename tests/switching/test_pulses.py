"""Picklable pulses: values, breakpoints, replace, macrospin conversion."""

import math
import pickle

import numpy as np
import pytest

from ubermag_dirac import switching as sw


def test_trapezoid_values_and_corners():
    p = sw.Trapezoid(t_on=1e-10, rise=2e-10, duration=3e-10, fall=1e-10, amplitude=2)
    t = np.array([0, 1e-10, 2e-10, 3e-10, 6e-10, 6.5e-10, 7e-10, 1e-9])
    assert [p(x) for x in t] == pytest.approx([0, 0, 1, 2, 2, 1, 0, 0])
    assert p.constant_after == pytest.approx(7e-10)


def test_step_is_right_continuous_and_constant_after():
    s = sw.Step(t_on=5e-11)
    assert s(5e-11 - 1e-20) == 0.0
    assert s(5e-11) == 1.0
    assert s.constant_after == 5e-11
    assert sw.Trapezoid(rise=1e-10).constant_after == 1e-10  # never switched off


def test_pulses_pickle_and_compare_by_value():
    for p in (
        sw.Step(1e-10),
        sw.Trapezoid(rise=1e-10, duration=1e-9),
        sw.PiecewiseLinear([0, 1e-9], [0, 1]),
        sw.Sine(f=2e9, amplitude=0.5, start_at_t0=True, t0=1e-10),
    ):
        q = pickle.loads(pickle.dumps(p))
        assert q == p
        assert q(3.3e-10) == p(3.3e-10)
        assert eval(repr(p), {"inf": math.inf, **vars(sw)}) == p
    assert sw.Step() != sw.Step(amplitude=2.0)


def test_replace_changes_one_parameter_and_names_unknown_ones():
    p = sw.Trapezoid(rise=1e-10, duration=1e-9, fall=1e-10)
    q = p.replace(rise=3e-10)
    assert q.rise == 3e-10 and q.duration == 1e-9 and p.rise == 1e-10
    with pytest.raises(AttributeError, match="'width'"):
        p.replace(width=1.0)


def test_invalid_pulses_are_refused():
    with pytest.raises(ValueError, match="fall"):
        sw.Trapezoid(fall=-1.0)
    with pytest.raises(ValueError, match="non-decreasing"):
        sw.PiecewiseLinear([1, 0], [0, 1])
    with pytest.raises(ValueError, match="f must be > 0"):
        sw.Sine(f=0.0)


def test_to_macrospin_rescales_time():
    unit = 1e-11
    p = sw.Trapezoid(rise=2e-10, duration=1e-10, fall=3e-10)
    mp = p.to_macrospin(unit)
    tau = np.array([0.0, 10.0, 20.0, 30.0, 45.0, 60.0])
    assert mp(tau) == pytest.approx([p(x * unit) for x in tau])
    assert mp.is_table  # table pulses run in the compiled macrospin kernel
    s = sw.Sine(f=1e9).to_macrospin(unit)
    assert s(25.0) == pytest.approx(sw.Sine(f=1e9)(25.0 * unit))
