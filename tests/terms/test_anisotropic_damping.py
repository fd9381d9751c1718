"""AnisotropicDamping: construction, validation, Ubermag behaviour, dynamics."""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac.terms.llg import gilbert_dmdt, landau_lifshitz_dmdt

from .conftest import random_unit

G0 = mm.consts.gamma0

RNG = np.random.default_rng(99)


def test_construction_repr_equality_latex():
    d = ud.AnisotropicDamping(1e-3)
    assert repr(d) == "AnisotropicDamping(delta_alpha=0.001, n=(0, 0, 1))"
    assert d == ud.AnisotropicDamping(delta_alpha=1e-3)
    assert d != ud.AnisotropicDamping(delta_alpha=2e-3)
    assert d != ud.AnisotropicDamping(delta_alpha=1e-3, n=(0, 1, 0))
    assert d != mm.Damping(alpha=1e-3)
    assert d.name == "anisotropicdamping"
    latex = d._repr_latex_()
    assert latex.startswith("$") and r"\delta\alpha" in latex
    assert latex.count("{") == latex.count("}")
    ud.AnisotropicDamping(delta_alpha=0)  # zero is allowed
    ud.AnisotropicDamping(delta_alpha={"ti": 1e-3, "default": 0.0})


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(), TypeError, r"delta_alpha .* is required"),
        (dict(delta_alpha=-1e-3), ValueError, r"delta_alpha = -0.001 .* 0 <= delta"),
        (dict(delta_alpha={"a": -1.0}), ValueError, r"delta_alpha = -1.0 \(region"),
        (dict(delta_alpha=np.inf), ValueError, r"must be finite"),
        (dict(delta_alpha="big"), TypeError, r"delta_alpha must be a real number"),
        (dict(delta_alpha=0.1, n=(0, 0, 2)), ValueError, r"n \(surface normal\)"),
        (dict(delta_alpha=0.1, n=(0, 0)), TypeError, r"unit 3-vector"),
        (dict(delta_alpha=0.1, alpha=0.1), AttributeError, r"alpha"),
    ],
)
def test_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ud.AnisotropicDamping(**kwargs)


def test_field_validation():
    mesh = df.Mesh(p1=(0, 0, 0), p2=(2e-9, 1e-9, 1e-9), n=(2, 1, 1))
    with pytest.raises(ValueError, match="delta_alpha = <field>"):
        ud.AnisotropicDamping(delta_alpha=df.Field(mesh, nvdim=1, value=-1.0))
    d = ud.AnisotropicDamping(delta_alpha=df.Field(mesh, nvdim=1, value=0.2))
    m = df.Field(mesh, nvdim=3, value=(1, 0, 0))
    H = np.array([0, 0, 1e5])
    out = d.dmdt(m, np.broadcast_to(H, (2, 1, 1, 3)), alpha=0.1)
    assert isinstance(out, df.Field)
    expect = gilbert_dmdt([1.0, 0, 0], H, G0, 0.1, 0.2) - gilbert_dmdt(
        [1.0, 0, 0], H, G0, 0.1
    )
    np.testing.assert_allclose(out.array[0, 0, 0], expect, rtol=1e-14)


def test_with_damping_in_system():
    system = mm.System(name="ad")
    system.dynamics = mm.Precession(gamma0=G0) + mm.Damping(alpha=0.01)
    system.dynamics += ud.AnisotropicDamping(delta_alpha=0.02)
    system.dynamics += ud.DiracSOT(H_DL=1e3)
    assert system.dynamics.anisotropicdamping.delta_alpha == 0.02
    assert system.dynamics.damping.alpha == 0.01
    assert len(system.dynamics) == 4


def test_tensor_and_dmdt():
    d = ud.AnisotropicDamping(delta_alpha=0.3, n=(0.0, 0.6, 0.8))
    A = d.tensor(alpha=0.1)
    n = np.array([0.0, 0.6, 0.8])
    np.testing.assert_allclose(A, 0.1 * np.eye(3) + 0.3 * (np.eye(3) - np.outer(n, n)))
    m = random_unit(RNG, (50,))
    H = RNG.normal(size=(50, 3)) * 1e5
    got = d.dmdt(m, H, alpha=0.1, gamma0=G0)
    full = gilbert_dmdt(m, H, G0, 0.1, 0.3, n)
    np.testing.assert_allclose(
        got + landau_lifshitz_dmdt(m, H, G0, 0.1), full, atol=1e-3
    )


def test_effective_damping_small_angle_precession():
    """alpha + delta_alpha about the normal; alpha + delta_alpha/2 about an in-plane
    axis (circular precession), from the decay rate of the linearised dynamics.

    Linearising about an in-plane axis, the in-plane deviation is damped by
    alpha + da and the normal one by alpha; the 2x2 system has eigenvalues with
    -Re/|Im| = (alpha + da/2) / sqrt(1 - da^2/4) (exact), i.e. alpha + da/2 up to
    O(da^2) (Mahfouzi-Kioussis' "half").
    """
    alpha, da, Hk = 0.01, 0.02, 1e5

    def decay_to_frequency(axis, n):
        # linearise dm/dt = f(m) about m0 = axis with H = Hk (m . axis) axis
        m0 = np.array(axis, dtype=float)
        e1 = np.cross(m0, [0.3, 0.5, 0.7])
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(m0, e1)

        def f(m):
            return gilbert_dmdt(m, Hk * (m @ m0) * m0, G0, alpha, da, n)

        h = 1e-7
        J = np.empty((2, 2))
        for a, ea in enumerate((e1, e2)):
            dm = (f(m0 + h * ea) - f(m0 - h * ea)) / (2 * h)
            J[:, a] = [dm @ e1, dm @ e2]
        lam = np.linalg.eigvals(J)
        return -lam.real[0] / abs(lam.imag[0])

    n = (0, 0, 1)
    assert decay_to_frequency((0, 0, 1), n) == pytest.approx(alpha + da, rel=1e-6)
    exact = (alpha + da / 2) / np.sqrt(1 - da**2 / 4)
    assert decay_to_frequency((1, 0, 0), n) == pytest.approx(exact, rel=1e-6)
    assert decay_to_frequency((0, 1, 0), n) == pytest.approx(exact, rel=1e-6)
