r"""Demagnetisation energy: registration hook for :mod:`ubermag_dirac.engine.demag`.

The demag term is implemented next to its FFT convolution, in
:class:`ubermag_dirac.engine.demag.DemagImpl` (registered there for
``micromagneticmodel.Demag``), with the protocol of
:class:`~ubermag_dirac.engine.energy._base.EnergyImpl`:

.. math::

    \mathbf{H} = -\mathsf{N} * (M_s \mathbf{m}), \qquad
    w = -\frac{\mu_0}{2} M_s\, \mathbf{m} \cdot \mathbf{H}

(Newell tensor, A/m and J/m^3). Importing this module imports that one, so that
``import ubermag_dirac.engine.energy`` registers every supported energy term.
The import goes through :func:`importlib.import_module` because
``engine.demag`` itself imports :mod:`ubermag_dirac.engine.energy._base`: when
it is the module being imported first, it is returned half-initialised here and
finishes (and registers) afterwards.

Examples
--------
>>> import micromagneticmodel as mm
>>> import ubermag_dirac.engine.energy  # noqa: F401
>>> from ubermag_dirac.engine.registry import ENERGY, lookup
>>> lookup(mm.Demag(), ENERGY).__name__
'build_demag'
"""

from __future__ import annotations

import importlib

_demag = importlib.import_module("ubermag_dirac.engine.demag")
