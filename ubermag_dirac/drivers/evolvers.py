r"""Finite-temperature evolvers: how ``ud.TimeDriver`` is told to run at T > 0.

``system.T`` is the temperature (K), as in ``oommfc`` and ``mumax3c``. Like
``oommfc``, ``ud.TimeDriver()`` refuses a system with ``T > 0`` unless a thermal
evolver is given (``RuntimeError``: a fixed-step stochastic integration is a choice
the user makes); then the drive integrates the stochastic LLG with Brown's thermal
field (:mod:`ubermag_dirac.engine.stochastic`):

>>> import ubermag_dirac as ud
>>> td = ud.TimeDriver(evolver=ud.StochasticHeunEvolver(seed=42))  # doctest: +SKIP

``StochasticHeunEvolver``
    ubermag-dirac's own: ``dt`` (s, default: 0.1 over the fastest rate of the
    deterministic dynamics and of the thermal diffusion, see
    :mod:`ubermag_dirac.engine.stochastic`), ``seed`` (default: fresh entropy,
    recorded in the drive's ``info.json`` as ``thermal_seed`` so the run can be
    repeated), ``step_fraction`` (the 0.1).
``Xf_ThermHeunEvolver``, ``UHH_ThetaEvolver``, ``Xf_ThermSpinXferEvolver``
    the OOMMF extensions that ``oommfc`` offers for finite temperature, with the
    same attributes, so that ``oommfc`` scripts run unchanged; instances of the
    ``oommfc`` classes themselves are accepted too. They run the same integrator:
    ``min_timestep`` (Xf\_) or ``fixed_timestep`` (UHH\_) is the fixed step and
    ``uniform_seed`` the seed, as in OOMMF. Differences, on purpose: without a
    step the step is chosen from the dynamics (OOMMF then uses 1e-15 s or
    1e-16 s, 10-100 times smaller than needed); ``temperature``, ``alpha``,
    ``gamma_*``, ``do_precess``, the spin-transfer parameters and ``fixed_spins``
    come from the system (oommfc overwrites them from the system as well); the
    adaptive-step settings (``error_rate``, ``*_step_error``, ...) only concern
    OOMMF's T = 0 mode and are ignored. Refused with an error naming them:
    ``ito_calculus = 1`` (the physical white-noise limit is Stratonovich),
    ``method`` other than ``rk2heun`` at T > 0 (as OOMMF), ``tempscript``
    (a time-dependent temperature).

Table: a thermal drive adds the temperature column of the OOMMF evolver
(``...Evolve:evolver:Temperature``, K), which ``ubermagtable`` names ``T``.
"""

from __future__ import annotations

import numbers

import micromagneticmodel as mm

__all__ = [
    "StochasticHeunEvolver",
    "UHH_ThetaEvolver",
    "Xf_ThermHeunEvolver",
    "Xf_ThermSpinXferEvolver",
    "is_thermal",
    "thermal_settings",
]


#: attributes that oommfc's Xf_Therm*Evolver classes share (their order)
_XF_EVOLVE = (
    "alpha",
    "gamma_LL",
    "gamma_G",
    "do_precess",
    "allow_signed_gamma",
    "min_timestep",
    "max_timestep",
    "fixed_spins",
    "start_dm",
)
#: their step-error attributes (followed by ``energy_precision``, spelt
#: ``error_precisison`` in Xf_ThermSpinXferEvolver as in oommfc)
_XF_ERRORS = ("error_rate", "absolute_step_error", "relative_step_error")
#: their step-headroom attributes and the Runge-Kutta method
_XF_HEADROOM = ("min_step_headroom", "max_step_headroom", "reject_goal", "method")
#: the Slonczewski parameters of OOMMF's spin-transfer evolvers (oommfc's order)
_SLONCZEWSKI = (
    "P",
    "P_fixed",
    "P_free",
    "Lambda",
    "Lambda_fixed",
    "Lambda_free",
    "eps_prime",
    "J",
)
#: the thermal attributes of both
_THERMAL = ("temperature", "tempscript", "tempscript_args", "uniform_seed")


class StochasticHeunEvolver(mm.Evolver):
    """ubermag-dirac's finite-temperature integrator (stochastic Heun, fixed step).

    Parameters
    ----------
    dt : float, optional
        Fixed time step (s). Default: ``step_fraction`` over the fastest rate of
        the deterministic dynamics and of the thermal diffusion at the start.
    seed : int, optional
        Seed of the noise (>= 0). The same seed gives bit-identical drives; the
        stream of a system is keyed by its name. Default: fresh entropy, recorded
        in ``info.json`` (``thermal_seed``).
    step_fraction : float, optional
        The fraction of the default step, 0.1.

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ud.StochasticHeunEvolver(seed=1, dt=2e-14)
    StochasticHeunEvolver(dt=2e-14, seed=1)
    >>> ud.StochasticHeunEvolver(tol=1e-5)
    Traceback (most recent call last):
    ...
    AttributeError: Invalid attribute key='tol' for ...
    """

    _allowed_attributes = ("dt", "seed", "step_fraction")

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self)
        return f"{type(self).__name__}({args})"


class UHH_ThetaEvolver(mm.Evolver):
    """OOMMF's ``UHH_ThetaEvolve`` (thetaevolve), for ``oommfc`` scripts.

    ``fixed_timestep`` is the step (s), ``uniform_seed`` the seed; see the module
    docstring for the other attributes.

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ud.UHH_ThetaEvolver(fixed_timestep=2e-13).fixed_timestep
    2e-13
    """

    _allowed_attributes = (
        "alpha",
        "do_precess",
        "gamma_LL",
        "fixed_timestep",
        "temperature",
        "uniform_seed",
        "ito_calculus",
    )


