"""Problems of the energy-minimiser battery (issue 10), shared by
``tests/engine/test_minimiser_battery.py`` and ``benchmarks/bench_minimise.py``.

Each problem builds a fresh :class:`micromagneticmodel.System` (``build()``) and
knows the energy of the best minimum known for it (``E_best``, J) with the way
it was obtained, so a minimiser can be checked for convergence (max |m x H x m|
below ``stopping_mxHxm``, OOMMF's criterion) *and* for landing in the right
state (its energy within ``E_tol`` of ``E_best``, and ``check(m)`` on the
state). The set is the one of the issue:

``dw_pair``
    the issue's reproduction: a 30 nm reversed domain (two Neel walls) in a
    400 nm x 16 nm x 2 nm strip with interfacial DMI and perpendicular
    anisotropy, no demag (the walls creep over a flat landscape);
``dw_single``
    one DMI wall in the same strip, 50 nm from its end (the edge pushes it
    inwards over the same flat landscape);
``dw_pair_long``
    the reversed domain of ``dw_pair`` in a 1 um strip;
``dw_centred``
    one wall in the middle of the strip, far from the ends: nothing pushes it,
    an easy case where Barzilai-Borwein converges in under 100 iterations;
``skyrmion``
    an isolated skyrmion in an 80 nm disk (Co/Pt-like, demag);
``sp4``
    the muMAG standard problem 4 s-state, relaxed from (1, 0.25, 0.1) (demag);
``vortex``
    a vortex in a 100 nm permalloy disk, started from a swirl (demag);
``uncoupled``
    10 x 10 cells with uniaxial anisotropy and no coupling, random starts, in
    a tilted field (each cell is a Stoner-Wohlfarth particle);
``hysteresis``
    one step of a hysteresis branch of a permalloy element close to its
    switching field, started from the state of the previous field step (the
    minimiser must stay on the metastable branch).

``E_best`` (J): the lowest energy reached on the problem, by L-BFGS
(``Engine.minimise(method="lbfgs")``), by the default minimiser and by damped
dynamics followed by the minimiser (``RelaxDriver``'s path), each to
``stopping_mxHxm = 1e-4`` A/m, and in the other runs made while the minimiser
was developed (2026-12; for ``dw_pair`` a run with 10 L-BFGS pairs). They agree
to 1e-15 relative except for the walls, whose final positions differ (below).

``E_tol`` (relative): a state counts as the known minimum when
``E - E_best <= E_tol |E_best|``. 1e-9 for the problems with one well-defined
minimum (the three runs above agree to < 1e-15; distinct states, a switched
branch, a lost core or a C-state, differ by > 1e-4). The walls stop wherever
the force pushing them is below the threshold: the repulsion from the other
wall and from the DMI-tilted edges decays as exp(-L / Delta), Delta = sqrt(A/K)
= 5.2 nm, and the lattice pins them (Peierls potential of the 2 nm cells), so
the energy depends on where they stop: the check requires every wall to be
>= 60 nm from the others and from the ends, where the interaction energy is at
most sigma S exp(-60 nm / Delta) = 1.3e-24 J (sigma = 4 sqrt(AK) - pi D, S the
wall area), and ``E_tol`` = 2 of those per wall relative to ``E_best``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

MU0 = 4e-7 * np.pi


@dataclasses.dataclass(frozen=True)
class Problem:
    """One minimisation problem of the battery."""

    name: str
    build: Callable[[], mm.System]
    #: best known minimum (J) and the relative tolerance (module docstring)
    E_best: float
    E_tol: float
    #: checks on the final unit magnetisation ``(3, nx, ny, nz)``; raises
    check: Callable[[np.ndarray, np.ndarray], None] = lambda m, Ms: None
    #: long (only in the slow test selection)
    slow: bool = False


# ------------------------------------------------------------------- strips
def _strip(name, m0, length=400e-9):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(length, 16e-9, 2e-9), cell=(2e-9, 2e-9, 2e-9))
    s = mm.System(name=name)
    s.energy = (
        mm.Exchange(A=1.6e-11)
        + mm.DMI(D=2.5e-3, crystalclass="Cnv_z")
        + mm.UniaxialAnisotropy(K=6e5, u=(0, 0, 1))
    )
    s.m = df.Field(mesh, nvdim=3, value=m0, norm=6e5)
    return s


def dw_pair() -> mm.System:
    return _strip(
        "dw_pair", lambda p: (0, 0, -1) if 30e-9 < p[0] < 60e-9 else (0, 0, 1)
    )


def dw_single() -> mm.System:
    return _strip("dw_single", lambda p: (0, 0, -1) if p[0] < 50e-9 else (0, 0, 1))


def dw_centred() -> mm.System:
    return _strip("dw_centred", lambda p: (0, 0, -1) if p[0] < 200e-9 else (0, 0, 1))


def dw_pair_long() -> mm.System:
    return _strip(
        "dw_pair_long",
        lambda p: (0, 0, -1) if 30e-9 < p[0] < 60e-9 else (0, 0, 1),
        length=1000e-9,
    )


#: wall energy sigma S (J) of the strip: (4 sqrt(AK) - pi D) x 16 nm x 2 nm
_WALL = (4 * np.sqrt(1.6e-11 * 6e5) - np.pi * 2.5e-3) * 16e-9 * 2e-9
#: interaction energy of a wall 60 nm from another wall or an end (J)
_WALL_SLACK = _WALL * np.exp(-60e-9 / np.sqrt(1.6e-11 / 6e5))


def _walls(m, Ms, expected):
    """The walls along the strip's centre line: count, >= 60 nm apart and from ends."""
    mz = m[2, :, m.shape[2] // 2, 0]
    x = (np.arange(mz.size) + 0.5) * 2e-9
    cross = [
        x[i] + 2e-9 * mz[i] / (mz[i] - mz[i + 1])
        for i in range(mz.size - 1)
        if np.sign(mz[i]) != np.sign(mz[i + 1])
    ]
    if len(cross) != expected:
        raise AssertionError(f"{len(cross)} walls along the strip, expected {expected}")
    gaps = np.diff([0.0, *cross, mz.size * 2e-9])
    if gaps.min() < 60e-9:
        raise AssertionError(
            f"walls closer than 60 nm to each other or an end: {cross}"
        )


# ----------------------------------------------------------------- skyrmion
def skyrmion() -> mm.System:
    r = 40e-9
    mesh = df.Mesh(p1=(-r, -r, 0), p2=(r, r, 1e-9), cell=(2e-9, 2e-9, 1e-9))
    s = mm.System(name="skyrmion")
    s.energy = (
        mm.Exchange(A=1.5e-11)
        + mm.DMI(D=3e-3, crystalclass="Cnv_z")
        + mm.UniaxialAnisotropy(K=8e5, u=(0, 0, 1))
        + mm.Demag()
    )

    def Ms(p):
        return 5.8e5 if p[0] ** 2 + p[1] ** 2 <= r**2 else 0.0

    def m0(p):
        return (0, 0, -1) if p[0] ** 2 + p[1] ** 2 < (10e-9) ** 2 else (0, 0, 1)

    s.m = df.Field(mesh, nvdim=3, value=m0, norm=Ms, valid="norm")
    return s


def _skyrmion_check(m, Ms):
    centre = m[2, m.shape[1] // 2, m.shape[2] // 2, 0]
    if not centre < -0.9:
        raise AssertionError(f"skyrmion core lost: m_z at the centre {centre:.3f}")


# ---------------------------------------------------------------------- sp4
def sp4() -> mm.System:
    mesh = df.Mesh(p1=(0, 0, 0), p2=(500e-9, 125e-9, 3e-9), cell=(2.5e-9, 2.5e-9, 3e-9))
    s = mm.System(name="sp4")
    s.energy = mm.Exchange(A=1.3e-11) + mm.Demag()
    s.m = df.Field(mesh, nvdim=3, value=(1, 0.25, 0.1), norm=8e5)
    return s


def _sp4_check(m, Ms):
    mean = m.reshape(3, -1).mean(axis=1)
    # OOMMF's relaxed s-state (tests/data/sp4_field1_oommf.csv, t = 0)
    expected = (0.9667160213508935, 0.12574899394660316, 0.0)
    if np.abs(mean - expected).max() > 1e-4:
        raise AssertionError(f"not the s-state: <m> = {mean}")


# ------------------------------------------------------------------- vortex
def vortex() -> mm.System:
    r = 50e-9
    mesh = df.Mesh(p1=(-r, -r, 0), p2=(r, r, 10e-9), cell=(2.5e-9, 2.5e-9, 5e-9))
    s = mm.System(name="vortex")
    s.energy = mm.Exchange(A=1.3e-11) + mm.Demag()

    def Ms(p):
        return 8e5 if p[0] ** 2 + p[1] ** 2 <= r**2 else 0.0

    def m0(p):
        x, y, _ = p
        return (-y, x, 10e-9)  # counter-clockwise swirl, core up

    s.m = df.Field(mesh, nvdim=3, value=m0, norm=Ms, valid="norm")
    return s


def _vortex_check(m, Ms):
    nx, ny = m.shape[1], m.shape[2]
    core = m[2, nx // 2 - 1 : nx // 2 + 1, ny // 2 - 1 : ny // 2 + 1].mean()
    if not core > 0.5:
        raise AssertionError(f"vortex core lost: m_z at the centre {core:.3f}")
    mean = np.abs(m.reshape(3, -1).sum(axis=1) / np.count_nonzero(Ms))
    if mean[:2].max() > 0.05:
        raise AssertionError(f"vortex core displaced: in-plane <m> = {mean[:2]}")


# ---------------------------------------------------------------- uncoupled
_K_SW, _MS_SW = 5e4, 8e5
_HK = 2 * _K_SW / (MU0 * _MS_SW)
#: applied field (reduced by H_K) in the xz plane; easy axis z
_H_SW = (0.3, -0.2)


def uncoupled() -> mm.System:
    mesh = df.Mesh(p1=(0, 0, 0), p2=(20e-9, 20e-9, 2e-9), n=(10, 10, 1))
    rng = np.random.default_rng(10)
    start = rng.normal(size=(10, 10, 1, 3))
    s = mm.System(name="uncoupled")
    H = (_H_SW[0] * _HK, 0, _H_SW[1] * _HK)
    s.energy = mm.UniaxialAnisotropy(K=_K_SW, u=(0, 0, 1)) + mm.Zeeman(H=H)
    s.m = df.Field(mesh, nvdim=3, value=start, norm=_MS_SW)
    return s


def _sw_minima():
    """Polar angles (from +z, towards +x) of the Stoner-Wohlfarth minima:
    e(t)/K = sin^2 t - 2 (hx sin t + hz cos t), e' = 0 and e'' > 0."""
    from scipy.optimize import brentq

    hx, hz = _H_SW

    def de(t):
        return np.sin(2 * t) - 2 * (hx * np.cos(t) - hz * np.sin(t))

    ts = np.linspace(-np.pi, np.pi, 4001)
    d = de(ts)
    return [
        brentq(de, ts[i], ts[i + 1]) for i in range(len(ts) - 1) if d[i] < 0 < d[i + 1]
    ]


def _uncoupled_check(m, Ms):
    # every cell in one of the two Stoner-Wohlfarth minima (|m x H x m| <= 0.1 A/m
    # bounds the angle error by 0.1 / (H_K |e''|/2) < 1e-5 rad)
    theta = np.arctan2(m[0], m[2]).ravel()
    minima = np.array(_sw_minima())
    err = np.abs(np.angle(np.exp(1j * (theta[:, None] - minima[None])))).min(axis=1)
    if np.abs(m[1]).max() > 1e-5 or err.max() > 1e-4:
        raise AssertionError(f"cells off the Stoner-Wohlfarth minima: {err.max():.2g}")


# --------------------------------------------------------------- hysteresis
def _element(name, H, m0):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(200e-9, 100e-9, 5e-9), cell=(5e-9, 5e-9, 5e-9))
    s = mm.System(name=name)
    s.energy = mm.Exchange(A=1.3e-11) + mm.Demag() + mm.Zeeman(H=H)
    s.m = df.Field(mesh, nvdim=3, value=m0, norm=8e5)
    return s


#: direction of the applied field: 5 degrees off -x
HYSTERESIS_DIRECTION = (-np.cos(np.radians(5)), -np.sin(np.radians(5)), 0.0)
#: |H| (A/m) of the previous branch step (the stored start) and of this step. The
#: branch switches between 23.5 and 23.75 kA/m (damped dynamics, alpha = 0.5, in
#: 0.25 kA/m steps from 20 kA/m; see ``make_hysteresis_start``). The step ends
#: 1.5 % below that, where damped dynamics from the start stays on the branch at
#: every integrator tolerance tried (1e-5 to 1e-7) and so do the minimisers; a
#: step to 23.5 kA/m ended on either side depending on the integrator (the
#: basin of the metastable state shrinks to nothing at the switching field)
HYSTERESIS_FIELDS = (23.0e3, 23.25e3)


def hysteresis() -> mm.System:
    """Branch step: the element relaxed at 23.0 kA/m, the field raised to 23.25."""
    state = np.load(_data("hysteresis_m0.npy"))
    H = HYSTERESIS_FIELDS[1] * np.array(HYSTERESIS_DIRECTION)
    return _element("hysteresis", tuple(H), np.moveaxis(state, 0, -1))


def make_hysteresis_start(path=None):
    """Write the start of ``hysteresis``: ``(3, 40, 20, 1)`` unit vectors.

    The element is relaxed by damped dynamics (``Engine.relax``, alpha 0.5, to
    its noise floor, then ``minimise`` to 1e-3 A/m) from (1, 0.01, 0) at zero
    field and then at each field of 0, 10, 20, 20.5, ..., 23.0 kA/m (0.25 kA/m
    steps), each from the previous state: the descending branch.
    """
    from ubermag_dirac.engine import Engine

    fields = [0.0, 10e3, 20e3, *np.arange(20.5e3, HYSTERESIS_FIELDS[0] + 1, 0.25e3)]
    m = None
    for H in fields:
        value = (1, 0.01, 0) if m is None else np.moveaxis(m, 0, -1)
        s = _element("branch", tuple(H * np.array(HYSTERESIS_DIRECTION)), value)
        s.dynamics = mm.Damping(alpha=0.5)
        engine = Engine(s)
        engine.relax(0.01, max_time=5e-8, until_noise_floor=True)
        engine.minimise(1e-3)
        m = engine.m[0].copy()
    np.save(path or _data("hysteresis_m0.npy"), m)
    return m


def _hysteresis_check(m, Ms):
    mx = m[0].mean()
    if not mx > 0.5:
        raise AssertionError(f"jumped off the branch: <m_x> = {mx:.3f}")


def _data(name):
    import pathlib

    return pathlib.Path(__file__).resolve().parents[1] / "data" / name


#: best known energy of ``dw_centred`` (J)
E_CENTRED = -4.580410829514115e-19


def _wall_tol(E_best, walls):
    return 2 * walls * _WALL_SLACK / abs(E_best)


PROBLEMS = {
    p.name: p
    for p in (
        Problem(
            "dw_pair",
            dw_pair,
            -2.9329844794668487e-19,
            _wall_tol(2.9329844794668487e-19, 2),
            lambda m, Ms: _walls(m, Ms, 2),
        ),
        Problem(
            "dw_single",
            dw_single,
            -4.580410617849746e-19,
            _wall_tol(4.580410617849746e-19, 1),
            lambda m, Ms: _walls(m, Ms, 1),
        ),
        Problem(
            "dw_centred",
            dw_centred,
            E_CENTRED,
            _wall_tol(E_CENTRED, 1),
            lambda m, Ms: _walls(m, Ms, 1),
        ),
        Problem(
            "dw_pair_long",
            dw_pair_long,
            -1.1900622665173444e-18,
            _wall_tol(1.1900622665173444e-18, 2),
            lambda m, Ms: _walls(m, Ms, 2),
            slow=True,
        ),
        Problem("skyrmion", skyrmion, 1.119861781347815e-18, 1e-9, _skyrmion_check),
        Problem("sp4", sp4, 6.289489122556388e-19, 1e-9, _sp4_check, slow=True),
        Problem("vortex", vortex, 3.0384245201011522e-18, 1e-9, _vortex_check),
        Problem("uncoupled", uncoupled, -8.944328479907082e-21, 1e-9, _uncoupled_check),
        Problem(
            "hysteresis", hysteresis, 3.2926335993933763e-18, 1e-9, _hysteresis_check
        ),
    )
}
