r"""Pulses: the dimensionless time dependence :math:`a(t)` of a current or a field.

One concept for the whole package. A :class:`Pulse` multiplies a torque
amplitude (the current) or an applied field:

* in the macrospin (:func:`ubermag_dirac.macrospin.solve`, reduced time), a
  piecewise-linear *table* pulse runs inside the compiled integrator (which
  never steps across a breakpoint); any other pulse is called from Python;
* in films it is the ``func(t)`` of a term (``ud.DiracSOT(func=...)``,
  ``mm.Zeeman(func=..., dt=...)``, time in s), and the switching sweeps
  (:func:`ubermag_dirac.switching.phase_diagram`) send pulses to worker
  processes, so the named pulses are picklable, compare equal by value, have a
  ``repr`` that recreates them and :meth:`Pulse.replace` returns a modified copy
  (how ``"pulse.rise"`` and similar sweep keys vary the pulse).

Classes: :class:`Pulse` itself is a table (``Pulse(times, values)``) or wraps a
callable (``Pulse(func=f)``); :class:`PiecewiseLinear` (a table),
:class:`Trapezoid` and :class:`Step` (tables with named parameters),
:class:`Sine` (a function). Every pulse knows :attr:`Pulse.constant_after`, the
time from which it no longer changes, and converts between time units with
:meth:`Pulse.scaled` (:meth:`Pulse.to_macrospin` for the reduced time
:math:`\tau = t/t_u`).

Tables are ``values[0]`` before ``times[0]``, ``values[-1]`` after
``times[-1]`` and linear in between; a repeated time makes a step, and pulses
are right-continuous (a step at ``t = 0`` is already on at ``t = 0``).
Calling a pulse with a number gives a float, with an array an array.

Examples
--------
>>> from ubermag_dirac.pulses import Pulse, Trapezoid
>>> p = Trapezoid(t_on=1.0, rise=2.0, duration=3.0, fall=1.0)
>>> p([0.0, 2.0, 4.0, 6.5, 10.0])
array([0. , 0.5, 1. , 0.5, 0. ])
>>> p(2.0), p.constant_after, p.is_table
(0.5, 7.0, True)
>>> p.replace(rise=0.0)
Trapezoid(t_on=1.0, rise=0.0, duration=3.0, fall=1.0, amplitude=1.0)
>>> Pulse([1.0, 0.0], [0.0, 1.0])
Traceback (most recent call last):
...
ValueError: Pulse times must be non-decreasing.
"""

import math
import numbers

import numpy as np

__all__ = [
    "PiecewiseLinear",
    "Pulse",
    "Sine",
    "Step",
    "Trapezoid",
    "as_func",
    "as_pulse",
    "constant_after",
]


def _real(name, value, *, lo=None, finite=True):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}.")
    value = float(value)
    if math.isnan(value) or (finite and not math.isfinite(value)):
        raise ValueError(f"{name} must be finite, got {value}.")
    if lo is not None and not value >= lo:
        raise ValueError(f"{name} must be >= {lo}, got {value}.")
    return value


def _fmt(v):
    if isinstance(v, np.ndarray):
        return repr(v.tolist())
    return repr(v)


