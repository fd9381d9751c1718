"""Every plotting function gives a figure that can go into a paper as saved.

Rendered to PNG with a plain ``savefig`` (no ``bbox_inches="tight"``), then the
bounding boxes of all text (labels, ticks, titles, legends, colourbar labels)
must lie inside the canvas, legends must sit outside the diagram with visible
(edged) swatches, colour scales must have a labelled colourbar, and axis
labels must carry their unit.
"""

import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import ubermag_dirac as ud
from ubermag_dirac import macrospin as ms
from ubermag_dirac import switching as sw

matplotlib.use("Agg")

UNITS = ("(kA/m)", "/H_K", "/H_{K,", "A/m$^2$")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def render(fig):
    fig.savefig(io.BytesIO(), format="png")
    return fig.canvas.get_renderer()


def inside(bb, fig, tol=1.0):
    W, H = fig.bbox.width, fig.bbox.height
    return bb.x0 >= -tol and bb.y0 >= -tol and bb.x1 <= W + tol and bb.y1 <= H + tol


def assert_publishable(fig, n_diagrams):
    renderer = render(fig)
    # everything drawn (tick labels in view included), in display units
    drawn = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    assert inside(drawn, fig), f"drawn artists {drawn} exceed the canvas {fig.bbox}"
    texts = [
        t
        for ax in fig.axes
        for t in (
            ax.xaxis.label,
            ax.yaxis.label,
            ax.title,
            *(ax.get_legend().get_texts() if ax.get_legend() else ()),
            *(c.xaxis.label for c in ax.child_axes),
        )
        if t.get_text().strip()
    ]
    outside = [
        (t.get_text(), t.get_window_extent(renderer))
        for t in texts
        if not inside(t.get_window_extent(renderer), fig)
    ]
    assert not outside, f"text outside the canvas: {outside}"
    diagrams = [
        ax
        for ax in fig.axes
        if ax.collections and ax.get_xlabel() and ax.get_label() != "<colorbar>"
    ]
    assert len(diagrams) == n_diagrams
    for ax in diagrams:
        for label in (ax.get_xlabel(), ax.get_ylabel()):
            assert any(u in label for u in UNITS), f"no unit in {label!r}"
        legend = ax.get_legend()
        assert legend is not None, "diagram without legend"
        box = legend.get_window_extent(renderer)
        assert inside(box, fig)
        assert not box.overlaps(ax.get_window_extent(renderer)), "legend on the data"
        for patch in legend.get_patches():
            assert patch.get_edgecolor()[3] > 0 and patch.get_linewidth() > 0
    return renderer


def colorbar_labels(fig):
    return [ax.get_xlabel() for ax in fig.axes if ax.get_label() == "<colorbar>"]


@pytest.fixture(scope="module")
def diagrams():
    hx = np.linspace(-1.0, 1.0, 9)
    s = np.linspace(-1.5, 1.5, 9)
    return ms.compare_torques(hx, s, alpha=0.1, t_max=200.0)


@pytest.mark.parametrize("color_by", ["state", "mz"])
def test_macrospin_diagram_as_saved(diagrams, color_by):
    ax = ms.plot_phase_diagram(diagrams[0], color_by=color_by)
    assert_publishable(ax.figure, 1)
    if color_by == "mz":
        assert colorbar_labels(ax.figure) == [ms.plotting.MZ_LABEL]


@pytest.mark.parametrize("color_by", ["state", "mz"])
def test_side_by_side_as_saved(diagrams, color_by):
    axes = ms.plot_side_by_side(*diagrams, color_by=color_by)
    assert_publishable(axes[0].figure, 2)


def test_drawing_into_a_figure_of_the_user(diagrams):
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.5))  # no layout engine
    ms.plot_phase_diagram(diagrams[0], ax=axes[0])
    diagrams[1].macrospin.plot(ax=axes[1], color_by="mz")
    assert_publishable(fig, 2)


def film_like(ds, H_K=2e5, J_per_H=-3.7e8):
    """A macrospin diagram dressed as a film sweep in A/m with a J coordinate."""
    out = ds.assign_coords(hx=ds.hx * H_K, hsot=ds.hsot * H_K)
    out = out.assign_coords(
        hx_reduced=("hx", ds.hx.values),
        hsot_reduced=("hsot", ds.hsot.values),
        J=("hsot", ds.hsot.values * H_K * J_per_H, {"units": "A/m^2"}),
    )
    out.attrs.update(mesh_n=[4, 4, 1], H_K_eff=H_K, h_fl_ratio=-30.4)
    return out


