"""Doctest namespace of the package's docstrings.

Every example in ``ubermag_dirac``'s docstrings assumes the four imports an
Ubermag session starts with (as numpy's examples assume ``import numpy as np``)::

    import numpy as np
    import discretisedfield as df
    import micromagneticmodel as mm
    import ubermag_dirac as ud

and imports anything else it uses itself. Shared by all doctests here, so the
examples do not repeat them.
"""

import pytest


@pytest.fixture(autouse=True)
def _ubermag_session_imports(doctest_namespace):
    import discretisedfield as df
    import micromagneticmodel as mm
    import numpy as np

    import ubermag_dirac as ud

    doctest_namespace.update(np=np, df=df, mm=mm, ud=ud)
