"""SpinHallSOT and its exact equivalence with micromagneticmodel's Slonczewski."""

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np
import pytest

import ubermag_dirac as ud
from ubermag_dirac.terms import spin_hall
from ubermag_dirac.terms.llg import gilbert_dmdt, landau_lifshitz_dmdt
from ubermag_dirac.terms.spin_hall import (
    slonczewski_dmdt,
    slonczewski_to_spin_hall,
    spin_hall_to_slonczewski,
)

from .conftest import random_unit

G0 = mm.consts.gamma0

RNG = np.random.default_rng(314)
# OOMMF's constants in Oxs_SpinXferEvolve (typed here independently)
HBAR, E, MU0 = 1.0545717e-34, 1.6021765e-19, 4 * np.pi * 1e-7


def mm_docstring_dmdt(m, J, mp, P, Lambda, eps_prime, alpha, Ms, t, gamma0):
    """micromagneticmodel.Slonczewski's docstring formula, written out again."""
    beta = abs(HBAR / (MU0 * E)) * J / (t * Ms)
    mdp = m @ mp
    eps = P * Lambda**2 / ((Lambda**2 + 1) + (Lambda**2 - 1) * mdp)
    c1 = (gamma0 * beta * (eps + alpha * eps_prime) / (1 + alpha**2))[..., None]
    c2 = (gamma0 * beta * (eps_prime - alpha * eps) / (1 + alpha**2))[..., None]
    return c1 * np.cross(m, np.cross(mp, m)) - c2 * np.cross(m, mp)


# ---------------------------------------------------------------- term


def test_construction_repr_equality_latex():
    she = ud.SpinHallSOT(1e4)
    assert repr(she) == "SpinHallSOT(H_SH=10000.0, j=(1, 0, 0), n=(0, 0, 1))"
    assert she.p == (0.0, 1.0, 0.0)
    assert she == ud.SpinHallSOT(H_SH=1e4)
    assert she != ud.SpinHallSOT(H_SH=-1e4)
    assert she != ud.SpinHallSOT(H_SH=1e4, j=(0, 1, 0))
    assert ud.SpinHallSOT(H_SH=1.0, j=(0, 1, 0)).p == (-1.0, 0.0, 0.0)
    latex = she._repr_latex_()
    assert latex.startswith("$") and r"H_\text{SH}" in latex and r"\alpha" in latex
    assert latex.count("{") == latex.count("}")


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(), TypeError, r"H_SH \(A/m\) is required"),
        (dict(H_SH="1"), TypeError, r"H_SH must be a real number"),
        (dict(H_SH=np.nan), ValueError, r"H_SH = nan must be finite"),
        (dict(H_SH=1.0, j=(1, 1, 0)), ValueError, r"j .*length 1.41421"),
        (dict(H_SH=1.0, n=(0, 0, 0)), ValueError, r"n .* zero"),
        (dict(H_SH=1.0, j=(0, 0, 1)), ValueError, r"not perpendicular"),
        (dict(H_SH=1.0, dt=1e-12), ValueError, r"without func"),
        (dict(H_SH=1.0, func="f"), TypeError, r"func must be callable"),
        (dict(H_SH=1.0, J=1.0), AttributeError, r"J"),
    ],
)
def test_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ud.SpinHallSOT(**kwargs)


def test_in_dynamics_with_builtins():
    dyn = mm.Dynamics()
    dyn += mm.Precession(gamma0=G0)
    dyn += mm.Damping(alpha=0.1)
    dyn += ud.SpinHallSOT(H_SH=1e3)
    dyn += ud.DiracSOT(H_DL=1e3)
    assert dyn.spinhallsot.H_SH == 1e3
    assert len(dyn.get(type=mm.DynamicsTerm)) == 4
    sys = mm.System(name="she")
    sys.dynamics = dyn
    assert sys.dynamics == dyn


