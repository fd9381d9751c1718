"""The finite-difference grid shared by a batch of systems, and parameter conversion.

Every engine array is component-first with a leading batch axis: vectors are
``(B, 3, nx, ny, nz)``, scalars ``(B, nx, ny, nz)``. Ubermag parameters (a number,
a vector, a region dictionary or a :class:`discretisedfield.Field`) are turned into
such arrays by :meth:`Grid.scalar` and :meth:`Grid.vector`, following OOMMF's rules
(as oommfc writes them): a cell belongs to the first subregion (in the mesh's
dictionary order) that contains its centre; cells in no subregion, and subregions
missing from the dictionary, take the ``"default"`` entry, or 0 when there is none.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

__all__ = ["Grid"]


def _as_systems(systems) -> list[mm.System]:
    if isinstance(systems, mm.System):
        return [systems]
    systems = list(systems)
    if not systems:
        raise ValueError(
            "systems: expected one micromagneticmodel.System or a "
            "non-empty sequence of them, got an empty sequence."
        )
    for i, s in enumerate(systems):
        if not isinstance(s, mm.System):
            raise TypeError(
                f"systems[{i}]: expected micromagneticmodel.System, "
                f"got {type(s).__name__}."
            )
    return systems


class Grid:
    """Mesh geometry, saturation magnetisation and region map of a batch of systems.

    Parameters
    ----------
    systems : micromagneticmodel.System or sequence of them
        Systems whose magnetisation ``system.m`` is defined on one common mesh
        (same region, discretisation cell, periodic boundary conditions and
        subregions). Each becomes one entry of the leading batch axis.

    Attributes
    ----------
    mesh : discretisedfield.Mesh
        The common mesh.
    n : tuple of int
        Number of cells ``(nx, ny, nz)``.
    cell : tuple of float
        Cell edge lengths ``(dx, dy, dz)`` in m.
    pbc : str
        Periodic directions, a subset of ``"xyz"`` (as ``mesh.bc`` holds them).
    Ms : numpy.ndarray
        Saturation magnetisation, shape ``(B, nx, ny, nz)``, A/m (the norm of
        ``system.m``).
    mask : numpy.ndarray
        ``Ms > 0``, shape ``(B, nx, ny, nz)``: magnetic cells. Cells with
        ``Ms = 0`` are empty space.
    region_index : numpy.ndarray
        Integer array ``(nx, ny, nz)``: index into ``region_names`` of the subregion
        each cell belongs to, ``-1`` for cells in no subregion.

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.engine.grid import Grid
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 2e-9, 1e-9), cell=(1e-9, 1e-9, 1e-9))
    >>> system = mm.System(name="s")
    >>> system.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    >>> grid = Grid(system)
    >>> grid.n, grid.batch, grid.Ms.shape
    ((4, 2, 1), 1, (1, 4, 2, 1))
    >>> grid.scalar([{"default": 2.0}]).shape
    (1, 4, 2, 1)

    Systems on different meshes cannot share a grid:

    >>> other = mm.System(name="t")
    >>> other.m = df.Field(
    ...     df.Mesh(p1=(0, 0, 0), p2=(4e-9, 2e-9, 1e-9), n=(8, 4, 1)),
    ...     nvdim=3,
    ...     value=(0, 0, 1),
    ...     norm=8e5,
    ... )
    >>> Grid([system, other])
    Traceback (most recent call last):
    ...
    ValueError: systems[1]: its mesh differs from systems[0]'s ...
    """

    def __init__(self, systems: mm.System | Sequence[mm.System]):
        systems = _as_systems(systems)
        for i, s in enumerate(systems):
            if not isinstance(getattr(s, "m", None), df.Field):
                raise ValueError(
                    f"systems[{i}] ({s.name!r}): system.m is not set; "
                    "assign a discretisedfield.Field before driving."
                )
        mesh = systems[0].m.mesh
        for i, s in enumerate(systems[1:], start=1):
            other = s.m.mesh
            same = (
                np.array_equal(other.n, mesh.n)
                and np.allclose(
                    other.region.pmin,
                    mesh.region.pmin,
                    rtol=0,
                    atol=1e-6 * min(mesh.cell),
                )
                and np.allclose(other.cell, mesh.cell, rtol=1e-12, atol=0)
                and other.bc == mesh.bc
                and list(other.subregions) == list(mesh.subregions)
            )
            if not same:
                raise ValueError(
                    f"systems[{i}]: its mesh differs from systems[0]'s (n, region, "
                    "cell, bc and subregions must agree to share one batched grid)."
                )
        self.systems = systems
        self.mesh = mesh
        self.n = tuple(int(k) for k in mesh.n)
        self.cell = tuple(float(c) for c in mesh.cell)
        self.pbc = "".join(sorted(c for c in str(mesh.bc) if c in "xyz"))
        self.batch = len(systems)
        self.cell_volume = float(np.prod(self.cell))
        self.Ms = np.stack(
            [np.linalg.norm(s.m.array, axis=-1) for s in systems]
        ).astype(np.float64)
        if not np.all(np.isfinite(self.Ms)):
            raise ValueError("system.m: contains non-finite values.")
        self.mask = self.Ms > 0
        if not self.mask.any(axis=(1, 2, 3)).all():
            empty = [
                s.name
                for s, k in zip(systems, self.mask.any(axis=(1, 2, 3)), strict=True)
                if not k
            ]
            raise ValueError(
                f"system.m: every cell has Ms = 0 in {empty}; nothing to simulate."
            )
        self.region_names = list(mesh.subregions)
        self.region_index = self._region_index()

    # ------------------------------------------------------------------ regions
    def cell_centres(self) -> np.ndarray:
        """Positions of the cell centres, ``(nx, ny, nz, 3)`` in m."""
        return np.stack(
            np.meshgrid(
                *(
                    self.mesh.region.pmin[k]
                    + (np.arange(self.n[k]) + 0.5) * self.cell[k]
                    for k in range(3)
                ),
                indexing="ij",
            ),
            axis=-1,
        )

    def _region_index(self) -> np.ndarray:
        index = np.full(self.n, -1, dtype=np.int64)
        if not self.region_names:
            return index
        centres = self.cell_centres()
        # first subregion (dictionary order) containing the cell centre wins, as in
        # OOMMF's Oxs_MultiAtlas that oommfc writes
        for k in reversed(range(len(self.region_names))):
            region = self.mesh.subregions[self.region_names[k]]
            tol = 1e-9 * np.asarray(self.cell)
            inside = np.all(
                (centres >= np.asarray(region.pmin) - tol)
                & (centres <= np.asarray(region.pmax) + tol),
                axis=-1,
            )
            index[inside] = k
        return index

    def region_mask(self, name: str) -> np.ndarray:
        """Boolean ``(nx, ny, nz)`` mask of the cells of subregion ``name``."""
        if name not in self.region_names:
            raise ValueError(
                f"Unknown subregion {name!r}; the mesh has {self.region_names}."
            )
        return self.region_index == self.region_names.index(name)

    # --------------------------------------------------------------- parameters
    def _from_dict(self, value: dict, nvdim: int, what: str) -> np.ndarray:
        default = value.get("default", 0.0 if nvdim == 1 else (0.0, 0.0, 0.0))
        unknown = [
            k
            for k in value
            if k != "default" and ":" not in k and k not in self.region_names
        ]
        if unknown:
            raise ValueError(
                f"{what}: unknown subregion(s) {unknown}; the mesh has "
                f"{self.region_names} (and 'default')."
            )
        out = np.empty((*self.n, nvdim), dtype=np.float64)
        out[...] = np.asarray(default, dtype=np.float64).reshape(nvdim)
        for k, name in enumerate(self.region_names):
            if name in value:
                out[self.region_index == k] = np.asarray(
                    value[name], dtype=np.float64
                ).reshape(nvdim)
        return out

    def _one(self, value, nvdim: int, what: str) -> np.ndarray:
        """Cell values ``(nx, ny, nz, nvdim)`` of one system's parameter."""
        if isinstance(value, df.Field):
            if value.nvdim != nvdim:
                raise ValueError(
                    f"{what}: expected a field with nvdim={nvdim}, got "
                    f"nvdim={value.nvdim}."
                )
            return self._field_values(value, what).reshape(*self.n, nvdim)
        if isinstance(value, dict):
            return self._from_dict(value, nvdim, what)
        if nvdim == 1 and isinstance(value, numbers.Real):
            return np.full((*self.n, 1), float(value))
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape == (nvdim,):
            return np.broadcast_to(arr, (*self.n, nvdim)).copy()
        raise ValueError(
            f"{what}: expected a number, a length-{nvdim} vector, a "
            "region dict or a discretisedfield.Field, got "
            f"{type(value).__name__}."
        )

    def _same_geometry(self, mesh) -> bool:
        return (
            np.array_equal(mesh.n, self.n)
            and np.allclose(
                mesh.region.pmin,
                self.mesh.region.pmin,
                rtol=0,
                atol=1e-6 * min(self.cell),
            )
            and np.allclose(mesh.cell, self.cell, rtol=1e-9, atol=0)
        )

    def _field_values(self, field: df.Field, what: str) -> np.ndarray:
        """Values of a field parameter at the cell centres (resampled by position).

        A field on the system's mesh is used as it is. A field on another mesh
        is sampled at every cell centre with the value of its cell containing
        that point (what ``field(point)`` and ``Field.resample`` of
        discretisedfield return); a field whose region does not contain every
        cell centre is refused (OOMMF, as oommfc writes it, would stretch the
        field's extent over the mesh instead).
        """
        array = np.asarray(field.array, dtype=np.float64)
        fm = field.mesh
        if self._same_geometry(fm):
            return array
        centres = self.cell_centres()
        lo, hi = np.asarray(fm.region.pmin), np.asarray(fm.region.pmax)
        tol = 1e-9 * np.asarray(self.cell)
        outside = np.any((centres < lo - tol) | (centres > hi + tol), axis=-1)
        if outside.any():
            region = self.mesh.region
            raise ValueError(
                f"{what}: the discretisedfield.Field is defined on the region "
                f"{tuple(lo.tolist())}-{tuple(hi.tolist())} m, which does not "
                f"contain {int(outside.sum())} of the {outside.size} cell centres "
                f"of the system's mesh (region {tuple(region.pmin.tolist())}-"
                f"{tuple(region.pmax.tolist())} m). Define it on the system's "
                "mesh (df.Field(system.m.mesh, ...)) or on a region containing "
                "it; other meshes are resampled by position."
            )
        index = np.floor((centres - lo) / np.asarray(fm.cell)).astype(np.int64)
        index = np.clip(index, 0, np.asarray(fm.n) - 1)
        return array[index[..., 0], index[..., 1], index[..., 2]]

    def _stack(self, values, nvdim: int, what: str) -> list[np.ndarray]:
        if not isinstance(values, list | tuple) or len(values) != self.batch:
            raise ValueError(
                f"{what}: expected a list of {self.batch} per-system "
                "parameter values (one per batch entry)."
            )
        return [self._one(v, nvdim, what) for v in values]

    def scalar(self, values, what: str = "parameter") -> np.ndarray:
        """Scalar parameter of each system as a ``(B, nx, ny, nz)`` array.

        ``values`` is a list of ``B`` Ubermag parameters, one per system (a number,
        a region dict or a scalar ``df.Field``); ``what`` names the parameter in
        error messages.
        """
        return np.stack([p[..., 0] for p in self._stack(values, 1, what)])

    def vector(self, values, what: str = "parameter") -> np.ndarray:
        """Vector parameter of each system as ``(B, 3, nx, ny, nz)`` (see `scalar`)."""
        return np.stack([np.moveaxis(p, -1, 0) for p in self._stack(values, 3, what)])

    def unit_m(self) -> np.ndarray:
        """Normalised magnetisation ``(B, 3, nx, ny, nz)``, 0 in empty cells."""
        m = np.stack([np.moveaxis(s.m.array, -1, 0) for s in self.systems]).astype(
            np.float64
        )
        Ms = self.Ms[:, None]
        np.divide(m, Ms, out=m, where=Ms > 0)
        m[np.broadcast_to(Ms <= 0, m.shape)] = 0.0
        return m

    def to_field(self, array: np.ndarray, index: int = 0) -> df.Field:
        """Batch entry ``index`` of a component-first array as a ``df.Field``."""
        array = np.asarray(array)
        if array.ndim == 5:
            return df.Field(
                self.mesh, nvdim=3, value=np.moveaxis(array[index], 0, -1).copy()
            )
        if array.ndim == 4:
            return df.Field(self.mesh, nvdim=1, value=array[index][..., None].copy())
        raise ValueError(
            f"array: expected (B, 3, nx, ny, nz) or (B, nx, ny, nz), got "
            f"shape {array.shape}."
        )
