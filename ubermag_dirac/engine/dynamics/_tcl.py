"""Tcl evaluation of OOMMF ``J_profile`` procs (``tcl_strings`` of Slonczewski
and Zhang-Li), with Python's built-in Tcl interpreter.

The proc is evaluated at every time, when its ``script_args`` are
``total_time`` only (OOMMF's engine time since the start of the drive); other
arguments raise :class:`~ubermag_dirac.engine.registry.UnsupportedTermError`.
"""

from __future__ import annotations

from ..registry import UnsupportedTermError

__all__ = ["tcl_func"]


def tcl_func(tcl: dict, what: str):
    """``func(t)`` evaluating an OOMMF ``J_profile`` Tcl proc at ``total_time``."""
    args = str(tcl.get("script_args", "")).split()
    if any(a != "total_time" for a in args):
        raise UnsupportedTermError(
            f"{what}: tcl_strings with script_args {args} are not supported "
            "(the calculator passes only total_time); use func and dt."
        )
    try:
        import tkinter

        interp = tkinter.Tcl()
    except (ImportError, RuntimeError) as exc:  # pragma: no cover - no Tcl
        raise UnsupportedTermError(
            f"{what}: tcl_strings need a Tcl interpreter (tkinter): {exc}"
        ) from exc
    interp.eval(tcl["script"])
    proc = tcl["script_name"]

    def func(t):
        cmd = f"{proc} {float(t):.17g}" if args else proc
        return float(interp.eval(cmd))

    return func
