"""Optional FFTW (pyfftw) pipeline for :class:`ubermag_dirac.engine.demag.DemagField`.

The default transforms are scipy.fft's (pocketfft). When the optional package
``pyfftw`` is installed, ``DemagField(..., fft="pyfftw")`` runs the same pruned
zero-padded convolution on FFTW plans bound to preallocated, aligned buffers:

- forward: real FFT along the plan's real axis on the un-padded rows, written
  straight into the physical block of the complex buffer, then in-place complex FFTs
  along the other axes, each on the block that can be non-zero at that stage;
- the tensor product in place (the same numba kernel as the scipy path);
- inverse: in-place complex FFTs, each restricted to the physical rows of the axes
  already transformed back, and the complex-to-real FFT of the physical block.

:class:`PocketConvolver` runs the same pipeline on scipy's own pocketfft binding
(``out=`` arrays), which is the default path of ``DemagField``.

Measured on the 2-core development machine under load (``benchmarks/bench_demag.py``,
same run, minimum per call): pyfftw 0.88 ms vs 1.04 ms (scipy path) for standard
problem 4, 1.33 vs 2.41 ms for 32 films of 32 x 32 x 1, 6.1 vs 14.0 ms for
64 x 64 x 8. FFTW, and so pyfftw, is GPL-licensed: it stays an optional run-time
choice, never a dependency.
"""

from __future__ import annotations

import numpy as np
import scipy.fft

__all__ = ["FFTWConvolver", "have_pyfftw"]


def have_pyfftw() -> bool:
    """Whether the optional ``pyfftw`` package can be imported."""
    try:
        import pyfftw  # noqa: F401
    except ImportError:
        return False
    return True


class FFTWConvolver:
    """Zero-padded FFT convolution with FFTW plans, one plan set per batch size.

    Parameters
    ----------
    n : tuple of int
        Cells ``(nx, ny, nz)``.
    padded : tuple of int
        FFT grid ``(Px, Py, Pz)``.
    taxes : tuple of int
        Transformed axes (0, 1, 2 for x, y, z) in the order of the forward
        transforms, the real FFT last in the tuple but first in time: the real FFT
        runs along ``taxes[-1]``, then the complex FFTs along ``taxes[:-1]`` in
        that order (the inverse transforms run in the opposite order).
    kspec : numpy.ndarray
        Real tensor spectrum ``(ncomp, S)`` with the sign of ``-N`` folded in, in the
        layout of the complex buffer (``rfftn`` over ``taxes``).
    apply : callable
        Numba kernel ``apply(G, K)`` multiplying the spectrum ``(B, 3, S)`` in
        place, given as ``G``, its real view ``(B, 3, 2 S)``.
    threads : int
        FFTW threads.
    flags : tuple of str
        FFTW planner flags (``FFTW_ESTIMATE`` measured as fast as ``FFTW_MEASURE``
        here, without the planning time).
    dtype : numpy.dtype, optional
        Real type of the transforms: float64 (default) or float32 (single
        precision FFTs; the field is still added to a float64 array).
    """

    def __init__(
        self, n, padded, taxes, kspec, apply, threads=1, flags=None, dtype=np.float64
    ):
        import pyfftw

        self._pyfftw = pyfftw
        self._init_common(n, padded, taxes, kspec, apply, threads, dtype)
        self.flags = tuple(flags or ("FFTW_ESTIMATE",))

    def _init_common(self, n, padded, taxes, kspec, apply, threads, dtype):
        self.n = tuple(n)
        self.padded = tuple(padded)
        self.taxes = tuple(taxes)
        self.dtype = np.dtype(dtype)
        self.cdtype = np.result_type(self.dtype, np.complex64)
        norm = float(np.prod([padded[k] for k in taxes]))
        # neither FFTW nor pocketfft (inorm=0) normalises: 1/norm goes in here
        self.kspec = np.ascontiguousarray(kspec / norm, dtype=self.dtype)
        self.apply = apply
        self.threads = int(threads)
        self._sets = {}

    def _view(self, arr, limit):
        sl = [slice(None)] * arr.ndim
        for k in limit:
            sl[2 + k] = slice(0, self.n[k])
        return arr[tuple(sl)]

    def _shapes(self, B):
        """``(last, others, rshape, cshape)``: the real buffer is padded along
        the last transformed axis ``last``, the complex one along all of them
        (``P // 2 + 1`` along ``last``: real-to-complex)."""
        n, P, taxes = self.n, self.padded, self.taxes
        last, others = taxes[-1], taxes[:-1]
        rshape = [B, 3, *n]
        rshape[2 + last] = P[last]
        cshape = [B, 3, *n]
        for k in others:
            cshape[2 + k] = P[k]
        cshape[2 + last] = P[last] // 2 + 1
        return last, others, rshape, cshape

    def _padding(self, B, R, C, Rout):
        """``(zero, Min, Hout)``: the blocks of ``C`` that must be zero before the
        forward transforms, and the unpadded views of the input and output."""
        n, others = self.n, self.taxes[:-1]
        zero = []
        for k in others:
            sl = [slice(None)] * C.ndim
            sl[2 + k] = slice(n[k], None)
            zero.append(tuple(sl))
        Min = R[tuple(slice(0, s) for s in (B, 3, *n))]
        Hout = Rout[tuple(slice(0, s) for s in (B, 3, *n))]
        return zero, Min, Hout

    def _build(self, B):
        fftw = self._pyfftw
        last, others, rshape, cshape = self._shapes(B)
        R = fftw.zeros_aligned(tuple(rshape), dtype=self.dtype)
        Rout = fftw.zeros_aligned(tuple(rshape), dtype=self.dtype)
        C = fftw.zeros_aligned(tuple(cshape), dtype=self.cdtype)
        kw = {"flags": self.flags, "threads": self.threads}
        forward = [fftw.FFTW(R, self._view(C, others), axes=(2 + last,), **kw)]
        pending = list(others)
        for k in others:
            pending.remove(k)
            view = self._view(C, pending)
            forward.append(fftw.FFTW(view, view, axes=(2 + k,), **kw))
        inverse = []
        done = []
        back = {"direction": "FFTW_BACKWARD"}
        for k in reversed(others):
            view = self._view(C, done)
            inverse.append(fftw.FFTW(view, view, axes=(2 + k,), **back, **kw))
            done.append(k)
        inverse.append(
            fftw.FFTW(
                self._view(C, others),
                Rout,
                axes=(2 + last,),
                direction="FFTW_BACKWARD",
                flags=(*self.flags, "FFTW_DESTROY_INPUT"),
                threads=self.threads,
            )
        )
        zero, Min, Hout = self._padding(B, R, C, Rout)
        return R, C, forward, inverse, zero, Min, Hout

    def convolve(self, M, out, add, scale=None):
        """Write (``add=False``) or add the field of ``M`` into ``out``.

        With ``scale`` (broadcastable to ``M``), the field of ``M * scale``: the
        product is written straight into the transform buffer (one pass over
        memory instead of two).
        """
        B = M.shape[0]
        steps = self._sets.get(B)
        if steps is None:
            steps = self._sets[B] = self._steps(*self._build(B))
        Min, zero, forward, G, inverse, Hout = steps
        if scale is None:
            Min[...] = M
        else:
            np.multiply(M, scale, out=Min, casting="unsafe")
        for z in zero:
            z.fill(0)
        for execute in forward:
            execute()
        self.apply(G, self.kspec)
        for execute in inverse:
            execute()
        if add:
            out += Hout
        else:
            out[...] = Hout
        return out

    def _steps(self, R, C, forward, inverse, zero, Min, Hout):
        """What :meth:`convolve` runs, prepared once per batch size: the input
        view, the views to clear, the transforms' ``execute`` methods, the real
        view of the spectrum for ``apply``, the output view."""
        G = real_view(C)
        return (
            Min,
            [C[sl] for sl in zero],
            [plan.execute for plan in forward],
            G,
            [plan.execute for plan in inverse],
            Hout,
        )


