"""Comparison 1: a single-domain film reproduces the macrospin diagram.

The film (exchange, PMA, demag) is compared point by point with
``ud.macrospin.phase_diagram`` at the same reduced parameters, with the
effective anisotropy from ``effective_anisotropy`` (uniaxial + cuboid shape
anisotropy). Requirement: at least 97 % of the grid points classified
identically, for the Dirac and the spin-Hall torque.
"""

import numpy as np
import pytest

from ubermag_dirac import switching as sw

from .conftest import film

AGREEMENT = 0.97
#: reduced grids: the SHE diamond is half as wide as the Dirac one
S_MAX = {"dirac": 1.6, "she": 0.8}


def diagram(torque, n, cell, nh, ns, **kw):
    term_kw = kw.pop("term_kw", {})
    s = film(n=n, cell=cell, torque=torque, **kw, **term_kw)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    hx = np.linspace(-0.8, 0.8, nh) * HK
    hs = np.linspace(-S_MAX[torque], S_MAX[torque], ns) * HK
    return sw.phase_diagram(s, hx, hs, t_run=1e-9, n_samples=50, progress=False)


@pytest.mark.parametrize("torque", ["dirac", "she"])
def test_small_film_reproduces_the_macrospin_diagram(torque):
    ds = diagram(torque, (2, 2, 1), (4e-9, 4e-9, 1e-9), 7, 7)
    cmp = sw.compare(ds)
    assert cmp.attrs["agreement"] >= AGREEMENT
    # the grid crosses the phase boundaries: all three main states occur
    assert {0, 1, 2} <= set(np.unique(cmp.state_film.values).tolist())
    assert float(ds.mz_spread_max.max()) < 0.05  # single domain throughout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("torque", "term_kw"),
    [
        ("dirac", {}),
        ("she", {}),
        ("dirac", {"H_DL": 1.0, "H_FL": 0.3, "beta": 0.5}),
    ],
)
def test_single_domain_film_agrees_on_a_fine_grid(torque, term_kw):
    """4 x 4 cells of 3 nm, 11 x 11 grid; also with field-like torque and beta."""
    ds = diagram(torque, (4, 4, 1), (3e-9, 3e-9, 1e-9), 11, 11, term_kw=term_kw)
    cmp = sw.compare(ds)
    assert cmp.attrs["agreement"] >= AGREEMENT
    # the comparison discriminates: without the shape anisotropy of the cuboid
    # (H_K = 2K/(mu0 Ms) only) the macrospin diagram no longer matches
    wrong = ds.copy()
    wrong.attrs["H_K_eff"] = ds.attrs["H_K"]
    wrong = wrong.assign_coords(
        hx_reduced=ds.hx / ds.attrs["H_K"], hsot_reduced=ds.hsot / ds.attrs["H_K"]
    )
    assert sw.compare(wrong).attrs["agreement"] < AGREEMENT
