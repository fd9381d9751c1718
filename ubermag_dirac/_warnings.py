"""Warning classes of ubermag-dirac."""


class UbermagDiracWarning(UserWarning):
    """Base class of every warning that ubermag-dirac emits.

    The test suite turns these into errors (``filterwarnings`` in
    ``pyproject.toml``), so a warning we emit is always deliberate and tested.
    """


class UbermagDiracDeprecationWarning(UbermagDiracWarning, FutureWarning):
    """A name or argument that still works but will be removed; the message says
    which one replaces it. A ``FutureWarning``, so users see it by default.
    """
