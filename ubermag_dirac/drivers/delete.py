"""Delete the output directory of a system (like ``oommfc.delete``)."""

from __future__ import annotations

import pathlib
import shutil

__all__ = ["delete"]


def delete(system, silent=False, dirname="."):
    """Delete ``dirname/<system.name>`` with all drives and computations in it.

    Like ``oommfc.delete``, and additionally resets ``system.drive_number`` and
    ``system.compute_number`` to 0 so that the next drive is ``drive-0`` again.

    Parameters
    ----------
    system : micromagneticmodel.System
        System whose files are deleted.
    silent : bool, optional
        If ``True``, a missing directory is not an error. Defaults to ``False``.
    dirname : str or pathlib.Path, optional
        Base directory that was passed to ``drive`` (default: current directory).

    Raises
    ------
    FileNotFoundError
        If the directory does not exist and ``silent=False``.

    Examples
    --------
    >>> import os, tempfile
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> system = mm.examples.macrospin()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     os.makedirs(os.path.join(tmp, system.name, "drive-0"))
    ...     system.drive_number = 1
    ...     ud.delete(system, dirname=tmp)
    ...     os.path.exists(os.path.join(tmp, system.name)), system.drive_number
    (False, 0)
    >>> ud.delete(system, dirname="/nonexistent")
    Traceback (most recent call last):
    ...
    FileNotFoundError: Directory ... does not exist.
    """
    path = pathlib.Path(dirname, system.name)
    if path.exists():
        shutil.rmtree(path)
        system.drive_number = 0
        system.compute_number = 0
    elif not silent:
        raise FileNotFoundError(f"Directory {str(path)!r} does not exist.")
