"""Switching studies of micromagnetic films compared with the macrospin limit.

The sweep :func:`phase_diagram` runs the protocol of
:func:`ubermag_dirac.macrospin.phase_diagram` (field-relaxed start from both
:math:`\\pm\\mathbf n`, current pulse or step, settle, classify) on full
micromagnetic films through the batched :class:`ubermag_dirac.engine.Engine`;
:func:`macrospin_diagram` and :func:`compare` put the macrospin diagram with the
same parameters (effective anisotropy from :func:`effective_anisotropy`) next
to it; :func:`plot` and :func:`plot_comparison` draw them.
:func:`switching_probability` runs thermal trials of the film at ``system.T``
(switching probability with Wilson intervals, resumable like the sweeps) and
:func:`compare_probability` puts two such results side by side. Pulses are picklable
``func(t)`` classes (:class:`Step`, :class:`Trapezoid`, ...).

A film-versus-macrospin study (see ``benchmarks/bench_switching.py`` for the
device-scale studies and their cost)::

    import discretisedfield as df
    import micromagneticmodel as mm
    import numpy as np
    import ubermag_dirac as ud

    mesh = df.Mesh(p1=(0, 0, 0), p2=(100e-9, 100e-9, 1e-9), cell=(5e-9, 5e-9, 1e-9))
    film = mm.System(name="ti_film")
    film.energy = (
        mm.Exchange(A=1.5e-11)
        + mm.UniaxialAnisotropy(K=6e5, u=(0, 0, 1))
        + mm.DMI(D=1.5e-3, crystalclass="Cnv_z")
        + mm.Demag()
    )
    film.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.1)
    film.dynamics += ud.DiracSOT(H_DL=0.0)  # amplitude swept
    film.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)

    HK = ud.switching.effective_anisotropy(film)["H_K_eff"]
    ds = ud.switching.phase_diagram(
        film,
        hx=np.linspace(-0.8, 0.8, 9) * HK,
        hsot=np.linspace(-1.6, 1.6, 9) * HK,
        pulse=ud.switching.Trapezoid(rise=50e-12),
        t_run=1.5e-9,
        dirname="ti_film_sweep",  # resumable
    )
    ds.switching.plot_comparison()  # film | macrospin | differences
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
from .probability import compare_probability as compare_probability
from .probability import macrospin_equivalent as macrospin_equivalent
from .probability import switching_probability as switching_probability
from .pulses import PiecewiseLinear as PiecewiseLinear
from .pulses import Pulse as Pulse
from .pulses import Sine as Sine
from .pulses import Step as Step
from .pulses import Trapezoid as Trapezoid
from .sweep import memory_per_point as memory_per_point
from .sweep import phase_diagram as phase_diagram
