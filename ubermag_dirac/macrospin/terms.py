"""Set up a macrospin from ubermag-dirac / micromagneticmodel dynamics terms."""

import numbers

import numpy as np

from .._termparams import is_set as _is_set
from .pulses import Pulse
from .solver import GAMMA0, ReducedUnits

__all__ = ["from_terms"]


def _scalar(term, attr):
    val = getattr(term, attr)
    if isinstance(val, numbers.Real) and not isinstance(val, bool):
        return float(val)
    raise ValueError(
        f"{type(term).__name__}.{attr} must be a scalar for a macrospin, "
        f"got {type(val).__name__} (region dicts and fields are not supported)."
    )


def _vec(term, attr):
    return np.asarray(getattr(term, attr), dtype=float)


def from_terms(terms, H_K, *, gamma0=GAMMA0):
    r"""Keyword arguments of :func:`solve` from dynamics terms (scalar parameters).

    Converts ``ud.DiracSOT`` (``H_DL``, ``H_FL``, ``beta``, ``j``, ``n``,
    ``func``/``dt``), ``ud.SpinHallSOT`` (``H_SH``, ...), ``ud.AnisotropicDamping``
    (``delta_alpha``, ``n``) and ``mm.Damping`` (``alpha``) to reduced units
    (:math:`h = H/H_K`, time in :math:`1/(\gamma_0 H_K)`). A ``func`` of the
    terms (time in seconds) becomes the ``current`` pulse (a callable, so
    :func:`solve` uses its slower Python-driven path); ``mm.Precession`` is accepted and
    ignored (always on), other terms are refused.

    Parameters
    ----------
    terms : iterable or micromagneticmodel.Dynamics
        The dynamics terms (e.g. ``system.dynamics``).
    H_K : float
        Reference (anisotropy) field in A/m.
    gamma0 : float
        :math:`\gamma_0` in m/(A s).

    Returns
    -------
    dict
        Keyword arguments for :func:`solve`.

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> kw = ud.macrospin.from_terms(
    ...     [ud.DiracSOT(H_DL=2e4, H_FL=1e4, beta=0.2), ud.AnisotropicDamping(0.01)],
    ...     H_K=1e5,
    ... )
    >>> kw["h_dl"], kw["h_fl"], kw["beta"], kw["delta_alpha"]
    (0.2, 0.1, 0.2, 0.01)
    >>> ud.macrospin.from_terms([ud.DiracSOT(H_DL={"a": 1.0, "b": 2.0})], H_K=1e5)
    Traceback (most recent call last):
    ...
    ValueError: DiracSOT.H_DL must be a scalar for a macrospin, got dict ...
    """
    import micromagneticmodel as mm

    from ..terms import AnisotropicDamping, DiracSOT, SpinHallSOT

    units = ReducedUnits(H_K=H_K, gamma0=gamma0)
    kw = {}
    geometry = {}
    funcs = []

    def set_geom(term, names):
        for name in names:
            val = _vec(term, name)
            if name in geometry and not np.allclose(geometry[name], val):
                raise ValueError(
                    f"Terms disagree on {name}: {geometry[name]} vs {val}."
                )
            geometry[name] = val

    for term in terms:
        if isinstance(term, DiracSOT):
            kw["h_dl"] = units.field(_scalar(term, "H_DL"))
            kw["h_fl"] = (
                units.field(_scalar(term, "H_FL")) if _is_set(term, "H_FL") else 0.0
            )
            kw["beta"] = _scalar(term, "beta") if _is_set(term, "beta") else 0.0
            set_geom(term, ("n", "j"))
            funcs.append(term)
        elif isinstance(term, SpinHallSOT):
            kw["h_sh"] = units.field(_scalar(term, "H_SH"))
            set_geom(term, ("n", "j"))
            funcs.append(term)
        elif isinstance(term, AnisotropicDamping):
            kw["delta_alpha"] = _scalar(term, "delta_alpha")
            set_geom(term, ("n",))
        elif isinstance(term, mm.Damping):
            kw["alpha"] = _scalar(term, "alpha")
        elif isinstance(term, mm.Precession):
            continue
        else:
            raise ValueError(
                f"Term {type(term).__name__} is not supported by the macrospin "
                "(supported: DiracSOT, SpinHallSOT, AnisotropicDamping, mm.Damping, "
                "mm.Precession)."
            )
    kw.update(geometry)
    timed = [t for t in funcs if _is_set(t, "func")]
    if timed:
        if len({id(t.func) for t in timed}) > 1 or len(timed) < len(funcs):
            raise ValueError(
                "All current-driven terms must share one func (one current)."
            )
        term = timed[0]
        tu = units.time_unit
        kw["current"] = Pulse(func=lambda tau: float(term.time_factor(tau * tu)))
    return kw
