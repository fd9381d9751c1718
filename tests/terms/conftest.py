"""Shared by the term tests (imported as ``from .conftest import ...``)."""

import numpy as np


def random_unit(rng, shape):
    """Random unit vectors of shape ``(*shape, 3)``, isotropic, drawn from ``rng``."""
    v = rng.normal(size=(*shape, 3))
    return v / np.linalg.norm(v, axis=-1, keepdims=True)
