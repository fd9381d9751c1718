"""Plots of film switching diagrams, alone and next to the macrospin diagram.

Colours and axes are those of :mod:`ubermag_dirac.macrospin.plotting` (paper's
Fig. 2: bistable green, up red, down blue; torque amplitude horizontal,
:math:`H_x` vertical). The Dataset accessor ``ds.switching`` gives the same
functions as methods: ``ds.switching.plot()``,
``ds.switching.plot_comparison()``, ``ds.switching.compare()``,
``ds.switching.threshold()``.
"""

import numpy as np
import xarray as xr

from .. import torques
from ..macrospin import plotting as _mp
from .compare import compare as _compare
from .compare import macrospin_diagram
from .compare import switching_threshold as _threshold

__all__ = ["SwitchingAccessor", "plot", "plot_comparison"]

_REDUCED = r"$/H_{K,\mathrm{eff}}$"


def _axes_values(ds, reduced):
    if reduced:
        if "hx_reduced" not in ds.coords:
            raise ValueError(
                "reduced=True needs the film's H_K_eff (no macrospin equivalent)."
            )
        return ds.hx_reduced.values, ds.hsot_reduced.values, _REDUCED, 1.0
    return ds.hx.values, ds.hsot.values, " (kA/m)", 1e-3


def _amplitude_label(ds, unit):
    torque = torques.get(ds.attrs.get("torque", "dirac"))
    return f"${torque.amplitude_latex}$" + unit


def plot(ds, ax=None, *, color_by="state", reduced=None, legend=True, title=None):
    r"""Draw a switching diagram (film or macrospin-on-film-grid).

    Ready to be saved for a paper with a plain ``savefig``: axis labels with
    units (kA/m, or units of :math:`H_{K,\mathrm{eff}}`), a secondary axis of
    the current density :math:`J` (A/m^2) for a term built with
    ``ud.DiracSOT.from_surface``, the state legend outside the diagram,
    a labelled colourbar for ``color_by="mz"``, all inside the canvas
    (constrained layout, also given to a figure passed through ``ax`` that has
    no layout engine). A non-zero field-like/damping-like ratio is named in
    the title.

    Parameters
    ----------
    ds : xarray.Dataset
        Result of :func:`~ubermag_dirac.switching.phase_diagram` or
        :func:`~ubermag_dirac.switching.macrospin_diagram` with grid dims
        ``hx``, ``hsot`` only.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (new figure if None).
    color_by : {"state", "mz"}
        Categorical state colours, or the final :math:`m_z` (mean of both
        starts, blue-white-red, with a colourbar) with the bistable region
        green.
    reduced : bool, optional
        Axes in units of :math:`H_{K,\mathrm{eff}}` (default when available)
        or in kA/m.
    legend : bool
        Legend of the states present.
    title : str, optional
        Axes title (default: torque, :math:`\alpha` and the FL/DL ratio).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from ubermag_dirac import macrospin as ms
    >>> from ubermag_dirac.switching import plot
    >>> ax = plot(ms.phase_diagram([0.0, 0.5], [0.0, 0.6], torque="she"), reduced=False)
    >>> ax.get_xlabel()
    '$H_\\mathrm{SH}$ (kA/m)'
    >>> plot(ms.phase_diagram([0.0], [0.0]), color_by="energy")
    Traceback (most recent call last):
    ...
    ValueError: color_by must be 'state' or 'mz', got 'energy'.
    """
    _mp.check_color_by(color_by)
    if not isinstance(ds, xr.Dataset) or "state" not in ds:
        raise TypeError("Expected a switching phase-diagram Dataset.")
    if tuple(ds.state.dims) != ("hx", "hsot"):
        raise ValueError(
            f"plot needs grid dims ('hx', 'hsot'), got {ds.state.dims}; select the "
            "other swept parameters first."
        )
    if reduced is None:
        reduced = "hx_reduced" in ds.coords
    hx, s, unit, scale = _axes_values(ds, reduced)
    hx, s = hx * scale, s * scale
    ax = _mp.figure_axes(ax, (5.2, 4.2))
    state = ds.state.values
    mz = _mp.mean_final_mz(ds)
    torque = torques.get(ds.attrs.get("torque", "dirac"))
    axis = _mp.TorqueAxis(ds, s, _amplitude_label(ds, unit))
    mappable = _mp.draw_states(ax, axis.x, hx, state, mz, color_by)
    axis.decorate(ax)
    ax.set_ylabel("$H_x$" + unit)
    if title is None:
        title = (
            f"{torque.label}, $\\alpha$ = {ds.attrs.get('alpha', 0):g}"
            + _mp.fl_dl_text(ds.attrs.get("h_fl_ratio", 0.0))
        )
    ax.set_title(title)
    return _mp.finish_diagram(ax, state, mappable, color_by, legend)


