"""Plots of switching phase diagrams in the colour convention of the paper's Fig. 2.

Ndiaye et al., Fig. 2: the bistable diamond is green, the monostable regions are
red and blue. The paper's text does not say which of red/blue is up; here red is
:math:`+z` (up) and blue :math:`-z` (down). States that the paper does not show
(in-plane, toggle, mixed) are grey, purple and black. The torque amplitude is on
the horizontal axis and :math:`H_x` on the vertical one (the paper's "horizontal
extension of the central diamond" is along the torque axis).
"""

import numpy as np
import xarray as xr

from .. import torques
from .boundaries import dirac_threshold_alpha0, she_diamond_edge
from .phase import STATES, phase_diagram

__all__ = [
    "MZ_LABEL",
    "STATE_COLORS",
    "compare_torques",
    "plot_phase_diagram",
    "plot_side_by_side",
]

#: colour of each state (paper's Fig. 2 for the first three)
STATE_COLORS = {
    "bistable": "#2ca02c",  # green
    "up": "#d62728",  # red
    "down": "#1f77b4",  # blue
    "inplane": "#a0a0a0",  # grey
    "toggle": "#9467bd",  # purple
    "mixed": "#000000",  # black
}

#: analytic boundary drawn on the diagram of a torque, and its legend label
_BOUNDARIES = {
    "she": (she_diamond_edge, "static edge (exact)"),
    "dirac": (dirac_threshold_alpha0, r"$\alpha\to0$ threshold"),
}

#: colourbar label of ``color_by="mz"``
MZ_LABEL = r"final $m_z$ (mean of both starts)"


def cell_edges(v):
    v = np.asarray(v, dtype=float)
    if v.size == 1:
        d = abs(v[0]) * 0.1 or 0.5
        return np.array([v[0] - d, v[0] + d])
    mid = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


def _check_ds(ds):
    if not isinstance(ds, xr.Dataset) or "state" not in ds or "torque" not in ds.attrs:
        raise TypeError(
            "Expected a Dataset returned by ubermag_dirac.macrospin.phase_diagram."
        )


def figure_axes(ax, figsize):
    """``ax``, or new axes in a figure with constrained layout.

    Figures that a plot draws into get matplotlib's constrained layout (when
    they have no layout engine yet) so that a plain ``savefig`` keeps the
    labels, legends and colourbars outside the axes inside the canvas.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    elif ax.figure.get_layout_engine() is None:
        ax.figure.set_layout_engine("constrained")
    return ax


def draw_states(ax, x, y, state, mz=None, color_by="state"):
    """Draw a diagram ``state[y, x]`` on cell edges; returns the m_z mappable.

    ``color_by="state"``: the colours of :data:`STATE_COLORS`;
    ``color_by="mz"``: ``mz`` on a blue-white-red scale from -1 to 1, with the
    bistable points green on top. Returns the ``QuadMesh`` of ``mz`` (for a
    colourbar) or None.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap

    xe, ye = cell_edges(x), cell_edges(y)
    if color_by == "state":
        cmap = ListedColormap([STATE_COLORS[k] for k in STATES])
        norm = BoundaryNorm(np.arange(len(STATES) + 1) - 0.5, cmap.N)
        ax.pcolormesh(xe, ye, state, cmap=cmap, norm=norm, shading="flat")
        mappable = None
    else:
        mappable = ax.pcolormesh(
            xe, ye, mz, cmap="RdBu_r", vmin=-1, vmax=1, shading="flat"
        )
        bi = np.where(state == 0, 1.0, np.nan)
        ax.pcolormesh(
            xe, ye, bi, cmap=ListedColormap([STATE_COLORS["bistable"]]), shading="flat"
        )
    ax.set_xlim(min(xe[0], xe[-1]), max(xe[0], xe[-1]))
    ax.set_ylim(min(ye[0], ye[-1]), max(ye[0], ye[-1]))
    return mappable


def check_color_by(color_by):
    """Refuse a ``color_by`` other than ``"state"`` or ``"mz"`` (ValueError)."""
    if color_by not in ("state", "mz"):
        raise ValueError(f"color_by must be 'state' or 'mz', got {color_by!r}.")


def mean_final_mz(ds):
    """Final :math:`m_z` of a diagram averaged over both starts (``color_by="mz"``)."""
    return 0.5 * (ds.mz_up.values + ds.mz_down.values)


def finish_diagram(ax, state, mappable, color_by, legend, extra=()):
    """Colourbar and legend of a diagram drawn by :func:`draw_states`; returns ``ax``.

    The colourbar of ``mappable`` (``color_by="mz"``) below the axes; with
    ``legend``, the swatches of the states present in ``state`` (only
    "bistable" for ``color_by="mz"``) followed by the handles ``extra``, to the
    right of the axes.
    """
    if mappable is not None:
        mz_colorbar(ax, mappable)
    if legend:
        present = sorted(set(np.unique(state).tolist()))
        if color_by == "mz":
            present = [0] if 0 in present else []
        outside_legend(ax, state_handles(present) + list(extra))
    return ax


