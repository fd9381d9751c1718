"""OOMMF-layout output of ubermag-dirac drives.

Every drive writes the files that ``micromagneticdata`` and ``ubermagtable`` read
from an OOMMF drive directory ``<dirname>/<system.name>/drive-<N>/``:

``info.json``
    written by :class:`micromagneticmodel.ExternalDriver` (drive number, date, time,
    adapter, driver, drive keyword arguments, start/end/elapsed time, success).
``m0.omf``
    the initial magnetisation (with ``m0.omf.subregions.json`` when the mesh has
    subregions, exactly as ``oommfc`` writes it).
``<name>.odt``
    an OOMMF data table (ODT 1.0); see :class:`OdtWriter` for the column labels.
``<name>-My_<Driver>-Magnetization-<stage>-<iteration>.omf``
    magnetisation snapshots, zero-padded so that the lexicographic order that
    ``micromagneticdata`` uses is the chronological order (see `snapshot_name`).
``<name>.input.json``
    a human-readable record of the system (mesh, every energy and dynamics term with
    its parameters) and the driver settings: the analogue of OOMMF's ``<name>.mif``
    (see `input_record`).

Column labels use OOMMF's extension prefix ``My_`` (OOMMF reserves ``Oxs_`` for its
own classes). ``ubermagtable`` strips any of the prefixes ``Oxs_ Anv_ Southampton_
My_ YY_ UHH_ Xf_`` and renames ``<Class>:<term>:<quantity>`` labels with its OOMMF
dictionary, so a label such as ``My_RungeKuttaEvolve:evolver:Total energy`` reads
back as ``E`` and ``My_UniformExchange:exchange:Energy`` as ``E_exchange``: the
tables have the same column names as tables written by ``oommfc``.
"""

from __future__ import annotations

import contextlib
import json
import math
import numbers
import pathlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import ubermagutil.typesystem as ts
from ubermagtable.util.util import oommf_dict, rename_column

from .. import _atomic

__all__ = [
    "PREFIX",
    "Column",
    "OdtWriter",
    "energy_label",
    "input_record",
    "snapshot_name",
    "write_field",
    "write_input_record",
    "write_snapshot",
]

#: OOMMF's prefix for user extension classes; every column label starts with it.
PREFIX = "My_"

# ubermagtable splits the "# Columns:" line at these strings, wherever they occur.
_SPLIT_PREFIXES = ("Oxs_", "Anv_", "Southampton_", "My_", "YY_", "UHH_", "Xf_")

# The OOMMF class that oommfc uses for each micromagneticmodel energy term; with
# these, ubermagtable renames the energy column of a term called <name> exactly as it
# renames oommfc's (e.g. E_exchange, E_zeeman, E_demag, E_<name> for the others).
_ENERGY_CLASS = {
    "Exchange": "UniformExchange",
    "Zeeman": "FixedZeeman",
    "Demag": "Demag",
    "UniaxialAnisotropy": "UniaxialAnisotropy",
    "CubicAnisotropy": "CubicAnisotropy",
    "RKKY": "TwoSurfaceExchange",
}


@dataclass(frozen=True)
class Column:
    """One column of an ODT table.

    Parameters
    ----------
    label : str
        OOMMF-style label without the prefix, e.g. ``"TimeDriver::Simulation time"``
        or ``"UniformExchange:exchange:Energy"``. It must not contain braces or any
        of ubermagtable's split prefixes (``Oxs_``, ``My_``, ...).
    unit : str
        Unit without spaces, ``""`` for dimensionless columns (OOMMF writes ``{}``).

    Examples
    --------
    >>> from ubermag_dirac.drivers.output import Column
    >>> Column("TimeDriver::Simulation time", "s").name
    't'
    >>> Column("Jpump_x", "A/m^2").name
    'Jpump_x'
    >>> Column("My_x", "")
    Traceback (most recent call last):
    ...
    ValueError: Column label 'My_x' contains 'My_'...
    """

    label: str
    unit: str = ""

    def __post_init__(self):
        for bad in _SPLIT_PREFIXES:
            if bad in self.label:
                raise ValueError(
                    f"Column label {self.label!r} contains {bad!r}, at which "
                    "ubermagtable splits the column line; rename the term."
                )
        if re.search(r"[{}]", self.label) or self.label != self.label.strip():
            raise ValueError(f"Column label {self.label!r}: no braces or edge spaces.")
        if re.search(r"\s|[{}]", self.unit):
            raise ValueError(f"Column unit {self.unit!r}: no spaces or braces.")

    @property
    def name(self) -> str:
        """Column name after ``ubermagtable.Table.fromfile`` (renaming applied)."""
        return rename_column(self.label, oommf_dict)

    @property
    def header(self) -> str:
        """The label as it appears on the ``# Columns:`` line."""
        label = PREFIX + self.label
        return f"{{{label}}}" if re.search(r"\s", label) else label


