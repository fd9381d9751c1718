"""The numba options shared by the kernels (private)."""

import numba

#: Options of every kernel: cached compilation, no GIL, no bounds checks and
#: numpy's error model (no zero-division checks; the kernels' denominators are
#: >= 1 for the parameter ranges their callers validate).
OPTIONS = {"cache": True, "nogil": True, "boundscheck": False, "error_model": "numpy"}


def kernel(func):
    """Compile ``func`` as a scalar kernel (callable from other compiled code).

    ``inline="always"``: numba inlines the kernel into every compiled caller
    before LLVM optimises it. Measured on 61 x 61 macrospin diagrams: LLVM's
    own inlining left the kernel calls out of line and cost 15-20 %; inlined,
    the speed is that of the hand-fused code before the kernels existed.
    """
    return numba.njit(inline="always", **OPTIONS)(func)
