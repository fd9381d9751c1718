"""Energy minimisation driver."""

from __future__ import annotations

import micromagneticmodel as mm

from .driver import _IterationDriver
from .oommfc_evolvers import is_min_evolver, min_evolver_record

__all__ = ["MinDriver"]


class MinDriver(_IterationDriver):
    r"""Energy minimisation driver (OOMMF's ``Oxs_MinDriver``).

    Minimises the energy of ``system.energy`` (dynamics terms play no part) with
    :meth:`ubermag_dirac.engine.Engine.minimise` (Barzilai-Borwein steepest
    descent on the unit spheres for up to 100 iterations, then L-BFGS with a line
    search on the energy) until :math:`\max_i|\mathbf m_i\times\mathbf H_i
    \times\mathbf m_i| \le` ``stopping_mxHxm``, OOMMF's ``Oxs_MinDriver`` test
    (A/m, the largest over the cells that move). One table row and one snapshot
    are written at the end (``output_step=True``: also at the start and every
    100 iterations).

    Parameters (settings)
    ---------------------
    stopping_mxHxm : float, optional
        Convergence threshold (A/m), default 1e-3. oommfc gives OOMMF 0.1;
        OOMMF's ``Oxs_CGEvolve`` then stops just below it on hard problems (0.065
        to 0.098 A/m on the minimiser battery of ``benchmarks/bench_minimise.py``)
        but far below it on simple ones (Ubermag's calculator tests, e.g. cubic
        anisotropy of uncoupled cells, need the angle to the axis below 1e-9
        rad, i.e. about 1e-4 A/m there), so the default here is tighter.
    max_iterations : int, optional
        Iteration limit, default 200000; exceeding it fails the drive.
    n_threads : int, optional
        Engine threads, default 1 (``threads``: deprecated old name). The
        drive argument ``n_threads`` (oommfc's) overrides it for one drive.
    evolver : optional
        oommfc's ``CGEvolver`` (``ud.CGEvolver`` or oommfc's own): its
        ``method`` is recorded in ``info.json`` and does not change the result
        (this minimiser is not OOMMF's conjugate gradient but stops on the same
        test); its other settings are refused
        (:mod:`ubermag_dirac.drivers.oommfc_evolvers`).

    Table columns: ``E``, ``max_mxHxm`` (A/m), ``E_<term>`` (J), ``iteration``,
    ``stage_iteration``, ``stage``, ``mx``, ``my``, ``mz``.

    Examples
    --------
    >>> import tempfile
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> import ubermag_dirac as ud
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 1e-9), n=(4, 4, 1))
    >>> system = mm.System(name="minimise")
    >>> system.energy = mm.Exchange(A=1e-11) + mm.Zeeman(H=(0, 0, 1e6))
    >>> system.m = df.Field(mesh, nvdim=3, value=(0, 1, 0), norm=8e5)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     ud.MinDriver(stopping_mxHxm=0.01).drive(system, dirname=tmp, verbose=0)
    >>> system.m.orientation.mean().round(6).tolist()
    [0.0, 0.0, 1.0]
    >>> system.table.x, bool(system.table.data["iteration"].iloc[-1] > 0)
    ('iteration', True)

    Settings are checked when the driver is made:

    >>> ud.MinDriver(stopping_mxHxm=-1)
    Traceback (most recent call last):
    ...
    ValueError: stopping_mxHxm: expected a positive number, got -1.
    """

    _allowed_attributes = ("stopping_mxHxm", "max_iterations", "n_threads", "evolver")
    _odt_driver = "MinDriver"
    _odt_evolver = "CGEvolve"

    def __init__(self, **kwargs):
        evolver = kwargs.pop("evolver", None)
        super().__init__(**kwargs)
        if evolver is not None:  # oommfc's CGEvolver (oommfc_evolvers)
            if is_min_evolver(evolver):
                min_evolver_record(evolver)  # refuses what cannot be honoured, now
            # another type is refused by drive() (TypeError), as oommfc does
            self.evolver = evolver

    def _check_system(self, system):
        evolver = getattr(self, "evolver", None)
        if evolver is not None and not is_min_evolver(evolver):
            raise TypeError(
                f"Cannot use {type(evolver)} for evolver: {type(self).__name__} "
                "takes oommfc's CGEvolver (ud.CGEvolver)."
            )
        super()._check_system(system)

    def _info_extra(self) -> dict:
        evolver = getattr(self, "evolver", None)
        if evolver is None:
            return {}
        return {"oommf_evolver": min_evolver_record(evolver)}

    @classmethod
    def _defaults(cls):
        return {
            "stopping_mxHxm": 1e-3,
            "max_iterations": 200_000,
            "n_threads": 1,
            "evolver": None,
        }

    def _engine_system_for(self, system, **kwargs):
        # energy minimisation: the dynamics terms play no part (as in OOMMF)
        return mm.System(name=system.name, energy=system.energy, m=system.m)

    def _minimise(self, engine, recorder, stage, t, output_step):
        """Minimise at time ``t`` and record; returns the iterations needed."""
        callback = None
        start = recorder.iteration
        if output_step:
            recorder.stage_iteration = 0
            recorder.record(stage, t, engine.m.copy())

            def callback(k, m, gmax):
                recorder.iteration = start + k
                recorder.stage_iteration = k
                recorder.record(stage, t, m.copy())

        iterations = int(
            engine.minimise(
                float(self.settings()["stopping_mxHxm"]),
                max_iterations=int(self.settings()["max_iterations"]),
                callback=callback,
            )[0]
        )
        recorder.iteration = start + iterations
        recorder.stage_iteration = iterations
        if not (output_step and recorder.recorded_iteration == recorder.iteration):
            recorder.record(stage, t, engine.m.copy())
        return iterations

    def _run(self, engine, recorder, progress, output_step=False, **kwargs):
        self._minimise(engine, recorder, 0, engine.t, output_step)
        progress.update()
