"""Hysteresis driver: energy minimisation along a sequence of applied fields."""

from __future__ import annotations

import numbers

import micromagneticmodel as mm
import numpy as np

from .._termparams import is_set
from .mindriver import MinDriver

__all__ = ["HysteresisDriver"]


def _field_points(Hsteps) -> list[np.ndarray]:
    """Applied fields of the stages (A/m), as OOMMF's ``Oxs_UZeeman`` ``Hrange``.

    Each ``[Hstart, Hend, n]`` gives ``n`` equally spaced fields from ``Hstart``
    to ``Hend``; a range that starts where the previous one ended does not repeat
    that field.
    """
    points: list[np.ndarray] = []
    for Hstart, Hend, n in Hsteps:
        start = np.asarray(Hstart, dtype=float)
        end = np.asarray(Hend, dtype=float)
        for k in range(n):
            H = start + (end - start) * k / (n - 1)
            if k == 0 and points and np.array_equal(points[-1], H):
                continue
            points.append(H)
    return points


class HysteresisDriver(MinDriver):
    r"""Hysteresis driver: minimise the energy at each of a sequence of fields.

    ``drive(system, Hmin=..., Hmax=..., n=...)`` sweeps the applied field from
    ``Hmin`` to ``Hmax`` and back in ``n`` points per branch;
    ``drive(system, Hsteps=[[Hstart, Hend, n], ...])`` runs arbitrary ranges (the
    first field of a range that starts where the previous one ended is not
    repeated, as in OOMMF). The field (A/m) is an extra Zeeman term named
    ``"hysteresis"``, added to the system's energy for the drive only (the user's
    system is not changed). At every field the energy is minimised as by
    :class:`MinDriver`, and one table row and one snapshot are written.

    Parameters (settings)
    ---------------------
    stopping_mxHxm, max_iterations, n_threads, evolver
        As for :class:`MinDriver` (``evolver``: oommfc's ``CGEvolver``).

    Table columns: as :class:`MinDriver`, plus ``E_zeeman_hysteresis`` (J),
    ``B_hysteresis`` (the magnitude of :math:`\mu_0\mathbf H`, mT, as OOMMF
    writes it), ``Bx_hysteresis``, ``By_hysteresis``, ``Bz_hysteresis`` (mT).
    The system's energy may not contain time-dependent terms or a term named
    ``"hysteresis"``.

    Examples
    --------
    >>> import tempfile
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> system = mm.examples.macrospin()  # one cell, Ms = 1e6 A/m
    >>> system.energy = mm.UniaxialAnisotropy(K=1e5, u=(0, 0, 1))  # H_K = 159 kA/m
    >>> hd = ud.HysteresisDriver()
    >>> with tempfile.TemporaryDirectory() as tmp:  # field slightly tilted from z
    ...     hd.drive(system, Hmin=(1e4, 0, -1e6), Hmax=(1e4, 0, 1e6), n=5, dirname=tmp)
    Running ubermag-dirac (HysteresisDriver)[...]... (... s)
    >>> system.table.data[["Bz_hysteresis", "mz"]].round(2).values.tolist()[:5]
    [[-1256.64, -1.0], [-628.32, -1.0], [0.0, -1.0], [628.32, 1.0], [1256.64, 1.0]]

    ``Hmin``/``Hmax``/``n`` and ``Hsteps`` exclude each other:

    >>> ud.HysteresisDriver().drive(system, Hsteps=[], Hmin=(0, 0, 0))
    Traceback (most recent call last):
    ...
    ValueError: Cannot define both (Hmin, Hmax, n) and Hsteps.
    """

    _drive_kwargs = ("Hmin", "Hmax", "n", "Hsteps")
    _odt_driver = "MinDriver"
    _odt_evolver = "CGEvolve"
    _progress_unit = "field"

    def _checkargs(self, kwargs):
        if any(k in kwargs for k in ("Hmin", "Hmax", "n")) and "Hsteps" in kwargs:
            raise ValueError("Cannot define both (Hmin, Hmax, n) and Hsteps.")
        if all(k in kwargs for k in ("Hmin", "Hmax", "n")):
            Hmin, Hmax, n = kwargs.pop("Hmin"), kwargs.pop("Hmax"), kwargs.pop("n")
            kwargs["Hsteps"] = [[Hmin, Hmax, n], [Hmax, Hmin, n]]
        elif "Hsteps" not in kwargs:
            raise ValueError(
                "Cannot drive without a full definition of (Hmin, Hmax, n) xor Hsteps."
            )
        steps = kwargs["Hsteps"]
        if not isinstance(steps, list | tuple) or len(steps) == 0:
            raise ValueError("Hsteps must be a non-empty list of [Hstart, Hend, n].")
        checked = []
        for step in steps:
            if not isinstance(step, list | tuple) or len(step) != 3:
                raise ValueError(
                    "Each list item in Hsteps must have 3 entries: Hstart, Hend, n."
                )
            checked.append(self._checkvalues(*step))
        kwargs["Hsteps"] = checked
        if kwargs.get("output_step"):
            raise ValueError(
                "HysteresisDriver: output_step=True is not supported (one row per "
                "field); use more field points."
            )

    @staticmethod
    def _checkvalues(Hstart, Hend, n):
        values = []
        for item in (Hstart, Hend):
            if not isinstance(item, list | tuple | np.ndarray):
                raise ValueError("Hmin and Hmax must have array_like values.")
            if len(item) != 3:
                raise ValueError("Hmin and Hmax must have length 3.")
            arr = np.asarray(item, dtype=float)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"Fields must be finite, got {item!r}.")
            values.append(arr.tolist())
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise ValueError(f"Cannot drive with {type(n)=}.")
        if n - 1 <= 0:  # OOMMF counts steps, not points (n -> n-1)
            raise ValueError(f"Cannot drive with {n=}.")
        return [values[0], values[1], int(n)]

    def _check_system(self, system):
        """Checks energy (as oommfc), no ``hysteresis`` term, no time dependence."""
        super()._check_system(system)
        names = [t.name for t in system.energy]
        if "hysteresis" in names:
            raise ValueError(
                "HysteresisDriver adds a Zeeman term named 'hysteresis'; rename the "
                "system's term of that name."
            )
        for term in system.energy:
            for attr in ("func", "tcl_strings"):
                if is_set(term, attr):
                    raise ValueError(
                        f"HysteresisDriver: {type(term).__name__} {term.name!r} is "
                        "time dependent; a hysteresis loop has no time. Remove its "
                        f"{attr!r} or use TimeDriver."
                    )

    @property
    def _x(self):
        return "B_hysteresis"

    def _progress_spec(self, engine, kwargs):
        """Progress in fields done (one minimisation each)."""
        return self._n_stages(kwargs), self._progress_unit, None

    def _n_stages(self, kwargs):
        return len(_field_points(kwargs["Hsteps"]))

    def _engine_system_for(self, system, Hsteps, **kwargs):
        points = _field_points(Hsteps)

        def stage_field(stage):
            # the engine's time is set to the stage index while minimising
            return np.diag(points[round(float(stage))]).ravel().tolist()

        engine_system = super()._engine_system_for(system)
        engine_system.energy += mm.Zeeman(
            H=(1.0, 1.0, 1.0), func=stage_field, dt=1.0, name="hysteresis"
        )
        return engine_system

    def _applied_field_class(self, name):
        # OOMMF's hysteresis field is an Oxs_UZeeman; time-dependent user terms
        # are refused by _check_system
        return "UZeeman"

    def _run(self, engine, recorder, progress, Hsteps, **kwargs):
        for stage in range(len(_field_points(Hsteps))):
            engine.t = float(stage)  # selects the field of this stage
            self._minimise(engine, recorder, stage, float(stage), False)
            progress.update()
