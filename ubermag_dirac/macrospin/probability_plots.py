r"""Plots of switching probabilities: P_sw curves, maps and write-error rates.

For the Datasets of :func:`ubermag_dirac.macrospin.switching_probability` and of
film studies with the same variables (``ud.switching``): ``P_sw``,
``n_switched``, ``n_trials``, ``ci_low``, ``ci_high`` (Wilson interval) over a
current axis (a coordinate ``J`` in A/m^2 when the torque was built from a
surface, else the amplitude dimension ``hsot``) and ``pulse_width`` (s, or
reduced), possibly ``hx`` and others.

The write-error rate :math:`\mathrm{WER} = 1 - P_\mathrm{sw}` is drawn on a log
scale with its interval :math:`[1 - p_+, 1 - p_-]`; a point where every trial
switched (:math:`k = n`, WER estimate 0, which a log axis cannot show) is drawn
as an upper bound at :math:`1 - p_-` (a downward triangle): with :math:`n`
trials one can only say WER :math:`\lesssim 3.8/n` at 95 %.
"""

from __future__ import annotations

import itertools

import numpy as np
import xarray as xr

from .plotting import figure_axes, outside_legend

__all__ = [
    "current_axis",
    "plot_switching_map",
    "plot_switching_probability",
    "plot_write_error_rate",
]

_VARIABLES = ("P_sw", "n_switched", "n_trials", "ci_low", "ci_high")
#: current dimensions recognised, in order of preference
_CURRENT_DIMS = ("J", "hsot", "current", "amplitude")


def _check(ds):
    if not isinstance(ds, xr.Dataset) or any(v not in ds for v in _VARIABLES):
        raise TypeError(
            "Expected a switching-probability Dataset with variables "
            f"{list(_VARIABLES)} (ud.macrospin.switching_probability or "
            "ud.switching)."
        )


def current_axis(ds):
    """``(dim, values, label)`` of the current axis of a probability Dataset.

    The coordinate ``J`` (A/m^2, drawn in units of a power of ten) when present,
    else the first of the dimensions ``hsot``, ``current``, ``amplitude``.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from ubermag_dirac.macrospin import current_axis
    >>> ds = xr.Dataset(
    ...     coords={
    ...         "hsot": ("hsot", [0.1, 0.2]),
    ...         "J": ("hsot", [1e11, 2e11], {"units": "A/m^2"}),
    ...     }
    ... )
    >>> dim, x, label = current_axis(ds)
    >>> dim, x.tolist(), label
    ('hsot', [1.0, 2.0], 'current density $J$ ($10^{11}$ A/m$^2$)')
    >>> current_axis(xr.Dataset(coords={"t": [1.0]}))
    Traceback (most recent call last):
    ...
    ValueError: No current axis: expected a coordinate J or a dimension among ...
    """
    if "J" in ds.coords and ds.J.ndim == 1:
        J = np.asarray(ds.J.values, dtype=float)
        big = np.abs(J).max()
        power = int(np.floor(np.log10(big))) if big > 0 else 0
        label = rf"current density $J$ ($10^{{{power}}}$ A/m$^2$)"
        return ds.J.dims[0], J / 10.0**power, label
    for dim in _CURRENT_DIMS:
        if dim in ds.dims:
            c = ds[dim]
            name = c.attrs.get("long_name", dim)
            units = c.attrs.get("units", "")
            label = _latex_name(name) + (
                f" ({units})" if units and "/" not in name else ""
            )
            return dim, np.asarray(c.values, dtype=float), label
    raise ValueError(
        "No current axis: expected a coordinate J or a dimension among "
        f"{_CURRENT_DIMS}."
    )


def _latex_name(name):
    """``H_DL / H_K`` -> ``$H_\\mathrm{DL}/H_K$``."""
    parts = []
    for p in name.replace(" ", "").split("/"):
        head, _, tail = p.partition("_")
        parts.append(f"{head}_\\mathrm{{{tail}}}" if tail and tail != "K" else p)
    return "$" + "/".join(parts) + "$"


def _format(dim, value, coord):
    units = coord.attrs.get("units", "")
    if dim == "pulse_width" and units == "s":
        return f"{value * 1e9:.3g} ns"
    if dim == "pulse_width":
        return f"{value:.3g} " + r"$/(\gamma_0H_K)$"
    if dim == "hx":
        return f"{value:.3g}"
    return f"{value:.3g} {units}".strip()


_NAMES = {"pulse_width": "pulse width", "hx": "$h_x$"}


def _others(da, dim, select):
    """The remaining non-singleton dimensions of ``da`` and their combinations."""
    da = da.sel(select, method="nearest") if select else da
    rest = [d for d in da.dims if d != dim and da.sizes[d] > 1]
    combos = list(itertools.product(*(range(da.sizes[d]) for d in rest)))
    return da, rest, combos


