"""``compute``: energies, energy densities and effective fields (``oommfc.compute``)."""

from __future__ import annotations

import datetime
import importlib.metadata
import json

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

from .. import _atomic
from . import output
from .driver import Driver, _engine_class, _working_directory

__all__ = ["compute"]

_KINDS = {
    "energy": ("J", None),
    "density": ("J/m^3", "ovf"),
    "effective_field": ("A/m", "ohf"),
}


def _target(func, system):
    """``(kind, term or None)`` of ``func`` (a bound property method)."""
    kind = getattr(func, "__name__", None)
    owner = getattr(func, "__self__", None)
    if kind not in _KINDS or not isinstance(owner, mm.Energy | mm.EnergyTerm):
        raise ValueError(
            f"Computing the value of {func} is not supported; pass energy, density "
            "or effective_field of system.energy or of one of its terms."
        )
    if isinstance(owner, mm.Energy):
        return kind, None
    names = [t.name for t in system.energy]
    if owner.name not in names:
        raise ValueError(
            f"{type(owner).__name__} {owner.name!r} is not in system.energy "
            f"(terms: {names})."
        )
    return kind, owner


def compute(
    func,
    system,
    /,
    dirname=".",
    append=True,
    n_threads=None,
    runner=None,
    ovf_format="bin8",
    verbose=1,
):
    """Energy, energy density or effective field of a system or one of its terms.

    The analogue of ``oommfc.compute``: evaluated by the engine for the current
    magnetisation ``system.m`` at time 0 (time-dependent fields take their value at
    ``t = 0``); dynamics terms play no part. The result is also written to
    ``dirname/<system.name>/compute-<N>/`` (``m0.omf``, ``info.json``, the input
    record, and ``<name>.odt`` with all energies, the field as
    ``<name>-<term>.ohf`` or the density as ``<name>-<term>.ovf``), and
    ``system.compute_number`` is incremented.

    Parameters
    ----------
    func : callable
        ``system.energy.energy``, ``system.energy.density``,
        ``system.energy.effective_field``, or the same of one term, e.g.
        ``system.energy.demag.effective_field``.
    system : micromagneticmodel.System
        The system (not modified apart from ``compute_number``).
    dirname : str, optional
        Base directory. Defaults to the current directory.
    append : bool, optional
        If ``False`` and the system directory exists, raise ``FileExistsError``.
    n_threads : int, optional
        Engine threads (default 1); the same name as the drivers' setting and
        drive argument, and as ``oommfc.compute``'s.
    runner : None
        Only ``None``.
    ovf_format : str, optional
        ``"bin8"``, ``"bin4"`` or ``"txt"`` for the written field.
    verbose : int, optional
        ``0`` silent; ``1`` (default) one summary line.

    Returns
    -------
    float or discretisedfield.Field
        Energy in J (a Python ``float``), energy density in J/m^3 or effective
        field in A/m (``df.Field`` on the system's mesh, subregions included).

    Raises
    ------
    ValueError
        If ``func`` is none of the above.
    RuntimeError
        If ``system.T > 0`` (as ``oommfc.compute``).
    ubermag_dirac.engine.registry.UnsupportedTermError
        If an energy term cannot be computed (before anything is written).

    Examples
    --------
    >>> import os, tempfile
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> system = mm.examples.macrospin()  # Zeeman field along z, m along x
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     E = ud.compute(system.energy.zeeman.energy, system, dirname=tmp, verbose=0)
    ...     H = ud.compute(
    ...         system.energy.effective_field, system, dirname=tmp, verbose=0
    ...     )
    ...     sorted(os.listdir(os.path.join(tmp, system.name)))
    ['compute-0', 'compute-1']
    >>> E  # m is perpendicular to H
    0.0
    >>> H.mean()
    array([      0.,       0., 1000000.])
    >>> ud.compute(system.energy.__len__, system)
    Traceback (most recent call last):
    ...
    ValueError: Computing the value of <...> is not supported; ...
    """
    kind, term = _target(func, system)
    if system.T > 0:
        raise RuntimeError(
            "`ud.compute` does not support finite temperature. "
            f"(Temperature is specified as {system.T=})"
        )
    if runner is not None:
        raise TypeError("runner: ubermag-dirac runs in-process; pass runner=None.")
    if ovf_format not in ("bin8", "bin4", "txt"):
        raise ValueError(f"Invalid {ovf_format=}.")
    Driver._check_common(system)
    if len(system.energy) == 0:
        raise RuntimeError("System's energy is not defined")
    energy_only = mm.System(name=system.name, energy=system.energy, m=system.m)
    threads = 1 if n_threads is None else n_threads
    engine = _engine_class()(energy_only, threads=threads)

    start = datetime.datetime.now()
    # system.compute_number is untouched unless the computation succeeds
    workdir, number = _working_directory(system, dirname, "compute", append)
    label = "ubermag-dirac (compute)"
    if verbose >= 1:
        print(f"Running {label}[{start.isoformat(timespec='seconds')}]... ", end="")
    output.write_field(workdir / "m0.omf", system.m)
    output.write_input_record(
        workdir / f"{system.name}.input.json",
        system,
        None,
        {"func": kind, "term": None if term is None else term.name},
    )
    name = "total" if term is None else term.name
    if kind == "energy":
        energies = engine.energies()
        value = float(np.asarray(energies[name])[0])
        cols = [output.Column("RungeKuttaEvolve:evolver:Total energy", "J")]
        cols += [output.Column(output.energy_label(t), "J") for t in system.energy]
        with output.OdtWriter(workdir / f"{system.name}.odt", cols) as odt:
            odt.write_row(
                [float(np.asarray(energies["total"])[0])]
                + [float(np.asarray(energies[t.name])[0]) for t in system.energy]
            )
    else:
        parts = (
            engine.effective_fields()
            if kind == "effective_field"
            else engine.energy_densities()
        )
        if term is None:
            array = sum(np.asarray(parts[t.name])[0] for t in system.energy)
        else:
            array = np.asarray(parts[term.name])[0]
        value = _field(system.m.mesh, array, unit=_KINDS[kind][0])
        suffix = _KINDS[kind][1]
        output.write_field(
            workdir / f"{system.name}-{name}.{suffix}",
            value,
            ovf_format,
            save_subregions=False,
        )
    end = datetime.datetime.now()
    info = {
        "compute_number": number,
        "date": start.strftime("%Y-%m-%d"),
        "time": start.strftime("%H:%M:%S"),
        "start_time": start.isoformat(timespec="seconds"),
        "end_time": end.isoformat(timespec="seconds"),
        "adapter": "ubermag_dirac",
        "adapter_version": importlib.metadata.version("ubermag_dirac"),
        "func": kind,
        "term": None if term is None else term.name,
        "success": True,
    }
    _atomic.write_text(workdir / "info.json", json.dumps(info))
    if verbose >= 1:
        print(f"({(end - start).total_seconds():0.1f} s)")
    system.compute_number = number + 1
    return value


def _field(mesh, array, unit) -> df.Field:
    array = np.asarray(array, dtype=float)
    if array.ndim == 4:  # (3, nx, ny, nz)
        return df.Field(mesh, nvdim=3, value=np.moveaxis(array, 0, -1), unit=unit)
    return df.Field(mesh, nvdim=1, value=array[..., None], unit=unit)
