"""Which dynamics term of a template carries the swept spin-orbit torque.

The torques a sweep can drive are those of :mod:`ubermag_dirac.torques`; a
sweep varies the torque's first parameter (its damping-like amplitude, e.g.
``H_DL`` of ``ud.DiracSOT``, ``H_SH`` of ``ud.SpinHallSOT``) and records the
others; a field-like amplitude (``H_FL``) can scale with it.
"""

from .. import torques

__all__ = ["find_torque"]


def find_torque(system, term):
    """The torque term to sweep and its :class:`~ubermag_dirac.torques.Torque`.

    Parameters
    ----------
    system : micromagneticmodel.System
    term : str or None
        Name of the term; None when the system has exactly one torque term.

    Raises
    ------
    ValueError
        No torque term, several without ``term``, or none named ``term``.
    """
    found = []
    for t in system.dynamics:
        torque = torques.for_term(t)
        if torque is not None:
            found.append((t, torque))
    classes = [torques.get(n).term.__name__ for n in torques.names()]
    if term is not None:
        for t, torque in found:
            if t.name == term:
                return t, torque
        raise ValueError(
            f"term={term!r}: the system has no {'/'.join(classes)} dynamics term "
            f"of that name (torque terms: {[t.name for t, _ in found]})."
        )
    if not found:
        raise ValueError(
            f"The system has no {' or '.join('ud.' + c for c in classes)} dynamics "
            "term whose amplitude could be swept (dynamics terms: "
            f"{[t.name for t in system.dynamics]})."
        )
    if len(found) > 1:
        raise ValueError(
            "The system has several torque terms "
            f"{[t.name for t, _ in found]}; choose one with term=<name>."
        )
    return found[0]