class Pulse:
    r"""Dimensionless amplitude :math:`a(t)` multiplying a torque or a field.

    Either a piecewise-linear table or a Python callable of time (see the
    module docstring).

    Parameters
    ----------
    times : array_like of float
        Non-decreasing breakpoints (the time unit of the user: reduced
        :math:`1/(\gamma_0 H_K)` for :func:`~ubermag_dirac.macrospin.solve`,
        seconds for terms and :func:`~ubermag_dirac.macrospin.solve_si`).
    values : array_like of float
        Amplitude at each breakpoint (dimensionless).
    func : callable, optional
        ``func(t) -> float``; used instead of a table (mutually exclusive).

    Examples
    --------
    >>> from ubermag_dirac.pulses import Pulse
    >>> Pulse.step(t_on=0.0)(0.0)
    1.0
    >>> Pulse(func=abs)(-2.0), Pulse(func=abs).is_table
    (2.0, False)
    >>> Pulse([0.0], [1.0], func=abs)
    Traceback (most recent call last):
    ...
    ValueError: Give either times/values or func, not both.
    """

    _fields = ("times", "values")

    def __init__(self, times=None, values=None, *, func=None):
        if func is not None:
            if times is not None or values is not None:
                raise ValueError("Give either times/values or func, not both.")
            if not callable(func):
                raise TypeError(f"func must be callable, not {type(func).__name__}.")
            self.func = func
            self.times = self.values = None
            return
        if times is None or values is None:
            raise ValueError("A table pulse needs both times and values.")
        self._set_table(times, values)

    def _set_table(self, times, values):
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
        >>> from ubermag_dirac.pulses import Pulse
        >>> Pulse.constant(0.5)(3.0)
        0.5
        >>> Pulse.constant(float("inf"))
        Traceback (most recent call last):
        ...
        ValueError: Pulse times and values must be finite.
        """
        return Pulse([0.0], [float(amplitude)])

    @classmethod
    def step(cls, t_on=0.0, amplitude=1.0):
        """Zero before ``t_on``, ``amplitude`` from ``t_on`` on (:class:`Step`).

        Examples
        --------
        >>> from ubermag_dirac.pulses import Pulse
        >>> Pulse.step(2.0)([1.9, 2.0])
        array([0., 1.])
        """
        return Step(t_on=t_on, amplitude=amplitude)

    @classmethod
    def ramp(cls, duration, t_on=0.0, amplitude=1.0):
        """Linear rise from 0 at ``t_on`` to ``amplitude`` at ``t_on + duration``.

        Examples
        --------
        >>> from ubermag_dirac.pulses import Pulse
        >>> Pulse.ramp(10.0)([0.0, 5.0, 20.0])
        array([0. , 0.5, 1. ])
        >>> Pulse.ramp(-1.0)
        Traceback (most recent call last):
        ...
        ValueError: rise must be >= 0.0, got -1.0.
        """
        return Trapezoid(t_on=t_on, rise=duration, amplitude=amplitude)

    @classmethod
    def trapezoid(cls, t_on=0.0, rise=0.0, duration=math.inf, fall=0.0, amplitude=1.0):
        """Trapezoidal pulse (:class:`Trapezoid`)."""
        return Trapezoid(t_on, rise, duration, fall, amplitude)

    @classmethod
    def from_function(cls, func):
        """Wrap an arbitrary callable ``func(t) -> float`` (Python path).

        Examples
        --------
        >>> from ubermag_dirac.pulses import Pulse
        >>> Pulse.from_function(3.0)
        Traceback (most recent call last):
        ...
        TypeError: func must be callable, not float.
        """
        return Pulse(func=func)

    # -------------------------------------------------------------- behaviour
    @property
    def is_table(self):
        """True for a piecewise-linear table (the macrospin's compiled path)."""
        return self.func is None

    @property
    def constant_after(self):
        """Time from which the amplitude no longer changes (``inf``: unknown)."""
        return float(self.times[-1]) if self.is_table else math.inf

    #: Alias of :attr:`constant_after`.
    is_constant_after = constant_after

    def __call__(self, t):
        """Amplitude at time(s) ``t`` (right-continuous at steps)."""
        if not self.is_table:
            if np.ndim(t) == 0:
                return float(self.func(float(t)))
            return np.vectorize(self.func, otypes=[float])(np.asarray(t, float))
        tk, vk = self.times, self.values
        t = np.asarray(t, dtype=float)
        idx = np.searchsorted(tk, t, side="right") - 1
        k = np.clip(idx, 0, len(tk) - 1)
        k1 = np.clip(idx + 1, 0, len(tk) - 1)
        dtk = tk[k1] - tk[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            lin = vk[k] + (vk[k1] - vk[k]) * np.where(dtk > 0, (t - tk[k]) / dtk, 0.0)
        out = np.where(idx < 0, vk[0], np.where(idx >= len(tk) - 1, vk[-1], lin))
        return float(out) if out.ndim == 0 else out

    def scaled(self, time_factor):
        """The same pulse with times multiplied by ``time_factor`` (unit change).

        Examples
        --------
        >>> from ubermag_dirac.pulses import Pulse
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
        return Pulse(func=_Rescaled(self, float(time_factor), divide=True))

    def to_macrospin(self, time_unit):
        """The pulse in reduced time :math:`\\tau = t/t_u` (``time_unit`` =
        :math:`t_u` in s, e.g. :math:`1/(\\gamma_0 H_K)`).

        Examples
        --------
        >>> from ubermag_dirac.pulses import Pulse, Sine
        >>> Pulse.ramp(2e-9).to_macrospin(1e-9).times
        array([0., 2.])
        >>> Sine(f=1e9).to_macrospin(1e-9).is_table  # the Python path
        False
        """
        if self.is_table:
            return Pulse(self.times / float(time_unit), self.values)
        return Pulse(func=_Rescaled(self, float(time_unit)))

    # ---------------------------------------------- parameters and comparison
    def params(self):
        """Constructor arguments as a dict."""
        if not self.is_table and type(self) is Pulse:
            return {"func": self.func}
        out = {k: getattr(self, k) for k in self._fields}
        return {
            k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in out.items()
        }

    def replace(self, **changes):
        """Copy with some constructor arguments changed.

        Raises
        ------
        AttributeError
            For a name that is not a constructor argument (naming it).
        """
        fields = tuple(self.params())
        bad = [k for k in changes if k not in fields]
        if bad:
            raise AttributeError(
                f"{type(self).__name__} has no parameter {bad[0]!r}; "
                f"its parameters are {list(fields)}."
            )
        return type(self)(**{**self.params(), **changes})

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        a, b = self.params(), other.params()
        return a.keys() == b.keys() and all(
            np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in a
        )

    def __hash__(self):
        return hash((type(self).__name__, repr(self)))

    def __repr__(self):
        args = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"


class _Rescaled:
    """``pulse(t * factor)``, or ``pulse(t / factor)`` with ``divide`` (a
    picklable helper of :meth:`Pulse.scaled` and :meth:`Pulse.to_macrospin`)."""

    def __init__(self, pulse, factor, divide=False):
        self.pulse = pulse
        self.factor = factor
        self.divide = divide

    def __call__(self, t):
        return self.pulse(t / self.factor if self.divide else t * self.factor)


class PiecewiseLinear(Pulse):
    """Piecewise-linear factor through ``(times[k], values[k])`` (a table).

    Examples
    --------
    >>> from ubermag_dirac.switching import PiecewiseLinear
    >>> p = PiecewiseLinear([0.0, 1e-9, 1e-9], [0.0, 1.0, 0.5])
    >>> p(0.5e-9), p(1e-9), p(2e-9)
    (0.5, 0.5, 0.5)
    >>> p.constant_after
    1e-09
    >>> PiecewiseLinear([1.0, 0.0], [0.0, 1.0])
    Traceback (most recent call last):
    ...
    ValueError: Pulse times must be non-decreasing.
    """

    def __init__(self, times, values):
        self._set_table(times, values)


class Trapezoid(PiecewiseLinear):
    """Trapezoidal pulse: linear rise, plateau, linear fall.

    The factor is 0 before ``t_on``, rises linearly to ``amplitude`` in
    ``rise``, stays there for ``duration`` and falls linearly to 0 in ``fall``.
    ``rise = 0`` is a step; ``duration = inf`` never switches off.

    Parameters
    ----------
    t_on : float
        Start of the rise.
    rise, fall : float
        Rise and fall times, >= 0.
    duration : float
        Plateau length, >= 0 or ``inf``.
    amplitude : float
        Plateau factor (dimensionless).

    Examples
    --------
    >>> from ubermag_dirac.switching import Trapezoid
    >>> p = Trapezoid(rise=1e-10, duration=5e-10, fall=1e-10)
    >>> [round(p(t), 3) for t in (0.0, 0.5e-10, 3e-10, 6.5e-10, 1e-9)]
    [0.0, 0.5, 1.0, 0.5, 0.0]
    >>> p.constant_after
    7e-10
    >>> Trapezoid(rise=-1e-10)
    Traceback (most recent call last):
    ...
    ValueError: rise must be >= 0.0, got -1e-10.
    """

    _fields = ("t_on", "rise", "duration", "fall", "amplitude")

    def __init__(self, t_on=0.0, rise=0.0, duration=math.inf, fall=0.0, amplitude=1.0):
        self.t_on = _real("t_on", t_on)
        self.rise = _real("rise", rise, lo=0.0)
        self.duration = _real("duration", duration, lo=0.0, finite=False)
        self.fall = _real("fall", fall, lo=0.0)
        self.amplitude = _real("amplitude", amplitude)
        t = [self.t_on, self.t_on + self.rise]
        v = [0.0, self.amplitude]
        if math.isfinite(self.duration):
            t1 = self.t_on + self.rise + self.duration
            t += [t1, t1 + self.fall]
            v += [self.amplitude, 0.0]
        super().__init__(t, v)


class Step(Trapezoid):
    """Current switched on abruptly at ``t_on`` and left on.

    Examples
    --------
    >>> from ubermag_dirac.switching import Step
    >>> s = Step()
    >>> s(-1e-12), s(0.0)
    (0.0, 1.0)
    >>> s == Step(0.0, 1.0)
    True
    """

    _fields = ("t_on", "amplitude")

    def __init__(self, t_on=0.0, amplitude=1.0):
        super().__init__(t_on=t_on, amplitude=amplitude)


class Sine(Pulse):
    r"""Oscillating factor :math:`a\sin(2\pi f (t - t_0) + \varphi)` (e.g. an ac field).

    Zero before ``t0`` when ``start_at_t0`` (a field switched on at ``t0``).

    Parameters
    ----------
    f : float
        Frequency (Hz), > 0.
    amplitude : float
        Factor amplitude.
    t0 : float
        Time origin (s).
    phase : float
        Phase (rad).
    start_at_t0 : bool
        Whether the factor is 0 before ``t0``.

    Examples
    --------
    >>> from ubermag_dirac.switching import Sine
    >>> s = Sine(f=1e9, phase=1.5707963267948966)
    >>> round(s(0.0), 12), round(s(0.5e-9), 12)
    (1.0, -1.0)
    >>> s.constant_after
    inf
    >>> Sine(f=0.0)
    Traceback (most recent call last):
    ...
    ValueError: f must be > 0 Hz.
    """

    _fields = ("f", "amplitude", "t0", "phase", "start_at_t0")

    def __init__(self, f, amplitude=1.0, t0=0.0, phase=0.0, start_at_t0=False):
        self.f = _real("f", f, lo=0.0)
        if self.f == 0:
            raise ValueError("f must be > 0 Hz.")
        self.amplitude = _real("amplitude", amplitude)
        self.t0 = _real("t0", t0)
        self.phase = _real("phase", phase)
        self.start_at_t0 = bool(start_at_t0)
        self.func = self._value
        self.times = self.values = None

    def _value(self, t):
        if self.start_at_t0 and t < self.t0:
            return 0.0
        return self.amplitude * math.sin(
            2 * math.pi * self.f * (t - self.t0) + self.phase
        )

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("func")  # a bound method of self: rebuilt on unpickling
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.func = self._value


def as_pulse(p, name):
    """None / number / callable / Pulse as a :class:`Pulse` (None: constant 1)."""
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


def as_func(p, name="pulse"):
    """Validate a time dependence of a term: ``None``, a :class:`Pulse` or a
    picklable callable; returns it unchanged.

    Examples
    --------
    >>> from ubermag_dirac.pulses import as_func
    >>> as_func(3.0)
    Traceback (most recent call last):
    ...
    TypeError: pulse must be None, a Pulse or a callable func(t), not float.
    """
    if p is None or isinstance(p, Pulse) or callable(p):
        return p
    raise TypeError(
        f"{name} must be None, a Pulse or a callable func(t), not {type(p).__name__}."
    )


def constant_after(func):
    """Time (s) after which ``func`` is constant: 0 for ``None``, ``inf`` if unknown."""
    if func is None:
        return 0.0
    return float(getattr(func, "constant_after", math.inf))
