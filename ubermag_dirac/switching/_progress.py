"""Progress bar of a sweep that counts grid points, never fractions of them.

A chunk reports its progress in fractions of its points (after every sample
of its time series); the bar accumulates them and shows whole points done
(``37/81 points``), with tqdm's rate and time left.
"""

from __future__ import annotations

__all__ = ["PointBar"]


class PointBar:
    """tqdm bar over ``total`` grid points, ``initial`` of them already done.

    ``update(x)`` takes fractional progress (points, float); the bar moves by
    the whole points completed.

    Examples
    --------
    >>> import io
    >>> from ubermag_dirac.switching._progress import PointBar
    >>> bar = PointBar(9, 0, file=io.StringIO())
    >>> for _ in range(20):
    ...     bar.update(0.45 / 2)
    >>> bar.n, round(bar.done, 12)
    (4, 4.5)
    >>> bar.close()
    """

    def __init__(self, total, initial=0, unit="point", **kwargs):
        from tqdm.auto import tqdm

        self.done = float(initial)
        desc = "switching trials" if unit == "trial" else "switching sweep"
        self.bar = tqdm(
            total=int(total),
            initial=int(initial),
            unit=unit,
            desc=desc,
            **kwargs,
        )

    @property
    def n(self):
        """Whole points shown as done."""
        return self.bar.n

    def update(self, x):
        self.done += float(x)
        whole = int(self.done + 1e-9) - self.bar.n
        if whole > 0:
            self.bar.update(whole)

    def close(self):
        self.bar.close()
