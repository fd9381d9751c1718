"""First use of the numba kernels: say so when they are compiled.

The numerical kernels are numba functions with ``cache=True``: the first call
on a machine compiles them (measured on the 2-core development machine, fresh
cache: about 11 s CPU for the film engine's kernels - minimise 5.0 s, run
2.1 s, energies 3.7 s - and the rest of the quickstart's 19 s for the
macrospin kernels) and writes the machine code next to the modules
(``__pycache__``) or, where that is read-only, to numba's user-wide cache
(``NUMBA_CACHE_DIR`` chooses another place). Every later process loads them in
a fraction of a second (quickstart: 19.4 s CPU cold, 4.1 s warm). Since the
pause on first use would otherwise look like a hang, :func:`announce` prints one
line to standard error before the first compilation, once per process.
Set ``UBERMAG_DIRAC_QUIET=1`` to silence it.
"""

from __future__ import annotations

import os
import sys

__all__ = ["announce", "cache_is_cold"]

_ANNOUNCED: set[str] = set()


def _index_path(dispatcher):
    """Path of numba's cache index of ``dispatcher``, or None if unknown."""
    try:
        return dispatcher._cache._cache_file._index_path
    except AttributeError:  # not a caching dispatcher, or numba changed
        return None


def cache_is_cold(dispatchers) -> bool:
    """Whether any of the numba ``dispatchers`` has no compiled code on disk yet.

    Examples
    --------
    >>> from ubermag_dirac.engine import llg
    >>> isinstance(cache_is_cold([llg.normalise]), bool)
    True
    >>> cache_is_cold([print])  # not a numba function: nothing to tell
    False
    """
    for d in dispatchers:
        path = _index_path(d)
        if path is not None and not os.path.exists(path):
            return True
    return False


def announce(what: str, dispatchers, seconds: str) -> bool:
    """Print one line to stderr if ``dispatchers`` are about to be compiled.

    Parameters
    ----------
    what : str
        What is compiled, e.g. ``"film engine kernels"``; announced once per
        process.
    dispatchers : sequence
        Representative numba functions of that group.
    seconds : str
        Expected duration, e.g. ``"10-20"``.

    Returns
    -------
    bool
        Whether the line was printed.
    """
    if what in _ANNOUNCED:
        return False
    _ANNOUNCED.add(what)
    if os.environ.get("UBERMAG_DIRAC_QUIET") or not cache_is_cold(dispatchers):
        return False
    print(
        f"ubermag-dirac: compiling the {what} for this machine (first use only, "
        f"about {seconds} s; numba caches them for later runs)",
        file=sys.stderr,
        flush=True,
    )
    return True
