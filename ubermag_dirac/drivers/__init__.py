"""Ubermag drivers around the ubermag-dirac engine, writing OOMMF-layout output.

Public names
------------
TimeDriver, MinDriver, RelaxDriver, HysteresisDriver
    Drivers with ``drive(system, ...)`` as in ``oommfc``.
StochasticHeunEvolver, Xf_ThermHeunEvolver, UHH_ThetaEvolver, Xf_ThermSpinXferEvolver
    Finite-temperature evolvers for ``TimeDriver(evolver=...)`` (see
    :mod:`ubermag_dirac.drivers.evolvers`).
RungeKuttaEvolver, EulerEvolver, SpinTEvolver, SpinXferEvolver, CGEvolver
    oommfc's T = 0 evolvers, for oommfc scripts (see
    :mod:`ubermag_dirac.drivers.oommfc_evolvers`: what is honoured, what refused).
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

Interoperability with oommfc and micromagneticdata
--------------------------------------------------
* Drives go to ``<dirname>/<system.name>/drive-<N>`` and are numbered on from the
  directories already there, exactly as oommfc numbers them, so one system can be
  driven alternately by oommfc and ubermag-dirac.
* ``info.json`` says ``"adapter": "ubermag_dirac"`` (the package that ran the
  drive, as ``micromagneticmodel.ExternalDriver`` defines the field).
  micromagneticdata 0.66 does not read the adapter: it picks ``OOMMFDrive`` for any
  drive directory without a mumax3 ``<name>.out`` folder, so our drives are read as
  OOMMF-layout drives without pretending to come from oommfc.
* The table's independent variable follows ``info.json``'s ``"driver"``:
  ``TimeDriver`` -> ``t``, ``MinDriver`` -> ``iteration``, ``HysteresisDriver`` ->
  ``B_hysteresis``. micromagneticdata knows no other names, so a
  :class:`RelaxDriver` drive records ``"driver": "MinDriver"`` plus
  ``"ubermag_dirac_driver": "RelaxDriver"``.
* The human-readable input record is ``<name>.input.json`` (not ``<name>.mif``:
  it is not a MIF file), so ``Drive.calculator_script`` (which opens the ``.mif``)
  does not apply to our drives.
"""

from . import oommf_guard as oommf_guard
from .compute import compute as compute
from .delete import delete as delete
from .driver import Driver as Driver
from .evolvers import StochasticHeunEvolver as StochasticHeunEvolver
from .evolvers import UHH_ThetaEvolver as UHH_ThetaEvolver
from .evolvers import Xf_ThermHeunEvolver as Xf_ThermHeunEvolver
from .evolvers import Xf_ThermSpinXferEvolver as Xf_ThermSpinXferEvolver
from .hysteresisdriver import HysteresisDriver as HysteresisDriver
from .mindriver import MinDriver as MinDriver
from .oommfc_evolvers import CGEvolver as CGEvolver
from .oommfc_evolvers import EulerEvolver as EulerEvolver
from .oommfc_evolvers import RungeKuttaEvolver as RungeKuttaEvolver
from .oommfc_evolvers import SpinTEvolver as SpinTEvolver
from .oommfc_evolvers import SpinXferEvolver as SpinXferEvolver
from .relaxdriver import RelaxDriver as RelaxDriver
from .timedriver import TimeDriver as TimeDriver

oommf_guard._install_on_import()