def plot_comparison(film, macro=None, axes=None, *, color_by="state", reduced=None):
    """Film and macrospin diagrams side by side, with the disagreement map.

    Parameters
    ----------
    film : xarray.Dataset
        Film result (grid dims ``hx``, ``hsot``).
    macro : xarray.Dataset, optional
        Macrospin diagram on the film's grid (default:
        :func:`~ubermag_dirac.switching.macrospin_diagram` of ``film``).
    axes : sequence of 3 matplotlib axes, optional
    color_by, reduced
        As :func:`plot`.

    Returns
    -------
    matplotlib.figure.Figure
        Panels: film, macrospin, and the map of the points classified
        differently (black) or identically (white), with its legend; the
        title of the last one gives the agreement.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    if macro is None:
        macro = macrospin_diagram(film)
    cmp = _compare(film, macro)
    if axes is None:
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), layout="constrained")
    else:
        fig = axes[0].figure
    if reduced is None:
        reduced = "hx_reduced" in film.coords
    macro_plot = macro
    if reduced and "hx_reduced" not in macro.coords:
        macro_plot = macro.assign_coords(
            hx_reduced=("hx", film.hx_reduced.values),
            hsot_reduced=("hsot", film.hsot_reduced.values),
        )
    nx, ny, _ = film.attrs.get("mesh_n", ("?", "?", "?"))
    plot(
        film,
        axes[0],
        color_by=color_by,
        reduced=reduced,
        title=f"film {nx} x {ny} cells",
    )
    plot(macro_plot, axes[1], color_by=color_by, reduced=reduced, title="macrospin")
    hx, s, unit, scale = _axes_values(film, reduced)
    axis = _mp.TorqueAxis(film, s * scale, _amplitude_label(film, unit))
    diff = np.where(cmp.agree.values, 0.0, 1.0)
    axes[2].pcolormesh(
        _mp.cell_edges(axis.x),
        _mp.cell_edges(hx * scale),
        diff,
        cmap=ListedColormap(["white", "black"]),
        vmin=0,
        vmax=1,
        shading="flat",
    )
    axes[2].set_xlim(axes[0].get_xlim())
    axes[2].set_ylim(axes[0].get_ylim())
    axis.decorate(axes[2])
    axes[2].set_ylabel(axes[0].get_ylabel())
    axes[2].set_title(f"different: {100 * (1 - cmp.attrs['agreement']):.1f} %")
    for spine in axes[2].spines.values():  # white cells must not merge with the page
        spine.set(visible=True, color="black", linewidth=0.8)
    _mp.outside_legend(
        axes[2],
        [
            Patch(facecolor="white", edgecolor="black", lw=0.6, label="same state"),
            Patch(facecolor="black", edgecolor="black", lw=0.6, label="different"),
        ],
    )
    return fig


@xr.register_dataset_accessor("switching")
class SwitchingAccessor:
    """``ds.switching``: plotting and comparison methods of a switching Dataset."""

    def __init__(self, ds):
        self._ds = ds

    def plot(self, ax=None, **kwargs):
        """:func:`plot` of this Dataset."""
        return plot(self._ds, ax, **kwargs)

    def plot_comparison(self, macro=None, axes=None, **kwargs):
        """:func:`plot_comparison` of this (film) Dataset."""
        return plot_comparison(self._ds, macro, axes, **kwargs)

    def compare(self, macro=None):
        """:func:`~ubermag_dirac.switching.compare` of this (film) Dataset."""
        return _compare(self._ds, macro)

    def macrospin(self, **overrides):
        """:func:`~ubermag_dirac.switching.macrospin_diagram` of this film."""
        return macrospin_diagram(self._ds, **overrides)

    def threshold(self, start="down", units=None):
        """:func:`~ubermag_dirac.switching.switching_threshold` of this Dataset."""
        return _threshold(self._ds, start, units)