class Xf_ThermHeunEvolver(mm.Evolver):
    """OOMMF's ``Xf_ThermHeunEvolve``, for ``oommfc`` scripts.

    At T > 0 ``min_timestep`` is the fixed step (s), ``uniform_seed`` the seed; see
    the module docstring for the other attributes.

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ud.Xf_ThermHeunEvolver(uniform_seed=3).uniform_seed
    3
    """

    _allowed_attributes = (
        *_XF_EVOLVE,
        "start_dt",
        "stage_start",
        *_XF_ERRORS,
        "energy_precision",
        *_XF_HEADROOM,
        *_THERMAL,
    )


class Xf_ThermSpinXferEvolver(mm.Evolver):
    """OOMMF's ``Xf_ThermSpinXferEvolve`` (thermal Slonczewski), for ``oommfc``.

    As :class:`Xf_ThermHeunEvolver`; the spin-transfer torque is the system's
    ``mm.Slonczewski`` term (the evolver's own ``J``, ``mp``, ... are ignored, as
    oommfc overwrites them from that term).

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ud.Xf_ThermSpinXferEvolver(min_timestep=1e-14).min_timestep
    1e-14
    """

    _allowed_attributes = (
        *_XF_EVOLVE,
        "stage_start",
        *_XF_ERRORS,
        "error_precisison",  # sic, as oommfc spells it
        *_XF_HEADROOM,
        *_SLONCZEWSKI,
        "J_direction",
        "J_profile",
        "J_profile_args",
        "mp",
        "propagate_mp",
        *_THERMAL,
    )


#: evolver class name -> (attribute holding the fixed step, ODT label)
_OOMMF = {
    "UHH_ThetaEvolver": ("fixed_timestep", "ThetaEvolve"),
    "Xf_ThermHeunEvolver": ("min_timestep", "ThermHeunEvolve"),
    "Xf_ThermSpinXferEvolver": ("min_timestep", "ThermSpinXferEvolve"),
}
#: ODT label of the temperature column of StochasticHeunEvolver (ubermagtable: T)
_NATIVE_LABEL = "ThermHeunEvolve"


def is_thermal(evolver) -> bool:
    """Whether ``evolver`` selects the finite-temperature integrator."""
    name = type(evolver).__name__
    return isinstance(evolver, StochasticHeunEvolver) or name in _OOMMF


def _set(evolver, name):
    """The value of an attribute the user set, else None."""
    return getattr(evolver, name, None)


def _positive(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what}: expected a number, got {value!r}.")
    if not (value > 0 and value < float("inf")):
        raise ValueError(f"{what}: expected a positive number, got {value!r}.")
    return float(value)


def _seed(value, what):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what}: expected an integer >= 0, got {value!r}.")
    if value < 0:
        raise ValueError(f"{what}: expected an integer >= 0, got {value!r}.")
    return int(value)


def thermal_settings(evolver) -> dict:
    """Engine settings of a thermal evolver: ``thermal_dt``, ``seed``,
    ``step_fraction`` and the ``label`` of the table's temperature column.

    Raises ``ValueError`` for the OOMMF settings that cannot be honoured (see the
    module docstring).

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> from ubermag_dirac.drivers.evolvers import thermal_settings
    >>> thermal_settings(ud.Xf_ThermHeunEvolver(min_timestep=1e-14, uniform_seed=5))
    {'thermal_dt': 1e-14, 'seed': 5, 'step_fraction': 0.1, 'label': 'ThermHeunEvolve'}
    >>> thermal_settings(ud.UHH_ThetaEvolver(ito_calculus=1))
    Traceback (most recent call last):
    ...
    ValueError: UHH_ThetaEvolver(ito_calculus=1): ubermag-dirac integrates ...
    """
    name = type(evolver).__name__
    if isinstance(evolver, StochasticHeunEvolver):
        dt = _set(evolver, "dt")
        fraction = _set(evolver, "step_fraction")
        return {
            "thermal_dt": None if dt is None else _positive(dt, "dt"),
            "seed": _seed(_set(evolver, "seed"), "seed"),
            "step_fraction": 0.1
            if fraction is None
            else _positive(fraction, "step_fraction"),
            "label": _NATIVE_LABEL,
        }
    step_attr, label = _OOMMF[name]
    if _set(evolver, "ito_calculus") not in (None, 0):
        raise ValueError(
            f"{name}(ito_calculus={evolver.ito_calculus!r}): ubermag-dirac integrates "
            "the Stratonovich equation (the white-noise limit of a physical bath; "
            "OOMMF's default ito_calculus=0); remove ito_calculus."
        )
    method = _set(evolver, "method")
    if method is not None and str(method).lower() != "rk2heun":
        raise ValueError(
            f"{name}(method={method!r}): at T > 0 only 'rk2heun' (stochastic Heun) "
            "is defined, as in OOMMF."
        )
    if _set(evolver, "tempscript") is not None:
        raise ValueError(
            f"{name}(tempscript=...): a time-dependent temperature is not "
            "supported; set system.T (K)."
        )
    dt = _set(evolver, step_attr)
    return {
        "thermal_dt": None if dt is None else _positive(dt, step_attr),
        "seed": _seed(_set(evolver, "uniform_seed"), "uniform_seed"),
        "step_fraction": 0.1,
        "label": label,
    }
