r"""Effective anisotropy of a film: the macrospin equivalent of a micromagnetic system.

A uniformly magnetised cuboid of edges :math:`(L_x, L_y, L_z)` has the
demagnetising energy density :math:`\frac{\mu_0}{2}M_s^2\sum_i N_{ii} m_i^2`
with the demagnetising factors of Aharoni (J. Appl. Phys. 83, 3432 (1998))
(:func:`cuboid_demag_factors`). With a uniaxial anisotropy :math:`K` along the
surface normal :math:`\mathbf n` and magnetisation confined to the plane of
:math:`\mathbf n` and the current direction :math:`\mathbf j` (where the
macrospin of :mod:`ubermag_dirac.macrospin` moves at small fields), the energy
is that of a macrospin with the effective anisotropy field

.. math::

    H_{K,\mathrm{eff}} = \frac{2K}{\mu_0 M_s} - (N_{nn} - N_{jj})\,M_s .

For an infinite film (:math:`N_{nn} = 1`, :math:`N_{jj} = 0`) this is
:func:`ubermag_dirac.macrospin.thin_film_hk_eff`. A finite film is less
easy-plane (:math:`N_{nn} < 1`), so :math:`H_{K,\mathrm{eff}}` grows as the film
gets smaller.

The discretised demagnetisation of the engine gives the same average field
for a uniform state (the Newell tensor summed over all cell pairs is the
cuboid's), so this is the exact macrospin limit of the mesh, not an
approximation to it.
"""

import math
import numbers

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

from .._termparams import term_value
from ..constants import MU0

__all__ = ["cuboid_demag_factors", "effective_anisotropy"]

_AXES = {"x": 0, "y": 1, "z": 2}


def _nzz(a, b, c):
    """Aharoni's N_zz of the prism 2a x 2b x 2c (half edges)."""
    r = math.sqrt(a * a + b * b + c * c)
    ab = math.sqrt(a * a + b * b)
    bc = math.sqrt(b * b + c * c)
    ac = math.sqrt(a * a + c * c)
    s = (
        (b * b - c * c) / (2 * b * c) * math.log((r - a) / (r + a))
        + (a * a - c * c) / (2 * a * c) * math.log((r - b) / (r + b))
        + b / (2 * c) * math.log((ab + a) / (ab - a))
        + a / (2 * c) * math.log((ab + b) / (ab - b))
        + c / (2 * a) * math.log((bc - b) / (bc + b))
        + c / (2 * b) * math.log((ac - a) / (ac + a))
        + 2 * math.atan(a * b / (c * r))
        + (a**3 + b**3 - 2 * c**3) / (3 * a * b * c)
        + (a * a + b * b - 2 * c * c) / (3 * a * b * c) * r
        + c / (a * b) * (ac + bc)
        - (ab**3 + bc**3 + ac**3) / (3 * a * b * c)
    )
    return s / math.pi


def cuboid_demag_factors(lx, ly, lz):
    r"""Demagnetising factors :math:`(N_{xx}, N_{yy}, N_{zz})` of a cuboid.

    Aharoni's closed form (J. Appl. Phys. 83, 3432 (1998)); they sum to 1.

    Parameters
    ----------
    lx, ly, lz : float
        Edge lengths (m, or any common unit), > 0.

    Returns
    -------
    tuple of float
        Dimensionless factors.

    Examples
    --------
    >>> from ubermag_dirac.switching import cuboid_demag_factors
    >>> [round(x, 6) for x in cuboid_demag_factors(1.0, 1.0, 1.0)]
    [0.333333, 0.333333, 0.333333]
    >>> N = cuboid_demag_factors(100e-9, 100e-9, 1e-9)
    >>> round(N[2], 4), round(sum(N), 12)
    (0.966, 1.0)
    >>> cuboid_demag_factors(1.0, 0.0, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: cuboid edges must be finite and > 0, got (1.0, 0.0, 1.0).
    """
    edges = (lx, ly, lz)
    if not all(
        isinstance(v, numbers.Real) and math.isfinite(v) and v > 0 for v in edges
    ):
        raise ValueError(f"cuboid edges must be finite and > 0, got {edges}.")
    a, b, c = (0.5 * float(v) for v in edges)
    nzz = _nzz(a, b, c)
    nxx = _nzz(b, c, a)  # cyclic relabelling: x plays the role of z
    nyy = _nzz(c, a, b)
    return (nxx, nyy, nzz)


def _axis(vec, what):
    v = np.asarray(vec, dtype=float)
    v = v / np.linalg.norm(v)
    k = int(np.argmax(np.abs(v)))
    if not np.isclose(abs(v[k]), 1.0, atol=1e-9):
        raise ValueError(
            f"{what} = {tuple(v)} is not along a mesh axis; the cuboid "
            "demagnetising factors need n and j along x, y or z."
        )
    return k


