"""Plots, the Dataset accessor, the comparison helpers and the progress bar."""

import matplotlib
import numpy as np
import pytest

from ubermag_dirac import macrospin as ms
from ubermag_dirac import switching as sw

from .conftest import film

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def she_film():
    s = film(torque="she", demag=False)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    return sw.phase_diagram(
        s,
        np.array([-0.5, 0.0, 0.5]) * HK,
        np.array([-0.7, 0.0, 0.7]) * HK,
        t_run=4e-10,
        n_samples=20,
        progress=True,
    )


def test_plot_and_comparison_figure(she_film):
    import matplotlib.pyplot as plt

    ax = she_film.switching.plot()
    assert ax.get_ylabel() == r"$H_x$$/H_{K,\mathrm{eff}}$"
    ax = sw.plot(she_film, reduced=False, color_by="mz")
    assert ax.get_xlabel() == r"$H_\mathrm{SH}$ (kA/m)"
    fig = she_film.switching.plot_comparison()
    assert len(fig.axes) == 3
    assert fig.axes[2].get_title() == "different: 0.0 %"
    plt.close("all")


def test_macrospin_diagram_on_the_film_grid(she_film):
    mds = she_film.switching.macrospin()
    np.testing.assert_allclose(mds.hx.values, she_film.hx.values)
    np.testing.assert_allclose(mds.hx_reduced.values, [-0.5, 0.0, 0.5])
    assert mds.attrs["torque"] == "she" and mds.attrs["alpha"] == 0.3
    assert mds.attrs["t_max"] == pytest.approx(
        4e-10 * she_film.attrs["gamma0"] * she_film.attrs["H_K_eff"]
    )
    cmp = she_film.switching.compare(mds)
    assert cmp.attrs["agreement"] == 1.0 and cmp.attrs["n_points"] == 9


def test_macrospin_parameters_follow_the_pulse_and_refuse_unmapped_dims():
    s = film(torque="dirac", demag=False, H_DL=2.0, H_FL=1.0, beta=0.4)
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    pulse = sw.Trapezoid(rise=1e-11)
    ds = sw.phase_diagram(
        s,
        [0.0],
        [0.5 * HK, HK],
        pulse=pulse,
        params={"pulse.rise": [1e-11, 5e-11]},
        t_run=1e-10,
        n_samples=5,
        progress=False,
    )
    with pytest.raises(ValueError, match="Select single values"):
        sw.macrospin_parameters(ds)
    kw = sw.macrospin_parameters(ds.isel({"pulse.rise": 1}))
    np.testing.assert_allclose(kw["h_fl"], [0.25, 0.5])  # H_FL/H_DL = 1/2 kept
    assert kw["beta"] == 0.4
    unit = kw["time_unit"]
    assert kw["current"](5e-11 / unit) == pytest.approx(1.0)
    assert kw["current"](2.5e-11 / unit) == pytest.approx(0.5)
    big = sw.phase_diagram(
        s, [1.2 * HK], [0.0], t_run=1e-11, n_samples=1, progress=False
    )
    with pytest.raises(ValueError, match="needs \\|H_x\\| <= H_K_eff"):
        sw.macrospin_parameters(big)


def test_switching_threshold_of_the_macrospin_matches_the_scan():
    ds = ms.phase_diagram([0.3], np.arange(0.05, 0.6, 0.05), torque="she", alpha=0.5)
    thr = sw.switching_threshold(ds)
    ref = ms.switching_threshold([0.3], torque="she", alpha=0.5, ds=0.05, s_max=0.6)
    np.testing.assert_allclose(thr.values, ref, atol=1e-12)
    # the up start loses its sign for negative torques only: none on this grid
    assert np.isnan(sw.switching_threshold(ds, start="up").values).all()
