"""pytest set-up of the whole repository (tests and docstring examples).

Figures are drawn off-screen, whatever display the machine has: the docstring
examples do not choose a backend themselves (copied into Jupyter, they must keep
its inline figures).
"""

import matplotlib

matplotlib.use("Agg")