def test_torque_field_by_hand():
    # m = z, p = y: H_T = H_SH z x y = -H_SH x; T = g H m x (p x m) = g H y
    np.testing.assert_allclose(
        spin_hall.torque_field([0, 0, 1.0], 5.0), [-5.0, 0, 0], rtol=1e-15
    )
    she = ud.SpinHallSOT(H_SH=5.0)
    np.testing.assert_allclose(she.dmdt([0, 0, 1.0], None, gamma0=G0), [0, G0 * 5, 0])
    # m = p: no torque
    np.testing.assert_array_equal(she.dmdt([0, 1.0, 0], None, alpha=0.3), 0.0)
    m = random_unit(RNG, (30,))
    H_SH = RNG.normal(size=30) * 1e3
    p = np.array([0.0, 1.0, 0.0])
    T = -G0 * np.cross(m, spin_hall.torque_field(m, H_SH))
    T_hand = G0 * H_SH[:, None] * np.cross(m, np.cross(p, m))
    np.testing.assert_allclose(T, T_hand, rtol=1e-12, atol=1e-9 * G0)


def test_time_dependence():
    she = ud.SpinHallSOT(H_SH=2.0, func=lambda t: np.exp(-t / 1e-9), dt=1e-12)
    m = np.array([1.0, 0.0, 0.0])
    f = np.exp(-1.0)
    np.testing.assert_allclose(
        she.effective_field(m, t=1e-9), f * spin_hall.torque_field(m, 2.0), rtol=1e-14
    )


# ---------------------------------------------------------------- conversions


def test_current_density_formula():
    stt = spin_hall_to_slonczewski(1e4, Ms=8e5, thickness=2e-9, P=0.5)
    assert isinstance(stt, mm.Slonczewski)
    J = 2 * MU0 * E * 2e-9 * 8e5 * 1e4 / (HBAR * 0.5)
    assert stt.J == pytest.approx(J, rel=1e-14)
    assert stt.mp == (0.0, 1.0, 0.0) and stt.Lambda == 1 and stt.eps_prime == 0
    assert stt.P == 0.5


@pytest.mark.parametrize(
    "H_SH, j, n, P",
    [
        (1.7e4, (1, 0, 0), (0, 0, 1), 1.0),
        (-3.0e3, (0, 1, 0), (0, 0, 1), 0.35),
        (2.0e3, (0.6, 0.8, 0), (0, 0, 1), 0.8),
        (5.0e3, (0, 0, 1), (0, 1, 0), 1.0),
    ],
)
def test_spin_hall_equals_slonczewski_for_random_m_and_alpha(H_SH, j, n, P):
    Ms, t = 1.1e6, 1.5e-9
    she = ud.SpinHallSOT(H_SH=H_SH, j=j, n=n)
    stt = spin_hall_to_slonczewski(she, Ms=Ms, thickness=t, P=P)
    m = random_unit(RNG, (500,))
    alpha = RNG.uniform(0, 1, size=500)
    a = she.dmdt(m, None, alpha=alpha, gamma0=G0)
    b = slonczewski_dmdt(stt, m, Ms=Ms, thickness=t, alpha=alpha, gamma0=G0)
    c = mm_docstring_dmdt(
        m, stt.J, np.array(stt.mp), stt.P, stt.Lambda, 0.0, alpha, Ms, t, G0
    )
    scale = np.linalg.norm(a, axis=-1, keepdims=True)
    assert np.all(scale > 0)
    np.testing.assert_allclose(a / scale, b / scale, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a / scale, c / scale, rtol=0, atol=1e-12)


def test_full_llg_equivalence():
    """Whole right-hand sides: Gilbert with H_T inside == LL + Slonczewski term."""
    Ms, t = 8e5, 1e-9
    she = ud.SpinHallSOT(H_SH=4e3)
    stt = spin_hall_to_slonczewski(she, Ms=Ms, thickness=t)
    m = random_unit(RNG, (200,))
    Heff = RNG.normal(size=(200, 3)) * 5e4
    for alpha in (0.0, 0.02, 0.5):
        ours = gilbert_dmdt(m, Heff + she.effective_field(m), G0, alpha)
        theirs = landau_lifshitz_dmdt(m, Heff, G0, alpha) + slonczewski_dmdt(
            stt, m, Ms=Ms, thickness=t, alpha=alpha, gamma0=G0
        )
        scale = np.linalg.norm(ours, axis=-1, keepdims=True)
        np.testing.assert_allclose(ours / scale, theirs / scale, rtol=0, atol=1e-12)


