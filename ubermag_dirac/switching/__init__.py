"""Switching studies of micromagnetic films compared with the macrospin limit.

The sweep :func:`phase_diagram` runs the protocol of
:func:`ubermag_dirac.macrospin.phase_diagram` (field-relaxed start from both
:math:`\\pm\\mathbf n`, current pulse or step, settle, classify) on full
micromagnetic films through the batched :class:`ubermag_dirac.engine.Engine`;
:func:`macrospin_diagram` and :func:`compare` put the macrospin diagram with the
same parameters (effective anisotropy from :func:`effective_anisotropy`) next
to it; :func:`plot` and :func:`plot_comparison` draw them. Pulses are picklable
``func(t)`` classes (:class:`Step`, :class:`Trapezoid`, ...).
"""

from .anisotropy import cuboid_demag_factors as cuboid_demag_factors
from .anisotropy import effective_anisotropy as effective_anisotropy
from .compare import compare as compare
from .compare import macrospin_diagram as macrospin_diagram
from .compare import macrospin_parameters as macrospin_parameters
from .compare import switching_threshold as switching_threshold
from .io import load as load
from .io import open_dataset as open_dataset
from .io import to_netcdf as to_netcdf
from .plotting import plot as plot
from .plotting import plot_comparison as plot_comparison
from .pulses import PiecewiseLinear as PiecewiseLinear
from .pulses import Pulse as Pulse
from .pulses import Sine as Sine
from .pulses import Step as Step
from .pulses import Trapezoid as Trapezoid
from .sweep import memory_per_point as memory_per_point
from .sweep import phase_diagram as phase_diagram