def _label(ds, rest, idx):
    parts = []
    for d, i in zip(rest, idx, strict=True):
        v = ds[d].values[i]
        if np.issubdtype(np.asarray(v).dtype, np.number):
            v = _format(d, float(v), ds[d])
        parts.append(f"{_NAMES.get(d, d)} = {v}")
    return ", ".join(parts)


def plot_switching_probability(ds, ax=None, ci=True, legend=True, **select):
    r"""P_sw against the current, one curve per remaining parameter, with
    Wilson bands.

    Parameters
    ----------
    ds : xarray.Dataset
        Switching probabilities (module docstring).
    ax : matplotlib.axes.Axes, optional
    ci : bool
        Shade the confidence interval ``ci_low`` .. ``ci_high``.
    legend : bool
        Legend of the curves (outside the axes).
    **select
        Values of other dimensions to draw (nearest), e.g. ``hx=0.2``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ds = ud.macrospin.switching_probability(
    ...     [0.7, 0.9, 1.1],
    ...     pulse_width=[40.0, 80.0],
    ...     hx=[0.2],
    ...     delta=40.0,
    ...     n_trials=200,
    ...     seed=1,
    ... )
    >>> ax = ud.macrospin.plot_switching_probability(ds)
    >>> ax.get_ylabel(), len(ax.get_lines())
    ('switching probability $P_\\mathrm{sw}$', 2)
    >>> ud.macrospin.plot_switching_probability(ds.drop_vars("ci_low"))
    Traceback (most recent call last):
    ...
    TypeError: Expected a switching-probability Dataset with variables ...
    """
    _check(ds)
    dim, x, xlabel = current_axis(ds)
    ax = figure_axes(ax, (5.6, 3.8))
    sel = {k: v for k, v in select.items()}
    P, rest, combos = _others(ds.P_sw, dim, sel)
    lo = ds.ci_low.sel(sel, method="nearest") if sel else ds.ci_low
    hi = ds.ci_high.sel(sel, method="nearest") if sel else ds.ci_high
    sub = ds.sel(sel, method="nearest") if sel else ds
    for idx in combos:
        pick = dict(zip(rest, idx, strict=True))
        y = P.isel(pick).squeeze().transpose(...).values.ravel()
        (line,) = ax.plot(x, y, "o-", ms=3, label=_label(sub, rest, idx) or None)
        if ci:
            ax.fill_between(
                x,
                lo.isel(pick).values.ravel(),
                hi.isel(pick).values.ravel(),
                color=line.get_color(),
                alpha=0.25,
                lw=0,
            )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"switching probability $P_\mathrm{sw}$")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(_title(ds))
    if legend and rest:
        outside_legend(ax, ax.get_legend_handles_labels()[0])
    return ax


def _title(ds):
    a = ds.attrs
    parts = []
    if "torque" in a:
        from .. import torques

        try:
            parts.append(torques.get(a["torque"]).label)
        except ValueError:
            parts.append(str(a["torque"]))
    if a.get("T") is not None and "T" in a:
        parts.append(f"T = {float(a['T']):g} K")
    if "delta" in a:
        parts.append(rf"$\Delta$ = {float(a['delta']):.3g}")
    head = ", ".join(parts[:1])
    tail = ", ".join(parts[1:])
    if "n_trials" in ds:
        tail += f" ({int(ds.n_trials.max())} trials)"
    return f"{head}\n{tail}" if head and tail else head or tail


