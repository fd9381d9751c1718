"""Input checks shared by the theory modules (clear errors naming the parameter)."""

import numpy as np

from .._numbers import real

CONVENTIONS = ("kubo", "paper")


def check_convention(convention):
    """Return ``convention`` if it is ``"kubo"`` or ``"paper"``, else raise."""
    if convention not in CONVENTIONS:
        raise ValueError(
            f"convention={convention!r} is unknown; allowed values are 'kubo' "
            "(standard Kubo-Streda ordering, default) and 'paper' (Eq. 14 of "
            "Ndiaye et al. with the missing hbar restored)."
        )
    return convention


def positive(name, value, unit=""):
    """Return ``float(value)`` if it is finite and > 0, else raise ValueError.

    Strings and bools are refused (``TypeError``): the package's one rule for
    numbers, :mod:`ubermag_dirac._numbers`.
    """
    value = real(name, value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} = {value!r} {unit}: {name} must be finite and > 0.")
    return value


def as_mz(mz):
    """Return ``mz`` as a float array, checking ``|m_z| <= 1``."""
    mz = np.asarray(mz, dtype=float)
    if not np.all(np.isfinite(mz)) or np.any(np.abs(mz) > 1.0 + 1e-12):
        raise ValueError(
            "mz must be finite with |m_z| <= 1 (m_z is the component of the unit "
            "magnetisation along the surface normal)."
        )
    return mz


def metallic(beta, mz):
    """Raise unless ``|beta m_z| < 1`` everywhere (metallic regime)."""
    if np.any(np.abs(np.asarray(beta) * mz) >= 1.0):
        raise ValueError(
            "outside the metallic regime: eps_F > |Delta m_z| (|beta m_z| < 1) is "
            "required for the Kubo-Streda closed forms."
        )


def unit_vector(name, vec):
    """Return ``vec`` (shape (3,)) normalised; raise unless a nonzero 3-vector."""
    vec = np.asarray(vec, dtype=float)
    if vec.shape != (3,) or not np.all(np.isfinite(vec)) or np.linalg.norm(vec) == 0:
        raise ValueError(f"{name} must be a nonzero 3-vector, got {vec!r}.")
    return vec / np.linalg.norm(vec)


def vectors(name, arr):
    """Return ``arr`` as a float array with trailing axis 3, else raise."""
    arr = np.asarray(arr, dtype=float)
    if arr.ndim == 0 or arr.shape[-1] != 3:
        raise ValueError(f"{name} must be an array with trailing axis of length 3.")
    return arr
