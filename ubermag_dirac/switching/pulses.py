r"""Picklable time dependences (``func(t)``) for current pulses and fields.

Ubermag terms take their time dependence as a callable ``func(t)`` (``t`` in s)
that multiplies the amplitude: ``ud.DiracSOT(..., func=...)``,
``ud.SpinHallSOT(..., func=...)``, ``mm.Zeeman(H=..., func=..., dt=...)``.
Lambdas and closures cannot cross process boundaries
(:class:`concurrent.futures.ProcessPoolExecutor`, dask), so the sweeps of
:mod:`ubermag_dirac.switching` use the module-level classes below. Each one

* is called with a time in s and returns a float (dimensionless factor);
* knows the time after which it no longer changes (:attr:`constant_after`, s),
  which lets a sweep stop early once every system is at rest;
* converts itself to a :class:`ubermag_dirac.macrospin.Pulse` in reduced time
  (:meth:`to_macrospin`) for the comparison with the macrospin diagram;
* compares equal by value, has a ``repr`` that recreates it, and returns a
  modified copy with :meth:`replace` (this is how ``"pulse.rise"`` and similar
  keys of a sweep vary the pulse from point to point).

Times are measured from the start of the current (the end of the field
relaxation), which is the engine time ``t = 0``.
"""

import math
import numbers

import numpy as np

__all__ = ["PiecewiseLinear", "Pulse", "Sine", "Step", "Trapezoid", "as_func"]


def _real(name, value, *, lo=None, finite=True):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}.")
    value = float(value)
    if math.isnan(value) or (finite and not math.isfinite(value)):
        raise ValueError(f"{name} must be finite, got {value}.")
    if lo is not None and not value >= lo:
        raise ValueError(f"{name} must be >= {lo}, got {value}.")
    return value


class Pulse:
    """Base class of the picklable time dependences (see the module docstring).

    Subclasses define ``_fields`` (constructor arguments in order),
    :meth:`__call__` and :attr:`constant_after`.
    """

    _fields: tuple = ()

    def __call__(self, t):  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def constant_after(self):  # pragma: no cover - abstract
        """Time (s) from which the factor is constant (``inf``: never)."""
        raise NotImplementedError

    def params(self):
        """Constructor arguments as a dict."""
        return {k: getattr(self, k) for k in self._fields}

    def replace(self, **changes):
        """Copy with some constructor arguments changed.

        Raises
        ------
        AttributeError
            For a name that is not a constructor argument (naming it).
        """
        bad = [k for k in changes if k not in self._fields]
        if bad:
            raise AttributeError(
                f"{type(self).__name__} has no parameter {bad[0]!r}; "
                f"its parameters are {list(self._fields)}."
            )
        return type(self)(**{**self.params(), **changes})

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(
            np.array_equal(np.asarray(a), np.asarray(b))
            for a, b in zip(
                self.params().values(), other.params().values(), strict=True
            )
        )

    def __hash__(self):
        return hash((type(self).__name__, repr(self)))

    def __repr__(self):
        args = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"

    def to_macrospin(self, time_unit):
        """The same time dependence as a :class:`ubermag_dirac.macrospin.Pulse`.

        Parameters
        ----------
        time_unit : float
            Seconds per reduced time unit, :math:`1/(\\gamma_0 H_K)`.
        """
        from ..macrospin import Pulse as MacrospinPulse

        return MacrospinPulse.from_function(_Rescaled(self, float(time_unit)))


def _fmt(v):
    if isinstance(v, np.ndarray):
        return repr(v.tolist())
    return repr(v)


class _Rescaled:
    """``f(tau * time_unit)``: a pulse in reduced time (picklable helper)."""

    def __init__(self, pulse, time_unit):
        self.pulse = pulse
        self.time_unit = time_unit

    def __call__(self, tau):
        return self.pulse(tau * self.time_unit)


class PiecewiseLinear(Pulse):
    """Piecewise-linear factor through ``(times[k], values[k])``.

    ``values[0]`` before ``times[0]``, ``values[-1]`` after ``times[-1]``,
    linear in between; a repeated time is a step (right-continuous: the later
    value holds at the step time).

    Parameters
    ----------
    times : array_like
        Non-decreasing breakpoints (s).
    values : array_like
        Factors at the breakpoints (dimensionless).

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
    ValueError: times must be non-decreasing.
    """

    _fields = ("times", "values")

    def __init__(self, times, values):
        t = np.atleast_1d(np.asarray(times, dtype=float))
        v = np.atleast_1d(np.asarray(values, dtype=float))
        if t.ndim != 1 or t.shape != v.shape or t.size == 0:
            raise ValueError("times and values must be 1D of equal length >= 1.")
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
            raise ValueError("times and values must be finite.")
        if np.any(np.diff(t) < 0):
            raise ValueError("times must be non-decreasing.")
        self.times = t
        self.values = v

    def params(self):
        return {"times": self.times.tolist(), "values": self.values.tolist()}

    def __call__(self, t):
        t = float(t)
        tk, vk = self.times, self.values
        i = int(np.searchsorted(tk, t, side="right")) - 1
        if i < 0:
            return float(vk[0])
        if i >= len(tk) - 1:
            return float(vk[-1])
        dt = tk[i + 1] - tk[i]
        return float(vk[i] + (vk[i + 1] - vk[i]) * (t - tk[i]) / dt)

    @property
    def constant_after(self):
        return float(self.times[-1])

    def to_macrospin(self, time_unit):
        from ..macrospin import Pulse as MacrospinPulse

        return MacrospinPulse(self.times / float(time_unit), self.values)


class Trapezoid(PiecewiseLinear):
    """Trapezoidal current pulse: linear rise, plateau, linear fall.

    The factor is 0 before ``t_on``, rises linearly to ``amplitude`` in
    ``rise``, stays there for ``duration`` and falls linearly to 0 in ``fall``.
    ``rise = 0`` is a step; ``duration = inf`` never switches off.

    Parameters
    ----------
    t_on : float
        Start of the rise (s).
    rise, fall : float
        Rise and fall times (s), >= 0.
    duration : float
        Plateau length (s), >= 0 or ``inf``.
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
    >>> p.replace(rise=0.0)
    Trapezoid(t_on=0.0, rise=0.0, duration=5e-10, fall=1e-10, amplitude=1.0)
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

    def params(self):
        return {k: getattr(self, k) for k in self._fields}


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

    def __call__(self, t):
        t = float(t)
        if self.start_at_t0 and t < self.t0:
            return 0.0
        return self.amplitude * math.sin(
            2 * math.pi * self.f * (t - self.t0) + self.phase
        )

    @property
    def constant_after(self):
        return math.inf


def as_func(p, name="pulse"):
    """Validate a time dependence: ``None``, a :class:`Pulse` or a picklable callable.

    Returns the object itself (``None`` stays ``None``: no time dependence).

    Examples
    --------
    >>> from ubermag_dirac.switching.pulses import as_func
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