def test_general_slonczewski_is_gilbert_with_field_inside():
    """The mm (LL-form) formula == Gilbert form with H = beta(eps m x mp + eps' mp).

    Checks the reference ``slonczewski_dmdt`` (Lambda != 1, eps' != 0) against the
    OOMMF statement of the same torque inside the Gilbert form.
    """
    Ms, t, J, P, Lam, eps_p = 9e5, 2e-9, 3e11, 0.4, 2.0, 0.3
    mp = np.array([0.0, 0.6, 0.8])
    stt = mm.Slonczewski(J=J, mp=tuple(mp), P=P, Lambda=Lam, eps_prime=eps_p)
    m = random_unit(RNG, (100,))
    beta = abs(HBAR / (MU0 * E)) * J / (t * Ms)
    eps = P * Lam**2 / ((Lam**2 + 1) + (Lam**2 - 1) * (m @ mp))
    H_stt = beta * (eps[:, None] * np.cross(m, mp) + eps_p * mp)
    for alpha in (0.0, 0.1, 0.9):
        ref = gilbert_dmdt(m, H_stt, G0, alpha)
        got = slonczewski_dmdt(stt, m, Ms=Ms, thickness=t, alpha=alpha, gamma0=G0)
        scale = np.linalg.norm(ref, axis=-1, keepdims=True)
        np.testing.assert_allclose(got / scale, ref / scale, rtol=0, atol=1e-12)


def test_func_and_dt_pass_through_both_ways():
    def f(t):
        return 0.5

    she = ud.SpinHallSOT(H_SH=1e3, func=f, dt=1e-12)
    stt = spin_hall_to_slonczewski(she, Ms=8e5, thickness=1e-9)
    assert stt.func is f and stt.dt == 1e-12
    m = random_unit(RNG, (10,))
    a = she.dmdt(m, None, alpha=0.1, t=3e-12)
    b = slonczewski_dmdt(stt, m, Ms=8e5, thickness=1e-9, alpha=0.1, gamma0=G0, t=3e-12)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    back = slonczewski_to_spin_hall(stt, Ms=8e5, thickness=1e-9)
    assert back.func is f and back.dt == 1e-12


@pytest.mark.parametrize(
    "j, n", [((1, 0, 0), (0, 0, 1)), ((0, -1, 0), (0, 0, 1)), ((1, 0, 0), (0, 1, 0))]
)
def test_round_trip(j, n):
    she = ud.SpinHallSOT(H_SH=-2.5e3, j=j, n=n)
    stt = spin_hall_to_slonczewski(she, Ms=7e5, thickness=3e-9, P=0.6)
    back = slonczewski_to_spin_hall(stt, Ms=7e5, thickness=3e-9, n=n)
    assert back.j == pytest.approx(she.j, abs=1e-15)
    assert back.n == she.n
    assert back.H_SH == pytest.approx(she.H_SH, rel=1e-14)


def test_region_dict_and_field_conversion():
    mesh = df.Mesh(
        p1=(0, 0, 0),
        p2=(4e-9, 1e-9, 1e-9),
        n=(4, 1, 1),
        subregions={"hm": df.Region(p1=(0, 0, 0), p2=(2e-9, 1e-9, 1e-9))},
    )
    k = 2 * MU0 * E * 1e-9 / HBAR  # J per (H_SH Ms) for P = 1, t = 1 nm
    stt = spin_hall_to_slonczewski(
        {"hm": 1e3, "default": 0.0}, Ms={"hm": 8e5, "default": 1e6}, thickness=1e-9
    )
    assert stt.J == pytest.approx({"hm": k * 8e8, "default": 0.0}, rel=1e-14)
    Ms = df.Field(mesh, nvdim=1, value={"hm": 8e5, "default": 0.0})
    stt = spin_hall_to_slonczewski(2e3, Ms=Ms, thickness=1e-9)
    assert isinstance(stt.J, df.Field)
    np.testing.assert_allclose(stt.J.array[:, 0, 0, 0], [k * 1.6e9] * 2 + [0, 0])
    back = slonczewski_to_spin_hall(stt, Ms=Ms, thickness=1e-9)
    np.testing.assert_allclose(back.H_SH.array[:, 0, 0, 0], [2e3, 2e3, 0, 0])
    with pytest.raises(ValueError, match="no value for region"):
        spin_hall_to_slonczewski({"hm": 1.0}, Ms={"other": 8e5}, thickness=1e-9)