def plot_switching_map(ds, ax=None, levels=(0.1, 0.5, 0.9), **select):
    r"""Map of P_sw over (current, pulse width) with contours.

    Parameters
    ----------
    ds : xarray.Dataset
        Switching probabilities with at least two current values and two pulse
        widths; other dimensions selected with ``select`` (or of size 1).
    ax : matplotlib.axes.Axes, optional
    levels : sequence of float
        P_sw contours drawn (labelled).
    **select
        Values of other dimensions (nearest), e.g. ``hx=0.2``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ds = ud.macrospin.switching_probability(
    ...     [0.7, 0.9, 1.1],
    ...     pulse_width=[20.0, 40.0],
    ...     hx=[0.2],
    ...     delta=40.0,
    ...     n_trials=100,
    ...     seed=1,
    ... )
    >>> ax = ud.macrospin.plot_switching_map(ds)
    >>> ax.get_ylabel()
    'pulse width $(1/\\gamma_0H_K)$'
    >>> ud.macrospin.plot_switching_map(ds.isel(pulse_width=[0]))
    Traceback (most recent call last):
    ...
    ValueError: A map needs >= 2 values of the current and of pulse_width, got 3 x 1.
    """
    from .plotting import cell_edges

    _check(ds)
    dim, x, xlabel = current_axis(ds)
    sub = ds.sel(select, method="nearest") if select else ds
    P = sub.P_sw
    extra = [d for d in P.dims if d not in (dim, "pulse_width") and P.sizes[d] > 1]
    if extra:
        raise ValueError(
            f"Select one value of {extra} (e.g. plot_switching_map(ds, "
            f"{extra[0]}=...)) for a map over current and pulse width."
        )
    if "pulse_width" not in P.dims or P.sizes[dim] < 2 or P.sizes["pulse_width"] < 2:
        nw = P.sizes.get("pulse_width", 0)
        raise ValueError(
            "A map needs >= 2 values of the current and of pulse_width, got "
            f"{P.sizes[dim]} x {nw}."
        )
    Z = P.squeeze(drop=True).transpose("pulse_width", dim).values
    w = np.asarray(sub.pulse_width.values, dtype=float)
    si = sub.pulse_width.attrs.get("units") == "s"
    y = w * 1e9 if si else w
    ax = figure_axes(ax, (5.6, 4.0))
    mesh = ax.pcolormesh(
        cell_edges(x), cell_edges(y), Z, cmap="viridis", vmin=0, vmax=1,
        shading="flat",
    )  # fmt: skip
    if levels:
        cs = ax.contour(x, y, Z, levels=sorted(levels), colors="white", linewidths=1)
        ax.clabel(cs, fmt="%.1f", fontsize="small")
    ax.figure.colorbar(mesh, ax=ax, label=r"$P_\mathrm{sw}$")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("pulse width (ns)" if si else r"pulse width $(1/\gamma_0H_K)$")
    ax.set_title(_title(sub))
    return ax


def plot_write_error_rate(ds, ax=None, legend=True, **select):
    r"""Write-error rate :math:`1 - P_\mathrm{sw}` against the current, log scale.

    Each curve with its Wilson interval as error bars; points where all trials
    switched are upper bounds (downward triangles at :math:`1 - p_-`), see the
    module docstring.

    Parameters
    ----------
    ds : xarray.Dataset
        Switching probabilities; usually one pulse width selected
        (``pulse_width=...``), otherwise one curve per width.
    ax : matplotlib.axes.Axes, optional
    legend : bool
    **select
        Values of other dimensions (nearest), e.g. ``pulse_width=1e-9``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import ubermag_dirac as ud
    >>> ds = ud.macrospin.switching_probability(
    ...     [0.3, 0.35, 0.4],
    ...     pulse_width=[100.0],
    ...     hx=[0.2],
    ...     torque="she",
    ...     delta=160.0,
    ...     n_trials=300,
    ...     seed=1,
    ... )
    >>> ax = ud.macrospin.plot_write_error_rate(ds)
    >>> ax.get_yscale(), ax.get_ylabel()
    ('log', 'write-error rate $1 - P_\\mathrm{sw}$')
    """
    _check(ds)
    dim, x, xlabel = current_axis(ds)
    ax = figure_axes(ax, (5.6, 3.8))
    sub = ds.sel(select, method="nearest") if select else ds
    P, rest, combos = _others(sub.P_sw, dim, {})
    k = sub.n_switched
    n = sub.n_trials
    n_max = int(n.max())
    any_full = False
    for idx in combos:
        pick = dict(zip(rest, idx, strict=True))
        wer = 1.0 - P.isel(pick).values.ravel()
        low = 1.0 - sub.ci_high.isel(pick).values.ravel()
        high = 1.0 - sub.ci_low.isel(pick).values.ravel()
        full = k.isel(pick).values.ravel() == n.isel(pick).values.ravel()
        ok = ~full & (wer > 0)
        label = _label(sub, rest, idx) or None
        eb = ax.errorbar(
            x[ok], wer[ok], yerr=[wer[ok] - low[ok], high[ok] - wer[ok]],
            fmt="o-", ms=3, capsize=2, label=label,
        )  # fmt: skip
        color = eb[0].get_color()
        if full.any():
            any_full = True
            ax.plot(x[full], high[full], "v", color=color, mfc="none", ms=6)
    ax.set_yscale("log")
    ax.set_ylim(bottom=min(0.5 / n_max, ax.get_ylim()[0]), top=1.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"write-error rate $1 - P_\mathrm{sw}$")
    ax.set_title(_title(sub))
    handles, _ = ax.get_legend_handles_labels()
    if any_full:
        from matplotlib.lines import Line2D

        handles.append(
            Line2D([], [], ls="none", marker="v", mfc="none", color="k",
                   label=f"upper bound\n(all {n_max} switched)")
        )  # fmt: skip
    if legend and handles:
        outside_legend(ax, handles)
    return ax
