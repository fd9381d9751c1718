r"""Vectorised macrospin solver, switching phase diagrams and analytic boundaries.

Reduced units throughout: fields in units of the anisotropy field :math:`H_K`,
time in units of :math:`1/(\gamma_0 H_K)`; :func:`solve_si` and
:class:`ReducedUnits` convert from SI, :func:`thin_film_hk_eff` absorbs the thin-film
demagnetising field, :func:`from_terms` reads ``ud.DiracSOT`` & co.

Model (``docs/PHYSICS.md``, torques inside the Gilbert form)

.. math::

    \dot{\mathbf m} = -\mathbf m\times(\mathbf h_\mathrm{eff}+\mathbf h_T)
    + \mathbf m\times\left([\alpha I + \delta\alpha(I-\mathbf n\mathbf n)]
    \dot{\mathbf m}\right)

with Dirac damping-like :math:`\mathbf h_T = -h_\mathrm{DL} f_\mathrm{DL} m_n
\mathbf j`, field-like :math:`-h_\mathrm{FL} f_\mathrm{FL}\,\mathbf n\times\mathbf j`
and spin-Hall :math:`h_\mathrm{SH}\,\mathbf m\times(\mathbf n\times\mathbf j)`.

Main entry points
-----------------
:func:`solve`
    Many independent macrospins at once (Numba, adaptive Dormand-Prince 5(4) per
    point, early stop at stable fixed points, optional threads).
:func:`phase_diagram`, :func:`compare_torques`, :func:`plot_side_by_side`
    The switching phase diagrams of the paper's Fig. 2 as ``xarray.Dataset``.
:func:`switching_threshold`
    Step-current switching threshold versus :math:`h_x`.
:func:`switching_probability`, :func:`plot_switching_probability`,
:func:`plot_switching_map`, :func:`plot_write_error_rate`
    Thermal switching probabilities (stochastic LLG, >= 10^4 trials per point,
    Wilson intervals) and their curves, maps and write-error rates.
:func:`bilayer_arguments`, :func:`with_current_density`
    Diagrams of a ferromagnet on a Dirac surface (``ud.theory.Bilayer``): its
    field-like torque and damping, and the current density (A/m^2) axis.
:func:`she_diamond_edge`, :func:`she_lee_linear`, :func:`she_upper_edge`,
:func:`dirac_threshold_alpha0`, :func:`fixed_points`, :func:`linear_stability`
    Exact boundaries and fixed points.

Examples
--------
The Fig. 2 study (use 201 points per axis for the real figure; a few seconds):

>>> import numpy as np
>>> import ubermag_dirac as ud
>>> hx = np.linspace(-0.98, 0.98, 15)
>>> hsot = np.linspace(-2.0, 2.0, 15)
>>> dirac, she = ud.macrospin.compare_torques(hx, hsot, alpha=0.1)
>>> axes = ud.macrospin.plot_side_by_side(dirac, she)
>>> int((dirac.state == 0).sum()) > int((she.state == 0).sum())  # wider diamond
True
"""

from .boundaries import dirac_fixed_points as dirac_fixed_points
from .boundaries import dirac_threshold_alpha0 as dirac_threshold_alpha0
from .boundaries import fixed_points as fixed_points
from .boundaries import linear_stability as linear_stability
from .boundaries import she_diamond_edge as she_diamond_edge
from .boundaries import she_lee_linear as she_lee_linear
from .boundaries import she_out_of_plane_fixed_points as she_out_of_plane_fixed_points
from .boundaries import she_upper_edge as she_upper_edge
from .current import bilayer_arguments as bilayer_arguments
from .current import fl_dl_note as fl_dl_note
from .current import with_current_density as with_current_density
from .phase import STATE_CODES as STATE_CODES
from .phase import STATES as STATES
from .phase import classify as classify
from .phase import flip_state as flip_state
from .phase import phase_diagram as phase_diagram
from .phase import state_counts as state_counts
from .phase import switching_threshold as switching_threshold
from .plotting import STATE_COLORS as STATE_COLORS
from .plotting import compare_torques as compare_torques
from .plotting import plot_phase_diagram as plot_phase_diagram
from .plotting import plot_side_by_side as plot_side_by_side
from .probability_plots import current_axis as current_axis
from .probability_plots import plot_switching_map as plot_switching_map
from .probability_plots import (
    plot_switching_probability as plot_switching_probability,
)
from .probability_plots import plot_write_error_rate as plot_write_error_rate
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
from .thermal import switching_probability as switching_probability
