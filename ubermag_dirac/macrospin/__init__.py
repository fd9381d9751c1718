"""Vectorised macrospin solver, switching phase diagrams and analytic boundaries.

Reduced units throughout (fields in units of the anisotropy field :math:`H_K`,
time in units of :math:`1/(\\gamma_0 H_K)`); :func:`solve_si` and
:class:`ReducedUnits` convert from SI.
"""

from .boundaries import dirac_fixed_points as dirac_fixed_points
from .boundaries import dirac_threshold_alpha0 as dirac_threshold_alpha0
from .boundaries import fixed_points as fixed_points
from .boundaries import linear_stability as linear_stability
from .boundaries import she_diamond_edge as she_diamond_edge
from .boundaries import she_lee_linear as she_lee_linear
from .boundaries import she_out_of_plane_fixed_points as she_out_of_plane_fixed_points
from .boundaries import she_upper_edge as she_upper_edge
from .phase import STATE_CODES as STATE_CODES
from .phase import STATES as STATES
from .phase import classify as classify
from .phase import flip_state as flip_state
from .phase import phase_diagram as phase_diagram
from .phase import switching_threshold as switching_threshold
from .plotting import STATE_COLORS as STATE_COLORS
from .plotting import compare_torques as compare_torques
from .plotting import plot_phase_diagram as plot_phase_diagram
from .plotting import plot_side_by_side as plot_side_by_side
from .pulses import Pulse as Pulse
from .solver import GAMMA0 as GAMMA0
from .solver import MU0 as MU0
from .solver import MacrospinIntegrationError as MacrospinIntegrationError
from .solver import MacrospinResult as MacrospinResult
from .solver import ReducedUnits as ReducedUnits
from .solver import dmdt as dmdt
from .solver import solve as solve
from .solver import solve_si as solve_si
from .solver import thin_film_hk_eff as thin_film_hk_eff
from .terms import from_terms as from_terms
