"""Parameter conversion shared by the neighbour-coupling terms (exchange, DMI).

OOMMF's pair semantics (as oommfc writes them, ``Oxs_Exchange6Ngbr`` and the DMI
extensions): a region dictionary defines a symmetric matrix of pair values over
the atlas regions; ``"r"`` sets the pair ``(r, r)``, ``"r1:r2"`` the pair
``(r1, r2)`` and ``(r2, r1)``, and every pair not named takes ``"default"``
(0 when absent). So two regions are coupled across their interface only through
an ``"r1:r2"`` key or the default. Cells in no subregion belong to oommfc's atlas
region ``"entire"`` (``"main"`` when the mesh has no subregions).
"""

from __future__ import annotations

import numbers

import discretisedfield as df
import numpy as np

__all__ = ["bond_coefficients", "outside_label", "pair_matrix"]


def outside_label(grid) -> str:
    """oommfc's atlas name of the cells in no subregion."""
    return "entire" if grid.region_names else "main"


def _real(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what}: expected a real number, got {value!r}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{what}: expected a finite number, got {value!r}.")
    return value


def pair_matrix(value: dict, grid, what: str) -> np.ndarray:
    """Symmetric pair matrix ``(R + 1, R + 1)`` indexed by ``region_index + 1``."""
    names = {outside_label(grid): 0}
    names.update({name: k + 1 for k, name in enumerate(grid.region_names)})
    default = _real(value.get("default", 0.0), f"{what}['default']")
    M = np.full((len(grid.region_names) + 1,) * 2, default)
    for key, v in value.items():
        if key == "default":
            continue
        r1, _, r2 = str(key).partition(":")
        r2 = r2 or r1
        unknown = [r for r in dict.fromkeys((r1, r2)) if r not in names]
        if unknown:
            raise ValueError(
                f"{what}: key {key!r} names unknown region(s) {unknown}; the mesh "
                f"has {grid.region_names} (cells in no subregion are "
                f"{outside_label(grid)!r}), keys are 'region', 'region1:region2' "
                "or 'default'."
            )
        M[names[r1], names[r2]] = M[names[r2], names[r1]] = _real(v, f"{what}[{key!r}]")
    return M


def _shift(a: np.ndarray, axis: int) -> np.ndarray:
    """``a`` at the neighbour ``+1`` along ``axis`` (periodic wrap)."""
    return np.roll(a, -1, axis=axis)


def bond_coefficients(
    values, grid, what: str, combine: str, weights
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-bond coupling ``(cx, cy, cz)``, each ``(B, nx, ny, nz)``, C-contiguous.

    ``values`` holds one Ubermag parameter per system (number, region dict or
    scalar ``df.Field``). A number couples every bond with that value; a dict
    uses OOMMF's pair matrix (see the module docstring); a field combines the two
    cells' values with ``combine``: ``"harmonic"`` (``2 a b / (a + b)``, as
    ``Oxs_ExchangePtwise``) or ``"arithmetic"`` (``(a + b) / 2``). The result is
    multiplied by ``weights[axis]`` and set to 0 for bonds that leave the mesh
    (unless periodic along that axis) or touch an empty cell.
    """
    if not isinstance(values, list | tuple) or len(values) != grid.batch:
        raise ValueError(
            f"{what}: expected a list of {grid.batch} per-system parameter values."
        )
    fields = grid.scalar([v if isinstance(v, df.Field) else 0.0 for v in values], what)
    out = [np.zeros((grid.batch, *grid.n)) for _ in range(3)]
    ridx = grid.region_index + 1
    for b, value in enumerate(values):
        mask = grid.mask[b].astype(np.float64)
        if isinstance(value, df.Field):
            a = fields[b]
        elif isinstance(value, dict):
            M = pair_matrix(value, grid, what)
        else:
            value = _real(value, what)
        for axis in range(3):
            if isinstance(value, df.Field):
                an = _shift(a, axis)
                if combine == "harmonic":
                    s = a + an
                    bad = (s == 0.0) & (a != 0.0)
                    if bad.any():
                        raise ValueError(
                            f"{what}: neighbouring cells with A and -A make the "
                            "harmonic mean 2 A1 A2 / (A1 + A2) infinite."
                        )
                    pair = np.divide(
                        2.0 * a * an, s, out=np.zeros_like(a), where=s != 0.0
                    )
                else:
                    pair = 0.5 * (a + an)
            elif isinstance(value, dict):
                pair = M[ridx, _shift(ridx, axis)]
            else:
                pair = np.full(grid.n, value)
            c = pair * mask * _shift(mask, axis) * float(weights[axis])
            if "xyz"[axis] not in grid.pbc:
                index = [slice(None)] * 3
                index[axis] = -1
                c[tuple(index)] = 0.0
            out[axis][b] = c
    return out[0], out[1], out[2]