def _uniform(value, what):
    if isinstance(value, df.Field) or isinstance(value, dict):
        raise ValueError(
            f"{what} must be a single number for the macrospin equivalent "
            f"(got a {type(value).__name__})."
        )
    return value


def effective_anisotropy(system, n=(0, 0, 1), j=(1, 0, 0)):
    r"""Macrospin-equivalent anisotropy field of a film (module docstring).

    Parameters
    ----------
    system : micromagneticmodel.System
        Film with ``system.m`` defined on a cuboid mesh, uniform ``Ms`` and at
        most one :class:`~micromagneticmodel.UniaxialAnisotropy` (a single
        ``K``, or ``K1`` with ``K2 = 0``, axis along ``n``); a
        :class:`~micromagneticmodel.Demag` term adds the shape anisotropy.
    n, j : array_like
        Surface normal (easy axis of the macrospin) and current direction
        (the in-plane axis the macrospin tilts towards); along mesh axes.

    Returns
    -------
    dict
        ``H_K_eff`` (A/m), ``H_K`` (A/m, the crystalline part
        :math:`2K/(\mu_0 M_s)`), ``H_shape`` (A/m, :math:`(N_{nn}-N_{jj})M_s`
        or 0 without Demag), ``K`` (J/m^3), ``Ms`` (A/m), ``N`` (the three
        factors), ``edges`` (m).

    Examples
    --------
    >>> import discretisedfield as df
    >>> import micromagneticmodel as mm
    >>> from ubermag_dirac.switching import effective_anisotropy
    >>> mesh = df.Mesh(p1=(0, 0, 0), p2=(100e-9, 100e-9, 1e-9), n=(20, 20, 1))
    >>> s = mm.System(name="film")
    >>> s.energy = mm.UniaxialAnisotropy(K=8e5, u=(0, 0, 1)) + mm.Demag()
    >>> s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
    >>> eff = effective_anisotropy(s)
    >>> round(eff["H_K"]), round(eff["H_shape"]), round(eff["H_K_eff"])
    (1591549, 759247, 832302)
    >>> s.energy.uniaxialanisotropy.u = (1, 0, 0)
    >>> effective_anisotropy(s)
    Traceback (most recent call last):
    ...
    ValueError: UniaxialAnisotropy axis u = (1.0, 0.0, 0.0) is not along the surface ...
    """
    if not isinstance(system, mm.System) or system.m is None:
        raise TypeError("system must be a micromagneticmodel.System with m set.")
    kn = _axis(n, "n")
    kj = _axis(j, "j")
    if kn == kj:
        raise ValueError("n and j must be different axes.")
    norm = np.asarray(system.m.norm.array)[..., 0]
    magnetic = norm > 0
    if not magnetic.any():
        raise ValueError("system.m has no magnetic cells (Ms = 0 everywhere).")
    Ms = float(norm[magnetic].mean())
    if not np.allclose(norm[magnetic], Ms, rtol=1e-9) or not magnetic.all():
        raise ValueError(
            "effective_anisotropy needs a cuboid film with uniform Ms (the "
            "demagnetising factors are those of the whole mesh region)."
        )
    K = 0.0
    nhat = np.zeros(3)
    nhat[kn] = 1.0
    ani = [t for t in system.energy if isinstance(t, mm.UniaxialAnisotropy)]
    if len(ani) > 1:
        raise ValueError("At most one UniaxialAnisotropy term is supported.")
    if ani:
        t = ani[0]
        Kv = term_value(t, "K")
        if Kv is None:
            Kv = term_value(t, "K1")
            K2 = term_value(t, "K2", 0.0)
            if _uniform(K2, "UniaxialAnisotropy K2") != 0:
                raise ValueError("UniaxialAnisotropy K2 != 0 has no macrospin H_K.")
        K = float(_uniform(Kv, "UniaxialAnisotropy K"))
        u = np.asarray(_uniform(t.u, "UniaxialAnisotropy u"), dtype=float)
        u = u / np.linalg.norm(u)
        if not np.isclose(abs(u @ nhat), 1.0, atol=1e-9):
            raise ValueError(
                f"UniaxialAnisotropy axis u = {tuple(u.tolist())} is not along the "
                f"surface normal n = {tuple(nhat.tolist())}."
            )
    edges = tuple(float(e) for e in system.m.mesh.region.edges)
    N = cuboid_demag_factors(*edges)
    has_demag = any(isinstance(t, mm.Demag) for t in system.energy)
    H_shape = (N[kn] - N[kj]) * Ms if has_demag else 0.0
    H_K = 2 * K / (MU0 * Ms)
    return {
        "H_K_eff": H_K - H_shape,
        "H_K": H_K,
        "H_shape": H_shape,
        "K": K,
        "Ms": Ms,
        "N": N,
        "edges": edges,
    }
