"""Shared by the engine tests.

The test-only energy terms and the ``macrospin`` system factory of
``test_engine_fields.py`` are loaded once per process under the fixed module
name ``engine_test_fields``, so the test modules of this folder use them with
``import engine_test_fields as F`` (pytest imports this conftest before it
collects them; test modules cannot import each other in importlib mode).
"""

import importlib.util
import pathlib
import sys

NAME = "engine_test_fields"


def load_engine_test_fields():
    """``test_engine_fields.py`` imported once under :data:`NAME`."""
    if NAME not in sys.modules:
        path = pathlib.Path(__file__).with_name("test_engine_fields.py")
        spec = importlib.util.spec_from_file_location(NAME, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[NAME]


load_engine_test_fields()


def grid_of(n, norms, cell=None, value=(0, 0, 1), **mesh_kw):
    """A :class:`~ubermag_dirac.engine.grid.Grid` of one system per entry of
    ``norms`` (Ms, A/m) on an ``n`` mesh from the origin with magnetisation
    ``value``; cells of 1 nm given by ``n`` (``cell=None``) or ``cell`` (m)."""
    import discretisedfield as df
    import micromagneticmodel as mm

    from ubermag_dirac.engine.grid import Grid

    if cell is None:
        p2 = tuple(k * 1e-9 for k in n)
        mesh = df.Mesh(p1=(0, 0, 0), p2=p2, n=n, **mesh_kw)
    else:
        p2 = tuple(k * c for k, c in zip(n, cell, strict=True))
        mesh = df.Mesh(p1=(0, 0, 0), p2=p2, cell=cell, **mesh_kw)
    systems = []
    for i, norm in enumerate(norms):
        s = mm.System(name=f"s{i}")
        s.m = df.Field(mesh, nvdim=3, value=value, norm=norm)
        systems.append(s)
    return Grid(systems)


def batched_and_single_runs(systems, t, n):
    """Run ``systems`` as one batched :class:`~ubermag_dirac.engine.Engine` and
    each alone for ``t`` (s) in ``n`` stages; returns ``(batched, singles)``."""
    from ubermag_dirac.engine import Engine

    batched = Engine(systems)
    batched.run(t, n)
    singles = []
    for s in systems:
        single = Engine(s)
        single.run(t, n)
        singles.append(single)
    return batched, singles
