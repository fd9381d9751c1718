"""Time dependence of the torque (current) and applied-field amplitudes."""

import math
import numbers

import numpy as np

__all__ = ["Pulse", "as_pulse"]


class Pulse:
    r"""Dimensionless amplitude :math:`a(t)` multiplying a torque or a field.

    A pulse is either a piecewise-linear table (fast path, handled inside the
    compiled integrator, which never steps across a breakpoint) or an arbitrary
    Python callable of time (Python-driven integrator with a shared step).

    The table value is ``values[0]`` before ``times[0]``, ``values[-1]`` after
    ``times[-1]`` and linear in between. A repeated time makes a step; the pulse
    is right-continuous, so a step at ``t = 0`` is already on at ``t = 0``.

    Parameters
    ----------
    times : array_like of float
        Non-decreasing breakpoints (same time unit as the solver: reduced
        :math:`1/(\gamma_0 H_K)` for :func:`solve`, seconds for :func:`solve_si`).
    values : array_like of float
        Amplitude at each breakpoint (dimensionless).
    func : callable, optional
        ``func(t) -> float``; used instead of a table (mutually exclusive).

    Examples
    --------
    >>> from ubermag_dirac.macrospin import Pulse
    >>> p = Pulse.trapezoid(t_on=1.0, rise=2.0, duration=3.0, fall=1.0)
    >>> p([0.0, 2.0, 4.0, 6.5, 10.0])
    array([0. , 0.5, 1. , 0.5, 0. ])
    >>> Pulse.step(t_on=0.0)(0.0)
    array(1.)
    >>> Pulse([1.0, 0.0], [0.0, 1.0])
    Traceback (most recent call last):
    ...
    ValueError: Pulse times must be non-decreasing.
    """

    def __init__(self, times=None, values=None, *, func=None):
        if func is not None:
            if times is not None or values is not None:
                raise ValueError("Give either times/values or func, not both.")
            if not callable(func):
                raise TypeError(f"func must be callable, not {type(func).__name__}.")
            self.func = func
            self.times = None
            self.values = None
            return
        if times is None or values is None:
            raise ValueError("A table pulse needs both times and values.")
        times = np.atleast_1d(np.asarray(times, dtype=float))
        values = np.atleast_1d(np.asarray(values, dtype=float))
        if times.ndim != 1 or times.shape != values.shape or times.size == 0:
            raise ValueError("Pulse times and values must be 1D of equal length >= 1.")
        if not (np.all(np.isfinite(times)) and np.all(np.isfinite(values))):
            raise ValueError("Pulse times and values must be finite.")
        if np.any(np.diff(times) < 0):
            raise ValueError("Pulse times must be non-decreasing.")
        self.func = None
        self.times = times
        self.values = values

    # ----------------------------------------------------------- constructors
    @classmethod
    def constant(cls, amplitude=1.0):
        """Constant amplitude at all times.

        Examples
        --------
        >>> Pulse.constant(0.5)(3.0)
        array(0.5)
        >>> Pulse.constant(float("inf"))
        Traceback (most recent call last):
        ...
        ValueError: Pulse times and values must be finite.
        """
        return cls([0.0], [float(amplitude)])

    @classmethod
    def step(cls, t_on=0.0, amplitude=1.0):
        """Zero before ``t_on``, ``amplitude`` from ``t_on`` on.

        Examples
        --------
        >>> Pulse.step(2.0)([1.9, 2.0])
        array([0., 1.])
        >>> Pulse.step(float("nan"))
        Traceback (most recent call last):
        ...
        ValueError: t_on must be finite, not nan.
        """
        return cls.trapezoid(t_on=t_on, amplitude=amplitude)

    @classmethod
    def ramp(cls, duration, t_on=0.0, amplitude=1.0):
        """Linear rise from 0 at ``t_on`` to ``amplitude`` at ``t_on + duration``.

        Examples
        --------
        >>> Pulse.ramp(10.0)([0.0, 5.0, 20.0])
        array([0. , 0.5, 1. ])
        >>> Pulse.ramp(-1.0)
        Traceback (most recent call last):
        ...
        ValueError: rise must be >= 0, not -1.0.
        """
        return cls.trapezoid(t_on=t_on, rise=duration, amplitude=amplitude)

    @classmethod
    def trapezoid(cls, t_on=0.0, rise=0.0, duration=math.inf, fall=0.0, amplitude=1.0):
        """Trapezoidal pulse: linear rise, plateau, linear fall.

        Parameters
        ----------
        t_on : float
            Start of the rise.
        rise, fall : float
            Rise and fall times (0 gives a step).
        duration : float
            Length of the plateau at ``amplitude`` (``inf``: never switched off).
        amplitude : float
            Plateau value.

        Examples
        --------
        >>> Pulse.trapezoid(t_on=0.0, duration=5.0)([0.0, 4.9, 5.0])
        array([1., 1., 0.])
        """
        for name, v in (("rise", rise), ("fall", fall), ("duration", duration)):
            if not isinstance(v, numbers.Real) or not v >= 0:
                raise ValueError(f"{name} must be >= 0, not {v}.")
        if not math.isfinite(t_on):
            raise ValueError(f"t_on must be finite, not {t_on}.")
        t = [t_on, t_on + rise]
        v = [0.0, amplitude]
        if math.isfinite(duration):
            t += [t_on + rise + duration, t_on + rise + duration + fall]
            v += [amplitude, 0.0]
        return cls(t, v)

    @classmethod
    def from_function(cls, func):
        """Wrap an arbitrary callable ``func(t) -> float`` (slower Python path).

        Examples
        --------
        >>> import numpy as np
        >>> Pulse.from_function(lambda t: np.sin(t))(0.0)
        array(0.)
        >>> Pulse.from_function(3.0)
        Traceback (most recent call last):
        ...
        TypeError: func must be callable, not float.
        """
        return cls(func=func)

    # -------------------------------------------------------------- behaviour
    @property
    def is_table(self):
        """True for a piecewise-linear table (compiled fast path)."""
        return self.func is None

    @property
    def is_constant_after(self):
        """Time after which the amplitude no longer changes (table pulses)."""
        return self.times[-1] if self.is_table else math.inf

    def __call__(self, t):
        """Amplitude at time(s) ``t`` (right-continuous at steps)."""
        t = np.asarray(t, dtype=float)
        if not self.is_table:
            return np.asarray(np.vectorize(self.func, otypes=[float])(t))
        tk, vk = self.times, self.values
        idx = np.searchsorted(tk, t, side="right") - 1
        k = np.clip(idx, 0, len(tk) - 1)
        k1 = np.clip(idx + 1, 0, len(tk) - 1)
        dtk = tk[k1] - tk[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            lin = vk[k] + (vk[k1] - vk[k]) * np.where(dtk > 0, (t - tk[k]) / dtk, 0.0)
        out = np.where(idx < 0, vk[0], np.where(idx >= len(tk) - 1, vk[-1], lin))
        return np.asarray(out)

    def scaled(self, time_factor):
        """Same pulse with times multiplied by ``time_factor`` (unit change).

        Examples
        --------
        >>> Pulse.ramp(1e-9).scaled(1e9).times
        array([0., 1.])
        >>> Pulse.ramp(1.0).scaled(0.0)
        Traceback (most recent call last):
        ...
        ValueError: time_factor must be > 0, got 0.0.
        """
        if not (np.isfinite(time_factor) and time_factor > 0):
            raise ValueError(f"time_factor must be > 0, got {time_factor}.")
        if self.is_table:
            return Pulse(self.times * time_factor, self.values)
        f = self.func
        return Pulse(func=lambda t: f(t / time_factor))

    def __repr__(self):
        if self.is_table:
            return f"Pulse(times={self.times.tolist()}, values={self.values.tolist()})"
        return f"Pulse(func={self.func!r})"


def as_pulse(p, name):
    """Convert None / number / callable / Pulse into a Pulse (private helper)."""
    if p is None:
        return Pulse.constant(1.0)
    if isinstance(p, Pulse):
        return p
    if isinstance(p, numbers.Real):
        return Pulse.constant(float(p))
    if callable(p):
        return Pulse(func=p)
    raise TypeError(
        f"{name} must be None, a number, a Pulse or a callable of t, "
        f"not {type(p).__name__}."
    )
