"""Warning classes of ubermag-dirac."""


class UbermagDiracWarning(UserWarning):
    """Base class of every warning that ubermag-dirac emits.

    The test suite turns these into errors (``filterwarnings`` in
    ``pyproject.toml``), so a warning we emit is always deliberate and tested.
    """