def state_handles(codes):
    """Legend patches (black-edged, so every swatch shows) of state ``codes``."""
    from matplotlib.patches import Patch

    return [
        Patch(
            facecolor=STATE_COLORS[STATES[c]],
            edgecolor="black",
            linewidth=0.6,
            label=STATES[c],
        )
        for c in codes
    ]


def outside_legend(ax, handles):
    """Legend to the right of the axes, never on top of the diagram."""
    if not handles:
        return None
    return ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        fontsize="small",
        frameon=False,
        handlelength=1.4,
    )


def mz_colorbar(ax, mappable):
    """Horizontal colourbar of the final m_z below the axes."""
    return ax.figure.colorbar(
        mappable,
        ax=ax,
        location="bottom",
        label=MZ_LABEL,
        shrink=0.8,
        aspect=30,
        ticks=[-1, -0.5, 0, 0.5, 1],
    )


class TorqueAxis:
    """The horizontal axis of a diagram: the amplitude, or the current density.

    For a diagram with a current-density coordinate ``J`` proportional to the
    amplitudes ``s`` (terms built from a surface, ``ud.theory.Bilayer``), the
    diagram is drawn over :math:`J` (A/m^2, in units of a power of ten,
    increasing to the right) and the amplitude is shown on a secondary axis at
    the top; otherwise over ``s`` with ``label``.
    """

    def __init__(self, ds, s, label):
        self.s = np.asarray(s, dtype=float)
        self.amplitude_label = label
        self.k = None
        if "J" in ds.coords and ds.J.dims == ("hsot",):
            J = np.asarray(ds.J.values, dtype=float)
            nonzero = np.abs(self.s) > 0
            if nonzero.any():
                k = float(np.median(J[nonzero] / self.s[nonzero]))
                if np.allclose(J, k * self.s, rtol=1e-6, atol=1e-12 * np.abs(J).max()):
                    self.power = int(np.floor(np.log10(np.abs(J).max())))
                    self.k = k / 10.0**self.power  # drawn units per amplitude unit

    def __call__(self, s):
        """Drawn coordinate of amplitudes ``s``."""
        s = np.asarray(s, dtype=float)
        return s if self.k is None else s * self.k

    @property
    def x(self):
        return self(self.s)

    @property
    def label(self):
        if self.k is None:
            return self.amplitude_label
        return rf"current density $J$ ($10^{{{self.power}}}$ A/m$^2$)"

    def decorate(self, ax):
        """Axis label, and the amplitude on a secondary top axis (J drawn)."""
        ax.set_xlabel(self.label)
        if self.k is None:
            return None
        k = self.k
        sec = ax.secondary_xaxis("top", functions=(lambda x: x / k, lambda s: s * k))
        sec.set_xlabel(self.amplitude_label)
        return sec


def fl_dl_text(ratio):
    """Title suffix naming a non-zero field-like/damping-like ratio."""
    if not ratio:
        return ""
    return rf", $H_\mathrm{{FL}}/H_\mathrm{{DL}}$ = {ratio:.3g}"


def plot_phase_diagram(ds, ax=None, boundaries=True, color_by="state", legend=True):
    r"""Draw a phase diagram from :func:`phase_diagram` (paper's colours).

    The figure is ready to be saved for a paper with a plain ``savefig``:
    axis labels with their units, the legend of the states outside the
    diagram (black-edged swatches), for ``color_by="mz"`` a labelled
    colourbar, all inside the canvas (the figure gets constrained layout
    when it has no layout engine).

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`~ubermag_dirac.macrospin.phase_diagram`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (new figure if None).
    boundaries : bool
        Overlay the analytic boundaries: spin Hall, the exact static loss of
        bistability :math:`\pm s_c(h_x)` (:func:`she_diamond_edge`); Dirac, the
        :math:`\alpha\to0` switching threshold (:func:`dirac_threshold_alpha0`,
        a lower bound of the step-current threshold). Protocol A only.
    color_by : {"state", "mz"}
        ``"state"``: categorical colours of :data:`STATE_COLORS`. ``"mz"``:
        bistable green, elsewhere the final :math:`m_z` (average of both
        starts) on a blue-white-red scale with a colourbar, which shows the
        continuous (SHE) versus abrupt (Dirac) transition between the
        monostable regions.
    legend : bool
        Add a legend of the states present (and of the boundary curve).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from ubermag_dirac import macrospin as ms
    >>> ds = ms.phase_diagram([-0.5, 0.0, 0.5], [-0.3, 0.0, 0.3], torque="she")
    >>> ax = ms.plot_phase_diagram(ds)
    >>> ax.get_xlabel()
    '$H_\\mathrm{SH}/H_K$'
    >>> ms.plot_phase_diagram(ds, color_by="energy")
    Traceback (most recent call last):
    ...
    ValueError: color_by must be 'state' or 'mz', got 'energy'.
    """
    _check_ds(ds)
    check_color_by(color_by)
    ax = figure_axes(ax, (5.2, 4))
    hx = ds.hx.values
    state = ds.state.values  # (hx, hsot)
    mz = mean_final_mz(ds)
    torque = torques.get(ds.attrs["torque"])
    axis = TorqueAxis(ds, ds.hsot.values, f"${torque.amplitude_latex}/H_K$")
    mappable = draw_states(ax, axis.x, hx, state, mz, color_by)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    boundary = _BOUNDARIES.get(torque.name)
    if boundaries and boundary and ds.attrs.get("protocol", "A") == "A":
        hb = np.linspace(0.0, min(np.abs(hx).max(), 0.999), 300)
        sb = boundary[0](hb)
        lab = boundary[1]
        for sx, sh in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
            ax.plot(
                axis(sx * sb),
                sh * hb,
                "k--",
                lw=1,
                label=lab if (sx, sh) == (1, 1) else None,
            )
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
    axis.decorate(ax)
    ax.set_ylabel(r"$H_x/H_K$")
    ax.set_title(
        f"{torque.label}, $\\alpha$ = {ds.attrs['alpha']:g}"
        + fl_dl_text(ds.attrs.get("h_fl_ratio", 0.0))
    )
    return finish_diagram(
        ax, state, mappable, color_by, legend, ax.get_legend_handles_labels()[0]
    )