@pytest.mark.parametrize("reduced", [True, False])
@pytest.mark.parametrize("color_by", ["state", "mz"])
def test_switching_plot_as_saved_with_current_axis(diagrams, reduced, color_by):
    ds = film_like(diagrams[0])
    ax = sw.plot(ds, reduced=reduced, color_by=color_by)
    fig = ax.figure
    assert_publishable(fig, 1)
    # drawn over J (A/m^2, increasing), the amplitude on the top axis
    assert ax.get_xlabel() == r"current density $J$ ($10^{14}$ A/m$^2$)"
    lo, hi = ax.get_xlim()
    assert lo < hi
    (top,) = ax.child_axes
    unit = r"$/H_{K,\mathrm{eff}}$" if reduced else " (kA/m)"
    assert top.get_xlabel() == r"$H_\mathrm{DL}$" + unit
    # linear map J <-> H_DL (H_DL = H_K s, J = -3.7e8 H_DL)
    amplitude = top._functions[0](hi)
    H = amplitude * (2e5 if reduced else 1e3)
    assert hi * 1e14 == pytest.approx(H * -3.7e8, rel=1e-9)
    assert "H_\\mathrm{FL}/H_\\mathrm{DL}$ = -30.4" in ax.get_title()


def test_comparison_figure_as_saved(diagrams):
    film = film_like(diagrams[1])
    film.attrs.pop("h_fl_ratio")
    macro = film.copy(deep=True)
    macro["state"] = xr.where(macro.state == 1, 2, macro.state).astype("int8")
    fig = sw.plot_comparison(film, macro)
    assert_publishable(fig, 3)
    labels = [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    assert labels == ["same state", "different"]


def test_macrospin_diagram_of_a_bilayer_has_a_current_axis(diagrams):
    bilayer = ud.theory.Bilayer(ud.theory.preset("Bi2Se3"), thickness=1e-9, Ms=8e5)
    ds = ms.with_current_density(diagrams[0], bilayer, H_K=4e5)
    ax = ms.plot_phase_diagram(ds)
    assert_publishable(ax.figure, 1)
    assert ax.get_xlabel() == r"current density $J$ ($10^{14}$ A/m$^2$)"
    (top,) = ax.child_axes
    assert top.get_xlabel() == r"$H_\mathrm{DL}/H_K$"


# ----------------------------------------------- thermal switching probabilities
@pytest.fixture(scope="module")
def probabilities():
    return ms.switching_probability(
        [-0.45, -0.35, -0.3, -0.25], pulse_width=[40.0, 80.0], hx=[0.3], torque="she",
        delta=160.0, start="up", n_trials=300, seed=1,
    )  # fmt: skip


def all_text_inside(fig):
    renderer = render(fig)
    drawn = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    assert inside(drawn, fig), f"drawn artists {drawn} exceed the canvas {fig.bbox}"
    return renderer


def test_probability_curves_as_saved(probabilities):
    ax = ms.plot_switching_probability(probabilities)
    renderer = all_text_inside(ax.figure)
    assert "/H_K" in ax.get_xlabel()
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2  # two Wilson bands
    box = ax.get_legend().get_window_extent(renderer)
    assert not box.overlaps(ax.get_window_extent(renderer)), "legend on the data"


def test_write_error_rate_as_saved_with_upper_bounds(probabilities):
    ds = probabilities.sel(pulse_width=[80.0])
    ax = ms.plot_write_error_rate(ds)
    all_text_inside(ax.figure)
    assert ax.get_yscale() == "log"
    full = ds.n_switched.values == ds.n_trials.values
    assert full.any()  # the fixture has points where every trial switched
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("upper bound" in t for t in texts)


def test_probability_map_as_saved(probabilities):
    ax = ms.plot_switching_map(probabilities)
    all_text_inside(ax.figure)
    assert colorbar_labels(ax.figure) or any(
        a.get_label() == "<colorbar>" for a in ax.figure.axes
    )
    assert "pulse width" in ax.get_ylabel()


def test_probability_plots_read_film_datasets(probabilities):
    """A film result (``ud.switching.switching_probability``: hsot in A/m, a J
    coordinate, pulse widths in s, a trial dimension) draws over J."""
    H_K = 2e5
    film = probabilities.assign_coords(
        hsot=probabilities.hsot.values * H_K,
        pulse_width=("pulse_width", [1e-9, 2e-9], {"units": "s"}),
        J=("hsot", probabilities.hsot.values * -4e12, {"units": "A/m^2"}),
    )
    film["mz_final"] = (("hx", "hsot", "pulse_width", "trial"), np.zeros((1, 4, 2, 3)))
    ax = ms.plot_switching_probability(film)
    assert ax.get_xlabel() == r"current density $J$ ($10^{12}$ A/m$^2$)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["pulse width = 1 ns", "pulse width = 2 ns"]
    ax = ms.plot_switching_map(film)
    assert ax.get_ylabel() == "pulse width (ns)"
    # both starts of a film sweep: a dimension of strings
    both = xr.concat([film, film], dim=xr.DataArray(["up", "down"], dims="start"))
    ax = ms.plot_write_error_rate(both, pulse_width=1e-9)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["start = up", "start = down"]
