"""Time dependence of the torque (current) and applied-field amplitudes: the
pulses of :mod:`ubermag_dirac.pulses` (one concept for the package)."""

from ..pulses import Pulse, as_pulse

__all__ = ["Pulse", "as_pulse"]
