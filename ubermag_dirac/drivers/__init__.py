"""Ubermag drivers around the ubermag-dirac engine, writing OOMMF-layout output.

Public names
------------
TimeDriver, MinDriver, RelaxDriver, HysteresisDriver
    Drivers with ``drive(system, ...)`` as in ``oommfc``.
compute
    Energies, energy densities and effective fields (``oommfc.compute``).
delete
    Remove a system's output directory (``oommfc.delete``).
Driver
    Their base class (a :class:`micromagneticmodel.ExternalDriver`).
oommf_guard
    Makes ``oommfc`` refuse systems with ubermag-dirac terms (installed on import;
    see its docstring for how to turn it off).

Output layout: see :mod:`ubermag_dirac.drivers.output`.
"""

from . import oommf_guard as oommf_guard
from .compute import compute as compute
from .delete import delete as delete
from .driver import Driver as Driver
from .hysteresisdriver import HysteresisDriver as HysteresisDriver
from .mindriver import MinDriver as MinDriver
from .relaxdriver import RelaxDriver as RelaxDriver
from .timedriver import TimeDriver as TimeDriver

oommf_guard._install_on_import()