def energy_label(term) -> str:
    """ODT label of the energy of ``term`` (an ``mm.EnergyTerm``).

    ubermagtable reads it back as ``E_<name>`` (``E_exchange``, ``E_zeeman``,
    ``E_demag``, ``E_dmi``, ...), the names it gives oommfc's columns.

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.drivers.output import Column, energy_label
    >>> energy_label(mm.Exchange(A=1e-12))
    'UniformExchange:exchange:Energy'
    >>> Column(energy_label(mm.DMI(D=1e-3, crystalclass="Cnv_z")), "J").name
    'E_dmi'
    """
    cls = type(term).__name__
    if isinstance(term, mm.DMI):
        crystalclass = str(getattr(term, "crystalclass", "T"))
        oxs = "DMI_" + crystalclass.split("_")[0]
    else:
        oxs = _ENERGY_CLASS.get(cls, cls)
    return f"{oxs}:{term.name}:Energy"


def _format(value) -> str:
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


class OdtWriter:
    """Write an OOMMF ODT 1.0 table row by row.

    The header is written on construction and every row is flushed, so a running
    drive can be monitored and a failed one keeps the rows it produced; `close`
    writes ``# Table End``. Column names must be unique after ubermagtable's
    renaming.

    Parameters
    ----------
    path : str or pathlib.Path
        File to write (``<name>.odt``).
    columns : sequence of Column
        The columns, in order.
    title : str, optional
        Table title.

    Examples
    --------
    >>> import os, tempfile
    >>> import ubermagtable as ut
    >>> from ubermag_dirac.drivers.output import Column, OdtWriter
    >>> cols = [Column("TimeDriver::Simulation time", "s"), Column("TimeDriver::mx")]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "s.odt")
    ...     with OdtWriter(path, cols) as odt:
    ...         odt.write_row({"t": 1e-12, "mx": 0.5})
    ...         odt.write_row([2e-12, 0.25])
    ...     table = ut.Table.fromfile(path, x="t")
    >>> table.data.values.tolist(), table.units
    ([[1e-12, 0.5], [2e-12, 0.25]], {'t': 's', 'mx': ''})

    A row that misses a column is refused:

    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with OdtWriter(os.path.join(tmp, "s.odt"), cols) as odt:
    ...         odt.write_row({"t": 1e-12})
    Traceback (most recent call last):
    ...
    KeyError: "ODT row misses columns ['mx']; ..."
    """

    def __init__(
        self,
        path: str | pathlib.Path,
        columns: Sequence[Column],
        title: str = "ubermag-dirac data table",
    ):
        self.columns = list(columns)
        self.names = [c.name for c in self.columns]
        duplicates = sorted({n for n in self.names if self.names.count(n) > 1})
        if duplicates:
            raise ValueError(f"ODT column names are not unique: {duplicates}.")
        self.path = pathlib.Path(path)
        self.rows = 0
        header = (
            f"# ODT 1.0\n# Table Start\n# Title: {title}\n# Columns: "
            + " ".join(c.header for c in self.columns)
            + "\n# Units: "
            + " ".join(c.unit or "{}" for c in self.columns)
            + "\n"
        )
        self._file = open(self.path, "wb", buffering=0)
        self._size = 0
        try:
            self._append(header)
        except BaseException:
            self._file.close()
            self.path.unlink(missing_ok=True)
            raise

    def _append(self, text: str):
        """Write whole lines: a failed write (full disk) is cut back to the last
        complete line, so the table never ends in a partial row."""
        data = memoryview(text.encode("utf-8"))
        try:
            while data:
                data = data[self._file.write(data) :]
        except BaseException:
            with contextlib.suppress(OSError):
                self._file.truncate(self._size)
            raise
        self._size += len(text.encode("utf-8"))

    def write_row(self, values: Mapping[str, float] | Sequence[float]):
        """Append one row: a mapping from column names, or values in column order."""
        if isinstance(values, Mapping):
            missing = [n for n in self.names if n not in values]
            if missing:
                raise KeyError(
                    f"ODT row misses columns {missing}; expected {self.names}."
                )
            unknown = sorted(set(values) - set(self.names))
            if unknown:
                raise KeyError(f"ODT row has unknown columns {unknown}.")
            row = [values[n] for n in self.names]
        else:
            row = list(values)
            if len(row) != len(self.names):
                raise ValueError(
                    f"ODT row has {len(row)} values for {len(self.names)} columns."
                )
        self._append(" ".join(_format(v) for v in row) + "\n")
        self.rows += 1

    def close(self):
        """Write ``# Table End`` and close the file (idempotent)."""
        if not self._file.closed:
            try:
                self._append("# Table End\n")
            finally:
                self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def snapshot_name(
    name: str, driver: str, stage: int, iteration: int, n_stages: int = 1
) -> str:
    """File name of a magnetisation snapshot, OOMMF style.

    The stage is zero-padded to at least two digits (more when ``n_stages`` needs
    them) and the iteration to seven, so that sorting the names (as
    ``micromagneticdata`` does) orders the snapshots in time.

    Parameters
    ----------
    name : str
        System name.
    driver : str
        Driver class name (``"TimeDriver"``, ``"MinDriver"``, ...).
    stage, iteration : int
        Stage number (from 0) and total iteration count.
    n_stages : int, optional
        Number of stages of the drive (sets the padding width).

    Examples
    --------
    >>> from ubermag_dirac.drivers.output import snapshot_name
    >>> snapshot_name("film", "TimeDriver", 3, 120, n_stages=250)
    'film-My_TimeDriver-Magnetization-003-0000120.omf'
    """
    width = max(2, len(str(max(int(n_stages) - 1, 0))))
    stem = f"{name}-{PREFIX}{driver}-Magnetization"
    return f"{stem}-{stage:0{width}d}-{iteration:07d}.omf"