@pytest.mark.parametrize(
    "stt, kwargs, match",
    [
        (dict(Lambda=2), {}, r"Lambda = 2 has no spin-Hall equivalent"),
        (dict(eps_prime=0.1), {}, r"eps_prime = 0.1 has a field-like part"),
        (dict(mp=(0, 0, 1)), {}, r"not perpendicular to n"),
        (dict(mp=(0, 0, 0)), {}, r"zero vector"),
        (dict(mp={"a": (0, 1, 0)}), {}, r"mp must be a constant vector"),
        ({}, dict(Ms={"a": 0.0}), r"Ms = 0.0 must be > 0"),
        ({}, dict(thickness=0.0), r"thickness = 0.0 m"),
        ({}, dict(Ms=-1.0), r"Ms = -1.0 must be > 0"),
    ],
)
def test_slonczewski_to_spin_hall_refusals(stt, kwargs, match):
    base = dict(J=1e11, mp=(0, 1, 0), P=0.5, Lambda=1)
    term = mm.Slonczewski(**{**base, **stt})
    with pytest.raises(ValueError, match=match):
        slonczewski_to_spin_hall(term, **{"Ms": 8e5, "thickness": 1e-9, **kwargs})


def test_slonczewski_to_spin_hall_type_errors_and_mp_normalisation():
    with pytest.raises(TypeError, match=r"mm\.Slonczewski"):
        slonczewski_to_spin_hall(ud.SpinHallSOT(H_SH=1.0), Ms=1.0, thickness=1.0)
    # OOMMF normalises mp; so does the conversion
    stt = mm.Slonczewski(J=1e11, mp=(0, 2, 0), P=0.5, Lambda=1)
    she = slonczewski_to_spin_hall(stt, Ms=8e5, thickness=1e-9)
    assert she.j == (1.0, 0.0, 0.0)
    with pytest.raises(ValueError, match=r"thickness = -1"):
        spin_hall_to_slonczewski(1.0, Ms=8e5, thickness=-1)
    with pytest.raises(ValueError, match=r"not perpendicular"):
        spin_hall_to_slonczewski(1.0, Ms=8e5, thickness=1e-9, j=(0, 0, 1))


def test_oommfc_writes_the_converted_term_as_spinxferevolve(tmp_path, monkeypatch):
    """oommfc writes Oxs_SpinXferEvolve without J_direction, so OOMMF takes the
    free-layer thickness as the cell edge along z: the `thickness` to convert with."""
    oc = pytest.importorskip("oommfc")
    monkeypatch.chdir(tmp_path)
    cell_z = 1e-9
    mesh = df.Mesh(p1=(0, 0, 0), p2=(4e-9, 4e-9, 2e-9), cell=(2e-9, 2e-9, cell_z))
    system = mm.System(name="she_as_stt")
    system.energy = mm.Zeeman(H=(0, 0, 1e5))
    stt = spin_hall_to_slonczewski(2e3, Ms=8e5, thickness=cell_z)
    system.dynamics = mm.Precession(gamma0=G0) + mm.Damping(alpha=0.1) + stt
    system.m = df.Field(mesh, nvdim=3, value=(1, 0, 0), norm=8e5)
    mif = oc.scripts.driver_script(oc.TimeDriver(), system, t=1e-9, n=10)
    block = mif[mif.index("Specify Oxs_SpinXferEvolve") :]
    block = block[: block.index("}\n\n")]
    assert "J_direction" not in mif
    assert "Lambda 1\n" in block and "eps_prime 0\n" in block
    assert "mp {0.0 1.0 0.0}" in block
    J = float(block.split("\n  J ")[1].split("\n")[0])
    assert J == pytest.approx(2 * MU0 * E * cell_z * 8e5 * 2e3 / HBAR, rel=1e-14)
