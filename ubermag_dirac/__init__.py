"""ubermag-dirac: ferromagnetic films on topological-insulator surfaces in Ubermag.

Conventionally imported as ``import ubermag_dirac as ud``.

Subpackages
-----------
theory
    Analytic Dirac-surface linear response (Ndiaye et al.) and the
    Mahfouzi-Kioussis NEGF results.
terms
    Dynamics terms (:class:`DiracSOT`, :class:`AnisotropicDamping`,
    :class:`SpinHallSOT`) used with ordinary Ubermag syntax.
macrospin
    Vectorised macrospin solver and switching phase diagrams.
engine
    Finite-difference LLG engine that runs Ubermag systems with these terms.
drivers
    Ubermag drivers (:class:`TimeDriver`, :class:`MinDriver`, ...) around the engine.
"""

from importlib.metadata import version as _version

__version__ = _version("ubermag-dirac")

# public API: one block per subpackage (imports after __version__ on purpose)
from . import engine as engine
from . import macrospin as macrospin
from . import switching as switching
from . import terms as terms
from . import theory as theory
from ._warnings import UbermagDiracDeprecationWarning as UbermagDiracDeprecationWarning
from ._warnings import UbermagDiracWarning as UbermagDiracWarning
from .drivers import CGEvolver as CGEvolver
from .drivers import EulerEvolver as EulerEvolver
from .drivers import HysteresisDriver as HysteresisDriver
from .drivers import MinDriver as MinDriver
from .drivers import RelaxDriver as RelaxDriver
from .drivers import RungeKuttaEvolver as RungeKuttaEvolver
from .drivers import SpinTEvolver as SpinTEvolver
from .drivers import SpinXferEvolver as SpinXferEvolver
from .drivers import StochasticHeunEvolver as StochasticHeunEvolver
from .drivers import TimeDriver as TimeDriver
from .drivers import UHH_ThetaEvolver as UHH_ThetaEvolver
from .drivers import Xf_ThermHeunEvolver as Xf_ThermHeunEvolver
from .drivers import Xf_ThermSpinXferEvolver as Xf_ThermSpinXferEvolver
from .drivers import compute as compute
from .drivers import delete as delete
from .terms import AnisotropicDamping as AnisotropicDamping
from .terms import DiracSOT as DiracSOT
from .terms import SpinHallSOT as SpinHallSOT