def write_field(path, field: df.Field, ovf_format: str = "bin8", save_subregions=True):
    """Write ``field`` to ``path`` atomically (``df.Field.to_file`` formats).

    The file (and its ``.subregions.json``) appears complete or not at all: a
    killed process or a full disk never leaves a truncated file under its
    final name (see :mod:`ubermag_dirac._atomic`; no disk flush, which would
    cost a few ms per snapshot).
    """
    companions = (".subregions.json",) if save_subregions else ()
    with _atomic.atomic_path(path, companions=companions, durable=False) as tmp:
        field.to_file(
            str(tmp), representation=ovf_format, save_subregions=save_subregions
        )


def write_snapshot(path, field: df.Field, ovf_format: str = "bin8"):
    """Write ``field`` to the OVF 2.0 file ``path`` (``"bin8"``, ``"bin4"``, ``"txt"``).

    Snapshots carry no subregion file (``m0.omf`` has it; ``micromagneticdata``
    loads subregions from there), as OOMMF's own snapshots; written atomically
    (`write_field`).
    """
    write_field(path, field, ovf_format, save_subregions=False)


# ------------------------------------------------------------------ input record
def _jsonable(value):
    """A JSON-friendly, human-readable description of a parameter value."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, df.Field):
        array = np.asarray(value.array, dtype=float)
        return {
            "Field": {
                "nvdim": int(value.nvdim),
                "n": [int(k) for k in value.mesh.n],
                "mean": _jsonable(array.reshape(-1, value.nvdim).mean(axis=0)),
                "min": _jsonable(array.reshape(-1, value.nvdim).min(axis=0)),
                "max": _jsonable(array.reshape(-1, value.nvdim).max(axis=0)),
            }
        }
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if callable(value):
        module = getattr(value, "__module__", None) or ""
        return {"callable": f"{module}.{getattr(value, '__qualname__', repr(value))}"}
    return repr(value)


def _term_record(term) -> dict:
    params = {}
    for attr, value in term:
        if isinstance(value, ts.Descriptor):  # not set
            continue
        params[attr] = _jsonable(value)
    for attr in ("surface", "thickness", "E"):  # from_surface provenance
        if attr not in params and getattr(term, attr, None) is not None:
            params[attr] = _jsonable(getattr(term, attr))
    return {
        "class": f"{type(term).__module__}.{type(term).__qualname__}",
        "name": term.name,
        "parameters": params,
        "repr": repr(term),
    }


def _mesh_record(mesh: df.Mesh) -> dict:
    return {
        "p1": _jsonable(mesh.region.pmin),
        "p2": _jsonable(mesh.region.pmax),
        "cell": _jsonable(mesh.cell),
        "n": _jsonable(mesh.n),
        "bc": str(mesh.bc),
        "subregions": {
            k: {"p1": _jsonable(r.pmin), "p2": _jsonable(r.pmax)}
            for k, r in mesh.subregions.items()
        },
    }


def input_record(system: mm.System, driver, drive_kwargs: Mapping) -> dict:
    """Human-readable record of what a drive ran (the analogue of a ``.mif`` file).

    Parameters
    ----------
    system : micromagneticmodel.System
        The driven system (before the drive).
    driver : ubermag_dirac.drivers.Driver
        The driver; its settings (``for attr, value in driver``) are recorded.
    drive_kwargs : mapping
        The keyword arguments of the drive after validation (defaults filled in).

    Returns
    -------
    dict
        ``calculator``, ``system`` (name, T, mesh, Ms range in A/m, energy and
        dynamics terms with their parameters), ``driver`` (class, settings as
        given and with defaults filled in) and ``drive`` (keyword arguments).

    Examples
    --------
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.drivers.output import input_record
    >>> system = mm.examples.macrospin()
    >>> record = input_record(system, driver=None, drive_kwargs={"t": 1e-12})
    >>> [t["name"] for t in record["system"]["energy"]]
    ['zeeman']
    >>> record["system"]["energy"][0]["parameters"]["H"]
    [0, 0, 1000000.0]
    """
    Ms = np.linalg.norm(np.asarray(system.m.array, dtype=float), axis=-1)
    settings, effective = {}, {}
    if driver is not None:
        settings = {attr: _jsonable(value) for attr, value in driver}
        if callable(getattr(driver, "settings", None)):
            effective = _jsonable(driver.settings())
    return {
        "calculator": "ubermag_dirac",
        "system": {
            "name": system.name,
            "T": _jsonable(system.T),
            "mesh": _mesh_record(system.m.mesh),
            "Ms_min": float(Ms.min()),
            "Ms_max": float(Ms.max()),
            "m0": "m0.omf",
            "energy": [_term_record(t) for t in system.energy],
            "dynamics": [_term_record(t) for t in system.dynamics],
        },
        "driver": {
            "class": type(driver).__name__ if driver is not None else None,
            "settings": settings,
            "effective_settings": effective,
        },
        "drive": _jsonable(dict(drive_kwargs)),
    }


def write_input_record(path, system, driver, drive_kwargs):
    """Write `input_record` as indented JSON to ``path`` (atomically)."""
    record = input_record(system, driver, drive_kwargs)
    _atomic.write_text(path, json.dumps(record, indent=2) + "\n")


def json_default(value):
    """``default=`` hook for ``json.dump`` of drive keyword arguments (numpy etc.)."""
    return _jsonable(value)