def plot_side_by_side(ds_dirac, ds_she, axes=None, boundaries=True, color_by="state"):
    """Dirac and spin-Hall diagrams next to each other (paper's Fig. 2 a, b).

    Parameters
    ----------
    ds_dirac, ds_she : xarray.Dataset
        Phase diagrams from :func:`phase_diagram` with ``torque="dirac"`` and
        ``torque="she"``.
    axes : sequence of two Axes, optional
    boundaries, color_by
        As in :func:`plot_phase_diagram`.

    Returns
    -------
    numpy.ndarray of Axes

    Examples
    --------
    >>> from ubermag_dirac import macrospin as ms
    >>> d, s = ms.compare_torques([-0.5, 0.5], [-1.0, 1.0])
    >>> ms.plot_side_by_side(d, s).shape
    (2,)
    >>> ms.plot_side_by_side(s, d)
    Traceback (most recent call last):
    ...
    ValueError: ds_dirac must have torque 'dirac' and ds_she torque 'she'.
    """
    import matplotlib.pyplot as plt

    _check_ds(ds_dirac)
    _check_ds(ds_she)
    if ds_dirac.attrs["torque"] != "dirac" or ds_she.attrs["torque"] != "she":
        raise ValueError("ds_dirac must have torque 'dirac' and ds_she torque 'she'.")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10.5, 4), layout="constrained")
    axes = np.asarray(axes).ravel()
    plot_phase_diagram(ds_dirac, ax=axes[0], boundaries=boundaries, color_by=color_by)
    plot_phase_diagram(ds_she, ax=axes[1], boundaries=boundaries, color_by=color_by)
    return axes


def compare_torques(hx, hsot, **kwargs):
    """Phase diagrams of the Dirac and spin-Hall torques on the same grid.

    Parameters
    ----------
    hx, hsot : array_like
        Grids (see :func:`phase_diagram`).
    **kwargs
        Passed to :func:`phase_diagram` for both (not ``torque``).

    Returns
    -------
    tuple of xarray.Dataset
        ``(dirac, she)``.

    Examples
    --------
    >>> from ubermag_dirac import macrospin as ms
    >>> d, s = ms.compare_torques([0.0], [0.0], alpha=0.2)
    >>> d.attrs["torque"], s.attrs["torque"], s.attrs["alpha"]
    ('dirac', 'she', 0.2)
    >>> ms.compare_torques([0.0], [0.0], torque="she")
    Traceback (most recent call last):
    ...
    TypeError: compare_torques sets torque itself.
    """
    if "torque" in kwargs:
        raise TypeError("compare_torques sets torque itself.")
    return (
        phase_diagram(hx, hsot, torque="dirac", **kwargs),
        phase_diagram(hx, hsot, torque="she", **kwargs),
    )


@xr.register_dataset_accessor("macrospin")
class MacrospinAccessor:
    """``ds.macrospin.plot(...)`` for datasets made by :func:`phase_diagram`.

    Examples
    --------
    >>> from ubermag_dirac import macrospin as ms
    >>> ds = ms.phase_diagram([0.0, 0.5], [0.0, 0.5], torque="she")
    >>> ax = ds.macrospin.plot(boundaries=False)
    >>> ds.macrospin.state_names()[0, 1]
    'inplane'
    """

    def __init__(self, ds):
        self._ds = ds

    def plot(self, ax=None, boundaries=True, color_by="state", legend=True):
        """Same as :func:`plot_phase_diagram` for this dataset."""
        return plot_phase_diagram(
            self._ds, ax=ax, boundaries=boundaries, color_by=color_by, legend=legend
        )

    def state_names(self):
        """Array of state names (hx, hsot) from the integer codes."""
        _check_ds(self._ds)
        return np.asarray(STATES, dtype=object)[self._ds.state.values]