class PocketConvolver(FFTWConvolver):
    """The same buffered pipeline on scipy's pocketfft with ``out=`` arrays.

    Uses ``scipy.fft._pocketfft.pypocketfft`` (scipy's bundled pocketfft binding,
    which accepts output arrays); :func:`pocketfft_module` returns ``None`` where a
    scipy version lacks it, and the caller then falls back to the public API.
    """

    def __init__(self, n, padded, taxes, kspec, apply, threads=1, dtype=np.float64):
        self._init_common(n, padded, taxes, kspec, apply, threads, dtype)
        self._pp = pocketfft_module()

    def convolve(self, M, out, add, scale=None):
        """As :meth:`FFTWConvolver.convolve`; pocketfft uses ``scipy.fft``'s
        current worker count (:func:`scipy.fft.set_workers`, which the engine's
        ``threads`` sets), never fewer than ``threads``."""
        self._nt = max(self.threads, scipy.fft.get_workers())
        return super().convolve(M, out, add, scale)

    def _build(self, B):
        pp = self._pp
        last, others, rshape, cshape = self._shapes(B)
        R = np.zeros(rshape, dtype=self.dtype)
        Rout = np.zeros(rshape, dtype=self.dtype)
        C = np.zeros(cshape, dtype=self.cdtype)
        self._nt = self.threads
        Cphys = self._view(C, others)

        def r2c(R=R, out=Cphys):
            pp.r2c(
                R, axes=[2 + last], forward=True, inorm=0, out=out, nthreads=self._nt
            )

        forward = [r2c]
        pending = list(others)
        for k in others:
            pending.remove(k)
            view = self._view(C, pending)
            forward.append(
                lambda v=view, k=k: pp.c2c(
                    v, axes=[2 + k], forward=True, inorm=0, out=v, nthreads=self._nt
                )
            )
        inverse = []
        done = []
        for k in reversed(others):
            view = self._view(C, done)
            inverse.append(
                lambda v=view, k=k: pp.c2c(
                    v, axes=[2 + k], forward=False, inorm=0, out=v, nthreads=self._nt
                )
            )
            done.append(k)
        lastsize = self.padded[last]

        def c2r(v=Cphys, out=Rout):
            pp.c2r(
                v,
                axes=[2 + last],
                lastsize=lastsize,
                forward=False,
                inorm=0,
                out=out,
                nthreads=self._nt,
            )

        inverse.append(c2r)
        zero, Min, Hout = self._padding(B, R, C, Rout)
        return (
            R,
            C,
            [_Call(f) for f in forward],
            [_Call(f) for f in inverse],
            zero,
            Min,
            Hout,
        )


class _Call:
    """Adapter giving a plain callable the ``execute()`` method of an FFTW plan."""

    __slots__ = ("execute",)

    def __init__(self, f):
        self.execute = f


def real_view(F):
    """The complex spectrum ``F`` ``(B, 3, ...)`` as ``(B, 3, 2 S)`` of its real
    type (real and imaginary parts interleaved), for the demag tensor product
    (a view: writing it changes ``F``)."""
    F = F.reshape(F.shape[0], 3, -1)
    return F.view(F.real.dtype)


def pocketfft_module():
    """scipy's pocketfft binding with ``out=`` support, or ``None``."""
    try:
        from scipy.fft._pocketfft import pypocketfft as pp
    except ImportError:
        return None
    if not all(hasattr(pp, f) for f in ("r2c", "c2c", "c2r")):
        return None
    return pp
