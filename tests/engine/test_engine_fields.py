"""Test-only energy terms for the engine-core tests (no tests in this module).

The engine core is tested independently of the energy-term implementations of
``ubermag_dirac.engine.energy``: these two tiny terms (a uniform, optionally
time-dependent applied field and a uniaxial anisotropy) are subclasses of the
``micromagneticmodel`` terms registered with their own, obviously correct numpy
implementations. The other test modules of this folder use it as
``import engine_test_fields as F`` (loaded by ``conftest.py``).
"""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

from ubermag_dirac.engine import register_energy
from ubermag_dirac.engine.registry import ENERGY

MU0 = 4e-7 * np.pi


class UniformField(mm.Zeeman):
    """Uniform field ``H`` (A/m) times the optional ``func(t)`` (continuous)."""


class Uniaxial(mm.UniaxialAnisotropy):
    """Uniaxial anisotropy ``w = -K (m.u)^2`` with scalar ``K`` and unit ``u``."""


class _UniformFieldImpl:
    def __init__(self, terms, grid):
        self.name = terms[0].name
        self.Ms = grid.Ms
        self.H = np.stack(
            [
                np.broadcast_to(
                    np.asarray(t.H, dtype=float).reshape(3, 1, 1, 1), (3, *grid.n)
                )
                for t in terms
            ]
        )
        self.funcs = [t.__dict__.get("func") for t in terms]
        self.time_dependent = any(f is not None for f in self.funcs)
        self.calls = []

    def _fac(self, t):
        t = np.broadcast_to(np.asarray(t, dtype=float), (len(self.funcs),))
        self.calls.append(t.copy())
        return np.array(
            [1.0 if f is None else f(tb) for f, tb in zip(self.funcs, t, strict=True)]
        )

    def add_field(self, m, t, H):
        H += self._fac(t)[:, None, None, None, None] * self.H
        return H

    def field(self, m, t, out=None):
        return self.add_field(m, t, np.zeros_like(m))

    def energy_density(self, m, t, H=None):
        H = self.field(m, t) if H is None else H
        return -MU0 * self.Ms * np.sum(m * H, axis=1)


class _UniaxialImpl:
    time_dependent = False

    def __init__(self, terms, grid):
        self.name = terms[0].name
        self.Ms = grid.Ms
        self.K = np.array([float(t.K) for t in terms])[:, None, None, None]
        u = np.array([np.asarray(t.u, dtype=float) for t in terms])
        self.u = (u / np.linalg.norm(u, axis=1, keepdims=True))[:, :, None, None, None]
        with np.errstate(divide="ignore"):
            self.coef = np.where(self.Ms > 0, 2 * self.K / (MU0 * self.Ms), 0.0)

    def add_field(self, m, t, H):
        mu = np.sum(m * self.u, axis=1)
        H += (self.coef * mu)[:, None] * self.u
        return H

    def field(self, m, t, out=None):
        return self.add_field(m, t, np.zeros_like(m))

    def energy_density(self, m, t, H=None):
        mu = np.sum(m * self.u, axis=1)
        return np.where(self.Ms > 0, -self.K * mu**2, 0.0)


if UniformField not in ENERGY:
    register_energy(UniformField)(_UniformFieldImpl)
    register_energy(Uniaxial)(_UniaxialImpl)


def macrospin(
    name="macrospin",
    *,
    m0=(1, 0, 0),
    Ms=8e5,
    H=(0, 0, 1e5),
    func=None,
    K=None,
    u=(0, 0, 1),
    gamma0=2.211e5,
    alpha=0.1,
    n=(1, 1, 1),
    cell=(2e-9, 2e-9, 2e-9),
):
    """A system of uniform cells with the test-only field (and anisotropy)."""
    mesh = df.Mesh(
        p1=(0, 0, 0), p2=tuple(c * k for c, k in zip(cell, n, strict=True)), n=n
    )
    system = mm.System(name=name)
    kwargs = {"H": H}
    if func is not None:
        kwargs.update(func=func, dt=1e-15)
    system.energy = UniformField(**kwargs)
    if K is not None:
        system.energy += Uniaxial(K=K, u=u)
    dyn = []
    if gamma0 is not None:
        dyn.append(mm.Precession(gamma0=gamma0))
    if alpha is not None:
        dyn.append(mm.Damping(alpha=alpha))
    if dyn:
        system.dynamics = sum(dyn[1:], dyn[0])
    system.m = df.Field(mesh, nvdim=3, value=m0, norm=Ms)
    return system
