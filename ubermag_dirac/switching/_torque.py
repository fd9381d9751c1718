"""Which dynamics term of a template carries the swept spin-orbit torque.

The one place of the switching sweep that knows the torque classes and the name
of their swept amplitude (``ud.DiracSOT``: ``H_DL``, with a field-like
``H_FL`` that scales with it; ``ud.SpinHallSOT``: ``H_SH``). Everything else
asks this module through the torque *kind* string it returns.
"""

__all__ = ["AMPLITUDE", "find_torque"]

#: attribute of the swept damping-like amplitude per torque kind
AMPLITUDE = {"dirac": "H_DL", "she": "H_SH"}
#: scalar attributes of the torque term recorded in the Dataset, per kind
RECORDED = {"dirac": ("beta", "H_FL"), "she": ()}
#: kinds with a field-like amplitude that scales with the damping-like one
FIELD_LIKE = {"dirac": "H_FL"}


def _torque_classes():
    from .. import terms

    return {"dirac": terms.DiracSOT, "she": terms.SpinHallSOT}


def _torque_kind(term):
    for kind, cls in _torque_classes().items():
        if isinstance(term, cls):
            return kind
    return None


def torque_kind(term):
    """Kind (``"dirac"``, ``"she"``) of a dynamics term, None if not a torque."""
    return _torque_kind(term)


def find_torque(system, term):
    """The torque term to sweep and its kind.

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
        kind = _torque_kind(t)
        if kind is not None:
            found.append((t, kind))
    if term is not None:
        for t, kind in found:
            if t.name == term:
                return t, kind
        raise ValueError(
            f"term={term!r}: the system has no DiracSOT/SpinHallSOT dynamics term "
            f"of that name (torque terms: {[t.name for t, _ in found]})."
        )
    if not found:
        raise ValueError(
            "The system has no ud.DiracSOT or ud.SpinHallSOT dynamics term whose "
            f"amplitude could be swept (dynamics terms: "
            f"{[t.name for t in system.dynamics]})."
        )
    if len(found) > 1:
        raise ValueError(
            "The system has several torque terms "
            f"{[t.name for t, _ in found]}; choose one with term=<name>."
        )
    return found[0]
